/*
 * test-swiotlb.c - the swiotlb bounce-buffer pool against a reference model.
 *
 * The model keeps a shadow of every byte of the pool and of every original
 * buffer, and a slot occupancy map computed from the header's rules (not from
 * swiotlb.c's code).  Random sequences of map / unmap / sync / device writes /
 * CPU writes / bad calls run against it; after every step: the walker, every
 * byte of the pool and of the touched original buffer, the counters, and
 * for each new mapping the min_align_mask, alignment, segment and overlap
 * properties.  An -ENOMEM is checked by a brute-force search that no
 * placement existed.  Directed tests cover each rule on its own, exhaustion,
 * bad calls, destroy, range pools and failure injection.
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/swiotlb.h>

#include "support/sim-fixture.h"

#define SLOT DMP_IO_TLB_SIZE
#define SEG DMP_IO_TLB_SEGSIZE
#define MAXMAP 64
#define ORIG_SLACK 8192 /* random placement of the original inside its allocation */

struct map {
	bool live;
	void *alloc;           /* dmp_kmalloc block holding the original */
	uint8_t *orig_va;
	dmp_phys_t orig;
	uint8_t *orig_shadow;  /* expected bytes of the original */
	dmp_phys_t tlb;
	size_t size, alloc_size;
	unsigned int min_mask, align_mask;
	enum dmp_data_direction dir;
	size_t first_slot, nslots; /* the allocation, by the header's rules */
};

struct model {
	struct dmp_swiotlb_pool *pool;
	uint8_t *va;           /* the pool's bytes */
	uint8_t *shadow;       /* expected pool bytes */
	int16_t *owner;        /* per slot: map index + 1, or 0 */
	struct map m[MAXMAP];
	uint64_t rng;
	size_t used;           /* slots, by the model */
	unsigned long nr_bad, nr_full, nr_maps, nr_unmaps;
};

static uint64_t rnd(struct model *md, uint64_t n)
{
	return n ? fixture_rand(&md->rng) % n : 0;
}

static void fill_random(struct model *md, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)fixture_rand(&md->rng);
}

static void model_init(struct model *md, struct dmp_swiotlb_pool *pool, uint64_t seed)
{
	memset(md, 0, sizeof(*md));
	md->pool = pool;
	md->rng = seed;
	md->va = dmp_phys_to_virt(pool->start);
	assert_non_null(md->va);
	md->shadow = malloc(pool->size);
	md->owner = calloc(pool->nslots, sizeof(int16_t));
	assert_non_null(md->shadow);
	assert_non_null(md->owner);
	memcpy(md->shadow, md->va, pool->size);
}

static void map_free_orig(struct map *mp)
{
	dmp_kfree(mp->alloc);
	free(mp->orig_shadow);
	mp->alloc = NULL;
	mp->orig_shadow = NULL;
}

static void model_fini(struct model *md)
{
	for (int i = 0; i < MAXMAP; i++)
		if (md->m[i].alloc)
			map_free_orig(&md->m[i]);
	free(md->shadow);
	free(md->owner);
}

/* Everything the model can see, after every step. */
static void model_verify(struct model *md, const struct map *touched)
{
	struct dmp_swiotlb_stats st;
	assert_int_equal(dmp_swiotlb_pool_check(md->pool), 0);
	/* memcmp first: cmocka's byte loop is slow on a whole pool */
	if (memcmp(md->va, md->shadow, md->pool->size) != 0)
		assert_memory_equal(md->va, md->shadow, md->pool->size);
	if (touched && touched->alloc && memcmp(touched->orig_va, touched->orig_shadow, touched->size))
		assert_memory_equal(touched->orig_va, touched->orig_shadow, touched->size);
	dmp_swiotlb_get_stats(md->pool, &st);
	assert_int_equal(st.used, md->used);
	assert_true(st.hiwater >= st.used);
	assert_int_equal(st.nr_bad, md->nr_bad);
	assert_int_equal(st.nr_full, md->nr_full);
	assert_int_equal(st.nr_maps, md->nr_maps);
	assert_int_equal(st.nr_unmaps, md->nr_unmaps);
}

static void model_verify_all_origs(struct model *md)
{
	for (int i = 0; i < MAXMAP; i++)
		if (md->m[i].live)
			assert_memory_equal(md->m[i].orig_va, md->m[i].orig_shadow, md->m[i].size);
}

/* The alignment the header promises for the allocation's first slot. */
static dmp_phys_t eff_align(size_t alloc_size, unsigned int align_mask)
{
	dmp_phys_t a = (dmp_phys_t)align_mask | (SLOT - 1);
	if (alloc_size >= DMP_PAGE_SIZE)
		a |= DMP_PAGE_SIZE - 1;
	return a;
}

static size_t spec_pad(dmp_phys_t orig, size_t alloc_size, unsigned int min_mask,
		       unsigned int align_mask)
{
	return (size_t)(orig & min_mask & eff_align(alloc_size, align_mask));
}

static size_t spec_nslots(dmp_phys_t orig, size_t alloc_size, unsigned int min_mask,
			  unsigned int align_mask)
{
	size_t bytes = spec_pad(orig, alloc_size, min_mask, align_mask) + alloc_size;
	bytes = DMP_ALIGN_UP(bytes, (size_t)align_mask + 1);
	return (bytes + SLOT - 1) / SLOT;
}

/* Brute force: may an allocation for these parameters start at slot @s? */
static bool spec_fits_at(struct model *md, size_t s, size_t need, dmp_phys_t orig,
			 size_t alloc_size, unsigned int min_mask, unsigned int align_mask)
{
	struct dmp_swiotlb_pool *pool = md->pool;
	dmp_phys_t ea = eff_align(alloc_size, align_mask);
	dmp_phys_t addr = pool->start + (dmp_phys_t)s * SLOT;
	if (s + need > pool->nslots || s / SEG != (s + need - 1) / SEG)
		return false;
	if ((addr & ea) != 0 || (addr & min_mask & ~ea) != (orig & min_mask & ~ea))
		return false;
	for (size_t k = 0; k < need; k++)
		if (md->owner[s + k])
			return false;
	return true;
}

