/* SPDX-License-Identifier: MIT */
/*
 * scatterlist.c - scatterlist tables: allocation as chains of arrays, tables
 * built from page arrays, the walker, and CPU copies to and from a list.
 *
 * The semantics are Linux's (include/linux/scatterlist.h, lib/scatterlist.c);
 * the code is dmaport's own.  The layout of an allocated table is what
 * dmp_sg_free_table() relies on, so it is stated once here:
 *
 *   A table of n entries is a sequence of arrays.  While more than
 *   MAX_ENTS (= DMP_SG_MAX_SINGLE_ALLOC) entries remain, the next array has
 *   MAX_ENTS slots, MAX_ENTS - 1 of them data and the last a chain entry;
 *   the final array has exactly as many slots as entries remain.
 *
 * So the number of arrays, and where every chain entry is, follows from
 * orig_nents alone, as in Linux's __sg_alloc_table()/__sg_free_table().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <dmaport/scatterlist.h>

#include "dma-internal.h"

/* The two flag bits of page_link live in the low bits of both pointers it
 * can hold. */
_Static_assert(_Alignof(struct dmp_page) >= 4, "page_link needs two free low bits");
_Static_assert(_Alignof(struct dmp_scatterlist) >= 4, "page_link needs two free low bits");

#define MAX_ENTS ((unsigned int)DMP_SG_MAX_SINGLE_ALLOC)

void dmp_sg_init_table(struct dmp_scatterlist *sgl, unsigned int nents)
{
	DMP_ASSERT(sgl && nents > 0);
	memset(sgl, 0, sizeof(*sgl) * nents);
	dmp_sg_mark_end(&sgl[nents - 1]);
}

void dmp_sg_init_marker(struct dmp_scatterlist *sgl, unsigned int nents)
{
	DMP_ASSERT(sgl && nents > 0);
	dmp_sg_mark_end(&sgl[nents - 1]);
}

void dmp_sg_set_buf(struct dmp_scatterlist *sg, const void *buf, unsigned int buflen)
{
	dmp_phys_t phys;

	DMP_ASSERT(sg && !dmp_sg_is_chain(sg));
	/* The whole buffer must be in one region: its pages are then
	 * physically contiguous and dmp_sg_virt() is @buf. */
	if (!buf || !dmp_is_dma_memory(buf, buflen ? buflen : 1) ||
	    dmp_virt_to_phys(buf, &phys) != 0) {
		dmp_log("dmaport: sg_set_buf(%p, %u): not platform memory (the C stack or "
			 "libc's heap?); the entry has no page and will not map",
			 buf, buflen);
		dmp_sg_set_page(sg, NULL, buflen, 0);
		return;
	}
	dmp_sg_set_page(sg, dmp_phys_to_page(phys), buflen,
			(unsigned int)(phys & (DMP_PAGE_SIZE - 1)));
}

void dmp_sg_init_one(struct dmp_scatterlist *sg, const void *buf, unsigned int buflen)
{
	dmp_sg_init_table(sg, 1);
	dmp_sg_set_buf(sg, buf, buflen);
}

struct dmp_scatterlist *dmp_sg_next(struct dmp_scatterlist *sg)
{
	DMP_ASSERT(sg && !dmp_sg_is_chain(sg));
	if (dmp_sg_is_last(sg))
		return NULL;
	sg++;
	if (dmp_sg_is_chain(sg))
		sg = dmp_sg_chain_ptr(sg);
	return sg;
}

bool dmp__sg_valid(struct dmp_scatterlist *sg, int nents, int *index, const char **why)
{
	struct dmp_scatterlist *s = sg;
	for (int i = 0; i < nents; i++) {
		dmp_phys_t phys;
		*index = i;
		*why = NULL;
		if (!s)
			return false;
		if (!dmp_sg_page(s))
			*why = "no page (not platform memory)";
		else if (!s->length)
			*why = "length 0";
		else if (dmp__page_to_phys_checked(dmp_sg_page(s), &phys) != 0)
			*why = "a page pointer that is no page of platform memory";
		else if (!dmp_is_dma_memory(dmp_phys_to_virt(phys), (size_t)s->offset + s->length))
			*why = "offset + length beyond its memory region";
		if (*why)
			return false;
		/* not past the last entry asked for: the list may end there */
		s = i + 1 < nents ? dmp_sg_next(s) : NULL;
	}
	return true;
}

