/* SPDX-License-Identifier: MIT */
/*
 * <linux/module.h> for dmaport's Linux-compat layer: module_init/exit (see
 * <linux/init.h>), module_param, the MODULE_* tags (recorded nowhere),
 * MODULE_DEVICE_TABLE, try_module_get/module_put (always succeed: modules
 * are not unloaded while in use here).
 */
#ifndef DMP_COMPAT_LINUX_MODULE_H
#define DMP_COMPAT_LINUX_MODULE_H

#include <linux/init.h>
#include <linux/export.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/stat.h>
#include <linux/kmod.h>
/* what Linux's <linux/module.h> brings in */
#include <linux/sched.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/wait.h>
#include <linux/completion.h>
#include <linux/workqueue.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/cpumask.h>

#define DMP__LX_MODTAG(tag, val)                                                        \
	static const char __UNIQUE_ID(dmp__lx_modinfo)[] __attribute__((unused)) = val
#define MODULE_LICENSE(l) DMP__LX_MODTAG(license, l)
#define MODULE_AUTHOR(a) DMP__LX_MODTAG(author, a)
#define MODULE_DESCRIPTION(d) DMP__LX_MODTAG(description, d)
#define MODULE_VERSION(v) DMP__LX_MODTAG(version, v)
#define MODULE_ALIAS(a) DMP__LX_MODTAG(alias, a)
#define MODULE_SOFTDEP(s) DMP__LX_MODTAG(softdep, s)
#define MODULE_FIRMWARE(f) DMP__LX_MODTAG(firmware, f)
#define MODULE_INFO(tag, info) DMP__LX_MODTAG(tag, info)
#define MODULE_IMPORT_NS(ns) DMP__LX_MODTAG(import_ns, #ns)
#define MODULE_DEVICE_TABLE(type, name) extern __typeof__(name) name

static inline bool try_module_get(struct module *m)
{
	(void)m;
	return true;
}
static inline void module_put(struct module *m)
{
	(void)m;
}
static inline void __module_get(struct module *m)
{
	(void)m;
}
#define module_name(mod) ((mod) ? (mod)->name : "kernel")
#define module_is_live(mod) true

#endif /* DMP_COMPAT_LINUX_MODULE_H */
