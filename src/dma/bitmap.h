/* SPDX-License-Identifier: MIT */
/*
 * bitmap.h - bit arrays of 64-bit words, for the page-granular allocators
 * (CMA, declared coherent memory, the atomic pool).  Not installed.
 * No locking: the callers hold their own.
 */
#ifndef DMP_DMA_BITMAP_H
#define DMP_DMA_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool dmp__bit_test(const uint64_t *bm, size_t i)
{
	return (bm[i / 64] >> (i % 64)) & 1;
}

/* Set (or clear) bits [@start, +@n). */
static inline void dmp__bits_assign(uint64_t *bm, size_t start, size_t n, bool set)
{
	for (size_t i = start; i < start + n; i++) {
		if (set)
			bm[i / 64] |= 1ull << (i % 64);
		else
			bm[i / 64] &= ~(1ull << (i % 64));
	}
}

/* Are bits [@start, +@n) all clear? */
static inline bool dmp__bits_clear(const uint64_t *bm, size_t start, size_t n)
{
	for (size_t i = start; i < start + n; i++)
		if (dmp__bit_test(bm, i))
			return false;
	return true;
}

#endif /* DMP_DMA_BITMAP_H */
