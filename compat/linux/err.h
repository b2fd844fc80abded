/* SPDX-License-Identifier: MIT */
/*
 * <linux/err.h> for dmaport's Linux-compat layer: errors encoded in
 * pointers.  The top MAX_ERRNO addresses are never valid pointers, so a
 * pointer-returning function can return ERR_PTR(-ENOMEM).
 */
#ifndef DMP_COMPAT_LINUX_ERR_H
#define DMP_COMPAT_LINUX_ERR_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/compiler.h>
#include <linux/errno.h>

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

static inline void *ERR_PTR(long error)
{
	return (void *)(intptr_t)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)(intptr_t)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((uintptr_t)ptr);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return unlikely(!ptr) || IS_ERR_VALUE((uintptr_t)ptr);
}

/* ERR_CAST - an error pointer as another pointer type. */
static inline void *ERR_CAST(const void *ptr)
{
	return (void *)(uintptr_t)ptr;
}

/* PTR_ERR_OR_ZERO - the error of @ptr, or 0 if it is not an error. */
static inline int PTR_ERR_OR_ZERO(const void *ptr)
{
	return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0;
}

#endif /* DMP_COMPAT_LINUX_ERR_H */
