/* SPDX-License-Identifier: MIT */
/* <linux/find.h> for dmaport's Linux-compat layer: searches in bitmaps (@size when none). */
#ifndef DMP_COMPAT_LINUX_FIND_H
#define DMP_COMPAT_LINUX_FIND_H

#include <linux/types.h>
#include <linux/bits.h>

static inline unsigned long dmp__lx_find(const unsigned long *addr, unsigned long size,
					 unsigned long offset, unsigned long invert)
{
	for (unsigned long i = offset; i < size;) {
		unsigned long w = addr[i / BITS_PER_LONG] ^ invert;
		w &= ~0UL << (i % BITS_PER_LONG);
		if (w) {
			unsigned long r = (i & ~(unsigned long)(BITS_PER_LONG - 1)) +
					  (unsigned long)__builtin_ctzl(w);
			return r < size ? r : size;
		}
		i = (i | (BITS_PER_LONG - 1)) + 1;
	}
	return size;
}
#define find_next_bit(addr, size, offset) dmp__lx_find((addr), (size), (offset), 0)
#define find_next_zero_bit(addr, size, offset) dmp__lx_find((addr), (size), (offset), ~0UL)
#define find_first_bit(addr, size) dmp__lx_find((addr), (size), 0, 0)
#define find_first_zero_bit(addr, size) dmp__lx_find((addr), (size), 0, ~0UL)
static inline unsigned long find_last_bit(const unsigned long *addr, unsigned long size)
{
	for (unsigned long i = size; i-- > 0;)
		if ((addr[i / BITS_PER_LONG] >> (i % BITS_PER_LONG)) & 1)
			return i;
	return size;
}

#endif /* DMP_COMPAT_LINUX_FIND_H */
