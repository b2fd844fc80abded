/* SPDX-License-Identifier: MIT */
/*
 * copy-engine.c - the simulated copy engine (see <dmaport/sim/copy-engine.h>).
 *
 * Every memory access it makes - descriptors, data, status write-back - goes
 * through dmp_sim_dma_read/write, so the port width, the IOMMU and the cache
 * model apply to all of them.
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/sim/copy-engine.h>
#include <dmaport/sim/irq.h>

#include "sim-internal.h"

#define CE_CHUNK 4096

struct copy_engine {
	uint32_t ctrl, status;
	uint64_t ring;
	uint32_t ring_size;
	uint32_t head, tail, completed;
	uint64_t err_addr;
	uint32_t err_code;
	uint32_t irq_status, irq_enable;
	uint32_t latency_ns;
	struct dmp_sim_callout later; /* the ring run, @latency_ns after the doorbell */
	struct dmp_sim_device *dev;
	uint8_t buf[CE_CHUNK];
};

/* The interrupt output is a level: asserted while an enabled cause is set. */
static void ce_update_irq(struct copy_engine *ce)
{
	dmp_sim_device_set_irq_level(ce->dev, 0, (ce->irq_status & ce->irq_enable) != 0);
}

static void ce_fail(struct copy_engine *ce, uint32_t code, uint64_t addr)
{
	ce->status |= DMP_CE_STATUS_ERROR;
	ce->err_code = code;
	ce->err_addr = addr;
	ce->irq_status |= DMP_CE_IRQ_ERROR;
}

/* Copy or fill one descriptor's data; returns 0 or the failing bus address. */
static int ce_transfer(struct dmp_sim_device *dev, struct copy_engine *ce,
		       const struct dmp_ce_desc *d, uint64_t *fault)
{
	for (uint32_t done = 0; done < d->len;) {
		size_t n = DMP_MIN((size_t)(d->len - done), (size_t)CE_CHUNK);
		if (d->flags & DMP_CE_DESC_FILL) {
			memset(ce->buf, (int)(d->src & 0xff), n);
		} else if (dmp_sim_dma_read(dev, d->src + done, ce->buf, n)) {
			*fault = d->src + done;
			return -1;
		}
		if (dmp_sim_dma_write(dev, d->dst + done, ce->buf, n)) {
			*fault = d->dst + done;
			return -1;
		}
		done += (uint32_t)n;
	}
	return 0;
}

static void ce_run_ring(struct dmp_sim_device *dev)
{
	struct copy_engine *ce = dmp_sim_device_priv(dev);
	if (!(ce->ctrl & DMP_CE_CTRL_ENABLE) || (ce->status & DMP_CE_STATUS_ERROR))
		return;
	if (!DMP_IS_POW2(ce->ring_size) || ce->ring_size > 4096) {
		ce_fail(ce, DMP_CE_ERR_BAD_RING, ce->ring);
		return;
	}
	while (ce->head != ce->tail) {
		uint64_t at = ce->ring + (uint64_t)(ce->head & (ce->ring_size - 1)) * 32;
		struct dmp_ce_desc d;
		if (dmp_sim_dma_read(dev, at, &d, sizeof(d))) {
			ce_fail(ce, DMP_CE_ERR_DMA, at);
			return;
		}
		if (!(d.flags & DMP_CE_DESC_VALID)) {
			ce_fail(ce, DMP_CE_ERR_NOT_READY, at);
			return;
		}
		uint32_t status = DMP_CE_DESC_DONE;
		uint64_t fault = 0;
		if (d.flags & ~(uint32_t)(DMP_CE_DESC_VALID | DMP_CE_DESC_FILL)) {
			ce_fail(ce, DMP_CE_ERR_BAD_DESC, at);
			status = DMP_CE_DESC_FAILED;
		} else if (ce_transfer(dev, ce, &d, &fault)) {
			ce_fail(ce, DMP_CE_ERR_DMA, fault);
			status = DMP_CE_DESC_FAILED;
		}
		/* Write back the status word only; the rest of the descriptor is the driver's. */
		if (dmp_sim_dma_write(dev, at + offsetof(struct dmp_ce_desc, status), &status,
				      sizeof(status)) && status == DMP_CE_DESC_DONE)
			ce_fail(ce, DMP_CE_ERR_DMA, at);
		if (ce->status & DMP_CE_STATUS_ERROR)
			return;
		ce->head++;
		ce->completed++;
		ce->irq_status |= DMP_CE_IRQ_DONE;
	}
}

