/* SPDX-License-Identifier: MIT */
/*
 * dmaport/sim/irq.h - simulated time and interrupts.
 *
 * Callers' header, for device models (which complete work later and raise
 * interrupts) and for the operating system layer that runs drivers on the
 * simulated machine (the Linux-compat driver core).
 *
 * Time.  The simulated machine has a virtual clock in nanoseconds that starts
 * at 0 and moves only forward, and only when something moves it: an OS layer
 * that waits or delays (dmp_sim_advance), and every MMIO read, which takes
 * DMP_SIM_MMIO_READ_NS of bus time (so a driver polling a status register
 * sees time pass and a device finish, as on hardware).  CPU work between
 * those takes no time.  A device model that finishes later arms a callout;
 * callouts run in order of their deadline, ties in the order they were
 * armed: the same program gives the same sequence of events on every run.
 *
 * Interrupts.  An interrupt controller with DMP_SIM_NR_IRQS lines, numbered
 * as a GIC numbers them (SPI n is line 32 + n, see dmp_sim_irq_xlate()); MSIs
 * use lines from DMP_SIM_MSI_BASE.  A line is edge (an MSI, an edge SPI: each
 * raise latches it pending once) or level (an INTx, a level SPI: pending for
 * as long as the device holds it asserted).  The CPU takes a pending, enabled
 * interrupt by calling the entry function the OS installed, with interrupts
 * masked for the call (as an exception entry masks them) - at the first
 * moment it can:
 *   - at once, when a callout raises it while the CPU is not masked;
 *   - when an MMIO access that caused it returns (a device model raising an
 *     interrupt from its register handler does not re-enter itself);
 *   - when the OS unmasks interrupts (dmp_sim_irq_cpu_unmask).
 * A level interrupt still asserted after the handler returns is taken again;
 * the OS layer decides when a line that nobody handles gets disabled.
 *
 * All of this is for one simulated CPU: call it from one thread at a time
 * (the compat driver core runs its tasks one at a time).
 */
#ifndef DMAPORT_SIM_IRQ_H
#define DMAPORT_SIM_IRQ_H

#include <dmaport/sim.h>

DMP_BEGIN_DECLS

/* Bus time of one MMIO read. */
#define DMP_SIM_MMIO_READ_NS 100

/*
 * Callouts: caller-owned storage (zero it, or dmp_sim_callout_init), armed
 * on one machine at a time.
 */
typedef void (*dmp_sim_callout_fn)(void *cookie);

struct dmp_sim_callout {
	dmp_sim_callout_fn fn;
	void *cookie;
	/* private to the clock */
	uint64_t when;
	uint64_t seq;
	bool armed;
	struct dmp_sim_callout *next;
};

/** dmp_sim_now - the virtual time of @sim in nanoseconds. */
DMP_API uint64_t dmp_sim_now(struct dmp_sim *sim);

/** dmp_sim_callout_init - a disarmed callout that will call @fn(@cookie). */
DMP_API void dmp_sim_callout_init(struct dmp_sim_callout *c, dmp_sim_callout_fn fn, void *cookie);

/**
 * dmp_sim_callout_arm - run @c's function once, @delay_ns from now (0: at the
 * next advance of the clock, even by 0 ns).  Re-arming an armed callout moves
 * it (Linux's mod_timer).  The function runs on whatever thread advances the
 * clock, in interrupt-like context: it must not wait.
 */
DMP_API void dmp_sim_callout_arm(struct dmp_sim *sim, struct dmp_sim_callout *c, uint64_t delay_ns);

/** dmp_sim_callout_cancel - disarm @c; returns whether it was armed. */
DMP_API bool dmp_sim_callout_cancel(struct dmp_sim *sim, struct dmp_sim_callout *c);

/** dmp_sim_callout_armed - whether @c is waiting to run. */
static inline bool dmp_sim_callout_armed(const struct dmp_sim_callout *c)
{
	return c->armed;
}

/**
 * dmp_sim_next_deadline - the deadline of the earliest armed callout.
 * Returns false (and leaves *@when alone) when none is armed.
 */
DMP_API bool dmp_sim_next_deadline(struct dmp_sim *sim, uint64_t *when);

/**
 * dmp_sim_advance - move the clock to @until (no-op if it is already there
 * or later), running every callout whose deadline is at or before it, in
 * order, with the clock at each one's deadline.  A callout armed meanwhile
 * with a deadline at or before @until runs too.  Returns how many ran.
 */
DMP_API unsigned int dmp_sim_advance(struct dmp_sim *sim, uint64_t until);

/*
 * Interrupts.
 */
#define DMP_SIM_NR_IRQS 4096
#define DMP_SIM_MSI_BASE 2048 /* lines from here on are MSI targets (edge) */

