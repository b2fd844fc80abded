/* SPDX-License-Identifier: MIT */
/*
 * <linux/limits.h> for dmaport's Linux-compat layer: U8_MAX .. S64_MIN.
 *
 * The C library's <limits.h> includes <linux/limits.h> (the kernel's UAPI
 * header) on Linux hosts and finds this file first through -I, so this file
 * passes such an include on to the next <linux/limits.h> before adding its
 * own definitions (as <linux/errno.h> here does).
 */
#if defined(__has_include_next)
#if __has_include_next(<linux/limits.h>)
#include_next <linux/limits.h>
#endif
#endif

#ifndef DMP_COMPAT_LINUX_LIMITS_H
#define DMP_COMPAT_LINUX_LIMITS_H

#include <limits.h> /* INT_MIN .. ULLONG_MAX, as Linux's <linux/limits.h> */
#include <stdint.h> /* SIZE_MAX */

#define U8_MAX ((u8)~0U)
#define S8_MAX ((s8)(U8_MAX >> 1))
#define S8_MIN ((s8)(-S8_MAX - 1))
#define U16_MAX ((u16)~0U)
#define S16_MAX ((s16)(U16_MAX >> 1))
#define S16_MIN ((s16)(-S16_MAX - 1))
#define U32_MAX ((u32)~0U)
#define S32_MAX ((s32)(U32_MAX >> 1))
#define S32_MIN ((s32)(-S32_MAX - 1))
#define U64_MAX ((u64)~0ULL)
#define S64_MAX ((s64)(U64_MAX >> 1))
#define S64_MIN ((s64)(-S64_MAX - 1))
#define PHYS_ADDR_MAX (~(phys_addr_t)0)

#endif /* DMP_COMPAT_LINUX_LIMITS_H */
