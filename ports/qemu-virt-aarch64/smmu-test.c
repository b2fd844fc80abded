/* SPDX-License-Identifier: MIT */
/*
 * smmu-test.c - the "smmu" configuration's checks: QEMU's SMMUv3 model
 * executes our commands and walks dmaport's LPAE tables while edu (with its
 * default 28-bit DMA mask) does the DMA.
 *
 * Faults of a stream attached to a domain reach the domain's fault handler
 * (smmu_events_dispatch).  IOVAs come from dmaport's IOVA allocator, below
 * edu's 28-bit mask, picked by hand: this is the hardware half on its own.
 * smmu-dmaapi-test.c then runs the same hardware as a dmp_iommu_ops driver
 * under the DMA API, where dmaport picks the IOVAs.
 */
#include <string.h>

#include <dmaport/io.h>
#include <dmaport/iova.h>
#include <dmaport/memory.h>

#include <dmaport/platform.h>

#include "port.h"
#include "smmuv3.h"

#define EDU_TIMEOUT_NS 2000000000ull
#define TEST_ASID 1
#define EDU_DMA_MASK DMP_BIT_MASK(28) /* QEMU's edu default */
#define POISON 0x5a

/* Events drained since the last call, for the checks. */
struct event_log {
	unsigned int n;
	struct smmu_event ev[16];
};

static void log_event(void *arg, const struct smmu_event *ev)
{
	struct event_log *l = arg;
	/* Only the fault events (0x10 and up) carry the address and RnW. */
	if (ev->id >= SMMU_EVT_F_TRANSLATION)
		port_printf("smmu event: %s (%#x) stream %#x addr %#llx %s\n",
			    smmu_event_name(ev->id), ev->id, ev->sid, (unsigned long long)ev->addr,
			    ev->read ? "read" : "write");
	else
		port_printf("smmu event: %s (%#x) stream %#x\n", smmu_event_name(ev->id), ev->id,
			    ev->sid);
	if (l->n < DMP_ARRAY_SIZE(l->ev))
		l->ev[l->n] = *ev;
	l->n++;
}

/* Streams with no domain: read the queue directly. */
static unsigned int drain(struct smmu *s, struct event_log *l)
{
	memset(l, 0, sizeof(*l));
	return smmu_events_drain(s, log_event, l);
}

/* The test domain's fault handler (what report_iommu_fault() reaches). */
static void domain_fault(void *arg, struct smmu_domain *d, const struct smmu_event *ev)
{
	(void)d;
	log_event(arg, ev);
}

/* Streams attached to a domain: events go through the domain's handler. */
static unsigned int dispatch(struct smmu *s, struct event_log *l)
{
	memset(l, 0, sizeof(*l));
	return smmu_events_dispatch(s);
}

/* True if there was at least one event and all were @id for @sid, the
 * first at @addr (when @addr != ~0). */
