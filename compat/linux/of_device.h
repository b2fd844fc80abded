/* SPDX-License-Identifier: MIT */
/* <linux/of_device.h> for dmaport's Linux-compat layer: matching a device against an OF table. */
#ifndef DMP_COMPAT_LINUX_OF_DEVICE_H
#define DMP_COMPAT_LINUX_OF_DEVICE_H

#include <linux/of.h>
#include <linux/device.h>
#include <linux/platform_device.h>

const struct of_device_id *of_match_device(const struct of_device_id *matches,
					   const struct device *dev);
const void *of_device_get_match_data(const struct device *dev);
static inline int of_driver_match_device(struct device *dev, const struct device_driver *drv)
{
	return of_match_device(drv->of_match_table, dev) != NULL;
}
/* of_dma_configure: the driver core configured DMA from the node at creation. */
#define of_dma_configure(dev, np, force) __extension__({ (void)(dev); (void)(np); 0; })

#endif /* DMP_COMPAT_LINUX_OF_DEVICE_H */
