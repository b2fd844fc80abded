/* SPDX-License-Identifier: MIT */
/*
 * <linux/compiler.h> for dmaport's Linux-compat layer: annotations and
 * READ_ONCE/WRITE_ONCE.  Sparse annotations (__iomem, __force, __bitwise)
 * are empty: dmaport builds are not checked by sparse.
 */
#ifndef DMP_COMPAT_LINUX_COMPILER_H
#define DMP_COMPAT_LINUX_COMPILER_H

#include <linux/kconfig.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define __iomem
#define __force
#define __bitwise
#define __user
#define __kernel
#define __rcu
#define __percpu
#define __private
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __cond_lock(x, c) (c)
#define __init
#define __exit
#define __initdata
#define __initconst
#define __exitdata
#define __devinit
#define __devexit
#define __devinitdata
#define __devexit_p(x) (x)
#define __ref
#define __refdata
#define __read_mostly
#define __ro_after_init
#define __cold __attribute__((__cold__))
#define __weak __attribute__((__weak__))
#define __used __attribute__((__used__))
#define __section(s) __attribute__((__section__(s)))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#define __scanf(a, b) __attribute__((__format__(scanf, a, b)))
#define __noreturn __attribute__((__noreturn__))
#define __pure __attribute__((__pure__))
#define __malloc __attribute__((__malloc__))
#define __counted_by(m)
#define __nonstring
#define __randomize_layout
#define __no_randomize_layout
#define __designated_init
#define __cacheline_aligned __attribute__((__aligned__(128)))
#define ____cacheline_aligned __attribute__((__aligned__(128)))
#define __cacheline_aligned_in_smp __cacheline_aligned
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#define noinline_for_stack noinline
#define notrace
#define __visible
#define asmlinkage
#define fallthrough __attribute__((__fallthrough__))
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
#define __same_type(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#define __must_be_array(a) 0
#define unreachable() __builtin_unreachable()
#define OPTIMIZER_HIDE_VAR(var) __asm__("" : "=r"(var) : "0"(var))
#define data_race(expr) (expr)
#define is_signed_type(type) (((type)(-1)) < (type)1)
#define is_unsigned_type(type) (!is_signed_type(type))
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
