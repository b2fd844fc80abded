/* SPDX-License-Identifier: MIT */
/*
 * alloc-internal.h - hooks of the coherent-memory providers for the mapping
 * layer (direct.c, mapping.c, the IOMMU path).  Not installed; not for
 * drivers.
 *
 * The providers, in the order Linux consults them for a coherent allocation
 * (kernel/dma/mapping.c dma_alloc_attrs, kernel/dma/direct.c):
 *
 *   1. the device's declared coherent memory (coherent.c), exclusive: a
 *      device that has it is served from it or not at all;
 *   2. the atomic pool (atomic-pool.c) when the caller must not block and the
 *      normal path would (a non-coherent device: changing the memory type);
 *   3. the global coherent pool (coherent.c, linux,dma-default) for
 *      non-coherent devices when one is declared (CONFIG_DMA_GLOBAL_POOL);
 *   4. CMA (cma.c) for multi-page or forced-contiguous allocations;
 *   5. the page allocator.
 */
#ifndef DMP_ALLOC_INTERNAL_H
#define DMP_ALLOC_INTERNAL_H

#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/memory.h>
#include <dmaport/platform.h>

struct dmp_page;

/*
 * dmp__fill - memset for the allocators' zeroing and poisoning of memory that
 * changes hands between threads.  A plain loop, not a memset() call: under
 * ThreadSanitizer the memset interceptor reports false races on simulated
 * memory (the memfd mapping) between two owners that are properly ordered
 * by the allocator's lock, where the same stores written as a loop are not
 * (found by the -threads tests; a page-ownership table in them confirms no
 * page is ever held twice).  Optimised builds turn the loop back into
 * memset (-ftree-loop-distribute-patterns); sanitizer builds at -O1 do not.
 */
static inline void dmp__fill(void *p, uint8_t c, size_t n)
{
	uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = c;
}

/*
 * dmp__release_noncoherent - before a non-coherent device's pages go back to
 * the allocator (dma_free_noncoherent / dma_free_pages): invalidate them, so
 * that the cache and memory agree.  Linux frees them as they are: the
 * device's last writes are in memory behind whatever clean lines the cache
 * holds, and on hardware the next owner's stores overwrite those lines
 * whatever they hold.  The simulator cannot see a store of the value a line
 * already holds (a line is dirty when its bytes differ), so the next owner's
 * zeroing of such a line would look like no store at all, and a clean, or a
 * hostile refill, would bring the device's old bytes back.  On hardware the
 * invalidate only costs the free a little: the lines are the freed pages'.
 */
static inline void dmp__release_noncoherent(dmp_phys_t phys, size_t size)
{
	dmp_arch_sync_for_cpu(phys, dmp_phys_to_virt(phys), size, DMP_FROM_DEVICE);
}

/* ---- declared coherent memory (coherent.c) ------------------------------ */

/**
 * dmp__alloc_from_dev_coherent - serve a coherent allocation from @dev's
 * declared memory (Linux's dma_alloc_from_dev_coherent).
 * Returns 0 if @dev has no declared memory (the caller goes on with its
 * normal path); 1 if it has, in which case the request is settled here: *@ret
 * is the zeroed CPU address and *@dma its bus address, or *@ret is NULL when
 * the region has no room (the caller must not fall back: the region is
 * exclusive, as in Linux).  Context: any; never blocks.
 */
int dmp__alloc_from_dev_coherent(struct dmp_device *dev, size_t size, dmp_addr_t *dma,
					 void **ret);

/**
 * dmp__release_from_dev_coherent - give back @vaddr (@size bytes) if it lies
 * in @dev's declared memory.  Returns 1 if it did (the caller is done), 0 if
 * @vaddr is not from there.
 */
int dmp__release_from_dev_coherent(struct dmp_device *dev, size_t size, void *vaddr);

/**
 * dmp__mmap_from_dev_coherent - map @vaddr's allocation into user space if
 * it lies in @dev's declared memory.  Returns 1 if it did, with *@ret the
 * result (0, -ENXIO for a window beyond the allocation, -EOPNOTSUPP);
 * 0 if @vaddr is not from there.
 */
int dmp__mmap_from_dev_coherent(struct dmp_device *dev, struct dmp_user_mapping *um,
					void *vaddr, size_t size, int *ret);

/**
 * dmp__alloc_from_global_coherent - the same from the global pool
 * (linux,dma-default).  Returns the zeroed CPU address (bus address in
 * *@dma, through @dev's dma-ranges) or NULL (no global pool, no room, or
 * beyond @dev's coherent mask).
 */
