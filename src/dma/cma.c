/* SPDX-License-Identifier: MIT */
/*
 * cma.c - the contiguous memory allocator (Linux's mm/cma.c) and the
 * contiguous path of coherent allocation (kernel/dma/contiguous.c).
 *
 * An area's pages are taken from the buddy allocator when it is declared (see
 * <dmaport/cma.h> for why they are reserved rather than lent).  The buddy
 * allocator hands out blocks, not addresses, so reserving a given range is
 * done block by block: the range is cut into naturally aligned blocks, and
 * each is allocated with a limit at its own end until the allocator returns
 * exactly that block; blocks it returns first (lower ones) are set aside and
 * freed afterwards.  Set-up only, so the cost does not matter.
 *
 * Allocation is first fit over the bitmap, word at a time, honouring the
 * alignment of the block's physical address (Linux's
 * bitmap_find_next_zero_area_off with cma_bitmap_aligned_offset).
 */
#include <stdio.h>
#include <string.h>

#include <dmaport/cma.h>
#include <dmaport/dma-map-ops.h>

#include "alloc-internal.h"
#include "bitmap.h"
#include "dma-internal.h"

struct dmp_cma {
	/* constant after declare */
	char name[DMP_CMA_NAME_MAX];
	dmp_phys_t base;
	size_t nr_pages;
	unsigned int order_per_bit;
	size_t nbits;
	struct dmp_cma *next; /* on the list of areas, under areas_lock */

	/* under lock */
	dmp_spinlock_t lock;
	uint64_t *bitmap;    /* 1 = in use */
	uint32_t *alloc_len; /* per bit: bits of the allocation starting there, 0 if none */
	size_t used_bits;
	size_t nr_allocs;
};

static dmp_spinlock_t areas_lock = DMP_SPINLOCK_INIT;
static struct dmp_cma *areas;
static struct dmp_cma *default_area;

/* ---- bitmap -------------------------------------------------------------- */

/* First bit >= @start and < @end equal to @val, or @end. */
static size_t find_next(const uint64_t *bm, size_t start, size_t end, bool val)
{
	size_t i = start;
	while (i < end) {
		uint64_t w = bm[i / 64];
		if (!val)
			w = ~w;
		w &= ~0ull << (i % 64);
		if (w) {
			size_t j = (i & ~(size_t)63) + (size_t)__builtin_ctzll(w);
			return j < end ? j : end;
		}
		i = (i & ~(size_t)63) + 64;
	}
	return end;
}

/*
 * First run of @n free bits starting at a bit b with (b + @offset) a multiple
 * of @mask + 1, or -1.
 */
static long find_area(const struct dmp_cma *cma, size_t n, size_t mask, size_t offset)
{
	size_t start = 0;
	for (;;) {
		size_t b = find_next(cma->bitmap, start, cma->nbits, false);
		b = ((b + offset + mask) & ~mask) - offset;
		if (b + n > cma->nbits || b + n < b)
			return -1;
		size_t used = find_next(cma->bitmap, b, b + n, true);
		if (used == b + n)
			return (long)b;
		start = used + 1;
	}
}

/* Longest run of free bits whose start can be aligned as find_area wants. */
static size_t largest_free_run(const struct dmp_cma *cma, size_t mask, size_t offset)
{
	size_t best = 0, b = 0;
	while (b < cma->nbits) {
		size_t s = find_next(cma->bitmap, b, cma->nbits, false);
		if (s >= cma->nbits)
			break;
		size_t e = find_next(cma->bitmap, s, cma->nbits, true);
		size_t a = ((s + offset + mask) & ~mask) - offset;
		if (a < e && e - a > best)
			best = e - a;
		b = e;
	}
	return best;
}

/* ---- reserving a range from the page allocator -------------------------- */

#define STASH_END (~(dmp_phys_t)0)
struct stash_link {
	dmp_phys_t next;
	unsigned int order;
};

