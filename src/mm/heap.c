/* SPDX-License-Identifier: MIT */
/*
 * heap.c - dmp_kmalloc(): a small kernel-style heap in platform memory.
 *
 * Objects up to half a page come from single pages carved into equal
 * objects of one size class (128 .. 2048 bytes: 128 is the largest cache
 * line any platform has, so no two objects share a line, as Linux's
 * ARCH_DMA_MINALIGN guarantees for kmalloc).  The free objects of a page are a
 * bitmap in its descriptor; pages with free objects are on a per-class list
 * linked through the descriptors by page frame number.  Larger objects are
 * whole page blocks.  Nothing is stored in the memory itself.  In the
 * checker's guard mode every object is a page block (dmp__heap_own_pages),
 * so that protecting a DMA buffer's pages protects nothing else.
 */
#include <string.h>

#include "../internal.h"

#define NR_CLASSES 5
static const size_t class_size[NR_CLASSES] = { 128, 256, 512, 1024, 2048 };

static dmp_spinlock_t heap_lock = DMP_SPINLOCK_INIT;
/* guard mode: every object on pages of its own (dmp__heap_own_pages), as
 * long as there are fewer than OWN_PAGES_MAX of them: past that (a program
 * with very many small objects) they share pages again, as without guard
 * mode, rather than use up the memory */
#define OWN_PAGES_MAX 32768
static _Atomic bool own_pages;
static _Atomic unsigned int own_pages_live;

void dmp__heap_own_pages(bool on)
{
	atomic_store_explicit(&own_pages, on, memory_order_relaxed);
}
/*
 * The first partial page of each class, per memory region: links are a page's
 * index in its region + 1 (0: none), as in the buddy allocator's free lists,
 * so they fit the descriptors' 32-bit fields at any physical address (a
 * page frame number does not, from 2^44 up).
 */
static uint32_t partial_head[DMP_MAX_REGIONS][NR_CLASSES];

static inline unsigned int region_index(const struct dmp__region *r)
{
	return (unsigned int)(r - dmp__mem.r);
}

static inline struct dmp_page *link_page(struct dmp__region *r, uint32_t link)
{
	return &r->memmap[link - 1];
}

static inline uint32_t page_link(const struct dmp__region *r, const struct dmp_page *p)
{
	return (uint32_t)(p - r->memmap) + 1;
}

void dmp__heap_reset(void)
{
	memset(partial_head, 0, sizeof(partial_head));
	atomic_store_explicit(&own_pages_live, 0, memory_order_relaxed);
}

static void partial_add(unsigned int c, struct dmp__region *r, struct dmp_page *p)
{
	uint32_t *head = &partial_head[region_index(r)][c];
	p->prev = 0;
	p->next = *head;
	if (*head)
		link_page(r, *head)->prev = page_link(r, p);
	*head = page_link(r, p);
}

static void partial_del(unsigned int c, struct dmp__region *r, struct dmp_page *p)
{
	if (p->prev)
		link_page(r, p->prev)->next = p->next;
	else
		partial_head[region_index(r)][c] = p->next;
	if (p->next)
		link_page(r, p->next)->prev = p->prev;
	p->next = p->prev = 0;
}

static uint64_t full_bitmap(unsigned int c)
{
	size_t n = DMP_PAGE_SIZE / class_size[c];
	return n >= 64 ? ~0ull : ((1ull << n) - 1);
}

void *dmp_kmalloc(size_t size, dmp_gfp_t gfp)
{
	if (dmp__fail_check(DMP_FAIL_HEAP))
		return NULL;
	if (size == 0)
		size = 1;
	void *ret = NULL;
	unsigned int c = 0;
	while (c < NR_CLASSES && class_size[c] < size)
		c++;
	bool own = c < NR_CLASSES && atomic_load_explicit(&own_pages, memory_order_relaxed) &&
		   atomic_load_explicit(&own_pages_live, memory_order_relaxed) < OWN_PAGES_MAX;
	if (c == NR_CLASSES || own) {
		dmp_phys_t phys;
		unsigned int order = dmp_get_order(size);
		if (dmp_page_alloc(order, gfp, DMP_PHYS_ANY, &phys) != 0)
			return NULL;
		/* a small object alone on its page keeps its class: dmp_ksize()
		 * says the same as it would without guard mode */
		dmp__phys_to_page(phys)->slab_class = own ? (uint8_t)(c + 1) : 0;
		if (own)
			atomic_fetch_add_explicit(&own_pages_live, 1, memory_order_relaxed);
		return dmp_phys_to_virt(phys); /* already zeroed for DMP_GFP_ZERO */
	}
	dmp_spin_lock(&heap_lock);
	struct dmp__region *r = NULL;
	for (unsigned int i = 0; i < dmp__mem.nr && !r; i++)
		if (partial_head[i][c])
			r = &dmp__mem.r[i];
	struct dmp_page *p;
	if (r) {
		p = link_page(r, partial_head[region_index(r)][c]);
	} else {
		dmp_phys_t phys;
		if (dmp_page_alloc(0, 0, DMP_PHYS_ANY, &phys) != 0)
			goto out;
		r = dmp__region_of_phys(phys);
		p = dmp__phys_to_page(phys);
		p->heap_flags |= DMP_PAGE_SLAB;
		p->slab_class = (uint8_t)(c + 1);
		p->slab_free = full_bitmap(c);
		partial_add(c, r, p);
	}
	unsigned int bit = (unsigned int)__builtin_ctzll(p->slab_free);
	p->slab_free &= ~(1ull << bit);
	if (!p->slab_free)
		partial_del(c, r, p);
	ret = r->va + (size_t)(p - r->memmap) * DMP_PAGE_SIZE + bit * class_size[c];
out:
	dmp_spin_unlock(&heap_lock);
	if (ret && (gfp & DMP_GFP_ZERO))
		memset(ret, 0, class_size[c]);
	return ret;
}

