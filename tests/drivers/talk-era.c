// SPDX-License-Identifier: MIT
/*
 * talk-era.c - a platform driver for the simulated copy engine written
 * against Linux 3.14's DMA API, as the talk shows it, and built with
 * DMP_LINUX_VERSION = 3.14 (the Makefile): struct dma_attrs with
 * DEFINE_DMA_ATTRS/dma_set_attr, dma_alloc_writecombine, declared coherent
 * memory with flags (the non-exclusive fallback, the exclusive refusal,
 * dma_mark_declared_memory_occupied, dma_release_declared_memory), the
 * default CMA area reserved with dma_contiguous_reserve() by "board code"
 * (the module's init), ARM's IOMMU mapping created and attached by the
 * driver, and the int remove() of platform drivers.
 *
 * On tests/drivers/talk-era.dts: the engine behind the IOMMU copies through
 * an ARM mapping (its bus addresses must lie in the mapping's window); the
 * other one through memory the driver declares from the board's carve-out.
 * Each step prints "talk-era: <step> ok" or fails the probe.
 */
#include <linux/completion.h>
#include <linux/dma-contiguous.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/version.h>
#include <asm/dma-iommu.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 8, 0)
#error "talk-era.c is a Linux 3.14 driver: build it with DMP_LINUX_VERSION=KERNEL_VERSION(3,14,0)"
#endif

#define TE_ID 0x00
#define TE_CTRL 0x08
#define TE_RING_LO 0x10
#define TE_RING_HI 0x14
#define TE_RING_SIZE 0x18
#define TE_TAIL 0x1c
#define TE_IRQ_STATUS 0x34
#define TE_IRQ_ENABLE 0x38

#define TE_MAGIC 0x45434d44
#define TE_ENABLE (1 << 0)
#define TE_RESET (1 << 1)
#define TE_DONE (1 << 0)
#define TE_ERROR (1 << 1)
#define TE_VALID 1
#define TE_RING 8

/* the board's carve-out (talk-era.dts), known by address as board files did */
static unsigned long carveout = 0x9e000000;
module_param(carveout, ulong, 0444);

#define TE_WINDOW_BASE 0x20000000
#define TE_WINDOW_SIZE SZ_128M

struct te_desc {
	u64 src;
	u64 dst;
	u32 len;
	u32 flags;
	u32 status;
	u32 pad;
};

struct te {
	struct device *dev;
	void __iomem *regs;
	struct te_desc *ring;
	dma_addr_t ring_dma;
	unsigned int tail;
	struct completion done;
	u32 status;
	struct dma_iommu_mapping *mapping;
	bool declared;
};

static irqreturn_t te_irq(int irq, void *data)
{
	struct te *te = data;
	u32 st = readl(te->regs + TE_IRQ_STATUS);

	if (!st)
		return IRQ_NONE;
	writel(st, te->regs + TE_IRQ_STATUS);
	te->status |= st;
	complete(&te->done);
	return IRQ_HANDLED;
}

static int te_copy(struct te *te, dma_addr_t dst, dma_addr_t src, size_t len)
{
	struct te_desc *d = &te->ring[te->tail % TE_RING];

	te->status = 0;
	reinit_completion(&te->done);
	d->src = src;
	d->dst = dst;
	d->len = len;
	d->status = 0;
	wmb();
	d->flags = TE_VALID;
	writel(++te->tail, te->regs + TE_TAIL);
	if (!wait_for_completion_timeout(&te->done, HZ / 10))
		return -ETIMEDOUT;
	return (te->status & TE_ERROR) || !(d->status & 1) ? -EIO : 0;
}

