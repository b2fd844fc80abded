/* SPDX-License-Identifier: MIT */
/*
 * dmaport/dmaport.h - the umbrella header: every callers' header.
 */
#ifndef DMAPORT_DMAPORT_H
#define DMAPORT_DMAPORT_H

#include <dmaport/types.h>
#include <dmaport/errno.h>
#include <dmaport/spinlock.h>
#include <dmaport/dma-direction.h>
#include <dmaport/memory.h>
#include <dmaport/scatterlist.h>
#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/dma-trace.h>
#include <dmaport/dmapool.h>
#include <dmaport/coherent.h>
#include <dmaport/cma.h>
#include <dmaport/iommu.h>
#include <dmaport/iova.h>
#include <dmaport/debug.h>
#include <dmaport/io.h>
#include <dmaport/of.h>
#include <dmaport/sim.h>
#include <dmaport/sim/copy-engine.h>
#include <dmaport/sim/iommu.h>
#include <dmaport/sim/iommu-driver.h>
#include <dmaport/sim/platform.h>

#endif /* DMAPORT_DMAPORT_H */
