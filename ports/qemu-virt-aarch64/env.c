/* SPDX-License-Identifier: MIT */
/*
 * env.c - the build-time half of dmaport's platform contract on bare metal
 * (what src/platform/host/env.c is for hosted builds): CPU index, time and
 * the console.  One CPU runs the port.
 */
#include <dmaport/port.h>

#include "port.h"

void dmp_cpu_relax(unsigned int spins)
{
	(void)spins;
	/* A hint to an SMT core or a hypervisor; nothing to yield to here. */
	__asm__ volatile("yield" ::: "memory");
}

unsigned int dmp_cpu_id(void)
{
	return 0;
}

/* No thread owns a slot here (dmp__asym_on stays false): the slot locks of
 * the core's src/slot-lock.h are plain spinlocks. */
unsigned int dmp__cpu_slot_assign(void)
{
	return dmp__cpu_self = DMP_CPU_SLOT_SHARED;
}

void dmp__asym_barrier(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}

unsigned int dmp_nr_cpus(void)
{
	return 1;
}

uint64_t dmp_time_ns(void)
{
	/* The generic timer's virtual count: CNTFRQ_EL0 ticks per second
	 * (62.5 MHz on QEMU).  Split to avoid overflow of ticks * 1e9. */
	uint64_t t = read_cntvct(), f = read_cntfrq();
	return t / f * 1000000000ull + t % f * 1000000000ull / f;
}

/* The counter is cheap to read here: the coarse clock is the same clock. */
uint64_t dmp_time_coarse_ns(void)
{
	return dmp_time_ns();
}

void dmp_env_puts(const char *s)
{
	port_puts(s);
	port_putc('\n');
}

/* No interrupts are taken here: no timers.  The lazy flush queue then checks
 * its timeout at each unmap (src/iommu/dma-iommu.c). */
int dmp_timer_create(dmp_timer_fn fn, void *cookie, struct dmp_timer **out)
{
	(void)fn, (void)cookie, (void)out;
	return -EOPNOTSUPP;
}

void dmp_timer_arm(struct dmp_timer *t, uint64_t delay_ns)
{
	(void)t, (void)delay_ns;
}

void dmp_timer_destroy(struct dmp_timer *t)
{
	(void)t;
}
