/* SPDX-License-Identifier: MIT */
/*
 * <linux/moduleparam.h> for dmaport's Linux-compat layer.
 *
 * module_param(name, type, perm) records the variable under
 * "<module>.<name>"; dmp_lx_param_set() (and dmaport-sim's --param
 * MODULE.NAME=VALUE) sets it before the module loads, as insmod arguments
 * do.  Types: bool, invbool, byte, short, ushort, int, uint, long, ulong,
 * ullong, hexint, charp.
 */
#ifndef DMP_COMPAT_LINUX_MODULEPARAM_H
#define DMP_COMPAT_LINUX_MODULEPARAM_H

#include <linux/init.h>
#include <linux/stringify.h>

enum dmp_lx_param_type {
	DMP_LX_PARAM_bool,
	DMP_LX_PARAM_invbool,
	DMP_LX_PARAM_byte,
	DMP_LX_PARAM_short,
	DMP_LX_PARAM_ushort,
	DMP_LX_PARAM_int,
	DMP_LX_PARAM_uint,
	DMP_LX_PARAM_long,
	DMP_LX_PARAM_ulong,
	DMP_LX_PARAM_ullong,
	DMP_LX_PARAM_hexint,
	DMP_LX_PARAM_charp,
	/* <stdbool.h> makes `bool` a macro: module_param(x, bool, ...) pastes
	 * the expansion, _Bool */
	DMP_LX_PARAM__Bool = DMP_LX_PARAM_bool,
};

struct dmp_lx_param {
	struct module *mod;
	const char *name;
	enum dmp_lx_param_type type;
	void *var;
	size_t size;
	struct dmp_lx_param *next;
};

void dmp_lx_param_register(struct dmp_lx_param *p);

#define module_param_named(pname, value, ptype, perm)                                   \
	static struct dmp_lx_param __PASTE(dmp__lx_param_, pname) = {                   \
		.mod = &__this_module, .name = #pname, .type = DMP_LX_PARAM_##ptype,    \
		.var = &(value), .size = sizeof(value) };                               \
	__attribute__((constructor)) static void __PASTE(dmp__lx_param_ctor_, pname)(void) \
	{                                                                               \
		dmp_lx_param_register(&__PASTE(dmp__lx_param_, pname));                 \
	}
#define module_param(name, type, perm) module_param_named(name, name, type, perm)
#define module_param_unsafe(name, type, perm) module_param(name, type, perm)
#define module_param_named_unsafe(name, value, type, perm) module_param_named(name, value, type, perm)
#define module_param_array(name, type, nump, perm) static const int __PASTE(dmp__lx_parr_, name) __attribute__((unused)) = 0
#define module_param_string(name, string, len, perm) static const int __PASTE(dmp__lx_pstr_, name) __attribute__((unused)) = 0
#define module_param_cb(name, ops, arg, perm) static const int __PASTE(dmp__lx_pcb_, name) __attribute__((unused)) = 0
#define MODULE_PARM_DESC(name, desc) static const char __PASTE(dmp__lx_pdesc_, name)[] __attribute__((unused)) = desc

#endif /* DMP_COMPAT_LINUX_MODULEPARAM_H */
