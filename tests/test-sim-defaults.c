/* test-sim-defaults.c - what a newcomer's hand-built machine gets without
 * asking: the default bounce pool in both ways of building a machine (C and
 * a device tree), and dmp_sim_device_link() tying a dmp_device to its
 * hardware with coherence and masks that agree.  Only callers' headers. */
#include <string.h>

#include "support/sim-fixture.h"

#define HW_BASE 0x10000000ull

static struct dmp_sim_device *make_hw(struct dmp_sim *sim, const char *name, unsigned bits,
				      bool coherent)
{
	struct dmp_sim_device_config dc = { .name = name, .port_bits = bits,
					    .coherent = coherent };
	struct dmp_sim_device *hw;
	assert_int_equal(dmp_sim_device_create(sim, &dc, &hw), 0);
	return hw;
}

/* The first hour: a 32-bit device on the default machine maps a
 * kmalloc buffer (which lies above 4 GiB) and reads the right bytes. */
static void test_c_machine_bounces_out_of_the_box(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_sim_device *hw = make_hw(sim, "dev32", 32, false);
	struct dmp_device dev;
	assert_int_equal(dmp_device_init(&dev, "dev32"), 0);
	assert_int_equal(dmp_sim_device_link(&dev, hw), 0);

	char *buf = dmp_kmalloc(256, DMP_GFP_KERNEL);
	assert_non_null(buf);
	dmp_phys_t phys;
	assert_int_equal(dmp_virt_to_phys(buf, &phys), 0);
	assert_true(phys > 0xffffffffull); /* out of the device's reach */
	for (int i = 0; i < 256; i++)
		buf[i] = (char)(i ^ 0x5a);
	dmp_addr_t a = dmp_map_single(&dev, buf, 256, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(&dev, a));
	assert_true(a + 255 <= 0xffffffffull);
	char seen[256];
	assert_int_equal(dmp_sim_dma_read(hw, a, seen, sizeof(seen)), 0);
	assert_memory_equal(seen, buf, 256);
	dmp_unmap_single(&dev, a, 256, DMP_TO_DEVICE);

	/* and the other way: the device writes, the CPU reads after unmap */
	a = dmp_map_single(&dev, buf, 256, DMP_FROM_DEVICE);
	assert_false(dmp_mapping_error(&dev, a));
	memset(seen, 0xc3, sizeof(seen));
	assert_int_equal(dmp_sim_dma_write(hw, a, seen, sizeof(seen)), 0);
	dmp_unmap_single(&dev, a, 256, DMP_FROM_DEVICE);
	assert_memory_equal(buf, seen, 256);
	dmp_kfree(buf);
	dmp_device_remove(&dev);
	dmp_sim_destroy(sim);
}

/* Hardware destroyed under linked devices: their dev->hw is cleared (it was
 * left pointing at freed hardware), so they can be linked again; a device
 * removed before is not written to. */
static void test_hw_destroyed_clears_link(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_sim_device *hw = make_hw(sim, "gone", 64, true);
	struct dmp_device dev, twin, removed;
	assert_int_equal(dmp_device_init(&dev, "gone"), 0);
	assert_int_equal(dmp_device_init(&twin, "gone-twin"), 0);
	assert_int_equal(dmp_sim_device_link(&dev, hw), 0);
	assert_int_equal(dmp_sim_device_link(&dev, hw), 0); /* again: no change */
	assert_int_equal(dmp_sim_device_link(&twin, hw), 0);
	assert_ptr_equal(dev.hw, hw);
	dmp_sim_device_destroy(hw);
	assert_null(dev.hw);
	assert_null(twin.hw);

	/* a later link finds no stale hardware in the way */
	struct dmp_sim_device *hw2 = make_hw(sim, "fresh", 32, false);
	assert_int_equal(dmp_sim_device_link(&dev, hw2), 0);
	assert_ptr_equal(dev.hw, hw2);
	assert_false(dev.dma_coherent); /* from the new hardware */
	assert_int_equal(dmp_sim_device_link(&twin, hw2), 0);
	struct dmp_sim_device *hw3 = make_hw(sim, "other", 64, true);
	assert_int_equal(dmp_sim_device_link(&dev, hw3), -EINVAL); /* still hw2's */

	/* removed first: its storage is the caller's again, never written */
	assert_int_equal(dmp_device_init(&removed, "removed"), 0);
	assert_int_equal(dmp_sim_device_link(&removed, hw3), 0);
	dmp_device_remove(&removed);
	dmp_sim_device_destroy(hw3);
	assert_ptr_equal(removed.hw, hw3);

	dmp_device_remove(&twin);
	dmp_device_remove(&dev);
	dmp_sim_destroy(sim); /* destroys hw2 */
}

