/* SPDX-License-Identifier: MIT */
/*
 * swiotlb.c - the bounce-buffer pool (Linux's kernel/dma/swiotlb.c model,
 * dmaport's own code).  See <dmaport/swiotlb.h> for the rules callers see.
 *
 * Bookkeeping.  Each slot has a `list` count (one byte, in an array of its
 * own so that a segment's counts are two cache lines): 0 for a slot in use;
 * for a free slot, a LOWER BOUND (at least 1) on how many free slots follow
 * it (itself included) up to the end of its free run, never past the end of
 * its segment.  The counts are not always exact: a map rewrites the counts
 * of the free slots just before it that would reach into it (as Linux's
 * swiotlb_area_find_slots), and an unmap counts its own slots on from the
 * free run after them, but it leaves the counts of the free run just
 * before them as they were, now too low (Linux's swiotlb_release_slots
 * rewrites them; walking back over that run cost most of a segment per
 * unmap on a ring unmapped in order).  What always holds, and the walker
 * checks: 1 <= list[i] <= the real run from i, and list[i] <= list[i + 1]
 * + 1 within a segment.  So list[i] >= need proves that a run of `need`
 * slots starts at i (a candidate is tested in O(1)), but a low count can
 * hide one: a search that finds nothing in a segment recomputes that
 * segment's counts exactly (seg_recompute) and looks once more, so no
 * placement is missed.  No bookkeeping looks outside one segment.
 * Each segment also keeps its free count and a bound on its longest free run
 * (no run is longer: an unmap sets it to the free count; exact after a
 * search of the segment failed), so the search skips, in O(1), segments
 * that cannot hold the request.  Each area
 * remembers where its last allocation ended, and the search starts there
 * (next fit, as Linux's area index), so it rarely walks slots in use.
 *
 * An allocation is a run of slots; its first slot (the "head") holds the
 * mapping: the original address, the mapping and allocation sizes, and the
 * offset of the bounce address from the first slot's address (the min_align
 * bits kept inside the allocation's alignment - whole "padding slots" when
 * that offset exceeds a slot, as Linux 6.9's pad_slots).  Every slot in use
 * knows its distance back to the head, so an address anywhere in a mapping
 * (a partial sync) finds its mapping in O(1).
 *
 * Areas are runs of whole segments, so an allocation lies in one area and
 * one area lock covers all of its slots.  No code holds two area locks except
 * the walker, which takes them in index order.
 */
#include <string.h>

#include <dmaport/swiotlb.h>

#include "../internal.h"

#define SLOT_MASK ((dmp_phys_t)DMP_IO_TLB_SIZE - 1)

/* Head slot states. */
#define HEAD_LIVE 0x1  /* a mapping the caller may sync and unmap */
#define HEAD_DYING 0x2 /* being unmapped: copy-back in progress, no longer valid */

struct dmp__swiotlb_slot {
	dmp_phys_t orig_addr;  /* head: the original address of the bounce address */
	uint32_t mapping_size; /* head: bytes mapped */
	uint32_t alloc_size;   /* head: bytes reserved from the bounce address */
	uint32_t offset;       /* head: bounce address - this slot's address */
	uint16_t head_dist;    /* in use: slots back to the head */
	uint16_t nslots;       /* head: slots in the allocation */
	uint16_t flags;        /* head: HEAD_* */
};

struct dmp__swiotlb_seg {
	uint16_t nfree;   /* free slots */
	uint16_t longest; /* no free run is longer (exact after a failed search) */
	uint16_t area;    /* constant */
};

struct dmp__swiotlb_area {
	_Alignas(64) dmp_spinlock_t lock; /* own line: areas exist to avoid contention */
	size_t first_seg, nsegs;          /* constant */
	size_t nslots;                    /* constant */
	size_t next_seg;                  /* search starts here (relative to first_seg) */
	size_t next_slot;                 /* ... at this slot, if in that segment */
	size_t used;                      /* slots in use */
	size_t hiwater;                   /* the most slots in use at once */
	unsigned long nr_maps, nr_unmaps; /* successful ones, for the stats */
};

/*
 * Registered pools, for dmp_swiotlb_find_pool(); written under registry_lock.
 * Each entry keeps a copy of its pool's range, so that the registry never
 * reads a pool struct: a pool leaked by a platform that went away (its
 * memory unmapped) can still be overwritten, and is forgotten by
 * dmp_swiotlb_forget_all().
 */
struct registry_entry {
	struct dmp_swiotlb_pool *_Atomic pool;
	_Atomic dmp_phys_t start, size;
};
static dmp_spinlock_t registry_lock = DMP_SPINLOCK_INIT;
static struct registry_entry registry[DMP_SWIOTLB_MAX_POOLS];
static struct dmp_swiotlb_pool *_Atomic default_pool;

static bool is_low_mask(uint64_t m)
{
	return (m & (m + 1)) == 0;
}

static inline dmp_phys_t slot_phys(const struct dmp_swiotlb_pool *pool, size_t i)
{
	return pool->start + ((dmp_phys_t)i << DMP_IO_TLB_SHIFT);
}

static inline size_t seg_first(size_t seg)
{
	return seg * DMP_IO_TLB_SEGSIZE;
}

static inline size_t seg_end(const struct dmp_swiotlb_pool *pool, size_t seg)
{
	return DMP_MIN(seg_first(seg) + DMP_IO_TLB_SEGSIZE, pool->nslots);
}

