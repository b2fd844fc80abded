/* test-alloc-paths.c - the memory providers behind dmp_alloc_coherent() and
 * dmp_alloc_pages(), reached through the DMA API as a driver reaches them:
 * declared coherent memory (first and exclusive), the global coherent pool,
 * CMA (multi-page and per-device areas on the direct path; FORCE_CONTIGUOUS
 * behind an IOMMU), the atomic pool (DMP_GFP_ATOMIC on a non-coherent
 * device), each checked by where the memory lies, by the provider's own
 * counters going up and back down, and by a copy engine moving data through
 * the memory; and a machine built from a device tree that sets them up. */
#include <stdlib.h>
#include <string.h>

#include <dmaport/cma.h>
#include <dmaport/coherent.h>
#include <dmaport/dma-map-ops.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/sim/iommu-driver.h>
#include <dmaport/sim/platform.h>
#include <dmaport/swiotlb.h>

#include "dma/alloc-internal.h"
#include "support/ce-driver.h"
#include "support/sim-fixture.h"

/* A copy engine on the direct path (or behind a simulated IOMMU). */
struct rig {
	struct dmp_sim *sim;
	struct dmp_sim_device *hw;
	struct dmp_device dev;
	struct dmp_sim_iommu *iommu_hw;
	struct dmp_iommu *iommu;
};

static void rig_up(struct rig *r, bool coherent, bool iommu, unsigned mask_bits)
{
	memset(r, 0, sizeof(*r));
	r->sim = fixture_sim(NULL);
	struct dmp_sim_device_config dc = { .name = "ce0", .port_bits = 64, .coherent = coherent,
					    .mmio_base = CE_TEST_MMIO };
	assert_int_equal(dmp_sim_copy_engine_create(r->sim, &dc, &r->hw), 0);
	assert_int_equal(dmp_device_init(&r->dev, "ce0"), 0);
	r->dev.hw = r->hw;
	dmp_device_set_coherent(&r->dev, coherent);
	if (iommu) {
		struct dmp_sim_iommu_config ic = { .name = "smmu0", .coherent_walk = true };
		assert_int_equal(dmp_sim_iommu_create(r->sim, &ic, &r->iommu_hw), 0);
		assert_int_equal(dmp_sim_iommu_driver_register(r->iommu_hw, DMP_IOMMU_DOMAIN_DMA,
							       &r->iommu), 0);
		uint32_t sid = 3;
		assert_int_equal(dmp_iommu_probe_device(&r->dev, r->iommu, &sid, 1), 0);
	}
	assert_int_equal(dmp_set_mask_and_coherent(&r->dev, DMP_BIT_MASK(mask_bits)), 0);
}

static void rig_down(struct rig *r)
{
	dmp_device_remove(&r->dev);
	if (r->iommu) {
		dmp_iommu_release_device(&r->dev);
		dmp_sim_iommu_driver_unregister(r->iommu);
		dmp_sim_iommu_destroy(r->iommu_hw);
	}
	dmp_sim_destroy(r->sim);
}

static dmp_phys_t phys_of(const void *va)
{
	dmp_phys_t p;
	assert_int_equal(dmp_virt_to_phys(va, &p), 0);
	return p;
}

/* The engine copies @len bytes between two coherent buffers: proves that the
 * bus addresses the allocator returned reach the memory it returned. */
static void copy_through(struct rig *r, void *src, dmp_addr_t src_dma, void *dst,
			 dmp_addr_t dst_dma, uint32_t len)
{
	struct ce_driver ce;
	assert_int_equal(ce_probe(&ce, &r->dev, CE_TEST_MMIO, 8), 0);
	for (uint32_t i = 0; i < len; i++)
		((uint8_t *)src)[i] = (uint8_t)(i * 7 + 1);
	memset(dst, 0, len);
	assert_int_equal(ce_copy(&ce, src_dma, dst_dma, len), 0);
	assert_memory_equal(src, dst, len);
	ce_remove(&ce);
}

/* ---- declared coherent memory ---------------------------------------------- */

