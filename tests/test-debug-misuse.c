/* test-debug-misuse.c - every call the API refuses is a finding of a kind
 * (issue 18, "findings that do not count").
 *
 * For each misuse: in fail mode the call is refused and exactly one finding
 * of its kind is recorded, at the line of the call; the correct call next to
 * it records none.  With the checker off the same misuse is still refused
 * and logged, and counts nothing.  In abort mode the first refused misuse
 * ends the program.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmaport/debug.h>

#include "support/sim-fixture.h"

struct rig {
	struct dmp_sim *sim;
	struct dmp_device dev;
};

static void rig_up(struct rig *r, enum dmp_debug_mode mode)
{
	r->sim = fixture_sim(NULL);
	assert_int_equal(dmp_device_init(&r->dev, "dev0"), 0);
	assert_int_equal(dmp_set_mask_and_coherent(&r->dev, DMP_BIT_MASK(64)), 0);
	dmp_debug_set_mode(mode);
	assert_int_equal(dmp_debug_enable_device(NULL, true), 0);
	dmp_debug_reset();
	fixture_log_start();
}

static void rig_down(struct rig *r)
{
	dmp_device_remove(&r->dev);
	fixture_log_stop();
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(r->sim);
}

/* Exactly one finding, of @kind, reported at @line of this file; then reset. */
static void expect_one(enum dmp_debug_kind kind, int line)
{
	for (int k = 0; k < DMP_DEBUG_NR_KINDS; k++) {
		unsigned long want = k == (int)kind, c = dmp_debug_count((enum dmp_debug_kind)k);
		if (c != want)
			fail_msg("kind %s: %lu finding(s), expected %lu (line %d)",
				 dmp_debug_kind_name((enum dmp_debug_kind)k), c, want, line);
	}
	struct dmp_debug_report rep;
	assert_int_equal(dmp_debug_nr_reports(), 1);
	assert_int_equal(dmp_debug_get_report(0, &rep), 0);
	assert_int_equal(rep.kind, kind);
	assert_string_equal(rep.file, __FILE__);
	assert_int_equal(rep.line, line);
	dmp_debug_reset();
}

static void expect_none(void)
{
	assert_int_equal(dmp_debug_total(), 0);
}

/* Streaming calls refused for their arguments. */
static void test_streaming_arguments(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_DEBUG_FAIL);
	uint8_t *b = dmp_kmalloc(256, 0);
	dmp_addr_t a;

	a = dmp_map_single(NULL, b, 256, DMP_TO_DEVICE);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_true(fixture_log_has("(no device)", "no device", NULL));

	a = dmp_map_single(&r.dev, b, 0, DMP_TO_DEVICE);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	assert_true(dmp_mapping_error(&r.dev, a));

	a = dmp_map_single(&r.dev, b, 256, (enum dmp_data_direction)7);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	assert_true(dmp_mapping_error(&r.dev, a));

	a = dmp_map_single(&r.dev, b, 256, DMP_NONE);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);

	a = dmp_map_single_attrs(&r.dev, b, 256, DMP_TO_DEVICE, 1ul << 30);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	assert_true(fixture_log_has("unknown attributes", NULL));

	dmp_unmap_single(&r.dev, DMP_MAPPING_ERROR, 256, DMP_TO_DEVICE);
	expect_one(DMP_DEBUG_FREE_UNKNOWN, __LINE__ - 1);

	a = dmp_map_page(&r.dev, NULL, 0, 256, DMP_TO_DEVICE);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);

	/* the correct call: no finding, and the table is as it was */
	a = dmp_map_single(&r.dev, b, 256, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(&r.dev, a));
	/* bad syncs: size 0, an unknown direction */
	dmp_sync_single_for_cpu(&r.dev, a, 0, DMP_TO_DEVICE);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	dmp_sync_single_for_device(&r.dev, a, 256, (enum dmp_data_direction)9);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

