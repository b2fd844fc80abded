/* SPDX-License-Identifier: MIT */
/*
 * iommu.c - the IOMMU core: instances, groups, domains, attach/detach,
 * map/unmap with page-size selection, faults, reserved regions (Linux's
 * drivers/iommu/iommu.c).
 */
#include <string.h>

#include <dmaport/iommu-driver.h>
#include <dmaport/scatterlist.h>

#include "../dma/dma-internal.h"
#include "../internal.h"
#include "iommu-internal.h"

static dmp_spinlock_t core_lock = DMP_SPINLOCK_INIT; /* instances, groups, attach */
/*
 * Held while a device leaves its group (dmp_iommu_release_device()) and
 * while a report names a device found in a group (dmp_iommu_domain_free()'s
 * refusal, a fault found by stream ID: dmp_iommu_report_fault_sid()), so
 * that the device outlives the report: after its release the caller may
 * free it.  A report takes the checker's locks, so this lock is
 * taken before core_lock and before any of the checker's, never under them
 * (the checker never releases a device).
 */
static dmp_spinlock_t leave_lock = DMP_SPINLOCK_INIT;
static struct dmp_iommu *iommus;
static int next_group_id;

/* Core objects come from the heap (dmp_kmalloc), as everything on bare metal. */
static void *zalloc(size_t n)
{
	return dmp_kzalloc(n, DMP_GFP_KERNEL);
}

/* The first mandatory member of @ops that is missing, or NULL. */
static const char *iommu_ops_hole(const struct dmp_iommu_ops *ops)
{
	if (!ops->domain_init)
		return "domain_init";
	if (!ops->attach_dev)
		return "attach_dev";
	if (!ops->map_pages)
		return "map_pages";
	if (!ops->unmap_pages)
		return "unmap_pages";
	return ops->iova_to_phys ? NULL : "iova_to_phys";
}

int dmp_iommu_register(struct dmp_iommu *iommu)
{
	if (!iommu || !iommu->ops)
		return -EINVAL;
	const char *hole = iommu_ops_hole(iommu->ops);
	if (hole) {
		dmp_log("dmaport: iommu %s: driver %s has no %s: not registered", iommu->name,
			iommu->ops->name ? iommu->ops->name : "(unnamed)", hole);
		return -EINVAL;
	}
	int err = dmp_iommu_add_resv_region(iommu, DMP_IOMMU_MSI_IOVA_BASE,
					    DMP_IOMMU_MSI_IOVA_LENGTH, DMP_IOMMU_RESV_MSI);
	if (err)
		return err;
	dmp_spin_lock(&core_lock);
	iommu->next = iommus;
	iommus = iommu;
	dmp_spin_unlock(&core_lock);
	return 0;
}

void dmp_iommu_unregister(struct dmp_iommu *iommu)
{
	dmp_spin_lock(&core_lock);
	for (struct dmp_iommu **pp = &iommus; *pp; pp = &(*pp)->next)
		if (*pp == iommu) {
			*pp = iommu->next;
			break;
		}
	dmp_spin_unlock(&core_lock);
}

int dmp_iommu_add_resv_region(struct dmp_iommu *iommu, dmp_addr_t start, size_t length,
			      enum dmp_iommu_resv_type type)
{
	if (!length || start + length - 1 < start)
		return -EINVAL;
	if (iommu->nr_resv == DMP_IOMMU_MAX_RESV)
		return -ENOMEM;
	iommu->resv[iommu->nr_resv++] = (struct dmp_iommu_resv_region){ start, length, type };
	return 0;
}

int dmp_iommu_get_resv_regions(struct dmp_device *dev, struct dmp_iommu_resv_region *out, int max)
{
	struct dmp_iommu_dev *idev = dmp_dev_iommu(dev);
	if (!idev)
		return 0;
	int n = 0;
	for (int i = 0; i < idev->iommu->nr_resv && n < max; i++)
		out[n++] = idev->iommu->resv[i];
	return n;
}

/* ---- domains --------------------------------------------------------------- */

static int domain_alloc(struct dmp_iommu *iommu, enum dmp_iommu_domain_type type,
			struct dmp_iommu_domain **out)
{
	struct dmp_iommu_domain *d = zalloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->type = type;
	d->ops = iommu->ops;
	d->iommu = iommu;
	int err = iommu->ops->domain_init(iommu, d);
	if (err) {
		dmp_kfree(d);
		return err;
	}
	*out = d;
	return 0;
}

