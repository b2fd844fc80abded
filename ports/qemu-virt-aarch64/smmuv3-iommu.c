/* SPDX-License-Identifier: MIT */
/*
 * smmuv3-iommu.c - the SMMUv3 dmp_iommu_ops driver: domains on dmaport's
 * io-pgtable, STEs on attach, TLB invalidation, faults from the event queue
 * into dmaport's fault reporting.  See smmuv3-iommu.h.
 *
 * Single-threaded (the port runs one CPU and takes no interrupts), so the
 * ASID map and the queues need no lock.
 */
#include <stdio.h>
#include <string.h>

#include <dmaport/io.h>
#include <dmaport/memory.h>

#include <dmaport/platform.h>

#include "port.h"
#include "smmuv3-iommu.h"

struct smmu_iommu_domain {
	struct smmu_domain hw; /* first: the io-pgtable cookie is &hw */
	struct smmu_iommu *drv;
};

static struct smmu_iommu *drv_of(struct dmp_iommu *iommu)
{
	return (struct smmu_iommu *)iommu->priv;
}

/* ---- ASIDs ---------------------------------------------------------------- */

static int asid_alloc(struct smmu_iommu *drv, uint16_t *asid)
{
	for (unsigned int a = 1; a < 64 * DMP_ARRAY_SIZE(drv->asid_map); a++) {
		if (!(drv->asid_map[a / 64] & (1ull << (a % 64)))) {
			drv->asid_map[a / 64] |= 1ull << (a % 64);
			*asid = (uint16_t)a;
			return 0;
		}
	}
	return -ENOMEM; /* no ASID left */
}

static void asid_free(struct smmu_iommu *drv, uint16_t asid)
{
	drv->asid_map[asid / 64] &= ~(1ull << (asid % 64));
}

/* ---- ops ------------------------------------------------------------------ */

static int probe_device(struct dmp_iommu *iommu, struct dmp_device *dev, const uint32_t *sids,
			unsigned int nr_sids)
{
	struct smmu *s = &drv_of(iommu)->hw;
	for (unsigned int i = 0; i < nr_sids; i++) {
		if (sids[i] >= (1u << s->st_log2))
			return -EINVAL; /* beyond our linear stream table */
	}
	return 0;
}

static void release_device(struct dmp_iommu *iommu, struct dmp_device *dev)
{
	/* The core frees the default domain next: nothing may point at its CD. */
	struct dmp_iommu_dev *idev = dmp_dev_iommu(dev);
	for (unsigned int i = 0; i < idev->nr_sids; i++)
		smmu_detach(&drv_of(iommu)->hw, idev->sids[i]);
}

static uint64_t device_group(struct dmp_iommu *iommu, struct dmp_device *dev)
{
	/* A PCIe function on virt's root complex has its own requester ID and
	 * no alias: one group per stream ID. */
	return dmp_dev_iommu(dev)->sids[0];
}

