/* SPDX-License-Identifier: MIT */
/*
 * iommu.c - `dmaport-bench iommu`: streaming map+unmap of 4 KiB through the
 * IOMMU (DMA API over a DMA domain on the simulated IOMMU), strict and lazy,
 * 1 and 2 threads, each case run --runs times (a fresh machine each run):
 *   cpu ns/pair  thread CPU time per pair (every thread's CPU over every
 *                pair: what a pair costs, whatever else the machine runs);
 *   wall ns/pair wall time per pair as one thread sees it (median batch);
 *   Mpairs/s     pairs of all threads together over the wall time of
 *                threads started at one barrier;
 *   CPUs         all threads' CPU time over that wall time: how much of the
 *                machine the run got (2 threads on 2 idle CPUs: near 2; a
 *                scaling figure is bounded by it);
 *   thr CPU      the least CPU share of one thread: its CPU time over its
 *                wall time (1.00: it ran all the time; 0.50: half of it,
 *                the machine ran something else the other half);
 *   both         the least share of the wall time both threads certainly ran
 *                at once: (CPU of thread 1 + CPU of thread 2 - wall) / wall;
 *                whatever the two threads cost each other shows only then;
 * each the median over the runs, with the min-max of the throughput.  The
 * scaling column is the median [min-max] of (2-thread throughput / 1-thread
 * throughput) over runs paired in order (1 and 2 threads one after the
 * other); on a machine others share, wall figures and scaling carry their
 * load (the CPU columns do not), and the verdict line under each mode says
 * whether the runs had two CPUs.
 * Coherent device and coherent table walk (no cache maintenance), so the
 * figure is the IOMMU path: IOVA allocation, page-table update, IOTLB
 * invalidation (strict) or the flush queue (lazy).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/simulator.h>
#include <dmaport/sim/iommu-driver.h>

#include "bench.h"

#define BATCH 64

/* One per thread, each on cache lines of its own: the counters a thread
 * writes every batch must not share a line with the other's. */
struct worker {
	_Alignas(64) struct dmp_device *dev;
	long ms, batches; /* batches: 0, run for ms; else exactly that many */
	pthread_barrier_t *start; /* all threads start timing together */
	double *pair_ns; /* per batch: wall ns per pair; grows as needed */
	size_t n, cap;
	uint64_t pairs, wall_ns, cpu_ns; /* all batches: for the throughput */
};

/*
 * One batch: the timed work and nothing else, out of line so that
 * `valgrind --tool=callgrind --toggle-collect=iommu_batch` counts exactly
 * the DMA API calls of the pairs (with --batches, a known number of them).
 */
__attribute__((noinline)) void iommu_batch(struct dmp_device *dev, uint8_t *const *bufs, dmp_addr_t *dma);
__attribute__((noinline)) void iommu_batch(struct dmp_device *dev, uint8_t *const *bufs, dmp_addr_t *dma)
{
	for (int i = 0; i < BATCH; i++)
		dma[i] = dmp_map_single(dev, bufs[i], 4096, DMP_TO_DEVICE);
	for (int i = 0; i < BATCH; i++)
		dmp_unmap_single(dev, dma[i], 4096, DMP_TO_DEVICE);
}

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
	uint64_t cpu0 = bench_thread_cpu_ns();
	/* A run lasts --ms however many batches that takes (tens of thousands
	 * at 200 ms): the per-batch figures grow by doubling, outside the
	 * batch's own timing. */
	while (w->batches ? w->n < (size_t)w->batches : bench_now_ns() < end) {
		if (w->n == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 4096;
			w->pair_ns = realloc(w->pair_ns, w->cap * sizeof(*w->pair_ns));
			if (!w->pair_ns)
				abort();
		}
		uint64_t t0 = bench_now_ns();
		iommu_batch(w->dev, bufs, dma);
		w->pair_ns[w->n++] = (double)(bench_now_ns() - t0) / BATCH;
		w->pairs += BATCH;
		if (dma[0] == DMP_MAPPING_ERROR)
			abort();
	}
	w->wall_ns = bench_now_ns() - begin;
	w->cpu_ns = bench_thread_cpu_ns() - cpu0;
	for (int i = 0; i < BATCH; i++)
		dmp_kfree(bufs[i]);
	return NULL;
}

