/* SPDX-License-Identifier: MIT */
/*
 * direct.c - the direct mapping path: bus address = CPU address through
 * dma-ranges, cache maintenance for non-coherent devices, bouncing through
 * swiotlb when the device cannot reach a buffer (Linux's kernel/dma/direct.c
 * and direct.h).
 */
#include <string.h>

#include "alloc-internal.h"
#include "dma-internal.h"

/* ---- address translation and reach ------------------------------------- */

dmp_addr_t dmp_phys_to_dma(const struct dmp_device *dev, dmp_phys_t phys)
{
	if (dmp__likely(dev->nr_ranges == 0))
		return phys;
	for (unsigned int i = 0; i < dev->nr_ranges; i++) {
		const struct dmp_dma_range *r = &dev->ranges[i];
		if (phys - r->cpu_start < r->size)
			return r->dma_start + (phys - r->cpu_start);
	}
	return DMP_MAPPING_ERROR;
}

int dmp_dma_to_phys(const struct dmp_device *dev, dmp_addr_t addr, dmp_phys_t *phys)
{
	if (dmp__likely(dev->nr_ranges == 0)) {
		*phys = addr;
		return 0;
	}
	for (unsigned int i = 0; i < dev->nr_ranges; i++) {
		const struct dmp_dma_range *r = &dev->ranges[i];
		if (addr - r->dma_start < r->size) {
			*phys = r->cpu_start + (addr - r->dma_start);
			return 0;
		}
	}
	return -ERANGE;
}

static inline uint64_t reach_limit(const struct dmp_device *dev, uint64_t mask)
{
	/* Linux: min_not_zero(mask, dev->bus_dma_limit) */
	return dev->bus_dma_limit && dev->bus_dma_limit < mask ? dev->bus_dma_limit : mask;
}

static bool reaches(const struct dmp_device *dev, uint64_t mask, dmp_addr_t addr, size_t size)
{
	dmp_addr_t end = addr + size - 1;
	if (addr == DMP_MAPPING_ERROR || end < addr)
		return false;
	return end <= reach_limit(dev, mask);
}

bool dmp_dma_capable(const struct dmp_device *dev, dmp_addr_t addr, size_t size)
{
	return reaches(dev, *dev->dma_mask, addr, size);
}

bool dmp__coherent_ok(const struct dmp_device *dev, dmp_phys_t phys, size_t size)
{
	return reaches(dev, dev->coherent_dma_mask, dmp_phys_to_dma(dev, phys), size);
}

struct dmp_swiotlb_pool *dmp_dev_swiotlb(const struct dmp_device *dev)
{
	return dev->io_tlb_pool ? dev->io_tlb_pool : dmp_swiotlb_default();
}

/* The highest CPU address whose bus address is <= @limit; false if none. */
static bool phys_limit_for(const struct dmp_device *dev, uint64_t limit, dmp_phys_t *out)
{
	if (!dev->nr_ranges) {
		*out = limit;
		return true;
	}
	bool found = false;
	for (unsigned int i = 0; i < dev->nr_ranges; i++) {
		const struct dmp_dma_range *r = &dev->ranges[i];
		if (r->dma_start > limit)
			continue;
		dmp_phys_t top = r->cpu_start + DMP_MIN(r->size - 1, limit - r->dma_start);
		if (!found || top > *out)
			*out = top;
		found = true;
	}
	return found;
}

static dmp_phys_t memory_end(void)
{
	dmp_phys_t end = 0;
	for (unsigned int i = 0; i < dmp__mem.nr; i++)
		end = DMP_MAX(end, dmp__mem.r[i].phys + dmp__mem.r[i].size);
	return end;
}

static dmp_phys_t memory_start(void)
{
	dmp_phys_t start = DMP_MAPPING_ERROR;
	for (unsigned int i = 0; i < dmp__mem.nr; i++)
		start = DMP_MIN(start, dmp__mem.r[i].phys);
	return start;
}

/*
 * Linux's dma_direct_supported() with a DMA32 zone: a mask is good if it
 * reaches all of memory, or at least everything below min(end of memory,
 * 4 GiB) - the zone coherent allocations and bounce buffers fall back to.
 * Where dma-ranges do not cover that address, the mask must at least reach
 * the first byte of memory the device can see.
 */
