/* SPDX-License-Identifier: MIT */
/*
 * dmaport/swiotlb.h - the swiotlb bounce-buffer pool.
 *
 * IMPLEMENTERS' HEADER: for the dma-mapping layer (the direct path bounces
 * through a pool when a device cannot reach a buffer, the IOMMU path bounces
 * sub-granule buffers of untrusted devices) and for platform set-up code
 * (the default pool, restricted-dma-pool regions from the device tree).
 * Drivers never include it: they see bouncing only through the DMA API.
 *
 * The model is Linux's (kernel/dma/swiotlb.c, include/linux/swiotlb.h):
 *
 *   - a pool is physically contiguous memory cut into slots of
 *     DMP_IO_TLB_SIZE (2 KiB) bytes; a bounce buffer is a run of slots;
 *   - the slots are grouped into segments of DMP_IO_TLB_SEGSIZE (128) slots
 *     and an allocation never crosses a segment boundary, so the largest
 *     bounce buffer is 256 KiB (less the alignment loss, see
 *     dmp_swiotlb_max_mapping_size());
 *   - the segments are split into areas, each with its own lock and search
 *     index; a mapping searches the area of the current CPU first, then the
 *     others, so that CPUs mapping at once rarely contend;
 *   - a bounce buffer keeps the original buffer's address bits covered by
 *     the device's min_align_mask (NVMe-style devices use the low bits of a
 *     DMA address as an offset into their own page): bounce & min_align_mask
 *     == orig & min_align_mask;
 *   - data moves by CPU copies between the original and the bounce buffer:
 *     on map (always: every direction, DMP_ATTR_SKIP_CPU_SYNC or not, see
 *     dmp_swiotlb_tbl_map_single()), on sync_for_device (TO_DEVICE,
 *     BIDIRECTIONAL), on sync_for_cpu and unmap (FROM_DEVICE,
 *     BIDIRECTIONAL; not at unmap with DMP_ATTR_SKIP_CPU_SYNC).
 *
 * Cache maintenance of the bounce buffer for a non-coherent device is NOT
 * done here: the dma-mapping layer does it on the bounce address after a
 * map or sync_for_device and before a sync_for_cpu or unmap, as Linux's
 * swiotlb_map() / dma_direct_sync_single_for_cpu() do.
 *
 * Addresses here are physical (dmp_phys_t); translating a bounce address to
 * a bus address (dma-ranges) and checking that the device can reach it is
 * the caller's job.  Alignment is of physical addresses.
 *
 * Locking: every function may be called concurrently from any thread on
 * any pool, except create/init/destroy of a pool, which nothing else may
 * use at the time.  Map, unmap and sync take one area lock at a time and
 * copy outside it; dmp_swiotlb_pool_check() takes every area lock (in
 * order), so it may run while other threads map and unmap.  Nothing here
 * blocks: map, unmap and sync may be called in atomic context.
 */
#ifndef DMAPORT_SWIOTLB_H
#define DMAPORT_SWIOTLB_H

#include <stdatomic.h>

#include <dmaport/types.h>
#include <dmaport/dma-attrs.h>
#include <dmaport/dma-direction.h>

DMP_BEGIN_DECLS

/* Slot geometry (Linux's IO_TLB_SHIFT, IO_TLB_SIZE, IO_TLB_SEGSIZE). */
#define DMP_IO_TLB_SHIFT 11
#define DMP_IO_TLB_SIZE (1UL << DMP_IO_TLB_SHIFT)
#define DMP_IO_TLB_SEGSIZE 128
#define DMP_IO_TLB_SEGBYTES (DMP_IO_TLB_SIZE * DMP_IO_TLB_SEGSIZE)

/** The default pool's physical limit: below 4 GiB, so 32-bit devices reach it. */
#define DMP_SWIOTLB_DEFAULT_LIMIT DMP_PHYS_DMA32_LIMIT
/** The default pool's size (Linux's IO_TLB_DEFAULT_SIZE is 64 MiB; ours is smaller). */
#define DMP_SWIOTLB_DEFAULT_SIZE ((size_t)4 << 20)

