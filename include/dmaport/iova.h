/* SPDX-License-Identifier: MIT */
/*
 * dmaport/iova.h - the IOVA allocator: ranges of I/O virtual address space.
 *
 * Callers' header.  The allocator is usable on its own (it needs neither a
 * platform nor simulated memory): an IOMMU's DMA layer uses it to find I/O
 * virtual addresses, a test or a firmware can use it for any range allocator.
 *
 * Semantics are Linux's (drivers/iommu/iova.c, include/linux/iova.h):
 *  - an iova domain covers page frame numbers (pfns) in units of its granule;
 *    sizes and addresses are pfns, limits are inclusive pfns (Linux's
 *    limit_pfn: the highest pfn the range may use, e.g. dma_mask >> shift);
 *  - allocation searches top-down from the limit, remembering where the
 *    previous allocation ended (cached_node, and cached32_node for limits at or
 *    below 4 GiB), so that the next allocation starts there;
 *  - size_aligned allocations are aligned to roundup_pow_of_two(size) pfns;
 *  - the fast path keeps freed ranges of 1, 2, 4 .. 32 pfns in per-CPU
 *    magazines with a depot (Peleg et al., USENIX ATC 2015; Linux's rcache),
 *    falling back to the tree when the caches miss.
 *
 * Where dmaport differs from Linux, on purpose:
 *  - the ranges are in a B+tree (leaves of up to 16 ranges in pfn order,
 *    inner nodes of up to 16 children), not in a red-black tree of one node
 *    per range as in Linux: at a million live ranges a binary tree is 20 or
 *    more levels of nodes spread over 64 MB, and each look-up misses the CPU
 *    caches at most of them; here a level is a node whose keys, or whose
 *    bounds of one order, sit in a cache line or two, four or five levels at
 *    a million ranges (src/iommu/iova-btree.h);
 *  - a CPU slot of the caches is entered by the thread that owns it without
 *    a locked instruction (src/slot-lock.h: the owner stores a busy flag;
 *    anyone else, a flush or a thread sharing the slot, pays for a
 *    process-wide barrier, membarrier(2)); in the kernel, disabling
 *    preemption is what makes the per-CPU data the CPU's alone, and Linux
 *    still takes a per-CPU spinlock with interrupts off;
 *  - the same ranges as Linux's search, found faster on fragmented spaces:
 *    Linux's walk is linear in the ranges it passes.  Each inner node keeps,
 *    per child and per alignment (none, 2^1 .. 2^8 pfns), a one-byte bound
 *    of the largest request a gap of the child's subtree can hold, so that
 *    the walk skips whole subtrees without a fit (O(log n) per skip);
 *  - the tree path is complete: dmp_alloc_iova() fails only if no (aligned)
 *    free range of the size exists in [start_pfn, limit_pfn].  Linux's
 *    max32_alloc_size shortcut can fail a 32-bit request after a failure with
 *    a lower limit; dmaport remembers failures exactly (size, limit, aligned)
 *    and forgets them on the next free;
 *  - reserved ranges are marked as such: they are never handed out, never
 *    freed by dmp_free_iova() (Linux's reserve_iova() widens whatever node it
 *    overlaps, so freeing that allocation later also frees the reservation);
 *    a reservation that overlaps a live allocation is refused with -EBUSY;
 *    overlapping and adjacent reservations merge;
 *  - errors are 0 / negative errno with results in out-parameters (pfn 0 is a
 *    valid result here; Linux uses it as its failure value).
 *
 * Locking: every function may be called concurrently from any thread on the
 * same domain, except init and destroy.  The tree has one spinlock; each CPU
 * slot of the caches has a slot lock (its owner thread enters without an
 * atomic read-modify-write; threads sharing a slot, flushes and the checker
 * take its spinlock), each size class's depot has one.  Where the host has
 * no membarrier, under ThreadSanitizer and on bare metal, every slot entry
 * is its spinlock.  Nothing sleeps; no function allocates
 * memory except through the allocator's internal metadata allocator (tree
 * nodes, magazines), which can fail (and which tests fail on purpose through
 * dmp_fail_nth(DMP_FAIL_HEAP, n)).
 */
#ifndef DMAPORT_IOVA_H
#define DMAPORT_IOVA_H

