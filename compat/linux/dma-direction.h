/* SPDX-License-Identifier: MIT */
/*
 * <linux/dma-direction.h> for dmaport's Linux-compat layer.
 * enum dma_data_direction is dmaport's enum dmp_data_direction (same values
 * as Linux's) under Linux's name, so a direction passes to dmaport with no
 * conversion.
 */
#ifndef DMP_COMPAT_LINUX_DMA_DIRECTION_H
#define DMP_COMPAT_LINUX_DMA_DIRECTION_H

#include <dmaport/dma-direction.h>

#define dma_data_direction dmp_data_direction
#define DMA_BIDIRECTIONAL DMP_BIDIRECTIONAL
#define DMA_TO_DEVICE DMP_TO_DEVICE
#define DMA_FROM_DEVICE DMP_FROM_DEVICE
#define DMA_NONE DMP_NONE

/* valid_dma_direction - true for the three directions a mapping may have. */
static inline int valid_dma_direction(enum dma_data_direction dir)
{
	return dmp_valid_direction(dir);
}

#endif /* DMP_COMPAT_LINUX_DMA_DIRECTION_H */
