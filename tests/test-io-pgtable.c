/*
 * test-io-pgtable.c - the io-pgtable layer and the Arm LPAE stage-1 format,
 * every result checked twice: by the format's own iova_to_phys and by the
 * simulator's independent walker (src/sim/lpae-walk.c), which reads the
 * tables from DRAM when the walk is not coherent.
 *
 *  - Linux's io-pgtable-arm selftest sweep: granule x ias x oas;
 *  - prot encoding (AP, XN, AttrIndx, SH, AF, nG) seen by the walker;
 *  - argument errors, -EEXIST, block splitting on partial unmap, empty-table
 *    reuse;
 *  - cache maintenance: uncleaned descriptors are invisible to a walker that
 *    reads DRAM, cleaned ones are visible;
 *  - TLB callbacks;
 *  - the walker itself on hand-written tables: each fault kind and level,
 *    hierarchical permissions, the start level per granule and input size;
 *  - random map/unmap sequences against a reference model, with the
 *    consistency walker after every step;
 *  - the one-leaf paths (table cache hits) and each way they must fall
 *    back: missing, freed or reused tables, cache conflicts, blocks;
 *    ptes_written only when asked for;
 *  - failure injection on table allocation.
 */
#include <string.h>

#include <dmaport/io-pgtable.h>

#include "dma/dma-internal.h"
#include "internal.h"
#include "sim/lpae-walk.h"
#include "support/sim-fixture.h"

#define SZ_4K (UINT64_C(1) << 12)
#define SZ_16K (UINT64_C(1) << 14)
#define SZ_64K (UINT64_C(1) << 16)
#define SZ_2M (UINT64_C(1) << 21)
#define SZ_32M (UINT64_C(1) << 25)
#define SZ_512M (UINT64_C(1) << 29)
#define SZ_1G (UINT64_C(1) << 30)

#define RW (DMP_IOMMU_READ | DMP_IOMMU_WRITE)

static const uint64_t granule_bitmaps[] = {
	SZ_4K | SZ_2M | SZ_1G,
	SZ_16K | SZ_32M,
	SZ_64K | SZ_512M,
};
static const unsigned int addr_sizes[] = { 32, 36, 40, 42, 44, 48 };

/* TLB callbacks: count them and remember the last arguments. */
struct tlb_log {
	unsigned int flush_all, flush_walk, add_page;
	dmp_addr_t last_iova, walk_iova; /* last tlb_add_page / tlb_flush_walk */
	size_t walk_size, walk_granule, last_granule;
	struct dmp_iommu_iotlb_gather *last_gather;
};

static void tlb_flush_all(void *cookie)
{
	((struct tlb_log *)cookie)->flush_all++;
}

static void tlb_flush_walk(dmp_addr_t iova, size_t size, size_t granule, void *cookie)
{
	struct tlb_log *t = cookie;
	t->flush_walk++;
	t->walk_iova = iova;
	t->walk_size = size;
	t->walk_granule = granule;
}

static void tlb_add_page(struct dmp_iommu_iotlb_gather *gather, dmp_addr_t iova, size_t granule,
			 void *cookie)
{
	struct tlb_log *t = cookie;
	t->add_page++;
	t->last_iova = iova;
	t->last_granule = granule;
	t->last_gather = gather;
}

static const struct dmp_iommu_flush_ops tlb_ops = {
	.tlb_flush_all = tlb_flush_all,
	.tlb_flush_walk = tlb_flush_walk,
	.tlb_add_page = tlb_add_page,
};

/* One table under test, with the walker configured from the values the
 * format handed out for the hardware. */
struct pt {
	struct dmp_sim *sim;
	struct dmp_io_pgtable_cfg cfg;
	struct dmp_io_pgtable_ops *ops;
	struct dmp__lpae_walk_cfg walk;
	struct tlb_log tlb;
};

static int pt_try_make(struct pt *pt, struct dmp_sim *sim, uint64_t bitmap, unsigned int ias,
		       unsigned int oas, bool coherent)
{
	memset(pt, 0, sizeof(*pt));
	pt->sim = sim;
	pt->cfg.pgsize_bitmap = bitmap;
	pt->cfg.ias = ias;
	pt->cfg.oas = oas;
	pt->cfg.coherent_walk = coherent;
	pt->cfg.tlb = &tlb_ops;
	int err = dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &pt->cfg, &pt->tlb, &pt->ops);
	if (err)
		return err;
	pt->walk.ttbr = pt->cfg.arm_lpae_s1_cfg.ttbr;
	pt->walk.tg0 = pt->cfg.arm_lpae_s1_cfg.tcr.tg;
	pt->walk.t0sz = pt->cfg.arm_lpae_s1_cfg.tcr.tsz;
	pt->walk.ips = pt->cfg.arm_lpae_s1_cfg.tcr.ips;
	pt->walk.coherent = coherent;
	return 0;
}

static void pt_make(struct pt *pt, struct dmp_sim *sim, uint64_t bitmap, unsigned int ias,
		    unsigned int oas, bool coherent)
{
	assert_int_equal(pt_try_make(pt, sim, bitmap, ias, oas, coherent), 0);
	assert_int_equal(dmp_io_pgtable_check(pt->ops, NULL), 0);
}

static void pt_free(struct pt *pt)
{
	unsigned int before = pt->tlb.flush_all;
	dmp_free_io_pgtable_ops(pt->ops);
	assert_int_equal(pt->tlb.flush_all, before + 1);
	pt->ops = NULL;
}

static int pt_map(struct pt *pt, dmp_addr_t iova, dmp_phys_t paddr, size_t pgsize,
		  size_t pgcount, int prot, size_t *mapped)
{
	size_t m = ~(size_t)0;
	int err = pt->ops->map_pages(pt->ops, iova, paddr, pgsize, pgcount, prot, DMP_GFP_KERNEL,
				     &m);
	if (mapped)
		*mapped = m;
	else if (!err)
		assert_int_equal(m, pgsize * pgcount);
	return err;
}

static size_t pt_unmap(struct pt *pt, dmp_addr_t iova, size_t pgsize, size_t pgcount)
{
	return pt->ops->unmap_pages(pt->ops, iova, pgsize, pgcount, NULL);
}

static int walk(struct pt *pt, dmp_addr_t iova, unsigned int acc, struct dmp__lpae_walk_result *r)
{
	return dmp__lpae_walk(pt->sim, &pt->walk, iova, acc, r);
}

/*
 * @iova translates to @phys through a leaf of @leaf_size with @prot, by
 * iova_to_phys and by the walker: reads allowed, writes only with
 * DMP_IOMMU_WRITE, unprivileged accesses only without DMP_IOMMU_PRIV.
 */
static void expect_mapped(struct pt *pt, dmp_addr_t iova, dmp_phys_t phys, uint64_t leaf_size,
			  int prot)
{
	dmp_phys_t got = ~(dmp_phys_t)0;
	assert_int_equal(pt->ops->iova_to_phys(pt->ops, iova, &got), 0);
	assert_int_equal(got, phys);

	struct dmp__lpae_walk_result r;
	unsigned int priv = (prot & DMP_IOMMU_PRIV) ? DMP__LPAE_ACC_PRIV : 0;
	int err = walk(pt, iova, DMP__LPAE_ACC_READ | priv, &r);
	if (err)
		fail_msg("walker: iova %#llx: %s fault at level %d (pte %#llx)",
			 (unsigned long long)iova, dmp__lpae_fault_name(r.fault), r.level,
			 (unsigned long long)r.pte);
	assert_int_equal(r.phys, phys);
	assert_int_equal(r.leaf_size, leaf_size);
	bool writable = prot & DMP_IOMMU_WRITE;
	assert_int_equal(r.write, writable);
	assert_int_equal(r.unpriv, !(prot & DMP_IOMMU_PRIV));
	assert_true(r.af);
	assert_true(r.ng);

	err = walk(pt, iova, DMP__LPAE_ACC_WRITE | priv, &r);
	if (writable) {
		assert_int_equal(err, 0);
	} else {
		assert_int_equal(err, -EACCES);
		assert_int_equal(r.fault, DMP__LPAE_FAULT_PERMISSION);
	}
	if (prot & DMP_IOMMU_PRIV) {
		assert_int_equal(walk(pt, iova, DMP__LPAE_ACC_READ, &r), -EACCES);
		assert_int_equal(r.fault, DMP__LPAE_FAULT_PERMISSION);
	}
}

static void expect_unmapped(struct pt *pt, dmp_addr_t iova)
{
	dmp_phys_t got;
	assert_int_equal(pt->ops->iova_to_phys(pt->ops, iova, &got), -ENOENT);
	struct dmp__lpae_walk_result r;
	assert_int_equal(walk(pt, iova, DMP__LPAE_ACC_READ | DMP__LPAE_ACC_PRIV, &r), -ENXIO);
	assert_int_equal(r.fault, DMP__LPAE_FAULT_TRANSLATION);
}

static unsigned int nr_sizes(uint64_t bitmap)
{
	return (unsigned int)__builtin_popcountll(bitmap);
}

