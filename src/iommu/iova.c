/* SPDX-License-Identifier: MIT */
/*
 * iova.c - the IOVA allocator: a red-black tree of ranges with cached search
 * positions, and per-CPU magazine caches with a depot in front of it.
 *
 * The rules follow Linux's drivers/iommu/iova.c (read for the semantics, not
 * copied): top-down first fit from a cached node, retried once above it;
 * cached_node / cached32_node updates on insert and delete; size-aligned
 * ranges aligned to roundup_pow_of_two(size); rcaches of 6 size classes,
 * each CPU with a loaded and a previous magazine, full magazines in a depot.
 * See <dmaport/iova.h> for where dmaport differs on purpose.
 *
 * Where Linux walks the rb-tree node by node below the cached node, this
 * tree is augmented with the free gap below each node, and bounds, one byte
 * each, of the largest gap of each subtree and, per alignment 2^1..2^8, of
 * the largest size-aligned request a gap of the subtree can hold, so the
 * same walk skips every subtree without a fit: the same answer, in O(log n)
 * per skip, with a node of one cache line (iova-rbtree.h: fit_code).
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
#include "iova-rbtree.h"

#define IOVA_ANCHOR_PFN (~0UL)

#define NR_CLASSES DMP_IOVA_RANGE_CACHE_MAX_SIZE

/*
 * Gaps are kept once a search walks this many nodes (Linux's walk would be
 * that long), and dropped when fewer ranges than AUGMENT_DROP are left.
 */
#define AUGMENT_WALK 64
#define AUGMENT_DROP 32
/*
 * While gaps are kept, each search first walks up to PROBE_WALK nodes as
 * Linux would; after STREAK_MIN searches in a row that this served, the
 * gaps go (their upkeep costs more than the walks), and every time they
 * have to come back the streak needed doubles, up to STREAK_MAX, so that a
 * workload alternating between the two cannot make the tree rebuild them
 * often.
 */
#define PROBE_WALK 16
#define STREAK_MIN 1024u
#define STREAK_MAX (1u << 20)

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

/* Tree nodes come in chunks; a chunk lives until the domain is destroyed. */
#define NODES_PER_CHUNK 63
struct dmp__iova_chunk {
	/* first, so that each 64-byte node is one whole cache line (chunks
	 * are 64-byte aligned): with the link first, every node straddled two */
	struct dmp_iova_node nodes[NODES_PER_CHUNK];
	struct dmp__iova_chunk *next;
};
_Static_assert(sizeof(struct dmp_iova_node) == 64, "a tree node is one whole cache line");

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

/* Called with the tree lock held. */
static struct dmp_iova_node *node_alloc(struct dmp_iova_domain *iovad)
{
	struct dmp_iova_node *n;

	if (dmp__fail_check(DMP_FAIL_HEAP))
		return NULL;
	if (!iovad->free_nodes) {
		struct dmp__iova_chunk *c = dmp__meta_alloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = iovad->chunks;
		iovad->chunks = c;
		for (unsigned int i = 0; i < NODES_PER_CHUNK; i++) {
			c->nodes[i].right = iovad->free_nodes;
			iovad->free_nodes = &c->nodes[i];
		}
	}
	n = iovad->free_nodes;
	iovad->free_nodes = n->right;
	/* tree_insert() sets the links and the colour, and the gap and the
	 * bounds while they are kept (augment_build() sets every node's when
	 * they start) */
	n->flags = 0;
	return n;
}

static void node_free(struct dmp_iova_domain *iovad, struct dmp_iova_node *n)
{
	n->right = iovad->free_nodes;
	iovad->free_nodes = n;
}

/*
 * tree_find_limit(@end) for a @from whose pfn_hi is at or above @end: first a
 * few steps down in order from @from, as Linux's walk would take them.
 */
static struct dmp_iova_node *find_limit_from(const struct dmp_iova_domain *iovad,
					     struct dmp_iova_node *from, unsigned long end)
{
	for (unsigned int i = 0; i < 4; i++) {
		struct dmp_iova_node *p = tree_prev(from);
		if (!p || p->pfn_hi < end)
			return from;
		from = p;
	}
	return tree_find_limit(iovad, end);
}

