// SPDX-License-Identifier: MIT
/*
 * pool-test.c - a DMA-pool test module in the shape of Linux's
 * mm/dmapool_test.c, written for dmaport's driver-core tests and compiled
 * against compat/linux alone.
 *
 * module_init does what the Linux module does: it registers a bare struct
 * device of its own (dev_set_name, device_register, dma_mask pointing at a
 * u64 of the module, dma_set_mask_and_coherent) and, for a table of block
 * sizes, alignments and boundaries, creates a pool, allocates blocks in
 * rounds and frees them, timing each shape with ktime.  Unlike the Linux
 * module it also checks each block: the bus address aligned, no block
 * crossing its boundary, blocks not overlapping (a pattern written to each
 * survives the others'), dma_pool_zalloc zeroing.
 *
 * Then it registers a platform driver for the copy engine: probe takes a
 * managed pool (dmam_pool_create) and moves data between pool blocks
 * through the engine, waiting on a completion its interrupt handler
 * completes; pool memory is coherent, so the blocks need no mapping.
 *
 *   dmaport-sim drive examples/platforms/soc-noncoherent.dts build/drivers/test-pool-test.so
 */
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

struct pool_shape {
	size_t size;
	size_t align;
	size_t boundary;
};

static const struct pool_shape shapes[] = {
	{ .size = 16, .align = 16, .boundary = 0 },
	{ .size = 64, .align = 64, .boundary = 0 },
	{ .size = 256, .align = 256, .boundary = 0 },
	{ .size = 1024, .align = 1024, .boundary = 0 },
	{ .size = 4096, .align = 4096, .boundary = 0 },
	{ .size = 68, .align = 32, .boundary = 4096 },
	{ .size = 100, .align = 8, .boundary = 512 },
	{ .size = 3000, .align = 4, .boundary = 0 },
};

struct pool_block {
	void *v;
	dma_addr_t dma;
};

static unsigned int rounds = 4;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "allocate-and-free rounds per pool shape");

static unsigned int copies = 16;
module_param(copies, uint, 0444);
MODULE_PARM_DESC(copies, "transfers between pool blocks per copy engine at probe");

static struct device test_dev;
static u64 test_dma_mask;

static int nr_blocks(size_t size)
{
	return clamp_t(int, (PAGE_SIZE / size) * 8, 32, 512);
}

static int check_block(const struct pool_shape *s, const struct pool_block *b, int i)
{
	if (!IS_ALIGNED(b->dma, s->align)) {
		pr_err("pool-test: block %d at %#llx not aligned to %zu\n", i,
		       (unsigned long long)b->dma, s->align);
		return -EINVAL;
	}
	if (s->boundary &&
	    (b->dma & ~(u64)(s->boundary - 1)) != ((b->dma + s->size - 1) & ~(u64)(s->boundary - 1))) {
		pr_err("pool-test: block %d at %#llx crosses a %zu boundary\n", i,
		       (unsigned long long)b->dma, s->boundary);
		return -EINVAL;
	}
	return 0;
}

static int pool_round(struct dma_pool *pool, const struct pool_shape *s, struct pool_block *b,
		      int n, bool zero)
{
	int i, j, ret = 0;

	for (i = 0; i < n; i++) {
		b[i].v = zero ? dma_pool_zalloc(pool, GFP_KERNEL, &b[i].dma)
			      : dma_pool_alloc(pool, GFP_KERNEL, &b[i].dma);
		if (!b[i].v) {
			ret = -ENOMEM;
			goto free;
		}
		ret = check_block(s, &b[i], i);
		if (ret)
			goto free_this;
		if (zero && memchr_inv(b[i].v, 0, s->size)) {
			pr_err("pool-test: dma_pool_zalloc block %d not zeroed\n", i);
			ret = -EINVAL;
			goto free_this;
		}
		memset(b[i].v, i & 0xff, s->size);
	}
	/* each block still holds its own pattern: none overlaps another */
	for (i = 0; i < n; i++) {
		if (memchr_inv(b[i].v, i & 0xff, s->size)) {
			pr_err("pool-test: block %d (size %zu) overwritten by another\n", i, s->size);
			ret = -EINVAL;
			break;
		}
	}
	i = n;
	goto free;

free_this:
	dma_pool_free(pool, b[i].v, b[i].dma);
free:
	/* odd blocks first, then even: the free lists see holes */
	for (j = 1; j < i; j += 2)
		dma_pool_free(pool, b[j].v, b[j].dma);
	for (j = 0; j < i; j += 2)
		dma_pool_free(pool, b[j].v, b[j].dma);
	return ret;
}

