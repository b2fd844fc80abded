/* test-dmapool.c - DMA pools against a brute-force model: random alloc/free
 * sequences over a sweep of (size, align, boundary) with the pool's walker
 * after every step; alignment, boundary, bus address and content of every
 * block; poison; double, foreign, misaligned and mismatched frees; destroy
 * with live blocks; managed pools; failure injection on every internal
 * allocation; a copy engine doing DMA into pool blocks on a non-coherent
 * device; the per-CPU caches (double frees of cached and spilled blocks, a
 * block cached by one thread freed by another, an allocation that finds no
 * memory taking another CPU's cached blocks). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/dma-map-ops.h>
#include <dmaport/dmapool.h>

#include "support/ce-driver.h"
#include "support/sim-fixture.h"

struct cfg {
	size_t size, align, boundary;
};

static const struct cfg configs[] = {
	{ 16, 16, 0 },     { 64, 64, 0 },    { 68, 32, 4096 }, { 100, 0, 0 },
	{ 1000, 64, 1024 }, { 3000, 8, 4096 }, { 4096, 4096, 0 }, { 5000, 0, 0 },
	{ 24, 8, 64 },     { 1, 0, 0 },      { 40, 8, 128 },   { 8192, 8192, 0 },
};

struct live {
	uint8_t *va;
	dmp_addr_t dma;
	uint8_t seed;
};

static void setup_dev(struct dmp_device *dev)
{
	assert_int_equal(dmp_device_init(dev, "pooldev"), 0);
	dmp_device_set_coherent(dev, false);
}

static size_t rounded(const struct cfg *c)
{
	size_t a = c->align ? c->align : 1;
	return (c->size + a - 1) & ~(a - 1);
}

static void check_block(struct dmp_device *dev, const struct cfg *c, const uint8_t *va,
			dmp_addr_t dma, struct live *live, size_t nlive)
{
	size_t size = rounded(c);
	size_t a = c->align ? c->align : 1;
	assert_non_null(va);
	/* the CPU alias of simulated memory is page aligned, no more */
	assert_true(((uintptr_t)va & (DMP_MIN(a, DMP_PAGE_SIZE) - 1)) == 0);
	assert_true((dma & (a - 1)) == 0);
	if (c->boundary) {
		assert_true(dma / c->boundary == (dma + size - 1) / c->boundary);
		if (c->boundary <= DMP_PAGE_SIZE)
			assert_true((uintptr_t)va / c->boundary ==
				    ((uintptr_t)va + size - 1) / c->boundary);
	}
	dmp_phys_t phys;
	assert_int_equal(dmp_virt_to_phys(va, &phys), 0);
	assert_true(dmp_phys_to_dma(dev, phys) == dma);
	for (size_t i = 0; i < nlive; i++) /* brute force: no overlap with any live block */
		assert_true(va + size <= live[i].va || live[i].va + size <= va);
}

