/* SPDX-License-Identifier: MIT */
/* <asm/unaligned.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/unaligned.h>. */
#ifndef DMP_COMPAT_ASM_UNALIGNED_H
#define DMP_COMPAT_ASM_UNALIGNED_H
#include <linux/unaligned.h>
#endif
