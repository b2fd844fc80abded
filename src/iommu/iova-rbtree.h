/* SPDX-License-Identifier: MIT */
/*
 * iova-rbtree.h - the IOVA allocator's augmented red-black tree: insert,
 * erase, in-order steps, look-ups, and the per-node gaps a search uses to
 * skip subtrees.  Internal to iova.c, its only includer: static functions in
 * a header, as Linux's rbtree_augmented.h, so that the allocator's fast
 * paths inline them as before they had a file of their own.
 */
#ifndef DMP_IOVA_RBTREE_H
#define DMP_IOVA_RBTREE_H

#include <dmaport/iova.h>
#include <dmaport/platform.h>

/* struct dmp_iova_node.flags */
#define DMP__IOVA_RESERVED 0x1u
#define DMP__IOVA_ANCHOR 0x2u
#define DMP__IOVA_MARK 0x4u /* dmp_iova_domain_check(): seen in a cache */
#define DMP__IOVA_LOWEST 0x8u /* the lowest node: its gap is not in max_gap */

/*
 * The red-black tree, ordered by pfn_lo, with parent links: prev/next, the
 * search's skips and the max_gap fixes all walk upwards.  Red-black rather
 * than AVL: the allocator's typical load inserts and erases a leaf at the
 * same place over and over, and an AVL tree can change heights all the way
 * up to the root on each of those (measured: 10 nodes per update on the
 * fragmented space of `dmaport-bench peer`), where red-black
 * rebalancing is amortised O(1) over any mix of inserts and erases.
 */
static inline bool is_red(const struct dmp_iova_node *n)
{
	return n && n->red;
}

/*
 * The augmentation: max_gap is the largest hole below any node of the
 * subtree, so a search for @size pfns can skip a subtree whose max_gap is
 * smaller (the idea of Linux's vmap_area subtree_max_size, applied here to
 * the IOVA tree's top-down walk).
 */
static inline unsigned long own_gap(const struct dmp_iova_node *n)
{
	/*
	 * The two unbounded gaps are left out: the anchor's (all the space above
	 * the highest range) and the lowest node's (all the space below the
	 * lowest range).  They are the largest gaps of the tree, they change
	 * with every allocation at the top or the bottom of the used space, and
	 * counting them would send each such change up to the root.  A search
	 * never needs the anchor's (it starts at or below the anchor and looks
	 * below its start) and checks the lowest node's hole itself.
	 */
	return (n->flags & (DMP__IOVA_ANCHOR | DMP__IOVA_LOWEST)) ? 0 : n->gap;
}

/*
 * A gap can hold @size pfns at a 2^k-aligned start iff the highest such
 * start, (pfn_lo - size) rounded down, is at or above the gap's floor: iff
 * size <= pfn_lo - roundup(floor, 2^k).  That bound is own_fit(); a subtree
 * keeps the largest of them per k (max_fit), so that a size-aligned search
 * skips every subtree with no gap it fits, not only the ones whose gaps are
 * too short: in a fragmented space most gaps long enough are misaligned
 * (measured: 248 of the 255 nodes a search passed at 100,000 live ranges).
 */
static inline unsigned long own_fit(const struct dmp_iova_node *n, unsigned int k)
{
	unsigned long g = own_gap(n), a, top = n->pfn_lo;
	if (!g)
		return 0;
	a = ((top - g) + ((1UL << k) - 1)) & ~((1UL << k) - 1);
	return top > a ? top - a : 0;
}

