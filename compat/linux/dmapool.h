/* SPDX-License-Identifier: MIT */
/*
 * <linux/dmapool.h> for dmaport's Linux-compat layer: pools of small
 * coherent blocks (dmaport/dmapool.h documents alloc/free rules, poisoning
 * and the reports on misuse).
 *
 * struct dma_pool is declared and never defined: a struct dma_pool * is
 * dmaport's struct dmp_dma_pool * under another name (as struct page, see
 * <linux/mm_types.h>).  Managed pools (dmam_pool_create) are destroyed when
 * the code that owns the device calls dmp_device_remove(&dev->dmp) (or
 * dmp_device_release_managed(&dev->dmp) earlier), as Linux's devres release
 * on driver detach.
 */
#ifndef DMP_COMPAT_LINUX_DMAPOOL_H
#define DMP_COMPAT_LINUX_DMAPOOL_H

#include <dmaport/dmapool.h>

#include <linux/types.h>
#include <linux/device.h>
#include <linux/gfp.h>

struct dma_pool;

static inline struct dma_pool *dmp__lx_pool_of(struct dmp_dma_pool *pool)
{
	return (struct dma_pool *)(void *)pool;
}

static inline struct dmp_dma_pool *dmp__lx_dmp_pool(struct dma_pool *pool)
{
	return (struct dmp_dma_pool *)(void *)pool;
}

/**
 * dma_pool_create - a pool of @size-byte blocks aligned to @align, none
 * crossing a multiple of @boundary (0: none).  NULL on bad arguments or no
 * memory.  Context: may block.
 */
static inline struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size,
					       size_t align, size_t boundary)
{
	return dmp__lx_pool_of(dmp_pool_create(name, dmp__lx_dev(dev), size, align, boundary));
}

/** dma_pool_destroy - free the pool; NULL is ignored; live blocks are reported and leaked. */
static inline void dma_pool_destroy(struct dma_pool *pool)
{
	dmp_pool_destroy(dmp__lx_dmp_pool(pool));
}

/** dma_pool_alloc - a block (CPU address; bus address in *@handle), or NULL. */
static inline void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle)
{
	return dmp_pool_alloc(dmp__lx_dmp_pool(pool), mem_flags, handle);
}

static inline void *dma_pool_zalloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle)
{
	return dmp_pool_zalloc(dmp__lx_dmp_pool(pool), mem_flags, handle);
}

/**
 * dma_pool_free - give a block back (a bad free is reported at the caller's
 * line, nothing changes).
 */
#define dma_pool_free(pool, vaddr, dma) dmp_pool_free(dmp__lx_dmp_pool(pool), (vaddr), (dma))

/*
 * dmam_pool_create - dma_pool_create() tied to @dev: for a device of the
 * driver core (<linux/device.h>) a devres, destroyed when the driver
 * unbinds, in reverse order with its other devres; for a bare struct
 * device (no device_initialize), dmaport's managed pool, destroyed by
 * dmp_device_remove().
 */
struct dma_pool *dmp_lx_dmam_pool_create(const char *name, struct device *dev, size_t size,
					 size_t align, size_t allocation);
void dmp_lx_dmam_pool_destroy(struct dma_pool *pool);
static inline struct dma_pool *dmam_pool_create(const char *name, struct device *dev, size_t size,
						size_t align, size_t allocation)
{
	if (dev && dev->dmp_initialized)
		return dmp_lx_dmam_pool_create(name, dev, size, align, allocation);
	return dmp__lx_pool_of(
		dmp_pool_create_managed(name, dmp__lx_dev(dev), size, align, allocation));
}

/** dmam_pool_destroy - destroy a managed pool now (it leaves its device's list). */
static inline void dmam_pool_destroy(struct dma_pool *pool)
{
	dmp_lx_dmam_pool_destroy(pool);
}

#endif /* DMP_COMPAT_LINUX_DMAPOOL_H */
