/* SPDX-License-Identifier: MIT */
/*
 * <linux/mm.h> for dmaport's Linux-compat layer: pages and their addresses
 * on the platform's memory (dmaport/memory.h).
 *
 * PAGE_SIZE is dmaport's page size (4 KiB).  virt_to_page() and friends work
 * on platform memory only (what kmalloc, alloc_pages, dma_alloc_* return),
 * as Linux's work on the linear map only.
 */
#ifndef DMP_COMPAT_LINUX_MM_H
#define DMP_COMPAT_LINUX_MM_H

#include <dmaport/memory.h>

#include <linux/kernel.h>
#include <linux/mm_types.h>
#include <linux/gfp.h>

#define PAGE_SHIFT DMP_PAGE_SHIFT
#define PAGE_SIZE DMP_PAGE_SIZE
#define PAGE_MASK DMP_PAGE_MASK
/* PAGE_ALIGN - @addr rounded up to a page. */
#define PAGE_ALIGN(addr) ALIGN(addr, PAGE_SIZE)
#define offset_in_page(p) ((unsigned long)(uintptr_t)(p) & ~PAGE_MASK)

/** page_address - the CPU address of @page. */
static inline void *page_address(const struct page *page)
{
	return dmp_page_address(dmp__lx_dmp_page(page));
}

/** virt_to_page - the page holding @addr (platform memory), or NULL. */
static inline struct page *virt_to_page(const void *addr)
{
	return dmp__lx_page_of(dmp_virt_to_page(addr));
}

/** page_to_phys - the physical address of @page. */
static inline phys_addr_t page_to_phys(const struct page *page)
{
	return dmp_page_to_phys(dmp__lx_dmp_page(page));
}

/** page_to_pfn / pfn_to_page - page frame numbers (physical address >> PAGE_SHIFT). */
static inline unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page_to_phys(page) >> PAGE_SHIFT);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return dmp__lx_page_of(dmp_phys_to_page((dmp_phys_t)pfn << PAGE_SHIFT));
}

/** virt_addr_valid - true if @addr is platform memory (has a struct page). */
static inline bool virt_addr_valid(const void *addr)
{
	return dmp_is_dma_memory(addr, 1);
}

/** get_order - the smallest order whose block holds @size bytes. */
static inline int get_order(unsigned long size)
{
	return (int)dmp_get_order(size);
}

#endif /* DMP_COMPAT_LINUX_MM_H */
