/*
 * test-iova.c - the IOVA allocator against a brute-force reference model.
 *
 * The model is a state per pfn of a window of the space.  Everything outside
 * the window is reserved at setup, so the allocator can only answer inside
 * it.  A range freed through the fast path may sit in a cache, where the tree
 * path cannot see it: the model calls it PARKED and counts it as taken when
 * it judges a tree allocation's failure, free when it judges a failure after
 * a cache flush.  The assertions:
 *  - every range handed out is inside [start_pfn, limit], aligned as asked,
 *    and lies on pfns the model holds free (never live, never reserved);
 *  - the tree path fails only if the model has no suitable range (the design
 *    guarantees completeness, so this is asserted exactly), and returns the
 *    very range Linux's node-by-node walk would, run over the domain's ranges
 *    from its cached nodes;
 *  - find, free and reserve answer as the model predicts (-ENOENT, -EINVAL,
 *    -EBUSY included);
 *  - dmp_iova_domain_check() passes after every step;
 *  - with failure injection on random metadata allocations, a failed call
 *    changes nothing (the whole window is compared through find) and its
 *    retry succeeds; and a fixed scenario is rerun failing its 1st, 2nd, ...
 *    metadata allocation until no failure is reached (every error path).
 * The random sequences run with the tree's gap bookkeeping always on, never
 * on and switched by the default rule (it turns on after long walks and off
 * when the tree gets small), so both searches and the switches are covered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dmaport/iova.h>
#include <dmaport/platform.h> /* failure injection */

#define SPACE 2048
#define MAX_ALLOCS 4096

enum { FREE = 0, RESERVED, LIVE, PARKED };

struct alloc {
	unsigned long lo, size; /* size as the tree holds it (rounded for fast) */
	unsigned long req;      /* size the caller asked for */
	bool fast;
};

struct model {
	struct dmp_iova_domain iovad;
	unsigned long base, start_pfn;
	uint8_t state[SPACE];
	int owner[SPACE]; /* allocs[] index for LIVE pfns */
	struct alloc allocs[MAX_ALLOCS];
	int nr;
	uint64_t rng;
	bool mixed;           /* sizes 1..64, else one of a few fixed sizes */
	unsigned long fixed;  /* the fixed size, if !mixed */
	bool inject;          /* arm failure injection before calls */
	unsigned long injected, injected_failures;
};

static uint64_t rnd(struct model *m)
{
	/* xorshift64* */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 2685821657736338717ull;
}

static unsigned long rnd_below(struct model *m, unsigned long n)
{
	return (unsigned long)(rnd(m) % n);
}

static unsigned long top_pfn(const struct model *m)
{
	return m->base + SPACE - 1;
}

static unsigned long roundup_pow2(unsigned long x)
{
	unsigned long p = 1;
	while (p < x)
		p <<= 1;
	return p;
}

static void check_domain(struct model *m)
{
	assert_int_equal(dmp_iova_domain_check(&m->iovad), 0);
}

/*
 * Is there an @align-aligned run of @size usable pfns in [start_pfn, limit]?
 * PARKED pfns count as usable only if @parked_free.
 */
static bool model_fits(const struct model *m, unsigned long size, unsigned long limit,
		       unsigned long align, bool parked_free)
{
	static unsigned int blocked[SPACE + 1];
	blocked[0] = 0;
	for (unsigned long i = 0; i < SPACE; i++) {
		uint8_t s = m->state[i];
		bool ok = s == FREE || (parked_free && s == PARKED);
		blocked[i + 1] = blocked[i] + !ok;
	}
	if (limit > top_pfn(m))
		limit = top_pfn(m);
	for (unsigned long p = m->start_pfn; p + size - 1 <= limit; p++) {
		if (p % align)
			continue;
		unsigned long i = p - m->base;
		if (blocked[i + size] == blocked[i])
			return true;
	}
	return false;
}

/* A new range from the allocator: check it and mark it LIVE. */
static void model_take(struct model *m, unsigned long lo, unsigned long size, unsigned long req,
		       unsigned long limit, unsigned long align, bool fast)
{
	assert_true(lo >= m->start_pfn);
	assert_true(lo + size - 1 <= limit);
	assert_true(lo + size - 1 <= top_pfn(m));
	assert_int_equal(lo % align, 0);
	assert_true(m->nr < MAX_ALLOCS);
	int id = m->nr++;
	m->allocs[id] = (struct alloc){ .lo = lo, .size = size, .req = req, .fast = fast };
	for (unsigned long p = lo; p < lo + size; p++) {
		uint8_t s = m->state[p - m->base];
		if (s != FREE && s != PARKED)
			fail_msg("pfn %#lx handed out while %s", p, s == LIVE ? "live" : "reserved");
		m->state[p - m->base] = LIVE;
		m->owner[p - m->base] = id;
	}
}

static void model_drop(struct model *m, int id, uint8_t new_state)
{
	struct alloc *a = &m->allocs[id];
	for (unsigned long p = a->lo; p < a->lo + a->size; p++)
		m->state[p - m->base] = new_state;
	int last = --m->nr;
	if (id != last) {
		m->allocs[id] = m->allocs[last];
		struct alloc *b = &m->allocs[id];
		for (unsigned long p = b->lo; p < b->lo + b->size; p++)
			m->owner[p - m->base] = id;
	}
}

static void model_unpark_all(struct model *m)
{
	for (unsigned long i = 0; i < SPACE; i++)
		if (m->state[i] == PARKED)
			m->state[i] = FREE;
}