static bool spec_any_fit(struct model *md, size_t need, dmp_phys_t orig, size_t alloc_size,
			 unsigned int min_mask, unsigned int align_mask)
{
	for (size_t s = 0; s < md->pool->nslots; s++)
		if (spec_fits_at(md, s, need, orig, alloc_size, min_mask, align_mask))
			return true;
	return false;
}

static int free_map_index(struct model *md)
{
	for (int i = 0; i < MAXMAP; i++)
		if (!md->m[i].live && !md->m[i].alloc)
			return i;
	return -1;
}

static int random_live(struct model *md)
{
	int live[MAXMAP], n = 0;
	for (int i = 0; i < MAXMAP; i++)
		if (md->m[i].live)
			live[n++] = i;
	return n ? live[rnd(md, (uint64_t)n)] : -1;
}

static size_t random_size(struct model *md, size_t max)
{
	size_t bits = (size_t)rnd(md, 17);
	size_t s = 1 + (size_t)rnd(md, (uint64_t)1 << bits);
	return s > max ? max : s;
}

/*
 * Map with the given parameters and check the result against the spec.
 * Returns the map index, or -1 if the pool said -ENOMEM / -EINVAL (checked).
 */
static int model_map(struct model *md, size_t size, size_t alloc_size, unsigned int min_mask,
		     unsigned int align_mask, enum dmp_data_direction dir, unsigned long attrs)
{
	int idx = free_map_index(md);
	assert_true(idx >= 0);
	struct map *mp = &md->m[idx];
	memset(mp, 0, sizeof(*mp));
	mp->alloc = dmp_kmalloc(size + ORIG_SLACK, DMP_GFP_KERNEL);
	assert_non_null(mp->alloc);
	mp->orig_va = (uint8_t *)mp->alloc + rnd(md, ORIG_SLACK);
	assert_int_equal(dmp_virt_to_phys(mp->orig_va, &mp->orig), 0);
	mp->orig_shadow = malloc(size);
	fill_random(md, mp->orig_shadow, size);
	memcpy(mp->orig_va, mp->orig_shadow, size);
	mp->size = size;
	mp->alloc_size = alloc_size ? alloc_size : size;
	mp->min_mask = min_mask;
	mp->align_mask = align_mask;
	mp->dir = dir;

	size_t need = spec_nslots(mp->orig, mp->alloc_size, min_mask, align_mask);
	size_t max_slots = DMP_MIN((size_t)SEG, md->pool->nslots);
	dmp_phys_t tlb = 0;
	int ret = dmp_swiotlb_tbl_map_single(md->pool, mp->orig, size, alloc_size, min_mask,
					     align_mask, dir, attrs, &tlb);
	if (need > max_slots) {
		assert_int_equal(ret, -EINVAL);
		map_free_orig(mp);
		model_verify(md, NULL);
		return -1;
	}
	if (ret == -ENOMEM) {
		/* the model agrees that nothing fits */
		assert_false(spec_any_fit(md, need, mp->orig, mp->alloc_size, min_mask, align_mask));
		md->nr_full++;
		map_free_orig(mp);
		model_verify(md, NULL);
		return -1;
	}
	assert_int_equal(ret, 0);
	md->nr_maps++;

	/* Properties of the bounce address. */
	dmp_phys_t ea = eff_align(mp->alloc_size, align_mask);
	assert_true((tlb & min_mask) == (mp->orig & min_mask));
	assert_true((tlb & ea) == (mp->orig & min_mask & ea));
	assert_true(dmp_swiotlb_is_bounce(md->pool, tlb));
	assert_ptr_equal(dmp_swiotlb_find_pool(tlb), md->pool);
	size_t pad = spec_pad(mp->orig, mp->alloc_size, min_mask, align_mask);
	dmp_phys_t first = tlb - pad;
	assert_true((first - md->pool->start) % SLOT == 0);
	mp->first_slot = (size_t)((first - md->pool->start) / SLOT);
	mp->nslots = need;
	/* inside the pool, inside one segment, on slots nobody else has */
	assert_true(spec_fits_at(md, mp->first_slot, need, mp->orig, mp->alloc_size, min_mask,
				 align_mask));
	for (size_t k = 0; k < need; k++)
		md->owner[mp->first_slot + k] = (int16_t)(idx + 1);
	md->used += need;
	mp->tlb = tlb;
	mp->live = true;

	/* Expected bytes: the copy-in for every direction and attribute,
	 * zeroed padding. */
	size_t off = (size_t)(tlb - md->pool->start);
	size_t copied = size;
	memcpy(md->shadow + off, mp->orig_shadow, size);
	if (attrs & DMP_SWIOTLB_ZERO_PADDING) {
		size_t a = mp->first_slot * SLOT, e = a + need * SLOT;
		memset(md->shadow + a, 0, off - a);
		memset(md->shadow + off + copied, 0, e - off - copied);
	}
	dmp_phys_t o;
	assert_int_equal(dmp_swiotlb_orig_addr(md->pool, tlb + size - 1, &o), 0);
	assert_true(o == mp->orig + size - 1);
	model_verify(md, mp);
	return idx;
}

static void model_unmap(struct model *md, int idx, unsigned long attrs)
{
	struct map *mp = &md->m[idx];
	assert_true(mp->live);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(md->pool, mp->tlb, mp->size, mp->dir, attrs),
			 0);
	md->nr_unmaps++;
	if (!(attrs & DMP_ATTR_SKIP_CPU_SYNC) &&
	    (mp->dir == DMP_FROM_DEVICE || mp->dir == DMP_BIDIRECTIONAL))
		memcpy(mp->orig_shadow, md->shadow + (mp->tlb - md->pool->start), mp->size);
	for (size_t k = 0; k < mp->nslots; k++)
		md->owner[mp->first_slot + k] = 0;
	md->used -= mp->nslots;
	mp->live = false;
	model_verify(md, mp);
	map_free_orig(mp);
}

/* A random sub-range [*off, *off + *len) of a mapping of @size bytes. */
static void random_range(struct model *md, size_t size, size_t *off, size_t *len)
{
	if (rnd(md, 3) == 0) {
		*off = 0;
		*len = size;
		return;
	}
	*off = (size_t)rnd(md, size);
	*len = 1 + (size_t)rnd(md, size - *off);
}

/* The device writes into (part of) the bounce buffer, whatever the direction:
 * a TO_DEVICE mapping must then not copy it back. */
