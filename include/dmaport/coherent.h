/* SPDX-License-Identifier: MIT */
/*
 * dmaport/coherent.h - per-device declared coherent memory and the global
 * default pool (Linux's kernel/dma/coherent.c: dma_declare_coherent_memory,
 * the "shared-dma-pool" reserved-memory node, "linux,dma-default").
 *
 * Callers' header: for drivers and the platform code that describes a
 * device (device tree reserved-memory).  A region declared for a device is
 * where dmp_alloc_coherent() for that device is served from, exclusively: a
 * device with declared memory gets its coherent buffers from there or not at
 * all (as Linux since it dropped DMA_MEMORY_EXCLUSIVE, which became the only
 * behaviour; dmp_declare_coherent_memory_flags() declares the older,
 * non-exclusive kind).  Allocations are power-of-two page blocks, aligned to their
 * size from the start of the region (Linux's bitmap_find_free_region), and
 * zeroed.  The region's bus address is @device_addr + (phys - @phys_addr):
 * the device's dma-ranges are not applied, the caller says where the device
 * sees the memory (Linux's device_base).
 *
 * The memory must be platform memory the caller has set aside (a block from
 * dmp_page_alloc(), or memory a platform keeps out of the page allocator):
 * dmaport does not take it from the page allocator and does not free it.
 * For a non-coherent device the region is made uncached when declared
 * (cacheable alias flushed first) and normal again when released, so every
 * buffer from it is coherent with the device, as dmp_alloc_coherent()
 * promises.
 *
 * Locking: each region has a spinlock; allocations may run concurrently.
 * Declaring and releasing must not race with allocations for that device.
 */
#ifndef DMAPORT_COHERENT_H
#define DMAPORT_COHERENT_H

#include <dmaport/types.h>

DMP_BEGIN_DECLS

struct dmp_device;

/**
 * dmp_declare_coherent_memory - give @dev a region of coherent memory.
 * @phys_addr:   CPU physical address of the region (page aligned, platform
 *               memory).
 * @device_addr: bus address at which @dev sees @phys_addr (page aligned).
 * @size:        bytes (rounded down to whole pages; at least one page).
 *
 * Returns 0, -EINVAL (no device, misaligned, no whole page, not all platform
 * memory, bus addresses that wrap), -EBUSY (@dev already has declared
 * memory), -ENOMEM (no memory for the bookkeeping), -EOPNOTSUPP (the
 * platform cannot make the region uncached for a non-coherent device).
 * Context: may block; at device set-up.
 */
DMP_API int dmp_declare_coherent_memory(struct dmp_device *dev, dmp_phys_t phys_addr,
					dmp_addr_t device_addr, size_t size);

/*
 * Flags of dmp_declare_coherent_memory_flags().
 * DMP_COHERENT_FALLBACK  the region is not exclusive: an allocation it cannot
 *                        serve (full, or larger than the region) is served by
 *                        the device's normal path instead (Linux before 5.1
 *                        without DMA_MEMORY_EXCLUSIVE).
 */
#define DMP_COHERENT_FALLBACK (1u << 0)

/**
 * dmp_declare_coherent_memory_flags - dmp_declare_coherent_memory() with
 * @flags (DMP_COHERENT_*; others: -EINVAL).
 */
DMP_API int dmp_declare_coherent_memory_flags(struct dmp_device *dev, dmp_phys_t phys_addr,
					      dmp_addr_t device_addr, size_t size,
					      unsigned int flags);

/**
 * dmp_mark_declared_memory_occupied - take the pages holding [@device_addr,
 * +@size) of @dev's declared region out of allocation (memory the device or
 * firmware already uses; Linux's dma_mark_declared_memory_occupied): the
 * block of 2^order pages at the page of @device_addr, order from the size.
 * *@cpu_addr (may be NULL) receives the CPU address of that page.  The block
 * does not keep dmp_release_coherent_memory() from releasing the region.
 * Returns 0, -EINVAL (no region, a shared one, outside it), -EBUSY (some
 * page is in use).
 */
DMP_API int dmp_mark_declared_memory_occupied(struct dmp_device *dev, dmp_addr_t device_addr,
					      size_t size, void **cpu_addr);

/**
 * dmp_share_coherent_memory - give @dev the declared memory of @owner too
 * (Linux's reserved-memory pool named by several devices' memory-region):
 * one region, one allocator; each device's bus addresses follow its own
 * dma-ranges.  dmp_release_coherent_memory() of a device detaches it; the
 * last one releases the region.  Returns 0, -EINVAL (@owner has none),
 * -EBUSY (@dev has declared memory already).
 */
