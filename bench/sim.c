/* SPDX-License-Identifier: MIT */
/*
 * sim.c - `dmaport-bench sim`: simulated device DMA bandwidth.
 *
 * A device reads and writes a buffer in simulated memory through its DMA
 * port (dmp_sim_dma_read/write: truncation, memory lookup, the image its
 * coherence selects), for 4 KiB and 64 KiB transfers, on a coherent and a
 * non-coherent port, next to a plain memcpy of the same size in the same run.
 * Trace and hostile mode off.  Figures are medians of --batches batches.
 * Then the start of a 4 GiB machine, and the cost of a write barrier with
 * 64 MiB of uncached memory, with and without the kernel's record of the
 * pages the CPU wrote (src/sim/write-track.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dmaport/simulator.h>

#include "bench.h"

#define MAX_SIZE (64 * 1024)

static double gbps(size_t bytes, double ns)
{
	return ns > 0 ? (double)bytes / ns : 0; /* bytes per ns = GB/s */
}

/* Median ns per transfer of @fn over @batches batches of @iters. */
typedef int (*xfer_fn)(void *ctx, size_t size);

static double time_xfer(xfer_fn fn, void *ctx, size_t size, long iters, long batches)
{
	double *v = calloc((size_t)batches, sizeof(double));
	for (long b = 0; b < batches; b++) {
		uint64_t t0 = bench_now_ns();
		for (long i = 0; i < iters; i++)
			fn(ctx, size);
		v[b] = (double)(bench_now_ns() - t0) / (double)iters;
	}
	double m = bench_median(v, (size_t)batches);
	free(v);
	return m;
}

struct ctx {
	struct dmp_sim_device *dev;
	dmp_phys_t phys;
	uint8_t *src, *dst;
	uint8_t *host;
};

static int do_memcpy(void *p, size_t size)
{
	struct ctx *c = p;
	memcpy(c->dst, c->src, size);
	bench_use(c->dst);
	return 0;
}

static int do_dev_read(void *p, size_t size)
{
	struct ctx *c = p;
	int err = dmp_sim_dma_read(c->dev, c->phys, c->host, size);
	bench_use(c->host);
	return err;
}

static int do_dev_write(void *p, size_t size)
{
	struct ctx *c = p;
	return dmp_sim_dma_write(c->dev, c->phys, c->host, size);
}

/* Resident memory of this process, in KiB (Linux's /proc/self/statm). */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, resident = -1;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &resident) != 2)
			resident = -1;
		fclose(f);
	}
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * What a big simulated machine costs to start: 4 GiB (2 GiB at 2 GiB and
 * 2 GiB at 4 GiB), created and destroyed, and 1 MiB touched through the
 * heap: the time, and the resident memory before and after.
 */
static void startup_figures(void)
{
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;
	dmp_sim_config_default(&cfg);
	cfg.nr_regions = 2;
	cfg.regions[0].base = 0x80000000ull;
	cfg.regions[0].size = 2ull << 30;
	cfg.regions[1].base = 0x100000000ull;
	cfg.regions[1].size = 2ull << 30;
	long rss0 = rss_kib();
	uint64_t t0 = bench_now_ns();
	if (dmp_sim_create(&cfg, &sim)) {
		printf("4 GiB machine: cannot create it\n");
		return;
	}
	uint64_t t1 = bench_now_ns();
	long rss1 = rss_kib();
	void *b = dmp_kmalloc(1u << 20, 0);
	if (b)
		memset(b, 1, 1u << 20);
	long rss2 = rss_kib();
	dmp_kfree(b);
	dmp_sim_destroy(sim);
	uint64_t t2 = bench_now_ns();
	printf("4 GiB machine: create %.2f ms, create+1 MiB+destroy %.2f ms; resident %ld KiB "
	       "before, +%ld KiB created, +%ld KiB after touching 1 MiB\n",
	       (double)(t1 - t0) / 1e6, (double)(t2 - t0) / 1e6, rss0, rss1 - rss0, rss2 - rss0);
}

/*
 * A write barrier with 64 MiB of uncached memory that holds data (a
 * declared coherent pool, or coherent allocations of a non-coherent
 * device): the median ns of a dma_wmb() after the CPU wrote one line, and
 * of one with nothing written, with the simulator told which pages the CPU
 * wrote (the kernel's record) and without it (every uncached page
 * compared with DRAM, as before; DMP_SIM_WRITE_TRACK=0).
 */
