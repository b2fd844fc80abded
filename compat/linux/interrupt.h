/* SPDX-License-Identifier: MIT */
/*
 * <linux/interrupt.h> for dmaport's Linux-compat layer: interrupt handlers.
 *
 * IRQ numbers come from platform_get_irq(), irq_of_parse_and_map(), a PCI
 * device's irq or pci_irq_vector(); each is a line of the simulated
 * interrupt controller (<dmaport/sim/irq.h>), level or edge as the device
 * tree or the bus says.  A line is enabled at the controller while it has a
 * handler (Linux's irq_startup at the first request_irq).
 *
 * The handler runs when the simulated CPU takes the interrupt: at once when
 * a device raises it and the CPU is not masked, else when the masking ends
 * (spin_unlock_irqrestore, local_irq_enable), when the MMIO access that
 * raised it returns, or when a waiting task lets the clock run - always in
 * hard-interrupt context (in_irq(), CPU masked, must not sleep).  Shared
 * lines (IRQF_SHARED) call every handler.  A handler returning
 * IRQ_WAKE_THREAD wakes its thread, a task that runs thread_fn; with
 * IRQF_ONESHOT the line stays masked until thread_fn returns (a NULL
 * primary handler requires IRQF_ONESHOT, as Linux).  A level line that no
 * handler claims (IRQ_NONE) 100000 times in a row is disabled with Linux's
 * "nobody cared" message.
 *
 * Returns: request_* 0, -EINVAL (bad number, no handler, a NULL handler
 * without ONESHOT, dev_id NULL on a shared line), -EBUSY (the line is
 * taken and not both shared), -ENOMEM.  free_irq returns the devname.
 */
#ifndef DMP_COMPAT_LINUX_INTERRUPT_H
#define DMP_COMPAT_LINUX_INTERRUPT_H

#include <linux/kernel.h>
#include <linux/irqreturn.h>
#include <linux/irqflags.h>
#include <linux/hardirq.h>
#include <linux/device.h>
#include <linux/workqueue.h>

#define IRQF_TRIGGER_NONE 0x00000000
#define IRQF_TRIGGER_RISING 0x00000001
#define IRQF_TRIGGER_FALLING 0x00000002
#define IRQF_TRIGGER_HIGH 0x00000004
#define IRQF_TRIGGER_LOW 0x00000008
#define IRQF_TRIGGER_MASK (IRQF_TRIGGER_HIGH | IRQF_TRIGGER_LOW | IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING)
#define IRQF_SHARED 0x00000080
#define IRQF_PROBE_SHARED 0x00000100
#define __IRQF_TIMER 0x00000200
#define IRQF_PERCPU 0x00000400
#define IRQF_NOBALANCING 0x00000800
#define IRQF_IRQPOLL 0x00001000
#define IRQF_ONESHOT 0x00002000
#define IRQF_NO_SUSPEND 0x00004000
#define IRQF_FORCE_RESUME 0x00008000
#define IRQF_NO_THREAD 0x00010000
#define IRQF_EARLY_RESUME 0x00020000
#define IRQF_COND_SUSPEND 0x00040000
#define IRQF_NO_AUTOEN 0x00080000
#define IRQF_NO_DEBUG 0x00100000
#define IRQF_TIMER (__IRQF_TIMER | IRQF_NO_SUSPEND | IRQF_NO_THREAD)

typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);

int request_threaded_irq(unsigned int irq, irq_handler_t handler, irq_handler_t thread_fn,
			 unsigned long flags, const char *name, void *dev_id);
static inline int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags,
			      const char *name, void *dev_id)
{
	return request_threaded_irq(irq, handler, NULL, flags, name, dev_id);
}
#define request_any_context_irq(irq, handler, flags, name, dev_id)                      \
	request_irq(irq, handler, flags, name, dev_id)
const void *free_irq(unsigned int irq, void *dev_id);

int devm_request_threaded_irq(struct device *dev, unsigned int irq, irq_handler_t handler,
			      irq_handler_t thread_fn, unsigned long irqflags,
			      const char *devname, void *dev_id);
static inline int devm_request_irq(struct device *dev, unsigned int irq, irq_handler_t handler,
				   unsigned long irqflags, const char *devname, void *dev_id)
{
	return devm_request_threaded_irq(dev, irq, handler, NULL, irqflags, devname, dev_id);
}
#define devm_request_any_context_irq(dev, irq, handler, flags, name, dev_id)            \
	devm_request_irq(dev, irq, handler, flags, name, dev_id)
void devm_free_irq(struct device *dev, unsigned int irq, void *dev_id);

void disable_irq(unsigned int irq);
void disable_irq_nosync(unsigned int irq);
bool disable_hardirq(unsigned int irq);
void enable_irq(unsigned int irq);
void synchronize_irq(unsigned int irq);
bool irq_has_action(unsigned int irq);
#define disable_irq_wake(irq) __extension__({ (void)(irq); 0; })
#define enable_irq_wake(irq) __extension__({ (void)(irq); 0; })
#define irq_set_irq_wake(irq, on) __extension__({ (void)(irq); 0; })
#define irq_set_affinity_hint(irq, m) __extension__({ (void)(irq); 0; })
#define irq_set_affinity(irq, m) __extension__({ (void)(irq); 0; })
#define irq_update_affinity_hint(irq, m) __extension__({ (void)(irq); 0; })
#define irq_force_affinity(irq, m) __extension__({ (void)(irq); 0; })

/* Tasklets run as softirqs: when the CPU next runs timers (see <linux/timer.h>). */
struct tasklet_struct {
	struct tasklet_struct *next;
	unsigned long state;
	atomic_t count;
	bool use_callback;
	union {
		void (*func)(unsigned long data);
		void (*callback)(struct tasklet_struct *t);
	};
	unsigned long data;
};
void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data);
void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *));
void tasklet_schedule(struct tasklet_struct *t);
#define tasklet_hi_schedule(t) tasklet_schedule(t)
void tasklet_kill(struct tasklet_struct *t);
void tasklet_disable(struct tasklet_struct *t);
void tasklet_enable(struct tasklet_struct *t);
#define tasklet_disable_nosync(t) tasklet_disable(t)
#define from_tasklet(var, callback_tasklet, tasklet_fieldname)                          \
	container_of(callback_tasklet, __typeof__(*var), tasklet_fieldname)
#define DECLARE_TASKLET(name, _callback)                                                \
	struct tasklet_struct name = { .count = ATOMIC_INIT(0), .use_callback = true,   \
				       .callback = _callback }
#define DECLARE_TASKLET_OLD(name, _func)                                                \
	struct tasklet_struct name = { .count = ATOMIC_INIT(0), .func = _func }

#endif /* DMP_COMPAT_LINUX_INTERRUPT_H */
