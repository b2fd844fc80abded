/* SPDX-License-Identifier: MIT */
/*
 * arch-sync.c - cache maintenance for streaming DMA on non-coherent devices:
 * dmaport's arch_sync_dma_for_device() / arch_sync_dma_for_cpu().
 *
 * The rules (Linux: arch/arm/mm/dma-mapping.c __dma_page_cpu_to_dev /
 * __dma_page_dev_to_cpu, arch/arm64/mm/dma-mapping.c, and the table in
 * arch/arc/mm/dma.c):
 *
 *   for_device  TO_DEVICE      clean inner, then clean outer: the data the
 *                              CPU wrote must reach DRAM, inner level first
 *                              because the inner clean writes into the outer;
 *               BIDIRECTIONAL  the same (clean: the CPU's data must reach the
 *                              device, and no dirty line may be evicted over
 *                              what the device writes);
 *               FROM_DEVICE    clean too, as arm64 does (dcache_clean_poc for every direction): a
 *                              dirty line evicted during the DMA would
 *                              overwrite the device's data, and cleaning
 *                              (rather than invalidating) never loses CPU data
 *                              that shares a line with the buffer.
 *   for_cpu     TO_DEVICE      nothing: the device only read;
 *               FROM_DEVICE,   invalidate outer, then inner: lines may have
 *               BIDIRECTIONAL  been fetched speculatively during the DMA; outer
 *                              first, or the inner level would refill from a
 *                              stale outer line.
 */
#include <dmaport/platform.h>

#include "../internal.h"

void dmp_arch_sync_for_device(dmp_phys_t phys, const void *va, size_t size,
			       enum dmp_data_direction dir)
{
	(void)dir; /* every direction cleans; see above */
	DMP__PLAT_CALL(dcache_clean, va, size);
	DMP__PLAT_CALL(outer_clean, phys, size);
}

void dmp_arch_sync_for_cpu(dmp_phys_t phys, const void *va, size_t size,
			    enum dmp_data_direction dir)
{
	if (dir == DMP_TO_DEVICE)
		return;
	DMP__PLAT_CALL(outer_inval, phys, size);
	DMP__PLAT_CALL(dcache_inval, va, size);
}

void dmp_arch_prep_coherent(dmp_phys_t phys, const void *va, size_t size)
{
	/* The cacheable alias must hold nothing dirty before the pages are
	 * used uncached (Linux's arch_dma_prep_coherent). */
	DMP__PLAT_CALL(dcache_flush, va, size);
	DMP__PLAT_CALL(outer_flush, phys, size);
}
