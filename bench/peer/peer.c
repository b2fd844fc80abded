/* SPDX-License-Identifier: MIT */
/*
 * peer.c - `dmaport-bench peer`: dmaport against Linux's own code, side by
 * side in one process.  Built by `make bench-peer`, which fetches Linux's
 * sources from Debian's linux-source package (scripts/linux-peer.sh) and
 * builds drivers/iommu/iova.c, drivers/iommu/io-pgtable-arm.c, mm/dmapool.c
 * and lib/rbtree.c unchanged against shim headers (bench/peer/shim/).
 *
 * Every row is one workload with the same parameters on both sides.  A row
 * runs --runs times on each side, interleaved ABBA (dmaport then Linux, then
 * Linux then dmaport, ...) so that a drift in the machine's load or a warmer
 * heap favours neither.  A run builds its state (untimed), warms up, then
 * times operations in chunks until its threads have used --ms milliseconds of
 * CPU.  Figures:
 *   ns/op   the run's CPU time (every thread's, CLOCK_THREAD_CPUTIME_ID) over
 *           the operations all its threads did: what one operation costs,
 *           whatever else the shared machine runs; median over the runs;
 *   min-max the fastest and slowest run;
 *   wall    the run's wall time over the operations one thread did (threads
 *           run side by side): median over the runs;
 *   Linux/dmaport  the ratio of the medians (> 1: dmaport is ahead).
 * An "op" is named per row (an alloc+free pair, a map, a block alloc or
 * free).  No figure is asserted: the benchmark prints.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/simulator.h>
#include <dmaport/dmapool.h>
#include <dmaport/io-pgtable.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/iova.h>

#include "bench.h"
#include "lx-peer.h"

#define MAX_THREADS 2
#define MAX_RUNS 99
/* Operations between clock reads: a chunk starts at CHUNK and doubles while
 * one took less than CHUNK_CPU_NS of thread CPU time.  A thread CPU clock
 * read is a system call (some 300-400 ns here, no vDSO for it), charged to
 * the thread: at a fixed 64 it added ~6 ns to every op of a fast row, on
 * both sides, which shrank every ratio towards 1.  Above ~100 us a chunk, it
 * is under 0.5% of what is timed. */
#define CHUNK 64
#define CHUNK_CPU_NS 100000u
#define CHUNK_MAX 65536
#define SIZE_TABLE 4096

enum side { DMP, LX };
static const char *const side_name[] = { "dmaport", "Linux" };

struct row;

/* What one run of a row holds: the allocator of the side, per-thread state. */
struct run {
	const struct row *row;
	enum side side;
	unsigned int threads;
	long ms;
	long ops; /* each thread's operations when not 0 (else timed for ms) */
	/* IOVA */
	struct dmp_iova_domain *dmp_iovad;
	struct lx_iovad *lx_iovad;
	unsigned long limit_pfn;
	/* io-pgtable */
	struct dmp_io_pgtable_ops *dmp_pgt;
	struct lx_pgtable *lx_pgt;
	/* dmapool */
	struct dmp_dma_pool *dmp_pool;
	struct lx_pool *lx_pool;
	struct dmp_device *dev;
	/* dma-iommu */
	struct dma_side *dma;
	/* per thread */
	struct thread_state {
		unsigned long *pfn, *size; /* live ranges / blocks */
		void **va;
		uint64_t *dma;
		uint64_t rng;
		size_t pos;
		long ops;
		uint64_t cpu_ns, wall_ns;
		int failed;
	} t[MAX_THREADS];
	unsigned long sizes[SIZE_TABLE];
	pthread_barrier_t barrier;
};

struct row {
	const char *group, *name, *op;
	unsigned int threads;
	long param;       /* the row's size, live ranges, block size ... */
	long param2;      /* alignment, space bits ... */
	long param3;      /* boundary */
	int (*setup)(struct run *r);
	/* @n operations of thread @t; returns the operations done */
	long (*work)(struct run *r, unsigned int t, long n);
	void (*teardown)(struct run *r);
};

static uint64_t rng_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* ---------------------------------------------------------------------- */
/* IOVA                                                                   */
/* ---------------------------------------------------------------------- */

static int iova_side_create(struct run *r, unsigned int space_bits)
{
	if (r->side == DMP) {
		r->dmp_iovad = aligned_alloc(64, DMP_ALIGN_UP(sizeof(*r->dmp_iovad), 64));
		if (!r->dmp_iovad || dmp_iova_domain_init(r->dmp_iovad, 4096, 1))
			return -ENOMEM;
		r->limit_pfn = dmp_iova_limit_pfn(r->dmp_iovad, DMP_BIT_MASK(space_bits));
		return 0;
	}
	r->limit_pfn = (unsigned long)(DMP_BIT_MASK(space_bits) >> 12);
	return lx_iova_create(4096, 1, &r->lx_iovad);
}

static int iova_alloc_fast(struct run *r, unsigned long size, unsigned long *pfn)
{
	if (r->side == DMP)
		return dmp_alloc_iova_fast(r->dmp_iovad, size, r->limit_pfn, true, pfn);
	*pfn = lx_alloc_iova_fast(r->lx_iovad, size, r->limit_pfn);
	return *pfn ? 0 : -ENOMEM;
}

static void iova_free_fast(struct run *r, unsigned long pfn, unsigned long size)
{
	if (r->side == DMP)
		dmp_free_iova_fast(r->dmp_iovad, pfn, size);
	else
		lx_free_iova_fast(r->lx_iovad, pfn, size);
}

static int iova_alloc(struct run *r, unsigned long size, bool aligned, unsigned long *pfn)
{
	if (r->side == DMP)
		return dmp_alloc_iova(r->dmp_iovad, size, r->limit_pfn, aligned, pfn);
	return lx_alloc_iova(r->lx_iovad, size, r->limit_pfn, aligned, pfn);
}

static void iova_free(struct run *r, unsigned long pfn)
{
	if (r->side == DMP)
		dmp_free_iova(r->dmp_iovad, pfn);
	else
		lx_free_iova(r->lx_iovad, pfn);
}

static void iova_teardown(struct run *r)
{
	for (unsigned int t = 0; t < r->threads; t++) {
		free(r->t[t].pfn);
		free(r->t[t].size);
	}
	if (r->dmp_iovad) {
		if (dmp_iova_domain_check(r->dmp_iovad))
			r->t[0].failed = 1;
		dmp_iova_domain_destroy(r->dmp_iovad);
		free(r->dmp_iovad);
	}
	if (r->lx_iovad)
		lx_iova_destroy(r->lx_iovad);
}

