/* SPDX-License-Identifier: MIT */
/* <asm/byteorder.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/byteorder/generic.h>. */
#ifndef DMP_COMPAT_ASM_BYTEORDER_H
#define DMP_COMPAT_ASM_BYTEORDER_H
#include <linux/byteorder/generic.h>
#endif
