/* test-iommu.c - the IOMMU API, the simulated IOMMU and its driver, and the
 * DMA API over an IOMMU: data through the copy engine in strict and lazy
 * modes, faults (unmapped, read-only, after unmap), the lazy window and its
 * bound, IOVAs below a 32-bit mask, untrusted devices' sub-page buffers,
 * reserved regions, scatterlist merging, groups. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <dmaport/iommu-driver.h>
#include <dmaport/sim/iommu-driver.h>
#include <dmaport/swiotlb.h>

#include "support/ce-driver.h"
#include "support/sim-fixture.h"

struct irig {
	struct dmp_sim *sim;
	struct dmp_sim_iommu *hw;
	struct dmp_iommu *iommu;
	struct dmp_sim_device *ce_hw;
	struct dmp_device dev;
	struct ce_driver ce;
	struct dmp_swiotlb_pool *pool;
};

struct fault_log {
	int n;
	dmp_addr_t iova;
	int flags;
};

static int on_fault(struct dmp_iommu_domain *d, struct dmp_device *dev, dmp_addr_t iova, int flags,
		    void *token)
{
	struct fault_log *fl = token;
	if (fl->n++ == 0) {
		fl->iova = iova;
		fl->flags = flags;
	}
	return 0;
}

static void irig_up(struct irig *r, bool coherent, bool coherent_walk,
		    enum dmp_iommu_domain_type type, bool untrusted, unsigned mask_bits)
{
	r->sim = fixture_sim(NULL);
	struct dmp_sim_iommu_config ic = { .name = "smmu0", .coherent_walk = coherent_walk };
	assert_int_equal(dmp_sim_iommu_create(r->sim, &ic, &r->hw), 0);
	assert_int_equal(dmp_sim_iommu_driver_register(r->hw, type, &r->iommu), 0);
	struct dmp_sim_device_config dc = { .name = "ce0", .port_bits = 64, .coherent = coherent,
					    .mmio_base = CE_TEST_MMIO };
	assert_int_equal(dmp_sim_copy_engine_create(r->sim, &dc, &r->ce_hw), 0);
	dmp_device_init(&r->dev, "ce0");
	r->dev.hw = r->ce_hw;
	r->dev.untrusted = untrusted;
	dmp_device_set_coherent(&r->dev, coherent);
	assert_int_equal(dmp_swiotlb_pool_create("default", 1 << 20, DMP_SWIOTLB_DEFAULT_LIMIT, 1,
						 &r->pool), 0);
	dmp_swiotlb_set_default(r->pool);
	uint32_t sid = 7;
	assert_int_equal(dmp_iommu_probe_device(&r->dev, r->iommu, &sid, 1), 0);
	assert_int_equal(dmp_set_mask_and_coherent(&r->dev, DMP_BIT_MASK(mask_bits)), 0);
	assert_int_equal(ce_probe(&r->ce, &r->dev, CE_TEST_MMIO, 16), 0);
}

static void irig_down(struct irig *r)
{
	ce_remove(&r->ce);
	dmp_iommu_release_device(&r->dev);
	dmp_sim_iommu_driver_unregister(r->iommu);
	dmp_sim_iommu_destroy(r->hw);
	assert_int_equal(dmp_swiotlb_pool_destroy(r->pool), 0);
	dmp_sim_destroy(r->sim);
}

/* --- the IOMMU API with a driver's own domain --------------------------------- */