int dmp_sg_nents(struct dmp_scatterlist *sg)
{
	int n = 0;
	for (; sg; sg = dmp_sg_next(sg))
		n++;
	return n;
}

int dmp_sg_nents_for_len(struct dmp_scatterlist *sg, uint64_t len)
{
	uint64_t total = 0;
	int n = 0;

	if (len == 0)
		return 0;
	for (; sg; sg = dmp_sg_next(sg)) {
		n++;
		total += sg->length;
		if (total >= len)
			return n;
	}
	return -EINVAL;
}

struct dmp_scatterlist *dmp_sg_last(struct dmp_scatterlist *sgl, unsigned int nents)
{
	struct dmp_scatterlist *sg, *last = NULL;
	unsigned int i;

	DMP_ASSERT(sgl && nents > 0);
	dmp_for_each_sg(sgl, sg, nents, i)
		last = sg;
	return last;
}

/* Slots of the array that holds the next @left entries, and how many of
 * them are data (see the layout at the top). */
static unsigned int array_slots(unsigned int left)
{
	return left > MAX_ENTS ? MAX_ENTS : left;
}

static unsigned int array_data(unsigned int left)
{
	return left > MAX_ENTS ? MAX_ENTS - 1 : left;
}

/* Free the first @nr_arrays arrays of a list laid out as above.  The last of
 * them need not be chained (a failed allocation stops before chaining). */
static void free_arrays(struct dmp_scatterlist *sgl, unsigned int nr_arrays)
{
	while (nr_arrays--) {
		struct dmp_scatterlist *next =
			nr_arrays ? dmp_sg_chain_ptr(&sgl[MAX_ENTS - 1]) : NULL;
		dmp_kfree(sgl);
		sgl = next;
	}
}

int dmp_sg_alloc_table(struct dmp_sg_table *table, unsigned int nents, dmp_gfp_t gfp)
{
	struct dmp_scatterlist *prv = NULL;
	unsigned int left = nents, nr_arrays = 0;

	DMP_ASSERT(table);
	memset(table, 0, sizeof(*table));
	if (nents == 0)
		return -EINVAL;

	do {
		unsigned int slots = array_slots(left);
		struct dmp_scatterlist *sg = dmp_kmalloc(sizeof(*sg) * slots, gfp);
		if (!sg)
			goto fail_free;
		/* The end mark this puts on a full array's last slot is
		 * replaced by the chain entry when the next array comes. */
		dmp_sg_init_table(sg, slots);
		if (prv)
			dmp_sg_chain(prv, MAX_ENTS, sg);
		else
			table->sgl = sg;
		nr_arrays++;
		left -= array_data(left);
		prv = sg;
	} while (left);

	table->nents = table->orig_nents = nents;
	return 0;

fail_free:
	free_arrays(table->sgl, nr_arrays);
	memset(table, 0, sizeof(*table));
	return -ENOMEM;
}

void dmp_sg_free_table(struct dmp_sg_table *table)
{
	unsigned int left, nr_arrays = 0;

	DMP_ASSERT(table);
	if (!table->sgl)
		return;
	for (left = table->orig_nents; left; left -= array_data(left))
		nr_arrays++;
	free_arrays(table->sgl, nr_arrays);
	memset(table, 0, sizeof(*table));
}

/*
 * Where a page descriptor lives: its region and physical address.  False
 * for a pointer that is no descriptor of platform memory.
 */
static bool page_locate(const struct dmp_page *page, unsigned int *region, dmp_phys_t *phys)
{
	for (unsigned int i = 0; i < dmp__mem.nr; i++) {
		const struct dmp__region *r = &dmp__mem.r[i];
		if (page >= r->memmap && page < r->memmap + r->npages) {
			*region = i;
			*phys = r->phys + (dmp_phys_t)(page - r->memmap) * DMP_PAGE_SIZE;
			return true;
		}
	}
	return false;
}

