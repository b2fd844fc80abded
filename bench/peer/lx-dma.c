/* SPDX-License-Identifier: MIT */
/*
 * lx-dma.c - lx-peer.h's DMA-over-IOMMU calls onto Linux's own DMA API,
 * dma_map_page_attrs() / dma_unmap_page_attrs(), which call
 * iommu_dma_map_page() / iommu_dma_unmap_page(): this file includes the
 * definitions scripts/linux-peer-extract.sh cut out of kernel/dma/mapping.c,
 * dma-iommu.c, iommu.c and iommu-priv.h (dma-iommu-path.c, generated in the
 * build directory; some of its static functions are what this file calls),
 * then adds what the kernel's device probe and an IOMMU driver would have set
 * up.  Built only by `make bench-peer`.
 *
 * Our stand-ins here (set-up, untimed, except the driver's five callbacks):
 *  - the IOMMU driver: its domain ops are io-pgtable forwarders, as
 *    arm-smmu-v3's are (map_pages, unmap_pages, iova_to_phys call Linux's
 *    io-pgtable-arm.c), with no-op TLB maintenance: flush_iotlb_all and
 *    iotlb_sync return at once (counting only while lx_dma_verify() runs),
 *    and so do the io-pgtable's tlb_flush_all and tlb_flush_walk, but its
 *    tlb_add_page adds the page to the unmap's gather with Linux's
 *    iommu_iotlb_gather_add_page(), as arm-smmu-v3's does before it would
 *    queue a command; capable() says DEFERRED_FLUSH, as SMMUv3 does.  The
 *    same driver, written against dmaport's API, is dmaport's side of the
 *    benchmark (peer.c).
 *  - the device probe and __iommu_domain_alloc(): one platform device,
 *    coherent, a 48-bit mask, dev->dma_iommu set (as iommu_setup_dma_ops()
 *    sets it), in a group whose default domain is a DMA
 *    domain (strict) or a DMA-FQ domain (lazy) of page sizes 4K|2M|1G and a
 *    48-bit aperture; then Linux's own iommu_get_dma_cookie() and
 *    iommu_dma_init_domain() (which builds the IOVA domain and, for DMA-FQ,
 *    the per-CPU flush queues of 256 entries).
 */
#include <peer-dma-iommu.h>
#include <linux/io-pgtable.h>

#include "dma-iommu-path.c"

#include "lx-peer.h"

unsigned long jiffies;

/* never reached: see peer-dma-iommu.h */
int iommu_deferred_attach(struct device *dev, struct iommu_domain *domain)
{
	abort();
}

struct lx_dma {
	struct iommu_domain domain;
	struct device dev;
	struct dev_iommu dev_iommu;
	struct iommu_device iommu_dev;
	struct iommu_group group;
	struct peer_dev_swiotlb swiotlb;
	struct io_pgtable_ops *pgtbl;
	u64 mask;
	bool verify;
	unsigned long flushes, syncs;
};

static struct lx_dma *to_lx(struct iommu_domain *domain)
{
	return container_of(domain, struct lx_dma, domain);
}

static int drv_map_pages(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
			 size_t pgsize, size_t pgcount, int prot, gfp_t gfp, size_t *mapped)
{
	struct io_pgtable_ops *ops = to_lx(domain)->pgtbl;
	return ops->map_pages(ops, iova, paddr, pgsize, pgcount, prot, gfp, mapped);
}

static size_t drv_unmap_pages(struct iommu_domain *domain, unsigned long iova, size_t pgsize,
			      size_t pgcount, struct iommu_iotlb_gather *gather)
{
	struct io_pgtable_ops *ops = to_lx(domain)->pgtbl;
	return ops->unmap_pages(ops, iova, pgsize, pgcount, gather);
}

static phys_addr_t drv_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	struct io_pgtable_ops *ops = to_lx(domain)->pgtbl;
	return ops->iova_to_phys(ops, iova);
}

static void drv_flush_iotlb_all(struct iommu_domain *domain)
{
	struct lx_dma *d = to_lx(domain);
	if (unlikely(d->verify))
		d->flushes++;
}

static void drv_iotlb_sync(struct iommu_domain *domain, struct iommu_iotlb_gather *gather)
{
	struct lx_dma *d = to_lx(domain);
	if (unlikely(d->verify))
		d->syncs++;
}

static bool drv_capable(struct device *dev, enum iommu_cap cap)
{
	return cap == IOMMU_CAP_DEFERRED_FLUSH;
}

static const struct iommu_domain_ops drv_domain_ops = {
	.map_pages = drv_map_pages,
	.unmap_pages = drv_unmap_pages,
	.iova_to_phys = drv_iova_to_phys,
	.flush_iotlb_all = drv_flush_iotlb_all,
	.iotlb_sync = drv_iotlb_sync,
};

