/* SPDX-License-Identifier: MIT */
/*
 * map.c - `dmaport-bench map`: streaming map/unmap cost, in the shape of
 * Linux's dma_map_benchmark (kernel/dma/map_benchmark.c): threads, seconds,
 * granule in pages, direction, dma_bits; the average and standard deviation
 * of map and of unmap in ns, for a coherent device, a non-coherent device
 * (cache maintenance on the simulator included) and a bounced mapping.
 *
 * Timing: a call is far shorter than a clock read, so each sample times a
 * batch of --batch maps of distinct buffers, then the batch of their unmaps,
 * and divides; avg and stddev are over the samples.  "pair" is the median of
 * (map + unmap) per buffer.  Under the (coherent) bounced case, the target
 * of issue 15, 1.3 x a memcpy of the same size + 30 ns, with the memcpy
 * measured just before and after that case, in the same process.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/simulator.h>
#include <dmaport/swiotlb.h>

#include "bench.h"

struct params {
	long threads, seconds_ms, granule, dir, dma_bits, batch;
	bool coherent, bounce;
};

struct result {
	double map_ns[4096], unmap_ns[4096];
	size_t n;
	uint64_t wall_ns, cpu_ns; /* the timed loop's */
};

struct worker {
	const struct params *p;
	struct dmp_device *dev;
	struct result res;
};

static void *run(void *arg)
{
	struct worker *w = arg;
	const struct params *p = w->p;
	size_t len = (size_t)p->granule * DMP_PAGE_SIZE;
	uint8_t **bufs = calloc((size_t)p->batch, sizeof(*bufs));
	dmp_addr_t *dma = calloc((size_t)p->batch, sizeof(*dma));
	for (long i = 0; i < p->batch; i++) {
		dmp_phys_t phys;
		/* above 4 GiB for the bounce case (a 32-bit device must bounce) */
		if (dmp_page_alloc(dmp_get_order(len), 0, DMP_PHYS_ANY, &phys))
			abort();
		bufs[i] = dmp_phys_to_virt(phys);
		memset(bufs[i], (int)i, len);
	}
	enum dmp_data_direction dir = (enum dmp_data_direction)p->dir;
	/* warm up: the simulator's images and the bounce pool are touched (and
	 * faulted in) the first time only */
	for (int r = 0; r < 20; r++)
		for (long i = 0; i < p->batch; i++)
			dmp_unmap_single(w->dev, dmp_map_single(w->dev, bufs[i], len, dir), len, dir);
	uint64_t begin = bench_now_ns(), end = begin + (uint64_t)p->seconds_ms * 1000000u;
	uint64_t cpu0 = bench_thread_cpu_ns();
	while (bench_now_ns() < end && w->res.n < 4096) {
		uint64_t t0 = bench_now_ns();
		for (long i = 0; i < p->batch; i++)
			dma[i] = dmp_map_single(w->dev, bufs[i], len, dir);
		uint64_t t1 = bench_now_ns();
		for (long i = 0; i < p->batch; i++)
			dmp_unmap_single(w->dev, dma[i], len, dir);
		uint64_t t2 = bench_now_ns();
		if (dma[0] == DMP_MAPPING_ERROR)
			abort();
		w->res.map_ns[w->res.n] = (double)(t1 - t0) / (double)p->batch;
		w->res.unmap_ns[w->res.n] = (double)(t2 - t1) / (double)p->batch;
		w->res.n++;
	}
	w->res.wall_ns = bench_now_ns() - begin;
	w->res.cpu_ns = bench_thread_cpu_ns() - cpu0;
	for (long i = 0; i < p->batch; i++) {
		dmp_phys_t phys;
		dmp_virt_to_phys(bufs[i], &phys);
		dmp_page_free(phys, dmp_get_order(len));
	}
	free(bufs);
	free(dma);
	return NULL;
}

/*
 * The reference a bounced pair is judged against: a plain memcpy of the
 * same size between two buffers that stay in the cache, @n samples of 1000
 * copies each, appended to @v.
 */
