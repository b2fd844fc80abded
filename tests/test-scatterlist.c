/* SPDX-License-Identifier: MIT */
/*
 * test-scatterlist.c - scatterlist tables on a simulated machine.
 *
 *  - entries: init, end marks, set_page/set_buf (and the refusal of memory
 *    that is not the platform's), hand-made chains, iteration, DMA fields;
 *  - dmp_sg_alloc_table() at and around the array size and far beyond it,
 *    walked with dmp_sg_next() and dmp_for_each_sg(), the walker after each
 *    step, the number of arrays allocated, nothing leaked after free;
 *  - dmp_sg_alloc_table_from_pages_segment() against a model written from
 *    Linux's rule, on random page arrays made of runs of contiguous pages,
 *    with random offset, size and max_segment; and data written through the
 *    list landing at the right bytes of the right pages;
 *  - entries never cross memory regions, even physically adjacent ones;
 *  - failure injection on every allocation: -ENOMEM, nothing leaked;
 *  - the copy helpers against a flat model of the list's bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dmaport/platform.h>
#include <dmaport/scatterlist.h>
#include <dmaport/sim.h>

#define PAGE DMP_PAGE_SIZE
#define MAX_ENTS ((unsigned int)DMP_SG_MAX_SINGLE_ALLOC)

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, seeded per test. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static unsigned int rnd_below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static void fill_random(uint8_t *p, size_t len)
{
	for (size_t b = 0; b < len; b += 8) {
		uint64_t v = rnd();
		memcpy(p + b, &v, DMP_MIN(len - b, sizeof(v)));
	}
}

static int sim_setup(void **state)
{
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;

	dmp_sim_config_default(&cfg);
	if (dmp_sim_create(&cfg, &sim) != 0)
		return -1;
	*state = sim;
	rng_state = 0x5ca77e2b1157ull;
	return 0;
}

static int sim_teardown(void **state)
{
	dmp_sim_destroy(*state);
	return 0;
}

/* Arrays dmp_sg_alloc_table() needs for @n entries: each array but the last
 * gives one slot to the chain, so n <= MAX takes one, else ceil((n-1)/(MAX-1)). */
static unsigned int expected_arrays(unsigned int n)
{
	return n <= MAX_ENTS ? 1 : (n - 1 + MAX_ENTS - 2) / (MAX_ENTS - 1);
}

