/* SPDX-License-Identifier: MIT */
/*
 * vfio-internal.h - the pieces of the Linux VFIO platform.  Not installed.
 *
 *   platform.c  the process's DMA memory, the platform ops, dmp_vfio_open()
 *   iommu.c     the type1 container as a dmp_iommu_ops driver
 *   pci.c       PCI functions through vfio-pci: regions, config, BARs, IRQs
 *   sys.c       the system calls all of them make, through one table
 *   arch-*.c    barriers and cache maintenance of the host's architecture
 */
#ifndef DMP_VFIO_INTERNAL_H
#define DMP_VFIO_INTERNAL_H

#include <pthread.h>
#include <sys/types.h>

#include <dmaport/iommu-driver.h>
#include <dmaport/platform.h>
#include <dmaport/vfio.h>

#include <dmaport/log.h>
#include <dmaport/memory.h>

/*
 * Every system call of the platform goes through this table (SQLite's
 * aSyscall[]), so that a test can put a model of the kernel's VFIO behind
 * it and fail any call it likes (tests/test-vfio.c).  The entries have the
 * libc functions' meaning; ioctl takes its argument as a pointer (every
 * VFIO ioctl does) or an integer cast to one.
 */
struct dmp__vfio_sys {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long request, void *arg);
	ssize_t (*pread)(int fd, void *buf, size_t count, off_t offset);
	ssize_t (*pwrite)(int fd, const void *buf, size_t count, off_t offset);
	void *(*mmap)(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
	int (*munmap)(void *addr, size_t length);
	ssize_t (*readlink)(const char *path, char *buf, size_t size);
	char *(*realpath)(const char *path, char *resolved); /* resolved: PATH_MAX bytes */
	int (*access)(const char *path, int mode);
	int (*memfd_create)(const char *name, unsigned int flags);
	int (*ftruncate)(int fd, off_t length);
	int (*mlock)(const void *addr, size_t len);
	int (*eventfd)(unsigned int initval, int flags);
	ssize_t (*read)(int fd, void *buf, size_t count);
	int (*poll_in)(int fd, int timeout_ms); /* poll(POLLIN) on one fd */
};
extern struct dmp__vfio_sys dmp__vfio_sys;
/** dmp__vfio_sys_reset - the libc functions again (tests restore with it). */
void dmp__vfio_sys_reset(void);

/* One mapping the container holds for a domain (one VFIO_IOMMU_MAP_DMA). */
struct dmp__vfio_map {
	dmp_addr_t iova;
	size_t size;
	dmp_phys_t phys;
	uint32_t flags; /* VFIO_DMA_MAP_FLAG_READ / _WRITE */
};

/* A domain: the mappings it wants, sorted by IOVA. */
struct dmp__vfio_domain {
	struct dmp__vfio_map *maps;
	size_t nr, cap;
	unsigned int users; /* devices attached to it */
};

#define DMP__VFIO_MAX_RANGES 8

/* An IOMMU group in the container: /dev/vfio/N, opened once, shared by the
 * group's open devices. */
struct dmp__vfio_group {
	int nr;
	int fd;
	unsigned int refs;
	struct dmp__vfio_group *next;
};

/* One region of a device (VFIO_DEVICE_GET_REGION_INFO). */
struct dmp__vfio_region {
	uint64_t offset; /* in the device fd */
	uint64_t size;
	uint32_t flags;  /* VFIO_REGION_INFO_FLAG_* */
};

#define DMP__VFIO_NR_BARS 6
#define DMP__VFIO_MAX_IOREMAPS 8
#define DMP__VFIO_MAX_VECTORS 32

struct dmp_vfio_pci {
	struct dmp_device dev;
	struct dmp_vfio *v;
	char bdf[32];
	uint32_t rid;                   /* requester ID: the stream ID */
	struct dmp__vfio_group *group;
	int fd;                         /* the device */
	struct dmp__vfio_region bar[DMP__VFIO_NR_BARS];
	dmp_phys_t bar_addr[DMP__VFIO_NR_BARS]; /* bus address (config space); 0: none */
	struct dmp__vfio_region config;
	struct { void *va; size_t len; } ioremaps[DMP__VFIO_MAX_IOREMAPS];
	int irq_type;                   /* enabled: VFIO_PCI_*_IRQ_INDEX, or -1 */
	unsigned int nvec;
	int irq_fd[DMP__VFIO_MAX_VECTORS];
	struct dmp_iommu_domain *domain; /* attached (iommu.c), under v->lock */
	struct dmp_vfio_pci *next;
};

