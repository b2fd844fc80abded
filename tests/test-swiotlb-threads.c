/*
 * test-swiotlb-threads.c - the swiotlb pool under concurrent use.
 *
 * Two mapper threads map and unmap through one pool at once, each with its
 * own data; a third runs the consistency walker over and over while they do.
 * Every slot a live mapping holds is claimed in a shared owner table with an
 * atomic exchange, so two live bounce buffers that overlap are caught at the
 * moment the second is mapped; each thread also checks that its bounce
 * buffers still hold its own bytes before it unmaps them, and that the data
 * round-trips (copy-in on map, copy-back on unmap).  make check runs this
 * under ThreadSanitizer.  Threads report through counters: cmocka's
 * assertions are for the main thread only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nanosleep */
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dmaport/swiotlb.h>

#include "support/sim-fixture.h"

#define NTHREADS 2
#define ITERS 2000
#define LIVE 12
#define MAXSIZE (16 * 1024)
#define SLOT DMP_IO_TLB_SIZE

struct shared {
	struct dmp_swiotlb_pool *pool;
	_Atomic int *owner;          /* per slot: thread id + 1, or 0 */
	_Atomic unsigned long errors;
	_Atomic unsigned long overlaps;
	_Atomic unsigned long maps, fulls;
	_Atomic int mappers_running;
};

struct worker {
	struct shared *sh;
	int id;
	uint64_t rng;
	uint8_t *arena; /* LIVE original buffers of up to MAXSIZE at a random offset */
};

struct live_map {
	uint8_t *orig;
	dmp_phys_t orig_phys, tlb;
	size_t size;
	enum dmp_data_direction dir;
	uint8_t dev_byte;
};

static void thread_error(struct shared *sh)
{
	atomic_fetch_add(&sh->errors, 1);
}

/* Slots a mapping of @size at @tlb covers (at least; padding is not counted). */
static void slot_span(struct shared *sh, dmp_phys_t tlb, size_t size, size_t *first, size_t *end)
{
	*first = (size_t)((tlb - sh->pool->start) / SLOT);
	*end = (size_t)((tlb + size - 1 - sh->pool->start) / SLOT) + 1;
}

static void claim(struct shared *sh, int id, dmp_phys_t tlb, size_t size)
{
	size_t first, end;
	slot_span(sh, tlb, size, &first, &end);
	for (size_t s = first; s < end; s++) {
		int expected = 0;
		if (!atomic_compare_exchange_strong(&sh->owner[s], &expected, id + 1))
			atomic_fetch_add(&sh->overlaps, 1);
	}
}

static void unclaim(struct shared *sh, int id, dmp_phys_t tlb, size_t size)
{
	size_t first, end;
	slot_span(sh, tlb, size, &first, &end);
	for (size_t s = first; s < end; s++) {
		int expected = id + 1;
		if (!atomic_compare_exchange_strong(&sh->owner[s], &expected, 0))
			atomic_fetch_add(&sh->overlaps, 1);
	}
}

static void unmap_one(struct worker *w, struct live_map *lm)
{
	struct shared *sh = w->sh;
	uint8_t *bounce = dmp_phys_to_virt(lm->tlb);
	/* the device's bytes are still there: nobody else wrote our slots */
	for (size_t i = 0; i < lm->size; i++)
		if (bounce[i] != (uint8_t)(lm->dev_byte + i)) {
			thread_error(sh);
			break;
		}
	unclaim(sh, w->id, lm->tlb, lm->size);
	if (dmp_swiotlb_tbl_unmap_single(sh->pool, lm->tlb, lm->size, lm->dir, 0) != 0)
		thread_error(sh);
	/* copy-back: FROM_DEVICE and BIDIRECTIONAL get the device's bytes */
	for (size_t i = 0; i < lm->size; i++) {
		uint8_t want = lm->dir == DMP_TO_DEVICE ? (uint8_t)(w->id * 16 + i * 3)
							: (uint8_t)(lm->dev_byte + i);
		if (lm->orig[i] != want) {
			thread_error(sh);
			break;
		}
	}
	lm->orig = NULL;
}

