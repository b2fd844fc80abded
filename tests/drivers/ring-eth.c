// SPDX-License-Identifier: MIT
/*
 * ring-eth.c - an Ethernet driver with descriptor rings, in the shape of
 * Linux's platform Ethernet drivers, for the simulator's "dmaport,eth-nic"
 * controller (<dmaport/sim/eth-nic.h>); compiled against compat/linux
 * alone.
 *
 * probe takes everything with devm_* (the net_device, the registers, the
 * two rings in coherent memory, the interrupt) and registers the device;
 * ndo_open fills the receive ring with mapped skbs and starts the
 * controller; ndo_start_xmit maps the skb, fills a descriptor, orders it
 * before the doorbell and stops the queue when the ring is full; the
 * interrupt handler masks the controller and schedules NAPI; the poll
 * reclaims transmitted skbs (waking the queue), passes received frames up
 * within its budget, refills the ring and unmasks when it is done;
 * ndo_stop quiesces the controller and frees every buffer.
 */
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/version.h>

#define RETH_ID 0x00
#define RETH_CTRL 0x04
#define RETH_MAC_LO 0x08
#define RETH_MAC_HI 0x0c
#define RETH_TX_LO 0x10
#define RETH_TX_HI 0x14
#define RETH_TX_SIZE 0x18
#define RETH_TX_TAIL 0x1c
#define RETH_RX_LO 0x30
#define RETH_RX_HI 0x34
#define RETH_RX_SIZE 0x38
#define RETH_RX_TAIL 0x3c
#define RETH_IRQ_STATUS 0x50
#define RETH_IRQ_ENABLE 0x54

#define RETH_MAGIC 0x45544831
#define CTRL_ENABLE BIT(0)
#define CTRL_RESET BIT(1)
#define CTRL_LOOPBACK BIT(2)
#define IRQ_TX_DONE BIT(0)
#define IRQ_RX_DONE BIT(1)
#define IRQ_RX_NOBUF BIT(2)
#define IRQ_ERROR BIT(3)
#define IRQ_ALL (IRQ_TX_DONE | IRQ_RX_DONE | IRQ_RX_NOBUF | IRQ_ERROR)
#define DESC_EOP BIT(0)
#define DESC_DONE BIT(0)

#define TX_RING 32
#define RX_RING 32
#define PKT_BUF_SZ 1536
#define TX_WAKE_THRESH (TX_RING / 4)

struct reth_desc {
	__le64 addr;
	__le16 len;
	__le16 flags;
	__le32 status;
};

struct reth_buf {
	struct sk_buff *skb;
	dma_addr_t dma;
	unsigned int len;
};

struct reth_priv {
	struct net_device *ndev;
	struct device *dev;
	void __iomem *regs;
	int irq;
	struct napi_struct napi;
	spinlock_t tx_lock;

	struct reth_desc *tx_ring;
	dma_addr_t tx_ring_dma;
	struct reth_buf tx_buf[TX_RING];
	unsigned int tx_head;	/* next descriptor to fill */
	unsigned int tx_clean;	/* next descriptor to reclaim */

	struct reth_desc *rx_ring;
	dma_addr_t rx_ring_dma;
	struct reth_buf rx_buf[RX_RING];
	unsigned int rx_next;	/* next descriptor the controller fills */
	unsigned int rx_tail;	/* the one held back */
};

static bool loopback = true;
module_param(loopback, bool, 0444);
MODULE_PARM_DESC(loopback, "the controller sends transmitted frames back (else to the wire)");

static int napi_weight = NAPI_POLL_WEIGHT;
module_param(napi_weight, int, 0444);
MODULE_PARM_DESC(napi_weight, "NAPI budget per poll");

static unsigned int reth_tx_free(const struct reth_priv *priv)
{
	/* one descriptor stays empty: head == clean means an empty ring */
	return (priv->tx_clean + TX_RING - priv->tx_head - 1) % TX_RING;
}

static int reth_rx_fill_one(struct reth_priv *priv, unsigned int i)
{
	struct reth_desc *d = &priv->rx_ring[i];
	struct sk_buff *skb;
	dma_addr_t dma;

	skb = netdev_alloc_skb(priv->ndev, PKT_BUF_SZ);
	if (!skb)
		return -ENOMEM;
	dma = dma_map_single(priv->dev, skb->data, PKT_BUF_SZ, DMA_FROM_DEVICE);
	if (dma_mapping_error(priv->dev, dma)) {
		dev_kfree_skb_any(skb);
		return -ENOMEM;
	}
	priv->rx_buf[i].skb = skb;
	priv->rx_buf[i].dma = dma;
	d->addr = cpu_to_le64(dma);
	d->len = cpu_to_le16(PKT_BUF_SZ);
	d->flags = 0;
	d->status = 0;
	return 0;
}

