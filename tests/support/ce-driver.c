/* ce-driver.c - see ce-driver.h. */
#include "ce-driver.h"

int ce_probe(struct ce_driver *ce, struct dmp_device *dev, dmp_phys_t mmio, unsigned int entries)
{
	ce->dev = dev;
	ce->entries = entries;
	ce->tail = 0;
	int err = dmp_ioremap(mmio, DMP_CE_MMIO_SIZE, &ce->regs);
	if (err)
		return err;
	ce->ring = dmp_alloc_coherent(dev, entries * sizeof(struct dmp_ce_desc), &ce->ring_dma,
				      DMP_GFP_KERNEL);
	if (!ce->ring) {
		dmp_iounmap(ce->regs);
		return -ENOMEM;
	}
	uint8_t *r = ce->regs;
	dmp_writel(DMP_CE_CTRL_RESET | DMP_CE_CTRL_ENABLE, r + DMP_CE_REG_CTRL);
	dmp_writel((uint32_t)ce->ring_dma, r + DMP_CE_REG_RING_LO);
	dmp_writel((uint32_t)(ce->ring_dma >> 32), r + DMP_CE_REG_RING_HI);
	dmp_writel(entries, r + DMP_CE_REG_RING_SIZE);
	return 0;
}

void ce_remove(struct ce_driver *ce)
{
	dmp_writel(DMP_CE_CTRL_RESET, (uint8_t *)ce->regs + DMP_CE_REG_CTRL);
	dmp_free_coherent(ce->dev, ce->entries * sizeof(struct dmp_ce_desc), ce->ring, ce->ring_dma);
	dmp_iounmap(ce->regs);
}

static int submit(struct ce_driver *ce, uint64_t src, dmp_addr_t dst, uint32_t len, uint32_t flags)
{
	struct dmp_ce_desc *d = &ce->ring[ce->tail % ce->entries];
	d->src = src;
	d->dst = dst;
	d->len = len;
	d->status = 0;
	d->flags = flags | DMP_CE_DESC_VALID;
	ce->tail++;
	dmp_writel(ce->tail, (uint8_t *)ce->regs + DMP_CE_REG_TAIL);
	uint32_t code = dmp_readl((uint8_t *)ce->regs + DMP_CE_REG_ERR_CODE);
	if (code) {
		dmp_writel(DMP_CE_CTRL_RESET | DMP_CE_CTRL_ENABLE,
			   (uint8_t *)ce->regs + DMP_CE_REG_CTRL);
		ce->tail = 0;
		return (int)code;
	}
	return d->status == DMP_CE_DESC_DONE ? 0 : -1;
}

int ce_copy(struct ce_driver *ce, dmp_addr_t src, dmp_addr_t dst, uint32_t len)
{
	return submit(ce, src, dst, len, 0);
}

int ce_fill(struct ce_driver *ce, uint8_t pattern, dmp_addr_t dst, uint32_t len)
{
	return submit(ce, pattern, dst, len, DMP_CE_DESC_FILL);
}
