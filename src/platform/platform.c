/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the active platform, failure injection, MMIO accessors and
 * barriers with Linux's ordering, and the log.
 */
#include <stdio.h>

#include <dmaport/io.h>

#include "../internal.h"
#include "../slot-lock.h"

struct dmp_platform dmp__platform;

/* The name of the first mandatory member of @ops that is NULL, or NULL. */
static const char *platform_ops_hole(const struct dmp_platform_ops *ops)
{
#define MANDATORY(member)                                                             \
	if (!ops->member)                                                             \
		return #member;
	MANDATORY(cache_line_size) MANDATORY(dcache_clean) MANDATORY(dcache_inval)
	MANDATORY(dcache_flush) MANDATORY(outer_clean) MANDATORY(outer_inval)
	MANDATORY(outer_flush) MANDATORY(mb) MANDATORY(rmb) MANDATORY(wmb)
	MANDATORY(dma_rmb) MANDATORY(dma_wmb) MANDATORY(ioremap) MANDATORY(iounmap)
	MANDATORY(mmio_read) MANDATORY(mmio_write) MANDATORY(set_mem_attr)
#undef MANDATORY
	return NULL;
}

int dmp_platform_install(const struct dmp_platform *p)
{
	DMP_ASSERT(p && p->ops);
	const char *hole = platform_ops_hole(p->ops);
	if (hole) {
		dmp_log("dmaport: platform %s: no %s callback: not installed",
			p->ops->name ? p->ops->name : "(unnamed)", hole);
		return -EINVAL;
	}
	if (dmp__platform.ops)
		return -EBUSY;
	dmp__platform = *p;
	return 0;
}

void dmp_platform_uninstall(void)
{
	dmp__platform.ops = NULL;
	dmp__platform.ctx = NULL;
	dmp__mem.nr = 0;
	dmp__heap_reset();
}

/* Failure injection. */
static _Atomic unsigned long fail_target[DMP_FAIL_NR_SITES];
static _Atomic unsigned long fail_calls[DMP_FAIL_NR_SITES];

_Atomic int dmp__fail_on;

/* CPU slots (src/slot-lock.h); the platform's env.c hands them out. */
DMP_TLS unsigned int dmp__cpu_self = ~0u;
_Atomic bool dmp__asym_on;

void dmp_fail_nth(enum dmp_fail_site site, unsigned long nth)
{
	DMP_ASSERT(site < DMP_FAIL_NR_SITES);
	atomic_store(&fail_calls[site], 0);
	atomic_store(&fail_target[site], nth);
	atomic_store(&dmp__fail_on, 1);
}

unsigned long dmp_fail_calls(enum dmp_fail_site site)
{
	DMP_ASSERT(site < DMP_FAIL_NR_SITES);
	return atomic_load(&fail_calls[site]);
}

bool dmp__fail_count(enum dmp_fail_site site)
{
	unsigned long n = atomic_fetch_add_explicit(&fail_calls[site], 1, memory_order_relaxed) + 1;
	unsigned long t = atomic_load_explicit(&fail_target[site], memory_order_relaxed);
	if (dmp__likely(t == 0 || n != t))
		return false;
	/* once: disarm so the retry of the same call succeeds */
	atomic_store(&fail_target[site], 0);
	return true;
}

static dmp_log_fn log_hook;
static void *log_cookie;

void dmp_set_log_hook(dmp_log_fn fn, void *cookie)
{
	log_hook = fn;
	log_cookie = cookie;
}

void dmp_vlog(const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_hook)
		log_hook(log_cookie, line);
	else
		dmp_env_puts(line);
}

void dmp_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dmp_vlog(fmt, ap);
	va_end(ap);
}

void dmp__assert_fail(const char *cond, const char *file, int line)
{
	dmp_log("dmaport: assertion failed: %s at %s:%d", cond, file, line);
	__builtin_trap();
}

/* MMIO. */
int dmp_ioremap(dmp_phys_t phys, size_t size, void **regs)
{
	if (!regs || !size)
		return -EINVAL;
	return DMP__PLAT_CALL(ioremap, phys, size, regs);
}

void dmp_iounmap(void *regs)
{
	if (regs)
		DMP__PLAT_CALL(iounmap, regs);
}

#define DEFINE_MMIO(sfx, type, width)                                                 \
	type dmp_read##sfx##_relaxed(const volatile void *addr)                       \
	{                                                                             \
		return (type)DMP__PLAT_CALL(mmio_read, addr, width);                  \
	}                                                                             \
	void dmp_write##sfx##_relaxed(type v, volatile void *addr)                    \
	{                                                                             \
		DMP__PLAT_CALL(mmio_write, addr, width, v);                           \
	}                                                                             \
	/* Linux: readX() = read, then __iormb() (dma_rmb on arm64) */                \
	type dmp_read##sfx(const volatile void *addr)                                 \
	{                                                                             \
		type v = (type)DMP__PLAT_CALL(mmio_read, addr, width);                \
		DMP__PLAT_CALL0(dma_rmb);                                             \
		return v;                                                             \
	}                                                                             \
	/* Linux: writeX() = __iowmb() (dma_wmb on arm64), then the write */          \
	void dmp_write##sfx(type v, volatile void *addr)                              \
	{                                                                             \
		DMP__PLAT_CALL0(dma_wmb);                                             \
		DMP__PLAT_CALL(mmio_write, addr, width, v);                           \
	}

uint64_t dmp_mmio_read_direct(void *ctx, const volatile void *addr, unsigned width)
{
	(void)ctx;
	switch (width) {
	case 1: return *(const volatile uint8_t *)addr;
	case 2: return *(const volatile uint16_t *)addr;
	case 4: return *(const volatile uint32_t *)addr;
	case 8: return *(const volatile uint64_t *)addr;
	default: DMP_ASSERT(!"bad MMIO width"); return ~0ull;
	}
}

void dmp_mmio_write_direct(void *ctx, volatile void *addr, unsigned width, uint64_t val)
{
	(void)ctx;
	switch (width) {
	case 1: *(volatile uint8_t *)addr = (uint8_t)val; break;
	case 2: *(volatile uint16_t *)addr = (uint16_t)val; break;
	case 4: *(volatile uint32_t *)addr = (uint32_t)val; break;
	case 8: *(volatile uint64_t *)addr = val; break;
	default: DMP_ASSERT(!"bad MMIO width"); break;
	}
}

DEFINE_MMIO(b, uint8_t, 1)
DEFINE_MMIO(w, uint16_t, 2)
DEFINE_MMIO(l, uint32_t, 4)
DEFINE_MMIO(q, uint64_t, 8)

void dmp_mb(void) { DMP__PLAT_CALL0(mb); }
void dmp_rmb(void) { DMP__PLAT_CALL0(rmb); }
void dmp_wmb(void) { DMP__PLAT_CALL0(wmb); }
void dmp_dma_rmb(void) { DMP__PLAT_CALL0(dma_rmb); }
void dmp_dma_wmb(void) { DMP__PLAT_CALL0(dma_wmb); }
