/* SPDX-License-Identifier: MIT */
/*
 * iova.c - the IOVA allocator: a B+tree of ranges with cached search
 * positions, and per-CPU magazine caches with a depot in front of it.
 *
 * The rules follow Linux's drivers/iommu/iova.c (read for the semantics, not
 * copied): top-down first fit from a cached range, retried once above it;
 * cached_node / cached32_node updates on insert and delete; size-aligned
 * ranges aligned to roundup_pow_of_two(size); rcaches of 6 size classes,
 * each CPU with a loaded and a previous magazine, full magazines in a depot.
 * See <dmaport/iova.h> for where dmaport differs on purpose.
 *
 * Where Linux walks its rb-tree node by node below the cached node, the
 * ranges here sit in a B+tree (iova-btree.h) whose inner nodes keep, per
 * child, one-byte bounds of the largest gap of the child's subtree and, per
 * alignment 2^1..2^8, of the largest size-aligned request a gap of it can
 * hold: the same walk skips every subtree without a fit, the same answer in
 * a few cache lines per level and four or five levels at a million ranges.
 * tests/test-iova.c checks the answers against Linux's node-by-node walk.
 *
 * Lock order: CPU slot lock -> depot lock -> tree lock.  No path takes a
 * slot lock while holding a depot or the tree lock, or two slot locks except
 * dmp_iova_domain_check() and stats, which take them in index order.
 */
#include <string.h>

#include <dmaport/iova.h>

#include "../internal.h"
#include "../slot-lock.h"
#include "iova-btree.h"

#define IOVA_ANCHOR_PFN (~0UL)

#define NR_CLASSES DMP_IOVA_RANGE_CACHE_MAX_SIZE

/*
 * A magazine holds up to MAG_SIZE pfns of one size class.  126 keeps the
 * struct at 1 KiB (Linux uses 127 with a one-word header).
 */
#define MAG_SIZE 126
struct iova_magazine {
	unsigned long size;
	unsigned long pad;
	unsigned long pfns[MAG_SIZE];
};

/*
 * The depot of full magazines of one class.  Bounded as Linux's was before it
 * grew a reclaim timer: a full depot sends the magazine back to the tree.
 */
#define DEPOT_MAX 32
struct iova_depot {
	_Alignas(64) dmp_spinlock_t lock;
	unsigned int nr;
	struct iova_magazine *mags[DEPOT_MAX];
};

/* One CPU's caches: one slot lock for all classes (src/slot-lock.h). */
struct iova_cpu_rcache {
	_Alignas(64) struct dmp_slot_lock slot;
	struct {
		struct iova_magazine *loaded, *prev;
	} cls[NR_CLASSES];
};

struct dmp__iova_rcaches {
	struct iova_depot depot[NR_CLASSES];
	struct iova_cpu_rcache cpu[DMP_MAX_CPUS];
};

/* Bits: fls(0) = 0, fls(1) = 1, fls(4) = 3. */
static inline unsigned int fls_ul(unsigned long x)
{
	return x ? (unsigned int)(sizeof(long) * 8) - (unsigned int)__builtin_clzl(x) : 0;
}

/* ceil(log2(n)) for n >= 1: Linux's order_base_2. */
static inline unsigned int order_base_2(unsigned long n)
{
	return fls_ul(n - 1);
}

/*
 * Metadata allocations: each one is a failure-injection site, so that a test
 * can fail any single tree node or magazine.
 */
static void *meta_alloc(size_t size)
{
	if (dmp__fail_check(DMP_FAIL_HEAP))
		return NULL;
	return dmp__meta_alloc(size);
}

/*
 * Cached search positions (Linux's __cached_rbnode_insert_update and
 * __cached_rbnode_delete_update): the next search starts at the range the
 * last one allocated, below or above the 4 GiB boundary; a free at or above
 * the cached position moves it up to the freed range's successor so that the
 * hole is seen again.  Linux keeps node pointers; ranges move between leaves
 * here, so the positions are kept as the ranges' pfn_lo, which no two ranges
 * share.
 */
static void cached_insert_update(struct dmp_iova_domain *iovad, unsigned long lo,
				 unsigned long hi)
{
	if (hi < iovad->dma_32bit_pfn)
		iovad->cached32_lo = lo;
	else
		iovad->cached_lo = lo;
}

static DMP__ALWAYS_INLINE void cached_delete_update(struct dmp_iova_domain *iovad,
						    struct iova_pos p, unsigned long lo,
						    unsigned long hi)
{
	bool below32 = lo == iovad->cached32_lo ||
		       (hi < iovad->dma_32bit_pfn && lo >= iovad->cached32_lo);
	bool below = lo >= iovad->cached_lo;

	/* the successor only when a position moves (most frees move one) */
	if (below32 || below) {
		unsigned long next_lo = pos_lo(pos_next(p));
		if (below32)
			iovad->cached32_lo = next_lo;
		if (below)
			iovad->cached_lo = next_lo;
	}
}

/* Unlink range @p (not the anchor).  Tree lock held.  The erase comes
 * last, so that its rare fix-ups are a tail call and the common path saves
 * no registers (NODE_SHIFT_FN: tree_erase() inlines here). */
NODE_SHIFT_FN static DMP__ALWAYS_INLINE void remove_node(struct dmp_iova_domain *iovad,
							struct iova_pos p)
{
	unsigned long lo = pos_lo(p), hi = pos_hi(p);
	unsigned int flags = pos_flags(p);

