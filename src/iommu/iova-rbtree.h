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
#define DMP__IOVA_LOWEST 0x8u /* the lowest node: its gap is not in the bounds */

/*
 * The red-black tree, ordered by pfn_lo, with parent links: prev/next, the
 * search's skips and the bounds' raises all walk upwards.  Red-black rather
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
 * The augmentation: fit[0] bounds the largest hole below any node of the
 * subtree, so a search for @size pfns can skip a subtree whose fit[0] is
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
 * keeps the largest of them per k (fit[k]), so that a size-aligned search
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

/*
 * The codes of fit[]: a value rounded up to 8 steps per power of two (4
 * bits of precision): code c stands for c below 16, else for (8 + (c & 7))
 * << ((c >> 3) - 1); 255 for anything above 14 << 30.  fit_code(v) is the
 * smallest code standing for v or more, so a subtree's code is never below
 * its real value (a search never skips a fit), and codes compare as the
 * values do: a search compares fit_code(size) with them, once per search.
 * The price of a byte where the exact value took eight: a subtree whose real
 * value falls short of a size by less than an eighth looks like it might
 * hold it, and the search looks inside (rightmost_fit backs out).  The gain:
 * nine maxima in a cache line with the node, and a gap that shrinks or
 * grows by a few pfns - most updates - rarely moves a code, so the upkeep
 * stops at the node instead of running up to the root.
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
 * @n's own codes, from its gap alone: the gap's once, then each order's fit
 * is the gap less the pad to the order's alignment, whose code is the gap's
 * as long as the fit stays above the code's floor.
 */
static inline void own_codes(const struct dmp_iova_node *n, uint8_t v[1 + DMP__IOVA_FIT_ORDERS])
{
	unsigned long g = own_gap(n), neg = g - n->pfn_lo; /* -(gap's floor) */
	uint8_t c = fit_code(g);
	unsigned long keep = c ? fit_code_floor(c) : 0;
	v[0] = c;
	for (unsigned int k = 1; k <= DMP__IOVA_FIT_ORDERS; k++) {
		/* the floor rounded up to 2^k: pad pfns of the gap lost */
		unsigned long pad = neg & ((1ul << k) - 1), f = g > pad ? g - pad : 0;
		v[k] = f > keep ? c : fit_code(f);
	}
}

/*
 * What fit[] promises: a bound.  Each node's fit[k] is at least its own
 * code and at least its children's fit[k] - so at least the code of every
 * fit in its subtree, and a search that skips a subtree whose fit[k] is
 * below a request's code skips no fit.  It may be more, and that is what
 * keeps the upkeep small: a gap that shrinks (an allocation splits it, a
 * reservation widens) or a subtree that loses a node needs no update at
 * all, and a rotation copies the bound of the subtree whose nodes it keeps.
 * Only a gap that grows (a free merges two) raises the bounds above it,
 * until one is high enough already.  A search that finds no fit in a
 * subtree whose bound let it in lowers that bound to what the subtree's
 * parts show (rightmost_fit): a stale bound costs one futile look.
 */
static const uint8_t no_fits[1 + DMP__IOVA_FIT_ORDERS];

/* @n's bounds exactly its own codes and its children's (a subtree built or
 * rebuilt from the bottom). */
static inline void fix_bounds(struct dmp_iova_node *n)
{
	const uint8_t *lf = n->left ? n->left->fit : no_fits;
	const uint8_t *rf = n->right ? n->right->fit : no_fits;
	uint8_t v[1 + DMP__IOVA_FIT_ORDERS];
	own_codes(n, v);
	for (unsigned int k = 0; k <= DMP__IOVA_FIT_ORDERS; k++) {
		uint8_t m = v[k] > lf[k] ? v[k] : lf[k];
		n->fit[k] = rf[k] > m ? rf[k] : m;
	}
}

/* @n's gap grew (or counts now): its own codes into its bound and every
 * ancestor's, up to the first that holds them already. */
static void raise_own(struct dmp_iova_node *n)
{
	uint8_t v[1 + DMP__IOVA_FIT_ORDERS];
	own_codes(n, v);
	for (; n; n = n->parent) {
		unsigned int up = 0;
		for (unsigned int k = 0; k <= DMP__IOVA_FIT_ORDERS; k++)
			if (v[k] > n->fit[k]) {
				n->fit[k] = v[k];
				up = 1;
			}
		if (!up)
			return;
	}
}