DMP_API int dmp_share_coherent_memory(struct dmp_device *dev, struct dmp_device *owner);

/**
 * dmp_release_coherent_memory - take @dev's declared region away (the memory
 * goes back to the caller, with its normal memory type).
 * Returns 0, -ENOENT (no region declared) or -EBUSY (allocations from it are
 * still live: refused, nothing changes; free them first).
 */
DMP_API int dmp_release_coherent_memory(struct dmp_device *dev);

/**
 * dmp_dma_declare_global_coherent - declare the global coherent pool
 * (Linux's "linux,dma-default" shared-dma-pool with CONFIG_DMA_GLOBAL_POOL):
 * coherent allocations of non-coherent devices without their own region are
 * served from it, made uncached once here instead of page by page.  Bus
 * addresses follow each device's dma-ranges.  Same memory rules and returns
 * as dmp_declare_coherent_memory() (-EBUSY: a global pool exists).
 */
DMP_API int dmp_dma_declare_global_coherent(dmp_phys_t phys_addr, size_t size);

/** dmp_dma_release_global_coherent - 0, -ENOENT (none) or -EBUSY (live allocations). */
DMP_API int dmp_dma_release_global_coherent(void);

/** struct dmp_coherent_stats - a snapshot of a declared region. */
struct dmp_coherent_stats {
	dmp_phys_t phys_base;
	dmp_addr_t device_base;
	size_t nr_pages;
	size_t pages_used;
	size_t nr_allocs;     /* live allocations */
	size_t largest_free;  /* pages in the largest free aligned power-of-two block */
};

/**
 * dmp_coherent_get_stats - fill @st for @dev's region (NULL @dev: the global
 * pool).  Returns 0 or -ENOENT.
 */
DMP_API int dmp_coherent_get_stats(struct dmp_device *dev, struct dmp_coherent_stats *st);

/**
 * dmp_coherent_check - consistency walker of @dev's region (NULL @dev: the
 * global pool): every allocation's pages are marked used, aligned to its
 * size, within the region; no page is marked used outside an allocation; the
 * counts agree.  Returns 0, -ENOENT (no region) or -EFAULT (reported).
 */
DMP_API int dmp_coherent_check(struct dmp_device *dev);

/*
 * The atomic pool (Linux's kernel/dma/pool.c): uncached memory set aside at
 * start-up for coherent allocations that must not block (DMP_GFP_ATOMIC)
 * where the normal path would: on a non-coherent device, giving fresh pages
 * the uncached type "may block" (Linux remaps them, which sleeps), so atomic
 * callers are served from here.  dmp_alloc_coherent() uses it by itself; a
 * driver never calls it directly.
 */

/** Default size of the atomic pool (Linux's 256 KiB minimum per zone). */
#define DMP_ATOMIC_POOL_DEFAULT_SIZE (256u * 1024u)

/**
 * dmp_atomic_pool_init - set up the atomic pool: @size bytes (0: the
 * default; rounded up to a power-of-two number of pages) below 4 GiB, so
 * that 32-bit devices can use it, made uncached through the platform.
 * Returns 0, -EBUSY (a pool exists), -ENOMEM (no memory below 4 GiB, or for
 * the bookkeeping), -EINVAL (too large), -EOPNOTSUPP (the platform cannot
 * make memory uncached).  Context: set-up, may block.
 */
DMP_API int dmp_atomic_pool_init(size_t size);

/**
 * dmp_atomic_pool_destroy - give the pool's pages back (normal memory type).
 * Returns 0, -ENOENT (no pool) or -EBUSY (allocations live: refused).
 */
DMP_API int dmp_atomic_pool_destroy(void);

/** struct dmp_atomic_pool_stats - a snapshot of the atomic pool. */
struct dmp_atomic_pool_stats {
	dmp_phys_t phys;
	size_t nr_pages;
	size_t free_pages;
	size_t nr_allocs;
	size_t failures;   /* allocations refused since init (exhaustion or reach) */
};

/** dmp_atomic_pool_get_stats - fill @st.  Returns 0 or -ENOENT. */
DMP_API int dmp_atomic_pool_get_stats(struct dmp_atomic_pool_stats *st);

/**
 * dmp_atomic_pool_check - consistency walker (allocations disjoint, inside
 * the pool, bitmap and counts agree).  Returns 0, -ENOENT or -EFAULT
 * (reported).
 */
DMP_API int dmp_atomic_pool_check(void);

DMP_END_DECLS

#endif /* DMAPORT_COHERENT_H */
