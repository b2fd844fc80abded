/* SPDX-License-Identifier: MIT */
/*
 * sched.c - tasks, the simulated clock, waiting, timers, kthreads and
 * workqueues of the Linux-compat runtime (see <linux/sched.h>).
 *
 * One simulated CPU.  Every task is a host thread; the one that holds
 * `big` and is `cur` runs, the others wait on their own condition variable.
 * A task that blocks hands the CPU to the head of the run queue (FIFO), or,
 * when no task can run, moves the simulated clock to the next event and
 * runs it (device callouts, timers, timeouts), which may wake tasks.  Hand-
 * offs are explicit, so the order of everything is the program's, not the
 * host scheduler's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dmaport/platform.h>

#include <linux/delay.h>
#include <linux/kthread.h>

#include "runtime.h"

/* Simulated time a preemption point (cond_resched, cpu_relax,
 * kthread_should_stop) costs: a busy loop lets the machine run. */
#define PREEMPT_POINT_NS 10000
/* A task that does not wait runs this long before a preemption point hands
 * the CPU on (CFS's slice is of this order). */
#define TIME_SLICE_NS 1000000

static pthread_mutex_t big = PTHREAD_MUTEX_INITIALIZER;
static struct dmp_lx_task main_task;
static struct dmp_lx_task *cur;        /* the task on the CPU */
static struct dmp_lx_task *runq_head, *runq_tail;
static struct dmp_lx_task *all_tasks;
static struct dmp_sim *sim;
static pid_t next_pid = 2;

/* Context: the CPU's, not a task's (one CPU). */
static unsigned int hardirq_depth;
static unsigned int softirq_depth;
static unsigned int bh_disabled;
static int preempt_depth;
static bool irqs_masked_nosim; /* the mask when no simulator is there */

/* Timers and tasklets whose time came while the CPU could not run them. */
static LIST_HEAD(expired_timers);
static struct tasklet_struct *tasklets_head, **tasklets_tail = &tasklets_head;

void dmp_lx_fatal(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dmp_log("%s", msg);
	fflush(NULL);
	abort();
}

struct dmp_sim *dmp_lx_sim(void)
{
	return sim;
}

/* The calling thread becomes the main task the first time it needs one. */
static void main_task_init(void)
{
	if (cur)
		return;
	pthread_mutex_lock(&big);
	memset(&main_task, 0, sizeof(main_task));
	snprintf(main_task.ts.comm, sizeof(main_task.ts.comm), "%s", "main");
	main_task.ts.pid = 1;
	main_task.ts.tgid = 1;
	main_task.ts.dmp = &main_task;
	main_task.state = DMP_LX_T_RUNNING;
	main_task.refs = 1;
	pthread_cond_init(&main_task.cv, NULL);
	main_task.all_next = all_tasks;
	all_tasks = &main_task;
	cur = &main_task;
}

struct dmp_lx_task *dmp_lx_task_current(void)
{
	main_task_init();
	return cur;
}

struct task_struct *dmp_lx_current(void)
{
	return &dmp_lx_task_current()->ts;
}

/* --- clock ---------------------------------------------------------------- */

u64 dmp_lx_now_ns(void)
{
	if (sim)
		return dmp_sim_now(sim);
	static uint64_t base;
	if (!base)
		base = dmp_time_ns();
	return dmp_time_ns() - base;
}

unsigned long dmp_lx_jiffies(void)
{
	return INITIAL_JIFFIES + (unsigned long)(dmp_lx_now_ns() / TICK_NSEC);
}

u64 dmp_lx_jiffies_64(void)
{
	return (u64)(unsigned int)INITIAL_JIFFIES + dmp_lx_now_ns() / TICK_NSEC;
}

/* --- context ------------------------------------------------------------- */

unsigned int dmp_lx_hardirq_count(void)
{
	return hardirq_depth;
}

unsigned int dmp_lx_softirq_count(void)
{
	return softirq_depth + bh_disabled;
}

unsigned int dmp_lx_preempt_count(void)
{
	return (unsigned int)preempt_depth;
}

void dmp_lx_preempt_add(int delta)
{
	preempt_depth += delta;
	if (preempt_depth < 0)
		dmp_lx_fatal("BUG: preempt count underflow (preempt_enable without "
			     "preempt_disable, or a spinlock released twice)");
}

bool dmp_lx_irqs_disabled(void)
{
	return sim ? dmp_sim_irq_cpu_masked(sim) : irqs_masked_nosim;
}

unsigned long dmp_lx_local_irq_save(void)
{
	unsigned long flags = dmp_lx_irqs_disabled();
	if (sim)
		dmp_sim_irq_cpu_mask(sim);
	else
		irqs_masked_nosim = true;
	return flags;
}

void dmp_lx_local_irq_restore(unsigned long flags)
{
	if (flags)
		return;
	/* the handler's return unmasks; a driver unmasking inside one is wrong */
	if (hardirq_depth)
		return;
	if (sim)
		dmp_sim_irq_cpu_unmask(sim); /* takes what became pending */
	else
		irqs_masked_nosim = false;
	dmp_lx_run_softirqs();
}

void dmp_lx_local_bh_disable(void)
{
	bh_disabled++;
}

void dmp_lx_local_bh_enable(void)
{
	if (!bh_disabled)
		dmp_lx_fatal("BUG: local_bh_enable without local_bh_disable");
	bh_disabled--;
	dmp_lx_run_softirqs();
}

void dmp_lx_hardirq_enter(void)
{
	hardirq_depth++;
}

void dmp_lx_hardirq_exit(void)
{
	hardirq_depth--;
}

