/* test-debug-device.c - what the checker finds a device doing (issue 13):
 * a device writing a buffer the CPU owns, a device reaching a buffer after
 * its unmap behind a lazy IOMMU (the stale IOTLB) or a strict one (a
 * fault), hardware no driver has claimed doing rogue DMA, an address a
 * narrow port truncated, and reports of device accesses placed at the
 * line that made the device act (a doorbell, a direct device access),
 * and hardware destroyed under a live device forgotten with it.
 *
 * Each buggy driver has its fixed twin, with no finding.  The ownership
 * tests run in the twelve configurations of checker-rig.h.
 */
#include <string.h>

#include <dmaport/sim/copy-engine.h>

#include "sim/sim-internal.h" /* dmp__sim_checker_nr_links */
#include "support/ce-driver.h"
#include "support/checker-rig.h"

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 11 + seed);
}

#define map(r, b, n, dir)                                                                     \
	__extension__({                                                                       \
		dmp_addr_t a_ = dmp_map_single(&(r)->dev, (b), (n), (dir));                   \
		assert_false(dmp_mapping_error(&(r)->dev, a_));                               \
		a_;                                                                           \
	})

/*
 * The device writes a buffer after dma_sync_single_for_cpu() gave it to the
 * CPU, before dma_sync_single_for_device() gave it back: reported at the
 * device's access, naming the sync that gave the CPU the buffer.
 */
static void test_device_writes_cpu_owned(void **state)
{
	for (int wrong = 1; wrong >= 0; wrong--) {
		struct rig r;
		rig_up(&r, state);
		uint8_t *b = dmp_kmalloc(512, 0), src[512];
		pattern(src, sizeof(src), 1);
		dmp_addr_t a = map(&r, b, 512, DMP_BIDIRECTIONAL);
		assert_int_equal(dmp_sim_dma_write(r.hw, a, src, 512), 0);
		dmp_sync_single_for_cpu(&r.dev, a, 512, DMP_BIDIRECTIONAL);
		int cpu_line = __LINE__ - 1;
		b[0] = 1; /* the CPU's turn */
		if (!wrong)
			dmp_sync_single_for_device(&r.dev, a, 512, DMP_BIDIRECTIONAL);
		assert_int_equal(dmp_sim_dma_write(r.hw, a + 64, src, 64), 0);
		int dev_line = __LINE__ - 1;
		if (wrong) {
			rig_expect_one(&r, DMP_DEBUG_DEV_WROTE_CPU_OWNED, dev_line, 0);
			char since[96];
			snprintf(since, sizeof(since), "the CPU owns it since %s:%d", __FILE__,
				 cpu_line);
			assert_true(fixture_log_has("device wrote a buffer the CPU owned", since,
						    NULL));
			dmp_sync_single_for_device(&r.dev, a, 512, DMP_BIDIRECTIONAL);
		}
		dmp_unmap_single(&r.dev, a, 512, DMP_BIDIRECTIONAL);
		rig_expect_none();
		dmp_kfree(b);
		rig_down(&r);
	}
}

/* A partial sync gives the CPU the lines it covers only: the device writing
 * the rest is right. */
static void test_partial_sync_is_not_ownership(void **state)
{
	struct rig r;
	rig_up(&r, state);
	uint8_t *b = dmp_kmalloc(1024, 0), src[512];
	pattern(src, sizeof(src), 2);
	dmp_addr_t a = map(&r, b, 1024, DMP_FROM_DEVICE);
	dmp_sync_single_range_for_cpu(&r.dev, a, 0, 512, DMP_FROM_DEVICE);
	assert_int_equal(dmp_sim_dma_write(r.hw, a + 512, src, 512), 0);
	rig_expect_none();
	assert_int_equal(dmp_sim_dma_write(r.hw, a + 448, src, 64), 0);
	rig_expect_one(&r, DMP_DEBUG_DEV_WROTE_CPU_OWNED, __LINE__ - 1, 0);
	dmp_unmap_single(&r.dev, a, 1024, DMP_FROM_DEVICE);
	rig_expect_none();
	dmp_kfree(b);
	rig_down(&r);
}