static void free_stash(dmp_phys_t stash)
{
	while (stash != STASH_END) {
		struct stash_link *l = dmp_phys_to_virt(stash);
		dmp_phys_t next = l->next;
		dmp_page_free(stash, l->order);
		stash = next;
	}
}

/*
 * The free buddy block holding @pos: its head and order, by reading the page
 * descriptors.  Unlocked: declaring areas happens at set-up, before anyone
 * else allocates; take_exact_block() re-checks under the allocator's lock by
 * getting exactly that block.
 */
static bool free_block_holding(dmp_phys_t pos, dmp_phys_t *head, unsigned int *order)
{
	struct dmp__region *r = dmp__region_of_phys(pos);
	if (!r)
		return false;
	for (unsigned int o = 0; o <= DMP_PAGE_ORDER_MAX; o++) {
		dmp_phys_t a = pos & ~((DMP_PAGE_SIZE << o) - 1);
		if (a < r->phys || a - r->phys + (DMP_PAGE_SIZE << o) > r->size)
			break;
		const struct dmp_page *p = dmp__phys_to_page(a);
		if ((p->flags & DMP_PAGE_FREE) && p->order == o) {
			*head = a;
			*order = o;
			return true;
		}
	}
	return false;
}

/*
 * Allocate exactly the free block (@a, @order): ask for blocks of that order
 * ending at or below its end until the allocator returns it; blocks it
 * returns first (lower ones) are chained through their own memory (they are
 * ours) on *@stash, for the caller to free.  0 or -EBUSY.
 */
static int take_exact_block(dmp_phys_t a, unsigned int order, dmp_phys_t *stash)
{
	dmp_phys_t limit = a + (DMP_PAGE_SIZE << order) - 1;
	for (;;) {
		dmp_phys_t got;
		if (dmp_page_alloc(order, 0, limit, &got))
			return -EBUSY;
		if (got == a)
			return 0;
		struct stash_link *l = dmp_phys_to_virt(got);
		l->next = *stash;
		l->order = order;
		*stash = got;
	}
}

/*
 * Split the allocated block (@a, @order) into two allocated halves (Linux's
 * split_page, for a buddy block we own): the descriptors of an allocated
 * block belong to its owner until it is freed.
 */
static void split_held(dmp_phys_t a, unsigned int order)
{
	struct dmp_page *lo = dmp__phys_to_page(a);
	struct dmp_page *hi = dmp__phys_to_page(a + (DMP_PAGE_SIZE << (order - 1)));
	lo->order = (uint8_t)(order - 1);
	memset(hi, 0, sizeof(*hi));
	hi->flags = DMP_PAGE_HEAD;
	hi->order = (uint8_t)(order - 1);
}

/* Keep the parts of the held block (@a, @order) inside [@lo, @hi), free the rest. */
static void trim_held(dmp_phys_t a, unsigned int order, dmp_phys_t lo, dmp_phys_t hi)
{
	dmp_phys_t end = a + (DMP_PAGE_SIZE << order);
	if (a >= hi || end <= lo) {
		dmp_page_free(a, order);
		return;
	}
	if (a >= lo && end <= hi)
		return;
	split_held(a, order);
	trim_held(a, order - 1, lo, hi);
	trim_held(a + (DMP_PAGE_SIZE << (order - 1)), order - 1, lo, hi);
}

/* Give [@base, @end) back: it is tiled by held blocks, each headed by its descriptor. */
static void unreserve_range(dmp_phys_t base, dmp_phys_t end)
{
	for (dmp_phys_t pos = base; pos < end;) {
		unsigned int order = dmp__phys_to_page(pos)->order;
		dmp_page_free(pos, order);
		pos += DMP_PAGE_SIZE << order;
	}
}

/* Is [@base, @end) still tiled by blocks held from the page allocator? */
static bool range_held(dmp_phys_t base, dmp_phys_t end)
{
	for (dmp_phys_t pos = base; pos < end;) {
		const struct dmp_page *p = dmp__phys_to_page(pos);
		if (!p || !(p->flags & DMP_PAGE_HEAD) || pos + (DMP_PAGE_SIZE << p->order) > end)
			return false;
		pos += DMP_PAGE_SIZE << p->order;
	}
	return true;
}

