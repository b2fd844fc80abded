/* SPDX-License-Identifier: MIT */
/*
 * iova.c - `dmaport-bench iova`: IOVA alloc+free pairs.
 *
 * Each thread allocates a range and frees the range it allocated --depth
 * pairs earlier (depth 1: back to back), on one shared domain:
 *   path   fast: dmp_alloc_iova_fast / dmp_free_iova_fast (the per-CPU caches)
 *          tree: dmp_alloc_iova (size-aligned) / dmp_free_iova
 *   sizes  1, 4, 16 pages (cached classes), or mixed: uniform 1..64 pages,
 *          so about half are beyond the cached classes
 *   space  empty, or fragmented: --prefill ranges of 1..16 pages allocated
 *          below 4 GiB, then every other one freed
 *   threads 1 or 2 (the same domain)
 * The limit is a 32-bit DMA mask.  Figures: the median over --batches batches
 * of ns per pair (as one thread sees it) and of pairs per second (all
 * threads).  The allocator needs no platform: no simulated machine is made.
 *
 * With --live W, instead: the growth of the tree path with the number of
 * live ranges, as `dmaport-bench peer`'s "live W" rows but for any W and
 * dmaport alone: W ranges of 1..64 pages, size-aligned, below a
 * --space-bits limit; an operation frees one of them chosen at random (by
 * pfn, as dmp_free_iova) and allocates a new one in its slot.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dmaport/iova.h>

#include "bench.h"

#define MAX_THREADS 2
#define SIZE_TABLE 4096 /* a power of two */
#define MAX_DEPTH 1024

enum path { PATH_FAST, PATH_TREE };

struct run {
	struct dmp_iova_domain iovad;
	enum path path;
	unsigned long fixed_size;   /* 0: mixed */
	unsigned long limit;
	long depth;
	long pairs;                 /* per thread per batch */
	long batches;
	unsigned int threads;
	pthread_barrier_t barrier;
	uint64_t t0;
	double *ns;                 /* per batch: ns per pair */
	double *cpu_ns;             /* per batch: thread 0's CPU ns per pair */
	double *rate;               /* per batch: pairs per second, all threads */
	unsigned long sizes[SIZE_TABLE];
	_Atomic unsigned long failures;
};

struct thread_arg {
	struct run *run;
	unsigned int index;
	pthread_t thread;
};

static inline int do_alloc(struct run *r, unsigned long size, unsigned long *pfn)
{
	if (r->path == PATH_FAST)
		return dmp_alloc_iova_fast(&r->iovad, size, r->limit, true, pfn);
	return dmp_alloc_iova(&r->iovad, size, r->limit, true, pfn);
}

static inline void do_free(struct run *r, unsigned long size, unsigned long pfn)
{
	if (r->path == PATH_FAST)
		dmp_free_iova_fast(&r->iovad, pfn, size);
	else
		dmp_free_iova(&r->iovad, pfn);
}

/* @pairs alloc+free pairs with a ring of @depth outstanding ranges. */
static void pairs_loop(struct run *r, unsigned int index, long pairs, unsigned long *ring_pfn,
		       unsigned long *ring_size, unsigned long *pos)
{
	unsigned long mask = SIZE_TABLE - 1, p = *pos;
	long depth = r->depth, slot = (long)(p % (unsigned long)depth);

	for (long i = 0; i < pairs; i++, p++) {
		unsigned long size = r->fixed_size ? r->fixed_size : r->sizes[(p * 7 + index) & mask];
		unsigned long pfn;
		if (ring_size[slot]) {
			do_free(r, ring_size[slot], ring_pfn[slot]);
			ring_size[slot] = 0;
		}
		if (__builtin_expect(do_alloc(r, size, &pfn) == 0, 1)) {
			ring_pfn[slot] = pfn;
			ring_size[slot] = size;
		} else {
			r->failures++;
		}
		if (++slot == depth)
			slot = 0;
	}
	*pos = p;
}


static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct run *r = a->run;
	static _Thread_local unsigned long ring_pfn[MAX_DEPTH], ring_size[MAX_DEPTH];
	unsigned long pos = 0;

	memset(ring_size, 0, sizeof(ring_size));
	/* warm up: magazines filled, the cached node settled */
	pairs_loop(r, a->index, r->pairs / 4 + r->depth, ring_pfn, ring_size, &pos);
	for (long b = 0; b < r->batches; b++) {
		pthread_barrier_wait(&r->barrier);
		if (a->index == 0)
			r->t0 = bench_now_ns();
		pthread_barrier_wait(&r->barrier);
		uint64_t c0 = bench_thread_cpu_ns();
		pairs_loop(r, a->index, r->pairs, ring_pfn, ring_size, &pos);
		uint64_t c1 = bench_thread_cpu_ns();
		pthread_barrier_wait(&r->barrier);
		if (a->index == 0) {
			double ns = (double)(bench_now_ns() - r->t0);
			r->cpu_ns[b] = (double)(c1 - c0) / (double)r->pairs;
			r->ns[b] = ns / (double)r->pairs;
			r->rate[b] = (double)r->pairs * r->threads * 1e9 / ns;
		}
	}
	for (long s = 0; s < r->depth; s++)
		if (ring_size[s])
			do_free(r, ring_size[s], ring_pfn[s]);
	return NULL;
}

