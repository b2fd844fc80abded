/* SPDX-License-Identifier: MIT */
/*
 * mapping.c - the DMA-mapping API's entry points: argument checks, then the
 * device's mapping ops (the direct path when it has none), as Linux's
 * kernel/dma/mapping.c.  Bad input is reported with the caller's file and
 * line and fails cleanly; nothing reaches the ops half-checked.
 */
#include <string.h>

#include <dmaport/iommu-driver.h> /* dmp_iommu_dma_ops: plain_iommu() */

#include "alloc-internal.h"
#include "debug-hooks.h"
#include "dma-trace-internal.h"

static inline const struct dmp_dma_map_ops *ops_of(const struct dmp_device *dev)
{
	return dev->dma_ops ? dev->dma_ops : &dmp_direct_ops;
}

/* The checks of stream_args_ok() one by one, each refusal reported; out of
 * line, as only bad input reaches it. */
static DMP__NOINLINE bool stream_args_report(struct dmp_device *dev, size_t size,
					     enum dmp_data_direction dir, unsigned long attrs,
					     const char *file, int line)
{
	if (dmp__unlikely(!dev)) {
		dmp__dma_misuse(NULL, DMP_DEBUG_INVALID_ARGS, file, line, DMP__FIX_NO_DEVICE,
				"no device");
		return false;
	}
	if (dmp__unlikely(!dev->dma_mask)) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"set the device's DMA mask (dma_set_mask_and_coherent()) before "
				"it maps or allocates",
				"device has no DMA mask: it cannot do DMA");
		return false;
	}
	if (dmp__unlikely(!dmp_valid_direction(dir))) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"pass DMA_TO_DEVICE, DMA_FROM_DEVICE or DMA_BIDIRECTIONAL (a sync "
				"or unmap: the map's)",
				"invalid direction %d (%s)", (int)dir, dmp__dir_name(dir));
		return false;
	}
	if (dmp__unlikely(size == 0)) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"pass a size of at least one byte; skip the call for an empty "
				"buffer",
				"mapping of size 0");
		return false;
	}
	if (dmp__unlikely(attrs & ~DMP_ATTR_ALL)) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line, DMP__FIX_ATTRS,
				"unknown attributes 0x%lx",
				attrs & ~DMP_ATTR_ALL);
		return false;
	}
	return true;
}

/*
 * Common checks of a streaming call; reports and returns false on bad input.
 * Inline, good input in one combined test (every streaming call runs it);
 * which check failed is stream_args_report()'s to say.
 */
static inline bool stream_args_ok(struct dmp_device *dev, size_t size,
				  enum dmp_data_direction dir, unsigned long attrs,
				  const char *file, int line)
{
	dmp__set_site(file, line);
	if (dmp__likely(dev && dev->dma_mask && dmp_valid_direction(dir) && size &&
			!(attrs & ~DMP_ATTR_ALL)))
		return true;
	return stream_args_report(dev, size, dir, attrs, file, line);
}

/*
 * A scatterlist call's list: @nents entries must be there (Linux walks
 * past the end mark into whatever follows; here a count larger than the list
 * is refused), and each must describe platform memory: a page descriptor, a
 * length, and offset + length inside the page's region.  One walk, before
 * anything is mapped, synced or unmapped, so that a refusal changes nothing.
 */
static bool sg_list_ok(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
		       const char *what, const char *file, int line)
{
	int i;
	const char *why;
	if (dmp__unlikely(!sg || nents <= 0)) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"pass the scatterlist and its number of entries, at least 1",
				"%s of %d entries%s", what,
				nents, sg ? "" : " (no list)");
		return false;
	}
	if (dmp__likely(dmp__sg_valid(sg, nents, &i, &why)))
		return true;
	if (!why)
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"pass at most the entries the list holds (sg_nents()); nents past "
				"its end mark reaches memory that is not the list",
				"%s of %d entries: the list has only %d", what, nents, i);
	else
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line, DMP__FIX_SG_ENTRY,
				"%s: scatterlist entry %d has %s", what, i, why);
	return false;
}

int dmp__mapping_error(struct dmp_device *dev, dmp_addr_t addr, const char *file, int line)
{
	if (dmp__debug_on())
		dmp__debug_mapping_error(dev, addr, file, line);
	return addr == DMP_MAPPING_ERROR;
}

/* ---- masks ---------------------------------------------------------------- */