/* sizes: param 0 = uniform 1..64 pages, else that many pages */
static void iova_sizes(struct run *r)
{
	uint64_t s = 42;
	for (unsigned int i = 0; i < SIZE_TABLE; i++)
		r->sizes[i] = r->row->param ? (unsigned long)r->row->param : 1 + rng_next(&s) % 64;
}

static unsigned long next_size(struct run *r, unsigned int t)
{
	struct thread_state *ts = &r->t[t];
	return r->sizes[(ts->pos++ * 7 + t) & (SIZE_TABLE - 1)];
}

static int iova_pairs_setup(struct run *r)
{
	iova_sizes(r);
	return iova_side_create(r, 32);
}

/* alloc_iova_fast + free_iova_fast back to back (depth 1: what a map+unmap
 * pair does to the allocator) */
static long iova_fast_work(struct run *r, unsigned int t, long n)
{
	for (long i = 0; i < n; i++) {
		unsigned long size = next_size(r, t), pfn;
		if (__builtin_expect(iova_alloc_fast(r, size, &pfn) != 0, 0)) {
			r->t[t].failed = 1;
			continue;
		}
		iova_free_fast(r, pfn, size);
	}
	return n;
}

/* alloc_iova (size-aligned) + free_iova back to back */
static long iova_tree_work(struct run *r, unsigned int t, long n)
{
	for (long i = 0; i < n; i++) {
		unsigned long size = next_size(r, t), pfn;
		if (__builtin_expect(iova_alloc(r, size, true, &pfn) != 0, 0)) {
			r->t[t].failed = 1;
			continue;
		}
		iova_free(r, pfn);
	}
	return n;
}

/* 65536 ranges of 1..16 pages allocated unaligned below 4 GiB, every other
 * one freed: a space of holes the tree path must search. */
static int iova_fragmented_setup(struct run *r)
{
	enum { PREFILL = 65536 };
	unsigned long *pfns = malloc(sizeof(*pfns) * PREFILL);
	uint64_t s = 7;
	int err = iova_pairs_setup(r);
	if (err || !pfns) {
		free(pfns);
		return err ? err : -ENOMEM;
	}
	for (long i = 0; i < PREFILL && !err; i++)
		err = iova_alloc(r, 1 + rng_next(&s) % 16, false, &pfns[i]);
	for (long i = 0; i < PREFILL && !err; i += 2)
		iova_free(r, pfns[i]);
	free(pfns);
	return err;
}

/* A working set of param live ranges per run (split between the threads),
 * mixed 1..64 pages size-aligned, in a space of param2 bits; an operation
 * frees a live range chosen at random and allocates a new one in its slot. */
static int iova_workset_setup(struct run *r)
{
	uint64_t s = 99;
	int err = iova_side_create(r, (unsigned int)r->row->param2);
	if (err)
		return err;
	for (unsigned int i = 0; i < SIZE_TABLE; i++)
		r->sizes[i] = 1 + rng_next(&s) % 64;
	size_t per = (size_t)r->row->param / r->threads;
	for (unsigned int t = 0; t < r->threads && !err; t++) {
		struct thread_state *ts = &r->t[t];
		ts->pfn = malloc(per * sizeof(*ts->pfn));
		ts->size = malloc(per * sizeof(*ts->size));
		ts->rng = 1000 + t;
		if (!ts->pfn || !ts->size)
			return -ENOMEM;
		for (size_t i = 0; i < per && !err; i++)
			err = iova_alloc(r, next_size(r, t), true, &ts->pfn[i]);
	}
	return err;
}

static long iova_workset_work(struct run *r, unsigned int t, long n)
{
	struct thread_state *ts = &r->t[t];
	size_t per = (size_t)r->row->param / r->threads;
	for (long i = 0; i < n; i++) {
		size_t k = (size_t)(rng_next(&ts->rng) % per);
		iova_free(r, ts->pfn[k]);
		if (__builtin_expect(iova_alloc(r, next_size(r, t), true, &ts->pfn[k]) != 0, 0)) {
			ts->failed = 1;
			return i; /* the slot is empty now: stop this run */
		}
	}
	return n;
}

static void iova_workset_teardown(struct run *r)
{
	/* the live ranges go with the domain */
	iova_teardown(r);
}

/* ---------------------------------------------------------------------- */
/* io-pgtable                                                             */
/* ---------------------------------------------------------------------- */

#define PGT_BASE (UINT64_C(1) << 40)
#define PGT_PAGES 32768 /* 128 MiB of 4K pages */

static void nop_flush_all(void *cookie) { (void)cookie; }
static void nop_flush_walk(dmp_addr_t iova, size_t size, size_t granule, void *cookie)
{
	(void)iova, (void)size, (void)granule, (void)cookie;
}
static void nop_add_page(struct dmp_iommu_iotlb_gather *g, dmp_addr_t iova, size_t granule,
			 void *cookie)
{
	(void)g, (void)iova, (void)granule, (void)cookie;
}
/* The same no-op TLB callbacks Linux's side gets (lx-glue.c): the figures
 * are the formats' own work. */
static const struct dmp_iommu_flush_ops nop_tlb = {
	.tlb_flush_all = nop_flush_all,
	.tlb_flush_walk = nop_flush_walk,
	.tlb_add_page = nop_add_page,
};

static int pgt_setup(struct run *r)
{
	uint64_t bitmap = (1u << 12) | (1u << 21) | (1u << 30);
	if (r->side == DMP) {
		struct dmp_io_pgtable_cfg cfg = {
			.pgsize_bitmap = bitmap, .ias = 48, .oas = 48, .coherent_walk = true,
			.tlb = &nop_tlb,
		};
		return dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &cfg, NULL, &r->dmp_pgt);
	}
	return lx_pgtable_create(bitmap, 48, 48, &r->lx_pgt);
}

static int pgt_map(struct run *r, uint64_t iova, size_t pgsize)
{
	size_t mapped = 0;
	if (r->side == DMP)
		return r->dmp_pgt->map_pages(r->dmp_pgt, iova, iova, pgsize, 1,
					     DMP_IOMMU_READ | DMP_IOMMU_WRITE, DMP_GFP_ATOMIC,
					     &mapped);
	return lx_pgtable_map(r->lx_pgt, iova, iova, pgsize, 1, &mapped);
}

static size_t pgt_unmap(struct run *r, uint64_t iova, size_t pgsize)
{
	if (r->side == DMP)
		return r->dmp_pgt->unmap_pages(r->dmp_pgt, iova, pgsize, 1, NULL);
	return lx_pgtable_unmap(r->lx_pgt, iova, pgsize, 1);
}

