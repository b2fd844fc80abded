/* SPDX-License-Identifier: MIT */
/*
 * dmaport/dma-trace.h - tracepoints of the DMA API: one callback hears every
 * mapping, unmapping, sync, allocation and free, after it took effect (as
 * Linux's include/trace/events/dma.h: trace_dma_map_phys(),
 * trace_dma_sync_single_for_cpu(), ...).
 *
 * Callers' header, for tools that show what a driver did: dmaport-sim prints
 * these events in its trace and draws buffers' ownership from them in its
 * timeline.  Ownership follows the API's rules: after a map or a
 * sync_for_device the device owns a streaming buffer; after a sync_for_cpu or
 * an unmap the CPU does; a coherent allocation is shared from alloc to free.
 *
 * Cost when no callback is set: one load and a predicted branch per call.
 * The callback runs on the calling thread, after the operation, and must not
 * call the DMA API.
 */
#ifndef DMAPORT_DMA_TRACE_H
#define DMAPORT_DMA_TRACE_H

#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/scatterlist.h>

DMP_BEGIN_DECLS

enum dmp_dma_trace_op {
	DMP_TRACE_MAP,             /* map_single/page/resource: the device owns it */
	DMP_TRACE_UNMAP,           /* the CPU owns it again */
	DMP_TRACE_MAP_SG,          /* @sg, @nents given, @mapped returned (0: failed) */
	DMP_TRACE_UNMAP_SG,
	DMP_TRACE_SYNC_FOR_CPU,    /* single or (@sg) scatterlist: the CPU owns it */
	DMP_TRACE_SYNC_FOR_DEVICE, /* the device owns it */
	DMP_TRACE_ALLOC,           /* a coherent allocation: shared until freed */
	DMP_TRACE_FREE,
};

/**
 * struct dmp_dma_trace_event - one DMA API call, after it took effect.
 * @dma is DMP_MAPPING_ERROR for a map that failed (nobody owns anything
 * new then); @phys is 0 where the call does not know it (unmap, sync);
 * for scatterlists @sg, @nents (the entries given) and @mapped (the DMA
 * segments: sg_dma_address()/sg_dma_len() of the first @mapped entries).
 */
struct dmp_dma_trace_event {
	enum dmp_dma_trace_op op;
	const struct dmp_device *dev;
	enum dmp_map_type type;
	dmp_addr_t dma;
	dmp_phys_t phys;
	size_t size;
	enum dmp_data_direction dir;
	const struct dmp_scatterlist *sg;
	int nents;
	int mapped;
	const char *file;
	int line;
};

typedef void (*dmp_dma_trace_fn)(void *cookie, const struct dmp_dma_trace_event *ev);

/**
 * dmp_dma_trace_set - call @fn with @cookie for every DMA API call (NULL: no
 * more).  One callback for the whole program; setting it while other
 * threads use the DMA API is safe, but a call in flight may still reach the
 * previous callback.  Context: any.
 */
DMP_API void dmp_dma_trace_set(dmp_dma_trace_fn fn, void *cookie);

/** dmp_dma_trace_op_name - "map", "unmap", "sync_for_cpu", ... */
DMP_API const char *dmp_dma_trace_op_name(enum dmp_dma_trace_op op);

DMP_END_DECLS

#endif /* DMAPORT_DMA_TRACE_H */