static int domain_init(struct dmp_iommu *iommu, struct dmp_iommu_domain *d)
{
	struct smmu_iommu *drv = drv_of(iommu);
	dmp_iommu_domain_set_lpae_4k(d, 48);
	if (!dmp_iommu_domain_is_paging(d))
		return 0;
	struct smmu_iommu_domain *sd = dmp_kzalloc(sizeof(*sd), DMP_GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	uint16_t asid;
	int err = asid_alloc(drv, &asid);
	if (err)
		goto fail_free;
	/* io-pgtable (LPAE S1, coherent walk per IDR0.COHACC) + CD + ASID */
	err = smmu_domain_init(&sd->hw, &drv->hw, asid);
	if (err)
		goto fail_asid;
	sd->drv = drv;
	d->pgsize_bitmap = sd->hw.cfg.pgsize_bitmap;
	d->geometry.aperture_end = (1ull << sd->hw.cfg.ias) - 1;
	d->pgtbl = sd->hw.pgt;
	d->priv = sd;
	return 0;

fail_asid:
	asid_free(drv, asid);
fail_free:
	dmp_kfree(sd);
	return err;
}

static void domain_destroy(struct dmp_iommu_domain *d)
{
	struct smmu_iommu_domain *sd = d->priv;
	if (!sd)
		return;
	uint16_t asid = sd->hw.asid;
	smmu_domain_fini(&sd->hw); /* the table's free invalidates the ASID first */
	asid_free(sd->drv, asid);
	dmp_kfree(sd);
	d->pgtbl = NULL;
	d->priv = NULL;
}

static int attach_dev(struct dmp_iommu_domain *d, struct dmp_device *dev)
{
	struct smmu *s = &drv_of(d->iommu)->hw;
	struct dmp_iommu_dev *idev = dmp_dev_iommu(dev);
	for (unsigned int i = 0; i < idev->nr_sids; i++) {
		uint32_t sid = idev->sids[i];
		int err;
		if (dmp_iommu_domain_is_paging(d)) {
			struct smmu_iommu_domain *sd = d->priv;
			err = smmu_attach(s, sid, &sd->hw); /* STE S1 + CFGI_STE + CMD_SYNC */
		} else if (d->type == DMP_IOMMU_DOMAIN_IDENTITY) {
			s->domains[sid] = NULL;
			err = smmu_ste_bypass(s, sid);
		} else {
			err = smmu_detach(s, sid); /* BLOCKED: abort STE */
		}
		if (err)
			return err;
	}
	return 0;
}

static size_t unmap_pages(struct dmp_iommu_domain *d, dmp_addr_t iova, size_t pgsize,
			  size_t pgcount, struct dmp_iommu_iotlb_gather *gather)
{
	struct smmu_iommu_domain *sd = d->priv;
	size_t n = sd->hw.pgt->unmap_pages(sd->hw.pgt, iova, pgsize, pgcount, gather);
	if (!gather)
		smmu_sync(sd->hw.smmu); /* the leaves were invalidated one by one */
	return n;
}

static void iotlb_sync(struct dmp_iommu_domain *d, struct dmp_iommu_iotlb_gather *gather)
{
	struct smmu_iommu_domain *sd = d->priv;
	if (!sd || gather->end < gather->start)
		return;
	smmu_tlbi_range(&sd->hw, gather->start, gather->end,
			gather->pgsize ? gather->pgsize : DMP_PAGE_SIZE);
}

static void flush_iotlb_all(struct dmp_iommu_domain *d)
{
	struct smmu_iommu_domain *sd = d->priv;
	if (!sd)
		return;
	sd->hw.tlbi_asid++;
	smmu_cmd_tlbi_asid(sd->hw.smmu, sd->hw.asid);
	smmu_sync(sd->hw.smmu);
}

static bool capable(struct dmp_iommu *iommu, enum dmp_iommu_cap cap)
{
	switch (cap) {
	case DMP_IOMMU_CAP_COHERENT_WALK: return drv_of(iommu)->hw.coherent; /* IDR0.COHACC */
	case DMP_IOMMU_CAP_DEFERRED_FLUSH: return true; /* TLBI_NH_ASID is one command */
	default: return false;
	}
}

static const struct dmp_iommu_ops smmu_iommu_ops = {
	.name = "arm-smmu-v3",
	.probe_device = probe_device,
	.release_device = release_device,
	.device_group = device_group,
	.domain_init = domain_init,
	.domain_destroy = domain_destroy,
	.attach_dev = attach_dev,
	/* New entries only (io-pgtable never overwrites one), and the SMMU
	 * caches no invalid entries: a map needs no invalidation.  The table
	 * writes are cleaned by io-pgtable when the walk is not coherent. */
	.map_pages = dmp_io_pgtable_domain_map_pages,
	.unmap_pages = unmap_pages,
	.iotlb_sync = iotlb_sync,
	.flush_iotlb_all = flush_iotlb_all,
	.iova_to_phys = dmp_io_pgtable_domain_iova_to_phys,
	.capable = capable,
};

struct smmu_domain *smmu_iommu_hw_domain(struct dmp_iommu_domain *domain)
{
	if (!domain || domain->ops != &smmu_iommu_ops || !domain->priv)
		return NULL;
	return &((struct smmu_iommu_domain *)domain->priv)->hw;
}

/* ---- events and global errors ----------------------------------------------- */

static void handle_event(void *arg, const struct smmu_event *ev)
{
	struct smmu_iommu *drv = arg;
	switch (ev->id) {
	case SMMU_EVT_F_TRANSLATION:
	case SMMU_EVT_F_ADDR_SIZE:
	case SMMU_EVT_F_ACCESS:
	case SMMU_EVT_F_PERMISSION: {
		/* A stage-1 fault on an input address: the domain's business. */
		struct dmp_device *dev = dmp_iommu_find_device(&drv->iommu, ev->sid);
		struct dmp_iommu_domain *d = dev ? dmp_iommu_get_domain_for_dev(dev) : NULL;
		int flags = (ev->read ? DMP_IOMMU_FAULT_READ : DMP_IOMMU_FAULT_WRITE) |
			    (ev->id == SMMU_EVT_F_PERMISSION ? DMP_IOMMU_FAULT_PERM : 0);
		drv->faults_reported++;
		dmp_iommu_report_fault(d, dev, ev->addr, flags);
		return;
	}
	default:
		/* Configuration errors (C_BAD_STE ...): the driver's, not a domain's. */
		drv->events_logged++;
		dmp_log("smmu: event %s (%#x) stream %#x: %#llx %#llx %#llx %#llx",
			 smmu_event_name(ev->id), ev->id, ev->sid, (unsigned long long)ev->raw[0],
			 (unsigned long long)ev->raw[1], (unsigned long long)ev->raw[2],
			 (unsigned long long)ev->raw[3]);
	}
}

unsigned int smmu_iommu_poll(struct smmu_iommu *drv)
{
	struct smmu *s = &drv->hw;
	unsigned int n = smmu_events_drain(s, handle_event, drv);
	uint32_t active = smmu_gerror(s) & SMMU_GERROR_ALL & ~SMMU_GERROR_CMDQ_ERR;
	if (active) {
		drv->gerrors |= active;
		for (unsigned int bit = 0; bit < 32; bit++) {
			if (active & (1u << bit))
				dmp_log("smmu: global error %s (GERROR bit %u)%s", smmu_gerror_name(bit),
					 bit,
					 bit == 2 ? ": the event queue was full, events were lost" : "");
		}
		smmu_gerror_ack(s, active);
		/* Records that arrived while we handled the error. */
		n += smmu_events_drain(s, handle_event, drv);
	}
	return n;
}

/* ---- set-up ------------------------------------------------------------------ */

int smmu_iommu_init(dmp_phys_t base, unsigned int sid_bits,
		    enum dmp_iommu_domain_type default_type, struct smmu_iommu **out)
{
	struct smmu_iommu *drv = dmp_kzalloc(sizeof(*drv), DMP_GFP_KERNEL);
	if (!drv)
		return -ENOMEM;
	int err = smmu_probe(&drv->hw, base);
	if (err)
		goto fail_free;
	err = smmu_enable(&drv->hw, sid_bits);
	if (err)
		goto fail_free;
	snprintf(drv->iommu.name, sizeof(drv->iommu.name), "smmuv3@%#llx", (unsigned long long)base);
	drv->iommu.ops = &smmu_iommu_ops;
	drv->iommu.priv = drv;
	drv->iommu.default_type = default_type;
	err = dmp_iommu_register(&drv->iommu);
	if (err)
		goto fail_disable;
	*out = drv;
	return 0;

fail_disable:
	smmu_disable(&drv->hw);
fail_free:
	dmp_kfree(drv);
	return err;
}

void smmu_iommu_fini(struct smmu_iommu *drv)
{
	if (!drv)
		return;
	dmp_iommu_unregister(&drv->iommu);
	smmu_disable(&drv->hw);
	dmp_iounmap(drv->hw.regs);
	dmp_kfree(drv);
}

int smmu_iommu_probe_pci(struct smmu_iommu *drv, struct dmp_device *dev,
			 const struct pci_dev *pdev)
{
	/* the stream ID the device tree's iommu-map gives the requester ID */
	uint32_t sid;
	if (!fdt_pci_rid_to_sid((const void *)(uintptr_t)DTB_ADDR, pci_requester_id(pdev), &sid))
		return -ENODEV;
	return dmp_iommu_probe_device(dev, &drv->iommu, &sid, 1);
}
