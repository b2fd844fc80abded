/* SPDX-License-Identifier: MIT */
/*
 * meta-alloc.c - the metadata allocator on bare metal (<dmaport/port.h>:
 * dmp__meta_alloc; hosted builds use libc): carved from a static arena,
 * recycled through one free list per size.
 *
 * The core asks for a handful of fixed sizes (struct dmp_device, the IOVA
 * allocator's tree node chunks, magazines, per-CPU slots), so a free list
 * per distinct size never fragments.  DMP_META_ALIGN-aligned, as the
 * contract asks (the per-CPU slots must not share cache lines).  Callable
 * with spinlocks held: it only takes its own.
 */
#include <dmaport/platform.h>

#define META_ARENA_SIZE (1u << 20)
#define META_CLASSES 16

struct meta_free {
	struct meta_free *next;
};

static uint8_t meta_arena[META_ARENA_SIZE] __attribute__((aligned(DMP_META_ALIGN)));
static size_t meta_used;
static struct {
	size_t size;
	struct meta_free *head;
} meta_class[META_CLASSES];
static dmp_spinlock_t meta_lock = DMP_SPINLOCK_INIT;

/* The free list for @size (rounded), created on first use; NULL if all
 * classes are taken by other sizes. */
static struct meta_free **class_of(size_t size)
{
	for (unsigned int i = 0; i < META_CLASSES; i++) {
		if (meta_class[i].size == size)
			return &meta_class[i].head;
		if (meta_class[i].size == 0) {
			meta_class[i].size = size;
			return &meta_class[i].head;
		}
	}
	return NULL;
}

void *dmp__meta_alloc(size_t size)
{
	void *p = NULL;
	size = DMP_ALIGN_UP(DMP_MAX(size, sizeof(struct meta_free)), (size_t)DMP_META_ALIGN);
	dmp_spin_lock(&meta_lock);
	struct meta_free **head = class_of(size);
	if (head && *head) {
		p = *head;
		*head = (*head)->next;
	} else if (head && META_ARENA_SIZE - meta_used >= size) {
		p = meta_arena + meta_used;
		meta_used += size;
	}
	dmp_spin_unlock(&meta_lock);
	return p;
}

void dmp__meta_free(void *p, size_t size)
{
	if (!p)
		return;
	size = DMP_ALIGN_UP(DMP_MAX(size, sizeof(struct meta_free)), (size_t)DMP_META_ALIGN);
	dmp_spin_lock(&meta_lock);
	struct meta_free **head = class_of(size);
	DMP_ASSERT(head); /* it was allocated with this size */
	struct meta_free *f = p;
	f->next = *head;
	*head = f;
	dmp_spin_unlock(&meta_lock);
}
