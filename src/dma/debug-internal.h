/* SPDX-License-Identifier: MIT */
/*
 * debug-internal.h - shared by the checker's bookkeeping (debug.c, every
 * platform) and its simulator checks (debug-sim-host.c, hosted builds only:
 * freestanding ports do not build src/sim, so the calls below become empty
 * inline stubs there).  Not installed.
 */
#ifndef DMP_DMA_DEBUG_INTERNAL_H
#define DMP_DMA_DEBUG_INTERNAL_H

#include <dmaport/debug.h>

#include "debug-hooks.h"

struct dbg_sim;

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
	unsigned int reported;         /* kinds already reported for it (bits) */
	struct dbg_sim *sim;           /* simulator state, or NULL */
};

/* The one lock over the table, the device list and every dbg_sim. */
extern dmp_spinlock_t dmp__dbg_lock;
/* The list of live entries (head: a sentinel). */
extern struct dbg_entry dmp__dbg_all;

/*
 * A call site: where the driver did something (file and line of the call,
 * through the API's __FILE__/__LINE__ macros).  A NULL file: none.
 */
struct dmp__dbg_site {
	const char *file;
	int line;
};

/*
 * struct dbg_finding - what dmp__dbg_report() reports, given with
 * designated initialisers so each call names what it sets:
 *
 *	dmp__dbg_report(&(struct dbg_finding){
 *				DMP__DBG_ENTRY(e), .kind = DMP_DEBUG_SIZE_MISMATCH,
 *				.at = { file, line } },
 *			"device driver frees ... [map size=%zu]", e->size);
 *
 * @kind:  what it is.
 * @dev:   the device (NULL: none named).
 * @entry: the tracked mapping concerned, or NULL; its map site is printed
 *         ("mapped at") when it is not @at.
 * @dma, @phys, @size, @dir: the mapping or access concerned (DMP__DBG_ENTRY
 *         fills them, and @dev and @entry, from an entry).
 * @at:    the call that broke the rule; { NULL } for a device access.
 * @owner: for ownership findings, the map or sync_for_device that gave the
 *         device the buffer; else { NULL }.
 */
struct dbg_finding {
	enum dmp_debug_kind kind;
	const struct dmp_device *dev;
	const struct dbg_entry *entry;
	dmp_addr_t dma;
	dmp_phys_t phys;
	size_t size;
	enum dmp_data_direction dir;
	struct dmp__dbg_site at;
	struct dmp__dbg_site owner;
};

/* The fields of a finding about entry @e: its device, bus range and direction. */
#define DMP__DBG_ENTRY(e)                                                                     \
	.dev = (e)->dev, .entry = (e), .dma = (e)->dma, .phys = (e)->phys, .size = (e)->size,  \
	.dir = (e)->dir

/* dmp__dbg_report - count, log, keep and (abort mode) abort for finding @f;
 * @fmt says what was wrong.  Called with dmp__dbg_lock held. */
void dmp__dbg_report(const struct dbg_finding *f, const char *fmt, ...) DMP__PRINTF(2, 3);
/* dmp__dbg_report_once - as above, for entry @e, once per kind per entry. */
#define dmp__dbg_once(e, kind) (!((e)->reported & (1u << (kind))) && ((e)->reported |= 1u << (kind)))

#if __STDC_HOSTED__
/*
 * debug-sim-host.c.  All are called with dmp__dbg_lock held, for entries of
 * devices with dev->sim.
 */
/* An entry was created (the device owns it from now on, streaming types). */
void dmp__dbg_sim_attach(struct dbg_entry *e);
/* An entry goes away: @file/@line is the unmap; attrs of the unmap. */
void dmp__dbg_sim_release(struct dbg_entry *e, unsigned long attrs, const char *file, int line);
/* Ownership of [@dma, +@size) of @e moves (sync hooks, before the sync). */
void dmp__dbg_sim_to_cpu(struct dbg_entry *e, dmp_addr_t dma, size_t size, const char *file,
			 int line);
void dmp__dbg_sim_to_device(struct dbg_entry *e, dmp_addr_t dma, size_t size, const char *file,
			    int line);
/* The CPU reads [@ptr, +@size) now (dmp_debug_check_point). */
size_t dmp__dbg_sim_check_point(struct dmp_device *dev, const void *ptr, size_t size,
				const char *file, int line);
/* The device list changed / the checker turned on: be an observer of the sim
 * of @dev (NULL: the active one).  Not under the lock. */
void dmp__dbg_sim_watch(struct dmp_device *dev);
void dmp__dbg_sim_forget_history(void);
/* @dev goes away: forget it (under dmp__dbg_lock). */
void dmp__dbg_sim_forget_device(struct dmp_device *dev);
/* DMP_DEBUG from the environment: a mode, -1 unset, -2 not understood. */
int dmp__dbg_env_mode(void);
/* DMP_DEBUG_DEVICES from the environment (comma-separated names), or NULL. */
const char *dmp__dbg_env_devices(void);
#else
static inline void dmp__dbg_sim_attach(struct dbg_entry *e) { (void)e; }
static inline void dmp__dbg_sim_release(struct dbg_entry *e, unsigned long attrs,
					const char *file, int line)
{
	(void)e, (void)attrs, (void)file, (void)line;
}
static inline void dmp__dbg_sim_to_cpu(struct dbg_entry *e, dmp_addr_t dma, size_t size,
				       const char *file, int line)
{
	(void)e, (void)dma, (void)size, (void)file, (void)line;
}
static inline void dmp__dbg_sim_to_device(struct dbg_entry *e, dmp_addr_t dma, size_t size,
					  const char *file, int line)
{
	(void)e, (void)dma, (void)size, (void)file, (void)line;
}
static inline size_t dmp__dbg_sim_check_point(struct dmp_device *dev, const void *ptr,
					      size_t size, const char *file, int line)
{
	(void)dev, (void)ptr, (void)size, (void)file, (void)line;
	return 0;
}
static inline void dmp__dbg_sim_watch(struct dmp_device *dev) { (void)dev; }
static inline void dmp__dbg_sim_forget_history(void) {}
static inline void dmp__dbg_sim_forget_device(struct dmp_device *dev) { (void)dev; }
static inline int dmp__dbg_env_mode(void) { return -1; }
static inline const char *dmp__dbg_env_devices(void) { return NULL; }
#endif

#endif /* DMP_DMA_DEBUG_INTERNAL_H */
