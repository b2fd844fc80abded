/* SPDX-License-Identifier: MIT */
/*
 * <linux/dma-map-ops.h> for dmaport's Linux-compat layer.
 *
 * Linux's header is for the code that implements DMA mapping (struct
 * dma_map_ops, arch hooks); a mapping implementation for dmaport is written
 * against <dmaport/dma-map-ops.h> (struct dmp_dma_map_ops, dmaport's types),
 * so struct dma_map_ops, get_dma_ops/set_dma_ops and the arch_* hooks are
 * absent here.  What drivers use from it is present.
 */
#ifndef DMP_COMPAT_LINUX_DMA_MAP_OPS_H
#define DMP_COMPAT_LINUX_DMA_MAP_OPS_H

#include <linux/dma-mapping.h>

/** dev_is_dma_coherent - true if @dev snoops the CPU caches (no maintenance). */
static inline bool dev_is_dma_coherent(struct device *dev)
{
	return dev->dmp.dma_coherent;
}

#endif /* DMP_COMPAT_LINUX_DMA_MAP_OPS_H */
