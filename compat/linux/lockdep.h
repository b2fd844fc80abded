/* SPDX-License-Identifier: MIT */
/* <linux/lockdep.h> for dmaport's Linux-compat layer: annotations only (no lockdep). */
#ifndef DMP_COMPAT_LINUX_LOCKDEP_H
#define DMP_COMPAT_LINUX_LOCKDEP_H
#include <linux/spinlock.h>
#endif
