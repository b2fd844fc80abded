/* SPDX-License-Identifier: MIT */
/*
 * smmuv3-iommu.h - the SMMUv3 as a dmaport IOMMU driver (struct
 * dmp_iommu_ops, smmuv3-iommu.c) on top of the hardware half (smmuv3.c).
 * Not installed.
 *
 * Each paging domain (UNMANAGED, DMA, DMA_FQ) is one struct smmu_domain:
 * a dmaport io-pgtable (ARM LPAE stage 1, 4K granule, 48-bit IOVA), a
 * context descriptor and an ASID of its own.  Attach writes the STE of each
 * of the device's stream IDs (stage-1 translate through the domain's CD;
 * bypass for IDENTITY; abort for BLOCKED) with CFGI_STE + CMD_SYNC.  Unmap
 * gathers the leaves and iotlb_sync invalidates them with TLBI_NH_VA +
 * CMD_SYNC; flush_iotlb_all is TLBI_NH_ASID + CMD_SYNC.
 *
 * The port has no interrupts: smmu_iommu_poll() is the event-queue and
 * global-error interrupt handler, called by whoever waits on a device.
 */
#ifndef DMP_PORT_SMMUV3_IOMMU_H
#define DMP_PORT_SMMUV3_IOMMU_H

#include <dmaport/iommu-driver.h>

#include "smmuv3.h"

/**
 * struct smmu_iommu - one SMMUv3 registered with dmaport's IOMMU core.
 * @iommu:    what the core knows (name, ops, default domain type).
 * @hw:       the hardware half.
 * @faults_reported: fault events handed to dmp_iommu_report_fault().
 * @events_logged:   other events (configuration errors ...), logged.
 * @gerrors:  global errors seen by smmu_iommu_poll() (OR of GERROR bits).
 */
struct smmu_iommu {
	struct dmp_iommu iommu;
	struct smmu hw;
	uint64_t asid_map[4]; /* ASIDs 1..255 in use; 0 is never used */
	uint64_t faults_reported;
	uint64_t events_logged;
	uint32_t gerrors;
};

/**
 * smmu_iommu_init - probe and enable the SMMUv3 at @base (a linear stream
 * table of 2^@sid_bits entries, every stream aborting) and register it with
 * the IOMMU core; its groups' default domains are @default_type
 * (DMP_IOMMU_DOMAIN_DMA: strict; DMA_FQ: deferred; IDENTITY: bypass).
 * Returns 0 with *@out set, -ENODEV, -ENOMEM, -EIO, -EINVAL.
 */
int smmu_iommu_init(dmp_phys_t base, unsigned int sid_bits,
		    enum dmp_iommu_domain_type default_type, struct smmu_iommu **out);
/** smmu_iommu_fini - unregister, disable, free.  Release every device first. */
void smmu_iommu_fini(struct smmu_iommu *drv);

/**
 * smmu_iommu_probe_pci - put the PCI function @pdev, as dmaport device
 * @dev, behind the SMMU: on virt the root complex's iommu-map gives stream
 * ID = requester ID (bus << 8 | dev << 3 | fn).  dmp_iommu_probe_device():
 * group, default domain attached, the DMA API's IOMMU path chosen.
 * Returns its result.
 */
int smmu_iommu_probe_pci(struct smmu_iommu *drv, struct dmp_device *dev,
			 const struct pci_dev *pdev);

/**
 * smmu_iommu_poll - the interrupt handlers, polled: drain the event queue,
 * each translation, address-size, access-flag or permission fault going to
 * dmp_iommu_report_fault() for the domain the stream's device is attached
 * to (so the handler set with dmp_iommu_set_fault_handler() sees it), any
 * other event to the log; then log and acknowledge active global errors
 * (EVENTQ_ABT_ERR when the event queue was full and records were lost ...;
 * CMDQ_ERR is left to the command path, smmu_sync()).  Returns the number
 * of events drained.
 */
unsigned int smmu_iommu_poll(struct smmu_iommu *drv);

/** smmu_iommu_hw_domain - the hardware half of a paging domain of this driver, else NULL. */
struct smmu_domain *smmu_iommu_hw_domain(struct dmp_iommu_domain *domain);

/**
 * smmu_dmaapi_test - the "smmu" configuration's checks through dmaport's
 * API (smmu-dmaapi-test.c): this driver registered, edu probed into it, and
 * dmp_map_single / dmp_map_sg / faults / strict unmap over QEMU's SMMUv3.
 */
void smmu_dmaapi_test(const struct pci_dev *pdev, struct edu *edu);

#endif /* DMP_PORT_SMMUV3_IOMMU_H */
