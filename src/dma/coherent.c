/* SPDX-License-Identifier: MIT */
/*
 * coherent.c - declared coherent memory: a per-device region and the global
 * default pool (Linux's kernel/dma/coherent.c).
 *
 * A region is a bitmap of pages; an allocation is a power-of-two block of
 * pages aligned to its size from the region's start (Linux's
 * bitmap_find_free_region), first fit.  Beside the bitmap, one byte per page
 * records the order of the allocation starting there, so that a release of
 * something that was not allocated (or with the wrong size) is caught and
 * ignored instead of clearing someone else's pages - Linux trusts the caller
 * here; dmaport reports.
 */
#include <string.h>

#include <dmaport/coherent.h>
#include <dmaport/dma-map-ops.h>

#include "alloc-internal.h"
#include "bitmap.h"
#include "dma-internal.h"

struct dmp_dma_coherent_mem {
	/* constant after declare */
	dmp_phys_t phys_base;
	dmp_addr_t device_base;
	uint8_t *virt_base;
	size_t nr_pages;
	bool use_dev_dma_pfn_offset; /* bus address by each device's dma-ranges */
	bool uncached;
	bool fallback;       /* not exclusive: what it cannot serve goes to the normal path */
	const char *owner; /* for reports */

	/* under lock */
	dmp_spinlock_t lock;
	unsigned int users;  /* devices sharing it (dmp_share_coherent_memory) */
	size_t pages_used;
	size_t nr_allocs;
	size_t nr_occupied; /* of nr_allocs, blocks marked occupied (not the caller's to free) */
	uint64_t *bitmap;   /* 1 = page in use */
	uint8_t *head;      /* per page: order + 1 where an allocation starts (| HEAD_OCCUPIED
			       for a block marked occupied), else 0 */
};

#define HEAD_OCCUPIED 0x80u
#define HEAD_ORDER(h) ((unsigned int)((h) & ~HEAD_OCCUPIED))

static struct dmp_dma_coherent_mem *global_mem;
static dmp_spinlock_t global_lock = DMP_SPINLOCK_INIT;


/* Under lock: the first free aligned block of 2^@order pages, or -1. */
static long find_free_region(const struct dmp_dma_coherent_mem *mem, unsigned int order)
{
	size_t n = (size_t)1 << order;
	for (size_t pos = 0; pos + n <= mem->nr_pages; pos += n)
		if (dmp__bits_clear(mem->bitmap, pos, n))
			return (long)pos;
	return -1;
}

/* ---- declare / release --------------------------------------------------- */

static int mem_create(dmp_phys_t phys, dmp_addr_t device_addr, size_t size, bool uncached,
		      const char *owner, struct dmp_dma_coherent_mem **out)
{
	size_t pages = size >> DMP_PAGE_SHIFT;
	void *va = dmp_phys_to_virt(phys);
	dmp_phys_t check;
	if (!pages || !DMP_IS_ALIGNED(phys, DMP_PAGE_SIZE) ||
	    !DMP_IS_ALIGNED(device_addr, DMP_PAGE_SIZE) || !va ||
	    dmp__virt_to_phys_range(va, pages << DMP_PAGE_SHIFT, &check) ||
	    device_addr + (pages << DMP_PAGE_SHIFT) - 1 < device_addr)
		return -EINVAL;
	int err = -ENOMEM;
	struct dmp_dma_coherent_mem *mem = dmp_kzalloc(sizeof(*mem), DMP_GFP_KERNEL);
	if (!mem)
		goto fail;
	mem->bitmap = dmp_kzalloc(DMP_ALIGN_UP(pages, 64) / 8, DMP_GFP_KERNEL);
	if (!mem->bitmap)
		goto fail_mem;
	mem->head = dmp_kzalloc(pages, DMP_GFP_KERNEL);
	if (!mem->head)
		goto fail_bitmap;
	mem->phys_base = phys;
	mem->device_base = device_addr;
	mem->virt_base = va;
	mem->nr_pages = pages;
	mem->owner = owner;
	dmp_spin_init(&mem->lock);
	if (uncached) {
		/* the cacheable alias must hold nothing dirty before the region is
		 * used uncached (Linux memremaps it with a non-cacheable type) */
		dmp_arch_prep_coherent(phys, va, pages << DMP_PAGE_SHIFT);
		err = DMP__PLAT_CALL(set_mem_attr, phys, pages << DMP_PAGE_SHIFT, DMP_MEM_UNCACHED);
		if (err)
			goto fail_head;
		mem->uncached = true;
	}
	*out = mem;
	return 0;

fail_head:
	dmp_kfree(mem->head);
fail_bitmap:
	dmp_kfree(mem->bitmap);
fail_mem:
	dmp_kfree(mem);
fail:
	return err;
}

