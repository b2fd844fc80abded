/* SPDX-License-Identifier: MIT */
/*
 * debug-internal.h - shared by the checker's bookkeeping (debug.c, every
 * platform) and the half a platform adds to it through struct
 * dmp__dbg_platform_ops (the simulator's: src/sim/sim-checker.c).  Not
 * installed: for the checker and the platforms that extend it.
 */
#ifndef DMP_DMA_DEBUG_INTERNAL_H
#define DMP_DMA_DEBUG_INTERNAL_H

#include <dmaport/debug.h>

#include "debug-hooks.h"

/*
 * A call site: where the driver did something (file and line of the call,
 * through the API's __FILE__/__LINE__ macros).  A NULL file: none.
 */
struct dmp__dbg_site {
	const char *file;
	int line;
};

struct dbg_sim;

/* A piece of the CPU side of an entry: [cpu, +len) at physical @phys. */
struct dbg_chunk {
	const void *cpu;
	dmp_phys_t phys;
	size_t len;
};

/*
 * One tracked mapping or allocation (Linux's struct dma_debug_entry).
 * Written at creation, then read-only but for @err_checked, @owner_* and
 * @sim, which change under dbg_lock.
 */
struct dbg_entry {
	struct dbg_entry *hnext;       /* hash chain, by (dev, dma) */
	struct dbg_entry *prev, *next; /* every live entry */
	struct dmp_device *dev;
	enum dmp_map_type type;
	dmp_addr_t dma;
	dmp_phys_t phys;               /* CPU side; 0 with !cpu (resource) */
	const void *cpu;
	size_t size;
	enum dmp_data_direction dir;
	unsigned long attrs;
	int sg_call_ents, sg_mapped_ents;
	const char *file;
	int line;
	bool err_checked;
	bool device_owns;
	const char *owner_file;        /* the map / sync_for_device that gave it */
	int owner_line;
	struct dmp__dbg_site cpu_site; /* the last sync_for_cpu, if any */
	uint64_t reported;             /* kinds already reported for it (bits) */
	/* A DMA segment that map_sg merged from several entries behind an
	 * IOMMU is contiguous in IOVA, not in physical memory: then
	 * !cpu_contiguous, @cpu and @phys are its first entry's, and @chunks
	 * lists every piece of its CPU side, in order (owned by the entry). */
	bool cpu_contiguous;
	unsigned int nchunks;
	struct dbg_chunk *chunks;
	struct dbg_sim *sim;           /* simulator state, or NULL */
};

/*
 * dmp__dbg_pieces - the CPU side of @e as pieces: its chunks, or the one
 * range [cpu, +size) (filled into @one).  Returns how many; *@out points
 * at them.
 */
static inline unsigned int dmp__dbg_pieces(const struct dbg_entry *e, struct dbg_chunk *one,
					   const struct dbg_chunk **out)
{
	if (e->nchunks) {
		*out = e->chunks;
		return e->nchunks;
	}
	*one = (struct dbg_chunk){ e->cpu, e->phys, e->size };
	*out = one;
	return 1;
}

/* The one lock over the table, the device list and every dbg_sim. */
extern dmp_spinlock_t dmp__dbg_lock;
/* The list of live entries (head: a sentinel). */
extern struct dbg_entry dmp__dbg_all;

/*
 * struct dbg_finding - what dmp__dbg_report() reports, given with
 * designated initialisers so each call names what it sets:
 *
 *	dmp__dbg_report(&(struct dbg_finding){
 *				DMP__DBG_ENTRY(e), .kind = DMP_DEBUG_SIZE_MISMATCH,
 *				.at = { file, line } },
 *			"device driver frees ... [map size=%zu]", e->size);
 *
 * @kind:     what it is.
 * @dev:      the device (NULL: none named); @dev_name names a device the
 *            checker knows only as hardware (a simulated device no
 *            struct dmp_device has claimed), when @dev is NULL.
 * @entry:    the tracked mapping concerned, or NULL; its map (or alloc)
 *            site is printed, labelled, when it is not @at.
 * @dma, @phys, @size, @dir: the mapping or access concerned (DMP__DBG_ENTRY
 *            fills them, and @dev and @entry, from an entry).  @size 0: no
 *            range is printed; @dir is printed only when it is a valid
 *            direction (set DMP_NONE where there is none: 0 is
 *            DMP_BIDIRECTIONAL).
 * @at:       the call or instruction that broke the rule; { NULL } for a
 *            device access.
 * @owner:    for ownership findings, the map or sync_for_device that gave
 *            the device the buffer; else { NULL }.
 * @unmapped: for findings after an unmap, where it was unmapped.
 * @cpu_owner: for a device access to a buffer the CPU owns, the
 *            sync_for_cpu that gave it the buffer.
 * @mapped:   where it was mapped, for a finding without @entry (the buffer
 *            is gone).
 * @fix:      what to do instead, for this very misuse, in Linux's names
 *            (turned into dmaport's for a native driver); NULL: the
 *            kind's own.
 */
struct dbg_finding {
	enum dmp_debug_kind kind;
	const struct dmp_device *dev;
	const char *dev_name;
	const struct dbg_entry *entry;
	dmp_addr_t dma;
	dmp_phys_t phys;
	size_t size;
	enum dmp_data_direction dir;
	struct dmp__dbg_site at;
	struct dmp__dbg_site owner;
	struct dmp__dbg_site unmapped;
	struct dmp__dbg_site cpu_owner;
	struct dmp__dbg_site mapped;
	const char *fix;
};

/* The fields of a finding about entry @e: its device, bus range and direction
 * (none for a coherent allocation: it has no direction). */