enum dmp_sim_irq_trigger {
	DMP_SIM_IRQ_EDGE = 0,
	DMP_SIM_IRQ_LEVEL = 1,
};

/** The OS's interrupt entry: called with the CPU masked, for line @irq. */
typedef void (*dmp_sim_irq_entry_fn)(void *cookie, unsigned int irq);

/**
 * dmp_sim_irq_set_entry - install the OS's interrupt entry (NULL: none; raised
 * interrupts then stay pending, for code that polls them).
 */
DMP_API void dmp_sim_irq_set_entry(struct dmp_sim *sim, dmp_sim_irq_entry_fn fn, void *cookie);

/**
 * dmp_sim_irq_configure - a line's trigger.  Lines start edge-triggered and
 * enabled.  Returns 0 or -EINVAL (no such line).
 */
DMP_API int dmp_sim_irq_configure(struct dmp_sim *sim, unsigned int irq,
				  enum dmp_sim_irq_trigger trigger);

/** dmp_sim_irq_raise - an edge on @irq (or an MSI write to it): pending once. */
DMP_API void dmp_sim_irq_raise(struct dmp_sim *sim, unsigned int irq);

/** dmp_sim_irq_set_level - a device asserts (or deasserts) level line @irq. */
DMP_API void dmp_sim_irq_set_level(struct dmp_sim *sim, unsigned int irq, bool asserted);

/**
 * dmp_sim_irq_enable - enable or disable a line at the controller (the OS's
 * enable_irq/disable_irq).  A disabled line keeps its pending state and is
 * taken when enabled again.
 */
DMP_API void dmp_sim_irq_enable(struct dmp_sim *sim, unsigned int irq, bool enable);

/** dmp_sim_irq_pending - whether @irq is pending (an edge latched, or asserted). */
DMP_API bool dmp_sim_irq_pending(struct dmp_sim *sim, unsigned int irq);

/** dmp_sim_irq_count - how many times the CPU took @irq. */
DMP_API uint64_t dmp_sim_irq_count(struct dmp_sim *sim, unsigned int irq);

/**
 * dmp_sim_irq_cpu_mask / _unmask - the CPU's interrupt mask (Arm's PSTATE.I;
 * Linux's local_irq_disable/enable).  Unmasking takes pending interrupts at
 * once.  dmp_sim_irq_cpu_masked tells the current state.
 */
DMP_API void dmp_sim_irq_cpu_mask(struct dmp_sim *sim);
DMP_API void dmp_sim_irq_cpu_unmask(struct dmp_sim *sim);
DMP_API bool dmp_sim_irq_cpu_masked(struct dmp_sim *sim);

/**
 * dmp_sim_irq_deliver - take pending interrupts now, if the CPU can: not
 * masked, not in the entry already, not inside an MMIO access.  The
 * simulator calls it at the moments listed at the top; an OS layer calls it
 * where it lets interrupts in (after a wait).
 */
DMP_API void dmp_sim_irq_deliver(struct dmp_sim *sim);

/**
 * dmp_sim_irq_xlate - the line of a device-tree interrupt specifier.
 * @cells, @n: the specifier (Linux's of_irq_parse_one result).  Three cells
 * are an Arm GIC's <type number flags>: type 0 an SPI (line 32 + number),
 * type 1 a PPI (line 16 + number); flags 1/2 edge, 4/8 level.  One or two
 * cells are <line [flags]> of a simple controller.
 * Returns 0 and sets *@irq and *@trigger, or -EINVAL (bad specifier, line
 * out of range).
 */
DMP_API int dmp_sim_irq_xlate(const uint32_t *cells, unsigned int n, unsigned int *irq,
			      enum dmp_sim_irq_trigger *trigger);

/*
 * Device models: the interrupt lines wired to a device's outputs.
 */
#define DMP_SIM_DEVICE_MAX_IRQS 4

/**
 * dmp_sim_device_set_irq - wire output @index of @dev to line @irq (which is
 * configured with @trigger).  Returns 0 or -EINVAL.
 */
DMP_API int dmp_sim_device_set_irq(struct dmp_sim_device *dev, unsigned int index, unsigned int irq,
				   enum dmp_sim_irq_trigger trigger);
/** dmp_sim_device_irq - the line of output @index, or -ENOENT if unwired. */
DMP_API int dmp_sim_device_irq(struct dmp_sim_device *dev, unsigned int index);
/** dmp_sim_device_raise_irq - an edge on output @index (nothing if unwired). */
DMP_API void dmp_sim_device_raise_irq(struct dmp_sim_device *dev, unsigned int index);
/** dmp_sim_device_set_irq_level - assert or deassert output @index (level). */
DMP_API void dmp_sim_device_set_irq_level(struct dmp_sim_device *dev, unsigned int index,
					  bool asserted);

DMP_END_DECLS

#endif /* DMAPORT_SIM_IRQ_H */
