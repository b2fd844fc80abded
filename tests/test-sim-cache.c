/* test-sim-cache.c - the simulator's cache model: every image transition,
 * line granularity, the outer cache, memory types and the write buffer,
 * coherent and non-coherent ports, hostile mode by seed, port truncation. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "support/sim-fixture.h"
#include "sim/sim-internal.h"

#define PLAT(fn, ...) dmp__platform.ops->fn(dmp__platform.ctx, __VA_ARGS__)
#define PLAT0(fn) dmp__platform.ops->fn(dmp__platform.ctx)

static struct dmp_sim *make(unsigned line, bool outer, bool wb)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.line_size = line;
	cfg.outer_cache = outer;
	cfg.write_buffer = wb;
	return fixture_sim(&cfg);
}

static struct dmp_sim_device *dev_make(struct dmp_sim *sim, const char *name, unsigned bits,
				       bool coherent)
{
	struct dmp_sim_device *d;
	struct dmp_sim_device_config dc = { .name = name, .port_bits = bits, .coherent = coherent };
	assert_int_equal(dmp_sim_device_create(sim, &dc, &d), 0);
	return d;
}

static uint8_t *page(dmp_phys_t *phys)
{
	assert_int_equal(dmp_page_alloc(0, DMP_GFP_ZERO, DMP_PHYS_ANY, phys), 0);
	/* fresh pages: make every image agree (the CPU zeroed C) */
	uint8_t *va = dmp_phys_to_virt(*phys);
	PLAT(dcache_flush, va, DMP_PAGE_SIZE);
	PLAT(outer_flush, *phys, DMP_PAGE_SIZE);
	return va;
}

static void expect_image(struct dmp_sim *sim, enum dmp_sim_image img, dmp_phys_t phys,
			 const char *want)
{
	char got[64] = { 0 };
	assert_int_equal(dmp_sim_peek(sim, img, phys, got, strlen(want)), 0);
	assert_memory_equal(got, want, strlen(want));
}

/* clean: C -> D and S; invalidate: D -> C and S; each reported by line state */
static void test_inner_transitions(void **state)
{
	(void)state;
	struct dmp_sim *sim = make(64, false, true);
	dmp_phys_t p;
	uint8_t *va = page(&p);
	assert_int_equal(dmp_sim_line_state(sim, p), 0);

	memcpy(va, "cpu", 3);
	assert_int_equal(dmp_sim_line_state(sim, p), DMP_SIM_LINE_CPU_DIRTY);
	expect_image(sim, DMP_SIM_DRAM, p, "\0\0\0");
	PLAT(dcache_clean, va, 3);
	assert_int_equal(dmp_sim_line_state(sim, p), 0);
	expect_image(sim, DMP_SIM_DRAM, p, "cpu");
	expect_image(sim, DMP_SIM_SNAP, p, "cpu");

	struct dmp_sim_device *d = dev_make(sim, "d", 64, false);
	assert_int_equal(dmp_sim_dma_write(d, p, "dev", 3), 0);
	assert_int_equal(dmp_sim_line_state(sim, p), DMP_SIM_LINE_DEV_BEHIND);
	assert_memory_equal(va, "cpu", 3); /* the CPU still sees its cached line */
	PLAT(dcache_inval, va, 1);
	assert_memory_equal(va, "dev", 3);
	assert_int_equal(dmp_sim_line_state(sim, p), 0);

	/* invalidate discards what the CPU wrote */
	memcpy(va, "xyz", 3);
	PLAT(dcache_inval, va, 3);
	assert_memory_equal(va, "dev", 3);

	/* clean+invalidate keeps the CPU's data and refills */
	memcpy(va, "abc", 3);
	PLAT(dcache_flush, va, 3);
	expect_image(sim, DMP_SIM_DRAM, p, "abc");
	assert_memory_equal(va, "abc", 3);
	assert_int_equal(dmp_sim_line_state(sim, p), 0);
	dmp_sim_destroy(sim);
}

