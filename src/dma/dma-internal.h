/* SPDX-License-Identifier: MIT */
/* dma-internal.h - shared by the dma-mapping layer.  Not installed. */
#ifndef DMP_DMA_INTERNAL_H
#define DMP_DMA_INTERNAL_H

#include <dmaport/dma-direction.h>

#include "../internal.h"

/* arch-sync.c: cache maintenance for non-coherent devices. */
DMP_API void dmp__arch_sync_for_device(dmp_phys_t phys, const void *va, size_t size,
				       enum dmp_data_direction dir);
DMP_API void dmp__arch_sync_for_cpu(dmp_phys_t phys, const void *va, size_t size,
				    enum dmp_data_direction dir);
DMP_API void dmp__arch_prep_coherent(dmp_phys_t phys, const void *va, size_t size);

#endif /* DMP_DMA_INTERNAL_H */
