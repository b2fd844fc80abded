/* SPDX-License-Identifier: MIT */
/* dma-internal.h - shared by the dma-mapping layer.  Not installed. */
#ifndef DMP_DMA_INTERNAL_H
#define DMP_DMA_INTERNAL_H

#include <dmaport/dma-map-ops.h>
#include <dmaport/scatterlist.h>
#include <dmaport/swiotlb.h>

#include "../internal.h"

/* report.c: the call site of the API call in progress on this thread, for
 * reports made by the implementations below the entry points */
extern DMP_TLS const char *dmp__site_file;
extern DMP_TLS int dmp__site_line;
static inline void dmp__set_site(const char *file, int line)
{
	dmp__site_file = file;
	dmp__site_line = line;
}

/* report.c */
void dmp__dma_report(const struct dmp_device *dev, unsigned long attrs, const char *file,
			     int line, const char *fmt, ...) DMP__PRINTF(5, 6);

static inline const char *dmp__dir_name(enum dmp_data_direction dir)
{
	switch (dir) {
	case DMP_BIDIRECTIONAL: return "DMA_BIDIRECTIONAL";
	case DMP_TO_DEVICE: return "DMA_TO_DEVICE";
	case DMP_FROM_DEVICE: return "DMA_FROM_DEVICE";
	case DMP_NONE: return "DMA_NONE";
	}
	return "invalid direction";
}

/* direct.c */
bool dmp__direct_supported(struct dmp_device *dev, uint64_t mask);
bool dmp__direct_all_ram_mapped(const struct dmp_device *dev);
/* Linux's dma_coherent_ok(): [@phys, +@size) has bus addresses (dma-ranges)
 * that @dev's coherent mask and bus limit reach. */
bool dmp__coherent_ok(const struct dmp_device *dev, dmp_phys_t phys, size_t size);

#endif /* DMP_DMA_INTERNAL_H */
