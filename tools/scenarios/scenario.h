/* SPDX-License-Identifier: MIT */
/*
 * scenario.h - dmaport-sim's built-in scenarios.
 *
 * A scenario builds its simulated machine, runs, prints what the CPU and the
 * devices saw, and returns 0 when everything it observed is what the model
 * must produce (a stale read where the scenario shows one is *expected*).
 */
#ifndef DMP_SCENARIO_H
#define DMP_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct scenario_opts {
	bool trace;      /* print the simulator's events */
	bool hostile;
	uint64_t seed;
	FILE *out;
};

struct scenario {
	const char *name;
	const char *summary;
	int (*run)(const struct scenario_opts *opts);
};

/* NULL-terminated lists, one per file. */
extern const struct scenario slide_scenarios[];

/* Scenarios that run on a machine built from a device tree. */
struct dmp_sim_platform;
struct platform_scenario {
	const char *name;
	const char *summary;
	int (*run)(const struct scenario_opts *opts, struct dmp_sim_platform *p);
	/* NULL if @p has what the scenario needs, else why not (it is then
	 * skipped, not failed); NULL: runs anywhere */
	const char *(*needs)(struct dmp_sim_platform *p);
};
extern const struct platform_scenario platform_scenarios[];

/* Helpers for scenario code (tools/scenarios/common.c). */
struct dmp_sim;
struct dmp_sim_config;
/** Create the machine and attach the live trace printer when asked. */
int scenario_sim_create(const struct scenario_opts *o, struct dmp_sim_config *cfg,
			struct dmp_sim **sim);
/**
 * Print "  <what>: <seen> -> right|STALE (expected ...)"; true if @seen is
 * what the model must give.  A stale outcome (@expect_equal false) is a
 * fixed outcome only with quiet caches: under --hostile the cache may have
 * written the line back or refilled it, so either outcome is right, and the
 * line says which one this seed gave.
 */
/** Print what was seen against what the CPU or device wrote, without judging it. */
void scenario_observe(const struct scenario_opts *o, const char *what, const char *seen,
		      const char *want);
bool scenario_expect(const struct scenario_opts *o, const char *what, const char *seen,
		     const char *want, bool expect_equal);

#endif /* DMP_SCENARIO_H */