static void pgt_teardown(struct run *r)
{
	free(r->t[0].pfn);
	if (r->dmp_pgt)
		dmp_free_io_pgtable_ops(r->dmp_pgt);
	if (r->lx_pgt)
		lx_pgtable_destroy(r->lx_pgt);
}

/* The page order of a round: param 0 sequential, 1 a random permutation. */
static int pgt_4k_setup(struct run *r)
{
	int err = pgt_setup(r);
	struct thread_state *ts = &r->t[0];
	ts->pfn = malloc(PGT_PAGES * sizeof(*ts->pfn));
	if (err || !ts->pfn)
		return err ? err : -ENOMEM;
	for (unsigned long i = 0; i < PGT_PAGES; i++)
		ts->pfn[i] = i;
	uint64_t s = 5;
	for (unsigned long i = PGT_PAGES - 1; r->row->param && i > 0; i--) {
		unsigned long j = rng_next(&s) % (i + 1), x = ts->pfn[i];
		ts->pfn[i] = ts->pfn[j];
		ts->pfn[j] = x;
	}
	/* one round to allocate the tables (unmap keeps them, as Linux) */
	for (unsigned long i = 0; i < PGT_PAGES && !err; i++)
		err = pgt_map(r, PGT_BASE + (ts->pfn[i] << 12), 4096);
	for (unsigned long i = 0; i < PGT_PAGES && !err; i++)
		err = pgt_unmap(r, PGT_BASE + (ts->pfn[i] << 12), 4096) == 4096 ? 0 : -EIO;
	return err;
}

/* An op is one 4 KiB map or one unmap: the pages in the row's order, a
 * round of maps then a round of unmaps. */
static long pgt_4k_work(struct run *r, unsigned int t, long n)
{
	struct thread_state *ts = &r->t[t];
	for (long i = 0; i < n; i++) {
		size_t k = ts->pos % PGT_PAGES;
		bool unmap = (ts->pos / PGT_PAGES) & 1;
		uint64_t iova = PGT_BASE + ((uint64_t)ts->pfn[k] << 12);
		if (unmap ? pgt_unmap(r, iova, 4096) != 4096 : pgt_map(r, iova, 4096) != 0)
			ts->failed = 1;
		ts->pos++;
	}
	return n;
}

/* An op is a map+unmap pair of one block of param bytes, over 64 blocks. */
static long pgt_block_work(struct run *r, unsigned int t, long n)
{
	struct thread_state *ts = &r->t[t];
	size_t size = (size_t)r->row->param;
	for (long i = 0; i < n; i++) {
		uint64_t iova = PGT_BASE + (uint64_t)(ts->pos++ % 64) * size;
		if (pgt_map(r, iova, size) || pgt_unmap(r, iova, size) != size)
			ts->failed = 1;
	}
	return n;
}

static int pgt_block_setup(struct run *r)
{
	int err = pgt_setup(r);
	/* the tables above the blocks, allocated once */
	for (uint64_t i = 0; i < 64 && !err; i++) {
		uint64_t iova = PGT_BASE + i * (uint64_t)r->row->param;
		err = pgt_map(r, iova, (size_t)r->row->param);
		if (!err)
			err = pgt_unmap(r, iova, (size_t)r->row->param) == (size_t)r->row->param
				      ? 0 : -EIO;
	}
	return err;
}

/* An op is one iova_to_phys of a random address in 128 MiB of 4K pages. */
static int pgt_lookup_setup(struct run *r)
{
	int err = pgt_setup(r);
	for (unsigned long i = 0; i < PGT_PAGES && !err; i++)
		err = pgt_map(r, PGT_BASE + (i << 12), 4096);
	r->t[0].rng = 11;
	return err;
}

static long pgt_lookup_work(struct run *r, unsigned int t, long n)
{
	struct thread_state *ts = &r->t[t];
	uint64_t sum = 0;
	for (long i = 0; i < n; i++) {
		uint64_t iova = PGT_BASE + ((rng_next(&ts->rng) % (PGT_PAGES << 12)) & ~UINT64_C(7));
		uint64_t phys;
		if (r->side == DMP) {
			dmp_phys_t p;
			if (r->dmp_pgt->iova_to_phys(r->dmp_pgt, iova, &p))
				ts->failed = 1;
			phys = p;
		} else {
			phys = lx_pgtable_iova_to_phys(r->lx_pgt, iova);
		}
		if (phys != iova)
			ts->failed = 1;
		sum += phys;
	}
	bench_use(sum);
	return n;
}

/* ---------------------------------------------------------------------- */
/* dmapool, in mm/dmapool_test.c's shape                                  */
/* ---------------------------------------------------------------------- */

static size_t pool_blocks(const struct row *row)
{
	size_t blocks = (4096 / (size_t)row->param) * 512;
	return blocks < 1024 ? 1024 : blocks > 8192 ? 8192 : blocks;
}

static void *pool_alloc(struct run *r, uint64_t *dma)
{
	if (r->side == DMP) {
		dmp_addr_t h;
		void *va = dmp_pool_alloc(r->dmp_pool, DMP_GFP_ATOMIC, &h);
		*dma = h;
		return va;
	}
	return lx_pool_alloc(r->lx_pool, dma);
}

static void pool_free(struct run *r, void *va, uint64_t dma)
{
	if (r->side == DMP)
		dmp_pool_free(r->dmp_pool, va, dma);
	else
		lx_pool_free(r->lx_pool, va, dma);
}

static int pool_setup(struct run *r)
{
	size_t size = (size_t)r->row->param, align = (size_t)r->row->param2;
	size_t boundary = (size_t)r->row->param3, blocks = pool_blocks(r->row);
	if (r->side == DMP) {
		r->dmp_pool = dmp_pool_create("peer", r->dev, size, align, boundary);
		/* poisoning off, as in Linux without CONFIG_SLUB_DEBUG_ON (dmaport
		 * poisons by default in builds without NDEBUG) */
		if (r->dmp_pool)
			dmp_pool_set_debug(r->dmp_pool, false);
	} else
		r->lx_pool = lx_pool_create(size, align, boundary);
	if (!r->dmp_pool && !r->lx_pool)
		return -ENOMEM;
	for (unsigned int t = 0; t < r->threads; t++) {
		r->t[t].va = calloc(blocks, sizeof(void *));
		r->t[t].dma = calloc(blocks, sizeof(uint64_t));
		if (!r->t[t].va || !r->t[t].dma)
			return -ENOMEM;
	}
	return 0;
}

