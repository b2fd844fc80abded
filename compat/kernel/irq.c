/* SPDX-License-Identifier: MIT */
/*
 * irq.c - Linux interrupt numbers, handlers and threaded handlers on the
 * simulated interrupt controller (see <linux/interrupt.h>).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/irq.h>
#include <linux/kthread.h>

#include "runtime.h"

#define NR_LX_IRQS 1024
/* Linux's note_interrupt: a line disabled when 99900 of 100000 go unhandled. */
#define SPURIOUS_WINDOW 100000
#define SPURIOUS_LIMIT 99900

struct irqaction {
	irq_handler_t handler;
	irq_handler_t thread_fn;
	unsigned long flags;
	const char *name;
	void *dev_id;
	unsigned int irq;
	struct task_struct *thread;
	bool thread_pending;
	bool thread_running;
	struct wait_queue_head thread_wq;
	struct irqaction *next;
};

struct irq_desc {
	bool mapped;
	unsigned int hwirq;
	enum dmp_sim_irq_trigger trigger;
	struct irqaction *actions;
	unsigned int depth;         /* disable_irq nesting; the line is masked while > 0 */
	unsigned int oneshot;       /* ONESHOT threads still to run */
	unsigned int count, unhandled;
	bool spurious_off;          /* disabled by the spurious detector */
};

static struct irq_desc descs[NR_LX_IRQS];
static unsigned int next_irq = 1; /* 0 is "no interrupt" in Linux */
static unsigned int hw_to_irq[DMP_SIM_NR_IRQS];
static struct dmp_sim *sim;

static struct irq_desc *desc_of(unsigned int irq)
{
	return irq > 0 && irq < NR_LX_IRQS && descs[irq].mapped ? &descs[irq] : NULL;
}

int dmp_lx_irq_hwirq(unsigned int irq)
{
	struct irq_desc *d = desc_of(irq);
	return d ? (int)d->hwirq : -EINVAL;
}

/* The controller line is open when someone handles it and nobody disabled it. */
static void line_update(struct irq_desc *d)
{
	bool open = d->actions && !d->depth && !d->oneshot && !d->spurious_off;
	if (sim)
		dmp_sim_irq_enable(sim, d->hwirq, open);
}

unsigned int dmp_lx_irq_map(unsigned int hwirq, enum dmp_sim_irq_trigger trigger)
{
	if (hwirq >= DMP_SIM_NR_IRQS)
		return 0;
	if (hw_to_irq[hwirq])
		return hw_to_irq[hwirq];
	if (next_irq >= NR_LX_IRQS)
		return 0;
	unsigned int irq = next_irq++;
	struct irq_desc *d = &descs[irq];
	memset(d, 0, sizeof(*d));
	d->mapped = true;
	d->hwirq = hwirq;
	d->trigger = trigger;
	hw_to_irq[hwirq] = irq;
	if (sim) {
		dmp_sim_irq_configure(sim, hwirq, trigger);
		dmp_sim_irq_enable(sim, hwirq, false); /* until someone requests it */
	}
	return irq;
}

unsigned int dmp_lx_irq_map_msi(unsigned int first_hwirq, unsigned int n)
{
	if (!n || next_irq + n > NR_LX_IRQS)
		return 0;
	unsigned int first = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (hw_to_irq[first_hwirq + i])
			return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned int irq = dmp_lx_irq_map(first_hwirq + i, DMP_SIM_IRQ_EDGE);
		if (!first)
			first = irq;
	}
	return first;
}

/* What the CPU runs when it takes line @hwirq (the sim's entry). */
static void irq_entry(void *cookie, unsigned int hwirq)
{
	(void)cookie;
	unsigned int irq = hw_to_irq[hwirq];
	struct irq_desc *d = desc_of(irq);
	if (!d || !d->actions) {
		/* nobody handles it: close the line, as Linux masks an unrequested one */
		dmp_sim_irq_enable(sim, hwirq, false);
		return;
	}
	dmp_lx_hardirq_enter();
	irqreturn_t ret = IRQ_NONE;
	bool woke_oneshot = false;
	for (struct irqaction *a = d->actions; a; a = a->next) {
		irqreturn_t r = a->handler(irq, a->dev_id);
		if ((r & IRQ_WAKE_THREAD) && a->thread) {
			a->thread_pending = true;
			if (a->flags & IRQF_ONESHOT) {
				d->oneshot++;
				woke_oneshot = true;
			}
			wake_up(&a->thread_wq);
		} else if (r & IRQ_WAKE_THREAD) {
			dmp_log("irq %u handler %s returned IRQ_WAKE_THREAD without a thread", irq,
				 a->name ? a->name : "?");
		}
		ret |= r;
	}
	d->count++;
	if (ret == IRQ_NONE)
		d->unhandled++;
	if (d->count >= SPURIOUS_WINDOW) {
		if (d->unhandled > SPURIOUS_LIMIT) {
			dmp_log("irq %u: nobody cared (try booting with the \"irqpoll\" option)", irq);
			dmp_log("Disabling IRQ #%u", irq);
			d->spurious_off = true;
		}
		d->count = d->unhandled = 0;
	}
	/* a ONESHOT line stays masked until its thread has run */
	if (woke_oneshot || d->spurious_off)
		line_update(d);
	dmp_lx_hardirq_exit();
}

