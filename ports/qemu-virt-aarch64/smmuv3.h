/* SPDX-License-Identifier: MIT */
/*
 * smmuv3.h - an Arm SMMUv3 driver for the port: bring-up (stream table,
 * command and event queues), stream table entries, context descriptors
 * built from a dmaport io-pgtable, commands, events.  Not installed.
 *
 * This is the hardware half; the dmp_iommu_ops driver (smmuv3-iommu.c)
 * sits on it.  One
 * CPU drives it and nothing here takes a lock: the port is single-threaded.
 *
 * The facts (register offsets, field positions, command and event formats)
 * come from the Arm SMMUv3 architecture specification (IHI 0070) as Linux's
 * drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h spells them; what QEMU 7.2's
 * model accepts is in ../../shared/QEMU-VIRT.md.
 */
#ifndef DMP_PORT_SMMUV3_H
#define DMP_PORT_SMMUV3_H

#include <dmaport/io-pgtable.h>

#include "port.h"
#include "edu.h"

/* Event IDs (SMMUv3 spec, "Event records"). */
#define SMMU_EVT_C_BAD_STREAMID 0x02
#define SMMU_EVT_C_BAD_STE 0x04
#define SMMU_EVT_C_BAD_CD 0x0a
#define SMMU_EVT_F_TRANSLATION 0x10
#define SMMU_EVT_F_ADDR_SIZE 0x11
#define SMMU_EVT_F_ACCESS 0x12
#define SMMU_EVT_F_PERMISSION 0x13

/* Command errors (CMDQ_CONS.ERR). */
#define SMMU_CERROR_NONE 0
#define SMMU_CERROR_ILL 1
#define SMMU_CERROR_ABT 2

/* Global errors (GERROR / GERRORN bits). */
#define SMMU_GERROR_CMDQ_ERR (1u << 0)
#define SMMU_GERROR_EVTQ_ABT_ERR (1u << 2)
#define SMMU_GERROR_ALL 0x1fdu /* bits 0, 2..8 */

/* Beyond this many pages an invalidation by VA becomes one by ASID. */
#define SMMU_TLBI_VA_MAX 256u

/** One ring in memory: the command queue or the event queue. */
struct smmu_queue {
	uint64_t *base;      /* entries, CPU address */
	dmp_phys_t phys;     /* their physical address (what the SMMU is given) */
	unsigned int log2n;  /* 2^log2n entries */
	unsigned int dwords; /* 64-bit words per entry: 2 (command) or 4 (event) */
	uint32_t prod, cons; /* our copies: index | wrap bit at bit log2n */
	unsigned int prod_reg, cons_reg; /* register offsets */
	unsigned int order;  /* of the pages holding it */
};

/** A decoded event record. */
struct smmu_event {
	uint8_t id;       /* SMMU_EVT_* */
	uint32_t sid;     /* stream ID */
	uint64_t addr;    /* input address (faults) */
	bool read;        /* RnW: the access was a read */
	uint64_t raw[4];
};

struct smmu_domain;

struct smmu {
	void *regs;
	uint32_t idr0, idr1, idr5;
	bool coherent;          /* IDR0.COHACC: table and queue accesses snoop */
	unsigned int oas;       /* output address bits, from IDR5.OAS */
	uint64_t pgsize_bitmap; /* from IDR5.GRAN* */

	uint64_t *strtab; /* linear stream table, 2^st_log2 STEs of 8 dwords */
	dmp_phys_t strtab_phys;
	unsigned int st_log2, st_order;
	struct smmu_queue cmdq, evtq;

	struct smmu_domain **domains; /* per stream ID: the attached domain */
	uint64_t events_seen;    /* records drained, all time */
	uint32_t last_cerror;    /* the last command error skipped */
	uint64_t cmd_errors;     /* command errors skipped */
};

/**
 * smmu_probe - map the SMMU at @base and read what it can do.  Requires
 * stage 1, AArch64 tables and the 4K granule (what dmaport's LPAE format
 * uses first).  Returns 0, -ENODEV (ioremap failed, or none of that).
 */
int smmu_probe(struct smmu *s, dmp_phys_t base);

