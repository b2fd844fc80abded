/* SPDX-License-Identifier: MIT */
/*
 * <linux/skbuff.h> for dmaport's Linux-compat layer: socket buffers, linear
 * only (no page fragments: skb_shinfo(skb)->nr_frags is always 0, so a
 * driver's fragment loop runs zero times).
 *
 * An skb's data is kmalloc memory, DMA-able as Linux's is: a driver maps
 * skb->data with dma_map_single.  Headroom, tailroom and the data/tail/end
 * pointers follow Linux's rules; skb_put/skb_push past the buffer are a BUG,
 * as Linux's skb_over_panic/skb_under_panic (logged, then abort()).
 * Freeing: dev_kfree_skb*, kfree_skb and consume_skb free at once (no
 * reference counting beyond skb_get/users).
 */
#ifndef DMP_COMPAT_LINUX_SKBUFF_H
#define DMP_COMPAT_LINUX_SKBUFF_H

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/gfp.h>
#include <linux/atomic.h>
#include <linux/dma-mapping.h>

struct net_device;
struct napi_struct;

#define CHECKSUM_NONE 0
#define CHECKSUM_UNNECESSARY 1
#define CHECKSUM_COMPLETE 2
#define CHECKSUM_PARTIAL 3

#define PACKET_HOST 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3
#define PACKET_OUTGOING 4

/* Linux's NET_SKB_PAD: max(32, L1_CACHE_BYTES); NET_IP_ALIGN as on most arches */
#define NET_SKB_PAD 64
#define NET_IP_ALIGN 2
#define MAX_SKB_FRAGS 17

struct skb_shared_info {
	u8 nr_frags;
	u8 tx_flags;
	unsigned short gso_size;
	unsigned short gso_segs;
};

struct sk_buff {
	struct sk_buff *next;
	struct sk_buff *prev;
	struct net_device *dev;
	char cb[48] __aligned(8);
	unsigned int len;
	unsigned int data_len;
	u16 mac_len;
	u16 queue_mapping;
	u8 pkt_type;
	u8 ip_summed;
	__be16 protocol;
	u16 transport_header;
	u16 network_header;
	u16 mac_header;
	unsigned char *head;
	unsigned char *data;
	unsigned char *tail;
	unsigned char *end;
	unsigned int truesize;
	atomic_t users;
	struct skb_shared_info dmp_shinfo;
};

struct sk_buff_head {
	struct sk_buff *next;
	struct sk_buff *prev;
	u32 qlen;
};

struct sk_buff *dmp_lx_alloc_skb(unsigned int size, gfp_t gfp);
void dmp_lx_free_skb(struct sk_buff *skb);
void dmp_lx_skb_panic(const struct sk_buff *skb, unsigned int len, const char *what);

#define alloc_skb(size, gfp) dmp_lx_alloc_skb((size), (gfp))
#define kfree_skb(skb) dmp_lx_free_skb(skb)
#define consume_skb(skb) dmp_lx_free_skb(skb)
#define dev_kfree_skb(skb) dmp_lx_free_skb(skb)
#define dev_kfree_skb_any(skb) dmp_lx_free_skb(skb)
#define dev_kfree_skb_irq(skb) dmp_lx_free_skb(skb)
#define dev_consume_skb_any(skb) dmp_lx_free_skb(skb)
#define dev_consume_skb_irq(skb) dmp_lx_free_skb(skb)
#define napi_consume_skb(skb, budget) ((void)(budget), dmp_lx_free_skb(skb))

static inline struct sk_buff *skb_get(struct sk_buff *skb)
{
	atomic_inc(&skb->users);
	return skb;
}

#define skb_shinfo(skb) (&(skb)->dmp_shinfo)

static inline unsigned char *skb_tail_pointer(const struct sk_buff *skb)
{
	return skb->tail;
}
static inline unsigned char *skb_end_pointer(const struct sk_buff *skb)
{
	return skb->end;
}
static inline unsigned int skb_headroom(const struct sk_buff *skb)
{
	return (unsigned int)(skb->data - skb->head);
}
static inline int skb_tailroom(const struct sk_buff *skb)
{
	return (int)(skb->end - skb->tail);
}
static inline unsigned int skb_headlen(const struct sk_buff *skb)
{
	return skb->len - skb->data_len;
}
static inline bool skb_is_nonlinear(const struct sk_buff *skb)
{
	return skb->data_len != 0;
}

static inline void skb_reserve(struct sk_buff *skb, int len)
{
	skb->data += len;
	skb->tail += len;
}

static inline void *skb_put(struct sk_buff *skb, unsigned int len)
{
	unsigned char *tmp = skb->tail;
	if (skb->tail + len > skb->end)
		dmp_lx_skb_panic(skb, len, "skb_over_panic");
	skb->tail += len;
	skb->len += len;
	return tmp;
}
#define __skb_put(skb, len) skb_put(skb, len)

static inline void *skb_put_data(struct sk_buff *skb, const void *data, unsigned int len)
{
	void *tmp = skb_put(skb, len);
	memcpy(tmp, data, len);
	return tmp;
}
static inline void *skb_put_zero(struct sk_buff *skb, unsigned int len)
{
	void *tmp = skb_put(skb, len);
	memset(tmp, 0, len);
	return tmp;
}

static inline void *skb_push(struct sk_buff *skb, unsigned int len)
{
	if (skb->data - len < skb->head)
		dmp_lx_skb_panic(skb, len, "skb_under_panic");
	skb->data -= len;
	skb->len += len;
	return skb->data;
}
#define __skb_push(skb, len) skb_push(skb, len)

