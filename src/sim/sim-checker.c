/* SPDX-License-Identifier: MIT */
/*
 * sim-checker.c - the simulator's half of the DMA-API checker: the checks
 * only the simulated platform can make, and the DMP_DEBUG environment
 * variable.  The checker's bookkeeping (src/dma/debug.c) calls it through
 * the struct dmp__dbg_platform_ops registered here when the program starts
 * (and again by dmp_sim_create, which is what links this file in).
 *
 * The checker is an observer of the simulator's events (every device access
 * and every cache operation) and reads line states and images without side
 * effects.  It keeps, per tracked buffer of a device with dev->hw:
 *
 *   per line of the range the device accesses (the bounce slot when bounced):
 *     NEWER      the CPU held data newer than DRAM when the device was given
 *                the buffer, and no clean since has written it back: a
 *                device read of it is stale, a device write to it is a lost
 *                update;
 *     DEV_WROTE  the device wrote it behind the cache and no invalidate has
 *                brought it into the CPU's view since;
 *   per line of the CPU's buffer:
 *     OWNED      the device owns it (map or sync_for_device to sync_for_cpu
 *                or unmap), and a hash of the buffer's bytes in it as they
 *                were then: a different hash when the CPU gets it back is a
 *                CPU write during device ownership.
 *
 * Hostile mode evicts and refills lines at random.  These flags change only
 * at the driver's own maintenance (clean, invalidate), never at an eviction
 * or a refill, so a bug that hostile timing happens to hide in one run
 * (correct bytes by luck) is still reported.
 */
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/iommu.h>
#include <dmaport/sim.h>

#include "../dma/debug-internal.h"
#include "guard.h"
#include "sim-internal.h"

#define F_NEWER 0x1
#define F_DEV_WROTE 0x2
#define F_OWNED 0x1 /* cpu line flags */
#define F_CPU_REF 0x2 /* hash[] is the line as the CPU got it back (sync_for_cpu) */
#define F_CPU_WHOLE 0x4 /* the whole line (of the buffer) is the CPU's: synced for
			   the CPU, not handed back since */

struct dbg_sim {
	struct dmp_sim *sim;
	struct dmp_sim_device *sdev;
	bool direct;      /* the device reaches dev_phys without an IOMMU */
	bool seen;        /* the device's accesses land on dev_phys: directly, or
			     through an IOMMU that translates the mapping to it */
	bool noncoherent; /* its accesses bypass the CPU's caches */
	bool streaming;   /* ownership moves (not a coherent allocation) */
	dmp_phys_t dev_phys;
	size_t span;      /* bytes the device may reach at dev_phys */
	size_t L;
	dmp_phys_t dline0, cline0; /* first line of the device / CPU range */
	size_t dlines, clines;
	uint64_t edge_hash[2];     /* bytes outside the buffer in its first/last line */
	uint64_t *hash;            /* [clines] */
	uint8_t *dflags;           /* [dlines] */
	uint8_t *cflags;           /* [clines] */
};

/* ---- helpers --------------------------------------------------------------- */

static uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* The C image (what the CPU's pointers see) through the simulator's own
 * mapping: guard mode may have made the CPU's mapping of it inaccessible. */
static const uint8_t *cpu_view(dmp_phys_t phys)
{
	return dmp__sim_c(dmp_sim_current(), phys);
}

/* Do the images @a and @b differ on [@phys, +@n)? (n <= a line) */
static bool images_differ(struct dmp_sim *sim, enum dmp_sim_image a, enum dmp_sim_image b,
			  dmp_phys_t phys, size_t n)
{
	uint8_t x[256], y[256];
	if (n > sizeof(x))
		n = sizeof(x);
	if (a == DMP_SIM_CPU)
		memcpy(x, cpu_view(phys), n);
	else if (dmp_sim_peek(sim, a, phys, x, n))
		return false;
	if (dmp_sim_peek(sim, b, phys, y, n))
		return false;
	return memcmp(x, y, n) != 0;
}

/*
 * Does the CPU hold data for [@lo, @hi) (inside one line) that DRAM does not
 * have yet: a dirty inner or outer line whose bytes differ from DRAM?
 */
static bool cpu_newer(struct dmp_sim *sim, dmp_phys_t lo, dmp_phys_t hi)
{
	int st = dmp_sim_line_state(sim, lo);
	if (st < 0 || (st & DMP_SIM_LINE_UNCACHED) ||
	    !(st & (DMP_SIM_LINE_CPU_DIRTY | DMP_SIM_LINE_OUTER_DIRTY)))
		return false;
	return images_differ(sim, DMP_SIM_CPU, DMP_SIM_DRAM, lo, (size_t)(hi - lo));
}

/* The part of line @k (of the range starting at line @line0) inside [a, a+n). */
static void line_part(dmp_phys_t line0, size_t L, size_t k, dmp_phys_t a, size_t n,
		      dmp_phys_t *lo, dmp_phys_t *hi)
{
	dmp_phys_t ls = line0 + k * L;
	*lo = DMP_MAX(ls, a);
	*hi = DMP_MIN(ls + L, a + n);
}

/* Lines [*k0, *k1) of a range at @line0 (of @nlines) meeting [p, p+n). */
static bool lines_meeting(dmp_phys_t line0, size_t nlines, size_t L, dmp_phys_t p, size_t n,
			  size_t *k0, size_t *k1)
{
	dmp_phys_t end = line0 + nlines * L;
	if (!n || p >= end || p + n <= line0)
		return false;
	dmp_phys_t s = DMP_MAX(p, line0), e = DMP_MIN(p + n, end);
	*k0 = (size_t)((s - line0) / L);
	*k1 = (size_t)((e - line0 + L - 1) / L);
	return true;
}

static uint64_t cpu_line_hash(const struct dbg_entry *e, size_t k)
{
	dmp_phys_t lo, hi;
	line_part(e->sim->cline0, e->sim->L, k, e->phys, e->size, &lo, &hi);
	return hash_bytes(cpu_view(lo), (size_t)(hi - lo));
}

/* The same part of line @k in DRAM (what an invalidate gives the CPU). */
static uint64_t dram_line_hash(const struct dbg_entry *e, size_t k)
{
	dmp_phys_t lo, hi;
	uint8_t buf[256];
	line_part(e->sim->cline0, e->sim->L, k, e->phys, e->size, &lo, &hi);
	size_t n = DMP_MIN((size_t)(hi - lo), sizeof(buf));
	if (dmp_sim_peek(e->sim->sim, DMP_SIM_DRAM, lo, buf, n))
		return 0;
	return hash_bytes(buf, n);
}

/* The bytes of the first (@which 0) or last (1) device line outside the buffer. */
static uint64_t edge_outside_hash(const struct dbg_entry *e, int which)
{
	const struct dbg_sim *s = e->sim;
	dmp_phys_t ls = which ? s->dline0 + (s->dlines - 1) * s->L : s->dline0;
	uint64_t h = 0;
	if (s->dev_phys > ls)
		h ^= hash_bytes(cpu_view(ls), (size_t)(s->dev_phys - ls));
	dmp_phys_t end = s->dev_phys + e->size;
	if (end < ls + s->L)
		h ^= 3 * hash_bytes(cpu_view(end), (size_t)(ls + s->L - end));
	return h;
}

/* ---- which devices, and the observer ------------------------------------ */

/*
 * Which struct dmp_device drives which simulated hardware: one entry per
 * live link, never more.  An entry goes when either side does - the
 * device's removal (sim_forget_device), the hardware's destruction
 * (dmp__sim_checker_forget_hw, from dmp_sim_device_destroy) - or when the
 * hardware is linked to another device; so across any number of devices
 * and machines made and destroyed it holds only the links alive now.  It
 * grows as needed: forgetting a live device to make room would make its
 * DMA rogue.  Under known_lock (taken after dmp__dbg_lock, never before).
 */
static dmp_spinlock_t known_lock = DMP_SPINLOCK_INIT;
struct known_link {
	struct dmp_device *dev;
	struct dmp_sim_device *sdev;
};
static struct known_link *known;
static unsigned int nr_known, known_cap;

static void observe(void *cookie, const struct dmp_sim_event *ev);

/*
 * Being an observer of the right machine.  The simulator cannot say whether
 * a callback is registered, and a machine created after another was
 * destroyed may live at the same address (as may its devices, and a
 * dmp_device in a test's stack frame), so "seen this device before" proves
 * nothing.  So every new entry re-registers, without a gap: add the
 * observer under the other of two cookies, then remove the old one.  A
 * concurrent event may be seen twice in that instant, never missed.
 * Called with known_lock held (it serialises the flips).
 */
static const char cookie_tag[2];
static unsigned int cookie_idx;
static bool warned_full, warned_nomem;

static void observe_sim_locked(struct dmp_sim *sim)
{
	unsigned int cur = cookie_idx;
	if (dmp_sim_add_observer(sim, observe, (void *)&cookie_tag[cur ^ 1u])) {
		if (!warned_full)
			dmp_log("dmaport: DMA-API: the checker cannot observe the simulator (%d "
				 "observers already): its simulator checks are off",
				 DMP_SIM_MAX_OBSERVERS);
		warned_full = true;
		return;
	}
	dmp_sim_remove_observer(sim, observe, (void *)&cookie_tag[cur]);
	cookie_idx = cur ^ 1u;
}

/* Drop the link of hardware @sdev unless it is @keep's.  Under known_lock. */
static void unlink_hw_locked(const struct dmp_sim_device *sdev, const struct dmp_device *keep)
{
	for (unsigned int i = 0; i < nr_known;)
		if (known[i].sdev == sdev && known[i].dev != keep)
			known[i] = known[--nr_known];
		else
			i++;
}

static void sim_watch(struct dmp_device *dev)
{
	struct dmp_sim *sim = dev ? (dev->hw ? dmp_sim_device_sim(dev->hw) : NULL)
				  : dmp_sim_current();
	if (!sim || sim != dmp_sim_current())
		return;
	dmp_spin_lock(&known_lock);
	if (dev) {
		/* the hardware is @dev's now: an entry of an earlier device
		 * with the same hardware (not released, or hardware created
		 * again at a freed one's address) would answer device_of()
		 * with that device, perhaps gone */
		unlink_hw_locked(dev->hw, dev);
		unsigned int i;
		for (i = 0; i < nr_known; i++)
			if (known[i].dev == dev)
				break;
		if (i == nr_known && nr_known == known_cap) {
			unsigned int cap = known_cap ? 2 * known_cap : 16;
			struct known_link *k = realloc(known, cap * sizeof(*k));
			if (k) {
				known = k;
				known_cap = cap;
			}
		}
		if (i < known_cap) {
			if (i == nr_known)
				nr_known++;
			known[i].dev = dev;
			known[i].sdev = dev->hw;
		} else if (!warned_nomem) {
			/* its accesses are judged as those of hardware no
			 * driver has claimed */
			warned_nomem = true;
			dmp_log("dmaport: DMA-API: no memory to remember that %s drives its "
				"simulated hardware", dev->name);
		}
	}
	observe_sim_locked(sim);
	dmp_spin_unlock(&known_lock);
}

static void sim_forget_device(struct dmp_device *dev)
{
	/* its hardware must not clear dev->hw once @dev's storage is gone */
	dmp__sim_device_unlink(dev);
	dmp_spin_lock(&known_lock);
	for (unsigned int i = 0; i < nr_known; i++)
		if (known[i].dev == dev) {
			known[i] = known[--nr_known];
			break;
		}
	dmp_spin_unlock(&known_lock);
}

/* The device API object behind simulated hardware @sdev, or NULL (a
 * hardware has one link at most: sim_watch drops any other's). */
static struct dmp_device *device_of(const struct dmp_sim_device *sdev)
{
	struct dmp_device *dev = NULL;
	dmp_spin_lock(&known_lock);
	for (unsigned int i = 0; i < nr_known; i++)
		if (known[i].sdev == sdev) {
			dev = known[i].dev;
			break;
		}
	dmp_spin_unlock(&known_lock);
	return dev;
}

/* ---- recently unmapped buffers ----------------------------------------- */

/*
 * Each: a buffer a device no longer owns.  On the direct path @phys and
 * @size are where the device reached it; behind an IOMMU (@iova) they are
 * its IOVA range, page-rounded (what the IOTLB may still translate).
 */
#define HISTORY 32
static struct {
	const struct dmp_sim_device *sdev;
	bool iova;
	dmp_phys_t phys;
	size_t size;
	enum dmp_data_direction dir;
	dmp_addr_t dma;
	const char *map_file, *unmap_file;
	int map_line, unmap_line;
	bool reported;
} history[HISTORY];
static unsigned int history_next;

static void sim_forget_history(void)
{
	dmp_spin_lock(&dmp__dbg_lock);
	memset(history, 0, sizeof(history));
	dmp_spin_unlock(&dmp__dbg_lock);
}

/*
 * Simulated hardware @sdev is being destroyed (dmp_sim_device_destroy, so
 * also dmp_sim_destroy): forget it everywhere the checker holds its
 * address - the link to its device, its recently unmapped buffers, the
 * simulator state of live entries of a device that drove it - so that
 * hardware created later at the same address is judged as itself, not as
 * a device that may be gone.  The device's entries themselves stay (its
 * driver still owns them: their unmap, or a leak at its removal).  Any
 * context but under the checker's locks.
 */
void dmp__sim_checker_forget_hw(const struct dmp_sim_device *sdev)
{
	dmp_spin_lock(&dmp__dbg_lock);
	for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next)
		if (e->sim && e->sim->sdev == sdev) {
			free(e->sim);
			e->sim = NULL;
		}
	for (unsigned int i = 0; i < HISTORY; i++)
		if (history[i].sdev == sdev)
			memset(&history[i], 0, sizeof(history[i]));
	dmp_spin_lock(&known_lock);
	unlink_hw_locked(sdev, NULL);
	if (!nr_known) {
		free(known);
		known = NULL;
		known_cap = 0;
	}
	dmp_spin_unlock(&known_lock);
	dmp_spin_unlock(&dmp__dbg_lock);
}