static void memcpy_samples(size_t len, double *v, int n)
{
	uint8_t *a = malloc(len), *b = malloc(len);
	memset(a, 1, len);
	for (int s = 0; s < n; s++) {
		uint64_t t0 = bench_now_ns();
		for (int i = 0; i < 1000; i++) {
			memcpy(b, a, len);
			bench_use(b);
		}
		v[s] = (double)(bench_now_ns() - t0) / 1000.0;
	}
	free(a);
	free(b);
}

/* The bounce target, 1.3 x memcpy + 30 ns (issue 15), next to the figures
 * of the run it was measured in. */
static void print_bounce_target(size_t len, double *ref, int n, double pair, double cpu_pair)
{
	double mc = bench_median(ref, (size_t)n);
	double target = 1.3 * mc + 30.0;
	printf("%-12s memcpy of %zu bytes %.1f ns (median of %d samples, before and after "
	       "the case); target 1.3 x memcpy + 30 = %.1f ns; pair %.1f ns = %.2f of it, "
	       "cpu/pair %.1f ns = %.2f\n", "", len, mc, n, target, pair, pair / target, cpu_pair,
	       cpu_pair / target);
}

static int one_case(const char *name, struct params p)
{
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;
	dmp_sim_config_default(&cfg);
	if (dmp_sim_create(&cfg, &sim))
		abort();
	struct dmp_swiotlb_pool *pool = NULL;
	if (dmp_swiotlb_pool_create("default", 16u << 20, DMP_SWIOTLB_DEFAULT_LIMIT,
				    (unsigned int)p.threads * 2, &pool))
		abort();
	dmp_swiotlb_set_default(pool);
	struct dmp_device dev;
	dmp_device_init(&dev, name);
	dmp_device_set_coherent(&dev, p.coherent);
	if (dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(p.bounce ? 32 : p.dma_bits))) {
		fprintf(stderr, "map: a %ld-bit DMA mask is not supported by the %s device\n",
			p.bounce ? 32L : p.dma_bits, name);
		dmp_swiotlb_pool_destroy(pool);
		dmp_sim_destroy(sim);
		return 1;
	}
	/* the bounce target's reference, measured around the case, in this run */
	double ref[62];
	size_t len = (size_t)p.granule * DMP_PAGE_SIZE;
	bool target = p.bounce && p.coherent; /* the non-coherent one adds cache maintenance */
	if (target)
		memcpy_samples(len, ref, 31);
	struct worker *w = calloc((size_t)p.threads, sizeof(*w));
	pthread_t *t = calloc((size_t)p.threads, sizeof(*t));
	for (long i = 0; i < p.threads; i++) {
		w[i].p = &p;
		w[i].dev = &dev;
		pthread_create(&t[i], NULL, run, &w[i]);
	}
	size_t total = 0;
	for (long i = 0; i < p.threads; i++) {
		pthread_join(t[i], NULL);
		total += w[i].res.n;
	}
	double *m = calloc(total, sizeof(double)), *u = calloc(total, sizeof(double));
	double *pair = calloc(total, sizeof(double));
	size_t k = 0;
	for (long i = 0; i < p.threads; i++)
		for (size_t j = 0; j < w[i].res.n; j++, k++) {
			m[k] = w[i].res.map_ns[j];
			u[k] = w[i].res.unmap_ns[j];
			pair[k] = m[k] + u[k];
		}
	double mm, ms, um, us;
	bench_mean_stddev(m, total, &mm, &ms);
	bench_mean_stddev(u, total, &um, &us);
	double med = bench_median(pair, total);
	/* measured, not multiplied: every thread's pairs over the longest
	 * thread's wall time, and every thread's CPU time over every pair */
	uint64_t wall = 0, cpu = 0;
	for (long i = 0; i < p.threads; i++) {
		wall = DMP_MAX(wall, w[i].res.wall_ns);
		cpu += w[i].res.cpu_ns;
	}
	double pairs = (double)total * (double)p.batch;
	double ops = wall ? pairs * 1e9 / (double)wall : 0;
	double cpu_pair = pairs > 0 ? (double)cpu / pairs : 0;
	printf("%-12s %7ld %5ld %4ld %6ld %9.1f %8.1f %9.1f %8.1f %9.1f %9.1f %12.0f\n", name,
	       p.threads, p.granule, p.dir, p.bounce ? 32L : p.dma_bits, mm, ms, um, us, med,
	       cpu_pair, ops);
	if (target) {
		memcpy_samples(len, ref + 31, 31);
		print_bounce_target(len, ref, 62, med, cpu_pair);
	}
	free(m);
	free(u);
	free(pair);
	free(w);
	free(t);
	dmp_swiotlb_pool_destroy(pool);
	dmp_sim_destroy(sim);
	return 0;
}