static bool supported(struct dmp_device *dev, uint64_t mask)
{
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	return ops->dma_supported ? ops->dma_supported(dev, mask) : true;
}

int dmp_set_mask(struct dmp_device *dev, uint64_t mask)
{
	if (!dev || !dev->dma_mask || !supported(dev, mask))
		return -EIO;
	*dev->dma_mask = mask;
	return 0;
}

int dmp_set_coherent_mask(struct dmp_device *dev, uint64_t mask)
{
	if (!dev || !supported(dev, mask))
		return -EIO;
	dev->coherent_dma_mask = mask;
	return 0;
}

int dmp_set_mask_and_coherent(struct dmp_device *dev, uint64_t mask)
{
	int err = dmp_set_mask(dev, mask);
	if (!err)
		dev->coherent_dma_mask = mask; /* same check passed */
	return err;
}

uint64_t dmp_get_mask(struct dmp_device *dev)
{
	return dev->dma_mask && *dev->dma_mask ? *dev->dma_mask : DMP_BIT_MASK(32);
}

bool dmp_addressing_limited(struct dmp_device *dev)
{
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	uint64_t mask = dmp_get_mask(dev);
	if (dev->bus_dma_limit && dev->bus_dma_limit < mask)
		mask = dev->bus_dma_limit;
	if (ops->get_required_mask && mask < ops->get_required_mask(dev))
		return true;
	/* Linux's dma_addressing_limited(): on the direct path, RAM outside
	 * every dma-range limits the device too (its buffers there bounce) */
	return ops == &dmp_direct_ops && !dmp__direct_all_ram_mapped(dev);
}

size_t dmp_max_mapping_size(struct dmp_device *dev)
{
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	return ops->max_mapping_size ? ops->max_mapping_size(dev) : SIZE_MAX;
}

size_t dmp_opt_mapping_size(struct dmp_device *dev)
{
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	size_t opt = ops->opt_mapping_size ? ops->opt_mapping_size() : SIZE_MAX;
	return DMP_MIN(dmp_max_mapping_size(dev), opt);
}

bool dmp_need_sync(struct dmp_device *dev, dmp_addr_t dma_addr)
{
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	return ops->need_sync ? ops->need_sync(dev, dma_addr) : true;
}

size_t dmp_get_cache_alignment(void)
{
	return dmp__cache_line();
}

int dmp_set_max_seg_size(struct dmp_device *dev, unsigned int size)
{
	if (!size)
		return -EINVAL;
	dev->max_segment_size = size;
	return 0;
}

int dmp_set_seg_boundary(struct dmp_device *dev, unsigned long mask)
{
	/* a boundary mask is 2^n - 1 (Linux's dma_set_seg_boundary) */
	if (mask & (mask + 1))
		return -EINVAL;
	dev->segment_boundary_mask = mask;
	return 0;
}

void dmp_set_min_align_mask(struct dmp_device *dev, unsigned int min_align_mask)
{
	dev->min_align_mask = min_align_mask;
}

unsigned int dmp_get_max_seg_size(struct dmp_device *dev)
{
	return dev->max_segment_size;
}

unsigned long dmp_get_seg_boundary(struct dmp_device *dev)
{
	return dev->segment_boundary_mask;
}

/* ---- allocations --------------------------------------------------------- */

static bool alloc_args_ok(struct dmp_device *dev, size_t size, unsigned long attrs,
			  const char *file, int line)
{
	dmp__set_site(file, line);
	if (!dev) {
		dmp__dma_misuse(NULL, DMP_DEBUG_INVALID_ARGS, file, line, DMP__FIX_NO_DEVICE,
				"allocation without a device");
		return false;
	}
	if (!size) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"allocate at least one byte", "allocation of size 0");
		return false;
	}
	if (attrs & ~DMP_ATTR_ALL) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line, DMP__FIX_ATTRS,
				"unknown attributes 0x%lx",
				attrs & ~DMP_ATTR_ALL);
		return false;
	}
	return true;
}