#define DMP__DBG_ENTRY(e)                                                                     \
	.dev = (e)->dev, .entry = (e), .dma = (e)->dma, .phys = (e)->phys, .size = (e)->size,  \
	.dir = (e)->type == DMP_MAP_COHERENT ? DMP_NONE : (e)->dir

/*
 * dmp__dbg_name_checked - is a device of that name checked (the mode, the
 * default and DMP_DEBUG_DEVICES; for hardware no struct dmp_device has
 * claimed).  Under dmp__dbg_lock.
 */
bool dmp__dbg_name_checked(const char *name);
/* dmp__dbg_device_checked - is @dev checked?  Under dmp__dbg_lock. */
bool dmp__dbg_device_checked(const struct dmp_device *dev);

/*
 * dmp__debug_env_summary - "kind n, kind n" of the findings made in the
 * mode DMP_DEBUG set, before the program set one itself, into @buf;
 * returns their number.  For the hosted platform's exit summary.
 */
size_t dmp__debug_env_summary(char *buf, size_t n);

/* dmp__dbg_report - count, log, keep and (abort mode) abort for finding @f;
 * @fmt says what was wrong, in Linux dma-debug's words where Linux has the
 * kind.  Called with dmp__dbg_lock held. */
void dmp__dbg_report(const struct dbg_finding *f, const char *fmt, ...) DMP_PRINTF(2, 3);
/* dmp__dbg_report_once - as above, for entry @e, once per kind per entry. */
#define dmp__dbg_once(e, kind)                                                                \
	(!((e)->reported & (1ull << (kind))) && ((e)->reported |= 1ull << (kind)))

/*
 * struct dmp__dbg_platform_ops - what a platform that can watch the hardware
 * adds to the checker (the simulator: src/sim/sim-checker.c).  Registered
 * with dmp__debug_set_platform_ops() by the platform when it starts; a
 * platform that registers none (bare metal) has the bookkeeping checks
 * only.  Every member is mandatory.  Unless said otherwise they are called
 * with dmp__dbg_lock held, for entries of devices with dev->hw.
 *
 * @attach:         an entry was created (streaming types: the device owns it,
 *                  but for DMP_MAP_PAGE allocations, which the CPU fills
 *                  first); called after the map, for every entry but
 *                  map_resource ones, whether or not the device has dev->sim.
 * @release:        an entry goes away at an unmap; @at is the unmap, @attrs
 *                  its attributes.  (Its memory is then freed: @detach.)
 * @detach:         an entry's memory is about to be freed (after @release,
 *                  or when the checker drops it): free e->sim, forget it.
 * @to_cpu, @to_device: ownership of [@dma, +@size) of @e moves (sync hooks,
 *                  before the sync).
 * @owned:          [@dma, +@size) of @e has been handed to the device and the
 *                  sync that did it has run (so a bounce copy has read the
 *                  buffer): guard mode protects it now.
 * @guard:          guard mode on or off (dmp_debug_set_guard, the mode);
 *                  returns 0 or -EOPNOTSUPP.  Not under the lock.
 * @guard_supported: whether @guard(true) can succeed here.
 * @check_point:    the CPU reads [@ptr, +@size) now (dmp_debug_check_point);
 *                  returns the number of stale lines found.
 * @watch:          the checker turned on, or met device @dev (NULL: none):
 *                  observe the hardware.  Not under the lock.
 * @forget_history: the checker turned off: drop what it remembers.  Not
 *                  under the lock.
 * @forget_device:  @dev goes away.
 * @env_mode, @env_devices, @env_guard: DMP_DEBUG (a mode, -1 unset, -2 not
 *                  understood), DMP_DEBUG_DEVICES (comma-separated names, or
 *                  NULL) and DMP_DEBUG_GUARD (1, 0, -1 unset, -2 not
 *                  understood), for dmp_debug_init().  Not under the lock.
 */
struct dmp__dbg_platform_ops {
	void (*attach)(struct dbg_entry *e);
	void (*release)(struct dbg_entry *e, unsigned long attrs, struct dmp__dbg_site at);
	void (*detach)(struct dbg_entry *e);
	void (*to_cpu)(struct dbg_entry *e, dmp_addr_t dma, size_t size, struct dmp__dbg_site at);
	void (*to_device)(struct dbg_entry *e, dmp_addr_t dma, size_t size,
			  struct dmp__dbg_site at);
	void (*owned)(struct dbg_entry *e, dmp_addr_t dma, size_t size);
	int (*guard)(bool on);
	bool (*guard_supported)(void);
	size_t (*check_point)(struct dmp_device *dev, const void *ptr, size_t size,
			      struct dmp__dbg_site at);
	void (*watch)(struct dmp_device *dev);
	void (*forget_history)(void);
	void (*forget_device)(struct dmp_device *dev);
	int (*env_mode)(void);
	const char *(*env_devices)(void);
	int (*env_guard)(void);
};

/* The registered ops, or NULL (dmp__debug_set_platform_ops). */
extern const struct dmp__dbg_platform_ops *_Atomic dmp__dbg_platform;

/*
 * dmp__debug_set_platform_ops - the platform's checker half (NULL: none).
 * Registered once when the platform starts; the ops stay valid for the
 * life of the program.  Context: any, not under dmp__dbg_lock.
 */
void dmp__debug_set_platform_ops(const struct dmp__dbg_platform_ops *ops);

static inline const struct dmp__dbg_platform_ops *dmp__dbg_plat(void)
{
	return atomic_load_explicit(&dmp__dbg_platform, memory_order_acquire);
}

#endif /* DMP_DMA_DEBUG_INTERNAL_H */
