/* SPDX-License-Identifier: MIT */
/*
 * <linux/version.h> for dmaport's Linux-compat layer: the version chosen in
 * <linux/kconfig.h> (DMP_LINUX_VERSION, default 6.12).
 */
#ifndef DMP_COMPAT_LINUX_VERSION_H
#define DMP_COMPAT_LINUX_VERSION_H

#include <linux/kconfig.h>

#ifndef LINUX_VERSION_CODE
#define LINUX_VERSION_CODE DMP_LINUX_VERSION
#endif
#define LINUX_VERSION_MAJOR (DMP_LINUX_VERSION >> 16)
#define LINUX_VERSION_PATCHLEVEL ((DMP_LINUX_VERSION >> 8) & 0xff)
#define LINUX_VERSION_SUBLEVEL (DMP_LINUX_VERSION & 0xff)

#endif /* DMP_COMPAT_LINUX_VERSION_H */
