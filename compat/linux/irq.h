/* SPDX-License-Identifier: MIT */
/* <linux/irq.h> for dmaport's Linux-compat layer: trigger types and IRQ descriptors' queries. */
#ifndef DMP_COMPAT_LINUX_IRQ_H
#define DMP_COMPAT_LINUX_IRQ_H

#include <linux/interrupt.h>

#define IRQ_TYPE_NONE 0x00000000
#define IRQ_TYPE_EDGE_RISING 0x00000001
#define IRQ_TYPE_EDGE_FALLING 0x00000002
#define IRQ_TYPE_EDGE_BOTH (IRQ_TYPE_EDGE_FALLING | IRQ_TYPE_EDGE_RISING)
#define IRQ_TYPE_LEVEL_HIGH 0x00000004
#define IRQ_TYPE_LEVEL_LOW 0x00000008
#define IRQ_TYPE_LEVEL_MASK (IRQ_TYPE_LEVEL_LOW | IRQ_TYPE_LEVEL_HIGH)
#define IRQ_TYPE_SENSE_MASK 0x0000000f
#define IRQ_NOTCONNECTED (1U << 31)

unsigned int irq_get_trigger_type(unsigned int irq);
int irq_set_irq_type(unsigned int irq, unsigned int type);
/* irq_to_desc etc. are not provided: the runtime's descriptors are private. */

#endif /* DMP_COMPAT_LINUX_IRQ_H */