static void run_model(const struct cfg *c, uint64_t seed, int steps)
{
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	setup_dev(&dev);
	size_t base_free = dmp_page_free_count();
	struct dmp_dma_pool *pool = dmp_pool_create("model", &dev, c->size, c->align, c->boundary);
	assert_non_null(pool);
	size_t size = rounded(c);
	enum { MAXLIVE = 300 };
	struct live live[MAXLIVE];
	size_t nlive = 0;
	uint64_t s = seed;
	struct dmp_pool_stats before = { 0 };
	for (int step = 0; step < steps; step++) {
		uint64_t r = fixture_rand(&s);
		dmp_pool_get_stats(pool, &before);
		bool do_alloc = nlive == 0 || (nlive < MAXLIVE && (r % 100) < 55);
		if (do_alloc) {
			dmp_addr_t dma;
			bool zero = (r >> 8) & 1;
			uint8_t *va = zero ? dmp_pool_zalloc(pool, DMP_GFP_KERNEL, &dma)
					   : dmp_pool_alloc(pool, DMP_GFP_KERNEL, &dma);
			check_block(&dev, c, va, dma, live, nlive);
			for (size_t i = 0; i < size; i++)
				assert_int_equal(va[i], zero ? 0 : DMP_POOL_POISON_ALLOCATED);
			uint8_t sd = (uint8_t)(r >> 16);
			for (size_t i = 0; i < size; i++)
				va[i] = (uint8_t)(sd + i * 7);
			live[nlive++] = (struct live){ va, dma, sd };
		} else {
			size_t k = (size_t)((r >> 8) % nlive);
			struct live b = live[k];
			live[k] = live[--nlive];
			/* nobody else wrote into it: the blocks never overlapped */
			for (size_t i = 0; i < size; i++)
				assert_int_equal(b.va[i], (uint8_t)(b.seed + i * 7));
			dmp_pool_free(pool, b.va, b.dma);
			for (size_t i = 0; i < size; i++) /* the poison is visible */
				assert_int_equal(b.va[i], DMP_POOL_POISON_FREED);
		}
		assert_int_equal(dmp_pool_check(pool), 0);
		struct dmp_pool_stats st;
		dmp_pool_get_stats(pool, &st);
		assert_int_equal(st.nr_active, nlive);
		assert_int_equal(st.block_size, size);
		assert_true(st.nr_blocks >= nlive);
		/* the model of the pool's memory, as Linux's: a chunk is added
		 * only when every block is in use, one at a time, and chunks stay
		 * until the pool is destroyed */
		if (do_alloc && st.nr_chunks != before.nr_chunks) {
			assert_int_equal(st.nr_chunks, before.nr_chunks + 1);
			assert_int_equal(before.nr_active, before.nr_blocks);
		} else {
			assert_int_equal(st.nr_chunks, before.nr_chunks);
		}
	}
	while (nlive) {
		nlive--;
		dmp_pool_free(pool, live[nlive].va, live[nlive].dma);
	}
	assert_int_equal(dmp_pool_check(pool), 0);
	dmp_pool_destroy(pool);
	assert_int_equal(dmp_page_free_count(), base_free);
	dmp_sim_destroy(sim);
}

static void test_model_sweep(void **state)
{
	(void)state;
	for (size_t i = 0; i < DMP_ARRAY_SIZE(configs); i++)
		run_model(&configs[i], 0x1234567ull + i * 977, 1500);
}

static void test_layout_dense(void **state)
{
	/* every block of a chunk is used before a new chunk is taken, and the
	 * number of blocks per chunk is Linux's carving */
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	setup_dev(&dev);
	struct { struct cfg c; size_t per_chunk; } want[] = {
		{ { 16, 16, 0 }, 256 }, { { 68, 32, 4096 }, 42 }, { { 96, 32, 256 }, 32 },
		{ { 1000, 8, 0 }, 4 },  { { 4096, 4096, 0 }, 1 }, { { 5000, 0, 0 }, 1 },
	};
	for (size_t i = 0; i < DMP_ARRAY_SIZE(want); i++) {
		struct dmp_dma_pool *pool =
			dmp_pool_create("dense", &dev, want[i].c.size, want[i].c.align,
					want[i].c.boundary);
		assert_non_null(pool);
		struct dmp_pool_stats st;
		dmp_pool_get_stats(pool, &st);
		assert_int_equal(st.blocks_per_chunk, want[i].per_chunk);
		void *va[600];
		dmp_addr_t dma[600];
		size_t n = want[i].per_chunk * 2 + 1;
		for (size_t k = 0; k < n; k++) {
			va[k] = dmp_pool_alloc(pool, 0, &dma[k]);
			assert_non_null(va[k]);
			dmp_pool_get_stats(pool, &st);
			assert_int_equal(st.nr_chunks, k / want[i].per_chunk + 1);
		}
		for (size_t k = 0; k < n; k++)
			dmp_pool_free(pool, va[k], dma[k]);
		assert_int_equal(dmp_pool_check(pool), 0);
		dmp_pool_destroy(pool);
	}
	dmp_sim_destroy(sim);
}

static void test_invalid_create(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	setup_dev(&dev);
	fixture_log_start();
	assert_null(dmp_pool_create("bad", &dev, 0, 8, 0));
	assert_null(dmp_pool_create("bad", &dev, 16, 3, 0));
	assert_null(dmp_pool_create("bad", &dev, 16, 8, 8));
	assert_null(dmp_pool_create("bad", &dev, 16, 8, 48));
	assert_null(dmp_pool_create("bad", NULL, 16, 8, 0));
	assert_true(fixture_log_has("dma_pool_create", "boundary", NULL));
	fixture_log_stop();
	dmp_sim_destroy(sim);
}

