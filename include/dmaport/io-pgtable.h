/* SPDX-License-Identifier: MIT */
/*
 * dmaport/io-pgtable.h - IO page-table formats (Linux's io-pgtable).
 *
 * IMPLEMENTERS' HEADER: for IOMMU hardware drivers (the simulated IOMMU,
 * SMMUv3) and the IOMMU core.  Not for device drivers: they use the IOMMU
 * API (<dmaport/iommu.h>) or the DMA API, never page tables.
 *
 * An IOMMU driver describes what its hardware can walk in a struct
 * dmp_io_pgtable_cfg (page sizes, input and output address sizes, whether
 * the walker snoops the CPU caches, how to invalidate its TLB) and asks for
 * a table of a given format.  It gets a struct dmp_io_pgtable_ops to map and
 * unmap with, and the cfg filled with what to program into the hardware
 * (the table base and translation control fields).
 *
 * A format is a struct dmp_io_pgtable_fmt its file defines; its header
 * declares it with its output configuration (<dmaport/io-pgtable-arm.h>:
 * DMP_ARM_64_LPAE_S1, the only one so far).
 *
 * Table memory comes from dmp_page_alloc() and is written by the CPU.  When
 * the walker is not coherent (cfg.coherent_walk false), every table and
 * every descriptor write is cleaned to the point of coherency before the
 * hardware may walk it, as on real hardware: on the simulator a table
 * written but not cleaned is invisible to an IOMMU that reads DRAM.
 *
 * Concurrency (Linux's rules): map_pages and unmap_pages on disjoint IOVA
 * ranges may run concurrently with each other and with iova_to_phys; the
 * caller (the IOMMU core, through its IOVA allocator) guarantees that no two
 * calls touch overlapping ranges at once.  Intermediate tables are installed
 * with an atomic compare-and-swap.  No call blocks; all may be made in
 * atomic context when given DMP_GFP_ATOMIC.
 */
#ifndef DMAPORT_IO_PGTABLE_H
#define DMAPORT_IO_PGTABLE_H

#include <dmaport/io-pgtable-arm.h>
#include <dmaport/iommu-prot.h>
#include <dmaport/types.h>

DMP_BEGIN_DECLS

/*
 * The IOMMU core's TLB-invalidation batch (Linux's struct iommu_iotlb_gather).
 * io-pgtable never looks inside it: it only hands it back to tlb_add_page.
 */
struct dmp_iommu_iotlb_gather;

/**
 * struct dmp_iommu_flush_ops - TLB maintenance the format asks the driver for.
 * Every callback gets the cookie given to dmp_alloc_io_pgtable_ops().  Any
 * pointer may be NULL (nothing to do: a walker without a TLB).
 *
 * @tlb_flush_all:  invalidate every translation of this table (called when
 *                  the table is freed).
 * @tlb_flush_walk: invalidate cached walks (intermediate entries) and leaves
 *                  of [iova, iova + size), in steps of @granule; called
 *                  synchronously, before a removed table's memory is freed,
 *                  so that a walker never follows a pointer into freed memory.
 * @tlb_add_page:   queue the invalidation of one leaf of size @granule at
 *                  @iova into @gather (may be NULL: invalidate now); the
 *                  IOMMU core syncs the batch after unmap returns.
 */
struct dmp_iommu_flush_ops {
	void (*tlb_flush_all)(void *cookie);
	void (*tlb_flush_walk)(dmp_addr_t iova, size_t size, size_t granule, void *cookie);
	void (*tlb_add_page)(struct dmp_iommu_iotlb_gather *gather, dmp_addr_t iova,
			     size_t granule, void *cookie);
};

/*
 * Quirks.  DMP_IO_PGTABLE_QUIRK_ARM_NS: set NS in leaf entries and NSTable in
 * table entries (the device's accesses are non-secure); as Linux.
 */
#define DMP_IO_PGTABLE_QUIRK_ARM_NS (1u << 0)

/**
 * struct dmp_io_pgtable_cfg - what the driver asks for, and what it gets.
 *
 * In (set by the IOMMU driver before dmp_alloc_io_pgtable_ops()):
 * @quirks:        DMP_IO_PGTABLE_QUIRK_*.
 * @pgsize_bitmap: page sizes the hardware supports.  The format picks a
 *                 granule from it (4K if present, else the smallest of 16K,
 *                 64K) and on return holds only the sizes that granule
 *                 gives: 4K|2M|1G, 16K|32M, or 64K|512M.
 * @ias:           input (IOVA) address bits, 32..48.
 * @oas:           output (physical) address bits: 32, 36, 40, 42, 44 or 48.
 *                 Tables are allocated below 2^oas.
 * @coherent_walk: the walker snoops the CPU caches; if false, every table
 *                 write is cleaned to the point of coherency.
 * @tlb:           TLB maintenance; may be NULL.
 * @count_ptes:    keep dmp_io_pgtable_stats.ptes_written (a per-CPU counter
 *                 update in every map and unmap); false, it stays 0.  For
 *                 benchmarks and tests: the other statistics are always kept.
 *
 * Out: each format's own fields, in a member of the union named after the
 * format and described in its header (<dmaport/io-pgtable-arm.h>:
 * @arm_lpae_s1_cfg).
 */
