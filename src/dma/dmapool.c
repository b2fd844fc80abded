/* SPDX-License-Identifier: MIT */
/*
 * dmapool.c - pools of fixed-size coherent blocks (Linux's mm/dmapool.c).
 *
 * Memory comes in chunks: one dmp_alloc_coherent() of the pool's device, at
 * least a page (Linux's allocation unit: max(size, PAGE_SIZE)).  Every chunk
 * is carved the same way, so the block layout (block index -> offset) is one
 * table for the whole pool.  Chunks are kept until the pool is destroyed, as
 * in Linux: a driver's steady state then allocates nothing.
 *
 * O(1) alloc and free:
 *   - the pool keeps a list of the chunks that have a free block ("avail");
 *     alloc takes the first block of the first of them;
 *   - each chunk keeps its free blocks as a singly linked list of indices in
 *     side metadata (next[]), where an allocated block is marked BLOCK_USED:
 *     that mark is what makes a double free an O(1) check;
 *   - free finds the chunk from the block's address through a hash table of
 *     the chunks' pages (open addressing; chunks are never removed before
 *     the pool dies, so the table only grows).
 *
 * Why side metadata and not a free list through the blocks (Linux 6.x): the
 * allocator never writes to a free block, so the freed poison covers all of
 * it, and a stray CPU write after free is caught (at the next alloc of that
 * block) instead of corrupting the allocator's list.
 */
#include <stdio.h>
#include <string.h>

#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/dmapool.h>

#include "../internal.h"
#include "alloc-internal.h"
#include "dma-internal.h"

#ifdef NDEBUG
#define POOL_DEBUG_DEFAULT false
#else
#define POOL_DEBUG_DEFAULT true
#endif

#define BLOCK_END 0xffffffffu  /* end of a chunk's free list */
#define BLOCK_USED 0xfffffffeu /* next[] of an allocated block */

struct pool_chunk {
	uint8_t *vaddr;
	dmp_addr_t dma;
	struct pool_chunk *av_prev, *av_next; /* on pool->avail while it has a free block */
	struct pool_chunk *all_next;
	uint32_t in_use;
	uint32_t free_head;
	bool on_avail;
	uint32_t next[]; /* per block: next free index, BLOCK_END or BLOCK_USED */
};

struct chunk_slot {
	uintptr_t page; /* CPU page number of one of the chunk's pages; 0: empty */
	struct pool_chunk *chunk;
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
	unsigned int size_shift;  /* log2(size) when size is a power of two, else 0 */
	unsigned int bound_shift; /* log2(boundary) when a boundary applies, else 0 */
	uint32_t *offsets; /* block index -> offset in its chunk */
	bool managed;
	bool debug;        /* poison and check poison (written under lock, read racily: a hint) */

	/* written on alloc/free, under lock */
	dmp_spinlock_t lock;
	struct pool_chunk *avail;
	struct pool_chunk *all;
	size_t nr_chunks;
	size_t nr_active;
	struct chunk_slot *table;
	size_t table_cap; /* a power of two */
	size_t table_used;

