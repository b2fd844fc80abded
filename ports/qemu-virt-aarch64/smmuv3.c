/* SPDX-License-Identifier: MIT */
/*
 * smmuv3.c - Arm SMMUv3: bring-up, queues, stream table entries, context
 * descriptors, commands and events.  See smmuv3.h.
 */
#include <string.h>

#include <dmaport/io.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/memory.h>

#include <dmaport/platform.h>

#include "smmuv3.h"

/* Registers (page 0, except the event queue indexes on page 1). */
#define SMMU_IDR0 0x00
#define SMMU_IDR1 0x04
#define SMMU_IDR5 0x14
#define SMMU_CR0 0x20
#define SMMU_CR0ACK 0x24
#define SMMU_CR1 0x28
#define SMMU_CR2 0x2c
#define SMMU_IRQ_CTRL 0x50
#define SMMU_IRQ_CTRLACK 0x54
#define SMMU_GERROR 0x60
#define SMMU_GERRORN 0x64
#define SMMU_STRTAB_BASE 0x80
#define SMMU_STRTAB_BASE_CFG 0x88
#define SMMU_CMDQ_BASE 0x90
#define SMMU_CMDQ_PROD 0x98
#define SMMU_CMDQ_CONS 0x9c
#define SMMU_EVTQ_BASE 0xa0
#define SMMU_EVTQ_PROD 0x100a8
#define SMMU_EVTQ_CONS 0x100ac

#define IDR0_S1P (1u << 1)
#define IDR0_TTF_SHIFT 2 /* [3:2]: 2 AArch64, 3 both */
#define IDR0_COHACC (1u << 4)
#define IDR1_SIDSIZE(v) ((v) & 0x3f)
#define IDR1_EVTQS(v) (((v) >> 16) & 0x1f)
#define IDR1_CMDQS(v) (((v) >> 21) & 0x1f)
#define IDR5_OAS(v) ((v) & 7)
#define IDR5_GRAN4K (1u << 4)
#define IDR5_GRAN16K (1u << 5)
#define IDR5_GRAN64K (1u << 6)

#define CR0_SMMUEN (1u << 0)
#define CR0_EVTQEN (1u << 2)
#define CR0_CMDQEN (1u << 3)
/* CR1: where the SMMU's own table and queue accesses go.  Its cache fields
 * are not TCR-style: 1 means write-back. */
#define CR1_CACHE_WB 1u
#define CR1_SH_ISH 3u
#define CR1_VALUE (CR1_SH_ISH << 10 | CR1_CACHE_WB << 8 | CR1_CACHE_WB << 6 | \
		   CR1_SH_ISH << 4 | CR1_CACHE_WB << 2 | CR1_CACHE_WB)
#define CR2_RECINVSID (1u << 1) /* record events for out-of-range stream IDs */

#define Q_BASE_RWA (1ull << 62) /* read/write allocate hint */
#define Q_BASE_ADDR_MASK 0x000fffffffffffe0ull /* [51:5] */
#define Q_OVF (1u << 31)
#define CMDQ_CONS_ERR(v) (((v) >> 24) & 0x7f)

#define STRTAB_BASE_ADDR_MASK 0x000fffffffffffc0ull /* [51:6] */

/* STE (8 dwords). */
#define STE_0_V (1ull << 0)
#define STE_0_CFG(c) ((uint64_t)(c) << 1)
#define STE_CFG_ABORT 0
#define STE_CFG_BYPASS 4
#define STE_CFG_S1 5
#define STE_0_S1CTXPTR_MASK 0x000fffffffffffc0ull
#define STE_1_S1CIR(c) ((uint64_t)(c) << 2)
#define STE_1_S1COR(c) ((uint64_t)(c) << 4)
#define STE_1_S1CSH(s) ((uint64_t)(s) << 6)
#define STE_1_SHCFG_INCOMING (1ull << 44)
#define STE_S1C_WBRA 1