/* Fill @prefill ranges of 1..16 pages below the limit, free every other one. */
static int fragment(struct run *r, long prefill, uint64_t *rng)
{
	unsigned long *pfns = malloc(sizeof(*pfns) * (size_t)prefill);
	if (!pfns)
		return -ENOMEM;
	for (long i = 0; i < prefill; i++) {
		*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
		unsigned long size = 1 + (unsigned long)(*rng >> 33) % 16;
		if (dmp_alloc_iova(&r->iovad, size, r->limit, false, &pfns[i])) {
			free(pfns);
			return -ENOMEM;
		}
	}
	for (long i = 0; i < prefill; i += 2)
		dmp_free_iova(&r->iovad, pfns[i]);
	free(pfns);
	return 0;
}

static int run_one(struct run *r, long prefill, uint64_t seed)
{
	struct thread_arg args[MAX_THREADS];
	uint64_t rng = seed;
	int err;

	err = dmp_iova_domain_init(&r->iovad, 4096, 1);
	if (err)
		return err;
	r->limit = dmp_iova_limit_pfn(&r->iovad, DMP_BIT_MASK(32));
	for (unsigned int i = 0; i < SIZE_TABLE; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		r->sizes[i] = 1 + (unsigned long)(rng >> 33) % 64;
	}
	if (prefill && (err = fragment(r, prefill, &rng)) != 0)
		goto out_destroy;
	r->failures = 0;
	pthread_barrier_init(&r->barrier, NULL, r->threads);
	for (unsigned int t = 0; t < r->threads; t++) {
		args[t] = (struct thread_arg){ .run = r, .index = t };
		pthread_create(&args[t].thread, NULL, thread_main, &args[t]);
	}
	for (unsigned int t = 0; t < r->threads; t++)
		pthread_join(args[t].thread, NULL);
	pthread_barrier_destroy(&r->barrier);
	if (dmp_iova_domain_check(&r->iovad))
		err = -EINVAL;
out_destroy:
	dmp_iova_domain_destroy(&r->iovad);
	return err;
}

/* @ops replacements among the @live ranges of @pfn; a function of its own
 * so that valgrind --toggle-collect=live_replace counts them alone. */
static __attribute__((noinline)) int live_replace(struct dmp_iova_domain *iovad,
						  unsigned long *pfn, long live,
						  const unsigned long *sizes, unsigned long limit,
						  long ops, uint64_t *rng, long *pos)
{
	int err = 0;
	for (long i = 0; i < ops && !err; i++) {
		*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
		size_t k = (size_t)((*rng >> 33) % (uint64_t)live);
		dmp_free_iova(iovad, pfn[k]);
		err = dmp_alloc_iova(iovad, sizes[(*pos)++ & (SIZE_TABLE - 1)], limit, true,
				     &pfn[k]);
	}
	return err;
}

/* The --live workload: @live ranges, @ops replacements per batch. */
static int run_live(long live, long space_bits, long batches, long ops)
{
	struct dmp_iova_domain *iovad = aligned_alloc(64, DMP_ALIGN_UP(sizeof(*iovad), 64));
	unsigned long *pfn = malloc(sizeof(*pfn) * (size_t)live), limit;
	unsigned long sizes[SIZE_TABLE];
	double *cpu = calloc((size_t)batches, sizeof(double));
	uint64_t rng = 99;
	long pos = 0;
	int err = !iovad || !pfn || !cpu ? -ENOMEM : dmp_iova_domain_init(iovad, 4096, 1);

	if (err)
		goto out_free;
	limit = dmp_iova_limit_pfn(iovad, DMP_BIT_MASK(space_bits));
	for (unsigned int i = 0; i < SIZE_TABLE; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		sizes[i] = 1 + (unsigned long)(rng >> 33) % 64;
	}
	for (long i = 0; i < live && !err; i++)
		err = dmp_alloc_iova(iovad, sizes[pos++ & (SIZE_TABLE - 1)], limit, true, &pfn[i]);
	/* batch -1 warms up (and lets the tree settle), untimed */
	for (long b = -1; b < batches && !err; b++) {
		uint64_t c0 = bench_thread_cpu_ns();
		err = live_replace(iovad, pfn, live, sizes, limit, ops, &rng, &pos);
		if (b >= 0)
			cpu[b] = (double)(bench_thread_cpu_ns() - c0) / (double)ops;
	}
	if (!err && dmp_iova_domain_check(iovad))
		err = -EINVAL;
	if (!err) {
		double med = bench_median(cpu, (size_t)batches); /* sorts @cpu */
		printf("live %9ld  space %2ld-bit  %9.1f cpu ns/op [%.1f-%.1f]  (median [min-max] "
		       "of %ld batches of %ld)\n", live, space_bits, med, cpu[0],
		       cpu[batches - 1], batches, ops);
	}
	dmp_iova_domain_destroy(iovad);
out_free:
	free(cpu);
	free(pfn);
	free(iovad);
	if (err)
		printf("live %ld: run failed: %d\n", live, err);
	return err ? 1 : 0;
}

