/* SPDX-License-Identifier: MIT */
/*
 * <linux/bug.h> for dmaport's Linux-compat layer.
 *
 * WARN_ON(cond) logs "WARNING: <file>:<line>: <cond>" (through printk's
 * sink) when @cond is true, and returns whether it was, as Linux's.  The
 * _ONCE variants warn at most once per call site (a racy flag, as Linux's).
 * BUG_ON / BUG log "BUG: <file>:<line>" then abort() the program: Linux
 * halts the kernel.
 */
#ifndef DMP_COMPAT_LINUX_BUG_H
#define DMP_COMPAT_LINUX_BUG_H

#include <stdlib.h>

#include <linux/compiler.h>
#include <linux/printk.h>

static inline void dmp__lx_warn(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void dmp__lx_warn(const char *file, int line, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	dmp_log("WARNING: %s:%d: %s", file, line, what);
}

#define WARN(cond, fmt, ...)                                                            \
	__extension__({                                                                 \
		int dmp__warn_on = !!(cond);                                            \
		if (unlikely(dmp__warn_on))                                             \
			dmp__lx_warn(__FILE__, __LINE__, fmt, ##__VA_ARGS__);           \
		dmp__warn_on;                                                           \
	})
#define WARN_ON(cond) WARN(cond, "%s", #cond)

#define WARN_ONCE(cond, fmt, ...)                                                       \
	__extension__({                                                                 \
		static bool dmp__warned;                                                \
		int dmp__warn_once = !!(cond);                                          \
		if (unlikely(dmp__warn_once) && !dmp__warned) {                         \
			dmp__warned = true;                                             \
			dmp__lx_warn(__FILE__, __LINE__, fmt, ##__VA_ARGS__);           \
		}                                                                       \
		dmp__warn_once;                                                         \
	})
#define WARN_ON_ONCE(cond) WARN_ONCE(cond, "%s", #cond)

#define BUG()                                                                           \
	do {                                                                            \
		dmp_log("BUG: %s:%d", __FILE__, __LINE__);                             \
		abort();                                                                \
	} while (0)
#define BUG_ON(cond)                                                                    \
	do {                                                                            \
		if (unlikely(cond)) {                                                   \
			dmp_log("BUG: %s:%d: %s", __FILE__, __LINE__, #cond);          \
			abort();                                                        \
		}                                                                       \
	} while (0)

/* BUILD_BUG_ON - a compile error when @cond (a constant expression) is true. */
#define BUILD_BUG_ON(cond) ((void)sizeof(char[1 - 2 * !!(cond)]))

#endif /* DMP_COMPAT_LINUX_BUG_H */
