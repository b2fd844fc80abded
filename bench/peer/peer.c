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
	int failed;
};

static struct figures run_once(const struct row *row, enum side side, long ms, long nops,
			       struct dmp_device *dev)
{
	struct run *r = aligned_alloc(64, DMP_ALIGN_UP(sizeof(*r), 64));
	struct figures f = { 0, 0, 1 };
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

static const char *const groups[] = { "iova", "pgtable", "dmapool" };

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
		{ "--group", &only_group, 0, 3, "rows of one group: 0 all, 1 iova, 2 pgtable, 3 dmapool" },
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
				  "dmaport against Linux's own iova.c, io-pgtable-arm.c and dmapool.c "
				  "(built from Debian's linux-source by make bench-peer), side by side "
				  "in one process.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;

	struct dmp_sim *sim;
	if (bench_sim_default("peer", &sim))
		return 1;
	struct dmp_device dev;
	dmp_device_init(&dev, "peer");
	dmp_device_set_coherent(&dev, true);

	/* the IOVA rows' precondition: only when one of them runs */
	bool any_iova = false;
	for (size_t i = 0; i < DMP_ARRAY_SIZE(rows); i++)
		any_iova |= (!only_row || (size_t)only_row == i + 1) &&
			    (!only_group || !strcmp(groups[only_group - 1], rows[i].group)) &&
			    !strcmp(rows[i].group, "iova");
	lx_set_cpu(0);
	long same = any_iova ? check_same_ranges() : 0;
	if (same < 0) {
		fprintf(stderr, "peer: dmaport's tree path and Linux's alloc_iova disagree\n");
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
	       "  wall = wall time / ops per thread (median); Linux/dmaport > 1: dmaport ahead;\n");
	if (only_side)
		printf("  %s side only\n", side_name[only_side - 1]);
	if (any_iova)
		printf("  checked first: dmaport's tree path returned Linux's alloc_iova ranges for "
		       "%ld steps%s\n", same,
		       same < 200000 ? " (then Linux's max32_alloc_size shortcut failed a request "
				       "that fits, as iova.h documents)" : "");
	printf("%-3s %-8s %-30s %-10s %3s %10s %17s %10s %17s %8s %8s %8s\n", "#", "group", "row",
	       "op", "thr", "dmaport", "[min-max]", "Linux", "[min-max]", "Lx/dmp", "dmp wall",
	       "Lx wall");
	int rc = 0;
	for (size_t i = 0; i < DMP_ARRAY_SIZE(rows); i++) {
		const struct row *row = &rows[i];
		if (only_row && (size_t)only_row != i + 1)
			continue;
		if (only_group && strcmp(groups[only_group - 1], row->group))
			continue;
		double cpu[2][MAX_RUNS], wall[2][MAX_RUNS];
		int failed = 0;
		for (long k = 0; k < runs; k++) {
			/* ABBA: dmaport first in runs 0, 3, 4, 7, 8 ...; Linux in 1, 2, 5, 6 */
			enum side first = ((k + 1) / 2) % 2 ? LX : DMP;
			for (int s = 0; s < 2; s++) {
				enum side side = s ? (enum side)!first : first;
				if (only_side && (int)side != only_side - 1) {
					cpu[side][k] = wall[side][k] = 0;
					continue;
				}
				struct figures f = run_once(row, side, ms, ops, &dev);
				cpu[side][k] = f.cpu_ns_op;
				wall[side][k] = f.wall_ns_op;
				failed |= f.failed;
			}
		}
		double lo[2], hi[2], med[2], wmed[2];
		char range[2][32];
		for (int s = 0; s < 2; s++) {
			lo[s] = min_of(cpu[s], (size_t)runs);
			hi[s] = max_of(cpu[s], (size_t)runs);
			med[s] = bench_median(cpu[s], (size_t)runs);
			wmed[s] = bench_median(wall[s], (size_t)runs);
			snprintf(range[s], sizeof(range[s]), "[%.1f-%.1f]", lo[s], hi[s]);
		}
		printf("%-3zu %-8s %-30s %-10s %3u %10.1f %17s %10.1f %17s %8.2f %8.1f %8.1f%s\n",
		       i + 1, row->group, row->name, row->op, row->threads, med[DMP], range[DMP],
		       med[LX], range[LX], med[DMP] > 0 ? med[LX] / med[DMP] : 0, wmed[DMP],
		       wmed[LX], failed ? "  (FAILED: an operation failed)" : "");
		fflush(stdout);
		rc |= failed;
	}
	dmp_sim_destroy(sim);
	return rc;
}
