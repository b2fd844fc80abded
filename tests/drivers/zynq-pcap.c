// SPDX-License-Identifier: MIT
/*
 * zynq-pcap.c - an FPGA manager driver for the Zynq device configuration
 * interface (the simulator's "xlnx,zynq-devcfg-1.0" model), written as
 * Linux's FPGA manager drivers are and compiled unchanged against compat:
 * devm resources (registers, clock, interrupt, the manager itself), the
 * SLCR through a syscon regmap, PROG_B pulsed with readl_poll_timeout(), and
 * the image's scatter-gather table DMA-mapped and fed to the engine's
 * 4-deep command queue - refilled from the interrupt handler under a
 * spinlock - while the writer sleeps on a completion.
 *
 * It has no remove(): everything it takes is devres - unless built for
 * Linux 4.20 .. 5.15 (the Makefile builds test-zynq-pcap-5.10.so too), whose
 * manager is created, registered, and unregistered by remove().
 */
#include <linux/clk.h>
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/mfd/syscon.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/regmap.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/version.h>

/* the SLCR's PL reset and level shifter registers */
#define SLCR_PL_RESET 0x240
#define SLCR_LEVEL_SHIFTERS 0x900

enum {
	PCAP_CTRL = 0x00,
	PCAP_IRQ_STATUS = 0x0c,
	PCAP_IRQ_MASK = 0x10,
	PCAP_STATUS = 0x14,
	PCAP_SRC = 0x18,
	PCAP_DST = 0x1c,
	PCAP_SRC_WORDS = 0x20,
	PCAP_DST_WORDS = 0x24,
	PCAP_UNLOCK = 0x34,
};

#define CTRL_PROG_B BIT(30)
#define CTRL_PCAP_ON (BIT(27) | BIT(26))
#define STATUS_QUEUE_FULL BIT(31)
#define STATUS_QUEUE_EMPTY BIT(30)
#define STATUS_INIT BIT(4)
#define IRQ_CMD_DONE BIT(13)
#define IRQ_ALL_DONE BIT(12)
#define IRQ_CONFIGURED BIT(2)
#define IRQ_ERRORS 0x00f0c860
#define SRC_LAST 1
#define UNLOCK_KEY 0x757bdf0d
#define POLL_US 10
#define POLL_TIMEOUT_US 100000

struct pcap {
	struct device *dev;
	void __iomem *base;
	struct regmap *slcr;
	struct clk *clk;
	spinlock_t lock; /* the feeding state, shared with the handler */
	struct scatterlist *next;
	unsigned int left;
	u32 status;
	struct completion done;
	unsigned int irqs;
};

static unsigned int pcap_timeout_ms = 2000;
module_param(pcap_timeout_ms, uint, 0644);

static void pcap_unmask(struct pcap *p, u32 causes)
{
	writel(~causes, p->base + PCAP_IRQ_MASK);
}

/* Queue commands until the queue is full or the table is done; lock held. */
static void pcap_feed(struct pcap *p)
{
	while (p->left && !(readl(p->base + PCAP_STATUS) & STATUS_QUEUE_FULL)) {
		u32 src = (u32)sg_dma_address(p->next);
		u32 words = sg_dma_len(p->next) / 4;

		if (--p->left == 0)
			src |= SRC_LAST;
		else
			p->next = sg_next(p->next);
		writel(src, p->base + PCAP_SRC);
		writel(0xffffffff, p->base + PCAP_DST);
		writel(words, p->base + PCAP_SRC_WORDS);
		writel(0, p->base + PCAP_DST_WORDS);
	}
	/* more to queue: wake on each command; else on the last one's end */
	pcap_unmask(p, (p->left ? IRQ_CMD_DONE : IRQ_ALL_DONE) | IRQ_ERRORS);
}

