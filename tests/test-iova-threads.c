/*
 * test-iova-threads.c - the IOVA allocator under concurrent use.
 *
 * Threads hammer one domain with fast and tree allocations and frees while
 * every pfn they are handed is claimed in a shared ownership array with an
 * atomic exchange: a pfn handed out twice (to two threads, or twice to one)
 * is seen as a claim of a pfn someone holds.  Cache flushes and the
 * consistency walker run concurrently with the traffic.  Also run under
 * ThreadSanitizer by `make check`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdatomic.h>
#include <pthread.h>
#include <string.h>
#include <cmocka.h>

#include <dmaport/iova.h>
#include <dmaport/platform.h> /* dmp_cpu_id, DMP_MAX_CPUS */

#define SPACE 4096 /* pfns: small enough that the space fills up at times */
#define START 16
#define MAX_LIVE 192

/* ThreadSanitizer runs this 10-20 times slower: keep it to a few seconds. */
#if defined(__SANITIZE_THREAD__)
#define OPS_DIV 4
#else
#define OPS_DIV 1
#endif

static struct dmp_iova_domain D;
static _Atomic unsigned char owner[SPACE];
static atomic_ulong violations, checks_failed, allocs_ok, allocs_nomem;

struct live {
	unsigned long lo, size, req;
	bool fast;
};

struct worker {
	pthread_t thread;
	unsigned int id; /* 1.. */
	unsigned long ops;
	uint64_t rng;
	bool flusher, checker;
};

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 2685821657736338717ull;
}

static void claim(struct worker *w, unsigned long lo, unsigned long size)
{
	for (unsigned long p = lo; p < lo + size; p++) {
		if (p >= SPACE || atomic_exchange(&owner[p], (unsigned char)w->id) != 0)
			atomic_fetch_add(&violations, 1);
	}
}

static void release(struct worker *w, unsigned long lo, unsigned long size)
{
	for (unsigned long p = lo; p < lo + size; p++) {
		/* only its owner releases a pfn, before freeing it */
		if (atomic_exchange(&owner[p], 0) != (unsigned char)w->id)
			atomic_fetch_add(&violations, 1);
	}
}

static unsigned long roundup_pow2(unsigned long x)
{
	unsigned long p = 1;
	while (p < x)
		p <<= 1;
	return p;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct live live[MAX_LIVE];
	int nr = 0;

	for (unsigned long i = 0; i < w->ops; i++) {
		uint64_t r = rnd(w);
		if (nr < MAX_LIVE && (nr == 0 || r % 100 < 52)) {
			bool fast = (r >> 8) % 4 != 0;
			unsigned long req = (r >> 16) % 8 == 0 ? 1 + (r >> 24) % 64 : 1 + (r >> 24) % 8;
			unsigned long limit = (r >> 32) % 4 == 0 ? START + (r >> 40) % SPACE : ~0UL;
			unsigned long lo;
			int err = fast ? dmp_alloc_iova_fast(&D, req, limit, (r >> 48) % 2, &lo)
				       : dmp_alloc_iova(&D, req, limit, (r >> 48) % 2, &lo);
			if (err) {
				if (err != -ENOMEM)
					atomic_fetch_add(&violations, 1);
				atomic_fetch_add_explicit(&allocs_nomem, 1, memory_order_relaxed);
				continue;
			}
			unsigned long size = fast && req < DMP_IOVA_CACHE_MAX_PFNS ? roundup_pow2(req) : req;
			if (lo < START || lo + size - 1 > DMP_MIN(limit, (unsigned long)SPACE - 1))
				atomic_fetch_add(&violations, 1);
			claim(w, lo, size);
			live[nr++] = (struct live){ .lo = lo, .size = size, .req = req, .fast = fast };
			atomic_fetch_add_explicit(&allocs_ok, 1, memory_order_relaxed);
		} else {
			unsigned int k = (unsigned int)((r >> 8) % (unsigned long)nr);
			struct live l = live[k];
			live[k] = live[--nr];
			release(w, l.lo, l.size);
			int err = l.fast ? dmp_free_iova_fast(&D, l.lo, l.req) : dmp_free_iova(&D, l.lo);
			if (err)
				atomic_fetch_add(&violations, 1);
		}
		if (w->flusher && i % 4096 == 4095)
			dmp_iova_flush_rcaches(&D);
		if (w->checker && i % 8192 == 8191 && dmp_iova_domain_check(&D) != 0)
			atomic_fetch_add(&checks_failed, 1);
	}
	while (nr) {
		struct live l = live[--nr];
		release(w, l.lo, l.size);
		if ((l.fast ? dmp_free_iova_fast(&D, l.lo, l.req) : dmp_free_iova(&D, l.lo)) != 0)
			atomic_fetch_add(&violations, 1);
	}
	return NULL;
}

static void setup_domain(void)
{
	memset(owner, 0, sizeof(owner));
	atomic_store(&violations, 0);
	atomic_store(&checks_failed, 0);
	atomic_store(&allocs_ok, 0);
	atomic_store(&allocs_nomem, 0);
	assert_int_equal(dmp_iova_domain_init(&D, 4096, START), 0);
	/* the window [START, SPACE) is all there is */
	assert_int_equal(dmp_reserve_iova(&D, SPACE, D.max_pfn), 0);
}

static void finish_domain(void)
{
	struct dmp_iova_stats st;
	assert_int_equal(atomic_load(&violations), 0);
	assert_int_equal(atomic_load(&checks_failed), 0);
	assert_int_equal(dmp_iova_domain_check(&D), 0);
	dmp_iova_flush_rcaches(&D);
	assert_int_equal(dmp_iova_domain_check(&D), 0);
	dmp_iova_domain_stats(&D, &st);
	/* everything came back: only the reservation is left */
	assert_int_equal(st.pfns, 0);
	assert_int_equal(st.cached, 0);
	assert_int_equal(st.ranges, 1);
	/* the traffic really ran */
	assert_true(atomic_load(&allocs_ok) > 1000);
	print_message("allocations: %lu, -ENOMEM: %lu\n", atomic_load(&allocs_ok), atomic_load(&allocs_nomem));
	dmp_iova_domain_destroy(&D);
}

static void run_workers(unsigned int n, unsigned long ops)
{
	struct worker w[80];
	assert_true(n <= 80);
	for (unsigned int i = 0; i < n; i++) {
		w[i] = (struct worker){ .id = i + 1, .ops = ops, .rng = 0x1234567ull * (i + 3),
					.flusher = i == 0, .checker = i == 1 };
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), 0);
	}
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
}

/* Two threads, the machine's two cores, one domain. */
static void test_two_threads(void **state)
{
	setup_domain();
	run_workers(2, 200000 / OPS_DIV);
	finish_domain();
}

/* More threads than CPU slots: threads share slots and their locks. */
static void test_shared_slots(void **state)
{
	setup_domain();
	run_workers(DMP_MAX_CPUS + 6, 4000 / OPS_DIV);
	finish_domain();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_shared_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
