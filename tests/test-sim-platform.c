/* test-sim-platform.c - machines built from the example device trees: every
 * copy engine on every example platform moves data correctly through its
 * real path (direct, dma-ranges, bounced, restricted pool, IOMMU), and bad
 * trees fail to build with nothing left behind. */
#include <stdlib.h>
#include <string.h>

#include <dmaport/dma-map-ops.h>
#include <dmaport/sim/platform.h>
#include <dmaport/swiotlb.h>

#include "support/ce-driver.h"
#include "support/sim-fixture.h"

static const char *const examples[] = {
	"examples/platforms/soc-noncoherent.dts",
	"examples/platforms/server-coherent.dts",
	"examples/platforms/dev32-swiotlb.dts",
};

/* A test that failed half-way leaves its machine: clear it. */
static int clear_machine(void **state)
{
	(void)state;
	if (dmp_sim_current())
		dmp_sim_destroy(dmp_sim_current());
	return 0;
}

static void copy_check(struct dmp_sim_platform_device *pd)
{
	struct ce_driver ce;
	assert_int_equal(ce_probe(&ce, &pd->dev, pd->mmio, 8), 0);
	for (uint32_t len = 100; len < 40000; len = len * 5 + 3) {
		uint8_t *src = dmp_kmalloc(len, 0), *dst = dmp_kzalloc(len, 0);
		for (uint32_t i = 0; i < len; i++)
			src[i] = (uint8_t)(i + len);
		dmp_addr_t s = dmp_map_single(&pd->dev, src, len, DMP_TO_DEVICE);
		dmp_addr_t d = dmp_map_single(&pd->dev, dst, len, DMP_FROM_DEVICE);
		assert_false(dmp_mapping_error(&pd->dev, s));
		assert_false(dmp_mapping_error(&pd->dev, d));
		assert_int_equal(ce_copy(&ce, s, d, len), 0);
		dmp_unmap_single(&pd->dev, s, len, DMP_TO_DEVICE);
		dmp_unmap_single(&pd->dev, d, len, DMP_FROM_DEVICE);
		if (memcmp(src, dst, len))
			fail_msg("%s: %u bytes copied wrong", pd->name, len);
		dmp_kfree(src);
		dmp_kfree(dst);
	}
	ce_remove(&ce);
}

static void test_examples_move_data(void **state)
{
	(void)state;
	for (size_t i = 0; i < DMP_ARRAY_SIZE(examples); i++)
		for (int hostile = 0; hostile <= 1; hostile++) {
			struct dmp_sim_platform *p;
			struct dmp_of_error e;
			struct dmp_sim_platform_opts o = { .hostile = hostile, .seed = 7 };
			int err = dmp_sim_platform_load(examples[i], &o, &p, &e);
			if (err)
				fail_msg("%s: %s: %s: %s", examples[i], e.path, e.property, e.message);
			assert_true(p->nr_devices >= 1);
			for (unsigned int k = 0; k < p->nr_devices; k++)
				copy_check(&p->devices[k]);
			/* a second round leaks nothing (the first may grow IOMMU page
			 * tables, which stay allocated as in Linux) */
			size_t free0 = dmp_page_free_count();
			for (unsigned int k = 0; k < p->nr_devices; k++)
				copy_check(&p->devices[k]);
			assert_int_equal(dmp_page_free_count(), free0);
			dmp_sim_platform_destroy(p);
			assert_null(dmp_sim_current());
		}
}

static void test_soc_details(void **state)
{
	(void)state;
	struct dmp_sim_platform *p;
	struct dmp_of_error e;
	assert_int_equal(dmp_sim_platform_load(examples[0], NULL, &p, &e), 0);
	struct dmp_sim_platform_device *mmu = dmp_sim_platform_first(p, DMP_OF_DEV_COPY_ENGINE, true);
	struct dmp_sim_platform_device *d32 = dmp_sim_platform_first(p, DMP_OF_DEV_COPY_ENGINE, false);
	assert_non_null(mmu);
	assert_non_null(d32);
	assert_false(mmu->dev.dma_coherent);
	assert_non_null(dmp_iommu_get_domain_for_dev(&mmu->dev));
	assert_ptr_equal(dmp_sim_platform_find(p, mmu->name), mmu);
	/* the reserved regions are out of the page allocator */
	for (unsigned int i = 0; i < p->desc.nr_reserved; i++) {
		const struct dmp_of_reserved *r = &p->desc.reserved[i];
		dmp_phys_t q;
		assert_int_equal(dmp_mem_reserve(r->base, DMP_PAGE_SIZE), -EBUSY);
		(void)q;
	}
	/* the 32-bit engine bounces buffers from above 4 GiB */
	assert_true(dmp_addressing_limited(&d32->dev));
	dmp_sim_platform_destroy(p);
}

static void test_restricted_pool(void **state)
{
	(void)state;
	struct dmp_sim_platform *p;
	struct dmp_of_error e;
	assert_int_equal(dmp_sim_platform_load(examples[2], NULL, &p, &e), 0);
	int restricted = 0;
	for (unsigned int k = 0; k < p->nr_devices; k++) {
		struct dmp_sim_platform_device *pd = &p->devices[k];
		if (!pd->dev.io_tlb_pool)
			continue;
		restricted++;
		assert_true(pd->dev.force_bounce);
		/* every mapping lands in the restricted pool, even of low memory */
		dmp_phys_t low;
		assert_int_equal(dmp_page_alloc(0, 0, 0xffffffffull, &low), 0);
		dmp_addr_t a = dmp_map_single(&pd->dev, dmp_phys_to_virt(low), 256, DMP_TO_DEVICE);
		assert_false(dmp_mapping_error(&pd->dev, a));
		dmp_phys_t ap;
		assert_int_equal(dmp_dma_to_phys(&pd->dev, a, &ap), 0);
		assert_true(dmp_swiotlb_is_bounce(pd->dev.io_tlb_pool, ap));
		dmp_unmap_single(&pd->dev, a, 256, DMP_TO_DEVICE);
		dmp_page_free(low, 0);
	}
	assert_true(restricted >= 1);
	dmp_sim_platform_destroy(p);
}

