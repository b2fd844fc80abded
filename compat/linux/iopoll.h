/* SPDX-License-Identifier: MIT */
/*
 * <linux/iopoll.h> for dmaport's Linux-compat layer: poll a register until
 * a condition holds or a timeout (us, 0: none) passes; 0 or -ETIMEDOUT,
 * with the last value read in @val, as Linux.  Each read takes simulated
 * time and the sleeps move the clock, so a device finishing later is seen.
 */
#ifndef DMP_COMPAT_LINUX_IOPOLL_H
#define DMP_COMPAT_LINUX_IOPOLL_H

#include <linux/io.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/errno.h>

#define read_poll_timeout(op, val, cond, sleep_us, timeout_us, sleep_before_read, args...) \
	__extension__({                                                                 \
		u64 dmp__timeout_us = (timeout_us);                                     \
		unsigned long dmp__sleep_us = (sleep_us);                               \
		ktime_t dmp__timeout = ktime_add_us(ktime_get(), dmp__timeout_us);      \
		if ((sleep_before_read) && dmp__sleep_us)                               \
			usleep_range((dmp__sleep_us >> 2) + 1, dmp__sleep_us);          \
		for (;;) {                                                              \
			(val) = op(args);                                               \
			if (cond)                                                       \
				break;                                                  \
			if (dmp__timeout_us && ktime_compare(ktime_get(), dmp__timeout) > 0) { \
				(val) = op(args);                                       \
				break;                                                  \
			}                                                               \
			if (dmp__sleep_us)                                              \
				usleep_range((dmp__sleep_us >> 2) + 1, dmp__sleep_us);  \
			else                                                            \
				cpu_relax();                                            \
		}                                                                       \
		(cond) ? 0 : -ETIMEDOUT;                                                \
	})
#define read_poll_timeout_atomic(op, val, cond, delay_us, timeout_us, delay_before_read, args...) \
	__extension__({                                                                 \
		u64 dmp__timeout_us = (timeout_us);                                     \
		s64 dmp__left_ns = (s64)dmp__timeout_us * 1000L;                        \
		unsigned long dmp__delay_us = (delay_us);                               \
		u64 dmp__delay_ns = (u64)dmp__delay_us * 1000;                          \
		if ((delay_before_read) && dmp__delay_us) {                             \
			udelay(dmp__delay_us);                                          \
			if (dmp__timeout_us)                                            \
				dmp__left_ns -= (s64)dmp__delay_ns;                     \
		}                                                                       \
		for (;;) {                                                              \
			(val) = op(args);                                               \
			if (cond)                                                       \
				break;                                                  \
			if (dmp__timeout_us && dmp__left_ns < 0) {                      \
				(val) = op(args);                                       \
				break;                                                  \
			}                                                               \
			if (dmp__delay_us) {                                            \
				udelay(dmp__delay_us);                                  \
				if (dmp__timeout_us)                                    \
					dmp__left_ns -= (s64)dmp__delay_ns;             \
			}                                                               \
			cpu_relax();                                                    \
			if (dmp__timeout_us)                                            \
				dmp__left_ns--;                                         \
		}                                                                       \
		(cond) ? 0 : -ETIMEDOUT;                                                \
	})
#define readx_poll_timeout(op, addr, val, cond, sleep_us, timeout_us)                   \
	read_poll_timeout(op, val, cond, sleep_us, timeout_us, false, addr)
#define readx_poll_timeout_atomic(op, addr, val, cond, delay_us, timeout_us)            \
	read_poll_timeout_atomic(op, val, cond, delay_us, timeout_us, false, addr)
#define readb_poll_timeout(addr, val, cond, delay_us, timeout_us)                       \
	readx_poll_timeout(readb, addr, val, cond, delay_us, timeout_us)
#define readw_poll_timeout(addr, val, cond, delay_us, timeout_us)                       \
	readx_poll_timeout(readw, addr, val, cond, delay_us, timeout_us)
#define readl_poll_timeout(addr, val, cond, delay_us, timeout_us)                       \
	readx_poll_timeout(readl, addr, val, cond, delay_us, timeout_us)
#define readq_poll_timeout(addr, val, cond, delay_us, timeout_us)                       \
	readx_poll_timeout(readq, addr, val, cond, delay_us, timeout_us)
#define readl_relaxed_poll_timeout(addr, val, cond, delay_us, timeout_us)               \
	readx_poll_timeout(readl_relaxed, addr, val, cond, delay_us, timeout_us)
#define readb_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us)                \
	readx_poll_timeout_atomic(readb, addr, val, cond, delay_us, timeout_us)
#define readw_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us)                \
	readx_poll_timeout_atomic(readw, addr, val, cond, delay_us, timeout_us)
#define readl_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us)                \
	readx_poll_timeout_atomic(readl, addr, val, cond, delay_us, timeout_us)
#define readq_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us)                \
	readx_poll_timeout_atomic(readq, addr, val, cond, delay_us, timeout_us)
#define readl_relaxed_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us)        \
	readx_poll_timeout_atomic(readl_relaxed, addr, val, cond, delay_us, timeout_us)

#endif /* DMP_COMPAT_LINUX_IOPOLL_H */
