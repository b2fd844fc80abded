/* SPDX-License-Identifier: MIT */
/*
 * test-iova-model.c - the IOVA tree against a brute-force model on hostile
 * random sequences: a whole 64-bit space (not a small window), thousands of
 * live ranges (three or more levels of inner nodes), sizes from 1 pfn to
 * 2^22 pfns, size-aligned requests with alignments up to 2^22 pfns (far
 * beyond the 2^8 the tree's bounds encode), limits that change on every call
 * (at range edges, at 4 GiB, at the top of the space, near pfn 0),
 * reservations that touch and merge, frees by a pfn inside a range, wild
 * frees, and the Nth metadata allocation failing.
 *
 * The model is a sorted array of ranges.  Every allocation is checked
 * against Linux's own top-down walk over that array
 * (drivers/iommu/iova.c: __alloc_and_insert_iova_range, from the cached
 * node, then once more from the limit down to above it), with the cached
 * positions kept by the model as Linux keeps them
 * (__cached_rbnode_insert_update / __cached_rbnode_delete_update), and every
 * failure against an exhaustive scan of the gaps: a "no space" where a fit
 * exists is a failure of the test.
 *
 * DMP_IOVA_MODEL_STEPS=n runs n steps per configuration (default: a few
 * seconds' worth in `make check`).
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

#define MAX_RANGES 20000
#define ANCHOR (~0UL)

struct mrange {
	unsigned long lo, hi;
	bool reserved;
};

struct model {
	struct dmp_iova_domain d;
	struct mrange r[MAX_RANGES]; /* in pfn order, the anchor not included */
	int n;
	unsigned long cached_lo, cached32_lo;
	unsigned long start_pfn, max_pfn, dma32;
	uint64_t rng;
	unsigned long target; /* live ranges the sequence drifts toward */
	bool inject;
	unsigned long allocs, fails, injected, merges;
	int max_n;
	unsigned int max_height;
};

static struct model M;
static const char *last_op = "";
static unsigned long last_step;

static uint64_t rnd(struct model *m)
{
	/* xorshift64* */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545F4914F6CDD1DULL;
}

static unsigned long rnd_below(struct model *m, unsigned long n)
{
	return n ? (unsigned long)(rnd(m) % n) : 0;
}

static unsigned long roundup_pow2(unsigned long x)
{
	unsigned long p = 1;
	while (p < x)
		p <<= 1;
	return p;
}

/* Range @i's lo, the anchor at @i == n. */
static unsigned long r_lo(const struct model *m, int i)
{
	return i < m->n ? m->r[i].lo : ANCHOR;
}

static unsigned long r_hi(const struct model *m, int i)
{
	return i < m->n ? m->r[i].hi : ANCHOR;
}

/* The first range with hi >= @pfn (n: the anchor). */
static int first_reaching(const struct model *m, unsigned long pfn)
{
	int a = 0, b = m->n;
	while (a < b) {
		int mid = (a + b) / 2;
		if (m->r[mid].hi >= pfn)
			b = mid;
		else
			a = mid + 1;
	}
	return a;
}

/* The range holding @pfn, or -1 (the anchor is n). */
static int holding(const struct model *m, unsigned long pfn)
{
	int i = first_reaching(m, pfn);
	return r_lo(m, i) <= pfn ? i : -1;
}

static int index_of(const struct model *m, unsigned long lo)
{
	int i = first_reaching(m, lo);
	assert_true(r_lo(m, i) == lo);
	return i;
}