/* CD (8 dwords). */
#define CD_0_EPD1 (1ull << 30)
#define CD_0_V (1ull << 31)
#define CD_0_AA64 (1ull << 41)
#define CD_0_R (1ull << 45) /* record faults (else QEMU drops them) */
#define CD_0_A (1ull << 46) /* abort (rather than RAZ/WI) on fault */
#define CD_0_ASET (1ull << 47) /* ASID not shared with a CPU's */
#define CD_1_TTB0_MASK 0x000ffffffffffff0ull

/* Commands (2 dwords). */
#define CMD_CFGI_STE 0x03
#define CMD_CFGI_ALL 0x04
#define CMD_TLBI_NH_ASID 0x11
#define CMD_TLBI_NH_VA 0x12
#define CMD_TLBI_NSNH_ALL 0x30
#define CMD_SYNC 0x46
#define CMD_SID(sid) ((uint64_t)(sid) << 32)
#define CMD_ASID(a) ((uint64_t)(a) << 48)

#define SMMU_TIMEOUT_NS 1000000000ull

static volatile uint8_t *smmu_reg(struct smmu *s, unsigned int off)
{
	return (volatile uint8_t *)s->regs + off;
}

static uint32_t rd32(struct smmu *s, unsigned int off)
{
	return dmp_readl(smmu_reg(s, off));
}

static void wr32(struct smmu *s, unsigned int off, uint32_t v)
{
	dmp_writel(v, smmu_reg(s, off));
}

static void wr64(struct smmu *s, unsigned int off, uint64_t v)
{
	dmp_writeq(v, smmu_reg(s, off));
}

const char *smmu_event_name(uint8_t id)
{
	switch (id) {
	case 0x01: return "F_UUT";
	case SMMU_EVT_C_BAD_STREAMID: return "C_BAD_STREAMID";
	case 0x03: return "F_STE_FETCH";
	case SMMU_EVT_C_BAD_STE: return "C_BAD_STE";
	case 0x07: return "F_STREAM_DISABLED";
	case 0x09: return "C_BAD_SUBSTREAMID";
	case SMMU_EVT_C_BAD_CD: return "C_BAD_CD";
	case 0x0b: return "F_WALK_EABT";
	case SMMU_EVT_F_TRANSLATION: return "F_TRANSLATION";
	case SMMU_EVT_F_ADDR_SIZE: return "F_ADDR_SIZE";
	case SMMU_EVT_F_ACCESS: return "F_ACCESS";
	case SMMU_EVT_F_PERMISSION: return "F_PERMISSION";
	case 0x20: return "F_TLB_CONFLICT";
	case 0x21: return "F_CFG_CONFLICT";
	default: return "?";
	}
}

int smmu_probe(struct smmu *s, dmp_phys_t base)
{
	static const unsigned char oas_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	memset(s, 0, sizeof(*s));
	if (dmp_ioremap(base, 0x20000, &s->regs))
		return -ENODEV;
	s->idr0 = rd32(s, SMMU_IDR0);
	s->idr1 = rd32(s, SMMU_IDR1);
	s->idr5 = rd32(s, SMMU_IDR5);
	unsigned int ttf = (s->idr0 >> IDR0_TTF_SHIFT) & 3;
	unsigned int oas = IDR5_OAS(s->idr5);
	if (!(s->idr0 & IDR0_S1P) || !(ttf & 2) || !(s->idr5 & IDR5_GRAN4K) ||
	    oas >= sizeof(oas_bits))
		goto err_unmap;
	s->coherent = s->idr0 & IDR0_COHACC;
	/* dmaport's LPAE format goes up to 48-bit output addresses. */
	s->oas = DMP_MIN(oas_bits[oas], 48u);
	s->pgsize_bitmap = 0;
	if (s->idr5 & IDR5_GRAN4K)
		s->pgsize_bitmap |= (1ull << 12) | (1ull << 21) | (1ull << 30);
	if (s->idr5 & IDR5_GRAN16K)
		s->pgsize_bitmap |= (1ull << 14) | (1ull << 25);
	if (s->idr5 & IDR5_GRAN64K)
		s->pgsize_bitmap |= (1ull << 16) | (1ull << 29);
	return 0;

err_unmap:
	dmp_iounmap(s->regs);
	s->regs = NULL;
	return -ENODEV;
}