static void test_iommu_api(void **state)
{
	(void)state;
	for (int cw = 0; cw <= 1; cw++) {
		struct irig r;
		irig_up(&r, true, cw, DMP_IOMMU_DOMAIN_DMA, false, 64);
		ce_remove(&r.ce); /* the ring lives in the DMA domain: leave the DMA API */
		struct dmp_iommu_domain *d;
		assert_int_equal(dmp_iommu_paging_domain_alloc(&r.dev, &d), 0);
		assert_int_equal(d->type, DMP_IOMMU_DOMAIN_UNMANAGED);
		assert_true(d->pgsize_bitmap & (1ull << 21));
		assert_int_equal(dmp_iommu_attach_device(d, &r.dev), 0);
		assert_ptr_equal(dmp_iommu_get_domain_for_dev(&r.dev), d);
		struct fault_log fl = { 0 };
		dmp_iommu_set_fault_handler(d, on_fault, &fl);

		uint8_t *src = dmp_kmalloc(8192, 0), *dst = dmp_kzalloc(8192, 0);
		dmp_phys_t ps, pd;
		dmp_virt_to_phys(src, &ps);
		dmp_virt_to_phys(dst, &pd);
		memset(src, 0x3c, 8192);
		dmp_phys_t p;
		assert_int_equal(dmp_iommu_iova_to_phys(d, 0x100000, &p), -ENOENT);
		assert_int_equal(dmp_iommu_map(d, 0x100000, ps, 8192, DMP_IOMMU_READ | DMP_IOMMU_CACHE,
					       DMP_GFP_KERNEL), 0);
		assert_int_equal(dmp_iommu_map(d, 0x200000, pd, 8192,
					       DMP_IOMMU_READ | DMP_IOMMU_WRITE | DMP_IOMMU_CACHE,
					       DMP_GFP_KERNEL), 0);
		assert_int_equal(dmp_iommu_map(d, 0x101000, ps, 4096, DMP_IOMMU_READ, 0), -EEXIST);
		assert_int_equal(dmp_iommu_map(d, 0x300010, ps, 4096, DMP_IOMMU_READ, 0), -EINVAL);
		assert_int_equal(dmp_iommu_iova_to_phys(d, 0x100000 + 42, &p), 0);
		assert_int_equal(p, ps + 42);
		/* the device copies through its own IOVAs */
		struct dmp_sim_device *hw = r.ce_hw;
		uint8_t buf[8192];
		assert_int_equal(dmp_sim_dma_read(hw, 0x100000, buf, 8192), 0);
		assert_int_equal(dmp_sim_dma_write(hw, 0x200000, buf, 8192), 0);
		assert_memory_equal(dst, src, 8192);
		assert_int_equal(fl.n, 0);
		/* unmapped: a translation fault reaches the handler */
		assert_int_equal(dmp_sim_dma_read(hw, 0x500000, buf, 16), -ENXIO);
		assert_int_equal(fl.n, 1);
		assert_int_equal(fl.iova, 0x500000);
		assert_int_equal(fl.flags, DMP_IOMMU_FAULT_READ);
		/* read-only: a write is a permission fault, nothing written */
		fl.n = 0;
		src[0] = 0x3c;
		assert_int_equal(dmp_sim_dma_write(hw, 0x100000, "x", 1), -EACCES);
		assert_int_equal(fl.n, 1);
		assert_int_equal(fl.flags, DMP_IOMMU_FAULT_WRITE | DMP_IOMMU_FAULT_PERM);
		assert_int_equal(src[0], 0x3c);
		/* unmap returns bytes; afterwards the device cannot reach the page */
		assert_int_equal(dmp_iommu_unmap(d, 0x100000, 8192), 8192);
		assert_int_equal(dmp_iommu_unmap(d, 0x100000, 8192), 0);
		fl.n = 0;
		assert_int_equal(dmp_sim_dma_read(hw, 0x100000, buf, 16), -ENXIO);
		assert_int_equal(fl.n, 1);
		/* a 2 MiB aligned range uses a block: one unmap of 4 MiB */
		dmp_phys_t big;
		assert_int_equal(dmp_page_alloc(10, 0, DMP_PHYS_ANY, &big), 0);
		assert_int_equal(dmp_iommu_map(d, 0x40000000, big, 4u << 20,
					       DMP_IOMMU_READ | DMP_IOMMU_WRITE, 0), 0);
		assert_int_equal(dmp_iommu_iova_to_phys(d, 0x40000000 + (3u << 20) + 5, &p), 0);
		assert_int_equal(p, big + (3u << 20) + 5);
		assert_int_equal(dmp_iommu_unmap(d, 0x40000000, 4u << 20), 4u << 20);
		/* a page then a block (iova 0x1ff000, 2 MiB + 4 KiB): the unmap
		 * picks sizes by the iova, as Linux, so the block goes whole: no
		 * table page is allocated to split it */
		assert_int_equal(dmp_iommu_map(d, 0x601ff000, big + 0x1ff000, 0x201000,
					       DMP_IOMMU_READ, 0), 0);
		dmp_fail_nth(DMP_FAIL_PAGE, 0); /* count page allocations, fail none */
		assert_int_equal(dmp_iommu_unmap(d, 0x601ff000, 0x201000), 0x201000);
		assert_int_equal(dmp_fail_calls(DMP_FAIL_PAGE), 0);
		assert_int_equal(dmp_iommu_iova_to_phys(d, 0x60200000, &p), -ENOENT);
		dmp_page_free(big, 10);
		/* scatterlist */
		struct dmp_scatterlist sg[2];
		dmp_sg_init_table(sg, 2);
		dmp_sg_set_buf(&sg[0], src, 4096);
		dmp_sg_set_buf(&sg[1], dst, 8192);
		assert_int_equal(dmp_iommu_map_sg(d, 0x600000, sg, 2, DMP_IOMMU_READ, 0), 12288);
		assert_int_equal(dmp_iommu_iova_to_phys(d, 0x601000, &p), 0);
		assert_int_equal(p, pd);
		assert_int_equal(dmp_iommu_unmap(d, 0x600000, 12288), 12288);
		/* detach: back to the default (DMA) domain */
		dmp_iommu_detach_device(d, &r.dev);
		assert_int_equal(dmp_iommu_get_domain_for_dev(&r.dev)->type, DMP_IOMMU_DOMAIN_DMA);
		dmp_iommu_domain_free(d);
		dmp_kfree(src);
		dmp_kfree(dst);
		assert_int_equal(ce_probe(&r.ce, &r.dev, CE_TEST_MMIO, 16), 0);
		irig_down(&r);
	}
}

