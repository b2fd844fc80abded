/* SPDX-License-Identifier: MIT */
/*
 * dmaport/vfio.h - dmaport on Linux user space: real PCI devices through
 * VFIO, behind the machine's IOMMU (src/platform/linux-vfio/).
 *
 * Callers' header, for a program that drives a device from user space (what
 * DPDK or SPDK do by hand) with the whole DMA API over it: coherent and
 * streaming mappings, scatterlists, pools, masks, the IOVA allocator and the
 * bookkeeping checker.  See docs/vfio.md for a complete example.
 *
 * The platform.  dmp_vfio_open() makes a Linux process a dmaport platform:
 * one region of memory (a memfd, on 2 MiB huge pages where the kernel has
 * them reserved, else 4 KiB pages) is dmaport's physical memory - the page
 * allocator, the heap, pools and coherent allocations all come from it, and
 * DMA is only ever done to it (as Linux refuses DMA from the stack, dmaport
 * refuses a pointer outside it).  Its "physical" addresses are the
 * platform's own: the region sits at cfg->mem_base, which is also the I/O
 * virtual address at which the pre-mapped mode maps it.  Cache maintenance
 * is a no-op on x86, whose DMA is coherent with the caches; on arm64 it is
 * done from user space for devices that do not snoop (enum
 * dmp_vfio_coherence).
 *
 * The IOMMU.  One VFIO type1 container is one more dmp_iommu_ops driver
 * under dmaport's unchanged DMA-over-IOMMU layer: a domain is the
 * container's I/O address space, map and unmap are VFIO_IOMMU_MAP_DMA and
 * VFIO_IOMMU_UNMAP_DMA (which return after the kernel has invalidated the
 * IOTLB: every unmap is strict), the IOVA ranges the kernel reports
 * (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) bound the aperture and their holes
 * become reserved regions.  Two modes:
 *  - DMP_VFIO_STRICT: the device's default domain is a DMA domain: each
 *    dmp_map_*() allocates an IOVA below the device's mask and maps just its
 *    pages; the unmap removes them.  Isolation per buffer.
 *  - DMP_VFIO_PREMAPPED: the default domain is an identity domain: all of
 *    the platform's memory is mapped once, at its physical address, when the
 *    first device is attached, and dmp_map_*() is the direct path - an
 *    address computation (DPDK's IOVA-as-PA).  Speed; any buffer of the
 *    process's DMA memory is reachable by the device at any time.
 *
 * Devices.  dmp_vfio_pci_open() opens a PCI function bound to vfio-pci by
 * its address, puts its IOMMU group in the container and its struct
 * dmp_device behind the VFIO IOMMU.  A driver then works as on any
 * platform: dmp_ioremap() of a BAR's address (dmp_vfio_pci_bar()) maps the
 * BAR, dmp_readl()/dmp_writel() reach its registers.  vfio-pci leaves bus
 * mastering off: dmp_vfio_pci_set_master().  Interrupts arrive on eventfds
 * (VFIO_DEVICE_SET_IRQS): dmp_vfio_pci_irq_enable() / _wait().
 *
 * Faults.  Under type1 a device's access to an unmapped IOVA is invisible to
 * user space: the access is dropped (reads return zeros) and the kernel logs
 * it (DMAR or SMMU messages in its log).  No fault reaches a domain's
 * handler on this platform.
 *
 * Context: everything here may block (ioctls), except the MMIO accessors.
 * The platform, its IOMMU and the DMA API are thread-safe; a device's
 * interrupt calls (dmp_vfio_pci_irq_*) are for one thread at a time, as is
 * opening and closing devices.  One platform per process
 * (dmp_platform_install()).  Needs read/write
 * access to /dev/vfio/ and enough RLIMIT_MEMLOCK for the pinned memory
 * (root has it).
 */
#ifndef DMAPORT_VFIO_H
#define DMAPORT_VFIO_H

#include <dmaport/types.h>
#include <dmaport/device.h>

DMP_BEGIN_DECLS

/** How the devices' DMA reaches memory (see above). */
enum dmp_vfio_mode {
	DMP_VFIO_STRICT = 0, /* a VFIO map per dmp_map_*(): isolation per buffer */
	DMP_VFIO_PREMAPPED,  /* all memory mapped once at start: dmp_map_*() is a lookup */
};

