/* SPDX-License-Identifier: MIT */
/*
 * <linux/workqueue.h> for dmaport's Linux-compat layer: a basic workqueue.
 *
 * Each workqueue has one worker task (<linux/sched.h>) that runs its work
 * items in the order they were queued; a work item may sleep.  Ordered and
 * unbound queues, max_active and the flags are accepted; every queue is
 * ordered (one item at a time).  system_wq and friends share one worker.
 * Delayed work is a timer (<linux/timer.h>) that queues the item.
 * queue_work returns false if the item was already pending; flush_work and
 * cancel_work_sync wait for a running item; cancel_delayed_work_sync
 * deletes the timer too.
 */
#ifndef DMP_COMPAT_LINUX_WORKQUEUE_H
#define DMP_COMPAT_LINUX_WORKQUEUE_H

#include <linux/list.h>
#include <linux/timer.h>
#include <linux/atomic.h>

struct work_struct;
struct workqueue_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	atomic_long_t data; /* bit 0: pending */
	struct list_head entry;
	work_func_t func;
	struct workqueue_struct *dmp_wq; /* the queue it is on or running from */
};

struct delayed_work {
	struct work_struct work;
	struct timer_list timer;
	struct workqueue_struct *wq;
	int cpu;
};

struct rcu_work {
	struct work_struct work;
	struct workqueue_struct *wq;
};

#define WORK_STRUCT_PENDING 1UL

#define __WORK_INITIALIZER(n, f)                                                        \
	{ .data = ATOMIC_LONG_INIT(0), .entry = { &(n).entry, &(n).entry }, .func = (f) }
#define DECLARE_WORK(n, f) struct work_struct n = __WORK_INITIALIZER(n, f)
void dmp_lx_init_delayed_work(struct delayed_work *dw, work_func_t fn);
#define DECLARE_DELAYED_WORK(n, f)                                                      \
	struct delayed_work n = { .work = __WORK_INITIALIZER((n).work, (f)) }

static inline void dmp__lx_init_work(struct work_struct *w, work_func_t fn)
{
	atomic_long_set(&w->data, 0);
	INIT_LIST_HEAD(&w->entry);
	w->func = fn;
	w->dmp_wq = NULL;
}
#define INIT_WORK(w, fn) dmp__lx_init_work((w), (fn))
#define INIT_WORK_ONSTACK(w, fn) INIT_WORK(w, fn)
#define INIT_DELAYED_WORK(dw, fn) dmp_lx_init_delayed_work((dw), (fn))
#define INIT_DEFERRABLE_WORK(dw, fn) INIT_DELAYED_WORK(dw, fn)
#define INIT_DELAYED_WORK_ONSTACK(dw, fn) INIT_DELAYED_WORK(dw, fn)
#define destroy_work_on_stack(w) do { (void)(w); } while (0)
#define destroy_delayed_work_on_stack(w) do { (void)(w); } while (0)
#define work_pending(w) ((atomic_long_read(&(w)->data) & WORK_STRUCT_PENDING) != 0)
#define delayed_work_pending(dw) work_pending(&(dw)->work)
static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

enum {
	WQ_UNBOUND = 1 << 1,
	WQ_FREEZABLE = 1 << 2,
	WQ_MEM_RECLAIM = 1 << 3,
	WQ_HIGHPRI = 1 << 4,
	WQ_CPU_INTENSIVE = 1 << 5,
	WQ_SYSFS = 1 << 6,
	WQ_POWER_EFFICIENT = 1 << 7,
	WQ_BH = 1 << 0,
	__WQ_ORDERED = 1 << 17,
	WQ_MAX_ACTIVE = 512,
	WQ_DFL_ACTIVE = WQ_MAX_ACTIVE / 2,
};

struct workqueue_struct *dmp_lx_alloc_workqueue(unsigned int flags, int max_active,
						const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define alloc_workqueue(fmt, flags, max_active, ...)                                    \
	dmp_lx_alloc_workqueue((flags), (max_active), fmt, ##__VA_ARGS__)
#define alloc_ordered_workqueue(fmt, flags, ...)                                        \
	dmp_lx_alloc_workqueue((flags) | __WQ_ORDERED, 1, fmt, ##__VA_ARGS__)
#define create_workqueue(name) alloc_workqueue("%s", WQ_MEM_RECLAIM, 1, (name))
#define create_singlethread_workqueue(name) alloc_ordered_workqueue("%s", WQ_MEM_RECLAIM, name)
#define create_freezable_workqueue(name) alloc_workqueue("%s", WQ_FREEZABLE, 1, (name))
void destroy_workqueue(struct workqueue_struct *wq);

extern struct workqueue_struct *system_wq;
extern struct workqueue_struct *system_highpri_wq;
extern struct workqueue_struct *system_long_wq;
extern struct workqueue_struct *system_unbound_wq;
extern struct workqueue_struct *system_freezable_wq;
extern struct workqueue_struct *system_power_efficient_wq;
extern struct workqueue_struct *system_bh_wq;
#define system_percpu_wq system_wq
#define system_dfl_wq system_unbound_wq

bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
#define queue_work_on(cpu, wq, work) queue_work(wq, work)
#define queue_work_node(node, wq, work) queue_work(wq, work)
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, unsigned long delay);
#define queue_delayed_work_on(cpu, wq, dw, delay) queue_delayed_work(wq, dw, delay)
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, unsigned long delay);
#define mod_delayed_work_on(cpu, wq, dw, delay) mod_delayed_work(wq, dw, delay)
#define schedule_work(work) queue_work(system_wq, work)
#define schedule_work_on(cpu, work) queue_work(system_wq, work)
#define schedule_delayed_work(dw, delay) queue_delayed_work(system_wq, dw, delay)
#define schedule_delayed_work_on(cpu, dw, delay) queue_delayed_work(system_wq, dw, delay)
bool flush_work(struct work_struct *work);
bool flush_delayed_work(struct delayed_work *dw);
void flush_workqueue(struct workqueue_struct *wq);
#define drain_workqueue(wq) flush_workqueue(wq)
#define flush_scheduled_work() flush_workqueue(system_wq)
bool cancel_work(struct work_struct *work);
bool cancel_work_sync(struct work_struct *work);
bool cancel_delayed_work(struct delayed_work *dw);
bool cancel_delayed_work_sync(struct delayed_work *dw);
#define disable_work_sync(w) cancel_work_sync(w)
#define disable_delayed_work_sync(w) cancel_delayed_work_sync(w)
struct work_struct *current_work(void);

#endif /* DMP_COMPAT_LINUX_WORKQUEUE_H */