/* --- the DMA API over the IOMMU -------------------------------------------------- */

static void roundtrip(struct irig *r, size_t len)
{
	uint8_t *src = dmp_kmalloc(len, 0), *dst = dmp_kzalloc(len, 0);
	for (size_t i = 0; i < len; i++)
		src[i] = (uint8_t)(i * 7 + len);
	memset(dst, 0xee, len);
	dmp_addr_t s = dmp_map_single(&r->dev, src, len, DMP_TO_DEVICE);
	dmp_addr_t d = dmp_map_single(&r->dev, dst, len, DMP_FROM_DEVICE);
	assert_false(dmp_mapping_error(&r->dev, s));
	assert_false(dmp_mapping_error(&r->dev, d));
	dmp_phys_t ps;
	dmp_virt_to_phys(src, &ps);
	assert_int_equal(s & 0xfff, ps & 0xfff); /* the offset in the page is kept */
	assert_int_equal(ce_copy(&r->ce, s, d, (uint32_t)len), 0);
	dmp_unmap_single(&r->dev, s, len, DMP_TO_DEVICE);
	dmp_unmap_single(&r->dev, d, len, DMP_FROM_DEVICE);
	assert_memory_equal(dst, src, len);
	dmp_kfree(src);
	dmp_kfree(dst);
}

static void test_dma_over_iommu(void **state)
{
	(void)state;
	static const enum dmp_iommu_domain_type types[] = { DMP_IOMMU_DOMAIN_DMA,
							    DMP_IOMMU_DOMAIN_DMA_FQ };
	for (int coh = 0; coh <= 1; coh++)
		for (int t = 0; t < 2; t++)
			for (int cw = 0; cw <= 1; cw++) {
				struct irig r;
				irig_up(&r, coh, cw, types[t], false, 64);
				assert_ptr_equal(r.dev.dma_ops, &dmp_iommu_dma_ops);
				for (size_t len = 100; len < 70000; len = len * 3 + 11)
					roundtrip(&r, len);
				irig_down(&r);
			}
}

/* A 32-bit device gets IOVAs below 4 GiB for buffers above it: no bounce. */
static void test_mask_limits_iova(void **state)
{
	(void)state;
	struct irig r;
	irig_up(&r, false, false, DMP_IOMMU_DOMAIN_DMA, false, 32);
	uint8_t *hi = dmp_kmalloc(16384, 0);
	dmp_phys_t p;
	dmp_virt_to_phys(hi, &p);
	assert_true(p >= 0x100000000ull);
	for (int i = 0; i < 50; i++) {
		dmp_addr_t a = dmp_map_single(&r.dev, hi, 16384, DMP_BIDIRECTIONAL);
		assert_true(a + 16383 <= 0xffffffffull);
		dmp_unmap_single(&r.dev, a, 16384, DMP_BIDIRECTIONAL);
	}
	roundtrip(&r, 5000);
	struct dmp_swiotlb_stats st;
	dmp_swiotlb_get_stats(r.pool, &st);
	assert_int_equal(st.hiwater, 0);
	assert_false(dmp_addressing_limited(&r.dev));
	dmp_kfree(hi);
	irig_down(&r);
	/* a 28-bit mask: IOVAs stay below 256 MiB and skip the MSI window */
	irig_up(&r, true, true, DMP_IOMMU_DOMAIN_DMA, false, 28);
	struct dmp_iommu_resv_region resv[4];
	assert_int_equal(dmp_iommu_get_resv_regions(&r.dev, resv, 4), 1);
	assert_int_equal(resv[0].type, DMP_IOMMU_RESV_MSI);
	uint8_t *b = dmp_kmalloc(256 << 10, 0);
	static dmp_addr_t got[700];
	int n = 0;
	for (; n < 700; n++) {
		got[n] = dmp_map_single(&r.dev, b, 256 << 10, DMP_TO_DEVICE);
		assert_false(dmp_mapping_error(&r.dev, got[n]));
		assert_true(got[n] + (256 << 10) - 1 <= 0x0fffffff);
		assert_true(got[n] + (256 << 10) <= resv[0].start ||
			    got[n] >= resv[0].start + resv[0].length);
		assert_true(got[n] != 0);
	}
	assert_true(got[n - 1] < resv[0].start); /* the allocations did pass the window */
	while (n--)
		dmp_unmap_single(&r.dev, got[n], 256 << 10, DMP_TO_DEVICE);
	dmp_kfree(b);
	irig_down(&r);
}

/* Strict: after unmap the device cannot reach the page.  Lazy: it still can,
 * through the stale IOTLB, until the flush queue flushes - bounded by its size
 * and its timeout. */