/* Slots in the pool's largest segment: the most one allocation can have. */
static inline size_t max_alloc_slots(const struct dmp_swiotlb_pool *pool)
{
	return DMP_MIN((size_t)DMP_IO_TLB_SEGSIZE, pool->nslots);
}

static inline struct dmp__swiotlb_area *area_of_slot(struct dmp_swiotlb_pool *pool, size_t i)
{
	return &pool->areas[pool->segs[i / DMP_IO_TLB_SEGSIZE].area];
}

/*
 * Recompute the free-run counts and the longest run of @seg from which slots
 * are in use (list == 0): at set-up, and when a search of the segment failed
 * (the bound on its longest run becomes exact).  Caller holds the area lock.
 */
static void seg_recompute(struct dmp_swiotlb_pool *pool, size_t seg)
{
	uint8_t *list = pool->list;
	uint16_t run = 0, longest = 0;
	for (size_t i = seg_end(pool, seg); i-- > seg_first(seg);) {
		if (list[i] == 0) {
			run = 0;
			continue;
		}
		list[i] = (uint8_t)++run;
		if (run > longest)
			longest = run;
	}
	pool->segs[seg].longest = longest;
}

/* A mapping request, as the search sees it. */
struct request {
	dmp_phys_t orig;
	size_t mapping_size, alloc_size;
	size_t offset;     /* bounce address - first slot's address */
	size_t need;       /* slots */
	dmp_phys_t mask;   /* the first slot's address & mask ... */
	dmp_phys_t match;  /* ... must equal match */
};

/* Take @need slots at @i for @rq.  Caller holds the area lock. */
static void take_slots(struct dmp_swiotlb_pool *pool, struct dmp__swiotlb_area *area, size_t seg,
		       size_t i, const struct request *rq)
{
	for (size_t k = 0; k < rq->need; k++) {
		pool->list[i + k] = 0;
		pool->slots[i + k].head_dist = (uint16_t)k;
	}
	struct dmp__swiotlb_slot *head = &pool->slots[i];
	head->orig_addr = rq->orig;
	head->mapping_size = (uint32_t)rq->mapping_size;
	head->alloc_size = (uint32_t)rq->alloc_size;
	head->offset = (uint32_t)rq->offset;
	head->nslots = (uint16_t)rq->need;
	head->flags = HEAD_LIVE;
	/*
	 * The free slots just before, in the same run, now end their run at i.
	 * Counts only grow by one per slot going back (list[j] <= list[j + 1]
	 * + 1 for a free j, which every update keeps and the pool check
	 * checks), so the first count already short of i is the last to
	 * rewrite: those before it are short of i too.  An unmap leaves the
	 * counts before its run low (release_slots), so on a ring mapped and
	 * unmapped in order this stops at once where it walked the segment.
	 */
	for (size_t j = i; j-- > seg_first(seg) && pool->list[j] > i - j;)
		pool->list[j] = (uint8_t)(i - j);
	pool->segs[seg].nfree = (uint16_t)(pool->segs[seg].nfree - rq->need);
	/*
	 * The counters are the area's, under its lock: a pool-wide atomic
	 * counter cost two locked read-modify-writes per map+unmap, on a line
	 * every CPU writes (the pool's figures are sums, dmp_swiotlb_get_stats).
	 */
	area->used += rq->need;
	if (area->used > area->hiwater)
		area->hiwater = area->used;
	area->nr_maps++; /* nothing after this can fail the map */
	area->next_seg = seg - area->first_seg;
	area->next_slot = i + rq->need;
}

/*
 * The first candidate slot of a segment, from @start (wrapping around to
 * @first below @end), whose count says @need free slots start there; the
 * candidates are @step slots apart.  SIZE_MAX if none.
 */
static size_t seg_search(const struct dmp_swiotlb_pool *pool, size_t start, size_t first,
			 size_t end, size_t step, size_t need)
{
	for (size_t i = start, wrapped = 0;; i += step) {
		if (i + need > end) {
			if (wrapped || start == first)
				return SIZE_MAX;
			wrapped = 1;
			i = first;
		}
		if (wrapped && i >= start)
			return SIZE_MAX;
		if (pool->list[i] >= need)
			return i;
	}
}

/*
 * Search area @ai for @rq; returns the first slot taken, or SIZE_MAX.
 * Candidates in a segment are the slots whose address satisfies
 * (addr & mask) == match; mask is 2^k - 1 >= a slot, so they repeat every
 * mask + 1 bytes from the first one at or after the segment's start.
 */
static size_t area_alloc(struct dmp_swiotlb_pool *pool, unsigned int ai, const struct request *rq)
{
	struct dmp__swiotlb_area *area = &pool->areas[ai];
	size_t found = SIZE_MAX;
	size_t step = (size_t)((rq->mask + 1) >> DMP_IO_TLB_SHIFT);

	DMP_ASSERT(DMP_IS_POW2(step));

	dmp_spin_lock(&area->lock);
	if (area->nslots - area->used < rq->need)
		goto out;
	/* the segments from next_seg, wrapping: a compare, not a division */
	for (size_t n = 0, rel = area->next_seg; n < area->nsegs;
	     n++, rel = rel + 1 < area->nsegs ? rel + 1 : 0) {
		size_t seg = area->first_seg + rel;
		if (pool->segs[seg].longest < rq->need)
			continue;
		size_t end = seg_end(pool, seg);
		dmp_phys_t a0 = slot_phys(pool, seg_first(seg));
		dmp_phys_t a = (a0 & ~rq->mask) | rq->match;
		if (a < a0)
			a += rq->mask + 1;
		size_t first = (size_t)((a - pool->start) >> DMP_IO_TLB_SHIFT), start = first;
		/* next fit: in the segment of the last allocation, the first
		 * candidate at or after where it ended; then wrap around */
		if (n == 0 && area->next_slot > first && area->next_slot < end)
			start = first + DMP_ALIGN_UP(area->next_slot - first, step); /* step: 2^k */
		size_t i = seg_search(pool, start, first, end, step, rq->need);
		if (i == SIZE_MAX) {
			/* nothing seen: make the counts and the bound exact (a
			 * count may have been low, see release_slots), then look
			 * once more if the segment can hold the request at all */
			seg_recompute(pool, seg);
			if (pool->segs[seg].longest >= rq->need)
				i = seg_search(pool, first, first, end, step, rq->need);
		}
		if (i != SIZE_MAX) {
			take_slots(pool, area, seg, i, rq);
			found = i;
			goto out;
		}
	}
out:
	dmp_spin_unlock(&area->lock);
	return found;
}