bool dmp__direct_supported(struct dmp_device *dev, uint64_t mask)
{
	dmp_phys_t end = memory_end();
	if (!end)
		return false;
	/* Linux: "32-bit DMA masks are so common we expect every architecture
	 * to be able to satisfy them" - accepted whatever dma-ranges say;
	 * mappings the device cannot reach then bounce or fail cleanly */
	if (mask >= DMP_BIT_MASK(32))
		return true;
	dmp_phys_t min_phys = DMP_MIN(end - 1, DMP_PHYS_DMA32_LIMIT);
	dmp_addr_t need = dmp_phys_to_dma(dev, min_phys);
	if (need == DMP_MAPPING_ERROR)
		need = dmp_phys_to_dma(dev, memory_start());
	if (need == DMP_MAPPING_ERROR && dev->nr_ranges)
		need = dev->ranges[0].dma_start;
	return need != DMP_MAPPING_ERROR && mask >= need;
}

/*
 * Linux's dma_direct_all_ram_mapped(): every byte of memory has a bus address
 * through the device's dma-ranges (no ranges: identity, all of it).  A device
 * with holes in its ranges bounces buffers in the holes, so it is
 * "addressing limited" whatever its mask.
 */
bool dmp__direct_all_ram_mapped(const struct dmp_device *dev)
{
	if (!dev->nr_ranges)
		return true;
	for (unsigned int i = 0; i < dmp__mem.nr; i++) {
		dmp_phys_t p = dmp__mem.r[i].phys, end = p + dmp__mem.r[i].size;
		while (p < end) {
			unsigned int k;
			for (k = 0; k < dev->nr_ranges; k++) {
				const struct dmp_dma_range *r = &dev->ranges[k];
				if (p >= r->cpu_start && p - r->cpu_start < r->size)
					break;
			}
			if (k == dev->nr_ranges)
				return false;
			p = dev->ranges[k].cpu_start + dev->ranges[k].size;
		}
	}
	return true;
}

static int direct_supported(struct dmp_device *dev, uint64_t mask)
{
	return dmp__direct_supported(dev, mask);
}

static uint64_t direct_required_mask(struct dmp_device *dev)
{
	dmp_addr_t max = dmp_phys_to_dma(dev, memory_end() - 1);
	if (max == DMP_MAPPING_ERROR)
		max = memory_end() - 1;
	unsigned int bits = 64 - (unsigned int)__builtin_clzll(max | 1);
	return DMP_BIT_MASK(bits);
}

/* ---- streaming ------------------------------------------------------------ */

static inline void sync_for_device(struct dmp_device *dev, dmp_phys_t phys, size_t size,
				   enum dmp_data_direction dir)
{
	if (!dev->dma_coherent)
		dmp_arch_sync_for_device(phys, dmp_phys_to_virt(phys), size, dir);
}

static inline void sync_for_cpu(struct dmp_device *dev, dmp_phys_t phys, size_t size,
				enum dmp_data_direction dir)
{
	if (!dev->dma_coherent)
		dmp_arch_sync_for_cpu(phys, dmp_phys_to_virt(phys), size, dir);
}

/* Linux's swiotlb_map(): bounce, check the device reaches the bounce buffer. */
static dmp_addr_t bounce_map(struct dmp_device *dev, struct dmp_swiotlb_pool *pool,
			     dmp_phys_t phys, size_t size, enum dmp_data_direction dir,
			     unsigned long attrs)
{
	dmp_phys_t tlb;
	int err = dmp_swiotlb_tbl_map_single(pool, phys, size, size, dev->min_align_mask, 0, dir,
					     attrs, &tlb);
	if (err) {
		dmp__dma_report(dev, attrs, NULL, 0,
				"bounce buffer for %zu bytes at phys 0x%llx failed: error %d", size,
				(unsigned long long)phys, err);
		return DMP_MAPPING_ERROR;
	}
	dmp_addr_t dma = dmp_phys_to_dma(dev, tlb);
	if (!dmp_dma_capable(dev, dma, size)) {
		dmp_swiotlb_tbl_unmap_single(pool, tlb, size, dir, attrs | DMP_ATTR_SKIP_CPU_SYNC);
		dmp__dma_report(dev, attrs, NULL, 0,
				"the bounce buffer at phys 0x%llx is beyond the device's reach too "
				"(mask 0x%llx, bus limit 0x%llx): no memory it can reach",
				(unsigned long long)tlb, (unsigned long long)*dev->dma_mask,
				(unsigned long long)dev->bus_dma_limit);
		return DMP_MAPPING_ERROR;
	}
	if (!(attrs & DMP_ATTR_SKIP_CPU_SYNC))
		sync_for_device(dev, tlb, size, dir);
	/* from now on unmaps of this device look for bounce buffers (Linux's
	 * dma_uses_io_tlb); whoever unmaps got the handle from us, so sees it */
	if (!atomic_load_explicit(&dev->dma_uses_io_tlb, memory_order_relaxed))
		atomic_store_explicit(&dev->dma_uses_io_tlb, true, memory_order_relaxed);
	return dma;
}

