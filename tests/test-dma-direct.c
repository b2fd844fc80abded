/* test-dma-direct.c - the DMA-mapping API on the direct path: data
 * integrity through the copy engine for every combination of coherence x
 * direction x mapping kind x direct/bounced, in normal and hostile cache
 * modes; each sync proven necessary; masks, ranges, attributes, swiotlb,
 * mmap shared with a child process, bad input. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmaport/dma-map-ops.h>
#include <dmaport/swiotlb.h>

#include "support/ce-driver.h"
#include "support/sim-fixture.h"

struct rig {
	struct dmp_sim *sim;
	struct dmp_sim_device *hw;
	struct dmp_device dev;
	struct ce_driver ce;
	struct dmp_swiotlb_pool *pool;
};

struct rig_opts {
	bool coherent;
	bool bounced;   /* a 32-bit device: buffers above 4 GiB bounce */
	bool hostile;
	uint64_t seed;
	size_t pool_size;
};

static void rig_up(struct rig *r, const struct rig_opts *o)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.hostile = o->hostile;
	cfg.seed = o->seed;
	cfg.hostile_rate = 512;
	r->sim = fixture_sim(&cfg);
	struct dmp_sim_device_config dc = { .name = "ce0", .port_bits = o->bounced ? 32 : 64,
					    .coherent = o->coherent, .mmio_base = CE_TEST_MMIO };
	assert_int_equal(dmp_sim_copy_engine_create(r->sim, &dc, &r->hw), 0);
	assert_int_equal(dmp_device_init(&r->dev, "ce0"), 0);
	dmp_device_set_coherent(&r->dev, o->coherent);
	r->dev.hw = r->hw;
	assert_int_equal(dmp_set_mask_and_coherent(&r->dev, o->bounced ? DMP_BIT_MASK(32)
								       : DMP_BIT_MASK(64)), 0);
	assert_int_equal(dmp_swiotlb_pool_create("default", o->pool_size ? o->pool_size : 4u << 20,
						 DMP_SWIOTLB_DEFAULT_LIMIT, 2, &r->pool), 0);
	dmp_swiotlb_set_default(r->pool);
	assert_int_equal(ce_probe(&r->ce, &r->dev, CE_TEST_MMIO, 16), 0);
}

static void rig_down(struct rig *r)
{
	ce_remove(&r->ce);
	struct dmp_swiotlb_stats st;
	dmp_swiotlb_get_stats(r->pool, &st);
	assert_int_equal(dmp_swiotlb_pool_check(r->pool), 0);
	assert_int_equal(dmp_swiotlb_pool_destroy(r->pool), 0); /* -EBUSY if a slot leaked */
	dmp_sim_destroy(r->sim);
}

enum kind { K_SINGLE, K_PAGE, K_SG };
#define LEN 3000

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 13 + seed);
}

/* A buffer of LEN bytes of the given kind, mapped; parts are the sg entries. */
struct buf {
	enum kind kind;
	uint8_t *cpu[3];
	size_t len[3];
	int n;
	dmp_addr_t dma[3];
	struct dmp_scatterlist sg[3];
	dmp_phys_t page_phys;
};

static void buf_alloc(struct buf *b, enum kind k)
{
	memset(b, 0, sizeof(*b));
	b->kind = k;
	if (k == K_SG) {
		b->n = 3;
		size_t l[3] = { 1000, 500, 1500 };
		dmp_sg_init_table(b->sg, 3);
		for (int i = 0; i < 3; i++) {
			b->len[i] = l[i];
			b->cpu[i] = dmp_kmalloc(l[i], 0);
			dmp_sg_set_buf(&b->sg[i], b->cpu[i], (unsigned int)l[i]);
		}
		return;
	}
	b->n = 1;
	b->len[0] = LEN;
	if (k == K_SINGLE) {
		b->cpu[0] = dmp_kmalloc(LEN, 0);
	} else {
		assert_int_equal(dmp_page_alloc(0, 0, DMP_PHYS_ANY, &b->page_phys), 0);
		b->cpu[0] = (uint8_t *)dmp_phys_to_virt(b->page_phys) + 100; /* offset 100 */
	}
}

static void buf_free(struct buf *b)
{
	if (b->kind == K_PAGE) {
		dmp_page_free(b->page_phys, 0);
		return;
	}
	for (int i = 0; i < b->n; i++)
		dmp_kfree(b->cpu[i]);
}

static void buf_fill(struct buf *b, unsigned seed)
{
	for (int i = 0; i < b->n; i++)
		pattern(b->cpu[i], b->len[i], seed + (unsigned)i);
}

static bool buf_check(struct buf *b, unsigned seed)
{
	uint8_t want[LEN];
	for (int i = 0; i < b->n; i++) {
		pattern(want, b->len[i], seed + (unsigned)i);
		if (memcmp(b->cpu[i], want, b->len[i]))
			return false;
	}
	return true;
}

static bool buf_map(struct rig *r, struct buf *b, enum dmp_data_direction dir, unsigned long attrs)
{
	if (b->kind == K_SG) {
		if (dmp_map_sg_attrs(&r->dev, b->sg, 3, dir, attrs) != 3)
			return false;
		for (int i = 0; i < 3; i++)
			b->dma[i] = dmp_sg_dma_address(&b->sg[i]);
		return true;
	}
	if (b->kind == K_SINGLE)
		b->dma[0] = dmp_map_single_attrs(&r->dev, b->cpu[0], LEN, dir, attrs);
	else
		b->dma[0] = dmp_map_page_attrs(&r->dev, dmp_phys_to_page(b->page_phys), 100, LEN,
					       dir, attrs);
	return !dmp_mapping_error(&r->dev, b->dma[0]);
}

static void buf_unmap(struct rig *r, struct buf *b, enum dmp_data_direction dir, unsigned long attrs)
{
	if (b->kind == K_SG)
		dmp_unmap_sg_attrs(&r->dev, b->sg, 3, dir, attrs);
	else if (b->kind == K_SINGLE)
		dmp_unmap_single_attrs(&r->dev, b->dma[0], LEN, dir, attrs);
	else
		dmp_unmap_page_attrs(&r->dev, b->dma[0], LEN, dir, attrs);
}

/* A peer buffer in coherent memory, as long as each part. */
struct peer {
	uint8_t *cpu;
	dmp_addr_t dma;
};

static void peer_alloc(struct rig *r, struct peer *p)
{
	p->cpu = dmp_alloc_coherent(&r->dev, LEN, &p->dma, DMP_GFP_KERNEL);
	assert_non_null(p->cpu);
}

