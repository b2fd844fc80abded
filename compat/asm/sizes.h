/* SPDX-License-Identifier: MIT */
/* <asm/sizes.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/sizes.h>. */
#ifndef DMP_COMPAT_ASM_SIZES_H
#define DMP_COMPAT_ASM_SIZES_H
#include <linux/sizes.h>
#endif
