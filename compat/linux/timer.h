/* SPDX-License-Identifier: MIT */
/*
 * <linux/timer.h> for dmaport's Linux-compat layer: timer_list on the
 * simulated clock.
 *
 * @expires is in jiffies.  The callback runs in softirq context
 * (in_softirq(): it must not sleep) when the clock passes @expires and the
 * CPU can take it: not with interrupts masked, bottom halves disabled, or in
 * an interrupt handler - then as soon as those end, as Linux runs timers on
 * interrupt exit.  Both callback forms exist: today's, taking the
 * timer_list (timer_setup, from_timer), and before Linux 4.15's, taking an
 * unsigned long (setup_timer, init_timer with .function and .data).
 */
#ifndef DMP_COMPAT_LINUX_TIMER_H
#define DMP_COMPAT_LINUX_TIMER_H

#include <time.h> /* the C library's timer_delete() first: ours is a macro */

#include <linux/types.h>
#include <linux/list.h>
#include <linux/jiffies.h>
#include <linux/kconfig.h>
#include <dmaport/sim/irq.h>

struct timer_list;

/* The runtime's part of a timer: a callout on the simulated clock. */
struct dmp_lx_timer {
	struct dmp_sim_callout callout;
	struct list_head pending; /* expired, waiting for the CPU to run it */
	bool legacy;      /* function(unsigned long data) */
	bool running;
};

struct timer_list {
	unsigned long expires;
#if DMP_LINUX_VERSION < KERNEL_VERSION(4, 15, 0)
	void (*function)(unsigned long data);
	unsigned long data;
#else
	void (*function)(struct timer_list *t);
	unsigned long dmp__data;
#endif
	u32 flags;
	struct dmp_lx_timer dmp;
};

#define TIMER_DEFERRABLE 0x00080000
#define TIMER_PINNED 0x00100000
#define TIMER_IRQSAFE 0x00200000

void dmp_lx_timer_init(struct timer_list *t, void *fn, unsigned long data, u32 flags, bool legacy);
int dmp_lx_mod_timer(struct timer_list *t, unsigned long expires);
int dmp_lx_del_timer(struct timer_list *t, bool sync);

#define timer_setup(t, fn, fl) dmp_lx_timer_init((t), (void *)(fn), 0, (fl), false)
#define timer_setup_on_stack(t, fn, fl) timer_setup(t, fn, fl)
#define from_timer(var, callback_timer, timer_fieldname)                                \
	container_of(callback_timer, __typeof__(*var), timer_fieldname)
#define timer_container_of(var, callback_timer, timer_fieldname)                        \
	from_timer(var, callback_timer, timer_fieldname)
#if DMP_LINUX_VERSION < KERNEL_VERSION(4, 15, 0)
#define setup_timer(t, fn, d) dmp_lx_timer_init((t), (void *)(fn), (d), 0, true)
#define init_timer(t) dmp_lx_timer_init((t), NULL, 0, 0, true)
#endif
#define DEFINE_TIMER(name, fn) struct timer_list name = { .function = (fn) }

#define mod_timer(t, expires) dmp_lx_mod_timer((t), (expires))
#define mod_timer_pending(t, expires) (timer_pending(t) ? mod_timer(t, expires) : 0)
#define timer_reduce(t, expires) mod_timer(t, expires)
#define add_timer(t) ((void)dmp_lx_mod_timer((t), (t)->expires))
#define add_timer_on(t, cpu) add_timer(t)
#define del_timer(t) dmp_lx_del_timer((t), false)
#define del_timer_sync(t) dmp_lx_del_timer((t), true)
#define timer_delete(t) dmp_lx_del_timer((t), false)
#define timer_delete_sync(t) dmp_lx_del_timer((t), true)
#define timer_shutdown(t) dmp_lx_del_timer((t), false)
#define timer_shutdown_sync(t) dmp_lx_del_timer((t), true)
#define destroy_timer_on_stack(t) do { (void)(t); } while (0)
bool dmp_lx_timer_pending(const struct timer_list *t);
#define timer_pending(t) dmp_lx_timer_pending(t)

#endif /* DMP_COMPAT_LINUX_TIMER_H */
