/* SPDX-License-Identifier: MIT */
/*
 * iommu-internal.h - between the IOMMU core (iommu.c) and the DMA API over
 * it (dma-iommu.c).  Not installed, not exported from libdmaport.so.
 */
#ifndef DMP_IOMMU_INTERNAL_H
#define DMP_IOMMU_INTERNAL_H

#include <dmaport/iommu-driver.h>

/* iommu.c */
#define DMP__GROUP_MAX_DEVICES 8

/*
 * An IOMMU group: iommu.c's, here so that the DMA API over it reads
 * dma_domain inline on every map and unmap (dmp__iommu_dma_domain()).
 * Written under iommu.c's core_lock.
 */
struct dmp_iommu_group {
	int id;
	uint64_t key;
	struct dmp_iommu *iommu;
	struct dmp_device *devices[DMP__GROUP_MAX_DEVICES];
	unsigned int nr_devices;
	struct dmp_iommu_domain *default_domain;
	struct dmp_iommu_domain *domain;     /* attached now */
	struct dmp_iommu_domain *dma_domain; /* the DMA API's: see below */
	struct dmp_iommu_group *next;
};

/** dmp__iommu_default_domain - @dev's group's default domain (the DMA API's). */
struct dmp_iommu_domain *dmp__iommu_default_domain(const struct dmp_device *dev);
/**
 * dmp__iommu_dma_domain - the domain @dev's DMA API maps through: a
 * DMA-window domain it is attached to (dmp_iommu_dma_domain_alloc), else
 * its group's default domain.  @dev is behind an IOMMU.
 */
static inline struct dmp_iommu_domain *dmp__iommu_dma_domain(const struct dmp_device *dev)
{
	return dmp_dev_iommu(dev)->group->dma_domain;
}

/** The unmap used by the DMA path: no IOTLB sync (the caller syncs or defers). */
size_t dmp__iommu_unmap_fast(struct dmp_iommu_domain *domain, dmp_addr_t iova, size_t size,
			     struct dmp_iommu_iotlb_gather *gather);
void dmp__iommu_iotlb_sync(struct dmp_iommu_domain *domain, struct dmp_iommu_iotlb_gather *gather);
void dmp__iommu_flush_all(struct dmp_iommu_domain *domain);

/* dma-iommu.c */
int dmp__iommu_dma_cookie_init(struct dmp_iommu_domain *domain, struct dmp_device *dev);
void dmp__iommu_dma_cookie_free(struct dmp_iommu_domain *domain);

#endif /* DMP_IOMMU_INTERNAL_H */
