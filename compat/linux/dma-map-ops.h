/* SPDX-License-Identifier: MIT */
/*
 * <linux/dma-map-ops.h> for dmaport's Linux-compat layer.
 *
 * Linux's header is for the code that implements DMA mapping (struct
 * dma_map_ops, arch hooks); a mapping implementation for dmaport is written
 * against <dmaport/dma-map-ops.h> (struct dmp_dma_map_ops, dmaport's types),
 * so struct dma_map_ops is only declared (set_dma_ops takes NULL alone,
 * get_dma_ops is NULL: see below) and the arch_* hooks are absent.  What
 * drivers and platform code use from it is present: dev_is_dma_coherent,
 * dma_declare_coherent_memory, and the CMA calls.
 */
#ifndef DMP_COMPAT_LINUX_DMA_MAP_OPS_H
#define DMP_COMPAT_LINUX_DMA_MAP_OPS_H

#include <dmaport/coherent.h>

#include <linux/cma.h>
#include <linux/dma-contiguous.h>
#include <linux/dma-mapping.h>

/** dev_is_dma_coherent - true if @dev snoops the CPU caches (no maintenance). */
static inline bool dev_is_dma_coherent(struct device *dev)
{
	return dev->dmp.dma_coherent;
}

/* dma_declare_coherent_memory: in <linux/dma-mapping.h>, by version. */

/**
 * dma_alloc_from_contiguous - @count pages from @dev's CMA area, aligned to
 * 2^@align pages (capped, as Linux's CONFIG_CMA_ALIGNMENT).  NULL if none.
 */
static inline struct page *dma_alloc_from_contiguous(struct device *dev, size_t count,
						     unsigned int align, bool no_warn)
{
	if (align > DMP_CMA_ALIGN_ORDER_MAX)
		align = DMP_CMA_ALIGN_ORDER_MAX;
	return cma_alloc(dev_get_cma_area(dev), count, align, no_warn);
}

/** dma_release_from_contiguous - false if @pages is not @dev's CMA memory. */
static inline bool dma_release_from_contiguous(struct device *dev, struct page *pages, int count)
{
	return cma_release(dev_get_cma_area(dev), pages, (unsigned long)count);
}

/*
 * set_dma_ops / get_dma_ops: a device's mapping implementation is chosen by
 * the platform (direct, swiotlb, IOMMU); drivers that reset it to NULL (the
 * direct path, as dmapool_test does for its own device) are honoured only
 * that way.  A real ops table cannot be installed from Linux code: it is
 * written against <dmaport/dma-map-ops.h>.
 */
struct dma_map_ops;
static inline void set_dma_ops(struct device *dev, const struct dma_map_ops *ops)
{
	WARN_ON(ops != NULL);
	(void)dev;
}
#define get_dma_ops(dev) ((const struct dma_map_ops *)NULL)

#endif /* DMP_COMPAT_LINUX_DMA_MAP_OPS_H */
