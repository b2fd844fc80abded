/* SPDX-License-Identifier: MIT */
/* <linux/time.h> for dmaport's Linux-compat layer (ktime, time64, jiffies). */
#ifndef DMP_COMPAT_LINUX_TIME_H
#define DMP_COMPAT_LINUX_TIME_H
#include <linux/time64.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#endif