void smmu_sync_mem(struct smmu *s, const void *va, size_t size)
{
	if (!s->coherent) {
		/* the tables and queues are dmaport pages (dmp_page_alloc) */
		dmp_phys_t pa = 0;
		int ret = dmp_virt_to_phys(va, &pa);
		DMP_ASSERT(ret == 0);
		(void)ret;
		dmp_arch_sync_for_device(pa, va, size, DMP_TO_DEVICE);
	}
	/* The SMMU is another observer in the outer-shareable domain. */
	dmp_dma_wmb();
}

/* Write CR0 and wait for the SMMU to acknowledge it in CR0ACK. */
static int write_cr0(struct smmu *s, uint32_t v)
{
	wr32(s, SMMU_CR0, v);
	uint64_t deadline = dmp_time_ns() + SMMU_TIMEOUT_NS;
	while (rd32(s, SMMU_CR0ACK) != v) {
		if (dmp_time_ns() > deadline)
			return -EIO;
		dmp_cpu_relax(0);
	}
	return 0;
}

/* Queue index arithmetic: index in the low log2n bits, a wrap bit above. */
static uint32_t q_idx(const struct smmu_queue *q, uint32_t p)
{
	return p & ((1u << q->log2n) - 1);
}

static uint32_t q_inc(const struct smmu_queue *q, uint32_t p)
{
	return (p + 1) & ((2u << q->log2n) - 1);
}

static bool q_full(const struct smmu_queue *q)
{
	return q_idx(q, q->prod) == q_idx(q, q->cons) && q->prod != q->cons;
}

static int queue_alloc(struct smmu_queue *q, unsigned int log2n, unsigned int dwords,
		       unsigned int prod_reg, unsigned int cons_reg)
{
	size_t bytes = ((size_t)dwords * 8) << log2n;
	q->order = dmp_get_order(bytes);
	/* Blocks are aligned to their size: the base alignment the spec asks
	 * for (the queue size, at least 32 bytes). */
	int ret = dmp_page_alloc(q->order, DMP_GFP_ZERO, DMP_PHYS_ANY, &q->phys);
	if (ret)
		return ret;
	q->base = dmp_phys_to_virt(q->phys);
	q->log2n = log2n;
	q->dwords = dwords;
	q->prod = q->cons = 0;
	q->prod_reg = prod_reg;
	q->cons_reg = cons_reg;
	return 0;
}

static void queue_free(struct smmu_queue *q)
{
	if (q->base)
		dmp_page_free(q->phys, q->order);
	q->base = NULL;
}

int smmu_cmd(struct smmu *s, uint64_t d0, uint64_t d1)
{
	struct smmu_queue *q = &s->cmdq;
	uint64_t deadline = dmp_time_ns() + SMMU_TIMEOUT_NS;
	while (q_full(q)) {
		q->cons = rd32(s, SMMU_CMDQ_CONS) & ((2u << q->log2n) - 1);
		if (dmp_time_ns() > deadline)
			return -EIO;
	}
	uint64_t *ent = q->base + (size_t)q_idx(q, q->prod) * q->dwords;
	ent[0] = d0;
	ent[1] = d1;
	smmu_sync_mem(s, ent, 16);
	q->prod = q_inc(q, q->prod);
	/* dmp_writel() orders the entry's stores before the PROD update. */
	wr32(s, SMMU_CMDQ_PROD, q->prod);
	return 0;
}

/*
 * A command failed: CMDQ_CONS points at it and GERROR.CMDQ_ERR is active;
 * the SMMU stops consuming until GERRORN acknowledges.  Overwrite the bad
 * command with a harmless CMD_SYNC and acknowledge, so the queue runs on
 * (Linux: arm_smmu_cmdq_skip_err).
 */
static void cmdq_skip_err(struct smmu *s, uint32_t cons)
{
	struct smmu_queue *q = &s->cmdq;
	s->last_cerror = CMDQ_CONS_ERR(cons);
	s->cmd_errors++;
	uint64_t *ent = q->base + (size_t)q_idx(q, cons) * q->dwords;
	dmp_log("smmu: command %#llx %#llx failed, CERROR %u: skipped",
		 (unsigned long long)ent[0], (unsigned long long)ent[1], s->last_cerror);
	ent[0] = CMD_SYNC;
	ent[1] = 0;
	smmu_sync_mem(s, ent, 16);
	smmu_gerror_ack(s, SMMU_GERROR_CMDQ_ERR);
}

