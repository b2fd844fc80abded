/* SPDX-License-Identifier: MIT */
/* <linux/spinlock_types.h> for dmaport's Linux-compat layer: see <linux/spinlock.h>. */
#ifndef DMP_COMPAT_LINUX_SPINLOCK_TYPES_H
#define DMP_COMPAT_LINUX_SPINLOCK_TYPES_H

#include <linux/types.h>

/* What the runtime keeps for every lock: who holds it, from where. */
struct dmp_lx_lock {
	int locked; /* spinlocks: 1; rwlocks: -1 writer, n readers */
	const char *file;
	int line;
};

typedef struct spinlock {
	struct dmp_lx_lock dmp;
} spinlock_t;

typedef struct raw_spinlock {
	struct dmp_lx_lock dmp;
} raw_spinlock_t;

typedef struct {
	struct dmp_lx_lock dmp;
} rwlock_t;

#define __SPIN_LOCK_UNLOCKED(name) { { 0, 0, 0 } }
#define __RAW_SPIN_LOCK_UNLOCKED(name) { { 0, 0, 0 } }
#define __RW_LOCK_UNLOCKED(name) { { 0, 0, 0 } }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RAW_SPINLOCK(x) raw_spinlock_t x = __RAW_SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RWLOCK(x) rwlock_t x = __RW_LOCK_UNLOCKED(x)

#endif /* DMP_COMPAT_LINUX_SPINLOCK_TYPES_H */
