/* SPDX-License-Identifier: MIT */
/*
 * <linux/io.h> for dmaport's Linux-compat layer: ioremap, MMIO accessors
 * and barriers, with Linux's ordering rules (dmaport/io.h):
 *   writel() and friends are ordered after earlier stores to DMA memory (a
 *   descriptor written before a doorbell reaches the device first);
 *   readl() is ordered before later reads of DMA memory;
 *   the _relaxed accessors give neither: a doorbell written with
 *   writel_relaxed() needs dma_wmb() before it.
 * ioread8/16/32 and iowrite8/16/32 are readb/w/l and writeb/w/l.
 *
 * On the simulator an __iomem pointer is a cookie, not memory: dereferencing
 * it traps; use the accessors.  memcpy_toio/memcpy_fromio/memset_io and
 * ioremap_wc/ioremap_cache are absent (dmaport has no such primitives).
 *
 * virt_to_phys()/phys_to_virt() (Linux's asm/io.h) convert addresses of
 * platform memory.
 */
#ifndef DMP_COMPAT_LINUX_IO_H
#define DMP_COMPAT_LINUX_IO_H

#include <dmaport/io.h>
#include <dmaport/memory.h>

#include <linux/types.h>
#include <linux/bug.h>

/**
 * ioremap - map @size bytes of device registers at physical @offset.
 * Returns the __iomem cookie, or NULL when nothing is there or there is no
 * memory (dmp_ioremap()'s -ENODEV / -ENOMEM), as Linux's.
 */
static inline void __iomem *ioremap(phys_addr_t offset, size_t size)
{
	void *regs;
	return dmp_ioremap(offset, size, &regs) == 0 ? regs : NULL;
}

static inline void iounmap(volatile void __iomem *addr)
{
	dmp_iounmap((void *)(uintptr_t)addr);
}

#define readb(addr) dmp_readb(addr)
#define readw(addr) dmp_readw(addr)
#define readl(addr) dmp_readl(addr)
#define readq(addr) dmp_readq(addr)
#define writeb(v, addr) dmp_writeb((v), (addr))
#define writew(v, addr) dmp_writew((v), (addr))
#define writel(v, addr) dmp_writel((v), (addr))
#define writeq(v, addr) dmp_writeq((v), (addr))

#define readb_relaxed(addr) dmp_readb_relaxed(addr)
#define readw_relaxed(addr) dmp_readw_relaxed(addr)
#define readl_relaxed(addr) dmp_readl_relaxed(addr)
#define readq_relaxed(addr) dmp_readq_relaxed(addr)
#define writeb_relaxed(v, addr) dmp_writeb_relaxed((v), (addr))
#define writew_relaxed(v, addr) dmp_writew_relaxed((v), (addr))
#define writel_relaxed(v, addr) dmp_writel_relaxed((v), (addr))
#define writeq_relaxed(v, addr) dmp_writeq_relaxed((v), (addr))

#define ioread8(addr) dmp_readb(addr)
#define ioread16(addr) dmp_readw(addr)
#define ioread32(addr) dmp_readl(addr)
#define iowrite8(v, addr) dmp_writeb((v), (addr))
#define iowrite16(v, addr) dmp_writew((v), (addr))
#define iowrite32(v, addr) dmp_writel((v), (addr))

/*
 * Barriers (Documentation/memory-barriers.txt): mb/rmb/wmb order all
 * accesses including MMIO; dma_rmb/dma_wmb order accesses to coherent DMA
 * memory only (descriptor fields before the ownership bit).
 */
#define mb() dmp_mb()
#define rmb() dmp_rmb()
#define wmb() dmp_wmb()
#define dma_rmb() dmp_dma_rmb()
#define dma_wmb() dmp_dma_wmb()

/**
 * virt_to_phys - the physical address of @addr, platform memory.  Anything
 * else WARNs (naming the caller's line) and gives ~0 (Linux gives garbage,
 * or warns with CONFIG_DEBUG_VIRTUAL).
 */
#define virt_to_phys(addr) dmp__lx_virt_to_phys((addr), __FILE__, __LINE__)
static inline phys_addr_t dmp__lx_virt_to_phys(const volatile void *addr, const char *file,
					       int line)
{
	dmp_phys_t phys;
	if (unlikely(dmp_virt_to_phys((const void *)(uintptr_t)addr, &phys) != 0)) {
		dmp__lx_warn(file, line, "virt_to_phys(%p): not platform memory",
			     (const void *)(uintptr_t)addr);
		return ~(phys_addr_t)0;
	}
	return phys;
}

/** phys_to_virt - the CPU address of @phys, NULL if it is not platform memory. */
static inline void *phys_to_virt(phys_addr_t phys)
{
	return dmp_phys_to_virt(phys);
}

#endif /* DMP_COMPAT_LINUX_IO_H */
