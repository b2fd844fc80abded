/* test-debug.c - the DMA-API checker (issue 6).
 *
 * For every check: a small wrong driver that triggers it - that kind once
 * and no other - and its corrected twin that triggers nothing.  For the
 * coherence checks the wrong driver also shows the wrong bytes the bug
 * produces on the simulator.  Every test runs twice: on the plain simulated
 * machine, and in hostile mode (random evictions and refills, four seeds).
 *
 * What hostile mode changes: an eviction or refill at the right moment can
 * repair the data of a coherence bug by luck (stale-to-device, stale-to-cpu,
 * lost-update, invalidate-shared-line, cpu-wrote-device-owned), so the wrong
 * bytes are asserted only on the plain machine; the report must appear in
 * both, because the checker judges the driver's maintenance, not the luck.
 * Write-combining buffers are never touched by hostile mode (it acts on
 * cacheable lines only): the wrong bytes are asserted in both modes there.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmaport/debug.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/sim/iommu-driver.h>
#include <dmaport/swiotlb.h>

#include "dma/debug-hooks.h"
#include "support/ce-driver.h"
#include "support/sim-fixture.h"

struct mode {
	bool hostile;
};

static const struct mode plain = { false }, hostile = { true };

struct rig {
	struct dmp_sim *sim;
	struct dmp_sim_device *hw;
	struct dmp_device dev;
	bool hostile;
	uint64_t seed;
};

static void rig_up_opts(struct rig *r, void **state, uint64_t seed, unsigned int port_bits,
			uint64_t mask)
{
	const struct mode *m = *state;
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.hostile = m->hostile;
	cfg.seed = seed;
	cfg.hostile_rate = 512;
	r->hostile = m->hostile;
	r->seed = seed;
	r->sim = fixture_sim(&cfg);
	struct dmp_sim_device_config dc = { .name = "dma0", .port_bits = port_bits };
	assert_int_equal(dmp_sim_device_create(r->sim, &dc, &r->hw), 0);
	assert_int_equal(dmp_device_init(&r->dev, "dma0"), 0);
	r->dev.hw = r->hw;
	assert_int_equal(dmp_set_mask_and_coherent(&r->dev, mask), 0);
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	assert_int_equal(dmp_debug_enable_device(NULL, true), 0);
	dmp_debug_reset();
	fixture_log_start();
}

static void rig_up(struct rig *r, void **state, uint64_t seed)
{
	rig_up_opts(r, state, seed, 64, DMP_BIT_MASK(64));
}

static void rig_down(struct rig *r)
{
	dmp_device_remove(&r->dev);
	fixture_log_stop();
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(r->sim);
}

/* Exactly @n findings of @kind and none of any other kind. */
static void expect_only(enum dmp_debug_kind kind, unsigned long n)
{
	assert_int_equal(dmp_debug_table_check(), 0);
	for (int k = 0; k < DMP_DEBUG_NR_KINDS; k++) {
		unsigned long c = dmp_debug_count((enum dmp_debug_kind)k);
		unsigned long want = k == (int)kind ? n : 0;
		if (c != want)
			fail_msg("kind %s: %lu finding(s), expected %lu", dmp_debug_kind_name(
					 (enum dmp_debug_kind)k), c, want);
	}
}

static void expect_none(void)
{
	expect_only(DMP_DEBUG_NR_KINDS, 0);
}

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

static bool is_pattern(const uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(i * 7 + seed))
			return false;
	return true;
}

static dmp_addr_t map_ok(struct rig *r, void *buf, size_t n, enum dmp_data_direction dir,
			 unsigned long attrs)
{
	dmp_addr_t a = dmp_map_single_attrs(&r->dev, buf, n, dir, attrs);
	assert_false(dmp_mapping_error(&r->dev, a));
	return a;
}

/* Run the body once on the plain machine, under HOSTILE_SEEDS seeds on the hostile one. */
#ifndef HOSTILE_SEEDS
#define HOSTILE_SEEDS 4u
#endif
#define FOR_SEEDS(state, seed)                                                                 \
	for (uint64_t seed = 1;                                                                \
	     seed <= (((const struct mode *)*(state))->hostile ? HOSTILE_SEEDS : 1u); seed++)

/* ---- bookkeeping --------------------------------------------------------- */

