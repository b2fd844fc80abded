/* SPDX-License-Identifier: MIT */
/*
 * <linux/iommu.h> for dmaport's Linux-compat layer: the IOMMU API for
 * drivers that manage their own I/O address space (dmaport/iommu.h
 * documents each call).  Devices that only use the DMA API never need it.
 *
 * struct iommu_domain and struct iommu_domain_geometry ARE dmaport's
 * structs under Linux's names (tag macros, as struct scatterlist): the
 * fields drivers read have Linux's names (type, pgsize_bitmap,
 * geometry.aperture_start/aperture_end/force_aperture).  The domain types
 * are compared, never stored, by drivers: their values are dmaport's.
 *
 * Differences from Linux, all deliberate:
 *   iommu_paging_domain_alloc() returns ERR_PTR(-ENODEV / -ENOMEM), as
 *                       Linux 6.11+.
 *   iommu_map_sg()      returns long (Linux: ssize_t, the same type on LP64
 *                       Linux hosts): bytes mapped or a negative errno.
 *   iommu_iova_to_phys() returns 0 when nothing is mapped, as Linux's.
 *   iommu_set_fault_handler() takes Linux's handler type (struct device *,
 *                       unsigned long iova); dmaport calls it through a
 *                       small adapter allocated with kmalloc and freed by
 *                       iommu_domain_free() or the next
 *                       iommu_set_fault_handler() (from any source file).  The device given to the
 *                       handler is the struct device around the faulting
 *                       dmp_device: only devices created as struct device
 *                       (everything a compat driver owns) may fault into a
 *                       Linux-style handler.
 * Linux versions: iommu_map/iommu_map_sg without gfp before 6.3, and
 * iommu_domain_alloc(bus) / iommu_present(bus) before 6.13 (DMP_LINUX_VERSION).
 * Absent: reserved regions (Linux's take a struct list_head list), iommu
 * groups (iommu_group_get, iommu_group_id), SVA/PASID, dirty tracking, the
 * driver-side struct iommu_ops: an IOMMU hardware driver is written against
 * <dmaport/iommu-driver.h>.
 */
#ifndef DMP_COMPAT_LINUX_IOMMU_H
#define DMP_COMPAT_LINUX_IOMMU_H

#include <dmaport/iommu.h>

#include <linux/kconfig.h>
#include <linux/types.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#define iommu_domain dmp_iommu_domain
#define iommu_domain_geometry dmp_iommu_domain_geometry

/* Protection flags (Linux's values). */
#define IOMMU_READ DMP_IOMMU_READ
#define IOMMU_WRITE DMP_IOMMU_WRITE
#define IOMMU_CACHE DMP_IOMMU_CACHE
#define IOMMU_NOEXEC DMP_IOMMU_NOEXEC
#define IOMMU_MMIO DMP_IOMMU_MMIO
#define IOMMU_PRIV DMP_IOMMU_PRIV

/* Fault flags given to a fault handler. */
#define IOMMU_FAULT_READ DMP_IOMMU_FAULT_READ
#define IOMMU_FAULT_WRITE DMP_IOMMU_FAULT_WRITE

#define IOMMU_DOMAIN_BLOCKED DMP_IOMMU_DOMAIN_BLOCKED
#define IOMMU_DOMAIN_IDENTITY DMP_IOMMU_DOMAIN_IDENTITY
#define IOMMU_DOMAIN_UNMANAGED DMP_IOMMU_DOMAIN_UNMANAGED
#define IOMMU_DOMAIN_DMA DMP_IOMMU_DOMAIN_DMA
#define IOMMU_DOMAIN_DMA_FQ DMP_IOMMU_DOMAIN_DMA_FQ

typedef int (*iommu_fault_handler_t)(struct iommu_domain *domain, struct device *dev,
				     unsigned long iova, int flags, void *token);

/**
 * iommu_paging_domain_alloc - a new unmanaged paging domain for the IOMMU
 * that translates @dev.  Returns it, or ERR_PTR(-ENODEV) (no IOMMU
 * translates @dev) / ERR_PTR(-ENOMEM).  May block.
 */
static inline struct iommu_domain *iommu_paging_domain_alloc(struct device *dev)
{
	struct dmp_iommu_domain *domain;
	int err = dmp_iommu_paging_domain_alloc(dmp__lx_dev(dev), &domain);
	return err ? (struct iommu_domain *)ERR_PTR(err) : domain;
}

/*
 * The adapter between dmaport's fault handler and a Linux-style one.  It is
 * recognised by its contents, not by the trampoline's address (a static
 * inline function has one address per source file): a kmalloc object that
 * points to itself and carries the magic.
 */
#define DMP__LX_FAULT_MAGIC 0x6c78666c74616470ull
struct dmp__lx_fault_adapter {
	uint64_t magic;
	struct dmp__lx_fault_adapter *self;
	iommu_fault_handler_t handler;
	void *token;
};

static inline struct dmp__lx_fault_adapter *dmp__lx_fault_adapter_of(struct iommu_domain *domain)
{
	struct dmp__lx_fault_adapter *a = domain->handler_token;
	if (!domain->handler || !a || dmp_ksize(a) < sizeof(*a))
		return NULL;
	return a->magic == DMP__LX_FAULT_MAGIC && a->self == a ? a : NULL;
}

