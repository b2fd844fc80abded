/* SPDX-License-Identifier: MIT */
/*
 * <linux/kthread.h> for dmaport's Linux-compat layer.
 *
 * A kthread is a task (see <linux/sched.h>): a host thread that runs only
 * when the scheduler hands it the CPU.  kthread_create leaves it asleep
 * until wake_up_process; kthread_run wakes it.  kthread_stop sets
 * kthread_should_stop, wakes it, and waits for its function to return,
 * returning what it returned (-EINTR if it never ran).  kthread_should_stop
 * is a preemption point (10 us of simulated time; other tasks run when the
 * running one has had its 1 ms slice), so a
 * thread that loops until told to stop lets the rest of the machine run.
 */
#ifndef DMP_COMPAT_LINUX_KTHREAD_H
#define DMP_COMPAT_LINUX_KTHREAD_H

#include <linux/sched.h>
#include <linux/err.h>

struct completion;

struct task_struct *dmp_lx_kthread_create(int (*fn)(void *data), void *data, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define kthread_create(fn, data, fmt, ...) dmp_lx_kthread_create(fn, data, fmt, ##__VA_ARGS__)
#define kthread_create_on_node(fn, data, node, fmt, ...)                                \
	dmp_lx_kthread_create(fn, data, fmt, ##__VA_ARGS__)
#define kthread_create_on_cpu(fn, data, cpu, namefmt) dmp_lx_kthread_create(fn, data, namefmt, cpu)
#define kthread_run(fn, data, fmt, ...)                                                 \
	__extension__({                                                                 \
		struct task_struct *dmp__k = kthread_create(fn, data, fmt, ##__VA_ARGS__); \
		if (!IS_ERR(dmp__k))                                                    \
			wake_up_process(dmp__k);                                        \
		dmp__k;                                                                 \
	})
int kthread_stop(struct task_struct *k);
int kthread_stop_put(struct task_struct *k);
bool kthread_should_stop(void);
bool kthread_should_park(void);
int kthread_park(struct task_struct *k);
void kthread_unpark(struct task_struct *k);
void kthread_parkme(void);
void __attribute__((noreturn)) kthread_complete_and_exit(struct completion *c, long code);
void __attribute__((noreturn)) kthread_exit(long result);
#define kthread_bind(k, cpu) do { (void)(k); (void)(cpu); } while (0)
#define kthread_bind_mask(k, mask) do { (void)(k); (void)(mask); } while (0)
#define set_user_nice(p, nice) do { (void)(p); (void)(nice); } while (0)
#define sched_set_fifo(p) do { (void)(p); } while (0)
#define sched_set_fifo_low(p) do { (void)(p); } while (0)
#define sched_set_normal(p, nice) do { (void)(p); } while (0)

#endif /* DMP_COMPAT_LINUX_KTHREAD_H */
