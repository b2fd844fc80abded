/* SPDX-License-Identifier: MIT */
/* <linux/stringify.h> for dmaport's Linux-compat layer (__stringify in <linux/compiler.h>). */
#ifndef DMP_COMPAT_LINUX_STRINGIFY_H
#define DMP_COMPAT_LINUX_STRINGIFY_H
#include <linux/compiler.h>
#define FILE_LINE __FILE__ ":" __stringify(__LINE__)
#endif
