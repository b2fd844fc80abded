/* test-meta-arena.c - the arena metadata allocator (struct dmp_meta_arena,
 * what freestanding ports implement dmp__meta_alloc with) against a model on
 * random sequences: blocks aligned, inside the arena, never overlapping a
 * live one; freed blocks reused for their size only; exhaustion and a size
 * beyond the last free list are NULL, and nothing changes. */
#include <stdlib.h>
#include <string.h>

#include "support/sim-fixture.h"

#define ARENA_BYTES (64u << 10)
#define MAX_LIVE 512

static _Alignas(DMP_META_ALIGN) uint8_t arena_mem[ARENA_BYTES];
static uint8_t owner[ARENA_BYTES]; /* the model: which live block holds each byte (index + 1) */

struct block {
	uint8_t *p;
	size_t size;
};

static size_t rounded(size_t size)
{
	return DMP_ALIGN_UP(DMP_MAX(size, sizeof(void *)), (size_t)DMP_META_ALIGN);
}

static void claim(const struct block *b, uint8_t id)
{
	size_t off = (size_t)(b->p - arena_mem);
	for (size_t i = 0; i < rounded(b->size); i++) {
		assert_int_equal(owner[off + i], 0);
		owner[off + i] = id;
	}
	memset(b->p, id, b->size); /* the caller may write all of it */
}

static void release(const struct block *b)
{
	size_t off = (size_t)(b->p - arena_mem);
	for (size_t i = 0; i < rounded(b->size); i++)
		owner[off + i] = 0;
}

static void test_random_vs_model(void **state)
{
	(void)state;
	static const size_t sizes[] = { 1, 24, 64, 65, 200, 1000, 4032, 96 };
	struct dmp_meta_arena a;
	struct block live[MAX_LIVE];
	size_t nlive = 0, nfull = 0;
	uint64_t rng = 7;

	dmp_meta_arena_init(&a, arena_mem, sizeof(arena_mem));
	memset(owner, 0, sizeof(owner));
	for (int step = 0; step < 50000; step++) {
		uint64_t r = fixture_rand(&rng);
		if (nlive < MAX_LIVE && (r % 5 < 3 || nlive == 0)) {
			struct block b = { .size = sizes[fixture_rand(&rng) % DMP_ARRAY_SIZE(sizes)] };
			b.p = dmp_meta_arena_alloc(&a, b.size);
			if (!b.p) {
				/* only when neither a freed block of its size nor the
				 * rest of the arena can hold it */
				assert_true(a.size - a.used < rounded(b.size));
				nfull++;
				continue;
			}
			assert_true(DMP_IS_ALIGNED((uintptr_t)b.p, (uintptr_t)DMP_META_ALIGN));
			assert_true(b.p >= arena_mem && b.p + b.size <= arena_mem + sizeof(arena_mem));
			claim(&b, (uint8_t)(nlive % 250 + 1));
			live[nlive++] = b;
		} else {
			size_t i = (size_t)(fixture_rand(&rng) % nlive);
			release(&live[i]);
			dmp_meta_arena_free(&a, live[i].p, live[i].size);
			live[i] = live[--nlive];
		}
	}
	assert_true(nfull > 0); /* the sequence did exhaust the arena */
	while (nlive) {
		release(&live[--nlive]);
		dmp_meta_arena_free(&a, live[nlive].p, live[nlive].size);
	}
	dmp_meta_arena_free(&a, NULL, 64); /* NULL: nothing */
}

/* A freed block comes back for its size; a new size gets fresh memory. */
static void test_reuse_by_size(void **state)
{
	(void)state;
	struct dmp_meta_arena a = DMP_META_ARENA_INIT(arena_mem, sizeof(arena_mem));

	void *x = dmp_meta_arena_alloc(&a, 100);
	void *y = dmp_meta_arena_alloc(&a, 300);
	assert_non_null(x);
	assert_non_null(y);
	dmp_meta_arena_free(&a, x, 100);
	void *z = dmp_meta_arena_alloc(&a, 300);
	assert_ptr_not_equal(z, x); /* another size: not x's block */
	assert_ptr_equal(dmp_meta_arena_alloc(&a, 128), x); /* 100 and 128 round alike */
}

/* Sizes beyond the free lists, and requests beyond the arena, are NULL. */
static void test_limits(void **state)
{
	(void)state;
	struct dmp_meta_arena a;
	dmp_meta_arena_init(&a, arena_mem, sizeof(arena_mem));

	assert_null(dmp_meta_arena_alloc(&a, sizeof(arena_mem) + 1));
	assert_null(dmp_meta_arena_alloc(&a, (size_t)-1));
	for (size_t i = 1; i <= DMP_META_ARENA_SIZES; i++)
		assert_non_null(dmp_meta_arena_alloc(&a, i * DMP_META_ALIGN));
	size_t used = a.used;
	assert_null(dmp_meta_arena_alloc(&a, (DMP_META_ARENA_SIZES + 1) * DMP_META_ALIGN));
	assert_int_equal(a.used, used);
	assert_non_null(dmp_meta_arena_alloc(&a, 1)); /* an existing size still works */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_vs_model),
		cmocka_unit_test(test_reuse_by_size),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