struct figures {
	double wall_ns, cpu_ns, ops; /* wall ns/pair (one thread), cpu ns/pair, pairs/s */
	double cpus;                 /* all threads' CPU time / wall time */
	double share;                /* the least of each thread's CPU time / its wall time */
	double both;                 /* the share of the wall time both certainly ran at once */
};

static struct figures one(enum dmp_iommu_domain_type type, int threads, long ms, long batches)
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
	struct worker w[2] = { { .dev = &dev, .ms = ms, .batches = batches, .start = &start },
			       { .dev = &dev, .ms = ms, .batches = batches, .start = &start } };
	pthread_t t[2];
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, run, &w[i]);
	double med[2];
	/* throughput: every pair done, over the time the threads ran side by
	 * side (they start together; the longest one's wall time) */
	uint64_t pairs = 0, wall = 0, cpu = 0;
	double share = 1;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		med[i] = bench_median(w[i].pair_ns, w[i].n);
		free(w[i].pair_ns);
		pairs += w[i].pairs;
		cpu += w[i].cpu_ns;
		wall = DMP_MAX(wall, w[i].wall_ns);
		if (w[i].wall_ns)
			share = DMP_MIN(share, (double)w[i].cpu_ns / (double)w[i].wall_ns);
	}
	pthread_barrier_destroy(&start);
	struct figures f = {
		.wall_ns = threads == 1 ? med[0] : (med[0] + med[1]) / 2,
		.cpu_ns = pairs ? (double)cpu / (double)pairs : 0,
		.ops = wall ? (double)pairs * 1e9 / (double)wall : 0,
		.cpus = wall ? (double)cpu / (double)wall : 0,
		.share = share,
		.both = threads == 2 && wall && cpu > wall ? (double)(cpu - wall) / (double)wall : 0,
	};
	dmp_iommu_release_device(&dev);
	dmp_sim_iommu_driver_unregister(iommu);
	dmp_sim_iommu_destroy(hw);
	dmp_sim_destroy(sim);
	return f;
}

#define MAX_RUNS 31

