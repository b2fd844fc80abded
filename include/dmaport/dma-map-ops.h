/* SPDX-License-Identifier: MIT */
/*
 * dmaport/dma-map-ops.h - mapping implementations behind the DMA API.
 *
 * IMPLEMENTERS' HEADER: for the layers that implement DMA mapping (the
 * direct path, the IOMMU path) and the code that configures devices.  Not
 * for drivers (Linux's <linux/dma-map-ops.h> plays the same role).
 *
 * The public functions validate their arguments, then call dev->dma_ops, or
 * the direct path when it is NULL (Linux's dma_map_direct()).  Ops see only
 * valid input: a known direction, a non-zero size, known attributes, memory
 * that is platform memory.
 */
#ifndef DMAPORT_DMA_MAP_OPS_H
#define DMAPORT_DMA_MAP_OPS_H

#include <dmaport/dma-mapping.h>

DMP_BEGIN_DECLS

/*
 * Mandatory members: alloc, free, alloc_pages, free_pages, map_phys,
 * unmap_phys, map_sg, unmap_sg and the four syncs.  Optional ones, and what
 * the API does without them: mmap and get_sgtable (-EOPNOTSUPP),
 * map_resource (DMP_MAPPING_ERROR) and unmap_resource (nothing),
 * dma_supported (every mask), max_mapping_size and opt_mapping_size (no
 * limit), need_sync (syncs are needed), get_required_mask (no requirement).
 * An implementation is one table, chosen per device at configuration
 * (dev->dma_ops), never registered: the direct path and the IOMMU path are
 * the two there are.
 */
struct dmp_dma_map_ops {
	const char *name;
	void *(*alloc)(struct dmp_device *dev, size_t size, dmp_addr_t *dma_handle, dmp_gfp_t gfp,
		       unsigned long attrs);
	void (*free)(struct dmp_device *dev, size_t size, void *cpu_addr, dmp_addr_t dma_handle,
		     unsigned long attrs);
	int (*mmap)(struct dmp_device *dev, struct dmp_user_mapping *um, void *cpu_addr,
		    dmp_addr_t dma_addr, size_t size, unsigned long attrs);
	int (*get_sgtable)(struct dmp_device *dev, struct dmp_sg_table *sgt, void *cpu_addr,
			   dmp_addr_t dma_addr, size_t size, unsigned long attrs);
	/* noncoherent allocations: cacheable pages, bus address in *dma_handle */
	struct dmp_page *(*alloc_pages)(struct dmp_device *dev, size_t size, dmp_addr_t *dma_handle,
					enum dmp_data_direction dir, dmp_gfp_t gfp);
	void (*free_pages)(struct dmp_device *dev, size_t size, struct dmp_page *page,
			   dmp_addr_t dma_handle, enum dmp_data_direction dir);
	/** map_phys - map [phys, +size) of platform memory; DMP_MAPPING_ERROR on failure. */
	dmp_addr_t (*map_phys)(struct dmp_device *dev, dmp_phys_t phys, size_t size,
			       enum dmp_data_direction dir, unsigned long attrs);
	void (*unmap_phys)(struct dmp_device *dev, dmp_addr_t addr, size_t size,
			   enum dmp_data_direction dir, unsigned long attrs);
	/** map_sg - returns the number of DMA segments, or a negative errno with
	 * nothing mapped (-EINVAL, -ENOMEM, -EIO). */
	int (*map_sg)(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
		      enum dmp_data_direction dir, unsigned long attrs);
	void (*unmap_sg)(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
			 enum dmp_data_direction dir, unsigned long attrs);
	dmp_addr_t (*map_resource)(struct dmp_device *dev, dmp_phys_t phys, size_t size,
				   enum dmp_data_direction dir, unsigned long attrs);
	void (*unmap_resource)(struct dmp_device *dev, dmp_addr_t addr, size_t size,
			       enum dmp_data_direction dir, unsigned long attrs);
	void (*sync_single_for_cpu)(struct dmp_device *dev, dmp_addr_t addr, size_t size,
				    enum dmp_data_direction dir);
	void (*sync_single_for_device)(struct dmp_device *dev, dmp_addr_t addr, size_t size,
				       enum dmp_data_direction dir);
	void (*sync_sg_for_cpu)(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
				enum dmp_data_direction dir);
	void (*sync_sg_for_device)(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
				   enum dmp_data_direction dir);
	int (*dma_supported)(struct dmp_device *dev, uint64_t mask);
	size_t (*max_mapping_size)(struct dmp_device *dev);
	size_t (*opt_mapping_size)(void);
	bool (*need_sync)(struct dmp_device *dev, dmp_addr_t addr);
	uint64_t (*get_required_mask)(struct dmp_device *dev);
};

/*
 * The direct path's building blocks, for other implementations (the IOMMU
 * path reuses the allocator and the bounce logic).
 */

/** dmp_phys_to_dma - CPU to bus address through dma-ranges; DMP_MAPPING_ERROR if none covers it. */
DMP_API dmp_addr_t dmp_phys_to_dma(const struct dmp_device *dev, dmp_phys_t phys);
/** dmp_dma_to_phys - bus to CPU address; -ERANGE if no range covers it. */
DMP_API int dmp_dma_to_phys(const struct dmp_device *dev, dmp_addr_t addr, dmp_phys_t *phys);
/**
 * dmp_dma_capable - can the device reach [addr, addr + size) directly:
 * below its mask and its bus limit (Linux's dma_capable()).
 */
DMP_API bool dmp_dma_capable(const struct dmp_device *dev, dmp_addr_t addr, size_t size);
/** dmp_dev_swiotlb - the bounce pool @dev uses, or NULL. */
DMP_API struct dmp_swiotlb_pool *dmp_dev_swiotlb(const struct dmp_device *dev);

DMP_API extern const struct dmp_dma_map_ops dmp_direct_ops;

DMP_END_DECLS

#endif /* DMAPORT_DMA_MAP_OPS_H */
