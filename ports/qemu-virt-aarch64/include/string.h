/* SPDX-License-Identifier: MIT */
/*
 * string.h - the port's freestanding C library (libc.c).  The build uses
 * -nostdinc: Debian's cross compiler comes without target C library headers
 * (those are libc6-dev-arm64-cross, not installed), and the host's
 * /usr/include must never be picked up for an aarch64 freestanding build.
 */
#ifndef DMP_PORT_STRING_H
#define DMP_PORT_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif /* DMP_PORT_STRING_H */
