/* test-coherent-mem.c - declared coherent memory and the global pool: random
 * alloc/free of random page counts against a brute-force bitmap model (same
 * first-fit aligned placement) with the walker after every step; zeroing;
 * the device address offset; the memory type; release refused while live;
 * bad frees; mmap; the global pool with dma-ranges and masks; failure
 * injection.  The hooks are called as the mapping layer calls them. */
#include <string.h>
#include <sys/mman.h>

#include <dmaport/coherent.h>
#include <dmaport/dma-map-ops.h>

#include "dma/alloc-internal.h"
#include "support/sim-fixture.h"

#define DEV_BASE 0x40000000ull

struct region {
	dmp_phys_t phys;
	unsigned int order;
	size_t pages;
};

static void region_get(struct region *r, unsigned int order, size_t pages)
{
	r->order = order;
	r->pages = pages;
	assert_int_equal(dmp_page_alloc(order, 0, 0xffffffffu, &r->phys), 0);
}

static void region_put(struct region *r)
{
	assert_int_equal(dmp_page_free(r->phys, r->order), 0);
}

/* The model: first fit of an aligned power-of-two block, as bitmap_find_free_region. */
static long model_find(const bool *used, size_t pages, unsigned int order)
{
	size_t n = (size_t)1 << order;
	for (size_t pos = 0; pos + n <= pages; pos += n) {
		bool ok = true;
		for (size_t i = 0; i < n && ok; i++)
			ok = !used[pos + i];
		if (ok)
			return (long)pos;
	}
	return -1;
}

static void test_model(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "declared"), 0);
	struct region r;
	region_get(&r, 9, 300); /* 300 pages: not a power of two */
	size_t base_free = dmp_page_free_count();
	assert_int_equal(dmp_declare_coherent_memory(&dev, r.phys, DEV_BASE,
						     r.pages * DMP_PAGE_SIZE + 100), 0);
	/* non-coherent device: the region is uncached now */
	assert_int_equal(dmp_sim_mem_attr(sim, r.phys), DMP_MEM_UNCACHED);
	assert_int_equal(dmp_sim_mem_attr(sim, r.phys + (r.pages - 1) * DMP_PAGE_SIZE),
			 DMP_MEM_UNCACHED);

	static bool used[300];
	memset(used, 0, sizeof(used));
	struct { uint8_t *va; size_t size; long pos; uint8_t seed; } live[200];
	size_t nlive = 0, pages_used = 0;
	uint64_t s = 42;
	for (int step = 0; step < 3000; step++) {
		uint64_t x = fixture_rand(&s);
		if (nlive == 0 || (nlive < 200 && x % 100 < 55)) {
			size_t size = 1 + (size_t)((x >> 8) % (40 * DMP_PAGE_SIZE));
			unsigned int order = dmp_get_order(size);
			long want = model_find(used, r.pages, order);
			void *va = (void *)1;
			dmp_addr_t dma = 0;
			assert_int_equal(dmp__alloc_from_dev_coherent(&dev, size, &dma, &va), 1);
			if (want < 0) {
				assert_null(va);
				continue;
			}
			assert_non_null(va);
			assert_ptr_equal(va, dmp_phys_to_virt(r.phys + (dmp_phys_t)want * DMP_PAGE_SIZE));
			assert_true(dma == DEV_BASE + (dmp_addr_t)want * DMP_PAGE_SIZE);
			uint8_t *p = va;
			for (size_t i = 0; i < (DMP_PAGE_SIZE << order); i++)
				assert_int_equal(p[i], 0);
			uint8_t sd = (uint8_t)(x >> 40);
			memset(p, sd, size);
			for (size_t i = 0; i < ((size_t)1 << order); i++)
				used[want + (long)i] = true;
			pages_used += (size_t)1 << order;
			live[nlive].va = va;
			live[nlive].size = size;
			live[nlive].pos = want;
			live[nlive].seed = sd;
			nlive++;
		} else {
			size_t k = (size_t)((x >> 8) % nlive);
			for (size_t i = 0; i < live[k].size; i++)
				assert_int_equal(live[k].va[i], live[k].seed);
			assert_int_equal(dmp__release_from_dev_coherent(&dev, live[k].size,
									live[k].va), 1);
			unsigned int order = dmp_get_order(live[k].size);
			for (size_t i = 0; i < ((size_t)1 << order); i++)
				used[live[k].pos + (long)i] = false;
			pages_used -= (size_t)1 << order;
			live[k] = live[--nlive];
		}
		assert_int_equal(dmp_coherent_check(&dev), 0);
		struct dmp_coherent_stats st;
		assert_int_equal(dmp_coherent_get_stats(&dev, &st), 0);
		assert_int_equal(st.pages_used, pages_used);
		assert_int_equal(st.nr_allocs, nlive);
		assert_int_equal(st.nr_pages, r.pages);
	}
	/* release is refused while anything is live, and changes nothing */
	fixture_log_start();
	assert_int_equal(dmp_release_coherent_memory(&dev), nlive ? -EBUSY : 0);
	assert_true(!nlive || fixture_log_has("coherent memory", "declared", "refused", NULL));
	fixture_log_stop();
	assert_non_null(dev.dma_mem);
	while (nlive) {
		nlive--;
		assert_int_equal(dmp__release_from_dev_coherent(&dev, live[nlive].size,
								live[nlive].va), 1);
	}
	assert_int_equal(dmp_release_coherent_memory(&dev), 0);
	assert_null(dev.dma_mem);
	assert_int_equal(dmp_sim_mem_attr(sim, r.phys), DMP_MEM_NORMAL);
	assert_int_equal(dmp_release_coherent_memory(&dev), -ENOENT);
	assert_int_equal(dmp_page_free_count(), base_free);
	region_put(&r);
	dmp_sim_destroy(sim);
}

