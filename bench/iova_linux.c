/* SPDX-License-Identifier: MIT */
/*
 * iova_linux.c - `dmaport-bench iova_linux`: dmaport's IOVA allocator side by
 * side with a user-space model of Linux's, on bench/iova.c's workloads
 * (issue 5: faster than Linux's, and scaling with threads).
 *
 * Workloads and parameters are bench/iova.c's: each thread allocates a range
 * and frees the one it allocated --depth pairs earlier, on one shared domain;
 * granule 4 KiB, start pfn 1, limit the 32-bit mask; the fast path
 * (dmp_alloc_iova_fast / dmp_free_iova_fast against Linux's alloc_iova_fast /
 * free_iova_fast) and the tree path (dmp_alloc_iova size-aligned /
 * dmp_free_iova against alloc_iova / free_iova); sizes 1, 4, 16 pages or
 * mixed uniform 1..64; an empty space or a fragmented one (--prefill ranges
 * of 1..16 pages allocated unaligned, every other one freed); 1 and 2
 * threads.  For every combination both run, dmaport first in every other
 * pair of rows (1 and 2 threads) and the model first in the others, and the
 * row gives both medians and their ratio.  A batch of the model is shortened
 * (never dmaport's at the defaults) when its warm-up shows it would take
 * more than ~100 ms: both figures are per pair, the pairs column says how
 * many each batch had.
 *
 * The Linux model.  Written here from the published description of
 * drivers/iommu/iova.c, no code taken from it; it follows the behaviour of
 * Linux v6.7 and later (6.7 .. 6.1x):
 *  - ranges in a red-black tree (this file's own, parent pointers, NULL
 *    leaves) above an anchor node at pfn ~0, under one spinlock
 *    (iova_rbtree_lock);
 *  - __alloc_and_insert_iova_range: start at cached32_node (limit at or
 *    below 4 GiB) or cached_node, walk rb_prev one node at a time taking the
 *    highest size-aligned fit below the limit; if the walk fails and the
 *    cached node lay below the limit, retry once from the limit
 *    (iova_find_limit) down to just above the cached node; a failure records
 *    max32_alloc_size, which fails later 32-bit requests of that size or
 *    larger until a range below 4 GiB is freed; the new node is inserted
 *    starting from the node above it and becomes the cached node;
 *  - a free moves the cached node(s) to the freed node's successor when the
 *    freed range was at or above them (__cached_rbnode_delete_update);
 *    free_iova finds and erases under one hold of the lock (5.11 and later);
 *  - node memory is taken before the tree lock and freed after it
 *    (kmem_cache_zalloc / kmem_cache_free): here a per-CPU free list of
 *    64-byte nodes (the slab's per-CPU freelist), zeroed on allocation;
 *  - the rcaches: IOVA_RANGE_CACHE_MAX_SIZE = 6 classes (1 .. 32 pages);
 *    alloc_iova_fast rounds sizes below 32 up to a power of two; per class
 *    and per CPU a lock, a 'loaded' and a 'prev' magazine of
 *    IOVA_MAG_SIZE = 127 pfns (allocated at init); per class a lock and a
 *    depot, a list of full magazines; get: loaded, else swap with prev, else
 *    free the empty loaded and take one from the depot, then pop the most
 *    recent pfn below the limit (searching down the magazine); insert:
 *    loaded, else swap with prev if it has room, else push loaded to the
 *    depot and start a fresh magazine; a miss goes to alloc_iova(size
 *    aligned), then, if that fails, flushes every CPU's and the depot's
 *    ranges to the tree and retries once.
 * Simplifications: a thread index stands for the CPU (threads are not
 * pinned, preemption is not disabled); locks are pthread spinlocks, without
 * the irqsave/irqrestore the kernel pays; the depot's delayed reclaim work
 * (IOVA_DEPOT_DELAY, trimming the depot to num_online_cpus() magazines) is
 * not modelled, so the depot is unbounded (older kernels capped it at
 * MAX_GLOBAL_MAGS = 32 with 128-pfn magazines, and retried from the anchor
 * rather than from iova_find_limit); magazines come from malloc; the flush
 * queue, best-fit mode and reserve_iova are left out (unused here).
 *
 * Before timing, the model is checked: on deterministic sequences its tree
 * path must return exactly dmaport's addresses (dmaport documents that it
 * returns Linux's ranges; tests/test-iova.c checks that against a walk like
 * this one), its tree must be a valid red-black tree, and its fast path must
 * hand out disjoint ranges that are in the tree.  A mismatch is printed and
 * aborts.  No assertion is made on time.
 *
 * --path, --size, --space, --threads and --impl pick rows (and one side) for
 * profiling one case, e.g. `perf record dmaport-bench iova_linux --path 2
 * --size 1 --space 1 --threads 1 --impl 1`.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dmaport/iova.h>

#include "bench.h"

#define MAX_THREADS 2
#define SIZE_TABLE 4096 /* a power of two */
#define MAX_DEPTH 1024

/* ------------------------------------------------------------------------ */
/* The Linux model                                                          */
/* ------------------------------------------------------------------------ */

#define LX_RANGE_CACHE_MAX_SIZE 6
#define LX_MAG_SIZE 127
#define LX_NR_CPUS MAX_THREADS
#define LX_ANCHOR (~0UL)
#define LX_CHUNK_NODES 255

/* struct iova: the rb node and the range; slab objects are cache aligned. */
struct lx_node {
	_Alignas(64) struct lx_node *parent;
	struct lx_node *left, *right;
	unsigned long pfn_hi, pfn_lo;
	bool red;
};

struct lx_chunk {
	struct lx_chunk *next;
	struct lx_node nodes[LX_CHUNK_NODES];
};

/* A magazine: its size, or (in the depot, where it is full) the next one. */
struct lx_mag {
	union {
		unsigned long size;
		struct lx_mag *next;
	};
	unsigned long pfns[LX_MAG_SIZE];
};

struct lx_cpu_rcache {
	_Alignas(64) pthread_spinlock_t lock;
	struct lx_mag *loaded, *prev;
};

struct lx_rcache {
	_Alignas(64) pthread_spinlock_t lock;
	unsigned long depot_size;
	struct lx_mag *depot;
	struct lx_cpu_rcache cpu[LX_NR_CPUS];
};

/* The slab's per-CPU free list of nodes, standing for iova_cache. */
struct lx_node_cache {
	_Alignas(64) struct lx_node *free;
	struct lx_chunk *chunks;
};

