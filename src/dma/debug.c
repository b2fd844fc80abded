/* SPDX-License-Identifier: MIT */
/* debug.c - the DMA-API checker: placeholder hooks until the checker lands (issue 6). */
#include "debug-hooks.h"
_Atomic int dmp__debug_active;
void dmp__debug_map(struct dmp_device *dev, const void *cpu_addr, dmp_phys_t phys, size_t size, enum dmp_data_direction dir, dmp_addr_t dma, enum dmp_map_type type, unsigned long attrs, const char *file, int line) {}
void dmp__debug_map_refused(struct dmp_device *dev, const void *cpu_addr, size_t size, enum dmp_data_direction dir, const char *why, const char *file, int line) {}
void dmp__debug_mapping_error(struct dmp_device *dev, dmp_addr_t dma, const char *file, int line) {}
void dmp__debug_unmap(struct dmp_device *dev, dmp_addr_t dma, size_t size, enum dmp_data_direction dir, enum dmp_map_type type, unsigned long attrs, const char *file, int line) {}
void dmp__debug_map_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents, int mapped_ents, enum dmp_data_direction dir, unsigned long attrs, const char *file, int line) {}
void dmp__debug_unmap_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents, enum dmp_data_direction dir, unsigned long attrs, const char *file, int line) {}
void dmp__debug_alloc(struct dmp_device *dev, size_t size, dmp_addr_t dma, void *cpu_addr, unsigned long attrs, const char *file, int line) {}
void dmp__debug_free(struct dmp_device *dev, size_t size, void *cpu_addr, dmp_addr_t dma, unsigned long attrs, const char *file, int line) {}
void dmp__debug_sync_single(struct dmp_device *dev, dmp_addr_t dma, size_t size, enum dmp_data_direction dir, bool for_device, const char *file, int line) {}
void dmp__debug_sync_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents, enum dmp_data_direction dir, bool for_device, const char *file, int line) {}
void dmp__debug_device_remove(struct dmp_device *dev) {}
