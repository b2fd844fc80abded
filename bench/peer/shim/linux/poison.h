/* SPDX-License-Identifier: MIT */
#include <peer-kernel.h>
#define POOL_POISON_FREED 0xa7
#define POOL_POISON_ALLOCATED 0xa9
