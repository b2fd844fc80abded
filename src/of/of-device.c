/* SPDX-License-Identifier: MIT */
/*
 * of-device.c - a device's DMA configuration from its description (Linux's
 * of_dma_configure in drivers/of/device.c, with of_reserved_mem_device_init
 * for its memory-region).  See <dmaport/of-device.h>.
 */
#include <dmaport/coherent.h>
#include <dmaport/dma-map-ops.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/of-device.h>
#include <dmaport/platform.h>
#include <dmaport/swiotlb.h>

/* dma-ranges and the bus limit they imply (Linux's dma_range_map and
 * bus_dma_limit); @path names the node that has them. */
static int configure_ranges(struct dmp_device *dev, const struct dmp_of_dma_map *map,
			    const char *path, struct dmp_of_error *err)
{
	if (!map->identity)
		for (unsigned int k = 0; k < map->nr; k++) {
			const struct dmp_of_dma_range *r = &map->r[k];
			int e = dmp_device_add_dma_range(dev, r->cpu_addr, r->dma_addr, r->size);
			if (e)
				return dmp_of_error_set(err, e, path, "dma-ranges",
							"dma-ranges the device model cannot hold");
		}
	if (map->bus_limit && map->bus_limit != ~(dmp_addr_t)0)
		dmp_device_set_bus_limit(dev, map->bus_limit);
	return 0;
}

/*
 * The stream @sid of the IOMMU with description index @idx (Linux's
 * of_iommu_configure); @map_path has the property @prop that says so, and
 * @dev_path is the device's node.
 */
static int configure_iommu(struct dmp_of_machine *m, struct dmp_device *dev, unsigned int idx,
			   uint32_t sid, const char *map_path, const char *dev_path,
			   const char *prop, bool *iommu, struct dmp_of_error *err)
{
	struct dmp_iommu *drv = m->iommu[idx];
	if (!drv)
		return dmp_of_error_set(err, -ENODEV, map_path, prop, "its IOMMU has no driver");
	int e = dmp_iommu_probe_device(dev, drv, &sid, 1);
	if (e)
		return dmp_of_error_set(err, e, dev_path, prop, "IOMMU probe failed");
	*iommu = true;
	return 0;
}

/*
 * A device's memory-region (Linux's of_reserved_mem_device_init): a
 * restricted pool bounces all its DMA; a CMA area serves its contiguous
 * allocations; a no-map coherent pool becomes its declared memory, at the
 * bus address its dma-ranges give the region's start (Linux's
 * use_dev_dma_pfn_offset).  Several devices naming one coherent pool share
 * it, as in Linux: one allocator, each device's own bus addresses.
 */
static int attach_region(struct dmp_of_machine *m, unsigned int index, struct dmp_device *dev,
			 unsigned int ri, struct dmp_of_error *err)
{
	const struct dmp_of_platform *d = m->desc;
	const char *path = d->devices[index].path;
	const struct dmp_of_reserved *r = &d->reserved[ri];
	if (m->restricted[ri])
		dmp_device_set_swiotlb(dev, m->restricted[ri], true);
	if (m->cma[ri])
		dev->cma_area = m->cma[ri];
	if (r->kind != DMP_OF_RMEM_COHERENT || r->dma_default)
		return 0;
	dmp_addr_t bus = dmp_phys_to_dma(dev, r->base);
	if (bus == DMP_MAPPING_ERROR || dmp_phys_to_dma(dev, r->base + r->size - 1) == DMP_MAPPING_ERROR)
		return dmp_of_error_set(err, -EINVAL, path, "memory-region",
					"the coherent pool lies outside the device's dma-ranges");
	int e;
	for (unsigned int i = 0; i < d->nr_devices; i++) {
		const struct dmp_of_device *other = &d->devices[i];
		for (unsigned int k = 0; i != index && k < other->nr_mem_regions; k++)
			if (other->mem_regions[k] == ri && m->dev[i] && m->dev[i]->dma_mem) {
				e = dmp_share_coherent_memory(dev, m->dev[i]);
				return e ? dmp_of_error_set(err, e, path, "memory-region",
							    "cannot share the coherent pool")
					 : 0;
			}
	}
	e = dmp_declare_coherent_memory(dev, r->base, bus, (size_t)r->size);
	if (e)
		return dmp_of_error_set(err, e, path, "memory-region",
					"cannot declare the coherent pool as the device's memory");
	return 0;
}

int dmp_of_dma_configure(struct dmp_of_machine *m, unsigned int index, struct dmp_device *dev,
			 bool *iommu, struct dmp_of_error *err)
{
	DMP_ASSERT(m && m->desc && index < m->desc->nr_devices && dev && iommu);
	const struct dmp_of_device *od = &m->desc->devices[index];
	*iommu = false;
	m->dev[index] = dev;
	dmp_device_set_coherent(dev, od->coherent);
	int e = configure_ranges(dev, &od->dma, od->path, err);
	for (unsigned int k = 0; !e && k < od->nr_mem_regions; k++)
		e = attach_region(m, index, dev, od->mem_regions[k], err);
	if (e)
		return e;
	if (od->nr_iommus) {
		const struct dmp_of_iommu_ref *ref = &od->iommus[0];
		e = configure_iommu(m, dev, ref->iommu, ref->nr_args ? ref->args[0] : 0, od->path,
				    od->path, "iommus", iommu, err);
		if (e)
			return e;
	}
	/* a device can address what its port can: the masks follow it */
	e = dmp_set_mask_and_coherent(dev, DMP_BIT_MASK(od->port_bits));
	if (e && !*iommu)
		/* the port cannot reach the DMA zone: keep the default 32-bit
		 * mask.  It may be wider than the port, so mappings need not
		 * fail: the driver's own dma_set_mask() is refused and it must
		 * not do DMA (Linux drivers fail their probe then) */
		e = 0;
	if (e)
		return dmp_of_error_set(err, e, od->path, "dmaport,port-bits",
					"mask not supported");
	return 0;
}

int dmp_of_pci_dma_configure(struct dmp_of_machine *m, const struct dmp_of_pci_function *f,
			     struct dmp_device *dev, bool *iommu, struct dmp_of_error *err)
{
	DMP_ASSERT(m && m->desc && f && f->host < m->desc->nr_pci_hosts && dev && iommu);
	const struct dmp_of_pci_host *oh = &m->desc->pci_hosts[f->host];
	*iommu = false;
	int e = configure_ranges(dev, &oh->dma, oh->path, err);
	if (!e && f->has_iommu)
		e = configure_iommu(m, dev, f->iommu, f->sid, oh->path, f->path, "iommu-map",
				    iommu, err);
	return e;
}

void dmp_of_dma_deconfigure(struct dmp_of_machine *m, struct dmp_device *dev, bool iommu)
{
	dmp_device_remove(dev);
	if (dev->dma_mem)
		dmp_release_coherent_memory(dev); /* -EBUSY: reported, leaked */
	if (iommu)
		dmp_iommu_release_device(dev);
	for (unsigned int i = 0; i < DMP_OF_MAX_DEVICES; i++)
		if (m->dev[i] == dev)
			m->dev[i] = NULL;
}