/*
 * The device reads a buffer after its unmap.  Direct path: the memory is
 * still there (dma-after-unmap).  Strict IOMMU: the IOTLB was invalidated
 * at the unmap, the read faults (dma-after-unmap, named as such, not as a
 * bare fault).  Lazy IOMMU: the IOTLB still translates until the flush
 * queue runs, and the read goes through (dma-after-unmap-stale-iotlb).
 * Each names where the buffer was mapped and unmapped; the fixed driver
 * stops the device before the unmap.
 */
static void test_dma_after_unmap_every_path(void **state)
{
	for (int wrong = 1; wrong >= 0; wrong--) {
		struct rig r;
		rig_up(&r, state);
		if (r.cfg->path == RIG_LAZY) /* no timer may close the window meanwhile */
			dmp_iommu_dma_set_fq_timeout(dmp_iommu_get_domain_for_dev(&r.dev),
						     60ull * 1000 * 1000 * 1000);
		uint8_t *b = dmp_kmalloc(256, 0), got[64];
		pattern(b, 256, 3);
		dmp_addr_t a = map(&r, b, 256, DMP_TO_DEVICE);
		int map_line = __LINE__ - 1;
		assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 64), 0);
		dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
		int unmap_line = __LINE__ - 1;
		if (!wrong) {
			rig_expect_none();
			dmp_kfree(b);
			rig_down(&r);
			continue;
		}
		int err = dmp_sim_dma_read(r.hw, a, got, 64);
		int late_line = __LINE__ - 1;
		enum dmp_debug_kind kind = r.cfg->path == RIG_LAZY ? DMP_DEBUG_STALE_IOTLB
								  : DMP_DEBUG_DMA_AFTER_UNMAP;
		if (r.cfg->path == RIG_STRICT)
			assert_int_not_equal(err, 0); /* the IOMMU faulted it */
		else
			assert_int_equal(err, 0);     /* it went through */
		rig_expect_one(&r, kind, late_line, 0);
		char mapped[96], unmapped[96];
		snprintf(mapped, sizeof(mapped), "mapped at %s:%d", __FILE__, map_line);
		snprintf(unmapped, sizeof(unmapped), "unmapped at %s:%d", __FILE__, unmap_line);
		assert_true(fixture_log_has("after the buffer was unmapped", mapped, unmapped, NULL));
		if (r.cfg->path == RIG_LAZY) {
			assert_true(fixture_log_has("stale", NULL) || fixture_log_has("IOTLB", NULL));
			/* the window closes: a later read faults, already reported */
			dmp_iommu_dma_flush_queue(dmp_iommu_get_domain_for_dev(&r.dev));
			assert_int_not_equal(dmp_sim_dma_read(r.hw, a, got, 64), 0);
			rig_expect_none();
		}
		dmp_kfree(b);
		rig_down(&r);
	}
}

/* An IOVA unmapped and given out again is the new mapping's: its use is right. */
static void test_iova_reused_is_not_after_unmap(void **state)
{
	struct rig r;
	rig_up(&r, state);
	if (r.cfg->path == RIG_DIRECT) {
		rig_down(&r);
		return;
	}
	uint8_t *b = dmp_kmalloc(256, 0), *c = dmp_kmalloc(256, 0), got[16];
	dmp_addr_t a = map(&r, b, 256, DMP_TO_DEVICE);
	dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
	if (r.cfg->path == RIG_LAZY)
		dmp_iommu_dma_flush_queue(dmp_iommu_get_domain_for_dev(&r.dev));
	dmp_addr_t a2 = map(&r, c, 256, DMP_TO_DEVICE);
	if (a2 == a) {
		assert_int_equal(dmp_sim_dma_read(r.hw, a2, got, 16), 0);
		rig_expect_none();
	}
	dmp_unmap_single(&r.dev, a2, 256, DMP_TO_DEVICE);
	rig_expect_none();
	dmp_kfree(b);
	dmp_kfree(c);
	rig_down(&r);
}

/*
 * Two devices in two IOMMU groups allocate coherent memory: their IOVAs may
 * well be equal, their memory is not - no overlapping-cachelines (the
 * checker records an allocation by the physical address of its memory).
 */
