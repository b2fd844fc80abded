/* test-debug-guard.c - the checker's guard mode (issue 13): a CPU access to
 * a streaming buffer the device owns traps at the faulting instruction.
 *
 * Each test runs in twelve configurations: the device coherent or not, on
 * the direct path or behind the simulated IOMMU with strict or lazy
 * invalidation, the caches plain or hostile.  Each has a buggy driver (the
 * finding, once, at the line of the access, naming the call that gave the
 * device the buffer) and its fixed twin (no finding at all).  Guard mode
 * is on because the checker is: nothing here turns it on explicitly, but
 * for the test that turns it off.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/guard.h"
#include "support/checker-rig.h"

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 13 + seed);
}

/* A map that must work, recorded at the line of its caller. */
#define map(r, b, n, dir)                                                                     \
	__extension__({                                                                       \
		dmp_addr_t a_ = dmp_map_single(&(r)->dev, (b), (n), (dir));                   \
		assert_false(dmp_mapping_error(&(r)->dev, a_));                               \
		a_;                                                                           \
	})

/* Accesses the compiler must make, at the line that names them (macros: an
 * inlined helper's accesses carry the helper's line). */
#define load(p) (*(const volatile uint8_t *)(p))
#define store(p, v) (*(volatile uint8_t *)(p) = (uint8_t)(v))

/* The most common DMA bug: an RX buffer read before dma_sync_single_for_cpu. */
static void test_read_before_sync(void **state)
{
	for (int wrong = 1; wrong >= 0; wrong--) {
		struct rig r;
		rig_up(&r, state);
		uint8_t *b = dmp_kmalloc(512, 0), src[512];
		memset(b, 0xee, 512);
		pattern(src, 512, 1);
		dmp_addr_t a = map(&r, b, 512, DMP_FROM_DEVICE);
		int map_line = __LINE__ - 1;
		assert_int_equal(dmp_sim_dma_write(r.hw, a, src, 512), 0);
		if (!wrong)
			dmp_sync_single_for_cpu(&r.dev, a, 512, DMP_FROM_DEVICE);
		uint8_t v = load(b + 100);
		int read_line = __LINE__ - 1;
		if (wrong) {
			rig_expect_one(&r, DMP_DEBUG_CPU_READ_OWNED, read_line, map_line);
			assert_true(fixture_log_has("CPU read a buffer the device owned", "load at",
						    "byte 100 of 512", NULL));
			/* the bytes are wrong as on hardware: the cache held old data */
			if (!r.cfg->coherent && !r.cfg->hostile)
				assert_int_equal(v, 0xee);
			dmp_sync_single_for_cpu(&r.dev, a, 512, DMP_FROM_DEVICE);
		} else {
			assert_int_equal(v, src[100]);
		}
		assert_int_equal(load(b + 100), src[100]);
		dmp_unmap_single(&r.dev, a, 512, DMP_FROM_DEVICE);
		rig_expect_none();
		dmp_kfree(b);
		rig_down(&r);
	}
}

/* A store of the value the byte already holds: invisible to the line images
 * (C == S), caught by guard mode. */
static void test_same_value_write(void **state)
{
	for (int wrong = 1; wrong >= 0; wrong--) {
		struct rig r;
		rig_up(&r, state);
		uint8_t *b = dmp_kmalloc(256, 0);
		pattern(b, 256, 2);
		if (!wrong)
			store(b + 7, b[7]); /* before the map: the CPU still owns it */
		dmp_addr_t a = map(&r, b, 256, DMP_TO_DEVICE);
		int map_line = __LINE__ - 1;
		if (wrong)
			store(b + 7, (uint8_t)(7 * 13 + 2));
		int write_line = __LINE__ - 1;
		uint8_t got[256];
		assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 256), 0);
		if (wrong) {
			rig_expect_one(&r, DMP_DEBUG_CPU_WROTE_OWNED, write_line, map_line);
			assert_true(fixture_log_has("CPU wrote to a buffer the device owned",
						    "store at", NULL));
		}
		dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
		rig_expect_none();
		dmp_kfree(b);
		rig_down(&r);
	}
}

