/* SPDX-License-Identifier: MIT */
/* <linux/device/class.h> for dmaport's Linux-compat layer: see <linux/device.h>. */
#include <linux/device.h>
