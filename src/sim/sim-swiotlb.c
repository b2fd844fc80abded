/* SPDX-License-Identifier: MIT */
/*
 * sim-swiotlb.c - the simulated machine's default bounce pool, made as it
 * boots (dmp_sim_create(), and dmp_sim_platform_create() once the tree's
 * reserved memory is taken out).
 *
 * Linux boots with swiotlb when memory lies beyond what a 32-bit device can
 * reach (arch/arm64/mm/init.c: mem_init() compares max_pfn with the DMA
 * zone's limit), and on arm64 with DMA_BOUNCE_UNALIGNED_KMALLOC always, only
 * smaller.  The simulated machines are small, so every machine with memory
 * below 4 GiB gets one pool of the same size: a 32-bit device then works out
 * of the box on a machine whose heap prefers memory above 4 GiB.
 */
#include <dmaport/swiotlb.h>

#include "sim-internal.h"

static bool has_memory_below_4g(const struct dmp_sim *sim)
{
	for (unsigned int i = 0; i < sim->nr; i++)
		if (sim->r[i].base <= DMP_SWIOTLB_DEFAULT_LIMIT)
			return true;
	return false;
}

int dmp__sim_swiotlb_init(struct dmp_sim *sim, size_t size)
{
	if (size == DMP_SIM_NO_SWIOTLB || sim->default_pool || !has_memory_below_4g(sim))
		return 0;
	int err = dmp_swiotlb_pool_create("default", size ? size : DMP_SWIOTLB_DEFAULT_SIZE,
					  DMP_SWIOTLB_DEFAULT_LIMIT, 0, &sim->default_pool);
	if (err)
		return err;
	dmp_swiotlb_set_default(sim->default_pool);
	return 0;
}

bool dmp__sim_swiotlb_exit(struct dmp_sim *sim)
{
	struct dmp_swiotlb_pool *pool = sim->default_pool;
	if (!pool)
		return false;
	sim->default_pool = NULL;
	/* -EBUSY: a driver leaked bounce slots (reported); the caller forgets
	 * the pool with the memory that holds it */
	return dmp_swiotlb_pool_destroy(pool) != 0;
}

struct dmp_swiotlb_pool *dmp__sim_swiotlb_pool(struct dmp_sim *sim)
{
	return sim->default_pool;
}
