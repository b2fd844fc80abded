/* SPDX-License-Identifier: MIT */
/*
 * lpae-walk.h - the simulated IOMMU's page-table walker for VMSAv8-64
 * stage-1 tables.  Not installed: for the simulator and tests.
 *
 * Written from the Arm ARM's descriptor format, independently of
 * src/iommu/io-pgtable-arm.c (it shares no code, macro or header with it), so
 * that a bug in the format cannot hide itself: tests check every mapping the
 * format makes through this walker too.
 *
 * The walker reads tables from memory as the hardware would: from the CPU's
 * view through the coherent interconnect when the walk is coherent, else
 * from DRAM, so descriptors the CPU wrote but did not clean are invisible.
 */
#ifndef DMP_SIM_LPAE_WALK_H
#define DMP_SIM_LPAE_WALK_H

#include <dmaport/sim.h>

/**
 * struct dmp__lpae_walk_cfg - the translation regime, as programmed into
 * the hardware (TTBR0, TCR fields), not as the format computed it.
 * @ttbr:     TTBR0: the start-level table's address in bits [47:1] (the low
 *            bits below the table's alignment are treated as zero, one of
 *            the CONSTRAINED UNPREDICTABLE choices).
 * @tg0:      TCR.TG0: 0 = 4K, 1 = 64K, 2 = 16K granule (3 is reserved).
 * @t0sz:     TCR.T0SZ: the input size is 64 - t0sz bits (16..39 accepted).
 * @ips:      TCR.IPS: output size 0..5 = 32, 36, 40, 42, 44, 48 bits.
 * @coherent: the walker snoops the CPU caches (reads the CPU image), else
 *            reads DRAM.
 */
struct dmp__lpae_walk_cfg {
	uint64_t ttbr;
	unsigned int tg0;
	unsigned int t0sz;
	unsigned int ips;
	bool coherent;
};

/* Access kinds, or-ed. */
#define DMP__LPAE_ACC_READ 0x1
#define DMP__LPAE_ACC_WRITE 0x2
#define DMP__LPAE_ACC_PRIV 0x4 /* a privileged access (else unprivileged, EL0) */
#define DMP__LPAE_ACC_EXEC 0x8 /* an instruction fetch */

/** Outcomes of a walk (SMMUv3 event names in brackets). */
enum dmp__lpae_fault {
	DMP__LPAE_OK = 0,
	DMP__LPAE_FAULT_TRANSLATION, /* invalid or reserved descriptor, IOVA out of range [F_TRANSLATION] */
	DMP__LPAE_FAULT_ADDR_SIZE,   /* a table or output address beyond the output size [F_ADDR_SIZE] */
	DMP__LPAE_FAULT_ACCESS,      /* AF clear in the leaf [F_ACCESS] */
	DMP__LPAE_FAULT_PERMISSION,  /* the access is not allowed [F_PERMISSION] */
	DMP__LPAE_FAULT_WALK_ABORT,  /* a table read hit no memory [F_WALK_EABT] */
	DMP__LPAE_FAULT_CONFIG,      /* reserved TG0, T0SZ or IPS [C_BAD_CD] */
};

/**
 * struct dmp__lpae_walk_result - what the walk found.
 * @fault:      DMP__LPAE_OK or the fault.
 * @level:      the level of the leaf, or of the descriptor that faulted
 *              (0 for an IOVA out of range or a bad TTBR).
 * @pte:        the leaf (or faulting) descriptor, 0 if none was read.
 * @desc_addr:  the physical address @pte was read from.
 * @phys:       the output address of the IOVA (valid for OK and PERMISSION).
 * @leaf_size:  bytes the leaf maps (page or block).
 * The leaf's permissions, hierarchical table restrictions applied:
 * @write:      writable (AP[2] clear, no APTable write restriction);
 * @unpriv:     unprivileged (EL0) accesses allowed (AP[1]);
 * @pxn, @uxn:  no privileged / unprivileged execution;
 * @attr_index: AttrIndx; @sh: SH; @af, @ng, @ns: AF, nG, NS.
 */
struct dmp__lpae_walk_result {
	enum dmp__lpae_fault fault;
	int level;
	uint64_t pte;
	dmp_phys_t desc_addr;
	dmp_phys_t phys;
	uint64_t leaf_size;
	bool write, unpriv, pxn, uxn;
	unsigned int attr_index, sh;
	bool af, ng, ns;
};

/**
 * dmp__lpae_walk - translate @iova for an access of kind @access
 * (DMP__LPAE_ACC_*) through the tables of @cfg in @sim's memory.
 * Returns 0 (translated; @res filled), -ENXIO (translation, address size,
 * access flag, walk abort or configuration fault) or -EACCES (permission
 * fault); @res->fault says which.  No side effects on the simulator.
 */
int dmp__lpae_walk(struct dmp_sim *sim, const struct dmp__lpae_walk_cfg *cfg,
			   dmp_addr_t iova, unsigned int access, struct dmp__lpae_walk_result *res);

/** dmp__lpae_fault_name - "translation", "permission", ... */
const char *dmp__lpae_fault_name(enum dmp__lpae_fault fault);

#endif /* DMP_SIM_LPAE_WALK_H */
