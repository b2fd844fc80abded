/* SPDX-License-Identifier: MIT */
/* <linux/bits.h> for dmaport's Linux-compat layer: BIT and GENMASK. */
#ifndef DMP_COMPAT_LINUX_BITS_H
#define DMP_COMPAT_LINUX_BITS_H

#include <limits.h>

#define BITS_PER_LONG ((int)(sizeof(long) * CHAR_BIT))
#define BITS_PER_LONG_LONG 64

/* BIT - bit @nr as an unsigned long; BIT_ULL as an unsigned long long. */
#define BIT(nr) (1UL << (nr))
#define BIT_ULL(nr) (1ULL << (nr))

/* GENMASK - bits @l..@h inclusive (h >= l), as Linux's. */
#define GENMASK(h, l) ((~0UL << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) ((~0ULL << (l)) & (~0ULL >> (BITS_PER_LONG_LONG - 1 - (h))))

#endif /* DMP_COMPAT_LINUX_BITS_H */
