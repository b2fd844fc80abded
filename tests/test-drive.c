/* test-drive.c - `dmaport-sim drive` as a user runs it: Linux drivers built
 * into dmaport-sim and drivers built as shared objects bind to a
 * device-tree machine, probe, move data, unbind, and the exit status says
 * whether the checker found anything; a deliberately leaky driver is
 * reported with its source line; bad command lines are refused before
 * anything runs.  DMP_SIM_TOOL and DMP_DRIVERS are this build's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/run-tool.h"

#if !defined(DMP_SIM_TOOL) || !defined(DMP_DRIVERS)
#error "DMP_SIM_TOOL, DMP_DRIVERS: the Makefile passes dmaport-sim's path and the drivers'"
#endif

struct result {
	int status;
	char *out;
};

static struct result drive(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s drive %s 2>&1", DMP_SIM_TOOL, args);
	struct result r;
	r.status = tool_run(cmd, &r.out);
	return r;
}

static void expect(const struct result *r, const char *s)
{
	if (!strstr(r->out, s))
		fail_msg("output lacks \"%s\":\n%s", s, r->out);
}

static void test_builtin_drivers(void **state)
{
	(void)state;
	struct result r = drive("examples/platforms/soc-pci.dts ce_platform pci-epf-host");
	if (r.status)
		fail_msg("exit %d:\n%s", r.status, r.out);
	expect(&r, "insmod ce_platform: ok");
	expect(&r, "insmod pci_epf_host: ok");
	expect(&r, "9100000.dma      bound to dmaport-copy-engine");
	expect(&r, "9110000.dma      bound to dmaport-copy-engine");
	expect(&r, "0000:00:01.0     bound to pci-epf-host");
	expect(&r, "self-test of 3000 bytes passed");
	expect(&r, "3 transfers of 8192 bytes passed");
	expect(&r, "rmmod pci_epf_host");
	expect(&r, "checker (fail): 0 finding(s)");
	expect(&r, "left behind at unload: 0");
	free(r.out);
}

static void test_shared_object_and_params(void **state)
{
	(void)state;
	struct result r = drive("--param ce_platform.selftest_len=64 --run-ms 5 "
				"examples/platforms/soc-noncoherent.dts " DMP_DRIVERS "/ce-platform.so");
	if (r.status)
		fail_msg("exit %d:\n%s", r.status, r.out);
	expect(&r, "self-test of 64 bytes passed");
	expect(&r, "bound to dmaport-copy-engine");
	free(r.out);
}

static void test_leak_reported(void **state)
{
	(void)state;
	struct result r = drive("examples/platforms/soc-noncoherent.dts " DMP_DRIVERS "/test-leaky.so");
	assert_int_equal(r.status, 1);
	expect(&r, "bound to leaky");
	expect(&r, "FAILED: the checker reported something");
	expect(&r, "tests/drivers/leaky.c:");
	expect(&r, "still requested when the machine goes away");
	expect(&r, "left behind at unload: 2");
	free(r.out);
}

/* A driver of Linux 3.14's API (tests/drivers/talk-era.c) on its machine:
 * struct dma_attrs, writecombine, declared memory with flags, the default
 * CMA area of bootargs' size, ARM's IOMMU mapping, int remove(). */