	DMP_ASSERT(!(flags & DMP__IOVA_ANCHOR));
	cached_delete_update(iovad, p, lo, hi);
	iovad->nr_ranges--;
	if (flags & DMP__IOVA_RESERVED) {
		iovad->nr_reserved--;
	} else {
		iovad->nr_pfns -= hi - lo + 1;
		/* new free space: the remembered failures no longer hold */
		if (dmp__unlikely((iovad->fail_size[0] & iovad->fail_size[1]) != ~0UL)) {
			iovad->fail_size[0] = iovad->fail_size[1] = ~0UL;
			iovad->fail_limit[0] = iovad->fail_limit[1] = 0;
		}
	}
	tree_erase(iovad, p);
}

/*
 * Exact failure memory, in place of Linux's max32_alloc_size: a search that
 * found nothing for @size below @limit proves that nothing of that size or
 * larger fits below that limit or lower, until something is freed.  An
 * unaligned failure covers aligned requests too (they need a free run of the
 * same length); an aligned one covers only aligned requests (a larger size
 * has a coarser alignment, so its fit would be a fit for the smaller one).
 */
static bool known_full(const struct dmp_iova_domain *iovad, unsigned long size,
		       unsigned long limit, bool aligned)
{
	if (size >= iovad->fail_size[0] && limit <= iovad->fail_limit[0])
		return true;
	return aligned && size >= iovad->fail_size[1] && limit <= iovad->fail_limit[1];
}

/* prev_fit() for a request of @size pfns aligned by @align_mask: apart,
 * so that a search whose first gap fits (the common case) computes neither
 * the size's code nor the order. */
static DMP__NOINLINE bool prev_fit_aligned(struct iova_pos *p, unsigned long size,
					   unsigned long align_mask)
{
	/* the order the bounds skip by: the alignment's, at most the highest
	 * kept (a bound then) */
	return prev_fit(p, size, fit_code(size),
			DMP_MIN((unsigned int)__builtin_ctzl(align_mask), DMP__IOVA_FIT_ORDERS));
}

/*
 * Walk down from @p over the gap below each range, capped by @high (which
 * only the first range can reach), for the highest @size-pfn fit aligned by
 * @align_mask at or above @low, skipping (prev_fit) every range whose gap
 * cannot hold it.  On success *@pfn is the fit and *@p the range above it.
 */
static bool walk_down(struct iova_pos *p, unsigned long size, unsigned long high,
		      unsigned long low, unsigned long align_mask, unsigned long *pfn)
{
	for (;;) {
		high = DMP_MIN(high, pos_lo(*p));
		if (high < size)
			return false;
		unsigned long new_pfn = (high - size) & align_mask;
		if (new_pfn < low)
			return false;
		if (new_pfn >= entry_floor(p->l, p->i)) {
			*pfn = new_pfn;
			return true;
		}
		if (!prev_fit_aligned(p, size, align_mask))
			return false;
	}
}

/*
 * Top-down first fit below @end (exclusive), Linux's
 * __alloc_and_insert_iova_range: from the cached range down to start_pfn,
 * then once more from the limit down to just above the cached range.
 * Between the two passes every gap below @end is seen.  The result is the
 * one Linux's range-by-range walk gives; prev_fit() only skips the ranges
 * whose gap is too small.  On success *@pfn is the range's start and *@above
 * the range just above it (for tree_insert).
 */
static int tree_search(struct dmp_iova_domain *iovad, unsigned long size, unsigned long end,
		       unsigned long align_mask, unsigned long *pfn, struct iova_pos *above)
{
	unsigned long low = iovad->start_pfn;
	struct iova_pos cur, start;

	cur = tree_pos_of(iovad, end <= iovad->dma_32bit_pfn ? iovad->cached32_lo
							     : iovad->cached_lo);
	/* A cached range above the limit: Linux walks down to the limit range
	 * by range; the lowest range reaching the limit is the same start.
	 * When the range below the cached one ends below the limit (its gap
	 * starts at or below @end), that is the cached range itself: no
	 * look-up (one range below the anchor, as a map+unmap pair leaves it). */
	if (pos_lo(cur) >= end && entry_floor(cur.l, cur.i) > end)
		cur = tree_find_limit(iovad, end);
	start = cur;
	for (bool retried = false;; retried = true) {
		if (walk_down(&cur, size, end, low, align_mask, pfn)) {
			*above = cur;
			return 0;
		}
		/* Once more above the first pass's start (the search changes
		 * only bounds: @start stands).  Linux retries from the anchor
		 * even when the first pass started there, with a low bound of
		 * anchor + 1 = 0: below start_pfn.  Not here. */
		if (retried || (pos_flags(start) & DMP__IOVA_ANCHOR) || pos_hi(start) + 1 >= end)
			return -ENOMEM;
		low = DMP_MAX(pos_hi(start) + 1, iovad->start_pfn);
		cur = tree_find_limit(iovad, end);
	}
}

/* NODE_SHIFT_FN: as tree_insert()'s, so that it inlines here. */
NODE_SHIFT_FN static int tree_alloc(struct dmp_iova_domain *iovad, unsigned long size,
				    unsigned long limit_pfn, bool size_aligned, unsigned long *pfn_lo)
{
	struct iova_pos above;
	unsigned long align_mask = ~0UL, new_pfn = 0;
	unsigned int shift = size_aligned ? fls_ul(size - 1) : 0;
	int err;

	limit_pfn = DMP_MIN(limit_pfn, iovad->max_pfn);
	if (size > limit_pfn + 1 || shift >= sizeof(long) * 8)
		return -ENOMEM;
	align_mask <<= shift;

	dmp_spin_lock(&iovad->tree_lock);
	if (known_full(iovad, size, limit_pfn, size_aligned)) {
		err = -ENOMEM;
		goto out_unlock;
	}
	err = tree_search(iovad, size, limit_pfn + 1, align_mask, &new_pfn, &above);
	if (err) {
		iovad->fail_size[size_aligned] = size;
		iovad->fail_limit[size_aligned] = limit_pfn;
		goto out_unlock;
	}
	/* After the search, which changes only bounds: a failure here changes
	 * nothing (the failure-injection site stands for the node allocation,
	 * which may or may not need memory). */
	if (dmp__fail_check(DMP_FAIL_HEAP) ||
	    (iovad->nr_spare < iovad->height + 2 && tree_reserve_nodes(iovad))) {
		err = -ENOMEM;
		goto out_unlock;
	}
	tree_insert(iovad, above, new_pfn, new_pfn + size - 1, 0);
	cached_insert_update(iovad, new_pfn, new_pfn + size - 1);
	iovad->nr_ranges++;
	iovad->nr_pfns += size;
	*pfn_lo = new_pfn;
out_unlock:
	dmp_spin_unlock(&iovad->tree_lock);
	return err;
}

