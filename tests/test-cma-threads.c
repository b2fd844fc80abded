/* test-cma-threads.c - two threads hammering the page-granular allocators
 * (run under ThreadSanitizer by `make check`): a CMA area, a device's
 * declared coherent memory, and the atomic pool.  Every allocation a thread
 * holds carries its owner's stamp in its first and last bytes, checked before
 * it is released: two owners of the same pages show up as a wrong stamp.  The
 * walkers and counts agree at the end. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <dmaport/cma.h>
#include <dmaport/coherent.h>
#include <dmaport/dma-map-ops.h>

#include "dma/alloc-internal.h"
#include "support/sim-fixture.h"

#define ITERS 4000
#define HELD 16

enum which { W_CMA, W_COHERENT, W_ATOMIC };

struct worker {
	enum which which;
	struct dmp_cma *cma;
	struct dmp_device *dev;
	unsigned int id;
	uint64_t seed;
	unsigned long bad, failed;
};

struct held {
	uint8_t *va;
	dmp_phys_t phys;
	size_t bytes;
	uint32_t stamp;
};

static void put_stamp(struct held *h)
{
	memcpy(h->va, &h->stamp, 4);
	memcpy(h->va + h->bytes - 4, &h->stamp, 4);
}

static bool has_stamp(const struct held *h)
{
	uint32_t a, b;
	memcpy(&a, h->va, 4);
	memcpy(&b, h->va + h->bytes - 4, 4);
	return a == h->stamp && b == h->stamp;
}

/* Page ownership, kept by the test beside the allocators: a page handed to
 * two holders at once is caught here at once, whatever the stamps say. */
#define OWNER_BASE 0x80000000ull
#define OWNER_PAGES (3u << 18) /* 3 GiB from 0x8000_0000: the default machine's
				  regions at 2 GiB and 4 GiB, 1 GiB each */
static _Atomic unsigned char owner[OWNER_PAGES];

static size_t owner_index(const void *va)
{
	dmp_phys_t phys;
	assert_int_equal(dmp_virt_to_phys(va, &phys), 0);
	size_t i = (size_t)((phys - OWNER_BASE) >> DMP_PAGE_SHIFT);
	assert_true(phys >= OWNER_BASE && i < OWNER_PAGES);
	return i;
}

static bool own(const struct held *h, unsigned int id)
{
	size_t first = owner_index(h->va);
	bool ok = true;
	assert_true(first + h->bytes / DMP_PAGE_SIZE <= OWNER_PAGES);
	for (size_t i = 0; i < h->bytes / DMP_PAGE_SIZE; i++) {
		unsigned char free_mark = 0;
		if (!atomic_compare_exchange_strong(&owner[first + i], &free_mark, (unsigned char)id))
			ok = false;
	}
	return ok;
}

static bool disown(const struct held *h, unsigned int id)
{
	size_t first = owner_index(h->va);
	bool ok = true;
	for (size_t i = 0; i < h->bytes / DMP_PAGE_SIZE; i++) {
		unsigned char mine = (unsigned char)id;
		if (!atomic_compare_exchange_strong(&owner[first + i], &mine, 0))
			ok = false;
	}
	return ok;
}

static bool get(struct worker *w, struct held *h, size_t pages)
{
	h->bytes = pages * DMP_PAGE_SIZE;
	switch (w->which) {
	case W_CMA:
		if (dmp_cma_alloc(w->cma, pages, (unsigned int)(pages & 3), DMP_GFP_NOWARN, &h->phys))
			return false;
		h->va = dmp_phys_to_virt(h->phys);
		return true;
	case W_COHERENT: {
		void *va;
		dmp_addr_t dma;
		dmp__alloc_from_dev_coherent(w->dev, h->bytes, &dma, &va);
		h->va = va;
		return va != NULL;
	}
	case W_ATOMIC:
		h->va = dmp__atomic_pool_alloc(w->dev, h->bytes, &h->phys, true);
		return h->va != NULL;
	}
	return false;
}

