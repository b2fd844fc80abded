/* SPDX-License-Identifier: MIT */
/*
 * <linux/kernel.h> for dmaport's Linux-compat layer: the arithmetic helpers
 * drivers use, and the small headers Linux's kernel.h brings in (types,
 * compiler, bits, minmax, byte order, printk, bug, err).
 */
#ifndef DMP_COMPAT_LINUX_KERNEL_H
#define DMP_COMPAT_LINUX_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/byteorder/generic.h>
#include <linux/printk.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/sizes.h>
#include <linux/limits.h>
#include <limits.h>
#include <linux/kstrtox.h>
#include <linux/math.h>
#include <linux/log2.h>
#include <linux/stddef.h>
#include <linux/typecheck.h>
#include <linux/processor.h>
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/build_bug.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ALIGN - @x rounded up to @a, a power of two; ALIGN_DOWN rounds down. */
#define ALIGN(x, a) DMP_ALIGN_UP(x, a)
#define ALIGN_DOWN(x, a) DMP_ALIGN_DOWN(x, a)
#define IS_ALIGNED(x, a) DMP_IS_ALIGNED(x, a)
#define PTR_ALIGN(p, a) ((__typeof__(p))ALIGN((uintptr_t)(p), (a)))

#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
/* round_up / round_down - to a power of two @y. */
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))

/* container_of - the structure of type @type whose @member is at @ptr. */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* upper_32_bits / lower_32_bits - halves of a 64-bit value (a bus address). */
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))

/* is_power_of_2 - true for 1, 2, 4, ...; false for 0. */
static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

#endif /* DMP_COMPAT_LINUX_KERNEL_H */