static bool atomic_context(void)
{
	return hardirq_depth || softirq_depth || bh_disabled || preempt_depth ||
	       dmp_lx_irqs_disabled();
}

void dmp_lx_might_sleep(const char *file, int line)
{
	if (!atomic_context())
		return;
	dmp_lx_fatal("BUG: sleeping function called from invalid context at %s:%d "
		     "(in_irq %u, in_softirq %u, preempt_count %d, irqs_disabled %d)",
		     file, line, hardirq_depth, softirq_depth + bh_disabled, preempt_depth,
		     dmp_lx_irqs_disabled());
}

/* --- softirqs: timers and tasklets ---------------------------------------- */

static bool softirqs_allowed(void)
{
	return !hardirq_depth && !softirq_depth && !bh_disabled && !dmp_lx_irqs_disabled();
}

static void timer_call(struct timer_list *t)
{
	t->dmp.running = true;
	if (t->dmp.legacy)
		((void (*)(unsigned long))(void *)t->function)(
#if DMP_LINUX_VERSION < KERNEL_VERSION(4, 15, 0)
			t->data
#else
			t->dmp__data
#endif
		);
	else
		((void (*)(struct timer_list *))(void *)t->function)(t);
	t->dmp.running = false;
}

void dmp_lx_run_softirqs(void)
{
	while (softirqs_allowed() && (!list_empty(&expired_timers) || tasklets_head)) {
		softirq_depth++;
		if (!list_empty(&expired_timers)) {
			struct timer_list *t =
				list_first_entry(&expired_timers, struct timer_list, dmp.pending);
			list_del_init(&t->dmp.pending);
			timer_call(t);
		} else {
			struct tasklet_struct *tl = tasklets_head;
			tasklets_head = tl->next;
			if (!tasklets_head)
				tasklets_tail = &tasklets_head;
			tl->state &= ~1UL;
			if (atomic_read(&tl->count) == 0) {
				if (tl->use_callback)
					tl->callback(tl);
				else
					tl->func(tl->data);
			}
		}
		softirq_depth--;
	}
}

static void timer_expired(void *cookie)
{
	struct timer_list *t = cookie;
	list_add_tail(&t->dmp.pending, &expired_timers);
	dmp_lx_run_softirqs();
}

void dmp_lx_timer_init(struct timer_list *t, void *fn, unsigned long data, u32 flags, bool legacy)
{
	memset(&t->dmp, 0, sizeof(t->dmp));
	t->function = fn;
#if DMP_LINUX_VERSION < KERNEL_VERSION(4, 15, 0)
	t->data = data;
#else
	t->dmp__data = data;
#endif
	t->flags = flags;
	t->dmp.legacy = legacy;
	INIT_LIST_HEAD(&t->dmp.pending);
	dmp_sim_callout_init(&t->dmp.callout, timer_expired, t);
}

/* A timer set up by DEFINE_TIMER or a zeroed struct gets its runtime part here. */
static void timer_lazy_init(struct timer_list *t)
{
	if (!t->dmp.callout.fn) {
		t->dmp.callout.fn = timer_expired;
		t->dmp.callout.cookie = t;
		INIT_LIST_HEAD(&t->dmp.pending);
	}
}

bool dmp_lx_timer_pending(const struct timer_list *t)
{
	return t->dmp.callout.armed || (t->dmp.pending.next && !list_empty(&t->dmp.pending));
}

int dmp_lx_mod_timer(struct timer_list *t, unsigned long expires)
{
	if (!t->function)
		dmp_lx_fatal("BUG: mod_timer of a timer without a function");
	if (!sim)
		dmp_lx_fatal("BUG: mod_timer without a simulated machine: timers run on its clock");
	timer_lazy_init(t);
	int was = dmp_lx_timer_pending(t);
	if (!list_empty(&t->dmp.pending))
		list_del_init(&t->dmp.pending);
	t->expires = expires;
	long delta = (long)(expires - dmp_lx_jiffies());
	/* due at the start of tick @expires; a time already past runs at the next tick */
	u64 now = dmp_sim_now(sim);
	u64 at = delta > 0 ? (now / TICK_NSEC + (u64)delta) * TICK_NSEC : now + 1;
	dmp_sim_callout_arm(sim, &t->dmp.callout, at - now);
	return was;
}

int dmp_lx_del_timer(struct timer_list *t, bool sync)
{
	if (!t->dmp.callout.fn)
		return 0;
	bool was = sim && dmp_sim_callout_cancel(sim, &t->dmp.callout);
	if (!list_empty(&t->dmp.pending)) {
		list_del_init(&t->dmp.pending);
		was = true;
	}
	if (sync && t->dmp.running && !softirq_depth)
		dmp_lx_fatal("BUG: del_timer_sync of a running timer from outside it");
	return was;
}

void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data)
{
	memset(t, 0, sizeof(*t));
	t->func = func;
	t->data = data;
}

void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *))
{
	memset(t, 0, sizeof(*t));
	t->use_callback = true;
	t->callback = callback;
}

void tasklet_schedule(struct tasklet_struct *t)
{
	if (t->state & 1UL)
		return;
	t->state |= 1UL;
	t->next = NULL;
	*tasklets_tail = t;
	tasklets_tail = &t->next;
	dmp_lx_run_softirqs();
}

void tasklet_kill(struct tasklet_struct *t)
{
	for (struct tasklet_struct **pp = &tasklets_head; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			if (!*pp)
				tasklets_tail = pp;
			break;
		}
	t->state &= ~1UL;
}

void tasklet_disable(struct tasklet_struct *t)
{
	atomic_inc(&t->count);
}