/* Opting out: the same mapping fails cleanly (no pool to bounce through). */
static void test_c_machine_without_pool(void **state)
{
	(void)state;
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.swiotlb_size = DMP_SIM_NO_SWIOTLB;
	struct dmp_sim *sim = fixture_sim(&cfg);
	struct dmp_sim_device *hw = make_hw(sim, "dev32", 32, false);
	struct dmp_device dev;
	dmp_device_init(&dev, "dev32");
	assert_int_equal(dmp_sim_device_link(&dev, hw), 0);
	char *buf = dmp_kmalloc(64, DMP_GFP_KERNEL | DMP_GFP_NOWARN);
	fixture_log_start();
	dmp_addr_t a = dmp_map_single(&dev, buf, 64, DMP_TO_DEVICE);
	fixture_log_stop();
	assert_true(dmp_mapping_error(&dev, a));
	dmp_kfree(buf);
	dmp_device_remove(&dev);
	dmp_sim_destroy(sim);
}

/* The pool's size follows the configuration; memory only above 4 GiB gets
 * none (nothing to put it in), and a pool that cannot fit fails the machine
 * with nothing left behind. */
static void test_c_machine_pool_placement(void **state)
{
	(void)state;
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.swiotlb_size = 1u << 20;
	struct dmp_sim *sim = fixture_sim(&cfg);
	size_t free_with_1m = dmp_page_free_count();
	dmp_sim_destroy(sim);
	sim = fixture_sim(NULL);
	/* 3 MiB more of pool; its slot metadata is on the heap, a few pages */
	size_t more = free_with_1m - dmp_page_free_count();
	assert_true(more >= (3u << 20) / DMP_PAGE_SIZE && more < (3u << 20) / DMP_PAGE_SIZE + 64);
	dmp_sim_destroy(sim);

	dmp_sim_config_default(&cfg);
	cfg.regions[0].base = 0x200000000ull; /* both regions high */
	sim = fixture_sim(&cfg);
	size_t all = dmp_page_free_count();
	assert_int_equal(all, (2ull << 30) / DMP_PAGE_SIZE);
	dmp_sim_destroy(sim);

	dmp_sim_config_default(&cfg);
	cfg.regions[0].size = 1u << 20; /* 1 MiB low: a 4 MiB pool cannot fit */
	assert_int_equal(dmp_sim_create(&cfg, &sim), -ENOMEM);
	assert_null(dmp_sim_current());
	cfg.swiotlb_size = 512u << 10;
	assert_int_equal(dmp_sim_create(&cfg, &sim), 0);
	dmp_sim_destroy(sim);
}

/* A leaked bounce mapping: reported at destroy, and the next machine is clean. */
static void test_c_machine_leak_does_not_poison_next(void **state)
{
	(void)state;
	for (int round = 0; round < 2; round++) {
		struct dmp_sim *sim = fixture_sim(NULL);
		struct dmp_sim_device *hw = make_hw(sim, "dev32", 32, false);
		struct dmp_device dev;
		dmp_device_init(&dev, "dev32");
		dmp_sim_device_link(&dev, hw);
		char *buf = dmp_kmalloc(64, DMP_GFP_KERNEL);
		dmp_addr_t a = dmp_map_single(&dev, buf, 64, DMP_TO_DEVICE);
		assert_false(dmp_mapping_error(&dev, a));
		fixture_log_start();
		dmp_sim_destroy(sim); /* the mapping is never undone */
		fixture_log_stop();
	}
}