static unsigned long pick_size(struct model *m)
{
	if (!m->mixed)
		return m->fixed;
	/* mostly small, sometimes up to 64: partly beyond the cached classes */
	switch (rnd_below(m, 4)) {
	case 0:
		return 1 + rnd_below(m, 64);
	case 1:
		return 1 + rnd_below(m, 16);
	default:
		return 1 + rnd_below(m, 4);
	}
}

static unsigned long pick_limit(struct model *m)
{
	switch (rnd_below(m, 6)) {
	case 0:
		return ~0UL; /* no limit: clamped to the space, then the reservation above */
	case 1:
		return top_pfn(m);
	case 2:
		/* the 4 GiB boundary, when it is inside the window */
		if (m->iovad.dma_32bit_pfn > m->base && m->iovad.dma_32bit_pfn <= top_pfn(m))
			return m->iovad.dma_32bit_pfn - 1;
		return top_pfn(m);
	default:
		return m->start_pfn + rnd_below(m, top_pfn(m) - m->start_pfn + 1);
	}
}

/* Snapshot of the window as the allocator sees it, through find. */
struct snap {
	struct dmp_iova_range r[SPACE];
	int err[SPACE];
	struct dmp_iova_stats st;
};

static void take_snap(struct model *m, struct snap *s)
{
	for (unsigned long i = 0; i < SPACE; i++)
		s->err[i] = dmp_find_iova(&m->iovad, m->base + i, &s->r[i]);
	dmp_iova_domain_stats(&m->iovad, &s->st);
}

/* @cache_moved: the call may have flushed the caches (PARKED may differ). */
static void assert_same_snap(struct model *m, const struct snap *a, bool cache_moved)
{
	static struct snap b;
	take_snap(m, &b);
	for (unsigned long i = 0; i < SPACE; i++) {
		if (cache_moved && m->state[i] == PARKED)
			continue;
		assert_int_equal(a->err[i], b.err[i]);
		if (!a->err[i]) {
			assert_int_equal(a->r[i].pfn_lo, b.r[i].pfn_lo);
			assert_int_equal(a->r[i].pfn_hi, b.r[i].pfn_hi);
			assert_int_equal(a->r[i].reserved, b.r[i].reserved);
		}
	}
	if (!cache_moved)
		assert_memory_equal(&a->st, &b.st, sizeof(a->st));
}

/*
 * Failure injection around one call: arm the Nth metadata allocation, and
 * after the call report whether it fired.
 */
static unsigned long arm(struct model *m)
{
	if (!m->inject || rnd_below(m, 2))
		return 0;
	unsigned long nth = 1 + rnd_below(m, 2);
	dmp_fail_nth(DMP_FAIL_HEAP, nth);
	return nth;
}

static bool disarm(struct model *m, unsigned long nth)
{
	if (!nth)
		return false;
	bool fired = dmp_fail_calls(DMP_FAIL_HEAP) >= nth;
	dmp_fail_nth(DMP_FAIL_HEAP, 0);
	if (fired)
		m->injected++;
	return fired;
}

static struct snap before;

/*
 * Linux's search, node by node (drivers/iommu/iova.c,
 * __alloc_and_insert_iova_range, with dmaport's retry bound), run over the
 * ranges the domain really holds, from its cached nodes: the allocator must
 * give exactly this answer, so skipping subtrees changes nothing.
 */
struct ref_range {
	unsigned long lo, hi;
};

static struct ref_range ref[SPACE + 4];

static int ref_ranges(struct model *m)
{
	int n = 0;
	for (unsigned long p = m->base; p <= top_pfn(m);) {
		struct dmp_iova_range r;
		if (dmp_find_iova(&m->iovad, p, &r)) {
			p++;
			continue;
		}
		ref[n++] = (struct ref_range){ r.pfn_lo, r.pfn_hi };
		if (r.pfn_hi > top_pfn(m))
			break;
		p = r.pfn_hi + 1;
	}
	if (!n || ref[n - 1].hi <= top_pfn(m)) /* the reservation above the window */
		ref[n++] = (struct ref_range){ top_pfn(m) + 1, m->iovad.max_pfn };
	ref[n++] = (struct ref_range){ ~0UL, ~0UL }; /* the anchor */
	return n;
}

static int ref_index_of(const struct ref_range *r, int n, unsigned long lo)
{
	for (int i = 0; i < n; i++)
		if (r[i].lo == lo)
			return i;
	fail_msg("cached range %#lx is not a range of the domain", lo);
	return -1;
}

static int ref_first_reaching(const struct ref_range *r, int n, unsigned long end)
{
	for (int i = 0; i < n; i++)
		if (r[i].hi >= end)
			return i;
	return n - 1;
}

/* Linux's walk over the ranges @r[0..@n) (in order, the anchor last), from
 * the domain's cached positions. */
