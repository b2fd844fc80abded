/* SPDX-License-Identifier: MIT */
/*
 * dmaport/io.h - MMIO accessors and barriers, with Linux's ordering rules.
 *
 * Callers' header.  Device registers are reached only through these: on the
 * simulator the pointer from dmp_ioremap() is not dereferenceable (a direct
 * access traps), and accesses are dispatched to the device model.
 *
 * Ordering (Documentation/memory-barriers.txt, "KERNEL I/O BARRIER EFFECTS"):
 * dmp_writel() and friends are ordered after all prior writes to normal and
 * coherent DMA memory (they begin with dmp_dma_wmb(), as arm64's __iowmb), so
 * a descriptor written before a doorbell is visible to the device.
 * dmp_readl() is ordered before later reads of DMA memory (dmp_dma_rmb()
 * after the read).  The _relaxed variants give neither guarantee: a doorbell
 * written with dmp_writel_relaxed() needs an explicit dmp_dma_wmb() before it.
 */
#ifndef DMAPORT_IO_H
#define DMAPORT_IO_H

#include <dmaport/types.h>

DMP_BEGIN_DECLS

/**
 * dmp_ioremap - map @size bytes of device registers at physical @phys.
 * Returns 0 with *@regs set, -ENODEV if no device is there, -ENOMEM.
 */
DMP_API int dmp_ioremap(dmp_phys_t phys, size_t size, void **regs);
DMP_API void dmp_iounmap(void *regs);

DMP_API uint8_t dmp_readb_relaxed(const volatile void *addr);
DMP_API uint16_t dmp_readw_relaxed(const volatile void *addr);
DMP_API uint32_t dmp_readl_relaxed(const volatile void *addr);
DMP_API uint64_t dmp_readq_relaxed(const volatile void *addr);
DMP_API void dmp_writeb_relaxed(uint8_t v, volatile void *addr);
DMP_API void dmp_writew_relaxed(uint16_t v, volatile void *addr);
DMP_API void dmp_writel_relaxed(uint32_t v, volatile void *addr);
DMP_API void dmp_writeq_relaxed(uint64_t v, volatile void *addr);

DMP_API uint8_t dmp_readb(const volatile void *addr);
DMP_API uint16_t dmp_readw(const volatile void *addr);
DMP_API uint32_t dmp_readl(const volatile void *addr);
DMP_API uint64_t dmp_readq(const volatile void *addr);
DMP_API void dmp_writeb(uint8_t v, volatile void *addr);
DMP_API void dmp_writew(uint16_t v, volatile void *addr);
DMP_API void dmp_writel(uint32_t v, volatile void *addr);
DMP_API void dmp_writeq(uint64_t v, volatile void *addr);

/* Barriers (Linux's mb, rmb, wmb, dma_rmb, dma_wmb). */
DMP_API void dmp_mb(void);
DMP_API void dmp_rmb(void);
DMP_API void dmp_wmb(void);
DMP_API void dmp_dma_rmb(void);
DMP_API void dmp_dma_wmb(void);

DMP_END_DECLS

#endif /* DMAPORT_IO_H */