void *dmp__alloc_from_global_coherent(struct dmp_device *dev, size_t size,
					      dmp_addr_t *dma);
/** dmp__release_from_global_coherent - 1 if @vaddr was from the global pool (freed), else 0. */
int dmp__release_from_global_coherent(size_t size, void *vaddr);
/** dmp__mmap_from_global_coherent - as dmp__mmap_from_dev_coherent, for the global pool. */
int dmp__mmap_from_global_coherent(struct dmp_user_mapping *um, void *vaddr, size_t size,
					   int *ret);
/** dmp__global_coherent_active - true if a global pool is declared. */
bool dmp__global_coherent_active(void);

/* ---- CMA (cma.c) --------------------------------------------------------- */

/**
 * dmp__dma_alloc_contiguous - pages for a coherent allocation from CMA
 * (Linux's dma_alloc_contiguous): @dev's area if it has one, else the default
 * area; single pages skip the default area, as in Linux, because they never
 * need it (a per-device area serves them: the device may need that memory).
 * The block is 2^get_order(@size) pages, aligned to its size (at most
 * DMP_CMA_ALIGN_ORDER_MAX), zeroed if @gfp has DMP_GFP_ZERO; with @direct,
 * also reachable through @dev's coherent mask, bus limit and dma-ranges (the
 * direct path's dma_coherent_ok(); behind an IOMMU any page will do).  DMP_GFP_ATOMIC callers get NULL
 * (Linux: CMA may sleep).  Returns the first page or NULL (no area, no room, or
 * the area is beyond the device's reach: the caller falls back to the page
 * allocator).  Never reports (the caller has a fallback).
 */
struct dmp_page *dmp__dma_alloc_contiguous(struct dmp_device *dev, size_t size,
						   dmp_gfp_t gfp, bool direct);

/**
 * dmp__dma_release_contiguous - give back @page (@size bytes) if it lies in
 * a CMA area (@dev's or the default).  Returns true if it did (the caller is
 * done), false if @page is not CMA memory (the caller frees it to the page
 * allocator).
 */
bool dmp__dma_release_contiguous(struct dmp_device *dev, struct dmp_page *page,
					 size_t size);

/** dmp__cma_owns - true if @phys lies in any CMA area. */
bool dmp__cma_owns(dmp_phys_t phys);
/** dmp__cma_size_ok - true if @phys starts a live CMA allocation of @size bytes
 * (as dmp__dma_alloc_contiguous() made it: a power-of-two number of pages). */
bool dmp__cma_size_ok(dmp_phys_t phys, size_t size);

/* ---- the atomic pool (atomic-pool.c) ------------------------------------- */

/** dmp__atomic_pool_active - true if dmp_atomic_pool_init() has run. */
bool dmp__atomic_pool_active(void);

/**
 * dmp__atomic_pool_alloc - @size bytes (rounded up to pages) of uncached
 * memory from the atomic pool; with @direct, memory that @dev can reach
 * through its coherent mask (and bus limit); behind an IOMMU any will do.
 * Zeroed.  @dev (may be NULL) is named in reports.  Returns the CPU address (physical address in
 * *@phys) or NULL: no pool, exhausted (reported with dmp_log: the pool's
 * size and what is free), or beyond the device's reach.
 * Context: any; never blocks.
 */
void *dmp__atomic_pool_alloc(struct dmp_device *dev, size_t size, dmp_phys_t *phys,
				     bool direct);

/**
 * dmp__atomic_pool_free - give back @vaddr if it lies in the atomic pool
 * (Linux's dma_free_from_pool).  Returns true if it did, false if @vaddr is
 * not pool memory (or is not a live allocation there: reported).
 */
bool dmp__atomic_pool_free(void *vaddr, size_t size);

/** dmp__atomic_pool_owns - true if @vaddr lies in the atomic pool. */
bool dmp__atomic_pool_owns(const void *vaddr);
/** dmp__atomic_pool_size_ok - true if @vaddr starts a live atomic pool
 * allocation of @size bytes. */
bool dmp__atomic_pool_size_ok(const void *vaddr, size_t size);

/* ---- platform teardown -------------------------------------------------- */

/*
 * dmp__allocators_forget - drop every CMA area, the global coherent pool and
 * the atomic pool without touching them: for the teardown of a machine whose
 * memory (which holds their bookkeeping) is about to go away while some of
 * them still had live allocations (their destroy refused).  What they held
 * is leaked with the machine; the next machine starts with none of them.
 * Must not race with other calls.
 */
void dmp__allocators_forget(void);

#endif /* DMP_ALLOC_INTERNAL_H */
