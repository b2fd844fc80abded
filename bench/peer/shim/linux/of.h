/* SPDX-License-Identifier: MIT */
#include <peer-kernel.h>
