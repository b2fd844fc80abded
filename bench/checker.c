/* SPDX-License-Identifier: MIT */
/*
 * checker.c - `dmaport-bench checker`: what the DMA-API checker costs.
 *
 * The median ns of one map_single + dmp_mapping_error + unmap_single pair,
 * on the simulated machine, for a non-coherent and a coherent device, with
 * the checker:
 *   off          dmp__debug_active is 0: one predicted branch per call;
 *   bookkeeping  on (fail mode), the device has no dev->hw: the hash table,
 *                the call-site checks, the cache-line overlap scan;
 *   simulator    on, dev->hw set: also the line states and hashes taken at
 *                every ownership change and the observer of every cache
 *                operation the mapping causes.
 * Each sample times --batch pairs on distinct buffers of --size bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/debug.h>
#include <dmaport/dmaport.h>

#include "bench.h"

enum level { OFF, BOOKKEEPING, SIMULATOR };
static const char *const level_name[] = { "off", "bookkeeping", "simulator" };

#define MAX_SAMPLES 4096

static double one_case(bool coherent, enum level lv, size_t size, long batch, long ms)
{
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;
	dmp_sim_config_default(&cfg);
	if (dmp_sim_create(&cfg, &sim))
		abort();
	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = "bench0", .port_bits = 64,
					    .coherent = coherent };
	if (dmp_sim_device_create(sim, &dc, &hw))
		abort();
	struct dmp_device dev;
	dmp_device_init(&dev, "bench0");
	dmp_device_set_coherent(&dev, coherent);
	if (dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64)))
		abort();
	if (lv == SIMULATOR)
		dev.hw = hw;
	dmp_debug_set_mode(lv == OFF ? DMP_DEBUG_OFF : DMP_DEBUG_FAIL);
	dmp_debug_reset();

	uint8_t **bufs = calloc((size_t)batch, sizeof(*bufs));
	dmp_addr_t *dma = calloc((size_t)batch, sizeof(*dma));
	double *v = calloc(MAX_SAMPLES, sizeof(*v));
	for (long i = 0; i < batch; i++) {
		bufs[i] = dmp_kmalloc(size, 0);
		if (!bufs[i])
			abort();
		memset(bufs[i], (int)i, size);
	}
	size_t n = 0;
	uint64_t end = bench_now_ns() + (uint64_t)ms * 1000000u;
	for (int warm = 0; bench_now_ns() < end && n < MAX_SAMPLES; warm++) {
		uint64_t t0 = bench_now_ns();
		for (long i = 0; i < batch; i++) {
			dma[i] = dmp_map_single(&dev, bufs[i], size, DMP_BIDIRECTIONAL);
			if (dmp_mapping_error(&dev, dma[i]))
				abort();
			dmp_unmap_single(&dev, dma[i], size, DMP_BIDIRECTIONAL);
		}
		uint64_t t1 = bench_now_ns();
		if (warm >= 5) /* the images are faulted in during the first rounds */
			v[n++] = (double)(t1 - t0) / (double)batch;
	}
	if (dmp_debug_total()) {
		fprintf(stderr, "checker: the benchmark's own driver was reported\n");
		abort();
	}
	double med = bench_median(v, n);
	for (long i = 0; i < batch; i++)
		dmp_kfree(bufs[i]);
	free(bufs);
	free(dma);
	free(v);
	dmp_device_remove(&dev);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(sim);
	return med;
}

int dmp_bench_checker(int argc, char **argv);
int dmp_bench_checker(int argc, char **argv)
{
	long size = 4096, batch = 32, ms = 200;
	const struct bench_opt opts[] = {
		{ "--size", &size, 1, 1 << 20, "bytes of each mapped buffer" },
		{ "--batch", &batch, 1, 1024, "map+unmap pairs timed together, on distinct buffers" },
		{ "--ms", &ms, 1, 600000, "milliseconds each case runs" },
	};
	int args_rc = bench_parse(argc, argv,
				  "What the DMA-API checker costs: map+unmap with it off, keeping its "
				  "books, and watching the simulated caches.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	printf("dmaport-bench checker: map_single + mapping_error + unmap_single, "
	       "DMA_BIDIRECTIONAL, %ld bytes, batches of %ld, %ld ms per case (median ns per pair)\n",
	       size, batch, ms);
	printf("%-12s %12s %12s %12s\n", "device", level_name[0], level_name[1], level_name[2]);
	for (int coh = 0; coh <= 1; coh++) {
		double t[3];
		for (int lv = OFF; lv <= SIMULATOR; lv++)
			t[lv] = one_case(coh, (enum level)lv, (size_t)size, batch, ms);
		printf("%-12s %12.1f %12.1f %12.1f\n", coh ? "coherent" : "noncoherent", t[0], t[1],
		       t[2]);
	}
	return 0;
}
