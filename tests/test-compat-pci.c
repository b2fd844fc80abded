/* test-compat-pci.c - PCI on the Linux-compat driver core: the host bridge
 * of examples/platforms/soc-pci.dts is enumerated through its ECAM window
 * (IDs, class, BARs sized and placed in the host's window, INTx through the
 * interrupt-map, the IOMMU stream through iommu-map); the example PCI driver
 * (examples/drivers/pci-epf-host.c, compiled unchanged against compat)
 * binds by ID, moves data both ways through the endpoint test function
 * with MSI and, when MSI is off, INTx, and unbinds leaving nothing; the
 * function follows its registers (no BAR decode before enabling, no DMA
 * without bus mastering, MSI masking).
 *
 * Built with -Icompat, linked with the compat runtime. */
#include <stdlib.h>
#include <string.h>

#include <dmaport/debug.h>
#include <dmaport/linux.h>
#include <dmaport/sim/irq.h>

#include "support/sim-fixture.h"
#include "support/lx-fixture.h"

#define KBUILD_MODNAME "pci_epf_host"
#include "../examples/drivers/pci-epf-host.c"

#define SOC_PCI "examples/platforms/soc-pci.dts"

static void load(void)
{
	lx_machine_load(SOC_PCI, NULL, DMP_DEBUG_FAIL);
}

static void unload_clean(void)
{
	lx_machine_unload_clean();
}

static struct pci_dev *the_function(void)
{
	struct device *d = dmp_lx_find_device("0000:00:01.0");
	assert_non_null(d);
	assert_true(d->bus == &pci_bus_type);
	return to_pci_dev(d);
}

static void test_enumeration(void **state)
{
	(void)state;
	load();
	struct pci_dev *pdev = the_function();
	assert_int_equal(pdev->vendor, PCI_VENDOR_ID_TI);
	assert_int_equal(pdev->device, PCI_DEVICE_ID_TI_DRA74x);
	assert_int_equal(pdev->class, 0xff0000);
	assert_int_equal(pdev->devfn, PCI_DEVFN(1, 0));
	assert_int_equal(pdev->pin, 1);
	assert_true(pdev->msi_cap != 0);
	assert_int_equal(pci_find_capability(pdev, PCI_CAP_ID_MSI), pdev->msi_cap);
	assert_int_equal(pci_find_capability(pdev, PCI_CAP_ID_MSIX), 0);
	/* six memory BARs, sized by the probe, in the host's window */
	static const u64 sizes[6] = { 512, 512, 1024, 16384, 131072, 1048576 };
	for (int b = 0; b < 6; b++) {
		assert_int_equal(pci_resource_len(pdev, b), sizes[b]);
		assert_true(pci_resource_flags(pdev, b) & IORESOURCE_MEM);
		assert_true(pci_resource_start(pdev, b) >= 0x50000000);
		assert_int_equal(pci_resource_start(pdev, b) % sizes[b], 0);
	}
	/* INTA of slot 1 is SPI 100 (line 132), level, per the interrupt-map */
	assert_true(pdev->irq > 0);
	assert_int_equal(dmp_lx_irq_hwirq(pdev->irq), 132);
	/* behind the IOMMU with the stream iommu-map gives RID 0x08: 0x28 */
	assert_int_equal(dmp_iommu_group_id(&pdev->dev.dmp) >= 0, 1);
	unload_clean();
}

static void test_example_driver(bool msi)
{
	load();
	struct pci_dev *pdev = the_function();
	pdev->no_msi = !msi;
	eph_transfers_passed = 0;
	struct module *m = dmp_lx_module_find("pci-epf-host");
	assert_non_null(m);
	assert_int_equal(dmp_lx_module_load(m), 0);
	assert_int_equal(eph_transfers_passed, 3);
	assert_int_equal(pdev->msi_enabled, msi);
	struct eph *eph = pci_get_drvdata(pdev);
	assert_non_null(eph);
	assert_int_equal(eph->irq_type, msi ? EPH_IRQ_MSI : EPH_IRQ_INTX);
	assert_int_equal(eph->last_irq, pci_irq_vector(pdev, 0));
	/* more transfers of other sizes, each one byte-checked by CRC */
	for (size_t n = 1; n <= 65536; n = n * 5 + 3) {
		assert_int_equal(eph_test_write(eph, n), 0);
		assert_int_equal(eph_test_read(eph, n), 0);
		assert_int_equal(eph_test_copy(eph, n), 0);
	}
	assert_int_equal(dmp_lx_module_unload(m), 0);
	/* managed PCI gave everything back */
	assert_null(pdev->dev.driver);
	assert_false(pdev->msi_enabled);
	assert_false(pci_is_enabled(pdev));
	assert_int_equal(dmp_lx_devres_count(&pdev->dev), 0);
	unload_clean();
}

