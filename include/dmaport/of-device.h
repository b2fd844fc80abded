/* SPDX-License-Identifier: MIT */
/*
 * dmaport/of-device.h - devices and reserved memory set up from a parsed
 * description (<dmaport/of.h>): Linux's of_reserved_mem (fdt_init_reserved_mem
 * and the shared-dma-pool / restricted-dma-pool handlers) and of_dma_configure
 * with of_reserved_mem_device_init.
 *
 * IMPLEMENTERS' HEADER, for platforms that build a machine from a device
 * tree (the simulator's src/sim/sim-platform.c; any platform that has a
 * struct dmp_of_platform).  The platform creates the hardware and registers
 * the IOMMU drivers; these functions do what is the same everywhere: the
 * allocators of /reserved-memory and each device's DMA configuration.
 */
#ifndef DMAPORT_OF_DEVICE_H
#define DMAPORT_OF_DEVICE_H

#include <dmaport/device.h>
#include <dmaport/of.h>

DMP_BEGIN_DECLS

struct dmp_cma;
struct dmp_iommu;
struct dmp_swiotlb_pool;

/**
 * struct dmp_of_machine - the DMA state of a machine built from @desc.
 * @desc:           the description (the caller's; must outlive the machine).
 * @restricted:     restricted-dma-pool regions: their bounce pools, by
 *                  reserved-memory index.
 * @cma:            reusable shared-dma-pool regions: their CMA areas.
 * @global_coherent: a linux,dma-default pool was declared.
 * @iommu:          the registered driver of each described IOMMU, by index;
 *                  filled by the platform (NULL: no driver for that node).
 * @dev:            the device configured for each described device, by
 *                  index (NULL: none), for coherent pools that several
 *                  devices share.
 */
struct dmp_of_machine {
	const struct dmp_of_platform *desc;
	struct dmp_swiotlb_pool *restricted[DMP_OF_MAX_RESERVED];
	struct dmp_cma *cma[DMP_OF_MAX_RESERVED];
	bool global_coherent;
	struct dmp_iommu *iommu[DMP_OF_MAX_IOMMUS];
	struct dmp_device *dev[DMP_OF_MAX_DEVICES];
};

/**
 * dmp_of_reserved_mem_init - set up @m (zeroed by the caller; @m->iommu may
 * be filled already) for @desc and make the allocators of
 * its /reserved-memory: reusable shared-dma-pools become CMA areas
 * (linux,cma-default the default area), the others are taken out of the
 * page allocator; a no-map shared-dma-pool with linux,dma-default becomes
 * the global coherent pool; restricted-dma-pools become bounce pools.
 * (No-map coherent pools named by a device become its declared memory at
 * dmp_of_dma_configure().)  The platform's memory must be registered.
 * On failure @err (may be NULL) names the region, and what was made is left
 * in @m for dmp_of_reserved_mem_release().
 * Returns 0, or the errno of the allocator that refused.
 */
DMP_API int dmp_of_reserved_mem_init(struct dmp_of_machine *m, const struct dmp_of_platform *desc,
				     struct dmp_of_error *err);

/**
 * dmp_of_reserved_mem_release - destroy what dmp_of_reserved_mem_init()
 * made.  An allocator with live allocations (a driver leaked: reported) is
 * not destroyed: *@leaked is then set, or *@bounce_leaked for a bounce pool,
 * so that the caller can make the allocators forget memory that goes away
 * (dmp__allocators_forget, dmp_swiotlb_forget_all).  Both flags are only
 * ever set, never cleared.
 */
DMP_API void dmp_of_reserved_mem_release(struct dmp_of_machine *m, bool *leaked,
					 bool *bounce_leaked);

/**
 * dmp_of_dma_configure - configure @dev (initialised, its hardware linked)
 * as the description's device @index says: coherence (dma-coherent),
 * dma-ranges and the bus limit, its memory-region pools (a restricted bounce
 * pool, a CMA area, a coherent pool as declared memory at the bus address
 * of its dma-ranges, shared with the devices configured before that name it
 * too), its IOMMU stream (the first iommus specifier, through @m->iommu),
 * and masks from its port width (dmaport,port-bits; a mask the device
 * cannot use without an IOMMU keeps the default).
 * *@iommu says whether an IOMMU probed it - also on failure: give it to
 * dmp_of_dma_deconfigure() in any case.  On failure @err says what and
 * where.  Returns 0, -ENODEV (its IOMMU has no driver), -EINVAL (a
 * coherent pool outside its dma-ranges), or what the steps return.
 */
DMP_API int dmp_of_dma_configure(struct dmp_of_machine *m, unsigned int index,
				 struct dmp_device *dev, bool *iommu, struct dmp_of_error *err);

/**
 * dmp_of_pci_dma_configure - the same for a PCI function (@f, one of
 * @m->desc->pci_funcs): its host bridge's dma-ranges and bus limit, and the
 * IOMMU stream its requester ID maps to (iommu-map).  Masks stay as set.
 */
DMP_API int dmp_of_pci_dma_configure(struct dmp_of_machine *m,
				     const struct dmp_of_pci_function *f, struct dmp_device *dev,
				     bool *iommu, struct dmp_of_error *err);

/**
 * dmp_of_dma_deconfigure - undo the configuration of @dev: dmp_device_remove()
 * (the checker lists what its driver left mapped or allocated), its declared
 * memory released, its IOMMU stream released if @iommu.
 */
DMP_API void dmp_of_dma_deconfigure(struct dmp_of_machine *m, struct dmp_device *dev,
				    bool iommu);

/**
 * dmp_of_error_set - fill @err (may be NULL) with @code, the node @path
 * (NULL: "/"), the property @prop (NULL: none) and @msg; returns @code.
 * For platforms reporting a machine they cannot build the way the parser
 * reports a tree.
 */
DMP_API int dmp_of_error_set(struct dmp_of_error *err, int code, const char *path,
			     const char *prop, const char *msg);

/**
 * dmp_of_iommu_compatible - true if @compat is one of @m's compatible
 * strings: how a platform picks the driver for a described IOMMU from a
 * table keyed by compatible.
 */
DMP_API bool dmp_of_iommu_compatible(const struct dmp_of_iommu *m, const char *compat);

/** dmp_of_node_name - the last component of @path ("/soc/dma@1000" -> "dma@1000"). */
DMP_API const char *dmp_of_node_name(const char *path);

DMP_END_DECLS

#endif /* DMAPORT_OF_DEVICE_H */