/* Maintenance always acts on whole lines, for each line size. */
static void test_line_granularity(void **state)
{
	(void)state;
	static const unsigned lines[] = { 32, 64, 128 };
	for (size_t i = 0; i < 3; i++) {
		unsigned L = lines[i];
		struct dmp_sim *sim = make(L, false, true);
		dmp_phys_t p;
		uint8_t *va = page(&p);
		/* dirty the first and last byte of line 1, and line 2 */
		va[L] = 1;
		va[2 * L - 1] = 2;
		va[2 * L] = 3;
		PLAT(dcache_clean, va + L, 1); /* one byte of line 1 */
		uint8_t got[3];
		dmp_sim_peek(sim, DMP_SIM_DRAM, p + L, &got[0], 1);
		dmp_sim_peek(sim, DMP_SIM_DRAM, p + 2 * L - 1, &got[1], 1);
		dmp_sim_peek(sim, DMP_SIM_DRAM, p + 2 * L, &got[2], 1);
		assert_int_equal(got[0], 1);
		assert_int_equal(got[1], 2); /* same line: written back too */
		assert_int_equal(got[2], 0); /* next line: untouched */
		/* invalidating the last byte of line 1 discards nothing of line 2 */
		va[2 * L - 1] = 9;
		PLAT(dcache_inval, va + 2 * L - 1, 1);
		assert_int_equal(va[2 * L - 1], 2);
		assert_int_equal(va[2 * L], 3);
		/* a range crossing a line boundary covers both lines */
		va[L - 1] = 7;
		va[L] = 8;
		PLAT(dcache_clean, va + L - 1, 2);
		dmp_sim_peek(sim, DMP_SIM_DRAM, p + L - 1, got, 2);
		assert_int_equal(got[0], 7);
		assert_int_equal(got[1], 8);
		dmp_sim_destroy(sim);
	}
}

/* The outer cache: inner clean stops there; outer clean reaches DRAM; an
 * inner invalidate refills from a valid outer line, stale unless the outer
 * level was invalidated first. */
static void test_outer_cache(void **state)
{
	(void)state;
	struct dmp_sim *sim = make(64, true, true);
	struct dmp_sim_device *d = dev_make(sim, "d", 64, false);
	dmp_phys_t p;
	uint8_t *va = page(&p);
	memcpy(va, "l1", 2);
	PLAT(dcache_clean, va, 2);
	expect_image(sim, DMP_SIM_OUTER, p, "l1");
	expect_image(sim, DMP_SIM_DRAM, p, "\0\0");
	assert_int_equal(dmp_sim_line_state(sim, p),
			 DMP_SIM_LINE_OUTER_VALID | DMP_SIM_LINE_OUTER_DIRTY | DMP_SIM_LINE_DEV_BEHIND);
	PLAT(outer_clean, p, 2);
	expect_image(sim, DMP_SIM_DRAM, p, "l1");
	assert_int_equal(dmp_sim_line_state(sim, p), DMP_SIM_LINE_OUTER_VALID);

	/* device writes DRAM; inner invalidate alone refills the stale outer copy */
	dmp_sim_dma_write(d, p, "dv", 2);
	PLAT(dcache_inval, va, 2);
	assert_memory_equal(va, "l1", 2);
	/* the wrong order (inner, then outer) is just as stale */
	PLAT(outer_inval, p, 2);
	assert_memory_equal(va, "l1", 2);
	PLAT(dcache_inval, va, 2);
	assert_memory_equal(va, "dv", 2);

	/* outer invalidate discards dirty outer data */
	memcpy(va, "zz", 2);
	PLAT(dcache_clean, va, 2);
	PLAT(outer_inval, p, 2);
	expect_image(sim, DMP_SIM_DRAM, p, "dv");
	/* outer flush writes back then drops */
	memcpy(va, "ff", 2);
	PLAT(dcache_clean, va, 2);
	PLAT(outer_flush, p, 2);
	expect_image(sim, DMP_SIM_DRAM, p, "ff");
	assert_int_equal(dmp_sim_line_state(sim, p) & DMP_SIM_LINE_OUTER_VALID, 0);
	dmp_sim_destroy(sim);
}

/* A clean of whole pages: a page the CPU did not write is skipped whole,
 * and one dirty line anywhere in a page (its last, here) is written back,
 * with the outer cache on and off. */
