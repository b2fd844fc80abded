/* test-reliability.c - regression tests for hostile input (issue 18): each
 * misuse below once crashed, hung or did harm after being reported; now it is
 * refused, reported, and leaves the state as it was.  Run with the checker off
 * and on: on, each refused call is exactly one finding, and in abort mode
 * the program stops there. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmaport/cma.h>
#include <dmaport/coherent.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/sim/iommu-driver.h>
#include <dmaport/sim/platform.h>
#include <dmaport/swiotlb.h>

#include "support/sim-fixture.h"

static const char *of_dir(void)
{
	const char *d = getenv("DMP_TEST_OF_DIR");
	return d ? d : "tests/of";
}

/* A test that would hang fails instead: SIGALRM kills the program. */
static void deadline(unsigned int seconds)
{
	signal(SIGALRM, SIG_DFL);
	alarm(seconds);
}

/* --- a rig: a device on the direct path or behind the simulated IOMMU --------- */

struct rig {
	struct dmp_sim *sim;
	struct dmp_sim_iommu *hw;
	struct dmp_iommu *iommu;
	struct dmp_sim_device *hw_dev;
	struct dmp_device dev;
	struct dmp_swiotlb_pool *pool;
};

enum rig_kind { RIG_DIRECT_COHERENT, RIG_DIRECT_NONCOHERENT, RIG_IOMMU_STRICT, RIG_IOMMU_LAZY };

static const char *const rig_names[] = { "direct coherent", "direct non-coherent",
					 "iommu strict", "iommu lazy" };

static void rig_up(struct rig *r, enum rig_kind kind)
{
	memset(r, 0, sizeof(*r));
	r->sim = fixture_sim(NULL);
	struct dmp_sim_device_config dc = { .name = "rel0", .port_bits = 64,
					    .coherent = kind == RIG_DIRECT_COHERENT };
	assert_int_equal(dmp_sim_device_create(r->sim, &dc, &r->hw_dev), 0);
	dmp_device_init(&r->dev, "rel0");
	r->dev.hw = r->hw_dev;
	dmp_device_set_coherent(&r->dev, kind == RIG_DIRECT_COHERENT);
	dmp_swiotlb_forget_all(); /* what a failed test left registered */
	assert_int_equal(dmp_swiotlb_pool_create("default", 1 << 20, DMP_SWIOTLB_DEFAULT_LIMIT, 1,
						 &r->pool), 0);
	dmp_swiotlb_set_default(r->pool);
	if (kind == RIG_IOMMU_STRICT || kind == RIG_IOMMU_LAZY) {
		struct dmp_sim_iommu_config ic = { .name = "smmu0", .coherent_walk = false };
		assert_int_equal(dmp_sim_iommu_create(r->sim, &ic, &r->hw), 0);
		assert_int_equal(dmp_sim_iommu_driver_register(
					 r->hw, kind == RIG_IOMMU_LAZY ? DMP_IOMMU_DOMAIN_DMA_FQ
								       : DMP_IOMMU_DOMAIN_DMA,
					 &r->iommu), 0);
		uint32_t sid = 3;
		assert_int_equal(dmp_iommu_probe_device(&r->dev, r->iommu, &sid, 1), 0);
	}
	assert_int_equal(dmp_set_mask_and_coherent(&r->dev, DMP_BIT_MASK(64)), 0);
}

static void rig_down(struct rig *r)
{
	dmp_device_remove(&r->dev);
	if (r->iommu) {
		dmp_iommu_release_device(&r->dev);
		dmp_sim_iommu_driver_unregister(r->iommu);
		dmp_sim_iommu_destroy(r->hw);
	}
	dmp_swiotlb_set_default(NULL);
	assert_int_equal(dmp_swiotlb_pool_destroy(r->pool), 0);
	dmp_sim_destroy(r->sim);
}

/* --- with the checker on, each refused call is one finding ------------------------ */

static bool checker_on;
static unsigned long findings_seen;

/* What follows runs with the checker on (fail mode, every device) or off. */
static void checker_mode(bool on)
{
	checker_on = on;
	dmp_debug_set_mode(on ? DMP_DEBUG_FAIL : DMP_DEBUG_OFF);
	assert_int_equal(dmp_debug_enable_device(NULL, true), 0);
	dmp_debug_reset();
	findings_seen = 0;
}

/*
 * After one refused call: with the checker on, exactly one more finding (one
 * misuse, one finding), so that a test in fail mode sees it and abort mode
 * stops there; with it off, none is counted.
 */
#define refused() refused_at(__LINE__)
static void refused_at(int line)
{
	unsigned long t = dmp_debug_total();
	if (t != findings_seen + checker_on)
		fail_msg("line %d: %lu finding(s) for one refused call, want %d", line,
			 t - findings_seen, (int)checker_on);
	findings_seen = t;
}

/* No finding since the last refused call: the correct calls added none. */
#define no_new_finding() no_finding_at(__LINE__)
static void no_finding_at(int line)
{
	if (dmp_debug_total() != findings_seen)
		fail_msg("line %d: a finding on correct use", line);
}

/* --- memory at or above 2^44 --------------------------------------------------- */

static void kmalloc_churn(void)
{
	/* every size class and a block, each several times, freed in another order */
	static const size_t sizes[] = { 1, 100, 200, 300, 600, 1500, 3000, 9000 };
	void *p[64];
	unsigned int n = 0;
	for (unsigned int round = 0; round < 8; round++)
		for (unsigned int i = 0; i < DMP_ARRAY_SIZE(sizes); i++) {
			p[n] = dmp_kmalloc(sizes[i], DMP_GFP_ZERO);
			assert_non_null(p[n]);
			assert_true(dmp_ksize(p[n]) >= sizes[i]);
			memset(p[n], 0xa5, sizes[i]);
			n++;
		}
	for (unsigned int i = 0; i < n; i += 2)
		dmp_kfree(p[i]);
	for (unsigned int i = 1; i < n; i += 2)
		dmp_kfree(p[i]);
}

static void test_memory_above_2_44(void **state)
{
	(void)state;
	static const dmp_phys_t bases[] = { 1ull << 44, (1ull << 44) + (1ull << 30), 1ull << 52,
					    0xfffff00000000000ull };
	for (unsigned int i = 0; i < DMP_ARRAY_SIZE(bases); i++) {
		struct dmp_sim_config cfg;
		dmp_sim_config_default(&cfg);
		cfg.nr_regions = 2;
		cfg.regions[0].base = 0x80000000ull;
		cfg.regions[0].size = 64ull << 20;
		cfg.regions[1].base = bases[i];
		cfg.regions[1].size = 64ull << 20;
		struct dmp_sim *sim = fixture_sim(&cfg);
		size_t free_before = dmp_page_free_count();
		kmalloc_churn();
		assert_int_equal(dmp_page_free_count(), free_before);
		/* a streaming mapping of high memory on a 64-bit device */
		struct dmp_device dev;
		dmp_device_init(&dev, "hi0");
		assert_int_equal(dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64)), 0);
		uint8_t *buf = dmp_kmalloc(4096, 0);
		dmp_phys_t phys;
		assert_int_equal(dmp_virt_to_phys(buf, &phys), 0);
		dmp_addr_t a = dmp_map_single(&dev, buf, 4096, DMP_TO_DEVICE);
		assert_false(dmp_mapping_error(&dev, a));
		dmp_unmap_single(&dev, a, 4096, DMP_TO_DEVICE);
		dmp_kfree(buf);
		dmp_device_remove(&dev);
		dmp_sim_destroy(sim);
	}
	/* one region only, high up: the heap lives there */
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.nr_regions = 1;
	cfg.regions[0].base = 1ull << 44;
	cfg.regions[0].size = 1ull << 30;
	struct dmp_sim *sim = fixture_sim(&cfg);
	kmalloc_churn();
	dmp_sim_destroy(sim);
}

