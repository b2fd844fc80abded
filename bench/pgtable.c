/* SPDX-License-Identifier: MIT */
/*
 * pgtable.c - `dmaport-bench pgtable`: io-pgtable (Arm LPAE stage 1, 4K
 * granule, ias = oas = 48) map and unmap costs.
 *
 * Cases, each a round of maps of --pages pages' worth of IOVA followed by
 * the unmaps of the same, timed separately:
 *   4K x1      4 KiB pages, one map_pages/unmap_pages call per page;
 *   4K x512    4 KiB pages, 512 per call (one level-3 table per call);
 *   2M as 4K   a 2 MiB range as 512 pages of 4 KiB (one call);
 *   2M block   a 2 MiB range as one block;
 *   1G block   a 1 GiB range as one block (1024 of them: a round of 64
 *              would be too short for the CPU clock's own cost to vanish).
 * Each with a coherent walker (no cache maintenance) and a non-coherent one
 * (every descriptor store cleaned to DRAM through the simulator's cache
 * model).  Map and unmap figures are thread CPU time (what the calls cost,
 * whatever else the machine runs; a round is long enough that the clock
 * reads do not count), with the wall time of map + unmap beside them.
 * Figures are medians over --batches rounds, after one warm-up
 * round that allocates the tables (unmap keeps intermediate tables, as
 * Linux, so the timed rounds measure steady state; the warm-up's map time
 * and the tables it allocated are printed as "cold").  PTEs written are per
 * op (map + unmap), from the format's counters: a block is one descriptor
 * where pages are 512, and needs no level-3 table.
 */
#include <stdio.h>
#include <stdlib.h>

#include <dmaport/simulator.h>
#include <dmaport/io-pgtable.h>

#include "bench.h"

#define SZ_4K (UINT64_C(1) << 12)
#define SZ_2M (UINT64_C(1) << 21)
#define SZ_1G (UINT64_C(1) << 30)

struct bench_case {
	const char *name;
	uint64_t pgsize;  /* page size passed to map_pages */
	size_t pgcount;   /* pages per call */
	size_t calls;     /* calls per round */
};

struct result {
	double map_ns, unmap_ns; /* per op (one call), thread CPU time */
	double wall_ns;          /* per op, map + unmap, wall time */
	double ptes;             /* per op, map + unmap */
	double cold_map_ns;      /* per op, first round: tables allocated */
	uint64_t cold_tables;    /* tables the first round allocated */
};

static uint64_t stats_ptes(struct dmp_io_pgtable_ops *ops, uint64_t *tables)
{
	struct dmp_io_pgtable_stats st;
	dmp_io_pgtable_check(ops, &st);
	*tables = st.tables_allocated;
	return st.ptes_written;
}

static int run_round(struct dmp_io_pgtable_ops *ops, const struct bench_case *c, dmp_addr_t base,
		     uint64_t *map_ns, uint64_t *unmap_ns, uint64_t *wall_ns)
{
	uint64_t step = c->pgsize * c->pgcount;
	uint64_t w0 = bench_now_ns();
	uint64_t t0 = bench_thread_cpu_ns();
	for (size_t i = 0; i < c->calls; i++) {
		size_t mapped;
		int err = ops->map_pages(ops, base + i * step, base + i * step, c->pgsize,
					 c->pgcount, DMP_IOMMU_READ | DMP_IOMMU_WRITE, DMP_GFP_KERNEL,
					 &mapped);
		if (err)
			return err;
	}
	uint64_t t1 = bench_thread_cpu_ns();
	for (size_t i = 0; i < c->calls; i++)
		if (ops->unmap_pages(ops, base + i * step, c->pgsize, c->pgcount, NULL) != step)
			return -EIO;
	uint64_t t2 = bench_thread_cpu_ns();
	*wall_ns = bench_now_ns() - w0;
	*map_ns = t1 - t0;
	*unmap_ns = t2 - t1;
	return 0;
}

