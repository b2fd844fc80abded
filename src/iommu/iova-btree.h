/* SPDX-License-Identifier: MIT */
/*
 * iova-btree.h - the IOVA allocator's ranges in a B+tree: leaves of up to
 * LEAF_MAX ranges in pfn order, linked in order; inner nodes of up to
 * INNER_MAX children, each with the lowest pfn_lo of the child's subtree (to
 * look up a pfn) and one-byte bounds of the largest fit of the child's gaps
 * (to skip subtrees that cannot hold a request).  Internal to iova.c, its
 * only includer: static functions in a header, as Linux's
 * rbtree_augmented.h, so that the allocator's paths inline them.
 *
 * Why a B+tree and not a binary tree: with W live ranges each operation
 * looks up the range being freed and searches for a fit elsewhere in the
 * space, and at a million ranges a binary tree of 64-byte nodes (20 or more
 * levels, 64 MB) misses the CPU caches at most levels of both walks (measured
 * with callgrind's cache simulation: ~95 first-level misses per replace at
 * 1,000,000 ranges against ~6 at 1,000).  Here a level is one node whose keys
 * or bounds of one order sit in one or two cache lines, four or five levels
 * at a million ranges, and the upper levels are small enough to stay cached.
 *
 * The gap of a range is the free pfns just below it: from one past the range
 * below (a leaf's floor for its first) up to its pfn_lo; the lowest range's
 * gap starts at pfn 0.  The anchor, at ~0UL, is always the last range.
 */
#ifndef DMP_IOVA_BTREE_H
#define DMP_IOVA_BTREE_H

#include <string.h>

#include <dmaport/iova.h>
#include <dmaport/platform.h>

/* per-range flags */
#define DMP__IOVA_RESERVED 0x1u
#define DMP__IOVA_ANCHOR 0x2u
#define DMP__IOVA_MARK 0x4u /* dmp_iova_domain_check(): seen in a cache */

#define LEAF_MAX 16
#define INNER_MAX 16
#define NR_ORDERS (1 + DMP__IOVA_FIT_ORDERS)
/* A leaf this empty after an erase merges with a sibling that has room. */
#define LEAF_LOW (LEAF_MAX / 4)

struct iova_inner;

/*
 * GCC turns the loops that shift a node's arrays by one into memmove calls,
 * which cost more than the few moves of a small node (measured: the tree
 * 1-page row spent a fifth of its instructions in them).
 */
#if defined(__GNUC__) && !defined(__clang__)
#define NODE_SHIFT_FN __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NODE_SHIFT_FN
#endif

/* A node's first byte: what it is, so that a remembered leaf pointer can be
 * checked before use (nodes are reused, never given back until destroy). */
enum { NODE_FREE, NODE_LEAF, NODE_INNER };

struct iova_leaf {
	uint8_t kind; /* NODE_LEAF */
	uint8_t nr;
	/* at most the least of this leaf's bounds in its parent: an erase
	 * whose merged gap codes no higher has nothing to raise */
	uint8_t hold;
	uint8_t flags[LEAF_MAX];
	struct iova_inner *parent;
	struct iova_leaf *prev, *next; /* in pfn order */
	unsigned long floor;           /* where the gap below entry 0 starts */
	/* entry i (0: the lowest) in slot LEAF_MAX - nr + i: the entries fill
	 * the top slots, so that an insert or an erase moves the entries below
	 * its place, not those above.  Top-down allocation puts a range just
	 * below the range its search started at, and an unmap frees it: most
	 * often at the lowest place of a leaf, where nothing moves. */
	unsigned long lo[LEAF_MAX], hi[LEAF_MAX];
};

/* Entry @i of leaf @l (lvalues; @l and @i are evaluated more than once). */
#define E_LO(l, i) ((l)->lo[LEAF_MAX - (l)->nr + (i)])
#define E_HI(l, i) ((l)->hi[LEAF_MAX - (l)->nr + (i)])
#define E_FL(l, i) ((l)->flags[LEAF_MAX - (l)->nr + (i)])

struct iova_inner {
	uint8_t kind; /* NODE_INNER */
	uint8_t nr;
	struct iova_inner *parent;
	/* key[i]: a separator: above every pfn_hi of child i - 1's subtree, at
	 * or below every pfn_lo of child i's (the lowest pfn_lo it ever had):
	 * a look-up for a pfn takes the last child whose key is at or below
	 * it.  An erase leaves it as it is; only a range inserted below it
	 * lowers it. */
	unsigned long key[INNER_MAX];
	void *child[INNER_MAX];
	/* fit[k][i]: a bound (fit_code) of the largest fit at order k of the
	 * gaps in child i's subtree; an order's bounds share a cache line */
	uint8_t fit[NR_ORDERS][INNER_MAX];
};

union dmp__iova_bnode {
	uint8_t kind;
	struct iova_leaf leaf;
	struct iova_inner inner;
	struct {
		uint8_t kind; /* NODE_FREE */
		union dmp__iova_bnode *next;
	} free;
};