static void test_memory_above_2_44_from_tree(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof(path), "%s/high-memory.dts", of_dir());
	struct dmp_sim_platform *p;
	struct dmp_of_error err;
	int e = dmp_sim_platform_load(path, NULL, &p, &err);
	if (e)
		fail_msg("%s: %s", path, err.message);
	kmalloc_churn();
	struct dmp_sim_platform_device *pd = dmp_sim_platform_first(p, DMP_OF_DEV_COPY_ENGINE, false);
	assert_non_null(pd);
	void *buf = dmp_kmalloc(512, 0);
	dmp_addr_t a = dmp_map_single(&pd->dev, buf, 512, DMP_BIDIRECTIONAL);
	assert_false(dmp_mapping_error(&pd->dev, a));
	dmp_unmap_single(&pd->dev, a, 512, DMP_BIDIRECTIONAL);
	dmp_kfree(buf);
	dmp_sim_platform_destroy(p);
}

/* A memory region the simulator cannot make: the error names its node. */
static void test_memory_error_names_node(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof(path), "%s/huge-memory.dts", of_dir());
	struct dmp_sim_platform *p = NULL;
	struct dmp_of_error err;
	assert_int_equal(dmp_sim_platform_load(path, NULL, &p, &err), -EINVAL);
	assert_null(p);
	assert_string_equal(err.path, "/memory@1000000000000");
	assert_string_equal(err.property, "reg");
	assert_null(dmp_sim_current());
}

/* --- a .dts whose blob is over 16 MiB -------------------------------------------- */

static void test_dts_over_16mib(void **state)
{
	(void)state;
	char dir[] = "/tmp/dmaport-rel-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char bin[600], dts[600];
	snprintf(bin, sizeof(bin), "%s/blob.bin", dir);
	snprintf(dts, sizeof(dts), "%s/big.dts", dir);
	int fd = open(bin, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 20 << 20), 0); /* 20 MiB of zeroes */
	close(fd);
	FILE *f = fopen(dts, "w");
	assert_non_null(f);
	fprintf(f, "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
		   "\tmemory@80000000 { device_type = \"memory\"; reg = <0 0x80000000 0 0x1000000>; };\n"
		   "\tblob { data = /incbin/(\"%s\"); };\n};\n", bin);
	fclose(f);

	deadline(60); /* it used to hang for ever: dtc blocked writing to our pipe */
	struct dmp_of_platform *desc = calloc(1, sizeof(*desc));
	struct dmp_of_error err;
	assert_int_equal(dmp_of_parse_file(dts, desc, &err), -EFBIG);
	assert_non_null(strstr(err.message, "16 MiB"));
	struct dmp_sim_platform *p = NULL;
	assert_int_equal(dmp_sim_platform_load(dts, NULL, &p, &err), -EFBIG);
	assert_null(p);
	assert_null(dmp_sim_current());
	/* a .dtb file that large is refused the same way */
	assert_int_equal(dmp_of_parse_file(bin, desc, &err), -EFBIG);
	alarm(0);
	free(desc);
	unlink(bin);
	unlink(dts);
	rmdir(dir);
}

/* --- scatterlist counts larger than the list ---------------------------------- */

static void map_sg_nents_beyond_list(bool on)
{
	for (int k = RIG_DIRECT_COHERENT; k <= RIG_IOMMU_LAZY; k++) {
		checker_mode(on);
		struct rig r;
		rig_up(&r, (enum rig_kind)k);
		struct dmp_scatterlist sg[4];
		void *buf[4];
		dmp_sg_init_table(sg, 4);
		for (int i = 0; i < 4; i++) {
			buf[i] = dmp_kmalloc(1024, DMP_GFP_ZERO);
			dmp_sg_set_buf(&sg[i], buf[i], 1024);
		}
		size_t free_before = dmp_page_free_count();
		fixture_log_start();
		assert_int_equal(dmp_map_sg(&r.dev, sg, 5, DMP_TO_DEVICE), 0);
		refused();
		assert_true(fixture_log_has("map_sg of 5 entries: the list has only 4", NULL));
		struct dmp_sg_table t = { .sgl = sg, .orig_nents = 9 };
		assert_int_equal(dmp_map_sgtable(&r.dev, &t, DMP_TO_DEVICE, 0), -EINVAL);
		refused();
		/* the same count to sync and unmap: refused before touching anything */
		dmp_sync_sg_for_cpu(&r.dev, sg, 6, DMP_TO_DEVICE);
		refused();
		dmp_sync_sg_for_device(&r.dev, sg, 6, DMP_TO_DEVICE);
		refused();
		dmp_unmap_sg(&r.dev, sg, 7, DMP_TO_DEVICE);
		refused();
		assert_true(fixture_log_has("unmap_sg of 7 entries: the list has only 4", NULL));
		fixture_log_stop();
		assert_int_equal(dmp_page_free_count(), free_before);
		/* the right count still works */
		int n = dmp_map_sg(&r.dev, sg, 4, DMP_TO_DEVICE);
		assert_true(n >= 1 && n <= 4);
		dmp_unmap_sg(&r.dev, sg, 4, DMP_TO_DEVICE);
		no_new_finding();
		/* an entry whose page is no page, or whose length runs past memory */
		struct dmp_scatterlist bad = sg[1];
		sg[1].page_link = (uintptr_t)&r | (sg[1].page_link & DMP_SG_PAGE_LINK_MASK);
		fixture_log_start();
		assert_int_equal(dmp_map_sg(&r.dev, sg, 4, DMP_TO_DEVICE), 0);
		refused();
		assert_true(fixture_log_has("entry 1", "no page of platform memory", NULL));
		sg[1] = bad;
		sg[2].length = 0x7fffffff;
		assert_int_equal(dmp_map_sg(&r.dev, sg, 4, DMP_TO_DEVICE), 0);
		refused();
		assert_true(fixture_log_has("entry 2", "beyond its memory region", NULL));
		fixture_log_stop();
		for (int i = 0; i < 4; i++)
			dmp_kfree(buf[i]);
		print_message("  %s, checker %s: refused\n", rig_names[k], on ? "on" : "off");
		rig_down(&r);
		no_new_finding();
	}
}