static void barrier_figures(void)
{
	const size_t size = (size_t)64 << 20;
	for (int track = 1; track >= 0; track--) {
		if (!track)
			setenv("DMP_SIM_WRITE_TRACK", "0", 1);
		struct dmp_sim *sim;
		int err = bench_sim_default("sim", &sim);
		unsetenv("DMP_SIM_WRITE_TRACK");
		if (err)
			return;
		struct dmp_device dev;
		dmp_device_init(&dev, "nc");
		dmp_device_set_coherent(&dev, false);
		dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64));
		dmp_addr_t handle;
		uint8_t *uc = dmp_alloc_coherent(&dev, size, &handle, DMP_GFP_KERNEL);
		if (!uc) {
			printf("barrier: no 64 MiB coherent allocation\n");
			dmp_device_remove(&dev);
			dmp_sim_destroy(sim);
			return;
		}
		memset(uc, 0x5a, size); /* every page holds data */
		dmp_dma_wmb();
		double one[31], idle[31];
		for (int k = 0; k < 31; k++) {
			uc[(size_t)k * 4096 * 97 % size] = (uint8_t)k;
			uint64_t t0 = bench_now_ns();
			dmp_dma_wmb();
			uint64_t t1 = bench_now_ns();
			dmp_dma_wmb();
			uint64_t t2 = bench_now_ns();
			one[k] = (double)(t1 - t0);
			idle[k] = (double)(t2 - t1);
		}
		printf("dma_wmb, 64 MiB uncached holding data, %-26s: %10.0f ns after one line "
		       "written, %10.0f ns with nothing written\n",
		       track ? "written pages from the kernel" : "every page compared",
		       bench_median(one, 31), bench_median(idle, 31));
		dmp_free_coherent(&dev, size, uc, handle);
		dmp_device_remove(&dev);
		dmp_sim_destroy(sim);
	}
}

int dmp_bench_sim(int argc, char **argv);
int dmp_bench_sim(int argc, char **argv)
{
	long batches = 31, bytes_per_batch = 64L << 20;
	const struct bench_opt opts[] = {
		{ "--batches", &batches, 1, 1000, "batches per row (the row prints the median)" },
		{ "--bytes", &bytes_per_batch, MAX_SIZE, 1L << 30,
		  "bytes moved per batch (in transfers of 4 KiB and 64 KiB)" },
	};
	int args_rc = bench_parse(argc, argv,
				  "Simulated device DMA bandwidth against memcpy, and the start of a "
				  "4 GiB simulated machine.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	struct dmp_sim *sim;
	if (bench_sim_default("sim", &sim))
		return 1;
	struct ctx c = { 0 };
	c.src = malloc(MAX_SIZE);
	c.dst = malloc(MAX_SIZE);
	c.host = malloc(MAX_SIZE);
	memset(c.src, 0x5a, MAX_SIZE);
	memset(c.dst, 0, MAX_SIZE);
	memset(c.host, 0xa5, MAX_SIZE);
	uint8_t *buf = dmp_kmalloc(MAX_SIZE, DMP_GFP_ZERO);
	dmp_virt_to_phys(buf, &c.phys);

	printf("dmaport-bench sim: simulated device DMA vs memcpy (median of %ld batches, "
	       "%ld MiB per batch; trace off, not hostile)\n", batches, bytes_per_batch >> 20);
	printf("%-7s %-13s %-6s %10s %10s %12s %8s\n", "size", "port", "op", "ns/xfer", "GB/s",
	       "memcpy GB/s", "ratio");
	static const size_t sizes[] = { 4096, 65536 };
	for (int coh = 1; coh >= 0; coh--) {
		struct dmp_sim_device_config dc = { .name = coh ? "coherent" : "noncoherent",
						    .port_bits = 64, .coherent = coh };
		dmp_sim_device_create(sim, &dc, &c.dev);
		for (size_t s = 0; s < DMP_ARRAY_SIZE(sizes); s++) {
			size_t size = sizes[s];
			long iters = bytes_per_batch / (long)size;
			double mc = time_xfer(do_memcpy, &c, size, iters, batches);
			for (int w = 0; w < 2; w++) {
				double ns = time_xfer(w ? do_dev_write : do_dev_read, &c, size,
						      iters, batches);
				printf("%-7zu %-13s %-6s %10.1f %10.2f %12.2f %7.0f%%\n", size,
				       dc.name, w ? "write" : "read", ns, gbps(size, ns),
				       gbps(size, mc), 100.0 * mc / ns);
			}
		}
		dmp_sim_device_destroy(c.dev);
	}
	dmp_kfree(buf);
	free(c.src);
	free(c.dst);
	free(c.host);
	dmp_sim_destroy(sim);
	startup_figures();
	barrier_figures();
	return 0;
}