static void test_entries(void **state)
{
	struct dmp_scatterlist sgl[8], *sg;
	unsigned int i;
	(void)state;

	dmp_sg_init_table(sgl, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(dmp_sg_is_last(&sgl[i]), i == 7);
		assert_false(dmp_sg_is_chain(&sgl[i]));
		assert_null(dmp_sg_page(&sgl[i]));
		assert_int_equal(sgl[i].length, 0);
	}
	assert_int_equal(dmp_sg_nents(sgl), 8);
	assert_ptr_equal(dmp_sg_last(sgl, 8), &sgl[7]);
	assert_null(dmp_sg_next(&sgl[7]));
	assert_ptr_equal(dmp_sg_next(&sgl[2]), &sgl[3]);

	dmp_sg_mark_end(&sgl[3]);
	assert_int_equal(dmp_sg_nents(sgl), 4);
	assert_ptr_equal(dmp_sg_last(sgl, 4), &sgl[3]);
	dmp_sg_unmark_end(&sgl[3]);
	assert_int_equal(dmp_sg_nents(sgl), 8);
	dmp_sg_init_marker(sgl, 5);
	assert_int_equal(dmp_sg_nents(sgl), 5);
	dmp_sg_unmark_end(&sgl[4]);

	/* set_page keeps the end mark and sets the page exactly. */
	dmp_phys_t phys;
	assert_int_equal(dmp_page_alloc(2, 0, DMP_PHYS_ANY, &phys), 0);
	struct dmp_page *pg = dmp_phys_to_page(phys);
	dmp_sg_set_page(&sgl[7], pg, 3 * PAGE, 100);
	assert_true(dmp_sg_is_last(&sgl[7]));
	assert_ptr_equal(dmp_sg_page(&sgl[7]), pg);
	assert_int_equal(sgl[7].offset, 100);
	assert_int_equal(sgl[7].length, 3 * PAGE);
	assert_true(dmp_sg_phys(&sgl[7]) == phys + 100);
	assert_ptr_equal(dmp_sg_virt(&sgl[7]), (uint8_t *)dmp_phys_to_virt(phys) + 100);
	dmp_sg_set_page(&sgl[6], pg + 1, 10, 0);
	assert_false(dmp_sg_is_last(&sgl[6]));
	assert_true(dmp_sg_phys(&sgl[6]) == phys + PAGE);

	/* The DMA fields are lvalues and untouched by set_page. */
	dmp_sg_dma_address(&sgl[6]) = 0x1234000;
	dmp_sg_dma_len(&sgl[6]) = 77;
	dmp_sg_set_page(&sgl[6], pg, 20, 5);
	assert_true(sgl[6].dma_address == 0x1234000);
	assert_int_equal(sgl[6].dma_length, 77);
	dmp_sg_dma_mark_swiotlb(&sgl[6]);
	assert_true(dmp_sg_dma_is_swiotlb(&sgl[6]));
	assert_false(dmp_sg_dma_is_bus_address(&sgl[6]));
	dmp_sg_dma_mark_bus_address(&sgl[6]);
	dmp_sg_dma_unmark_swiotlb(&sgl[6]);
	assert_int_equal(sgl[6].dma_flags, DMP_SG_DMA_BUS_ADDRESS);
	dmp_sg_dma_unmark_bus_address(&sgl[6]);
	assert_int_equal(sgl[6].dma_flags, 0);

	/* set_buf on platform memory: the page and offset of the buffer. */
	uint8_t *buf = dmp_kmalloc(300, 0);
	assert_non_null(buf);
	dmp_sg_set_buf(&sgl[1], buf + 7, 250);
	assert_ptr_equal(dmp_sg_virt(&sgl[1]), buf + 7);
	assert_ptr_equal(dmp_sg_page(&sgl[1]), dmp_virt_to_page(buf + 7));
	assert_int_equal(sgl[1].offset, ((uintptr_t)(buf + 7)) & (PAGE - 1));
	assert_int_equal(sgl[1].length, 250);

	/* set_buf on the C stack: refused, no page, end mark kept. */
	uint8_t stack_buf[64];
	dmp_sg_set_page(&sgl[7], pg, 1, 0);
	dmp_sg_set_buf(&sgl[7], stack_buf, sizeof(stack_buf));
	assert_null(dmp_sg_page(&sgl[7]));
	assert_true(dmp_sg_is_last(&sgl[7]));
	assert_int_equal(sgl[7].length, sizeof(stack_buf));
	/* A buffer running off the end of its region is refused too. */
	uint8_t *end = dmp_phys_to_virt(0x80000000ull + (1ull << 30) - 16);
	dmp_sg_set_buf(&sgl[5], end, 32);
	assert_null(dmp_sg_page(&sgl[5]));
	dmp_sg_set_buf(&sgl[5], end, 16);
	assert_ptr_equal(dmp_sg_virt(&sgl[5]), end);

	/* init_one. */
	struct dmp_scatterlist one;
	memset(&one, 0xa5, sizeof(one));
	dmp_sg_init_one(&one, buf, 300);
	assert_true(dmp_sg_is_last(&one));
	assert_ptr_equal(dmp_sg_virt(&one), buf);
	assert_true(one.dma_address == 0 && one.dma_length == 0 && one.dma_flags == 0);
	assert_int_equal(dmp_sg_nents(&one), 1);

	/* nents_for_len over lengths 10, 20, 30. */
	struct dmp_scatterlist three[3];
	dmp_sg_init_table(three, 3);
	for (i = 0; i < 3; i++)
		dmp_sg_set_page(&three[i], pg, 10 * (i + 1), 0);
	assert_int_equal(dmp_sg_nents_for_len(three, 0), 0);
	assert_int_equal(dmp_sg_nents_for_len(three, 1), 1);
	assert_int_equal(dmp_sg_nents_for_len(three, 10), 1);
	assert_int_equal(dmp_sg_nents_for_len(three, 11), 2);
	assert_int_equal(dmp_sg_nents_for_len(three, 60), 3);
	assert_int_equal(dmp_sg_nents_for_len(three, 61), -EINVAL);
	assert_int_equal(dmp_sg_nents(NULL), 0);

	/* Hand-made chain a[4] -> b[3] -> c[5]: 3 + 2 + 5 entries of data. */
	struct dmp_scatterlist a[4], b[3], c[5];
	struct dmp_scatterlist *want[10];
	dmp_sg_init_table(a, 4);
	dmp_sg_init_table(b, 3);
	dmp_sg_init_table(c, 5);
	dmp_sg_chain(a, 4, b);
	dmp_sg_chain(b, 3, c);
	assert_true(dmp_sg_is_chain(&a[3]) && !dmp_sg_is_last(&a[3]));
	assert_ptr_equal(dmp_sg_chain_ptr(&a[3]), b);
	for (i = 0; i < 3; i++)
		want[i] = &a[i];
	want[3] = &b[0];
	want[4] = &b[1];
	for (i = 0; i < 5; i++)
		want[5 + i] = &c[i];
	assert_int_equal(dmp_sg_nents(a), 10);
	dmp_for_each_sg(a, sg, 10, i)
		assert_ptr_equal(sg, want[i]);
	assert_int_equal(i, 10);
	assert_ptr_equal(dmp_sg_last(a, 10), &c[4]);
	/* A partial walk stops where asked. */
	dmp_for_each_sg(a, sg, 4, i)
		;
	assert_ptr_equal(sg, want[4]);
	/* Marking the end inside a chained list shortens it. */
	dmp_sg_mark_end(&b[0]);
	assert_int_equal(dmp_sg_nents(a), 4);

	dmp_kfree(buf);
	assert_int_equal(dmp_page_free(phys, 2), 0);
}