/*
 * Cached search positions (Linux's __cached_rbnode_insert_update and
 * __cached_rbnode_delete_update): the next search starts at the range the
 * last one allocated, below or above the 4 GiB boundary; a free at or above
 * the cached position moves it up to the freed range's successor so that the
 * hole is seen again.
 */
static void cached_insert_update(struct dmp_iova_domain *iovad, struct dmp_iova_node *n)
{
	if (n->pfn_hi < iovad->dma_32bit_pfn)
		iovad->cached32_node = n;
	else
		iovad->cached_node = n;
}

/* @*next is tree_next(@n), or NULL until someone needs it. */
static void cached_delete_update(struct dmp_iova_domain *iovad, struct dmp_iova_node *n,
				 struct dmp_iova_node **next)
{
	struct dmp_iova_node *c32 = iovad->cached32_node, *c = iovad->cached_node;

	if (n == c32 || (n->pfn_hi < iovad->dma_32bit_pfn && n->pfn_lo >= c32->pfn_lo)) {
		if (!*next)
			*next = tree_next(n);
		iovad->cached32_node = *next;
	}
	if (n == c || n->pfn_lo >= c->pfn_lo) {
		if (!*next)
			*next = tree_next(n);
		iovad->cached_node = *next;
	}
}

/* Unlink and free @n (not the anchor).  Tree lock held. */
static void remove_node(struct dmp_iova_domain *iovad, struct dmp_iova_node *n)
{
	struct dmp_iova_node *next = NULL; /* tree_next(n), never NULL: the anchor is above */

	DMP_ASSERT(!(n->flags & DMP__IOVA_ANCHOR));
	cached_delete_update(iovad, n, &next);
	if (iovad->augmented && !next)
		next = tree_next(n); /* the node above inherits the gap */
	tree_erase(iovad, n, next);
	iovad->nr_ranges--;
	if (iovad->augmented && iovad->nr_ranges < AUGMENT_DROP && iovad->augment_walk)
		iovad->augmented = false; /* a short walk is cheaper than the upkeep */
	if (n->flags & DMP__IOVA_RESERVED) {
		iovad->nr_reserved--;
	} else {
		iovad->nr_pfns -= n->pfn_hi - n->pfn_lo + 1;
		/* new free space: the remembered failures no longer hold */
		if (dmp__unlikely((iovad->fail_size[0] & iovad->fail_size[1]) != ~0UL)) {
			iovad->fail_size[0] = iovad->fail_size[1] = ~0UL;
			iovad->fail_limit[0] = iovad->fail_limit[1] = 0;
		}
	}
	node_free(iovad, n);
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

/*
 * Start keeping the gaps: one pass in order for each node's gap and the
 * lowest-node flag, one bottom-up for the bounds.  Tree lock held.
 */
static void augment_build(struct dmp_iova_domain *iovad)
{
	struct dmp_iova_node *n = iovad->root, *prev = NULL;

	while (n->left)
		n = n->left;
	for (; n; prev = n, n = tree_next(n)) {
		n->gap = n->pfn_lo - (prev ? prev->pfn_hi + 1 : 0);
		n->flags &= ~DMP__IOVA_LOWEST;
		if (!prev)
			n->flags |= DMP__IOVA_LOWEST;
	}
	build_bounds(iovad->root);
	iovad->augmented = true;
	iovad->short_streak = 0;
	iovad->streak_to_drop = iovad->streak_to_drop ? DMP_MIN(2 * iovad->streak_to_drop, STREAK_MAX)
						      : STREAK_MIN;
}

enum walk_end { WALK_FOUND, WALK_NONE, WALK_BUDGET };

/*
 * Walk down from @n over the hole below each node, capped by @high (which
 * only the first node can reach), for the highest @size-pfn fit aligned by
 * @align_mask at or above @low: with @aug the gaps skip subtrees too small,
 * else one node at a time, as Linux.  *@steps counts the nodes passed; the
 * walk gives up when it reaches @budget.  On WALK_FOUND, *@pfn is the fit and
 * *@hint the node above it.
 */
static DMP__ALWAYS_INLINE enum walk_end
walk_down(struct dmp_iova_node *n, unsigned long size, unsigned long high,
	  unsigned long low, unsigned long align_mask, bool aug,
	  unsigned int budget, unsigned int *steps, unsigned long *pfn,
	  struct dmp_iova_node **hint)
{
	struct dmp_iova_node *below = NULL;
	/* the order the augmentation skips by: the alignment's, at most the
	 * highest kept (a bound then); and the size's code */
	unsigned int k = 0;
	uint8_t code = 0;
	if (aug) {
		k = DMP_MIN((unsigned int)__builtin_ctzl(align_mask), DMP__IOVA_FIT_ORDERS);
		code = fit_code(size);
	}
	for (; n; n = aug ? prev_fit(n, size, code, k) : below) {
		if (*steps >= budget)
			return WALK_BUDGET;
		high = DMP_MIN(high, n->pfn_lo);
		if (high < size)
			break;
		unsigned long new_pfn = (high - size) & align_mask, floor;
		if (new_pfn < low)
			break;
		if (aug) {
			floor = n->pfn_lo - n->gap;
		} else {
			below = tree_prev(n);
			floor = below ? below->pfn_hi + 1 : 0;
		}
		if (new_pfn >= floor) {
			*pfn = new_pfn;
			*hint = n;
			return WALK_FOUND;
		}
		(*steps)++;
	}
	return WALK_NONE;
}

/*
 * Top-down first fit below @end (exclusive), Linux's
 * __alloc_and_insert_iova_range: from the cached node down to start_pfn,
 * then once more from the limit down to just above the cached node.  Between
 * the two passes every gap below @end is seen.  The result is the one
 * Linux's node-by-node walk gives; prev_fit() only skips the nodes whose gap
 * is too small.  On success *@pfn is the range's start and *@hint the node
 * just above it (for tree_insert).
 */
static int tree_search(struct dmp_iova_domain *iovad, unsigned long size, unsigned long end,
		       unsigned long align_mask, unsigned long *pfn,
		       struct dmp_iova_node **hint)
{
	struct dmp_iova_node *curr;
	unsigned long low = iovad->start_pfn, retry_low;
	unsigned int steps = 0;
	bool retry, aug = iovad->augmented;
	int err = -ENOMEM;

	curr = end <= iovad->dma_32bit_pfn ? iovad->cached32_node : iovad->cached_node;
	if (aug && curr->pfn_lo < end) {
		/* Linux's walk for a few nodes: a fit in it is the range the
		 * whole search would return (the highest below the limit) */
		unsigned int probe = 0;
		if (walk_down(curr, size, end, low, align_mask, false, PROBE_WALK, &probe, pfn,
			      hint) == WALK_FOUND) {
			if (++iovad->short_streak >= iovad->streak_to_drop && iovad->augment_walk)
				iovad->augmented = false;
			return 0;
		}
		iovad->short_streak = 0;
	}
	/*
	 * A cached node above the limit: Linux walks down to the limit node by
	 * node; the lowest node reaching the limit is the same start.  A few
	 * steps as Linux, since the cached node is most often the anchor just
	 * above the highest range (a free moved it there), then in O(log n).
	 */
	if (curr->pfn_lo >= end)
		curr = find_limit_from(iovad, curr, end);
	/* Linux retries from the anchor even when the first pass started there,
	 * with a low bound of anchor + 1 = 0: below start_pfn.  Not here. */
	retry = !(curr->flags & DMP__IOVA_ANCHOR) && curr->pfn_hi + 1 < end;
	retry_low = DMP_MAX(curr->pfn_hi + 1, iovad->start_pfn);

	for (;;) {
		/* two copies of the walk, each with @aug a constant: the
		 * compiler then leaves out what the other needs */
		enum walk_end e =
			aug ? walk_down(curr, size, end, low, align_mask, true, ~0u, &steps, pfn, hint)
			    : walk_down(curr, size, end, low, align_mask, false, ~0u, &steps, pfn, hint);
		if (e == WALK_FOUND) {
			err = 0;
			break;
		}
		if (!retry)
			break;
		retry = false;
		low = retry_low;
		curr = tree_find_limit(iovad, end);
	}
	if (!aug && steps >= iovad->augment_walk)
		augment_build(iovad);
	return err;
}

static int tree_alloc(struct dmp_iova_domain *iovad, unsigned long size, unsigned long limit_pfn,
		      bool size_aligned, unsigned long *pfn_lo)
{
	struct dmp_iova_node *n, *hint = NULL;
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
	err = tree_search(iovad, size, limit_pfn + 1, align_mask, &new_pfn, &hint);
	if (err) {
		iovad->fail_size[size_aligned] = size;
		iovad->fail_limit[size_aligned] = limit_pfn;
		goto out_unlock;
	}
	/* After the search, which only reads: a failure here changes nothing. */
	n = node_alloc(iovad);
	if (!n) {
		err = -ENOMEM;
		goto out_unlock;
	}
	n->pfn_lo = new_pfn;
	n->pfn_hi = new_pfn + size - 1;
	tree_insert(iovad, n, hint);
	cached_insert_update(iovad, n);
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
	struct dmp_iova_node *n;
	int err = -ENOENT;

	DMP_ASSERT(iovad && range);
	dmp_spin_lock(&iovad->tree_lock);
	n = tree_find(iovad, pfn);
	if (n && !(n->flags & DMP__IOVA_ANCHOR)) {
		range->pfn_lo = n->pfn_lo;
		range->pfn_hi = n->pfn_hi;
		range->reserved = n->flags & DMP__IOVA_RESERVED;
		err = 0;
	}
	dmp_spin_unlock(&iovad->tree_lock);
	return err;
}

int dmp_free_iova(struct dmp_iova_domain *iovad, unsigned long pfn)
{
	struct dmp_iova_node *n;
	int err = 0;

	DMP_ASSERT(iovad);
	dmp_spin_lock(&iovad->tree_lock);
	n = tree_find(iovad, pfn);
	if (!n || (n->flags & DMP__IOVA_ANCHOR))
		err = -ENOENT;
	else if (n->flags & DMP__IOVA_RESERVED)
		err = -EINVAL;
	else
		remove_node(iovad, n);
	dmp_spin_unlock(&iovad->tree_lock);
	if (err == -ENOENT)
		dmp_log("dmaport: iova: free of pfn %#lx, which no range holds (ignored)", pfn);
	else if (err)
		dmp_log("dmaport: iova: free of pfn %#lx, in a reserved range (ignored)", pfn);
	return err;
}

/*
 * Reserve.  Overlapping and touching reservations merge into one node, so the
 * first of them is widened and the others removed; only a reservation that
 * touches none needs a new node.  Tree lock held.
 */
static int reserve_locked(struct dmp_iova_domain *iovad, unsigned long lo, unsigned long hi)
{
	struct dmp_iova_node *n, *keep = NULL, *next;
	unsigned long from = lo ? lo - 1 : 0;

	/* First pass, read only: is any allocated range in the way? */
	n = tree_find_limit(iovad, from);
	for (; n && n->pfn_lo <= hi; n = tree_next(n))
		if (n->pfn_hi >= lo && !(n->flags & (DMP__IOVA_RESERVED | DMP__IOVA_ANCHOR)))
			return -EBUSY;

	/* The reserved neighbours that overlap or touch [lo, hi]. */
	for (n = tree_find_limit(iovad, from); n && n->pfn_lo <= hi + 1; n = next) {
		next = tree_next(n);
		if (!(n->flags & DMP__IOVA_RESERVED) || n->pfn_hi + 1 < lo)
			continue;
		if (!keep) {
			keep = n;
			continue;
		}
		/* merge @n into @keep */
		lo = DMP_MIN(lo, n->pfn_lo);
		hi = DMP_MAX(hi, n->pfn_hi);
		remove_node(iovad, n);
	}
	if (keep) {
		/* Widening keeps the order: the range absorbs only free pfns and
		 * the reservations just removed. */
		struct dmp_iova_node *above;
		keep->pfn_lo = DMP_MIN(lo, keep->pfn_lo);
		keep->pfn_hi = DMP_MAX(hi, keep->pfn_hi);
		if (!iovad->augmented)
			return 0;
		/* both gaps shrink: the bounds hold ("What fit[] promises", iova-rbtree.h) */
		keep->gap = gap_below(keep);
		above = tree_next(keep);
		above->gap = above->pfn_lo - keep->pfn_hi - 1;
		return 0;
	}
	n = node_alloc(iovad);
	if (!n)
		return -ENOMEM;
	n->pfn_lo = lo;
	n->pfn_hi = hi;
	n->flags = DMP__IOVA_RESERVED;
	tree_insert(iovad, n, NULL);
	iovad->nr_ranges++;
	iovad->nr_reserved++;
	return 0;
}

static bool overlaps_allocation(struct dmp_iova_domain *iovad, unsigned long lo, unsigned long hi)
{
	struct dmp_iova_node *n;

	for (n = tree_find_limit(iovad, lo); n && n->pfn_lo <= hi; n = tree_next(n))
		if (!(n->flags & (DMP__IOVA_RESERVED | DMP__IOVA_ANCHOR)))
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
	struct dmp_iova_node *n = tree_find(iovad, pfn);

	if (!n || n->pfn_lo != pfn || n->pfn_hi - n->pfn_lo + 1 != 1UL << cls ||
	    (n->flags & (DMP__IOVA_RESERVED | DMP__IOVA_ANCHOR))) {
		dmp_log("dmaport: iova: cached pfn %#lx (%lu pfns) is no allocated range: "
			 "wrong dmp_free_iova_fast()? dropped", pfn, 1UL << cls);
		return;
	}
	remove_node(iovad, n);
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
	iovad->anchor.pfn_lo = iovad->anchor.pfn_hi = IOVA_ANCHOR_PFN;
	iovad->anchor.flags = DMP__IOVA_ANCHOR | DMP__IOVA_LOWEST;
	iovad->anchor.red = false;
	iovad->anchor.gap = IOVA_ANCHOR_PFN; /* all of [0, ~0UL) */
	memset(iovad->anchor.fit, 0, sizeof(iovad->anchor.fit)); /* see own_gap() */
	iovad->augment_walk = AUGMENT_WALK;
	iovad->root = &iovad->anchor;
	iovad->cached_node = iovad->cached32_node = &iovad->anchor;
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
	const struct dmp_iova_node *last; /* previous node in order */
	unsigned long nodes, reserved, pfns;
	bool seen_cached, seen_cached32;
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

/* Returns the subtree's black height (NULL leaves count 1). */
static int check_subtree(struct check_walk *w, const struct dmp_iova_node *n,
			 const struct dmp_iova_node *parent)
{
	const struct dmp_iova_domain *iovad = w->iovad;
	int hl, hr;

	if (!n)
		return 1;
	if (n->parent != parent)
		check_fail(w, "broken parent link", n->pfn_lo);
	if (n->red && (!parent || parent->red))
		check_fail(w, parent ? "red node with a red parent" : "red root", n->pfn_lo);
	hl = check_subtree(w, n->left, n);

	if (n->pfn_lo > n->pfn_hi)
		check_fail(w, "range with pfn_lo > pfn_hi", n->pfn_lo);
	if (iovad->augmented) {
		if (n->gap != n->pfn_lo - (w->last ? w->last->pfn_hi + 1 : 0))
			check_fail(w, "stale gap", n->pfn_lo);
		if (!(n->flags & DMP__IOVA_LOWEST) != !!w->last)
			check_fail(w, "lowest-node flag on the wrong node", n->pfn_lo);
	}
	if (w->last && w->last->pfn_hi >= n->pfn_lo)
		check_fail(w, "ranges out of order or overlapping", n->pfn_lo);
	if (n->flags & DMP__IOVA_MARK)
		check_fail(w, "stray check mark", n->pfn_lo);
	if (n == &iovad->anchor) {
		if (n->pfn_lo != IOVA_ANCHOR_PFN || n->pfn_hi != IOVA_ANCHOR_PFN ||
		    (n->flags & ~DMP__IOVA_LOWEST) != DMP__IOVA_ANCHOR)
			check_fail(w, "anchor damaged", n->pfn_lo);
	} else {
		if (n->flags & ~(DMP__IOVA_RESERVED | DMP__IOVA_LOWEST))
			check_fail(w, "bad node flags", n->pfn_lo);
		if (n->pfn_hi > iovad->max_pfn)
			check_fail(w, "range beyond the space", n->pfn_lo);
		w->nodes++;
		if (n->flags & DMP__IOVA_RESERVED) {
			w->reserved++;
		} else {
			w->pfns += n->pfn_hi - n->pfn_lo + 1;
			if (n->pfn_lo < iovad->start_pfn)
				check_fail(w, "allocation below start_pfn", n->pfn_lo);
		}
	}
	if (n == iovad->cached_node)
		w->seen_cached = true;
	if (n == iovad->cached32_node)
		w->seen_cached32 = true;
	w->last = n;

	hr = check_subtree(w, n->right, n);
	if (hl != hr)
		check_fail(w, "black heights differ below the node", n->pfn_lo);
	/* the bounds a search skips by (iova-rbtree.h: "What fit[] promises"): at least
	 * the node's own code and its children's */
	for (unsigned int k = 0; k <= DMP__IOVA_FIT_ORDERS && iovad->augmented; k++)
		if (n->fit[k] < fit_code(node_fit(n, k)) || (n->left && n->fit[k] < n->left->fit[k]) ||
		    (n->right && n->fit[k] < n->right->fit[k]))
			check_fail(w, k ? "fit bound too low" : "gap bound too low", n->pfn_lo);
	return hl + !n->red;
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
		struct dmp_iova_node *n = tree_find(mw->iovad, m->pfns[i]);
		if (!n || n->pfn_lo != m->pfns[i] ||
		    (n->flags & (DMP__IOVA_RESERVED | DMP__IOVA_ANCHOR)) ||
		    n->pfn_hi - n->pfn_lo + 1 != 1UL << c) {
			check_fail(mw->w, "cached pfn is not an allocated range of its class",
				   m->pfns[i]);
			continue;
		}
		if (n->flags & DMP__IOVA_MARK)
			check_fail(mw->w, "range cached twice", m->pfns[i]);
		n->flags |= DMP__IOVA_MARK;
	}
}

static void unmark(struct dmp_iova_node *n)
{
	for (; n; n = n->right) {
		n->flags &= ~DMP__IOVA_MARK;
		unmark(n->left);
	}
}

int dmp_iova_domain_check(struct dmp_iova_domain *iovad)
{
	struct check_walk w = { .iovad = iovad };
	struct mark_walk mw = { .iovad = iovad, .w = &w };

	DMP_ASSERT(iovad && iovad->rcaches);
	lock_all(iovad);
	if (!iovad->root || iovad->root->parent)
		check_fail(&w, "no root", 0);
	check_subtree(&w, iovad->root, NULL);
	if (w.last != &iovad->anchor)
		check_fail(&w, "anchor is not the last node", 0);
	if (!w.seen_cached || !w.seen_cached32)
		check_fail(&w, "cached position is not a node of the tree", 0);
	if (w.nodes != iovad->nr_ranges || w.reserved != iovad->nr_reserved ||
	    w.pfns != iovad->nr_pfns)
		check_fail(&w, "counters disagree with the tree", w.nodes);
	for (unsigned int c = 0; c < NR_CLASSES; c++)
		if (iovad->rcaches->depot[c].nr > DEPOT_MAX)
			check_fail(&w, "depot overfull", c);
	if (!w.err) {
		for_each_mag(iovad, mark_cached, &mw);
		unmark(iovad->root);
	}
	unlock_all(iovad);
	if (w.err) {
		dmp_log("dmaport: iova: domain inconsistent: %s (pfn %#lx)", w.err, w.err_pfn);
		return -EINVAL;
	}
	return 0;
}