/* The test's round: allocate every block, then free them all; an op is one
 * alloc or one free (a round is 2 x blocks ops, n is rounded to rounds). */
static long pool_work(struct run *r, unsigned int t, long n)
{
	struct thread_state *ts = &r->t[t];
	size_t blocks = pool_blocks(r->row);
	long done = 0;
	do {
		for (size_t i = 0; i < blocks; i++) {
			ts->va[i] = pool_alloc(r, &ts->dma[i]);
			if (!ts->va[i])
				ts->failed = 1;
		}
		for (size_t i = 0; i < blocks; i++)
			if (ts->va[i])
				pool_free(r, ts->va[i], ts->dma[i]);
		done += (long)blocks * 2;
	} while (done < n);
	return done;
}

static void pool_teardown(struct run *r)
{
	for (unsigned int t = 0; t < r->threads; t++) {
		free(r->t[t].va);
		free(r->t[t].dma);
	}
	if (r->dmp_pool)
		dmp_pool_destroy(r->dmp_pool);
	if (r->lx_pool)
		lx_pool_destroy(r->lx_pool);
}

/* ---------------------------------------------------------------------- */
/* dma-iommu: the streaming map+unmap pair over an IOMMU, strict and lazy  */
/* ---------------------------------------------------------------------- */

/*
 * dmaport's side: dmp_map_page()/dmp_unmap_page() of a coherent device behind
 * an IOMMU whose driver (below) is what Linux's side has in lx-dma.c: its
 * domains are one io-pgtable each (Arm LPAE stage 1, 4K|2M|1G, 48-bit);
 * flush_iotlb_all, iotlb_sync and the table's tlb_flush_all and
 * tlb_flush_walk do nothing (the first two count while a check runs); the
 * table's tlb_add_page adds the page to the unmap's gather, as an SMMU
 * driver's does (and Linux's side's, with iommu_iotlb_gather_add_page());
 * capable() says DEFERRED_FLUSH.  The device's default domain is DMA (strict) or DMA_FQ
 * (lazy), a 48-bit mask on both sides.
 */
static void gather_add_page(struct dmp_iommu_iotlb_gather *g, dmp_addr_t iova, size_t granule,
			    void *cookie)
{
	(void)cookie;
	dmp_iommu_iotlb_gather_add(g, iova, granule);
}

static const struct dmp_iommu_flush_ops dma_tlb = {
	.tlb_flush_all = nop_flush_all,
	.tlb_flush_walk = nop_flush_walk,
	.tlb_add_page = gather_add_page,
};

struct peer_dom {
	struct dmp_io_pgtable_cfg cfg;
	bool verify;
	unsigned long flushes, syncs;
};

static int peer_domain_init(struct dmp_iommu *iommu, struct dmp_iommu_domain *d)
{
	(void)iommu;
	dmp_iommu_domain_set_lpae_4k(d, 48);
	if (!dmp_iommu_domain_is_paging(d))
		return 0;
	struct peer_dom *pd = calloc(1, sizeof(*pd));
	if (!pd)
		return -ENOMEM;
	pd->cfg = (struct dmp_io_pgtable_cfg){ .pgsize_bitmap = d->pgsize_bitmap, .ias = 48,
					       .oas = 48, .coherent_walk = true, .tlb = &dma_tlb };
	int err = dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &pd->cfg, pd, &d->pgtbl);
	if (err) {
		free(pd);
		return err;
	}
	d->pgsize_bitmap = pd->cfg.pgsize_bitmap;
	d->priv = pd;
	return 0;
}

static void peer_domain_destroy(struct dmp_iommu_domain *d)
{
	dmp_free_io_pgtable_ops(d->pgtbl);
	d->pgtbl = NULL;
	free(d->priv);
	d->priv = NULL;
}

static int peer_attach_dev(struct dmp_iommu_domain *d, struct dmp_device *dev)
{
	(void)d, (void)dev;
	return 0;
}

static void peer_iotlb_sync(struct dmp_iommu_domain *d, struct dmp_iommu_iotlb_gather *g)
{
	struct peer_dom *pd = d->priv;
	(void)g;
	if (__builtin_expect(pd->verify, 0))
		pd->syncs++;
}

static void peer_flush_iotlb_all(struct dmp_iommu_domain *d)
{
	struct peer_dom *pd = d->priv;
	if (__builtin_expect(pd->verify, 0))
		pd->flushes++;
}

static bool peer_capable(struct dmp_iommu *iommu, enum dmp_iommu_cap cap)
{
	(void)iommu;
	return cap == DMP_IOMMU_CAP_DEFERRED_FLUSH;
}

static const struct dmp_iommu_ops peer_iommu_ops = {
	.name = "peer",
	.domain_init = peer_domain_init,
	.domain_destroy = peer_domain_destroy,
	.attach_dev = peer_attach_dev,
	.map_pages = dmp_io_pgtable_domain_map_pages,
	.unmap_pages = dmp_io_pgtable_domain_unmap_pages,
	.iotlb_sync = peer_iotlb_sync,
	.flush_iotlb_all = peer_flush_iotlb_all,
	.iova_to_phys = dmp_io_pgtable_domain_iova_to_phys,
	.capable = peer_capable,
};

#define DMA_BATCH 64 /* maps, then their unmaps: a work call's pairs */

/* One side's device behind its IOMMU, and each thread's buffers. */
struct dma_side {
	enum side side;
	struct dmp_iommu iommu;
	struct dmp_device dev;
	struct lx_dma *lx;
	void *buf[MAX_THREADS][DMA_BATCH];
	/* what a map takes: dmaport's struct dmp_page, found once here (a
	 * driver holding a page has it); Linux's side takes the address */
	void *page[MAX_THREADS][DMA_BATCH];
	uint64_t addr[MAX_THREADS][DMA_BATCH];
};

static void dma_side_destroy(struct dma_side *ds)
{
	for (unsigned int t = 0; t < MAX_THREADS; t++)
		for (unsigned int i = 0; i < DMA_BATCH; i++) {
			if (ds->side == DMP)
				dmp_kfree(ds->buf[t][i]);
			else
				free(ds->buf[t][i]);
		}
	if (ds->side == DMP && ds->iommu.ops) {
		dmp_iommu_release_device(&ds->dev);
		dmp_iommu_unregister(&ds->iommu);
	}
	if (ds->lx)
		lx_dma_destroy(ds->lx);
	free(ds);
}

