/* SPDX-License-Identifier: MIT */
/*
 * atomic-pool.c - the atomic pool (Linux's kernel/dma/pool.c): uncached
 * pages set aside for coherent allocations that must not block.
 *
 * Linux keeps a gen_pool per zone and grows it from a worker when it runs
 * low; dmaport keeps one pool below 4 GiB (Linux's atomic_pool_dma32 serves
 * the same devices) of a fixed size chosen at init, first fit over a page
 * bitmap.  Each allocation's length is recorded at its first page so that a
 * bad free is caught and ignored.
 */
#include <string.h>

#include <dmaport/coherent.h>
#include <dmaport/dma-map-ops.h>

#include "alloc-internal.h"
#include "bitmap.h"
#include "dma-internal.h"

#define ATOMIC_POOL_LIMIT DMP_PHYS_DMA32_LIMIT

struct atomic_pool {
	/* constant after init */
	dmp_phys_t phys;
	uint8_t *va;
	unsigned int order;
	size_t nr_pages;

	/* under lock */
	dmp_spinlock_t lock;
	uint64_t *bitmap;
	uint32_t *alloc_len; /* per page: pages of the allocation starting there, 0 if none */
	size_t used;
	size_t nr_allocs;
	size_t failures;
};

static struct atomic_pool *the_pool;
static dmp_spinlock_t init_lock = DMP_SPINLOCK_INIT;


static struct atomic_pool *pool_get(void)
{
	dmp_spin_lock(&init_lock);
	struct atomic_pool *p = the_pool;
	dmp_spin_unlock(&init_lock);
	return p;
}

int dmp_atomic_pool_init(size_t size)
{
	if (!size)
		size = DMP_ATOMIC_POOL_DEFAULT_SIZE;
	unsigned int order = dmp_get_order(size);
	if (order > DMP_PAGE_ORDER_MAX)
		return -EINVAL;
	if (pool_get())
		return -EBUSY;
	int err = -ENOMEM;
	struct atomic_pool *p = dmp_kzalloc(sizeof(*p), DMP_GFP_KERNEL);
	if (!p)
		goto fail;
	p->order = order;
	p->nr_pages = (size_t)1 << order;
	p->bitmap = dmp_kzalloc(DMP_ALIGN_UP(p->nr_pages, 64) / 8, DMP_GFP_KERNEL);
	if (!p->bitmap)
		goto fail_p;
	p->alloc_len = dmp_kzalloc(p->nr_pages * sizeof(uint32_t), DMP_GFP_KERNEL);
	if (!p->alloc_len)
		goto fail_bitmap;
	err = dmp_page_alloc(order, DMP_GFP_ZERO, ATOMIC_POOL_LIMIT, &p->phys);
	if (err)
		goto fail_len;
	p->va = dmp_phys_to_virt(p->phys);
	dmp_spin_init(&p->lock);
	/* uncached once, here, so that no allocation has to change it */
	dmp_arch_prep_coherent(p->phys, p->va, p->nr_pages << DMP_PAGE_SHIFT);
	err = DMP__PLAT_CALL(set_mem_attr, p->phys, p->nr_pages << DMP_PAGE_SHIFT,
			     DMP_MEM_UNCACHED);
	if (err)
		goto fail_pages;
	dmp_spin_lock(&init_lock);
	bool busy = the_pool != NULL;
	if (!busy)
		the_pool = p;
	dmp_spin_unlock(&init_lock);
	if (busy) {
		err = -EBUSY;
		goto fail_attr;
	}
	return 0;

fail_attr:
	DMP__PLAT_CALL(set_mem_attr, p->phys, p->nr_pages << DMP_PAGE_SHIFT, DMP_MEM_NORMAL);
fail_pages:
	dmp_page_free(p->phys, order);
fail_len:
	dmp_kfree(p->alloc_len);
fail_bitmap:
	dmp_kfree(p->bitmap);
fail_p:
	dmp_kfree(p);
fail:
	return err;
}

