// SPDX-License-Identifier: MIT
/*
 * leaky.c - a deliberately wrong platform driver for the driver core's
 * tests: its probe takes a coherent buffer with plain dma_alloc_coherent
 * (not dmam_) and its remove forgets it, so unbinding leaves an
 * allocation behind that the checker must report, naming the line below.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>

static int leaky_probe(struct platform_device *pdev)
{
	dma_addr_t dma;
	void *buf = dma_alloc_coherent(&pdev->dev, 4096, &dma, GFP_KERNEL); /* LEAK */

	if (!buf)
		return -ENOMEM;
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
