/* SPDX-License-Identifier: MIT */
/*
 * guard.h - guard mode: the pages of device-owned streaming buffers made
 * inaccessible to the CPU, so that a CPU access traps at the faulting
 * instruction.  Used by the simulator's half of the checker
 * (sim-checker.c).  Not installed.
 *
 * How it works (guard.c): the CPU's mapping of simulated memory (struct
 * sim_region.cpu) is protected page by page (mprotect PROT_NONE) while any
 * device-owned range lies on the page; the simulator and the checker reach
 * the same bytes through their own mapping (sim_region.c), which is never
 * protected.  A SIGSEGV on a protected page is either an access to a
 * device-owned range - a finding, reported through the callback given to
 * dmp__guard_init() - or to the rest of the page.  Either way the access
 * then goes through: the faulting thread stops every other thread of the
 * process (a real-time signal parks them in a handler, so none can reach
 * the page while it is open), opens the page, executes the one instruction
 * (x86-64: the trap flag in the signal context, then SIGTRAP), closes the
 * page and lets the others go.  On hosts where user space cannot step one
 * instruction (aarch64 Linux), the page is left open instead until the
 * next handover: the first access is still caught, later ones on that page
 * are not (guard-arch-aarch64.c).
 *
 * Locking: one lock, usable from the signal handlers, over the ranges and
 * the page states.  The add and remove calls take it; the caller may hold
 * the checker's lock (the order is checker lock, then guard lock; the
 * handlers never take the checker's lock while they hold this one).
 */
#ifndef DMP_SIM_GUARD_H
#define DMP_SIM_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How many frames of the faulting thread a hit carries. */
#define DMP_GUARD_FRAMES 24

/**
 * struct dmp__guard_hit - a CPU access to a device-owned range.
 * @addr:  the faulting address.
 * @write: a store (else a load).
 * @key:   the range's key (dmp__guard_add).
 * @start, @len: the device-owned range it hit.
 * @pcs, @npcs: the faulting instruction (pcs[0]) and its callers' return
 *         addresses, innermost first.
 */
struct dmp__guard_hit {
	uintptr_t addr;
	bool write;
	const void *key;
	uintptr_t start;
	size_t len;
	void *pcs[DMP_GUARD_FRAMES];
	int npcs;
};

/* Called on the faulting thread, after the access, with no lock held. */
typedef void (*dmp__guard_report_fn)(const struct dmp__guard_hit *hit);

/**
 * dmp__guard_init - install the handlers (SIGSEGV, SIGTRAP and
 * DMP_GUARD_PARK_SIGNAL), keeping the handlers found there to chain to.
 * Idempotent.  Returns 0, or -EOPNOTSUPP where guard mode cannot work
 * (another host architecture, a ThreadSanitizer build).
 * Context: normal (not a signal handler); may allocate.
 */
int dmp__guard_init(dmp__guard_report_fn report);

/* dmp__guard_supported - whether this build and host can guard at all. */
bool dmp__guard_supported(void);

/**
 * dmp__guard_add_arena / dmp__guard_remove_arena - [@va, +@len) is memory
 * whose pages guard mode may protect (a simulated region's CPU mapping);
 * @alias maps the same bytes and is never protected (the simulator's own
 * mapping), for the string instructions guard mode carries out itself.
 * A fault there on a page no range covers any more is a race with a
 * remove: the access is retried.
 */
void dmp__guard_add_arena(const void *va, size_t len, void *alias);
void dmp__guard_remove_arena(const void *va);

/**
 * dmp__guard_add - the device owns [@va, +@len) under @key: protect its
 * pages.  @cpu_may_read: loads are harmless there (the device only reads
 * the buffer, DMA_TO_DEVICE): its pages stay readable, only stores trap -
 * unless another range on the page forbids both.  Returns 0, -ENOMEM (no
 * memory for the bookkeeping, or the kernel refused to split the mapping
 * further: that range goes unguarded).
 */
int dmp__guard_add(const void *key, const void *va, size_t len, bool cpu_may_read);

