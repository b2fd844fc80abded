/* SPDX-License-Identifier: MIT */
/*
 * net.c - network devices, socket buffers and NAPI of the Linux-compat
 * runtime (see <linux/netdevice.h>, <linux/skbuff.h>), with the program in
 * the network stack's place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>

#include "runtime.h"

/* --- socket buffers ---------------------------------------------------------- */

struct sk_buff *dmp_lx_alloc_skb(unsigned int size, gfp_t gfp)
{
	struct sk_buff *skb = kzalloc(sizeof(*skb), gfp);
	if (!skb)
		return NULL;
	/* the data in DMA-able kmalloc memory, as Linux's */
	size = ALIGN(size, 64);
	skb->head = kmalloc(size, gfp);
	if (!skb->head) {
		kfree(skb);
		return NULL;
	}
	skb->data = skb->tail = skb->head;
	skb->end = skb->head + size;
	skb->truesize = size + (unsigned int)sizeof(*skb);
	atomic_set(&skb->users, 1);
	return skb;
}

void dmp_lx_free_skb(struct sk_buff *skb)
{
	if (!skb)
		return;
	if (!atomic_dec_and_test(&skb->users))
		return;
	kfree(skb->head);
	kfree(skb);
}

void dmp_lx_skb_panic(const struct sk_buff *skb, unsigned int len, const char *what)
{
	dmp_lx_fatal("BUG: %s: len %u put %u head %p data %p tail %p end %p", what, skb->len, len,
		     (void *)skb->head, (void *)skb->data, (void *)skb->tail, (void *)skb->end);
}

struct sk_buff *dmp_lx_netdev_alloc_skb(struct net_device *dev, unsigned int len, gfp_t gfp)
{
	struct sk_buff *skb = dmp_lx_alloc_skb(len + NET_SKB_PAD, gfp);
	if (!skb)
		return NULL;
	skb_reserve(skb, NET_SKB_PAD);
	skb->dev = dev;
	return skb;
}

__be16 eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb->mac_len = ETH_HLEN;
	const struct ethhdr *eth = (const struct ethhdr *)skb->data;
	skb_pull(skb, ETH_HLEN);
	if (is_multicast_ether_addr(eth->h_dest))
		skb->pkt_type = is_broadcast_ether_addr(eth->h_dest) ? PACKET_BROADCAST
								     : PACKET_MULTICAST;
	else if (!ether_addr_equal(eth->h_dest, dev->dev_addr))
		skb->pkt_type = PACKET_OTHERHOST;
	else
		skb->pkt_type = PACKET_HOST;
	if (be16_to_cpu(eth->h_proto) >= ETH_P_802_3_MIN)
		return eth->h_proto;
	return cpu_to_be16(ETH_P_802_3);
}

int eth_mac_addr(struct net_device *dev, void *p)
{
	const struct { unsigned short family; u8 data[14]; } *sa = p;
	if (!is_valid_ether_addr(sa->data))
		return -EADDRNOTAVAIL;
	eth_hw_addr_set(dev, sa->data);
	dev->addr_assign_type = NET_ADDR_SET;
	return 0;
}

/* --- devices ----------------------------------------------------------------- */

static LIST_HEAD(netdevs);

static void tx_run(unsigned long data);

struct net_device *dmp_lx_alloc_etherdev(int sizeof_priv, unsigned int txqs, unsigned int rxqs)
{
	if (sizeof_priv < 0 || !txqs || !rxqs)
		return NULL;
	size_t size = ALIGN(sizeof(struct net_device), NETDEV_ALIGN) + (size_t)sizeof_priv;
	struct net_device *dev = kzalloc(size, GFP_KERNEL);
	if (!dev)
		return NULL;
	dev->dmp_alloc_size = size;
	snprintf(dev->name, sizeof(dev->name), "eth%%d");
	device_initialize(&dev->dev);
	dev->dev_addr = dev->dmp_addr;
	dev->addr_len = ETH_ALEN;
	dev->hard_header_len = ETH_HLEN;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_DATA_LEN;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	dev->watchdog_timeo = 5 * HZ;
	memset(dev->broadcast, 0xff, ETH_ALEN);
	dev->num_tx_queues = dev->real_num_tx_queues = txqs;
	dev->num_rx_queues = rxqs;
	dev->dmp_state = BIT(DMP__NETDEV_PRESENT);
	INIT_LIST_HEAD(&dev->dmp_node);
	skb_queue_head_init(&dev->dmp_rxq);
	skb_queue_head_init(&dev->dmp_txq);
	tasklet_init(&dev->dmp_tx_run, tx_run, (unsigned long)dev);
	return dev;
}