static dmp_addr_t direct_map_phys(struct dmp_device *dev, dmp_phys_t phys, size_t size,
				  enum dmp_data_direction dir, unsigned long attrs)
{
	struct dmp_swiotlb_pool *pool;
	dmp_addr_t dma = dmp_phys_to_dma(dev, phys);

	if (dmp__unlikely(dev->force_bounce)) {
		if (attrs & DMP_ATTR_REQUIRE_COHERENT)
			goto not_coherent;
		pool = dmp_dev_swiotlb(dev);
		if (!pool)
			goto no_pool;
		return bounce_map(dev, pool, phys, size, dir, attrs);
	}
	if (dmp__unlikely(!dmp_dma_capable(dev, dma, size))) {
		pool = dmp_dev_swiotlb(dev);
		if (attrs & DMP_ATTR_REQUIRE_COHERENT)
			goto not_coherent;
		if (!pool)
			goto no_pool;
		return bounce_map(dev, pool, phys, size, dir, attrs);
	}
	if (!dev->dma_coherent) {
		if (attrs & DMP_ATTR_REQUIRE_COHERENT)
			goto not_coherent;
		if (!(attrs & DMP_ATTR_SKIP_CPU_SYNC))
			dmp_arch_sync_for_device(phys, dmp_phys_to_virt(phys), size, dir);
	}
	return dma;

no_pool:
	dmp__dma_report(dev, attrs, NULL, 0,
			"DMA address 0x%llx + %zu is beyond the device's reach (mask 0x%llx, bus "
			"limit 0x%llx) and it has no bounce buffer pool",
			(unsigned long long)dma, size, (unsigned long long)*dev->dma_mask,
			(unsigned long long)dev->bus_dma_limit);
	return DMP_MAPPING_ERROR;
not_coherent:
	dmp__dma_report(dev, attrs, NULL, 0,
			"DMP_ATTR_REQUIRE_COHERENT, but mapping phys 0x%llx needs %s",
			(unsigned long long)phys,
			dev->dma_coherent ? "a bounce buffer" : "cache maintenance");
	return DMP_MAPPING_ERROR;
}

/* The bounce pool holding @phys for this device, or NULL. */
static inline struct dmp_swiotlb_pool *bounce_pool_of(struct dmp_device *dev, dmp_phys_t phys)
{
	struct dmp_swiotlb_pool *pool = dmp_dev_swiotlb(dev);
	return pool && dmp_swiotlb_is_bounce(pool, phys) ? pool : NULL;
}

/* Bus address back to CPU address, reporting addresses that are no memory. */
static bool addr_to_phys(struct dmp_device *dev, dmp_addr_t addr, size_t size, dmp_phys_t *phys,
			 const char *what)
{
	enum dmp_debug_kind kind = what[0] == 's' ? DMP_DEBUG_SYNC_UNMAPPED : DMP_DEBUG_FREE_UNKNOWN;
	if (dmp_dma_to_phys(dev, addr, phys) == 0 && dmp_phys_to_virt(*phys) &&
	    dmp_is_dma_memory(dmp_phys_to_virt(*phys), size))
		return true;
	dmp__dma_misuse(dev, kind, NULL, 0, NULL,
			"%s of bus address 0x%llx (%zu bytes): not memory this device maps", what,
			(unsigned long long)addr, size);
	return false;
}