static void reth_free_buffers(struct reth_priv *priv)
{
	unsigned int i;

	for (i = 0; i < RX_RING; i++) {
		struct reth_buf *b = &priv->rx_buf[i];

		if (!b->skb)
			continue;
		dma_unmap_single(priv->dev, b->dma, PKT_BUF_SZ, DMA_FROM_DEVICE);
		dev_kfree_skb_any(b->skb);
		b->skb = NULL;
	}
	for (i = 0; i < TX_RING; i++) {
		struct reth_buf *b = &priv->tx_buf[i];

		if (!b->skb)
			continue;
		dma_unmap_single(priv->dev, b->dma, b->len, DMA_TO_DEVICE);
		dev_kfree_skb_any(b->skb);
		b->skb = NULL;
	}
}

static void reth_tx_reclaim(struct reth_priv *priv)
{
	struct net_device *ndev = priv->ndev;

	spin_lock(&priv->tx_lock);
	while (priv->tx_clean != priv->tx_head) {
		struct reth_desc *d = &priv->tx_ring[priv->tx_clean];
		struct reth_buf *b = &priv->tx_buf[priv->tx_clean];

		if (!(le32_to_cpu(READ_ONCE(d->status)) & DESC_DONE))
			break;
		dma_rmb();
		dma_unmap_single(priv->dev, b->dma, b->len, DMA_TO_DEVICE);
		ndev->stats.tx_packets++;
		ndev->stats.tx_bytes += b->len;
		napi_consume_skb(b->skb, 1);
		b->skb = NULL;
		priv->tx_clean = (priv->tx_clean + 1) % TX_RING;
	}
	if (netif_queue_stopped(ndev) && reth_tx_free(priv) >= TX_WAKE_THRESH)
		netif_wake_queue(ndev);
	spin_unlock(&priv->tx_lock);
}

static int reth_rx(struct reth_priv *priv, int budget)
{
	struct net_device *ndev = priv->ndev;
	int done = 0;

	while (done < budget) {
		unsigned int i = priv->rx_next;
		struct reth_desc *d = &priv->rx_ring[i];
		struct reth_buf *b = &priv->rx_buf[i];
		struct sk_buff *skb;
		u32 status = le32_to_cpu(READ_ONCE(d->status));
		unsigned int len;

		if (!(status & DESC_DONE))
			break;
		dma_rmb(); /* the frame after its status */
		len = status >> 16;
		skb = b->skb;
		dma_unmap_single(priv->dev, b->dma, PKT_BUF_SZ, DMA_FROM_DEVICE);
		b->skb = NULL;
		if (reth_rx_fill_one(priv, i)) {
			/* no new buffer: the frame is dropped, its buffer reused */
			ndev->stats.rx_dropped++;
			b->skb = skb;
			b->dma = dma_map_single(priv->dev, skb->data, PKT_BUF_SZ, DMA_FROM_DEVICE);
			if (dma_mapping_error(priv->dev, b->dma)) {
				dev_kfree_skb_any(skb);
				b->skb = NULL;
				break;
			}
			d->addr = cpu_to_le64(b->dma);
			d->status = 0;
		} else {
			skb_put(skb, len);
			skb->protocol = eth_type_trans(skb, ndev);
			ndev->stats.rx_packets++;
			ndev->stats.rx_bytes += len;
			napi_gro_receive(&priv->napi, skb);
		}
		/* the slot just filled is the one held back; the one before goes */
		dma_wmb();
		priv->rx_tail = (priv->rx_tail + 1) % RX_RING;
		priv->rx_next = (i + 1) % RX_RING;
		done++;
	}
	if (done)
		writel(priv->rx_tail, priv->regs + RETH_RX_TAIL);
	return done;
}

static int reth_poll(struct napi_struct *napi, int budget)
{
	struct reth_priv *priv = container_of(napi, struct reth_priv, napi);
	int done;

	reth_tx_reclaim(priv);
	done = reth_rx(priv, budget);
	if (done < budget && napi_complete_done(napi, done))
		writel(IRQ_ALL, priv->regs + RETH_IRQ_ENABLE);
	return done;
}