static void mem_destroy(struct dmp_dma_coherent_mem *mem)
{
	if (mem->uncached)
		DMP__PLAT_CALL(set_mem_attr, mem->phys_base, mem->nr_pages << DMP_PAGE_SHIFT,
			       DMP_MEM_NORMAL);
	dmp_kfree(mem->head);
	dmp_kfree(mem->bitmap);
	dmp_kfree(mem);
}

int dmp_declare_coherent_memory(struct dmp_device *dev, dmp_phys_t phys_addr,
				dmp_addr_t device_addr, size_t size)
{
	return dmp_declare_coherent_memory_flags(dev, phys_addr, device_addr, size, 0);
}

int dmp_declare_coherent_memory_flags(struct dmp_device *dev, dmp_phys_t phys_addr,
				      dmp_addr_t device_addr, size_t size, unsigned int flags)
{
	if (!dev || (flags & ~DMP_COHERENT_FALLBACK))
		return -EINVAL;
	if (dev->dma_mem)
		return -EBUSY;
	struct dmp_dma_coherent_mem *mem;
	int err = mem_create(phys_addr, device_addr, size, !dev->dma_coherent, dev->name, &mem);
	if (err)
		return err;
	mem->users = 1;
	mem->fallback = flags & DMP_COHERENT_FALLBACK;
	dev->dma_mem = mem;
	return 0;
}

int dmp_mark_declared_memory_occupied(struct dmp_device *dev, dmp_addr_t device_addr,
				      size_t size, void **cpu_addr)
{
	struct dmp_dma_coherent_mem *mem = dev ? dev->dma_mem : NULL;
	if (!mem)
		return -EINVAL;
	if (mem->use_dev_dma_pfn_offset)
		return -EINVAL; /* shared: no single device base to count from */
	/* Linux's: the block of 2^order pages at the page of @device_addr */
	size += (size_t)(device_addr & (DMP_PAGE_SIZE - 1));
	if (device_addr < mem->device_base || !size)
		return -EINVAL;
	size_t pos = (size_t)((device_addr - mem->device_base) >> DMP_PAGE_SHIFT);
	unsigned int order = dmp_get_order(size);
	size_t n = (size_t)1 << order;
	if (pos >= mem->nr_pages || n > mem->nr_pages - pos)
		return -EINVAL;
	dmp_spin_lock(&mem->lock);
	if (!dmp__bits_clear(mem->bitmap, pos, n)) {
		dmp_spin_unlock(&mem->lock);
		return -EBUSY;
	}
	dmp__bits_assign(mem->bitmap, pos, n, true);
	mem->head[pos] = (uint8_t)((order + 1) | HEAD_OCCUPIED);
	mem->pages_used += n;
	mem->nr_allocs++;
	mem->nr_occupied++;
	dmp_spin_unlock(&mem->lock);
	if (cpu_addr)
		*cpu_addr = mem->virt_base + (pos << DMP_PAGE_SHIFT);
	return 0;
}

int dmp_share_coherent_memory(struct dmp_device *dev, struct dmp_device *owner)
{
	if (!dev || !owner || !owner->dma_mem || dev == owner)
		return -EINVAL;
	if (dev->dma_mem)
		return -EBUSY;
	struct dmp_dma_coherent_mem *mem = owner->dma_mem;
	dmp_spin_lock(&mem->lock);
	mem->users++;
	/* shared: each device reaches the region at the bus address its own
	 * dma-ranges give (Linux's use_dev_dma_pfn_offset for rmem pools) */
	mem->use_dev_dma_pfn_offset = true;
	dmp_spin_unlock(&mem->lock);
	dev->dma_mem = mem;
	return 0;
}

