/* SPDX-License-Identifier: MIT */
/*
 * dmaport/dma-mapping.h - the DMA-mapping API (Linux's <linux/dma-mapping.h>
 * with the dmp_ prefix and Linux's semantics; Documentation/core-api/
 * dma-api.rst and dma-api-howto.rst are the reference).
 *
 * Callers' header.
 *
 * Ownership.  A streaming mapping (dmp_map_single/page/sg) transfers
 * ownership of the buffer to the device: the CPU must not touch it until
 * dmp_sync_*_for_cpu() or the unmap gives it back; dmp_sync_*_for_device()
 * gives it to the device again.  Coherent allocations are shared at all
 * times (ordering them is the driver's job: dmp_dma_wmb()/dmp_dma_rmb()).
 *
 * Call sites.  Every function below is a macro that passes the caller's
 * __FILE__ and __LINE__ to the implementation, so that reports name the line
 * of the driver that made the call.
 *
 * Context.  Nothing here sleeps except allocations with DMP_GFP_KERNEL;
 * mapping, unmapping and syncing may be called from any context.
 *
 * Misuse.  A call dmaport knows to be wrong is reported at the caller's line
 * and refused: it changes nothing, neither the mapping nor the memory around
 * it.  Linux's dma-debug only warns about some of these and the call then
 * runs, unmapping a neighbour's IOVA, freeing or leaking the wrong pages, or
 * invalidating cache lines the CPU owns; dmaport differs on purpose there,
 * because a test must be able to go on after a finding.  What knows a call
 * is wrong:
 *  - the checker (dmp_debug_set_mode()), which records every mapping: an
 *    unmap or free whose size differs from the mapping's; a coherent free of
 *    a streaming mapping, or an unmap of a coherent allocation; a coherent
 *    free with another CPU address; a sync that runs past the mapping; and,
 *    for a device the checker has followed since dmp_device_init(), an unmap
 *    or sync of an address the device never mapped (a double unmap).  A
 *    direction or scatterlist-count mismatch is reported and carried out, as
 *    in Linux (the mapping ends as it began).
 *  - without the checker, what each path records anyway: a coherent free
 *    with the wrong size (the page allocator on the direct path, the IOVA
 *    allocator behind an IOMMU); behind an IOMMU, a sync whose last byte
 *    does not translate to where the mapping's would (it runs past the
 *    IOMMU page the buffer ends in); a bounced mapping's sync or unmap
 *    (the bounce slot knows its size).  Without the checker a wrong-size
 *    streaming unmap, and on the direct path a sync past the buffer, are
 *    carried out as in Linux: nothing records the mapping's size there, and
 *    looking it up on every call would cost the fast path.
 *  - always: arguments (no device, size 0, unknown direction or attributes,
 *    memory that is not DMA-able); a scatterlist call whose @nents is larger
 *    than the list, or with an entry that is not platform memory (Linux
 *    walks past the end mark).
 */
#ifndef DMAPORT_DMA_MAPPING_H
#define DMAPORT_DMA_MAPPING_H

#include <dmaport/types.h>
#include <dmaport/dma-attrs.h>
#include <dmaport/dma-direction.h>
#include <dmaport/device.h>
#include <dmaport/memory.h>

DMP_BEGIN_DECLS

struct dmp_sg_table;
struct dmp_scatterlist;


/** dmp_mapping_error - true if @addr is DMP_MAPPING_ERROR.  Check every mapping. */
#define dmp_mapping_error(dev, addr) dmp__mapping_error((dev), (addr), __FILE__, __LINE__)
DMP_API int dmp__mapping_error(struct dmp_device *dev, dmp_addr_t addr, const char *file, int line);

/* ---- masks -------------------------------------------------------------- */

/**
 * dmp_set_mask - set the streaming DMA mask.
 * Returns 0, or -EIO if the platform cannot satisfy it (the mask reaches
 * none of the memory the platform can allocate for DMA), as Linux's
 * dma_set_mask().  The device keeps its old mask on failure.
 */
DMP_API int dmp_set_mask(struct dmp_device *dev, uint64_t mask);
/** dmp_set_coherent_mask - as dmp_set_mask(), for coherent allocations. */
DMP_API int dmp_set_coherent_mask(struct dmp_device *dev, uint64_t mask);
/** dmp_set_mask_and_coherent - both; neither changes on failure (-EIO). */
DMP_API int dmp_set_mask_and_coherent(struct dmp_device *dev, uint64_t mask);
/** dmp_get_mask - the streaming mask (32 bits if the device has none set). */
DMP_API uint64_t dmp_get_mask(struct dmp_device *dev);
/**
 * dmp_addressing_limited - true if the device cannot reach all memory
 * directly, so that some mappings bounce (Linux's dma_addressing_limited()).
 */
