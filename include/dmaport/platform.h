/* SPDX-License-Identifier: MIT */
/*
 * dmaport/platform.h - the platform contract.
 *
 * IMPLEMENTERS' HEADER: for platform ports (the simulator, bare metal, ...)
 * and for dmaport's own layers.  Drivers include <dmaport/dmaport.h> and never
 * this file.
 *
 * A platform gives dmaport:
 *   - physical memory: regions registered with dmp_mem_add_region(); dmaport's
 *     page allocator (pages by order) and heap run on top of them, and
 *     phys<->virt is arithmetic over the regions;
 *   - cache maintenance by range, inner levels by virtual address and the
 *     outer cache by physical address, so that an arch layer which forgets the
 *     outer cache is caught on the simulator;
 *   - barriers;
 *   - MMIO: ioremap and accessors of 8/16/32/64 bits;
 *   - memory attributes (uncached / write-combining) for coherent allocations
 *     on non-coherent devices.
 * These vary at run time (the simulator is configured per test) and go through
 * struct dmp_platform_ops with a cookie.
 *
 * The other half of the contract - CPUs, time, timers, the console and the
 * metadata allocator - is fixed per build: <dmaport/port.h> lists it, with
 * the conventions every primitive follows.
 *
 * Below the table: what dmaport gives a platform in return (memory regions,
 * cache-sync helpers, failure injection, precondition asserts; the log is
 * <dmaport/log.h>).
 *
 * Exactly one platform is active at a time (as one kernel runs on one
 * machine); dmp_platform_install() makes one active.
 */
#ifndef DMAPORT_PLATFORM_H
#define DMAPORT_PLATFORM_H

#include <stdarg.h>
#include <stdatomic.h>

#include <dmaport/dma-direction.h>
#include <dmaport/log.h>
#include <dmaport/memory.h>
#include <dmaport/port.h>
#include <dmaport/spinlock.h>
#include <dmaport/types.h>

DMP_BEGIN_DECLS



/**
 * struct dmp_platform_ops - the run-time half of the platform contract.
 *
 * Every callback gets the platform's cookie first.  Cache maintenance covers
 * every cache line that intersects [start, start + size): whole lines, as on
 * hardware.  None of these may fail except where an int is returned.
 * Every member is mandatory except user_map and user_unmap (a target
 * without user space leaves them NULL): dmp_platform_install() refuses a
 * table with a hole.  A target without an outer cache, or whose DMA is
 * coherent, gives callbacks that do nothing.  Context: as the primitives of
 * <dmaport/port.h> (any thread, spinlocks held, never blocking), except
 * ioremap/iounmap and user_map/user_unmap, which may sleep.
 */
struct dmp_platform_ops {
	const char *name;

	/** Cache line size of the data caches, in bytes (a power of two). */
	size_t (*cache_line_size)(void *ctx);
	/* Inner (CPU-side, L1...) caches, to the point of coherency, by VA. */
	void (*dcache_clean)(void *ctx, const void *va, size_t size);
	void (*dcache_inval)(void *ctx, const void *va, size_t size);
	void (*dcache_flush)(void *ctx, const void *va, size_t size); /* clean+inval */
	/* Outer cache (an L2 that DMA bypasses), by PA.  No-ops without one. */
	void (*outer_clean)(void *ctx, dmp_phys_t pa, size_t size);
	void (*outer_inval)(void *ctx, dmp_phys_t pa, size_t size);
	void (*outer_flush)(void *ctx, dmp_phys_t pa, size_t size);

	/* Barriers: Linux's mb/rmb/wmb (also order MMIO) and dma_rmb/dma_wmb
	 * (order accesses to coherent DMA memory only). */
	void (*mb)(void *ctx);
	void (*rmb)(void *ctx);
	void (*wmb)(void *ctx);
	void (*dma_rmb)(void *ctx);
	void (*dma_wmb)(void *ctx);

	/**
	 * ioremap - map @size bytes of MMIO at @phys; *@va receives the cookie
	 * that the accessors take.  Returns 0, -ENODEV (nothing there) or
	 * -ENOMEM.  The cookie need not be dereferenceable.
	 */
	int (*ioremap)(void *ctx, dmp_phys_t phys, size_t size, void **va);
	void (*iounmap)(void *ctx, void *va);
	/** Read @width bytes (1, 2, 4, 8) of MMIO at @addr. Unmapped: all ones. */
	uint64_t (*mmio_read)(void *ctx, const volatile void *addr, unsigned width);
	void (*mmio_write)(void *ctx, volatile void *addr, unsigned width, uint64_t val);

	/**
	 * set_mem_attr - give the pages of [phys, phys + size) memory type
	 * @attr (page-aligned range).  Returns 0 or -EOPNOTSUPP.  The caller has
	 * already flushed the cacheable alias (Linux's arch_dma_prep_coherent).
	 */
	int (*set_mem_attr)(void *ctx, dmp_phys_t phys, size_t size, enum dmp_mem_attr attr);

