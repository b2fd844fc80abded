/* SPDX-License-Identifier: MIT */
/*
 * dmaport-bench - dmaport's benchmarks: `dmaport-bench NAME [options]`.
 * `dmaport-bench list` names them; `dmaport-bench all` runs each with its
 * defaults.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: dmaport-bench NAME [options] | list | all\nbenchmarks:");
	for (const struct bench_entry *b = bench_table; b->name; b++)
		fprintf(f, " %s", b->name);
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "list")) {
		for (const struct bench_entry *b = bench_table; b->name; b++)
			printf("%s\n", b->name);
		return 0;
	}
	if (!strcmp(argv[1], "all")) {
		int rc = 0;
		for (const struct bench_entry *b = bench_table; b->name; b++) {
			char *args[] = { (char *)b->name, NULL };
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