void free_netdev(struct net_device *dev)
{
	if (!dev)
		return;
	if (dev->dmp_state & BIT(DMP__NETDEV_REGISTERED))
		dmp_lx_fatal("BUG: free_netdev of %s, still registered", dev->name);
	tasklet_kill(&dev->dmp_tx_run);
	skb_queue_purge(&dev->dmp_rxq);
	skb_queue_purge(&dev->dmp_txq);
	dmp_lx_devres_release_all(&dev->dev);
	kfree(dev);
}

int netif_set_real_num_tx_queues(struct net_device *dev, unsigned int txq)
{
	if (!txq || txq > dev->num_tx_queues)
		return -EINVAL;
	dev->real_num_tx_queues = txq;
	return 0;
}

int netif_set_real_num_rx_queues(struct net_device *dev, unsigned int rxq)
{
	return rxq && rxq <= dev->num_rx_queues ? 0 : -EINVAL;
}

int register_netdev(struct net_device *dev)
{
	if (dev->dmp_state & BIT(DMP__NETDEV_REGISTERED))
		return -EEXIST;
	if (!dev->netdev_ops || !dev->netdev_ops->ndo_start_xmit)
		return -EINVAL;
	if (dev->netdev_ops->ndo_init) {
		int ret = dev->netdev_ops->ndo_init(dev);
		if (ret)
			return ret;
	}
	const char *pct = strchr(dev->name, '%');
	if (pct && (pct[1] != 'd' || strchr(pct + 1, '%')))
		return -EINVAL; /* Linux takes one %d and nothing else */
	if (pct) {
		/* as Linux's dev_alloc_name: the lowest number no device has */
		char fmt[IFNAMSIZ];
		snprintf(fmt, sizeof(fmt), "%s", dev->name);
		for (unsigned int n = 0;; n++) {
			snprintf(dev->name, sizeof(dev->name), fmt, n);
			if (!dev_get_by_name(&init_net, dev->name))
				break;
		}
	}
	memcpy(dev->perm_addr, dev->dev_addr, dev->addr_len);
	dev->dmp_state |= BIT(DMP__NETDEV_REGISTERED);
	list_add_tail(&dev->dmp_node, &netdevs);
	return 0;
}

void unregister_netdev(struct net_device *dev)
{
	if (!(dev->dmp_state & BIT(DMP__NETDEV_REGISTERED)))
		return;
	dev_close(dev);
	if (dev->netdev_ops->ndo_uninit)
		dev->netdev_ops->ndo_uninit(dev);
	list_del_init(&dev->dmp_node);
	dev->dmp_state &= ~BIT(DMP__NETDEV_REGISTERED);
}

struct net init_net;

struct net_device *dev_get_by_name(struct net *net, const char *name)
{
	(void)net;
	struct net_device *dev;
	list_for_each_entry(dev, &netdevs, dmp_node)
		if (!strcmp(dev->name, name))
			return dev;
	return NULL;
}

void dev_put(struct net_device *dev)
{
	(void)dev;
}

static void devm_netdev_free(struct device *dev, void *res)
{
	(void)dev;
	free_netdev(*(struct net_device **)res);
}

struct net_device *devm_alloc_etherdev_mqs(struct device *dev, int sizeof_priv, unsigned int txqs,
					   unsigned int rxqs)
{
	struct net_device **dr = devres_alloc(devm_netdev_free, sizeof(*dr), GFP_KERNEL);
	if (!dr)
		return NULL;
	struct net_device *ndev = dmp_lx_alloc_etherdev(sizeof_priv, txqs, rxqs);
	if (!ndev) {
		devres_free(dr);
		return NULL;
	}
	*dr = ndev;
	devres_add(dev, dr);
	return ndev;
}

static void devm_netdev_unregister(struct device *dev, void *res)
{
	(void)dev;
	unregister_netdev(*(struct net_device **)res);
}

