/* SPDX-License-Identifier: MIT */
/* <asm/bitops.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/bitops.h>. */
#ifndef DMP_COMPAT_ASM_BITOPS_H
#define DMP_COMPAT_ASM_BITOPS_H
#include <linux/bitops.h>
#endif