void *dmp__alloc_attrs(struct dmp_device *dev, size_t size, dmp_addr_t *dma_handle, dmp_gfp_t gfp,
		       unsigned long attrs, const char *file, int line)
{
	if (!alloc_args_ok(dev, size, attrs, file, line))
		return NULL;
	if (!dma_handle) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line, DMP__FIX_HANDLE,
				"allocation with no place for the bus address (dma_handle NULL)");
		return NULL;
	}
	/*
	 * Declared coherent memory first, whatever the mapping ops, and
	 * exclusively: a device that has it is served from it or not at all
	 * (Linux's dma_alloc_attrs -> dma_alloc_from_dev_coherent), unless it
	 * was declared DMP_COHERENT_FALLBACK (Linux before 5.1).  Its memory
	 * always has a CPU address, so NO_KERNEL_MAPPING gets that, as in Linux.
	 */
	void *p;
	if (!dmp__alloc_from_dev_coherent(dev, size, dma_handle, &p))
		p = ops_of(dev)->alloc(dev, size, dma_handle, gfp, attrs);
	if (p && dmp__debug_on())
		dmp__debug_alloc(dev, size, *dma_handle, p, attrs, file, line);
	if (p)
		DMP_TRACE(.op = DMP_TRACE_ALLOC, .dev = dev, .type = DMP_MAP_COHERENT,
			  .dma = *dma_handle, .size = size, .dir = DMP_BIDIRECTIONAL, .file = file,
			  .line = line);
	if (!p) {
		*dma_handle = DMP_MAPPING_ERROR;
		if (!(gfp & DMP_GFP_NOWARN))
			dmp__dma_report(dev, attrs, file, line,
					"coherent allocation of %zu bytes failed (coherent mask "
					"0x%llx)", size, (unsigned long long)dev->coherent_dma_mask);
	}
	return p;
}

void dmp__free_attrs(struct dmp_device *dev, size_t size, void *cpu_addr, dmp_addr_t dma_handle,
		     unsigned long attrs, const char *file, int line)
{
	if (!cpu_addr)
		return; /* as Linux: freeing NULL is a no-op */
	if (!alloc_args_ok(dev, size, attrs, file, line))
		return;
	if (dmp__debug_on() && dmp__debug_free(dev, size, cpu_addr, dma_handle, attrs, file, line))
		return; /* refused: see debug-hooks.h */
	DMP_TRACE(.op = DMP_TRACE_FREE, .dev = dev, .type = DMP_MAP_COHERENT, .dma = dma_handle,
		  .size = size, .dir = DMP_BIDIRECTIONAL, .file = file, .line = line);
	if (dmp__release_from_dev_coherent(dev, size, cpu_addr))
		return;
	ops_of(dev)->free(dev, size, cpu_addr, dma_handle, attrs);
}

struct dmp_page *dmp__alloc_pages(struct dmp_device *dev, size_t size, dmp_addr_t *dma_handle,
				  enum dmp_data_direction dir, dmp_gfp_t gfp, const char *file,
				  int line)
{
	if (!stream_args_ok(dev, size, dir, 0, file, line))
		return NULL;
	if (!dma_handle) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line, DMP__FIX_HANDLE,
				"allocation with no place for the bus address (dma_handle NULL)");
		return NULL;
	}
	struct dmp_page *page = ops_of(dev)->alloc_pages(dev, size, dma_handle, dir, gfp);
	/* the checker tracks non-coherent pages as a streaming mapping owned by
	 * the device, as Linux's debug_dma_map_page() in dma_alloc_pages() */
	if (page && dmp__debug_on()) {
		dmp__debug_map(dev, dmp_page_address(page), dmp_page_to_phys(page), size, dir,
			       *dma_handle, DMP_MAP_PAGE, 0, file, line);
		/* the caller checks this allocation's error by its NULL return,
		 * not with dmp_mapping_error() (Linux's dma_alloc_pages) */
		dmp__debug_mapping_error(dev, *dma_handle, file, line);
	}
	if (!page && !(gfp & DMP_GFP_NOWARN))
		dmp__dma_report(dev, 0, file, line, "non-coherent allocation of %zu bytes failed",
				size);
	return page;
}

void dmp__free_pages(struct dmp_device *dev, size_t size, struct dmp_page *page,
		     dmp_addr_t dma_handle, enum dmp_data_direction dir, const char *file, int line)
{
	if (!page || !stream_args_ok(dev, size, dir, 0, file, line))
		return;
	if (dmp__debug_on() &&
	    dmp__debug_unmap(dev, dma_handle, size, dir, DMP_MAP_PAGE, 0, file, line))
		return;
	ops_of(dev)->free_pages(dev, size, page, dma_handle, dir);
}