static inline void *skb_pull(struct sk_buff *skb, unsigned int len)
{
	if (len > skb->len)
		return NULL;
	skb->len -= len;
	return skb->data += len;
}
#define __skb_pull(skb, len) skb_pull(skb, len)

static inline void skb_trim(struct sk_buff *skb, unsigned int len)
{
	if (skb->len > len) {
		skb->len = len;
		skb->tail = skb->data + len;
	}
}

/* Zero-pad to @len; on failure Linux frees the skb and returns -ENOMEM.
 * The buffer is linear and sized at allocation: padding past its end fails. */
static inline int skb_padto(struct sk_buff *skb, unsigned int len)
{
	if (skb->len >= len)
		return 0;
	if (skb->data + len > skb->end) {
		dmp_lx_free_skb(skb);
		return -ENOMEM;
	}
	memset(skb->data + skb->len, 0, len - skb->len);
	return 0;
}
static inline int skb_put_padto(struct sk_buff *skb, unsigned int len)
{
	unsigned int size = skb->len;
	if (size >= len)
		return 0;
	if (skb_padto(skb, len))
		return -ENOMEM;
	skb_put(skb, len - size);
	return 0;
}

static inline int skb_linearize(struct sk_buff *skb)
{
	(void)skb;
	return 0;
}

static inline void skb_reset_mac_header(struct sk_buff *skb)
{
	skb->mac_header = (u16)(skb->data - skb->head);
}
static inline unsigned char *skb_mac_header(const struct sk_buff *skb)
{
	return skb->head + skb->mac_header;
}
static inline void skb_reset_network_header(struct sk_buff *skb)
{
	skb->network_header = (u16)(skb->data - skb->head);
}
static inline void skb_checksum_none_assert(const struct sk_buff *skb)
{
	(void)skb;
}
#define skb_tx_timestamp(skb) ((void)(skb))
#define skb_record_rx_queue(skb, q) ((void)(skb), (void)(q))
#define skb_get_queue_mapping(skb) ((skb)->queue_mapping)
#define skb_set_queue_mapping(skb, q) ((skb)->queue_mapping = (q))

struct sk_buff *dmp_lx_netdev_alloc_skb(struct net_device *dev, unsigned int len, gfp_t gfp);
#define __netdev_alloc_skb(dev, len, gfp) dmp_lx_netdev_alloc_skb((dev), (len), (gfp))
#define netdev_alloc_skb(dev, len) dmp_lx_netdev_alloc_skb((dev), (len), GFP_ATOMIC)
#define dev_alloc_skb(len) dmp_lx_netdev_alloc_skb(NULL, (len), GFP_ATOMIC)
static inline struct sk_buff *netdev_alloc_skb_ip_align(struct net_device *dev, unsigned int len)
{
	struct sk_buff *skb = netdev_alloc_skb(dev, len + NET_IP_ALIGN);
	if (skb)
		skb_reserve(skb, NET_IP_ALIGN);
	return skb;
}
#define napi_alloc_skb(napi, len)                                                       \
	__extension__({                                                                 \
		struct sk_buff *dmp__skb = dmp_lx_netdev_alloc_skb(NULL, (len) + NET_IP_ALIGN, \
								   GFP_ATOMIC);          \
		if (dmp__skb)                                                           \
			skb_reserve(dmp__skb, NET_IP_ALIGN);                            \
		(void)(napi);                                                           \
		dmp__skb;                                                               \
	})

/* Queues of skbs (no lock: one CPU, the callers' own locking). */
static inline void skb_queue_head_init(struct sk_buff_head *list)
{
	list->next = list->prev = (struct sk_buff *)list;
	list->qlen = 0;
}
#define __skb_queue_head_init(list) skb_queue_head_init(list)
static inline u32 skb_queue_len(const struct sk_buff_head *list)
{
	return list->qlen;
}
static inline bool skb_queue_empty(const struct sk_buff_head *list)
{
	return list->next == (const struct sk_buff *)list;
}
static inline void __skb_insert(struct sk_buff *n, struct sk_buff *prev, struct sk_buff *next,
				struct sk_buff_head *list)
{
	n->next = next;
	n->prev = prev;
	next->prev = prev->next = n;
	list->qlen++;
}
static inline void skb_queue_tail(struct sk_buff_head *list, struct sk_buff *n)
{
	__skb_insert(n, list->prev, (struct sk_buff *)list, list);
}
#define __skb_queue_tail(list, n) skb_queue_tail(list, n)
static inline void skb_queue_head(struct sk_buff_head *list, struct sk_buff *n)
{
	__skb_insert(n, (struct sk_buff *)list, list->next, list);
}
#define __skb_queue_head(list, n) skb_queue_head(list, n)
static inline struct sk_buff *skb_dequeue(struct sk_buff_head *list)
{
	if (skb_queue_empty(list))
		return NULL;
	struct sk_buff *skb = list->next;
	list->next = skb->next;
	skb->next->prev = (struct sk_buff *)list;
	skb->next = skb->prev = NULL;
	list->qlen--;
	return skb;
}
#define __skb_dequeue(list) skb_dequeue(list)
static inline struct sk_buff *skb_peek(const struct sk_buff_head *list)
{
	return skb_queue_empty(list) ? NULL : list->next;
}
static inline void skb_queue_purge(struct sk_buff_head *list)
{
	struct sk_buff *skb;
	while ((skb = skb_dequeue(list)))
		dmp_lx_free_skb(skb);
}
#define __skb_queue_purge(list) skb_queue_purge(list)

#endif /* DMP_COMPAT_LINUX_SKBUFF_H */
