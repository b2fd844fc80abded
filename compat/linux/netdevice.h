/* SPDX-License-Identifier: MIT */
/*
 * <linux/netdevice.h> for dmaport's Linux-compat layer: network devices,
 * NAPI and the transmit queue, enough for an Ethernet driver's rings.
 *
 * A driver allocates its device with alloc_etherdev (or devm_), fills
 * netdev_ops and registers it (register_netdev names it eth0, eth1, ...).
 * The program plays the network stack (<dmaport/linux.h> has no part in
 * it: these calls are here): dev_open() calls ndo_open, dev_queue_xmit()
 * hands an skb to ndo_start_xmit with bottom halves off (or keeps it while
 * the queue is stopped, and hands it over when the driver wakes the queue,
 * as a qdisc does), and what the driver passes up with netif_receive_skb,
 * napi_gro_receive or netif_rx is queued for dmp_lx_net_rx_pop().
 *
 * NAPI: napi_schedule() (from the interrupt handler) runs the poll function
 * as a softirq with the weight as budget; a poll that uses its whole budget
 * is called again, one that does less must napi_complete_done() (Linux's
 * contract: breaking it is a WARNING naming the poll).  napi_disable()
 * waits for a scheduled poll to finish; a poll that never does is a BUG
 * after one second of simulated time, where Linux would hang.
 * netif_napi_add takes the weight before Linux 6.1 and not after; both
 * forms are accepted.  dev_addr is const from Linux 5.17 (eth_hw_addr_set).
 *
 * Absent: multiqueue selection (one TX queue, one RX queue), GSO/GRO
 * (napi_gro_receive passes each skb up as it is), XDP, page pools,
 * ethtool (compat has no <linux/ethtool.h>), rtnetlink, net namespaces.
 */
#ifndef DMP_COMPAT_LINUX_NETDEVICE_H
#define DMP_COMPAT_LINUX_NETDEVICE_H

#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/bottom_half.h>
#include <linux/if_ether.h>
#include <linux/skbuff.h>
#include <linux/list.h>
#include <linux/kconfig.h>

#define IFNAMSIZ 16
#define MAX_ADDR_LEN 32

#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_RUNNING 0x40
#define IFF_NOARP 0x80
#define IFF_PROMISC 0x100
#define IFF_ALLMULTI 0x200
#define IFF_MULTICAST 0x1000

typedef u64 netdev_features_t;
#define NETIF_F_SG BIT_ULL(0)
#define NETIF_F_IP_CSUM BIT_ULL(1)
#define NETIF_F_HW_CSUM BIT_ULL(3)
#define NETIF_F_HIGHDMA BIT_ULL(5)
#define NETIF_F_RXCSUM BIT_ULL(32)

typedef enum netdev_tx {
	NETDEV_TX_OK = 0x00,
	NETDEV_TX_BUSY = 0x10,
} netdev_tx_t;

#define NET_RX_SUCCESS 0
#define NET_RX_DROP 1
#define NET_XMIT_SUCCESS 0x00
#define NET_XMIT_DROP 0x01

typedef enum gro_result {
	GRO_MERGED,
	GRO_MERGED_FREE,
	GRO_HELD,
	GRO_NORMAL,
	GRO_CONSUMED,
} gro_result_t;

#define NAPI_POLL_WEIGHT 64

struct net_device_stats {
	unsigned long rx_packets, tx_packets, rx_bytes, tx_bytes;
	unsigned long rx_errors, tx_errors, rx_dropped, tx_dropped;
	unsigned long multicast, collisions;
	unsigned long rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors;
	unsigned long rx_fifo_errors, rx_missed_errors;
	unsigned long tx_aborted_errors, tx_carrier_errors, tx_fifo_errors;
	unsigned long tx_heartbeat_errors, tx_window_errors;
	unsigned long rx_compressed, tx_compressed;
};