/* Scatterlist calls with no list or no entries; entries with no page. */
static void test_sg_arguments(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_DEBUG_FAIL);
	uint8_t *b = dmp_kmalloc(256, 0);
	struct dmp_scatterlist sg[2];
	dmp_sg_init_table(sg, 2);
	dmp_sg_set_buf(&sg[0], b, 128);
	dmp_sg_set_buf(&sg[1], b + 128, 128);

	assert_int_equal(dmp_map_sg(&r.dev, NULL, 2, DMP_TO_DEVICE), 0);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	assert_int_equal(dmp_map_sg(&r.dev, sg, 0, DMP_TO_DEVICE), 0);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	dmp_unmap_sg(&r.dev, sg, -1, DMP_TO_DEVICE);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	dmp_sync_sg_for_cpu(&r.dev, NULL, 2, DMP_TO_DEVICE);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	struct dmp_sg_table empty = { 0 };
	assert_int_equal(dmp_map_sgtable(&r.dev, &empty, DMP_TO_DEVICE, 0), -EINVAL);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);

	/* an entry of length 0: refused by the mapping path */
	sg[1].length = 0;
	assert_int_equal(dmp_map_sg(&r.dev, sg, 2, DMP_TO_DEVICE), 0);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	sg[1].length = 128;

	int n = dmp_map_sg(&r.dev, sg, 2, DMP_TO_DEVICE);
	assert_int_equal(n, 2);
	dmp_unmap_sg(&r.dev, sg, 2, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

/* Allocation calls: no device, size 0, nowhere to put the handle; bad frees. */
static void test_alloc_arguments(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_DEBUG_FAIL);
	dmp_addr_t h;
	assert_null(dmp_alloc_coherent(NULL, 4096, &h, 0));
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	assert_null(dmp_alloc_coherent(&r.dev, 0, &h, 0));
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	assert_null(dmp_alloc_coherent(&r.dev, 4096, NULL, 0));
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	assert_null(dmp_alloc_noncoherent(&r.dev, 4096, NULL, DMP_TO_DEVICE, 0));
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);

	void *p = dmp_alloc_coherent(&r.dev, 4096, &h, 0);
	assert_non_null(p);
	expect_none();
	/* a free the bookkeeping does not know: one finding, not one per layer */
	dmp_free_coherent(&r.dev, 4096, (uint8_t *)p + 4096, h + 4096);
	expect_one(DMP_DEBUG_FREE_UNKNOWN, __LINE__ - 1);
	uint8_t local[64];
	dmp_free_noncoherent(&r.dev, 64, local, 0x1000, DMP_TO_DEVICE);
	expect_one(DMP_DEBUG_FREE_UNKNOWN, __LINE__ - 1);
	dmp_free_coherent(&r.dev, 4096, p, h);
	expect_none();
	rig_down(&r);
}

/*
 * The one finding's fix (what follows "; fix: " in its report), checking it is
 * one finding of @kind; then reset.
 */
static void fix_of(enum dmp_debug_kind kind, char *fix, size_t n)
{
	struct dmp_debug_report rep;
	assert_int_equal(dmp_debug_count(kind), 1);
	assert_int_equal(dmp_debug_total(), 1);
	assert_int_equal(dmp_debug_get_report(0, &rep), 0);
	const char *f = strstr(rep.text, "; fix: ");
	if (!f)
		fail_msg("no fix in: %s", rep.text);
	snprintf(fix, n, "%s", f + strlen("; fix: "));
	dmp_debug_reset();
}

/*
 * Each refusal says the fix for its own misuse, not one hint for every
 * invalid-arguments finding; in Linux's names for a driver that uses them.
 */
static void test_fix_names_the_misuse(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_DEBUG_FAIL);
	enum { SIZE0, SG_NENTS, MMAP_WINDOW, POOL_SIZE, SYNC_WRAP, NR };
	char fix[NR][512];
	uint8_t *b = dmp_kmalloc(256, 0);
	struct dmp_scatterlist sg[2];
	dmp_sg_init_table(sg, 2);
	dmp_sg_set_buf(&sg[0], b, 128);
	dmp_sg_set_buf(&sg[1], b + 128, 128);
	dmp_addr_t h;
	void *c = dmp_alloc_coherent(&r.dev, 8192, &h, 0);
	assert_non_null(c);
	struct dmp_user_mapping um = { .pgoff = 2, .size = 4096 };

	assert_true(dmp_mapping_error(&r.dev, dmp_map_single(&r.dev, b, 0, DMP_TO_DEVICE)));
	fix_of(DMP_DEBUG_INVALID_ARGS, fix[SIZE0], sizeof(fix[0]));
	assert_int_equal(dmp_map_sg(&r.dev, sg, 3, DMP_TO_DEVICE), 0);
	fix_of(DMP_DEBUG_INVALID_ARGS, fix[SG_NENTS], sizeof(fix[0]));
	assert_int_equal(dmp_mmap_coherent(&r.dev, &um, c, h, 8192), -ENXIO);
	fix_of(DMP_DEBUG_INVALID_ARGS, fix[MMAP_WINDOW], sizeof(fix[0]));
	assert_null(dmp_pool_create("huge", &r.dev, (size_t)1 << 31, 0, 0));
	fix_of(DMP_DEBUG_INVALID_ARGS, fix[POOL_SIZE], sizeof(fix[0]));
	dmp_sync_single_for_cpu(&r.dev, ~(dmp_addr_t)0 - 16, 256, DMP_FROM_DEVICE);
	fix_of(DMP_DEBUG_SYNC_RANGE, fix[SYNC_WRAP], sizeof(fix[0]));

	assert_non_null(strstr(fix[SIZE0], "a size of at least one byte"));
	/* native names for a native driver */
	assert_non_null(strstr(fix[SG_NENTS], "the entries the list holds (dmp_sg_nents())"));
	assert_non_null(strstr(fix[MMAP_WINDOW], "page offset + length must stay within the size"));
	assert_non_null(strstr(fix[POOL_SIZE], "at most INT_MAX bytes"));
	assert_non_null(strstr(fix[POOL_SIZE], "dmp_alloc_coherent()"));
	assert_non_null(strstr(fix[SYNC_WRAP], "wrap past the top of the bus"));
	for (int i = 0; i < NR; i++)
		for (int k = i + 1; k < NR; k++)
			if (!strcmp(fix[i], fix[k]))
				fail_msg("misuses %d and %d give the same fix: %s", i, k, fix[i]);

	/* the same refusals for a driver written with Linux's names */
	r.dev.linux_api = true;
	assert_int_equal(dmp_map_sg(&r.dev, sg, 3, DMP_TO_DEVICE), 0);
	fix_of(DMP_DEBUG_INVALID_ARGS, fix[SG_NENTS], sizeof(fix[0]));
	assert_non_null(strstr(fix[SG_NENTS], "holds (sg_nents())"));
	assert_null(dmp_pool_create("huge", &r.dev, (size_t)1 << 31, 0, 0));
	fix_of(DMP_DEBUG_INVALID_ARGS, fix[POOL_SIZE], sizeof(fix[0]));
	assert_non_null(strstr(fix[POOL_SIZE], "one dma_alloc_coherent()"));
	r.dev.linux_api = false;

	dmp_free_coherent(&r.dev, 8192, c, h);
	dmp_kfree(b);
	expect_none();
	rig_down(&r);
}

