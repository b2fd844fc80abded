/* SPDX-License-Identifier: MIT */
/*
 * platform.c - a Linux process as a dmaport platform over VFIO: its DMA
 * memory (a memfd, on huge pages when there are some), the platform ops,
 * and dmp_vfio_open() / dmp_vfio_close().
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/vfio.h>

#include "vfio-internal.h"

#define DEFAULT_MEM_SIZE (64ul << 20)
/* Low, so that devices with small DMA masks (edu: 28 bits) reach all of it
 * in the pre-mapped mode; above the first 16 MiB, which x86 IOMMUs may
 * keep for ISA-era reserved ranges. */
#define DEFAULT_MEM_BASE (16ull << 20)
#define HUGE_PAGE_SIZE (2ul << 20)
#ifndef MFD_HUGE_2MB /* <linux/memfd.h> has it, but clashes with <sys/mman.h> */
#define MFD_HUGE_2MB (21u << 26) /* log2(2 MiB) << MFD_HUGE_SHIFT */
#endif

/* ---- memory --------------------------------------------------------------- */

/*
 * A memfd rather than anonymous memory: the same pages can be mapped again
 * (user_map: dmp_mmap_coherent, or another process), and MFD_HUGETLB gives
 * 2 MiB pages - fewer IOMMU and TLB entries - where the administrator has
 * reserved some (/proc/sys/vm/nr_hugepages).  MAP_POPULATE faults every
 * page in now: a hugetlb mapping without enough reserved pages fails here,
 * not with SIGBUS at the first touch.
 */
static int mem_try(struct dmp_vfio *v, size_t size, unsigned int flags, size_t pgsize)
{
	size_t len = DMP_ALIGN_UP(size, pgsize);
	int fd = dmp__vfio_sys.memfd_create("dmaport-dma", MFD_CLOEXEC | flags);
	if (fd < 0)
		return dmp__vfio_err(errno);
	if (dmp__vfio_sys.ftruncate(fd, (off_t)len) < 0)
		goto fail;
	void *p = dmp__vfio_sys.mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
				     fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	v->memfd = fd;
	v->mem = p;
	v->mem_size = len;
	v->mem_pgsize = pgsize;
	/* Pinned: VFIO pins what it maps, but a strict-mode buffer is mapped
	 * only while the device owns it; locked, the rest cannot be swapped
	 * out between mappings either (huge pages never are).  Best effort: an
	 * RLIMIT_MEMLOCK too small for it only costs that guarantee. */
	v->mem_locked = dmp__vfio_sys.mlock(p, len) == 0;
	return 0;

fail:;
	int err = dmp__vfio_err(errno);
	dmp__vfio_sys.close(fd);
	return err;
}

static int mem_alloc(struct dmp_vfio *v, size_t size, bool no_hugepages)
{
	if (!no_hugepages && mem_try(v, size, MFD_HUGETLB | MFD_HUGE_2MB, HUGE_PAGE_SIZE) == 0)
		return 0;
	return mem_try(v, size, 0, DMP_PAGE_SIZE);
}

static void mem_free(struct dmp_vfio *v)
{
	dmp__vfio_sys.munmap(v->mem, v->mem_size);
	dmp__vfio_sys.close(v->memfd);
}

