/* SPDX-License-Identifier: MIT */
/*
 * <linux/delay.h> for dmaport's Linux-compat layer.
 *
 * udelay/ndelay/mdelay busy-wait: the simulated clock moves by that much
 * (devices progress, interrupts are taken if not masked) and no other task
 * runs, as a busy CPU.  msleep/usleep_range/fsleep/ssleep sleep: other tasks
 * run, and the clock jumps to the wake-up time if nothing else happens.
 * msleep sleeps whole jiffies (Linux's timer wheel: msecs_to_jiffies(n));
 * usleep_range and fsleep are Linux's hrtimer sleeps: usleep_range wakes
 * at @min (the earliest Linux may), to the nanosecond; fsleep as Linux
 * picks (udelay under 10 us, usleep_range(us, us + us / 4) under 20 ms,
 * msleep above).  Sleeping in atomic context is reported (see
 * <linux/sched.h>).
 */
#ifndef DMP_COMPAT_LINUX_DELAY_H
#define DMP_COMPAT_LINUX_DELAY_H

#include <linux/types.h>

void dmp_lx_delay_ns(u64 ns);
void dmp_lx_sleep_ns(u64 ns, const char *file, int line);
void dmp_lx_hrsleep_ns(u64 ns, const char *file, int line);

#define ndelay(n) dmp_lx_delay_ns((u64)(n))
#define udelay(n) dmp_lx_delay_ns((u64)(n) * 1000)
#define mdelay(n) dmp_lx_delay_ns((u64)(n) * 1000000)
#define msleep(n) dmp_lx_sleep_ns((u64)(n) * 1000000, __FILE__, __LINE__)
#define ssleep(n) dmp_lx_sleep_ns((u64)(n) * 1000000000, __FILE__, __LINE__)
#define usleep_range(min, max) dmp_lx_hrsleep_ns((u64)(min) * 1000, __FILE__, __LINE__)
#define usleep_range_state(min, max, state) usleep_range(min, max)
#define usleep_idle_range(min, max) usleep_range(min, max)
#define fsleep(us) dmp_lx_fsleep((u64)(us), __FILE__, __LINE__)
static inline void dmp_lx_fsleep(u64 us, const char *file, int line)
{
	if (us < 10)
		dmp_lx_delay_ns(us * 1000);
	else if (us < 20000)
		dmp_lx_hrsleep_ns(us * 1000, file, line);
	else
		dmp_lx_sleep_ns((us + 999) / 1000 * 1000000, file, line);
}
/* no signals: the sleep is never cut short; returns the time left, 0 */
#define msleep_interruptible(n) dmp_lx_msleep_interruptible((n), __FILE__, __LINE__)
static inline unsigned long dmp_lx_msleep_interruptible(unsigned int msecs, const char *file,
							 int line)
{
	dmp_lx_sleep_ns((u64)msecs * 1000000, file, line);
	return 0;
}

#endif /* DMP_COMPAT_LINUX_DELAY_H */