static void test_clean_whole_pages(void **state)
{
	(void)state;
	for (int outer = 0; outer <= 1; outer++) {
		struct dmp_sim *sim = make(64, outer, true);
		dmp_phys_t p;
		assert_int_equal(dmp_page_alloc(2, DMP_GFP_ZERO, DMP_PHYS_ANY, &p), 0);
		uint8_t *va = dmp_phys_to_virt(p);
		PLAT(dcache_flush, va, 4 * DMP_PAGE_SIZE);
		PLAT(outer_flush, p, 4 * DMP_PAGE_SIZE);
		memset(va, 0x3c, 4 * DMP_PAGE_SIZE);
		PLAT(dcache_clean, va, 4 * DMP_PAGE_SIZE);
		PLAT(outer_clean, p, 4 * DMP_PAGE_SIZE);
		/* page 1's last line and page 3's first dirty; pages 0 and 2 clean */
		memcpy(va + 2 * DMP_PAGE_SIZE - 3, "end", 3);
		memcpy(va + 3 * DMP_PAGE_SIZE, "top", 3);
		assert_int_equal(dmp_sim_line_state(sim, p + 2 * DMP_PAGE_SIZE - 64) &
					 DMP_SIM_LINE_CPU_DIRTY,
				 DMP_SIM_LINE_CPU_DIRTY);
		PLAT(dcache_clean, va, 4 * DMP_PAGE_SIZE);
		PLAT(outer_clean, p, 4 * DMP_PAGE_SIZE);
		for (size_t o = 0; o < 4 * DMP_PAGE_SIZE; o += 64)
			assert_int_equal(dmp_sim_line_state(sim, p + o) & DMP_SIM_LINE_CPU_DIRTY, 0);
		char got[3];
		assert_int_equal(dmp_sim_peek(sim, DMP_SIM_DRAM, p + 2 * DMP_PAGE_SIZE - 3, got, 3), 0);
		assert_memory_equal(got, "end", 3);
		assert_int_equal(dmp_sim_peek(sim, DMP_SIM_DRAM, p + 3 * DMP_PAGE_SIZE, got, 3), 0);
		assert_memory_equal(got, "top", 3);
		assert_int_equal(dmp_sim_peek(sim, DMP_SIM_DRAM, p + 100, got, 3), 0);
		assert_memory_equal(got, "\x3c\x3c\x3c", 3);
		dmp_page_free(p, 2);
		dmp_sim_destroy(sim);
	}
}

/* Uncached and write-combining pages: stores wait for a write barrier. */
static void test_mem_types_write_buffer(void **state)
{
	(void)state;
	for (int wb = 0; wb <= 1; wb++) {
		struct dmp_sim *sim = make(64, true, wb);
		struct dmp_sim_device *d = dev_make(sim, "d", 64, false);
		dmp_phys_t p, q;
		uint8_t *uc = page(&p), *wc = page(&q);
		assert_int_equal(PLAT(set_mem_attr, p, DMP_PAGE_SIZE, DMP_MEM_UNCACHED), 0);
		assert_int_equal(PLAT(set_mem_attr, q, DMP_PAGE_SIZE, DMP_MEM_WC), 0);
		assert_int_equal(dmp_sim_mem_attr(sim, p), DMP_MEM_UNCACHED);
		assert_int_equal(dmp_sim_mem_attr(sim, q), DMP_MEM_WC);
		memcpy(uc, "uc", 2);
		memcpy(wc, "wc", 2);
		char got[3] = { 0 };
		dmp_sim_dma_read(d, p, got, 2);
		/* without a write buffer uncached stores are visible at once */
		assert_memory_equal(got, wb ? "\0\0" : "uc", 2);
		dmp_sim_dma_read(d, q, got, 2);
		assert_memory_equal(got, "\0\0", 2); /* WC always waits */
		/* cache maintenance does not touch uncached pages */
		PLAT(dcache_inval, uc, 2);
		assert_memory_equal(uc, "uc", 2);
		/* a read barrier drains nothing */
		PLAT0(dma_rmb);
		dmp_sim_dma_read(d, q, got, 2);
		assert_memory_equal(got, "\0\0", 2);
		assert_int_equal(dmp_sim_line_state(sim, q),
				 DMP_SIM_LINE_UNCACHED | DMP_SIM_LINE_WB_PENDING);
		PLAT0(dma_wmb);
		dmp_sim_dma_read(d, p, got, 2);
		assert_memory_equal(got, "uc", 2);
		dmp_sim_dma_read(d, q, got, 2);
		assert_memory_equal(got, "wc", 2);
		/* device writes to uncached memory are seen by the CPU at once */
		dmp_sim_dma_write(d, p, "DV", 2);
		assert_memory_equal(uc, "DV", 2);
		/* back to normal: the page is cacheable with what memory holds */
		assert_int_equal(PLAT(set_mem_attr, p, DMP_PAGE_SIZE, DMP_MEM_NORMAL), 0);
		assert_int_equal(dmp_sim_line_state(sim, p), 0);
		assert_memory_equal(uc, "DV", 2);
		/* errors: misaligned, outside memory */
		assert_int_equal(PLAT(set_mem_attr, p + 1, DMP_PAGE_SIZE, DMP_MEM_WC), -EINVAL);
		assert_int_equal(PLAT(set_mem_attr, 0x1000, DMP_PAGE_SIZE, DMP_MEM_WC), -EINVAL);
		dmp_sim_destroy(sim);
	}
}

