/* SPDX-License-Identifier: MIT */
/*
 * iommu.c - the VFIO type1 container as a dmp_iommu_ops driver.
 *
 * The container is one I/O address space that the kernel programs into the
 * IOMMU for every group in it (drivers/vfio/vfio_iommu_type1.c).  A
 * dmaport domain is a list of mappings; the domain attached to the
 * container's devices (v->live) has its list in the container, one
 * VFIO_IOMMU_MAP_DMA per entry.  Attaching another domain (an unmanaged one,
 * dmp_iommu_attach_device) swaps the lists: so one container has one live
 * domain, and a domain switch is refused while another device still uses
 * the live one (-EBUSY).
 *
 * Type1v2's rules shape the driver: an unmap must cover whole mappings (it
 * cannot split one: vfio_dma_do_unmap returns -EINVAL), and the kernel keeps
 * no reverse lookup we could ask (iova_to_phys).  So the driver keeps its
 * own record of every mapping, reports only the smallest page size (one
 * dmp_iommu_map() is then one map_pages() call: one VFIO mapping, which the
 * kernel itself builds from the largest IOMMU pages that fit), and refuses
 * to unmap part of a mapping, as Linux's io-pgtable no longer splits
 * blocks.  VFIO_IOMMU_UNMAP_DMA returns after the kernel has unmapped the
 * pages and synchronised the IOTLB (iommu_unmap() + iotlb_sync before it
 * unpins): iotlb_sync has nothing left to do, and every unmap is strict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vfio.h>

#include "vfio-internal.h"

static struct dmp_vfio *vfio_of(const struct dmp_iommu *iommu)
{
	return iommu->priv;
}

static struct dmp__vfio_domain *dom_of(const struct dmp_iommu_domain *domain)
{
	return domain->priv;
}

/* ---- the container's mappings ------------------------------------------------ */

static int vfio_map(struct dmp_vfio *v, const struct dmp__vfio_map *m)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = m->flags,
		.vaddr = (uint64_t)(uintptr_t)dmp_phys_to_virt(m->phys),
		.iova = m->iova,
		.size = m->size,
	};
	if (dmp__vfio_sys.ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map) < 0) {
		int err = errno;
		dmp_log("dmaport: vfio: VFIO_IOMMU_MAP_DMA iova 0x%llx size 0x%zx: %s",
			 (unsigned long long)m->iova, m->size, strerror(err));
		/* ENOSPC: the container's entry limit (dma_entry_limit) is
		 * reached; like EFAULT/ENOMEM (pinning failed) a retry may
		 * succeed after unmaps: -ENOMEM. */
		return err == EEXIST ? -EEXIST : err == EINVAL ? -EINVAL : -ENOMEM;
	}
	v->stats.maps++;
	v->stats.mapped_bytes += m->size;
	return 0;
}

/* Unmap [iova, +size) from the container: whole mappings only (type1v2). */
static int vfio_unmap(struct dmp_vfio *v, dmp_addr_t iova, size_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};
	if (dmp__vfio_sys.ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0 ||
	    unmap.size != size) {
		dmp_log("dmaport: vfio: VFIO_IOMMU_UNMAP_DMA iova 0x%llx size 0x%zx: %s",
			 (unsigned long long)iova, size,
			 unmap.size != size ? "unmapped another size" : strerror(errno));
		return -EIO;
	}
	v->stats.unmaps++;
	v->stats.unmapped_bytes += size;
	return 0;
}

/* Put @d's mappings into the container; on failure none of them stays. */
static int container_load(struct dmp_vfio *v, struct dmp__vfio_domain *d)
{
	for (size_t i = 0; i < d->nr; i++) {
		int err = vfio_map(v, &d->maps[i]);
		if (err) {
			while (i--)
				vfio_unmap(v, d->maps[i].iova, d->maps[i].size);
			return err;
		}
	}
	return 0;
}

static void container_unload(struct dmp_vfio *v, struct dmp__vfio_domain *d)
{
	for (size_t i = 0; i < d->nr; i++)
		vfio_unmap(v, d->maps[i].iova, d->maps[i].size);
}

/* ---- a domain's record ------------------------------------------------------------ */