static uint64_t nth_size(uint64_t bitmap, unsigned int n)
{
	for (unsigned int b = 0; b < 64; b++)
		if ((bitmap >> b) & 1) {
			if (n == 0)
				return UINT64_C(1) << b;
			n--;
		}
	return 0;
}

/*
 * Linux's arm_lpae_run_tests for one configuration, every step also checked
 * by the walker.  Sizes are mapped at 0, 1G, 2G... with paddr = iova.
 */
static void selftest_one(struct dmp_sim *sim, uint64_t bitmap, unsigned int ias, unsigned int oas,
			 bool coherent)
{
	struct pt pt;
	size_t free_before = dmp_page_free_count();
	pt_make(&pt, sim, bitmap, ias, oas, coherent);
	bitmap = pt.cfg.pgsize_bitmap;
	assert_int_equal(bitmap & ~granule_bitmaps[0] & ~granule_bitmaps[1] & ~granule_bitmaps[2],
			 0);

	/* Empty tables translate nothing. */
	expect_unmapped(&pt, 42);
	expect_unmapped(&pt, SZ_1G + 42);
	expect_unmapped(&pt, 2 * SZ_1G + 42);

	/* Distinct mappings of each size. */
	dmp_addr_t iova = 0;
	for (unsigned int j = 0; j < nr_sizes(bitmap); j++, iova += SZ_1G) {
		uint64_t size = nth_size(bitmap, j);
		int prot = RW | DMP_IOMMU_NOEXEC | DMP_IOMMU_CACHE;
		assert_int_equal(pt_map(&pt, iova, iova, size, 1, prot, NULL), 0);
		/* Overlapping mappings fail and change nothing. */
		size_t mapped;
		assert_int_equal(pt_map(&pt, iova, iova + size, size, 1,
					DMP_IOMMU_READ | DMP_IOMMU_NOEXEC, &mapped),
				 -EEXIST);
		assert_int_equal(mapped, 0);
		expect_mapped(&pt, iova + 42, iova + 42, size, prot);
		expect_mapped(&pt, iova + size - 1, iova + size - 1, size, prot);
		struct dmp__lpae_walk_result r;
		assert_int_equal(walk(&pt, iova, DMP__LPAE_ACC_READ, &r), 0);
		assert_true(r.pxn && r.uxn);
		assert_int_equal(r.attr_index, DMP_ARM_LPAE_MAIR_IDX_CACHE);
		assert_int_equal(r.sh, 3);
		assert_int_equal(walk(&pt, iova, DMP__LPAE_ACC_EXEC, &r), -EACCES);
		if (size < SZ_1G)
			expect_unmapped(&pt, iova + size);
	}

	/* Full unmap, then remap: write-only (stage 1 maps it read-write)
	 * and read-only. */
	iova = 0;
	for (unsigned int j = 0; j < nr_sizes(bitmap); j++, iova += SZ_1G) {
		uint64_t size = nth_size(bitmap, j);
		assert_int_equal(pt_unmap(&pt, iova, size, 1), size);
		expect_unmapped(&pt, iova + 42);
		assert_int_equal(pt_unmap(&pt, iova, size, 1), 0);

		assert_int_equal(pt_map(&pt, iova, iova, size, 1, DMP_IOMMU_WRITE, NULL), 0);
		expect_mapped(&pt, iova + 42, iova + 42, size, RW);
		assert_int_equal(pt_unmap(&pt, iova, size, 1), size);

		assert_int_equal(pt_map(&pt, iova, iova, size, 1, DMP_IOMMU_READ, NULL), 0);
		expect_mapped(&pt, iova + 42, iova + 42, size, DMP_IOMMU_READ);
		struct dmp__lpae_walk_result r;
		assert_int_equal(walk(&pt, iova + 42, DMP__LPAE_ACC_READ, &r), 0);
		assert_int_equal(r.attr_index, DMP_ARM_LPAE_MAIR_IDX_NC);
		assert_int_equal(r.sh, 2);
		assert_false(r.pxn || r.uxn);
	}

	/* The last page of each size below 2^ias (paddr folded below 2^oas). */
	for (unsigned int j = 0; j < nr_sizes(bitmap); j++) {
		uint64_t size = nth_size(bitmap, j);
		iova = DMP_BIT_MASK(ias) + 1 - size;
		dmp_phys_t pa = iova & DMP_BIT_MASK(oas);
		size_t mapped = 0;
		assert_int_equal(pt_map(&pt, iova, pa, size, 1, RW | DMP_IOMMU_NOEXEC, &mapped), 0);
		assert_int_equal(mapped, size);
		expect_mapped(&pt, iova + size - 1, pa + size - 1, size, RW);
		/* One past it is beyond the input size. */
		assert_int_equal(pt_map(&pt, iova + size, pa, size, 1, RW, &mapped), -ERANGE);
		struct dmp__lpae_walk_result r;
		assert_int_equal(walk(&pt, iova + size, DMP__LPAE_ACC_READ, &r), -ENXIO);
		assert_int_equal(r.fault, DMP__LPAE_FAULT_TRANSLATION);
		assert_int_equal(pt_unmap(&pt, iova, size, 1), size);
		expect_unmapped(&pt, iova);
	}

	/* An output address beyond oas is refused. */
	if (oas < 48) {
		uint64_t size = nth_size(bitmap, 0);
		assert_int_equal(pt_map(&pt, 0, DMP_BIT_MASK(oas) + 1, size, 1, RW, NULL), -ERANGE);
		assert_int_equal(pt_map(&pt, 0, DMP_BIT_MASK(oas) + 1 - size, size, 2, RW, NULL),
				 -ERANGE);
	}

	struct dmp_io_pgtable_stats st;
	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st), 0);
	assert_int_equal(st.leaves, nr_sizes(bitmap));
	pt_free(&pt);
	assert_int_equal(dmp_page_free_count(), free_before);
}

static void test_selftest_sweep(void **state)
{
	(void)state;
	for (unsigned int g = 0; g < DMP_ARRAY_SIZE(granule_bitmaps); g++) {
		struct dmp_sim *sim = fixture_sim(NULL);
		unsigned int n = 0;
		for (unsigned int i = 0; i < DMP_ARRAY_SIZE(addr_sizes); i++)
			for (unsigned int o = 0; o < DMP_ARRAY_SIZE(addr_sizes); o++, n++)
				selftest_one(sim, granule_bitmaps[g], addr_sizes[i], addr_sizes[o],
					     n % 2 == 0);
		dmp_sim_destroy(sim);
	}
}

/* The values for the hardware: TCR fields, TTBR, MAIR, restricted sizes. */
static void test_cfg_output(void **state)
{
	struct dmp_sim *sim = *state;
	struct pt pt;

	pt_make(&pt, sim, SZ_4K | SZ_16K | SZ_64K | SZ_2M | SZ_32M | SZ_1G, 48, 40, false);
	assert_int_equal(pt.cfg.pgsize_bitmap, SZ_4K | SZ_2M | SZ_1G);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.tg, DMP_ARM_LPAE_TCR_TG0_4K);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.tsz, 16);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.ips, 2);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.sh, DMP_ARM_LPAE_TCR_SH_OS);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.irgn, DMP_ARM_LPAE_TCR_RGN_NC);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.orgn, DMP_ARM_LPAE_TCR_RGN_NC);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.value,
			 16 | (UINT64_C(2) << 12) | (UINT64_C(1) << 23) | (UINT64_C(2) << 32));
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.mair, 0x04ff44);
	assert_true(DMP_IS_ALIGNED(pt.cfg.arm_lpae_s1_cfg.ttbr, DMP_PAGE_SIZE));
	assert_true(pt.cfg.arm_lpae_s1_cfg.ttbr < (UINT64_C(1) << 40));
	pt_free(&pt);

	pt_make(&pt, sim, SZ_16K | SZ_64K | SZ_32M | SZ_512M, 36, 48, true);
	assert_int_equal(pt.cfg.pgsize_bitmap, SZ_16K | SZ_32M);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.tg, DMP_ARM_LPAE_TCR_TG0_16K);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.tsz, 28);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.ips, 5);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.sh, DMP_ARM_LPAE_TCR_SH_IS);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.irgn, DMP_ARM_LPAE_TCR_RGN_WBWA);
	pt_free(&pt);

	pt_make(&pt, sim, SZ_64K, 42, 42, true);
	assert_int_equal(pt.cfg.pgsize_bitmap, SZ_64K);
	assert_int_equal(pt.cfg.arm_lpae_s1_cfg.tcr.tg, DMP_ARM_LPAE_TCR_TG0_64K);
	pt_free(&pt);

	/* Impossible configurations. */
	assert_int_equal(pt_try_make(&pt, sim, SZ_2M | SZ_1G, 48, 48, true), -EINVAL);
	assert_int_equal(pt_try_make(&pt, sim, SZ_4K, 49, 48, true), -EINVAL);
	assert_int_equal(pt_try_make(&pt, sim, SZ_4K, 31, 48, true), -EINVAL);
	assert_int_equal(pt_try_make(&pt, sim, SZ_4K, 48, 38, true), -EINVAL);
	assert_int_equal(pt_try_make(&pt, sim, SZ_4K, 48, 52, true), -EINVAL);
	struct dmp_io_pgtable_cfg cfg = { .pgsize_bitmap = SZ_4K, .ias = 48, .oas = 48 };
	struct dmp_io_pgtable_ops *ops;
	assert_int_equal(dmp_alloc_io_pgtable_ops(NULL, &cfg, NULL, &ops),
			 -EINVAL);
	dmp_free_io_pgtable_ops(NULL);

	/* Without TLB callbacks, everything still works. */
	cfg.coherent_walk = true;
	assert_int_equal(dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &cfg, NULL, &ops), 0);
	size_t mapped;
	assert_int_equal(ops->map_pages(ops, 0, 0, SZ_4K, 1, RW, DMP_GFP_KERNEL, &mapped), 0);
	assert_int_equal(ops->unmap_pages(ops, 0, SZ_4K, 1, NULL), SZ_4K);
	dmp_free_io_pgtable_ops(ops);
}