unsigned int dmp__sim_checker_nr_links(void)
{
	dmp_spin_lock(&known_lock);
	unsigned int n = nr_known;
	dmp_spin_unlock(&known_lock);
	return n;
}

/* ---- guard mode ------------------------------------------------------------ */

static _Atomic bool guard_on;

/*
 * Guard (@on) or open the CPU bytes of [@dma, +@n) of @e, piece by piece (a
 * merged scatterlist segment has several): streaming mappings with a CPU
 * address only - a coherent allocation is shared by definition, a
 * map_resource has no CPU side.  A DMA_TO_DEVICE buffer stays readable: the
 * device only reads it, so a CPU load sees what the device sees, on any
 * hardware; a store is the bug (the device may read either value).
 */
static void guard_pieces(struct dbg_entry *e, dmp_addr_t dma, size_t n, bool on)
{
	if (!atomic_load_explicit(&guard_on, memory_order_relaxed) || !e->cpu ||
	    e->type == DMP_MAP_COHERENT || e->type == DMP_MAP_RESOURCE)
		return;
	struct dbg_chunk one;
	const struct dbg_chunk *p;
	unsigned int np = dmp__dbg_pieces(e, &one, &p);
	size_t lo = (size_t)(dma - e->dma), hi = lo + n, at = 0;
	static bool warned;
	for (unsigned int i = 0; i < np; at += p[i].len, i++) {
		size_t s = DMP_MAX(lo, at), t = DMP_MIN(hi, at + p[i].len);
		if (s >= t || !p[i].cpu)
			continue;
		const uint8_t *va = (const uint8_t *)p[i].cpu + (s - at);
		if (!on) {
			dmp__guard_remove(e, va, t - s);
		} else if (dmp__guard_add(e, va, t - s, e->dir == DMP_TO_DEVICE) && !warned) {
			warned = true;
			dmp_log("dmaport: DMA-API: guard mode: a buffer of %s could not be guarded "
				"(no memory, or the kernel's limit of mappings reached): CPU accesses "
				"to it go unseen", e->dev->name);
		}
	}
}

static void guard(struct dbg_entry *e, dmp_addr_t dma, size_t n)
{
	guard_pieces(e, dma, n, true);
}

static void unguard(struct dbg_entry *e, dmp_addr_t dma, size_t n)
{
	guard_pieces(e, dma, n, false);
}

/*
 * A CPU access to a device-owned range, after it happened (guard.c): a
 * finding at the driver's line, if the entry is still live.  On the
 * faulting thread, no lock held.
 */
/* The byte of @e's CPU side at @addr, counted from its start. */
static size_t piece_offset(const struct dbg_entry *e, uintptr_t addr)
{
	struct dbg_chunk one;
	const struct dbg_chunk *p;
	unsigned int np = dmp__dbg_pieces(e, &one, &p);
	size_t at = 0;
	for (unsigned int i = 0; i < np; at += p[i].len, i++)
		if (addr - (uintptr_t)p[i].cpu < p[i].len)
			return at + (size_t)(addr - (uintptr_t)p[i].cpu);
	return 0;
}

static void guard_report(const struct dmp__guard_hit *hit)
{
	const char *file;
	int line;
	char fn[96];
	int used = dmp__symbolize(hit->pcs, hit->npcs, &file, &line, fn, sizeof(fn));
	enum dmp_debug_kind kind = hit->write ? DMP_DEBUG_CPU_WROTE_OWNED : DMP_DEBUG_CPU_READ_OWNED;
	dmp_spin_lock(&dmp__dbg_lock);
	struct dbg_entry *e = dmp__dbg_all.next;
	while (e != &dmp__dbg_all && e != hit->key)
		e = e->next;
	if (e != &dmp__dbg_all && dmp__dbg_once(e, kind)) {
		char where[128] = "";
		if (used != 0 && fn[0])
			snprintf(where, sizeof(where), ", in %s()", fn);
		dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e), .kind = kind,
						       .at = { file ? file : "(no line information)",
							       line },
						       .owner = { e->owner_file, e->owner_line } },
				"CPU %s a buffer the device owned [%s at %p: byte %zu of %zu%s]",
				hit->write ? "wrote to" : "read", hit->write ? "store" : "load",
				(void *)hit->addr, piece_offset(e, hit->addr), e->size, where);
	}
	dmp_spin_unlock(&dmp__dbg_lock);
}

static int sim_guard(bool on)
{
	if (!on) {
		atomic_store(&guard_on, false);
		dmp__guard_reset();
		dmp__heap_own_pages(false);
		return 0;
	}
	int err = dmp__guard_init(guard_report);
	if (err)
		return err;
	atomic_store(&guard_on, true);
	/* DMA buffers from dmp_kmalloc get pages of their own, as
	 * electric-fence allocators do: a guarded page holds nothing else */
	dmp__heap_own_pages(true);
	return 0;
}

static bool sim_guard_supported(void)
{
	return dmp__guard_supported();
}

/* ---- entries ----------------------------------------------------------------- */

/* The device gets [@a, +@n) (CPU-side addresses) of @e: remember what it holds. */
static void handover(struct dbg_entry *e, dmp_phys_t a, size_t n)
{
	struct dbg_sim *s = e->sim;
	size_t k0, k1;
	if (lines_meeting(s->cline0, s->clines, s->L, a, n, &k0, &k1))
		for (size_t k = k0; k < k1; k++) {
			s->cflags[k] |= F_OWNED;
			s->cflags[k] &= (uint8_t)~(F_CPU_REF | F_CPU_WHOLE);
			s->hash[k] = cpu_line_hash(e, k);
		}
	if (!s->noncoherent)
		return;
	dmp_phys_t da = s->dev_phys + (a - e->phys);
	if (!lines_meeting(s->dline0, s->dlines, s->L, da, n, &k0, &k1))
		return;
	for (size_t k = k0; k < k1; k++) {
		dmp_phys_t lo, hi;
		line_part(s->dline0, s->L, k, s->dev_phys, e->size, &lo, &hi);
		if (cpu_newer(s->sim, lo, hi))
			s->dflags[k] |= F_NEWER;
		else
			s->dflags[k] &= (uint8_t)~F_NEWER;
	}
	if (s->dev_phys == e->phys) {
		s->edge_hash[0] = edge_outside_hash(e, 0);
		s->edge_hash[1] = edge_outside_hash(e, 1);
	}
}

