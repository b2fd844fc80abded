/* SPDX-License-Identifier: MIT */
/*
 * lpae-walk.c - the simulated IOMMU's VMSAv8-64 stage-1 table walker.
 *
 * Written from the Arm ARM (D8.2 "Translation process", D8.3 "Translation
 * table descriptor formats", D8.4 permissions, D8.14 fault priority); it
 * must not use anything from src/iommu/ (see lpae-walk.h).
 *
 * The walk, for a granule of 2^G bytes (G = 12, 14, 16):
 *   - each table level translates G - 3 IOVA bits; level 3 translates the
 *     bits just above the page offset, so level L's index starts at bit
 *     G + (3 - L) * (G - 3);
 *   - the walk starts at the highest-numbered level that still covers the
 *     whole input size (64 - T0SZ bits), and that first table is only as
 *     large as the bits left over need;
 *   - descriptor bit 0 clear: invalid.  At levels 0-2, bits[1:0] = 0b11 is a
 *     table, 0b01 a block (valid at levels 1 and 2 for 4K, level 2 for 16K
 *     and 64K, without 52-bit addresses); at level 3, 0b11 is a page and
 *     0b01 is reserved (a translation fault).
 * Fault priority for one descriptor: translation, then address size, then
 * access flag, then permission.
 */
#include <string.h>

#include "lpae-walk.h"

/* Bits [hi:lo] of a 64-bit value set. */
static inline uint64_t field(unsigned int hi, unsigned int lo)
{
	return (~UINT64_C(0) >> (63 - hi)) & (~UINT64_C(0) << lo);
}

static int walk_fail(struct dmp__lpae_walk_result *res, enum dmp__lpae_fault f, int level)
{
	res->fault = f;
	res->level = level;
	return f == DMP__LPAE_FAULT_PERMISSION ? -EACCES : -ENXIO;
}

/* Descriptors are little-endian in memory, whatever the host. */
static int read_desc(struct dmp_sim *sim, bool coherent, dmp_phys_t addr, uint64_t *desc)
{
	uint8_t b[8];
	int err = dmp_sim_peek(sim, coherent ? DMP_SIM_CPU : DMP_SIM_DRAM, addr, b, sizeof(b));
	if (err)
		return err;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	*desc = v;
	return 0;
}

