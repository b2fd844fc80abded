/* SPDX-License-Identifier: MIT */
/*
 * <linux/crc32.h> for dmaport's Linux-compat layer: Linux's CRC-32 helpers.
 * crc32_le is the reflected CRC-32 (polynomial 0xedb88320) continuing from
 * @crc, with no final inversion, as Linux's (callers pass ~0 and invert
 * themselves where a standard CRC is wanted); crc32_be the MSB-first one
 * (0x04c11db7); crc32c the Castagnoli polynomial (0x82f63b78).
 */
#ifndef DMP_COMPAT_LINUX_CRC32_H
#define DMP_COMPAT_LINUX_CRC32_H

#include <linux/types.h>

u32 crc32_le(u32 crc, const void *p, size_t len);
u32 crc32_be(u32 crc, const void *p, size_t len);
u32 crc32c(u32 crc, const void *p, size_t len);
#define crc32(seed, data, length) crc32_le((seed), (data), (length))
#define __crc32c_le(crc, p, len) crc32c((crc), (p), (len))
#define crc32c_le(crc, p, len) crc32c((crc), (p), (len))
#define ether_crc_le(length, data) crc32_le(~0, (data), (length))

#endif /* DMP_COMPAT_LINUX_CRC32_H */
