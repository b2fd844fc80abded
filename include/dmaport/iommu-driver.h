/* SPDX-License-Identifier: MIT */
/*
 * dmaport/iommu-driver.h - for IOMMU hardware drivers and platform set-up.
 *
 * IMPLEMENTERS' HEADER: not for device drivers (they include iommu.h).  A
 * hardware driver fills struct dmp_iommu_ops and registers an instance; the
 * platform (or the device-tree code) probes each translated device against
 * it with its stream IDs.  A hardware driver is one file plus its ops table.
 */
#ifndef DMAPORT_IOMMU_DRIVER_H
#define DMAPORT_IOMMU_DRIVER_H

#include <dmaport/iommu.h>
#include <dmaport/io-pgtable.h>

DMP_BEGIN_DECLS

/**
 * struct dmp_iommu_iotlb_gather - what an unmap leaves to invalidate:
 * [start, end] (inclusive) and the smallest page size seen.
 */
struct dmp_iommu_iotlb_gather {
	dmp_addr_t start;
	dmp_addr_t end;
	size_t pgsize;
};

static inline void dmp_iommu_iotlb_gather_init(struct dmp_iommu_iotlb_gather *g)
{
	g->start = ~(dmp_addr_t)0;
	g->end = 0;
	g->pgsize = 0;
}

static inline void dmp_iommu_iotlb_gather_add(struct dmp_iommu_iotlb_gather *g, dmp_addr_t iova,
					      size_t size)
{
	if (iova < g->start)
		g->start = iova;
	if (iova + size - 1 > g->end)
		g->end = iova + size - 1;
	if (!g->pgsize || size < g->pgsize)
		g->pgsize = size;
}

/** Capabilities a driver reports. */
enum dmp_iommu_cap {
	DMP_IOMMU_CAP_DEFERRED_FLUSH, /* flush-queue (lazy) invalidation is worth using */
	DMP_IOMMU_CAP_COHERENT_WALK,  /* the table walker snoops the CPU caches */
};

struct dmp_iommu_dev;

/*
 * struct dmp_iommu_ops - a hardware driver's operations.  Mandatory:
 * domain_init, attach_dev, map_pages, unmap_pages and iova_to_phys
 * (dmp_iommu_register() refuses a table without them; a driver whose paging
 * domains are one io-pgtable can use io-pgtable's forwarders for the last
 * three: <dmaport/io-pgtable.h>).  Optional, and what the core does
 * without them: probe_device (every device is accepted), release_device
 * (nothing), device_group (one group per first stream ID), domain_destroy
 * (nothing beyond freeing the domain), iotlb_sync and flush_iotlb_all (no
 * TLB to invalidate), capable (no capability).
 */
struct dmp_iommu_ops {
	const char *name;
	/** probe_device - @dev with @sids is behind this IOMMU: check and set up. */
	int (*probe_device)(struct dmp_iommu *iommu, struct dmp_device *dev, const uint32_t *sids,
			    unsigned int nr_sids);
	void (*release_device)(struct dmp_iommu *iommu, struct dmp_device *dev);
	/** device_group - devices with the same key cannot be isolated: one group. */
	uint64_t (*device_group)(struct dmp_iommu *iommu, struct dmp_device *dev);
	/** domain_init - set up a new domain of domain->type (pgsize_bitmap,
	 * geometry, priv; its page tables for paging types).  0 or -errno. */
	int (*domain_init)(struct dmp_iommu *iommu, struct dmp_iommu_domain *domain);
	void (*domain_destroy)(struct dmp_iommu_domain *domain);
	/** attach_dev - point @dev's streams at @domain. */
	int (*attach_dev)(struct dmp_iommu_domain *domain, struct dmp_device *dev);
	int (*map_pages)(struct dmp_iommu_domain *domain, dmp_addr_t iova, dmp_phys_t paddr,
			 size_t pgsize, size_t pgcount, int prot, dmp_gfp_t gfp, size_t *mapped);
	size_t (*unmap_pages)(struct dmp_iommu_domain *domain, dmp_addr_t iova, size_t pgsize,
			      size_t pgcount, struct dmp_iommu_iotlb_gather *gather);
	/** iotlb_sync - invalidate what @gather collected, and wait for it. */
	void (*iotlb_sync)(struct dmp_iommu_domain *domain, struct dmp_iommu_iotlb_gather *gather);
	/** flush_iotlb_all - invalidate every translation of @domain, and wait. */
	void (*flush_iotlb_all)(struct dmp_iommu_domain *domain);
	int (*iova_to_phys)(struct dmp_iommu_domain *domain, dmp_addr_t iova, dmp_phys_t *phys);
	bool (*capable)(struct dmp_iommu *iommu, enum dmp_iommu_cap cap);
};

/**
 * struct dmp_iommu - one IOMMU instance.  The driver fills @name, @ops, @priv
 * and may add reserved regions before dmp_iommu_register().
 * @default_type: the default domain type of its groups (DMA_FQ if the
 * driver can defer flushes, else DMA; IDENTITY for passthrough): Linux's
 * iommu.strict / iommu.passthrough.  A group with an untrusted device gets
 * a strict DMA domain whatever the default (dmp_iommu_probe_device()).
 */
struct dmp_iommu {
	char name[48];
	const struct dmp_iommu_ops *ops;
	void *priv;
	enum dmp_iommu_domain_type default_type;
	struct dmp_iommu_resv_region resv[DMP_IOMMU_MAX_RESV];
	int nr_resv;
	struct dmp_iommu_group *groups;
	struct dmp_iommu *next;
};

/* The IOVA window of software-managed MSI doorbells, reserved in every
 * IOMMU's space (Linux's MSI_IOVA_BASE and MSI_IOVA_LENGTH). */