void *dmp__alloc_noncoherent(struct dmp_device *dev, size_t size, dmp_addr_t *dma_handle,
			     enum dmp_data_direction dir, dmp_gfp_t gfp, const char *file, int line)
{
	struct dmp_page *page = dmp__alloc_pages(dev, size, dma_handle, dir, gfp, file, line);
	return page ? dmp_page_address(page) : NULL;
}

void dmp__free_noncoherent(struct dmp_device *dev, size_t size, void *vaddr,
			   dmp_addr_t dma_handle, enum dmp_data_direction dir, const char *file,
			   int line)
{
	if (!vaddr)
		return;
	dmp__set_site(file, line);
	struct dmp_page *page = dmp_virt_to_page(vaddr);
	if (!page) {
		dmp__dma_misuse(dev, DMP_DEBUG_FREE_UNKNOWN, file, line, NULL,
				"free of %p: not platform memory", vaddr);
		return;
	}
	dmp__free_pages(dev, size, page, dma_handle, dir, file, line);
}

int dmp__mmap_attrs(struct dmp_device *dev, struct dmp_user_mapping *um, void *cpu_addr,
		    dmp_addr_t dma_addr, size_t size, unsigned long attrs, const char *file,
		    int line)
{
	if (!alloc_args_ok(dev, size, attrs, file, line))
		return -EINVAL;
	if (!um || !cpu_addr) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"pass the user mapping and the CPU address the allocation returned",
				"mmap with no %s",
				um ? "CPU address" : "user mapping");
		return -EINVAL;
	}
	/* The window first, once for every implementation below (each applies
	 * the same dmp__mmap_window() to the same @size): a -ENXIO after this
	 * point is not the caller's window. */
	size_t first, count;
	if (dmp__mmap_window(size, um, &first, &count)) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"shrink the user mapping or its page offset: page offset + length "
				"must stay within the size allocated",
				"mmap of %zu bytes from page %zu of a %zu-byte buffer at %p: the "
				"window is not inside it: refused", um->size, um->pgoff, size,
				cpu_addr);
		return -ENXIO;
	}
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	int err;
	/* Linux asks the declared memory in dma_direct_mmap(); asking here
	 * serves a declared region behind any mapping ops alike */
	if (dmp__mmap_from_dev_coherent(dev, um, cpu_addr, size, &err))
		goto out;
	if (!ops->mmap)
		return -EOPNOTSUPP;
	err = ops->mmap(dev, um, cpu_addr, dma_addr, size, attrs);
out:
	/*
	 * A failure of the platform's user_map (or of the implementation): not
	 * a misuse.  The port contract's -ENXIO (<dmaport/port.h> errors are
	 * <dmaport/errno.h>'s: "no mapping") would read as a bad window to our
	 * caller, to whom -ENXIO means only that: it is returned as -EFAULT (no
	 * memory the platform can map there).
	 */
	if (err == -ENXIO)
		err = -EFAULT;
	if (err)
		dmp__dma_report(dev, attrs, file, line, "mmap of %zu bytes at %p failed: error %d",
				um->size, cpu_addr, err);
	return err;
}

int dmp__get_sgtable_attrs(struct dmp_device *dev, struct dmp_sg_table *sgt, void *cpu_addr,
			   dmp_addr_t dma_addr, size_t size, unsigned long attrs, const char *file,
			   int line)
{
	if (!alloc_args_ok(dev, size, attrs, file, line))
		return -EINVAL;
	if (!sgt || !cpu_addr) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"pass an sg_table and the CPU address the allocation returned",
				"get_sgtable with no %s",
				sgt ? "CPU address" : "table");
		return -EINVAL;
	}
	if (size > (0xffffffffu & DMP_PAGE_MASK)) {
		/* the table's one entry has a 32-bit length (Linux's too) */
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"export at most 4 GiB minus a page per dma_get_sgtable(): its one "
				"entry has a 32-bit length",
				"get_sgtable of %zu bytes: more than one entry holds", size);
		return -EINVAL;
	}
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	return ops->get_sgtable ? ops->get_sgtable(dev, sgt, cpu_addr, dma_addr, size, attrs)
				: -EOPNOTSUPP;
}

/* ---- streaming ------------------------------------------------------------ */

/*
 * A streaming call's arguments valid and nothing watching it (the checker
 * and the trace off): the condition of both fast paths below, which give
 * the results of the general path without its bookkeeping (the report
 * site, the indirect ops call, the hooks after it).
 */
