/* test-mm.c - the page allocator and the heap against reference models,
 * with failure injection. */
#include <stdlib.h>
#include <string.h>

#include "support/sim-fixture.h"

/* A small machine: two regions of 8 MiB so the model stays cheap. */
static struct dmp_sim *small_machine(void)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.regions[0].base = 0x80000000ull;
	cfg.regions[0].size = 8u << 20;
	cfg.regions[1].base = 0x100000000ull;
	cfg.regions[1].size = 8u << 20;
	cfg.swiotlb_size = DMP_SIM_NO_SWIOTLB; /* every page the model's */
	return fixture_sim(&cfg);
}

#define NPAGES (2 * 2048)

static size_t model_index(dmp_phys_t p)
{
	return p >= 0x100000000ull ? 2048 + (size_t)((p - 0x100000000ull) >> 12)
				   : (size_t)((p - 0x80000000ull) >> 12);
}

struct live {
	dmp_phys_t phys;
	unsigned order;
};

static void test_pages_vs_model(void **state)
{
	(void)state;
	small_machine();
	static uint8_t used[NPAGES];
	memset(used, 0, sizeof(used));
	struct live live[512];
	size_t nlive = 0, used_pages = 0;
	uint64_t rng = 12345;
	for (int step = 0; step < 20000; step++) {
		uint64_t r = fixture_rand(&rng);
		if (nlive < 512 && (r % 3 != 0 || nlive == 0)) {
			unsigned order = (unsigned)(fixture_rand(&rng) % 6);
			dmp_phys_t limit = (fixture_rand(&rng) % 4 == 0) ? 0xffffffffull : DMP_PHYS_ANY;
			dmp_phys_t p;
			int err = dmp_page_alloc(order, 0, limit, &p);
			if (err) {
				assert_int_equal(err, -ENOMEM);
				continue;
			}
			/* aligned to its size, below the limit, in memory, not in use */
			assert_true(DMP_IS_ALIGNED(p, DMP_PAGE_SIZE << order));
			assert_true(p + (DMP_PAGE_SIZE << order) - 1 <= limit);
			size_t idx = model_index(p);
			for (size_t i = 0; i < (1u << order); i++) {
				assert_int_equal(used[idx + i], 0);
				used[idx + i] = 1;
			}
			used_pages += 1u << order;
			live[nlive++] = (struct live){ p, order };
		} else {
			size_t k = (size_t)(fixture_rand(&rng) % nlive);
			assert_int_equal(dmp_page_free(live[k].phys, live[k].order), 0);
			size_t idx = model_index(live[k].phys);
			for (size_t i = 0; i < (1u << live[k].order); i++)
				used[idx + i] = 0;
			used_pages -= 1u << live[k].order;
			live[k] = live[--nlive];
		}
		assert_int_equal(dmp_page_free_count(), NPAGES - used_pages);
	}
	while (nlive) {
		nlive--;
		assert_int_equal(dmp_page_free(live[nlive].phys, live[nlive].order), 0);
	}
	assert_int_equal(dmp_page_free_count(), NPAGES);
	/* everything merged back: the largest blocks are available again */
	dmp_phys_t p;
	assert_int_equal(dmp_page_alloc(11, 0, DMP_PHYS_ANY, &p), 0);
	assert_int_equal(dmp_page_alloc(11, 0, DMP_PHYS_ANY, &p), 0);
	assert_int_equal(dmp_page_alloc(0, 0, DMP_PHYS_ANY, &p), -ENOMEM);
	dmp_sim_destroy(dmp_sim_current());
}