static void domain_free(struct dmp_iommu_domain *d)
{
	if (d->dma)
		dmp__iommu_dma_cookie_free(d);
	if (d->ops->domain_destroy)
		d->ops->domain_destroy(d);
	dmp_kfree(d);
}

int dmp_iommu_paging_domain_alloc(struct dmp_device *dev, struct dmp_iommu_domain **out)
{
	struct dmp_iommu_dev *idev = dev ? dmp_dev_iommu(dev) : NULL;
	if (!idev || !out)
		return -ENODEV;
	return domain_alloc(idev->iommu, DMP_IOMMU_DOMAIN_UNMANAGED, out);
}

int dmp_iommu_dma_domain_alloc(struct dmp_device *dev, dmp_addr_t base, uint64_t size,
			       struct dmp_iommu_domain **out)
{
	struct dmp_iommu_dev *idev = dev ? dmp_dev_iommu(dev) : NULL;
	if (!idev || !out)
		return -ENODEV;
	if (!size || base + (size - 1) < base)
		return -EINVAL;
	struct dmp_iommu_domain *d;
	int err = domain_alloc(idev->iommu, DMP_IOMMU_DOMAIN_UNMANAGED, &d);
	if (err)
		return err;
	/* the window, inside what the IOMMU translates */
	dmp_addr_t first = base, last = base + (size - 1);
	if (d->geometry.force_aperture || d->geometry.aperture_end) {
		first = DMP_MAX(first, d->geometry.aperture_start);
		last = DMP_MIN(last, d->geometry.aperture_end);
	}
	size_t granule = (size_t)1 << __builtin_ctzll(d->pgsize_bitmap);
	if (first > last || last - first + 1 < granule) {
		domain_free(d);
		return -EINVAL;
	}
	d->geometry.aperture_start = first;
	d->geometry.aperture_end = last;
	d->geometry.force_aperture = true;
	err = dmp__iommu_dma_cookie_init(d, dev);
	if (err) {
		domain_free(d);
		return err;
	}
	*out = d;
	return 0;
}

/* A group that uses @d, attached or as its default; core_lock held. */
static struct dmp_iommu_group *group_using(const struct dmp_iommu_domain *d)
{
	for (struct dmp_iommu_group *g = d->iommu->groups; g; g = g->next)
		if (g->domain == d || g->default_domain == d)
			return g;
	return NULL;
}

void dmp_iommu_domain_free(struct dmp_iommu_domain *domain)
{
	if (!domain)
		return;
	dmp_spin_lock(&leave_lock);
	dmp_spin_lock(&core_lock);
	struct dmp_iommu_group *g = group_using(domain);
	bool dflt = g && g->default_domain == domain;
	const struct dmp_device *dev = g && g->nr_devices ? g->devices[0] : NULL;
	dmp_spin_unlock(&core_lock);
	if (g) {
		/* Linux frees it anyway and the device then translates through
		 * freed tables; here the domain stays, and the caller can detach
		 * and free again.  A finding, as every refused misuse: the call
		 * returns nothing a test could look at. */
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				dflt ? "free only a domain the driver allocated "
				       "(iommu_paging_domain_alloc()): the group's default domain "
				       "is the core's"
				     : "iommu_detach_device() every device from the domain before "
				       "iommu_domain_free()",
				"iommu_domain_free of a domain %s: refused, nothing freed",
				dflt ? "that is the group's default (the core owns it)"
				     : "still attached (detach it first)");
		dmp_spin_unlock(&leave_lock); /* @dev may leave its group now */
		return;
	}
	dmp_spin_unlock(&leave_lock);
	domain_free(domain);
}

/* ---- groups and attach ----------------------------------------------------- */

/*
 * The domain the DMA API of @g's devices maps through (what
 * dmp__iommu_dma_domain() reads): a DMA-window domain attached, else the
 * default domain.  Set whenever g->domain or g->default_domain changes;
 * core_lock held.
 */
static void group_set_dma_domain(struct dmp_iommu_group *g)
{
	struct dmp_iommu_domain *d = g->domain;
	g->dma_domain = d != g->default_domain && d->dma ? d : g->default_domain;
}