/* Walk a table every way and check what the walks agree on. */
static void walk_table(struct dmp_sg_table *t, unsigned int n)
{
	struct dmp_scatterlist *sg, *prev = NULL;
	unsigned int i, count = 0, jumps = 0;

	assert_int_equal(dmp_sg_table_check(t), 0);
	assert_int_equal(t->nents, n);
	assert_int_equal(t->orig_nents, n);
	assert_int_equal(dmp_sg_nents(t->sgl), (int)n);

	/* Raw walk: a jump is a step that is not to the next slot. */
	for (sg = t->sgl; sg; sg = dmp_sg_next(sg)) {
		assert_false(dmp_sg_is_chain(sg));
		assert_null(dmp_sg_page(sg));
		assert_int_equal(sg->length, 0);
		if (prev && sg != prev + 1)
			jumps++;
		prev = sg;
		count++;
	}
	assert_int_equal(count, n);
	assert_int_equal(jumps, expected_arrays(n) - 1);
	assert_ptr_equal(dmp_sg_last(t->sgl, n), prev);

	/* Tag every entry through for_each_sg, read the tags back with next. */
	dmp_for_each_sgtable_sg(t, sg, i)
		sg->length = i + 1;
	assert_int_equal(i, n);
	i = 0;
	for (sg = t->sgl; sg; sg = dmp_sg_next(sg))
		assert_int_equal(sg->length, ++i);
	assert_int_equal(dmp_sg_nents_for_len(t->sgl, (uint64_t)n * (n + 1) / 2), (int)n);
	assert_int_equal(dmp_sg_table_check(t), 0);

	/* A DMA-side walk honours nents. */
	t->nents = n / 2;
	count = 0;
	dmp_for_each_sgtable_dma_sg(t, sg, i)
		count++;
	assert_int_equal(count, n / 2);
	t->nents = n;
	dmp_for_each_sgtable_sg(t, sg, i)
		sg->length = 0;
}

static void test_alloc_table(void **state)
{
	const unsigned int sizes[] = {
		1, 2, MAX_ENTS - 1, MAX_ENTS, MAX_ENTS + 1, 2 * MAX_ENTS - 2, 2 * MAX_ENTS - 1,
		2 * MAX_ENTS, 2 * MAX_ENTS + 1, 3 * MAX_ENTS - 3, 10 * MAX_ENTS,
		10 * MAX_ENTS + 7, 100 * MAX_ENTS + 3,
	};
	struct dmp_sg_table t;
	size_t free0 = dmp_page_free_count();
	(void)state;

	assert_int_equal(MAX_ENTS, PAGE / sizeof(struct dmp_scatterlist));
	memset(&t, 0x5a, sizeof(t));
	assert_int_equal(dmp_sg_alloc_table(&t, 0, 0), -EINVAL);
	assert_null(t.sgl);
	assert_int_equal(t.orig_nents, 0);
	dmp_sg_free_table(&t); /* a zeroed table is ignored */
	assert_int_equal(dmp_sg_table_check(&t), 0);

	for (unsigned int k = 0; k < DMP_ARRAY_SIZE(sizes) + 40; k++) {
		unsigned int n = k < DMP_ARRAY_SIZE(sizes) ? sizes[k] : 1 + rnd_below(6 * MAX_ENTS);
		dmp_fail_nth(DMP_FAIL_HEAP, 0); /* resets the call count */
		assert_int_equal(dmp_sg_alloc_table(&t, n, 0), 0);
		assert_int_equal(dmp_fail_calls(DMP_FAIL_HEAP), expected_arrays(n));
		walk_table(&t, n);
		dmp_sg_free_table(&t);
		assert_null(t.sgl);
		assert_int_equal(dmp_sg_table_check(&t), 0);
		assert_int_equal(dmp_page_free_count(), free0);
	}

	/* Several tables alive at once don't disturb each other. */
	struct dmp_sg_table many[6];
	for (unsigned int k = 0; k < 6; k++)
		assert_int_equal(dmp_sg_alloc_table(&many[k], 1 + k * (MAX_ENTS - 1), 0), 0);
	for (unsigned int k = 0; k < 6; k++)
		walk_table(&many[k], 1 + k * (MAX_ENTS - 1));
	for (unsigned int k = 0; k < 6; k += 2)
		dmp_sg_free_table(&many[k]);
	for (unsigned int k = 1; k < 6; k += 2) {
		walk_table(&many[k], 1 + k * (MAX_ENTS - 1));
		dmp_sg_free_table(&many[k]);
	}
	assert_int_equal(dmp_page_free_count(), free0);
}