struct rtnl_link_stats64 {
	u64 rx_packets, tx_packets, rx_bytes, tx_bytes;
	u64 rx_errors, tx_errors, rx_dropped, tx_dropped;
	u64 multicast, collisions;
	u64 rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors;
	u64 rx_fifo_errors, rx_missed_errors;
	u64 tx_aborted_errors, tx_carrier_errors, tx_fifo_errors;
	u64 tx_heartbeat_errors, tx_window_errors;
	u64 rx_compressed, tx_compressed, rx_nohandler;
};

struct net_device;
struct ifreq;
struct ethtool_ops;
struct netlink_ext_ack;

struct net_device_ops {
	int (*ndo_init)(struct net_device *dev);
	void (*ndo_uninit)(struct net_device *dev);
	int (*ndo_open)(struct net_device *dev);
	int (*ndo_stop)(struct net_device *dev);
	netdev_tx_t (*ndo_start_xmit)(struct sk_buff *skb, struct net_device *dev);
	void (*ndo_set_rx_mode)(struct net_device *dev);
	int (*ndo_set_mac_address)(struct net_device *dev, void *addr);
	int (*ndo_validate_addr)(struct net_device *dev);
	int (*ndo_change_mtu)(struct net_device *dev, int new_mtu);
#if DMP_LINUX_VERSION >= KERNEL_VERSION(5, 6, 0)
	void (*ndo_tx_timeout)(struct net_device *dev, unsigned int txqueue);
#else
	void (*ndo_tx_timeout)(struct net_device *dev);
#endif
	void (*ndo_get_stats64)(struct net_device *dev, struct rtnl_link_stats64 *storage);
	struct net_device_stats *(*ndo_get_stats)(struct net_device *dev);
	int (*ndo_eth_ioctl)(struct net_device *dev, struct ifreq *ifr, int cmd);
	int (*ndo_do_ioctl)(struct net_device *dev, struct ifreq *ifr, int cmd);
};

#if DMP_LINUX_VERSION >= KERNEL_VERSION(5, 17, 0)
#define DMP__NETDEV_ADDR_CONST const
#else
#define DMP__NETDEV_ADDR_CONST
#endif

struct net_device {
	char name[IFNAMSIZ];
	struct device dev;
	const struct net_device_ops *netdev_ops;
	const struct ethtool_ops *ethtool_ops;
	unsigned int flags;
	unsigned int priv_flags;
	netdev_features_t features;
	netdev_features_t hw_features;
	unsigned int mtu, min_mtu, max_mtu;
	unsigned short hard_header_len;
	unsigned char addr_len;
	unsigned char addr_assign_type;
	DMP__NETDEV_ADDR_CONST unsigned char *dev_addr;
	unsigned char broadcast[MAX_ADDR_LEN];
	unsigned char perm_addr[MAX_ADDR_LEN];
	int watchdog_timeo;
	int irq;
	unsigned int num_tx_queues, real_num_tx_queues, num_rx_queues;
	struct net_device_stats stats;
	/* dmaport: the device's state and its side of the stack */
	unsigned long dmp_state;
	struct list_head dmp_node;
	struct sk_buff_head dmp_rxq;   /* passed up, for dmp_lx_net_rx_pop */
	struct sk_buff_head dmp_txq;   /* held while the queue is stopped */
	struct tasklet_struct dmp_tx_run;
	unsigned char dmp_addr[MAX_ADDR_LEN];
	size_t dmp_alloc_size;
};

#define NET_ADDR_PERM 0
#define NET_ADDR_RANDOM 1
#define NET_ADDR_SET 3

/* The device's private area, after the struct on its own cache lines. */
#define NETDEV_ALIGN 64
static inline void *netdev_priv(const struct net_device *dev)
{
	return (char *)dev + ALIGN(sizeof(struct net_device), NETDEV_ALIGN);
}

#define SET_NETDEV_DEV(net, pdev) ((net)->dev.parent = (pdev))

struct net_device *dmp_lx_alloc_etherdev(int sizeof_priv, unsigned int txqs, unsigned int rxqs);
#define alloc_etherdev(sizeof_priv) dmp_lx_alloc_etherdev((sizeof_priv), 1, 1)
#define alloc_etherdev_mq(sizeof_priv, count) dmp_lx_alloc_etherdev((sizeof_priv), (count), (count))
#define alloc_etherdev_mqs(sizeof_priv, txqs, rxqs) dmp_lx_alloc_etherdev((sizeof_priv), (txqs), (rxqs))
void free_netdev(struct net_device *dev);
struct net_device *devm_alloc_etherdev_mqs(struct device *dev, int sizeof_priv, unsigned int txqs,
					   unsigned int rxqs);