static void peer_free(struct rig *r, struct peer *p)
{
	dmp_free_coherent(&r->dev, LEN, p->cpu, p->dma);
}

/*
 * One transfer of @dir on buffer @b:
 *  TO_DEVICE:     the CPU fills b; the engine copies b -> peer.
 *  FROM_DEVICE:   the CPU fills peer; the engine copies peer -> b.
 *  BIDIRECTIONAL: the engine copies b -> peer, then fills b with 0x5a... and
 *                 copies peer -> b again: b ends as it began, the device
 *                 having both read and written it.
 * @map_attrs/@unmap_attrs let a test drop a sync.  Returns true if the data
 * arrived where it should.
 */
static bool transfer(struct rig *r, enum kind k, enum dmp_data_direction dir,
		     unsigned long map_attrs, unsigned long unmap_attrs)
{
	struct buf b;
	struct peer p;
	buf_alloc(&b, k);
	peer_alloc(r, &p);
	bool ok = true;
	if (dir == DMP_FROM_DEVICE) {
		size_t off = 0;
		for (int i = 0; i < b.n; i++) {
			pattern(p.cpu + off, b.len[i], 7 + (unsigned)i);
			off += b.len[i];
		}
		for (int i = 0; i < b.n; i++)
			memset(b.cpu[i], 0xee, b.len[i]); /* old contents, dirty in the cache */
	} else {
		buf_fill(&b, 7);
	}
	assert_true(buf_map(r, &b, dir, map_attrs));
	size_t off = 0;
	for (int i = 0; i < b.n; i++) {
		uint32_t n = (uint32_t)b.len[i];
		if (dir == DMP_TO_DEVICE || dir == DMP_BIDIRECTIONAL)
			assert_int_equal(ce_copy(&r->ce, b.dma[i], p.dma + off, n), 0);
		if (dir == DMP_BIDIRECTIONAL)
			assert_int_equal(ce_fill(&r->ce, 0x5a, b.dma[i], n), 0);
		if (dir == DMP_FROM_DEVICE || dir == DMP_BIDIRECTIONAL)
			assert_int_equal(ce_copy(&r->ce, p.dma + off, b.dma[i], n), 0);
		off += n;
	}
	buf_unmap(r, &b, dir, unmap_attrs);
	if (dir == DMP_TO_DEVICE) {
		off = 0;
		uint8_t want[LEN];
		for (int i = 0; i < b.n; i++) {
			pattern(want, b.len[i], 7 + (unsigned)i);
			ok &= memcmp(p.cpu + off, want, b.len[i]) == 0;
			off += b.len[i];
		}
	} else {
		ok &= buf_check(&b, 7);
	}
	peer_free(r, &p);
	buf_free(&b);
	return ok;
}

static void matrix(bool hostile, uint64_t seed)
{
	static const enum dmp_data_direction dirs[] = { DMP_TO_DEVICE, DMP_FROM_DEVICE,
							DMP_BIDIRECTIONAL };
	for (int coh = 0; coh <= 1; coh++)
		for (int bounced = 0; bounced <= 1; bounced++) {
			struct rig r;
			struct rig_opts o = { .coherent = coh, .bounced = bounced,
					      .hostile = hostile, .seed = seed };
			rig_up(&r, &o);
			for (int d = 0; d < 3; d++)
				for (int k = K_SINGLE; k <= K_SG; k++) {
					if (!transfer(&r, (enum kind)k, dirs[d], 0, 0))
						fail_msg("wrong data: coherent=%d bounced=%d dir=%d "
							 "kind=%d hostile=%d seed=%llu", coh,
							 bounced, (int)dirs[d], k, hostile,
							 (unsigned long long)seed);
				}
			struct dmp_swiotlb_stats st;
			dmp_swiotlb_get_stats(r.pool, &st);
			/* the bounced rig really bounced; the direct one never did */
			if (bounced)
				assert_true(st.hiwater > 0);
			else
				assert_int_equal(st.hiwater, 0);
			rig_down(&r);
		}
}

static void test_matrix_normal(void **state)
{
	(void)state;
	matrix(false, 0);
}

static void test_matrix_hostile(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 4; seed++)
		matrix(true, seed);
}

