/* SPDX-License-Identifier: MIT */
/*
 * sim.c - the simulated machine: memory images, the cache model, barriers,
 * memory types, hostile mode, and the platform ops that expose them.
 *
 * The CPU writes through plain C pointers into the C image; the simulator
 * never sees those stores and does not need to: a line the CPU dirtied is one
 * whose C differs from its S.  Every operation below works on whole lines.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dmaport/swiotlb.h>

#include "guard.h"
#include "sim-internal.h"

static struct dmp_sim *current_sim;

struct dmp_sim *dmp_sim_current(void)
{
	return current_sim;
}

void dmp_sim_config_default(struct dmp_sim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->regions[0].base = 0x80000000ull;
	cfg->regions[0].size = 1ull << 30;
	cfg->regions[1].base = DMP_PHYS_DMA32_LIMIT + 1; /* above 4 GiB */
	cfg->regions[1].size = 1ull << 30;
	cfg->nr_regions = 2;
	cfg->line_size = 64;
	cfg->outer_cache = true;
	cfg->write_buffer = true;
	cfg->hostile_rate = 256;
}

struct sim_region *dmp__sim_region(struct dmp_sim *sim, dmp_phys_t phys)
{
	for (unsigned int i = 0; i < sim->nr; i++)
		if (phys - sim->r[i].base < sim->r[i].size)
			return &sim->r[i];
	return NULL;
}

uint8_t *dmp__sim_c(struct dmp_sim *sim, dmp_phys_t phys)
{
	struct sim_region *r = dmp__sim_region(sim, phys);
	return r ? r->c + (phys - r->base) : NULL;
}

static struct sim_region *region_of_va(struct dmp_sim *sim, const void *va, size_t *off)
{
	uintptr_t a = (uintptr_t)va;
	for (unsigned int i = 0; i < sim->nr; i++) {
		struct sim_region *r = &sim->r[i];
		if (a - (uintptr_t)r->cpu < r->size) {
			*off = a - (uintptr_t)r->cpu;
			return r;
		}
	}
	return NULL;
}

/* --- events --------------------------------------------------------------- */

void dmp__sim_event(struct dmp_sim *sim, const struct dmp_sim_event *ev_in)
{
	if (!sim->trace_on && !sim->hook && !atomic_load_explicit(&sim->nr_obs, memory_order_relaxed))
		return; /* nobody listens: the common, fast case */
	struct dmp_sim_event ev = *ev_in;
	dmp_spin_lock(&sim->lock);
	ev.seq = ++sim->seq;
	if (sim->trace_on && sim->nr_ev < SIM_TRACE_MAX) {
		if (sim->nr_ev == sim->cap_ev) {
			size_t cap = sim->cap_ev ? sim->cap_ev * 2 : 256;
			struct dmp_sim_event *n = realloc(sim->ev, cap * sizeof(*n));
			if (n) {
				sim->ev = n;
				sim->cap_ev = cap;
			}
		}
		if (sim->nr_ev < sim->cap_ev)
			sim->ev[sim->nr_ev++] = ev;
	}
	dmp_sim_trace_fn hook = sim->hook;
	void *cookie = sim->hook_cookie;
	unsigned int n = atomic_load_explicit(&sim->nr_obs, memory_order_relaxed);
	dmp_sim_trace_fn obs[DMP_SIM_MAX_OBSERVERS];
	void *obs_cookie[DMP_SIM_MAX_OBSERVERS];
	for (unsigned int i = 0; i < n; i++) {
		obs[i] = sim->obs[i].fn;
		obs_cookie[i] = sim->obs[i].cookie;
	}
	dmp_spin_unlock(&sim->lock);
	if (hook)
		hook(cookie, &ev);
	for (unsigned int i = 0; i < n; i++)
		obs[i](obs_cookie[i], &ev);
}

int dmp_sim_add_observer(struct dmp_sim *sim, dmp_sim_trace_fn fn, void *cookie)
{
	int err = -ENOMEM;
	dmp_spin_lock(&sim->lock);
	unsigned int n = atomic_load(&sim->nr_obs);
	if (n < DMP_SIM_MAX_OBSERVERS) {
		sim->obs[n].fn = fn;
		sim->obs[n].cookie = cookie;
		atomic_store(&sim->nr_obs, n + 1);
		err = 0;
	}
	dmp_spin_unlock(&sim->lock);
	return err;
}

void dmp_sim_remove_observer(struct dmp_sim *sim, dmp_sim_trace_fn fn, void *cookie)
{
	dmp_spin_lock(&sim->lock);
	unsigned int n = atomic_load(&sim->nr_obs);
	for (unsigned int i = 0; i < n; i++)
		if (sim->obs[i].fn == fn && sim->obs[i].cookie == cookie) {
			sim->obs[i] = sim->obs[n - 1];
			atomic_store(&sim->nr_obs, n - 1);
			break;
		}
	dmp_spin_unlock(&sim->lock);
}

static void cpu_event(struct dmp_sim *sim, enum dmp_sim_event_kind kind, dmp_phys_t phys,
		      size_t size, unsigned int lines)
{
	struct dmp_sim_event ev = { .kind = kind, .phys = phys, .size = size, .lines = lines };
	dmp__sim_event(sim, &ev);
}

