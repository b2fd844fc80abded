/* SPDX-License-Identifier: MIT */
/*
 * page_alloc.c - memory regions, phys<->virt, and a buddy page allocator.
 *
 * Each region is a separate buddy system: blocks of 2^order pages, aligned
 * to their size in physical address, on one free list per order.  State lives
 * in the page descriptors (memmap), never in the memory itself, so a driver's
 * view of memory is not disturbed by the allocator and a region costs only
 * the descriptors of pages it touched.
 */
#include <string.h>

#include "../internal.h"

struct dmp__memory dmp__mem;

#define NONE 0u /* free-list link meaning "no page" (links are index + 1) */

static inline struct dmp_page *pg(struct dmp__region *r, uint32_t link)
{
	return &r->memmap[link - 1];
}

static void list_push(struct dmp__region *r, unsigned int order, size_t idx)
{
	struct dmp_page *p = &r->memmap[idx];
	uint32_t head = r->free_head[order];
	p->prev = NONE;
	p->next = head;
	if (head != NONE)
		pg(r, head)->prev = (uint32_t)idx + 1;
	r->free_head[order] = (uint32_t)idx + 1;
	p->order = (uint8_t)order;
	p->flags = DMP_PAGE_FREE;
}

static void list_del(struct dmp__region *r, unsigned int order, size_t idx)
{
	struct dmp_page *p = &r->memmap[idx];
	if (p->prev != NONE)
		pg(r, p->prev)->next = p->next;
	else
		r->free_head[order] = p->next;
	if (p->next != NONE)
		pg(r, p->next)->prev = p->prev;
	p->next = p->prev = NONE;
	p->flags = 0;
}

/* Largest order a block at absolute page frame @pfn may have. */
static unsigned int pfn_align_order(uint64_t pfn)
{
	if (pfn == 0)
		return DMP_PAGE_ORDER_MAX;
	unsigned int o = (unsigned int)__builtin_ctzll(pfn);
	return o > DMP_PAGE_ORDER_MAX ? DMP_PAGE_ORDER_MAX : o;
}

int dmp_mem_add_region(dmp_phys_t phys, void *va, size_t size, struct dmp_page *memmap)
{
	if (!size || !memmap || !DMP_IS_ALIGNED(phys, DMP_PAGE_SIZE) ||
	    !DMP_IS_ALIGNED((uintptr_t)va, DMP_PAGE_SIZE) || !DMP_IS_ALIGNED(size, DMP_PAGE_SIZE) ||
	    phys + size < phys)
		return -EINVAL;
	/* free-list links are 32-bit page indexes + 1 (16 TiB a region) */
	if (size / DMP_PAGE_SIZE >= UINT32_MAX)
		return -EINVAL;
	if (dmp__mem.nr == DMP_MAX_REGIONS)
		return -ENOMEM;
	for (unsigned int i = 0; i < dmp__mem.nr; i++) {
		struct dmp__region *o = &dmp__mem.r[i];
		if (phys < o->phys + o->size && o->phys < phys + size)
			return -EINVAL;
	}
	struct dmp__region *r = &dmp__mem.r[dmp__mem.nr];
	memset(r, 0, sizeof(*r));
	r->phys = phys;
	r->va = va;
	r->size = size;
	r->npages = size / DMP_PAGE_SIZE;
	r->memmap = memmap;
	dmp_spin_init(&r->lock);
	/* Carve the region into the largest naturally aligned blocks. */
	size_t idx = 0;
	while (idx < r->npages) {
		uint64_t pfn = (phys >> DMP_PAGE_SHIFT) + idx;
		unsigned int order = pfn_align_order(pfn);
		while (idx + ((size_t)1 << order) > r->npages)
			order--;
		list_push(r, order, idx);
		idx += (size_t)1 << order;
	}
	r->nr_free = r->npages;
	dmp__mem.nr++;
	return 0;
}

/* Take page @idx out of the free lists: split the free block holding it. */
static bool reserve_page(struct dmp__region *r, size_t idx)
{
	uint64_t first = r->phys >> DMP_PAGE_SHIFT;
	for (unsigned int o = 0; o <= DMP_PAGE_ORDER_MAX; o++) {
		uint64_t head_pfn = (first + idx) & ~(((uint64_t)1 << o) - 1);
		if (head_pfn < first)
			break;
		size_t head = (size_t)(head_pfn - first);
		struct dmp_page *p = &r->memmap[head];
		if (!(p->flags & DMP_PAGE_FREE) || p->order != o)
			continue;
		list_del(r, o, head);
		/* give back the halves that do not hold idx */
		while (o > 0) {
			o--;
			size_t half = head + ((size_t)1 << o);
			if (idx >= half) {
				list_push(r, o, head);
				head = half;
			} else {
				list_push(r, o, half);
			}
		}
		r->memmap[idx].flags = DMP_PAGE_RESERVED;
		r->nr_free--;
		return true;
	}
	return false; /* not free: allocated or already reserved */
}

