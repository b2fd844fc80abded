/* SPDX-License-Identifier: MIT */
/*
 * <linux/printk.h> for dmaport's Linux-compat layer.
 *
 * Messages go where dmaport's reports go: one line each (a trailing newline
 * is dropped) through the log hook (dmp_set_log_hook) or the console.  The
 * KERN_<level> prefix is accepted and dropped: every level is printed.
 * pr_debug prints only where DEBUG is defined before the include, as in
 * Linux without dynamic debug; elsewhere its arguments are still
 * type-checked.  pr_fmt works as in Linux (define it before the include).
 *
 * Linux's %p extensions (%pad, %pa, %pe, %*ph ...) are NOT supported: the C
 * library's printf prints the pointer and then the letters.  Print a
 * dma_addr_t with %llx and a cast to unsigned long long.
 */
#ifndef DMP_COMPAT_LINUX_PRINTK_H
#define DMP_COMPAT_LINUX_PRINTK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <dmaport/log.h>

#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"

/*
 * dmp__lx_vprintk - format one message, with @prefix ("name: ") when not
 * NULL, and log it.  Returns the length of the message as printf would.
 */
static inline int dmp__lx_vprintk(const char *prefix, const char *fmt, va_list ap)
{
	char line[480];
	if (fmt[0] == KERN_SOH[0] && fmt[1] != '\0')
		fmt += 2;
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	size_t len = strlen(line);
	while (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	dmp_log("%s%s", prefix ? prefix : "", line);
	return n;
}

static inline int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = dmp__lx_vprintk(NULL, fmt, ap);
	va_end(ap);
	return n;
}

/* no_printk - check the format, print nothing. */
#define no_printk(fmt, ...)                                                             \
	__extension__({                                                                 \
		if (0)                                                                  \
			printk(fmt, ##__VA_ARGS__);                                     \
		0;                                                                      \
	})

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#ifdef DEBUG
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#else
#define pr_debug(fmt, ...) no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#endif

#endif /* DMP_COMPAT_LINUX_PRINTK_H */
