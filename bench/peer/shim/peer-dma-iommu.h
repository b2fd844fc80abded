/* SPDX-License-Identifier: MIT */
/*
 * peer-dma-iommu.h - the prelude of the one C file that holds Linux's own
 * streaming map and unmap path: the definitions of kernel/dma/mapping.c,
 * drivers/iommu/dma-iommu.c, drivers/iommu/iommu.c and
 * drivers/iommu/iommu-priv.h that scripts/linux-peer-extract.sh cuts out of
 * Debian's linux-source (the list is in that script), over the real
 * include/linux/iommu.h and iova.h.
 * Written for dmaport from the kernel's documented interfaces; no kernel code
 * is in it.  What each stand-in is, and whether the benchmark reaches it:
 *
 *  - reached on every pair, as cheap as the kernel's with CONFIG_SWIOTLB and
 *    a device that never bounced: get_dma_ops() (NULL: an architecture
 *    without CONFIG_ARCH_HAS_DMA_OPS, as arm64), use_dma_iommu()
 *    (dev->dma_iommu), valid_dma_direction(); kmsan_handle_dma(),
 *    debug_dma_map_page() and debug_dma_unmap_page() are nothing, as without
 *    CONFIG_KMSAN and CONFIG_DMA_API_DEBUG; arch_dma_{map,unmap}_page_direct()
 *    are false, as without CONFIG_ARCH_HAS_DMA_MAP_DIRECT;
 *    swiotlb_tbl_unmap_single() (the kernel's
 *    inline checks dev->dma_io_tlb_mem, then, with CONFIG_SWIOTLB_DYNAMIC,
 *    an smp_rmb() and dev->dma_uses_io_tlb: the same loads here);
 *    dev_is_dma_coherent(), dma_get_mask(), dma_get_min_align_mask() (no
 *    dma_parms: 0), dev_is_pci() (a platform device: false),
 *    dma_kmalloc_needs_bounce() (false: the device is coherent, so kmalloc
 *    buffers are DMA-safe, as dma_kmalloc_safe() says);
 *  - reached once per flush-queue period: mod_timer() records the deadline
 *    of the flush-queue timer; nothing fires it while a run is timed (the
 *    queue fills and flushes itself every 256 unmaps per CPU long before
 *    10 ms); lx_dma_destroy() runs it;
 *  - never reached (abort if they were): dma_direct_map_page() and
 *    dma_direct_unmap_page() (the device's DMA goes through the IOMMU),
 *    swiotlb_tbl_map_single(),
 *    is_swiotlb_active(), arch_sync_dma_for_{device,cpu}() (the device is
 *    coherent), iova_reserve_pci_windows() (not PCI),
 *    cookie_init_hw_msi_region() (no hardware MSI region),
 *    iommu_deferred_attach() (the static key iommu_deferred_attach_enabled is
 *    off, as in every kernel that is not a kdump kernel),
 *    dma_range_map_min/max() (no dma-ranges).
 *  - tracepoints (trace_map, trace_unmap, trace_swiotlb_bounced,
 *    trace_dma_map_page, trace_dma_unmap_page) are off:
 *    nothing, where the kernel has a patched-out static branch.
 */
#ifndef PEER_DMA_IOMMU_H
#define PEER_DMA_IOMMU_H

#include <peer-kernel.h>
#include <linux/iommu.h>
#include <linux/iova.h>
#include "iommu-pages.h"

/* ---- what struct iommu_group (iommu.c) holds, never used on this path ---- */
struct kobject {
	void *unused;
};
struct xarray {
	void *unused;
};

/* ---- atomics the flush queue uses ---- */
#define atomic_read(v) __atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic_set(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic_xchg(v, i) __atomic_exchange_n(&(v)->counter, (i), __ATOMIC_SEQ_CST)
#define atomic64_read(v) __atomic_load_n(&(v)->counter, __ATOMIC_RELAXED)
#define atomic64_set(v, i) __atomic_store_n(&(v)->counter, (i), __ATOMIC_RELAXED)
#define atomic64_inc(v) ((void)__atomic_fetch_add(&(v)->counter, 1, __ATOMIC_RELAXED))

/* ---- static keys: a plain flag and a predicted branch ---- */
struct static_key_false {
	bool enabled;
};
#define DEFINE_STATIC_KEY_FALSE(name) struct static_key_false name = { false }
#define static_branch_unlikely(k) unlikely((k)->enabled)

/* ---- timers: mod_timer records; lx_dma_fire_timer() runs the callback ---- */
struct timer_list {
	void (*function)(struct timer_list *);
	unsigned long expires;
	bool pending;
};
extern unsigned long jiffies;
#define timer_setup(t, fn, flags) do { (t)->function = (fn); (t)->pending = false; } while (0)
#define from_timer(var, t, field) container_of(t, __typeof__(*var), field)
static inline int mod_timer(struct timer_list *t, unsigned long expires)
{
	bool was = t->pending;
	t->expires = expires;
	t->pending = true;
	return was;
}
static inline int del_timer_sync(struct timer_list *t)
{
	bool was = t->pending;
	t->pending = false;
	return was;
}

/* ---- memory ---- */
#define vmalloc(size) malloc(size)
#define vfree(p) free(p)
struct page;
/* the benchmark's struct page pointers are the pages' addresses, which are
 * their physical addresses (peer-kernel.h: phys == virt) */
