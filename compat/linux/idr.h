/* SPDX-License-Identifier: MIT */
/*
 * <linux/idr.h> for dmaport's Linux-compat layer: ID allocators.
 *
 * IDA: the smallest free ID in the range asked (ida_alloc: 0..INT_MAX),
 * -ENOSPC when none, -ENOMEM.  IDR: the same IDs, each with a pointer.
 * Both grow as needed; ida_destroy/idr_destroy free the bookkeeping.
 */
#ifndef DMP_COMPAT_LINUX_IDR_H
#define DMP_COMPAT_LINUX_IDR_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/limits.h>

struct ida {
	unsigned long *bits;
	unsigned int nbits;
};
#define IDA_INIT(name) { NULL, 0 }
#define DEFINE_IDA(name) struct ida name = IDA_INIT(name)
static inline void ida_init(struct ida *ida)
{
	ida->bits = NULL;
	ida->nbits = 0;
}
int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max, gfp_t gfp);
void ida_free(struct ida *ida, unsigned int id);
void ida_destroy(struct ida *ida);
bool ida_is_empty(const struct ida *ida);
#define ida_alloc(ida, gfp) ida_alloc_range((ida), 0, INT_MAX, (gfp))
#define ida_alloc_min(ida, min, gfp) ida_alloc_range((ida), (min), INT_MAX, (gfp))
#define ida_alloc_max(ida, max, gfp) ida_alloc_range((ida), 0, (max), (gfp))
/* the old names: end 0 means no limit, end is exclusive */
#define ida_simple_get(ida, start, end, gfp)                                            \
	ida_alloc_range((ida), (start), (end) ? (unsigned int)(end) - 1 : INT_MAX, (gfp))
#define ida_simple_remove(ida, id) ida_free((ida), (id))

struct idr {
	void **ptrs;
	unsigned int n;
	unsigned int base;
	unsigned int next; /* idr_alloc_cyclic's cursor */
};
#define IDR_INIT(name) { NULL, 0, 0, 0 }
#define DEFINE_IDR(name) struct idr name = IDR_INIT(name)
static inline void idr_init(struct idr *idr)
{
	idr->ptrs = NULL;
	idr->n = idr->base = idr->next = 0;
}
#define idr_init_base(idr, b) do { idr_init(idr); (idr)->base = (b); } while (0)
int idr_alloc(struct idr *idr, void *ptr, int start, int end, gfp_t gfp);
int idr_alloc_cyclic(struct idr *idr, void *ptr, int start, int end, gfp_t gfp);
void *idr_find(const struct idr *idr, unsigned long id);
void *idr_remove(struct idr *idr, unsigned long id);
void *idr_replace(struct idr *idr, void *ptr, unsigned long id);
void *idr_get_next(struct idr *idr, int *nextid);
void idr_destroy(struct idr *idr);
static inline bool idr_is_empty(const struct idr *idr)
{
	for (unsigned int i = 0; i < idr->n; i++)
		if (idr->ptrs[i])
			return false;
	return true;
}
#define idr_preload(gfp) do { (void)(gfp); } while (0)
#define idr_preload_end() do { } while (0)
#define idr_for_each_entry(idr, entry, id)                                              \
	for (id = 0; ((entry) = idr_get_next(idr, &(id))) != NULL; id += 1U)

#endif /* DMP_COMPAT_LINUX_IDR_H */