static void test_map_sg_nents_beyond_list(void **state)
{
	(void)state;
	map_sg_nents_beyond_list(false);
	map_sg_nents_beyond_list(true);
	checker_mode(false);
}

/* dmp_iommu_map_sg with a count past the list end: -EINVAL, nothing mapped. */
static void test_iommu_map_sg_nents_beyond_list(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, RIG_IOMMU_STRICT);
	struct dmp_iommu_domain *d;
	assert_int_equal(dmp_iommu_paging_domain_alloc(&r.dev, &d), 0);
	struct dmp_scatterlist sg[2];
	dmp_sg_init_table(sg, 2);
	void *a = dmp_kmalloc(4096, 0), *b = dmp_kmalloc(4096, 0);
	dmp_sg_set_buf(&sg[0], a, 4096);
	dmp_sg_set_buf(&sg[1], b, 4096);
	assert_int_equal(dmp_iommu_map_sg(d, 0x100000, sg, 3, DMP_IOMMU_READ, 0), -EINVAL);
	dmp_phys_t p;
	assert_int_equal(dmp_iommu_iova_to_phys(d, 0x100000, &p), -ENOENT);
	assert_int_equal(dmp_iommu_map_sg(d, 0x100000, sg, 2, DMP_IOMMU_READ, 0), 8192);
	assert_int_equal(dmp_iommu_unmap(d, 0x100000, 8192), 8192);
	dmp_iommu_domain_free(d);
	dmp_kfree(a);
	dmp_kfree(b);
	rig_down(&r);
}

/* --- freeing an attached IOMMU domain ---------------------------------------- */

static void iommu_domain_free_attached(bool on)
{
	checker_mode(on);
	struct rig r;
	rig_up(&r, RIG_IOMMU_STRICT);
	struct dmp_iommu_domain *d;
	assert_int_equal(dmp_iommu_paging_domain_alloc(&r.dev, &d), 0);
	assert_int_equal(dmp_iommu_attach_device(d, &r.dev), 0);
	uint8_t *buf = dmp_kmalloc(4096, 0);
	dmp_phys_t phys;
	dmp_virt_to_phys(buf, &phys);
	assert_int_equal(dmp_iommu_map(d, 0x40000, phys, 4096, DMP_IOMMU_READ, 0), 0);
	fixture_log_start();
	dmp_iommu_domain_free(d);
	refused();
	assert_true(fixture_log_has("iommu_domain_free", "still attached", "refused", NULL));
	fixture_log_stop();
	/* the domain is intact: it still translates, for the CPU and the device */
	dmp_phys_t p;
	assert_int_equal(dmp_iommu_iova_to_phys(d, 0x40000, &p), 0);
	assert_int_equal(p, phys);
	assert_ptr_equal(dmp_iommu_get_domain_for_dev(&r.dev), d);
	assert_int_equal(dmp_iommu_unmap(d, 0x40000, 4096), 4096);
	dmp_iommu_detach_device(d, &r.dev);
	/* the group's default domain is the core's: never the caller's to free */
	struct dmp_iommu_domain *def = dmp_iommu_get_domain_for_dev(&r.dev);
	fixture_log_start();
	dmp_iommu_domain_free(def);
	refused();
	assert_true(fixture_log_has("iommu_domain_free", "default", NULL));
	fixture_log_stop();
	/* the DMA API on the default domain still works */
	dmp_addr_t a = dmp_map_single(&r.dev, buf, 4096, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(&r.dev, a));
	dmp_unmap_single(&r.dev, a, 4096, DMP_TO_DEVICE);
	dmp_iommu_domain_free(d); /* detached now: freed */
	dmp_kfree(buf);
	rig_down(&r);
	no_new_finding();
}

static void test_iommu_domain_free_attached(void **state)
{
	(void)state;
	iommu_domain_free_attached(false);
	iommu_domain_free_attached(true);
	checker_mode(false);
}

/*
 * The IOMMU API's own refusals (a range not in whole pages, outside the
 * aperture, a bad scatterlist, attaching a device that is on another
 * domain or not alone in its group) are findings like the DMA API's, and
 * change nothing: what was mapped stays mapped, nothing new is.
 */
static void iommu_api_refusals(bool on)
{
	checker_mode(on);
	struct rig r;
	rig_up(&r, RIG_IOMMU_STRICT);
	struct dmp_iommu_domain *d;
	assert_int_equal(dmp_iommu_paging_domain_alloc(&r.dev, &d), 0);
	uint8_t *buf = dmp_kmalloc(8192, 0);
	dmp_phys_t phys, p;
	dmp_virt_to_phys(buf, &phys);
	assert_int_equal(dmp_iommu_map(d, 0x40000, phys, 4096, DMP_IOMMU_READ, 0), 0);
	no_new_finding();
	fixture_log_start();
	assert_int_equal(dmp_iommu_map(d, 0x50200, phys, 4096, DMP_IOMMU_READ, 0), -EINVAL);
	refused();
	assert_true(fixture_log_has("iommu_map", "unaligned", "refused", NULL));
	assert_int_equal(dmp_iommu_iova_to_phys(d, 0x50000, &p), -ENOENT);
	assert_int_equal(dmp_iommu_unmap(d, 0x40800, 2048), 0);
	refused();
	assert_true(fixture_log_has("iommu_unmap", "unaligned", "refused", NULL));
	if (d->geometry.force_aperture && d->geometry.aperture_end < UINT64_MAX - 0x1000) {
		dmp_addr_t past = (d->geometry.aperture_end + 1) & ~(dmp_addr_t)0xfff;
		assert_int_equal(dmp_iommu_map(d, past, phys, 4096, DMP_IOMMU_READ, 0), -EINVAL);
		refused();
		assert_true(fixture_log_has("iommu_map", "aperture", NULL));
	}
	struct dmp_scatterlist sg[2];
	dmp_sg_init_table(sg, 2);
	dmp_sg_set_buf(&sg[0], buf, 4096);
	dmp_sg_set_buf(&sg[1], buf + 4096, 4096);
	assert_true(dmp_iommu_map_sg(d, 0x60000, sg, 3, DMP_IOMMU_READ, 0) < 0);
	refused();
	assert_true(fixture_log_has("iommu_map_sg", "refused", NULL));
	fixture_log_stop();
	assert_int_equal(dmp_iommu_iova_to_phys(d, 0x60000, &p), -ENOENT);
	/* the first mapping is as it was */
	assert_int_equal(dmp_iommu_iova_to_phys(d, 0x40000, &p), 0);
	assert_int_equal(p, phys);
	assert_int_equal(dmp_iommu_unmap(d, 0x40000, 4096), 4096);
	no_new_finding();
	/* attach while attached to another domain: -EBUSY, still on the first */
	struct dmp_iommu_domain *d2;
	assert_int_equal(dmp_iommu_paging_domain_alloc(&r.dev, &d2), 0);
	assert_int_equal(dmp_iommu_attach_device(d, &r.dev), 0);
	no_new_finding();
	fixture_log_start();
	assert_int_equal(dmp_iommu_attach_device(d2, &r.dev), -EBUSY);
	refused();
	assert_true(fixture_log_has("iommu_attach_device", "another domain", "refused", NULL));
	assert_ptr_equal(dmp_iommu_get_domain_for_dev(&r.dev), d);
	dmp_iommu_detach_device(d, &r.dev);
	/* a device that shares its group: iommu_attach_device() wants it alone */
	struct dmp_sim_device_config dc = { .name = "rel2", .port_bits = 64 };
	struct dmp_sim_device *hw;
	assert_int_equal(dmp_sim_device_create(r.sim, &dc, &hw), 0);
	struct dmp_device twin;
	dmp_device_init(&twin, "rel2");
	assert_int_equal(dmp_sim_device_link(&twin, hw), 0);
	uint32_t sid = 3; /* the rig's device's stream: one group */
	assert_int_equal(dmp_iommu_probe_device(&twin, r.iommu, &sid, 1), 0);
	struct dmp_iommu_domain *def = dmp_iommu_get_domain_for_dev(&twin);
	assert_int_equal(dmp_iommu_attach_device(d, &twin), -EINVAL);
	refused();
	assert_true(fixture_log_has("iommu_attach_device", "other devices", "refused", NULL));
	fixture_log_stop();
	assert_ptr_equal(dmp_iommu_get_domain_for_dev(&twin), def);
	dmp_device_remove(&twin);
	dmp_iommu_release_device(&twin);
	dmp_iommu_domain_free(d2);
	dmp_iommu_domain_free(d);
	dmp_kfree(buf);
	rig_down(&r);
	no_new_finding();
}

