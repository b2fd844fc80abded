/* test-atomic-pool.c - the atomic pool: placement below 4 GiB and uncached;
 * random alloc/free against a first-fit page model with the walker after
 * every step; exhaustion reported and NULL; reuse; bad frees; the device's
 * reach; destroy refused while live; failure injection on init. */
#include <string.h>

#include <dmaport/coherent.h>
#include <dmaport/dma-map-ops.h>

#include "dma/alloc-internal.h"
#include "support/sim-fixture.h"

static void test_init_and_placement(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	size_t before = dmp_page_free_count();
	assert_false(dmp__atomic_pool_active());
	assert_int_equal(dmp_atomic_pool_destroy(), -ENOENT);
	assert_int_equal(dmp_atomic_pool_init(0), 0);
	assert_int_equal(dmp_atomic_pool_init(0), -EBUSY);
	assert_true(dmp__atomic_pool_active());
	struct dmp_atomic_pool_stats st;
	assert_int_equal(dmp_atomic_pool_get_stats(&st), 0);
	assert_int_equal(st.nr_pages, DMP_ATOMIC_POOL_DEFAULT_SIZE / DMP_PAGE_SIZE);
	assert_true(st.phys + st.nr_pages * DMP_PAGE_SIZE - 1 <= 0xffffffffu);
	for (size_t i = 0; i < st.nr_pages; i++)
		assert_int_equal(dmp_sim_mem_attr(sim, st.phys + i * DMP_PAGE_SIZE), DMP_MEM_UNCACHED);
	assert_int_equal(dmp_atomic_pool_destroy(), 0);
	assert_int_equal(dmp_sim_mem_attr(sim, st.phys), DMP_MEM_NORMAL);
	assert_int_equal(dmp_page_free_count(), before);
	/* configurable size, rounded up to a power-of-two number of pages */
	assert_int_equal(dmp_atomic_pool_init(5 * DMP_PAGE_SIZE), 0);
	assert_int_equal(dmp_atomic_pool_get_stats(&st), 0);
	assert_int_equal(st.nr_pages, 8);
	assert_int_equal(dmp_atomic_pool_destroy(), 0);
	assert_int_equal(dmp_atomic_pool_init((size_t)1 << 40), -EINVAL);
	dmp_sim_destroy(sim);
}

static long model_fit(const bool *used, size_t pages, size_t n)
{
	for (size_t s = 0; s + n <= pages; s++) {
		bool ok = true;
		for (size_t i = 0; i < n && ok; i++)
			ok = !used[s + i];
		if (ok)
			return (long)s;
	}
	return -1;
}

static void test_model(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "atomic"), 0);
	assert_int_equal(dmp_atomic_pool_init(0), 0);
	struct dmp_atomic_pool_stats st;
	dmp_atomic_pool_get_stats(&st);
	enum { PAGES = DMP_ATOMIC_POOL_DEFAULT_SIZE / DMP_PAGE_SIZE };
	bool used[PAGES] = { false };
	struct { uint8_t *va; size_t size; long at; } live[PAGES];
	size_t nlive = 0, exhausted = 0;
	uint64_t s = 7;
	for (int step = 0; step < 4000; step++) {
		uint64_t x = fixture_rand(&s);
		if (nlive == 0 || x % 100 < 55) {
			size_t size = 1 + (size_t)((x >> 8) % (6 * DMP_PAGE_SIZE));
			size_t n = (size + DMP_PAGE_SIZE - 1) / DMP_PAGE_SIZE;
			long want = model_fit(used, PAGES, n);
			dmp_phys_t phys;
			fixture_log_start();
			uint8_t *va = dmp__atomic_pool_alloc(&dev, size, &phys, true);
			if (want < 0) {
				assert_null(va);
				assert_true(fixture_log_has("atomic pool exhausted", "atomic", NULL));
				exhausted++;
			} else {
				assert_non_null(va);
				assert_true(phys == st.phys + (dmp_phys_t)want * DMP_PAGE_SIZE);
				assert_ptr_equal(va, dmp_phys_to_virt(phys));
				for (size_t i = 0; i < n * DMP_PAGE_SIZE; i++)
					assert_int_equal(va[i], 0);
				memset(va, 0xee, size); /* dirty it: the next user must see zeroes */
				for (size_t i = 0; i < n; i++)
					used[want + (long)i] = true;
				live[nlive].va = va;
				live[nlive].size = size;
				live[nlive].at = want;
				nlive++;
			}
			fixture_log_stop();
		} else {
			size_t k = (size_t)((x >> 8) % nlive);
			assert_true(dmp__atomic_pool_free(live[k].va, live[k].size));
			size_t n = (live[k].size + DMP_PAGE_SIZE - 1) / DMP_PAGE_SIZE;
			for (size_t i = 0; i < n; i++)
				used[live[k].at + (long)i] = false;
			live[k] = live[--nlive];
		}
		assert_int_equal(dmp_atomic_pool_check(), 0);
		struct dmp_atomic_pool_stats now;
		dmp_atomic_pool_get_stats(&now);
		assert_int_equal(now.nr_allocs, nlive);
		assert_int_equal(now.failures, exhausted);
	}
	assert_true(exhausted > 10); /* the sequence did run the pool dry */
	fixture_log_start();
	assert_int_equal(dmp_atomic_pool_destroy(), nlive ? -EBUSY : 0);
	fixture_log_stop();
	while (nlive) {
		nlive--;
		assert_true(dmp__atomic_pool_free(live[nlive].va, live[nlive].size));
	}
	assert_int_equal(dmp_atomic_pool_destroy(), 0);
	dmp_sim_destroy(sim);
}

