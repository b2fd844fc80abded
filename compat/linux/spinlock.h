/* SPDX-License-Identifier: MIT */
/*
 * <linux/spinlock.h> for dmaport's Linux-compat layer.
 *
 * One simulated CPU runs one task at a time and a task never sleeps holding
 * a spinlock (that is reported), so a spinlock is never contended by another
 * task: the only way to find one held is to take it again from an interrupt
 * handler or timer that interrupted its holder - a deadlock Linux would spin
 * in forever.  The runtime reports it ("BUG: spinlock recursion", naming
 * both call sites) and aborts.  A held spinlock makes the context atomic
 * (in_atomic()); the _irqsave/_irq forms mask the CPU's interrupts, the _bh
 * forms hold off timers.  Unlocking a lock that is not held is reported.
 */
#ifndef DMP_COMPAT_LINUX_SPINLOCK_H
#define DMP_COMPAT_LINUX_SPINLOCK_H

#include <linux/spinlock_types.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/bug.h>

void dmp_lx_lock_acquire(struct dmp_lx_lock *l, int how, const char *file, int line);
void dmp_lx_lock_release(struct dmp_lx_lock *l, int how, const char *file, int line);
int dmp_lx_lock_try(struct dmp_lx_lock *l, int how, const char *file, int line);
/* how: */
#define DMP_LX_LOCK_SPIN 0
#define DMP_LX_LOCK_READ 1
#define DMP_LX_LOCK_WRITE 2

static inline void dmp__lx_lock_init(struct dmp_lx_lock *l)
{
	l->locked = 0;
	l->file = 0;
	l->line = 0;
}

#define spin_lock_init(lock) dmp__lx_lock_init(&(lock)->dmp)
#define raw_spin_lock_init(lock) dmp__lx_lock_init(&(lock)->dmp)
#define rwlock_init(lock) dmp__lx_lock_init(&(lock)->dmp)

#define dmp__lx_acq(lock, how) dmp_lx_lock_acquire(&(lock)->dmp, how, __FILE__, __LINE__)
#define dmp__lx_rel(lock, how) dmp_lx_lock_release(&(lock)->dmp, how, __FILE__, __LINE__)

#define spin_lock(lock) dmp__lx_acq(lock, DMP_LX_LOCK_SPIN)
#define spin_unlock(lock) dmp__lx_rel(lock, DMP_LX_LOCK_SPIN)
#define spin_trylock(lock) dmp_lx_lock_try(&(lock)->dmp, DMP_LX_LOCK_SPIN, __FILE__, __LINE__)
#define spin_lock_nested(lock, subclass) spin_lock(lock)
#define spin_is_locked(lock) ((lock)->dmp.locked != 0)
#define assert_spin_locked(lock) WARN_ON(!spin_is_locked(lock))
#define spin_lock_irq(lock) do { local_irq_disable(); spin_lock(lock); } while (0)
#define spin_unlock_irq(lock) do { spin_unlock(lock); local_irq_enable(); } while (0)
#define spin_lock_irqsave(lock, flags) do { local_irq_save(flags); spin_lock(lock); } while (0)
#define spin_lock_irqsave_nested(lock, flags, sub) spin_lock_irqsave(lock, flags)
#define spin_unlock_irqrestore(lock, flags)                                             \
	do {                                                                            \
		spin_unlock(lock);                                                      \
		local_irq_restore(flags);                                               \
	} while (0)
#define spin_trylock_irqsave(lock, flags)                                               \
	__extension__({                                                                 \
		local_irq_save(flags);                                                  \
		spin_trylock(lock) ? 1 : ({ local_irq_restore(flags); 0; });            \
	})
#define spin_lock_bh(lock) do { local_bh_disable(); spin_lock(lock); } while (0)
#define spin_unlock_bh(lock) do { spin_unlock(lock); local_bh_enable(); } while (0)

