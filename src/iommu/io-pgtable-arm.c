/* SPDX-License-Identifier: MIT */
/*
 * io-pgtable-arm.c - the Arm LPAE stage-1 64-bit page-table format
 * (VMSAv8-64 translation tables, as an SMMU walks them for a stage-1
 * context).  The facts come from the Arm ARM (D8, "The AArch64 Virtual
 * Memory System Architecture") and Linux's drivers/iommu/io-pgtable-arm.c;
 * the code is dmaport's own.
 *
 * Geometry.  A granule of 2^pg_shift bytes (4K, 16K, 64K) is also the size
 * of a table; a table holds 2^(pg_shift - 3) eight-byte descriptors, so
 * each level resolves bits_per_level = pg_shift - 3 bits of the IOVA.
 * Level 3 maps pages; levels 1 and 2 (4K) or 2 only (16K, 64K; the level-1
 * blocks of those granules need 52-bit addressing) may map blocks.  The walk
 * starts at the lowest level needed to cover ias bits, and that first table
 * (the "pgd") may be smaller than a granule: it resolves only what is left.
 *
 * Descriptors (Arm ARM D8.3):
 *   bits[1:0]  0b11 table (levels 0-2) or page (level 3); 0b01 block;
 *              bit 0 clear: invalid
 *   [47:pg_shift] next-level table address / output address
 *   leaf:  [4:2] AttrIndx  [5] NS  [7:6] AP[2:1]  [9:8] SH  [10] AF  [11] nG
 *          [53] PXN  [54] UXN
 *   table: [63] NSTable (APTable / XNTable never used: no hierarchical
 *          restrictions)
 *
 * Non-coherent walkers.  The table memory is normal cacheable memory the
 * CPU writes; an SMMU that does not snoop reads DRAM.  So each new table is
 * zeroed and cleaned before a pointer to it is published, each run of
 * descriptor stores is cleaned before the call returns, and a cleared table
 * pointer is cleaned (and the walk cache flushed) before the table is freed.
 *
 * Lifetimes (as Linux): intermediate tables are allocated by map and kept
 * when unmap empties them; they go when an unmap of their whole range at
 * the level above clears the pointer, when a block mapping replaces an
 * empty one, or with the whole tree.  Unmapping part of a block splits it.
 *
 * The table cache.  The IOVAs a DMA domain hands out cluster (the IOVA
 * allocator's per-CPU caches return the ranges just freed), so most maps
 * and unmaps land in a table some recent call already walked to.  Each
 * level below the start level has a small direct-mapped cache of the tables
 * walked to, keyed by the IOVA range a table covers: a hit goes straight to
 * the descriptor, with no walk.  An entry is one 64-bit word (the range's
 * tag and the table's CPU address), so that concurrent callers, which may
 * fill the same entry, never see half of one.  An entry names a table that
 * is installed: a table is dropped from the cache before it is freed, and
 * the callers' rule (no two calls on overlapping ranges at once) means no
 * other call is using it then.
 */
#include <stdatomic.h>
#include <string.h>

#include <dmaport/dma-direction.h>
#include <dmaport/io-pgtable.h>

#include "../internal.h"
#include "../slot-lock.h"

#define LPAE_MAX_LEVELS 4
#define LPAE_LAST_LEVEL 3
#define LPAE_MAX_ADDR_BITS 48
#define LPAE_ADDR_MASK ((UINT64_C(1) << LPAE_MAX_ADDR_BITS) - 1)

#define PTE_TYPE_MASK UINT64_C(3)
#define PTE_TYPE_BLOCK UINT64_C(1)
#define PTE_TYPE_TABLE UINT64_C(3) /* levels 0-2 */
#define PTE_TYPE_PAGE UINT64_C(3)  /* level 3 */
#define PTE_VALID UINT64_C(1)
#define PTE_ATTRINDX_SHIFT 2
#define PTE_NS (UINT64_C(1) << 5)
#define PTE_AP_UNPRIV (UINT64_C(1) << 6) /* AP[1]: EL0 (unprivileged) access */
#define PTE_AP_RDONLY (UINT64_C(1) << 7) /* AP[2]: read-only */
#define PTE_SH_OS (UINT64_C(2) << 8)
#define PTE_SH_IS (UINT64_C(3) << 8)
#define PTE_AF (UINT64_C(1) << 10)
#define PTE_NG (UINT64_C(1) << 11)
#define PTE_XN (UINT64_C(3) << 53) /* PXN and UXN */
#define PTE_NSTABLE (UINT64_C(1) << 63)

#define MAIR_ATTR_NC UINT64_C(0x44)    /* normal, inner/outer non-cacheable */
#define MAIR_ATTR_WBRWA UINT64_C(0xff) /* normal, inner/outer WB RW-allocate */
#define MAIR_ATTR_DEVICE UINT64_C(0x04) /* device-nGnRE */

#define SZ_4K (UINT64_C(1) << 12)
#define SZ_16K (UINT64_C(1) << 14)
#define SZ_64K (UINT64_C(1) << 16)
#define SZ_2M (UINT64_C(1) << 21)
#define SZ_32M (UINT64_C(1) << 25)
#define SZ_512M (UINT64_C(1) << 29)
#define SZ_1G (UINT64_C(1) << 30)

#define LPAE_NO_LEVEL 0xff

/* What a one-leaf store needs besides the store (struct lpae_pgtable's
 * extra): counting (cfg.count_ptes), cleaning (a walker that does not
 * snoop). */
#define LPAE_EXTRA_COUNT 1u
#define LPAE_EXTRA_CLEAN 2u

/* The table cache (above): 2^LPAE_TCACHE_BITS entries per level.  An entry
 * is tag << LPAE_TCACHE_TAG_SHIFT | va >> 12; a table's CPU address below
 * 2^48 and 4 KiB aligned (page memory) fits in 36 bits, a tag in the other
 * 28 (the IOVA above the range a table covers, at most 48 - 21 bits).  The
 * empty entry's tag is all ones, which no IOVA below 2^48 has. */
