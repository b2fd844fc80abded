/* SPDX-License-Identifier: MIT */
/*
 * <linux/dma-mapping.h> for dmaport's Linux-compat layer: Linux's DMA API
 * names for every DMA-API call dmaport implements (dmaport/dma-mapping.h
 * documents each: ownership, context, errors).
 *
 * Call sites.  Each mapping, allocation and sync call below is a macro that
 * expands to the native dmp_ macro, so dmaport's reports (misuse, failures)
 * name the file and line of the driver's call, as Linux's DMA-API debugging
 * does.  The mask and parameter calls are inline functions.
 *
 * Differences from Linux, all deliberate:
 *   dma_mapping_error()      returns -ENOMEM or 0, as Linux's.
 *   dma_map_sg*()            returns the number of DMA segments, 0 on failure.
 *   dma_mmap_*()             take the reduced struct vm_area_struct of
 *                            <linux/mm_types.h> (the platform places the mapping).
 *   dma_get_cache_alignment() returns int, as Linux's.
 *   dma_set_max_seg_size()   is void and WARNs on failure, as Linux 6.12+.
 * Calls dmaport does not implement are absent: see compat/README.md.
 */
#ifndef DMP_COMPAT_LINUX_DMA_MAPPING_H
#define DMP_COMPAT_LINUX_DMA_MAPPING_H

#include <dmaport/coherent.h>
#include <dmaport/dma-mapping.h>

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/scatterlist.h>
#include <linux/mm.h>
#include <linux/io.h>

/*
 * The attributes.  From Linux 4.8, DMA_ATTR_* are unsigned long bits (the
 * same values as Linux's and dmaport's) and the _attrs calls take their OR;
 * before, they were indices into a struct dma_attrs, which the _attrs calls
 * took by pointer (<linux/dma-attrs.h>).  DMP__LX_ATTRS(a) is dmaport's bits
 * for what a driver passed, in either form.
 */
#if DMP_LINUX_VERSION < KERNEL_VERSION(4, 8, 0)
#include <linux/dma-attrs.h>
#define DMP__LX_ATTRS(attrs) dmp__lx_attrs(attrs)
#else
#define DMP__LX_ATTRS(attrs) (attrs)
#define DMA_ATTR_WEAK_ORDERING DMP_ATTR_WEAK_ORDERING
#define DMA_ATTR_WRITE_COMBINE DMP_ATTR_WRITE_COMBINE
#define DMA_ATTR_NO_KERNEL_MAPPING DMP_ATTR_NO_KERNEL_MAPPING
#define DMA_ATTR_SKIP_CPU_SYNC DMP_ATTR_SKIP_CPU_SYNC
#define DMA_ATTR_FORCE_CONTIGUOUS DMP_ATTR_FORCE_CONTIGUOUS
#define DMA_ATTR_ALLOC_SINGLE_PAGES DMP_ATTR_ALLOC_SINGLE_PAGES
#define DMA_ATTR_NO_WARN DMP_ATTR_NO_WARN
#define DMA_ATTR_PRIVILEGED DMP_ATTR_PRIVILEGED
#define DMA_ATTR_MMIO DMP_ATTR_MMIO
#define DMA_ATTR_DEBUGGING_IGNORE_CACHELINES DMP_ATTR_DEBUGGING_IGNORE_CACHELINES
#define DMA_ATTR_REQUIRE_COHERENT DMP_ATTR_REQUIRE_COHERENT
#endif

#define DMA_MAPPING_ERROR DMP_MAPPING_ERROR
#define DMA_BIT_MASK(n) DMP_BIT_MASK(n)

/*
 * Fields for what an unmap will need, in a driver's per-buffer state
 * (Linux keeps them whether or not the platform needs them, when
 * CONFIG_NEED_DMA_MAP_STATE; dmaport always needs them).
 */
#define DEFINE_DMA_UNMAP_ADDR(ADDR_NAME) dma_addr_t ADDR_NAME
#define DEFINE_DMA_UNMAP_LEN(LEN_NAME) __u32 LEN_NAME
#define dma_unmap_addr(PTR, ADDR_NAME) ((PTR)->ADDR_NAME)
#define dma_unmap_addr_set(PTR, ADDR_NAME, VAL) (((PTR)->ADDR_NAME) = (VAL))
#define dma_unmap_len(PTR, LEN_NAME) ((PTR)->LEN_NAME)
#define dma_unmap_len_set(PTR, LEN_NAME, VAL) (((PTR)->LEN_NAME) = (VAL))