static void test_iommu_api_refusals(void **state)
{
	(void)state;
	iommu_api_refusals(false);
	iommu_api_refusals(true);
	checker_mode(false);
}

/* Another group's default domain is not the caller's to attach: its group
 * frees it, and the device would go on translating through freed tables. */
static void iommu_attach_default_domain_refused(bool on)
{
	checker_mode(on);
	struct rig r;
	rig_up(&r, RIG_IOMMU_STRICT);
	struct dmp_sim_device_config dc = { .name = "rel1", .port_bits = 64 };
	struct dmp_sim_device *hw;
	assert_int_equal(dmp_sim_device_create(r.sim, &dc, &hw), 0);
	struct dmp_device other;
	dmp_device_init(&other, "rel1");
	assert_int_equal(dmp_sim_device_link(&other, hw), 0);
	uint32_t sid = 9;
	assert_int_equal(dmp_iommu_probe_device(&other, r.iommu, &sid, 1), 0);
	struct dmp_iommu_domain *def = dmp_iommu_get_domain_for_dev(&r.dev);
	fixture_log_start();
	assert_int_equal(dmp_iommu_attach_device(def, &other), -EINVAL);
	refused();
	assert_true(fixture_log_has("iommu_attach_device", "refused", NULL));
	fixture_log_stop();
	assert_ptr_not_equal(dmp_iommu_get_domain_for_dev(&other), def);
	dmp_device_remove(&other);
	dmp_iommu_release_device(&other);
	/* the first device's DMA still works */
	uint8_t *buf = dmp_kmalloc(256, 0);
	dmp_addr_t a = dmp_map_single(&r.dev, buf, 256, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(&r.dev, a));
	dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
	dmp_kfree(buf);
	rig_down(&r);
	no_new_finding();
}

static void test_iommu_attach_default_domain_refused(void **state)
{
	(void)state;
	iommu_attach_default_domain_refused(false);
	iommu_attach_default_domain_refused(true);
	checker_mode(false);
}

/* --- dma_pool_create with sizes that overflow -------------------------------- */

static void pool_create_huge(bool on)
{
	checker_mode(on);
	struct rig r;
	rig_up(&r, RIG_DIRECT_NONCOHERENT);
	static const struct {
		size_t size, align;
	} bad[] = {
		{ SIZE_MAX, 0 },		   { SIZE_MAX - 100, 64 },
		{ (size_t)INT_MAX + 1, 0 },	   { 64, (size_t)1 << 62 },
		{ 64, SIZE_MAX / 2 + 1 },	   { SIZE_MAX / 2, 1 },
	};
	for (unsigned int i = 0; i < DMP_ARRAY_SIZE(bad); i++) {
		fixture_log_start();
		assert_null(dmp_pool_create("huge", &r.dev, bad[i].size, bad[i].align, 0));
		refused();
		assert_true(fixture_log_has("dma_pool_create", "invalid arguments", NULL));
		fixture_log_stop();
	}
	/* the largest size accepted: the pool exists, a block it cannot get fails cleanly */
	struct dmp_dma_pool *pool = dmp_pool_create("big", &r.dev, INT_MAX, 0, 0);
	assert_non_null(pool);
	dmp_addr_t h;
	assert_null(dmp_pool_alloc(pool, DMP_GFP_NOWARN, &h));
	assert_true(h == DMP_MAPPING_ERROR);
	assert_int_equal(dmp_pool_check(pool), 0);
	dmp_pool_destroy(pool);
	rig_down(&r);
	no_new_finding();
}

static void test_pool_create_huge(void **state)
{
	(void)state;
	pool_create_huge(false);
	pool_create_huge(true);
	checker_mode(false);
}


/* --- misuse the checker reports must also be refused ------------------------------ */

/*
 * A neighbour of the buffer under test: a kmalloc object the CPU has written
 * (its lines are dirty in the CPU's cache), which an invalidate running past
 * the buffer would throw away.
 */
struct neighbour {
	uint8_t *p;
	uint8_t want[256];
};

static void neighbour_write(struct neighbour *n)
{
	n->p = dmp_kmalloc(sizeof(n->want), 0);
	for (size_t i = 0; i < sizeof(n->want); i++)
		n->want[i] = (uint8_t)(i * 7 + 1);
	memcpy(n->p, n->want, sizeof(n->want));
}

static void neighbour_check(struct neighbour *n)
{
	assert_memory_equal(n->p, n->want, sizeof(n->want));
	dmp_kfree(n->p);
}