#define LPAE_TCACHE_BITS 6
#define LPAE_TCACHE_SIZE (1u << LPAE_TCACHE_BITS)
#define LPAE_TCACHE_TAG_SHIFT 36
#define LPAE_TCACHE_EMPTY UINT64_MAX
#define LPAE_PROT_BITS (DMP_IOMMU_READ | DMP_IOMMU_WRITE | DMP_IOMMU_CACHE | DMP_IOMMU_NOEXEC | \
			DMP_IOMMU_MMIO | DMP_IOMMU_PRIV)
#define LPAE_PROT_COMBOS (LPAE_PROT_BITS + 1)

/* A descriptor slot in table memory.  Installs race through CAS. */
typedef _Atomic uint64_t lpae_slot;

struct lpae_pgtable {
	struct dmp_io_pgtable iop;

	/* Constant after allocation. */
	unsigned int pg_shift;       /* log2 of the granule */
	unsigned int bits_per_level; /* pg_shift - 3 */
	unsigned int start_level;
	unsigned int pgd_bits;       /* index bits of the start-level table */
	unsigned int table_order;    /* page order of a granule-sized table */
	unsigned int pgd_order;
	dmp_phys_t pgd_phys;
	lpae_slot *pgd;
	dmp_phys_t oas_mask;
	dmp_addr_t ias_mask;
	/* per level, computed once: the IOVA shift of its entries and the
	 * index mask of its tables (the walks read these, no arithmetic) */
	uint8_t shift_of_level[LPAE_MAX_LEVELS];
	size_t index_mask[LPAE_MAX_LEVELS];
	uint64_t table_addr_mask; /* a table descriptor's output address bits */
	/* the level whose block is 2^shift bytes, or LPAE_NO_LEVEL */
	uint8_t level_of_shift[64];
	/* stage-1 attributes for each combination of the DMP_IOMMU_* bits */
	uint64_t prot_pte[LPAE_PROT_COMBOS];
	/* per level, the IOVA shift of the range one of its tables covers */
	uint8_t span_shift[LPAE_MAX_LEVELS];
	/* per level, the type bits of its leaves (page or block) */
	uint64_t leaf_type[LPAE_MAX_LEVELS];
	/* where the tables' memory is, for the walk's phys -> virt: the region
	 * of the start-level table, looked up once (others: the general way) */
	dmp_phys_t tbl_phys;
	uint8_t *tbl_va;
	size_t tbl_size;
	/* what the one-leaf paths read of cfg, next to the rest they read:
	 * cfg.coherent_walk, cfg.count_ptes, cfg.tlb->tlb_add_page (NULL when
	 * there is none) and the cookie */
	bool coherent;
	bool count;
	uint8_t extra; /* LPAE_EXTRA_*: the one-leaf paths' rare work, one test */
	void (*add_page)(struct dmp_iommu_iotlb_gather *gather, dmp_addr_t iova, size_t granule,
			 void *cookie);
	void *cookie;

	/* Written by map, unmap and iova_to_phys: the table cache. */
	_Alignas(64) _Atomic uint64_t tcache[LPAE_MAX_LEVELS][LPAE_TCACHE_SIZE];

	/* Written by map/unmap (statistics only).  Descriptor stores are
	 * counted per CPU, each counter on its own cache line: one shared
	 * counter written by every map and unmap made two CPUs mapping at
	 * once bounce its line between them (the dmaport-bench iommu figure
	 * for two threads). */
	struct {
		_Alignas(64) atomic_uint_fast64_t n;
	} ptes_written[DMP_MAX_CPUS];
	atomic_uint_fast64_t tables_allocated;
	atomic_uint_fast64_t tables_freed;
};

static inline struct lpae_pgtable *to_lpae(struct dmp_io_pgtable_ops *ops)
{
	return (struct lpae_pgtable *)dmp_io_pgtable_ops_to_pgtable(ops);
}

static inline unsigned int lvl_shift_calc(const struct lpae_pgtable *d, unsigned int lvl)
{
	return d->pg_shift + (LPAE_LAST_LEVEL - lvl) * d->bits_per_level;
}

static inline unsigned int lvl_shift(const struct lpae_pgtable *d, unsigned int lvl)
{
	return d->shift_of_level[lvl];
}

static inline uint64_t lvl_block_size(const struct lpae_pgtable *d, unsigned int lvl)
{
	return UINT64_C(1) << lvl_shift(d, lvl);
}

static inline size_t lvl_entries(const struct lpae_pgtable *d, unsigned int lvl)
{
	return d->index_mask[lvl] + 1;
}

static inline size_t lvl_index(const struct lpae_pgtable *d, dmp_addr_t iova, unsigned int lvl)
{
	return (size_t)(iova >> lvl_shift(d, lvl)) & d->index_mask[lvl];
}

static inline bool pte_is_table(uint64_t pte, unsigned int lvl)
{
	return lvl < LPAE_LAST_LEVEL && (pte & PTE_TYPE_MASK) == PTE_TYPE_TABLE;
}

static inline bool pte_is_leaf(uint64_t pte, unsigned int lvl)
{
	return (pte & PTE_TYPE_MASK) == (lvl == LPAE_LAST_LEVEL ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK);
}

static inline dmp_phys_t pte_table_phys(const struct lpae_pgtable *d, uint64_t pte)
{
	return pte & d->table_addr_mask;
}

static inline lpae_slot *pte_table_va(const struct lpae_pgtable *d, uint64_t pte)
{
	/* tables are platform memory (dmp_page_alloc): usually in the region
	 * of the first one, one subtraction; else the inline lookup */
	dmp_phys_t phys = pte_table_phys(d, pte);
	if (dmp__likely(phys - d->tbl_phys < d->tbl_size))
		return (lpae_slot *)(void *)(d->tbl_va + (phys - d->tbl_phys));
	struct dmp__region *r = dmp__region_of_phys(phys);
	DMP_ASSERT(r);
	return (lpae_slot *)(void *)(r->va + (phys - r->phys));
}

/* --- the table cache ------------------------------------------------------ */

static inline _Atomic uint64_t *tcache_entry(struct lpae_pgtable *d, unsigned int lvl,
					      uint64_t tag)
{
	return &d->tcache[lvl][tag & (LPAE_TCACHE_SIZE - 1)];
}