static void test_two_groups_coherent(void **state)
{
	struct rig r;
	rig_up(&r, state);
	if (r.cfg->path == RIG_DIRECT) {
		rig_down(&r);
		return;
	}
	struct dmp_sim_device *hw2;
	struct dmp_sim_device_config dc = { .name = "nic1", .port_bits = 64,
					    .coherent = r.cfg->coherent };
	assert_int_equal(dmp_sim_device_create(r.sim, &dc, &hw2), 0);
	struct dmp_device dev2;
	assert_int_equal(dmp_device_init(&dev2, "nic1"), 0);
	dev2.hw = hw2;
	dmp_device_set_coherent(&dev2, r.cfg->coherent);
	assert_int_equal(dmp_set_mask_and_coherent(&dev2, DMP_BIT_MASK(64)), 0);
	uint32_t sid = 4;
	assert_int_equal(dmp_iommu_probe_device(&dev2, r.iommu, &sid, 1), 0);
	dmp_addr_t h1, h2;
	void *c1 = dmp_alloc_coherent(&r.dev, 4096, &h1, 0);
	void *c2 = dmp_alloc_coherent(&dev2, 4096, &h2, 0);
	assert_non_null(c1);
	assert_non_null(c2);
	assert_ptr_not_equal(c1, c2);
	assert_true(h1 == h2); /* each group its own IOVA space, allocated alike */
	rig_expect_none();
	dmp_free_coherent(&r.dev, 4096, c1, h1);
	dmp_free_coherent(&dev2, 4096, c2, h2);
	rig_expect_none();
	dmp_device_remove(&dev2);
	dmp_iommu_release_device(&dev2);
	rig_down(&r);
}

/*
 * Every device is the checker's from its creation: hardware whose driver
 * has mapped nothing yet, reaching memory, is rogue DMA under its own name.
 */
static void test_unclaimed_device_rogue(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	dmp_debug_reset();
	fixture_log_start();
	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = "stray0", .port_bits = 64 };
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	uint8_t *victim = dmp_kmalloc(64, 0), got[16];
	dmp_phys_t pa;
	assert_int_equal(dmp_virt_to_phys(victim, &pa), 0);
	assert_int_equal(dmp_sim_dma_read(hw, pa, got, 16), 0);
	int line = __LINE__ - 1;
	assert_int_equal(dmp_debug_count(DMP_DEBUG_ROGUE_DMA), 1);
	struct dmp_debug_report rep;
	assert_int_equal(dmp_debug_get_report(0, &rep), 0);
	assert_string_equal(rep.device, "stray0");
	assert_null(rep.dev);
	assert_string_equal(rep.file, __FILE__);
	assert_int_equal(rep.line, line);
	/* linked to its struct dmp_device (as a device tree's are), it is
	 * named by it before its first mapping */
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "stray0"), 0);
	assert_int_equal(dmp_sim_device_link(&dev, hw), 0);
	dmp_debug_reset();
	assert_int_equal(dmp_sim_dma_write(hw, pa, got, 16), 0);
	assert_int_equal(dmp_debug_count(DMP_DEBUG_ROGUE_DMA), 1);
	assert_int_equal(dmp_debug_get_report(0, &rep), 0);
	assert_ptr_equal(rep.dev, &dev);
	dmp_device_remove(&dev);
	dmp_kfree(victim);
	fixture_log_stop();
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(sim);
}

/*
 * A 32-bit port given an address above 4 GiB drops the top bits and lands
 * somewhere else: the report says which address the device was given.
 */
static void test_truncated_address(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = "narrow0", .port_bits = 32 };
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "narrow0"), 0);
	dev.hw = hw;
	assert_int_equal(dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64)), 0); /* the bug */
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	dmp_debug_reset();
	fixture_log_start();
	/* a buffer above 4 GiB, whose low 32 bits hit another, low one */
	dmp_phys_t high, low;
	assert_int_equal(dmp_page_alloc(0, 0, DMP_PHYS_ANY, &high), 0);
	assert_true(high > 0xffffffffull);
	uint8_t *b = dmp_phys_to_virt(high), src[32];
	memset(src, 0x6b, sizeof(src));
	dmp_addr_t a = dmp_map_single(&dev, b, 32, DMP_FROM_DEVICE);
	assert_false(dmp_mapping_error(&dev, a));
	(void)low;
	dmp_sim_dma_write(hw, a, src, 32);
	assert_true(dmp_debug_total() >= 1);
	char given[64];
	snprintf(given, sizeof(given), "the device was given 0x%llx", (unsigned long long)a);
	assert_true(fixture_log_has(given, "32-bit address width", NULL));
	dmp_unmap_single(&dev, a, 32, DMP_FROM_DEVICE);
	dmp_page_free(high, 0);
	dmp_device_remove(&dev);
	fixture_log_stop();
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(sim);
}