static void test_bad_frees(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	setup_dev(&dev);
	struct dmp_dma_pool *pool = dmp_pool_create("victim", &dev, 64, 64, 0);
	struct dmp_dma_pool *other = dmp_pool_create("other", &dev, 64, 64, 0);
	dmp_addr_t d1, d2, d3;
	uint8_t *a = dmp_pool_alloc(pool, 0, &d1);
	uint8_t *b = dmp_pool_alloc(pool, 0, &d2);
	uint8_t *o = dmp_pool_alloc(other, 0, &d3);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(o);
	memset(b, 0x5c, 64);
	dmp_pool_free(pool, a, d1);
	struct dmp_pool_stats before, after;
	dmp_pool_get_stats(pool, &before);

	fixture_log_start();
	dmp_pool_free(pool, a, d1); /* double free */
	assert_true(fixture_log_has("dma_pool_free", "victim", "pooldev", "double free", NULL));
	fixture_log_start();
	dmp_pool_free(pool, o, d3); /* another pool's block */
	assert_true(fixture_log_has("victim", "not allocated from this pool", NULL));
	fixture_log_start();
	void *k = dmp_kmalloc(64, 0);
	dmp_pool_free(pool, k, 0); /* not pool memory at all */
	assert_true(fixture_log_has("victim", "not allocated from this pool", NULL));
	dmp_kfree(k);
	fixture_log_start();
	dmp_pool_free(pool, b + 8, d2 + 8); /* inside a block */
	assert_true(fixture_log_has("victim", "not the start of a block", NULL));
	fixture_log_start();
	dmp_pool_free(pool, b, d2 + 64); /* wrong bus address */
	assert_true(fixture_log_has("victim", "bus address does not match", NULL));
	fixture_log_stop();

	/* nothing changed: b is still live with its data, a still free */
	dmp_pool_get_stats(pool, &after);
	assert_int_equal(after.nr_active, before.nr_active);
	assert_int_equal(dmp_pool_check(pool), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(b[i], 0x5c);
	for (int i = 0; i < 64; i++)
		assert_int_equal(a[i], DMP_POOL_POISON_FREED);

	/* a write after free is reported when the block is handed out again */
	a[10] = 1;
	assert_int_not_equal(dmp_pool_check(pool), 0);
	fixture_log_start();
	dmp_addr_t d4;
	uint8_t *again = dmp_pool_alloc(pool, 0, &d4);
	assert_ptr_equal(again, a);
	assert_true(fixture_log_has("victim", "written after it was freed", NULL));
	fixture_log_stop();
	assert_int_equal(dmp_pool_check(pool), 0);
	dmp_pool_free(pool, again, d4);
	dmp_pool_free(pool, b, d2);
	dmp_pool_free(other, o, d3);
	dmp_pool_destroy(pool);
	dmp_pool_destroy(other);
	dmp_sim_destroy(sim);
}

/* The per-CPU caches.  64-byte blocks: 64 per chunk, and magazines of 64. */
struct frees {
	struct dmp_dma_pool *pool;
	uint8_t **va;
	dmp_addr_t *dma;
	size_t n;
};

static void *free_them(void *arg)
{
	struct frees *f = arg;
	for (size_t i = 0; i < f->n; i++)
		dmp_pool_free(f->pool, f->va[i], f->dma[i]);
	return NULL;
}

/* @n blocks of @va freed by another thread (another CPU slot). */
static void free_elsewhere(struct dmp_dma_pool *pool, uint8_t **va, dmp_addr_t *dma, size_t n)
{
	struct frees f = { pool, va, dma, n };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, free_them, &f), 0);
	pthread_join(t, NULL);
}