int devm_register_netdev(struct device *dev, struct net_device *ndev)
{
	struct net_device **dr = devres_alloc(devm_netdev_unregister, sizeof(*dr), GFP_KERNEL);
	if (!dr)
		return -ENOMEM;
	int ret = register_netdev(ndev);
	if (ret) {
		devres_free(dr);
		return ret;
	}
	*dr = ndev;
	devres_add(dev, dr);
	return 0;
}

/* --- the stack's side ---------------------------------------------------------- */

int dev_open(struct net_device *dev, struct netlink_ext_ack *extack)
{
	(void)extack;
	if (!(dev->dmp_state & BIT(DMP__NETDEV_REGISTERED)))
		return -ENODEV;
	if (netif_running(dev))
		return 0;
	if (!netif_device_present(dev))
		return -ENODEV;
	int ret = dev->netdev_ops->ndo_open ? dev->netdev_ops->ndo_open(dev) : 0;
	if (ret)
		return ret;
	dev->dmp_state |= BIT(DMP__NETDEV_RUNNING);
	dev->flags |= IFF_UP;
	return 0;
}

void dev_close(struct net_device *dev)
{
	if (!netif_running(dev))
		return;
	dev->dmp_state &= ~BIT(DMP__NETDEV_RUNNING);
	dev->flags &= ~IFF_UP;
	if (dev->netdev_ops->ndo_stop)
		dev->netdev_ops->ndo_stop(dev);
	tasklet_kill(&dev->dmp_tx_run);
	skb_queue_purge(&dev->dmp_txq);
}

/* Hand @skb to the driver, bottom halves off as Linux's transmit path. */
static netdev_tx_t xmit_one(struct net_device *dev, struct sk_buff *skb)
{
	local_bh_disable();
	netdev_tx_t rc = dev->netdev_ops->ndo_start_xmit(skb, dev);
	local_bh_enable();
	return rc;
}

/* Like a qdisc: what was held while the queue was stopped goes out. */
static void tx_run(unsigned long data)
{
	struct net_device *dev = (struct net_device *)data;
	struct sk_buff *skb;
	while (netif_running(dev) && !netif_queue_stopped(dev) && (skb = skb_dequeue(&dev->dmp_txq))) {
		if (xmit_one(dev, skb) == NETDEV_TX_BUSY) {
			skb_queue_head(&dev->dmp_txq, skb);
			break;
		}
	}
}

int dev_queue_xmit(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	if (!dev || !netif_running(dev)) {
		dmp_lx_free_skb(skb);
		return -ENETDOWN;
	}
	if (netif_queue_stopped(dev) || !skb_queue_empty(&dev->dmp_txq)) {
		skb_queue_tail(&dev->dmp_txq, skb);
		return NET_XMIT_SUCCESS;
	}
	if (xmit_one(dev, skb) == NETDEV_TX_BUSY)
		skb_queue_head(&dev->dmp_txq, skb);
	return NET_XMIT_SUCCESS;
}

void netif_wake_queue(struct net_device *dev)
{
	bool was = netif_queue_stopped(dev);
	netif_start_queue(dev);
	if (was && !skb_queue_empty(&dev->dmp_txq))
		tasklet_schedule(&dev->dmp_tx_run);
}

void netif_device_attach(struct net_device *dev)
{
	dev->dmp_state |= BIT(DMP__NETDEV_PRESENT);
	if (netif_running(dev))
		netif_wake_queue(dev);
}

int netif_receive_skb(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	if (!dev) {
		dmp_lx_free_skb(skb);
		return NET_RX_DROP;
	}
	skb_queue_tail(&dev->dmp_rxq, skb);
	return NET_RX_SUCCESS;
}

int netif_rx(struct sk_buff *skb)
{
	return netif_receive_skb(skb);
}

gro_result_t napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb)
{
	(void)napi;
	netif_receive_skb(skb);
	return GRO_NORMAL;
}

