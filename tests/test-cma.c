/* test-cma.c - the contiguous memory allocator: random alloc/release with
 * random counts and alignments against a brute-force bitmap model (the same
 * first-fit placement), for order_per_bit 0..3, with the walker after every
 * step; bad releases reported and ignored; full vs fragmented failures with
 * their reasons; fixed and dynamic areas really taken from the page
 * allocator; the contiguous path of coherent allocation (device area, default
 * area, single pages, atomic callers, the coherent mask); failure injection. */
#include <stdio.h>
#include <string.h>

#include <dmaport/cma.h>
#include <dmaport/dma-map-ops.h>

#include "dma/alloc-internal.h"
#include "support/sim-fixture.h"

#define AREA_PAGES 1024

struct model {
	dmp_phys_t base;
	unsigned int opb;
	size_t nbits;
	bool used[AREA_PAGES];
	uint32_t len[AREA_PAGES];
};

static long model_find(const struct model *m, size_t n, unsigned int align_order)
{
	size_t step = align_order > m->opb ? (size_t)1 << (align_order - m->opb) : 1;
	size_t base_bit = (size_t)(m->base >> (DMP_PAGE_SHIFT + m->opb));
	for (size_t b = 0; b + n <= m->nbits; b++) {
		if ((base_bit + b) % step)
			continue;
		bool ok = true;
		for (size_t i = 0; i < n && ok; i++)
			ok = !m->used[b + i];
		if (ok)
			return (long)b;
	}
	return -1;
}

static size_t model_free_pages(const struct model *m)
{
	size_t f = 0;
	for (size_t i = 0; i < m->nbits; i++)
		f += !m->used[i];
	return f << m->opb;
}

static void run_model(unsigned int opb, uint64_t seed)
{
	struct dmp_sim *sim = fixture_sim(NULL);
	size_t before = dmp_page_free_count();
	struct dmp_cma *cma;
	assert_int_equal(dmp_cma_declare(0, AREA_PAGES * DMP_PAGE_SIZE, DMP_PHYS_ANY, 0, opb,
					 "model", &cma), 0);
	size_t after_declare = dmp_page_free_count();
	/* the area's pages are taken from the page allocator (the heap's
	 * bookkeeping takes a few more) */
	assert_true(before - after_declare >= AREA_PAGES &&
		    before - after_declare <= AREA_PAGES + 8);
	static struct model m;
	memset(&m, 0, sizeof(m));
	struct dmp_cma_stats st;
	dmp_cma_get_stats(cma, &st);
	m.base = st.base;
	m.opb = opb;
	m.nbits = AREA_PAGES >> opb;
	struct { dmp_phys_t phys; size_t count; } live[256];
	size_t nlive = 0;
	uint64_t s = seed;
	for (int step = 0; step < 6000; step++) {
		uint64_t x = fixture_rand(&s);
		unsigned int kind = (unsigned int)(x % 100);
		if (kind < 8 && nlive) {
			/* a bad release: reported, nothing changes */
			size_t k = (size_t)((x >> 8) % nlive);
			dmp_phys_t phys = live[k].phys;
			size_t count = live[k].count;
			switch ((x >> 20) % 3) {
			case 0: count += (size_t)1 << opb; break;               /* wrong count */
			case 1: phys += DMP_PAGE_SIZE << opb; count = 1; break;   /* inside */
			default: phys = m.base + (AREA_PAGES + 5) * DMP_PAGE_SIZE; break; /* outside */
			}
			size_t b = (size_t)((phys - m.base) >> (DMP_PAGE_SHIFT + opb));
			bool really = phys >= m.base && b < m.nbits && m.len[b] &&
				      m.len[b] == (count + (1u << opb) - 1) >> opb;
			if (really)
				continue; /* happened to be a real allocation: skip */
			fixture_log_start();
			assert_int_equal(dmp_cma_release(cma, phys, count), -EINVAL);
			assert_true(fixture_log_has("cma model", "refused", NULL));
			fixture_log_stop();
		} else if (nlive == 0 || (nlive < 256 && kind < 60)) {
			size_t count = 1 + (size_t)((x >> 8) % 48);
			unsigned int align = (unsigned int)((x >> 16) % 7);
			size_t n = (count + ((size_t)1 << opb) - 1) >> opb;
			long want = model_find(&m, n, align);
			dmp_phys_t phys = 0;
			fixture_log_start();
			int err = dmp_cma_alloc(cma, count, align, (x >> 30) & 1 ? DMP_GFP_ZERO : 0,
						&phys);
			if (want < 0) {
				assert_int_equal(err, -ENOMEM);
				bool full = model_free_pages(&m) < count;
				assert_true(fixture_log_has("cma model", full ? "full" : "fragmented",
							    NULL));
			} else {
				assert_int_equal(err, 0);
				assert_true(phys == m.base + ((dmp_phys_t)want << (DMP_PAGE_SHIFT + opb)));
				assert_true((phys >> DMP_PAGE_SHIFT) % ((uint64_t)1 << align) == 0);
				for (size_t i = 0; i < n; i++)
					m.used[want + (long)i] = true;
				m.len[want] = (uint32_t)n;
				live[nlive].phys = phys;
				live[nlive].count = count;
				nlive++;
			}
			fixture_log_stop();
		} else {
			size_t k = (size_t)((x >> 8) % nlive);
			assert_int_equal(dmp_cma_release(cma, live[k].phys, live[k].count), 0);
			size_t b = (size_t)((live[k].phys - m.base) >> (DMP_PAGE_SHIFT + opb));
			for (size_t i = 0; i < m.len[b]; i++)
				m.used[b + i] = false;
			m.len[b] = 0;
			live[k] = live[--nlive];
		}
		assert_int_equal(dmp_cma_check(cma), 0);
		dmp_cma_get_stats(cma, &st);
		assert_int_equal(st.free_pages, model_free_pages(&m));
		assert_int_equal(st.nr_allocs, nlive);
	}
	fixture_log_start();
	assert_int_equal(dmp_cma_destroy(cma), nlive ? -EBUSY : 0);
	fixture_log_stop();
	while (nlive) {
		nlive--;
		assert_int_equal(dmp_cma_release(cma, live[nlive].phys, live[nlive].count), 0);
	}
	fixture_log_start();
	assert_int_equal(dmp_cma_release(cma, m.base, 1), -EINVAL); /* double release */
	assert_true(fixture_log_has("cma model", "not allocated", NULL));
	fixture_log_stop();
	assert_int_equal(dmp_cma_destroy(cma), 0);
	assert_int_equal(dmp_page_free_count(), before);
	dmp_sim_destroy(sim);
}

