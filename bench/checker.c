/* SPDX-License-Identifier: MIT */
/*
 * checker.c - `dmaport-bench checker`: what the DMA-API checker costs.
 *
 * The median thread CPU ns (user and system: the machine is shared) of one
 * map_single + dmp_mapping_error + unmap_single pair,
 * on the simulated machine, for a non-coherent and a coherent device, with
 * the checker:
 *   off          dmp__debug_active is 0: one predicted branch per call;
 *   bookkeeping  on (fail mode), the device has no dev->hw: the hash table,
 *                the call-site checks, the cache-line overlap scan;
 *   simulator    on, dev->hw set, guard mode off: also the line states and
 *                hashes taken at every ownership change and the observer of
 *                every cache operation the mapping causes;
 *   guarded      as simulator, with guard mode (the default with the checker
 *                on): the buffer's pages protected at the map and opened at
 *                the unmap (two mprotect calls and the guard's bookkeeping).
 * Each sample times --batch pairs on distinct buffers of --size bytes.
 *
 * Then what one CPU access trapped by guard mode costs (median ns, the
 * trap's whole round trip: SIGSEGV, the other threads stopped - here none
 * but the check of /proc/self/task - the page opened, one instruction
 * stepped, SIGTRAP, the page closed):
 *   device-owned load   a load of a byte the device owns, after its report
 *                       (once per ownership period: later ones only trap);
 *   neighbour load      a load of a byte beside a guarded buffer on its page;
 *   map+load+unmap      a guarded map, the first load of its period (the
 *                       trap and the report: the line found with libdwfl,
 *                       the finding kept and logged) and the unmap, of 1 KiB;
 *   memset 3 KiB        memset() of the 3 KiB beside a guarded buffer on its
 *                       page: glibc's stores for that size trap a few times
 *                       (a vector store is stepped; a rep stos the handler
 *                       carries out whole, x86-64), not once per store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/debug.h>
#include <dmaport/simulator.h>
#include <dmaport/log.h>

#include "bench.h"

enum level { OFF, BOOKKEEPING, SIMULATOR, GUARDED };
static const char *const level_name[] = { "off", "bookkeeping", "simulator", "guarded" };

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
	if (lv >= SIMULATOR)
		dev.hw = hw;
	dmp_debug_set_mode(lv == OFF ? DMP_DEBUG_OFF : DMP_DEBUG_FAIL);
	if (dmp_debug_set_guard(lv == GUARDED) && lv == GUARDED) {
		dmp_device_remove(&dev);
		dmp_debug_set_mode(DMP_DEBUG_OFF);
		dmp_sim_destroy(sim);
		return -1; /* not supported here */
	}
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
		uint64_t t0 = bench_thread_cpu_ns();
		for (long i = 0; i < batch; i++) {
			dma[i] = dmp_map_single(&dev, bufs[i], size, DMP_BIDIRECTIONAL);
			if (dmp_mapping_error(&dev, dma[i]))
				abort();
			dmp_unmap_single(&dev, dma[i], size, DMP_BIDIRECTIONAL);
		}
		uint64_t t1 = bench_thread_cpu_ns();
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

/* ---- one trapped access -------------------------------------------------- */

enum access { OWNED_LOAD, NEIGHBOUR_LOAD, REPORTED_LOAD, REP_STOS, NR_ACCESS };
static const char *const access_name[] = { "device-owned load", "neighbour load",
					    "map+load+unmap", "memset 3 KiB" };

static void quiet(void *cookie, const char *line)
{
	(void)cookie, (void)line;
}

/* Median ns of one access of @kind (the rig: one non-coherent device). */
static double one_access(enum access kind, long ms)
{
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;
	dmp_sim_config_default(&cfg);
	if (dmp_sim_create(&cfg, &sim))
		abort();
	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = "bench0", .port_bits = 64 };
	if (dmp_sim_device_create(sim, &dc, &hw))
		abort();
	struct dmp_device dev;
	dmp_device_init(&dev, "bench0");
	if (dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64)))
		abort();
	dev.hw = hw;
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	double med = -1;
	if (dmp_debug_set_guard(true))
		goto out;
	dmp_set_log_hook(quiet, NULL);
	volatile uint8_t *page = dmp_kmalloc(8192, 0);
	const size_t len = 1024;
	dmp_addr_t a = dmp_map_single(&dev, (void *)page, len, DMP_FROM_DEVICE);
	if (dmp_mapping_error(&dev, a))
		abort();
	double *v = calloc(MAX_SAMPLES, sizeof(*v));
	size_t n = 0;
	const int per = kind == REP_STOS ? 16 : kind == REPORTED_LOAD ? 8 : 64;
	uint64_t end = bench_now_ns() + (uint64_t)ms * 1000000u;
	for (int warm = 0; bench_now_ns() < end && n < MAX_SAMPLES; warm++) {
		uint64_t t0 = bench_thread_cpu_ns();
		for (int i = 0; i < per; i++) {
			switch (kind) {
			case OWNED_LOAD:
				(void)page[i];
				break;
			case NEIGHBOUR_LOAD:
				(void)page[len + (size_t)i];
				break;
			case REPORTED_LOAD:
				dmp_unmap_single(&dev, a, len, DMP_FROM_DEVICE);
				a = dmp_map_single(&dev, (void *)page, len, DMP_FROM_DEVICE);
				if (dmp_mapping_error(&dev, a))
					abort();
				(void)page[i];
				break;
			default:
				memset((void *)(page + len), i, 4096 - len);
				break;
			}
		}
		uint64_t t1 = bench_thread_cpu_ns();
		if (warm >= 3)
			v[n++] = (double)(t1 - t0) / per;
	}
	dmp_unmap_single(&dev, a, len, DMP_FROM_DEVICE);
	med = bench_median(v, n);
	free(v);
	dmp_kfree((void *)page);
	dmp_set_log_hook(NULL, NULL);
out:
	dmp_device_remove(&dev);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_debug_set_guard(true);
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
				  "books, watching the simulated caches, and in guard mode; and what "
				  "one CPU access guard mode traps costs.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	printf("dmaport-bench checker: map_single + mapping_error + unmap_single, "
	       "DMA_BIDIRECTIONAL, %ld bytes, batches of %ld, %ld ms per case (median thread CPU ns per pair)\n",
	       size, batch, ms);
	printf("%-12s %12s %12s %12s %12s\n", "device", level_name[0], level_name[1], level_name[2],
	       level_name[3]);
	for (int coh = 0; coh <= 1; coh++) {
		double t[4];
		for (int lv = OFF; lv <= GUARDED; lv++)
			t[lv] = one_case(coh, (enum level)lv, (size_t)size, batch, ms);
		printf("%-12s %12.1f %12.1f %12.1f ", coh ? "coherent" : "noncoherent", t[0], t[1],
		       t[2]);
		if (t[3] < 0)
			printf("%12s\n", "unsupported");
		else
			printf("%12.1f\n", t[3]);
	}
	printf("guard mode, one trapped CPU access (median thread CPU ns; a guarded page of a non-coherent "
	       "device, one thread)\n");
	for (int k = 0; k < NR_ACCESS; k++) {
		double t = one_access((enum access)k, ms);
		if (t < 0) {
			printf("  %-18s %12s\n", access_name[k], "unsupported");
			continue;
		}
		printf("  %-18s %12.1f\n", access_name[k], t);
	}
	return 0;
}