static inline bool plain_args(const struct dmp_device *dev, size_t size,
			      enum dmp_data_direction dir, unsigned long attrs)
{
	return dmp__likely(dev && dev->dma_mask && size && dmp_valid_direction(dir) &&
			   !(attrs & ~DMP_ATTR_ALL) && !dmp__debug_on() && !dmp__trace_on());
}

/*
 * With plain_args(): a coherent device on the direct path with identity
 * translation.  Its map is the physical address when the device reaches
 * it, and its unmap has nothing to undo unless the device ever bounced, so
 * the call costs a few loads and compares.
 */
static inline bool plain_coherent(const struct dmp_device *dev)
{
	return !dev->dma_ops && dev->dma_coherent && !dev->nr_ranges && !dev->force_bounce;
}

/*
 * With plain_args(): the device maps through the IOMMU's DMA ops, which are
 * called directly, as the call's last act, after the report site is set
 * (their failures are reported at the caller's line).
 */
static inline bool plain_iommu(const struct dmp_device *dev)
{
	return dev->dma_ops == &dmp_iommu_dma_ops;
}

/* The general path of dmp__map_single_attrs(), out of line so that its
 * frame is not built for the fast paths. */
static DMP__NOINLINE dmp_addr_t map_single_general(struct dmp_device *dev, const void *ptr,
						   size_t size, enum dmp_data_direction dir,
						   unsigned long attrs, const char *file, int line)
{
	if (!stream_args_ok(dev, size, dir, attrs, file, line))
		return DMP_MAPPING_ERROR;
	dmp_phys_t phys;
	if (dmp__unlikely(dmp__virt_to_phys_range(ptr, size, &phys) != 0)) {
		/* Linux refuses DMA from the stack and from vmalloc/non-linear
		 * memory; the checker tells the stack from the rest */
		if (dmp__debug_on() &&
		    dmp__debug_map_refused(dev, ptr, size, dir, "not DMA-able memory", file, line))
			return DMP_MAPPING_ERROR;
		dmp__dma_misuse(dev, DMP_DEBUG_MAP_NOT_DMA, file, line, NULL,
				"mapping memory that is not DMA-able (the C stack, libc's heap, "
				"or not platform memory) [ptr=%p size=%zu direction=%s]",
				ptr, size, dmp__dir_name(dir));
		return DMP_MAPPING_ERROR;
	}
	dmp_addr_t dma = ops_of(dev)->map_phys(dev, phys, size, dir, attrs);
	if (dmp__debug_on())
		dmp__debug_map(dev, ptr, phys, size, dir, dma, DMP_MAP_SINGLE, attrs, file, line);
	DMP_TRACE(.op = DMP_TRACE_MAP, .dev = dev, .type = DMP_MAP_SINGLE, .dma = dma, .phys = phys,
		  .size = size, .dir = dir, .file = file, .line = line);
	return dma;
}

dmp_addr_t dmp__map_single_attrs(struct dmp_device *dev, const void *ptr, size_t size,
				 enum dmp_data_direction dir, unsigned long attrs, const char *file,
				 int line)
{
	dmp_phys_t phys;
	if (plain_args(dev, size, dir, attrs)) {
		if (plain_coherent(dev)) {
			uint64_t limit = *dev->dma_mask;
			if (dev->bus_dma_limit && dev->bus_dma_limit < limit)
				limit = dev->bus_dma_limit;
			if (dmp__likely(dmp__virt_to_phys_range(ptr, size, &phys) == 0 &&
					phys + size - 1 <= limit))
				return phys;
		} else if (plain_iommu(dev) &&
			   dmp__likely(dmp__virt_to_phys_range(ptr, size, &phys) == 0)) {
			dmp__set_site(file, line);
			return dmp__iommu_map_phys(dev, phys, size, dir, attrs);
		}
	}
	return map_single_general(dev, ptr, size, dir, attrs, file, line);
}