/* The index of the first mapping that ends above @iova (d->nr if none). */
static size_t lookup(const struct dmp__vfio_domain *d, dmp_addr_t iova)
{
	size_t lo = 0, hi = d->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->maps[mid].iova + d->maps[mid].size - 1 < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int reserve_slot(struct dmp__vfio_domain *d)
{
	if (d->nr < d->cap)
		return 0;
	size_t cap = d->cap ? d->cap * 2 : 16;
	struct dmp__vfio_map *m = realloc(d->maps, cap * sizeof(*m));
	if (!m)
		return -ENOMEM;
	d->maps = m;
	d->cap = cap;
	return 0;
}

static void insert_at(struct dmp__vfio_domain *d, size_t i, const struct dmp__vfio_map *m)
{
	memmove(&d->maps[i + 1], &d->maps[i], (d->nr - i) * sizeof(*m));
	d->maps[i] = *m;
	d->nr++;
}

static void remove_range(struct dmp__vfio_domain *d, size_t i, size_t n)
{
	memmove(&d->maps[i], &d->maps[i + n], (d->nr - i - n) * sizeof(d->maps[0]));
	d->nr -= n;
}

/* ---- dmp_iommu_ops ------------------------------------------------------------------ */

static int vfio_probe_device(struct dmp_iommu *iommu, struct dmp_device *dev,
			     const uint32_t *sids, unsigned int nr_sids)
{
	/* only the devices dmp_vfio_pci_open() opened on this container */
	struct dmp_vfio *v = vfio_of(iommu);
	pthread_mutex_lock(&v->lock);
	struct dmp_vfio_pci *pci = dmp__vfio_pci_find(v, sids[0]);
	bool ok = nr_sids == 1 && pci && &pci->dev == dev;
	pthread_mutex_unlock(&v->lock);
	return ok ? 0 : -ENODEV;
}

static void vfio_release_device(struct dmp_iommu *iommu, struct dmp_device *dev)
{
	struct dmp_vfio *v = vfio_of(iommu);
	pthread_mutex_lock(&v->lock);
	struct dmp_vfio_pci *pci = dmp__vfio_pci_find(v, dmp_dev_iommu(dev)->sids[0]);
	if (pci && pci->domain) {
		struct dmp_iommu_domain *domain = pci->domain;
		pci->domain = NULL;
		/* the last user of the live domain: empty the container, so that
		 * the next domain starts from nothing */
		if (--dom_of(domain)->users == 0 && v->live == domain) {
			container_unload(v, dom_of(domain));
			v->live = NULL;
		}
	}
	pthread_mutex_unlock(&v->lock);
}

static uint64_t vfio_device_group(struct dmp_iommu *iommu, struct dmp_device *dev)
{
	/* the kernel's IOMMU group: the devices it can isolate from each other */
	struct dmp_vfio *v = vfio_of(iommu);
	pthread_mutex_lock(&v->lock);
	struct dmp_vfio_pci *pci = dmp__vfio_pci_find(v, dmp_dev_iommu(dev)->sids[0]);
	uint64_t group = pci ? (uint64_t)pci->group->nr : ~0ull;
	pthread_mutex_unlock(&v->lock);
	return group;
}

static int vfio_domain_init(struct dmp_iommu *iommu, struct dmp_iommu_domain *domain)
{
	struct dmp_vfio *v = vfio_of(iommu);
	if (domain->type == DMP_IOMMU_DOMAIN_DMA_FQ)
		return -EOPNOTSUPP; /* no deferred flush: VFIO's unmap is synchronous */
	struct dmp__vfio_domain *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	/* the smallest page only: see the top of the file */
	uint64_t pgsizes = v->pgsizes ? v->pgsizes : DMP_PAGE_SIZE;
	domain->pgsize_bitmap = pgsizes & -pgsizes;
	if (domain->pgsize_bitmap < DMP_PAGE_SIZE) {
		free(d);
		return -EOPNOTSUPP; /* below dmaport's page: cannot happen on Linux */
	}
	if (v->nr_ranges) {
		domain->geometry.aperture_start = v->ranges[0].start;
		domain->geometry.aperture_end = v->ranges[v->nr_ranges - 1].end;
		domain->geometry.force_aperture = true;
	}
	if (domain->type == DMP_IOMMU_DOMAIN_IDENTITY) {
		/* bus address = physical address: all the platform's memory, at
		 * the addresses it has in the platform */
		int err = reserve_slot(d);
		if (err) {
			free(d);
			return err;
		}
		d->maps[d->nr++] = (struct dmp__vfio_map){
			.iova = v->mem_base, .size = v->mem_size, .phys = v->mem_base,
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		};
	}
	domain->priv = d;
	return 0;
}

static void vfio_domain_destroy(struct dmp_iommu_domain *domain)
{
	struct dmp_vfio *v = vfio_of(domain->iommu);
	struct dmp__vfio_domain *d = dom_of(domain);
	pthread_mutex_lock(&v->lock);
	if (v->live == domain) { /* the core frees only domains nobody uses */
		container_unload(v, d);
		v->live = NULL;
	}
	pthread_mutex_unlock(&v->lock);
	free(d->maps);
	free(d);
	domain->priv = NULL;
}

static int vfio_attach_dev(struct dmp_iommu_domain *domain, struct dmp_device *dev)
{
	struct dmp_vfio *v = vfio_of(domain->iommu);
	int err = 0;
	pthread_mutex_lock(&v->lock);
	struct dmp_vfio_pci *pci = dmp__vfio_pci_find(v, dmp_dev_iommu(dev)->sids[0]);
	if (!pci) {
		err = -ENODEV;
		goto out;
	}
	struct dmp_iommu_domain *old = pci->domain;
	if (old == domain)
		goto out;
	if (v->live != domain) {
		struct dmp_iommu_domain *live = v->live;
		unsigned int others = live ? dom_of(live)->users - (old == live) : 0;
		if (others) {
			err = -EBUSY; /* one container, one address space */
			goto out;
		}
		if (live)
			container_unload(v, dom_of(live));
		err = container_load(v, dom_of(domain));
		if (err) {
			/* put the old address space back */
			if (live && container_load(v, dom_of(live)) == 0)
				v->live = live;
			else
				v->live = NULL;
			goto out;
		}
		v->live = domain;
	}
	if (old)
		dom_of(old)->users--;
	dom_of(domain)->users++;
	pci->domain = domain;
out:
	pthread_mutex_unlock(&v->lock);
	return err;
}

static uint32_t vfio_flags(int prot)
{
	return ((prot & DMP_IOMMU_READ) ? VFIO_DMA_MAP_FLAG_READ : 0) |
	       ((prot & DMP_IOMMU_WRITE) ? VFIO_DMA_MAP_FLAG_WRITE : 0);
}

static int vfio_map_pages(struct dmp_iommu_domain *domain, dmp_addr_t iova, dmp_phys_t paddr,
			  size_t pgsize, size_t pgcount, int prot, dmp_gfp_t gfp, size_t *mapped)
{
	(void)gfp; /* the ioctl may sleep: user space has no atomic context */
	struct dmp_vfio *v = vfio_of(domain->iommu);
	struct dmp__vfio_domain *d = dom_of(domain);
	size_t size = pgsize * pgcount;
	*mapped = 0;
	/* VFIO maps this process's pages: only the platform's memory has them */
	if (paddr < v->mem_base || size > v->mem_size || paddr - v->mem_base > v->mem_size - size) {
		dmp_log("dmaport: vfio: map of 0x%llx + 0x%zx: not the platform's memory",
			 (unsigned long long)paddr, size);
		return -EINVAL;
	}
	struct dmp__vfio_map m = { .iova = iova, .size = size, .phys = paddr,
				   .flags = vfio_flags(prot) };
	if (!m.flags)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	int err = reserve_slot(d);
	if (err)
		goto out;
	size_t i = lookup(d, iova);
	if (i < d->nr && d->maps[i].iova <= iova + size - 1) {
		err = -EEXIST;
		goto out;
	}
	if (v->live == domain) {
		err = vfio_map(v, &m);
		if (err)
			goto out;
	}
	insert_at(d, i, &m);
	*mapped = size;
out:
	pthread_mutex_unlock(&v->lock);
	return err;
}

/*
 * Whole mappings from @iova on, while they follow each other without a gap
 * and end inside the range: Linux's unmap also stops at the first hole.  A
 * mapping that starts before @iova or ends after the range would have to be
 * split, which type1v2 refuses: nothing is unmapped then.
 */
static size_t vfio_unmap_pages(struct dmp_iommu_domain *domain, dmp_addr_t iova, size_t pgsize,
			       size_t pgcount, struct dmp_iommu_iotlb_gather *gather)
{
	struct dmp_vfio *v = vfio_of(domain->iommu);
	struct dmp__vfio_domain *d = dom_of(domain);
	size_t size = pgsize * pgcount;
	dmp_addr_t end = iova + size;
	pthread_mutex_lock(&v->lock);
	size_t first = lookup(d, iova), last = first;
	dmp_addr_t at = iova;
	while (last < d->nr && d->maps[last].iova == at && d->maps[last].size <= end - at) {
		at += d->maps[last].size;
		last++;
	}
	size_t done = (size_t)(at - iova);
	/* nothing done: a hole at @iova (Linux returns 0 too), or a split */
	if (!done && first < d->nr && d->maps[first].iova <= iova)
		dmp_log("dmaport: vfio: unmap of 0x%llx + 0x%zx would split the mapping at 0x%llx "
			 "+ 0x%zx (VFIO type1 cannot): refused", (unsigned long long)iova, size,
			 (unsigned long long)d->maps[first].iova, d->maps[first].size);
	if (done && v->live == domain && vfio_unmap(v, iova, done))
		done = 0; /* the kernel still maps them: so does our record */
	if (done) {
		remove_range(d, first, last - first);
		dmp_iommu_iotlb_gather_add(gather, iova, done);
	}
	pthread_mutex_unlock(&v->lock);
	return done;
}

static void vfio_iotlb_sync(struct dmp_iommu_domain *domain, struct dmp_iommu_iotlb_gather *gather)
{
	/* VFIO_IOMMU_UNMAP_DMA returned after the kernel's IOTLB sync */
	(void)domain, (void)gather;
}

static void vfio_flush_iotlb_all(struct dmp_iommu_domain *domain)
{
	(void)domain; /* as iotlb_sync: nothing is ever left cached */
}

static int vfio_iova_to_phys(struct dmp_iommu_domain *domain, dmp_addr_t iova, dmp_phys_t *phys)
{
	struct dmp_vfio *v = vfio_of(domain->iommu);
	struct dmp__vfio_domain *d = dom_of(domain);
	int err = -ENOENT;
	pthread_mutex_lock(&v->lock);
	size_t i = lookup(d, iova);
	if (i < d->nr && d->maps[i].iova <= iova) {
		*phys = d->maps[i].phys + (iova - d->maps[i].iova);
		err = 0;
	}
	pthread_mutex_unlock(&v->lock);
	return err;
}

static bool vfio_capable(struct dmp_iommu *iommu, enum dmp_iommu_cap cap)
{
	(void)iommu;
	/* no deferred flush (every unmap is synchronous); the kernel's
	 * IOMMU driver owns the tables and their coherency */
	return cap == DMP_IOMMU_CAP_COHERENT_WALK;
}

const struct dmp_iommu_ops dmp__vfio_iommu_ops = {
	.name = "vfio-type1",
	.probe_device = vfio_probe_device,
	.release_device = vfio_release_device,
	.device_group = vfio_device_group,
	.domain_init = vfio_domain_init,
	.domain_destroy = vfio_domain_destroy,
	.attach_dev = vfio_attach_dev,
	.map_pages = vfio_map_pages,
	.unmap_pages = vfio_unmap_pages,
	.iotlb_sync = vfio_iotlb_sync,
	.flush_iotlb_all = vfio_flush_iotlb_all,
	.iova_to_phys = vfio_iova_to_phys,
	.capable = vfio_capable,
};

/* ---- the container's IOMMU -------------------------------------------------------- */

/* VFIO_IOMMU_GET_INFO with its capability chain (argsz grows to fit it). */
static int get_info(struct dmp_vfio *v, struct vfio_iommu_type1_info **out)
{
	size_t argsz = sizeof(struct vfio_iommu_type1_info);
	for (int tries = 0; tries < 4; tries++) {
		struct vfio_iommu_type1_info *info = calloc(1, argsz);
		if (!info)
			return -ENOMEM;
		info->argsz = (uint32_t)argsz;
		if (dmp__vfio_sys.ioctl(v->container, VFIO_IOMMU_GET_INFO, info) < 0) {
			int err = dmp__vfio_err(errno);
			free(info);
			return err;
		}
		if (info->argsz <= argsz) {
			*out = info;
			return 0;
		}
		argsz = info->argsz; /* the chain did not fit: again, larger */
		free(info);
	}
	return -EIO;
}

/* The usable IOVA ranges (type1 has reported them since Linux 5.4). */
static void read_ranges(struct dmp_vfio *v, const struct vfio_iommu_type1_info *info)
{
	v->nr_ranges = 0;
	if (info->flags & VFIO_IOMMU_INFO_CAPS) {
		uint32_t off = info->cap_offset;
		for (int n = 0; off && off + sizeof(struct vfio_info_cap_header) <= info->argsz &&
				n < 64; n++) {
			const struct vfio_info_cap_header *h =
				(const void *)((const char *)info + off);
			if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
				const struct vfio_iommu_type1_info_cap_iova_range *r = (const void *)h;
				for (uint32_t i = 0; i < r->nr_iovas &&
						     v->nr_ranges < DMP__VFIO_MAX_RANGES; i++) {
					v->ranges[v->nr_ranges].start = r->iova_ranges[i].start;
					v->ranges[v->nr_ranges].end = r->iova_ranges[i].end;
					v->nr_ranges++;
				}
				if (r->nr_iovas > DMP__VFIO_MAX_RANGES)
					dmp_log("dmaport: vfio: %u IOVA ranges, the first %d used",
						 r->nr_iovas, DMP__VFIO_MAX_RANGES);
			}
			off = h->next;
		}
	}
	if (!v->nr_ranges) { /* an older kernel: the whole space, as it says nothing */
		v->ranges[0].start = 0;
		v->ranges[0].end = ~(dmp_addr_t)0;
		v->nr_ranges = 1;
	}
}