static void test_sync_beyond_mapping_refused(void **state)
{
	(void)state;
	for (int checker = 0; checker <= 1; checker++)
		for (int k = RIG_DIRECT_NONCOHERENT; k <= RIG_IOMMU_LAZY; k++) {
			/* without the checker the direct path has no record of the
			 * mapping's size: Linux's behaviour, documented */
			if (!checker && k == RIG_DIRECT_NONCOHERENT)
				continue;
			dmp_debug_set_mode(checker ? DMP_DEBUG_FAIL : DMP_DEBUG_OFF);
			dmp_debug_reset();
			struct rig r;
			rig_up(&r, (enum rig_kind)k);
			uint8_t *buf = dmp_kmalloc(4096, DMP_GFP_ZERO);
			dmp_addr_t a = dmp_map_single(&r.dev, buf, 4096, DMP_FROM_DEVICE);
			assert_false(dmp_mapping_error(&r.dev, a));
			struct neighbour nb[16];
			for (unsigned int i = 0; i < DMP_ARRAY_SIZE(nb); i++)
				neighbour_write(&nb[i]);
			fixture_log_start();
			dmp_sync_single_for_cpu(&r.dev, a, 1 << 20, DMP_FROM_DEVICE);
			dmp_sync_single_for_device(&r.dev, a, 1 << 20, DMP_FROM_DEVICE);
			dmp_sync_single_range_for_cpu(&r.dev, a, 4000, 200, DMP_FROM_DEVICE);
			dmp_sync_single_for_cpu(&r.dev, a, SIZE_MAX, DMP_FROM_DEVICE);
			assert_true(fixture_log_count() >= 4);
			fixture_log_stop();
			if (checker)
				assert_true(dmp_debug_count(DMP_DEBUG_SYNC_RANGE) >= 3);
			for (unsigned int i = 0; i < DMP_ARRAY_SIZE(nb); i++)
				neighbour_check(&nb[i]);
			/* the mapping itself is intact: a right-sized sync works */
			dmp_sync_single_for_cpu(&r.dev, a, 4096, DMP_FROM_DEVICE);
			dmp_unmap_single(&r.dev, a, 4096, DMP_FROM_DEVICE);
			dmp_kfree(buf);
			rig_down(&r);
			print_message("  %s, checker %s: refused\n", rig_names[k], checker ? "on" : "off");
		}
	dmp_debug_set_mode(DMP_DEBUG_OFF);
}

static void test_iommu_wrong_size_unmap_refused(void **state)
{
	(void)state;
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	for (int k = RIG_IOMMU_STRICT; k <= RIG_IOMMU_LAZY; k++) {
		dmp_debug_reset();
		struct rig r;
		rig_up(&r, (enum rig_kind)k);
		struct dmp_iommu_domain *d = dmp_iommu_get_domain_for_dev(&r.dev);
		uint8_t *buf[4];
		dmp_addr_t a[4];
		for (int i = 0; i < 4; i++) {
			buf[i] = dmp_kmalloc(4096, DMP_GFP_ZERO);
			a[i] = dmp_map_single(&r.dev, buf[i], 4096, DMP_BIDIRECTIONAL);
			assert_false(dmp_mapping_error(&r.dev, a[i]));
		}
		/* too big: would reach the neighbours; too small: would leave pages */
		dmp_unmap_single(&r.dev, a[1], 16384, DMP_BIDIRECTIONAL);
		dmp_unmap_single(&r.dev, a[2], 100, DMP_BIDIRECTIONAL);
		assert_int_equal(dmp_debug_count(DMP_DEBUG_SIZE_MISMATCH), 2);
		for (int i = 0; i < 4; i++) {
			dmp_phys_t p, want;
			dmp_virt_to_phys(buf[i], &want);
			assert_int_equal(dmp_iommu_iova_to_phys(d, a[i], &p), 0);
			assert_int_equal(p, want);
		}
		for (int i = 0; i < 4; i++) {
			dmp_unmap_single(&r.dev, a[i], 4096, DMP_BIDIRECTIONAL);
			dmp_kfree(buf[i]);
		}
		assert_int_equal(dmp_debug_count(DMP_DEBUG_SIZE_MISMATCH), 2);
		assert_int_equal(dmp_debug_count(DMP_DEBUG_FREE_UNKNOWN), 0);
		rig_down(&r);
		assert_int_equal(dmp_debug_count(DMP_DEBUG_LEAK), 0);
	}
	dmp_debug_set_mode(DMP_DEBUG_OFF);
}

static void test_iommu_wrong_size_free_coherent_refused(void **state)
{
	(void)state;
	for (int checker = 0; checker <= 1; checker++) {
		checker_mode(checker);
		struct rig r;
		rig_up(&r, RIG_IOMMU_STRICT);
		struct dmp_iommu_domain *d = dmp_iommu_get_domain_for_dev(&r.dev);
		dmp_addr_t h;
		/* once first: the page tables and the IOVA tree's nodes stay */
		void *va = dmp_alloc_coherent(&r.dev, 8192, &h, DMP_GFP_KERNEL);
		dmp_free_coherent(&r.dev, 8192, va, h);
		size_t free_before = dmp_page_free_count();
		va = dmp_alloc_coherent(&r.dev, 8192, &h, DMP_GFP_KERNEL);
		assert_non_null(va);
		fixture_log_start();
		dmp_free_coherent(&r.dev, 3 * 8192, va, h);
		refused();
		dmp_free_coherent(&r.dev, 4096, va, h);
		refused();
		assert_true(fixture_log_count() >= 2);
		fixture_log_stop();
		dmp_phys_t p;
		assert_int_equal(dmp_iommu_iova_to_phys(d, h + 4096, &p), 0);
		dmp_free_coherent(&r.dev, 8192, va, h); /* the right free works */
		assert_int_equal(dmp_iommu_iova_to_phys(d, h, &p), -ENOENT);
		assert_int_equal(dmp_page_free_count(), free_before);
		/* and the device can allocate as before */
		for (int i = 0; i < 8; i++) {
			va = dmp_alloc_coherent(&r.dev, 8192, &h, DMP_GFP_KERNEL);
			assert_non_null(va);
			dmp_free_coherent(&r.dev, 8192, va, h);
		}
		assert_int_equal(dmp_page_free_count(), free_before);
		rig_down(&r);
		print_message("  checker %s: refused\n", checker ? "on" : "off");
	}
	dmp_debug_set_mode(DMP_DEBUG_OFF);
}


/* --- arguments whose arithmetic wraps, and pointers that are not what they claim ---- */