static int pool_test_shape(struct device *dev, const struct pool_shape *s)
{
	int n = nr_blocks(s->size);
	struct pool_block *b;
	struct dma_pool *pool;
	ktime_t start, end;
	unsigned int r;
	int ret = 0;

	b = kcalloc(n, sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	pool = dma_pool_create("pool-test", dev, s->size, s->align, s->boundary);
	if (!pool) {
		ret = -ENOMEM;
		goto free_blocks;
	}
	start = ktime_get();
	for (r = 0; r < rounds && !ret; r++) {
		ret = pool_round(pool, s, b, n, r & 1);
		if (need_resched())
			cond_resched();
	}
	end = ktime_get();
	if (!ret)
		pr_info("pool-test: size:%-4zu align:%-4zu boundary:%-4zu blocks:%-4d ok (%lld us)\n",
			s->size, s->align, s->boundary, n, ktime_us_delta(end, start));
	dma_pool_destroy(pool);
free_blocks:
	kfree(b);
	return ret;
}

static void pool_test_release(struct device *dev)
{
}

static int pool_test_bare_device(void)
{
	unsigned int i;
	int ret;

	ret = dev_set_name(&test_dev, "pool-test");
	if (ret)
		return ret;
	ret = device_register(&test_dev);
	if (ret) {
		pr_err("pool-test: register failed: %d\n", ret);
		goto put;
	}
	test_dev.release = pool_test_release;
	test_dev.dma_mask = &test_dma_mask;
	ret = dma_set_mask_and_coherent(&test_dev, DMA_BIT_MASK(64));
	if (ret) {
		pr_err("pool-test: mask failed: %d\n", ret);
		goto del;
	}
	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		ret = pool_test_shape(&test_dev, &shapes[i]);
		if (ret)
			break;
	}
del:
	device_del(&test_dev);
put:
	put_device(&test_dev);
	return ret;
}

/* --- the copy engine, fed from a pool ------------------------------------------ */

#define PT_REG_ID 0x00
#define PT_REG_CTRL 0x08
#define PT_REG_RING_LO 0x10
#define PT_REG_RING_HI 0x14
#define PT_REG_RING_SIZE 0x18
#define PT_REG_TAIL 0x1c
#define PT_REG_IRQ_STATUS 0x34
#define PT_REG_IRQ_ENABLE 0x38

#define PT_ID 0x45434d44
#define PT_CTRL_ENABLE BIT(0)
#define PT_CTRL_RESET BIT(1)
#define PT_IRQ_DONE BIT(0)
#define PT_IRQ_ERROR BIT(1)
#define PT_DESC_VALID BIT(0)
#define PT_DESC_DONE BIT(0)
#define PT_RING 8
#define PT_BLOCK 512

struct pt_desc {
	__le64 src;
	__le64 dst;
	__le32 len;
	__le32 flags;
	__le32 status;
	__le32 reserved;
};

struct pt_engine {
	struct device *dev;
	void __iomem *regs;
	struct pt_desc *ring;
	dma_addr_t ring_dma;
	struct dma_pool *pool;
	struct completion done;
	u32 status;
	u32 tail;
};