static void put(struct worker *w, struct held *h)
{
	switch (w->which) {
	case W_CMA:
		if (dmp_cma_release(w->cma, h->phys, h->bytes / DMP_PAGE_SIZE))
			w->bad++;
		break;
	case W_COHERENT:
		if (dmp__release_from_dev_coherent(w->dev, h->bytes, h->va) != 1)
			w->bad++;
		break;
	case W_ATOMIC:
		if (!dmp__atomic_pool_free(h->va, h->bytes))
			w->bad++;
		break;
	}
	h->va = NULL;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct held h[HELD];
	memset(h, 0, sizeof(h));
	for (unsigned it = 0; it < ITERS; it++) {
		uint64_t x = fixture_rand(&w->seed);
		struct held *k = &h[x % HELD];
		if (k->va) {
			if (!has_stamp(k) || !disown(k, w->id))
				w->bad++;
			put(w, k);
		} else if (get(w, k, 1 + (size_t)((x >> 8) % 4))) {
			if (!own(k, w->id))
				w->bad++;
			k->stamp = (w->id << 24) | it;
			put_stamp(k);
		} else {
			w->failed++; /* the other thread holds the room: fine */
		}
	}
	for (unsigned i = 0; i < HELD; i++)
		if (h[i].va) {
			if (!has_stamp(&h[i]) || !disown(&h[i], w->id))
				w->bad++;
			put(w, &h[i]);
		}
	return NULL;
}

static void hammer(enum which which, struct dmp_cma *cma, struct dmp_device *dev)
{
	struct worker w[2];
	pthread_t t[2];
	for (unsigned i = 0; i < 2; i++) {
		w[i] = (struct worker){ which, cma, dev, i + 1, 0x51ed2701ull * (i + 3), 0, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, run, &w[i]), 0);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].bad + w[1].bad, 0);
}

static void test_cma_threads(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_cma *cma;
	assert_int_equal(dmp_cma_declare(0, 512 * DMP_PAGE_SIZE, DMP_PHYS_ANY, 0, 0, "threads",
					 &cma), 0);
	hammer(W_CMA, cma, NULL);
	assert_int_equal(dmp_cma_check(cma), 0);
	struct dmp_cma_stats st;
	dmp_cma_get_stats(cma, &st);
	assert_int_equal(st.free_pages, 512);
	assert_int_equal(dmp_cma_destroy(cma), 0);
	dmp_sim_destroy(sim);
}

static void test_coherent_threads(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "threads"), 0);
	/* coherent: the region stays cacheable (the simulator's write buffer for
	 * uncached memory is not meant to be driven from two threads at once) */
	dmp_device_set_coherent(&dev, true);
	dmp_phys_t phys;
	assert_int_equal(dmp_page_alloc(7, 0, 0xffffffffu, &phys), 0);
	assert_int_equal(dmp_declare_coherent_memory(&dev, phys, phys, 128 * DMP_PAGE_SIZE), 0);
	hammer(W_COHERENT, NULL, &dev);
	assert_int_equal(dmp_coherent_check(&dev), 0);
	assert_int_equal(dmp_release_coherent_memory(&dev), 0);
	dmp_page_free(phys, 7);
	dmp_sim_destroy(sim);
}

static void test_atomic_pool_threads(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "threads"), 0);
	/* room for everything both threads can hold (2 x 16 x 4 pages): no
	 * exhaustion report, whose capture in the fixture is single-threaded */
	assert_int_equal(dmp_atomic_pool_init(128 * DMP_PAGE_SIZE), 0);
	hammer(W_ATOMIC, NULL, &dev);
	assert_int_equal(dmp_atomic_pool_check(), 0);
	struct dmp_atomic_pool_stats st;
	assert_int_equal(dmp_atomic_pool_get_stats(&st), 0);
	assert_int_equal(st.nr_allocs, 0);
	assert_int_equal(dmp_atomic_pool_destroy(), 0);
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cma_threads),
		cmocka_unit_test(test_coherent_threads),
		cmocka_unit_test(test_atomic_pool_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