/*
 * A write barrier on a large uncached pool: the stores written before it
 * reach DRAM, the pages nobody wrote since the last barrier are not
 * examined when the kernel can say which were written (write-track.c), and
 * every page is when it cannot (DMP_SIM_WRITE_TRACK=0: the same bytes).
 */
static void barrier_on_large_pool(bool tracking)
{
	if (!tracking)
		setenv("DMP_SIM_WRITE_TRACK", "0", 1);
	struct dmp_sim *sim = make(64, true, true);
	unsetenv("DMP_SIM_WRITE_TRACK");
	struct dmp_sim_device *d = dev_make(sim, "d", 64, false);
	const unsigned int order = 12; /* 16 MiB */
	const size_t pages = (size_t)1 << order, size = pages * DMP_PAGE_SIZE;
	dmp_phys_t p;
	assert_int_equal(dmp_page_alloc(order, DMP_GFP_ZERO, DMP_PHYS_ANY, &p), 0);
	uint8_t *va = dmp_phys_to_virt(p);
	PLAT(dcache_flush, va, size);
	PLAT(outer_flush, p, size);
	assert_int_equal(PLAT(set_mem_attr, p, size, DMP_MEM_UNCACHED), 0);
	/* every page holds data: what made each barrier compare them all */
	memset(va, 0x5a, size);
	PLAT0(dma_wmb);
	uint8_t got[4];
	assert_int_equal(dmp_sim_dma_read(d, p + size - 4, got, 4), 0);
	assert_memory_equal(got, "\x5a\x5a\x5a\x5a", 4);

	static const size_t at[] = { 7, 1000, 4095 };
	for (unsigned int i = 0; i < 3; i++)
		memcpy(va + at[i] * DMP_PAGE_SIZE + 100, "new", 3);
	/* pending in the write buffer: the device still reads the old bytes */
	assert_int_equal(dmp_sim_dma_read(d, p + at[1] * DMP_PAGE_SIZE + 100, got, 3), 0);
	assert_memory_equal(got, "\x5a\x5a\x5a", 3);
	uint64_t before = dmp__sim_barrier_pages(sim);
	PLAT0(wmb);
	uint64_t examined = dmp__sim_barrier_pages(sim) - before;
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(dmp_sim_dma_read(d, p + at[i] * DMP_PAGE_SIZE + 100, got, 3), 0);
		assert_memory_equal(got, "new", 3);
	}
	/* nothing written since: a barrier has nothing to examine */
	before = dmp__sim_barrier_pages(sim);
	PLAT0(wmb);
	uint64_t idle = dmp__sim_barrier_pages(sim) - before;
	if (tracking && !dmp__sim_wt_active(sim)) {
		print_message("the kernel does not track written pages here (userfaultfd "
			      "WP_ASYNC + PAGEMAP_SCAN, Linux 6.7): barriers examined %llu pages\n",
			      (unsigned long long)examined);
		tracking = false;
	}
	if (tracking) {
		assert_int_equal(examined, 3);
		assert_int_equal(idle, 0);
	} else {
		assert_false(dmp__sim_wt_active(sim));
		assert_true(examined >= pages);
		assert_true(idle >= pages);
	}
	/* back to normal memory and uncached again: examined whole once more */
	assert_int_equal(PLAT(set_mem_attr, p, size, DMP_MEM_NORMAL), 0);
	assert_int_equal(PLAT(set_mem_attr, p, size, DMP_MEM_UNCACHED), 0);
	va[5 * DMP_PAGE_SIZE] = 0x77;
	before = dmp__sim_barrier_pages(sim);
	PLAT0(wmb);
	assert_true(dmp__sim_barrier_pages(sim) - before >= pages);
	assert_int_equal(dmp_sim_dma_read(d, p + 5 * DMP_PAGE_SIZE, got, 1), 0);
	assert_int_equal(got[0], 0x77);
	assert_int_equal(PLAT(set_mem_attr, p, size, DMP_MEM_NORMAL), 0);
	dmp_page_free(p, order);
	dmp_sim_destroy(sim);
}