static int mem_release_check(struct dmp_dma_coherent_mem *mem)
{
	dmp_spin_lock(&mem->lock);
	size_t live = mem->nr_allocs - mem->nr_occupied;
	dmp_spin_unlock(&mem->lock);
	if (live) {
		dmp_log("dmaport: release of the coherent memory of %s refused: %zu allocations "
			 "still live", mem->owner, live);
		return -EBUSY;
	}
	return 0;
}

int dmp_release_coherent_memory(struct dmp_device *dev)
{
	if (!dev || !dev->dma_mem)
		return -ENOENT;
	struct dmp_dma_coherent_mem *mem = dev->dma_mem;
	dmp_spin_lock(&mem->lock);
	bool shared = mem->users > 1;
	if (shared)
		mem->users--; /* the others keep it; what this device leaked, the
				 checker listed at its removal */
	dmp_spin_unlock(&mem->lock);
	if (!shared) {
		int err = mem_release_check(mem);
		if (err)
			return err;
		mem_destroy(mem);
	}
	dev->dma_mem = NULL;
	return 0;
}

int dmp_dma_declare_global_coherent(dmp_phys_t phys_addr, size_t size)
{
	struct dmp_dma_coherent_mem *mem;
	dmp_spin_lock(&global_lock);
	bool busy = global_mem != NULL;
	dmp_spin_unlock(&global_lock);
	if (busy)
		return -EBUSY;
	int err = mem_create(phys_addr, phys_addr, size, true, "the global pool", &mem);
	if (err)
		return err;
	mem->use_dev_dma_pfn_offset = true;
	dmp_spin_lock(&global_lock);
	busy = global_mem != NULL;
	if (!busy)
		global_mem = mem;
	dmp_spin_unlock(&global_lock);
	if (busy) {
		mem_destroy(mem);
		return -EBUSY;
	}
	return 0;
}

int dmp_dma_release_global_coherent(void)
{
	dmp_spin_lock(&global_lock);
	struct dmp_dma_coherent_mem *mem = global_mem;
	dmp_spin_unlock(&global_lock);
	if (!mem)
		return -ENOENT;
	int err = mem_release_check(mem);
	if (err)
		return err;
	dmp_spin_lock(&global_lock);
	global_mem = NULL;
	dmp_spin_unlock(&global_lock);
	mem_destroy(mem);
	return 0;
}

void dmp__cma_forget_all(void);
void dmp__atomic_pool_forget(void);

void dmp__allocators_forget(void)
{
	dmp_spin_lock(&global_lock);
	global_mem = NULL;
	dmp_spin_unlock(&global_lock);
	dmp__cma_forget_all();
	dmp__atomic_pool_forget();
}

bool dmp__global_coherent_active(void)
{
	dmp_spin_lock(&global_lock);
	bool on = global_mem != NULL;
	dmp_spin_unlock(&global_lock);
	return on;
}

/* ---- allocation ---------------------------------------------------------- */

/* Allocate from @mem: the CPU address (zeroed), its page index in *@pageno; NULL if no room. */
static void *mem_alloc(struct dmp_dma_coherent_mem *mem, size_t size, size_t *pageno)
{
	unsigned int order = dmp_get_order(size);
	if (size > (mem->nr_pages << DMP_PAGE_SHIFT))
		return NULL;
	dmp_spin_lock(&mem->lock);
	long pos = find_free_region(mem, order);
	if (pos < 0) {
		dmp_spin_unlock(&mem->lock);
		return NULL;
	}
	dmp__bits_assign(mem->bitmap, (size_t)pos, (size_t)1 << order, true);
	mem->head[pos] = (uint8_t)(order + 1);
	mem->pages_used += (size_t)1 << order;
	mem->nr_allocs++;
	dmp_spin_unlock(&mem->lock);
	*pageno = (size_t)pos;
	void *va = mem->virt_base + ((size_t)pos << DMP_PAGE_SHIFT);
	dmp__fill(va, 0, DMP_PAGE_SIZE << order);
	return va;
}