int dmp__vfio_container_setup(struct dmp_vfio *v)
{
	if (dmp__vfio_sys.ioctl(v->container, VFIO_SET_IOMMU,
				(void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) < 0) {
		int err = dmp__vfio_err(errno);
		/* EPERM: no interrupt remapping (MSI isolation) on this machine */
		dmp_log("dmaport: vfio: VFIO_SET_IOMMU type1v2: %s", strerror(-err));
		return err;
	}
	struct vfio_iommu_type1_info *info;
	int err = get_info(v, &info);
	if (err)
		return err;
	v->pgsizes = (info->flags & VFIO_IOMMU_INFO_PGSIZES) ? info->iova_pgsizes : DMP_PAGE_SIZE;
	read_ranges(v, info);
	free(info);

	/* the holes between the ranges are never handed out as IOVAs (x86:
	 * the interrupt window at 0xfee00000) */
	v->iommu.nr_resv = v->nr_resv_base;
	for (unsigned int i = 1; i < v->nr_ranges; i++) {
		dmp_addr_t start = v->ranges[i - 1].end + 1;
		err = dmp_iommu_add_resv_region(&v->iommu, start,
						(size_t)(v->ranges[i].start - start),
						DMP_IOMMU_RESV_RESERVED);
		if (err) {
			dmp_log("dmaport: vfio: too many holes between IOVA ranges");
			return err;
		}
	}
	/* the pre-mapped memory sits at its physical addresses as IOVAs */
	if (v->mode == DMP_VFIO_PREMAPPED) {
		dmp_addr_t last = v->mem_base + v->mem_size - 1;
		bool fits = false;
		for (unsigned int i = 0; i < v->nr_ranges; i++)
			fits |= v->ranges[i].start <= v->mem_base && last <= v->ranges[i].end;
		if (!fits) {
			dmp_log("dmaport: vfio: memory at 0x%llx-0x%llx is not inside one usable "
				 "IOVA range", (unsigned long long)v->mem_base,
				 (unsigned long long)last);
			return -ERANGE;
		}
	}
	return 0;
}