static bool events_are(const struct event_log *l, uint8_t id, uint32_t sid, uint64_t addr)
{
	if (l->n == 0)
		return false;
	for (unsigned int i = 0; i < DMP_MIN(l->n, (unsigned int)DMP_ARRAY_SIZE(l->ev)); i++) {
		if (l->ev[i].id != id || l->ev[i].sid != sid)
			return false;
	}
	return addr == ~0ull || l->ev[0].addr == addr;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

/* Pages for the test, their CPU view, and their cache maintenance. */
struct test_page {
	dmp_phys_t phys;
	uint8_t *va;
};

static int page_get(struct test_page *p, uint8_t fill)
{
	int ret = dmp_page_alloc(0, DMP_GFP_KERNEL, DMP_PHYS_ANY, &p->phys);
	if (ret)
		return ret;
	p->va = dmp_phys_to_virt(p->phys);
	memset(p->va, fill, DMP_PAGE_SIZE);
	/* The device will read or write it: nothing dirty may linger. */
	virt_platform_ops.dcache_flush(NULL, p->va, DMP_PAGE_SIZE);
	return 0;
}

static void page_for_cpu(struct test_page *p)
{
	virt_platform_ops.dcache_inval(NULL, p->va, DMP_PAGE_SIZE);
}

static void test_commands(struct smmu *s)
{
	int ret = smmu_sync(s);
	check(ret == 0 && smmu_gerror(s) == 0, "smmu: CMD_SYNC completes (%d)", ret);

	/* Opcode 0 is no command: the SMMU must stop with CERROR_ILL, and the
	 * driver skip it and run on. */
	uint64_t errors = s->cmd_errors;
	ret = smmu_cmd(s, 0x00, 0);
	int sync1 = ret ? ret : smmu_sync(s);
	int sync2 = smmu_sync(s);
	check(sync1 == -EIO && s->cmd_errors == errors + 1 && s->last_cerror == SMMU_CERROR_ILL &&
		      sync2 == 0 && smmu_gerror(s) == 0,
	      "smmu: an illegal command stops the queue with CERROR_ILL (%u), is skipped, "
	      "and the next CMD_SYNC completes (%d, %d)",
	      s->last_cerror, sync1, sync2);
}

void smmu_test(const struct pci_dev *pdev, struct edu *edu)
{
	struct smmu smmu, *s = &smmu;
	struct event_log log;
	uint32_t sid = pci_requester_id(pdev);
	int ret = smmu_probe(s, VIRT_SMMU_BASE);
	check(ret == 0,
	      "smmu: probed at %#llx: IDR0 %#x IDR1 %#x IDR5 %#x (stage 1, AArch64 tables, 4K "
	      "granule, OAS %u bits, %scoherent) (%d)",
	      (unsigned long long)VIRT_SMMU_BASE, s->idr0, s->idr1, s->idr5, s->oas,
	      s->coherent ? "" : "not ", ret);
	if (ret)
		return;
	ret = smmu_enable(s, 8);
	check(ret == 0,
	      "smmu: enabled: linear stream table of %u STEs at %#llx, command queue of %u, "
	      "event queue of %u (%d)",
	      1u << s->st_log2, (unsigned long long)s->strtab_phys, 1u << s->cmdq.log2n,
	      1u << s->evtq.log2n, ret);
	if (ret)
		return;
	test_commands(s);

	struct test_page src, dst0, dst1;
	if (page_get(&src, 0) || page_get(&dst0, POISON) || page_get(&dst1, POISON)) {
		check(false, "smmu: pages for the test");
		return;
	}
	for (size_t i = 0; i < DMP_PAGE_SIZE; i++)
		src.va[i] = (uint8_t)(i * 7 + 3 + (i >> 9));
	virt_platform_ops.dcache_clean(NULL, src.va, DMP_PAGE_SIZE);

	/* A stream whose STE is not valid: C_BAD_STE, no data moves. */
	drain(s, &log);
	ret = smmu_ste_invalid(s, sid);
	int dma = edu_dma(edu, EDU_RAM_TO_DEV, 0x100000, 0, 8, EDU_TIMEOUT_NS);
	drain(s, &log);
	check(ret == 0 && dma == 0 && events_are(&log, SMMU_EVT_C_BAD_STE, sid, ~0ull),
	      "smmu: DMA by stream %#x with an invalid STE: %u C_BAD_STE event(s)", sid, log.n);

	/* An abort STE blocks silently. */
	ret = smmu_ste_abort(s, sid);
	dma = edu_dma(edu, EDU_DEV_TO_RAM, 0x200000, 0, 64, EDU_TIMEOUT_NS);
	drain(s, &log);
	page_for_cpu(&dst0);
	check(ret == 0 && dma == 0 && log.n == 0 && all_bytes(dst0.va, DMP_PAGE_SIZE, POISON),
	      "smmu: DMA by stream %#x with an abort STE: blocked, %u events", sid, log.n);

	/* Stage 1 through dmaport's LPAE tables. */
	struct smmu_domain dom;
	ret = smmu_domain_init(&dom, s, TEST_ASID);
	dom.fault = domain_fault;
	dom.fault_arg = &log;
	check(ret == 0,
	      "smmu: domain: dmaport LPAE stage-1 table at %#llx (TCR %#llx, MAIR %#llx), CD at "
	      "%#llx, ASID %u (%d)",
	      (unsigned long long)dom.cfg.arm_lpae_s1_cfg.ttbr,
	      (unsigned long long)dom.cfg.arm_lpae_s1_cfg.tcr.value,
	      (unsigned long long)dom.cfg.arm_lpae_s1_cfg.mair, (unsigned long long)dom.cd_phys,
	      TEST_ASID, ret);
	if (ret)
		goto out_pages;

	/* IOVAs below the device's mask, from dmaport's allocator. */
	struct dmp_iova_domain iovad;
	unsigned long pfn[4] = { 0 };
	unsigned long long iova_src = 0, iova_dst = 0, iova_unmapped = 0, iova_stale = 0;
	ret = dmp_iova_domain_init(&iovad, DMP_PAGE_SIZE, 1);
	if (ret) {
		check(false, "smmu: IOVA domain (%d)", ret);
		goto out_domain;
	}
	{
		unsigned long limit = dmp_iova_limit_pfn(&iovad, EDU_DMA_MASK);
		int a0 = dmp_alloc_iova(&iovad, 1, limit, true, &pfn[0]);
		int a1 = dmp_alloc_iova(&iovad, 2, limit, true, &pfn[1]);
		int a2 = dmp_alloc_iova(&iovad, 1, limit, true, &pfn[2]);
		int a3 = dmp_alloc_iova(&iovad, 1, limit, true, &pfn[3]);
		ret = a0 ? a0 : a1 ? a1 : a2 ? a2 : a3;
		iova_src = (unsigned long long)pfn[0] << DMP_PAGE_SHIFT;
		iova_dst = (unsigned long long)pfn[1] << DMP_PAGE_SHIFT;
		iova_unmapped = (unsigned long long)pfn[2] << DMP_PAGE_SHIFT;
		iova_stale = (unsigned long long)pfn[3] << DMP_PAGE_SHIFT;
	}
	unsigned long long top = DMP_MAX(DMP_MAX(iova_src, iova_dst + DMP_PAGE_SIZE),
					 DMP_MAX(iova_unmapped, iova_stale)) + DMP_PAGE_SIZE - 1;
	check(ret == 0 && top <= EDU_DMA_MASK,
	      "smmu: IOVAs from dmaport's allocator below edu's 28-bit mask: %#llx, %#llx (2 pages), "
	      "%#llx, %#llx (%d)",
	      iova_src, iova_dst, iova_unmapped, iova_stale, ret);
	if (ret)
		goto out_iova;

	int m0 = smmu_map(&dom, iova_src, src.phys, DMP_PAGE_SIZE, DMP_IOMMU_READ | DMP_IOMMU_CACHE);
	int m1 = smmu_map(&dom, iova_dst, dst0.phys, DMP_PAGE_SIZE,
			  DMP_IOMMU_READ | DMP_IOMMU_WRITE | DMP_IOMMU_CACHE);
	int m2 = smmu_map(&dom, iova_dst + DMP_PAGE_SIZE, dst1.phys, DMP_PAGE_SIZE,
			  DMP_IOMMU_READ | DMP_IOMMU_WRITE | DMP_IOMMU_CACHE);
	ret = smmu_attach(s, sid, &dom);
	check(!m0 && !m1 && !m2 && !ret,
	      "smmu: STE %#x: stage-1 translate; IOVA %#llx -> %#llx (read-only), %#llx -> %#llx, "
	      "%#llx -> %#llx", sid, iova_src, (unsigned long long)src.phys, iova_dst,
	      (unsigned long long)dst0.phys, iova_dst + DMP_PAGE_SIZE,
	      (unsigned long long)dst1.phys);
	if (m0 || m1 || m2 || ret)
		goto out_iova;

	/* RAM -> edu -> RAM, every address an IOVA below edu's 28-bit mask. */
	int d1 = edu_dma(edu, EDU_RAM_TO_DEV, iova_src, 0, EDU_DMA_MAX, EDU_TIMEOUT_NS);
	int d2 = edu_dma(edu, EDU_DEV_TO_RAM, iova_dst, 0, EDU_DMA_MAX, EDU_TIMEOUT_NS);
	dispatch(s, &log);
	page_for_cpu(&dst0);
	check(!d1 && !d2 && log.n == 0 && memcmp(dst0.va, src.va, EDU_DMA_MAX) == 0 &&
		      dst0.va[EDU_DMA_MAX] == POISON,
	      "smmu: edu DMA round trip through the SMMU: IOVA %#llx -> edu -> IOVA %#llx, %u "
	      "bytes intact, %u events (%d, %d)",
	      iova_src, iova_dst, EDU_DMA_MAX, log.n, d1, d2);

	/* Across an IOVA page boundary onto two pages that are not adjacent. */
	memset(dst0.va, POISON, DMP_PAGE_SIZE);
	virt_platform_ops.dcache_flush(NULL, dst0.va, DMP_PAGE_SIZE);
	d1 = edu_dma(edu, EDU_DEV_TO_RAM, iova_dst + DMP_PAGE_SIZE - 100, 0, 200, EDU_TIMEOUT_NS);
	dispatch(s, &log);
	page_for_cpu(&dst0);
	page_for_cpu(&dst1);
	check(!d1 && log.n == 0 && memcmp(dst0.va + DMP_PAGE_SIZE - 100, src.va, 100) == 0 &&
		      memcmp(dst1.va, src.va + 100, 100) == 0 &&
		      all_bytes(dst0.va, DMP_PAGE_SIZE - 100, POISON) &&
		      all_bytes(dst1.va + 100, DMP_PAGE_SIZE - 100, POISON),
	      "smmu: 200 bytes at IOVA %#llx cross into the next IOVA page: %#llx and %#llx "
	      "each get their part (%d)",
	      iova_dst + DMP_PAGE_SIZE - 100, (unsigned long long)dst0.phys,
	      (unsigned long long)dst1.phys, d1);

	/* Nothing mapped: a translation fault per 4-byte access, no data. */
	uint64_t faults0 = dom.faults;
	d1 = edu_dma(edu, EDU_DEV_TO_RAM, iova_unmapped, 0, 16, EDU_TIMEOUT_NS);
	unsigned int nev = dispatch(s, &log);
	check(!d1 && events_are(&log, SMMU_EVT_F_TRANSLATION, sid, iova_unmapped) && !log.ev[0].read &&
		      dom.faults - faults0 == nev,
	      "smmu: edu write to unmapped IOVA %#llx: %u F_TRANSLATION event(s) for stream %#x, "
	      "each delivered to the domain's fault handler",
	      iova_unmapped, log.n, sid);

	/* A write to the read-only mapping: permission faults, page intact. */
	d1 = edu_dma(edu, EDU_DEV_TO_RAM, iova_src, 0, 16, EDU_TIMEOUT_NS);
	dispatch(s, &log);
	page_for_cpu(&src);
	bool src_intact = true;
	for (size_t i = 0; i < DMP_PAGE_SIZE; i++)
		src_intact &= src.va[i] == (uint8_t)(i * 7 + 3 + (i >> 9));
	check(!d1 && events_are(&log, SMMU_EVT_F_PERMISSION, sid, iova_src) && src_intact,
	      "smmu: edu write to read-only IOVA %#llx: %u F_PERMISSION event(s), page intact",
	      iova_src, log.n);

	/* Strict unmap (TLBI by VA + CMD_SYNC): the device loses the page.
	 * QEMU caches translations, so without the TLBI it would not. */
	memset(dst0.va, POISON, DMP_PAGE_SIZE);
	virt_platform_ops.dcache_flush(NULL, dst0.va, DMP_PAGE_SIZE);
	unsigned int tlbi0 = dom.tlbi_va;
	size_t unmapped = smmu_unmap(&dom, iova_dst, DMP_PAGE_SIZE);
	d1 = edu_dma(edu, EDU_DEV_TO_RAM, iova_dst, 0, 16, EDU_TIMEOUT_NS);
	dispatch(s, &log);
	page_for_cpu(&dst0);
	check(unmapped == DMP_PAGE_SIZE && dom.tlbi_va > tlbi0 && !d1 &&
		      events_are(&log, SMMU_EVT_F_TRANSLATION, sid, iova_dst) &&
		      all_bytes(dst0.va, DMP_PAGE_SIZE, POISON),
	      "smmu: after a strict unmap of IOVA %#llx (%u TLBI_NH_VA + CMD_SYNC) the device "
	      "cannot reach the page: %u F_TRANSLATION event(s), page intact",
	      iova_dst, dom.tlbi_va - tlbi0, log.n);

	/*
	 * The negative control for the check above: unmap without the TLBI and
	 * the SMMU keeps using its cached translation (so the check above would
	 * catch a missing or ineffective TLBI); then TLBI_NH_VA + CMD_SYNC ends it.
	 */
	memset(dst1.va, POISON, DMP_PAGE_SIZE);
	virt_platform_ops.dcache_flush(NULL, dst1.va, DMP_PAGE_SIZE);
	m0 = smmu_map(&dom, iova_stale, dst1.phys, DMP_PAGE_SIZE,
		      DMP_IOMMU_READ | DMP_IOMMU_WRITE | DMP_IOMMU_CACHE);
	d1 = edu_dma(edu, EDU_DEV_TO_RAM, iova_stale, 0, 16, EDU_TIMEOUT_NS); /* fills the TLB */
	dom.skip_leaf_tlbi = true;
	unmapped = smmu_unmap(&dom, iova_stale, DMP_PAGE_SIZE);
	dom.skip_leaf_tlbi = false;
	memset(dst1.va, POISON, DMP_PAGE_SIZE);
	virt_platform_ops.dcache_flush(NULL, dst1.va, DMP_PAGE_SIZE);
	d2 = edu_dma(edu, EDU_DEV_TO_RAM, iova_stale, 0, 16, EDU_TIMEOUT_NS);
	dispatch(s, &log);
	page_for_cpu(&dst1);
	bool stale_used = log.n == 0 && memcmp(dst1.va, src.va, 16) == 0;
	smmu_cmd_tlbi_va(s, dom.asid, iova_stale, true);
	int sync = smmu_sync(s);
	memset(dst1.va, POISON, DMP_PAGE_SIZE);
	virt_platform_ops.dcache_flush(NULL, dst1.va, DMP_PAGE_SIZE);
	int d3 = edu_dma(edu, EDU_DEV_TO_RAM, iova_stale, 0, 16, EDU_TIMEOUT_NS);
	dispatch(s, &log);
	page_for_cpu(&dst1);
	check(!m0 && !d1 && unmapped == DMP_PAGE_SIZE && !d2 && stale_used && !sync && !d3 &&
		      events_are(&log, SMMU_EVT_F_TRANSLATION, sid, iova_stale) &&
		      all_bytes(dst1.va, DMP_PAGE_SIZE, POISON),
	      "smmu: control: unmapped without TLBI, IOVA %#llx still reaches the page (the "
	      "SMMU's cached translation: %s); after TLBI_NH_VA + CMD_SYNC it faults (%u events)",
	      iova_stale, stale_used ? "yes" : "no", log.n);

	struct dmp_io_pgtable_stats st;
	ret = dmp_io_pgtable_check(dom.pgt, &st);
	check(ret == 0 && st.leaves == 2 && smmu_gerror(s) == 0,
	      "smmu: page table consistent (%zu tables, %zu leaves), no global errors (%#x)",
	      st.tables, st.leaves, smmu_gerror(s));

	for (unsigned int i = 0; i < 4; i++)
		dmp_free_iova(&iovad, pfn[i]);
	ret = dmp_iova_domain_check(&iovad);
	struct dmp_iova_stats ist;
	dmp_iova_domain_stats(&iovad, &ist);
	check(ret == 0 && ist.ranges == 0, "smmu: IOVA domain consistent and empty after the frees (%d)",
	      ret);
out_iova:
	dmp_iova_domain_destroy(&iovad);
out_domain:
	smmu_detach(s, sid);
	smmu_domain_fini(&dom);
out_pages:
	dmp_page_free(src.phys, 0);
	dmp_page_free(dst0.phys, 0);
	dmp_page_free(dst1.phys, 0);
	smmu_disable(s);
}
