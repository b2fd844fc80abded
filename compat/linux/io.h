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
 * it traps; use the accessors.  memcpy_toio/memcpy_fromio/memset_io move
 * data with the widest aligned accesses (as arm64's), each one an MMIO
 * access of the device model.  ioremap_wc/ioremap_np/ioremap_cache map
 * registers as ioremap does (a device model has no memory type).
 * __raw_readl and friends are the _relaxed accessors (the host and the
 * simulated machine are both little-endian); ioread32be/iowrite32be swap.
 * devm_ioremap*, request_mem_region: see <linux/ioport.h> for the regions.
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
#define ioread64(addr) dmp_readq(addr)
#define iowrite8(v, addr) dmp_writeb((v), (addr))
#define iowrite16(v, addr) dmp_writew((v), (addr))
#define iowrite32(v, addr) dmp_writel((v), (addr))
#define iowrite64(v, addr) dmp_writeq((v), (addr))
#define ioread16be(addr) __builtin_bswap16(dmp_readw(addr))
#define ioread32be(addr) __builtin_bswap32(dmp_readl(addr))
#define iowrite16be(v, addr) dmp_writew(__builtin_bswap16(v), (addr))
#define iowrite32be(v, addr) dmp_writel(__builtin_bswap32(v), (addr))
#define ioread64_lo_hi(addr) dmp_readq(addr)
#define iowrite64_lo_hi(v, addr) dmp_writeq((v), (addr))
#define lo_hi_readq(addr) dmp_readq(addr)
#define lo_hi_writeq(v, addr) dmp_writeq((v), (addr))
#define hi_lo_readq(addr) dmp_readq(addr)
#define hi_lo_writeq(v, addr) dmp_writeq((v), (addr))

#define __raw_readb(addr) dmp_readb_relaxed(addr)
#define __raw_readw(addr) dmp_readw_relaxed(addr)
#define __raw_readl(addr) dmp_readl_relaxed(addr)
#define __raw_readq(addr) dmp_readq_relaxed(addr)
#define __raw_writeb(v, addr) dmp_writeb_relaxed((v), (addr))
#define __raw_writew(v, addr) dmp_writew_relaxed((v), (addr))
#define __raw_writel(v, addr) dmp_writel_relaxed((v), (addr))
#define __raw_writeq(v, addr) dmp_writeq_relaxed((v), (addr))

#define ioremap_wc(offset, size) ioremap((offset), (size))
#define ioremap_np(offset, size) ioremap((offset), (size))
#define ioremap_uc(offset, size) ioremap((offset), (size))
#define ioremap_cache(offset, size) ioremap((offset), (size))
#define ioremap_wt(offset, size) ioremap((offset), (size))

/* The widest naturally aligned accesses first, as arm64's __memcpy_toio. */
static inline void memcpy_toio(volatile void __iomem *to, const void *from, size_t count)
{
	volatile u8 __iomem *t = (volatile u8 __iomem *)to;
	const u8 *f = (const u8 *)from;
	while (count && ((uintptr_t)t & 7)) {
		dmp_writeb_relaxed(*f++, t++);
		count--;
	}
	while (count >= 8) {
		u64 v;
		__builtin_memcpy(&v, f, 8);
		dmp_writeq_relaxed(v, t);
		t += 8;
		f += 8;
		count -= 8;
	}
	while (count--)
		dmp_writeb_relaxed(*f++, t++);
}
static inline void memcpy_fromio(void *to, const volatile void __iomem *from, size_t count)
{
	const volatile u8 __iomem *f = (const volatile u8 __iomem *)from;
	u8 *t = (u8 *)to;
	while (count && ((uintptr_t)f & 7)) {
		*t++ = dmp_readb_relaxed(f++);
		count--;
	}
	while (count >= 8) {
		u64 v = dmp_readq_relaxed(f);
		__builtin_memcpy(t, &v, 8);
		t += 8;
		f += 8;
		count -= 8;
	}
	while (count--)
		*t++ = dmp_readb_relaxed(f++);
}
static inline void memset_io(volatile void __iomem *dst, int c, size_t count)
{
	volatile u8 __iomem *d = (volatile u8 __iomem *)dst;
	u64 v = 0x0101010101010101ull * (u8)c;
	while (count && ((uintptr_t)d & 7)) {
		dmp_writeb_relaxed((u8)c, d++);
		count--;
	}
	while (count >= 8) {
		dmp_writeq_relaxed(v, d);
		d += 8;
		count -= 8;
	}
	while (count--)
		dmp_writeb_relaxed((u8)c, d++);
}
#define ioread8_rep(addr, buf, n) do { u8 *dmp__b = (u8 *)(buf); for (unsigned long dmp__i = 0; dmp__i < (n); dmp__i++) dmp__b[dmp__i] = dmp_readb(addr); } while (0)
#define ioread16_rep(addr, buf, n) do { u16 *dmp__b = (u16 *)(buf); for (unsigned long dmp__i = 0; dmp__i < (n); dmp__i++) dmp__b[dmp__i] = dmp_readw(addr); } while (0)
#define ioread32_rep(addr, buf, n) do { u32 *dmp__b = (u32 *)(buf); for (unsigned long dmp__i = 0; dmp__i < (n); dmp__i++) dmp__b[dmp__i] = dmp_readl(addr); } while (0)
#define iowrite8_rep(addr, buf, n) do { const u8 *dmp__b = (const u8 *)(buf); for (unsigned long dmp__i = 0; dmp__i < (n); dmp__i++) dmp_writeb(dmp__b[dmp__i], addr); } while (0)
#define iowrite16_rep(addr, buf, n) do { const u16 *dmp__b = (const u16 *)(buf); for (unsigned long dmp__i = 0; dmp__i < (n); dmp__i++) dmp_writew(dmp__b[dmp__i], addr); } while (0)
#define iowrite32_rep(addr, buf, n) do { const u32 *dmp__b = (const u32 *)(buf); for (unsigned long dmp__i = 0; dmp__i < (n); dmp__i++) dmp_writel(dmp__b[dmp__i], addr); } while (0)
#define readsl(addr, buf, n) ioread32_rep(addr, buf, n)
#define writesl(addr, buf, n) iowrite32_rep(addr, buf, n)

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

/* MMIO kept until the driver unbinds (see <linux/device.h> for devres). */
struct device;
struct resource;
struct device_node;
void __iomem *devm_ioremap(struct device *dev, resource_size_t offset, resource_size_t size);
#define devm_ioremap_wc(dev, offset, size) devm_ioremap((dev), (offset), (size))
#define devm_ioremap_uc(dev, offset, size) devm_ioremap((dev), (offset), (size))
#define devm_ioremap_np(dev, offset, size) devm_ioremap((dev), (offset), (size))
void __iomem *devm_ioremap_resource(struct device *dev, const struct resource *res);
#define devm_ioremap_resource_wc(dev, res) devm_ioremap_resource((dev), (res))
void devm_iounmap(struct device *dev, void __iomem *addr);
void __iomem *devm_of_iomap(struct device *dev, struct device_node *node, int index,
			    resource_size_t *size);

#include <linux/ioport.h>

#endif /* DMP_COMPAT_LINUX_IO_H */
