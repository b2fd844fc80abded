/* SPDX-License-Identifier: MIT */
/*
 * dmaport-bench - dmaport's benchmarks: `dmaport-bench NAME [options]`.
 * `dmaport-bench list` names them; `dmaport-bench all` runs each with its
 * defaults; `dmaport-bench --help` prints every benchmark's options.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: dmaport-bench NAME [options] | list | all | --help\n"
		   "  NAME --help   a benchmark's options, their values and defaults\n"
		   "  list          the benchmarks' names\n"
		   "  all           every benchmark with its defaults\n"
		   "benchmarks:");
	for (const struct bench_entry *b = bench_table; b->name; b++)
		fprintf(f, " %s", b->name);
	fprintf(f, "\nBenchmarks print figures; they never pass or fail on time.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc > 2) {
			fprintf(stderr, "dmaport-bench: --help takes no argument (NAME --help does)\n");
			return 2;
		}
		usage(stdout);
		/* every benchmark's own --help: one place lists every option */
		for (const struct bench_entry *b = bench_table; b->name; b++) {
			char *args[] = { (char *)b->name, "--help", NULL };
			printf("\n");
			fflush(stdout);
			b->fn(2, args);
		}
		return 0;
	}
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "all")) {
		if (argc > 2) {
			fprintf(stderr, "dmaport-bench: %s takes no argument\n", argv[1]);
			return 2;
		}
		int rc = 0;
		for (const struct bench_entry *b = bench_table; b->name; b++) {
			char *args[] = { (char *)b->name, NULL };
			if (argv[1][0] == 'l')
				printf("%s\n", b->name);
			else
				rc |= b->fn(1, args);
		}
		return rc;
	}
	for (const struct bench_entry *b = bench_table; b->name; b++)
		if (!strcmp(argv[1], b->name))
			return b->fn(argc - 1, argv + 1);
	fprintf(stderr, "dmaport-bench: no benchmark '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
