/* SPDX-License-Identifier: MIT */
/*
 * <linux/bitops.h> for dmaport's Linux-compat layer: bit operations on
 * unsigned long arrays (the set_bit family atomic, the __ family not, as
 * Linux's), the find_*_bit searches, and ffs/fls/hweight.
 */
#ifndef DMP_COMPAT_LINUX_BITOPS_H
#define DMP_COMPAT_LINUX_BITOPS_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/log2.h>

#define BITS_PER_BYTE 8
#define BITS_TO_LONGS(nr) (((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define BITS_TO_U64(nr) (((nr) + 63) / 64)
#define BITS_TO_U32(nr) (((nr) + 31) / 32)
#define BITS_TO_BYTES(nr) (((nr) + 7) / 8)
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)

static inline void set_bit(unsigned long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}
static inline void clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELAXED);
}
static inline void change_bit(unsigned long nr, volatile unsigned long *addr)
{
	__atomic_fetch_xor(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}
static inline bool test_and_set_bit(unsigned long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}
static inline bool test_and_clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}
static inline bool test_and_change_bit(unsigned long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_xor(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_SEQ_CST) &
	       BIT_MASK(nr);
}
static inline bool test_bit(unsigned long nr, const volatile unsigned long *addr)
{
	return (__atomic_load_n(&addr[BIT_WORD(nr)], __ATOMIC_RELAXED) >> (nr % BITS_PER_LONG)) & 1;
}
#define test_bit_acquire(nr, addr) test_bit(nr, addr)
#define clear_bit_unlock(nr, addr) clear_bit(nr, addr)
#define test_and_set_bit_lock(nr, addr) test_and_set_bit(nr, addr)
static inline void __set_bit(unsigned long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}
static inline void __clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}
static inline void __change_bit(unsigned long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] ^= BIT_MASK(nr);
}
static inline bool __test_and_set_bit(unsigned long nr, volatile unsigned long *addr)
{
	bool old = test_bit(nr, addr);
	__set_bit(nr, addr);
	return old;
}
static inline bool __test_and_clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	bool old = test_bit(nr, addr);
	__clear_bit(nr, addr);
	return old;
}
#define assign_bit(nr, addr, value) ((value) ? set_bit(nr, addr) : clear_bit(nr, addr))
#define __assign_bit(nr, addr, value) ((value) ? __set_bit(nr, addr) : __clear_bit(nr, addr))

/* ffs/fls: 1-based, 0 for 0; __ffs/__fls: 0-based, undefined for 0. */
static inline int dmp__lx_ffs(unsigned long x)
{
	return x ? __builtin_ctzl(x) + 1 : 0;
}
#ifndef ffs
#define ffs(x) dmp__lx_ffs((unsigned long)(unsigned int)(x))
#endif
static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}
static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}
#define fls_long(x) fls64((u64)(x))
static inline unsigned long __ffs(unsigned long word)
{
	return (unsigned long)__builtin_ctzl(word);
}
static inline unsigned long __fls(unsigned long word)
{
	return (unsigned long)(BITS_PER_LONG - 1 - __builtin_clzl(word));
}
static inline unsigned long ffz(unsigned long word)
{
	return __ffs(~word);
}
#define __ffs64(x) ((unsigned long)__builtin_ctzll(x))
#define hweight8(w) ((unsigned int)__builtin_popcount((u8)(w)))
#define hweight16(w) ((unsigned int)__builtin_popcount((u16)(w)))
#define hweight32(w) ((unsigned int)__builtin_popcount((u32)(w)))
#define hweight64(w) ((unsigned int)__builtin_popcountll((u64)(w)))
#define hweight_long(w) ((unsigned long)__builtin_popcountl((unsigned long)(w)))
static inline u32 rol32(u32 word, unsigned int shift)
{
	return (word << (shift & 31)) | (word >> ((-shift) & 31));
}
static inline u32 ror32(u32 word, unsigned int shift)
{
	return (word >> (shift & 31)) | (word << ((-shift) & 31));
}
static inline u64 rol64(u64 word, unsigned int shift)
{
	return (word << (shift & 63)) | (word >> ((-shift) & 63));
}
static inline u64 ror64(u64 word, unsigned int shift)
{
	return (word >> (shift & 63)) | (word << ((-shift) & 63));
}
static inline u32 get_count_order(unsigned int count)
{
	return count ? (u32)fls(count - 1) : 0;
}

#include <linux/find.h>

#define for_each_set_bit(bit, addr, size)                                               \
	for ((bit) = find_first_bit((addr), (size)); (bit) < (size);                    \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))
#define for_each_clear_bit(bit, addr, size)                                             \
	for ((bit) = find_first_zero_bit((addr), (size)); (bit) < (size);               \
	     (bit) = find_next_zero_bit((addr), (size), (bit) + 1))
#define for_each_set_bit_from(bit, addr, size)                                          \
	for ((bit) = find_next_bit((addr), (size), (bit)); (bit) < (size);              \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))

#endif /* DMP_COMPAT_LINUX_BITOPS_H */
