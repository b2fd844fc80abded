/* SPDX-License-Identifier: MIT */
/*
 * dmapool.c - pools of fixed-size coherent blocks (Linux's mm/dmapool.c).
 *
 * Memory comes in chunks: one dmp_alloc_coherent() of the pool's device, at
 * least a page (Linux's allocation unit: max(size, PAGE_SIZE)).  Every chunk
 * is carved the same way, so the block layout (block index -> offset) is one
 * table for the whole pool, and its inverse (offset -> index) is arithmetic.
 * Chunks are kept until the pool is destroyed, as in Linux: a driver's
 * steady state then allocates nothing.
 *
 * O(1) alloc and free:
 *   - each CPU slot has a cache of free blocks, two magazines of mag_size
 *     blocks (Bonwick's magazines, as Linux's IOVA rcache): alloc pops from
 *     the loaded one and free pushes to it, swapping with the other when it
 *     is empty or full; the slot is entered through its slot lock
 *     (src/slot-lock.h: for the thread that owns the slot, plain stores and
 *     loads, no atomic read-modify-write);
 *   - behind the caches, under the pool's lock: a depot of full magazines
 *     (a CPU hands over a full one and takes an empty one, or the reverse,
 *     in O(1) for mag_size blocks), then the list of the chunks that have a
 *     free block ("avail"), and in each chunk its free blocks as a singly
 *     linked list of indices in side metadata (next[]);
 *   - every block has a state in next[]: an index or BLOCK_END (free, on its
 *     chunk's list), BLOCK_CACHED (free, in a CPU's cache) or BLOCK_USED
 *     (allocated).  Free finds the block by arithmetic (its CPU's last chunk,
 *     else a lock-free hash table of the chunks' pages, then the offset's
 *     index by a multiplication) and refuses it unless it is BLOCK_USED: a
 *     double free is caught whether the block went to a cache or to a list,
 *     and a foreign pointer, a pointer inside a block or a wrong bus address
 *     is refused, all in a few loads.
 *
 * Why side metadata and not a free list through the blocks (Linux 6.x): the
 * allocator never writes to a free block, so the freed poison covers all of
 * it, and a stray CPU write after free is caught (at the next alloc of that
 * block) instead of corrupting the allocator's list.
 *
 * Lock order: a CPU slot's lock, then the pool's lock.  Whoever visits every
 * slot (drain, check) enters them all as a non-owner first, then takes the
 * pool's lock.
 */
#include <stdio.h>
#include <string.h>

#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/dmapool.h>

#include "../internal.h"
#include "../slot-lock.h"
#include "alloc-internal.h"
#include "dma-internal.h"

#ifdef NDEBUG
#define POOL_DEBUG_DEFAULT false
#else
#define POOL_DEBUG_DEFAULT true
#endif

#define BLOCK_END 0xffffffffu    /* end of a chunk's free list */
#define BLOCK_USED 0xfffffffeu   /* allocated */
#define BLOCK_CACHED 0xfffffffdu /* free, in a magazine (a CPU's or the depot's) */
#define BLOCK_SEEN 0xfffffffcu   /* dmp_pool_check's mark on a cached block, for a moment */

/* Magazines: at most POOL_MAG_MAX blocks and POOL_MAG_BYTES bytes each (a
 * CPU keeps two from the others); none when fewer than POOL_MAG_MIN blocks
 * would fit. */
#define POOL_MAG_MAX 64
#define POOL_MAG_BYTES (32 * 1024)
#define POOL_MAG_MIN 4

struct pool_chunk {
	uint8_t *vaddr;
	dmp_addr_t dma;
	struct pool_chunk *av_prev, *av_next; /* on pool->avail while it has a free block */
	struct pool_chunk *all_next;
	uint32_t in_use;    /* blocks off the free list (allocated or cached), under lock */
	uint32_t free_head;
	bool on_avail;
	/* per block: its state (above).  Atomic because a cached block's
	 * state changes under its CPU's slot lock, not the pool's; relaxed: the
	 * locks order the accesses, and only a misuse (two frees of a block at
	 * once) could race. */
	_Atomic uint32_t next[];
};

/* The chunks by CPU page number, for free: open addressing, read without
 * the lock.  Entries are only added (a chunk lives as long as the pool); a
 * table that grows is replaced by a bigger one, and the old one is kept
 * (older) until the pool dies, as a reader may still probe it. */
struct chunk_slot {
	_Atomic uintptr_t page; /* 0: empty; written last (release) */
	struct pool_chunk *_Atomic chunk;
};

struct chunk_table {
	size_t cap; /* a power of two */
	struct chunk_table *older;
	struct chunk_slot slot[];
};

/* One free block as a magazine holds it. */
struct pool_cached {
	struct pool_chunk *chunk;
	uint32_t idx, off;
};

/* A magazine: up to mag_size free blocks. */
struct pool_mag {
	uint32_t n;
	struct pool_mag *next; /* on the depot's full or empty list */
	struct pool_cached blk[];
};

/* One CPU slot's cache, a cache line of its own.  All but n are read and
 * written by the slot's holder only. */
struct pool_cpu {
	_Alignas(64) struct dmp_slot_lock slot;
	_Atomic uint32_t n;       /* blocks in loaded and prev (read racily by the stats) */
	/* the fast paths' capacity of loaded: mag_size once the magazines are
	 * there and poisoning is off, else 0 (every call takes the slow path) */
	uint32_t cap;
	struct pool_chunk *last;  /* the chunk of the last block freed here */
	struct pool_mag *loaded, *prev; /* allocated at first use */
};

struct dmp_dma_pool {
	/* constant after create */
	char name[DMP_POOL_NAME_MAX];
	struct dmp_device *dev;
	size_t size;       /* block size, rounded up to align */
	size_t align;
	size_t chunk_size; /* bytes per coherent allocation */
	size_t boundary;   /* segment size: chunk_size when no boundary applies */
	uint32_t nblocks;  /* per chunk */
	uint32_t per_seg;  /* blocks per boundary segment */
	/* an offset's segment and the offset in it: off >> seg_shift and
	 * off & seg_mask (63 and all ones when no boundary applies); the
	 * block in the segment: (in * div_mul) >> div_shift, which is in / size
	 * for every in below the segment (pool_create) */
	unsigned int seg_shift;
	size_t seg_mask;
	uint64_t div_mul;
	unsigned int div_shift;
	uint32_t *offsets; /* block index -> offset in its chunk */
	uint32_t mag_size; /* blocks per magazine; 0: no caches */
	bool managed;
	/* poison and check poison: a hint, read without the lock */
	_Atomic bool debug;