void tasklet_enable(struct tasklet_struct *t)
{
	atomic_dec(&t->count);
}

/* --- the run queue and hand-offs ------------------------------------------ */

static void runq_push(struct dmp_lx_task *t)
{
	if (t->queued)
		return;
	t->queued = true;
	t->run_next = NULL;
	if (runq_tail)
		runq_tail->run_next = t;
	else
		runq_head = t;
	runq_tail = t;
}

static struct dmp_lx_task *runq_pop(void)
{
	struct dmp_lx_task *t = runq_head;
	if (!t)
		return NULL;
	runq_head = t->run_next;
	if (!runq_head)
		runq_tail = NULL;
	t->queued = false;
	return t;
}

/* Give the CPU to @next and wait until it comes back. */
static void switch_to(struct dmp_lx_task *self, struct dmp_lx_task *next)
{
	cur = next;
	pthread_cond_signal(&next->cv);
	while (cur != self)
		pthread_cond_wait(&self->cv, &big);
	self->slice_start = dmp_lx_now_ns();
}

static const char *state_name(const struct dmp_lx_task *t)
{
	switch (t->state) {
	case DMP_LX_T_RUNNING: return "runnable";
	case DMP_LX_T_BLOCKED: return "waiting";
	case DMP_LX_T_NEW: return "created, never woken";
	case DMP_LX_T_DEAD: return "exited";
	}
	return "?";
}

static void __attribute__((noreturn)) deadlock(void)
{
	dmp_log("BUG: deadlock: every task waits and nothing (no device event, timer or "
		 "timeout) can wake one; the simulated time is %llu ns",
		 (unsigned long long)dmp_lx_now_ns());
	for (struct dmp_lx_task *t = all_tasks; t; t = t->all_next) {
		if (t->state == DMP_LX_T_DEAD)
			continue;
		dmp_log("  task %s (pid %d): %s%s%s at %s:%d", t->ts.comm, t->ts.pid,
			 state_name(t), t->wait_what ? " for " : "", t->wait_what ? t->wait_what : "",
			 t->wait_file ? t->wait_file : "?", t->wait_line);
	}
	dmp_lx_fatal("BUG: deadlock (see the tasks above)");
}

/* No task can run: move the clock to the next event.  False if there is none. */
static bool idle_advance(void)
{
	uint64_t when;
	if (!sim || !dmp_sim_next_deadline(sim, &when))
		return false;
	dmp_sim_advance(sim, when);
	dmp_lx_run_softirqs();
	return true;
}

/*
 * The heart of it: the current task gives up the CPU.  If it is still
 * RUNNING (a yield), it goes to the back of the run queue; else it waits to
 * be woken.  Returns when it runs again.
 */
static void sched_switch(void)
{
	struct dmp_lx_task *self = cur;
	if (self->state == DMP_LX_T_RUNNING) {
		if (!runq_head)
			return;
		runq_push(self);
	}
	for (;;) {
		struct dmp_lx_task *next = runq_pop();
		if (next) {
			if (next != self)
				switch_to(self, next);
			return;
		}
		if (self->state == DMP_LX_T_RUNNING)
			return;
		if (!idle_advance())
			deadlock();
	}
}

static void wake_task(struct dmp_lx_task *t)
{
	if (t->state == DMP_LX_T_DEAD)
		return;
	bool was = t->state != DMP_LX_T_RUNNING;
	t->state = DMP_LX_T_RUNNING;
	if (was && t != cur)
		runq_push(t);
}

void dmp_lx_set_current_state(unsigned int state)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	self->ts.__state = state;
	self->state = state == TASK_RUNNING ? DMP_LX_T_RUNNING : DMP_LX_T_BLOCKED;
}

int dmp_lx_wake_up_state(struct task_struct *p, unsigned int state)
{
	struct dmp_lx_task *t = p->dmp;
	if (t->state == DMP_LX_T_RUNNING || t->state == DMP_LX_T_DEAD)
		return 0;
	if (t->state == DMP_LX_T_BLOCKED && !(t->ts.__state & state))
		return 0;
	t->ts.__state = TASK_RUNNING;
	wake_task(t);
	return 1;
}

int dmp_lx_wake_up_process(struct task_struct *p)
{
	struct dmp_lx_task *t = p->dmp;
	if (t->state == DMP_LX_T_NEW) {
		t->ts.__state = TASK_RUNNING;
		wake_task(t);
		return 1;
	}
	return dmp_lx_wake_up_state(p, TASK_NORMAL);
}

void dmp_lx_schedule(const char *file, int line)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	if (self->state != DMP_LX_T_RUNNING)
		dmp_lx_might_sleep(file, line);
	if (!self->wait_file) {
		self->wait_file = file;
		self->wait_line = line;
	}
	sched_switch();
	self->wait_what = NULL;
	self->wait_file = NULL;
	self->ts.__state = TASK_RUNNING;
	self->state = DMP_LX_T_RUNNING;
	dmp_lx_run_softirqs();
}

static void timeout_fired(void *cookie)
{
	struct dmp_lx_task *t = cookie;
	t->timed_out = true;
	wake_task(t);
}

