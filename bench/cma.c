/* SPDX-License-Identifier: MIT */
/*
 * cma.c - `dmaport-bench cma`: CMA allocate+release latency.
 *
 * A 64 MiB area (order_per_bit 0); for 1, 16 and 256 pages, the median over
 * --batches batches of --iters (allocate, release) pairs, aligned to the
 * count's order (as the coherent path asks), on the empty area and on a
 * fragmented one: the first three quarters of the area filled with single
 * pages and every other one released, so that a search walks 6144 one-page
 * holes before it finds room.
 */
#include <stdio.h>
#include <stdlib.h>

#include <dmaport/cma.h>
#include <dmaport/simulator.h>

#include "bench.h"

#define AREA_PAGES 16384

static double measure(struct dmp_cma *cma, size_t count, long iters, long batches, int *failed)
{
	unsigned int align = dmp_get_order(count * DMP_PAGE_SIZE);
	double *v = calloc((size_t)batches, sizeof(double));
	for (long b = 0; b < batches; b++) {
		uint64_t t0 = bench_now_ns();
		for (long i = 0; i < iters; i++) {
			dmp_phys_t phys;
			if (dmp_cma_alloc(cma, count, align, 0, &phys)) {
				*failed = 1;
				continue;
			}
			dmp_cma_release(cma, phys, count);
		}
		v[b] = (double)(bench_now_ns() - t0) / (double)iters;
	}
	double m = bench_median(v, (size_t)batches);
	free(v);
	return m;
}

int dmp_bench_cma(int argc, char **argv);
int dmp_bench_cma(int argc, char **argv)
{
	long batches = 21, iters = 200;
	const struct bench_opt opts[] = {
		{ "--batches", &batches, 1, 1000, "batches per row (the row prints the median)" },
		{ "--iters", &iters, 1, 1000000, "allocate+release pairs per batch" },
	};
	int args_rc = bench_parse(argc, argv,
				  "CMA allocate+release latency on an empty and a fragmented area.",
				  opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	struct dmp_sim *sim;
	if (bench_sim_default("cma", &sim))
		return 1;
	struct dmp_cma *cma;
	if (dmp_cma_declare(0, (size_t)AREA_PAGES * DMP_PAGE_SIZE, DMP_PHYS_ANY, 0, 0, "bench",
			    &cma)) {
		fprintf(stderr, "cma: cannot declare the area\n");
		dmp_sim_destroy(sim);
		return 1;
	}
	printf("dmaport-bench cma: allocate+release latency, %d-page area, order_per_bit 0, "
	       "median of %ld batches of %ld\n", AREA_PAGES, batches, iters);
	printf("%-7s %-11s %12s\n", "pages", "area", "ns/alloc+rel");
	static const size_t counts[] = { 1, 16, 256 };
	int failed = 0;
	for (size_t c = 0; c < DMP_ARRAY_SIZE(counts); c++)
		printf("%-7zu %-11s %12.1f\n", counts[c], "empty",
		       measure(cma, counts[c], iters, batches, &failed));
	/* fragment: fill 3/4 of the area with single pages, release every other */
	size_t nfrag = AREA_PAGES * 3 / 4;
	dmp_phys_t *held = calloc(nfrag, sizeof(*held));
	for (size_t i = 0; i < nfrag; i++)
		if (dmp_cma_alloc(cma, 1, 0, 0, &held[i]))
			failed = 1;
	for (size_t i = 0; i < nfrag; i += 2)
		dmp_cma_release(cma, held[i], 1);
	for (size_t c = 0; c < DMP_ARRAY_SIZE(counts); c++)
		printf("%-7zu %-11s %12.1f\n", counts[c], "fragmented",
		       measure(cma, counts[c], iters, batches, &failed));
	for (size_t i = 1; i < nfrag; i += 2)
		dmp_cma_release(cma, held[i], 1);
	free(held);
	if (dmp_cma_check(cma) || dmp_cma_destroy(cma))
		failed = 1;
	dmp_sim_destroy(sim);
	if (failed)
		fprintf(stderr, "cma: some allocations failed\n");
	return failed;
}