static void test_strict_and_lazy(void **state)
{
	(void)state;
	for (int lazy = 0; lazy <= 1; lazy++) {
		struct irig r;
		irig_up(&r, true, true, lazy ? DMP_IOMMU_DOMAIN_DMA_FQ : DMP_IOMMU_DOMAIN_DMA, false,
			64);
		struct dmp_iommu_domain *d = dmp_iommu_get_domain_for_dev(&r.dev);
		struct fault_log fl = { 0 };
		dmp_iommu_set_fault_handler(d, on_fault, &fl);
		/* long enough that no timeout flush happens before the checks */
		dmp_iommu_dma_set_fq_timeout(d, 500ull * 1000 * 1000);
		uint8_t *b = dmp_kmalloc(4096, 0);
		strcpy((char *)b, "secret");
		dmp_addr_t a = dmp_map_single(&r.dev, b, 4096, DMP_TO_DEVICE);
		char got[8] = { 0 };
		assert_int_equal(dmp_sim_dma_read(r.ce_hw, a, got, 7), 0); /* fills the IOTLB */
		dmp_unmap_single(&r.dev, a, 4096, DMP_TO_DEVICE);
		memset(got, 0, sizeof(got));
		int err = dmp_sim_dma_read(r.ce_hw, a, got, 7);
		if (!lazy) {
			assert_int_equal(err, -ENXIO);
			assert_int_equal(fl.n, 1);
			assert_int_equal(fl.iova, a);
		} else {
			/* the lazy window: still reachable */
			assert_int_equal(err, 0);
			assert_string_equal(got, "secret");
			/* bounded by the queue: FQ_SIZE (256, Linux's IOVA_DEFAULT_FQ_SIZE)
			 * more unmaps force a flush */
			for (int i = 0; i < 256; i++) {
				dmp_addr_t x = dmp_map_single(&r.dev, b, 64, DMP_TO_DEVICE);
				dmp_unmap_single(&r.dev, x, 64, DMP_TO_DEVICE);
			}
			assert_int_equal(dmp_sim_dma_read(r.ce_hw, a, got, 7), -ENXIO);
			/* and by time: the flush queue's timer closes the window of an
			 * idle device, with no further DMA API call (Linux's fq_timer) */
			/* let the timer armed by the unmaps above run first */
			struct timespec quiet = { 0, 600 * 1000 * 1000 };
			nanosleep(&quiet, NULL);
			a = dmp_map_single(&r.dev, b, 4096, DMP_TO_DEVICE);
			assert_int_equal(dmp_sim_dma_read(r.ce_hw, a, got, 7), 0);
			uint64_t t0 = dmp_time_ns();
			dmp_unmap_single(&r.dev, a, 4096, DMP_TO_DEVICE);
			err = dmp_sim_dma_read(r.ce_hw, a, got, 7);
			if (dmp_time_ns() - t0 < 250ull * 1000 * 1000)
				assert_int_equal(err, 0); /* inside the window */
			int polls = 0;
			while (dmp_sim_dma_read(r.ce_hw, a, got, 7) == 0 && polls++ < 800) {
				struct timespec ts = { 0, 5 * 1000 * 1000 };
				nanosleep(&ts, NULL);
			}
			assert_int_equal(dmp_sim_dma_read(r.ce_hw, a, got, 7), -ENXIO);
			assert_true(dmp_time_ns() - t0 >= 500ull * 1000 * 1000); /* not before it */
			assert_int_equal(dmp_iommu_dma_flush_queue(d), 0); /* the timer freed it */
		}
		dmp_kfree(b);
		irig_down(&r);
	}
}

/* An untrusted device cannot read the bytes next to its sub-page buffer. */
static void test_untrusted_subpage(void **state)
{
	(void)state;
	struct irig r;
	irig_up(&r, false, false, DMP_IOMMU_DOMAIN_DMA_FQ, true, 64);
	/* untrusted devices get a strict domain whatever the default */
	assert_int_equal(dmp_iommu_get_domain_for_dev(&r.dev)->type, DMP_IOMMU_DOMAIN_DMA);
	uint8_t *page = dmp_kmalloc(4096, 0);
	memset(page, 'S', 4096); /* secrets around the buffer */
	memcpy(page + 1024, "the buffer", 10);
	dmp_addr_t a = dmp_map_single(&r.dev, page + 1024, 10, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(&r.dev, a));
	uint8_t seen[4096];
	dmp_addr_t base = a & ~0xfffull;
	assert_int_equal(dmp_sim_dma_read(r.ce_hw, base, seen, 4096), 0);
	assert_memory_equal(seen + (a - base), "the buffer", 10);
	for (size_t i = 0; i < 4096; i++)
		if (i < a - base || i >= a - base + 10)
			assert_int_equal(seen[i], 0); /* zeroed padding, no secret */
	dmp_unmap_single(&r.dev, a, 10, DMP_TO_DEVICE);
	/* FROM_DEVICE: the device's bytes come back through the bounce */
	a = dmp_map_single(&r.dev, page + 2000, 16, DMP_FROM_DEVICE);
	assert_int_equal(dmp_sim_dma_write(r.ce_hw, a, "written by dev!", 16), 0);
	dmp_unmap_single(&r.dev, a, 16, DMP_FROM_DEVICE);
	assert_string_equal((char *)page + 2000, "written by dev!");
	assert_int_equal(page[2016], 'S');
	/* after a strict unmap, the IOVA is gone */
	assert_int_equal(dmp_sim_dma_read(r.ce_hw, a, seen, 4), -ENXIO);
	dmp_kfree(page);
	irig_down(&r);
}

