/* SPDX-License-Identifier: MIT */
/*
 * <linux/scatterlist.h> for dmaport's Linux-compat layer: dmaport's
 * scatterlists (dmaport/scatterlist.h) under Linux's names.
 *
 * struct scatterlist, struct sg_table, struct sg_page_iter and struct
 * sg_dma_page_iter ARE dmaport's structs: the tags are macros naming
 * struct dmp_scatterlist etc., so an array a driver declares is passed to
 * dmaport as it is and no object is ever seen under two struct types.  The
 * fields drivers read have Linux's names: sgl, nents, orig_nents; offset,
 * length, page_link, dma_address, dma_length (compiler messages name the
 * dmp_ structs).  Entries must point to platform memory (kmalloc,
 * alloc_pages, ...): sg_set_buf() on the stack or libc's heap is refused
 * (reported; the entry gets no page and mapping it fails).
 */
#ifndef DMP_COMPAT_LINUX_SCATTERLIST_H
#define DMP_COMPAT_LINUX_SCATTERLIST_H

#include <dmaport/scatterlist.h>

#include <linux/types.h>
#include <linux/mm.h>

#define scatterlist dmp_scatterlist
#define sg_table dmp_sg_table
#define sg_page_iter dmp_sg_page_iter
#define sg_dma_page_iter dmp_sg_dma_page_iter

#define SG_CHAIN DMP_SG_CHAIN
#define SG_END DMP_SG_END
#define SG_MAX_SINGLE_ALLOC DMP_SG_MAX_SINGLE_ALLOC
#define SCATTERLIST_MAX_SEGMENT DMP_SG_MAX_SEGMENT

#define sg_dma_address(sg) dmp_sg_dma_address(sg)
#define sg_dma_len(sg) dmp_sg_dma_len(sg)

#define sg_is_chain(sg) dmp_sg_is_chain(sg)
#define sg_is_last(sg) dmp_sg_is_last(sg)
#define sg_chain_ptr(sg) dmp_sg_chain_ptr(sg)
#define sg_next(sg) dmp_sg_next(sg)
#define sg_chain(prv, prv_nents, sgl) dmp_sg_chain((prv), (prv_nents), (sgl))
#define sg_mark_end(sg) dmp_sg_mark_end(sg)
#define sg_unmark_end(sg) dmp_sg_unmark_end(sg)
#define sg_init_marker(sgl, nents) dmp_sg_init_marker((sgl), (nents))
#define sg_init_table(sgl, nents) dmp_sg_init_table((sgl), (nents))
#define sg_init_one(sg, buf, buflen) dmp_sg_init_one((sg), (buf), (buflen))
#define sg_set_buf(sg, buf, buflen) dmp_sg_set_buf((sg), (buf), (buflen))
#define sg_nents(sg) dmp_sg_nents(sg)
#define sg_nents_for_len(sg, len) dmp_sg_nents_for_len((sg), (len))
#define sg_last(sgl, nents) dmp_sg_last((sgl), (nents))
#define sg_virt(sg) dmp_sg_virt(sg)
#define sg_phys(sg) ((phys_addr_t)dmp_sg_phys(sg))

/*
 * for_each_sg - @nr entries from @sglist.  The count is converted to the
 * type of @i, so that Linux's idiom (an int @i over an unsigned count) does
 * not draw -Wsign-compare.
 */
#define for_each_sg(sglist, sg, nr, i)                                                    \
	for ((i) = 0, (sg) = (sglist); (i) < (__typeof__(i))(nr); (i)++, (sg) = sg_next(sg))
#define for_each_sgtable_sg(sgt, sg, i) for_each_sg((sgt)->sgl, sg, (sgt)->orig_nents, i)
#define for_each_sgtable_dma_sg(sgt, sg, i) for_each_sg((sgt)->sgl, sg, (sgt)->nents, i)

#define sg_dma_is_bus_address(sg) dmp_sg_dma_is_bus_address(sg)
#define sg_dma_mark_bus_address(sg) dmp_sg_dma_mark_bus_address(sg)
#define sg_dma_unmark_bus_address(sg) dmp_sg_dma_unmark_bus_address(sg)
#define sg_dma_is_swiotlb(sg) dmp_sg_dma_is_swiotlb(sg)
#define sg_dma_mark_swiotlb(sg) dmp_sg_dma_mark_swiotlb(sg)
#define sg_dma_unmark_swiotlb(sg) dmp_sg_dma_unmark_swiotlb(sg)

