/* SPDX-License-Identifier: MIT */
/*
 * <linux/mfd/syscon.h> for dmaport's Linux-compat layer: the regmap of a
 * "syscon" node (its first reg, 32-bit registers), made on first lookup and
 * kept for the machine's life, as Linux's syscon.  -ENODEV when the node
 * is missing, -EINVAL when it has no reg, -ENOMEM when nothing is there.
 */
#ifndef DMP_COMPAT_LINUX_MFD_SYSCON_H
#define DMP_COMPAT_LINUX_MFD_SYSCON_H

#include <linux/of.h>
#include <linux/regmap.h>

struct regmap *device_node_to_regmap(struct device_node *np);
struct regmap *syscon_node_to_regmap(struct device_node *np);
struct regmap *syscon_regmap_lookup_by_compatible(const char *s);
struct regmap *syscon_regmap_lookup_by_phandle(struct device_node *np, const char *property);
struct regmap *syscon_regmap_lookup_by_phandle_args(struct device_node *np, const char *property,
						    int arg_count, unsigned int *out_args);

#endif /* DMP_COMPAT_LINUX_MFD_SYSCON_H */
