/* SPDX-License-Identifier: MIT */
/*
 * sim-iommu-driver.c - the IOMMU driver for the simulated IOMMU: stream
 * table entries, one ASID and one LPAE stage-1 table per paging domain,
 * TLB invalidation by ASID and by VA, faults drained from the event queue.
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/sim/iommu-driver.h>

#include "sim-internal.h"

struct simdrv {
	struct dmp_iommu iommu;
	struct dmp_sim_iommu *hw;
	_Atomic unsigned int next_asid;
};

struct simdom {
	struct simdrv *drv;
	struct dmp_io_pgtable_cfg cfg;
	struct dmp_io_pgtable_ops *pgtbl;
	uint16_t asid;
};

static struct simdrv *drv_of(struct dmp_iommu *iommu)
{
	return (struct simdrv *)iommu->priv;
}

/* --- TLB maintenance callbacks from io-pgtable ---------------------------- */

static void tlb_flush_all(void *cookie)
{
	struct simdom *sd = cookie;
	dmp_sim_iommu_tlbi_asid(sd->drv->hw, sd->asid);
}

static void tlb_flush_walk(dmp_addr_t iova, size_t size, size_t granule, void *cookie)
{
	struct simdom *sd = cookie;
	dmp_sim_iommu_tlbi_va(sd->drv->hw, sd->asid, iova, size);
}

static void tlb_add_page(struct dmp_iommu_iotlb_gather *gather, dmp_addr_t iova, size_t granule,
			 void *cookie)
{
	if (gather)
		dmp_iommu_iotlb_gather_add(gather, iova, granule);
	else
		tlb_flush_walk(iova, granule, granule, cookie);
}

static const struct dmp_iommu_flush_ops flush_ops = {
	.tlb_flush_all = tlb_flush_all,
	.tlb_flush_walk = tlb_flush_walk,
	.tlb_add_page = tlb_add_page,
};

/* --- ops ----------------------------------------------------------------- */

static int probe_device(struct dmp_iommu *iommu, struct dmp_device *dev, const uint32_t *sids,
			unsigned int nr_sids)
{
	if (!dev->hw)
		return -ENODEV; /* no simulated hardware to put behind the IOMMU */
	/* a simulated device has one DMA port: its first stream ID */
	int err = dmp_sim_iommu_attach(drv_of(iommu)->hw, dev->hw, sids[0]);
	return err == -EBUSY ? 0 : err;
}

static uint64_t device_group(struct dmp_iommu *iommu, struct dmp_device *dev)
{
	/* devices that share a stream ID cannot be told apart: one group */
	return dmp_dev_iommu(dev)->sids[0];
}

static int domain_init(struct dmp_iommu *iommu, struct dmp_iommu_domain *d)
{
	struct simdrv *drv = drv_of(iommu);
	dmp_iommu_domain_set_lpae_4k(d, 48);
	if (!dmp_iommu_domain_is_paging(d))
		return 0;
	struct simdom *sd = calloc(1, sizeof(*sd));
	if (!sd)
		return -ENOMEM;
	sd->drv = drv;
	sd->asid = (uint16_t)(atomic_fetch_add(&drv->next_asid, 1) + 1);
	sd->cfg.pgsize_bitmap = d->pgsize_bitmap;
	sd->cfg.ias = 48;
	sd->cfg.oas = 48;
	sd->cfg.coherent_walk = dmp_sim_iommu_coherent_walk(drv->hw);
	sd->cfg.tlb = &flush_ops;
	int err = dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &sd->cfg, sd, &sd->pgtbl);
	if (err) {
		free(sd);
		return err;
	}
	d->pgsize_bitmap = sd->cfg.pgsize_bitmap;
	d->pgtbl = sd->pgtbl;
	d->priv = sd;
	return 0;
}

static void domain_destroy(struct dmp_iommu_domain *d)
{
	struct simdom *sd = d->priv;
	if (!sd)
		return;
	d->pgtbl = NULL;
	dmp_free_io_pgtable_ops(sd->pgtbl); /* flushes the ASID first */
	free(sd);
}