/** dma_mapping_error - -ENOMEM if @dma_addr is DMA_MAPPING_ERROR, else 0. */
#define dma_mapping_error(dev, dma_addr)                                                  \
	(dmp_mapping_error(dmp__lx_dev(dev), (dma_addr)) ? -ENOMEM : 0)

/* ---- streaming mappings ------------------------------------------------ */

#define dma_map_single_attrs(dev, ptr, size, dir, attrs)                                  \
	dmp_map_single_attrs(dmp__lx_dev(dev), (ptr), (size), (dir), DMP__LX_ATTRS(attrs))
#define dma_map_single(dev, ptr, size, dir)                                               \
	dmp_map_single(dmp__lx_dev(dev), (ptr), (size), (dir))
#define dma_unmap_single_attrs(dev, addr, size, dir, attrs)                               \
	dmp_unmap_single_attrs(dmp__lx_dev(dev), (addr), (size), (dir), DMP__LX_ATTRS(attrs))
#define dma_unmap_single(dev, addr, size, dir)                                            \
	dmp_unmap_single(dmp__lx_dev(dev), (addr), (size), (dir))

#define dma_map_page_attrs(dev, page, offset, size, dir, attrs)                           \
	dmp_map_page_attrs(dmp__lx_dev(dev), dmp__lx_dmp_page(page), (offset), (size), (dir), \
			   DMP__LX_ATTRS(attrs))
#define dma_map_page(dev, page, offset, size, dir)                                        \
	dmp_map_page(dmp__lx_dev(dev), dmp__lx_dmp_page(page), (offset), (size), (dir))
#define dma_unmap_page_attrs(dev, addr, size, dir, attrs)                                 \
	dmp_unmap_page_attrs(dmp__lx_dev(dev), (addr), (size), (dir), DMP__LX_ATTRS(attrs))
#define dma_unmap_page(dev, addr, size, dir)                                              \
	dmp_unmap_page(dmp__lx_dev(dev), (addr), (size), (dir))

/* dma_map_sg*: the number of DMA segments, 0 on failure (nothing left mapped). */
#define dma_map_sg_attrs(dev, sg, nents, dir, attrs)                                      \
	((unsigned int)dmp_map_sg_attrs(dmp__lx_dev(dev), (sg), (nents), (dir), DMP__LX_ATTRS(attrs)))
#define dma_map_sg(dev, sg, nents, dir)                                                   \
	((unsigned int)dmp_map_sg(dmp__lx_dev(dev), (sg), (nents), (dir)))
/* Unmap with the nents passed to dma_map_sg, not its result. */
#define dma_unmap_sg_attrs(dev, sg, nents, dir, attrs)                                    \
	dmp_unmap_sg_attrs(dmp__lx_dev(dev), (sg), (nents), (dir), DMP__LX_ATTRS(attrs))
#define dma_unmap_sg(dev, sg, nents, dir)                                                 \
	dmp_unmap_sg(dmp__lx_dev(dev), (sg), (nents), (dir))
/* dma_map_sgtable: 0, -EINVAL, -ENOMEM or -EIO; sets sgt->nents. */
#define dma_map_sgtable(dev, sgt, dir, attrs)                                             \
	dmp_map_sgtable(dmp__lx_dev(dev), (sgt), (dir), (attrs))
#define dma_unmap_sgtable(dev, sgt, dir, attrs)                                           \
	dmp_unmap_sgtable(dmp__lx_dev(dev), (sgt), (dir), (attrs))

#define dma_map_resource(dev, phys_addr, size, dir, attrs)                                \
	dmp_map_resource(dmp__lx_dev(dev), (phys_addr), (size), (dir), (attrs))
#define dma_unmap_resource(dev, addr, size, dir, attrs)                                   \
	dmp_unmap_resource(dmp__lx_dev(dev), (addr), (size), (dir), (attrs))

/* ---- sync ----------------------------------------------------------------- */

#define dma_sync_single_for_cpu(dev, addr, size, dir)                                     \
	dmp_sync_single_for_cpu(dmp__lx_dev(dev), (addr), (size), (dir))