	/**
	 * user_map - map [phys, phys + size) of memory (page aligned) into a
	 * user address space: *@addr in this process, and (*@fd, *@offset) from
	 * which another process can map the same bytes.  NULL or -EOPNOTSUPP
	 * where the platform has no user space.  user_unmap undoes it.
	 */
	int (*user_map)(void *ctx, dmp_phys_t phys, size_t size, void **addr, int *fd,
			uint64_t *offset);
	void (*user_unmap)(void *ctx, void *addr, size_t size);
};

struct dmp_platform {
	const struct dmp_platform_ops *ops;
	void *ctx;
};

/**
 * dmp_mmio_read_direct / dmp_mmio_write_direct - ready-made mmio_read and
 * mmio_write callbacks for platforms whose ioremap() cookie is a pointer the
 * CPU dereferences (a Device or uncached mapping: bare metal, a BAR mmapped
 * from VFIO): one volatile access of @width bytes (1, 2, 4 or 8; anything
 * else is a precondition failure).  @ctx is not used.
 */
DMP_API uint64_t dmp_mmio_read_direct(void *ctx, const volatile void *addr, unsigned width);
DMP_API void dmp_mmio_write_direct(void *ctx, volatile void *addr, unsigned width, uint64_t val);

/**
 * dmp__platform - the active platform, set by dmp_platform_install().  For
 * the core, and the statically linked tests and tools that play a platform;
 * not exported from libdmaport.so.
 */
extern struct dmp_platform dmp__platform;

/**
 * dmp_platform_install - make @p the active platform.
 * Returns 0, -EINVAL if a mandatory member of @p->ops is NULL (a log line
 * names it), or -EBUSY if another platform is active.
 */
DMP_API int dmp_platform_install(const struct dmp_platform *p);
/** dmp_platform_uninstall - no platform active; forgets memory regions. */
DMP_API void dmp_platform_uninstall(void);

/*
 * Physical memory.
 *
 * struct dmp_page is the per-page descriptor (Linux's struct page).  A
 * platform provides storage for one per page of each region it registers; the
 * page allocator and the heap keep their state there, never inside the memory
 * that drivers see.
 */
struct dmp_page {
	uint32_t next, prev;   /* free-list links (page index in region + 1) */
	uint8_t order;         /* order of the block this page heads */
	uint8_t flags;         /* DMP_PAGE_* */
	uint8_t slab_class;    /* heap size class + 1, or 0 */
	uint8_t heap_flags;    /* the heap's own marks, under its lock: never in @flags,
	                        * which the page allocator reads under another */
	uint64_t slab_free;    /* heap: bitmap of free objects in this page */
};

#define DMP_PAGE_ORDER_MAX 18 /* largest block: 2^18 pages = 1 GiB */

/**
 * dmp_mem_add_region - hand a region of physical memory to dmaport.
 * @phys:   its physical address (page aligned)
 * @va:     where the CPU sees it (page aligned)
 * @size:   bytes (a multiple of the page size)
 * @memmap: storage for size / DMP_PAGE_SIZE zeroed page descriptors; dmaport
 *          touches only the descriptors of pages it hands out, so a
 *          MAP_NORESERVE mapping costs only what is used.
 * Any physical address below 2^64 will do; a region holds fewer than 2^32
 * pages (16 TiB).
 * Returns 0, -EINVAL (misaligned, overlapping, wrapping past 2^64, too big)
 * or -ENOMEM (too many regions).
 */
DMP_API int dmp_mem_add_region(dmp_phys_t phys, void *va, size_t size, struct dmp_page *memmap);

/**
 * dmp_mem_reserve - take [phys, phys + size) (page aligned, inside one
 * region) out of the page allocator for good: reserved memory (CMA areas,
 * declared coherent pools, restricted bounce pools) that their own
 * allocators manage.  Returns 0, -EINVAL, or -EBUSY if a page is in use
 * (nothing is reserved then).
 */
DMP_API int dmp_mem_reserve(dmp_phys_t phys, size_t size);

/*
 * Cache maintenance for DMA (src/platform/arch-sync.c): Linux's
 * arch_sync_dma_for_device(), arch_sync_dma_for_cpu() and
 * arch_dma_prep_coherent(), the arm rules over the active platform's inner
 * (by VA) and outer (by PA) cache operations.  The DMA API calls them for
 * non-coherent devices; a port's own drivers (an IOMMU's tables and queues
 * in cacheable memory, a raw DMA test) call them for memory they hand to a
 * device outside the DMA API.  [@phys, +@size) and [@va, +@size) are the same
 * bytes.  Context: any; never block.
 */