/* Linux's walk: __alloc_and_insert_iova_range over the model's ranges. */
static bool linux_walk(const struct model *m, unsigned long size, unsigned long end,
		       unsigned long mask, unsigned long *out)
{
	unsigned long high = end, low = m->start_pfn, new_pfn;
	int i = index_of(m, end <= m->dma32 ? m->cached32_lo : m->cached_lo);

	/* a cached node above the limit: Linux steps down to the range
	 * reaching the limit, with high clamped to the limit meanwhile */
	if (r_lo(m, i) >= end)
		i = first_reaching(m, end);
	bool retry = i != m->n && r_hi(m, i) + 1 < end;
	unsigned long retry_low = r_hi(m, i) + 1 > low ? r_hi(m, i) + 1 : low;
	for (;;) {
		do {
			high = high < r_lo(m, i) ? high : r_lo(m, i);
			new_pfn = (high - size) & mask;
			i--;
		} while (i >= 0 && new_pfn <= m->r[i].hi && new_pfn >= low);
		if (high >= size && new_pfn >= low) {
			*out = new_pfn;
			return true;
		}
		if (!retry)
			return false;
		retry = false;
		high = end;
		low = retry_low;
		i = first_reaching(m, end);
	}
}

/* Is there any fit at all in [start_pfn, end)?  Every gap, one by one. */
static bool any_fit(const struct model *m, unsigned long size, unsigned long end,
		    unsigned long mask)
{
	unsigned long floor = m->start_pfn;
	for (int i = 0; i <= m->n; i++) {
		unsigned long top = r_lo(m, i) < end ? r_lo(m, i) : end;
		if (top >= size) {
			unsigned long p = (top - size) & mask;
			if (p >= floor && p + size <= top)
				return true;
		}
		if (i == m->n || r_hi(m, i) + 1 >= end)
			break;
		floor = r_hi(m, i) + 1 > floor ? r_hi(m, i) + 1 : floor;
	}
	return false;
}

static void model_insert(struct model *m, int at, unsigned long lo, unsigned long hi, bool res)
{
	assert_true(m->n < MAX_RANGES);
	memmove(&m->r[at + 1], &m->r[at], (size_t)(m->n - at) * sizeof(m->r[0]));
	m->r[at] = (struct mrange){ lo, hi, res };
	m->n++;
}

/* Linux's __cached_rbnode_delete_update, then the range goes. */
static void model_remove(struct model *m, int i)
{
	unsigned long lo = m->r[i].lo, hi = m->r[i].hi, next = r_lo(m, i + 1);
	if (lo == m->cached32_lo || (hi < m->dma32 && lo >= m->cached32_lo))
		m->cached32_lo = next;
	if (lo >= m->cached_lo)
		m->cached_lo = next;
	memmove(&m->r[i], &m->r[i + 1], (size_t)(m->n - i - 1) * sizeof(m->r[0]));
	m->n--;
}

static int live_count(const struct model *m)
{
	int c = 0;
	for (int i = 0; i < m->n; i++)
		c += !m->r[i].reserved;
	return c;
}

static unsigned long arm(struct model *m)
{
	if (!m->inject || rnd_below(m, 8))
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
	m->injected += fired;
	return fired;
}

static unsigned long pick_size(struct model *m)
{
	unsigned int k;
	switch (rnd_below(m, 16)) {
	case 0:
	case 1:
		k = (unsigned int)rnd_below(m, 23);
		return 1UL << k; /* powers of two up to 2^22 */
	case 2:
		k = 1 + (unsigned int)rnd_below(m, 21);
		return (1UL << k) + 1; /* just past a power: the alignment doubles */
	case 3:
		k = 1 + (unsigned int)rnd_below(m, 21);
		return (1UL << k) - 1;
	case 4:
		return 1 + rnd_below(m, 1UL << (1 + rnd_below(m, 22)));
	case 5:
	case 6:
		return 1 + rnd_below(m, 300);
	default:
		return 1 + rnd_below(m, 1 + rnd_below(m, 17));
	}
}

/* A pfn near the ranges: at an edge of one, or just beside it. */
static unsigned long near_range(struct model *m)
{
	if (!m->n)
		return m->start_pfn + rnd_below(m, 1UL << 20);
	const struct mrange *r = &m->r[rnd_below(m, (unsigned long)m->n)];
	long off = (long)rnd_below(m, 5) - 2;
	unsigned long base = rnd_below(m, 2) ? r->lo : r->hi;
	if (off < 0 && base < (unsigned long)-off)
		return 0;
	return base + (unsigned long)off;
}