/* Each sync is needed on a non-coherent device, and not on a coherent one. */
static void test_each_sync_is_needed(void **state)
{
	(void)state;
	for (int coh = 0; coh <= 1; coh++) {
		struct rig r;
		struct rig_opts o = { .coherent = coh };
		rig_up(&r, &o);
		fixture_log_start();
		/* no clean at map: the device reads what DRAM held */
		assert_int_equal(transfer(&r, K_SINGLE, DMP_TO_DEVICE, DMP_ATTR_SKIP_CPU_SYNC, 0),
				 coh);
		/* no invalidate at unmap: the CPU reads its stale cached lines */
		assert_int_equal(transfer(&r, K_SINGLE, DMP_FROM_DEVICE, 0, DMP_ATTR_SKIP_CPU_SYNC),
				 coh);
		assert_int_equal(transfer(&r, K_SG, DMP_FROM_DEVICE, 0, DMP_ATTR_SKIP_CPU_SYNC), coh);
		assert_int_equal(transfer(&r, K_PAGE, DMP_TO_DEVICE, DMP_ATTR_SKIP_CPU_SYNC, 0), coh);
		assert_int_equal(transfer(&r, K_PAGE, DMP_FROM_DEVICE, 0, DMP_ATTR_SKIP_CPU_SYNC),
				 coh);
		assert_int_equal(transfer(&r, K_SG, DMP_TO_DEVICE, DMP_ATTR_SKIP_CPU_SYNC, 0), coh);
		/* with the syncs, right */
		assert_true(transfer(&r, K_SINGLE, DMP_FROM_DEVICE, 0, 0));
		fixture_log_stop();

		/* a reused streaming buffer: sync_for_cpu before each read, and
		 * sync_for_device before giving it back */
		uint8_t *b = dmp_kmalloc(256, 0);
		memset(b, 0, 256);
		dmp_addr_t a = dmp_map_single(&r.dev, b, 256, DMP_FROM_DEVICE);
		assert_false(dmp_mapping_error(&r.dev, a));
		assert_int_equal(ce_fill(&r.ce, 0x11, a, 256), 0);
		dmp_sync_single_for_cpu(&r.dev, a, 256, DMP_FROM_DEVICE);
		assert_int_equal(b[0], 0x11);
		dmp_sync_single_for_device(&r.dev, a, 256, DMP_FROM_DEVICE);
		assert_int_equal(ce_fill(&r.ce, 0x22, a, 256), 0);
		/* without sync_for_cpu, the CPU still sees the 0x11 it read */
		assert_int_equal(b[255], coh ? 0x22 : 0x11);
		dmp_sync_single_range_for_cpu(&r.dev, a, 128, 128, DMP_FROM_DEVICE);
		assert_int_equal(b[255], 0x22);
		assert_int_equal(b[0], coh ? 0x22 : 0x11); /* only the synced range */
		dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
		assert_int_equal(b[0], 0x22);
		/* sync_for_device is needed too: the CPU writes a buffer it took back,
		 * and the device reads DRAM unless the buffer is handed back */
		uint8_t *out = dmp_kzalloc(256, 0);
		dmp_addr_t o_dma = dmp_map_single(&r.dev, out, 256, DMP_FROM_DEVICE);
		assert_false(dmp_mapping_error(&r.dev, o_dma));
		for (int with = 0; with <= 1; with++) {
			a = dmp_map_single(&r.dev, b, 256, DMP_BIDIRECTIONAL);
			assert_false(dmp_mapping_error(&r.dev, a));
			assert_int_equal(ce_fill(&r.ce, 0x33, a, 256), 0);
			dmp_sync_single_for_cpu(&r.dev, a, 256, DMP_BIDIRECTIONAL);
			assert_int_equal(b[7], 0x33);
			memset(b, 0x44 + with, 256);
			if (with)
				dmp_sync_single_for_device(&r.dev, a, 256, DMP_BIDIRECTIONAL);
			assert_int_equal(ce_copy(&r.ce, a, o_dma, 256), 0);
			dmp_sync_single_for_cpu(&r.dev, o_dma, 256, DMP_FROM_DEVICE);
			/* without it a non-coherent device copied the old 0x33 */
			assert_int_equal(out[7], (with || coh) ? 0x44 + with : 0x33);
			dmp_sync_single_for_device(&r.dev, o_dma, 256, DMP_FROM_DEVICE);
			if (!with)
				dmp_sync_single_for_device(&r.dev, a, 256, DMP_BIDIRECTIONAL);
			dmp_unmap_single(&r.dev, a, 256, DMP_BIDIRECTIONAL);
		}
		dmp_unmap_single(&r.dev, o_dma, 256, DMP_FROM_DEVICE);
		dmp_kfree(out);
		/* need_sync says so */
		a = dmp_map_single(&r.dev, b, 256, DMP_TO_DEVICE);
		assert_int_equal(dmp_need_sync(&r.dev, a), !coh);
		dmp_unmap_single(&r.dev, a, 256, DMP_TO_DEVICE);
		dmp_kfree(b);
		rig_down(&r);
	}
}

/* Bounced buffers need their syncs on a coherent device too: the copy is the sync. */
static void test_bounce_copies_are_syncs(void **state)
{
	(void)state;
	struct rig r;
	struct rig_opts o = { .coherent = true, .bounced = true };
	rig_up(&r, &o);
	assert_false(transfer(&r, K_SINGLE, DMP_FROM_DEVICE, 0, DMP_ATTR_SKIP_CPU_SYNC));
	assert_true(transfer(&r, K_SINGLE, DMP_FROM_DEVICE, 0, 0));
	uint8_t *b = dmp_kmalloc(64, 0);
	dmp_addr_t a = dmp_map_single(&r.dev, b, 64, DMP_TO_DEVICE);
	assert_true(a < 0x100000000ull);
	assert_true(dmp_need_sync(&r.dev, a));
	dmp_phys_t bp;
	dmp_virt_to_phys(b, &bp);
	assert_true(bp >= 0x100000000ull);
	dmp_unmap_single(&r.dev, a, 64, DMP_TO_DEVICE);
	dmp_kfree(b);

	/* an unmap with the wrong size is refused before anything is copied
	 * back (the copy-back used to be a sync of the size given, done
	 * before the pool refused the unmap: half a change) */
	uint8_t *buf = dmp_kmalloc(256, 0);
	memset(buf, 0x11, 256);
	a = dmp_map_single(&r.dev, buf, 256, DMP_FROM_DEVICE);
	assert_false(dmp_mapping_error(&r.dev, a));
	uint8_t dev_data[256];
	memset(dev_data, 0xd5, sizeof(dev_data));
	assert_int_equal(dmp_sim_dma_write(r.hw, a, dev_data, sizeof(dev_data)), 0);
	fixture_log_start();
	dmp_unmap_single(&r.dev, a, 128, DMP_FROM_DEVICE);
	assert_true(fixture_log_count() > 0);
	fixture_log_stop();
	for (int i = 0; i < 256; i++)
		assert_int_equal(buf[i], 0x11);
	dmp_unmap_single(&r.dev, a, 256, DMP_FROM_DEVICE);
	assert_memory_equal(buf, dev_data, 256);
	dmp_kfree(buf);
	rig_down(&r);
}

/* --- masks, ranges, limits -------------------------------------------------- */

