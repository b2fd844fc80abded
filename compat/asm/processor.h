/* SPDX-License-Identifier: MIT */
/* <asm/processor.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/processor.h>. */
#ifndef DMP_COMPAT_ASM_PROCESSOR_H
#define DMP_COMPAT_ASM_PROCESSOR_H
#include <linux/processor.h>
#endif