int smmu_sync(struct smmu *s)
{
	struct smmu_queue *q = &s->cmdq;
	int ret = smmu_cmd(s, CMD_SYNC, 0); /* CS = none: we poll CONS */
	if (ret)
		return ret;
	bool failed = false;
	uint64_t deadline = dmp_time_ns() + SMMU_TIMEOUT_NS;
	for (;;) {
		uint32_t cons = rd32(s, SMMU_CMDQ_CONS);
		bool err_active = smmu_gerror(s) & SMMU_GERROR_CMDQ_ERR;
		if (err_active) {
			cmdq_skip_err(s, cons);
			failed = true;
			continue;
		}
		q->cons = cons & ((2u << q->log2n) - 1);
		if (q->cons == q->prod)
			break; /* single producer: empty means our SYNC is done */
		if (dmp_time_ns() > deadline)
			return -EIO;
		dmp_cpu_relax(0);
	}
	return failed ? -EIO : 0;
}

int smmu_cmd_cfgi_ste(struct smmu *s, uint32_t sid)
{
	return smmu_cmd(s, CMD_CFGI_STE | CMD_SID(sid), 1 /* leaf */);
}

int smmu_cmd_cfgi_all(struct smmu *s)
{
	return smmu_cmd(s, CMD_CFGI_ALL, 31 /* range: all stream IDs */);
}

int smmu_cmd_tlbi_asid(struct smmu *s, uint16_t asid)
{
	return smmu_cmd(s, CMD_TLBI_NH_ASID | CMD_ASID(asid), 0);
}

int smmu_cmd_tlbi_va(struct smmu *s, uint16_t asid, uint64_t iova, bool leaf)
{
	return smmu_cmd(s, CMD_TLBI_NH_VA | CMD_ASID(asid),
			(iova & ~0xfffull) | (leaf ? 1u : 0u));
}

uint32_t smmu_gerror(struct smmu *s)
{
	return rd32(s, SMMU_GERROR) ^ rd32(s, SMMU_GERRORN);
}

void smmu_gerror_ack(struct smmu *s, uint32_t bits)
{
	/* An error is active while its GERROR and GERRORN bits differ: make
	 * GERRORN's bit equal GERROR's. */
	uint32_t gerror = rd32(s, SMMU_GERROR), gerrorn = rd32(s, SMMU_GERRORN);
	wr32(s, SMMU_GERRORN, (gerrorn & ~bits) | (gerror & bits));
}

const char *smmu_gerror_name(unsigned int bit)
{
	static const char *const names[] = {
		"CMDQ_ERR", "?", "EVENTQ_ABT_ERR", "PRIQ_ABT_ERR", "MSI_CMDQ_ABT_ERR",
		"MSI_EVENTQ_ABT_ERR", "MSI_PRIQ_ABT_ERR", "MSI_GERROR_ABT_ERR", "SFM_ERR",
	};
	return bit < DMP_ARRAY_SIZE(names) ? names[bit] : "?";
}

