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

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct timeline;
struct scenario_opts {
	bool trace;      /* print the simulator's events */
	bool hostile;
	uint64_t seed;
	FILE *out;
	struct timeline *timeline; /* record the run (tools/timeline.h), or NULL */
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
	/* a scenario that shows a bug or a fault: the checker findings it may
	 * produce (bits 1 << enum dmp_debug_kind); the run is right when the
	 * checker reports at least one finding, all of these kinds */
	unsigned long long expect_findings;
};
extern const struct platform_scenario platform_scenarios[];
/* A minimal ring driver for the copy engine (platform.c): probe maps its
 * registers and allocates the descriptor ring coherent; ring_copy posts one
 * copy, rings the doorbell and returns the engine's error code (0: done). */
struct dmp_device;
struct dmp_ce_desc;
struct dmp_sim_platform_device;
struct ring {
	struct dmp_device *dev;
	void *regs;
	struct dmp_ce_desc *desc;
	uint64_t desc_dma;
	uint32_t tail;
};
int ring_probe(struct ring *r, struct dmp_sim_platform_device *pd);
/* The first copy engine of @p behind an IOMMU (@iommu) or not whose driver
 * can set the DMA mask its port drives (ring_probe() sets it, and fails when
 * the DMA layer refuses it); NULL if none, with *@why (if @why) saying why
 * when there is such an engine but the mask was refused, else NULL. */
struct dmp_sim_platform_device *ring_engine(struct dmp_sim_platform *p, bool iommu,
					    const char **why);
void ring_remove(struct ring *r);
uint32_t ring_copy(struct ring *r, uint64_t src, uint64_t dst, uint32_t len);

/* The talk's DMA API and IOMMU sections, and the checker (talk.c). */
extern const struct platform_scenario talk_scenarios[];

/* Helpers for scenario code (tools/scenarios/common.c). */
struct dmp_sim_event;
struct dmp_dma_trace_event;
/** The live trace's printers: a simulator event, a DMA API call (cookie: FILE *). */
void scenario_print_event(void *cookie, const struct dmp_sim_event *ev);
void scenario_print_api_event(void *cookie, const struct dmp_dma_trace_event *ev);
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