int dmp_alloc_iova(struct dmp_iova_domain *iovad, unsigned long size, unsigned long limit_pfn,
		   bool size_aligned, unsigned long *pfn_lo)
{
	DMP_ASSERT(iovad && pfn_lo);
	if (!size)
		return -EINVAL;
	return tree_alloc(iovad, size, limit_pfn, size_aligned, pfn_lo);
}

int dmp_find_iova(struct dmp_iova_domain *iovad, unsigned long pfn, struct dmp_iova_range *range)
{
	struct iova_pos p;
	int err = -ENOENT;

	DMP_ASSERT(iovad && range);
	dmp_spin_lock(&iovad->tree_lock);
	p = tree_find(iovad, pfn);
	if (p.l && !(pos_flags(p) & DMP__IOVA_ANCHOR)) {
		range->pfn_lo = pos_lo(p);
		range->pfn_hi = pos_hi(p);
		range->reserved = pos_flags(p) & DMP__IOVA_RESERVED;
		err = 0;
	}
	dmp_spin_unlock(&iovad->tree_lock);
	return err;
}

/* NODE_SHIFT_FN: as remove_node()'s, so that it inlines here. */
NODE_SHIFT_FN int dmp_free_iova(struct dmp_iova_domain *iovad, unsigned long pfn)
{
	struct iova_pos p;
	int err = 0;

	DMP_ASSERT(iovad);
	dmp_spin_lock(&iovad->tree_lock);
	p = tree_find(iovad, pfn);
	if (!p.l || (pos_flags(p) & DMP__IOVA_ANCHOR))
		err = -ENOENT;
	else if (pos_flags(p) & DMP__IOVA_RESERVED)
		err = -EINVAL;
	else
		remove_node(iovad, p);
	dmp_spin_unlock(&iovad->tree_lock);
	if (err == -ENOENT)
		dmp_log("dmaport: iova: free of pfn %#lx, which no range holds (ignored)", pfn);
	else if (err)
		dmp_log("dmaport: iova: free of pfn %#lx, in a reserved range (ignored)", pfn);
	return err;
}

/*
 * Widen the reserved range at @p to [@lo, @hi]: it absorbs only free pfns
 * (and reservations just removed), so the order holds and both gaps shrink
 * (the bounds hold: "What the bounds promise", iova-btree.h).
 */
static void widen_reserved(struct dmp_iova_domain *iovad, struct iova_pos p, unsigned long lo,
			   unsigned long hi)
{
	unsigned long old_lo = pos_lo(p);

	E_LO(p.l, p.i) = lo;
	E_HI(p.l, p.i) = hi;
	if (iovad->cached_lo == old_lo)
		iovad->cached_lo = lo;
	if (iovad->cached32_lo == old_lo)
		iovad->cached32_lo = lo;
	if (p.i == 0 && lo != old_lo)
		fix_key(p.l, 0, lo);
	if (p.i + 1u == p.l->nr && p.l->next) {
		p.l->next->floor = hi + 1;
		key_above(p.l->next, hi);
	}
}

/*
 * Reserve.  Overlapping and touching reservations merge into one range, so
 * the first of them is widened and the others removed; only a reservation
 * that touches none needs a new range.  Tree lock held.
 */
static int reserve_locked(struct dmp_iova_domain *iovad, unsigned long lo, unsigned long hi)
{
	struct iova_pos p;
	unsigned long from = lo ? lo - 1 : 0, keep = 0;
	bool have_keep = false;

	/* First pass, read only: is any allocated range in the way? */
	for (p = tree_find_limit(iovad, from); pos_lo(p) <= hi; p = pos_next(p))
		if (pos_hi(p) >= lo && !(pos_flags(p) & (DMP__IOVA_RESERVED | DMP__IOVA_ANCHOR)))
			return -EBUSY;

	/* The reserved neighbours that overlap or touch [lo, hi]. */
	for (p = tree_find_limit(iovad, from); pos_lo(p) <= hi + 1;) {
		if (!(pos_flags(p) & DMP__IOVA_RESERVED) || pos_hi(p) + 1 < lo) {
			p = pos_next(p);
			continue;
		}
		if (!have_keep) {
			keep = pos_lo(p);
			have_keep = true;
			p = pos_next(p);
			continue;
		}
		/* merge it into the kept one; ranges move when a leaf changes,
		 * so find the next one again by its pfn */
		unsigned long next_lo = pos_lo(pos_next(p));
		lo = DMP_MIN(lo, pos_lo(p));
		hi = DMP_MAX(hi, pos_hi(p));
		remove_node(iovad, p);
		p = tree_pos_of(iovad, next_lo);
	}
	if (have_keep) {
		p = tree_pos_of(iovad, keep);
		widen_reserved(iovad, p, DMP_MIN(lo, pos_lo(p)), DMP_MAX(hi, pos_hi(p)));
		return 0;
	}
	if (dmp__fail_check(DMP_FAIL_HEAP) || tree_reserve_nodes(iovad))
		return -ENOMEM;
	tree_insert(iovad, tree_find_limit(iovad, lo), lo, hi, DMP__IOVA_RESERVED);
	iovad->nr_ranges++;
	iovad->nr_reserved++;
	return 0;
}

