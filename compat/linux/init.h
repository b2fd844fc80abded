/* SPDX-License-Identifier: MIT */
/*
 * <linux/init.h> for dmaport's Linux-compat layer: module_init and the
 * initcalls, and THIS_MODULE.
 *
 * Every source file that includes this header is one module, named
 * KBUILD_MODNAME (default: the file's name).  module_init/module_exit (and
 * the initcall levels, which all mean module_init here) record the
 * functions when the program starts (a constructor registers the module
 * with the compat runtime); they run when the program loads the module
 * (dmp_lx_module_load, or dmaport-sim's "drive" command) - as insmod - and
 * unloads it, as rmmod.  THIS_MODULE is the module's record; struct module
 * has the @name field drivers read.
 */
#ifndef DMP_COMPAT_LINUX_INIT_H
#define DMP_COMPAT_LINUX_INIT_H

#include <linux/compiler.h>
#include <linux/types.h>

struct module {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
	const char *file;
	/* the runtime's */
	struct module *dmp_next;
	int dmp_state; /* 0 registered, 1 loaded, 2 init failed */
};

/* the module of this file */
static struct module __this_module __attribute__((unused)) = {
	.name = KBUILD_MODNAME,
	.file = __FILE__,
};
#define THIS_MODULE (&__this_module)

void dmp_lx_module_register(struct module *mod);

#define module_init(initfn)                                                             \
	static int (*const dmp__lx_init_check)(void) __attribute__((unused)) = initfn;  \
	__attribute__((constructor)) static void dmp__lx_module_init_ctor(void)         \
	{                                                                               \
		__this_module.init = initfn;                                            \
		dmp_lx_module_register(&__this_module);                                 \
	}
#define module_exit(exitfn)                                                             \
	static void (*const dmp__lx_exit_check)(void) __attribute__((unused)) = exitfn; \
	__attribute__((constructor)) static void dmp__lx_module_exit_ctor(void)         \
	{                                                                               \
		__this_module.exit = exitfn;                                            \
		dmp_lx_module_register(&__this_module);                                 \
	}

#define pure_initcall(fn) module_init(fn)
#define core_initcall(fn) module_init(fn)
#define postcore_initcall(fn) module_init(fn)
#define arch_initcall(fn) module_init(fn)
#define subsys_initcall(fn) module_init(fn)
#define fs_initcall(fn) module_init(fn)
#define device_initcall(fn) module_init(fn)
#define late_initcall(fn) module_init(fn)
#define late_initcall_sync(fn) module_init(fn)
#define __initcall(fn) module_init(fn)

#endif /* DMP_COMPAT_LINUX_INIT_H */
