/* test-dmaport-sim.c - the dmaport-sim command as a user runs it: list,
 * dump, run on device-tree platforms (with the checker's report and its
 * effect on the exit status), --trace and --quiet, and its errors (a
 * malformed tree named by node and property, an unknown scenario, a slide
 * given a platform).  DMP_SIM_TOOL is the binary of this build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "support/run-tool.h"

#ifndef DMP_SIM_TOOL
#error "DMP_SIM_TOOL: the Makefile passes the path of dmaport-sim"
#endif

struct result {
	int status;     /* exit status, or -1 if it did not exit */
	char *out;      /* stdout and stderr */
};

/* dmaport-sim @args, with @env ("NAME=VALUE ..." or "") in its environment */
static struct result run_env(const char *env, const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s %s %s 2>&1", env, DMP_SIM_TOOL, args);
	struct result r;
	r.status = tool_run(cmd, &r.out);
	return r;
}

static struct result run(const char *args)
{
	return run_env("", args);
}

static void expect_has(const struct result *r, const char *s)
{
	if (!strstr(r->out, s))
		fail_msg("output lacks \"%s\":\n%s", s, r->out);
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

#define SOC "examples/platforms/soc-noncoherent.dts"

static void test_list_and_help(void **state)
{
	(void)state;
	struct result r = run("list");
	assert_int_equal(r.status, 0);
	expect_has(&r, "slide-1");
	expect_has(&r, "buggy-ring       [platform]");
	free(r.out);
	r = run("--help");
	assert_int_equal(r.status, 0);
	expect_has(&r, "dmaport-sim dump PLATFORM");
	free(r.out);
}

static void test_dump(void **state)
{
	(void)state;
	struct result r = run("dump " SOC);
	assert_int_equal(r.status, 0);
	expect_has(&r, "-> CMA area");
	expect_has(&r, "declared coherent memory 0x9f000000 (bus 0x9f000000)");
	expect_has(&r, "IOMMU stream 16");
	expect_has(&r, "atomic   pool");
	free(r.out);
}

static void test_run_clean(void **state)
{
	(void)state;
	struct result r = run("run --quiet " SOC " ring iommu-fault swiotlb");
	assert_int_equal(r.status, 0);
	expect_has(&r, "3 scenario(s): 3 ok, 0 failed");
	assert_int_equal(count_of(r.out, "checker (fail): 0 finding(s)"), 3);
	assert_int_equal(count_of(r.out, "      | #"), 0); /* --quiet: no events */
	free(r.out);
	/* hostile caches with a seed: the same drivers still get every byte */
	r = run("run --quiet --hostile --seed 7 " SOC " ring swiotlb");
	assert_int_equal(r.status, 0);
	expect_has(&r, "2 ok, 0 failed");
	free(r.out);
}

static void test_trace(void **state)
{
	(void)state;
	struct result r = run("run --trace " SOC " ring");
	assert_int_equal(r.status, 0);
	/* the ring's cache maintenance and doorbells are in the trace */
	assert_true(count_of(r.out, "      | #") > 20);
	expect_has(&r, "clean");
	expect_has(&r, "mmio-write");
	free(r.out);
}

static void test_checker_fails_the_run(void **state)
{
	(void)state;
	struct result r = run("run --quiet " SOC " buggy-ring");
	assert_int_equal(r.status, 1);
	expect_has(&r, "the CPU read 0x00 before the unmap, 0x5a after it");
	/* bug 2, the early read, is guard mode's (on with the checker here) */
	expect_has(&r, "checker (fail): 4 finding(s): error-unchecked 2, leak 1, "
		       "cpu-read-device-owned 1");
	expect_has(&r, "DMA-API: device driver failed to check map error");
	expect_has(&r, "DMA-API: CPU read a buffer the device owned");
	expect_has(&r, "at tools/scenarios/platform.c:");
	expect_has(&r, "-> FAILED: the checker reported 4 finding(s)");
	free(r.out);
	/* DMP_DEBUG=off turns the checker off: the scenario itself is right */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "DMP_DEBUG=off %s run --quiet " SOC " buggy-ring >/dev/null 2>&1",
		 DMP_SIM_TOOL);
	int st = system(cmd);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_errors(void **state)
{
	(void)state;
	struct result r = run("dump tests/of/err-rmem-overlap.dts");
	assert_int_equal(r.status, 1);
	expect_has(&r, "/reserved-memory/second@90800000: reg: overlaps");
	free(r.out);
	r = run("run " SOC " no-such-scenario");
	assert_int_equal(r.status, 2);
	expect_has(&r, "no scenario 'no-such-scenario'");
	free(r.out);
	r = run("run " SOC " slide-3");
	assert_int_equal(r.status, 2);
	expect_has(&r, "builds its own machine");
	free(r.out);
	r = run("run ring");
	assert_int_equal(r.status, 2);
	expect_has(&r, "needs a platform");
	free(r.out);
}

/* Every option validated, every command's --help, and nothing runs before
 * the whole command line has been checked. */
static void test_command_line(void **state)
{
	(void)state;
	static const struct {
		const char *args;
		int status;
		const char *says;
	} cases[] = {
		{ "dump --help", 0, "usage: dmaport-sim dump PLATFORM" },
		{ "run --help", 0, "--seed N" },
		{ "help run", 0, "--hostile" },
		{ "list --help", 0, "usage: dmaport-sim list" },
		{ "run --seed abc --hostile slides", 2, "--seed abc: not an integer" },
		{ "run --seed 0 --hostile slides", 2, "--seed 0: not an integer" },
		{ "run --seed -5 --hostile slides", 2, "--seed -5: not an integer" },
		{ "run --seed 99999999999999999999 --hostile slides", 2, "not an integer" },
		{ "run --seed 7x --hostile slides", 2, "--seed 7x" },
		{ "run --hostile slides --seed", 2, "--seed (missing)" },
		{ "run --seed 7 slides", 2, "--seed only matters with --hostile" },
		{ "run --hostile --hostile slides", 2, "--hostile given twice" },
		{ "run --quiet --trace slides", 2, "once at most" },
		{ "run --frobnicate slides", 2, "unknown option '--frobnicate'" },
		{ "run", 2, "which scenario?" },
		{ "list extra", 2, "list takes no arguments" },
		{ "dump", 2, "dump takes one PLATFORM" },
		{ "dump a.dts b.dts", 2, "dump takes one PLATFORM" },
		{ "dump --frob", 2, "unknown option" },
		{ "frob", 2, "unknown command 'frob'" },
		/* a bad later argument: reported before the earlier ones run */
		{ "run slide-1 slide-2 no-such", 2, "no scenario 'no-such'" },
		{ "run " SOC " ring nope", 2, "no scenario 'nope'" },
		{ "run tests/of/err-rmem-overlap.dts ring", 2, "reg: overlaps" },
		{ "run " SOC " ring slide-1", 2, "builds its own machine" },
		{ "run --hostile --seed=0x2a slides", 0, "7 ok, 0 failed" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result r = run(cases[i].args);
		if (r.status != cases[i].status)
			fail_msg("dmaport-sim %s: exit %d, not %d:\n%s", cases[i].args, r.status,
				 cases[i].status, r.out);
		expect_has(&r, cases[i].says);
		if (cases[i].status == 2)
			assert_null(strstr(r.out, "\n== ")); /* nothing ran */
		free(r.out);
	}
	/* DMP_DEBUG is checked before anything runs too */
	struct result r = run_env("DMP_DEBUG=loud", "run --quiet " SOC " ring");
	assert_int_equal(r.status, 2);
	expect_has(&r, "DMP_DEBUG=loud: not a checker mode");
	assert_null(strstr(r.out, "\n== "));
	free(r.out);
	/* the library's names, aliases included: "on" is warn, as for any program */
	r = run_env("DMP_DEBUG=on", "run --quiet " SOC " ring");
	assert_int_equal(r.status, 0);
	expect_has(&r, "checker (warn): 0 finding(s)");
	free(r.out);
	/* and the guard's variable, which the library would only log */
	r = run_env("DMP_DEBUG_GUARD=maybe", "run --quiet " SOC " ring");
	assert_int_equal(r.status, 2);
	expect_has(&r, "DMP_DEBUG_GUARD=maybe: not a guard setting");
	assert_null(strstr(r.out, "\n== "));
	free(r.out);
}

/* A scenario the platform cannot run is skipped with its reason, not failed. */
static void test_skipped(void **state)
{
	(void)state;
	struct result r = run("run --quiet examples/platforms/server-coherent.dts ring iommu-fault "
			      "buggy-ring");
	assert_int_equal(r.status, 0);
	expect_has(&r, "-> skipped: the platform has no copy engine behind an IOMMU");
	expect_has(&r, "-> skipped: its copy engine is dma-coherent");
	expect_has(&r, "3 scenario(s): 1 ok, 0 failed, 2 skipped");
	assert_null(strstr(r.out, "FAILED"));
	free(r.out);
	/* every one skipped: nothing ran, and the status says so */
	r = run("run --quiet examples/platforms/server-coherent.dts iommu-fault buggy-ring");
	assert_int_equal(r.status, 3);
	expect_has(&r, "2 scenario(s): 0 ok, 0 failed, 2 skipped");
	free(r.out);
	r = run("run --help");
	expect_has(&r, "3 every scenario was skipped");
	free(r.out);
}

/* Hostile caches: a slide's stale outcome may turn out right, never a failure;
 * what must be right (after the clean, the barrier, the invalidate) still is. */
static void test_hostile_slides(void **state)
{
	(void)state;
	int written_back = 0;
	for (int seed = 1; seed <= 12; seed++) {
		char args[128];
		snprintf(args, sizeof(args), "run --quiet --hostile --seed %d slides", seed);
		struct result r = run(args);
		if (r.status != 0)
			fail_msg("seed %d:\n%s", seed, r.out);
		expect_has(&r, "7 scenario(s): 7 ok, 0 failed");
		written_back += strstr(r.out, "hostile cache wrote it back") != NULL;
		free(r.out);
	}
	/* the hostile cache did act: some seed turned a slide's stale read right */
	assert_true(written_back > 0);
}

/* The talk after the slides: the DMA API with ownership, the IOMMU, the
 * checker; each step visible in the trace. */
static void test_talk(void **state)
{
	(void)state;
	struct result r = run("run " SOC " talk");
	assert_int_equal(r.status, 0);
	expect_has(&r, "7 scenario(s): 7 ok, 0 failed, 0 skipped");
	/* ownership, as the checker tracks it, at each step */
	expect_has(&r, "owner of src: the DEVICE");
	expect_has(&r, "owner of dst: the CPU");
	expect_has(&r, "owner of dst: nobody (not mapped)");
	/* the DMA API calls in the trace, with what they cause */
	expect_has(&r, "DMA API  dma@9110000 map TO_DEVICE bus 0x");
	expect_has(&r, "sync_for_cpu FROM_DEVICE");
	expect_has(&r, "map_sg TO_DEVICE: 3 entries -> 1 DMA segment(s)");
	/* the IOMMU: a walk, then an IOTLB hit; faults; invalidations */
	expect_has(&r, "iommu-walk  iommu@9050000: IOTLB miss, tables walked: IOVA 0x");
	expect_has(&r, "iotlb-hit   iommu@9050000: IOVA 0x");
	expect_has(&r, "iommu-fault IOVA 0x");
	expect_has(&r, "iotlb-inval");
	expect_has(&r, "it still gets \"still reachable\" - the lazy window");
	expect_has(&r, "translation fault: the window is closed");
	/* the checker: the planted bug named, with the map's call site */
	expect_has(&r, "checker (fail): 1 finding(s): cpu-wrote-device-owned 1");
	expect_has(&r, "(device owns it since tools/scenarios/talk.c:");
	assert_int_equal(count_of(r.out, "-> ok: the checker reported what the scenario shows"), 2);
	free(r.out);
	/* hostile caches: the same drivers, still right */
	r = run("run --quiet --hostile --seed 5 " SOC " talk");
	assert_int_equal(r.status, 0);
	expect_has(&r, "7 ok, 0 failed");
	free(r.out);
	/* a platform without an IOMMU or non-coherent device: skipped, with why */
	r = run("run --quiet examples/platforms/server-coherent.dts talk");
	assert_int_equal(r.status, 0);
	expect_has(&r, "-> skipped: the platform has no copy engine behind an IOMMU");
	free(r.out);
}

/*
 * A copy engine whose port is narrower than any mask the DMA layer accepts
 * (tests/of/cells1.dts: a 30-bit port, the lowest DMA zone 32-bit, as
 * Linux's dma_direct_supported() judges it): its driver's mask is refused,
 * so it does not probe, and no scenario hands it bus addresses beyond its
 * port (before, the device kept the default 32-bit mask and faulted on
 * 0x40002000).  A device with memory only above 4 GiB (high-memory.dts)
 * runs the talk without DMA32 buffers.
 */
static void test_narrow_port(void **state)
{
	(void)state;
	struct result r = run("run tests/of/cells1.dts talk ring buggy-ring");
	assert_null(strstr(r.out, "FAILED"));
	assert_null(strstr(r.out, "dma-fault"));
	assert_null(strstr(r.out, "faulted"));
	expect_has(&r, "-> skipped: the DMA layer refuses a DMA mask as narrow as the copy "
		       "engine's port");
	expect_has(&r, "9 scenario(s): 0 ok, 0 failed, 9 skipped");
	assert_int_equal(r.status, 3);
	free(r.out);
	r = run("run --quiet tests/of/high-memory.dts talk");
	assert_int_equal(r.status, 0);
	expect_has(&r, "7 scenario(s): 2 ok, 0 failed, 5 skipped");
	free(r.out);
}

/* --timeline: JSON that parses with the expected events, an SVG that renders. */
static void test_timeline(void **state)
{
	(void)state;
	char dir[] = "/tmp/dmp-timeline-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char args[512], cmd[1024];
	snprintf(args, sizeof(args), "run --quiet --timeline %s/t.json " SOC " talk", dir);
	struct result r = run(args);
	assert_int_equal(r.status, 0);
	expect_has(&r, "timeline: ");
	free(r.out);
	/* ownership spans, the DMA API calls, cache operations, device accesses,
	 * IOMMU walks, hits and faults, and the checker's finding */
	snprintf(cmd, sizeof(cmd),
		 "python3 tests/check-timeline.py %s/t.json device-owns cpu-owns shared dma-api "
		 "cache barrier dev-read dev-write iommu-walk iotlb-hit iommu-fault finding "
		 "scenario > %s/check.log 2>&1", dir, dir);
	int st = system(cmd);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(cmd, sizeof(cmd), "cat %s/check.log", dir);
		(void)system(cmd);
		fail_msg("the timeline's JSON check failed");
	}
	snprintf(cmd, sizeof(cmd), "rsvg-convert -o %s/t.png %s/t.svg", dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/t.png", dir);
	FILE *f = fopen(cmd, "rb");
	assert_non_null(f);
	unsigned char png[24];
	assert_int_equal(fread(png, 1, sizeof(png), f), sizeof(png));
	fclose(f);
	assert_memory_equal(png, "\x89PNG", 4);
	uint32_t w = (uint32_t)png[16] << 24 | png[17] << 16 | png[18] << 8 | png[19];
	uint32_t h = (uint32_t)png[20] << 24 | png[21] << 16 | png[22] << 8 | png[23];
	assert_true(w > 400 && h > 100);
	/* slides record too (they build their own machines); a bad path is refused first */
	snprintf(args, sizeof(args), "run --quiet --timeline=%s/s %s", dir, "slide-3");
	r = run(args);
	assert_int_equal(r.status, 0);
	free(r.out);
	snprintf(cmd, sizeof(cmd), "python3 tests/check-timeline.py %s/s cache dev-read "
		 "> /dev/null", dir);
	assert_int_equal(system(cmd), 0);
	r = run("run --timeline /nonexistent-dir/t.json slides");
	assert_int_equal(r.status, 2);
	expect_has(&r, "cannot write /nonexistent-dir/t.json");
	free(r.out);
	r = run("run --timeline slides");
	assert_int_equal(r.status, 2);
	free(r.out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_slides(void **state)
{
	(void)state;
	struct result r = run("run --quiet slides");
	assert_int_equal(r.status, 0);
	expect_has(&r, "7 scenario(s): 7 ok, 0 failed");
	free(r.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_and_help),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_run_clean),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_checker_fails_the_run),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_slides),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_talk),
		cmocka_unit_test(test_narrow_port),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_hostile_slides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
