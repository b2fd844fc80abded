/*
 * test-slot-lock-threads.c - the per-CPU slot lock (src/slot-lock.h) and the
 * host's slot assignment.
 *
 * Owners enter their own slots with plain stores while other threads enter
 * the same slots as non-owners (one at a time, and all at once with one
 * barrier).  Inside, each checks with an atomic exchange that it is alone
 * and bumps a counter with a separate load and store, so that two threads
 * inside at once show up as an overlap or as a lost update.  Where the host
 * has no membarrier (and under ThreadSanitizer) every entry is the slot's
 * spinlock and the same checks hold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdatomic.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "slot-lock.h"

#if defined(__SANITIZE_THREAD__)
#define ITER_DIV 20
#else
#define ITER_DIV 1
#endif

#define OWNERS 2
#define OWNER_ITERS (2000000 / ITER_DIV)
#define REMOTE_ITERS (4000 / ITER_DIV)

static struct dmp_slot_lock slots[DMP_MAX_CPUS];
static atomic_uint inside[DMP_MAX_CPUS];
static atomic_ulong count[DMP_MAX_CPUS];
static atomic_ulong overlaps;
static unsigned int owner_slot[OWNERS];
static pthread_barrier_t start;

static void critical(unsigned int i)
{
	if (atomic_exchange_explicit(&inside[i], 1, memory_order_relaxed) != 0)
		atomic_fetch_add(&overlaps, 1);
	/* a separate load and store: two threads inside lose an update */
	unsigned long v = atomic_load_explicit(&count[i], memory_order_relaxed);
	atomic_store_explicit(&count[i], v + 1, memory_order_relaxed);
	if (atomic_exchange_explicit(&inside[i], 0, memory_order_relaxed) != 1)
		atomic_fetch_add(&overlaps, 1);
}

static void *owner_main(void *arg)
{
	unsigned int k = (unsigned int)(uintptr_t)arg;
	unsigned int self = dmp_cpu_slot();
	unsigned int i = dmp_cpu_slot_index(self);

	owner_slot[k] = i;
	pthread_barrier_wait(&start);
	for (unsigned long n = 0; n < OWNER_ITERS; n++) {
		enum dmp_slot_mode m = dmp_slot_lock(&slots[i], self);
		critical(i);
		dmp_slot_unlock(&slots[i], m);
	}
	return NULL;
}

/* Enters the owners' slots as a non-owner: one by one, or all at once. */
static void *remote_main(void *arg)
{
	bool batch = arg != NULL;

	pthread_barrier_wait(&start);
	for (unsigned long n = 0; n < REMOTE_ITERS; n++) {
		if (batch) {
			for (unsigned int k = 0; k < OWNERS; k++)
				if (k == 0 || owner_slot[k] != owner_slot[0])
					dmp_slot_remote_begin(&slots[owner_slot[k]]);
			dmp_slot_remote_sync();
			for (unsigned int k = 0; k < OWNERS; k++) {
				unsigned int i = owner_slot[k];
				if (k > 0 && i == owner_slot[0])
					continue;
				dmp_slot_remote_wait(&slots[i]);
				critical(i);
				dmp_slot_remote_end(&slots[i]);
			}
		} else {
			unsigned int i = owner_slot[n % OWNERS];
			enum dmp_slot_mode m = dmp_slot_lock(&slots[i], i | DMP_CPU_SLOT_SHARED);
			assert_int_equal(m, DMP_SLOT_REMOTE);
			critical(i);
			dmp_slot_unlock(&slots[i], m);
		}
	}
	return NULL;
}

