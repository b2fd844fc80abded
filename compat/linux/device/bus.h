/* SPDX-License-Identifier: MIT */
/* <linux/device/bus.h> for dmaport's Linux-compat layer: see <linux/device.h>. */
#include <linux/device.h>
