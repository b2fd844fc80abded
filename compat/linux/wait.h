/* SPDX-License-Identifier: MIT */
/*
 * <linux/wait.h> for dmaport's Linux-compat layer: wait queues and the
 * wait_event family, with Linux's return values:
 *   wait_event                      -
 *   wait_event_timeout              0 if @condition is still false when the
 *                                   timeout passed, else the jiffies left
 *                                   (at least 1)
 *   wait_event_interruptible(...)   0 (there are no signals: -ERESTARTSYS
 *                                   never happens)
 *   wait_event_interruptible_timeout, _killable_timeout: as _timeout
 * A waiting task sleeps until a wake_up on the queue (or its timeout), then
 * re-evaluates @condition: a condition that becomes true without a wake_up
 * is seen only at the timeout, as in Linux.  The scheduler (see
 * <linux/sched.h>) runs other tasks and moves the simulated clock meanwhile,
 * and reports a wait nothing can end.
 */
#ifndef DMP_COMPAT_LINUX_WAIT_H
#define DMP_COMPAT_LINUX_WAIT_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/sched.h>

struct wait_queue_entry;
typedef int (*wait_queue_func_t)(struct wait_queue_entry *wq_entry, unsigned int mode, int flags,
				 void *key);

#define WQ_FLAG_EXCLUSIVE 0x01
#define WQ_FLAG_WOKEN 0x02

struct wait_queue_entry {
	unsigned int flags;
	void *private;
	wait_queue_func_t func;
	struct list_head entry;
};

struct wait_queue_head {
	spinlock_t lock;
	struct list_head head;
};
typedef struct wait_queue_head wait_queue_head_t;
typedef struct wait_queue_entry wait_queue_entry_t;

#define __WAIT_QUEUE_HEAD_INITIALIZER(name)                                             \
	{ .lock = __SPIN_LOCK_UNLOCKED(name.lock), .head = { &(name).head, &(name).head } }
#define DECLARE_WAIT_QUEUE_HEAD(name) struct wait_queue_head name = __WAIT_QUEUE_HEAD_INITIALIZER(name)
#define DECLARE_WAIT_QUEUE_HEAD_ONSTACK(name) DECLARE_WAIT_QUEUE_HEAD(name)

void dmp_lx_init_waitqueue_head(struct wait_queue_head *wq);
#define init_waitqueue_head(wq) dmp_lx_init_waitqueue_head(wq)
#define __init_waitqueue_head(wq, name, key) dmp_lx_init_waitqueue_head(wq)

int default_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode, int flags, void *key);
int autoremove_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode, int flags,
			     void *key);
int woken_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode, int flags, void *key);

#define __WAITQUEUE_INITIALIZER(name, tsk)                                              \
	{ .private = (tsk), .func = default_wake_function, .entry = { NULL, NULL } }
#define DECLARE_WAITQUEUE(name, tsk) struct wait_queue_entry name = __WAITQUEUE_INITIALIZER(name, tsk)
#define DEFINE_WAIT_FUNC(name, function)                                                \
	struct wait_queue_entry name = { .private = current, .func = function,          \
					 .entry = LIST_HEAD_INIT((name).entry) }
#define DEFINE_WAIT(name) DEFINE_WAIT_FUNC(name, autoremove_wake_function)

static inline void init_waitqueue_entry(struct wait_queue_entry *e, struct task_struct *p)
{
	e->flags = 0;
	e->private = p;
	e->func = default_wake_function;
}
static inline void init_waitqueue_func_entry(struct wait_queue_entry *e, wait_queue_func_t func)
{
	e->flags = 0;
	e->private = NULL;
	e->func = func;
}
void init_wait_entry(struct wait_queue_entry *e, int flags);
#define init_wait(wait) init_wait_entry(wait, 0)

static inline int waitqueue_active(struct wait_queue_head *wq)
{
	return !list_empty(&wq->head);
}
#define wq_has_sleeper(wq) waitqueue_active(wq)

