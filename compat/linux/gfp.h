/* SPDX-License-Identifier: MIT */
/*
 * <linux/gfp.h> for dmaport's Linux-compat layer: allocation flags and the
 * page allocator on the platform's (simulated) memory.
 *
 * GFP_KERNEL      may block (dmaport's allocators never do).
 * GFP_ATOMIC      must not block: DMA allocations come from the atomic pool.
 * GFP_NOWAIT      the same as GFP_ATOMIC here (neither blocks).
 * __GFP_ZERO      zero the memory.
 * __GFP_NOWARN    don't report a failure.
 * GFP_DMA32       memory below 4 GiB (the page allocator honours it).
 * GFP_DMA (ZONE_DMA) is absent: dmaport has no such zone; DMA allocations
 * derive their limit from the device's masks.
 */
#ifndef DMP_COMPAT_LINUX_GFP_H
#define DMP_COMPAT_LINUX_GFP_H

#include <dmaport/memory.h>

#include <linux/types.h>
#include <linux/mm_types.h>

#define GFP_KERNEL ((gfp_t)DMP_GFP_KERNEL)
#define GFP_ATOMIC ((gfp_t)DMP_GFP_ATOMIC)
#define GFP_NOWAIT ((gfp_t)DMP_GFP_ATOMIC)
#define __GFP_ZERO ((gfp_t)DMP_GFP_ZERO)
#define __GFP_NOWARN ((gfp_t)DMP_GFP_NOWARN)
#define __GFP_DMA32 ((gfp_t)DMP_GFP_DMA32)
#define GFP_DMA32 __GFP_DMA32

/**
 * alloc_pages - 2^@order contiguous pages (aligned to their size).
 * Returns the first page, or NULL (no memory, order too large, or failure
 * injected with dmp_fail_nth(DMP_FAIL_PAGE, ...)).
 */
static inline struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	dmp_phys_t phys;
	if (dmp_page_alloc(order, gfp, DMP_PHYS_ANY, &phys))
		return NULL;
	return dmp__lx_page_of(dmp_phys_to_page(phys));
}

static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/** __free_pages - free a block from alloc_pages() with its @order. */
static inline void __free_pages(struct page *page, unsigned int order)
{
	dmp_page_free(dmp_page_to_phys(dmp__lx_dmp_page(page)), order);
}

static inline void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

/** __get_free_pages - alloc_pages() returning the CPU address (0 on failure). */
static inline unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);
	return page ? (unsigned long)(uintptr_t)dmp_page_address(dmp__lx_dmp_page(page)) : 0;
}

static inline unsigned long __get_free_page(gfp_t gfp)
{
	return __get_free_pages(gfp, 0);
}

static inline unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/** free_pages - free a block from __get_free_pages() by address; 0 is ignored. */
static inline void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(dmp__lx_page_of(dmp_virt_to_page((void *)(uintptr_t)addr)), order);
}

static inline void free_page(unsigned long addr)
{
	free_pages(addr, 0);
}

/*
 * alloc_pages_exact - @size bytes of whole pages (the pages of the
 * power-of-two block beyond them are given back at once in Linux; here the
 * block is kept whole and freed whole by free_pages_exact).  Platform
 * memory, so mappable for DMA.
 */
static inline void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	unsigned int order = 0;
	while (((size_t)DMP_PAGE_SIZE << order) < size)
		order++;
	return (void *)__get_free_pages(gfp, order);
}
static inline void free_pages_exact(void *virt, size_t size)
{
	unsigned int order = 0;
	while (((size_t)DMP_PAGE_SIZE << order) < size)
		order++;
	free_pages((unsigned long)virt, order);
}
#define alloc_pages_exact_nid(nid, size, gfp) alloc_pages_exact((size), (gfp))
#define alloc_pages_node(nid, gfp, order) alloc_pages((gfp), (order))
#define __GFP_NORETRY ((gfp_t)0)
#define __GFP_RETRY_MAYFAIL ((gfp_t)0)
#define __GFP_NOFAIL ((gfp_t)0)
#define __GFP_COMP ((gfp_t)0)
#define __GFP_HIGHMEM ((gfp_t)0)
#define __GFP_ACCOUNT ((gfp_t)0)
#define __GFP_RECLAIM ((gfp_t)0)
#define __GFP_DIRECT_RECLAIM ((gfp_t)0)
#define __GFP_KSWAPD_RECLAIM ((gfp_t)0)
#define __GFP_IO ((gfp_t)0)
#define __GFP_FS ((gfp_t)0)
#define GFP_NOIO GFP_KERNEL
#define GFP_NOFS GFP_KERNEL
#define GFP_USER GFP_KERNEL
#define GFP_HIGHUSER GFP_KERNEL
#define GFP_KERNEL_ACCOUNT GFP_KERNEL
#define gfpflags_allow_blocking(gfp) (((gfp) & GFP_ATOMIC) != GFP_ATOMIC)

#endif /* DMP_COMPAT_LINUX_GFP_H */
