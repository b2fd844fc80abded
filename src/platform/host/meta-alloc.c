/* SPDX-License-Identifier: MIT */
/*
 * meta-alloc.c - the metadata allocator of hosted builds (<dmaport/port.h>:
 * dmp__meta_alloc): libc's heap.
 *
 * The metadata is CPU-only bookkeeping, never seen by a device, so it does
 * not come from DMA memory (dmp_kmalloc).  Callable with spinlocks held:
 * libc's allocator takes only its own locks.
 */
#include <stdlib.h>

#include <dmaport/port.h>

void *dmp__meta_alloc(size_t size)
{
	return aligned_alloc(DMP_META_ALIGN, DMP_ALIGN_UP(size, (size_t)DMP_META_ALIGN));
}

void dmp__meta_free(void *p, size_t size)
{
	(void)size;
	free(p);
}
