/* SPDX-License-Identifier: MIT */
/*
 * dmaport/log.h - dmaport's log: where its reports, its checker's findings
 * and a port's own messages go, one line at a time.
 *
 * Callers' header (drivers, tests, the Linux-compat printk) and the logging
 * that platform ports use.  A line goes to the hook set with
 * dmp_set_log_hook(), or else to the console (the port's dmp_env_puts(),
 * <dmaport/port.h>).
 */
#ifndef DMAPORT_LOG_H
#define DMAPORT_LOG_H

#include <stdarg.h>

#include <dmaport/types.h>

DMP_BEGIN_DECLS

/**
 * dmp_log - format one line (no trailing newline) and send it to the log.
 * Lines longer than 511 bytes are cut.  Context: any, spinlocks held too;
 * it never allocates.  The hook is called on the caller's thread.
 */
DMP_API void dmp_log(const char *fmt, ...) DMP_PRINTF(1, 2);
/** dmp_vlog - dmp_log() with a va_list. */
DMP_API void dmp_vlog(const char *fmt, va_list ap) DMP_PRINTF(1, 0);

/**
 * dmp_set_log_hook - send the log's lines to @fn(@cookie, line) instead of
 * the console; NULL restores the console.  Tests use it to read reports.
 * Not synchronised with concurrent dmp_log() calls: set it while no other
 * thread logs.
 */
typedef void (*dmp_log_fn)(void *cookie, const char *line);
DMP_API void dmp_set_log_hook(dmp_log_fn fn, void *cookie);

DMP_END_DECLS

#endif /* DMAPORT_LOG_H */
