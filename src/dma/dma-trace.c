/* SPDX-License-Identifier: MIT */
/*
 * dma-trace.c - the DMA API's tracepoints (<dmaport/dma-trace.h>): one
 * callback, read with one load by every entry point in mapping.c.
 */
#include <dmaport/dma-trace.h>

#include "dma-trace-internal.h"

/* The callback and its cookie change together under this pair: a reader
 * that sees a callback sees at least the cookie set with it. */
_Atomic(dmp_dma_trace_fn) dmp__dma_trace_fn;
static void *_Atomic trace_cookie;

void dmp_dma_trace_set(dmp_dma_trace_fn fn, void *cookie)
{
	atomic_store_explicit(&trace_cookie, cookie, memory_order_relaxed);
	atomic_store_explicit(&dmp__dma_trace_fn, fn, memory_order_release);
}

void dmp__dma_trace(const struct dmp_dma_trace_event *ev)
{
	dmp_dma_trace_fn fn = atomic_load_explicit(&dmp__dma_trace_fn, memory_order_acquire);
	if (fn)
		fn(atomic_load_explicit(&trace_cookie, memory_order_relaxed), ev);
}

const char *dmp_dma_trace_op_name(enum dmp_dma_trace_op op)
{
	static const char *const names[] = {
		[DMP_TRACE_MAP] = "map",
		[DMP_TRACE_UNMAP] = "unmap",
		[DMP_TRACE_MAP_SG] = "map_sg",
		[DMP_TRACE_UNMAP_SG] = "unmap_sg",
		[DMP_TRACE_SYNC_FOR_CPU] = "sync_for_cpu",
		[DMP_TRACE_SYNC_FOR_DEVICE] = "sync_for_device",
		[DMP_TRACE_ALLOC] = "alloc_coherent",
		[DMP_TRACE_FREE] = "free_coherent",
	};
	return (unsigned int)op < DMP_ARRAY_SIZE(names) && names[op] ? names[op] : "?";
}
