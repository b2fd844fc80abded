/* SPDX-License-Identifier: MIT */
/*
 * dmaport/scatterlist.h - scatter-gather lists (Linux's <linux/scatterlist.h>).
 *
 * Callers' header.  A scatterlist describes a buffer made of pieces, each a
 * run of physically contiguous bytes given as (page, offset, length).  After
 * dmp_map_sg() each entry also carries the bus address and length the device
 * uses (dmp_sg_dma_address(), dmp_sg_dma_len()); the mapping may merge pieces,
 * so the DMA side can have fewer entries than the CPU side.
 *
 * Encoding, as in Linux: page_link holds a struct dmp_page pointer (at least
 * 4-byte aligned) whose two low bits are flags:
 *   DMP_SG_CHAIN  this entry is not data: it points to the next array of
 *                 entries (the pointer is a struct dmp_scatterlist *);
 *   DMP_SG_END    this entry is the last of the list.
 * A list longer than one allocation is a chain of arrays: the last slot of
 * every array but the last is a chain entry.  Walk lists with dmp_sg_next()
 * or dmp_for_each_sg(), never with sg + 1.
 *
 * Pages must be platform memory (struct dmp_page from dmp_phys_to_page(),
 * dmp_virt_to_page(), ...).  An entry must not cross the end of a memory
 * region: regions are separate CPU mappings, so dmp_sg_virt() of such an
 * entry would not be contiguous.
 *
 * Locking: none.  A scatterlist belongs to its caller, who serialises its use.
 * Every function here may be called in any context; those taking a gfp never
 * block (dmaport's allocators never do).
 */
#ifndef DMAPORT_SCATTERLIST_H
#define DMAPORT_SCATTERLIST_H

#include <dmaport/memory.h>
#include <dmaport/types.h>

DMP_BEGIN_DECLS

/**
 * struct dmp_scatterlist - one entry of a scatterlist.
 * @page_link:   the page and the DMP_SG_CHAIN / DMP_SG_END bits (see above);
 *               read it with dmp_sg_page(), set it with dmp_sg_set_page().
 * @offset:      offset of the data from the start of the page (may exceed a
 *               page: the pages of an entry are contiguous).
 * @length:      bytes of data.
 * @dma_address: the bus address, set by dmp_map_sg().
 * @dma_length:  the bus length, set by dmp_map_sg() (always present: Linux
 *               has it only with CONFIG_NEED_SG_DMA_LENGTH).
 * @dma_flags:   DMP_SG_DMA_* flags, set by the mapping code.
 */
struct dmp_scatterlist {
	uintptr_t page_link;
	unsigned int offset;
	unsigned int length;
	dmp_addr_t dma_address;
	unsigned int dma_length;
	unsigned int dma_flags;
};

/**
 * struct dmp_sg_table - a scatterlist and its sizes (Linux's sg_table).
 * @sgl:        the first entry.
 * @nents:      entries with a DMA mapping (what dmp_map_sgtable() returned;
 *              equal to @orig_nents before mapping).
 * @orig_nents: entries on the CPU side (what the table was built with).
 */
struct dmp_sg_table {
	struct dmp_scatterlist *sgl;
	unsigned int nents;
	unsigned int orig_nents;
};

#define DMP_SG_CHAIN ((uintptr_t)0x01)
#define DMP_SG_END ((uintptr_t)0x02)
#define DMP_SG_PAGE_LINK_MASK (DMP_SG_CHAIN | DMP_SG_END)

/*
 * dma_flags (Linux's SG_DMA_BUS_ADDRESS and SG_DMA_SWIOTLB):
 * DMP_SG_DMA_BUS_ADDRESS  the dma_address is a bus address the device reaches
 *                         without translation (peer-to-peer);
 * DMP_SG_DMA_SWIOTLB      the entry was bounced through swiotlb, so syncs
 *                         must copy.
 */