static void model_device_write(struct model *md, int idx)
{
	struct map *mp = &md->m[idx];
	size_t off, len;
	random_range(md, mp->size, &off, &len);
	size_t p = (size_t)(mp->tlb - md->pool->start) + off;
	fill_random(md, md->shadow + p, len);
	memcpy(md->va + p, md->shadow + p, len);
	model_verify(md, mp);
}

static void model_cpu_write(struct model *md, int idx)
{
	struct map *mp = &md->m[idx];
	size_t off, len;
	random_range(md, mp->size, &off, &len);
	fill_random(md, mp->orig_shadow + off, len);
	memcpy(mp->orig_va + off, mp->orig_shadow + off, len);
	model_verify(md, mp);
}

static void model_sync(struct model *md, int idx, bool for_cpu)
{
	struct map *mp = &md->m[idx];
	size_t off, len;
	random_range(md, mp->size, &off, &len);
	size_t p = (size_t)(mp->tlb - md->pool->start) + off;
	if (for_cpu) {
		assert_int_equal(dmp_swiotlb_sync_single_for_cpu(md->pool, mp->tlb + off, len, mp->dir),
				 0);
		if (mp->dir != DMP_TO_DEVICE)
			memcpy(mp->orig_shadow + off, md->shadow + p, len);
	} else {
		assert_int_equal(
			dmp_swiotlb_sync_single_for_device(md->pool, mp->tlb + off, len, mp->dir), 0);
		if (mp->dir != DMP_FROM_DEVICE)
			memcpy(md->shadow + p, mp->orig_shadow + off, len);
	}
	model_verify(md, mp);
}

/* Is [addr, addr + len) inside the mapped bytes of a live mapping? */
static bool model_in_mapping(struct model *md, dmp_phys_t addr, size_t len)
{
	for (int i = 0; i < MAXMAP; i++) {
		struct map *mp = &md->m[i];
		if (mp->live && addr >= mp->tlb && addr - mp->tlb < mp->size &&
		    len <= mp->size - (addr - mp->tlb))
			return true;
	}
	return false;
}

static bool model_is_head(struct model *md, dmp_phys_t addr)
{
	for (int i = 0; i < MAXMAP; i++)
		if (md->m[i].live && md->m[i].tlb == addr)
			return true;
	return false;
}

/* A call the pool must report and ignore; the step's verify proves nothing changed. */
static void model_bad_call(struct model *md)
{
	int idx = random_live(md);
	struct dmp_swiotlb_pool *pool = md->pool;
	int ret = 0;
	if (idx < 0)
		return;
	struct map *mp = &md->m[idx];
	switch (rnd(md, 7)) {
	case 0: /* wrong size */
		ret = dmp_swiotlb_tbl_unmap_single(pool, mp->tlb, mp->size + 1, mp->dir, 0);
		break;
	case 1: /* inside the mapping, not its start */
		if (mp->size < 2)
			return;
		ret = dmp_swiotlb_tbl_unmap_single(pool, mp->tlb + 1 + rnd(md, mp->size - 1),
						   mp->size, mp->dir, 0);
		break;
	case 2: { /* anywhere in the pool that is not a mapping's start */
		dmp_phys_t a = pool->start + rnd(md, pool->size);
		if (model_is_head(md, a))
			return;
		ret = dmp_swiotlb_tbl_unmap_single(pool, a, 1 + rnd(md, 4096), DMP_BIDIRECTIONAL, 0);
		break;
	}
	case 3: /* sync past the end */
		ret = dmp_swiotlb_sync_single_for_cpu(pool, mp->tlb, mp->size + 1, mp->dir);
		break;
	case 4: { /* sync in padding, free slots or another mapping's edge */
		dmp_phys_t a = pool->start + rnd(md, pool->size);
		size_t len = 1 + rnd(md, 64);
		if (model_in_mapping(md, a, len))
			return;
		ret = dmp_swiotlb_sync_single_for_device(pool, a, len, DMP_BIDIRECTIONAL);
		break;
	}
	case 5: /* bad direction */
		ret = dmp_swiotlb_tbl_unmap_single(pool, mp->tlb, mp->size, DMP_NONE, 0);
		break;
	default: /* outside the pool */
		ret = dmp_swiotlb_tbl_unmap_single(pool, pool->start + pool->size, mp->size, mp->dir, 0);
		break;
	}
	assert_int_equal(ret, -EINVAL);
	md->nr_bad++;
	model_verify(md, mp);
}

static const unsigned int min_masks[] = { 0, 0xfff, 0x3f };
static const unsigned int align_masks[] = { 0, 0, 0x7ff, 0xfff, 0x3fff };

static void model_random_map(struct model *md)
{
	if (free_map_index(md) < 0)
		return;
	size_t size = random_size(md, 64 * 1024);
	size_t alloc_size = 0;
	switch (rnd(md, 4)) {
	case 0:
		alloc_size = DMP_ALIGN_UP(size, DMP_PAGE_SIZE);
		break;
	case 1:
		alloc_size = size + rnd(md, 4096);
		break;
	default:
		break;
	}
	unsigned int min_mask = min_masks[rnd(md, DMP_ARRAY_SIZE(min_masks))];
	unsigned int align_mask = align_masks[rnd(md, DMP_ARRAY_SIZE(align_masks))];
	enum dmp_data_direction dir = (enum dmp_data_direction)rnd(md, 3);
	unsigned long attrs = DMP_ATTR_NO_WARN;
	if (rnd(md, 8) == 0)
		attrs |= DMP_ATTR_SKIP_CPU_SYNC;
	if (rnd(md, 4) == 0)
		attrs |= DMP_SWIOTLB_ZERO_PADDING;
	model_map(md, size, alloc_size, min_mask, align_mask, dir, attrs);
}