/** Longest pool name kept (longer names are truncated). */
#define DMP_SWIOTLB_NAME_MAX 32
/** Most pools registered at once (dmp_swiotlb_find_pool() searches them). */
#define DMP_SWIOTLB_MAX_POOLS 32

/* The pool honours DMP_ATTR_SKIP_CPU_SYNC and DMP_ATTR_NO_WARN (<dmaport/dma-attrs.h>). */

/**
 * DMP_SWIOTLB_ZERO_PADDING - an attribute private to the pool (a bit far
 * above Linux's DMA_ATTR_* range; the dma-mapping layer must pass it only
 * here, never accept it from drivers): zero every allocated byte of the
 * bounce buffer that the copy-in does not write - the slots before the
 * bounce address (alignment padding) and after mapping_size up to the end of
 * the last slot, and the mapping itself if DMP_ATTR_SKIP_CPU_SYNC skips the
 * copy.  The IOMMU path needs it for untrusted devices, which can see whole
 * IOVA granules: stale data of a previous mapping must not leak to them
 * (Linux's iommu_dma_map_page() clears this padding itself).
 */
#define DMP_SWIOTLB_ZERO_PADDING (1UL << 30)

struct dmp__swiotlb_area;
struct dmp__swiotlb_seg;
struct dmp__swiotlb_slot;

/**
 * struct dmp_swiotlb_pool - a bounce-buffer pool.
 *
 * Public so that platform code can embed one (dmp_swiotlb_pool_init_range()
 * takes the caller's storage); the fields are private to swiotlb.c - use
 * the functions below.
 */
struct dmp_swiotlb_pool {
	/* Constant after init. */
	char name[DMP_SWIOTLB_NAME_MAX];
	dmp_phys_t start;        /* first byte (page aligned) */
	size_t size;             /* bytes (page multiple) */
	uint8_t *vaddr;          /* the CPU's view of start */
	size_t nslots;
	size_t nsegs;            /* the last one may be partial */
	unsigned int nareas;
	unsigned int order;      /* page block order, when owns_memory */
	bool owns_memory;        /* create allocated the slots' memory */
	bool owns_struct;        /* create allocated this struct */
	void *meta;              /* one heap block: areas, segments, lists, slots */
	struct dmp__swiotlb_area *areas;
	struct dmp__swiotlb_seg *segs;
	uint8_t *list;           /* per slot: 0 in use; free: a lower bound on the
				    free run from it (swiotlb.c says when exact) */
	struct dmp__swiotlb_slot *slots;

	/* Statistics.  Slots in use, their high-water mark, maps and unmaps are
	 * counted per area, under its lock (no pool-wide atomic on the hot path). */
	_Atomic unsigned long nr_full;
	_Atomic unsigned long nr_bad;
};

/**
 * struct dmp_swiotlb_stats - a snapshot of a pool's counters.
 * @nslots:   slots in the pool.
 * @used:     slots in use now (padding slots included): the sum of the
 *            areas' counts, each read under its lock.
 * @hiwater:  the sum over the pool's areas of the most slots each had in use
 *            at once since creation or the last dmp_swiotlb_reset_hiwater():
 *            the pool-wide peak when one area did the mapping (one area, or
 *            one CPU), an upper bound on it otherwise (areas may peak at
 *            different times).  Linux keeps an exact pool-wide mark only
 *            with CONFIG_DEBUG_FS, at the price of an atomic add per map and
 *            unmap on a line all CPUs write; dmaport does not pay it.
 * @nr_maps, @nr_unmaps: successful maps and unmaps.
 * @nr_full:  maps that failed with -ENOMEM (no room).
 * @nr_bad:   calls reported and ignored: unmap or sync of an address that is
 *            not a live bounce buffer (or with the wrong size).
 */
struct dmp_swiotlb_stats {
	size_t nslots;
	size_t used;
	size_t hiwater;
	unsigned long nr_maps;
	unsigned long nr_unmaps;
	unsigned long nr_full;
	unsigned long nr_bad;
};