/* The link makes the device agree with its hardware. */
static void test_link(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct dmp_sim_device *nc = make_hw(sim, "nc", 40, false);
	struct dmp_sim_device *coh = make_hw(sim, "coh", 64, true);
	struct dmp_sim_device *narrow = make_hw(sim, "narrow", 24, false);
	assert_false(dmp_sim_device_coherent(nc));
	assert_true(dmp_sim_device_coherent(coh));
	assert_int_equal(dmp_sim_device_port_bits(nc), 40);

	struct dmp_device a, b, c;
	dmp_device_init(&a, "a");
	dmp_device_init(&b, "b");
	dmp_device_init(&c, "c");
	dmp_device_set_coherent(&a, true); /* wrong: the link corrects it */
	assert_int_equal(dmp_sim_device_link(&a, nc), 0);
	assert_false(a.dma_coherent);
	assert_int_equal(dmp_get_mask(&a), DMP_BIT_MASK(40));
	assert_int_equal(a.coherent_dma_mask, DMP_BIT_MASK(40));
	assert_int_equal(dmp_sim_device_link(&b, coh), 0);
	assert_true(b.dma_coherent);
	assert_int_equal(dmp_get_mask(&b), DMP_BIT_MASK(64));
	/* a port that cannot reach the DMA zone keeps the 32-bit default */
	assert_int_equal(dmp_sim_device_link(&c, narrow), 0);
	assert_int_equal(dmp_get_mask(&c), DMP_BIT_MASK(32));

	/* relinking to the same hardware is harmless; to other hardware, refused */
	assert_int_equal(dmp_sim_device_link(&a, nc), 0);
	assert_int_equal(dmp_sim_device_link(&a, coh), -EINVAL);
	assert_false(a.dma_coherent);
	assert_int_equal(dmp_sim_device_link(NULL, nc), -EINVAL);
	assert_int_equal(dmp_sim_device_link(&a, NULL), -EINVAL);
	dmp_device_remove(&a);
	dmp_device_remove(&b);
	dmp_device_remove(&c);
	dmp_sim_destroy(sim);
}

/* A tree-built machine has the same pool, and the platform's devices are linked. */
static void test_tree_machine_same_pool(void **state)
{
	(void)state;
	struct dmp_sim_platform *p;
	struct dmp_of_error err;
	assert_int_equal(dmp_sim_platform_load("examples/platforms/soc-noncoherent.dts",
					       NULL, &p, &err),
			 0);
	assert_non_null(p->default_pool);
	struct dmp_sim_platform_device *pd = dmp_sim_platform_first(p, DMP_OF_DEV_COPY_ENGINE, false);
	assert_non_null(pd);
	assert_ptr_equal(pd->dev.hw, pd->hw);
	assert_int_equal(pd->dev.dma_coherent, dmp_sim_device_coherent(pd->hw));
	size_t free_default = dmp_page_free_count();
	dmp_sim_platform_destroy(p);

	struct dmp_sim_platform_opts o = { .swiotlb_size = DMP_SIM_NO_SWIOTLB };
	assert_int_equal(dmp_sim_platform_load("examples/platforms/soc-noncoherent.dts",
					       &o, &p, &err),
			 0);
	assert_null(p->default_pool);
	size_t less = dmp_page_free_count() - free_default; /* the pool and its metadata */
	assert_true(less >= (4u << 20) / DMP_PAGE_SIZE && less < (4u << 20) / DMP_PAGE_SIZE + 64);
	dmp_sim_platform_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c_machine_bounces_out_of_the_box),
		cmocka_unit_test(test_hw_destroyed_clears_link),
		cmocka_unit_test(test_c_machine_without_pool),
		cmocka_unit_test(test_c_machine_pool_placement),
		cmocka_unit_test(test_c_machine_leak_does_not_poison_next),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_tree_machine_same_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