/* Can the page after @a (in the array) be merged into @a's entry? */
static bool pages_adjacent(const struct dmp_page *a, const struct dmp_page *b)
{
	unsigned int ra = 0, rb = 1;
	dmp_phys_t pa = 0, pb = 0;

	page_locate(a, &ra, &pa);
	page_locate(b, &rb, &pb);
	/* Linux compares page frame numbers only; dmaport also keeps an
	 * entry inside one region, whose CPU mapping is contiguous. */
	return ra == rb && pb == pa + DMP_PAGE_SIZE;
}

/* One past the last page of the chunk that starts at pages[@start]: a run of
 * adjacent pages of at most @max_pages. */
static unsigned int chunk_end(struct dmp_page *const *pages, unsigned int start,
			      unsigned int n, unsigned int max_pages)
{
	unsigned int j = start + 1;
	while (j < n && j - start < max_pages && pages_adjacent(pages[j - 1], pages[j]))
		j++;
	return j;
}

int dmp_sg_alloc_table_from_pages_segment(struct dmp_sg_table *sgt,
					  struct dmp_page *const *pages,
					  unsigned int n_pages, unsigned int offset,
					  size_t size, unsigned int max_segment,
					  dmp_gfp_t gfp)
{
	struct dmp_scatterlist *sg;
	unsigned int n, max_pages, chunks, cur, i, region;
	dmp_phys_t phys;
	int ret;

	DMP_ASSERT(sgt);
	memset(sgt, 0, sizeof(*sgt));
	max_segment = (unsigned int)DMP_ALIGN_DOWN((size_t)max_segment, DMP_PAGE_SIZE);
	if (max_segment < DMP_PAGE_SIZE || size == 0 || offset >= DMP_PAGE_SIZE || !pages ||
	    (uint64_t)size > (uint64_t)n_pages * DMP_PAGE_SIZE - offset)
		return -EINVAL;
	/* Only the pages the buffer touches count: Linux expects exactly
	 * those, and any more would give entries beyond @size. */
	n = (unsigned int)(((uint64_t)offset + size + DMP_PAGE_SIZE - 1) >> DMP_PAGE_SHIFT);
	for (i = 0; i < n; i++)
		if (!pages[i] || !page_locate(pages[i], &region, &phys))
			return -EINVAL;

	max_pages = max_segment / DMP_PAGE_SIZE;
	chunks = 0;
	for (cur = 0; cur < n; cur = chunk_end(pages, cur, n, max_pages))
		chunks++;

	ret = dmp_sg_alloc_table(sgt, chunks, gfp);
	if (ret)
		return ret;

	cur = 0;
	dmp_for_each_sgtable_sg(sgt, sg, i) {
		unsigned int j = chunk_end(pages, cur, n, max_pages);
		/* At most max_pages pages, so it fits an unsigned int. */
		size_t chunk = (size_t)(j - cur) * DMP_PAGE_SIZE - offset;
		size_t len = DMP_MIN(size, chunk);
		dmp_sg_set_page(sg, pages[cur], (unsigned int)len, offset);
		size -= len;
		offset = 0;
		cur = j;
	}
	DMP_ASSERT(size == 0 && cur == n);
	return 0;
}

int dmp_sg_alloc_table_from_pages(struct dmp_sg_table *sgt, struct dmp_page *const *pages,
				  unsigned int n_pages, unsigned int offset, size_t size,
				  dmp_gfp_t gfp)
{
	return dmp_sg_alloc_table_from_pages_segment(sgt, pages, n_pages, offset, size,
						     DMP_SG_MAX_SEGMENT, gfp);
}

/* Log one inconsistency of @table (the walker stops at the first). */
static int DMP_PRINTF(2, 3) check_fail(const struct dmp_sg_table *table, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dmp_log("dmaport: sg_table_check(%p): %s", (const void *)table, msg);
	return -EINVAL;
}

#define CHECK(cond, ...)                                                              \
	do {                                                                          \
		if (!(cond))                                                          \
			return check_fail(table, __VA_ARGS__);                        \
	} while (0)

