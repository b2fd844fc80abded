/* SPDX-License-Identifier: MIT */
/* <asm/div64.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/math64.h>. */
#ifndef DMP_COMPAT_ASM_DIV64_H
#define DMP_COMPAT_ASM_DIV64_H
#include <linux/math64.h>
#endif