static void direct_sync_for_cpu(struct dmp_device *dev, dmp_addr_t addr, size_t size,
				enum dmp_data_direction dir)
{
	dmp_phys_t phys;
	if (!addr_to_phys(dev, addr, size, &phys, "sync_for_cpu"))
		return;
	/* invalidate first: the bounce copy below must read what the device wrote */
	sync_for_cpu(dev, phys, size, dir);
	struct dmp_swiotlb_pool *pool = bounce_pool_of(dev, phys);
	if (pool)
		dmp_swiotlb_sync_single_for_cpu(pool, phys, size, dir);
}

static void direct_sync_for_device(struct dmp_device *dev, dmp_addr_t addr, size_t size,
				   enum dmp_data_direction dir)
{
	dmp_phys_t phys;
	if (!addr_to_phys(dev, addr, size, &phys, "sync_for_device"))
		return;
	struct dmp_swiotlb_pool *pool = bounce_pool_of(dev, phys);
	if (pool)
		dmp_swiotlb_sync_single_for_device(pool, phys, size, dir);
	sync_for_device(dev, phys, size, dir);
}

/* True if [phys, phys + size) lies in @pool's memory (which is platform memory). */
static inline bool in_pool(const struct dmp_swiotlb_pool *pool, dmp_phys_t phys, size_t size)
{
	return phys - pool->start < pool->size && size - 1 < pool->size - (phys - pool->start);
}

/*
 * Linux's dma_direct_unmap_page(): the CPU's caches first (a non-coherent
 * device wrote DRAM: the bounce buffer's lines are invalidated so that the
 * copy-back reads what it wrote), then the pool's unmap, which copies back
 * for FROM_DEVICE and BIDIRECTIONAL unless DMP_ATTR_SKIP_CPU_SYNC.  Linux
 * syncs the bounce buffer for the CPU and then unmaps it without a copy,
 * which looks the mapping up twice; one unmap that copies is the same
 * bytes, and a wrong address or size is refused before anything is copied.
 */
static void bounce_unmap(struct dmp_device *dev, struct dmp_swiotlb_pool *pool, dmp_phys_t phys,
			 size_t size, enum dmp_data_direction dir, unsigned long attrs)
{
	if (!(attrs & DMP_ATTR_SKIP_CPU_SYNC))
		sync_for_cpu(dev, phys, size, dir);
	dmp_swiotlb_tbl_unmap_single(pool, phys, size, dir, attrs);
}

static void direct_unmap_phys(struct dmp_device *dev, dmp_addr_t addr, size_t size,
			      enum dmp_data_direction dir, unsigned long attrs)
{
	dmp_phys_t phys;
	struct dmp_swiotlb_pool *pool = dmp_dev_swiotlb(dev);
	/* the common case first: a coherent device, identity translation, not
	 * bounced - nothing to undo */
	if (dmp__likely(dev->dma_coherent && !dev->nr_ranges &&
			(!pool || !atomic_load_explicit(&dev->dma_uses_io_tlb, memory_order_relaxed) ||
			 !dmp_swiotlb_is_bounce(pool, addr))))
		return;
	/* a bounce buffer: pool memory, so no region lookup to prove it is memory */
	if (pool && dmp_dma_to_phys(dev, addr, &phys) == 0 && in_pool(pool, phys, size)) {
		bounce_unmap(dev, pool, phys, size, dir, attrs);
		return;
	}
	if (!addr_to_phys(dev, addr, size, &phys, "unmap"))
		return;
	if (pool && dmp_swiotlb_is_bounce(pool, phys))
		bounce_unmap(dev, pool, phys, size, dir, attrs);
	else if (!(attrs & DMP_ATTR_SKIP_CPU_SYNC))
		sync_for_cpu(dev, phys, size, dir);
}

static bool is_bounced(struct dmp_device *dev, dmp_addr_t addr)
{
	dmp_phys_t phys;
	return dmp_dma_to_phys(dev, addr, &phys) == 0 && bounce_pool_of(dev, phys);
}