/* Scatterlists merge into one IOVA range where the segments allow. */
static void test_sg_merge(void **state)
{
	(void)state;
	struct irig r;
	irig_up(&r, false, false, DMP_IOMMU_DOMAIN_DMA, false, 64);
	uint8_t *a = dmp_kmalloc(8192, 0), *b = dmp_kmalloc(4096, 0), *c = dmp_kmalloc(4096, 0);
	memset(a, 1, 8192);
	memset(b, 2, 4096);
	memset(c, 3, 4096);
	struct dmp_scatterlist sg[3];
	dmp_sg_init_table(sg, 3);
	dmp_sg_set_buf(&sg[0], a, 8192);
	dmp_sg_set_buf(&sg[1], b, 4096);
	dmp_sg_set_buf(&sg[2], c, 4096);
	dmp_set_max_seg_size(&r.dev, 1 << 20);
	int n = dmp_map_sg(&r.dev, sg, 3, DMP_TO_DEVICE);
	assert_int_equal(n, 1); /* whole pages: one contiguous IOVA segment */
	assert_int_equal(dmp_sg_dma_len(&sg[0]), 16384);
	uint8_t *dst = dmp_kzalloc(16384, 0);
	dmp_addr_t d = dmp_map_single(&r.dev, dst, 16384, DMP_FROM_DEVICE);
	assert_int_equal(ce_copy(&r.ce, dmp_sg_dma_address(&sg[0]), d, 16384), 0);
	dmp_unmap_single(&r.dev, d, 16384, DMP_FROM_DEVICE);
	assert_int_equal(dst[0], 1);
	assert_int_equal(dst[8192], 2);
	assert_int_equal(dst[12288], 3);
	dmp_unmap_sg(&r.dev, sg, 3, DMP_TO_DEVICE);
	/* a 4 KiB max segment: three segments; a sub-page entry breaks contiguity */
	dmp_set_max_seg_size(&r.dev, 8192);
	n = dmp_map_sg(&r.dev, sg, 3, DMP_TO_DEVICE);
	assert_int_equal(n, 2);
	assert_int_equal(dmp_sg_dma_len(&sg[0]), 8192);
	assert_int_equal(dmp_sg_dma_len(&sg[1]), 8192);
	dmp_unmap_sg(&r.dev, sg, 3, DMP_TO_DEVICE);
	dmp_sg_set_buf(&sg[1], b + 100, 200);
	n = dmp_map_sg(&r.dev, sg, 3, DMP_TO_DEVICE);
	assert_int_equal(n, 3);
	assert_int_equal(dmp_sg_dma_address(&sg[1]) & 0xfff, 100);
	dmp_unmap_sg(&r.dev, sg, 3, DMP_TO_DEVICE);
	dmp_kfree(a);
	dmp_kfree(b);
	dmp_kfree(c);
	dmp_kfree(dst);
	irig_down(&r);
}

/* A second coherent device on @r's machine, with hardware but not probed. */
static struct dmp_sim_device *second_device(struct irig *r, const char *name, bool untrusted,
					    struct dmp_device *dev)
{
	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = name, .port_bits = 64, .coherent = true };
	assert_int_equal(dmp_sim_device_create(r->sim, &dc, &hw), 0);
	dmp_device_init(dev, name);
	dev->hw = hw;
	dev->untrusted = untrusted;
	return hw;
}

/* Devices that share a stream ID share a group; the IOMMU API refuses them. */
static void test_groups(void **state)
{
	(void)state;
	struct irig r;
	irig_up(&r, true, true, DMP_IOMMU_DOMAIN_DMA, false, 64);
	struct dmp_device twin;
	second_device(&r, "twin", false, &twin);
	uint32_t sid = 7;
	assert_int_equal(dmp_iommu_probe_device(&twin, r.iommu, &sid, 1), 0);
	assert_int_equal(dmp_iommu_group_id(&twin), dmp_iommu_group_id(&r.dev));
	assert_int_equal(dmp_iommu_probe_device(&twin, r.iommu, &sid, 1), -EBUSY);
	struct dmp_iommu_domain *d;
	assert_int_equal(dmp_iommu_paging_domain_alloc(&twin, &d), 0);
	assert_int_equal(dmp_iommu_attach_device(d, &twin), -EINVAL);
	dmp_iommu_domain_free(d);
	/* both use the same DMA domain */
	assert_ptr_equal(dmp_iommu_get_domain_for_dev(&twin), dmp_iommu_get_domain_for_dev(&r.dev));
	dmp_iommu_release_device(&twin);
	/* a device without an IOMMU has no domain */
	struct dmp_device plain;
	dmp_device_init(&plain, "plain");
	assert_null(dmp_iommu_get_domain_for_dev(&plain));
	assert_int_equal(dmp_iommu_paging_domain_alloc(&plain, &d), -ENODEV);
	irig_down(&r);
	/* identity default domain: the direct path */
	irig_up(&r, true, true, DMP_IOMMU_DOMAIN_IDENTITY, false, 64);
	assert_null(r.dev.dma_ops);
	roundtrip(&r, 3000);
	irig_down(&r);
}

