/* SPDX-License-Identifier: MIT */
/* <linux/kmod.h> for dmaport's Linux-compat layer: there is no module loader to call. */
#ifndef DMP_COMPAT_LINUX_KMOD_H
#define DMP_COMPAT_LINUX_KMOD_H
#define request_module(mod, ...) (-ENOENT)
#define request_module_nowait(mod, ...) (-ENOENT)
#endif