static void test_free_unknown(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0);
	dmp_phys_t phys;
	assert_int_equal(dmp_virt_to_phys(b, &phys), 0);
	dmp_unmap_single(&r.dev, phys, 256, DMP_TO_DEVICE); /* never mapped */
	expect_only(DMP_DEBUG_FREE_UNKNOWN, 1);
	assert_true(fixture_log_has("dma0: DMA-API: device driver tries to free DMA memory it "
				    "has not allocated", "test-debug.c:", NULL));
	dmp_debug_reset();
	dmp_unmap_single(&r.dev, map_ok(&r, b, 256, DMP_TO_DEVICE, 0), 256, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_size_mismatch(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0);
	dmp_addr_t a = map_ok(&r, b, 256, DMP_TO_DEVICE, 0);
	dmp_unmap_single(&r.dev, a, 128, DMP_TO_DEVICE);
	expect_only(DMP_DEBUG_SIZE_MISMATCH, 1);
	assert_true(fixture_log_has("different size [map size=256 bytes] [unmap size=128 bytes]",
				    NULL));
	dmp_debug_reset();
	dmp_unmap_single(&r.dev, map_ok(&r, b, 256, DMP_TO_DEVICE, 0), 256, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_type_mismatch(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0);
	dmp_addr_t a = map_ok(&r, b, 256, DMP_TO_DEVICE, 0);
	dmp_unmap_page(&r.dev, a, 256, DMP_TO_DEVICE);
	expect_only(DMP_DEBUG_TYPE_MISMATCH, 1);
	assert_true(fixture_log_has("wrong function [mapped as single] [unmapped as page]", NULL));
	dmp_debug_reset();
	dmp_unmap_single(&r.dev, map_ok(&r, b, 256, DMP_TO_DEVICE, 0), 256, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_cpu_addr_mismatch(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	dmp_addr_t dma;
	uint8_t *p = dmp_alloc_coherent(&r.dev, 4096, &dma, DMP_GFP_KERNEL);
	assert_non_null(p);
	/* the implementation refuses the free (and says so); the checker names it */
	dmp_free_coherent(&r.dev, 4096, p + 64, dma);
	expect_only(DMP_DEBUG_CPU_ADDR_MISMATCH, 1);
	assert_true(fixture_log_has("different CPU address", NULL));
	/* a coherent allocation has no direction: the report shows none, not
	 * an empty "direction=DMA_NONE" */
	struct dmp_debug_report rep;
	assert_int_equal(dmp_debug_get_report(0, &rep), 0);
	char want[64];
	snprintf(want, sizeof(want), "[bus address=0x%llx size=4096]", (unsigned long long)dma);
	if (!strstr(rep.text, want) || strstr(rep.text, "direction"))
		fail_msg("want \"%s\" and no direction in: %s", want, rep.text);
	dmp_debug_reset();
	p = dmp_alloc_coherent(&r.dev, 4096, &dma, DMP_GFP_KERNEL);
	dmp_free_coherent(&r.dev, 4096, p, dma);
	expect_none();
	rig_down(&r);
}

static void test_sg_count_mismatch(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	struct dmp_scatterlist sg[3];
	uint8_t *b[3];
	dmp_sg_init_table(sg, 3);
	for (int i = 0; i < 3; i++) {
		b[i] = dmp_kmalloc(256, 0);
		dmp_sg_set_buf(&sg[i], b[i], 256);
	}
	assert_int_equal(dmp_map_sg(&r.dev, sg, 2, DMP_TO_DEVICE), 2);
	fixture_log_start();
	dmp_unmap_sg(&r.dev, sg, 3, DMP_TO_DEVICE); /* mapped with 2 */
	expect_only(DMP_DEBUG_SG_COUNT_MISMATCH, 1);
	assert_true(fixture_log_has("different entry count [map count=2] [unmap count=3]", NULL));
	dmp_debug_reset();
	assert_int_equal(dmp_map_sg(&r.dev, sg, 3, DMP_TO_DEVICE), 3);
	dmp_unmap_sg(&r.dev, sg, 3, DMP_TO_DEVICE);
	expect_none();
	for (int i = 0; i < 3; i++)
		dmp_kfree(b[i]);
	rig_down(&r);
}

static void test_dir_mismatch(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0);
	dmp_addr_t a = map_ok(&r, b, 256, DMP_TO_DEVICE, 0);
	dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
	expect_only(DMP_DEBUG_DIR_MISMATCH, 1);
	assert_true(fixture_log_has("different direction [mapped with DMA_TO_DEVICE] [unmapped "
				    "with DMA_FROM_DEVICE]", NULL));
	dmp_debug_reset();
	dmp_unmap_single(&r.dev, map_ok(&r, b, 256, DMP_TO_DEVICE, 0), 256, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_error_unchecked(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0);
	dmp_addr_t a = dmp_map_single(&r.dev, b, 256, DMP_TO_DEVICE); /* never checked */
	dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
	expect_only(DMP_DEBUG_ERROR_UNCHECKED, 1);
	assert_true(fixture_log_has("device driver failed to check map error", NULL));
	/* seen at the device's first use already (once per mapping) */
	dmp_debug_reset();
	uint8_t got[64];
	a = dmp_map_single(&r.dev, b, 256, DMP_TO_DEVICE);
	assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 64), 0);
	expect_only(DMP_DEBUG_ERROR_UNCHECKED, 1);
	assert_true(fixture_log_has("before the device used the mapping", NULL));
	assert_int_equal(dmp_sim_dma_read(r.hw, a + 64, got, 64), 0);
	dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
	expect_only(DMP_DEBUG_ERROR_UNCHECKED, 1);
	dmp_debug_reset();
	a = map_ok(&r, b, 256, DMP_TO_DEVICE, 0);
	assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 64), 0);
	dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_map_stack(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t on_stack[64];
	memset(on_stack, 1, sizeof(on_stack));
	dmp_addr_t a = dmp_map_single(&r.dev, on_stack, sizeof(on_stack), DMP_TO_DEVICE);
	assert_true(dmp_mapping_error(&r.dev, a));
	expect_only(DMP_DEBUG_MAP_STACK, 1);
	assert_true(fixture_log_has("device driver maps memory from stack", NULL));
	dmp_debug_reset();
	uint8_t *b = dmp_kmalloc(64, 0);
	dmp_unmap_single(&r.dev, map_ok(&r, b, 64, DMP_TO_DEVICE, 0), 64, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_map_not_dma(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *libc = malloc(64); /* libc's heap: not platform memory */
	assert_non_null(libc);
	dmp_addr_t a = dmp_map_single(&r.dev, libc, 64, DMP_TO_DEVICE);
	assert_true(dmp_mapping_error(&r.dev, a));
	expect_only(DMP_DEBUG_MAP_NOT_DMA, 1);
	free(libc);
	dmp_debug_reset();
	uint8_t *b = dmp_kmalloc(64, 0);
	dmp_unmap_single(&r.dev, map_ok(&r, b, 64, DMP_TO_DEVICE, 0), 64, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_sync_unmapped(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0);
	dmp_phys_t phys;
	assert_int_equal(dmp_virt_to_phys(b, &phys), 0);
	dmp_sync_single_for_cpu(&r.dev, phys, 256, DMP_FROM_DEVICE);
	expect_only(DMP_DEBUG_SYNC_UNMAPPED, 1);
	dmp_debug_reset();
	dmp_addr_t a = map_ok(&r, b, 256, DMP_FROM_DEVICE, 0);
	dmp_sync_single_for_cpu(&r.dev, a, 256, DMP_FROM_DEVICE);
	dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_sync_range(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(1024, 0);
	dmp_addr_t a = map_ok(&r, b, 256, DMP_FROM_DEVICE, 0);
	dmp_sync_single_range_for_cpu(&r.dev, a, 128, 256, DMP_FROM_DEVICE);
	expect_only(DMP_DEBUG_SYNC_RANGE, 1);
	assert_true(fixture_log_has("outside allocated range [allocation size=256 bytes] [sync "
				    "offset+size=384]", NULL));
	dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
	dmp_debug_reset();
	a = map_ok(&r, b, 256, DMP_FROM_DEVICE, 0);
	dmp_sync_single_range_for_cpu(&r.dev, a, 128, 128, DMP_FROM_DEVICE);
	dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

/* One sync against a mapping of @map_dir; the expected finding (or none). */
static void sync_case(void **state, enum dmp_data_direction map_dir, bool for_device,
		      enum dmp_data_direction sync_dir, enum dmp_debug_kind want)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0);
	dmp_addr_t a = map_ok(&r, b, 256, map_dir, 0);
	if (for_device) {
		dmp_sync_single_for_cpu(&r.dev, a, 256, map_dir);
		dmp_sync_single_for_device(&r.dev, a, 256, sync_dir);
	} else {
		dmp_sync_single_for_cpu(&r.dev, a, 256, sync_dir);
		dmp_sync_single_for_device(&r.dev, a, 256, map_dir);
	}
	dmp_unmap_single(&r.dev, a, 256, map_dir);
	expect_only(want, 1);
	dmp_debug_reset();
	a = map_ok(&r, b, 256, map_dir, 0);
	dmp_sync_single_for_cpu(&r.dev, a, 256, map_dir);
	dmp_sync_single_for_device(&r.dev, a, 256, map_dir);
	dmp_unmap_single(&r.dev, a, 256, map_dir);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_sync_dir(void **state)
{
	sync_case(state, DMP_TO_DEVICE, true, DMP_FROM_DEVICE, DMP_DEBUG_SYNC_DIR);
	sync_case(state, DMP_FROM_DEVICE, false, DMP_TO_DEVICE, DMP_DEBUG_SYNC_DIR);
}

static void test_sync_ro_for_cpu(void **state)
{
	sync_case(state, DMP_TO_DEVICE, false, DMP_FROM_DEVICE, DMP_DEBUG_SYNC_RO_FOR_CPU);
	sync_case(state, DMP_TO_DEVICE, false, DMP_BIDIRECTIONAL, DMP_DEBUG_SYNC_RO_FOR_CPU);
}

static void test_sync_wo_for_dev(void **state)
{
	sync_case(state, DMP_FROM_DEVICE, true, DMP_TO_DEVICE, DMP_DEBUG_SYNC_WO_FOR_DEV);
	sync_case(state, DMP_FROM_DEVICE, true, DMP_BIDIRECTIONAL, DMP_DEBUG_SYNC_WO_FOR_DEV);
}

static void test_overlap(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0); /* 128-aligned */
	/* [0, 100) and [100, 200) share the line [64, 128) */
	dmp_addr_t a1 = map_ok(&r, b, 100, DMP_FROM_DEVICE, 0);
	dmp_addr_t a2 = map_ok(&r, b + 100, 100, DMP_FROM_DEVICE, 0);
	expect_only(DMP_DEBUG_OVERLAP, 1);
	assert_true(fixture_log_has("overlapping mappings aren't supported", NULL));
	dmp_unmap_single(&r.dev, a2, 100, DMP_FROM_DEVICE);
	dmp_unmap_single(&r.dev, a1, 100, DMP_FROM_DEVICE);
	expect_only(DMP_DEBUG_OVERLAP, 1);
	dmp_debug_reset();
	/* line-aligned halves; or shared lines the rules allow */
	a1 = map_ok(&r, b, 128, DMP_FROM_DEVICE, 0);
	a2 = map_ok(&r, b + 128, 128, DMP_FROM_DEVICE, 0);
	dmp_addr_t t1 = map_ok(&r, b, 100, DMP_TO_DEVICE, 0);
	dmp_addr_t t2 = map_ok(&r, b, 100, DMP_BIDIRECTIONAL, DMP_ATTR_DEBUGGING_IGNORE_CACHELINES);
	dmp_unmap_single_attrs(&r.dev, t2, 100, DMP_BIDIRECTIONAL,
			       DMP_ATTR_DEBUGGING_IGNORE_CACHELINES);
	dmp_unmap_single(&r.dev, t1, 100, DMP_TO_DEVICE);
	dmp_unmap_single(&r.dev, a2, 128, DMP_FROM_DEVICE);
	dmp_unmap_single(&r.dev, a1, 128, DMP_FROM_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_sg_too_long(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	assert_int_equal(dmp_set_max_seg_size(&r.dev, 1024), 0);
	uint8_t *b = dmp_kmalloc(2048, 0);
	struct dmp_scatterlist sg[2];
	dmp_sg_init_one(sg, b, 2048);
	assert_int_equal(dmp_map_sg(&r.dev, sg, 1, DMP_TO_DEVICE), 1);
	dmp_unmap_sg(&r.dev, sg, 1, DMP_TO_DEVICE);
	expect_only(DMP_DEBUG_SG_TOO_LONG, 1);
	assert_true(fixture_log_has("sg segment longer than device claims to support [len=2048] "
				    "[max=1024]", NULL));
	dmp_debug_reset();
	dmp_sg_init_table(sg, 2);
	dmp_sg_set_buf(&sg[0], b, 1024);
	dmp_sg_set_buf(&sg[1], b + 1024, 1024);
	assert_int_equal(dmp_map_sg(&r.dev, sg, 2, DMP_TO_DEVICE), 2);
	dmp_unmap_sg(&r.dev, sg, 2, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

static void test_sg_boundary(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	assert_int_equal(dmp_set_seg_boundary(&r.dev, 0xfff), 0);
	dmp_phys_t phys;
	assert_int_equal(dmp_page_alloc(1, 0, DMP_PHYS_ANY, &phys), 0);
	struct dmp_scatterlist sg[1];
	dmp_sg_init_table(sg, 1);
	dmp_sg_set_page(sg, dmp_phys_to_page(phys), 256, 4096 - 128); /* crosses 4 KiB */
	assert_int_equal(dmp_map_sg(&r.dev, sg, 1, DMP_TO_DEVICE), 1);
	dmp_unmap_sg(&r.dev, sg, 1, DMP_TO_DEVICE);
	expect_only(DMP_DEBUG_SG_BOUNDARY, 1);
	assert_true(fixture_log_has("sg segment across boundary", "[boundary=0xfff]", NULL));
	dmp_debug_reset();
	dmp_sg_init_table(sg, 1);
	dmp_sg_set_page(sg, dmp_phys_to_page(phys), 256, 4096 - 256);
	assert_int_equal(dmp_map_sg(&r.dev, sg, 1, DMP_TO_DEVICE), 1);
	dmp_unmap_sg(&r.dev, sg, 1, DMP_TO_DEVICE);
	expect_none();
	dmp_page_free(phys, 1);
	rig_down(&r);
}

struct live_seen {
	int n;
	size_t size;
	bool owns, checked;
};

static void count_live(void *cookie, const struct dmp_debug_live *l)
{
	struct live_seen *s = cookie;
	s->n++;
	s->size = l->size;
	s->owns = l->device_owns;
	s->checked = l->error_checked;
}

static void test_leak(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0);
	dmp_addr_t a = map_ok(&r, b, 256, DMP_TO_DEVICE, 0);
	dmp_addr_t dma;
	void *p = dmp_alloc_coherent(&r.dev, 4096, &dma, DMP_GFP_KERNEL);
	assert_non_null(p);
	dmp_free_coherent(&r.dev, 4096, p, dma);
	struct live_seen seen = { 0 };
	assert_int_equal(dmp_debug_for_each_live(&r.dev, count_live, &seen), 1);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.size, 256);
	assert_true(seen.owns && seen.checked);
	assert_int_equal(dmp_debug_dump(&r.dev), 1);
	dmp_device_remove(&r.dev); /* the driver forgot its unmap */
	expect_only(DMP_DEBUG_LEAK, 1);
	assert_true(fixture_log_has("pending DMA allocations while released from device",
				    "test-debug.c:", NULL));
	assert_int_equal(dmp_debug_for_each_live(&r.dev, NULL, NULL), 0);
	(void)a;
	dmp_debug_reset();
	a = map_ok(&r, b, 256, DMP_TO_DEVICE, 0);
	dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
	dmp_device_remove(&r.dev);
	expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

/* ---- the simulated platform ------------------------------------------------ */

/* An aligned buffer of @n bytes, as a driver would take from the heap. */
static uint8_t *dma_buf(size_t n)
{
	uint8_t *b = dmp_kmalloc(n, 0);
	assert_non_null(b);
	assert_true(((uintptr_t)b % 64) == 0);
	return b;
}

/* The device reads what the CPU wrote: without a clean it reads DRAM. */
static void test_stale_to_device(void **state)
{
	FOR_SEEDS(state, seed) {
		for (int wrong = 1; wrong >= 0; wrong--) {
			struct rig r;
			rig_up(&r, state, seed);
			uint8_t *b = dma_buf(256), got[256];
			pattern(b, 256, 3);
			unsigned long attrs = wrong ? DMP_ATTR_SKIP_CPU_SYNC : 0;
			dmp_addr_t a = map_ok(&r, b, 256, DMP_TO_DEVICE, attrs);
			assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 256), 0);
			dmp_unmap_single_attrs(&r.dev, a, 256, DMP_TO_DEVICE, attrs);
			if (wrong) {
				expect_only(DMP_DEBUG_STALE_TO_DEVICE, 1);
				assert_true(fixture_log_has("never cleaned", NULL));
				if (!r.hostile)
					assert_false(is_pattern(got, 256, 3));
			} else {
				expect_none();
				assert_true(is_pattern(got, 256, 3));
			}
			dmp_kfree(b);
			rig_down(&r);
		}
	}
}

/* The everyday bug: the CPU takes a buffer back (sync_for_cpu), writes it, and
 * lets the device read it without sync_for_device. */
static void test_missing_sync_for_device(void **state)
{
	FOR_SEEDS(state, seed) {
		for (int wrong = 1; wrong >= 0; wrong--) {
			struct rig r;
			rig_up(&r, state, seed);
			uint8_t *b = dma_buf(256), got[256];
			pattern(b, 256, 1);
			dmp_addr_t a = map_ok(&r, b, 256, DMP_BIDIRECTIONAL, 0);
			assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 256), 0);
			dmp_sync_single_for_cpu(&r.dev, a, 256, DMP_BIDIRECTIONAL);
			pattern(b, 256, 2); /* the CPU's new data */
			if (!wrong)
				dmp_sync_single_for_device(&r.dev, a, 256, DMP_BIDIRECTIONAL);
			assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 256), 0);
			if (wrong) {
				expect_only(DMP_DEBUG_STALE_TO_DEVICE, 1);
				assert_true(fixture_log_has("never synced back for the device", NULL));
				if (!r.hostile)
					assert_true(is_pattern(got, 256, 1)); /* the old bytes */
			} else {
				expect_none();
				assert_true(is_pattern(got, 256, 2));
			}
			if (wrong) /* hand it over before the unmap: only the one bug */
				dmp_sync_single_for_device(&r.dev, a, 256, DMP_BIDIRECTIONAL);
			dmp_unmap_single(&r.dev, a, 256, DMP_BIDIRECTIONAL);
			dmp_kfree(b);
			rig_down(&r);
		}
	}
}