#define devm_alloc_etherdev(dev, sizeof_priv) devm_alloc_etherdev_mqs((dev), (sizeof_priv), 1, 1)
int register_netdev(struct net_device *dev);
void unregister_netdev(struct net_device *dev);
int devm_register_netdev(struct device *dev, struct net_device *ndev);
int netif_set_real_num_tx_queues(struct net_device *dev, unsigned int txq);
int netif_set_real_num_rx_queues(struct net_device *dev, unsigned int rxq);

/* State the driver sets and the stack reads. */
enum {
	DMP__NETDEV_PRESENT,
	DMP__NETDEV_RUNNING,
	DMP__NETDEV_CARRIER,
	DMP__NETDEV_QUEUE_STOPPED,
	DMP__NETDEV_REGISTERED,
};

static inline bool netif_running(const struct net_device *dev)
{
	return dev->dmp_state & BIT(DMP__NETDEV_RUNNING);
}
static inline bool netif_carrier_ok(const struct net_device *dev)
{
	return dev->dmp_state & BIT(DMP__NETDEV_CARRIER);
}
static inline void netif_carrier_on(struct net_device *dev)
{
	dev->dmp_state |= BIT(DMP__NETDEV_CARRIER);
}
static inline void netif_carrier_off(struct net_device *dev)
{
	dev->dmp_state &= ~BIT(DMP__NETDEV_CARRIER);
}
static inline bool netif_device_present(const struct net_device *dev)
{
	return dev->dmp_state & BIT(DMP__NETDEV_PRESENT);
}
static inline void netif_device_detach(struct net_device *dev)
{
	dev->dmp_state &= ~(BIT(DMP__NETDEV_PRESENT));
	dev->dmp_state |= BIT(DMP__NETDEV_QUEUE_STOPPED);
}
void netif_device_attach(struct net_device *dev);
static inline void netif_start_queue(struct net_device *dev)
{
	dev->dmp_state &= ~BIT(DMP__NETDEV_QUEUE_STOPPED);
}
#define netif_tx_start_all_queues(dev) netif_start_queue(dev)
static inline void netif_stop_queue(struct net_device *dev)
{
	dev->dmp_state |= BIT(DMP__NETDEV_QUEUE_STOPPED);
}
#define netif_tx_stop_all_queues(dev) netif_stop_queue(dev)
#define netif_tx_disable(dev) netif_stop_queue(dev)
static inline bool netif_queue_stopped(const struct net_device *dev)
{
	return dev->dmp_state & BIT(DMP__NETDEV_QUEUE_STOPPED);
}
/* Restarts the queue and hands over what the stack held meanwhile. */
void netif_wake_queue(struct net_device *dev);
#define netif_tx_wake_all_queues(dev) netif_wake_queue(dev)

/* Byte queue limits: accounted nowhere (no qdisc to limit). */
#define netdev_sent_queue(dev, bytes) ((void)(dev), (void)(bytes))
#define netdev_completed_queue(dev, pkts, bytes) ((void)(dev), (void)(pkts), (void)(bytes))
#define netdev_reset_queue(dev) ((void)(dev))

/* Passing received packets up. */
int netif_receive_skb(struct sk_buff *skb);
int netif_rx(struct sk_buff *skb);
#define netif_rx_ni(skb) netif_rx(skb)

/* NAPI */
enum {
	NAPI_STATE_SCHED,
	NAPI_STATE_DISABLE,
};

struct napi_struct {
	unsigned long state;
	int weight;
	int (*poll)(struct napi_struct *napi, int budget);
	struct net_device *dev;
	struct tasklet_struct dmp_softirq;
	bool dmp_completed; /* napi_complete_done during the current poll */
};

