/* SPDX-License-Identifier: MIT */
/*
 * dmaport-sim - run dmaport's scenarios on the simulated machine.
 *
 *   dmaport-sim list
 *   dmaport-sim run [OPTIONS] [PLATFORM.dts|.dtb] SCENARIO...
 *   dmaport-sim dump PLATFORM.dts|.dtb
 *   dmaport-sim drive [OPTIONS] PLATFORM.dts|.dtb DRIVER...   (tools/drive.c)
 *   dmaport-sim help | --help | COMMAND --help
 *
 * The whole command line is checked before anything runs: options and their
 * values, every scenario's name, whether it needs a platform or refuses one,
 * the platform itself (parsed and built once), and DMP_DEBUG.  A mistake
 * anywhere is reported with exit status 2 and nothing runs.
 *
 * Scenarios on a PLATFORM run with the checker on (DMP_DEBUG may choose its
 * mode; "off" turns it off): its findings are printed after each one.  A
 * platform scenario that needs a device the platform lacks is skipped, with
 * the reason.  The exit status is 1 when a scenario did not see what the
 * model must produce or the checker reported something, 3 when every
 * scenario asked for was skipped (nothing ran), else 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/debug.h>
#include <dmaport/dma-trace.h>
#include <dmaport/log.h>
#include <dmaport/sim/platform.h>

#include "cli.h"
#include "drive.h"
#include "scenarios/scenario.h"
#include "timeline.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_ALL_SKIPPED = 3 };

static const struct scenario *const *all_lists(void)
{
	static const struct scenario *const lists[] = { slide_scenarios, NULL };
	return lists;
}

static const struct platform_scenario *const *platform_lists(void)
{
	static const struct platform_scenario *const lists[] = { platform_scenarios,
								   talk_scenarios, NULL };
	return lists;
}

/* `talk`: the talk's DMA API and IOMMU sections and the checker, in the
 * talk's order (after `slides`, the hardware). */
static const char *const talk_group[] = { "api-streaming", "swiotlb", "api-sg", "iommu-map",
					  "iommu-fault", "iommu-lazy", "checker-owned", NULL };

static void usage_run(FILE *f)
{
	fprintf(f,
		"usage: dmaport-sim run [OPTIONS] SCENARIO...\n"
		"       dmaport-sim run [OPTIONS] PLATFORM.dts|.dtb SCENARIO...\n"
		"Runs scenarios and prints what the CPU and the devices saw.  SCENARIO is a\n"
		"name from `dmaport-sim list`, or a group: `slides` (the talk's hardware\n"
		"slides; they build their own machine and take no PLATFORM) or `talk` (its\n"
		"DMA API and IOMMU sections and the checker, on a PLATFORM).  Scenarios\n"
		"marked [platform] need a PLATFORM (see examples/platforms/); one that needs\n"
		"a device the platform lacks is skipped, and says why.\n"
		"Options (anywhere before `--`; each at most once):\n"
		"  --trace      print every simulator event as it happens (the default)\n"
		"  --quiet      print no events\n"
		"  --hostile    the caches evict dirty lines and refill clean ones at any\n"
		"               moment hardware could: a driver that works by luck fails.\n"
		"               Outcomes a slide shows as stale may then be right, and are\n"
		"               reported as such, not as failures\n"
		"  --seed N     the hostile caches' seed, with --hostile only: an integer\n"
		"               1..18446744073709551615, decimal or 0x-hex (default: fixed)\n"
		"  --timeline FILE  also write the run as trace-event JSON to FILE (open it\n"
		"               in ui.perfetto.dev or chrome://tracing) and as an SVG picture\n"
		"               to FILE with .json replaced by .svg (or .svg added): buffers'\n"
		"               ownership, cache operations, device accesses, IOMMU walks and\n"
		"               faults, the checker's findings.  FILE must be writable\n"
		"Environment: DMP_DEBUG=off|warn|fail|abort (on or 1: warn) sets the\n"
		"checker's mode on platform scenarios (default fail: findings fail the\n"
		"run); DMP_DEBUG_GUARD=0 turns its guard mode off; DMP_DEBUG_DEVICES=\n"
		"name,... checks only those devices (see docs/checker.md).\n"
		"Exit status: 0 every scenario ran right or was skipped (at least one\n"
		"ran), 1 one failed or the checker reported something, 2 a usage error,\n"
		"a platform that cannot be built or an environment variable not\n"
		"understood (nothing ran), 3 every scenario was skipped (the platform\n"
		"lacks what they need: nothing ran).\n");
}