/* Every DMP_IOMMU_* flag as the walker decodes it. */
static void test_prot_encoding(void **state)
{
	struct dmp_sim *sim = *state;
	struct pt pt;
	struct dmp__lpae_walk_result r;
	pt_make(&pt, sim, SZ_4K | SZ_2M | SZ_1G, 40, 40, false);

	assert_int_equal(pt_map(&pt, 0x1000, 0x5000, SZ_4K, 1, DMP_IOMMU_READ | DMP_IOMMU_MMIO, NULL),
			 0);
	assert_int_equal(walk(&pt, 0x1000, DMP__LPAE_ACC_READ, &r), 0);
	assert_int_equal(r.attr_index, DMP_ARM_LPAE_MAIR_IDX_DEV);
	assert_int_equal(r.sh, 2);
	assert_false(r.write);
	assert_false(r.ns);
	/* Executable unless NOEXEC; read-only memory may be fetched. */
	assert_int_equal(walk(&pt, 0x1000, DMP__LPAE_ACC_EXEC, &r), 0);

	assert_int_equal(pt_map(&pt, 0x2000, 0x6000, SZ_4K, 1,
				RW | DMP_IOMMU_PRIV | DMP_IOMMU_CACHE, NULL), 0);
	expect_mapped(&pt, 0x2000, 0x6000, SZ_4K, RW | DMP_IOMMU_PRIV);
	assert_int_equal(walk(&pt, 0x2000, DMP__LPAE_ACC_WRITE | DMP__LPAE_ACC_PRIV, &r), 0);
	assert_int_equal(r.attr_index, DMP_ARM_LPAE_MAIR_IDX_CACHE);
	assert_int_equal(r.sh, 3);
	/* Privileged execution of privileged, writable memory is allowed. */
	assert_int_equal(walk(&pt, 0x2000, DMP__LPAE_ACC_EXEC | DMP__LPAE_ACC_PRIV, &r), 0);

	/* MMIO overrides CACHE for the memory type. */
	assert_int_equal(pt_map(&pt, 0x3000, 0x7000, SZ_4K, 1,
				RW | DMP_IOMMU_MMIO | DMP_IOMMU_CACHE | DMP_IOMMU_NOEXEC, NULL), 0);
	assert_int_equal(walk(&pt, 0x3000, DMP__LPAE_ACC_WRITE, &r), 0);
	assert_int_equal(r.attr_index, DMP_ARM_LPAE_MAIR_IDX_DEV);
	assert_int_equal(walk(&pt, 0x3000, DMP__LPAE_ACC_EXEC | DMP__LPAE_ACC_PRIV, &r), -EACCES);
	pt_free(&pt);

	/* The NS quirk. */
	memset(&pt, 0, sizeof(pt));
	pt.sim = sim;
	pt.cfg = (struct dmp_io_pgtable_cfg){ .quirks = DMP_IO_PGTABLE_QUIRK_ARM_NS,
					      .pgsize_bitmap = SZ_4K, .ias = 32, .oas = 32,
					      .coherent_walk = true, .tlb = &tlb_ops };
	assert_int_equal(dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &pt.cfg, &pt.tlb, &pt.ops), 0);
	pt.walk = (struct dmp__lpae_walk_cfg){ pt.cfg.arm_lpae_s1_cfg.ttbr, 0, 32, 0, true };
	assert_int_equal(pt_map(&pt, 0, 0, SZ_4K, 1, RW, NULL), 0);
	assert_int_equal(walk(&pt, 0, DMP__LPAE_ACC_READ, &r), 0);
	assert_true(r.ns);
	assert_int_equal(dmp_io_pgtable_check(pt.ops, NULL), 0);
	pt_free(&pt);
	pt.cfg.quirks = 0x80;
	assert_int_equal(dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &pt.cfg, &pt.tlb, &pt.ops),
			 -EINVAL);
}

/* Bad arguments, overlaps, batches across tables, partial blocks. */
static void test_map_unmap_rules(void **state)
{
	struct dmp_sim *sim = *state;
	struct pt pt;
	size_t mapped;
	pt_make(&pt, sim, SZ_4K | SZ_2M | SZ_1G, 39, 40, false);

	assert_int_equal(pt_map(&pt, 0x1000, 0, SZ_4K * 2, 1, RW, &mapped), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x800, 0, SZ_4K, 1, RW, &mapped), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0x800, SZ_4K, 1, RW, &mapped), -EINVAL);
	assert_int_equal(pt_map(&pt, SZ_4K, 0, SZ_2M, 1, RW, &mapped), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, SZ_4K, 0, RW, &mapped), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, SZ_4K, 1, DMP_IOMMU_CACHE, &mapped), -EINVAL);
	assert_int_equal(mapped, 0);
	assert_int_equal(pt_map(&pt, UINT64_C(1) << 39, 0, SZ_4K, 1, RW, &mapped), -ERANGE);
	assert_int_equal(pt_map(&pt, (UINT64_C(1) << 39) - SZ_4K, 0, SZ_4K, 2, RW, &mapped), -ERANGE);
	assert_int_equal(pt_map(&pt, 0, 0, SZ_4K, SIZE_MAX, RW, &mapped), -ERANGE);
	assert_int_equal(pt_unmap(&pt, 0x800, SZ_4K, 1), 0);
	assert_int_equal(pt_unmap(&pt, 0, SZ_4K * 2, 1), 0);
	dmp_phys_t phys;
	assert_int_equal(pt.ops->iova_to_phys(pt.ops, UINT64_C(1) << 39, &phys), -ERANGE);

	/* A batch of 1000 pages crossing a 2M table boundary. */
	dmp_addr_t base = SZ_1G - 500 * SZ_4K;
	assert_int_equal(pt_map(&pt, base, 0x40000000, SZ_4K, 1000, RW, &mapped), 0);
	assert_int_equal(mapped, 1000 * SZ_4K);
	for (size_t i = 0; i < 1000; i += 37)
		expect_mapped(&pt, base + i * SZ_4K + 7, 0x40000000 + i * SZ_4K + 7, SZ_4K, RW);
	expect_mapped(&pt, base + 999 * SZ_4K, 0x40000000 + 999 * SZ_4K, SZ_4K, RW);
	expect_unmapped(&pt, base - SZ_4K);
	expect_unmapped(&pt, base + 1000 * SZ_4K);

	/* Overlap in the middle of a batch: what came before stays mapped. */
	assert_int_equal(pt_map(&pt, base - 10 * SZ_4K, 0, SZ_4K, 20, RW, &mapped), -EEXIST);
	assert_int_equal(mapped, 10 * SZ_4K);
	expect_mapped(&pt, base - SZ_4K, 9 * SZ_4K, SZ_4K, RW);
	expect_mapped(&pt, base, 0x40000000, SZ_4K, RW);
	/* A block over pages, pages under a block. */
	assert_int_equal(pt_map(&pt, SZ_1G, 0, SZ_2M, 1, RW, &mapped), -EEXIST);
	assert_int_equal(pt_map(&pt, 4 * SZ_2M, 4 * SZ_2M, SZ_2M, 1, RW, NULL), 0);
	assert_int_equal(pt_map(&pt, 4 * SZ_2M + SZ_4K, 0, SZ_4K, 1, RW, &mapped), -EEXIST);
	assert_int_equal(mapped, 0);
	assert_int_equal(pt_map(&pt, 0, 0, SZ_1G, 1, RW, &mapped), -EEXIST);

	/* Unmapping part of a block splits it: the rest stays mapped, as
	 * pages with the same attributes, and the block's walks are flushed. */
	unsigned int walks = pt.tlb.flush_walk;
	struct dmp_io_pgtable_stats st0, st1;
	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st0), 0);
	assert_int_equal(pt_unmap(&pt, 4 * SZ_2M + SZ_4K, SZ_4K, 1), SZ_4K);
	assert_int_equal(pt.tlb.flush_walk, walks + 1);
	assert_int_equal(pt.tlb.walk_iova, 4 * SZ_2M);
	assert_int_equal(pt.tlb.walk_size, SZ_2M);
	assert_int_equal(pt.tlb.last_iova, 4 * SZ_2M + SZ_4K);
	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st1), 0);
	assert_int_equal(st1.tables, st0.tables + 1);
	assert_int_equal(st1.leaves, st0.leaves - 1 + 511);
	expect_unmapped(&pt, 4 * SZ_2M + SZ_4K);
	expect_mapped(&pt, 4 * SZ_2M + 5, 4 * SZ_2M + 5, SZ_4K, RW);
	expect_mapped(&pt, 4 * SZ_2M + 2 * SZ_4K, 4 * SZ_2M + 2 * SZ_4K, SZ_4K, RW);
	expect_mapped(&pt, 5 * SZ_2M - 1, 5 * SZ_2M - 1, SZ_4K, RW);
	assert_int_equal(pt_unmap(&pt, 4 * SZ_2M, SZ_2M, 1), SZ_2M);
	expect_unmapped(&pt, 4 * SZ_2M);

	/* Unmap stops at the first hole and says how far it got. */
	assert_int_equal(pt_unmap(&pt, base - 10 * SZ_4K, SZ_4K, 2000), 1010 * SZ_4K);
	expect_unmapped(&pt, base);
	expect_unmapped(&pt, base + 999 * SZ_4K);

	/* The level-3 tables left empty are replaced by a block. */
	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st0), 0);
	assert_int_equal(st0.leaves, 0);
	walks = pt.tlb.flush_walk;
	assert_int_equal(pt_map(&pt, SZ_1G - SZ_2M, 0x200000, SZ_2M, 2, RW, NULL), 0);
	assert_int_equal(pt.tlb.flush_walk, walks + 2);
	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st1), 0);
	assert_int_equal(st1.tables, st0.tables - 2);
	assert_int_equal(st1.leaves, 2);
	expect_mapped(&pt, SZ_1G - SZ_2M + 5, 0x200005, SZ_2M, RW);
	expect_mapped(&pt, SZ_1G + 5, 0x400005, SZ_2M, RW);

	/* A 2M unmap over a table of pages takes the table and its pages. */
	assert_int_equal(pt_map(&pt, 8 * SZ_2M, 0, SZ_4K, 3, RW, NULL), 0);
	assert_int_equal(pt_map(&pt, 8 * SZ_2M + 100 * SZ_4K, 0, SZ_4K, 1, RW, NULL), 0);
	walks = pt.tlb.flush_walk;
	assert_int_equal(pt_unmap(&pt, 8 * SZ_2M, SZ_2M, 1), SZ_2M);
	assert_int_equal(pt.tlb.flush_walk, walks + 1);
	assert_int_equal(pt.tlb.walk_iova, 8 * SZ_2M);
	assert_int_equal(pt.tlb.walk_size, SZ_2M);
	assert_int_equal(pt.tlb.walk_granule, SZ_4K);
	expect_unmapped(&pt, 8 * SZ_2M);
	expect_unmapped(&pt, 8 * SZ_2M + 100 * SZ_4K);

	/* Leaf unmaps queue one invalidation per page, with the gather. */
	assert_int_equal(pt_map(&pt, 16 * SZ_2M, 0, SZ_4K, 5, RW, NULL), 0);
	unsigned int adds = pt.tlb.add_page;
	struct dmp_iommu_iotlb_gather *g = (struct dmp_iommu_iotlb_gather *)&pt;
	assert_int_equal(pt.ops->unmap_pages(pt.ops, 16 * SZ_2M, SZ_4K, 5, g), 5 * SZ_4K);
	assert_int_equal(pt.tlb.add_page, adds + 5);
	assert_int_equal(pt.tlb.last_iova, 16 * SZ_2M + 4 * SZ_4K);
	assert_int_equal(pt.tlb.last_granule, SZ_4K);
	assert_ptr_equal(pt.tlb.last_gather, g);

	assert_int_equal(dmp_io_pgtable_check(pt.ops, NULL), 0);
	pt_free(&pt);
}