struct dmp_io_pgtable_cfg {
	unsigned int quirks;
	uint64_t pgsize_bitmap;
	unsigned int ias;
	unsigned int oas;
	bool coherent_walk;
	const struct dmp_iommu_flush_ops *tlb;
	bool count_ptes;

	union {
		struct dmp_io_pgtable_arm_lpae_s1_cfg arm_lpae_s1_cfg;
	};
};

/**
 * struct dmp_io_pgtable_stats - counters, for tests and benchmarks.
 * @tables:          table pages live now (the start-level table included).
 * @leaves:          leaf entries (pages and blocks) live now.
 * @tables_allocated, @tables_freed, @ptes_written: since allocation;
 *                   @ptes_written counts every descriptor store (installs
 *                   and clears, leaves and tables) when cfg.count_ptes
 *                   asked for it, else it is 0.
 */
struct dmp_io_pgtable_stats {
	size_t tables;
	size_t leaves;
	uint64_t tables_allocated;
	uint64_t tables_freed;
	uint64_t ptes_written;
};

/**
 * struct dmp_io_pgtable_ops - operations on one page table.
 *
 * @map_pages: map @pgcount pages of @pgsize bytes at @iova to @paddr
 *	onwards, with @prot (DMP_IOMMU_*; READ or WRITE must be set).
 *	@pgsize must be one size of cfg.pgsize_bitmap; @iova and @paddr
 *	aligned to it.  Intermediate tables are allocated with @gfp.  Unlike
 *	Linux (which may stop at a table boundary and let the core loop), all
 *	@pgcount pages are mapped on success.  *@mapped receives the bytes
 *	mapped, also on failure (the pages before the failing one stay
 *	mapped; the caller unmaps them).  Returns:
 *	  0        all mapped;
 *	  -EINVAL  bad @pgsize, misaligned @iova/@paddr, @pgcount 0, no access
 *	           in @prot;
 *	  -ERANGE  the range goes beyond 2^ias (IOVA) or 2^oas (@paddr), as
 *	           Linux's arm_lpae_map_pages;
 *	  -EEXIST  something is mapped there already (nothing is overwritten;
 *	           an empty table left by earlier unmaps is replaced by a block);
 *	  -ENOMEM  a table could not be allocated (a retry may succeed).
 *	New descriptors are visible to the walker (cleaned, then a write
 *	barrier) on return; no TLB maintenance is needed for a new mapping.
 *
 * @unmap_pages: unmap @pgcount pages of @pgsize bytes from @iova.  Returns
 *	the bytes unmapped, stopping at the first page not mapped (0 if
 *	nothing was).  A leaf entry of @pgsize is cleared and queued with
 *	tlb_add_page(@gather); a table entry at the level of @pgsize
 *	(smaller pages beneath) is cleared as a whole, its walks flushed
 *	(tlb_flush_walk) and its tables freed: as Linux.  Unmapping part of a
 *	larger block splits the block into a table of next-level leaves with
 *	the same attributes (recursively: a 4K unmap in a 1G block makes one
 *	table of 2M blocks and one of 4K pages), without break-before-make,
 *	and flushes the block's walks (tlb_flush_walk); as Linux's
 *	arm_lpae_split_blk_unmap before 6.x.  The split's table is allocated
 *	with DMP_GFP_ATOMIC; if that fails, the unmap stops there (returns
 *	the bytes unmapped before it) and the block is intact.  Misaligned
 *	@iova or a bad @pgsize return 0.  Intermediate tables that become
 *	empty are kept (as Linux) until the table is freed or a block mapping
 *	replaces them.
 *
 * @iova_to_phys: the physical address @iova translates to, in *@phys.
 *	Returns 0, -ENOENT (not mapped) or -ERANGE (beyond 2^ias).  (Linux
 *	returns 0 for "not mapped"; physical address 0 is valid here.)
 *
 * @check: the consistency walker: walks every table, checks each
 *	descriptor is a valid encoding at its level, table pointers are
 *	aligned, below 2^oas and point to allocated pages, and fills @stats
 *	(may be NULL).  Returns 0 or -EIO (the first problem is logged).  Not
 *	safe against concurrent map/unmap.
 */
struct dmp_io_pgtable_ops {
	int (*map_pages)(struct dmp_io_pgtable_ops *ops, dmp_addr_t iova, dmp_phys_t paddr,
			 size_t pgsize, size_t pgcount, int prot, dmp_gfp_t gfp, size_t *mapped);
	size_t (*unmap_pages)(struct dmp_io_pgtable_ops *ops, dmp_addr_t iova, size_t pgsize,
			      size_t pgcount, struct dmp_iommu_iotlb_gather *gather);
	int (*iova_to_phys)(struct dmp_io_pgtable_ops *ops, dmp_addr_t iova, dmp_phys_t *phys);
	int (*check)(struct dmp_io_pgtable_ops *ops, struct dmp_io_pgtable_stats *stats);
};

