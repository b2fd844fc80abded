/* SPDX-License-Identifier: MIT */
/*
 * dmaport/memory.h - pages, the kernel-style heap, and address conversion.
 *
 * Callers' header.  Memory from these allocators is "DMA-able": it lies in
 * the platform's physical memory, so it can be mapped for DMA.  Memory from
 * the C stack or libc's heap is not, and the DMA API refuses it (as Linux
 * refuses DMA from the stack).
 */
#ifndef DMAPORT_MEMORY_H
#define DMAPORT_MEMORY_H

#include <dmaport/types.h>

DMP_BEGIN_DECLS

/** Memory types a page can be given (Linux's pgprot for DMA memory). */
enum dmp_mem_attr {
	DMP_MEM_NORMAL = 0,   /* cacheable, write-back */
	DMP_MEM_UNCACHED = 1, /* non-cacheable (pgprot_dmacoherent) */
	DMP_MEM_WC = 2,       /* non-cacheable, write-combining */
};

/** Most memory regions a platform has. */
#define DMP_MAX_REGIONS 8

/** "Any address": the limit argument meaning no limit. */
#define DMP_PHYS_ANY (~(dmp_phys_t)0)
/** The last address below 4 GiB: the limit of Linux's ZONE_DMA32, where
 * 32-bit devices' bounce buffers and atomic allocations come from. */
#define DMP_PHYS_DMA32_LIMIT ((dmp_phys_t)0xffffffffu)

/**
 * dmp_page_alloc - allocate 2^@order physically contiguous pages.
 * @order: 0 .. DMP_PAGE_ORDER_MAX
 * @gfp:   DMP_GFP_* (DMP_GFP_ZERO zeroes the CPU's view of the pages)
 * @limit: the highest physical address any byte of the block may have
 *         (DMP_PHYS_ANY for none); higher regions are preferred, as Linux
 *         keeps low zones for devices that need them.
 * @phys:  receives the block's physical address (aligned to its size).
 *
 * Returns 0, -ENOMEM (nothing free under @limit, or failure injected) or
 * -EINVAL (order too large).  Context: any; never blocks.
 */
DMP_API int dmp_page_alloc(unsigned int order, dmp_gfp_t gfp, dmp_phys_t limit, dmp_phys_t *phys);

/**
 * dmp_page_free - free a block from dmp_page_alloc().  A free of a block that
 * is not allocated with that order is reported and ignored (nothing changes).
 * Returns 0 or -EINVAL.
 */
DMP_API int dmp_page_free(dmp_phys_t phys, unsigned int order);

/** dmp_page_free_count - free pages in all regions (for tests and reports). */
DMP_API size_t dmp_page_free_count(void);

/** dmp_get_order - the smallest order whose block holds @size bytes. */
DMP_API unsigned int dmp_get_order(size_t size);

/*
 * Page descriptors (Linux's struct page): one per page of platform memory.
 * Callers treat struct dmp_page as opaque.
 */
struct dmp_page;
/** dmp_phys_to_page - the descriptor of the page holding @phys, or NULL. */
DMP_API struct dmp_page *dmp_phys_to_page(dmp_phys_t phys);
/** dmp_virt_to_page - the descriptor of the page holding @va, or NULL. */
DMP_API struct dmp_page *dmp_virt_to_page(const void *va);
/** dmp_page_to_phys - the physical address of @page (a valid descriptor). */
DMP_API dmp_phys_t dmp_page_to_phys(const struct dmp_page *page);
/** dmp_page_address - the CPU address of @page (a valid descriptor). */
DMP_API void *dmp_page_address(const struct dmp_page *page);

/** dmp_phys_to_virt - the CPU address of @phys, or NULL if not memory. */
DMP_API void *dmp_phys_to_virt(dmp_phys_t phys);

/**
 * dmp_virt_to_phys - the physical address of @va.
 * Returns 0, or -EFAULT if @va is not in the platform's memory.
 */
DMP_API int dmp_virt_to_phys(const void *va, dmp_phys_t *phys);

/** dmp_is_dma_memory - true if all of [@va, @va + @len) is platform memory. */
DMP_API bool dmp_is_dma_memory(const void *va, size_t len);

/**
 * dmp_kmalloc - allocate @size bytes of DMA-able memory (Linux's kmalloc).
 *
 * Objects are aligned to DMP_KMALLOC_MINALIGN, the largest cache line any
 * platform may have, so that two kmalloc buffers never share a cache line (as
 * ARCH_DMA_MINALIGN guarantees in Linux).  Sizes above a page come from whole
 * page blocks.  Returns NULL on failure (or injected failure).  Never blocks.
 */
#define DMP_KMALLOC_MINALIGN 128
DMP_API void *dmp_kmalloc(size_t size, dmp_gfp_t gfp);
DMP_API void *dmp_kzalloc(size_t size, dmp_gfp_t gfp);
/** dmp_kfree - free; NULL is ignored; a foreign or double free is reported and ignored. */
DMP_API void dmp_kfree(const void *p);
/** dmp_ksize - the usable size of a dmp_kmalloc() object, 0 if it is not one. */
DMP_API size_t dmp_ksize(const void *p);

DMP_END_DECLS

#endif /* DMAPORT_MEMORY_H */