static int dma_side_create(enum side side, bool lazy, struct dma_side **out)
{
	struct dma_side *ds = calloc(1, sizeof(*ds));
	uint32_t sid = 1;
	int err = -ENOMEM;
	if (!ds)
		return -ENOMEM;
	ds->side = side;
	for (unsigned int t = 0; t < MAX_THREADS; t++)
		for (unsigned int i = 0; i < DMA_BATCH; i++) {
			ds->buf[t][i] = side == DMP ? dmp_kmalloc(4096, 0) : aligned_alloc(4096, 4096);
			if (!ds->buf[t][i])
				goto fail;
			ds->page[t][i] = side == DMP ? (void *)dmp_virt_to_page(ds->buf[t][i])
						     : ds->buf[t][i];
			if (!ds->page[t][i])
				goto fail;
		}
	if (side == LX) {
		err = lx_dma_create(lazy, &ds->lx);
		if (err)
			goto fail;
		*out = ds;
		return 0;
	}
	snprintf(ds->iommu.name, sizeof(ds->iommu.name), "peer");
	ds->iommu.ops = &peer_iommu_ops;
	ds->iommu.default_type = lazy ? DMP_IOMMU_DOMAIN_DMA_FQ : DMP_IOMMU_DOMAIN_DMA;
	err = dmp_iommu_register(&ds->iommu);
	if (err) {
		ds->iommu.ops = NULL;
		goto fail;
	}
	dmp_device_init(&ds->dev, "peer-dma");
	dmp_device_set_coherent(&ds->dev, true);
	err = dmp_iommu_probe_device(&ds->dev, &ds->iommu, &sid, 1);
	if (!err)
		err = dmp_set_mask_and_coherent(&ds->dev, DMP_BIT_MASK(48));
	if (!err && dmp_iommu_get_domain_for_dev(&ds->dev)->type !=
			    (lazy ? DMP_IOMMU_DOMAIN_DMA_FQ : DMP_IOMMU_DOMAIN_DMA))
		err = -ENODEV;
	if (err) {
		dmp_iommu_unregister(&ds->iommu);
		ds->iommu.ops = NULL;
		goto fail;
	}
	*out = ds;
	return 0;
fail:
	dma_side_destroy(ds);
	return err;
}

static inline uint64_t dma_map(struct dma_side *ds, void *page)
{
	if (ds->side == DMP) {
		dmp_addr_t a = dmp_map_page(&ds->dev, page, 0, 4096, DMP_TO_DEVICE);
		return a == DMP_MAPPING_ERROR ? ~(uint64_t)0 : a; /* as Linux's side: no checker call */
	}
	return lx_dma_map_page(ds->lx, page, 0, 4096);
}

static inline void dma_unmap(struct dma_side *ds, uint64_t addr)
{
	if (ds->side == DMP)
		dmp_unmap_page(&ds->dev, addr, 4096, DMP_TO_DEVICE);
	else
		lx_dma_unmap_page(ds->lx, addr, 4096);
}

/* The physical address @addr translates to, 0 if none (both sides' buffers
 * are at nonzero physical addresses). */
static uint64_t dma_iova_to_phys(struct dma_side *ds, uint64_t addr)
{
	if (ds->side == LX)
		return lx_dma_iova_to_phys(ds->lx, addr);
	dmp_phys_t phys;
	if (dmp_iommu_iova_to_phys(dmp_iommu_get_domain_for_dev(&ds->dev), addr, &phys))
		return 0;
	return phys;
}

static uint64_t dma_buf_phys(struct dma_side *ds, void *buf)
{
	dmp_phys_t phys = 0;
	if (ds->side == LX)
		return (uint64_t)(uintptr_t)buf;
	return dmp_virt_to_phys(buf, &phys) ? 0 : phys;
}

static void dma_verify(struct dma_side *ds, bool on)
{
	if (ds->side == LX)
		lx_dma_verify(ds->lx, on);
	else
		((struct peer_dom *)dmp_iommu_get_domain_for_dev(&ds->dev)->priv)->verify = on;
}

static void dma_counts(struct dma_side *ds, unsigned long *flushes, unsigned long *syncs)
{
	if (ds->side == LX) {
		*flushes = lx_dma_flushes(ds->lx);
		*syncs = lx_dma_syncs(ds->lx);
	} else {
		struct peer_dom *pd = dmp_iommu_get_domain_for_dev(&ds->dev)->priv;
		*flushes = pd->flushes;
		*syncs = pd->syncs;
	}
}

/*
 * Before any timing, on each side and in each mode: every map translates to
 * its buffer's physical address; every unmap leaves the address
 * untranslated; an address comes back from a map only after the IOTLB was
 * invalidated since its unmap: by a flush of the whole IOTLB (lazy: the
 * flush queue's) or by the sync of that unmap (strict), and a strict unmap
 * syncs each time.  4,000 pairs over 8 buffers (the lazy queue of 256
 * entries fills and flushes many times).  Returns 0 or -1 with a line
 * naming what failed.
 */
static int check_dma_side(enum side side, bool lazy, unsigned long *flushes_seen)
{
	enum { PAIRS = 4000, BUFS = 8 };
	struct dma_side *ds;
	struct { uint64_t addr; unsigned long flushes, syncs; } *rec = calloc(PAIRS, sizeof(*rec));
	const char *what = NULL;
	unsigned long reused = 0, f0, s0, f, s;
	int i;
	if (!rec || dma_side_create(side, lazy, &ds)) {
		free(rec);
		fprintf(stderr, "peer: %s %s: cannot set up the device\n", side_name[side],
			lazy ? "lazy" : "strict");
		return -1;
	}
	dma_verify(ds, true);
	for (i = 0; i < PAIRS && !what; i++) {
		void *buf = ds->buf[0][i % BUFS];
		uint64_t a = dma_map(ds, ds->page[0][i % BUFS]);
		dma_counts(ds, &f, &s);
		if (a == ~(uint64_t)0) {
			what = "a map failed";
			break;
		}
		if (dma_iova_to_phys(ds, a) != dma_buf_phys(ds, buf))
			what = "the address does not translate to the buffer";
		for (int k = i - 1; k >= 0 && !what; k--)
			if (rec[k].addr == a) { /* its last unmap */
				if (lazy ? f <= rec[k].flushes : f + s <= rec[k].flushes + rec[k].syncs)
					what = "an address came back before the IOTLB was invalidated";
				reused++;
				break;
			}
		rec[i] = (__typeof__(rec[i])){ a, f, s };
		dma_unmap(ds, a);
		if (!what && dma_iova_to_phys(ds, a) != 0)
			what = "the address still translates after its unmap";
		dma_counts(ds, &f0, &s0);
		if (!what && !lazy && s0 + f0 == f + s)
			what = "a strict unmap did not invalidate the IOTLB";
	}
	if (!what && !reused)
		what = "no address was ever reused (the check saw nothing)";
	dma_counts(ds, &f, &s);
	*flushes_seen = f;
	dma_verify(ds, false);
	dma_side_destroy(ds);
	free(rec);
	if (what) {
		fprintf(stderr, "peer: %s %s, pair %d: %s\n", side_name[side],
			lazy ? "lazy" : "strict", i, what);
		return -1;
	}
	return 0;
}