static bool overlaps_allocation(struct dmp_iova_domain *iovad, unsigned long lo, unsigned long hi)
{
	struct iova_pos p;

	for (p = tree_find_limit(iovad, lo); pos_lo(p) <= hi; p = pos_next(p))
		if (!(pos_flags(p) & (DMP__IOVA_RESERVED | DMP__IOVA_ANCHOR)))
			return true;
	return false;
}

int dmp_reserve_iova(struct dmp_iova_domain *iovad, unsigned long pfn_lo, unsigned long pfn_hi)
{
	int err;

	DMP_ASSERT(iovad);
	if (pfn_lo > pfn_hi || pfn_hi > iovad->max_pfn)
		return -EINVAL;
	dmp_spin_lock(&iovad->tree_lock);
	/* Ranges parked in the caches are free to the caller: take them back
	 * before deciding that an allocation is in the way. */
	if (overlaps_allocation(iovad, pfn_lo, pfn_hi)) {
		dmp_spin_unlock(&iovad->tree_lock);
		dmp_iova_flush_rcaches(iovad);
		dmp_spin_lock(&iovad->tree_lock);
	}
	err = reserve_locked(iovad, pfn_lo, pfn_hi);
	dmp_spin_unlock(&iovad->tree_lock);
	return err;
}


/*
 * The caches.
 */
static inline bool mag_empty(const struct iova_magazine *m)
{
	return !m || m->size == 0;
}

static inline bool mag_full(const struct iova_magazine *m)
{
	return !m || m->size == MAG_SIZE;
}

/*
 * Take a pfn not above @max_lo, the most recently freed first (LIFO: its
 * page-table pages are the likeliest to be in the CPU caches still), as
 * Linux's iova_magazine_pop; only a limit below it makes the search go on.
 */
static inline bool mag_pop(struct iova_magazine *m, unsigned long max_lo, unsigned long *pfn)
{
	unsigned long i = m->size - 1;

	while (m->pfns[i] > max_lo) {
		if (i == 0)
			return false;
		i--;
	}
	*pfn = m->pfns[i];
	m->pfns[i] = m->pfns[--m->size];
	return true;
}

static struct iova_magazine *mag_alloc(void)
{
	struct iova_magazine *m = meta_alloc(sizeof(*m));
	if (m)
		m->size = 0;
	return m;
}

static void mag_free(struct iova_magazine *m)
{
	if (m)
		dmp__meta_free(m, sizeof(*m));
}

/*
 * Give a cached range back to the tree.  Tree lock held.  A pfn that is not
 * the start of an allocated range of the class's size came from a wrong
 * dmp_free_iova_fast(): report it and drop it.
 */
static void cached_to_tree(struct dmp_iova_domain *iovad, unsigned long pfn, unsigned int cls)
{
	struct iova_pos p = tree_find(iovad, pfn);

	if (!p.l || pos_lo(p) != pfn || pos_hi(p) - pos_lo(p) + 1 != 1UL << cls ||
	    (pos_flags(p) & (DMP__IOVA_RESERVED | DMP__IOVA_ANCHOR))) {
		dmp_log("dmaport: iova: cached pfn %#lx (%lu pfns) is no allocated range: "
			 "wrong dmp_free_iova_fast()? dropped", pfn, 1UL << cls);
		return;
	}
	remove_node(iovad, p);
}

static void mag_to_tree(struct dmp_iova_domain *iovad, struct iova_magazine *m, unsigned int cls)
{
	if (mag_empty(m))
		return;
	dmp_spin_lock(&iovad->tree_lock);
	for (unsigned long i = 0; i < m->size; i++)
		cached_to_tree(iovad, m->pfns[i], cls);
	dmp_spin_unlock(&iovad->tree_lock);
	m->size = 0;
}

static struct iova_magazine *depot_pop(struct iova_depot *d)
{
	struct iova_magazine *m = NULL;

	dmp_spin_lock(&d->lock);
	if (d->nr)
		m = d->mags[--d->nr];
	dmp_spin_unlock(&d->lock);
	return m;
}

static bool depot_push(struct iova_depot *d, struct iova_magazine *m)
{
	bool ok = false;

	dmp_spin_lock(&d->lock);
	if (d->nr < DEPOT_MAX) {
		d->mags[d->nr++] = m;
		ok = true;
	}
	dmp_spin_unlock(&d->lock);
	return ok;
}

/*
 * Linux's __iova_rcache_get, slow half: the loaded magazine had no range on
 * top below the limit.  Search it, else swap with prev, else take a full one
 * from the depot.  Called with @rc locked; unlocks it.
 */
static DMP__NOINLINE bool rcache_get_slow(struct dmp_iova_domain *iovad,
					  struct iova_cpu_rcache *rc,
					  enum dmp_slot_mode mode, unsigned int cls,
					  unsigned long max_lo, unsigned long *pfn)
{
	struct iova_magazine **loaded = &rc->cls[cls].loaded, **prev = &rc->cls[cls].prev;
	struct iova_magazine *spare = NULL;
	bool hit = false;

	if (!mag_empty(*loaded)) {
		hit = mag_pop(*loaded, max_lo, pfn);
	} else if (!mag_empty(*prev)) {
		struct iova_magazine *t = *loaded;
		*loaded = *prev;
		*prev = t;
		hit = mag_pop(*loaded, max_lo, pfn);
	} else {
		struct iova_magazine *m = depot_pop(&iovad->rcaches->depot[cls]);
		if (m) {
			/* keep the empty magazine as prev if there is none */
			if (*prev)
				spare = *loaded;
			else
				*prev = *loaded;
			*loaded = m;
			hit = mag_pop(m, max_lo, pfn);
		}
	}
	dmp_slot_unlock(&rc->slot, mode);
	mag_free(spare);
	return hit;
}

