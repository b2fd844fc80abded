/* SPDX-License-Identifier: MIT */
/* <asm/delay.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/delay.h>. */
#ifndef DMP_COMPAT_ASM_DELAY_H
#define DMP_COMPAT_ASM_DELAY_H
#include <linux/delay.h>
#endif