DMP_API bool dmp_addressing_limited(struct dmp_device *dev);
/** dmp_max_mapping_size - the largest streaming mapping (SIZE_MAX: no limit). */
DMP_API size_t dmp_max_mapping_size(struct dmp_device *dev);
/** dmp_opt_mapping_size - the largest mapping that stays on the fast path. */
DMP_API size_t dmp_opt_mapping_size(struct dmp_device *dev);
/**
 * dmp_need_sync - false if dmp_sync_* on @dma_addr would do nothing (a
 * coherent device, not bounced), so a driver may skip the calls.
 */
DMP_API bool dmp_need_sync(struct dmp_device *dev, dmp_addr_t dma_addr);
/** dmp_get_cache_alignment - alignment that keeps DMA buffers on their own lines. */
DMP_API size_t dmp_get_cache_alignment(void);
/** dmp_set_max_seg_size / dmp_set_seg_boundary / dmp_set_min_align_mask: dma_parms. */
DMP_API int dmp_set_max_seg_size(struct dmp_device *dev, unsigned int size);
DMP_API int dmp_set_seg_boundary(struct dmp_device *dev, unsigned long mask);
DMP_API void dmp_set_min_align_mask(struct dmp_device *dev, unsigned int min_align_mask);
DMP_API unsigned int dmp_get_max_seg_size(struct dmp_device *dev);
DMP_API unsigned long dmp_get_seg_boundary(struct dmp_device *dev);

/* ---- coherent and other allocations ------------------------------------ */

/**
 * dmp_alloc_attrs - allocate memory that the CPU and the device share.
 * @size: bytes (rounded up to pages); @dma_handle: receives the bus address;
 * @gfp: DMP_GFP_KERNEL (may block) or DMP_GFP_ATOMIC; @attrs: DMP_ATTR_*.
 *
 * The memory is zeroed, reachable through the coherent mask and bus limit
 * (lower memory is tried when the first try is out of reach), and for a
 * non-coherent device mapped uncached (write-combining with
 * DMP_ATTR_WRITE_COMBINE).  Returns the CPU address, the cookie for
 * DMP_ATTR_NO_KERNEL_MAPPING, or NULL (reported unless NO_WARN).
 */
#define dmp_alloc_attrs(dev, size, dma_handle, gfp, attrs)                                    \
	dmp__alloc_attrs((dev), (size), (dma_handle), (gfp), (attrs), __FILE__, __LINE__)
#define dmp_alloc_coherent(dev, size, dma_handle, gfp)                                        \
	dmp__alloc_attrs((dev), (size), (dma_handle), (gfp), 0, __FILE__, __LINE__)
#define dmp_alloc_wc(dev, size, dma_handle, gfp)                                              \
	dmp__alloc_attrs((dev), (size), (dma_handle), (gfp), DMP_ATTR_WRITE_COMBINE, __FILE__, \
			 __LINE__)
/** dmp_free_attrs - free; @cpu_addr, @dma_handle, @size and @attrs as allocated. */
#define dmp_free_attrs(dev, size, cpu_addr, dma_handle, attrs)                                \
	dmp__free_attrs((dev), (size), (cpu_addr), (dma_handle), (attrs), __FILE__, __LINE__)
#define dmp_free_coherent(dev, size, cpu_addr, dma_handle)                                    \
	dmp__free_attrs((dev), (size), (cpu_addr), (dma_handle), 0, __FILE__, __LINE__)
#define dmp_free_wc(dev, size, cpu_addr, dma_handle)                                          \
	dmp__free_attrs((dev), (size), (cpu_addr), (dma_handle), DMP_ATTR_WRITE_COMBINE,       \
			__FILE__, __LINE__)

/**
 * dmp_alloc_noncoherent - cacheable memory the device can reach, owned by
 * the device after allocation like a streaming mapping in direction @dir:
 * the driver moves ownership with dmp_sync_single_for_cpu/_for_device.
 */
#define dmp_alloc_noncoherent(dev, size, dma_handle, dir, gfp)                                \
	dmp__alloc_noncoherent((dev), (size), (dma_handle), (dir), (gfp), __FILE__, __LINE__)
#define dmp_free_noncoherent(dev, size, vaddr, dma_handle, dir)                               \
	dmp__free_noncoherent((dev), (size), (vaddr), (dma_handle), (dir), __FILE__, __LINE__)