static void test_model_opb0(void **state) { (void)state; run_model(0, 11); }
static void test_model_opb1(void **state) { (void)state; run_model(1, 22); }
static void test_model_opb2(void **state) { (void)state; run_model(2, 33); }
static void test_model_opb3(void **state) { (void)state; run_model(3, 44); }

static void test_fixed_areas(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	size_t before = dmp_page_free_count();
	struct dmp_cma *a, *b, *c;
	/* an unaligned base and a size that is no power of two: trimmed blocks */
	dmp_phys_t base = 0x90010000ull;
	size_t size = (3u << 20) + 0x10000;
	assert_int_equal(dmp_cma_declare(base, size, 0xffffffffu, 0, 0, "fixed", &a), 0);
	assert_int_equal(dmp_cma_check(a), 0);
	size_t pages = size / DMP_PAGE_SIZE;
	assert_true(before - dmp_page_free_count() >= pages);
	/* overlapping: busy; beyond the limit, misaligned: invalid */
	assert_int_equal(dmp_cma_declare(base + size - DMP_PAGE_SIZE, 1u << 20, DMP_PHYS_ANY, 0, 0,
					 "overlap", &b), -EBUSY);
	assert_int_equal(dmp_cma_declare(0x100000000ull, 1u << 20, 0xffffffffu, 0, 0, "high", &b),
			 -EINVAL);
	assert_int_equal(dmp_cma_declare(0xa0001000ull, 1u << 20, DMP_PHYS_ANY, 4, 0, "mis", &b),
			 -EINVAL);
	assert_int_equal(dmp_cma_declare(0xa0000000ull, 12288, DMP_PHYS_ANY, 0, 2, "opb", &b),
			 -EINVAL);
	/* no page of the area is handed out by the page allocator any more */
	for (int i = 0; i < 64; i++) {
		dmp_phys_t p;
		assert_int_equal(dmp_page_alloc(4, 0, 0xffffffffu, &p), 0);
		assert_true(p + 16 * DMP_PAGE_SIZE <= base || p >= base + size);
		dmp_page_free(p, 4);
	}
	/* the whole area can be allocated, exactly */
	dmp_phys_t phys;
	assert_int_equal(dmp_cma_alloc(a, pages, 0, 0, &phys), 0);
	assert_true(phys == base);
	assert_int_equal(dmp_cma_release(a, phys, pages), 0);
	/* a second, dynamic area below 4 GiB beside it */
	assert_int_equal(dmp_cma_declare(0, 1u << 20, 0xffffffffu, 0, 0, "dyn", &c), 0);
	struct dmp_cma_stats st;
	dmp_cma_get_stats(c, &st);
	assert_true(st.base + (1u << 20) - 1 <= 0xffffffffu);
	assert_true(st.base % (1u << 20) == 0);
	assert_true(st.base + (1u << 20) <= base || st.base >= base + size);
	assert_int_equal(dmp_cma_destroy(c), 0);
	assert_int_equal(dmp_cma_destroy(a), 0);
	assert_int_equal(dmp_page_free_count(), before);
	dmp_sim_destroy(sim);
}

