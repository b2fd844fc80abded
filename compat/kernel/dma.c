/* SPDX-License-Identifier: MIT */
/*
 * dma.c - the managed (devres) forms of the DMA API: dmam_alloc_attrs and
 * friends, dmam_pool_create (see <linux/dma-mapping.h>, <linux/dmapool.h>);
 * the contiguous areas of <linux/dma-contiguous.h>.
 */
#include <linux/dma-contiguous.h>
#include <linux/dmapool.h>
#include <linux/of.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- contiguous areas (<linux/dma-contiguous.h>) ------------------------- */

/* Areas this runtime reserved, destroyed when the machine goes. */
#define MAX_AREAS 8
static struct dmp_cma *areas[MAX_AREAS];

/* memparse: a number with an optional K, M or G suffix; *@end after it. */
static unsigned long long memparse(const char *s, const char **end)
{
	char *e;
	unsigned long long v = strtoull(s, &e, 0);
	switch (*e) {
	case 'G': case 'g':
		v <<= 10;
		/* fall through */
	case 'M': case 'm':
		v <<= 10;
		/* fall through */
	case 'K': case 'k':
		v <<= 10;
		e++;
		break;
	default:
		break;
	}
	*end = e;
	return v;
}

/* The "cma=" of the tree's /chosen bootargs, or -1 if there is none. */
static long long cmdline_cma_size(void)
{
	const char *args = NULL;
	if (!of_chosen || of_property_read_string(of_chosen, "bootargs", &args) || !args)
		return -1;
	for (const char *p = args; (p = strstr(p, "cma=")) != NULL; p += 4) {
		if (p != args && p[-1] != ' ')
			continue;
		const char *end;
		unsigned long long v = memparse(p + 4, &end);
		return end == p + 4 ? -1 : (long long)v;
	}
	return -1;
}

int dma_contiguous_reserve_area(phys_addr_t size, phys_addr_t base, phys_addr_t limit,
				struct cma **res_cma, bool fixed)
{
	unsigned int slot = 0;
	while (slot < MAX_AREAS && areas[slot])
		slot++;
	if (slot == MAX_AREAS || !res_cma)
		return -ENOSPC;
	char name[16];
	if (slot)
		snprintf(name, sizeof(name), "reserved-%u", slot);
	else
		snprintf(name, sizeof(name), "reserved"); /* Linux's name for the default area */
	struct dmp_cma *cma;
	size = ALIGN(size, PAGE_SIZE);
	int err = dmp_cma_declare(fixed ? base : 0, (size_t)size, limit ? limit : DMP_PHYS_ANY, 0, 0,
				  name, &cma);
	if (err) {
		pr_err("Failed to reserve %llu MiB\n", (unsigned long long)(size >> 20));
		return err;
	}
	areas[slot] = cma;
	*res_cma = dmp__lx_cma_of(cma);
	pr_info("Reserved %llu MiB\n", (unsigned long long)(size >> 20));
	return 0;
}

void dma_contiguous_reserve(phys_addr_t limit)
{
	if (dmp_cma_get_default())
		return;
	long long cmdline = cmdline_cma_size();
	phys_addr_t size = cmdline >= 0 ? (phys_addr_t)cmdline
					: (phys_addr_t)CONFIG_CMA_SIZE_MBYTES << 20;
	pr_debug("%s(limit %08llx)\n", __func__, (unsigned long long)limit);
	if (!size)
		return;
	struct cma *cma;
	if (dma_contiguous_reserve_area(size, 0, limit, &cma, false) == 0)
		dmp_cma_set_default(dmp__lx_dmp_cma(cma));
}

void dmp_lx_dma_machine_down(void)
{
	for (unsigned int i = 0; i < MAX_AREAS; i++) {
		if (!areas[i])
			continue;
		if (dmp_cma_get_default() == areas[i])
			dmp_cma_set_default(NULL);
		if (dmp_cma_destroy(areas[i]) != 0)
			pr_err("CMA area %s: allocations still live at unload\n",
			       dmp_cma_name(areas[i]));
		areas[i] = NULL;
	}
}
