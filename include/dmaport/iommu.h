/* SPDX-License-Identifier: MIT */
/*
 * dmaport/iommu.h - the IOMMU API (Linux's <linux/iommu.h>, dmp_ prefix,
 * Linux's semantics; Documentation/userspace-api/iommu.rst and
 * drivers/iommu/iommu.c are the reference).
 *
 * Callers' header.  A driver that manages its own I/O address space
 * allocates a paging domain, attaches its device and maps pages; devices that
 * use the DMA API get their group's default DMA domain and never see this.
 *
 * Context: map/unmap may be called from any context with DMP_GFP_ATOMIC;
 * domain allocation, attach and detach may block.
 */
#ifndef DMAPORT_IOMMU_H
#define DMAPORT_IOMMU_H

#include <dmaport/types.h>
#include <dmaport/device.h>
#include <dmaport/iommu-prot.h>

DMP_BEGIN_DECLS

struct dmp_scatterlist;
struct dmp_iommu;
struct dmp_iommu_group;
struct dmp_iommu_dma_cookie;
struct dmp_io_pgtable_ops;

/*
 * Domain types are made of property bits, as Linux's (__IOMMU_DOMAIN_*):
 * test a property (dmp_iommu_domain_is_paging(), dmp_iommu_is_dma_domain())
 * rather than listing the types that have it.
 *   DMP__IOMMU_DOMAIN_PAGING   it has page tables that map IOVAs
 *   DMP__IOMMU_DOMAIN_DMA_API  the DMA API allocates its IOVAs
 *   DMP__IOMMU_DOMAIN_PT       it passes addresses through untranslated
 *   DMP__IOMMU_DOMAIN_DMA_FQ   unmaps invalidate the IOTLB lazily (flush queue)
 */
#define DMP__IOMMU_DOMAIN_PAGING (1u << 0)
#define DMP__IOMMU_DOMAIN_DMA_API (1u << 1)
#define DMP__IOMMU_DOMAIN_PT (1u << 2)
#define DMP__IOMMU_DOMAIN_DMA_FQ (1u << 3)

enum dmp_iommu_domain_type {
	/* every access faults */
	DMP_IOMMU_DOMAIN_BLOCKED = 0,
	/* bus address = physical address */
	DMP_IOMMU_DOMAIN_IDENTITY = DMP__IOMMU_DOMAIN_PT,
	/* a driver's own address space (the API below) */
	DMP_IOMMU_DOMAIN_UNMANAGED = DMP__IOMMU_DOMAIN_PAGING,
	/* the DMA API's, strict invalidation */
	DMP_IOMMU_DOMAIN_DMA = DMP__IOMMU_DOMAIN_PAGING | DMP__IOMMU_DOMAIN_DMA_API,
	/* the DMA API's, deferred (lazy) invalidation */
	DMP_IOMMU_DOMAIN_DMA_FQ = DMP__IOMMU_DOMAIN_PAGING | DMP__IOMMU_DOMAIN_DMA_API |
				  DMP__IOMMU_DOMAIN_DMA_FQ,
};

/* Fault flags given to a fault handler. */
#define DMP_IOMMU_FAULT_READ 0x0
#define DMP_IOMMU_FAULT_WRITE 0x1
#define DMP_IOMMU_FAULT_PERM 0x2 /* a permission fault (else translation) */

struct dmp_iommu_domain;
/**
 * A fault handler: return 0 if the fault was handled, else -ENOSYS (the core
 * reports it).  Called in the context of the faulting access (an interrupt
 * on hardware): must not block.
 */
typedef int (*dmp_iommu_fault_handler_t)(struct dmp_iommu_domain *domain, struct dmp_device *dev,
					 dmp_addr_t iova, int flags, void *token);

struct dmp_iommu_domain_geometry {
	dmp_addr_t aperture_start; /* first address that can be mapped */
	dmp_addr_t aperture_end;   /* last address that can be mapped */
	bool force_aperture;       /* DMA only inside the aperture */
};

/**
 * struct dmp_iommu_domain - an I/O address space.
 * Read-only for callers: @type, @pgsize_bitmap (page sizes it maps),
 * @geometry.  The rest belongs to the core and the driver.
 */
struct dmp_iommu_domain {
	enum dmp_iommu_domain_type type;
	uint64_t pgsize_bitmap;
	struct dmp_iommu_domain_geometry geometry;
	const struct dmp_iommu_ops *ops;
	struct dmp_iommu *iommu;
	dmp_iommu_fault_handler_t handler;
	void *handler_token;
	struct dmp_iommu_dma_cookie *dma; /* the DMA API's state, DMA domains only */
	struct dmp_io_pgtable_ops *pgtbl; /* its page table, for io-pgtable's forwarders */
	void *priv;                       /* the driver's */
};

/** dmp_iommu_domain_is_paging - @domain maps IOVAs through page tables. */
static inline bool dmp_iommu_domain_is_paging(const struct dmp_iommu_domain *domain)
{
	return domain->type & DMP__IOMMU_DOMAIN_PAGING;
}

/** dmp_iommu_is_dma_domain - the DMA API owns @domain (Linux's iommu_is_dma_domain). */
static inline bool dmp_iommu_is_dma_domain(const struct dmp_iommu_domain *domain)
{
	return domain->type & DMP__IOMMU_DOMAIN_DMA_API;
}

/**
 * dmp_iommu_paging_domain_alloc - a new, empty, unmanaged paging domain for
 * the IOMMU that translates @dev.  Returns 0 with *@out set; -ENODEV (no
 * IOMMU translates @dev), -ENOMEM.  May block.
 */
