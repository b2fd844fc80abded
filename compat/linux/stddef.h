/* SPDX-License-Identifier: MIT */
/* <linux/stddef.h> for dmaport's Linux-compat layer. */
#ifndef DMP_COMPAT_LINUX_STDDEF_H
#define DMP_COMPAT_LINUX_STDDEF_H

#include <stddef.h>
#include <stdbool.h>

/* the host's UAPI version first: the UAPI headers the C library includes
 * use its __struct_group and __DECLARE_FLEX_ARRAY */
#if defined(__has_include_next)
#if __has_include_next(<linux/stddef.h>)
#include_next <linux/stddef.h>
#endif
#endif

/* struct_group - members reachable directly and as one named struct */
#define struct_group(NAME, MEMBERS...)                                                  \
	union {                                                                         \
		struct { MEMBERS };                                                     \
		struct { MEMBERS } NAME;                                                \
	}
#define struct_group_tagged(TAG, NAME, MEMBERS...)                                      \
	union {                                                                         \
		struct { MEMBERS };                                                     \
		struct TAG { MEMBERS } NAME;                                            \
	}
#define struct_group_attr(NAME, ATTRS, MEMBERS...)                                      \
	union {                                                                         \
		struct { MEMBERS } ATTRS;                                               \
		struct { MEMBERS } ATTRS NAME;                                          \
	}

#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define offsetofend(TYPE, MEMBER) (offsetof(TYPE, MEMBER) + sizeof_field(TYPE, MEMBER))
#define struct_size(p, member, count)                                                   \
	(sizeof(*(p)) + sizeof(*(p)->member) * (size_t)(count))
#define struct_size_t(type, member, count)                                              \
	(sizeof(type) + sizeof(((type *)0)->member[0]) * (size_t)(count))
#define flex_array_size(p, member, count) (sizeof(*(p)->member) * (size_t)(count))
#define array_size(a, b) ((size_t)(a) * (size_t)(b))
#define array3_size(a, b, c) ((size_t)(a) * (size_t)(b) * (size_t)(c))
#define size_add(a, b) ((size_t)(a) + (size_t)(b))
#define size_mul(a, b) ((size_t)(a) * (size_t)(b))
#define DECLARE_FLEX_ARRAY(TYPE, NAME) TYPE NAME[]

#endif /* DMP_COMPAT_LINUX_STDDEF_H */