static void test_alloc_table_failures(void **state)
{
	const unsigned int sizes[] = { 1, MAX_ENTS, MAX_ENTS + 1, 3 * MAX_ENTS + 5 };
	const enum dmp_fail_site sites[] = { DMP_FAIL_HEAP, DMP_FAIL_PAGE };
	struct dmp_sg_table t;
	(void)state;

	for (unsigned int s = 0; s < DMP_ARRAY_SIZE(sites); s++) {
		for (unsigned int k = 0; k < DMP_ARRAY_SIZE(sizes); k++) {
			unsigned int n = sizes[k], failures = 0;
			size_t free0 = dmp_page_free_count();
			for (unsigned long nth = 1;; nth++) {
				dmp_fail_nth(sites[s], nth);
				int ret = dmp_sg_alloc_table(&t, n, 0);
				if (ret == 0) {
					walk_table(&t, n);
					dmp_sg_free_table(&t);
					break;
				}
				failures++;
				assert_int_equal(ret, -ENOMEM);
				assert_null(t.sgl);
				assert_int_equal(t.nents, 0);
				assert_int_equal(t.orig_nents, 0);
				assert_int_equal(dmp_page_free_count(), free0);
			}
			dmp_fail_nth(sites[s], 0);
			assert_int_equal(dmp_page_free_count(), free0);
			/* Every array allocation was made to fail once. */
			if (sites[s] == DMP_FAIL_HEAP)
				assert_int_equal(failures, expected_arrays(n));
			else
				assert_true(failures >= 1);
		}
	}
}

/*
 * A page array for from_pages: a block of pages cut into runs of random
 * length, the runs shuffled a little (so that some neighbours stay in order
 * and merge, most don't), every page at most once.
 */
struct page_set {
	struct dmp_page *pages[1024];
	dmp_phys_t phys[1024];
	unsigned int n;
};

static void make_pages(struct page_set *ps, dmp_phys_t block, unsigned int block_pages,
		       unsigned int want)
{
	unsigned int starts[1024], lens[1024], nr = 0, pos = 0;
	unsigned int long_runs = rnd_below(4) == 0;

	while (pos < block_pages) {
		unsigned int len = 1 + rnd_below(long_runs ? 300 : 6);
		len = DMP_MIN(len, block_pages - pos);
		starts[nr] = pos;
		lens[nr++] = len;
		pos += len;
	}
	for (unsigned int k = rnd_below(nr + 1); k > 0; k--) {
		unsigned int x = rnd_below(nr), y = rnd_below(nr);
		unsigned int ts = starts[x], tl = lens[x];
		starts[x] = starts[y];
		lens[x] = lens[y];
		starts[y] = ts;
		lens[y] = tl;
	}
	ps->n = 0;
	for (unsigned int r = 0; r < nr && ps->n < want; r++)
		for (unsigned int p = 0; p < lens[r] && ps->n < want; p++) {
			ps->phys[ps->n] = block + (dmp_phys_t)(starts[r] + p) * PAGE;
			ps->pages[ps->n] = dmp_phys_to_page(ps->phys[ps->n]);
			ps->n++;
		}
}

/*
 * The model, from Linux's rule: walking the pages the buffer uses, a new
 * entry starts at a page that does not follow its predecessor physically, or
 * when the current entry already has max_segment / PAGE pages.  (All pages
 * of one test come from one block, hence one region.)  Returns the entry
 * count; first[e] is the index of entry e's first page.
 */
static unsigned int model_entries(const struct page_set *ps, unsigned int used,
				  unsigned int max_pages, unsigned int *first)
{
	unsigned int nr = 0, pages_in_entry = 0;

	for (unsigned int i = 0; i < used; i++) {
		bool follows = i > 0 && ps->phys[i] == ps->phys[i - 1] + PAGE;
		if (!follows || pages_in_entry == max_pages) {
			first[nr++] = i;
			pages_in_entry = 0;
		}
		pages_in_entry++;
	}
	return nr;
}

/* What the random cases covered, so that a weak generator shows. */
static struct {
	unsigned long merged;  /* entries of more than one page */
	unsigned long capped;  /* entries cut at max_segment before a contiguous page */
	unsigned long chained; /* tables of more than one array */
	unsigned long ignored; /* cases with pages beyond the buffer */
} cover;