struct lx_domain {
	_Alignas(64) pthread_spinlock_t tree_lock;
	struct lx_node *root;
	struct lx_node *cached_node, *cached32_node;
	unsigned long granule, start_pfn, dma_32bit_pfn, max32_alloc_size;
	unsigned long nr_nodes; /* anchor excluded; for the checks */
	struct lx_node anchor;
	struct lx_rcache rcaches[LX_RANGE_CACHE_MAX_SIZE];
	struct lx_node_cache nodes[LX_NR_CPUS];
};

/* The CPU this thread stands for. */
static _Thread_local unsigned int lx_cpu;

static inline unsigned int lx_fls_long(unsigned long x)
{
	return x ? 64u - (unsigned int)__builtin_clzl(x) : 0;
}

static inline unsigned int lx_order_base_2(unsigned long n)
{
	return n > 1 ? lx_fls_long(n - 1) : 0;
}

static inline unsigned long lx_roundup_pow_of_two(unsigned long n)
{
	return 1UL << lx_fls_long(n - 1);
}

static struct lx_node *lx_node_alloc(struct lx_domain *d)
{
	struct lx_node_cache *c = &d->nodes[lx_cpu];
	struct lx_node *n = c->free;

	if (__builtin_expect(!n, 0)) {
		struct lx_chunk *ch = aligned_alloc(64, sizeof(*ch));
		if (!ch)
			return NULL;
		ch->next = c->chunks;
		c->chunks = ch;
		for (unsigned int i = 0; i < LX_CHUNK_NODES; i++) {
			ch->nodes[i].left = c->free;
			c->free = &ch->nodes[i];
		}
		n = c->free;
	}
	c->free = n->left;
	memset(n, 0, sizeof(*n));
	return n;
}

static void lx_node_free(struct lx_domain *d, struct lx_node *n)
{
	struct lx_node_cache *c = &d->nodes[lx_cpu];

	if (n == &d->anchor)
		return;
	n->left = c->free;
	c->free = n;
}

/* The red-black tree. */
static inline bool lx_is_red(const struct lx_node *n)
{
	return n && n->red;
}

static struct lx_node *lx_rb_prev(struct lx_node *n)
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

static struct lx_node *lx_rb_next(struct lx_node *n)
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

/* Point @old's parent (or the root) at @new. */
static inline void lx_relink(struct lx_domain *d, struct lx_node *old, struct lx_node *new)
{
	if (!old->parent)
		d->root = new;
	else if (old == old->parent->left)
		old->parent->left = new;
	else
		old->parent->right = new;
}

static void lx_rotate_left(struct lx_domain *d, struct lx_node *x)
{
	struct lx_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	lx_relink(d, x, y);
	y->parent = x->parent;
	y->left = x;
	x->parent = y;
}

static void lx_rotate_right(struct lx_domain *d, struct lx_node *x)
{
	struct lx_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	lx_relink(d, x, y);
	y->parent = x->parent;
	y->right = x;
	x->parent = y;
}