/* Behind an IOMMU the coherence checks watch the translated accesses too:
 * the stale-to-device and missing-sync bugs of a non-coherent device. */
static void test_iommu_coherence(void **state)
{
	FOR_SEEDS(state, seed) {
		for (int wrong = 1; wrong >= 0; wrong--) {
			struct rig r;
			rig_up(&r, state, seed);
			struct dmp_sim_iommu *hw;
			struct dmp_iommu *iommu;
			struct dmp_sim_iommu_config ic = { .name = "smmu0", .coherent_walk = true };
			assert_int_equal(dmp_sim_iommu_create(r.sim, &ic, &hw), 0);
			assert_int_equal(dmp_sim_iommu_driver_register(hw, DMP_IOMMU_DOMAIN_DMA, &iommu),
					 0);
			uint32_t sid = 5;
			assert_int_equal(dmp_iommu_probe_device(&r.dev, iommu, &sid, 1), 0);
			uint8_t *b = dma_buf(256), got[256];
			pattern(b, 256, 4);
			unsigned long attrs = wrong ? DMP_ATTR_SKIP_CPU_SYNC : 0;
			dmp_addr_t a = map_ok(&r, b, 256, DMP_TO_DEVICE, attrs);
			dmp_phys_t pa;
			assert_int_equal(dmp_virt_to_phys(b, &pa), 0);
			assert_true(a != pa); /* an IOVA, not the physical address */
			assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 256), 0);
			dmp_unmap_single_attrs(&r.dev, a, 256, DMP_TO_DEVICE, attrs);
			if (wrong) {
				expect_only(DMP_DEBUG_STALE_TO_DEVICE, 1);
				if (!r.hostile)
					assert_false(is_pattern(got, 256, 4));
			} else {
				expect_none();
				assert_true(is_pattern(got, 256, 4));
			}
			dmp_kfree(b);
			dmp_device_remove(&r.dev);
			dmp_iommu_release_device(&r.dev);
			dmp_sim_iommu_driver_unregister(iommu);
			dmp_sim_iommu_destroy(hw);
			rig_down(&r);
		}
	}
}