	/* written on alloc/free, under lock */
	dmp_spinlock_t lock;
	struct pool_chunk *avail;
	struct pool_chunk *all;
	size_t nr_chunks;
	size_t in_use;     /* blocks off the lists (allocated or cached) */
	struct pool_mag *depot_full, *depot_empty;
	size_t depot_blocks; /* in depot_full's magazines */
	struct chunk_table *_Atomic table;
	size_t table_used;

	/* on the managed list, under managed_lock */
	struct dmp_dma_pool *managed_next;

	struct pool_cpu cpu[DMP_MAX_CPUS];
};

static dmp_spinlock_t managed_lock = DMP_SPINLOCK_INIT;
static struct dmp_dma_pool *managed_head;

/* ---- helpers ------------------------------------------------------------- */

static unsigned int log2_exact(size_t x)
{
	return (unsigned int)__builtin_ctzll((unsigned long long)x);
}

static const char *pool_dev_name(const struct dmp_dma_pool *pool)
{
	return pool->dev ? dmp_dev_name(pool->dev) : "(no device)";
}

static uint32_t state_of(struct pool_chunk *c, uint32_t idx)
{
	return atomic_load_explicit(&c->next[idx], memory_order_relaxed);
}

static void set_state(struct pool_chunk *c, uint32_t idx, uint32_t st)
{
	atomic_store_explicit(&c->next[idx], st, memory_order_relaxed);
}

static bool pool_debug(const struct dmp_dma_pool *pool)
{
	return atomic_load_explicit(&pool->debug, memory_order_relaxed);
}

static size_t hash_slot(uintptr_t page, size_t cap)
{
	return (size_t)(((uint64_t)page * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

/* The chunk holding CPU address @va if it sits in the first slot the hash
 * gives (as most do: the table is at most half full), else NULL: the fast
 * path's lookup, a leaf.  Lock-free, as chunk_lookup. */
static inline struct pool_chunk *chunk_lookup_first(const struct dmp_dma_pool *pool,
						    const void *va)
{
	uintptr_t page = (uintptr_t)va >> DMP_PAGE_SHIFT;
	const struct chunk_table *t = atomic_load_explicit(&pool->table, memory_order_acquire);
	if (!t || !page)
		return NULL;
	const struct chunk_slot *s = &t->slot[hash_slot(page, t->cap)];
	if (atomic_load_explicit(&s->page, memory_order_acquire) != page)
		return NULL;
	return atomic_load_explicit(&s->chunk, memory_order_relaxed);
}

/* The chunk holding CPU address @va, or NULL.  Lock-free (struct
 * chunk_table): a chunk found was inserted before any of its blocks was
 * handed out. */
static struct pool_chunk *chunk_lookup(const struct dmp_dma_pool *pool, const void *va)
{
	uintptr_t page = (uintptr_t)va >> DMP_PAGE_SHIFT;
	const struct chunk_table *t = atomic_load_explicit(&pool->table, memory_order_acquire);
	if (!t || !page)
		return NULL;
	for (size_t i = hash_slot(page, t->cap);; i = (i + 1) & (t->cap - 1)) {
		const struct chunk_slot *s = &t->slot[i];
		uintptr_t p = atomic_load_explicit(&s->page, memory_order_acquire);
		if (p == page)
			return atomic_load_explicit(&s->chunk, memory_order_relaxed);
		if (!p)
			return NULL;
	}
}

static void table_put(struct chunk_table *t, uintptr_t page, struct pool_chunk *chunk)
{
	size_t i = hash_slot(page, t->cap);
	while (atomic_load_explicit(&t->slot[i].page, memory_order_relaxed))
		i = (i + 1) & (t->cap - 1);
	atomic_store_explicit(&t->slot[i].chunk, chunk, memory_order_relaxed);
	atomic_store_explicit(&t->slot[i].page, page, memory_order_release);
}

/* Under lock: room for @more entries at most half full; may allocate. */
static int table_reserve(struct dmp_dma_pool *pool, size_t more)
{
	struct chunk_table *old = atomic_load_explicit(&pool->table, memory_order_relaxed);
	size_t need = pool->table_used + more;
	if (old && need * 2 <= old->cap)
		return 0;
	size_t cap = old ? old->cap : 16;
	while (need * 2 > cap)
		cap *= 2;
	struct chunk_table *t = dmp_kzalloc(sizeof(*t) + cap * sizeof(t->slot[0]), DMP_GFP_ATOMIC);
	if (!t)
		return -ENOMEM;
	t->cap = cap;
	t->older = old;
	for (size_t i = 0; old && i < old->cap; i++) {
		uintptr_t page = atomic_load_explicit(&old->slot[i].page, memory_order_relaxed);
		if (page)
			table_put(t, page, atomic_load_explicit(&old->slot[i].chunk,
								memory_order_relaxed));
	}
	atomic_store_explicit(&pool->table, t, memory_order_release);
	return 0;
}

static void avail_add(struct dmp_dma_pool *pool, struct pool_chunk *c)
{
	c->av_prev = NULL;
	c->av_next = pool->avail;
	if (pool->avail)
		pool->avail->av_prev = c;
	pool->avail = c;
	c->on_avail = true;
}

static void avail_del(struct dmp_dma_pool *pool, struct pool_chunk *c)
{
	if (c->av_prev)
		c->av_prev->av_next = c->av_next;
	else
		pool->avail = c->av_next;
	if (c->av_next)
		c->av_next->av_prev = c->av_prev;
	c->av_prev = c->av_next = NULL;
	c->on_avail = false;
}

/*
 * The index of the block starting at offset @off (below chunk_size) of a
 * chunk, or -1 when @off is not the start of a block.  The inverse of the
 * carving in pool_create: blocks sit at multiples of size inside each
 * boundary segment.
 */
static inline long block_index(const struct dmp_dma_pool *pool, size_t off)
{
	size_t seg = off >> pool->seg_shift, in = off & pool->seg_mask;
	size_t k = (size_t)((in * pool->div_mul) >> pool->div_shift);
	if (in != k * pool->size || k >= pool->per_seg)
		return -1;
	size_t idx = seg * pool->per_seg + k;
	return idx < pool->nblocks ? (long)idx : -1;
}

static bool poisoned(const uint8_t *p, size_t n, uint8_t val, size_t *bad)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != val) {
			*bad = i;
			return false;
		}
	return true;
}

/* Under lock: take up to @want blocks off the lists into @out, in list
 * order, each now in state @st.  Returns how many. */
static uint32_t lists_pop(struct dmp_dma_pool *pool, struct pool_cached *out, uint32_t want,
			  uint32_t st)
{
	uint32_t got = 0;
	while (got < want && pool->avail) {
		struct pool_chunk *c = pool->avail;
		uint32_t idx = c->free_head, first = got;
		do {
			uint32_t next = state_of(c, idx);
			set_state(c, idx, st);
			out[got++] = (struct pool_cached){ c, idx, pool->offsets[idx] };
			idx = next;
		} while (got < want && idx != BLOCK_END);
		c->free_head = idx;
		c->in_use += got - first;
		if (idx == BLOCK_END)
			avail_del(pool, c);
	}
	pool->in_use += got;
	return got;
}

/* Under lock: block @idx of @c back on its chunk's list. */
static void list_push(struct dmp_dma_pool *pool, struct pool_chunk *c, uint32_t idx)
{
	if (c->free_head == BLOCK_END)
		avail_add(pool, c);
	set_state(c, idx, c->free_head);
	c->free_head = idx;
	c->in_use--;
	pool->in_use--;
}

/*
 * Enter every CPU slot of @pool as a non-owner (one barrier for all), then
 * take the pool's lock: nothing allocates or frees until pool_visit_end().
 */
static void pool_visit_begin(struct dmp_dma_pool *pool)
{
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		dmp_slot_remote_begin(&pool->cpu[cpu].slot);
	dmp_slot_remote_sync();
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		dmp_slot_remote_wait(&pool->cpu[cpu].slot);
	dmp_spin_lock(&pool->lock);
}

static void pool_visit_end(struct dmp_dma_pool *pool)
{
	dmp_spin_unlock(&pool->lock);
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		dmp_slot_remote_end(&pool->cpu[cpu].slot);
}

/* Under lock: @m's blocks back on the lists. */
static void mag_empty_locked(struct dmp_dma_pool *pool, struct pool_mag *m)
{
	for (uint32_t i = 0; m && i < m->n; i++)
		list_push(pool, m->blk[i].chunk, m->blk[i].idx);
	if (m)
		m->n = 0;
}

/* Inside pool_visit_begin/end: every cached block back on the lists (the
 * depot's magazines, empty, on its empty list). */
static void pool_drain_locked(struct dmp_dma_pool *pool)
{
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++) {
		struct pool_cpu *pc = &pool->cpu[cpu];
		mag_empty_locked(pool, pc->loaded);
		mag_empty_locked(pool, pc->prev);
		atomic_store_explicit(&pc->n, 0, memory_order_relaxed);
	}
	while (pool->depot_full) {
		struct pool_mag *m = pool->depot_full;
		pool->depot_full = m->next;
		mag_empty_locked(pool, m);
		m->next = pool->depot_empty;
		pool->depot_empty = m;
	}
	pool->depot_blocks = 0;
}

