/* SPDX-License-Identifier: MIT */
/*
 * dmaport/cma.h - the contiguous memory allocator (Linux's mm/cma.c,
 * include/linux/cma.h, kernel/dma/contiguous.c).
 *
 * Callers' header: for platform set-up code (declaring areas, choosing the
 * default one, giving a device its own) and for drivers that take large
 * physically contiguous buffers straight from an area (Linux's cma_alloc).
 * Coherent allocations use CMA by themselves (dmp_alloc_coherent of more
 * than a page, DMP_ATTR_FORCE_CONTIGUOUS): drivers need nothing from here
 * for that.
 *
 * An area is a physically contiguous range of platform memory set aside at
 * set-up.  Linux lends CMA pages to movable allocations meanwhile and
 * migrates them away when cma_alloc() needs them; dmaport has no movable
 * memory, so an area is simply reserved: its pages are taken out of the page
 * allocator (allocated from it) when the area is declared, and no one else
 * can use them until dmp_cma_destroy().
 *
 * The area is managed by a bitmap in which one bit covers 2^order_per_bit
 * pages (Linux's order_per_bit): allocations are rounded up to whole bits.
 * Every allocation is remembered (start and length), so a release of
 * something that was not allocated is reported and refused, not obeyed.
 *
 * Locking: each area has a spinlock; all functions but declare/destroy may
 * be called concurrently.  Context: allocation and release never block here
 * (Linux's may: migration); dmp__dma_alloc_contiguous() still refuses
 * DMP_GFP_ATOMIC callers, as Linux, so that code behaves the same on both.
 */
#ifndef DMAPORT_CMA_H
#define DMAPORT_CMA_H

#include <dmaport/types.h>

DMP_BEGIN_DECLS

struct dmp_cma;
struct dmp_device;

/** Largest alignment the coherent path asks of CMA (Linux's CONFIG_CMA_ALIGNMENT). */
#define DMP_CMA_ALIGN_ORDER_MAX 8
#define DMP_CMA_NAME_MAX 32

/**
 * dmp_cma_declare - reserve an area.
 * @base:          physical address of the area, or 0 to let dmaport place it
 *                 (as Linux's cma_declare_contiguous: base 0 means "any").
 * @size:          bytes: a multiple of the page size and of the bit size
 *                 (2^@order_per_bit pages); at least one bit.
 * @limit:         highest physical address any byte of the area may have
 *                 (DMP_PHYS_ANY for none), e.g. 0xffffffff for 32-bit devices.
 * @align_order:   alignment of @base as a page order (0: the bit size; the
 *                 bit size is the minimum); a dynamic area is also aligned
 *                 to the smallest power of two holding @size, capped at
 *                 DMP_PAGE_ORDER_MAX.
 * @order_per_bit: pages per bitmap bit, as an order.
 * @name:          for reports (truncated to DMP_CMA_NAME_MAX - 1).
 * @out:           receives the area.
 *
 * Returns 0; -EINVAL (size or base misaligned, zero, past @limit, not
 * platform memory, order too large); -EBUSY (some of [@base, +@size) is
 * already in use, or no place free under @limit for a dynamic area);
 * -ENOMEM (no memory for the bookkeeping).  Nothing is left reserved on
 * failure.  Context: platform set-up, may block.
 */
DMP_API int dmp_cma_declare(dmp_phys_t base, size_t size, dmp_phys_t limit,
			    unsigned int align_order, unsigned int order_per_bit, const char *name,
			    struct dmp_cma **out);

/**
 * dmp_cma_destroy - give the area's pages back to the page allocator.
 * Returns 0 or -EBUSY (allocations are live: refused, reported).  If it is
 * the default area, there is no default area afterwards.
 */
DMP_API int dmp_cma_destroy(struct dmp_cma *cma);

/** dmp_cma_set_default - make @cma (or NULL: none) the default area (Linux's dma_contiguous_default_area). */
DMP_API void dmp_cma_set_default(struct dmp_cma *cma);
/** dmp_cma_get_default - the default area, or NULL. */
DMP_API struct dmp_cma *dmp_cma_get_default(void);

/**
 * dmp_cma_alloc - allocate @count contiguous pages from @cma.
 * @align_order: the block's physical address is aligned to 2^@align_order
 *               pages (Linux's cma_alloc align argument).
 * @gfp:         DMP_GFP_ZERO zeroes the pages; DMP_GFP_NOWARN: no report.
 * @phys:        receives the first page's physical address.
 *
 * Returns 0; -EINVAL (count 0, alignment beyond the area); -ENOMEM, reported
 * with the reason: the area is full (fewer free pages than asked) or
 * fragmented (enough free pages, no free aligned run long enough: the report
 * gives the free pages and the largest free aligned run).  Context: any.
 */
DMP_API int dmp_cma_alloc(struct dmp_cma *cma, size_t count, unsigned int align_order,
			  dmp_gfp_t gfp, dmp_phys_t *phys);

/**
 * dmp_cma_release - release @count pages at @phys (exactly as allocated).
 * Returns 0, or -EINVAL when [@phys, +@count) is not an allocation of @cma:
 * outside the area, not its start, a different size, already released.
 * Such a release is reported and nothing changes (Linux returns false).
 */
DMP_API int dmp_cma_release(struct dmp_cma *cma, dmp_phys_t phys, size_t count);

/** struct dmp_cma_stats - a snapshot of an area. */
struct dmp_cma_stats {
	dmp_phys_t base;
	size_t nr_pages;
	unsigned int order_per_bit;
	size_t free_pages;
	size_t largest_free;  /* pages in the longest free run (unaligned) */
	size_t nr_allocs;
};

/** dmp_cma_get_stats - fill @st.  Context: takes the area's lock. */
DMP_API void dmp_cma_get_stats(struct dmp_cma *cma, struct dmp_cma_stats *st);

/** dmp_cma_name - @cma's name. */
DMP_API const char *dmp_cma_name(const struct dmp_cma *cma);

/**
 * dmp_cma_check - consistency walker: allocations do not overlap and lie in
 * the area, every used bit belongs to exactly one allocation, the counts
 * agree, and the area's pages are still held from the page allocator.
 * Returns 0 or -EFAULT (reported).
 */
DMP_API int dmp_cma_check(struct dmp_cma *cma);

DMP_END_DECLS

#endif /* DMAPORT_CMA_H */