static void usage_dump(FILE *f)
{
	fprintf(f, "usage: dmaport-sim dump PLATFORM.dts|.dtb\n"
		   "Builds the machine the tree describes and prints it: memory, caches,\n"
		   "reserved memory and what it became, bounce pools, IOMMUs, devices.\n"
		   "Exit status: 0, 1 if the tree is wrong (the node and property named),\n"
		   "2 a usage error.\n");
}

static void usage_list(FILE *f)
{
	fprintf(f, "usage: dmaport-sim list\n"
		   "Lists the scenarios, one a line; [platform] marks those that need a\n"
		   "PLATFORM.\n");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dmaport-sim list\n"
		   "       dmaport-sim run [OPTIONS] [PLATFORM.dts|.dtb] SCENARIO...\n"
		   "       dmaport-sim dump PLATFORM.dts|.dtb\n"
		   "       dmaport-sim drive [OPTIONS] PLATFORM.dts|.dtb DRIVER...  (Linux drivers)\n"
		   "       dmaport-sim COMMAND --help   (a command's options and values)\n\n");
	usage_run(f);
}

static int usage_error(void (*u)(FILE *), const char *fmt, const char *arg)
{
	fprintf(stderr, "dmaport-sim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	u(stderr);
	return EXIT_USAGE;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "help");
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
		return EXIT_FAILED;
	}
	dmp_sim_platform_dump(p, stdout);
	dmp_sim_platform_destroy(p);
	return EXIT_OK;
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

/* The checker found something, and only kinds in @kinds. */
static bool findings_are(unsigned long long kinds)
{
	bool any = false;
	for (int k = 0; k < DMP_DEBUG_NR_KINDS; k++) {
		bool got = dmp_debug_count((enum dmp_debug_kind)k) != 0;
		if (got && !(kinds & (1ull << k)))
			return false;
		any |= got;
	}
	return any;
}

/* What one run does: the parsed and checked command line. */
struct plan_item {
	const struct scenario *slide;             /* builds its own machine */
	const struct platform_scenario *on_platform;
	const char *skip;                         /* why it cannot run, or NULL */
};

struct plan {
	struct scenario_opts o;
	const char *timeline_json;
	char timeline_svg[4096];
	const char *platform;
	enum dmp_debug_mode checker;
	size_t n;
	struct plan_item *items;
};

static int run_slide(const struct scenario *s, const struct scenario_opts *o)
{
	fprintf(o->out, "\n== %s: %s\n", s->name, s->summary);
	if (o->timeline)
		timeline_scenario_begin(o->timeline, s->name, s->summary);
	int rc = s->run(o);
	if (o->timeline)
		timeline_scenario_end(o->timeline, !rc);
	fprintf(o->out, "  -> %s\n", rc ? "FAILED" : "ok");
	return rc ? EXIT_FAILED : EXIT_OK;
}

/* Each DMA API call: printed in the live trace, recorded in the timeline. */
static void api_event(void *cookie, const struct dmp_dma_trace_event *ev)
{
	const struct scenario_opts *o = cookie;
	if (o->trace)
		scenario_print_api_event(o->out, ev);
	if (o->timeline)
		timeline_api_event(o->timeline, ev);
}