/* The general path of dmp__map_page_attrs() (as map_single_general()). */
static DMP__NOINLINE dmp_addr_t map_page_general(struct dmp_device *dev, struct dmp_page *page,
						 size_t offset, size_t size,
						 enum dmp_data_direction dir, unsigned long attrs,
						 const char *file, int line)
{
	if (!stream_args_ok(dev, size, dir, attrs, file, line))
		return DMP_MAPPING_ERROR;
	if (!page) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"map a page from the page allocator, not NULL",
				"map of a NULL page");
		return DMP_MAPPING_ERROR;
	}
	dmp_phys_t phys;
	if (dmp__page_to_phys_checked(page, &phys) != 0) {
		dmp__dma_misuse(dev, DMP_DEBUG_MAP_NOT_DMA, file, line, NULL,
				"map_page of %p: not a page descriptor of platform memory",
				(void *)page);
		return DMP_MAPPING_ERROR;
	}
	phys += offset;
	if (phys < phys - offset || !dmp_is_dma_memory(dmp_phys_to_virt(phys), size)) {
		dmp__dma_misuse(dev, DMP_DEBUG_MAP_NOT_DMA, file, line, NULL,
				"map_page beyond platform memory [phys=0x%llx size=%zu]",
				(unsigned long long)phys, size);
		return DMP_MAPPING_ERROR;
	}
	dmp_addr_t dma = ops_of(dev)->map_phys(dev, phys, size, dir, attrs);
	if (dmp__debug_on())
		dmp__debug_map(dev, dmp_phys_to_virt(phys), phys, size, dir, dma, DMP_MAP_PAGE,
			       attrs, file, line);
	DMP_TRACE(.op = DMP_TRACE_MAP, .dev = dev, .type = DMP_MAP_PAGE, .dma = dma, .phys = phys,
		  .size = size, .dir = dir, .file = file, .line = line);
	return dma;
}

dmp_addr_t dmp__map_page_attrs(struct dmp_device *dev, struct dmp_page *page, size_t offset,
			       size_t size, enum dmp_data_direction dir, unsigned long attrs,
			       const char *file, int line)
{
	dmp_phys_t phys;
	if (plain_args(dev, size, dir, attrs) && plain_iommu(dev) &&
	    dmp__likely(dmp__page_range_phys(page, offset, size, &phys) == 0)) {
		dmp__set_site(file, line);
		return dmp__iommu_map_phys(dev, phys, size, dir, attrs);
	}
	return map_page_general(dev, page, offset, size, dir, attrs, file, line);
}

dmp_addr_t dmp__map_resource(struct dmp_device *dev, dmp_phys_t phys, size_t size,
			     enum dmp_data_direction dir, unsigned long attrs, const char *file,
			     int line)
{
	if (!stream_args_ok(dev, size, dir, attrs, file, line))
		return DMP_MAPPING_ERROR;
	if (dmp_phys_to_virt(phys)) {
		/* Linux: dma_map_resource() is for MMIO, never for RAM */
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"map RAM with dma_map_single() or dma_map_page(); "
				"dma_map_resource() is for MMIO (another device's registers or "
				"FIFO)",
				"map_resource of RAM [phys=0x%llx]: use map_single/map_page",
				(unsigned long long)phys);
		return DMP_MAPPING_ERROR;
	}
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	dmp_addr_t a = ops->map_resource ? ops->map_resource(dev, phys, size, dir, attrs)
					 : DMP_MAPPING_ERROR;
	if (a == DMP_MAPPING_ERROR)
		dmp__dma_report(dev, attrs, file, line,
				"map_resource failed [phys=0x%llx size=%zu]: beyond the mask",
				(unsigned long long)phys, size);
	if (dmp__debug_on())
		dmp__debug_map(dev, NULL, phys, size, dir, a, DMP_MAP_RESOURCE, attrs, file, line);
	DMP_TRACE(.op = DMP_TRACE_MAP, .dev = dev, .type = DMP_MAP_RESOURCE, .dma = a, .phys = phys,
		  .size = size, .dir = dir, .file = file, .line = line);
	return a;
}