static irqreturn_t default_primary(int irq, void *dev_id)
{
	(void)irq;
	(void)dev_id;
	return IRQ_WAKE_THREAD;
}

static int irq_thread(void *data)
{
	struct irqaction *a = data;
	for (;;) {
		wait_event(a->thread_wq, a->thread_pending || kthread_should_stop());
		if (!a->thread_pending)
			break;
		a->thread_pending = false;
		a->thread_running = true;
		a->thread_fn((int)a->irq, a->dev_id);
		a->thread_running = false;
		struct irq_desc *d = desc_of(a->irq);
		if (d && (a->flags & IRQF_ONESHOT) && d->oneshot) {
			d->oneshot--;
			line_update(d);
		}
		wake_up_all(&a->thread_wq);
	}
	return 0;
}

int request_threaded_irq(unsigned int irq, irq_handler_t handler, irq_handler_t thread_fn,
			 unsigned long flags, const char *name, void *dev_id)
{
	struct irq_desc *d = desc_of(irq);
	if (!d || (!handler && !thread_fn))
		return -EINVAL;
	if ((flags & IRQF_SHARED) && !dev_id)
		return -EINVAL;
	if (!handler) {
		if (!(flags & IRQF_ONESHOT)) {
			dmp_log("genirq: Threaded irq requested with handler=NULL and !ONESHOT for "
				 "%s (irq %u)", name ? name : "?", irq);
			return -EINVAL;
		}
		handler = default_primary;
	}
	if (in_interrupt())
		dmp_lx_fatal("BUG: request_irq from interrupt context");
	for (struct irqaction *o = d->actions; o; o = o->next)
		if (!(o->flags & flags & IRQF_SHARED) ||
		    ((o->flags ^ flags) & IRQF_ONESHOT)) {
			dmp_log("genirq: Flags mismatch irq %u. %08lx (%s) vs. %08lx (%s)", irq,
				 flags, name ? name : "?", o->flags, o->name ? o->name : "?");
			return -EBUSY;
		}
	struct irqaction *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->handler = handler;
	a->thread_fn = thread_fn;
	a->flags = flags;
	a->name = name;
	a->dev_id = dev_id;
	a->irq = irq;
	init_waitqueue_head(&a->thread_wq);
	if (thread_fn) {
		a->thread = kthread_create(irq_thread, a, "irq/%u-%s", irq, name ? name : "");
		if (IS_ERR(a->thread)) {
			free(a);
			return -ENOMEM;
		}
		wake_up_process(a->thread);
	}
	struct irqaction **pp = &d->actions;
	while (*pp)
		pp = &(*pp)->next;
	*pp = a;
	if ((flags & IRQF_NO_AUTOEN) && a == d->actions)
		d->depth++;
	line_update(d);
	return 0;
}

const void *free_irq(unsigned int irq, void *dev_id)
{
	struct irq_desc *d = desc_of(irq);
	if (in_interrupt())
		dmp_lx_fatal("BUG: free_irq from interrupt context");
	struct irqaction **pp = d ? &d->actions : NULL;
	while (pp && *pp && (*pp)->dev_id != dev_id)
		pp = &(*pp)->next;
	if (!pp || !*pp) {
		WARN(1, "Trying to free already-free IRQ %u", irq);
		return NULL;
	}
	struct irqaction *a = *pp;
	*pp = a->next;
	line_update(d);
	if (a->thread) {
		/* the thread finishes what it was woken for first, as Linux's */
		kthread_stop(a->thread);
		if (a->thread_pending && (a->flags & IRQF_ONESHOT) && d->oneshot)
			d->oneshot--;
	}
	if (!d->actions) {
		d->depth = 0;
		d->oneshot = 0;
		d->spurious_off = false;
	}
	const char *name = a->name;
	free(a);
	return name;
}

