/* SPDX-License-Identifier: MIT */
/*
 * guard-arch-none.c - no guard mode: a host architecture guard mode has no
 * part for, and ThreadSanitizer builds (TSan delivers the signal that parks
 * the other threads only at its own safe points, so a spinning thread
 * might never stop; the Makefile picks this file for SAN=tsan).
 */
#include "guard.h"

const struct dmp__guard_arch *const dmp__guard_arch = NULL;
