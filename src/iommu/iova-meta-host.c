/* SPDX-License-Identifier: MIT */
/*
 * iova-meta-host.c - where the IOVA allocator's metadata (tree node chunks,
 * magazines, the per-CPU cache slots) comes from on a hosted build: libc.
 *
 * This is the allocator's only contact with an operating system.  The
 * metadata is CPU-only bookkeeping, never seen by a device, so it does not
 * come from DMA memory (dmp_kmalloc).  A freestanding port replaces this one
 * file with one that carves the same requests out of a static arena or its
 * own heap.  Failure injection is done by the caller (iova.c), once per
 * metadata allocation, so that every port fails the same way in tests.
 */
#include <stdlib.h>

#include "../internal.h"

/* Declared again in iova.c: see the report of the change to internal.h. */
void *dmp__iova_meta_alloc(size_t size);
void dmp__iova_meta_free(void *p, size_t size);

/*
 * dmp__iova_meta_alloc - @size bytes aligned to 64 (a cache line: the per-CPU
 * slots must not share lines), or NULL.  Callable with spinlocks held.
 */
void *dmp__iova_meta_alloc(size_t size)
{
	return aligned_alloc(64, DMP_ALIGN_UP(size, (size_t)64));
}

/* dmp__iova_meta_free - give back what dmp__iova_meta_alloc(@size) returned. */
void dmp__iova_meta_free(void *p, size_t size)
{
	(void)size;
	free(p);
}