static void check_from_pages(const struct page_set *ps, const struct dmp_sg_table *t,
			     unsigned int offset, size_t size, unsigned int max_segment)
{
	unsigned int used = (unsigned int)((offset + size + PAGE - 1) / PAGE);
	unsigned int max_pages = max_segment / PAGE;
	unsigned int first[1024];
	unsigned int nr = model_entries(ps, used, max_pages, first);
	struct dmp_scatterlist *sg;
	unsigned int i;
	size_t pos = offset; /* byte position in the page sequence */

	assert_int_equal(dmp_sg_table_check(t), 0);
	assert_int_equal(t->orig_nents, nr);
	assert_int_equal(t->nents, nr);
	dmp_for_each_sgtable_sg(t, sg, i) {
		unsigned int e_off = sg->offset, len = sg->length;
		assert_true(len > 0);
		assert_true(len <= max_pages * PAGE);
		/* Entries concatenate: each starts where the last ended. */
		assert_int_equal(pos / PAGE, first[i]);
		assert_int_equal(e_off, i == 0 ? offset : 0);
		assert_ptr_equal(dmp_sg_page(sg), ps->pages[first[i]]);
		/* Physically contiguous: every byte of the entry is the byte
		 * of the page sequence at the same position. */
		dmp_phys_t base = dmp_sg_phys(sg);
		uint8_t *va = dmp_sg_virt(sg);
		for (size_t b = 0; b < len; b = DMP_MIN((size_t)len, (b | (PAGE - 1)) + 1)) {
			size_t at = pos + b;
			assert_true(base + b == ps->phys[at / PAGE] + at % PAGE);
			assert_ptr_equal(va + b, dmp_phys_to_virt(base + b));
		}
		assert_true(base + len - 1 == ps->phys[(pos + len - 1) / PAGE] + (pos + len - 1) % PAGE);
		/* Maximal: the next entry could not have been merged. */
		if (i + 1 < nr) {
			bool full = (pos + len) / PAGE - first[i] == max_pages;
			bool follows = ps->phys[first[i + 1]] == ps->phys[first[i + 1] - 1] + PAGE;
			assert_true(full || !follows);
			cover.capped += full && follows;
			assert_int_equal((pos + len) % PAGE, 0);
		}
		cover.merged += (pos % PAGE) + len > PAGE;
		pos += len;
	}
	assert_int_equal(pos, offset + size);
	cover.chained += t->orig_nents > MAX_ENTS;
	cover.ignored += used < ps->n;
}

static unsigned int random_max_segment(void)
{
	switch (rnd_below(7)) {
	case 0: return (unsigned int)PAGE;
	case 1: return (unsigned int)(2 * PAGE);
	case 2: return (unsigned int)(3 * PAGE + 1 + rnd_below(PAGE - 1)); /* rounds down */
	case 3: return 65536;
	case 4: return (unsigned int)((1 + rnd_below(40)) * PAGE);
	case 5: return DMP_SG_MAX_SEGMENT;
	default: return UINT32_MAX;
	}
}

