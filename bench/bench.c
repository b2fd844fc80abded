/* SPDX-License-Identifier: MIT */
/* bench.c - helpers shared by the benchmarks. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <dmaport/sim.h>

#include "bench.h"

int bench_sim_default(const char *name, struct dmp_sim **out)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	if (dmp_sim_create(&cfg, out) == 0)
		return 0;
	fprintf(stderr, "%s: cannot create the simulated machine\n", name);
	return 1;
}

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

#define HELP_INDENT 15
#define HELP_WIDTH 79

/* @text from column @indent, words wrapped at HELP_WIDTH onto lines
 * indented as much. */
static void print_wrapped(FILE *f, const char *text, int indent)
{
	int col = indent;
	while (*text) {
		size_t word = strcspn(text, " ");
		if (col > indent && col + 1 + (int)word > HELP_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)word, text);
		col += (int)word;
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static void usage(const char *name, const char *about, const struct bench_opt *opts,
		  size_t nr_opts)
{
	printf("usage: dmaport-bench %s [OPTION N]...\n", name);
	if (about)
		print_wrapped(stdout, about, 0);
	printf("options (N a whole number; --name N or --name=N):\n");
	for (size_t k = 0; k < nr_opts; k++) {
		char range[96];
		printf("  %-*s", HELP_INDENT - 2, opts[k].name);
		print_wrapped(stdout, opts[k].help, HELP_INDENT);
		snprintf(range, sizeof(range), "values %ld..%ld, default %ld", opts[k].min, opts[k].max,
			 *opts[k].val);
		printf("%*s%s\n", HELP_INDENT, "", range);
	}
	printf("  %-*sthis text\n", HELP_INDENT - 2, "--help");
}

/* A whole number, all of @s, in range of a long: 0 and *out, else -1. */
static int parse_long(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (!*s || *end || errno || isspace((unsigned char)*s))
		return -1;
	*out = v;
	return 0;
}

static int arg_error(const char *name)
{
	fprintf(stderr, "(dmaport-bench %s --help lists the options and their values)\n", name);
	return 2;
}

int bench_parse(int argc, char **argv, const char *about, const struct bench_opt *opts,
		size_t nr_opts)
{
	bool *seen = calloc(nr_opts ? nr_opts : 1, sizeof(*seen));
	const char *name = argv[0];
	int rc = -1;
	if (!seen)
		return 1;
	/* --help first, so that it shows the defaults whatever came before it */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(name, about, opts, nr_opts);
			free(seen);
			return 0;
		}
	for (int i = 1; i < argc && rc < 0; i++) {
		const char *arg = argv[i], *value = NULL;
		size_t k, len;
		for (k = 0; k < nr_opts; k++) {
			len = strlen(opts[k].name);
			if (!strncmp(arg, opts[k].name, len) && (arg[len] == '=' || !arg[len]))
				break;
		}
		if (k == nr_opts) {
			fprintf(stderr, "dmaport-bench %s: unknown argument '%s'\n", name, arg);
			rc = arg_error(name);
			break;
		}
		if (arg[len] == '=')
			value = arg + len + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		long v;
		if (!value) {
			fprintf(stderr, "dmaport-bench %s: %s needs a value\n", name, opts[k].name);
			rc = arg_error(name);
		} else if (seen[k]) {
			fprintf(stderr, "dmaport-bench %s: %s given twice\n", name, opts[k].name);
			rc = arg_error(name);
		} else if (parse_long(value, &v)) {
			fprintf(stderr, "dmaport-bench %s: %s '%s' is not a whole number\n", name,
				opts[k].name, value);
			rc = arg_error(name);
		} else if (v < opts[k].min || v > opts[k].max) {
			fprintf(stderr, "dmaport-bench %s: %s %ld is out of range %ld..%ld\n", name,
				opts[k].name, v, opts[k].min, opts[k].max);
			rc = arg_error(name);
		} else {
			seen[k] = true;
			*opts[k].val = v;
		}
	}
	free(seen);
	return rc;
}
