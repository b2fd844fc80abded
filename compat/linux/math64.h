/* SPDX-License-Identifier: MIT */
/*
 * <linux/math64.h> for dmaport's Linux-compat layer: 64-bit division
 * helpers (plain C division on a 64-bit host) and do_div(), which divides
 * its 64-bit argument in place and returns the 32-bit remainder.
 */
#ifndef DMP_COMPAT_LINUX_MATH64_H
#define DMP_COMPAT_LINUX_MATH64_H

#include <linux/types.h>
#include <linux/math.h>

static inline u64 div_u64_rem(u64 dividend, u32 divisor, u32 *remainder)
{
	*remainder = (u32)(dividend % divisor);
	return dividend / divisor;
}
static inline s64 div_s64_rem(s64 dividend, s32 divisor, s32 *remainder)
{
	*remainder = (s32)(dividend % divisor);
	return dividend / divisor;
}
static inline u64 div64_u64_rem(u64 dividend, u64 divisor, u64 *remainder)
{
	*remainder = dividend % divisor;
	return dividend / divisor;
}
static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}
static inline s64 div_s64(s64 dividend, s32 divisor)
{
	return dividend / divisor;
}
static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}
static inline s64 div64_s64(s64 dividend, s64 divisor)
{
	return dividend / divisor;
}
#define div64_ul(x, y) div64_u64((x), (y))
#define div64_long(x, y) div64_s64((x), (y))
#define DIV64_U64_ROUND_UP(ll, d) div64_u64((ll) + (d) - 1, (d))
#define DIV64_U64_ROUND_CLOSEST(dividend, divisor) div64_u64((dividend) + (divisor) / 2, (divisor))
#define DIV_U64_ROUND_CLOSEST(dividend, divisor) div_u64((dividend) + (divisor) / 2, (divisor))
static inline u64 mul_u32_u32(u32 a, u32 b)
{
	return (u64)a * b;
}
static inline u64 mul_u64_u32_shr(u64 a, u32 mul, unsigned int shift)
{
	return (u64)(((unsigned __int128)a * mul) >> shift);
}
static inline u64 mul_u64_u64_shr(u64 a, u64 mul, unsigned int shift)
{
	return (u64)(((unsigned __int128)a * mul) >> shift);
}
static inline u64 mul_u64_u32_div(u64 a, u32 mul, u32 divisor)
{
	return (u64)(((unsigned __int128)a * mul) / divisor);
}
static inline u64 mul_u64_u64_div_u64(u64 a, u64 mul, u64 divisor)
{
	return (u64)(((unsigned __int128)a * mul) / divisor);
}

/* do_div - @n = @n / @base (in place); the value is the remainder. */
#define do_div(n, base)                                                                 \
	__extension__({                                                                 \
		u32 dmp__base = (base);                                                 \
		u32 dmp__rem = (u32)((u64)(n) % dmp__base);                             \
		(n) = (u64)(n) / dmp__base;                                             \
		dmp__rem;                                                               \
	})

#endif /* DMP_COMPAT_LINUX_MATH64_H */