static int run_platform(const struct plan *pl, const struct platform_scenario *s)
{
	const struct scenario_opts *o = &pl->o;
	struct dmp_sim_platform *p;
	struct dmp_of_error e;
	struct dmp_sim_platform_opts po = { .hostile = o->hostile, .seed = o->seed,
					    .trace = o->trace };
	fprintf(o->out, "\n== %s on %s: %s\n", s->name, pl->platform, s->summary);
	if (dmp_sim_platform_load(pl->platform, &po, &p, &e)) {
		print_error(pl->platform, &e); /* it loaded when checked: out of memory? */
		return EXIT_FAILED;
	}
	if (o->trace)
		dmp_sim_trace_set_hook(p->sim, scenario_print_event, o->out);
	if (o->timeline) {
		timeline_scenario_begin(o->timeline, s->name, s->summary);
		timeline_watch(o->timeline, p->sim);
	}
	if (o->trace || o->timeline)
		dmp_dma_trace_set(api_event, (void *)o);
	dmp_debug_set_mode(pl->checker);
	(void)dmp_debug_init(); /* attaches to the simulator; DMP_DEBUG was checked */
	dmp_debug_reset();
	int rc = s->run(o, p);
	dmp_sim_platform_destroy(p); /* the leak check runs as devices go away */
	dmp_dma_trace_set(NULL, NULL);
	unsigned long findings = print_findings(o->out);
	bool planted = s->expect_findings && pl->checker != DMP_DEBUG_OFF;
	bool caught = planted && findings_are(s->expect_findings);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	if (rc)
		fprintf(o->out, "  -> FAILED\n");
	else if (caught)
		fprintf(o->out, "  -> ok: the checker reported what the scenario shows\n");
	else if (planted)
		fprintf(o->out, "  -> FAILED: the checker did not report (only) what the scenario "
				"shows\n");
	else if (findings)
		fprintf(o->out, "  -> FAILED: the checker reported %lu finding(s)\n", findings);
	else
		fprintf(o->out, "  -> ok\n");
	int status = planted ? (rc || !caught ? EXIT_FAILED : EXIT_OK)
			     : (rc || findings ? EXIT_FAILED : EXIT_OK);
	if (o->timeline)
		timeline_scenario_end(o->timeline, status == EXIT_OK);
	return status;
}

/* --seed's value: all digits, no sign, in range, not 0. */
bool sim_parse_seed(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || end == s || v == 0)
		return false;
	*out = v;
	return true;
}

int sim_checker_env(enum dmp_debug_mode *out)
{
	const char *v = getenv("DMP_DEBUG");
	*out = DMP_DEBUG_FAIL;
	if (v && *v && dmp_debug_parse_mode(v, out)) {
		fprintf(stderr, "dmaport-sim: DMP_DEBUG=%s: not a checker mode (off, warn, fail or "
				"abort; on or 1 mean warn)\n", v);
		return -EINVAL;
	}
	/* DMP_DEBUG is good: what the library's reading refuses is the guard's */
	if (dmp_debug_init() == -EINVAL) {
		fprintf(stderr, "dmaport-sim: DMP_DEBUG_GUARD=%s: not a guard setting (0 or 1)\n",
			getenv("DMP_DEBUG_GUARD"));
		return -EINVAL;
	}
	return 0;
}

