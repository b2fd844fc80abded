// SPDX-License-Identifier: MIT
/*
 * ce-platform.c - a Linux platform driver for dmaport's simulated copy
 * engine, written as Linux drivers are and compiled unchanged against
 * dmaport's Linux-compat headers (-I compat).
 *
 * The driver core binds it to every "dmaport,copy-engine" node of the
 * machine's device tree.  probe() takes everything it needs with devm_*
 * calls (registers, the interrupt, the descriptor ring in coherent memory),
 * so an error return and remove() leave nothing behind; it then copies a
 * buffer through the engine as a self-test.  A transfer maps its buffers
 * with the streaming API, posts one descriptor, rings the doorbell and
 * sleeps on a completion that the interrupt handler completes: the engine
 * finishes after its latency in simulated time, raises its level interrupt,
 * and the handler acknowledges it.
 *
 *   dmaport-sim drive examples/platforms/soc-noncoherent.dts ce-platform
 */
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#define CEP_REG_ID 0x00
#define CEP_REG_CTRL 0x08
#define CEP_REG_RING_LO 0x10
#define CEP_REG_RING_HI 0x14
#define CEP_REG_RING_SIZE 0x18
#define CEP_REG_TAIL 0x1c
#define CEP_REG_HEAD 0x20
#define CEP_REG_ERR_CODE 0x30
#define CEP_REG_IRQ_STATUS 0x34
#define CEP_REG_IRQ_ENABLE 0x38
#define CEP_REG_LATENCY 0x3c

#define CEP_ID 0x45434d44
#define CEP_CTRL_ENABLE BIT(0)
#define CEP_CTRL_RESET BIT(1)
#define CEP_IRQ_DONE BIT(0)
#define CEP_IRQ_ERROR BIT(1)
#define CEP_DESC_VALID BIT(0)
#define CEP_DESC_DONE BIT(0)

#define CEP_RING 16
#define CEP_TIMEOUT_MS 100

struct cep_desc {
	__le64 src;
	__le64 dst;
	__le32 len;
	__le32 flags;
	__le32 status;
	__le32 reserved;
};

struct cep {
	struct device *dev;
	void __iomem *regs;
	int irq;
	struct cep_desc *ring;
	dma_addr_t ring_dma;
	u32 tail;
	struct completion done;
	spinlock_t lock;
	u32 irq_seen;
	unsigned int transfers;
};

static unsigned int latency_ns = 2000;
module_param(latency_ns, uint, 0444);
MODULE_PARM_DESC(latency_ns, "simulated time the engine takes per doorbell");

static unsigned int selftest_len = 3000;
module_param(selftest_len, uint, 0444);
MODULE_PARM_DESC(selftest_len, "bytes copied by the self-test at probe (0: none)");

/* Counted for whoever hosts the driver (a test, dmaport-sim's summary). */
static unsigned int cep_selftests_passed;

