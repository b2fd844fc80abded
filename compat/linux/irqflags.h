/* SPDX-License-Identifier: MIT */
/*
 * <linux/irqflags.h> for dmaport's Linux-compat layer: the CPU's interrupt
 * mask (the simulated CPU's, <dmaport/sim/irq.h>).  Restoring an unmasked
 * state takes the interrupts that became pending meanwhile, and runs
 * expired timers, as Linux does when it re-enables interrupts.
 */
#ifndef DMP_COMPAT_LINUX_IRQFLAGS_H
#define DMP_COMPAT_LINUX_IRQFLAGS_H

#include <linux/types.h>

unsigned long dmp_lx_local_irq_save(void);
void dmp_lx_local_irq_restore(unsigned long flags);

#define local_irq_save(flags) ((flags) = dmp_lx_local_irq_save())
#define local_irq_restore(flags) dmp_lx_local_irq_restore(flags)
#define local_irq_disable() ((void)dmp_lx_local_irq_save())
#define local_irq_enable() dmp_lx_local_irq_restore(0)
#define raw_local_irq_save(flags) local_irq_save(flags)
#define raw_local_irq_restore(flags) local_irq_restore(flags)
#define local_save_flags(flags) ((flags) = (unsigned long)dmp_lx_irqs_disabled())
#define irqs_disabled_flags(flags) ((flags) != 0)

bool dmp_lx_irqs_disabled(void);

void dmp_lx_local_bh_disable(void);
void dmp_lx_local_bh_enable(void);
#define local_bh_disable() dmp_lx_local_bh_disable()
#define local_bh_enable() dmp_lx_local_bh_enable()

#endif /* DMP_COMPAT_LINUX_IRQFLAGS_H */
