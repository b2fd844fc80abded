/* SPDX-License-Identifier: MIT */
/* iommu-pages.h for the peer benchmark: page-table pages are zeroed,
 * naturally aligned aligned_alloc() memory (the kernel takes them from the
 * page allocator, zeroed). */
#ifndef PEER_IOMMU_PAGES_H
#define PEER_IOMMU_PAGES_H
#include <peer-kernel.h>

static inline void *iommu_alloc_pages_node(int nid, gfp_t gfp, int order)
{
	size_t size = PAGE_SIZE << order;
	void *p = aligned_alloc(size, size);
	if (p)
		memset(p, 0, size);
	return p;
}

static inline void iommu_free_pages(void *virt, int order)
{
	free(virt);
}
/* The pages an unmap freed, for the caller to free after the TLB flush:
 * io-pgtable-arm.c frees its tables itself and never adds one to the
 * gather's list, so the list is empty here (a page on it would be a change
 * in Linux this stand-in does not follow: stop). */
static inline void iommu_put_pages_list(struct list_head *page)
{
	if (!list_empty(page))
		abort();
}
#endif