static bool linux_walk(const struct ref_range *r, int n, const struct dmp_iova_domain *d,
		       unsigned long size, unsigned long limit, bool aligned, unsigned long *out)
{
	unsigned long end = (limit < d->max_pfn ? limit : d->max_pfn) + 1;
	unsigned long mask = ~0UL, high = end, low = d->start_pfn, new_pfn = 0;
	if (size > end)
		return false;
	if (aligned)
		mask <<= __builtin_ctzl(roundup_pow2(size));
	int i = ref_index_of(r, n, end <= d->dma_32bit_pfn ? d->cached32_lo : d->cached_lo);
	if (r[i].lo >= end)
		i = ref_first_reaching(r, n, end);
	bool retry = i != n - 1 && r[i].hi + 1 < end;
	unsigned long retry_low = r[i].hi + 1 > low ? r[i].hi + 1 : low;
	for (;;) {
		do {
			high = high < r[i].lo ? high : r[i].lo;
			new_pfn = (high - size) & mask;
			i--;
		} while (i >= 0 && new_pfn <= r[i].hi && new_pfn >= low);
		if (high >= size && new_pfn >= low) {
			*out = new_pfn;
			return true;
		}
		if (!retry)
			return false;
		retry = false;
		high = end;
		low = retry_low;
		i = ref_first_reaching(r, n, end);
	}
}

static bool ref_linux_search(struct model *m, unsigned long size, unsigned long limit,
			     bool aligned, unsigned long *out)
{
	int n = ref_ranges(m);
	return linux_walk(ref, n, &m->iovad, size, limit, aligned, out);
}

static void op_alloc(struct model *m)
{
	unsigned long size = pick_size(m), limit = pick_limit(m), lo = ~0UL;
	bool aligned = rnd_below(m, 2);
	unsigned long align = aligned ? roundup_pow2(size) : 1;
	unsigned long nth = m->inject ? 1 : 0;

	unsigned long want = ~0UL;
	bool expect = ref_linux_search(m, size, limit, aligned, &want);

	if (m->inject)
		take_snap(m, &before);
	if (nth)
		dmp_fail_nth(DMP_FAIL_HEAP, nth);
	int err = dmp_alloc_iova(&m->iovad, size, limit, aligned, &lo);
	bool fired = disarm(m, nth);
	if (fired && err) {
		/* the node allocation failed: nothing changed, and space existed */
		assert_int_equal(err, -ENOMEM);
		m->injected_failures++;
		assert_same_snap(m, &before, false);
		check_domain(m);
		/* the search had succeeded (on pfns free, or parked and flushed) */
		assert_true(model_fits(m, size, limit, align, true));
		err = dmp_alloc_iova(&m->iovad, size, limit, aligned, &lo);
		assert_int_equal(err, 0);
	}
	/* exactly Linux's answer */
	assert_int_equal(err == 0, expect);
	if (!err && lo != want)
		fail_msg("alloc(size %lu, limit %#lx, aligned %d) gave %#lx, Linux's walk %#lx",
			 size, limit, aligned, lo, want);
	if (err) {
		assert_int_equal(err, -ENOMEM);
		/* complete search: nothing fits even counting cached ranges as taken */
		if (model_fits(m, size, limit, align, false))
			fail_msg("alloc(size %lu, limit %#lx, aligned %d) failed with space free",
				 size, limit, aligned);
		return;
	}
	model_take(m, lo, size, size, limit, align, false);
}

static void op_alloc_fast(struct model *m)
{
	unsigned long req = pick_size(m), limit = pick_limit(m), lo = ~0UL;
	bool flush = rnd_below(m, 2);
	unsigned long size = req < DMP_IOVA_CACHE_MAX_PFNS ? roundup_pow2(req) : req;
	unsigned long align = roundup_pow2(size);
	unsigned long nth = arm(m);

	if (nth)
		take_snap(m, &before);
	int err = dmp_alloc_iova_fast(&m->iovad, req, limit, flush, &lo);
	bool fired = disarm(m, nth);
	if (fired && err) {
		assert_int_equal(err, -ENOMEM);
		m->injected_failures++;
		check_domain(m);
		/* Without a flush nothing moved; with one, the caches were returned
		 * to the tree (the model's PARKED stays a conservative view). */
		assert_same_snap(m, &before, flush);
		return;
	}
	if (err) {
		assert_int_equal(err, -ENOMEM);
		if (model_fits(m, size, limit, align, flush))
			fail_msg("alloc_fast(size %lu, limit %#lx, flush %d) failed with space free",
				 req, limit, flush);
		if (flush)
			model_unpark_all(m);
		return;
	}
	model_take(m, lo, size, req, limit, align, true);
}

static void op_free(struct model *m)
{
	if (!m->nr)
		return;
	int id = (int)rnd_below(m, (unsigned long)m->nr);
	struct alloc *a = &m->allocs[id];
	/* Linux frees the range that holds the pfn: any pfn of it will do */
	unsigned long pfn = a->lo + rnd_below(m, a->size);
	assert_int_equal(dmp_free_iova(&m->iovad, pfn), 0);
	model_drop(m, id, FREE);
}

static void op_free_fast(struct model *m)
{
	int fast[MAX_ALLOCS], n = 0;
	for (int i = 0; i < m->nr; i++)
		if (m->allocs[i].fast)
			fast[n++] = i;
	if (!n)
		return;
	int id = fast[rnd_below(m, (unsigned long)n)];
	struct alloc *a = &m->allocs[id];
	unsigned long nth = arm(m);
	assert_int_equal(dmp_free_iova_fast(&m->iovad, a->lo, a->req), 0);
	disarm(m, nth);
	/* cached sizes may now sit in a magazine; larger ones went to the tree */
	model_drop(m, id, a->size <= DMP_IOVA_CACHE_MAX_PFNS ? PARKED : FREE);
}