int dmp_bench_iommu(int argc, char **argv);
int dmp_bench_iommu(int argc, char **argv)
{
	long ms = 200, only_mode = 0, runs = 3, only_threads = 0, batches = 0;
	const struct bench_opt opts[] = {
		{ "--ms", &ms, 1, 600000,
		  "milliseconds each run of a case lasts: a run is a fresh simulated machine "
		  "whose threads (1 or 2) map then unmap batches of 64 buffers of 4 KiB until "
		  "that much wall time has passed" },
		{ "--mode", &only_mode, 0, 2,
		  "0 both; 1 strict (the IOTLB invalidated at every unmap), 2 lazy (a flush "
		  "queue defers the invalidation)" },
		{ "--runs", &runs, 1, MAX_RUNS,
		  "runs of each case (1 and 2 threads alternate); rows print medians and the "
		  "throughput's min-max" },
		{ "--threads", &only_threads, 0, 2,
		  "0 both cases (and the scaling); 1 or 2 only that many threads" },
		{ "--batches", &batches, 0, 100000000,
		  "0: each run lasts --ms; N: each thread runs exactly N batches of 64 pairs "
		  "instead (for instruction counts: valgrind --tool=callgrind "
		  "--toggle-collect=iommu_batch counts N x 64 pairs per thread)" },
	};
	int args_rc = bench_parse(argc, argv,
				  "DMA API map+unmap of 4 KiB through the simulated IOMMU, 1 and 2 "
				  "threads.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	printf("dmaport-bench iommu: DMA API map+unmap of 4 KiB through the simulated IOMMU "
	       "(coherent device and walk; batches of %d; %ld runs of %ld ms per case)\n"
	       "  cpu: all threads' CPU time / all pairs; wall: one thread's median batch;\n"
	       "  Mpairs/s: every thread's pairs over the wall time; CPUs: all threads' CPU "
	       "time over the wall time\n"
	       "  (what the machine gave the run); thr CPU: the least CPU share of one thread "
	       "(its CPU time over\n"
	       "  its wall time); both: the share of the wall time both threads certainly ran at "
	       "once; scaling:\n"
	       "  median [min-max] of 2-thread / 1-thread Mpairs/s over runs paired in order\n",
	       BATCH, runs, ms);
	printf("%-8s %7s %12s %13s %10s %17s %6s %7s %5s %19s\n", "mode", "threads",
	       "cpu ns/pair", "wall ns/pair", "Mpairs/s", "[min-max]", "CPUs", "thr CPU", "both",
	       "scaling [min-max]");
	static const struct { const char *name; enum dmp_iommu_domain_type t; } modes[] = {
		{ "strict", DMP_IOMMU_DOMAIN_DMA }, { "lazy", DMP_IOMMU_DOMAIN_DMA_FQ } };
	for (size_t m = 0; m < 2; m++) {
		if (only_mode && (size_t)only_mode != m + 1)
			continue;
		double cpu[2][MAX_RUNS], wall[2][MAX_RUNS], ops[2][MAX_RUNS], cpus[2][MAX_RUNS];
		double share[2][MAX_RUNS], both[MAX_RUNS], ratio[MAX_RUNS];
		for (long r = 0; r < runs; r++) {
			for (int k = 0; k < 2; k++) {
				int th = (r % 2) ? 2 - k : 1 + k; /* 1, 2 then 2, 1: neither first always */
				if (only_threads && th != only_threads)
					continue;
				struct figures f = one(modes[m].t, th, ms, batches);
				cpu[th - 1][r] = f.cpu_ns;
				wall[th - 1][r] = f.wall_ns;
				ops[th - 1][r] = f.ops / 1e6;
				cpus[th - 1][r] = f.cpus;
				share[th - 1][r] = f.share;
				if (th == 2)
					both[r] = f.both;
			}
			ratio[r] = !only_threads && ops[0][r] > 0 ? ops[1][r] / ops[0][r] : 0;
		}
		double rlo = ratio[0], rhi = rlo, both_med = 0;
		for (long r = 1; r < runs; r++) {
			rlo = DMP_MIN(rlo, ratio[r]);
			rhi = DMP_MAX(rhi, ratio[r]);
		}
		for (int th = 1; th <= 2; th++) {
			if (only_threads && th != only_threads)
				continue;
			double lo = ops[th - 1][0], hi = lo;
			for (long r = 1; r < runs; r++) {
				lo = DMP_MIN(lo, ops[th - 1][r]);
				hi = DMP_MAX(hi, ops[th - 1][r]);
			}
			char range[32], scale[32] = "", co[8] = "";
			snprintf(range, sizeof(range), "[%.2f-%.2f]", lo, hi);
			if (th == 2) {
				both_med = bench_median(both, (size_t)runs);
				snprintf(co, sizeof(co), "%.2f", both_med);
			}
			if (th == 2 && !only_threads) /* medians sort: the range is taken above */
				snprintf(scale, sizeof(scale), "%.2fx [%.2f-%.2f]",
					 bench_median(ratio, (size_t)runs), rlo, rhi);
			printf("%-8s %7d %12.1f %13.1f %10.2f %17s %6.2f %7.2f %5s %19s\n",
			       modes[m].name, th, bench_median(cpu[th - 1], (size_t)runs),
			       bench_median(wall[th - 1], (size_t)runs),
			       bench_median(ops[th - 1], (size_t)runs), range,
			       bench_median(cpus[th - 1], (size_t)runs),
			       bench_median(share[th - 1], (size_t)runs), co, scale);
		}
		/* a scaling figure means something only where both threads ran at
		 * once most of the time */
		if (only_threads == 1)
			continue;
		if (both_med >= 0.9)
			printf("%-8s two threads ran at once %.0f%% of the time (median): what they "
			       "cost each other shows\n", modes[m].name, 100 * both_med);
		else
			printf("%-8s two threads ran at once only %.0f%% of the time (median): the "
			       "machine did not give the runs two CPUs, the scaling is mostly its "
			       "load\n", modes[m].name, 100 * both_med);
	}
	return 0;
}