static void hostile_arguments(bool on)
{
	for (int k = RIG_DIRECT_COHERENT; k <= RIG_IOMMU_LAZY; k++) {
		checker_mode(on);
		struct rig r;
		rig_up(&r, (enum rig_kind)k);
		struct dmp_device *d = &r.dev;
		struct neighbour nb[8];
		uint8_t *buf = dmp_kmalloc(4096, DMP_GFP_ZERO);
		for (unsigned int i = 0; i < DMP_ARRAY_SIZE(nb); i++)
			neighbour_write(&nb[i]);
		fixture_log_start();
		/* a page pointer that is no page descriptor: refused, no assertion */
		dmp_addr_t a = dmp_map_page(d, (struct dmp_page *)buf, 0, 16, DMP_TO_DEVICE);
		assert_true(a == DMP_MAPPING_ERROR);
		refused();
		assert_true(fixture_log_has("not a page descriptor", NULL));
		/* an offset that wraps the page's address */
		a = dmp_map_page(d, dmp_virt_to_page(buf), SIZE_MAX, 16, DMP_TO_DEVICE);
		assert_true(a == DMP_MAPPING_ERROR);
		refused();
		a = dmp_map_single(d, buf, 4096, DMP_FROM_DEVICE);
		assert_false(dmp_mapping_error(d, a));
		/* a range sync whose offset or size wraps: before, the direct path
		 * synced the bytes just below the mapping */
		int n = fixture_log_count();
		dmp_sync_single_range_for_cpu(d, a, SIZE_MAX, 16, DMP_FROM_DEVICE);
		refused();
		dmp_sync_single_range_for_cpu(d, a, 16, SIZE_MAX, DMP_FROM_DEVICE);
		refused();
		dmp_sync_single_for_cpu(d, ~(dmp_addr_t)0 - 100, 200, DMP_FROM_DEVICE);
		refused();
		assert_true(fixture_log_count() >= n + 3);
		assert_true(fixture_log_has("wraps the address space", NULL));
		/* an unmap whose size wraps: before, the IOMMU path dropped it silently */
		n = fixture_log_count();
		dmp_unmap_single(d, a, SIZE_MAX, DMP_FROM_DEVICE);
		refused();
		assert_true(fixture_log_count() > n);
		dmp_unmap_single(d, a, 4096, DMP_FROM_DEVICE);
		no_new_finding();
		/* a pool that does not exist */
		dmp_addr_t h;
		assert_null(dmp_pool_alloc(NULL, 0, &h));
		refused();
		assert_true(h == DMP_MAPPING_ERROR);
		dmp_pool_free(NULL, buf, 0);
		refused();
		assert_true(fixture_log_has("dma_pool_free", "no pool", NULL));
		/* mmap and get_sgtable of a coherent buffer with sizes it does not have */
		void *c = dmp_alloc_coherent(d, 8192, &h, DMP_GFP_KERNEL);
		assert_non_null(c);
		struct dmp_user_mapping um = { .pgoff = 1, .size = SIZE_MAX };
		assert_int_equal(dmp_mmap_coherent(d, &um, c, h, 8192), -ENXIO);
		refused();
		um = (struct dmp_user_mapping){ .pgoff = SIZE_MAX, .size = 4096 };
		assert_int_equal(dmp_mmap_coherent(d, &um, c, h, 8192), -ENXIO);
		refused();
		um = (struct dmp_user_mapping){ 0 };
		assert_int_equal(dmp_mmap_coherent(d, &um, c, h, 1 << 20), -EINVAL);
		refused();
		assert_null(um.addr);
		struct dmp_sg_table t;
		assert_int_equal(dmp_get_sgtable(d, &t, c, h, SIZE_MAX), -EINVAL);
		refused();
		assert_int_equal(dmp_get_sgtable(d, &t, c, h, 1 << 20), -EINVAL);
		refused();
		/* the right sizes still work */
		um = (struct dmp_user_mapping){ 0 };
		assert_int_equal(dmp_mmap_coherent(d, &um, c, h, 8192), 0);
		assert_int_equal(um.size, 8192);
		dmp_munmap(&um);
		assert_int_equal(dmp_get_sgtable(d, &t, c, h, 8192), 0);
		assert_int_equal(t.sgl->length, 8192);
		dmp_sg_free_table(&t);
		fixture_log_stop();
		dmp_free_coherent(d, 8192, c, h);
		for (unsigned int i = 0; i < DMP_ARRAY_SIZE(nb); i++)
			neighbour_check(&nb[i]);
		dmp_kfree(buf);
		rig_down(&r);
		no_new_finding();
		print_message("  %s, checker %s: refused\n", rig_names[k], on ? "on" : "off");
	}
}

static void test_hostile_arguments(void **state)
{
	(void)state;
	hostile_arguments(false);
	hostile_arguments(true);
	checker_mode(false);
}


/* mmap, get_sgtable and free of CMA and atomic-pool memory with a size the
 * allocation does not have: refused by the allocator's own record. */
static void cma_and_atomic_pool_sizes(bool on)
{
	checker_mode(on);
	struct rig r;
	rig_up(&r, RIG_DIRECT_NONCOHERENT);
	struct dmp_device *d = &r.dev;
	struct dmp_cma *cma;
	assert_int_equal(dmp_cma_declare(0, 4 << 20, DMP_PHYS_ANY, 0, 0, "rel-cma", &cma), 0);
	d->cma_area = cma;
	assert_int_equal(dmp_atomic_pool_init(0), 0);
	for (int pool = 0; pool <= 1; pool++) {
		dmp_addr_t h;
		/* the device's CMA area serves blocking allocations, the atomic
		 * pool a non-coherent device's atomic ones */
		void *c = dmp_alloc_coherent(d, 3 * 4096, &h, pool ? DMP_GFP_ATOMIC : DMP_GFP_KERNEL);
		assert_non_null(c);
		dmp_phys_t phys;
		assert_int_equal(dmp_virt_to_phys(c, &phys), 0);
		size_t cma_free_before;
		struct dmp_cma_stats cs;
		dmp_cma_get_stats(cma, &cs);
		cma_free_before = cs.free_pages;
		fixture_log_start();
		struct dmp_user_mapping um = { 0 };
		assert_int_equal(dmp_mmap_coherent(d, &um, c, h, 64 * 4096), -EINVAL);
		refused();
		assert_null(um.addr);
		struct dmp_sg_table t;
		assert_int_equal(dmp_get_sgtable(d, &t, c, h, 64 * 4096), -EINVAL);
		refused();
		dmp_free_coherent(d, 64 * 4096, c, h);
		refused();
		assert_true(fixture_log_count() >= 3);
		fixture_log_stop();
		/* nothing changed: the memory is still uncached and allocated */
		assert_int_equal(dmp_sim_mem_attr(r.sim, phys), DMP_MEM_UNCACHED);
		dmp_cma_get_stats(cma, &cs);
		assert_int_equal(cs.free_pages, cma_free_before);
		assert_int_equal(dmp_mmap_coherent(d, &um, c, h, 3 * 4096), 0);
		dmp_munmap(&um);
		dmp_free_coherent(d, 3 * 4096, c, h);
		no_new_finding();
		print_message("  %s, checker %s: refused\n", pool ? "atomic pool" : "CMA",
			      on ? "on" : "off");
	}
	assert_int_equal(dmp_atomic_pool_destroy(), 0);
	d->cma_area = NULL;
	assert_int_equal(dmp_cma_destroy(cma), 0);
	rig_down(&r);
	no_new_finding();
}

static void test_cma_and_atomic_pool_sizes(void **state)
{
	(void)state;
	cma_and_atomic_pool_sizes(false);
	cma_and_atomic_pool_sizes(true);
	checker_mode(false);
}


/*
 * Pages a device wrote, freed without a sync (legal: dma_free_noncoherent),
 * then allocated again zeroed: memory must hold the zeroes, for the CPU
 * and the device.  The simulator cannot see a CPU store of the value a
 * line already holds, so zeroing over the cache's zeroes left the device's
 * bytes in memory (found by api-fuzz: "coherent memory not zeroed").
 */
