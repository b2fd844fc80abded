/* SPDX-License-Identifier: MIT */
/*
 * dmaport/device.h - struct dmp_device: what the DMA API knows of a device.
 *
 * Callers' header.  A driver (or the platform/device-tree code that creates
 * devices) sets a device up once; the DMA API reads it on every call.  The
 * fields mirror the DMA-related members of Linux's struct device.
 */
#ifndef DMAPORT_DEVICE_H
#define DMAPORT_DEVICE_H

#include <dmaport/types.h>

DMP_BEGIN_DECLS

struct dmp_dma_map_ops;
struct dmp_swiotlb_pool;
struct dmp_dma_coherent_mem;
struct dmp_cma;

/** One dma-ranges entry: CPU [cpu_start, +size) is bus [dma_start, +size). */
struct dmp_dma_range {
	dmp_phys_t cpu_start;
	dmp_addr_t dma_start;
	uint64_t size;
};

#define DMP_DEVICE_NAME_MAX 48
#define DMP_DEVICE_MAX_RANGES 8

/**
 * struct dmp_device - a DMA-capable device.
 *
 * Set at configuration (before the first mapping), then read-only:
 * @name:              for reports.
 * @dma_mask:          points at the streaming DMA mask (Linux's dev->dma_mask);
 *                     NULL means the device cannot do DMA.  Change it with
 *                     dmp_set_mask().
 * @coherent_dma_mask: the mask for coherent allocations.
 * @bus_dma_limit:     the highest bus address the interconnect passes (0:
 *                     none), e.g. from a parent bus's dma-ranges.
 * @ranges, @nr_ranges: dma-ranges: CPU to bus address translation; none
 *                     means identity.
 * @dma_coherent:      on the coherent interconnect: no cache maintenance.
 * @untrusted:         may be malicious (an external port): the IOMMU path
 *                     bounces sub-page buffers and uses strict invalidation.
 * @force_bounce:      every streaming mapping bounces (Linux's swiotlb=force,
 *                     or a restricted-dma-pool).
 * @io_tlb_pool:       the device's bounce pool; NULL: the platform default.
 * @max_segment_size, @segment_boundary_mask, @min_align_mask: Linux's
 *                     dma_parms.
 * @dma_ops:           the mapping implementation chosen at configuration:
 *                     NULL is the direct path (with swiotlb); the IOMMU layer
 *                     sets its own.
 * @dma_mem:           declared coherent memory that coherent allocations
 *                     are served from first (dmp_declare_coherent_memory).
 * @cma_area:          the device's CMA area (NULL: the default area).
 * @hw:                the platform's model of the hardware behind it, or
 *                     NULL: opaque to the DMA API, read only by the active
 *                     platform (the simulator's struct dmp_sim_device, set
 *                     with dmp_sim_device_link(), which its checker and
 *                     reports use).
 * @linux_api:         its driver calls the DMA API by Linux's names (set by
 *                     the compat headers): the checker's advice uses them.
 */
struct dmp_device {
	char name[DMP_DEVICE_NAME_MAX];
	uint64_t *dma_mask;
	uint64_t coherent_dma_mask;
	uint64_t bus_dma_limit;
	struct dmp_dma_range ranges[DMP_DEVICE_MAX_RANGES];
	unsigned int nr_ranges;
	bool dma_coherent;
	bool untrusted;
	bool force_bounce;
	_Atomic bool dma_uses_io_tlb; /* a mapping was ever bounced (Linux's field) */
	_Atomic bool linux_api;
	struct dmp_swiotlb_pool *io_tlb_pool;
	unsigned int max_segment_size;
	unsigned long segment_boundary_mask;
	unsigned int min_align_mask;
	const struct dmp_dma_map_ops *dma_ops;
	struct dmp_dma_coherent_mem *dma_mem;
	struct dmp_cma *cma_area;
	void *hw;
	void *iommu;        /* the IOMMU layer's per-device state */
	void *driver_data;
	uint64_t dma_mask_storage;
};

/**
 * dmp_device_init - set up @dev in the caller's storage with Linux's
 * defaults for a platform device: 32-bit streaming and coherent masks,
 * non-coherent, identity translation, 64 KiB maximum segment, no segment
 * boundary, the direct mapping path.  Returns 0 or -EINVAL (no name).
 */
DMP_API int dmp_device_init(struct dmp_device *dev, const char *name);

/** dmp_device_create - allocate and init a device. Returns 0, -EINVAL, -ENOMEM. */
DMP_API int dmp_device_create(const char *name, struct dmp_device **out);

/**
 * dmp_device_remove - the device is going away (a driver's remove, or the
 * end of a device in the caller's storage): its managed resources (pools
 * from dmp_pool_create_managed) are released first, as Linux's devres at
 * unbind; then its mappings and allocations must be gone: the checker
 * reports, one by one, any that are not.
 */
DMP_API void dmp_device_remove(struct dmp_device *dev);

/**
 * dmp_device_destroy - dmp_device_remove(), then free a device from
 * dmp_device_create().  The
 * device's mappings and allocations must be gone (the checker lists any
 * that are not).
 */
DMP_API void dmp_device_destroy(struct dmp_device *dev);

/** dmp_device_set_coherent - on (or off) the coherent interconnect. */
DMP_API void dmp_device_set_coherent(struct dmp_device *dev, bool coherent);

/**
 * dmp_device_add_dma_range - add a dma-ranges entry.  Returns 0, -EINVAL
 * (size 0, wraps, overlaps another entry on either side) or -ENOMEM (more
 * than DMP_DEVICE_MAX_RANGES).
 */
DMP_API int dmp_device_add_dma_range(struct dmp_device *dev, dmp_phys_t cpu_start,
				     dmp_addr_t dma_start, uint64_t size);

/** dmp_device_set_bus_limit - the interconnect's limit (0: none). */
DMP_API void dmp_device_set_bus_limit(struct dmp_device *dev, uint64_t limit);

/**
 * dmp_device_set_swiotlb - bounce through @pool (NULL: the default pool);
 * @force: bounce every streaming mapping (a restricted-dma-pool).
 */
DMP_API void dmp_device_set_swiotlb(struct dmp_device *dev, struct dmp_swiotlb_pool *pool,
				    bool force);

/** dmp_device_name - @dev's name. */
static inline const char *dmp_dev_name(const struct dmp_device *dev)
{
	return dev->name;
}

DMP_END_DECLS

#endif /* DMAPORT_DEVICE_H */