static void model_run(struct model *md, unsigned int steps)
{
	for (unsigned int s = 0; s < steps; s++) {
		unsigned int r = (unsigned int)rnd(md, 100);
		int idx = random_live(md);
		if (r < 40 || idx < 0) {
			model_random_map(md);
		} else if (r < 62) {
			struct map *mp = &md->m[idx];
			dmp_phys_t tlb = mp->tlb;
			size_t size = mp->size;
			model_unmap(md, idx, rnd(md, 8) == 0 ? DMP_ATTR_SKIP_CPU_SYNC : 0);
			if (rnd(md, 5) == 0 && !model_is_head(md, tlb)) { /* double unmap */
				assert_int_equal(dmp_swiotlb_tbl_unmap_single(md->pool, tlb, size,
									       DMP_BIDIRECTIONAL, 0),
						 -EINVAL);
				md->nr_bad++;
				model_verify(md, NULL);
			}
		} else if (r < 72) {
			model_device_write(md, idx);
		} else if (r < 78) {
			model_cpu_write(md, idx);
		} else if (r < 86) {
			model_sync(md, idx, false);
		} else if (r < 94) {
			model_sync(md, idx, true);
		} else {
			model_bad_call(md);
		}
	}
	model_verify_all_origs(md);
	for (int i = 0; i < MAXMAP; i++)
		if (md->m[i].live)
			model_unmap(md, i, 0);
	assert_int_equal(md->used, 0);
	print_message("%s: %lu maps, %lu full, %lu bad calls\n", md->pool->name, md->nr_maps,
		      md->nr_full, md->nr_bad);
}

/* Random sequences on created pools of several area counts. */
static void test_random_created(void **state)
{
	(void)state;
	static const unsigned int nareas[] = { 1, 2, 3 };
	static const size_t sizes[] = { 512 * 1024, 512 * 1024, 640 * 1024 };
	for (unsigned int c = 0; c < DMP_ARRAY_SIZE(nareas); c++) {
		struct dmp_swiotlb_pool *pool;
		struct model md;
		assert_int_equal(dmp_swiotlb_pool_create("rand", sizes[c], DMP_SWIOTLB_DEFAULT_LIMIT,
							 nareas[c], &pool),
				 0);
		assert_int_equal(pool->nareas, nareas[c]);
		model_init(&md, pool, 0x9e3779b97f4a7c15ull + c);
		model_run(&md, 5000);
		model_fini(&md);
		assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
	}
}

/* A range pool whose last segment is partial (4 slots), with stale contents. */
static void test_random_range(void **state)
{
	(void)state;
	dmp_phys_t phys;
	struct dmp_swiotlb_pool pool;
	struct model md;
	size_t size = 2 * DMP_IO_TLB_SEGBYTES + 2 * DMP_PAGE_SIZE;
	assert_int_equal(dmp_page_alloc(8, 0, DMP_PHYS_ANY, &phys), 0);
	memset(dmp_phys_to_virt(phys), 0xa5, size);
	assert_int_equal(dmp_swiotlb_pool_init_range(&pool, "restricted", phys, size, 2), 0);
	assert_int_equal(pool.nslots, 2 * SEG + 4);
	assert_int_equal(pool.nsegs, 3);
	model_init(&md, &pool, 12345);
	model_run(&md, 5000);
	model_fini(&md);
	assert_int_equal(dmp_swiotlb_pool_destroy(&pool), 0);
	assert_int_equal(dmp_page_free(phys, 8), 0);
}

/*
 * Create and destroy a pool once, so that the heap's slab pages for the pool
 * struct exist before a test counts free pages.
 */
static size_t warm_free_count(void)
{
	struct dmp_swiotlb_pool *pool;
	assert_int_equal(dmp_swiotlb_pool_create("warm", 4096, DMP_PHYS_ANY, 1, &pool), 0);
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
	return dmp_page_free_count();
}

/* Creation: placement under the limit, registration, geometry, max size. */
static void test_create_geometry(void **state)
{
	(void)state;
	struct dmp_swiotlb_pool *pool;
	size_t free0 = warm_free_count();
	assert_int_equal(dmp_swiotlb_pool_create("default", DMP_SWIOTLB_DEFAULT_SIZE,
						 DMP_SWIOTLB_DEFAULT_LIMIT, 0, &pool),
			 0);
	assert_true(pool->start + pool->size - 1 <= DMP_SWIOTLB_DEFAULT_LIMIT);
	assert_int_equal(pool->size, DMP_SWIOTLB_DEFAULT_SIZE);
	assert_int_equal(pool->nslots, DMP_SWIOTLB_DEFAULT_SIZE / SLOT);
	assert_true(pool->nareas >= 1 && pool->nareas <= pool->nsegs);
	assert_string_equal(pool->name, "default");
	assert_ptr_equal(dmp_swiotlb_find_pool(pool->start), pool);
	assert_ptr_equal(dmp_swiotlb_find_pool(pool->start + pool->size - 1), pool);
	assert_null(dmp_swiotlb_find_pool(pool->start + pool->size));
	assert_null(dmp_swiotlb_find_pool(pool->start - 1));
	assert_false(dmp_swiotlb_is_bounce(pool, pool->start + pool->size));
	dmp_swiotlb_set_default(pool);
	assert_ptr_equal(dmp_swiotlb_default(), pool);
	/* Linux's swiotlb_max_mapping_size: a segment less the min_align loss */
	assert_int_equal(dmp_swiotlb_max_mapping_size(pool, 0), 256 * 1024);
	assert_int_equal(dmp_swiotlb_max_mapping_size(pool, 0xfff), 252 * 1024);
	assert_int_equal(dmp_swiotlb_max_mapping_size(pool, 0x3f), 254 * 1024);
	assert_int_equal(dmp_swiotlb_pool_check(pool), 0);

	/* the maximum always fits in an empty pool, whatever the original's low bits */
	uint8_t *buf = dmp_kmalloc(256 * 1024 + 8192, DMP_GFP_KERNEL);
	assert_non_null(buf);
	for (unsigned int m = 0; m < DMP_ARRAY_SIZE(min_masks); m++) {
		for (unsigned int off = 0; off < 8192; off += 0x7c1) {
			dmp_phys_t orig, tlb;
			size_t max = dmp_swiotlb_max_mapping_size(pool, min_masks[m]);
			assert_int_equal(dmp_virt_to_phys(buf + off, &orig), 0);
			assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, max, 0, min_masks[m], 0,
								    DMP_TO_DEVICE, 0, &tlb),
					 0);
			assert_true((tlb & min_masks[m]) == (orig & min_masks[m]));
			assert_memory_equal(dmp_phys_to_virt(tlb), buf + off, max);
			assert_int_equal(dmp_swiotlb_pool_check(pool), 0);
			assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlb, max, DMP_TO_DEVICE, 0),
					 0);
		}
	}
	/* more than a segment can never fit: -EINVAL, not -ENOMEM */
	dmp_phys_t orig, tlb;
	assert_int_equal(dmp_virt_to_phys(buf, &orig), 0);
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 256 * 1024 + 1, 0, 0, 0,
						    DMP_TO_DEVICE, DMP_ATTR_NO_WARN, &tlb),
			 -EINVAL);
	dmp_kfree(buf);

	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
	assert_null(dmp_swiotlb_default());
	assert_int_equal(dmp_page_free_count(), free0);

	/* a low limit that the platform can't meet, bad sizes */
	assert_int_equal(dmp_swiotlb_pool_create("low", 1 << 20, 0xfffff, 1, &pool), -ENOMEM);
	assert_int_equal(dmp_swiotlb_pool_create("zero", 0, DMP_PHYS_ANY, 1, &pool), -EINVAL);
	assert_int_equal(dmp_page_free_count(), free0);
}

