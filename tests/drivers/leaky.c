// SPDX-License-Identifier: MIT
/*
 * leaky.c - a deliberately wrong platform driver for the driver core's
 * tests: its probe takes a coherent buffer with plain dma_alloc_coherent
 * (not dmam_) and its remove forgets it, so unbinding leaves an
 * allocation behind that the checker must report, naming the line below;
 * it also requests its interrupt with plain request_irq and never frees
 * it, which the machine's unload must report as left behind.
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>

static irqreturn_t leaky_irq(int irq, void *data)
{
	return IRQ_NONE;
}

static int leaky_probe(struct platform_device *pdev)
{
	dma_addr_t dma;
	void *buf = dma_alloc_coherent(&pdev->dev, 4096, &dma, GFP_KERNEL); /* LEAK */
	int irq = platform_get_irq(pdev, 0);

	if (!buf)
		return -ENOMEM;
	if (irq > 0 && request_irq(irq, leaky_irq, 0, "leaky", pdev)) /* never freed */
		return -EBUSY;
	platform_set_drvdata(pdev, buf);
	return 0;
}

static void leaky_remove(struct platform_device *pdev)
{
	/* forgets dma_free_coherent() */
}

static const struct of_device_id leaky_ids[] = {
	{ .compatible = "dmaport,copy-engine" },
	{ }
};

static struct platform_driver leaky_driver = {
	.probe = leaky_probe,
	.remove = leaky_remove,
	.driver = { .name = "leaky", .of_match_table = leaky_ids },
};
module_platform_driver(leaky_driver);
MODULE_LICENSE("GPL");
