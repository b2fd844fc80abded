/* SPDX-License-Identifier: MIT */
/*
 * dmaport/sim/iommu-driver.h - the dmp_iommu_ops driver for the simulated
 * IOMMU.  Callers' header for platform builders (the device-tree code,
 * tests): register a simulated IOMMU with the IOMMU core, then probe devices
 * (whose dev->hw is set) with dmp_iommu_probe_device().
 */
#ifndef DMAPORT_SIM_IOMMU_DRIVER_H
#define DMAPORT_SIM_IOMMU_DRIVER_H

#include <dmaport/iommu-driver.h>
#include <dmaport/sim/iommu.h>

DMP_BEGIN_DECLS

/**
 * dmp_sim_iommu_driver_register - drive @hw: 4K/2M/1G pages, 48-bit input
 * and output, one ASID per domain, faults from the event queue delivered
 * through dmp_iommu_report_fault().  @default_type: the default domain type
 * of its groups (DMA_FQ, DMA or IDENTITY).  Returns 0, -ENOMEM, -EINVAL.
 */
DMP_API int dmp_sim_iommu_driver_register(struct dmp_sim_iommu *hw,
					  enum dmp_iommu_domain_type default_type,
					  struct dmp_iommu **out);
DMP_API void dmp_sim_iommu_driver_unregister(struct dmp_iommu *iommu);

DMP_END_DECLS

#endif /* DMAPORT_SIM_IOMMU_DRIVER_H */