/* Every CPU's cached blocks back on the lists, for the other CPUs. */
static void pool_drain(struct dmp_dma_pool *pool)
{
	pool_visit_begin(pool);
	pool_drain_locked(pool);
	pool_visit_end(pool);
}

/* ---- create / destroy ---------------------------------------------------- */

/*
 * pool_create()'s check of its arguments (@align 0 already made 1): NULL if
 * they are good, else the fix for the first that is not.  Linux's limit
 * (size > INT_MAX is refused); also on align, so that the rounding in
 * pool_create() cannot wrap and a chunk's offsets fit 32 bits.
 */
static const char *pool_args_fix(const struct dmp_device *dev, size_t size, size_t align,
				 size_t boundary)
{
	if (!dev)
		return DMP__FIX_NO_DEVICE;
	if (!size)
		return "give a block size above 0";
	if (size > DMP__INT_MAX)
		return "give a block size of at most INT_MAX bytes (Linux's limit); a buffer that "
		       "large is one dma_alloc_coherent(), not a pool's block";
	if (align > DMP__INT_MAX || !DMP_IS_POW2(align))
		return "give an alignment that is a power of two (0 for none)";
	if (boundary && !DMP_IS_POW2(boundary))
		return "give a boundary that is a power of two (0 for none)";
	return NULL;
}

static struct dmp_dma_pool *pool_create(const char *name, struct dmp_device *dev, size_t size,
					size_t align, size_t boundary)
{
	if (!align)
		align = 1;
	const char *fix = pool_args_fix(dev, size, align, boundary);
	if (fix) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0, fix,
				"dma_pool_create %s: invalid arguments (device %s size %zu align %zu "
				"boundary %zu)", name ? name : "(null)", dev ? dmp_dev_name(dev) : "none",
				size, align, boundary);
		return NULL;
	}
	size = DMP_ALIGN_UP(size, align);
	if (boundary && boundary < size) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				"give a boundary of at least the block size rounded up to the "
				"alignment, or 0 for none",
				"dma_pool_create %s: boundary %zu below the block size %zu",
				name ? name : "(null)", boundary, size);
		return NULL;
	}
	size_t chunk = DMP_ALIGN_UP(DMP_MAX(size, (size_t)DMP_PAGE_SIZE), (size_t)DMP_PAGE_SIZE);
	/* Linux: boundary = min(boundary, allocation); a boundary at or above
	 * the chunk is kept by the chunk's own alignment (checked at alloc) */
	bool bounded = boundary && boundary < chunk;
	size_t seg = bounded ? boundary : chunk;
	uint32_t per_seg = (uint32_t)(seg / size);
	uint32_t nblocks = (uint32_t)((chunk / seg) * per_seg);
	if (chunk % seg && chunk % seg >= size) /* a partial last segment (chunk not a multiple) */
		nblocks += (uint32_t)((chunk % seg) / size);

	struct dmp_dma_pool *pool = dmp_kzalloc(sizeof(*pool), DMP_GFP_KERNEL);
	if (!pool)
		goto fail;
	pool->offsets = dmp_kmalloc(nblocks * sizeof(uint32_t), DMP_GFP_KERNEL);
	if (!pool->offsets)
		goto fail_pool;
	snprintf(pool->name, sizeof(pool->name), "%s", name ? name : "");
	pool->dev = dev;
	pool->size = size;
	pool->align = align;
	pool->chunk_size = chunk;
	pool->boundary = seg;
	pool->nblocks = nblocks;
	pool->per_seg = per_seg;
	pool->seg_shift = bounded ? log2_exact(seg) : 63;
	pool->seg_mask = bounded ? seg - 1 : ~(size_t)0;
	/* Division by size as a multiplication: with m = ceil(2^k / size) and
	 * 2^k >= N * size, (in * m) >> k == in / size for every in < N
	 * (Granlund and Montgomery): in * m = in / size + in * e / (size * 2^k)
	 * with e < size, and the error term stays below 1 - (in mod size) /
	 * size.  N = seg <= 2^31 and size < 2^31: the product fits 64 bits. */
	unsigned int k = 0;
	while ((UINT64_C(1) << k) < (uint64_t)seg * size)
		k++;
	pool->div_shift = k;
	pool->div_mul = ((UINT64_C(1) << k) + size - 1) / size;
	uint32_t fit = (uint32_t)DMP_MIN((size_t)POOL_MAG_MAX, POOL_MAG_BYTES / size);
	pool->mag_size = fit >= POOL_MAG_MIN ? fit : 0;
	atomic_init(&pool->debug, POOL_DEBUG_DEFAULT);
	dmp_spin_init(&pool->lock);
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		dmp_slot_init(&pool->cpu[cpu].slot);
	/* Carve as Linux's pool_init_page: a block that would cross the next
	 * boundary moves up to it. */
	uint32_t n = 0;
	for (size_t off = 0, next_boundary = seg; off + size <= chunk;) {
		if (off + size > next_boundary) {
			off = next_boundary;
			next_boundary += seg;
			continue;
		}
		pool->offsets[n++] = (uint32_t)off;
		off += size;
	}
	DMP_ASSERT(n == nblocks);
	return pool;

