/* SPDX-License-Identifier: MIT */
/*
 * drive.c - `dmaport-sim drive`: load Linux drivers (compiled against
 * compat/linux/) on the machine a device tree describes, as insmod does,
 * let the machine run, unload them as rmmod does, and report what the
 * checker saw.  The drivers are the ones built into dmaport-sim (the
 * examples under examples/drivers/) or shared objects built from a
 * driver's source (dlopen: their module_init is found when they load).
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/debug.h>
#include <dmaport/linux.h>

#include "cli.h"
#include "drive.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

#define MAX_PARAMS 32
#define MAX_MODULES 32

void usage_drive(FILE *f)
{
	fprintf(f,
		"usage: dmaport-sim drive [OPTIONS] PLATFORM.dts|.dtb DRIVER...\n"
		"Builds the machine the tree describes, loads each DRIVER as insmod would\n"
		"(its module_init: a driver registers and binds to the devices the tree\n"
		"describes), lets the machine run, then unloads them in reverse order as\n"
		"rmmod would (remove, then the devres) and destroys the machine.  The\n"
		"checker is on throughout and reports what drivers did wrong or left\n"
		"behind.  DRIVER is a module built into dmaport-sim (`dmaport-sim drive\n"
		"--list`) or a shared object (FILE.so) built from a driver's source with\n"
		"-I compat -fPIC -shared.\n"
		"Each DRIVER at most once.\n"
		"Options (before PLATFORM; each at most once but --param):\n"
		"  --param MOD.NAME=VALUE  set a module parameter before loading (repeatable)\n"
		"  --run-ms N   simulated milliseconds the machine runs between load and\n"
		"               unload, 0..3600000 (default 1000; it stops earlier when\n"
		"               all is idle)\n"
		"  --hostile    hostile caches; --seed N their seed, with --hostile only:\n"
		"               an integer 1..18446744073709551615, decimal or 0x-hex\n"
		"  --list       list the built-in drivers (alone)\n"
		"Environment: DMP_DEBUG=off|warn|fail|abort (on or 1: warn) sets the\n"
		"checker's mode (default fail); DMP_DEBUG_GUARD=0 turns its guard mode\n"
		"off; DMP_DEBUG_DEVICES=name,... checks only those devices.\n"
		"Exit status: 0 every driver loaded, the checker found nothing and\n"
		"nothing was left behind at unload, 1 a driver failed to load, the\n"
		"checker reported something or drivers left an irq, a device, a misc\n"
		"device, MSI, a PCI region or a kthread behind, 2 a usage\n"
		"error, a platform that cannot be built or an environment variable not\n"
		"understood (nothing ran).\n");
}

static int usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "dmaport-sim drive: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\n(see `dmaport-sim drive --help`)\n");
	return EXIT_USAGE;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && !strcmp(s + n - m, suffix);
}

static unsigned long report_findings(void)
{
	unsigned long total = dmp_debug_total();
	if (dmp_debug_get_mode() == DMP_DEBUG_OFF) {
		printf("checker: off\n");
		return 0;
	}
	printf("checker (%s): %lu finding(s)\n", dmp_debug_mode_name(dmp_debug_get_mode()), total);
	struct dmp_debug_report r;
	for (size_t i = 0; i < dmp_debug_nr_reports(); i++)
		if (dmp_debug_get_report(i, &r) == 0)
			printf("  %s\n", r.text);
	return total;
}

/* The modules a shared object adds: those registered while it loads. */
static int load_object(const char *path, struct module **mods, unsigned int *n)
{
	struct module *last = NULL;
	for (struct module *m = dmp_lx_module_next(NULL); m; m = dmp_lx_module_next(m))
		last = m;
	if (!dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
		fprintf(stderr, "dmaport-sim drive: %s: %s\n", path, dlerror());
		return -1;
	}
	unsigned int before = *n;
	for (struct module *m = last ? dmp_lx_module_next(last) : dmp_lx_module_next(NULL); m;
	     m = dmp_lx_module_next(m))
		if (*n < MAX_MODULES)
			mods[(*n)++] = m;
	if (*n == before) {
		fprintf(stderr, "dmaport-sim drive: %s has no module_init/module_exit\n", path);
		return -1;
	}
	return 0;
}