static irqreturn_t pcap_irq(int irq, void *data)
{
	struct pcap *p = data;
	u32 st = readl(p->base + PCAP_IRQ_STATUS);

	if (!(st & ~readl(p->base + PCAP_IRQ_MASK)))
		return IRQ_NONE;
	p->irqs++;
	spin_lock(&p->lock);
	if (!(st & IRQ_ERRORS) && p->left && (st & IRQ_CMD_DONE)) {
		writel(IRQ_CMD_DONE, p->base + PCAP_IRQ_STATUS);
		pcap_feed(p);
		spin_unlock(&p->lock);
		return IRQ_HANDLED;
	}
	p->status = st;
	pcap_unmask(p, 0);
	spin_unlock(&p->lock);
	complete(&p->done);
	return IRQ_HANDLED;
}

static bool pcap_find_sync(const char *buf, size_t count)
{
	static const u8 sync[4] = { 0x66, 0x55, 0x99, 0xaa };

	for (size_t i = 0; i + 4 <= count; i += 4)
		if (!memcmp(buf + i, sync, 4))
			return true;
	return false;
}

static int pcap_prog_b(struct pcap *p, bool high)
{
	u32 v = readl(p->base + PCAP_CTRL);

	v = high ? v | CTRL_PROG_B : v & ~CTRL_PROG_B;
	writel(v, p->base + PCAP_CTRL);
	return readl_poll_timeout(p->base + PCAP_STATUS, v, !!(v & STATUS_INIT) == high,
				  POLL_US, POLL_TIMEOUT_US);
}

static int pcap_write_init(struct fpga_manager *mgr, struct fpga_image_info *info,
			   const char *buf, size_t count)
{
	struct pcap *p = mgr->priv;
	int ret;

	if (info->flags & FPGA_MGR_ENCRYPTED_BITSTREAM)
		return -EOPNOTSUPP;
	if (!(info->flags & FPGA_MGR_PARTIAL_RECONFIG)) {
		if (!pcap_find_sync(buf, count)) {
			dev_err(&mgr->dev, "no sync word in the image's first %zu bytes\n", count);
			return -EINVAL;
		}
		regmap_write(p->slcr, SLCR_PL_RESET, 0xf);
		regmap_write(p->slcr, SLCR_LEVEL_SHIFTERS, 0xa);
		/* a full configuration clears the FPGA first: PROG_B low, then high */
		ret = pcap_prog_b(p, false);
		if (!ret)
			ret = pcap_prog_b(p, true);
		if (ret) {
			dev_err(&mgr->dev, "PCFG_INIT did not follow PROG_B\n");
			return ret;
		}
	}
	writel(readl(p->base + PCAP_CTRL) | CTRL_PCAP_ON, p->base + PCAP_CTRL);
	if (!(readl(p->base + PCAP_STATUS) & STATUS_QUEUE_EMPTY))
		return -EBUSY;
	return 0;
}

static int pcap_write_sg(struct fpga_manager *mgr, struct sg_table *sgt)
{
	struct pcap *p = mgr->priv;
	struct device *dev = mgr->dev.parent;
	unsigned long flags;
	long left;
	int ret;

	ret = dma_map_sgtable(dev, sgt, DMA_TO_DEVICE, 0);
	if (ret)
		return ret;
	writel(~0u, p->base + PCAP_IRQ_STATUS);
	reinit_completion(&p->done);
	spin_lock_irqsave(&p->lock, flags);
	p->next = sgt->sgl;
	p->left = sgt->nents;
	p->status = 0;
	pcap_feed(p);
	spin_unlock_irqrestore(&p->lock, flags);

	left = wait_for_completion_timeout(&p->done, msecs_to_jiffies(pcap_timeout_ms));
	spin_lock_irqsave(&p->lock, flags);
	pcap_unmask(p, 0);
	if (!left)
		ret = -ETIMEDOUT;
	else if ((p->status & IRQ_ERRORS) || p->left || !(p->status & IRQ_ALL_DONE))
		ret = -EIO;
	p->left = 0;
	spin_unlock_irqrestore(&p->lock, flags);
	dma_unmap_sgtable(dev, sgt, DMA_TO_DEVICE, 0);
	if (ret)
		dev_err(&mgr->dev, "transfer failed (%d), status %#x\n", ret, p->status);
	return ret;
}