/*
 * Cache maintenance.  The walker that does not snoop reads DRAM: what the
 * CPU stored without a clean is not there.
 */
static void test_noncoherent_visibility(void **state)
{
	struct dmp_sim *sim = *state;
	struct pt pt;
	struct dmp__lpae_walk_result r;

	/* A table built for a coherent walker is never cleaned: a walker
	 * reading DRAM sees nothing, one snooping the caches sees it all. */
	pt_make(&pt, sim, SZ_4K | SZ_2M | SZ_1G, 48, 48, true);
	assert_int_equal(pt_map(&pt, 0x10000, 0x90000, SZ_4K, 1, RW, NULL), 0);
	expect_mapped(&pt, 0x10000, 0x90000, SZ_4K, RW);
	pt.walk.coherent = false;
	assert_int_equal(walk(&pt, 0x10000, DMP__LPAE_ACC_READ, &r), -ENXIO);
	assert_int_equal(r.fault, DMP__LPAE_FAULT_TRANSLATION);
	assert_int_equal(r.level, 0);
	pt_free(&pt);

	/* For a non-coherent walker every table line is clean after a map. */
	pt_make(&pt, sim, SZ_4K | SZ_2M | SZ_1G, 48, 48, false);
	assert_int_equal(pt_map(&pt, 0x10000, 0x90000, SZ_4K, 2, RW, NULL), 0);
	expect_mapped(&pt, 0x10000, 0x90000, SZ_4K, RW);
	assert_int_equal(walk(&pt, 0x10000, DMP__LPAE_ACC_READ, &r), 0);
	dmp_phys_t slot = r.desc_addr + 2 * 8; /* the entry of IOVA 0x12000 */
	int st = dmp_sim_line_state(sim, r.desc_addr);
	assert_true(st >= 0);
	assert_false(st & (DMP_SIM_LINE_CPU_DIRTY | DMP_SIM_LINE_OUTER_DIRTY));

	/* A descriptor stored by the CPU without the clean: the CPU's
	 * iova_to_phys sees it, the DRAM walker does not. */
	uint64_t pte = r.pte - 0x90000 + 0xa0000;
	_Atomic uint64_t *va = dmp_phys_to_virt(slot);
	*va = pte;
	dmp_phys_t phys;
	assert_int_equal(pt.ops->iova_to_phys(pt.ops, 0x12000, &phys), 0);
	assert_int_equal(phys, 0xa0000);
	assert_int_equal(walk(&pt, 0x12000, DMP__LPAE_ACC_READ, &r), -ENXIO);
	assert_int_equal(r.fault, DMP__LPAE_FAULT_TRANSLATION);
	assert_int_equal(r.level, 3);
	pt.walk.coherent = true;
	assert_int_equal(walk(&pt, 0x12000, DMP__LPAE_ACC_READ, &r), 0);
	pt.walk.coherent = false;
	/* Inner clean alone leaves it in the outer cache; both make it visible. */
	dmp__platform.ops->dcache_clean(dmp__platform.ctx, (void *)va, 8);
	assert_int_equal(walk(&pt, 0x12000, DMP__LPAE_ACC_READ, &r), -ENXIO);
	dmp_arch_sync_for_device(slot, (void *)va, 8, DMP_TO_DEVICE);
	assert_int_equal(walk(&pt, 0x12000, DMP__LPAE_ACC_READ, &r), 0);
	assert_int_equal(r.phys, 0xa0000);
	*va = 0; /* give the page back to the format's bookkeeping */
	dmp_arch_sync_for_device(slot, (void *)va, 8, DMP_TO_DEVICE);

	/* Unmap is cleaned too: the walker reading DRAM loses the page. */
	assert_int_equal(pt_unmap(&pt, 0x10000, SZ_4K, 1), SZ_4K);
	expect_unmapped(&pt, 0x10000);

	/* A table page reused after a free holds stale descriptors in DRAM:
	 * the format must clean the zeroed page before linking it. */
	assert_int_equal(pt_map(&pt, SZ_1G, 0x200000, SZ_4K, 512, RW, NULL), 0);
	assert_int_equal(pt_unmap(&pt, SZ_1G, SZ_2M, 1), SZ_2M); /* frees the level-3 table */
	assert_int_equal(pt_map(&pt, 2 * SZ_1G, 0x400000, SZ_4K, 1, RW, NULL), 0);
	for (dmp_addr_t a = 2 * SZ_1G + SZ_4K; a < 2 * SZ_1G + SZ_2M; a += 61 * SZ_4K)
		expect_unmapped(&pt, a);
	assert_int_equal(dmp_io_pgtable_check(pt.ops, NULL), 0);
	pt_free(&pt);
}

/* --- random sequences against a reference model ------------------------- */

/*
 * The model: one entry per page of the granule in a window that straddles
 * a level boundary.  @leaf is the size of the leaf that maps the page (0:
 * unmapped).
 */
struct model_page {
	dmp_phys_t phys;
	uint64_t leaf;
	int prot;
};

/* @table[c]: a next-level table hangs under block-sized chunk c (possibly
 * empty: unmapping pages keeps it, as Linux).  Chunk c is at base + c *
 * stride: stride == block is one window; a larger stride spreads the chunks
 * so that the tables under them fall on the same entries of the format's
 * table cache (each lookup of one evicts another's). */
struct model {
	dmp_addr_t base;
	uint64_t page, block, stride;
	size_t npages, per_block;
	struct model_page *p;
	bool *table;
};

