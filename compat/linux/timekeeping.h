/* SPDX-License-Identifier: MIT */
/* <linux/timekeeping.h> for dmaport's Linux-compat layer: see <linux/ktime.h>. */
#ifndef DMP_COMPAT_LINUX_TIMEKEEPING_H
#define DMP_COMPAT_LINUX_TIMEKEEPING_H
#include <linux/ktime.h>
#endif