/* 2^@order pages of uncached memory at *@p, every page written and the
 * stores delivered by a barrier: the record of written pages starts afresh. */
static uint8_t *uncached_written(unsigned int order, dmp_phys_t *p)
{
	const size_t size = ((size_t)1 << order) * DMP_PAGE_SIZE;
	assert_int_equal(dmp_page_alloc(order, DMP_GFP_ZERO, DMP_PHYS_ANY, p), 0);
	uint8_t *va = dmp_phys_to_virt(*p);
	PLAT(dcache_flush, va, size);
	PLAT(outer_flush, *p, size);
	assert_int_equal(PLAT(set_mem_attr, *p, size, DMP_MEM_UNCACHED), 0);
	memset(va, 0x5a, size);
	PLAT0(dma_wmb);
	return va;
}

/*
 * A page the CPU wrote whose page-table entry the kernel then drops while
 * the data stays in memory (reclaim unmapping a shared memory page, as
 * MADV_DONTNEED does here), before the next barrier: its store is still
 * pending for the device, and the kernel's record must still count the page
 * (Linux 6.18 does: an entry dropped while written reads as written).  A
 * kernel whose record forgot it would fail here, not deliver stale bytes.
 */
static void test_barrier_after_the_kernel_unmaps_a_written_page(void **state)
{
	(void)state;
	struct dmp_sim *sim = make(64, true, true);
	struct dmp_sim_device *d = dev_make(sim, "d", 64, false);
	const unsigned int order = 5; /* 32 pages: tracked (DMP__SIM_WT_MIN) */
	const size_t size = ((size_t)1 << order) * DMP_PAGE_SIZE;
	dmp_phys_t p;
	uint8_t got[3], *va = uncached_written(order, &p);

	for (unsigned int round = 0; round < 2; round++) {
		uint8_t *page = va + (3 + round) * DMP_PAGE_SIZE;
		memcpy(page + 100, round ? "two" : "one", 3);
		assert_int_equal(madvise(page, DMP_PAGE_SIZE, MADV_DONTNEED), 0);
		PLAT0(wmb);
		assert_int_equal(dmp_sim_dma_read(d, p + (3 + round) * DMP_PAGE_SIZE + 100, got, 3), 0);
		assert_memory_equal(got, round ? "two" : "one", 3);
	}
	assert_int_equal(PLAT(set_mem_attr, p, size, DMP_MEM_NORMAL), 0);
	dmp_page_free(p, order);
	dmp_sim_destroy(sim);
}

/*
 * The kernel's scan failing (a seccomp filter, a kernel without
 * PAGEMAP_SCAN: here the pagemap file swapped for one that knows no such
 * request) after tracking began: that barrier and every later one examine
 * every uncached page, and no pending store is lost.
 */
static void test_barrier_when_the_scan_fails(void **state)
{
	(void)state;
	struct dmp_sim *sim = make(64, true, true);
	struct dmp_sim_device *d = dev_make(sim, "d", 64, false);
	const unsigned int order = 6;
	const size_t pages = (size_t)1 << order, size = pages * DMP_PAGE_SIZE;
	dmp_phys_t p;
	uint8_t got[3], *va = uncached_written(order, &p);
	if (!dmp__sim_wt_active(sim)) {
		print_message("the kernel does not track written pages here: nothing to fail\n");
	} else {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		assert_true(null >= 0);
		assert_true(dup2(null, sim->wt_pagemap) >= 0);
		close(null);
	}
	for (unsigned int round = 0; round < 2; round++) {
		size_t at = (round ? 40 : 9) * DMP_PAGE_SIZE + 7;
		memcpy(va + at, round ? "two" : "one", 3);
		uint64_t before = dmp__sim_barrier_pages(sim);
		PLAT0(wmb);
		assert_true(dmp__sim_barrier_pages(sim) - before >= pages);
		assert_false(dmp__sim_wt_active(sim));
		assert_int_equal(dmp_sim_dma_read(d, p + at, got, 3), 0);
		assert_memory_equal(got, round ? "two" : "one", 3);
	}
	assert_int_equal(PLAT(set_mem_attr, p, size, DMP_MEM_NORMAL), 0);
	dmp_page_free(p, order);
	dmp_sim_destroy(sim);
}

