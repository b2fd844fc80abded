/* SPDX-License-Identifier: MIT */
/* dmaport/dma-direction.h - directions of a DMA transfer (Linux's values). Callers' header. */
#ifndef DMAPORT_DMA_DIRECTION_H
#define DMAPORT_DMA_DIRECTION_H

enum dmp_data_direction {
	DMP_BIDIRECTIONAL = 0, /* the device may read and write */
	DMP_TO_DEVICE = 1,     /* the device reads: the CPU wrote the data */
	DMP_FROM_DEVICE = 2,   /* the device writes: the CPU reads the result */
	DMP_NONE = 3,          /* for debugging; never valid for a mapping */
};

/** dmp_valid_direction - true for the three directions a mapping may have. */
static inline int dmp_valid_direction(enum dmp_data_direction dir)
{
	return dir == DMP_BIDIRECTIONAL || dir == DMP_TO_DEVICE || dir == DMP_FROM_DEVICE;
}

#endif /* DMAPORT_DMA_DIRECTION_H */