static inline uint32_t fit_sat(unsigned long v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static const uint32_t no_fits[DMP__IOVA_FIT_ORDERS];

/* Recompute @n's augmentation from its gap and children; true if it changed.
 * Straight-line per order (no branch on a child's presence): this runs for
 * every node an update passes. */
static inline bool fix_max_gap(struct dmp_iova_node *n)
{
	unsigned long g = own_gap(n), m = g, top = n->pfn_lo, lo = top - g;
	const uint32_t *lf = n->left ? n->left->max_fit : no_fits;
	const uint32_t *rf = n->right ? n->right->max_fit : no_fits;
	uint32_t diff = 0;
	if (n->left && n->left->max_gap > m)
		m = n->left->max_gap;
	if (n->right && n->right->max_gap > m)
		m = n->right->max_gap;
	bool changed = n->max_gap != m;
	n->max_gap = m;
	/* straight-line code, one pass per order (unrolled: this runs for every
	 * node an update passes, and a loop here doubled an update's cost); no
	 * gap, no fit (and the anchor's lo + mask would wrap) */
#define FIX_ORDER(k)                                                                          \
	do {                                                                                  \
		unsigned long a_ = (lo + ((1UL << (k)) - 1)) & ~((1UL << (k)) - 1);               \
		uint32_t v_ = fit_sat(g && top > a_ ? top - a_ : 0);                              \
		v_ = lf[(k) - 1] > v_ ? lf[(k) - 1] : v_;                                         \
		v_ = rf[(k) - 1] > v_ ? rf[(k) - 1] : v_;                                         \
		diff |= n->max_fit[(k) - 1] ^ v_;                                                 \
		n->max_fit[(k) - 1] = v_;                                                         \
	} while (0)
	_Static_assert(DMP__IOVA_FIT_ORDERS == 8, "FIX_ORDER below, once per order");
	FIX_ORDER(1);
	FIX_ORDER(2);
	FIX_ORDER(3);
	FIX_ORDER(4);
	FIX_ORDER(5);
	FIX_ORDER(6);
	FIX_ORDER(7);
	FIX_ORDER(8);
#undef FIX_ORDER
	return changed || diff;
}

/* The search's view: the order @k it skips by (0: the gap alone). */
static inline unsigned long subtree_fit(const struct dmp_iova_node *t, unsigned int k)
{
	return k ? t->max_fit[k - 1] : t->max_gap;
}

static inline unsigned long node_fit(const struct dmp_iova_node *t, unsigned int k)
{
	return k ? own_fit(t, k) : own_gap(t);
}

/*
 * Recompute max_gap from @n up, after a gap or the children of @n changed.
 * Ancestors see a subtree only through its max_gap, so the walk stops at the
 * first node whose max_gap comes out unchanged - but not below @through, a
 * node whose own children also changed (an erase moves the successor).
 */
static void fix_max_gap_up(struct dmp_iova_node *n, const struct dmp_iova_node *through)
{
	bool forced = through != NULL;

	for (; n; n = n->parent) {
		bool changed = fix_max_gap(n);
		if (n == through)
			forced = false;
		if (!forced && !changed)
			return;
	}
}

static void replace_child(struct dmp_iova_domain *iovad, struct dmp_iova_node *parent,
			  struct dmp_iova_node *old, struct dmp_iova_node *new)
{
	if (!parent)
		iovad->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static struct dmp_iova_node *rotate_left(struct dmp_iova_domain *iovad, struct dmp_iova_node *x)
{
	struct dmp_iova_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(iovad, x->parent, x, y);
	y->left = x;
	x->parent = y;
	if (iovad->augmented) {
		fix_max_gap(x);
		fix_max_gap(y);
	}
	return y;
}

static struct dmp_iova_node *rotate_right(struct dmp_iova_domain *iovad, struct dmp_iova_node *x)
{
	struct dmp_iova_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(iovad, x->parent, x, y);
	y->right = x;
	x->parent = y;
	if (iovad->augmented) {
		fix_max_gap(x);
		fix_max_gap(y);
	}
	return y;
}

/*
 * After @n went in as a red leaf: no red node may have a red child.  Recolour
 * up while the uncle is red; else at most two rotations end it.  max_gap
 * must be right everywhere before: a rotation recomputes it for the two
 * nodes it moves, from their children.
 */
static void insert_fixup(struct dmp_iova_domain *iovad, struct dmp_iova_node *n)
{
	struct dmp_iova_node *p, *g, *u;

	while ((p = n->parent) && p->red) {
		g = p->parent; /* a red node is never the root */
		if (p == g->left) {
			u = g->right;
			if (is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				n = g;
				continue;
			}
			if (n == p->right) {
				rotate_left(iovad, p);
				p = n;
			}
			p->red = false;
			g->red = true;
			rotate_right(iovad, g);
		} else {
			u = g->left;
			if (is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				n = g;
				continue;
			}
			if (n == p->left) {
				rotate_right(iovad, p);
				p = n;
			}
			p->red = false;
			g->red = true;
			rotate_left(iovad, g);
		}
		break;
	}
	iovad->root->red = false;
}

/*
 * After a black node left the tree: @x (maybe NULL), now a child of @parent,
 * lacks one black on its paths.  Push the debt up while the sibling and its
 * children are black; else at most three rotations settle it.
 */
static void erase_fixup(struct dmp_iova_domain *iovad, struct dmp_iova_node *x,
			struct dmp_iova_node *parent)
{
	struct dmp_iova_node *w;

	while (parent && !is_red(x)) {
		if (x == parent->left) {
			w = parent->right; /* not NULL: its side has a black more */
			if (w->red) {
				w->red = false;
				parent->red = true;
				rotate_left(iovad, parent);
				w = parent->right;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = true;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->right)) {
				w->left->red = false;
				w->red = true;
				rotate_right(iovad, w);
				w = parent->right;
			}
			w->red = parent->red;
			parent->red = false;
			w->right->red = false;
			rotate_left(iovad, parent);
		} else {
			w = parent->left;
			if (w->red) {
				w->red = false;
				parent->red = true;
				rotate_right(iovad, parent);
				w = parent->left;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = true;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->left)) {
				w->right->red = false;
				w->red = true;
				rotate_left(iovad, w);
				w = parent->left;
			}
			w->red = parent->red;
			parent->red = false;
			w->left->red = false;
			rotate_right(iovad, parent);
		}
		x = iovad->root;
		break;
	}
	if (x)
		x->red = false;
}

