/* SPDX-License-Identifier: MIT */
/* <linux/typecheck.h> for dmaport's Linux-compat layer. */
#ifndef DMP_COMPAT_LINUX_TYPECHECK_H
#define DMP_COMPAT_LINUX_TYPECHECK_H

#define typecheck(type, x)                                                              \
	__extension__({                                                                 \
		type dmp__dummy;                                                        \
		__typeof__(x) dmp__dummy2;                                              \
		(void)(&dmp__dummy == &dmp__dummy2);                                    \
		1;                                                                      \
	})
#define typecheck_fn(type, function)                                                    \
	__extension__({                                                                 \
		__typeof__(type) dmp__tmp = function;                                   \
		(void)dmp__tmp;                                                         \
	})

#endif /* DMP_COMPAT_LINUX_TYPECHECK_H */