int dmp_mem_reserve(dmp_phys_t phys, size_t size)
{
	if (!size || !DMP_IS_ALIGNED(phys | size, DMP_PAGE_SIZE))
		return -EINVAL;
	struct dmp__region *r = dmp__region_of_phys(phys);
	if (!r || size > r->size - (phys - r->phys))
		return -EINVAL;
	size_t first = (phys - r->phys) >> DMP_PAGE_SHIFT, n = size >> DMP_PAGE_SHIFT;
	size_t done = 0;
	dmp_spin_lock(&r->lock);
	while (done < n && reserve_page(r, first + done))
		done++;
	dmp_spin_unlock(&r->lock);
	if (done == n)
		return 0;
	/* a page was in use: give back what was taken, nothing half-reserved */
	for (size_t i = 0; i < done; i++) {
		r->memmap[first + i].flags = DMP_PAGE_HEAD;
		r->memmap[first + i].order = 0;
		dmp_page_free(r->phys + ((dmp_phys_t)(first + i) << DMP_PAGE_SHIFT), 0);
	}
	return -EBUSY;
}

unsigned int dmp_get_order(size_t size)
{
	unsigned int order = 0;
	/* no rounding overflow: a size near SIZE_MAX gets an order no block has */
	size_t pages = (size >> DMP_PAGE_SHIFT) + ((size & (DMP_PAGE_SIZE - 1)) != 0);
	while (((size_t)1 << order) < pages)
		order++;
	return order;
}

/* Pop a free block of @order from @r whose last byte is <= @limit. */
static bool take_block(struct dmp__region *r, unsigned int order, dmp_phys_t limit, size_t *out)
{
	size_t bytes = DMP_PAGE_SIZE << order;
	bool whole = r->phys + r->size - 1 <= limit;
	for (uint32_t l = r->free_head[order]; l != NONE; l = pg(r, l)->next) {
		size_t idx = l - 1;
		if (whole || r->phys + idx * DMP_PAGE_SIZE + bytes - 1 <= limit) {
			list_del(r, order, idx);
			*out = idx;
			return true;
		}
	}
	return false;
}

static bool region_alloc(struct dmp__region *r, unsigned int order, dmp_phys_t limit, size_t *out)
{
	bool ok = false;
	dmp_spin_lock(&r->lock);
	for (unsigned int o = order; o <= DMP_PAGE_ORDER_MAX; o++) {
		size_t idx;
		if (!take_block(r, o, limit, &idx))
			continue;
		/* Split: keep the low half, free the high halves. */
		while (o > order) {
			o--;
			list_push(r, o, idx + ((size_t)1 << o));
		}
		r->memmap[idx].order = (uint8_t)order;
		r->memmap[idx].flags = DMP_PAGE_HEAD;
		r->nr_free -= (size_t)1 << order;
		*out = idx;
		ok = true;
		break;
	}
	dmp_spin_unlock(&r->lock);
	return ok;
}

int dmp_page_alloc(unsigned int order, dmp_gfp_t gfp, dmp_phys_t limit, dmp_phys_t *phys)
{
	DMP_ASSERT(phys);
	if (order > DMP_PAGE_ORDER_MAX)
		return -EINVAL;
	if (gfp & DMP_GFP_DMA32)
		limit = DMP_MIN(limit, DMP_PHYS_DMA32_LIMIT);
	if (dmp__fail_check(DMP_FAIL_PAGE))
		return -ENOMEM;
	/* Highest regions first: low memory is kept for devices that need it. */
	bool tried[DMP_MAX_REGIONS] = { false };
	for (unsigned int n = 0; n < dmp__mem.nr; n++) {
		struct dmp__region *best = NULL;
		unsigned int bi = 0;
		for (unsigned int i = 0; i < dmp__mem.nr; i++)
			if (!tried[i] && (!best || dmp__mem.r[i].phys > best->phys)) {
				best = &dmp__mem.r[i];
				bi = i;
			}
		tried[bi] = true;
		if (best->phys > limit)
			continue;
		size_t idx;
		if (region_alloc(best, order, limit, &idx)) {
			*phys = best->phys + idx * DMP_PAGE_SIZE;
			if (gfp & DMP_GFP_ZERO)
				memset(best->va + idx * DMP_PAGE_SIZE, 0, DMP_PAGE_SIZE << order);
			return 0;
		}
	}
	return -ENOMEM;
}