/*
 * A device's stale read, made by the copy engine when its driver rings the
 * doorbell: reported at the driver's doorbell line (tests/support/
 * ce-driver.c), with the map that handed the buffer over named too.
 */
static void test_report_at_doorbell(void **state)
{
	(void)state;
	struct dmp_sim_config sc;
	dmp_sim_config_default(&sc);
	struct dmp_sim *sim = fixture_sim(&sc);
	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = "ce0", .port_bits = 64,
					    .mmio_base = CE_TEST_MMIO };
	assert_int_equal(dmp_sim_copy_engine_create(sim, &dc, &hw), 0);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "ce0"), 0);
	dev.hw = hw;
	assert_int_equal(dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64)), 0);
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	dmp_debug_reset();
	fixture_log_start();
	struct ce_driver ce;
	assert_int_equal(ce_probe(&ce, &dev, CE_TEST_MMIO, 8), 0);
	uint8_t *src = dmp_kmalloc(256, 0), *dst = dmp_kmalloc(256, 0);
	memset(src, 0x3c, 256);
	/* BUG: SKIP_CPU_SYNC, and nothing cleans what the CPU wrote */
	dmp_addr_t s = dmp_map_single_attrs(&dev, src, 256, DMP_TO_DEVICE, DMP_ATTR_SKIP_CPU_SYNC);
	int map_line = __LINE__ - 1;
	dmp_addr_t d = dmp_map_single(&dev, dst, 256, DMP_FROM_DEVICE);
	assert_false(dmp_mapping_error(&dev, s) || dmp_mapping_error(&dev, d));
	assert_int_equal(ce_copy(&ce, s, d, 256), 0);
	assert_int_equal(dmp_debug_count(DMP_DEBUG_STALE_TO_DEVICE), 1); /* the engine's read */
	struct dmp_debug_report rep;
	bool found = false;
	for (size_t i = 0; i < dmp_debug_nr_reports(); i++) {
		assert_int_equal(dmp_debug_get_report(i, &rep), 0);
		if (rep.kind != DMP_DEBUG_STALE_TO_DEVICE)
			continue;
		found = true;
		assert_string_equal(rep.file, "tests/support/ce-driver.c");
		char since[96]; /* the map handed it over: one label for both */
		snprintf(since, sizeof(since), "device owns it since %s:%d", __FILE__, map_line);
		assert_non_null(strstr(rep.text, since));
	}
	assert_true(found);
	dmp_unmap_single(&dev, s, 256, DMP_TO_DEVICE);
	dmp_unmap_single(&dev, d, 256, DMP_FROM_DEVICE);
	ce_remove(&ce);
	dmp_kfree(src);
	dmp_kfree(dst);
	dmp_device_remove(&dev);
	fixture_log_stop();
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(sim);
}

/* @hw reads 16 bytes at @pa: one rogue-dma finding, under @name, of no
 * struct dmp_device (the counters are reset after). */
static void expect_rogue_as(struct dmp_sim_device *hw, dmp_phys_t pa, const char *name)
{
	uint8_t got[16];
	assert_int_equal(dmp_sim_dma_read(hw, pa, got, sizeof(got)), 0);
	struct dmp_debug_report rep;
	assert_int_equal(dmp_debug_get_report(0, &rep), 0);
	assert_string_equal(rep.device, name);
	assert_null(rep.dev);
	assert_int_equal(rep.kind, DMP_DEBUG_ROGUE_DMA);
	assert_int_equal(dmp_debug_total(), 1);
	dmp_debug_reset();
}

/*
 * Hardware destroyed while its struct dmp_device lives on (never removed,
 * as a test's device on the stack): the checker forgets the hardware with
 * it.  Hardware created later - at the freed one's address, as malloc
 * likes to give it - is judged as itself: its DMA is its own rogue DMA,
 * not the old device's, nor DMA after an unmap the old device made.  And
 * the checker's table of links holds no more entries after any number of
 * devices and hardware made and destroyed, whichever goes first, the
 * checker on or off when the device goes.
 */