/* Free the allocation headed at @h.  Caller holds its area lock. */
static void release_slots(struct dmp_swiotlb_pool *pool, struct dmp__swiotlb_area *area, size_t h)
{
	size_t n = pool->slots[h].nslots;
	size_t seg = h / DMP_IO_TLB_SEGSIZE;
	/*
	 * The freed slots join the free run after them.  The slots of the free
	 * run before them keep their counts, now too low: that only hides
	 * them from a search until it fails on the segment and recomputes it
	 * (area_alloc), and it saves walking back over the run, which on a
	 * ring unmapped in order is most of the segment every time.  The
	 * segment's bound becomes its free count: no run is longer.
	 */
	size_t after = h + n;
	unsigned int run = after < seg_end(pool, seg) ? pool->list[after] : 0;
	/*
	 * A free slot has head_dist, nslots and flags 0 (the walker checks it);
	 * only the head has the last two set, so they are cleared there.  The
	 * head's addresses and sizes stay: nothing reads them once flags is 0.
	 */
	pool->slots[h].nslots = 0;
	pool->slots[h].flags = 0;
	for (size_t k = n; k-- > 0;) {
		pool->slots[h + k].head_dist = 0;
		pool->list[h + k] = (uint8_t)++run;
	}
	pool->segs[seg].nfree = (uint16_t)(pool->segs[seg].nfree + n);
	pool->segs[seg].longest = pool->segs[seg].nfree;
	area->used -= n;
}

/*
 * The head of the allocation holding slot @i, or SIZE_MAX if @i is free.
 * Caller holds the area lock.
 */
static size_t head_of(const struct dmp_swiotlb_pool *pool, size_t i)
{
	if (pool->list[i] != 0)
		return SIZE_MAX;
	return i - pool->slots[i].head_dist;
}

static inline dmp_phys_t bounce_addr(const struct dmp_swiotlb_pool *pool, size_t h)
{
	return slot_phys(pool, h) + pool->slots[h].offset;
}

/* The CPU address of [phys, phys + size) if it is platform memory,
 * virtually contiguous: inside one region (the usual case, decided there),
 * or across regions whose CPU addresses happen to follow each other as
 * well; NULL if not.  The map copies from it: one region lookup, not two. */
static uint8_t *phys_range_va(dmp_phys_t phys, size_t size)
{
	struct dmp__region *r = dmp__region_of_phys(phys);
	if (!r || phys + size - 1 < phys)
		return NULL;
	dmp_phys_t off = phys - r->phys;
	if (size - 1 < r->size - off)
		return r->va + off;
	uint8_t *b = dmp__phys_to_virt(phys + size - 1);
	return b && (size_t)(b - (r->va + off)) == size - 1 ? r->va + off : NULL;
}

static void copy_bytes(dmp_phys_t dst, dmp_phys_t src, size_t size)
{
	memcpy(dmp__phys_to_virt(dst), dmp__phys_to_virt(src), size);
}

/*
 * Registry.
 */
static int registry_add(struct dmp_swiotlb_pool *pool)
{
	int ret = -ENOMEM;
	dmp_spin_lock(&registry_lock);
	for (unsigned int i = 0; i < DMP_SWIOTLB_MAX_POOLS; i++) {
		struct registry_entry *e = &registry[i];
		dmp_phys_t start = atomic_load_explicit(&e->start, memory_order_relaxed);
		dmp_phys_t size = atomic_load_explicit(&e->size, memory_order_relaxed);
		if (atomic_load_explicit(&e->pool, memory_order_relaxed) &&
		    pool->start < start + size && start < pool->start + pool->size) {
			ret = -EEXIST;
			goto out;
		}
	}
	for (unsigned int i = 0; i < DMP_SWIOTLB_MAX_POOLS; i++) {
		struct registry_entry *e = &registry[i];
		if (!atomic_load_explicit(&e->pool, memory_order_relaxed)) {
			atomic_store_explicit(&e->start, pool->start, memory_order_relaxed);
			atomic_store_explicit(&e->size, pool->size, memory_order_relaxed);
			/* release: a finder that sees the pointer sees the pool set up */
			atomic_store_explicit(&e->pool, pool, memory_order_release);
			ret = 0;
			break;
		}
	}
out:
	dmp_spin_unlock(&registry_lock);
	return ret;
}