int dmp_page_free(dmp_phys_t phys, unsigned int order)
{
	struct dmp__region *r = dmp__region_of_phys(phys);
	if (!r || order > DMP_PAGE_ORDER_MAX || !DMP_IS_ALIGNED(phys, DMP_PAGE_SIZE << order)) {
		dmp_log("dmaport: page free of 0x%llx order %u: not an allocated block",
			 (unsigned long long)phys, order);
		return -EINVAL;
	}
	size_t idx = (phys - r->phys) >> DMP_PAGE_SHIFT;
	dmp_spin_lock(&r->lock);
	struct dmp_page *p = &r->memmap[idx];
	if (!(p->flags & DMP_PAGE_HEAD) || p->order != order) {
		dmp_spin_unlock(&r->lock);
		dmp_log("dmaport: page free of 0x%llx order %u: not allocated with that order "
			 "(double free?)", (unsigned long long)phys, order);
		return -EINVAL;
	}
	p->flags = 0;
	p->slab_class = 0;
	r->nr_free += (size_t)1 << order;
	/* Merge with free buddies. */
	while (order < DMP_PAGE_ORDER_MAX) {
		uint64_t pfn = (r->phys >> DMP_PAGE_SHIFT) + idx;
		uint64_t buddy_pfn = pfn ^ ((uint64_t)1 << order);
		uint64_t first = r->phys >> DMP_PAGE_SHIFT;
		if (buddy_pfn < first || buddy_pfn + ((uint64_t)1 << order) > first + r->npages)
			break;
		size_t bidx = (size_t)(buddy_pfn - first);
		struct dmp_page *b = &r->memmap[bidx];
		if (!(b->flags & DMP_PAGE_FREE) || b->order != order)
			break;
		list_del(r, order, bidx);
		idx = DMP_MIN(idx, bidx);
		order++;
	}
	list_push(r, order, idx);
	dmp_spin_unlock(&r->lock);
	return 0;
}

size_t dmp_page_free_count(void)
{
	size_t n = 0;
	for (unsigned int i = 0; i < dmp__mem.nr; i++) {
		dmp_spin_lock(&dmp__mem.r[i].lock);
		n += dmp__mem.r[i].nr_free;
		dmp_spin_unlock(&dmp__mem.r[i].lock);
	}
	return n;
}

struct dmp_page *dmp__phys_to_page(dmp_phys_t phys)
{
	struct dmp__region *r = dmp__region_of_phys(phys);
	return r ? &r->memmap[(phys - r->phys) >> DMP_PAGE_SHIFT] : NULL;
}

void *dmp_phys_to_virt(dmp_phys_t phys)
{
	return dmp__phys_to_virt(phys);
}

int dmp_virt_to_phys(const void *va, dmp_phys_t *phys)
{
	struct dmp__region *r = dmp__region_of_va(va);
	if (!r)
		return -EFAULT;
	*phys = r->phys + (dmp_phys_t)((const uint8_t *)va - r->va);
	return 0;
}

bool dmp_is_dma_memory(const void *va, size_t len)
{
	struct dmp__region *r = dmp__region_of_va(va);
	if (!r)
		return false;
	size_t off = (size_t)((const uint8_t *)va - r->va);
	return len <= r->size - off;
}

struct dmp_page *dmp_phys_to_page(dmp_phys_t phys)
{
	return dmp__phys_to_page(phys);
}

struct dmp_page *dmp_virt_to_page(const void *va)
{
	dmp_phys_t phys;
	return dmp_virt_to_phys(va, &phys) ? NULL : dmp__phys_to_page(phys);
}

static struct dmp__region *region_of_page(const struct dmp_page *page)
{
	for (unsigned int i = 0; i < dmp__mem.nr; i++) {
		struct dmp__region *r = &dmp__mem.r[i];
		if (page >= r->memmap && page < r->memmap + r->npages)
			return r;
	}
	return NULL;
}

dmp_phys_t dmp_page_to_phys(const struct dmp_page *page)
{
	struct dmp__region *r = region_of_page(page);
	DMP_ASSERT(r);
	return r->phys + (dmp_phys_t)(page - r->memmap) * DMP_PAGE_SIZE;
}

void *dmp_page_address(const struct dmp_page *page)
{
	struct dmp__region *r = region_of_page(page);
	DMP_ASSERT(r);
	return r->va + (size_t)(page - r->memmap) * DMP_PAGE_SIZE;
}

int dmp__page_to_phys_checked(const void *page, dmp_phys_t *phys)
{
	for (unsigned int i = 0; i < dmp__mem.nr; i++) {
		struct dmp__region *r = &dmp__mem.r[i];
		const struct dmp_page *p = page;
		uintptr_t a = (uintptr_t)page, b = (uintptr_t)r->memmap;
		if (a >= b && a < (uintptr_t)(r->memmap + r->npages) &&
		    (a - b) % sizeof(struct dmp_page) == 0) {
			*phys = r->phys + (dmp_phys_t)(p - r->memmap) * DMP_PAGE_SIZE;
			return 0;
		}
	}
	return -EINVAL;
}
