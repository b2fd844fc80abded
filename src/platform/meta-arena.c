/* SPDX-License-Identifier: MIT */
/*
 * meta-arena.c - a metadata allocator over a caller's static arena, for ports
 * without a heap of their own to implement dmp__meta_alloc() with
 * (<dmaport/platform.h>: struct dmp_meta_arena).
 *
 * A bump pointer, and one free list per rounded size: the core asks for a
 * handful of fixed sizes (struct dmp_device, the IOVA allocator's node
 * chunks, magazines and per-CPU slots), so a list per size never fragments
 * and a freed block is only ever reused for the same size.  Its own spinlock
 * makes it callable under the core's locks.
 */
#include <dmaport/platform.h>

struct meta_free {
	struct meta_free *next;
};

void dmp_meta_arena_init(struct dmp_meta_arena *a, void *mem, size_t size)
{
	DMP_ASSERT(a && mem && DMP_IS_ALIGNED((uintptr_t)mem, (uintptr_t)DMP_META_ALIGN));
	*a = (struct dmp_meta_arena){ .base = mem, .size = size };
	dmp_spin_init(&a->lock);
}

static size_t meta_round(size_t size)
{
	return DMP_ALIGN_UP(DMP_MAX(size, sizeof(struct meta_free)), (size_t)DMP_META_ALIGN);
}

/* The free list of @size (rounded), made on first use; NULL when every list
 * is taken by other sizes.  Lock held. */
static void **list_of(struct dmp_meta_arena *a, size_t size)
{
	for (unsigned int i = 0; i < DMP_META_ARENA_SIZES; i++) {
		if (a->lists[i].size == 0)
			a->lists[i].size = size;
		if (a->lists[i].size == size)
			return &a->lists[i].head;
	}
	return NULL;
}

void *dmp_meta_arena_alloc(struct dmp_meta_arena *a, size_t size)
{
	struct meta_free *p = NULL;

	if (size > a->size)
		return NULL;
	size = meta_round(size);
	dmp_spin_lock(&a->lock);
	void **head = list_of(a, size);
	if (head && *head) {
		p = *head;
		*head = p->next;
	} else if (head && a->size - a->used >= size) {
		p = (struct meta_free *)(a->base + a->used);
		a->used += size;
	}
	dmp_spin_unlock(&a->lock);
	return p;
}

void dmp_meta_arena_free(struct dmp_meta_arena *a, void *p, size_t size)
{
	if (!p)
		return;
	DMP_ASSERT((uint8_t *)p >= a->base && (uint8_t *)p < a->base + a->used);
	dmp_spin_lock(&a->lock);
	void **head = list_of(a, meta_round(size));
	DMP_ASSERT(head); /* it was allocated with this size, which has a list */
	struct meta_free *f = p;
	f->next = *head;
	*head = f;
	dmp_spin_unlock(&a->lock);
}
