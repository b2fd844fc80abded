/* SPDX-License-Identifier: MIT */
/*
 * slot-lock.h - per-CPU slots that their owner enters without an atomic
 * read-modify-write.  Internal.
 *
 * A per-CPU cache in the kernel is protected by disabling preemption (and
 * interrupts): the CPU that owns the data is the only one that runs on it.
 * On a host a thread stands for the CPU and cannot stop the others, so the
 * usual replacement is a spinlock per slot, uncontended but still a locked
 * instruction on every entry and a good part of a cached IOVA allocation
 * (measured: 27 ns per alloc+free pair with two of them, 9 ns without).
 *
 * Here the thread that owns a slot (<dmaport/platform.h>: dmp_cpu_slot()
 * without DMP_CPU_SLOT_SHARED) enters it by storing 1 to `busy` and reading
 * `remote`: no fence on its side.  Anyone else - a thread sharing the slot,
 * or a flush or a check visiting every slot - takes the slot's spinlock,
 * stores 1 to `remote`, then dmp__asym_barrier() makes every thread execute
 * a full barrier, and it waits for `busy` to drop to 0.  The barrier is what
 * orders the owner's store before its load (the asymmetric Dekker of
 * liburcu's and Folly's membarrier-based fences): after it, either the owner
 * is seen busy, and is waited for, or it will see `remote` and take the
 * spinlock instead.  Non-owners are rare (a flush on an allocation failure,
 * stats and checks, threads beyond DMP_MAX_CPUS): they pay a system call.
 *
 * Not async-signal-safe: a signal handler that enters a slot its thread is
 * inside breaks the exclusion (a spinlock would deadlock instead).  Across
 * fork(), as with any lock, a slot another thread was inside at the fork
 * stays busy in the child, where a non-owner entering it waits forever.
 *
 * Where the platform has no such barrier (dmp__asym_on false: bare metal,
 * ThreadSanitizer builds, a kernel without membarrier, or DMP_SLOT_OWNERS=0
 * in the environment), no thread owns a slot and every entry is the
 * spinlock, as before.
 */
#ifndef DMP_SLOT_LOCK_H
#define DMP_SLOT_LOCK_H

#include <dmaport/platform.h>

#include "internal.h"

/** dmp_cpu_slot - the calling thread's slot, as dmp__cpu_slot_assign(). */
static inline unsigned int dmp_cpu_slot(void)
{
	unsigned int s = dmp__cpu_self;
	if (dmp__unlikely(s == ~0u))
		s = dmp__cpu_slot_assign();
	return s;
}

static inline unsigned int dmp_cpu_slot_index(unsigned int slot)
{
	return slot & ~DMP_CPU_SLOT_SHARED;
}

struct dmp_slot_lock {
	_Atomic unsigned int busy;   /* the owner is inside (only the owner writes) */
	_Atomic unsigned int remote; /* a non-owner holds the slot */
	dmp_spinlock_t lock;         /* among non-owners, and the owner's detour */
};

enum dmp_slot_mode {
	DMP_SLOT_OWNER,  /* entered by the owner: busy set */
	DMP_SLOT_LOCKED, /* the owner's detour: the spinlock only */
	DMP_SLOT_REMOTE, /* a non-owner: the spinlock and remote */
};

static inline void dmp_slot_init(struct dmp_slot_lock *s)
{
	atomic_init(&s->busy, 0);
	atomic_init(&s->remote, 0);
	dmp_spin_init(&s->lock);
}

/*
 * Non-owner entry in three steps, so that visiting many slots costs one
 * barrier: begin each, one sync, wait for each.
 */
static inline void dmp_slot_remote_begin(struct dmp_slot_lock *s)
{
	dmp_spin_lock(&s->lock);
	atomic_store(&s->remote, 1);
}

static inline void dmp_slot_remote_sync(void)
{
	/* this thread's slot first: its assignment ordered it after the
	 * platform's set-up of dmp__asym_on (pthread_once on the host) */
	(void)dmp_cpu_slot();
	if (atomic_load_explicit(&dmp__asym_on, memory_order_relaxed))
		dmp__asym_barrier();
}

static inline void dmp_slot_remote_wait(struct dmp_slot_lock *s)
{
	unsigned int spins = 0;
	while (atomic_load_explicit(&s->busy, memory_order_acquire))
		dmp_cpu_relax(++spins);
}

static inline void dmp_slot_remote_end(struct dmp_slot_lock *s)
{
	atomic_store_explicit(&s->remote, 0, memory_order_release);
	dmp_spin_unlock(&s->lock);
}

/** Enter the slot @s as the thread whose dmp_cpu_slot() is @self. */
static inline enum dmp_slot_mode dmp_slot_lock(struct dmp_slot_lock *s, unsigned int self)
{
	if (dmp__likely(!(self & DMP_CPU_SLOT_SHARED))) {
		atomic_store_explicit(&s->busy, 1, memory_order_relaxed);
		/* the compiler keeps the order; dmp__asym_barrier() the CPU's */
		atomic_signal_fence(memory_order_seq_cst);
		if (dmp__likely(!atomic_load_explicit(&s->remote, memory_order_acquire)))
			return DMP_SLOT_OWNER;
		/* a non-owner is in or coming: wait for it behind the lock */
		atomic_store_explicit(&s->busy, 0, memory_order_release);
		dmp_spin_lock(&s->lock);
		return DMP_SLOT_LOCKED;
	}
	dmp_slot_remote_begin(s);
	dmp_slot_remote_sync();
	dmp_slot_remote_wait(s);
	return DMP_SLOT_REMOTE;
}

/**
 * dmp_slot_try_owner - enter @s as its owner, or return false at once (the
 * thread shares its slot, or a non-owner is in or coming): for a fast path
 * that is a leaf (no call, nothing to save), whose caller falls back to a
 * slow path taking dmp_slot_lock().  Leave with dmp_slot_owner_exit().
 */
static inline bool dmp_slot_try_owner(struct dmp_slot_lock *s, unsigned int self)
{
	if (self & DMP_CPU_SLOT_SHARED)
		return false;
	atomic_store_explicit(&s->busy, 1, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst); /* as in dmp_slot_lock() */
	if (dmp__likely(!atomic_load_explicit(&s->remote, memory_order_acquire)))
		return true;
	atomic_store_explicit(&s->busy, 0, memory_order_release);
	return false;
}

static inline void dmp_slot_owner_exit(struct dmp_slot_lock *s)
{
	atomic_store_explicit(&s->busy, 0, memory_order_release);
}

static inline void dmp_slot_unlock(struct dmp_slot_lock *s, enum dmp_slot_mode mode)
{
	if (dmp__likely(mode == DMP_SLOT_OWNER))
		atomic_store_explicit(&s->busy, 0, memory_order_release);
	else if (mode == DMP_SLOT_LOCKED)
		dmp_spin_unlock(&s->lock);
	else
		dmp_slot_remote_end(s);
}

#endif /* DMP_SLOT_LOCK_H */