#define DMP_SG_DMA_BUS_ADDRESS (1u << 0)
#define DMP_SG_DMA_SWIOTLB (1u << 1)

/**
 * DMP_SG_MAX_SINGLE_ALLOC - entries per array allocated by
 * dmp_sg_alloc_table() (one page, as Linux's SG_MAX_SINGLE_ALLOC); longer
 * tables are chains of such arrays, each giving one slot to the chain entry.
 */
#define DMP_SG_MAX_SINGLE_ALLOC (DMP_PAGE_SIZE / sizeof(struct dmp_scatterlist))

/** The default (and largest) segment of dmp_sg_alloc_table_from_pages()
 * (Linux's SCATTERLIST_MAX_SEGMENT). */
#define DMP_SG_MAX_SEGMENT ((unsigned int)(UINT32_MAX & DMP_PAGE_MASK))

/** dmp_sg_dma_address - the bus address of an entry (an lvalue). */
#define dmp_sg_dma_address(sg) ((sg)->dma_address)
/** dmp_sg_dma_len - the bus length of an entry (an lvalue). */
#define dmp_sg_dma_len(sg) ((sg)->dma_length)

/** dmp_sg_is_chain - true if @sg is a chain entry (not data). */
static inline bool dmp_sg_is_chain(const struct dmp_scatterlist *sg)
{
	return (sg->page_link & DMP_SG_CHAIN) != 0;
}

/** dmp_sg_is_last - true if @sg is the last entry of its list. */
static inline bool dmp_sg_is_last(const struct dmp_scatterlist *sg)
{
	return (sg->page_link & DMP_SG_END) != 0;
}

/** dmp_sg_chain_ptr - the array a chain entry points to. */
static inline struct dmp_scatterlist *dmp_sg_chain_ptr(const struct dmp_scatterlist *sg)
{
	return (struct dmp_scatterlist *)(sg->page_link & ~DMP_SG_PAGE_LINK_MASK);
}

/** dmp_sg_page - the page of a data entry (NULL if none was set). */
static inline struct dmp_page *dmp_sg_page(const struct dmp_scatterlist *sg)
{
	return (struct dmp_page *)(sg->page_link & ~DMP_SG_PAGE_LINK_MASK);
}

/**
 * dmp_sg_assign_page - set the page of @sg, keeping its end mark.
 * @sg must not be a chain entry; @page is a descriptor (aligned) or NULL.
 */
static inline void dmp_sg_assign_page(struct dmp_scatterlist *sg, struct dmp_page *page)
{
	sg->page_link = (sg->page_link & DMP_SG_END) | (uintptr_t)page;
}

/**
 * dmp_sg_set_page - point @sg at @len bytes from @offset into @page.
 * The end mark is kept; the DMA fields are untouched.  The bytes
 * [@offset, @offset + @len) from the start of @page must lie in one memory
 * region.  Context: any.
 */
static inline void dmp_sg_set_page(struct dmp_scatterlist *sg, struct dmp_page *page,
				   unsigned int len, unsigned int offset)
{
	dmp_sg_assign_page(sg, page);
	sg->offset = offset;
	sg->length = len;
}

/** dmp_sg_phys - the physical address of the data of @sg (it has a page). */
static inline dmp_phys_t dmp_sg_phys(const struct dmp_scatterlist *sg)
{
	return dmp_page_to_phys(dmp_sg_page(sg)) + sg->offset;
}

/** dmp_sg_virt - the CPU address of the data of @sg (it has a page). */
static inline void *dmp_sg_virt(const struct dmp_scatterlist *sg)
{
	return (uint8_t *)dmp_page_address(dmp_sg_page(sg)) + sg->offset;
}

/** dmp_sg_mark_end - make @sg the last entry (clears a chain mark). */
static inline void dmp_sg_mark_end(struct dmp_scatterlist *sg)
{
	sg->page_link = (sg->page_link | DMP_SG_END) & ~DMP_SG_CHAIN;
}

