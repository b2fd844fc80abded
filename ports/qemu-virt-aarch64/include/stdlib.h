/* SPDX-License-Identifier: MIT */
/*
 * stdlib.h - the port's freestanding C library: malloc and friends
 * (malloc.c, on dmaport's own heap) and abort.  See string.h for why the
 * port has its own headers.
 */
#ifndef DMP_PORT_STDLIB_H
#define DMP_PORT_STDLIB_H

#include <stddef.h>

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void *aligned_alloc(size_t align, size_t size);
void free(void *p);
_Noreturn void abort(void);

#endif /* DMP_PORT_STDLIB_H */