/** dmp_alloc_pages - as dmp_alloc_noncoherent(), returning the first page. */
#define dmp_alloc_pages(dev, size, dma_handle, dir, gfp)                                      \
	dmp__alloc_pages((dev), (size), (dma_handle), (dir), (gfp), __FILE__, __LINE__)
#define dmp_free_pages(dev, size, page, dma_handle, dir)                                      \
	dmp__free_pages((dev), (size), (page), (dma_handle), (dir), __FILE__, __LINE__)

/**
 * struct dmp_user_mapping - a mapping of DMA memory into a user address
 * space (Linux's vm_area_struct, reduced to what dmp_mmap_attrs needs).
 * In: @pgoff (offset into the buffer, in pages), @size (bytes to map).
 * Out: @addr (the mapping in this process), @fd and @offset (the same bytes
 * for another process: mmap(@fd, @offset), MAP_SHARED), filled by
 * dmp_mmap_attrs().  Undo with dmp_munmap().
 */
struct dmp_user_mapping {
	size_t pgoff;
	size_t size;
	void *addr;
	int fd;
	uint64_t offset;
};

/**
 * dmp_mmap_attrs - map a coherent allocation (or an NO_KERNEL_MAPPING
 * cookie) into user space.  Returns 0, -ENXIO (the range exceeds the
 * buffer: a misuse, reported), -EINVAL, -EOPNOTSUPP (the platform cannot map
 * to user space), or the platform's failure (reported, not a misuse):
 * -ENOMEM, -EFAULT (it has no memory it can map there; a platform's own
 * -ENXIO is returned as this, so that -ENXIO always means the range).
 */
#define dmp_mmap_attrs(dev, um, cpu_addr, dma_addr, size, attrs)                              \
	dmp__mmap_attrs((dev), (um), (cpu_addr), (dma_addr), (size), (attrs), __FILE__, __LINE__)
#define dmp_mmap_coherent(dev, um, cpu_addr, dma_addr, size)                                  \
	dmp__mmap_attrs((dev), (um), (cpu_addr), (dma_addr), (size), 0, __FILE__, __LINE__)
#define dmp_mmap_wc(dev, um, cpu_addr, dma_addr, size)                                        \
	dmp__mmap_attrs((dev), (um), (cpu_addr), (dma_addr), (size), DMP_ATTR_WRITE_COMBINE,   \
			__FILE__, __LINE__)
/** dmp_munmap - undo dmp_mmap_attrs() in this process. */
DMP_API void dmp_munmap(struct dmp_user_mapping *um);

/**
 * dmp_get_sgtable_attrs - describe a coherent allocation as a scatterlist
 * table (one entry: direct allocations are contiguous).  The caller frees
 * it with dmp_sg_free_table().  Returns 0, -ENOMEM, -EINVAL.
 */
#define dmp_get_sgtable_attrs(dev, sgt, cpu_addr, dma_addr, size, attrs)                      \
	dmp__get_sgtable_attrs((dev), (sgt), (cpu_addr), (dma_addr), (size), (attrs), __FILE__, \
			       __LINE__)
#define dmp_get_sgtable(dev, sgt, cpu_addr, dma_addr, size)                                   \
	dmp__get_sgtable_attrs((dev), (sgt), (cpu_addr), (dma_addr), (size), 0, __FILE__, __LINE__)

/* ---- streaming mappings ------------------------------------------------- */

/**
 * dmp_map_single_attrs - map @size bytes at @ptr (platform memory: never the
 * C stack or libc's heap) for DMA in direction @dir.  Ownership of the
 * buffer is transferred to the device.  Cache maintenance (non-coherent
 * device) and bouncing (a device that cannot reach the buffer) happen here.
 * Returns the bus address or DMP_MAPPING_ERROR (reported unless NO_WARN):
 * test it with dmp_mapping_error().
 */
#define dmp_map_single_attrs(dev, ptr, size, dir, attrs)                                      \
	dmp__map_single_attrs((dev), (ptr), (size), (dir), (attrs), __FILE__, __LINE__)
#define dmp_map_single(dev, ptr, size, dir)                                                   \
	dmp__map_single_attrs((dev), (ptr), (size), (dir), 0, __FILE__, __LINE__)
/** dmp_unmap_single_attrs - end the mapping; ownership returns to the CPU. */
#define dmp_unmap_single_attrs(dev, addr, size, dir, attrs)                                   \
	dmp__unmap_attrs((dev), (addr), (size), (dir), (attrs), DMP_MAP_SINGLE, __FILE__, __LINE__)
#define dmp_unmap_single(dev, addr, size, dir)                                                \
	dmp__unmap_attrs((dev), (addr), (size), (dir), 0, DMP_MAP_SINGLE, __FILE__, __LINE__)

