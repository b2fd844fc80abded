/* SPDX-License-Identifier: MIT */
/* <linux/hardirq.h> for dmaport's Linux-compat layer: see <linux/preempt.h>. */
#ifndef DMP_COMPAT_LINUX_HARDIRQ_H
#define DMP_COMPAT_LINUX_HARDIRQ_H
#include <linux/preempt.h>
#endif
