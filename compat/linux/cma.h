/* SPDX-License-Identifier: MIT */
/*
 * <linux/cma.h> for dmaport's Linux-compat layer: the contiguous memory
 * allocator's driver-facing calls over dmaport's CMA (<dmaport/cma.h>).
 *
 * struct cma is declared and never defined: a struct cma * is dmaport's
 * struct dmp_cma * under another name (as struct dma_pool in
 * <linux/dmapool.h>).  Areas are declared by platform set-up code (the
 * device tree's reusable shared-dma-pools, or dmp_cma_declare()), not here:
 * Linux's cma_declare_contiguous* and cma_init_reserved_mem are boot-time
 * calls with no driver use, and are absent.
 */
#ifndef DMP_COMPAT_LINUX_CMA_H
#define DMP_COMPAT_LINUX_CMA_H

#include <dmaport/cma.h>

#include <linux/mm_types.h>
#include <linux/types.h>

struct cma;

static inline struct cma *dmp__lx_cma_of(struct dmp_cma *cma)
{
	return (struct cma *)(void *)cma;
}

static inline struct dmp_cma *dmp__lx_dmp_cma(const struct cma *cma)
{
	return (struct dmp_cma *)(void *)(uintptr_t)cma;
}

/** cma_get_name - the area's name. */
static inline const char *cma_get_name(const struct cma *cma)
{
	return dmp_cma_name(dmp__lx_dmp_cma(cma));
}

/**
 * cma_alloc - @count contiguous pages from @cma, the first aligned to
 * 2^@align pages.  NULL when the area is full or fragmented (reported with
 * the reason unless @no_warn) or @cma is NULL.  Not zeroed, as Linux.
 */
static inline struct page *cma_alloc(struct cma *cma, unsigned long count, unsigned int align,
				     bool no_warn)
{
	dmp_phys_t phys;
	if (!cma || dmp_cma_alloc(dmp__lx_dmp_cma(cma), count, align,
				  no_warn ? DMP_GFP_NOWARN : 0, &phys))
		return NULL;
	return dmp__lx_page_of(dmp_phys_to_page(phys));
}

/**
 * cma_release - give back @count pages at @pages.  false (and reported)
 * when they are not an allocation of @cma, as Linux returns false.
 */
static inline bool cma_release(struct cma *cma, const struct page *pages, unsigned long count)
{
	if (!cma || !pages)
		return false;
	return dmp_cma_release(dmp__lx_dmp_cma(cma), dmp_page_to_phys(dmp__lx_dmp_page(pages)),
			       count) == 0;
}

#endif /* DMP_COMPAT_LINUX_CMA_H */