/**
 * smmu_enable - allocate the stream table (linear, 2^@sid_bits STEs, all
 * "abort"), the command and event queues, program them and enable the SMMU
 * (CMDQEN, EVTQEN, SMMUEN, each acknowledged through CR0ACK); then
 * invalidate all cached configuration and TLBs.  Returns 0, -ENOMEM or -EIO
 * (an acknowledgement or a CMD_SYNC timed out, or a global error).
 */
int smmu_enable(struct smmu *s, unsigned int sid_bits);

/** smmu_disable - SMMUEN off (DMA passes untranslated on QEMU), queues off, memory freed. */
void smmu_disable(struct smmu *s);

/**
 * smmu_cmd - queue one command (two dwords) and write CMDQ_PROD.  Waits if
 * the queue is full.  Returns 0 or -EIO (timeout).  The command has not
 * necessarily run: smmu_sync() waits for it.
 */
int smmu_cmd(struct smmu *s, uint64_t d0, uint64_t d1);

/**
 * smmu_sync - issue CMD_SYNC and wait until the SMMU has consumed it: every
 * earlier command has completed.  A command error on the way (CMDQ_CONS.ERR)
 * is recorded in last_cerror, the command is skipped (replaced with a
 * CMD_SYNC, as Linux's arm_smmu_cmdq_skip_err) and -EIO returned after the
 * queue has drained.  Returns 0, -EIO.
 */
int smmu_sync(struct smmu *s);

/* Commands (each followed by smmu_sync() by the caller, or batched). */
int smmu_cmd_cfgi_ste(struct smmu *s, uint32_t sid);
int smmu_cmd_cfgi_all(struct smmu *s);
int smmu_cmd_tlbi_asid(struct smmu *s, uint16_t asid);
int smmu_cmd_tlbi_va(struct smmu *s, uint16_t asid, uint64_t iova, bool leaf);

/* Stream table entries.  Each rewrites the STE safely (abort first when it
 * was valid, dword 0 last) and ends with CFGI_STE + CMD_SYNC. Return 0/-EIO. */
int smmu_ste_invalid(struct smmu *s, uint32_t sid);
int smmu_ste_abort(struct smmu *s, uint32_t sid);
int smmu_ste_bypass(struct smmu *s, uint32_t sid);
/** smmu_ste_s1 - stage-1 translation through the single context descriptor at @cd_phys. */
int smmu_ste_s1(struct smmu *s, uint32_t sid, dmp_phys_t cd_phys);

/**
 * smmu_cd_build - fill the 8 dwords of a context descriptor for a stage-1
 * table described by @cfg (the output of dmp_alloc_io_pgtable_ops()) and
 * @asid.  The caller writes it to memory the SMMU can read (and cleans it if
 * the SMMU is not coherent) before pointing an STE at it.
 */
void smmu_cd_build(uint64_t cd[8], const struct dmp_io_pgtable_cfg *cfg, uint16_t asid);

/**
 * smmu_sync_mem - make CPU writes to SMMU-read memory (tables, CDs) visible
 * to it: a clean to PoC when the SMMU does not snoop, then a barrier.
 */
void smmu_sync_mem(struct smmu *s, const void *va, size_t size);

/**
 * smmu_events_drain - read every pending event record, in order, calling
 * @fn (may be NULL) for each; acknowledge an overflow.  Returns how many
 * were read.
 */
unsigned int smmu_events_drain(struct smmu *s,
			       void (*fn)(void *arg, const struct smmu_event *ev), void *arg);

/** smmu_gerror - global errors active now (GERROR ^ GERRORN). */
uint32_t smmu_gerror(struct smmu *s);
/** smmu_gerror_ack - acknowledge the active global errors among @bits (GERRORN). */
void smmu_gerror_ack(struct smmu *s, uint32_t bits);
/** smmu_gerror_name - "EVENTQ_ABT_ERR" etc. for GERROR bit number @bit. */
const char *smmu_gerror_name(unsigned int bit);

/** smmu_event_name - "F_TRANSLATION" etc. for an event ID. */
const char *smmu_event_name(uint8_t id);

