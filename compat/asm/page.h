/* SPDX-License-Identifier: MIT */
/* <asm/page.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/mm.h>. */
#ifndef DMP_COMPAT_ASM_PAGE_H
#define DMP_COMPAT_ASM_PAGE_H
#include <linux/mm.h>
#endif
