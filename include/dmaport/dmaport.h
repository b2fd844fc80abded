/* SPDX-License-Identifier: MIT */
/*
 * dmaport/dmaport.h - the umbrella header: every callers' header a driver
 * needs.  Freestanding-safe: no C library header beyond the compiler's own
 * (make port-check compiles it with -nostdinc), so the same driver source
 * builds for every platform.  Programs that drive the simulated platform
 * include <dmaport/simulator.h>, which adds it and the device-tree reader.
 */
#ifndef DMAPORT_DMAPORT_H
#define DMAPORT_DMAPORT_H

#include <dmaport/types.h>
#include <dmaport/errno.h>
#include <dmaport/spinlock.h>
#include <dmaport/dma-direction.h>
#include <dmaport/dma-attrs.h>
#include <dmaport/memory.h>
#include <dmaport/scatterlist.h>
#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/dma-trace.h>
#include <dmaport/dmapool.h>
#include <dmaport/coherent.h>
#include <dmaport/cma.h>
#include <dmaport/iommu-prot.h>
#include <dmaport/iommu.h>
#include <dmaport/iova.h>
#include <dmaport/debug.h>
#include <dmaport/io.h>
#include <dmaport/log.h>

#endif /* DMAPORT_DMAPORT_H */
