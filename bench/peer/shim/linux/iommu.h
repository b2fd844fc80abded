/* SPDX-License-Identifier: MIT */
/* linux/iommu.h for the peer benchmark: the protection flags, the gather and
 * dirty-bitmap types io-pgtable refers to (values from the kernel's
 * documented interface). */
#ifndef PEER_LINUX_IOMMU_H
#define PEER_LINUX_IOMMU_H
#include <peer-kernel.h>

#define IOMMU_READ (1 << 0)
#define IOMMU_WRITE (1 << 1)
#define IOMMU_CACHE (1 << 2)
#define IOMMU_NOEXEC (1 << 3)
#define IOMMU_MMIO (1 << 4)
#define IOMMU_PRIV (1 << 5)
#define IOMMU_DIRTY_NO_CLEAR (1 << 0)

struct iommu_iotlb_gather {
	unsigned long start, end;
	size_t pgsize;
	struct list_head freelist;
	bool queued;
};

static inline bool iommu_iotlb_gather_queued(struct iommu_iotlb_gather *gather)
{
	return gather && gather->queued;
}

struct iova_bitmap;
struct iommu_dirty_bitmap {
	struct iova_bitmap *bitmap;
	struct iommu_iotlb_gather *gather;
};

static inline void iommu_dirty_bitmap_record(struct iommu_dirty_bitmap *dirty, unsigned long iova,
					     unsigned long length)
{
}

#endif