static int group_attach(struct dmp_iommu_group *g, struct dmp_iommu_domain *d)
{
	for (unsigned int i = 0; i < g->nr_devices; i++) {
		int err = d->ops->attach_dev(d, g->devices[i]);
		if (err) {
			/* put the devices done so far back where they were */
			for (unsigned int k = 0; k < i; k++)
				g->domain->ops->attach_dev(g->domain, g->devices[k]);
			return err;
		}
	}
	g->domain = d;
	group_set_dma_domain(g);
	return 0;
}

int dmp_iommu_attach_device(struct dmp_iommu_domain *domain, struct dmp_device *dev)
{
	struct dmp_iommu_dev *idev = dev ? dmp_dev_iommu(dev) : NULL;
	if (!idev || !domain)
		return -ENODEV;
	if (domain->iommu != idev->iommu) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				"attach a domain allocated for this device's IOMMU "
				"(iommu_paging_domain_alloc(dev))",
				"iommu_attach_device of a domain of another IOMMU: refused");
		return -EINVAL;
	}
	/* a default domain belongs to its group, which frees it with the group:
	 * only a caller's own (paging) domain is the caller's to attach */
	if (domain->type != DMP_IOMMU_DOMAIN_UNMANAGED) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				"attach only a domain the driver allocated "
				"(iommu_paging_domain_alloc()): the device is on its group's "
				"default domain already",
				"iommu_attach_device of a domain the caller does not own (a "
				"group's default domain): refused");
		return -EINVAL;
	}
	struct dmp_iommu_group *g = idev->group;
	dmp_spin_lock(&core_lock);
	int err = 0;
	bool misuse = true;
	if (g->nr_devices != 1)
		err = -EINVAL; /* Linux: iommu_attach_device() wants a singleton group */
	else if (g->domain != g->default_domain)
		err = g->domain == domain ? 0 : -EBUSY;
	else {
		err = group_attach(g, domain);
		misuse = false; /* the driver's refusal: an error, not a misuse */
	}
	/* a DMA-window domain carries the device's DMA API with it */
	if (!err && domain->dma)
		dev->dma_ops = &dmp_iommu_dma_ops;
	dmp_spin_unlock(&core_lock);
	if (err && misuse)
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				err == -EBUSY ? "iommu_detach_device() from the domain it is on "
						"first"
					      : "attach a domain only to a device alone in its "
						"IOMMU group, as iommu_attach_device() requires",
				"iommu_attach_device: %s: refused",
				err == -EBUSY ? "the device is attached to another domain"
					      : "its IOMMU group has other devices");
	return err;
}

void dmp_iommu_detach_device(struct dmp_iommu_domain *domain, struct dmp_device *dev)
{
	struct dmp_iommu_dev *idev = dev ? dmp_dev_iommu(dev) : NULL;
	if (!idev)
		return;
	struct dmp_iommu_group *g = idev->group;
	dmp_spin_lock(&core_lock);
	if (g->domain == domain && domain != g->default_domain) {
		group_attach(g, g->default_domain);
		dev->dma_ops = dmp_iommu_is_dma_domain(g->default_domain) ? &dmp_iommu_dma_ops
									   : NULL;
	}
	dmp_spin_unlock(&core_lock);
}

struct dmp_iommu_domain *dmp_iommu_get_domain_for_dev(struct dmp_device *dev)
{
	struct dmp_iommu_dev *idev = dev ? dmp_dev_iommu(dev) : NULL;
	return idev ? idev->group->domain : NULL;
}

struct dmp_iommu_domain *dmp__iommu_default_domain(const struct dmp_device *dev)
{
	return dmp_dev_iommu(dev)->group->default_domain;
}

int dmp_iommu_group_id(struct dmp_device *dev)
{
	struct dmp_iommu_dev *idev = dev ? dmp_dev_iommu(dev) : NULL;
	return idev ? idev->group->id : -ENODEV;
}

static bool is_dma_type(enum dmp_iommu_domain_type t)
{
	return t & DMP__IOMMU_DOMAIN_DMA_API;
}

/*
 * The default domain type of group @g (NULL: a new one) once @dev is in it,
 * decided over every device of the group as Linux's
 * iommu_get_default_domain_type() does: an untrusted device anywhere in the
 * group makes it a strict DMA domain, whatever the IOMMU's default.  core_lock
 * held.
 */
static enum dmp_iommu_domain_type group_default_type(const struct dmp_iommu *iommu,
						     const struct dmp_iommu_group *g,
						     const struct dmp_device *dev)
{
	bool untrusted = dev->untrusted;
	for (unsigned int i = 0; g && i < g->nr_devices; i++)
		untrusted |= g->devices[i]->untrusted;
	return untrusted ? DMP_IOMMU_DOMAIN_DMA : iommu->default_type;
}

