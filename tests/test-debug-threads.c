/* test-debug-threads.c - the DMA-API checker with two threads mapping,
 * syncing and unmapping at once on one device (and the simulated device writing their
 * buffers, so that the simulator observer runs concurrently with the hooks).
 * Run under ThreadSanitizer by `make check`. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <dmaport/debug.h>

#include "support/sim-fixture.h"

#define ROUNDS 1500
#define BUFS 8

struct worker {
	struct dmp_device *dev;
	struct dmp_sim_device *hw;
	uint8_t *buf[BUFS];
	unsigned int id;
	int errors;
};

static _Atomic int running;

static void *run(void *arg)
{
	struct worker *w = arg;
	uint8_t src[256];
	for (unsigned int i = 0; i < ROUNDS; i++) {
		uint8_t *b = w->buf[i % BUFS];
		memset(src, (int)(w->id * 64 + (i & 63)), sizeof(src));
		enum dmp_data_direction dir = (i & 1) ? DMP_FROM_DEVICE : DMP_BIDIRECTIONAL;
		dmp_addr_t a = dmp_map_single(w->dev, b, 256, dir);
		if (dmp_mapping_error(w->dev, a)) {
			w->errors++;
			continue;
		}
		if (dmp_sim_dma_write(w->hw, a, src, sizeof(src)))
			w->errors++;
		dmp_sync_single_for_cpu(w->dev, a, 256, dir);
		if (memcmp(b, src, sizeof(src)))
			w->errors++;
		dmp_sync_single_for_device(w->dev, a, 256, dir);
		dmp_unmap_single(w->dev, a, 256, dir);
	}
	atomic_fetch_sub(&running, 1);
	return NULL;
}

static void test_two_threads(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = "dma0", .port_bits = 64 };
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "dma0"), 0);
	dev.hw = hw;
	assert_int_equal(dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64)), 0);
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	dmp_debug_reset();

	struct worker w[2];
	pthread_t t[2];
	for (unsigned int k = 0; k < 2; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].dev = &dev; /* one device, two threads: the same hash buckets */
		w[k].hw = hw;
		w[k].id = k;
		for (int i = 0; i < BUFS; i++)
			assert_non_null(w[k].buf[i] = dmp_kmalloc(256, 0));
	}
	atomic_store(&running, 2);
	for (unsigned int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&t[k], NULL, run, &w[k]), 0);
	/* meanwhile, a third thread (this one) reads the table */
	while (atomic_load(&running)) {
		assert_int_equal(dmp_debug_table_check(), 0);
		assert_true(dmp_debug_for_each_live(NULL, NULL, NULL) <= 2);
	}
	for (unsigned int k = 0; k < 2; k++)
		assert_int_equal(pthread_join(t[k], NULL), 0);
	for (unsigned int k = 0; k < 2; k++) {
		assert_int_equal(w[k].errors, 0);
		for (int i = 0; i < BUFS; i++)
			dmp_kfree(w[k].buf[i]);
	}
	/* a correct driver on two threads: nothing found, nothing left */
	assert_int_equal(dmp_debug_total(), 0);
	assert_int_equal(dmp_debug_table_check(), 0);
	assert_int_equal(dmp_debug_for_each_live(&dev, NULL, NULL), 0);
	dmp_device_remove(&dev);
	assert_int_equal(dmp_debug_total(), 0);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