static void lx_insert_fixup(struct lx_domain *d, struct lx_node *z)
{
	while (lx_is_red(z->parent)) {
		struct lx_node *p = z->parent, *g = p->parent, *u;

		if (p == g->left) {
			u = g->right;
			if (lx_is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				z = g;
				continue;
			}
			if (z == p->right) {
				z = p;
				lx_rotate_left(d, z);
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			lx_rotate_right(d, g);
		} else {
			u = g->left;
			if (lx_is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				z = g;
				continue;
			}
			if (z == p->left) {
				z = p;
				lx_rotate_right(d, z);
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			lx_rotate_left(d, g);
		}
	}
	d->root->red = false;
}

/* Insert @n, descending from @start (the node just above it) if given. */
static void lx_insert(struct lx_domain *d, struct lx_node *n, struct lx_node *start)
{
	struct lx_node **link = start ? &start : &d->root, *parent = NULL;

	while (*link) {
		parent = *link;
		if (n->pfn_lo < parent->pfn_lo)
			link = &parent->left;
		else if (n->pfn_lo > parent->pfn_lo)
			link = &parent->right;
		else
			return; /* cannot happen: ranges do not overlap */
	}
	n->parent = parent;
	n->left = n->right = NULL;
	n->red = true;
	*link = n;
	lx_insert_fixup(d, n);
	d->nr_nodes++;
}

/* Put @v where @u was (v may be NULL). */
static inline void lx_transplant(struct lx_domain *d, struct lx_node *u, struct lx_node *v)
{
	lx_relink(d, u, v);
	if (v)
		v->parent = u->parent;
}

/* Restore the black heights: @x (maybe NULL) under @xp lacks one black. */
static void lx_erase_fixup(struct lx_domain *d, struct lx_node *x, struct lx_node *xp)
{
	while (x != d->root && !lx_is_red(x)) {
		struct lx_node *w;

		if (x == xp->left) {
			w = xp->right;
			if (lx_is_red(w)) {
				w->red = false;
				xp->red = true;
				lx_rotate_left(d, xp);
				w = xp->right;
			}
			if (!lx_is_red(w->left) && !lx_is_red(w->right)) {
				w->red = true;
				x = xp;
				xp = x->parent;
				continue;
			}
			if (!lx_is_red(w->right)) {
				w->left->red = false;
				w->red = true;
				lx_rotate_right(d, w);
				w = xp->right;
			}
			w->red = xp->red;
			xp->red = false;
			w->right->red = false;
			lx_rotate_left(d, xp);
		} else {
			w = xp->left;
			if (lx_is_red(w)) {
				w->red = false;
				xp->red = true;
				lx_rotate_right(d, xp);
				w = xp->left;
			}
			if (!lx_is_red(w->left) && !lx_is_red(w->right)) {
				w->red = true;
				x = xp;
				xp = x->parent;
				continue;
			}
			if (!lx_is_red(w->left)) {
				w->right->red = false;
				w->red = true;
				lx_rotate_left(d, w);
				w = xp->left;
			}
			w->red = xp->red;
			xp->red = false;
			w->left->red = false;
			lx_rotate_right(d, xp);
		}
		x = d->root;
	}
	if (x)
		x->red = false;
}

static void lx_erase(struct lx_domain *d, struct lx_node *z)
{
	struct lx_node *y = z, *x, *xp;
	bool y_red = z->red;

	if (!z->left) {
		x = z->right;
		xp = z->parent;
		lx_transplant(d, z, z->right);
	} else if (!z->right) {
		x = z->left;
		xp = z->parent;
		lx_transplant(d, z, z->left);
	} else {
		y = z->right;
		while (y->left)
			y = y->left;
		y_red = y->red;
		x = y->right;
		if (y->parent == z) {
			xp = y;
		} else {
			xp = y->parent;
			lx_transplant(d, y, y->right);
			y->right = z->right;
			y->right->parent = y;
		}
		lx_transplant(d, z, y);
		y->left = z->left;
		y->left->parent = y;
		y->red = z->red;
	}
	if (!y_red)
		lx_erase_fixup(d, x, xp);
	d->nr_nodes--;
}

/* private_find_iova */
static struct lx_node *lx_find(struct lx_domain *d, unsigned long pfn)
{
	struct lx_node *n = d->root;

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

/* Where a retry starts: the anchor above 4 GiB, else the lowest node
 * reaching the (exclusive) limit. */
static struct lx_node *lx_find_limit(struct lx_domain *d, unsigned long limit_pfn)
{
	struct lx_node *n = d->root, *best = &d->anchor;

	if (limit_pfn > d->dma_32bit_pfn)
		return &d->anchor;
	while (n) {
		if (n->pfn_hi >= limit_pfn) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

static void lx_cached_delete_update(struct lx_domain *d, struct lx_node *free)
{
	struct lx_node *c32 = d->cached32_node, *c = d->cached_node, *next = NULL;

	if (free == c32 || (free->pfn_hi < d->dma_32bit_pfn && free->pfn_lo >= c32->pfn_lo))
		d->cached32_node = next = lx_rb_next(free);
	if (free->pfn_lo < d->dma_32bit_pfn)
		d->max32_alloc_size = d->dma_32bit_pfn;
	if (free->pfn_lo >= c->pfn_lo)
		d->cached_node = next ? next : lx_rb_next(free);
}

/* remove_iova: tree lock held. */
static void lx_remove(struct lx_domain *d, struct lx_node *n)
{
	lx_cached_delete_update(d, n);
	lx_erase(d, n);
}

/* __alloc_and_insert_iova_range; @limit_pfn is exclusive. */
static int lx_alloc_range(struct lx_domain *d, unsigned long size, unsigned long limit_pfn,
			  struct lx_node *new, bool size_aligned)
{
	struct lx_node *curr, *prev;
	unsigned long new_pfn, retry_pfn, align_mask = ~0UL;
	unsigned long high_pfn = limit_pfn, low_pfn = d->start_pfn;

	if (size_aligned)
		align_mask <<= lx_fls_long(size - 1);
	pthread_spin_lock(&d->tree_lock);
	if (limit_pfn <= d->dma_32bit_pfn && size >= d->max32_alloc_size)
		goto full;
	curr = limit_pfn <= d->dma_32bit_pfn ? d->cached32_node : d->cached_node;
	retry_pfn = curr->pfn_hi;
retry:
	do {
		high_pfn = high_pfn < curr->pfn_lo ? high_pfn : curr->pfn_lo;
		new_pfn = (high_pfn - size) & align_mask;
		prev = curr;
		curr = lx_rb_prev(curr);
	} while (curr && new_pfn <= curr->pfn_hi && new_pfn >= low_pfn);

	if (high_pfn < size || new_pfn < low_pfn) {
		if (low_pfn == d->start_pfn && retry_pfn < limit_pfn) {
			high_pfn = limit_pfn;
			low_pfn = retry_pfn + 1;
			curr = lx_find_limit(d, limit_pfn);
			goto retry;
		}
		d->max32_alloc_size = size;
		goto full;
	}
	new->pfn_lo = new_pfn;
	new->pfn_hi = new_pfn + size - 1;
	lx_insert(d, new, prev);
	if (new->pfn_hi < d->dma_32bit_pfn)
		d->cached32_node = new;
	else
		d->cached_node = new;
	pthread_spin_unlock(&d->tree_lock);
	return 0;
full:
	pthread_spin_unlock(&d->tree_lock);
	return -ENOMEM;
}

/* alloc_iova: @limit_pfn inclusive. */
static struct lx_node *lx_alloc_iova(struct lx_domain *d, unsigned long size,
				     unsigned long limit_pfn, bool size_aligned)
{
	struct lx_node *n = lx_node_alloc(d);

	if (!n)
		return NULL;
	if (lx_alloc_range(d, size, limit_pfn + 1, n, size_aligned)) {
		lx_node_free(d, n);
		return NULL;
	}
	return n;
}

static void lx_free_iova(struct lx_domain *d, unsigned long pfn)
{
	struct lx_node *n;

	pthread_spin_lock(&d->tree_lock);
	n = lx_find(d, pfn);
	if (!n) {
		pthread_spin_unlock(&d->tree_lock);
		return;
	}
	lx_remove(d, n);
	pthread_spin_unlock(&d->tree_lock);
	lx_node_free(d, n);
}

/* The rcaches. */
static struct lx_mag *lx_mag_alloc(void)
{
	struct lx_mag *m = malloc(sizeof(*m));
	if (m)
		m->size = 0;
	return m;
}

static void lx_mag_free_pfns(struct lx_domain *d, struct lx_mag *m)
{
	pthread_spin_lock(&d->tree_lock);
	for (unsigned long i = 0; i < m->size; i++) {
		struct lx_node *n = lx_find(d, m->pfns[i]);
		if (!n)
			continue;
		lx_remove(d, n);
		lx_node_free(d, n);
	}
	pthread_spin_unlock(&d->tree_lock);
	m->size = 0;
}

static inline bool lx_mag_full(const struct lx_mag *m)
{
	return m->size == LX_MAG_SIZE;
}

static inline bool lx_mag_empty(const struct lx_mag *m)
{
	return m->size == 0;
}

/* The most recent pfn not above @limit_pfn, or 0. */
static unsigned long lx_mag_pop(struct lx_mag *m, unsigned long limit_pfn)
{
	unsigned long i = m->size - 1, pfn;

	while (m->pfns[i] > limit_pfn) {
		if (i == 0)
			return 0;
		i--;
	}
	pfn = m->pfns[i];
	m->pfns[i] = m->pfns[--m->size];
	return pfn;
}

static struct lx_mag *lx_depot_pop(struct lx_rcache *rc)
{
	struct lx_mag *m = rc->depot;

	rc->depot = m->next;
	m->size = LX_MAG_SIZE;
	rc->depot_size--;
	return m;
}

static void lx_depot_push(struct lx_rcache *rc, struct lx_mag *m)
{
	m->next = rc->depot;
	rc->depot = m;
	rc->depot_size++;
}

static bool lx_rcache_insert(struct lx_domain *d, unsigned long pfn, unsigned long size)
{
	unsigned int log_size = lx_order_base_2(size);
	struct lx_rcache *rc;
	struct lx_cpu_rcache *c;
	bool can_insert = false;

	if (log_size >= LX_RANGE_CACHE_MAX_SIZE)
		return false;
	rc = &d->rcaches[log_size];
	c = &rc->cpu[lx_cpu];
	pthread_spin_lock(&c->lock);
	if (!lx_mag_full(c->loaded)) {
		can_insert = true;
	} else if (!lx_mag_full(c->prev)) {
		struct lx_mag *t = c->prev;
		c->prev = c->loaded;
		c->loaded = t;
		can_insert = true;
	} else {
		struct lx_mag *fresh = lx_mag_alloc();
		if (fresh) {
			pthread_spin_lock(&rc->lock);
			lx_depot_push(rc, c->loaded);
			pthread_spin_unlock(&rc->lock);
			c->loaded = fresh;
			can_insert = true;
		}
	}
	if (can_insert)
		c->loaded->pfns[c->loaded->size++] = pfn;
	pthread_spin_unlock(&c->lock);
	return can_insert;
}

/* @limit_pfn exclusive, as Linux's iova_rcache_get is called. */
static unsigned long lx_rcache_get(struct lx_domain *d, unsigned long size, unsigned long limit_pfn)
{
	unsigned int log_size = lx_order_base_2(size);
	struct lx_rcache *rc;
	struct lx_cpu_rcache *c;
	unsigned long pfn = 0;
	bool has_pfn = false;

	if (log_size >= LX_RANGE_CACHE_MAX_SIZE)
		return 0;
	rc = &d->rcaches[log_size];
	c = &rc->cpu[lx_cpu];
	pthread_spin_lock(&c->lock);
	if (!lx_mag_empty(c->loaded)) {
		has_pfn = true;
	} else if (!lx_mag_empty(c->prev)) {
		struct lx_mag *t = c->prev;
		c->prev = c->loaded;
		c->loaded = t;
		has_pfn = true;
	} else {
		pthread_spin_lock(&rc->lock);
		if (rc->depot) {
			free(c->loaded);
			c->loaded = lx_depot_pop(rc);
			has_pfn = true;
		}
		pthread_spin_unlock(&rc->lock);
	}
	if (has_pfn)
		pfn = lx_mag_pop(c->loaded, limit_pfn - size);
	pthread_spin_unlock(&c->lock);
	return pfn;
}

/* free_cpu_cached_iovas for every CPU, then free_global_cached_iovas. */
static void lx_flush_rcaches(struct lx_domain *d)
{
	for (unsigned int cpu = 0; cpu < LX_NR_CPUS; cpu++) {
		for (unsigned int i = 0; i < LX_RANGE_CACHE_MAX_SIZE; i++) {
			struct lx_cpu_rcache *c = &d->rcaches[i].cpu[cpu];
			pthread_spin_lock(&c->lock);
			lx_mag_free_pfns(d, c->loaded);
			lx_mag_free_pfns(d, c->prev);
			pthread_spin_unlock(&c->lock);
		}
	}
	for (unsigned int i = 0; i < LX_RANGE_CACHE_MAX_SIZE; i++) {
		struct lx_rcache *rc = &d->rcaches[i];
		pthread_spin_lock(&rc->lock);
		while (rc->depot) {
			struct lx_mag *m = lx_depot_pop(rc);
			lx_mag_free_pfns(d, m);
			free(m);
		}
		pthread_spin_unlock(&rc->lock);
	}
}

/* alloc_iova_fast: returns the pfn, 0 on failure (start_pfn is >= 1). */
static unsigned long lx_alloc_iova_fast(struct lx_domain *d, unsigned long size,
					unsigned long limit_pfn, bool flush_rcache)
{
	unsigned long pfn;
	struct lx_node *n;

	if (size < (1UL << (LX_RANGE_CACHE_MAX_SIZE - 1)))
		size = lx_roundup_pow_of_two(size);
	pfn = lx_rcache_get(d, size, limit_pfn + 1);
	if (pfn)
		return pfn;
	for (;;) {
		n = lx_alloc_iova(d, size, limit_pfn, true);
		if (n)
			return n->pfn_lo;
		if (!flush_rcache)
			return 0;
		flush_rcache = false;
		lx_flush_rcaches(d);
	}
}

static void lx_free_iova_fast(struct lx_domain *d, unsigned long pfn, unsigned long size)
{
	if (lx_rcache_insert(d, pfn, size))
		return;
	lx_free_iova(d, pfn);
}

static void lx_domain_destroy(struct lx_domain *d)
{
	for (unsigned int i = 0; i < LX_RANGE_CACHE_MAX_SIZE; i++) {
		struct lx_rcache *rc = &d->rcaches[i];
		for (unsigned int cpu = 0; cpu < LX_NR_CPUS; cpu++) {
			free(rc->cpu[cpu].loaded);
			free(rc->cpu[cpu].prev);
			pthread_spin_destroy(&rc->cpu[cpu].lock);
		}
		while (rc->depot)
			free(lx_depot_pop(rc));
		pthread_spin_destroy(&rc->lock);
	}
	for (unsigned int cpu = 0; cpu < LX_NR_CPUS; cpu++) {
		struct lx_chunk *ch = d->nodes[cpu].chunks, *next;
		for (; ch; ch = next) {
			next = ch->next;
			free(ch);
		}
	}
	pthread_spin_destroy(&d->tree_lock);
	free(d);
}

/* init_iova_domain + iova_domain_init_rcaches. */
static struct lx_domain *lx_domain_create(unsigned long granule, unsigned long start_pfn)
{
	struct lx_domain *d = aligned_alloc(64, sizeof(*d));

	if (!d)
		return NULL;
	memset(d, 0, sizeof(*d));
	pthread_spin_init(&d->tree_lock, PTHREAD_PROCESS_PRIVATE);
	d->granule = granule;
	d->start_pfn = start_pfn;
	d->dma_32bit_pfn = 1UL << (32 - __builtin_ctzl(granule));
	d->max32_alloc_size = d->dma_32bit_pfn;
	d->anchor.pfn_lo = d->anchor.pfn_hi = LX_ANCHOR;
	d->root = &d->anchor;
	d->cached_node = d->cached32_node = &d->anchor;
	for (unsigned int i = 0; i < LX_RANGE_CACHE_MAX_SIZE; i++) {
		struct lx_rcache *rc = &d->rcaches[i];
		pthread_spin_init(&rc->lock, PTHREAD_PROCESS_PRIVATE);
		for (unsigned int cpu = 0; cpu < LX_NR_CPUS; cpu++) {
			pthread_spin_init(&rc->cpu[cpu].lock, PTHREAD_PROCESS_PRIVATE);
			rc->cpu[cpu].loaded = lx_mag_alloc();
			rc->cpu[cpu].prev = lx_mag_alloc();
			if (!rc->cpu[cpu].loaded || !rc->cpu[cpu].prev) {
				lx_domain_destroy(d);
				return NULL;
			}
		}
	}
	return d;
}

/* ------------------------------------------------------------------------ */
/* Checks of the model                                                       */
/* ------------------------------------------------------------------------ */

static __attribute__((format(printf, 1, 2), noreturn)) void check_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iova_linux: model check failed: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	abort();
}

/* Red-black rules, order, parent links; returns the black height. */
static int lx_check_sub(const struct lx_node *n, const struct lx_node *parent,
			const struct lx_node **last, unsigned long *count)
{
	int lh, rh;

	if (!n)
		return 1;
	if (n->parent != parent)
		check_fail("node %#lx: bad parent link", n->pfn_lo);
	if (n->red && (lx_is_red(n->left) || lx_is_red(n->right)))
		check_fail("node %#lx: red node with a red child", n->pfn_lo);
	lh = lx_check_sub(n->left, n, last, count);
	if (n->pfn_lo > n->pfn_hi || (*last && (*last)->pfn_hi >= n->pfn_lo))
		check_fail("node [%#lx, %#lx] out of order after %#lx", n->pfn_lo, n->pfn_hi,
			   *last ? (*last)->pfn_hi : 0);
	*last = n;
	(*count)++;
	rh = lx_check_sub(n->right, n, last, count);
	if (lh != rh)
		check_fail("node %#lx: black heights %lu and %lu", n->pfn_lo, (unsigned long)lh,
			   (unsigned long)rh);
	return lh + !n->red;
}

static void lx_check(struct lx_domain *d)
{
	const struct lx_node *last = NULL;
	unsigned long count = 0;

	if (d->root->red)
		check_fail("red root");
	lx_check_sub(d->root, NULL, &last, &count);
	if (last != &d->anchor || count != d->nr_nodes + 1)
		check_fail("%lu nodes, %lu counted (anchor last: %lu)", count, d->nr_nodes + 1,
			   (unsigned long)(last == &d->anchor));
}

static inline uint64_t rng_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

#define CHECK_LIVE 4096

struct check_state {
	struct dmp_iova_domain dd;
	struct lx_domain *lx;
	unsigned long pfn[CHECK_LIVE], size[CHECK_LIVE];
	unsigned long nlive, compared;
};

static bool both_alloc(struct check_state *s, unsigned long size, unsigned long limit,
		       bool aligned, unsigned long *pfn)
{
	unsigned long dp = 0;
	int err = dmp_alloc_iova(&s->dd, size, limit, aligned, &dp);
	struct lx_node *n = lx_alloc_iova(s->lx, size, limit, aligned);

	if ((err == 0) != (n != NULL) || (n && n->pfn_lo != dp))
		check_fail("alloc(size %lu, limit %#lx): dmaport %#lx, model %#lx", size, limit,
			   err ? ~0UL : dp, n ? n->pfn_lo : ~0UL);
	s->compared++;
	*pfn = dp;
	return n != NULL;
}

static void both_free_live(struct check_state *s, unsigned long i)
{
	dmp_free_iova(&s->dd, s->pfn[i]);
	lx_free_iova(s->lx, s->pfn[i]);
	s->pfn[i] = s->pfn[--s->nlive];
	s->size[i] = s->size[s->nlive];
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return (x > y) - (x < y);
}

static int check_model(void)
{
	static const unsigned long fixed[] = { 1, 4, 16 };
	struct check_state *s = calloc(1, sizeof(*s));
	struct dmp_iova_stats st;
	uint64_t rng = 12345;
	unsigned long limit32, pfn, fast_ops = 0;

	if (!s || dmp_iova_domain_init(&s->dd, 4096, 1) || !(s->lx = lx_domain_create(4096, 1))) {
		fprintf(stderr, "iova_linux: check: out of memory\n");
		return -ENOMEM;
	}
	limit32 = dmp_iova_limit_pfn(&s->dd, DMP_BIT_MASK(32));

	/* 1: fixed sizes, aligned, 32-bit and 30-bit limits, random frees */
	for (int step = 0; step < 40000; step++) {
		if (s->nlive < CHECK_LIVE && (s->nlive < 64 || rng_next(&rng) % 3)) {
			unsigned long size = fixed[rng_next(&rng) % 3];
			unsigned long limit = rng_next(&rng) % 8 ? limit32 : 0x3ffffUL;
			if (both_alloc(s, size, limit, true, &pfn)) {
				s->pfn[s->nlive] = pfn;
				s->size[s->nlive++] = size;
			}
		} else {
			both_free_live(s, rng_next(&rng) % s->nlive);
		}
	}
	while (s->nlive)
		both_free_live(s, rng_next(&rng) % s->nlive);
	lx_check(s->lx);

	/* 2: a fragmented space as the benchmark makes it (smaller), then
	 * aligned mixed sizes 1..64 with a ring of 8 outstanding */
	unsigned long *frag = malloc(sizeof(*frag) * 8192);
	if (!frag)
		return -ENOMEM;
	for (int i = 0; i < 8192; i++)
		if (!both_alloc(s, 1 + rng_next(&rng) % 16, limit32, false, &frag[i]))
			check_fail("fragment: allocation %lu failed", (unsigned long)i);
	for (int i = 0; i < 8192; i += 2) {
		dmp_free_iova(&s->dd, frag[i]);
		lx_free_iova(s->lx, frag[i]);
	}
	free(frag);
	for (int step = 0; step < 20000; step++) {
		unsigned long slot = (unsigned long)step % 8;
		if (step >= 8) {
			dmp_free_iova(&s->dd, s->pfn[slot]);
			lx_free_iova(s->lx, s->pfn[slot]);
		}
		if (!both_alloc(s, 1 + rng_next(&rng) % 64, limit32, true, &s->pfn[slot]))
			check_fail("mixed: allocation %lu failed", (unsigned long)step);
	}
	lx_check(s->lx);
	dmp_iova_domain_stats(&s->dd, &st);
	if (st.ranges != s->lx->nr_nodes || dmp_iova_domain_check(&s->dd))
		check_fail("after the sequences: dmaport %lu ranges, model %lu", st.ranges,
			   s->lx->nr_nodes);
	lx_domain_destroy(s->lx);
	dmp_iova_domain_destroy(&s->dd);

	/* 3: the model's fast path alone: disjoint ranges, all in its tree */
	s->lx = lx_domain_create(4096, 1);
	if (!s->lx)
		return -ENOMEM;
	s->nlive = 0;
	for (int step = 0; step < 200000; step++, fast_ops++) {
		if (s->nlive < CHECK_LIVE && (s->nlive < 64 || rng_next(&rng) % 2)) {
			unsigned long size = 1 + rng_next(&rng) % 40;
			pfn = lx_alloc_iova_fast(s->lx, size, limit32, true);
			if (!pfn)
				check_fail("fast alloc of %lu failed", size);
			s->pfn[s->nlive] = pfn;
			s->size[s->nlive++] = size;
		} else {
			unsigned long i = rng_next(&rng) % s->nlive;
			lx_free_iova_fast(s->lx, s->pfn[i], s->size[i]);
			s->pfn[i] = s->pfn[--s->nlive];
			s->size[i] = s->size[s->nlive];
		}
	}
	for (unsigned long i = 0; i < s->nlive; i++) {
		unsigned long want = s->size[i] < 32 ? lx_roundup_pow_of_two(s->size[i]) : s->size[i];
		struct lx_node *n = lx_find(s->lx, s->pfn[i]);
		if (!n || n->pfn_lo != s->pfn[i] || n->pfn_hi - n->pfn_lo + 1 != want ||
		    s->pfn[i] % lx_roundup_pow_of_two(want) || s->pfn[i] + want - 1 > limit32)
			check_fail("fast range %#lx (%lu pages): tree has [%#lx, %#lx]", s->pfn[i], want,
				   n ? n->pfn_lo : 0, n ? n->pfn_hi : 0);
	}
	/* disjoint: the sorted starts are distinct and the tree holds each once */
	qsort(s->pfn, s->nlive, sizeof(s->pfn[0]), cmp_ul);
	for (unsigned long i = 1; i < s->nlive; i++)
		if (s->pfn[i] == s->pfn[i - 1])
			check_fail("fast range %#lx handed out twice", s->pfn[i]);
	lx_check(s->lx);
	lx_flush_rcaches(s->lx);
	lx_check(s->lx);
	if (s->lx->nr_nodes != s->nlive)
		check_fail("after a flush the tree has %lu ranges, %lu live",
			   s->lx->nr_nodes, s->nlive);
	lx_domain_destroy(s->lx);
	printf("model check: %lu tree allocations (fixed 1/4/16 aligned, 32- and 30-bit limits; "
	       "fragmented unaligned 1..16; mixed 1..64) identical to dmaport's;\n"
	       "  %lu fast-path operations of the model: disjoint ranges, all in its tree; "
	       "red-black tree valid\n", s->compared, fast_ops);
	free(s);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The benchmark (bench/iova.c's harness, for either allocator)             */
/* ------------------------------------------------------------------------ */

enum path { PATH_FAST, PATH_TREE };
enum impl { IMPL_DMP, IMPL_LX };

/* A model batch is cut to about this long (its warm-up shows the rate). */
#define BATCH_BUDGET_NS 100000000ull
#define WARMUP_BUDGET_NS 200000000ull
#define MIN_PAIRS 200

struct run {
	struct dmp_iova_domain iovad;
	struct lx_domain *lx;
	enum impl impl;
	enum path path;
	unsigned long fixed_size;   /* 0: mixed */
	unsigned long limit;
	long depth;
	long pairs;                 /* per thread per batch, asked */
	long batch_pairs;           /* per thread per batch, run */
	long batches;
	unsigned int threads;
	pthread_barrier_t barrier;
	uint64_t t0;
	double warm_ns;             /* thread 0's warm-up: ns per pair */
	double *ns;                 /* per batch: ns per pair */
	double *cpu_ns;             /* per batch: thread 0's CPU ns per pair */
	double *rate;               /* per batch: pairs per second, all threads */
	unsigned long sizes[SIZE_TABLE];
	_Atomic unsigned long failures;
};

struct thread_arg {
	struct run *run;
	unsigned int index;
	pthread_t thread;
};

static inline int do_alloc(struct run *r, unsigned long size, unsigned long *pfn)
{
	if (r->impl == IMPL_DMP) {
		if (r->path == PATH_FAST)
			return dmp_alloc_iova_fast(&r->iovad, size, r->limit, true, pfn);
		return dmp_alloc_iova(&r->iovad, size, r->limit, true, pfn);
	}
	if (r->path == PATH_FAST) {
		*pfn = lx_alloc_iova_fast(r->lx, size, r->limit, true);
		return *pfn ? 0 : -ENOMEM;
	}
	struct lx_node *n = lx_alloc_iova(r->lx, size, r->limit, true);
	if (!n)
		return -ENOMEM;
	*pfn = n->pfn_lo;
	return 0;
}

static inline void do_free(struct run *r, unsigned long size, unsigned long pfn)
{
	if (r->impl == IMPL_DMP) {
		if (r->path == PATH_FAST)
			dmp_free_iova_fast(&r->iovad, pfn, size);
		else
			dmp_free_iova(&r->iovad, pfn);
	} else {
		if (r->path == PATH_FAST)
			lx_free_iova_fast(r->lx, pfn, size);
		else
			lx_free_iova(r->lx, pfn);
	}
}

/* @pairs alloc+free pairs with a ring of @depth outstanding ranges. */
static void pairs_loop(struct run *r, unsigned int index, long pairs, unsigned long *ring_pfn,
		       unsigned long *ring_size, unsigned long *pos)
{
	unsigned long mask = SIZE_TABLE - 1, p = *pos;
	long depth = r->depth, slot = (long)(p % (unsigned long)depth);

	for (long i = 0; i < pairs; i++, p++) {
		unsigned long size = r->fixed_size ? r->fixed_size : r->sizes[(p * 7 + index) & mask];
		unsigned long pfn;
		if (ring_size[slot]) {
			do_free(r, ring_size[slot], ring_pfn[slot]);
			ring_size[slot] = 0;
		}
		if (__builtin_expect(do_alloc(r, size, &pfn) == 0, 1)) {
			ring_pfn[slot] = pfn;
			ring_size[slot] = size;
		} else {
			r->failures++;
		}
		if (++slot == depth)
			slot = 0;
	}
	*pos = p;
}


static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct run *r = a->run;
	static _Thread_local unsigned long ring_pfn[MAX_DEPTH], ring_size[MAX_DEPTH];
	unsigned long pos = 0;
	long warm = r->pairs / 4 + r->depth, done = 0;
	uint64_t w0 = bench_now_ns();

	lx_cpu = a->index;
	memset(ring_size, 0, sizeof(ring_size));
	/* warm up: magazines filled, the cached node settled (time-bounded) */
	while (done < warm && bench_now_ns() - w0 < WARMUP_BUDGET_NS) {
		long k = warm - done < 64 ? warm - done : 64;
		pairs_loop(r, a->index, k, ring_pfn, ring_size, &pos);
		done += k;
	}
	if (a->index == 0) {
		double per = (double)(bench_now_ns() - w0) / (double)done;
		long n = r->pairs;
		if (per * (double)n > (double)BATCH_BUDGET_NS)
			n = (long)((double)BATCH_BUDGET_NS / per);
		r->batch_pairs = n < MIN_PAIRS ? (MIN_PAIRS < r->pairs ? MIN_PAIRS : r->pairs) : n;
		r->warm_ns = per;
	}
	for (long b = 0; b < r->batches; b++) {
		pthread_barrier_wait(&r->barrier);
		if (a->index == 0)
			r->t0 = bench_now_ns();
		pthread_barrier_wait(&r->barrier);
		long pairs = r->batch_pairs;
		uint64_t c0 = bench_thread_cpu_ns();
		pairs_loop(r, a->index, pairs, ring_pfn, ring_size, &pos);
		uint64_t c1 = bench_thread_cpu_ns();
		pthread_barrier_wait(&r->barrier);
		if (a->index == 0) {
			double ns = (double)(bench_now_ns() - r->t0);
			r->cpu_ns[b] = (double)(c1 - c0) / (double)pairs;
			r->ns[b] = ns / (double)pairs;
			r->rate[b] = (double)pairs * r->threads * 1e9 / ns;
		}
	}
	for (long s = 0; s < r->depth; s++)
		if (ring_size[s])
			do_free(r, ring_size[s], ring_pfn[s]);
	return NULL;
}

/* Fill @prefill ranges of 1..16 pages below the limit, free every other one. */
static int fragment(struct run *r, long prefill, uint64_t *rng)
{
	unsigned long *pfns = malloc(sizeof(*pfns) * (size_t)prefill);
	if (!pfns)
		return -ENOMEM;
	for (long i = 0; i < prefill; i++) {
		*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
		unsigned long size = 1 + (unsigned long)(*rng >> 33) % 16;
		if (r->impl == IMPL_DMP) {
			if (dmp_alloc_iova(&r->iovad, size, r->limit, false, &pfns[i])) {
				free(pfns);
				return -ENOMEM;
			}
		} else {
			struct lx_node *n = lx_alloc_iova(r->lx, size, r->limit, false);
			if (!n) {
				free(pfns);
				return -ENOMEM;
			}
			pfns[i] = n->pfn_lo;
		}
	}
	for (long i = 0; i < prefill; i += 2) {
		if (r->impl == IMPL_DMP)
			dmp_free_iova(&r->iovad, pfns[i]);
		else
			lx_free_iova(r->lx, pfns[i]);
	}
	free(pfns);
	return 0;
}

static int run_one(struct run *r, long prefill, uint64_t seed)
{
	struct thread_arg args[MAX_THREADS];
	uint64_t rng = seed;
	int err;

	/* the same space for both: start pfn 1, 32-bit limit */
	err = dmp_iova_domain_init(&r->iovad, 4096, 1);
	if (err)
		return err;
	r->limit = dmp_iova_limit_pfn(&r->iovad, DMP_BIT_MASK(32));
	if (r->impl == IMPL_LX) {
		dmp_iova_domain_destroy(&r->iovad);
		r->lx = lx_domain_create(4096, 1);
		if (!r->lx)
			return -ENOMEM;
	}
	for (unsigned int i = 0; i < SIZE_TABLE; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		r->sizes[i] = 1 + (unsigned long)(rng >> 33) % 64;
	}
	lx_cpu = 0;
	if (prefill && (err = fragment(r, prefill, &rng)) != 0)
		goto out_destroy;
	r->failures = 0;
	pthread_barrier_init(&r->barrier, NULL, r->threads);
	for (unsigned int t = 0; t < r->threads; t++) {
		args[t] = (struct thread_arg){ .run = r, .index = t };
		pthread_create(&args[t].thread, NULL, thread_main, &args[t]);
	}
	for (unsigned int t = 0; t < r->threads; t++)
		pthread_join(args[t].thread, NULL);
	pthread_barrier_destroy(&r->barrier);
	lx_cpu = 0;
	if (r->impl == IMPL_DMP && dmp_iova_domain_check(&r->iovad))
		err = -EINVAL;
	if (r->impl == IMPL_LX)
		lx_check(r->lx);
out_destroy:
	if (r->impl == IMPL_DMP) {
		dmp_iova_domain_destroy(&r->iovad);
	} else {
		lx_domain_destroy(r->lx);
		r->lx = NULL;
	}
	return err;
}

struct result {
	double ns, cpu, rate;
	long pairs;
	bool failed;
};

int dmp_bench_iova_linux(int argc, char **argv);
int dmp_bench_iova_linux(int argc, char **argv)
{
	long batches = 9, fast_pairs = 200000, prefill = 65536, depth = 1;
	/* filters, for profiling one row: 0 / -1 = all */
	long only_path = 0, only_size = -1, only_space = -1, only_threads = 0, only_impl = 0;
	const struct bench_opt opts[] = {
		{ "--batches", &batches, 1, 1000, "batches per row (the row prints medians)" },
		{ "--pairs", &fast_pairs, 1, 100000000,
		  "alloc+free pairs per thread per batch on the fast path (the tree path and "
		  "mixed sizes run an eighth)" },
		{ "--prefill", &prefill, 0, 100000,
		  "ranges of 1..16 pages allocated before the fragmented rows (every other one "
		  "then freed)" },
		{ "--depth", &depth, 1, MAX_DEPTH,
		  "ranges each thread keeps live: a pair frees the range allocated DEPTH pairs "
		  "earlier" },
		{ "--path", &only_path, 0, 2, "rows of one path: 0 both, 1 fast, 2 tree" },
		{ "--size", &only_size, -1, 16,
		  "rows of one size: -1 all, 0 mixed (1..64 pages), 1, 4 or 16 pages" },
		{ "--space", &only_space, -1, 1, "rows of one space: -1 both, 0 empty, 1 fragmented" },
		{ "--threads", &only_threads, 0, MAX_THREADS, "rows of one thread count: 0 both, 1, 2" },
		{ "--impl", &only_impl, 0, 2, "one side: 0 both, 1 dmaport, 2 the model of Linux" },
	};
	int args_rc = bench_parse(argc, argv,
				  "dmaport's IOVA allocator side by side with a user-space model of "
				  "Linux's.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	if (only_size > 1 && only_size != 4 && only_size != 16) {
		fprintf(stderr, "dmaport-bench iova_linux: --size %ld: no such row (-1, 0, 1, 4, 16)\n",
			only_size);
		return 2;
	}
	static const unsigned long sizes[] = { 1, 4, 16, 0 };
	double logsum[2][MAX_THREADS + 1] = { { 0 } };
	int nlog[2][MAX_THREADS + 1] = { { 0 } };
	struct run *r;
	int rc = 0, row = 0;

	if (check_model())
		return 1;
	r = calloc(1, sizeof(*r));
	if (!r)
		return 1;
	r->ns = calloc((size_t)batches, sizeof(double));
	r->rate = calloc((size_t)batches, sizeof(double));
	r->cpu_ns = calloc((size_t)batches, sizeof(double));
	r->batches = batches;
	r->depth = depth;

	printf("dmaport-bench iova_linux: dmaport (dmp) against a model of Linux 6.7+ "
	       "drivers/iommu/iova.c (lx);\n"
	       "  alloc+free pairs, granule 4 KiB, limit 32-bit mask, depth %ld; median of %ld "
	       "batches;\n"
	       "  fragmented = %ld ranges of 1..16 pages, every other one freed; mixed = uniform "
	       "1..64 pages\n", depth, batches, prefill);
	printf("  ns: wall ns per pair as one thread sees it; cpu: thread 0's CPU ns per pair; "
	       "lx/dmp = lx ns / dmp ns (> 1: dmaport faster);\n"
	       "  pairs: per thread per batch (a slow model batch is cut to ~100 ms)\n");
	printf("%-4s %-5s %-10s %3s %9s %9s %8s %9s %9s %8s %8s %13s\n", "path", "size", "space",
	       "thr", "dmp ns", "lx ns", "lx/dmp", "dmp cpu", "lx cpu", "dmp Mp/s", "lx Mp/s",
	       "pairs dmp/lx");
	for (int path = PATH_FAST; path <= PATH_TREE; path++) {
		if (only_path && only_path != path + 1)
			continue;
		for (unsigned int s = 0; s < DMP_ARRAY_SIZE(sizes); s++) {
			if (only_size >= 0 && (unsigned long)only_size != sizes[s])
				continue;
			for (int frag = 0; frag <= 1; frag++) {
				if (only_space >= 0 && only_space != frag)
					continue;
				for (unsigned int th = 1; th <= MAX_THREADS; th++) {
					if (only_threads && (unsigned long)only_threads != th)
						continue;
					struct result res[2];
					memset(res, 0, sizeof(res));
					/* which side runs first alternates by row: the
					 * second run of a row measured faster either way
					 * (a warmer heap), so a fixed order favours one */
					for (int k = 0; k < 2; k++) {
						int impl = (row / 2 + k) % 2; /* rows come in 1, 2 threads */
						if (only_impl && only_impl != impl + 1)
							continue;
						r->impl = (enum impl)impl;
						r->path = (enum path)path;
						r->fixed_size = sizes[s];
						r->threads = th;
						r->pairs = path == PATH_FAST && sizes[s] ? fast_pairs
											 : fast_pairs / 8;
						int err = run_one(r, frag ? prefill : 0, 42 + s);
						if (err) {
							printf("run failed (%s): %d\n",
							       impl == IMPL_DMP ? "dmaport" : "model", err);
							rc = 1;
							res[impl] = (struct result){ 0 };
							continue;
						}
						res[impl] = (struct result){
							.ns = bench_median(r->ns, (size_t)batches),
							.cpu = bench_median(r->cpu_ns, (size_t)batches),
							.rate = bench_median(r->rate, (size_t)batches),
							.pairs = r->batch_pairs,
							.failed = r->failures != 0,
						};
					}
					char sz[16], pr[32];
					snprintf(sz, sizeof(sz), "%lu", sizes[s]);
					snprintf(pr, sizeof(pr), "%ld/%ld", res[0].pairs, res[1].pairs);
					double ratio = res[0].ns > 0 ? res[1].ns / res[0].ns : 0;
					if (ratio > 0) {
						logsum[path][th] += log(ratio);
						nlog[path][th]++;
					}
					printf("%-4s %-5s %-10s %3u %9.1f %9.1f %8.2f %9.1f %9.1f %8.2f "
					       "%8.2f %13s%s%s\n",
					       path == PATH_FAST ? "fast" : "tree",
					       sizes[s] ? sz : "mixed", frag ? "fragmented" : "empty", th,
					       res[0].ns, res[1].ns, ratio, res[0].cpu, res[1].cpu,
					       res[0].rate / 1e6, res[1].rate / 1e6, pr,
					       res[0].failed ? "  (dmp: some allocations failed)" : "",
					       res[1].failed ? "  (lx: some allocations failed)" : "");
					fflush(stdout);
					row++;
				}
			}
		}
	}
	printf("geometric mean of lx/dmp:");
	for (int path = PATH_FAST; path <= PATH_TREE; path++)
		for (unsigned int th = 1; th <= MAX_THREADS; th++)
			if (nlog[path][th])
				printf("  %s %u thread%s %.2f", path == PATH_FAST ? "fast" : "tree", th,
				       th > 1 ? "s" : "", exp(logsum[path][th] / nlog[path][th]));
	printf("\n");
	free(r->ns);
	free(r->rate);
	free(r->cpu_ns);
	free(r);
	return rc;
}