static int dma_setup(struct run *r)
{
	return dma_side_create(r->side, r->row->param != 0, &r->dma);
}

/* DMA_BATCH maps of 4 KiB buffers, then their unmaps: an op is one pair. */
static long dma_work(struct run *r, unsigned int t, long n)
{
	struct dma_side *ds = r->dma;
	long done = 0;
	do {
		for (unsigned int i = 0; i < DMA_BATCH; i++)
			ds->addr[t][i] = dma_map(ds, ds->page[t][i]);
		for (unsigned int i = 0; i < DMA_BATCH; i++) {
			if (ds->addr[t][i] == ~(uint64_t)0) {
				r->t[t].failed = 1;
				continue;
			}
			dma_unmap(ds, ds->addr[t][i]);
		}
		done += DMA_BATCH;
	} while (done < n);
	return done;
}

static void dma_teardown(struct run *r)
{
	if (r->dma)
		dma_side_destroy(r->dma);
}

/* ---------------------------------------------------------------------- */
/* The rows                                                                */
/* ---------------------------------------------------------------------- */

#define IOVA_FAST(name, size, th) \
	{ "iova", name, "alloc+free", th, size, 0, 0, iova_pairs_setup, iova_fast_work, iova_teardown }
#define IOVA_TREE(name, size, th, setup) \
	{ "iova", name, "alloc+free", th, size, 0, 0, setup, iova_tree_work, iova_teardown }
#define IOVA_WS(name, w, bits, th) \
	{ "iova", name, "replace", th, w, bits, 0, iova_workset_setup, iova_workset_work, \
	  iova_workset_teardown }
#define POOL(name, size, align, boundary, th) \
	{ "dmapool", name, "alloc|free", th, size, align, boundary, pool_setup, pool_work, \
	  pool_teardown }

#define DMA(name, lazy, th) \
	{ "iommu", name, "map+unmap", th, lazy, 0, 0, dma_setup, dma_work, dma_teardown }

static const struct row rows[] = {
	IOVA_FAST("cached, 1 page", 1, 1),
	IOVA_FAST("cached, 1 page", 1, 2),
	IOVA_FAST("cached, mixed 1..64", 0, 1),
	IOVA_FAST("cached, mixed 1..64", 0, 2),
	IOVA_TREE("tree, 1 page", 1, 1, iova_pairs_setup),
	IOVA_TREE("tree, 1 page", 1, 2, iova_pairs_setup),
	IOVA_TREE("tree, mixed, fragmented", 0, 1, iova_fragmented_setup),
	IOVA_TREE("tree, mixed, fragmented", 0, 2, iova_fragmented_setup),
	IOVA_WS("live 1000, 32-bit", 1000, 32, 1),
	IOVA_WS("live 1000, 32-bit", 1000, 32, 2),
	IOVA_WS("live 10000, 32-bit", 10000, 32, 1),
	IOVA_WS("live 10000, 32-bit", 10000, 32, 2),
	IOVA_WS("live 1000, 40-bit", 1000, 40, 1),
	IOVA_WS("live 100000, 40-bit", 100000, 40, 1),
	IOVA_WS("live 1000000, 40-bit", 1000000, 40, 1),
	{ "pgtable", "4K map|unmap, sequential", "map|unmap", 1, 0, 0, 0, pgt_4k_setup,
	  pgt_4k_work, pgt_teardown },
	{ "pgtable", "4K map|unmap, random", "map|unmap", 1, 1, 0, 0, pgt_4k_setup, pgt_4k_work,
	  pgt_teardown },
	{ "pgtable", "2M block", "map+unmap", 1, 1 << 21, 0, 0, pgt_block_setup, pgt_block_work,
	  pgt_teardown },
	{ "pgtable", "1G block", "map+unmap", 1, 1 << 30, 0, 0, pgt_block_setup, pgt_block_work,
	  pgt_teardown },
	{ "pgtable", "iova_to_phys, 4K", "lookup", 1, 0, 0, 0, pgt_lookup_setup, pgt_lookup_work,
	  pgt_teardown },
	POOL("16 B", 16, 16, 0, 1),
	POOL("64 B", 64, 64, 0, 1),
	POOL("256 B", 256, 256, 0, 1),
	POOL("1024 B", 1024, 1024, 0, 1),
	POOL("4096 B", 4096, 4096, 0, 1),
	POOL("68 B, align 32, bound 4K", 68, 32, 4096, 1),
	POOL("16 B", 16, 16, 0, 2),
	POOL("64 B", 64, 64, 0, 2),
	POOL("68 B, align 32, bound 4K", 68, 32, 4096, 2),
	DMA("dma-iommu lazy (DMA-FQ), 4 KiB", 1, 1),
	DMA("dma-iommu lazy (DMA-FQ), 4 KiB", 1, 2),
	DMA("dma-iommu strict (DMA), 4 KiB", 0, 1),
	DMA("dma-iommu strict (DMA), 4 KiB", 0, 2),
};

/* ---------------------------------------------------------------------- */
/* Running                                                                 */
/* ---------------------------------------------------------------------- */

struct thread_arg {
	struct run *r;
	unsigned int t;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct run *r = a->r;
	struct thread_state *ts = &r->t[a->t];
	lx_set_cpu((int)a->t);
	r->row->work(r, a->t, CHUNK * 16); /* warm-up: caches, magazines, lists */
	pthread_barrier_wait(&r->barrier);
	uint64_t w0 = bench_now_ns(), c0 = bench_thread_cpu_ns();
	uint64_t budget = (uint64_t)r->ms * 1000000u, c = 0, last = 0;
	long ops = 0, chunk = CHUNK;
	do {
		ops += r->row->work(r, a->t, r->ops ? DMP_MIN(chunk, r->ops - ops) : chunk);
		c = bench_thread_cpu_ns() - c0;
		if (c - last < CHUNK_CPU_NS && chunk < CHUNK_MAX)
			chunk *= 2;
		last = c;
	} while ((r->ops ? ops < r->ops : c < budget) && !ts->failed);
	ts->wall_ns = bench_now_ns() - w0;
	ts->cpu_ns = c;
	ts->ops = ops;
	return NULL;
}