static void op_reserve(struct model *m)
{
	unsigned long lo = m->base + rnd_below(m, SPACE);
	unsigned long hi = lo + rnd_below(m, 16);
	if (hi > top_pfn(m))
		hi = top_pfn(m);
	bool busy = false;
	for (unsigned long p = lo; p <= hi; p++)
		busy |= m->state[p - m->base] == LIVE;
	unsigned long nth = arm(m);
	if (nth)
		take_snap(m, &before);
	int err = dmp_reserve_iova(&m->iovad, lo, hi);
	bool fired = disarm(m, nth);
	if (fired && err == -ENOMEM) {
		m->injected_failures++;
		assert_same_snap(m, &before, true);
		check_domain(m);
		err = dmp_reserve_iova(&m->iovad, lo, hi);
	}
	if (busy) {
		assert_int_equal(err, -EBUSY);
		return;
	}
	assert_int_equal(err, 0);
	for (unsigned long p = lo; p <= hi; p++)
		m->state[p - m->base] = RESERVED;
}

/* The reserved run the model expects around index @i: touching ones merge. */
static void reserved_run(const struct model *m, unsigned long i, unsigned long *lo,
			 unsigned long *hi)
{
	unsigned long a = i, b = i;
	while (a > 0 && m->state[a - 1] == RESERVED)
		a--;
	while (b + 1 < SPACE && m->state[b + 1] == RESERVED)
		b++;
	*lo = m->base + a;
	/* the window's top touches the reservation of everything above it */
	*hi = b + 1 == SPACE ? m->iovad.max_pfn : m->base + b;
}

static void op_find(struct model *m)
{
	unsigned long i = rnd_below(m, SPACE), pfn = m->base + i;
	struct dmp_iova_range r;
	int err = dmp_find_iova(&m->iovad, pfn, &r);
	switch (m->state[i]) {
	case FREE:
		assert_int_equal(err, -ENOENT);
		/* and a free of it is reported and ignored */
		if (rnd_below(m, 32) == 0)
			assert_int_equal(dmp_free_iova(&m->iovad, pfn), -ENOENT);
		break;
	case LIVE: {
		struct alloc *a = &m->allocs[m->owner[i]];
		assert_int_equal(err, 0);
		assert_int_equal(r.pfn_lo, a->lo);
		assert_int_equal(r.pfn_hi, a->lo + a->size - 1);
		assert_false(r.reserved);
		break;
	}
	case RESERVED: {
		unsigned long lo, hi;
		reserved_run(m, i, &lo, &hi);
		assert_int_equal(err, 0);
		assert_true(r.reserved);
		assert_int_equal(r.pfn_lo, lo);
		assert_int_equal(r.pfn_hi, hi);
		if (rnd_below(m, 32) == 0)
			assert_int_equal(dmp_free_iova(&m->iovad, pfn), -EINVAL);
		break;
	}
	case PARKED:
		/* in a cache (found, allocated) or already back in the tree */
		if (!err) {
			assert_false(r.reserved);
			assert_true(r.pfn_lo <= pfn && pfn <= r.pfn_hi);
		} else {
			assert_int_equal(err, -ENOENT);
		}
		break;
	}
}

static void op_flush(struct model *m)
{
	struct dmp_iova_stats st;
	dmp_iova_flush_rcaches(&m->iovad);
	model_unpark_all(m);
	dmp_iova_domain_stats(&m->iovad, &st);
	unsigned long live = 0;
	for (int i = 0; i < m->nr; i++)
		live += m->allocs[i].size;
	assert_int_equal(st.cached, 0);
	assert_int_equal(st.pfns, live);
}

static void model_init(struct model *m, unsigned int shift, unsigned long base,
		       unsigned long start_off, uint64_t seed)
{
	memset(m, 0, sizeof(*m));
	m->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	m->base = base;
	m->start_pfn = base + start_off;
	assert_int_equal(dmp_iova_domain_init(&m->iovad, 1UL << shift, m->start_pfn), 0);
	/* everything above the window is out of reach */
	assert_int_equal(dmp_reserve_iova(&m->iovad, top_pfn(m) + 1, m->iovad.max_pfn), 0);
	check_domain(m);
}

static void run_random(struct model *m, unsigned long steps)
{
	for (unsigned long s = 0; s < steps; s++) {
		unsigned long r = rnd_below(m, 100);
		if (r < 30)
			op_alloc(m);
		else if (r < 55)
			op_alloc_fast(m);
		else if (r < 67)
			op_free(m);
		else if (r < 88)
			op_free_fast(m);
		else if (r < 90)
			op_reserve(m);
		else if (r < 99)
			op_find(m);
		else
			op_flush(m);
		check_domain(m);
	}
	/* drain: free everything, the tree holds only reservations */
	while (m->nr)
		op_free(m);
	op_flush(m);
	check_domain(m);
	struct dmp_iova_stats st;
	dmp_iova_domain_stats(&m->iovad, &st);
	assert_int_equal(st.pfns, 0);
	assert_int_equal(st.ranges, st.reserved);
	dmp_iova_domain_destroy(&m->iovad);
}

static struct model M;

/* Windows: across the 4 GiB boundary (both cached positions in play) at 4K
 * and 64K granules, and at the bottom of the space with start_pfn 0 and 1. */
struct window {
	unsigned int shift;
	unsigned long base, start_off;
};

static const struct window windows[] = {
	{ 12, (1UL << 20) - SPACE / 2, 7 },
	{ 16, (1UL << 16) - SPACE / 2, 0 },
	{ 12, 0, 0 },
	{ 14, 0, 1 },
};