#define page_to_phys(page) ((phys_addr_t)(uintptr_t)(page))
#define gfpflags_allow_blocking(gfp) (((gfp) & GFP_KERNEL) != 0)
#define might_sleep_if(c) do { } while (0)
#define __GFP_COMP 0x100u
#define __GFP_DMA32 GFP_DMA32
#define __GFP_DMA 0x200u
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define min_not_zero(x, y) ({ __typeof__(x) _x = (x); __typeof__(y) _y = (y); \
	_x == 0 ? _y : (_y == 0 ? _x : min(_x, _y)); })
#define DMA_BIT_MASK(n) (((n) == 64) ? ~0ULL : ((1ULL << (n)) - 1))
#define bits_per(n) (ilog2(n) + 1)

/* ---- diagnostics ---- */
#define dev_notice(dev, ...) fprintf(stderr, __VA_ARGS__)
#define dev_warn_once(dev, ...) fprintf(stderr, __VA_ARGS__)
#define dev_WARN_ONCE(dev, c, ...) WARN_ONCE(c, __VA_ARGS__)
#define trace_map(...) do { } while (0)
#define trace_unmap(...) do { } while (0)
#define trace_swiotlb_bounced(...) do { } while (0)
#define trace_dma_map_page(...) do { } while (0)
#define trace_dma_unmap_page(...) do { } while (0)

/* ---- the DMA layer's view of a device ---- */
#define DMA_ATTR_SKIP_CPU_SYNC (1UL << 5)
#define DMA_ATTR_PRIVILEGED (1UL << 9)
static inline bool dev_is_dma_coherent(struct device *dev)
{
	return dev->dma_coherent;
}
static inline u64 dma_get_mask(struct device *dev)
{
	if (dev->dma_mask && *dev->dma_mask)
		return *dev->dma_mask;
	return DMA_BIT_MASK(32);
}
static inline unsigned int dma_get_min_align_mask(struct device *dev)
{
	return 0;
}
static inline bool dma_kmalloc_needs_bounce(struct device *dev, size_t size,
					    enum dma_data_direction dir)
{
	return !dev_is_dma_coherent(dev) && dir != DMA_TO_DEVICE && (size & 63);
}
struct bus_dma_region;
static inline u64 dma_range_map_min(const struct bus_dma_region *map) { abort(); }
static inline u64 dma_range_map_max(const struct bus_dma_region *map) { abort(); }
static inline void arch_sync_dma_for_device(phys_addr_t p, size_t s, enum dma_data_direction d)
{
	abort();
}
static inline void arch_sync_dma_for_cpu(phys_addr_t p, size_t s, enum dma_data_direction d)
{
	abort();
}

/* ---- kernel/dma/mapping.c's view: a device whose DMA goes through the IOMMU ---- */
struct dma_map_ops {
	dma_addr_t (*map_page)(struct device *dev, struct page *page, unsigned long offset,
			       size_t size, enum dma_data_direction dir, unsigned long attrs);
	void (*unmap_page)(struct device *dev, dma_addr_t addr, size_t size,
			   enum dma_data_direction dir, unsigned long attrs);
};
static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return NULL;
}
static inline bool use_dma_iommu(struct device *dev)
{
	return dev->dma_iommu;
}
static inline int valid_dma_direction(enum dma_data_direction dir)
{
	return dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE || dir == DMA_FROM_DEVICE;
}
#define arch_dma_map_page_direct(dev, addr) (false)
#define arch_dma_unmap_page_direct(dev, addr) (false)
#define kmsan_handle_dma(...) do { } while (0)
#define debug_dma_map_page(...) do { } while (0)
#define debug_dma_unmap_page(...) do { } while (0)
static inline dma_addr_t dma_direct_map_page(struct device *dev, struct page *page,
					     unsigned long offset, size_t size,
					     enum dma_data_direction dir, unsigned long attrs)
{
	abort();
}
static inline void dma_direct_unmap_page(struct device *dev, dma_addr_t addr, size_t size,
					 enum dma_data_direction dir, unsigned long attrs)
{
	abort();
}

/* ---- PCI: a platform device is not one ---- */
struct pci_dev {
	bool untrusted;
};
#define dev_is_pci(dev) ((void)(dev), false)
#define to_pci_dev(dev) ((struct pci_dev *)NULL)

/* ---- swiotlb ---- */
#define CONFIG_SWIOTLB 1
struct peer_dev_swiotlb {
	bool dma_uses_io_tlb; /* the kernel's dev->dma_uses_io_tlb */
};
static inline void swiotlb_tbl_unmap_single(struct device *dev, phys_addr_t addr, size_t size,
					    enum dma_data_direction dir, unsigned long attrs)
{
	struct peer_dev_swiotlb *mem = dev->dma_io_tlb_mem;
	if (!mem)
		return;
	smp_rmb();
	if (unlikely(READ_ONCE(mem->dma_uses_io_tlb)))
		abort();
}
static inline bool is_swiotlb_active(struct device *dev) { abort(); }
static inline phys_addr_t swiotlb_tbl_map_single(struct device *dev, phys_addr_t phys, size_t size,
						 unsigned int align_mask,
						 enum dma_data_direction dir, unsigned long attrs)
{
	abort();
}

/* ---- dma-iommu.c's functions the extracted path names but never reaches ---- */
struct iommu_dma_cookie;
static int iova_reserve_pci_windows(struct pci_dev *dev, struct iova_domain *iovad)
{
	abort();
}
static int cookie_init_hw_msi_region(struct iommu_dma_cookie *cookie, phys_addr_t start,
				     phys_addr_t end)
{
	abort();
}

#endif /* PEER_DMA_IOMMU_H */
