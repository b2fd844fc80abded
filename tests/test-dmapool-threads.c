/* test-dmapool-threads.c - two threads hammering one DMA pool (and run under
 * ThreadSanitizer by `make check`): every block a thread holds carries its
 * owner's stamp, checked before it is freed, so two owners of one block (a
 * race in the free lists) show up as a wrong stamp; the walker and the
 * counts agree at the end, and every page comes back. */
#include <pthread.h>
#include <string.h>

#include <dmaport/dmapool.h>

#include "support/sim-fixture.h"

#define ITERS 20000
#define HELD 64

struct worker {
	struct dmp_dma_pool *pool;
	size_t size;
	unsigned int id;
	uint64_t seed;
	unsigned long bad;
};

static void stamp(uint8_t *p, size_t n, unsigned id, unsigned seq)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(id * 31 + seq + i);
}

static bool stamped(const uint8_t *p, size_t n, unsigned id, unsigned seq)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(id * 31 + seq + i))
			return false;
	return true;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	uint8_t *va[HELD] = { 0 };
	dmp_addr_t dma[HELD];
	unsigned seq[HELD];
	for (unsigned it = 0; it < ITERS; it++) {
		unsigned k = (unsigned)(fixture_rand(&w->seed) % HELD);
		if (va[k]) {
			if (!stamped(va[k], w->size, w->id, seq[k]))
				w->bad++;
			dmp_pool_free(w->pool, va[k], dma[k]);
			va[k] = NULL;
		} else {
			va[k] = (it & 1) ? dmp_pool_zalloc(w->pool, DMP_GFP_ATOMIC, &dma[k])
					 : dmp_pool_alloc(w->pool, DMP_GFP_KERNEL, &dma[k]);
			if (!va[k]) {
				w->bad++;
				continue;
			}
			seq[k] = it;
			stamp(va[k], w->size, w->id, it);
		}
	}
	for (unsigned k = 0; k < HELD; k++)
		if (va[k]) {
			if (!stamped(va[k], w->size, w->id, seq[k]))
				w->bad++;
			dmp_pool_free(w->pool, va[k], dma[k]);
		}
	return NULL;
}

static void hammer(size_t size, size_t align, size_t boundary, bool prewarm)
{
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "threads"), 0);
	/* coherent: cacheable blocks.  The simulator's write buffer for uncached
	 * memory is one machine-wide model, not meant to be driven from two
	 * threads at once; the pool is what is under test here */
	dmp_device_set_coherent(&dev, true);
	size_t base_free = dmp_page_free_count();
	struct dmp_dma_pool *pool = dmp_pool_create("hammer", &dev, size, align, boundary);
	assert_non_null(pool);
	/* with @prewarm the chunks both threads will need are allocated here
	 * first, so the threads hammer the block lists alone; without it they
	 * grow the pool at the same time (new chunks from the coherent path,
	 * the page-to-chunk table resized under the lock) */
	if (prewarm) {
		enum { PREWARM = 2 * HELD };
		void *pv[PREWARM];
		dmp_addr_t pd[PREWARM];
		for (unsigned i = 0; i < PREWARM; i++)
			assert_non_null(pv[i] = dmp_pool_alloc(pool, 0, &pd[i]));
		for (unsigned i = 0; i < PREWARM; i++)
			dmp_pool_free(pool, pv[i], pd[i]);
	}
	struct worker w[2];
	pthread_t t[2];
	for (unsigned i = 0; i < 2; i++) {
		w[i] = (struct worker){ pool, size, i + 1, 0x9e3779b9ull * (i + 7), 0 };
		assert_int_equal(pthread_create(&t[i], NULL, run, &w[i]), 0);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].bad, 0);
	assert_int_equal(w[1].bad, 0);
	assert_int_equal(dmp_pool_check(pool), 0);
	struct dmp_pool_stats st;
	dmp_pool_get_stats(pool, &st);
	assert_int_equal(st.nr_active, 0);
	/* every chunk was needed once: no more than both threads' peak
	 * (2 x HELD blocks at once, the prewarm's 2 x HELD) and what each
	 * thread's CPU cache may keep from the other (the depot's magazines
	 * are there for both) could fill, plus one each
	 * that a thread may open while the other's chunk has room */
	size_t peak = (2 * HELD + 2 * st.cache_blocks + st.blocks_per_chunk - 1) /
		      st.blocks_per_chunk;
	assert_true(st.nr_chunks >= 1 && st.nr_chunks <= peak + 2);
	dmp_pool_destroy(pool);
	assert_int_equal(dmp_page_free_count(), base_free);
	dmp_sim_destroy(sim);
}

static void test_small_blocks(void **state)
{
	(void)state;
	hammer(32, 16, 0, true);
	hammer(32, 16, 0, false);
}

static void test_boundary_blocks(void **state)
{
	(void)state;
	hammer(68, 32, 4096, true);
	hammer(68, 32, 4096, false);
}

static void test_page_blocks(void **state)
{
	(void)state;
	hammer(4096, 4096, 0, true);
	hammer(4096, 4096, 0, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_blocks),
		cmocka_unit_test(test_boundary_blocks),
		cmocka_unit_test(test_page_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