static unsigned long pick_limit(struct model *m)
{
	switch (rnd_below(m, 12)) {
	case 0:
		return ANCHOR; /* clamped to the top of the space */
	case 1:
		return m->max_pfn;
	case 2:
		return m->dma32 - 1;
	case 3:
		return m->dma32 - 1 + rnd_below(m, 3);
	case 4:
		return m->start_pfn + rnd_below(m, 1UL << 24); /* near pfn 0 */
	case 5:
		return rnd_below(m, m->max_pfn) ; /* anywhere */
	case 6:
		return m->max_pfn - rnd_below(m, 1UL << 24);
	default:
		return near_range(m);
	}
}

static void check_cached(const struct model *m)
{
	assert_int_equal(m->d.cached_lo, m->cached_lo);
	assert_int_equal(m->d.cached32_lo, m->cached32_lo);
}

static void op_alloc(struct model *m)
{
	unsigned long size = pick_size(m), limit = pick_limit(m), pfn = ~0UL, want = 0;
	bool aligned = rnd_below(m, 2);
	unsigned long lim = limit < m->max_pfn ? limit : m->max_pfn, end = lim + 1;
	unsigned long mask = aligned ? ~(roundup_pow2(size) - 1) : ~0UL;
	bool found = size <= end && linux_walk(m, size, end, mask, &want);
	bool exists = size <= end && any_fit(m, size, end, mask);

	/* Linux's walk is complete: it fails only where no gap fits */
	assert_int_equal(found, exists);
	unsigned long nth = arm(m);
	int err = dmp_alloc_iova(&m->d, size, limit, aligned, &pfn);
	bool fired = disarm(m, nth);
	m->allocs++;
	if (err) {
		assert_int_equal(err, -ENOMEM);
		if (found && !fired) {
			fail_msg("no space for %lu pfns%s below %#lx, but Linux finds %#lx", size,
				 aligned ? " (aligned)" : "", lim, want);
		}
		m->fails += !found;
		check_cached(m);
		return;
	}
	if (!found)
		fail_msg("allocated %#lx (%lu pfns) where no fit exists", pfn, size);
	if (pfn != want)
		fail_msg("%lu pfns%s below %#lx: %#lx, Linux's walk %#lx", size,
			 aligned ? " (aligned)" : "", lim, pfn, want);
	model_insert(m, first_reaching(m, pfn), pfn, pfn + size - 1, false);
	if (pfn + size - 1 < m->dma32)
		m->cached32_lo = pfn;
	else
		m->cached_lo = pfn;
	check_cached(m);
}

static void op_free(struct model *m)
{
	unsigned long pfn;
	int i, err;

	switch (rnd_below(m, 8)) {
	case 0:
		pfn = near_range(m); /* maybe in a gap, maybe in a reservation */
		break;
	case 1:
		pfn = rnd_below(m, 2) ? rnd(m) : m->max_pfn - rnd_below(m, 4);
		break;
	default:
		if (!m->n)
			return;
		i = (int)rnd_below(m, (unsigned long)m->n);
		/* the start, the end, or anywhere inside: Linux's free_iova
		 * frees the range find_iova finds for the pfn */
		pfn = m->r[i].lo + rnd_below(m, 2) * rnd_below(m, m->r[i].hi - m->r[i].lo + 1);
		break;
	}
	i = holding(m, pfn);
	err = dmp_free_iova(&m->d, pfn);
	if (i < 0 || i == m->n) {
		assert_int_equal(err, -ENOENT);
	} else if (m->r[i].reserved) {
		assert_int_equal(err, -EINVAL);
	} else {
		assert_int_equal(err, 0);
		model_remove(m, i);
	}
	check_cached(m);
}

