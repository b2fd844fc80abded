/* SPDX-License-Identifier: MIT */
/*
 * arch-aarch64.c - arm64 for the VFIO platform.
 *
 * Cache maintenance from user space (EL0), for devices that do not snoop
 * the caches: Linux sets SCTLR_EL1.UCI, so DC CVAC (clean) and DC CIVAC
 * (clean and invalidate) to the point of coherency run at EL0, but DC IVAC
 * (invalidate only) is undefined there (it could discard another process's
 * data): an invalidate is a clean+invalidate.  That is the same thing for a
 * correct driver - the lines of a buffer the device owns are clean, since
 * sync_for_device cleaned them and the CPU has not written since (Linux's
 * arm64 also cleans for every direction before a transfer) - and a driver
 * that wrote anyway gets its stale write back instead of losing it.  The
 * line size is CTR_EL0.DminLine, which EL0 may read (SCTLR_EL1.UCT).
 *
 * Barriers as Linux's arch/arm64/include/asm/barrier.h: mb/rmb/wmb are DSB
 * (they also order MMIO: a BAR mapping is Device memory), dma_rmb/dma_wmb
 * are DMB to the outer shareable domain.
 */
#include "vfio-internal.h"

static size_t dline(void)
{
	uint64_t ctr;
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	return (size_t)4 << ((ctr >> 16) & 0xf); /* DminLine: log2 of words */
}

size_t dmp__vfio_cache_line_size(void *ctx)
{
	(void)ctx;
	return dline();
}

void dmp__vfio_dcache_clean(void *ctx, const void *va, size_t size)
{
	(void)ctx;
	size_t line = dline();
	uintptr_t a = (uintptr_t)va & ~(uintptr_t)(line - 1), end = (uintptr_t)va + size;
	for (; a < end; a += line)
		__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

void dmp__vfio_dcache_flush(void *ctx, const void *va, size_t size)
{
	(void)ctx;
	size_t line = dline();
	uintptr_t a = (uintptr_t)va & ~(uintptr_t)(line - 1), end = (uintptr_t)va + size;
	for (; a < end; a += line)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

void dmp__vfio_dcache_inval(void *ctx, const void *va, size_t size)
{
	dmp__vfio_dcache_flush(ctx, va, size); /* DC IVAC traps at EL0: see above */
}

void dmp__vfio_mb(void *ctx) { (void)ctx; __asm__ volatile("dsb sy" ::: "memory"); }
void dmp__vfio_rmb(void *ctx) { (void)ctx; __asm__ volatile("dsb ld" ::: "memory"); }
void dmp__vfio_wmb(void *ctx) { (void)ctx; __asm__ volatile("dsb st" ::: "memory"); }
void dmp__vfio_dma_rmb(void *ctx) { (void)ctx; __asm__ volatile("dmb oshld" ::: "memory"); }
void dmp__vfio_dma_wmb(void *ctx) { (void)ctx; __asm__ volatile("dmb oshst" ::: "memory"); }

bool dmp__vfio_arch_dma_coherent(void)
{
	/* without a device tree to ask (ACPI), assume what servers have:
	 * PCIe coherent with the caches (_CCA) */
	return true;
}