static irqreturn_t reth_interrupt(int irq, void *dev_id)
{
	struct reth_priv *priv = dev_id;
	u32 status = readl(priv->regs + RETH_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	writel(status, priv->regs + RETH_IRQ_STATUS);
	if (status & IRQ_ERROR) {
		priv->ndev->stats.rx_errors++;
		netdev_err(priv->ndev, "controller error\n");
	}
	if (status & IRQ_RX_NOBUF)
		priv->ndev->stats.rx_missed_errors++;
	if (napi_schedule_prep(&priv->napi)) {
		/* masked until the poll is done */
		writel(0, priv->regs + RETH_IRQ_ENABLE);
		__napi_schedule(&priv->napi);
	}
	return IRQ_HANDLED;
}

static netdev_tx_t reth_start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct reth_priv *priv = netdev_priv(ndev);
	struct reth_desc *d;
	struct reth_buf *b;
	dma_addr_t dma;

	if (eth_skb_pad(skb)) {
		ndev->stats.tx_dropped++;
		return NETDEV_TX_OK;
	}

	spin_lock(&priv->tx_lock);
	if (!reth_tx_free(priv)) {
		netif_stop_queue(ndev);
		spin_unlock(&priv->tx_lock);
		netdev_err(ndev, "transmit with the ring full\n");
		return NETDEV_TX_BUSY;
	}
	dma = dma_map_single(priv->dev, skb->data, skb->len, DMA_TO_DEVICE);
	if (dma_mapping_error(priv->dev, dma)) {
		spin_unlock(&priv->tx_lock);
		dev_kfree_skb_any(skb);
		ndev->stats.tx_dropped++;
		return NETDEV_TX_OK;
	}
	b = &priv->tx_buf[priv->tx_head];
	b->skb = skb;
	b->dma = dma;
	b->len = skb->len;
	d = &priv->tx_ring[priv->tx_head];
	d->addr = cpu_to_le64(dma);
	d->len = cpu_to_le16(skb->len);
	d->flags = cpu_to_le16(DESC_EOP);
	d->status = 0;
	skb_tx_timestamp(skb);
	priv->tx_head = (priv->tx_head + 1) % TX_RING;
	/* writel orders the descriptor before the doorbell */
	writel(priv->tx_head, priv->regs + RETH_TX_TAIL);
	if (!reth_tx_free(priv))
		netif_stop_queue(ndev);
	spin_unlock(&priv->tx_lock);
	return NETDEV_TX_OK;
}

static int reth_open(struct net_device *ndev)
{
	struct reth_priv *priv = netdev_priv(ndev);
	unsigned int i;
	int ret;

	writel(CTRL_RESET, priv->regs + RETH_CTRL);
	memset(priv->tx_ring, 0, TX_RING * sizeof(*priv->tx_ring));
	priv->tx_head = priv->tx_clean = 0;
	for (i = 0; i < RX_RING; i++) {
		ret = reth_rx_fill_one(priv, i);
		if (ret)
			goto free;
	}
	priv->rx_next = 0;
	priv->rx_tail = RX_RING - 1;

	writel(lower_32_bits(priv->tx_ring_dma), priv->regs + RETH_TX_LO);
	writel(upper_32_bits(priv->tx_ring_dma), priv->regs + RETH_TX_HI);
	writel(TX_RING, priv->regs + RETH_TX_SIZE);
	writel(lower_32_bits(priv->rx_ring_dma), priv->regs + RETH_RX_LO);
	writel(upper_32_bits(priv->rx_ring_dma), priv->regs + RETH_RX_HI);
	writel(RX_RING, priv->regs + RETH_RX_SIZE);
	writel(priv->rx_tail, priv->regs + RETH_RX_TAIL);

	napi_enable(&priv->napi);
	writel(IRQ_ALL, priv->regs + RETH_IRQ_ENABLE);
	writel(CTRL_ENABLE | (loopback ? CTRL_LOOPBACK : 0), priv->regs + RETH_CTRL);
	netif_carrier_on(ndev);
	netif_start_queue(ndev);
	return 0;

free:
	reth_free_buffers(priv);
	return ret;
}

static int reth_stop(struct net_device *ndev)
{
	struct reth_priv *priv = netdev_priv(ndev);

	netif_stop_queue(ndev);
	netif_carrier_off(ndev);
	writel(0, priv->regs + RETH_IRQ_ENABLE);
	writel(CTRL_RESET, priv->regs + RETH_CTRL);
	napi_disable(&priv->napi);
	/* what is still queued was not sent: unmap and free it */
	reth_free_buffers(priv);
	return 0;
}

