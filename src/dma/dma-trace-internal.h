/* SPDX-License-Identifier: MIT */
/*
 * dma-trace-internal.h - how mapping.c fires the DMA API's tracepoints
 * (<dmaport/dma-trace.h>).  Not installed.
 */
#ifndef DMP_DMA_TRACE_INTERNAL_H
#define DMP_DMA_TRACE_INTERNAL_H

#include <dmaport/dma-trace.h>

#include "../internal.h"

extern _Atomic(dmp_dma_trace_fn) dmp__dma_trace_fn;

/** Someone listens: one relaxed load and a predicted branch. */
static inline bool dmp__trace_on(void)
{
	return dmp__unlikely(atomic_load_explicit(&dmp__dma_trace_fn, memory_order_relaxed) != NULL);
}

void dmp__dma_trace(const struct dmp_dma_trace_event *ev);

/* Fire a tracepoint from designated initialisers of struct dmp_dma_trace_event. */
#define DMP_TRACE(...)                                                                             \
	do {                                                                                       \
		if (dmp__trace_on())                                                               \
			dmp__dma_trace(&(const struct dmp_dma_trace_event){ __VA_ARGS__ });        \
	} while (0)

#endif /* DMP_DMA_TRACE_INTERNAL_H */