long dmp_lx_schedule_timeout(long timeout, const char *file, int line)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	if (timeout == MAX_SCHEDULE_TIMEOUT) {
		dmp_lx_schedule(file, line);
		return timeout;
	}
	if (timeout < 0) {
		dmp_log("schedule_timeout: wrong timeout value %lx at %s:%d", (unsigned long)timeout,
			 file, line);
		self->state = DMP_LX_T_RUNNING;
		self->ts.__state = TASK_RUNNING;
		return 0;
	}
	if (!sim) {
		/* host time: sleep it, nothing else can happen */
		dmp_lx_might_sleep(file, line);
		struct timespec ts = { timeout / HZ, (long)(timeout % HZ) * (long)TICK_NSEC };
		nanosleep(&ts, NULL);
		self->state = DMP_LX_T_RUNNING;
		self->ts.__state = TASK_RUNNING;
		return 0;
	}
	u64 deadline = dmp_sim_now(sim) + (u64)timeout * TICK_NSEC;
	dmp_sim_callout_init(&self->timeout, timeout_fired, self);
	self->timed_out = false;
	dmp_sim_callout_arm(sim, &self->timeout, (u64)timeout * TICK_NSEC);
	dmp_lx_schedule(file, line);
	dmp_sim_callout_cancel(sim, &self->timeout);
	u64 now = dmp_sim_now(sim);
	if (now >= deadline)
		return 0;
	return (long)((deadline - now + TICK_NSEC - 1) / TICK_NSEC);
}

/*
 * Preemption: the current task goes to the back of the run queue in the
 * state it is in.  A task preempted between set_current_state() and
 * schedule() (say, while evaluating a wait_event condition) keeps its
 * sleeping state, and a wake-up meanwhile makes it RUNNING, so its
 * schedule() then returns at once: Linux's rule, no lost wake-up.
 */
static void preempt_self(bool slice_over)
{
	struct dmp_lx_task *self = cur;
	if (!runq_head || (!slice_over && dmp_lx_now_ns() - self->slice_start < TIME_SLICE_NS))
		return;
	runq_push(self);
	struct dmp_lx_task *next = runq_pop();
	if (next != self)
		switch_to(self, next);
}

void dmp_lx_cond_resched(void)
{
	dmp_lx_task_current();
	if (sim)
		dmp_sim_advance(sim, dmp_sim_now(sim) + PREEMPT_POINT_NS);
	if (!atomic_context()) {
		dmp_lx_run_softirqs();
		preempt_self(false);
	}
}

void dmp_lx_cpu_relax(void)
{
	dmp_lx_cond_resched();
}

bool dmp_lx_need_resched(void)
{
	return runq_head != NULL;
}

void dmp_lx_delay_ns(u64 ns)
{
	if (!sim) {
		uint64_t end = dmp_time_ns() + ns;
		while (dmp_time_ns() < end)
			;
		return;
	}
	dmp_sim_advance(sim, dmp_sim_now(sim) + ns);
	dmp_lx_run_softirqs();
}

void dmp_lx_sleep_ns(u64 ns, const char *file, int line)
{
	long j = (long)((ns + TICK_NSEC - 1) / TICK_NSEC);
	if (!j)
		j = 1;
	struct dmp_lx_task *self = dmp_lx_task_current();
	self->wait_what = "a sleep";
	/* Linux sleeps at least the time asked, to the next tick */
	do {
		dmp_lx_set_current_state(TASK_UNINTERRUPTIBLE);
		j = dmp_lx_schedule_timeout(j, file, line);
	} while (j > 0);
}

/* A high-resolution sleep (Linux's hrtimer sleeps: usleep_range, fsleep):
 * wakes at the nanosecond asked, not at a tick. */
void dmp_lx_hrsleep_ns(u64 ns, const char *file, int line)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	if (!sim) {
		dmp_lx_might_sleep(file, line);
		struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
		nanosleep(&ts, NULL);
		return;
	}
	u64 deadline = dmp_sim_now(sim) + ns;
	while (dmp_sim_now(sim) < deadline) {
		self->wait_what = "a sleep";
		dmp_lx_set_current_state(TASK_UNINTERRUPTIBLE);
		dmp_sim_callout_init(&self->timeout, timeout_fired, self);
		dmp_sim_callout_arm(sim, &self->timeout, deadline - dmp_sim_now(sim));
		dmp_lx_schedule(file, line);
		dmp_sim_callout_cancel(sim, &self->timeout);
	}
}

void dmp_lx_run_for(uint64_t ns)
{
	dmp_lx_sleep_ns(ns ? ns : 1, __FILE__, __LINE__);
}

uint64_t dmp_lx_run_until_idle(uint64_t max_ns)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	u64 start = dmp_lx_now_ns();
	self->state = DMP_LX_T_RUNNING;
	for (;;) {
		if (dmp_lx_now_ns() - start > max_ns)
			break; /* a task that never waits keeps the machine busy */
		if (runq_head) {
			preempt_self(true);
			continue;
		}
		uint64_t when;
		if (!sim || !dmp_sim_next_deadline(sim, &when) || when > start + max_ns)
			break;
		dmp_sim_advance(sim, when);
		dmp_lx_run_softirqs();
	}
	return dmp_lx_now_ns() - start;
}

/* --- wait queues and completions -------------------------------------------- */

void dmp_lx_init_waitqueue_head(struct wait_queue_head *wq)
{
	spin_lock_init(&wq->lock);
	INIT_LIST_HEAD(&wq->head);
}

int default_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	(void)flags;
	(void)key;
	return dmp_lx_wake_up_state(e->private, mode);
}

int autoremove_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	int ret = default_wake_function(e, mode, flags, key);
	if (ret)
		list_del_init(&e->entry);
	return ret;
}

int woken_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	e->flags |= WQ_FLAG_WOKEN;
	return default_wake_function(e, mode, flags, key);
}

void init_wait_entry(struct wait_queue_entry *e, int flags)
{
	e->flags = (unsigned int)flags;
	e->private = current;
	e->func = autoremove_wake_function;
	INIT_LIST_HEAD(&e->entry);
}

