/* SPDX-License-Identifier: MIT */
/* <linux/bottom_half.h> for dmaport's Linux-compat layer: local_bh_disable/enable. */
#ifndef DMP_COMPAT_LINUX_BOTTOM_HALF_H
#define DMP_COMPAT_LINUX_BOTTOM_HALF_H
#include <linux/irqflags.h>
#endif