/**
 * dmp_swiotlb_pool_create - allocate a pool and the memory it bounces through.
 * @name:       for reports (NULL: "swiotlb"); copied.
 * @size:       bytes of bounce memory (rounded up to a page multiple); the
 *              memory is one block of 2^order pages from dmp_page_alloc(),
 *              of which the pool uses the rounded size.
 * @phys_limit: the highest physical address any byte of the pool may have
 *              (DMP_SWIOTLB_DEFAULT_LIMIT for the default pool).
 * @nareas:     number of areas (locks); 0 picks dmp_nr_cpus().  Clamped to
 *              the number of segments, so that each area has at least one,
 *              and to DMP_MAX_CPUS.
 * @out:        receives the pool.
 *
 * The pool is registered: dmp_swiotlb_find_pool() finds it by address.
 * Its bookkeeping comes from the heap (dmp_kzalloc), never from the bounce
 * memory that devices see.
 *
 * Returns 0; -EINVAL (size 0, or larger than the largest page block);
 * -ENOMEM (no memory under @phys_limit, no heap, or DMP_SWIOTLB_MAX_POOLS
 * registered); -EEXIST (the pages overlap a range pool whose range was not
 * kept out of the page allocator).  Nothing is left allocated on failure.
 * Context: never blocks.
 */
DMP_API int dmp_swiotlb_pool_create(const char *name, size_t size, dmp_phys_t phys_limit,
				    unsigned int nareas, struct dmp_swiotlb_pool **out);

/**
 * dmp_swiotlb_pool_init_range - make a pool of a physical range the caller
 * owns (a restricted-dma-pool from the device tree).
 * @pool:   the caller's storage; its previous contents are ignored.
 * @name:   for reports (NULL: "swiotlb"); copied.
 * @phys:   first byte of the range: page aligned, in platform memory.
 * @size:   bytes, a page multiple, all in one memory region.
 * @nareas: as for dmp_swiotlb_pool_create().
 *
 * The range must be kept out of the page allocator (reserved memory) for
 * the pool's lifetime.  Its contents are left as they are (a device may see
 * them until mappings overwrite them: zero the range first if that
 * matters); the slots' bookkeeping comes from the heap.
 * dmp_swiotlb_pool_destroy() undoes it (the range and @pool stay the
 * caller's).
 *
 * Returns 0; -EINVAL (misaligned, size 0 or too large for the slot
 * indices); -EFAULT (the range is not platform memory, or spans regions);
 * -EEXIST (it overlaps a registered pool); -ENOMEM (no heap, or too many
 * pools).
 */
DMP_API int dmp_swiotlb_pool_init_range(struct dmp_swiotlb_pool *pool, const char *name,
					dmp_phys_t phys, size_t size, unsigned int nareas);

/**
 * dmp_swiotlb_pool_destroy - unregister a pool and free what it allocated:
 * for a created pool, its memory and the struct; for an init_range pool,
 * only its bookkeeping.
 *
 * Returns 0, or -EBUSY if slots are in use (reported; nothing changes: a
 * device may still be writing into them).
 */
DMP_API int dmp_swiotlb_pool_destroy(struct dmp_swiotlb_pool *pool);

