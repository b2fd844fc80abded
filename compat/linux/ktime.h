/* SPDX-License-Identifier: MIT */
/*
 * <linux/ktime.h> for dmaport's Linux-compat layer: ktime_t in nanoseconds.
 *
 * The clocks read simulated time (<dmaport/sim/irq.h>): CPU work between two
 * readings takes no time, so a benchmark module that times its own code with
 * ktime_get() measures 0 on the simulator (the time an MMIO read or a delay
 * takes is counted).  CLOCK_REALTIME is simulated time plus a fixed epoch.
 */
#ifndef DMP_COMPAT_LINUX_KTIME_H
#define DMP_COMPAT_LINUX_KTIME_H

#include <linux/types.h>
#include <linux/jiffies.h>
#include <linux/time64.h>

typedef s64 ktime_t;

#define KTIME_MAX ((s64)~((u64)1 << 63))
#define KTIME_MIN (-KTIME_MAX - 1)
#define KTIME_SEC_MAX (KTIME_MAX / NSEC_PER_SEC)

u64 dmp_lx_now_ns(void);
#define DMP_LX_REALTIME_EPOCH_NS (1700000000LL * NSEC_PER_SEC)

static inline ktime_t ktime_set(const s64 secs, const unsigned long nsecs)
{
	return secs * NSEC_PER_SEC + (s64)nsecs;
}
#define ktime_sub(lhs, rhs) ((lhs) - (rhs))
#define ktime_add(lhs, rhs) ((lhs) + (rhs))
#define ktime_add_unsafe(lhs, rhs) ((lhs) + (rhs))
#define ktime_add_ns(kt, nsval) ((kt) + (s64)(nsval))
#define ktime_sub_ns(kt, nsval) ((kt) - (s64)(nsval))
#define ktime_add_us(kt, us) ktime_add_ns(kt, (u64)(us) * NSEC_PER_USEC)
#define ktime_add_ms(kt, ms) ktime_add_ns(kt, (u64)(ms) * NSEC_PER_MSEC)
#define ktime_sub_us(kt, us) ktime_sub_ns(kt, (u64)(us) * NSEC_PER_USEC)
#define ktime_sub_ms(kt, ms) ktime_sub_ns(kt, (u64)(ms) * NSEC_PER_MSEC)
#define ktime_to_timespec64(kt) ns_to_timespec64((kt))
#define ktime_to_ns(kt) ((s64)(kt))
#define ktime_to_us(kt) ((s64)(kt) / NSEC_PER_USEC)
#define ktime_to_ms(kt) ((s64)(kt) / NSEC_PER_MSEC)
#define ns_to_ktime(ns) ((ktime_t)(ns))
#define us_to_ktime(us) ((ktime_t)(us) * NSEC_PER_USEC)
#define ms_to_ktime(ms) ((ktime_t)(ms) * NSEC_PER_MSEC)
#define timespec64_to_ktime(ts) ktime_set((ts).tv_sec, (ts).tv_nsec)
#define ktime_us_delta(later, earlier) ktime_to_us(ktime_sub(later, earlier))
#define ktime_ms_delta(later, earlier) ktime_to_ms(ktime_sub(later, earlier))
#define ktime_compare(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)
#define ktime_after(a, b) ((a) > (b))
#define ktime_before(a, b) ((a) < (b))
#define ktime_divns(kt, div) ((s64)(kt) / (s64)(div))

static inline ktime_t ktime_get(void)
{
	return (ktime_t)dmp_lx_now_ns();
}
#define ktime_get_raw() ktime_get()
#define ktime_get_boottime() ktime_get()
#define ktime_get_coarse() ktime_get()
#define ktime_get_ns() ((u64)ktime_get())
#define ktime_get_raw_ns() ((u64)ktime_get())
#define ktime_get_boottime_ns() ((u64)ktime_get())
#define ktime_get_mono_fast_ns() ((u64)ktime_get())
#define ktime_get_boot_fast_ns() ((u64)ktime_get())
#define ktime_get_real() (ktime_get() + DMP_LX_REALTIME_EPOCH_NS)
#define ktime_get_real_ns() ((u64)ktime_get_real())
#define ktime_get_clocktai() ktime_get_real()
#define ktime_get_seconds() ((time64_t)(ktime_get() / NSEC_PER_SEC))
#define ktime_get_real_seconds() ((time64_t)(ktime_get_real() / NSEC_PER_SEC))
#define local_clock() ((u64)ktime_get())
#define sched_clock() ((u64)ktime_get())
static inline void ktime_get_ts64(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(ktime_get());
}
static inline void ktime_get_real_ts64(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(ktime_get_real());
}
#define ktime_get_boottime_ts64(ts) ktime_get_ts64(ts)
#define ktime_get_raw_ts64(ts) ktime_get_ts64(ts)

#endif /* DMP_COMPAT_LINUX_KTIME_H */