/** dmp_map_page_attrs - as map_single, for @size bytes at @offset in @page. */
#define dmp_map_page_attrs(dev, page, offset, size, dir, attrs)                               \
	dmp__map_page_attrs((dev), (page), (offset), (size), (dir), (attrs), __FILE__, __LINE__)
#define dmp_map_page(dev, page, offset, size, dir)                                            \
	dmp__map_page_attrs((dev), (page), (offset), (size), (dir), 0, __FILE__, __LINE__)
#define dmp_unmap_page_attrs(dev, addr, size, dir, attrs)                                     \
	dmp__unmap_attrs((dev), (addr), (size), (dir), (attrs), DMP_MAP_PAGE, __FILE__, __LINE__)
#define dmp_unmap_page(dev, addr, size, dir)                                                  \
	dmp__unmap_attrs((dev), (addr), (size), (dir), 0, DMP_MAP_PAGE, __FILE__, __LINE__)

/**
 * dmp_map_sg_attrs - map a scatterlist of @nents entries.  Returns the
 * number of DMA segments (possibly fewer than @nents where segments were
 * merged, behind an IOMMU), or 0 on failure with nothing left mapped, as
 * Linux's dma_map_sg_attrs().  Unmap with the same @nents, not the result.
 */
#define dmp_map_sg_attrs(dev, sg, nents, dir, attrs)                                          \
	dmp__map_sg_attrs((dev), (sg), (nents), (dir), (attrs), __FILE__, __LINE__)
#define dmp_map_sg(dev, sg, nents, dir)                                                       \
	dmp__map_sg_attrs((dev), (sg), (nents), (dir), 0, __FILE__, __LINE__)
#define dmp_unmap_sg_attrs(dev, sg, nents, dir, attrs)                                        \
	dmp__unmap_sg_attrs((dev), (sg), (nents), (dir), (attrs), __FILE__, __LINE__)
#define dmp_unmap_sg(dev, sg, nents, dir)                                                     \
	dmp__unmap_sg_attrs((dev), (sg), (nents), (dir), 0, __FILE__, __LINE__)
/**
 * dmp_map_sgtable - map @sgt->orig_nents entries, setting @sgt->nents.
 * Returns 0, or -EINVAL (bad arguments), -ENOMEM (out of bounce or IOVA
 * space), -EIO (unreachable memory), as Linux's dma_map_sgtable().
 */
#define dmp_map_sgtable(dev, sgt, dir, attrs)                                                 \
	dmp__map_sgtable((dev), (sgt), (dir), (attrs), __FILE__, __LINE__)
#define dmp_unmap_sgtable(dev, sgt, dir, attrs)                                               \
	dmp__unmap_sg_attrs((dev), (sgt)->sgl, (sgt)->orig_nents, (dir), (attrs), __FILE__,    \
			    __LINE__)

/**
 * dmp_map_resource - map MMIO (another device's registers) at @phys for
 * peer DMA: no cache maintenance, no bouncing.
 */
#define dmp_map_resource(dev, phys, size, dir, attrs)                                         \
	dmp__map_resource((dev), (phys), (size), (dir), (attrs), __FILE__, __LINE__)
#define dmp_unmap_resource(dev, addr, size, dir, attrs)                                       \
	dmp__unmap_attrs((dev), (addr), (size), (dir), (attrs), DMP_MAP_RESOURCE, __FILE__,    \
			 __LINE__)

/* ---- sync --------------------------------------------------------------- */

/**
 * dmp_sync_single_for_cpu - give the CPU the buffer (or the part
 * [addr, addr + size) of it) after the device's access: invalidates caches,
 * copies a bounce buffer back.  dmp_sync_single_for_device gives it back to
 * the device.  @dir: the mapping's direction.
 */
#define dmp_sync_single_for_cpu(dev, addr, size, dir)                                         \
	dmp__sync_single((dev), (addr), 0, (size), (dir), false, __FILE__, __LINE__)
#define dmp_sync_single_for_device(dev, addr, size, dir)                                      \
	dmp__sync_single((dev), (addr), 0, (size), (dir), true, __FILE__, __LINE__)
#define dmp_sync_single_range_for_cpu(dev, addr, offset, size, dir)                           \
	dmp__sync_single((dev), (addr), (offset), (size), (dir), false, __FILE__, __LINE__)
#define dmp_sync_single_range_for_device(dev, addr, offset, size, dir)                        \
	dmp__sync_single((dev), (addr), (offset), (size), (dir), true, __FILE__, __LINE__)
#define dmp_sync_sg_for_cpu(dev, sg, nents, dir)                                              \
	dmp__sync_sg((dev), (sg), (nents), (dir), false, __FILE__, __LINE__)