static void registry_del(struct dmp_swiotlb_pool *pool)
{
	dmp_spin_lock(&registry_lock);
	for (unsigned int i = 0; i < DMP_SWIOTLB_MAX_POOLS; i++)
		if (atomic_load_explicit(&registry[i].pool, memory_order_relaxed) == pool)
			atomic_store_explicit(&registry[i].pool, NULL, memory_order_relaxed);
	struct dmp_swiotlb_pool *expected = pool;
	atomic_compare_exchange_strong(&default_pool, &expected, NULL);
	dmp_spin_unlock(&registry_lock);
}

void dmp_swiotlb_forget_all(void)
{
	dmp_spin_lock(&registry_lock);
	for (unsigned int i = 0; i < DMP_SWIOTLB_MAX_POOLS; i++)
		atomic_store_explicit(&registry[i].pool, NULL, memory_order_relaxed);
	atomic_store(&default_pool, NULL);
	dmp_spin_unlock(&registry_lock);
}

struct dmp_swiotlb_pool *dmp_swiotlb_find_pool(dmp_phys_t phys)
{
	for (unsigned int i = 0; i < DMP_SWIOTLB_MAX_POOLS; i++) {
		struct registry_entry *e = &registry[i];
		struct dmp_swiotlb_pool *p = atomic_load_explicit(&e->pool, memory_order_acquire);
		if (p && phys - atomic_load_explicit(&e->start, memory_order_relaxed) <
				 atomic_load_explicit(&e->size, memory_order_relaxed))
			return p;
	}
	return NULL;
}

void dmp_swiotlb_set_default(struct dmp_swiotlb_pool *pool)
{
	atomic_store(&default_pool, pool);
}

struct dmp_swiotlb_pool *dmp_swiotlb_default(void)
{
	return atomic_load(&default_pool);
}

bool dmp_swiotlb_is_bounce(const struct dmp_swiotlb_pool *pool, dmp_phys_t phys)
{
	return pool && phys - pool->start < pool->size;
}

/*
 * Creation and destruction.
 */

/* Set up the bookkeeping of @pool over [phys, phys + size) and register it. */
static int pool_setup(struct dmp_swiotlb_pool *pool, const char *name, dmp_phys_t phys,
		      size_t size, unsigned int nareas)
{
	int ret;
	name = name ? name : "swiotlb";
	size_t len = 0;
	while (name[len] && len < sizeof(pool->name) - 1) {
		pool->name[len] = name[len];
		len++;
	}
	pool->name[len] = '\0';
	pool->start = phys;
	pool->size = size;
	pool->vaddr = dmp_phys_to_virt(phys);
	pool->nslots = size >> DMP_IO_TLB_SHIFT;
	pool->nsegs = (pool->nslots + DMP_IO_TLB_SEGSIZE - 1) / DMP_IO_TLB_SEGSIZE;
	if (nareas == 0)
		nareas = dmp_nr_cpus();
	nareas = DMP_MIN(nareas, (unsigned int)DMP_MAX_CPUS);
	if (nareas > pool->nsegs)
		nareas = (unsigned int)pool->nsegs;
	pool->nareas = nareas;

	size_t area_bytes = DMP_ALIGN_UP(nareas * sizeof(struct dmp__swiotlb_area), (size_t)64);
	size_t seg_bytes = DMP_ALIGN_UP(pool->nsegs * sizeof(struct dmp__swiotlb_seg), (size_t)64);
	size_t list_bytes = DMP_ALIGN_UP(pool->nslots, (size_t)64);
	size_t slot_bytes = pool->nslots * sizeof(struct dmp__swiotlb_slot);
	uint8_t *meta =
		dmp_kzalloc(area_bytes + seg_bytes + list_bytes + slot_bytes, DMP_GFP_KERNEL);
	if (!meta)
		return -ENOMEM;
	pool->meta = meta;
	pool->areas = (struct dmp__swiotlb_area *)meta;
	pool->segs = (struct dmp__swiotlb_seg *)(meta + area_bytes);
	pool->list = meta + area_bytes + seg_bytes;
	pool->slots = (struct dmp__swiotlb_slot *)(meta + area_bytes + seg_bytes + list_bytes);

	/* Balanced runs of whole segments per area. */
	for (unsigned int a = 0; a < nareas; a++) {
		struct dmp__swiotlb_area *area = &pool->areas[a];
		dmp_spin_init(&area->lock);
		area->first_seg = a * pool->nsegs / nareas;
		area->nsegs = (a + 1) * pool->nsegs / nareas - area->first_seg;
		for (size_t s = area->first_seg; s < area->first_seg + area->nsegs; s++) {
			size_t n = seg_end(pool, s) - seg_first(s);
			pool->segs[s].area = (uint16_t)a;
			pool->segs[s].nfree = (uint16_t)n;
			area->nslots += n;
			for (size_t i = seg_first(s); i < seg_end(pool, s); i++)
				pool->list[i] = 1;
			seg_recompute(pool, s);
		}
	}
	atomic_init(&pool->nr_full, 0);
	atomic_init(&pool->nr_bad, 0);

	ret = registry_add(pool);
	if (ret)
		goto err_meta;
	return 0;

err_meta:
	dmp_kfree(meta);
	pool->meta = NULL;
	return ret;
}