#define dma_sync_single_for_device(dev, addr, size, dir)                                  \
	dmp_sync_single_for_device(dmp__lx_dev(dev), (addr), (size), (dir))
#define dma_sync_single_range_for_cpu(dev, addr, offset, size, dir)                       \
	dmp_sync_single_range_for_cpu(dmp__lx_dev(dev), (addr), (offset), (size), (dir))
#define dma_sync_single_range_for_device(dev, addr, offset, size, dir)                    \
	dmp_sync_single_range_for_device(dmp__lx_dev(dev), (addr), (offset), (size), (dir))
#define dma_sync_sg_for_cpu(dev, sg, nelems, dir)                                         \
	dmp_sync_sg_for_cpu(dmp__lx_dev(dev), (sg), (nelems), (dir))
#define dma_sync_sg_for_device(dev, sg, nelems, dir)                                      \
	dmp_sync_sg_for_device(dmp__lx_dev(dev), (sg), (nelems), (dir))
#define dma_sync_sgtable_for_cpu(dev, sgt, dir)                                           \
	dmp_sync_sgtable_for_cpu(dmp__lx_dev(dev), (sgt), (dir))
#define dma_sync_sgtable_for_device(dev, sgt, dir)                                        \
	dmp_sync_sgtable_for_device(dmp__lx_dev(dev), (sgt), (dir))

/* ---- allocations ---------------------------------------------------------- */

#define dma_alloc_attrs(dev, size, dma_handle, gfp, attrs)                                \
	dmp_alloc_attrs(dmp__lx_dev(dev), (size), (dma_handle), (gfp), DMP__LX_ATTRS(attrs))
#define dma_free_attrs(dev, size, cpu_addr, dma_handle, attrs)                            \
	dmp_free_attrs(dmp__lx_dev(dev), (size), (cpu_addr), (dma_handle), DMP__LX_ATTRS(attrs))
#define dma_alloc_coherent(dev, size, dma_handle, gfp)                                    \
	dmp_alloc_coherent(dmp__lx_dev(dev), (size), (dma_handle), (gfp))
#define dma_free_coherent(dev, size, cpu_addr, dma_handle)                                \
	dmp_free_coherent(dmp__lx_dev(dev), (size), (cpu_addr), (dma_handle))
#define dma_alloc_wc(dev, size, dma_handle, gfp)                                          \
	dmp_alloc_wc(dmp__lx_dev(dev), (size), (dma_handle), (gfp))
#define dma_free_wc(dev, size, cpu_addr, dma_handle)                                      \
	dmp_free_wc(dmp__lx_dev(dev), (size), (cpu_addr), (dma_handle))
#if DMP_LINUX_VERSION >= KERNEL_VERSION(5, 10, 0)
#define dma_alloc_noncoherent(dev, size, dma_handle, dir, gfp)                            \
	dmp_alloc_noncoherent(dmp__lx_dev(dev), (size), (dma_handle), (dir), (gfp))
#define dma_free_noncoherent(dev, size, vaddr, dma_handle, dir)                           \
	dmp_free_noncoherent(dmp__lx_dev(dev), (size), (vaddr), (dma_handle), (dir))
#else
/*
 * Before 5.10: no direction, and memory that "may" be non-coherent, kept in
 * step with dma_cache_sync().  ARM and arm64 Linux returned coherent memory
 * (dma_alloc_attrs with DMA_ATTR_NON_CONSISTENT, ignored there), and so does
 * the compat layer: dma_cache_sync() has nothing to do.
 */
#define dma_alloc_noncoherent(dev, size, dma_handle, gfp)                                 \
	dmp_alloc_coherent(dmp__lx_dev(dev), (size), (dma_handle), (gfp))
#define dma_free_noncoherent(dev, size, vaddr, dma_handle)                                \
	dmp_free_coherent(dmp__lx_dev(dev), (size), (vaddr), (dma_handle))
/** dma_cache_sync - nothing to do: "non-consistent" memory is coherent here (see above). */
static inline void dma_cache_sync(struct device *dev, void *vaddr, size_t size,
				  enum dma_data_direction dir)
{
	(void)dev;
	(void)vaddr;
	(void)size;
	(void)dir;
}
#endif
#define dma_alloc_pages(dev, size, dma_handle, dir, gfp)                                  \
	dmp__lx_page_of(dmp_alloc_pages(dmp__lx_dev(dev), (size), (dma_handle), (dir), (gfp)))