#define dmp_sync_sg_for_device(dev, sg, nents, dir)                                           \
	dmp__sync_sg((dev), (sg), (nents), (dir), true, __FILE__, __LINE__)
#define dmp_sync_sgtable_for_cpu(dev, sgt, dir)                                               \
	dmp__sync_sg((dev), (sgt)->sgl, (sgt)->orig_nents, (dir), false, __FILE__, __LINE__)
#define dmp_sync_sgtable_for_device(dev, sgt, dir)                                            \
	dmp__sync_sg((dev), (sgt)->sgl, (sgt)->orig_nents, (dir), true, __FILE__, __LINE__)

/* ---- the functions behind the macros ------------------------------------ */

/** What kind of mapping an unmap ends (the checker compares it with the map). */
enum dmp_map_type {
	DMP_MAP_SINGLE,
	DMP_MAP_PAGE,
	DMP_MAP_SG,
	DMP_MAP_RESOURCE,
	DMP_MAP_COHERENT,
};

DMP_API void *dmp__alloc_attrs(struct dmp_device *dev, size_t size, dmp_addr_t *dma_handle,
			       dmp_gfp_t gfp, unsigned long attrs, const char *file, int line);
DMP_API void dmp__free_attrs(struct dmp_device *dev, size_t size, void *cpu_addr,
			     dmp_addr_t dma_handle, unsigned long attrs, const char *file, int line);
DMP_API void *dmp__alloc_noncoherent(struct dmp_device *dev, size_t size, dmp_addr_t *dma_handle,
				     enum dmp_data_direction dir, dmp_gfp_t gfp, const char *file,
				     int line);
DMP_API void dmp__free_noncoherent(struct dmp_device *dev, size_t size, void *vaddr,
				   dmp_addr_t dma_handle, enum dmp_data_direction dir,
				   const char *file, int line);
DMP_API struct dmp_page *dmp__alloc_pages(struct dmp_device *dev, size_t size,
					  dmp_addr_t *dma_handle, enum dmp_data_direction dir,
					  dmp_gfp_t gfp, const char *file, int line);
DMP_API void dmp__free_pages(struct dmp_device *dev, size_t size, struct dmp_page *page,
			     dmp_addr_t dma_handle, enum dmp_data_direction dir, const char *file,
			     int line);
DMP_API int dmp__mmap_attrs(struct dmp_device *dev, struct dmp_user_mapping *um, void *cpu_addr,
			    dmp_addr_t dma_addr, size_t size, unsigned long attrs, const char *file,
			    int line);
DMP_API int dmp__get_sgtable_attrs(struct dmp_device *dev, struct dmp_sg_table *sgt,
				   void *cpu_addr, dmp_addr_t dma_addr, size_t size,
				   unsigned long attrs, const char *file, int line);
DMP_API dmp_addr_t dmp__map_single_attrs(struct dmp_device *dev, const void *ptr, size_t size,
					 enum dmp_data_direction dir, unsigned long attrs,
					 const char *file, int line);
DMP_API dmp_addr_t dmp__map_page_attrs(struct dmp_device *dev, struct dmp_page *page,
				       size_t offset, size_t size, enum dmp_data_direction dir,
				       unsigned long attrs, const char *file, int line);
DMP_API void dmp__unmap_attrs(struct dmp_device *dev, dmp_addr_t addr, size_t size,
			      enum dmp_data_direction dir, unsigned long attrs,
			      enum dmp_map_type type, const char *file, int line);
DMP_API int dmp__map_sg_attrs(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
			      enum dmp_data_direction dir, unsigned long attrs, const char *file,
			      int line);
DMP_API int dmp__map_sgtable(struct dmp_device *dev, struct dmp_sg_table *sgt,
			     enum dmp_data_direction dir, unsigned long attrs, const char *file,
			     int line);
DMP_API void dmp__unmap_sg_attrs(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
				 enum dmp_data_direction dir, unsigned long attrs, const char *file,
				 int line);
DMP_API dmp_addr_t dmp__map_resource(struct dmp_device *dev, dmp_phys_t phys, size_t size,
				     enum dmp_data_direction dir, unsigned long attrs,
				     const char *file, int line);
DMP_API void dmp__sync_single(struct dmp_device *dev, dmp_addr_t addr, size_t offset, size_t size,
			      enum dmp_data_direction dir, bool for_device, const char *file,
			      int line);
DMP_API void dmp__sync_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
			  enum dmp_data_direction dir, bool for_device, const char *file, int line);

DMP_END_DECLS

#endif /* DMAPORT_DMA_MAPPING_H */
