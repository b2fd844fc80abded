/* SPDX-License-Identifier: MIT */
/* dma-internal.h - shared by the dma-mapping layer.  Not installed. */
#ifndef DMP_DMA_INTERNAL_H
#define DMP_DMA_INTERNAL_H

#include <dmaport/dma-map-ops.h>
#include <dmaport/scatterlist.h>
#include <dmaport/swiotlb.h>

#include <dmaport/debug.h>

#include "../internal.h"

/* report.c: the call site of the API call in progress on this thread, for
 * reports made by the implementations below the entry points */
extern DMP_TLS const char *dmp__site_file;
extern DMP_TLS int dmp__site_line;
/* debug.c: the checker reported a finding since the call began */
extern DMP_TLS bool dmp__dbg_reported_in_call;
static inline void dmp__set_site(const char *file, int line)
{
	dmp__site_file = file;
	dmp__site_line = line;
	dmp__dbg_reported_in_call = false;
}

/* report.c */
/*
 * dmp__dma_report - log a failure the caller may have a fallback for (an
 * allocation, a bounce buffer, IOVA space): not a finding of the checker.
 * @file NULL: the site of the API call in progress on this thread.
 */
void dmp__dma_report(const struct dmp_device *dev, unsigned long attrs, const char *file,
			     int line, const char *fmt, ...) DMP_PRINTF(5, 6);
/*
 * dmp__dma_misuse - a call refused (or ignored) because the caller misused
 * the API: a finding of @kind when the checker is on for @dev (unless the
 * checker already reported a finding during this call: one misuse, one
 * finding), else a log line.  @file NULL as above.  @fix: what the caller
 * should do instead, for this very misuse, in Linux's names (the finding
 * turns them into dmaport's for a native driver); NULL: the fix of @kind,
 * for a site whose misuse is what the kind says.
 */
void dmp__dma_misuse(const struct dmp_device *dev, enum dmp_debug_kind kind, const char *file,
		     int line, const char *fix, const char *fmt, ...) DMP_PRINTF(6, 7);
/* dmp__dma_misuse() fixes of refusals more than one call makes */
#define DMP__FIX_NO_DEVICE "pass the device doing the DMA (the one the driver was probed with)"
#define DMP__FIX_ATTRS "pass only DMA_ATTR_* flags"
#define DMP__FIX_HANDLE "pass a dma_addr_t * for the bus address of the allocation"
#define DMP__FIX_SG_ENTRY                                                                      \
	"fill every entry before mapping: a page, a length above 0, offset + length within "   \
	"the page's memory (sg_set_page())"
/* For dmp__dma_misuse: a call that has no call site (no __FILE__/__LINE__). */
extern const char dmp__no_site[];
#define DMP__NO_SITE dmp__no_site

/* debug.c: report misuse @what as a finding, with @fix as above; false if
 * the checker is off for @dev */
bool dmp__debug_misuse(const struct dmp_device *dev, enum dmp_debug_kind kind, const char *file,
		       int line, const char *fix, const char *what);

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

/*
 * dmp__mmap_window - the pages of a coherent buffer of @size bytes that @um
 * asks to map: [pgoff, +um->size) rounded out to pages, or everything from
 * pgoff when um->size is 0.  Returns 0 with *@first (page index in the
 * buffer) and *@count set, or -ENXIO when the window is empty or does not
 * lie inside the buffer (Linux's dma_direct_mmap() and
 * __dma_mmap_from_coherent() checks).  No arithmetic wraps, whatever the
 * sizes: a window near SIZE_MAX is refused, not rounded to nothing.
 */
static inline int dmp__mmap_window(size_t size, const struct dmp_user_mapping *um, size_t *first,
				   size_t *count)
{
	size_t pages = (size >> DMP_PAGE_SHIFT) + ((size & (DMP_PAGE_SIZE - 1)) != 0);
	if (um->pgoff >= pages)
		return -ENXIO;
	size_t avail = pages - um->pgoff;
	size_t want = um->size ? (um->size >> DMP_PAGE_SHIFT) +
					 ((um->size & (DMP_PAGE_SIZE - 1)) != 0)
			       : avail;
	if (!want || want > avail)
		return -ENXIO;
	*first = um->pgoff;
	*count = want;
	return 0;
}

/* dma-iommu.c: the IOMMU ops' map_phys and unmap_phys (dmp_iommu_dma_ops),
 * which mapping.c's fast paths call directly, after the same checks as
 * its general path */
dmp_addr_t dmp__iommu_map_phys(struct dmp_device *dev, dmp_phys_t phys, size_t size,
			       enum dmp_data_direction dir, unsigned long attrs);
void dmp__iommu_unmap_phys(struct dmp_device *dev, dmp_addr_t addr, size_t size,
			   enum dmp_data_direction dir, unsigned long attrs);

/* direct.c */
/*
 * dmp__mmap_phys - map into user space the window @um asks of a coherent
 * buffer of @size bytes at @phys (page aligned): dmp__mmap_window(), then
 * the platform's user_map.  Returns 0 with um->addr, fd, offset and size
 * set; -ENXIO (the window), -EOPNOTSUPP (no user space), or the platform's
 * error.  Every mmap implementation ends here (direct, declared memory,
 * IOMMU).
 */
int dmp__mmap_phys(struct dmp_user_mapping *um, dmp_phys_t phys, size_t size);
/* dmp__sgtable_one - @sgt as the one entry of a coherent buffer of @size
 * bytes at @phys (Linux's dma_common_get_sgtable).  0 or -ENOMEM. */
int dmp__sgtable_one(struct dmp_sg_table *sgt, dmp_phys_t phys, size_t size);
bool dmp__direct_supported(struct dmp_device *dev, uint64_t mask);
bool dmp__direct_all_ram_mapped(const struct dmp_device *dev);
/* Linux's dma_coherent_ok(): [@phys, +@size) has bus addresses (dma-ranges)
 * that @dev's coherent mask and bus limit reach. */
bool dmp__coherent_ok(const struct dmp_device *dev, dmp_phys_t phys, size_t size);

#endif /* DMP_DMA_INTERNAL_H */