/* The device writes; the CPU takes the buffer back without an invalidate. */
static void test_stale_to_cpu(void **state)
{
	FOR_SEEDS(state, seed) {
		for (int wrong = 1; wrong >= 0; wrong--) {
			struct rig r;
			rig_up(&r, state, seed);
			uint8_t *b = dma_buf(256), src[256];
			memset(b, 0xee, 256); /* old contents, in the cache */
			pattern(src, 256, 5);
			dmp_addr_t a = map_ok(&r, b, 256, DMP_FROM_DEVICE, 0);
			assert_int_equal(dmp_sim_dma_write(r.hw, a, src, 256), 0);
			unsigned long attrs = wrong ? DMP_ATTR_SKIP_CPU_SYNC : 0;
			dmp_unmap_single_attrs(&r.dev, a, 256, DMP_FROM_DEVICE, attrs);
			if (wrong) {
				expect_only(DMP_DEBUG_STALE_TO_CPU, 1);
				if (!r.hostile)
					assert_false(is_pattern(b, 256, 5));
			} else {
				expect_none();
				assert_true(is_pattern(b, 256, 5));
			}
			dmp_kfree(b);
			rig_down(&r);
		}
	}
}

/* The same bug caught at a check point, while the buffer is still mapped. */
static void test_stale_to_cpu_check_point(void **state)
{
	FOR_SEEDS(state, seed) {
		for (int wrong = 1; wrong >= 0; wrong--) {
			struct rig r;
			rig_up(&r, state, seed);
			uint8_t *b = dma_buf(256), src[256];
			memset(b, 0xee, 256);
			pattern(src, 256, 9);
			dmp_addr_t a = map_ok(&r, b, 256, DMP_FROM_DEVICE, 0);
			assert_int_equal(dmp_sim_dma_write(r.hw, a, src, 256), 0);
			if (!wrong)
				dmp_sync_single_for_cpu(&r.dev, a, 256, DMP_FROM_DEVICE);
			size_t stale = dmp_debug_check_point(&r.dev, b, 256);
			bool right = is_pattern(b, 256, 9);
			if (wrong) {
				assert_int_equal(stale, 4);
				/* guard mode also catches the read itself */
				unsigned long g = dmp_debug_get_guard() ? 1 : 0;
				assert_int_equal(dmp_debug_count(DMP_DEBUG_STALE_TO_CPU), 1);
				assert_int_equal(dmp_debug_count(DMP_DEBUG_CPU_READ_OWNED), g);
				assert_int_equal(dmp_debug_total(), 1 + g);
				dmp_debug_reset();
				assert_true(fixture_log_has("check point", NULL));
				if (!r.hostile)
					assert_false(right);
				dmp_sync_single_for_cpu(&r.dev, a, 256, DMP_FROM_DEVICE);
			} else {
				assert_int_equal(stale, 0);
				assert_true(right);
			}
			dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
			assert_true(is_pattern(b, 256, 9));
			expect_none();
			dmp_kfree(b);
			rig_down(&r);
		}
	}
}