/* A TX buffer (DMA_TO_DEVICE) read while mapped: the device only reads it,
 * so the CPU reads what the device reads - not reported, and not even
 * trapped (its pages stay readable).  A store to it is the bug. */
static void test_tx_read_allowed_write_not(void **state)
{
	for (int wrong = 1; wrong >= 0; wrong--) {
		struct rig r;
		rig_up(&r, state);
		uint8_t *b = dmp_kmalloc(256, 0);
		pattern(b, 256, 3);
		struct dmp__guard_stats before, after;
		dmp__guard_get_stats(&before);
		dmp_addr_t a = map(&r, b, 256, DMP_TO_DEVICE);
		int map_line = __LINE__ - 1;
		assert_int_equal(load(b + 200), (uint8_t)(200 * 13 + 3));
		dmp__guard_get_stats(&after);
		assert_int_equal(after.traps, before.traps);
		rig_expect_none();
		if (wrong)
			store(b + 200, 0);
		int write_line = __LINE__ - 1;
		if (wrong)
			rig_expect_one(&r, DMP_DEBUG_CPU_WROTE_OWNED, write_line, map_line);
		dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
		rig_expect_none();
		dmp_kfree(b);
		rig_down(&r);
	}
}

/* memcpy() out of a device-owned buffer: reported at the caller's line, not
 * inside the C library. */