static void test_declared_first_and_exclusive(void **state)
{
	(void)state;
	for (int coherent = 0; coherent <= 1; coherent++) {
		struct rig r;
		rig_up(&r, coherent, false, 32);
		dmp_phys_t base;
		assert_int_equal(dmp_page_alloc(4, 0, 0xffffffffu, &base), 0); /* 16 pages */
		assert_int_equal(dmp_declare_coherent_memory(&r.dev, base, base, 16 * DMP_PAGE_SIZE),
				 0);
		struct dmp_coherent_stats st;

		/* served from the region: 3 pages take a 4-page block */
		dmp_addr_t d1, d2;
		uint8_t *a = dmp_alloc_coherent(&r.dev, 3 * DMP_PAGE_SIZE, &d1, DMP_GFP_KERNEL);
		assert_non_null(a);
		assert_true(phys_of(a) >= base && phys_of(a) < base + 16 * DMP_PAGE_SIZE);
		assert_int_equal(d1, phys_of(a)); /* device address = phys here */
		assert_int_equal(dmp_coherent_get_stats(&r.dev, &st), 0);
		assert_int_equal(st.pages_used, 4);
		assert_int_equal(st.nr_allocs, 1);
		/* zeroed, and the engine reaches it (its descriptor ring, too, comes
		 * from the region: ce_probe allocates it with dmp_alloc_coherent) */
		for (size_t i = 0; i < 3 * DMP_PAGE_SIZE; i++)
			assert_int_equal(a[i], 0);
		uint8_t *b = dmp_alloc_coherent(&r.dev, 4 * DMP_PAGE_SIZE, &d2, DMP_GFP_KERNEL);
		assert_non_null(b);
		copy_through(&r, a, d1, b, d2, 3 * DMP_PAGE_SIZE);

		/* mmap of declared memory: the same bytes in the user mapping */
		struct dmp_user_mapping um = { 0 };
		if (dmp_mmap_coherent(&r.dev, &um, a, d1, 3 * DMP_PAGE_SIZE) == 0) {
			assert_int_equal(((uint8_t *)um.addr)[100], a[100]);
			dmp_munmap(&um);
		}

		/* exclusive: when the region is full there is no fallback */
		size_t free_before = dmp_page_free_count();
		fixture_log_start();
		dmp_addr_t d3;
		assert_null(dmp_alloc_coherent(&r.dev, 16 * DMP_PAGE_SIZE, &d3, DMP_GFP_KERNEL));
		assert_true(fixture_log_has("coherent allocation", NULL));
		fixture_log_stop();
		assert_int_equal(dmp_page_free_count(), free_before);

		/* release with live allocations is refused; frees go back */
		assert_int_equal(dmp_release_coherent_memory(&r.dev), -EBUSY);
		dmp_free_coherent(&r.dev, 3 * DMP_PAGE_SIZE, a, d1);
		dmp_free_coherent(&r.dev, 4 * DMP_PAGE_SIZE, b, d2);
		assert_int_equal(dmp_coherent_get_stats(&r.dev, &st), 0);
		assert_int_equal(st.pages_used, 0);
		assert_int_equal(st.nr_allocs, 0);
		assert_int_equal(dmp_coherent_check(&r.dev), 0);
		assert_int_equal(dmp_release_coherent_memory(&r.dev), 0);
		assert_int_equal(dmp_page_free(base, 4), 0);
		rig_down(&r);
	}
}

/* The device address of declared memory need not be its physical address. */
static void test_declared_device_offset(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "offset"), 0);
	dmp_phys_t base;
	assert_int_equal(dmp_page_alloc(3, 0, DMP_PHYS_ANY, &base), 0);
	assert_int_equal(dmp_declare_coherent_memory(&dev, base, 0x40000000, 8 * DMP_PAGE_SIZE), 0);
	dmp_addr_t d;
	void *v = dmp_alloc_coherent(&dev, DMP_PAGE_SIZE, &d, DMP_GFP_KERNEL);
	assert_non_null(v);
	assert_int_equal(d, 0x40000000 + (phys_of(v) - base));
	dmp_free_coherent(&dev, DMP_PAGE_SIZE, v, d);
	assert_int_equal(dmp_release_coherent_memory(&dev), 0);
	assert_int_equal(dmp_page_free(base, 3), 0);
	dmp_device_remove(&dev);
	dmp_sim_destroy(sim);
}

/* ---- the global coherent pool ------------------------------------------------ */