int dmp_lx_net_rx_pop(struct net_device *dev, void *buf, size_t cap)
{
	struct sk_buff *skb = skb_peek(&dev->dmp_rxq);
	if (!skb)
		return -EAGAIN;
	/* the whole frame: the header eth_type_trans pulled, then the rest */
	const unsigned char *start = skb->data - skb->mac_len;
	size_t len = skb->len + skb->mac_len;
	if (len > cap)
		return -ENOSPC;
	memcpy(buf, start, len);
	dmp_lx_free_skb(skb_dequeue(&dev->dmp_rxq));
	return (int)len;
}

int dmp_lx_net_xmit(struct net_device *dev, const void *frame, size_t len)
{
	if (!len || len > 65535)
		return -EINVAL;
	struct sk_buff *skb = dmp_lx_netdev_alloc_skb(dev, (unsigned int)len, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_put_data(skb, frame, (unsigned int)len);
	skb->protocol = ((const struct ethhdr *)frame)->h_proto;
	return dev_queue_xmit(skb);
}

/* --- NAPI -------------------------------------------------------------------- */

/* The NET_RX softirq for one instance: poll with the weight as budget. */
static void napi_run(unsigned long data)
{
	struct napi_struct *napi = (struct napi_struct *)data;
	if (!test_bit(NAPI_STATE_SCHED, &napi->state))
		return;
	napi->dmp_completed = false;
	int work = napi->poll(napi, napi->weight);
	if (work > napi->weight)
		dmp_lx_fatal("BUG: %s: NAPI poll %p did %d of a budget of %d", napi->dev->name,
			     (void *)napi->poll, work, napi->weight);
	if (work < napi->weight) {
		/* Linux's contract: less than the budget, and the driver completes */
		if (!napi->dmp_completed)
			dmp_log("WARNING: %s: NAPI poll %p did %d of a budget of %d without "
				"napi_complete_done(): it is never polled again", napi->dev->name,
				(void *)napi->poll, work, napi->weight);
		return;
	}
	/* the budget used up: polled again, unless a disable waits */
	if (test_bit(NAPI_STATE_DISABLE, &napi->state))
		clear_bit(NAPI_STATE_SCHED, &napi->state);
	else
		tasklet_schedule(&napi->dmp_softirq);
}

void dmp_lx_napi_add(struct net_device *dev, struct napi_struct *napi,
		     int (*poll)(struct napi_struct *, int), int weight)
{
	memset(napi, 0, sizeof(*napi));
	napi->dev = dev;
	napi->poll = poll;
	napi->weight = weight > 0 ? weight : NAPI_POLL_WEIGHT;
	/* added disabled, as Linux's: napi_enable starts it */
	set_bit(NAPI_STATE_SCHED, &napi->state);
	tasklet_init(&napi->dmp_softirq, napi_run, (unsigned long)napi);
}

void netif_napi_del(struct napi_struct *napi)
{
	tasklet_kill(&napi->dmp_softirq);
}

void napi_enable(struct napi_struct *napi)
{
	clear_bit(NAPI_STATE_DISABLE, &napi->state);
	clear_bit(NAPI_STATE_SCHED, &napi->state);
}

void napi_disable(struct napi_struct *napi)
{
	might_sleep();
	set_bit(NAPI_STATE_DISABLE, &napi->state);
	/* a poll already scheduled runs to its end (the softirq runs meanwhile);
	 * Linux waits for ever, the simulator says why after a second */
	u64 start = ktime_get_ns();
	while (test_and_set_bit(NAPI_STATE_SCHED, &napi->state)) {
		if (ktime_get_ns() - start > NSEC_PER_SEC)
			dmp_lx_fatal("BUG: %s: napi_disable waits for a poll that never completes "
				     "(a poll that did less than its budget must call "
				     "napi_complete_done)", napi->dev->name);
		usleep_range(20, 200);
	}
	tasklet_kill(&napi->dmp_softirq);
}

bool napi_schedule_prep(struct napi_struct *napi)
{
	if (test_bit(NAPI_STATE_DISABLE, &napi->state))
		return false;
	return !test_and_set_bit(NAPI_STATE_SCHED, &napi->state);
}

void __napi_schedule(struct napi_struct *napi)
{
	tasklet_schedule(&napi->dmp_softirq);
}

bool napi_complete_done(struct napi_struct *napi, int work_done)
{
	(void)work_done;
	napi->dmp_completed = true;
	clear_bit(NAPI_STATE_SCHED, &napi->state);
	return true;
}