/* Streaming copy with 3.x attributes: @attrs on the source mapping. */
static int te_stream(struct te *te, size_t len, struct dma_attrs *attrs, dma_addr_t *seen)
{
	u8 *src = kmalloc(len, GFP_KERNEL), *dst = kzalloc(len, GFP_KERNEL);
	dma_addr_t s, t;
	int ret = -ENOMEM;
	size_t i;

	if (!src || !dst)
		goto out;
	for (i = 0; i < len; i++)
		src[i] = (u8)(i ^ 0x5a);
	s = dma_map_single_attrs(te->dev, src, len, DMA_TO_DEVICE, attrs);
	if (dma_mapping_error(te->dev, s))
		goto out;
	if (dma_get_attr(DMA_ATTR_SKIP_CPU_SYNC, attrs))
		dma_sync_single_for_device(te->dev, s, len, DMA_TO_DEVICE);
	t = dma_map_single_attrs(te->dev, dst, len, DMA_FROM_DEVICE, NULL);
	if (dma_mapping_error(te->dev, t)) {
		dma_unmap_single_attrs(te->dev, s, len, DMA_TO_DEVICE, attrs);
		goto out;
	}
	ret = te_copy(te, t, s, len);
	dma_unmap_single_attrs(te->dev, t, len, DMA_FROM_DEVICE, NULL);
	dma_unmap_single_attrs(te->dev, s, len, DMA_TO_DEVICE, attrs);
	if (!ret && memcmp(src, dst, len))
		ret = -EIO;
	seen[0] = s;
	seen[1] = t;
out:
	kfree(dst);
	kfree(src);
	return ret;
}

/* Coherent copy between two buffers from @dev's coherent allocator. */
static int te_coherent_copy(struct te *te, size_t len)
{
	dma_addr_t a, b;
	u8 *x = dma_alloc_coherent(te->dev, len, &a, GFP_KERNEL);
	u8 *y = dma_alloc_writecombine(te->dev, len, &b, GFP_KERNEL);
	int ret = -ENOMEM;

	if (x && y) {
		memset(x, 0xc3, len);
		memset(y, 0, len);
		wmb();
		ret = te_copy(te, b, a, len);
		if (!ret && (y[0] != 0xc3 || y[len - 1] != 0xc3))
			ret = -EIO;
	}
	if (y)
		dma_free_writecombine(te->dev, len, y, b);
	if (x)
		dma_free_coherent(te->dev, len, x, a);
	return ret;
}

#define STEP(cond, what)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			dev_err(te->dev, "talk-era: %s failed (line %d)\n", what, __LINE__); \
			return -EIO;                                                      \
		}                                                                         \
		pr_info("talk-era: %s ok\n", what);                                       \
	} while (0)

static int te_iommu_attach(struct te *te)
{
	int ret;

	te->mapping = arm_iommu_create_mapping(&platform_bus_type, TE_WINDOW_BASE, TE_WINDOW_SIZE, 0);
	STEP(!IS_ERR(te->mapping), "arm_iommu_create_mapping");
	ret = arm_iommu_attach_device(te->dev, te->mapping);
	STEP(ret == 0, "arm_iommu_attach_device");
	STEP(to_dma_iommu_mapping(te->dev) == te->mapping, "to_dma_iommu_mapping");
	return 0;
}

static int te_iommu_copies(struct te *te)
{
	DEFINE_DMA_ATTRS(attrs);
	dma_addr_t seen[2];
	int ret;

	STEP(te->ring_dma >= TE_WINDOW_BASE && te->ring_dma < TE_WINDOW_BASE + TE_WINDOW_SIZE,
	     "the ring allocated through the mapping");
	dma_set_attr(DMA_ATTR_SKIP_CPU_SYNC, &attrs);
	STEP(dma_get_attr(DMA_ATTR_SKIP_CPU_SYNC, &attrs) &&
		     !dma_get_attr(DMA_ATTR_WRITE_COMBINE, &attrs), "dma_set_attr/dma_get_attr");
	ret = te_stream(te, 5000, &attrs, seen);
	STEP(ret == 0, "copy through the ARM mapping");
	STEP(seen[0] >= TE_WINDOW_BASE && seen[0] < TE_WINDOW_BASE + TE_WINDOW_SIZE &&
		     seen[1] >= TE_WINDOW_BASE && seen[1] < TE_WINDOW_BASE + TE_WINDOW_SIZE,
	     "bus addresses inside the mapping's window");
	STEP(te_coherent_copy(te, 8192) == 0, "coherent and writecombine through the mapping");
	return 0;
}

