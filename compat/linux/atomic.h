/* SPDX-License-Identifier: MIT */
/*
 * <linux/atomic.h> for dmaport's Linux-compat layer: atomic_t, atomic64_t
 * and atomic_long_t on the compiler's __atomic builtins.  The value-returning
 * operations are fully ordered, as Linux's; atomic_read/set are relaxed.
 */
#ifndef DMP_COMPAT_LINUX_ATOMIC_H
#define DMP_COMPAT_LINUX_ATOMIC_H

#include <stdatomic.h>

#include <linux/types.h>
#include <linux/compiler.h>

/*
 * C11's <stdatomic.h> (which dmaport's own headers use) defines generic
 * macros named like Linux's functions with other arguments: Linux code
 * never sees them.  dmaport's headers use only the _explicit forms.
 */
#undef atomic_fetch_add
#undef atomic_fetch_sub
#undef atomic_fetch_or
#undef atomic_fetch_and
#undef atomic_fetch_xor

#define DMP__LX_ATOMIC_OPS(pfx, atype, ctype)                                           \
	static inline ctype pfx##_read(const atype *v)                                  \
	{                                                                               \
		return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);                  \
	}                                                                               \
	static inline ctype pfx##_read_acquire(const atype *v)                          \
	{                                                                               \
		return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE);                  \
	}                                                                               \
	static inline void pfx##_set(atype *v, ctype i)                                 \
	{                                                                               \
		__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);                     \
	}                                                                               \
	static inline void pfx##_set_release(atype *v, ctype i)                         \
	{                                                                               \
		__atomic_store_n(&v->counter, i, __ATOMIC_RELEASE);                     \
	}                                                                               \
	static inline void pfx##_add(ctype i, atype *v)                                 \
	{                                                                               \
		__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);                   \
	}                                                                               \
	static inline void pfx##_sub(ctype i, atype *v)                                 \
	{                                                                               \
		__atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED);                   \
	}                                                                               \
	static inline void pfx##_inc(atype *v) { pfx##_add(1, v); }                     \
	static inline void pfx##_dec(atype *v) { pfx##_sub(1, v); }                     \
	static inline void pfx##_and(ctype i, atype *v)                                 \
	{                                                                               \
		__atomic_fetch_and(&v->counter, i, __ATOMIC_RELAXED);                   \
	}                                                                               \
	static inline void pfx##_or(ctype i, atype *v)                                  \
	{                                                                               \
		__atomic_fetch_or(&v->counter, i, __ATOMIC_RELAXED);                    \
	}                                                                               \
	static inline void pfx##_xor(ctype i, atype *v)                                 \
	{                                                                               \
		__atomic_fetch_xor(&v->counter, i, __ATOMIC_RELAXED);                   \
	}                                                                               \
	static inline ctype pfx##_add_return(ctype i, atype *v)                         \
	{                                                                               \
		return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);            \
	}                                                                               \
	static inline ctype pfx##_sub_return(ctype i, atype *v)                         \
	{                                                                               \
		return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);            \
	}                                                                               \
	static inline ctype pfx##_fetch_add(ctype i, atype *v)                          \
	{                                                                               \
		return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST);            \
	}                                                                               \
	static inline ctype pfx##_fetch_sub(ctype i, atype *v)                          \
	{                                                                               \
		return __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST);            \
	}                                                                               \
	static inline ctype pfx##_fetch_and(ctype i, atype *v)                          \
	{                                                                               \
		return __atomic_fetch_and(&v->counter, i, __ATOMIC_SEQ_CST);            \
	}                                                                               \
	static inline ctype pfx##_fetch_or(ctype i, atype *v)                           \
	{                                                                               \
		return __atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST);             \
	}                                                                               \
	static inline ctype pfx##_inc_return(atype *v) { return pfx##_add_return(1, v); } \
	static inline ctype pfx##_dec_return(atype *v) { return pfx##_sub_return(1, v); } \
	static inline ctype pfx##_fetch_inc(atype *v) { return pfx##_fetch_add(1, v); }   \
	static inline ctype pfx##_fetch_dec(atype *v) { return pfx##_fetch_sub(1, v); }   \
	static inline bool pfx##_inc_and_test(atype *v) { return pfx##_inc_return(v) == 0; } \
	static inline bool pfx##_dec_and_test(atype *v) { return pfx##_dec_return(v) == 0; } \
	static inline bool pfx##_sub_and_test(ctype i, atype *v)                        \
	{                                                                               \
		return pfx##_sub_return(i, v) == 0;                                     \
	}                                                                               \
	static inline bool pfx##_add_negative(ctype i, atype *v)                        \
	{                                                                               \
		return pfx##_add_return(i, v) < 0;                                      \
	}                                                                               \
	static inline ctype pfx##_xchg(atype *v, ctype n)                               \
	{                                                                               \
		return __atomic_exchange_n(&v->counter, n, __ATOMIC_SEQ_CST);           \
	}                                                                               \
	static inline ctype pfx##_cmpxchg(atype *v, ctype o, ctype n)                   \
	{                                                                               \
		__atomic_compare_exchange_n(&v->counter, &o, n, false, __ATOMIC_SEQ_CST, \
					    __ATOMIC_SEQ_CST);                          \
		return o;                                                               \
	}                                                                               \
	static inline bool pfx##_try_cmpxchg(atype *v, ctype *o, ctype n)               \
	{                                                                               \
		return __atomic_compare_exchange_n(&v->counter, o, n, false,            \
						   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
	}                                                                               \
	static inline ctype pfx##_fetch_add_unless(atype *v, ctype a, ctype u)          \
	{                                                                               \
		ctype c = pfx##_read(v);                                                \
		do {                                                                    \
			if (c == u)                                                     \
				break;                                                  \
		} while (!pfx##_try_cmpxchg(v, &c, c + a));                             \
		return c;                                                               \
	}                                                                               \
	static inline bool pfx##_add_unless(atype *v, ctype a, ctype u)                 \
	{                                                                               \
		return pfx##_fetch_add_unless(v, a, u) != u;                            \
	}                                                                               \
	static inline bool pfx##_inc_not_zero(atype *v) { return pfx##_add_unless(v, 1, 0); }

DMP__LX_ATOMIC_OPS(atomic, atomic_t, int)
DMP__LX_ATOMIC_OPS(atomic64, atomic64_t, s64)
DMP__LX_ATOMIC_OPS(atomic_long, atomic_long_t, long)

#define atomic_dec_if_positive(v)                                                       \
	__extension__({                                                                 \
		int dmp__c = atomic_read(v);                                            \
		while (dmp__c > 0 && !atomic_try_cmpxchg(v, &dmp__c, dmp__c - 1))       \
			;                                                               \
		dmp__c - 1;                                                             \
	})

/* Plain-variable forms. */
#define xchg(ptr, x) __atomic_exchange_n((ptr), (x), __ATOMIC_SEQ_CST)
#define cmpxchg(ptr, o, n)                                                              \
	__extension__({                                                                 \
		__typeof__(*(ptr)) dmp__o = (o);                                        \
		__atomic_compare_exchange_n((ptr), &dmp__o, (n), false, __ATOMIC_SEQ_CST, \
					    __ATOMIC_SEQ_CST);                          \
		dmp__o;                                                                 \
	})
#define try_cmpxchg(ptr, po, n)                                                         \
	__atomic_compare_exchange_n((ptr), (po), (n), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define cmpxchg_relaxed(ptr, o, n) cmpxchg(ptr, o, n)
#define xchg_relaxed(ptr, x) xchg(ptr, x)

#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb__before_atomic() smp_mb()
#define smp_mb__after_atomic() smp_mb()
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_mb(var, value) do { WRITE_ONCE(var, value); smp_mb(); } while (0)

#endif /* DMP_COMPAT_LINUX_ATOMIC_H */