/* The page descriptors: touched only for pages dmaport hands out. */
static int memmap_alloc(struct dmp_vfio *v)
{
	v->memmap_size = DMP_ALIGN_UP(v->mem_size / DMP_PAGE_SIZE * sizeof(struct dmp_page),
				      DMP_PAGE_SIZE);
	void *p = dmp__vfio_sys.mmap(NULL, v->memmap_size, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	v->memmap = p;
	return 0;
}

/* ---- platform ops ---------------------------------------------------------- */

static void outer_nop(void *ctx, dmp_phys_t pa, size_t size)
{
	/* user space reaches no outer cache by physical address; on x86 and
	 * arm64 servers the caches are maintained by VA to the point of
	 * coherency (arch-*.c) */
	(void)ctx, (void)pa, (void)size;
}

static int vfio_ioremap(void *ctx, dmp_phys_t phys, size_t size, void **va)
{
	return dmp__vfio_ioremap(ctx, phys, size, va);
}

static void vfio_iounmap(void *ctx, void *va)
{
	dmp__vfio_iounmap(ctx, va);
}

static int vfio_set_mem_attr(void *ctx, dmp_phys_t phys, size_t size, enum dmp_mem_attr attr)
{
	/* user space cannot change the memory type of its pages; on x86 PCI
	 * DMA is coherent and no device asks */
	(void)ctx, (void)phys, (void)size, (void)attr;
	return -EOPNOTSUPP;
}

/* The memfd's pages again, at another address: what dmp_mmap_coherent gives
 * user space.  On huge pages only whole huge pages can be mapped. */
static int vfio_user_map(void *ctx, dmp_phys_t phys, size_t size, void **addr, int *fd,
			 uint64_t *offset)
{
	struct dmp_vfio *v = ctx;
	if (phys < v->mem_base || size > v->mem_size || phys - v->mem_base > v->mem_size - size)
		return -EINVAL;
	uint64_t off = phys - v->mem_base;
	if (!DMP_IS_ALIGNED(off | size, v->mem_pgsize))
		return -EINVAL;
	void *p = dmp__vfio_sys.mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->memfd,
				     (off_t)off);
	if (p == MAP_FAILED)
		return -ENOMEM;
	*addr = p;
	*fd = v->memfd;
	*offset = off;
	return 0;
}

static void vfio_user_unmap(void *ctx, void *addr, size_t size)
{
	(void)ctx;
	dmp__vfio_sys.munmap(addr, size);
}

static const struct dmp_platform_ops vfio_platform_ops = {
	.name = "linux-vfio",
	.cache_line_size = dmp__vfio_cache_line_size,
	.dcache_clean = dmp__vfio_dcache_clean,
	.dcache_inval = dmp__vfio_dcache_inval,
	.dcache_flush = dmp__vfio_dcache_flush,
	.outer_clean = outer_nop,
	.outer_inval = outer_nop,
	.outer_flush = outer_nop,
	.mb = dmp__vfio_mb,
	.rmb = dmp__vfio_rmb,
	.wmb = dmp__vfio_wmb,
	.dma_rmb = dmp__vfio_dma_rmb,
	.dma_wmb = dmp__vfio_dma_wmb,
	.ioremap = vfio_ioremap,
	.iounmap = vfio_iounmap,
	/* a BAR mapping of vfio-pci is uncached (pgprot_noncached): one access
	 * of the width asked is one bus transaction */
	.mmio_read = dmp_mmio_read_direct,
	.mmio_write = dmp_mmio_write_direct,
	.set_mem_attr = vfio_set_mem_attr,
	.user_map = vfio_user_map,
	.user_unmap = vfio_user_unmap,
};

/* ---- open and close --------------------------------------------------------- */