int dmp_swiotlb_pool_create(const char *name, size_t size, dmp_phys_t phys_limit,
			    unsigned int nareas, struct dmp_swiotlb_pool **out)
{
	struct dmp_swiotlb_pool *pool;
	dmp_phys_t phys;
	int ret;

	DMP_ASSERT(out);
	if (size == 0 || size > (DMP_PAGE_SIZE << DMP_PAGE_ORDER_MAX))
		return -EINVAL;
	size = DMP_ALIGN_UP(size, DMP_PAGE_SIZE);
	unsigned int order = dmp_get_order(size);

	pool = dmp_kzalloc(sizeof(*pool), DMP_GFP_KERNEL);
	if (!pool)
		return -ENOMEM;
	/* Zeroed: a new pool must not hand a device what the memory held before. */
	ret = dmp_page_alloc(order, DMP_GFP_ZERO, phys_limit, &phys);
	if (ret)
		goto err_struct;
	pool->owns_struct = true;
	pool->owns_memory = true;
	pool->order = order;
	ret = pool_setup(pool, name, phys, size, nareas);
	if (ret)
		goto err_pages;
	*out = pool;
	return 0;

err_pages:
	dmp_page_free(phys, order);
err_struct:
	dmp_kfree(pool);
	return ret;
}

int dmp_swiotlb_pool_init_range(struct dmp_swiotlb_pool *pool, const char *name,
				dmp_phys_t phys, size_t size, unsigned int nareas)
{
	DMP_ASSERT(pool);
	/* page aligned, so that page-aligned mappings can use every segment */
	if (size == 0 || !DMP_IS_ALIGNED(phys, DMP_PAGE_SIZE) || !DMP_IS_ALIGNED(size, DMP_PAGE_SIZE) ||
	    size > ((size_t)UINT32_MAX << DMP_IO_TLB_SHIFT))
		return -EINVAL;
	if (!phys_range_va(phys, size))
		return -EFAULT;
	memset(pool, 0, sizeof(*pool));
	return pool_setup(pool, name, phys, size, nareas);
}

/* Slots in use in the whole pool: the sum of its areas' counts, each read
 * under its lock (a snapshot, exact when nothing maps or unmaps meanwhile). */
static size_t pool_used(struct dmp_swiotlb_pool *pool)
{
	size_t used = 0;
	for (unsigned int a = 0; a < pool->nareas; a++) {
		struct dmp__swiotlb_area *area = &pool->areas[a];
		dmp_spin_lock(&area->lock);
		used += area->used;
		dmp_spin_unlock(&area->lock);
	}
	return used;
}

int dmp_swiotlb_pool_destroy(struct dmp_swiotlb_pool *pool)
{
	DMP_ASSERT(pool && pool->meta);
	size_t used = pool_used(pool);
	if (used) {
		dmp_log("dmaport: swiotlb %s: destroy refused: %zu slots still in use", pool->name,
			 used);
		return -EBUSY;
	}
	registry_del(pool);
	dmp_kfree(pool->meta);
	pool->meta = NULL;
	if (pool->owns_memory)
		dmp_page_free(pool->start, pool->order);
	if (pool->owns_struct)
		dmp_kfree(pool);
	return 0;
}

/*
 * Mapping.
 */
static void report_full(struct dmp_swiotlb_pool *pool, const struct request *rq,
			unsigned int min_align_mask, unsigned int alloc_align_mask)
{
	size_t used = pool_used(pool);
	dmp_log("dmaport: swiotlb %s: buffer is full: mapping of %zu bytes (%zu slots, "
		 "min_align_mask 0x%x, alloc_align_mask 0x%x) does not fit; %zu slots, "
		 "%zu used, %zu free",
		 pool->name, rq->mapping_size, rq->need, min_align_mask, alloc_align_mask,
		 pool->nslots, used, pool->nslots - used);
}

