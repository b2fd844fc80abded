/* SPDX-License-Identifier: MIT */
/* <linux/export.h> for dmaport's Linux-compat layer: exports are ordinary C linkage. */
#ifndef DMP_COMPAT_LINUX_EXPORT_H
#define DMP_COMPAT_LINUX_EXPORT_H

#include <linux/init.h>

#define EXPORT_SYMBOL(sym) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_GPL(sym) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_NS(sym, ns) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_NS_GPL(sym, ns) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_FOR_MODULES(sym, mods) extern __typeof__(sym) sym

#endif /* DMP_COMPAT_LINUX_EXPORT_H */