static void test_pages_errors(void **state)
{
	(void)state;
	small_machine();
	dmp_phys_t p, q;
	/* higher regions first; the limit pushes allocations low */
	assert_int_equal(dmp_page_alloc(0, 0, DMP_PHYS_ANY, &p), 0);
	assert_true(p >= 0x100000000ull);
	assert_int_equal(dmp_page_alloc(0, DMP_GFP_DMA32, DMP_PHYS_ANY, &q), 0);
	assert_true(q < 0x100000000ull);
	/* a limit below all memory */
	assert_int_equal(dmp_page_alloc(0, 0, 0x7fffffffull, &q), -ENOMEM);
	assert_int_equal(dmp_page_alloc(DMP_PAGE_ORDER_MAX + 1, 0, DMP_PHYS_ANY, &q), -EINVAL);
	size_t before = dmp_page_free_count();
	/* double free, wrong order, foreign address: reported and ignored */
	assert_int_equal(dmp_page_free(p, 1), -EINVAL);
	assert_int_equal(dmp_page_free(p, 0), 0);
	assert_int_equal(dmp_page_free(p, 0), -EINVAL);
	assert_int_equal(dmp_page_free(0x1000, 0), -EINVAL);
	assert_int_equal(dmp_page_free_count(), before + 1);
	/* failure injection: the 3rd call fails, once */
	dmp_fail_nth(DMP_FAIL_PAGE, 3);
	assert_int_equal(dmp_page_alloc(0, 0, DMP_PHYS_ANY, &q), 0);
	assert_int_equal(dmp_page_alloc(0, 0, DMP_PHYS_ANY, &q), 0);
	assert_int_equal(dmp_page_alloc(0, 0, DMP_PHYS_ANY, &q), -ENOMEM);
	assert_int_equal(dmp_page_alloc(0, 0, DMP_PHYS_ANY, &q), 0);
	assert_int_equal(dmp_fail_calls(DMP_FAIL_PAGE), 4);
	dmp_fail_nth(DMP_FAIL_PAGE, 0);
	/* zeroing */
	assert_int_equal(dmp_page_alloc(1, 0, DMP_PHYS_ANY, &q), 0);
	memset(dmp_phys_to_virt(q), 0xab, 2 * DMP_PAGE_SIZE);
	dmp_page_free(q, 1);
	assert_int_equal(dmp_page_alloc(1, DMP_GFP_ZERO, DMP_PHYS_ANY, &q), 0);
	uint8_t *z = dmp_phys_to_virt(q);
	for (size_t i = 0; i < 2 * DMP_PAGE_SIZE; i++)
		assert_int_equal(z[i], 0);
	/* conversions */
	struct dmp_page *pg = dmp_phys_to_page(q);
	assert_int_equal(dmp_page_to_phys(pg), q);
	assert_ptr_equal(dmp_page_address(pg), z);
	assert_ptr_equal(dmp_virt_to_page(z + 100), pg);
	assert_null(dmp_phys_to_page(0x1000));
	int local;
	assert_false(dmp_is_dma_memory(&local, sizeof(local)));
	assert_true(dmp_is_dma_memory(z, 8192));
	assert_false(dmp_is_dma_memory(z, 9u << 20));
	dmp_phys_t tmp;
	assert_int_equal(dmp_virt_to_phys(&local, &tmp), -EFAULT);
	dmp_sim_destroy(dmp_sim_current());
}

struct obj {
	uint8_t *p;
	size_t size;
	uint8_t tag;
};

static void test_heap_vs_model(void **state)
{
	(void)state;
	small_machine();
	size_t free0 = dmp_page_free_count();
	struct obj objs[400];
	size_t n = 0;
	uint64_t rng = 99;
	for (int step = 0; step < 20000; step++) {
		if (n < 400 && (fixture_rand(&rng) % 2 || n == 0)) {
			size_t size = (fixture_rand(&rng) % 8 == 0) ? 1 + fixture_rand(&rng) % 20000
								  : 1 + fixture_rand(&rng) % 2048;
			uint8_t *p = dmp_kmalloc(size, fixture_rand(&rng) % 2 ? DMP_GFP_ZERO : 0);
			assert_non_null(p);
			assert_true(DMP_IS_ALIGNED((uintptr_t)p, DMP_KMALLOC_MINALIGN));
			assert_true(dmp_is_dma_memory(p, size));
			assert_true(dmp_ksize(p) >= size);
			/* no overlap with any live object: check their tags survive */
			uint8_t tag = (uint8_t)(fixture_rand(&rng) | 1);
			memset(p, tag, size);
			objs[n++] = (struct obj){ p, size, tag };
		} else {
			size_t k = (size_t)(fixture_rand(&rng) % n);
			for (size_t i = 0; i < objs[k].size; i++)
				assert_int_equal(objs[k].p[i], objs[k].tag);
			dmp_kfree(objs[k].p);
			objs[k] = objs[--n];
		}
	}
	while (n)
		dmp_kfree(objs[--n].p);
	assert_int_equal(dmp_page_free_count(), free0); /* nothing leaked */
	dmp_sim_destroy(dmp_sim_current());
}

