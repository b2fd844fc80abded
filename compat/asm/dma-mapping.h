/* SPDX-License-Identifier: MIT */
/* <asm/dma-mapping.h> for dmaport's Linux-compat layer: the architecture's part is in <linux/dma-mapping.h>. */
#ifndef DMP_COMPAT_ASM_DMA_MAPPING_H
#define DMP_COMPAT_ASM_DMA_MAPPING_H
#include <linux/dma-mapping.h>
#endif