static bool mem_contains(const struct dmp_dma_coherent_mem *mem, const void *vaddr, size_t size)
{
	uintptr_t a = (uintptr_t)vaddr, base = (uintptr_t)mem->virt_base;
	size_t bytes = mem->nr_pages << DMP_PAGE_SHIFT;
	return a >= base && a - base < bytes && size <= bytes - (a - base);
}

/* Release @vaddr from @mem (it lies inside); a bad release is reported and ignored. */
static void mem_release(struct dmp_dma_coherent_mem *mem, size_t size, void *vaddr)
{
	size_t off = (size_t)((uint8_t *)vaddr - mem->virt_base);
	size_t pos = off >> DMP_PAGE_SHIFT;
	unsigned int order = dmp_get_order(size);
	dmp_spin_lock(&mem->lock);
	if (!DMP_IS_ALIGNED(off, DMP_PAGE_SIZE) || HEAD_ORDER(mem->head[pos]) != order + 1) {
		unsigned int had = mem->head[pos];
		dmp_spin_unlock(&mem->lock);
		bool unknown = !DMP_IS_ALIGNED(off, DMP_PAGE_SIZE) || !had;
		dmp__dma_misuse(NULL, unknown ? DMP_DEBUG_FREE_UNKNOWN : DMP_DEBUG_SIZE_MISMATCH,
				NULL, 0, NULL,
				"free of %p (%zu bytes) in the coherent memory of %s: %s; ignored",
				vaddr, size, mem->owner,
				unknown ? "not the start of an allocation (double free?)"
					: "the size does not match the allocation's");
		return;
	}
	if (mem->head[pos] & HEAD_OCCUPIED)
		mem->nr_occupied--;
	mem->head[pos] = 0;
	dmp__bits_assign(mem->bitmap, pos, (size_t)1 << order, false);
	mem->pages_used -= (size_t)1 << order;
	mem->nr_allocs--;
	dmp_spin_unlock(&mem->lock);
}

/* Linux's __dma_mmap_from_coherent: the window [pgoff, +um->size) must lie inside. */
static int mem_mmap(struct dmp_dma_coherent_mem *mem, struct dmp_user_mapping *um, void *vaddr,
		    size_t size)
{
	size_t start = (size_t)((uint8_t *)vaddr - mem->virt_base) >> DMP_PAGE_SHIFT;
	/* @size must be the allocation's: a larger one would map its neighbours */
	dmp_spin_lock(&mem->lock);
	bool ours = DMP_IS_ALIGNED((uintptr_t)((uint8_t *)vaddr - mem->virt_base), DMP_PAGE_SIZE) &&
		    HEAD_ORDER(mem->head[start]) == dmp_get_order(size) + 1;
	dmp_spin_unlock(&mem->lock);
	if (!ours)
		return -EINVAL;
	return dmp__mmap_phys(um, mem->phys_base + ((dmp_phys_t)start << DMP_PAGE_SHIFT), size);
}

int dmp__alloc_from_dev_coherent(struct dmp_device *dev, size_t size, dmp_addr_t *dma, void **ret)
{
	struct dmp_dma_coherent_mem *mem = dev->dma_mem;
	if (!mem)
		return 0;
	size_t pageno;
	*ret = mem_alloc(mem, size, &pageno);
	if (!*ret && mem->fallback)
		return 0; /* not exclusive: the normal path serves it (Linux before 5.1) */
	if (*ret)
		*dma = mem->use_dev_dma_pfn_offset
			       ? dmp_phys_to_dma(dev, mem->phys_base +
							   ((dmp_phys_t)pageno << DMP_PAGE_SHIFT))
			       : mem->device_base + ((dmp_addr_t)pageno << DMP_PAGE_SHIFT);
	return 1;
}

int dmp__release_from_dev_coherent(struct dmp_device *dev, size_t size, void *vaddr)
{
	struct dmp_dma_coherent_mem *mem = dev->dma_mem;
	if (!mem || !mem_contains(mem, vaddr, 1))
		return 0;
	mem_release(mem, size, vaddr);
	return 1;
}

int dmp__mmap_from_dev_coherent(struct dmp_device *dev, struct dmp_user_mapping *um, void *vaddr,
				size_t size, int *ret)
{
	struct dmp_dma_coherent_mem *mem = dev->dma_mem;
	if (!mem || !mem_contains(mem, vaddr, 1)) /* its memory, whatever the size said */
		return 0;
	*ret = mem_mmap(mem, um, vaddr, size);
	return 1;
}