/*
 * Give group @g, which @dev is joining, the DMA default domain it now needs
 * in place of an identity one: every device of the group moves to a new
 * strict DMA domain and to the IOMMU's DMA ops (their direct-path mappings,
 * if any were live, would not survive: probe a group's devices before they
 * do DMA, as Linux's bus probe sets a group up with all its devices).
 * A group whose domain is a driver's own (the group is taken) is left alone:
 * -EBUSY.  A DMA_FQ group keeps its domain: it translates already, and
 * dma-iommu.c unmaps an untrusted device's mappings strictly in it.
 */
static int group_retype(struct dmp_iommu_group *g, struct dmp_device *dev)
{
	dmp_spin_lock(&core_lock);
	enum dmp_iommu_domain_type want = group_default_type(g->iommu, g, dev);
	bool owned = g->domain != g->default_domain;
	dmp_spin_unlock(&core_lock);
	if (dmp_iommu_is_dma_domain(g->default_domain) || !is_dma_type(want))
		return 0;
	if (owned) {
		dmp_log("dmaport: %s: untrusted, cannot join IOMMU group %d: its devices use a "
			"driver's own domain, and the group's identity default cannot be "
			"made a DMA domain under it",
			dev->name, g->id);
		return -EBUSY;
	}
	struct dmp_iommu_domain *d, *old = g->default_domain;
	int err = domain_alloc(g->iommu, want, &d);
	if (!err && g->nr_devices)
		err = dmp__iommu_dma_cookie_init(d, g->devices[0]);
	if (!err) {
		dmp_spin_lock(&core_lock);
		err = group_attach(g, d);
		if (!err) {
			g->default_domain = d;
			group_set_dma_domain(g);
		}
		dmp_spin_unlock(&core_lock);
	}
	if (err) {
		if (d)
			domain_free(d);
		return err;
	}
	for (unsigned int i = 0; i < g->nr_devices; i++)
		g->devices[i]->dma_ops = &dmp_iommu_dma_ops;
	domain_free(old);
	return 0;
}

int dmp_iommu_probe_device(struct dmp_device *dev, struct dmp_iommu *iommu, const uint32_t *sids,
			   unsigned int nr_sids)
{
	if (!dev || !iommu || !nr_sids || nr_sids > 4)
		return -EINVAL;
	if (dev->iommu)
		return -EBUSY;
	struct dmp_iommu_dev *idev = zalloc(sizeof(*idev));
	if (!idev)
		return -ENOMEM;
	idev->iommu = iommu;
	idev->nr_sids = nr_sids;
	memcpy(idev->sids, sids, nr_sids * sizeof(*sids));
	dev->iommu = idev;
	int err = iommu->ops->probe_device ? iommu->ops->probe_device(iommu, dev, sids, nr_sids) : 0;
	if (err)
		goto fail_idev;
	uint64_t key = iommu->ops->device_group ? iommu->ops->device_group(iommu, dev) : sids[0];
	dmp_spin_lock(&core_lock);
	struct dmp_iommu_group *g = iommu->groups;
	while (g && g->key != key)
		g = g->next;
	dmp_spin_unlock(&core_lock);
	bool new_group = !g;
	if (new_group) {
		g = zalloc(sizeof(*g));
		if (!g) {
			err = -ENOMEM;
			goto fail_probe;
		}
		g->key = key;
		g->iommu = iommu;
		err = domain_alloc(iommu, group_default_type(iommu, NULL, dev), &g->default_domain);
		if (err)
			goto fail_group;
		g->domain = g->default_domain;
		group_set_dma_domain(g);
	} else {
		err = group_retype(g, dev);
		if (err)
			goto fail_probe;
	}
	if (g->nr_devices == DMP__GROUP_MAX_DEVICES) {
		err = -ENOMEM;
		goto fail_domain;
	}
	if (dmp_iommu_is_dma_domain(g->default_domain)) {
		if (!g->default_domain->dma) {
			err = dmp__iommu_dma_cookie_init(g->default_domain, dev);
			if (err)
				goto fail_domain;
		}
	}
	err = g->domain->ops->attach_dev(g->domain, dev);
	if (err)
		goto fail_domain;
	dmp_spin_lock(&core_lock);
	g->devices[g->nr_devices++] = dev;
	if (new_group) {
		g->id = next_group_id++;
		g->next = iommu->groups;
		iommu->groups = g;
	}
	dmp_spin_unlock(&core_lock);
	idev->group = g;
	dev->dma_ops = dmp_iommu_is_dma_domain(g->default_domain) ? &dmp_iommu_dma_ops : NULL;
	return 0;

fail_domain:
	if (new_group)
		domain_free(g->default_domain);
fail_group:
	if (new_group)
		dmp_kfree(g);
fail_probe:
	if (iommu->ops->release_device)
		iommu->ops->release_device(iommu, dev);
fail_idev:
	dev->iommu = NULL;
	dmp_kfree(idev);
	return err;
}