static int add_item(struct plan *pl, struct plan_item it)
{
	struct plan_item *n = realloc(pl->items, (pl->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	pl->items = n;
	pl->items[pl->n++] = it;
	return 0;
}

/* The scenarios @name stands for, appended to the plan; 0 if none. */
static int add_scenarios(struct plan *pl, const char *name)
{
	int found = 0;
	if (!strcmp(name, "talk")) {
		for (unsigned int i = 0; talk_group[i]; i++) {
			int e = add_scenarios(pl, talk_group[i]);
			if (e)
				return e;
		}
		return 0;
	}
	for (const struct platform_scenario *const *l = platform_lists(); *l; l++)
	for (const struct platform_scenario *s = *l; s->name; s++)
		if (!strcmp(name, s->name)) {
			if (!pl->platform) {
				fprintf(stderr, "dmaport-sim: %s needs a platform (.dts/.dtb), e.g. "
						"examples/platforms/soc-noncoherent.dts\n", s->name);
				return -EINVAL;
			}
			if (add_item(pl, (struct plan_item){ .on_platform = s }))
				return -ENOMEM;
			found++;
		}
	for (const struct scenario *const *l = all_lists(); *l; l++)
		for (const struct scenario *s = *l; s->name; s++) {
			bool group = !strcmp(name, "slides") && !strncmp(s->name, "slide-", 6);
			if (!group && strcmp(name, s->name))
				continue;
			if (pl->platform) {
				/* a slide builds the machine it is about */
				fprintf(stderr, "dmaport-sim: %s builds its own machine: run it "
						"without a platform\n", s->name);
				return -EINVAL;
			}
			if (add_item(pl, (struct plan_item){ .slide = s }))
				return -ENOMEM;
			found++;
		}
	if (!found) {
		fprintf(stderr, "dmaport-sim: no scenario '%s' (see `dmaport-sim list`)\n", name);
		return -EINVAL;
	}
	return 0;
}

/* Build the platform once: a broken tree is reported before anything runs,
 * and each platform scenario learns whether the machine has what it needs. */
static int check_platform(struct plan *pl)
{
	struct dmp_sim_platform *p;
	struct dmp_of_error e;
	if (dmp_sim_platform_load(pl->platform, NULL, &p, &e)) {
		print_error(pl->platform, &e);
		return -EINVAL;
	}
	for (size_t i = 0; i < pl->n; i++) {
		const struct platform_scenario *s = pl->items[i].on_platform;
		if (s && s->needs)
			pl->items[i].skip = s->needs(p);
	}
	dmp_sim_platform_destroy(p);
	return 0;
}

/* The SVG beside the JSON; both files writable (checked by opening them). */
static int timeline_paths(struct plan *pl)
{
	const char *j = pl->timeline_json;
	size_t n = strlen(j);
	int w = n > 5 && !strcmp(j + n - 5, ".json")
			? snprintf(pl->timeline_svg, sizeof(pl->timeline_svg), "%.*s.svg", (int)(n - 5), j)
			: snprintf(pl->timeline_svg, sizeof(pl->timeline_svg), "%s.svg", j);
	if (w < 0 || (size_t)w >= sizeof(pl->timeline_svg)) {
		fprintf(stderr, "dmaport-sim: --timeline %s: path too long\n", j);
		return -EINVAL;
	}
	const char *paths[] = { j, pl->timeline_svg };
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(paths[i], "a");
		if (!f) {
			fprintf(stderr, "dmaport-sim: --timeline: cannot write %s: %s\n", paths[i],
				strerror(errno));
			return -EINVAL;
		}
		fclose(f);
	}
	return 0;
}

/* Parse and check `run`'s arguments; 0, or an exit status. */
static int parse_run(int argc, char **argv, struct plan *pl)
{
	bool seen_trace = false, seen_seed = false, seen_hostile = false, opts_done = false;
	const char *names[argc + 1];
	int nr_names = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!opts_done && !strcmp(a, "--")) {
			opts_done = true;
		} else if (!opts_done && is_help(a)) {
			usage_run(stdout);
			return -1;
		} else if (!opts_done && (!strcmp(a, "--trace") || !strcmp(a, "--quiet"))) {
			if (seen_trace)
				return usage_error(usage_run, "%s: --trace and --quiet, once at most", a);
			seen_trace = true;
			pl->o.trace = !strcmp(a, "--trace");
		} else if (!opts_done && !strcmp(a, "--hostile")) {
			if (seen_hostile)
				return usage_error(usage_run, "%s given twice", a);
			seen_hostile = true;
			pl->o.hostile = true;
		} else if (!opts_done && (!strcmp(a, "--seed") || !strncmp(a, "--seed=", 7))) {
			const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
			if (seen_seed)
				return usage_error(usage_run, "%s given twice", "--seed");
			seen_seed = true;
			if (!sim_parse_seed(v, &pl->o.seed))
				return usage_error(usage_run,
						   "--seed %s: not an integer in 1..2^64-1 "
						   "(decimal or 0x-hex)", v ? v : "(missing)");
		} else if (!opts_done && (!strcmp(a, "--timeline") || !strncmp(a, "--timeline=", 11))) {
			const char *v = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : NULL);
			if (pl->timeline_json)
				return usage_error(usage_run, "%s given twice", "--timeline");
			if (!v || !*v || v[0] == '-')
				return usage_error(usage_run, "--timeline %s: which file?",
						   v ? v : "(missing)");
			pl->timeline_json = v;
		} else if (!opts_done && a[0] == '-' && a[1]) {
			return usage_error(usage_run, "unknown option '%s'", a);
		} else if (nr_names == 0 && !pl->platform && is_platform(a)) {
			pl->platform = a;
		} else {
			names[nr_names++] = a;
		}
	}
	if (seen_seed && !pl->o.hostile)
		return usage_error(usage_run, "%s", "--seed only matters with --hostile");
	if (!nr_names)
		return usage_error(usage_run, "%s", "run: which scenario? (see `dmaport-sim list`)");
	for (int k = 0; k < nr_names; k++) {
		int e = add_scenarios(pl, names[k]);
		if (e)
			return e == -ENOMEM ? EXIT_FAILED : EXIT_USAGE;
	}
	if (sim_checker_env(&pl->checker))
		return EXIT_USAGE;
	if (pl->timeline_json && timeline_paths(pl))
		return EXIT_USAGE;
	if (pl->platform && check_platform(pl))
		return EXIT_USAGE;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct plan pl = { .o = { .trace = true, .out = stdout } };
	int rc = parse_run(argc, argv, &pl);
	if (rc) {
		free(pl.items);
		return rc < 0 ? EXIT_OK : rc;
	}
	int failed = 0, skipped = 0;
	if (pl.timeline_json) {
		pl.o.timeline = timeline_new();
		if (!pl.o.timeline) {
			free(pl.items);
			return EXIT_FAILED;
		}
		dmp_set_log_hook(timeline_log_line, pl.o.timeline);
	}
	for (size_t i = 0; i < pl.n; i++) {
		const struct plan_item *it = &pl.items[i];
		if (it->skip) {
			fprintf(pl.o.out, "\n== %s on %s: %s\n  -> skipped: %s\n", it->on_platform->name,
				pl.platform, it->on_platform->summary, it->skip);
			skipped++;
		} else if (it->slide) {
			failed += run_slide(it->slide, &pl.o) != EXIT_OK;
		} else {
			failed += run_platform(&pl, it->on_platform) != EXIT_OK;
		}
	}
	if (pl.o.timeline) {
		dmp_set_log_hook(NULL, NULL);
		int e = timeline_finish(pl.o.timeline, pl.timeline_json, pl.timeline_svg);
		if (e) {
			fprintf(stderr, "dmaport-sim: timeline: %s\n", strerror(-e));
			failed++;
		} else {
			printf("\ntimeline: %s (trace-event JSON: ui.perfetto.dev, chrome://tracing)"
			       " and %s\n", pl.timeline_json, pl.timeline_svg);
		}
	}
	printf("\n%zu scenario(s): %zu ok, %d failed, %d skipped\n", pl.n,
	       pl.n - (size_t)failed - (size_t)skipped, failed, skipped);
	free(pl.items);
	if (failed)
		return EXIT_FAILED;
	/* nothing was shown: a script must not take that for a pass */
	return (size_t)skipped == pl.n ? EXIT_ALL_SKIPPED : EXIT_OK;
}