static int run_case(const struct bench_case *c, bool coherent, long batches, struct result *res)
{
	struct dmp_io_pgtable_cfg cfg = {
		.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
		.ias = 48,
		.oas = 48,
		.coherent_walk = coherent,
		.count_ptes = true, /* the PTEs/op column */
	};
	struct dmp_io_pgtable_ops *ops;
	int err = dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &cfg, NULL, &ops);
	if (err)
		return err;
	double *vm = calloc((size_t)batches, sizeof(double));
	double *vu = calloc((size_t)batches, sizeof(double));
	double *vw = calloc((size_t)batches, sizeof(double));
	if (!vm || !vu || !vw)
		err = -ENOMEM;
	const dmp_addr_t base = UINT64_C(1) << 40;
	uint64_t map_ns = 0, unmap_ns = 0, wall_ns = 0, tables0, tables1;

	uint64_t tables_start;
	stats_ptes(ops, &tables_start);
	if (!err) /* warm-up: tables */
		err = run_round(ops, c, base, &map_ns, &unmap_ns, &wall_ns);
	res->cold_map_ns = (double)map_ns / (double)c->calls;
	uint64_t ptes0 = stats_ptes(ops, &tables0);
	res->cold_tables = tables0 - tables_start;
	for (long b = 0; b < batches && !err; b++) {
		err = run_round(ops, c, base, &map_ns, &unmap_ns, &wall_ns);
		vm[b] = (double)map_ns / (double)c->calls;
		vu[b] = (double)unmap_ns / (double)c->calls;
		vw[b] = (double)wall_ns / (double)c->calls;
	}
	uint64_t ptes1 = stats_ptes(ops, &tables1);
	if (!err) {
		double ops_done = (double)batches * (double)c->calls;
		res->map_ns = bench_median(vm, (size_t)batches);
		res->unmap_ns = bench_median(vu, (size_t)batches);
		res->wall_ns = bench_median(vw, (size_t)batches);
		res->ptes = (double)(ptes1 - ptes0) / ops_done;
		if (tables1 != tables0)
			err = -EIO; /* steady state allocates nothing */
	}
	free(vm);
	free(vu);
	free(vw);
	dmp_free_io_pgtable_ops(ops);
	return err;
}

int dmp_bench_pgtable(int argc, char **argv);
int dmp_bench_pgtable(int argc, char **argv)
{
	long batches = 31, pages = 32768;
	const struct bench_opt opts[] = {
		{ "--batches", &batches, 1, 1000, "timed rounds per row (the row prints medians)" },
		{ "--pages", &pages, 512, 1L << 20,
		  "4 KiB pages mapped per round of the 4K rows (a multiple of 512)" },
	};
	int args_rc = bench_parse(argc, argv,
				  "io-pgtable (Arm LPAE stage 1, 4K granule) map and unmap costs.",
				  opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	if (pages % 512) {
		fprintf(stderr, "dmaport-bench pgtable: --pages %ld is not a multiple of 512\n", pages);
		return 2;
	}
	struct dmp_sim *sim;
	if (bench_sim_default("pgtable", &sim))
		return 1;
	const struct bench_case cases[] = {
		{ "4K x1", SZ_4K, 1, (size_t)pages },
		{ "4K x512", SZ_4K, 512, (size_t)pages / 512 },
		{ "2M as 4K", SZ_4K, 512, 16 },
		{ "2M block", SZ_2M, 1, 512 },
		{ "1G block", SZ_1G, 1, 1024 },
	};

	printf("dmaport-bench pgtable: Arm LPAE S1, 4K granule, ias=oas=48 (median of %ld rounds; "
	       "%ld pages per 4K round; default simulated SoC with outer cache)\n"
	       "map, unmap, per 4K page: thread CPU ns per call; wall: map+unmap wall ns per "
	       "call; cold map: map CPU ns per call in the first round (tables allocated)\n",
	       batches, pages);
	printf("%-12s %-9s %11s %10s %10s %11s %9s %9s %10s %11s\n", "walker", "case", "bytes/op",
	       "map ns/op", "unmap ns/op", "ns/4K page", "wall", "PTEs/op", "cold map",
	       "cold tables");
	for (int coh = 1; coh >= 0; coh--) {
		for (size_t i = 0; i < DMP_ARRAY_SIZE(cases); i++) {
			const struct bench_case *c = &cases[i];
			struct result r;
			int err = run_case(c, coh, batches, &r);
			if (err) {
				fprintf(stderr, "pgtable: %s failed: %d\n", c->name, err);
				dmp_sim_destroy(sim);
				return 1;
			}
			uint64_t bytes = c->pgsize * c->pgcount;
			double per_page = (r.map_ns + r.unmap_ns) / (double)(bytes / SZ_4K);
			printf("%-12s %-9s %11llu %10.1f %10.1f %11.4f %9.1f %9.1f %10.1f %11llu\n",
			       coh ? "coherent" : "noncoherent", c->name, (unsigned long long)bytes,
			       r.map_ns, r.unmap_ns, per_page, r.wall_ns, r.ptes, r.cold_map_ns,
			       (unsigned long long)r.cold_tables);
		}
	}
	dmp_sim_destroy(sim);
	return 0;
}