/* The CPU's dirty lines and the device's write to the same lines. */
static void test_lost_update(void **state)
{
	FOR_SEEDS(state, seed) {
		for (int wrong = 1; wrong >= 0; wrong--) {
			struct rig r;
			rig_up(&r, state, seed);
			uint8_t *b = dma_buf(256), src[256];
			memset(b, 0x11, 256); /* dirty in the cache */
			pattern(src, 256, 7);
			unsigned long attrs = wrong ? DMP_ATTR_SKIP_CPU_SYNC : 0;
			dmp_addr_t a = map_ok(&r, b, 256, DMP_FROM_DEVICE, attrs);
			assert_int_equal(dmp_sim_dma_write(r.hw, a, src, 256), 0);
			/* the cache may write a dirty line back at any time */
			dmp_phys_t phys;
			assert_int_equal(dmp_virt_to_phys(b, &phys), 0);
			dmp_sim_evict_all(r.sim, phys, 256);
			dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
			if (wrong) {
				expect_only(DMP_DEBUG_LOST_UPDATE, 1);
				assert_true(fixture_log_has("one of the two writes will be lost",
							    NULL));
				if (!r.hostile)
					assert_false(is_pattern(b, 256, 7));
			} else {
				expect_none();
				assert_true(is_pattern(b, 256, 7));
			}
			dmp_kfree(b);
			rig_down(&r);
		}
	}
}

/* A buffer that shares a line with data the CPU writes during the DMA. */
static void test_inval_shared_line(void **state)
{
	FOR_SEEDS(state, seed) {
		for (int wrong = 1; wrong >= 0; wrong--) {
			struct rig r;
			rig_up(&r, state, seed);
			uint8_t *blk = dma_buf(256), src[256];
			memset(blk, 0, 256);
			pattern(src, 256, 1);
			/* wrong: the buffer starts 16 bytes into the neighbour's line */
			uint8_t *buf = wrong ? blk + 16 : blk + 64;
			size_t len = wrong ? 200 : 128;
			uint8_t *neighbour = blk; /* e.g. a status word of the driver */
			dmp_addr_t a = map_ok(&r, buf, len, DMP_FROM_DEVICE, 0);
			*neighbour = 0xab; /* written while the DMA runs */
			assert_int_equal(dmp_sim_dma_write(r.hw, a, src, len), 0);
			dmp_unmap_single(&r.dev, a, len, DMP_FROM_DEVICE);
			/* hostile: an eviction of the shared line after the device's
			 * write may also put stale bytes over the buffer's own part */
			if (!wrong || !r.hostile)
				assert_true(is_pattern(buf, len, 1));
			if (wrong) {
				expect_only(DMP_DEBUG_INVAL_SHARED, 1);
				assert_true(fixture_log_has("invalidate discards CPU data sharing "
							    "cache line", NULL));
				if (!r.hostile)
					assert_int_equal(*neighbour, 0); /* the 0xab is lost */
			} else {
				expect_none();
				assert_int_equal(*neighbour, 0xab);
			}
			dmp_kfree(blk);
			rig_down(&r);
		}
	}
}

/* The CPU writes a TO_DEVICE buffer after handing it to the device. */
static void test_cpu_wrote_owned(void **state)
{
	FOR_SEEDS(state, seed) {
		for (int wrong = 1; wrong >= 0; wrong--) {
			struct rig r;
			rig_up(&r, state, seed);
			uint8_t *b = dma_buf(256), got[256];
			pattern(b, 256, 2);
			if (!wrong)
				b[10] = 0x77; /* the last touch, before the map */
			dmp_addr_t a = dmp_map_single(&r.dev, b, 256, DMP_TO_DEVICE);
			int map_line = __LINE__ - 1;
			assert_false(dmp_mapping_error(&r.dev, a));
			if (wrong)
				b[10] = 0x77; /* too late: the device owns it */
			int write_line = __LINE__ - 1;
			assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 256), 0);
			dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
			int unmap_line = __LINE__ - 1;
			if (wrong) {
				expect_only(DMP_DEBUG_CPU_WROTE_OWNED, 1);
				char since[64];
				snprintf(since, sizeof(since), "(device owns it since %s:%d)",
					 __FILE__, map_line);
				assert_true(fixture_log_has("CPU wrote to a buffer the device owned",
							    since, NULL));
				struct dmp_debug_report rep;
				assert_int_equal(dmp_debug_nr_reports(), 1);
				assert_int_equal(dmp_debug_get_report(0, &rep), 0);
				assert_int_equal(rep.kind, DMP_DEBUG_CPU_WROTE_OWNED);
				assert_int_equal(rep.owner_line, map_line);
				/* guard mode: at the store itself; else found at the unmap */
				assert_int_equal(rep.line,
						 dmp_debug_get_guard() ? write_line : unmap_line);
				assert_int_equal(rep.dma, a);
				assert_int_equal(rep.size, 256);
				assert_ptr_equal(rep.dev, &r.dev);
				if (!r.hostile)
					assert_int_not_equal(got[10], 0x77);
			} else {
				expect_none();
				assert_int_equal(got[10], 0x77);
			}
			dmp_kfree(b);
			rig_down(&r);
		}
	}
}

/* The device reaches memory nobody mapped for it. */
static void test_rogue_dma(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dma_buf(256), *other = dma_buf(256), got[64];
	dmp_addr_t a = map_ok(&r, b, 256, DMP_TO_DEVICE, 0);
	dmp_phys_t phys;
	assert_int_equal(dmp_virt_to_phys(other, &phys), 0);
	assert_int_equal(dmp_sim_dma_read(r.hw, phys, got, 64), 0); /* a stray address */
	expect_only(DMP_DEBUG_ROGUE_DMA, 1);
	assert_true(fixture_log_has("outside every active mapping", NULL));
	dmp_debug_reset();
	assert_int_equal(dmp_sim_dma_read(r.hw, a + 192, got, 64), 0);
	dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
	expect_none();
	dmp_kfree(other);
	dmp_kfree(b);
	rig_down(&r);
}

static void test_dma_after_unmap(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dma_buf(256), src[64];
	memset(src, 0x42, sizeof(src));
	dmp_addr_t a = map_ok(&r, b, 256, DMP_FROM_DEVICE, 0);
	dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
	int unmap_line = __LINE__ - 1;
	assert_int_equal(dmp_sim_dma_write(r.hw, a, src, 64), 0); /* a late completion */
	expect_only(DMP_DEBUG_DMA_AFTER_UNMAP, 1);
	char at[64];
	snprintf(at, sizeof(at), "unmapped at %s:%d", __FILE__, unmap_line);
	assert_true(fixture_log_has("after the buffer was", at, NULL));
	dmp_debug_reset();
	a = map_ok(&r, b, 256, DMP_FROM_DEVICE, 0);
	assert_int_equal(dmp_sim_dma_write(r.hw, a, src, 64), 0);
	dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
	expect_none();
	assert_int_equal(b[0], 0x42);
	dmp_kfree(b);
	rig_down(&r);
}