int cmd_drive(int argc, char **argv)
{
	const char *params[MAX_PARAMS];
	unsigned int nparams = 0;
	unsigned long long run_ms = 1000;
	uint64_t seed = 0;
	bool hostile = false, seeded = false, timed = false;
	enum dmp_debug_mode mode;
	int i = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--list")) {
			if (argc != 1)
				return usage_err("%s takes nothing else", a);
			for (struct module *m = dmp_lx_module_next(NULL); m; m = dmp_lx_module_next(m))
				printf("%s\n", dmp_lx_module_name(m));
			return EXIT_OK;
		}
		if (!strcmp(a, "--hostile")) {
			if (hostile)
				return usage_err("%s given twice", a);
			hostile = true;
			continue;
		}
		if (i + 1 == argc)
			return usage_err("%s: which value?", a);
		const char *v = argv[++i];
		char *end;
		if (!strcmp(a, "--param")) {
			if (!strchr(v, '=') || nparams == MAX_PARAMS)
				return usage_err("--param %s: MOD.NAME=VALUE", v);
			params[nparams++] = v;
		} else if (!strcmp(a, "--run-ms")) {
			if (timed)
				return usage_err("%s given twice", a);
			timed = true;
			run_ms = strtoull(v, &end, 0);
			if (*end || !*v || *v == '-' || run_ms > 3600000)
				return usage_err("--run-ms %s: milliseconds, 0..3600000", v);
		} else if (!strcmp(a, "--seed")) {
			if (seeded)
				return usage_err("%s given twice", a);
			seeded = true;
			if (!sim_parse_seed(v, &seed))
				return usage_err("--seed %s: an integer in 1..2^64-1 (decimal or 0x-hex)",
						 v);
		} else {
			return usage_err("unknown option '%s'", a);
		}
	}
	if (seeded && !hostile)
		return usage_err("%s", "--seed only matters with --hostile");
	if (argc - i < 2)
		return usage_err("%s", "a PLATFORM and at least one DRIVER, please");
	const char *platform = argv[i++];
	if (!ends_with(platform, ".dts") && !ends_with(platform, ".dtb"))
		return usage_err("%s: a platform is a .dts or .dtb file", platform);

	/* every driver known before anything runs */
	struct module *mods[MAX_MODULES];
	unsigned int nmods = 0;
	for (; i < argc; i++) {
		if (ends_with(argv[i], ".so")) {
			if (load_object(argv[i], mods, &nmods))
				return EXIT_USAGE;
			continue;
		}
		struct module *m = dmp_lx_module_find(argv[i]);
		if (!m)
			return usage_err("no driver '%s' (see `dmaport-sim drive --list`)", argv[i]);
		for (unsigned int k = 0; k < nmods; k++)
			if (mods[k] == m) /* insmod of a loaded module fails */
				return usage_err("%s given twice", argv[i]);
		if (nmods < MAX_MODULES)
			mods[nmods++] = m;
	}
	for (unsigned int k = 0; k < nparams; k++) {
		char name[128];
		const char *eq = strchr(params[k], '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - params[k]), params[k]);
		int e = dmp_lx_param_set(name, eq + 1);
		if (e)
			return usage_err(e == -ENOENT ? "--param %s: no such parameter"
						      : "--param %s: not a value of its type",
					 params[k]);
	}

	if (sim_checker_env(&mode))
		return EXIT_USAGE;

	struct dmp_lx_machine_opts mo = { .platform = { .hostile = hostile, .seed = seed } };
	struct dmp_of_error err;
	int e = dmp_lx_machine_load(platform, &mo, &err);
	if (e) {
		char msg[512];
		dmp_of_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "dmaport-sim drive: %s: %s\n", platform, msg);
		return EXIT_USAGE; /* as run: nothing ran */
	}
	dmp_debug_set_mode(mode);
	(void)dmp_debug_init(); /* attaches to the machine; the environment was checked */
	dmp_debug_reset();

	int failed = 0;
	for (unsigned int k = 0; k < nmods; k++) {
		e = dmp_lx_module_load(mods[k]);
		printf("insmod %s: %s", dmp_lx_module_name(mods[k]), e ? "failed" : "ok");
		if (e)
			printf(" (%d)", e);
		printf("\n");
		failed |= e != 0;
	}
	uint64_t ran = dmp_lx_run_until_idle(run_ms * 1000000ull);
	printf("devices after %llu us of simulated time:\n", (unsigned long long)(ran / 1000));
	dmp_lx_machine_dump(stdout);
	for (unsigned int k = nmods; k-- > 0;)
		if (dmp_lx_module_unload(mods[k]) == 0)
			printf("rmmod %s\n", dmp_lx_module_name(mods[k]));
	dmp_lx_machine_unload(); /* the leak check runs as devices go away */
	unsigned long findings = report_findings();
	unsigned int leftovers = dmp_lx_machine_leftovers();
	printf("left behind at unload: %u (each a BUG line above)\n", leftovers);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	printf("%s\n", failed ? "FAILED: a driver did not load"
		       : findings ? "FAILED: the checker reported something"
		       : leftovers ? "FAILED: drivers left irqs, devices or regions behind" : "ok");
	return failed || findings || leftovers ? EXIT_FAILED : EXIT_OK;
}