/*
 * Linux's __iova_rcache_insert, slow half: loaded is full or missing.  Swap
 * with prev, else a fresh magazine replaces loaded, which goes to the depot
 * (or, the depot full, back to the tree).  False if no magazine could be
 * had: the caller frees into the tree.  Called with @rc locked; unlocks it.
 */
static DMP__NOINLINE bool rcache_insert_slow(struct dmp_iova_domain *iovad,
					     struct iova_cpu_rcache *rc,
					     enum dmp_slot_mode mode,
					     unsigned int cls, unsigned long pfn)
{
	struct iova_magazine **loaded = &rc->cls[cls].loaded, **prev = &rc->cls[cls].prev;
	struct iova_magazine *spill = NULL, *fresh;
	bool ok = true;

	if (!mag_full(*prev)) {
		struct iova_magazine *t = *loaded;
		*loaded = *prev;
		*prev = t;
		(*loaded)->pfns[(*loaded)->size++] = pfn;
		goto out_unlock;
	}
	/* Both full or missing (magazines are allocated on first use). */
	fresh = mag_alloc();
	if (!fresh) {
		ok = false;
		goto out_unlock;
	}
	if (*loaded && !*prev)
		*prev = *loaded;
	else if (*loaded && !depot_push(&iovad->rcaches->depot[cls], *loaded))
		spill = *loaded;
	*loaded = fresh;
	fresh->pfns[fresh->size++] = pfn;
out_unlock:
	dmp_slot_unlock(&rc->slot, mode);
	if (spill) {
		mag_to_tree(iovad, spill, cls);
		mag_free(spill);
	}
	return ok;
}

/* The caches missed: the tree, and once more after a flush if allowed. */
static DMP__NOINLINE int alloc_fast_tree(struct dmp_iova_domain *iovad,
					 unsigned long size, unsigned long limit_pfn,
					 bool flush_rcache, unsigned long *pfn_lo)
{
	int err = tree_alloc(iovad, size, limit_pfn, true, pfn_lo);

	if (err && flush_rcache) {
		dmp_iova_flush_rcaches(iovad);
		err = tree_alloc(iovad, size, limit_pfn, true, pfn_lo);
	}
	return err;
}

/* This CPU's loaded magazine had nothing: the rest of the caches, then the
 * tree.  Called with @rc locked. */
static DMP__NOINLINE int alloc_fast_miss(struct dmp_iova_domain *iovad,
					 struct iova_cpu_rcache *rc,
					 enum dmp_slot_mode mode, unsigned int cls,
					 unsigned long limit_pfn, bool flush_rcache,
					 unsigned long *pfn_lo)
{
	unsigned long size = 1UL << cls;

	if (rcache_get_slow(iovad, rc, mode, cls, limit_pfn + 1 - size, pfn_lo))
		return 0;
	return alloc_fast_tree(iovad, size, limit_pfn, flush_rcache, pfn_lo);
}

/* The caches under the slot lock, taken in any mode (the hit path below
 * found the slot shared, unassigned or visited, or the loaded magazine
 * with nothing to give): Linux's __iova_rcache_get. */
static DMP__NOINLINE int alloc_fast_locked(struct dmp_iova_domain *iovad,
					   unsigned int cls, unsigned long limit_pfn,
					   bool flush_rcache, unsigned long *pfn_lo)
{
	unsigned int self = dmp_cpu_slot();
	struct iova_cpu_rcache *rc = &iovad->rcaches->cpu[dmp_cpu_slot_index(self)];
	enum dmp_slot_mode mode = dmp_slot_lock(&rc->slot, self);
	struct iova_magazine *m = rc->cls[cls].loaded;

	if (m && m->size && m->pfns[m->size - 1] + (1UL << cls) - 1 <= limit_pfn) {
		*pfn_lo = m->pfns[--m->size];
		dmp_slot_unlock(&rc->slot, mode);
		return 0;
	}
	return alloc_fast_miss(iovad, rc, mode, cls, limit_pfn, flush_rcache, pfn_lo);
}

/*
 * The hit paths of alloc and free are kept small (the slot entered as its
 * owner, two loads, one store, no call, so no stack frame): they are the
 * whole cost of a cached allocation.  Everything else is a tail call, to a
 * path that takes the slot lock in whatever mode it must
 * (src/slot-lock.h).
 */
int dmp_alloc_iova_fast(struct dmp_iova_domain *iovad, unsigned long size, unsigned long limit_pfn,
			bool flush_rcache, unsigned long *pfn_lo)
{
	unsigned int cls, self;

	DMP_ASSERT(iovad && pfn_lo);
	if (dmp__unlikely(!size))
		return -EINVAL;
	limit_pfn = DMP_MIN(limit_pfn, iovad->max_pfn);
	/* Linux rounds the sizes it caches up to a power of two, so that a
	 * cached range of a class fits any request of the class. */
	cls = order_base_2(size);
	if (dmp__unlikely(cls >= NR_CLASSES || limit_pfn < (1UL << cls) - 1))
		return alloc_fast_tree(iovad, cls >= NR_CLASSES ? size : 1UL << cls, limit_pfn,
				       flush_rcache, pfn_lo);

	self = dmp__cpu_self; /* ~0u until assigned: shared, for the locked path to assign */
	if (dmp__likely(!(self & DMP_CPU_SLOT_SHARED))) {
		struct iova_cpu_rcache *rc = &iovad->rcaches->cpu[self];
		if (dmp__likely(dmp_slot_try_owner(&rc->slot, self))) {
			struct iova_magazine *m = rc->cls[cls].loaded;
			if (dmp__likely(m && m->size &&
					m->pfns[m->size - 1] + (1UL << cls) - 1 <= limit_pfn)) {
				*pfn_lo = m->pfns[--m->size];
				dmp_slot_owner_exit(&rc->slot);
				return 0;
			}
			dmp_slot_owner_exit(&rc->slot);
		}
	}
	return alloc_fast_locked(iovad, cls, limit_pfn, flush_rcache, pfn_lo);
}

