/* SPDX-License-Identifier: MIT */
/* <linux/stat.h> for dmaport's Linux-compat layer: the file mode bits (the C library's) and Linux's shorthands. */
#ifndef DMP_COMPAT_LINUX_STAT_H
#define DMP_COMPAT_LINUX_STAT_H

#if defined(__has_include_next)
#if __has_include_next(<linux/stat.h>)
#include_next <linux/stat.h>
#endif
#endif
#include <sys/stat.h>

#define S_IRWXUGO (S_IRWXU | S_IRWXG | S_IRWXO)
#define S_IALLUGO (S_ISUID | S_ISGID | S_ISVTX | S_IRWXUGO)
#define S_IRUGO (S_IRUSR | S_IRGRP | S_IROTH)
#define S_IWUGO (S_IWUSR | S_IWGRP | S_IWOTH)
#define S_IXUGO (S_IXUSR | S_IXGRP | S_IXOTH)

#endif /* DMP_COMPAT_LINUX_STAT_H */