int smmu_enable(struct smmu *s, unsigned int sid_bits)
{
	int ret;
	DMP_ASSERT(s->regs);
	if (sid_bits > IDR1_SIDSIZE(s->idr1))
		return -EINVAL;
	/* Whatever firmware left: off, so the tables can be replaced. */
	ret = write_cr0(s, 0);
	if (ret)
		return ret;

	/* Linear stream table: one 64-byte STE per stream ID, aligned to its size. */
	s->st_log2 = sid_bits;
	s->st_order = dmp_get_order((size_t)64 << sid_bits);
	ret = dmp_page_alloc(s->st_order, DMP_GFP_ZERO, DMP_PHYS_ANY, &s->strtab_phys);
	if (ret)
		return ret;
	s->strtab = dmp_phys_to_virt(s->strtab_phys);
	s->domains = dmp_kzalloc(sizeof(*s->domains) << sid_bits, DMP_GFP_KERNEL);
	if (!s->domains) {
		ret = -ENOMEM;
		goto err_free_strtab;
	}
	/* Every stream aborts until it is given a configuration (Linux's
	 * default with disable_bypass). */
	for (size_t i = 0; i < ((size_t)1 << sid_bits); i++)
		s->strtab[i * 8] = STE_0_V | STE_0_CFG(STE_CFG_ABORT);
	smmu_sync_mem(s, s->strtab, (size_t)64 << sid_bits);

	/* 256 commands and 128 events: a page each, well within IDR1's limits. */
	unsigned int cmd_log2 = DMP_MIN(8u, IDR1_CMDQS(s->idr1));
	unsigned int evt_log2 = DMP_MIN(7u, IDR1_EVTQS(s->idr1));
	ret = queue_alloc(&s->cmdq, cmd_log2, 2, SMMU_CMDQ_PROD, SMMU_CMDQ_CONS);
	if (ret)
		goto err_free_strtab;
	ret = queue_alloc(&s->evtq, evt_log2, 4, SMMU_EVTQ_PROD, SMMU_EVTQ_CONS);
	if (ret)
		goto err_free_cmdq;

	wr32(s, SMMU_CR1, CR1_VALUE);
	wr32(s, SMMU_CR2, CR2_RECINVSID);
	wr64(s, SMMU_STRTAB_BASE, (s->strtab_phys & STRTAB_BASE_ADDR_MASK) | Q_BASE_RWA);
	wr32(s, SMMU_STRTAB_BASE_CFG, sid_bits); /* FMT = 0: linear; LOG2SIZE */
	wr64(s, SMMU_CMDQ_BASE, (s->cmdq.phys & Q_BASE_ADDR_MASK) | Q_BASE_RWA | cmd_log2);
	wr32(s, SMMU_CMDQ_PROD, 0);
	wr32(s, SMMU_CMDQ_CONS, 0);
	wr64(s, SMMU_EVTQ_BASE, (s->evtq.phys & Q_BASE_ADDR_MASK) | Q_BASE_RWA | evt_log2);
	wr32(s, SMMU_EVTQ_PROD, 0);
	wr32(s, SMMU_EVTQ_CONS, 0);
	/* No interrupts: the port polls the event queue and GERROR. */
	wr32(s, SMMU_IRQ_CTRL, 0);

	uint32_t cr0 = CR0_CMDQEN;
	ret = write_cr0(s, cr0);
	if (ret)
		goto err_free_evtq;
	/* Nothing cached from before may survive: configuration and TLBs. */
	ret = smmu_cmd_cfgi_all(s);
	if (!ret)
		ret = smmu_cmd(s, CMD_TLBI_NSNH_ALL, 0);
	if (!ret)
		ret = smmu_sync(s);
	if (ret)
		goto err_disable;
	cr0 |= CR0_EVTQEN;
	ret = write_cr0(s, cr0);
	if (ret)
		goto err_disable;
	cr0 |= CR0_SMMUEN;
	ret = write_cr0(s, cr0);
	if (ret)
		goto err_disable;
	return smmu_gerror(s) ? -EIO : 0;

err_disable:
	write_cr0(s, 0);
err_free_evtq:
	queue_free(&s->evtq);
err_free_cmdq:
	queue_free(&s->cmdq);
err_free_strtab:
	dmp_kfree(s->domains);
	s->domains = NULL;
	dmp_page_free(s->strtab_phys, s->st_order);
	s->strtab = NULL;
	return ret;
}

void smmu_disable(struct smmu *s)
{
	write_cr0(s, 0);
	queue_free(&s->evtq);
	queue_free(&s->cmdq);
	if (s->strtab)
		dmp_page_free(s->strtab_phys, s->st_order);
	s->strtab = NULL;
	dmp_kfree(s->domains);
	s->domains = NULL;
}

/*
 * Replace an STE.  The SMMU may fetch the 64 bytes at any time and a CPU
 * cannot write them atomically, so: if it is valid, make it "abort" and
 * invalidate first; then write dwords 1..7, then dword 0 (which holds V and
 * Config) last, then CFGI_STE + CMD_SYNC so no stale copy stays cached
 * (Linux: arm_smmu_write_strtab_ent and its successors).
 */
