/* SPDX-License-Identifier: MIT */
/*
 * <linux/sysfs.h> for dmaport's Linux-compat layer.  There is no sysfs:
 * attributes and groups can be declared and "created" (the calls succeed
 * and record nothing); show/store callbacks are never called.
 */
#ifndef DMP_COMPAT_LINUX_SYSFS_H
#define DMP_COMPAT_LINUX_SYSFS_H

#include <linux/types.h>

struct kobject;
struct device;

struct attribute {
	const char *name;
	umode_t mode;
};

struct attribute_group {
	const char *name;
	umode_t (*is_visible)(struct kobject *kobj, struct attribute *attr, int n);
	struct attribute **attrs;
	struct bin_attribute **bin_attrs;
};

struct device_attribute {
	struct attribute attr;
	ssize_t (*show)(struct device *dev, struct device_attribute *attr, char *buf);
	ssize_t (*store)(struct device *dev, struct device_attribute *attr, const char *buf,
			 size_t count);
};

#define __ATTR(_name, _mode, _show, _store)                                             \
	{ .attr = { .name = #_name, .mode = (_mode) }, .show = (_show), .store = (_store) }
#define __ATTR_RO(_name) __ATTR(_name, 0444, _name##_show, NULL)
#define __ATTR_WO(_name) __ATTR(_name, 0200, NULL, _name##_store)
#define __ATTR_RW(_name) __ATTR(_name, 0644, _name##_show, _name##_store)
#define DEVICE_ATTR(_name, _mode, _show, _store)                                        \
	struct device_attribute dev_attr_##_name = __ATTR(_name, _mode, _show, _store)
#define DEVICE_ATTR_RO(_name) struct device_attribute dev_attr_##_name = __ATTR_RO(_name)
#define DEVICE_ATTR_WO(_name) struct device_attribute dev_attr_##_name = __ATTR_WO(_name)
#define DEVICE_ATTR_RW(_name) struct device_attribute dev_attr_##_name = __ATTR_RW(_name)
#define ATTRIBUTE_GROUPS(_name)                                                         \
	static const struct attribute_group _name##_group = { .attrs = _name##_attrs }; \
	static const struct attribute_group *_name##_groups[] = { &_name##_group, NULL }

#define sysfs_create_group(kobj, grp) __extension__({ (void)(kobj); (void)(grp); 0; })
#define sysfs_remove_group(kobj, grp) do { (void)(kobj); (void)(grp); } while (0)
#define device_create_file(dev, attr) __extension__({ (void)(dev); (void)(attr); 0; })
#define device_remove_file(dev, attr) do { (void)(dev); (void)(attr); } while (0)
#define devm_device_add_group(dev, grp) __extension__({ (void)(dev); (void)(grp); 0; })
#define devm_device_add_groups(dev, grps) __extension__({ (void)(dev); (void)(grps); 0; })
#define device_add_groups(dev, grps) __extension__({ (void)(dev); (void)(grps); 0; })
#define device_remove_groups(dev, grps) do { (void)(dev); (void)(grps); } while (0)
#define sysfs_notify(kobj, dir, attr) do { (void)(kobj); } while (0)
#define sysfs_emit(buf, fmt, ...) snprintf((buf), 4096, fmt, ##__VA_ARGS__)
#define sysfs_emit_at(buf, at, fmt, ...) snprintf((buf) + (at), 4096 - (at), fmt, ##__VA_ARGS__)

#endif /* DMP_COMPAT_LINUX_SYSFS_H */