/* Take [@base, +@pages) out of the page allocator.  0 or -EBUSY (nothing held then). */
static int reserve_range(dmp_phys_t base, size_t pages)
{
	dmp_phys_t stash = STASH_END;
	dmp_phys_t end = base + ((dmp_phys_t)pages << DMP_PAGE_SHIFT);
	dmp_phys_t done = base;
	int err = 0;
	while (done < end) {
		dmp_phys_t a;
		unsigned int order;
		if (!free_block_holding(done, &a, &order)) {
			err = -EBUSY;
			break;
		}
		err = take_exact_block(a, order, &stash);
		if (err)
			break;
		trim_held(a, order, base, end);
		done = DMP_MIN(end, a + (DMP_PAGE_SIZE << order));
	}
	free_stash(stash);
	if (err)
		unreserve_range(base, done);
	return err;
}

/* ---- declare / destroy --------------------------------------------------- */

/* A place for a dynamic area: the lowest address of a free block holding it. */
static int find_place(size_t pages, unsigned int align_order, dmp_phys_t limit, dmp_phys_t *base)
{
	unsigned int order = DMP_MAX(dmp_get_order(pages << DMP_PAGE_SHIFT), align_order);
	if (order > DMP_PAGE_ORDER_MAX)
		return -EINVAL;
	dmp_phys_t phys;
	if (dmp_page_alloc(order, 0, limit, &phys))
		return -EBUSY;
	/* give it back: reserve_range() takes exactly the pages of the area */
	dmp_page_free(phys, order);
	*base = phys;
	return 0;
}

int dmp_cma_declare(dmp_phys_t base, size_t size, dmp_phys_t limit, unsigned int align_order,
		    unsigned int order_per_bit, const char *name, struct dmp_cma **out)
{
	DMP_ASSERT(out);
	if (order_per_bit > DMP_PAGE_ORDER_MAX || align_order > DMP_PAGE_ORDER_MAX)
		return -EINVAL;
	align_order = DMP_MAX(align_order, order_per_bit);
	size_t bit_bytes = DMP_PAGE_SIZE << order_per_bit;
	if (!size || !DMP_IS_ALIGNED(size, bit_bytes) || (size >> DMP_PAGE_SHIFT) > UINT32_MAX)
		return -EINVAL;
	size_t pages = size >> DMP_PAGE_SHIFT;
	int err = -ENOMEM;
	struct dmp_cma *cma = dmp_kzalloc(sizeof(*cma), DMP_GFP_KERNEL);
	if (!cma)
		goto fail;
	cma->nbits = pages >> order_per_bit;
	cma->bitmap = dmp_kzalloc(DMP_ALIGN_UP(cma->nbits, 64) / 8, DMP_GFP_KERNEL);
	if (!cma->bitmap)
		goto fail_cma;
	cma->alloc_len = dmp_kzalloc(cma->nbits * sizeof(uint32_t), DMP_GFP_KERNEL);
	if (!cma->alloc_len)
		goto fail_bitmap;
	/* placed after the bookkeeping is allocated: the heap takes pages too */
	if (!base) {
		err = find_place(pages, align_order, limit, &base);
		if (err)
			goto fail_len;
	}
	dmp_phys_t check;
	void *va = dmp_phys_to_virt(base);
	err = -EINVAL;
	if (!DMP_IS_ALIGNED(base, DMP_PAGE_SIZE << align_order) || base + size - 1 < base ||
	    base + size - 1 > limit || !va || dmp__virt_to_phys_range(va, size, &check))
		goto fail_len;
	err = reserve_range(base, pages);
	if (err)
		goto fail_len;
	snprintf(cma->name, sizeof(cma->name), "%s", name ? name : "cma");
	cma->base = base;
	cma->nr_pages = pages;
	cma->order_per_bit = order_per_bit;
	dmp_spin_init(&cma->lock);
	dmp_spin_lock(&areas_lock);
	cma->next = areas;
	areas = cma;
	dmp_spin_unlock(&areas_lock);
	*out = cma;
	return 0;

fail_len:
	dmp_kfree(cma->alloc_len);
fail_bitmap:
	dmp_kfree(cma->bitmap);
fail_cma:
	dmp_kfree(cma);
fail:
	return err;
}