int dmp_bench_map(int argc, char **argv);
int dmp_bench_map(int argc, char **argv)
{
	struct params p = { .threads = 1, .seconds_ms = 300, .granule = 1, .dir = DMP_TO_DEVICE,
			    .dma_bits = 64, .batch = 64 };
	long only = 0;
	const struct bench_opt opts[] = {
		{ "--threads", &p.threads, 1, 16,
		  "threads mapping on one device (the run is at 1 thread, then at N when N > 1)" },
		{ "--ms", &p.seconds_ms, 1, 600000, "milliseconds each case runs" },
		{ "--granule", &p.granule, 1, 256, "buffer size in 4 KiB pages" },
		{ "--dir", &p.dir, 0, 2,
		  "DMA direction: 0 bidirectional, 1 to the device, 2 from the device" },
		{ "--dma-bits", &p.dma_bits, 32, 64,
		  "the device's DMA mask in bits (the bounced cases use 32); the simulated "
		  "machine's memory starts at 2 GiB, which no narrower mask reaches" },
		{ "--batch", &p.batch, 1, 4096, "maps timed together, then their unmaps" },
		{ "--case", &only, 0, 4,
		  "0 every case; 1 coherent, 2 noncoherent, 3 bounced (coherent, 32-bit mask, "
		  "buffers above 4 GiB), 4 bounced-nc (the same, non-coherent)" },
	};
	int args_rc = bench_parse(argc, argv,
				  "Streaming map/unmap cost in the shape of Linux's dma_map_benchmark, on "
				  "the simulated machine.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	printf("dmaport-bench map: streaming map/unmap on the simulated machine (%ld ms per case, "
	       "batches of %ld)\n"
	       "  map/unmap: wall ns per op, avg and stddev over batches; pair: median wall "
	       "map+unmap;\n"
	       "  cpu/pair: all threads' CPU time / all pairs; pairs/s: all threads' pairs / wall "
	       "time;\n"
	       "  under the bounced case: its target, 1.3 x a memcpy of the same size + 30 ns, "
	       "from a memcpy measured around it\n", p.seconds_ms, p.batch);
	printf("%-12s %7s %5s %4s %6s %9s %8s %9s %8s %9s %9s %12s\n", "case", "threads", "pages",
	       "dir", "bits", "map avg", "map sd", "unmap avg", "unmap sd", "pair", "cpu/pair",
	       "pairs/s");
	long threads = p.threads;
	for (long th = 1; th <= threads; th++) {
		if (th != 1 && th != threads)
			continue;
		p.threads = th;
		static const struct { const char *name; bool coherent, bounce; } cases[] = {
			{ "coherent", true, false }, { "noncoherent", false, false },
			{ "bounced", true, true }, { "bounced-nc", false, true } };
		for (long c = 0; c < 4; c++) {
			if (only && only != c + 1)
				continue;
			p.coherent = cases[c].coherent;
			p.bounce = cases[c].bounce;
			if (one_case(cases[c].name, p))
				return 1;
		}
	}
	return 0;
}
