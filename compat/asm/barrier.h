/* SPDX-License-Identifier: MIT */
/* <asm/barrier.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/io.h>. */
#ifndef DMP_COMPAT_ASM_BARRIER_H
#define DMP_COMPAT_ASM_BARRIER_H
#include <linux/io.h>
#endif