static void test_exhaustion_reuse_bad_frees(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev, narrow;
	assert_int_equal(dmp_device_init(&dev, "atomic"), 0);
	assert_int_equal(dmp_device_init(&narrow, "narrow"), 0);
	narrow.coherent_dma_mask = DMP_BIT_MASK(24); /* below all memory */
	assert_int_equal(dmp_atomic_pool_init(4 * DMP_PAGE_SIZE), 0);
	dmp_phys_t p[4], x;
	void *va[4];
	for (int i = 0; i < 4; i++)
		assert_non_null(va[i] = dmp__atomic_pool_alloc(&dev, 100, &p[i], true));
	fixture_log_start();
	assert_null(dmp__atomic_pool_alloc(&dev, 100, &x, true));
	assert_true(fixture_log_has("atomic pool exhausted", "0 of 4 pages free", NULL));
	fixture_log_stop();
	/* reuse: the freed page is handed out again */
	assert_true(dmp__atomic_pool_free(va[2], 100));
	void *again = dmp__atomic_pool_alloc(&dev, 50, &x, true);
	assert_ptr_equal(again, va[2]);
	assert_true(x == p[2]);
	/* bad frees: reported, ignored */
	fixture_log_start();
	assert_true(dmp__atomic_pool_free(va[1], 3 * DMP_PAGE_SIZE));
	assert_true(fixture_log_has("atomic pool free", "size does not match", NULL));
	assert_true(dmp__atomic_pool_free((uint8_t *)va[1] + 16, 100));
	assert_true(fixture_log_has("atomic pool free", "not the start", NULL));
	fixture_log_stop();
	assert_int_equal(dmp_atomic_pool_check(), 0);
	void *k = dmp_kmalloc(64, 0);
	assert_false(dmp__atomic_pool_free(k, 64)); /* not pool memory */
	assert_false(dmp__atomic_pool_owns(k));
	dmp_kfree(k);
	/* a device that cannot reach the pool gets nothing */
	assert_true(dmp__atomic_pool_free(again, 50));
	fixture_log_start();
	assert_null(dmp__atomic_pool_alloc(&narrow, 100, &x, true));
	assert_true(fixture_log_has("atomic pool", "beyond the reach of narrow", NULL));
	fixture_log_stop();
	/* behind an IOMMU (not direct) the same device is served */
	void *any = dmp__atomic_pool_alloc(&narrow, 100, &x, false);
	assert_non_null(any);
	assert_true(dmp__atomic_pool_free(any, 100));
	for (int i = 0; i < 4; i++)
		if (i != 2)
			assert_true(dmp__atomic_pool_free(va[i], 100));
	fixture_log_start();
	assert_true(dmp__atomic_pool_free(va[0], 100)); /* double free */
	assert_true(fixture_log_has("atomic pool free", "double free", NULL));
	fixture_log_stop();
	assert_int_equal(dmp_atomic_pool_check(), 0);
	assert_int_equal(dmp_atomic_pool_destroy(), 0);
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
			dmp_fail_nth(sites[si], nth);
			int err = dmp_atomic_pool_init(0);
			unsigned long calls = dmp_fail_calls(sites[si]);
			dmp_fail_nth(sites[si], 0);
			if (err) {
				assert_int_equal(err, -ENOMEM);
				assert_false(dmp__atomic_pool_active());
				failed++;
			} else {
				assert_int_equal(dmp_atomic_pool_destroy(), 0);
			}
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
		cmocka_unit_test(test_init_and_placement),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_exhaustion_reuse_bad_frees),
		cmocka_unit_test(test_failure_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