#include <dmaport/types.h>
#include <dmaport/spinlock.h>

DMP_BEGIN_DECLS

/** Number of cached size classes: 1, 2, 4, 8, 16, 32 pfns (Linux's IOVA_RANGE_CACHE_MAX_SIZE). */
#define DMP_IOVA_RANGE_CACHE_MAX_SIZE 6
/** Largest size (pfns) the fast path caches. */
#define DMP_IOVA_CACHE_MAX_PFNS (1UL << (DMP_IOVA_RANGE_CACHE_MAX_SIZE - 1))

/* fit bounds are kept for alignments 2^1 .. 2^DMP__IOVA_FIT_ORDERS pfns
 * (src/iommu/iova-btree.h) */
#define DMP__IOVA_FIT_ORDERS 8

struct dmp__iova_rcaches;
struct dmp__iova_chunk;
union dmp__iova_bnode;

/**
 * struct dmp_iova_domain - an IOVA space.  Caller's storage; fields are
 * private (use the functions below).
 */
struct dmp_iova_domain {
	/* Constant after init. */
	unsigned long granule;       /* bytes per pfn, a power of two >= 4 KiB */
	unsigned int shift;          /* log2(granule) */
	unsigned long start_pfn;     /* lowest pfn allocations may return */
	unsigned long max_pfn;       /* highest usable pfn (address space top) */
	unsigned long dma_32bit_pfn; /* first pfn at or above 4 GiB */
	struct dmp__iova_rcaches *rcaches;

	/* Under tree_lock, on a line of its own: the fast path of other
	 * threads reads the constants above.  What every tree operation
	 * writes shares the lock's line (one line moves between CPUs that
	 * take turns, not two); what it only reads, or writes when a search
	 * fails or a node is split, is on the next. */
	_Alignas(64) dmp_spinlock_t tree_lock;
	unsigned int height;                 /* levels of inner nodes */
	void *root;                          /* a leaf when height is 0 */
	void *hint;                          /* the leaf last changed (it may
						have been freed since: checked) */
	unsigned int hint_i;                 /* and a range in it */
	unsigned int nr_spare;               /* nodes on the free list */
	unsigned long cached_lo;             /* pfn_lo of the range where the
						next search starts */
	unsigned long cached32_lo;           /* same, for limits <= 4 GiB */
	unsigned long nr_ranges;             /* ranges in the tree, anchor excluded */
	unsigned long nr_pfns;               /* pfns covered by non-reserved ranges */
	unsigned long fail_size[2];          /* smallest failed size [aligned] */
	unsigned long fail_limit[2];         /* its limit: larger fails too */
	unsigned long nr_reserved;           /* of which reserved */
	/* the node allocator: a free list over chunks */
	union dmp__iova_bnode *free_nodes;
	struct dmp__iova_chunk *chunks;
};

/** struct dmp_iova_range - what dmp_find_iova() reports. */
struct dmp_iova_range {
	unsigned long pfn_lo, pfn_hi; /* inclusive */
	bool reserved;
};

/** struct dmp_iova_stats - a snapshot of a domain's counters. */
struct dmp_iova_stats {
	unsigned long ranges;      /* ranges in the tree (allocated + reserved) */
	unsigned long reserved;    /* reserved ranges */
	unsigned long pfns;        /* pfns held by allocated ranges, cached ones included */
	unsigned long cached;      /* ranges held in the caches (magazines + depot) */
	unsigned long magazines;   /* magazines allocated */
};

/**
 * dmp_iova_domain_init - set up an empty IOVA domain in caller's storage.
 * @iovad:     the domain
 * @granule:   bytes per pfn: a power of two, at least 4 KiB (the smallest
 *             page size of the IOMMU)
 * @start_pfn: lowest pfn that allocations return (Linux's IOVA_START_PFN is 1
 *             so that IOVA 0 is never handed out; here 0 is allowed)
 *
 * The usable space is [start_pfn, (2^64 - 1) >> log2(granule) - 1]; callers
 * narrow it per allocation with limit_pfn.  Allocates the per-CPU cache slots.
 *
 * Returns 0; -EINVAL if @granule is not a power of two >= 4 KiB or @start_pfn
 * is beyond the space; -ENOMEM if the cache slots cannot be allocated (the
 * domain is then not initialised; a retry may succeed).
 * Context: any; not concurrently with any other call on @iovad.
 */
