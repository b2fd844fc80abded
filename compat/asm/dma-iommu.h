/* SPDX-License-Identifier: MIT */
/*
 * <asm/dma-iommu.h> for dmaport's Linux-compat layer: ARM's glue between the
 * DMA API and the IOMMU API (arch/arm/mm/dma-mapping.c), which the talk's
 * era needed ("someone must create the ARM mapping and attach devices"):
 *
 *   mapping = arm_iommu_create_mapping(&platform_bus_type, base, size);
 *   arm_iommu_attach_device(dev, mapping);   dev's DMA API now maps through
 *   ...                                      the mapping's IOMMU domain, at
 *   arm_iommu_detach_device(dev);            IOVAs inside [base, base + size)
 *   arm_iommu_release_mapping(mapping);
 *
 * A mapping is one of dmaport's DMA domains with the mapping's IOVA window
 * (dmp_iommu_dma_domain_alloc(): IOVAs from dmaport's IOVA allocator inside
 * the window, the IOMMU's page table, the DMA API's cache maintenance and
 * bounce rules) rather than ARM's bitmap allocator; the IOMMU is that of the
 * first device on @bus that has one, as Linux's iommu_domain_alloc(bus).
 * Attaching needs a device alone in its IOMMU group whose group uses its
 * default domain; detaching gives its DMA API back to that default domain.
 * Mappings made in one domain must be unmapped before a switch (as Linux).
 *
 * Linux before 3.15 took an order argument (IOVAs allocated in blocks of
 * 2^order pages): accepted and not used, allocations are page-granular.
 * The mapping's own fields are Linux's names for what drivers read (domain,
 * base, size); ARM's bitmaps are absent.
 */
#ifndef DMP_COMPAT_ASM_DMA_IOMMU_H
#define DMP_COMPAT_ASM_DMA_IOMMU_H

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct dma_iommu_mapping {
	struct iommu_domain *domain; /* a DMA domain with the window below */
	dma_addr_t base;
	u64 size;
	spinlock_t lock;
	struct kref kref;
	struct list_head dmp_node; /* the runtime's list, to free what drivers leave */
};

struct dma_iommu_mapping *dmp_lx_arm_iommu_create_mapping(const struct bus_type *bus,
							  dma_addr_t base, u64 size);
#if DMP_LINUX_VERSION < KERNEL_VERSION(3, 15, 0)
#define arm_iommu_create_mapping(bus, base, size, order)                                  \
	dmp_lx_arm_iommu_create_mapping((bus), (base), (size) + 0 * (order))
#else
/**
 * arm_iommu_create_mapping - a mapping whose IOVAs lie in [@base, +@size), or
 * ERR_PTR(-EINVAL) (empty window, outside what the IOMMU translates),
 * ERR_PTR(-ENODEV) (no device on @bus is behind an IOMMU), ERR_PTR(-ENOMEM).
 */
#define arm_iommu_create_mapping(bus, base, size)                                         \
	dmp_lx_arm_iommu_create_mapping((bus), (base), (size))
#endif

/** arm_iommu_release_mapping - drop the creator's reference (the last frees it). */
void arm_iommu_release_mapping(struct dma_iommu_mapping *mapping);

/**
 * arm_iommu_attach_device - @dev's DMA API maps through @mapping from now on;
 * takes a reference to @mapping.  0, -EINVAL (another IOMMU, a shared
 * group), -EBUSY (the group is attached to another domain), -ENODEV (no
 * IOMMU translates @dev).
 */
int arm_iommu_attach_device(struct device *dev, struct dma_iommu_mapping *mapping);

/** arm_iommu_detach_device - back to the default domain; drops the reference. */
void arm_iommu_detach_device(struct device *dev);

/** to_dma_iommu_mapping - the mapping @dev is attached to, or NULL. */
static inline struct dma_iommu_mapping *to_dma_iommu_mapping(struct device *dev)
{
	return dev->archdata.mapping;
}

#endif /* DMP_COMPAT_ASM_DMA_IOMMU_H */
