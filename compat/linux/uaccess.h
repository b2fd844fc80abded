/* SPDX-License-Identifier: MIT */
/*
 * <linux/uaccess.h> for dmaport's Linux-compat layer.  There is no user
 * space: a __user pointer is an ordinary pointer of the calling program (a
 * test playing a process), so copy_{from,to}_user are memcpy and return 0
 * (bytes not copied), get_user/put_user 0.  A NULL user pointer fails as an
 * unmapped one would (-EFAULT, or all bytes not copied).
 */
#ifndef DMP_COMPAT_LINUX_UACCESS_H
#define DMP_COMPAT_LINUX_UACCESS_H

#include <string.h>

#include <linux/errno.h>
#include <linux/types.h>
#include <linux/compiler.h>

static inline unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	if (!from)
		return n;
	memcpy(to, (const void *)from, n);
	return 0;
}
static inline unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	if (!to)
		return n;
	memcpy((void *)to, from, n);
	return 0;
}
#define __copy_from_user(to, from, n) copy_from_user((to), (from), (n))
#define __copy_to_user(to, from, n) copy_to_user((to), (from), (n))
#define raw_copy_from_user(to, from, n) copy_from_user((to), (from), (n))
#define raw_copy_to_user(to, from, n) copy_to_user((to), (from), (n))
#define get_user(x, ptr) ((ptr) ? ((x) = *(ptr), 0) : -EFAULT)
#define put_user(x, ptr) ((ptr) ? (*(ptr) = (x), 0) : -EFAULT)
#define __get_user(x, ptr) get_user(x, ptr)
#define __put_user(x, ptr) put_user(x, ptr)
#define access_ok(addr, size) ((void)(size), (addr) != NULL)
static inline unsigned long clear_user(void __user *to, unsigned long n)
{
	if (!to)
		return n;
	memset((void *)to, 0, n);
	return 0;
}
static inline long strncpy_from_user(char *dst, const char __user *src, long count)
{
	if (!src)
		return -EFAULT;
	long i;
	for (i = 0; i < count && src[i]; i++)
		dst[i] = src[i];
	if (i < count)
		dst[i] = '\0';
	return i;
}
#define memdup_user(src, len) dmp_lx_memdup_user((src), (len))
void *dmp_lx_memdup_user(const void __user *src, size_t len);

#endif /* DMP_COMPAT_LINUX_UACCESS_H */
