/* SPDX-License-Identifier: MIT */
/*
 * <linux/types.h> for dmaport's Linux-compat layer.
 *
 * Fixed-width types as Linux has them (u64 is unsigned long long on every
 * architecture, so "%llx" prints it), the little/big-endian annotated types
 * (plain integers here: no sparse), and the address types:
 *   dma_addr_t      is dmp_addr_t (a bus address; 0 is valid, failure is
 *                   DMA_MAPPING_ERROR), so a dma_addr_t * passes to dmaport;
 *   phys_addr_t     is dmp_phys_t; resource_size_t is phys_addr_t;
 *   gfp_t           is dmp_gfp_t (flags in <linux/gfp.h>).
 * dma_addr_t and u64 have the same width but, unlike on Linux, may be
 * different C types: print a dma_addr_t with a cast to unsigned long long.
 */
#ifndef DMP_COMPAT_LINUX_TYPES_H
#define DMP_COMPAT_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h> /* pid_t, ssize_t, dev_t: the C library's */
#include <linux/posix_types.h> /* __kernel_pid_t and kin: the host's, as Linux's */

#include <dmaport/types.h>
#include <linux/compiler.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef unsigned long long __u64;
typedef int8_t __s8;
typedef int16_t __s16;
typedef int32_t __s32;
typedef long long __s64;

typedef __u16 __bitwise __le16;
typedef __u16 __bitwise __be16;
typedef __u32 __bitwise __le32;
typedef __u32 __bitwise __be32;
typedef __u64 __bitwise __le64;
typedef __u64 __bitwise __be64;

typedef dmp_addr_t dma_addr_t;
typedef dmp_phys_t phys_addr_t;
typedef phys_addr_t resource_size_t;
typedef dmp_gfp_t gfp_t;

/* loff_t: the C library's type (it declares it only for _GNU_SOURCE). */
#ifdef __GLIBC__
typedef __loff_t loff_t;
#else
typedef long long loff_t;
#endif

typedef unsigned long kernel_ulong_t;
typedef unsigned long ulong;
typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char u_char;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef unsigned short umode_t;
typedef unsigned int fmode_t;
typedef __u16 __bitwise __sum16;
typedef __u32 __bitwise __wsum;
typedef unsigned int slab_flags_t;
typedef u64 sector_t;
typedef unsigned long irq_hw_number_t;

/* atomic_t and friends (operations in <linux/atomic.h>) */
typedef struct {
	int counter;
} atomic_t;
typedef struct {
	s64 counter;
} atomic64_t;
typedef struct {
	long counter;
} atomic_long_t;
#define ATOMIC_INIT(i) { (i) }
#define ATOMIC64_INIT(i) { (i) }
#define ATOMIC_LONG_INIT(i) { (i) }

struct list_head;
struct hlist_head;
struct hlist_node;
struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};
#define rcu_head callback_head

#endif /* DMP_COMPAT_LINUX_TYPES_H */