static void test_memcpy_at_caller(void **state)
{
	struct rig r;
	rig_up(&r, state);
	uint8_t *b = dmp_kmalloc(1024, 0), copy[1024];
	dmp_addr_t a = map(&r, b, 1024, DMP_BIDIRECTIONAL);
	int map_line = __LINE__ - 1;
	memcpy(copy, b, sizeof(copy));
	int copy_line = __LINE__ - 1;
	__asm__ volatile("" : : "r"(copy) : "memory"); /* the copy is used: not elided */
	rig_expect_one(&r, DMP_DEBUG_CPU_READ_OWNED, copy_line, map_line);
	dmp_unmap_single(&r.dev, a, 1024, DMP_BIDIRECTIONAL);
	rig_expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

/* Each ownership period is reported on its own; a sync of part of the
 * buffer gives the CPU that part only; the finding names the latest
 * sync_for_device as the owner. */
static void test_periods_and_ranges(void **state)
{
	struct rig r;
	rig_up(&r, state);
	uint8_t *b = dmp_kmalloc(4096, 0);
	dmp_addr_t a = map(&r, b, 4096, DMP_BIDIRECTIONAL);
	int map_line = __LINE__ - 1;
	dmp_sync_single_range_for_cpu(&r.dev, a, 0, 2048, DMP_BIDIRECTIONAL);
	store(b + 10, 1);                 /* the CPU's half */
	load(b + 2047);
	rig_expect_none();
	load(b + 3000);                   /* still the device's */
	int line1 = __LINE__ - 1;
	rig_expect_one(&r, DMP_DEBUG_CPU_READ_OWNED, line1, map_line);
	dmp_sync_single_range_for_device(&r.dev, a, 0, 2048, DMP_BIDIRECTIONAL);
	int owner = __LINE__ - 1;
	load(b + 5);
	int line2 = __LINE__ - 1;
	load(b + 6); /* the same period: reported once */
	rig_expect_one(&r, DMP_DEBUG_CPU_READ_OWNED, line2, owner);
	dmp_unmap_single(&r.dev, a, 4096, DMP_BIDIRECTIONAL);
	store(b + 4000, 2); /* unmapped: the CPU's again */
	rig_expect_none();
	assert_int_equal(dmp__guard_covered(b, 4096), 0);
	dmp_kfree(b);
	rig_down(&r);
}

/* Data on the same page as a guarded buffer, outside it, works untouched:
 * loads, stores, a bulk memset and memcpy (one instruction at a time with
 * the page open). */
static void test_neighbours_untouched(void **state)
{
	struct rig r;
	rig_up(&r, state);
	dmp_addr_t pa;
	uint8_t *page = dmp_alloc_noncoherent(&r.dev, 4096, &pa, DMP_BIDIRECTIONAL, 0);
	assert_non_null(page);
	dmp_free_noncoherent(&r.dev, 4096, page, pa, DMP_BIDIRECTIONAL);
	page = dmp_kmalloc(4096, 0); /* one page: the buffer, then its neighbour */
	uint8_t *buf = page, *nb = page + 1024;
	memset(nb, 0x11, 3072);
	dmp_addr_t a = map(&r, buf, 1024, DMP_TO_DEVICE);
	assert_int_equal(dmp__guard_covered(page, 4096), 1024);
	store(nb, 0x22);
	assert_int_equal(load(nb), 0x22);
	assert_int_equal(load(nb + 3071), 0x11);
	memset(nb + 100, 0x33, 1000);
	uint8_t copy[1000];
	memcpy(copy, nb + 100, sizeof(copy));
	__asm__ volatile("" : : "r"(copy) : "memory");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(copy[i], 0x33);
	rig_expect_none();
	dmp_unmap_single(&r.dev, a, 1024, DMP_TO_DEVICE);
	assert_int_equal(load(nb + 1099), 0x33);
	assert_int_equal(load(nb + 1100), 0x11);
	rig_expect_none();
	dmp_kfree(page);
	rig_down(&r);
}

/*
 * Guard mode's heap: small dmp_kmalloc() objects on pages of their own, so
 * that a neighbour of a guarded buffer is never on its page and never traps
 * (as electric-fence allocators do) - up to a limit of live objects, past
 * which they share pages again rather than use up the memory.
 */
static uintptr_t page_of(const void *p)
{
	return (uintptr_t)p & ~(uintptr_t)4095;
}

static void test_heap_pages_of_their_own(void **state)
{
	struct rig r;
	rig_up(&r, state);
	assert_true(dmp_debug_get_guard());
	uint8_t *buf = dmp_kmalloc(64, 0), *nb = dmp_kmalloc(64, 0);
	assert_true(page_of(buf) != page_of(nb));
	assert_int_equal(dmp_ksize(nb), 128); /* its size class, as without guard mode */
	dmp_addr_t a = map(&r, buf, 64, DMP_FROM_DEVICE);
	assert_int_equal(dmp__guard_covered(buf, 64), 64);
	struct dmp__guard_stats before, after;
	dmp__guard_get_stats(&before);
	store(nb, 0x44);
	assert_int_equal(load(nb), 0x44);
	dmp__guard_get_stats(&after);
	assert_int_equal(after.traps, before.traps); /* not on a guarded page */
	dmp_unmap_single(&r.dev, a, 64, DMP_FROM_DEVICE);
	rig_expect_none();
	dmp_kfree(nb);
	dmp_kfree(buf);
	if (r.cfg == &rig_cfgs[0]) {
		/* past the limit (32768 live objects) they share pages again */
		enum { MANY = 32768 + 64 };
		void **o = calloc(MANY, sizeof(*o));
		assert_non_null(o);
		size_t shared = 0;
		for (size_t i = 0; i < MANY; i++) {
			o[i] = dmp_kmalloc(64, 0);
			assert_non_null(o[i]);
			if (i && page_of(o[i]) == page_of(o[i - 1]))
				shared++;
		}
		/* the 64 past the limit, and as many as were live before */
		assert_true(shared > 0 && shared < 256);
		for (size_t i = 0; i < MANY; i++)
			dmp_kfree(o[i]);
		/* and once they are freed, pages of their own again */
		buf = dmp_kmalloc(64, 0);
		nb = dmp_kmalloc(64, 0);
		assert_true(page_of(buf) != page_of(nb));
		dmp_kfree(nb);
		dmp_kfree(buf);
		free(o);
	}
	rig_down(&r);
}

/* x86's bulk instructions, as memset() and memcpy() use them for large sizes
 * (macros, so that the report names this file's line). */
#if defined(__x86_64__)
#define HAVE_REP 1
#define REP_STOSB(dst, v, n)                                                                  \
	do {                                                                                  \
		void *d_ = (dst);                                                             \
		size_t n_ = (n);                                                              \
		__asm__ volatile("rep stosb" : "+D"(d_), "+c"(n_) : "a"((uint8_t)(v)) : "memory"); \
	} while (0)
#define REP_MOVSB(dst, src, n)                                                                \
	do {                                                                                  \
		void *d_ = (dst);                                                             \
		const void *s_ = (src);                                                       \
		size_t n_ = (n);                                                              \
		__asm__ volatile("rep movsb" : "+D"(d_), "+S"(s_), "+c"(n_) : : "memory");    \
	} while (0)
#else
#define HAVE_REP 0
#define REP_STOSB(dst, v, n) memset((dst), (v), (n))
#define REP_MOVSB(dst, src, n) memcpy((dst), (src), (n))
#endif

/* A rep stos/movs is carried out whole by the handler (one trap, no page
 * opened, no thread stopped); its device-owned bytes are still reported. */
static void test_string_instructions(void **state)
{
	struct rig r;
	rig_up(&r, state);
	uint8_t *page = dmp_kmalloc(4096, 0);
	memset(page, 0x5a, 4096);
	dmp_addr_t a = map(&r, page, 1024, DMP_FROM_DEVICE);
	int map_line = __LINE__ - 1;
	struct dmp__guard_stats before, after;
	dmp__guard_get_stats(&before);
	REP_STOSB(page + 1024, 0x77, 3072); /* the rest of the page: not the device's */
	dmp__guard_get_stats(&after);
	if (HAVE_REP) {
		assert_int_equal(after.strings - before.strings, 1);
		assert_int_equal(after.stops, before.stops);
	}
	rig_expect_none();
	assert_int_equal(load(page + 1024), 0x77);
	assert_int_equal(load(page + 4095), 0x77);
	uint8_t copy[512];
	REP_MOVSB(copy, page + 100, sizeof(copy));
	int read_line = __LINE__ - 1;
	rig_expect_one(&r, DMP_DEBUG_CPU_READ_OWNED, read_line, map_line);
	REP_STOSB(page + 1000, 0, 100); /* crosses into the device's bytes */
	int write_line = __LINE__ - 1;
	rig_expect_one(&r, DMP_DEBUG_CPU_WROTE_OWNED, write_line, map_line);
	dmp_sync_single_for_cpu(&r.dev, a, 1024, DMP_FROM_DEVICE);
	dmp_unmap_single(&r.dev, a, 1024, DMP_FROM_DEVICE);
	assert_int_equal(load(page + 1099), 0);
	assert_int_equal(load(page + 1100), 0x77);
	rig_expect_none();
	dmp_kfree(page);
	rig_down(&r);
}

/* Coherent allocations are shared by definition: never guarded. */
static void test_coherent_never_guarded(void **state)
{
	struct rig r;
	rig_up(&r, state);
	dmp_addr_t h;
	uint8_t *c = dmp_alloc_coherent(&r.dev, 4096, &h, 0);
	assert_non_null(c);
	assert_int_equal(dmp__guard_covered(c, 4096), 0);
	store(c, 5);
	uint8_t v = 9;
	assert_int_equal(dmp_sim_dma_write(r.hw, h + 64, &v, 1), 0);
	load(c + 64);
	rig_expect_none();
	dmp_free_coherent(&r.dev, 4096, c, h);
	rig_expect_none();
	rig_down(&r);
}

/* A scatterlist: each entry's own pages are guarded; behind an IOMMU the
 * entries merge into one DMA segment whose pages are apart in memory, and
 * a correct driver gets no finding. */
static void test_sg(void **state)
{
	for (int wrong = 1; wrong >= 0; wrong--) {
		struct rig r;
		rig_up(&r, state);
		uint8_t *p[3];
		struct dmp_scatterlist sg[3];
		dmp_sg_init_table(sg, 3);
		for (int i = 0; i < 3; i++) {
			/* whole pages, not adjacent: a kmalloc of two pages, the second used */
			p[i] = dmp_kmalloc(8192, 0);
			dmp_sg_set_buf(&sg[i], p[i] + 4096, 4096);
			memset(p[i] + 4096, i, 4096);
		}
		int n = dmp_map_sg(&r.dev, sg, 3, DMP_FROM_DEVICE);
		int map_line = __LINE__ - 1;
		assert_true(n >= 1);
		if (r.cfg->path != RIG_DIRECT)
			assert_int_equal(n, 1); /* merged into one IOVA segment */
		for (int i = 0; i < 3; i++)
			assert_int_equal(dmp__guard_covered(p[i] + 4096, 4096), 4096);
		assert_int_equal(dmp__guard_covered(p[1], 4096), 0);
		if (!wrong)
			dmp_sync_sg_for_cpu(&r.dev, sg, 3, DMP_FROM_DEVICE);
		load(p[2] + 4096 + 17);
		int read_line = __LINE__ - 1;
		if (wrong) {
			rig_expect_one(&r, DMP_DEBUG_CPU_READ_OWNED, read_line, map_line);
			assert_true(fixture_log_has("byte 8209 of", NULL) ||
				    fixture_log_has("byte 17 of", NULL));
		}
		dmp_unmap_sg(&r.dev, sg, 3, DMP_FROM_DEVICE);
		rig_expect_none();
		for (int i = 0; i < 3; i++)
			dmp_kfree(p[i]);
		rig_down(&r);
	}
}

/* Off: nothing is guarded, and the read goes unseen (the reason for guard
 * mode).  dmp_debug_set_guard(false) and DMP_DEBUG_GUARD=0 alike. */
static void test_guard_off(void **state)
{
	for (int how = 0; how < 2; how++) {
		struct rig r;
		rig_up(&r, state);
		if (how == 0) {
			assert_int_equal(dmp_debug_set_guard(false), 0);
		} else {
			setenv("DMP_DEBUG_GUARD", "0", 1);
			assert_int_equal(dmp_debug_init(), 0);
			unsetenv("DMP_DEBUG_GUARD");
		}
		assert_false(dmp_debug_get_guard());
		uint8_t *b = dmp_kmalloc(256, 0);
		dmp_addr_t a = map(&r, b, 256, DMP_FROM_DEVICE);
		assert_int_equal(dmp__guard_covered(b, 256), 0);
		load(b + 1);
		dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
		rig_expect_none();
		dmp_kfree(b);
		assert_int_equal(dmp_debug_set_guard(true), 0);
		assert_true(dmp_debug_get_guard());
		setenv("DMP_DEBUG_GUARD", "maybe", 1);
		assert_int_equal(dmp_debug_init(), -EINVAL);
		unsetenv("DMP_DEBUG_GUARD");
		assert_true(dmp_debug_get_guard());
		rig_down(&r);
	}
}

/*
 * Threads: one thread keeps stepping through the unguarded half of a page
 * (each of its accesses opens the page for one instruction) while another
 * reads the guarded half.  Every read of the guarded half must trap: none
 * may slip through a window the first thread opened.
 */
struct race {
	uint8_t *nb, *buf;
	_Atomic bool stop;
	_Atomic long neighbour_accesses;
};

static void *stepper(void *arg)
{
	struct race *rc = arg;
	while (!atomic_load(&rc->stop)) {
		store(rc->nb, (uint8_t)(load(rc->nb) + 1));
		atomic_fetch_add(&rc->neighbour_accesses, 1);
	}
	return NULL;
}

static void test_threads_nothing_slips(void **state)
{
	struct rig r;
	rig_up(&r, state);
	uint8_t *page = dmp_kmalloc(4096, 0);
	struct race rc = { .nb = page + 2048, .buf = page };
	dmp_addr_t a = map(&r, page, 2048, DMP_FROM_DEVICE);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, stepper, &rc), 0);
	while (atomic_load(&rc.neighbour_accesses) < 10)
		sched_yield();
	struct dmp__guard_stats before, after;
	dmp__guard_get_stats(&before);
	const int reads = 200;
	for (int i = 0; i < reads; i++)
		load(page + (i * 7) % 2048);
	dmp__guard_get_stats(&after);
	atomic_store(&rc.stop, true);
	pthread_join(t, NULL);
	/* every read trapped on a device-owned byte, none went through */
	assert_int_equal(after.hits - before.hits, reads);
	assert_true(after.stops > before.stops);
	assert_int_equal(after.stop_timeouts, before.stop_timeouts);
	assert_true(atomic_load(&rc.neighbour_accesses) >= 10);
	assert_int_equal(dmp_debug_count(DMP_DEBUG_CPU_READ_OWNED), 1); /* once per period */
	dmp_debug_reset();
	dmp_sync_single_for_cpu(&r.dev, a, 2048, DMP_FROM_DEVICE);
	dmp_unmap_single(&r.dev, a, 2048, DMP_FROM_DEVICE);
	rig_expect_none();
	dmp_kfree(page);
	rig_down(&r);
}

