/* SPDX-License-Identifier: MIT */
/*
 * <linux/of_platform.h> for dmaport's Linux-compat layer.  The driver core
 * populates the root and simple-bus children at machine load;
 * of_platform_populate() creates devices for the children of @root (a
 * driver's own bus node) the same way, and of_find_device_by_node() finds a
 * node's platform device (with a reference: put_device() it).
 */
#ifndef DMP_COMPAT_LINUX_OF_PLATFORM_H
#define DMP_COMPAT_LINUX_OF_PLATFORM_H

#include <linux/of_device.h>
#include <linux/platform_device.h>

struct of_dev_auxdata;
extern const struct of_device_id of_default_bus_match_table[];

int of_platform_populate(struct device_node *root, const struct of_device_id *matches,
			 const struct of_dev_auxdata *lookup, struct device *parent);
#define of_platform_default_populate(root, lookup, parent)                              \
	of_platform_populate(root, NULL, lookup, parent)
int devm_of_platform_populate(struct device *dev);
void of_platform_depopulate(struct device *parent);
#define devm_of_platform_depopulate(dev) of_platform_depopulate(dev)
struct platform_device *of_find_device_by_node(struct device_node *np);
#define of_platform_device_create(np, bus_id, parent) NULL

#endif /* DMP_COMPAT_LINUX_OF_PLATFORM_H */