void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	e->flags &= ~WQ_FLAG_EXCLUSIVE;
	list_add(&e->entry, &wq->head);
}

void add_wait_queue_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	e->flags |= WQ_FLAG_EXCLUSIVE;
	list_add_tail(&e->entry, &wq->head);
}

void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	(void)wq;
	list_del_init(&e->entry);
}

static void wq_lazy_init(struct wait_queue_head *wq)
{
	if (!wq->head.next)
		INIT_LIST_HEAD(&wq->head);
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, int state)
{
	wq_lazy_init(wq);
	e->flags &= ~WQ_FLAG_EXCLUSIVE;
	if (list_empty(&e->entry))
		list_add(&e->entry, &wq->head);
	dmp_lx_set_current_state((unsigned int)state);
}

bool prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *e, int state)
{
	wq_lazy_init(wq);
	bool was_empty = list_empty(&wq->head);
	e->flags |= WQ_FLAG_EXCLUSIVE;
	if (list_empty(&e->entry))
		list_add_tail(&e->entry, &wq->head);
	dmp_lx_set_current_state((unsigned int)state);
	return was_empty;
}

void dmp_lx_prepare_to_wait_event(struct wait_queue_head *wq, struct wait_queue_entry *e,
				  int state, const char *what, const char *file, int line)
{
	wq_lazy_init(wq);
	if (list_empty(&e->entry)) {
		if (e->flags & WQ_FLAG_EXCLUSIVE)
			list_add_tail(&e->entry, &wq->head);
		else
			list_add(&e->entry, &wq->head);
	}
	dmp_lx_set_current_state((unsigned int)state);
	struct dmp_lx_task *self = cur;
	self->wait_what = what;
	self->wait_file = file;
	self->wait_line = line;
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	(void)wq;
	dmp_lx_set_current_state(TASK_RUNNING);
	if (!list_empty(&e->entry))
		list_del_init(&e->entry);
	cur->wait_what = NULL;
	cur->wait_file = NULL;
}

long wait_woken(struct wait_queue_entry *e, unsigned int mode, long timeout)
{
	dmp_lx_set_current_state(mode);
	if (!(e->flags & WQ_FLAG_WOKEN))
		timeout = dmp_lx_schedule_timeout(timeout, __FILE__, __LINE__);
	dmp_lx_set_current_state(TASK_RUNNING);
	e->flags &= ~WQ_FLAG_WOKEN;
	return timeout;
}

void __wake_up(struct wait_queue_head *wq, unsigned int mode, int nr, void *key)
{
	wq_lazy_init(wq);
	struct wait_queue_entry *e, *n;
	list_for_each_entry_safe(e, n, &wq->head, entry) {
		unsigned int flags = e->flags;
		int ret = e->func(e, mode, 0, key);
		if (ret < 0)
			break;
		if (ret && (flags & WQ_FLAG_EXCLUSIVE) && nr > 0 && !--nr)
			break;
	}
}

void complete(struct completion *x)
{
	if (x->done != UINT_MAX)
		x->done++;
	__wake_up(&x->wait, TASK_NORMAL, 1, NULL);
}

void complete_all(struct completion *x)
{
	x->done = UINT_MAX;
	__wake_up(&x->wait, TASK_NORMAL, 0, NULL);
}

bool try_wait_for_completion(struct completion *x)
{
	if (!x->done)
		return false;
	if (x->done != UINT_MAX)
		x->done--;
	return true;
}

bool completion_done(struct completion *x)
{
	return x->done != 0;
}

long dmp_lx_wait_for_completion(struct completion *x, long timeout, int state, const char *file,
				int line)
{
	dmp_lx_might_sleep(file, line);
	if (!x->done) {
		struct wait_queue_entry e;
		init_wait_entry(&e, WQ_FLAG_EXCLUSIVE);
		/* a completion's waiters go first come first served */
		while (!x->done && timeout) {
			dmp_lx_prepare_to_wait_event(&x->wait, &e, state, "a completion", file, line);
			timeout = dmp_lx_schedule_timeout(timeout, file, line);
		}
		finish_wait(&x->wait, &e);
		if (!x->done)
			return 0;
	}
	if (x->done != UINT_MAX)
		x->done--;
	return timeout ? timeout : 1;
}

/* --- mutexes and spinlocks --------------------------------------------------- */

void dmp_lx_mutex_init(struct mutex *m)
{
	m->owner = NULL;
	INIT_LIST_HEAD(&m->wait_list);
	m->file = NULL;
	m->line = 0;
}

struct mutex_waiter {
	struct list_head node;
	struct dmp_lx_task *task;
};

void dmp_lx_mutex_lock(struct mutex *m, const char *file, int line)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	dmp_lx_might_sleep(file, line);
	if (!m->wait_list.next)
		INIT_LIST_HEAD(&m->wait_list);
	if (m->owner == &self->ts)
		dmp_lx_fatal("BUG: mutex deadlock: %s:%d locks a mutex its task %s already holds "
			     "(since %s:%d)", file, line, self->ts.comm, m->file, m->line);
	if (m->owner) {
		struct mutex_waiter w = { .task = self };
		list_add_tail(&w.node, &m->wait_list);
		/* the unlocker hands the mutex over: no thundering herd, FIFO */
		while (m->owner != &self->ts) {
			dmp_lx_set_current_state(TASK_UNINTERRUPTIBLE);
			self->wait_what = "a mutex";
			self->wait_file = file;
			self->wait_line = line;
			dmp_lx_schedule(file, line);
		}
		list_del(&w.node);
	} else {
		m->owner = &self->ts;
	}
	m->file = file;
	m->line = line;
}

