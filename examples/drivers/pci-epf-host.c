// SPDX-License-Identifier: MIT
/*
 * pci-epf-host.c - a Linux PCI driver for the PCI endpoint test function
 * (the simulator's model of Linux's pci-epf-test), written as Linux drivers
 * are and compiled unchanged against dmaport's Linux-compat headers.
 *
 * It binds by vendor and device ID, enables the function with managed PCI
 * (pcim_*: the BAR mapping, the regions and the vectors go at unbind), turns
 * bus mastering on, takes MSI vectors (or INTx when MSI is refused), and at
 * probe runs the three transfers the endpoint offers, each time sleeping on
 * a completion that the interrupt handler completes:
 *   "write": the function reads a host buffer and checks its CRC;
 *   "read":  the function writes random bytes to a host buffer, and their CRC;
 *   "copy":  the function copies one host buffer to another.
 *
 *   dmaport-sim drive examples/platforms/soc-pci.dts pci-epf-host
 */
#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#define EPH_MAGIC 0x00
#define EPH_COMMAND 0x04
#define EPH_STATUS 0x08
#define EPH_SRC_LO 0x0c
#define EPH_SRC_HI 0x10
#define EPH_DST_LO 0x14
#define EPH_DST_HI 0x18
#define EPH_SIZE 0x1c
#define EPH_CHECKSUM 0x20
#define EPH_IRQ_TYPE 0x24
#define EPH_IRQ_NUMBER 0x28

#define EPH_CMD_READ BIT(3)	/* the function reads host memory */
#define EPH_CMD_WRITE BIT(4)	/* the function writes host memory */
#define EPH_CMD_COPY BIT(5)

#define EPH_ST_READ_OK BIT(0)
#define EPH_ST_WRITE_OK BIT(2)
#define EPH_ST_COPY_OK BIT(4)
#define EPH_ST_IRQ BIT(6)

#define EPH_IRQ_INTX 0
#define EPH_IRQ_MSI 1

#define EPH_TIMEOUT_MS 1000

struct eph {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct completion irq_raised;
	int irq_type;
	int last_irq;
	unsigned int transfers;
};

static unsigned int test_size = 8192;
module_param(test_size, uint, 0444);
MODULE_PARM_DESC(test_size, "bytes per self-test transfer");

/* Counted for whoever hosts the driver (a test, dmaport-sim's summary). */
static unsigned int eph_transfers_passed;

static irqreturn_t eph_irq(int irq, void *data)
{
	struct eph *eph = data;
	u32 status = readl(eph->regs + EPH_STATUS);

	if (!(status & EPH_ST_IRQ))
		return IRQ_NONE;
	writel(status & ~EPH_ST_IRQ, eph->regs + EPH_STATUS);
	eph->last_irq = irq;
	complete(&eph->irq_raised);
	return IRQ_HANDLED;
}

/* Start @cmd and wait for its interrupt; returns the status, or -ETIMEDOUT. */
static long eph_command(struct eph *eph, u32 cmd)
{
	reinit_completion(&eph->irq_raised);
	writel(0, eph->regs + EPH_STATUS);
	writel(eph->irq_type, eph->regs + EPH_IRQ_TYPE);
	writel(1, eph->regs + EPH_IRQ_NUMBER);
	writel(cmd, eph->regs + EPH_COMMAND);
	if (!wait_for_completion_timeout(&eph->irq_raised, msecs_to_jiffies(EPH_TIMEOUT_MS)))
		return -ETIMEDOUT;
	return readl(eph->regs + EPH_STATUS);
}

static void eph_set_addr(struct eph *eph, unsigned int lo, dma_addr_t addr)
{
	writel(lower_32_bits(addr), eph->regs + lo);
	writel(upper_32_bits(addr), eph->regs + lo + 4);
}

/* The function reads a buffer the host filled, and checks its CRC. */
static int eph_test_write(struct eph *eph, size_t size)
{
	struct device *dev = &eph->pdev->dev;
	u8 *buf = kmalloc(size, GFP_KERNEL);
	dma_addr_t dma;
	long st;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < size; i++)
		buf[i] = (u8)(i * 31 + 7);
	writel(crc32_le(~0, buf, size), eph->regs + EPH_CHECKSUM);
	dma = dma_map_single(dev, buf, size, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma)) {
		ret = -ENOMEM;
		goto out;
	}
	eph_set_addr(eph, EPH_SRC_LO, dma);
	writel(size, eph->regs + EPH_SIZE);
	st = eph_command(eph, EPH_CMD_READ);
	dma_unmap_single(dev, dma, size, DMA_TO_DEVICE);
	if (st < 0)
		ret = st;
	else if (!(st & EPH_ST_READ_OK))
		ret = -EIO;
out:
	kfree(buf);
	return ret;
}