/* A range's place: a leaf and an index in it. */
struct iova_pos {
	struct iova_leaf *l;
	unsigned int i;
};

static inline unsigned long pos_lo(struct iova_pos p)
{
	return E_LO(p.l, p.i);
}

static inline unsigned long pos_hi(struct iova_pos p)
{
	return E_HI(p.l, p.i);
}

static inline unsigned int pos_flags(struct iova_pos p)
{
	return E_FL(p.l, p.i);
}

/* One past the range below entry @i of @l: where its gap starts. */
static inline unsigned long entry_floor(const struct iova_leaf *l, unsigned int i)
{
	return i ? E_HI(l, i - 1) + 1 : l->floor;
}

static inline struct iova_pos pos_next(struct iova_pos p)
{
	if (p.i + 1 < p.l->nr)
		return (struct iova_pos){ p.l, p.i + 1 };
	return (struct iova_pos){ p.l->next, 0 };
}

/* The range below @p; .l NULL below the lowest. */
static inline struct iova_pos pos_prev(struct iova_pos p)
{
	if (p.i)
		return (struct iova_pos){ p.l, p.i - 1 };
	if (!p.l->prev)
		return (struct iova_pos){ NULL, 0 };
	return (struct iova_pos){ p.l->prev, p.l->prev->nr - 1u };
}

/*
 * The bounds.  own_fit(l, i, k): the largest size whose 2^k-aligned
 * placement fits the gap of entry i: size <= pfn_lo - roundup(floor, 2^k)
 * (k = 0: the gap itself).  The anchor's gap (all the space above the
 * highest range) is left out: a search starts at or below the anchor and
 * checks its first range's gap itself, and counting it would change a bound
 * on every allocation at the top.
 */
static inline unsigned long own_fit(const struct iova_leaf *l, unsigned int i, unsigned int k)
{
	unsigned long a, top = E_LO(l, i);
	if (E_FL(l, i) & DMP__IOVA_ANCHOR)
		return 0;
	a = (entry_floor(l, i) + ((1UL << k) - 1)) & ~((1UL << k) - 1);
	return top > a ? top - a : 0;
}

/*
 * The codes of the bounds: a value rounded up to 8 steps per power of two (4
 * bits of precision): code c stands for c below 16, else for (8 + (c & 7))
 * << ((c >> 3) - 1); 255 for anything above 14 << 30.  fit_code(v) is the
 * smallest code standing for v or more, so a subtree's code is never below
 * its real value (a search never skips a fit), and codes compare as the
 * values do: a search compares fit_code(size) with them, once per search.
 * The price of a byte where the exact value took eight: a subtree whose real
 * value falls short of a size by less than an eighth looks like it might
 * hold it, and the search looks inside (and lowers the bound).  The gain:
 * the sixteen children's bounds of one order in a quarter of a cache line,
 * and a gap that grows by a few pfns rarely moves a code, so the upkeep
 * stops at the leaf.
 */
#define FIT_CODE_MAX 255u
static inline uint8_t fit_code(unsigned long v)
{
	if (v < 16)
		return (uint8_t)v;
	/* e = floor(log2 v) - 3 >= 1; the mantissa rounded up, m in [8, 16]:
	 * the code 8e + m (m = 16 carries into the next power, as it should) */
	unsigned int e = (unsigned int)(sizeof(long) * 8 - 4) - (unsigned int)__builtin_clzl(v);
	unsigned long code = 8ul * e + ((v + (1ul << e) - 1) >> e);
	return code > FIT_CODE_MAX ? FIT_CODE_MAX : (uint8_t)code;
}

/* The least value code @c stands for, less one: every value above it and up
 * to what @c stands for has code @c (@c > 0). */
static inline unsigned long fit_code_floor(uint8_t c)
{
	c--;
	return c < 16 ? c : (8ul + (c & 7)) << ((c >> 3) - 1);
}

/*
 * Entry @i's codes at every order, from its gap: the gap's code once, then
 * each order's fit is the gap less the pad to the order's alignment, whose
 * code is the gap's as long as the fit stays above the code's floor.
 */
static inline void own_codes(const struct iova_leaf *l, unsigned int i, uint8_t v[NR_ORDERS])
{
	unsigned long g = own_fit(l, i, 0), neg = g - E_LO(l, i); /* -(gap's floor) */
	uint8_t c = fit_code(g);
	unsigned long keep = c ? fit_code_floor(c) : 0;

	v[0] = c;
	for (unsigned int k = 1; k < NR_ORDERS; k++) {
		unsigned long pad = neg & ((1ul << k) - 1), f = g > pad ? g - pad : 0;
		v[k] = f > keep ? c : fit_code(f);
	}
}

