/* SPDX-License-Identifier: MIT */
/*
 * eth-nic.c - a simulated Ethernet controller with descriptor rings (see
 * <dmaport/sim/eth-nic.h>).
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/sim/eth-nic.h>
#include <dmaport/sim/irq.h>

#include "sim-internal.h"

#define R_ID 0x00
#define R_CTRL 0x04
#define R_MAC_LO 0x08
#define R_MAC_HI 0x0c
#define R_TX_LO 0x10
#define R_TX_HI 0x14
#define R_TX_SIZE 0x18
#define R_TX_TAIL 0x1c
#define R_TX_HEAD 0x20
#define R_RX_LO 0x30
#define R_RX_HI 0x34
#define R_RX_SIZE 0x38
#define R_RX_TAIL 0x3c
#define R_RX_HEAD 0x40
#define R_IRQ_STATUS 0x50
#define R_IRQ_ENABLE 0x54
#define R_TX_FRAMES 0x60
#define R_RX_FRAMES 0x64
#define R_RX_DROPPED 0x68

#define NIC_ID 0x45544831u
#define CTRL_ENABLE (1u << 0)
#define CTRL_RESET (1u << 1)
#define CTRL_LOOPBACK (1u << 2)
#define IRQ_TX_DONE (1u << 0)
#define IRQ_RX_DONE (1u << 1)
#define IRQ_RX_NOBUF (1u << 2)
#define IRQ_ERROR (1u << 3)
#define DESC_DONE 1u
#define DESC_SIZE 16
#define RING_MAX 4096
#define FRAME_SETUP_NS 1000
#define BYTE_NS 8
#define WIRE_FRAMES 64

struct ring {
	uint64_t base;
	uint32_t size, head, tail;
};

struct wire_frame {
	uint16_t len;
	uint8_t data[DMP_ETH_NIC_MAX_FRAME];
};

struct nic {
	struct dmp_sim_device *dev;
	uint32_t ctrl, irq_status, irq_enable;
	uint8_t mac[6];
	struct ring tx, rx;
	bool tx_busy;
	struct dmp_sim_callout tx_later;
	struct dmp_eth_nic_stats st;
	uint8_t frame[DMP_ETH_NIC_MAX_FRAME];
	struct wire_frame wire[WIRE_FRAMES];
	unsigned int wire_head, wire_len;
};

static void update_irq(struct nic *n)
{
	dmp_sim_device_set_irq_level(n->dev, 0, (n->irq_status & n->irq_enable) != 0);
}

static void raise(struct nic *n, uint32_t cause)
{
	n->irq_status |= cause;
	update_irq(n);
}

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static bool ring_has_work(const struct ring *r)
{
	return r->size && r->head != r->tail;
}

/* A frame arrives (looped back or from the wire): into the buffer at RX_HEAD. */
static void receive(struct nic *n, const uint8_t *frame, size_t len)
{
	struct ring *r = &n->rx;
	if (!ring_has_work(r)) {
		n->st.rx_dropped++;
		raise(n, IRQ_RX_NOBUF);
		return;
	}
	uint8_t d[DESC_SIZE];
	dmp_addr_t at = r->base + (uint64_t)r->head * DESC_SIZE;
	if (dmp_sim_dma_read(n->dev, at, d, sizeof(d)))
		goto error;
	uint64_t buf = get_le(d, 8);
	size_t cap = (size_t)get_le(d + 8, 2);
	if (len > cap || dmp_sim_dma_write(n->dev, buf, frame, len))
		goto error;
	put_le(d + 12, DESC_DONE | (uint64_t)len << 16, 4);
	if (dmp_sim_dma_write(n->dev, at + 12, d + 12, 4))
		goto error;
	r->head = (r->head + 1) % r->size;
	n->st.rx_frames++;
	n->st.rx_bytes += len;
	raise(n, IRQ_RX_DONE);
	return;
error:
	n->st.errors++;
	n->st.rx_dropped++;
	raise(n, IRQ_ERROR);
}

static void wire_push(struct nic *n, const uint8_t *frame, size_t len)
{
	if (n->wire_len == WIRE_FRAMES) { /* the oldest falls off */
		n->wire_head = (n->wire_head + 1) % WIRE_FRAMES;
		n->wire_len--;
	}
	struct wire_frame *w = &n->wire[(n->wire_head + n->wire_len) % WIRE_FRAMES];
	w->len = (uint16_t)len;
	memcpy(w->data, frame, len);
	n->wire_len++;
}