static irqreturn_t cep_irq(int irq, void *data)
{
	struct cep *cep = data;
	u32 status = readl(cep->regs + CEP_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	/* acknowledge: the engine drops its level interrupt */
	writel(status, cep->regs + CEP_REG_IRQ_STATUS);
	spin_lock(&cep->lock);
	cep->irq_seen |= status;
	spin_unlock(&cep->lock);
	complete(&cep->done);
	return IRQ_HANDLED;
}

static void cep_hw_init(struct cep *cep)
{
	writel(CEP_CTRL_RESET | CEP_CTRL_ENABLE, cep->regs + CEP_REG_CTRL);
	writel(lower_32_bits(cep->ring_dma), cep->regs + CEP_REG_RING_LO);
	writel(upper_32_bits(cep->ring_dma), cep->regs + CEP_REG_RING_HI);
	writel(CEP_RING, cep->regs + CEP_REG_RING_SIZE);
	writel(latency_ns, cep->regs + CEP_REG_LATENCY);
	cep->tail = 0;
}

/* Copy @len bytes from @src to @dst (both kmalloc memory) through the engine. */
static int cep_copy(struct cep *cep, void *dst, const void *src, size_t len)
{
	struct cep_desc *d = &cep->ring[cep->tail % CEP_RING];
	dma_addr_t s, t;
	unsigned long flags;
	u32 seen;
	int ret = 0;

	s = dma_map_single(cep->dev, (void *)src, len, DMA_TO_DEVICE);
	if (dma_mapping_error(cep->dev, s))
		return -ENOMEM;
	t = dma_map_single(cep->dev, dst, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(cep->dev, t)) {
		ret = -ENOMEM;
		goto unmap_src;
	}

	spin_lock_irqsave(&cep->lock, flags);
	cep->irq_seen = 0;
	spin_unlock_irqrestore(&cep->lock, flags);
	reinit_completion(&cep->done);

	d->src = cpu_to_le64(s);
	d->dst = cpu_to_le64(t);
	d->len = cpu_to_le32(len);
	d->status = 0;
	dma_wmb(); /* the fields before VALID */
	d->flags = cpu_to_le32(CEP_DESC_VALID);
	cep->tail++;
	writel(cep->tail, cep->regs + CEP_REG_TAIL); /* orders the ring before the doorbell */

	if (!wait_for_completion_timeout(&cep->done, msecs_to_jiffies(CEP_TIMEOUT_MS))) {
		dev_err(cep->dev, "transfer %u timed out\n", cep->tail);
		ret = -ETIMEDOUT;
	} else {
		spin_lock_irqsave(&cep->lock, flags);
		seen = cep->irq_seen;
		spin_unlock_irqrestore(&cep->lock, flags);
		dma_rmb(); /* the status after the interrupt */
		if ((seen & CEP_IRQ_ERROR) || !(le32_to_cpu(d->status) & CEP_DESC_DONE)) {
			dev_err(cep->dev, "engine error %u\n",
				readl(cep->regs + CEP_REG_ERR_CODE));
			ret = -EIO;
		}
	}
	if (ret)
		cep_hw_init(cep);
	else
		cep->transfers++;

	dma_unmap_single(cep->dev, t, len, DMA_FROM_DEVICE);
unmap_src:
	dma_unmap_single(cep->dev, s, len, DMA_TO_DEVICE);
	return ret;
}

static int cep_selftest(struct cep *cep, size_t len)
{
	u8 *src, *dst;
	int ret;

	src = kmalloc(len, GFP_KERNEL);
	dst = kzalloc(len, GFP_KERNEL);
	if (!src || !dst) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		src[i] = (u8)(i * 7 + 3);
	ret = cep_copy(cep, dst, src, len);
	if (!ret && memcmp(src, dst, len)) {
		dev_err(cep->dev, "self-test: data differs\n");
		ret = -EIO;
	}
out:
	kfree(dst);
	kfree(src);
	return ret;
}

static int cep_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct cep *cep;
	u32 bits;
	int ret;

	cep = devm_kzalloc(dev, sizeof(*cep), GFP_KERNEL);
	if (!cep)
		return -ENOMEM;
	cep->dev = dev;
	init_completion(&cep->done);
	spin_lock_init(&cep->lock);

	cep->regs = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(cep->regs))
		return PTR_ERR(cep->regs);
	if (readl(cep->regs + CEP_REG_ID) != CEP_ID)
		return dev_err_probe(dev, -ENODEV, "not a copy engine\n");

	cep->irq = platform_get_irq(pdev, 0);
	if (cep->irq < 0)
		return cep->irq;

	/* the engine's address width is a property of the instance: the tree says */
	if (of_property_read_u32(dev->of_node, "dmaport,port-bits", &bits))
		bits = 64;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA configuration\n");

	cep->ring = dmam_alloc_coherent(dev, CEP_RING * sizeof(*cep->ring), &cep->ring_dma,
					GFP_KERNEL);
	if (!cep->ring)
		return -ENOMEM;

	cep_hw_init(cep);
	ret = devm_request_irq(dev, cep->irq, cep_irq, 0, dev_name(dev), cep);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request irq %d\n", cep->irq);
	writel(CEP_IRQ_DONE | CEP_IRQ_ERROR, cep->regs + CEP_REG_IRQ_ENABLE);

	platform_set_drvdata(pdev, cep);
	if (selftest_len) {
		ret = cep_selftest(cep, selftest_len);
		if (ret)
			return dev_err_probe(dev, ret, "self-test failed\n");
		cep_selftests_passed++;
	}
	dev_info(dev, "copy engine, irq %d, ring at 0x%llx, self-test of %u bytes passed\n",
		 cep->irq, (unsigned long long)cep->ring_dma, selftest_len);
	return 0;
}

static void cep_remove(struct platform_device *pdev)
{
	struct cep *cep = platform_get_drvdata(pdev);

	/* quiesce the engine; devres frees the ring and the irq after this */
	writel(0, cep->regs + CEP_REG_IRQ_ENABLE);
	writel(CEP_CTRL_RESET, cep->regs + CEP_REG_CTRL);
	dev_info(&pdev->dev, "removed after %u transfers\n", cep->transfers);
}

static const struct of_device_id cep_of_match[] = {
	{ .compatible = "dmaport,copy-engine" },
	{ }
};
MODULE_DEVICE_TABLE(of, cep_of_match);

static struct platform_driver cep_driver = {
	.probe = cep_probe,
	.remove = cep_remove,
	.driver = {
		.name = "dmaport-copy-engine",
		.of_match_table = cep_of_match,
	},
};
module_platform_driver(cep_driver);

MODULE_AUTHOR("dmaport");
MODULE_DESCRIPTION("dmaport copy engine platform driver (example)");
MODULE_LICENSE("Dual MIT/GPL");