static void test_cpu_caches(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	setup_dev(&dev);
	size_t base_free = dmp_page_free_count();
	struct dmp_dma_pool *pool = dmp_pool_create("cached", &dev, 64, 64, 0);
	assert_non_null(pool);
	struct dmp_pool_stats st;
	dmp_pool_get_stats(pool, &st);
	assert_int_equal(st.blocks_per_chunk, 64);
	assert_int_equal(st.cache_blocks, 128);

	/* Every block of three chunks, then all freed by another thread: two
	 * magazines of its CPU and one in the depot hold them. */
	enum { N = 192 };
	uint8_t *va[N];
	dmp_addr_t dma[N];
	for (size_t i = 0; i < N; i++)
		assert_non_null(va[i] = dmp_pool_alloc(pool, 0, &dma[i]));
	free_elsewhere(pool, va, dma, N);
	dmp_pool_get_stats(pool, &st);
	assert_int_equal(st.nr_active, 0);
	assert_int_equal(st.nr_cached, N);
	assert_int_equal(dmp_pool_check(pool), 0);
	/* a second free is refused wherever the block waits: in the depot's
	 * magazine (the second 64), in the other CPU's (from here and from
	 * another thread) */
	fixture_log_start();
	dmp_pool_free(pool, va[64], dma[64]);
	assert_true(fixture_log_has("dma_pool_free", "cached", "double free", NULL));
	fixture_log_start();
	dmp_pool_free(pool, va[N - 1], dma[N - 1]);
	assert_true(fixture_log_has("dma_pool_free", "cached", "double free", NULL));
	fixture_log_start();
	free_elsewhere(pool, &va[N - 1], &dma[N - 1], 1);
	assert_true(fixture_log_has("dma_pool_free", "cached", "double free", NULL));
	fixture_log_stop();

	/* This thread takes the depot's full magazine, not a new chunk. */
	for (size_t i = 0; i < 64; i++) {
		assert_non_null(va[i] = dmp_pool_alloc(pool, 0, &dma[i]));
		assert_true(va[i] >= va[64] - 64 * 64 && va[i] < va[64] + 64 * 64);
	}
	dmp_pool_get_stats(pool, &st);
	assert_int_equal(st.nr_chunks, 3);
	assert_int_equal(st.nr_active, 64);
	assert_int_equal(st.nr_cached, N - 64);
	assert_int_equal(dmp_pool_check(pool), 0);
	for (size_t i = 0; i < 64; i++)
		dmp_pool_free(pool, va[i], dma[i]);

	/* Turning poisoning on or off puts every cached block back on the
	 * lists; a second free of one of them is refused there too. */
	dmp_pool_set_debug(pool, false);
	dmp_pool_get_stats(pool, &st);
	assert_int_equal(st.nr_cached, 0);
	assert_int_equal(dmp_pool_check(pool), 0);
	fixture_log_start();
	dmp_pool_free(pool, va[5], dma[5]);
	assert_true(fixture_log_has("dma_pool_free", "cached", "double free", NULL));
	fixture_log_stop();

	/* Every block allocated again, a few freed by another thread into its
	 * cache: with no page to be had, this thread's next allocation takes
	 * one of those, not a new chunk, and the rest go back on the lists. */
	for (size_t i = 0; i < N; i++)
		assert_non_null(va[i] = dmp_pool_alloc(pool, 0, &dma[i]));
	dmp_pool_get_stats(pool, &st);
	assert_int_equal(st.nr_chunks, 3);
	assert_int_equal(st.nr_active, N);
	free_elsewhere(pool, va, dma, 5);
	dmp_pool_get_stats(pool, &st);
	assert_int_equal(st.nr_cached, 5);
	dmp_fail_nth(DMP_FAIL_PAGE, 1);
	dmp_addr_t d;
	uint8_t *got = dmp_pool_alloc(pool, DMP_GFP_NOWARN, &d);
	dmp_fail_nth(DMP_FAIL_PAGE, 0);
	assert_non_null(got);
	bool was_freed = false;
	for (size_t i = 0; i < 5; i++)
		was_freed |= got == va[i] && d == dma[i];
	assert_true(was_freed);
	dmp_pool_get_stats(pool, &st);
	assert_int_equal(st.nr_chunks, 3);
	assert_int_equal(st.nr_active, N - 4);
	assert_int_equal(st.nr_cached, 0);
	assert_int_equal(dmp_pool_check(pool), 0);
	dmp_pool_free(pool, got, d);
	for (size_t i = 5; i < N; i++)
		dmp_pool_free(pool, va[i], dma[i]);
	assert_int_equal(dmp_pool_check(pool), 0);
	dmp_pool_destroy(pool);
	assert_int_equal(dmp_page_free_count(), base_free);
	dmp_sim_destroy(sim);
}

