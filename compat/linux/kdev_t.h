/* SPDX-License-Identifier: MIT */
/* <linux/kdev_t.h> for dmaport's Linux-compat layer: device numbers. */
#ifndef DMP_COMPAT_LINUX_KDEV_T_H
#define DMP_COMPAT_LINUX_KDEV_T_H

#include <linux/types.h>

#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#undef MAJOR
#undef MINOR
#define MAJOR(dev) ((unsigned int)((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int)((dev) & MINORMASK))
#define MKDEV(ma, mi) (((dev_t)(ma) << MINORBITS) | (mi))

#endif /* DMP_COMPAT_LINUX_KDEV_T_H */