int dmp_swiotlb_tbl_map_single(struct dmp_swiotlb_pool *pool, dmp_phys_t orig_phys,
			       size_t mapping_size, size_t alloc_size, unsigned int min_align_mask,
			       unsigned int alloc_align_mask, enum dmp_data_direction dir,
			       unsigned long attrs, dmp_phys_t *tlb_phys)
{
	DMP_ASSERT(pool && pool->meta && tlb_phys);
	if (alloc_size == 0)
		alloc_size = mapping_size;
	if (mapping_size == 0 || alloc_size < mapping_size || alloc_size > DMP_IO_TLB_SEGBYTES ||
	    !dmp_valid_direction(dir) || !is_low_mask(min_align_mask) ||
	    !is_low_mask(alloc_align_mask) || alloc_align_mask >= DMP_IO_TLB_SEGBYTES)
		return -EINVAL;
	const uint8_t *orig_va = phys_range_va(orig_phys, mapping_size);
	if (!orig_va)
		return -EFAULT;
	if (orig_phys < pool->start + pool->size && pool->start < orig_phys + mapping_size)
		return -EINVAL;

	/*
	 * The allocation's first slot is aligned to align + 1: at least a slot,
	 * the caller's alloc_align_mask, and a page for allocations of a page or
	 * more (Linux: "For allocations of PAGE_SIZE or larger only look for page
	 * aligned allocations").  The min_align bits inside that alignment are
	 * kept by the offset into the allocation; the bits above it by choosing
	 * the slot (Linux 6.9 swiotlb_find_slots / swiotlb_align_offset).
	 */
	dmp_phys_t align = (dmp_phys_t)alloc_align_mask | SLOT_MASK;
	if (alloc_size >= DMP_PAGE_SIZE)
		align |= DMP_PAGE_SIZE - 1;
	struct request rq = {
		.orig = orig_phys,
		.mapping_size = mapping_size,
		.alloc_size = alloc_size,
		.offset = (size_t)(orig_phys & min_align_mask & align),
		.mask = align | min_align_mask,
		.match = orig_phys & min_align_mask & ~align,
	};
	size_t bytes = DMP_ALIGN_UP(rq.offset + alloc_size, (size_t)alloc_align_mask + 1);
	rq.need = (bytes + DMP_IO_TLB_SIZE - 1) >> DMP_IO_TLB_SHIFT;
	if (rq.need > max_alloc_slots(pool)) {
		if (!(attrs & DMP_ATTR_NO_WARN))
			dmp_log("dmaport: swiotlb %s: mapping of %zu bytes needs %zu slots, more "
				 "than a segment (%zu): it can never fit",
				 pool->name, mapping_size, rq.need, max_alloc_slots(pool));
		return -EINVAL;
	}

	/* the current CPU's area first, then the others (no division: there are
	 * usually as many areas as CPUs) */
	unsigned int ai = dmp_cpu_id();
	if (ai >= pool->nareas)
		ai %= pool->nareas;
	size_t idx = SIZE_MAX;
	for (unsigned int n = 0; n < pool->nareas && idx == SIZE_MAX;
	     n++, ai = ai + 1 < pool->nareas ? ai + 1 : 0)
		idx = area_alloc(pool, ai, &rq);
	if (idx == SIZE_MAX) {
		atomic_fetch_add_explicit(&pool->nr_full, 1, memory_order_relaxed);
		if (!(attrs & DMP_ATTR_NO_WARN))
			report_full(pool, &rq, min_align_mask, alloc_align_mask);
		return -ENOMEM;
	}

	/* The slots are ours: copy and clear outside the lock. */
	uint8_t *first = pool->vaddr + (idx << DMP_IO_TLB_SHIFT);
	uint8_t *bounce = first + rq.offset;
	/* every direction, FROM_DEVICE too, SKIP_CPU_SYNC or not: see the header */
	memcpy(bounce, orig_va, mapping_size);
	uint8_t *copied_end = bounce + mapping_size;
	if (attrs & DMP_SWIOTLB_ZERO_PADDING) {
		uint8_t *end = first + (rq.need << DMP_IO_TLB_SHIFT);
		memset(first, 0, rq.offset);
		memset(copied_end, 0, (size_t)(end - copied_end));
	}
	*tlb_phys = slot_phys(pool, idx) + rq.offset;
	return 0;
}

/*
 * Report and count a call that is ignored.  @map_size > 0 names the live
 * mapping found at that address (@map_at, @map_size), to help the reader.
 */
static int report_bad(struct dmp_swiotlb_pool *pool, const char *what, dmp_phys_t tlb_phys,
		      size_t size, const char *why, dmp_phys_t map_at, size_t map_size)
{
	atomic_fetch_add_explicit(&pool->nr_bad, 1, memory_order_relaxed);
	if (map_size)
		dmp_log("dmaport: swiotlb %s: %s of 0x%llx size %zu ignored: %s (the mapping "
			 "there: 0x%llx, %zu bytes)",
			 pool->name, what, (unsigned long long)tlb_phys, size, why,
			 (unsigned long long)map_at, map_size);
	else
		dmp_log("dmaport: swiotlb %s: %s of 0x%llx size %zu ignored: %s", pool->name, what,
			 (unsigned long long)tlb_phys, size, why);
	return -EINVAL;
}

int dmp_swiotlb_tbl_unmap_single(struct dmp_swiotlb_pool *pool, dmp_phys_t tlb_phys,
				 size_t mapping_size, enum dmp_data_direction dir,
				 unsigned long attrs)
{
	DMP_ASSERT(pool && pool->meta);
	if (!dmp_valid_direction(dir))
		return report_bad(pool, "unmap", tlb_phys, mapping_size, "bad direction", 0, 0);
	if (!dmp_swiotlb_is_bounce(pool, tlb_phys))
		return report_bad(pool, "unmap", tlb_phys, mapping_size, "not in the pool", 0, 0);

	size_t i = (size_t)((tlb_phys - pool->start) >> DMP_IO_TLB_SHIFT);
	struct dmp__swiotlb_area *area = area_of_slot(pool, i);
	const char *why = NULL;
	dmp_phys_t orig = 0, map_at = 0;
	size_t map_size = 0;
	bool copy_back = !(attrs & DMP_ATTR_SKIP_CPU_SYNC) &&
			 (dir == DMP_FROM_DEVICE || dir == DMP_BIDIRECTIONAL);

	dmp_spin_lock(&area->lock);
	size_t h = head_of(pool, i);
	if (h == SIZE_MAX || !(pool->slots[h].flags & HEAD_LIVE)) {
		why = "no live bounce mapping there (double unmap?)";
	} else if (bounce_addr(pool, h) != tlb_phys ||
		   pool->slots[h].mapping_size != mapping_size) {
		why = bounce_addr(pool, h) != tlb_phys ? "inside a bounce mapping, not at its start"
						       : "size differs from the mapping's";
		map_at = bounce_addr(pool, h);
		map_size = pool->slots[h].mapping_size;
	} else if (!copy_back) {
		/* nothing to copy: release under this same hold of the lock */
		release_slots(pool, area, h);
		area->nr_unmaps++;
	} else {
		/* no sync or second unmap may use it while we copy back */
		pool->slots[h].flags = HEAD_DYING;
		orig = pool->slots[h].orig_addr;
	}
	dmp_spin_unlock(&area->lock);
	if (why)
		return report_bad(pool, "unmap", tlb_phys, mapping_size, why, map_at, map_size);
	if (!copy_back)
		return 0;

	copy_bytes(orig, tlb_phys, mapping_size);
	dmp_spin_lock(&area->lock);
	release_slots(pool, area, h);
	area->nr_unmaps++;
	dmp_spin_unlock(&area->lock);
	return 0;
}

