/* test-dmaport-sim.c - the dmaport-sim command as a user runs it: list,
 * dump, run on device-tree platforms (with the checker's report and its
 * effect on the exit status), --trace and --quiet, and its errors (a
 * malformed tree named by node and property, an unknown scenario, a slide
 * given a platform).  DMP_SIM_TOOL is the binary of this build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "support/sim-fixture.h"

#ifndef DMP_SIM_TOOL
#error "DMP_SIM_TOOL: the Makefile passes the path of dmaport-sim"
#endif

struct result {
	int status;     /* exit status, or -1 if it did not exit */
	char *out;      /* stdout and stderr */
};

static struct result run(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", DMP_SIM_TOOL, args);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[len] = 0;
	int st = pclose(f);
	struct result r = { WIFEXITED(st) ? WEXITSTATUS(st) : -1, buf };
	return r;
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
	expect_has(&r, "checker (fail): 3 finding(s): error-unchecked 2, leak 1");
	expect_has(&r, "DMA-API: device driver failed to check map error");
	expect_has(&r, "-> FAILED: the checker reported 3 finding(s)");
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