/* What the search compares: a subtree's bound at order @k (0: the gap
 * alone), against fit_code(size); a node's own fit, exact, against size. */
static inline uint8_t subtree_fit(const struct dmp_iova_node *t, unsigned int k)
{
	return t->fit[k];
}

static inline unsigned long node_fit(const struct dmp_iova_node *t, unsigned int k)
{
	return k ? own_fit(t, k) : own_gap(t);
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
	/* y's subtree is x's was; x's is part of it (fit[] is a bound: "What fit[] promises") */
	memcpy(y->fit, x->fit, sizeof(y->fit));
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
	memcpy(y->fit, x->fit, sizeof(y->fit)); /* as rotate_left */
	return y;
}

/*
 * After @n went in as a red leaf: no red node may have a red child.  Recolour
 * up while the uncle is red; else at most two rotations end it.  The bounds
 * must hold everywhere before: a rotation keeps them (it copies the bound of
 * the subtree whose nodes it keeps).
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
	/* @n's gap is the lower part of @above's: its codes are within the
	 * bounds from @above up, not always within those below @above */
	memset(n->fit, 0, sizeof(n->fit));
	raise_own(n);
	above->gap = above->pfn_lo - n->pfn_hi - 1; /* shrinks: no update */
	if (!(above->flags & DMP__IOVA_LOWEST) && (n->flags & DMP__IOVA_LOWEST))
		raise_own(above); /* its gap counts from now */
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
		if (aug)
			raise_own(above); /* the merged gap */
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
		/* s's subtree is part of what was @n's (fit[] is a bound: "What fit[] promises"); s is
		 * @above, with the merged gap */
		memcpy(s->fit, n->fit, sizeof(s->fit));
		if (aug)
			raise_own(s);
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

static void build_bounds(struct dmp_iova_node *n)
{
	if (!n)
		return;
	build_bounds(n->left);
	build_bounds(n->right);
	fix_bounds(n);
}

/*
 * The highest node of subtree @t (maybe NULL) whose gap holds @size at order
 * @k, or NULL: a subtree whose bound is below @code (fit_code(size)) holds
 * none; one at or above it may, and is looked into, right to left.  When it
 * holds none after all, its bound comes down to what its parts show ("What
 * fit[] promises"), so that the next search does not look again.  The recursion is as
 * deep as the tree (red-black: at most twice log2 of the nodes).
 */
static struct dmp_iova_node *rightmost_fit(struct dmp_iova_node *t, unsigned long size,
					   uint8_t code, unsigned int k)
{
	if (!t || subtree_fit(t, k) < code)
		return NULL;
	struct dmp_iova_node *r = rightmost_fit(t->right, size, code, k);
	if (r)
		return r;
	unsigned long own = node_fit(t, k);
	if (own >= size)
		return t;
	if ((r = rightmost_fit(t->left, size, code, k)))
		return r;
	uint8_t m = fit_code(own);
	if (t->left && t->left->fit[k] > m)
		m = t->left->fit[k];
	if (t->right && t->right->fit[k] > m)
		m = t->right->fit[k];
	t->fit[k] = m;
	return NULL;
}

/*
 * The next node below @n, in order, whose gap can hold @size pfns at a
 * 2^@k-aligned start (@k 0: any start), else the lowest node (whose gap the
 * augmentation leaves out), else NULL.  Every node passed over has no such
 * fit: Linux's walk would step over it too.  For an alignment above
 * DMP__IOVA_FIT_ORDERS the caller passes the highest order kept, a bound
 * (a fit at a coarser alignment is one at a finer), and checks each node.
 * @code is fit_code(@size).
 */
static struct dmp_iova_node *prev_fit(struct dmp_iova_node *n, unsigned long size, uint8_t code,
				      unsigned int k)
{
	struct dmp_iova_node *r = rightmost_fit(n->left, size, code, k);
	if (r)
		return r;
	if (n->flags & DMP__IOVA_LOWEST)
		return NULL;
	for (; n->parent; n = n->parent) {
		struct dmp_iova_node *p = n->parent;
		if (n != p->right)
			continue;
		if (node_fit(p, k) >= size)
			return p;
		if ((r = rightmost_fit(p->left, size, code, k)))
			return r;
	}
	/* @n is now the root: the lowest node is its leftmost */
	while (n->left)
		n = n->left;
	return n;
}

#endif /* DMP_IOVA_RBTREE_H */