/* The fit at order @k of a gap [@floor, @top). */
static inline unsigned long gap_fit(unsigned long floor, unsigned long top, unsigned int k)
{
	unsigned long a = (floor + ((1UL << k) - 1)) & ~((1UL << k) - 1);
	return top > a ? top - a : 0;
}

/*
 * The exact bounds of a leaf: the largest of its entries' fits, coded.  A
 * gap's fit at any order is at most the gap, so for each order only gaps
 * longer than the largest gap's fit can do better: with the two longest
 * gaps known, most orders need no look at the others (a leaf's gaps are
 * mostly 0 or short alignment pads, with one or two holes).
 */
static void leaf_codes(const struct iova_leaf *l, uint8_t v[NR_ORDERS])
{
	unsigned long gap[LEAF_MAX], floor = l->floor, best = 0, second = 0;
	unsigned int n = l->nr, bi = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned long g = (E_FL(l, i) & DMP__IOVA_ANCHOR) ? 0 : E_LO(l, i) - floor;
		gap[i] = g;
		if (g > best) {
			second = best;
			best = g;
			bi = i;
		} else if (g > second) {
			second = g;
		}
		floor = E_HI(l, i) + 1;
	}
	v[0] = fit_code(best);
	for (unsigned int k = 1; k < NR_ORDERS; k++) {
		unsigned long m = gap_fit(E_LO(l, bi) - best, E_LO(l, bi), k);
		if (second > m) {
			for (unsigned int i = 0; i < n; i++)
				if (gap[i] > m) {
					unsigned long f = gap_fit(E_LO(l, i) - gap[i], E_LO(l, i), k);
					m = f > m ? f : m;
				}
		}
		v[k] = fit_code(m);
	}
}

/* The bounds of an inner node's whole subtree: the largest of its columns. */
static void inner_codes(const struct iova_inner *in, uint8_t v[NR_ORDERS])
{
	for (unsigned int k = 0; k < NR_ORDERS; k++) {
		uint8_t m = 0;
		for (unsigned int i = 0; i < in->nr; i++)
			m = in->fit[k][i] > m ? in->fit[k][i] : m;
		v[k] = m;
	}
}

/*
 * What the bounds promise: each is at least the code of every fit in its
 * subtree, so a search that skips a subtree whose bound is below a request's
 * code skips no fit.  It may be more, and that keeps the upkeep small: a gap
 * that shrinks (an allocation splits it, a reservation widens) needs no
 * update at all, and a split node's halves both take the whole node's
 * bound.  Only a gap that grows (a free merges two) raises the bounds above
 * it, up to the first that is high enough already.  A search that finds no
 * fit in a subtree whose bound let it in lowers that bound to what the
 * subtree's parts show (descend_fit): a stale bound costs one futile look.
 */

static inline unsigned int child_index(const struct iova_inner *p, const void *c)
{
	unsigned int i = 0;
	while (p->child[i] != c)
		i++;
	return i;
}

static inline struct iova_inner *node_parent(const void *n, unsigned int lvl)
{
	return lvl ? ((const struct iova_inner *)n)->parent : ((const struct iova_leaf *)n)->parent;
}

static inline void set_parent(void *n, unsigned int lvl, struct iova_inner *p)
{
	if (lvl)
		((struct iova_inner *)n)->parent = p;
	else
		((struct iova_leaf *)n)->parent = p;
}

/* Does the bound of @p's leaf hold @p's gap already at every order?  (A fit
 * is never longer than the gap: one code to compare.) */
static inline bool bounds_hold(struct iova_pos p)
{
	return fit_code(own_fit(p.l, p.i, 0)) <= p.l->hold;
}

/* @l's bounds were set to @v or above: what its hold may now be. */
static inline void hold_raise(struct iova_leaf *l, const uint8_t v[NR_ORDERS])
{
	uint8_t m = v[0];
	for (unsigned int k = 1; k < NR_ORDERS; k++)
		m = v[k] < m ? v[k] : m;
	l->hold = m > l->hold ? m : l->hold;
}

/* Raise the bounds above leaf @l to at least @v, up to the first level that
 * holds them already.  (Called with the codes of a gap that grew.) */
static void raise_bounds(struct iova_leaf *l, const uint8_t v[NR_ORDERS])
{
	void *n = l;

	hold_raise(l, v);
	for (struct iova_inner *p = l->parent; p; n = p, p = p->parent) {
		unsigned int i = child_index(p, n), up = 0;
		for (unsigned int k = 0; k < NR_ORDERS; k++)
			if (v[k] > p->fit[k][i]) {
				p->fit[k][i] = v[k];
				up = 1;
			}
		if (!up)
			return;
	}
}

/* A range of the leaf before @nx grew up to @hi: raise the separators of
 * @nx's subtrees that no longer lie above it to @nx's first pfn_lo.  A
 * first child's key[0] is no separator (the one above its node is), and it
 * may be above it (node_unlink() of a first child): only a key[i > 0] that
 * lies above @hi ends the climb. */
