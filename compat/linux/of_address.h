/* SPDX-License-Identifier: MIT */
/*
 * <linux/of_address.h> for dmaport's Linux-compat layer: a node's reg
 * translated to CPU addresses through its parents' ranges.
 */
#ifndef DMP_COMPAT_LINUX_OF_ADDRESS_H
#define DMP_COMPAT_LINUX_OF_ADDRESS_H

#include <linux/of.h>
#include <linux/ioport.h>
#include <linux/io.h>

#define OF_BAD_ADDR ((u64)-1)

int of_address_to_resource(struct device_node *dev, int index, struct resource *r);
u64 of_translate_address(struct device_node *np, const __be32 *addr);
void __iomem *of_iomap(struct device_node *node, int index);
void __iomem *of_io_request_and_map(struct device_node *device, int index, const char *name);
const __be32 *of_get_address(struct device_node *dev, int index, u64 *size, unsigned int *flags);
int of_range_count(struct device_node *np);

#endif /* DMP_COMPAT_LINUX_OF_ADDRESS_H */