static void test_talk_era_driver(void **state)
{
	(void)state;
	struct result r = drive("tests/drivers/talk-era.dts " DMP_DRIVERS "/test-talk-era.so");
	if (r.status)
		fail_msg("exit %d:\n%s", r.status, r.out);
	static const char *const steps[] = {
		"Reserved 8 MiB",
		"talk-era: arm_iommu_attach_device ok",
		"talk-era: the ring allocated through the mapping ok",
		"talk-era: bus addresses inside the mapping's window ok",
		"talk-era: coherent and writecombine through the mapping ok",
		"talk-era: dma_declare_coherent_memory returns DMA_MEMORY_MAP ok",
		"talk-era: dma_mark_declared_memory_occupied ok",
		"talk-era: non-exclusive region full: normal memory ok",
		"talk-era: dma_alloc_attrs(struct dma_attrs *) from the region ok",
		"talk-era: exclusive region full: the allocation fails ok",
		"talk-era: dma_declare_coherent_memory without MAP or IO fails ok",
		"talk-era: dma_contiguous_reserve made the default area ok",
		"9100000.dma: talk-era: probed (ARM IOMMU mapping)",
		"9110000.dma: talk-era: probed (declared memory)",
		"9100000.dma: talk-era: removed",
		"9110000.dma: talk-era: removed",
		"checker (fail): 0 finding(s)",
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		expect(&r, steps[i]);
	if (strstr(r.out, "failed"))
		fail_msg("a step failed:\n%s", r.out);
	free(r.out);
}

/* A module in the shape of Linux's mm/dmapool_test.c (tests/drivers/
 * pool-test.c): pools of every shape on a bare registered device, then a
 * platform driver moving data between pool blocks through both engines. */
static void test_pool_test_module(void **state)
{
	(void)state;
	struct result r = drive("--param pool_test.copies=24 examples/platforms/soc-noncoherent.dts "
				DMP_DRIVERS "/test-pool-test.so");
	if (r.status)
		fail_msg("exit %d:\n%s", r.status, r.out);
	expect(&r, "pool-test: size:16   align:16   boundary:0    blocks:512  ok");
	expect(&r, "pool-test: size:68   align:32   boundary:4096 blocks:480  ok");
	expect(&r, "pool-test: size:3000 align:4    boundary:0    blocks:32   ok");
	expect(&r, "9100000.dma: pool-test: 24 copies between pool blocks passed");
	expect(&r, "9110000.dma: pool-test: 24 copies between pool blocks passed");
	expect(&r, "insmod pool_test: ok");
	expect(&r, "9110000.dma      bound to pool-test");
	expect(&r, "rmmod pool_test");
	expect(&r, "checker (fail): 0 finding(s)");
	free(r.out);
}

/* FPGA manager drivers (tests/drivers/zynq-pcap.c, built for today's API and
 * for Linux 5.10's) on the Zynq-like machine: the tree's fpga-region is
 * programmed with the image request_firmware() finds through
 * DMP_FIRMWARE_PATH; unloading leaves nothing. */
static void test_fpga_manager_drivers(void **state)
{
	(void)state;
	char dir[] = "/tmp/dmp-drive-fw-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/zynq-test.bin", dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	static const unsigned char head[] = { 0xff, 0xff, 0xff, 0xff, 0x66, 0x55, 0x99, 0xaa };
	fwrite(head, 1, sizeof(head), f);
	for (unsigned int i = 0; i < 30000; i++)
		fputc((int)(i * 37u & 0xff), f);
	fclose(f);
	assert_int_equal(setenv("DMP_FIRMWARE_PATH", dir, 1), 0);
	static const char *const sos[] = { "test-zynq-pcap.so", "test-zynq-pcap-5.10.so" };
	for (unsigned int i = 0; i < 2; i++) {
		char args[256];
		snprintf(args, sizeof(args), "tests/drivers/zynq.dts %s/%s", DMP_DRIVERS, sos[i]);
		struct result r = drive(args);
		if (r.status)
			fail_msg("%s: exit %d:\n%s", sos[i], r.status, r.out);
		expect(&r, "fpga0: dmaport PCAP registered, state unknown");
		expect(&r, "fpga-full: FPGA Region programmed with zynq-test.bin (fpga0: operating)");
		expect(&r, "f8007000.devcfg  bound to zynq-pcap");
		expect(&r, "fpga0: fpga_mgr_unregister dmaport PCAP");
		expect(&r, "checker (fail): 0 finding(s)");
		free(r.out);
	}
	unsetenv("DMP_FIRMWARE_PATH");
	unlink(path);
	rmdir(dir);
}

static void test_usage_errors(void **state)
{
	(void)state;
	struct result r = drive("examples/platforms/soc-noncoherent.dts no-such-driver");
	assert_int_equal(r.status, 2);
	expect(&r, "no driver 'no-such-driver'");
	free(r.out);
	r = drive("--param ce_platform.nope=1 examples/platforms/soc-noncoherent.dts ce_platform");
	assert_int_equal(r.status, 2);
	expect(&r, "no such parameter");
	free(r.out);
	r = drive("--param ce_platform.latency_ns=fast examples/platforms/soc-noncoherent.dts "
		  "ce_platform");
	assert_int_equal(r.status, 2);
	expect(&r, "not a value of its type");
	free(r.out);
	r = drive("examples/platforms/soc-noncoherent.dts");
	assert_int_equal(r.status, 2);
	free(r.out);
	r = drive("--list");
	assert_int_equal(r.status, 0);
	expect(&r, "ce_platform");
	expect(&r, "pci_epf_host");
	free(r.out);
	/* the rules of run: each option once, --seed's values, a broken tree
	 * and the checker's variables refused before anything runs */
	static const struct {
		const char *args, *says;
	} refused[] = {
		{ "--list ce_platform", "--list takes nothing else" },
		{ "--run-ms 5 --run-ms 6 examples/platforms/soc-noncoherent.dts ce_platform",
		  "--run-ms given twice" },
		{ "--hostile --seed -3 examples/platforms/soc-noncoherent.dts ce_platform",
		  "--seed -3: an integer" },
		{ "--seed 3 examples/platforms/soc-noncoherent.dts ce_platform",
		  "--seed only matters with --hostile" },
		{ "examples/platforms/soc-noncoherent.dts ce_platform ce_platform",
		  "ce_platform given twice" },
		{ "tests/of/err-port-bits.dts ce_platform", "dmaport,port-bits" },
		{ "DMP_DEBUG", "DMP_DEBUG=loud: not a checker mode" },
		{ "DMP_DEBUG_GUARD", "DMP_DEBUG_GUARD=maybe: not a guard setting" },
	};
	for (unsigned int k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
		if (!strcmp(refused[k].args, "DMP_DEBUG"))
			setenv("DMP_DEBUG", "loud", 1);
		if (!strcmp(refused[k].args, "DMP_DEBUG_GUARD"))
			setenv("DMP_DEBUG_GUARD", "maybe", 1);
		r = drive(strncmp(refused[k].args, "DMP_", 4) ? refused[k].args
				  : "examples/platforms/soc-noncoherent.dts ce_platform");
		unsetenv("DMP_DEBUG");
		unsetenv("DMP_DEBUG_GUARD");
		if (r.status != 2 || !strstr(r.out, refused[k].says) || strstr(r.out, "insmod"))
			fail_msg("drive %s: status %d, expected 2 and \"%s\" before any insmod:\n%s",
				 refused[k].args, r.status, refused[k].says, r.out);
		free(r.out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_drivers),
		cmocka_unit_test(test_shared_object_and_params),
		cmocka_unit_test(test_leak_reported),
		cmocka_unit_test(test_talk_era_driver),
		cmocka_unit_test(test_fpga_manager_drivers),
		cmocka_unit_test(test_pool_test_module),
		cmocka_unit_test(test_usage_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