int dmp_cma_destroy(struct dmp_cma *cma)
{
	if (!cma)
		return 0;
	dmp_spin_lock(&cma->lock);
	size_t live = cma->nr_allocs;
	dmp_spin_unlock(&cma->lock);
	if (live) {
		dmp_log("dmaport: cma %s: destroy refused, %zu allocations still live", cma->name,
			 live);
		return -EBUSY;
	}
	dmp_spin_lock(&areas_lock);
	for (struct dmp_cma **pp = &areas; *pp; pp = &(*pp)->next)
		if (*pp == cma) {
			*pp = cma->next;
			break;
		}
	if (default_area == cma)
		default_area = NULL;
	dmp_spin_unlock(&areas_lock);
	unreserve_range(cma->base, cma->base + ((dmp_phys_t)cma->nr_pages << DMP_PAGE_SHIFT));
	dmp_kfree(cma->alloc_len);
	dmp_kfree(cma->bitmap);
	dmp_kfree(cma);
	return 0;
}

/* Part of dmp__allocators_forget() (coherent.c): the areas' list only. */
void dmp__cma_forget_all(void);
void dmp__cma_forget_all(void)
{
	dmp_spin_lock(&areas_lock);
	areas = NULL;
	default_area = NULL;
	dmp_spin_unlock(&areas_lock);
}

void dmp_cma_set_default(struct dmp_cma *cma)
{
	dmp_spin_lock(&areas_lock);
	default_area = cma;
	dmp_spin_unlock(&areas_lock);
}

struct dmp_cma *dmp_cma_get_default(void)
{
	dmp_spin_lock(&areas_lock);
	struct dmp_cma *cma = default_area;
	dmp_spin_unlock(&areas_lock);
	return cma;
}

const char *dmp_cma_name(const struct dmp_cma *cma)
{
	return cma->name;
}

/* ---- alloc / release ----------------------------------------------------- */

/* Bitmap alignment for @align_order: mask and offset (Linux's cma_bitmap_aligned_*). */
static void align_params(const struct dmp_cma *cma, unsigned int align_order, size_t *mask,
			 size_t *offset)
{
	unsigned int opb = cma->order_per_bit;
	*mask = align_order > opb ? ((size_t)1 << (align_order - opb)) - 1 : 0;
	size_t base_bit = (size_t)(cma->base >> (DMP_PAGE_SHIFT + opb));
	*offset = base_bit & *mask;
}

int dmp_cma_alloc(struct dmp_cma *cma, size_t count, unsigned int align_order, dmp_gfp_t gfp,
		  dmp_phys_t *phys)
{
	DMP_ASSERT(cma && phys);
	if (!count || align_order > DMP_PAGE_ORDER_MAX)
		return -EINVAL;
	unsigned int opb = cma->order_per_bit;
	size_t n = (count + ((size_t)1 << opb) - 1) >> opb;
	size_t mask, offset;
	align_params(cma, align_order, &mask, &offset);
	dmp_spin_lock(&cma->lock);
	long b = n <= cma->nbits ? find_area(cma, n, mask, offset) : -1;
	if (b < 0) {
		size_t free_pages = (cma->nbits - cma->used_bits) << opb;
		size_t run = largest_free_run(cma, mask, offset) << opb;
		dmp_spin_unlock(&cma->lock);
		if (!(gfp & DMP_GFP_NOWARN)) {
			if (free_pages < count)
				dmp_log("dmaport: cma %s: allocation of %zu pages (align order %u) "
					 "failed: the area is full (%zu of %zu pages free)", cma->name,
					 count, align_order, free_pages, cma->nr_pages);
			else
				dmp_log("dmaport: cma %s: allocation of %zu pages (align order %u) "
					 "failed: the area is fragmented (%zu pages free, largest "
					 "free aligned run %zu pages)", cma->name, count, align_order,
					 free_pages, run);
		}
		return -ENOMEM;
	}
	dmp__bits_assign(cma->bitmap, (size_t)b, n, true);
	cma->alloc_len[b] = (uint32_t)n;
	cma->used_bits += n;
	cma->nr_allocs++;
	dmp_spin_unlock(&cma->lock);
	*phys = cma->base + ((dmp_phys_t)b << (DMP_PAGE_SHIFT + opb));
	if (gfp & DMP_GFP_ZERO)
		dmp__fill(dmp_phys_to_virt(*phys), 0, count << DMP_PAGE_SHIFT);
	return 0;
}