int dmp_atomic_pool_destroy(void)
{
	dmp_spin_lock(&init_lock);
	struct atomic_pool *p = the_pool;
	if (!p) {
		dmp_spin_unlock(&init_lock);
		return -ENOENT;
	}
	dmp_spin_lock(&p->lock);
	size_t live = p->nr_allocs;
	dmp_spin_unlock(&p->lock);
	if (live) {
		dmp_spin_unlock(&init_lock);
		dmp_log("dmaport: atomic pool destroy refused: %zu allocations still live", live);
		return -EBUSY;
	}
	the_pool = NULL;
	dmp_spin_unlock(&init_lock);
	DMP__PLAT_CALL(set_mem_attr, p->phys, p->nr_pages << DMP_PAGE_SHIFT, DMP_MEM_NORMAL);
	dmp_page_free(p->phys, p->order);
	dmp_kfree(p->alloc_len);
	dmp_kfree(p->bitmap);
	dmp_kfree(p);
	return 0;
}

/* Part of dmp__allocators_forget() (coherent.c). */
void dmp__atomic_pool_forget(void);
void dmp__atomic_pool_forget(void)
{
	dmp_spin_lock(&init_lock);
	the_pool = NULL;
	dmp_spin_unlock(&init_lock);
}

bool dmp__atomic_pool_active(void)
{
	return pool_get() != NULL;
}

bool dmp__atomic_pool_owns(const void *vaddr)
{
	struct atomic_pool *p = pool_get();
	uintptr_t a = (uintptr_t)vaddr;
	return p && a >= (uintptr_t)p->va && a - (uintptr_t)p->va < (p->nr_pages << DMP_PAGE_SHIFT);
}

/* Under lock: first fit of @n free pages, or -1; the largest free run in *@largest. */
static long first_fit(const struct atomic_pool *p, size_t n, size_t *largest)
{
	size_t run = 0;
	*largest = 0;
	for (size_t i = 0; i < p->nr_pages; i++) {
		run = dmp__bit_test(p->bitmap, i) ? 0 : run + 1;
		*largest = DMP_MAX(*largest, run);
		if (run == n)
			return (long)(i + 1 - n);
	}
	return -1;
}

void *dmp__atomic_pool_alloc(struct dmp_device *dev, size_t size, dmp_phys_t *phys, bool direct)
{
	struct atomic_pool *p = pool_get();
	if (!p)
		return NULL;
	size_t n = DMP_ALIGN_UP(size, DMP_PAGE_SIZE) >> DMP_PAGE_SHIFT;
	size_t largest = 0;
	dmp_spin_lock(&p->lock);
	long at = n && n <= p->nr_pages ? first_fit(p, n, &largest) : -1;
	if (at < 0) {
		size_t free_pages = p->nr_pages - p->used;
		p->failures++;
		dmp_spin_unlock(&p->lock);
		dmp_log("dmaport: atomic pool exhausted: %zu bytes for %s wanted, %zu of %zu pages "
			 "free (largest free run %zu pages); give dmp_atomic_pool_init() a larger "
			 "size", size, dev ? dmp_dev_name(dev) : "(no device)", free_pages,
			 p->nr_pages, largest);
		return NULL;
	}
	dmp_phys_t ph = p->phys + ((dmp_phys_t)at << DMP_PAGE_SHIFT);
	if (dev && direct) {
		/* Linux's dma_coherent_ok() check on pool memory */
		if (!dmp__coherent_ok(dev, ph, n << DMP_PAGE_SHIFT)) {
			p->failures++;
			dmp_spin_unlock(&p->lock);
			dmp_log("dmaport: atomic pool at phys 0x%llx is beyond the reach of %s "
				 "(coherent mask 0x%llx)", (unsigned long long)ph, dmp_dev_name(dev),
				 (unsigned long long)dev->coherent_dma_mask);
			return NULL;
		}
	}
	dmp__bits_assign(p->bitmap, (size_t)at, n, true);
	p->alloc_len[at] = (uint32_t)n;
	p->used += n;
	p->nr_allocs++;
	dmp_spin_unlock(&p->lock);
	void *va = p->va + ((size_t)at << DMP_PAGE_SHIFT);
	dmp__fill(va, 0, n << DMP_PAGE_SHIFT);
	*phys = ph;
	return va;
}