static void test_exclusion(void **state)
{
	pthread_t t[OWNERS + 2];
	unsigned long total = 0;

	for (unsigned int i = 0; i < DMP_MAX_CPUS; i++) {
		dmp_slot_init(&slots[i]);
		atomic_store(&count[i], 0);
	}
	atomic_store(&overlaps, 0);
	assert_int_equal(pthread_barrier_init(&start, NULL, OWNERS + 2), 0);
	for (unsigned int k = 0; k < OWNERS; k++)
		assert_int_equal(pthread_create(&t[k], NULL, owner_main, (void *)(uintptr_t)k), 0);
	assert_int_equal(pthread_create(&t[OWNERS], NULL, remote_main, NULL), 0);
	assert_int_equal(pthread_create(&t[OWNERS + 1], NULL, remote_main, (void *)1), 0);
	for (unsigned int k = 0; k < OWNERS + 2; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	pthread_barrier_destroy(&start);

	for (unsigned int i = 0; i < DMP_MAX_CPUS; i++)
		total += atomic_load(&count[i]);
	assert_int_equal(atomic_load(&overlaps), 0);
	/* the owners' entries, one per remote pass one by one, and the batch
	 * passes' (one per distinct owner slot) */
	unsigned long distinct = owner_slot[0] == owner_slot[1] ? 1 : 2;
	assert_int_equal(total, (unsigned long)OWNERS * OWNER_ITERS + REMOTE_ITERS +
					REMOTE_ITERS * distinct);
	print_message("owner slots %u and %u; %s\n", owner_slot[0], owner_slot[1],
		      atomic_load(&dmp__asym_on) ? "owners enter without a lock (membarrier)"
						 : "no owners here (no membarrier, or DMP_SLOT_OWNERS=0): every entry locks");
}

static void *slot_main(void *arg)
{
	unsigned int *out = arg;
	__atomic_store_n(out, dmp_cpu_slot(), __ATOMIC_RELEASE);
	pthread_barrier_wait(&start);
	return NULL;
}

/*
 * Owned slots are distinct among live threads, capped at DMP_MAX_CPUS, and a
 * thread's slot is free again once it has exited.
 */
static void test_assignment(void **state)
{
	enum { N = DMP_MAX_CPUS + 6 };
	static unsigned int got[N];
	pthread_t t[N];
	unsigned int owned = 0;
	uint64_t seen = 0;
	bool asym;

	(void)dmp_cpu_slot(); /* this thread's, first */
	asym = atomic_load(&dmp__asym_on);
	assert_int_equal(pthread_barrier_init(&start, NULL, N + 1), 0);
	for (unsigned int k = 0; k < N; k++)
		assert_int_equal(pthread_create(&t[k], NULL, slot_main, &got[k]), 0);
	pthread_barrier_wait(&start); /* all N alive at once here */
	for (unsigned int k = 0; k < N; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	pthread_barrier_destroy(&start);
	for (unsigned int k = 0; k < N; k++) {
		assert_true(dmp_cpu_slot_index(got[k]) < DMP_MAX_CPUS);
		if (got[k] & DMP_CPU_SLOT_SHARED)
			continue;
		assert_true(asym); /* no owners without the barrier */
		assert_false(seen & (1ull << got[k]));
		seen |= 1ull << got[k];
		owned++;
	}
	/* this thread owns one slot too */
	if (asym) {
		assert_true(owned >= 1 && owned < DMP_MAX_CPUS);
		assert_false(seen & (1ull << dmp_cpu_slot()));
	} else {
		assert_int_equal(owned, 0);
	}

	/* The N threads are gone: a new one gets the lowest free slot back. */
	unsigned int again;
	assert_int_equal(pthread_barrier_init(&start, NULL, 1), 0);
	assert_int_equal(pthread_create(&t[0], NULL, slot_main, &again), 0);
	assert_int_equal(pthread_join(t[0], NULL), 0);
	pthread_barrier_destroy(&start);
	if (asym) {
		assert_false(again & DMP_CPU_SLOT_SHARED);
		assert_true(seen & (1ull << again));
	}
}

/*
 * In a child of fork(): the barrier still works (the registration is made
 * again if needed), and the parent's other threads' slots are free.
 */
static void test_fork(void **state)
{
	unsigned int self = dmp_cpu_slot();
	pthread_t t;
	unsigned int got = ~0u;

	/* a second thread alive across the fork holds a slot in the parent */
	assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
	assert_int_equal(pthread_create(&t, NULL, slot_main, &got), 0);
	while (__atomic_load_n(&got, __ATOMIC_ACQUIRE) == ~0u)
		sched_yield();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dmp_slot_lock s;
		dmp_slot_init(&s);
		dmp_slot_remote_begin(&s);
		dmp_slot_remote_sync();
		dmp_slot_remote_wait(&s);
		dmp_slot_remote_end(&s);
		/* the other thread is gone here: its slot is free again */
		if (atomic_load(&dmp__asym_on) && !(got & DMP_CPU_SLOT_SHARED)) {
			unsigned int again = ~0u;
			pthread_t u;
			pthread_barrier_t *b = &start;
			pthread_barrier_init(b, NULL, 1);
			if (pthread_create(&u, NULL, slot_main, &again) || pthread_join(u, NULL))
				_exit(3);
			if ((again & DMP_CPU_SLOT_SHARED) || again > got)
				_exit(4);
		}
		_exit(dmp_cpu_slot() == self ? 0 : 5);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	pthread_barrier_wait(&start);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_barrier_destroy(&start);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exclusion),
		cmocka_unit_test(test_assignment),
		cmocka_unit_test(test_fork),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