struct irq_devres {
	unsigned int irq;
	void *dev_id;
};

static void devm_irq_release(struct device *dev, void *res)
{
	(void)dev;
	struct irq_devres *r = res;
	free_irq(r->irq, r->dev_id);
}

static int devm_irq_match(struct device *dev, void *res, void *data)
{
	(void)dev;
	struct irq_devres *r = res, *m = data;
	return r->irq == m->irq && r->dev_id == m->dev_id;
}

int devm_request_threaded_irq(struct device *dev, unsigned int irq, irq_handler_t handler,
			      irq_handler_t thread_fn, unsigned long irqflags,
			      const char *devname, void *dev_id)
{
	struct irq_devres *r = devres_alloc(devm_irq_release, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	if (!devname)
		devname = dev_name(dev);
	int ret = request_threaded_irq(irq, handler, thread_fn, irqflags, devname, dev_id);
	if (ret) {
		devres_free(r);
		return ret;
	}
	r->irq = irq;
	r->dev_id = dev_id;
	devres_add(dev, r);
	return 0;
}

void devm_free_irq(struct device *dev, unsigned int irq, void *dev_id)
{
	struct irq_devres m = { irq, dev_id };
	WARN_ON(devres_release(dev, devm_irq_release, devm_irq_match, &m));
}

void synchronize_irq(unsigned int irq)
{
	struct irq_desc *d = desc_of(irq);
	if (!d)
		return;
	/* hard handlers run to completion when taken; wait for the threads */
	for (struct irqaction *a = d->actions; a; a = a->next)
		if (a->thread)
			wait_event(a->thread_wq, !a->thread_pending && !a->thread_running);
}

void disable_irq_nosync(unsigned int irq)
{
	struct irq_desc *d = desc_of(irq);
	if (!d)
		return;
	d->depth++;
	line_update(d);
}

void disable_irq(unsigned int irq)
{
	disable_irq_nosync(irq);
	if (!in_interrupt())
		synchronize_irq(irq);
}

bool disable_hardirq(unsigned int irq)
{
	disable_irq_nosync(irq);
	return true;
}

void enable_irq(unsigned int irq)
{
	struct irq_desc *d = desc_of(irq);
	if (!d)
		return;
	if (!d->depth) {
		WARN(1, "Unbalanced enable for IRQ %u", irq);
		return;
	}
	d->depth--;
	line_update(d);
}

bool irq_has_action(unsigned int irq)
{
	struct irq_desc *d = desc_of(irq);
	return d && d->actions;
}

unsigned int irq_get_trigger_type(unsigned int irq)
{
	struct irq_desc *d = desc_of(irq);
	if (!d)
		return IRQ_TYPE_NONE;
	return d->trigger == DMP_SIM_IRQ_LEVEL ? IRQ_TYPE_LEVEL_HIGH : IRQ_TYPE_EDGE_RISING;
}

int irq_set_irq_type(unsigned int irq, unsigned int type)
{
	struct irq_desc *d = desc_of(irq);
	if (!d)
		return -EINVAL;
	d->trigger = (type & IRQ_TYPE_LEVEL_MASK) ? DMP_SIM_IRQ_LEVEL : DMP_SIM_IRQ_EDGE;
	if (sim)
		dmp_sim_irq_configure(sim, d->hwirq, d->trigger);
	return 0;
}

void dmp_lx_irq_machine_up(struct dmp_sim *s)
{
	sim = s;
	memset(descs, 0, sizeof(descs));
	memset(hw_to_irq, 0, sizeof(hw_to_irq));
	next_irq = 1;
	dmp_sim_irq_set_entry(sim, irq_entry, NULL);
}

void dmp_lx_irq_machine_down(void)
{
	for (unsigned int i = 1; i < next_irq; i++) {
		struct irq_desc *d = &descs[i];
		while (d->actions) {
			dmp_lx_leftover("BUG: irq %u (%s) still requested when the machine goes away: freed", i,
				 d->actions->name ? d->actions->name : "?");
			free_irq(i, d->actions->dev_id);
		}
	}
	if (sim)
		dmp_sim_irq_set_entry(sim, NULL, NULL);
	sim = NULL;
	next_irq = 1;
	memset(hw_to_irq, 0, sizeof(hw_to_irq));
}
