/* SPDX-License-Identifier: MIT */
/*
 * dmaport/spinlock.h - the spinlock dmaport's structures embed (the IOVA
 * domain, the pools).  Callers' header: a caller that embeds such a
 * structure needs the type; taking the locks is dmaport's business.  The
 * spin-wait hint, dmp_cpu_relax(), is the port's (<dmaport/port.h>).
 */
#ifndef DMAPORT_SPINLOCK_H
#define DMAPORT_SPINLOCK_H

#include <stdatomic.h>
#include <stdbool.h>

#include <dmaport/port.h>
#include <dmaport/types.h>

DMP_BEGIN_DECLS

/**
 * A spinlock for short critical sections that never block.  A waiter reads
 * the lock until it looks free and only then tries to take it (test and
 * test-and-set), so that waiting keeps the line shared instead of bouncing
 * it between the waiters and the holder on every try.
 */
typedef struct {
	atomic_bool locked;
} dmp_spinlock_t;
#define DMP_SPINLOCK_INIT { false }

static inline void dmp_spin_init(dmp_spinlock_t *l)
{
	atomic_store_explicit(&l->locked, false, memory_order_relaxed);
}

/* The wait of a contended dmp_spin_lock(), out of line: its spin count and
 * its calls would otherwise cost every caller registers and a stack frame
 * on the uncontended path too. */
static __attribute__((__noinline__, __cold__, __unused__)) void dmp__spin_lock_wait(dmp_spinlock_t *l)
{
	unsigned int spins = 0;
	do {
		while (atomic_load_explicit(&l->locked, memory_order_relaxed))
			dmp_cpu_relax(++spins);
	} while (atomic_exchange_explicit(&l->locked, true, memory_order_acquire));
}

static inline void dmp_spin_lock(dmp_spinlock_t *l)
{
	if (__builtin_expect(atomic_exchange_explicit(&l->locked, true, memory_order_acquire), 0))
		dmp__spin_lock_wait(l);
}

static inline bool dmp_spin_trylock(dmp_spinlock_t *l)
{
	return !atomic_load_explicit(&l->locked, memory_order_relaxed) &&
	       !atomic_exchange_explicit(&l->locked, true, memory_order_acquire);
}

static inline void dmp_spin_unlock(dmp_spinlock_t *l)
{
	atomic_store_explicit(&l->locked, false, memory_order_release);
}

DMP_END_DECLS

#endif /* DMAPORT_SPINLOCK_H */