fail_pool:
	dmp_kfree(pool);
fail:
	return NULL;
}

struct dmp_dma_pool *dmp_pool_create(const char *name, struct dmp_device *dev, size_t size,
				     size_t align, size_t boundary)
{
	return pool_create(name, dev, size, align, boundary);
}

struct dmp_dma_pool *dmp_pool_create_managed(const char *name, struct dmp_device *dev,
					     size_t size, size_t align, size_t boundary)
{
	struct dmp_dma_pool *pool = pool_create(name, dev, size, align, boundary);
	if (!pool)
		return NULL;
	pool->managed = true;
	dmp_spin_lock(&managed_lock);
	pool->managed_next = managed_head;
	managed_head = pool;
	dmp_spin_unlock(&managed_lock);
	return pool;
}

static void managed_unlink(struct dmp_dma_pool *pool)
{
	dmp_spin_lock(&managed_lock);
	for (struct dmp_dma_pool **pp = &managed_head; *pp; pp = &(*pp)->managed_next)
		if (*pp == pool) {
			*pp = pool->managed_next;
			break;
		}
	dmp_spin_unlock(&managed_lock);
	pool->managed = false;
}

void dmp_pool_destroy(struct dmp_dma_pool *pool)
{
	if (!pool)
		return;
	if (pool->managed)
		managed_unlink(pool);
	pool_drain(pool); /* what is still in use is allocated */
	struct pool_chunk *c = pool->all;
	while (c) {
		struct pool_chunk *next = c->all_next;
		if (c->in_use) {
			/* Linux: "dma_pool_destroy %s, %p busy" - the device may
			 * still write there, so the chunk is leaked, not freed */
			for (uint32_t i = 0; i < pool->nblocks; i++)
				if (state_of(c, i) == BLOCK_USED)
					dmp__dma_misuse(pool->dev, DMP_DEBUG_LEAK, DMP__NO_SITE, 0,
							NULL,
							"dma_pool_destroy %s: block %p (bus address "
							"0x%llx, %zu bytes) still allocated; leaking "
							"its chunk", pool->name,
							(void *)(c->vaddr + pool->offsets[i]),
							(unsigned long long)(c->dma + pool->offsets[i]),
							pool->size);
		} else {
			dmp_free_coherent(pool->dev, pool->chunk_size, c->vaddr, c->dma);
		}
		dmp_kfree(c);
		c = next;
	}
	for (struct chunk_table *t = atomic_load(&pool->table), *older; t; t = older) {
		older = t->older;
		dmp_kfree(t);
	}
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++) {
		dmp_kfree(pool->cpu[cpu].loaded);
		dmp_kfree(pool->cpu[cpu].prev);
	}
	for (struct pool_mag *m = pool->depot_empty, *next; m; m = next) {
		next = m->next;
		dmp_kfree(m);
	}
	dmp_kfree(pool->offsets);
	dmp_kfree(pool);
}

void dmp_device_release_managed(struct dmp_device *dev)
{
	for (;;) {
		struct dmp_dma_pool *found = NULL;
		dmp_spin_lock(&managed_lock);
		for (struct dmp_dma_pool *p = managed_head; p; p = p->managed_next)
			if (p->dev == dev) {
				found = p; /* the newest first: the list is pushed at its head */
				break;
			}
		dmp_spin_unlock(&managed_lock);
		if (!found)
			return;
		dmp_pool_destroy(found);
	}
}

/* ---- alloc / free -------------------------------------------------------- */

/* A new chunk, allocated and initialised outside the lock. */
static struct pool_chunk *chunk_alloc(struct dmp_dma_pool *pool, dmp_gfp_t gfp)
{
	struct pool_chunk *c =
		dmp_kmalloc(sizeof(*c) + pool->nblocks * sizeof(c->next[0]), gfp & DMP_GFP_ATOMIC);
	if (!c)
		goto fail;
	c->vaddr = dmp_alloc_attrs(pool->dev, pool->chunk_size, &c->dma,
				   gfp & (DMP_GFP_ATOMIC | DMP_GFP_NOWARN), 0);
	if (!c->vaddr)
		goto fail_meta;
	/* Chunks are page aligned; larger alignments and boundaries rely on
	 * the coherent allocator aligning blocks to their size, which declared
	 * coherent memory does only relative to its start: check. */
	size_t need = DMP_MAX(pool->align, pool->boundary < pool->chunk_size ? pool->boundary : 1);
	/* the CPU alias is only page aligned on some platforms (the simulator
	 * maps memory where the host gives it): alignment beyond a page is a
	 * property of the bus address, as the device sees it */
	if (!DMP_IS_ALIGNED(c->dma, need) ||
	    !DMP_IS_ALIGNED((uintptr_t)c->vaddr, DMP_MIN(pool->align, (size_t)DMP_PAGE_SIZE))) {
		dmp_log("dmaport: dma_pool %s (device %s): coherent chunk at bus address 0x%llx is "
			 "not aligned to %zu", pool->name, pool_dev_name(pool),
			 (unsigned long long)c->dma, need);
		goto fail_mem;
	}
	c->in_use = 0;
	c->on_avail = false;
	c->av_prev = c->av_next = c->all_next = NULL;
	for (uint32_t i = 0; i < pool->nblocks; i++)
		atomic_init(&c->next[i], i + 1 < pool->nblocks ? i + 1 : BLOCK_END);
	c->free_head = 0;
	if (pool_debug(pool))
		dmp__fill(c->vaddr, DMP_POOL_POISON_FREED, pool->chunk_size);
	return c;

fail_mem:
	dmp_free_coherent(pool->dev, pool->chunk_size, c->vaddr, c->dma);
fail_meta:
	dmp_kfree(c);
fail:
	return NULL;
}

