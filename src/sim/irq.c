/* SPDX-License-Identifier: MIT */
/*
 * irq.c - the simulated machine's virtual clock, its callouts, and its
 * interrupt controller (see <dmaport/sim/irq.h>).
 */
#include <stdlib.h>

#include "sim-internal.h"

/*
 * The depth of MMIO accesses on this thread: an interrupt a device model
 * raises from its register handler is taken when the outermost access
 * returns, so a model is never re-entered by the handler it woke.
 */
static _Thread_local unsigned int mmio_depth;

uint64_t dmp_sim_now(struct dmp_sim *sim)
{
	return sim->now;
}

void dmp_sim_callout_init(struct dmp_sim_callout *c, dmp_sim_callout_fn fn, void *cookie)
{
	*c = (struct dmp_sim_callout){ .fn = fn, .cookie = cookie };
}

/* Unlink @c if armed; the caller holds the lock. */
static bool callout_unlink(struct dmp_sim *sim, struct dmp_sim_callout *c)
{
	if (!c->armed)
		return false;
	for (struct dmp_sim_callout **pp = &sim->callouts; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->armed = false;
	c->next = NULL;
	return true;
}

void dmp_sim_callout_arm(struct dmp_sim *sim, struct dmp_sim_callout *c, uint64_t delay_ns)
{
	DMP_ASSERT(c->fn);
	dmp_spin_lock(&sim->lock);
	callout_unlink(sim, c);
	uint64_t now = sim->now;
	c->when = now + delay_ns < now ? UINT64_MAX : now + delay_ns;
	c->seq = sim->callout_seq++;
	/* after every callout with the same deadline: ties run in arming order */
	struct dmp_sim_callout **pp = &sim->callouts;
	while (*pp && (*pp)->when <= c->when)
		pp = &(*pp)->next;
	c->next = *pp;
	*pp = c;
	c->armed = true;
	dmp_spin_unlock(&sim->lock);
}

bool dmp_sim_callout_cancel(struct dmp_sim *sim, struct dmp_sim_callout *c)
{
	dmp_spin_lock(&sim->lock);
	bool was = callout_unlink(sim, c);
	dmp_spin_unlock(&sim->lock);
	return was;
}

bool dmp_sim_next_deadline(struct dmp_sim *sim, uint64_t *when)
{
	dmp_spin_lock(&sim->lock);
	bool any = sim->callouts != NULL;
	if (any)
		*when = sim->callouts->when;
	dmp_spin_unlock(&sim->lock);
	return any;
}

unsigned int dmp_sim_advance(struct dmp_sim *sim, uint64_t until)
{
	unsigned int ran = 0;
	for (;;) {
		dmp_spin_lock(&sim->lock);
		struct dmp_sim_callout *c = sim->callouts;
		if (!c || c->when > until) {
			if (sim->now < until)
				sim->now = until;
			dmp_spin_unlock(&sim->lock);
			break;
		}
		callout_unlink(sim, c);
		if (sim->now < c->when)
			sim->now = c->when;
		dmp_spin_unlock(&sim->lock);
		c->fn(c->cookie);
		ran++;
		/* an interrupt the callout raised is taken before the next one runs */
		dmp_sim_irq_deliver(sim);
	}
	return ran;
}

/* --- the interrupt controller ------------------------------------------ */

static struct sim_irq_line *line_of(struct dmp_sim *sim, unsigned int irq)
{
	return irq < DMP_SIM_NR_IRQS ? &sim->lines[irq] : NULL;
}

static bool line_pending(const struct sim_irq_line *l)
{
	return l->latched || l->asserted;
}

/* Apply a change to @l, keeping the count of pending lines; under the lock. */
static void line_update(struct dmp_sim *sim, struct sim_irq_line *l, bool latched, bool asserted)
{
	bool was = line_pending(l);
	l->latched = latched;
	l->asserted = asserted;
	bool now = line_pending(l);
	if (was != now) {
		if (now)
			sim->nr_pending++;
		else
			sim->nr_pending--;
	}
}

void dmp_sim_irq_set_entry(struct dmp_sim *sim, dmp_sim_irq_entry_fn fn, void *cookie)
{
	sim->irq_entry = fn;
	sim->irq_cookie = cookie;
}

int dmp_sim_irq_configure(struct dmp_sim *sim, unsigned int irq, enum dmp_sim_irq_trigger trigger)
{
	struct sim_irq_line *l = line_of(sim, irq);
	if (!l || (trigger != DMP_SIM_IRQ_EDGE && trigger != DMP_SIM_IRQ_LEVEL))
		return -EINVAL;
	dmp_spin_lock(&sim->lock);
	l->trigger = (uint8_t)trigger;
	dmp_spin_unlock(&sim->lock);
	return 0;
}

void dmp_sim_irq_raise(struct dmp_sim *sim, unsigned int irq)
{
	struct sim_irq_line *l = line_of(sim, irq);
	if (!l)
		return;
	dmp_spin_lock(&sim->lock);
	line_update(sim, l, true, l->asserted);
	dmp_spin_unlock(&sim->lock);
	dmp_sim_irq_deliver(sim);
}

void dmp_sim_irq_set_level(struct dmp_sim *sim, unsigned int irq, bool asserted)
{
	struct sim_irq_line *l = line_of(sim, irq);
	if (!l)
		return;
	dmp_spin_lock(&sim->lock);
	if (l->trigger == DMP_SIM_IRQ_EDGE)
		/* an edge line sees the rising edge only */
		line_update(sim, l, l->latched || (asserted && !l->asserted), asserted);
	else
		line_update(sim, l, l->latched, asserted);
	dmp_spin_unlock(&sim->lock);
	if (asserted)
		dmp_sim_irq_deliver(sim);
}

void dmp_sim_irq_enable(struct dmp_sim *sim, unsigned int irq, bool enable)
{
	struct sim_irq_line *l = line_of(sim, irq);
	if (!l)
		return;
	l->disabled = !enable;
	if (enable)
		dmp_sim_irq_deliver(sim);
}

bool dmp_sim_irq_pending(struct dmp_sim *sim, unsigned int irq)
{
	struct sim_irq_line *l = line_of(sim, irq);
	return l && line_pending(l);
}

uint64_t dmp_sim_irq_count(struct dmp_sim *sim, unsigned int irq)
{
	struct sim_irq_line *l = line_of(sim, irq);
	return l ? l->count : 0;
}

void dmp_sim_irq_cpu_mask(struct dmp_sim *sim)
{
	sim->cpu_masked = true;
}

void dmp_sim_irq_cpu_unmask(struct dmp_sim *sim)
{
	sim->cpu_masked = false;
	dmp_sim_irq_deliver(sim);
}

bool dmp_sim_irq_cpu_masked(struct dmp_sim *sim)
{
	return sim->cpu_masked;
}

/* The lowest-numbered line that is pending and enabled (the GIC's highest
 * priority at equal priorities), or -1. */
static int next_ready(struct dmp_sim *sim)
{
	if (!sim->nr_pending)
		return -1;
	for (unsigned int i = 0; i < DMP_SIM_NR_IRQS; i++)
		if (line_pending(&sim->lines[i]) && !sim->lines[i].disabled)
			return (int)i;
	return -1;
}

void dmp_sim_irq_deliver(struct dmp_sim *sim)
{
	if (!sim->irq_entry || sim->cpu_masked || sim->in_irq || mmio_depth)
		return;
	for (;;) {
		dmp_spin_lock(&sim->lock);
		int irq = next_ready(sim);
		if (irq < 0) {
			dmp_spin_unlock(&sim->lock);
			return;
		}
		struct sim_irq_line *l = &sim->lines[irq];
		/* taking an edge interrupt acknowledges it; a level one stays
		 * pending for as long as the device asserts it */
		line_update(sim, l, false, l->asserted);
		l->count++;
		dmp_spin_unlock(&sim->lock);
		/* exception entry masks the CPU; the return unmasks it */
		sim->in_irq = true;
		sim->cpu_masked = true;
		sim->irq_entry(sim->irq_cookie, (unsigned int)irq);
		sim->cpu_masked = false;
		sim->in_irq = false;
	}
}

int dmp_sim_irq_xlate(const uint32_t *cells, unsigned int n, unsigned int *irq,
		      enum dmp_sim_irq_trigger *trigger)
{
	uint64_t line;
	uint32_t flags = 0;
	switch (n) {
	case 3: /* bindings/interrupt-controller/arm,gic.yaml */
		if (cells[0] > 1)
			return -EINVAL;
		line = (uint64_t)cells[1] + (cells[0] == 0 ? 32 : 16);
		flags = cells[2] & 0xf;
		break;
	case 2:
		flags = cells[1] & 0xf;
		/* fall through */
	case 1:
		line = cells[0];
		break;
	default:
		return -EINVAL;
	}
	if (line >= DMP_SIM_MSI_BASE)
		return -EINVAL;
	*irq = (unsigned int)line;
	/* IRQ_TYPE_LEVEL_HIGH 4, IRQ_TYPE_LEVEL_LOW 8; edges 1, 2; none: level */
	*trigger = (flags & 0x3) ? DMP_SIM_IRQ_EDGE : DMP_SIM_IRQ_LEVEL;
	return 0;
}

/* --- devices' outputs ---------------------------------------------------- */

int dmp_sim_device_set_irq(struct dmp_sim_device *dev, unsigned int index, unsigned int irq,
			   enum dmp_sim_irq_trigger trigger)
{
	if (index >= DMP_SIM_DEVICE_MAX_IRQS || dmp_sim_irq_configure(dev->sim, irq, trigger))
		return -EINVAL;
	dev->irq[index] = (int)irq;
	return 0;
}

int dmp_sim_device_irq(struct dmp_sim_device *dev, unsigned int index)
{
	if (index >= DMP_SIM_DEVICE_MAX_IRQS || dev->irq[index] < 0)
		return -ENOENT;
	return dev->irq[index];
}

void dmp_sim_device_raise_irq(struct dmp_sim_device *dev, unsigned int index)
{
	int irq = dmp_sim_device_irq(dev, index);
	if (irq >= 0)
		dmp_sim_irq_raise(dev->sim, (unsigned int)irq);
}

void dmp_sim_device_set_irq_level(struct dmp_sim_device *dev, unsigned int index, bool asserted)
{
	int irq = dmp_sim_device_irq(dev, index);
	if (irq >= 0)
		dmp_sim_irq_set_level(dev->sim, (unsigned int)irq, asserted);
}

/* --- hooks for the MMIO path (device.c) ---------------------------------- */

void dmp__sim_mmio_enter(struct dmp_sim *sim, bool read)
{
	/* a read waits for the bus: the time it takes passes first, so a
	 * device finishing meanwhile shows in the value read */
	if (read && !mmio_depth)
		dmp_sim_advance(sim, sim->now + DMP_SIM_MMIO_READ_NS);
	mmio_depth++;
}

void dmp__sim_mmio_exit(struct dmp_sim *sim)
{
	if (--mmio_depth == 0)
		dmp_sim_irq_deliver(sim);
}

void dmp__sim_irq_destroy(struct dmp_sim *sim)
{
	free(sim->lines);
	sim->lines = NULL;
}