static dmp_addr_t model_iova(const struct model *m, size_t i)
{
	return m->base + (i / m->per_block) * m->stride + (i % m->per_block) * m->page;
}

static size_t model_leaves(const struct model *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->npages; i++)
		n += m->p[i].leaf == m->page || (m->p[i].leaf && i % m->per_block == 0);
	return n;
}

static void model_check_page(struct pt *pt, struct model *m, size_t i)
{
	dmp_addr_t iova = model_iova(m, i);
	struct model_page *e = &m->p[i];
	if (!e->leaf) {
		expect_unmapped(pt, iova + 8);
		return;
	}
	expect_mapped(pt, iova + 8, e->phys + 8, e->leaf, e->prot);
}

static const int model_prots[] = {
	DMP_IOMMU_READ, RW, RW | DMP_IOMMU_CACHE, DMP_IOMMU_READ | DMP_IOMMU_PRIV,
	RW | DMP_IOMMU_NOEXEC | DMP_IOMMU_PRIV,
};

static void model_map(struct pt *pt, struct model *m, size_t first, bool use_block, size_t count,
		      dmp_phys_t pa, int prot)
{
	uint64_t size = use_block ? m->block : m->page;
	size_t step = use_block ? m->per_block : 1;
	size_t ok = 0; /* leading leaves of @size that the model lets map */
	for (; ok < count; ok++) {
		size_t at = first + ok * step;
		bool busy = false;
		for (size_t k = 0; k < step; k++)
			busy |= m->p[at + k].leaf != 0;
		if (busy)
			break;
	}
	size_t mapped;
	int err = pt_map(pt, model_iova(m, first), pa, size, count, prot, &mapped);
	assert_int_equal(err, ok == count ? 0 : -EEXIST);
	assert_int_equal(mapped, ok * size);
	for (size_t c = 0; c < ok; c++) {
		for (size_t k = 0; k < step; k++) {
			struct model_page *e = &m->p[first + c * step + k];
			e->phys = pa + c * size + k * m->page;
			e->leaf = size;
			e->prot = prot;
		}
		if (use_block)
			m->table[(first + c * step) / m->per_block] = false; /* empty one replaced */
	}
	if (!use_block) {
		/* Tables were allocated up to the page that failed, unless a
		 * block stood in the way. */
		for (size_t c = 0; c < DMP_MIN(ok + 1, count); c++) {
			size_t chunk = (first + c) / m->per_block;
			if (m->p[chunk * m->per_block].leaf != m->block)
				m->table[chunk] = true;
		}
	}
}

static void model_unmap(struct pt *pt, struct model *m, size_t first, bool use_block,
			size_t count)
{
	size_t n = 0;
	if (use_block) {
		/* a block or a table under each chunk, until one has neither */
		while (n < count) {
			size_t chunk = first / m->per_block + n;
			if (!m->table[chunk] && m->p[chunk * m->per_block].leaf != m->block)
				break;
			m->table[chunk] = false;
			for (size_t k = 0; k < m->per_block; k++)
				m->p[chunk * m->per_block + k].leaf = 0;
			n++;
		}
		assert_int_equal(pt_unmap(pt, model_iova(m, first), m->block, count),
				 n * m->block);
	} else {
		/* page leaves, up to the first hole; blocks on the way split */
		while (n < count) {
			size_t i = first + n;
			if (m->p[i].leaf == m->block) {
				size_t c0 = i - i % m->per_block;
				for (size_t k = 0; k < m->per_block; k++)
					m->p[c0 + k].leaf = m->page;
				m->table[i / m->per_block] = true;
			}
			if (m->p[i].leaf != m->page)
				break;
			m->p[first + n++].leaf = 0;
		}
		assert_int_equal(pt_unmap(pt, model_iova(m, first), m->page, count),
				 n * m->page);
	}
}

/* @spread: the chunks 64 blocks apart (struct model), not side by side. */
static void random_run(struct dmp_sim *sim, uint64_t bitmap, bool coherent, uint64_t seed,
		       unsigned int steps, bool spread)
{
	struct pt pt;
	pt_make(&pt, sim, bitmap, 40, 40, coherent);
	struct model m = { .page = nth_size(pt.cfg.pgsize_bitmap, 0),
			   .block = nth_size(pt.cfg.pgsize_bitmap, 1) };
	m.stride = spread ? 64 * m.block : m.block;
	m.per_block = m.block / m.page;
	m.npages = 8 * m.per_block;
	/* The window straddles a level-1 boundary (4K, 16K) or a level-2 one. */
	m.base = (m.block == SZ_2M ? SZ_1G * 8 : m.block == SZ_32M ? UINT64_C(1) << 36 : UINT64_C(1) << 34) -
		 4 * m.block;
	m.p = test_calloc(m.npages, sizeof(*m.p));
	m.table = test_calloc(8, sizeof(*m.table));
	uint64_t rng = seed;

	for (unsigned int step = 0; step < steps; step++) {
		uint64_t r = fixture_rand(&rng);
		bool use_block = r % 4 == 0;
		size_t count = use_block ? 1 + (r >> 8) % 2 : 1 + (r >> 8) % 24;
		size_t span = count * (use_block ? m.per_block : 1);
		size_t first = (size_t)((r >> 16) % (m.npages - span + 1));
		if (use_block)
			first -= first % m.per_block;
		if (spread) {
			/* a call's IOVAs are contiguous: one chunk at a time */
			size_t room = use_block ? 1 : m.per_block - first % m.per_block;
			count = DMP_MIN(count, room);
			span = count * (use_block ? m.per_block : 1);
		}
		uint64_t size = use_block ? m.block : m.page;

		if ((r >> 40) % 2 == 0) {
			dmp_phys_t pa = (fixture_rand(&rng) % (UINT64_C(1) << 39)) & ~(size - 1);
			int prot = model_prots[(r >> 42) % DMP_ARRAY_SIZE(model_prots)];
			model_map(&pt, &m, first, use_block, count, pa, prot);
		} else {
			model_unmap(&pt, &m, first, use_block, count);
		}

		/* Consistency walker; the touched pages and a sample, both ways. */
		struct dmp_io_pgtable_stats st;
		assert_int_equal(dmp_io_pgtable_check(pt.ops, &st), 0);
		assert_int_equal(st.leaves, model_leaves(&m));
		for (size_t k = 0; k < span; k += (span > 64 ? span / 64 : 1))
			model_check_page(&pt, &m, first + k);
		model_check_page(&pt, &m, first + span - 1);
		for (int k = 0; k < 16; k++)
			model_check_page(&pt, &m, (size_t)(fixture_rand(&rng) % m.npages));
	}
	for (size_t i = 0; i < m.npages; i += (m.npages > 8192 ? 7 : 1))
		model_check_page(&pt, &m, i);
	test_free(m.table);
	test_free(m.p);
	pt_free(&pt);
}

static void test_random_vs_model(void **state)
{
	(void)state;
	size_t free_before;
	for (unsigned int g = 0; g < DMP_ARRAY_SIZE(granule_bitmaps); g++) {
		for (int coherent = 0; coherent < 2; coherent++) {
			for (int spread = 0; spread < 2; spread++) {
				struct dmp_sim *sim = fixture_sim(NULL);
				free_before = dmp_page_free_count();
				random_run(sim, granule_bitmaps[g], coherent,
					   0x9e3779b97f4a7c15ull + g * 4 + (uint64_t)coherent * 2 +
						   (uint64_t)spread,
					   g == 0 ? 1500 : 400, spread);
				assert_int_equal(dmp_page_free_count(), free_before);
				dmp_sim_destroy(sim);
			}
		}
	}
}

/*
 * The one-leaf paths: a single page or block, aligned, in a table the
 * per-level table cache names, is mapped and unmapped without a walk.
 * Everything else - a missing table, a cache entry whose table was freed
 * (a block replaced it, a larger unmap took it, its page went to another
 * range), two tables on one cache entry, a block to split, any refusal -
 * must fall back to the general path and come out the same, as the
 * walker (reading DRAM when the walk is not coherent) sees it.
 */
