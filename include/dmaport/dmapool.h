/* SPDX-License-Identifier: MIT */
/*
 * dmaport/dmapool.h - pools of small, fixed-size coherent DMA blocks
 * (Linux's <linux/dmapool.h>, mm/dmapool.c).
 *
 * Callers' header.  A driver that needs many small coherent buffers
 * (descriptors, status words) creates a pool once and allocates blocks from
 * it: the pool carves page-sized (or larger) coherent allocations of the
 * pool's device into blocks, so that a 32-byte descriptor does not cost a
 * page.  Every block is coherent memory of the device: for a non-coherent
 * device it is uncached, exactly as what dmp_alloc_coherent() returns.
 *
 * Alloc and free are O(1) whatever the number of pages.  The free list is
 * kept in side metadata (an index array per page chunk), not threaded
 * through the free blocks as Linux 6.x does: a free block is then never
 * written by the allocator, so the whole block can carry the "freed" poison
 * and a CPU store into freed memory cannot corrupt the allocator.
 *
 * Debug builds (without NDEBUG) poison blocks (0xa7 when freed, 0xa9 when
 * allocated without zeroing, Linux's POOL_POISON_FREED/ALLOCATED), report a
 * write into a freed block when it is handed out again, and catch double
 * frees and foreign pointers (not from this pool, not the start of a block,
 * a bus address that does not match the CPU address) with a report naming
 * the pool and the device; nothing is changed by a bad free.
 *
 * Locking: every function may be called from any thread.  Each CPU keeps a
 * small cache of free blocks (at most 64 blocks or 64 KiB; none for blocks
 * above 16 KiB), entered without an atomic read-modify-write by the thread
 * that owns the CPU slot; behind the caches, the pool's spinlock, taken once
 * per half a cache of blocks.  A block in a cache is still a free block: a
 * second free of it is refused as a double free.  Pages are allocated
 * outside every lock; when none can be had, the blocks the caches hold are
 * given to the caller first.
 */
#ifndef DMAPORT_DMAPOOL_H
#define DMAPORT_DMAPOOL_H

#include <dmaport/types.h>

DMP_BEGIN_DECLS

struct dmp_device;
struct dmp_dma_pool;

/** Longest pool name kept (longer names are truncated). */
#define DMP_POOL_NAME_MAX 32

/**
 * dmp_pool_create - create a pool of @size-byte blocks for @dev.
 * @name:     for reports (truncated to DMP_POOL_NAME_MAX - 1).
 * @dev:      the device the blocks are allocated for (dmp_alloc_coherent()
 *            on it provides the memory).
 * @size:     block size in bytes (1 .. INT_MAX, as Linux); rounded up to
 *            @align.
 * @align:    alignment of every block's bus address (and of its CPU address
 *            up to a page: the simulator's CPU alias is page aligned only): a
 *            power of two up to 2^30, 0 meaning 1 (as Linux).
 * @boundary: no block crosses a multiple of @boundary: a power of two at
 *            least @size, or 0 for none.  Chunks are never smaller than a
 *            page, so boundaries above a page are always kept too.
 *
 * Returns the pool, or NULL if an argument is invalid (size 0 or above
 * INT_MAX, @align or @boundary not a power of two, @boundary below the
 * rounded size, no device) or there is no memory for the pool's
 * bookkeeping.  Linux returns a pointer too; the reason is not
 * distinguishable, as in Linux (a NULL return is reported for invalid
 * arguments).  No memory for blocks is allocated yet.
 * Context: may block.
 */
DMP_API struct dmp_dma_pool *dmp_pool_create(const char *name, struct dmp_device *dev, size_t size,
					     size_t align, size_t boundary);

/**
 * dmp_pool_destroy - free the pool and its memory.  NULL is ignored.
 *
 * Blocks still allocated are each reported (pool name, device name, block
 * address) and the chunks holding them are leaked, not freed: a device may
 * still be writing there.  Chunks with no live block are freed.  A managed
 * pool is also removed from its device's list.
 * Context: may block; no block of the pool may be allocated or freed
 * concurrently.
 */
DMP_API void dmp_pool_destroy(struct dmp_dma_pool *pool);

/**
 * dmp_pool_alloc - allocate one block.
 * @gfp:    DMP_GFP_KERNEL or DMP_GFP_ATOMIC (passed to the coherent
 *          allocation when a new chunk is needed), DMP_GFP_ZERO to zero it,
 *          DMP_GFP_NOWARN to not report a failure.
 * @handle: receives the block's bus address.
 *
 * Returns the block's CPU address, or NULL when no chunk could be allocated
 * (the device's coherent memory is exhausted or out of reach) or there is
 * no memory for the bookkeeping; *@handle is then DMP_MAPPING_ERROR.  A
 * NULL @pool (a creation that failed, unchecked) or @handle is reported and
 * gets NULL (Linux would dereference it).  The block is owned by the caller
 * until dmp_pool_free().
 * Context: any, with DMP_GFP_ATOMIC.
 */
