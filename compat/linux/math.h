/* SPDX-License-Identifier: MIT */
/* <linux/math.h> for dmaport's Linux-compat layer: rounding and division helpers. */
#ifndef DMP_COMPAT_LINUX_MATH_H
#define DMP_COMPAT_LINUX_MATH_H

#include <stdlib.h> /* before the abs() macro below */

#include <linux/types.h>

#define DIV_ROUND_DOWN_ULL(ll, d) ((unsigned long long)(ll) / (d))
#define DIV_ROUND_UP_ULL(ll, d) DIV_ROUND_DOWN_ULL((unsigned long long)(ll) + (d) - 1, (d))
#define DIV_ROUND_UP_POW2(n, d) (((n) + (d) - 1) / (d))
/* DIV_ROUND_CLOSEST - @x / @divisor rounded to nearest (away from 0 for negative @x). */
#define DIV_ROUND_CLOSEST(x, divisor)                                                   \
	__extension__({                                                                 \
		__typeof__(x) dmp__x = (x);                                             \
		__typeof__(divisor) dmp__d = (divisor);                                 \
		(((__typeof__(x))-1) > 0 || ((__typeof__(divisor))-1) > 0 ||            \
		 (((dmp__x) > 0) == ((dmp__d) > 0)))                                    \
			? (((dmp__x) + ((dmp__d) / 2)) / (dmp__d))                      \
			: (((dmp__x) - ((dmp__d) / 2)) / (dmp__d));                     \
	})
#define DIV_ROUND_CLOSEST_ULL(x, divisor)                                               \
	(((unsigned long long)(x) + (divisor) / 2) / (divisor))
#undef roundup /* the C library's <sys/param.h> has its own */
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y) ((x) - ((x) % (y)))
#define mult_frac(x, numer, denom)                                                      \
	__extension__({                                                                 \
		__typeof__(x) dmp__q = (x) / (denom);                                   \
		__typeof__(x) dmp__r = (x) % (denom);                                   \
		(dmp__q * (numer)) + ((dmp__r * (numer)) / (denom));                    \
	})
#define abs(x)                                                                          \
	__extension__({                                                                 \
		__typeof__(x) dmp__a = (x);                                             \
		dmp__a < 0 ? -dmp__a : dmp__a;                                          \
	})
#define abs_diff(a, b)                                                                  \
	__extension__({                                                                 \
		__typeof__(a) dmp__a2 = (a);                                            \
		__typeof__(b) dmp__b2 = (b);                                            \
		dmp__a2 > dmp__b2 ? dmp__a2 - dmp__b2 : dmp__b2 - dmp__a2;              \
	})
#define swap(a, b)                                                                      \
	do {                                                                            \
		__typeof__(a) dmp__t = (a);                                             \
		(a) = (b);                                                              \
		(b) = dmp__t;                                                           \
	} while (0)

/* int_sqrt - the integer square root of @x, rounded down. */
static inline unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1UL << (sizeof(long) * 8 - 2);
	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}
static inline u32 int_sqrt64(u64 x)
{
	u64 r = 0, bit = 1ULL << 62;
	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return (u32)r;
}

#endif /* DMP_COMPAT_LINUX_MATH_H */
