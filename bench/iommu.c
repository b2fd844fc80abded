/* SPDX-License-Identifier: MIT */
/*
 * iommu.c - `dmaport-bench iommu`: streaming map+unmap of 4 KiB through the
 * IOMMU (DMA API over a DMA domain on the simulated IOMMU), strict and lazy,
 * 1 and 2 threads: ns per pair (median of batches, as one thread sees it)
 * and pairs per second of all threads together (every pair done over the
 * wall time of threads started at one barrier): the scaling column is the
 * 2-thread total over the 1-thread total.
 * Coherent device and coherent table walk (no cache maintenance), so the
 * figure is the IOMMU path: IOVA allocation, page-table update, IOTLB
 * invalidation (strict) or the flush queue (lazy).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/dmaport.h>
#include <dmaport/sim/iommu-driver.h>

#include "bench.h"

#define BATCH 64

struct worker {
	struct dmp_device *dev;
	long ms;
	pthread_barrier_t *start; /* all threads start timing together */
	double pair_ns[4096];
	size_t n;
	uint64_t pairs, wall_ns; /* all batches: for the throughput */
};

static void *run(void *arg)
{
	struct worker *w = arg;
	uint8_t *bufs[BATCH];
	dmp_addr_t dma[BATCH];
	for (int i = 0; i < BATCH; i++)
		bufs[i] = dmp_kmalloc(4096, 0);
	for (int r = 0; r < 50; r++) /* warm up: tables, caches, magazines */
		for (int i = 0; i < BATCH; i++)
			dmp_unmap_single(w->dev, dmp_map_single(w->dev, bufs[i], 4096, DMP_TO_DEVICE),
					 4096, DMP_TO_DEVICE);
	pthread_barrier_wait(w->start);
	uint64_t begin = bench_now_ns(), end = begin + (uint64_t)w->ms * 1000000u;
	while (bench_now_ns() < end && w->n < 4096) {
		uint64_t t0 = bench_now_ns();
		for (int i = 0; i < BATCH; i++)
			dma[i] = dmp_map_single(w->dev, bufs[i], 4096, DMP_TO_DEVICE);
		for (int i = 0; i < BATCH; i++)
			dmp_unmap_single(w->dev, dma[i], 4096, DMP_TO_DEVICE);
		w->pair_ns[w->n++] = (double)(bench_now_ns() - t0) / BATCH;
		w->pairs += BATCH;
		if (dma[0] == DMP_MAPPING_ERROR)
			abort();
	}
	w->wall_ns = bench_now_ns() - begin;
	for (int i = 0; i < BATCH; i++)
		dmp_kfree(bufs[i]);
	return NULL;
}

static double one(enum dmp_iommu_domain_type type, int threads, long ms, double *total_ops)
{
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;
	dmp_sim_config_default(&cfg);
	if (dmp_sim_create(&cfg, &sim))
		abort();
	struct dmp_sim_iommu *hw;
	struct dmp_sim_iommu_config ic = { .name = "smmu", .coherent_walk = true };
	struct dmp_iommu *iommu;
	if (dmp_sim_iommu_create(sim, &ic, &hw) || dmp_sim_iommu_driver_register(hw, type, &iommu))
		abort();
	struct dmp_sim_device *sd;
	struct dmp_sim_device_config dc = { .name = "dev", .port_bits = 64, .coherent = true };
	dmp_sim_device_create(sim, &dc, &sd);
	struct dmp_device dev;
	dmp_device_init(&dev, "dev");
	dev.hw = sd;
	dmp_device_set_coherent(&dev, true);
	uint32_t sid = 1;
	if (dmp_iommu_probe_device(&dev, iommu, &sid, 1) ||
	    dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(48)))
		abort();
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, (unsigned int)threads);
	struct worker w[2] = { { .dev = &dev, .ms = ms, .start = &start },
			       { .dev = &dev, .ms = ms, .start = &start } };
	pthread_t t[2];
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, run, &w[i]);
	double med[2];
	/* throughput: every pair done, over the time the threads ran side by
	 * side (they start together; the longest one's wall time) */
	uint64_t pairs = 0, wall = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		med[i] = bench_median(w[i].pair_ns, w[i].n);
		pairs += w[i].pairs;
		wall = DMP_MAX(wall, w[i].wall_ns);
	}
	pthread_barrier_destroy(&start);
	*total_ops = wall ? (double)pairs * 1e9 / (double)wall : 0;
	dmp_iommu_release_device(&dev);
	dmp_sim_iommu_driver_unregister(iommu);
	dmp_sim_iommu_destroy(hw);
	dmp_sim_destroy(sim);
	return threads == 1 ? med[0] : (med[0] + med[1]) / 2;
}

int dmp_bench_iommu(int argc, char **argv);
int dmp_bench_iommu(int argc, char **argv)
{
	long ms = 400, only_mode = 0;
	const struct bench_opt opts[] = {
		{ "--ms", &ms, 1, 600000, "milliseconds each case runs" },
		{ "--mode", &only_mode, 0, 2,
		  "0 both; 1 strict (the IOTLB invalidated at every unmap), 2 lazy (a flush "
		  "queue defers the invalidation)" },
	};
	int args_rc = bench_parse(argc, argv,
				  "DMA API map+unmap of 4 KiB through the simulated IOMMU, 1 and 2 "
				  "threads.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	printf("dmaport-bench iommu: DMA API map+unmap of 4 KiB through the simulated IOMMU "
	       "(coherent device and walk; batches of %d; %ld ms per case)\n", BATCH, ms);
	printf("%-8s %7s %12s %14s %9s\n", "mode", "threads", "ns/pair", "pairs/s total",
	       "scaling");
	static const struct { const char *name; enum dmp_iommu_domain_type t; } modes[] = {
		{ "strict", DMP_IOMMU_DOMAIN_DMA }, { "lazy", DMP_IOMMU_DOMAIN_DMA_FQ } };
	for (size_t m = 0; m < 2; m++) {
		if (only_mode && (size_t)only_mode != m + 1)
			continue;
		double ops1, ops2;
		double ns1 = one(modes[m].t, 1, ms, &ops1);
		double ns2 = one(modes[m].t, 2, ms, &ops2);
		printf("%-8s %7d %12.1f %14.0f %9s\n", modes[m].name, 1, ns1, ops1, "");
		printf("%-8s %7d %12.1f %14.0f %8.2fx\n", modes[m].name, 2, ns2, ops2, ops2 / ops1);
	}
	return 0;
}