DMP_API int dmp_iova_domain_init(struct dmp_iova_domain *iovad, unsigned long granule,
				 unsigned long start_pfn);

/**
 * dmp_iova_domain_destroy - release everything the domain holds: its tree,
 * its caches and their metadata (Linux's put_iova_domain).  Live allocations
 * are forgotten.  The storage may then be reused or initialised again.
 * Context: any; no other call on @iovad may run or follow.
 */
DMP_API void dmp_iova_domain_destroy(struct dmp_iova_domain *iovad);

/**
 * dmp_iova_shift - log2 of the domain's granule (Linux's iova_shift).
 */
static inline unsigned int dmp_iova_shift(const struct dmp_iova_domain *iovad)
{
	return iovad->shift;
}

/**
 * dmp_iova_pfn - the pfn holding bus address @addr (Linux's iova_pfn).
 */
static inline unsigned long dmp_iova_pfn(const struct dmp_iova_domain *iovad, dmp_addr_t addr)
{
	return (unsigned long)(addr >> iovad->shift);
}

/**
 * dmp_iova_limit_pfn - the limit_pfn for a DMA mask: the highest pfn whose
 * whole granule lies at or below @dma_mask.
 */
static inline unsigned long dmp_iova_limit_pfn(const struct dmp_iova_domain *iovad,
					       uint64_t dma_mask)
{
	unsigned long pfn = (unsigned long)((dma_mask >> iovad->shift));
	/* a mask that ends mid-granule cannot use that granule */
	if (((dma_mask + 1) & (iovad->granule - 1)) != 0 && pfn > 0)
		pfn--;
	return pfn;
}

/**
 * dmp_alloc_iova - allocate @size pfns from the tree (Linux's alloc_iova).
 * @iovad:        the domain
 * @size:         pfns, >= 1
 * @limit_pfn:    highest pfn the range may use (inclusive); above the
 *                domain's space it is clamped to the top of the space
 * @size_aligned: align the start to roundup_pow_of_two(@size) pfns
 * @pfn_lo:       receives the first pfn of the range
 *
 * Searches top-down from the limit, starting where the last allocation below
 * the same 4 GiB boundary ended and wrapping round once, so that it finds the
 * highest range below the cached position first.  It finds space whenever a
 * suitable free range exists in [start_pfn, @limit_pfn]: ranges held by the
 * fast path's caches are not free to it (dmp_iova_flush_rcaches() returns
 * them).
 *
 * Returns 0; -ENOMEM if no such range exists (a retry helps after a free) or
 * the tree node cannot be allocated (nothing changed; a retry may succeed);
 * -EINVAL if @size is 0.
 * Context: any; takes the tree lock.
 */
DMP_API int dmp_alloc_iova(struct dmp_iova_domain *iovad, unsigned long size,
			   unsigned long limit_pfn, bool size_aligned, unsigned long *pfn_lo);

/**
 * dmp_find_iova - the range that contains @pfn (Linux's find_iova).
 * @range: receives its bounds and whether it is reserved
 * Returns 0, or -ENOENT if no range contains @pfn.  A range held by the
 * fast path's caches is still found (it is in the tree).
 * Context: any; takes the tree lock.
 */
DMP_API int dmp_find_iova(struct dmp_iova_domain *iovad, unsigned long pfn,
			  struct dmp_iova_range *range);

/**
 * dmp_free_iova - free the allocated range that contains @pfn (Linux's
 * free_iova).
 * Returns 0; -ENOENT if no range contains @pfn (reported on the console and
 * ignored: a double free or a wild pfn); -EINVAL if the range is reserved
 * (reservations last as long as the domain; reported).
 * Context: any; takes the tree lock.
 */
DMP_API int dmp_free_iova(struct dmp_iova_domain *iovad, unsigned long pfn);