	/* on the managed list, under managed_lock */
	struct dmp_dma_pool *managed_next;
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

static size_t hash_slot(uintptr_t page, size_t cap)
{
	return (size_t)(((uint64_t)page * DMP__GOLDEN_RATIO_64) >> 17) & (cap - 1);
}

/* Under lock: the chunk holding CPU address @va, or NULL. */
static struct pool_chunk *chunk_lookup(const struct dmp_dma_pool *pool, const void *va)
{
	uintptr_t page = (uintptr_t)va >> DMP_PAGE_SHIFT;
	if (!pool->table || !page)
		return NULL;
	for (size_t i = hash_slot(page, pool->table_cap);; i = (i + 1) & (pool->table_cap - 1)) {
		const struct chunk_slot *s = &pool->table[i];
		if (s->page == page)
			return s->chunk;
		if (!s->page)
			return NULL;
	}
}

static void table_put(struct chunk_slot *table, size_t cap, uintptr_t page,
		      struct pool_chunk *chunk)
{
	size_t i = hash_slot(page, cap);
	while (table[i].page)
		i = (i + 1) & (cap - 1);
	table[i].page = page;
	table[i].chunk = chunk;
}

/* Under lock: room for @more entries at most half full; may allocate. */
static int table_reserve(struct dmp_dma_pool *pool, size_t more)
{
	size_t need = pool->table_used + more;
	if (pool->table && need * 2 <= pool->table_cap)
		return 0;
	size_t cap = pool->table_cap ? pool->table_cap : 16;
	while (need * 2 > cap)
		cap *= 2;
	struct chunk_slot *t = dmp_kzalloc(cap * sizeof(*t), DMP_GFP_ATOMIC);
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < pool->table_cap; i++)
		if (pool->table[i].page)
			table_put(t, cap, pool->table[i].page, pool->table[i].chunk);
	dmp_kfree(pool->table);
	pool->table = t;
	pool->table_cap = cap;
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
 * The index of the block starting at offset @off of a chunk, or -1 when @off
 * is not the start of a block.  The inverse of the carving in pool_create:
 * blocks sit at multiples of size inside each boundary segment.
 */
static long block_index(const struct dmp_dma_pool *pool, size_t off)
{
	if (off >= pool->chunk_size)
		return -1;
	size_t seg = pool->bound_shift ? off >> pool->bound_shift : 0;
	size_t in = pool->bound_shift ? off & (pool->boundary - 1) : off;
	size_t k, rem;
	if (DMP_IS_POW2(pool->size)) {
		k = in >> pool->size_shift;
		rem = in & (pool->size - 1);
	} else {
		k = in / pool->size;
		rem = in % pool->size;
	}
	if (rem || k >= pool->per_seg)
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

/* ---- create / destroy ---------------------------------------------------- */

static struct dmp_dma_pool *pool_create(const char *name, struct dmp_device *dev, size_t size,
					size_t align, size_t boundary)
{
	if (!align)
		align = 1;
	/* Linux's limit (size > INT_MAX is refused); also on align, so that the
	 * rounding below cannot wrap and a chunk's offsets fit 32 bits */
	if (!dev || !size || size > DMP__INT_MAX || align > DMP__INT_MAX || !DMP_IS_POW2(align) ||
	    (boundary && !DMP_IS_POW2(boundary))) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				"dma_pool_create %s: invalid arguments (device %s size %zu align %zu "
				"boundary %zu)", name ? name : "(null)", dev ? dmp_dev_name(dev) : "none",
				size, align, boundary);
		return NULL;
	}
	size = DMP_ALIGN_UP(size, align);
	if (boundary && boundary < size) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
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
	pool->size_shift = DMP_IS_POW2(size) ? log2_exact(size) : 0;
	pool->bound_shift = bounded ? log2_exact(seg) : 0;
	pool->debug = POOL_DEBUG_DEFAULT;
	dmp_spin_init(&pool->lock);
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
	struct pool_chunk *c = pool->all;
	while (c) {
		struct pool_chunk *next = c->all_next;
		if (c->in_use) {
			/* Linux: "dma_pool_destroy %s, %p busy" - the device may
			 * still write there, so the chunk is leaked, not freed */
			for (uint32_t i = 0; i < pool->nblocks; i++)
				if (c->next[i] == BLOCK_USED)
					dmp__dma_misuse(pool->dev, DMP_DEBUG_LEAK, DMP__NO_SITE, 0,
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
	dmp_kfree(pool->table);
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
		dmp_kmalloc(sizeof(*c) + pool->nblocks * sizeof(uint32_t), gfp & DMP_GFP_ATOMIC);
	if (!c)
		goto fail;
	c->vaddr = dmp_alloc_attrs(pool->dev, pool->chunk_size, &c->dma,
				   gfp & (DMP_GFP_ATOMIC | DMP_GFP_NOWARN), 0);
	if (!c->vaddr)
		goto fail_meta;
	/* Chunks are page aligned; larger alignments and boundaries rely on
	 * the coherent allocator aligning blocks to their size, which declared
	 * coherent memory does only relative to its start: check. */
	size_t need = DMP_MAX(pool->align, pool->bound_shift ? pool->boundary : 1);
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
		c->next[i] = i + 1 < pool->nblocks ? i + 1 : BLOCK_END;
	c->free_head = 0;
	if (pool->debug)
		dmp__fill(c->vaddr, DMP_POOL_POISON_FREED, pool->chunk_size);
	return c;

fail_mem:
	dmp_free_coherent(pool->dev, pool->chunk_size, c->vaddr, c->dma);
fail_meta:
	dmp_kfree(c);
fail:
	return NULL;
}

/* Under lock: make @c part of the pool. 0 or -ENOMEM (nothing changed). */
static int chunk_insert(struct dmp_dma_pool *pool, struct pool_chunk *c)
{
	size_t pages = pool->chunk_size >> DMP_PAGE_SHIFT;
	if (table_reserve(pool, pages))
		return -ENOMEM;
	for (size_t i = 0; i < pages; i++)
		table_put(pool->table, pool->table_cap,
			  ((uintptr_t)c->vaddr >> DMP_PAGE_SHIFT) + i, c);
	pool->table_used += pages;
	c->all_next = pool->all;
	pool->all = c;
	pool->nr_chunks++;
	avail_add(pool, c);
	return 0;
}

static void *pool_alloc(struct dmp_dma_pool *pool, dmp_gfp_t gfp, dmp_addr_t *handle)
{
	if (dmp__unlikely(!pool || !handle)) {
		/* a pool whose creation failed, unchecked: Linux dereferences it */
		dmp__dma_misuse(NULL, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				"dma_pool_alloc with no %s", pool ? "handle" : "pool");
		if (handle)
			*handle = DMP_MAPPING_ERROR;
		return NULL;
	}
	struct pool_chunk *spare = NULL;
	dmp_spin_lock(&pool->lock);
	while (!pool->avail) {
		if (spare) {
			if (chunk_insert(pool, spare)) {
				dmp_spin_unlock(&pool->lock);
				dmp_free_coherent(pool->dev, pool->chunk_size, spare->vaddr,
						  spare->dma);
				dmp_kfree(spare);
				goto fail;
			}
			spare = NULL;
			break;
		}
		/* allocate outside the lock (it may block), as Linux does */
		dmp_spin_unlock(&pool->lock);
		spare = chunk_alloc(pool, gfp);
		if (!spare)
			goto fail;
		dmp_spin_lock(&pool->lock);
	}
	struct pool_chunk *c = pool->avail;
	uint32_t idx = c->free_head;
	c->free_head = c->next[idx];
	c->next[idx] = BLOCK_USED;
	c->in_use++;
	pool->nr_active++;
	if (c->free_head == BLOCK_END)
		avail_del(pool, c);
	bool debug = pool->debug;
	dmp_spin_unlock(&pool->lock);
	if (spare) {
		/* another thread added a chunk meanwhile: ours is not needed */
		dmp_free_coherent(pool->dev, pool->chunk_size, spare->vaddr, spare->dma);
		dmp_kfree(spare);
	}

	uint8_t *va = c->vaddr + pool->offsets[idx];
	*handle = c->dma + pool->offsets[idx];
	if (debug) {
		size_t bad;
		if (!poisoned(va, pool->size, DMP_POOL_POISON_FREED, &bad))
			dmp__dma_misuse(pool->dev, DMP_DEBUG_POOL_WRITE_AFTER_FREE, DMP__NO_SITE, 0,
					"dma_pool %s: block %p was written after it was freed (byte "
					"%zu is 0x%02x, not 0x%02x)", pool->name, (void *)va, bad,
					va[bad], DMP_POOL_POISON_FREED);
	}
	if (gfp & DMP_GFP_ZERO)
		dmp__fill(va, 0, pool->size);
	else if (debug)
		dmp__fill(va, DMP_POOL_POISON_ALLOCATED, pool->size);
	return va;

fail:
	*handle = DMP_MAPPING_ERROR;
	return NULL;
}

void *dmp_pool_alloc(struct dmp_dma_pool *pool, dmp_gfp_t gfp, dmp_addr_t *handle)
{
	return pool_alloc(pool, gfp, handle);
}

void *dmp_pool_zalloc(struct dmp_dma_pool *pool, dmp_gfp_t gfp, dmp_addr_t *handle)
{
	return pool_alloc(pool, gfp | DMP_GFP_ZERO, handle);
}

void dmp__pool_free(struct dmp_dma_pool *pool, void *vaddr, dmp_addr_t dma, const char *file,
		    int line)
{
	if (!vaddr)
		return;
	if (dmp__unlikely(!pool)) {
		dmp__dma_misuse(NULL, DMP_DEBUG_POOL_BAD_FREE, file, line,
				"dma_pool_free of %p with no pool; ignored", vaddr);
		return;
	}
	const char *why;
	dmp_spin_lock(&pool->lock);
	struct pool_chunk *c = chunk_lookup(pool, vaddr);
	if (!c) {
		why = "not allocated from this pool";
		goto bad;
	}
	long idx = block_index(pool, (size_t)((uint8_t *)vaddr - c->vaddr));
	if (idx < 0) {
		why = "not the start of a block (misaligned within its page)";
		goto bad;
	}
	if (c->dma + pool->offsets[idx] != dma) {
		why = "the bus address does not match the block's";
		goto bad;
	}
	if (c->next[idx] != BLOCK_USED) {
		why = "already free (double free)";
		goto bad;
	}
	if (pool->debug)
		dmp__fill(vaddr, DMP_POOL_POISON_FREED, pool->size);
	if (c->free_head == BLOCK_END)
		avail_add(pool, c);
	c->next[idx] = c->free_head;
	c->free_head = (uint32_t)idx;
	c->in_use--;
	pool->nr_active--;
	dmp_spin_unlock(&pool->lock);
	return;

bad:
	dmp_spin_unlock(&pool->lock);
	dmp__set_site(file, line);
	dmp__dma_misuse(pool->dev, DMP_DEBUG_POOL_BAD_FREE, file, line,
			"dma_pool_free %s: block %p (bus address 0x%llx): %s; ignored", pool->name,
			vaddr, (unsigned long long)dma, why);
}

/* ---- introspection ------------------------------------------------------- */

void dmp_pool_get_stats(struct dmp_dma_pool *pool, struct dmp_pool_stats *st)
{
	DMP_ASSERT(pool && st);
	dmp_spin_lock(&pool->lock);
	st->block_size = pool->size;
	st->chunk_size = pool->chunk_size;
	st->blocks_per_chunk = pool->nblocks;
	st->nr_chunks = pool->nr_chunks;
	st->nr_blocks = pool->nr_chunks * pool->nblocks;
	st->nr_active = pool->nr_active;
	dmp_spin_unlock(&pool->lock);
}

void dmp_pool_set_debug(struct dmp_dma_pool *pool, bool on)
{
	DMP_ASSERT(pool);
	dmp_spin_lock(&pool->lock);
	bool was = pool->debug;
	pool->debug = on && POOL_DEBUG_DEFAULT;
	/* turning poisoning on: free blocks must carry the poison from now */
	if (pool->debug && !was)
		for (struct pool_chunk *c = pool->all; c; c = c->all_next)
			for (uint32_t i = c->free_head; i != BLOCK_END; i = c->next[i])
				dmp__fill(c->vaddr + pool->offsets[i], DMP_POOL_POISON_FREED,
					  pool->size);
	dmp_spin_unlock(&pool->lock);
}

#define CHECK(cond, ...)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			dmp_log("dmaport: dma_pool_check " __VA_ARGS__);                \
			goto bad;                                                             \
		}                                                                             \
	} while (0)

int dmp_pool_check(struct dmp_dma_pool *pool)
{
	DMP_ASSERT(pool);
	dmp_spin_lock(&pool->lock);
	size_t chunks = 0, active = 0, with_free = 0;
	for (struct pool_chunk *c = pool->all; c; c = c->all_next) {
		CHECK(++chunks <= pool->nr_chunks, "%s: more chunks than counted", pool->name);
		uint32_t used = 0;
		for (uint32_t i = 0; i < pool->nblocks; i++)
			used += c->next[i] == BLOCK_USED;
		CHECK(used == c->in_use, "%s: chunk %p has %u blocks marked allocated, counts %u",
		      pool->name, (void *)c->vaddr, used, c->in_use);
		uint32_t nfree = 0;
		for (uint32_t i = c->free_head; i != BLOCK_END; i = c->next[i]) {
			CHECK(i < pool->nblocks && nfree < pool->nblocks - used,
			      "%s: chunk %p: free list broken at index %u", pool->name,
			      (void *)c->vaddr, i);
			nfree++;
			if (pool->debug) {
				size_t bad;
				const uint8_t *b = c->vaddr + pool->offsets[i];
				CHECK(poisoned(b, pool->size, DMP_POOL_POISON_FREED, &bad),
				      "%s: free block %p was written after free (byte %zu)",
				      pool->name, (const void *)b, bad);
			}
		}
		CHECK(nfree + used == pool->nblocks, "%s: chunk %p: %u free + %u used != %u",
		      pool->name, (void *)c->vaddr, nfree, used, pool->nblocks);
		CHECK(c->on_avail == (nfree > 0), "%s: chunk %p %s the available list", pool->name,
		      (void *)c->vaddr, c->on_avail ? "wrongly on" : "missing from");
		with_free += nfree > 0;
		active += used;
		for (size_t p = 0; p < pool->chunk_size; p += DMP_PAGE_SIZE)
			CHECK(chunk_lookup(pool, c->vaddr + p) == c,
			      "%s: page %p of chunk %p not found by address", pool->name,
			      (void *)(c->vaddr + p), (void *)c->vaddr);
	}
	CHECK(chunks == pool->nr_chunks, "%s: %zu chunks, counted %zu", pool->name, chunks,
	      pool->nr_chunks);
	CHECK(active == pool->nr_active, "%s: %zu blocks allocated, counted %zu", pool->name,
	      active, pool->nr_active);
	size_t n = 0;
	for (struct pool_chunk *c = pool->avail, *prev = NULL; c; prev = c, c = c->av_next) {
		CHECK(++n <= with_free && c->av_prev == prev && c->on_avail,
		      "%s: available list broken", pool->name);
	}
	CHECK(n == with_free, "%s: %zu chunks on the available list, %zu have free blocks",
	      pool->name, n, with_free);
	CHECK(pool->table_used == chunks * (pool->chunk_size >> DMP_PAGE_SHIFT),
	      "%s: address table holds %zu pages", pool->name, pool->table_used);
	dmp_spin_unlock(&pool->lock);
	return 0;
bad:
	dmp_spin_unlock(&pool->lock);
	return -EFAULT;
}