static void test_from_pages_model(void **state)
{
	static struct page_set ps;
	static uint8_t pattern[1024 * PAGE], back[1024 * PAGE];
	struct dmp_sg_table t;
	dmp_phys_t hi, lo;
	(void)state;

	/* One block high, one low (a different region). */
	assert_int_equal(dmp_page_alloc(10, 0, DMP_PHYS_ANY, &hi), 0);
	assert_int_equal(dmp_page_alloc(10, 0, 0xbfffffffull, &lo), 0);
	assert_true(lo < 0xc0000000ull && hi >= 0x100000000ull);
	size_t free0 = dmp_page_free_count();

	for (unsigned int iter = 0; iter < 1500; iter++) {
		unsigned int want = iter % 20 == 0 ? 1 + rnd_below(1024) : 1 + rnd_below(48);
		make_pages(&ps, iter & 1 ? hi : lo, 1024, want);
		unsigned int n = ps.n;
		unsigned int offset = rnd_below(4) == 0 ? 0 : rnd_below(PAGE);
		/* A size that needs exactly n pages, or sometimes fewer (the
		 * extra pages must be ignored). */
		unsigned int need = rnd_below(8) == 0 ? 1 + rnd_below(n) : n;
		size_t lo_size = need == 1 ? 1 : (need - 1) * PAGE - offset + 1;
		size_t hi_size = need * PAGE - offset;
		size_t size = lo_size + rnd() % (hi_size - lo_size + 1);
		unsigned int max_segment = random_max_segment();
		unsigned int max_rounded = max_segment & (unsigned int)DMP_PAGE_MASK;

		int ret = dmp_sg_alloc_table_from_pages_segment(&t, ps.pages, n, offset, size,
								max_segment, 0);
		assert_int_equal(ret, 0);
		check_from_pages(&ps, &t, offset, size, max_rounded);

		/* The page walk visits exactly the pages the buffer uses, in
		 * order, from any starting page. */
		unsigned int used = (unsigned int)((offset + size + PAGE - 1) / PAGE);
		unsigned int skip_pages = rnd_below(2) ? 0 : rnd_below(used + 2);
		unsigned int k = skip_pages;
		struct dmp_sg_page_iter piter;
		dmp_for_each_sgtable_page(&t, &piter, skip_pages) {
			assert_true(k < used);
			assert_ptr_equal(dmp_sg_page_iter_page(&piter), ps.pages[k]);
			k++;
		}
		assert_int_equal(k, DMP_MAX(used, skip_pages));

		/* Data written through the list lands at the right bytes of
		 * the right pages, and reads back. */
		fill_random(pattern, size);
		assert_int_equal(dmp_sg_copy_from_buffer(t.sgl, t.orig_nents, pattern, size), size);
		for (size_t b = 0; b < size; b += 1 + rnd_below(97)) {
			size_t at = offset + b;
			uint8_t *p = dmp_phys_to_virt(ps.phys[at / PAGE] + at % PAGE);
			assert_int_equal(*p, pattern[b]);
		}
		memset(back, 0, size);
		assert_int_equal(dmp_sg_copy_to_buffer(t.sgl, t.orig_nents, back, size), size);
		assert_memory_equal(back, pattern, size);

		dmp_sg_free_table(&t);
		assert_int_equal(dmp_page_free_count(), free0);

		if (max_segment == DMP_SG_MAX_SEGMENT) {
			/* The default is that segment size. */
			assert_int_equal(dmp_sg_alloc_table_from_pages(&t, ps.pages, n, offset,
									size, 0), 0);
			check_from_pages(&ps, &t, offset, size, max_rounded);
			dmp_sg_free_table(&t);
		}
	}
	assert_int_equal(dmp_page_free(hi, 10), 0);
	assert_int_equal(dmp_page_free(lo, 10), 0);
	printf("from_pages: %lu merged entries, %lu cut at max_segment, %lu chained tables, "
	       "%lu cases with unused pages\n", cover.merged, cover.capped, cover.chained,
	       cover.ignored);
	assert_true(cover.merged > 1000 && cover.capped > 100 && cover.chained > 5 &&
		    cover.ignored > 50);
}

static void test_from_pages_bad_input(void **state)
{
	struct dmp_sg_table t;
	struct dmp_page *pages[4], fake;
	dmp_phys_t phys;
	(void)state;

	assert_int_equal(dmp_page_alloc(2, 0, DMP_PHYS_ANY, &phys), 0);
	for (unsigned int i = 0; i < 4; i++)
		pages[i] = dmp_phys_to_page(phys + i * PAGE);

	assert_int_equal(dmp_sg_alloc_table_from_pages_segment(&t, pages, 4, 0, 4 * PAGE,
							       PAGE - 1, 0), -EINVAL);
	assert_null(t.sgl);
	assert_int_equal(dmp_sg_alloc_table_from_pages(&t, pages, 4, 0, 0, 0), -EINVAL);
	assert_int_equal(dmp_sg_alloc_table_from_pages(&t, pages, 4, PAGE, 1, 0), -EINVAL);
	assert_int_equal(dmp_sg_alloc_table_from_pages(&t, pages, 4, 1, 4 * PAGE, 0), -EINVAL);
	assert_int_equal(dmp_sg_alloc_table_from_pages(&t, pages, 0, 0, 1, 0), -EINVAL);
	assert_int_equal(dmp_sg_alloc_table_from_pages(&t, NULL, 4, 0, 1, 0), -EINVAL);
	pages[2] = NULL;
	assert_int_equal(dmp_sg_alloc_table_from_pages(&t, pages, 4, 0, 4 * PAGE, 0), -EINVAL);
	pages[2] = &fake; /* not a descriptor of platform memory */
	assert_int_equal(dmp_sg_alloc_table_from_pages(&t, pages, 4, 0, 4 * PAGE, 0), -EINVAL);
	/* ... but pages past the buffer are not looked at. */
	assert_int_equal(dmp_sg_alloc_table_from_pages(&t, pages, 4, 0, 2 * PAGE, 0), 0);
	assert_int_equal(t.orig_nents, 1);
	assert_int_equal(t.sgl->length, 2 * PAGE);
	dmp_sg_free_table(&t);
	pages[2] = dmp_phys_to_page(phys + 2 * PAGE);

	/* Exactly a page of segment: one entry per page. */
	assert_int_equal(dmp_sg_alloc_table_from_pages_segment(&t, pages, 4, 10, 4 * PAGE - 10,
							       2 * PAGE - 1, 0), 0);
	assert_int_equal(t.orig_nents, 4);
	assert_int_equal(t.sgl->length, PAGE - 10);
	dmp_sg_free_table(&t);
	assert_int_equal(dmp_page_free(phys, 2), 0);
}