static void sim_attach(struct dbg_entry *e)
{
	struct dmp_device *dev = e->dev;
	/* a page allocation starts with the CPU filling it: guarded from its
	 * first sync_for_device (Linux's dma-api.rst: "before giving the
	 * memory to the device, dma_sync_single_for_device() needs to be
	 * called") */
	if (e->device_owns && e->type != DMP_MAP_PAGE)
		guard(e, e->dma, e->size);
	struct dmp_sim *sim = dev->hw ? dmp_sim_device_sim(dev->hw) : NULL;
	if (!sim || sim != dmp_sim_current() || (!e->cpu && e->type != DMP_MAP_COHERENT))
		return;
	/* the line model below follows one physically contiguous range: a
	 * segment merged from several entries behind an IOMMU is not one, and
	 * is left to the bookkeeping and guard mode (no false findings) */
	if (!e->cpu_contiguous)
		return;
	dmp_phys_t dev_phys = 0;
	bool direct = !dev->dma_ops && dmp_dma_to_phys(dev, e->dma, &dev_phys) == 0 &&
		      dmp_phys_to_virt(dev_phys);
	/*
	 * Behind an IOMMU the device's accesses arrive translated: when the
	 * mapping translates to the buffer itself (not a bounce buffer), the
	 * coherence checks watch it as on the direct path.  Rogue DMA and DMA
	 * after unmap stay direct-path checks: there the IOMMU is the judge.
	 */
	bool seen = direct;
	if (!direct && dev->dma_ops) {
		struct dmp_iommu_domain *dom = dmp_iommu_get_domain_for_dev(dev);
		dmp_phys_t p;
		if (dom && dmp_iommu_iova_to_phys(dom, e->dma, &p) == 0 && p == e->phys) {
			dev_phys = p;
			seen = true;
		}
	}
	bool streaming = e->type != DMP_MAP_COHERENT;
	size_t L = dmp__cache_line();
	size_t dlines = 0, clines = 0;
	dmp_phys_t dline0 = DMP_ALIGN_DOWN(dev_phys, L), cline0 = DMP_ALIGN_DOWN(e->phys, L);
	if (streaming) {
		clines = (size_t)((DMP_ALIGN_UP(e->phys + e->size, L) - cline0) / L);
		if (seen)
			dlines = (size_t)((DMP_ALIGN_UP(dev_phys + e->size, L) - dline0) / L);
	}
	struct dbg_sim *s = calloc(1, sizeof(*s) + clines * sizeof(uint64_t) + dlines + clines);
	if (!s)
		return; /* the bookkeeping checks still run */
	s->sim = sim;
	s->sdev = dev->hw;
	s->direct = direct;
	s->seen = seen;
	s->noncoherent = seen && streaming && !dev->dma_coherent;
	s->streaming = streaming;
	s->dev_phys = dev_phys;
	s->span = streaming ? e->size : DMP_ALIGN_UP(e->size, DMP_PAGE_SIZE);
	s->L = L;
	s->dline0 = dline0;
	s->cline0 = cline0;
	s->dlines = dlines;
	s->clines = clines;
	s->hash = (uint64_t *)(s + 1);
	s->dflags = (uint8_t *)(s->hash + clines);
	s->cflags = s->dflags + dlines;
	e->sim = s;
	if (streaming)
		handover(e, e->phys, e->size);
}

/* CPU lines of [@a, +@n) the device owned come back: did the CPU write them? */
static void take_back(struct dbg_entry *e, dmp_phys_t a, size_t n, const char *file, int line)
{
	struct dbg_sim *s = e->sim;
	size_t k0, k1;
	if (!lines_meeting(s->cline0, s->clines, s->L, a, n, &k0, &k1))
		return;
	size_t changed = 0, first = 0;
	for (size_t k = k0; k < k1; k++) {
		/* the line's bytes of the buffer all come back: the CPU's whole */
		dmp_phys_t lo, hi;
		line_part(s->cline0, s->L, k, e->phys, e->size, &lo, &hi);
		if (lo >= a && hi <= a + n)
			s->cflags[k] |= F_CPU_WHOLE;
		if (!(s->cflags[k] & F_OWNED))
			continue;
		s->cflags[k] &= (uint8_t)~F_OWNED;
		if (cpu_line_hash(e, k) != s->hash[k] && !changed++)
			first = k;
	}
	/* What the CPU will see once this sync_for_cpu (or unmap) has done its
	 * invalidate: DRAM's bytes, whatever the caches do later.  A device read
	 * before the buffer is handed back compares with it (device_access). */
	if (s->noncoherent && s->dev_phys == e->phys)
		for (size_t k = k0; k < k1; k++) {
			s->hash[k] = dram_line_hash(e, k);
			s->cflags[k] |= F_CPU_REF;
		}
	if (changed && dmp__dbg_once(e, DMP_DEBUG_CPU_WROTE_OWNED)) {
		dmp_phys_t lo, hi;
		line_part(s->cline0, s->L, first, e->phys, e->size, &lo, &hi);
		dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_CPU_WROTE_OWNED,
						       .at = { file, line },
						       .owner = { e->owner_file, e->owner_line } },
				"CPU wrote to a buffer the device owned [%zu line(s), the first at "
				"offset %llu]",
				changed, (unsigned long long)(lo - e->phys));
	}
}

/* The CPU's view of [@a, +@n) is about to be invalidated: shared lines? */
static void check_shared_inval(struct dbg_entry *e, dmp_phys_t a, size_t n, const char *file,
			       int line)
{
	struct dbg_sim *s = e->sim;
	if (!s->noncoherent || s->dev_phys != e->phys || e->dir == DMP_TO_DEVICE)
		return;
	for (int which = 0; which < 2; which++) {
		dmp_phys_t ls = which ? s->dline0 + (s->dlines - 1) * s->L : s->dline0;
		bool partial = which ? e->phys + e->size < ls + s->L : e->phys > ls;
		if (!partial || ls + s->L <= a || ls >= a + n)
			continue;
		/* the neighbour's bytes: changed while the device owned the line,
		 * or dirty now - the invalidate discards them either way, or (if an
		 * eviction wrote them back first) only luck saved them */
		bool dirty = false;
		int st = dmp_sim_line_state(s->sim, ls);
		if (st >= 0 && (st & DMP_SIM_LINE_CPU_DIRTY)) {
			if (e->phys > ls)
				dirty |= images_differ(s->sim, DMP_SIM_CPU, DMP_SIM_SNAP, ls,
						       (size_t)(e->phys - ls));
			dmp_phys_t end = e->phys + e->size;
			if (end < ls + s->L)
				dirty |= images_differ(s->sim, DMP_SIM_CPU, DMP_SIM_SNAP, end,
						       (size_t)(ls + s->L - end));
		}
		if ((dirty || edge_outside_hash(e, which) != s->edge_hash[which]) &&
		    dmp__dbg_once(e, DMP_DEBUG_INVAL_SHARED)) {
			dmp__dbg_report(
				&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_INVAL_SHARED,
						       .at = { file, line },
						       .owner = { e->owner_file, e->owner_line } },
				"invalidate discards CPU data sharing cache line 0x%llx with "
				"the buffer (not cache-line aligned: use "
				"dmp_get_cache_alignment())",
				(unsigned long long)ls);
			return;
		}
	}
}

static size_t pending_dev_writes(const struct dbg_entry *e, dmp_phys_t da, size_t n)
{
	const struct dbg_sim *s = e->sim;
	size_t k0, k1, c = 0;
	if (!s->noncoherent || !lines_meeting(s->dline0, s->dlines, s->L, da, n, &k0, &k1))
		return 0;
	for (size_t k = k0; k < k1; k++)
		c += (s->dflags[k] & F_DEV_WROTE) != 0;
	return c;
}