/* A 32-bit DMA port given a 64-bit mask: addresses above 4 GiB lose their top. */
static void test_dma_fault(void **state)
{
	for (int wrong = 1; wrong >= 0; wrong--) {
		struct rig r;
		rig_up_opts(&r, state, 1, 32, wrong ? DMP_BIT_MASK(64) : DMP_BIT_MASK(32));
		dmp_phys_t phys;
		assert_int_equal(dmp_page_alloc(0, 0, wrong ? DMP_PHYS_ANY : 0xffffffffu, &phys), 0);
		assert_true(wrong ? phys >= 0x100000000ull : phys < 0x100000000ull);
		uint8_t *b = dmp_phys_to_virt(phys), src[64];
		memset(src, 0x5a, sizeof(src));
		dmp_addr_t a = map_ok(&r, b, 64, DMP_FROM_DEVICE, 0);
		int err = dmp_sim_dma_write(r.hw, a, src, 64);
		dmp_unmap_single(&r.dev, a, 64, DMP_FROM_DEVICE);
		if (wrong) {
			assert_int_equal(err, -EFAULT);
			expect_only(DMP_DEBUG_DMA_FAULT, 1);
			assert_true(fixture_log_has("no memory there", "address width", NULL));
			assert_int_not_equal(b[0], 0x5a);
		} else {
			assert_int_equal(err, 0);
			expect_none();
			assert_int_equal(b[0], 0x5a);
		}
		dmp_page_free(phys, 0);
		rig_down(&r);
	}
}

/* Write-combining stores wait in the combining buffer until a barrier. */
static void test_wc_undrained(void **state)
{
	FOR_SEEDS(state, seed) {
		for (int wrong = 1; wrong >= 0; wrong--) {
			struct rig r;
			rig_up(&r, state, seed);
			dmp_addr_t dma;
			uint8_t *p = dmp_alloc_wc(&r.dev, 4096, &dma, DMP_GFP_KERNEL), got[128];
			assert_non_null(p);
			pattern(p, 128, 4); /* a descriptor, say */
			if (!wrong)
				dmp_dma_wmb();
			assert_int_equal(dmp_sim_dma_read(r.hw, dma, got, 128), 0);
			if (wrong) {
				expect_only(DMP_DEBUG_WC_UNDRAINED, 1);
				assert_true(fixture_log_has("write-combining", "dmp_dma_wmb", NULL));
				assert_false(is_pattern(got, 128, 4));
			} else {
				expect_none();
				assert_true(is_pattern(got, 128, 4));
			}
			dmp_free_wc(&r.dev, 4096, p, dma);
			rig_down(&r);
		}
	}
}

/* ---- a correct driver triggers nothing ------------------------------------ */

/* The copy engine driver: a ring in coherent memory, doorbells, streaming
 * buffers of every direction (single, sg, noncoherent pages), direct and
 * bounced (a 32-bit engine), coherent and not. */
static void test_correct_driver_is_clean(void **state)
{
	const struct mode *m = *state;
	for (int coh = 0; coh <= 1; coh++)
		for (int bounced = 0; bounced <= 1; bounced++)
			FOR_SEEDS(state, seed) {
				struct dmp_sim_config cfg;
				dmp_sim_config_default(&cfg);
				cfg.hostile = m->hostile;
				cfg.seed = seed;
				cfg.hostile_rate = 512;
				struct dmp_sim *sim = fixture_sim(&cfg);
				struct dmp_sim_device *hw;
				struct dmp_sim_device_config dc = { .name = "ce0",
								    .port_bits = bounced ? 32 : 64,
								    .coherent = coh,
								    .mmio_base = CE_TEST_MMIO };
				assert_int_equal(dmp_sim_copy_engine_create(sim, &dc, &hw), 0);
				struct dmp_device dev;
				assert_int_equal(dmp_device_init(&dev, "ce0"), 0);
				dmp_device_set_coherent(&dev, coh);
				dev.hw = hw;
				assert_int_equal(dmp_set_mask_and_coherent(
						 &dev, bounced ? DMP_BIT_MASK(32) : DMP_BIT_MASK(64)), 0);
				struct dmp_swiotlb_pool *pool;
				assert_int_equal(dmp_swiotlb_pool_create("default", 1u << 20,
									 DMP_SWIOTLB_DEFAULT_LIMIT, 1,
									 &pool), 0);
				dmp_swiotlb_set_default(pool);
				dmp_debug_set_mode(DMP_DEBUG_FAIL);
				dmp_debug_reset();
				fixture_log_start();
				struct ce_driver ce;
				assert_int_equal(ce_probe(&ce, &dev, CE_TEST_MMIO, 16), 0);

				dmp_phys_t sp, dp;
				assert_int_equal(dmp_page_alloc(1, 0, DMP_PHYS_ANY, &sp), 0);
				assert_int_equal(dmp_page_alloc(1, 0, DMP_PHYS_ANY, &dp), 0);
				uint8_t *src = dmp_phys_to_virt(sp), *dst = dmp_phys_to_virt(dp);
				static const enum dmp_data_direction dirs[] = { DMP_TO_DEVICE,
										DMP_FROM_DEVICE,
										DMP_BIDIRECTIONAL };
				for (int d = 0; d < 3; d++) {
					pattern(src, 3000, (unsigned)d);
					memset(dst, 0xee, 3000);
					dmp_addr_t s = dmp_map_single(&dev, src, 3000, DMP_TO_DEVICE);
					assert_false(dmp_mapping_error(&dev, s));
					dmp_addr_t t = dmp_map_single(&dev, dst, 3000, dirs[d] ==
								      DMP_TO_DEVICE ? DMP_FROM_DEVICE
										    : dirs[d]);
					assert_false(dmp_mapping_error(&dev, t));
					assert_int_equal(ce_copy(&ce, s, t, 3000), 0);
					dmp_sync_single_for_cpu(&dev, t, 3000, dirs[d] == DMP_TO_DEVICE
									       ? DMP_FROM_DEVICE
									       : dirs[d]);
					assert_true(is_pattern(dst, 3000, (unsigned)d));
					dmp_sync_single_for_device(&dev, t, 3000,
								   dirs[d] == DMP_TO_DEVICE
									   ? DMP_FROM_DEVICE
									   : dirs[d]);
					assert_int_equal(ce_fill(&ce, 0x33, t, 100), 0);
					dmp_unmap_single(&dev, t, 3000, dirs[d] == DMP_TO_DEVICE
									? DMP_FROM_DEVICE
									: dirs[d]);
					dmp_unmap_single(&dev, s, 3000, DMP_TO_DEVICE);
					assert_int_equal(dst[99], 0x33);
					assert_int_equal(dst[100], (uint8_t)(100 * 7 + d));
				}
				/* a scatterlist and a noncoherent allocation */
				struct dmp_scatterlist sg[2];
				dmp_sg_init_table(sg, 2);
				dmp_sg_set_buf(&sg[0], dst, 1024);
				dmp_sg_set_buf(&sg[1], dst + 2048, 1024);
				assert_int_equal(dmp_map_sg(&dev, sg, 2, DMP_FROM_DEVICE), 2);
				assert_int_equal(ce_fill(&ce, 0x44, dmp_sg_dma_address(&sg[1]), 1024),
						 0);
				dmp_unmap_sg(&dev, sg, 2, DMP_FROM_DEVICE);
				assert_int_equal(dst[2048 + 1023], 0x44);
				dmp_addr_t nd;
				uint8_t *nc = dmp_alloc_noncoherent(&dev, 4096, &nd, DMP_FROM_DEVICE,
								    DMP_GFP_KERNEL);
				/* NULL is this allocation's error: no dmp_mapping_error() */
				assert_non_null(nc);
				assert_int_equal(ce_fill(&ce, 0x55, nd, 4096), 0);
				dmp_sync_single_for_cpu(&dev, nd, 4096, DMP_FROM_DEVICE);
				assert_int_equal(nc[4095], 0x55);
				dmp_free_noncoherent(&dev, 4096, nc, nd, DMP_FROM_DEVICE);

				ce_remove(&ce);
				dmp_device_remove(&dev);
				if (dmp_debug_total())
					for (int k = 0; k < DMP_DEBUG_NR_KINDS; k++)
						if (dmp_debug_count((enum dmp_debug_kind)k))
							fail_msg("coh=%d bounced=%d seed=%llu: %s", coh,
								 bounced, (unsigned long long)seed,
								 dmp_debug_kind_name(
									 (enum dmp_debug_kind)k));
				fixture_log_stop();
				dmp_debug_set_mode(DMP_DEBUG_OFF);
				dmp_page_free(sp, 1);
				dmp_page_free(dp, 1);
				assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
				dmp_sim_destroy(sim);
			}
}