void dmp_iommu_release_device(struct dmp_device *dev)
{
	struct dmp_iommu_dev *idev = dev ? dmp_dev_iommu(dev) : NULL;
	if (!idev)
		return;
	struct dmp_iommu *iommu = idev->iommu;
	struct dmp_iommu_group *g = idev->group;
	bool last = false;
	dmp_spin_lock(&leave_lock);
	dmp_spin_lock(&core_lock);
	for (unsigned int i = 0; i < g->nr_devices; i++)
		if (g->devices[i] == dev) {
			g->devices[i] = g->devices[--g->nr_devices];
			break;
		}
	if (!g->nr_devices) {
		last = true;
		for (struct dmp_iommu_group **pp = &iommu->groups; *pp; pp = &(*pp)->next)
			if (*pp == g) {
				*pp = g->next;
				break;
			}
	}
	dmp_spin_unlock(&core_lock);
	dmp_spin_unlock(&leave_lock);
	if (iommu->ops->release_device)
		iommu->ops->release_device(iommu, dev);
	if (last) {
		if (g->domain != g->default_domain)
			dmp_log("dmaport: %s: released while attached to a driver's domain", dev->name);
		domain_free(g->default_domain);
		dmp_kfree(g);
	}
	dev->dma_ops = NULL;
	dev->iommu = NULL;
	dmp_kfree(idev);
}

/* The device with stream @sid on @iommu, or NULL; core_lock held. */
static struct dmp_device *find_device_locked(struct dmp_iommu *iommu, uint32_t sid)
{
	for (struct dmp_iommu_group *g = iommu->groups; g; g = g->next)
		for (unsigned int i = 0; i < g->nr_devices; i++) {
			struct dmp_iommu_dev *idev = dmp_dev_iommu(g->devices[i]);
			for (unsigned int k = 0; k < idev->nr_sids; k++)
				if (idev->sids[k] == sid)
					return g->devices[i];
		}
	return NULL;
}

struct dmp_device *dmp_iommu_find_device(struct dmp_iommu *iommu, uint32_t sid)
{
	dmp_spin_lock(&core_lock);
	struct dmp_device *found = find_device_locked(iommu, sid);
	dmp_spin_unlock(&core_lock);
	return found;
}

/* ---- map and unmap ------------------------------------------------------- */

/*
 * The largest page size that the alignment of iova | paddr and the remaining
 * length allow; *count of them to map in one call: all that fit, except
 * that we stop at the boundary of the next larger size when the rest could
 * use it (iova and paddr equally offset in it, and at least one whole larger
 * page after the boundary) - the same choice as Linux's iommu_pgsize().
 */
static size_t pick_pgsize(const struct dmp_iommu_domain *d, dmp_addr_t iova, dmp_phys_t paddr,
			  size_t size, size_t *count)
{
	/* the DMA API's usual request: one smallest page (the answer the
	 * general rule below gives for it) */
	size_t min = (size_t)1 << __builtin_ctzll(d->pgsize_bitmap);
	if (size == min) {
		*count = 1;
		return min;
	}
	uint64_t merged = iova | paddr;
	unsigned int size_top = 63 - (unsigned int)__builtin_clzll(size);
	uint64_t fits = size_top >= 63 ? ~0ull : (2ull << size_top) - 1;
	uint64_t sizes = d->pgsize_bitmap & fits;
	if (merged) {
		unsigned int align = (unsigned int)__builtin_ctzll(merged);
		sizes &= align >= 63 ? ~0ull : (2ull << align) - 1;
	}
	DMP_ASSERT(sizes);
	unsigned int idx = 63 - (unsigned int)__builtin_clzll(sizes);
	size_t span = size;
	uint64_t larger = idx >= 63 ? 0 : d->pgsize_bitmap & ~((2ull << idx) - 1);
	if (larger) {
		uint64_t next = 1ull << __builtin_ctzll(larger);
		uint64_t to_boundary = next - (merged & (next - 1));
		bool same_offset = ((iova ^ paddr) & (next - 1)) == 0;
		if (same_offset && to_boundary + next <= size)
			span = (size_t)to_boundary;
	}
	*count = span >> idx;
	return (size_t)1 << idx;
}