static int attach_dev(struct dmp_iommu_domain *d, struct dmp_device *dev)
{
	struct simdrv *drv = drv_of(d->iommu);
	struct dmp_iommu_dev *idev = dmp_dev_iommu(dev);
	struct dmp_sim_ste ste = { .mode = DMP_SIM_STE_ABORT };
	if (d->type == DMP_IOMMU_DOMAIN_IDENTITY) {
		ste.mode = DMP_SIM_STE_BYPASS;
	} else if (dmp_iommu_domain_is_paging(d)) {
		struct simdom *sd = d->priv;
		ste.mode = DMP_SIM_STE_TRANSLATE;
		ste.ttbr = sd->cfg.arm_lpae_s1_cfg.ttbr;
		ste.tg0 = sd->cfg.arm_lpae_s1_cfg.tcr.tg;
		ste.t0sz = sd->cfg.arm_lpae_s1_cfg.tcr.tsz;
		ste.ips = sd->cfg.arm_lpae_s1_cfg.tcr.ips;
		ste.asid = sd->asid;
		/* the ASID may hold translations from an earlier domain's use */
		dmp_sim_iommu_tlbi_asid(drv->hw, sd->asid);
	}
	for (unsigned int i = 0; i < idev->nr_sids; i++) {
		int err = dmp_sim_iommu_write_ste(drv->hw, idev->sids[i], &ste);
		if (err)
			return err;
	}
	return 0;
}

static void iotlb_sync(struct dmp_iommu_domain *d, struct dmp_iommu_iotlb_gather *gather)
{
	struct simdom *sd = d->priv;
	dmp_sim_iommu_tlbi_va(sd->drv->hw, sd->asid, gather->start,
			      (size_t)(gather->end - gather->start + 1));
}

static void flush_iotlb_all(struct dmp_iommu_domain *d)
{
	struct simdom *sd = d->priv;
	if (sd)
		dmp_sim_iommu_tlbi_asid(sd->drv->hw, sd->asid);
}

static bool capable(struct dmp_iommu *iommu, enum dmp_iommu_cap cap)
{
	if (cap == DMP_IOMMU_CAP_COHERENT_WALK)
		return dmp_sim_iommu_coherent_walk(drv_of(iommu)->hw);
	return cap == DMP_IOMMU_CAP_DEFERRED_FLUSH;
}

static const struct dmp_iommu_ops sim_iommu_ops = {
	.name = "sim-iommu",
	.probe_device = probe_device,
	.device_group = device_group,
	.domain_init = domain_init,
	.domain_destroy = domain_destroy,
	.attach_dev = attach_dev,
	.map_pages = dmp_io_pgtable_domain_map_pages,
	.unmap_pages = dmp_io_pgtable_domain_unmap_pages,
	.iotlb_sync = iotlb_sync,
	.flush_iotlb_all = flush_iotlb_all,
	.iova_to_phys = dmp_io_pgtable_domain_iova_to_phys,
	.capable = capable,
};

/* The event-queue interrupt: deliver each fault to its device's domain. */
static void fault_irq(void *cookie)
{
	struct simdrv *drv = cookie;
	struct dmp_sim_iommu_fault f;
	while (dmp_sim_iommu_pop_fault(drv->hw, &f)) {
		int flags = (f.write ? DMP_IOMMU_FAULT_WRITE : DMP_IOMMU_FAULT_READ) |
			    (f.reason == DMP_SIM_IOMMU_F_PERMISSION ? DMP_IOMMU_FAULT_PERM : 0);
		/* look-up and report in one: the device stays until it returns */
		dmp_iommu_report_fault_sid(&drv->iommu, f.sid, f.iova, flags);
	}
}

int dmp_sim_iommu_driver_register(struct dmp_sim_iommu *hw, enum dmp_iommu_domain_type default_type,
				  struct dmp_iommu **out)
{
	if (!hw || !out)
		return -EINVAL;
	struct simdrv *drv = calloc(1, sizeof(*drv));
	if (!drv)
		return -ENOMEM;
	drv->hw = hw;
	snprintf(drv->iommu.name, sizeof(drv->iommu.name), "%s", dmp_sim_iommu_name(hw));
	drv->iommu.ops = &sim_iommu_ops;
	drv->iommu.priv = drv;
	drv->iommu.default_type = default_type;
	int err = dmp_iommu_register(&drv->iommu);
	if (err) {
		free(drv);
		return err;
	}
	dmp_sim_iommu_set_irq(hw, fault_irq, drv);
	*out = &drv->iommu;
	return 0;
}

void dmp_sim_iommu_driver_unregister(struct dmp_iommu *iommu)
{
	if (!iommu)
		return;
	struct simdrv *drv = drv_of(iommu);
	dmp_sim_iommu_set_irq(drv->hw, NULL, NULL);
	dmp_iommu_unregister(iommu);
	free(drv);
}
