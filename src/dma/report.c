/* SPDX-License-Identifier: MIT */
/*
 * report.c - how the DMA layer reports misuse and failures, in the style of
 * the kernel's dma-debug: "dmaport: <device>: DMA-API: <what> at <file>:<line>".
 */
#include <stdarg.h>
#include <stdio.h>

#include "debug-hooks.h"

DMP_TLS const char *dmp__site_file;
const char dmp__no_site[] = "(no call site)";
DMP_TLS int dmp__site_line;

/*
 * @attrs: DMP_ATTR_NO_WARN silences the report.  As in Linux, NO_WARN is for
 * failures the caller has a fallback for (allocation, bounce exhaustion,
 * mapping failures): reports of misuse (bad arguments, memory that is not
 * DMA-able) are made with attrs 0 and always show.
 */
void dmp__dma_report(const struct dmp_device *dev, unsigned long attrs, const char *file, int line,
		     const char *fmt, ...)
{
	if (attrs & DMP_ATTR_NO_WARN)
		return;
	char what[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!file) { /* reported from inside an implementation: the API call's site */
		file = dmp__site_file;
		line = dmp__site_line;
	}
	dmp_log("dmaport: %s: DMA-API: %s at %s:%d", dev ? dev->name : "(no device)", what,
		 file ? file : "?", line);
}

void dmp__dma_misuse(const struct dmp_device *dev, enum dmp_debug_kind kind, const char *file,
		     int line, const char *fix, const char *fmt, ...)
{
	char what[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!file) {
		file = dmp__site_file;
		line = dmp__site_line;
	} else if (file == DMP__NO_SITE) {
		file = NULL;
		/* a new call: nothing reported in it yet */
		dmp__set_site(NULL, 0);
	}
	/* one misuse, one finding: a layer below the checker's own finding
	 * for this call adds its line, not a second finding */
	if (dmp__debug_on() && !dmp__dbg_reported_in_call &&
	    dmp__debug_misuse(dev, kind, file, line, fix, what))
		return;
	if (file)
		dmp_log("dmaport: %s: DMA-API: %s at %s:%d", dev ? dev->name : "(no device)", what,
			 file, line);
	else
		dmp_log("dmaport: %s: DMA-API: %s", dev ? dev->name : "(no device)", what);
}
