/* SPDX-License-Identifier: MIT */
/*
 * <linux/jiffies.h> for dmaport's Linux-compat layer.
 *
 * jiffies counts ticks of HZ (1000) per second of simulated time, and starts
 * where Linux starts it, five minutes before wrapping (INITIAL_JIFFIES), so
 * a driver that compares jiffies without time_after() fails here as it would
 * on a machine that has been up for a while.  jiffies is read-only.
 */
#ifndef DMP_COMPAT_LINUX_JIFFIES_H
#define DMP_COMPAT_LINUX_JIFFIES_H

#include <linux/types.h>
#include <linux/kernel.h>

#define HZ 1000
#define USER_HZ 100
#define TICK_NSEC (1000000000UL / HZ)
#define INITIAL_JIFFIES ((unsigned long)(unsigned int)(-300 * HZ))
#define MAX_JIFFY_OFFSET ((LONG_MAX >> 1) - 1)

unsigned long dmp_lx_jiffies(void);
u64 dmp_lx_jiffies_64(void);
#define jiffies (dmp_lx_jiffies())
#define jiffies_64 (dmp_lx_jiffies_64())
#define get_jiffies_64() dmp_lx_jiffies_64()

#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
#define time_in_range(a, b, c) (time_after_eq(a, b) && time_before_eq(a, c))
#define time_in_range_open(a, b, c) (time_after_eq(a, b) && time_before(a, c))
#define time_after64(a, b) ((s64)((b) - (a)) < 0)
#define time_before64(a, b) time_after64(b, a)
#define time_after_eq64(a, b) ((s64)((a) - (b)) >= 0)
#define time_before_eq64(a, b) time_after_eq64(b, a)
#define time_is_before_jiffies(a) time_after(jiffies, a)
#define time_is_after_jiffies(a) time_before(jiffies, a)
#define time_is_before_eq_jiffies(a) time_after_eq(jiffies, a)
#define time_is_after_eq_jiffies(a) time_before_eq(jiffies, a)

static inline unsigned long msecs_to_jiffies(const unsigned int m)
{
	if ((int)m < 0)
		return MAX_JIFFY_OFFSET;
	return m; /* HZ == 1000 */
}
static inline unsigned long usecs_to_jiffies(const unsigned int u)
{
	if (u > 1000u * (unsigned int)MAX_JIFFY_OFFSET)
		return MAX_JIFFY_OFFSET;
	return (u + 999) / 1000;
}
static inline unsigned long nsecs_to_jiffies(u64 n)
{
	return (unsigned long)((n + TICK_NSEC - 1) / TICK_NSEC);
}
static inline u64 nsecs_to_jiffies64(u64 n)
{
	return (n + TICK_NSEC - 1) / TICK_NSEC;
}
static inline unsigned int jiffies_to_msecs(const unsigned long j)
{
	return (unsigned int)j;
}
static inline unsigned int jiffies_to_usecs(const unsigned long j)
{
	return (unsigned int)(j * 1000);
}
static inline u64 jiffies_to_nsecs(const unsigned long j)
{
	return (u64)j * TICK_NSEC;
}
#define jiffies64_to_nsecs(j) ((u64)(j) * TICK_NSEC)
#define jiffies64_to_msecs(j) ((u64)(j))
static inline unsigned long secs_to_jiffies(unsigned long s)
{
	return s * HZ;
}
#define round_jiffies(j) (j)
#define round_jiffies_relative(j) (j)
#define round_jiffies_up(j) (j)
#define round_jiffies_up_relative(j) (j)

#endif /* DMP_COMPAT_LINUX_JIFFIES_H */