static size_t min_pagesz(const struct dmp_iommu_domain *d)
{
	return (size_t)1 << __builtin_ctzll(d->pgsize_bitmap);
}

/* The fix of an IOMMU-API call whose range is not in whole pages. */
#define FIX_IOMMU_ALIGN                                                                        \
	"map and unmap whole IOMMU pages: iova, paddr and size aligned to the domain's "      \
	"smallest page size (domain->pgsize_bitmap)"

static bool in_aperture(const struct dmp_iommu_domain *d, dmp_addr_t iova, size_t size)
{
	if (!d->geometry.force_aperture)
		return true;
	return iova >= d->geometry.aperture_start && iova + size - 1 <= d->geometry.aperture_end &&
	       iova + size - 1 >= iova;
}

size_t dmp__iommu_unmap_fast(struct dmp_iommu_domain *domain, dmp_addr_t iova, size_t size,
			     struct dmp_iommu_iotlb_gather *gather)
{
	if (!domain || !dmp_iommu_domain_is_paging(domain) || !size)
		return 0;
	size_t minsz = min_pagesz(domain);
	if (!DMP_IS_ALIGNED(iova | size, minsz)) {
		dmp__dma_misuse(NULL, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0, FIX_IOMMU_ALIGN,
				"iommu_unmap of unaligned iova 0x%llx size 0x%zx (smallest page "
				"0x%zx): refused, nothing unmapped",
				(unsigned long long)iova, size, minsz);
		return 0;
	}
	size_t unmapped = 0;
	while (unmapped < size) {
		size_t count;
		/* Linux's __iommu_unmap(): the iova stands for paddr, so that a block
		 * is unmapped whole rather than split into pages */
		size_t pgsize = pick_pgsize(domain, iova + unmapped, iova + unmapped, size - unmapped,
					    &count);
		size_t n = domain->ops->unmap_pages(domain, iova + unmapped, pgsize, count, gather);
		if (!n)
			break;
		unmapped += n;
	}
	return unmapped;
}

void dmp__iommu_iotlb_sync(struct dmp_iommu_domain *domain, struct dmp_iommu_iotlb_gather *gather)
{
	if (domain->ops->iotlb_sync && gather->end >= gather->start)
		domain->ops->iotlb_sync(domain, gather);
}

void dmp__iommu_flush_all(struct dmp_iommu_domain *domain)
{
	if (domain->ops->flush_iotlb_all)
		domain->ops->flush_iotlb_all(domain);
}

size_t dmp_iommu_unmap(struct dmp_iommu_domain *domain, dmp_addr_t iova, size_t size)
{
	struct dmp_iommu_iotlb_gather g;
	dmp_iommu_iotlb_gather_init(&g);
	size_t n = dmp__iommu_unmap_fast(domain, iova, size, &g);
	if (n)
		dmp__iommu_iotlb_sync(domain, &g);
	return n;
}

int dmp_iommu_map(struct dmp_iommu_domain *domain, dmp_addr_t iova, dmp_phys_t paddr, size_t size,
		  int prot, dmp_gfp_t gfp)
{
	if (!domain || !dmp_iommu_domain_is_paging(domain) || !size ||
	    !(prot & (DMP_IOMMU_READ | DMP_IOMMU_WRITE)))
		return -EINVAL;
	size_t minsz = min_pagesz(domain);
	if (!DMP_IS_ALIGNED(iova | paddr | size, minsz)) {
		dmp__dma_misuse(NULL, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0, FIX_IOMMU_ALIGN,
				"iommu_map of unaligned iova 0x%llx pa 0x%llx size 0x%zx (smallest "
				"page 0x%zx): refused, nothing mapped",
				(unsigned long long)iova, (unsigned long long)paddr, size, minsz);
		return -EINVAL;
	}
	if (!in_aperture(domain, iova, size)) {
		dmp__dma_misuse(NULL, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				"map inside the domain's aperture (domain->geometry)",
				"iommu_map of iova 0x%llx size 0x%zx outside the domain's aperture: "
				"refused, nothing mapped", (unsigned long long)iova, size);
		return -EINVAL;
	}
	size_t mapped = 0;
	int err = 0;
	while (mapped < size) {
		size_t count, done = 0;
		size_t pgsize = pick_pgsize(domain, iova + mapped, paddr + mapped, size - mapped,
					    &count);
		err = domain->ops->map_pages(domain, iova + mapped, paddr + mapped, pgsize, count,
					     prot, gfp, &done);
		mapped += done;
		if (err)
			break;
	}
	if (err && mapped) /* nothing half-done: undo the part that was mapped */
		dmp_iommu_unmap(domain, iova, mapped);
	return err;
}