/** sg_page - the page of a data entry (NULL if none was set). */
static inline struct page *sg_page(struct scatterlist *sg)
{
	return dmp__lx_page_of(dmp_sg_page(sg));
}

/** sg_assign_page - set the page of @sg, keeping its end mark. */
static inline void sg_assign_page(struct scatterlist *sg, struct page *page)
{
	dmp_sg_assign_page(sg, dmp__lx_dmp_page(page));
}

/** sg_set_page - point @sg at @len bytes from @offset into @page. */
static inline void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len,
			       unsigned int offset)
{
	dmp_sg_set_page(sg, dmp__lx_dmp_page(page), len, offset);
}

/**
 * sg_alloc_table - a table of @nents entries (chained arrays beyond
 * SG_MAX_SINGLE_ALLOC).  Returns 0, -EINVAL (@nents 0) or -ENOMEM.
 */
static inline int sg_alloc_table(struct sg_table *table, unsigned int nents, gfp_t gfp)
{
	return dmp_sg_alloc_table(table, nents, gfp);
}

static inline void sg_free_table(struct sg_table *table)
{
	dmp_sg_free_table(table);
}

/*
 * The page arrays are struct page * arrays read as struct dmp_page * arrays:
 * the same pointers (struct page * is a renamed struct dmp_page *, see
 * <linux/mm_types.h>), and all struct pointers share one representation.
 */
static inline int sg_alloc_table_from_pages_segment(struct sg_table *sgt, struct page **pages,
						    unsigned int n_pages, unsigned int offset,
						    unsigned long size, unsigned int max_segment,
						    gfp_t gfp)
{
	return dmp_sg_alloc_table_from_pages_segment(sgt, (struct dmp_page *const *)(void *)pages,
						     n_pages, offset, size, max_segment, gfp);
}

static inline int sg_alloc_table_from_pages(struct sg_table *sgt, struct page **pages,
					    unsigned int n_pages, unsigned int offset,
					    unsigned long size, gfp_t gfp)
{
	return dmp_sg_alloc_table_from_pages(sgt, (struct dmp_page *const *)(void *)pages, n_pages,
					     offset, size, gfp);
}

/* Copies between a linear buffer and the CPU view of a list (no cache maintenance). */
#define sg_copy_buffer(sgl, nents, buf, buflen, skip, to_buffer)                          \
	dmp_sg_copy_buffer((sgl), (nents), (buf), (buflen), (skip), (to_buffer))
#define sg_copy_from_buffer(sgl, nents, buf, buflen)                                      \
	dmp_sg_copy_from_buffer((sgl), (nents), (buf), (buflen))
#define sg_copy_to_buffer(sgl, nents, buf, buflen)                                        \
	dmp_sg_copy_to_buffer((sgl), (nents), (buf), (buflen))
#define sg_pcopy_from_buffer(sgl, nents, buf, buflen, skip)                               \
	dmp_sg_pcopy_from_buffer((sgl), (nents), (buf), (buflen), (skip))
#define sg_pcopy_to_buffer(sgl, nents, buf, buflen, skip)                                 \
	dmp_sg_pcopy_to_buffer((sgl), (nents), (buf), (buflen), (skip))
#define sg_zero_buffer(sgl, nents, buflen, skip)                                          \
	dmp_sg_zero_buffer((sgl), (nents), (buflen), (skip))

/* Page iterators. */
static inline struct page *sg_page_iter_page(struct sg_page_iter *piter)
{
	return dmp__lx_page_of(dmp_sg_page_iter_page(piter));
}

#define sg_page_iter_dma_address(dma_iter) dmp_sg_page_iter_dma_address(dma_iter)
#define for_each_sg_page(sglist, piter, nents, pgoffset)                                  \
	dmp_for_each_sg_page(sglist, piter, nents, pgoffset)
#define for_each_sg_dma_page(sglist, dma_iter, dma_nents, pgoffset)                       \
	dmp_for_each_sg_dma_page(sglist, dma_iter, dma_nents, pgoffset)
#define for_each_sgtable_page(sgt, piter, pgoffset) dmp_for_each_sgtable_page(sgt, piter, pgoffset)
#define for_each_sgtable_dma_page(sgt, dma_iter, pgoffset)                                \
	dmp_for_each_sgtable_dma_page(sgt, dma_iter, pgoffset)

#endif /* DMP_COMPAT_LINUX_SCATTERLIST_H */