static void test_args_and_bad_frees(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev, plain;
	assert_int_equal(dmp_device_init(&dev, "declared"), 0);
	assert_int_equal(dmp_device_init(&plain, "plain"), 0);
	dmp_device_set_coherent(&dev, true);
	struct region r;
	region_get(&r, 4, 16);
	assert_int_equal(dmp_declare_coherent_memory(NULL, r.phys, 0, 65536), -EINVAL);
	assert_int_equal(dmp_declare_coherent_memory(&dev, r.phys + 1, 0, 65536), -EINVAL);
	assert_int_equal(dmp_declare_coherent_memory(&dev, r.phys, 0, 100), -EINVAL);
	assert_int_equal(dmp_declare_coherent_memory(&dev, 0x1000, 0, 65536), -EINVAL);
	assert_int_equal(dmp_declare_coherent_memory(&dev, r.phys, r.phys, 65536), 0);
	assert_int_equal(dmp_declare_coherent_memory(&dev, r.phys, r.phys, 65536), -EBUSY);
	/* coherent device: the memory type is left alone */
	assert_int_equal(dmp_sim_mem_attr(sim, r.phys), DMP_MEM_NORMAL);

	/* a device without declared memory: the hooks say "not mine" */
	void *va;
	dmp_addr_t dma;
	assert_int_equal(dmp__alloc_from_dev_coherent(&plain, 4096, &dma, &va), 0);

	/* too large: handled (exclusive region), no memory */
	assert_int_equal(dmp__alloc_from_dev_coherent(&dev, 17 * DMP_PAGE_SIZE, &dma, &va), 1);
	assert_null(va);
	void *a, *b;
	assert_int_equal(dmp__alloc_from_dev_coherent(&dev, 2 * DMP_PAGE_SIZE, &dma, &a), 1);
	assert_int_equal(dmp__alloc_from_dev_coherent(&dev, DMP_PAGE_SIZE, &dma, &b), 1);
	assert_non_null(a);
	assert_non_null(b);
	struct dmp_coherent_stats before, after;
	dmp_coherent_get_stats(&dev, &before);
	fixture_log_start();
	assert_int_equal(dmp__release_from_dev_coherent(&dev, DMP_PAGE_SIZE, a), 1); /* wrong size */
	assert_true(fixture_log_has("declared", "size does not match", NULL));
	fixture_log_start();
	assert_int_equal(dmp__release_from_dev_coherent(&dev, 100, (uint8_t *)b + 8), 1);
	assert_true(fixture_log_has("declared", "not the start", NULL));
	fixture_log_stop();
	dmp_coherent_get_stats(&dev, &after);
	assert_int_equal(after.pages_used, before.pages_used);
	assert_int_equal(after.nr_allocs, before.nr_allocs);
	assert_int_equal(dmp_coherent_check(&dev), 0);
	/* memory from elsewhere is not this region's */
	void *k = dmp_kmalloc(64, 0);
	assert_int_equal(dmp__release_from_dev_coherent(&dev, 64, k), 0);
	dmp_kfree(k);
	assert_int_equal(dmp__release_from_dev_coherent(&dev, 2 * DMP_PAGE_SIZE, a), 1);
	assert_int_equal(dmp__release_from_dev_coherent(&dev, DMP_PAGE_SIZE, b), 1);
	fixture_log_start();
	assert_int_equal(dmp__release_from_dev_coherent(&dev, DMP_PAGE_SIZE, b), 1); /* double */
	assert_true(fixture_log_has("declared", "double free", NULL));
	fixture_log_stop();
	assert_int_equal(dmp_coherent_check(&dev), 0);
	assert_int_equal(dmp_release_coherent_memory(&dev), 0);
	region_put(&r);
	dmp_sim_destroy(sim);
}

