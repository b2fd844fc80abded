/* SPDX-License-Identifier: MIT */
/* <linux/overflow.h> for dmaport's Linux-compat layer: checked arithmetic (true on overflow). */
#ifndef DMP_COMPAT_LINUX_OVERFLOW_H
#define DMP_COMPAT_LINUX_OVERFLOW_H

#include <linux/stddef.h>
#include <stdint.h>

#define check_add_overflow(a, b, d) __builtin_add_overflow((a), (b), (d))
#define check_sub_overflow(a, b, d) __builtin_sub_overflow((a), (b), (d))
#define check_mul_overflow(a, b, d) __builtin_mul_overflow((a), (b), (d))
#define type_max(T) ((T)((((T)1 << (8 * sizeof(T) - 1 - is_signed_type(T))) - 1) * 2 + 1))
#define type_min(T) ((T)((T)-type_max(T) - (T)1))
#define size_sub(a, b) ((a) >= (b) ? (size_t)(a) - (size_t)(b) : SIZE_MAX)
#define overflows_type(n, T) ((n) > type_max(T))

#endif /* DMP_COMPAT_LINUX_OVERFLOW_H */
