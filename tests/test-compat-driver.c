/* test-compat-driver.c - the example Linux driver (examples/linux-driver/),
 * compiled unchanged against the Linux-compat headers, runs on the simulated
 * copy engine: on a non-coherent platform (with a normal and a hostile
 * cache model) and on a coherent one, each directly and behind the
 * simulated IOMMU (strict and lazy DMA domains).  Data through the engine is checked
 * byte for byte on random transfers; the non-coherent runs must have done
 * cache maintenance and the coherent ones none; nothing leaks after remove;
 * every probe failure is walked with failure injection; a misuse report
 * names the driver's own source line.
 *
 * Built with -Icompat (see compat/README.md). */
#if !__has_include(<linux/dmapool.h>)
/* Built without -Icompat (the Makefile rule for test-compat-* is missing):
 * fail loudly at run time rather than break the build of every test. */
#include <stdio.h>
int main(void);
int main(void)
{
	fprintf(stderr, "%s: built without -Icompat: add\n"
		"  $(BUILD)/obj/tests/test-compat-%%.o: CFLAGS_COMMON += -Icompat\n"
		"to the Makefile\n", __FILE__);
	return 1;
}
#else
#include <stdlib.h>
#include <string.h>

#include <dmaport/iommu-driver.h>
#include <dmaport/sim/iommu-driver.h>
#include <dmaport/swiotlb.h>

#include "support/sim-fixture.h"

/* The driver is part of this program (a driver is compiled into its kernel). */
#include "../examples/linux-driver/ce-linux.c"

#define CE_BASE 0x10000000ull

/* The glue header's register map is the engine's. */
_Static_assert(CE_REG_TAIL == DMP_CE_REG_TAIL && CE_REG_HEAD == DMP_CE_REG_HEAD &&
		       CE_REG_ERR_CODE == DMP_CE_REG_ERR_CODE && CE_REG_RING_SIZE == DMP_CE_REG_RING_SIZE &&
		       CE_REG_RING_LO == DMP_CE_REG_RING_LO && CE_REG_RING_HI == DMP_CE_REG_RING_HI &&
		       CE_REG_CTRL == DMP_CE_REG_CTRL && CE_ID_VALUE == DMP_CE_ID_VALUE &&
		       CE_MMIO_SIZE == DMP_CE_MMIO_SIZE && sizeof(struct ce_desc) == sizeof(struct dmp_ce_desc),
	       "glue header matches the copy engine");

enum bus_iommu { NO_IOMMU, IOMMU_STRICT, IOMMU_LAZY };

struct bus {
	struct dmp_sim *sim;
	struct dmp_sim_device *hw;
	enum bus_iommu iommu_mode;
	struct dmp_sim_iommu *smmu;
	struct dmp_iommu *iommu;
	struct dmp_swiotlb_pool *pool;
	struct resource res;
	struct platform_device pdev;
};

/* Play the bus: a machine, the engine, and the platform device for it. */
static void bus_up_iommu(struct bus *b, bool coherent, bool hostile, uint64_t seed,
			 enum bus_iommu iommu_mode)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.hostile = hostile;
	cfg.seed = seed;
	cfg.hostile_rate = 512;
	cfg.trace = true;
	b->sim = fixture_sim(&cfg);
	struct dmp_sim_device_config dc = { .name = "ce0", .port_bits = 64, .coherent = coherent,
					    .mmio_base = CE_BASE };
	assert_int_equal(dmp_sim_copy_engine_create(b->sim, &dc, &b->hw), 0);
	memset(&b->pdev, 0, sizeof(b->pdev));
	b->res = (struct resource){ .start = CE_BASE, .end = CE_BASE + CE_MMIO_SIZE - 1,
				    .name = "regs", .flags = IORESOURCE_MEM };
	b->pdev.name = "dmaport-copy-engine";
	b->pdev.resource = &b->res;
	b->pdev.num_resources = 1;
	assert_int_equal(dmp_device_init(&b->pdev.dev.dmp, "ce0"), 0);
	dmp_device_set_coherent(&b->pdev.dev.dmp, coherent);
	b->pdev.dev.dmp.hw = b->hw;
	b->iommu_mode = iommu_mode;
	if (iommu_mode == NO_IOMMU)
		return;
	/* the platform's IOMMU, and the device behind it with a DMA domain */
	struct dmp_sim_iommu_config ic = { .name = "smmu0", .coherent_walk = coherent };
	assert_int_equal(dmp_sim_iommu_create(b->sim, &ic, &b->smmu), 0);
	assert_int_equal(dmp_sim_iommu_driver_register(b->smmu,
						       iommu_mode == IOMMU_LAZY ? DMP_IOMMU_DOMAIN_DMA_FQ
										: DMP_IOMMU_DOMAIN_DMA,
						       &b->iommu), 0);
	assert_int_equal(dmp_swiotlb_pool_create("default", 1 << 20, DMP_SWIOTLB_DEFAULT_LIMIT, 1,
						 &b->pool), 0);
	dmp_swiotlb_set_default(b->pool);
	uint32_t sid = 3;
	assert_int_equal(dmp_iommu_probe_device(&b->pdev.dev.dmp, b->iommu, &sid, 1), 0);
}