static void one_leaf_run(struct dmp_sim *sim, uint64_t bitmap, unsigned int ias, bool coherent)
{
	struct pt pt;
	size_t mapped;
	size_t free_before = dmp_page_free_count();
	pt_make(&pt, sim, bitmap, ias, 40, coherent);
	const uint64_t page = nth_size(pt.cfg.pgsize_bitmap, 0);
	const uint64_t block = nth_size(pt.cfg.pgsize_bitmap, 1);
	const dmp_addr_t c = 3 * block; /* a chunk: one block, or a table of pages */
	const dmp_phys_t pa = UINT64_C(1) << 36;
	struct dmp_io_pgtable_stats st0, st1;

	/* Cold (the tables walked to and allocated), then hot (cached). */
	assert_int_equal(pt_map(&pt, c, pa, page, 1, RW, NULL), 0);
	assert_int_equal(pt_map(&pt, c + page, pa + page, page, 1, RW, NULL), 0);
	expect_mapped(&pt, c + 7, pa + 7, page, RW);
	expect_mapped(&pt, c + page + 7, pa + page + 7, page, RW);
	/* Over a mapped page: refused, the page kept. */
	assert_int_equal(pt_map(&pt, c + page, 0, page, 1, DMP_IOMMU_READ, &mapped), -EEXIST);
	assert_int_equal(mapped, 0);
	expect_mapped(&pt, c + page, pa + page, page, RW);
	/* A hot unmap: cleared, cleaned, one invalidation queued. */
	unsigned int adds = pt.tlb.add_page;
	struct dmp_iommu_iotlb_gather *g = (struct dmp_iommu_iotlb_gather *)&pt;
	assert_int_equal(pt.ops->unmap_pages(pt.ops, c + page, page, 1, g), page);
	assert_int_equal(pt.tlb.add_page, adds + 1);
	assert_int_equal(pt.tlb.last_iova, c + page);
	assert_int_equal(pt.tlb.last_granule, page);
	assert_ptr_equal(pt.tlb.last_gather, g);
	expect_unmapped(&pt, c + page);
	assert_int_equal(pt_unmap(&pt, c + page, page, 1), 0);
	expect_mapped(&pt, c, pa, page, RW);

	/* Refusals on the one-leaf path change nothing. */
	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st0), 0);
	const size_t bad_sizes[] = { 0, page * 3, page * 2, page / 2, (size_t)1 << 63 };
	for (size_t i = 0; i < DMP_ARRAY_SIZE(bad_sizes); i++) {
		assert_int_equal(pt_map(&pt, c + 2 * page, pa, bad_sizes[i], 1, RW, &mapped),
				 -EINVAL);
		assert_int_equal(mapped, 0);
		assert_int_equal(pt_unmap(&pt, c, bad_sizes[i], 1), 0);
	}
	assert_int_equal(pt_map(&pt, c + 2 * page + 8, pa, page, 1, RW, &mapped), -EINVAL);
	assert_int_equal(pt_map(&pt, c + 2 * page, pa + 8, page, 1, RW, &mapped), -EINVAL);
	assert_int_equal(pt_map(&pt, c + 2 * page, pa, page, 1, DMP_IOMMU_CACHE, &mapped),
			 -EINVAL);
	assert_int_equal(pt_map(&pt, c + 2 * page, pa, page, 0, RW, &mapped), -EINVAL);
	assert_int_equal(pt_map(&pt, UINT64_C(1) << ias, pa, page, 1, RW, &mapped), -ERANGE);
	assert_int_equal(pt_map(&pt, c + 2 * page, UINT64_C(1) << 40, page, 1, RW, &mapped),
			 -ERANGE);
	assert_int_equal(mapped, 0);
	assert_int_equal(pt_unmap(&pt, c + 8, page, 1), 0);
	assert_int_equal(pt_unmap(&pt, UINT64_C(1) << ias, page, 1), 0);
	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st1), 0);
	assert_int_equal(st1.leaves, st0.leaves);
	assert_int_equal(st1.tables, st0.tables);
	expect_mapped(&pt, c, pa, page, RW);
	expect_unmapped(&pt, c + 2 * page);

	/* A block-sized unmap takes the chunk's table of pages (and its cache
	 * entry); a page mapped there again gets a new table. */
	assert_int_equal(pt_unmap(&pt, c, block, 1), block);
	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st1), 0);
	assert_int_equal(st1.tables, st0.tables - 1);
	expect_unmapped(&pt, c);
	/* The freed table's page most likely holds the next table allocated,
	 * for another chunk: an unmap at the first chunk must not reach it. */
	const dmp_addr_t d = 5 * block;
	assert_int_equal(pt_map(&pt, d, pa, page, 1, RW, NULL), 0);
	assert_int_equal(pt_unmap(&pt, c, page, 1), 0);
	expect_mapped(&pt, d, pa, page, RW);
	assert_int_equal(pt_map(&pt, c + 2 * page, pa + 2 * page, page, 1, RW, NULL), 0);
	expect_mapped(&pt, c + 2 * page, pa + 2 * page, page, RW);
	expect_mapped(&pt, d, pa, page, RW);
	expect_unmapped(&pt, d + 2 * page);

	/* The chunk's table emptied (kept, still cached), then a block over
	 * it: the table goes, and the pages' cache entry with it.  A page in
	 * the block is refused; a page unmapped from it splits it. */
	assert_int_equal(pt_unmap(&pt, c + 2 * page, page, 1), page);
	assert_int_equal(pt_map(&pt, c, pa, block, 1, RW, NULL), 0);
	expect_mapped(&pt, c + page + 3, pa + page + 3, block, RW);
	assert_int_equal(pt_map(&pt, c + page, pa, page, 1, RW, &mapped), -EEXIST);
	assert_int_equal(mapped, 0);
	expect_mapped(&pt, c + page + 3, pa + page + 3, block, RW);
	unsigned int walks = pt.tlb.flush_walk;
	assert_int_equal(pt_unmap(&pt, c + page, page, 1), page);
	assert_int_equal(pt.tlb.flush_walk, walks + 1);
	expect_unmapped(&pt, c + page);
	expect_mapped(&pt, c + 3, pa + 3, page, RW);
	expect_mapped(&pt, c + 2 * page + 3, pa + 2 * page + 3, page, RW);
	/* the split's table is the one the cache has now */
	assert_int_equal(pt_unmap(&pt, c + 2 * page, page, 1), page);
	expect_unmapped(&pt, c + 2 * page);
	assert_int_equal(pt_map(&pt, c + page, pa, page, 1, RW, NULL), 0);
	expect_mapped(&pt, c + page, pa, page, RW);
	expect_mapped(&pt, c + block - page, pa + block - page, page, RW);
	assert_int_equal(pt_unmap(&pt, c, block, 1), block);
	expect_unmapped(&pt, c + block - page);

	/* Two chunks on one entry of the pages' cache (64 chunks apart),
	 * in turn, and a block chunk beside them, mapped and unmapped twice. */
	const dmp_addr_t far = c + 64 * block;
	if (far + block <= (UINT64_C(1) << ias)) {
		for (int i = 0; i < 4; i++) {
			dmp_addr_t at = (i % 2 ? far : c) + (uint64_t)(i / 2) * page;
			assert_int_equal(pt_map(&pt, at, pa + at % block, page, 1, RW, NULL), 0);
		}
		for (int i = 0; i < 4; i++) {
			dmp_addr_t at = (i % 2 ? far : c) + (uint64_t)(i / 2) * page;
			expect_mapped(&pt, at + 5, pa + at % block + 5, page, RW);
			assert_int_equal(pt_unmap(&pt, at, page, 1), page);
			expect_unmapped(&pt, at);
		}
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pt_map(&pt, 6 * block, pa, block, 1, RW, NULL), 0);
		expect_mapped(&pt, 6 * block + page + 1, pa + page + 1, block, RW);
		assert_int_equal(pt_unmap(&pt, 6 * block, block, 1), block);
		expect_unmapped(&pt, 6 * block + page + 1);
	}

	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st1), 0);
	assert_int_equal(st1.leaves, 1); /* d */
	assert_int_equal(st1.ptes_written, 0); /* not asked for */
	pt_free(&pt);
	assert_int_equal(dmp_page_free_count(), free_before);
}

static void test_one_leaf_paths(void **state)
{
	(void)state;
	for (unsigned int gi = 0; gi < DMP_ARRAY_SIZE(granule_bitmaps); gi++) {
		struct dmp_sim *sim = fixture_sim(NULL);
		for (int coherent = 0; coherent < 2; coherent++) {
			/* the largest input size, and two smaller ones, where
			 * the blocks are in the start-level table (4K at 39
			 * and 36, 16K at 36, 64K at both) */
			one_leaf_run(sim, granule_bitmaps[gi], 48, coherent);
			one_leaf_run(sim, granule_bitmaps[gi], 39, coherent);
			one_leaf_run(sim, granule_bitmaps[gi], 36, coherent);
		}
		dmp_sim_destroy(sim);
	}
}

/* dmp_io_pgtable_stats.ptes_written counts every descriptor store when
 * cfg.count_ptes asks for it, on the one-leaf paths too. */
