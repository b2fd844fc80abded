/* SPDX-License-Identifier: MIT */
/*
 * bench.h - shared helpers for dmaport-bench's benchmarks.
 *
 * A benchmark is bench/NAME.c defining `int dmp_bench_NAME(int argc, char
 * **argv)`; the build registers it as `dmaport-bench NAME`.  Benchmarks print
 * figures (with their parameters); they never decide pass or fail on time.
 */
#ifndef DMP_BENCH_H
#define DMP_BENCH_H

#include <stddef.h>
#include <stdint.h>

struct bench_entry {
	const char *name;
	int (*fn)(int argc, char **argv);
};

extern const struct bench_entry bench_table[];

/** bench_now_ns - monotonic time in ns. */
uint64_t bench_now_ns(void);

/** bench_thread_cpu_ns - the calling thread's CPU time in ns (the machine
 * may be shared: wall time is not all ours). */
uint64_t bench_thread_cpu_ns(void);

/** bench_median - median of @n doubles (sorts @v). */
double bench_median(double *v, size_t n);

/** bench_mean_stddev - mean and standard deviation of @n values. */
void bench_mean_stddev(const double *v, size_t n, double *mean, double *stddev);

/** Keep the compiler from optimising a computation away. */
#define bench_use(x) __asm__ __volatile__("" : : "r"(x) : "memory")

/** bench_arg_long - value of "--name N" / "--name=N" in argv, or @def. */
long bench_arg_long(int argc, char **argv, const char *name, long def);

/**
 * bench_args_check - after a benchmark's bench_arg_long() calls: -1 if every
 * argument was one of them (go on); else the exit status to return, after
 * printing the options the benchmark read (0 for --help, 2 for an unknown
 * argument, which is named).
 */
int bench_args_check(int argc, char **argv);

#endif /* DMP_BENCH_H */