static void test_reused_pages_are_zero(void **state)
{
	(void)state;
	for (int k = RIG_DIRECT_NONCOHERENT; k <= RIG_IOMMU_STRICT; k++) {
		struct rig r;
		rig_up(&r, (enum rig_kind)k);
		struct dmp_device *d = &r.dev;
		static uint8_t ones[8192], got[8192];
		memset(ones, 0xab, sizeof(ones));
		for (int round = 0; round < 2; round++) {
			for (int i = 0; i < 16; i++) {
				dmp_addr_t h;
				void *p = dmp_alloc_noncoherent(d, 8192, &h, DMP_FROM_DEVICE,
								DMP_GFP_KERNEL);
				assert_non_null(p);
				assert_int_equal(dmp_sim_dma_write(r.hw_dev, h, ones, 8192), 0);
				dmp_free_noncoherent(d, 8192, p, h, DMP_FROM_DEVICE);
				dmp_addr_t h2;
				uint8_t *c = round ? dmp_alloc_noncoherent(d, 8192, &h2, DMP_TO_DEVICE,
									    DMP_GFP_KERNEL)
						   : dmp_alloc_coherent(d, 8192, &h2, DMP_GFP_KERNEL);
				assert_non_null(c);
				for (int b = 0; b < 8192; b++)
					assert_int_equal(c[b], 0);
				dmp_wmb();
				assert_int_equal(dmp_sim_dma_read(r.hw_dev, h2, got, 8192), 0);
				for (int b = 0; b < 8192; b++)
					assert_int_equal(got[b], 0);
				if (round)
					dmp_free_noncoherent(d, 8192, c, h2, DMP_TO_DEVICE);
				else
					dmp_free_coherent(d, 8192, c, h2);
			}
		}
		rig_down(&r);
	}
}


/*
 * The same pages, zeroed for a coherent device and then used by the
 * non-coherent one, on a machine whose caches refill clean lines at any
 * moment: the zeroes must be what memory holds (found by api-fuzz:
 * "non-coherent pages not zeroed" behind a lazy IOMMU, hostile caches).
 */
static void test_reused_pages_stay_zero_hostile(void **state)
{
	(void)state;
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.hostile = true;
	cfg.seed = 18;
	cfg.hostile_rate = 1024;
	struct dmp_sim *sim = fixture_sim(&cfg);
	struct dmp_sim_device *hw[2];
	struct dmp_device dev[2];
	for (int i = 0; i < 2; i++) {
		struct dmp_sim_device_config dc = { .name = i ? "coh" : "ncoh", .port_bits = 64,
						    .coherent = i == 1 };
		assert_int_equal(dmp_sim_device_create(sim, &dc, &hw[i]), 0);
		dmp_device_init(&dev[i], dc.name);
		assert_int_equal(dmp_sim_device_link(&dev[i], hw[i]), 0);
	}
	static uint8_t ones[8192];
	memset(ones, 0x63, sizeof(ones));
	for (int i = 0; i < 32; i++) {
		dmp_addr_t h;
		void *p = dmp_alloc_noncoherent(&dev[0], 8192, &h, DMP_FROM_DEVICE, DMP_GFP_KERNEL);
		assert_non_null(p);
		assert_int_equal(dmp_sim_dma_write(hw[0], h, ones, sizeof(ones)), 0);
		dmp_free_noncoherent(&dev[0], 8192, p, h, DMP_FROM_DEVICE);
		uint8_t *q = dmp_alloc_noncoherent(&dev[1], 8192, &h, DMP_BIDIRECTIONAL,
						   DMP_GFP_KERNEL);
		assert_non_null(q);
		/* the non-coherent device takes the buffer for a while (the map
		 * cleans, the unmap invalidates) while the caches act */
		dmp_addr_t a = dmp_map_single(&dev[0], q, 8192, DMP_FROM_DEVICE);
		assert_false(dmp_mapping_error(&dev[0], a));
		for (int k = 0; k < 64; k++)
			dmp_sim_hostile_point(sim);
		dmp_unmap_single(&dev[0], a, 8192, DMP_FROM_DEVICE);
		for (int b = 0; b < 8192; b++)
			assert_int_equal(q[b], 0);
		dmp_free_noncoherent(&dev[1], 8192, q, h, DMP_BIDIRECTIONAL);
	}
	dmp_device_remove(&dev[0]);
	dmp_device_remove(&dev[1]);
	dmp_sim_destroy(sim);
}

/* --- a large coherent pool costs the memory nobody touched nothing ------------------ */

/* This process's resident memory, in KiB (/proc/self/statm). */
static size_t rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, resident = 0;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
	fclose(f);
	return resident * (size_t)sysconf(_SC_PAGESIZE) / 1024;
}

/*
 * A tree declaring a 512 MiB coherent pool (found by of-fuzz: 26 s and
 * 1.6 GiB per input) made the simulator read and write every line of it at
 * declaration, at every write barrier (the write buffer's drain) and at
 * release, allocating each page of its images: a larger pool ran the
 * machine out of memory.  Pages nobody wrote are now passed over; what was
 * written, by the device before the declaration or by the CPU in the pool,
 * still reaches the other side.
 */
