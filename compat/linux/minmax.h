/* SPDX-License-Identifier: MIT */
/*
 * <linux/minmax.h> for dmaport's Linux-compat layer.  Each argument is
 * evaluated once.  Linux also rejects mixed signedness at compile time;
 * these do not (the usual arithmetic conversions apply): use min_t/max_t
 * where the types differ, as Linux requires.
 */
#ifndef DMP_COMPAT_LINUX_MINMAX_H
#define DMP_COMPAT_LINUX_MINMAX_H

#define min(x, y)                                                                       \
	__extension__({                                                                 \
		__typeof__(x) dmp__min_x = (x);                                         \
		__typeof__(y) dmp__min_y = (y);                                         \
		dmp__min_x < dmp__min_y ? dmp__min_x : dmp__min_y;                      \
	})
#define max(x, y)                                                                       \
	__extension__({                                                                 \
		__typeof__(x) dmp__max_x = (x);                                         \
		__typeof__(y) dmp__max_y = (y);                                         \
		dmp__max_x > dmp__max_y ? dmp__max_x : dmp__max_y;                      \
	})
#define min_t(type, x, y) min((type)(x), (type)(y))
#define max_t(type, x, y) max((type)(x), (type)(y))
/* clamp - @val limited to [@lo, @hi]. */
#define clamp(val, lo, hi) min(max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)

#endif /* DMP_COMPAT_LINUX_MINMAX_H */