static void test_driver_msi(void **state)
{
	(void)state;
	test_example_driver(true);
}

static void test_driver_intx(void **state)
{
	(void)state;
	test_example_driver(false);
}

/* The function does what its registers say, as hardware. */
static void test_function_follows_registers(void **state)
{
	(void)state;
	load();
	struct pci_dev *pdev = the_function();
	void __iomem *regs = pci_iomap(pdev, 0, 0);
	assert_non_null(regs);
	/* MEMORY decoding off: the BAR reads as nothing */
	assert_int_equal(readl(regs + EPH_MAGIC), 0xffffffff);
	assert_int_equal(pci_enable_device(pdev), 0);
	writel(0x1234abcd, regs + EPH_MAGIC);
	assert_int_equal(readl(regs + EPH_MAGIC), 0x1234abcd);
	/* no bus mastering: the function's DMA fails */
	assert_int_equal(dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32)), 0);
	u8 *buf = kzalloc(256, GFP_KERNEL);
	dma_addr_t d = dma_map_single(&pdev->dev, buf, 256, DMA_FROM_DEVICE);
	assert_false(dma_mapping_error(&pdev->dev, d));
	writel(lower_32_bits(d), regs + EPH_DST_LO);
	writel(upper_32_bits(d), regs + EPH_DST_HI);
	writel(256, regs + EPH_SIZE);
	writel(EPH_IRQ_INTX, regs + EPH_IRQ_TYPE);
	writel(EPH_CMD_WRITE, regs + EPH_COMMAND);
	dmp_lx_run_for(100000);
	assert_false(readl(regs + EPH_STATUS) & EPH_ST_WRITE_OK);
	pci_set_master(pdev);
	writel(0, regs + EPH_STATUS);
	writel(EPH_CMD_WRITE, regs + EPH_COMMAND);
	dmp_lx_run_for(100000);
	assert_true(readl(regs + EPH_STATUS) & EPH_ST_WRITE_OK);
	dma_unmap_single(&pdev->dev, d, 256, DMA_FROM_DEVICE);
	assert_int_equal(crc32_le(~0, buf, 256), readl(regs + EPH_CHECKSUM));
	kfree(buf);
	/* MSI: vectors are consecutive Linux IRQs; a masked vector waits */
	assert_int_equal(pci_alloc_irq_vectors(pdev, 1, 32, PCI_IRQ_MSI), 32);
	assert_int_equal(pci_irq_vector(pdev, 31), pci_irq_vector(pdev, 0) + 31);
	assert_int_equal(pci_irq_vector(pdev, 32), -EINVAL);
	assert_int_equal(pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI), -EINVAL);
	pci_free_irq_vectors(pdev);
	assert_int_equal(pci_alloc_irq_vectors(pdev, 2, 2, PCI_IRQ_INTX), -ENOSPC);
	assert_int_equal(pci_alloc_irq_vectors(pdev, 1, 4, PCI_IRQ_INTX), 1);
	assert_int_equal(pci_irq_vector(pdev, 0), (int)pdev->irq);
	pci_iounmap(pdev, regs);
	pci_disable_device(pdev);
	unload_clean();
}

/* What Linux's current pci_endpoint_test does and the function must take:
 * its BAR test writes the register BAR with memcpy_toio (byte stores for
 * 4 bytes), and its interrupt handler reads STATUS without clearing it, so
 * an INTx pulse is taken as long as the function holds the line. */
static unsigned int status_reads;
static struct completion raised;
static irqreturn_t reads_status_only(int irq, void *dev_id)
{
	void __iomem *regs = dev_id;
	if (readl(regs + EPH_STATUS) & EPH_ST_IRQ)
		complete(&raised);
	status_reads++;
	return IRQ_HANDLED;
}

