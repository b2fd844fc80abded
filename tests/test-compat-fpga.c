/* test-compat-fpga.c - the FPGA manager framework on the Linux-compat driver
 * core, with an FPGA manager driver written as Linux's are
 * (tests/drivers/zynq-pcap.c, compiled unchanged against compat) on the
 * simulator's Zynq device configuration model (tests/drivers/zynq.dts):
 *   - the tree's fpga-region is programmed with its firmware-name once the
 *     manager registers: the model took exactly the image's bytes from the
 *     sync word on, through the DMA queue, and reports the FPGA configured;
 *     the driver set the SLCR's resets and level shifters;
 *   - fpga_mgr_load() from a kernel buffer and from a caller's sg table,
 *     the states of a failed write_init (no sync word), of a failed
 *     write_complete (a partial image that never configures), a missing
 *     firmware file, and the exclusive lock;
 *   - everything unbinds clean.
 * Built with -Icompat, linked with the compat runtime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dmaport/debug.h>
#include <dmaport/linux.h>
#include <dmaport/sim/platform.h>
#include <dmaport/sim/zynq-devcfg.h>

#include "support/sim-fixture.h"
#include "support/lx-fixture.h"

#define KBUILD_MODNAME "zynq_pcap"
#include "drivers/zynq-pcap.c"

#define ZYNQ_DTS "tests/drivers/zynq.dts"
#define IMAGE_LEN 150000
#define SYNC_AT 48

static char fw_dir[64];

/* A byte-swapped .bin-like image: padding, a bus-width word, the sync word at
 * SYNC_AT, then configuration data. */
static void make_image(uint8_t *img, size_t len, unsigned int seed, bool with_sync)
{
	memset(img, 0xff, SYNC_AT);
	img[32] = 0xbb;
	for (size_t i = SYNC_AT; i < len; i++)
		img[i] = (uint8_t)((i * 131u + seed * 7u) ^ (i >> 7));
	if (with_sync)
		memcpy(img + SYNC_AT, (const uint8_t[]){ 0x66, 0x55, 0x99, 0xaa }, 4);
	else
		img[SYNC_AT] = 0x00;
}

/* What the model hashes: FNV-1a 64 of the bytes from the sync word on. */
static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void write_file(const char *name, const uint8_t *data, size_t len)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fw_dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void load(void)
{
	struct dmp_lx_machine_opts opts = { .firmware_path = fw_dir };
	lx_machine_load(ZYNQ_DTS, &opts, DMP_DEBUG_FAIL);
	struct module *m = dmp_lx_module_find("zynq-pcap");
	assert_non_null(m);
	assert_int_equal(dmp_lx_module_load(m), 0);
}

static void unload_clean(void)
{
	lx_machine_unload_clean();
}

static struct dmp_zynq_devcfg_stats model_stats(void)
{
	struct dmp_sim_platform_device *pd =
		dmp_sim_platform_find(dmp_lx_machine_platform(), "devcfg@f8007000");
	assert_non_null(pd);
	struct dmp_zynq_devcfg_stats st;
	assert_int_equal(dmp_sim_zynq_devcfg_stats(pd->hw, &st), 0);
	return st;
}

static uint32_t slcr(uint64_t off)
{
	struct dmp_sim_platform_device *pd =
		dmp_sim_platform_find(dmp_lx_machine_platform(), "slcr@f8000000");
	assert_non_null(pd);
	return dmp_sim_syscon_peek(pd->hw, off);
}

static struct fpga_manager *the_manager(void)
{
	struct device *d = dmp_lx_find_device("f8007000.devcfg");
	assert_non_null(d);
	assert_non_null(d->driver);
	struct fpga_manager *mgr = of_fpga_mgr_get(d->of_node);
	assert_false(IS_ERR(mgr));
	return mgr;
}

static void test_region_programs_image(void **state)
{
	(void)state;
	static uint8_t img[IMAGE_LEN];
	make_image(img, sizeof(img), 1, true);
	write_file("zynq-test.bin", img, sizeof(img));
	load();

	struct device *region = dmp_lx_find_device("fpga-full");
	assert_non_null(region);
	assert_non_null(region->driver); /* deferred until the manager came, then bound */
	struct fpga_manager *mgr = the_manager();
	assert_int_equal(mgr->state, FPGA_MGR_STATE_OPERATING);
	assert_string_equal(mgr->name, "dmaport PCAP");
	assert_string_equal(dev_name(&mgr->dev), "fpga0");
	assert_ptr_equal(mgr->dev.parent, dmp_lx_find_device("f8007000.devcfg"));

	struct dmp_zynq_devcfg_stats st = model_stats();
	assert_true(st.configured);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.bytes_read, IMAGE_LEN);
	assert_int_equal(st.bytes_config, IMAGE_LEN - SYNC_AT);
	assert_true(st.hash == fnv(img + SYNC_AT, IMAGE_LEN - SYNC_AT));
	/* one command a page (the image's table), fed 4 at a time from the IRQ */
	assert_true(st.commands >= IMAGE_LEN / 4096);
	struct pcap *p = mgr->priv;
	assert_true(p->irqs >= st.commands - 4);
	/* resets released, level shifters on */
	assert_int_equal(slcr(SLCR_PL_RESET), 0);
	assert_int_equal(slcr(SLCR_LEVEL_SHIFTERS), 0xf);
	fpga_mgr_put(mgr);
	unload_clean();
}