static void test_global_pool(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, false, false, 32);
	dmp_phys_t base;
	assert_int_equal(dmp_page_alloc(3, 0, 0xffffffffu, &base), 0); /* 8 pages */
	assert_int_equal(dmp_dma_declare_global_coherent(base, 8 * DMP_PAGE_SIZE), 0);
	struct dmp_coherent_stats st;

	/* a non-coherent device is served from it */
	dmp_addr_t d1, d2;
	void *a = dmp_alloc_coherent(&r.dev, 2 * DMP_PAGE_SIZE, &d1, DMP_GFP_KERNEL);
	void *b = dmp_alloc_coherent(&r.dev, 2 * DMP_PAGE_SIZE, &d2, DMP_GFP_KERNEL);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(phys_of(a) >= base && phys_of(a) < base + 8 * DMP_PAGE_SIZE);
	assert_int_equal(dmp_coherent_get_stats(NULL, &st), 0);
	assert_int_equal(st.nr_allocs, 2);
	copy_through(&r, a, d1, b, d2, 2 * DMP_PAGE_SIZE); /* ring from the pool too */
	struct dmp_user_mapping um = { 0 };
	if (dmp_mmap_coherent(&r.dev, &um, a, d1, 2 * DMP_PAGE_SIZE) == 0) {
		assert_int_equal(((uint8_t *)um.addr)[7], ((uint8_t *)a)[7]);
		dmp_munmap(&um);
	}
	/* exclusive for non-coherent devices: full means NULL */
	dmp_addr_t d3;
	assert_null(dmp_alloc_coherent(&r.dev, 8 * DMP_PAGE_SIZE, &d3,
				       DMP_GFP_KERNEL | DMP_GFP_NOWARN));
	dmp_free_coherent(&r.dev, 2 * DMP_PAGE_SIZE, a, d1);
	dmp_free_coherent(&r.dev, 2 * DMP_PAGE_SIZE, b, d2);
	assert_int_equal(dmp_coherent_get_stats(NULL, &st), 0);
	assert_int_equal(st.nr_allocs, 0);

	/* a coherent device never uses it (Linux: only !dev_is_dma_coherent) */
	dmp_device_set_coherent(&r.dev, true);
	void *c = dmp_alloc_coherent(&r.dev, DMP_PAGE_SIZE, &d1, DMP_GFP_KERNEL);
	assert_non_null(c);
	assert_false(phys_of(c) >= base && phys_of(c) < base + 8 * DMP_PAGE_SIZE);
	dmp_free_coherent(&r.dev, DMP_PAGE_SIZE, c, d1);

	assert_int_equal(dmp_coherent_check(NULL), 0);
	assert_int_equal(dmp_dma_release_global_coherent(), 0);
	assert_int_equal(dmp_page_free(base, 3), 0);
	rig_down(&r);
}

/* ---- CMA ----------------------------------------------------------------------- */