static void ce_run(struct dmp_sim_device *dev)
{
	struct copy_engine *ce = dmp_sim_device_priv(dev);
	ce_run_ring(dev);
	ce_update_irq(ce);
}

static void ce_later(void *cookie)
{
	ce_run(cookie);
}

static uint64_t ce_read(struct dmp_sim_device *dev, uint64_t off, unsigned width)
{
	struct copy_engine *ce = dmp_sim_device_priv(dev);
	(void)width;
	switch (off) {
	case DMP_CE_REG_ID: return DMP_CE_ID_VALUE;
	case DMP_CE_REG_VERSION: return 1;
	case DMP_CE_REG_CTRL: return ce->ctrl;
	case DMP_CE_REG_STATUS: return ce->status;
	case DMP_CE_REG_RING_LO: return (uint32_t)ce->ring;
	case DMP_CE_REG_RING_HI: return (uint32_t)(ce->ring >> 32);
	case DMP_CE_REG_RING_SIZE: return ce->ring_size;
	case DMP_CE_REG_TAIL: return ce->tail;
	case DMP_CE_REG_HEAD: return ce->head;
	case DMP_CE_REG_COMPLETED: return ce->completed;
	case DMP_CE_REG_ERR_ADDR_LO: return (uint32_t)ce->err_addr;
	case DMP_CE_REG_ERR_ADDR_HI: return (uint32_t)(ce->err_addr >> 32);
	case DMP_CE_REG_ERR_CODE: return ce->err_code;
	case DMP_CE_REG_IRQ_STATUS: return ce->irq_status;
	case DMP_CE_REG_IRQ_ENABLE: return ce->irq_enable;
	case DMP_CE_REG_LATENCY: return ce->latency_ns;
	default: return 0;
	}
}

static void ce_write(struct dmp_sim_device *dev, uint64_t off, unsigned width, uint64_t val)
{
	struct copy_engine *ce = dmp_sim_device_priv(dev);
	uint32_t v = (uint32_t)val;
	(void)width;
	switch (off) {
	case DMP_CE_REG_CTRL:
		if (v & DMP_CE_CTRL_RESET) {
			ce->head = ce->tail = ce->completed = 0;
			ce->status = 0;
			ce->err_code = 0;
			ce->err_addr = 0;
			ce->irq_status = 0;
			dmp_sim_callout_cancel(dmp_sim_device_sim(dev), &ce->later);
		}
		ce->ctrl = v & DMP_CE_CTRL_ENABLE;
		ce_update_irq(ce);
		break;
	case DMP_CE_REG_RING_LO: ce->ring = (ce->ring & ~0xffffffffull) | v; break;
	case DMP_CE_REG_RING_HI: ce->ring = (ce->ring & 0xffffffffull) | ((uint64_t)v << 32); break;
	case DMP_CE_REG_RING_SIZE: ce->ring_size = v; break;
	case DMP_CE_REG_TAIL:
		ce->tail = v;
		if (ce->latency_ns)
			dmp_sim_callout_arm(dmp_sim_device_sim(dev), &ce->later, ce->latency_ns);
		else
			ce_run(dev);
		break;
	case DMP_CE_REG_IRQ_STATUS: /* write 1 to clear */
		ce->irq_status &= ~v;
		ce_update_irq(ce);
		break;
	case DMP_CE_REG_IRQ_ENABLE:
		ce->irq_enable = v & (DMP_CE_IRQ_DONE | DMP_CE_IRQ_ERROR);
		ce_update_irq(ce);
		break;
	case DMP_CE_REG_LATENCY: ce->latency_ns = v; break;
	default: break; /* read-only or unused: ignored, as hardware does */
	}
}

static void ce_destroy(struct dmp_sim_device *dev)
{
	struct copy_engine *ce = dmp_sim_device_priv(dev);
	dmp_sim_callout_cancel(dmp_sim_device_sim(dev), &ce->later);
	free(ce);
}

static const struct dmp_sim_device_ops ce_ops = {
	.mmio_read = ce_read,
	.mmio_write = ce_write,
	.destroy = ce_destroy,
};

int dmp_sim_copy_engine_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
			       struct dmp_sim_device **out)
{
	void *priv;
	int err = dmp__sim_model_create(sim, cfg, &ce_ops, DMP_CE_MMIO_SIZE,
					sizeof(struct copy_engine), &priv, out);
	if (err)
		return err;
	struct copy_engine *ce = priv;
	ce->dev = *out;
	dmp_sim_callout_init(&ce->later, ce_later, *out);
	return 0;
}
