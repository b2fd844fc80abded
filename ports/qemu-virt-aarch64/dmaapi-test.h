/* SPDX-License-Identifier: MIT */
/* dmaapi-test.h - edu through dmaport's DMA API (dmaapi-test.c).  Not installed. */
#ifndef DMP_PORT_DMAAPI_TEST_H
#define DMP_PORT_DMAAPI_TEST_H

#include "port.h"
#include "edu.h"

/**
 * dmaapi_test - the DMA-API checks: with @mask_raised (QEMU's edu
 * dma_mask=~0) a round trip on the direct path; without, the 28-bit device
 * is refused cleanly (dmp_set_mask -EIO, DMP_MAPPING_ERROR).
 */
void dmaapi_test(struct edu *edu, bool mask_raised);

#endif /* DMP_PORT_DMAAPI_TEST_H */