static void reth_get_stats64(struct net_device *ndev, struct rtnl_link_stats64 *s)
{
	s->rx_packets = ndev->stats.rx_packets;
	s->tx_packets = ndev->stats.tx_packets;
	s->rx_bytes = ndev->stats.rx_bytes;
	s->tx_bytes = ndev->stats.tx_bytes;
	s->rx_dropped = ndev->stats.rx_dropped;
	s->tx_dropped = ndev->stats.tx_dropped;
	s->rx_errors = ndev->stats.rx_errors;
	s->rx_missed_errors = ndev->stats.rx_missed_errors;
}

static const struct net_device_ops reth_netdev_ops = {
	.ndo_open = reth_open,
	.ndo_stop = reth_stop,
	.ndo_start_xmit = reth_start_xmit,
	.ndo_get_stats64 = reth_get_stats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

static int reth_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct reth_priv *priv;
	struct net_device *ndev;
	u8 mac[ETH_ALEN];
	u32 lo, hi, bits;
	int ret;

	ndev = devm_alloc_etherdev(dev, sizeof(*priv));
	if (!ndev)
		return -ENOMEM;
	SET_NETDEV_DEV(ndev, dev);
	priv = netdev_priv(ndev);
	priv->ndev = ndev;
	priv->dev = dev;
	spin_lock_init(&priv->tx_lock);

	priv->regs = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(priv->regs))
		return PTR_ERR(priv->regs);
	if (readl(priv->regs + RETH_ID) != RETH_MAGIC)
		return dev_err_probe(dev, -ENODEV, "no ring Ethernet controller here\n");
	priv->irq = platform_get_irq(pdev, 0);
	if (priv->irq < 0)
		return priv->irq;

	if (of_property_read_u32(dev->of_node, "dmaport,port-bits", &bits))
		bits = 32;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA configuration\n");

	priv->tx_ring = dmam_alloc_coherent(dev, TX_RING * sizeof(*priv->tx_ring),
					    &priv->tx_ring_dma, GFP_KERNEL);
	priv->rx_ring = dmam_alloc_coherent(dev, RX_RING * sizeof(*priv->rx_ring),
					    &priv->rx_ring_dma, GFP_KERNEL);
	if (!priv->tx_ring || !priv->rx_ring)
		return -ENOMEM;

	lo = readl(priv->regs + RETH_MAC_LO);
	hi = readl(priv->regs + RETH_MAC_HI);
	mac[0] = lo;
	mac[1] = lo >> 8;
	mac[2] = lo >> 16;
	mac[3] = lo >> 24;
	mac[4] = hi;
	mac[5] = hi >> 8;
	if (is_valid_ether_addr(mac)) {
		eth_hw_addr_set(ndev, mac);
	} else {
		dev_warn(dev, "no valid MAC address, using a random one\n");
		eth_hw_addr_random(ndev);
	}

	ndev->netdev_ops = &reth_netdev_ops;
	ndev->irq = priv->irq;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
	netif_napi_add_weight(ndev, &priv->napi, reth_poll, napi_weight);
#else
	netif_napi_add(ndev, &priv->napi, reth_poll, napi_weight);
#endif

	writel(0, priv->regs + RETH_IRQ_ENABLE);
	ret = devm_request_irq(dev, priv->irq, reth_interrupt, 0, dev_name(dev), priv);
	if (ret)
		return dev_err_probe(dev, ret, "cannot request irq %d\n", priv->irq);

	platform_set_drvdata(pdev, ndev);
	ret = devm_register_netdev(dev, ndev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the net device\n");
	netdev_info(ndev, "ring Ethernet at %#llx, MAC %02x:%02x:%02x:%02x:%02x:%02x, irq %d\n",
		    (unsigned long long)pdev->resource[0].start, ndev->dev_addr[0], ndev->dev_addr[1],
		    ndev->dev_addr[2], ndev->dev_addr[3], ndev->dev_addr[4], ndev->dev_addr[5],
		    priv->irq);
	return 0;
}

static const struct of_device_id reth_of_match[] = {
	{ .compatible = "dmaport,eth-nic" },
	{ }
};
MODULE_DEVICE_TABLE(of, reth_of_match);

static struct platform_driver reth_driver = {
	.probe = reth_probe,
	.driver = {
		.name = "ring-eth",
		.of_match_table = reth_of_match,
	},
};
module_platform_driver(reth_driver);

MODULE_DESCRIPTION("ring Ethernet driver for the simulated eth-nic");
MODULE_LICENSE("Dual MIT/GPL");
