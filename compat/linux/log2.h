/* SPDX-License-Identifier: MIT */
/* <linux/log2.h> for dmaport's Linux-compat layer. */
#ifndef DMP_COMPAT_LINUX_LOG2_H
#define DMP_COMPAT_LINUX_LOG2_H

#include <linux/types.h>

static inline int dmp__lx_fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}
/* ilog2 - floor(log2(@n)); @n > 0. */
#define ilog2(n) (dmp__lx_fls64((u64)(n)) - 1)
#define const_ilog2(n) ilog2(n)
#define roundup_pow_of_two(n) ((n) <= 1 ? 1UL : 1UL << dmp__lx_fls64((u64)(n) - 1))
#define rounddown_pow_of_two(n) (1UL << ilog2(n))
#define order_base_2(n) ((n) > 1 ? ilog2((n) - 1) + 1 : 0)
#define is_power_of_2_u64(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))

#endif /* DMP_COMPAT_LINUX_LOG2_H */