/*
 * Find the original address of [tlb_phys, tlb_phys + size), which must lie
 * inside one live mapping.  Returns 0 or a reason for the report.
 */
static const char *lookup_range(struct dmp_swiotlb_pool *pool, dmp_phys_t tlb_phys, size_t size,
				dmp_phys_t *orig)
{
	if (!dmp_swiotlb_is_bounce(pool, tlb_phys))
		return "not in the pool";
	size_t i = (size_t)((tlb_phys - pool->start) >> DMP_IO_TLB_SHIFT);
	struct dmp__swiotlb_area *area = area_of_slot(pool, i);
	const char *why = NULL;

	dmp_spin_lock(&area->lock);
	size_t h = head_of(pool, i);
	if (h == SIZE_MAX || !(pool->slots[h].flags & HEAD_LIVE)) {
		why = "not in a live bounce mapping";
	} else {
		dmp_phys_t b = bounce_addr(pool, h);
		size_t msize = pool->slots[h].mapping_size;
		if (tlb_phys < b || tlb_phys - b >= msize)
			why = "outside the mapping (in its padding)";
		else if (size > msize - (size_t)(tlb_phys - b))
			why = "runs past the end of the mapping";
		else
			*orig = pool->slots[h].orig_addr + (tlb_phys - b);
	}
	dmp_spin_unlock(&area->lock);
	return why;
}

static int sync_range(struct dmp_swiotlb_pool *pool, dmp_phys_t tlb_phys, size_t size,
		      enum dmp_data_direction dir, bool for_cpu)
{
	const char *what = for_cpu ? "sync_for_cpu" : "sync_for_device";
	dmp_phys_t orig;

	DMP_ASSERT(pool && pool->meta);
	if (!dmp_valid_direction(dir))
		return report_bad(pool, what, tlb_phys, size, "bad direction", 0, 0);
	if (size == 0)
		return report_bad(pool, what, tlb_phys, size, "size 0", 0, 0);
	const char *why = lookup_range(pool, tlb_phys, size, &orig);
	if (why)
		return report_bad(pool, what, tlb_phys, size, why, 0, 0);
	/*
	 * Linux swiotlb_sync_single_for_device/_for_cpu: to the device only what
	 * the CPU may have written, back only what the device may have written.
	 */
	if (for_cpu && (dir == DMP_FROM_DEVICE || dir == DMP_BIDIRECTIONAL))
		copy_bytes(orig, tlb_phys, size);
	else if (!for_cpu && (dir == DMP_TO_DEVICE || dir == DMP_BIDIRECTIONAL))
		copy_bytes(tlb_phys, orig, size);
	return 0;
}

int dmp_swiotlb_sync_single_for_device(struct dmp_swiotlb_pool *pool, dmp_phys_t tlb_phys,
				       size_t size, enum dmp_data_direction dir)
{
	return sync_range(pool, tlb_phys, size, dir, false);
}

int dmp_swiotlb_sync_single_for_cpu(struct dmp_swiotlb_pool *pool, dmp_phys_t tlb_phys,
				    size_t size, enum dmp_data_direction dir)
{
	return sync_range(pool, tlb_phys, size, dir, true);
}

int dmp_swiotlb_orig_addr(struct dmp_swiotlb_pool *pool, dmp_phys_t tlb_phys, dmp_phys_t *orig)
{
	DMP_ASSERT(pool && pool->meta && orig);
	return lookup_range(pool, tlb_phys, 1, orig) ? -ENOENT : 0;
}

size_t dmp_swiotlb_max_mapping_size(const struct dmp_swiotlb_pool *pool,
				    unsigned int min_align_mask)
{
	DMP_ASSERT(pool);
	size_t bytes = max_alloc_slots(pool) << DMP_IO_TLB_SHIFT;
	size_t loss = min_align_mask ? DMP_ALIGN_UP((size_t)min_align_mask, DMP_IO_TLB_SIZE) : 0;
	return bytes > loss ? bytes - loss : 0;
}

void dmp_swiotlb_get_stats(struct dmp_swiotlb_pool *pool, struct dmp_swiotlb_stats *st)
{
	DMP_ASSERT(pool && st);
	st->nslots = pool->nslots;
	st->used = st->hiwater = 0;
	st->nr_maps = st->nr_unmaps = 0;
	for (unsigned int a = 0; a < pool->nareas; a++) {
		struct dmp__swiotlb_area *area = &pool->areas[a];
		dmp_spin_lock(&area->lock);
		st->used += area->used;
		st->hiwater += area->hiwater;
		st->nr_maps += area->nr_maps;
		st->nr_unmaps += area->nr_unmaps;
		dmp_spin_unlock(&area->lock);
	}
	st->nr_full = atomic_load(&pool->nr_full);
	st->nr_bad = atomic_load(&pool->nr_bad);
}

void dmp_swiotlb_reset_hiwater(struct dmp_swiotlb_pool *pool)
{
	DMP_ASSERT(pool);
	for (unsigned int a = 0; a < pool->nareas; a++) {
		struct dmp__swiotlb_area *area = &pool->areas[a];
		dmp_spin_lock(&area->lock);
		area->hiwater = area->used;
		dmp_spin_unlock(&area->lock);
	}
}

/*
 * The walker.
 */