static void test_bad_tree_leaves_nothing(void **state)
{
	(void)state;
	struct dmp_sim_platform *p = NULL;
	struct dmp_of_error e;
	assert_true(dmp_sim_platform_load("tests/of/err-iommu-phandle.dts", NULL, &p, &e) < 0);
	assert_int_not_equal(e.code, 0);
	assert_null(dmp_sim_current());
	assert_true(dmp_sim_platform_load("tests/of/does-not-exist.dts", NULL, &p, &e) < 0);
	assert_null(dmp_sim_current());
	/* and a good one still builds afterwards */
	assert_int_equal(dmp_sim_platform_load(examples[1], NULL, &p, &e), 0);
	dmp_sim_platform_destroy(p);
}

/*
 * A device's reg must hold its model's registers: a copy engine whose
 * window is smaller than its register block is refused, naming the node
 * and reg, instead of answering beyond its window over whatever follows.
 */
static void test_window_smaller_than_model(void **state)
{
	(void)state;
	struct dmp_of_platform *desc = calloc(1, sizeof(*desc));
	struct dmp_of_error e;
	assert_non_null(desc);
	assert_int_equal(dmp_of_parse_file(examples[0], desc, &e), 0);
	struct dmp_of_device *ce = NULL;
	for (unsigned int i = 0; i < desc->nr_devices; i++)
		if (desc->devices[i].kind == DMP_OF_DEV_COPY_ENGINE)
			ce = &desc->devices[i];
	assert_non_null(ce);
	assert_true(ce->reg.size >= DMP_CE_MMIO_SIZE);
	ce->reg.size = DMP_CE_MMIO_SIZE / 2;
	struct dmp_sim_platform *p;
	assert_int_equal(dmp_sim_platform_create(desc, NULL, &p, &e), -EINVAL);
	assert_string_equal(e.path, ce->path);
	assert_string_equal(e.property, "reg");
	assert_null(dmp_sim_current());
	ce->reg.size = DMP_CE_MMIO_SIZE;
	assert_int_equal(dmp_sim_platform_create(desc, NULL, &p, &e), 0);
	dmp_sim_platform_destroy(p);
	free(desc);
}

/*
 * The simulator picks an IOMMU's model by any string of its compatible list
 * (a table keyed by compatible), checks the cells the model takes, and
 * leaves an IOMMU it has no model for described only.
 */
static void test_iommu_model_by_compatible(void **state)
{
	(void)state;
	static const char list[] = "vendor,soc-smmu\0arm,smmu-v3";
	struct dmp_of_platform *desc = calloc(1, sizeof(*desc));
	struct dmp_of_error e;
	assert_non_null(desc);
	assert_int_equal(dmp_of_parse_file(examples[0], desc, &e), 0);
	assert_int_equal(desc->nr_iommus, 1);
	struct dmp_of_iommu *m = &desc->iommus[0];
	assert_true(dmp_of_iommu_compatible(m, "dmaport,sim-iommu"));
	assert_false(dmp_of_iommu_compatible(m, "arm,smmu-v3"));
	/* an SMMUv3 named second in its list: simulated, its devices translated */
	memcpy(m->compatibles, list, sizeof(list));
	m->compatibles_len = sizeof(list);
	m->kind = DMP_OF_IOMMU_OTHER; /* the platform does not go by the reader's kind */
	struct dmp_sim_platform *p;
	assert_int_equal(dmp_sim_platform_create(desc, NULL, &p, &e), 0);
	assert_non_null(p->of.iommu[0]);
	assert_non_null(dmp_sim_platform_first(p, DMP_OF_DEV_COPY_ENGINE, true));
	dmp_sim_platform_destroy(p);
	/* cells the model does not take: refused, naming the property */
	m->cells = 2;
	assert_int_equal(dmp_sim_platform_create(desc, NULL, &p, &e), -EINVAL);
	assert_string_equal(e.property, "#iommu-cells");
	assert_null(dmp_sim_current());
	/* no model for it: described, not simulated (its devices cannot probe) */
	static const char other[] = "vendor,other-iommu";
	memcpy(m->compatibles, other, sizeof(other));
	m->compatibles_len = sizeof(other);
	m->cells = 1;
	assert_int_equal(dmp_sim_platform_create(desc, NULL, &p, &e), -ENODEV);
	assert_string_equal(e.message, "its IOMMU has no driver");
	assert_null(dmp_sim_current());
	free(desc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_examples_move_data, clear_machine),
		cmocka_unit_test_setup(test_soc_details, clear_machine),
		cmocka_unit_test_setup(test_restricted_pool, clear_machine),
		cmocka_unit_test_setup(test_bad_tree_leaves_nothing, clear_machine),
		cmocka_unit_test_setup(test_iommu_model_by_compatible, clear_machine),
		cmocka_unit_test_setup(test_window_smaller_than_model, clear_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