#define dma_free_pages(dev, size, page, dma_handle, dir)                                  \
	dmp_free_pages(dmp__lx_dev(dev), (size), dmp__lx_dmp_page(page), (dma_handle), (dir))

/*
 * Managed allocations (devres): freed when the driver unbinds, after its
 * remove, in reverse order with the device's other devres (Linux's
 * dmam_alloc_coherent / dmam_alloc_attrs / dmam_free_coherent).  The
 * device must be the driver core's (see <linux/device.h>).
 */
void *dmp_lx_dmam_alloc_attrs(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp,
			      unsigned long attrs, const char *file, int line);
void dmp_lx_dmam_free_attrs(struct device *dev, size_t size, void *vaddr, dma_addr_t dma_handle,
			    unsigned long attrs, const char *file, int line);
#define dmam_alloc_attrs(dev, size, dma_handle, gfp, attrs)                               \
	dmp_lx_dmam_alloc_attrs((dev), (size), (dma_handle), (gfp), (attrs), __FILE__, __LINE__)
#define dmam_alloc_coherent(dev, size, dma_handle, gfp)                                   \
	dmp_lx_dmam_alloc_attrs((dev), (size), (dma_handle), (gfp), 0, __FILE__, __LINE__)
#define dmam_free_coherent(dev, size, vaddr, dma_handle)                                  \
	dmp_lx_dmam_free_attrs((dev), (size), (vaddr), (dma_handle), 0, __FILE__, __LINE__)
#define dmam_alloc_wc(dev, size, dma_handle, gfp)                                         \
	dmp_lx_dmam_alloc_attrs((dev), (size), (dma_handle), (gfp), DMA_ATTR_WRITE_COMBINE, \
				__FILE__, __LINE__)

/* ---- mmap and sg_table of allocations ------------------------------------- */

/* dmp__lx_vma_in - the native request of @vma (see <linux/mm_types.h>). */
static inline struct dmp_user_mapping *dmp__lx_vma_in(struct vm_area_struct *vma)
{
	vma->dmp.pgoff = vma->vm_pgoff;
	vma->dmp.size = vma->vm_end - vma->vm_start;
	return &vma->dmp;
}

/* dmp__lx_vma_out - on success, where the platform placed the mapping. */
static inline int dmp__lx_vma_out(struct vm_area_struct *vma, int err)
{
	if (err == 0) {
		vma->vm_start = (unsigned long)(uintptr_t)vma->dmp.addr;
		vma->vm_end = vma->vm_start + vma->dmp.size;
	}
	return err;
}

/* dma_mmap_*: 0, -ENXIO (beyond the buffer), -EINVAL, -EOPNOTSUPP. */
#define dma_mmap_attrs(dev, vma, cpu_addr, dma_addr, size, attrs)                         \
	dmp__lx_vma_out((vma), dmp_mmap_attrs(dmp__lx_dev(dev), dmp__lx_vma_in(vma),       \
					      (cpu_addr), (dma_addr), (size), DMP__LX_ATTRS(attrs)))
#define dma_mmap_coherent(dev, vma, cpu_addr, dma_addr, size)                             \
	dmp__lx_vma_out((vma), dmp_mmap_coherent(dmp__lx_dev(dev), dmp__lx_vma_in(vma),    \
						 (cpu_addr), (dma_addr), (size)))
#define dma_mmap_wc(dev, vma, cpu_addr, dma_addr, size)                                   \
	dmp__lx_vma_out((vma), dmp_mmap_wc(dmp__lx_dev(dev), dmp__lx_vma_in(vma), (cpu_addr), \
					   (dma_addr), (size)))

/* dma_get_sgtable*: 0, -ENOMEM, -EINVAL; free the table with sg_free_table(). */
#define dma_get_sgtable_attrs(dev, sgt, cpu_addr, dma_addr, size, attrs)                  \
	dmp_get_sgtable_attrs(dmp__lx_dev(dev), (sgt), (cpu_addr), (dma_addr), (size), DMP__LX_ATTRS(attrs))
#define dma_get_sgtable(dev, sgt, cpu_addr, dma_addr, size)                               \
	dmp_get_sgtable(dmp__lx_dev(dev), (sgt), (cpu_addr), (dma_addr), (size))

/* ---- masks and parameters ------------------------------------------------- */