static void test_destroy_with_live_blocks(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	setup_dev(&dev);
	size_t base_free = dmp_page_free_count();
	struct dmp_dma_pool *pool = dmp_pool_create("leaky", &dev, 1024, 0, 0); /* 4 per chunk */
	void *va[16];
	dmp_addr_t dma[16];
	for (int i = 0; i < 16; i++)
		va[i] = dmp_pool_alloc(pool, 0, &dma[i]);
	/* chunks 0 and 2 (blocks 0-3, 8-11) emptied; one block each left in 1 and 3 */
	for (int i = 0; i < 16; i++)
		if (i != 5 && i != 14)
			dmp_pool_free(pool, va[i], dma[i]);
	memset(va[5], 0x11, 1024); /* "the device is still writing here" */
	fixture_log_start();
	dmp_pool_destroy(pool);
	assert_int_equal(fixture_log_count(), 2);
	char buf[64];
	snprintf(buf, sizeof(buf), "%p", va[5]);
	assert_true(fixture_log_has("dma_pool_destroy", "leaky", "pooldev", buf, NULL));
	snprintf(buf, sizeof(buf), "%p", va[14]);
	assert_true(fixture_log_has("dma_pool_destroy", "leaky", buf, "still allocated", NULL));
	fixture_log_stop();
	/* the two chunks with live blocks are leaked, untouched; the rest came back */
	assert_int_equal(dmp_page_free_count(), base_free - 2);
	for (int i = 0; i < 1024; i++)
		assert_int_equal(((uint8_t *)va[5])[i], 0x11);
	/* the driver's late cleanup: give the leaked chunks back by hand */
	uint8_t *c5 = (uint8_t *)((uintptr_t)va[5] & ~(uintptr_t)(DMP_PAGE_SIZE - 1));
	uint8_t *c14 = (uint8_t *)((uintptr_t)va[14] & ~(uintptr_t)(DMP_PAGE_SIZE - 1));
	dmp_free_coherent(&dev, DMP_PAGE_SIZE, c5, dma[5] - (dmp_addr_t)((uint8_t *)va[5] - c5));
	dmp_free_coherent(&dev, DMP_PAGE_SIZE, c14,
			  dma[14] - (dmp_addr_t)((uint8_t *)va[14] - c14));
	assert_int_equal(dmp_page_free_count(), base_free);
	dmp_sim_destroy(sim);
}

static void test_managed(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev, dev2;
	setup_dev(&dev);
	assert_int_equal(dmp_device_init(&dev2, "other"), 0);
	size_t base_free = dmp_page_free_count();
	struct dmp_dma_pool *p1 = dmp_pool_create_managed("m1", &dev, 32, 0, 0);
	struct dmp_dma_pool *p2 = dmp_pool_create_managed("m2", &dev, 512, 0, 0);
	struct dmp_dma_pool *p3 = dmp_pool_create_managed("m3", &dev, 128, 0, 0);
	struct dmp_dma_pool *q = dmp_pool_create_managed("q", &dev2, 64, 0, 0);
	assert_non_null(p1);
	assert_non_null(p2);
	assert_non_null(p3);
	assert_non_null(q);
	dmp_addr_t d;
	void *v1 = dmp_pool_alloc(p1, 0, &d);
	dmp_pool_free(p1, v1, d);
	void *v2 = dmp_pool_alloc(p2, 0, &d);
	dmp_pool_free(p2, v2, d);
	dmp_addr_t dq;
	void *vq = dmp_pool_alloc(q, 0, &dq);
	dmp_pool_destroy(p3); /* an explicit destroy leaves the managed list */
	dmp_device_release_managed(&dev);
	/* dev2's pool survives */
	assert_int_equal(dmp_pool_check(q), 0);
	dmp_pool_free(q, vq, dq);
	dmp_device_release_managed(&dev2);
	dmp_device_release_managed(&dev2); /* nothing left: a no-op */
	assert_int_equal(dmp_page_free_count(), base_free);
	/* dmp_device_remove releases what is left, as devres at unbind */
	struct dmp_dma_pool *r = dmp_pool_create_managed("r", &dev, 64, 0, 0);
	assert_non_null(r);
	void *vr = dmp_pool_alloc(r, 0, &d);
	assert_non_null(vr);
	dmp_pool_free(r, vr, d);
	assert_true(dmp_page_free_count() < base_free); /* the pool keeps its chunk */
	dmp_device_remove(&dev);
	assert_int_equal(dmp_page_free_count(), base_free);
	dmp_sim_destroy(sim);
}