/* Physically adjacent regions: no entry crosses from one to the other. */
static void test_from_pages_regions(void **state)
{
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;
	struct dmp_sg_table t;
	(void)state;

	dmp_sim_config_default(&cfg);
	cfg.regions[0].base = 0x80000000ull;
	cfg.regions[0].size = 16ull << 20;
	cfg.regions[1].base = 0x81000000ull;
	cfg.regions[1].size = 16ull << 20;
	assert_int_equal(dmp_sim_create(&cfg, &sim), 0);

	dmp_phys_t edge = 0x81000000ull;
	struct dmp_page *pages[4] = {
		dmp_phys_to_page(edge - 2 * PAGE), dmp_phys_to_page(edge - PAGE),
		dmp_phys_to_page(edge), dmp_phys_to_page(edge + PAGE),
	};
	assert_int_equal(dmp_sg_alloc_table_from_pages(&t, pages, 4, 0, 4 * PAGE, 0), 0);
	assert_int_equal(dmp_sg_table_check(&t), 0);
	assert_int_equal(t.orig_nents, 2);
	assert_true(dmp_sg_phys(t.sgl) == edge - 2 * PAGE);
	assert_int_equal(t.sgl->length, 2 * PAGE);
	struct dmp_scatterlist *second = dmp_sg_next(t.sgl);
	assert_true(dmp_sg_phys(second) == edge);
	assert_int_equal(second->length, 2 * PAGE);
	assert_ptr_equal(dmp_sg_virt(second), dmp_phys_to_virt(edge));
	dmp_sg_free_table(&t);

	/* The walker rejects an entry that runs off its region. */
	assert_int_equal(dmp_sg_alloc_table(&t, 1, 0), 0);
	dmp_sg_set_page(t.sgl, pages[1], 2 * PAGE, 0);
	assert_int_equal(dmp_sg_table_check(&t), -EINVAL);
	dmp_sg_set_page(t.sgl, pages[1], PAGE, 0);
	assert_int_equal(dmp_sg_table_check(&t), 0);
	dmp_sg_free_table(&t);
	dmp_sim_destroy(sim);
}

static void test_from_pages_failures(void **state)
{
	static struct page_set ps;
	struct dmp_sg_table t;
	dmp_phys_t block;
	(void)state;

	assert_int_equal(dmp_page_alloc(10, 0, DMP_PHYS_ANY, &block), 0);
	size_t free0 = dmp_page_free_count();
	for (unsigned int k = 0; k < 6; k++) {
		make_pages(&ps, block, 1024, k < 3 ? 1024 : 1 + rnd_below(200));
		for (unsigned int site = 0; site < DMP_FAIL_NR_SITES; site++) {
			unsigned int failures = 0;
			for (unsigned long nth = 1;; nth++) {
				dmp_fail_nth((enum dmp_fail_site)site, nth);
				int ret = dmp_sg_alloc_table_from_pages_segment(
					&t, ps.pages, ps.n, 5, ps.n * PAGE - 5, PAGE, 0);
				if (ret == 0) {
					check_from_pages(&ps, &t, 5, ps.n * PAGE - 5, PAGE);
					dmp_sg_free_table(&t);
					break;
				}
				failures++;
				assert_int_equal(ret, -ENOMEM);
				assert_null(t.sgl);
				assert_int_equal(dmp_page_free_count(), free0);
			}
			dmp_fail_nth((enum dmp_fail_site)site, 0);
			assert_true(failures >= 1);
			if (site == DMP_FAIL_HEAP)
				assert_int_equal(failures, expected_arrays(ps.n));
			assert_int_equal(dmp_page_free_count(), free0);
		}
	}
	assert_int_equal(dmp_page_free(block, 10), 0);
}