static void test_masks(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim_bare();
	struct dmp_device dev;
	dmp_device_init(&dev, "m");
	assert_int_equal(dmp_get_mask(&dev), DMP_BIT_MASK(32));
	/* memory ends at 5 GiB: a mask must reach 4 GiB - 1 (the DMA32 zone) */
	assert_int_equal(dmp_set_mask(&dev, DMP_BIT_MASK(28)), -EIO);
	assert_int_equal(dmp_set_mask(&dev, DMP_BIT_MASK(31)), -EIO);
	assert_int_equal(dmp_get_mask(&dev), DMP_BIT_MASK(32)); /* unchanged */
	assert_int_equal(dmp_set_coherent_mask(&dev, DMP_BIT_MASK(24)), -EIO);
	assert_int_equal(dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(20)), -EIO);
	assert_int_equal(dev.coherent_dma_mask, DMP_BIT_MASK(32));
	assert_int_equal(dmp_set_mask(&dev, DMP_BIT_MASK(32)), 0);
	assert_true(dmp_addressing_limited(&dev));
	assert_int_equal(dmp_max_mapping_size(&dev), SIZE_MAX); /* no pool: nothing bounces */
	struct dmp_swiotlb_pool *pool;
	assert_int_equal(dmp_swiotlb_pool_create("d", 1 << 20, DMP_SWIOTLB_DEFAULT_LIMIT, 1, &pool), 0);
	dmp_swiotlb_set_default(pool);
	assert_true(dmp_max_mapping_size(&dev) <= DMP_IO_TLB_SEGBYTES);
	assert_true(dmp_opt_mapping_size(&dev) <= DMP_IO_TLB_SEGBYTES);
	assert_int_equal(dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64)), 0);
	assert_false(dmp_addressing_limited(&dev));
	assert_int_equal(dmp_max_mapping_size(&dev), SIZE_MAX);
	/* a bus limit makes a 64-bit device limited */
	dmp_device_set_bus_limit(&dev, 0xffffffffull);
	assert_true(dmp_addressing_limited(&dev));
	uint8_t *hi = dmp_kmalloc(64, 0);
	dmp_addr_t a = dmp_map_single(&dev, hi, 64, DMP_TO_DEVICE);
	assert_true(a < 0x100000000ull); /* bounced below the limit */
	dmp_unmap_single(&dev, a, 64, DMP_TO_DEVICE);
	dmp_kfree(hi);
	/* coherent allocations follow the coherent mask */
	dmp_device_set_bus_limit(&dev, 0);
	dmp_addr_t h;
	void *c = dmp_alloc_coherent(&dev, 8192, &h, DMP_GFP_KERNEL);
	assert_true(h >= 0x100000000ull); /* high memory first */
	dmp_free_coherent(&dev, 8192, c, h);
	dmp_set_coherent_mask(&dev, DMP_BIT_MASK(32));
	c = dmp_alloc_coherent(&dev, 8192, &h, DMP_GFP_KERNEL);
	assert_non_null(c);
	assert_true(h + 8191 <= 0xffffffffull);
	dmp_free_coherent(&dev, 8192, c, h);
	/* segment parameters */
	assert_int_equal(dmp_get_max_seg_size(&dev), 65536);
	assert_int_equal(dmp_set_seg_boundary(&dev, 0x1000), -EINVAL);
	assert_int_equal(dmp_set_seg_boundary(&dev, 0xfff), 0);
	assert_int_equal(dmp_get_seg_boundary(&dev), 0xfff);
	assert_int_equal(dmp_set_max_seg_size(&dev, 0), -EINVAL);
	assert_true(dmp_get_cache_alignment() == 64);
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
	dmp_sim_destroy(sim);
}

/* The interconnect of this test translates like the dma-ranges below. */
static int bus_translate(void *cookie, struct dmp_sim_device *d, dmp_addr_t addr, size_t len,
			 bool write, dmp_phys_t *phys, size_t *chunk)
{
	struct dmp_device *dev = cookie;
	if (dmp_dma_to_phys(dev, addr, phys))
		return -EFAULT;
	*chunk = len;
	return 0;
}

static void test_dma_ranges(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim_bare();
	struct dmp_device dev;
	dmp_device_init(&dev, "rng");
	dmp_device_set_coherent(&dev, true);
	/* the high GiB at bus 0, the low GiB at bus 1 GiB: a 31-bit device reaches both */
	assert_int_equal(dmp_device_add_dma_range(&dev, 0x100000000ull, 0, 1ull << 30), 0);
	assert_int_equal(dmp_device_add_dma_range(&dev, 0x80000000ull, 0x40000000ull, 1ull << 30),
			 0);
	assert_int_equal(dmp_device_add_dma_range(&dev, 0x80001000ull, 0x90000000ull, 4096),
			 -EINVAL); /* overlaps on the CPU side */
	assert_int_equal(dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(31)), 0);
	assert_false(dmp_addressing_limited(&dev));
	assert_int_equal(dmp_phys_to_dma(&dev, 0x100000010ull), 0x10);
	assert_int_equal(dmp_phys_to_dma(&dev, 0x80000010ull), 0x40000010ull);
	assert_int_equal(dmp_phys_to_dma(&dev, 0x200000000ull), DMP_MAPPING_ERROR);
	dmp_phys_t p;
	assert_int_equal(dmp_dma_to_phys(&dev, 0x40000020ull, &p), 0);
	assert_int_equal(p, 0x80000020ull);
	assert_int_equal(dmp_dma_to_phys(&dev, 0x80000000ull, &p), -ERANGE);

	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = "rng", .port_bits = 31, .coherent = true,
					    .mmio_base = CE_TEST_MMIO };
	assert_int_equal(dmp_sim_copy_engine_create(sim, &dc, &hw), 0);
	/* dev drives it: the checker judges its DMA by dev's mappings (masks
	 * and coherence as set above: the port's 31 bits, coherent) */
	assert_int_equal(dmp_sim_device_link(&dev, hw), 0);
	dmp_sim_device_set_translate(hw, bus_translate, &dev);
	struct ce_driver ce;
	assert_int_equal(ce_probe(&ce, &dev, CE_TEST_MMIO, 4), 0);
	uint8_t *src = dmp_kmalloc(100, 0), *dst;
	dmp_phys_t dst_phys;
	assert_int_equal(dmp_page_alloc(0, 0, 0xffffffffull, &dst_phys), 0); /* low GiB */
	dst = dmp_phys_to_virt(dst_phys);
	strcpy((char *)src, "through two ranges");
	dmp_addr_t s = dmp_map_single(&dev, src, 100, DMP_TO_DEVICE);
	dmp_addr_t d = dmp_map_single(&dev, dst, 100, DMP_FROM_DEVICE);
	assert_true(s < 0x40000000ull);
	assert_true(d >= 0x40000000ull && d < 0x80000000ull);
	assert_int_equal(ce_copy(&ce, s, d, 100), 0);
	dmp_unmap_single(&dev, s, 100, DMP_TO_DEVICE);
	dmp_unmap_single(&dev, d, 100, DMP_FROM_DEVICE);
	assert_string_equal((char *)dst, "through two ranges");
	ce_remove(&ce);
	dmp_kfree(src);
	dmp_page_free(dst_phys, 0);
	dmp_sim_destroy(sim);
}

/* dma-ranges with a hole: the device is addressing-limited whatever its mask
 * (Linux's dma_direct_all_ram_mapped), and its buffers in the hole bounce. */