/* Abort mode: the program ends at the access, after the report. */
static void test_abort_at_access(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rig r;
		rig_up(&r, state);
		dmp_debug_set_mode(DMP_DEBUG_ABORT);
		uint8_t *b = dmp_kmalloc(64, 0);
		map(&r, b, 64, DMP_FROM_DEVICE);
		load(b);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

/* A fault guard mode does not own goes to whoever handled SIGSEGV before it
 * (AddressSanitizer's handler under ASan; here a handler of the test's). */
static void earlier_handler(int sig, siginfo_t *si, void *uctx)
{
	(void)sig, (void)uctx;
	_exit(si->si_addr == (void *)16 ? 42 : 43);
}

static void test_other_faults_chain(void **state)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_flags = SA_SIGINFO;
		sa.sa_sigaction = earlier_handler;
		sigaction(SIGSEGV, &sa, NULL);
		struct rig r;
		rig_up(&r, state);
		fixture_log_stop();
		uint8_t *b = dmp_kmalloc(64, 0);
		map(&r, b, 64, DMP_FROM_DEVICE); /* guard mode's handler is in place */
		uintptr_t nowhere = 16;
		__asm__ volatile("" : "+r"(nowhere));
		load((uint8_t *)nowhere);        /* no memory there at all */
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 42);
}

