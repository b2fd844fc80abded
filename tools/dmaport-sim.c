/* SPDX-License-Identifier: MIT */
/*
 * dmaport-sim - run dmaport's scenarios on the simulated machine.
 *
 *   dmaport-sim list
 *   dmaport-sim run [--trace] [--quiet] [--seed N] [--hostile] SCENARIO...
 *
 * SCENARIO is a name from `list`, or "slides" for all of the talk's slides.
 * Scenarios on a PLATFORM run with the checker on (DMP_DEBUG may choose its
 * mode; "off" turns it off): its findings are printed after each one.  The
 * exit status is non-zero when a scenario did not see what the model must
 * produce, or the checker reported something.
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/debug.h>
#include <dmaport/sim/platform.h>

#include "scenarios/scenario.h"

static const struct scenario *const *all_lists(void)
{
	static const struct scenario *const lists[] = { slide_scenarios, NULL };
	return lists;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dmaport-sim list\n"
		   "       dmaport-sim run [--trace|--quiet] [--seed N] [--hostile] SCENARIO...\n"
		   "       dmaport-sim run [options] PLATFORM.dts|.dtb SCENARIO...\n"
		   "       dmaport-sim dump PLATFORM.dts|.dtb\n"
		   "SCENARIO: a name from `dmaport-sim list`, or `slides` for all slides.\n"
		   "Scenarios marked [platform] need a PLATFORM (see examples/platforms/); the\n"
		   "others (the slides) build their own machine and take none.\n"
		   "  --trace    print every simulator event (the default)\n"
		   "  --quiet    print no events\n"
		   "  --seed N   seed for hostile mode\n"
		   "  --hostile  caches evict and refill lines at any moment hardware could\n");
}

static int run_one(const struct scenario *s, const struct scenario_opts *o)
{
	fprintf(o->out, "\n== %s: %s\n", s->name, s->summary);
	int rc = s->run(o);
	fprintf(o->out, "  -> %s\n", rc ? "FAILED" : "ok");
	return rc;
}

static bool is_platform(const char *arg)
{
	size_t n = strlen(arg);
	return n > 4 && (!strcmp(arg + n - 4, ".dts") || !strcmp(arg + n - 4, ".dtb"));
}

static void print_error(const char *path, const struct dmp_of_error *e)
{
	char msg[512];
	dmp_of_error_format(e, msg, sizeof(msg));
	fprintf(stderr, "dmaport-sim: %s: %s\n", path, msg);
}

static int dump(const char *path)
{
	struct dmp_sim_platform *p;
	struct dmp_of_error e;
	if (dmp_sim_platform_load(path, NULL, &p, &e)) {
		print_error(path, &e);
		return 1;
	}
	dmp_sim_platform_dump(p, stdout);
	dmp_sim_platform_destroy(p);
	return 0;
}

static void print_event(void *cookie, const struct dmp_sim_event *ev)
{
	char line[256];
	dmp_sim_event_format(ev, line, sizeof(line));
	fprintf((FILE *)cookie, "      | %s\n", line);
}

/* The checker's findings since dmp_debug_reset(), one line each; their count. */
static unsigned long print_findings(FILE *out)
{
	unsigned long total = dmp_debug_total();
	if (dmp_debug_get_mode() == DMP_DEBUG_OFF) {
		fprintf(out, "  checker: off\n");
		return 0;
	}
	fprintf(out, "  checker (%s): %lu finding(s)", dmp_debug_mode_name(dmp_debug_get_mode()),
		total);
	const char *sep = ":";
	for (int k = 0; k < DMP_DEBUG_NR_KINDS; k++) {
		unsigned long n = dmp_debug_count((enum dmp_debug_kind)k);
		if (n) {
			fprintf(out, "%s %s %lu", sep, dmp_debug_kind_name((enum dmp_debug_kind)k), n);
			sep = ",";
		}
	}
	fprintf(out, "\n");
	struct dmp_debug_report r;
	for (size_t i = 0; i < dmp_debug_nr_reports(); i++)
		if (dmp_debug_get_report(i, &r) == 0)
			fprintf(out, "    %s\n", r.text);
	return total;
}