/** dmp_sg_unmark_end - @sg is no longer the last entry. */
static inline void dmp_sg_unmark_end(struct dmp_scatterlist *sg)
{
	sg->page_link &= ~DMP_SG_END;
}

/**
 * dmp_sg_chain - chain the array @prv of @prv_nents slots to @sgl.
 * The last slot of @prv becomes the chain entry (it holds no data, so @prv
 * carries @prv_nents - 1 entries of data) and loses any end mark.
 * Context: any.
 */
static inline void dmp_sg_chain(struct dmp_scatterlist *prv, unsigned int prv_nents,
				struct dmp_scatterlist *sgl)
{
	struct dmp_scatterlist *link = &prv[prv_nents - 1];
	link->offset = 0;
	link->length = 0;
	link->page_link = (uintptr_t)sgl | DMP_SG_CHAIN;
}

/**
 * dmp_sg_next - the entry after @sg, following chain entries; NULL if @sg is
 * the last.  Out of line, as Linux's sg_next(): inlined, compilers warn about
 * the slot after a last entry, which is never read.  Context: any.
 */
DMP_API struct dmp_scatterlist *dmp_sg_next(struct dmp_scatterlist *sg);

/**
 * dmp_for_each_sg - iterate over @nr entries of @sglist: @sg is the entry,
 * @i its index.  @nr must not exceed the list's length.
 */
#define dmp_for_each_sg(sglist, sg, nr, i)                                            \
	for ((i) = 0, (sg) = (sglist); (i) < (nr); (i)++, (sg) = dmp_sg_next(sg))

/** dmp_for_each_sgtable_sg - iterate over the CPU entries (orig_nents). */
#define dmp_for_each_sgtable_sg(sgt, sg, i)                                           \
	dmp_for_each_sg((sgt)->sgl, sg, (sgt)->orig_nents, i)

/** dmp_for_each_sgtable_dma_sg - iterate over the DMA-mapped entries (nents). */
#define dmp_for_each_sgtable_dma_sg(sgt, sg, i)                                       \
	dmp_for_each_sg((sgt)->sgl, sg, (sgt)->nents, i)

/* DMA flag helpers (Linux's sg_dma_is_bus_address() etc.). */
static inline bool dmp_sg_dma_is_bus_address(const struct dmp_scatterlist *sg)
{
	return (sg->dma_flags & DMP_SG_DMA_BUS_ADDRESS) != 0;
}
static inline void dmp_sg_dma_mark_bus_address(struct dmp_scatterlist *sg)
{
	sg->dma_flags |= DMP_SG_DMA_BUS_ADDRESS;
}
static inline void dmp_sg_dma_unmark_bus_address(struct dmp_scatterlist *sg)
{
	sg->dma_flags &= ~DMP_SG_DMA_BUS_ADDRESS;
}
static inline bool dmp_sg_dma_is_swiotlb(const struct dmp_scatterlist *sg)
{
	return (sg->dma_flags & DMP_SG_DMA_SWIOTLB) != 0;
}
static inline void dmp_sg_dma_mark_swiotlb(struct dmp_scatterlist *sg)
{
	sg->dma_flags |= DMP_SG_DMA_SWIOTLB;
}
static inline void dmp_sg_dma_unmark_swiotlb(struct dmp_scatterlist *sg)
{
	sg->dma_flags &= ~DMP_SG_DMA_SWIOTLB;
}

/**
 * dmp_sg_init_table - zero @nents entries of the array @sgl and mark the last
 * one as the end.  @nents >= 1.  Context: any.
 */
DMP_API void dmp_sg_init_table(struct dmp_scatterlist *sgl, unsigned int nents);

/** dmp_sg_init_marker - mark the end at entry @nents - 1 of the array @sgl. */
DMP_API void dmp_sg_init_marker(struct dmp_scatterlist *sgl, unsigned int nents);

