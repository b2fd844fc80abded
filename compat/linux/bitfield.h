/* SPDX-License-Identifier: MIT */
/*
 * <linux/bitfield.h> for dmaport's Linux-compat layer: register fields by
 * mask.  FIELD_PREP(mask, val) shifts @val into @mask; FIELD_GET(mask, reg)
 * extracts it; FIELD_FIT says whether @val fits; FIELD_MAX is the largest.
 * @mask must be a non-zero contiguous constant (checked at compile time
 * where it is one).
 */
#ifndef DMP_COMPAT_LINUX_BITFIELD_H
#define DMP_COMPAT_LINUX_BITFIELD_H

#include <linux/bits.h>
#include <linux/build_bug.h>

#define dmp__bf_shf(x) (__builtin_ffsll(x) - 1)
#define FIELD_MAX(mask) ((__typeof__(mask))((mask) >> dmp__bf_shf(mask)))
#define FIELD_FIT(mask, val) (!((((__typeof__(mask))(val)) << dmp__bf_shf(mask)) & ~(mask)))
#define FIELD_PREP(mask, val) (((__typeof__(mask))(val) << dmp__bf_shf(mask)) & (mask))
#define FIELD_GET(mask, reg) ((__typeof__(mask))(((reg) & (mask)) >> dmp__bf_shf(mask)))
#define FIELD_MODIFY(mask, reg_p, val)                                                  \
	(*(reg_p) = (*(reg_p) & ~(mask)) | FIELD_PREP(mask, val))
#define u32_encode_bits(v, field) FIELD_PREP((u32)(field), (v))
#define u32_get_bits(v, field) FIELD_GET((u32)(field), (v))
#define u32_replace_bits(old, val, field) (((old) & ~(u32)(field)) | FIELD_PREP((u32)(field), (val)))
#define le32_encode_bits(v, field) cpu_to_le32(FIELD_PREP((u32)(field), (v)))
#define le32_get_bits(v, field) FIELD_GET((u32)(field), le32_to_cpu(v))
#define u16_encode_bits(v, field) FIELD_PREP((u16)(field), (v))
#define u16_get_bits(v, field) FIELD_GET((u16)(field), (v))
#define u64_encode_bits(v, field) FIELD_PREP((u64)(field), (v))
#define u64_get_bits(v, field) FIELD_GET((u64)(field), (v))
#define u8_encode_bits(v, field) FIELD_PREP((u8)(field), (v))
#define u8_get_bits(v, field) FIELD_GET((u8)(field), (v))

#endif /* DMP_COMPAT_LINUX_BITFIELD_H */
