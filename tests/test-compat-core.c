/* test-compat-core.c - the Linux-compat driver core on the simulated
 * machine: the example platform driver (examples/drivers/ce-platform.c,
 * compiled unchanged against compat) binds to the copy engines of a device
 * tree, probes with devm_*, takes its engine's interrupt, waits on a
 * completion while the simulated clock runs, moves data, and unbinds with
 * nothing left behind.  The devres, interrupt and wait paths one by one are
 * tests/test-compat-devres.c's.
 *
 * Built with -Icompat, linked with the compat runtime. */
#include <stdlib.h>
#include <string.h>

#include <dmaport/debug.h>
#include <dmaport/linux.h>
#include <dmaport/sim/irq.h>

#include "support/sim-fixture.h"
#include "support/lx-fixture.h"

/* The driver is part of this program, as a driver is of its kernel; its
 * module name is what Kbuild would give it. */
#define KBUILD_MODNAME "ce_platform"
#include "../examples/drivers/ce-platform.c"
#include <linux/irq.h>

#define SOC "examples/platforms/soc-noncoherent.dts"

static void load(const char *dts)
{
	lx_machine_load(dts, NULL, DMP_DEBUG_FAIL);
}

static void unload_clean(void)
{
	lx_machine_unload_clean();
}

/* The tree's nodes become platform devices named as Linux names them. */
static void test_populate(void **state)
{
	(void)state;
	load(SOC);
	struct device *d = dmp_lx_find_device("9100000.dma");
	assert_non_null(d);
	assert_non_null(dmp_lx_find_device("9110000.dma"));
	assert_non_null(dmp_lx_find_device("9050000.iommu"));
	assert_null(d->driver);
	struct platform_device *pdev = to_platform_device(d);
	struct resource *r = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	assert_non_null(r);
	assert_int_equal(r->start, 0x09100000);
	assert_int_equal(resource_size(r), 0x1000);
	int irq = platform_get_irq(pdev, 0);
	assert_true(irq > 0);
	/* SPI 40: line 72 of the controller, level-triggered as the tree says */
	assert_int_equal(dmp_lx_irq_hwirq((unsigned int)irq), 72);
	assert_int_equal(irq_get_trigger_type((unsigned int)irq), IRQ_TYPE_LEVEL_HIGH);
	assert_true(of_device_is_compatible(d->of_node, "dmaport,copy-engine"));
	u32 bits;
	assert_int_equal(of_property_read_u32(d->of_node, "dmaport,port-bits", &bits), 0);
	assert_int_equal(bits, 48);
	/* the DMA configuration is the node's: behind the IOMMU, 48-bit port */
	assert_int_equal(dma_get_mask(d), DMA_BIT_MASK(48));
	unload_clean();
}

/* The example driver binds to both engines and its self-test copies data. */
static void test_example_binds_and_moves_data(void **state)
{
	(void)state;
	load(SOC);
	cep_selftests_passed = 0;
	struct module *m = dmp_lx_module_find("ce-platform");
	assert_non_null(m);
	u64 t0 = dmp_sim_now(dmp_sim_current());
	assert_int_equal(dmp_lx_module_load(m), 0);
	assert_int_equal(cep_selftests_passed, 2);
	assert_int_equal(dmp_lx_bound_count(), 2);
	/* each transfer waited for the engine: simulated time passed */
	assert_true(dmp_sim_now(dmp_sim_current()) - t0 >= 2 * latency_ns);
	struct device *d = dmp_lx_find_device("9110000.dma");
	struct cep *cep = dev_get_drvdata(d);
	assert_non_null(cep);
	/* more transfers, every byte checked */
	for (size_t len = 1; len <= 8192; len = len * 3 + 1) {
		u8 *src = kmalloc(len, GFP_KERNEL), *dst = kzalloc(len, GFP_KERNEL);
		for (size_t i = 0; i < len; i++)
			src[i] = (u8)(i ^ len);
		assert_int_equal(cep_copy(cep, dst, src, len), 0);
		assert_memory_equal(src, dst, len);
		kfree(src);
		kfree(dst);
	}
	/* the interrupt was taken for every transfer */
	int hw = dmp_lx_irq_hwirq((unsigned int)cep->irq);
	assert_true(dmp_sim_irq_count(dmp_sim_current(), (unsigned int)hw) >= cep->transfers);
	assert_int_equal(dmp_lx_module_unload(m), 0);
	assert_null(d->driver);
	assert_null(dev_get_drvdata(d));
	assert_int_equal(dmp_lx_devres_count(d), 0);
	assert_int_equal(dmp_lx_bound_count(), 0);
	unload_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_populate),
		cmocka_unit_test(test_example_binds_and_moves_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