/**
 * struct dmp_io_pgtable - what every format's table starts with (Linux's
 * struct io_pgtable).  Formats embed it; the generic code reaches it from
 * the ops with dmp_io_pgtable_ops_to_pgtable().
 */
struct dmp_io_pgtable {
	const struct dmp_io_pgtable_fmt *fmt;
	void *cookie;
	struct dmp_io_pgtable_cfg cfg;
	struct dmp_io_pgtable_ops ops;
};

static inline struct dmp_io_pgtable *dmp_io_pgtable_ops_to_pgtable(struct dmp_io_pgtable_ops *ops)
{
	return (struct dmp_io_pgtable *)((char *)ops - offsetof(struct dmp_io_pgtable, ops));
}

/**
 * struct dmp_io_pgtable_fmt - a page-table format: its file defines one
 * (DMP_API) and its header declares it, with a short name for callers
 * (DMP_ARM_64_LPAE_S1).  No table lists the formats: a format is its file,
 * its header and its member of dmp_io_pgtable_cfg's output union.
 * @name:  for messages ("arm-64-lpae-s1").
 * @alloc: build an empty table for @cfg (validate it, restrict its
 *         pgsize_bitmap, fill its output fields); returns 0, -EINVAL or
 *         -ENOMEM, and the table in *@out.
 * @free:  free every table page and the structure.  No TLB maintenance:
 *         the generic code has done it.
 */
struct dmp_io_pgtable_fmt {
	const char *name;
	int (*alloc)(struct dmp_io_pgtable_cfg *cfg, void *cookie, struct dmp_io_pgtable **out);
	void (*free)(struct dmp_io_pgtable *iop);
};

/**
 * dmp_alloc_io_pgtable_ops - allocate an empty page table of format @fmt.
 * @fmt:    the format.
 * @cfg:    the hardware's description (in) and the values to program (out);
 *          copied into the table, so it may live on the caller's stack.
 * @cookie: passed to every @cfg->tlb callback.
 * @ops:    receives the table's operations.
 *
 * Returns 0, -EINVAL (no format, or @cfg impossible for it: no usable
 * granule in pgsize_bitmap, ias or oas out of range) or -ENOMEM.  Context:
 * may be called in atomic context; never blocks.
 */
DMP_API int dmp_alloc_io_pgtable_ops(const struct dmp_io_pgtable_fmt *fmt,
				     struct dmp_io_pgtable_cfg *cfg, void *cookie,
				     struct dmp_io_pgtable_ops **ops);

/**
 * dmp_free_io_pgtable_ops - invalidate the TLB (tlb_flush_all), then free
 * every table and @ops.  The hardware must no longer walk the table
 * (detach first).  NULL is ignored.
 */
DMP_API void dmp_free_io_pgtable_ops(struct dmp_io_pgtable_ops *ops);

/*
 * Forwarders for IOMMU drivers whose paging domains are one io-pgtable
 * each: the driver sets domain->pgtbl in its domain_init and puts these in
 * its struct dmp_iommu_ops, instead of writing the same three wrappers (a
 * driver with more to do around a call, e.g. a sync after an unmap without a
 * gather, keeps its own for that one).  Same contracts as the ops they
 * forward to (struct dmp_io_pgtable_ops); iova_to_phys returns -ENOENT for
 * any address the table does not map (beyond 2^ias too), as the IOMMU API's
 * dmp_iommu_iova_to_phys() documents.
 */
struct dmp_iommu_domain;
DMP_API int dmp_io_pgtable_domain_map_pages(struct dmp_iommu_domain *domain, dmp_addr_t iova,
					    dmp_phys_t paddr, size_t pgsize, size_t pgcount,
					    int prot, dmp_gfp_t gfp, size_t *mapped);
DMP_API size_t dmp_io_pgtable_domain_unmap_pages(struct dmp_iommu_domain *domain, dmp_addr_t iova,
						 size_t pgsize, size_t pgcount,
						 struct dmp_iommu_iotlb_gather *gather);
DMP_API int dmp_io_pgtable_domain_iova_to_phys(struct dmp_iommu_domain *domain, dmp_addr_t iova,
					       dmp_phys_t *phys);

/**
 * dmp_io_pgtable_check - run the format's consistency walker (ops->check).
 * Returns 0 or -EIO; fills @stats if not NULL.
 */
DMP_API int dmp_io_pgtable_check(struct dmp_io_pgtable_ops *ops,
				 struct dmp_io_pgtable_stats *stats);

DMP_END_DECLS

#endif /* DMAPORT_IO_PGTABLE_H */