void *dmp__alloc_from_global_coherent(struct dmp_device *dev, size_t size, dmp_addr_t *dma)
{
	struct dmp_dma_coherent_mem *mem = global_mem;
	if (!mem)
		return NULL;
	size_t pageno;
	void *va = mem_alloc(mem, size, &pageno);
	if (!va)
		return NULL;
	dmp_phys_t phys = mem->phys_base + ((dmp_phys_t)pageno << DMP_PAGE_SHIFT);
	if (!dmp__coherent_ok(dev, phys, DMP_PAGE_SIZE << dmp_get_order(size))) {
		/* beyond this device's reach: the caller falls back */
		mem_release(mem, size, va);
		return NULL;
	}
	*dma = dmp_phys_to_dma(dev, phys);
	return va;
}

int dmp__release_from_global_coherent(size_t size, void *vaddr)
{
	struct dmp_dma_coherent_mem *mem = global_mem;
	if (!mem || !mem_contains(mem, vaddr, 1))
		return 0;
	mem_release(mem, size, vaddr);
	return 1;
}

int dmp__mmap_from_global_coherent(struct dmp_user_mapping *um, void *vaddr, size_t size, int *ret)
{
	struct dmp_dma_coherent_mem *mem = global_mem;
	if (!mem || !mem_contains(mem, vaddr, 1))
		return 0;
	*ret = mem_mmap(mem, um, vaddr, size);
	return 1;
}

/* ---- introspection ------------------------------------------------------- */

static struct dmp_dma_coherent_mem *mem_of(struct dmp_device *dev)
{
	return dev ? dev->dma_mem : global_mem;
}

int dmp_coherent_get_stats(struct dmp_device *dev, struct dmp_coherent_stats *st)
{
	struct dmp_dma_coherent_mem *mem = mem_of(dev);
	if (!mem)
		return -ENOENT;
	dmp_spin_lock(&mem->lock);
	st->phys_base = mem->phys_base;
	st->device_base = mem->device_base;
	st->nr_pages = mem->nr_pages;
	st->pages_used = mem->pages_used;
	st->nr_allocs = mem->nr_allocs;
	st->largest_free = 0;
	for (int order = DMP_PAGE_ORDER_MAX; order >= 0; order--)
		if (find_free_region(mem, (unsigned int)order) >= 0) {
			st->largest_free = (size_t)1 << order;
			break;
		}
	dmp_spin_unlock(&mem->lock);
	return 0;
}

int dmp_coherent_check(struct dmp_device *dev)
{
	struct dmp_dma_coherent_mem *mem = mem_of(dev);
	if (!mem)
		return -ENOENT;
	dmp_spin_lock(&mem->lock);
	size_t covered_until = 0, used = 0, allocs = 0;
	const char *why = NULL;
	size_t at = 0;
	for (size_t i = 0; i < mem->nr_pages && !why; i++) {
		at = i;
		if (mem->head[i]) {
			size_t n = (size_t)1 << (HEAD_ORDER(mem->head[i]) - 1);
			if (i < covered_until)
				why = "an allocation starts inside another";
			else if (!DMP_IS_ALIGNED(i, n) || i + n > mem->nr_pages)
				why = "an allocation is misaligned or runs past the end";
			covered_until = i + n;
			used += n;
			allocs++;
		}
		if (!why && dmp__bit_test(mem->bitmap, i) != (i < covered_until))
			why = i < covered_until ? "a page of an allocation is marked free"
						: "a page outside every allocation is marked used";
	}
	for (size_t i = mem->nr_pages; !why && i < DMP_ALIGN_UP(mem->nr_pages, 64); i++)
		if (dmp__bit_test(mem->bitmap, i))
			why = "a bit beyond the region is set";
	if (!why && (used != mem->pages_used || allocs != mem->nr_allocs))
		why = "the counts disagree with the bitmap";
	dmp_spin_unlock(&mem->lock);
	if (why) {
		dmp_log("dmaport: coherent memory check of %s: %s (page %zu)", mem->owner, why, at);
		return -EFAULT;
	}
	return 0;
}
