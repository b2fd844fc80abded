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
};

#define IORESOURCE_IO 0x00000100
#define IORESOURCE_MEM 0x00000200
#define IORESOURCE_IRQ 0x00000400

static inline resource_size_t resource_size(const struct resource *res)
{
	return res->end - res->start + 1;
}

#endif /* DMP_COMPAT_LINUX_IOPORT_H */
