/* SPDX-License-Identifier: MIT */
/*
 * <linux/mm_types.h> for dmaport's Linux-compat layer: struct page and
 * struct vm_area_struct.
 *
 * struct page is declared and never defined.  A struct page * is a
 * struct dmp_page * (dmaport's page descriptor, one per page of platform
 * memory) under another name: the conversions below are the only place the
 * two meet, and no code ever reads a struct page, so the two names never
 * alias an object.  Drivers use struct page only through pointers, as in
 * Linux (page_address(), virt_to_page(), sg_set_page(), dma_map_page() ...).
 *
 * struct vm_area_struct is reduced to what dma_mmap_attrs() needs, and the
 * meaning changes with it: in Linux the kernel has already placed the
 * mapping at vm_start when the driver's mmap runs; here the platform places
 * it.  In: vm_end - vm_start (the length; set vm_start = 0, vm_end = length)
 * and vm_pgoff (the offset into the buffer, in pages).  Out, after a
 * successful dma_mmap_*(): vm_start is the mapping's address in this
 * process, vm_end = vm_start + length, and @dmp carries the file descriptor
 * and offset another process maps (struct dmp_user_mapping).  Unmap with
 * dmp_munmap(&vma->dmp).
 */
#ifndef DMP_COMPAT_LINUX_MM_TYPES_H
#define DMP_COMPAT_LINUX_MM_TYPES_H

#include <dmaport/dma-mapping.h>
#include <dmaport/memory.h>

struct page;

/* dmp__lx_page_of - the struct page * naming a dmaport page descriptor. */
static inline struct page *dmp__lx_page_of(struct dmp_page *page)
{
	return (struct page *)(void *)page;
}

/* dmp__lx_dmp_page - the dmaport descriptor behind a struct page *. */
static inline struct dmp_page *dmp__lx_dmp_page(const struct page *page)
{
	return (struct dmp_page *)(void *)(uintptr_t)page;
}

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_pgoff;
	struct dmp_user_mapping dmp;
};

#endif /* DMP_COMPAT_LINUX_MM_TYPES_H */