/* The node below / above @n in order (defined further down). */
static struct dmp_iova_node *tree_prev(struct dmp_iova_node *n);
static struct dmp_iova_node *tree_next(struct dmp_iova_node *n);

/* Free pfns between @n and the node below it (from pfn 0 for the lowest). */
static inline unsigned long gap_below(struct dmp_iova_node *n)
{
	struct dmp_iova_node *p = tree_prev(n);
	return n->pfn_lo - (p ? p->pfn_hi + 1 : 0);
}

/*
 * Insert @n.  @hint, if not NULL, is the node just above @n in order: the
 * search hands over the node above the gap it found, as Linux passes `prev`
 * to iova_insert_rbtree(), so insertion costs a short descent instead of one
 * from the root, and @n's gap comes from the gap it splits (no walk to find
 * the node below: for the lowest node that walk would climb to the root).
 */
static void tree_insert(struct dmp_iova_domain *iovad, struct dmp_iova_node *n,
			struct dmp_iova_node *hint)
{
	struct dmp_iova_node *cur = hint ? hint : iovad->root, *above;
	unsigned long below_end; /* one past the node below @n (0 if none) */

	DMP_ASSERT(cur); /* the anchor is always there */
	n->left = n->right = NULL;
	n->red = true;
	for (;;) {
		DMP_ASSERT(n->pfn_lo != cur->pfn_lo);
		if (n->pfn_lo < cur->pfn_lo) {
			if (!cur->left) {
				cur->left = n;
				break;
			}
			cur = cur->left;
		} else {
			if (!cur->right) {
				cur->right = n;
				break;
			}
			cur = cur->right;
		}
	}
	n->parent = cur;
	if (!iovad->augmented)
		goto rebalance;
	above = hint ? hint : tree_next(n);
	below_end = above->pfn_lo - above->gap;
	n->gap = n->pfn_lo - below_end;
	if (above->flags & DMP__IOVA_LOWEST) {
		above->flags &= ~DMP__IOVA_LOWEST;
		n->flags |= DMP__IOVA_LOWEST;
	}
	fix_max_gap(n); /* a leaf: its own gap only */
	above->gap = above->pfn_lo - n->pfn_hi - 1;
	fix_max_gap_up(above, NULL);
	fix_max_gap_up(cur, NULL);
rebalance:
	insert_fixup(iovad, n);
}

/* Unlink @n; @above is tree_next(@n) (needed only while the gaps are kept; else maybe NULL). */
static void tree_erase(struct dmp_iova_domain *iovad, struct dmp_iova_node *n,
		       struct dmp_iova_node *above)
{
	struct dmp_iova_node *child, *parent;
	bool aug = iovad->augmented, black_left;