/**
 * dmp_arch_sync_for_device - make the CPU's writes to the range visible to
 * a non-coherent device, and keep dirty lines from being written back over
 * what the device writes: cleans inner then outer, for every direction (as
 * arm64 does).
 */
DMP_API void dmp_arch_sync_for_device(dmp_phys_t phys, const void *va, size_t size,
				      enum dmp_data_direction dir);
/**
 * dmp_arch_sync_for_cpu - make what a non-coherent device wrote visible to
 * the CPU: invalidates outer then inner; nothing for DMP_TO_DEVICE.
 */
DMP_API void dmp_arch_sync_for_cpu(dmp_phys_t phys, const void *va, size_t size,
				   enum dmp_data_direction dir);
/**
 * dmp_arch_prep_coherent - clean and invalidate the cacheable alias of
 * pages about to be used uncached or write-combining, so that no dirty line
 * is later evicted over them.
 */
DMP_API void dmp_arch_prep_coherent(dmp_phys_t phys, const void *va, size_t size);

/*
 * A metadata allocator over a static arena (src/platform/meta-arena.c), for
 * ports without a heap to implement dmp__meta_alloc() with:
 *
 *	static _Alignas(DMP_META_ALIGN) uint8_t meta_mem[256 << 10];
 *	static struct dmp_meta_arena meta = DMP_META_ARENA_INIT(meta_mem, sizeof(meta_mem));
 *	void *dmp__meta_alloc(size_t size) { return dmp_meta_arena_alloc(&meta, size); }
 *	void dmp__meta_free(void *p, size_t size) { dmp_meta_arena_free(&meta, p, size); }
 *
 * A bump pointer and one free list per size (up to DMP_META_ARENA_SIZES
 * distinct sizes; the core uses fewer than ten): memory given back is reused
 * for the same size only, and never returns to the bump pointer.  Callable
 * with spinlocks held.  Fields are private.
 */
#define DMP_META_ARENA_SIZES 16
struct dmp_meta_arena {
	uint8_t *base;
	size_t size, used;
	struct {
		size_t size;
		void *head;
	} lists[DMP_META_ARENA_SIZES];
	dmp_spinlock_t lock;
};
/* A static initialiser: the arena works before any code has run. */
#define DMP_META_ARENA_INIT(mem, bytes) { .base = (uint8_t *)(mem), .size = (bytes) }
/** dmp_meta_arena_init - @a hands out [@mem, +@size); @mem DMP_META_ALIGN-aligned. */
DMP_API void dmp_meta_arena_init(struct dmp_meta_arena *a, void *mem, size_t size);
/** dmp_meta_arena_alloc - as dmp__meta_alloc(): NULL when the arena is spent
 * or a new size finds every list taken. */
DMP_API void *dmp_meta_arena_alloc(struct dmp_meta_arena *a, size_t size);
/** dmp_meta_arena_free - give back @p from dmp_meta_arena_alloc(@a, @size); NULL: nothing. */
DMP_API void dmp_meta_arena_free(struct dmp_meta_arena *a, void *p, size_t size);

/*
 * DMP_ASSERT - the core's precondition assert, for ports too: on in debug
 * builds (the default), off with NDEBUG.  A failed one logs the condition
 * and where it is, then traps.
 */
#ifndef NDEBUG
#define DMP_ASSERT(cond)                                                              \
	do {                                                                          \
		if (__builtin_expect(!(cond), 0))                                     \
			dmp__assert_fail(#cond, __FILE__, __LINE__);                  \
	} while (0)
#else
#define DMP_ASSERT(cond) ((void)0)
#endif
/** dmp__assert_fail - log "assertion failed: @cond at @file:@line", trap.
 * Never returns: so a caller keeps no registers alive across the check (a
 * DMP_ASSERT in a hot path otherwise costs a stack frame). */
__attribute__((__noreturn__)) void dmp__assert_fail(const char *cond, const char *file, int line);

/*
 * Failure injection (SQLite's test_malloc style): make the Nth call of a
 * site fail, so that tests walk every error path.
 */
enum dmp_fail_site {
	DMP_FAIL_PAGE = 0, /* page allocator: dmp_page_alloc() */
	DMP_FAIL_HEAP = 1, /* heap: dmp_kmalloc() */
	DMP_FAIL_NR_SITES
};

/**
 * dmp_fail_nth - make the @nth next call at @site fail (1 = the next call),
 * once.  0 disarms.  Counts are global and atomic.  Counting starts with the
 * process's first dmp_fail_nth() call (for any site, 0 included): until
 * then a site costs one load of a read-mostly flag, not a shared counter.
 */
DMP_API void dmp_fail_nth(enum dmp_fail_site site, unsigned long nth);
/** dmp_fail_calls - how many calls @site has seen since the last dmp_fail_nth(). */
DMP_API unsigned long dmp_fail_calls(enum dmp_fail_site site);
DMP_END_DECLS

#endif /* DMAPORT_PLATFORM_H */
