/* SPDX-License-Identifier: MIT */
/*
 * guard-arch-x86_64.c - guard mode's x86-64 Linux part: the faulting
 * instruction, read or write from the page-fault error code the kernel
 * passes in the signal context (bit 1: write, bit 4: instruction fetch),
 * and single-stepping with the trap flag (EFLAGS.TF, bit 8), which the
 * kernel restores from the context on return from the handler: the
 * instruction runs once, then the CPU's debug exception arrives as SIGTRAP.
 */
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#include "guard.h"

#define PF_WRITE 0x2
#define PF_FETCH 0x10
#define EFLAGS_TF 0x100

static uintptr_t x86_pc(const void *uctx)
{
	return (uintptr_t)((const ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP];
}

static bool x86_is_write(const void *uctx)
{
	return ((const ucontext_t *)uctx)->uc_mcontext.gregs[REG_ERR] & PF_WRITE;
}

static bool x86_is_fetch(const void *uctx)
{
	return ((const ucontext_t *)uctx)->uc_mcontext.gregs[REG_ERR] & PF_FETCH;
}

static void x86_step_on(void *uctx)
{
	((ucontext_t *)uctx)->uc_mcontext.gregs[REG_EFL] |= EFLAGS_TF;
}

static void x86_step_off(void *uctx)
{
	((ucontext_t *)uctx)->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)EFLAGS_TF;
}

static const struct dmp__guard_arch x86_64 = {
	.name = "x86-64",
	.can_step = true,
	.pc = x86_pc,
	.is_write = x86_is_write,
	.is_fetch = x86_is_fetch,
	.step_on = x86_step_on,
	.step_off = x86_step_off,
};

const struct dmp__guard_arch *const dmp__guard_arch = &x86_64;