/**
 * dmp_swiotlb_tbl_map_single - bounce a buffer: take slots and copy in.
 * @pool:             the pool.
 * @orig_phys:        the original buffer (platform memory).
 * @mapping_size:     bytes mapped (> 0): what the device reads and writes.
 * @alloc_size:       bytes to reserve from the bounce address, >=
 *                    @mapping_size (0: @mapping_size).  The IOMMU path
 *                    passes the IOVA-granule-aligned size.
 * @min_align_mask:   the device's min_align_mask (0 or 2^k - 1): the bounce
 *                    address keeps these bits of @orig_phys.
 * @alloc_align_mask: alignment of the allocation's first slot (0 or 2^k -
 *                    1, below DMP_IO_TLB_SEGBYTES); the allocation is
 *                    rounded up to a multiple of it too.  Allocations of
 *                    @alloc_size >= DMP_PAGE_SIZE are page aligned anyway,
 *                    as in Linux.  The @min_align_mask bits that fall
 *                    inside this alignment are kept by starting the bounce
 *                    address that far into the allocation ("padding slots",
 *                    as Linux since 6.9); the bits above it by choosing the
 *                    slot.
 * @dir:              DMP_TO_DEVICE, DMP_FROM_DEVICE or DMP_BIDIRECTIONAL.
 * @attrs:            DMP_ATTR_NO_WARN: don't report exhaustion;
 *                    DMP_SWIOTLB_ZERO_PADDING: see its definition.
 *                    Other bits are ignored.
 * @tlb_phys:         receives the bounce address.
 *
 * The original buffer's @mapping_size bytes are copied into the bounce
 * buffer for EVERY direction, FROM_DEVICE included, and whatever the
 * attributes (DMP_ATTR_SKIP_CPU_SYNC too): a device that writes less than
 * the whole buffer must leave the rest as it was, and must never see a
 * previous mapping's data (Linux: "swiotlb: rework 'fix info leak with
 * DMA_FROM_DEVICE'", 2022: swiotlb_tbl_map_single() bounces unconditionally).
 *
 * Ownership: the bounce buffer belongs to the device until
 * dmp_swiotlb_sync_single_for_cpu() or dmp_swiotlb_tbl_unmap_single().
 *
 * Returns 0; -ENOMEM (no free run of slots fits: reported with the pool's
 * name, the size and the free slots unless DMP_ATTR_NO_WARN; a retry may
 * succeed after unmaps); -EINVAL (size 0, alloc_size < mapping_size, a
 * mask not of the form 2^k - 1, a bad direction, or a request that can
 * never fit in a segment - see dmp_swiotlb_max_mapping_size(); an original
 * buffer overlapping the pool itself); -EFAULT (@orig_phys .. +
 * @mapping_size is not platform memory, or spans regions).  Context: any;
 * never blocks; takes one area lock at a time.
 */
DMP_API int dmp_swiotlb_tbl_map_single(struct dmp_swiotlb_pool *pool, dmp_phys_t orig_phys,
				       size_t mapping_size, size_t alloc_size,
				       unsigned int min_align_mask, unsigned int alloc_align_mask,
				       enum dmp_data_direction dir, unsigned long attrs,
				       dmp_phys_t *tlb_phys);

/**
 * dmp_swiotlb_tbl_unmap_single - end a bounce mapping: copy out, free slots.
 * @tlb_phys:     the address dmp_swiotlb_tbl_map_single() returned.
 * @mapping_size: the mapping_size it was given.
 * @dir:          the mapping's direction: FROM_DEVICE and BIDIRECTIONAL copy
 *                the bounce buffer back to the original (unless @attrs has
 *                DMP_ATTR_SKIP_CPU_SYNC); TO_DEVICE copies nothing.
 *
 * Ownership returns to the CPU.  Returns 0, or -EINVAL: @tlb_phys is not
 * the start of a live bounce mapping of @pool, @mapping_size differs, or a
 * bad direction - always reported, and ignored: nothing is copied or freed.
 * Context: any; never blocks.
 */
DMP_API int dmp_swiotlb_tbl_unmap_single(struct dmp_swiotlb_pool *pool, dmp_phys_t tlb_phys,
					 size_t mapping_size, enum dmp_data_direction dir,
					 unsigned long attrs);

/**
 * dmp_swiotlb_sync_single_for_device - give (part of) a bounce buffer back
 * to the device: TO_DEVICE and BIDIRECTIONAL copy the original's bytes into
 * it; FROM_DEVICE copies nothing (the map already initialised the buffer).
 * @tlb_phys, @size: a range inside one live mapping (sync_single_range
 *                   passes an address inside it and a shorter size).
 *
 * Returns 0, or -EINVAL (the range is not inside a live mapping, size 0,
 * bad direction: reported and ignored).  Context: any; never blocks.
 */
