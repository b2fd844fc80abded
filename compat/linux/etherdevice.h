/* SPDX-License-Identifier: MIT */
/*
 * <linux/etherdevice.h> for dmaport's Linux-compat layer: Ethernet
 * addresses and eth_type_trans, as Linux's.
 */
#ifndef DMP_COMPAT_LINUX_ETHERDEVICE_H
#define DMP_COMPAT_LINUX_ETHERDEVICE_H

#include <linux/netdevice.h>
#include <linux/random.h>

static inline bool is_zero_ether_addr(const u8 *addr)
{
	return !(addr[0] | addr[1] | addr[2] | addr[3] | addr[4] | addr[5]);
}
static inline bool is_multicast_ether_addr(const u8 *addr)
{
	return addr[0] & 0x01;
}
static inline bool is_broadcast_ether_addr(const u8 *addr)
{
	return (addr[0] & addr[1] & addr[2] & addr[3] & addr[4] & addr[5]) == 0xff;
}
static inline bool is_unicast_ether_addr(const u8 *addr)
{
	return !is_multicast_ether_addr(addr);
}
static inline bool is_valid_ether_addr(const u8 *addr)
{
	return !is_multicast_ether_addr(addr) && !is_zero_ether_addr(addr);
}
static inline bool is_local_ether_addr(const u8 *addr)
{
	return addr[0] & 0x02;
}
static inline void ether_addr_copy(u8 *dst, const u8 *src)
{
	memcpy(dst, src, ETH_ALEN);
}
static inline bool ether_addr_equal(const u8 *a, const u8 *b)
{
	return !memcmp(a, b, ETH_ALEN);
}
static inline void eth_broadcast_addr(u8 *addr)
{
	memset(addr, 0xff, ETH_ALEN);
}
static inline void eth_zero_addr(u8 *addr)
{
	memset(addr, 0, ETH_ALEN);
}
/* A random locally administered unicast address. */
static inline void eth_random_addr(u8 *addr)
{
	get_random_bytes(addr, ETH_ALEN);
	addr[0] &= 0xfe;
	addr[0] |= 0x02;
}
static inline void eth_hw_addr_set(struct net_device *dev, const u8 *addr)
{
	memcpy(dev->dmp_addr, addr, ETH_ALEN);
}
#define dev_addr_set(dev, addr) eth_hw_addr_set(dev, addr)
static inline void eth_hw_addr_random(struct net_device *dev)
{
	dev->addr_assign_type = NET_ADDR_RANDOM;
	eth_random_addr(dev->dmp_addr);
}
static inline int eth_validate_addr(struct net_device *dev)
{
	return is_valid_ether_addr(dev->dev_addr) ? 0 : -EADDRNOTAVAIL;
}
/* ndo_set_mac_address helper: @p is a struct sockaddr (family, then bytes). */
int eth_mac_addr(struct net_device *dev, void *p);
__be16 eth_type_trans(struct sk_buff *skb, struct net_device *dev);

/* Pad a short frame to ETH_ZLEN; frees it on failure, as Linux. */
static inline int eth_skb_pad(struct sk_buff *skb)
{
	return skb_put_padto(skb, ETH_ZLEN);
}

#endif /* DMP_COMPAT_LINUX_ETHERDEVICE_H */
