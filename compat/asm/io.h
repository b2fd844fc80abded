/* SPDX-License-Identifier: MIT */
/* <asm/io.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/io.h>. */
#ifndef DMP_COMPAT_ASM_IO_H
#define DMP_COMPAT_ASM_IO_H
#include <linux/io.h>
#endif
