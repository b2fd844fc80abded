/* SPDX-License-Identifier: MIT */
/*
 * <linux/preempt.h> for dmaport's Linux-compat layer: the context the CPU
 * is in.  in_irq()/in_hardirq() inside an interrupt handler, in_softirq()
 * inside a timer callback, in_atomic() also with a spinlock held or
 * preemption disabled (the runtime counts them: sleeping there is reported).
 */
#ifndef DMP_COMPAT_LINUX_PREEMPT_H
#define DMP_COMPAT_LINUX_PREEMPT_H

#include <linux/types.h>

unsigned int dmp_lx_hardirq_count(void);
unsigned int dmp_lx_softirq_count(void);
unsigned int dmp_lx_preempt_count(void);
void dmp_lx_preempt_add(int delta);
bool dmp_lx_irqs_disabled(void);

#define in_hardirq() (dmp_lx_hardirq_count() != 0)
#define in_irq() in_hardirq()
#define in_softirq() (dmp_lx_softirq_count() != 0)
#define in_serving_softirq() in_softirq()
#define in_interrupt() (in_hardirq() || in_softirq())
#define in_nmi() 0
#define in_atomic() (in_interrupt() || dmp_lx_preempt_count() != 0)
#define irqs_disabled() dmp_lx_irqs_disabled()
#define preemptible() (!in_atomic() && !irqs_disabled())
#define preempt_count() dmp_lx_preempt_count()

#define preempt_disable() dmp_lx_preempt_add(1)
#define preempt_enable() dmp_lx_preempt_add(-1)
#define preempt_enable_no_resched() dmp_lx_preempt_add(-1)
#define preempt_disable_notrace() preempt_disable()
#define preempt_enable_notrace() preempt_enable()
#define migrate_disable() do { } while (0)
#define migrate_enable() do { } while (0)

#endif /* DMP_COMPAT_LINUX_PREEMPT_H */
