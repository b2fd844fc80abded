/* SPDX-License-Identifier: MIT */
/*
 * dmaport/simulator.h - the umbrella for programs that run drivers on the
 * simulated platform: every callers' header (<dmaport/dmaport.h>), the
 * simulated machine and its devices, and the device-tree reader that builds
 * machines.  Hosted only (it needs <stdio.h>); a driver's own headers
 * include <dmaport/dmaport.h>, which stays freestanding.
 */
#ifndef DMAPORT_SIMULATOR_H
#define DMAPORT_SIMULATOR_H

#include <dmaport/dmaport.h>
#include <dmaport/of.h>
#include <dmaport/sim.h>
#include <dmaport/sim/copy-engine.h>
#include <dmaport/sim/iommu.h>
#include <dmaport/sim/iommu-driver.h>
#include <dmaport/sim/platform.h>

#endif /* DMAPORT_SIMULATOR_H */
