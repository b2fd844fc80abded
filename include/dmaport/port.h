/* SPDX-License-Identifier: MIT */
/*
 * dmaport/port.h - the port contract: what a target supplies to dmaport's
 * freestanding core.
 *
 * IMPLEMENTERS' HEADER, for whoever brings dmaport to a new target (a hosted
 * OS, an RTOS, bare metal).  Drivers include <dmaport/dmaport.h>.
 *
 * A port is:
 *   1. the functions of DMP_PORT_PRIMITIVES, declared below: CPUs, time,
 *      timers, the console and one allocator for CPU-only metadata.  They are
 *      chosen at build time, one set per target, in files the target's build
 *      picks (src/platform/host/ for hosted builds, ports/qemu-virt-aarch64/
 *      for bare metal);
 *   2. the C library functions of DMP_PORT_LIBC, from the target's libc or
 *      its own (the bare-metal port's libc.c);
 *   3. at run time, a struct dmp_platform_ops table - memory, cache
 *      maintenance, barriers, MMIO, memory types - given to
 *      dmp_platform_install() with the regions of memory dmaport may hand
 *      out (<dmaport/platform.h>).  It is a table, not link-time functions,
 *      because the simulator is re-configured by every test.
 * The core (src/core.mk: DMP_CORE_SRCS) calls nothing else of the target:
 * `make check` compares both lists with the undefined symbols of the core's
 * freestanding objects (scripts/check-port-symbols.sh), so a new call into
 * the target fails the check until it is declared here.  What dmaport gives a
 * port in return - the log, cache-sync helpers, page and heap allocation,
 * precondition asserts - is in <dmaport/platform.h> and <dmaport/log.h>.
 * docs/porting.md walks through a minimal port (examples/port-skeleton/).
 *
 * Conventions, for every primitive unless its comment says otherwise:
 *   - Context: callable from any thread or CPU dmaport runs on, with
 *     dmaport's spinlocks held and from interrupt context.  So a primitive
 *     never sleeps, never waits for another thread and never calls back into
 *     dmaport.
 *   - Errors: a primitive that can fail returns int, 0 or a negative errno
 *     (<dmaport/errno.h>), with its result in an out-parameter; a pointer
 *     result is NULL on failure.  errno is never read.
 *   - Names: dmp_ primitives are also for dmaport's callers (drivers, tests
 *     and tools read the clock and the CPU index); dmp__ ones are for the
 *     core alone.
 *   - Threads: a single-CPU target returns constants from the CPU
 *     primitives (ports/qemu-virt-aarch64/env.c); a target with threads
 *     makes every primitive thread-safe.
 */
#ifndef DMAPORT_PORT_H
#define DMAPORT_PORT_H

#include <stdatomic.h>

#include <dmaport/types.h>

DMP_BEGIN_DECLS

/*
 * DMP_PORT_PRIMITIVES(X) - X(name) for each function a port defines that the
 * core calls.  DMP_PORT_LIBC(X) - the same for the C library.  These two
 * lists are the contract's machine-readable form (the symbol check reads
 * them); every name is declared below or by the C library's headers.
 */
#define DMP_PORT_PRIMITIVES(X)                                                        \
	X(dmp_cpu_relax) X(dmp_cpu_id) X(dmp_nr_cpus) X(dmp__cpu_slot_assign)         \
	X(dmp__asym_barrier) X(dmp_time_coarse_ns) X(dmp_timer_create)                \
	X(dmp_timer_arm) X(dmp_timer_destroy) X(dmp_env_puts) X(dmp__meta_alloc)      \
	X(dmp__meta_free)

/*
 * The C library: <string.h>'s memcpy, memset, strlen, strncmp; <stdio.h>'s
 * snprintf and vsnprintf, which must handle the conversions d i u x p s c %
 * with the # flag, a field width and the l, ll and z length modifiers;
 * <stdlib.h>'s calloc, free (the checker's entries) and abort (the checker's
 * abort mode).  GCC may also emit calls to memmove and memcmp in
 * freestanding code (its manual says a freestanding environment provides
 * them): a port's libc has them too.
 */
#define DMP_PORT_LIBC(X)                                                              \
	X(memcpy) X(memset) X(strlen) X(strncmp) X(snprintf) X(vsnprintf) X(calloc)    \
	X(free) X(abort)

/*
 * DMP_TLS - how the core declares its few per-thread variables (the CPU slot
 * below, the call site of the API call in progress).  A single-CPU target
 * without thread-local storage set up defines it empty (-DDMP_TLS=), which
 * makes them plain globals.  initial-exec: one load off the thread pointer,
 * not a __tls_get_addr() call in position-independent code (dmaport is not
 * meant for dlopen() into a process short of static TLS space).
 */
#ifndef DMP_TLS
#if defined(__GNUC__) || defined(__clang__)
#define DMP_TLS _Thread_local __attribute__((tls_model("initial-exec")))
#else
#define DMP_TLS _Thread_local
#endif
#endif

/* ---- CPUs --------------------------------------------------------------- */

/** Upper bound of dmp_cpu_id(); per-CPU arrays have this many slots. */
#define DMP_MAX_CPUS 64

/**
 * dmp_cpu_relax - called in every spin-wait loop, @spins the number of
 * rounds so far: a CPU hint (x86 PAUSE, Arm YIELD), and on a host where the
 * lock holder may be descheduled, a yield after a while.
 */
