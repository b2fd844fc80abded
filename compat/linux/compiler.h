/* SPDX-License-Identifier: MIT */
/*
 * <linux/compiler.h> for dmaport's Linux-compat layer: annotations and
 * READ_ONCE/WRITE_ONCE.  Sparse annotations (__iomem, __force, __bitwise)
 * are empty: dmaport builds are not checked by sparse.
 */
#ifndef DMP_COMPAT_LINUX_COMPILER_H
#define DMP_COMPAT_LINUX_COMPILER_H

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define __iomem
#define __force
#define __bitwise
#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif
#ifndef noinline
#define noinline __attribute__((__noinline__))
#endif
#ifndef __maybe_unused
#define __maybe_unused __attribute__((__unused__))
#endif
#ifndef __must_check
#define __must_check __attribute__((__warn_unused_result__))
#endif
#ifndef __packed
#define __packed __attribute__((__packed__))
#endif
#ifndef __aligned
#define __aligned(x) __attribute__((__aligned__(x)))
#endif

/* barrier - a compiler barrier: no CPU ordering, only no reordering by the compiler. */
#define barrier() __asm__ __volatile__("" : : : "memory")

/*
 * READ_ONCE / WRITE_ONCE - one access of a scalar, not torn, merged or
 * repeated by the compiler (a volatile access, as Linux's for scalars).
 */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)                                                              \
	do {                                                                            \
		*(volatile __typeof__(x) *)&(x) = (val);                                \
	} while (0)

#endif /* DMP_COMPAT_LINUX_COMPILER_H */
