/* SPDX-License-Identifier: MIT */
/*
 * <linux/dma-attrs.h> for dmaport's Linux-compat layer: struct dma_attrs,
 * the attribute set of Linux 3.4 to 4.7, which the _attrs calls of
 * <linux/dma-mapping.h> take (a pointer, NULL for none) when the driver asks
 * for one of those versions (DMP_LINUX_VERSION < 4.8, see <linux/kconfig.h>).
 * Linux 4.8 replaced it by a plain unsigned long of DMA_ATTR_* bits, and
 * removed this header: with a later version it is a compile error, as there.
 *
 *   DEFINE_DMA_ATTRS(attrs);
 *   dma_set_attr(DMA_ATTR_WRITE_COMBINE, &attrs);
 *   buf = dma_alloc_attrs(dev, size, &handle, GFP_KERNEL, &attrs);
 *
 * The attributes are indices (enum dma_attr, Linux's order); each becomes
 * dmaport's attribute bit of the same name when a call passes the set on.
 * Two have no bit, and what they did then is what dmaport does anyway:
 *   DMA_ATTR_WRITE_BARRIER  order the device's write to this buffer after its
 *                           earlier writes (needed on SGI's Altix only):
 *                           a simulated device's writes reach memory in the
 *                           order it makes them, so it is accepted and has
 *                           no further effect.
 *   DMA_ATTR_NON_CONSISTENT dma_alloc_attrs() may return memory that is not
 *                           coherent, kept coherent by the driver with
 *                           dma_cache_sync(): ARM and arm64 Linux ignored it
 *                           and returned coherent memory, and so does the
 *                           compat layer (its configuration is arm64), so
 *                           dma_cache_sync() has nothing to do.
 */
/* compat-guard-check: -DDMP_LINUX_VERSION=0x030e00 */
#ifndef DMP_COMPAT_LINUX_DMA_ATTRS_H
#define DMP_COMPAT_LINUX_DMA_ATTRS_H

#include <linux/kconfig.h>

#if DMP_LINUX_VERSION >= KERNEL_VERSION(4, 8, 0)
#error "<linux/dma-attrs.h> is Linux 3.4-4.7's (struct dma_attrs); this build selects a later Linux API (DMP_LINUX_VERSION, default 6.12), whose DMA attributes are unsigned long bits: define DMP_LINUX_VERSION (e.g. -DDMP_LINUX_VERSION='KERNEL_VERSION(3,14,0)') for a driver of that era"
#endif

#include <dmaport/dma-attrs.h>

#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/types.h>

/** enum dma_attr - the attributes, as indices into struct dma_attrs (Linux's order). */
enum dma_attr {
	DMA_ATTR_WRITE_BARRIER,
	DMA_ATTR_WEAK_ORDERING,
	DMA_ATTR_WRITE_COMBINE,
	DMA_ATTR_NON_CONSISTENT,
	DMA_ATTR_NO_KERNEL_MAPPING,
	DMA_ATTR_SKIP_CPU_SYNC,
	DMA_ATTR_FORCE_CONTIGUOUS,
	DMA_ATTR_ALLOC_SINGLE_PAGES,
	DMA_ATTR_NO_WARN,
	DMA_ATTR_MAX,
};

#define __DMA_ATTRS_LONGS BITS_TO_LONGS(DMA_ATTR_MAX)

/** struct dma_attrs - a set of attributes, passed by pointer (NULL: none). */
struct dma_attrs {
	unsigned long flags[__DMA_ATTRS_LONGS];
};

#define DEFINE_DMA_ATTRS(x) struct dma_attrs x = { .flags = { 0 } }

/** init_dma_attrs - empty @attrs. */
static inline void init_dma_attrs(struct dma_attrs *attrs)
{
	for (unsigned int i = 0; i < __DMA_ATTRS_LONGS; i++)
		attrs->flags[i] = 0;
}

/** dma_set_attr - add @attr to @attrs (a BUG for an attribute out of range, as Linux). */
static inline void dma_set_attr(enum dma_attr attr, struct dma_attrs *attrs)
{
	BUG_ON((unsigned int)attr >= DMA_ATTR_MAX);
	attrs->flags[attr / BITS_PER_LONG] |= 1UL << (attr % BITS_PER_LONG);
}

/** dma_get_attr - 1 if @attr is in @attrs, else 0 (0 for a NULL @attrs). */
static inline int dma_get_attr(enum dma_attr attr, struct dma_attrs *attrs)
{
	if (attrs == NULL)
		return 0;
	BUG_ON((unsigned int)attr >= DMA_ATTR_MAX);
	return (attrs->flags[attr / BITS_PER_LONG] >> (attr % BITS_PER_LONG)) & 1;
}

/* dmp__lx_attrs - dmaport's attribute bits for @attrs (NULL: none). */
static inline unsigned long dmp__lx_attrs(const struct dma_attrs *attrs)
{
	static const unsigned long bit[DMA_ATTR_MAX] = {
		[DMA_ATTR_WRITE_BARRIER] = 0, /* satisfied: see above */
		[DMA_ATTR_WEAK_ORDERING] = DMP_ATTR_WEAK_ORDERING,
		[DMA_ATTR_WRITE_COMBINE] = DMP_ATTR_WRITE_COMBINE,
		[DMA_ATTR_NON_CONSISTENT] = 0, /* coherent memory anyway: see above */
		[DMA_ATTR_NO_KERNEL_MAPPING] = DMP_ATTR_NO_KERNEL_MAPPING,
		[DMA_ATTR_SKIP_CPU_SYNC] = DMP_ATTR_SKIP_CPU_SYNC,
		[DMA_ATTR_FORCE_CONTIGUOUS] = DMP_ATTR_FORCE_CONTIGUOUS,
		[DMA_ATTR_ALLOC_SINGLE_PAGES] = DMP_ATTR_ALLOC_SINGLE_PAGES,
		[DMA_ATTR_NO_WARN] = DMP_ATTR_NO_WARN,
	};
	unsigned long bits = 0;
	if (attrs == NULL)
		return 0;
	for (unsigned int a = 0; a < DMA_ATTR_MAX; a++)
		if ((attrs->flags[a / BITS_PER_LONG] >> (a % BITS_PER_LONG)) & 1)
			bits |= bit[a];
	return bits;
}

#endif /* DMP_COMPAT_LINUX_DMA_ATTRS_H */