static void sim_to_cpu(struct dbg_entry *e, dmp_addr_t dma, size_t size, struct dmp__dbg_site at)
{
	const char *file = at.file;
	int line = at.line;
	unguard(e, dma, size);
	if (!e->sim)
		return;
	dmp_phys_t a = e->phys + (dma - e->dma);
	take_back(e, a, size, file, line);
	if (e->dir != DMP_TO_DEVICE)
		check_shared_inval(e, a, size, file, line);
}

static void sim_to_device(struct dbg_entry *e, dmp_addr_t dma, size_t size,
			  struct dmp__dbg_site at)
{
	(void)at;
	/* a new ownership period: its CPU accesses are reported anew */
	e->reported &= ~((1ull << DMP_DEBUG_CPU_READ_OWNED) | (1ull << DMP_DEBUG_CPU_WROTE_OWNED) |
			 (1ull << DMP_DEBUG_DEV_WROTE_CPU_OWNED));
	if (e->sim)
		handover(e, e->phys + (dma - e->dma), size);
}

/* The sync that handed [dma, +size) to the device has run: guard it now. */
static void sim_owned(struct dbg_entry *e, dmp_addr_t dma, size_t size)
{
	unguard(e, dma, size);
	guard(e, dma, size);
}

static void sim_detach(struct dbg_entry *e)
{
	dmp__guard_remove_key(e);
	free(e->sim);
	e->sim = NULL;
}

/*
 * The device's last view of @e, unmapped at @at: where it reached the
 * buffer on the direct path, or its IOVA range behind an IOMMU (a bounced
 * mapping's slot is the pool's again: nothing to remember).
 */
static void remember_unmap(const struct dbg_entry *e, struct dmp__dbg_site at)
{
	struct dmp_sim_device *sdev = e->dev->hw;
	const struct dbg_sim *s = e->sim;
	bool iova = e->dev->dma_ops != NULL;
	/* hardware destroyed under a live device: dev->hw is NULL
	 * (dmp_sim_device_destroy clears it), or other hardware linked since,
	 * which the checker links to this device only if it is its own */
	if (!sdev || (!iova && (!s || !s->direct)) || device_of(sdev) != e->dev)
		return;
	unsigned int i = history_next++ % HISTORY;
	history[i].sdev = sdev;
	history[i].iova = iova;
	if (iova) {
		history[i].phys = DMP_ALIGN_DOWN(e->dma, DMP_PAGE_SIZE);
		history[i].size = (size_t)(DMP_ALIGN_UP(e->dma + e->size, DMP_PAGE_SIZE) -
					   history[i].phys);
	} else {
		history[i].phys = s->dev_phys;
		history[i].size = s->span;
	}
	history[i].dir = e->dir;
	history[i].dma = e->dma;
	history[i].map_file = e->file;
	history[i].map_line = e->line;
	history[i].unmap_file = at.file;
	history[i].unmap_line = at.line;
	history[i].reported = false;
}

static void sim_release(struct dbg_entry *e, unsigned long attrs, struct dmp__dbg_site at)
{
	const char *file = at.file;
	int line = at.line;
	struct dbg_sim *s = e->sim;
	/* before the unmap copies a bounce buffer back into the buffer */
	dmp__guard_remove_key(e);
	remember_unmap(e, at);
	if (!s)
		return;
	if (s->streaming) {
		take_back(e, e->phys, e->size, file, line);
		bool invalidates = !(attrs & DMP_ATTR_SKIP_CPU_SYNC) && e->dir != DMP_TO_DEVICE;
		if (invalidates)
			check_shared_inval(e, e->phys, e->size, file, line);
		size_t stale = invalidates ? 0 : pending_dev_writes(e, s->dev_phys, e->size);
		if (stale && dmp__dbg_once(e, DMP_DEBUG_STALE_TO_CPU))
			dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
							       .kind = DMP_DEBUG_STALE_TO_CPU,
							       .at = { file, line } },
					"CPU gets back a buffer the device wrote, without an "
					"invalidate (%s): %zu line(s) stale in the CPU's view",
					(attrs & DMP_ATTR_SKIP_CPU_SYNC)
						? "unmapped with "
						  "SKIP_CPU_SYNC and never synced for the CPU"
						: "mapped DMA_TO_DEVICE",
					stale);
	}
}

static size_t sim_check_point(struct dmp_device *dev, const void *ptr, size_t size,
			      struct dmp__dbg_site at)
{
	const char *file = at.file;
	int line = at.line;
	struct dmp_sim *sim = dmp_sim_device_sim(dev->hw);
	dmp_phys_t phys;
	if (!sim || sim != dmp_sim_current() || dmp_virt_to_phys(ptr, &phys) || dev->dma_coherent)
		return 0;
	size_t L = dmp__cache_line(), stale = 0;
	struct dbg_entry *owner = NULL;
	for (dmp_phys_t ls = DMP_ALIGN_DOWN(phys, L); ls < phys + size; ls += L) {
		bool s = false;
		for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all && !s;
		     e = e->next) {
			if (e->dev != dev || !e->sim || !e->sim->noncoherent)
				continue;
			/* the CPU reads the buffer: its lines on the device side */
			if (ls + L > e->phys && ls < e->phys + e->size &&
			    pending_dev_writes(e, e->sim->dev_phys + (DMP_MAX(ls, e->phys) - e->phys),
					       1)) {
				s = true;
				owner = e;
			}
		}
		if (!s) {
			/* a buffer no longer mapped: DRAM changed behind the cache */
			int st = dmp_sim_line_state(sim, ls);
			s = st >= 0 && !(st & (DMP_SIM_LINE_UNCACHED | DMP_SIM_LINE_OUTER_DIRTY)) &&
			    (st & DMP_SIM_LINE_DEV_BEHIND);
		}
		stale += s;
	}
	if (stale)
		dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_STALE_TO_CPU,
						       .dev = dev,
						       .entry = owner,
						       .dma = owner ? owner->dma : 0,
						       .phys = phys,
						       .size = size,
						       .dir = owner ? owner->dir : DMP_NONE,
						       .at = { file, line } },
				"CPU reads %zu line(s) a device wrote that were never invalidated "
				"(check point)",
				stale);
	return stale;
}

/* ---- events ------------------------------------------------------------------ */

/* The entry of @sdev whose device range holds @p, or NULL. */
static struct dbg_entry *entry_at(const struct dmp_sim_device *sdev, dmp_phys_t p)
{
	for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next) {
		const struct dbg_sim *s = e->sim;
		if (s && s->direct && s->sdev == sdev && p - s->dev_phys < s->span)
			return e;
	}
	return NULL;
}

/*
 * The line of the driver (or test) whose call made the device act - the
 * MMIO write of its doorbell, a direct dmp_sim_dma_*() - found on the
 * stack of the access, which the simulator makes synchronously: the
 * "at FILE:LINE" of what a device did.  { NULL } without line information.
 */
static struct dmp__dbg_site device_site(void)
{
	void *pcs[48];
	int n = backtrace(pcs, 48);
	struct dmp__dbg_site at = { NULL, 0 };
	if (dmp__symbolize_caller(pcs, n, &at.file, &at.line) < 0)
		at.file = NULL;
	return at;
}

