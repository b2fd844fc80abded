/* SPDX-License-Identifier: MIT */
/*
 * arch-x86_64.c - x86-64 for the VFIO platform: DMA snoops the caches, so
 * cache maintenance has nothing to do (Linux's x86 has no arch_sync_dma_*);
 * barriers as Linux's arch/x86/include/asm/barrier.h: mfence/lfence/sfence
 * for mb/rmb/wmb (they also order the uncached MMIO of a BAR mapping), and
 * only the compiler for dma_rmb/dma_wmb, which order accesses to coherent
 * memory that x86's total store order already keeps in order.
 */
#include <unistd.h>

#include "vfio-internal.h"

size_t dmp__vfio_cache_line_size(void *ctx)
{
	(void)ctx;
	long n = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
	return n > 0 && (n & (n - 1)) == 0 ? (size_t)n : 64;
}

void dmp__vfio_dcache_clean(void *ctx, const void *va, size_t size) { (void)ctx, (void)va, (void)size; }
void dmp__vfio_dcache_inval(void *ctx, const void *va, size_t size) { (void)ctx, (void)va, (void)size; }
void dmp__vfio_dcache_flush(void *ctx, const void *va, size_t size) { (void)ctx, (void)va, (void)size; }

void dmp__vfio_mb(void *ctx) { (void)ctx; __asm__ volatile("mfence" ::: "memory"); }
void dmp__vfio_rmb(void *ctx) { (void)ctx; __asm__ volatile("lfence" ::: "memory"); }
void dmp__vfio_wmb(void *ctx) { (void)ctx; __asm__ volatile("sfence" ::: "memory"); }
void dmp__vfio_dma_rmb(void *ctx) { (void)ctx; __asm__ volatile("" ::: "memory"); }
void dmp__vfio_dma_wmb(void *ctx) { (void)ctx; __asm__ volatile("" ::: "memory"); }

bool dmp__vfio_arch_dma_coherent(void)
{
	return true;
}
