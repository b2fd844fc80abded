/* SPDX-License-Identifier: MIT */
/* <linux/unaligned.h> for dmaport's Linux-compat layer: loads and stores at any alignment. */
#ifndef DMP_COMPAT_LINUX_UNALIGNED_H
#define DMP_COMPAT_LINUX_UNALIGNED_H

#include <string.h>

#include <linux/types.h>

#define get_unaligned(ptr)                                                              \
	__extension__({                                                                 \
		__typeof__(*(ptr)) dmp__v;                                              \
		memcpy(&dmp__v, (ptr), sizeof(dmp__v));                                 \
		dmp__v;                                                                 \
	})
#define put_unaligned(val, ptr)                                                         \
	do {                                                                            \
		__typeof__(*(ptr)) dmp__v = (val);                                      \
		memcpy((ptr), &dmp__v, sizeof(dmp__v));                                 \
	} while (0)

static inline u16 get_unaligned_le16(const void *p)
{
	const u8 *b = (const u8 *)p;
	return (u16)(b[0] | b[1] << 8);
}
static inline u32 get_unaligned_le32(const void *p)
{
	const u8 *b = (const u8 *)p;
	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}
static inline u64 get_unaligned_le64(const void *p)
{
	return (u64)get_unaligned_le32(p) | (u64)get_unaligned_le32((const u8 *)p + 4) << 32;
}
static inline u16 get_unaligned_be16(const void *p)
{
	const u8 *b = (const u8 *)p;
	return (u16)(b[0] << 8 | b[1]);
}
static inline u32 get_unaligned_be32(const void *p)
{
	const u8 *b = (const u8 *)p;
	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | (u32)b[3];
}
static inline u64 get_unaligned_be64(const void *p)
{
	return (u64)get_unaligned_be32(p) << 32 | get_unaligned_be32((const u8 *)p + 4);
}
static inline void put_unaligned_le16(u16 v, void *p)
{
	u8 *b = (u8 *)p;
	b[0] = (u8)v;
	b[1] = (u8)(v >> 8);
}
static inline void put_unaligned_le32(u32 v, void *p)
{
	u8 *b = (u8 *)p;
	for (int i = 0; i < 4; i++)
		b[i] = (u8)(v >> (8 * i));
}
static inline void put_unaligned_le64(u64 v, void *p)
{
	put_unaligned_le32((u32)v, p);
	put_unaligned_le32((u32)(v >> 32), (u8 *)p + 4);
}
static inline void put_unaligned_be16(u16 v, void *p)
{
	u8 *b = (u8 *)p;
	b[0] = (u8)(v >> 8);
	b[1] = (u8)v;
}
static inline void put_unaligned_be32(u32 v, void *p)
{
	u8 *b = (u8 *)p;
	for (int i = 0; i < 4; i++)
		b[i] = (u8)(v >> (24 - 8 * i));
}
static inline void put_unaligned_be64(u64 v, void *p)
{
	put_unaligned_be32((u32)(v >> 32), p);
	put_unaligned_be32((u32)v, (u8 *)p + 4);
}
static inline u32 get_unaligned_le24(const void *p)
{
	const u8 *b = (const u8 *)p;
	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16;
}
static inline u32 get_unaligned_be24(const void *p)
{
	const u8 *b = (const u8 *)p;
	return (u32)b[0] << 16 | (u32)b[1] << 8 | (u32)b[2];
}

#endif /* DMP_COMPAT_LINUX_UNALIGNED_H */