/* Every allocation in the walk of create's error paths fails cleanly. */
static void test_create_failure_injection(void **state)
{
	(void)state;
	static const enum dmp_fail_site sites[] = { DMP_FAIL_PAGE, DMP_FAIL_HEAP };
	size_t free0 = warm_free_count();
	for (unsigned int s = 0; s < DMP_ARRAY_SIZE(sites); s++) {
		for (unsigned long nth = 1;; nth++) {
			struct dmp_swiotlb_pool *pool = NULL;
			dmp_fail_nth(sites[s], nth);
			int ret = dmp_swiotlb_pool_create("inject", 1 << 20, DMP_SWIOTLB_DEFAULT_LIMIT, 2,
							  &pool);
			unsigned long calls = dmp_fail_calls(sites[s]);
			dmp_fail_nth(sites[s], 0);
			if (calls < nth) { /* the whole path ran without reaching nth */
				assert_int_equal(ret, 0);
				assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
				break;
			}
			assert_int_equal(ret, -ENOMEM);
			assert_int_equal(dmp_page_free_count(), free0);
		}
	}
	/* the registry kept nothing: a full complement of pools still fits */
	struct dmp_swiotlb_pool *pools[DMP_SWIOTLB_MAX_POOLS], *extra;
	for (unsigned int i = 0; i < DMP_SWIOTLB_MAX_POOLS; i++)
		assert_int_equal(dmp_swiotlb_pool_create("many", 4096, DMP_PHYS_ANY, 1, &pools[i]), 0);
	assert_int_equal(dmp_swiotlb_pool_create("one-too-many", 4096, DMP_PHYS_ANY, 1, &extra),
			 -ENOMEM);
	for (unsigned int i = 0; i < DMP_SWIOTLB_MAX_POOLS; i++)
		assert_int_equal(dmp_swiotlb_pool_destroy(pools[i]), 0);
	assert_int_equal(dmp_page_free_count(), free0);
}

static struct dmp_swiotlb_pool *small_pool(size_t size, unsigned int nareas)
{
	struct dmp_swiotlb_pool *pool;
	assert_int_equal(dmp_swiotlb_pool_create("t", size, DMP_SWIOTLB_DEFAULT_LIMIT, nareas, &pool),
			 0);
	return pool;
}

static uint8_t *pattern_buf(size_t size, uint8_t seed, dmp_phys_t *phys)
{
	uint8_t *b = dmp_kmalloc(size, DMP_GFP_KERNEL);
	assert_non_null(b);
	for (size_t i = 0; i < size; i++)
		b[i] = (uint8_t)(seed + i * 7);
	assert_int_equal(dmp_virt_to_phys(b, phys), 0);
	return b;
}

/* Each direction copies what Linux copies, and nothing else. */
static void test_directions(void **state)
{
	(void)state;
	struct dmp_swiotlb_pool *pool = small_pool(1 << 20, 1);
	static const enum dmp_data_direction dirs[] = { DMP_TO_DEVICE, DMP_FROM_DEVICE,
							DMP_BIDIRECTIONAL };
	for (unsigned int d = 0; d < 3; d++) {
		for (int skip = 0; skip < 2; skip++) {
			unsigned long attrs = skip ? DMP_ATTR_SKIP_CPU_SYNC : 0;
			dmp_phys_t orig, tlb;
			uint8_t *b = pattern_buf(3000, (uint8_t)(d * 2 + skip + 1), &orig);
			uint8_t before[3000], devdata[3000];
			memcpy(before, b, sizeof(before));
			assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 3000, 0, 0, 0, dirs[d],
								    attrs, &tlb),
					 0);
			uint8_t *bounce = dmp_phys_to_virt(tlb);
			/* map: the copy-in happens for every direction (FROM_DEVICE too)
			 * and with SKIP_CPU_SYNC: the slots' old data never shows */
			assert_memory_equal(bounce, b, 3000);
			/* the device writes everything */
			for (size_t i = 0; i < sizeof(devdata); i++)
				devdata[i] = (uint8_t)(0x5a ^ i ^ d);
			memcpy(bounce, devdata, sizeof(devdata));
			assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlb, 3000, dirs[d], attrs),
					 0);
			if (!skip && dirs[d] != DMP_TO_DEVICE)
				assert_memory_equal(b, devdata, 3000);
			else
				assert_memory_equal(b, before, 3000);
			assert_int_equal(dmp_swiotlb_pool_check(pool), 0);
			/* leave the slots dirty for the next round's SKIP check */
			memset(bounce, 0xee, 3000);
			dmp_kfree(b);
		}
	}
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
}

/*
 * A free slot's count is a lower bound, not the exact run (swiotlb.c's
 * header): an unmap does not rewrite the counts of the free run before the
 * slots it frees.  A fit hidden by a low count is still found: the search
 * recomputes the segment's counts when it finds nothing there.
 */
