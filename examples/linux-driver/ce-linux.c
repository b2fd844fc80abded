// SPDX-License-Identifier: MIT
/*
 * ce-linux.c - a driver for dmaport's simulated copy engine, written as a
 * Linux platform driver and compiled unchanged against dmaport's
 * Linux-compat headers (-I compat).
 *
 * The engine reads a ring of descriptors from coherent memory; the driver
 * fills a descriptor, orders its fields before the VALID bit with
 * dma_wmb(), and rings the doorbell with writel() (which orders the ring
 * stores before the MMIO write).  Buffers are streaming mappings: a source
 * mapped per transfer, and a receive buffer mapped once at probe and handed
 * back and forth with dma_sync_single_for_device/_for_cpu.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ce-linux-hw.h"

struct ce_linux {
	struct device *dev;
	void __iomem *regs;
	struct ce_desc *ring;
	dma_addr_t ring_dma;
	u32 tail;
	void *rx_buf;
	dma_addr_t rx_dma;
};

static void ce_hw_start(struct ce_linux *ce)
{
	writel(CE_CTRL_RESET | CE_CTRL_ENABLE, ce->regs + CE_REG_CTRL);
	writel(lower_32_bits(ce->ring_dma), ce->regs + CE_REG_RING_LO);
	writel(upper_32_bits(ce->ring_dma), ce->regs + CE_REG_RING_HI);
	writel(CE_RING_ENTRIES, ce->regs + CE_REG_RING_SIZE);
	ce->tail = 0;
}

static int ce_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct resource *res;
	struct ce_linux *ce;
	int ret;

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res)
		return -ENODEV;

	ce = kzalloc(sizeof(*ce), GFP_KERNEL);
	if (!ce)
		return -ENOMEM;
	ce->dev = dev;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
		if (ret) {
			dev_err(dev, "no usable DMA configuration\n");
			goto err_free;
		}
	}

	ce->regs = ioremap(res->start, resource_size(res));
	if (!ce->regs) {
		ret = -ENOMEM;
		goto err_free;
	}
	if (readl(ce->regs + CE_REG_ID) != CE_ID_VALUE) {
		dev_err(dev, "not a copy engine\n");
		ret = -ENODEV;
		goto err_unmap_regs;
	}

	ce->ring = dma_alloc_coherent(dev, CE_RING_ENTRIES * sizeof(*ce->ring), &ce->ring_dma,
				      GFP_KERNEL);
	if (!ce->ring) {
		ret = -ENOMEM;
		goto err_unmap_regs;
	}

	ce->rx_buf = kmalloc(CE_RX_BUF_SIZE, GFP_KERNEL);
	if (!ce->rx_buf) {
		ret = -ENOMEM;
		goto err_free_ring;
	}
	ce->rx_dma = dma_map_single(dev, ce->rx_buf, CE_RX_BUF_SIZE, DMA_FROM_DEVICE);
	ret = dma_mapping_error(dev, ce->rx_dma);
	if (ret)
		goto err_free_rx;

	ce_hw_start(ce);
	platform_set_drvdata(pdev, ce);
	dev_info(dev, "copy engine: %u descriptors at bus address 0x%llx\n", CE_RING_ENTRIES,
		 (unsigned long long)ce->ring_dma);
	return 0;

err_free_rx:
	kfree(ce->rx_buf);
err_free_ring:
	dma_free_coherent(dev, CE_RING_ENTRIES * sizeof(*ce->ring), ce->ring, ce->ring_dma);
err_unmap_regs:
	iounmap(ce->regs);
err_free:
	kfree(ce);
	return ret;
}

static void ce_remove(struct platform_device *pdev)
{
	struct ce_linux *ce = platform_get_drvdata(pdev);

	writel(CE_CTRL_RESET, ce->regs + CE_REG_CTRL);
	dma_unmap_single(ce->dev, ce->rx_dma, CE_RX_BUF_SIZE, DMA_FROM_DEVICE);
	kfree(ce->rx_buf);
	dma_free_coherent(ce->dev, CE_RING_ENTRIES * sizeof(*ce->ring), ce->ring, ce->ring_dma);
	iounmap(ce->regs);
	kfree(ce);
	platform_set_drvdata(pdev, NULL);
}

/* Post one descriptor, ring the doorbell, and wait for it (the engine runs at the doorbell). */
static int ce_submit(struct ce_linux *ce, u64 src, dma_addr_t dst, u32 len, u32 flags)
{
	struct ce_desc *d = &ce->ring[ce->tail % CE_RING_ENTRIES];
	u32 status;

	d->src = cpu_to_le64(src);
	d->dst = cpu_to_le64(dst);
	d->len = cpu_to_le32(len);
	d->status = 0;
	/* the fields must be visible before the engine can see VALID */
	dma_wmb();
	d->flags = cpu_to_le32(flags | CE_DESC_VALID);
	ce->tail++;
	/* writel orders the descriptor before the doorbell */
	writel(ce->tail, ce->regs + CE_REG_TAIL);

	if (readl(ce->regs + CE_REG_HEAD) != ce->tail || readl(ce->regs + CE_REG_ERR_CODE)) {
		dev_err(ce->dev, "engine error %u at descriptor %u\n",
			readl(ce->regs + CE_REG_ERR_CODE), ce->tail - 1);
		ce_hw_start(ce);
		return -EIO;
	}
	/* read the status the engine wrote only after seeing its progress */
	dma_rmb();
	status = le32_to_cpu(READ_ONCE(d->status));
	return status == CE_DESC_DONE ? 0 : -EIO;
}

int ce_linux_copy(struct platform_device *pdev, void *dst, const void *src, size_t len)
{
	struct ce_linux *ce = platform_get_drvdata(pdev);
	dma_addr_t src_dma;
	int ret;

	if (WARN_ON(len == 0 || len > CE_RX_BUF_SIZE))
		return -EINVAL;

	src_dma = dma_map_single(ce->dev, (void *)src, len, DMA_TO_DEVICE);
	ret = dma_mapping_error(ce->dev, src_dma);
	if (ret)
		return ret;

	dma_sync_single_for_device(ce->dev, ce->rx_dma, len, DMA_FROM_DEVICE);
	ret = ce_submit(ce, src_dma, ce->rx_dma, (u32)len, 0);
	dma_sync_single_for_cpu(ce->dev, ce->rx_dma, len, DMA_FROM_DEVICE);
	if (!ret)
		memcpy(dst, ce->rx_buf, len);

	dma_unmap_single(ce->dev, src_dma, len, DMA_TO_DEVICE);
	return ret;
}

int ce_linux_fill(struct platform_device *pdev, void *buf, u8 pattern, size_t len)
{
	struct ce_linux *ce = platform_get_drvdata(pdev);
	dma_addr_t dma;
	int ret;

	if (WARN_ON(len == 0 || len > U32_MAX))
		return -EINVAL;

	dma = dma_map_single(ce->dev, buf, len, DMA_FROM_DEVICE);
	ret = dma_mapping_error(ce->dev, dma);
	if (ret)
		return ret;
	ret = ce_submit(ce, pattern, dma, (u32)len, CE_DESC_FILL);
	dma_unmap_single(ce->dev, dma, len, DMA_FROM_DEVICE);
	return ret;
}

struct platform_driver ce_linux_driver = {
	.probe = ce_probe,
	.remove = ce_remove,
	.driver = {
		.name = "dmaport-copy-engine",
	},
};
