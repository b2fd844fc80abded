/* SPDX-License-Identifier: MIT */
/*
 * <linux/of_irq.h> for dmaport's Linux-compat layer: a node's interrupts
 * (through interrupt-parent to its controller's specifier) as Linux IRQ
 * numbers; 0 (irq_of_parse_and_map) or a negative errno when absent.
 */
#ifndef DMP_COMPAT_LINUX_OF_IRQ_H
#define DMP_COMPAT_LINUX_OF_IRQ_H

#include <linux/of.h>
#include <linux/irq.h>

unsigned int irq_of_parse_and_map(struct device_node *node, int index);
int of_irq_get(struct device_node *dev, int index);
int of_irq_get_byname(struct device_node *dev, const char *name);
int of_irq_count(struct device_node *dev);
int of_irq_to_resource(struct device_node *dev, int index, struct resource *r);
int of_irq_to_resource_table(struct device_node *dev, struct resource *res, int nr_irqs);
#define irq_dispose_mapping(virq) do { (void)(virq); } while (0)

#endif /* DMP_COMPAT_LINUX_OF_IRQ_H */