DMP_API void dmp_cpu_relax(unsigned int spins);

/**
 * dmp_cpu_id - the current CPU's index, below DMP_MAX_CPUS.  On a host, the
 * index of the thread's CPU slot (below): threads beyond DMP_MAX_CPUS at
 * once share slots, so per-CPU structures still lock.
 */
DMP_API unsigned int dmp_cpu_id(void);

/** dmp_nr_cpus - how many CPUs run dmaport, 1 .. DMP_MAX_CPUS. */
DMP_API unsigned int dmp_nr_cpus(void);

/*
 * CPU slots with an owner (src/slot-lock.h is the core's half).  A thread
 * that owns its slot alone enters it with plain stores and loads; any other
 * thread entering that slot first makes every thread of the process execute
 * a full barrier (Linux's membarrier(2), private expedited), so the owner's
 * stores are seen.  A port that cannot make that barrier, or whose threads
 * share slots, leaves dmp__asym_on false: every entry then takes the slot's
 * spinlock.
 */
#define DMP_CPU_SLOT_SHARED 0x80000000u
/** dmp__cpu_self - the calling thread's slot, ~0u until assigned.  Defined
 * by the core (DMP_TLS); dmp__cpu_slot_assign() writes it. */
extern DMP_TLS unsigned int dmp__cpu_self;
/** dmp__asym_on - slots can have owners.  Defined by the core, false; a port
 * sets it before it hands out the first slot and never clears it. */
extern _Atomic bool dmp__asym_on;
/**
 * dmp__cpu_slot_assign - give the calling thread its CPU slot: an index
 * below DMP_MAX_CPUS, with DMP_CPU_SLOT_SHARED set unless the thread owns it
 * alone (only possible with dmp__asym_on).  Stores it in dmp__cpu_self and
 * returns it.  Called once per thread, at its first per-CPU access.
 */
unsigned int dmp__cpu_slot_assign(void);
/**
 * dmp__asym_barrier - return once every thread of the process has executed
 * a full memory barrier.  Only called if dmp__asym_on.  May make a system
 * call; called with a slot's spinlock held.
 */
void dmp__asym_barrier(void);

/* ---- Time ----------------------------------------------------------------- */

/**
 * dmp_time_coarse_ns - a cheap monotonic clock in nanoseconds, for timeouts
 * (Linux's jiffies): a resolution of a few milliseconds is enough.
 */
DMP_API uint64_t dmp_time_coarse_ns(void);
/**
 * dmp_time_ns - a monotonic clock in nanoseconds.  Not called by the core
 * (so not in DMP_PORT_PRIMITIVES), but every port provides it: drivers,
 * tests and tools time their work with it.
 */
DMP_API uint64_t dmp_time_ns(void);

/*
 * One-shot timers (Linux's timer_list, as far as dmaport needs one: the lazy
 * IOTLB flush).  The callback runs in a context of its own (a service thread
 * on a host), never under a caller's lock; it may take dmaport's locks.
 * Targets without timers (the single-threaded bare-metal port) return
 * -EOPNOTSUPP from dmp_timer_create(), and their users fall back to checking
 * deadlines when they next run.
 */
struct dmp_timer;
typedef void (*dmp_timer_fn)(void *cookie);
/**
 * dmp_timer_create - a disarmed timer that will call @fn(@cookie).
 * Returns 0, -ENOMEM, or -EOPNOTSUPP (no timers on this target).
 * Context: may allocate; not under a spinlock.
 */
DMP_API int dmp_timer_create(dmp_timer_fn fn, void *cookie, struct dmp_timer **out);
/**
 * dmp_timer_arm - run the callback once, @delay_ns from now (re-arming an
 * armed timer moves its deadline, as mod_timer).  Never waits for the
 * callback.
 */
DMP_API void dmp_timer_arm(struct dmp_timer *t, uint64_t delay_ns);
/**
 * dmp_timer_destroy - disarm @t, wait for a callback that is running
 * (del_timer_sync), free it.  Context: may block; not under a spinlock, and
 * never from @t's own callback.
 */
DMP_API void dmp_timer_destroy(struct dmp_timer *t);

/* ---- Console -------------------------------------------------------------- */

/**
 * dmp_env_puts - write the line @s (no newline in it) to the console.  The
 * log (dmp_log) ends here unless a hook is set; so must not call dmp_log().
 */
DMP_API void dmp_env_puts(const char *s);

/* ---- Metadata ------------------------------------------------------------- */

/** Alignment of dmp__meta_alloc() memory: a cache line on every target. */
#define DMP_META_ALIGN 64

/**
 * dmp__meta_alloc - @size bytes for the core's CPU-only bookkeeping (struct
 * dmp_device, the IOVA allocator's tree nodes, magazines and per-CPU slots),
 * aligned to DMP_META_ALIGN, uninitialised; NULL if there is no memory.  A
 * device never sees this memory, so it need not be DMA-able (dmp_kmalloc()
 * is for that).  Failure injection is the caller's, so that every port fails
 * the same way under test.
 */
void *dmp__meta_alloc(size_t size);
/** dmp__meta_free - give back @p (NULL: nothing), which dmp__meta_alloc(@size) returned. */
void dmp__meta_free(void *p, size_t size);

DMP_END_DECLS

#endif /* DMAPORT_PORT_H */
