/* SPDX-License-Identifier: MIT */
/* <linux/map_benchmark.h> for dmaport's Linux-compat layer: see <uapi/linux/map_benchmark.h>. */
#ifndef DMP_COMPAT_LINUX_MAP_BENCHMARK_H
#define DMP_COMPAT_LINUX_MAP_BENCHMARK_H
#include <linux/time64.h>
#include <uapi/linux/map_benchmark.h>
#endif
