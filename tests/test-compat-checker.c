/* test-compat-checker.c - the checker's reports for a driver written with
 * Linux's names (the compat headers): the advice says dma_sync_single_for_cpu(),
 * not dmp_sync_single_for_cpu(), and a CPU read of a buffer the device owns
 * is reported at the driver's line, as for native code.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>

#include <string.h>

#include <dmaport/debug.h>

#include "support/sim-fixture.h"

/* A Linux-style receive path with the most common DMA bug. */
static u8 rx_peek(struct device *dev, u8 *buf, size_t len, bool sync_first)
{
	dma_addr_t a = dma_map_single(dev, buf, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, a))
		return 0;
	if (sync_first)
		dma_sync_single_for_cpu(dev, a, len, DMA_FROM_DEVICE);
	u8 first = *(volatile u8 *)buf; /* the read */
	dma_unmap_single(dev, a, len, DMA_FROM_DEVICE);
	return first;
}

static void test_linux_vocabulary(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_sim_device *hw;
	struct dmp_sim_device_config dc = { .name = "eth0", .port_bits = 64 };
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	struct device dev;
	memset(&dev, 0, sizeof(dev));
	assert_int_equal(dmp_device_init(&dev.dmp, "eth0"), 0);
	dev.dmp.hw = hw;
	assert_int_equal(dma_set_mask_and_coherent(&dev, DMA_BIT_MASK(64)), 0);
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	dmp_debug_reset();
	fixture_log_start();
	u8 *buf = kmalloc(256, GFP_KERNEL);
	assert_non_null(buf);

	rx_peek(&dev, buf, 256, false);
	if (dmp_debug_get_guard()) {
		assert_int_equal(dmp_debug_count(DMP_DEBUG_CPU_READ_OWNED), 1);
		assert_true(fixture_log_has("CPU read a buffer the device owned",
					    "test-compat-checker.c:", "fix: read the buffer only after "
					    "dma_sync_*_for_cpu() or dma_unmap_*()", NULL));
		assert_false(fixture_log_has("dmp_sync", NULL));
	}
	dmp_debug_reset();
	fixture_log_start();
	rx_peek(&dev, buf, 256, true);
	assert_int_equal(dmp_debug_total(), 0);

	/* a refused call: the advice in Linux's words too */
	dma_addr_t a = dma_map_single(&dev, buf, 0, DMA_TO_DEVICE);
	assert_true(dma_mapping_error(&dev, a));
	assert_int_equal(dmp_debug_count(DMP_DEBUG_INVALID_ARGS), 1);
	assert_true(fixture_log_has("mapping of size 0", "fix: pass a size of at least one byte",
				    NULL));
	dmp_debug_reset();
	a = dma_map_single(&dev, buf, 256, DMA_NONE);
	assert_true(dma_mapping_error(&dev, a));
	assert_int_equal(dmp_debug_count(DMP_DEBUG_INVALID_ARGS), 1);
	assert_true(fixture_log_has("invalid direction",
				    "fix: pass DMA_TO_DEVICE, DMA_FROM_DEVICE or DMA_BIDIRECTIONAL",
				    NULL));
	assert_false(fixture_log_has("DMP_TO_DEVICE", NULL));

	kfree(buf);
	dmp_device_remove(&dev.dmp);
	fixture_log_stop();
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_vocabulary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