static void op_reserve(struct model *m)
{
	unsigned long lo, len = 1 + rnd_below(m, 1UL << rnd_below(m, 12)), hi;
	int err, i;

	switch (rnd_below(m, 5)) {
	case 0:
		lo = rnd_below(m, 1UL << 16); /* at the bottom, pfn 0 included */
		break;
	case 1:
		lo = m->max_pfn - rnd_below(m, 1UL << 12);
		break;
	default:
		lo = near_range(m);
		break;
	}
	hi = lo + len - 1;
	if (hi < lo || hi > m->max_pfn)
		hi = m->max_pfn - rnd_below(m, 2);
	if (lo > hi) {
		assert_int_equal(dmp_reserve_iova(&m->d, lo, hi), -EINVAL);
		return;
	}
	/* the model's answer: busy if an allocation overlaps; else the
	 * reservations overlapping or touching merge, the first kept */
	bool busy = false;
	for (i = first_reaching(m, lo); i < m->n && m->r[i].lo <= hi; i++)
		busy |= !m->r[i].reserved;
	unsigned long nth = arm(m);
	err = dmp_reserve_iova(&m->d, lo, hi);
	bool fired = disarm(m, nth);
	if (busy) {
		assert_int_equal(err, -EBUSY);
		check_cached(m);
		return;
	}
	if (err == -ENOMEM && fired) {
		check_cached(m);
		return;
	}
	assert_int_equal(err, 0);
	int keep = -1;
	unsigned long nlo = lo, nhi = hi;
	for (i = first_reaching(m, lo ? lo - 1 : 0); i < m->n && m->r[i].lo <= hi + 1;) {
		if (!m->r[i].reserved || m->r[i].hi + 1 < lo) {
			i++;
			continue;
		}
		if (keep < 0) {
			keep = i++;
			continue;
		}
		nlo = nlo < m->r[i].lo ? nlo : m->r[i].lo;
		nhi = nhi > m->r[i].hi ? nhi : m->r[i].hi;
		model_remove(m, i);
		m->merges++;
	}
	if (keep >= 0) {
		unsigned long old = m->r[keep].lo;
		nlo = nlo < old ? nlo : old;
		nhi = nhi > m->r[keep].hi ? nhi : m->r[keep].hi;
		m->r[keep].lo = nlo;
		m->r[keep].hi = nhi;
		if (m->cached_lo == old)
			m->cached_lo = nlo;
		if (m->cached32_lo == old)
			m->cached32_lo = nlo;
	} else {
		model_insert(m, first_reaching(m, lo), lo, hi, true);
	}
	check_cached(m);
}

static void op_find(struct model *m)
{
	unsigned long pfn = rnd_below(m, 3) ? near_range(m) : rnd(m);
	struct dmp_iova_range r;
	int i = holding(m, pfn), err = dmp_find_iova(&m->d, pfn, &r);
	if (i < 0 || i == m->n) {
		assert_int_equal(err, -ENOENT);
		return;
	}
	assert_int_equal(err, 0);
	assert_int_equal(r.pfn_lo, m->r[i].lo);
	assert_int_equal(r.pfn_hi, m->r[i].hi);
	assert_int_equal(r.reserved, m->r[i].reserved);
}

/* Every range found as the model has it, the counters agreeing. */
static bool no_check;

static void check_all(struct model *m)
{
	struct dmp_iova_stats st;
	struct dmp_iova_range r;
	unsigned long pfns = 0;
	int res = 0;

	if (!no_check && dmp_iova_domain_check(&m->d))
		fail_msg("domain inconsistent after step %lu (%s), %d ranges, height %u", last_step,
			 last_op, m->n, m->d.height);
	for (int i = 0; i < m->n; i++) {
		assert_int_equal(dmp_find_iova(&m->d, m->r[i].hi, &r), 0);
		assert_int_equal(r.pfn_lo, m->r[i].lo);
		assert_int_equal(r.pfn_hi, m->r[i].hi);
		res += m->r[i].reserved;
		if (!m->r[i].reserved)
			pfns += m->r[i].hi - m->r[i].lo + 1;
	}
	dmp_iova_domain_stats(&m->d, &st);
	assert_int_equal(st.ranges, (unsigned long)m->n);
	assert_int_equal(st.reserved, (unsigned long)res);
	assert_int_equal(st.pfns, pfns);
}

