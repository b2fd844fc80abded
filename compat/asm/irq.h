/* SPDX-License-Identifier: MIT */
/* <asm/irq.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/interrupt.h>. */
#ifndef DMP_COMPAT_ASM_IRQ_H
#define DMP_COMPAT_ASM_IRQ_H
#include <linux/interrupt.h>
#endif
