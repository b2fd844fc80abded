/* SPDX-License-Identifier: MIT */
/* <linux/build_bug.h> for dmaport's Linux-compat layer. */
#ifndef DMP_COMPAT_LINUX_BUILD_BUG_H
#define DMP_COMPAT_LINUX_BUILD_BUG_H
#include <linux/compiler.h>
#ifndef BUILD_BUG_ON
#define BUILD_BUG_ON(cond) ((void)sizeof(char[1 - 2 * !!(cond)]))
#endif
#define BUILD_BUG_ON_MSG(cond, msg) BUILD_BUG_ON(cond)
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int : (-!!(e)); })))
#define BUILD_BUG_ON_NOT_POWER_OF_2(n) BUILD_BUG_ON((n) == 0 || (((n) & ((n) - 1)) != 0))
#define BUILD_BUG() BUILD_BUG_ON(1)
#undef static_assert
#define static_assert(expr, ...) _Static_assert(expr, "" __VA_ARGS__)
#endif