static void test_cma_direct(void **state)
{
	(void)state;
	for (int coherent = 0; coherent <= 1; coherent++) {
		struct rig r;
		rig_up(&r, coherent, false, 64);
		struct dmp_cma *def;
		assert_int_equal(dmp_cma_declare(0, 4u << 20, DMP_PHYS_ANY, 0, 0, "default", &def), 0);
		dmp_cma_set_default(def);
		struct dmp_cma_stats st;

		/* more than a page: from the default area, zeroed, reachable */
		dmp_addr_t d1, d2;
		uint8_t *a = dmp_alloc_coherent(&r.dev, 8 * DMP_PAGE_SIZE, &d1, DMP_GFP_KERNEL);
		assert_non_null(a);
		assert_true(dmp__cma_owns(phys_of(a)));
		dmp_cma_get_stats(def, &st);
		assert_int_equal(st.nr_allocs, 1);
		assert_int_equal(st.free_pages, 1024 - 8);
		for (size_t i = 0; i < 8 * DMP_PAGE_SIZE; i++)
			assert_int_equal(a[i], 0);
		/* a single page: the page allocator (Linux keeps the default area
		 * for larger requests) */
		uint8_t *one = dmp_alloc_coherent(&r.dev, DMP_PAGE_SIZE, &d2, DMP_GFP_KERNEL);
		assert_non_null(one);
		assert_false(dmp__cma_owns(phys_of(one)));
		dmp_free_coherent(&r.dev, DMP_PAGE_SIZE, one, d2);
		/* the engine copies between CMA memory and a second CMA block */
		uint8_t *b = dmp_alloc_coherent(&r.dev, 2 * DMP_PAGE_SIZE, &d2, DMP_GFP_KERNEL);
		assert_non_null(b);
		assert_true(dmp__cma_owns(phys_of(b)));
		copy_through(&r, a, d1, b, d2, 2 * DMP_PAGE_SIZE);
		dmp_free_coherent(&r.dev, 2 * DMP_PAGE_SIZE, b, d2);
		dmp_free_coherent(&r.dev, 8 * DMP_PAGE_SIZE, a, d1);

		/* a caller that must not block never uses CMA */
		a = dmp_alloc_coherent(&r.dev, 8 * DMP_PAGE_SIZE, &d1, DMP_GFP_ATOMIC);
		assert_non_null(a);
		assert_false(dmp__cma_owns(phys_of(a)));
		dmp_free_coherent(&r.dev, 8 * DMP_PAGE_SIZE, a, d1);

		/* non-coherent pages come from CMA too (dma_alloc_pages) */
		struct dmp_page *pg = dmp_alloc_pages(&r.dev, 16 * DMP_PAGE_SIZE, &d1,
						      DMP_BIDIRECTIONAL, DMP_GFP_KERNEL);
		assert_non_null(pg);
		assert_true(dmp__cma_owns(dmp_page_to_phys(pg)));
		dmp_free_pages(&r.dev, 16 * DMP_PAGE_SIZE, pg, d1, DMP_BIDIRECTIONAL);

		dmp_cma_get_stats(def, &st);
		assert_int_equal(st.nr_allocs, 0);
		assert_int_equal(st.free_pages, 1024);
		assert_int_equal(dmp_cma_check(def), 0);

		/* the device's own area serves it, a single page included */
		struct dmp_cma *own;
		assert_int_equal(dmp_cma_declare(0, 1u << 20, DMP_PHYS_ANY, 0, 0, "own", &own), 0);
		r.dev.cma_area = own;
		one = dmp_alloc_coherent(&r.dev, DMP_PAGE_SIZE, &d2, DMP_GFP_KERNEL);
		assert_non_null(one);
		dmp_cma_get_stats(own, &st);
		assert_int_equal(st.nr_allocs, 1);
		assert_true(phys_of(one) >= st.base && phys_of(one) < st.base + (1u << 20));
		dmp_free_coherent(&r.dev, DMP_PAGE_SIZE, one, d2);
		dmp_cma_get_stats(own, &st);
		assert_int_equal(st.nr_allocs, 0);
		r.dev.cma_area = NULL;

		dmp_cma_set_default(NULL);
		assert_int_equal(dmp_cma_destroy(own), 0);
		assert_int_equal(dmp_cma_destroy(def), 0);
		rig_down(&r);
	}
}

/* A 32-bit device and an area above 4 GiB: the page allocator serves it. */
static void test_cma_beyond_reach(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, false, false, 32);
	struct dmp_cma *high;
	assert_int_equal(dmp_cma_declare(0x120000000ull, 4u << 20, DMP_PHYS_ANY, 0, 0, "high",
					 &high), 0);
	dmp_cma_set_default(high);
	dmp_addr_t d;
	void *a = dmp_alloc_coherent(&r.dev, 8 * DMP_PAGE_SIZE, &d, DMP_GFP_KERNEL);
	assert_non_null(a);
	assert_false(dmp__cma_owns(phys_of(a)));
	assert_true(d + 8 * DMP_PAGE_SIZE - 1 <= 0xffffffffu);
	struct dmp_cma_stats st;
	dmp_cma_get_stats(high, &st);
	assert_int_equal(st.nr_allocs, 0); /* tried, given back */
	dmp_free_coherent(&r.dev, 8 * DMP_PAGE_SIZE, a, d);
	dmp_cma_set_default(NULL);
	assert_int_equal(dmp_cma_destroy(high), 0);
	rig_down(&r);
}

/* Behind an IOMMU, CMA serves FORCE_CONTIGUOUS only (Linux's iommu_dma_alloc),
 * whatever the area's physical place: the IOMMU makes it reachable. */