static void test_random_fixed(void **state)
{
	static const unsigned long sizes[] = { 1, 4, 16, 3 };
	for (unsigned int w = 0; w < DMP_ARRAY_SIZE(windows); w++) {
		for (unsigned int k = 0; k < DMP_ARRAY_SIZE(sizes); k++) {
			model_init(&M, windows[w].shift, windows[w].base, windows[w].start_off,
				   100 * w + k);
			M.fixed = sizes[k];
			run_random(&M, 2000);
		}
	}
}

static void test_random_mixed(void **state)
{
	for (unsigned int w = 0; w < DMP_ARRAY_SIZE(windows); w++) {
		for (uint64_t seed = 1; seed <= 4; seed++) {
			model_init(&M, windows[w].shift, windows[w].base, windows[w].start_off,
				   1000 * w + seed);
			M.mixed = true;
			run_random(&M, 4000);
		}
	}
}

/* The same sequences with the Nth metadata allocation failing, often. */
static void test_random_failure_injection(void **state)
{
	unsigned long injected = 0, failures = 0;
	for (unsigned int w = 0; w < DMP_ARRAY_SIZE(windows); w++) {
		model_init(&M, windows[w].shift, windows[w].base, windows[w].start_off, 77 + w);
		M.mixed = true;
		M.inject = true;
		run_random(&M, 3000);
		injected += M.injected;
		failures += M.injected_failures;
	}
	/* the injection really hit allocations and made calls fail */
	assert_true(injected > 100);
	assert_true(failures > 100);
}

/* --- targeted cases ------------------------------------------------------- */

static void test_init_args(void **state)
{
	struct dmp_iova_domain d;
	assert_int_equal(dmp_iova_domain_init(&d, 0, 1), -EINVAL);
	assert_int_equal(dmp_iova_domain_init(&d, 2048, 1), -EINVAL);
	assert_int_equal(dmp_iova_domain_init(&d, 3 * 4096, 1), -EINVAL);
	assert_int_equal(dmp_iova_domain_init(&d, 4096, ~0UL), -EINVAL);
	/* the cache slots are metadata: their allocation can fail cleanly */
	dmp_fail_nth(DMP_FAIL_HEAP, 1);
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 1), -ENOMEM);
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 1), 0);
	assert_int_equal(dmp_iova_shift(&d), 12);
	assert_int_equal(d.dma_32bit_pfn, 1UL << 20);
	assert_int_equal(dmp_iova_limit_pfn(&d, DMP_BIT_MASK(32)), (1UL << 20) - 1);
	assert_int_equal(dmp_iova_limit_pfn(&d, 0x17fff), 0x17);
	assert_int_equal(dmp_iova_limit_pfn(&d, 0x17ffe), 0x16); /* a partial granule is unusable */
	assert_int_equal(dmp_iova_pfn(&d, 0x12345678), 0x12345);
	unsigned long pfn;
	assert_int_equal(dmp_alloc_iova(&d, 0, 100, false, &pfn), -EINVAL);
	assert_int_equal(dmp_alloc_iova_fast(&d, 0, 100, false, &pfn), -EINVAL);
	assert_int_equal(dmp_reserve_iova(&d, 10, 9), -EINVAL);
	assert_int_equal(dmp_reserve_iova(&d, 10, d.max_pfn + 1), -EINVAL);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	dmp_iova_domain_destroy(&d);
}

static void test_topdown_and_alignment(void **state)
{
	struct dmp_iova_domain d;
	unsigned long a, b, c, e;
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 1), 0);
	/* top-down from the limit, each below the previous */
	assert_int_equal(dmp_alloc_iova(&d, 1, 1000, false, &a), 0);
	assert_int_equal(a, 1000);
	assert_int_equal(dmp_alloc_iova(&d, 3, 1000, false, &b), 0);
	assert_int_equal(b, 997);
	/* size-aligned: 3 pfns aligned to 4 */
	assert_int_equal(dmp_alloc_iova(&d, 3, 1000, true, &c), 0);
	assert_int_equal(c, 992);
	/* a free at or above the cached position makes its hole seen again */
	assert_int_equal(dmp_free_iova(&d, 998), 0);
	assert_int_equal(dmp_alloc_iova(&d, 2, 1000, false, &e), 0);
	assert_int_equal(e, 998);
	/* Linux's semantics: a 32-bit limit continues down from the cached
	 * node below 4 GiB, not from the limit */
	assert_int_equal(dmp_alloc_iova(&d, 16, DMP_BIT_MASK(32) >> 12, true, &a), 0);
	assert_int_equal(a, 976);
	/* above 4 GiB the other cached node starts at the limit */
	assert_int_equal(dmp_alloc_iova(&d, 1, DMP_BIT_MASK(40) >> 12, false, &b), 0);
	assert_int_equal(b, (1UL << 28) - 1);
	/* and a higher limit then continues below it */
	assert_int_equal(dmp_alloc_iova(&d, 1, ~0UL, false, &c), 0);
	assert_int_equal(c, (1UL << 28) - 2);
	/* a range larger than what is below the limit */
	assert_int_equal(dmp_alloc_iova(&d, 10, 5, false, &c), -ENOMEM);
	/* double free: reported and ignored */
	assert_int_equal(dmp_free_iova(&d, 998), 0);
	assert_int_equal(dmp_free_iova(&d, 998), -ENOENT);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	dmp_iova_domain_destroy(&d);
}