/*
 * The kernel's PAGEMAP_SCAN, seen through this ioctl(), which the test
 * program defines and so answers the library's calls: a chosen number of
 * scans return success having walked nothing (walk_end at the start, no
 * region), as a kernel that stopped early without saying why would.
 */
struct scan_arg_view {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define SCAN_REQUEST _IOWR('f', 16, struct scan_arg_view)
static int scans_to_stall;

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (request == SCAN_REQUEST && scans_to_stall > 0) {
		struct scan_arg_view *a = arg;
		scans_to_stall--;
		a->walk_end = a->start;
		return 0;
	}
	return (int)syscall(SYS_ioctl, fd, request, arg);
}

/* A scan that makes no progress: the rest of the range is examined whole,
 * not taken as written by nobody. */
static void test_barrier_when_the_scan_stalls(void **state)
{
	(void)state;
	struct dmp_sim *sim = make(64, true, true);
	struct dmp_sim_device *d = dev_make(sim, "d", 64, false);
	const unsigned int order = 6;
	const size_t pages = (size_t)1 << order, size = pages * DMP_PAGE_SIZE;
	dmp_phys_t p;
	uint8_t got[3], *va = uncached_written(order, &p);
	bool tracking = dmp__sim_wt_active(sim);
	memcpy(va + 9 * DMP_PAGE_SIZE + 7, "new", 3);
	scans_to_stall = 1;
	uint64_t before = dmp__sim_barrier_pages(sim);
	PLAT0(wmb);
	scans_to_stall = 0;
	assert_int_equal(dmp_sim_dma_read(d, p + 9 * DMP_PAGE_SIZE + 7, got, 3), 0);
	assert_memory_equal(got, "new", 3);
	if (tracking)
		assert_true(dmp__sim_barrier_pages(sim) - before >= pages);
	assert_int_equal(PLAT(set_mem_attr, p, size, DMP_MEM_NORMAL), 0);
	dmp_page_free(p, order);
	dmp_sim_destroy(sim);
}

static void test_barrier_examines_pending_pages(void **state)
{
	(void)state;
	barrier_on_large_pool(true);
	barrier_on_large_pool(false);
}

/* A coherent port sees and updates the CPU's view; a non-coherent one DRAM. */
static void test_coherent_port(void **state)
{
	(void)state;
	struct dmp_sim *sim = make(64, true, true);
	struct dmp_sim_device *c = dev_make(sim, "coh", 64, true);
	struct dmp_sim_device *n = dev_make(sim, "non", 64, false);
	dmp_phys_t p;
	uint8_t *va = page(&p);
	memcpy(va, "cpu", 3);
	char got[4] = { 0 };
	dmp_sim_dma_read(c, p, got, 3);
	assert_string_equal(got, "cpu");
	dmp_sim_dma_read(n, p, got, 3);
	assert_memory_equal(got, "\0\0\0", 3);
	dmp_sim_dma_write(c, p + 8, "coh", 3);
	assert_memory_equal(va + 8, "coh", 3);
	dmp_sim_destroy(sim);
}

/* The port drops address bits beyond its width; nothing there is a bus error. */
static void test_port_truncation(void **state)
{
	(void)state;
	struct dmp_sim *sim = make(64, false, true);
	struct dmp_sim_device *d32 = dev_make(sim, "d32", 32, false);
	dmp_phys_t p;
	assert_int_equal(dmp_page_alloc(0, DMP_GFP_ZERO, 0xffffffffu, &p), 0);
	assert_true(p < 0x100000000ull);
	assert_int_equal(dmp_sim_dma_write(d32, p + 0x500000000ull, "hi", 2), 0);
	char got[3] = { 0 };
	dmp_sim_peek(sim, DMP_SIM_DRAM, p, got, 2);
	assert_string_equal(got, "hi");
	/* 0x1000 is not memory */
	dmp_sim_trace_enable(sim, true);
	assert_int_equal(dmp_sim_dma_read(d32, 0x1000, got, 2), -EFAULT);
	const struct dmp_sim_event *ev = dmp_sim_trace_get(sim, dmp_sim_trace_count(sim) - 1);
	assert_non_null(ev);
	assert_int_equal(ev->kind, DMP_EV_DEV_FAULT);
	assert_int_equal(ev->bus, 0x1000);
	assert_string_equal(ev->device, "d32");
	/* a 31-bit port cannot reach memory at 0x8000_0000: p wraps below it */
	struct dmp_sim_device *d31 = dev_make(sim, "d31", 31, false);
	assert_int_equal(dmp_sim_dma_read(d31, p, got, 2), -EFAULT);
	assert_int_equal(dmp_sim_trace_get(sim, dmp_sim_trace_count(sim) - 1)->bus, p & 0x7fffffff);
	dmp_sim_destroy(sim);
}

