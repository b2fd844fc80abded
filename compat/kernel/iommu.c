/* SPDX-License-Identifier: MIT */
/*
 * iommu.c - the IOMMU calls that take a bus (iommu_domain_alloc(bus),
 * iommu_present(bus)) and ARM's DMA-IOMMU glue (<asm/dma-iommu.h>) over
 * dmaport's DMA domains.
 */
#include <asm/dma-iommu.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/slab.h>

#include "runtime.h"

static int has_iommu(struct device *dev, void *data)
{
	if (!dev->dmp_dma_set_up || !dev->dmp.iommu)
		return 0;
	*(struct device **)data = dev;
	return 1;
}

/* The first device on @bus behind an IOMMU, or NULL. */
static struct device *iommu_dev_on(const struct bus_type *bus)
{
	struct device *dev = NULL;
	if (bus)
		bus_for_each_dev(bus, NULL, &dev, has_iommu);
	return dev;
}

struct iommu_domain *iommu_domain_alloc(const struct bus_type *bus)
{
	struct device *dev = iommu_dev_on(bus);
	struct dmp_iommu_domain *domain;
	if (!dev || dmp_iommu_paging_domain_alloc(&dev->dmp, &domain))
		return NULL;
	return domain;
}

bool iommu_present(const struct bus_type *bus)
{
	return iommu_dev_on(bus) != NULL;
}

/* ---- ARM's mappings ------------------------------------------------------ */

static LIST_HEAD(mappings);

struct dma_iommu_mapping *dmp_lx_arm_iommu_create_mapping(const struct bus_type *bus,
							  dma_addr_t base, u64 size)
{
	if (!size || base + (size - 1) < base)
		return ERR_PTR(-EINVAL);
	struct device *dev = iommu_dev_on(bus);
	if (!dev)
		return ERR_PTR(-ENODEV);
	struct dma_iommu_mapping *m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	int err = dmp_iommu_dma_domain_alloc(&dev->dmp, base, size, &m->domain);
	if (err) {
		kfree(m);
		return ERR_PTR(err);
	}
	m->base = base;
	m->size = size;
	spin_lock_init(&m->lock);
	kref_init(&m->kref);
	list_add(&m->dmp_node, &mappings);
	return m;
}

static void mapping_free(struct kref *kref)
{
	struct dma_iommu_mapping *m = container_of(kref, struct dma_iommu_mapping, kref);
	list_del(&m->dmp_node);
	iommu_domain_free(m->domain);
	kfree(m);
}

void arm_iommu_release_mapping(struct dma_iommu_mapping *mapping)
{
	if (mapping)
		kref_put(&mapping->kref, mapping_free);
}

int arm_iommu_attach_device(struct device *dev, struct dma_iommu_mapping *mapping)
{
	if (!dev || !mapping)
		return -EINVAL;
	if (dev->archdata.mapping)
		return dev->archdata.mapping == mapping ? 0 : -EBUSY;
	int err = iommu_attach_device(mapping->domain, dev);
	if (err)
		return err;
	kref_get(&mapping->kref);
	dev->archdata.mapping = mapping;
	pr_debug("Attached IOMMU controller to %s device.\n", dev_name(dev));
	return 0;
}

void arm_iommu_detach_device(struct device *dev)
{
	struct dma_iommu_mapping *mapping = dev ? dev->archdata.mapping : NULL;
	if (!mapping) {
		dev_warn(dev, "Not attached\n");
		return;
	}
	iommu_detach_device(mapping->domain, dev);
	dev->archdata.mapping = NULL;
	kref_put(&mapping->kref, mapping_free);
	pr_debug("Detached IOMMU controller from %s device.\n", dev_name(dev));
}

void dmp_lx_iommu_machine_down(void)
{
	struct dma_iommu_mapping *m, *n;
	list_for_each_entry_safe(m, n, &mappings, dmp_node) {
		pr_err("arm_iommu mapping [%#llx, +%#llx) never released\n",
		       (unsigned long long)m->base, (unsigned long long)m->size);
		list_del(&m->dmp_node);
		/* devices are gone (the domain is no longer attached): free it */
		iommu_domain_free(m->domain);
		kfree(m);
	}
}