/* An entry with a page must cover bytes of that page's region only. */
static bool entry_in_region(const struct dmp_scatterlist *sg)
{
	unsigned int region;
	dmp_phys_t phys;

	if (!dmp_sg_page(sg))
		return true;
	if (!page_locate(dmp_sg_page(sg), &region, &phys))
		return false;
	const struct dmp__region *r = &dmp__mem.r[region];
	return phys + sg->offset + sg->length <= r->phys + r->size;
}

int dmp_sg_table_check(const struct dmp_sg_table *table)
{
	struct dmp_scatterlist *arr, *sg;
	unsigned int left, count;

	DMP_ASSERT(table);
	if (!table->sgl) {
		CHECK(table->nents == 0 && table->orig_nents == 0,
		      "no list but nents %u orig_nents %u", table->nents, table->orig_nents);
		return 0;
	}
	CHECK(table->orig_nents > 0, "a list with orig_nents 0");
	CHECK(table->nents <= table->orig_nents, "nents %u > orig_nents %u", table->nents,
	      table->orig_nents);

	arr = table->sgl;
	left = table->orig_nents;
	for (;;) {
		unsigned int slots = array_slots(left), data = array_data(left);
		CHECK(dmp_ksize(arr) >= sizeof(*arr) * slots,
		      "array %p of %u slots is no dmp_kmalloc object that big", (void *)arr, slots);
		for (unsigned int k = 0; k < data; k++) {
			const struct dmp_scatterlist *e = &arr[k];
			bool last = left == data && k == data - 1;
			CHECK(!dmp_sg_is_chain(e), "array %p slot %u: chain entry among data",
			      (void *)arr, k);
			CHECK(dmp_sg_is_last(e) == last, "array %p slot %u: end mark %s",
			      (void *)arr, k, last ? "missing" : "before the end");
			CHECK(entry_in_region(e), "array %p slot %u: page %p + %u, %u bytes: "
			      "not within one memory region", (void *)arr, k,
			      (void *)dmp_sg_page(e), e->offset, e->length);
		}
		if (left == data)
			break;
		sg = &arr[MAX_ENTS - 1];
		CHECK(dmp_sg_is_chain(sg) && !dmp_sg_is_last(sg) && dmp_sg_chain_ptr(sg),
		      "array %p: last slot is not a chain entry", (void *)arr);
		CHECK(sg->offset == 0 && sg->length == 0, "array %p: chain entry has data",
		      (void *)arr);
		arr = dmp_sg_chain_ptr(sg);
		left -= data;
	}

	count = 0;
	for (sg = table->sgl; sg; sg = dmp_sg_next(sg))
		CHECK(++count <= table->orig_nents, "dmp_sg_next() walks past orig_nents %u",
		      table->orig_nents);
	CHECK(count == table->orig_nents, "dmp_sg_next() reaches %u of orig_nents %u", count,
	      table->orig_nents);
	return 0;
}

#undef CHECK

void dmp__sg_page_iter_start(struct dmp_sg_page_iter *piter, struct dmp_scatterlist *sglist,
			     unsigned int nents, unsigned long pgoffset)
{
	DMP_ASSERT(piter);
	piter->sg = sglist;
	piter->sg_pgoffset = (unsigned int)pgoffset;
	piter->nents_left_ = nents;
	/* The first next() must not step: it only settles on a page. */
	piter->pg_advance_ = 0;
}

/* Pages of the current entry, CPU side: from the page holding its start
 * (offset counted from the entry's page) to the one holding its last byte. */
static unsigned long cpu_pages(const struct dmp_scatterlist *sg)
{
	return ((unsigned long)sg->offset + sg->length + DMP_PAGE_SIZE - 1) >> DMP_PAGE_SHIFT;
}

static unsigned long dma_pages(const struct dmp_scatterlist *sg)
{
	return ((unsigned long)dmp_sg_dma_len(sg) + DMP_PAGE_SIZE - 1) >> DMP_PAGE_SHIFT;
}

/* Step to the next page, skipping entries with fewer pages than the offset
 * left; false at the end of the @nents entries or of the list. */