/* The first pass starts below the cached node; the retry finds a hole above. */
static void test_retry_above_cached(void **state)
{
	struct dmp_iova_domain d;
	unsigned long p[8], x;
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 100), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(dmp_alloc_iova(&d, 1, 107, false, &p[i]), 0);
	assert_int_equal(p[7], 100); /* the space is full */
	/* free 106: the cached node moves up to 107; free 101: below it */
	assert_int_equal(dmp_free_iova(&d, 106), 0);
	assert_int_equal(dmp_free_iova(&d, 101), 0);
	/* a lower limit finds 101 and leaves the cached node there */
	assert_int_equal(dmp_alloc_iova(&d, 1, 103, false, &x), 0);
	assert_int_equal(x, 101);
	/* nothing below the cached node now: the retry must find 106 */
	assert_int_equal(dmp_alloc_iova(&d, 1, 107, false, &x), 0);
	assert_int_equal(x, 106);
	assert_int_equal(dmp_alloc_iova(&d, 1, 107, false, &x), -ENOMEM);
	/* the failure is remembered, and forgotten on the next free */
	assert_int_equal(dmp_free_iova(&d, 104), 0);
	assert_int_equal(dmp_alloc_iova(&d, 1, 107, false, &x), 0);
	assert_int_equal(x, 104);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	dmp_iova_domain_destroy(&d);
}

static void test_reserve(void **state)
{
	struct dmp_iova_domain d;
	struct dmp_iova_range r;
	unsigned long x;
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 0), 0);
	assert_int_equal(dmp_reserve_iova(&d, 10, 20), 0);
	assert_int_equal(dmp_reserve_iova(&d, 15, 30), 0); /* overlap: merge */
	assert_int_equal(dmp_find_iova(&d, 12, &r), 0);
	assert_int_equal(r.pfn_lo, 10);
	assert_int_equal(r.pfn_hi, 30);
	assert_true(r.reserved);
	assert_int_equal(dmp_reserve_iova(&d, 31, 40), 0); /* adjacent: merge */
	assert_int_equal(dmp_reserve_iova(&d, 5, 9), 0);
	assert_int_equal(dmp_reserve_iova(&d, 12, 13), 0); /* inside: nothing new */
	assert_int_equal(dmp_find_iova(&d, 40, &r), 0);
	assert_int_equal(r.pfn_lo, 5);
	assert_int_equal(r.pfn_hi, 40);
	struct dmp_iova_stats st;
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.ranges, 1);
	assert_int_equal(st.reserved, 1);
	/* reserved pfns are never handed out, never freed */
	assert_int_equal(dmp_alloc_iova(&d, 1, 45, false, &x), 0);
	assert_int_equal(x, 45);
	assert_int_equal(dmp_alloc_iova(&d, 4, 45, false, &x), 0);
	assert_int_equal(x, 41);
	assert_int_equal(dmp_alloc_iova(&d, 5, 45, false, &x), 0);
	assert_int_equal(x, 0);
	assert_int_equal(dmp_alloc_iova(&d, 1, 45, false, &x), -ENOMEM);
	assert_int_equal(dmp_free_iova(&d, 20), -EINVAL);
	/* a reservation over a live allocation is refused and changes nothing */
	assert_int_equal(dmp_reserve_iova(&d, 44, 50), -EBUSY);
	assert_int_equal(dmp_find_iova(&d, 47, &r), -ENOENT);
	/* a cached range is free to the caller: reserving over it works */
	assert_int_equal(dmp_alloc_iova_fast(&d, 4, 199, false, &x), 0);
	assert_int_equal(x, 196);
	assert_int_equal(dmp_free_iova_fast(&d, x, 4), 0);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, 1);
	assert_int_equal(dmp_reserve_iova(&d, 197, 197), 0);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, 0);
	assert_int_equal(dmp_find_iova(&d, 196, &r), -ENOENT);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	dmp_iova_domain_destroy(&d);
}

static void test_fast_classes_and_depot(void **state)
{
	struct dmp_iova_domain d;
	struct dmp_iova_stats st, st0;
	static unsigned long pfns[1000];
	unsigned long x;
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 1), 0);
	/* rounded to a power of two and aligned to it */
	assert_int_equal(dmp_alloc_iova_fast(&d, 3, 1000, false, &x), 0);
	assert_int_equal(x % 4, 0);
	struct dmp_iova_range r;
	assert_int_equal(dmp_find_iova(&d, x, &r), 0);
	assert_int_equal(r.pfn_hi - r.pfn_lo + 1, 4);
	assert_int_equal(dmp_free_iova_fast(&d, x, 3), 0);
	unsigned long y;
	assert_int_equal(dmp_alloc_iova_fast(&d, 4, 1000, false, &y), 0);
	assert_int_equal(y, x); /* a cache hit */
	/* a cached range above the limit is not taken */
	assert_int_equal(dmp_free_iova_fast(&d, y, 4), 0);
	assert_int_equal(dmp_alloc_iova_fast(&d, 4, y + 2, false, &x), 0);
	assert_true(x + 3 <= y + 2);
	assert_int_equal(dmp_free_iova_fast(&d, x, 4), 0);
	/* sizes beyond the classes go to the tree */
	assert_int_equal(dmp_alloc_iova_fast(&d, 33, 100000, false, &x), 0);
	assert_int_equal(x % 64, 0);
	dmp_iova_domain_stats(&d, &st0);
	assert_int_equal(dmp_free_iova_fast(&d, x, 33), 0);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, st0.cached);
	assert_int_equal(st.pfns, st0.pfns - 33);
	dmp_iova_flush_rcaches(&d);
	dmp_iova_domain_destroy(&d);

	/* the rounded size must fit below the limit, not just the asked one */
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 0), 0);
	assert_int_equal(dmp_alloc_iova_fast(&d, 3, 2, true, &x), -ENOMEM);
	assert_int_equal(dmp_alloc_iova_fast(&d, 3, 3, true, &x), 0);
	assert_int_equal(x, 0);
	assert_int_equal(dmp_find_iova(&d, 3, &r), 0);
	assert_int_equal(r.pfn_hi, 3);
	assert_int_equal(dmp_free_iova_fast(&d, x, 3), 0);
	dmp_iova_flush_rcaches(&d);

	/* more than two magazines: the third goes to the depot; all come back */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(dmp_alloc_iova_fast(&d, 1, 100000, false, &pfns[i]), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(dmp_free_iova_fast(&d, pfns[i], 1), 0);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, 1000);
	assert_true(st.magazines >= 8);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(dmp_alloc_iova_fast(&d, 1, 100000, false, &pfns[i]), 0);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, 0);
	assert_int_equal(st.ranges, 1000); /* every one a hit: no new node */
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	dmp_iova_domain_destroy(&d);
}

