/* SPDX-License-Identifier: MIT */
/* bench.c - helpers shared by the benchmarks. */
#include <math.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t bench_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t bench_thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_mean_stddev(const double *v, size_t n, double *mean, double *stddev)
{
	double s = 0, q = 0;
	for (size_t i = 0; i < n; i++)
		s += v[i];
	*mean = n ? s / (double)n : 0;
	for (size_t i = 0; i < n; i++)
		q += (v[i] - *mean) * (v[i] - *mean);
	*stddev = n > 1 ? sqrt(q / (double)(n - 1)) : 0;
}

/* What the benchmark's bench_arg_long() calls asked for and consumed. */
#define MAX_ARGS 64
static const char *known[MAX_ARGS];
static long known_def[MAX_ARGS];
static unsigned int nr_known;
static bool consumed[MAX_ARGS];

long bench_arg_long(int argc, char **argv, const char *name, long def)
{
	size_t len = strlen(name);
	if (nr_known < MAX_ARGS) {
		known_def[nr_known] = def;
		known[nr_known++] = name;
	}
	for (int i = 1; i < argc && i < MAX_ARGS; i++) {
		if (strncmp(argv[i], name, len) != 0)
			continue;
		if (argv[i][len] == '=') {
			consumed[i] = true;
			return strtol(argv[i] + len + 1, NULL, 0);
		}
		if (argv[i][len] == '\0' && i + 1 < argc && i + 1 < MAX_ARGS) {
			consumed[i] = consumed[i + 1] = true;
			return strtol(argv[i + 1], NULL, 0);
		}
	}
	return def;
}

int bench_args_check(int argc, char **argv)
{
	int rc = -1;
	for (int i = 1; i < argc; i++) {
		if (i < MAX_ARGS && consumed[i])
			continue;
		bool help = !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
		if (!help)
			fprintf(stderr, "%s: unknown argument '%s'\n", argv[0], argv[i]);
		rc = help ? 0 : 2;
		break;
	}
	if (rc >= 0) {
		FILE *f = rc ? stderr : stdout;
		fprintf(f, "usage: dmaport-bench %s", argv[0]);
		for (unsigned int k = 0; k < nr_known; k++)
			fprintf(f, " [%s N (%ld)]", known[k], known_def[k]);
		fprintf(f, "\n");
	}
	return rc;
}