static void test_low_counts_after_unmap(void **state)
{
	(void)state;
	/* one segment, one area: 128 slots */
	struct dmp_swiotlb_pool *pool = small_pool(DMP_IO_TLB_SEGBYTES, 1);
	dmp_phys_t orig, tlb[4];
	uint8_t *b = pattern_buf(DMP_IO_TLB_SEGBYTES, 9, &orig);
	/* three pages (two slots each) at slots 0, 2, 4, then the rest */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 4096, 0, 0, 0,
							    DMP_TO_DEVICE, 0, &tlb[i]),
				 0);
		assert_int_equal(tlb[i], pool->start + (dmp_phys_t)i * 4096);
	}
	size_t rest = DMP_IO_TLB_SEGBYTES - 3 * 4096;
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, rest, 0, 0, 0, DMP_TO_DEVICE, 0,
						    &tlb[3]),
			 0);
	/* free slots 0-1 (slot 2 in use: their counts are 2, 1), then 2-3 */
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlb[0], 4096, DMP_TO_DEVICE, 0), 0);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlb[1], 4096, DMP_TO_DEVICE, 0), 0);
	/* four slots are free from slot 0, but its count still says 2 */
	assert_int_equal(pool->list[0], 2);
	assert_int_equal(pool->list[1], 1);
	assert_int_equal(pool->list[2], 2);
	assert_int_equal(pool->list[3], 1);
	assert_int_equal(dmp_swiotlb_pool_check(pool), 0);
	/* two pages fit only there: found, through the recount */
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 8192, 0, 0, 0, DMP_TO_DEVICE,
						    DMP_ATTR_NO_WARN, &tlb[0]),
			 0);
	assert_int_equal(tlb[0], pool->start);
	assert_int_equal(dmp_swiotlb_pool_check(pool), 0);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlb[0], 8192, DMP_TO_DEVICE, 0), 0);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlb[2], 4096, DMP_TO_DEVICE, 0), 0);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlb[3], rest, DMP_TO_DEVICE, 0), 0);
	assert_int_equal(dmp_swiotlb_pool_check(pool), 0);
	dmp_kfree(b);
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
}

/* sync_single_range: a sub-range copies only that sub-range, in the right direction. */
static void test_sync_partial(void **state)
{
	(void)state;
	struct dmp_swiotlb_pool *pool = small_pool(1 << 20, 2);
	dmp_phys_t orig, tlb;
	uint8_t *b = pattern_buf(10000, 3, &orig);
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 10000, 0, 0, 0, DMP_BIDIRECTIONAL, 0,
						    &tlb),
			 0);
	uint8_t *bounce = dmp_phys_to_virt(tlb);
	memset(bounce, 0x11, 10000);
	assert_int_equal(dmp_swiotlb_sync_single_for_cpu(pool, tlb + 4000, 100, DMP_BIDIRECTIONAL), 0);
	for (size_t i = 0; i < 10000; i++)
		assert_int_equal(b[i], (i >= 4000 && i < 4100) ? 0x11 : (uint8_t)(3 + i * 7));
	memset(b, 0x22, 10000);
	assert_int_equal(dmp_swiotlb_sync_single_for_device(pool, tlb + 9000, 1000, DMP_BIDIRECTIONAL),
			 0);
	for (size_t i = 0; i < 10000; i++)
		assert_int_equal(bounce[i], i >= 9000 ? 0x22 : 0x11);
	/* for_cpu of TO_DEVICE and for_device of FROM_DEVICE copy nothing */
	assert_int_equal(dmp_swiotlb_sync_single_for_cpu(pool, tlb, 10000, DMP_TO_DEVICE), 0);
	assert_int_equal(dmp_swiotlb_sync_single_for_device(pool, tlb, 10000, DMP_FROM_DEVICE), 0);
	for (size_t i = 0; i < 10000; i++) {
		assert_int_equal(b[i], 0x22);
		assert_int_equal(bounce[i], i >= 9000 ? 0x22 : 0x11);
	}
	/* the last byte is in range; one more is not */
	assert_int_equal(dmp_swiotlb_sync_single_for_cpu(pool, tlb + 9999, 1, DMP_BIDIRECTIONAL), 0);
	assert_int_equal(dmp_swiotlb_sync_single_for_cpu(pool, tlb + 9999, 2, DMP_BIDIRECTIONAL),
			 -EINVAL);
	assert_int_equal(dmp_swiotlb_sync_single_for_cpu(pool, tlb, 0, DMP_BIDIRECTIONAL), -EINVAL);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlb, 10000, DMP_TO_DEVICE, 0), 0);
	dmp_kfree(b);
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
}

