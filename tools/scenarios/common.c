/* SPDX-License-Identifier: MIT */
/* common.c - helpers shared by dmaport-sim's scenarios. */
#include <string.h>

#include <dmaport/simulator.h>
#include <dmaport/dma-trace.h>

#include "../timeline.h"
#include "scenario.h"

void scenario_print_event(void *cookie, const struct dmp_sim_event *ev)
{
	char line[256];
	dmp_sim_event_format(ev, line, sizeof(line));
	fprintf((FILE *)cookie, "      | %s\n", line);
}

static const char *dir_name(enum dmp_data_direction dir)
{
	static const char *const n[] = { "BIDIRECTIONAL", "TO_DEVICE", "FROM_DEVICE", "NONE" };
	return (unsigned int)dir < 4 ? n[dir] : "?";
}

/* Who owns a buffer after each call, by the DMA API's rules. */
static const char *owner_after(enum dmp_dma_trace_op op)
{
	switch (op) {
	case DMP_TRACE_MAP:
	case DMP_TRACE_MAP_SG:
	case DMP_TRACE_SYNC_FOR_DEVICE:
		return "the device owns it";
	case DMP_TRACE_ALLOC:
		return "shared by CPU and device (no syncs; barriers order the CPU's stores)";
	case DMP_TRACE_FREE:
		return "gone";
	default:
		return "the CPU owns it";
	}
}

void scenario_print_api_event(void *cookie, const struct dmp_dma_trace_event *ev)
{
	FILE *f = cookie;
	const char *who = dmp_dev_name(ev->dev);
	const char *op = dmp_dma_trace_op_name(ev->op);
	if ((ev->op == DMP_TRACE_MAP || ev->op == DMP_TRACE_ALLOC) && ev->dma == DMP_MAPPING_ERROR) {
		fprintf(f, "      | DMA API  %-8s %s of %zu bytes FAILED: nobody owns anything new\n",
			who, op, ev->size);
		return;
	}
	if (ev->sg) {
		fprintf(f, "      | DMA API  %-8s %s %s: %d entr%s", who, op, dir_name(ev->dir),
			ev->nents, ev->nents == 1 ? "y" : "ies");
		if (ev->op == DMP_TRACE_MAP_SG)
			fprintf(f, " -> %d DMA segment(s)", ev->mapped);
		fprintf(f, ": %s\n", ev->op == DMP_TRACE_MAP_SG && !ev->mapped ? "FAILED"
										  : owner_after(ev->op));
		return;
	}
	fprintf(f, "      | DMA API  %-8s %s %s bus 0x%llx", who, op,
		ev->op == DMP_TRACE_ALLOC || ev->op == DMP_TRACE_FREE ? "" : dir_name(ev->dir),
		(unsigned long long)ev->dma);
	if (ev->phys)
		fprintf(f, " (phys 0x%llx)", (unsigned long long)ev->phys);
	fprintf(f, ", %zu bytes: %s\n", ev->size, owner_after(ev->op));
}

int scenario_sim_create(const struct scenario_opts *o, struct dmp_sim_config *cfg,
			struct dmp_sim **sim)
{
	cfg->hostile = cfg->hostile || o->hostile;
	if (o->seed)
		cfg->seed = o->seed;
	int err = dmp_sim_create(cfg, sim);
	if (err) {
		fprintf(o->out, "cannot create the simulated machine: error %d\n", err);
		return err;
	}
	if (o->trace)
		dmp_sim_trace_set_hook(*sim, scenario_print_event, o->out);
	if (o->timeline)
		timeline_watch(o->timeline, *sim);
	return 0;
}

void scenario_observe(const struct scenario_opts *o, const char *what, const char *seen,
		      const char *want)
{
	fprintf(o->out, "    %-44s \"%s\"  %s\n", what, seen, strcmp(seen, want) ? "STALE" : "right");
}

bool scenario_expect(const struct scenario_opts *o, const char *what, const char *seen,
		     const char *want, bool expect_equal)
{
	bool equal = strcmp(seen, want) == 0;
	bool ok = equal == expect_equal;
	const char *note = ok ? (equal ? "" : " (as the slide shows)")
			      : "  <-- NOT WHAT THE MODEL MUST GIVE";
	if (!ok && !expect_equal && o->hostile) {
		/* the hostile cache evicted or refilled the line in time: the bug
		 * is still there, this seed just did not show it */
		ok = true;
		note = " (the slide shows it stale; the hostile cache wrote it back in time)";
	}
	fprintf(o->out, "    %-44s \"%s\"  %s%s\n", what, seen, equal ? "right" : "STALE", note);
	return ok;
}