static void test_destroyed_hardware_forgotten(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	dmp_debug_reset();
	fixture_log_start();
	unsigned int links0 = dmp__sim_checker_nr_links();
	uint8_t *victim = dmp_kmalloc(64, 0);
	dmp_phys_t pa;
	assert_int_equal(dmp_virt_to_phys(victim, &pa), 0);

	/* a device left linked to hardware destroyed under it */
	struct dmp_sim_device *hw, *old_hw;
	struct dmp_sim_device_config dc = { .name = "gone0", .port_bits = 64 };
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	struct dmp_device gone;
	assert_int_equal(dmp_device_init(&gone, "gone0"), 0);
	assert_int_equal(dmp_sim_device_link(&gone, hw), 0);
	assert_int_equal(dmp__sim_checker_nr_links(), links0 + 1);
	old_hw = hw;
	dmp_sim_device_destroy(hw);
	assert_int_equal(dmp__sim_checker_nr_links(), links0);
	dc.name = "fresh0";
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	if (hw != old_hw) /* ASan's quarantine: the address is not reused */
		print_message("new hardware at another address: the reuse is not exercised\n");
	expect_rogue_as(hw, pa, "fresh0");
	dmp_sim_device_destroy(hw);

	/* a device that unmapped a buffer, removed, its hardware destroyed */
	dc.name = "old0";
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	struct dmp_device old;
	assert_int_equal(dmp_device_init(&old, "old0"), 0);
	assert_int_equal(dmp_sim_device_link(&old, hw), 0);
	dmp_addr_t a = dmp_map_single(&old, victim, 64, DMP_FROM_DEVICE);
	assert_false(dmp_mapping_error(&old, a));
	dmp_unmap_single(&old, a, 64, DMP_FROM_DEVICE);
	dmp_device_remove(&old);
	dmp_sim_device_destroy(hw);
	assert_int_equal(dmp__sim_checker_nr_links(), links0);
	dc.name = "new0";
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	expect_rogue_as(hw, pa, "new0"); /* not dma-after-unmap of old0's buffer */
	dmp_sim_device_destroy(hw);

	/* many devices and their hardware, either going first, a mapping made
	 * by each: the table holds the live links only */
	static struct dmp_device devs[300];
	for (unsigned int i = 0; i < DMP_ARRAY_SIZE(devs); i++) {
		char name[16];
		snprintf(name, sizeof(name), "cyc%u", i);
		dc.name = name;
		assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
		assert_int_equal(dmp_device_init(&devs[i], name), 0);
		assert_int_equal(dmp_sim_device_link(&devs[i], hw), 0);
		a = dmp_map_single(&devs[i], victim, 64, DMP_TO_DEVICE);
		assert_false(dmp_mapping_error(&devs[i], a));
		dmp_unmap_single(&devs[i], a, 64, DMP_TO_DEVICE);
		assert_int_equal(dmp__sim_checker_nr_links(), links0 + 1);
		if (i % 2)
			dmp_device_remove(&devs[i]); /* else never removed */
		dmp_sim_device_destroy(hw);
		assert_int_equal(dmp__sim_checker_nr_links(), links0);
	}
	/* a device the checker met, removed while the checker is off */
	dc.name = "off0";
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	struct dmp_device off;
	assert_int_equal(dmp_device_init(&off, "off0"), 0);
	assert_int_equal(dmp_sim_device_link(&off, hw), 0);
	assert_int_equal(dmp__sim_checker_nr_links(), links0 + 1);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_device_remove(&off);
	assert_int_equal(dmp__sim_checker_nr_links(), links0);
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	dmp_sim_device_destroy(hw);
	assert_int_equal(dmp_debug_total(), 0);
	dmp_kfree(victim);
	fixture_log_stop();
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		RIG_ALL(test_device_writes_cpu_owned),
		RIG_ALL(test_partial_sync_is_not_ownership),
		RIG_ALL(test_dma_after_unmap_every_path),
		RIG_ALL(test_iova_reused_is_not_after_unmap),
		RIG_ALL(test_two_groups_coherent),
		cmocka_unit_test(test_unclaimed_device_rogue),
		cmocka_unit_test(test_truncated_address),
		cmocka_unit_test(test_report_at_doorbell),
		cmocka_unit_test(test_destroyed_hardware_forgotten),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
