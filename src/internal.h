/* SPDX-License-Identifier: MIT */
/*
 * internal.h - declarations shared by dmaport's layers.  Not installed.
 * Internal names carry the dmp__ prefix.
 */
#ifndef DMP_INTERNAL_H
#define DMP_INTERNAL_H

#include <dmaport/log.h>
#include <dmaport/platform.h>
#include <dmaport/memory.h>

#if defined(__GNUC__)
#define dmp__likely(x) __builtin_expect(!!(x), 1)
#define dmp__unlikely(x) __builtin_expect(!!(x), 0)
/* a slow path kept out of line, so that its caller's fast path stays small */
#define DMP__NOINLINE __attribute__((noinline))
/* a small fast-path helper inlined into every caller, whatever the
 * compiler's estimate */
#define DMP__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define dmp__likely(x) (x)
#define dmp__unlikely(x) (x)
#define DMP__NOINLINE
#define DMP__ALWAYS_INLINE inline
#endif

/* 2^64 / phi, odd: multiplying by it spreads keys over a hash's bits (Linux's
 * GOLDEN_RATIO_64, <linux/hash.h>); also a seed that is not zero. */
#define DMP__GOLDEN_RATIO_64 0x9e3779b97f4a7c15ull

/* INT_MAX without <limits.h> (the freestanding port has no C library). */
#define DMP__INT_MAX ((int)(~0u >> 1))

/* Failure injection sites (<dmaport/platform.h>: dmp_fail_nth). */
/** dmp__fail_count - internal: count this call at @site; true if it must fail. */
bool dmp__fail_count(enum dmp_fail_site site);
/** dmp__fail_on - internal: set by the first dmp_fail_nth(). */
extern _Atomic int dmp__fail_on;

/** dmp__fail_check - internal: true if this call at @site must fail. */
static inline bool dmp__fail_check(enum dmp_fail_site site)
{
	if (__builtin_expect(!atomic_load_explicit(&dmp__fail_on, memory_order_relaxed), 1))
		return false;
	return dmp__fail_count(site);
}

/* The active platform's ops, for the layers above it. */
#define DMP__PLAT_CALL(fn, ...) (dmp__platform.ops->fn(dmp__platform.ctx, __VA_ARGS__))
#define DMP__PLAT_CALL0(fn) (dmp__platform.ops->fn(dmp__platform.ctx))

/* Memory regions (src/mm/page_alloc.c). */
struct dmp__region {
	dmp_phys_t phys;
	uint8_t *va;
	size_t size;
	size_t npages;
	struct dmp_page *memmap;
	/* buddy allocator state, under lock */
	dmp_spinlock_t lock;
	uint32_t free_head[DMP_PAGE_ORDER_MAX + 1];
	size_t nr_free;
};

struct dmp__memory {
	unsigned int nr;
	struct dmp__region r[DMP_MAX_REGIONS];
};

extern struct dmp__memory dmp__mem;

/** dmp__region_of_phys - the region holding @phys, or NULL. */
static inline struct dmp__region *dmp__region_of_phys(dmp_phys_t phys)
{
	struct dmp__region *r0 = &dmp__mem.r[0];
	if (dmp__likely(phys - r0->phys < r0->size)) /* most lookups hit region 0 */
		return r0;
	for (unsigned int i = 1; i < dmp__mem.nr; i++) {
		struct dmp__region *r = &dmp__mem.r[i];
		if (phys - r->phys < r->size)
			return r;
	}
	return NULL;
}

/** dmp__phys_to_virt - dmp_phys_to_virt() inline, for hot paths of the library. */
static inline void *dmp__phys_to_virt(dmp_phys_t phys)
{
	struct dmp__region *r = dmp__region_of_phys(phys);
	return r ? r->va + (phys - r->phys) : NULL;
}