static void test_large_pool_touches_nothing(void **state)
{
	(void)state;
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.nr_regions = 1;
	cfg.regions[0].base = 0x80000000ull;
	cfg.regions[0].size = 1ull << 30;
	cfg.outer_cache = true;
	cfg.write_buffer = true;
	struct dmp_sim *sim = fixture_sim(&cfg);
	struct dmp_sim_device_config dc = { .name = "big0", .port_bits = 64 };
	struct dmp_sim_device *hw;
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	struct dmp_device dev;
	dmp_device_init(&dev, "big0");
	assert_int_equal(dmp_sim_device_link(&dev, hw), 0);
	assert_int_equal(dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64)), 0);

	const dmp_phys_t pool = 0x90000000ull;
	const size_t pool_size = 512u << 20;
	uint8_t dev_bytes[256], got[256];
	for (size_t i = 0; i < sizeof(dev_bytes); i++)
		dev_bytes[i] = (uint8_t)(i * 13 + 5);
	/* the device writes memory (DRAM only) in the future pool, page 37 */
	const dmp_phys_t where = pool + 37 * 4096 + 64;
	assert_int_equal(dmp_sim_dma_write(hw, where, dev_bytes, sizeof(dev_bytes)), 0);
	size_t before = rss_kib();
	assert_int_equal(dmp_dma_declare_global_coherent(pool, pool_size), 0);
	/* the pool's flush filled the CPU's view from memory */
	assert_int_equal(dmp_sim_peek(sim, DMP_SIM_CPU, where, got, sizeof(got)), 0);
	assert_memory_equal(got, dev_bytes, sizeof(got));

	/* coherent memory from the pool: uncached, the CPU's stores wait in the
	 * write buffer until a barrier, the device's are seen at once */
	dmp_addr_t h;
	uint8_t *c = dmp_alloc_coherent(&dev, 8192, &h, DMP_GFP_KERNEL);
	assert_non_null(c);
	dmp_phys_t cphys;
	assert_int_equal(dmp_virt_to_phys(c, &cphys), 0);
	assert_true(cphys >= pool && cphys < pool + pool_size);
	memcpy(c + 100, dev_bytes, sizeof(dev_bytes));
	dmp_wmb();
	assert_int_equal(dmp_sim_dma_read(hw, h + 100, got, sizeof(got)), 0);
	assert_memory_equal(got, dev_bytes, sizeof(got));
	assert_int_equal(dmp_sim_dma_write(hw, h + 4096, dev_bytes, sizeof(dev_bytes)), 0);
	assert_memory_equal(c + 4096, dev_bytes, sizeof(dev_bytes));
	dmp_free_coherent(&dev, 8192, c, h);
	for (int i = 0; i < 64; i++)
		dmp_wmb(); /* each drains the write buffer over the whole pool */

	/* released: cacheable again, with what memory holds */
	assert_int_equal(dmp_dma_release_global_coherent(), 0);
	assert_int_equal(dmp_sim_mem_attr(sim, where), DMP_MEM_NORMAL);
	uint8_t *cpu = dmp_phys_to_virt(where);
	assert_memory_equal(cpu, dev_bytes, sizeof(dev_bytes));
	size_t grown = rss_kib() - before;
	print_message("  512 MiB pool declared, used, released: %zu KiB more resident\n", grown);
	assert_true(grown < 64 * 1024); /* it was over 1.5 GiB */
	dmp_device_remove(&dev);
	dmp_sim_destroy(sim);
}

/* --- DMP_DEBUG=abort stops at a refused misuse ---------------------------------- */

enum abort_case { AB_DOMAIN_FREE, AB_SYNC_PAST, AB_UNMAP_SIZE, AB_FREE_SIZE, AB_SG_NENTS,
		  AB_MMAP_WINDOW, AB_NR };
static const char *const abort_names[AB_NR] = {
	"iommu_domain_free of an attached domain", "sync past the mapping",
	"wrong-size unmap (IOMMU)", "wrong-size free_coherent (IOMMU)", "map_sg past the list",
	"mmap of a window past the buffer",
};

/* In a child: set up with DMP_DEBUG=abort, say so on @fd, then misuse. */
static void abort_child(enum abort_case c, int fd)
{
	setenv("DMP_DEBUG", "abort", 1);
	if (dmp_debug_init() || dmp_debug_get_mode() != DMP_DEBUG_ABORT)
		_exit(2);
	struct rig r;
	rig_up(&r, c == AB_SYNC_PAST ? RIG_DIRECT_NONCOHERENT : RIG_IOMMU_STRICT);
	uint8_t *buf = dmp_kmalloc(4096, 0);
	dmp_addr_t a = dmp_map_single(&r.dev, buf, 4096, DMP_FROM_DEVICE), h;
	void *c_addr = dmp_alloc_coherent(&r.dev, 8192, &h, DMP_GFP_KERNEL);
	struct dmp_iommu_domain *d = NULL;
	if (dmp_mapping_error(&r.dev, a) || !c_addr ||
	    (r.iommu && dmp_iommu_paging_domain_alloc(&r.dev, &d)))
		_exit(3);
	struct dmp_scatterlist sg[2];
	dmp_sg_init_table(sg, 2);
	dmp_sg_set_buf(&sg[0], buf, 512);
	dmp_sg_set_buf(&sg[1], buf + 512, 512);
	struct dmp_user_mapping um = { .pgoff = 2, .size = 4096 };
	if (write(fd, "x", 1) != 1)
		_exit(4);
	switch (c) {
	case AB_DOMAIN_FREE:
		dmp_unmap_single(&r.dev, a, 4096, DMP_FROM_DEVICE);
		dmp_free_coherent(&r.dev, 8192, c_addr, h);
		if (dmp_iommu_attach_device(d, &r.dev))
			_exit(5);
		dmp_iommu_domain_free(d);
		break;
	case AB_SYNC_PAST: dmp_sync_single_for_cpu(&r.dev, a, 1 << 20, DMP_FROM_DEVICE); break;
	case AB_UNMAP_SIZE: dmp_unmap_single(&r.dev, a, 16384, DMP_FROM_DEVICE); break;
	case AB_FREE_SIZE: dmp_free_coherent(&r.dev, 3 * 8192, c_addr, h); break;
	case AB_SG_NENTS: dmp_map_sg(&r.dev, sg, 3, DMP_TO_DEVICE); break;
	case AB_MMAP_WINDOW: dmp_mmap_coherent(&r.dev, &um, c_addr, h, 8192); break;
	case AB_NR: break;
	}
	_exit(0); /* not stopped: the parent fails */
}

/*
 * Each misuse issue 18 found doing harm, now refused, ends a program whose
 * checker mode is abort (from the environment, as a user sets it): a refused
 * call is a finding like any other, not a log line the run goes on past.
 */
static void test_abort_mode_stops_at_refusal(void **state)
{
	(void)state;
	for (int c = 0; c < AB_NR; c++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		fflush(NULL);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			abort_child((enum abort_case)c, fds[1]);
		}
		close(fds[1]);
		char got;
		ssize_t n = read(fds[0], &got, 1);
		close(fds[0]);
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (n != 1)
			fail_msg("%s: the child stopped before the misuse (status 0x%x)",
				 abort_names[c], st);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT)
			fail_msg("%s: not aborted (status 0x%x)", abort_names[c], st);
		print_message("  %s: aborted\n", abort_names[c]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_above_2_44),
		cmocka_unit_test(test_memory_above_2_44_from_tree),
		cmocka_unit_test(test_memory_error_names_node),
		cmocka_unit_test(test_dts_over_16mib),
		cmocka_unit_test(test_map_sg_nents_beyond_list),
		cmocka_unit_test(test_iommu_map_sg_nents_beyond_list),
		cmocka_unit_test(test_iommu_domain_free_attached),
		cmocka_unit_test(test_iommu_attach_default_domain_refused),
		cmocka_unit_test(test_iommu_api_refusals),
		cmocka_unit_test(test_pool_create_huge),
		cmocka_unit_test(test_sync_beyond_mapping_refused),
		cmocka_unit_test(test_iommu_wrong_size_unmap_refused),
		cmocka_unit_test(test_iommu_wrong_size_free_coherent_refused),
		cmocka_unit_test(test_hostile_arguments),
		cmocka_unit_test(test_cma_and_atomic_pool_sizes),
		cmocka_unit_test(test_reused_pages_are_zero),
		cmocka_unit_test(test_reused_pages_stay_zero_hostile),
		cmocka_unit_test(test_large_pool_touches_nothing),
		cmocka_unit_test(test_abort_mode_stops_at_refusal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
