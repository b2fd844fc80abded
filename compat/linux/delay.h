/* SPDX-License-Identifier: MIT */
/*
 * <linux/delay.h> for dmaport's Linux-compat layer.
 *
 * udelay/ndelay/mdelay busy-wait: the simulated clock moves by that much
 * (devices progress, interrupts are taken if not masked) and no other task
 * runs, as a busy CPU.  msleep/usleep_range/fsleep/ssleep sleep: other tasks
 * run, and the clock jumps to the wake-up time if nothing else happens.
 * usleep_range sleeps @min (the earliest Linux may wake).  Sleeping in
 * atomic context is reported (see <linux/sched.h>).
 */
#ifndef DMP_COMPAT_LINUX_DELAY_H
#define DMP_COMPAT_LINUX_DELAY_H

#include <linux/types.h>

void dmp_lx_delay_ns(u64 ns);
void dmp_lx_sleep_ns(u64 ns, const char *file, int line);

#define ndelay(n) dmp_lx_delay_ns((u64)(n))
#define udelay(n) dmp_lx_delay_ns((u64)(n) * 1000)
#define mdelay(n) dmp_lx_delay_ns((u64)(n) * 1000000)
#define msleep(n) dmp_lx_sleep_ns((u64)(n) * 1000000, __FILE__, __LINE__)
#define ssleep(n) dmp_lx_sleep_ns((u64)(n) * 1000000000, __FILE__, __LINE__)
#define usleep_range(min, max) dmp_lx_sleep_ns((u64)(min) * 1000, __FILE__, __LINE__)
#define usleep_range_state(min, max, state) usleep_range(min, max)
#define usleep_idle_range(min, max) usleep_range(min, max)
#define fsleep(us) dmp_lx_sleep_ns((u64)(us) * 1000, __FILE__, __LINE__)
/* no signals: the sleep is never cut short; returns the time left, 0 */
#define msleep_interruptible(n) dmp_lx_msleep_interruptible((n), __FILE__, __LINE__)
static inline unsigned long dmp_lx_msleep_interruptible(unsigned int msecs, const char *file,
							 int line)
{
	dmp_lx_sleep_ns((u64)msecs * 1000000, file, line);
	return 0;
}

#endif /* DMP_COMPAT_LINUX_DELAY_H */
