/* SPDX-License-Identifier: MIT */
/*
 * dmaport/types.h - basic types, the export macro, gfp flags and error codes.
 *
 * Callers' header.  Every other dmaport header includes it.
 */
#ifndef DMAPORT_TYPES_H
#define DMAPORT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dmaport/errno.h>

#ifdef __cplusplus
#define DMP_BEGIN_DECLS extern "C" {
#define DMP_END_DECLS }
#else
#define DMP_BEGIN_DECLS
#define DMP_END_DECLS
#endif

/*
 * DMP_API marks the symbols libdmaport exports.  The library is built with
 * -fvisibility=hidden, so anything not marked stays internal to it.  The
 * dmp__ functions that public headers' macros and inlines call are marked
 * (they are part of the ABI); the others are not, wherever they are declared:
 * hidden from libdmaport.so, still linkable from libdmaport.a by dmaport's
 * own tests and tools.  `make exports-check` (scripts/check-exports.sh)
 * holds the library to this.
 */
#if defined(DMP_BUILDING_LIBRARY) && defined(__GNUC__)
#define DMP_API __attribute__((visibility("default")))
#else
#define DMP_API
#endif

/* DMP_PRINTF(fmt, args) - printf-style argument checking where the compiler has it. */
#if defined(__GNUC__)
#define DMP_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define DMP_PRINTF(fmt, args)
#endif

/** A physical (CPU) address. 0 is a valid physical address. */
typedef uint64_t dmp_phys_t;

/**
 * A bus address: what a device puts on its DMA port (after dma-ranges
 * translation, or an IOVA behind an IOMMU).  0 is a valid bus address;
 * failure is DMP_MAPPING_ERROR, tested with dmp_mapping_error().
 */
typedef uint64_t dmp_addr_t;

/** The one sentinel for a failed mapping (Linux's DMA_MAPPING_ERROR). */
#define DMP_MAPPING_ERROR (~(dmp_addr_t)0)

/**
 * DMP_BIT_MASK - a DMA mask of @n address bits (Linux's DMA_BIT_MASK).
 */
#define DMP_BIT_MASK(n) (((n) >= 64) ? ~0ULL : ((1ULL << (n)) - 1))

/*
 * Allocation context flags, a subset of Linux's gfp_t.
 *
 * DMP_GFP_KERNEL: the caller may block.
 * DMP_GFP_ATOMIC: the caller must not block (interrupt context, a lock held);
 *                 allocations that would have to block are served from the
 *                 atomic pool or fail.
 * DMP_GFP_ZERO:   zero the memory.
 * DMP_GFP_NOWARN: don't report a failure (the caller has a fallback).
 * DMP_GFP_DMA32 / DMP_GFP_DMA: zone hints (memory below 4 GiB / below the
 *                 platform's low zone limit); the allocators derive the limit
 *                 from the device's masks themselves, these are for callers
 *                 of the page allocator.
 */
typedef unsigned int dmp_gfp_t;
#define DMP_GFP_KERNEL 0x0u
#define DMP_GFP_ATOMIC 0x1u
#define DMP_GFP_ZERO 0x2u
#define DMP_GFP_NOWARN 0x4u
#define DMP_GFP_DMA32 0x8u
#define DMP_GFP_DMA 0x10u

#define DMP_PAGE_SHIFT 12
#define DMP_PAGE_SIZE (1UL << DMP_PAGE_SHIFT)
#define DMP_PAGE_MASK (~(DMP_PAGE_SIZE - 1))

#define DMP_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define DMP_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define DMP_IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DMP_IS_POW2(x) ((x) != 0 && (((x) & ((x) - 1)) == 0))
#define DMP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DMP_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DMP_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif /* DMAPORT_TYPES_H */
