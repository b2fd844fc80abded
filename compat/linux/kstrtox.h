/* SPDX-License-Identifier: MIT */
/*
 * <linux/kstrtox.h> for dmaport's Linux-compat layer: kstrto* with Linux's
 * rules (base 0 takes 0x/0 prefixes, one trailing newline is allowed, the
 * whole string must be a number; -EINVAL or -ERANGE).
 */
#ifndef DMP_COMPAT_LINUX_KSTRTOX_H
#define DMP_COMPAT_LINUX_KSTRTOX_H

#include <errno.h>
#include <stdlib.h>
#include <limits.h>

#include <linux/types.h>

int dmp_lx_kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int dmp_lx_kstrtoll(const char *s, unsigned int base, long long *res);
int kstrtobool(const char *s, bool *res);

#define DMP__LX_KSTRTO_U(name, type, maxv)                                              \
	static inline int name(const char *s, unsigned int base, type *res)            \
	{                                                                               \
		unsigned long long v;                                                   \
		int e = dmp_lx_kstrtoull(s, base, &v);                                  \
		if (e)                                                                  \
			return e;                                                       \
		if (v > (maxv))                                                         \
			return -ERANGE;                                                 \
		*res = (type)v;                                                         \
		return 0;                                                               \
	}
#define DMP__LX_KSTRTO_S(name, type, minv, maxv)                                        \
	static inline int name(const char *s, unsigned int base, type *res)            \
	{                                                                               \
		long long v;                                                            \
		int e = dmp_lx_kstrtoll(s, base, &v);                                   \
		if (e)                                                                  \
			return e;                                                       \
		if (v < (minv) || v > (maxv))                                           \
			return -ERANGE;                                                 \
		*res = (type)v;                                                         \
		return 0;                                                               \
	}
static inline int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	return dmp_lx_kstrtoull(s, base, res);
}
static inline int kstrtoll(const char *s, unsigned int base, long long *res)
{
	return dmp_lx_kstrtoll(s, base, res);
}
DMP__LX_KSTRTO_U(kstrtoul, unsigned long, ULONG_MAX)
DMP__LX_KSTRTO_U(kstrtouint, unsigned int, UINT_MAX)
DMP__LX_KSTRTO_U(kstrtou64, u64, ULLONG_MAX)
DMP__LX_KSTRTO_U(kstrtou32, u32, UINT_MAX)
DMP__LX_KSTRTO_U(kstrtou16, u16, 0xffff)
DMP__LX_KSTRTO_U(kstrtou8, u8, 0xff)
DMP__LX_KSTRTO_S(kstrtol, long, LONG_MIN, LONG_MAX)
DMP__LX_KSTRTO_S(kstrtoint, int, INT_MIN, INT_MAX)
DMP__LX_KSTRTO_S(kstrtos64, s64, LLONG_MIN, LLONG_MAX)
DMP__LX_KSTRTO_S(kstrtos32, s32, INT_MIN, INT_MAX)
DMP__LX_KSTRTO_S(kstrtos16, s16, -32768, 32767)
DMP__LX_KSTRTO_S(kstrtos8, s8, -128, 127)

#define simple_strtoul(cp, endp, base) strtoul((cp), (endp), (base))
#define simple_strtol(cp, endp, base) strtol((cp), (endp), (base))
#define simple_strtoull(cp, endp, base) strtoull((cp), (endp), (base))
#define simple_strtoll(cp, endp, base) strtoll((cp), (endp), (base))

#endif /* DMP_COMPAT_LINUX_KSTRTOX_H */
