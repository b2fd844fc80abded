/* SPDX-License-Identifier: MIT */
/*
 * <linux/errno.h> for dmaport's Linux-compat layer: the error codes
 * (dmaport/errno.h: the C library's on a hosted platform), plus the
 * kernel-internal codes drivers return from probe.
 *
 * On Linux hosts the C library's own <errno.h> includes <linux/errno.h> (the
 * kernel's UAPI header) and the -I path makes it find this file first, so
 * this file passes such an include on to the next <linux/errno.h> in the
 * search path before adding anything.
 */
#if defined(__has_include_next)
#if __has_include_next(<linux/errno.h>)
#include_next <linux/errno.h>
#endif
#endif

#ifndef DMP_COMPAT_LINUX_ERRNO_H
#define DMP_COMPAT_LINUX_ERRNO_H

#include <dmaport/errno.h>

/* Kernel-internal codes (include/linux/errno.h), never seen by user space. */
#ifndef EPROBE_DEFER
#define EPROBE_DEFER 517 /* the driver asks to be probed again later */
#endif
#ifndef ENOTSUPP
#define ENOTSUPP 524 /* operation not supported (kernel-internal, not EOPNOTSUPP) */
#endif
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ENOIOCTLCMD 515
#define ERESTART_RESTARTBLOCK 516
#define EOPENSTALE 518
#define ENOPARAM 519
#define EBADHANDLE 521
#define ENOTSYNC 522
#define EBADCOOKIE 523
#define ETOOSMALL 525
#define ESERVERFAULT 526
#define EBADTYPE 527
#define EJUKEBOX 528
#define EIOCBQUEUED 529
#define ERECALLCONFLICT 530

#endif /* DMP_COMPAT_LINUX_ERRNO_H */