static void test_cma_iommu_force_contiguous(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, false, true, 32);
	struct dmp_cma *high;
	assert_int_equal(dmp_cma_declare(0x120000000ull, 4u << 20, DMP_PHYS_ANY, 0, 0, "high",
					 &high), 0);
	dmp_cma_set_default(high);
	dmp_addr_t d1, d2;
	uint8_t *plain = dmp_alloc_coherent(&r.dev, 4 * DMP_PAGE_SIZE, &d1, DMP_GFP_KERNEL);
	assert_non_null(plain);
	assert_false(dmp__cma_owns(phys_of(plain)));
	uint8_t *contig = dmp_alloc_attrs(&r.dev, 4 * DMP_PAGE_SIZE, &d2, DMP_GFP_KERNEL,
					  DMP_ATTR_FORCE_CONTIGUOUS);
	assert_non_null(contig);
	assert_true(dmp__cma_owns(phys_of(contig)));
	assert_true(phys_of(contig) >= 0x120000000ull);
	assert_true(d2 + 4 * DMP_PAGE_SIZE - 1 <= 0xffffffffu); /* an IOVA below the mask */
	copy_through(&r, contig, d2, plain, d1, 4 * DMP_PAGE_SIZE);
	struct dmp_cma_stats st;
	dmp_cma_get_stats(high, &st);
	assert_int_equal(st.nr_allocs, 1);
	dmp_free_attrs(&r.dev, 4 * DMP_PAGE_SIZE, contig, d2, DMP_ATTR_FORCE_CONTIGUOUS);
	dmp_free_coherent(&r.dev, 4 * DMP_PAGE_SIZE, plain, d1);
	dmp_cma_get_stats(high, &st);
	assert_int_equal(st.nr_allocs, 0);
	assert_int_equal(st.free_pages, 1024);
	dmp_cma_set_default(NULL);
	assert_int_equal(dmp_cma_destroy(high), 0);
	rig_down(&r);
}

/* ---- the atomic pool ------------------------------------------------------------- */

static void atomic_pool_case(bool iommu)
{
	struct rig r;
	rig_up(&r, false, iommu, 32);
	assert_int_equal(dmp_atomic_pool_init(16 * DMP_PAGE_SIZE), 0);
	struct dmp_atomic_pool_stats st;

	/* a non-coherent device's atomic caller: from the pool */
	dmp_addr_t d1, d2;
	uint8_t *a = dmp_alloc_coherent(&r.dev, DMP_PAGE_SIZE, &d1, DMP_GFP_ATOMIC);
	uint8_t *b = dmp_alloc_coherent(&r.dev, DMP_PAGE_SIZE, &d2, DMP_GFP_ATOMIC);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(dmp__atomic_pool_owns(a));
	assert_true(dmp__atomic_pool_owns(b));
	assert_int_equal(dmp_atomic_pool_get_stats(&st), 0);
	assert_int_equal(st.nr_allocs, 2);
	copy_through(&r, a, d1, b, d2, DMP_PAGE_SIZE);
	/* one that may block: the normal path */
	dmp_addr_t d3;
	void *k = dmp_alloc_coherent(&r.dev, DMP_PAGE_SIZE, &d3, DMP_GFP_KERNEL);
	assert_non_null(k);
	assert_false(dmp__atomic_pool_owns(k));
	dmp_free_coherent(&r.dev, DMP_PAGE_SIZE, k, d3);

	/* exhaustion: NULL, reported with the pool's state */
	dmp_addr_t d4;
	fixture_log_start();
	assert_null(dmp_alloc_coherent(&r.dev, 15 * DMP_PAGE_SIZE, &d4, DMP_GFP_ATOMIC));
	assert_true(fixture_log_has("atomic pool exhausted", "ce0", NULL));
	fixture_log_stop();

	dmp_free_coherent(&r.dev, DMP_PAGE_SIZE, a, d1);
	dmp_free_coherent(&r.dev, DMP_PAGE_SIZE, b, d2);
	assert_int_equal(dmp_atomic_pool_get_stats(&st), 0);
	assert_int_equal(st.nr_allocs, 0);
	assert_int_equal(st.free_pages, 16);
	assert_true(st.failures >= 1);
	assert_int_equal(dmp_atomic_pool_check(), 0);

	/* a coherent device needs no new memory type: never the pool */
	dmp_device_set_coherent(&r.dev, true);
	a = dmp_alloc_coherent(&r.dev, DMP_PAGE_SIZE, &d1, DMP_GFP_ATOMIC);
	assert_non_null(a);
	assert_false(dmp__atomic_pool_owns(a));
	dmp_free_coherent(&r.dev, DMP_PAGE_SIZE, a, d1);

	assert_int_equal(dmp_atomic_pool_destroy(), 0);
	rig_down(&r);
}

static void test_atomic_pool_direct(void **state)
{
	(void)state;
	atomic_pool_case(false);
}

static void test_atomic_pool_iommu(void **state)
{
	(void)state;
	atomic_pool_case(true);
}

