/* SPDX-License-Identifier: MIT */
/*
 * stdio.h - the port's freestanding C library (libc.c): formatting into a
 * buffer only; output goes through the console (console.c).  See string.h
 * for why the port has its own headers.
 */
#ifndef DMP_PORT_STDIO_H
#define DMP_PORT_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* DMP_PORT_STDIO_H */