static void *mapper(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct live_map live[LIVE];
	memset(live, 0, sizeof(live));

	for (int it = 0; it < ITERS; it++) {
		struct live_map *lm = &live[fixture_rand(&w->rng) % LIVE];
		if (lm->orig) {
			unmap_one(w, lm);
			continue;
		}
		lm->size = 1 + (size_t)(fixture_rand(&w->rng) % MAXSIZE);
		lm->dir = (enum dmp_data_direction)(fixture_rand(&w->rng) % 3);
		/* original buffers from an arena allocated up front: the test is
		 * about the pool, not the heap */
		lm->orig = w->arena + (size_t)(lm - live) * (MAXSIZE + 4096) +
			   (fixture_rand(&w->rng) & 4095);
		if (dmp_virt_to_phys(lm->orig, &lm->orig_phys) != 0) {
			thread_error(sh);
			return NULL;
		}
		for (size_t i = 0; i < lm->size; i++)
			lm->orig[i] = (uint8_t)(w->id * 16 + i * 3);
		unsigned int min_mask = (fixture_rand(&w->rng) & 1) ? 0xfff : 0;
		int ret = dmp_swiotlb_tbl_map_single(sh->pool, lm->orig_phys, lm->size, 0, min_mask, 0,
						     lm->dir, DMP_ATTR_NO_WARN, &lm->tlb);
		if (ret == -ENOMEM) {
			atomic_fetch_add(&sh->fulls, 1);
			lm->orig = NULL;
			continue;
		}
		if (ret != 0 || (lm->tlb & min_mask) != (lm->orig_phys & min_mask)) {
			thread_error(sh);
			return NULL;
		}
		atomic_fetch_add(&sh->maps, 1);
		claim(sh, w->id, lm->tlb, lm->size);
		uint8_t *bounce = dmp_phys_to_virt(lm->tlb);
		/* copy-in, then the "device" writes its own bytes */
		if (memcmp(bounce, lm->orig, lm->size) != 0)
			thread_error(sh);
		lm->dev_byte = (uint8_t)fixture_rand(&w->rng);
		for (size_t i = 0; i < lm->size; i++)
			bounce[i] = (uint8_t)(lm->dev_byte + i);
		/* sometimes the CPU looks at it half-way */
		if ((fixture_rand(&w->rng) & 3) == 0 &&
		    dmp_swiotlb_sync_single_for_cpu(sh->pool, lm->tlb, lm->size, lm->dir) != 0)
			thread_error(sh);
	}
	for (int i = 0; i < LIVE; i++)
		if (live[i].orig)
			unmap_one(w, &live[i]);
	atomic_fetch_sub(&sh->mappers_running, 1);
	return NULL;
}

static void *checker(void *arg)
{
	struct shared *sh = arg;
	unsigned long runs = 0;
	while (atomic_load(&sh->mappers_running) > 0 || runs == 0) {
		if (dmp_swiotlb_pool_check(sh->pool) != 0)
			thread_error(sh);
		runs++;
		/* let the mappers run: the walker holds every area lock */
		struct timespec ts = { 0, 20000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void run_threads(unsigned int nareas, size_t pool_size)
{
	struct shared sh;
	memset(&sh, 0, sizeof(sh));
	assert_int_equal(dmp_swiotlb_pool_create("threads", pool_size, DMP_SWIOTLB_DEFAULT_LIMIT,
						 nareas, &sh.pool),
			 0);
	sh.owner = calloc(sh.pool->nslots, sizeof(*sh.owner));
	assert_non_null(sh.owner);
	atomic_store(&sh.mappers_running, NTHREADS);

	pthread_t th[NTHREADS], chk;
	struct worker w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .sh = &sh, .id = i, .rng = 0x1234567ull * (uint64_t)(i + 1) };
		w[i].arena = dmp_kmalloc(LIVE * (MAXSIZE + 4096), DMP_GFP_KERNEL);
		assert_non_null(w[i].arena);
		assert_int_equal(pthread_create(&th[i], NULL, mapper, &w[i]), 0);
	}
	assert_int_equal(pthread_create(&chk, NULL, checker, &sh), 0);
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(pthread_join(chk, NULL), 0);

	assert_int_equal(atomic_load(&sh.errors), 0);
	assert_int_equal(atomic_load(&sh.overlaps), 0);
	assert_true(atomic_load(&sh.maps) > ITERS / 2);
	struct dmp_swiotlb_stats st;
	dmp_swiotlb_get_stats(sh.pool, &st);
	assert_int_equal(st.used, 0);
	assert_int_equal(st.nr_maps, atomic_load(&sh.maps));
	assert_int_equal(st.nr_unmaps, atomic_load(&sh.maps));
	assert_int_equal(st.nr_full, atomic_load(&sh.fulls));
	assert_int_equal(st.nr_bad, 0);
	assert_int_equal(dmp_swiotlb_pool_check(sh.pool), 0);
	print_message("%u areas, %zu KiB: %lu maps, %lu full, high water %zu of %zu slots\n", nareas,
		      pool_size / 1024, atomic_load(&sh.maps), atomic_load(&sh.fulls), st.hiwater,
		      st.nslots);
	for (size_t s = 0; s < sh.pool->nslots; s++)
		assert_int_equal(atomic_load(&sh.owner[s]), 0);
	free(sh.owner);
	for (int i = 0; i < NTHREADS; i++)
		dmp_kfree(w[i].arena);
	assert_int_equal(dmp_swiotlb_pool_destroy(sh.pool), 0);
}

/* Two areas: each thread starts in its own area. */
static void test_threads_two_areas(void **state)
{
	(void)state;
	run_threads(2, 1 << 20);
}

/* One area, a small pool: both threads contend for one lock and run it full. */
static void test_threads_one_area_tight(void **state)
{
	(void)state;
	run_threads(1, 128 * 1024);
}

/* Forget pools a failed test leaked, so that one failure doesn't cascade. */
static int teardown(void **state)
{
	dmp_swiotlb_forget_all();
	return fixture_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_two_areas, fixture_setup_default,
						teardown),
		cmocka_unit_test_setup_teardown(test_threads_one_area_tight, fixture_setup_default,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