void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
void add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e);
void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, int state);
bool prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e, int state);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e);
long wait_woken(struct wait_queue_entry *e, unsigned int mode, long timeout);

/* Records @what (the condition) and the call site for the deadlock report. */
void dmp_lx_prepare_to_wait_event(struct wait_queue_head *wq, struct wait_queue_entry *e,
				  int state, const char *what, const char *file, int line);

void __wake_up(struct wait_queue_head *wq, unsigned int mode, int nr, void *key);
#define wake_up(x) __wake_up(x, TASK_NORMAL, 1, NULL)
#define wake_up_nr(x, nr) __wake_up(x, TASK_NORMAL, nr, NULL)
#define wake_up_all(x) __wake_up(x, TASK_NORMAL, 0, NULL)
#define wake_up_locked(x) __wake_up(x, TASK_NORMAL, 1, NULL)
#define wake_up_all_locked(x) __wake_up(x, TASK_NORMAL, 0, NULL)
#define wake_up_interruptible(x) __wake_up(x, TASK_INTERRUPTIBLE, 1, NULL)
#define wake_up_interruptible_nr(x, nr) __wake_up(x, TASK_INTERRUPTIBLE, nr, NULL)
#define wake_up_interruptible_all(x) __wake_up(x, TASK_INTERRUPTIBLE, 0, NULL)
#define wake_up_interruptible_sync(x) __wake_up(x, TASK_INTERRUPTIBLE, 1, NULL)
#define wake_up_poll(x, m) __wake_up(x, TASK_NORMAL, 1, (void *)(uintptr_t)(m))
#define wake_up_interruptible_poll(x, m) __wake_up(x, TASK_INTERRUPTIBLE, 1, (void *)(uintptr_t)(m))

/*
 * The wait loop behind every wait_event form: @cmd1 before and @cmd2 after
 * sleeping (the _lock_irq and _cmd forms), a timeout in jiffies
 * (MAX_SCHEDULE_TIMEOUT: none).  Evaluates to the jiffies left, at least 1
 * if @condition holds, 0 if it timed out.
 */