static void test_full_vs_fragmented(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_cma *cma;
	assert_int_equal(dmp_cma_declare(0, 64 * DMP_PAGE_SIZE, DMP_PHYS_ANY, 0, 0, "small", &cma), 0);
	dmp_phys_t p[64];
	for (int i = 0; i < 64; i++)
		assert_int_equal(dmp_cma_alloc(cma, 1, 0, 0, &p[i]), 0);
	fixture_log_start();
	dmp_phys_t x;
	assert_int_equal(dmp_cma_alloc(cma, 1, 0, 0, &x), -ENOMEM);
	assert_true(fixture_log_has("cma small", "full", "0 of 64 pages free", NULL));
	fixture_log_stop();
	for (int i = 0; i < 64; i += 2)
		assert_int_equal(dmp_cma_release(cma, p[i], 1), 0);
	fixture_log_start();
	assert_int_equal(dmp_cma_alloc(cma, 2, 0, 0, &x), -ENOMEM);
	assert_true(fixture_log_has("cma small", "fragmented", "32 pages free",
				    "largest free aligned run 1 pages", NULL));
	fixture_log_start();
	assert_int_equal(dmp_cma_alloc(cma, 40, 0, 0, &x), -ENOMEM);
	assert_true(fixture_log_has("cma small", "full", "32 of 64", NULL));
	fixture_log_start();
	assert_int_equal(dmp_cma_alloc(cma, 40, 0, DMP_GFP_NOWARN, &x), -ENOMEM);
	assert_int_equal(fixture_log_count(), 0);
	assert_int_equal(dmp_cma_alloc(cma, 0, 0, 0, &x), -EINVAL);
	fixture_log_stop();
	/* a single page still fits, in the first hole */
	assert_int_equal(dmp_cma_alloc(cma, 1, 0, 0, &x), 0);
	assert_true(x == p[0]);
	assert_int_equal(dmp_cma_release(cma, x, 1), 0);
	for (int i = 1; i < 64; i += 2)
		assert_int_equal(dmp_cma_release(cma, p[i], 1), 0);
	assert_int_equal(dmp_cma_check(cma), 0);
	assert_int_equal(dmp_cma_destroy(cma), 0);
	dmp_sim_destroy(sim);
}