static int ste_write(struct smmu *s, uint32_t sid, const uint64_t ste[8])
{
	DMP_ASSERT(sid < (1u << s->st_log2));
	volatile uint64_t *dst = s->strtab + (size_t)sid * 8;
	int ret;
	if (dst[0] & STE_0_V) {
		dst[0] = STE_0_V | STE_0_CFG(STE_CFG_ABORT);
		smmu_sync_mem(s, (const void *)dst, 64);
		ret = smmu_cmd_cfgi_ste(s, sid);
		if (!ret)
			ret = smmu_sync(s);
		if (ret)
			return ret;
	}
	for (unsigned int i = 1; i < 8; i++)
		dst[i] = ste[i];
	smmu_sync_mem(s, (const void *)dst, 64);
	dst[0] = ste[0];
	smmu_sync_mem(s, (const void *)dst, 64);
	ret = smmu_cmd_cfgi_ste(s, sid);
	if (!ret)
		ret = smmu_sync(s);
	return ret;
}

int smmu_ste_invalid(struct smmu *s, uint32_t sid)
{
	const uint64_t ste[8] = { 0 };
	return ste_write(s, sid, ste);
}

int smmu_ste_abort(struct smmu *s, uint32_t sid)
{
	const uint64_t ste[8] = { STE_0_V | STE_0_CFG(STE_CFG_ABORT) };
	return ste_write(s, sid, ste);
}

int smmu_ste_bypass(struct smmu *s, uint32_t sid)
{
	/* SHCFG = incoming: keep the device's shareability, as Linux does. */
	const uint64_t ste[8] = { STE_0_V | STE_0_CFG(STE_CFG_BYPASS), STE_1_SHCFG_INCOMING };
	return ste_write(s, sid, ste);
}

int smmu_ste_s1(struct smmu *s, uint32_t sid, dmp_phys_t cd_phys)
{
	DMP_ASSERT(DMP_IS_ALIGNED(cd_phys, 64));
	/* S1FMT linear, S1CDMAX 0 (one CD, no substreams) and S1STALLD 0:
	 * QEMU 7.2 rejects anything else as C_BAD_STE.  The CD fetches are
	 * write-back inner shareable, as the CD memory is. */
	const uint64_t ste[8] = {
		STE_0_V | STE_0_CFG(STE_CFG_S1) | (cd_phys & STE_0_S1CTXPTR_MASK),
		STE_1_S1CIR(STE_S1C_WBRA) | STE_1_S1COR(STE_S1C_WBRA) | STE_1_S1CSH(CR1_SH_ISH),
	};
	return ste_write(s, sid, ste);
}

void smmu_cd_build(uint64_t cd[8], const struct dmp_io_pgtable_cfg *cfg, uint16_t asid)
{
	const __typeof__(cfg->arm_lpae_s1_cfg) *c = &cfg->arm_lpae_s1_cfg;
	memset(cd, 0, 8 * sizeof(cd[0]));
	/* The CD's TCR fields sit where TCR_EL1's do, except TG0 (7:6 here)
	 * and EPD1 (30); the TG0 encoding is the same. */
	cd[0] = (uint64_t)c->tcr.tsz | (uint64_t)c->tcr.tg << 6 | (uint64_t)c->tcr.irgn << 8 |
		(uint64_t)c->tcr.orgn << 10 | (uint64_t)c->tcr.sh << 12 | CD_0_EPD1 | CD_0_V |
		(uint64_t)c->tcr.ips << 32 | CD_0_AA64 | CD_0_R | CD_0_A | CD_0_ASET |
		(uint64_t)asid << 48;
	cd[1] = c->ttbr & CD_1_TTB0_MASK;
	cd[3] = c->mair;
}