static void test_mmap(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "mapper"), 0);
	struct region r;
	region_get(&r, 4, 16);
	assert_int_equal(dmp_declare_coherent_memory(&dev, r.phys, DEV_BASE, 16 * DMP_PAGE_SIZE), 0);
	void *va;
	dmp_addr_t dma;
	assert_int_equal(dmp__alloc_from_dev_coherent(&dev, 3 * DMP_PAGE_SIZE, &dma, &va), 1);
	uint8_t *p = va;
	for (size_t i = 0; i < 3 * DMP_PAGE_SIZE; i++)
		p[i] = (uint8_t)(i / DMP_PAGE_SIZE + 1);
	struct dmp_user_mapping um = { .pgoff = 1, .size = 0 };
	int ret = -1;
	assert_int_equal(dmp__mmap_from_dev_coherent(&dev, &um, va, 3 * DMP_PAGE_SIZE, &ret), 1);
	assert_int_equal(ret, 0);
	assert_int_equal(um.size, 2 * DMP_PAGE_SIZE);
	const uint8_t *u = um.addr;
	assert_int_equal(u[0], 2);
	assert_int_equal(u[DMP_PAGE_SIZE], 3);
	p[DMP_PAGE_SIZE + 5] = 0x77; /* the same bytes */
	assert_int_equal(u[5], 0x77);
	dmp_munmap(&um);
	struct dmp_user_mapping bad = { .pgoff = 2, .size = 2 * DMP_PAGE_SIZE };
	assert_int_equal(dmp__mmap_from_dev_coherent(&dev, &bad, va, 3 * DMP_PAGE_SIZE, &ret), 1);
	assert_int_equal(ret, -ENXIO);
	void *k = dmp_kmalloc(64, 0);
	assert_int_equal(dmp__mmap_from_dev_coherent(&dev, &bad, k, 64, &ret), 0);
	dmp_kfree(k);
	assert_int_equal(dmp__release_from_dev_coherent(&dev, 3 * DMP_PAGE_SIZE, va), 1);
	assert_int_equal(dmp_release_coherent_memory(&dev), 0);
	region_put(&r);
	dmp_sim_destroy(sim);
}

