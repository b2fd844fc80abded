/* SPDX-License-Identifier: MIT */
/*
 * <linux/string.h> for dmaport's Linux-compat layer: the C library's string
 * functions, and the kernel's that allocate with kmalloc (so the copies are
 * platform memory) or differ from libc.
 */
#ifndef DMP_COMPAT_LINUX_STRING_H
#define DMP_COMPAT_LINUX_STRING_H

#include <string.h>

#include <linux/errno.h>
#include <linux/slab.h>

#ifndef E2BIG
#define E2BIG 7
#endif

/** kmemdup - a kmalloc'ed copy of @len bytes at @src, or NULL. */
static inline void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);
	if (p)
		memcpy(p, src, len);
	return p;
}

/** kstrdup - a kmalloc'ed copy of @s (NULL for NULL or no memory). */
static inline char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? (char *)kmemdup(s, strlen(s) + 1, gfp) : NULL;
}

/**
 * strscpy - copy @src into @dest of @count bytes, always terminated (for
 * @count > 0).  Returns the length copied, or -E2BIG if @src was truncated.
 */
static inline long strscpy(char *dest, const char *src, size_t count)
{
	if (count == 0)
		return -E2BIG;
	for (size_t i = 0; i < count; i++) {
		dest[i] = src[i];
		if (src[i] == '\0')
			return (long)i;
	}
	dest[count - 1] = '\0';
	return -E2BIG;
}

#endif /* DMP_COMPAT_LINUX_STRING_H */