unsigned int smmu_events_drain(struct smmu *s,
			       void (*fn)(void *arg, const struct smmu_event *ev), void *arg)
{
	struct smmu_queue *q = &s->evtq;
	unsigned int n = 0;
	uint32_t mask = (2u << q->log2n) - 1;
	uint32_t prod = rd32(s, SMMU_EVTQ_PROD);
	/* The SMMU flips PROD.OVFLG when it had to drop records; we
	 * acknowledge by copying it into CONS. */
	bool overflow = (prod & Q_OVF) != (q->cons & Q_OVF);
	if (overflow)
		dmp_log("smmu: event queue overflowed: events were lost");
	uint32_t ovf = prod & Q_OVF;
	q->prod = prod & mask;
	while ((q->cons & mask) != q->prod) {
		const uint64_t *ent = q->base + (size_t)q_idx(q, q->cons) * q->dwords;
		if (!s->coherent)
			dmp_arch_sync_for_cpu(q->phys + (dmp_phys_t)((const uint8_t *)ent -
								    (const uint8_t *)q->base),
					      ent, 32, DMP_FROM_DEVICE);
		dmp_dma_rmb(); /* the record is read after PROD was */
		struct smmu_event ev = {
			.id = (uint8_t)(ent[0] & 0xff),
			.sid = (uint32_t)(ent[0] >> 32),
			.addr = ent[2],
			.read = (ent[1] >> 35) & 1,
			.raw = { ent[0], ent[1], ent[2], ent[3] },
		};
		q->cons = (q_inc(q, q->cons & mask)) | ovf;
		s->events_seen++;
		n++;
		if (fn)
			fn(arg, &ev);
	}
	q->cons = (q->cons & mask) | ovf;
	wr32(s, SMMU_EVTQ_CONS, q->cons);
	return n;
}

/* ---- stage-1 domains ------------------------------------------------------ */

static void dom_tlb_flush_all(void *cookie)
{
	struct smmu_domain *d = cookie;
	d->tlbi_asid++;
	smmu_cmd_tlbi_asid(d->smmu, d->asid);
	smmu_sync(d->smmu);
}

static void dom_tlb_flush_walk(dmp_addr_t iova, size_t size, size_t granule, void *cookie)
{
	struct smmu_domain *d = cookie;
	/* Not leaf-only: the walk cache holds the removed table pointers, and
	 * the table is freed when this returns.  A large range is cheaper as
	 * one invalidation of the whole ASID (walks included). */
	if (size / granule > SMMU_TLBI_VA_MAX) {
		dom_tlb_flush_all(cookie);
		return;
	}
	for (dmp_addr_t a = iova; a < iova + size; a += granule) {
		d->tlbi_va++;
		smmu_cmd_tlbi_va(d->smmu, d->asid, a, false);
	}
	smmu_sync(d->smmu);
}

static void dom_tlb_add_page(struct dmp_iommu_iotlb_gather *gather, dmp_addr_t iova,
			     size_t granule, void *cookie)
{
	struct smmu_domain *d = cookie;
	if (gather) {
		/* The IOMMU core's unmap: its iotlb_sync invalidates the batch
		 * (smmu_tlbi_range). */
		dmp_iommu_iotlb_gather_add(gather, iova, granule);
		return;
	}
	if (d->skip_leaf_tlbi)
		return;
	/* Queued now; smmu_unmap()'s CMD_SYNC completes the batch. */
	d->tlbi_va++;
	smmu_cmd_tlbi_va(d->smmu, d->asid, iova, true);
}

int smmu_tlbi_range(struct smmu_domain *d, uint64_t first, uint64_t last, size_t granule)
{
	DMP_ASSERT(granule && last >= first);
	uint64_t start = first & ~((uint64_t)granule - 1);
	if ((last - start) / granule + 1 > SMMU_TLBI_VA_MAX) {
		d->tlbi_asid++;
		smmu_cmd_tlbi_asid(d->smmu, d->asid);
	} else {
		/* Leaf only: the unmap removed leaves; a removed table went
		 * through tlb_flush_walk already. */
		for (uint64_t a = start; a <= last; a += granule) {
			d->tlbi_va++;
			smmu_cmd_tlbi_va(d->smmu, d->asid, a, true);
		}
	}
	return smmu_sync(d->smmu);
}

static const struct dmp_iommu_flush_ops dom_flush_ops = {
	.tlb_flush_all = dom_tlb_flush_all,
	.tlb_flush_walk = dom_tlb_flush_walk,
	.tlb_add_page = dom_tlb_add_page,
};