static void bus_up(struct bus *b, bool coherent, bool hostile, uint64_t seed)
{
	bus_up_iommu(b, coherent, hostile, seed, NO_IOMMU);
}

static void bus_down(struct bus *b)
{
	if (b->iommu_mode != NO_IOMMU) {
		dmp_iommu_release_device(&b->pdev.dev.dmp);
		dmp_sim_iommu_driver_unregister(b->iommu);
		dmp_sim_iommu_destroy(b->smmu);
		assert_int_equal(dmp_swiotlb_pool_destroy(b->pool), 0);
	}
	dmp_device_remove(&b->pdev.dev.dmp);
	dmp_sim_destroy(b->sim);
}

static unsigned count_cache_ops(struct dmp_sim *sim)
{
	unsigned n = 0;
	for (size_t i = 0; i < dmp_sim_trace_count(sim); i++) {
		enum dmp_sim_event_kind k = dmp_sim_trace_get(sim, i)->kind;
		if (k == DMP_EV_CLEAN || k == DMP_EV_INVAL || k == DMP_EV_FLUSH ||
		    k == DMP_EV_OUTER_CLEAN || k == DMP_EV_OUTER_INVAL || k == DMP_EV_OUTER_FLUSH)
			n++;
	}
	return n;
}

/* Random copies and fills through the driver; every byte checked. */
static void run_transfers(struct bus *b, uint64_t seed, int rounds)
{
	uint64_t rng = seed | 1;
	uint8_t *expect = malloc(CE_RX_BUF_SIZE), *out = malloc(CE_RX_BUF_SIZE);
	assert_non_null(expect);
	assert_non_null(out);
	for (int i = 0; i < rounds; i++) {
		size_t len = 1 + fixture_rand(&rng) % CE_RX_BUF_SIZE;
		/* copy: kmalloc'ed source -> the driver's receive buffer -> out */
		u8 *src = kmalloc(len, GFP_KERNEL);
		assert_non_null(src);
		for (size_t j = 0; j < len; j++)
			src[j] = expect[j] = (uint8_t)fixture_rand(&rng);
		memset(out, 0x5a, CE_RX_BUF_SIZE);
		assert_int_equal(ce_linux_copy(&b->pdev, out, src, len), 0);
		assert_memory_equal(out, expect, len);
		assert_int_equal(out[len - 1 + (len < CE_RX_BUF_SIZE)], len < CE_RX_BUF_SIZE ? 0x5a : expect[len - 1]);
		kfree(src);

		/* fill: the device writes a kmalloc'ed buffer, with neighbours on each side */
		u8 pattern = (u8)fixture_rand(&rng);
		u8 *buf = kmalloc(len, GFP_KERNEL);
		assert_non_null(buf);
		memset(buf, (u8)~pattern, len);
		assert_int_equal(ce_linux_fill(&b->pdev, buf, pattern, len), 0);
		for (size_t j = 0; j < len; j++)
			assert_int_equal(buf[j], pattern);
		kfree(buf);
	}
	free(expect);
	free(out);
}

static void run_platform_iommu(bool coherent, bool hostile, uint64_t seed, enum bus_iommu mode)
{
	struct bus b;
	bus_up_iommu(&b, coherent, hostile, seed, mode);
	size_t free_before = dmp_page_free_count();
	fixture_log_start();
	assert_int_equal(ce_linux_driver.probe(&b.pdev), 0);
	assert_true(fixture_log_has("ce0: copy engine: 16 descriptors at bus address 0x", NULL));
	assert_non_null(platform_get_drvdata(&b.pdev));
	struct ce_linux *ce = platform_get_drvdata(&b.pdev);
	if (mode == NO_IOMMU) {
		assert_null(b.pdev.dev.dmp.dma_ops); /* the direct path: bus = physical */
		assert_true(ce->ring_dma == virt_to_phys(ce->ring));
	} else {
		assert_ptr_equal(b.pdev.dev.dmp.dma_ops, &dmp_iommu_dma_ops);
		phys_addr_t p;
		struct dmp_iommu_domain *dom = dmp_iommu_get_domain_for_dev(&b.pdev.dev.dmp);
		assert_int_equal(dmp_iommu_iova_to_phys(dom, ce->ring_dma, &p), 0);
		assert_true(p == virt_to_phys(ce->ring)); /* the ring's bus address is an IOVA */
	}
	dmp_sim_trace_clear(b.sim);
	struct dmp_sim_iommu_stats st0, st1;
	if (mode != NO_IOMMU)
		dmp_sim_iommu_get_stats(b.smmu, &st0);
	run_transfers(&b, seed, 60);
	if (mode != NO_IOMMU) {
		dmp_sim_iommu_get_stats(b.smmu, &st1);
		assert_true(st1.hits + st1.misses > st0.hits + st0.misses); /* translated */
		assert_int_equal(st1.faults, st0.faults);
	}
	if (coherent)
		assert_int_equal(count_cache_ops(b.sim), 0);
	else
		assert_true(count_cache_ops(b.sim) > 0);
	dma_addr_t ring_dma = ce->ring_dma;
	ce_linux_driver.remove(&b.pdev);
	assert_null(platform_get_drvdata(&b.pdev));
	/* nothing reported: no misuse, no failure, no leak at remove */
	assert_int_equal(fixture_log_count(), 1);
	fixture_log_stop();
	if (mode == NO_IOMMU) {
		assert_true(dmp_page_free_count() >= free_before);
	} else {
		/* the IOMMU keeps its page tables; the ring's IOVA must be gone */
		phys_addr_t p;
		struct dmp_iommu_domain *dom = dmp_iommu_get_domain_for_dev(&b.pdev.dev.dmp);
		assert_int_equal(dmp_iommu_iova_to_phys(dom, ring_dma, &p), -ENOENT);
	}
	bus_down(&b);
}