static void chunk_free(struct dmp_dma_pool *pool, struct pool_chunk *c)
{
	dmp_free_coherent(pool->dev, pool->chunk_size, c->vaddr, c->dma);
	dmp_kfree(c);
}

/* Under lock: make @c part of the pool. 0 or -ENOMEM (nothing changed). */
static int chunk_insert(struct dmp_dma_pool *pool, struct pool_chunk *c)
{
	size_t pages = pool->chunk_size >> DMP_PAGE_SHIFT;
	if (table_reserve(pool, pages))
		return -ENOMEM;
	struct chunk_table *t = atomic_load_explicit(&pool->table, memory_order_relaxed);
	for (size_t i = 0; i < pages; i++)
		table_put(t, ((uintptr_t)c->vaddr >> DMP_PAGE_SHIFT) + i, c);
	pool->table_used += pages;
	c->all_next = pool->all;
	pool->all = c;
	pool->nr_chunks++;
	avail_add(pool, c);
	return 0;
}

/* The calling thread's CPU slot of @pool, entered. */
static inline struct pool_cpu *pool_cpu_enter(struct dmp_dma_pool *pool,
					      enum dmp_slot_mode *mode)
{
	unsigned int self = dmp_cpu_slot();
	struct pool_cpu *pc = &pool->cpu[dmp_cpu_slot_index(self)];
	*mode = dmp_slot_lock(&pc->slot, self);
	return pc;
}

static struct pool_mag *mag_alloc(const struct dmp_dma_pool *pool)
{
	struct pool_mag *m =
		dmp_kmalloc(sizeof(*m) + pool->mag_size * sizeof(m->blk[0]), DMP_GFP_ATOMIC);
	if (m) {
		m->n = 0;
		m->next = NULL;
	}
	return m;
}

/* In @pc's slot: its two magazines, allocated at first use; false when the
 * pool has no caches or there is no memory (the lists then serve alone). */
static bool pool_cpu_mags(struct dmp_dma_pool *pool, struct pool_cpu *pc)
{
	if (pc->prev || !pool->mag_size)
		return pc->prev != NULL;
	if (!pc->loaded)
		pc->loaded = mag_alloc(pool);
	if (pc->loaded)
		pc->prev = mag_alloc(pool);
	pc->cap = pc->prev && !pool_debug(pool) ? pool->mag_size : 0;
	return pc->prev != NULL;
}

static void pool_cpu_swap(struct pool_cpu *pc)
{
	struct pool_mag *m = pc->loaded;
	pc->loaded = pc->prev;
	pc->prev = m;
}

/*
 * In @pc's slot, its loaded magazine empty: the other one if it has
 * blocks, else a full one from the depot (ours, empty, goes there), else
 * refilled from the lists; then one block into @b, now BLOCK_USED.  Without
 * magazines, one block of the lists.  Returns false when all are empty.
 */
static bool pool_refill(struct dmp_dma_pool *pool, struct pool_cpu *pc, struct pool_cached *b)
{
	if (!pool_cpu_mags(pool, pc)) {
		dmp_spin_lock(&pool->lock);
		bool got = lists_pop(pool, b, 1, BLOCK_USED) == 1;
		dmp_spin_unlock(&pool->lock);
		return got;
	}
	if (pc->prev->n) {
		pool_cpu_swap(pc);
	} else {
		dmp_spin_lock(&pool->lock);
		struct pool_mag *full = pool->depot_full;
		if (full) {
			pool->depot_full = full->next;
			pool->depot_blocks -= full->n;
			pc->loaded->next = pool->depot_empty;
			pool->depot_empty = pc->loaded;
			pc->loaded = full;
		} else {
			pc->loaded->n = lists_pop(pool, pc->loaded->blk, pool->mag_size, BLOCK_CACHED);
		}
		dmp_spin_unlock(&pool->lock);
		if (!pc->loaded->n)
			return false;
		atomic_store_explicit(&pc->n, pc->loaded->n, memory_order_relaxed);
	}
	struct pool_mag *m = pc->loaded;
	*b = m->blk[--m->n];
	set_state(b->chunk, b->idx, BLOCK_USED);
	atomic_store_explicit(&pc->n, atomic_load_explicit(&pc->n, memory_order_relaxed) - 1,
			      memory_order_relaxed);
	return true;
}

/*
 * The lists are empty: a new chunk, allocated outside every lock (it may
 * block), and a block of the lists for the caller (of the new chunk, unless
 * another thread added one meanwhile: then ours is not needed).  When no
 * chunk can be had, the blocks the CPUs' caches hold go back to the lists
 * first, and one of them is taken.  Returns false when there is none.
 */
static DMP__NOINLINE bool pool_grow(struct dmp_dma_pool *pool, dmp_gfp_t gfp,
				    struct pool_cached *b)
{
	struct pool_chunk *spare = chunk_alloc(pool, gfp);
	bool got;
	if (!spare) {
		pool_visit_begin(pool);
		pool_drain_locked(pool);
		got = lists_pop(pool, b, 1, BLOCK_USED) == 1;
		pool_visit_end(pool);
		return got;
	}
	dmp_spin_lock(&pool->lock);
	if (!pool->avail && chunk_insert(pool, spare) == 0)
		spare = NULL;
	got = lists_pop(pool, b, 1, BLOCK_USED) == 1;
	dmp_spin_unlock(&pool->lock);
	if (spare)
		chunk_free(pool, spare);
	return got;
}

/* The allocated block @b as the caller gets it: poison checked, zeroed or
 * poisoned as asked. */
static void *block_hand_out(struct dmp_dma_pool *pool, struct pool_cached b, dmp_gfp_t gfp,
			    dmp_addr_t *handle)
{
	uint8_t *va = b.chunk->vaddr + b.off;
	*handle = b.chunk->dma + b.off;
	bool debug = pool_debug(pool);
	if (debug) {
		size_t bad;
		if (!poisoned(va, pool->size, DMP_POOL_POISON_FREED, &bad))
			dmp__dma_misuse(pool->dev, DMP_DEBUG_POOL_WRITE_AFTER_FREE, DMP__NO_SITE, 0,
					NULL,
					"dma_pool %s: block %p was written after it was freed (byte "
					"%zu is 0x%02x, not 0x%02x)", pool->name, (void *)va, bad,
					va[bad], DMP_POOL_POISON_FREED);
	}
	if (gfp & DMP_GFP_ZERO)
		dmp__fill(va, 0, pool->size);
	else if (debug)
		dmp__fill(va, DMP_POOL_POISON_ALLOCATED, pool->size);
	return va;
}