/*
 * The default domain type is decided over every device of the group (Linux's
 * iommu_get_default_domain_type): an untrusted device that joins a group
 * whose default domain is identity turns it into a strict DMA domain for the
 * whole group; it never gets the untranslated direct path.  As in Linux, the
 * group's devices are all probed before their drivers use the DMA API.
 */
static void test_untrusted_joins_identity_group(void **state)
{
	(void)state;
	struct irig r;
	r.sim = fixture_sim(NULL);
	struct dmp_sim_iommu_config ic = { .name = "smmu0", .coherent_walk = true };
	assert_int_equal(dmp_sim_iommu_create(r.sim, &ic, &r.hw), 0);
	assert_int_equal(dmp_sim_iommu_driver_register(r.hw, DMP_IOMMU_DOMAIN_IDENTITY, &r.iommu), 0);
	struct dmp_sim_device_config ce_dc = { .name = "ce0", .port_bits = 64, .coherent = true,
					       .mmio_base = CE_TEST_MMIO };
	assert_int_equal(dmp_sim_copy_engine_create(r.sim, &ce_dc, &r.ce_hw), 0);
	dmp_device_init(&r.dev, "ce0");
	assert_int_equal(dmp_sim_device_link(&r.dev, r.ce_hw), 0);
	assert_int_equal(dmp_swiotlb_pool_create("default", 1 << 20, DMP_SWIOTLB_DEFAULT_LIMIT, 1,
						 &r.pool), 0);
	dmp_swiotlb_set_default(r.pool);
	uint32_t sid = 7;
	assert_int_equal(dmp_iommu_probe_device(&r.dev, r.iommu, &sid, 1), 0);
	assert_null(r.dev.dma_ops); /* trusted, alone: passthrough */
	struct dmp_device ext;
	struct dmp_sim_device *hw2 = second_device(&r, "ext", true, &ext);
	/* the same stream: the same group */
	assert_int_equal(dmp_iommu_probe_device(&ext, r.iommu, &sid, 1), 0);
	assert_int_equal(dmp_iommu_group_id(&ext), dmp_iommu_group_id(&r.dev));
	assert_int_equal(dmp_iommu_get_domain_for_dev(&ext)->type, DMP_IOMMU_DOMAIN_DMA);
	assert_ptr_equal(ext.dma_ops, &dmp_iommu_dma_ops);
	/* the untrusted device reaches nothing it was not given ... */
	uint8_t *secret = dmp_kzalloc(4096, 0);
	dmp_phys_t secret_phys;
	dmp_virt_to_phys(secret, &secret_phys);
	uint8_t seen[16];
	assert_int_not_equal(dmp_sim_dma_read(hw2, secret_phys, seen, sizeof(seen)), 0);
	/* ... and its sub-page buffers bounce, as an untrusted device's must */
	dmp_addr_t a = dmp_map_single(&ext, secret + 100, 8, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(&ext, a));
	assert_int_equal(dmp_sim_dma_read(hw2, a & ~0xfffull, seen, sizeof(seen)), 0);
	dmp_unmap_single(&ext, a, 8, DMP_TO_DEVICE);
	/* the trusted device of the group is translated now, and its driver works */
	assert_ptr_equal(r.dev.dma_ops, &dmp_iommu_dma_ops);
	assert_int_equal(ce_probe(&r.ce, &r.dev, CE_TEST_MMIO, 16), 0);
	roundtrip(&r, 3000);
	dmp_kfree(secret);
	dmp_iommu_release_device(&ext);
	irig_down(&r);
}

/* An untrusted device cannot join a group a driver has taken over with its
 * own domain: the group's default domain cannot be changed under it. */
static void test_untrusted_joins_owned_group(void **state)
{
	(void)state;
	struct irig r;
	irig_up(&r, true, true, DMP_IOMMU_DOMAIN_IDENTITY, false, 64);
	struct dmp_iommu_domain *own;
	assert_int_equal(dmp_iommu_paging_domain_alloc(&r.dev, &own), 0);
	assert_int_equal(dmp_iommu_attach_device(own, &r.dev), 0);
	struct dmp_device ext;
	second_device(&r, "ext", true, &ext);
	uint32_t sid = 7;
	assert_int_equal(dmp_iommu_probe_device(&ext, r.iommu, &sid, 1), -EBUSY);
	assert_null(ext.iommu);
	assert_null(ext.dma_ops);
	assert_ptr_equal(dmp_iommu_get_domain_for_dev(&r.dev), own);
	dmp_iommu_detach_device(own, &r.dev);
	dmp_iommu_domain_free(own);
	assert_null(r.dev.dma_ops); /* the group kept its identity default */
	irig_down(&r);
}