static void tlb_flush_all(void *cookie) { }
static void tlb_flush_walk(unsigned long iova, size_t size, size_t granule, void *cookie) { }
static void tlb_add_page(struct iommu_iotlb_gather *gather, unsigned long iova, size_t granule,
			 void *cookie)
{
	iommu_iotlb_gather_add_page(cookie, gather, iova, granule);
}
static const struct iommu_flush_ops drv_tlb = {
	.tlb_flush_all = tlb_flush_all,
	.tlb_flush_walk = tlb_flush_walk,
	.tlb_add_page = tlb_add_page,
};

static const struct iommu_ops drv_ops = {
	.capable = drv_capable,
	.default_domain_ops = &drv_domain_ops,
};

int lx_dma_create(bool lazy, struct lx_dma **out)
{
	struct lx_dma *d = aligned_alloc(64, ALIGN(sizeof(*d), 64));
	int err;
	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	/* the domain's table, as lx_pgtable_create() makes one, with the domain
	 * as the TLB callbacks' cookie */
	struct io_pgtable_cfg cfg = {
		.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G,
		.ias = 48,
		.oas = 48,
		.coherent_walk = true,
		.tlb = &drv_tlb,
	};
	struct io_pgtable *iop = io_pgtable_arm_64_lpae_s1_init_fns.alloc(&cfg, &d->domain);
	err = -ENOMEM;
	if (!iop)
		goto out_free;
	iop->fmt = ARM_64_LPAE_S1;
	iop->cookie = &d->domain;
	iop->cfg = cfg;
	d->pgtbl = &iop->ops;

	d->iommu_dev.ops = &drv_ops;
	d->dev_iommu.iommu_dev = &d->iommu_dev;
	d->mask = DMA_BIT_MASK(48);
	d->dev.dma_mask = &d->mask;
	d->dev.coherent_dma_mask = d->mask;
	d->dev.dma_coherent = true;
	d->dev.dma_iommu = true;
	d->dev.iommu = &d->dev_iommu;
	d->dev.iommu_group = &d->group;
	/* a kernel with swiotlb gives every device the default pool */
	d->dev.dma_io_tlb_mem = &d->swiotlb;
	d->group.default_domain = &d->domain;
	d->group.domain = &d->domain;

	d->domain.type = lazy ? IOMMU_DOMAIN_DMA_FQ : IOMMU_DOMAIN_DMA;
	d->domain.ops = &drv_domain_ops;
	d->domain.owner = &drv_ops;
	d->domain.pgsize_bitmap = cfg.pgsize_bitmap;
	d->domain.geometry.aperture_start = 0;
	d->domain.geometry.aperture_end = DMA_BIT_MASK(48);
	d->domain.geometry.force_aperture = true;

	err = iova_cache_get();
	if (err)
		goto out_pgt;
	err = iommu_get_dma_cookie(&d->domain);
	if (err)
		goto out_cache;
	err = iommu_dma_init_domain(&d->domain, &d->dev);
	if (err)
		goto out_cookie;
	if (lazy != (d->domain.type == IOMMU_DOMAIN_DMA_FQ)) {
		err = -ENODEV; /* the flush queue fell back to strict */
		goto out_cookie;
	}
	*out = d;
	return 0;
out_cookie:
	iommu_put_dma_cookie(&d->domain);
out_cache:
	iova_cache_put();
out_pgt:
	io_pgtable_arm_64_lpae_s1_init_fns.free(iop);
out_free:
	free(d);
	return err;
}

void lx_dma_destroy(struct lx_dma *d)
{
	struct iommu_dma_cookie *cookie = d->domain.iova_cookie;
	/* the flush-queue timer, as it would have fired: flush, free the queued */
	if (cookie->fq_domain && cookie->fq_timer.pending) {
		cookie->fq_timer.pending = false;
		cookie->fq_timer.function(&cookie->fq_timer);
	}
	iommu_put_dma_cookie(&d->domain);
	iova_cache_put();
	io_pgtable_arm_64_lpae_s1_init_fns.free(io_pgtable_ops_to_pgtable(d->pgtbl));
	free(d);
}

uint64_t lx_dma_map_page(struct lx_dma *d, void *page, size_t offset, size_t size)
{
	return dma_map_page_attrs(&d->dev, (struct page *)page, offset, size, DMA_TO_DEVICE, 0);
}

void lx_dma_unmap_page(struct lx_dma *d, uint64_t dma, size_t size)
{
	dma_unmap_page_attrs(&d->dev, dma, size, DMA_TO_DEVICE, 0);
}

uint64_t lx_dma_iova_to_phys(struct lx_dma *d, uint64_t iova)
{
	return iommu_iova_to_phys(&d->domain, iova);
}

void lx_dma_verify(struct lx_dma *d, bool on)
{
	d->verify = on;
}

unsigned long lx_dma_flushes(struct lx_dma *d)
{
	return d->flushes;
}

unsigned long lx_dma_syncs(struct lx_dma *d)
{
	return d->syncs;
}