struct figures {
	double cpu_ns_op, wall_ns_op;
	double cpus; /* all threads' CPU time over the run's wall time */
	int failed;
};

static struct figures run_once(const struct row *row, enum side side, long ms, long nops,
			       struct dmp_device *dev)
{
	struct run *r = aligned_alloc(64, DMP_ALIGN_UP(sizeof(*r), 64));
	struct figures f = { .failed = 1 };
	if (!r)
		return f;
	memset(r, 0, sizeof(*r));
	r->row = row;
	r->side = side;
	r->threads = row->threads;
	r->ms = ms;
	r->ops = nops;
	r->dev = dev;
	lx_set_cpu(0);
	if (row->setup(r) == 0) {
		struct thread_arg args[MAX_THREADS];
		pthread_t tid[MAX_THREADS];
		pthread_barrier_init(&r->barrier, NULL, r->threads);
		for (unsigned int t = 0; t < r->threads; t++) {
			args[t] = (struct thread_arg){ r, t };
			pthread_create(&tid[t], NULL, thread_main, &args[t]);
		}
		uint64_t cpu = 0, wall = 0;
		long ops = 0;
		f.failed = 0;
		for (unsigned int t = 0; t < r->threads; t++) {
			pthread_join(tid[t], NULL);
			cpu += r->t[t].cpu_ns;
			wall = DMP_MAX(wall, r->t[t].wall_ns);
			ops += r->t[t].ops;
			f.failed |= r->t[t].failed;
		}
		pthread_barrier_destroy(&r->barrier);
		f.cpu_ns_op = ops ? (double)cpu / (double)ops : 0;
		f.wall_ns_op = ops ? (double)wall * r->threads / (double)ops : 0;
		f.cpus = wall ? (double)cpu / (double)wall : 0;
	}
	lx_set_cpu(0);
	row->teardown(r);
	if (side == LX)
		lx_run_delayed_work();
	f.failed |= r->t[0].failed;
	free(r);
	return f;
}