void dmp_lx_napi_add(struct net_device *dev, struct napi_struct *napi,
		     int (*poll)(struct napi_struct *, int), int weight);
#define dmp__lx_napi_add(dev, napi, poll, weight, ...) dmp_lx_napi_add(dev, napi, poll, weight)
/* (dev, napi, poll) since Linux 6.1; (dev, napi, poll, weight) before */
#define netif_napi_add(dev, napi, ...) dmp__lx_napi_add(dev, napi, __VA_ARGS__, NAPI_POLL_WEIGHT, 0)
#define netif_napi_add_weight(dev, napi, poll, weight) dmp_lx_napi_add(dev, napi, poll, weight)
#define netif_napi_add_tx(dev, napi, poll) dmp_lx_napi_add(dev, napi, poll, NAPI_POLL_WEIGHT)
void netif_napi_del(struct napi_struct *napi);
void napi_enable(struct napi_struct *napi);
void napi_disable(struct napi_struct *napi);
bool napi_schedule_prep(struct napi_struct *napi);
void __napi_schedule(struct napi_struct *napi);
#define __napi_schedule_irqoff(n) __napi_schedule(n)
static inline bool napi_schedule(struct napi_struct *napi)
{
	if (napi_schedule_prep(napi)) {
		__napi_schedule(napi);
		return true;
	}
	return false;
}
#define napi_schedule_irqoff(n) napi_schedule(n)
bool napi_complete_done(struct napi_struct *napi, int work_done);
#define napi_complete(n) napi_complete_done((n), 0)
gro_result_t napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb);

/* The stack's side: what the network stack calls, and what a program that
 * plays it uses to send and receive frames. */
int dev_open(struct net_device *dev, struct netlink_ext_ack *extack);
void dev_close(struct net_device *dev);
int dev_queue_xmit(struct sk_buff *skb);
/* One network namespace. */
struct net {
	int dmp_unused;
};
extern struct net init_net;
struct net_device *dev_get_by_name(struct net *net, const char *name);
#define __dev_get_by_name(net, name) dev_get_by_name(net, name)
void dev_put(struct net_device *dev);
/**
 * dmp_lx_net_rx_pop - the oldest frame @dev passed up (its Ethernet header
 * included), copied to @buf of @cap bytes.  Returns its length, -EAGAIN if
 * none is waiting, -ENOSPC if @cap is too small (the frame stays).
 */
int dmp_lx_net_rx_pop(struct net_device *dev, void *buf, size_t cap);
/** dmp_lx_net_xmit - send @len bytes (a whole frame) through @dev as the stack would. */
int dmp_lx_net_xmit(struct net_device *dev, const void *frame, size_t len);

/* Messages: "<ifname>: ..." */
#define netdev_printk(level, dev, fmt, ...) printk(level "%s: " fmt, (dev)->name, ##__VA_ARGS__)
#define netdev_err(dev, fmt, ...) netdev_printk(KERN_ERR, dev, fmt, ##__VA_ARGS__)
#define netdev_warn(dev, fmt, ...) netdev_printk(KERN_WARNING, dev, fmt, ##__VA_ARGS__)
#define netdev_notice(dev, fmt, ...) netdev_printk(KERN_NOTICE, dev, fmt, ##__VA_ARGS__)
#define netdev_info(dev, fmt, ...) netdev_printk(KERN_INFO, dev, fmt, ##__VA_ARGS__)
#define netdev_dbg(dev, fmt, ...) no_printk(KERN_DEBUG "%s: " fmt, (dev)->name, ##__VA_ARGS__)
#define netif_err(priv, type, dev, fmt, ...) netdev_err(dev, fmt, ##__VA_ARGS__)
#define netif_warn(priv, type, dev, fmt, ...) netdev_warn(dev, fmt, ##__VA_ARGS__)
#define netif_info(priv, type, dev, fmt, ...) netdev_info(dev, fmt, ##__VA_ARGS__)
#define netif_dbg(priv, type, dev, fmt, ...) netdev_dbg(dev, fmt, ##__VA_ARGS__)

#endif /* DMP_COMPAT_LINUX_NETDEVICE_H */