/* ---- a random sequence against a model ------------------------------------- */

/*
 * Random correct use of 8 buffers (map, device reads and writes, syncs,
 * unmap) with a misuse now and then whose finding the model predicts; after
 * every step the counters, the live list and the table walker must agree
 * with the model.  In hostile mode too: correct use never reports.
 */
static void test_random_against_model(void **state)
{
	FOR_SEEDS(state, seed) {
		struct rig r;
		rig_up(&r, state, seed);
		enum { NB = 8 };
		struct {
			uint8_t *cpu;
			size_t size;
			bool mapped;
			dmp_addr_t dma;
			enum dmp_data_direction dir;
		} b[NB];
		unsigned long want[DMP_DEBUG_NR_KINDS] = { 0 };
		size_t live = 0;
		uint64_t rng = 0x1234567 + seed;
		for (int i = 0; i < NB; i++) {
			b[i].size = 64 + fixture_rand(&rng) % 960;
			b[i].cpu = dmp_kmalloc(b[i].size + 128, 0); /* slack for bad syncs */
			b[i].mapped = false;
		}
		static const enum dmp_data_direction dirs[] = { DMP_TO_DEVICE, DMP_FROM_DEVICE,
								DMP_BIDIRECTIONAL };
		uint8_t io[1024];
		for (int step = 0; step < 1500; step++) {
			int i = (int)(fixture_rand(&rng) % NB);
			unsigned int op = (unsigned int)(fixture_rand(&rng) % 20);
			if (!b[i].mapped) {
				if (op == 0) { /* unmap of something never mapped */
					dmp_phys_t phys;
					dmp_virt_to_phys(b[i].cpu, &phys);
					dmp_unmap_single(&r.dev, phys, b[i].size, DMP_TO_DEVICE);
					want[DMP_DEBUG_FREE_UNKNOWN]++;
				} else {
					b[i].dir = dirs[fixture_rand(&rng) % 3];
					pattern(b[i].cpu, b[i].size, (unsigned)step);
					b[i].dma = map_ok(&r, b[i].cpu, b[i].size, b[i].dir, 0);
					b[i].mapped = true;
					live++;
				}
			} else if (op < 6) { /* the device works on it */
				size_t n = b[i].size;
				if (b[i].dir == DMP_TO_DEVICE) {
					assert_int_equal(dmp_sim_dma_read(r.hw, b[i].dma, io, n), 0);
				} else {
					pattern(io, n, (unsigned)step + 1);
					assert_int_equal(dmp_sim_dma_write(r.hw, b[i].dma, io, n), 0);
					dmp_sync_single_for_cpu(&r.dev, b[i].dma, n, b[i].dir);
					assert_true(is_pattern(b[i].cpu, n, (unsigned)step + 1));
					dmp_sync_single_for_device(&r.dev, b[i].dma, n, b[i].dir);
				}
			} else if (op < 8) { /* the CPU takes it, changes it, gives it back */
				dmp_sync_single_for_cpu(&r.dev, b[i].dma, b[i].size, b[i].dir);
				b[i].cpu[0] ^= 1;
				dmp_sync_single_for_device(&r.dev, b[i].dma, b[i].size, b[i].dir);
			} else if (op == 8) { /* sync beyond the end */
				dmp_sync_single_for_cpu(&r.dev, b[i].dma, b[i].size + 64, b[i].dir);
				dmp_sync_single_for_device(&r.dev, b[i].dma, b[i].size, b[i].dir);
				want[DMP_DEBUG_SYNC_RANGE]++;
			} else if (op == 9) { /* unmap with the wrong size: refused, still mapped */
				dmp_unmap_single(&r.dev, b[i].dma, b[i].size + 1, b[i].dir);
				want[DMP_DEBUG_SIZE_MISMATCH]++;
			} else if (op == 10 && b[i].dir != DMP_TO_DEVICE) {
				/* unmap with the wrong direction (one that still invalidates) */
				enum dmp_data_direction other = b[i].dir == DMP_FROM_DEVICE
									? DMP_BIDIRECTIONAL
									: DMP_FROM_DEVICE;
				dmp_unmap_single(&r.dev, b[i].dma, b[i].size, other);
				want[DMP_DEBUG_DIR_MISMATCH]++;
				b[i].mapped = false;
				live--;
			} else if (op >= 14) {
				dmp_unmap_single(&r.dev, b[i].dma, b[i].size, b[i].dir);
				b[i].mapped = false;
				live--;
			}
			assert_int_equal(dmp_debug_table_check(), 0);
			assert_int_equal(dmp_debug_for_each_live(&r.dev, NULL, NULL), live);
			for (int k = 0; k < DMP_DEBUG_NR_KINDS; k++)
				if (dmp_debug_count((enum dmp_debug_kind)k) != want[k])
					fail_msg("seed %llu step %d: %s %lu, model %lu",
						 (unsigned long long)seed, step,
						 dmp_debug_kind_name((enum dmp_debug_kind)k),
						 dmp_debug_count((enum dmp_debug_kind)k), want[k]);
		}
		for (int i = 0; i < NB; i++) {
			if (b[i].mapped)
				dmp_unmap_single(&r.dev, b[i].dma, b[i].size, b[i].dir);
			dmp_kfree(b[i].cpu);
		}
		assert_int_equal(dmp_debug_for_each_live(&r.dev, NULL, NULL), 0);
		rig_down(&r);
	}
}

/* ---- modes, filters, environment ------------------------------------------- */