static void test_dma_ranges_hole(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim_bare();
	struct dmp_swiotlb_pool *pool;
	assert_int_equal(dmp_swiotlb_pool_create("d", 1 << 20, DMP_SWIOTLB_DEFAULT_LIMIT, 1, &pool), 0);
	dmp_swiotlb_set_default(pool);
	struct dmp_device dev;
	dmp_device_init(&dev, "hole");
	dmp_device_set_coherent(&dev, true);
	/* only the low GiB is on the bus (1:1); the high GiB is in no range */
	assert_int_equal(dmp_device_add_dma_range(&dev, 0x80000000ull, 0x80000000ull, 1ull << 30),
			 0);
	assert_int_equal(dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64)), 0);
	assert_true(dmp_addressing_limited(&dev));
	assert_true(dmp_max_mapping_size(&dev) <= DMP_IO_TLB_SEGBYTES);
	uint8_t *hi = dmp_kmalloc(64, 0); /* the heap takes high memory first */
	dmp_phys_t hp;
	assert_int_equal(dmp_virt_to_phys(hi, &hp), 0);
	assert_true(hp >= 0x100000000ull);
	dmp_addr_t a = dmp_map_single(&dev, hi, 64, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(&dev, a));
	dmp_phys_t back;
	assert_int_equal(dmp_dma_to_phys(&dev, a, &back), 0);
	assert_true(back >= pool->start && back < pool->start + pool->size); /* bounced */
	dmp_unmap_single(&dev, a, 64, DMP_TO_DEVICE);
	/* a second range covering the rest: no longer limited */
	assert_int_equal(dmp_device_add_dma_range(&dev, 0x100000000ull, 0x100000000ull,
						  1ull << 30), 0);
	assert_false(dmp_addressing_limited(&dev));
	assert_int_equal(dmp_max_mapping_size(&dev), SIZE_MAX);
	dmp_kfree(hi);

	/* Linux accepts any mask of 32 bits or more, even where dma-ranges put
	 * all memory above 4 GiB on the bus; mappings then fail cleanly */
	struct dmp_device up;
	dmp_device_init(&up, "up");
	assert_int_equal(dmp_device_add_dma_range(&up, 0x80000000ull, 0x200000000ull, 1ull << 30), 0);
	assert_int_equal(dmp_device_add_dma_range(&up, 0x100000000ull, 0x240000000ull, 1ull << 30),
			 0);
	assert_int_equal(dmp_set_mask(&up, DMP_BIT_MASK(32)), 0);
	assert_int_equal(dmp_set_mask(&up, DMP_BIT_MASK(31)), -EIO);
	uint8_t *b = dmp_kmalloc(64, 0);
	fixture_log_start();
	assert_true(dmp_mapping_error(&up, dmp_map_single(&up, b, 64, DMP_TO_DEVICE)));
	assert_true(fixture_log_count() >= 1);
	fixture_log_stop();
	dmp_kfree(b);
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
	dmp_sim_destroy(sim);
}

/* A restricted pool set up from C (not a device tree): every mapping of the
 * device bounces through it, keeping the min_align_mask bits of the buffer,
 * and the pool's memory is the only memory the device's bus sees. */
static void test_restricted_pool_from_c(void **state)
{
	(void)state;
	for (int coh = 0; coh <= 1; coh++) {
		struct rig r;
		struct rig_opts o = { .coherent = coh };
		rig_up(&r, &o);
		struct dmp_swiotlb_pool *rp;
		assert_int_equal(dmp_swiotlb_pool_create("restricted", 256 * 1024, DMP_PHYS_ANY, 1,
							 &rp), 0);
		dmp_device_set_swiotlb(&r.dev, rp, true);
		dmp_set_min_align_mask(&r.dev, 0xfff);
		uint8_t *page = dmp_kmalloc(8192, 0);
		uint8_t *b = page + 0x234;
		for (int i = 0; i < 1000; i++)
			b[i] = (uint8_t)(i * 3 + coh);
		dmp_addr_t a = dmp_map_single(&r.dev, b, 1000, DMP_BIDIRECTIONAL);
		assert_false(dmp_mapping_error(&r.dev, a));
		dmp_phys_t bp, orig;
		assert_int_equal(dmp_dma_to_phys(&r.dev, a, &bp), 0);
		assert_int_equal(dmp_virt_to_phys(b, &orig), 0);
		assert_true(bp >= rp->start && bp + 1000 <= rp->start + rp->size); /* the pool */
		assert_int_equal(bp & 0xfff, orig & 0xfff);                      /* min_align bits */
		/* the device reads the bytes through the bounce buffer and writes back */
		uint8_t got[1000], back[1000];
		assert_int_equal(dmp_sim_dma_read(r.hw, a, got, 1000), 0);
		assert_memory_equal(got, b, 1000);
		for (int i = 0; i < 1000; i++)
			back[i] = (uint8_t)~got[i];
		assert_int_equal(dmp_sim_dma_write(r.hw, a, back, 1000), 0);
		dmp_unmap_single(&r.dev, a, 1000, DMP_BIDIRECTIONAL);
		assert_memory_equal(b, back, 1000);
		struct dmp_swiotlb_stats st;
		dmp_swiotlb_get_stats(rp, &st);
		assert_int_equal(st.used, 0);
		assert_true(st.nr_maps >= 1);
		dmp_kfree(page);
		dmp_device_set_swiotlb(&r.dev, NULL, false);
		assert_int_equal(dmp_swiotlb_pool_destroy(rp), 0);
		rig_down(&r);
	}
}

/* --- attributes --------------------------------------------------------------- */

