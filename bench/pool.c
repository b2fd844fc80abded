/* SPDX-License-Identifier: MIT */
/*
 * pool.c - `dmaport-bench pool`: DMA pool alloc/free throughput, in the shape
 * of Linux's mm/dmapool_test.c.
 *
 * For each (size, align, boundary) of Linux's test, blocks =
 * clamp((4096 / size) * 512, 1024, 8192); a round allocates every block, then
 * frees them all; --rounds rounds (default 100, as Linux).  Printed: the
 * total time and ns per operation (an alloc or a free), with one thread, and
 * with two threads each running the full workload on the same pool (total
 * wall time; ns per operation per thread and divided by the threads).
 * debug poisoning is off (--debug 1 turns it on), so the figures are the
 * allocator's; the first round also allocates the pool's chunks, as in
 * Linux's test.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <dmaport/simulator.h>
#include <dmaport/dmapool.h>

#include "bench.h"

struct pool_cfg {
	size_t size, align, boundary;
};

static const struct pool_cfg cfgs[] = {
	{ 16, 16, 0 },     { 64, 64, 0 },     { 256, 256, 0 },
	{ 1024, 1024, 0 }, { 4096, 4096, 0 }, { 68, 32, 4096 },
};

struct job {
	struct dmp_dma_pool *pool;
	size_t blocks;
	long rounds;
	void **va;
	dmp_addr_t *dma;
	uint64_t ns, first_ns;
	uint64_t cpu_ns, first_cpu_ns; /* the thread's CPU time, likewise */
	int failed;
};

static void *workload(void *arg)
{
	struct job *j = arg;
	uint64_t t0 = bench_now_ns(), c0 = bench_thread_cpu_ns();
	for (long r = 0; r < j->rounds; r++) {
		if (r == 1) {
			j->first_ns = bench_now_ns() - t0;
			j->first_cpu_ns = bench_thread_cpu_ns() - c0;
		}
		for (size_t i = 0; i < j->blocks; i++) {
			j->va[i] = dmp_pool_alloc(j->pool, DMP_GFP_ATOMIC, &j->dma[i]);
			if (!j->va[i])
				j->failed = 1;
		}
		for (size_t i = 0; i < j->blocks; i++)
			dmp_pool_free(j->pool, j->va[i], j->dma[i]);
	}
	j->ns = bench_now_ns() - t0;
	j->cpu_ns = bench_thread_cpu_ns() - c0;
	if (j->rounds == 1) {
		j->first_ns = j->ns;
		j->first_cpu_ns = j->cpu_ns;
	}
	return NULL;
}

static int run(struct dmp_device *dev, const struct pool_cfg *c, int threads, long rounds,
	       bool debug)
{
	size_t blocks = (4096 / c->size) * 512;
	blocks = blocks < 1024 ? 1024 : blocks > 8192 ? 8192 : blocks;
	struct dmp_dma_pool *pool = dmp_pool_create("bench", dev, c->size, c->align, c->boundary);
	if (!pool)
		return 1;
	dmp_pool_set_debug(pool, debug);
	struct job jobs[2];
	pthread_t tid[2];
	uint64_t t0 = bench_now_ns();
	for (int t = 0; t < threads; t++) {
		jobs[t] = (struct job){ .pool = pool, .blocks = blocks, .rounds = rounds,
					.va = calloc(blocks, sizeof(void *)),
					.dma = calloc(blocks, sizeof(dmp_addr_t)) };
		pthread_create(&tid[t], NULL, workload, &jobs[t]);
	}
	int failed = 0;
	uint64_t first = 0, cpu_steady = 0;
	for (int t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		failed |= jobs[t].failed;
		first = jobs[t].first_ns > first ? jobs[t].first_ns : first;
		cpu_steady += jobs[t].cpu_ns - jobs[t].first_cpu_ns;
		free(jobs[t].va);
		free(jobs[t].dma);
	}
	uint64_t wall = bench_now_ns() - t0;
	/* the first round also allocates the chunks (coherent allocations of the
	 * simulated machine, which dominate it): steady state is the rest */
	double ops = (double)blocks * 2.0; /* per round, per thread */
	double steady = rounds > 1 ? (double)(wall - first) / (ops * (double)(rounds - 1)) : 0;
	double cpu = rounds > 1 ? (double)cpu_steady / (ops * (double)(rounds - 1) * threads) : 0;
	printf("%4zu %5zu %8zu %6zu %7d %10.0f %9.0f %10.2f %10.2f %10.2f%s\n", c->size, c->align,
	       c->boundary, blocks, threads, (double)wall / 1e3, (double)first / 1e3, cpu, steady,
	       steady / threads, failed ? "  (allocations failed)" : "");
	dmp_pool_destroy(pool);
	return failed;
}

int dmp_bench_pool(int argc, char **argv);
int dmp_bench_pool(int argc, char **argv)
{
	long rounds = 100, debug_opt = 0;
	const struct bench_opt opts[] = {
		{ "--rounds", &rounds, 1, 100000,
		  "rounds of allocating every block then freeing them all (Linux's test: 100)" },
		{ "--debug", &debug_opt, 0, 1, "1: the pool poisons and checks blocks (debug mode)" },
	};
	int args_rc = bench_parse(argc, argv,
				  "DMA pool alloc/free throughput in the shape of Linux's "
				  "mm/dmapool_test.c, 1 and 2 threads.", opts, DMP_ARRAY_SIZE(opts));
	if (args_rc >= 0)
		return args_rc;
	bool debug = debug_opt != 0;
	struct dmp_sim *sim;
	if (bench_sim_default("pool", &sim))
		return 1;
	struct dmp_device dev;
	dmp_device_init(&dev, "bench");
	printf("dmaport-bench pool: %ld rounds of allocating every block then freeing them all "
	       "(Linux's dmapool_test shape); poisoning %s; non-coherent device\n"
	       "  total: all rounds (wall); round 1: the first round, which allocates the chunks;\n"
	       "  cpu ns/op: every thread's CPU time per alloc or free in the later rounds;\n"
	       "  ns/op: wall time per alloc or free in the later rounds as one thread sees it (each\n"
	       "  thread runs the full workload on the same pool); ns/op/thr: that divided by the\n"
	       "  threads (the wall time per op of the pool's throughput)\n",
	       rounds, debug ? "on" : "off");
	printf("%4s %5s %8s %6s %7s %10s %9s %10s %10s %10s\n", "size", "align", "boundary",
	       "blocks", "threads", "total us", "round1 us", "cpu ns/op", "ns/op", "ns/op/thr");
	int err = 0;
	for (int threads = 1; threads <= 2 && !err; threads++)
		for (size_t i = 0; i < DMP_ARRAY_SIZE(cfgs) && !err; i++)
			err = run(&dev, &cfgs[i], threads, rounds, debug);
	dmp_sim_destroy(sim);
	return err;
}
