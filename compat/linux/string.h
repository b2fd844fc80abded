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

/** strscpy_pad - strscpy(), then zero the rest of @dest. */
static inline long strscpy_pad(char *dest, const char *src, size_t count)
{
	long n = strscpy(dest, src, count);
	size_t used = n < 0 ? count : (size_t)n + 1;
	if (used < count)
		memset(dest + used, 0, count - used);
	return n;
}

/** kstrndup - a kmalloc'ed copy of at most @max bytes of @s, terminated. */
static inline char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	if (!s)
		return NULL;
	size_t len = 0;
	while (len < max && s[len] != '\0')
		len++;
	char *p = (char *)kmalloc(len + 1, gfp);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}
#define kstrdup_const(s, gfp) kstrdup((s), (gfp))
static inline void *kmemdup_nul(const char *s, size_t len, gfp_t gfp)
{
	char *p = (char *)kmalloc(len + 1, gfp);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/** memchr_inv - the first byte of @start[0..@bytes) that is not @c, or NULL. */
static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = (const unsigned char *)start;
	for (size_t i = 0; i < bytes; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(uintptr_t)(p + i);
	return NULL;
}

static inline bool sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	if (*s1 == '\n' && !s1[1] && !*s2)
		return true;
	return false;
}

static inline size_t str_has_prefix(const char *str, const char *prefix)
{
	size_t len = strlen(prefix);
	return strncmp(str, prefix, len) == 0 ? len : 0;
}

static inline char *skip_spaces(const char *str)
{
	while (*str == ' ' || (*str >= '\t' && *str <= '\r'))
		str++;
	return (char *)(uintptr_t)str;
}

static inline char *strim(char *s)
{
	size_t size = strlen(s);
	if (!size)
		return s;
	char *end = s + size - 1;
	while (end >= s && (*end == ' ' || (*end >= '\t' && *end <= '\r')))
		end--;
	*(end + 1) = '\0';
	return skip_spaces(s);
}

static inline char *strreplace(char *str, char old, char new_char)
{
	for (; *str; ++str)
		if (*str == old)
			*str = new_char;
	return str;
}

static inline void memset32(u32 *s, u32 v, size_t count)
{
	while (count--)
		*s++ = v;
}

static inline void memset64(u64 *s, u64 v, size_t count)
{
	while (count--)
		*s++ = v;
}

#define memzero_explicit(s, count) memset((s), 0, (count))
#define strtomem(dest, src) strncpy((dest), (src), sizeof(dest))
#define strtomem_pad(dest, src, pad) strncpy((dest), (src), sizeof(dest))

#endif /* DMP_COMPAT_LINUX_STRING_H */
