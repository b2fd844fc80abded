/* SPDX-License-Identifier: MIT */
/* port-skeleton.h - what the skeleton port needs from its board, and gives it. */
#ifndef PORT_SKELETON_H
#define PORT_SKELETON_H

#include <stdint.h>

/* The board's: write one character to the console; a monotonic clock. */
void board_console_putc(char c);
uint64_t board_clock_ns(void);

/**
 * skeleton_port_init - install the platform and give dmaport its memory.
 * Call once at boot, before any other dmaport call.  Returns 0, or the
 * negative errno of dmp_platform_install() / dmp_mem_add_region().
 */
int skeleton_port_init(void);

#endif /* PORT_SKELETON_H */