/*
 * Every allocation but the fast path's (below): any @gfp, poisoning on, the
 * cache empty (refilled from the lists, or a new chunk), no cache, a thread
 * that shares its CPU slot.
 */
static DMP__NOINLINE void *pool_alloc_slow(struct dmp_dma_pool *pool, dmp_gfp_t gfp,
					   dmp_addr_t *handle)
{
	if (dmp__unlikely(!pool || !handle)) {
		/* a pool whose creation failed, unchecked: Linux dereferences it */
		dmp__dma_misuse(NULL, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				"pass the pool dma_pool_create() returned and a dma_addr_t * for "
				"the block's bus address",
				"dma_pool_alloc with no %s", pool ? "handle" : "pool");
		if (handle)
			*handle = DMP_MAPPING_ERROR;
		return NULL;
	}
	enum dmp_slot_mode mode;
	struct pool_cpu *pc = pool_cpu_enter(pool, &mode);
	struct pool_cached b;
	struct pool_mag *m = pc->loaded;
	bool got = true;
	if (m && m->n) {
		b = m->blk[--m->n];
		set_state(b.chunk, b.idx, BLOCK_USED);
		atomic_store_explicit(&pc->n, atomic_load_explicit(&pc->n, memory_order_relaxed) - 1,
				      memory_order_relaxed);
	} else {
		got = pool_refill(pool, pc, &b);
	}
	dmp_slot_unlock(&pc->slot, mode);
	if (!got && !pool_grow(pool, gfp, &b)) {
		*handle = DMP_MAPPING_ERROR;
		return NULL;
	}
	return block_hand_out(pool, b, gfp, handle);
}

/*
 * The fast path: a block from the CPU's cache, by the slot's owner, with
 * poisoning off.  A leaf (no call): NULL sends the caller to the slow path.
 */
static inline void *pool_alloc_fast(struct dmp_dma_pool *pool, dmp_addr_t *handle)
{
	unsigned int self = dmp__cpu_self; /* ~0u, unassigned, counts as shared */
	struct pool_cpu *pc = &pool->cpu[dmp_cpu_slot_index(self)];
	if (!dmp_slot_try_owner(&pc->slot, self))
		return NULL;
	struct pool_mag *m = pc->loaded;
	/* cap 0: no magazines yet, or poisoning on */
	if (dmp__unlikely(!pc->cap || !m->n)) {
		dmp_slot_owner_exit(&pc->slot);
		return NULL;
	}
	struct pool_cached b = m->blk[--m->n];
	set_state(b.chunk, b.idx, BLOCK_USED);
	atomic_store_explicit(&pc->n, atomic_load_explicit(&pc->n, memory_order_relaxed) - 1,
			      memory_order_relaxed);
	dmp_slot_owner_exit(&pc->slot);
	*handle = b.chunk->dma + b.off;
	return b.chunk->vaddr + b.off;
}

void *dmp_pool_alloc(struct dmp_dma_pool *pool, dmp_gfp_t gfp, dmp_addr_t *handle)
{
	void *va;
	if (dmp__likely(pool && handle && !(gfp & DMP_GFP_ZERO)) &&
	    (va = pool_alloc_fast(pool, handle)))
		return va;
	return pool_alloc_slow(pool, gfp, handle);
}

void *dmp_pool_zalloc(struct dmp_dma_pool *pool, dmp_gfp_t gfp, dmp_addr_t *handle)
{
	void *va;
	if (dmp__likely(pool && handle) && (va = pool_alloc_fast(pool, handle))) {
		dmp__fill(va, 0, pool->size);
		return va;
	}
	return pool_alloc_slow(pool, gfp | DMP_GFP_ZERO, handle);
}

/*
 * In @pc's slot: the allocated block of @pool at @vaddr with bus address
 * @dma, into @b; or NULL and why not.  The chunk is found in the chunk
 * table, the index by arithmetic.
 */
static const char *block_of(struct dmp_dma_pool *pool, struct pool_cpu *pc, void *vaddr,
			    dmp_addr_t dma, struct pool_cached *b)
{
	struct pool_chunk *c = chunk_lookup(pool, vaddr);
	if (!c)
		return "not allocated from this pool";
	pc->last = c;
	size_t off = (size_t)((uint8_t *)vaddr - c->vaddr);
	long idx = block_index(pool, off);
	if (idx < 0)
		return "not the start of a block (misaligned within its page)";
	if (c->dma + off != dma)
		return "the bus address does not match the block's";
	if (state_of(c, (uint32_t)idx) != BLOCK_USED)
		return "already free (double free)";
	*b = (struct pool_cached){ c, (uint32_t)idx, (uint32_t)off };
	return NULL;
}

/*
 * In @pc's slot, its loaded magazine full: the other one if it has room,
 * else the full one goes to the depot for an empty one (from the depot, or
 * new); with no memory for one, its blocks go back on the lists.
 */
static void pool_unload(struct dmp_dma_pool *pool, struct pool_cpu *pc)
{
	if (pc->prev->n < pool->mag_size) {
		pool_cpu_swap(pc);
		return;
	}
	dmp_spin_lock(&pool->lock);
	struct pool_mag *empty = pool->depot_empty;
	if (empty)
		pool->depot_empty = empty->next;
	dmp_spin_unlock(&pool->lock);
	if (!empty)
		empty = mag_alloc(pool);
	dmp_spin_lock(&pool->lock);
	if (empty) {
		pc->loaded->next = pool->depot_full;
		pool->depot_full = pc->loaded;
		pool->depot_blocks += pc->loaded->n;
		pc->loaded = empty;
	} else {
		mag_empty_locked(pool, pc->loaded);
	}
	dmp_spin_unlock(&pool->lock);
	atomic_store_explicit(&pc->n, pc->prev->n, memory_order_relaxed);
}

/*
 * dmp_pool_free's every case but the fast path's (below): a block in a chunk
 * other than the CPU's last, a bad free (reported, nothing changed),
 * poisoning on, the cache full (half of it back on the lists, then the block
 * in) or missing (the block straight onto the lists), a thread that shares
 * its CPU slot.
 */