DMP_API int dmp_iommu_paging_domain_alloc(struct dmp_device *dev, struct dmp_iommu_domain **out);
/**
 * dmp_iommu_dma_domain_alloc - a new paging domain, for the IOMMU that
 * translates @dev, that the DMA API allocates from: its IOVAs lie in the
 * window [@base, @base + @size) (cut to what the IOMMU translates), as
 * Linux's ARM arm_iommu_create_mapping().  Attached with
 * dmp_iommu_attach_device(), it carries the device's DMA API with it: the
 * device's mappings and coherent allocations go through this domain until
 * dmp_iommu_detach_device() hands them back to the group's default domain
 * (mappings made in one domain must be undone before the switch).  Returns 0
 * with *@out set; -ENODEV (no IOMMU translates @dev), -EINVAL (the window is
 * empty, wraps, or holds no page of the IOMMU), -ENOMEM.  May block.
 */
DMP_API int dmp_iommu_dma_domain_alloc(struct dmp_device *dev, dmp_addr_t base, uint64_t size,
				       struct dmp_iommu_domain **out);
/**
 * dmp_iommu_domain_free - free a domain no device is attached to.  A domain
 * still attached, or a group's default domain, is not freed: the call is
 * reported and changes nothing (Linux frees it and leaves the device
 * translating through freed tables).
 */
DMP_API void dmp_iommu_domain_free(struct dmp_iommu_domain *domain);

/**
 * dmp_iommu_attach_device - translate @dev's DMA through @domain.  As Linux:
 * the device must be alone in its group (-EINVAL otherwise) and on its
 * default domain (-EBUSY if another domain is attached).  @domain must be
 * the caller's own, from dmp_iommu_paging_domain_alloc() (-EINVAL for a
 * group's default domain: its group frees it, and a device attached to it
 * would then translate through freed tables).  Returns 0, -EINVAL, -EBUSY,
 * -ENODEV.
 */
DMP_API int dmp_iommu_attach_device(struct dmp_iommu_domain *domain, struct dmp_device *dev);
/** dmp_iommu_detach_device - back to the group's default domain. */
DMP_API void dmp_iommu_detach_device(struct dmp_iommu_domain *domain, struct dmp_device *dev);
/** dmp_iommu_get_domain_for_dev - the domain @dev is attached to, or NULL. */
DMP_API struct dmp_iommu_domain *dmp_iommu_get_domain_for_dev(struct dmp_device *dev);

/**
 * dmp_iommu_map - map [@paddr, +@size) at @iova with @prot (DMP_IOMMU_*).
 * @iova, @paddr and @size must be aligned to the smallest page size; the
 * core picks the largest page sizes the alignment of iova | paddr and the
 * remaining length allow.  Returns 0; -EINVAL (misaligned, size 0, not a
 * paging domain, outside the aperture); -EEXIST (something is mapped there:
 * nothing changed); -ENOMEM (a table could not be allocated: nothing
 * changed); -ERANGE (beyond the table's address sizes).
 */
DMP_API int dmp_iommu_map(struct dmp_iommu_domain *domain, dmp_addr_t iova, dmp_phys_t paddr,
			  size_t size, int prot, dmp_gfp_t gfp);
/**
 * dmp_iommu_unmap - unmap [@iova, +@size) and invalidate the IOTLB before
 * returning.  Returns the bytes unmapped (0 if nothing was mapped at @iova
 * or @iova/@size are misaligned).
 */
DMP_API size_t dmp_iommu_unmap(struct dmp_iommu_domain *domain, dmp_addr_t iova, size_t size);
/**
 * dmp_iommu_map_sg - map the entries of @sg one after another from @iova.
 * Returns the bytes mapped, or a negative errno with nothing left mapped:
 * -EINVAL also when the list has fewer than @nents entries or one is not
 * platform memory (checked before anything is mapped), or what
 * dmp_iommu_map() returns.
 */
DMP_API long dmp_iommu_map_sg(struct dmp_iommu_domain *domain, dmp_addr_t iova,
			      struct dmp_scatterlist *sg, unsigned int nents, int prot,
			      dmp_gfp_t gfp);
/**
 * dmp_iommu_iova_to_phys - what @iova translates to.  Returns 0 with *@phys
 * set, or -ENOENT (nothing mapped); an identity domain returns @iova.
 */
DMP_API int dmp_iommu_iova_to_phys(struct dmp_iommu_domain *domain, dmp_addr_t iova,
				   dmp_phys_t *phys);
/** dmp_iommu_set_fault_handler - call @handler(.., @token) for faults in @domain. */
DMP_API void dmp_iommu_set_fault_handler(struct dmp_iommu_domain *domain,
					 dmp_iommu_fault_handler_t handler, void *token);

/* Reserved regions: I/O addresses that are never handed out as IOVA. */
enum dmp_iommu_resv_type {
	DMP_IOMMU_RESV_MSI,      /* the MSI doorbell window */
	DMP_IOMMU_RESV_RESERVED, /* a hole the platform forbids */
};

struct dmp_iommu_resv_region {
	dmp_addr_t start;
	size_t length;
	enum dmp_iommu_resv_type type;
};

#define DMP_IOMMU_MAX_RESV 8
/**
 * dmp_iommu_get_resv_regions - copy @dev's reserved regions (the IOMMU's
 * and the platform's) into @out (room for @max).  Returns how many.
 */
DMP_API int dmp_iommu_get_resv_regions(struct dmp_device *dev, struct dmp_iommu_resv_region *out,
				       int max);

/** dmp_iommu_group_id - @dev's group number, or -ENODEV. */
DMP_API int dmp_iommu_group_id(struct dmp_device *dev);

DMP_END_DECLS

#endif /* DMAPORT_IOMMU_H */
