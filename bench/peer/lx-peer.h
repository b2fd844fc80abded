/* SPDX-License-Identifier: MIT */
/*
 * lx-peer.h - Linux's own IOVA allocator, Arm LPAE io-pgtable and DMA pool,
 * built in user space for `dmaport-bench peer`, behind plain C calls that
 * dmaport code can make (the Linux and dmaport headers never meet in one
 * file).  Implemented by bench/peer/lx-glue.c and lx-dma.c over the real
 * Linux files.
 *
 * Threads: a thread calls lx_set_cpu() with a CPU number no other running
 * thread uses before it touches Linux's per-CPU state (the IOVA rcaches,
 * the slab stand-in's free lists).
 */
#ifndef DMP_LX_PEER_H
#define DMP_LX_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** lx_set_cpu - the CPU the calling thread stands for (0..7). */
void lx_set_cpu(int cpu);

/** lx_linux_version - "linux-source-6.12 6.12.118-1~deb12u1": what was built. */
const char *lx_linux_version(void);

/** lx_run_delayed_work - run the work Linux queued (the IOVA depot's
 * trimming), as a kworker would, outside the timed part. */
void lx_run_delayed_work(void);

/* ---- drivers/iommu/iova.c ---- */
struct lx_iovad;
/* iova_cache_get + init_iova_domain + iova_domain_init_rcaches */
int lx_iova_create(unsigned long granule, unsigned long start_pfn, struct lx_iovad **out);
void lx_iova_destroy(struct lx_iovad *d);
/* alloc_iova_fast: the pfn, or 0 when it failed */
unsigned long lx_alloc_iova_fast(struct lx_iovad *d, unsigned long size, unsigned long limit_pfn);
void lx_free_iova_fast(struct lx_iovad *d, unsigned long pfn, unsigned long size);
/* alloc_iova: 0 and *pfn_lo, or -ENOMEM */
int lx_alloc_iova(struct lx_iovad *d, unsigned long size, unsigned long limit_pfn,
		  bool size_aligned, unsigned long *pfn_lo);
void lx_free_iova(struct lx_iovad *d, unsigned long pfn);

/* ---- drivers/iommu/io-pgtable-arm.c (ARM_64_LPAE_S1, coherent walk) ---- */
struct lx_pgtable;
int lx_pgtable_create(uint64_t pgsize_bitmap, unsigned int ias, unsigned int oas,
		      struct lx_pgtable **out);
void lx_pgtable_destroy(struct lx_pgtable *t);
int lx_pgtable_map(struct lx_pgtable *t, uint64_t iova, uint64_t paddr, size_t pgsize,
		   size_t pgcount, size_t *mapped);
size_t lx_pgtable_unmap(struct lx_pgtable *t, uint64_t iova, size_t pgsize, size_t pgcount);
uint64_t lx_pgtable_iova_to_phys(struct lx_pgtable *t, uint64_t iova);

/* ---- the DMA API's streaming map and unmap through drivers/iommu/dma-iommu.c
 * (lx-dma.c) ----
 * One coherent platform device with a 48-bit mask behind an IOMMU whose
 * default domain is a DMA-FQ (lazy) or DMA (strict) domain over
 * io-pgtable-arm (4K|2M|1G, 48-bit), TLB maintenance a no-op. */
struct lx_dma;
/* 0, -ENOMEM, or -ENODEV when the flush queue could not be set up (lazy) */
int lx_dma_create(bool lazy, struct lx_dma **out);
void lx_dma_destroy(struct lx_dma *d);
/* dma_map_page_attrs(DMA_TO_DEVICE), i.e. iommu_dma_map_page(), of @size
 * bytes at @offset in the page at @page (an address: physical == virtual on
 * Linux's side); ~0 on failure.  lx_dma_unmap_page: dma_unmap_page_attrs(). */
uint64_t lx_dma_map_page(struct lx_dma *d, void *page, size_t offset, size_t size);
void lx_dma_unmap_page(struct lx_dma *d, uint64_t dma, size_t size);
/* iommu_iova_to_phys: 0 when @iova is not mapped */
uint64_t lx_dma_iova_to_phys(struct lx_dma *d, uint64_t iova);
/* while on, the driver counts its flush_iotlb_all and iotlb_sync calls */
void lx_dma_verify(struct lx_dma *d, bool on);
unsigned long lx_dma_flushes(struct lx_dma *d);
unsigned long lx_dma_syncs(struct lx_dma *d);

/* ---- mm/dmapool.c ---- */
struct lx_pool;
struct lx_pool *lx_pool_create(size_t size, size_t align, size_t boundary);
void lx_pool_destroy(struct lx_pool *p);
void *lx_pool_alloc(struct lx_pool *p, uint64_t *dma);
void lx_pool_free(struct lx_pool *p, void *va, uint64_t dma);

#endif
