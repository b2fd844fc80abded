/* SPDX-License-Identifier: MIT */
/*
 * <linux/completion.h> for dmaport's Linux-compat layer.
 *
 * As Linux's: complete() lets one waiter through (or the next caller of
 * wait_for_completion, if none waits yet), complete_all() every one from
 * then on until reinit_completion().  Return values:
 *   wait_for_completion_timeout     0 on timeout, else the jiffies left (>= 1)
 *   wait_for_completion_interruptible, _killable   0 (no signals)
 *   wait_for_completion_interruptible_timeout, _killable_timeout  as _timeout
 *   try_wait_for_completion         whether a completion was consumed
 *   completion_done                 whether one is available
 * A wait nothing can complete (no runnable task, no device event, no timer
 * left) is reported as a deadlock naming its call site (<linux/sched.h>).
 */
#ifndef DMP_COMPAT_LINUX_COMPLETION_H
#define DMP_COMPAT_LINUX_COMPLETION_H

#include <linux/wait.h>

struct completion {
	unsigned int done;
	struct wait_queue_head wait;
};

#define UINT_MAX_COMPLETIONS (~0U)
#define COMPLETION_INITIALIZER(work) { 0, __WAIT_QUEUE_HEAD_INITIALIZER((work).wait) }
#define COMPLETION_INITIALIZER_ONSTACK(work) COMPLETION_INITIALIZER(work)
#define DECLARE_COMPLETION(work) struct completion work = COMPLETION_INITIALIZER(work)
#define DECLARE_COMPLETION_ONSTACK(work) DECLARE_COMPLETION(work)

static inline void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
}
static inline void reinit_completion(struct completion *x)
{
	x->done = 0;
}

void complete(struct completion *x);
void complete_all(struct completion *x);
#define complete_on_current_cpu(x) complete(x)
bool try_wait_for_completion(struct completion *x);
bool completion_done(struct completion *x);
long dmp_lx_wait_for_completion(struct completion *x, long timeout, int state, const char *file,
				int line);

#define wait_for_completion(x)                                                          \
	((void)dmp_lx_wait_for_completion((x), MAX_SCHEDULE_TIMEOUT, TASK_UNINTERRUPTIBLE, \
					  __FILE__, __LINE__))
#define wait_for_completion_io(x) wait_for_completion(x)
#define wait_for_completion_state(x, state)                                             \
	((int)(dmp_lx_wait_for_completion((x), MAX_SCHEDULE_TIMEOUT, (state), __FILE__, __LINE__), 0))
#define wait_for_completion_timeout(x, timeout)                                         \
	((unsigned long)dmp_lx_wait_for_completion((x), (long)(timeout), TASK_UNINTERRUPTIBLE, \
						   __FILE__, __LINE__))
#define wait_for_completion_io_timeout(x, timeout) wait_for_completion_timeout(x, timeout)
#define wait_for_completion_interruptible(x)                                            \
	((int)(dmp_lx_wait_for_completion((x), MAX_SCHEDULE_TIMEOUT, TASK_INTERRUPTIBLE,  \
					  __FILE__, __LINE__), 0))
#define wait_for_completion_interruptible_timeout(x, timeout)                           \
	dmp_lx_wait_for_completion((x), (long)(timeout), TASK_INTERRUPTIBLE, __FILE__, __LINE__)
#define wait_for_completion_killable(x)                                                 \
	((int)(dmp_lx_wait_for_completion((x), MAX_SCHEDULE_TIMEOUT, TASK_KILLABLE, __FILE__, \
					  __LINE__), 0))
#define wait_for_completion_killable_timeout(x, timeout)                                \
	dmp_lx_wait_for_completion((x), (long)(timeout), TASK_KILLABLE, __FILE__, __LINE__)

#endif /* DMP_COMPAT_LINUX_COMPLETION_H */