static void test_attributes(void **state)
{
	(void)state;
	struct rig r;
	struct rig_opts o = { .coherent = false };
	rig_up(&r, &o);
	dmp_addr_t h;
	dmp_phys_t p;
	/* uncached by default on a non-coherent device; WC with the attribute */
	uint8_t *uc = dmp_alloc_coherent(&r.dev, 4096, &h, DMP_GFP_KERNEL);
	dmp_virt_to_phys(uc, &p);
	assert_int_equal(dmp_sim_mem_attr(r.sim, p), DMP_MEM_UNCACHED);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(uc[i], 0); /* zeroed */
	dmp_free_coherent(&r.dev, 4096, uc, h);
	assert_int_equal(dmp_sim_mem_attr(r.sim, p), DMP_MEM_NORMAL);
	uint8_t *wc = dmp_alloc_wc(&r.dev, 4096, &h, DMP_GFP_KERNEL);
	dmp_virt_to_phys(wc, &p);
	assert_int_equal(dmp_sim_mem_attr(r.sim, p), DMP_MEM_WC);
	/* WRITE_COMBINE: the device sees CPU stores only after a write barrier */
	memcpy(wc, "wc-data", 8);
	uint8_t got[8];
	dmp_sim_dma_read(r.hw, h, got, 8);
	assert_memory_not_equal(got, "wc-data", 8);
	dmp_wmb();
	dmp_sim_dma_read(r.hw, h, got, 8);
	assert_memory_equal(got, "wc-data", 8);
	dmp_free_wc(&r.dev, 4096, wc, h);

	/* NO_KERNEL_MAPPING: a cookie, not an address; good for mmap and free */
	void *cookie = dmp_alloc_attrs(&r.dev, 8192, &h, DMP_GFP_KERNEL,
				       DMP_ATTR_NO_KERNEL_MAPPING);
	assert_non_null(cookie);
	assert_false(dmp_is_dma_memory(cookie, 1));
	struct dmp_user_mapping um = { 0 };
	assert_int_equal(dmp_mmap_attrs(&r.dev, &um, cookie, h, 8192, DMP_ATTR_NO_KERNEL_MAPPING), 0);
	memcpy(um.addr, "user", 4);
	dmp_wmb();
	dmp_sim_dma_read(r.hw, h, got, 4);
	assert_memory_equal(got, "user", 4);
	dmp_munmap(&um);
	dmp_free_attrs(&r.dev, 8192, cookie, h, DMP_ATTR_NO_KERNEL_MAPPING);

	/* FORCE_CONTIGUOUS (and ALLOC_SINGLE_PAGES, a hint): the direct path's
	 * memory is always one physical range; the device reads all 64 KiB
	 * linearly from the handle (WEAK_ORDERING, PRIVILEGED: accepted, no
	 * effect on this bus, as on most of Linux's) */
	uint8_t *fc = dmp_alloc_attrs(&r.dev, 65536, &h, DMP_GFP_KERNEL,
				      DMP_ATTR_FORCE_CONTIGUOUS | DMP_ATTR_ALLOC_SINGLE_PAGES);
	assert_non_null(fc);
	for (int i = 0; i < 65536; i++)
		fc[i] = (uint8_t)(i ^ (i >> 8));
	dmp_wmb(); /* uncached stores reach DRAM past the write buffer */
	uint8_t *seen = malloc(65536);
	assert_non_null(seen);
	assert_int_equal(dmp_sim_dma_read(r.hw, h, seen, 65536), 0);
	assert_memory_equal(seen, fc, 65536);
	free(seen);
	dmp_free_attrs(&r.dev, 65536, fc, h, DMP_ATTR_FORCE_CONTIGUOUS | DMP_ATTR_ALLOC_SINGLE_PAGES);
	uint8_t *b = dmp_kmalloc(64, 0);
	dmp_addr_t a = dmp_map_single_attrs(&r.dev, b, 64, DMP_TO_DEVICE,
					    DMP_ATTR_WEAK_ORDERING | DMP_ATTR_PRIVILEGED);
	assert_false(dmp_mapping_error(&r.dev, a));
	dmp_unmap_single_attrs(&r.dev, a, 64, DMP_TO_DEVICE,
			       DMP_ATTR_WEAK_ORDERING | DMP_ATTR_PRIVILEGED);
	/* REQUIRE_COHERENT: refused where cache maintenance would be needed */
	fixture_log_start();
	a = dmp_map_single_attrs(&r.dev, b, 64, DMP_TO_DEVICE, DMP_ATTR_REQUIRE_COHERENT);
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_true(fixture_log_has("ce0", "REQUIRE_COHERENT", "cache maintenance", NULL));
	/* NO_WARN silences the report of the same failure */
	int before = fixture_log_count();
	a = dmp_map_single_attrs(&r.dev, b, 64, DMP_TO_DEVICE,
				 DMP_ATTR_REQUIRE_COHERENT | DMP_ATTR_NO_WARN);
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_int_equal(fixture_log_count(), before);
	fixture_log_stop();
	dmp_kfree(b);
	rig_down(&r);

	/* REQUIRE_COHERENT on a coherent device: fine unless it must bounce */
	struct rig_opts oc = { .coherent = true, .bounced = true };
	rig_up(&r, &oc);
	b = dmp_kmalloc(64, 0); /* above 4 GiB: a 32-bit device must bounce */
	fixture_log_start();
	a = dmp_map_single_attrs(&r.dev, b, 64, DMP_TO_DEVICE, DMP_ATTR_REQUIRE_COHERENT);
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_true(fixture_log_has("bounce buffer", NULL));
	fixture_log_stop();
	dmp_kfree(b);
	rig_down(&r);
}

/* --- swiotlb exhaustion ------------------------------------------------------- */

static void test_swiotlb_exhaustion(void **state)
{
	(void)state;
	struct rig r;
	struct rig_opts o = { .coherent = false, .bounced = true, .pool_size = 256 << 10 };
	rig_up(&r, &o);
	enum { N = 200 };
	uint8_t *bufs[N];
	dmp_addr_t dmas[N];
	int mapped = 0;
	fixture_log_start();
	for (int i = 0; i < N; i++) {
		bufs[i] = dmp_kmalloc(4096, 0);
		memset(bufs[i], i, 4096);
		dmas[i] = dmp_map_single(&r.dev, bufs[i], 4096, DMP_BIDIRECTIONAL);
		if (dmp_mapping_error(&r.dev, dmas[i]))
			break;
		mapped++;
	}
	assert_true(mapped > 0 && mapped < N); /* the pool ran out */
	assert_true(fixture_log_has("ce0", "bounce buffer", NULL));
	fixture_log_stop();
	/* nothing corrupted: every live bounce still holds its buffer */
	for (int i = 0; i < mapped; i++) {
		uint8_t got[4096];
		dmp_sim_dma_read(r.hw, dmas[i], got, 4096);
		for (int k = 0; k < 4096; k += 512)
			assert_int_equal(got[k], (uint8_t)i);
	}
	for (int i = 0; i < mapped; i++)
		dmp_unmap_single(&r.dev, dmas[i], 4096, DMP_BIDIRECTIONAL);
	for (int i = 0; i <= mapped && i < N; i++)
		dmp_kfree(bufs[i]);
	rig_down(&r);
}

/* --- mmap shared with another process ------------------------------------------- */