/* A driver without a mandatory op is not registered, and the log says which. */
static int stub_domain_init(struct dmp_iommu *iommu, struct dmp_iommu_domain *d)
{
	return 0;
}

static int stub_attach(struct dmp_iommu_domain *d, struct dmp_device *dev)
{
	return 0;
}

static void test_register_mandatory_ops(void **state)
{
	(void)state;
	struct dmp_iommu_ops ops = {
		.name = "stub",
		.domain_init = stub_domain_init,
		.attach_dev = stub_attach,
		.map_pages = dmp_io_pgtable_domain_map_pages,
		.unmap_pages = dmp_io_pgtable_domain_unmap_pages,
	};
	struct dmp_iommu iommu = { .name = "stub0", .ops = &ops };
	fixture_log_start();
	assert_int_equal(dmp_iommu_register(&iommu), -EINVAL);
	assert_true(fixture_log_has("iommu stub0: driver stub has no iova_to_phys", NULL));
	ops.iova_to_phys = dmp_io_pgtable_domain_iova_to_phys;
	ops.attach_dev = NULL;
	assert_int_equal(dmp_iommu_register(&iommu), -EINVAL);
	assert_true(fixture_log_has("has no attach_dev", NULL));
	fixture_log_stop();
	assert_int_equal(iommu.nr_resv, 0); /* nothing was added */
	ops.attach_dev = stub_attach;
	assert_int_equal(dmp_iommu_register(&iommu), 0);
	dmp_iommu_unregister(&iommu);
}

/* Failure injection: a map that cannot allocate page tables fails cleanly. */
static void test_map_failure(void **state)
{
	(void)state;
	struct irig r;
	irig_up(&r, true, true, DMP_IOMMU_DOMAIN_DMA, false, 64);
	uint8_t *b = dmp_kmalloc(4096, 0);
	/* a mask that puts IOVAs where no page table exists yet */
	assert_int_equal(dmp_set_mask(&r.dev, DMP_BIT_MASK(29)), 0);
	fixture_log_start();
	int failures = 0;
	for (unsigned long n = 1; n <= 4; n++) {
		dmp_fail_nth(DMP_FAIL_PAGE, n);
		dmp_addr_t a = dmp_map_single(&r.dev, b, 4096, DMP_TO_DEVICE);
		dmp_fail_nth(DMP_FAIL_PAGE, 0);
		if (dmp_mapping_error(&r.dev, a))
			failures++;
		else
			dmp_unmap_single(&r.dev, a, 4096, DMP_TO_DEVICE);
	}
	fixture_log_stop();
	assert_true(failures >= 1);
	roundtrip(&r, 4096); /* still works */
	dmp_kfree(b);
	irig_down(&r);
}

/*
 * dmp_iommu_domain_free()'s refusal names a device of the group using the
 * domain: that device must not leave the group (after which its owner may
 * free it) while the report still reads it.  The log hook runs inside the
 * report: from there another thread releases the device, and must not
 * finish before the report has.
 */
struct leave_race {
	struct dmp_device *dev;
	const char *report; /* in the log line of the report that must keep @dev */
	pthread_t t;
	atomic_bool started, released;
	atomic_bool released_during_report;
};
static struct leave_race *leave_race;

static void *release_thread(void *arg)
{
	struct leave_race *lr = arg;
	dmp_iommu_release_device(lr->dev);
	atomic_store(&lr->released, true);
	return NULL;
}

static void leave_race_hook(void *cookie, const char *line)
{
	struct leave_race *lr = leave_race;
	if (!lr || !strstr(line, lr->report) || atomic_exchange(&lr->started, true))
		return;
	assert_int_equal(pthread_create(&lr->t, NULL, release_thread, lr), 0);
	/* long enough for an unblocked release to finish many times over */
	for (int i = 0; i < 200 && !atomic_load(&lr->released); i++)
		nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
	atomic_store(&lr->released_during_report, atomic_load(&lr->released));
}

/* The release started from the report has run: not before the report ended. */
static void leave_race_end(struct leave_race *lr)
{
	assert_true(atomic_load(&lr->started));
	assert_int_equal(pthread_join(lr->t, NULL), 0);
	dmp_set_log_hook(NULL, NULL);
	leave_race = NULL;
	assert_false(atomic_load(&lr->released_during_report));
	assert_true(atomic_load(&lr->released));
}

/* irig_down() of a rig whose device the race released already. */
static void irig_down_released(struct irig *r)
{
	dmp_sim_iommu_driver_unregister(r->iommu);
	dmp_sim_iommu_destroy(r->hw);
	assert_int_equal(dmp_swiotlb_pool_destroy(r->pool), 0);
	dmp_sim_destroy(r->sim);
}