static void test_contiguous_path(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_cma *high, *devarea;
	/* default area above 4 GiB; a device area below */
	assert_int_equal(dmp_cma_declare(0x110000000ull, 4u << 20, DMP_PHYS_ANY, 0, 0, "high",
					 &high), 0);
	assert_int_equal(dmp_cma_declare(0, 2u << 20, 0xffffffffu, 0, 0, "dev", &devarea), 0);
	struct dmp_device dev64, dev32, own;
	assert_int_equal(dmp_device_init(&dev64, "dev64"), 0);
	assert_int_equal(dmp_set_mask_and_coherent(&dev64, DMP_BIT_MASK(64)), 0);
	assert_int_equal(dmp_device_init(&dev32, "dev32"), 0); /* 32-bit masks */
	assert_int_equal(dmp_device_init(&own, "own"), 0);
	own.cma_area = devarea;

	/* no default area yet: nothing */
	assert_null(dmp__dma_alloc_contiguous(&dev64, 8 * DMP_PAGE_SIZE, 0, true));
	dmp_cma_set_default(high);
	assert_ptr_equal(dmp_cma_get_default(), high);

	struct dmp_cma_stats st;
	struct dmp_page *pg = dmp__dma_alloc_contiguous(&dev64, 3 * DMP_PAGE_SIZE, DMP_GFP_ZERO, true);
	assert_non_null(pg);
	dmp_phys_t phys = dmp_page_to_phys(pg);
	assert_true(phys >= 0x110000000ull && phys < 0x110000000ull + (4u << 20));
	assert_true(phys % (4 * DMP_PAGE_SIZE) == 0); /* aligned to its order */
	dmp_cma_get_stats(high, &st);
	assert_int_equal(st.free_pages, 1024 - 4); /* 2^order pages */
	assert_true(dmp__cma_owns(phys));
	assert_true(dmp__dma_release_contiguous(&dev64, pg, 3 * DMP_PAGE_SIZE));
	dmp_cma_get_stats(high, &st);
	assert_int_equal(st.free_pages, 1024);

	/* single pages never come from the default area; atomic callers never use CMA */
	assert_null(dmp__dma_alloc_contiguous(&dev64, DMP_PAGE_SIZE, 0, true));
	assert_null(dmp__dma_alloc_contiguous(&dev64, 8 * DMP_PAGE_SIZE, DMP_GFP_ATOMIC, true));

	/* a 32-bit device cannot reach the default area: fall back, nothing kept */
	assert_null(dmp__dma_alloc_contiguous(&dev32, 8 * DMP_PAGE_SIZE, 0, true));
	dmp_cma_get_stats(high, &st);
	assert_int_equal(st.free_pages, 1024);
	assert_int_equal(st.nr_allocs, 0);
	/* behind an IOMMU (not direct) reach does not matter: the area serves it */
	pg = dmp__dma_alloc_contiguous(&dev32, 8 * DMP_PAGE_SIZE, 0, false);
	assert_non_null(pg);
	assert_true(dmp_page_to_phys(pg) >= 0x110000000ull);
	assert_true(dmp__dma_release_contiguous(&dev32, pg, 8 * DMP_PAGE_SIZE));

	/* the device's own area serves it, single pages included */
	pg = dmp__dma_alloc_contiguous(&own, DMP_PAGE_SIZE, 0, true);
	assert_non_null(pg);
	phys = dmp_page_to_phys(pg);
	dmp_cma_get_stats(devarea, &st);
	assert_true(phys >= st.base && phys < st.base + (2u << 20));
	struct dmp_page *big = dmp__dma_alloc_contiguous(&own, 200 * DMP_PAGE_SIZE, 0, true);
	assert_non_null(big);
	/* 256 pages, aligned to their size (2^DMP_CMA_ALIGN_ORDER_MAX pages) */
	assert_true(dmp_page_to_phys(big) % (DMP_PAGE_SIZE << DMP_CMA_ALIGN_ORDER_MAX) == 0);
	dmp_cma_get_stats(devarea, &st);
	assert_int_equal(st.free_pages, 512 - 1 - 256);
	assert_true(dmp__dma_release_contiguous(&own, big, 200 * DMP_PAGE_SIZE));
	assert_true(dmp__dma_release_contiguous(&own, pg, DMP_PAGE_SIZE));

	/* pages from the page allocator are not CMA's */
	dmp_phys_t other;
	assert_int_equal(dmp_page_alloc(0, 0, DMP_PHYS_ANY, &other), 0);
	assert_false(dmp__cma_owns(other));
	assert_false(dmp__dma_release_contiguous(&dev64, dmp_phys_to_page(other), DMP_PAGE_SIZE));
	dmp_page_free(other, 0);

	assert_int_equal(dmp_cma_check(high), 0);
	assert_int_equal(dmp_cma_check(devarea), 0);
	assert_int_equal(dmp_cma_destroy(devarea), 0);
	assert_int_equal(dmp_cma_destroy(high), 0);
	assert_null(dmp_cma_get_default());
	dmp_sim_destroy(sim);
}

static void test_failure_injection(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	size_t before = dmp_page_free_count();
	enum dmp_fail_site sites[] = { DMP_FAIL_PAGE, DMP_FAIL_HEAP };
	for (size_t si = 0; si < 2; si++) {
		int failed = 0;
		for (unsigned long nth = 1;; nth++) {
			struct dmp_cma *cma = NULL;
			dmp_fail_nth(sites[si], nth);
			/* fixed and unaligned: several blocks to take */
			int err = dmp_cma_declare(0x90010000ull, (1u << 20) + 0x30000, DMP_PHYS_ANY, 0,
						  0, "inject", &cma);
			unsigned long calls = dmp_fail_calls(sites[si]);
			dmp_fail_nth(sites[si], 0);
			if (err)
				failed++;
			else
				assert_int_equal(dmp_cma_destroy(cma), 0);
			assert_int_equal(dmp_page_free_count(), before);
			if (calls < nth)
				break;
		}
		assert_true(failed >= 1);
	}
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_opb0),
		cmocka_unit_test(test_model_opb1),
		cmocka_unit_test(test_model_opb2),
		cmocka_unit_test(test_model_opb3),
		cmocka_unit_test(test_fixed_areas),
		cmocka_unit_test(test_full_vs_fragmented),
		cmocka_unit_test(test_contiguous_path),
		cmocka_unit_test(test_failure_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