/* min_align_mask, page alignment for >= a page, alloc_align_mask, padding slots. */
static void test_alignment(void **state)
{
	(void)state;
	struct dmp_swiotlb_pool *pool = small_pool(1 << 20, 1);
	uint8_t *buf = dmp_kmalloc(64 * 1024, DMP_GFP_KERNEL);
	dmp_phys_t base, orig, t1, t2, t3;
	assert_int_equal(dmp_virt_to_phys(buf, &base), 0);
	assert_true(DMP_IS_ALIGNED(base, DMP_PAGE_SIZE));

	/* a one-slot mapping takes slot 0 ... */
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base, 100, 0, 0, 0, DMP_TO_DEVICE, 0, &t1),
			 0);
	assert_true(t1 == pool->start);
	/* ... so a page-sized one skips slot 1: mappings >= a page are page aligned */
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base, 4096, 0, 0, 0, DMP_TO_DEVICE, 0, &t2),
			 0);
	assert_true(t2 == pool->start + 2 * SLOT);
	/* ... and a small one goes where the last one ended (next fit, as
	 * Linux's area index), not into the hole behind it */
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base, 2048, 0, 0, 0, DMP_TO_DEVICE, 0, &t3),
			 0);
	assert_true(t3 == pool->start + 4 * SLOT);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, t1, 100, DMP_TO_DEVICE, 0), 0);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, t2, 4096, DMP_TO_DEVICE, 0), 0);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, t3, 2048, DMP_TO_DEVICE, 0), 0);
	/* the placements below are counted from a fresh pool's first slot */
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
	pool = small_pool(1 << 20, 1);

	/* min_align_mask 0xfff, bit 11 set, small: the slot is chosen (odd slot) */
	orig = base + 0x830;
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 100, 0, 0xfff, 0, DMP_TO_DEVICE, 0,
						    &t1),
			 0);
	assert_true((t1 & 0xfff) == 0x830);
	assert_true(t1 == pool->start + SLOT + 0x30);
	/* the same bits, 8 KiB: page-aligned allocation with a padding slot */
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 8192, 0, 0xfff, 0, DMP_TO_DEVICE, 0,
						    &t2),
			 0);
	assert_true((t2 & 0xfff) == 0x830);
	struct dmp_swiotlb_stats st;
	dmp_swiotlb_get_stats(pool, &st);
	assert_int_equal(st.used, 1 + 6); /* 0x830 + 8192 bytes from a page boundary */
	/* the padding is not part of the mapping */
	assert_int_equal(dmp_swiotlb_sync_single_for_cpu(pool, t2 - 0x830, 1, DMP_TO_DEVICE), -EINVAL);
	assert_int_equal(dmp_swiotlb_sync_single_for_cpu(pool, t2 - 1, 1, DMP_TO_DEVICE), -EINVAL);
	/* alloc_align_mask: 16 KiB aligned, the min_align bits kept by the offset */
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base + 0x3a7, 100, 0, 0x3f, 0x3fff,
						    DMP_TO_DEVICE, 0, &t3),
			 0);
	assert_true((t3 & 0x3fff) == 0x27);
	assert_int_equal(dmp_swiotlb_pool_check(pool), 0);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, t1, 100, DMP_TO_DEVICE, 0), 0);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, t2, 8192, DMP_TO_DEVICE, 0), 0);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, t3, 100, DMP_TO_DEVICE, 0), 0);

	/* bad masks and sizes */
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base, 100, 0, 0x1001, 0, DMP_TO_DEVICE, 0,
						    &t1),
			 -EINVAL);
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base, 100, 0, 0, 0x800, DMP_TO_DEVICE, 0,
						    &t1),
			 -EINVAL);
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base, 0, 0, 0, 0, DMP_TO_DEVICE, 0, &t1),
			 -EINVAL);
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base, 100, 99, 0, 0, DMP_TO_DEVICE, 0, &t1),
			 -EINVAL);
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base, 100, 0, 0, 0, DMP_NONE, 0, &t1),
			 -EINVAL);
	/* not platform memory; the pool itself */
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, 0x1000, 16, 0, 0, 0, DMP_TO_DEVICE, 0, &t1),
			 -EFAULT);
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, pool->start + 4096, 16, 0, 0, 0,
						    DMP_TO_DEVICE, 0, &t1),
			 -EINVAL);
	dmp_swiotlb_get_stats(pool, &st);
	assert_int_equal(st.used, 0);
	dmp_kfree(buf);
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
}

/* DMP_SWIOTLB_ZERO_PADDING: no stale byte in the allocated slots. */
static void test_zero_padding(void **state)
{
	(void)state;
	struct dmp_swiotlb_pool *pool = small_pool(256 * 1024, 1);
	uint8_t *va = dmp_phys_to_virt(pool->start);
	dmp_phys_t base, tlb;
	uint8_t *buf = pattern_buf(8192, 9, &base);
	for (int skip = 0; skip < 2; skip++) {
		memset(va, 0xdd, pool->size); /* stale data of earlier mappings */
		unsigned long attrs = DMP_SWIOTLB_ZERO_PADDING | (skip ? DMP_ATTR_SKIP_CPU_SYNC : 0);
		/* IOMMU-style: alloc_size aligned to the granule, alloc_align_mask = granule - 1 */
		assert_int_equal(dmp_swiotlb_tbl_map_single(pool, base + 0x830, 100, 4096, 0xfff, 0xfff,
							    DMP_FROM_DEVICE, attrs, &tlb),
				 0);
		assert_true((tlb & 0xfff) == 0x830);
		uint8_t *b = dmp_phys_to_virt(tlb);
		uint8_t *first = b - 0x830;
		size_t total = DMP_ALIGN_UP(0x830 + 4096, 4096); /* two pages of slots */
		for (size_t i = 0; i < total; i++) {
			uint8_t *p = first + i;
			if (p >= b && p < b + 100) /* copied in, SKIP_CPU_SYNC or not */
				assert_int_equal(*p, buf[0x830 + (p - b)]);
			else
				assert_int_equal(*p, 0);
		}
		assert_int_equal(first[total], 0xdd); /* nothing beyond the allocation */
		assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlb, 100, DMP_FROM_DEVICE,
							      DMP_ATTR_SKIP_CPU_SYNC),
				 0);
	}
	dmp_kfree(buf);
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
}

/* Fill the pool: -ENOMEM (counted; NO_WARN silences the report), nothing corrupted. */
static void test_exhaustion(void **state)
{
	(void)state;
	struct dmp_swiotlb_pool *pool = small_pool(1 << 20, 2);
	struct model md;
	model_init(&md, pool, 777);
	int fails = 0;
	/* big ones until they fail a few times, then single slots until full */
	while (fails < 4 && free_map_index(&md) >= 0) {
		size_t size = 20000 + rnd(&md, 45000);
		if (model_map(&md, size, 0, min_masks[rnd(&md, 3)], 0, DMP_BIDIRECTIONAL,
			      fails ? DMP_ATTR_NO_WARN : 0) < 0)
			fails++;
	}
	for (int k = 0; k < 8; k++) {
		int idx = random_live(&md);
		model_device_write(&md, idx);
	}
	while (free_map_index(&md) >= 0) {
		if (model_map(&md, 1 + rnd(&md, 2048), 0, 0, 0, DMP_FROM_DEVICE, DMP_ATTR_NO_WARN) < 0)
			break;
	}
	struct dmp_swiotlb_stats st;
	dmp_swiotlb_get_stats(pool, &st);
	assert_true(st.nr_full >= 4);
	assert_int_equal(st.hiwater, st.used);
	model_verify(&md, NULL);
	model_verify_all_origs(&md);
	/* the high-water mark stays after unmaps, and resets to the current use */
	for (int i = 0; i < MAXMAP; i++)
		if (md.m[i].live)
			model_unmap(&md, i, 0);
	dmp_swiotlb_get_stats(pool, &st);
	assert_int_equal(st.used, 0);
	assert_true(st.hiwater > 0);
	dmp_swiotlb_reset_hiwater(pool);
	dmp_swiotlb_get_stats(pool, &st);
	assert_int_equal(st.hiwater, 0);
	model_fini(&md);
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
}

