/* SPDX-License-Identifier: MIT */
/*
 * debug-hooks.h - where the DMA-API checker (src/dma/debug.c) hears about
 * every call: the entry points in mapping.c call these after argument checks
 * and after the operation, with the caller's file and line (Linux's
 * kernel/dma/debug.h: debug_dma_map_page() and friends).  Not installed.
 *
 * Cost when the checker is off: one load and a predicted branch per call
 * (dmp__debug_active).
 */
#ifndef DMP_DMA_DEBUG_HOOKS_H
#define DMP_DMA_DEBUG_HOOKS_H

#include "dma-internal.h"

/** Non-zero when the checker is on for any device. */
extern  _Atomic int dmp__debug_active;

static inline bool dmp__debug_on(void)
{
	return dmp__unlikely(atomic_load_explicit(&dmp__debug_active, memory_order_relaxed) != 0);
}

/* A streaming mapping was made (dma may be DMP_MAPPING_ERROR: failed).
 * @cpu_addr: the CPU address mapped (NULL for map_resource). */
void dmp__debug_map(struct dmp_device *dev, const void *cpu_addr, dmp_phys_t phys,
			    size_t size, enum dmp_data_direction dir, dmp_addr_t dma,
			    enum dmp_map_type type, unsigned long attrs, const char *file, int line);
/* A map was refused before reaching the implementation (memory not DMA-able);
 * true if the checker reported it (else the caller logs it). */
bool dmp__debug_map_refused(struct dmp_device *dev, const void *cpu_addr, size_t size,
				    enum dmp_data_direction dir, const char *why, const char *file,
				    int line);
/* dmp_mapping_error() was called on @dma. */
void dmp__debug_mapping_error(struct dmp_device *dev, dmp_addr_t dma, const char *file,
				      int line);
/*
 * The hooks of calls that end or use a mapping (unmap, free, sync) run
 * before the implementation and return true when the call must be refused:
 * the checker knows it is wrong in a way that would do harm if carried out
 * (a size that reaches beyond the mapping or falls short of it, a coherent
 * free of a streaming mapping or the reverse, a free with another CPU
 * address, a sync outside the mapping, or - for a device the checker has
 * tracked since dmp_device_init() - an address it never mapped).  The
 * finding is reported either way; a refused call changes nothing, neither
 * the checker's table nor the mapping.
 */

/* An unmap is about to happen (before the implementation runs). */
bool dmp__debug_unmap(struct dmp_device *dev, dmp_addr_t dma, size_t size,
			      enum dmp_data_direction dir, enum dmp_map_type type,
			      unsigned long attrs, const char *file, int line);
/* map_sg returned @mapped_ents (0 or negative: failed) for @nents entries. */
void dmp__debug_map_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
			       int mapped_ents, enum dmp_data_direction dir, unsigned long attrs,
			       const char *file, int line);
bool dmp__debug_unmap_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
				 enum dmp_data_direction dir, unsigned long attrs, const char *file,
				 int line);
/* A coherent (or NO_KERNEL_MAPPING, or non-coherent page) allocation was made / freed. */
void dmp__debug_alloc(struct dmp_device *dev, size_t size, dmp_addr_t dma, void *cpu_addr,
			      unsigned long attrs, const char *file, int line);
bool dmp__debug_free(struct dmp_device *dev, size_t size, void *cpu_addr, dmp_addr_t dma,
			     unsigned long attrs, const char *file, int line);
/* A sync of [dma, dma + size) is about to happen. */
bool dmp__debug_sync_single(struct dmp_device *dev, dmp_addr_t dma, size_t size,
				    enum dmp_data_direction dir, bool for_device, const char *file,
				    int line);
bool dmp__debug_sync_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
				enum dmp_data_direction dir, bool for_device, const char *file,
				int line);

/* The sync for the device of [dma, dma + size) (or of the list) has run:
 * the device owns it now (guard mode protects it from here). */
void dmp__debug_synced_for_device(struct dmp_device *dev, dmp_addr_t dma, size_t size);
void dmp__debug_sg_synced_for_device(struct dmp_device *dev, struct dmp_scatterlist *sg,
				     int nents);

/* @dev was just set up (dmp_device_init): the checker sees every mapping it
 * makes from now on, so an address it does not know is not one of them. */
void dmp__debug_device_init(const struct dmp_device *dev);

/* The device is going away (dmp_device_remove): report what it still holds. */
void dmp__debug_device_remove(struct dmp_device *dev);

#endif /* DMP_DMA_DEBUG_HOOKS_H */