DMP_API int dmp_swiotlb_sync_single_for_device(struct dmp_swiotlb_pool *pool,
					       dmp_phys_t tlb_phys, size_t size,
					       enum dmp_data_direction dir);

/**
 * dmp_swiotlb_sync_single_for_cpu - give (part of) a bounce buffer to the
 * CPU: FROM_DEVICE and BIDIRECTIONAL copy its bytes back to the original;
 * TO_DEVICE copies nothing.  Arguments and returns as for
 * dmp_swiotlb_sync_single_for_device().
 */
DMP_API int dmp_swiotlb_sync_single_for_cpu(struct dmp_swiotlb_pool *pool, dmp_phys_t tlb_phys,
					    size_t size, enum dmp_data_direction dir);

/**
 * dmp_swiotlb_find_pool - the registered pool whose memory holds @phys, or
 * NULL: how an unmap path tells a bounced address from a direct one.
 * Context: any; lock-free.
 */
DMP_API struct dmp_swiotlb_pool *dmp_swiotlb_find_pool(dmp_phys_t phys);

/** dmp_swiotlb_is_bounce - true if @phys lies in @pool's memory. */
DMP_API bool dmp_swiotlb_is_bounce(const struct dmp_swiotlb_pool *pool, dmp_phys_t phys);

/**
 * dmp_swiotlb_orig_addr - the original address behind a bounce address.
 * @tlb_phys: any byte of a live mapping's [bounce, bounce + mapping_size).
 * Returns 0 with *@orig set, or -ENOENT (no live mapping holds it).
 */
DMP_API int dmp_swiotlb_orig_addr(struct dmp_swiotlb_pool *pool, dmp_phys_t tlb_phys,
				  dmp_phys_t *orig);

/**
 * dmp_swiotlb_max_mapping_size - the largest mapping_size that always fits
 * in an empty segment for a device with @min_align_mask: a segment (or the
 * whole pool if it is smaller) less @min_align_mask rounded up to a slot,
 * as Linux's swiotlb_max_mapping_size() (the slot search may have to skip
 * that much to keep the masked bits).  Assumes alloc_align_mask <= the page
 * mask.
 */
DMP_API size_t dmp_swiotlb_max_mapping_size(const struct dmp_swiotlb_pool *pool,
					    unsigned int min_align_mask);

/** dmp_swiotlb_get_stats - a snapshot of @pool's counters into *@st. */
DMP_API void dmp_swiotlb_get_stats(struct dmp_swiotlb_pool *pool, struct dmp_swiotlb_stats *st);
/** dmp_swiotlb_reset_hiwater - restart the high-water mark from the current use. */
DMP_API void dmp_swiotlb_reset_hiwater(struct dmp_swiotlb_pool *pool);

/**
 * dmp_swiotlb_pool_check - the consistency walker.  Under every area lock:
 * each segment's free-run counts, free count and longest run recomputed from
 * the slots; each live allocation's slots contiguous, in one segment, with
 * sizes and offset inside them; each area's and the pool's used count.
 * Returns 0, or -EINVAL after reporting the first inconsistency.
 */
DMP_API int dmp_swiotlb_pool_check(struct dmp_swiotlb_pool *pool);

/**
 * dmp_swiotlb_set_default / dmp_swiotlb_default - the platform's default
 * pool (devices without a restricted pool bounce through it), or NULL.
 * Destroying the default pool clears it.
 */
DMP_API void dmp_swiotlb_set_default(struct dmp_swiotlb_pool *pool);
DMP_API struct dmp_swiotlb_pool *dmp_swiotlb_default(void);

/**
 * dmp_swiotlb_forget_all - drop every registered pool and the default pool
 * without touching them: for platform teardown (dmp_platform_uninstall()),
 * when the memory that held them is about to go away.  Pools not destroyed
 * before are leaked, as their memory is.  Must not race with other calls.
 */
DMP_API void dmp_swiotlb_forget_all(void);

DMP_END_DECLS

#endif /* DMAPORT_SWIOTLB_H */