/* A pool of 1 MiB really fills with 512 single-slot mappings. */
static void test_fill_exact(void **state)
{
	(void)state;
	struct dmp_swiotlb_pool *pool = small_pool(1 << 20, 4);
	static dmp_phys_t tlbs[512];
	dmp_phys_t orig, extra;
	uint8_t *b = pattern_buf(2048, 1, &orig);
	for (int i = 0; i < 512; i++)
		assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 2048, 0, 0, 0, DMP_TO_DEVICE,
							    0, &tlbs[i]),
				 0);
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 1, 0, 0, 0, DMP_TO_DEVICE, 0, &extra),
			 -ENOMEM);
	assert_int_equal(dmp_swiotlb_pool_check(pool), 0);
	/* destroy with live slots is refused, and changes nothing */
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), -EBUSY);
	assert_int_equal(dmp_swiotlb_pool_check(pool), 0);
	assert_ptr_equal(dmp_swiotlb_find_pool(tlbs[0]), pool);
	for (int i = 0; i < 512; i++)
		assert_int_equal(dmp_swiotlb_tbl_unmap_single(pool, tlbs[i], 2048, DMP_TO_DEVICE, 0), 0);
	dmp_kfree(b);
	assert_int_equal(dmp_swiotlb_pool_destroy(pool), 0);
}

/* init_range: caller storage, argument checks, overlap with a registered pool. */
static void test_init_range(void **state)
{
	(void)state;
	struct dmp_swiotlb_pool a, b;
	dmp_phys_t phys;
	assert_int_equal(dmp_page_alloc(6, DMP_GFP_ZERO, DMP_PHYS_ANY, &phys), 0); /* 256 KiB */
	assert_int_equal(dmp_swiotlb_pool_init_range(&a, "a", phys + 1, 8192, 1), -EINVAL);
	assert_int_equal(dmp_swiotlb_pool_init_range(&a, "a", phys, 100, 1), -EINVAL);
	assert_int_equal(dmp_swiotlb_pool_init_range(&a, "a", phys, 0, 1), -EINVAL);
	assert_int_equal(dmp_swiotlb_pool_init_range(&a, "a", 0x1000, 8192, 1), -EFAULT);
	/* spans the gap after the first region */
	assert_int_equal(dmp_swiotlb_pool_init_range(&a, "a", 0x80000000ull + (1ull << 30) - 4096,
						     8192, 1),
			 -EFAULT);
	assert_int_equal(dmp_swiotlb_pool_init_range(&a, "a-very-long-name-that-is-truncated-here",
						     phys, 64 * 1024, 8),
			 0);
	assert_int_equal(strlen(a.name), DMP_SWIOTLB_NAME_MAX - 1);
	assert_int_equal(a.nareas, 1); /* clamped to the single (partial) segment */
	assert_int_equal(dmp_swiotlb_pool_init_range(&b, "b", phys + 32 * 1024, 64 * 1024, 1),
			 -EEXIST);
	assert_int_equal(dmp_swiotlb_pool_init_range(&b, "b", phys + 64 * 1024, 64 * 1024, 1), 0);
	/* a small pool: the max mapping size is the pool less the min_align loss */
	assert_int_equal(dmp_swiotlb_max_mapping_size(&a, 0), 64 * 1024);
	assert_int_equal(dmp_swiotlb_max_mapping_size(&a, 0xfff), 60 * 1024);
	uint8_t *buf = dmp_kmalloc(72 * 1024, DMP_GFP_KERNEL);
	dmp_phys_t orig, tlb;
	assert_int_equal(dmp_virt_to_phys(buf + 0xabc, &orig), 0);
	assert_int_equal(dmp_swiotlb_tbl_map_single(&a, orig, 60 * 1024, 0, 0xfff, 0, DMP_TO_DEVICE,
						    0, &tlb),
			 0);
	assert_true(dmp_swiotlb_is_bounce(&a, tlb));
	assert_ptr_equal(dmp_swiotlb_find_pool(tlb), &a);
	assert_int_equal(dmp_swiotlb_tbl_map_single(&a, orig, 64 * 1024 + 1, 0, 0, 0, DMP_TO_DEVICE,
						    DMP_ATTR_NO_WARN, &tlb),
			 -EINVAL);
	assert_int_equal(dmp_swiotlb_pool_destroy(&a), -EBUSY);
	assert_int_equal(dmp_swiotlb_tbl_unmap_single(&a, tlb, 60 * 1024, DMP_TO_DEVICE, 0), 0);
	assert_int_equal(dmp_swiotlb_pool_destroy(&a), 0);
	assert_int_equal(dmp_swiotlb_pool_destroy(&b), 0);
	assert_null(dmp_swiotlb_find_pool(phys));
	dmp_kfree(buf);
	assert_int_equal(dmp_page_free(phys, 6), 0);
}

/* Platform teardown: forget_all drops leaked pools without touching them. */
static void test_forget_all(void **state)
{
	(void)state;
	struct dmp_swiotlb_pool *pool;
	dmp_phys_t orig, tlb;
	pattern_buf(100, 5, &orig); /* leaked with the sim */
	assert_int_equal(dmp_swiotlb_pool_create("leaked", 64 * 1024, DMP_PHYS_ANY, 1, &pool), 0);
	dmp_swiotlb_set_default(pool);
	assert_int_equal(dmp_swiotlb_tbl_map_single(pool, orig, 100, 0, 0, 0, DMP_TO_DEVICE, 0, &tlb),
			 0);
	assert_ptr_equal(dmp_swiotlb_find_pool(tlb), pool);
	dmp_swiotlb_forget_all(); /* the sim (and the pool's memory) goes away next */
	assert_null(dmp_swiotlb_find_pool(tlb));
	assert_null(dmp_swiotlb_default());
}

/* Forget pools a failed test leaked, so that one failure doesn't cascade. */
static int teardown(void **state)
{
	dmp_swiotlb_forget_all();
	return fixture_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_geometry, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_create_failure_injection, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_directions, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_partial, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_low_counts_after_unmap, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_alignment, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_zero_padding, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_fill_exact, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_init_range, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_created, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_range, fixture_setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_forget_all, fixture_setup_bare, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