static void test_device_filter(void **state)
{
	struct rig r;
	rig_up(&r, state, 1);
	uint8_t *b = dmp_kmalloc(256, 0);
	/* only another device is checked: this one's bug goes unseen */
	struct dmp_device other;
	assert_int_equal(dmp_device_init(&other, "other"), 0);
	assert_int_equal(dmp_debug_enable_device(NULL, false), 0);
	assert_int_equal(dmp_debug_enable_device(&other, true), 0);
	dmp_unmap_single(&r.dev, dmp_map_single(&r.dev, b, 256, DMP_TO_DEVICE), 256,
			 DMP_TO_DEVICE);
	expect_none();
	/* this device back on */
	assert_int_equal(dmp_debug_enable_device(&r.dev, true), 0);
	dmp_unmap_single(&r.dev, dmp_map_single(&r.dev, b, 256, DMP_TO_DEVICE), 256,
			 DMP_TO_DEVICE);
	expect_only(DMP_DEBUG_ERROR_UNCHECKED, 1);
	/* off: the hooks are not even called */
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	assert_int_equal(atomic_load(&dmp__debug_active), 0);
	dmp_debug_reset();
	dmp_unmap_single(&r.dev, dmp_map_single(&r.dev, b, 256, DMP_TO_DEVICE), 256,
			 DMP_TO_DEVICE);
	expect_none();
	/* warn mode counts and logs, keeps no records */
	dmp_debug_set_mode(DMP_DEBUG_WARN);
	assert_int_equal(dmp_debug_enable_device(NULL, true), 0);
	fixture_log_start();
	dmp_unmap_single(&r.dev, dmp_map_single(&r.dev, b, 256, DMP_TO_DEVICE), 256,
			 DMP_TO_DEVICE);
	expect_only(DMP_DEBUG_ERROR_UNCHECKED, 1);
	assert_int_equal(dmp_debug_nr_reports(), 0);
	assert_int_equal(fixture_log_count(), 1);
	dmp_device_remove(&other);
	dmp_kfree(b);
	rig_down(&r);
}

static void test_env_and_abort(void **state)
{
	(void)state;
	setenv("DMP_DEBUG", "fail", 1);
	assert_int_equal(dmp_debug_init(), 0);
	assert_int_equal(dmp_debug_get_mode(), DMP_DEBUG_FAIL);
	setenv("DMP_DEBUG", "warn", 1);
	assert_int_equal(dmp_debug_init(), 0);
	assert_int_equal(dmp_debug_get_mode(), DMP_DEBUG_WARN);
	setenv("DMP_DEBUG", "loud", 1);
	assert_int_equal(dmp_debug_init(), -EINVAL);
	assert_int_equal(dmp_debug_get_mode(), DMP_DEBUG_WARN);
	setenv("DMP_DEBUG", "off", 1);
	assert_int_equal(dmp_debug_init(), 0);
	assert_int_equal(dmp_debug_get_mode(), DMP_DEBUG_OFF);
	unsetenv("DMP_DEBUG");
	/* the one parser DMP_DEBUG and the tools use: every name, and the aliases */
	enum dmp_debug_mode m = DMP_DEBUG_ABORT;
	for (int i = DMP_DEBUG_OFF; i <= DMP_DEBUG_ABORT; i++) {
		assert_int_equal(dmp_debug_parse_mode(dmp_debug_mode_name(i), &m), 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(dmp_debug_parse_mode("on", &m), 0);
	assert_int_equal(m, DMP_DEBUG_WARN);
	assert_int_equal(dmp_debug_parse_mode("1", &m), 0);
	assert_int_equal(m, DMP_DEBUG_WARN);
	assert_int_equal(dmp_debug_parse_mode("Fail", &m), -EINVAL);
	assert_int_equal(dmp_debug_parse_mode("", &m), -EINVAL);
	assert_int_equal(dmp_debug_parse_mode(NULL, &m), -EINVAL);
	assert_int_equal(m, DMP_DEBUG_WARN); /* untouched by a refusal */

	/* abort mode: the first finding ends the program, after its report */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dmp_sim *sim = fixture_sim(NULL);
		struct dmp_device dev;
		dmp_device_init(&dev, "child");
		dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64));
		dmp_debug_set_mode(DMP_DEBUG_ABORT);
		fixture_log_start(); /* keep the expected report off the console */
		uint8_t *b = dmp_kmalloc(64, 0);
		dmp_unmap_single(&dev, dmp_map_single(&dev, b, 64, DMP_TO_DEVICE), 64,
				 DMP_TO_DEVICE);
		dmp_sim_destroy(sim);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

/* DMP_DEBUG_DEVICES picks the devices checked, from the environment. */
static void test_env_devices(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device picked, other;
	dmp_device_init(&picked, "picked");
	dmp_device_init(&other, "other");
	setenv("DMP_DEBUG", "fail", 1);
	setenv("DMP_DEBUG_DEVICES", "nic0,picked", 1);
	assert_int_equal(dmp_debug_init(), 0);
	dmp_debug_reset();
	fixture_log_start();
	uint8_t *b = dmp_kmalloc(64, 0);
	dmp_phys_t phys;
	assert_int_equal(dmp_virt_to_phys(b, &phys), 0);
	/* an unmap of nothing mapped, on each device: only picked's is seen */
	dmp_unmap_single(&picked, (dmp_addr_t)phys, 64, DMP_TO_DEVICE);
	dmp_unmap_single(&other, (dmp_addr_t)phys, 64, DMP_TO_DEVICE);
	assert_int_equal(dmp_debug_count(DMP_DEBUG_FREE_UNKNOWN), 1);
	struct dmp_debug_report r;
	assert_int_equal(dmp_debug_get_report(0, &r), 0);
	assert_string_equal(r.device, "picked");
	/* without the variable every device is checked again */
	unsetenv("DMP_DEBUG_DEVICES");
	assert_int_equal(dmp_debug_init(), 0);
	dmp_unmap_single(&other, (dmp_addr_t)phys, 64, DMP_TO_DEVICE);
	assert_int_equal(dmp_debug_count(DMP_DEBUG_FREE_UNKNOWN), 2);
	fixture_log_stop();
	unsetenv("DMP_DEBUG");
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_kfree(b);
	dmp_device_remove(&picked);
	dmp_device_remove(&other);
	dmp_sim_destroy(sim);
}

#define BOTH(t)                                                                               \
	cmocka_unit_test_prestate(t, (void *)&plain), cmocka_unit_test_prestate(t, (void *)&hostile)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_free_unknown),
		BOTH(test_size_mismatch),
		BOTH(test_type_mismatch),
		BOTH(test_cpu_addr_mismatch),
		BOTH(test_sg_count_mismatch),
		BOTH(test_dir_mismatch),
		BOTH(test_error_unchecked),
		BOTH(test_map_stack),
		BOTH(test_map_not_dma),
		BOTH(test_sync_unmapped),
		BOTH(test_sync_range),
		BOTH(test_sync_dir),
		BOTH(test_sync_ro_for_cpu),
		BOTH(test_sync_wo_for_dev),
		BOTH(test_overlap),
		BOTH(test_sg_too_long),
		BOTH(test_sg_boundary),
		BOTH(test_leak),
		BOTH(test_stale_to_device),
		BOTH(test_missing_sync_for_device),
		BOTH(test_iommu_coherence),
		BOTH(test_stale_to_cpu),
		BOTH(test_stale_to_cpu_check_point),
		BOTH(test_lost_update),
		BOTH(test_inval_shared_line),
		BOTH(test_cpu_wrote_owned),
		BOTH(test_rogue_dma),
		BOTH(test_dma_after_unmap),
		BOTH(test_dma_fault),
		BOTH(test_wc_undrained),
		BOTH(test_correct_driver_is_clean),
		BOTH(test_random_against_model),
		cmocka_unit_test_prestate(test_device_filter, (void *)&plain),
		cmocka_unit_test(test_env_and_abort),
		cmocka_unit_test(test_env_devices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
