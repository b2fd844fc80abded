/* SPDX-License-Identifier: MIT */
/*
 * <linux/cleanup.h> for dmaport's Linux-compat layer: scope-based cleanup
 * on the compiler's cleanup attribute, with Linux's names and rules:
 *   T *p __free(kfree) = kmalloc(...);   freed when p goes out of scope,
 *                                         unless no_free_ptr(p)/return_ptr(p);
 *   guard(mutex)(&m);                     m held to the end of the scope;
 *   scoped_guard(spinlock_irqsave, &l) { ... }   held for the block.
 * DEFINE_FREE / DEFINE_GUARD / DEFINE_CLASS define more, as in Linux.
 */
#ifndef DMP_COMPAT_LINUX_CLEANUP_H
#define DMP_COMPAT_LINUX_CLEANUP_H

#include <linux/compiler.h>

#define DEFINE_FREE(_name, _type, _free)                                                \
	static inline void __free_##_name(void *p)                                      \
	{                                                                               \
		_type _T = *(_type *)p;                                                 \
		_free;                                                                  \
	}
#define __free(_name) __attribute__((__cleanup__(__free_##_name)))
#define __get_and_null(p, nullvalue)                                                    \
	__extension__({                                                                 \
		__typeof__(&(p)) dmp__ptr = &(p);                                       \
		__typeof__(p) dmp__val = *dmp__ptr;                                     \
		*dmp__ptr = nullvalue;                                                  \
		dmp__val;                                                               \
	})
#define no_free_ptr(p) ((__typeof__(p))__get_and_null(p, NULL))
#define return_ptr(p) return no_free_ptr(p)
#define retain_and_null_ptr(p) ((void)__get_and_null(p, NULL))

#define DEFINE_CLASS(_name, _type, _exit, _init, _init_args...)                         \
	typedef _type class_##_name##_t;                                                \
	static inline void class_##_name##_destructor(_type *p)                         \
	{                                                                               \
		_type _T = *p;                                                          \
		_exit;                                                                  \
	}                                                                               \
	static inline _type class_##_name##_constructor(_init_args)                     \
	{                                                                               \
		_type t = _init;                                                        \
		return t;                                                               \
	}
#define CLASS(_name, var)                                                               \
	class_##_name##_t var __attribute__((__cleanup__(class_##_name##_destructor))) = \
		class_##_name##_constructor

#define DEFINE_GUARD(_name, _type, _lock, _unlock)                                      \
	DEFINE_CLASS(_name, _type, if (_T) { _unlock; }, ({ _lock; _T; }), _type _T)
#define guard(_name) CLASS(_name, __UNIQUE_ID(guard))
#define scoped_guard(_name, args...)                                                    \
	for (CLASS(_name, scope)(args), *dmp__done = NULL; !dmp__done;                  \
	     dmp__done = (void *)1)

/* The lock state of the _irqsave guards: the lock and the flags. */
#define DEFINE_LOCK_GUARD_1(_name, _type, _lock, _unlock, ...)                          \
	typedef struct {                                                                \
		_type *lock;                                                            \
		__VA_ARGS__;                                                            \
	} class_##_name##_t;                                                            \
	static inline void class_##_name##_destructor(class_##_name##_t *_T)            \
	{                                                                               \
		if (_T->lock) {                                                         \
			_unlock;                                                        \
		}                                                                       \
	}                                                                               \
	static inline class_##_name##_t class_##_name##_constructor(_type *l)           \
	{                                                                               \
		class_##_name##_t _t = { .lock = l }, *_T = &_t;                        \
		_lock;                                                                  \
		return _t;                                                              \
	}

#endif /* DMP_COMPAT_LINUX_CLEANUP_H */