int dmp__lpae_walk(struct dmp_sim *sim, const struct dmp__lpae_walk_cfg *cfg, dmp_addr_t iova,
		   unsigned int access, struct dmp__lpae_walk_result *res)
{
	static const unsigned char pa_bits[] = { 32, 36, 40, 42, 44, 48 };
	unsigned int granule_bits;

	memset(res, 0, sizeof(*res));
	switch (cfg->tg0) {
	case 0:
		granule_bits = 12;
		break;
	case 1:
		granule_bits = 16;
		break;
	case 2:
		granule_bits = 14;
		break;
	default:
		return walk_fail(res, DMP__LPAE_FAULT_CONFIG, 0);
	}
	if (cfg->t0sz < 16 || cfg->t0sz > 39 || cfg->ips >= sizeof(pa_bits))
		return walk_fail(res, DMP__LPAE_FAULT_CONFIG, 0);

	const unsigned int in_bits = 64 - cfg->t0sz;
	const unsigned int out_bits = pa_bits[cfg->ips];
	const unsigned int stride = granule_bits - 3;

	/* Bits above the input size: outside TTBR0's range. */
	if (iova >> in_bits)
		return walk_fail(res, DMP__LPAE_FAULT_TRANSLATION, 0);

	/* Start where the levels from 3 upwards first cover in_bits. */
	int level = 3;
	unsigned int resolved = granule_bits + stride; /* bits below level 3's top */
	while (resolved < in_bits) {
		level--;
		resolved += stride;
	}
	const int start = level;

	/* The start table is aligned to its size (at least 64 bytes). */
	unsigned int start_shift = granule_bits + (unsigned int)(3 - start) * stride;
	unsigned int start_bytes_log2 = in_bits - start_shift + 3;
	if (start_bytes_log2 < 6)
		start_bytes_log2 = 6;
	dmp_phys_t table = cfg->ttbr & field(47, start_bytes_log2);
	if (table >> out_bits)
		return walk_fail(res, DMP__LPAE_FAULT_ADDR_SIZE, 0);

	/* Hierarchical restrictions from table descriptors (APTable, XNTable). */
	bool no_el0 = false, no_write = false, table_pxn = false, table_uxn = false;

	for (;;) {
		unsigned int shift = granule_bits + (unsigned int)(3 - level) * stride;
		unsigned int nbits = level == start ? in_bits - shift : stride;
		uint64_t index = (iova >> shift) & ((UINT64_C(1) << nbits) - 1);
		uint64_t desc;

		res->level = level;
		res->desc_addr = table + index * 8;
		if (read_desc(sim, cfg->coherent, table + index * 8, &desc))
			return walk_fail(res, DMP__LPAE_FAULT_WALK_ABORT, level);
		res->pte = desc;

		if (!(desc & 1))
			return walk_fail(res, DMP__LPAE_FAULT_TRANSLATION, level);
		bool bit1 = (desc >> 1) & 1;
		if (level < 3 && bit1) {
			/* A table: next-level address in [47:G]. */
			if (desc & field(51, 48))
				return walk_fail(res, DMP__LPAE_FAULT_ADDR_SIZE, level);
			dmp_phys_t next = desc & field(47, granule_bits);
			if (next >> out_bits)
				return walk_fail(res, DMP__LPAE_FAULT_ADDR_SIZE, level);
			table_pxn |= (desc >> 59) & 1;
			table_uxn |= (desc >> 60) & 1;
			no_el0 |= (desc >> 61) & 1;
			no_write |= (desc >> 62) & 1;
			table = next;
			level++;
			continue;
		}
		if (level == 3 && !bit1)
			return walk_fail(res, DMP__LPAE_FAULT_TRANSLATION, level); /* reserved */
		if (level < 3) {
			bool block_ok = granule_bits == 12 ? (level == 1 || level == 2) : level == 2;
			if (!block_ok)
				return walk_fail(res, DMP__LPAE_FAULT_TRANSLATION, level);
		}

		/* A leaf mapping 2^shift bytes. */
		if (desc & field(51, 48))
			return walk_fail(res, DMP__LPAE_FAULT_ADDR_SIZE, level);
		dmp_phys_t oa = desc & field(47, shift);
		if (oa >> out_bits)
			return walk_fail(res, DMP__LPAE_FAULT_ADDR_SIZE, level);
		res->leaf_size = UINT64_C(1) << shift;
		res->phys = oa | (iova & (res->leaf_size - 1));
		res->attr_index = (unsigned int)(desc >> 2) & 7;
		res->ns = (desc >> 5) & 1;
		res->unpriv = ((desc >> 6) & 1) && !no_el0;  /* AP[1] */
		res->write = !((desc >> 7) & 1) && !no_write; /* AP[2] */
		res->sh = (unsigned int)(desc >> 8) & 3;
		res->af = (desc >> 10) & 1;
		res->ng = (desc >> 11) & 1;
		res->pxn = ((desc >> 53) & 1) || table_pxn;
		res->uxn = ((desc >> 54) & 1) || table_uxn;

		if (!res->af)
			return walk_fail(res, DMP__LPAE_FAULT_ACCESS, level);

		bool priv = access & DMP__LPAE_ACC_PRIV;
		if (!priv && !res->unpriv)
			return walk_fail(res, DMP__LPAE_FAULT_PERMISSION, level);
		if ((access & DMP__LPAE_ACC_WRITE) && !res->write)
			return walk_fail(res, DMP__LPAE_FAULT_PERMISSION, level);
		if (access & DMP__LPAE_ACC_EXEC) {
			/* Memory writable at EL0 is never executable at EL1. */
			bool no_exec = priv ? res->pxn || (res->unpriv && res->write) : res->uxn;
			if (no_exec)
				return walk_fail(res, DMP__LPAE_FAULT_PERMISSION, level);
		}
		return 0;
	}
}

const char *dmp__lpae_fault_name(enum dmp__lpae_fault fault)
{
	static const char *const names[] = {
		[DMP__LPAE_OK] = "none",
		[DMP__LPAE_FAULT_TRANSLATION] = "translation",
		[DMP__LPAE_FAULT_ADDR_SIZE] = "address size",
		[DMP__LPAE_FAULT_ACCESS] = "access flag",
		[DMP__LPAE_FAULT_PERMISSION] = "permission",
		[DMP__LPAE_FAULT_WALK_ABORT] = "walk abort",
		[DMP__LPAE_FAULT_CONFIG] = "configuration",
	};
	return (unsigned int)fault < DMP_ARRAY_SIZE(names) ? names[fault] : "?";
}
