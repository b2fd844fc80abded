/* SPDX-License-Identifier: MIT */
/*
 * mmu.c - the identity map, the MMU and caches on, and memory-type changes
 * for dmaport's arena.
 *
 * 4 KiB granule, 39-bit VA (T0SZ = 25), so the walk starts at level 1:
 *
 *   L1[0]    0x00_0000_0000  1 GiB block: flash, GIC, UART, SMMU, the PCIe
 *                            32-bit MMIO window.  Device-nGnRE, never executable
 *   L1[1]    0x00_4000_0000  RAM: an L2 table of 2 MiB blocks, Normal
 *                            write-back inner shareable; the 2 MiB blocks of
 *                            dmaport's arena are L3 tables of 4 KiB pages, so
 *                            single pages can become Normal non-cacheable
 *                            (mmu_set_page_attr, for coherent DMA allocations)
 *   L1[256]  0x40_0000_0000  1 GiB block: the "highmem" PCIe ECAM
 *                            (0x40_1000_0000).  Device-nGnRE, never executable
 *
 * Why the MMU at all: with it off every data access is Device-nGnRnE and
 * nothing is cached, so cache maintenance would be exercised on nothing.
 */
#include <dmaport/platform.h>
#include "port.h"

/* MAIR_EL1 attribute indexes (Arm ARM D8.5 "Memory attribute indirection"). */
#define MAIR_DEVICE_nGnRE 0x04
#define MAIR_NORMAL_WB 0xff /* write-back, read/write-allocate, inner+outer */
#define MAIR_NORMAL_NC 0x44 /* non-cacheable: coherent DMA memory (Linux's MT_NORMAL_NC) */
#define MAIR_VALUE ((uint64_t)MAIR_DEVICE_nGnRE << (8 * MT_DEVICE_nGnRE) | \
		    (uint64_t)MAIR_NORMAL_WB << (8 * MT_NORMAL) |          \
		    (uint64_t)MAIR_NORMAL_NC << (8 * MT_NORMAL_NC))

/* Descriptor fields (stage 1, VMSAv8-64). */
#define PTE_VALID 0x1ull
#define PTE_BLOCK 0x1ull /* levels 1, 2 */
#define PTE_TABLE 0x3ull /* levels 1, 2 */
#define PTE_PAGE 0x3ull  /* level 3 */
#define PTE_ATTRINDX(i) ((uint64_t)(i) << 2)
#define PTE_ATTRINDX_MASK (7ull << 2)
#define PTE_SH_INNER (3ull << 8)
#define PTE_AF (1ull << 10) /* no access-flag faults: we never age pages */
#define PTE_PXN (1ull << 53)
#define PTE_UXN (1ull << 54)

/* TCR_EL1 */
#define TCR_T0SZ(n) ((uint64_t)(n))
#define TCR_IRGN0_WBWA (1ull << 8)
#define TCR_ORGN0_WBWA (1ull << 10)
#define TCR_SH0_INNER (3ull << 12)
#define TCR_TG0_4K (0ull << 14)
#define TCR_EPD1 (1ull << 23) /* no TTBR1 walks: nothing is mapped high */
#define TCR_IPS_40BIT (2ull << 32)

/* SCTLR_EL1 */
#define SCTLR_M (1ull << 0)
#define SCTLR_A (1ull << 1)
#define SCTLR_C (1ull << 2)
#define SCTLR_I (1ull << 12)
#define SCTLR_WXN (1ull << 19)

#define GIB (1ull << 30)
#define MIB2 (1ull << 21)
#define PAGE 4096ull
#define ARENA_MAX_2M 16 /* L3 tables: up to 32 MiB of arena */

extern uint8_t __arena_start[], __arena_end[];

static uint64_t l1_table[512] __attribute__((aligned(4096), section(".noinit.pgtable")));
static uint64_t l2_ram[512] __attribute__((aligned(4096), section(".noinit.pgtable")));
static uint64_t l3_arena[ARENA_MAX_2M][512]
	__attribute__((aligned(4096), section(".noinit.pgtable")));

static uint64_t leaf_attrs(unsigned int attr)
{
	uint64_t d = PTE_AF | PTE_ATTRINDX(attr);
	if (attr == MT_DEVICE_nGnRE)
		d |= PTE_PXN | PTE_UXN; /* speculative instruction fetch from MMIO: never */
	else
		d |= PTE_SH_INNER;
	return d;
}

static void clean_inval(const void *p, size_t size)
{
	for (uintptr_t a = (uintptr_t)p & ~63ul; a < (uintptr_t)p + size; a += 64)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
}