int main(void)
{
	/* guard mode needs a host it has a part for (not a TSan build) */
	if (dmp_debug_set_guard(true) == -EOPNOTSUPP) {
		printf("test-debug-guard: guard mode is not supported by this build: skipped\n");
		return 0;
	}
	const struct CMUnitTest tests[] = {
		RIG_ALL(test_read_before_sync),
		RIG_ALL(test_same_value_write),
		RIG_ALL(test_tx_read_allowed_write_not),
		RIG_ALL(test_memcpy_at_caller),
		RIG_ALL(test_periods_and_ranges),
		RIG_ALL(test_neighbours_untouched),
		RIG_ALL(test_heap_pages_of_their_own),
		RIG_ALL(test_string_instructions),
		RIG_ALL(test_coherent_never_guarded),
		RIG_ALL(test_sg),
		RIG_ALL(test_guard_off),
		cmocka_unit_test_prestate(test_threads_nothing_slips, (void *)&rig_cfgs[0]),
		cmocka_unit_test_prestate(test_threads_nothing_slips, (void *)&rig_cfgs[4]),
		cmocka_unit_test_prestate(test_abort_at_access, (void *)&rig_cfgs[0]),
		cmocka_unit_test_prestate(test_other_faults_chain, (void *)&rig_cfgs[0]),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