/**
 * dmp_reserve_iova - make [@pfn_lo, @pfn_hi] unavailable to allocation
 * (Linux's reserve_iova: MSI windows, ranges the platform forbids).
 *
 * Reserving a range that overlaps or touches reserved ranges merges them into
 * one.  A range that overlaps allocated ranges cannot be reserved: the caches
 * are flushed first (their ranges are free to the caller), and if an
 * allocation still overlaps, the call fails.
 *
 * Returns 0; -EINVAL if @pfn_lo > @pfn_hi or @pfn_hi is beyond the space;
 * -EBUSY if a live allocation overlaps the range (nothing changed);
 * -ENOMEM if a tree node cannot be allocated (nothing changed).
 * Context: any; takes the cache locks and the tree lock.
 */
DMP_API int dmp_reserve_iova(struct dmp_iova_domain *iovad, unsigned long pfn_lo,
			     unsigned long pfn_hi);

/**
 * dmp_alloc_iova_fast - allocate @size pfns, from the caches if possible
 * (Linux's alloc_iova_fast).
 * @size:         pfns, >= 1; sizes below DMP_IOVA_CACHE_MAX_PFNS are
 *                rounded up to a power of two (the range has that size)
 * @limit_pfn:    highest pfn the range may use (inclusive)
 * @flush_rcache: if the tree has no space, return every cached range to the
 *                tree and try once more
 * @pfn_lo:       receives the first pfn (aligned to the rounded size)
 *
 * A hit takes the first cached range of the size class in this CPU's
 * loaded magazine that lies below the limit.  Free the range with
 * dmp_free_iova_fast() and the same @size.
 *
 * Returns 0; -ENOMEM if neither the caches nor the tree have space (with
 * @flush_rcache, after flushing) or a tree node cannot be allocated (nothing
 * changed); -EINVAL if @size is 0.
 * Context: any; takes this CPU's cache lock, then maybe the tree lock.
 */
DMP_API int dmp_alloc_iova_fast(struct dmp_iova_domain *iovad, unsigned long size,
				unsigned long limit_pfn, bool flush_rcache, unsigned long *pfn_lo);

/**
 * dmp_free_iova_fast - free a range from dmp_alloc_iova_fast() (Linux's
 * free_iova_fast): into this CPU's cache if its size class is cached and
 * there is room, else into the tree.
 * @pfn:  the first pfn, as returned
 * @size: the size passed to dmp_alloc_iova_fast()
 *
 * A cached range stays in the tree; it is not checked at free time (that
 * would take the tree lock): a wrong @pfn is found when the cache is flushed
 * (reported then) or by dmp_iova_domain_check().
 * Returns 0, or what dmp_free_iova() returns when the range goes to the tree.
 * Context: any; takes this CPU's cache lock, maybe a depot lock and the tree
 * lock.
 */
DMP_API int dmp_free_iova_fast(struct dmp_iova_domain *iovad, unsigned long pfn,
			       unsigned long size);

/**
 * dmp_iova_flush_rcaches - return every cached range, of every CPU and the
 * depot, to the tree (Linux's free_cpu_cached_iovas + free_global_cached_iovas).
 * Magazines are kept.  Context: any; takes every cache lock in turn.
 */
DMP_API void dmp_iova_flush_rcaches(struct dmp_iova_domain *iovad);

/**
 * dmp_iova_domain_stats - a snapshot of the domain's counters.
 * Context: any; takes the cache locks and the tree lock.
 */
DMP_API void dmp_iova_domain_stats(struct dmp_iova_domain *iovad, struct dmp_iova_stats *st);

/**
 * dmp_iova_domain_check - the consistency walker: the tree is a valid
 * B+tree (parent links, node sizes, all leaves at one depth and linked in
 * order, separators, each leaf's gap floor, bounds at least the fits below
 * them), ordered by pfn, ranges don't overlap and
 * lie in the space (allocated ones at or above start_pfn), the anchor is last,
 * both cached positions are ranges of the tree, the counters match the tree,
 * and every cached range is an allocated node of exactly its class's size,
 * cached once.  Reports the first problem on the console.
 * Returns 0, or -EINVAL if the domain is inconsistent.
 * Context: any; takes every lock of the domain (it is slow: tests only).
 */
DMP_API int dmp_iova_domain_check(struct dmp_iova_domain *iovad);

DMP_END_DECLS

#endif /* DMAPORT_IOVA_H */