/* --- hostile mode ------------------------------------------------------- */

static uint64_t rng_next(struct dmp_sim *sim)
{
	/* xorshift64*: small, fast, and the same seed gives the same run */
	uint64_t x = sim->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sim->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static inline size_t line_index(struct dmp_sim *sim, size_t off)
{
	return off >> sim->line_shift;
}

static inline bool page_normal(struct sim_region *r, size_t off)
{
	return r->attr[off >> DMP_PAGE_SHIFT] == DMP_MEM_NORMAL;
}

/* Write a dirty line back to the next level (the outer cache or DRAM). */
static void line_writeback_from(struct dmp_sim *sim, struct sim_region *r, size_t off,
				const uint8_t *c)
{
	size_t L = sim->line;
	if (sim->cfg.outer_cache) {
		size_t li = line_index(sim, off);
		memcpy(r->o + off, c, L);
		r->outer_valid[li] = 1;
		r->outer_dirty[li] = 1;
	} else {
		memcpy(r->d + off, c, L);
	}
	memcpy(r->s + off, c, L);
}

static void line_writeback(struct dmp_sim *sim, struct sim_region *r, size_t off)
{
	line_writeback_from(sim, r, off, r->c + off);
}

/* Ranges from this size on are swept past the holes of the CPU image. */
#define SIM_SWEEP_HOLES (256u << 10)

/* The span of the CPU image around @off that is known to be a hole (of its
 * memfd: never written, all zeroes) or known to hold data; @sweep: holes
 * are looked for at all. */
struct c_span {
	size_t hole_end, data_end;
	bool sweep;
};

/*
 * A sweep of [@off, +@size) of @r's CPU image.  A large range (a coherent
 * pool declared, a big buffer) may be mostly pages the CPU never wrote:
 * its holes are then not read, not to allocate them.
 */
static inline struct c_span c_span_start(const struct sim_region *r, size_t off, size_t size)
{
	return (struct c_span){ off, off, size >= SIM_SWEEP_HOLES && r->fd >= 0 };
}

/*
 * Whether the CPU image's line at @off is in a hole of its memfd, asking
 * the file (lseek SEEK_DATA / SEEK_HOLE) once per hole or data span.  A
 * failing lseek answers "data": the line is then read as usual.
 */
static bool c_hole(struct sim_region *r, size_t off, struct c_span *sp)
{
	if (!sp->sweep)
		return false;
	if (off < sp->hole_end)
		return true;
	if (off < sp->data_end)
		return false;
	off_t d = lseek(r->fd, (off_t)off, SEEK_DATA);
	if (d < 0)
		d = errno == ENXIO ? (off_t)r->size : (off_t)off; /* ENXIO: no data after @off */
	if ((size_t)d > off) {
		sp->hole_end = (size_t)d;
		return true;
	}
	off_t h = lseek(r->fd, (off_t)off, SEEK_HOLE);
	sp->data_end = h > (off_t)off ? (size_t)h : r->size;
	return false;
}

/* Is the page at @o wholly in the hole c_hole() found it in, and below @end? */
static inline bool c_hole_page(const struct c_span *sp, size_t o, size_t end)
{
	return DMP_IS_ALIGNED(o, DMP_PAGE_SIZE) && o + DMP_PAGE_SIZE <= DMP_MIN(sp->hole_end, end);
}

/* A line of zeroes (of the longest line, 128 bytes: dmp_sim_create refuses
 * others): what the CPU image holds where its memfd has a hole. */
static const uint8_t zero_line[128];
static const uint8_t zero_page[DMP_PAGE_SIZE];

/*
 * Copy a line into an image unless it holds those bytes already.  The images
 * are MAP_NORESERVE mappings whose pages exist once written: a fill sweeping
 * a large range nobody wrote (the flush of a 512 MiB coherent pool when a
 * tree declares one) then reads zero pages instead of making every page of
 * the images resident - seconds and gigabytes per pool otherwise.
 */
static inline void line_copy(uint8_t *dst, const uint8_t *src, size_t L)
{
	if (memcmp(dst, src, L) != 0)
		memcpy(dst, src, L);
}

/*
 * Fill a line from the next level: C and S become what memory holds.  With
 * @c_hole the CPU image's page is a hole of its memfd (zeroes nobody wrote):
 * it is written only if memory holds something else, because reading a
 * hole of a memfd allocates the page, as writing does.
 */
static void line_fill_c(struct dmp_sim *sim, struct sim_region *r, size_t off, bool c_hole)
{
	size_t L = sim->line;
	const uint8_t *src = r->d + off;
	if (sim->cfg.outer_cache) {
		size_t li = line_index(sim, off);
		if (!r->outer_valid[li]) {
			/* the outer cache allocates on read */
			line_copy(r->o + off, r->d + off, L);
			r->outer_valid[li] = 1;
			r->outer_dirty[li] = 0;
		}
		src = r->o + off;
	}
	if (!c_hole)
		line_copy(r->c + off, src, L);
	else if (memcmp(src, zero_line, L) != 0)
		memcpy(r->c + off, src, L);
	line_copy(r->s + off, src, L);
}

static void line_fill(struct dmp_sim *sim, struct sim_region *r, size_t off)
{
	line_fill_c(sim, r, off, false);
}

static inline bool line_dirty(struct dmp_sim *sim, struct sim_region *r, size_t off)
{
	return memcmp(r->c + off, r->s + off, sim->line) != 0;
}

static void hostile_range(struct dmp_sim *sim, dmp_phys_t phys, size_t size)
{
	struct sim_region *r = dmp__sim_region(sim, phys);
	if (!r || !size)
		return;
	size_t L = sim->line;
	size_t first = DMP_ALIGN_DOWN((size_t)(phys - r->base), L);
	size_t end = DMP_MIN((size_t)(phys - r->base) + size, r->size);
	size_t nlines = (end - first + L - 1) / L;
	/* Visit at most 64 random lines of a large range per moment. */
	size_t visits = nlines < 64 ? nlines : 64;
	for (size_t v = 0; v < visits; v++) {
		size_t off = first + (nlines <= 64 ? v : rng_next(sim) % nlines) * L;
		if (!page_normal(r, off))
			continue;
		unsigned int roll = (unsigned int)(rng_next(sim) % 1024);
		if (roll >= sim->cfg.hostile_rate)
			continue;
		struct dmp_sim_event ev = { .phys = r->base + off, .size = L, .lines = 1 };
		if (line_dirty(sim, r, off)) {
			line_writeback(sim, r, off);
			ev.kind = DMP_EV_EVICT;
			dmp__sim_event(sim, &ev);
		} else if (memcmp(r->c + off, sim->cfg.outer_cache && r->outer_valid[line_index(sim, off)]
							 ? r->o + off : r->d + off, L) != 0) {
			/* A clean line dropped and refilled (a speculative fetch). */
			line_fill(sim, r, off);
			ev.kind = DMP_EV_REFILL;
			dmp__sim_event(sim, &ev);
		}
		if (sim->cfg.outer_cache) {
			size_t li = line_index(sim, off);
			if (r->outer_dirty[li] && (rng_next(sim) % 1024) < sim->cfg.hostile_rate) {
				memcpy(r->d + off, r->o + off, L);
				r->outer_dirty[li] = 0;
				ev.kind = DMP_EV_EVICT;
				ev.image = DMP_SIM_OUTER;
				dmp__sim_event(sim, &ev);
			}
		}
	}
}

void dmp_sim_hostile_point(struct dmp_sim *sim)
{
	if (!sim->cfg.hostile)
		return;
	struct sim_range recent[SIM_RECENT];
	dmp_spin_lock(&sim->lock);
	memcpy(recent, sim->recent, sizeof(recent));
	dmp_spin_unlock(&sim->lock);
	for (unsigned int i = 0; i < SIM_RECENT; i++)
		hostile_range(sim, recent[i].phys, recent[i].size);
}

/* Remember a range the program works on, and give the cache its moment. */
void dmp__sim_touch(struct dmp_sim *sim, dmp_phys_t phys, size_t size)
{
	if (!sim->cfg.hostile)
		return;
	dmp_spin_lock(&sim->lock);
	sim->recent[sim->recent_next] = (struct sim_range){ phys, size };
	sim->recent_next = (sim->recent_next + 1) % SIM_RECENT;
	dmp_spin_unlock(&sim->lock);
	dmp_sim_hostile_point(sim);
}

void dmp_sim_evict_all(struct dmp_sim *sim, dmp_phys_t phys, size_t size)
{
	struct sim_region *r = dmp__sim_region(sim, phys);
	if (!r)
		return;
	size_t L = sim->line;
	size_t off = DMP_ALIGN_DOWN((size_t)(phys - r->base), L);
	size_t end = DMP_MIN((size_t)(phys - r->base) + size, r->size);
	for (; off < end; off += L) {
		if (!page_normal(r, off))
			continue;
		if (line_dirty(sim, r, off))
			line_writeback(sim, r, off);
		if (sim->cfg.outer_cache && r->outer_dirty[line_index(sim, off)]) {
			memcpy(r->d + off, r->o + off, L);
			r->outer_dirty[line_index(sim, off)] = 0;
		}
	}
}

/* --- inner cache maintenance, by VA ------------------------------------- */

enum maint { M_CLEAN, M_INVAL, M_FLUSH };

/*
 * Inner maintenance of the page at @o, a hole of C, in one step when S and
 * memory (DRAM, and the outer cache's image) hold zeroes there too: no line
 * is dirty, and a fill leaves every image as it is - only the outer cache
 * allocates the lines it did not hold.  False: not all zeroes, go line by
 * line.
 */
static bool hole_page_maint(struct dmp_sim *sim, struct sim_region *r, size_t o, enum maint m)
{
	if (memcmp(r->s + o, zero_page, DMP_PAGE_SIZE) != 0 ||
	    memcmp(r->d + o, zero_page, DMP_PAGE_SIZE) != 0 ||
	    (sim->cfg.outer_cache && memcmp(r->o + o, zero_page, DMP_PAGE_SIZE) != 0))
		return false;
	if (m != M_CLEAN && sim->cfg.outer_cache)
		for (size_t li = line_index(sim, o); li < line_index(sim, o + DMP_PAGE_SIZE); li++)
			if (!r->outer_valid[li]) {
				r->outer_valid[li] = 1;
				r->outer_dirty[li] = 0;
			}
	return true;
}

static void inner_maint(void *ctx, const void *va, size_t size, enum maint m)
{
	struct dmp_sim *sim = ctx;
	size_t off;
	struct sim_region *r = region_of_va(sim, va, &off);
	if (!r || !size)
		return; /* not simulated memory: nothing cached that DMA could see */
	size_t L = sim->line;
	size_t start = DMP_ALIGN_DOWN(off, L);
	size_t end = DMP_MIN(DMP_ALIGN_UP(off + size, L), r->size);
	dmp__sim_touch(sim, r->base + off, size);
	unsigned int lines = 0;
	struct c_span span = c_span_start(r, start, end - start);
	for (size_t o = start; o < end; o += L) {
		if (!page_normal(r, o))
			continue; /* uncached pages hold no lines */
		bool hole = c_hole(r, o, &span);
		if (hole && c_hole_page(&span, o, end) && hole_page_maint(sim, r, o, m)) {
			o += DMP_PAGE_SIZE - L;
			continue;
		}
		/* a clean of a whole page the CPU has not written since it was
		 * last filled or cleaned changes nothing: one compare of the page
		 * (a streaming map to the device, the common case) instead of
		 * one per line */
		if (m == M_CLEAN && !hole && DMP_IS_ALIGNED(o, DMP_PAGE_SIZE) &&
		    o + DMP_PAGE_SIZE <= end && memcmp(r->c + o, r->s + o, DMP_PAGE_SIZE) == 0) {
			o += DMP_PAGE_SIZE - L;
			continue;
		}
		const uint8_t *c = hole ? zero_line : r->c + o;
		bool dirty = memcmp(c, r->s + o, L) != 0;
		if (m != M_INVAL && dirty)
			line_writeback_from(sim, r, o, c);
		if (dirty)
			lines++; /* written back, or (invalidate) CPU data discarded */
		if (m != M_CLEAN)
			line_fill_c(sim, r, o, hole);
	}
	static const enum dmp_sim_event_kind k[] = { DMP_EV_CLEAN, DMP_EV_INVAL, DMP_EV_FLUSH };
	cpu_event(sim, k[m], r->base + start, end - start, lines);
}

static void sim_dcache_clean(void *ctx, const void *va, size_t size)
{
	inner_maint(ctx, va, size, M_CLEAN);
}

static void sim_dcache_inval(void *ctx, const void *va, size_t size)
{
	inner_maint(ctx, va, size, M_INVAL);
}

static void sim_dcache_flush(void *ctx, const void *va, size_t size)
{
	inner_maint(ctx, va, size, M_FLUSH);
}

/* --- outer cache maintenance, by PA ------------------------------------- */

static void outer_maint(void *ctx, dmp_phys_t pa, size_t size, enum maint m)
{
	struct dmp_sim *sim = ctx;
	if (!sim->cfg.outer_cache || !size)
		return;
	struct sim_region *r = dmp__sim_region(sim, pa);
	if (!r)
		return;
	size_t L = sim->line;
	size_t off = (size_t)(pa - r->base);
	size_t start = DMP_ALIGN_DOWN(off, L);
	size_t end = DMP_MIN(DMP_ALIGN_UP(off + size, L), r->size);
	dmp__sim_touch(sim, pa, size);
	unsigned int lines = 0;
	for (size_t o = start; o < end; o += L) {
		size_t li = line_index(sim, o);
		if (!r->outer_valid[li])
			continue;
		if (r->outer_dirty[li]) {
			lines++;
			if (m != M_INVAL)
				memcpy(r->d + o, r->o + o, L);
			r->outer_dirty[li] = 0;
		}
		if (m != M_CLEAN)
			r->outer_valid[li] = 0;
	}
	static const enum dmp_sim_event_kind k[] = { DMP_EV_OUTER_CLEAN, DMP_EV_OUTER_INVAL,
						     DMP_EV_OUTER_FLUSH };
	cpu_event(sim, k[m], r->base + start, end - start, lines);
}

static void sim_outer_clean(void *ctx, dmp_phys_t pa, size_t size)
{
	outer_maint(ctx, pa, size, M_CLEAN);
}

static void sim_outer_inval(void *ctx, dmp_phys_t pa, size_t size)
{
	outer_maint(ctx, pa, size, M_INVAL);
}

static void sim_outer_flush(void *ctx, dmp_phys_t pa, size_t size)
{
	outer_maint(ctx, pa, size, M_FLUSH);
}

static size_t sim_line_size(void *ctx)
{
	return ((struct dmp_sim *)ctx)->line;
}

/* --- barriers and the write buffer ------------------------------------- */

/*
 * Stores to uncached memory wait in the write buffer, and stores to
 * write-combining memory in the combining buffer, until a write barrier:
 * then they reach DRAM.  Without a configured write buffer, uncached memory
 * has no separate DRAM image (devices read the CPU's view directly), but
 * write-combining memory still waits.
 */
/* The buffered stores of [off, off + size) of @r reach DRAM; adds the lines
 * written to *@cookie.  Caller holds sim->lock. */
static void drain_span(struct dmp_sim *sim, struct sim_region *r, size_t off, size_t size,
		       void *cookie)
{
	unsigned int *lines = cookie;
	size_t L = sim->line;
	/* a large uncached region (a declared coherent pool) is mostly pages
	 * nobody wrote: not read, not to allocate them per barrier */
	struct c_span span = c_span_start(r, off, size);
	size_t end = off + size;
	atomic_fetch_add_explicit(&sim->barrier_pages, size >> DMP_PAGE_SHIFT,
				  memory_order_relaxed);
	for (size_t o = off; o < end; o += L) {
		bool hole = c_hole(r, o, &span);
		if (hole && c_hole_page(&span, o, end) &&
		    memcmp(r->d + o, zero_page, DMP_PAGE_SIZE) == 0) {
			o += DMP_PAGE_SIZE - L; /* zeroes on both sides: a page at once */
			continue;
		}
		const uint8_t *c = hole ? zero_line : r->c + o;
		if (memcmp(c, r->d + o, L) != 0) {
			memcpy(r->d + o, c, L);
			(*lines)++;
		}
	}
}

static unsigned int drain_write_buffer(struct dmp_sim *sim)
{
	unsigned int lines = 0;
	if (!atomic_load_explicit(&sim->nr_nc_pages, memory_order_relaxed))
		return 0; /* no uncached or write-combining memory: nothing buffered */
	dmp_spin_lock(&sim->lock);
	for (size_t i = 0; i < sim->nr_nc; i++) {
		struct sim_range *nc = &sim->nc[i];
		struct sim_region *r = dmp__sim_region(sim, nc->phys);
		if (!r)
			continue;
		size_t off = (size_t)(nc->phys - r->base);
		/* only the pages the CPU wrote since the last barrier, where the
		 * kernel says which (write-track.c); else all of them.  Asking
		 * costs a system call (about a microsecond), as much as comparing
		 * a few pages: small ranges (a descriptor ring) are compared */
		if (nc->size < DMP__SIM_WT_MIN || !dmp__sim_wt_active(sim) ||
		    dmp__sim_wt_scan(sim, r, off, nc->size, drain_span, &lines))
			drain_span(sim, r, off, nc->size, &lines);
	}
	dmp_spin_unlock(&sim->lock);
	return lines;
}

uint64_t dmp__sim_barrier_pages(struct dmp_sim *sim)
{
	return atomic_load_explicit(&sim->barrier_pages, memory_order_relaxed);
}

static inline bool listening(struct dmp_sim *sim)
{
	return sim->trace_on || sim->hook || atomic_load_explicit(&sim->nr_obs, memory_order_relaxed);
}

static void barrier_event(struct dmp_sim *sim, const char *name, unsigned int lines)
{
	if (!listening(sim))
		return;
	struct dmp_sim_event ev = { .kind = DMP_EV_BARRIER, .lines = lines };
	snprintf(ev.text, sizeof(ev.text), "%s", name);
	dmp__sim_event(sim, &ev);
}

/*
 * @full: mb() orders loads and stores (a full fence); wmb() and dma_wmb()
 * order stores against later stores only, which a release fence gives
 * (on x86 no instruction at all, as the kernel's dma_wmb() there): a full
 * fence in every wmb() cost each io-pgtable map an mfence.
 */
static void write_barrier(void *ctx, const char *name, bool full)
{
	struct dmp_sim *sim = ctx;
	/* Two fences, each with a constant order: with one whose order is a
	 * run-time value the compiler must emit the strongest (a locked
	 * instruction on x86), and every wmb() paid a full fence. */
	if (full)
		atomic_thread_fence(memory_order_seq_cst);
	else
		atomic_thread_fence(memory_order_release);
	/* each step's "nothing to do" tested here, inline: io-pgtable's map
	 * makes a wmb() per call, almost always with nothing to do */
	if (sim->cfg.hostile)
		dmp_sim_hostile_point(sim);
	unsigned int lines = 0;
	if (atomic_load_explicit(&sim->nr_nc_pages, memory_order_relaxed))
		lines = drain_write_buffer(sim);
	if (listening(sim))
		barrier_event(sim, name, lines);
}

static void sim_mb(void *ctx) { write_barrier(ctx, "mb", true); }
static void sim_wmb(void *ctx) { write_barrier(ctx, "wmb", false); }
static void sim_dma_wmb(void *ctx) { write_barrier(ctx, "dma_wmb", false); }

static void sim_rmb(void *ctx)
{
	atomic_thread_fence(memory_order_acquire);
	barrier_event(ctx, "rmb", 0);
}

static void sim_dma_rmb(void *ctx)
{
	atomic_thread_fence(memory_order_acquire);
	barrier_event(ctx, "dma_rmb", 0);
}

/* --- memory types ------------------------------------------------------- */

static int nc_add(struct dmp_sim *sim, dmp_phys_t phys, size_t size)
{
	if (sim->nr_nc == sim->cap_nc) {
		size_t cap = sim->cap_nc ? sim->cap_nc * 2 : 16;
		struct sim_range *n = realloc(sim->nc, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		sim->nc = n;
		sim->cap_nc = cap;
	}
	sim->nc[sim->nr_nc++] = (struct sim_range){ phys, size };
	return 0;
}

/* Remove [phys, phys+size) from the non-normal ranges, keeping the rest. */
static int nc_remove(struct dmp_sim *sim, dmp_phys_t phys, size_t size)
{
	for (size_t i = 0; i < sim->nr_nc;) {
		struct sim_range e = sim->nc[i];
		if (e.phys >= phys + size || phys >= e.phys + e.size) {
			i++;
			continue;
		}
		sim->nc[i] = sim->nc[--sim->nr_nc];
		if (e.phys < phys && nc_add(sim, e.phys, phys - e.phys))
			return -ENOMEM;
		if (e.phys + e.size > phys + size &&
		    nc_add(sim, phys + size, e.phys + e.size - (phys + size)))
			return -ENOMEM;
	}
	return 0;
}

static int sim_set_mem_attr(void *ctx, dmp_phys_t phys, size_t size, enum dmp_mem_attr attr)
{
	struct dmp_sim *sim = ctx;
	struct sim_region *r = dmp__sim_region(sim, phys);
	if (!r || !DMP_IS_ALIGNED(phys, DMP_PAGE_SIZE) || !DMP_IS_ALIGNED(size, DMP_PAGE_SIZE) ||
	    size > r->size - (phys - r->base))
		return -EINVAL;
	size_t off = (size_t)(phys - r->base);
	/* Pending buffered stores reach DRAM before the type changes. */
	drain_write_buffer(sim);
	dmp_spin_lock(&sim->lock);
	int err = nc_remove(sim, phys, size);
	if (!err && attr != DMP_MEM_NORMAL)
		err = nc_add(sim, phys, size);
	size_t pages = 0;
	for (size_t i = 0; i < sim->nr_nc; i++)
		pages += sim->nc[i].size >> DMP_PAGE_SHIFT;
	atomic_store_explicit(&sim->nr_nc_pages, pages, memory_order_relaxed);
	dmp_spin_unlock(&sim->lock);
	if (err)
		return err;
	/* normal again (or newly not): the CPU's stores there are no longer
	 * buffered; a later change back is examined whole at its first barrier */
	if (attr == DMP_MEM_NORMAL)
		dmp__sim_wt_unprotect(sim, r, off, size);
	struct c_span span = c_span_start(r, off, size);
	for (size_t p = off; p < off + size; p += DMP_PAGE_SIZE) {
		enum dmp_mem_attr old = r->attr[p >> DMP_PAGE_SHIFT];
		r->attr[p >> DMP_PAGE_SHIFT] = (uint8_t)attr;
		if (old != DMP_MEM_NORMAL && attr == DMP_MEM_NORMAL) {
			/* The page becomes cacheable with what memory holds (a
			 * hole of C that memory holds zeroes in stays a hole). */
			bool hole = c_hole(r, p, &span);
			for (size_t o = p; o < p + DMP_PAGE_SIZE; o += sim->line)
				line_copy(r->s + o, r->d + o, sim->line);
			if (!hole)
				memcpy(r->c + p, r->d + p, DMP_PAGE_SIZE);
			else
				for (size_t o = p; o < p + DMP_PAGE_SIZE; o += sim->line)
					if (memcmp(r->d + o, zero_line, sim->line) != 0)
						memcpy(r->c + o, r->d + o, sim->line);
			if (sim->cfg.outer_cache)
				memset(r->outer_valid + line_index(sim, p), 0,
				       DMP_PAGE_SIZE >> sim->line_shift);
		}
	}
	struct dmp_sim_event ev = { .kind = DMP_EV_ATTR, .phys = phys, .size = size,
				    .value = attr };
	snprintf(ev.text, sizeof(ev.text), "%s",
		 attr == DMP_MEM_NORMAL ? "normal" : attr == DMP_MEM_WC ? "write-combine" : "uncached");
	dmp__sim_event(sim, &ev);
	return 0;
}

enum dmp_mem_attr dmp_sim_mem_attr(struct dmp_sim *sim, dmp_phys_t phys)
{
	struct sim_region *r = dmp__sim_region(sim, phys);
	return r ? (enum dmp_mem_attr)r->attr[(phys - r->base) >> DMP_PAGE_SHIFT] : DMP_MEM_NORMAL;
}

/* --- inspection ---------------------------------------------------------- */

int dmp_sim_peek(struct dmp_sim *sim, enum dmp_sim_image image, dmp_phys_t phys, void *buf,
		 size_t len)
{
	uint8_t *out = buf;
	while (len) {
		struct sim_region *r = dmp__sim_region(sim, phys);
		if (!r)
			return -EFAULT;
		size_t off = (size_t)(phys - r->base);
		size_t n = DMP_MIN(len, r->size - off);
		const uint8_t *img = image == DMP_SIM_CPU    ? r->c
				     : image == DMP_SIM_SNAP ? r->s
				     : image == DMP_SIM_DRAM ? r->d
				     : r->o;
		if (!img)
			return -EFAULT;
		memcpy(out, img + off, n);
		out += n;
		phys += n;
		len -= n;
	}
	return 0;
}

int dmp_sim_line_state(struct dmp_sim *sim, dmp_phys_t phys)
{
	struct sim_region *r = dmp__sim_region(sim, phys);
	if (!r)
		return -EFAULT;
	size_t off = DMP_ALIGN_DOWN((size_t)(phys - r->base), sim->line);
	size_t L = sim->line;
	int st = 0;
	if (!page_normal(r, off)) {
		st |= DMP_SIM_LINE_UNCACHED;
		if (memcmp(r->c + off, r->d + off, L))
			st |= DMP_SIM_LINE_WB_PENDING;
		return st;
	}
	if (memcmp(r->c + off, r->s + off, L))
		st |= DMP_SIM_LINE_CPU_DIRTY;
	if (memcmp(r->d + off, r->s + off, L))
		st |= DMP_SIM_LINE_DEV_BEHIND;
	if (sim->cfg.outer_cache) {
		size_t li = line_index(sim, off);
		if (r->outer_valid[li])
			st |= DMP_SIM_LINE_OUTER_VALID;
		if (r->outer_dirty[li])
			st |= DMP_SIM_LINE_OUTER_DIRTY;
	}
	return st;
}

/* --- user space mappings ------------------------------------------------- */

static int sim_user_map(void *ctx, dmp_phys_t phys, size_t size, void **addr, int *fd,
			uint64_t *offset)
{
	struct sim_region *r = dmp__sim_region(ctx, phys);
	if (!r || !DMP_IS_ALIGNED(phys, DMP_PAGE_SIZE) || size > r->size - (phys - r->base))
		return -EINVAL;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
		       (off_t)(phys - r->base));
	if (p == MAP_FAILED)
		return -ENOMEM;
	/* stores through this mapping are not in the kernel's record of the
	 * CPU mapping's writes: barriers examine every uncached page again */
	dmp__sim_wt_stop(ctx);
	*addr = p;
	*fd = r->fd;
	*offset = phys - r->base;
	return 0;
}

static void sim_user_unmap(void *ctx, void *addr, size_t size)
{
	(void)ctx;
	munmap(addr, size);
}

/* --- creation ------------------------------------------------------------ */

static const struct dmp_platform_ops sim_ops = {
	.name = "sim",
	.cache_line_size = sim_line_size,
	.dcache_clean = sim_dcache_clean,
	.dcache_inval = sim_dcache_inval,
	.dcache_flush = sim_dcache_flush,
	.outer_clean = sim_outer_clean,
	.outer_inval = sim_outer_inval,
	.outer_flush = sim_outer_flush,
	.mb = sim_mb,
	.rmb = sim_rmb,
	.wmb = sim_wmb,
	.dma_rmb = sim_dma_rmb,
	.dma_wmb = sim_dma_wmb,
	.ioremap = dmp__sim_ioremap,
	.iounmap = dmp__sim_iounmap,
	.mmio_read = dmp__sim_mmio_read,
	.mmio_write = dmp__sim_mmio_write,
	.set_mem_attr = sim_set_mem_attr,
	.user_map = sim_user_map,
	.user_unmap = sim_user_unmap,
};

/* Address space that costs only the pages touched. */
static void *reserve(size_t size)
{
	if (!size)
		return NULL;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void release(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

/*
 * The CPU's view is a memfd, so that DMA memory mapped to user space
 * (dmp_mmap_attrs) is the same bytes in every process that maps it.
 */
static void *reserve_shared(size_t size, int *fd)
{
	*fd = memfd_create("dmaport-sim", MFD_CLOEXEC);
	if (*fd < 0)
		return NULL;
	if (ftruncate(*fd, (off_t)size) != 0)
		goto fail;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, *fd, 0);
	if (p != MAP_FAILED)
		return p;
fail:
	close(*fd);
	*fd = -1;
	return NULL;
}

/* The same pages of @fd once more, at another address. */
static void *map_again(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void region_free(struct dmp_sim *sim, struct sim_region *r)
{
	if (r->fd >= 0)
		close(r->fd);
	size_t lines = r->size >> sim->line_shift;
	size_t pages = r->size >> DMP_PAGE_SHIFT;
	release(r->c, r->size);
	release(r->cpu, r->size);
	release(r->s, r->size);
	release(r->o, r->size);
	release(r->d, r->size);
	release(r->outer_valid, lines);
	release(r->outer_dirty, lines);
	release(r->attr, pages);
	release(r->memmap, pages * sizeof(struct dmp_page));
}

static int region_init(struct dmp_sim *sim, struct sim_region *r, const struct dmp_sim_region *cr)
{
	size_t lines = cr->size >> sim->line_shift;
	size_t pages = cr->size >> DMP_PAGE_SHIFT;
	r->base = cr->base;
	r->size = cr->size;
	r->fd = -1;
	r->c = reserve_shared(r->size, &r->fd);
	r->cpu = r->c ? map_again(r->fd, r->size) : NULL;
	r->s = reserve(r->size);
	r->d = reserve(r->size);
	r->attr = reserve(pages);
	r->memmap = reserve(pages * sizeof(struct dmp_page));
	bool ok = r->c && r->cpu && r->s && r->d && r->attr && r->memmap;
	if (sim->cfg.outer_cache) {
		r->o = reserve(r->size);
		r->outer_valid = reserve(lines);
		r->outer_dirty = reserve(lines);
		ok = ok && r->o && r->outer_valid && r->outer_dirty;
	}
	return ok ? 0 : -ENOMEM;
}

static int config_valid(const struct dmp_sim_config *cfg)
{
	if (cfg->nr_regions == 0 || cfg->nr_regions > DMP_MAX_REGIONS)
		return -EINVAL;
	if (cfg->line_size != 32 && cfg->line_size != 64 && cfg->line_size != 128)
		return -EINVAL;
	if (cfg->hostile_rate > 1024)
		return -EINVAL;
	for (unsigned int i = 0; i < cfg->nr_regions; i++) {
		const struct dmp_sim_region *a = &cfg->regions[i];
		if (!a->size || !DMP_IS_ALIGNED(a->base, DMP_PAGE_SIZE) ||
		    !DMP_IS_ALIGNED(a->size, DMP_PAGE_SIZE) || a->base + a->size < a->base ||
		    (size_t)a->size != a->size)
			return -EINVAL;
		for (unsigned int j = 0; j < i; j++) {
			const struct dmp_sim_region *b = &cfg->regions[j];
			if (a->base < b->base + b->size && b->base < a->base + a->size)
				return -EINVAL;
		}
	}
	return 0;
}

int dmp_sim_create(const struct dmp_sim_config *cfg, struct dmp_sim **out)
{
	int err = config_valid(cfg);
	if (err)
		return err;
	if (dmp__platform.ops)
		return -EBUSY;
	struct dmp_sim *sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	sim->cfg = *cfg;
	sim->line = cfg->line_size;
	sim->line_shift = (unsigned int)__builtin_ctz(cfg->line_size);
	sim->rng = cfg->seed ? cfg->seed : DMP__GOLDEN_RATIO_64;
	sim->trace_on = cfg->trace;
	sim->wt_uffd = sim->wt_pagemap = -1; /* dmp__sim_wt_init() opens them */
	dmp_spin_init(&sim->lock);
	sim->lines = calloc(DMP_SIM_NR_IRQS, sizeof(*sim->lines));
	if (!sim->lines) {
		free(sim);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < cfg->nr_regions; i++) {
		sim->nr = i + 1;
		err = region_init(sim, &sim->r[i], &cfg->regions[i]);
		if (err)
			goto fail_regions;
	}
	dmp__sim_wt_init(sim);
	struct dmp_platform plat = { .ops = &sim_ops, .ctx = sim };
	err = dmp_platform_install(&plat);
	if (err)
		goto fail_regions;
	for (unsigned int i = 0; i < sim->nr; i++) {
		struct sim_region *r = &sim->r[i];
		err = dmp_mem_add_region(r->base, r->cpu, r->size, r->memmap);
		if (err)
			goto fail_install;
	}
	current_sim = sim;
	for (unsigned int i = 0; i < sim->nr; i++)
		dmp__guard_add_arena(sim->r[i].cpu, sim->r[i].size, sim->r[i].c);
	dmp__sim_checker_register();
	err = dmp__sim_swiotlb_init(sim, cfg->swiotlb_size);
	if (err)
		goto fail_current;
	*out = sim;
	return 0;

fail_current:
	current_sim = NULL;
fail_install:
	dmp_platform_uninstall();
fail_regions:
	dmp__sim_wt_fini(sim);
	for (unsigned int i = 0; i < sim->nr; i++)
		region_free(sim, &sim->r[i]);
	dmp__sim_irq_destroy(sim);
	free(sim);
	return err;
}

void dmp_sim_destroy(struct dmp_sim *sim)
{
	if (!sim)
		return;
	dmp__sim_devices_destroy(sim);
	if (dmp__sim_swiotlb_exit(sim))
		dmp_swiotlb_forget_all();
	if (current_sim == sim) {
		/* the checker's guards on this machine's memory end with it */
		dmp__guard_reset();
		for (unsigned int i = 0; i < sim->nr; i++)
			dmp__guard_remove_arena(sim->r[i].cpu);
		dmp_platform_uninstall();
		current_sim = NULL;
	}
	dmp__sim_wt_fini(sim);
	for (unsigned int i = 0; i < sim->nr; i++)
		region_free(sim, &sim->r[i]);
	free(sim->nc);
	free(sim->maps);
	free(sim->ev);
	dmp__sim_irq_destroy(sim);
	free(sim);
}