/* ---- a machine from a device tree ------------------------------------------------ */

static void test_platform_from_dt(void **state)
{
	(void)state;
	struct dmp_sim_platform *p;
	struct dmp_of_error err;
	int e = dmp_sim_platform_load("examples/platforms/soc-noncoherent.dts", NULL,
				      &p, &err);
	if (e)
		fail_msg("%s: %s: %s", err.path, err.property, err.message);
	/* the default CMA area, the atomic pool */
	struct dmp_cma *def = dmp_cma_get_default();
	assert_non_null(def);
	assert_true(dmp__atomic_pool_active());
	struct dmp_cma_stats cs;
	dmp_cma_get_stats(def, &cs);
	assert_int_equal(cs.nr_pages, (64u << 20) / DMP_PAGE_SIZE);

	/* dma@9110000 has the no-map pool at 0x9f000000 as its declared memory */
	struct dmp_sim_platform_device *pd = dmp_sim_platform_find(p, "dma@9110000");
	assert_non_null(pd);
	struct dmp_coherent_stats st;
	assert_int_equal(dmp_coherent_get_stats(&pd->dev, &st), 0);
	assert_int_equal(st.phys_base, 0x9f000000ull);
	assert_int_equal(st.nr_pages, (1u << 20) / DMP_PAGE_SIZE);
	dmp_addr_t d;
	void *v = dmp_alloc_coherent(&pd->dev, 8 * DMP_PAGE_SIZE, &d, DMP_GFP_KERNEL);
	assert_non_null(v);
	assert_true(phys_of(v) >= 0x9f000000ull && phys_of(v) < 0x9f100000ull);
	dmp_free_coherent(&pd->dev, 8 * DMP_PAGE_SIZE, v, d);

	/* dma@9100000 (behind the IOMMU): FORCE_CONTIGUOUS from the default area */
	pd = dmp_sim_platform_find(p, "dma@9100000");
	assert_non_null(pd);
	v = dmp_alloc_attrs(&pd->dev, 16 * DMP_PAGE_SIZE, &d, DMP_GFP_KERNEL,
			    DMP_ATTR_FORCE_CONTIGUOUS);
	assert_non_null(v);
	assert_true(phys_of(v) >= cs.base && phys_of(v) < cs.base + (64u << 20));
	dmp_free_attrs(&pd->dev, 16 * DMP_PAGE_SIZE, v, d, DMP_ATTR_FORCE_CONTIGUOUS);
	/* and its atomic allocations from the atomic pool */
	v = dmp_alloc_coherent(&pd->dev, DMP_PAGE_SIZE, &d, DMP_GFP_ATOMIC);
	assert_non_null(v);
	assert_true(dmp__atomic_pool_owns(v));
	dmp_free_coherent(&pd->dev, DMP_PAGE_SIZE, v, d);

	dmp_sim_platform_destroy(p);
	/* everything it set up went with it */
	assert_null(dmp_cma_get_default());
	assert_false(dmp__atomic_pool_active());
}

/* A no-map pool named by two devices is shared, as in Linux: one allocator,
 * blocks never handed to both, each device's bus addresses its own. */