/*
 * Two magazines per CPU and a depot of 32 full ones: one more magazine's
 * worth sends the oldest loaded magazine back to the tree (126 ranges).
 */
static void test_depot_full(void **state)
{
	enum { MAG = 126, N = MAG * 35 };
	static unsigned long pfns[N];
	struct dmp_iova_domain d;
	struct dmp_iova_stats st;
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 1), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(dmp_alloc_iova_fast(&d, 1, 1UL << 20, false, &pfns[i]), 0);
	for (int i = 0; i < MAG * 34; i++)
		assert_int_equal(dmp_free_iova_fast(&d, pfns[i], 1), 0);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, MAG * 34);
	assert_int_equal(st.magazines, 34);
	assert_int_equal(st.ranges, N);
	assert_int_equal(dmp_free_iova_fast(&d, pfns[MAG * 34], 1), 0);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, MAG * 33 + 1);
	assert_int_equal(st.magazines, 34);
	assert_int_equal(st.ranges, N - MAG);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	for (int i = MAG * 34 + 1; i < N; i++)
		assert_int_equal(dmp_free_iova_fast(&d, pfns[i], 1), 0);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, MAG * 34);
	assert_int_equal(st.ranges, N - MAG);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	dmp_iova_flush_rcaches(&d);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, 0);
	assert_int_equal(st.ranges, 0);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	dmp_iova_domain_destroy(&d);
}

/*
 * SQLite's way: run one scenario again and again, failing the 1st, 2nd, ...
 * metadata allocation, until a run no longer reaches the failure.  Every
 * call either succeeds or fails with -ENOMEM leaving a consistent domain,
 * and its retry succeeds (the injection fires once).
 */
static int scenario_step(struct dmp_iova_domain *d, int step, unsigned long *live, int *nr,
			 unsigned long *failures)
{
	unsigned long pfn;
	int err;
	for (int attempt = 0; attempt < 2; attempt++) {
		switch (step % 5) {
		case 0:
			err = dmp_alloc_iova(d, 1 + step % 7, 1UL << 20, step % 2, &pfn);
			break;
		case 1:
		case 2:
			err = dmp_alloc_iova_fast(d, 1 + step % 9, 1UL << 20, false, &pfn);
			break;
		case 3:
			err = dmp_reserve_iova(d, 3000 + 10 * (unsigned long)step,
					       3004 + 10 * (unsigned long)step);
			pfn = ~0UL;
			break;
		default:
			/* free a fast one: may need a magazine */
			err = 0;
			pfn = ~0UL;
			if (*nr) {
				unsigned long p = live[--*nr];
				struct dmp_iova_range r;
				assert_int_equal(dmp_find_iova(d, p, &r), 0);
				assert_int_equal(dmp_free_iova_fast(d, p, r.pfn_hi - r.pfn_lo + 1), 0);
			}
			break;
		}
		assert_int_equal(dmp_iova_domain_check(d), 0);
		if (!err) {
			if (pfn != ~0UL && step % 5 != 0)
				live[(*nr)++] = pfn;
			return 0;
		}
		assert_int_equal(err, -ENOMEM);
		(*failures)++;
	}
	fail_msg("step %d failed twice", step);
	return -1;
}

static void test_fail_every_nth(void **state)
{
	unsigned long failures = 0;
	for (unsigned long nth = 1;; nth++) {
		struct dmp_iova_domain d;
		static unsigned long live[200];
		int nr = 0;
		dmp_fail_nth(DMP_FAIL_HEAP, nth);
		if (dmp_iova_domain_init(&d, 4096, 1) != 0) {
			failures++;
			assert_int_equal(dmp_iova_domain_init(&d, 4096, 1), 0);
		}
		for (int step = 0; step < 300; step++)
			scenario_step(&d, step, live, &nr, &failures);
		bool reached = dmp_fail_calls(DMP_FAIL_HEAP) >= nth;
		dmp_fail_nth(DMP_FAIL_HEAP, 0);
		dmp_iova_flush_rcaches(&d);
		assert_int_equal(dmp_iova_domain_check(&d), 0);
		dmp_iova_domain_destroy(&d);
		if (!reached)
			break;
	}
	/* every metadata allocation of the scenario was failed once */
	assert_true(failures > 150);
}