/* The DMA-side page walk, on bus ranges set by hand as a mapping would. */
static void test_dma_page_iter(void **state)
{
	enum { NR = 300 };
	static dmp_addr_t expect[NR * 4];
	struct dmp_sg_table t;
	struct dmp_scatterlist *sg;
	struct dmp_sg_dma_page_iter it;
	unsigned int i;
	(void)state;

	assert_int_equal(dmp_sg_alloc_table(&t, NR, 0), 0);
	for (unsigned int iter = 0; iter < 200; iter++) {
		unsigned int nexp = 0;
		t.nents = rnd_below(NR + 1);
		dmp_for_each_sgtable_sg(&t, sg, i) {
			dmp_sg_dma_address(sg) = 0x40000000ull + (dmp_addr_t)i * 0x100000;
			/* Some empty ranges: they have no page. */
			dmp_sg_dma_len(sg) = rnd_below(4) == 0 ? 0 : 1 + rnd_below(3 * PAGE);
			if (i < t.nents)
				for (unsigned int p = 0; p * PAGE < dmp_sg_dma_len(sg); p++)
					expect[nexp++] = dmp_sg_dma_address(sg) + p * PAGE;
		}
		unsigned int skip = rnd_below(2) ? 0 : rnd_below(nexp + 2);
		unsigned int k = skip;
		dmp_for_each_sgtable_dma_page(&t, &it, skip) {
			assert_true(k < nexp);
			assert_true(dmp_sg_page_iter_dma_address(&it) == expect[k]);
			k++;
		}
		assert_int_equal(k, DMP_MAX(nexp, skip));
	}
	dmp_sg_free_table(&t);
}

/* Copy helpers on a list of dmp_kmalloc() buffers of random lengths (some
 * empty), against a flat model of the list's bytes. */
static void test_copy_helpers(void **state)
{
	enum { NR = 300 };
	static uint8_t model[NR * 600 + 128], buf[NR * 600 + 128], got[NR * 600 + 128];
	struct dmp_sg_table t;
	uint8_t *bufs[NR];
	unsigned int lens[NR], i;
	struct dmp_scatterlist *sg;
	size_t total = 0;
	(void)state;

	size_t free0 = dmp_page_free_count();
	assert_int_equal(dmp_sg_alloc_table(&t, NR, 0), 0);
	dmp_for_each_sgtable_sg(&t, sg, i) {
		lens[i] = rnd_below(5) == 0 ? 0 : 1 + rnd_below(600);
		bufs[i] = dmp_kmalloc(lens[i], 0);
		assert_non_null(bufs[i]);
		dmp_sg_set_buf(sg, bufs[i], lens[i]);
		memset(bufs[i], 0, lens[i]);
		total += lens[i];
	}
	assert_int_equal(dmp_sg_table_check(&t), 0);
	memset(model, 0, total);

	for (unsigned int iter = 0; iter < 3000; iter++) {
		size_t skip = rnd() % (total + 64);
		size_t len = rnd() % (total + 64);
		unsigned int nents = rnd_below(4) == 0 ? rnd_below(NR + 1) : NR;
		size_t avail_all = 0;
		for (i = 0; i < nents; i++)
			avail_all += lens[i];
		size_t expect = skip >= avail_all ? 0 : DMP_MIN(len, avail_all - skip);

		switch (rnd_below(3)) {
		case 0: /* buffer -> list */
			fill_random(buf, len);
			assert_int_equal(dmp_sg_pcopy_from_buffer(t.sgl, nents, buf, len, skip),
					 expect);
			if (expect)
				memcpy(model + skip, buf, expect);
			break;
		case 1: /* list -> buffer */
			memset(got, 0xee, len);
			assert_int_equal(dmp_sg_pcopy_to_buffer(t.sgl, nents, got, len, skip),
					 expect);
			if (expect)
				assert_memory_equal(got, model + skip, expect);
			if (expect < len)
				assert_int_equal(got[expect], 0xee);
			break;
		default:
			assert_int_equal(dmp_sg_zero_buffer(t.sgl, nents, len, skip), expect);
			if (expect)
				memset(model + skip, 0, expect);
			break;
		}
		/* The list's bytes are the model's. */
		if (iter % 50 == 0) {
			size_t pos = 0;
			for (i = 0; i < NR; i++) {
				assert_memory_equal(bufs[i], model + pos, lens[i]);
				pos += lens[i];
			}
		}
	}
	/* Whole-list round trip with the skip-less helpers. */
	fill_random(buf, total + 100);
	assert_int_equal(dmp_sg_copy_from_buffer(t.sgl, NR, buf, total + 100), total);
	memset(got, 0, total);
	assert_int_equal(dmp_sg_copy_to_buffer(t.sgl, NR, got, total), total);
	assert_memory_equal(got, buf, total);
	assert_int_equal(dmp_sg_copy_buffer(t.sgl, NR, got, 10, total, true), 0);

	for (i = 0; i < NR; i++)
		dmp_kfree(bufs[i]);
	dmp_sg_free_table(&t);
	assert_int_equal(dmp_page_free_count(), free0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_entries, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_alloc_table, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_alloc_table_failures, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_from_pages_model, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_from_pages_bad_input, sim_setup, sim_teardown),
		cmocka_unit_test(test_from_pages_regions),
		cmocka_unit_test_setup_teardown(test_from_pages_failures, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_dma_page_iter, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_copy_helpers, sim_setup, sim_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