/* A create + a workload that needs several chunks and grows the address table. */
static bool workload(struct dmp_device *dev, size_t *nfailed)
{
	struct dmp_dma_pool *pool = dmp_pool_create("inject", dev, 2048, 0, 0);
	if (!pool)
		return false;
	void *va[40];
	dmp_addr_t dma[40];
	for (int i = 0; i < 40; i++) {
		va[i] = dmp_pool_alloc(pool, DMP_GFP_NOWARN, &dma[i]);
		if (!va[i]) {
			(*nfailed)++;
			assert_true(dma[i] == DMP_MAPPING_ERROR);
		}
	}
	assert_int_equal(dmp_pool_check(pool), 0);
	for (int i = 0; i < 40; i += 2)
		dmp_pool_free(pool, va[i], dma[i]);
	for (int i = 1; i < 40; i += 2)
		dmp_pool_free(pool, va[i], dma[i]);
	assert_int_equal(dmp_pool_check(pool), 0);
	dmp_pool_destroy(pool);
	return true;
}

static void test_failure_injection(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	setup_dev(&dev);
	size_t base_free = dmp_page_free_count();
	enum dmp_fail_site sites[] = { DMP_FAIL_PAGE, DMP_FAIL_HEAP };
	for (size_t s = 0; s < 2; s++) {
		int failures_seen = 0;
		for (unsigned long nth = 1;; nth++) {
			size_t nfailed = 0;
			dmp_fail_nth(sites[s], nth);
			bool created = workload(&dev, &nfailed);
			unsigned long calls = dmp_fail_calls(sites[s]);
			dmp_fail_nth(sites[s], 0);
			assert_int_equal(dmp_page_free_count(), base_free);
			if (!created || nfailed)
				failures_seen++;
			if (calls < nth)
				break; /* the injected failure was never reached: all paths walked */
		}
		assert_true(failures_seen > 3);
	}
	dmp_sim_destroy(sim);
}

/* The copy engine writes into pool blocks and copies between them. */
static void test_device_dma_into_blocks(void **state)
{
	(void)state;
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	struct dmp_sim *sim = fixture_sim(&cfg);
	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = "ce0", .port_bits = 32, .coherent = false,
					    .mmio_base = CE_TEST_MMIO };
	assert_int_equal(dmp_sim_copy_engine_create(sim, &dc, &hw), 0);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "ce0"), 0);
	dev.hw = hw;
	struct ce_driver ce;
	assert_int_equal(ce_probe(&ce, &dev, CE_TEST_MMIO, 16), 0);
	struct dmp_dma_pool *pool = dmp_pool_create("ce-bufs", &dev, 200, 64, 4096);
	assert_non_null(pool);
	enum { N = 60 };
	uint8_t *va[N];
	dmp_addr_t dma[N];
	for (int i = 0; i < N; i++) {
		va[i] = dmp_pool_alloc(pool, 0, &dma[i]);
		assert_non_null(va[i]);
		assert_int_equal(ce_fill(&ce, (uint8_t)(0x30 + i), dma[i], 200), 0);
	}
	for (int i = 0; i < N; i++)
		for (int k = 0; k < 200; k++)
			assert_int_equal(va[i][k], (uint8_t)(0x30 + i));
	/* CPU writes a pattern, the device copies block i into block i+1 */
	for (int i = 0; i + 1 < N; i += 2) {
		for (int k = 0; k < 200; k++)
			va[i][k] = (uint8_t)(k ^ i);
		dmp_wmb();
		assert_int_equal(ce_copy(&ce, dma[i], dma[i + 1], 200), 0);
		for (int k = 0; k < 200; k++)
			assert_int_equal(va[i + 1][k], (uint8_t)(k ^ i));
	}
	for (int i = 0; i < N; i++)
		dmp_pool_free(pool, va[i], dma[i]);
	assert_int_equal(dmp_pool_check(pool), 0);
	dmp_pool_destroy(pool);
	ce_remove(&ce);
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_sweep),
		cmocka_unit_test(test_layout_dense),
		cmocka_unit_test(test_invalid_create),
		cmocka_unit_test(test_bad_frees),
		cmocka_unit_test(test_cpu_caches),
		cmocka_unit_test(test_destroy_with_live_blocks),
		cmocka_unit_test(test_managed),
		cmocka_unit_test(test_failure_injection),
		cmocka_unit_test(test_device_dma_into_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