static void test_mmap_child_process(void **state)
{
	(void)state;
	struct rig r;
	struct rig_opts o = { .coherent = true };
	rig_up(&r, &o);
	dmp_addr_t h;
	char *buf = dmp_alloc_coherent(&r.dev, 3 * 4096, &h, DMP_GFP_KERNEL);
	strcpy(buf + 4096, "from the kernel side");
	struct dmp_user_mapping um = { .pgoff = 1 };
	assert_int_equal(dmp_mmap_coherent(&r.dev, &um, buf, h, 3 * 4096), 0);
	assert_int_equal(um.size, 2 * 4096);
	assert_string_equal((char *)um.addr, "from the kernel side");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* another process maps the same bytes from the fd and offset */
		char *m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, um.fd,
			       (off_t)um.offset);
		if (m == MAP_FAILED || strcmp(m, "from the kernel side"))
			_exit(1);
		strcpy(m + 4096, "written by the child");
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(buf + 2 * 4096, "written by the child");
	/* a window beyond the buffer */
	struct dmp_user_mapping bad = { .pgoff = 2, .size = 2 * 4096 };
	fixture_log_start();
	assert_int_equal(dmp_mmap_coherent(&r.dev, &bad, buf, h, 3 * 4096), -ENXIO);
	fixture_log_stop();
	dmp_munmap(&um);
	/* get_sgtable: one entry covering the allocation */
	struct dmp_sg_table sgt;
	assert_int_equal(dmp_get_sgtable(&r.dev, &sgt, buf, h, 3 * 4096), 0);
	assert_int_equal(sgt.orig_nents, 1);
	dmp_phys_t p;
	dmp_virt_to_phys(buf, &p);
	assert_int_equal(dmp_sg_phys(sgt.sgl), p);
	assert_int_equal(sgt.sgl->length, 3 * 4096);
	dmp_sg_free_table(&sgt);
	dmp_free_coherent(&r.dev, 3 * 4096, buf, h);
	rig_down(&r);
}

/*
 * The platform's user_map failing with the port contract's -ENXIO ("no
 * mapping") is a platform failure, reported as one and returned as -EFAULT:
 * not taken for the caller's bad window (a misuse finding, -ENXIO).
 */
static int user_map_enxio(void *ctx, dmp_phys_t phys, size_t size, void **addr, int *fd,
			  uint64_t *offset)
{
	return -ENXIO;
}

static void test_mmap_platform_enxio(void **state)
{
	(void)state;
	struct rig r;
	struct rig_opts o = { .coherent = true };
	rig_up(&r, &o);
	dmp_addr_t h;
	char *buf = dmp_alloc_coherent(&r.dev, 2 * 4096, &h, DMP_GFP_KERNEL);
	assert_non_null(buf);
	const struct dmp_platform_ops *saved = dmp__platform.ops;
	struct dmp_platform_ops failing = *saved;
	failing.user_map = user_map_enxio;
	dmp__platform.ops = &failing;
	unsigned long findings = dmp_debug_total();
	struct dmp_user_mapping um = { .pgoff = 0 };
	fixture_log_start();
	int err = dmp_mmap_coherent(&r.dev, &um, buf, h, 2 * 4096);
	fixture_log_stop();
	dmp__platform.ops = saved;
	assert_int_equal(err, -EFAULT);
	assert_int_equal(dmp_debug_total(), findings); /* not a misuse */
	assert_true(fixture_log_has("mmap", "failed", NULL));
	assert_false(fixture_log_has("window", NULL));
	/* a bad window is still the caller's: -ENXIO, whatever the platform */
	struct dmp_user_mapping bad = { .pgoff = 2 };
	fixture_log_start();
	assert_int_equal(dmp_mmap_coherent(&r.dev, &bad, buf, h, 2 * 4096), -ENXIO);
	assert_true(fixture_log_has("window is not inside", NULL));
	fixture_log_stop();
	dmp_free_coherent(&r.dev, 2 * 4096, buf, h);
	rig_down(&r);
}

/* --- non-coherent allocations ----------------------------------------------------- */

static void test_alloc_noncoherent(void **state)
{
	(void)state;
	struct rig r;
	struct rig_opts o = { .coherent = false };
	rig_up(&r, &o);
	dmp_addr_t h;
	uint8_t *nc = dmp_alloc_noncoherent(&r.dev, 4096, &h, DMP_FROM_DEVICE, DMP_GFP_KERNEL);
	assert_non_null(nc);
	dmp_phys_t p;
	dmp_virt_to_phys(nc, &p);
	assert_int_equal(dmp_sim_mem_attr(r.sim, p), DMP_MEM_NORMAL); /* cacheable */
	assert_int_equal(ce_fill(&r.ce, 0x77, h, 4096), 0);
	assert_int_not_equal(nc[10], 0x77); /* not yet the CPU's */
	dmp_sync_single_for_cpu(&r.dev, h, 4096, DMP_FROM_DEVICE);
	assert_int_equal(nc[10], 0x77);
	dmp_free_noncoherent(&r.dev, 4096, nc, h, DMP_FROM_DEVICE);
	struct dmp_page *pg = dmp_alloc_pages(&r.dev, 8192, &h, DMP_TO_DEVICE, DMP_GFP_KERNEL);
	assert_non_null(pg);
	assert_int_equal(dmp_phys_to_dma(&r.dev, dmp_page_to_phys(pg)), h);
	dmp_free_pages(&r.dev, 8192, pg, h, DMP_TO_DEVICE);
	rig_down(&r);
}

/* --- bad input ---------------------------------------------------------------------- */

