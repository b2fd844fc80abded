/* SPDX-License-Identifier: MIT */
/*
 * <linux/dma-contiguous.h> for dmaport's Linux-compat layer: the set-up calls
 * of the contiguous memory allocator as Linux 3.5 to 5.9 declared them here
 * (later in <linux/dma-map-ops.h>, which includes this file), over
 * dmaport's CMA (<dmaport/cma.h>).
 *
 *   dma_contiguous_reserve(limit)  reserve the default area below @limit (0:
 *       anywhere), of the configured size: "cma=SIZE" on the command line
 *       (the device tree's /chosen bootargs), else CONFIG_CMA_SIZE_MBYTES
 *       (<linux/kconfig.h>, 16 MiB as Linux's default).  Nothing if a
 *       default area exists (the tree's linux,cma-default pool, or an earlier
 *       call) or the size is 0.  Linux calls it from the architecture's boot
 *       code; here platform code (or a test) calls it once the machine is up,
 *       and the area goes when the machine is unloaded.
 *   dma_contiguous_reserve_area()  an area of @size at @base (0: anywhere)
 *       below @limit, in *@res_cma; dev_set_cma_area() gives it to a device,
 *       dma_declare_contiguous() (Linux before 4.1) does both.
 */
#ifndef DMP_COMPAT_LINUX_DMA_CONTIGUOUS_H
#define DMP_COMPAT_LINUX_DMA_CONTIGUOUS_H

#include <linux/cma.h>
#include <linux/device.h>
#include <linux/types.h>

void dma_contiguous_reserve(phys_addr_t addr_limit);
int dma_contiguous_reserve_area(phys_addr_t size, phys_addr_t base, phys_addr_t limit,
				struct cma **res_cma, bool fixed);

/** dev_get_cma_area - @dev's CMA area, else the default one (may be NULL). */
static inline struct cma *dev_get_cma_area(struct device *dev)
{
	if (dev && dev->dmp.cma_area)
		return dmp__lx_cma_of(dev->dmp.cma_area);
	return dmp__lx_cma_of(dmp_cma_get_default());
}

/** dev_set_cma_area - @dev's contiguous allocations come from @cma. */
static inline void dev_set_cma_area(struct device *dev, struct cma *cma)
{
	if (dev)
		dev->dmp.cma_area = dmp__lx_dmp_cma(cma);
}

/** dma_contiguous_set_default - @cma becomes the default area. */
static inline void dma_contiguous_set_default(struct cma *cma)
{
	dmp_cma_set_default(dmp__lx_dmp_cma(cma));
}

/** dma_declare_contiguous - an area of @size for @dev alone (Linux before 4.1). */
static inline int dma_declare_contiguous(struct device *dev, phys_addr_t size, phys_addr_t base,
					 phys_addr_t limit)
{
	struct cma *cma;
	int ret = dma_contiguous_reserve_area(size, base, limit, &cma, true);
	if (ret == 0)
		dev_set_cma_area(dev, cma);
	return ret;
}

#endif /* DMP_COMPAT_LINUX_DMA_CONTIGUOUS_H */