static int pcap_write_complete(struct fpga_manager *mgr, struct fpga_image_info *info)
{
	struct pcap *p = mgr->priv;
	u32 st;
	int ret;

	ret = readl_poll_timeout(p->base + PCAP_IRQ_STATUS, st, st & IRQ_CONFIGURED, POLL_US,
				 POLL_TIMEOUT_US);
	if (ret)
		return ret;
	if (!(info->flags & FPGA_MGR_PARTIAL_RECONFIG)) {
		regmap_update_bits(p->slcr, SLCR_LEVEL_SHIFTERS, 0xf, 0xf);
		regmap_write(p->slcr, SLCR_PL_RESET, 0);
	}
	return 0;
}

static enum fpga_mgr_states pcap_state(struct fpga_manager *mgr)
{
	struct pcap *p = mgr->priv;

	return readl(p->base + PCAP_IRQ_STATUS) & IRQ_CONFIGURED ? FPGA_MGR_STATE_OPERATING
								  : FPGA_MGR_STATE_UNKNOWN;
}

static const struct fpga_manager_ops pcap_ops = {
	.initial_header_size = 64,
	.state = pcap_state,
	.write_init = pcap_write_init,
	.write_sg = pcap_write_sg,
	.write_complete = pcap_write_complete,
};

static int pcap_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct fpga_manager *mgr;
	struct pcap *p;
	int irq, ret;

	p = devm_kzalloc(dev, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->dev = dev;
	spin_lock_init(&p->lock);
	init_completion(&p->done);
	p->base = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(p->base))
		return PTR_ERR(p->base);
	p->slcr = syscon_regmap_lookup_by_phandle(dev->of_node, "syscon");
	if (IS_ERR(p->slcr))
		return dev_err_probe(dev, PTR_ERR(p->slcr), "no SLCR\n");
	p->clk = devm_clk_get_enabled(dev, "ref_clk");
	if (IS_ERR(p->clk))
		return dev_err_probe(dev, PTR_ERR(p->clk), "no ref_clk\n");
	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;

	writel(UNLOCK_KEY, p->base + PCAP_UNLOCK);
	pcap_unmask(p, 0);
	writel(~0u, p->base + PCAP_IRQ_STATUS);
	ret = devm_request_irq(dev, irq, pcap_irq, 0, dev_name(dev), p);
	if (ret)
		return ret;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 16, 0)
	mgr = devm_fpga_mgr_register(dev, "dmaport PCAP", &pcap_ops, p);
	if (IS_ERR(mgr))
		return PTR_ERR(mgr);
	platform_set_drvdata(pdev, mgr);
	return 0;
#else
	/* 4.20 .. 5.15: create (devres frees it), register, unregister at remove */
	mgr = devm_fpga_mgr_create(dev, "dmaport PCAP", &pcap_ops, p);
	if (!mgr)
		return -ENOMEM;
	platform_set_drvdata(pdev, mgr);
	return fpga_mgr_register(mgr);
#endif
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 16, 0)
static int pcap_remove(struct platform_device *pdev)
{
	fpga_mgr_unregister(platform_get_drvdata(pdev));
	return 0;
}
#endif

static const struct of_device_id pcap_of_match[] = {
	{ .compatible = "xlnx,zynq-devcfg-1.0" },
	{ }
};
MODULE_DEVICE_TABLE(of, pcap_of_match);

static struct platform_driver pcap_driver = {
	.probe = pcap_probe,
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 16, 0)
	.remove = pcap_remove,
#endif
	.driver = {
		.name = "zynq-pcap",
		.of_match_table = pcap_of_match,
	},
};
module_platform_driver(pcap_driver);

MODULE_DESCRIPTION("FPGA manager for the Zynq PCAP (dmaport test driver)");
MODULE_LICENSE("Dual MIT/GPL");