static bool in_area(const struct dmp_cma *cma, dmp_phys_t phys)
{
	return phys - cma->base < ((dmp_phys_t)cma->nr_pages << DMP_PAGE_SHIFT);
}

int dmp_cma_release(struct dmp_cma *cma, dmp_phys_t phys, size_t count)
{
	DMP_ASSERT(cma);
	unsigned int opb = cma->order_per_bit;
	const char *why = NULL;
	size_t n = (count + ((size_t)1 << opb) - 1) >> opb;
	if (!count || !in_area(cma, phys)) {
		why = "not in the area";
	} else if (!DMP_IS_ALIGNED(phys - cma->base, DMP_PAGE_SIZE << opb)) {
		why = "not the start of an allocation";
	} else {
		size_t b = (size_t)((phys - cma->base) >> (DMP_PAGE_SHIFT + opb));
		dmp_spin_lock(&cma->lock);
		uint32_t len = cma->alloc_len[b];
		if (len == n) {
			cma->alloc_len[b] = 0;
			dmp__bits_assign(cma->bitmap, b, n, false);
			cma->used_bits -= n;
			cma->nr_allocs--;
		}
		dmp_spin_unlock(&cma->lock);
		if (!len)
			why = "not allocated (double release?)";
		else if (len != n)
			why = "the count does not match the allocation's";
	}
	if (!why)
		return 0;
	dmp_log("dmaport: cma %s: release of %zu pages at 0x%llx refused: %s", cma->name, count,
		 (unsigned long long)phys, why);
	return -EINVAL;
}

void dmp_cma_get_stats(struct dmp_cma *cma, struct dmp_cma_stats *st)
{
	DMP_ASSERT(cma && st);
	dmp_spin_lock(&cma->lock);
	st->base = cma->base;
	st->nr_pages = cma->nr_pages;
	st->order_per_bit = cma->order_per_bit;
	st->free_pages = (cma->nbits - cma->used_bits) << cma->order_per_bit;
	st->largest_free = largest_free_run(cma, 0, 0) << cma->order_per_bit;
	st->nr_allocs = cma->nr_allocs;
	dmp_spin_unlock(&cma->lock);
}

int dmp_cma_check(struct dmp_cma *cma)
{
	DMP_ASSERT(cma);
	const char *why = NULL;
	size_t at = 0;
	dmp_spin_lock(&cma->lock);
	size_t covered_until = 0, used = 0, allocs = 0;
	for (size_t i = 0; i < cma->nbits && !why; i++) {
		at = i;
		if (cma->alloc_len[i]) {
			if (i < covered_until)
				why = "an allocation starts inside another";
			else if (cma->alloc_len[i] > cma->nbits - i)
				why = "an allocation runs past the end of the area";
			covered_until = i + cma->alloc_len[i];
			used += cma->alloc_len[i];
			allocs++;
		}
		if (!why && dmp__bit_test(cma->bitmap, i) != (i < covered_until))
			why = i < covered_until ? "a bit of an allocation is clear"
						: "a bit outside every allocation is set";
	}
	for (size_t i = cma->nbits; !why && i < DMP_ALIGN_UP(cma->nbits, 64); i++)
		if (dmp__bit_test(cma->bitmap, i))
			why = "a bit beyond the area is set";
	if (!why && (used != cma->used_bits || allocs != cma->nr_allocs))
		why = "the counts disagree with the bitmap";
	dmp_spin_unlock(&cma->lock);
	if (!why && !range_held(cma->base, cma->base + ((dmp_phys_t)cma->nr_pages << DMP_PAGE_SHIFT)))
		why = "the area's pages are no longer held from the page allocator";
	if (why) {
		dmp_log("dmaport: cma check %s: %s (bit %zu)", cma->name, why, at);
		return -EFAULT;
	}
	return 0;
}

