/* SPDX-License-Identifier: MIT */
/*
 * <linux/refcount.h> for dmaport's Linux-compat layer: a reference count
 * that WARNs and saturates on overflow and on increment from zero (a
 * use-after-free), as Linux's.
 */
#ifndef DMP_COMPAT_LINUX_REFCOUNT_H
#define DMP_COMPAT_LINUX_REFCOUNT_H

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/limits.h>

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n) { .refs = ATOMIC_INIT(n) }
#define REFCOUNT_SATURATED (INT_MIN / 2)

static inline void refcount_set(refcount_t *r, int n)
{
	atomic_set(&r->refs, n);
}
static inline unsigned int refcount_read(const refcount_t *r)
{
	return (unsigned int)atomic_read(&r->refs);
}
static inline bool refcount_inc_not_zero(refcount_t *r)
{
	return atomic_inc_not_zero(&r->refs);
}
static inline void refcount_add(int i, refcount_t *r)
{
	int old = atomic_fetch_add(i, &r->refs);
	if (WARN_ONCE(old == 0, "refcount_t: addition on 0; use-after-free"))
		atomic_set(&r->refs, REFCOUNT_SATURATED);
	else if (WARN_ONCE(old < 0 || old + i < 0, "refcount_t: saturated; leaking memory"))
		atomic_set(&r->refs, REFCOUNT_SATURATED);
}
static inline void refcount_inc(refcount_t *r)
{
	refcount_add(1, r);
}
static inline bool refcount_sub_and_test(int i, refcount_t *r)
{
	int old = atomic_fetch_sub(i, &r->refs);
	if (old == i)
		return true;
	if (WARN_ONCE(old < 0 || old - i < 0, "refcount_t: underflow; use-after-free"))
		atomic_set(&r->refs, REFCOUNT_SATURATED);
	return false;
}
static inline bool refcount_dec_and_test(refcount_t *r)
{
	return refcount_sub_and_test(1, r);
}
static inline void refcount_dec(refcount_t *r)
{
	WARN_ONCE(refcount_dec_and_test(r), "refcount_t: decrement hit 0; leaking memory");
}

#endif /* DMP_COMPAT_LINUX_REFCOUNT_H */