static int cmd_list(int argc, char **argv)
{
	if (argc == 1 && is_help(argv[0])) {
		usage_list(stdout);
		return EXIT_OK;
	}
	if (argc)
		return usage_error(usage_list, "list takes no arguments ('%s')", argv[0]);
	for (const struct scenario *const *l = all_lists(); *l; l++)
		for (const struct scenario *s = *l; s->name; s++)
			printf("%-16s %s\n", s->name, s->summary);
	for (const struct platform_scenario *const *l = platform_lists(); *l; l++)
		for (const struct platform_scenario *s = *l; s->name; s++)
			printf("%-16s [platform] %s\n", s->name, s->summary);
	return EXIT_OK;
}

static int cmd_dump(int argc, char **argv)
{
	if (argc == 1 && is_help(argv[0])) {
		usage_dump(stdout);
		return EXIT_OK;
	}
	if (argc != 1)
		return usage_error(usage_dump, "%s", "dump takes one PLATFORM.dts|.dtb");
	if (argv[0][0] == '-')
		return usage_error(usage_dump, "dump: unknown option '%s'", argv[0]);
	return dump(argv[0]);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		if (argc == 3 && !strcmp(argv[2], "run"))
			usage_run(stdout);
		else if (argc == 3 && !strcmp(argv[2], "dump"))
			usage_dump(stdout);
		else if (argc == 3 && !strcmp(argv[2], "list"))
			usage_list(stdout);
		else if (argc == 3 && !strcmp(argv[2], "drive"))
			usage_drive(stdout);
		else
			usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 2, argv + 2);
	if (!strcmp(argv[1], "dump"))
		return cmd_dump(argc - 2, argv + 2);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "drive")) {
		if (argc == 3 && is_help(argv[2])) {
			usage_drive(stdout);
			return EXIT_OK;
		}
		return cmd_drive(argc - 2, argv + 2);
	}
	return usage_error(usage, "unknown command '%s'", argv[1]);
}