/**
 * dmp_sg_set_buf - point @sg at @buflen bytes at @buf.
 *
 * @buf must be platform memory (dmp_kmalloc(), dmp_page_alloc() +
 * dmp_phys_to_virt(), ...), all of [@buf, @buf + @buflen) in one region: the
 * page is found with dmp_virt_to_page().  Otherwise (the C stack, libc's heap)
 * the entry is refused: a message naming the pointer is logged and the entry
 * gets no page (dmp_sg_page() is NULL) with offset 0 and length @buflen, so
 * that dmp_map_sg() fails on it instead of handing a device a wrong address.
 * The end mark is kept.  Context: any.
 */
DMP_API void dmp_sg_set_buf(struct dmp_scatterlist *sg, const void *buf, unsigned int buflen);

/**
 * dmp_sg_init_one - make @sg a one-entry list of @buflen bytes at @buf
 * (dmp_sg_init_table() then dmp_sg_set_buf(), with its refusal rule).
 */
DMP_API void dmp_sg_init_one(struct dmp_scatterlist *sg, const void *buf, unsigned int buflen);

/** dmp_sg_nents - entries in the list starting at @sg (0 for NULL). */
DMP_API int dmp_sg_nents(struct dmp_scatterlist *sg);

/**
 * dmp_sg_nents_for_len - how many entries from @sg it takes to hold @len
 * bytes (by their CPU lengths).  Returns that count (0 for @len 0), or
 * -EINVAL if the whole list is shorter than @len.
 */
DMP_API int dmp_sg_nents_for_len(struct dmp_scatterlist *sg, uint64_t len);

/**
 * dmp_sg_last - the last of @nents entries from @sgl (walks the list).
 * @nents >= 1.
 */
DMP_API struct dmp_scatterlist *dmp_sg_last(struct dmp_scatterlist *sgl, unsigned int nents);

/**
 * dmp_sg_alloc_table - allocate a list of @nents zeroed entries, the last
 * marked as the end.
 * @table: filled in (zeroed first); nents = orig_nents = @nents.
 * @nents: entries of data wanted, >= 1.
 * @gfp:   DMP_GFP_* for the arrays (dmp_kmalloc()).
 *
 * Lists of more than DMP_SG_MAX_SINGLE_ALLOC entries are chains of arrays of
 * DMP_SG_MAX_SINGLE_ALLOC slots, the last slot of each a chain entry, and a
 * last array just big enough (Linux's __sg_alloc_table layout).
 * Returns 0, -EINVAL (@nents is 0) or -ENOMEM (an array could not be
 * allocated; everything allocated so far is freed and *@table is zeroed; a
 * retry may succeed).  Context: any; never blocks.
 */
DMP_API int dmp_sg_alloc_table(struct dmp_sg_table *table, unsigned int nents, dmp_gfp_t gfp);

/**
 * dmp_sg_free_table - free the arrays of a table from dmp_sg_alloc_table*()
 * and zero *@table.  A zeroed table is ignored.  Does not unmap: unmap first.
 */
DMP_API void dmp_sg_free_table(struct dmp_sg_table *table);

/**
 * dmp_sg_alloc_table_from_pages_segment - build a table for a buffer held
 * in an array of pages, merging physically contiguous pages.
 * @sgt:         filled in (zeroed first; zeroed again on failure).
 * @pages:       the pages of the buffer, in order.
 * @n_pages:     entries of @pages; the buffer uses the first
 *               ceil((@offset + @size) / page size) of them, any more are
 *               ignored.
 * @offset:      where the buffer starts in @pages[0], below the page size.
 * @size:        bytes in the buffer, >= 1.
 * @max_segment: the longest entry, rounded down to a page multiple; at least
 *               a page after rounding: the device's maximum segment size,
 *               or DMP_SG_MAX_SEGMENT for no limit.
 * @gfp:         DMP_GFP_* for the arrays.
 *
 * Linux's rule (lib/scatterlist.c, sg_alloc_append_table_from_pages): the
 * pages are cut into chunks, each a run of consecutive page frames of at most
 * @max_segment / page size pages; each chunk is one entry, the first starting
 * at @offset and the last ending at the end of the buffer, so an entry never
 * exceeds @max_segment bytes.  dmaport also ends a chunk at the end of a
 * memory region (Linux compares page frame numbers only), so that
 * dmp_sg_virt() of every entry is contiguous.
 *
 * Returns 0, -EINVAL (@max_segment below a page, @size 0, @offset not below
 * a page, fewer pages than the buffer needs, a NULL page) or -ENOMEM (nothing
 * is left allocated; a retry may succeed).  Context: any; never blocks.
 */