static void test_heap_errors(void **state)
{
	(void)state;
	small_machine();
	size_t free0 = dmp_page_free_count();
	uint8_t *p = dmp_kzalloc(100, DMP_GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(dmp_ksize(p), 128);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	dmp_kfree(p + 1);     /* not an object: reported, ignored */
	assert_int_equal(dmp_ksize(p), 128);
	int local;
	dmp_kfree(&local);    /* foreign */
	dmp_kfree(NULL);
	dmp_kfree(p);
	assert_int_equal(dmp_ksize(p), 0);
	dmp_kfree(p);         /* double free: reported, ignored */
	assert_int_equal(dmp_page_free_count(), free0);
	/* failure injection: heap site, and the page site under it */
	dmp_fail_nth(DMP_FAIL_HEAP, 1);
	assert_null(dmp_kmalloc(64, 0));
	dmp_fail_nth(DMP_FAIL_PAGE, 1);
	assert_null(dmp_kmalloc(64, 0));   /* a new slab page was needed */
	void *big = dmp_kmalloc(3 << 12, 0); /* works again: a 4-page block */
	assert_non_null(big);
	assert_int_equal(dmp_ksize(big), 4 << 12);
	assert_int_equal(dmp_page_free_count(), free0 - 4);
	dmp_kfree(big);
	assert_int_equal(dmp_page_free_count(), free0);
	dmp_sim_destroy(dmp_sim_current());
}

/* Reserved ranges never come out of the allocator; a busy range is refused whole. */
static void test_mem_reserve(void **state)
{
	(void)state;
	small_machine();
	size_t free0 = dmp_page_free_count();
	dmp_phys_t base = 0x80000000ull + 0x123000; /* not aligned to any big block */
	assert_int_equal(dmp_mem_reserve(base, 37 * 4096), 0);
	assert_int_equal(dmp_page_free_count(), free0 - 37);
	assert_int_equal(dmp_mem_reserve(base + 4096, 4096), -EBUSY); /* already reserved */
	assert_int_equal(dmp_mem_reserve(base + 1, 4096), -EINVAL);
	assert_int_equal(dmp_mem_reserve(0x1000, 4096), -EINVAL);
	/* allocate everything: nothing lands in the reserved range */
	dmp_phys_t p;
	size_t n = 0;
	while (dmp_page_alloc(0, 0, DMP_PHYS_ANY, &p) == 0) {
		assert_false(p >= base && p < base + 37 * 4096);
		n++;
	}
	assert_int_equal(n, free0 - 37);
	/* a range with a page in use is refused, and nothing changes */
	size_t before = dmp_page_free_count();
	assert_int_equal(dmp_page_free(0x80000000ull, 0), 0);
	assert_int_equal(dmp_page_free(0x80002000ull, 0), 0);
	assert_int_equal(dmp_mem_reserve(0x80000000ull, 3 * 4096), -EBUSY);
	assert_int_equal(dmp_page_free_count(), before + 2);
	assert_int_equal(dmp_page_free(0x80000000ull, 0), -EINVAL); /* it is free, not allocated */
	dmp_sim_destroy(dmp_sim_current());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_vs_model),
		cmocka_unit_test(test_pages_errors),
		cmocka_unit_test(test_heap_vs_model),
		cmocka_unit_test(test_heap_errors),
		cmocka_unit_test(test_mem_reserve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