int smmu_domain_init(struct smmu_domain *d, struct smmu *s, uint16_t asid)
{
	DMP_ASSERT(d && s && s->regs);
	memset(d, 0, sizeof(*d));
	d->smmu = s;
	d->asid = asid;
	d->cfg.pgsize_bitmap = s->pgsize_bitmap;
	d->cfg.ias = 48;
	d->cfg.oas = s->oas;
	d->cfg.coherent_walk = s->coherent;
	d->cfg.tlb = &dom_flush_ops;
	int ret = dmp_alloc_io_pgtable_ops(DMP_ARM_64_LPAE_S1, &d->cfg, d, &d->pgt);
	if (ret)
		return ret;
	ret = dmp_page_alloc(0, DMP_GFP_ZERO, DMP_PHYS_ANY, &d->cd_phys);
	if (ret)
		goto err_free_pgt;
	d->cd = dmp_phys_to_virt(d->cd_phys);
	uint64_t cd[8];
	smmu_cd_build(cd, &d->cfg, asid);
	/* Dword 0 (V) last, as for an STE: the SMMU may fetch at any time. */
	for (unsigned int i = 1; i < 8; i++)
		d->cd[i] = cd[i];
	smmu_sync_mem(s, d->cd, 64);
	d->cd[0] = cd[0];
	smmu_sync_mem(s, d->cd, 64);
	return 0;

err_free_pgt:
	dmp_free_io_pgtable_ops(d->pgt);
	d->pgt = NULL;
	return ret;
}

void smmu_domain_fini(struct smmu_domain *d)
{
	dmp_free_io_pgtable_ops(d->pgt); /* TLBI by ASID first */
	d->pgt = NULL;
	if (d->cd)
		dmp_page_free(d->cd_phys, 0);
	d->cd = NULL;
}

int smmu_attach(struct smmu *s, uint32_t sid, struct smmu_domain *d)
{
	if (sid >= (1u << s->st_log2))
		return -EINVAL;
	int ret = smmu_ste_s1(s, sid, d->cd_phys);
	if (!ret)
		s->domains[sid] = d;
	return ret;
}

int smmu_detach(struct smmu *s, uint32_t sid)
{
	if (sid >= (1u << s->st_log2))
		return -EINVAL;
	s->domains[sid] = NULL;
	return smmu_ste_abort(s, sid);
}

int smmu_map(struct smmu_domain *d, uint64_t iova, dmp_phys_t phys, size_t size, int prot)
{
	DMP_ASSERT(DMP_IS_ALIGNED(iova | phys | size, DMP_PAGE_SIZE) && size);
	size_t mapped = 0;
	int ret = d->pgt->map_pages(d->pgt, iova, phys, DMP_PAGE_SIZE, size / DMP_PAGE_SIZE, prot,
				    DMP_GFP_KERNEL, &mapped);
	if (ret && mapped)
		smmu_unmap(d, iova, mapped);
	return ret;
}

size_t smmu_unmap(struct smmu_domain *d, uint64_t iova, size_t size)
{
	DMP_ASSERT(DMP_IS_ALIGNED(iova | size, DMP_PAGE_SIZE));
	size_t n = d->pgt->unmap_pages(d->pgt, iova, DMP_PAGE_SIZE, size / DMP_PAGE_SIZE, NULL);
	smmu_sync(d->smmu);
	return n;
}

static void dispatch_one(void *arg, const struct smmu_event *ev)
{
	struct smmu *s = arg;
	struct smmu_domain *d = ev->sid < (1u << s->st_log2) ? s->domains[ev->sid] : NULL;
	if (d && d->fault) {
		d->faults++;
		d->fault(d->fault_arg, d, ev);
		return;
	}
	dmp_log("smmu: event %s (%#x) stream %#x addr %#llx", smmu_event_name(ev->id), ev->id,
		 ev->sid, (unsigned long long)ev->addr);
}

unsigned int smmu_events_dispatch(struct smmu *s)
{
	return smmu_events_drain(s, dispatch_one, s);
}
