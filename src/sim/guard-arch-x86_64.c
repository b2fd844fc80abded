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

/*
 * rep movs / rep stos, forward (EFLAGS.DF clear), 64-bit addressing, no
 * segment override but the ignored ones: the forms memcpy() and memset()
 * use for bulk copies.  Anything else is stepped.
 */
#define EFLAGS_DF 0x400

static bool x86_string(const void *uctx, struct dmp__guard_string *op)
{
	const ucontext_t *uc = uctx;
	const greg_t *g = uc->uc_mcontext.gregs;
	const uint8_t *ip = (const uint8_t *)(uintptr_t)g[REG_RIP];
	bool rep = false, opsize = false, wide = false;
	unsigned int i = 0;
	for (; i < 14; i++) {
		uint8_t b = ip[i];
		if (b == 0xf3)
			rep = true;
		else if (b == 0x66)
			opsize = true;
		else if (b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36)
			continue; /* ignored in 64-bit mode */
		else
			break;
	}
	if ((ip[i] & 0xf0) == 0x40) { /* REX: the last prefix */
		wide = ip[i] & 0x08;
		i++;
	}
	uint8_t opc = ip[i];
	if (!rep || (g[REG_EFL] & EFLAGS_DF) || (opc != 0xa4 && opc != 0xa5 && opc != 0xaa && opc != 0xab))
		return false;
	op->size = (opc & 1) ? (wide ? 8 : opsize ? 2 : 4) : 1;
	uint64_t count = (uint64_t)g[REG_RCX];
	if (!count || count > (SIZE_MAX >> 4) / op->size)
		return false;
	op->len = (size_t)count * op->size;
	op->dst = (uintptr_t)g[REG_RDI];
	op->src = opc <= 0xa5 ? (uintptr_t)g[REG_RSI] : 0;
	op->value = (uint64_t)g[REG_RAX];
	op->insn_len = i + 1;
	return true;
}

static void x86_string_done(void *uctx, const struct dmp__guard_string *op)
{
	greg_t *g = ((ucontext_t *)uctx)->uc_mcontext.gregs;
	g[REG_RDI] += (greg_t)op->len;
	if (op->src)
		g[REG_RSI] += (greg_t)op->len;
	g[REG_RCX] = 0;
	g[REG_RIP] += (greg_t)op->insn_len;
}

static const struct dmp__guard_arch x86_64 = {
	.name = "x86-64",
	.can_step = true,
	.pc = x86_pc,
	.is_write = x86_is_write,
	.is_fetch = x86_is_fetch,
	.step_on = x86_step_on,
	.step_off = x86_step_off,
	.string = x86_string,
	.string_done = x86_string_done,
};

const struct dmp__guard_arch *const dmp__guard_arch = &x86_64;