/* The general path of dmp__unmap_attrs() (as map_single_general()). */
static DMP__NOINLINE void unmap_general(struct dmp_device *dev, dmp_addr_t addr, size_t size,
					enum dmp_data_direction dir, unsigned long attrs,
					enum dmp_map_type type, const char *file, int line)
{
	if (!stream_args_ok(dev, size, dir, attrs, file, line))
		return;
	if (addr == DMP_MAPPING_ERROR) {
		dmp__dma_misuse(dev, DMP_DEBUG_FREE_UNKNOWN, file, line,
				"test the handle with dma_mapping_error(): a failed map has "
				"nothing to unmap",
				"unmap of DMP_MAPPING_ERROR");
		return;
	}
	if (dmp__unlikely(addr + (size - 1) < addr)) {
		dmp__dma_misuse(dev, DMP_DEBUG_SIZE_MISMATCH, file, line,
				"unmap with the handle and the size of the map: this address + "
				"size wraps past the top of the bus",
				"unmap of bus address 0x%llx + %zu bytes wraps the address space: "
				"no mapping is that large", (unsigned long long)addr, size);
		return;
	}
	if (dmp__debug_on() && dmp__debug_unmap(dev, addr, size, dir, type, attrs, file, line))
		return;
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	if (type != DMP_MAP_RESOURCE)
		ops->unmap_phys(dev, addr, size, dir, attrs);
	else if (ops->unmap_resource)
		ops->unmap_resource(dev, addr, size, dir, attrs);
	DMP_TRACE(.op = DMP_TRACE_UNMAP, .dev = dev, .type = type, .dma = addr, .size = size,
		  .dir = dir, .file = file, .line = line);
}

void dmp__unmap_attrs(struct dmp_device *dev, dmp_addr_t addr, size_t size,
		      enum dmp_data_direction dir, unsigned long attrs, enum dmp_map_type type,
		      const char *file, int line)
{
	bool plain_range = type != DMP_MAP_RESOURCE && addr != DMP_MAPPING_ERROR &&
			   addr + (size - 1) >= addr;
	if (plain_args(dev, size, dir, attrs) && plain_range) {
		if (plain_coherent(dev)) {
			if (!atomic_load_explicit(&dev->dma_uses_io_tlb, memory_order_relaxed))
				return;
		} else if (plain_iommu(dev)) {
			dmp__set_site(file, line);
			dmp__iommu_unmap_phys(dev, addr, size, dir, attrs);
			return;
		}
	}
	unmap_general(dev, addr, size, dir, attrs, type, file, line);
}

int dmp__map_sgtable(struct dmp_device *dev, struct dmp_sg_table *sgt, enum dmp_data_direction dir,
		     unsigned long attrs, const char *file, int line)
{
	if (!stream_args_ok(dev, 1, dir, attrs, file, line))
		return -EINVAL;
	if (!sgt || !sgt->sgl || !sgt->orig_nents || sgt->orig_nents > DMP__INT_MAX) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line,
				"pass an sg_table filled with entries "
				"(sg_alloc_table_from_pages())",
				"map_sgtable of %s",
				sgt ? "an empty table" : "no table");
		return -EINVAL;
	}
	if (!sg_list_ok(dev, sgt->sgl, (int)sgt->orig_nents, "map_sgtable", file, line))
		return -EINVAL;
	int n = ops_of(dev)->map_sg(dev, sgt->sgl, (int)sgt->orig_nents, dir, attrs);
	if (dmp__debug_on())
		dmp__debug_map_sg(dev, sgt->sgl, (int)sgt->orig_nents, n, dir, attrs, file, line);
	DMP_TRACE(.op = DMP_TRACE_MAP_SG, .dev = dev, .type = DMP_MAP_SG, .dir = dir, .sg = sgt->sgl,
		  .nents = (int)sgt->orig_nents, .mapped = n > 0 ? n : 0, .file = file, .line = line);
	if (n < 0) {
		if (n == -EINVAL)
			dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line, DMP__FIX_SG_ENTRY,
					"map_sgtable of %u entries refused: an entry without a page "
					"or of length 0", sgt->orig_nents);
		else
			dmp__dma_report(dev, attrs, file, line,
					"map_sgtable of %u entries failed: error %d [direction=%s]",
					sgt->orig_nents, n, dmp__dir_name(dir));
		return n;
	}
	sgt->nents = (unsigned int)n;
	return 0;
}