static void test_domain_free_report_keeps_device(void **state)
{
	(void)state;
	struct irig r;
	irig_up(&r, true, true, DMP_IOMMU_DOMAIN_DMA, false, 64);
	ce_remove(&r.ce);
	struct dmp_iommu_domain *d;
	assert_int_equal(dmp_iommu_paging_domain_alloc(&r.dev, &d), 0);
	assert_int_equal(dmp_iommu_attach_device(d, &r.dev), 0);
	struct leave_race lr = { .dev = &r.dev, .report = "iommu_domain_free" };
	leave_race = &lr;
	dmp_set_log_hook(leave_race_hook, NULL);
	dmp_iommu_domain_free(d); /* attached: refused, reported */
	leave_race_end(&lr);
	/* the device has left: its group (gone with it) no longer holds @d */
	dmp_iommu_domain_free(d);
	irig_down_released(&r);
}

/*
 * A fault's report names the device the driver found by its stream ID, and
 * gives it to the domain's handler: as for dmp_iommu_domain_free()'s
 * refusal, the device must not leave its group (and be freed by its owner)
 * until the report has returned.  The report here is the log line of a
 * fault no handler took; from inside it another thread releases the device.
 */
static void test_fault_report_keeps_device(void **state)
{
	(void)state;
	struct irig r;
	irig_up(&r, true, true, DMP_IOMMU_DOMAIN_DMA, false, 64);
	ce_remove(&r.ce);
	struct leave_race lr = { .dev = &r.dev, .report = "unhandled IOMMU" };
	leave_race = &lr;
	dmp_set_log_hook(leave_race_hook, NULL);
	uint8_t buf[16];
	assert_int_equal(dmp_sim_dma_read(r.ce_hw, 0x500000, buf, sizeof(buf)), -ENXIO);
	leave_race_end(&lr);
	irig_down_released(&r);
}

/*
 * A streaming map of one page goes to the driver without dmp_iommu_map()'s
 * loop, but not around its refusals: an IOVA someone mapped through the
 * IOMMU API is not overwritten (the driver's -EEXIST), and a page outside
 * the domain's aperture is refused and reported (dmp_iommu_map's check,
 * whatever the aperture was when the DMA domain was set up).
 */
static void test_dma_map_keeps_iommu_checks(void **state)
{
	(void)state;
	struct irig r;
	irig_up(&r, true, true, DMP_IOMMU_DOMAIN_DMA, false, 32);
	struct dmp_iommu_domain *def = dmp_iommu_get_domain_for_dev(&r.dev);
	uint8_t *b = dmp_kmalloc(4096, 0), *other = dmp_kmalloc(4096, 0);
	dmp_phys_t pb, po, p;
	dmp_virt_to_phys(b, &pb);
	dmp_virt_to_phys(other, &po);
	/* strict: the IOVA goes back to this CPU's cache, and comes next */
	dmp_addr_t x = dmp_map_single(&r.dev, b, 4096, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(&r.dev, x));
	dmp_unmap_single(&r.dev, x, 4096, DMP_TO_DEVICE);

	/* overlap: the IOMMU API's own mapping at that IOVA stays */
	assert_int_equal(dmp_iommu_map(def, x, po, 4096, DMP_IOMMU_READ, 0), 0);
	fixture_log_start();
	dmp_addr_t a = dmp_map_single(&r.dev, b, 4096, DMP_TO_DEVICE);
	fixture_log_stop();
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_int_equal(dmp_iommu_iova_to_phys(def, x, &p), 0);
	assert_int_equal(p, po);
	assert_int_equal(dmp_iommu_unmap(def, x, 4096), 4096);

	/* aperture: narrowed above the IOVA the cache hands out next */
	struct dmp_iommu_domain_geometry saved = def->geometry;
	def->geometry.force_aperture = true;
	def->geometry.aperture_start = x + 4096;
	if (def->geometry.aperture_end < x + 4096)
		def->geometry.aperture_end = ~0ull;
	fixture_log_start();
	a = dmp_map_single(&r.dev, b, 4096, DMP_TO_DEVICE);
	assert_true(fixture_log_has("aperture", "refused", NULL));
	fixture_log_stop();
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_int_equal(dmp_iommu_iova_to_phys(def, x, &p), -ENOENT);
	def->geometry = saved;

	a = dmp_map_single(&r.dev, b, 4096, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(&r.dev, a));
	assert_int_equal(dmp_iommu_iova_to_phys(def, a, &p), 0);
	assert_int_equal(p, pb);
	dmp_unmap_single(&r.dev, a, 4096, DMP_TO_DEVICE);
	dmp_kfree(b);
	dmp_kfree(other);
	irig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iommu_api),
		cmocka_unit_test(test_dma_over_iommu),
		cmocka_unit_test(test_mask_limits_iova),
		cmocka_unit_test(test_strict_and_lazy),
		cmocka_unit_test(test_untrusted_subpage),
		cmocka_unit_test(test_sg_merge),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_untrusted_joins_identity_group),
		cmocka_unit_test(test_untrusted_joins_owned_group),
		cmocka_unit_test(test_register_mandatory_ops),
		cmocka_unit_test(test_map_failure),
		cmocka_unit_test(test_domain_free_report_keeps_device),
		cmocka_unit_test(test_dma_map_keeps_iommu_checks),
		cmocka_unit_test(test_fault_report_keeps_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