/** dma_set_mask - 0, or -EIO (no dma_mask, or the platform cannot satisfy @mask). */
static inline int dma_set_mask(struct device *dev, u64 mask)
{
	return dmp_set_mask(dmp__lx_dev(dev), mask);
}

static inline int dma_set_coherent_mask(struct device *dev, u64 mask)
{
	return dmp_set_coherent_mask(dmp__lx_dev(dev), mask);
}

static inline int dma_set_mask_and_coherent(struct device *dev, u64 mask)
{
	return dmp_set_mask_and_coherent(dmp__lx_dev(dev), mask);
}

static inline u64 dma_get_mask(struct device *dev)
{
	return dmp_get_mask(dmp__lx_dev(dev));
}

static inline bool dma_addressing_limited(struct device *dev)
{
	return dmp_addressing_limited(dmp__lx_dev(dev));
}

static inline size_t dma_max_mapping_size(struct device *dev)
{
	return dmp_max_mapping_size(dmp__lx_dev(dev));
}

static inline size_t dma_opt_mapping_size(struct device *dev)
{
	return dmp_opt_mapping_size(dmp__lx_dev(dev));
}

static inline bool dma_need_sync(struct device *dev, dma_addr_t dma_addr)
{
	return dmp_need_sync(dmp__lx_dev(dev), dma_addr);
}

static inline int dma_get_cache_alignment(void)
{
	return (int)dmp_get_cache_alignment();
}

/** dma_set_max_seg_size - void, WARNing at the caller's line on failure (Linux 6.12+). */
#define dma_set_max_seg_size(dev, size)                                                   \
	dmp__lx_set_max_seg_size((dev), (size), __FILE__, __LINE__)
static inline void dmp__lx_set_max_seg_size(struct device *dev, unsigned int size,
					    const char *file, int line)
{
	if (dmp_set_max_seg_size(dmp__lx_dev(dev), size) != 0)
		dmp__lx_warn(file, line, "dma_set_max_seg_size(%s, %u) failed",
			     dev ? dev_name(dev) : "NULL", size);
}

/** dma_set_seg_boundary - 0, or a negative errno from dmaport (-EINVAL). */
static inline int dma_set_seg_boundary(struct device *dev, unsigned long mask)
{
	return dmp_set_seg_boundary(dmp__lx_dev(dev), mask);
}

static inline void dma_set_min_align_mask(struct device *dev, unsigned int min_align_mask)
{
	dmp_set_min_align_mask(dmp__lx_dev(dev), min_align_mask);
}

static inline unsigned int dma_get_max_seg_size(struct device *dev)
{
	return dmp_get_max_seg_size(dmp__lx_dev(dev));
}

static inline unsigned long dma_get_seg_boundary(struct device *dev)
{
	return dmp_get_seg_boundary(dmp__lx_dev(dev));
}

/* ---- the API of earlier Linux versions -------------------------------------- */

#if DMP_LINUX_VERSION < KERNEL_VERSION(5, 0, 0)
/* The write-combining calls' names before Linux 4.5 renamed them _wc (kept until 5.0). */
#define dma_alloc_writecombine(dev, size, dma_handle, gfp)                                \
	dma_alloc_wc(dev, size, dma_handle, gfp)
#define dma_free_writecombine(dev, size, cpu_addr, dma_handle)                            \
	dma_free_wc(dev, size, cpu_addr, dma_handle)
#define dma_mmap_writecombine(dev, vma, cpu_addr, dma_addr, size)                         \
	dma_mmap_wc(dev, vma, cpu_addr, dma_addr, size)
#endif

/*
 * Declared coherent memory (kernel/dma/coherent.c, drivers/base/
 * dma-coherent.c before 4.19): a region of memory that @dev's coherent
 * allocations are served from.  dmaport's rules apply (<dmaport/coherent.h>):
 * the region is platform memory the caller set aside (a reserved-memory node
 * of the device tree, say), made uncached for a non-coherent device.
 *
 * Before Linux 5.1 the call took flags:
 *   DMA_MEMORY_MAP       the region is memory, mapped for the CPU;
 *   DMA_MEMORY_IO        the region is I/O memory, ioremapped: treated as MAP
 *                        (dmaport's regions are platform memory);
 *                        one of the two is required (Linux before 4.15);
 *   DMA_MEMORY_INCLUDES_CHILDREN  ignored, as Linux ignored it;
 *   DMA_MEMORY_EXCLUSIVE allocations come from the region only; without it,
 *                        one the region cannot serve (full, or larger than
 *                        the region) falls back to normal memory.
 * and before 4.15 it returned the kind of mapping made (DMA_MEMORY_MAP or
 * DMA_MEMORY_IO) on success and 0 on failure; from 4.15, 0 or a negative
 * errno.  From 5.1: no flags, always exclusive, 0 or a negative errno.
 */
