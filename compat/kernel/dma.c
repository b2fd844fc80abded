/* SPDX-License-Identifier: MIT */
/*
 * dma.c - the managed (devres) forms of the DMA API: dmam_alloc_attrs and
 * friends, dmam_pool_create (see <linux/dma-mapping.h>, <linux/dmapool.h>).
 */
#include <linux/dmapool.h>

#include "runtime.h"

struct dmam_res {
	void *vaddr;
	dma_addr_t dma;
	size_t size;
	unsigned long attrs;
	const char *file;
	int line;
};

static void dmam_release(struct device *dev, void *res)
{
	struct dmam_res *r = res;
	dmp__free_attrs(&dev->dmp, r->size, r->vaddr, r->dma, r->attrs, r->file, r->line);
}

static int dmam_match(struct device *dev, void *res, void *data)
{
	(void)dev;
	struct dmam_res *r = res, *m = data;
	if (r->vaddr != m->vaddr)
		return 0;
	WARN_ON(r->size != m->size || r->dma != m->dma);
	return 1;
}

void *dmp_lx_dmam_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
			      unsigned long attrs, const char *file, int line)
{
	struct dmam_res *r = devres_alloc(dmam_release, sizeof(*r), gfp);
	if (!r)
		return NULL;
	void *vaddr = dmp__alloc_attrs(&dev->dmp, size, dma_handle, gfp, attrs, file, line);
	if (!vaddr) {
		devres_free(r);
		return NULL;
	}
	r->vaddr = vaddr;
	r->dma = *dma_handle;
	r->size = size;
	r->attrs = attrs;
	r->file = file;
	r->line = line;
	devres_add(dev, r);
	return vaddr;
}

void dmp_lx_dmam_free_attrs(struct device *dev, size_t size, void *vaddr, dma_addr_t dma_handle,
			    unsigned long attrs, const char *file, int line)
{
	struct dmam_res m = { .vaddr = vaddr, .dma = dma_handle, .size = size };
	WARN_ON(devres_destroy(dev, dmam_release, dmam_match, &m));
	dmp__free_attrs(&dev->dmp, size, vaddr, dma_handle, attrs, file, line);
}

/* Managed pools of driver-core devices, to find a pool's device on destroy. */
struct dmam_pool {
	struct dma_pool *pool;
	struct device *dev;
	struct list_head node;
};
static LIST_HEAD(dmam_pools);

static struct dmam_pool *dmam_pool_find(struct dma_pool *pool)
{
	struct dmam_pool *p;
	list_for_each_entry(p, &dmam_pools, node)
		if (p->pool == pool)
			return p;
	return NULL;
}

static void pool_release(struct device *dev, void *res)
{
	(void)dev;
	struct dma_pool *pool = *(struct dma_pool **)res;
	struct dmam_pool *p = dmam_pool_find(pool);
	if (p) {
		list_del(&p->node);
		kfree(p);
	}
	dma_pool_destroy(pool);
}

static int pool_match(struct device *dev, void *res, void *data)
{
	(void)dev;
	return *(struct dma_pool **)res == data;
}

struct dma_pool *dmp_lx_dmam_pool_create(const char *name, struct device *dev, size_t size,
					 size_t align, size_t allocation)
{
	struct dma_pool **slot = devres_alloc(pool_release, sizeof(*slot), GFP_KERNEL);
	struct dmam_pool *p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!slot || !p)
		goto fail;
	struct dma_pool *pool = dma_pool_create(name, dev, size, align, allocation);
	if (!pool)
		goto fail;
	*slot = pool;
	p->pool = pool;
	p->dev = dev;
	list_add(&p->node, &dmam_pools);
	devres_add(dev, slot);
	return pool;
fail:
	kfree(p);
	devres_free(slot);
	return NULL;
}

void dmp_lx_dmam_pool_destroy(struct dma_pool *pool)
{
	struct dmam_pool *p = pool ? dmam_pool_find(pool) : NULL;
	if (p) {
		/* releases the devres: the release destroys the pool */
		WARN_ON(devres_release(p->dev, pool_release, pool_match, pool));
		return;
	}
	dmp_pool_destroy(dmp__lx_dmp_pool(pool));
}