/* /dev/vfio/vfio, with the API version and the type1v2 backend checked. */
static int container_open(int *out)
{
	int fd = dmp__vfio_sys.open("/dev/vfio/vfio", O_RDWR);
	if (fd < 0)
		return dmp__vfio_err(errno);
	int err = 0;
	if (dmp__vfio_sys.ioctl(fd, VFIO_GET_API_VERSION, NULL) != VFIO_API_VERSION ||
	    dmp__vfio_sys.ioctl(fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) != 1)
		err = -ENODEV;
	if (err) {
		dmp__vfio_sys.close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

int dmp_vfio_open(const struct dmp_vfio_config *cfg, struct dmp_vfio **out)
{
	static const struct dmp_vfio_config defaults;
	if (!out)
		return -EINVAL;
	if (!cfg)
		cfg = &defaults;
	size_t size = cfg->mem_size ? cfg->mem_size : DEFAULT_MEM_SIZE;
	dmp_phys_t base = cfg->mem_base ? cfg->mem_base : DEFAULT_MEM_BASE;
	if ((cfg->mode != DMP_VFIO_STRICT && cfg->mode != DMP_VFIO_PREMAPPED) ||
	    (unsigned int)cfg->coherence > DMP_VFIO_NONCOHERENT ||
	    !DMP_IS_ALIGNED(base, DMP_PAGE_SIZE) || base + size < base)
		return -EINVAL;
	if (dmp__platform.ops)
		return -EBUSY;

	struct dmp_vfio *v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->mode = cfg->mode;
	v->coherence = cfg->coherence;
	v->mem_base = base;
	int err = pthread_mutex_init(&v->lock, NULL) ? -ENOMEM : 0;
	if (err)
		goto fail_free;
	err = container_open(&v->container);
	if (err)
		goto fail_mutex;
	err = mem_alloc(v, size, cfg->no_hugepages);
	if (err)
		goto fail_container;
	err = memmap_alloc(v);
	if (err)
		goto fail_mem;
	err = dmp_platform_install(&(struct dmp_platform){ &vfio_platform_ops, v });
	if (err)
		goto fail_memmap;
	err = dmp_mem_add_region(v->mem_base, v->mem, v->mem_size, v->memmap);
	if (err)
		goto fail_platform;

	snprintf(v->iommu.name, sizeof(v->iommu.name), "vfio-type1");
	v->iommu.ops = &dmp__vfio_iommu_ops;
	v->iommu.priv = v;
	v->iommu.default_type = v->mode == DMP_VFIO_PREMAPPED ? DMP_IOMMU_DOMAIN_IDENTITY
							     : DMP_IOMMU_DOMAIN_DMA;
	err = dmp_iommu_register(&v->iommu);
	if (err)
		goto fail_platform;
	v->nr_resv_base = v->iommu.nr_resv;
	*out = v;
	return 0;

fail_platform:
	dmp_platform_uninstall();
fail_memmap:
	dmp__vfio_sys.munmap(v->memmap, v->memmap_size);
fail_mem:
	mem_free(v);
fail_container:
	dmp__vfio_sys.close(v->container);
fail_mutex:
	pthread_mutex_destroy(&v->lock);
fail_free:
	free(v);
	return err;
}

int dmp_vfio_close(struct dmp_vfio *v)
{
	if (!v)
		return 0;
	pthread_mutex_lock(&v->lock);
	bool busy = v->devices != NULL;
	pthread_mutex_unlock(&v->lock);
	if (busy)
		return -EBUSY;
	dmp_iommu_unregister(&v->iommu);
	dmp_platform_uninstall();
	dmp__vfio_sys.munmap(v->memmap, v->memmap_size);
	mem_free(v);
	dmp__vfio_sys.close(v->container);
	pthread_mutex_destroy(&v->lock);
	free(v);
	return 0;
}

const char *dmp_vfio_describe(const struct dmp_vfio *v, char *buf, size_t len)
{
	if (!v) {
		snprintf(buf, len, "no VFIO platform");
		return buf;
	}
	snprintf(buf, len, "%zu MiB of %s pages (memfd, %s) at physical 0x%llx-0x%llx, %s mode",
		 v->mem_size >> 20, v->mem_pgsize == HUGE_PAGE_SIZE ? "2 MiB huge" : "4 KiB",
		 v->mem_locked ? "locked" : "not locked",
		 (unsigned long long)v->mem_base,
		 (unsigned long long)(v->mem_base + v->mem_size - 1),
		 v->mode == DMP_VFIO_PREMAPPED ? "pre-mapped" : "strict");
	return buf;
}

uint64_t dmp_vfio_iommu_pgsizes(const struct dmp_vfio *v)
{
	return v ? v->pgsizes : 0;
}

void dmp_vfio_get_stats(struct dmp_vfio *v, struct dmp_vfio_stats *st)
{
	if (!v) {
		*st = (struct dmp_vfio_stats){ 0 };
		return;
	}
	pthread_mutex_lock(&v->lock);
	*st = v->stats;
	pthread_mutex_unlock(&v->lock);
}
