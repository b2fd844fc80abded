/* SPDX-License-Identifier: MIT */
/*
 * zynq-devcfg.c - the Zynq-7000 device configuration interface and plain
 * syscon register blocks (see <dmaport/sim/zynq-devcfg.h>).
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/sim/irq.h>
#include <dmaport/sim/zynq-devcfg.h>

#include "sim-internal.h"

#define R_CTRL 0x00
#define R_LOCK 0x04
#define R_INT_STS 0x0c
#define R_INT_MASK 0x10
#define R_STATUS 0x14
#define R_DMA_SRC_ADDR 0x18
#define R_DMA_DST_ADDR 0x1c
#define R_DMA_SRC_LEN 0x20
#define R_DMA_DEST_LEN 0x24
#define R_UNLOCK 0x34
#define R_MCTRL 0x80

#define CTRL_PROG_B (1u << 30)
#define CTRL_PCAP_PR (1u << 27)
#define CTRL_PCAP_MODE (1u << 26)
#define CTRL_WRITABLE (CTRL_PROG_B | CTRL_PCAP_PR | CTRL_PCAP_MODE | (1u << 25))
#define STATUS_Q_F (1u << 31)
#define STATUS_Q_E (1u << 30)
#define STATUS_PCFG_INIT (1u << 4)
#define IXR_DMA_CMD_ERR (1u << 14)
#define IXR_DMA_DONE (1u << 13)
#define IXR_D_P_DONE (1u << 12)
#define IXR_AXI_RERR (1u << 6)
#define IXR_PCFG_DONE (1u << 2)
#define UNLOCK_KEY 0x757bdf0du
#define SRC_LAST 1u
#define NO_ADDR 0xffffffffu

#define QUEUE 4
#define INIT_DELAY_NS 5000
#define DONE_DELAY_NS 10000
#define CMD_SETUP_NS 1000
#define CHUNK 4096
#define FNV_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

struct cmd {
	uint32_t src, dst, src_words, dst_words;
};

struct devcfg {
	struct dmp_sim_device *dev;
	uint32_t ctrl, lock, int_sts, int_mask, mctrl;
	uint32_t src, dst, src_len;
	bool unlocked, pcfg_init;
	struct cmd q[QUEUE];
	unsigned int q_head, q_len;
	bool busy;
	uint32_t sync_state; /* bytes of the sync word matched so far (4: seen) */
	struct dmp_zynq_devcfg_stats st;
	struct dmp_sim_callout init_later, cmd_later, done_later;
	uint8_t buf[CHUNK];
};

static const uint8_t sync_word[4] = { 0x66, 0x55, 0x99, 0xaa };

static void update_irq(struct devcfg *d)
{
	dmp_sim_device_set_irq_level(d->dev, 0, (d->int_sts & ~d->int_mask) != 0);
}

static void raise(struct devcfg *d, uint32_t cause)
{
	d->int_sts |= cause;
	if (cause & (IXR_DMA_CMD_ERR | IXR_AXI_RERR))
		d->st.errors |= cause;
	update_irq(d);
}

/* The configuration data's hash (the stats'): FNV-1a, a byte at a time. */
static void hash_byte(struct devcfg *d, uint8_t b)
{
	d->st.hash = (d->st.hash ^ b) * FNV_PRIME;
}

/* The PCAP takes @n bytes: the sync word first, then configuration data. */
static void pcap_feed(struct devcfg *d, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (d->sync_state < 4) {
			/* a sync word starts on a word boundary of the stream */
			bool word_start = (d->st.bytes_read - n + i) % 4 == 0;
			if (p[i] == sync_word[d->sync_state] && (d->sync_state || word_start))
				d->sync_state++;
			else
				d->sync_state = p[i] == sync_word[0] && word_start;
			if (d->sync_state < 4)
				continue;
			/* the sync word itself is configuration data */
			for (unsigned int k = 0; k < 4; k++)
				hash_byte(d, sync_word[k]);
			d->st.bytes_config += 4;
			continue;
		}
		hash_byte(d, p[i]);
		d->st.bytes_config++;
	}
}

static void start_next(struct devcfg *d);