static void run(struct model *m, unsigned int shift, unsigned long start_pfn, uint64_t seed,
		unsigned long steps, unsigned long max_live, bool inject)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(dmp_iova_domain_init(&m->d, 1UL << shift, start_pfn), 0);
	m->start_pfn = start_pfn;
	m->max_pfn = m->d.max_pfn;
	m->dma32 = m->d.dma_32bit_pfn;
	m->cached_lo = m->cached32_lo = ANCHOR;
	const char *env = getenv("DMP_IOVA_MODEL_SEED"); /* other sequences, for long runs */
	seed += env && *env ? strtoull(env, NULL, 0) * 1000 : 0;
	m->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	m->inject = inject;
	const char *ce = getenv("DMP_IOVA_MODEL_CHECK_EVERY"); /* 1: find the step that breaks */
	unsigned long check_every = ce && *ce ? strtoul(ce, NULL, 0) : 256;
	no_check = !check_every; /* 0: the model's answers only */
	const char *cf = getenv("DMP_IOVA_MODEL_CHECK_FROM"); /* every step from there */
	unsigned long check_from = cf && *cf ? strtoul(cf, NULL, 0) : ~0UL;
	for (unsigned long s = 0; s < steps; s++) {
		/* the live count drifts between nothing and max_live, so that
		 * the tree grows tall, shrinks to a root leaf, and grows again */
		if (s % 16384 == 0)
			m->target = rnd_below(m, max_live + 1);
		unsigned long r = rnd_below(m, 100), live = (unsigned long)live_count(m);
		unsigned long p_alloc = live < m->target ? 70 : 35;
		if (r < p_alloc)
			op_alloc(m);
		else if (r < 90)
			op_free(m);
		else if (r < 95)
			op_reserve(m);
		else
			op_find(m);
		last_op = r < p_alloc ? "alloc" : r < 90 ? "free" : r < 95 ? "reserve" : "find";
		last_step = s;
		m->max_n = m->n > m->max_n ? m->n : m->max_n;
		m->max_height = m->d.height > m->max_height ? m->d.height : m->max_height;
		if (check_every && (s % check_every == 0 || m->n < 40 || s >= check_from))
			check_all(m);
	}
	check_all(m);
	/* drain: everything allocated goes; only reservations stay */
	while (live_count(m)) {
		for (int i = 0; i < m->n; i++)
			if (!m->r[i].reserved) {
				assert_int_equal(dmp_free_iova(&m->d, m->r[i].lo), 0);
				model_remove(m, i);
				break;
			}
	}
	check_all(m);
	print_message("seed %llu: %lu allocations (%lu without a fit), %lu injected failures, "
		      "%lu merged reservations, at most %d ranges and %u inner levels, %d left\n",
		      (unsigned long long)seed, m->allocs, m->fails, m->injected, m->merges, m->max_n, m->max_height, m->n);
	dmp_iova_domain_destroy(&m->d);
}

static unsigned long steps_env(unsigned long dflt)
{
	const char *s = getenv("DMP_IOVA_MODEL_STEPS");
	return s && *s ? strtoul(s, NULL, 0) : dflt;
}

static void test_model_4k(void **state)
{
	(void)state;
	run(&M, 12, 0, 1, steps_env(100000), 3000, false);
	run(&M, 12, 1, 2, steps_env(100000), 6000, false);
}

static void test_model_64k(void **state)
{
	(void)state;
	run(&M, 16, 5, 3, steps_env(60000), 400, false);
}

static void test_model_small_tree(void **state)
{
	(void)state;
	/* a few ranges: root leaf splits and collapses all the time */
	run(&M, 12, 0, 4, steps_env(60000), 40, false);
}