static void key_above(struct iova_leaf *nx, unsigned long hi)
{
	void *n = nx;
	for (struct iova_inner *p = nx->parent; p; n = p, p = p->parent) {
		unsigned int i = child_index(p, n);
		if (p->key[i] <= hi)
			p->key[i] = E_LO(nx, 0);
		if (i)
			return;
	}
}

/* A range starting at @lo went into the subtree at @n (level @lvl), below
 * its separator maybe: lower the separators above it that @lo is below.
 * A first child's key[0] is no separator (the key above its node is), and
 * key_above() may leave it below that one: it never ends the climb. */
static void fix_key(void *n, unsigned int lvl, unsigned long lo)
{
	for (struct iova_inner *p = node_parent(n, lvl); p; n = p, p = p->parent) {
		unsigned int i = child_index(p, n);
		if (p->key[i] > lo)
			p->key[i] = lo;
		if (i)
			return;
	}
}

/*
 * Ask for all the lines of leaf @l at once, so that a leaf cold in the
 * caches costs one memory latency rather than one per line.  (Leaves are
 * what a million ranges keep out of the caches; the inner nodes above them
 * are a fortieth of the size.)
 */
static inline void prefetch_leaf(const struct iova_leaf *l)
{
	const char *c = (const char *)l;
	_Static_assert(sizeof(struct iova_leaf) <= 5 * 64, "a leaf is five cache lines");
	__builtin_prefetch(c);
	__builtin_prefetch(c + 64);
	__builtin_prefetch(c + 128);
	__builtin_prefetch(c + 192);
	__builtin_prefetch(c + 256);
}

/* The leaf where a range holding @pfn would be: the last child whose lowest
 * pfn_lo is at or below @pfn, at every level. */
static inline struct iova_leaf *leaf_for(const struct dmp_iova_domain *d, unsigned long pfn)
{
	const struct iova_leaf *hint = d->hint;
	void *n = d->root;

	/* The leaf last changed, if it spans @pfn: the one the descent would
	 * reach (its first pfn_lo is at or below @pfn, the next leaf's above).
	 * A map+unmap pair frees what it just allocated: no descent. */
	if (hint->kind == NODE_LEAF && E_LO(hint, 0) <= pfn && pfn <= E_HI(hint, hint->nr - 1))
		return (struct iova_leaf *)hint;
	for (unsigned int h = d->height; h; h--) {
		const struct iova_inner *in = n;
		/* the last key at or below @pfn (key[0] or not) */
		unsigned int base = 0, len = in->nr;
		while (len > 1) {
			unsigned int half = len / 2;
			base = in->key[base + half] <= pfn ? base + half : base;
			len -= half;
		}
		n = in->child[base];
	}
	prefetch_leaf(n);
	return n;
}

/* The last entry of @l with pfn_lo <= @pfn, or -1: a binary search whose
 * steps compile to conditional moves. */
static inline int leaf_floor_index(const struct iova_leaf *l, unsigned long pfn)
{
	unsigned int base = 0, len = l->nr;
	while (len > 1) {
		unsigned int half = len / 2;
		base = E_LO(l, base + half) <= pfn ? base + half : base;
		len -= half;
	}
	return (int)base - (E_LO(l, base) > pfn);
}

/* tree_find() past the remembered range: a descent.  Apart, so that the
 * callers' common path keeps few registers live. */
static DMP__NOINLINE struct iova_pos tree_find_descend(const struct dmp_iova_domain *d,
						       unsigned long pfn)
{
	struct iova_leaf *l = leaf_for(d, pfn);
	int i = leaf_floor_index(l, pfn);
	if (i < 0 || E_HI(l, i) < pfn)
		return (struct iova_pos){ NULL, 0 };
	return (struct iova_pos){ l, (unsigned int)i };
}

/* The range that holds @pfn (the anchor included); .l NULL if none. */
static DMP__ALWAYS_INLINE struct iova_pos tree_find(const struct dmp_iova_domain *d, unsigned long pfn)
{
	struct iova_leaf *h = d->hint;
	unsigned int hi_ = d->hint_i;

	/* The range last inserted, or the one above the range last erased: a
	 * map+unmap pair frees what it just allocated, and the next search
	 * starts at the range the last one changed.  Any range of a live leaf
	 * that holds @pfn is the one (ranges never overlap). */
	if (h->kind == NODE_LEAF && hi_ < h->nr && E_LO(h, hi_) <= pfn && pfn <= E_HI(h, hi_))
		return (struct iova_pos){ h, hi_ };
	return tree_find_descend(d, pfn);
}

/* The lowest range with pfn_hi >= @pfn (the anchor at worst).  Out of line:
 * a search needs it only when its cached start is not that range. */