/* Device writes are split per page and memory type, and cross regions. */
static void test_access_spans_pages(void **state)
{
	(void)state;
	struct dmp_sim *sim = make(64, false, true);
	struct dmp_sim_device *d = dev_make(sim, "d", 64, false);
	dmp_phys_t p;
	assert_int_equal(dmp_page_alloc(2, DMP_GFP_ZERO, DMP_PHYS_ANY, &p), 0);
	uint8_t buf[3 * DMP_PAGE_SIZE];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	assert_int_equal(PLAT(set_mem_attr, p + DMP_PAGE_SIZE, DMP_PAGE_SIZE, DMP_MEM_UNCACHED), 0);
	assert_int_equal(dmp_sim_dma_write(d, p + 100, buf, sizeof(buf)), 0);
	uint8_t got[sizeof(buf)];
	assert_int_equal(dmp_sim_dma_read(d, p + 100, got, sizeof(got)), 0);
	assert_memory_equal(got, buf, sizeof(buf));
	dmp_sim_destroy(sim);
}

/* A fixed driver sequence, run under hostile mode: returns a digest of every
 * image and the trace so two runs can be compared, and whether the CPU saw
 * the device's data. */
struct hostile_run {
	uint64_t digest;
	bool cpu_saw_device_data;
	size_t events;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static struct hostile_run hostile_sequence(uint64_t seed, bool buggy)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.hostile = true;
	cfg.seed = seed;
	cfg.hostile_rate = 512;
	cfg.trace = true;
	struct dmp_sim *sim = fixture_sim(&cfg);
	struct dmp_sim_device *d = dev_make(sim, "d", 64, false);
	dmp_phys_t p;
	assert_int_equal(dmp_page_alloc(0, DMP_GFP_ZERO, DMP_PHYS_ANY, &p), 0);
	uint8_t *va = dmp_phys_to_virt(p);
	uint8_t pattern[512];
	for (int i = 0; i < 512; i++)
		pattern[i] = (uint8_t)(i + 1);
	/* map FROM_DEVICE: clean (arm64 rule), outer too */
	PLAT(dcache_clean, va, 512);
	PLAT(outer_clean, p, 512);
	if (buggy)
		memset(va, 0xee, 512); /* CPU writes the buffer while the device owns it */
	for (int chunk = 0; chunk < 8; chunk++) {
		dmp_sim_hostile_point(sim);
		dmp_sim_dma_write(d, p + chunk * 64, pattern + chunk * 64, 64);
	}
	dmp_sim_hostile_point(sim);
	/* unmap: invalidate outer then inner */
	PLAT(outer_inval, p, 512);
	PLAT(dcache_inval, va, 512);
	struct hostile_run r = { .digest = 0xcbf29ce484222325ull };
	r.cpu_saw_device_data = memcmp(va, pattern, 512) == 0;
	uint8_t img[512];
	for (int i = 0; i < 4; i++) {
		dmp_sim_peek(sim, (enum dmp_sim_image)i, p, img, 512);
		r.digest = fnv(r.digest, img, 512);
	}
	r.events = dmp_sim_trace_count(sim);
	for (size_t i = 0; i < r.events; i++) {
		const struct dmp_sim_event *ev = dmp_sim_trace_get(sim, i);
		r.digest = fnv(r.digest, &ev->kind, sizeof(ev->kind));
		r.digest = fnv(r.digest, &ev->phys, sizeof(ev->phys));
	}
	dmp_sim_destroy(sim);
	return r;
}

