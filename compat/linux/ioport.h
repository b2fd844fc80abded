/* SPDX-License-Identifier: MIT */
/* <linux/ioport.h> for dmaport's Linux-compat layer: struct resource. */
#ifndef DMP_COMPAT_LINUX_IOPORT_H
#define DMP_COMPAT_LINUX_IOPORT_H

#include <linux/types.h>

/* struct resource - a range of addresses [@start, @end] (inclusive, as Linux). */
struct resource {
	resource_size_t start;
	resource_size_t end;
	const char *name;
	unsigned long flags;
	unsigned long desc;
	struct resource *parent, *sibling, *child;
};

#define IORESOURCE_BITS 0x000000ff
#define IORESOURCE_TYPE_BITS 0x00001f00
#define IORESOURCE_IO 0x00000100
#define IORESOURCE_MEM 0x00000200
#define IORESOURCE_REG 0x00000300
#define IORESOURCE_IRQ 0x00000400
#define IORESOURCE_DMA 0x00000800
#define IORESOURCE_BUS 0x00001000
#define IORESOURCE_PREFETCH 0x00002000
#define IORESOURCE_READONLY 0x00004000
#define IORESOURCE_CACHEABLE 0x00008000
#define IORESOURCE_MEM_64 0x00100000
#define IORESOURCE_WINDOW 0x00200000
#define IORESOURCE_EXCLUSIVE 0x08000000
#define IORESOURCE_DISABLED 0x10000000
#define IORESOURCE_UNSET 0x20000000
#define IORESOURCE_AUTO 0x40000000
#define IORESOURCE_BUSY 0x80000000
#define IORESOURCE_IRQ_HIGHEDGE (1 << 0)
#define IORESOURCE_IRQ_LOWEDGE (1 << 1)
#define IORESOURCE_IRQ_HIGHLEVEL (1 << 2)
#define IORESOURCE_IRQ_LOWLEVEL (1 << 3)
#define IORESOURCE_IRQ_SHAREABLE (1 << 4)

#define DEFINE_RES(_start, _size, _name, _flags)                                        	{ .start = (_start), .end = (_start) + (_size) - 1, .name = (_name), .flags = (_flags) }
#define DEFINE_RES_NAMED(_start, _size, _name, _flags) DEFINE_RES(_start, _size, _name, _flags)
#define DEFINE_RES_MEM(_start, _size) DEFINE_RES(_start, _size, NULL, IORESOURCE_MEM)
#define DEFINE_RES_MEM_NAMED(_start, _size, _name) DEFINE_RES(_start, _size, _name, IORESOURCE_MEM)
#define DEFINE_RES_IRQ(_irq) DEFINE_RES(_irq, 1, NULL, IORESOURCE_IRQ)
#define DEFINE_RES_IRQ_NAMED(_irq, _name) DEFINE_RES(_irq, 1, _name, IORESOURCE_IRQ)

static inline unsigned long resource_type(const struct resource *res)
{
	return res->flags & IORESOURCE_TYPE_BITS;
}
static inline bool resource_contains(const struct resource *r1, const struct resource *r2)
{
	return resource_type(r1) == resource_type(r2) && r1->start <= r2->start &&
	       r1->end >= r2->end;
}
static inline bool resource_overlaps(const struct resource *r1, const struct resource *r2)
{
	return r1->start <= r2->end && r1->end >= r2->start;
}

/*
 * Busy regions (Linux's iomem_resource tree, flat here): request_mem_region
 * claims [@start, +@n) for @name, NULL when any part is already claimed;
 * release_mem_region gives it back.  The devm_ form is released at unbind.
 */
extern struct resource iomem_resource;
extern struct resource ioport_resource;
struct resource *dmp_lx_request_region(resource_size_t start, resource_size_t n, const char *name,
				       unsigned long flags);
void dmp_lx_release_region(resource_size_t start, resource_size_t n);
#define request_mem_region(start, n, name) dmp_lx_request_region((start), (n), (name), IORESOURCE_MEM)
#define request_mem_region_muxed(start, n, name) request_mem_region(start, n, name)
#define request_mem_region_exclusive(start, n, name) request_mem_region(start, n, name)
#define request_region(start, n, name) dmp_lx_request_region((start), (n), (name), IORESOURCE_IO)
#define release_mem_region(start, n) dmp_lx_release_region((start), (n))
#define release_region(start, n) dmp_lx_release_region((start), (n))
struct device;
struct resource *dmp_lx_devm_request_region(struct device *dev, resource_size_t start,
					    resource_size_t n, const char *name, unsigned long flags);
#define devm_request_mem_region(dev, start, n, name)                                    	dmp_lx_devm_request_region((dev), (start), (n), (name), IORESOURCE_MEM)
#define devm_request_region(dev, start, n, name)                                        	dmp_lx_devm_request_region((dev), (start), (n), (name), IORESOURCE_IO)
void devm_release_mem_region(struct device *dev, resource_size_t start, resource_size_t n);
#define devm_release_region(dev, start, n) devm_release_mem_region(dev, start, n)

static inline resource_size_t resource_size(const struct resource *res)
{
	return res->end - res->start + 1;
}

#endif /* DMP_COMPAT_LINUX_IOPORT_H */
