/* SPDX-License-Identifier: MIT */
/* <asm/cacheflush.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/kernel.h>. */
#ifndef DMP_COMPAT_ASM_CACHEFLUSH_H
#define DMP_COMPAT_ASM_CACHEFLUSH_H
#include <linux/kernel.h>
#endif