int dmp_lx_mutex_trylock(struct mutex *m, const char *file, int line)
{
	if (!m->wait_list.next)
		INIT_LIST_HEAD(&m->wait_list);
	if (m->owner)
		return 0;
	m->owner = dmp_lx_current();
	m->file = file;
	m->line = line;
	return 1;
}

void dmp_lx_mutex_unlock(struct mutex *m, const char *file, int line)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	if (m->owner != &self->ts)
		dmp_lx_fatal("BUG: %s:%d unlocks a mutex %s (held by %s)", file, line,
			     m->owner ? "another task holds" : "nobody holds",
			     m->owner ? m->owner->comm : "-");
	if (m->wait_list.next && !list_empty(&m->wait_list)) {
		struct mutex_waiter *w = list_first_entry(&m->wait_list, struct mutex_waiter, node);
		m->owner = &w->task->ts;
		wake_task(w->task);
	} else {
		m->owner = NULL;
	}
}

void dmp_lx_lock_acquire(struct dmp_lx_lock *l, int how, const char *file, int line)
{
	if (how == DMP_LX_LOCK_READ ? l->locked < 0 : l->locked != 0)
		dmp_lx_fatal("BUG: spinlock recursion: %s:%d takes a lock held since %s:%d%s", file,
			     line, l->file ? l->file : "?", l->line,
			     hardirq_depth ? " (from an interrupt handler that interrupted its "
					     "holder: take it with spin_lock_irqsave there)"
					   : softirq_depth ? " (from a timer or tasklet: take it "
							     "with spin_lock_bh there)"
							   : "");
	if (how == DMP_LX_LOCK_READ)
		l->locked++;
	else
		l->locked = how == DMP_LX_LOCK_WRITE ? -1 : 1;
	l->file = file;
	l->line = line;
	preempt_depth++;
}

int dmp_lx_lock_try(struct dmp_lx_lock *l, int how, const char *file, int line)
{
	if (how == DMP_LX_LOCK_READ ? l->locked < 0 : l->locked != 0)
		return 0;
	dmp_lx_lock_acquire(l, how, file, line);
	return 1;
}

void dmp_lx_lock_release(struct dmp_lx_lock *l, int how, const char *file, int line)
{
	if (!l->locked)
		dmp_lx_fatal("BUG: %s:%d unlocks a spinlock nobody holds", file, line);
	if (how == DMP_LX_LOCK_READ && l->locked > 0)
		l->locked--;
	else
		l->locked = 0;
	dmp_lx_preempt_add(-1);
}

/* --- kthreads --------------------------------------------------------------- */

static void task_exit(struct dmp_lx_task *self, int result)
{
	self->result = result;
	self->state = DMP_LX_T_DEAD;
	self->ts.__state = TASK_DEAD;
	complete_all(&self->exited);
	/* hand the CPU on for good */
	for (;;) {
		struct dmp_lx_task *next = runq_pop();
		if (next) {
			cur = next;
			pthread_cond_signal(&next->cv);
			break;
		}
		if (!idle_advance())
			deadlock();
	}
	pthread_mutex_unlock(&big);
}

static void *task_main(void *arg)
{
	struct dmp_lx_task *self = arg;
	pthread_mutex_lock(&big);
	while (cur != self)
		pthread_cond_wait(&self->cv, &big);
	self->slice_start = dmp_lx_now_ns();
	self->started = true;
	int result = self->should_stop ? -EINTR : self->fn(self->data);
	task_exit(self, result);
	return NULL;
}

struct task_struct *dmp_lx_kthread_create(int (*fn)(void *data), void *data, const char *fmt, ...)
{
	dmp_lx_task_current();
	struct dmp_lx_task *t = calloc(1, sizeof(*t));
	if (!t)
		return ERR_PTR(-ENOMEM);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->ts.comm, sizeof(t->ts.comm), fmt, ap);
	va_end(ap);
	t->ts.pid = next_pid++;
	t->ts.tgid = t->ts.pid;
	t->ts.flags = PF_KTHREAD;
	t->ts.dmp = t;
	t->ts.__state = TASK_UNINTERRUPTIBLE;
	t->state = DMP_LX_T_NEW;
	t->fn = fn;
	t->data = data;
	t->refs = 1;
	init_completion(&t->exited);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->thread, NULL, task_main, t)) {
		pthread_cond_destroy(&t->cv);
		free(t);
		return ERR_PTR(-ENOMEM);
	}
	t->has_thread = true;
	t->all_next = all_tasks;
	all_tasks = t;
	return &t->ts;
}

static void task_free(struct dmp_lx_task *t)
{
	if (t->has_thread)
		pthread_join(t->thread, NULL);
	for (struct dmp_lx_task **pp = &all_tasks; *pp; pp = &(*pp)->all_next)
		if (*pp == t) {
			*pp = t->all_next;
			break;
		}
	pthread_cond_destroy(&t->cv);
	free(t);
}

void get_task_struct(struct task_struct *t)
{
	t->dmp->refs++;
}

void put_task_struct(struct task_struct *ts)
{
	struct dmp_lx_task *t = ts->dmp;
	if (t == &main_task)
		return;
	if (--t->refs == 0) {
		if (t->state != DMP_LX_T_DEAD)
			dmp_lx_fatal("BUG: the last reference to task %s dropped while it runs",
				     t->ts.comm);
		task_free(t);
	}
}