static DMP__NOINLINE void pool_free_slow(struct dmp_dma_pool *pool, void *vaddr, dmp_addr_t dma,
					 const char *file, int line)
{
	if (!pool) {
		/* a new call: a finding the call before it made must not hide this one */
		dmp__set_site(file, line);
		dmp__dma_misuse(NULL, DMP_DEBUG_POOL_BAD_FREE, file, line, NULL,
				"dma_pool_free of %p with no pool; ignored", vaddr);
		return;
	}
	enum dmp_slot_mode mode;
	struct pool_cpu *pc = pool_cpu_enter(pool, &mode);
	struct pool_cached b;
	const char *why = block_of(pool, pc, vaddr, dma, &b);
	if (why) {
		dmp_slot_unlock(&pc->slot, mode);
		dmp__set_site(file, line);
		dmp__dma_misuse(pool->dev, DMP_DEBUG_POOL_BAD_FREE, file, line, NULL,
				"dma_pool_free %s: block %p (bus address 0x%llx): %s; ignored",
				pool->name, vaddr, (unsigned long long)dma, why);
		return;
	}
	if (pool_debug(pool))
		dmp__fill(vaddr, DMP_POOL_POISON_FREED, pool->size);
	if (!pool_cpu_mags(pool, pc)) {
		dmp_spin_lock(&pool->lock);
		list_push(pool, b.chunk, b.idx);
		dmp_spin_unlock(&pool->lock);
		dmp_slot_unlock(&pc->slot, mode);
		return;
	}
	if (pc->loaded->n == pool->mag_size)
		pool_unload(pool, pc);
	set_state(b.chunk, b.idx, BLOCK_CACHED);
	pc->loaded->blk[pc->loaded->n++] = b;
	atomic_store_explicit(&pc->n, atomic_load_explicit(&pc->n, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	dmp_slot_unlock(&pc->slot, mode);
}

/*
 * The fast path, a leaf: by the slot's owner, poisoning off, a block of the
 * chunk of this CPU's last free, and room in its cache.  Every check of
 * block_of in a few instructions: the chunk by one comparison, the index by
 * a multiplication, the bus address, the state.  False: nothing done.
 */
static inline bool pool_free_fast(struct dmp_dma_pool *pool, void *vaddr, dmp_addr_t dma)
{
	unsigned int self = dmp__cpu_self;
	struct pool_cpu *pc = &pool->cpu[dmp_cpu_slot_index(self)];
	if (!dmp_slot_try_owner(&pc->slot, self))
		return false;
	struct pool_mag *m = pc->loaded;
	if (dmp__unlikely(!pc->cap || m->n == pc->cap))
		goto slow; /* no magazines yet, poisoning on, or full */
	struct pool_chunk *c = pc->last;
	size_t off = (size_t)((uintptr_t)vaddr - (uintptr_t)(c ? c->vaddr : NULL));
	if (dmp__unlikely(!c || off >= pool->chunk_size)) {
		/* another chunk than the last one's: the table, lock-free */
		c = chunk_lookup_first(pool, vaddr);
		if (!c)
			goto slow;
		pc->last = c;
		off = (size_t)((uint8_t *)vaddr - c->vaddr);
	}
	long idx = block_index(pool, off);
	if (dmp__unlikely(idx < 0 || c->dma + off != dma ||
			  state_of(c, (uint32_t)idx) != BLOCK_USED))
		goto slow;
	set_state(c, (uint32_t)idx, BLOCK_CACHED);
	m->blk[m->n++] = (struct pool_cached){ c, (uint32_t)idx, (uint32_t)off };
	atomic_store_explicit(&pc->n, atomic_load_explicit(&pc->n, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	dmp_slot_owner_exit(&pc->slot);
	return true;
slow:
	dmp_slot_owner_exit(&pc->slot);
	return false;
}

void dmp__pool_free(struct dmp_dma_pool *pool, void *vaddr, dmp_addr_t dma, const char *file,
		    int line)
{
	if (!vaddr)
		return;
	if (dmp__likely(pool) && pool_free_fast(pool, vaddr, dma))
		return;
	pool_free_slow(pool, vaddr, dma, file, line);
}

/* ---- introspection ------------------------------------------------------- */

void dmp_pool_get_stats(struct dmp_dma_pool *pool, struct dmp_pool_stats *st)
{
	DMP_ASSERT(pool && st);
	/* the caches' counts read without entering their slots: exact when no
	 * call runs at the same time, a snapshot otherwise */
	size_t cached = 0;
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		cached += atomic_load_explicit(&pool->cpu[cpu].n, memory_order_relaxed);
	dmp_spin_lock(&pool->lock);
	cached += pool->depot_blocks;
	st->block_size = pool->size;
	st->chunk_size = pool->chunk_size;
	st->blocks_per_chunk = pool->nblocks;
	st->nr_chunks = pool->nr_chunks;
	st->nr_blocks = pool->nr_chunks * pool->nblocks;
	st->nr_cached = DMP_MIN(cached, pool->in_use);
	st->nr_active = pool->in_use - st->nr_cached;
	st->cache_blocks = 2 * (size_t)pool->mag_size;
	dmp_spin_unlock(&pool->lock);
}

void dmp_pool_set_debug(struct dmp_dma_pool *pool, bool on)
{
	DMP_ASSERT(pool);
	pool_visit_begin(pool);
	/* turning poisoning on: free blocks must carry the poison from now,
	 * those the caches held included (they go back to the lists) */
	pool_drain_locked(pool);
	bool was = pool_debug(pool), now = on && POOL_DEBUG_DEFAULT;
	atomic_store_explicit(&pool->debug, now, memory_order_relaxed);
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++)
		pool->cpu[cpu].cap = pool->cpu[cpu].prev && !now ? pool->mag_size : 0;
	if (now && !was)
		for (struct pool_chunk *c = pool->all; c; c = c->all_next)
			for (uint32_t i = c->free_head; i != BLOCK_END; i = state_of(c, i))
				dmp__fill(c->vaddr + pool->offsets[i], DMP_POOL_POISON_FREED,
					  pool->size);
	pool_visit_end(pool);
}

#define CHECK(cond, ...)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			dmp_log("dmaport: dma_pool_check " __VA_ARGS__);                \
			goto bad;                                                             \
		}                                                                             \
	} while (0)

/* Inside a visit: every block dmp_pool_check marked BLOCK_SEEN is BLOCK_CACHED
 * again. */
static void unmark_seen(struct dmp_dma_pool *pool)
{
	for (struct pool_chunk *c = pool->all; c; c = c->all_next)
		for (uint32_t i = 0; i < pool->nblocks; i++)
			if (state_of(c, i) == BLOCK_SEEN)
				set_state(c, i, BLOCK_CACHED);
}

/* Inside a visit: magazine @m (of @who) holds distinct blocks, each
 * BLOCK_CACHED (then marked BLOCK_SEEN, until unmark_seen), still poisoned
 * in debug.  Adds its blocks to *@count. */
static int check_mag(struct dmp_dma_pool *pool, const struct pool_mag *m, const char *who,
		     size_t *count)
{
	CHECK(m->n <= pool->mag_size, "%s: %s holds %u blocks", pool->name, who, m->n);
	for (uint32_t k = 0; k < m->n; k++) {
		struct pool_cached b = m->blk[k];
		CHECK(b.idx < pool->nblocks && b.off == pool->offsets[b.idx] &&
			      chunk_lookup(pool, b.chunk->vaddr) == b.chunk,
		      "%s: %s's entry %u is no block", pool->name, who, k);
		uint32_t st = state_of(b.chunk, b.idx);
		CHECK(st == BLOCK_CACHED, "%s: block %p in %s is %s", pool->name,
		      (void *)(b.chunk->vaddr + b.off), who,
		      st == BLOCK_SEEN ? "cached twice" : st == BLOCK_USED ? "allocated"
									: "on a free list");
		set_state(b.chunk, b.idx, BLOCK_SEEN);
		size_t bad = 0;
		CHECK(!pool_debug(pool) || poisoned(b.chunk->vaddr + b.off, pool->size,
						    DMP_POOL_POISON_FREED, &bad),
		      "%s: free block %p was written after free (byte %zu)", pool->name,
		      (void *)(b.chunk->vaddr + b.off), bad);
	}
	*count += m->n;
	return 0;
bad:
	return -EFAULT;
}

/* Inside a visit: every magazine, the CPUs' and the depot's (check_mag),
 * and the counts kept of them. */
static int check_caches(struct dmp_dma_pool *pool)
{
	for (unsigned int cpu = 0; cpu < DMP_MAX_CPUS; cpu++) {
		struct pool_cpu *pc = &pool->cpu[cpu];
		size_t n = 0;
		CHECK(!pc->cap || (pc->prev && pc->cap == pool->mag_size && !pool_debug(pool)),
		      "%s: CPU %u's fast paths are open wrongly", pool->name, cpu);
		if (pc->loaded && check_mag(pool, pc->loaded, "a CPU's magazine", &n))
			goto bad;
		if (pc->prev && check_mag(pool, pc->prev, "a CPU's magazine", &n))
			goto bad;
		CHECK(n == atomic_load_explicit(&pc->n, memory_order_relaxed),
		      "%s: CPU %u caches %zu blocks, counts %u", pool->name, cpu, n,
		      atomic_load_explicit(&pc->n, memory_order_relaxed));
	}
	size_t n = 0;
	for (struct pool_mag *m = pool->depot_full; m; m = m->next) {
		CHECK(m->n == pool->mag_size, "%s: a magazine of the depot is not full", pool->name);
		if (check_mag(pool, m, "the depot", &n))
			goto bad;
	}
	CHECK(n == pool->depot_blocks, "%s: the depot holds %zu blocks, counts %zu", pool->name, n,
	      pool->depot_blocks);
	for (struct pool_mag *m = pool->depot_empty; m; m = m->next)
		CHECK(m->n == 0, "%s: a magazine of the depot's empty list is not", pool->name);
	return 0;
bad:
	return -EFAULT;
}

int dmp_pool_check(struct dmp_dma_pool *pool)
{
	DMP_ASSERT(pool);
	pool_visit_begin(pool);
	size_t chunks = 0, in_use = 0, with_free = 0;
	if (check_caches(pool))
		goto bad;
	for (struct pool_chunk *c = pool->all; c; c = c->all_next) {
		CHECK(++chunks <= pool->nr_chunks, "%s: more chunks than counted", pool->name);
		uint32_t used = 0, cached = 0;
		for (uint32_t i = 0; i < pool->nblocks; i++) {
			uint32_t st = state_of(c, i);
			CHECK(st != BLOCK_CACHED, "%s: block %p is cached in no CPU's cache",
			      pool->name, (void *)(c->vaddr + pool->offsets[i]));
			used += st == BLOCK_USED;
			cached += st == BLOCK_SEEN;
		}
		CHECK(used + cached == c->in_use,
		      "%s: chunk %p has %u blocks allocated and %u cached, counts %u in use",
		      pool->name, (void *)c->vaddr, used, cached, c->in_use);
		uint32_t nfree = 0;
		for (uint32_t i = c->free_head; i != BLOCK_END; i = state_of(c, i)) {
			CHECK(i < pool->nblocks && nfree < pool->nblocks - c->in_use,
			      "%s: chunk %p: free list broken at index %u", pool->name,
			      (void *)c->vaddr, i);
			nfree++;
			if (pool_debug(pool)) {
				size_t bad;
				const uint8_t *b = c->vaddr + pool->offsets[i];
				CHECK(poisoned(b, pool->size, DMP_POOL_POISON_FREED, &bad),
				      "%s: free block %p was written after free (byte %zu)",
				      pool->name, (const void *)b, bad);
			}
		}
		CHECK(nfree + c->in_use == pool->nblocks, "%s: chunk %p: %u free + %u in use != %u",
		      pool->name, (void *)c->vaddr, nfree, c->in_use, pool->nblocks);
		CHECK(c->on_avail == (nfree > 0), "%s: chunk %p %s the available list", pool->name,
		      (void *)c->vaddr, c->on_avail ? "wrongly on" : "missing from");
		with_free += nfree > 0;
		in_use += c->in_use;
		for (size_t p = 0; p < pool->chunk_size; p += DMP_PAGE_SIZE)
			CHECK(chunk_lookup(pool, c->vaddr + p) == c,
			      "%s: page %p of chunk %p not found by address", pool->name,
			      (void *)(c->vaddr + p), (void *)c->vaddr);
	}
	CHECK(chunks == pool->nr_chunks, "%s: %zu chunks, counted %zu", pool->name, chunks,
	      pool->nr_chunks);
	CHECK(in_use == pool->in_use, "%s: %zu blocks in use, counted %zu", pool->name, in_use,
	      pool->in_use);
	size_t n = 0;
	for (struct pool_chunk *c = pool->avail, *prev = NULL; c; prev = c, c = c->av_next) {
		CHECK(++n <= with_free && c->av_prev == prev && c->on_avail,
		      "%s: available list broken", pool->name);
	}
	CHECK(n == with_free, "%s: %zu chunks on the available list, %zu have free blocks",
	      pool->name, n, with_free);
	CHECK(pool->table_used == chunks * (pool->chunk_size >> DMP_PAGE_SHIFT),
	      "%s: address table holds %zu pages", pool->name, pool->table_used);
	unmark_seen(pool);
	pool_visit_end(pool);
	return 0;
bad:
	unmark_seen(pool);
	pool_visit_end(pool);
	return -EFAULT;
}