/* The machine loaded, the function enabled, its register BAR mapped. */
static void __iomem *bar0_up(struct pci_dev **pdev)
{
	load();
	*pdev = the_function();
	assert_int_equal(pci_enable_device(*pdev), 0);
	void __iomem *regs = pci_iomap(*pdev, 0, 0);
	assert_non_null(regs);
	return regs;
}

static void bar0_down(struct pci_dev *pdev, void __iomem *regs)
{
	pci_iounmap(pdev, regs);
	pci_disable_device(pdev);
	unload_clean();
}

static void test_register_bar_as_memory_and_intx_pulse(void **state)
{
	(void)state;
	struct pci_dev *pdev;
	void __iomem *regs = bar0_up(&pdev);
	static const u8 pattern[4] = { 0xa0, 0xa0, 0xa0, 0xa0 };
	u8 back[4];
	memcpy_toio(regs + EPH_MAGIC, pattern, 4);
	memcpy_fromio(back, regs + EPH_MAGIC, 4);
	assert_memory_equal(back, pattern, 4);
	writeb(0x5a, regs + EPH_SIZE + 1);
	assert_int_equal(readl(regs + EPH_SIZE), 0x5a00);

	assert_int_equal(pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_INTX), 1);
	init_completion(&raised);
	status_reads = 0;
	assert_int_equal(request_irq(pci_irq_vector(pdev, 0), reads_status_only, IRQF_SHARED,
				     "status-reader", (void __force *)regs), 0);
	writel(0, regs + EPH_STATUS);
	writel(EPH_IRQ_INTX, regs + EPH_IRQ_TYPE);
	writel(0, regs + EPH_IRQ_NUMBER);
	writel(BIT(0) /* raise INTx */, regs + EPH_COMMAND);
	assert_true(wait_for_completion_timeout(&raised, msecs_to_jiffies(100)) > 0);
	/* taken again while the pulse lasts, then the line is quiet */
	assert_true(status_reads >= 2);
	unsigned int after = status_reads;
	dmp_lx_run_for(1000000);
	assert_int_equal(status_reads, after);
	free_irq(pci_irq_vector(pdev, 0), (void __force *)regs);
	pci_free_irq_vectors(pdev);
	bar0_down(pdev, regs);
}

/*
 * The register block is the first 64 bytes of BAR0; the endpoint's memory
 * follows.  A store across its end lands in both (its upper bytes used to
 * be dropped, and a read across it returned zeroes there); an access past
 * the end of the BAR is refused and reported naming the function and the
 * offset, as every model's out-of-range MMIO access is.
 */
static void test_register_block_end_and_out_of_range(void **state)
{
	(void)state;
	struct pci_dev *pdev;
	void __iomem *regs = bar0_up(&pdev);
	writeq(0x8877665544332211ull, regs + 0x3c); /* register 15, then memory */
	assert_int_equal(readl(regs + 0x3c), 0x44332211);
	assert_int_equal(readl(regs + 0x40), 0x88776655);
	assert_true(readq(regs + 0x3c) == 0x8877665544332211ull);
	writew(0xbeef, regs + 0x3f);                 /* one byte each side */
	assert_int_equal(readb(regs + 0x3f), 0xef);
	assert_int_equal(readb(regs + 0x40), 0xbe);

	size_t bar0 = (size_t)pci_resource_len(pdev, 0);
	assert_int_equal(bar0, 512);
	writew(0x1234, regs + bar0 - 2);
	fixture_log_start();
	writel(0xdeadbeef, regs + bar0 - 2); /* runs 2 bytes past BAR0 */
	assert_int_equal(fixture_log_count(), 1);
	assert_true(fixture_log_has("MMIO write of 4 bytes at offset 0x1fe", "past the end of BAR0",
				    "dropped", NULL));
	assert_int_equal(readl(regs + bar0 - 2), 0xffffffff);
	assert_true(fixture_log_has("MMIO read of 4 bytes at offset 0x1fe", "all ones", NULL));
	fixture_log_stop();
	assert_int_equal(readw(regs + bar0 - 2), 0x1234); /* nothing written */
	bar0_down(pdev, regs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enumeration),
		cmocka_unit_test(test_driver_msi),
		cmocka_unit_test(test_driver_intx),
		cmocka_unit_test(test_function_follows_registers),
		cmocka_unit_test(test_register_bar_as_memory_and_intx_pulse),
		cmocka_unit_test(test_register_block_end_and_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