int kthread_stop(struct task_struct *k)
{
	struct dmp_lx_task *t = k->dmp;
	if (t == cur)
		dmp_lx_fatal("BUG: kthread_stop of the calling task %s", k->comm);
	get_task_struct(k);
	t->should_stop = true;
	t->should_park = false;
	if (t->state == DMP_LX_T_NEW || t->state == DMP_LX_T_BLOCKED) {
		t->ts.__state = TASK_RUNNING;
		wake_task(t);
	}
	dmp_lx_wait_for_completion(&t->exited, MAX_SCHEDULE_TIMEOUT, TASK_UNINTERRUPTIBLE,
				   __FILE__, __LINE__);
	int result = t->result;
	put_task_struct(k); /* ours */
	put_task_struct(k); /* the creation's */
	return result;
}

int kthread_stop_put(struct task_struct *k)
{
	int ret = kthread_stop(k);
	return ret;
}

bool kthread_should_stop(void)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	if (self->should_stop)
		return true;
	/* a thread that polls this in a loop lets the machine run */
	dmp_lx_cond_resched();
	return self->should_stop;
}

bool kthread_should_park(void)
{
	return dmp_lx_task_current()->should_park;
}

int kthread_park(struct task_struct *k)
{
	struct dmp_lx_task *t = k->dmp;
	t->should_park = true;
	wake_task(t);
	while (!t->parked && t->state != DMP_LX_T_DEAD)
		dmp_lx_cond_resched();
	return 0;
}

void kthread_unpark(struct task_struct *k)
{
	struct dmp_lx_task *t = k->dmp;
	t->should_park = false;
	if (t->parked) {
		t->parked = false;
		t->ts.__state = TASK_RUNNING;
		wake_task(t);
	}
}

void kthread_parkme(void)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	while (self->should_park) {
		self->parked = true;
		dmp_lx_set_current_state(TASK_PARKED);
		dmp_lx_schedule(__FILE__, __LINE__);
	}
	self->parked = false;
}

void kthread_exit(long result)
{
	struct dmp_lx_task *self = dmp_lx_task_current();
	if (!self->has_thread)
		dmp_lx_fatal("BUG: kthread_exit outside a kthread");
	task_exit(self, (int)result);
	pthread_exit(NULL);
}

void kthread_complete_and_exit(struct completion *c, long code)
{
	if (c)
		complete(c);
	kthread_exit(code);
}

/* --- workqueues ---------------------------------------------------------------- */

struct workqueue_struct {
	char name[24];
	struct list_head works;
	struct task_struct *worker;
	struct work_struct *running;
	struct wait_queue_head idle;   /* woken when an item finishes */
	struct wait_queue_head more;   /* the worker waits here */
	bool dying;
	struct workqueue_struct *next;
};

static struct workqueue_struct *all_wqs;
/* The system queues are one queue whose worker starts at its first work:
 * a machine nobody queues work on has no idle thread. */
static struct workqueue_struct system_queue_storage;
struct workqueue_struct *system_wq;
struct workqueue_struct *system_highpri_wq;
struct workqueue_struct *system_long_wq;
struct workqueue_struct *system_unbound_wq;
struct workqueue_struct *system_freezable_wq;
struct workqueue_struct *system_power_efficient_wq;
struct workqueue_struct *system_bh_wq;

static int worker_fn(void *data)
{
	struct workqueue_struct *wq = data;
	for (;;) {
		wait_event(wq->more, !list_empty(&wq->works) || kthread_should_stop());
		if (list_empty(&wq->works))
			break; /* told to stop, nothing left */
		struct work_struct *w = list_first_entry(&wq->works, struct work_struct, entry);
		list_del_init(&w->entry);
		atomic_long_and(~(long)WORK_STRUCT_PENDING, &w->data);
		wq->running = w;
		w->func(w);
		wq->running = NULL;
		wake_up_all(&wq->idle);
	}
	return 0;
}

static void wq_init(struct workqueue_struct *wq)
{
	INIT_LIST_HEAD(&wq->works);
	init_waitqueue_head(&wq->idle);
	init_waitqueue_head(&wq->more);
	wq->worker = NULL;
	wq->running = NULL;
	wq->dying = false;
	wq->next = all_wqs;
	all_wqs = wq;
}

/* A queue's worker starts with its first work item. */
static void wq_start_worker(struct workqueue_struct *wq)
{
	if (wq->worker)
		return;
	wq->worker = dmp_lx_kthread_create(worker_fn, wq, "kworker/%.8s", wq->name);
	if (IS_ERR(wq->worker))
		dmp_lx_fatal("cannot create the worker of workqueue %s", wq->name);
	wake_up_process(wq->worker);
}

struct workqueue_struct *dmp_lx_alloc_workqueue(unsigned int flags, int max_active,
						const char *fmt, ...)
{
	(void)flags;
	(void)max_active;
	struct workqueue_struct *wq = calloc(1, sizeof(*wq));
	if (!wq)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(wq->name, sizeof(wq->name), fmt, ap);
	va_end(ap);
	wq_init(wq);
	return wq;
}

static bool work_on(struct workqueue_struct *wq, struct work_struct *w)
{
	return w->dmp_wq == wq && (work_pending(w) || wq->running == w);
}

void flush_workqueue(struct workqueue_struct *wq)
{
	wait_event(wq->idle, list_empty(&wq->works) && !wq->running);
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	if (!wq)
		return;
	flush_workqueue(wq);
	wq->dying = true;
	if (wq->worker)
		kthread_stop(wq->worker);
	wq->worker = NULL;
	for (struct workqueue_struct **pp = &all_wqs; *pp; pp = &(*pp)->next)
		if (*pp == wq) {
			*pp = wq->next;
			break;
		}
	if (wq != &system_queue_storage)
		free(wq);
}

