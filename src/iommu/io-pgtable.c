/* SPDX-License-Identifier: MIT */
/*
 * io-pgtable.c - the generic entry points of the page-table formats
 * (Linux: drivers/iommu/io-pgtable.c), and the forwarders IOMMU drivers
 * use.  A format is its own file's struct dmp_io_pgtable_fmt: none is
 * listed here.
 */
#include <dmaport/io-pgtable.h>
#include <dmaport/iommu-driver.h>

#include "../internal.h"

int dmp_alloc_io_pgtable_ops(const struct dmp_io_pgtable_fmt *fmt, struct dmp_io_pgtable_cfg *cfg,
			     void *cookie, struct dmp_io_pgtable_ops **ops)
{
	DMP_ASSERT(cfg && ops);
	if (!fmt || !fmt->alloc || !fmt->free)
		return -EINVAL;

	struct dmp_io_pgtable *iop = NULL;
	int err = fmt->alloc(cfg, cookie, &iop);
	if (err)
		return err;
	iop->fmt = fmt;
	iop->cookie = cookie;
	/* The format filled its output fields into @cfg; keep the final copy. */
	iop->cfg = *cfg;
	*ops = &iop->ops;
	return 0;
}

void dmp_free_io_pgtable_ops(struct dmp_io_pgtable_ops *ops)
{
	if (!ops)
		return;
	struct dmp_io_pgtable *iop = dmp_io_pgtable_ops_to_pgtable(ops);
	/* Nothing may stay cached that points into memory about to be reused. */
	if (iop->cfg.tlb && iop->cfg.tlb->tlb_flush_all)
		iop->cfg.tlb->tlb_flush_all(iop->cookie);
	iop->fmt->free(iop);
}

int dmp_io_pgtable_check(struct dmp_io_pgtable_ops *ops, struct dmp_io_pgtable_stats *stats)
{
	DMP_ASSERT(ops && ops->check);
	return ops->check(ops, stats);
}

int dmp_io_pgtable_domain_map_pages(struct dmp_iommu_domain *domain, dmp_addr_t iova,
				    dmp_phys_t paddr, size_t pgsize, size_t pgcount, int prot,
				    dmp_gfp_t gfp, size_t *mapped)
{
	struct dmp_io_pgtable_ops *t = domain->pgtbl;
	return t->map_pages(t, iova, paddr, pgsize, pgcount, prot, gfp, mapped);
}

size_t dmp_io_pgtable_domain_unmap_pages(struct dmp_iommu_domain *domain, dmp_addr_t iova,
					 size_t pgsize, size_t pgcount,
					 struct dmp_iommu_iotlb_gather *gather)
{
	struct dmp_io_pgtable_ops *t = domain->pgtbl;
	return t->unmap_pages(t, iova, pgsize, pgcount, gather);
}

int dmp_io_pgtable_domain_iova_to_phys(struct dmp_iommu_domain *domain, dmp_addr_t iova,
				       dmp_phys_t *phys)
{
	struct dmp_io_pgtable_ops *t = domain->pgtbl;
	return t && t->iova_to_phys(t, iova, phys) == 0 ? 0 : -ENOENT;
}