int dmp__map_sg_attrs(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
		      enum dmp_data_direction dir, unsigned long attrs, const char *file, int line)
{
	if (!stream_args_ok(dev, 1, dir, attrs, file, line) ||
	    !sg_list_ok(dev, sg, nents, "map_sg", file, line))
		return 0;
	int n = ops_of(dev)->map_sg(dev, sg, nents, dir, attrs);
	if (dmp__debug_on())
		dmp__debug_map_sg(dev, sg, nents, n, dir, attrs, file, line);
	DMP_TRACE(.op = DMP_TRACE_MAP_SG, .dev = dev, .type = DMP_MAP_SG, .dir = dir, .sg = sg,
		  .nents = nents, .mapped = n > 0 ? n : 0, .file = file, .line = line);
	if (n == -EINVAL) {
		dmp__dma_misuse(dev, DMP_DEBUG_INVALID_ARGS, file, line, DMP__FIX_SG_ENTRY,
				"map_sg of %d entries refused: an entry without a page or of "
				"length 0", nents);
		return 0;
	}
	if (n < 0) {
		dmp__dma_report(dev, attrs, file, line,
				"map_sg of %d entries failed: error %d [direction=%s]", nents, n,
				dmp__dir_name(dir));
		return 0; /* Linux's dma_map_sg_attrs() returns 0 on any failure */
	}
	return n;
}

void dmp__unmap_sg_attrs(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
			 enum dmp_data_direction dir, unsigned long attrs, const char *file,
			 int line)
{
	if (!stream_args_ok(dev, 1, dir, attrs, file, line) ||
	    !sg_list_ok(dev, sg, nents, "unmap_sg", file, line))
		return;
	if (dmp__debug_on() && dmp__debug_unmap_sg(dev, sg, nents, dir, attrs, file, line))
		return;
	ops_of(dev)->unmap_sg(dev, sg, nents, dir, attrs);
	DMP_TRACE(.op = DMP_TRACE_UNMAP_SG, .dev = dev, .type = DMP_MAP_SG, .dir = dir, .sg = sg,
		  .nents = nents, .file = file, .line = line);
}

void dmp__sync_single(struct dmp_device *dev, dmp_addr_t addr, size_t offset, size_t size,
		      enum dmp_data_direction dir, bool for_device, const char *file, int line)
{
	if (!stream_args_ok(dev, size, dir, 0, file, line))
		return;
	if (dmp__unlikely(addr + offset < addr || addr == DMP_MAPPING_ERROR ||
			  addr + offset + (size - 1) < addr + offset)) {
		/* the range wraps past the top of the bus: no mapping is there, and
		 * the sync would land below the mapping it names */
		dmp__dma_misuse(dev, DMP_DEBUG_SYNC_RANGE, file, line,
				"sync with the handle the map returned and an offset + size "
				"within the mapping: these wrap past the top of the bus",
				"sync of bus address 0x%llx + offset %zu + %zu bytes wraps the "
				"address space", (unsigned long long)addr, offset, size);
		return;
	}
	if (dmp__debug_on() &&
	    dmp__debug_sync_single(dev, addr + offset, size, dir, for_device, file, line))
		return;
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	if (for_device) {
		ops->sync_single_for_device(dev, addr + offset, size, dir);
		if (dmp__debug_on())
			dmp__debug_synced_for_device(dev, addr + offset, size);
	} else {
		ops->sync_single_for_cpu(dev, addr + offset, size, dir);
	}
	DMP_TRACE(.op = for_device ? DMP_TRACE_SYNC_FOR_DEVICE : DMP_TRACE_SYNC_FOR_CPU, .dev = dev,
		  .type = DMP_MAP_SINGLE, .dma = addr + offset, .size = size, .dir = dir,
		  .file = file, .line = line);
}

void dmp__sync_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
		  enum dmp_data_direction dir, bool for_device, const char *file, int line)
{
	if (!stream_args_ok(dev, 1, dir, 0, file, line) ||
	    !sg_list_ok(dev, sg, nents, for_device ? "sync_sg_for_device" : "sync_sg_for_cpu",
			file, line))
		return;
	if (dmp__debug_on() && dmp__debug_sync_sg(dev, sg, nents, dir, for_device, file, line))
		return;
	const struct dmp_dma_map_ops *ops = ops_of(dev);
	if (for_device) {
		ops->sync_sg_for_device(dev, sg, nents, dir);
		if (dmp__debug_on())
			dmp__debug_sg_synced_for_device(dev, sg, nents);
	} else {
		ops->sync_sg_for_cpu(dev, sg, nents, dir);
	}
	DMP_TRACE(.op = for_device ? DMP_TRACE_SYNC_FOR_DEVICE : DMP_TRACE_SYNC_FOR_CPU, .dev = dev,
		  .type = DMP_MAP_SG, .dir = dir, .sg = sg, .nents = nents, .file = file,
		  .line = line);
}
