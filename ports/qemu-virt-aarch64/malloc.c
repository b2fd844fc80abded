/* SPDX-License-Identifier: MIT */
/*
 * malloc.c - the C library's allocator, for the core's calloc() and free()
 * (the checker's entries: <dmaport/port.h>, DMP_PORT_LIBC), on bare metal:
 * dmaport's own heap, dmp_kmalloc(), which is there as soon as the platform
 * is installed.
 *
 * Objects are DMP_KMALLOC_MINALIGN-aligned, so aligned_alloc() up to that
 * alignment is malloc(); larger alignments come from whole pages.
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/memory.h>

#include "port.h"

void *malloc(size_t size)
{
	return dmp_kmalloc(size ? size : 1, DMP_GFP_KERNEL);
}

void *calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	size_t bytes = n * size;
	return dmp_kzalloc(bytes ? bytes : 1, DMP_GFP_KERNEL);
}

void *realloc(void *p, size_t size)
{
	if (!p)
		return malloc(size);
	size_t old = dmp_ksize(p);
	if (size <= old)
		return p;
	void *n = malloc(size);
	if (n) {
		memcpy(n, p, old);
		dmp_kfree(p);
	}
	return n;
}

void *aligned_alloc(size_t align, size_t size)
{
	if (!DMP_IS_POW2(align))
		return NULL;
	if (align <= DMP_KMALLOC_MINALIGN)
		return malloc(size);
	/* Above a page, dmp_kmalloc() hands out whole naturally aligned blocks. */
	return dmp_kmalloc(DMP_MAX(DMP_ALIGN_UP(size, align), (size_t)DMP_PAGE_SIZE + 1),
			   DMP_GFP_KERNEL);
}

void free(void *p)
{
	dmp_kfree(p);
}

_Noreturn void abort(void)
{
	port_puts("abort()\n");
	port_poweroff();
}