static int run_platform(const char *path, const struct platform_scenario *s,
			const struct scenario_opts *o)
{
	struct dmp_sim_platform *p;
	struct dmp_of_error e;
	struct dmp_sim_platform_opts po = { .hostile = o->hostile, .seed = o->seed,
					    .trace = o->trace };
	fprintf(o->out, "\n== %s on %s: %s\n", s->name, path, s->summary);
	if (dmp_sim_platform_load(path, &po, &p, &e)) {
		print_error(path, &e);
		return 1;
	}
	if (o->trace)
		dmp_sim_trace_set_hook(p->sim, print_event, o->out);
	/* the checker keeps its records (fail mode) unless DMP_DEBUG says otherwise */
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	if (dmp_debug_init())
		fprintf(stderr, "dmaport-sim: DMP_DEBUG: unknown mode, checker left in fail mode\n");
	dmp_debug_reset();
	int rc = s->run(o, p);
	dmp_sim_platform_destroy(p); /* the leak check runs as devices go away */
	unsigned long findings = print_findings(o->out);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	if (rc)
		fprintf(o->out, "  -> FAILED\n");
	else if (findings)
		fprintf(o->out, "  -> FAILED: the checker reported %lu finding(s)\n", findings);
	else
		fprintf(o->out, "  -> ok\n");
	return rc || findings;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "list")) {
		for (const struct scenario *const *l = all_lists(); *l; l++)
			for (const struct scenario *s = *l; s->name; s++)
				printf("%-16s %s\n", s->name, s->summary);
		for (const struct platform_scenario *s = platform_scenarios; s->name; s++)
			printf("%-16s [platform] %s\n", s->name, s->summary);
		return 0;
	}
	if (!strcmp(argv[1], "dump")) {
		if (argc != 3) {
			usage(stderr);
			return 2;
		}
		return dump(argv[2]);
	}
	if (strcmp(argv[1], "run")) {
		usage(stderr);
		return 2;
	}
	struct scenario_opts o = { .trace = true, .out = stdout };
	int i = 2;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--trace"))
			o.trace = true;
		else if (!strcmp(argv[i], "--quiet"))
			o.trace = false;
		else if (!strcmp(argv[i], "--hostile"))
			o.hostile = true;
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			o.seed = strtoull(argv[++i], NULL, 0);
		else {
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	int failed = 0, ran = 0;
	const char *platform = NULL;
	if (is_platform(argv[i]))
		platform = argv[i++];
	for (; i < argc; i++) {
		bool found = false;
		for (const struct platform_scenario *s = platform_scenarios; s->name; s++)
			if (!strcmp(argv[i], s->name)) {
				found = true;
				if (!platform) {
					fprintf(stderr, "dmaport-sim: %s needs a platform (.dts/.dtb)\n",
						s->name);
					return 2;
				}
				ran++;
				failed += run_platform(platform, s, &o) != 0;
			}
		for (const struct scenario *const *l = all_lists(); *l; l++)
			for (const struct scenario *s = *l; s->name; s++) {
				bool slide = !strcmp(argv[i], "slides") && !strncmp(s->name, "slide-", 6);
				if (slide || !strcmp(argv[i], s->name)) {
					found = true;
					if (platform) {
						/* a slide builds the machine it is about */
						fprintf(stderr, "dmaport-sim: %s builds its own machine: "
								"run it without a platform\n", s->name);
						return 2;
					}
					ran++;
					failed += run_one(s, &o) != 0;
				}
			}
		if (!found) {
			fprintf(stderr, "dmaport-sim: no scenario '%s' (see `dmaport-sim list`)\n",
				argv[i]);
			return 2;
		}
	}
	printf("\n%d scenario(s): %d ok, %d failed\n", ran, ran - failed, failed);
	return failed ? 1 : 0;
}
