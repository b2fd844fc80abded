/* SPDX-License-Identifier: MIT */
/*
 * <linux/of_reserved_mem.h> for dmaport's Linux-compat layer.  The driver
 * core attaches a device's memory-region (restricted bounce pool, CMA area,
 * declared coherent memory) when it creates the device, as Linux's
 * of_dma_configure does for restricted pools; of_reserved_mem_device_init()
 * then succeeds if the node has a memory-region (-ENODEV if not), and its
 * release is a no-op.
 */
#ifndef DMP_COMPAT_LINUX_OF_RESERVED_MEM_H
#define DMP_COMPAT_LINUX_OF_RESERVED_MEM_H

#include <linux/device.h>
#include <linux/of.h>

int of_reserved_mem_device_init_by_idx(struct device *dev, struct device_node *np, int idx);
#define of_reserved_mem_device_init(dev) of_reserved_mem_device_init_by_idx(dev, (dev)->of_node, 0)
#define of_reserved_mem_device_release(dev) do { (void)(dev); } while (0)
#define devm_of_reserved_mem_device_init(dev) of_reserved_mem_device_init(dev)

#endif /* DMP_COMPAT_LINUX_OF_RESERVED_MEM_H */