/**
 * Whether the devices' DMA snoops the CPU caches (Linux's dev_is_dma_coherent).
 * AUTO asks the device tree as Linux does (a dma-coherent or dma-noncoherent
 * property on the PCI host bridge's node or a parent; a device-tree node
 * with neither is non-coherent); without a device tree (x86, ACPI) DMA is
 * coherent.  A non-coherent device gets cache maintenance around every
 * streaming transfer (arm64: DC CVAC / DC CIVAC from user space), and no
 * coherent allocations: user space cannot make its memory uncached, so
 * dmp_alloc_coherent() fails (NULL, reported).
 */
enum dmp_vfio_coherence {
	DMP_VFIO_COHERENCE_AUTO = 0,
	DMP_VFIO_COHERENT,
	DMP_VFIO_NONCOHERENT,
};

/**
 * struct dmp_vfio_config - what dmp_vfio_open() sets up.
 * @mem_size:     bytes of DMA memory (0: 64 MiB); rounded up to the backing's
 *                page size.
 * @mem_base:     its physical address, which the pre-mapped mode also uses
 *                as its IOVA (0: 16 MiB: low, so that devices with small DMA
 *                masks reach it; it must lie in one of the IOMMU's usable
 *                IOVA ranges, checked when the first device is opened).
 * @mode:         DMP_VFIO_STRICT or DMP_VFIO_PREMAPPED.
 * @no_hugepages: 4 KiB pages even if 2 MiB huge pages are reserved.
 * @coherence:    whether the devices opened snoop the caches (above).
 */
struct dmp_vfio_config {
	size_t mem_size;
	dmp_phys_t mem_base;
	enum dmp_vfio_mode mode;
	bool no_hugepages;
	enum dmp_vfio_coherence coherence;
};

struct dmp_vfio;
struct dmp_vfio_pci;

/**
 * dmp_vfio_open - make this process a dmaport platform over VFIO: allocate
 * the memory, open the VFIO container, install the platform and register
 * the container as an IOMMU.  @cfg may be NULL (the defaults).
 * Returns 0 with *@out set; -EBUSY (another platform is active); -ENOENT
 * (no /dev/vfio/vfio: the vfio module is not loaded); -EACCES; -ENODEV
 * (the kernel has no type1v2 IOMMU backend); -EINVAL (a bad @cfg); -ENOMEM.
 * Nothing is left behind on failure.
 */
DMP_API int dmp_vfio_open(const struct dmp_vfio_config *cfg, struct dmp_vfio **out);

/**
 * dmp_vfio_close - undo dmp_vfio_open().  Every device must be closed
 * first (-EBUSY and nothing done otherwise).  Returns 0 or -EBUSY.
 */
DMP_API int dmp_vfio_close(struct dmp_vfio *v);

/**
 * dmp_vfio_describe - one line about the platform for logs: the backing
 * (huge pages or not), size, physical range and mode.  Returns @buf.
 */
DMP_API const char *dmp_vfio_describe(const struct dmp_vfio *v, char *buf, size_t len);

/**
 * dmp_vfio_iommu_pgsizes - the page sizes the container's IOMMU maps
 * (VFIO_IOMMU_GET_INFO), 0 before the first device is opened.
 */
DMP_API uint64_t dmp_vfio_iommu_pgsizes(const struct dmp_vfio *v);

/**
 * struct dmp_vfio_stats - what the VFIO IOMMU driver did: ioctls issued
 * (@maps, @unmaps) and pages the mappings covered.  For tests and benchmarks.
 */
struct dmp_vfio_stats {
	unsigned long maps, unmaps;
	unsigned long mapped_bytes, unmapped_bytes;
};
DMP_API void dmp_vfio_get_stats(struct dmp_vfio *v, struct dmp_vfio_stats *st);

/**
 * dmp_vfio_pci_open - open the PCI function at @bdf ("0000:00:02.0"),
 * bound to vfio-pci: its IOMMU group joins the container (the first group
 * sets the container's IOMMU up), the device's regions are read, and its
 * struct dmp_device (named @bdf, coherent as cfg->coherence says, Linux's
 * default 32-bit masks) is probed behind the VFIO IOMMU with its default domain.
 * Returns 0 with *@out set; -EINVAL (@bdf is not DDDD:BB:DD.F); -ENOENT
 * (no such device, or not in an IOMMU group: is it bound to vfio-pci? is
 * there an IOMMU?); -EBUSY (its group is
 * not viable: another device of the group is bound to a host driver; or it
 * is open already); -ERANGE (pre-mapped mode: the memory is not inside one
 * usable IOVA range); -EACCES; -ENOMEM; -EIO (an unexpected VFIO error,
 * logged).  Nothing is left behind on failure.
 */