/* dmp__guard_remove - the CPU gets [@va, +@len) of @key back. */
void dmp__guard_remove(const void *key, const void *va, size_t len);

/* dmp__guard_remove_key - every range of @key ends (unmap, entry freed). */
void dmp__guard_remove_key(const void *key);

/* dmp__guard_reset - every range ends (the checker off, the machine gone). */
void dmp__guard_reset(void);

/* dmp__guard_covered - bytes of [@va, +@len) under guard now (for tests). */
size_t dmp__guard_covered(const void *va, size_t len);

/**
 * struct dmp__guard_stats - counters since the program started.
 * @traps:    SIGSEGVs handled on protected pages;
 * @hits:     of which on device-owned ranges (reported);
 * @steps:    instructions single-stepped with a page open;
 * @stops:    times the other threads were stopped;
 * @stop_timeouts: times a thread did not stop within the time limit (the
 *            access went through without it: a window in which another
 *            thread's access to that page was not caught);
 * @strings:  string instructions (x86 rep movs/stos) carried out by the
 *            handler through the simulator's mapping instead of stepped.
 */
struct dmp__guard_stats {
	unsigned long traps, hits, steps, stops, stop_timeouts, strings;
};
void dmp__guard_get_stats(struct dmp__guard_stats *st);

/*
 * A string instruction (x86 rep movs / rep stos, what memcpy and memset use
 * for bulk copies), decoded so guard.c can carry it out itself through the
 * simulator's own mapping: one trap for the whole copy instead of one step
 * per element, and no page opened.
 * @dst, @src: where it writes and reads (src 0: a store of @value);
 * @len:       bytes (elements times @size); @size: element size.
 */
struct dmp__guard_string {
	uintptr_t dst, src;
	size_t len;
	unsigned int size;
	uint64_t value;
	unsigned int insn_len;
};

/*
 * The architecture's part (guard-arch-*.c, one chosen by the Makefile).
 * Each works on the ucontext_t of a SIGSEGV or SIGTRAP handler.
 * @string:      decode the faulting instruction as a forward string
 *               instruction guard.c may carry out (NULL or false: step it);
 * @string_done: move the context past it, as the CPU would have.
 */
struct dmp__guard_arch {
	const char *name;
	/* can user space execute one instruction and trap (trap flag)? */
	bool can_step;
	uintptr_t (*pc)(const void *uctx);
	/* did the fault come from a store?  (false: a load, or unknown) */
	bool (*is_write)(const void *uctx);
	/* did the fault come from an instruction fetch (never ours)? */
	bool (*is_fetch)(const void *uctx);
	void (*step_on)(void *uctx);
	void (*step_off)(void *uctx);
	bool (*string)(const void *uctx, struct dmp__guard_string *op);
	void (*string_done)(void *uctx, const struct dmp__guard_string *op);
};
/* NULL where guard mode cannot work. */
extern const struct dmp__guard_arch *const dmp__guard_arch;

/*
 * symbolize.c: "FILE:LINE" (and the function) of the first of @pcs that has
 * source-line information, with elfutils' libdwfl.  @pcs[0] is the
 * faulting instruction itself, the others return addresses.  Returns the
 * index of the frame used (-1: none had line information; @file NULL).
 * @file is interned: it stays valid for the life of the program.
 * Context: normal or the report stage of a handler (not async-signal-safe:
 * it allocates).
 */
int dmp__symbolize(void *const *pcs, int npcs, const char **file, int *line, char *func,
		   size_t func_len);
/*
 * dmp__symbolize_caller - as above, for the first frame outside dmaport
 * itself (the library, or its sources linked in): the line of a driver
 * (or a test) whose call made a device act - the doorbell's MMIO write, a
 * direct dmp_sim_dma_*() - for reports of what a device did.
 */
int dmp__symbolize_caller(void *const *pcs, int npcs, const char **file, int *line);
/* Read the process's modules now, outside any signal handler. */
void dmp__symbolize_init(void);

#endif /* DMP_SIM_GUARD_H */
