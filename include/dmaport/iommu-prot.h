/* SPDX-License-Identifier: MIT */
/*
 * dmaport/iommu-prot.h - the protection flags of an IOMMU mapping, defined
 * once for the IOMMU API (<dmaport/iommu.h>) and the page-table formats
 * (<dmaport/io-pgtable.h>), which both include it.  Callers' header.
 */
#ifndef DMAPORT_IOMMU_PROT_H
#define DMAPORT_IOMMU_PROT_H

/*
 * Protection flags of a mapping (Linux's IOMMU_* values).
 *
 * DMP_IOMMU_READ    the device may read
 * DMP_IOMMU_WRITE   the device may write
 * DMP_IOMMU_CACHE   the device's accesses are cacheable, coherent with the CPU
 *                   (normal write-back memory, inner shareable)
 * DMP_IOMMU_NOEXEC  no instruction fetch (XN)
 * DMP_IOMMU_MMIO    device memory (another device's registers, an MSI
 *                   doorbell); overrides DMP_IOMMU_CACHE
 * DMP_IOMMU_PRIV    privileged accesses only
 */
#define DMP_IOMMU_READ (1 << 0)
#define DMP_IOMMU_WRITE (1 << 1)
#define DMP_IOMMU_CACHE (1 << 2)
#define DMP_IOMMU_NOEXEC (1 << 3)
#define DMP_IOMMU_MMIO (1 << 4)
#define DMP_IOMMU_PRIV (1 << 5)

#endif /* DMAPORT_IOMMU_PROT_H */