static void test_count_ptes(void **state)
{
	struct dmp_sim *sim = *state;
	(void)sim;
	struct dmp_io_pgtable_cfg cfg = { .pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G, .ias = 48,
					  .oas = 48, .coherent_walk = true, .count_ptes = true };
	struct dmp_io_pgtable_ops *ops;
	struct dmp_io_pgtable_stats st;
	size_t mapped;
	assert_int_equal(dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &cfg, NULL, &ops), 0);
	/* cold: three tables installed below the start level, and the page */
	assert_int_equal(ops->map_pages(ops, SZ_1G, 0, SZ_4K, 1, RW, DMP_GFP_KERNEL, &mapped), 0);
	assert_int_equal(dmp_io_pgtable_check(ops, &st), 0);
	assert_int_equal(st.ptes_written, 4);
	/* hot: one store each way */
	assert_int_equal(ops->map_pages(ops, SZ_1G + SZ_4K, 0, SZ_4K, 1, RW, DMP_GFP_KERNEL,
					&mapped), 0);
	assert_int_equal(ops->unmap_pages(ops, SZ_1G + SZ_4K, SZ_4K, 1, NULL), SZ_4K);
	assert_int_equal(dmp_io_pgtable_check(ops, &st), 0);
	assert_int_equal(st.ptes_written, 6);
	/* a batch of 3, and a refused map that stores nothing */
	assert_int_equal(ops->map_pages(ops, 2 * SZ_1G, 0, SZ_4K, 3, RW, DMP_GFP_KERNEL, &mapped),
			 0);
	assert_int_equal(dmp_io_pgtable_check(ops, &st), 0);
	assert_int_equal(st.ptes_written, 6 + 2 + 3);
	assert_int_equal(ops->map_pages(ops, SZ_1G, 0, SZ_4K, 1, RW, DMP_GFP_KERNEL, &mapped),
			 -EEXIST);
	assert_int_equal(dmp_io_pgtable_check(ops, &st), 0);
	assert_int_equal(st.ptes_written, 11);
	dmp_free_io_pgtable_ops(ops);
}

/* --- the walker itself, on tables written by hand ---------------------- */

static uint64_t *hand_table(dmp_phys_t *phys)
{
	assert_int_equal(dmp_page_alloc(2, DMP_GFP_ZERO, DMP_PHYS_ANY, phys), 0); /* 16 KiB */
	return dmp_phys_to_virt(*phys);
}

static int hwalk(struct dmp_sim *sim, uint64_t ttbr, unsigned int tg0, unsigned int t0sz,
		 unsigned int ips, dmp_addr_t iova, unsigned int acc, struct dmp__lpae_walk_result *r)
{
	struct dmp__lpae_walk_cfg c = { .ttbr = ttbr, .tg0 = tg0, .t0sz = t0sz, .ips = ips,
					.coherent = true };
	return dmp__lpae_walk(sim, &c, iova, acc, r);
}

#define H_AF (UINT64_C(1) << 10)
#define H_EL0 (UINT64_C(1) << 6)
#define H_RO (UINT64_C(1) << 7)

static void expect_fault(int err, const struct dmp__lpae_walk_result *r,
			 enum dmp__lpae_fault fault, int level)
{
	assert_int_equal(err, fault == DMP__LPAE_FAULT_PERMISSION ? -EACCES : -ENXIO);
	assert_int_equal(r->fault, fault);
	assert_int_equal(r->level, level);
}

static void test_walker_faults(void **state)
{
	struct dmp_sim *sim = *state;
	struct dmp__lpae_walk_result r;
	const unsigned int rd = DMP__LPAE_ACC_READ;
	dmp_phys_t a, b, c;
	uint64_t *A = hand_table(&a), *B = hand_table(&b), *C = hand_table(&c);

	/* Reserved or unsupported configurations. */
	expect_fault(hwalk(sim, a, 3, 25, 2, 0, rd, &r), &r, DMP__LPAE_FAULT_CONFIG, 0);
	expect_fault(hwalk(sim, a, 0, 40, 2, 0, rd, &r), &r, DMP__LPAE_FAULT_CONFIG, 0);
	expect_fault(hwalk(sim, a, 0, 15, 2, 0, rd, &r), &r, DMP__LPAE_FAULT_CONFIG, 0);
	expect_fault(hwalk(sim, a, 0, 25, 6, 0, rd, &r), &r, DMP__LPAE_FAULT_CONFIG, 0);
	/* The table base beyond the output size; no memory there. */
	assert_true(a >= (UINT64_C(1) << 32)); /* the simulator prefers high memory */
	expect_fault(hwalk(sim, a, 0, 25, 0, 0, rd, &r), &r, DMP__LPAE_FAULT_ADDR_SIZE, 0);
	expect_fault(hwalk(sim, 0x1000, 0, 25, 2, 0, rd, &r), &r, DMP__LPAE_FAULT_WALK_ABORT, 1);
	/* Beyond the input size. */
	expect_fault(hwalk(sim, a, 0, 25, 2, UINT64_C(1) << 39, rd, &r), &r,
		     DMP__LPAE_FAULT_TRANSLATION, 0);

	/* 4K granule, 39 bits: the walk starts at level 1. */
	A[0] = 0x40000000 | 1 | H_EL0;                 /* block without AF */
	A[1] = 0x40000000 | 1 | H_AF | H_EL0;          /* 1G block */
	A[2] = b | 3;                                  /* table */
	A[4] = (UINT64_C(1) << 48) | 0x40000000 | 1 | H_AF; /* OA[51:48] set */
	B[0] = (UINT64_C(1) << 41) | 1 | H_AF;         /* 2M block beyond 40 bits */
	B[1] = c | 3;
	B[2] = c | 3 | (UINT64_C(1) << 62);            /* APTable: no writes beneath */
	B[3] = c | 3 | (UINT64_C(1) << 60);            /* UXNTable */
	B[4] = c | 3 | (UINT64_C(1) << 61);            /* APTable: no EL0 beneath */
	C[0] = 0x5000 | 1 | H_AF;                      /* reserved at level 3 */
	C[1] = 0x6000 | 3 | H_AF | H_EL0;              /* page */
	C[2] = 0x7000 | 3 | H_AF;                      /* privileged page */
	C[3] = 0x8000 | 3 | H_AF | H_EL0 | H_RO;       /* read-only page */
	const dmp_addr_t G = UINT64_C(1) << 30, M2 = UINT64_C(1) << 21, K4 = 4096;

	expect_fault(hwalk(sim, a, 0, 25, 2, 0x1234, rd, &r), &r, DMP__LPAE_FAULT_ACCESS, 1);
	assert_int_equal(r.desc_addr, a);
	assert_int_equal(hwalk(sim, a, 0, 25, 2, G + 0x1234, rd, &r), 0);
	assert_int_equal(r.phys, 0x40001234);
	assert_int_equal(r.leaf_size, G);
	assert_int_equal(r.level, 1);
	expect_fault(hwalk(sim, a, 0, 25, 2, 4 * G, rd, &r), &r, DMP__LPAE_FAULT_ADDR_SIZE, 1);
	expect_fault(hwalk(sim, a, 0, 25, 2, 3 * G, rd, &r), &r, DMP__LPAE_FAULT_TRANSLATION, 1);
	expect_fault(hwalk(sim, a, 0, 25, 2, 2 * G, rd, &r), &r, DMP__LPAE_FAULT_ADDR_SIZE, 2);
	assert_int_equal(hwalk(sim, a, 0, 25, 5, 2 * G + 7, rd | DMP__LPAE_ACC_PRIV, &r), 0);
	assert_int_equal(r.phys, (UINT64_C(1) << 41) + 7); /* fine with 48 output bits */
	expect_fault(hwalk(sim, a, 0, 25, 2, 2 * G + M2, rd, &r), &r,
		     DMP__LPAE_FAULT_TRANSLATION, 3);
	assert_int_equal(r.desc_addr, c);
	assert_int_equal(hwalk(sim, a, 0, 25, 2, 2 * G + M2 + K4 + 9, DMP__LPAE_ACC_WRITE, &r), 0);
	assert_int_equal(r.phys, 0x6009);
	assert_int_equal(r.leaf_size, K4);
	assert_true(r.write && r.unpriv && !r.pxn && !r.uxn);
	expect_fault(hwalk(sim, a, 0, 25, 2, 2 * G + M2 + 2 * K4, rd, &r), &r,
		     DMP__LPAE_FAULT_PERMISSION, 3);
	assert_int_equal(r.phys, 0x7000);
	assert_int_equal(hwalk(sim, a, 0, 25, 2, 2 * G + M2 + 2 * K4, rd | DMP__LPAE_ACC_PRIV, &r),
			 0);
	expect_fault(hwalk(sim, a, 0, 25, 2, 2 * G + M2 + 3 * K4, DMP__LPAE_ACC_WRITE, &r), &r,
		     DMP__LPAE_FAULT_PERMISSION, 3);
	/* Hierarchical restrictions apply to everything beneath the table. */
	expect_fault(hwalk(sim, a, 0, 25, 2, 2 * G + 2 * M2 + K4, DMP__LPAE_ACC_WRITE, &r), &r,
		     DMP__LPAE_FAULT_PERMISSION, 3);
	assert_int_equal(hwalk(sim, a, 0, 25, 2, 2 * G + 2 * M2 + K4, rd, &r), 0);
	expect_fault(hwalk(sim, a, 0, 25, 2, 2 * G + 3 * M2 + K4, DMP__LPAE_ACC_EXEC, &r), &r,
		     DMP__LPAE_FAULT_PERMISSION, 3);
	assert_int_equal(hwalk(sim, a, 0, 25, 2, 2 * G + 3 * M2 + K4, rd, &r), 0);
	expect_fault(hwalk(sim, a, 0, 25, 2, 2 * G + 4 * M2 + K4, rd, &r), &r,
		     DMP__LPAE_FAULT_PERMISSION, 3);
	assert_int_equal(hwalk(sim, a, 0, 25, 2, 2 * G + 4 * M2 + K4, rd | DMP__LPAE_ACC_PRIV, &r),
			 0);
	/* Privileged execution of memory writable at EL0 is refused. */
	expect_fault(hwalk(sim, a, 0, 25, 2, 2 * G + M2 + K4,
			   DMP__LPAE_ACC_EXEC | DMP__LPAE_ACC_PRIV, &r),
		     &r, DMP__LPAE_FAULT_PERMISSION, 3);

	/* 4K granule, 48 bits: four levels, A is now level 0 (no blocks). */
	expect_fault(hwalk(sim, a, 0, 16, 5, G, rd, &r), &r, DMP__LPAE_FAULT_TRANSLATION, 0);

	/* 16K granule, 47 bits: starts at level 1, where blocks don't exist. */
	memset(A, 0, 16384);
	A[0] = 1 | H_AF | H_EL0;
	expect_fault(hwalk(sim, a, 2, 17, 5, 0, rd, &r), &r, DMP__LPAE_FAULT_TRANSLATION, 1);
	/* 16K granule, 36 bits: starts at level 2, a 32M block. */
	assert_int_equal(hwalk(sim, a, 2, 28, 5, 0x1234567, rd, &r), 0);
	assert_int_equal(r.leaf_size, UINT64_C(1) << 25);
	assert_int_equal(r.level, 2);
	/* 64K granule, 42 bits: starts at level 2, a 512M block. */
	assert_int_equal(hwalk(sim, a, 1, 22, 5, 0x1234567, rd, &r), 0);
	assert_int_equal(r.leaf_size, UINT64_C(1) << 29);
	assert_int_equal(r.phys, 0x1234567);
	/* 64K granule, 48 bits: level 1 blocks (4TB) need 52-bit addressing. */
	expect_fault(hwalk(sim, a, 1, 16, 5, 0, rd, &r), &r, DMP__LPAE_FAULT_TRANSLATION, 1);

	/* A non-coherent walker reads DRAM, where none of this was cleaned. */
	struct dmp__lpae_walk_cfg nc = { .ttbr = a, .tg0 = 1, .t0sz = 22, .ips = 5 };
	expect_fault(dmp__lpae_walk(sim, &nc, 0, rd, &r), &r, DMP__LPAE_FAULT_TRANSLATION, 2);
	assert_string_equal(dmp__lpae_fault_name(r.fault), "translation");

	dmp_page_free(a, 2);
	dmp_page_free(b, 2);
	dmp_page_free(c, 2);
}

