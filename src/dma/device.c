/* SPDX-License-Identifier: MIT */
/* device.c - struct dmp_device set-up. */
#include <stdio.h>
#include <string.h>

#include <dmaport/dma-map-ops.h>
#include <dmaport/dmapool.h>

#include "debug-hooks.h"

int dmp_device_init(struct dmp_device *dev, const char *name)
{
	if (!dev || !name || !*name)
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	/* Linux's defaults for a platform device with no dma_parms. */
	dev->dma_mask_storage = DMP_BIT_MASK(32);
	dev->dma_mask = &dev->dma_mask_storage;
	dev->coherent_dma_mask = DMP_BIT_MASK(32);
	dev->max_segment_size = 65536;
	dev->segment_boundary_mask = ~0UL;
	if (dmp__debug_on())
		dmp__debug_device_init(dev);
	return 0;
}

int dmp_device_create(const char *name, struct dmp_device **out)
{
	/* CPU-only bookkeeping: the port's metadata memory, not DMA memory */
	struct dmp_device *dev = dmp__meta_alloc(sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	int err = dmp_device_init(dev, name);
	if (err) {
		dmp__meta_free(dev, sizeof(*dev));
		return err;
	}
	*out = dev;
	return 0;
}

void dmp_device_remove(struct dmp_device *dev)
{
	if (!dev)
		return;
	/* Linux releases a driver's devres (managed pools) at unbind, before
	 * dma-debug's unbind check: what is left after that is a leak */
	dmp_device_release_managed(dev);
	/* whether the checker is on or not: it may have met the device while
	 * it was on, and must not keep its address past its removal (with the
	 * checker off there are no entries, so no leak reports) */
	dmp__debug_device_remove(dev);
}

void dmp_device_destroy(struct dmp_device *dev)
{
	dmp_device_remove(dev);
	dmp__meta_free(dev, sizeof(*dev));
}

void dmp_device_set_coherent(struct dmp_device *dev, bool coherent)
{
	dev->dma_coherent = coherent;
}

int dmp_device_add_dma_range(struct dmp_device *dev, dmp_phys_t cpu_start, dmp_addr_t dma_start,
			     uint64_t size)
{
	if (!size || cpu_start + size - 1 < cpu_start || dma_start + size - 1 < dma_start)
		return -EINVAL;
	for (unsigned int i = 0; i < dev->nr_ranges; i++) {
		const struct dmp_dma_range *r = &dev->ranges[i];
		if ((cpu_start <= r->cpu_start + r->size - 1 && r->cpu_start <= cpu_start + size - 1) ||
		    (dma_start <= r->dma_start + r->size - 1 && r->dma_start <= dma_start + size - 1))
			return -EINVAL;
	}
	if (dev->nr_ranges == DMP_DEVICE_MAX_RANGES)
		return -ENOMEM;
	dev->ranges[dev->nr_ranges++] = (struct dmp_dma_range){ cpu_start, dma_start, size };
	return 0;
}

void dmp_device_set_bus_limit(struct dmp_device *dev, uint64_t limit)
{
	dev->bus_dma_limit = limit;
}

void dmp_device_set_swiotlb(struct dmp_device *dev, struct dmp_swiotlb_pool *pool, bool force)
{
	dev->io_tlb_pool = pool;
	dev->force_bounce = force;
}