/* " (...its 32-bit port dropped the top bits...)" when it did, else "". */
static void truncated(const struct dmp_sim_event *ev, char *buf, size_t n)
{
	buf[0] = 0;
	if (ev->addr != ev->bus)
		snprintf(buf, n, "; the device was given 0x%llx, beyond its %u-bit address width: "
			 "its port dropped the top bits", (unsigned long long)ev->addr,
			 dmp_sim_device_port_bits(ev->sdev));
}

/* The recently unmapped buffer of @sdev that [@p, +@n) meets (@iova: by
 * IOVA, else by physical address), or -1. */
static int unmapped_at(const struct dmp_sim_device *sdev, bool iova, dmp_addr_t p, size_t n)
{
	for (unsigned int i = 0; i < HISTORY; i++)
		if (history[i].sdev == sdev && history[i].iova == iova &&
		    p < history[i].phys + history[i].size && history[i].phys < p + n)
			return (int)i;
	return -1;
}

/* A device access to a buffer after its unmap (history entry @i). */
static void after_unmap(struct dmp_device *dev, const struct dmp_sim_event *ev, int i,
			enum dmp_debug_kind kind, const char *how)
{
	if (history[i].reported)
		return;
	history[i].reported = true;
	const char *what = ev->kind == DMP_EV_DEV_WRITE ? "write"
			   : ev->kind == DMP_EV_DEV_READ ? "read" : ev->text;
	dmp__dbg_report(&(struct dbg_finding){ .kind = kind,
					       .dev = dev,
					       .dma = history[i].dma,
					       .phys = history[i].iova ? 0 : history[i].phys,
					       .size = history[i].size,
					       .dir = history[i].dir,
					       .at = device_site(),
					       .mapped = { history[i].map_file, history[i].map_line },
					       .unmapped = { history[i].unmap_file,
							     history[i].unmap_line } },
			"device DMA %s at %s 0x%llx (%zu bytes) after the buffer was unmapped%s",
			what, history[i].iova ? "IOVA" : "phys",
			(unsigned long long)(history[i].iova ? ev->bus : ev->phys), ev->size, how);
}

static void rogue(struct dmp_device *dev, const struct dmp_sim_event *ev, dmp_phys_t p,
		  size_t n)
{
	const char *what = ev->kind == DMP_EV_DEV_WRITE ? "write" : "read";
	int i = unmapped_at(ev->sdev, false, p, n);
	if (i >= 0) {
		after_unmap(dev, ev, i, DMP_DEBUG_DMA_AFTER_UNMAP, "");
		return;
	}
	char trunc[128];
	truncated(ev, trunc, sizeof(trunc));
	dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_ROGUE_DMA,
					       .dev = dev,
					       .dev_name = dmp_sim_device_name(ev->sdev),
					       .dma = ev->bus,
					       .phys = p,
					       .size = n,
					       .dir = DMP_NONE,
					       .at = device_site() },
			"device DMA %s outside every active mapping of the device [phys=0x%llx%s]",
			what, (unsigned long long)p, trunc);
}

/*
 * Behind an IOMMU the IOMMU judges an access - but one it let through at
 * an IOVA no live mapping covers, that was unmapped a moment ago, went
 * through a translation its IOTLB still held: the lazy window.
 */
static void iova_check(struct dmp_device *dev, const struct dmp_sim_event *ev)
{
	for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next)
		if (e->dev == dev && ev->bus - e->dma < e->size)
			return; /* a live mapping: the IOVA was given out again */
	int i = unmapped_at(ev->sdev, true, ev->bus, ev->size);
	if (i >= 0)
		after_unmap(dev, ev, i, DMP_DEBUG_STALE_IOTLB,
			    ": the IOMMU still translated it from its IOTLB (deferred "
			    "invalidation: the flush queue had not flushed it)");
}

static void wc_check(struct dmp_device *dev, const struct dmp_sim_event *ev,
		     struct dmp_sim *sim)
{
	size_t L = dmp__cache_line();
	for (dmp_phys_t ls = DMP_ALIGN_DOWN(ev->phys, L); ls < ev->phys + ev->size; ls += L) {
		int st = dmp_sim_line_state(sim, ls);
		if (st < 0 || !(st & DMP_SIM_LINE_WB_PENDING))
			continue;
		struct dbg_entry *e = entry_at(ev->sdev, ls);
		dmp__dbg_report(
			&(struct dbg_finding){ .kind = DMP_DEBUG_WC_UNDRAINED,
					       .dev = dev,
					       .entry = e,
					       .dma = e ? e->dma : ev->bus,
					       .phys = ev->phys,
					       .size = ev->size,
					       .dir = DMP_NONE,
					       .at = device_site() },
			"device read %s memory the CPU wrote and no barrier has drained "
			"(a missing write barrier before handing it to the device)",
			dmp_sim_mem_attr(sim, ls) == DMP_MEM_WC ? "write-combining" : "uncached");
		return;
	}
}

/*
 * A device write to bytes of @e the CPU owns whole lines of: synced for the
 * CPU, not handed back (Linux: between dma_sync_*_for_cpu() and
 * dma_sync_*_for_device() the device must not touch the buffer).  Lines
 * the CPU owns only part of are left alone: a partial sync need not be
 * line-aligned, and the device may own the rest.
 */
static void cpu_owned_write(struct dbg_entry *e, const struct dmp_sim_event *ev)
{
	struct dbg_sim *s = e->sim;
	dmp_phys_t lo = DMP_MAX(ev->phys, s->dev_phys);
	dmp_phys_t hi = DMP_MIN(ev->phys + ev->size, s->dev_phys + e->size);
	size_t k0, k1;
	if (lo >= hi || !lines_meeting(s->cline0, s->clines, s->L, e->phys + (lo - s->dev_phys),
				       (size_t)(hi - lo), &k0, &k1))
		return;
	for (size_t k = k0; k < k1; k++)
		if ((s->cflags[k] & F_CPU_WHOLE) && dmp__dbg_once(e, DMP_DEBUG_DEV_WROTE_CPU_OWNED)) {
			dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
							       .kind = DMP_DEBUG_DEV_WROTE_CPU_OWNED,
							       .at = device_site(),
							       .cpu_owner = e->cpu_site },
					"device wrote a buffer the CPU owned [phys=0x%llx, %zu "
					"bytes]: it may overwrite what the CPU writes, or the CPU's "
					"next clean may overwrite it",
					(unsigned long long)ev->phys, ev->size);
			return;
		}
}