/* --- failure injection --------------------------------------------------- */

static void test_alloc_failures(void **state)
{
	struct dmp_sim *sim = *state;
	struct pt pt;
	size_t free_before = dmp_page_free_count();

	/* The structure, then the start-level table. */
	dmp_fail_nth(DMP_FAIL_HEAP, 1);
	assert_int_equal(pt_try_make(&pt, sim, SZ_4K, 48, 48, false), -ENOMEM);
	dmp_fail_nth(DMP_FAIL_PAGE, 1);
	assert_int_equal(pt_try_make(&pt, sim, SZ_4K, 48, 48, false), -ENOMEM);
	dmp_fail_nth(DMP_FAIL_PAGE, 0);
	dmp_fail_nth(DMP_FAIL_HEAP, 0);
	assert_int_equal(dmp_page_free_count(), free_before);

	pt_make(&pt, sim, SZ_4K | SZ_2M | SZ_1G, 48, 48, false);
	assert_int_equal(pt_map(&pt, 0, 0x1000, SZ_4K, 4, RW, NULL), 0);
	assert_int_equal(pt_map(&pt, SZ_1G, SZ_1G, SZ_1G, 1, RW, NULL), 0);

	/* A page far away needs three new tables (a fresh level-0 entry each
	 * time: tables installed before the failure stay): fail each in turn. */
	dmp_addr_t far = 0;
	for (unsigned long n = 1; n <= 3; n++) {
		size_t mapped;
		far = n << 39;
		dmp_fail_nth(DMP_FAIL_PAGE, n);
		assert_int_equal(pt_map(&pt, far, 0x5000, SZ_4K, 1, RW, &mapped), -ENOMEM);
		dmp_fail_nth(DMP_FAIL_PAGE, 0);
		assert_int_equal(mapped, 0);
		expect_unmapped(&pt, far);
		for (int i = 0; i < 4; i++)
			expect_mapped(&pt, (dmp_addr_t)i * SZ_4K, 0x1000 + i * SZ_4K, SZ_4K, RW);
		expect_mapped(&pt, SZ_1G + 4242, SZ_1G + 4242, SZ_1G, RW);
		assert_int_equal(dmp_io_pgtable_check(pt.ops, NULL), 0);
	}
	assert_int_equal(pt_map(&pt, far, 0x5000, SZ_4K, 1, RW, NULL), 0);
	expect_mapped(&pt, far, 0x5000, SZ_4K, RW);

	/* A batch whose second level-3 table cannot be allocated maps the
	 * first part and says so. */
	dmp_addr_t b = 3 * SZ_1G - 2 * SZ_4K; /* two pages, then a new level-2 and level-3 table */
	size_t mapped;
	dmp_fail_nth(DMP_FAIL_PAGE, 3);
	assert_int_equal(pt_map(&pt, b, 0, SZ_4K, 4, RW, &mapped), -ENOMEM);
	dmp_fail_nth(DMP_FAIL_PAGE, 0);
	assert_int_equal(mapped, 2 * SZ_4K);
	expect_mapped(&pt, b + SZ_4K, SZ_4K, SZ_4K, RW);
	expect_unmapped(&pt, b + 2 * SZ_4K);
	assert_int_equal(dmp_io_pgtable_check(pt.ops, NULL), 0);
	assert_int_equal(pt_unmap(&pt, b, SZ_4K, 2), 2 * SZ_4K);

	/* Splitting a 1G block for a 4K unmap takes two tables (2M blocks,
	 * then 4K pages): fail each; the mapping stays whole. */
	dmp_addr_t in = SZ_1G + 3 * SZ_2M + 5 * SZ_4K;
	dmp_fail_nth(DMP_FAIL_PAGE, 1);
	assert_int_equal(pt_unmap(&pt, in, SZ_4K, 1), 0);
	dmp_fail_nth(DMP_FAIL_PAGE, 0);
	expect_mapped(&pt, in, in, SZ_1G, RW);
	dmp_fail_nth(DMP_FAIL_PAGE, 2);
	assert_int_equal(pt_unmap(&pt, in, SZ_4K, 1), 0);
	dmp_fail_nth(DMP_FAIL_PAGE, 0);
	expect_mapped(&pt, in, in, SZ_2M, RW); /* the first split stays */
	assert_int_equal(dmp_io_pgtable_check(pt.ops, NULL), 0);
	assert_int_equal(pt_unmap(&pt, in, SZ_4K, 1), SZ_4K);
	expect_unmapped(&pt, in);
	expect_mapped(&pt, in - SZ_4K, in - SZ_4K, SZ_4K, RW);
	expect_mapped(&pt, in + SZ_4K, in + SZ_4K, SZ_4K, RW);
	expect_mapped(&pt, SZ_1G, SZ_1G, SZ_2M, RW);
	expect_mapped(&pt, 2 * SZ_1G - 1, 2 * SZ_1G - 1, SZ_2M, RW);
	/* Unmapping the 1G range now takes both tables and every leaf. */
	assert_int_equal(pt_unmap(&pt, SZ_1G, SZ_1G, 1), SZ_1G);
	expect_unmapped(&pt, in + SZ_4K);
	struct dmp_io_pgtable_stats st;
	assert_int_equal(dmp_io_pgtable_check(pt.ops, &st), 0);
	assert_int_equal(st.leaves, 5); /* 4 pages at 0, one far away */

	pt_free(&pt);
	assert_int_equal(dmp_page_free_count(), free_before);
}

/* Whatever a failed test left behind. */
static int teardown_any(void **state)
{
	(void)state;
	dmp_fail_nth(DMP_FAIL_PAGE, 0);
	dmp_fail_nth(DMP_FAIL_HEAP, 0);
	if (dmp_sim_current())
		dmp_sim_destroy(dmp_sim_current());
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_selftest_sweep, teardown_any),
		cmocka_unit_test_setup_teardown(test_cfg_output, fixture_setup_bare,
						teardown_any),
		cmocka_unit_test_setup_teardown(test_prot_encoding, fixture_setup_bare,
						teardown_any),
		cmocka_unit_test_setup_teardown(test_map_unmap_rules, fixture_setup_bare,
						teardown_any),
		cmocka_unit_test_setup_teardown(test_noncoherent_visibility, fixture_setup_bare,
						teardown_any),
		cmocka_unit_test_teardown(test_random_vs_model, teardown_any),
		cmocka_unit_test_teardown(test_one_leaf_paths, teardown_any),
		cmocka_unit_test_setup_teardown(test_count_ptes, fixture_setup_bare,
						teardown_any),
		cmocka_unit_test_setup_teardown(test_walker_faults, fixture_setup_bare,
						teardown_any),
		cmocka_unit_test_setup_teardown(test_alloc_failures, fixture_setup_bare,
						teardown_any),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