static void test_platform_shared_coherent_pool(void **state)
{
	(void)state;
	struct dmp_of_platform *desc = calloc(1, sizeof(*desc));
	assert_non_null(desc);
	struct dmp_of_error err;
	assert_int_equal(dmp_of_parse_file("examples/platforms/soc-noncoherent.dts", desc, &err),
			 0);
	/* point the IOMMU'd engine at the same pool as the other one */
	struct dmp_of_device *a = NULL, *b = NULL;
	for (unsigned int i = 0; i < desc->nr_devices; i++) {
		if (strstr(desc->devices[i].path, "dma@9100000"))
			a = &desc->devices[i];
		if (strstr(desc->devices[i].path, "dma@9110000"))
			b = &desc->devices[i];
	}
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(b->nr_mem_regions, 1);
	a->nr_mem_regions = 1;
	a->mem_regions[0] = b->mem_regions[0];
	struct dmp_sim_platform *p = NULL;
	assert_int_equal(dmp_sim_platform_create(desc, NULL, &p, &err), 0);
	struct dmp_device *da = &dmp_sim_platform_find(p, "dma@9100000")->dev;
	struct dmp_device *db = &dmp_sim_platform_find(p, "dma@9110000")->dev;
	assert_non_null(da->dma_mem);
	assert_ptr_equal(da->dma_mem, db->dma_mem);
	dmp_addr_t ha, hb;
	void *va = dmp_alloc_coherent(da, 4 * DMP_PAGE_SIZE, &ha, DMP_GFP_KERNEL);
	void *vb = dmp_alloc_coherent(db, 4 * DMP_PAGE_SIZE, &hb, DMP_GFP_KERNEL);
	assert_non_null(va);
	assert_non_null(vb);
	assert_true(phys_of(va) >= 0x9f000000ull && phys_of(va) < 0x9f100000ull);
	assert_true(phys_of(vb) >= 0x9f000000ull && phys_of(vb) < 0x9f100000ull);
	assert_true(phys_of(va) + 4 * DMP_PAGE_SIZE <= phys_of(vb) ||
		    phys_of(vb) + 4 * DMP_PAGE_SIZE <= phys_of(va)); /* distinct blocks */
	assert_int_equal(hb, dmp_phys_to_dma(db, phys_of(vb)));
	struct dmp_coherent_stats st;
	assert_int_equal(dmp_coherent_get_stats(db, &st), 0);
	assert_int_equal(st.nr_allocs, 2); /* one allocator */
	dmp_free_coherent(da, 4 * DMP_PAGE_SIZE, va, ha);
	dmp_free_coherent(db, 4 * DMP_PAGE_SIZE, vb, hb);
	dmp_sim_platform_destroy(p);
	/* nothing left behind: a machine can be built again */
	assert_false(dmp__atomic_pool_active());
	assert_null(dmp_cma_get_default());
	assert_int_equal(dmp_sim_platform_create(desc, NULL, &p, &err), 0);
	dmp_sim_platform_destroy(p);
	free(desc);
}

/* A machine torn down with allocations still live (a leaking driver) takes
 * its allocators with it: the next machine starts clean and works. */
static void test_platform_teardown_with_leaks(void **state)
{
	(void)state;
	for (int round = 0; round < 2; round++) {
		struct dmp_sim_platform *p;
		struct dmp_of_error err;
		assert_int_equal(dmp_sim_platform_load("examples/platforms/soc-noncoherent.dts", NULL,
						       &p, &err), 0);
		struct dmp_cma *def = dmp_cma_get_default();
		assert_non_null(def);
		dmp_phys_t cphys;
		assert_int_equal(dmp_cma_alloc(def, 4, 0, 0, &cphys), 0); /* leaked */
		struct dmp_sim_platform_device *mmu = dmp_sim_platform_find(p, "dma@9100000");
		struct dmp_sim_platform_device *own = dmp_sim_platform_find(p, "dma@9110000");
		dmp_addr_t d;
		void *v = dmp_alloc_coherent(&mmu->dev, DMP_PAGE_SIZE, &d, DMP_GFP_ATOMIC);
		assert_true(v && dmp__atomic_pool_owns(v)); /* leaked */
		v = dmp_alloc_coherent(&own->dev, DMP_PAGE_SIZE, &d, DMP_GFP_KERNEL);
		assert_non_null(v); /* leaked, in its declared memory */
		uint8_t *hi = dmp_kmalloc(64, 0);
		assert_false(dmp_mapping_error(&own->dev, dmp_map_single(&own->dev, hi, 64,
									  DMP_TO_DEVICE))); /* bounced, leaked */
		fixture_log_start(); /* the refusals are reported */
		dmp_sim_platform_destroy(p);
		assert_true(fixture_log_has("destroy refused", NULL));
		fixture_log_stop();
		assert_null(dmp_cma_get_default());
		assert_false(dmp__atomic_pool_active());
		assert_false(dmp__cma_owns(cphys));
		assert_null(dmp_swiotlb_default());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declared_first_and_exclusive),
		cmocka_unit_test(test_declared_device_offset),
		cmocka_unit_test(test_global_pool),
		cmocka_unit_test(test_cma_direct),
		cmocka_unit_test(test_cma_beyond_reach),
		cmocka_unit_test(test_cma_iommu_force_contiguous),
		cmocka_unit_test(test_atomic_pool_direct),
		cmocka_unit_test(test_atomic_pool_iommu),
		cmocka_unit_test(test_platform_from_dt),
		cmocka_unit_test(test_platform_shared_coherent_pool),
		cmocka_unit_test(test_platform_teardown_with_leaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
