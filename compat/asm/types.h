/* SPDX-License-Identifier: MIT */
/* <asm/types.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/types.h>. */
#ifndef DMP_COMPAT_ASM_TYPES_H
#define DMP_COMPAT_ASM_TYPES_H
#include <linux/types.h>
#endif
