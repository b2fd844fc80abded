/* test-dma-trace.c - the DMA API's tracepoints: every call is heard once,
 * after it took effect, with its arguments and result; the coherent fast
 * path included; nothing once the callback is cleared. */
#include <string.h>

#include <dmaport/dma-trace.h>

#include "support/sim-fixture.h"

#define MAX_EV 32
static struct dmp_dma_trace_event evs[MAX_EV];
static int nev;

static void record(void *cookie, const struct dmp_dma_trace_event *ev)
{
	assert_ptr_equal(cookie, evs);
	if (nev < MAX_EV)
		evs[nev] = *ev;
	nev++;
}

static void run_sequence(bool coherent)
{
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_sim_device_config dc = { .name = "t", .port_bits = 64, .coherent = coherent };
	struct dmp_sim_device *hw;
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	struct dmp_device dev;
	dmp_device_init(&dev, "t");
	assert_int_equal(dmp_sim_device_link(&dev, hw), 0);
	char *buf = dmp_kmalloc(4096, 0);
	nev = 0;
	dmp_dma_trace_set(record, evs);
	dmp_addr_t a = dmp_map_single(&dev, buf, 4096, DMP_FROM_DEVICE);
	assert_false(dmp_mapping_error(&dev, a));
	dmp_sync_single_for_cpu(&dev, a, 4096, DMP_FROM_DEVICE);
	dmp_sync_single_for_device(&dev, a, 4096, DMP_FROM_DEVICE);
	dmp_unmap_single(&dev, a, 4096, DMP_FROM_DEVICE);
	struct dmp_scatterlist sg[2];
	dmp_sg_init_table(sg, 2);
	dmp_sg_set_buf(&sg[0], buf, 100);
	dmp_sg_set_buf(&sg[1], buf + 2048, 100);
	int n = dmp_map_sg(&dev, sg, 2, DMP_TO_DEVICE);
	assert_true(n >= 1);
	dmp_unmap_sg(&dev, sg, 2, DMP_TO_DEVICE);
	dmp_addr_t ch;
	void *c = dmp_alloc_coherent(&dev, 512, &ch, 0);
	assert_non_null(c);
	dmp_free_coherent(&dev, 512, c, ch);
	dmp_dma_trace_set(NULL, NULL);
	(void)dmp_map_single(&dev, buf, 64, DMP_TO_DEVICE); /* not heard */

	static const enum dmp_dma_trace_op want[] = {
		DMP_TRACE_MAP, DMP_TRACE_SYNC_FOR_CPU, DMP_TRACE_SYNC_FOR_DEVICE, DMP_TRACE_UNMAP,
		DMP_TRACE_MAP_SG, DMP_TRACE_UNMAP_SG, DMP_TRACE_ALLOC, DMP_TRACE_FREE,
	};
	assert_int_equal(nev, DMP_ARRAY_SIZE(want));
	for (int i = 0; i < nev; i++) {
		assert_int_equal(evs[i].op, want[i]);
		assert_ptr_equal(evs[i].dev, &dev);
		assert_non_null(evs[i].file);
		assert_true(evs[i].line > 0);
	}
	dmp_phys_t phys;
	dmp_virt_to_phys(buf, &phys);
	assert_int_equal(evs[0].dma, a);
	assert_int_equal(evs[0].phys, phys);
	assert_int_equal(evs[0].size, 4096);
	assert_int_equal(evs[0].dir, DMP_FROM_DEVICE);
	assert_int_equal(evs[0].type, DMP_MAP_SINGLE);
	assert_int_equal(evs[3].dma, a);
	assert_int_equal(evs[4].nents, 2);
	assert_int_equal(evs[4].mapped, n);
	assert_ptr_equal(evs[4].sg, sg);
	assert_int_equal(evs[6].dma, ch);
	assert_int_equal(evs[6].size, 512);
	assert_string_equal(dmp_dma_trace_op_name(DMP_TRACE_SYNC_FOR_CPU), "sync_for_cpu");
	dmp_unmap_single(&dev, dmp_map_single(&dev, buf, 64, DMP_TO_DEVICE), 64, DMP_TO_DEVICE);
	dmp_kfree(buf);
	dmp_device_remove(&dev);
	dmp_sim_destroy(sim);
}

static void test_noncoherent(void **state)
{
	(void)state;
	run_sequence(false);
}

/* a coherent 64-bit device takes the fast path that skips the ops: still heard */
static void test_coherent_fast_path(void **state)
{
	(void)state;
	run_sequence(true);
}

/* a failed map is heard with DMP_MAPPING_ERROR */
static void test_failed_map(void **state)
{
	(void)state;
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.swiotlb_size = DMP_SIM_NO_SWIOTLB;
	struct dmp_sim *sim = fixture_sim(&cfg);
	struct dmp_device dev;
	dmp_device_init(&dev, "t32");
	char *buf = dmp_kmalloc(64, 0); /* above 4 GiB: out of a 32-bit device's reach */
	nev = 0;
	dmp_dma_trace_set(record, evs);
	fixture_log_start();
	dmp_addr_t a = dmp_map_single(&dev, buf, 64, DMP_TO_DEVICE);
	fixture_log_stop();
	dmp_dma_trace_set(NULL, NULL);
	assert_true(dmp_mapping_error(&dev, a));
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].dma, DMP_MAPPING_ERROR);
	dmp_kfree(buf);
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noncoherent),
		cmocka_unit_test(test_coherent_fast_path),
		cmocka_unit_test(test_failed_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