static bool page_iter_next(struct dmp_sg_page_iter *piter,
			   unsigned long (*pages_of)(const struct dmp_scatterlist *))
{
	unsigned long pgoffset;

	if (!piter->nents_left_ || !piter->sg)
		return false;
	pgoffset = (unsigned long)piter->sg_pgoffset + piter->pg_advance_;
	piter->pg_advance_ = 1;
	while (pgoffset >= pages_of(piter->sg)) {
		pgoffset -= pages_of(piter->sg);
		piter->sg = dmp_sg_next(piter->sg);
		if (!--piter->nents_left_ || !piter->sg)
			return false;
	}
	piter->sg_pgoffset = (unsigned int)pgoffset;
	return true;
}

struct dmp_page *dmp_sg_page_iter_page(const struct dmp_sg_page_iter *piter)
{
	DMP_ASSERT(piter && piter->sg && dmp_sg_page(piter->sg));
	/* The pages of an entry are consecutive descriptors: an entry never
	 * leaves its region's memmap. */
	return dmp_sg_page(piter->sg) + piter->sg_pgoffset;
}

bool dmp__sg_page_iter_next(struct dmp_sg_page_iter *piter)
{
	return page_iter_next(piter, cpu_pages);
}

bool dmp__sg_page_iter_dma_next(struct dmp_sg_dma_page_iter *dma_iter)
{
	return page_iter_next(&dma_iter->base, dma_pages);
}

enum copy_mode { COPY_FROM_SG, COPY_TO_SG, ZERO_SG };

/* The one walk behind the copy helpers: visit the bytes [@skip, @skip +
 * @buflen) of the first @nents entries, stopping early at the list's end. */
static size_t sg_copy(struct dmp_scatterlist *sgl, unsigned int nents, uint8_t *buf,
		      size_t buflen, size_t skip, enum copy_mode mode)
{
	struct dmp_scatterlist *sg;
	unsigned int i;
	size_t done = 0;

	for (i = 0, sg = sgl; sg && i < nents && done < buflen; i++, sg = dmp_sg_next(sg)) {
		if (skip >= sg->length) {
			skip -= sg->length;
			continue;
		}
		DMP_ASSERT(dmp_sg_page(sg));
		size_t n = DMP_MIN(sg->length - skip, buflen - done);
		uint8_t *va = (uint8_t *)dmp_sg_virt(sg) + skip;
		if (mode == COPY_FROM_SG)
			memcpy(buf + done, va, n);
		else if (mode == COPY_TO_SG)
			memcpy(va, buf + done, n);
		else
			memset(va, 0, n);
		done += n;
		skip = 0;
	}
	return done;
}

size_t dmp_sg_copy_buffer(struct dmp_scatterlist *sgl, unsigned int nents, void *buf,
			  size_t buflen, size_t skip, bool to_buffer)
{
	DMP_ASSERT(buf || !buflen);
	return sg_copy(sgl, nents, buf, buflen, skip, to_buffer ? COPY_FROM_SG : COPY_TO_SG);
}

size_t dmp_sg_copy_from_buffer(struct dmp_scatterlist *sgl, unsigned int nents,
			       const void *buf, size_t buflen)
{
	/* The buffer is only read in this direction. */
	return dmp_sg_copy_buffer(sgl, nents, (void *)(uintptr_t)buf, buflen, 0, false);
}

size_t dmp_sg_copy_to_buffer(struct dmp_scatterlist *sgl, unsigned int nents, void *buf,
			     size_t buflen)
{
	return dmp_sg_copy_buffer(sgl, nents, buf, buflen, 0, true);
}

size_t dmp_sg_pcopy_from_buffer(struct dmp_scatterlist *sgl, unsigned int nents,
				const void *buf, size_t buflen, size_t skip)
{
	return dmp_sg_copy_buffer(sgl, nents, (void *)(uintptr_t)buf, buflen, skip, false);
}

size_t dmp_sg_pcopy_to_buffer(struct dmp_scatterlist *sgl, unsigned int nents, void *buf,
			      size_t buflen, size_t skip)
{
	return dmp_sg_copy_buffer(sgl, nents, buf, buflen, skip, true);
}

size_t dmp_sg_zero_buffer(struct dmp_scatterlist *sgl, unsigned int nents, size_t buflen,
			  size_t skip)
{
	return sg_copy(sgl, nents, NULL, buflen, skip, ZERO_SG);
}
