/* SPDX-License-Identifier: MIT */
/*
 * <linux/platform_device.h> for dmaport's Linux-compat layer: the platform
 * device a driver's probe receives, and its resources.
 *
 * There is no driver core: the code that plays the bus (a test, a board
 * file) fills a struct platform_device (dmp_device_init(&pdev->dev.dmp, ...)
 * and the resources) and calls the driver's probe and remove itself.
 * struct platform_driver holds them, with Linux 6.11+'s void remove.
 * Registration (platform_driver_register, module_platform_driver) and
 * devm_* are absent.
 */
#ifndef DMP_COMPAT_LINUX_PLATFORM_DEVICE_H
#define DMP_COMPAT_LINUX_PLATFORM_DEVICE_H

#include <linux/device.h>
#include <linux/ioport.h>

struct platform_device {
	const char *name;
	int id;
	struct device dev;
	u32 num_resources;
	struct resource *resource;
};

struct device_driver {
	const char *name;
};

struct platform_driver {
	int (*probe)(struct platform_device *pdev);
	void (*remove)(struct platform_device *pdev);
	struct device_driver driver;
};

#define to_platform_device(d) container_of((d), struct platform_device, dev)

/** platform_get_resource - the @num'th resource of @type (IORESOURCE_*), or NULL. */
static inline struct resource *platform_get_resource(struct platform_device *pdev,
						     unsigned int type, unsigned int num)
{
	for (u32 i = 0; i < pdev->num_resources; i++) {
		struct resource *r = &pdev->resource[i];
		if ((r->flags & type) && num-- == 0)
			return r;
	}
	return NULL;
}

static inline void *platform_get_drvdata(const struct platform_device *pdev)
{
	return dev_get_drvdata(&pdev->dev);
}

static inline void platform_set_drvdata(struct platform_device *pdev, void *data)
{
	dev_set_drvdata(&pdev->dev, data);
}

#endif /* DMP_COMPAT_LINUX_PLATFORM_DEVICE_H */