static DMP__NOINLINE struct iova_pos tree_find_limit(const struct dmp_iova_domain *d,
						     unsigned long pfn)
{
	struct iova_leaf *l = leaf_for(d, pfn);
	int i = leaf_floor_index(l, pfn);
	if (i >= 0 && E_HI(l, i) >= pfn)
		return (struct iova_pos){ l, (unsigned int)i };
	if ((unsigned int)(i + 1) < l->nr)
		return (struct iova_pos){ l, (unsigned int)(i + 1) };
	return (struct iova_pos){ l->next, 0 };
}

/* The range whose pfn_lo is @lo: it must be in the tree. */
static DMP__ALWAYS_INLINE struct iova_pos tree_pos_of(const struct dmp_iova_domain *d, unsigned long lo)
{
	struct iova_pos p = tree_find(d, lo);
	DMP_ASSERT(p.l && pos_lo(p) == lo);
	return p;
}

/*
 * Nodes: a free list over chunks, and a count of the nodes on it.  An
 * insert needs at most height + 2 new nodes (the leaf, each inner node up to
 * the root splitting, a new root); tree_reserve_nodes() gets them before the
 * tree changes, so a failed allocation changes nothing.
 */
#define NODES_PER_CHUNK 36
struct dmp__iova_chunk {
	union dmp__iova_bnode nodes[NODES_PER_CHUNK];
	struct dmp__iova_chunk *next;
};