DMP_API int dmp_sg_alloc_table_from_pages_segment(struct dmp_sg_table *sgt,
						  struct dmp_page *const *pages,
						  unsigned int n_pages, unsigned int offset,
						  size_t size, unsigned int max_segment,
						  dmp_gfp_t gfp);

/**
 * dmp_sg_alloc_table_from_pages - dmp_sg_alloc_table_from_pages_segment()
 * with @max_segment DMP_SG_MAX_SEGMENT.  Same returns.
 */
DMP_API int dmp_sg_alloc_table_from_pages(struct dmp_sg_table *sgt,
					  struct dmp_page *const *pages, unsigned int n_pages,
					  unsigned int offset, size_t size, dmp_gfp_t gfp);

/**
 * dmp_sg_table_check - consistency walker for a table from
 * dmp_sg_alloc_table*(): @nents <= @orig_nents; the arrays have the layout
 * dmp_sg_alloc_table() gives (chain entries exactly at the last slot of each
 * full array, pointing to dmp_kmalloc() objects big enough for what follows);
 * no entry before the last is marked as the end, the last is; dmp_sg_next()
 * reaches exactly orig_nents entries; every entry with a page covers bytes of
 * one memory region.  Entries without a page (never set, or refused by
 * dmp_sg_set_buf()) are allowed.  A zeroed table is consistent.
 * Returns 0, or -EINVAL after logging the first inconsistency found.
 */
DMP_API int dmp_sg_table_check(const struct dmp_sg_table *table);

/*
 * Page iterators (Linux's sg_page_iter): visit every page an entry touches,
 * the CPU side by page descriptor, the DMA side by bus address.
 */

/**
 * struct dmp_sg_page_iter - a position in a page walk.
 * @sg:          the current entry.
 * @sg_pgoffset: the page within @sg (0 is the page holding its start, or the
 *               first page of its DMA range).
 * The rest is the iterator's own state.
 */
struct dmp_sg_page_iter {
	struct dmp_scatterlist *sg;
	unsigned int sg_pgoffset;
	unsigned int nents_left_;
	unsigned int pg_advance_;
};

/** struct dmp_sg_dma_page_iter - a page walk of the DMA side. */
struct dmp_sg_dma_page_iter {
	struct dmp_sg_page_iter base;
};

/* The engines behind the macros below; call them through the macros. */
DMP_API void dmp__sg_page_iter_start(struct dmp_sg_page_iter *piter, struct dmp_scatterlist *sglist,
				     unsigned int nents, unsigned long pgoffset);
DMP_API bool dmp__sg_page_iter_next(struct dmp_sg_page_iter *piter);
DMP_API bool dmp__sg_page_iter_dma_next(struct dmp_sg_dma_page_iter *dma_iter);

/** dmp_sg_page_iter_page - the page descriptor at the iterator. */
DMP_API struct dmp_page *dmp_sg_page_iter_page(const struct dmp_sg_page_iter *piter);

/** dmp_sg_page_iter_dma_address - the bus address of the page at the iterator. */
static inline dmp_addr_t dmp_sg_page_iter_dma_address(const struct dmp_sg_dma_page_iter *dma_iter)
{
	return dmp_sg_dma_address(dma_iter->base.sg) +
	       ((dmp_addr_t)dma_iter->base.sg_pgoffset << DMP_PAGE_SHIFT);
}