static void test_loads_and_errors(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/zynq-test.bin", fw_dir);
	unlink(path);
	load();

	/* the region's firmware is missing: its probe failed, state says so */
	struct device *region = dmp_lx_find_device("fpga-full");
	assert_non_null(region);
	assert_null(region->driver);
	struct fpga_manager *mgr = the_manager();
	assert_int_equal(mgr->state, FPGA_MGR_STATE_FIRMWARE_REQ_ERR);

	/* from a kernel buffer (the manager builds the page table) */
	struct fpga_image_info *info = fpga_image_info_alloc(&mgr->dev);
	assert_non_null(info);
	uint8_t *buf = kmalloc(40000, GFP_KERNEL);
	assert_non_null(buf);
	make_image(buf, 40000, 2, true);
	info->buf = (const char *)buf;
	info->count = 40000;
	assert_int_equal(fpga_mgr_lock(mgr), 0);
	assert_int_equal(fpga_mgr_lock(mgr), -EBUSY); /* exclusive */
	assert_int_equal(fpga_mgr_load(mgr, info), 0);
	assert_int_equal(mgr->state, FPGA_MGR_STATE_OPERATING);
	struct dmp_zynq_devcfg_stats st = model_stats();
	assert_true(st.configured);
	assert_true(st.hash == fnv(buf + SYNC_AT, 40000 - SYNC_AT));

	/* from a caller's table: two pages' worth in three entries */
	struct sg_table sgt;
	assert_int_equal(sg_alloc_table(&sgt, 3, GFP_KERNEL), 0);
	struct page *pg[3];
	static const unsigned int lens[3] = { 4096, 4096, 1024 };
	uint8_t img2[9216];
	make_image(img2, sizeof(img2), 3, true);
	struct scatterlist *sg;
	unsigned int i, off = 0;
	for_each_sg(sgt.sgl, sg, 3, i) {
		pg[i] = alloc_page(GFP_KERNEL);
		assert_non_null(pg[i]);
		memcpy(page_address(pg[i]), img2 + off, lens[i]);
		sg_set_page(sg, pg[i], lens[i], 0);
		off += lens[i];
	}
	memset(info, 0, sizeof(*info));
	info->sgt = &sgt;
	assert_int_equal(fpga_mgr_load(mgr, info), 0);
	assert_int_equal(mgr->state, FPGA_MGR_STATE_OPERATING);
	st = model_stats();
	assert_true(st.hash == fnv(img2 + SYNC_AT, sizeof(img2) - SYNC_AT));
	for (i = 0; i < 3; i++)
		__free_page(pg[i]);
	sg_free_table(&sgt);

	/* no sync word: write_init refuses, nothing reaches the device */
	uint64_t cmds = model_stats().commands;
	make_image(buf, 40000, 4, false);
	memset(info, 0, sizeof(*info));
	info->buf = (const char *)buf;
	info->count = 40000;
	assert_int_equal(fpga_mgr_load(mgr, info), -EINVAL);
	assert_int_equal(mgr->state, FPGA_MGR_STATE_WRITE_INIT_ERR);
	assert_true(model_stats().commands == cmds);

	/* a partial image without a sync word: written, never configures */
	info->flags = FPGA_MGR_PARTIAL_RECONFIG;
	pcap_timeout_ms = 50;
	assert_int_equal(fpga_mgr_load(mgr, info), -ETIMEDOUT);
	assert_int_equal(mgr->state, FPGA_MGR_STATE_WRITE_COMPLETE_ERR);
	pcap_timeout_ms = 2000;
	fpga_mgr_unlock(mgr);

	kfree(buf);
	fpga_image_info_free(info);
	fpga_mgr_put(mgr);
	unload_clean();
}

static int setup(void **state)
{
	(void)state;
	snprintf(fw_dir, sizeof(fw_dir), "/tmp/dmp-fw-XXXXXX");
	return mkdtemp(fw_dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/zynq-test.bin", fw_dir);
	unlink(path);
	rmdir(fw_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_programs_image),
		cmocka_unit_test(test_loads_and_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