int dmp_bench_iova(int argc, char **argv);
int dmp_bench_iova(int argc, char **argv)
{
	long batches = 9, fast_pairs = 200000, prefill = 65536, depth = 1;
	long live = 0, space_bits = 40, live_ops = 20000;
	const struct bench_opt opts[] = {
		{ "--batches", &batches, 1, 1000, "batches per row (the row prints medians)" },
		{ "--pairs", &fast_pairs, 1, 100000000,
		  "alloc+free pairs per thread per batch on the fast path (the tree path and "
		  "mixed sizes run an eighth)" },
		{ "--prefill", &prefill, 0, 100000,
		  "ranges of 1..16 pages allocated before the fragmented rows (every other one "
		  "then freed)" },
		{ "--depth", &depth, 1, MAX_DEPTH,
		  "ranges each thread keeps live: a pair frees the range allocated DEPTH pairs "
		  "earlier (1: back to back)" },
		{ "--live", &live, 0, 10000000,
		  "instead of the pairs table: LIVE ranges of 1..64 pages, size-aligned, each "
		  "operation frees one at random and allocates another (0: the pairs table)" },
		{ "--space-bits", &space_bits, 20, 48,
		  "with --live: the limit is a DMA mask of this many bits" },
		{ "--ops", &live_ops, 1, 100000000, "with --live: operations per batch" },
	};
	int args_rc = bench_parse(argc, argv,
				  "IOVA alloc+free pairs, fast (per-CPU caches) and tree paths, 1 and "
				  "2 threads.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	if (live)
		return run_live(live, space_bits, batches, live_ops);
	static const unsigned long sizes[] = { 1, 4, 16, 0 };
	struct run *r;
	int rc = 0;

	r = calloc(1, sizeof(*r));
	if (!r)
		return 1;
	r->ns = calloc((size_t)batches, sizeof(double));
	r->rate = calloc((size_t)batches, sizeof(double));
	r->cpu_ns = calloc((size_t)batches, sizeof(double));
	r->batches = batches;
	r->depth = depth;

	printf("dmaport-bench iova: alloc+free pairs, granule 4 KiB, limit 32-bit mask, "
	       "depth %ld (free the range allocated %ld pair(s) earlier);\n"
	       "  median of %ld batches; fragmented = %ld ranges of 1..16 pages, every other "
	       "one freed; mixed = uniform 1..64 pages\n", depth, depth, batches, prefill);
	printf("  ns/pair: wall time per pair as one thread sees it; cpu ns/pair: that thread's "
	       "CPU time (the machine may be shared)\n");
	printf("%-5s %-6s %-11s %7s %10s %13s %12s %9s\n", "path", "size", "space", "threads",
	       "ns/pair", "cpu ns/pair", "Mpairs/s", "pairs");
	for (int path = PATH_FAST; path <= PATH_TREE; path++) {
		for (unsigned int s = 0; s < DMP_ARRAY_SIZE(sizes); s++) {
			for (int frag = 0; frag <= 1; frag++) {
				for (unsigned int th = 1; th <= MAX_THREADS; th++) {
					r->path = (enum path)path;
					r->fixed_size = sizes[s];
					r->threads = th;
					/* the tree path is slower: fewer pairs keep the run short */
					r->pairs = path == PATH_FAST && sizes[s] ? fast_pairs
										 : fast_pairs / 8;
					int err = run_one(r, frag ? prefill : 0, 42 + s);
					if (err) {
						printf("%-5s run failed: %d\n", "", err);
						rc = 1;
						continue;
					}
					char sz[16];
					snprintf(sz, sizeof(sz), "%lu", sizes[s]);
					double ns = bench_median(r->ns, (size_t)batches);
					double rate = bench_median(r->rate, (size_t)batches);
					double cpu = bench_median(r->cpu_ns, (size_t)batches);
					printf("%-5s %-6s %-11s %7u %10.1f %13.1f %12.2f %9ld%s\n",
					       path == PATH_FAST ? "fast" : "tree",
					       sizes[s] ? sz : "mixed", frag ? "fragmented" : "empty",
					       th, ns, cpu, rate / 1e6, r->pairs,
					       r->failures ? "  (some allocations failed)" : "");
				}
			}
		}
	}
	free(r->ns);
	free(r->rate);
	free(r->cpu_ns);
	free(r);
	return rc;
}