/* dmp_free_iova_fast() under the slot lock, in any mode: Linux's
 * __iova_rcache_insert, else the tree. */
static DMP__NOINLINE int free_fast_locked(struct dmp_iova_domain *iovad,
					  unsigned long pfn, unsigned int cls)
{
	unsigned int self = dmp_cpu_slot();
	struct iova_cpu_rcache *rc = &iovad->rcaches->cpu[dmp_cpu_slot_index(self)];
	enum dmp_slot_mode mode = dmp_slot_lock(&rc->slot, self);
	struct iova_magazine *m = rc->cls[cls].loaded;

	if (m && m->size < MAG_SIZE) {
		m->pfns[m->size++] = pfn;
		dmp_slot_unlock(&rc->slot, mode);
		return 0;
	}
	if (rcache_insert_slow(iovad, rc, mode, cls, pfn))
		return 0;
	return dmp_free_iova(iovad, pfn);
}

int dmp_free_iova_fast(struct dmp_iova_domain *iovad, unsigned long pfn, unsigned long size)
{
	unsigned int cls, self;

	DMP_ASSERT(iovad && size);
	cls = order_base_2(size);
	if (dmp__unlikely(cls >= NR_CLASSES))
		return dmp_free_iova(iovad, pfn);
	self = dmp__cpu_self; /* as in dmp_alloc_iova_fast() */
	if (dmp__likely(!(self & DMP_CPU_SLOT_SHARED))) {
		struct iova_cpu_rcache *rc = &iovad->rcaches->cpu[self];
		if (dmp__likely(dmp_slot_try_owner(&rc->slot, self))) {
			struct iova_magazine *m = rc->cls[cls].loaded;
			if (dmp__likely(m && m->size < MAG_SIZE)) {
				m->pfns[m->size++] = pfn;
				dmp_slot_owner_exit(&rc->slot);
				return 0;
			}
			dmp_slot_owner_exit(&rc->slot);
		}
	}
	return free_fast_locked(iovad, pfn, cls);
}

/*
 * Enter every CPU slot as a non-owner (src/slot-lock.h), in index order:
 * each slot's lock and remote flag, one barrier, then wait for the owners.
 */
static void slots_remote_lock(struct dmp__iova_rcaches *rcs)
{
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		dmp_slot_remote_begin(&rcs->cpu[cpu].slot);
	dmp_slot_remote_sync();
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		dmp_slot_remote_wait(&rcs->cpu[cpu].slot);
}

void dmp_iova_flush_rcaches(struct dmp_iova_domain *iovad)
{
	struct dmp__iova_rcaches *rcs;

	DMP_ASSERT(iovad && iovad->rcaches);
	rcs = iovad->rcaches;
	/* every slot as a non-owner, with one barrier for all */
	slots_remote_lock(rcs);
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++) {
		struct iova_cpu_rcache *rc = &rcs->cpu[cpu];
		for (unsigned int c = 0; c < NR_CLASSES; c++) {
			mag_to_tree(iovad, rc->cls[c].loaded, c);
			mag_to_tree(iovad, rc->cls[c].prev, c);
		}
		dmp_slot_remote_end(&rc->slot);
	}
	for (unsigned int c = 0; c < NR_CLASSES; c++) {
		struct iova_magazine *m;
		while ((m = depot_pop(&rcs->depot[c])) != NULL) {
			mag_to_tree(iovad, m, c);
			mag_free(m);
		}
	}
}

/*
 * Domain life cycle.
 */
int dmp_iova_domain_init(struct dmp_iova_domain *iovad, unsigned long granule,
			 unsigned long start_pfn)
{
	struct dmp__iova_rcaches *rcs;
	struct iova_leaf *root;
	unsigned int shift;

	DMP_ASSERT(iovad);
	if (!DMP_IS_POW2(granule) || granule < 4096)
		return -EINVAL;
	shift = (unsigned int)__builtin_ctzl(granule);
	if (start_pfn > (~0UL >> shift))
		return -EINVAL;
	rcs = meta_alloc(sizeof(*rcs));
	if (!rcs)
		return -ENOMEM;
	memset(rcs, 0, sizeof(*rcs));
	for (unsigned int c = 0; c < NR_CLASSES; c++)
		dmp_spin_init(&rcs->depot[c].lock);
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		dmp_slot_init(&rcs->cpu[cpu].slot);

	memset(iovad, 0, sizeof(*iovad));
	iovad->granule = granule;
	iovad->shift = shift;
	iovad->start_pfn = start_pfn;
	/* The anchor sits at ~0UL: the top of the space is one below it. */
	iovad->max_pfn = ~0UL >> shift;
	iovad->dma_32bit_pfn = (unsigned long)((1ULL << 32) >> shift);
	iovad->rcaches = rcs;
	dmp_spin_init(&iovad->tree_lock);
	/* the root leaf, holding the anchor only */
	if (tree_reserve_nodes(iovad)) {
		dmp__meta_free(rcs, sizeof(*rcs));
		memset(iovad, 0, sizeof(*iovad));
		return -ENOMEM;
	}
	root = node_get(iovad, NODE_LEAF);
	root->nr = 1;
	E_LO(root, 0) = E_HI(root, 0) = IOVA_ANCHOR_PFN;
	E_FL(root, 0) = DMP__IOVA_ANCHOR;
	iovad->root = iovad->hint = root;
	iovad->height = 0;
	iovad->cached_lo = iovad->cached32_lo = IOVA_ANCHOR_PFN;
	iovad->fail_size[0] = iovad->fail_size[1] = ~0UL;
	return 0;
}

