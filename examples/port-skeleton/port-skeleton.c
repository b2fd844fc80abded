/* SPDX-License-Identifier: MIT */
/*
 * port-skeleton.c - the smallest complete dmaport port (docs/porting.md).
 *
 * The target it describes: one CPU, no threads, no timer interrupts, RAM at
 * a fixed address that the CPU sees identity-mapped (physical address ==
 * virtual address), and DMA that is cache-coherent (no data cache, or a
 * coherent interconnect): cache maintenance has nothing to do.  A target
 * with non-coherent DMA fills in the three dcache_* callbacks with its
 * clean / invalidate / clean+invalidate by address loops instead
 * (ports/qemu-virt-aarch64/platform.c does, with `dc cvac` and friends).
 *
 * The board supplies two functions, declared below; everything else is here.
 * `make check` compiles this file against the freestanding core and runs a
 * DMA round trip through it (skeleton-main.c), so it stays complete.
 */
#include <stdatomic.h>

#include <dmaport/platform.h>
#include <dmaport/port.h>

#include "port-skeleton.h"

/* ---- The primitives of <dmaport/port.h> ----------------------------------- */

void dmp_cpu_relax(unsigned int spins)
{
	/* One CPU: a spinning waiter can only wait for an interrupt handler.
	 * An SMT core or a hypervisor would want its pause hint here. */
	(void)spins;
}

unsigned int dmp_cpu_id(void)
{
	return 0;
}

unsigned int dmp_nr_cpus(void)
{
	return 1;
}

/* No membarrier: dmp__asym_on stays false and every slot is shared, so the
 * core's per-CPU caches take their spinlock (uncontended here). */
unsigned int dmp__cpu_slot_assign(void)
{
	return dmp__cpu_self = DMP_CPU_SLOT_SHARED;
}

void dmp__asym_barrier(void)
{
	atomic_thread_fence(memory_order_seq_cst); /* never called: dmp__asym_on is false */
}

uint64_t dmp_time_ns(void)
{
	return board_clock_ns();
}

uint64_t dmp_time_coarse_ns(void)
{
	return board_clock_ns();
}

/* No timer interrupts: the lazy IOTLB flush checks its deadline at the next
 * unmap instead. */
int dmp_timer_create(dmp_timer_fn fn, void *cookie, struct dmp_timer **out)
{
	(void)fn, (void)cookie, (void)out;
	return -EOPNOTSUPP;
}

void dmp_timer_arm(struct dmp_timer *t, uint64_t delay_ns)
{
	(void)t, (void)delay_ns;
}

void dmp_timer_destroy(struct dmp_timer *t)
{
	(void)t;
}

void dmp_env_puts(const char *s)
{
	while (*s)
		board_console_putc(*s++);
	board_console_putc('\n');
}

/* CPU-only bookkeeping (devices, the IOVA allocator's nodes): dmaport's
 * arena allocator over static memory, as there is no heap. */
static _Alignas(DMP_META_ALIGN) uint8_t meta_mem[256u << 10];
static struct dmp_meta_arena meta = DMP_META_ARENA_INIT(meta_mem, sizeof(meta_mem));

void *dmp__meta_alloc(size_t size)
{
	return dmp_meta_arena_alloc(&meta, size);
}

void dmp__meta_free(void *p, size_t size)
{
	dmp_meta_arena_free(&meta, p, size);
}

/* ---- The run-time table of <dmaport/platform.h> --------------------------- */

static size_t skel_cache_line_size(void *ctx)
{
	(void)ctx;
	return 64; /* what DMA buffers are aligned to: the largest line in the system */
}

/* Coherent DMA: the device sees what the CPU wrote, and the CPU what it wrote. */
static void skel_dcache_nop(void *ctx, const void *va, size_t size)
{
	(void)ctx, (void)va, (void)size;
}

static void skel_outer_nop(void *ctx, dmp_phys_t pa, size_t size)
{
	(void)ctx, (void)pa, (void)size;
}

/* Barriers: C11 fences order memory for the CPU; a weakly ordered bus would
 * need the architecture's barrier instructions here (as Linux's). */
static void skel_fence(void *ctx)
{
	(void)ctx;
	atomic_thread_fence(memory_order_seq_cst);
}

/* MMIO: device registers are identity-mapped, reached with volatile accesses. */
static int skel_ioremap(void *ctx, dmp_phys_t phys, size_t size, void **va)
{
	(void)ctx, (void)size;
	*va = (void *)(uintptr_t)phys;
	return 0;
}

static void skel_iounmap(void *ctx, void *va)
{
	(void)ctx, (void)va;
}

/* No page tables to change: a non-coherent device's uncached memory cannot
 * be made here, and the core says so to whoever asks for it. */
static int skel_set_mem_attr(void *ctx, dmp_phys_t phys, size_t size, enum dmp_mem_attr attr)
{
	(void)ctx, (void)phys, (void)size;
	return attr == DMP_MEM_NORMAL ? 0 : -EOPNOTSUPP;
}

static const struct dmp_platform_ops skel_ops = {
	.name = "port-skeleton",
	.cache_line_size = skel_cache_line_size,
	.dcache_clean = skel_dcache_nop,
	.dcache_inval = skel_dcache_nop,
	.dcache_flush = skel_dcache_nop,
	.outer_clean = skel_outer_nop,
	.outer_inval = skel_outer_nop,
	.outer_flush = skel_outer_nop,
	.mb = skel_fence,
	.rmb = skel_fence,
	.wmb = skel_fence,
	.dma_rmb = skel_fence,
	.dma_wmb = skel_fence,
	.ioremap = skel_ioremap,
	.iounmap = skel_iounmap,
	.mmio_read = dmp_mmio_read_direct,
	.mmio_write = dmp_mmio_write_direct,
	.set_mem_attr = skel_set_mem_attr,
	/* .user_map / .user_unmap: no user space */
};

/* The memory dmaport hands out (pages, the heap, bounce buffers, pools). */
#define DMA_ARENA_SIZE (4u << 20)
static _Alignas(DMP_PAGE_SIZE) uint8_t dma_arena[DMA_ARENA_SIZE];
static struct dmp_page dma_arena_memmap[DMA_ARENA_SIZE / DMP_PAGE_SIZE];

int skeleton_port_init(void)
{
	static const struct dmp_platform plat = { .ops = &skel_ops, .ctx = NULL };
	int ret = dmp_platform_install(&plat);
	if (ret)
		return ret;
	/* identity map: the arena's physical address is its address */
	ret = dmp_mem_add_region((dmp_phys_t)(uintptr_t)dma_arena, dma_arena, sizeof(dma_arena),
				 dma_arena_memmap);
	if (ret)
		dmp_platform_uninstall();
	return ret;
}
