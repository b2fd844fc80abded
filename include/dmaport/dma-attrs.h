/* SPDX-License-Identifier: MIT */
/*
 * dmaport/dma-attrs.h - the DMA attributes, defined once for the DMA API
 * (<dmaport/dma-mapping.h>) and the bounce pool (<dmaport/swiotlb.h>).
 * Callers' header; both of those include it.
 */
#ifndef DMAPORT_DMA_ATTRS_H
#define DMAPORT_DMA_ATTRS_H

/*
 * Attributes (Linux's DMA_ATTR_*, same values; Documentation/core-api/
 * dma-attributes.rst).
 *
 * WEAK_ORDERING    the device may reorder its writes to the buffer (a PCIe
 *                  relaxed-ordering hint): no effect on these platforms.
 * WRITE_COMBINE    coherent allocations on a non-coherent device are
 *                  write-combining rather than uncached: the CPU's stores
 *                  reach memory only at a write barrier.
 * NO_KERNEL_MAPPING the allocation has no CPU address: the returned cookie
 *                  is good only for dmp_mmap_attrs() and dmp_free_attrs().
 * SKIP_CPU_SYNC    no cache maintenance and no bounce copies on map/unmap:
 *                  the driver syncs explicitly.
 * FORCE_CONTIGUOUS physically contiguous memory (always so on the direct
 *                  path; meaningful behind an IOMMU, and served from CMA).
 * ALLOC_SINGLE_PAGES behind an IOMMU, build the buffer from single pages.
 * NO_WARN          don't report a failure the caller has a fallback for (allocation,
 *                  bounce exhaustion, a failed mapping); misuse is still reported.
 * PRIVILEGED       device accesses are privileged (an IOMMU PTE flag).
 * MMIO             dmp_map_resource()-like: the address is MMIO, never
 *                  bounced or cache-maintained.
 * DEBUGGING_IGNORE_CACHELINES  mappings that share cache lines on purpose:
 *                  the checker does not report the overlap.
 * REQUIRE_COHERENT fail (DMP_MAPPING_ERROR) where a bounce or cache
 *                  maintenance would be needed.
 */
#define DMP_ATTR_WEAK_ORDERING (1UL << 1)
#define DMP_ATTR_WRITE_COMBINE (1UL << 2)
#define DMP_ATTR_NO_KERNEL_MAPPING (1UL << 4)
#define DMP_ATTR_SKIP_CPU_SYNC (1UL << 5)
#define DMP_ATTR_FORCE_CONTIGUOUS (1UL << 6)
#define DMP_ATTR_ALLOC_SINGLE_PAGES (1UL << 7)
#define DMP_ATTR_NO_WARN (1UL << 8)
#define DMP_ATTR_PRIVILEGED (1UL << 9)
#define DMP_ATTR_MMIO (1UL << 10)
#define DMP_ATTR_DEBUGGING_IGNORE_CACHELINES (1UL << 11)
#define DMP_ATTR_REQUIRE_COHERENT (1UL << 12)
/** Every attribute dmaport knows; others are rejected. */
#define DMP_ATTR_ALL                                                                          \
	(DMP_ATTR_WEAK_ORDERING | DMP_ATTR_WRITE_COMBINE | DMP_ATTR_NO_KERNEL_MAPPING |       \
	 DMP_ATTR_SKIP_CPU_SYNC | DMP_ATTR_FORCE_CONTIGUOUS | DMP_ATTR_ALLOC_SINGLE_PAGES |   \
	 DMP_ATTR_NO_WARN | DMP_ATTR_PRIVILEGED | DMP_ATTR_MMIO |                             \
	 DMP_ATTR_DEBUGGING_IGNORE_CACHELINES | DMP_ATTR_REQUIRE_COHERENT)

#endif /* DMAPORT_DMA_ATTRS_H */