#define DMP_IOMMU_MSI_IOVA_BASE 0x8000000ull
#define DMP_IOMMU_MSI_IOVA_LENGTH 0x100000ull

/**
 * dmp_iommu_register - make @iommu available.  Adds the MSI window
 * (DMP_IOMMU_MSI_IOVA_BASE, 1 MiB) as a reserved region.
 * Returns 0, -EINVAL (a mandatory op missing: a log line names it), or
 * -ENOMEM (no room for the MSI window's reserved region).
 */
DMP_API int dmp_iommu_register(struct dmp_iommu *iommu);
DMP_API void dmp_iommu_unregister(struct dmp_iommu *iommu);
/** dmp_iommu_add_resv_region - a platform range never handed out as IOVA. */
DMP_API int dmp_iommu_add_resv_region(struct dmp_iommu *iommu, dmp_addr_t start, size_t length,
				      enum dmp_iommu_resv_type type);

/**
 * dmp_iommu_probe_device - put @dev behind @iommu with its stream IDs: find
 * or create its group, attach the group's default domain, and choose the
 * device's DMA ops (the IOMMU path for DMA domains, direct for identity).
 * The default domain's type is decided over every device of the group, as
 * Linux's iommu_get_default_domain_type(): an untrusted device makes it a
 * strict DMA domain.  So an untrusted device joining a group whose default
 * is identity moves the whole group to a new DMA domain and the IOMMU path;
 * the others' live direct mappings would not survive that: probe every
 * device of a group before their drivers do DMA (Linux sets a group up with
 * all its devices at bus probe).
 * Returns 0, -EINVAL, -EBUSY (already probed; or untrusted, joining a group
 * whose devices are attached to a driver's own domain), -ENOMEM.
 */
DMP_API int dmp_iommu_probe_device(struct dmp_device *dev, struct dmp_iommu *iommu,
				   const uint32_t *sids, unsigned int nr_sids);
/** dmp_iommu_release_device - undo dmp_iommu_probe_device(). */
DMP_API void dmp_iommu_release_device(struct dmp_device *dev);

/**
 * dmp_iommu_domain_set_lpae_4k - give @d the geometry of an Arm LPAE 4K-granule
 * table with @ias input address bits: pages of 4 KiB, 2 MiB and 1 GiB, an
 * aperture of [0, 2^@ias - 1], enforced.  For a driver's domain_init(), before
 * it decides whether @d needs a page table.  Context: any.
 */
static inline void dmp_iommu_domain_set_lpae_4k(struct dmp_iommu_domain *d, unsigned int ias)
{
	d->pgsize_bitmap = (1ull << 12) | (1ull << 21) | (1ull << 30);
	d->geometry.aperture_start = 0;
	d->geometry.aperture_end = (ias >= 64 ? 0 : (1ull << ias)) - 1;
	d->geometry.force_aperture = true;
}

/** Per-device IOMMU state (dev->iommu). */
struct dmp_iommu_dev {
	struct dmp_iommu *iommu;
	struct dmp_iommu_group *group;
	uint32_t sids[4];
	unsigned int nr_sids;
	void *priv; /* the driver's */
};

static inline struct dmp_iommu_dev *dmp_dev_iommu(const struct dmp_device *dev)
{
	return (struct dmp_iommu_dev *)dev->iommu;
}

/**
 * dmp_iommu_report_fault - a driver's fault path: deliver a fault on @iova
 * by @dev to the domain's handler.  Returns the handler's result, or
 * -ENOSYS if none handled it (then it is logged).
 */
DMP_API int dmp_iommu_report_fault(struct dmp_iommu_domain *domain, struct dmp_device *dev,
				   dmp_addr_t iova, int flags);

/**
 * dmp_iommu_find_device - the probed device with stream @sid on @iommu, or
 * NULL.  Nothing keeps it probed after the return: a fault path that reports
 * on it uses dmp_iommu_report_fault_sid().
 */
DMP_API struct dmp_device *dmp_iommu_find_device(struct dmp_iommu *iommu, uint32_t sid);

/**
 * dmp_iommu_report_fault_sid - a driver's fault path by stream ID: find the
 * probed device with stream @sid on @iommu and deliver the fault to the
 * domain it is attached to, as dmp_iommu_report_fault() does (no device: the
 * fault is logged with none).  Until the report returns, the device cannot
 * leave its group (dmp_iommu_release_device() waits, so its owner cannot
 * free it under the handler) and no domain can be freed; the handler must
 * therefore neither release a device nor free a domain.  Returns as
 * dmp_iommu_report_fault().  Context: not under the core's or the checker's
 * locks (it takes them).
 */
DMP_API int dmp_iommu_report_fault_sid(struct dmp_iommu *iommu, uint32_t sid, dmp_addr_t iova,
				       int flags);

/* dma-iommu.c: the DMA API over a DMA domain. */
DMP_API extern const struct dmp_dma_map_ops dmp_iommu_dma_ops;
/**
 * dmp_iommu_dma_flush_queue - for tests and shutdown: flush the IOTLB and
 * free every IOVA waiting in @domain's flush queues.  Returns how many.
 */
DMP_API unsigned int dmp_iommu_dma_flush_queue(struct dmp_iommu_domain *domain);
/**
 * dmp_iommu_dma_set_fq_timeout - the lazy window's bound in ns (default 10 ms,
 * as Linux): a timer armed by the first unmap queued flushes the IOTLB and
 * frees the queued IOVAs that long after (platforms without timers: at the
 * first unmap past it).  A timer already armed keeps its deadline.
 */
DMP_API void dmp_iommu_dma_set_fq_timeout(struct dmp_iommu_domain *domain, uint64_t ns);

DMP_END_DECLS

#endif /* DMAPORT_IOMMU_DRIVER_H */
