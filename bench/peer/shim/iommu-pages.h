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
#endif