/* A wrong free_fast is caught by the walker and reported at flush time. */
static void test_bad_free_fast(void **state)
{
	struct dmp_iova_domain d;
	unsigned long x;
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 1), 0);
	assert_int_equal(dmp_alloc_iova_fast(&d, 2, 1000, false, &x), 0);
	assert_int_equal(dmp_free_iova_fast(&d, 500, 2), 0); /* never allocated */
	assert_int_equal(dmp_iova_domain_check(&d), -EINVAL);
	dmp_iova_flush_rcaches(&d); /* reports and drops it */
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	assert_int_equal(dmp_free_iova_fast(&d, x, 2), 0);
	assert_int_equal(dmp_free_iova_fast(&d, x, 2), 0); /* double free */
	assert_int_equal(dmp_iova_domain_check(&d), -EINVAL);
	dmp_iova_domain_destroy(&d);
}

/* Magazine allocation failing: the free goes to the tree instead. */
static void test_magazine_alloc_failure(void **state)
{
	struct dmp_iova_domain d;
	struct dmp_iova_stats st;
	unsigned long x;
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 1), 0);
	assert_int_equal(dmp_alloc_iova_fast(&d, 8, 1000, false, &x), 0);
	dmp_fail_nth(DMP_FAIL_HEAP, 1);
	assert_int_equal(dmp_free_iova_fast(&d, x, 8), 0);
	dmp_fail_nth(DMP_FAIL_HEAP, 0);
	dmp_iova_domain_stats(&d, &st);
	assert_int_equal(st.cached, 0);
	assert_int_equal(st.ranges, 0);
	assert_int_equal(st.magazines, 0);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	dmp_iova_domain_destroy(&d);
}

/*
 * A tree of thousands of ranges (leaves split and merge, inner nodes split,
 * the root grows to three levels and shrinks back to one leaf), in a space
 * beyond the model's window: every allocation against Linux's walk over a
 * sorted array of the live ranges, kept by the test, and the walker every
 * few steps.
 */
#define BIG 6000
static struct ref_range big[BIG + 2];
static int big_n;

static void big_insert(unsigned long lo, unsigned long hi)
{
	int i = big_n;
	while (i > 0 && big[i - 1].lo > lo) {
		big[i] = big[i - 1];
		i--;
	}
	big[i] = (struct ref_range){ lo, hi };
	big_n++;
}

static void big_remove(int i)
{
	memmove(&big[i], &big[i + 1], sizeof(big[0]) * (size_t)(big_n - i - 1));
	big_n--;
}

static void test_many_ranges(void **state)
{
	(void)state;
	struct dmp_iova_domain d;
	uint64_t rng = 12345;
	unsigned long max_height = 0;
	assert_int_equal(dmp_iova_domain_init(&d, 4096, 1), 0);
	big_n = 0;
	big[big_n++] = (struct ref_range){ ~0UL, ~0UL }; /* the anchor */
	for (long step = 0; step < 4 * BIG; step++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		unsigned long r = rng >> 33;
		/* grow to BIG ranges, then drain */
		bool grow = step < 2 * BIG ? r % 10 < 7 : r % 10 < 2;
		if (big_n == 1 || (grow && big_n < BIG + 1)) {
			unsigned long size = 1 + (r >> 4) % 64, want = 0, got = 0;
			bool aligned = (r >> 12) % 4 != 0;
			/* below 4 GiB, below 2^28 pfns or a lower random limit */
			unsigned long limit = (r >> 14) % 3 == 0 ? (1UL << 20) - 1
					      : (r >> 14) % 3 == 1 ? (1UL << 28) - 1
								 : (1UL << 18) + (r >> 16) % (1UL << 10);
			bool ok = linux_walk(big, big_n, &d, size, limit, aligned, &want);
			int err = dmp_alloc_iova(&d, size, limit, aligned, &got);
			assert_int_equal(err == 0, ok);
			if (ok) {
				assert_int_equal(got, want);
				big_insert(got, got + size - 1);
			}
		} else {
			int i = (int)((r >> 4) % (unsigned long)(big_n - 1));
			unsigned long pfn = big[i].lo + (r >> 20) % (big[i].hi - big[i].lo + 1);
			assert_int_equal(dmp_free_iova(&d, pfn), 0);
			big_remove(i);
		}
		max_height = d.height > max_height ? d.height : max_height;
		if (step % 61 == 0)
			assert_int_equal(dmp_iova_domain_check(&d), 0);
	}
	while (big_n > 1) {
		assert_int_equal(dmp_free_iova(&d, big[0].lo), 0);
		big_remove(0);
	}
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	assert_true(max_height >= 3); /* the inner levels were exercised */
	assert_int_equal(d.height, 0); /* and collapsed again */
	dmp_iova_domain_destroy(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_args),
		cmocka_unit_test(test_topdown_and_alignment),
		cmocka_unit_test(test_retry_above_cached),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_fast_classes_and_depot),
		cmocka_unit_test(test_depot_full),
		cmocka_unit_test(test_fail_every_nth),
		cmocka_unit_test(test_bad_free_fast),
		cmocka_unit_test(test_magazine_alloc_failure),
		cmocka_unit_test(test_many_ranges),
		cmocka_unit_test(test_random_fixed),
		cmocka_unit_test(test_random_mixed),
		cmocka_unit_test(test_random_failure_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
