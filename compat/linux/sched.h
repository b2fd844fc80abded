/* SPDX-License-Identifier: MIT */
/*
 * <linux/sched.h> for dmaport's Linux-compat layer: tasks, their states and
 * the scheduler entry points.
 *
 * The compat runtime runs one simulated CPU.  Tasks (the program's main
 * thread, kthreads, workqueue workers, threaded interrupt handlers) are host
 * threads of which exactly one runs at a time; the others wait at the points
 * where Linux would schedule.  Which task runs next is decided by a FIFO run
 * queue, so a run is the same every time.  When no task can run, the
 * simulated clock jumps to the next event (a device finishing, a timer, a
 * timeout) - time passes only by waiting, delays, MMIO reads and
 * cond_resched()-style points (10 us each; a task that never waits hands the
 * CPU on at such a point once it has run 1 ms): see <dmaport/sim/irq.h>.
 *
 * Waiting where nothing can ever wake the task (no runnable task, no event
 * left) is a deadlock: the runtime reports each task and what it waits on,
 * then aborts, where Linux would hang.  Sleeping in atomic context (a
 * spinlock held, interrupts disabled, an interrupt handler or a timer) is
 * reported ("BUG: sleeping function called from invalid context") and
 * aborts too.
 */
#ifndef DMP_COMPAT_LINUX_SCHED_H
#define DMP_COMPAT_LINUX_SCHED_H

#include <linux/kernel.h>
#include <linux/types.h>

#define TASK_COMM_LEN 16

#define TASK_RUNNING 0x0000
#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define __TASK_STOPPED 0x0004
#define TASK_PARKED 0x0040
#define TASK_DEAD 0x0080
#define TASK_WAKEKILL 0x0100
#define TASK_NOLOAD 0x0400
#define TASK_KILLABLE (TASK_WAKEKILL | TASK_UNINTERRUPTIBLE)
#define TASK_IDLE (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)
#define TASK_NORMAL (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)

#define MAX_SCHEDULE_TIMEOUT ((long)(~0UL >> 1))

struct dmp_lx_task;

/*
 * struct task_struct - the fields drivers read.  @dmp is the runtime's.
 */
struct task_struct {
	char comm[TASK_COMM_LEN];
	pid_t pid;
	pid_t tgid;
	unsigned int __state;
	int prio;
	unsigned int flags;
	struct dmp_lx_task *dmp;
};

#define PF_KTHREAD 0x00200000

struct task_struct *dmp_lx_current(void);
#define current (dmp_lx_current())
#define get_current() (dmp_lx_current())

void dmp_lx_set_current_state(unsigned int state);
#define set_current_state(state) dmp_lx_set_current_state(state)
#define __set_current_state(state) dmp_lx_set_current_state(state)
#define set_special_state(state) dmp_lx_set_current_state(state)
#define task_is_running(task) (READ_ONCE((task)->__state) == TASK_RUNNING)

void dmp_lx_schedule(const char *file, int line);
long dmp_lx_schedule_timeout(long timeout, const char *file, int line);
#define schedule() dmp_lx_schedule(__FILE__, __LINE__)
#define schedule_timeout(t) dmp_lx_schedule_timeout((t), __FILE__, __LINE__)
#define schedule_timeout_interruptible(t)                                               \
	(set_current_state(TASK_INTERRUPTIBLE), schedule_timeout(t))
#define schedule_timeout_killable(t) (set_current_state(TASK_KILLABLE), schedule_timeout(t))
#define schedule_timeout_uninterruptible(t)                                             \
	(set_current_state(TASK_UNINTERRUPTIBLE), schedule_timeout(t))
#define schedule_timeout_idle(t) (set_current_state(TASK_IDLE), schedule_timeout(t))
#define io_schedule() schedule()
#define io_schedule_timeout(t) schedule_timeout(t)

int dmp_lx_wake_up_process(struct task_struct *p);
int dmp_lx_wake_up_state(struct task_struct *p, unsigned int state);
#define wake_up_process(p) dmp_lx_wake_up_process(p)
#define wake_up_state(p, s) dmp_lx_wake_up_state((p), (s))

/* Preemption points: the clock moves 10 us; after 1 ms on the CPU, other
 * runnable tasks run. */
void dmp_lx_cond_resched(void);
bool dmp_lx_need_resched(void);
static inline int cond_resched(void)
{
	dmp_lx_cond_resched();
	return 0;
}
#define need_resched() dmp_lx_need_resched()
#define yield() dmp_lx_cond_resched()
#define cond_resched_lock(lock) 0

void get_task_struct(struct task_struct *t);
void put_task_struct(struct task_struct *t);

/* There are no signals: nothing interrupts a wait. */
static inline int signal_pending(struct task_struct *p)
{
	(void)p;
	return 0;
}
static inline int fatal_signal_pending(struct task_struct *p)
{
	(void)p;
	return 0;
}
static inline int signal_pending_state(unsigned int state, struct task_struct *p)
{
	(void)state;
	(void)p;
	return 0;
}
#define task_pid_nr(tsk) ((tsk)->pid)
#define task_tgid_nr(tsk) ((tsk)->tgid)
#define in_task() (!in_interrupt())

/* One CPU. */
#define smp_processor_id() 0
#define raw_smp_processor_id() 0
#define get_cpu() 0
#define put_cpu() do { } while (0)
#define num_online_cpus() 1U
#define num_possible_cpus() 1U
#define nr_cpu_ids 1U
#define NUMA_NO_NODE (-1)
#define numa_node_id() 0
#define cpu_to_node(cpu) 0
#define dev_to_node(dev) NUMA_NO_NODE
#define set_dev_node(dev, node) do { (void)(dev); (void)(node); } while (0)
#define MAX_NUMNODES 1
#define node_possible(n) ((n) == 0)
#define node_online(n) ((n) == 0)

#include <linux/preempt.h>

#endif /* DMP_COMPAT_LINUX_SCHED_H */
