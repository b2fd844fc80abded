/* SPDX-License-Identifier: MIT */
/*
 * dmaport/sim/platform.h - a whole simulated machine built from a device
 * tree: memory, caches, reserved memory, IOMMUs, devices and their
 * struct dmp_device, ready for drivers.
 *
 * Callers' header (dmaport-sim, tests, programs that run drivers).
 */
#ifndef DMAPORT_SIM_PLATFORM_H
#define DMAPORT_SIM_PLATFORM_H

#include <dmaport/device.h>
#include <dmaport/iommu.h>
#include <dmaport/of-device.h>
#include <dmaport/sim.h>

DMP_BEGIN_DECLS

struct dmp_sim_iommu;
struct dmp_swiotlb_pool;

struct dmp_sim_platform_device {
	char name[DMP_DEVICE_NAME_MAX];   /* the node's name */
	const struct dmp_of_device *of;   /* its description */
	struct dmp_sim_device *hw;        /* the simulated hardware */
	struct dmp_device dev;            /* what drivers use (unless external_devices) */
	struct dmp_device *setup_dev;     /* the device set up for it: &dev, the caller's, NULL */
	dmp_phys_t mmio;                  /* its registers (0 if none) */
	bool iommu;                       /* translated by an IOMMU */
};

struct dmp_sim_pci_host;
struct dmp_sim_pci_func;

/* A PCI function the tree describes, with its simulated model. */
struct dmp_sim_platform_pci_func {
	char name[DMP_DEVICE_NAME_MAX];   /* "0000:00:01.0": host index, bus, slot, function */
	const struct dmp_of_pci_function *of;
	struct dmp_sim_pci_func *fn;      /* its model (NULL: no model, described only) */
	struct dmp_sim_device *hw;        /* its DMA port */
	struct dmp_device dev;            /* what drivers use (unless external_devices) */
	struct dmp_device *setup_dev;
	int intx_irq;                     /* the controller line of its INTx pin, -1 none */
	bool iommu;
};

struct dmp_sim_platform {
	struct dmp_sim *sim;
	struct dmp_of_platform desc;
	struct dmp_of_machine of;  /* reserved memory, IOMMU drivers, configured devices */
	struct dmp_swiotlb_pool *default_pool;
	bool atomic_pool;       /* the atomic pool is this machine's */
	struct dmp_sim_iommu *iommu_hw[DMP_OF_MAX_IOMMUS];
	unsigned int nr_devices;
	struct dmp_sim_platform_device devices[DMP_OF_MAX_DEVICES];
	struct dmp_sim_pci_host *pci_hosts[DMP_OF_MAX_PCI_HOSTS]; /* with an ECAM window */
	unsigned int nr_pci_funcs;
	struct dmp_sim_platform_pci_func pci_funcs[DMP_OF_MAX_PCI_FUNCS];
};

struct dmp_sim_platform_opts {
	bool hostile;
	uint64_t seed;
	bool trace;
	/* default domain type of IOMMU groups (0: DMA_FQ, Linux's lazy default) */
	enum dmp_iommu_domain_type iommu_default;
	size_t swiotlb_size;   /* default bounce pool (0: 4 MiB, DMP_SIM_NO_SWIOTLB: none) */
	size_t atomic_pool_size; /* the atomic pool (0: DMP_ATOMIC_POOL_DEFAULT_SIZE) */
	/* build the devices' hardware only: the caller sets up a struct
	 * dmp_device of its own for each (dmp_sim_platform_device_setup), as a
	 * driver core embeds it in its own device structure */
	bool external_devices;
};

/**
 * dmp_sim_platform_create - build the machine @desc describes and install
 * it as the active platform.  Reserved regions are taken out of the page
 * allocator; restricted-dma-pools become their devices' bounce pools;
 * reusable shared-dma-pools become CMA areas (linux,cma-default: the default
 * area; a device's memory-region: its own area); no-map shared-dma-pools
 * become the declared coherent memory of the devices whose memory-region
 * names them (shared, as in Linux), or the global coherent pool with
 * linux,dma-default; a default bounce pool and the atomic pool are made
 * below 4 GiB when there is memory there; each IOMMU node of a model
 * dmaport has ("dmaport,sim-iommu", "arm,smmu-v3" as the same simulated
 * IOMMU) is created and registered; each "dmaport,copy-engine" gets its
 * hardware and a struct dmp_device with its dma-ranges, bus limit,
 * coherence, masks from its port width, and its IOMMU stream.  On failure
 * nothing is left behind and @err (may be NULL) says what and where.
 * Returns 0, -EINVAL, -ENOMEM, -EBUSY (a platform is active), or an
 * allocator's error.
 */
DMP_API int dmp_sim_platform_create(const struct dmp_of_platform *desc,
				    const struct dmp_sim_platform_opts *opts,
				    struct dmp_sim_platform **out, struct dmp_of_error *err);
/** dmp_sim_platform_load - parse @path (.dts or .dtb), then create. */
DMP_API int dmp_sim_platform_load(const char *path, const struct dmp_sim_platform_opts *opts,
				  struct dmp_sim_platform **out, struct dmp_of_error *err);
DMP_API void dmp_sim_platform_destroy(struct dmp_sim_platform *p);
/** dmp_sim_platform_find - the device whose node name (or path) is @name, or NULL. */
DMP_API struct dmp_sim_platform_device *dmp_sim_platform_find(struct dmp_sim_platform *p,
							       const char *name);
/** dmp_sim_platform_first - the first device of @kind, or NULL. */
DMP_API struct dmp_sim_platform_device *dmp_sim_platform_first(struct dmp_sim_platform *p,
								enum dmp_of_device_kind kind,
								bool behind_iommu);
/**
 * dmp_sim_platform_device_setup - set up @dev (the caller's storage) as the
 * struct dmp_device of @pd's hardware, as the platform does for @pd->dev:
 * name, coherence, dma-ranges and bus limit, memory-region pools, the IOMMU
 * stream, masks from the port width (Linux's of_dma_configure).  One device
 * per hardware at a time.  On failure @err says why; call
 * dmp_sim_platform_device_teardown() in any case.
 * Returns 0, -EBUSY (already set up), or what the steps return.
 */
DMP_API int dmp_sim_platform_device_setup(struct dmp_sim_platform *p,
					  struct dmp_sim_platform_device *pd,
					  struct dmp_device *dev, struct dmp_of_error *err);
/**
 * dmp_sim_platform_device_teardown - undo the setup: dmp_device_remove()
 * (the checker lists what the driver left mapped or allocated), release
 * declared memory and the IOMMU stream.  No-op if not set up; the platform's
 * destroy does it for what is left.
 */
DMP_API void dmp_sim_platform_device_teardown(struct dmp_sim_platform *p,
					      struct dmp_sim_platform_device *pd);
/**
 * dmp_sim_platform_pci_setup / _teardown - the same for a PCI function: its
 * host's dma-ranges and coherence, its IOMMU stream through the host's
 * iommu-map, masks from its port width.
 */
DMP_API int dmp_sim_platform_pci_setup(struct dmp_sim_platform *p,
				       struct dmp_sim_platform_pci_func *pf, struct dmp_device *dev,
				       struct dmp_of_error *err);
DMP_API void dmp_sim_platform_pci_teardown(struct dmp_sim_platform *p,
					   struct dmp_sim_platform_pci_func *pf);
/** dmp_sim_platform_dump - what was built: memory, caches, pools, IOMMUs, devices. */
DMP_API void dmp_sim_platform_dump(struct dmp_sim_platform *p, FILE *f);

DMP_END_DECLS

#endif /* DMAPORT_SIM_PLATFORM_H */