	if (aug) {
		/* the node above inherits @n's pfns and the gap below @n */
		above->gap += n->pfn_hi - n->pfn_lo + 1 + n->gap;
		above->flags |= n->flags & DMP__IOVA_LOWEST;
	}
	if (!n->left || !n->right) {
		child = n->left ? n->left : n->right;
		parent = n->parent;
		black_left = !n->red;
		replace_child(iovad, parent, n, child);
		if (aug) {
			fix_max_gap_up(above, NULL);
			fix_max_gap_up(parent, NULL);
		}
	} else {
		/* The successor takes @n's place and colour; nodes move, never
		 * keys, because the cached positions point at nodes.  The
		 * successor's old place is where a black may be missing. */
		struct dmp_iova_node *s = n->right;
		while (s->left)
			s = s->left;
		black_left = !s->red;
		child = s->right;
		if (s->parent == n) {
			parent = s;
		} else {
			parent = s->parent;
			replace_child(iovad, s->parent, s, s->right);
			s->right = n->right;
			n->right->parent = s;
		}
		s->left = n->left;
		n->left->parent = s;
		replace_child(iovad, n->parent, n, s);
		s->red = n->red;
		/* what the parent saw, for the early stop of the walk */
		s->max_gap = n->max_gap;
		memcpy(s->max_fit, n->max_fit, sizeof(s->max_fit));
		/* s is @above, now in @n's place: on the path from @parent */
		if (aug)
			fix_max_gap_up(parent, s);
	}
	if (black_left)
		erase_fixup(iovad, child, parent);
}

static struct dmp_iova_node *tree_prev(struct dmp_iova_node *n)
{
	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return n;
	}
	while (n->parent && n == n->parent->left)
		n = n->parent;
	return n->parent;
}

static struct dmp_iova_node *tree_next(struct dmp_iova_node *n)
{
	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return n;
	}
	while (n->parent && n == n->parent->right)
		n = n->parent;
	return n->parent;
}

/* The node whose range contains @pfn, or NULL (the anchor included). */
static struct dmp_iova_node *tree_find(const struct dmp_iova_domain *iovad, unsigned long pfn)
{
	struct dmp_iova_node *n = iovad->root;

	while (n) {
		if (pfn < n->pfn_lo)
			n = n->left;
		else if (pfn > n->pfn_hi)
			n = n->right;
		else
			return n;
	}
	return NULL;
}

/* The lowest node with pfn_hi >= @pfn (the anchor at worst). */
static struct dmp_iova_node *tree_find_limit(const struct dmp_iova_domain *iovad,
					     unsigned long pfn)
{
	struct dmp_iova_node *n = iovad->root, *best = &((struct dmp_iova_domain *)iovad)->anchor;

	while (n) {
		if (n->pfn_hi >= pfn) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

static void build_max_gap(struct dmp_iova_node *n)
{
	if (!n)
		return;
	build_max_gap(n->left);
	build_max_gap(n->right);
	fix_max_gap(n);
}

/* The highest node of subtree @t whose gap holds @size at order @k;
 * subtree_fit(t, k) >= size. */
static struct dmp_iova_node *rightmost_fit(struct dmp_iova_node *t, unsigned long size,
					   unsigned int k)
{
	for (;;) {
		if (t->right && subtree_fit(t->right, k) >= size)
			t = t->right;
		else if (node_fit(t, k) >= size)
			return t;
		else
			t = t->left;
	}
}

/*
 * The next node below @n, in order, whose gap can hold @size pfns at a
 * 2^@k-aligned start (@k 0: any start), else the lowest node (whose gap the
 * augmentation leaves out), else NULL.  Every node passed over has no such
 * fit: Linux's walk would step over it too.  For an alignment above
 * DMP__IOVA_FIT_ORDERS the caller passes the highest order kept, a bound
 * (a fit at a coarser alignment is one at a finer), and checks each node.
 */
static struct dmp_iova_node *prev_fit(struct dmp_iova_node *n, unsigned long size,
				      unsigned int k)
{
	if (n->left && subtree_fit(n->left, k) >= size)
		return rightmost_fit(n->left, size, k);
	if (n->flags & DMP__IOVA_LOWEST)
		return NULL;
	for (; n->parent; n = n->parent) {
		struct dmp_iova_node *p = n->parent;
		if (n != p->right)
			continue;
		if (node_fit(p, k) >= size)
			return p;
		if (p->left && subtree_fit(p->left, k) >= size)
			return rightmost_fit(p->left, size, k);
	}
	/* @n is now the root: the lowest node is its leftmost */
	while (n->left)
		n = n->left;
	return n;
}

#endif /* DMP_IOVA_RBTREE_H */