/* The installed table at @lvl covering @iova, if the cache has it (an
 * entry whose tag matches always names a table: the one-leaf paths test
 * only the tag).  Acquire: the table's zeroing (published by the walk that
 * cached it) is seen before its descriptors are read. */
static inline bool tcache_find(struct lpae_pgtable *d, unsigned int lvl, dmp_addr_t iova,
			       lpae_slot **table)
{
	uint64_t tag = iova >> d->span_shift[lvl];
	uint64_t e = atomic_load_explicit(tcache_entry(d, lvl, tag), memory_order_acquire);
	if (e >> LPAE_TCACHE_TAG_SHIFT != tag)
		return false;
	*table = (lpae_slot *)(uintptr_t)(e << 12 & ((UINT64_C(1) << 48) - 1));
	return true;
}

static inline lpae_slot *tcache_get(struct lpae_pgtable *d, unsigned int lvl, dmp_addr_t iova)
{
	lpae_slot *table;
	return tcache_find(d, lvl, iova, &table) ? table : NULL;
}

static inline void tcache_put(struct lpae_pgtable *d, unsigned int lvl, dmp_addr_t iova,
			      lpae_slot *table)
{
	uint64_t va = (uint64_t)(uintptr_t)table, tag = iova >> d->span_shift[lvl];
	if (dmp__unlikely(va >> 48))
		return; /* an address the entry cannot hold */
	atomic_store_explicit(tcache_entry(d, lvl, tag), tag << LPAE_TCACHE_TAG_SHIFT | va >> 12,
			      memory_order_release);
}

/* @table at @lvl, covering @iova, is about to be freed: out of the cache.
 * An entry another caller just filled for another range may be lost with
 * it: only a miss. */
static void tcache_forget(struct lpae_pgtable *d, unsigned int lvl, dmp_addr_t iova,
			  lpae_slot *table)
{
	uint64_t tag = iova >> d->span_shift[lvl];
	_Atomic uint64_t *e = tcache_entry(d, lvl, tag);
	uint64_t want = tag << LPAE_TCACHE_TAG_SHIFT | (uint64_t)(uintptr_t)table >> 12;
	if (atomic_load_explicit(e, memory_order_relaxed) == want)
		atomic_store_explicit(e, LPAE_TCACHE_EMPTY, memory_order_relaxed);
}

static inline uint64_t slot_load(lpae_slot *s)
{
	/* acquire: a table seen through a pointer is seen initialised */
	return atomic_load_explicit(s, memory_order_acquire);
}

/*
 * Make @n descriptors from @s visible to a walker that does not snoop: clean
 * the inner and the outer cache to the point of coherency (what Linux does
 * with dma_sync_single_for_device on the table's streaming mapping).  Out of
 * line: a coherent walker (the test inlined in lpae_sync) needs none.
 */
static DMP__NOINLINE void lpae_clean(lpae_slot *s, size_t n)
{
	dmp_phys_t phys;
	int err = dmp_virt_to_phys((const void *)s, &phys);
	DMP_ASSERT(err == 0);
	(void)err;
	dmp_arch_sync_for_device(phys, (const void *)s, n * sizeof(*s), DMP_TO_DEVICE);
}

static inline void lpae_sync(const struct lpae_pgtable *d, lpae_slot *s, size_t n)
{
	if (dmp__unlikely(!d->coherent) && n)
		lpae_clean(s, n);
}

/* @n descriptor stores, counted once per call rather than per store, and
 * only when cfg.count_ptes asked for it (a statistic costs the map and
 * unmap paths nothing unless asked for).  A load and a store, not a locked
 * add: the counter is this CPU's.  Where more threads than DMP_MAX_CPUS
 * share a slot, a count may be lost: it is a statistic, nothing depends on
 * it. */
