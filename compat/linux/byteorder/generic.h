/* SPDX-License-Identifier: MIT */
/*
 * <linux/byteorder/generic.h> for dmaport's Linux-compat layer: conversions
 * between the CPU's byte order and the little/big-endian layouts devices
 * use (descriptor fields are little endian on most buses).
 */
#ifndef DMP_COMPAT_LINUX_BYTEORDER_GENERIC_H
#define DMP_COMPAT_LINUX_BYTEORDER_GENERIC_H

#include <linux/types.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define DMP__LX_BIG_ENDIAN 1
#else
#define DMP__LX_BIG_ENDIAN 0
#endif

#define DMP__LX_CONV(bits, order, swap_if)                                              \
	static inline __##order##bits cpu_to_##order##bits(u##bits x)                   \
	{                                                                               \
		return (swap_if) ? __builtin_bswap##bits(x) : x;                        \
	}                                                                               \
	static inline u##bits order##bits##_to_cpu(__##order##bits x)                   \
	{                                                                               \
		return (swap_if) ? __builtin_bswap##bits(x) : x;                        \
	}

DMP__LX_CONV(16, le, DMP__LX_BIG_ENDIAN)
DMP__LX_CONV(32, le, DMP__LX_BIG_ENDIAN)
DMP__LX_CONV(64, le, DMP__LX_BIG_ENDIAN)
DMP__LX_CONV(16, be, !DMP__LX_BIG_ENDIAN)
DMP__LX_CONV(32, be, !DMP__LX_BIG_ENDIAN)
DMP__LX_CONV(64, be, !DMP__LX_BIG_ENDIAN)

#undef DMP__LX_CONV

#endif /* DMP_COMPAT_LINUX_BYTEORDER_GENERIC_H */