static void tx_schedule(struct nic *n);

/* The time of the TX descriptor at TX_HEAD has come. */
static void tx_run(void *cookie)
{
	struct nic *n = cookie;
	struct ring *r = &n->tx;
	n->tx_busy = false;
	if (!(n->ctrl & CTRL_ENABLE) || !ring_has_work(r))
		return;
	uint8_t d[DESC_SIZE];
	dmp_addr_t at = r->base + (uint64_t)r->head * DESC_SIZE;
	size_t len = 0;
	if (dmp_sim_dma_read(n->dev, at, d, sizeof(d)))
		goto error;
	len = (size_t)get_le(d + 8, 2);
	if (!len || len > DMP_ETH_NIC_MAX_FRAME || dmp_sim_dma_read(n->dev, get_le(d, 8), n->frame, len))
		goto error;
	put_le(d + 12, DESC_DONE, 4);
	if (dmp_sim_dma_write(n->dev, at + 12, d + 12, 4))
		goto error;
	r->head = (r->head + 1) % r->size;
	n->st.tx_frames++;
	n->st.tx_bytes += len;
	raise(n, IRQ_TX_DONE);
	if (n->ctrl & CTRL_LOOPBACK)
		receive(n, n->frame, len);
	else
		wire_push(n, n->frame, len);
	tx_schedule(n);
	return;
error:
	/* the ring stops at the bad descriptor until a reset */
	n->st.errors++;
	raise(n, IRQ_ERROR);
}

static void tx_schedule(struct nic *n)
{
	struct ring *r = &n->tx;
	if (n->tx_busy || !(n->ctrl & CTRL_ENABLE) || !ring_has_work(r))
		return;
	/* the length for the timing: the descriptor's, read when it runs */
	uint8_t d[DESC_SIZE];
	uint64_t len = 0;
	if (!dmp_sim_dma_read(n->dev, r->base + (uint64_t)r->head * DESC_SIZE, d, sizeof(d)))
		len = get_le(d + 8, 2);
	n->tx_busy = true;
	dmp_sim_callout_arm(dmp_sim_device_sim(n->dev), &n->tx_later,
			    FRAME_SETUP_NS + len * BYTE_NS);
}

static void nic_reset(struct nic *n)
{
	dmp_sim_callout_cancel(dmp_sim_device_sim(n->dev), &n->tx_later);
	n->tx_busy = false;
	n->tx.head = n->tx.tail = 0;
	n->rx.head = n->rx.tail = 0;
	n->irq_status = 0;
	update_irq(n);
}

static uint64_t nic_read(struct dmp_sim_device *dev, uint64_t off, unsigned width)
{
	struct nic *n = dmp_sim_device_priv(dev);
	(void)width;
	switch (off) {
	case R_ID: return NIC_ID;
	case R_CTRL: return n->ctrl;
	case R_MAC_LO: return get_le(n->mac, 4);
	case R_MAC_HI: return get_le(n->mac + 4, 2);
	case R_TX_LO: return (uint32_t)n->tx.base;
	case R_TX_HI: return (uint32_t)(n->tx.base >> 32);
	case R_TX_SIZE: return n->tx.size;
	case R_TX_TAIL: return n->tx.tail;
	case R_TX_HEAD: return n->tx.head;
	case R_RX_LO: return (uint32_t)n->rx.base;
	case R_RX_HI: return (uint32_t)(n->rx.base >> 32);
	case R_RX_SIZE: return n->rx.size;
	case R_RX_TAIL: return n->rx.tail;
	case R_RX_HEAD: return n->rx.head;
	case R_IRQ_STATUS: return n->irq_status;
	case R_IRQ_ENABLE: return n->irq_enable;
	case R_TX_FRAMES: return (uint32_t)n->st.tx_frames;
	case R_RX_FRAMES: return (uint32_t)n->st.rx_frames;
	case R_RX_DROPPED: return (uint32_t)n->st.rx_dropped;
	default: return 0;
	}
}

static void set_lo(uint64_t *reg, uint32_t v)
{
	*reg = (*reg & ~0xffffffffull) | v;
}

static void set_hi(uint64_t *reg, uint32_t v)
{
	*reg = (*reg & 0xffffffffull) | (uint64_t)v << 32;
}

static void set_size(struct ring *r, uint32_t v)
{
	r->size = v >= 2 && v <= RING_MAX ? v : 0; /* another size: the ring is off */
	r->head = r->tail = 0;
}