DMP_API void *dmp_pool_alloc(struct dmp_dma_pool *pool, dmp_gfp_t gfp, dmp_addr_t *handle);

/** dmp_pool_zalloc - dmp_pool_alloc() with the block zeroed. */
DMP_API void *dmp_pool_zalloc(struct dmp_dma_pool *pool, dmp_gfp_t gfp, dmp_addr_t *handle);

/**
 * dmp_pool_free - give a block back.  @vaddr and @dma as dmp_pool_alloc()
 * returned them; NULL @vaddr is ignored.  A NULL @pool, a block not allocated from @pool,
 * not the start of a block, already free, or with @dma not matching @vaddr
 * is reported (a DMP_DEBUG_POOL_BAD_FREE finding, at the caller's line) and
 * nothing changes.  Chunks stay in the pool (for the next allocations) until
 * dmp_pool_destroy(), as in Linux.
 * Context: any.
 */
#define dmp_pool_free(pool, vaddr, dma) dmp__pool_free((pool), (vaddr), (dma), __FILE__, __LINE__)
DMP_API void dmp__pool_free(struct dmp_dma_pool *pool, void *vaddr, dmp_addr_t dma,
			    const char *file, int line);

/**
 * dmp_pool_create_managed - dmp_pool_create() with the pool tied to @dev's
 * lifetime (Linux's dmam_pool_create): dmp_device_remove(@dev) (or an
 * earlier dmp_device_release_managed(@dev)) destroys it.  Returns as
 * dmp_pool_create().
 */
DMP_API struct dmp_dma_pool *dmp_pool_create_managed(const char *name, struct dmp_device *dev,
						     size_t size, size_t align, size_t boundary);

/**
 * dmp_device_release_managed - destroy every managed pool of @dev (Linux's
 * devres release on driver detach).  dmp_device_remove() calls it; a driver
 * that lets go of a device it keeps may call it itself.  Pools are
 * destroyed newest first.
 */
DMP_API void dmp_device_release_managed(struct dmp_device *dev);

/**
 * dmp_pool_check - consistency walker: every chunk's free list and in-use
 * count agree, the pool's counts agree with the chunks, the list of chunks
 * with free blocks holds exactly those, every chunk is found by address,
 * and (debug builds) every free block still carries the freed poison.
 * Each CPU's cache holds distinct free blocks, marked cached and found in
 * no free list.  Returns 0, or -EFAULT (reported) at the first
 * inconsistency.  Context: stops every CPU's alloc and free of the pool
 * while it runs (enters every CPU's cache, then takes the pool's lock).
 */
DMP_API int dmp_pool_check(struct dmp_dma_pool *pool);

/** struct dmp_pool_stats - a snapshot of a pool's state. */
struct dmp_pool_stats {
	size_t block_size;    /* after rounding to the alignment */
	size_t chunk_size;    /* bytes per coherent allocation */
	size_t blocks_per_chunk;
	size_t nr_chunks;
	size_t nr_blocks;     /* nr_chunks * blocks_per_chunk */
	size_t nr_active;     /* blocks allocated */
	size_t nr_cached;     /* free blocks the CPUs' caches hold now */
	size_t cache_blocks;  /* the most one CPU's cache holds (0: no caches) */
};

/**
 * dmp_pool_get_stats - fill @st.  nr_active and nr_cached are exact when no
 * alloc or free of the pool runs at the same time (a snapshot otherwise).
 * Context: takes the pool's lock.
 */
DMP_API void dmp_pool_get_stats(struct dmp_dma_pool *pool, struct dmp_pool_stats *st);

/**
 * dmp_pool_set_debug - turn poisoning and the use-after-free check of @pool
 * on or off (on by default in debug builds, always off with NDEBUG).  Double
 * frees and foreign pointers are caught either way (that costs nothing).
 * Benchmarks use it to measure the allocator alone.
 */
DMP_API void dmp_pool_set_debug(struct dmp_dma_pool *pool, bool on);

/* Linux's poison values (mm/dmapool.c). */
#define DMP_POOL_POISON_FREED 0xa7
#define DMP_POOL_POISON_ALLOCATED 0xa9

DMP_END_DECLS

#endif /* DMAPORT_DMAPOOL_H */