static double min_of(const double *v, size_t n)
{
	double m = v[0];
	for (size_t i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double max_of(const double *v, size_t n)
{
	double m = v[0];
	for (size_t i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static const char *const groups[] = { "iova", "pgtable", "dmapool", "iommu" };

/*
 * dmaport documents that its tree path returns Linux's ranges (iova.h), but
 * for one thing: Linux's max32_alloc_size shortcut can fail a 32-bit request
 * that would fit, where dmaport remembers failures exactly and succeeds.  On
 * a deterministic sequence of size-aligned and unaligned allocations and
 * frees of mixed sizes in a 32-bit space, both must return the same pfn at
 * every step, until Linux fails a request dmaport satisfies (the trees
 * differ from there: the comparison stops and says so).  Checked against
 * the real iova.c before any timing; any other difference fails the
 * benchmark.  Returns the steps compared, or -1.
 */
static long check_same_ranges(void)
{
	enum { LIVE = 2048, STEPS = 200000 };
	struct run d = { .side = DMP }, l = { .side = LX };
	unsigned long *live = calloc(LIVE, sizeof(*live));
	uint64_t s = 2024;
	long i;
	int err = iova_side_create(&d, 32) || iova_side_create(&l, 32) || !live ? -ENOMEM : 0;
	for (i = 0; i < STEPS && !err; i++) {
		size_t k = (size_t)(rng_next(&s) % LIVE);
		if (live[k]) {
			iova_free(&d, live[k]);
			iova_free(&l, live[k]);
			live[k] = 0;
			continue;
		}
		unsigned long size = 1 + rng_next(&s) % (i % 3 ? 64 : 1024), pd = 0, pl = 0;
		bool aligned = rng_next(&s) % 4 != 0;
		int ed = iova_alloc(&d, size, aligned, &pd), el = iova_alloc(&l, size, aligned, &pl);
		if (!ed && el) {
			iova_free(&d, pd); /* Linux's shortcut: documented; stop here */
			break;
		}
		if (ed != el || (!ed && pd != pl)) {
			fprintf(stderr, "peer: step %ld: alloc %lu pages%s: dmaport %d pfn %#lx, Linux "
				"%d pfn %#lx\n", i, size, aligned ? " aligned" : "", ed, pd, el, pl);
			err = -EIO;
		}
		live[k] = ed ? 0 : pd;
	}
	for (size_t k = 0; k < LIVE && live; k++)
		if (live[k]) {
			iova_free(&d, live[k]);
			iova_free(&l, live[k]);
		}
	free(live);
	iova_teardown(&d);
	iova_teardown(&l);
	return err || d.t[0].failed ? -1 : i;
}

int dmp_bench_peer(int argc, char **argv);
int dmp_bench_peer(int argc, char **argv)
{
	long runs = 5, ms = 100, only_group = 0, only_row = 0, ops = 0, only_side = 0;
	const struct bench_opt opts[] = {
		{ "--runs", &runs, 1, MAX_RUNS,
		  "runs of each row on each side, interleaved ABBA (the row prints medians and "
		  "min-max over them)" },
		{ "--ms", &ms, 1, 60000, "milliseconds of thread CPU time each run is timed for" },
		{ "--group", &only_group, 0, 4,
		  "rows of one group: 0 all, 1 iova, 2 pgtable, 3 dmapool, 4 iommu (the "
		  "dma-iommu map+unmap pair)" },
		{ "--row", &only_row, 0, (long)DMP_ARRAY_SIZE(rows),
		  "one row by its number in the table (0: all)" },
		{ "--ops", &ops, 0, 1000000000,
		  "operations of each thread in a run, in place of --ms (0: timed for --ms); "
		  "fixed counts for instruction counts: valgrind --tool=callgrind "
		  "--toggle-collect=thread_main dmaport-bench peer --row R --ops N --side S, "
		  "then the instructions over N are one operation's" },
		{ "--side", &only_side, 0, 2, "run one side only: 0 both, 1 dmaport, 2 Linux" },
	};
	int args_rc = bench_parse(argc, argv,
				  "dmaport against Linux's own iova.c, io-pgtable-arm.c, dmapool.c and "
				  "dma-iommu.c's map+unmap path (built from Debian's linux-source by "
				  "make bench-peer), side by side in one process.", opts,
				  DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;

	struct dmp_sim *sim;
	if (bench_sim_default("peer", &sim))
		return 1;
	struct dmp_device dev;
	dmp_device_init(&dev, "peer");
	dmp_device_set_coherent(&dev, true);

	/* the IOVA and dma-iommu rows' preconditions: only when one of them runs */
	bool any_iova = false, any_dma = false;
	for (size_t i = 0; i < DMP_ARRAY_SIZE(rows); i++) {
		bool runs_it = (!only_row || (size_t)only_row == i + 1) &&
			       (!only_group || !strcmp(groups[only_group - 1], rows[i].group));
		any_iova |= runs_it && !strcmp(rows[i].group, "iova");
		any_dma |= runs_it && !strcmp(rows[i].group, "iommu");
	}
	lx_set_cpu(0);
	long same = any_iova ? check_same_ranges() : 0;
	if (same < 0) {
		fprintf(stderr, "peer: dmaport's tree path and Linux's alloc_iova disagree\n");
		dmp_sim_destroy(sim);
		return 1;
	}
	unsigned long flushes[2][2] = { { 0 } }; /* [side][lazy] */
	for (int side = 0; side < 2 && any_dma; side++)
		for (int lazy = 0; lazy < 2; lazy++)
			if (check_dma_side((enum side)side, lazy, &flushes[side][lazy])) {
				dmp_sim_destroy(sim);
				return 1;
			}
	printf("dmaport-bench peer: dmaport against Linux's own code (%s), one process;\n",
	       lx_linux_version());
	if (ops)
		printf("  %ld runs per side per row, ABBA; each run %ld operations per thread;\n",
		       runs, ops);
	else
		printf("  %ld runs per side per row, ABBA; each run timed for %ld ms of thread CPU;\n",
		       runs, ms);
	printf("  ns/op = all threads' CPU time / all ops (median over runs) [min-max];\n"
	       "  wall = wall time / ops per thread (median); Linux/dmaport > 1: dmaport ahead;\n"
	       "  CPUs d/L = all threads' CPU time / wall time, dmaport/Linux (median): how much of "
	       "the machine a run got\n  (2 threads near 2: they ran side by side and their "
	       "ns/op includes what sharing costs; near 1: seldom at once)\n");
	if (only_side)
		printf("  %s side only\n", side_name[only_side - 1]);
	if (any_iova)
		printf("  checked first: dmaport's tree path returned Linux's alloc_iova ranges for "
		       "%ld steps%s\n", same,
		       same < 200000 ? " (then Linux's max32_alloc_size shortcut failed a request "
				       "that fits, as iova.h documents)" : "");
	if (any_dma)
		printf("  checked first: on both sides, strict and lazy, 4000 map+unmap pairs each "
		       "translated to their buffer,\n  were gone after the unmap, and came back only "
		       "after an IOTLB invalidation (lazy: %lu and %lu flush-queue flushes)\n",
		       flushes[DMP][1], flushes[LX][1]);
	printf("%-3s %-8s %-30s %-10s %3s %10s %17s %10s %17s %8s %8s %8s %9s\n", "#", "group",
	       "row", "op", "thr", "dmaport", "[min-max]", "Linux", "[min-max]", "Lx/dmp",
	       "dmp wall", "Lx wall", "CPUs d/L");
	int rc = 0;
	for (size_t i = 0; i < DMP_ARRAY_SIZE(rows); i++) {
		const struct row *row = &rows[i];
		if (only_row && (size_t)only_row != i + 1)
			continue;
		if (only_group && strcmp(groups[only_group - 1], row->group))
			continue;
		double cpu[2][MAX_RUNS], wall[2][MAX_RUNS], cpus[2][MAX_RUNS];
		int failed = 0;
		for (long k = 0; k < runs; k++) {
			/* ABBA: dmaport first in runs 0, 3, 4, 7, 8 ...; Linux in 1, 2, 5, 6 */
			enum side first = ((k + 1) / 2) % 2 ? LX : DMP;
			for (int s = 0; s < 2; s++) {
				enum side side = s ? (enum side)!first : first;
				if (only_side && (int)side != only_side - 1) {
					cpu[side][k] = wall[side][k] = cpus[side][k] = 0;
					continue;
				}
				struct figures f = run_once(row, side, ms, ops, &dev);
				cpu[side][k] = f.cpu_ns_op;
				wall[side][k] = f.wall_ns_op;
				cpus[side][k] = f.cpus;
				failed |= f.failed;
			}
		}
		double lo[2], hi[2], med[2], wmed[2], cmed[2];
		char range[2][32];
		for (int s = 0; s < 2; s++) {
			lo[s] = min_of(cpu[s], (size_t)runs);
			hi[s] = max_of(cpu[s], (size_t)runs);
			med[s] = bench_median(cpu[s], (size_t)runs);
			wmed[s] = bench_median(wall[s], (size_t)runs);
			cmed[s] = bench_median(cpus[s], (size_t)runs);
			snprintf(range[s], sizeof(range[s]), "[%.1f-%.1f]", lo[s], hi[s]);
		}
		printf("%-3zu %-8s %-30s %-10s %3u %10.1f %17s %10.1f %17s %8.2f %8.1f %8.1f "
		       "%4.2f/%4.2f%s\n",
		       i + 1, row->group, row->name, row->op, row->threads, med[DMP], range[DMP],
		       med[LX], range[LX], med[DMP] > 0 ? med[LX] / med[DMP] : 0, wmed[DMP],
		       wmed[LX], cmed[DMP], cmed[LX], failed ? "  (FAILED: an operation failed)" : "");
		fflush(stdout);
		rc |= failed;
	}
	if (any_dma)
		printf("iommu rows: Linux's side is kernel/dma/mapping.c's dma_map_page_attrs/"
		       "dma_unmap_page_attrs, drivers/iommu/dma-iommu.c's\n  iommu_dma_map_page/"
		       "unmap_page and iommu.c's iommu_map/iommu_unmap_fast/iommu_iova_to_phys, cut "
		       "out unchanged at build time,\n  over its iova.c and io-pgtable-arm.c; our "
		       "stand-ins on that side: the IOMMU driver (io-pgtable forwarders, no-op TLB\n"
		       "  invalidation, the same driver as dmaport's side), the device probe and domain "
		       "set-up (untimed), swiotlb's unmap check\n  (bench/peer/lx-dma.c, "
		       "shim/peer-dma-iommu.h)\n");
	dmp_sim_destroy(sim);
	return rc;
}