static void unmap_sg_entries(struct dmp_device *dev, struct dmp_scatterlist *sgl, int nents,
			     enum dmp_data_direction dir, unsigned long attrs)
{
	struct dmp_scatterlist *sg;
	int i;
	dmp_for_each_sg(sgl, sg, nents, i)
		direct_unmap_phys(dev, sg->dma_address, sg->length, dir, attrs);
}

static int direct_map_sg(struct dmp_device *dev, struct dmp_scatterlist *sgl, int nents,
			 enum dmp_data_direction dir, unsigned long attrs)
{
	struct dmp_scatterlist *sg;
	int i;
	dmp_for_each_sg(sgl, sg, nents, i) {
		if (!dmp_sg_page(sg) || !sg->length) {
			dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, NULL, 0, DMP__FIX_SG_ENTRY,
					"scatterlist entry %d has %s", i,
					dmp_sg_page(sg) ? "length 0" : "no page (not platform memory)");
			goto fail;
		}
		dmp_phys_t phys = dmp_sg_phys(sg);
		dmp_addr_t a = direct_map_phys(dev, phys, sg->length, dir, attrs);
		if (a == DMP_MAPPING_ERROR)
			goto fail;
		sg->dma_address = a;
		sg->dma_length = sg->length;
		sg->dma_flags = is_bounced(dev, a) ? DMP_SG_DMA_SWIOTLB : 0;
	}
	return nents;
fail:
	/* undo what was mapped, without copies: the buffers never reached a device */
	unmap_sg_entries(dev, sgl, i, dir, attrs | DMP_ATTR_SKIP_CPU_SYNC);
	return -EIO;
}

static void direct_unmap_sg(struct dmp_device *dev, struct dmp_scatterlist *sgl, int nents,
			    enum dmp_data_direction dir, unsigned long attrs)
{
	unmap_sg_entries(dev, sgl, nents, dir, attrs);
}

static void direct_sync_sg_for_cpu(struct dmp_device *dev, struct dmp_scatterlist *sgl, int nents,
				   enum dmp_data_direction dir)
{
	struct dmp_scatterlist *sg;
	int i;
	dmp_for_each_sg(sgl, sg, nents, i)
		direct_sync_for_cpu(dev, sg->dma_address, sg->length, dir);
}

static void direct_sync_sg_for_device(struct dmp_device *dev, struct dmp_scatterlist *sgl,
				      int nents, enum dmp_data_direction dir)
{
	struct dmp_scatterlist *sg;
	int i;
	dmp_for_each_sg(sgl, sg, nents, i)
		direct_sync_for_device(dev, sg->dma_address, sg->length, dir);
}

/* Linux's dma_direct_map_resource(): MMIO is not translated or maintained. */
static dmp_addr_t direct_map_resource(struct dmp_device *dev, dmp_phys_t phys, size_t size,
				      enum dmp_data_direction dir, unsigned long attrs)
{
	return dmp_dma_capable(dev, phys, size) ? phys : DMP_MAPPING_ERROR;
}

static bool direct_need_sync(struct dmp_device *dev, dmp_addr_t addr)
{
	return !dev->dma_coherent || is_bounced(dev, addr);
}

static size_t direct_max_mapping_size(struct dmp_device *dev)
{
	struct dmp_swiotlb_pool *pool = dmp_dev_swiotlb(dev);
	/* Linux: only when the device may bounce does swiotlb limit a mapping */
	if (pool && (dev->force_bounce || dmp_addressing_limited(dev)))
		return dmp_swiotlb_max_mapping_size(pool, dev->min_align_mask);
	return SIZE_MAX;
}

/* ---- allocations ---------------------------------------------------------- */

/*
 * Pages for a coherent or non-coherent allocation: below what the coherent
 * mask and the bus limit reach.  Linux tries the normal zone, then ZONE_DMA32,
 * then ZONE_DMA (__dma_direct_alloc_pages); dmaport's page allocator takes the
 * physical limit directly and prefers the highest memory below it, which is
 * the same search without the retries.
 */