static void system_queues_init(void)
{
	snprintf(system_queue_storage.name, sizeof(system_queue_storage.name), "events");
	wq_init(&system_queue_storage);
	system_wq = &system_queue_storage;
	system_highpri_wq = system_long_wq = system_unbound_wq = system_wq;
	system_freezable_wq = system_power_efficient_wq = system_bh_wq = system_wq;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	if (wq == NULL)
		dmp_lx_fatal("BUG: queue_work on a NULL workqueue (was system_wq used before a "
			     "machine was loaded?)");
	if (!work->entry.next)
		INIT_LIST_HEAD(&work->entry);
	if (work_pending(work))
		return false;
	if (wq->dying)
		dmp_lx_fatal("BUG: queue_work on workqueue %s being destroyed", wq->name);
	atomic_long_or(WORK_STRUCT_PENDING, &work->data);
	work->dmp_wq = wq;
	list_add_tail(&work->entry, &wq->works);
	wq_start_worker(wq);
	wake_up(&wq->more);
	return true;
}

static void delayed_work_timer(struct timer_list *t)
{
	struct delayed_work *dw = from_timer(dw, t, timer);
	atomic_long_and(~(long)WORK_STRUCT_PENDING, &dw->work.data);
	queue_work(dw->wq, &dw->work);
}

void dmp_lx_init_delayed_work(struct delayed_work *dw, work_func_t fn)
{
	dmp__lx_init_work(&dw->work, fn);
	timer_setup(&dw->timer, delayed_work_timer, 0);
	dw->wq = NULL;
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, unsigned long delay)
{
	if (!dw->timer.dmp.callout.fn)
		timer_setup(&dw->timer, delayed_work_timer, 0);
	if (work_pending(&dw->work))
		return false;
	if (!delay)
		return queue_work(wq, &dw->work);
	atomic_long_or(WORK_STRUCT_PENDING, &dw->work.data);
	dw->wq = wq;
	dw->work.dmp_wq = wq;
	mod_timer(&dw->timer, jiffies + delay);
	return true;
}

bool cancel_work(struct work_struct *work)
{
	if (!work_pending(work))
		return false;
	if (work->entry.next && !list_empty(&work->entry))
		list_del_init(&work->entry);
	atomic_long_and(~(long)WORK_STRUCT_PENDING, &work->data);
	return true;
}

bool flush_work(struct work_struct *work)
{
	struct workqueue_struct *wq = work->dmp_wq;
	if (!wq || !work_on(wq, work))
		return false;
	wait_event(wq->idle, !work_on(wq, work));
	return true;
}

bool cancel_work_sync(struct work_struct *work)
{
	bool was = cancel_work(work);
	flush_work(work);
	return was;
}

bool cancel_delayed_work(struct delayed_work *dw)
{
	bool timer = dw->timer.dmp.callout.fn && del_timer(&dw->timer);
	if (timer) {
		atomic_long_and(~(long)WORK_STRUCT_PENDING, &dw->work.data);
		return true;
	}
	return cancel_work(&dw->work);
}

bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	bool was = cancel_delayed_work(dw);
	flush_work(&dw->work);
	return was;
}

bool flush_delayed_work(struct delayed_work *dw)
{
	if (dw->timer.dmp.callout.fn && del_timer(&dw->timer)) {
		atomic_long_and(~(long)WORK_STRUCT_PENDING, &dw->work.data);
		queue_work(dw->wq, &dw->work);
	}
	return flush_work(&dw->work);
}

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw, unsigned long delay)
{
	bool was = cancel_delayed_work(dw);
	queue_delayed_work(wq, dw, delay);
	return was;
}

struct work_struct *current_work(void)
{
	for (struct workqueue_struct *wq = all_wqs; wq; wq = wq->next)
		if (wq->worker == &cur->ts)
			return wq->running;
	return NULL;
}

/* --- the machine's lifetime ----------------------------------------------------- */

void dmp_lx_sched_machine_up(struct dmp_sim *s)
{
	dmp_lx_task_current();
	sim = s;
	system_queues_init();
}

void dmp_lx_sched_reap(void)
{
	while (all_wqs)
		destroy_workqueue(all_wqs);
	system_wq = system_highpri_wq = system_long_wq = system_unbound_wq = NULL;
	system_freezable_wq = system_power_efficient_wq = system_bh_wq = NULL;
	/* kthreads a driver left running: stop them, and say so */
	for (;;) {
		struct dmp_lx_task *t = all_tasks;
		while (t && (t == &main_task || t == cur))
			t = t->all_next;
		if (!t)
			break;
		if (t->state != DMP_LX_T_DEAD) {
			dmp_lx_leftover("BUG: kthread %s still running when the machine goes away: stopped",
				 t->ts.comm);
			t->should_stop = true;
			t->ts.__state = TASK_RUNNING;
			wake_task(t);
			dmp_lx_wait_for_completion(&t->exited, MAX_SCHEDULE_TIMEOUT,
						   TASK_UNINTERRUPTIBLE, __FILE__, __LINE__);
		}
		task_free(t);
	}
}

void dmp_lx_sched_machine_down(void)
{
	dmp_lx_sched_reap();
	INIT_LIST_HEAD(&expired_timers);
	tasklets_head = NULL;
	tasklets_tail = &tasklets_head;
	hardirq_depth = softirq_depth = bh_disabled = 0;
	preempt_depth = 0;
	sim = NULL;
}