/** dmp__region_of_va - the region holding @va, or NULL. */
static inline struct dmp__region *dmp__region_of_va(const void *va)
{
	uintptr_t a = (uintptr_t)va;
	for (unsigned int i = 0; i < dmp__mem.nr; i++) {
		struct dmp__region *r = &dmp__mem.r[i];
		if (a - (uintptr_t)r->va < r->size)
			return r;
	}
	return NULL;
}

/** dmp__virt_to_phys_range - phys of @va if [@va, +@size) is all in one region; -EFAULT if not. */
static inline int dmp__virt_to_phys_range(const void *va, size_t size, dmp_phys_t *phys)
{
	struct dmp__region *r = dmp__region_of_va(va);
	if (!r)
		return -EFAULT;
	size_t off = (size_t)((const uint8_t *)va - r->va);
	if (size > r->size - off)
		return -EFAULT;
	*phys = r->phys + off;
	return 0;
}

/**
 * dmp__page_range_phys - the physical address of byte @offset of @page,
 * when @page is a page descriptor and [that byte, +@size) lies in its
 * region: the checks of a map_page with one region look-up.  0, or -EINVAL
 * (not a descriptor, or the range leaves the region: a caller wanting to
 * know which asks dmp__page_to_phys_checked() and dmp_is_dma_memory()).
 */
static inline int dmp__page_range_phys(const struct dmp_page *page, size_t offset, size_t size,
				       dmp_phys_t *phys)
{
	uintptr_t a = (uintptr_t)page;
	for (unsigned int i = 0; i < dmp__mem.nr; i++) {
		struct dmp__region *r = &dmp__mem.r[i];
		size_t at = a - (uintptr_t)r->memmap;
		if (at >= r->npages * sizeof(struct dmp_page))
			continue;
		if (at % sizeof(struct dmp_page))
			return -EINVAL;
		size_t start = at / sizeof(struct dmp_page) * DMP_PAGE_SIZE; /* in the region */
		if (offset > r->size - start || size > r->size - start - offset)
			return -EINVAL;
		*phys = r->phys + start + offset;
		return 0;
	}
	return -EINVAL;
}

/** dmp__phys_to_page - the descriptor of the page holding @phys, or NULL. */
struct dmp_page *dmp__phys_to_page(dmp_phys_t phys);

/** dmp__page_to_phys_checked - phys of @page if it is a page descriptor; -EINVAL if not. */
int dmp__page_to_phys_checked(const void *page, dmp_phys_t *phys);

/* Page descriptor flags. */
#define DMP_PAGE_FREE 0x01  /* heads a free buddy block */
#define DMP_PAGE_HEAD 0x02  /* heads an allocated block */
#define DMP_PAGE_RESERVED 0x08 /* taken out by dmp_mem_reserve(), never allocated */
/* struct dmp_page's heap_flags (the heap's, under its lock). */
#define DMP_PAGE_SLAB 0x04  /* the heap carves it into objects */

/*
 * dmp__sg_valid (src/dma/scatterlist.c; the DMA layer's and the IOMMU core's
 * map_sg call it): whether the first @nents entries of @sg are there and
 * each describes platform memory (a page descriptor, a length, offset +
 * length inside the page's region).  Returns true, or false with *@index the first
 * bad entry and *@why what is wrong with it (*@index == the entries the
 * list has, and *@why NULL, when it ends before @nents).  @nents > 0.
 */
struct dmp_scatterlist;
bool dmp__sg_valid(struct dmp_scatterlist *sg, int nents, int *index, const char **why);

/* Heap (src/mm/heap.c). */
void dmp__heap_reset(void);
/* Every dmp_kmalloc() object on pages of its own from now on (guard mode,
 * as electric-fence allocators place them), or back to size classes. */
void dmp__heap_own_pages(bool on);

/* Platform cache maintenance shorthands. */
static inline size_t dmp__cache_line(void)
{
	return DMP__PLAT_CALL0(cache_line_size);
}

#endif /* DMP_INTERNAL_H */