/**
 * struct smmu_domain - a stage-1 translation context: one dmaport LPAE page
 * table, one context descriptor, one ASID, and a fault handler.  The part of
 * an IOMMU domain that is hardware: the dmp_iommu_ops driver wraps it.
 *
 * @fault:      called by smmu_events_dispatch() for each event of a stream
 *              attached to this domain (Linux's report_iommu_fault()); may
 *              be NULL.
 * @skip_leaf_tlbi: test only - unmap "forgets" the TLB invalidation of
 *              leaves, to show that the SMMU's cached translations outlive
 *              the page table entry.
 */
struct smmu_domain {
	struct smmu *smmu;
	uint16_t asid;
	struct dmp_io_pgtable_cfg cfg; /* the table's output: TTBR, TCR, MAIR */
	struct dmp_io_pgtable_ops *pgt;
	uint64_t *cd;
	dmp_phys_t cd_phys;
	void (*fault)(void *arg, struct smmu_domain *d, const struct smmu_event *ev);
	void *fault_arg;
	unsigned int tlbi_va, tlbi_asid; /* TLBI commands issued */
	uint64_t faults;
	bool skip_leaf_tlbi;
};

/**
 * smmu_domain_init - an empty stage-1 domain on @s with ASID @asid (the
 * caller keeps ASIDs unique): a page table from dmaport's io-pgtable
 * (4K granule, 48-bit IOVA, the SMMU's output size, coherent walk if the
 * SMMU snoops), and a context descriptor pointing at it.  Returns 0,
 * -ENOMEM or -EINVAL (the table cannot be built for this SMMU).
 */
int smmu_domain_init(struct smmu_domain *d, struct smmu *s, uint16_t asid);
/** smmu_domain_fini - free the table (TLBI by ASID first) and the CD.  Detach first. */
void smmu_domain_fini(struct smmu_domain *d);

/**
 * smmu_attach - stream @sid translates through @d from now on (STE
 * stage-1, CFGI_STE, CMD_SYNC).  Returns 0, -EINVAL (@sid beyond the
 * stream table), -EIO.
 */
int smmu_attach(struct smmu *s, uint32_t sid, struct smmu_domain *d);
/** smmu_detach - stream @sid aborts every access.  Returns 0 or -EIO. */
int smmu_detach(struct smmu *s, uint32_t sid);

/**
 * smmu_map - map [@iova, @iova + @size) to @phys (page aligned) with @prot
 * (DMP_IOMMU_*).  Returns 0 or the io-pgtable error (-EINVAL, -ERANGE,
 * -EEXIST, -ENOMEM); on error nothing stays mapped.
 */
int smmu_map(struct smmu_domain *d, uint64_t iova, dmp_phys_t phys, size_t size, int prot);
/**
 * smmu_unmap - strict unmap: clear the entries, TLBI_NH_VA for each page,
 * CMD_SYNC; when it returns the device can no longer reach the pages.
 * Returns the bytes unmapped.
 */
size_t smmu_unmap(struct smmu_domain *d, uint64_t iova, size_t size);

/**
 * smmu_tlbi_range - invalidate the leaves of [@first, @last] (inclusive) in
 * @d's ASID, TLBI_NH_VA every @granule (TLBI_NH_ASID past SMMU_TLBI_VA_MAX
 * pages), then CMD_SYNC.  What the dmp_iommu_ops driver's iotlb_sync does
 * with a gather.  Returns 0 or -EIO.
 */
int smmu_tlbi_range(struct smmu_domain *d, uint64_t first, uint64_t last, size_t granule);

/**
 * smmu_events_dispatch - drain the event queue; each event goes to the
 * fault handler of the domain attached to its stream, or is logged.
 * Returns how many events there were.
 */
unsigned int smmu_events_dispatch(struct smmu *s);

/**
 * smmu_test - the checks of the "smmu" configuration (smmu-test.c): bring-up,
 * commands, STEs and events for @pdev's stream, and DMA by @edu through
 * dmaport's LPAE tables.
 */
void smmu_test(const struct pci_dev *pdev, struct edu *edu);

#endif /* DMP_PORT_SMMUV3_H */
