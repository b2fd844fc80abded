/* SPDX-License-Identifier: MIT */
/*
 * <linux/property.h> for dmaport's Linux-compat layer: the firmware-node
 * property API, on the device tree (every fwnode is a device_node's).
 */
#ifndef DMP_COMPAT_LINUX_PROPERTY_H
#define DMP_COMPAT_LINUX_PROPERTY_H

#include <linux/types.h>

struct device;

struct fwnode_handle {
	struct fwnode_handle *secondary;
	const void *ops;
};

struct fwnode_handle *dev_fwnode(const struct device *dev);
const void *device_get_match_data(const struct device *dev);
bool device_property_present(const struct device *dev, const char *propname);
int device_property_read_u8_array(const struct device *dev, const char *propname, u8 *val,
				  size_t nval);
int device_property_read_u16_array(const struct device *dev, const char *propname, u16 *val,
				   size_t nval);
int device_property_read_u32_array(const struct device *dev, const char *propname, u32 *val,
				   size_t nval);
int device_property_read_u64_array(const struct device *dev, const char *propname, u64 *val,
				   size_t nval);
int device_property_read_string(const struct device *dev, const char *propname,
				const char **val);
int device_property_read_string_array(const struct device *dev, const char *propname,
				      const char **val, size_t nval);
int device_property_match_string(const struct device *dev, const char *propname,
				 const char *string);
#define device_property_read_bool(dev, name) device_property_present(dev, name)
#define device_property_read_u8(dev, name, v) device_property_read_u8_array(dev, name, v, 1)
#define device_property_read_u16(dev, name, v) device_property_read_u16_array(dev, name, v, 1)
#define device_property_read_u32(dev, name, v) device_property_read_u32_array(dev, name, v, 1)
#define device_property_read_u64(dev, name, v) device_property_read_u64_array(dev, name, v, 1)
#define device_property_count_u32(dev, name) device_property_read_u32_array(dev, name, NULL, 0)
#define device_is_compatible(dev, compat) of_device_is_compatible((dev)->of_node, compat)

#endif /* DMP_COMPAT_LINUX_PROPERTY_H */