static void test_model_failure_injection(void **state)
{
	(void)state;
	run(&M, 12, 1, 5, steps_env(60000), 2000, true);
}

/*
 * Ranges put in one by one at the top of the space (reservations in rising
 * order, as an IOMMU's reserved regions are), each into the anchor's gap:
 * the gap each new range leaves below it must count in the bounds above its
 * leaf.  One gap in the middle is large; everything else is full, so only
 * that gap holds the request, and Linux's walk finds it.
 */
static void test_gap_left_below_the_top(void **state)
{
	struct dmp_iova_domain d;
	unsigned long pfn = 0, n = 4000, big = 1800, mid = 0;
	(void)state;

	for (unsigned long at = big - 600; at <= big + 600; at += 200) {
		assert_int_equal(dmp_iova_domain_init(&d, 4096, 0), 0);
		unsigned long lo = 0;
		for (unsigned long i = 0; i < n; i++) {
			lo += i == at ? 1000 : 10; /* the gap below range i */
			if (i == at)
				mid = lo - 1000;
			assert_int_equal(dmp_reserve_iova(&d, lo, lo + 89), 0);
			lo += 90;
		}
		/* the space above: full */
		assert_int_equal(dmp_reserve_iova(&d, lo + 10, d.max_pfn), 0);
		assert_int_equal(dmp_alloc_iova(&d, 500, ~0UL, false, &pfn), 0);
		assert_int_equal(pfn, mid + 500);
		assert_int_equal(dmp_iova_domain_check(&d), 0);
		dmp_iova_domain_destroy(&d);
	}
}

/*
 * A reservation that merges every range of a leaf that is its parent's
 * first child (the leaf empties and goes; its parent's first key is then
 * the next child's) into the reservation just below, which widens across
 * the old leaf's place: the separator above the parent must rise past it,
 * or a look-up of the widened range's upper pfns goes to the wrong subtree.
 * Reservations in rising order make leaves of 8 ranges and inner nodes of 8
 * leaves; six more ranges fill the next leaf so that the emptied one does
 * not merge with it.
 */
static void test_reservation_widens_over_an_emptied_first_leaf(void **state)
{
	struct dmp_iova_domain d;
	struct dmp_iova_range r;
	const unsigned long first = 64 * 2; /* the first range of leaf 16: child 0 of its parent */
	(void)state;

	assert_int_equal(dmp_iova_domain_init(&d, 4096, 0), 0);
	for (unsigned long i = 0; i < 400; i++)
		assert_int_equal(dmp_reserve_iova(&d, 10 * i, 10 * i + 4), 0);
	for (unsigned long i = first + 8; i < first + 14; i++)
		assert_int_equal(dmp_reserve_iova(&d, 10 * i + 6, 10 * i + 7), 0);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	/* touches range first - 1, covers ranges first .. first + 7 */
	unsigned long lo = 10 * (first - 1) + 5, hi = 10 * (first + 7) + 4;
	assert_int_equal(dmp_reserve_iova(&d, lo, hi), 0);
	assert_int_equal(dmp_find_iova(&d, hi, &r), 0);
	assert_int_equal(r.pfn_lo, 10 * (first - 1));
	assert_int_equal(r.pfn_hi, hi);
	assert_true(r.reserved);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	/* a reservation overlapping its top merges, it does not overlap */
	assert_int_equal(dmp_reserve_iova(&d, hi - 2, hi + 1), 0);
	assert_int_equal(dmp_iova_domain_check(&d), 0);
	assert_int_equal(dmp_find_iova(&d, hi + 1, &r), 0);
	assert_int_equal(r.pfn_lo, 10 * (first - 1));
	dmp_iova_domain_destroy(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gap_left_below_the_top),
		cmocka_unit_test(test_reservation_widens_over_an_emptied_first_leaf),
		cmocka_unit_test(test_model_small_tree),
		cmocka_unit_test(test_model_4k),
		cmocka_unit_test(test_model_64k),
		cmocka_unit_test(test_model_failure_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
