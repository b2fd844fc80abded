/* SPDX-License-Identifier: MIT */
/*
 * platform.c - dmaport's platform on QEMU's virt machine (Cortex-A57).
 *
 * Memory: a static arena in RAM, identity mapped (phys == va).  Cache
 * maintenance: the real instructions, by virtual address to the point of
 * coherency.  Barriers: Linux arm64's.  MMIO: the identity-mapped Device
 * memory of mmu.c, reached with volatile accesses.
 *
 * Note that QEMU's TCG does not model data caches: the maintenance below is
 * executed (and would fault if it were wrong, e.g. on an unmapped address)
 * but a missing clean cannot show up as stale data under QEMU.  The
 * simulator is where missing maintenance is caught.
 */
#include <dmaport/platform.h>

#include "port.h"

#define ARENA_SIZE (16u << 20)

/* 2 MiB alignment lets the buddy allocator start with large blocks. */
static uint8_t arena[ARENA_SIZE] __attribute__((aligned(2u << 20), section(".noinit.arena")));
static struct dmp_page arena_memmap[ARENA_SIZE / DMP_PAGE_SIZE];

size_t virt_arena_size(void)
{
	return ARENA_SIZE;
}

/* CTR_EL0: DminLine [19:16] and CWG [27:24], log2 of the size in words. */
static uint64_t read_ctr(void)
{
	uint64_t ctr;
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	return ctr;
}

/* The stride of the by-VA loops: the smallest data cache line. */
size_t virt_dcache_min_line(void)
{
	return (size_t)4 << ((read_ctr() >> 16) & 0xf);
}

/*
 * What DMA buffers must be aligned to: the cache writeback granule, the
 * largest amount of memory one line's writeback can touch (Linux arm64's
 * cache_line_size(); CWG = 0 means "unknown", and then the architectural
 * maximum is assumed).
 */
static size_t virt_cache_line_size(void *ctx)
{
	(void)ctx;
	unsigned cwg = (read_ctr() >> 24) & 0xf;
	return cwg ? (size_t)4 << cwg : DMP_KMALLOC_MINALIGN;
}

static void virt_dcache_clean(void *ctx, const void *va, size_t size)
{
	(void)ctx;
	size_t line = virt_dcache_min_line();
	uintptr_t a = (uintptr_t)va & ~(line - 1), end = (uintptr_t)va + size;
	for (; a < end; a += line)
		__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

/*
 * Invalidate to the PoC.  A partial line at either end also holds bytes that
 * are not the buffer's and may be dirty: those lines are cleaned and
 * invalidated instead of thrown away (Linux arch/arm64/mm/cache.S,
 * dcache_inval_poc).
 */
static void virt_dcache_inval(void *ctx, const void *va, size_t size)
{
	(void)ctx;
	size_t line = virt_dcache_min_line();
	uintptr_t start = (uintptr_t)va, end = start + size;
	uintptr_t a = start & ~(line - 1);
	if (size == 0)
		return;
	if (end & (line - 1)) {
		__asm__ volatile("dc civac, %0" ::"r"(end & ~(line - 1)) : "memory");
		end &= ~(line - 1);
	}
	if (start & (line - 1)) {
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
		a += line;
	}
	for (; a < end; a += line)
		__asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

static void virt_dcache_flush(void *ctx, const void *va, size_t size)
{
	(void)ctx;
	size_t line = virt_dcache_min_line();
	uintptr_t a = (uintptr_t)va & ~(line - 1), end = (uintptr_t)va + size;
	for (; a < end; a += line)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

/*
 * No outer cache to maintain: the Cortex-A57's L2 is integrated and lies
 * inside the point of coherency, so the "dc ... by VA to PoC" loops above
 * already push data through it to memory.  (An outer cache by PA is for
 * systems like the PL310 on 32-bit Arm, which sits outside the CPU's
 * by-VA operations.)
 */
static void virt_outer_nop(void *ctx, dmp_phys_t pa, size_t size)
{
	(void)ctx;
	(void)pa;
	(void)size;
}

/* Barriers: Linux arch/arm64/include/asm/barrier.h. */
static void virt_mb(void *ctx)
{
	(void)ctx;
	__asm__ volatile("dsb sy" ::: "memory");
}

static void virt_rmb(void *ctx)
{
	(void)ctx;
	__asm__ volatile("dsb ld" ::: "memory");
}

static void virt_wmb(void *ctx)
{
	(void)ctx;
	__asm__ volatile("dsb st" ::: "memory");
}

static void virt_dma_rmb(void *ctx)
{
	(void)ctx;
	__asm__ volatile("dmb oshld" ::: "memory");
}

static void virt_dma_wmb(void *ctx)
{
	(void)ctx;
	__asm__ volatile("dmb oshst" ::: "memory");
}

/* MMIO: mmu.c maps the device regions 1:1 as Device-nGnRE. */
static int virt_ioremap(void *ctx, dmp_phys_t phys, size_t size, void **va)
{
	(void)ctx;
	if (!mmu_is_device(phys, size))
		return -ENODEV;
	*va = (void *)(uintptr_t)phys;
	return 0;
}

static void virt_iounmap(void *ctx, void *va)
{
	(void)ctx;
	(void)va;
}

/*
 * Coherent memory for non-coherent devices: both uncached and
 * write-combining are Normal non-cacheable on arm64 (Linux's
 * pgprot_dmacoherent and pgprot_writecombine are both MT_NORMAL_NC).  Only
 * the arena has page-granular tables (mmu.c).
 */
static int virt_set_mem_attr(void *ctx, dmp_phys_t phys, size_t size, enum dmp_mem_attr attr)
{
	(void)ctx;
	unsigned int mt = attr == DMP_MEM_NORMAL ? MT_NORMAL : MT_NORMAL_NC;
	if (attr != DMP_MEM_NORMAL && attr != DMP_MEM_UNCACHED && attr != DMP_MEM_WC)
		return -EOPNOTSUPP;
	return mmu_set_page_attr(phys, size, mt) ? -EOPNOTSUPP : 0;
}

const struct dmp_platform_ops virt_platform_ops = {
	.name = "qemu-virt-aarch64",
	.cache_line_size = virt_cache_line_size,
	.dcache_clean = virt_dcache_clean,
	.dcache_inval = virt_dcache_inval,
	.dcache_flush = virt_dcache_flush,
	.outer_clean = virt_outer_nop,
	.outer_inval = virt_outer_nop,
	.outer_flush = virt_outer_nop,
	.mb = virt_mb,
	.rmb = virt_rmb,
	.wmb = virt_wmb,
	.dma_rmb = virt_dma_rmb,
	.dma_wmb = virt_dma_wmb,
	.ioremap = virt_ioremap,
	.iounmap = virt_iounmap,
	.mmio_read = dmp_mmio_read_direct,
	.mmio_write = dmp_mmio_write_direct,
	.set_mem_attr = virt_set_mem_attr,
};

int virt_platform_init(void)
{
	static const struct dmp_platform plat = { .ops = &virt_platform_ops, .ctx = NULL };
	int ret = dmp_platform_install(&plat);
	if (ret)
		return ret;
	/* Identity map: the arena's physical address is its address. */
	ret = dmp_mem_add_region((dmp_phys_t)(uintptr_t)arena, arena, sizeof(arena), arena_memmap);
	if (ret)
		goto err_uninstall;
	return 0;

err_uninstall:
	dmp_platform_uninstall();
	return ret;
}