#define CHECK(cond, ...)                                                                \
	do {                                                                            \
		if (!(cond)) {                                                          \
			dmp_log("dmaport: swiotlb check failed: pool " __VA_ARGS__);   \
			goto bad;                                                       \
		}                                                                       \
	} while (0)

static int check_segment(struct dmp_swiotlb_pool *pool, size_t seg, size_t *used_out)
{
	const char *n = pool->name;
	size_t first = seg_first(seg), end = seg_end(pool, seg);
	uint16_t run = 0, longest = 0, nfree = 0;

	for (size_t i = end; i-- > first;) {
		const struct dmp__swiotlb_slot *sl = &pool->slots[i];
		if (pool->list[i] == 0) {
			run = 0;
			continue;
		}
		run++;
		nfree++;
		longest = DMP_MAX(longest, run);
		CHECK(pool->list[i] >= 1 && pool->list[i] <= run,
		      "%s slot %zu: free run %u, recorded %u", n, i, run, pool->list[i]);
		/* what take_slots' walk back relies on to stop early */
		CHECK(pool->list[i] <= (i + 1 < end ? pool->list[i + 1] : 0) + 1,
		      "%s slot %zu: count %u, one more than the next slot's %u at most", n, i,
		      pool->list[i], i + 1 < end ? pool->list[i + 1] : 0);
		CHECK(sl->head_dist == 0 && sl->flags == 0 && sl->nslots == 0,
		      "%s slot %zu: free but has mapping state", n, i);
	}
	CHECK(pool->segs[seg].nfree == nfree, "%s segment %zu: %u free, recorded %u", n, seg, nfree,
	      pool->segs[seg].nfree);
	CHECK(pool->segs[seg].longest >= longest, "%s segment %zu: longest run %u, bound %u", n,
	      seg, longest, pool->segs[seg].longest);

	/* Allocations: each head followed by its slots, all inside the segment. */
	for (size_t i = first; i < end;) {
		const struct dmp__swiotlb_slot *h = &pool->slots[i];
		if (pool->list[i] != 0) {
			i++;
			continue;
		}
		CHECK(h->head_dist == 0, "%s slot %zu: in use, no head before it in the segment", n, i);
		CHECK(h->flags == HEAD_LIVE || h->flags == HEAD_DYING, "%s slot %zu: bad head flags 0x%x",
		      n, i, h->flags);
		CHECK(h->nslots >= 1 && i + h->nslots <= end,
		      "%s slot %zu: allocation of %u slots crosses the segment end", n, i, h->nslots);
		CHECK(h->mapping_size >= 1 && h->mapping_size <= h->alloc_size,
		      "%s slot %zu: mapping size %u, alloc size %u", n, i, h->mapping_size,
		      h->alloc_size);
		CHECK((size_t)h->offset + h->alloc_size <= ((size_t)h->nslots << DMP_IO_TLB_SHIFT),
		      "%s slot %zu: offset %u + alloc size %u past its %u slots", n, i, h->offset,
		      h->alloc_size, h->nslots);
		for (size_t k = 1; k < h->nslots; k++) {
			const struct dmp__swiotlb_slot *sl = &pool->slots[i + k];
			CHECK(pool->list[i + k] == 0 && sl->head_dist == k && sl->flags == 0,
			      "%s slot %zu: not part of the allocation at slot %zu", n, i + k, i);
		}
		*used_out += h->nslots;
		i += h->nslots;
	}
	return 0;
bad:
	return -EINVAL;
}

int dmp_swiotlb_pool_check(struct dmp_swiotlb_pool *pool)
{
	DMP_ASSERT(pool && pool->meta);
	const char *n = pool->name;
	int ret = 0;
	size_t total = 0;

	for (unsigned int a = 0; a < pool->nareas; a++)
		dmp_spin_lock(&pool->areas[a].lock);

	CHECK(pool->nareas >= 1 && pool->nareas <= pool->nsegs, "%s: %u areas for %zu segments", n,
	      pool->nareas, pool->nsegs);
	size_t next_first = 0;
	for (unsigned int a = 0; a < pool->nareas; a++) {
		struct dmp__swiotlb_area *area = &pool->areas[a];
		size_t used = 0, nslots = 0;
		CHECK(area->first_seg == next_first && area->nsegs >= 1,
		      "%s area %u: segments not contiguous", n, a);
		CHECK(area->next_seg < area->nsegs, "%s area %u: search index %zu out of range", n, a,
		      area->next_seg);
		for (size_t s = area->first_seg; s < area->first_seg + area->nsegs; s++) {
			CHECK(pool->segs[s].area == a, "%s segment %zu: area %u, expected %u", n, s,
			      pool->segs[s].area, a);
			if (check_segment(pool, s, &used))
				goto bad;
			nslots += seg_end(pool, s) - seg_first(s);
		}
		CHECK(area->nslots == nslots, "%s area %u: %zu slots, recorded %zu", n, a, nslots,
		      area->nslots);
		CHECK(area->used == used, "%s area %u: %zu slots in use, recorded %zu", n, a, used,
		      area->used);
		CHECK(area->hiwater >= used, "%s area %u: high-water mark %zu below its use %zu", n,
		      a, area->hiwater, used);
		next_first += area->nsegs;
		total += used;
	}
	CHECK(next_first == pool->nsegs, "%s: areas cover %zu of %zu segments", n, next_first,
	      pool->nsegs);
	goto out;
bad:
	ret = -EINVAL;
out:
	for (unsigned int a = pool->nareas; a-- > 0;)
		dmp_spin_unlock(&pool->areas[a].lock);
	return ret;
}