static int alloc_reachable(struct dmp_device *dev, size_t size, dmp_phys_t *phys)
{
	uint64_t limit = reach_limit(dev, dev->coherent_dma_mask);
	dmp_phys_t plimit = 0;
	if (!phys_limit_for(dev, limit, &plimit))
		return -ENOMEM;
	unsigned int order = dmp_get_order(size);
	int err = dmp_page_alloc(order, DMP_GFP_ZERO, plimit, phys);
	if (err)
		return err;
	if (!dmp__coherent_ok(dev, *phys, DMP_PAGE_SIZE << order)) {
		/* dma-ranges that are not monotonic: refuse rather than hand out
		 * memory the device cannot reach */
		dmp_page_free(*phys, order);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Zeroed pages for an allocation, as Linux's __dma_direct_alloc_pages():
 * CMA first (the device's area, or the default area for more than a page;
 * never for DMP_GFP_ATOMIC), kept only if the device reaches it, then the
 * page allocator.  put_pages() gives them back to whichever served them.
 */
static int get_pages(struct dmp_device *dev, size_t size, dmp_gfp_t gfp, dmp_phys_t *phys)
{
	struct dmp_page *pg = dmp__dma_alloc_contiguous(dev, size, gfp | DMP_GFP_ZERO, true);
	if (pg) {
		*phys = dmp_page_to_phys(pg);
		return 0;
	}
	return alloc_reachable(dev, size, phys);
}

static void put_pages(struct dmp_device *dev, dmp_phys_t phys, size_t size)
{
	if (!dmp__dma_release_contiguous(dev, dmp_phys_to_page(phys), size))
		dmp_page_free(phys, dmp_get_order(size));
}

static void *direct_alloc(struct dmp_device *dev, size_t size, dmp_addr_t *dma_handle,
			  dmp_gfp_t gfp, unsigned long attrs)
{
	/*
	 * The pools, in Linux's dma_direct_alloc() order.  NO_KERNEL_MAPPING
	 * needs no CPU mapping of a new type, so it skips them.  A non-coherent
	 * device is served by the global pool when one is declared (exclusive,
	 * CONFIG_DMA_GLOBAL_POOL), else, for a caller that must not block, by the
	 * atomic pool: Linux must not remap pages there.  Changing a page's type
	 * here never blocks, so without an atomic pool the normal path below
	 * serves atomic callers too (dmaport's choice: Linux always has a pool).
	 */
	if (!dev->dma_coherent && !(attrs & DMP_ATTR_NO_KERNEL_MAPPING)) {
		if (dmp__global_coherent_active())
			return dmp__alloc_from_global_coherent(dev, size, dma_handle);
		if ((gfp & DMP_GFP_ATOMIC) && dmp__atomic_pool_active()) {
			dmp_phys_t pool_phys;
			void *pool_va = dmp__atomic_pool_alloc(dev, size, &pool_phys, true);
			if (pool_va)
				*dma_handle = dmp_phys_to_dma(dev, pool_phys);
			return pool_va;
		}
	}
	dmp_phys_t phys;
	if (get_pages(dev, size, gfp, &phys))
		return NULL;
	size_t bytes = DMP_PAGE_SIZE << dmp_get_order(size);
	void *va = dmp_phys_to_virt(phys);
	if (!dev->dma_coherent) {
		/*
		 * A non-coherent device gets uncached (or write-combining) memory,
		 * as Linux's dma_direct_alloc() remaps it: first make sure the
		 * cacheable alias holds nothing dirty (arch_dma_prep_coherent).
		 * Linux must not remap in atomic context and uses the atomic pool
		 * there; changing a page's type here never blocks, so one path
		 * serves both.
		 */
		dmp_arch_prep_coherent(phys, va, bytes);
		enum dmp_mem_attr attr =
			(attrs & DMP_ATTR_WRITE_COMBINE) ? DMP_MEM_WC : DMP_MEM_UNCACHED;
		if (DMP__PLAT_CALL(set_mem_attr, phys, bytes, attr) != 0) {
			put_pages(dev, phys, size);
			return NULL;
		}
	}
	*dma_handle = dmp_phys_to_dma(dev, phys);
	/* NO_KERNEL_MAPPING: a cookie for mmap and free only, as Linux returns
	 * the struct page; it is not a CPU address. */
	if (attrs & DMP_ATTR_NO_KERNEL_MAPPING)
		return dmp_phys_to_page(phys);
	return va;
}

/* The physical address behind an allocation's CPU address or cookie. */
static bool alloc_phys(struct dmp_device *dev, void *cpu_addr, unsigned long attrs,
		       dmp_phys_t *phys)
{
	if (attrs & DMP_ATTR_NO_KERNEL_MAPPING)
		return dmp__page_to_phys_checked(cpu_addr, phys) == 0;
	return dmp_virt_to_phys(cpu_addr, phys) == 0;
}

/*
 * Whether @size is what the allocation at @phys got, as the allocator that
 * served it records it: a CMA area, the atomic pool, or the page allocator's
 * block order.  A free, mmap or get_sgtable with another size is refused:
 * Linux would free, or map to user space, pages beyond the allocation.
 */
static bool block_size_ok(struct dmp_device *dev, dmp_phys_t phys, void *cpu_addr, size_t size,
			  dmp_addr_t dma_handle, const char *what)
{
	struct dmp_page *pg = dmp__phys_to_page(phys);
	bool ok;
	if (dmp__atomic_pool_owns(cpu_addr))
		ok = dmp__atomic_pool_size_ok(cpu_addr, size);
	else if (dmp__cma_owns(phys))
		ok = dmp__cma_size_ok(phys, size);
	else if (pg->flags & DMP_PAGE_RESERVED)
		ok = true; /* declared or global coherent memory: its allocator checks */
	else
		ok = (pg->flags & DMP_PAGE_HEAD) && pg->order == dmp_get_order(size);
	if (ok)
		return true;
	dmp__dma_misuse(dev, DMP_DEBUG_SIZE_MISMATCH, NULL, 0, NULL,
			"%s of coherent memory with the wrong size or address [cpu=%p bus "
			"address=0x%llx size=%zu]", what, cpu_addr, (unsigned long long)dma_handle,
			size);
	return false;
}

static void direct_free(struct dmp_device *dev, size_t size, void *cpu_addr, dmp_addr_t dma_handle,
			unsigned long attrs)
{
	dmp_phys_t phys;
	if (!alloc_phys(dev, cpu_addr, attrs, &phys) ||
	    dmp_phys_to_dma(dev, phys) != dma_handle) {
		dmp__dma_misuse(dev, DMP_DEBUG_FREE_UNKNOWN, NULL, 0, NULL,
				"free of coherent memory not allocated here [cpu=%p bus address="
				"0x%llx size=%zu]", cpu_addr, (unsigned long long)dma_handle, size);
		return;
	}
	/* the pools that direct_alloc() consults first; each checks its own */
	if (!(attrs & DMP_ATTR_NO_KERNEL_MAPPING)) {
		if (!dev->dma_coherent && dmp__release_from_global_coherent(size, cpu_addr))
			return;
		if (dmp__atomic_pool_owns(cpu_addr)) {
			dmp__atomic_pool_free(cpu_addr, size);
			return;
		}
	}
	unsigned int order = dmp_get_order(size);
	/* CMA checks its own blocks (dmp_cma_release reports a bad one) */
	if (!block_size_ok(dev, phys, cpu_addr, size, dma_handle, "free"))
		return;
	if (!dev->dma_coherent)
		DMP__PLAT_CALL(set_mem_attr, phys, DMP_PAGE_SIZE << order, DMP_MEM_NORMAL);
	put_pages(dev, phys, size);
}

static struct dmp_page *direct_alloc_pages(struct dmp_device *dev, size_t size,
					   dmp_addr_t *dma_handle, enum dmp_data_direction dir,
					   dmp_gfp_t gfp)
{
	dmp_phys_t phys;
	if (get_pages(dev, size, gfp, &phys))
		return NULL;
	/*
	 * The pages were zeroed through the cache; the buffer starts owned by
	 * the device (the driver syncs for the CPU before reading), so the
	 * zeroes are written back now, or a device read would see old DRAM.
	 */
	sync_for_device(dev, phys, DMP_PAGE_SIZE << dmp_get_order(size), DMP_BIDIRECTIONAL);
	*dma_handle = dmp_phys_to_dma(dev, phys);
	return dmp_phys_to_page(phys);
}

static void direct_free_pages(struct dmp_device *dev, size_t size, struct dmp_page *page,
			      dmp_addr_t dma_handle, enum dmp_data_direction dir)
{
	dmp_phys_t phys;
	if (dmp__page_to_phys_checked(page, &phys) || dmp_phys_to_dma(dev, phys) != dma_handle) {
		dmp__dma_misuse(dev, DMP_DEBUG_FREE_UNKNOWN, NULL, 0, NULL,
				"free of non-coherent pages not allocated here [bus address=0x%llx "
				"size=%zu]", (unsigned long long)dma_handle, size);
		return;
	}
	if (!block_size_ok(dev, phys, dmp_phys_to_virt(phys), size, dma_handle, "free"))
		return;
	if (!dev->dma_coherent)
		dmp__release_noncoherent(phys, DMP_PAGE_SIZE << dmp_get_order(size));
	put_pages(dev, phys, size);
}

static int direct_mmap(struct dmp_device *dev, struct dmp_user_mapping *um, void *cpu_addr,
		       dmp_addr_t dma_addr, size_t size, unsigned long attrs)
{
	dmp_phys_t phys;
	int ret;
	if (!dev->dma_coherent && dmp__mmap_from_global_coherent(um, cpu_addr, size, &ret))
		return ret;
	if (!alloc_phys(dev, cpu_addr, attrs, &phys))
		return -EINVAL;
	if (!block_size_ok(dev, phys, cpu_addr, size, dma_addr, "mmap"))
		return -EINVAL;
	return dmp__mmap_phys(um, phys, size);
}

int dmp__mmap_phys(struct dmp_user_mapping *um, dmp_phys_t phys, size_t size)
{
	size_t first, count;
	int err = dmp__mmap_window(size, um, &first, &count);
	if (err)
		return err;
	if (!dmp__platform.ops->user_map)
		return -EOPNOTSUPP;
	err = DMP__PLAT_CALL(user_map, phys + (first << DMP_PAGE_SHIFT), count << DMP_PAGE_SHIFT,
			     &um->addr, &um->fd, &um->offset);
	if (!err)
		um->size = count << DMP_PAGE_SHIFT;
	return err;
}

void dmp_munmap(struct dmp_user_mapping *um)
{
	if (um && um->addr && dmp__platform.ops && dmp__platform.ops->user_unmap)
		DMP__PLAT_CALL(user_unmap, um->addr, um->size);
	if (um)
		um->addr = NULL;
}

static int direct_get_sgtable(struct dmp_device *dev, struct dmp_sg_table *sgt, void *cpu_addr,
			      dmp_addr_t dma_addr, size_t size, unsigned long attrs)
{
	dmp_phys_t phys;
	if (!alloc_phys(dev, cpu_addr, attrs, &phys))
		return -EINVAL;
	if (!block_size_ok(dev, phys, cpu_addr, size, dma_addr, "get_sgtable"))
		return -EINVAL;
	return dmp__sgtable_one(sgt, phys, size);
}

int dmp__sgtable_one(struct dmp_sg_table *sgt, dmp_phys_t phys, size_t size)
{
	int err = dmp_sg_alloc_table(sgt, 1, DMP_GFP_KERNEL);
	if (!err)
		dmp_sg_set_page(sgt->sgl, dmp_phys_to_page(phys),
				(unsigned int)DMP_ALIGN_UP(size, DMP_PAGE_SIZE), 0);
	return err;
}

const struct dmp_dma_map_ops dmp_direct_ops = {
	.name = "direct",
	.alloc = direct_alloc,
	.free = direct_free,
	.mmap = direct_mmap,
	.get_sgtable = direct_get_sgtable,
	.alloc_pages = direct_alloc_pages,
	.free_pages = direct_free_pages,
	.map_phys = direct_map_phys,
	.unmap_phys = direct_unmap_phys,
	.map_sg = direct_map_sg,
	.unmap_sg = direct_unmap_sg,
	.map_resource = direct_map_resource,
	.sync_single_for_cpu = direct_sync_for_cpu,
	.sync_single_for_device = direct_sync_for_device,
	.sync_sg_for_cpu = direct_sync_sg_for_cpu,
	.sync_sg_for_device = direct_sync_sg_for_device,
	.dma_supported = direct_supported,
	.max_mapping_size = direct_max_mapping_size,
	.need_sync = direct_need_sync,
	.get_required_mask = direct_required_mask,
};