static irqreturn_t pt_irq(int irq, void *data)
{
	struct pt_engine *pt = data;
	u32 status = readl(pt->regs + PT_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	writel(status, pt->regs + PT_REG_IRQ_STATUS);
	pt->status |= status;
	complete(&pt->done);
	return IRQ_HANDLED;
}

static int pt_copy(struct pt_engine *pt, dma_addr_t dst, dma_addr_t src, size_t len)
{
	struct pt_desc *d = &pt->ring[pt->tail % PT_RING];

	reinit_completion(&pt->done);
	pt->status = 0;
	d->src = cpu_to_le64(src);
	d->dst = cpu_to_le64(dst);
	d->len = cpu_to_le32(len);
	d->status = 0;
	dma_wmb();
	d->flags = cpu_to_le32(PT_DESC_VALID);
	writel(++pt->tail, pt->regs + PT_REG_TAIL);
	if (!wait_for_completion_timeout(&pt->done, msecs_to_jiffies(100)))
		return -ETIMEDOUT;
	dma_rmb();
	if ((pt->status & PT_IRQ_ERROR) || !(le32_to_cpu(d->status) & PT_DESC_DONE))
		return -EIO;
	return 0;
}

static int pt_copies(struct pt_engine *pt)
{
	struct pool_block src, dst;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < copies && !ret; i++) {
		size_t len = 1 + (i * 97) % PT_BLOCK;

		src.v = dma_pool_alloc(pt->pool, GFP_KERNEL, &src.dma);
		dst.v = dma_pool_zalloc(pt->pool, GFP_KERNEL, &dst.dma);
		if (!src.v || !dst.v) {
			ret = -ENOMEM;
		} else {
			for (size_t k = 0; k < len; k++)
				((u8 *)src.v)[k] = (u8)(k * 13 + i);
			ret = pt_copy(pt, dst.dma, src.dma, len);
			if (!ret && memcmp(dst.v, src.v, len)) {
				dev_err(pt->dev, "pool-test: copy %u of %zu bytes differs\n", i, len);
				ret = -EIO;
			}
		}
		if (dst.v)
			dma_pool_free(pt->pool, dst.v, dst.dma);
		if (src.v)
			dma_pool_free(pt->pool, src.v, src.dma);
	}
	return ret;
}

static int pt_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct pt_engine *pt;
	int irq, ret;

	pt = devm_kzalloc(dev, sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return -ENOMEM;
	pt->dev = dev;
	init_completion(&pt->done);
	pt->regs = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(pt->regs))
		return PTR_ERR(pt->regs);
	if (readl(pt->regs + PT_REG_ID) != PT_ID)
		return dev_err_probe(dev, -ENODEV, "not a copy engine\n");
	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret)
		return dev_err_probe(dev, ret, "no 32-bit DMA\n");
	pt->ring = dmam_alloc_coherent(dev, PT_RING * sizeof(*pt->ring), &pt->ring_dma,
				       GFP_KERNEL);
	if (!pt->ring)
		return -ENOMEM;
	pt->pool = dmam_pool_create("pool-test-blocks", dev, PT_BLOCK, 64, 4096);
	if (!pt->pool)
		return -ENOMEM;

	writel(PT_CTRL_RESET | PT_CTRL_ENABLE, pt->regs + PT_REG_CTRL);
	writel(lower_32_bits(pt->ring_dma), pt->regs + PT_REG_RING_LO);
	writel(upper_32_bits(pt->ring_dma), pt->regs + PT_REG_RING_HI);
	writel(PT_RING, pt->regs + PT_REG_RING_SIZE);
	ret = devm_request_irq(dev, irq, pt_irq, 0, dev_name(dev), pt);
	if (ret)
		return ret;
	writel(PT_IRQ_DONE | PT_IRQ_ERROR, pt->regs + PT_REG_IRQ_ENABLE);
	platform_set_drvdata(pdev, pt);

	ret = pt_copies(pt);
	if (ret)
		return dev_err_probe(dev, ret, "pool-test: copies through the engine failed\n");
	dev_info(dev, "pool-test: %u copies between pool blocks passed\n", copies);
	return 0;
}

static void pt_remove(struct platform_device *pdev)
{
	struct pt_engine *pt = platform_get_drvdata(pdev);

	writel(0, pt->regs + PT_REG_IRQ_ENABLE);
	writel(PT_CTRL_RESET, pt->regs + PT_REG_CTRL);
}

static const struct of_device_id pt_of_match[] = {
	{ .compatible = "dmaport,copy-engine" },
	{ }
};
MODULE_DEVICE_TABLE(of, pt_of_match);

static struct platform_driver pt_driver = {
	.probe = pt_probe,
	.remove = pt_remove,
	.driver = {
		.name = "pool-test",
		.of_match_table = pt_of_match,
	},
};

static int __init pool_test_init(void)
{
	int ret = pool_test_bare_device();

	if (ret)
		return ret;
	return platform_driver_register(&pt_driver);
}

static void __exit pool_test_exit(void)
{
	platform_driver_unregister(&pt_driver);
}

module_init(pool_test_init);
module_exit(pool_test_exit);
MODULE_DESCRIPTION("dma_pool test in the shape of mm/dmapool_test.c");
MODULE_LICENSE("Dual MIT/GPL");
