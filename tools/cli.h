/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what dmaport-sim's commands (run, drive) check alike, defined
 * once in dmaport-sim.c: an option's value and the environment mean the
 * same to every command, and are refused the same way.
 */
#ifndef DMP_TOOLS_CLI_H
#define DMP_TOOLS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <dmaport/debug.h>

/* --seed N: an integer 1..2^64-1, decimal or 0x-hex, no sign. */
bool sim_parse_seed(const char *s, uint64_t *out);

/*
 * DMP_DEBUG (through the library's parser; unset: fail) and
 * DMP_DEBUG_GUARD, checked before anything runs, where the library would
 * only log: 0 with *@mode the checker's mode, or -EINVAL after saying on
 * stderr which variable is wrong.
 */
int sim_checker_env(enum dmp_debug_mode *mode);

#endif