static void run_platform(bool coherent, bool hostile, uint64_t seed)
{
	run_platform_iommu(coherent, hostile, seed, NO_IOMMU);
}

static void test_noncoherent(void **state)
{
	(void)state;
	run_platform(false, false, 1);
}

static void test_noncoherent_hostile(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 4; seed++)
		run_platform(false, true, seed * 7919);
}

static void test_coherent(void **state)
{
	(void)state;
	run_platform(true, false, 3);
	run_platform(true, true, 5);
}

static void test_behind_iommu(void **state)
{
	(void)state;
	for (int coherent = 0; coherent <= 1; coherent++) {
		run_platform_iommu(coherent, false, 11, IOMMU_STRICT);
		run_platform_iommu(coherent, false, 12, IOMMU_LAZY);
		run_platform_iommu(coherent, true, 13, IOMMU_STRICT);
	}
}

/* A misuse is reported with the driver's file and line, not the compat header's. */
static void test_report_names_driver_line(void **state)
{
	(void)state;
	struct bus b;
	bus_up(&b, false, false, 1);
	assert_int_equal(ce_linux_driver.probe(&b.pdev), 0);
	char on_stack[64] = "not DMA-able";
	char out[64];
	fixture_log_start();
	assert_int_equal(ce_linux_copy(&b.pdev, out, on_stack, sizeof(on_stack)), -ENOMEM);
	assert_true(fixture_log_has("ce0", "DMA-API", "ce-linux.c:", NULL));
	assert_false(fixture_log_has("compat/linux", NULL));
	fixture_log_stop();
	/* without DEBUG (this file), dev_dbg and pr_debug print nothing */
	fixture_log_start();
	assert_int_equal(dev_dbg(&b.pdev.dev, "hidden %d", 1), 0);
	assert_int_equal(pr_debug("hidden %d", 2), 0);
	dev_info(&b.pdev.dev, "shown");
	assert_int_equal(fixture_log_count(), 1);
	fixture_log_stop();
	/* the driver still works afterwards */
	u8 *src = kzalloc(64, GFP_KERNEL);
	assert_int_equal(ce_linux_copy(&b.pdev, out, src, 64), 0);
	kfree(src);
	ce_linux_driver.remove(&b.pdev);
	bus_down(&b);
}

/* Probe's error paths: missing resource, no device, and every allocation failing in turn. */
static void test_probe_errors(void **state)
{
	(void)state;
	struct bus b;
	bus_up(&b, false, false, 1);
	fixture_log_start();
	b.pdev.num_resources = 0;
	assert_int_equal(ce_linux_driver.probe(&b.pdev), -ENODEV);
	b.pdev.num_resources = 1;
	b.res.start = 0x20000000; /* nothing there: ioremap() returns NULL */
	b.res.end = b.res.start + CE_MMIO_SIZE - 1;
	assert_int_equal(ce_linux_driver.probe(&b.pdev), -ENOMEM);
	b.res.start = CE_BASE;
	b.res.end = CE_BASE + CE_MMIO_SIZE - 1;
	fixture_log_stop();

	size_t free_before = dmp_page_free_count();
	enum dmp_fail_site sites[] = { DMP_FAIL_HEAP, DMP_FAIL_PAGE };
	for (unsigned s = 0; s < 2; s++) {
		int failures = 0;
		for (unsigned long nth = 1;; nth++) {
			fixture_log_start();
			dmp_fail_nth(sites[s], nth);
			int ret = ce_linux_driver.probe(&b.pdev);
			dmp_fail_nth(sites[s], 0);
			fixture_log_stop();
			if (ret == 0)
				break;
			assert_int_equal(ret, -ENOMEM);
			assert_null(platform_get_drvdata(&b.pdev));
			failures++;
			assert_true(nth < 50);
		}
		assert_true(failures >= 1);
		ce_linux_driver.remove(&b.pdev);
		assert_true(dmp_page_free_count() >= free_before);
	}
	bus_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noncoherent),
		cmocka_unit_test(test_noncoherent_hostile),
		cmocka_unit_test(test_coherent),
		cmocka_unit_test(test_behind_iommu),
		cmocka_unit_test(test_report_names_driver_line),
		cmocka_unit_test(test_probe_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* __has_include(<linux/dmapool.h>) */