/**
 * dmp_for_each_sg_page - visit each page of the first @nents entries of
 * @sglist (every page from the one holding an entry's start to the one
 * holding its last byte), skipping the first @pgoffset pages.
 */
#define dmp_for_each_sg_page(sglist, piter, nents, pgoffset)                          \
	for (dmp__sg_page_iter_start((piter), (sglist), (nents), (pgoffset));         \
	     dmp__sg_page_iter_next(piter);)

/**
 * dmp_for_each_sg_dma_page - visit each page-sized piece of the DMA ranges
 * of the first @dma_nents mapped entries (each range starts a page: use this
 * only where the mapping gives page-aligned ranges, as Linux requires).
 */
#define dmp_for_each_sg_dma_page(sglist, dma_iter, dma_nents, pgoffset)               \
	for (dmp__sg_page_iter_start(&(dma_iter)->base, (sglist), (dma_nents), (pgoffset)); \
	     dmp__sg_page_iter_dma_next(dma_iter);)

/** dmp_for_each_sgtable_page - dmp_for_each_sg_page() over orig_nents. */
#define dmp_for_each_sgtable_page(sgt, piter, pgoffset)                               \
	dmp_for_each_sg_page((sgt)->sgl, piter, (sgt)->orig_nents, pgoffset)

/** dmp_for_each_sgtable_dma_page - dmp_for_each_sg_dma_page() over nents. */
#define dmp_for_each_sgtable_dma_page(sgt, dma_iter, pgoffset)                        \
	dmp_for_each_sg_dma_page((sgt)->sgl, dma_iter, (sgt)->nents, pgoffset)

/**
 * dmp_sg_copy_buffer - copy between a linear buffer and the CPU view of a
 * scatterlist.
 * @sgl, @nents: the list and how many of its entries to use.
 * @buf, @buflen: the linear buffer (any memory).
 * @skip:        bytes of the list to skip first.
 * @to_buffer:   true: list -> @buf; false: @buf -> list.
 *
 * Returns the bytes copied: min(@buflen, list bytes - @skip), 0 if @skip is
 * past the end.  Pure CPU copies: no cache maintenance (the CPU must own the
 * buffer).  Every entry used must have a page.  Context: any.
 */
DMP_API size_t dmp_sg_copy_buffer(struct dmp_scatterlist *sgl, unsigned int nents, void *buf,
				  size_t buflen, size_t skip, bool to_buffer);

/** dmp_sg_copy_from_buffer - @buf -> list; returns bytes copied. */
DMP_API size_t dmp_sg_copy_from_buffer(struct dmp_scatterlist *sgl, unsigned int nents,
				       const void *buf, size_t buflen);
/** dmp_sg_copy_to_buffer - list -> @buf; returns bytes copied. */
DMP_API size_t dmp_sg_copy_to_buffer(struct dmp_scatterlist *sgl, unsigned int nents,
				     void *buf, size_t buflen);
/** dmp_sg_pcopy_from_buffer - @buf -> list from byte @skip of the list. */
DMP_API size_t dmp_sg_pcopy_from_buffer(struct dmp_scatterlist *sgl, unsigned int nents,
					const void *buf, size_t buflen, size_t skip);
/** dmp_sg_pcopy_to_buffer - list from byte @skip -> @buf. */
DMP_API size_t dmp_sg_pcopy_to_buffer(struct dmp_scatterlist *sgl, unsigned int nents,
				      void *buf, size_t buflen, size_t skip);
/** dmp_sg_zero_buffer - zero @buflen bytes of the list from byte @skip;
 * returns bytes zeroed. */
DMP_API size_t dmp_sg_zero_buffer(struct dmp_scatterlist *sgl, unsigned int nents,
				  size_t buflen, size_t skip);

DMP_END_DECLS

#endif /* DMAPORT_SCATTERLIST_H */
