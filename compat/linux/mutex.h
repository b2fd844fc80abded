/* SPDX-License-Identifier: MIT */
/*
 * <linux/mutex.h> for dmaport's Linux-compat layer.
 *
 * A sleeping lock: a task that finds it held waits (other tasks run) until
 * its holder unlocks it, first come first served.  Taking a mutex the task
 * already holds, unlocking one it does not, or taking one in atomic context
 * is reported and aborts (Linux: a deadlock, or a DEBUG_MUTEXES splat);
 * waiting for one whose holder can never run again is a deadlock the
 * scheduler reports (<linux/sched.h>).  The _interruptible and _killable
 * forms always get the lock (there are no signals) and return 0.
 */
#ifndef DMP_COMPAT_LINUX_MUTEX_H
#define DMP_COMPAT_LINUX_MUTEX_H

#include <linux/list.h>
#include <linux/spinlock_types.h>
#include <linux/lockdep.h>

struct task_struct;

struct mutex {
	struct task_struct *owner;
	struct list_head wait_list; /* next == NULL: not initialized yet (static zero) */
	const char *file;
	int line;
};

#define __MUTEX_INITIALIZER(name) { 0, { &(name).wait_list, &(name).wait_list }, 0, 0 }
#define DEFINE_MUTEX(name) struct mutex name = __MUTEX_INITIALIZER(name)

void dmp_lx_mutex_init(struct mutex *m);
void dmp_lx_mutex_lock(struct mutex *m, const char *file, int line);
int dmp_lx_mutex_trylock(struct mutex *m, const char *file, int line);
void dmp_lx_mutex_unlock(struct mutex *m, const char *file, int line);

#define mutex_init(m) dmp_lx_mutex_init(m)
#define __mutex_init(m, name, key) dmp_lx_mutex_init(m)
#define mutex_destroy(m) do { (void)(m); } while (0)
#define mutex_lock(m) dmp_lx_mutex_lock((m), __FILE__, __LINE__)
#define mutex_lock_nested(m, sub) mutex_lock(m)
#define mutex_lock_io(m) mutex_lock(m)
#define mutex_lock_interruptible(m) (mutex_lock(m), 0)
#define mutex_lock_killable(m) (mutex_lock(m), 0)
#define mutex_trylock(m) dmp_lx_mutex_trylock((m), __FILE__, __LINE__)
#define mutex_unlock(m) dmp_lx_mutex_unlock((m), __FILE__, __LINE__)
#define mutex_is_locked(m) ((m)->owner != NULL)
#define devm_mutex_init(dev, m) (mutex_init(m), 0)

#include <linux/cleanup.h>
DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))

#endif /* DMP_COMPAT_LINUX_MUTEX_H */