struct dmp_vfio {
	/* constant after dmp_vfio_open() */
	enum dmp_vfio_mode mode;
	enum dmp_vfio_coherence coherence;
	int container; /* /dev/vfio/vfio */
	int memfd;
	void *mem;            /* the DMA memory, in this process */
	dmp_phys_t mem_base;  /* ... at this physical address */
	size_t mem_size;
	size_t mem_pgsize;    /* its backing's page size (4 KiB or 2 MiB) */
	bool mem_locked;      /* mlock()ed: resident even where VFIO has not pinned it */
	struct dmp_page *memmap;
	size_t memmap_size;
	struct dmp_iommu iommu; /* the container as an IOMMU */
	int nr_resv_base;       /* its reserved regions before the IOVA ranges' holes */

	/* under lock: the container, its groups and devices, the domain whose
	 * mappings the container holds, statistics */
	pthread_mutex_t lock;
	bool iommu_set;       /* VFIO_SET_IOMMU done (by the first group) */
	uint64_t pgsizes;     /* VFIO_IOMMU_GET_INFO */
	struct { dmp_addr_t start, end; } ranges[DMP__VFIO_MAX_RANGES]; /* usable IOVA, inclusive */
	unsigned int nr_ranges;
	struct dmp_iommu_domain *live; /* the domain mapped in the container now */
	struct dmp__vfio_group *groups;
	struct dmp_vfio_pci *devices;
	struct dmp_vfio_stats stats;
};

/* iommu.c */
extern const struct dmp_iommu_ops dmp__vfio_iommu_ops;
/**
 * dmp__vfio_container_setup - the first group is in the container: choose
 * the type1v2 backend, read page sizes and IOVA ranges, turn their holes
 * into reserved regions, check that pre-mapped memory fits.  Under v->lock.
 */
int dmp__vfio_container_setup(struct dmp_vfio *v);

/* pci.c */
/** dmp__vfio_pci_find - the open device with requester ID @rid.  Under v->lock. */
struct dmp_vfio_pci *dmp__vfio_pci_find(struct dmp_vfio *v, uint32_t rid);
/** ioremap / iounmap of the platform: (part of) a BAR of an open device. */
int dmp__vfio_ioremap(struct dmp_vfio *v, dmp_phys_t phys, size_t size, void **va);
void dmp__vfio_iounmap(struct dmp_vfio *v, void *va);

/*
 * arch-*.c: what differs between host architectures - cache maintenance by
 * virtual address (user space has no outer cache to reach), barriers, and
 * whether PCI DMA snoops the CPU caches.  The callbacks of the platform ops.
 */
size_t dmp__vfio_cache_line_size(void *ctx);
void dmp__vfio_dcache_clean(void *ctx, const void *va, size_t size);
void dmp__vfio_dcache_inval(void *ctx, const void *va, size_t size);
void dmp__vfio_dcache_flush(void *ctx, const void *va, size_t size);
void dmp__vfio_mb(void *ctx);
void dmp__vfio_rmb(void *ctx);
void dmp__vfio_wmb(void *ctx);
void dmp__vfio_dma_rmb(void *ctx);
void dmp__vfio_dma_wmb(void *ctx);
/** Whether PCI DMA snoops the CPU caches where no device tree says (x86,
 * ACPI): the default of DMP_VFIO_COHERENCE_AUTO. */
bool dmp__vfio_arch_dma_coherent(void);

/** Errors of the system calls above as negative errnos. */
static inline int dmp__vfio_err(int err)
{
	return err > 0 ? -err : -EIO;
}

#endif /* DMP_VFIO_INTERNAL_H */