/* Run the command at the head of the queue (its time has come). */
static void cmd_run(void *cookie)
{
	struct devcfg *d = cookie;
	struct cmd c = d->q[d->q_head];
	d->q_head = (d->q_head + 1) % QUEUE;
	d->q_len--;
	d->busy = false;
	d->st.commands++;
	dmp_addr_t at = c.src & ~3u;
	size_t left = (size_t)c.src_words * 4;
	while (left) {
		size_t n = left < CHUNK ? left : CHUNK;
		if (dmp_sim_dma_read(d->dev, at, d->buf, n)) {
			raise(d, IXR_AXI_RERR);
			d->q_len = 0; /* the engine stops on an error */
			return;
		}
		d->st.bytes_read += n;
		pcap_feed(d, d->buf, n);
		at += n;
		left -= n;
	}
	raise(d, IXR_DMA_DONE);
	if (c.src & SRC_LAST) {
		raise(d, IXR_D_P_DONE);
		if (d->sync_state == 4 && !d->st.configured)
			dmp_sim_callout_arm(dmp_sim_device_sim(d->dev), &d->done_later,
					    DONE_DELAY_NS);
	}
	start_next(d);
}

static void start_next(struct devcfg *d)
{
	if (d->busy || !d->q_len)
		return;
	const struct cmd *c = &d->q[d->q_head];
	/* 400 MB/s: 2.5 ns a byte */
	uint64_t ns = CMD_SETUP_NS + (uint64_t)c->src_words * 10;
	d->busy = true;
	dmp_sim_callout_arm(dmp_sim_device_sim(d->dev), &d->cmd_later, ns);
}

static void init_rise(void *cookie)
{
	struct devcfg *d = cookie;
	if (d->ctrl & CTRL_PROG_B)
		d->pcfg_init = true;
}

static void config_done(void *cookie)
{
	struct devcfg *d = cookie;
	d->st.configured = true;
	raise(d, IXR_PCFG_DONE);
}

static void push_cmd(struct devcfg *d, uint32_t dst_words)
{
	if (!d->unlocked || !(d->ctrl & CTRL_PCAP_MODE) || !(d->ctrl & CTRL_PCAP_PR) ||
	    d->q_len == QUEUE || d->dst != NO_ADDR) {
		raise(d, IXR_DMA_CMD_ERR);
		return;
	}
	d->q[(d->q_head + d->q_len) % QUEUE] =
		(struct cmd){ .src = d->src, .dst = d->dst, .src_words = d->src_len,
			      .dst_words = dst_words };
	d->q_len++;
	start_next(d);
}

static uint64_t devcfg_read(struct dmp_sim_device *dev, uint64_t off, unsigned width)
{
	struct devcfg *d = dmp_sim_device_priv(dev);
	(void)width;
	switch (off) {
	case R_CTRL: return d->ctrl;
	case R_LOCK: return d->lock;
	case R_INT_STS: return d->int_sts;
	case R_INT_MASK: return d->int_mask;
	case R_STATUS:
		return (d->q_len == QUEUE ? STATUS_Q_F : 0) | (d->q_len == 0 ? STATUS_Q_E : 0) |
		       (d->pcfg_init ? STATUS_PCFG_INIT : 0);
	case R_DMA_SRC_ADDR: return d->src;
	case R_DMA_DST_ADDR: return d->dst;
	case R_DMA_SRC_LEN: return d->src_len;
	case R_MCTRL: return d->mctrl;
	default: return 0;
	}
}

static void devcfg_write(struct dmp_sim_device *dev, uint64_t off, unsigned width, uint64_t val)
{
	struct devcfg *d = dmp_sim_device_priv(dev);
	struct dmp_sim *sim = dmp_sim_device_sim(dev);
	uint32_t v = (uint32_t)val;
	(void)width;
	switch (off) {
	case R_CTRL: {
		uint32_t old = d->ctrl;
		d->ctrl = v & CTRL_WRITABLE;
		if ((old & CTRL_PROG_B) && !(d->ctrl & CTRL_PROG_B)) {
			/* PROG_B low: the FPGA is cleared */
			d->pcfg_init = false;
			d->st.configured = false;
			d->st.bytes_config = 0;
			d->st.hash = FNV_BASIS;
			d->sync_state = 0;
			d->int_sts &= ~IXR_PCFG_DONE;
			dmp_sim_callout_cancel(sim, &d->init_later);
			dmp_sim_callout_cancel(sim, &d->done_later);
			update_irq(d);
		} else if (!(old & CTRL_PROG_B) && (d->ctrl & CTRL_PROG_B)) {
			dmp_sim_callout_arm(sim, &d->init_later, INIT_DELAY_NS);
		}
		break;
	}
	case R_LOCK: d->lock = v; break;
	case R_INT_STS: d->int_sts &= ~v; update_irq(d); break;
	case R_INT_MASK: d->int_mask = v; update_irq(d); break;
	case R_DMA_SRC_ADDR: d->src = v; break;
	case R_DMA_DST_ADDR: d->dst = v; break;
	case R_DMA_SRC_LEN: d->src_len = v; break;
	case R_DMA_DEST_LEN: push_cmd(d, v); break;
	case R_UNLOCK: d->unlocked = d->unlocked || v == UNLOCK_KEY; break;
	case R_MCTRL: d->mctrl = v & (1u << 4); break;
	default: break;
	}
}