#define dmp__lx_wait_event(wq_head, condition, state, exclusive, timeout, cmd1, cmd2)   \
	__extension__({                                                                 \
		long dmp__ret = (timeout);                                              \
		struct wait_queue_entry dmp__wqe;                                       \
		init_wait_entry(&dmp__wqe, (exclusive) ? WQ_FLAG_EXCLUSIVE : 0);        \
		for (;;) {                                                              \
			dmp_lx_prepare_to_wait_event(&(wq_head), &dmp__wqe, state,      \
						     #condition, __FILE__, __LINE__);   \
			if (condition) {                                                \
				if (!dmp__ret)                                          \
					dmp__ret = 1;                                   \
				break;                                                  \
			}                                                               \
			if (!dmp__ret)                                                  \
				break;                                                  \
			cmd1;                                                           \
			dmp__ret = dmp_lx_schedule_timeout(dmp__ret, __FILE__, __LINE__); \
			cmd2;                                                           \
		}                                                                       \
		finish_wait(&(wq_head), &dmp__wqe);                                     \
		dmp__ret;                                                               \
	})

void dmp_lx_might_sleep(const char *file, int line);
#define might_sleep() dmp_lx_might_sleep(__FILE__, __LINE__)
#define might_sleep_if(cond) do { if (cond) might_sleep(); } while (0)

#define dmp__lx_wait_quick(condition, timeout)                                          \
	__extension__({                                                                 \
		might_sleep();                                                          \
		(condition) ? ((timeout) ? (long)(timeout) : 1L) : -1L;                 \
	})

#define dmp__lx_wait_event_to(wq, condition, state, excl, timeout)                      \
	__extension__({                                                                 \
		long dmp__q = dmp__lx_wait_quick(condition, timeout);                   \
		dmp__q >= 0 ? dmp__q                                                    \
			    : dmp__lx_wait_event(wq, condition, state, excl, timeout, (void)0, \
						 (void)0);                              \
	})

#define wait_event(wq, condition)                                                       \
	((void)dmp__lx_wait_event_to(wq, condition, TASK_UNINTERRUPTIBLE, 0, MAX_SCHEDULE_TIMEOUT))
#define wait_event_timeout(wq, condition, timeout)                                      \
	dmp__lx_wait_event_to(wq, condition, TASK_UNINTERRUPTIBLE, 0, (long)(timeout))
#define wait_event_interruptible(wq, condition)                                         \
	((int)(dmp__lx_wait_event_to(wq, condition, TASK_INTERRUPTIBLE, 0, MAX_SCHEDULE_TIMEOUT), 0))
#define wait_event_interruptible_timeout(wq, condition, timeout)                        \
	dmp__lx_wait_event_to(wq, condition, TASK_INTERRUPTIBLE, 0, (long)(timeout))
#define wait_event_interruptible_exclusive(wq, condition)                               \
	((int)(dmp__lx_wait_event_to(wq, condition, TASK_INTERRUPTIBLE, 1, MAX_SCHEDULE_TIMEOUT), 0))
#define wait_event_killable(wq, condition)                                              \
	((int)(dmp__lx_wait_event_to(wq, condition, TASK_KILLABLE, 0, MAX_SCHEDULE_TIMEOUT), 0))
#define wait_event_killable_timeout(wq, condition, timeout)                             \
	dmp__lx_wait_event_to(wq, condition, TASK_KILLABLE, 0, (long)(timeout))
#define wait_event_freezable(wq, condition) wait_event_interruptible(wq, condition)
#define wait_event_freezable_timeout(wq, condition, timeout)                            \
	wait_event_interruptible_timeout(wq, condition, timeout)
#define wait_event_idle(wq, condition)                                                  \
	((void)dmp__lx_wait_event_to(wq, condition, TASK_IDLE, 0, MAX_SCHEDULE_TIMEOUT))
#define wait_event_idle_timeout(wq, condition, timeout)                                 \
	dmp__lx_wait_event_to(wq, condition, TASK_IDLE, 0, (long)(timeout))
#define wait_event_idle_exclusive(wq, condition)                                        \
	((void)dmp__lx_wait_event_to(wq, condition, TASK_IDLE, 1, MAX_SCHEDULE_TIMEOUT))
#define wait_event_cmd(wq, condition, cmd1, cmd2)                                       \
	do {                                                                            \
		if (!(condition))                                                       \
			(void)dmp__lx_wait_event(wq, condition, TASK_UNINTERRUPTIBLE, 0, \
						 MAX_SCHEDULE_TIMEOUT, cmd1, cmd2);     \
	} while (0)
#define wait_event_lock_irq(wq, condition, lock)                                        \
	do {                                                                            \
		if (!(condition))                                                       \
			(void)dmp__lx_wait_event(wq, condition, TASK_UNINTERRUPTIBLE, 0, \
						 MAX_SCHEDULE_TIMEOUT, spin_unlock_irq(&(lock)), \
						 spin_lock_irq(&(lock)));               \
	} while (0)
#define wait_event_lock_irq_timeout(wq, condition, lock, timeout)                       \
	__extension__({                                                                 \
		long dmp__r = (long)(timeout);                                          \
		if (!(condition))                                                       \
			dmp__r = dmp__lx_wait_event(wq, condition, TASK_UNINTERRUPTIBLE, \
						    0, dmp__r, spin_unlock_irq(&(lock)), \
						    spin_lock_irq(&(lock)));            \
		dmp__r;                                                                 \
	})
#define wait_event_interruptible_lock_irq(wq, condition, lock)                          \
	(wait_event_lock_irq(wq, condition, lock), 0)
#define wait_event_interruptible_lock_irq_timeout(wq, condition, lock, timeout)         \
	wait_event_lock_irq_timeout(wq, condition, lock, timeout)

#endif /* DMP_COMPAT_LINUX_WAIT_H */