#define raw_spin_lock(lock) spin_lock(lock)
#define raw_spin_unlock(lock) spin_unlock(lock)
#define raw_spin_trylock(lock) spin_trylock(lock)
#define raw_spin_lock_irq(lock) spin_lock_irq(lock)
#define raw_spin_unlock_irq(lock) spin_unlock_irq(lock)
#define raw_spin_lock_irqsave(lock, flags) spin_lock_irqsave(lock, flags)
#define raw_spin_unlock_irqrestore(lock, flags) spin_unlock_irqrestore(lock, flags)

#define read_lock(lock) dmp__lx_acq(lock, DMP_LX_LOCK_READ)
#define read_unlock(lock) dmp__lx_rel(lock, DMP_LX_LOCK_READ)
#define write_lock(lock) dmp__lx_acq(lock, DMP_LX_LOCK_WRITE)
#define write_unlock(lock) dmp__lx_rel(lock, DMP_LX_LOCK_WRITE)
#define read_lock_irqsave(lock, flags) do { local_irq_save(flags); read_lock(lock); } while (0)
#define read_unlock_irqrestore(lock, flags) do { read_unlock(lock); local_irq_restore(flags); } while (0)
#define write_lock_irqsave(lock, flags) do { local_irq_save(flags); write_lock(lock); } while (0)
#define write_unlock_irqrestore(lock, flags) do { write_unlock(lock); local_irq_restore(flags); } while (0)
#define read_lock_bh(lock) do { local_bh_disable(); read_lock(lock); } while (0)
#define read_unlock_bh(lock) do { read_unlock(lock); local_bh_enable(); } while (0)
#define write_lock_bh(lock) do { local_bh_disable(); write_lock(lock); } while (0)
#define write_unlock_bh(lock) do { write_unlock(lock); local_bh_enable(); } while (0)
#define read_lock_irq(lock) do { local_irq_disable(); read_lock(lock); } while (0)
#define read_unlock_irq(lock) do { read_unlock(lock); local_irq_enable(); } while (0)
#define write_lock_irq(lock) do { local_irq_disable(); write_lock(lock); } while (0)
#define write_unlock_irq(lock) do { write_unlock(lock); local_irq_enable(); } while (0)

#include <linux/cleanup.h>
DEFINE_LOCK_GUARD_1(spinlock, spinlock_t, spin_lock(_T->lock), spin_unlock(_T->lock))
DEFINE_LOCK_GUARD_1(spinlock_irq, spinlock_t, spin_lock_irq(_T->lock), spin_unlock_irq(_T->lock))
DEFINE_LOCK_GUARD_1(spinlock_irqsave, spinlock_t, spin_lock_irqsave(_T->lock, _T->flags),
		    spin_unlock_irqrestore(_T->lock, _T->flags), unsigned long flags)
DEFINE_LOCK_GUARD_1(spinlock_bh, spinlock_t, spin_lock_bh(_T->lock), spin_unlock_bh(_T->lock))
DEFINE_LOCK_GUARD_1(raw_spinlock, raw_spinlock_t, raw_spin_lock(_T->lock), raw_spin_unlock(_T->lock))
DEFINE_LOCK_GUARD_1(raw_spinlock_irqsave, raw_spinlock_t,
		    raw_spin_lock_irqsave(_T->lock, _T->flags),
		    raw_spin_unlock_irqrestore(_T->lock, _T->flags), unsigned long flags)

/* lockdep is not modelled: its annotations compile to nothing. */
struct lock_class_key {
	char dummy;
};
#define lockdep_set_class(lock, key) do { (void)(key); } while (0)
#define lockdep_assert_held(l) do { (void)(l); } while (0)
#define lockdep_assert_irqs_disabled() WARN_ON_ONCE(!irqs_disabled())
#define lockdep_assert_irqs_enabled() WARN_ON_ONCE(irqs_disabled())
#define might_lock(lock) do { } while (0)

#endif /* DMP_COMPAT_LINUX_SPINLOCK_H */