/* dma_pool_free of a foreign block, a misaligned one, one freed twice. */
static void test_pool_free(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_DEBUG_FAIL);
	struct dmp_dma_pool *pool = dmp_pool_create("misuse", &r.dev, 64, 64, 0);
	assert_non_null(pool);
	dmp_addr_t h;
	uint8_t *blk = dmp_pool_alloc(pool, 0, &h);
	assert_non_null(blk);
	uint8_t *foreign = dmp_kmalloc(64, 0);

	dmp_pool_free(pool, foreign, h);
	expect_one(DMP_DEBUG_POOL_BAD_FREE, __LINE__ - 1);
	assert_true(fixture_log_has("dma_pool_free misuse", "not allocated from this pool",
				    NULL));
	dmp_pool_free(pool, blk + 8, h + 8);
	expect_one(DMP_DEBUG_POOL_BAD_FREE, __LINE__ - 1);
	dmp_pool_free(pool, blk, h + 64);
	expect_one(DMP_DEBUG_POOL_BAD_FREE, __LINE__ - 1);
	dmp_pool_free(pool, blk, h);
	expect_none();
	dmp_pool_free(pool, blk, h);
	expect_one(DMP_DEBUG_POOL_BAD_FREE, __LINE__ - 1);
	assert_true(fixture_log_has("double free", NULL));

	/* pool creation with bad arguments: no call site to name */
	assert_null(dmp_pool_create("bad", &r.dev, 0, 64, 0));
	assert_int_equal(dmp_debug_count(DMP_DEBUG_INVALID_ARGS), 1);
	assert_int_equal(dmp_debug_total(), 1);
	dmp_debug_reset();
	dmp_pool_destroy(pool);
	dmp_kfree(foreign);
	expect_none();
	rig_down(&r);
}

/* Off, a misuse is refused and logged but counts nothing. */
static void test_off_counts_nothing(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_DEBUG_OFF);
	uint8_t *b = dmp_kmalloc(64, 0);
	assert_true(dmp_mapping_error(&r.dev, dmp_map_single(&r.dev, b, 0, DMP_TO_DEVICE)));
	assert_true(fixture_log_has("dev0: DMA-API: mapping of size 0", NULL));
	assert_int_equal(dmp_debug_total(), 0);
	dmp_kfree(b);
	rig_down(&r);
}

/* A device the checker leaves alone (DMP_DEBUG_DEVICES or enable_device):
 * its misuse is logged, not counted; a call with no device always counts. */
static void test_filtered_device(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_DEBUG_FAIL);
	assert_int_equal(dmp_debug_enable_device(&r.dev, false), 0);
	uint8_t *b = dmp_kmalloc(64, 0);
	dmp_map_single(&r.dev, b, 0, DMP_TO_DEVICE);
	assert_int_equal(dmp_debug_total(), 0);
	dmp_map_single(NULL, b, 64, DMP_TO_DEVICE);
	expect_one(DMP_DEBUG_INVALID_ARGS, __LINE__ - 1);
	dmp_kfree(b);
	rig_down(&r);
}

/* Abort mode: a refused misuse ends the program after its report. */
static void test_abort(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rig r;
		rig_up(&r, DMP_DEBUG_ABORT);
		uint8_t *b = dmp_kmalloc(64, 0);
		dmp_map_single(&r.dev, b, 64, (enum dmp_data_direction)5);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streaming_arguments),
		cmocka_unit_test(test_sg_arguments),
		cmocka_unit_test(test_alloc_arguments),
		cmocka_unit_test(test_pool_free),
		cmocka_unit_test(test_fix_names_the_misuse),
		cmocka_unit_test(test_off_counts_nothing),
		cmocka_unit_test(test_filtered_device),
		cmocka_unit_test(test_abort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
