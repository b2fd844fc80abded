/* SPDX-License-Identifier: MIT */
/* <asm/atomic.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/atomic.h>. */
#ifndef DMP_COMPAT_ASM_ATOMIC_H
#define DMP_COMPAT_ASM_ATOMIC_H
#include <linux/atomic.h>
#endif