/* A device access: the cache checks on every entry it touches, then rogue DMA. */
static void device_access(struct dmp_device *dev, const struct dmp_sim_event *ev)
{
	struct dmp_sim *sim = dmp_sim_device_sim(ev->sdev);
	bool write = ev->kind == DMP_EV_DEV_WRITE;
	bool normal = dmp_sim_mem_attr(sim, ev->phys) == DMP_MEM_NORMAL;
	if (!write && !normal)
		wc_check(dev, ev, sim);
	dmp_phys_t p = ev->phys, end = ev->phys + ev->size;
	for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next) {
		struct dbg_sim *s = e->sim;
		if (!s || s->sdev != ev->sdev || !s->streaming)
			continue;
		size_t k0, k1;
		if (ev->image == DMP_SIM_CPU && write) {
			/* a coherent device wrote the CPU's view (directly or through
			 * an IOMMU): new reference hashes, it was not the CPU */
			if (lines_meeting(s->cline0, s->clines, s->L, p, ev->size, &k0, &k1))
				for (size_t k = k0; k < k1; k++)
					s->hash[k] = cpu_line_hash(e, k);
		}
		if (!s->seen || !lines_meeting(s->dline0, s->dlines, s->L, p, ev->size, &k0, &k1))
			continue;
		if (write)
			cpu_owned_write(e, ev);
		/* Linux can only tell at the unmap; here the first use tells */
		if (!e->err_checked && dmp__dbg_once(e, DMP_DEBUG_ERROR_UNCHECKED))
			dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
							       .kind = DMP_DEBUG_ERROR_UNCHECKED,
							       .at = { e->file, e->line } },
					"device driver failed to check map error [mapped as %s] "
					"before the device used the mapping",
					e->type == DMP_MAP_PAGE ? "page" : "single");
		if (!s->noncoherent || !normal)
			continue;
		if (!e->device_owns) {
			/*
			 * The CPU owns the buffer (synced for the CPU, not handed back
			 * with sync_for_device) and has written it since: a device read
			 * gets DRAM, without those writes unless an eviction happened
			 * to write them back.  The everyday missing-sync bug, judged
			 * by the driver's maintenance, not by the luck of the caches.
			 * (The device and CPU ranges are the same lines here.)
			 */
			size_t dirty = 0;
			for (size_t k = k0; !write && s->dev_phys == e->phys && k < k1; k++)
				dirty += (s->cflags[k] & F_CPU_REF) &&
					 cpu_line_hash(e, k) != s->hash[k];
			if (dirty && dmp__dbg_once(e, DMP_DEBUG_STALE_TO_DEVICE))
				dmp__dbg_report(
					&(struct dbg_finding){ DMP__DBG_ENTRY(e),
							       .kind = DMP_DEBUG_STALE_TO_DEVICE,
							       .at = device_site(),
							       .cpu_owner = e->cpu_site },
					"device read %zu line(s) the CPU wrote while it owned "
					"the buffer, never cleaned: synced for the CPU, never "
					"synced back for the device",
					dirty);
			continue;
		}
		size_t newer = 0, lost = 0;
		for (size_t k = k0; k < k1; k++) {
			dmp_phys_t lo, hi;
			line_part(s->dline0, s->L, k, s->dev_phys, e->size, &lo, &hi);
			lo = DMP_MAX(lo, p);
			hi = DMP_MIN(hi, end);
			if (lo >= hi)
				continue;
			newer += (s->dflags[k] & F_NEWER) != 0;
			if (write) {
				s->dflags[k] |= F_DEV_WROTE;
				/* the CPU wrote these very bytes since the line was
				 * filled: whichever reaches DRAM last wins */
				int st = dmp_sim_line_state(sim, lo);
				if (!(s->dflags[k] & F_NEWER) && st >= 0 &&
				    (st & DMP_SIM_LINE_CPU_DIRTY) &&
				    images_differ(sim, DMP_SIM_CPU, DMP_SIM_SNAP, lo,
						  (size_t)(hi - lo)))
					lost++;
			}
		}
		if (!write && newer && dmp__dbg_once(e, DMP_DEBUG_STALE_TO_DEVICE))
			dmp__dbg_report(
				&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_STALE_TO_DEVICE,
						       .at = device_site(),
						       .owner = { e->owner_file, e->owner_line } },
				"device read %zu line(s) the CPU had dirtied and never "
				"cleaned when it handed the buffer over (stale data to the "
				"device)",
				newer);
		if (write && newer + lost && dmp__dbg_once(e, DMP_DEBUG_LOST_UPDATE))
			dmp__dbg_report(
				&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_LOST_UPDATE,
						       .at = device_site(),
						       .owner = { e->owner_file, e->owner_line } },
				"device wrote %zu line(s) the CPU also holds dirty: one of "
				"the two writes will be lost",
				newer + lost);
	}
	/* rogue DMA: walk the access through the device's live ranges (the
	 * direct path only: behind an IOMMU the IOMMU is the judge, but for
	 * the window its IOTLB leaves open after an unmap) */
	if (dev->dma_ops) {
		iova_check(dev, ev);
		return;
	}
	while (p < end) {
		struct dbg_entry *e = entry_at(ev->sdev, p);
		if (!e)
			break;
		p = e->sim->dev_phys + e->sim->span;
	}
	if (p < end)
		rogue(dev, ev, p, (size_t)(end - p));
}

/* A cache operation or a hostile eviction/refill on [phys, +size). */
static void cache_event(const struct dmp_sim_event *ev)
{
	bool clean = ev->kind == DMP_EV_CLEAN || ev->kind == DMP_EV_FLUSH ||
		     ev->kind == DMP_EV_OUTER_CLEAN || ev->kind == DMP_EV_OUTER_FLUSH;
	bool inval = ev->kind == DMP_EV_INVAL || ev->kind == DMP_EV_FLUSH;
	bool c_changed = inval || ev->kind == DMP_EV_REFILL;
	for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next) {
		struct dbg_sim *s = e->sim;
		if (!s || !s->streaming)
			continue;
		size_t k0, k1;
		/* the CPU's view changed under the buffer: new reference hashes */
		if (c_changed && lines_meeting(s->cline0, s->clines, s->L, ev->phys, ev->size,
					       &k0, &k1))
			for (size_t k = k0; k < k1; k++)
				if (s->cflags[k] & F_OWNED)
					s->hash[k] = cpu_line_hash(e, k);
		if (c_changed && s->dev_phys == e->phys && s->dlines) {
			if (ev->phys < s->dline0 + s->L && ev->phys + ev->size > s->dline0)
				s->edge_hash[0] = edge_outside_hash(e, 0);
			dmp_phys_t last = s->dline0 + (s->dlines - 1) * s->L;
			if (ev->phys < last + s->L && ev->phys + ev->size > last)
				s->edge_hash[1] = edge_outside_hash(e, 1);
		}
		if (!s->noncoherent || (!clean && !inval) ||
		    !lines_meeting(s->dline0, s->dlines, s->L, ev->phys, ev->size, &k0, &k1))
			continue;
		for (size_t k = k0; k < k1; k++) {
			if (!(s->dflags[k] & (F_NEWER | F_DEV_WROTE)))
				continue;
			dmp_phys_t lo, hi;
			line_part(s->dline0, s->L, k, s->dev_phys, e->size, &lo, &hi);
			if (clean && (s->dflags[k] & F_NEWER) && !cpu_newer(s->sim, lo, hi))
				s->dflags[k] &= (uint8_t)~F_NEWER;
			if (inval && (s->dflags[k] & F_DEV_WROTE) &&
			    !images_differ(s->sim, DMP_SIM_CPU, DMP_SIM_DRAM, lo, (size_t)(hi - lo)))
				s->dflags[k] &= (uint8_t)~F_DEV_WROTE;
		}
	}
}