DMP_API int dmp_vfio_pci_open(struct dmp_vfio *v, const char *bdf, struct dmp_vfio_pci **out);

/**
 * dmp_vfio_pci_close - disable its interrupts, turn bus mastering off,
 * release the device from the IOMMU layer and close it.  Its mappings and
 * allocations must be gone (the checker lists any that are not).
 */
DMP_API void dmp_vfio_pci_close(struct dmp_vfio_pci *pci);

/** dmp_vfio_pci_device - the device's struct dmp_device (for the DMA API); NULL for NULL. */
DMP_API struct dmp_device *dmp_vfio_pci_device(struct dmp_vfio_pci *pci);

/**
 * dmp_vfio_pci_bar - memory BAR @bar (0-5): *@phys is the address to give
 * dmp_ioremap() (the BAR's bus address as config space holds it), *@size its
 * size.  Returns 0, -EINVAL (no such BAR), -ENODEV (not memory, or VFIO
 * cannot mmap it).
 */
DMP_API int dmp_vfio_pci_bar(struct dmp_vfio_pci *pci, unsigned int bar, dmp_phys_t *phys,
			     size_t *size);

/**
 * dmp_vfio_pci_config_read / _write - @width (1, 2 or 4) bytes of config
 * space at @off, little endian as PCI.  Returns 0, -EINVAL, -EIO.
 */
DMP_API int dmp_vfio_pci_config_read(struct dmp_vfio_pci *pci, unsigned int off,
				     unsigned int width, uint32_t *val);
DMP_API int dmp_vfio_pci_config_write(struct dmp_vfio_pci *pci, unsigned int off,
				      unsigned int width, uint32_t val);

/**
 * dmp_vfio_pci_set_master - turn bus mastering (PCI_COMMAND bit 2) on or
 * off, as Linux's pci_set_master() / pci_clear_master().  vfio-pci leaves it
 * off: without it every DMA of the device is dropped.  Returns 0 or -EIO.
 */
DMP_API int dmp_vfio_pci_set_master(struct dmp_vfio_pci *pci, bool on);

/** Which interrupt of the device (VFIO's PCI IRQ indexes). */
enum dmp_vfio_irq_type {
	DMP_VFIO_IRQ_INTX = 0,
	DMP_VFIO_IRQ_MSI = 1,
	DMP_VFIO_IRQ_MSIX = 2,
};

/**
 * dmp_vfio_pci_irq_enable - route vectors [0, @nvec) of @type to eventfds
 * (VFIO_DEVICE_SET_IRQS, DATA_EVENTFD | ACTION_TRIGGER); vfio-pci programs
 * the device's MSI/MSI-X capability.  One type at a time: the previous one
 * is disabled first.  Returns 0; -EINVAL (@nvec 0 or more than the device
 * has: VFIO_DEVICE_GET_IRQ_INFO); -ENODEV (the device has none of @type);
 * -EIO; -ENOMEM.
 */
DMP_API int dmp_vfio_pci_irq_enable(struct dmp_vfio_pci *pci, enum dmp_vfio_irq_type type,
				    unsigned int nvec);

/** dmp_vfio_pci_irq_disable - undo dmp_vfio_pci_irq_enable() (closes the eventfds). */
DMP_API void dmp_vfio_pci_irq_disable(struct dmp_vfio_pci *pci);

/**
 * dmp_vfio_pci_irq_wait - wait up to @timeout_ns for vector @vec.
 * Returns how many interrupts arrived since the last wait (>= 1);
 * -ETIMEDOUT; -EINVAL (no such vector enabled); -EIO.
 * INTx is masked by vfio-pci when it fires (it is level triggered): after
 * the driver has quietened the device, dmp_vfio_pci_irq_unmask().
 */
DMP_API int dmp_vfio_pci_irq_wait(struct dmp_vfio_pci *pci, unsigned int vec, uint64_t timeout_ns);

/**
 * dmp_vfio_pci_irq_fd - vector @vec's eventfd, for the caller's own
 * poll()/epoll loop (read 8 bytes to consume).  Returns the fd or -EINVAL.
 */
DMP_API int dmp_vfio_pci_irq_fd(struct dmp_vfio_pci *pci, unsigned int vec);

/** dmp_vfio_pci_irq_unmask - unmask INTx after it fired.  Returns 0, -EINVAL, -EIO. */
DMP_API int dmp_vfio_pci_irq_unmask(struct dmp_vfio_pci *pci);

DMP_END_DECLS

#endif /* DMAPORT_VFIO_H */
