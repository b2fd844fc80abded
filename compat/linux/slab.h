/* SPDX-License-Identifier: MIT */
/*
 * <linux/slab.h> for dmaport's Linux-compat layer: kmalloc and friends on
 * dmaport's heap (dmp_kmalloc): the memory is platform memory, so it can be
 * mapped for DMA, and objects are aligned to ARCH_DMA_MINALIGN so that two
 * never share a cache line.  Failure returns NULL (inject it with
 * dmp_fail_nth(DMP_FAIL_HEAP, ...)).  Never blocks.
 */
#ifndef DMP_COMPAT_LINUX_SLAB_H
#define DMP_COMPAT_LINUX_SLAB_H

#include <dmaport/memory.h>

#include <linux/types.h>
#include <linux/gfp.h>

#define ARCH_DMA_MINALIGN DMP_KMALLOC_MINALIGN
#define ARCH_KMALLOC_MINALIGN DMP_KMALLOC_MINALIGN

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return dmp_kmalloc(size, flags);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return dmp_kzalloc(size, flags);
}

/** kmalloc_array - @n objects of @size bytes; NULL if n * size overflows. */
static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return dmp_kmalloc(n * size, flags);
}

/** kcalloc - kmalloc_array() zeroed. */
static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

/** kfree - free; NULL is ignored; a foreign or double free is reported. */
static inline void kfree(const void *p)
{
	dmp_kfree(p);
}

/** ksize - the usable size of a kmalloc'ed object. */
static inline size_t ksize(const void *p)
{
	return dmp_ksize(p);
}

#endif /* DMP_COMPAT_LINUX_SLAB_H */
