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

struct dmp_sim;

/**
 * bench_sim_default - the default simulated machine for benchmark @name.
 * Return: 0 and *@out, or 1 after saying on stderr that it could not be
 * made (the benchmark's exit status).
 */
int bench_sim_default(const char *name, struct dmp_sim **out);

/**
 * struct bench_opt - one integer option of a benchmark.
 * @name: the option as typed, "--threads"; given as "--threads N" or
 *        "--threads=N" (decimal, or 0x hexadecimal)
 * @val:  holds the default on entry to bench_parse(), the value on return
 * @min:  smallest value accepted
 * @max:  largest value accepted
 * @help: what the option does and what its values mean (one line; `--help`
 *        prints it with the range and the default)
 */
struct bench_opt {
	const char *name;
	long *val;
	long min, max;
	const char *help;
};

/**
 * bench_parse - read and validate a benchmark's options.
 * @argc, @argv: the benchmark's arguments, argv[0] its name
 * @about: what the benchmark measures, for `--help` (may hold newlines)
 * @opts, @nr_opts: its options
 *
 * Every argument must be one of @opts with a whole number in its range, or
 * --help / -h; an option given twice is refused.  Nothing is run before
 * this returns -1.
 *
 * Return: -1 when the options are good (run); otherwise the exit status the
 * benchmark returns at once: 0 after `--help` (printed to stdout), 2 after an
 * error (named on stderr, followed by the usage).
 */
int bench_parse(int argc, char **argv, const char *about, const struct bench_opt *opts,
		size_t nr_opts);

#endif /* DMP_BENCH_H */
