/* SPDX-License-Identifier: MIT */
/*
 * <linux/miscdevice.h> for dmaport's Linux-compat layer.  misc_register
 * records the device under its name (with a minor from 64 up for
 * MISC_DYNAMIC_MINOR); a program opens it with dmp_lx_misc_open() (see
 * <dmaport/linux.h>), which sets file->private_data to the miscdevice, as
 * Linux's misc_open does, then calls fops->open.  Registering a name twice
 * is -EBUSY.
 */
#ifndef DMP_COMPAT_LINUX_MISCDEVICE_H
#define DMP_COMPAT_LINUX_MISCDEVICE_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/device.h>

#define MISC_DYNAMIC_MINOR 255

struct miscdevice {
	int minor;
	const char *name;
	const struct file_operations *fops;
	struct list_head list;
	struct device *parent;
	struct device *this_device;
	const struct attribute_group **groups;
	const char *nodename;
	umode_t mode;
	/* the name as registered: Linux's device_create copies it into the
	 * device, so a driver may pass a buffer that dies after probe */
	char dmp_name[64];
};

int misc_register(struct miscdevice *misc);
void misc_deregister(struct miscdevice *misc);
#define module_misc_device(__misc_device)                                               \
	module_driver(__misc_device, misc_register, misc_deregister)

#endif /* DMP_COMPAT_LINUX_MISCDEVICE_H */