void dmp_iova_domain_destroy(struct dmp_iova_domain *iovad)
{
	struct dmp__iova_rcaches *rcs;
	struct dmp__iova_chunk *c, *next;

	DMP_ASSERT(iovad);
	rcs = iovad->rcaches;
	if (rcs) {
		for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++) {
			for (unsigned int k = 0; k < NR_CLASSES; k++) {
				mag_free(rcs->cpu[cpu].cls[k].loaded);
				mag_free(rcs->cpu[cpu].cls[k].prev);
			}
		}
		for (unsigned int k = 0; k < NR_CLASSES; k++)
			for (unsigned int i = 0; i < rcs->depot[k].nr; i++)
				mag_free(rcs->depot[k].mags[i]);
		dmp__meta_free(rcs, sizeof(*rcs));
	}
	for (c = iovad->chunks; c; c = next) {
		next = c->next;
		dmp__meta_free(c, sizeof(*c));
	}
	memset(iovad, 0, sizeof(*iovad));
}

/*
 * Introspection.
 */
static void lock_all(struct dmp_iova_domain *iovad)
{
	slots_remote_lock(iovad->rcaches);
	for (unsigned int c = 0; c < NR_CLASSES; c++)
		dmp_spin_lock(&iovad->rcaches->depot[c].lock);
	dmp_spin_lock(&iovad->tree_lock);
}

static void unlock_all(struct dmp_iova_domain *iovad)
{
	dmp_spin_unlock(&iovad->tree_lock);
	for (unsigned int c = 0; c < NR_CLASSES; c++)
		dmp_spin_unlock(&iovad->rcaches->depot[c].lock);
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		dmp_slot_remote_end(&iovad->rcaches->cpu[cpu].slot);
}

/* Calls @fn on every magazine of class @c; all locks held. */
static void for_each_mag(struct dmp_iova_domain *iovad,
			 void (*fn)(struct iova_magazine *m, unsigned int c, void *arg), void *arg)
{
	struct dmp__iova_rcaches *rcs = iovad->rcaches;

	for (unsigned int c = 0; c < NR_CLASSES; c++) {
		for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++) {
			if (rcs->cpu[cpu].cls[c].loaded)
				fn(rcs->cpu[cpu].cls[c].loaded, c, arg);
			if (rcs->cpu[cpu].cls[c].prev)
				fn(rcs->cpu[cpu].cls[c].prev, c, arg);
		}
		for (unsigned int i = 0; i < rcs->depot[c].nr; i++)
			fn(rcs->depot[c].mags[i], c, arg);
	}
}

static void count_mag(struct iova_magazine *m, unsigned int c, void *arg)
{
	struct dmp_iova_stats *st = arg;
	(void)c;
	st->magazines++;
	st->cached += m->size;
}

void dmp_iova_domain_stats(struct dmp_iova_domain *iovad, struct dmp_iova_stats *st)
{
	DMP_ASSERT(iovad && st);
	memset(st, 0, sizeof(*st));
	lock_all(iovad);
	st->ranges = iovad->nr_ranges;
	st->reserved = iovad->nr_reserved;
	st->pfns = iovad->nr_pfns;
	for_each_mag(iovad, count_mag, st);
	unlock_all(iovad);
}

struct check_walk {
	const struct dmp_iova_domain *iovad;
	const struct iova_leaf *last_leaf; /* previous leaf in order */
	unsigned long last_hi;             /* pfn_hi of the previous range */
	bool any;                          /* a range was seen */
	unsigned long nodes, reserved, pfns;
	bool seen_cached, seen_cached32, seen_anchor;
	const char *err;
	unsigned long err_pfn;
};

static void check_fail(struct check_walk *w, const char *what, unsigned long pfn)
{
	if (!w->err) {
		w->err = what;
		w->err_pfn = pfn;
	}
}

static void check_range(struct check_walk *w, const struct iova_leaf *l, unsigned int i)
{
	const struct dmp_iova_domain *iovad = w->iovad;
	unsigned long lo = E_LO(l, i), hi = E_HI(l, i);
	unsigned int flags = E_FL(l, i);

	if (lo > hi)
		check_fail(w, "range with pfn_lo > pfn_hi", lo);
	if (w->any && w->last_hi >= lo)
		check_fail(w, "ranges out of order or overlapping", lo);
	if (entry_floor(l, i) != (w->any ? w->last_hi + 1 : 0))
		check_fail(w, "stale gap (a leaf's floor)", lo);
	if (w->seen_anchor)
		check_fail(w, "anchor is not the last range", lo);
	if (flags & DMP__IOVA_MARK)
		check_fail(w, "stray check mark", lo);
	if (flags & DMP__IOVA_ANCHOR) {
		if (lo != IOVA_ANCHOR_PFN || hi != IOVA_ANCHOR_PFN || flags != DMP__IOVA_ANCHOR)
			check_fail(w, "anchor damaged", lo);
		w->seen_anchor = true;
	} else {
		if (flags & ~DMP__IOVA_RESERVED)
			check_fail(w, "bad range flags", lo);
		if (hi > iovad->max_pfn)
			check_fail(w, "range beyond the space", lo);
		w->nodes++;
		if (flags & DMP__IOVA_RESERVED) {
			w->reserved++;
		} else {
			w->pfns += hi - lo + 1;
			if (lo < iovad->start_pfn)
				check_fail(w, "allocation below start_pfn", lo);
		}
	}
	if (lo == iovad->cached_lo)
		w->seen_cached = true;
	if (lo == iovad->cached32_lo)
		w->seen_cached32 = true;
	w->any = true;
	w->last_hi = hi;
}