/*
 * A device access that failed: behind an IOMMU, at an IOVA unmapped a
 * moment ago, it is DMA after the unmap (strict invalidation closed the
 * window); else a fault, named as precisely as the address allows.  @dev
 * NULL: hardware no struct dmp_device has claimed yet.
 */
static void dma_fault(struct dmp_device *dev, const struct dmp_sim_event *ev)
{
	const char *name = dmp_sim_device_name(ev->sdev);
	bool iommu = dmp__sim_behind_iommu(ev->sdev);
	/* hardware that never used the DMA API, behind an IOMMU: its driver's
	 * own domain judged the access, and its fault handler heard of it */
	if (dev ? !dmp__dbg_device_checked(dev) : iommu || !dmp__dbg_name_checked(name))
		return;
	int i = iommu ? unmapped_at(ev->sdev, true, ev->bus, ev->size) : -1;
	if (i >= 0) {
		after_unmap(dev, ev, i, DMP_DEBUG_DMA_AFTER_UNMAP,
			    ": the IOMMU faulted it (its translation was invalidated at the "
			    "unmap)");
		return;
	}
	char trunc[128];
	truncated(ev, trunc, sizeof(trunc));
	dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_DMA_FAULT,
					       .dev = dev,
					       .dev_name = name,
					       .dma = ev->bus,
					       .size = ev->size,
					       .dir = DMP_NONE,
					       .at = device_site() },
			"device DMA %s faulted (error -%llu) at bus address 0x%llx: %s%s",
			ev->text, (unsigned long long)ev->value, (unsigned long long)ev->bus,
			ev->value == EFAULT ? "no memory there" : "the IOMMU refused the translation",
			trunc);
}

/*
 * An access by simulated hardware no struct dmp_device has claimed (it
 * has mapped nothing the checker saw): every device is the checker's from
 * its creation, so it is rogue DMA - unless an IOMMU judges its accesses.
 */
static void unclaimed_access(const struct dmp_sim_event *ev)
{
	if (!dmp__dbg_name_checked(dmp_sim_device_name(ev->sdev)) ||
	    dmp__sim_behind_iommu(ev->sdev))
		return;
	rogue(NULL, ev, ev->phys, ev->size);
}

static void observe(void *cookie, const struct dmp_sim_event *ev)
{
	(void)cookie;
	if (!atomic_load_explicit(&dmp__debug_active, memory_order_relaxed))
		return;
	switch (ev->kind) {
	case DMP_EV_DEV_READ:
	case DMP_EV_DEV_WRITE:
	case DMP_EV_DEV_FAULT: {
		if (!ev->sdev)
			return;
		/* looked up under the checker's lock: a device's removal forgets
		 * its link under it too (dmp__debug_device_remove), so the device
		 * found stays alive until the unlock; looked up before it, a
		 * device removed and freed in between would be reported on */
		dmp_spin_lock(&dmp__dbg_lock);
		struct dmp_device *dev = device_of(ev->sdev);
		if (ev->kind == DMP_EV_DEV_FAULT)
			dma_fault(dev, ev);
		else if (dev && dmp__dbg_device_checked(dev))
			device_access(dev, ev);
		else if (!dev)
			unclaimed_access(ev);
		dmp_spin_unlock(&dmp__dbg_lock);
		return;
	}
	case DMP_EV_CLEAN:
	case DMP_EV_INVAL:
	case DMP_EV_FLUSH:
	case DMP_EV_OUTER_CLEAN:
	case DMP_EV_OUTER_INVAL:
	case DMP_EV_OUTER_FLUSH:
	case DMP_EV_REFILL:
		dmp_spin_lock(&dmp__dbg_lock);
		cache_event(ev);
		dmp_spin_unlock(&dmp__dbg_lock);
		return;
	default:
		return;
	}
}

/* ---- the environment ------------------------------------------------------- */

static int env_mode(void)
{
	const char *v = getenv("DMP_DEBUG");
	enum dmp_debug_mode m;
	if (!v || !*v)
		return -1;
	return dmp_debug_parse_mode(v, &m) ? -2 : (int)m;
}

static int env_guard(void)
{
	const char *v = getenv("DMP_DEBUG_GUARD");
	if (!v || !*v)
		return -1;
	if (!strcmp(v, "0") || !strcmp(v, "off"))
		return 0;
	if (!strcmp(v, "1") || !strcmp(v, "on"))
		return 1;
	return -2;
}

static const char *env_devices(void)
{
	const char *v = getenv("DMP_DEBUG_DEVICES");
	return v && *v ? v : NULL;
}

static const struct dmp__dbg_platform_ops sim_checker_ops = {
	.attach = sim_attach,
	.release = sim_release,
	.detach = sim_detach,
	.to_cpu = sim_to_cpu,
	.to_device = sim_to_device,
	.owned = sim_owned,
	.guard = sim_guard,
	.guard_supported = sim_guard_supported,
	.check_point = sim_check_point,
	.watch = sim_watch,
	.forget_history = sim_forget_history,
	.forget_device = sim_forget_device,
	.env_mode = env_mode,
	.env_devices = env_devices,
	.env_guard = env_guard,
};

void dmp__sim_checker_link(struct dmp_device *dev)
{
	if (atomic_load(&dmp__debug_active))
		sim_watch(dev);
}

void dmp__sim_checker_register(void)
{
	dmp__debug_set_platform_ops(&sim_checker_ops);
	/* a machine made while the checker is on: watch its devices from now,
	 * before any of them maps anything */
	if (atomic_load(&dmp__debug_active))
		sim_watch(NULL);
}

/*
 * DMP_DEBUG_SUMMARY=1: at exit, one line of what the checker found in the
 * mode DMP_DEBUG gave it, if the program never set a mode itself (what make
 * test-guard reads).  On stderr, outside any log hook the program set.
 */
static void env_summary(void)
{
	char kinds[1024];
	size_t n = dmp__debug_env_summary(kinds, sizeof(kinds));
	fflush(stdout); /* the program's own output first, whole */
	fprintf(stderr, "dmaport: DMA-API: summary: %zu finding(s) in the DMP_DEBUG mode%s%s\n", n,
		n ? ": " : "", kinds);
}

/* DMP_DEBUG is read when the program starts, as the kernel reads dma_debug=. */
__attribute__((constructor)) static void debug_env_init(void)
{
	dmp__sim_checker_register();
	const char *sum = getenv("DMP_DEBUG_SUMMARY");
	if (sum && !strcmp(sum, "1"))
		atexit(env_summary);
	if (dmp_debug_init() == -EINVAL)
		dmp_log("dmaport: DMA-API: DMP_DEBUG=%s or DMP_DEBUG_GUARD=%s not understood "
			"(off, warn, fail, abort, on or 1 for warn; 0 or 1)",
			getenv("DMP_DEBUG") ? getenv("DMP_DEBUG") : "",
			getenv("DMP_DEBUG_GUARD") ? getenv("DMP_DEBUG_GUARD") : "");
}
