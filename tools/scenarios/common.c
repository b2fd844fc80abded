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
