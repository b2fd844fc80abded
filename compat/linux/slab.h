/* SPDX-License-Identifier: MIT */
/*
 * <linux/slab.h> for dmaport's Linux-compat layer: kmalloc and friends on
 * dmaport's heap (dmp_kmalloc): the memory is platform memory, so it can be
 * mapped for DMA, and objects are aligned to ARCH_DMA_MINALIGN so that two
 * never share a cache line.  Failure returns NULL (inject it with
 * dmp_fail_nth(DMP_FAIL_HEAP, ...)).  Never blocks.
 */
#ifndef DMP_COMPAT_LINUX_SLAB_H
#define DMP_COMPAT_LINUX_SLAB_H

#include <dmaport/memory.h>

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/cleanup.h>

#define ARCH_DMA_MINALIGN DMP_KMALLOC_MINALIGN
#define ARCH_KMALLOC_MINALIGN DMP_KMALLOC_MINALIGN
#define ARCH_SLAB_MINALIGN DMP_KMALLOC_MINALIGN
#define KMALLOC_MAX_SIZE (1UL << 22)

/* What a zero-size allocation returns (devm_kmalloc(dev, 0, ...)): not
 * NULL, never dereferenceable, freeing it is a no-op (Linux's). */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return dmp_kmalloc(size, flags);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return dmp_kzalloc(size, flags);
}

/** kmalloc_array - @n objects of @size bytes; NULL if n * size overflows. */
static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return dmp_kmalloc(n * size, flags);
}

/** kcalloc - kmalloc_array() zeroed. */
static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

/** kfree - free; NULL is ignored; a foreign or double free is reported. */
static inline void kfree(const void *p)
{
	if (p != ZERO_SIZE_PTR)
		dmp_kfree(p);
}
#define kfree_sensitive(p) kfree(p)
DEFINE_FREE(kfree, void *, if (_T) kfree(_T))
DEFINE_FREE(kvfree, void *, if (_T) kfree(_T))
#define kvfree(p) kfree(p)
#define kvfree_sensitive(p, len) kfree(p)
#define kfree_const(p) kfree(p)
#define vfree(p) kfree(p)
#define kvmalloc(size, flags) kmalloc((size), (flags))
#define kvzalloc(size, flags) kzalloc((size), (flags))
#define kvmalloc_array(n, size, flags) kmalloc_array((n), (size), (flags))
#define kvcalloc(n, size, flags) kcalloc((n), (size), (flags))
#define kmalloc_node(size, flags, node) kmalloc((size), (flags))
#define kzalloc_node(size, flags, node) kzalloc((size), (flags))
#define kcalloc_node(n, size, flags, node) kcalloc((n), (size), (flags))
#define kmalloc_array_node(n, size, flags, node) kmalloc_array((n), (size), (flags))
#define vmalloc(size) kmalloc((size), GFP_KERNEL)
#define vzalloc(size) kzalloc((size), GFP_KERNEL)
#define vmalloc_array(n, size) kmalloc_array((n), (size), GFP_KERNEL)
#define vcalloc(n, size) kcalloc((n), (size), GFP_KERNEL)
#define kmalloc_obj(p, flags) kmalloc(sizeof(*(p)), (flags))
#define kzalloc_obj(p, flags) kzalloc(sizeof(*(p)), (flags))

/** ksize - the usable size of a kmalloc'ed object. */
static inline size_t ksize(const void *p)
{
	return dmp_ksize(p);
}

/** krealloc - resize, keeping the contents; NULL @p allocates; 0 frees (ZERO_SIZE_PTR). */
static inline void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	if (!new_size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (!p || p == ZERO_SIZE_PTR)
		return kmalloc(new_size, flags);
	size_t old = ksize(p);
	if (old >= new_size)
		return (void *)(uintptr_t)p;
	void *n = kmalloc(new_size, flags & ~__GFP_ZERO);
	if (!n)
		return NULL;
	__builtin_memcpy(n, p, old);
	if (flags & __GFP_ZERO)
		__builtin_memset((char *)n + old, 0, new_size - old);
	kfree(p);
	return n;
}
#define krealloc_array(p, n, size, flags) krealloc((p), (n) * (size), (flags))
#define kvrealloc(p, size, flags) krealloc((p), (size), (flags))

/*
 * kmem_cache: a cache of @size objects, each a kmalloc object aligned to
 * at least @align (dmaport's heap aligns every object to a cache line;
 * larger alignments are refused with NULL).  The constructor runs on each
 * object kmem_cache_alloc returns, as for a new slab object.
 */
#define SLAB_HWCACHE_ALIGN 0x00002000U
#define SLAB_PANIC 0x00040000U
#define SLAB_ACCOUNT 0x04000000U
#define SLAB_RECLAIM_ACCOUNT 0x00020000U
#define SLAB_TYPESAFE_BY_RCU 0x00080000U
#define SLAB_CACHE_DMA 0x00004000U
#define SLAB_CACHE_DMA32 0x00008000U

struct kmem_cache {
	const char *name;
	unsigned int size;
	unsigned int align;
	void (*ctor)(void *);
};

static inline struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
						   unsigned int align, slab_flags_t flags,
						   void (*ctor)(void *))
{
	(void)flags;
	if (align > DMP_KMALLOC_MINALIGN)
		return NULL;
	struct kmem_cache *c = (struct kmem_cache *)dmp_kmalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	c->name = name;
	c->size = size;
	c->align = align;
	c->ctor = ctor;
	return c;
}
#define KMEM_CACHE(__struct, __flags)                                                   	kmem_cache_create(#__struct, sizeof(struct __struct), __alignof__(struct __struct), 			  (__flags), NULL)
#define kmem_cache_create_usercopy(name, size, align, flags, uo, us, ctor)              	kmem_cache_create(name, size, align, flags, ctor)
static inline void kmem_cache_destroy(struct kmem_cache *c)
{
	if (c)
		dmp_kfree(c);
}
static inline void *kmem_cache_alloc(struct kmem_cache *c, gfp_t flags)
{
	void *p = dmp_kmalloc(c->size, flags);
	if (p && c->ctor)
		c->ctor(p);
	return p;
}
static inline void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t flags)
{
	return kmem_cache_alloc(c, flags | __GFP_ZERO);
}
#define kmem_cache_alloc_node(c, flags, node) kmem_cache_alloc((c), (flags))
static inline void kmem_cache_free(struct kmem_cache *c, void *p)
{
	(void)c;
	kfree(p);
}

#endif /* DMP_COMPAT_LINUX_SLAB_H */