#define DMA_MEMORY_MAP 0x01
#define DMA_MEMORY_IO 0x02
#define DMA_MEMORY_INCLUDES_CHILDREN 0x04
#define DMA_MEMORY_EXCLUSIVE 0x08

static inline int dmp__lx_declare_coherent(struct device *dev, phys_addr_t phys_addr,
					   dma_addr_t device_addr, size_t size, int flags)
{
	return dmp_declare_coherent_memory_flags(
		dev ? &dev->dmp : NULL, phys_addr, device_addr, size,
		(flags & DMA_MEMORY_EXCLUSIVE) ? 0 : DMP_COHERENT_FALLBACK);
}

#if DMP_LINUX_VERSION < KERNEL_VERSION(4, 15, 0)
static inline int dma_declare_coherent_memory(struct device *dev, phys_addr_t phys_addr,
					      dma_addr_t device_addr, size_t size, int flags)
{
	if (!(flags & (DMA_MEMORY_MAP | DMA_MEMORY_IO)))
		return 0;
	if (dmp__lx_declare_coherent(dev, phys_addr, device_addr, size, flags) != 0)
		return 0;
	return (flags & DMA_MEMORY_MAP) ? DMA_MEMORY_MAP : DMA_MEMORY_IO;
}
#elif DMP_LINUX_VERSION < KERNEL_VERSION(5, 1, 0)
static inline int dma_declare_coherent_memory(struct device *dev, phys_addr_t phys_addr,
					      dma_addr_t device_addr, size_t size, int flags)
{
	return dmp__lx_declare_coherent(dev, phys_addr, device_addr, size, flags);
}
#else
/** dma_declare_coherent_memory - 0 or a negative errno (see dmp_declare_coherent_memory()). */
static inline int dma_declare_coherent_memory(struct device *dev, phys_addr_t phys_addr,
					      dma_addr_t device_addr, size_t size)
{
	return dmp_declare_coherent_memory(dev ? &dev->dmp : NULL, phys_addr, device_addr, size);
}
#endif

#if DMP_LINUX_VERSION < KERNEL_VERSION(5, 1, 0)
/**
 * dma_release_declared_memory - take @dev's declared region away.  Linux
 * freed it under live allocations; dmaport refuses (and says so) while any
 * allocation from it is live, and the region stays.
 */
static inline void dma_release_declared_memory(struct device *dev)
{
	(void)dmp_release_coherent_memory(dev ? &dev->dmp : NULL);
}

/**
 * dma_mark_declared_memory_occupied - keep allocations off the pages holding
 * [@device_addr, +@size) of @dev's region; their CPU address, or
 * ERR_PTR(-EINVAL) (no region, outside it) / ERR_PTR(-EBUSY) (in use).
 */
static inline void *dma_mark_declared_memory_occupied(struct device *dev,
						      dma_addr_t device_addr, size_t size)
{
	void *cpu;
	int err = dmp_mark_declared_memory_occupied(dev ? &dev->dmp : NULL, device_addr, size,
						    &cpu);
	return err ? ERR_PTR(err) : cpu;
}

/* dmam_declare_coherent_memory: released at unbind (0 or a negative errno). */
static inline void dmp__lx_dmam_release_declared(void *dev)
{
	dma_release_declared_memory((struct device *)dev);
}

static inline int dmam_declare_coherent_memory(struct device *dev, phys_addr_t phys_addr,
					       dma_addr_t device_addr, size_t size, int flags)
{
	int err = dmp__lx_declare_coherent(dev, phys_addr, device_addr, size, flags);
	if (err)
		return err;
	return devm_add_action_or_reset(dev, dmp__lx_dmam_release_declared, dev);
}

#define dmam_release_declared_memory(dev) dma_release_declared_memory(dev)
#endif

#endif /* DMP_COMPAT_LINUX_DMA_MAPPING_H */
