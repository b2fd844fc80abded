/* SPDX-License-Identifier: MIT */
/* common.c - helpers shared by dmaport-sim's scenarios. */
#include <string.h>

#include <dmaport/dmaport.h>

#include "scenario.h"

static void print_event(void *cookie, const struct dmp_sim_event *ev)
{
	char line[256];
	dmp_sim_event_format(ev, line, sizeof(line));
	fprintf((FILE *)cookie, "      | %s\n", line);
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
		dmp_sim_trace_set_hook(*sim, print_event, o->out);
	return 0;
}

bool scenario_expect(const struct scenario_opts *o, const char *what, const char *seen,
		     const char *want, bool expect_equal)
{
	bool equal = strcmp(seen, want) == 0;
	bool ok = equal == expect_equal;
	fprintf(o->out, "    %-44s \"%s\"  %s%s\n", what, seen,
		equal ? "right" : "STALE",
		ok ? (equal ? "" : " (as the slide shows)") : "  <-- NOT WHAT THE MODEL MUST GIVE");
	return ok;
}