static void nic_write(struct dmp_sim_device *dev, uint64_t off, unsigned width, uint64_t val)
{
	struct nic *n = dmp_sim_device_priv(dev);
	uint32_t v = (uint32_t)val;
	(void)width;
	switch (off) {
	case R_CTRL:
		if (v & CTRL_RESET)
			nic_reset(n);
		n->ctrl = v & (CTRL_ENABLE | CTRL_LOOPBACK);
		if (!(n->ctrl & CTRL_ENABLE)) {
			dmp_sim_callout_cancel(dmp_sim_device_sim(dev), &n->tx_later);
			n->tx_busy = false;
		}
		tx_schedule(n);
		break;
	case R_TX_LO: set_lo(&n->tx.base, v); break;
	case R_TX_HI: set_hi(&n->tx.base, v); break;
	case R_TX_SIZE: set_size(&n->tx, v); break;
	case R_TX_TAIL:
		if (n->tx.size) {
			n->tx.tail = v % n->tx.size;
			tx_schedule(n);
		}
		break;
	case R_RX_LO: set_lo(&n->rx.base, v); break;
	case R_RX_HI: set_hi(&n->rx.base, v); break;
	case R_RX_SIZE: set_size(&n->rx, v); break;
	case R_RX_TAIL:
		if (n->rx.size)
			n->rx.tail = v % n->rx.size;
		break;
	case R_IRQ_STATUS: n->irq_status &= ~v; update_irq(n); break;
	case R_IRQ_ENABLE: n->irq_enable = v & 0xf; update_irq(n); break;
	default: break;
	}
}

static void nic_destroy(struct dmp_sim_device *dev)
{
	struct nic *n = dmp_sim_device_priv(dev);
	dmp_sim_callout_cancel(dmp_sim_device_sim(dev), &n->tx_later);
	free(n);
}

static const struct dmp_sim_device_ops nic_ops = {
	.mmio_read = nic_read,
	.mmio_write = nic_write,
	.destroy = nic_destroy,
};

static struct nic *nic_of(struct dmp_sim_device *dev)
{
	return dev && dev->ops == &nic_ops ? dmp_sim_device_priv(dev) : NULL;
}

int dmp_sim_eth_nic_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
			   struct dmp_sim_device **out)
{
	void *priv;
	int err = dmp__sim_model_create(sim, cfg, &nic_ops, DMP_ETH_NIC_MMIO_SIZE,
					sizeof(struct nic), &priv, out);
	if (err)
		return err;
	struct nic *n = priv;
	n->dev = *out;
	/* locally administered, unicast, told apart by the register window */
	uint32_t base = (uint32_t)(cfg->mmio_base >> 8);
	const uint8_t mac[6] = { 0x02, 0x00, (uint8_t)(base >> 24), (uint8_t)(base >> 16),
				 (uint8_t)(base >> 8), (uint8_t)base };
	memcpy(n->mac, mac, 6);
	dmp_sim_callout_init(&n->tx_later, tx_run, n);
	return 0;
}

int dmp_sim_eth_nic_set_mac(struct dmp_sim_device *dev, const uint8_t mac[6])
{
	struct nic *n = nic_of(dev);
	if (!n || !mac)
		return -EINVAL;
	memcpy(n->mac, mac, 6);
	return 0;
}

int dmp_sim_eth_nic_stats(struct dmp_sim_device *dev, struct dmp_eth_nic_stats *st)
{
	struct nic *n = nic_of(dev);
	if (!n || !st)
		return -EINVAL;
	*st = n->st;
	return 0;
}

int dmp_sim_eth_wire_inject(struct dmp_sim_device *dev, const void *frame, size_t len)
{
	struct nic *n = nic_of(dev);
	if (!n || !frame || !len || len > DMP_ETH_NIC_MAX_FRAME)
		return -EINVAL;
	if (!(n->ctrl & CTRL_ENABLE))
		return -ENETDOWN;
	receive(n, frame, len);
	return 0;
}

int dmp_sim_eth_wire_pop(struct dmp_sim_device *dev, void *buf, size_t cap)
{
	struct nic *n = nic_of(dev);
	if (!n || !buf)
		return -EINVAL;
	if (!n->wire_len)
		return -EAGAIN;
	struct wire_frame *w = &n->wire[n->wire_head];
	if (w->len > cap)
		return -ENOSPC;
	memcpy(buf, w->data, w->len);
	n->wire_head = (n->wire_head + 1) % WIRE_FRAMES;
	n->wire_len--;
	return w->len;
}