static void test_hostile_reproducible(void **state)
{
	(void)state;
	/* the same seed gives the same run */
	struct hostile_run a = hostile_sequence(42, true), b = hostile_sequence(42, true);
	assert_int_equal(a.digest, b.digest);
	assert_int_equal(a.events, b.events);
	/* a correct driver is right under every seed */
	for (uint64_t s = 1; s <= 40; s++)
		assert_true(hostile_sequence(s, false).cpu_saw_device_data);
	/* the driver that writes a FROM_DEVICE buffer during the DMA gets the
	 * right bytes in normal mode (the unmap invalidate discards its writes),
	 * but an eviction during the DMA overwrites the device's data: some seed
	 * shows it, and seeds differ from each other */
	int wrong = 0;
	uint64_t first = hostile_sequence(1, true).digest;
	bool differ = false;
	for (uint64_t s = 1; s <= 40; s++) {
		struct hostile_run r = hostile_sequence(s, true);
		wrong += !r.cpu_saw_device_data;
		differ |= r.digest != first;
	}
	assert_true(wrong > 0);
	assert_true(differ);
}

static void test_config_errors(void **state)
{
	(void)state;
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;
	dmp_sim_config_default(&cfg);
	cfg.line_size = 48;
	assert_int_equal(dmp_sim_create(&cfg, &sim), -EINVAL);
	dmp_sim_config_default(&cfg);
	cfg.regions[1].base = cfg.regions[0].base + 4096; /* overlap */
	assert_int_equal(dmp_sim_create(&cfg, &sim), -EINVAL);
	dmp_sim_config_default(&cfg);
	cfg.regions[0].size = 1000;
	assert_int_equal(dmp_sim_create(&cfg, &sim), -EINVAL);
	/* one platform at a time */
	dmp_sim_config_default(&cfg);
	struct dmp_sim *a = fixture_sim(&cfg);
	assert_int_equal(dmp_sim_create(&cfg, &sim), -EBUSY);
	dmp_sim_destroy(a);
	/* a big machine costs only what is touched: 4 GiB + 8 GiB regions */
	cfg.regions[0].size = 2ull << 30;
	cfg.regions[1].base = 0x800000000ull;
	cfg.regions[1].size = 8ull << 30;
	a = fixture_sim(&cfg);
	dmp_phys_t p;
	assert_int_equal(dmp_page_alloc(DMP_PAGE_ORDER_MAX, 0, DMP_PHYS_ANY, &p), 0);
	assert_true(p >= 0x800000000ull);
	dmp_sim_destroy(a);
}

static void test_trace(void **state)
{
	(void)state;
	struct dmp_sim *sim = make(64, false, true);
	struct dmp_sim_device *d = dev_make(sim, "tr", 64, false);
	dmp_phys_t p;
	uint8_t *va = page(&p);
	assert_int_equal(dmp_sim_trace_count(sim), 0); /* off by default */
	dmp_sim_trace_enable(sim, true);
	va[0] = 1;
	PLAT(dcache_clean, va, 1);
	dmp_sim_dma_read(d, p, va + 128, 1);
	dmp_sim_trace_note(sim, "note %d", 5);
	assert_int_equal(dmp_sim_trace_count(sim), 3);
	const struct dmp_sim_event *e0 = dmp_sim_trace_get(sim, 0), *e1 = dmp_sim_trace_get(sim, 1);
	assert_int_equal(e0->kind, DMP_EV_CLEAN);
	assert_int_equal(e0->lines, 1);
	assert_int_equal(e1->kind, DMP_EV_DEV_READ);
	assert_int_equal(e1->image, DMP_SIM_DRAM);
	assert_string_equal(dmp_sim_trace_get(sim, 2)->text, "note 5");
	assert_true(e1->seq > e0->seq);
	char line[256];
	dmp_sim_event_format(e1, line, sizeof(line));
	assert_non_null(strstr(line, "dev-read"));
	assert_non_null(strstr(line, "tr"));
	assert_null(dmp_sim_trace_get(sim, 3));
	dmp_sim_trace_clear(sim);
	assert_int_equal(dmp_sim_trace_count(sim), 0);
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inner_transitions),
		cmocka_unit_test(test_line_granularity),
		cmocka_unit_test(test_outer_cache),
		cmocka_unit_test(test_clean_whole_pages),
		cmocka_unit_test(test_mem_types_write_buffer),
		cmocka_unit_test(test_barrier_examines_pending_pages),
		cmocka_unit_test(test_barrier_after_the_kernel_unmaps_a_written_page),
		cmocka_unit_test(test_barrier_when_the_scan_fails),
		cmocka_unit_test(test_barrier_when_the_scan_stalls),
		cmocka_unit_test(test_coherent_port),
		cmocka_unit_test(test_port_truncation),
		cmocka_unit_test(test_access_spans_pages),
		cmocka_unit_test(test_hostile_reproducible),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_trace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