void mmu_enable(void)
{
	uintptr_t arena = (uintptr_t)__arena_start, arena_end = (uintptr_t)__arena_end;
	unsigned int nr_l3 = 0;

	for (unsigned int i = 0; i < 512; i++)
		l1_table[i] = 0;
	l1_table[0] = 0 | PTE_BLOCK | leaf_attrs(MT_DEVICE_nGnRE);
	l1_table[1] = (uintptr_t)l2_ram | PTE_TABLE;
	l1_table[VIRT_ECAM_BASE / GIB] =
		(VIRT_ECAM_BASE & ~(GIB - 1)) | PTE_BLOCK | leaf_attrs(MT_DEVICE_nGnRE);
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t pa = VIRT_RAM_BASE + i * MIB2;
		if (pa >= arena && pa < arena_end && nr_l3 < ARENA_MAX_2M) {
			uint64_t *l3 = l3_arena[nr_l3++];
			for (unsigned int j = 0; j < 512; j++)
				l3[j] = (pa + j * PAGE) | PTE_PAGE | leaf_attrs(MT_NORMAL);
			l2_ram[i] = (uintptr_t)l3 | PTE_TABLE;
		} else {
			l2_ram[i] = pa | PTE_BLOCK | leaf_attrs(MT_NORMAL);
		}
	}

	/*
	 * The walker reads the tables through the cache (IRGN0/ORGN0 = WB): make
	 * sure no stale line from before the writes (made with the MMU off, so
	 * uncached) is there, as Linux's head.S does for its initial tables.
	 */
	clean_inval(l1_table, sizeof(l1_table));
	clean_inval(l2_ram, sizeof(l2_ram));
	clean_inval(l3_arena, sizeof(l3_arena));
	__asm__ volatile("dsb sy" ::: "memory");

	uint64_t tcr = TCR_T0SZ(25) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K |
		       TCR_EPD1 | TCR_IPS_40BIT;
	__asm__ volatile("msr mair_el1, %0" ::"r"(MAIR_VALUE));
	__asm__ volatile("msr tcr_el1, %0" ::"r"(tcr));
	__asm__ volatile("msr ttbr0_el1, %0" ::"r"((uint64_t)(uintptr_t)l1_table));
	__asm__ volatile("isb; tlbi vmalle1; dsb nsh; ic iallu; dsb nsh; isb" ::: "memory");

	uint64_t sctlr;
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	/* WXN would make the writable RAM non-executable: off. A off:
	 * unaligned accesses to Normal memory are fine once we are here. */
	sctlr &= ~(SCTLR_A | SCTLR_WXN);
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_I;
	__asm__ volatile("msr sctlr_el1, %0; isb" ::"r"(sctlr) : "memory");
}

bool mmu_enabled(void)
{
	uint64_t sctlr;
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	return (sctlr & (SCTLR_M | SCTLR_C | SCTLR_I)) == (SCTLR_M | SCTLR_C | SCTLR_I);
}

bool mmu_is_device(uint64_t pa, uint64_t size)
{
	uint64_t last = pa + size - 1;
	if (size == 0 || last < pa)
		return false;
	if (last < VIRT_RAM_BASE)
		return true;
	return pa >= (VIRT_ECAM_BASE & ~(GIB - 1)) && last < (VIRT_ECAM_BASE & ~(GIB - 1)) + GIB;
}

/* The level-3 entry mapping @pa, or NULL outside the arena. */
static uint64_t *arena_pte(uint64_t pa)
{
	uintptr_t arena = (uintptr_t)__arena_start, arena_end = (uintptr_t)__arena_end;
	if (pa < arena || pa >= arena_end || (pa - arena) / MIB2 >= ARENA_MAX_2M)
		return NULL;
	return &l3_arena[(pa - arena) / MIB2][(pa % MIB2) / PAGE];
}

int mmu_set_page_attr(uint64_t pa, uint64_t size, unsigned int attr)
{
	DMP_ASSERT(DMP_IS_ALIGNED(pa, PAGE) && DMP_IS_ALIGNED(size, PAGE));
	DMP_ASSERT(attr == MT_NORMAL || attr == MT_NORMAL_NC);
	for (uint64_t a = pa; a < pa + size; a += PAGE) {
		if (!arena_pte(a))
			return -EINVAL;
	}
	for (uint64_t a = pa; a < pa + size; a += PAGE) {
		volatile uint64_t *pte = arena_pte(a);
		uint64_t new = (*pte & ~PTE_ATTRINDX_MASK) | PTE_ATTRINDX(attr);
		if (new == *pte)
			continue;
		/*
		 * A change of memory type needs break-before-make (Arm ARM D8.14):
		 * invalid entry, TLB invalidation completed, then the new entry;
		 * otherwise the TLB could hold both and the CPU could see two types
		 * for one page.  The page itself must not be in use meanwhile.
		 */
		*pte = 0;
		__asm__ volatile("dsb ishst; tlbi vaae1is, %0; dsb ish" ::"r"(a >> 12) : "memory");
		*pte = new;
		__asm__ volatile("dsb ishst; isb" ::: "memory");
	}
	return 0;
}

uint8_t mmu_read_attr(const void *va)
{
	uint64_t par;
	/* Ask the MMU itself: AT S1E1R walks the tables, PAR_EL1[63:56] is the
	 * MAIR attribute of the translation (or bit 0 set on a fault). */
	__asm__ volatile("at s1e1r, %1; isb; mrs %0, par_el1" : "=r"(par) : "r"(va) : "memory");
	return (par & 1) ? 0 : (uint8_t)(par >> 56);
}
