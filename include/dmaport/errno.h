/* SPDX-License-Identifier: MIT */
/*
 * dmaport/errno.h - the error codes dmaport returns.
 *
 * Callers' header.  dmaport functions that can fail return 0 or a negative
 * errno.  On a hosted platform these are the C library's values; on a
 * freestanding one they are Linux's.  The codes dmaport uses, and what they
 * mean everywhere in its API:
 *
 *   ENOMEM     no memory (or no IOVA space, or the pool is exhausted); a retry
 *              may succeed once something is freed.
 *   EINVAL     an argument is invalid (zero size, unknown direction or
 *              attribute, misaligned address, not a power of two); never
 *              helped by a retry.
 *   EIO        the platform cannot satisfy a DMA mask (as Linux's
 *              dma_set_mask()).
 *   EFAULT     an address is not simulated/DMA-able memory, or a device
 *              access hit no memory (a bus error).
 *   EEXIST     something is already there (an IOVA already mapped).
 *   ENOENT     nothing is there (no mapping, no such device).
 *   EBUSY      the object is in use (live allocations, attached devices).
 *   ENODEV     no such device, or the device has no capability for this.
 *   EOPNOTSUPP the platform or device does not support the operation.
 *   ERANGE     an address is beyond what a device or table can reach.
 *   ENXIO      no mapping for a device access (a translation fault).
 *   EACCES     the access is not permitted (a permission fault).
 *   ENOSYS     nobody handled it (an IOMMU fault without a handler).
 *   EFBIG      an input file is larger than dmaport accepts.
 */
#ifndef DMAPORT_ERRNO_H
#define DMAPORT_ERRNO_H

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__
#include <errno.h>
#else
#define ENOENT 2
#define EIO 5
#define ENXIO 6
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define EFBIG 27
#define ERANGE 34
#define ENOSYS 38
#define EOPNOTSUPP 95
#endif

#endif /* DMAPORT_ERRNO_H */