static void test_global_pool(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev, narrow;
	assert_int_equal(dmp_device_init(&dev, "ranged"), 0);
	assert_int_equal(dmp_device_init(&narrow, "narrow"), 0);
	struct region r;
	region_get(&r, 5, 32);
	/* the device sees CPU 0x8000_0000.. at bus 0x1000_0000.. */
	assert_int_equal(dmp_device_add_dma_range(&dev, 0x80000000ull, 0x10000000ull, 1ull << 30), 0);
	/* a mask the platform would refuse (no memory below 16 MiB): set by
	 * hand, to see the pool refuse memory beyond it */
	narrow.coherent_dma_mask = DMP_BIT_MASK(24);
	assert_false(dmp__global_coherent_active());
	dmp_addr_t dma;
	assert_null(dmp__alloc_from_global_coherent(&dev, 4096, &dma));
	assert_int_equal(dmp_dma_declare_global_coherent(r.phys, 32 * DMP_PAGE_SIZE), 0);
	assert_int_equal(dmp_dma_declare_global_coherent(r.phys, 32 * DMP_PAGE_SIZE), -EBUSY);
	assert_true(dmp__global_coherent_active());
	assert_int_equal(dmp_sim_mem_attr(sim, r.phys), DMP_MEM_UNCACHED);
	void *va[8];
	for (int i = 0; i < 8; i++) {
		va[i] = dmp__alloc_from_global_coherent(&dev, (size_t)(i % 3 + 1) * DMP_PAGE_SIZE, &dma);
		assert_non_null(va[i]);
		dmp_phys_t phys;
		assert_int_equal(dmp_virt_to_phys(va[i], &phys), 0);
		assert_true(phys >= r.phys && phys < r.phys + 32 * DMP_PAGE_SIZE);
		assert_true(dma == phys - 0x80000000ull + 0x10000000ull);
		assert_int_equal(dmp_coherent_check(NULL), 0);
	}
	struct dmp_coherent_stats st;
	assert_int_equal(dmp_coherent_get_stats(NULL, &st), 0);
	size_t used = st.pages_used;
	/* beyond the narrow device's mask: refused, nothing kept */
	assert_null(dmp__alloc_from_global_coherent(&narrow, 4096, &dma));
	dmp_coherent_get_stats(NULL, &st);
	assert_int_equal(st.pages_used, used);
	assert_int_equal(dmp_dma_release_global_coherent(), -EBUSY);
	for (int i = 0; i < 8; i++)
		assert_int_equal(dmp__release_from_global_coherent((size_t)(i % 3 + 1) * DMP_PAGE_SIZE,
								   va[i]), 1);
	assert_int_equal(dmp_coherent_check(NULL), 0);
	assert_int_equal(dmp_dma_release_global_coherent(), 0);
	assert_int_equal(dmp_dma_release_global_coherent(), -ENOENT);
	assert_int_equal(dmp_sim_mem_attr(sim, r.phys), DMP_MEM_NORMAL);
	region_put(&r);
	dmp_sim_destroy(sim);
}

static void test_failure_injection(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "inject"), 0);
	struct region r;
	region_get(&r, 6, 64);
	size_t base_free = dmp_page_free_count();
	int failed = 0;
	for (unsigned long nth = 1;; nth++) {
		dmp_fail_nth(DMP_FAIL_HEAP, nth);
		int err = dmp_declare_coherent_memory(&dev, r.phys, DEV_BASE, 64 * DMP_PAGE_SIZE);
		unsigned long calls = dmp_fail_calls(DMP_FAIL_HEAP);
		dmp_fail_nth(DMP_FAIL_HEAP, 0);
		if (err) {
			assert_int_equal(err, -ENOMEM);
			assert_null(dev.dma_mem);
			assert_int_equal(dmp_sim_mem_attr(sim, r.phys), DMP_MEM_NORMAL);
			failed++;
		} else {
			assert_int_equal(dmp_release_coherent_memory(&dev), 0);
		}
		assert_int_equal(dmp_page_free_count(), base_free);
		if (calls < nth)
			break;
	}
	assert_int_equal(failed, 3);
	failed = 0;
	for (unsigned long nth = 1;; nth++) {
		dmp_fail_nth(DMP_FAIL_HEAP, nth);
		int err = dmp_dma_declare_global_coherent(r.phys, 64 * DMP_PAGE_SIZE);
		unsigned long calls = dmp_fail_calls(DMP_FAIL_HEAP);
		dmp_fail_nth(DMP_FAIL_HEAP, 0);
		if (err) {
			/* the same allocations as a device's region: the same failures */
			assert_int_equal(err, -ENOMEM);
			assert_false(dmp__global_coherent_active());
			assert_int_equal(dmp_sim_mem_attr(sim, r.phys), DMP_MEM_NORMAL);
			failed++;
		} else {
			assert_true(dmp__global_coherent_active());
			assert_int_equal(dmp_dma_release_global_coherent(), 0);
		}
		assert_int_equal(dmp_page_free_count(), base_free);
		if (calls < nth)
			break;
	}
	assert_int_equal(failed, 3);
	region_put(&r);
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_args_and_bad_frees),
		cmocka_unit_test(test_mmap),
		cmocka_unit_test(test_global_pool),
		cmocka_unit_test(test_failure_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