static inline void count_ptes(struct lpae_pgtable *d, size_t n)
{
	if (dmp__likely(!d->count))
		return;
	atomic_uint_fast64_t *c = &d->ptes_written[dmp_cpu_slot_index(dmp_cpu_slot())].n;
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

/* The one-leaf paths' rare work after their one store (d->extra set). */
static DMP__NOINLINE void lpae_one_leaf_extra(struct lpae_pgtable *d, lpae_slot *slot)
{
	count_ptes(d, 1);
	lpae_sync(d, slot, 1);
}

/* A descriptor store; the caller counts it (count_ptes). */
static inline void slot_store(lpae_slot *s, uint64_t pte)
{
	atomic_store_explicit(s, pte, memory_order_relaxed);
}

/* A zeroed table, cleaned so that a non-coherent walker reads zeroes too
 * (the page may hold an old table's descriptors in DRAM). */
static int lpae_table_alloc(struct lpae_pgtable *d, unsigned int order, dmp_gfp_t gfp,
			    dmp_phys_t *phys, lpae_slot **va)
{
	int err = dmp_page_alloc(order, gfp | DMP_GFP_ZERO, d->oas_mask, phys);
	if (err)
		return err;
	*va = dmp_phys_to_virt(*phys);
	lpae_sync(d, *va, (DMP_PAGE_SIZE << order) / sizeof(lpae_slot));
	atomic_fetch_add_explicit(&d->tables_allocated, 1, memory_order_relaxed);
	return 0;
}

static void lpae_table_free(struct lpae_pgtable *d, lpae_slot *va, unsigned int order)
{
	dmp_phys_t phys;
	int err = dmp_virt_to_phys((const void *)va, &phys);
	DMP_ASSERT(err == 0);
	(void)err;
	dmp_page_free(phys, order);
	atomic_fetch_add_explicit(&d->tables_freed, 1, memory_order_relaxed);
}

/* Free the table at @lvl covering the IOVAs from @base, and everything
 * beneath it.  Nobody walks it. */
static void lpae_free_tree(struct lpae_pgtable *d, lpae_slot *table, unsigned int lvl,
			   dmp_addr_t base)
{
	if (lvl < LPAE_LAST_LEVEL) {
		size_t n = lvl_entries(d, lvl);
		for (size_t i = 0; i < n; i++) {
			uint64_t pte = atomic_load_explicit(&table[i], memory_order_relaxed);
			if (pte_is_table(pte, lvl))
				lpae_free_tree(d, pte_table_va(d, pte), lvl + 1,
					       base + ((dmp_addr_t)i << lvl_shift(d, lvl)));
		}
	}
	if (lvl != d->start_level)
		tcache_forget(d, lvl, base, table);
	lpae_table_free(d, table, lvl == d->start_level ? d->pgd_order : d->table_order);
}

/* True if the table at @lvl maps nothing (only empty tables beneath). */
static bool lpae_table_empty(struct lpae_pgtable *d, lpae_slot *table, unsigned int lvl)
{
	size_t n = lvl_entries(d, lvl);
	for (size_t i = 0; i < n; i++) {
		uint64_t pte = slot_load(&table[i]);
		if (!pte)
			continue;
		if (!pte_is_table(pte, lvl) || !lpae_table_empty(d, pte_table_va(d, pte), lvl + 1))
			return false;
	}
	return true;
}

static void tlb_flush_walk(struct lpae_pgtable *d, dmp_addr_t iova, size_t size)
{
	const struct dmp_iommu_flush_ops *tlb = d->iop.cfg.tlb;
	if (tlb && tlb->tlb_flush_walk)
		tlb->tlb_flush_walk(iova, size, (size_t)1 << d->pg_shift, d->iop.cookie);
}

/*
 * Find the table at level @lvl that holds @iova's entry, allocating the
 * missing tables on the way, and cache it.  Returns 0, -ENOMEM, or -EEXIST
 * if a block already covers @iova above @lvl.  The callers looked in the
 * cache first.
 */
static int lpae_walk_alloc(struct lpae_pgtable *d, dmp_addr_t iova, unsigned int lvl,
			   dmp_gfp_t gfp, lpae_slot **out)
{
	lpae_slot *table = d->pgd;
	for (unsigned int l = d->start_level; l < lvl; l++) {
		lpae_slot *slot = &table[lvl_index(d, iova, l)];
		uint64_t pte = slot_load(slot);
		if (!pte) {
			dmp_phys_t phys;
			lpae_slot *child;
			int err = lpae_table_alloc(d, d->table_order, gfp, &phys, &child);
			if (err)
				return err;
			uint64_t want = phys | PTE_TYPE_TABLE;
			if (d->iop.cfg.quirks & DMP_IO_PGTABLE_QUIRK_ARM_NS)
				want |= PTE_NSTABLE;
			uint64_t expected = 0;
			/* release: the zeroed table before the pointer to it */
			if (atomic_compare_exchange_strong_explicit(slot, &expected, want,
								    memory_order_release,
								    memory_order_acquire)) {
				count_ptes(d, 1);
				lpae_sync(d, slot, 1);
				pte = want;
			} else {
				/* Another mapper installed one first: use theirs. */
				lpae_table_free(d, child, d->table_order);
				pte = expected;
			}
		}
		if (!pte_is_table(pte, l))
			return -EEXIST;
		table = pte_table_va(d, pte);
	}
	tcache_put(d, lvl, iova, table);
	*out = table;
	return 0;
}

/* Linux's arm_lpae_prot_to_pte for stage 1 (computed once per combination
 * at allocation: the map path reads d->prot_pte). */
static uint64_t lpae_prot_to_pte(const struct lpae_pgtable *d, int prot)
{
	uint64_t pte = PTE_NG | PTE_AF;

	/* Stage 1 has no write-only: WRITE alone maps read-write. */
	if (!(prot & DMP_IOMMU_WRITE) && (prot & DMP_IOMMU_READ))
		pte |= PTE_AP_RDONLY;
	if (!(prot & DMP_IOMMU_PRIV))
		pte |= PTE_AP_UNPRIV;

	if (prot & DMP_IOMMU_MMIO)
		pte |= (uint64_t)DMP_ARM_LPAE_MAIR_IDX_DEV << PTE_ATTRINDX_SHIFT;
	else if (prot & DMP_IOMMU_CACHE)
		pte |= (uint64_t)DMP_ARM_LPAE_MAIR_IDX_CACHE << PTE_ATTRINDX_SHIFT;
	else
		pte |= (uint64_t)DMP_ARM_LPAE_MAIR_IDX_NC << PTE_ATTRINDX_SHIFT;

	/* Cacheable accesses coherent with the CPUs (inner shareable); the
	 * rest outer shareable, as Linux. */
	pte |= (prot & DMP_IOMMU_CACHE) ? PTE_SH_IS : PTE_SH_OS;

	if (prot & DMP_IOMMU_NOEXEC)
		pte |= PTE_XN;
	if (d->iop.cfg.quirks & DMP_IO_PGTABLE_QUIRK_ARM_NS)
		pte |= PTE_NS;
	return pte;
}

/* @count pages of 2^@shift bytes from @addr (aligned to them) fit below
 * @limit + 1: no multiplication that could wrap, one shift. */
static inline bool lpae_range_ok(uint64_t addr, unsigned int shift, uint64_t count,
				 uint64_t limit)
{
	return addr <= limit && count <= (limit - addr + 1) >> shift; /* limit < 2^48 */
}

/*
 * An empty table sits where a block goes (left by earlier unmaps): remove it
 * break-before-make, so that no walker or walk cache sees both.
 */
static void lpae_replace_empty_table(struct lpae_pgtable *d, lpae_slot *slot, uint64_t pte,
				     unsigned int lvl, dmp_addr_t iova)
{
	slot_store(slot, 0);
	count_ptes(d, 1);
	lpae_sync(d, slot, 1);
	tlb_flush_walk(d, iova, lvl_block_size(d, lvl));
	lpae_free_tree(d, pte_table_va(d, pte), lvl + 1, iova);
}

/* The general case of lpae_map_pages: any count, any state of the tables.
 * Kept out of line so that the one-leaf case stays small. */
static DMP__NOINLINE int lpae_map_slow(struct lpae_pgtable *d, dmp_addr_t iova, dmp_phys_t paddr,
				       size_t pgsize, size_t pgcount, int prot, dmp_gfp_t gfp,
				       size_t *mapped)
{
	const struct dmp_io_pgtable_cfg *cfg = &d->iop.cfg;
	*mapped = 0;

	/* pgsize one of the bitmap's sizes (each a power of two) */
	if ((pgsize & (pgsize - 1)) || !(pgsize & cfg->pgsize_bitmap) || !pgcount)
		return -EINVAL;
	if (((iova | paddr) & (pgsize - 1)) != 0)
		return -EINVAL;
	if (!(prot & (DMP_IOMMU_READ | DMP_IOMMU_WRITE)))
		return -EINVAL;
	unsigned int shift = (unsigned int)__builtin_ctzll(pgsize);
	if (!lpae_range_ok(iova, shift, pgcount, d->ias_mask) ||
	    !lpae_range_ok(paddr, shift, pgcount, d->oas_mask))
		return -ERANGE;

	unsigned int lvl = d->level_of_shift[shift];
	DMP_ASSERT(lvl != LPAE_NO_LEVEL);
	uint64_t leaf = d->prot_pte[prot & LPAE_PROT_BITS] |
			(lvl == LPAE_LAST_LEVEL ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK);
	int err = 0;

	while (pgcount) {
		lpae_slot *table = tcache_get(d, lvl, iova);
		if (dmp__unlikely(!table)) {
			err = lpae_walk_alloc(d, iova, lvl, gfp, &table);
			if (err)
				break;
		}
		size_t idx = lvl_index(d, iova, lvl);
		size_t n = DMP_MIN(pgcount, lvl_entries(d, lvl) - idx);
		size_t i;
		for (i = 0; i < n; i++) {
			lpae_slot *slot = &table[idx + i];
			uint64_t old = slot_load(slot);
			if (old) {
				if (!pte_is_table(old, lvl) ||
				    !lpae_table_empty(d, pte_table_va(d, old), lvl + 1)) {
					err = -EEXIST; /* never overwrite: unmap first */
					break;
				}
				lpae_replace_empty_table(d, slot, old, lvl, iova + i * pgsize);
			}
			slot_store(slot, leaf | (paddr + i * pgsize));
		}
		count_ptes(d, i);
		lpae_sync(d, &table[idx], i);
		*mapped += i * pgsize;
		if (err)
			break;
		iova += n * pgsize;
		paddr += n * pgsize;
		pgcount -= n;
	}
	/* The descriptors are stored (and cleaned) before anything can start
	 * a walk of the new IOVA (Linux: wmb() in arm_lpae_map_pages). */
	DMP__PLAT_CALL0(wmb);
	return err;
}

/* One leaf of a size the table maps, aligned and in range: what most calls
 * are (a DMA map of a page), checked in a few instructions.  A leaf of
 * 2^n bytes at an IOVA aligned to it and below 2^ias ends below 2^ias. */
static inline bool lpae_one_leaf_ok(const struct lpae_pgtable *d, dmp_addr_t iova,
				    dmp_phys_t paddr, size_t pgsize, size_t pgcount)
{
	return pgcount == 1 && !(pgsize & (pgsize - 1)) && (pgsize & d->iop.cfg.pgsize_bitmap) &&
	       !((iova | paddr) & (pgsize - 1)) && iova <= d->ias_mask && paddr <= d->oas_mask;
}

static int lpae_map_pages(struct dmp_io_pgtable_ops *ops, dmp_addr_t iova, dmp_phys_t paddr,
			  size_t pgsize, size_t pgcount, int prot, dmp_gfp_t gfp, size_t *mapped)
{
	struct lpae_pgtable *d = to_lpae(ops);
	DMP_ASSERT(mapped);
	/* The fast path: one leaf, into an empty entry of a cached table. */
	if (dmp__likely(lpae_one_leaf_ok(d, iova, paddr, pgsize, pgcount) &&
			(prot & (DMP_IOMMU_READ | DMP_IOMMU_WRITE)))) {
		unsigned int lvl = d->level_of_shift[(unsigned int)__builtin_ctzll(pgsize)];
		lpae_slot *table;
		if (dmp__likely(tcache_find(d, lvl, iova, &table))) {
			lpae_slot *slot = &table[lvl_index(d, iova, lvl)];
			if (dmp__likely(!slot_load(slot))) {
				slot_store(slot, d->prot_pte[prot & LPAE_PROT_BITS] |
						 d->leaf_type[lvl] | paddr);
				if (dmp__unlikely(d->extra))
					lpae_one_leaf_extra(d, slot);
				*mapped = pgsize;
				DMP__PLAT_CALL0(wmb); /* as lpae_map_slow */
				return 0;
			}
		}
	}
	return lpae_map_slow(d, iova, paddr, pgsize, pgcount, prot, gfp, mapped);
}

/*
 * Replace the block @pte in @slot at level @lvl by a table of next-level
 * leaves mapping the same addresses with the same attributes, so that part
 * of it can be unmapped.  Linux did this (arm_lpae_split_blk_unmap) until
 * 6.x, where a partial unmap of a block became an error; dmaport keeps it
 * for unmanaged domains whose users unmap part of what they mapped.  As in
 * Linux, the table replaces the block without break-before-make, so the
 * rest of the block stays mapped throughout; the block's cached
 * translations are then invalidated with a walk flush of the whole block.
 * Returns 0, -ENOMEM (the block is left as it was) or -EINVAL (the smaller
 * size is not one the hardware supports).
 */
static int lpae_split_block(struct lpae_pgtable *d, lpae_slot *slot, uint64_t pte,
			    unsigned int lvl, dmp_addr_t iova)
{
	unsigned int child_lvl = lvl + 1;
	uint64_t child_size = lvl_block_size(d, child_lvl);
	if (!(child_size & d->iop.cfg.pgsize_bitmap))
		return -EINVAL;

	dmp_phys_t table_phys;
	lpae_slot *table;
	int err = lpae_table_alloc(d, d->table_order, DMP_GFP_ATOMIC, &table_phys, &table);
	if (err)
		return err;
	/* Keep every attribute; only the type and the address change. */
	uint64_t attrs = pte & ~(LPAE_ADDR_MASK & ~UINT64_C(0xfff)) & ~PTE_TYPE_MASK;
	attrs |= child_lvl == LPAE_LAST_LEVEL ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK;
	dmp_phys_t out = pte & LPAE_ADDR_MASK & ~(lvl_block_size(d, lvl) - 1);
	size_t n = lvl_entries(d, child_lvl);
	for (size_t i = 0; i < n; i++)
		slot_store(&table[i], attrs | (out + i * child_size));
	count_ptes(d, n);
	lpae_sync(d, table, n);

	uint64_t want = table_phys | PTE_TYPE_TABLE;
	if (d->iop.cfg.quirks & DMP_IO_PGTABLE_QUIRK_ARM_NS)
		want |= PTE_NSTABLE;
	uint64_t expected = pte;
	if (!atomic_compare_exchange_strong_explicit(slot, &expected, want, memory_order_release,
						     memory_order_acquire)) {
		/* Someone else changed the entry (a racing split): use theirs. */
		lpae_table_free(d, table, d->table_order);
		return 0;
	}
	count_ptes(d, 1);
	lpae_sync(d, slot, 1);
	uint64_t bs = lvl_block_size(d, lvl);
	tlb_flush_walk(d, iova & ~(bs - 1), bs);
	return 0;
}

/* Leaves [first, first + n) of @table were cleared: clean, then queue their
 * invalidation (a walker must not refetch the old entry after it). */
static void lpae_leaf_run_done(struct lpae_pgtable *d, lpae_slot *table, size_t first, size_t n,
			       dmp_addr_t iova, size_t pgsize, struct dmp_iommu_iotlb_gather *gather)
{
	lpae_sync(d, &table[first], n);
	if (!d->add_page)
		return;
	for (size_t j = 0; j < n; j++)
		d->add_page(gather, iova + j * pgsize, pgsize, d->cookie);
}

/* The general case of lpae_unmap_pages (as lpae_map_slow). */
static DMP__NOINLINE size_t lpae_unmap_slow(struct lpae_pgtable *d, dmp_addr_t iova,
					    size_t pgsize, size_t pgcount,
					    struct dmp_iommu_iotlb_gather *gather)
{
	const struct dmp_io_pgtable_cfg *cfg = &d->iop.cfg;

	if ((pgsize & (pgsize - 1)) || !(pgsize & cfg->pgsize_bitmap) || !pgcount ||
	    (iova & (pgsize - 1)))
		return 0;
	unsigned int shift = (unsigned int)__builtin_ctzll(pgsize);
	if (!lpae_range_ok(iova, shift, pgcount, d->ias_mask))
		return 0;

	unsigned int lvl = d->level_of_shift[shift];
	DMP_ASSERT(lvl != LPAE_NO_LEVEL);
	size_t total = 0;

	while (pgcount) {
		lpae_slot *table = tcache_get(d, lvl, iova);
		if (dmp__likely(table))
			goto found;
		table = d->pgd;
		for (unsigned int l = d->start_level; l < lvl; l++) {
			lpae_slot *slot = &table[lvl_index(d, iova, l)];
			uint64_t pte = slot_load(slot);
			/* Part of a larger block: split it, then go on down. */
			if (pte_is_leaf(pte, l) && lpae_split_block(d, slot, pte, l, iova) == 0)
				pte = slot_load(slot);
			if (!pte_is_table(pte, l))
				return total; /* nothing there (or the split failed) */
			table = pte_table_va(d, pte);
		}
		tcache_put(d, lvl, iova, table);
found:;
		size_t idx = lvl_index(d, iova, lvl);
		size_t n = DMP_MIN(pgcount, lvl_entries(d, lvl) - idx);
		size_t i, run = 0; /* leaves cleared and not yet cleaned */
		for (i = 0; i < n; i++) {
			lpae_slot *slot = &table[idx + i];
			uint64_t pte = slot_load(slot);
			if (!pte)
				break;
			slot_store(slot, 0);
			if (!pte_is_table(pte, lvl)) {
				run++;
				continue;
			}
			/* Smaller mappings beneath: the table goes as a whole. */
			lpae_leaf_run_done(d, table, idx + i - run, run, iova + (i - run) * pgsize,
					   pgsize, gather);
			run = 0;
			lpae_sync(d, slot, 1);
			tlb_flush_walk(d, iova + i * pgsize, pgsize);
			lpae_free_tree(d, pte_table_va(d, pte), lvl + 1, iova + i * pgsize);
		}
		lpae_leaf_run_done(d, table, idx + i - run, run, iova + (i - run) * pgsize, pgsize,
				   gather);
		count_ptes(d, i);
		total += i * pgsize;
		if (i < n)
			break;
		iova += n * pgsize;
		pgcount -= n;
	}
	return total;
}

static size_t lpae_unmap_pages(struct dmp_io_pgtable_ops *ops, dmp_addr_t iova, size_t pgsize,
			       size_t pgcount, struct dmp_iommu_iotlb_gather *gather)
{
	struct lpae_pgtable *d = to_lpae(ops);
	/* The fast path: one leaf of this size, in a cached table. */
	if (dmp__likely(lpae_one_leaf_ok(d, iova, 0, pgsize, pgcount))) {
		unsigned int lvl = d->level_of_shift[(unsigned int)__builtin_ctzll(pgsize)];
		lpae_slot *table;
		if (dmp__likely(tcache_find(d, lvl, iova, &table))) {
			size_t idx = lvl_index(d, iova, lvl);
			uint64_t pte = slot_load(&table[idx]);
			if (dmp__likely(pte && !pte_is_table(pte, lvl))) {
				/* lpae_leaf_run_done for one leaf, inline */
				slot_store(&table[idx], 0);
				if (dmp__unlikely(d->extra))
					lpae_one_leaf_extra(d, &table[idx]);
				if (d->add_page)
					d->add_page(gather, iova, pgsize, d->cookie);
				return pgsize;
			}
		}
	}
	return lpae_unmap_slow(d, iova, pgsize, pgcount, gather);
}

static int lpae_iova_to_phys(struct dmp_io_pgtable_ops *ops, dmp_addr_t iova, dmp_phys_t *phys)
{
	struct lpae_pgtable *d = to_lpae(ops);
	DMP_ASSERT(phys);
	if (iova > d->ias_mask)
		return -ERANGE;

	/* a last-level table covering @iova: its entry is a page or nothing */
	lpae_slot *table;
	unsigned int l = LPAE_LAST_LEVEL;
	if (dmp__unlikely(!tcache_find(d, LPAE_LAST_LEVEL, iova, &table))) {
		table = d->pgd;
		l = d->start_level;
	}
	for (;; l++) {
		uint64_t pte = slot_load(&table[lvl_index(d, iova, l)]);
		if (pte_is_leaf(pte, l)) {
			uint64_t bs = lvl_block_size(d, l);
			*phys = (pte & LPAE_ADDR_MASK & ~(bs - 1)) | (iova & (bs - 1));
			return 0;
		}
		if (!pte_is_table(pte, l))
			return -ENOENT;
		table = pte_table_va(d, pte);
		if (l + 1 == LPAE_LAST_LEVEL)
			tcache_put(d, LPAE_LAST_LEVEL, iova, table);
	}
}

/* --- the consistency walker --------------------------------------------- */

static int lpae_check_table(struct lpae_pgtable *d, dmp_phys_t phys, unsigned int lvl,
			    struct dmp_io_pgtable_stats *st)
{
	unsigned int order = lvl == d->start_level ? d->pgd_order : d->table_order;
	const struct dmp_page *pg = dmp_phys_to_page(phys);
	if (!pg || !(pg->flags & DMP_PAGE_HEAD) || pg->order != order) {
		dmp_log("io-pgtable-arm: level %u table at %#llx is not an allocated order-%u block",
			 lvl, (unsigned long long)phys, order);
		return -EIO;
	}
	st->tables++;
	lpae_slot *table = dmp_phys_to_virt(phys);
	size_t n = lvl_entries(d, lvl);
	uint64_t bs = lvl_block_size(d, lvl);
	for (size_t i = 0; i < n; i++) {
		uint64_t pte = atomic_load_explicit(&table[i], memory_order_relaxed);
		if (!pte)
			continue;
		if (pte_is_table(pte, lvl)) {
			dmp_phys_t next = pte_table_phys(d, pte);
			if ((pte & LPAE_ADDR_MASK) != (next | PTE_TYPE_TABLE) || next > d->oas_mask) {
				dmp_log("io-pgtable-arm: bad table descriptor %#llx at level %u",
					 (unsigned long long)pte, lvl);
				return -EIO;
			}
			int err = lpae_check_table(d, next, lvl + 1, st);
			if (err)
				return err;
			continue;
		}
		dmp_phys_t out = pte & LPAE_ADDR_MASK & ~(bs - 1);
		if (!pte_is_leaf(pte, lvl) || !(bs & d->iop.cfg.pgsize_bitmap) ||
		    !(pte & PTE_AF) || (pte & LPAE_ADDR_MASK & ~UINT64_C(0xfff) & (bs - 1)) ||
		    out > d->oas_mask) {
			dmp_log("io-pgtable-arm: bad leaf descriptor %#llx at level %u",
				 (unsigned long long)pte, lvl);
			return -EIO;
		}
		st->leaves++;
	}
	return 0;
}

static int lpae_check(struct dmp_io_pgtable_ops *ops, struct dmp_io_pgtable_stats *stats)
{
	struct lpae_pgtable *d = to_lpae(ops);
	struct dmp_io_pgtable_stats st = { 0 };
	int err = lpae_check_table(d, d->pgd_phys, d->start_level, &st);
	st.tables_allocated = atomic_load(&d->tables_allocated);
	st.tables_freed = atomic_load(&d->tables_freed);
	st.ptes_written = 0;
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		st.ptes_written += atomic_load_explicit(&d->ptes_written[cpu].n, memory_order_relaxed);
	if (!err && st.tables != st.tables_allocated - st.tables_freed) {
		dmp_log("io-pgtable-arm: %zu tables reachable, %llu allocated and not freed",
			 st.tables, (unsigned long long)(st.tables_allocated - st.tables_freed));
		err = -EIO;
	}
	if (stats)
		*stats = st;
	return err;
}

/* --- allocation ----------------------------------------------------------- */

/* IPS / PS encoding of an output size (Arm ARM: TCR_ELx.IPS). */
static int lpae_ips(unsigned int oas, unsigned int *ips)
{
	static const unsigned char bits[] = { 32, 36, 40, 42, 44, 48 };
	for (unsigned int i = 0; i < DMP_ARRAY_SIZE(bits); i++)
		if (bits[i] == oas) {
			*ips = i;
			return 0;
		}
	return -EINVAL;
}

static const struct dmp_io_pgtable_ops lpae_ops = {
	.map_pages = lpae_map_pages,
	.unmap_pages = lpae_unmap_pages,
	.iova_to_phys = lpae_iova_to_phys,
	.check = lpae_check,
};

static int lpae_s1_alloc(struct dmp_io_pgtable_cfg *cfg, void *cookie,
			 struct dmp_io_pgtable **out)
{
	unsigned int pg_shift, tg, ips;
	uint64_t sizes;

	if (cfg->quirks & ~DMP_IO_PGTABLE_QUIRK_ARM_NS)
		return -EINVAL;
	/* The granule: 4K (dmaport's page size) if offered, else the smallest. */
	if (cfg->pgsize_bitmap & SZ_4K) {
		pg_shift = 12, tg = DMP_ARM_LPAE_TCR_TG0_4K, sizes = SZ_4K | SZ_2M | SZ_1G;
	} else if (cfg->pgsize_bitmap & SZ_16K) {
		pg_shift = 14, tg = DMP_ARM_LPAE_TCR_TG0_16K, sizes = SZ_16K | SZ_32M;
	} else if (cfg->pgsize_bitmap & SZ_64K) {
		pg_shift = 16, tg = DMP_ARM_LPAE_TCR_TG0_64K, sizes = SZ_64K | SZ_512M;
	} else {
		return -EINVAL;
	}
	if (cfg->ias < 32 || cfg->ias > LPAE_MAX_ADDR_BITS || lpae_ips(cfg->oas, &ips))
		return -EINVAL;

	struct lpae_pgtable *d = dmp_kzalloc(sizeof(*d), DMP_GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->coherent = cfg->coherent_walk;
	d->count = cfg->count_ptes;
	d->extra = (d->count ? LPAE_EXTRA_COUNT : 0) | (d->coherent ? 0 : LPAE_EXTRA_CLEAN);
	d->add_page = cfg->tlb ? cfg->tlb->tlb_add_page : NULL;
	d->cookie = cookie;
	d->pg_shift = pg_shift;
	d->bits_per_level = pg_shift - 3;
	/* As many levels as it takes to resolve ias - pg_shift bits, ending at
	 * level 3; the first one resolves what is left over. */
	unsigned int va_bits = cfg->ias - pg_shift;
	unsigned int levels = (va_bits + d->bits_per_level - 1) / d->bits_per_level;
	d->start_level = LPAE_MAX_LEVELS - levels;
	d->pgd_bits = va_bits - (levels - 1) * d->bits_per_level;
	for (unsigned int lvl = d->start_level; lvl <= LPAE_LAST_LEVEL; lvl++) {
		d->shift_of_level[lvl] = (uint8_t)lvl_shift_calc(d, lvl);
		d->index_mask[lvl] = ((size_t)1 << (lvl == d->start_level ? d->pgd_bits
									 : d->bits_per_level)) - 1;
	}
	d->table_addr_mask = LPAE_ADDR_MASK & ~((UINT64_C(1) << pg_shift) - 1);
	d->table_order = pg_shift - DMP_PAGE_SHIFT;
	d->pgd_order = dmp_get_order(sizeof(lpae_slot) << d->pgd_bits);
	d->oas_mask = DMP_BIT_MASK(cfg->oas);
	d->ias_mask = DMP_BIT_MASK(cfg->ias);
	for (unsigned int lvl = 0; lvl < LPAE_MAX_LEVELS; lvl++) {
		d->span_shift[lvl] = (uint8_t)(lvl_shift_calc(d, lvl) + d->bits_per_level);
		d->leaf_type[lvl] = lvl == LPAE_LAST_LEVEL ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK;
		for (unsigned int i = 0; i < LPAE_TCACHE_SIZE; i++)
			atomic_init(&d->tcache[lvl][i], LPAE_TCACHE_EMPTY);
	}
	/* No block larger than what the start level maps per entry. */
	sizes &= (lvl_block_size(d, d->start_level) << 1) - 1;
	cfg->pgsize_bitmap &= sizes;
	d->iop.cfg = *cfg;
	memset(d->level_of_shift, LPAE_NO_LEVEL, sizeof(d->level_of_shift));
	for (unsigned int lvl = d->start_level; lvl <= LPAE_LAST_LEVEL; lvl++)
		d->level_of_shift[lvl_shift(d, lvl)] = (uint8_t)lvl;
	for (int prot = 0; prot < LPAE_PROT_COMBOS; prot++)
		d->prot_pte[prot] = lpae_prot_to_pte(d, prot);

	int err = lpae_table_alloc(d, d->pgd_order, DMP_GFP_KERNEL, &d->pgd_phys, &d->pgd);
	if (err)
		goto err_free;
	struct dmp__region *r = dmp__region_of_phys(d->pgd_phys);
	DMP_ASSERT(r);
	d->tbl_phys = r->phys;
	d->tbl_va = r->va;
	d->tbl_size = r->size;
	/* the start-level table covers every IOVA: tag 0, for good */
	tcache_put(d, d->start_level, 0, d->pgd);
	DMP__PLAT_CALL0(wmb);

	cfg->arm_lpae_s1_cfg.ttbr = d->pgd_phys;
	cfg->arm_lpae_s1_cfg.tcr.tg = tg;
	cfg->arm_lpae_s1_cfg.tcr.tsz = 64 - cfg->ias;
	cfg->arm_lpae_s1_cfg.tcr.ips = ips;
	if (cfg->coherent_walk) {
		cfg->arm_lpae_s1_cfg.tcr.sh = DMP_ARM_LPAE_TCR_SH_IS;
		cfg->arm_lpae_s1_cfg.tcr.irgn = DMP_ARM_LPAE_TCR_RGN_WBWA;
		cfg->arm_lpae_s1_cfg.tcr.orgn = DMP_ARM_LPAE_TCR_RGN_WBWA;
	} else {
		cfg->arm_lpae_s1_cfg.tcr.sh = DMP_ARM_LPAE_TCR_SH_OS;
		cfg->arm_lpae_s1_cfg.tcr.irgn = DMP_ARM_LPAE_TCR_RGN_NC;
		cfg->arm_lpae_s1_cfg.tcr.orgn = DMP_ARM_LPAE_TCR_RGN_NC;
	}
	/* TTBR1 walks disabled (EPD1): IOVAs live in the lower range only. */
	cfg->arm_lpae_s1_cfg.tcr.value =
		(uint64_t)cfg->arm_lpae_s1_cfg.tcr.tsz | (uint64_t)cfg->arm_lpae_s1_cfg.tcr.irgn << 8 |
		(uint64_t)cfg->arm_lpae_s1_cfg.tcr.orgn << 10 |
		(uint64_t)cfg->arm_lpae_s1_cfg.tcr.sh << 12 | (uint64_t)tg << 14 |
		UINT64_C(1) << 23 | (uint64_t)ips << 32;
	cfg->arm_lpae_s1_cfg.mair = MAIR_ATTR_NC << (8 * DMP_ARM_LPAE_MAIR_IDX_NC) |
				    MAIR_ATTR_WBRWA << (8 * DMP_ARM_LPAE_MAIR_IDX_CACHE) |
				    MAIR_ATTR_DEVICE << (8 * DMP_ARM_LPAE_MAIR_IDX_DEV);
	d->iop.cfg = *cfg;
	d->iop.ops = lpae_ops;
	*out = &d->iop;
	return 0;

err_free:
	dmp_kfree(d);
	return err;
}

static void lpae_s1_free(struct dmp_io_pgtable *iop)
{
	struct lpae_pgtable *d = (struct lpae_pgtable *)iop;
	lpae_free_tree(d, d->pgd, d->start_level, 0);
	dmp_kfree(d);
}

const struct dmp_io_pgtable_fmt dmp_io_pgtable_arm_64_lpae_s1 = {
	.name = "arm-64-lpae-s1",
	.alloc = lpae_s1_alloc,
	.free = lpae_s1_free,
};