/* ---- the contiguous path of coherent allocation -------------------------- */

bool dmp__cma_owns(dmp_phys_t phys)
{
	bool owned = false;
	dmp_spin_lock(&areas_lock);
	for (struct dmp_cma *c = areas; c && !owned; c = c->next)
		owned = in_area(c, phys);
	dmp_spin_unlock(&areas_lock);
	return owned;
}

static struct dmp_cma *area_of(dmp_phys_t phys)
{
	struct dmp_cma *found = NULL;
	dmp_spin_lock(&areas_lock);
	for (struct dmp_cma *c = areas; c && !found; c = c->next)
		if (in_area(c, phys))
			found = c;
	dmp_spin_unlock(&areas_lock);
	return found;
}

struct dmp_page *dmp__dma_alloc_contiguous(struct dmp_device *dev, size_t size, dmp_gfp_t gfp,
					   bool direct)
{
	/* Linux: CMA may sleep (migration), so atomic callers never use it */
	if (gfp & DMP_GFP_ATOMIC)
		return NULL;
	struct dmp_cma *cma = dev->cma_area;
	if (!cma) {
		/* Linux: a single page never comes from the default area; it is
		 * too precious for allocations that the page allocator serves */
		if (size <= DMP_PAGE_SIZE)
			return NULL;
		cma = dmp_cma_get_default();
		if (!cma)
			return NULL;
	}
	unsigned int order = dmp_get_order(size);
	dmp_phys_t phys;
	if (dmp_cma_alloc(cma, (size_t)1 << order, DMP_MIN(order, DMP_CMA_ALIGN_ORDER_MAX),
			  (gfp & DMP_GFP_ZERO) | DMP_GFP_NOWARN, &phys))
		return NULL;
	if (!direct)
		return dmp_phys_to_page(phys);
	/* Linux's dma_coherent_ok() after dma_alloc_contiguous(): an area the
	 * device cannot reach is no use, fall back to the page allocator */
	if (!dmp__coherent_ok(dev, phys, DMP_PAGE_SIZE << order)) {
		dmp_cma_release(cma, phys, (size_t)1 << order);
		return NULL;
	}
	return dmp_phys_to_page(phys);
}

bool dmp__cma_size_ok(dmp_phys_t phys, size_t size)
{
	struct dmp_cma *cma = area_of(phys);
	unsigned int order = dmp_get_order(size);
	if (!cma || order > DMP_PAGE_ORDER_MAX)
		return false;
	unsigned int opb = cma->order_per_bit;
	size_t count = (size_t)1 << order, n = (count + ((size_t)1 << opb) - 1) >> opb;
	if (!DMP_IS_ALIGNED(phys - cma->base, DMP_PAGE_SIZE << opb))
		return false;
	dmp_spin_lock(&cma->lock);
	bool ok = cma->alloc_len[(phys - cma->base) >> (DMP_PAGE_SHIFT + opb)] == n;
	dmp_spin_unlock(&cma->lock);
	return ok;
}

bool dmp__dma_release_contiguous(struct dmp_device *dev, struct dmp_page *page, size_t size)
{
	(void)dev;
	dmp_phys_t phys;
	if (!page || dmp__page_to_phys_checked(page, &phys))
		return false;
	struct dmp_cma *cma = area_of(phys);
	if (!cma)
		return false;
	dmp_cma_release(cma, phys, (size_t)1 << dmp_get_order(size));
	return true;
}