/* The function writes random bytes and their CRC; the host checks them. */
static int eph_test_read(struct eph *eph, size_t size)
{
	struct device *dev = &eph->pdev->dev;
	u8 *buf = kzalloc(size, GFP_KERNEL);
	dma_addr_t dma;
	long st;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	dma = dma_map_single(dev, buf, size, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dma)) {
		ret = -ENOMEM;
		goto out;
	}
	eph_set_addr(eph, EPH_DST_LO, dma);
	writel(size, eph->regs + EPH_SIZE);
	st = eph_command(eph, EPH_CMD_WRITE);
	dma_unmap_single(dev, dma, size, DMA_FROM_DEVICE);
	if (st < 0)
		ret = st;
	else if (!(st & EPH_ST_WRITE_OK) ||
		 crc32_le(~0, buf, size) != readl(eph->regs + EPH_CHECKSUM))
		ret = -EIO;
out:
	kfree(buf);
	return ret;
}

/* The function copies a coherent buffer into another. */
static int eph_test_copy(struct eph *eph, size_t size)
{
	struct device *dev = &eph->pdev->dev;
	dma_addr_t s, d;
	u8 *src, *dst;
	long st;
	int ret = 0;

	src = dma_alloc_coherent(dev, size, &s, GFP_KERNEL);
	if (!src)
		return -ENOMEM;
	dst = dma_alloc_coherent(dev, size, &d, GFP_KERNEL);
	if (!dst) {
		ret = -ENOMEM;
		goto free_src;
	}
	for (size_t i = 0; i < size; i++)
		src[i] = (u8)(i ^ 0x5a);
	eph_set_addr(eph, EPH_SRC_LO, s);
	eph_set_addr(eph, EPH_DST_LO, d);
	writel(size, eph->regs + EPH_SIZE);
	st = eph_command(eph, EPH_CMD_COPY);
	if (st < 0)
		ret = st;
	else if (!(st & EPH_ST_COPY_OK) || memcmp(src, dst, size))
		ret = -EIO;
	dma_free_coherent(dev, size, dst, d);
free_src:
	dma_free_coherent(dev, size, src, s);
	return ret;
}

static int eph_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct eph *eph;
	int nvec, ret;

	eph = devm_kzalloc(dev, sizeof(*eph), GFP_KERNEL);
	if (!eph)
		return -ENOMEM;
	eph->pdev = pdev;
	init_completion(&eph->irq_raised);

	ret = pcim_enable_device(pdev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable the device\n");
	ret = pcim_iomap_regions(pdev, BIT(0), "pci-epf-host");
	if (ret)
		return dev_err_probe(dev, ret, "cannot map BAR0\n");
	eph->regs = pcim_iomap_table(pdev)[0];
	pci_set_master(pdev);

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret)
		return dev_err_probe(dev, ret, "no 32-bit DMA\n");

	nvec = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (nvec < 0)
		return dev_err_probe(dev, nvec, "no interrupt\n");
	eph->irq_type = pdev->msi_enabled ? EPH_IRQ_MSI : EPH_IRQ_INTX;
	ret = devm_request_irq(dev, pci_irq_vector(pdev, 0), eph_irq, IRQF_SHARED,
			       "pci-epf-host", eph);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request the interrupt\n");
	pci_set_drvdata(pdev, eph);

	if (test_size) {
		ret = eph_test_write(eph, test_size);
		if (!ret)
			ret = eph_test_read(eph, test_size);
		if (!ret)
			ret = eph_test_copy(eph, test_size);
		if (ret)
			return dev_err_probe(dev, ret, "self-test failed\n");
		eph->transfers += 3;
		eph_transfers_passed += 3;
	}
	dev_info(dev, "endpoint test function %04x:%04x, %s irq %d, 3 transfers of %u bytes passed\n",
		 id->vendor, id->device, eph->irq_type == EPH_IRQ_MSI ? "MSI" : "INTx",
		 pci_irq_vector(pdev, 0), test_size);
	return 0;
}

static void eph_remove(struct pci_dev *pdev)
{
	struct eph *eph = pci_get_drvdata(pdev);

	/* the irq (devres) goes before the vectors (pcim), after this */
	dev_info(&pdev->dev, "removed after %u transfers\n", eph->transfers);
}

static const struct pci_device_id eph_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_TI, PCI_DEVICE_ID_TI_DRA74x) },
	{ PCI_DEVICE(PCI_VENDOR_ID_TI, PCI_DEVICE_ID_TI_DRA72x) },
	{ }
};
MODULE_DEVICE_TABLE(pci, eph_ids);

static struct pci_driver eph_driver = {
	.name = "pci-epf-host",
	.id_table = eph_ids,
	.probe = eph_probe,
	.remove = eph_remove,
};
module_pci_driver(eph_driver);

MODULE_AUTHOR("dmaport");
MODULE_DESCRIPTION("host driver for the PCI endpoint test function (example)");
MODULE_LICENSE("Dual MIT/GPL");
