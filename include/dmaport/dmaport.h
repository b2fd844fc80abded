/* SPDX-License-Identifier: MIT */
/*
 * dmaport/dmaport.h - the umbrella header: every callers' header.
 */
#ifndef DMAPORT_DMAPORT_H
#define DMAPORT_DMAPORT_H

#include <dmaport/types.h>
#include <dmaport/dma-direction.h>
#include <dmaport/memory.h>
#include <dmaport/scatterlist.h>
#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/io.h>
#include <dmaport/sim.h>
#include <dmaport/sim/copy-engine.h>

#endif /* DMAPORT_DMAPORT_H */