static int tree_reserve_nodes(struct dmp_iova_domain *d)
{
	while (d->nr_spare < d->height + 2) {
		struct dmp__iova_chunk *c = dmp__meta_alloc(sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->next = d->chunks;
		d->chunks = c;
		for (unsigned int i = 0; i < NODES_PER_CHUNK; i++) {
			c->nodes[i].free.kind = NODE_FREE;
			c->nodes[i].free.next = d->free_nodes;
			d->free_nodes = &c->nodes[i];
		}
		d->nr_spare += NODES_PER_CHUNK;
	}
	return 0;
}

static void *node_get(struct dmp_iova_domain *d, uint8_t kind)
{
	union dmp__iova_bnode *n = d->free_nodes;
	DMP_ASSERT(n);
	d->free_nodes = n->free.next;
	d->nr_spare--;
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	return n;
}

static void node_put(struct dmp_iova_domain *d, void *p)
{
	union dmp__iova_bnode *n = p;
	n->free.kind = NODE_FREE;
	n->free.next = d->free_nodes;
	d->free_nodes = n;
	d->nr_spare++;
}

/*
 * Put child @c (level @lvl - 1), lowest pfn_lo @key, bounds @v, just after
 * child @after of @p (level @lvl), splitting @p and its ancestors when full.
 */
NODE_SHIFT_FN static void inner_insert(struct dmp_iova_domain *d, struct iova_inner *p, unsigned int lvl,
			 unsigned int after, void *c, unsigned long key, const uint8_t v[NR_ORDERS])
{
	struct iova_inner *new_root = NULL;
	unsigned int at = after + 1;

	if (p->nr == INNER_MAX) {
		/* the upper half moves to a new node q, just after p; each half
		 * takes p's bound (a bound of its subtree: "What the bounds
		 * promise") */
		struct iova_inner *q = node_get(d, NODE_INNER);
		unsigned int half = INNER_MAX / 2;
		uint8_t pv[NR_ORDERS];
		q->nr = (uint8_t)(INNER_MAX - half);
		for (unsigned int i = 0; i < q->nr; i++) {
			q->key[i] = p->key[half + i];
			q->child[i] = p->child[half + i];
			set_parent(q->child[i], lvl - 1, q);
			for (unsigned int k = 0; k < NR_ORDERS; k++)
				q->fit[k][i] = p->fit[k][half + i];
		}
		p->nr = (uint8_t)half;
		if (!p->parent) {
			/* a new root: its bounds once @c is in (below) */
			new_root = node_get(d, NODE_INNER);
			new_root->nr = 2;
			new_root->key[0] = p->key[0];
			new_root->child[0] = p;
			new_root->key[1] = q->key[0];
			new_root->child[1] = q;
			p->parent = q->parent = new_root;
			d->root = new_root;
			d->height++;
		} else {
			unsigned int pi = child_index(p->parent, p);
			for (unsigned int k = 0; k < NR_ORDERS; k++)
				pv[k] = p->parent->fit[k][pi];
			q->parent = p->parent;
			inner_insert(d, p->parent, lvl + 1, pi, q, q->key[0], pv);
		}
		if (at > half) {
			p = q;
			at -= half;
		}
	}
	for (unsigned int i = p->nr; i > at; i--) {
		p->key[i] = p->key[i - 1];
		p->child[i] = p->child[i - 1];
		for (unsigned int k = 0; k < NR_ORDERS; k++)
			p->fit[k][i] = p->fit[k][i - 1];
	}
	p->key[at] = key;
	p->child[at] = c;
	for (unsigned int k = 0; k < NR_ORDERS; k++)
		p->fit[k][at] = v[k];
	p->nr++;
	set_parent(c, lvl - 1, p);
	if (new_root) {
		uint8_t rv[NR_ORDERS];
		for (unsigned int i = 0; i < 2; i++) {
			inner_codes(new_root->child[i], rv);
			for (unsigned int k = 0; k < NR_ORDERS; k++)
				new_root->fit[k][i] = rv[k];
		}
	}
}

/*
 * @l's gaps shrank: its bound in its parent comes down to exactly what its
 * entries show, while the leaf is in the cache.  Without this, the gap an
 * allocation just filled would still look free to the next search, which
 * would look into the leaf (a cache miss or more at a million ranges) only
 * to lower the bound then.  The levels above stay upper bounds: a search
 * that finds all of a node's children below its code lowers the node's.
 */
static void leaf_refresh(struct iova_leaf *l)
{
	struct iova_inner *p = l->parent;
	uint8_t v[NR_ORDERS];

	if (!p)
		return;
	unsigned int li = child_index(p, l);
	leaf_codes(l, v);
	for (unsigned int k = 0; k < NR_ORDERS; k++)
		p->fit[k][li] = v[k];
	l->hold = 0;
	hold_raise(l, v);
}

/* Split full leaf @l: its upper half to a new leaf just after it. */
static DMP__NOINLINE struct iova_leaf *leaf_split(struct dmp_iova_domain *d, struct iova_leaf *l)
{
	struct iova_leaf *r = node_get(d, NODE_LEAF);
	unsigned int half = LEAF_MAX / 2;
	uint8_t v[NR_ORDERS];

	/* @l is full: its slots are its entries in order.  The upper half
	 * keeps its slots in @r; the lower half moves up to the top slots. */
	r->nr = (uint8_t)(LEAF_MAX - half);
	memcpy(&r->lo[half], &l->lo[half], r->nr * sizeof(r->lo[0]));
	memcpy(&r->hi[half], &l->hi[half], r->nr * sizeof(r->hi[0]));
	memcpy(&r->flags[half], &l->flags[half], r->nr);
	r->floor = l->hi[half - 1] + 1;
	memcpy(&l->lo[LEAF_MAX - half], l->lo, half * sizeof(l->lo[0]));
	memcpy(&l->hi[LEAF_MAX - half], l->hi, half * sizeof(l->hi[0]));
	memcpy(&l->flags[LEAF_MAX - half], l->flags, half);
	l->nr = (uint8_t)half;
	r->prev = l;
	r->next = l->next;
	if (l->next)
		l->next->prev = r;
	l->next = r;
	if (!l->parent) {
		struct iova_inner *root = node_get(d, NODE_INNER);
		leaf_codes(l, v);
		root->nr = 1;
		root->key[0] = E_LO(l, 0);
		root->child[0] = l;
		for (unsigned int k = 0; k < NR_ORDERS; k++)
			root->fit[k][0] = v[k];
		l->parent = root;
		l->hold = 0;
		hold_raise(l, v);
		d->root = root;
		d->height = 1;
		leaf_codes(r, v);
		hold_raise(r, v);
		inner_insert(d, root, 1, 0, r, E_LO(r, 0), v);
	} else {
		unsigned int li = child_index(l->parent, l);
		leaf_refresh(l);
		leaf_codes(r, v);
		hold_raise(r, v);
		inner_insert(d, l->parent, 1, li, r, E_LO(r, 0), v);
	}
	return r;
}

/* Put into the anchor's gap, which no bound counts (own_fit()): the gap
 * the range at @at of @l leaves below itself is new to the bounds above,
 * not a shrunk one.  Left out, a later split hands the stale bound to a node
 * left of the top path, and a search skips the gap (a false -ENOMEM).
 * Apart from leaf_put(), which needs it only when the bounds do not hold. */
static DMP__NOINLINE void insert_raise(struct iova_leaf *l, unsigned int at)
{
	uint8_t v[NR_ORDERS];

	own_codes(l, at, v);
	raise_bounds(l, v);
}

/* Put [@lo, @hi] at entry @at of @l, which has room: the entries below
 * @at move down a slot (the leaf's entries are in its top slots: "struct
 * iova_leaf").  No call but fix_key's loop on the path every allocation
 * takes, so no registers to save. */
NODE_SHIFT_FN static DMP__ALWAYS_INLINE void leaf_put(struct dmp_iova_domain *d, struct iova_leaf *l,
						      unsigned int at, unsigned long lo,
						      unsigned long hi, uint8_t flags)
{
	unsigned int b = LEAF_MAX - l->nr;
	for (unsigned int i = 0; i < at; i++) {
		l->lo[b - 1 + i] = l->lo[b + i];
		l->hi[b - 1 + i] = l->hi[b + i];
		l->flags[b - 1 + i] = l->flags[b + i];
	}
	l->nr++;
	E_LO(l, at) = lo;
	E_HI(l, at) = hi;
	E_FL(l, at) = flags;
	d->hint = l;
	d->hint_i = at;
	if (at == l->nr - 1u && l->next)
		l->next->floor = hi + 1;
	if ((E_FL(l, at + 1u) & DMP__IOVA_ANCHOR) && l->parent &&
	    !bounds_hold((struct iova_pos){ l, at }))
		insert_raise(l, at);
	if (at == 0)
		fix_key(l, 0, lo);
}

/* tree_insert() into a full leaf: split it first. */
static DMP__NOINLINE void insert_split(struct dmp_iova_domain *d, struct iova_leaf *l,
				       unsigned int at, unsigned long lo, unsigned long hi,
				       uint8_t flags)
{
	struct iova_leaf *r = leaf_split(d, l);
	if (at >= l->nr) {
		at -= l->nr;
		l = r;
	}
	leaf_put(d, l, at, lo, hi, flags);
}

/*
 * Insert the range [@lo, @hi] just below @above (the range above its gap):
 * it takes the upper part of @above's gap, so every gap only shrinks and the
 * bounds hold as they are, except below the anchor, whose gap counts in no
 * bound (raised in leaf_put()).  Nodes reserved (tree_reserve_nodes).
 */
NODE_SHIFT_FN static DMP__ALWAYS_INLINE void tree_insert(struct dmp_iova_domain *d,
							 struct iova_pos above, unsigned long lo,
							 unsigned long hi, uint8_t flags)
{
	if (dmp__unlikely(above.l->nr == LEAF_MAX))
		insert_split(d, above.l, above.i, lo, hi, flags);
	else
		leaf_put(d, above.l, above.i, lo, hi, flags);
}

/* Remove the empty node @n (level @lvl) from its parent, and parents left
 * empty from theirs; a root with one child gives way to it. */
NODE_SHIFT_FN static void node_unlink(struct dmp_iova_domain *d, void *n, unsigned int lvl)
{
	struct iova_inner *p = node_parent(n, lvl);
	unsigned int i = child_index(p, n);

	node_put(d, n);
	p->nr--;
	for (unsigned int j = i; j < p->nr; j++) {
		p->key[j] = p->key[j + 1];
		p->child[j] = p->child[j + 1];
		for (unsigned int k = 0; k < NR_ORDERS; k++)
			p->fit[k][j] = p->fit[k][j + 1];
	}
	if (!p->nr) {
		node_unlink(d, p, lvl + 1);
		return;
	}
	/* (a removed first child leaves p's separator valid: "key[i]") */
	while (d->height && ((struct iova_inner *)d->root)->nr == 1) {
		struct iova_inner *r = d->root;
		d->root = r->child[0];
		d->height--;
		set_parent(d->root, d->height, NULL);
		node_put(d, r);
	}
}

/* Move leaf @r's entries to the end of @l, its left neighbour under the same
 * parent, and drop @r: @l's bound becomes the larger of the two. */
NODE_SHIFT_FN static DMP__NOINLINE void leaf_merge(struct dmp_iova_domain *d, struct iova_leaf *l, struct iova_leaf *r)
{
	struct iova_inner *p = l->parent;
	unsigned int li = child_index(p, l);

	/* @l's entries move down by @r's count; @r's keep their slots */
	unsigned int lb = LEAF_MAX - l->nr, rb = LEAF_MAX - r->nr;
	for (unsigned int i = 0; i < l->nr; i++) {
		l->lo[lb - r->nr + i] = l->lo[lb + i];
		l->hi[lb - r->nr + i] = l->hi[lb + i];
		l->flags[lb - r->nr + i] = l->flags[lb + i];
	}
	memcpy(&l->lo[rb], &r->lo[rb], r->nr * sizeof(r->lo[0]));
	memcpy(&l->hi[rb], &r->hi[rb], r->nr * sizeof(r->hi[0]));
	memcpy(&l->flags[rb], &r->flags[rb], r->nr);
	l->nr = (uint8_t)(l->nr + r->nr);
	for (unsigned int k = 0; k < NR_ORDERS; k++)
		if (p->fit[k][li + 1] > p->fit[k][li])
			p->fit[k][li] = p->fit[k][li + 1];
	l->next = r->next;
	if (r->next)
		r->next->prev = l;
	node_unlink(d, r, 0);
}

/* What tree_erase() leaves for later: raising the bounds above @above
 * (@raise: the gap it inherited outgrew them) and a leaf @l left empty or
 * nearly so.  Apart, so that the erase itself saves no registers. */
static DMP__NOINLINE void erase_fixup(struct dmp_iova_domain *d, struct iova_leaf *l,
				      struct iova_pos above, bool raise)
{
	uint8_t v[NR_ORDERS];

	if (raise) {
		own_codes(above.l, above.i, v);
		raise_bounds(above.l, v);
	}
	if (!l->nr) {
		/* (not the root leaf: the anchor never leaves it) */
		if (l->prev)
			l->prev->next = l->next;
		l->next->prev = l->prev;
		node_unlink(d, l, 0);
		return;
	}
	if (l->nr <= LEAF_LOW && l->parent) {
		struct iova_inner *par = l->parent;
		unsigned int li = child_index(par, l);
		if (li > 0 && ((struct iova_leaf *)par->child[li - 1])->nr + l->nr <= LEAF_MAX - 2)
			leaf_merge(d, par->child[li - 1], l);
		else if (li + 1 < par->nr &&
			 ((struct iova_leaf *)par->child[li + 1])->nr + l->nr <= LEAF_MAX - 2)
			leaf_merge(d, l, par->child[li + 1]);
	}
}

/*
 * Remove entry @p (not the anchor).  The range above it inherits its pfns
 * and its gap: that gap grows, so its codes are raised into the bounds.
 * A leaf left nearly empty merges with a neighbour that has room.
 */
NODE_SHIFT_FN static DMP__ALWAYS_INLINE void tree_erase(struct dmp_iova_domain *d,
							struct iova_pos p)
{
	struct iova_leaf *l = p.l;
	struct iova_pos above;
	bool raise;

	DMP_ASSERT(!(pos_flags(p) & DMP__IOVA_ANCHOR));
	/* the entries below it move up a slot */
	unsigned int b = LEAF_MAX - l->nr;
	for (unsigned int i = p.i; i > 0; i--) {
		l->lo[b + i] = l->lo[b + i - 1];
		l->hi[b + i] = l->hi[b + i - 1];
		l->flags[b + i] = l->flags[b + i - 1];
	}
	l->nr--;
	if (p.i < l->nr) {
		above = p;
	} else {
		/* it was the leaf's last: the next leaf's first is above */
		above = (struct iova_pos){ l->next, 0 };
		l->next->floor = entry_floor(l, l->nr);
	}
	d->hint = above.l;
	d->hint_i = above.i;
	raise = above.l->parent && !bounds_hold(above);
	if (dmp__unlikely(raise || !l->nr || (l->nr <= LEAF_LOW && l->parent)))
		erase_fixup(d, l, above, raise);
}

/*
 * The highest entry of child @j of @par (level @lvl) whose gap holds @size
 * at order @k: a subtree whose bound is below @code (fit_code(size)) holds
 * none; one at or above may, and is looked into, right to left.  When it
 * holds none after all, its bound comes down to what its parts show.
 */
static bool descend_fit(struct iova_inner *par, unsigned int j, unsigned int lvl,
			unsigned long size, uint8_t code, unsigned int k, struct iova_pos *out)
{
	uint8_t exact = 0;

	if (lvl == 1) {
		struct iova_leaf *l = par->child[j];
		unsigned long most = 0;
		prefetch_leaf(l);
		for (int i = (int)l->nr - 1; i >= 0; i--) {
			unsigned long f = own_fit(l, (unsigned int)i, k);
			if (f >= size) {
				*out = (struct iova_pos){ l, (unsigned int)i };
				return true;
			}
			most = f > most ? f : most;
		}
		exact = fit_code(most);
	} else {
		struct iova_inner *in = par->child[j];
		for (int i = (int)in->nr - 1; i >= 0; i--) {
			if (in->fit[k][i] >= code &&
			    descend_fit(in, (unsigned int)i, lvl - 1, size, code, k, out))
				return true;
			exact = in->fit[k][i] > exact ? in->fit[k][i] : exact;
		}
	}
	par->fit[k][j] = exact;
	if (lvl == 1 && ((struct iova_leaf *)par->child[j])->hold > exact)
		((struct iova_leaf *)par->child[j])->hold = exact;
	return false;
}

/*
 * The next range below @p, in order, whose gap can hold @size pfns at a
 * 2^@k-aligned start (@k 0: any start); false if none.  Every range passed
 * over has no such fit: Linux's walk would step over it too.  For an
 * alignment above DMP__IOVA_FIT_ORDERS the caller passes the highest order
 * kept, a bound (a fit at a coarser alignment is one at a finer), and checks
 * each range it gets.  @code is fit_code(@size).
 */
static bool prev_fit(struct iova_pos *p, unsigned long size, uint8_t code, unsigned int k)
{
	struct iova_leaf *l = p->l;
	void *n = l;
	unsigned int lvl = 1;

	for (int i = (int)p->i - 1; i >= 0; i--)
		if (own_fit(l, (unsigned int)i, k) >= size) {
			p->i = (unsigned int)i;
			return true;
		}
	for (struct iova_inner *par = l->parent; par; n = par, par = par->parent, lvl++) {
		for (int j = (int)child_index(par, n) - 1; j >= 0; j--)
			if (par->fit[k][j] >= code && descend_fit(par, (unsigned int)j, lvl, size, code, k, p))
				return true;
	}
	return false;
}

#endif /* DMP_IOVA_BTREE_H */