static void test_bad_input(void **state)
{
	(void)state;
	struct rig r;
	struct rig_opts o = { .coherent = false };
	rig_up(&r, &o);
	size_t free0 = dmp_page_free_count();
	fixture_log_start();
	char on_stack[64];
	dmp_addr_t a = dmp_map_single(&r.dev, on_stack, sizeof(on_stack), DMP_TO_DEVICE);
	assert_true(dmp_mapping_error(&r.dev, a));
	char ptr[32];
	snprintf(ptr, sizeof(ptr), "%p", (void *)on_stack);
	assert_true(fixture_log_has("ce0", "not DMA-able", ptr, "test-dma-direct.c", NULL));
	void *heap = malloc(64);
	a = dmp_map_single(&r.dev, heap, 64, DMP_TO_DEVICE);
	assert_true(dmp_mapping_error(&r.dev, a));
	/* NO_WARN is for failures with a fallback, not misuse: still reported */
	int before = fixture_log_count();
	a = dmp_map_single_attrs(&r.dev, heap, 64, DMP_TO_DEVICE, DMP_ATTR_NO_WARN);
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_int_equal(fixture_log_count(), before + 1);
	a = dmp_map_single_attrs(&r.dev, heap, 0, DMP_TO_DEVICE, DMP_ATTR_NO_WARN);
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_int_equal(fixture_log_count(), before + 2);
	free(heap);
	uint8_t *b = dmp_kmalloc(64, 0);
	int n = fixture_log_count();
	a = dmp_map_single(&r.dev, b, 0, DMP_TO_DEVICE);
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_true(fixture_log_has("size 0", NULL));
	a = dmp_map_single(&r.dev, b, 64, DMP_NONE);
	assert_true(dmp_mapping_error(&r.dev, a));
	a = dmp_map_single(&r.dev, b, 64, (enum dmp_data_direction)7);
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_true(fixture_log_has("invalid direction", NULL));
	a = dmp_map_single_attrs(&r.dev, b, 64, DMP_TO_DEVICE, 1UL << 20);
	assert_true(dmp_mapping_error(&r.dev, a));
	assert_true(fixture_log_has("unknown attributes", NULL));
	/* a buffer running past the end of memory */
	dmp_phys_t top = 0x100000000ull + (1ull << 30) - 64;
	a = dmp_map_single(&r.dev, dmp_phys_to_virt(top), 128, DMP_TO_DEVICE);
	assert_true(dmp_mapping_error(&r.dev, a));
	dmp_unmap_single(&r.dev, DMP_MAPPING_ERROR, 64, DMP_TO_DEVICE);
	assert_true(fixture_log_has("unmap of DMP_MAPPING_ERROR", NULL));
	dmp_unmap_single(&r.dev, 0x1000, 64, DMP_TO_DEVICE); /* not memory: reported, no crash */
	assert_true(fixture_log_has("0x1000", NULL));
	/* map_sg with a refused entry fails whole, nothing left mapped */
	struct dmp_scatterlist sg[2];
	dmp_sg_init_table(sg, 2);
	dmp_sg_set_buf(&sg[0], b, 64);
	dmp_sg_set_buf(&sg[1], on_stack, 16);
	assert_int_equal(dmp_map_sg(&r.dev, sg, 2, DMP_TO_DEVICE), 0);
	struct dmp_sg_table t = { .sgl = sg, .orig_nents = 2 };
	assert_true(dmp_map_sgtable(&r.dev, &t, DMP_TO_DEVICE, 0) < 0);
	/* allocations */
	dmp_addr_t h;
	assert_null(dmp_alloc_coherent(&r.dev, 0, &h, DMP_GFP_KERNEL));
	assert_null(dmp_alloc_coherent(&r.dev, 1ull << 40, &h, DMP_GFP_KERNEL));
	dmp_free_coherent(&r.dev, 4096, b, 0x1234);   /* not allocated here */
	/* "not allocated here", or the checker's words when it is on */
	assert_true(fixture_log_has("not allocated", NULL));
	void *c = dmp_alloc_coherent(&r.dev, 4096, &h, DMP_GFP_KERNEL);
	dmp_free_coherent(&r.dev, 16384, c, h);        /* wrong size: refused */
	assert_true(fixture_log_has("wrong size", NULL) ||
		    fixture_log_has("different size", NULL));
	dmp_free_coherent(&r.dev, 4096, c, h);
	dmp_free_coherent(&r.dev, 4096, NULL, h);      /* no-op, as Linux */
	/* map_resource refuses RAM; works for MMIO */
	a = dmp_map_resource(&r.dev, 0x80000000ull, 64, DMP_TO_DEVICE, 0);
	assert_true(dmp_mapping_error(&r.dev, a));
	a = dmp_map_resource(&r.dev, CE_TEST_MMIO, 64, DMP_TO_DEVICE, 0);
	assert_int_equal(a, CE_TEST_MMIO);
	dmp_unmap_resource(&r.dev, a, 64, DMP_TO_DEVICE, 0);
	assert_true(fixture_log_count() > n);
	fixture_log_stop();
	dmp_kfree(b);
	assert_int_equal(dmp_page_free_count(), free0); /* nothing leaked */
	/* a device without a mask cannot DMA */
	struct dmp_device nomask;
	dmp_device_init(&nomask, "nomask");
	nomask.dma_mask = NULL;
	fixture_log_start();
	b = dmp_kmalloc(64, 0);
	assert_true(dmp_mapping_error(&nomask, dmp_map_single(&nomask, b, 64, DMP_TO_DEVICE)));
	assert_int_equal(dmp_set_mask(&nomask, DMP_BIT_MASK(64)), -EIO);
	fixture_log_stop();
	dmp_kfree(b);
	rig_down(&r);
}

/* Allocation failures walk their error paths cleanly. */
static void test_alloc_failure_injection(void **state)
{
	(void)state;
	struct rig r;
	struct rig_opts o = { .coherent = false };
	rig_up(&r, &o);
	size_t free0 = dmp_page_free_count();
	fixture_log_start();
	dmp_addr_t h;
	dmp_fail_nth(DMP_FAIL_PAGE, 1);
	assert_null(dmp_alloc_coherent(&r.dev, 4096, &h, DMP_GFP_KERNEL));
	assert_int_equal(h, DMP_MAPPING_ERROR);
	dmp_fail_nth(DMP_FAIL_PAGE, 1);
	assert_null(dmp_alloc_noncoherent(&r.dev, 4096, &h, DMP_TO_DEVICE, DMP_GFP_KERNEL));
	dmp_fail_nth(DMP_FAIL_HEAP, 1);
	struct dmp_sg_table sgt;
	void *c = dmp_alloc_coherent(&r.dev, 4096, &h, DMP_GFP_KERNEL);
	assert_int_equal(dmp_get_sgtable(&r.dev, &sgt, c, h, 4096), -ENOMEM);
	dmp_free_coherent(&r.dev, 4096, c, h);
	fixture_log_stop();
	assert_int_equal(dmp_page_free_count(), free0);
	rig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_normal),
		cmocka_unit_test(test_matrix_hostile),
		cmocka_unit_test(test_each_sync_is_needed),
		cmocka_unit_test(test_bounce_copies_are_syncs),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_dma_ranges),
		cmocka_unit_test(test_dma_ranges_hole),
		cmocka_unit_test(test_restricted_pool_from_c),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_swiotlb_exhaustion),
		cmocka_unit_test(test_mmap_child_process),
		cmocka_unit_test(test_mmap_platform_enxio),
		cmocka_unit_test(test_alloc_noncoherent),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_alloc_failure_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