static void devcfg_destroy(struct dmp_sim_device *dev)
{
	struct devcfg *d = dmp_sim_device_priv(dev);
	struct dmp_sim *sim = dmp_sim_device_sim(dev);
	dmp_sim_callout_cancel(sim, &d->init_later);
	dmp_sim_callout_cancel(sim, &d->cmd_later);
	dmp_sim_callout_cancel(sim, &d->done_later);
	free(d);
}

static const struct dmp_sim_device_ops devcfg_ops = {
	.mmio_read = devcfg_read,
	.mmio_write = devcfg_write,
	.destroy = devcfg_destroy,
};

int dmp_sim_zynq_devcfg_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
			       struct dmp_sim_device **out)
{
	void *priv;
	int err = dmp__sim_model_create(sim, cfg, &devcfg_ops, DMP_ZYNQ_DEVCFG_MMIO_SIZE,
					sizeof(struct devcfg), &priv, out);
	if (err)
		return err;
	struct devcfg *d = priv;
	d->dev = *out;
	/* out of reset: PROG_B high, the (empty) FPGA initialised, all masked */
	d->ctrl = CTRL_PROG_B;
	d->pcfg_init = true;
	d->int_mask = 0xffffffffu;
	d->dst = NO_ADDR;
	d->st.hash = FNV_BASIS;
	dmp_sim_callout_init(&d->init_later, init_rise, d);
	dmp_sim_callout_init(&d->cmd_later, cmd_run, d);
	dmp_sim_callout_init(&d->done_later, config_done, d);
	return 0;
}

int dmp_sim_zynq_devcfg_stats(struct dmp_sim_device *dev, struct dmp_zynq_devcfg_stats *st)
{
	if (!dev || !st || dev->ops != &devcfg_ops)
		return -EINVAL;
	*st = ((struct devcfg *)dmp_sim_device_priv(dev))->st;
	return 0;
}

/* ---- syscon ------------------------------------------------------------------ */

struct syscon {
	size_t size;
	uint32_t regs[];
};

static uint64_t syscon_read(struct dmp_sim_device *dev, uint64_t off, unsigned width)
{
	struct syscon *s = dmp_sim_device_priv(dev);
	if (off / 4 >= s->size / 4)
		return 0;
	uint32_t v = s->regs[off / 4] >> (8 * (off % 4));
	return width >= 4 ? v : v & ((1u << (8 * width)) - 1);
}

static void syscon_write(struct dmp_sim_device *dev, uint64_t off, unsigned width, uint64_t val)
{
	struct syscon *s = dmp_sim_device_priv(dev);
	if (off / 4 >= s->size / 4)
		return;
	unsigned int sh = 8 * (unsigned int)(off % 4);
	uint32_t mask = width >= 4 ? 0xffffffffu : ((1u << (8 * width)) - 1) << sh;
	s->regs[off / 4] = (s->regs[off / 4] & ~mask) | (((uint32_t)val << sh) & mask);
}

static void syscon_destroy(struct dmp_sim_device *dev)
{
	free(dmp_sim_device_priv(dev));
}

static const struct dmp_sim_device_ops syscon_ops = {
	.mmio_read = syscon_read,
	.mmio_write = syscon_write,
	.destroy = syscon_destroy,
};

int dmp_sim_syscon_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
			  struct dmp_sim_device **out)
{
	if (!cfg || !cfg->mmio_size || cfg->mmio_size > (1u << 20))
		return -EINVAL;
	size_t size = DMP_ALIGN_UP(cfg->mmio_size, 4);
	void *priv;
	int err = dmp__sim_model_create(sim, cfg, &syscon_ops, 0, sizeof(struct syscon) + size,
					&priv, out);
	if (err)
		return err;
	((struct syscon *)priv)->size = size;
	return 0;
}

uint32_t dmp_sim_syscon_peek(struct dmp_sim_device *dev, uint64_t off)
{
	if (!dev || dev->ops != &syscon_ops)
		return 0;
	return (uint32_t)syscon_read(dev, off, 4);
}