/*
 * The subtree at @n, level @lvl (0: a leaf), child of @parent: links, sizes,
 * keys, the leaves in order and linked, and the bounds above them ("What the
 * bounds promise", iova-btree.h): each at least the codes of every fit in
 * the subtree.  @v receives the subtree's exact codes.
 */
static void check_subtree(struct check_walk *w, const void *n, unsigned int lvl,
			  const struct iova_inner *parent, uint8_t v[NR_ORDERS])
{
	memset(v, 0, NR_ORDERS);
	if (node_parent(n, lvl) != parent) {
		check_fail(w, "broken parent link", 0);
		return;
	}
	if (!lvl) {
		const struct iova_leaf *l = n;
		if (!l->nr || l->nr > LEAF_MAX) {
			check_fail(w, "leaf size out of range", l->nr);
			return;
		}
		if (l->prev != w->last_leaf || (w->last_leaf && w->last_leaf->next != l))
			check_fail(w, "leaves linked out of order", E_LO(l, 0));
		for (unsigned int i = 0; i < l->nr; i++)
			check_range(w, l, i);
		w->last_leaf = l;
		leaf_codes(l, v);
		return;
	}
	const struct iova_inner *in = n;
	if (!in->nr || in->nr > INNER_MAX || (!parent && in->nr < 2)) {
		check_fail(w, "inner node size out of range", in->nr);
		return;
	}
	for (unsigned int i = 0; i < in->nr && !w->err; i++) {
		uint8_t cv[NR_ORDERS];
		const void *c = in->child[i];
		for (unsigned int h = lvl - 1; h; h--)
			c = ((const struct iova_inner *)c)->child[0];
		unsigned long lowest = E_LO((const struct iova_leaf *)c, 0);
		/* a separator ("key[i]", iova-btree.h) */
		if (in->key[i] > lowest || (w->any && in->key[i] <= w->last_hi))
			check_fail(w, "key does not separate its child from the one below", lowest);
		c = in->child[i];
		check_subtree(w, c, lvl - 1, in, cv);
		for (unsigned int k = 0; k < NR_ORDERS; k++) {
			if (in->fit[k][i] < cv[k])
				check_fail(w, k ? "fit bound too low" : "gap bound too low", lowest);
			if (lvl == 1 && ((const struct iova_leaf *)c)->hold > in->fit[k][i])
				check_fail(w, "a leaf's hold above its bounds", lowest);
			v[k] = cv[k] > v[k] ? cv[k] : v[k];
		}
	}
}

struct mark_walk {
	struct dmp_iova_domain *iovad;
	struct check_walk *w;
};

static void mark_cached(struct iova_magazine *m, unsigned int c, void *arg)
{
	struct mark_walk *mw = arg;

	if (m->size > MAG_SIZE) {
		check_fail(mw->w, "magazine overfull", 0);
		return;
	}
	for (unsigned long i = 0; i < m->size; i++) {
		struct iova_pos p = tree_find(mw->iovad, m->pfns[i]);
		if (!p.l || pos_lo(p) != m->pfns[i] ||
		    (pos_flags(p) & (DMP__IOVA_RESERVED | DMP__IOVA_ANCHOR)) ||
		    pos_hi(p) - pos_lo(p) + 1 != 1UL << c) {
			check_fail(mw->w, "cached pfn is not an allocated range of its class",
				   m->pfns[i]);
			continue;
		}
		if (pos_flags(p) & DMP__IOVA_MARK)
			check_fail(mw->w, "range cached twice", m->pfns[i]);
		E_FL(p.l, p.i) |= DMP__IOVA_MARK;
	}
}

static void unmark(struct dmp_iova_domain *iovad)
{
	void *n = iovad->root;
	for (unsigned int h = iovad->height; h; h--)
		n = ((struct iova_inner *)n)->child[0];
	for (struct iova_leaf *l = n; l; l = l->next)
		for (unsigned int i = 0; i < l->nr; i++)
			E_FL(l, i) &= (uint8_t)~DMP__IOVA_MARK;
}

int dmp_iova_domain_check(struct dmp_iova_domain *iovad)
{
	struct check_walk w = { .iovad = iovad };
	struct mark_walk mw = { .iovad = iovad, .w = &w };
	uint8_t v[NR_ORDERS];

	DMP_ASSERT(iovad && iovad->rcaches);
	lock_all(iovad);
	if (!iovad->root)
		check_fail(&w, "no root", 0);
	else
		check_subtree(&w, iovad->root, iovad->height, NULL, v);
	if (!w.err && (!w.seen_anchor || (w.last_leaf && w.last_leaf->next)))
		check_fail(&w, "anchor is not the last range", 0);
	if (!w.seen_cached || !w.seen_cached32)
		check_fail(&w, "cached position is not a range of the tree", 0);
	if (w.nodes != iovad->nr_ranges || w.reserved != iovad->nr_reserved ||
	    w.pfns != iovad->nr_pfns)
		check_fail(&w, "counters disagree with the tree", w.nodes);
	for (unsigned int c = 0; c < NR_CLASSES; c++)
		if (iovad->rcaches->depot[c].nr > DEPOT_MAX)
			check_fail(&w, "depot overfull", c);
	if (!w.err) {
		for_each_mag(iovad, mark_cached, &mw);
		unmark(iovad);
	}
	unlock_all(iovad);
	if (w.err) {
		dmp_log("dmaport: iova: domain inconsistent: %s (pfn %#lx)", w.err, w.err_pfn);
		return -EINVAL;
	}
	return 0;
}