void *dmp_kzalloc(size_t size, dmp_gfp_t gfp)
{
	return dmp_kmalloc(size, gfp | DMP_GFP_ZERO);
}

/* Validate @ptr; on success return its page and class (-1 for a block). */
static struct dmp_page *lookup(const void *ptr, dmp_phys_t *phys, int *cls)
{
	if (dmp_virt_to_phys(ptr, phys) != 0)
		return NULL;
	dmp_phys_t page_phys = DMP_ALIGN_DOWN(*phys, DMP_PAGE_SIZE);
	struct dmp_page *p = dmp__phys_to_page(page_phys);
	if (p->heap_flags & DMP_PAGE_SLAB) {
		unsigned int c = p->slab_class - 1u;
		if (c >= NR_CLASSES || (*phys - page_phys) % class_size[c])
			return NULL;
		*cls = (int)c;
		return p;
	}
	if ((p->flags & DMP_PAGE_HEAD) && *phys == page_phys) {
		*cls = -1;
		return p;
	}
	return NULL;
}

size_t dmp_ksize(const void *ptr)
{
	dmp_phys_t phys;
	int c;
	if (!ptr)
		return 0;
	dmp_spin_lock(&heap_lock);
	struct dmp_page *p = lookup(ptr, &phys, &c);
	size_t n = 0;
	if (p && c >= 0) {
		unsigned int bit = (unsigned int)((phys % DMP_PAGE_SIZE) / class_size[c]);
		if (!(p->slab_free & (1ull << bit)))
			n = class_size[c];
	} else if (p) {
		n = p->slab_class ? class_size[p->slab_class - 1] : DMP_PAGE_SIZE << p->order;
	}
	dmp_spin_unlock(&heap_lock);
	return n;
}

void dmp_kfree(const void *ptr)
{
	dmp_phys_t phys;
	int c;
	if (!ptr)
		return;
	dmp_spin_lock(&heap_lock);
	struct dmp_page *p = lookup(ptr, &phys, &c);
	if (!p) {
		dmp_spin_unlock(&heap_lock);
		dmp_log("dmaport: kfree(%p): not a dmp_kmalloc object", ptr);
		return;
	}
	if (c < 0) {
		unsigned int order = p->order;
		if (p->slab_class)
			atomic_fetch_sub_explicit(&own_pages_live, 1, memory_order_relaxed);
		p->slab_class = 0;
		dmp_spin_unlock(&heap_lock);
		dmp_page_free(phys, order);
		return;
	}
	dmp_phys_t page_phys = DMP_ALIGN_DOWN(phys, DMP_PAGE_SIZE);
	uint64_t bit = 1ull << ((phys - page_phys) / class_size[c]);
	if (p->slab_free & bit) {
		dmp_spin_unlock(&heap_lock);
		dmp_log("dmaport: kfree(%p): double free", ptr);
		return;
	}
	struct dmp__region *r = dmp__region_of_phys(page_phys);
	bool was_full = p->slab_free == 0;
	p->slab_free |= bit;
	if (was_full)
		partial_add((unsigned int)c, r, p);
	bool release = p->slab_free == full_bitmap((unsigned int)c);
	if (release) {
		partial_del((unsigned int)c, r, p);
		p->heap_flags &= (uint8_t)~DMP_PAGE_SLAB;
		p->slab_class = 0;
	}
	dmp_spin_unlock(&heap_lock);
	if (release)
		dmp_page_free(page_phys, 0);
}
