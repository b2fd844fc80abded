/* SPDX-License-Identifier: MIT */
/* <linux/bitmap.h> for dmaport's Linux-compat layer: bitmaps of unsigned longs. */
#ifndef DMP_COMPAT_LINUX_BITMAP_H
#define DMP_COMPAT_LINUX_BITMAP_H

#include <string.h>

#include <linux/bitops.h>
#include <linux/slab.h>

#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
#define BITMAP_FIRST_WORD_MASK(start) (~0UL << ((start) & (BITS_PER_LONG - 1)))
#define BITMAP_LAST_WORD_MASK(nbits) (~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}
static inline void bitmap_fill(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0xff, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}
static inline void bitmap_copy(unsigned long *dst, const unsigned long *src, unsigned int nbits)
{
	memcpy(dst, src, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}
static inline void bitmap_set(unsigned long *map, unsigned int start, unsigned int nbits)
{
	for (unsigned int i = start; i < start + nbits; i++)
		__set_bit(i, map);
}
static inline void bitmap_clear(unsigned long *map, unsigned int start, unsigned int nbits)
{
	for (unsigned int i = start; i < start + nbits; i++)
		__clear_bit(i, map);
}
static inline bool bitmap_empty(const unsigned long *src, unsigned int nbits)
{
	return find_first_bit(src, nbits) == nbits;
}
static inline bool bitmap_full(const unsigned long *src, unsigned int nbits)
{
	return find_first_zero_bit(src, nbits) == nbits;
}
static inline unsigned int bitmap_weight(const unsigned long *src, unsigned int nbits)
{
	unsigned int w = 0;
	for (unsigned int i = 0; i < nbits; i++)
		w += test_bit(i, src);
	return w;
}
static inline bool bitmap_equal(const unsigned long *a, const unsigned long *b, unsigned int nbits)
{
	for (unsigned int i = 0; i < nbits; i++)
		if (test_bit(i, a) != test_bit(i, b))
			return false;
	return true;
}
static inline void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b,
			     unsigned int nbits)
{
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		dst[k] = a[k] | b[k];
}
static inline bool bitmap_and(unsigned long *dst, const unsigned long *a, const unsigned long *b,
			      unsigned int nbits)
{
	unsigned long r = 0;
	for (unsigned int k = 0; k < BITS_TO_LONGS(nbits); k++)
		r |= dst[k] = a[k] & b[k];
	return r != 0;
}
/* bitmap_find_next_zero_area - @nr clear bits from @start, aligned (mask + 1). */
static inline unsigned long bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
						       unsigned long start, unsigned int nr,
						       unsigned long align_mask)
{
	for (;;) {
		unsigned long index = find_next_zero_bit(map, size, start);
		index = (index + align_mask) & ~align_mask;
		unsigned long end = index + nr;
		if (end > size)
			return end;
		unsigned long i = find_next_bit(map, end, index);
		if (i < end) {
			start = i + 1;
			continue;
		}
		return index;
	}
}
static inline unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t flags)
{
	return (unsigned long *)kcalloc(BITS_TO_LONGS(nbits), sizeof(unsigned long), flags);
}
static inline unsigned long *bitmap_alloc(unsigned int nbits, gfp_t flags)
{
	return (unsigned long *)kmalloc_array(BITS_TO_LONGS(nbits), sizeof(unsigned long), flags);
}
static inline void bitmap_free(const unsigned long *bitmap)
{
	kfree(bitmap);
}
#define devm_bitmap_zalloc(dev, nbits, flags)                                           \
	((unsigned long *)devm_kcalloc((dev), BITS_TO_LONGS(nbits), sizeof(unsigned long), (flags)))

#endif /* DMP_COMPAT_LINUX_BITMAP_H */