long dmp_iommu_map_sg(struct dmp_iommu_domain *domain, dmp_addr_t iova, struct dmp_scatterlist *sg,
		      unsigned int nents, int prot, dmp_gfp_t gfp)
{
	size_t mapped = 0;
	struct dmp_scatterlist *s;
	unsigned int i;
	int bad;
	const char *why;
	if (!sg || !nents || nents > DMP__INT_MAX || !dmp__sg_valid(sg, (int)nents, &bad, &why)) {
		dmp__dma_misuse(NULL, DMP_DEBUG_INVALID_ARGS, DMP__NO_SITE, 0,
				"pass a filled scatterlist and nents no larger than the list "
				"(sg_nents())",
				"iommu_map_sg of %u entries: %s: refused, nothing mapped", nents,
				!sg || !nents ? "no entries"
				: nents > DMP__INT_MAX ? "too many"
				: why ? why : "the list is shorter");
		return -EINVAL;
	}
	dmp_for_each_sg(sg, s, nents, i) {
		dmp_phys_t phys = dmp_sg_phys(s);
		int err = dmp_iommu_map(domain, iova + mapped, phys, s->length, prot, gfp);
		if (err) {
			if (mapped)
				dmp_iommu_unmap(domain, iova, mapped);
			return err;
		}
		mapped += s->length;
	}
	return (long)mapped;
}

int dmp_iommu_iova_to_phys(struct dmp_iommu_domain *domain, dmp_addr_t iova, dmp_phys_t *phys)
{
	if (!domain)
		return -ENOENT;
	if (domain->type == DMP_IOMMU_DOMAIN_IDENTITY) {
		*phys = iova;
		return 0;
	}
	if (!dmp_iommu_domain_is_paging(domain))
		return -ENOENT;
	return domain->ops->iova_to_phys(domain, iova, phys);
}

void dmp_iommu_set_fault_handler(struct dmp_iommu_domain *domain, dmp_iommu_fault_handler_t handler,
				 void *token)
{
	domain->handler = handler;
	domain->handler_token = token;
}

int dmp_iommu_report_fault(struct dmp_iommu_domain *domain, struct dmp_device *dev,
			   dmp_addr_t iova, int flags)
{
	int ret = -ENOSYS;
	if (domain && domain->handler)
		ret = domain->handler(domain, dev, iova, flags, domain->handler_token);
	if (ret)
		dmp_log("dmaport: %s: unhandled IOMMU %s fault at iova 0x%llx (%s)",
			 dev ? dev->name : "?", (flags & DMP_IOMMU_FAULT_PERM) ? "permission"
									     : "translation",
			 (unsigned long long)iova, (flags & DMP_IOMMU_FAULT_WRITE) ? "write" : "read");
	return ret;
}

int dmp_iommu_report_fault_sid(struct dmp_iommu *iommu, uint32_t sid, dmp_addr_t iova, int flags)
{
	/* leave_lock across the report, as arm_smmu_handle_evt() in Linux's
	 * arm-smmu-v3.c holds streams_mutex from the stream's look-up to the
	 * end of iommu_report_device_fault(): the device found stays in its
	 * group, and its domain (dmp_iommu_domain_free() takes leave_lock) stays */
	dmp_spin_lock(&leave_lock);
	dmp_spin_lock(&core_lock);
	struct dmp_device *dev = find_device_locked(iommu, sid);
	struct dmp_iommu_domain *domain = dev ? dmp_dev_iommu(dev)->group->domain : NULL;
	dmp_spin_unlock(&core_lock);
	int ret = dmp_iommu_report_fault(domain, dev, iova, flags);
	dmp_spin_unlock(&leave_lock);
	return ret;
}