static inline int dmp__lx_fault_trampoline(struct dmp_iommu_domain *domain, struct dmp_device *dev,
					   dmp_addr_t iova, int flags, void *token)
{
	struct dmp__lx_fault_adapter *a = token;
	/* struct device begins with its dmp_device (see <linux/device.h>) */
	struct device *ldev = dev ? container_of(dev, struct device, dmp) : NULL;
	return a->handler(domain, ldev, (unsigned long)iova, flags, a->token);
}

static inline void dmp__lx_fault_adapter_free(struct iommu_domain *domain)
{
	struct dmp__lx_fault_adapter *a = dmp__lx_fault_adapter_of(domain);
	if (a) {
		dmp_iommu_set_fault_handler(domain, NULL, NULL);
		a->magic = 0;
		kfree(a);
	}
}

#if DMP_LINUX_VERSION < KERNEL_VERSION(6, 13, 0)
/**
 * iommu_domain_alloc - a new unmanaged paging domain for the IOMMU of @bus's
 * devices (Linux before 6.13; Linux 6.x takes the IOMMU of the first device
 * on the bus that has one, as here), or NULL: no device on @bus is behind an
 * IOMMU, or no memory.  Linux 3.x's took a struct bus_type *: either
 * pointer type is accepted.
 */
struct iommu_domain *iommu_domain_alloc(const struct bus_type *bus);
/** iommu_present - true if some device on @bus is behind an IOMMU. */
bool iommu_present(const struct bus_type *bus);
#endif

/** iommu_domain_free - free a domain no device is attached to. */
static inline void iommu_domain_free(struct iommu_domain *domain)
{
	dmp__lx_fault_adapter_free(domain);
	dmp_iommu_domain_free(domain);
}

/** iommu_attach_device - 0, -EINVAL (not alone in its group), -EBUSY, -ENODEV. */
static inline int iommu_attach_device(struct iommu_domain *domain, struct device *dev)
{
	return dmp_iommu_attach_device(domain, dmp__lx_dev(dev));
}

/** iommu_detach_device - back to the group's default domain. */
static inline void iommu_detach_device(struct iommu_domain *domain, struct device *dev)
{
	dmp_iommu_detach_device(domain, dmp__lx_dev(dev));
}

static inline struct iommu_domain *iommu_get_domain_for_dev(struct device *dev)
{
	return dmp_iommu_get_domain_for_dev(dmp__lx_dev(dev));
}

/**
 * iommu_map - 0, -EINVAL, -EEXIST, -ENOMEM, -ERANGE (see dmp_iommu_map).
 * Before Linux 6.3 it took no gfp (GFP_KERNEL), nor did iommu_map_sg.
 */
#if DMP_LINUX_VERSION >= KERNEL_VERSION(6, 3, 0)
static inline int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
			    size_t size, int prot, gfp_t gfp)
{
	return dmp_iommu_map(domain, iova, paddr, size, prot, gfp);
}
#else
static inline int iommu_map(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
			    size_t size, int prot)
{
	return dmp_iommu_map(domain, iova, paddr, size, prot, GFP_KERNEL);
}
#endif

/** iommu_unmap - the bytes unmapped (0: nothing there, or misaligned). */
static inline size_t iommu_unmap(struct iommu_domain *domain, unsigned long iova, size_t size)
{
	return dmp_iommu_unmap(domain, iova, size);
}

/** iommu_map_sg - the bytes mapped, or a negative errno with nothing left mapped. */
#if DMP_LINUX_VERSION >= KERNEL_VERSION(6, 3, 0)
static inline long iommu_map_sg(struct iommu_domain *domain, unsigned long iova,
				struct scatterlist *sg, unsigned int nents, int prot, gfp_t gfp)
{
	return dmp_iommu_map_sg(domain, iova, sg, nents, prot, gfp);
}
#else
/* before 6.3: no gfp, and the bytes mapped as size_t, 0 on failure */
static inline size_t iommu_map_sg(struct iommu_domain *domain, unsigned long iova,
				  struct scatterlist *sg, unsigned int nents, int prot)
{
	long n = dmp_iommu_map_sg(domain, iova, sg, nents, prot, GFP_KERNEL);
	return n < 0 ? 0 : (size_t)n;
}
#endif

/** iommu_iova_to_phys - what @iova translates to, 0 if nothing is mapped. */
static inline phys_addr_t iommu_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	dmp_phys_t phys;
	return dmp_iommu_iova_to_phys(domain, iova, &phys) == 0 ? phys : 0;
}

/**
 * iommu_set_fault_handler - call @handler(domain, dev, iova, flags, @token)
 * for faults in @domain; return 0 from it if handled, else -ENOSYS.  NULL
 * removes the handler.  With no memory for the adapter the handler is not
 * installed and a WARNING is printed.
 */
static inline void iommu_set_fault_handler(struct iommu_domain *domain,
					   iommu_fault_handler_t handler, void *token)
{
	dmp__lx_fault_adapter_free(domain);
	if (!handler) {
		dmp_iommu_set_fault_handler(domain, NULL, NULL);
		return;
	}
	struct dmp__lx_fault_adapter *a = kmalloc(sizeof(*a), GFP_KERNEL);
	if (WARN_ON(!a))
		return;
	a->magic = DMP__LX_FAULT_MAGIC;
	a->self = a;
	a->handler = handler;
	a->token = token;
	dmp_iommu_set_fault_handler(domain, dmp__lx_fault_trampoline, a);
}

#endif /* DMP_COMPAT_LINUX_IOMMU_H */