bool dmp__atomic_pool_size_ok(const void *vaddr, size_t size)
{
	struct atomic_pool *p = pool_get();
	if (!p || !dmp__atomic_pool_owns(vaddr))
		return false;
	size_t off = (size_t)((const uint8_t *)vaddr - p->va);
	size_t n = (size >> DMP_PAGE_SHIFT) + ((size & (DMP_PAGE_SIZE - 1)) != 0);
	dmp_spin_lock(&p->lock);
	bool ok = DMP_IS_ALIGNED(off, DMP_PAGE_SIZE) && n &&
		  p->alloc_len[off >> DMP_PAGE_SHIFT] == n;
	dmp_spin_unlock(&p->lock);
	return ok;
}

bool dmp__atomic_pool_free(void *vaddr, size_t size)
{
	struct atomic_pool *p = pool_get();
	if (!p || !dmp__atomic_pool_owns(vaddr))
		return false;
	size_t off = (size_t)((uint8_t *)vaddr - p->va);
	size_t at = off >> DMP_PAGE_SHIFT;
	size_t n = DMP_ALIGN_UP(size, DMP_PAGE_SIZE) >> DMP_PAGE_SHIFT;
	dmp_spin_lock(&p->lock);
	uint32_t len = p->alloc_len[at];
	bool ok = DMP_IS_ALIGNED(off, DMP_PAGE_SIZE) && len && len == n;
	if (ok) {
		p->alloc_len[at] = 0;
		dmp__bits_assign(p->bitmap, at, n, false);
		p->used -= n;
		p->nr_allocs--;
	}
	dmp_spin_unlock(&p->lock);
	bool unknown = !DMP_IS_ALIGNED(off, DMP_PAGE_SIZE) || !len;
	if (!ok)
		dmp__dma_misuse(NULL, unknown ? DMP_DEBUG_FREE_UNKNOWN : DMP_DEBUG_SIZE_MISMATCH,
				NULL, 0, NULL, "atomic pool free of %p (%zu bytes): %s; ignored",
				vaddr, size,
				unknown ? "not the start of an allocation (double free?)"
					: "the size does not match the allocation's");
	return true;
}

int dmp_atomic_pool_get_stats(struct dmp_atomic_pool_stats *st)
{
	struct atomic_pool *p = pool_get();
	if (!p)
		return -ENOENT;
	dmp_spin_lock(&p->lock);
	st->phys = p->phys;
	st->nr_pages = p->nr_pages;
	st->free_pages = p->nr_pages - p->used;
	st->nr_allocs = p->nr_allocs;
	st->failures = p->failures;
	dmp_spin_unlock(&p->lock);
	return 0;
}

int dmp_atomic_pool_check(void)
{
	struct atomic_pool *p = pool_get();
	if (!p)
		return -ENOENT;
	const char *why = NULL;
	size_t at = 0, covered_until = 0, used = 0, allocs = 0;
	dmp_spin_lock(&p->lock);
	for (size_t i = 0; i < p->nr_pages && !why; i++) {
		at = i;
		if (p->alloc_len[i]) {
			if (i < covered_until)
				why = "an allocation starts inside another";
			else if (p->alloc_len[i] > p->nr_pages - i)
				why = "an allocation runs past the end";
			covered_until = i + p->alloc_len[i];
			used += p->alloc_len[i];
			allocs++;
		}
		if (!why && dmp__bit_test(p->bitmap, i) != (i < covered_until))
			why = "the bitmap disagrees with the allocations";
	}
	if (!why && (used != p->used || allocs != p->nr_allocs))
		why = "the counts disagree with the bitmap";
	dmp_spin_unlock(&p->lock);
	if (why) {
		dmp_log("dmaport: atomic pool check: %s (page %zu)", why, at);
		return -EFAULT;
	}
	return 0;
}