static int te_declared_steps(struct te *te)
{
	DEFINE_DMA_ATTRS(wc);
	dma_addr_t h1, h2, h3, seen[2];
	void *p, *b1, *b2, *b3;
	int ret;

	/* non-exclusive: a full region falls back to normal memory */
	ret = dma_declare_coherent_memory(te->dev, carveout, carveout, SZ_64K, DMA_MEMORY_MAP);
	STEP(ret == DMA_MEMORY_MAP, "dma_declare_coherent_memory returns DMA_MEMORY_MAP");
	te->declared = true;
	p = dma_mark_declared_memory_occupied(te->dev, carveout, PAGE_SIZE);
	STEP(!IS_ERR(p), "dma_mark_declared_memory_occupied");
	b1 = dma_alloc_coherent(te->dev, SZ_32K, &h1, GFP_KERNEL);
	STEP(b1 && h1 == carveout + SZ_32K, "allocation from the declared region");
	b2 = dma_alloc_coherent(te->dev, SZ_32K, &h2, GFP_KERNEL);
	STEP(b2 && (h2 < carveout || h2 >= carveout + SZ_64K),
	     "non-exclusive region full: normal memory");
	dma_set_attr(DMA_ATTR_WRITE_COMBINE, &wc);
	b3 = dma_alloc_attrs(te->dev, PAGE_SIZE, &h3, GFP_KERNEL, &wc);
	STEP(b3 && h3 >= carveout && h3 < carveout + SZ_64K,
	     "dma_alloc_attrs(struct dma_attrs *) from the region");
	dma_free_attrs(te->dev, PAGE_SIZE, b3, h3, &wc);
	dma_free_coherent(te->dev, SZ_32K, b2, h2);
	dma_free_coherent(te->dev, SZ_32K, b1, h1);
	STEP(te_coherent_copy(te, 4096) == 0, "copy between buffers of the declared region");
	dma_release_declared_memory(te->dev);

	/* exclusive: no fallback */
	ret = dma_declare_coherent_memory(te->dev, carveout, carveout, SZ_64K,
					  DMA_MEMORY_MAP | DMA_MEMORY_EXCLUSIVE);
	STEP(ret == DMA_MEMORY_MAP, "dma_declare_coherent_memory(EXCLUSIVE)");
	b1 = dma_alloc_coherent(te->dev, SZ_64K, &h1, GFP_KERNEL);
	b2 = dma_alloc_coherent(te->dev, PAGE_SIZE, &h2, GFP_KERNEL | __GFP_NOWARN);
	STEP(b1 && !b2, "exclusive region full: the allocation fails");
	dma_free_coherent(te->dev, SZ_64K, b1, h1);
	dma_release_declared_memory(te->dev);
	STEP(dma_declare_coherent_memory(te->dev, carveout, carveout, SZ_64K, 0) == 0,
	     "dma_declare_coherent_memory without MAP or IO fails");
	te->declared = false;

	/* the default CMA area the module reserved */
	STEP(dev_get_cma_area(te->dev) && !strcmp(cma_get_name(dev_get_cma_area(te->dev)),
						  "reserved"),
	     "dma_contiguous_reserve made the default area");
	ret = te_stream(te, 3000, NULL, seen);
	STEP(ret == 0, "copy with NULL attrs");
	return 0;
}

static int te_probe(struct platform_device *pdev)
{
	struct te *te;
	struct resource *res;
	int irq, ret;

	te = devm_kzalloc(&pdev->dev, sizeof(*te), GFP_KERNEL);
	if (!te)
		return -ENOMEM;
	te->dev = &pdev->dev;
	init_completion(&te->done);
	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	te->regs = devm_ioremap_resource(&pdev->dev, res);
	if (IS_ERR(te->regs))
		return PTR_ERR(te->regs);
	if (readl(te->regs + TE_ID) != TE_MAGIC)
		return -ENODEV;
	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;
	ret = devm_request_irq(&pdev->dev, irq, te_irq, 0, dev_name(&pdev->dev), te);
	if (ret)
		return ret;
	dma_set_mask(&pdev->dev, DMA_BIT_MASK(32));
	dma_set_coherent_mask(&pdev->dev, DMA_BIT_MASK(32));
	platform_set_drvdata(pdev, te);

	if (of_find_property(pdev->dev.of_node, "iommus", NULL)) {
		/* the mapping first: the ring is allocated through it */
		ret = te_iommu_attach(te);
		if (ret)
			goto fail;
	}
	te->ring = dma_alloc_coherent(&pdev->dev, TE_RING * sizeof(*te->ring), &te->ring_dma,
				      GFP_KERNEL);
	if (!te->ring) {
		ret = -ENOMEM;
		goto fail;
	}
	writel(TE_RESET | TE_ENABLE, te->regs + TE_CTRL);
	writel(lower_32_bits(te->ring_dma), te->regs + TE_RING_LO);
	writel(upper_32_bits(te->ring_dma), te->regs + TE_RING_HI);
	writel(TE_RING, te->regs + TE_RING_SIZE);
	writel(TE_DONE | TE_ERROR, te->regs + TE_IRQ_ENABLE);

	ret = te->mapping ? te_iommu_copies(te) : te_declared_steps(te);
	if (ret)
		goto fail_ring;
	dev_info(&pdev->dev, "talk-era: probed (%s)\n",
		 te->mapping ? "ARM IOMMU mapping" : "declared memory");
	return 0;

fail_ring:
	writel(TE_RESET, te->regs + TE_CTRL);
	dma_free_coherent(&pdev->dev, TE_RING * sizeof(*te->ring), te->ring, te->ring_dma);
fail:
	if (te->declared)
		dma_release_declared_memory(&pdev->dev);
	if (te->mapping && !IS_ERR(te->mapping)) {
		if (to_dma_iommu_mapping(&pdev->dev))
			arm_iommu_detach_device(&pdev->dev);
		arm_iommu_release_mapping(te->mapping);
	}
	return ret;
}

static int te_remove(struct platform_device *pdev)
{
	struct te *te = platform_get_drvdata(pdev);

	writel(0, te->regs + TE_IRQ_ENABLE);
	writel(TE_RESET, te->regs + TE_CTRL);
	dma_free_coherent(&pdev->dev, TE_RING * sizeof(*te->ring), te->ring, te->ring_dma);
	if (te->mapping) {
		arm_iommu_detach_device(&pdev->dev);
		arm_iommu_release_mapping(te->mapping);
	}
	dev_info(&pdev->dev, "talk-era: removed\n");
	return 0;
}

static const struct of_device_id te_of_match[] = {
	{ .compatible = "dmaport,copy-engine" },
	{ }
};
MODULE_DEVICE_TABLE(of, te_of_match);

static struct platform_driver te_driver = {
	.probe = te_probe,
	.remove = te_remove,
	.driver = {
		.name = "talk-era",
		.owner = THIS_MODULE,
		.of_match_table = te_of_match,
	},
};

static int __init te_init(void)
{
	/* what the board's machine code did at boot, before drivers */
	dma_contiguous_reserve(0);
	return platform_driver_register(&te_driver);
}

static void __exit te_exit(void)
{
	platform_driver_unregister(&te_driver);
}

module_init(te_init);
module_exit(te_exit);
MODULE_LICENSE("Dual MIT/GPL");
