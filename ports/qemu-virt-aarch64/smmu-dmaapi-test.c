/* SPDX-License-Identifier: MIT */
/*
 * smmu-dmaapi-test.c - the "smmu" configuration's checks through dmaport's
 * API: the SMMUv3 registered as a dmp_iommu_ops driver (smmuv3-iommu.c), edu
 * probed into it with its stream ID from enumeration, and edu (default
 * 28-bit mask) driven the way a Linux driver is written: dmp_set_mask,
 * dmp_map_single / dmp_map_sg, start the device, dmp_sync / dmp_unmap.
 * Every IOVA comes from dmaport's DMA-over-IOMMU layer; faults reach the
 * handler set with dmp_iommu_set_fault_handler() on the device's domain.
 *
 * No interrupts: after each transfer the test calls smmu_iommu_poll(), the
 * driver's event-queue handler.
 */
#include <string.h>

#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/memory.h>
#include <dmaport/platform.h>
#include <dmaport/scatterlist.h>

#include "port.h"
#include "smmuv3-iommu.h"

#define EDU_TIMEOUT_NS 2000000000ull
#define EDU_MASK DMP_BIT_MASK(28) /* QEMU's edu default */
#define POISON 0x5a
#define FAULTS_SHOWN 4

/* What the fault handler saw since the last reset. */
struct fault_log {
	struct dmp_iommu_domain *expect; /* the domain the faults must come from */
	struct dmp_device *expect_dev;
	unsigned int n, wrong;
	dmp_addr_t first_iova;
	int first_flags;
	bool mixed; /* not every fault had first_flags */
};

struct ctx {
	struct smmu_iommu *drv;
	struct dmp_device dev;
	struct edu *edu;
	struct dmp_iommu_domain *dom; /* the default (DMA API) domain */
	struct smmu_domain *hw;       /* its hardware half */
	struct fault_log log;
};

static const char *fault_kind(int flags)
{
	return (flags & DMP_IOMMU_FAULT_PERM) ? "permission" : "translation";
}

static int on_fault(struct dmp_iommu_domain *d, struct dmp_device *dev, dmp_addr_t iova,
		    int flags, void *token)
{
	struct fault_log *l = token;
	if (l->n < FAULTS_SHOWN)
		port_printf("fault handler: %s fault, %s at IOVA %#llx by %s\n", fault_kind(flags),
			    (flags & DMP_IOMMU_FAULT_WRITE) ? "write" : "read",
			    (unsigned long long)iova, dev ? dev->name : "?");
	if (l->n == 0) {
		l->first_iova = iova;
		l->first_flags = flags;
	} else if (flags != l->first_flags) {
		l->mixed = true;
	}
	if (d != l->expect || dev != l->expect_dev)
		l->wrong++;
	l->n++;
	return 0;
}

static void log_reset(struct fault_log *l)
{
	struct dmp_iommu_domain *d = l->expect;
	struct dmp_device *dev = l->expect_dev;
	memset(l, 0, sizeof(*l));
	l->expect = d;
	l->expect_dev = dev;
}

/* Faults: at least one, all from the expected domain and device, all
 * with @flags, the first at @iova. */
static bool faults_are(const struct fault_log *l, int flags, dmp_addr_t iova)
{
	return l->n > 0 && !l->wrong && !l->mixed && l->first_flags == flags &&
	       l->first_iova == iova;
}

/* One edu transfer, then the event queue handled. */
static int dma(struct ctx *c, enum edu_dir dir, dmp_addr_t bus, unsigned int off, size_t len)
{
	int ret = edu_dma(c->edu, dir, bus, off, len, EDU_TIMEOUT_NS);
	smmu_iommu_poll(c->drv);
	return ret;
}

static uint8_t pattern(size_t i, unsigned int seed)
{
	return (uint8_t)(i * 29u + seed * 71u + (i >> 7));
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

static bool unmapped(struct ctx *c, dmp_addr_t iova)
{
	dmp_phys_t phys;
	return dmp_iommu_iova_to_phys(c->dom, iova, &phys) == -ENOENT;
}

/* Give the CPU's view of [p, +n) to DRAM and drop it from the cache, as
 * before a device writes memory nobody has mapped for it. */
static void cpu_flush(void *p, size_t n)
{
	virt_platform_ops.dcache_flush(NULL, p, n);
}

static void cpu_inval(void *p, size_t n)
{
	virt_platform_ops.dcache_inval(NULL, p, n);
}

/* Put @len bytes of pattern(@seed) into edu's buffer through the DMA API. */
static int edu_load(struct ctx *c, size_t len, unsigned int seed)
{
	uint8_t *b = dmp_kmalloc(len, DMP_GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		b[i] = pattern(i, seed);
	dmp_addr_t a = dmp_map_single(&c->dev, b, len, DMP_TO_DEVICE);
	int ret = -EIO;
	if (!dmp_mapping_error(&c->dev, a)) {
		ret = dma(c, EDU_RAM_TO_DEV, a, 0, len);
		dmp_unmap_single(&c->dev, a, len, DMP_TO_DEVICE);
	}
	dmp_kfree(b);
	return ret;
}

/* (1) RAM -> edu -> RAM with dmp_map_single, IOVAs below edu's mask. */
static void test_round_trip(struct ctx *c)
{
	const size_t len = EDU_DMA_MAX;
	uint8_t *src = dmp_kmalloc(EDU_BUF_SIZE, DMP_GFP_KERNEL);
	uint8_t *dst = dmp_kmalloc(EDU_BUF_SIZE, DMP_GFP_KERNEL);
	dmp_phys_t src_phys = 0, dst_phys = 0, s_tr = 0, d_tr = 0;
	if (!src || !dst || dmp_virt_to_phys(src, &src_phys) || dmp_virt_to_phys(dst, &dst_phys)) {
		check(false, "dma-api/smmu: buffers");
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		src[i] = pattern(i, 1);
	memset(dst, POISON, EDU_BUF_SIZE);
	log_reset(&c->log);

	dmp_addr_t s = dmp_map_single(&c->dev, src, len, DMP_TO_DEVICE);
	dmp_addr_t d = dmp_map_single(&c->dev, dst, len, DMP_FROM_DEVICE);
	if (dmp_mapping_error(&c->dev, s) || dmp_mapping_error(&c->dev, d)) {
		check(false, "dma-api/smmu: dmp_map_single behind the SMMU");
		goto out;
	}
	bool below = s + len - 1 <= EDU_MASK && d + len - 1 <= EDU_MASK;
	bool translated = dmp_iommu_iova_to_phys(c->dom, s, &s_tr) == 0 && s_tr == src_phys &&
			  dmp_iommu_iova_to_phys(c->dom, d, &d_tr) == 0 && d_tr == dst_phys &&
			  s != src_phys && d != dst_phys;
	int d1 = dma(c, EDU_RAM_TO_DEV, s, 0, len);
	int d2 = dma(c, EDU_DEV_TO_RAM, d, 0, len);
	dmp_sync_single_for_cpu(&c->dev, d, len, DMP_FROM_DEVICE);
	bool same = memcmp(src, dst, len) == 0 && dst[len] == POISON;
	dmp_unmap_single(&c->dev, s, len, DMP_TO_DEVICE);
	dmp_unmap_single(&c->dev, d, len, DMP_FROM_DEVICE);
	bool gone = unmapped(c, s) && unmapped(c, d);
	check(!d1 && !d2 && below && translated && same && gone && c->log.n == 0,
	      "dma-api/smmu: edu round trip with dmp_map_single through the SMMU: RAM %#llx at "
	      "IOVA %#llx -> edu -> IOVA %#llx at RAM %#llx, %zu bytes intact after "
	      "dmp_sync_single_for_cpu; IOVAs from dmaport below 2^28 (%s), iova_to_phys right "
	      "(%s), gone after dmp_unmap_single (%s), %u faults (%d, %d)",
	      (unsigned long long)src_phys, (unsigned long long)s, (unsigned long long)d,
	      (unsigned long long)dst_phys, len, below ? "yes" : "no", translated ? "yes" : "no",
	      gone ? "yes" : "no", c->log.n, d1, d2);
out:
	dmp_kfree(src);
	dmp_kfree(dst);
}

/*
 * (2) DMA to an IOVA with nothing mapped: translation faults, delivered
 * to the default domain's handler.  IOVA page 0 is never handed out by
 * the DMA layer (as Linux's), so it is unmapped for sure; iova_to_phys
 * confirms.
 */
static void test_unmapped(struct ctx *c)
{
	const dmp_addr_t iova = 0x800;
	bool none = unmapped(c, iova);
	log_reset(&c->log);
	int d1 = dma(c, EDU_DEV_TO_RAM, iova, 0, 16);
	struct fault_log w = c->log;
	log_reset(&c->log);
	int d2 = dma(c, EDU_RAM_TO_DEV, iova + 0x100, 0, 8);
	struct fault_log r = c->log;
	check(none && !d1 && !d2 && faults_are(&w, DMP_IOMMU_FAULT_WRITE, iova) &&
		      faults_are(&r, DMP_IOMMU_FAULT_READ, iova + 0x100),
	      "dma-api/smmu: edu DMA to unmapped IOVA %#llx: %u translation faults (write) and at "
	      "%#llx %u (read), each delivered to the handler set with dmp_iommu_set_fault_handler "
	      "on edu's default domain",
	      (unsigned long long)iova, w.n, (unsigned long long)(iova + 0x100), r.n);
}

/* (3) A TO_DEVICE mapping is read-only for the device: a write faults. */
static void test_read_only(struct ctx *c)
{
	const size_t len = 256;
	uint8_t *b = dmp_kmalloc(len, DMP_GFP_KERNEL);
	if (!b) {
		check(false, "dma-api/smmu: buffer");
		return;
	}
	for (size_t i = 0; i < len; i++)
		b[i] = pattern(i, 3);
	dmp_addr_t a = dmp_map_single(&c->dev, b, len, DMP_TO_DEVICE);
	bool ok = !dmp_mapping_error(&c->dev, a);
	log_reset(&c->log);
	int d1 = ok ? dma(c, EDU_DEV_TO_RAM, a, 0, 16) : -1;
	struct fault_log f = c->log;
	int d2 = ok ? dma(c, EDU_RAM_TO_DEV, a, 0, 16) : -1; /* reading it is fine */
	if (ok)
		dmp_unmap_single(&c->dev, a, len, DMP_TO_DEVICE);
	cpu_inval(b, len);
	bool intact = true;
	for (size_t i = 0; i < len; i++)
		intact &= b[i] == pattern(i, 3);
	check(ok && !d1 && !d2 && faults_are(&f, DMP_IOMMU_FAULT_WRITE | DMP_IOMMU_FAULT_PERM, a) &&
		      c->log.n == f.n && intact,
	      "dma-api/smmu: edu write to a dmp_map_single(DMP_TO_DEVICE) buffer at IOVA %#llx: %u "
	      "permission faults (write) to the domain's handler, buffer intact; the device's read "
	      "of it passes",
	      (unsigned long long)a, f.n);
	dmp_kfree(b);
}

/*
 * (4) Strict mode: once dmp_unmap_single returns, the device cannot reach
 * the page, although the SMMU had cached the translation (the transfer
 * before the unmap filled its TLB; smmu-test.c's control shows that without
 * the TLBI the cached translation keeps working).
 */
static void test_strict_unmap(struct ctx *c)
{
	const size_t len = 256;
	uint8_t *b = dmp_kmalloc(len, DMP_GFP_KERNEL);
	if (!b || edu_load(c, 64, 4)) {
		check(false, "dma-api/smmu: buffer, edu loaded");
		dmp_kfree(b);
		return;
	}
	memset(b, POISON, len);
	dmp_addr_t a = dmp_map_single(&c->dev, b, len, DMP_FROM_DEVICE);
	bool ok = !dmp_mapping_error(&c->dev, a);
	log_reset(&c->log);
	int d1 = ok ? dma(c, EDU_DEV_TO_RAM, a, 0, 64) : -1;
	dmp_sync_single_for_cpu(&c->dev, a, len, DMP_FROM_DEVICE);
	bool reached = true;
	for (size_t i = 0; i < 64; i++)
		reached &= b[i] == pattern(i, 4);
	unsigned int tlbi0 = c->hw->tlbi_va + c->hw->tlbi_asid;
	if (ok)
		dmp_unmap_single(&c->dev, a, len, DMP_FROM_DEVICE);
	unsigned int tlbis = c->hw->tlbi_va + c->hw->tlbi_asid - tlbi0;
	memset(b, POISON, len);
	cpu_flush(b, len);
	bool gone = unmapped(c, a);
	log_reset(&c->log);
	int d2 = ok ? dma(c, EDU_DEV_TO_RAM, a, 0, 64) : -1;
	cpu_inval(b, len);
	check(ok && c->dom->type == DMP_IOMMU_DOMAIN_DMA && !d1 && reached && tlbis > 0 && gone &&
		      !d2 && faults_are(&c->log, DMP_IOMMU_FAULT_WRITE, a) && all_bytes(b, len, POISON),
	      "dma-api/smmu: after dmp_unmap_single in strict mode (DMA domain; iotlb_sync issued "
	      "%u TLBI_NH_VA + CMD_SYNC) edu can no longer reach IOVA %#llx it had just written "
	      "(%s): %u translation faults, buffer intact",
	      tlbis, (unsigned long long)a, reached ? "yes" : "no", c->log.n);
	dmp_kfree(b);
}

/*
 * (7) Scatter-gather: the tail of one page, a whole page, the head of a
 * third, each a page of its own, mapped with dmp_map_sg into one IOVA
 * range and merged into one DMA segment; edu gathers the segment (two
 * transfers: its buffer holds less than 4 KiB) into a buffer mapped with
 * dmp_map_single.
 */
static void test_sg(struct ctx *c)
{
	enum { A_LEN = 1000, B_LEN = 4096, C_LEN = 1500, TOTAL = A_LEN + B_LEN + C_LEN, CUT = 3000 };
	dmp_phys_t pg[3] = { 0 };
	uint8_t *va[3] = { 0 }, *out = NULL;
	for (unsigned int i = 0; i < 3; i++) {
		if (dmp_page_alloc(0, DMP_GFP_KERNEL, DMP_PHYS_ANY, &pg[i]))
			goto fail;
		va[i] = dmp_phys_to_virt(pg[i]);
	}
	out = dmp_kmalloc(TOTAL + 1, DMP_GFP_KERNEL);
	if (!out)
		goto fail;
	uint8_t *piece[3] = { va[0] + DMP_PAGE_SIZE - A_LEN, va[1], va[2] };
	const unsigned int plen[3] = { A_LEN, B_LEN, C_LEN };
	for (unsigned int i = 0, o = 0; i < 3; o += plen[i], i++)
		for (unsigned int j = 0; j < plen[i]; j++)
			piece[i][j] = pattern(o + j, 7);
	memset(out, POISON, TOTAL + 1);
	log_reset(&c->log);

	struct dmp_scatterlist sg[3];
	dmp_sg_init_table(sg, 3);
	for (unsigned int i = 0; i < 3; i++)
		dmp_sg_set_buf(&sg[i], piece[i], plen[i]);
	int nseg = dmp_map_sg(&c->dev, sg, 3, DMP_TO_DEVICE);
	dmp_addr_t seg = nseg > 0 ? dmp_sg_dma_address(&sg[0]) : 0;
	unsigned int seg_len = nseg > 0 ? dmp_sg_dma_len(&sg[0]) : 0;
	dmp_addr_t o = dmp_map_single(&c->dev, out, TOTAL, DMP_FROM_DEVICE);
	bool ok = nseg == 1 && seg_len == TOTAL && seg + TOTAL - 1 <= EDU_MASK &&
		  (seg & (DMP_PAGE_SIZE - 1)) == DMP_PAGE_SIZE - A_LEN &&
		  !dmp_mapping_error(&c->dev, o);
	int e = ok ? 0 : -1;
	if (!e)
		e = dma(c, EDU_RAM_TO_DEV, seg, 0, CUT);
	if (!e)
		e = dma(c, EDU_DEV_TO_RAM, o, 0, CUT);
	if (!e)
		e = dma(c, EDU_RAM_TO_DEV, seg + CUT, 0, TOTAL - CUT);
	if (!e)
		e = dma(c, EDU_DEV_TO_RAM, o + CUT, 0, TOTAL - CUT);
	if (nseg > 0)
		dmp_unmap_sg(&c->dev, sg, 3, DMP_TO_DEVICE);
	if (!dmp_mapping_error(&c->dev, o))
		dmp_unmap_single(&c->dev, o, TOTAL, DMP_FROM_DEVICE);
	bool same = out[TOTAL] == POISON;
	for (unsigned int i = 0; i < TOTAL; i++)
		same &= out[i] == pattern(i, 7);
	bool gone = nseg > 0 && unmapped(c, seg) && unmapped(c, seg + TOTAL - 1);
	check(ok && !e && same && gone && c->log.n == 0,
	      "dma-api/smmu: dmp_map_sg of 3 buffers (%u + %u + %u bytes on pages %#llx, %#llx, "
	      "%#llx) -> %d DMA segment at IOVA %#llx, %u bytes, below 2^28; edu gathers it in two "
	      "transfers, intact; unmapped after dmp_unmap_sg (%s), %u faults (%d)",
	      A_LEN, B_LEN, C_LEN, (unsigned long long)pg[0], (unsigned long long)pg[1],
	      (unsigned long long)pg[2], nseg, (unsigned long long)seg, seg_len,
	      gone ? "yes" : "no", c->log.n, e);
	goto out;
fail:
	check(false, "dma-api/smmu: pages for scatter-gather");
out:
	dmp_kfree(out);
	for (unsigned int i = 0; i < 3; i++)
		if (va[i])
			dmp_page_free(pg[i], 0);
}

/*
 * The IOMMU API beside the DMA API: an unmanaged domain of the driver's
 * own, attached (STE rewritten to its CD), a read-only page in it; its
 * faults reach its own handler, not the default domain's; detached, edu is
 * back on the default domain.
 */
static void test_unmanaged(struct ctx *c)
{
	const dmp_addr_t ro = 0x100000, rw = 0x101000;
	struct dmp_iommu_domain *ud = NULL;
	dmp_phys_t p[2] = { 0 };
	int ret = dmp_iommu_paging_domain_alloc(&c->dev, &ud);
	if (ret || dmp_page_alloc(0, DMP_GFP_KERNEL, DMP_PHYS_ANY, &p[0]) ||
	    dmp_page_alloc(0, DMP_GFP_KERNEL, DMP_PHYS_ANY, &p[1])) {
		check(false, "iommu-api/smmu: unmanaged domain and pages (%d)", ret);
		goto out;
	}
	uint8_t *pro = dmp_phys_to_virt(p[0]), *prw = dmp_phys_to_virt(p[1]);
	for (size_t i = 0; i < DMP_PAGE_SIZE; i++)
		pro[i] = pattern(i, 9);
	memset(prw, POISON, DMP_PAGE_SIZE);
	cpu_flush(pro, DMP_PAGE_SIZE);
	cpu_flush(prw, DMP_PAGE_SIZE);

	struct fault_log ulog = { .expect = ud, .expect_dev = &c->dev };
	dmp_iommu_set_fault_handler(ud, on_fault, &ulog);
	int a = dmp_iommu_attach_device(ud, &c->dev);
	bool on_ud = dmp_iommu_get_domain_for_dev(&c->dev) == ud;
	int m1 = dmp_iommu_map(ud, ro, p[0], DMP_PAGE_SIZE, DMP_IOMMU_READ, DMP_GFP_KERNEL);
	int m2 = dmp_iommu_map(ud, rw, p[1], DMP_PAGE_SIZE, DMP_IOMMU_READ | DMP_IOMMU_WRITE,
			       DMP_GFP_KERNEL);
	log_reset(&c->log);
	int d1 = dma(c, EDU_RAM_TO_DEV, ro, 0, 256);
	int d2 = dma(c, EDU_DEV_TO_RAM, rw, 0, 256);
	cpu_inval(prw, DMP_PAGE_SIZE);
	bool moved = memcmp(prw, pro, 256) == 0 && prw[256] == POISON;
	int d3 = dma(c, EDU_DEV_TO_RAM, ro + 0x40, 0, 16);
	bool perm = faults_are(&ulog, DMP_IOMMU_FAULT_WRITE | DMP_IOMMU_FAULT_PERM, ro + 0x40);
	size_t u = dmp_iommu_unmap(ud, ro, 2 * DMP_PAGE_SIZE);
	dmp_iommu_detach_device(ud, &c->dev);
	bool back = dmp_iommu_get_domain_for_dev(&c->dev) == c->dom;
	check(!a && on_ud && !m1 && !m2 && !d1 && !d2 && !d3 && moved && perm && c->log.n == 0 &&
		      u == 2 * DMP_PAGE_SIZE && back,
	      "iommu-api/smmu: unmanaged domain attached (its own CD and ASID %u): edu copies IOVA "
	      "%#llx -> %#llx; a write to the DMP_IOMMU_READ page: %u permission faults to that "
	      "domain's handler, none to the default domain's; detached, edu is back on its "
	      "default domain",
	      smmu_iommu_hw_domain(ud) ? smmu_iommu_hw_domain(ud)->asid : 0,
	      (unsigned long long)ro, (unsigned long long)rw, ulog.n);
out:
	if (ud)
		dmp_iommu_domain_free(ud);
	for (unsigned int i = 0; i < 2; i++)
		if (p[i])
			dmp_page_free(p[i], 0);
}

/* Log lines, shown and scanned for the global error report. */
static bool saw_evtq_abt;

static bool contains(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; *s; s++)
		if (strncmp(s, w, n) == 0)
			return true;
	return false;
}

static void log_line(void *cookie, const char *line)
{
	(void)cookie;
	port_printf("%s\n", line);
	if (contains(line, "global error EVENTQ_ABT_ERR"))
		saw_evtq_abt = true;
}

/*
 * A faulting transfer of 1 KiB is 256 4-byte accesses: more events than
 * the queue's 128 slots.  The SMMU raises GERROR.EVENTQ_ABT_ERR; the
 * driver logs and acknowledges it, and the queue works on.
 */
static void test_event_overflow(struct ctx *c)
{
	const dmp_addr_t iova = 0x2000;
	unsigned int slots = 1u << c->drv->hw.evtq.log2n;
	saw_evtq_abt = false;
	dmp_set_log_hook(log_line, NULL);
	log_reset(&c->log);
	int d1 = dma(c, EDU_DEV_TO_RAM, iova, 0, 1024);
	unsigned int lost = c->log.n;
	uint32_t after = smmu_gerror(&c->drv->hw);
	log_reset(&c->log);
	int d2 = dma(c, EDU_DEV_TO_RAM, iova, 0, 16);
	dmp_set_log_hook(NULL, NULL);
	check(!d1 && !d2 && unmapped(c, iova) && lost > 0 && lost <= slots &&
		      (c->drv->gerrors & SMMU_GERROR_EVTQ_ABT_ERR) && saw_evtq_abt && after == 0 &&
		      c->log.n == 4 && smmu_gerror(&c->drv->hw) == 0,
	      "smmu-iommu: event queue overflow (256 faulting accesses, %u slots): %u delivered, "
	      "GERROR EVENTQ_ABT_ERR logged and acknowledged; the next faulting transfer "
	      "delivers all its %u",
	      slots, lost, c->log.n);
}

/*
 * Deferred invalidation (a DMA_FQ default domain): dmp_unmap_single clears
 * the PTE but issues no TLBI; the IOVA waits in the flush queue and the
 * device can still reach the page through the SMMU's cached translation
 * (Linux's lazy window).  dmp_iommu_dma_flush_queue() -> the driver's
 * flush_iotlb_all (TLBI_NH_ASID + CMD_SYNC) ends it.
 */
static void test_lazy(struct ctx *c)
{
	const size_t len = 256;
	uint8_t *b = dmp_kmalloc(len, DMP_GFP_KERNEL);
	/* The window stays open until we flush (a transfer takes ~100 ms,
	 * beyond the 10 ms default that would flush at the next unmap). */
	dmp_iommu_dma_set_fq_timeout(c->dom, 60 * 1000000000ull);
	if (!b || edu_load(c, 64, 5)) {
		check(false, "dma-api/smmu: buffer, edu loaded");
		dmp_kfree(b);
		return;
	}
	memset(b, POISON, len);
	dmp_addr_t a = dmp_map_single(&c->dev, b, len, DMP_FROM_DEVICE);
	bool ok = !dmp_mapping_error(&c->dev, a);
	log_reset(&c->log);
	int d1 = ok ? dma(c, EDU_DEV_TO_RAM, a, 0, 64) : -1; /* fills the SMMU's TLB */
	unsigned int tlbi0 = c->hw->tlbi_va + c->hw->tlbi_asid, asid0 = c->hw->tlbi_asid;
	if (ok)
		dmp_unmap_single(&c->dev, a, len, DMP_FROM_DEVICE);
	unsigned int tlbis = c->hw->tlbi_va + c->hw->tlbi_asid - tlbi0;
	bool cleared = unmapped(c, a);
	memset(b, POISON, len);
	cpu_flush(b, len);
	int d2 = ok ? dma(c, EDU_DEV_TO_RAM, a, 0, 64) : -1;
	cpu_inval(b, len);
	bool stale = c->log.n == 0;
	for (size_t i = 0; i < 64; i++)
		stale &= b[i] == pattern(i, 5);
	unsigned int freed = dmp_iommu_dma_flush_queue(c->dom);
	unsigned int asids = c->hw->tlbi_asid - asid0;
	memset(b, POISON, len);
	cpu_flush(b, len);
	int d3 = ok ? dma(c, EDU_DEV_TO_RAM, a, 0, 64) : -1;
	cpu_inval(b, len);
	check(ok && c->dom->type == DMP_IOMMU_DOMAIN_DMA_FQ && !d1 && tlbis == 0 && cleared && !d2 &&
		      stale && freed >= 1 && asids >= 1 && !d3 &&
		      faults_are(&c->log, DMP_IOMMU_FAULT_WRITE, a) && all_bytes(b, len, POISON),
	      "dma-api/smmu: DMA_FQ domain: dmp_unmap_single of IOVA %#llx clears the PTE with no "
	      "TLBI (%u), and edu still reaches the page through the SMMU's cached translation "
	      "(%s: the lazy window); dmp_iommu_dma_flush_queue (%u IOVAs) -> flush_iotlb_all "
	      "(%u TLBI_NH_ASID + CMD_SYNC) ends it: %u translation faults, buffer intact",
	      (unsigned long long)a, tlbis, stale ? "yes" : "no", freed, asids, c->log.n);
	dmp_kfree(b);
}

/* Put edu behind the SMMU (its group's default domain of @type), mask set. */
static int probe_edu(struct ctx *c, const struct pci_dev *pdev, enum dmp_iommu_domain_type type)
{
	c->drv->iommu.default_type = type;
	int ret = dmp_device_init(&c->dev, "edu");
	if (!ret)
		ret = smmu_iommu_probe_pci(c->drv, &c->dev, pdev);
	if (ret)
		return ret;
	c->dom = dmp_iommu_get_domain_for_dev(&c->dev);
	c->hw = smmu_iommu_hw_domain(c->dom);
	memset(&c->log, 0, sizeof(c->log));
	c->log.expect = c->dom;
	c->log.expect_dev = &c->dev;
	if (c->dom)
		dmp_iommu_set_fault_handler(c->dom, on_fault, &c->log);
	return 0;
}

void smmu_dmaapi_test(const struct pci_dev *pdev, struct edu *edu)
{
	struct ctx ctx = { .edu = edu }, *c = &ctx;
	int ret = smmu_iommu_init(VIRT_SMMU_BASE, 8, DMP_IOMMU_DOMAIN_DMA, &c->drv);
	check(ret == 0,
	      "smmu-iommu: SMMUv3 registered as a dmp_iommu_ops driver (%s, default domain DMA "
	      "strict, coherent walk %s) (%d)",
	      ret ? "-" : c->drv->iommu.name,
	      ret ? "?" : c->drv->iommu.ops->capable(&c->drv->iommu, DMP_IOMMU_CAP_COHERENT_WALK)
			      ? "yes" : "no",
	      ret);
	if (ret)
		return;
	uint32_t sid = pci_requester_id(pdev);
	ret = probe_edu(c, pdev, DMP_IOMMU_DOMAIN_DMA);
	check(ret == 0 && c->dom && c->hw && c->dom->type == DMP_IOMMU_DOMAIN_DMA &&
		      c->dev.dma_ops == &dmp_iommu_dma_ops &&
		      dmp_iommu_find_device(&c->drv->iommu, sid) == &c->dev,
	      "smmu-iommu: edu probed with dmp_iommu_probe_device: stream ID %#x from the device "
	      "tree's iommu-map for requester 00:%02x.%u (virt maps them 1:1), group %d, default "
	      "DMA domain with ASID %u, STE stage-1; the DMA API takes the IOMMU path (%d)",
	      sid, pdev->dev, pdev->fn, dmp_iommu_group_id(&c->dev), c->hw ? c->hw->asid : 0, ret);
	if (ret)
		goto out_drv;
	if (!c->hw)
		goto out_dev;

	ret = dmp_set_mask_and_coherent(&c->dev, EDU_MASK);
	check(ret == 0 && dmp_get_mask(&c->dev) == EDU_MASK,
	      "dma-api/smmu: dmp_set_mask_and_coherent(28 bits) accepted behind the SMMU (%d)", ret);
	if (ret)
		goto out_dev;

	test_round_trip(c);
	test_unmapped(c);
	test_read_only(c);
	test_strict_unmap(c);
	test_unmanaged(c);
	test_sg(c);
	test_event_overflow(c);

	struct dmp_io_pgtable_stats st;
	ret = dmp_io_pgtable_check(c->hw->pgt, &st);
	check(ret == 0 && st.leaves == 0 && smmu_gerror(&c->drv->hw) == 0 &&
		      c->drv->events_logged == 0,
	      "smmu-iommu: the default domain's page table consistent and empty after the unmaps "
	      "(%zu tables, %zu leaves), %llu faults reported, no other events, no global errors "
	      "(%d)",
	      st.tables, st.leaves, (unsigned long long)c->drv->faults_reported, ret);

	/* Again with a deferred-invalidation default domain. */
	dmp_iommu_release_device(&c->dev);
	ret = probe_edu(c, pdev, DMP_IOMMU_DOMAIN_DMA_FQ);
	if (!ret && c->hw)
		ret = dmp_set_mask_and_coherent(&c->dev, EDU_MASK);
	check(ret == 0 && c->hw && c->dom->type == DMP_IOMMU_DOMAIN_DMA_FQ,
	      "smmu-iommu: edu released and probed again with a DMA_FQ default domain (ASID %u) "
	      "(%d)", c->hw ? c->hw->asid : 0, ret);
	if (ret)
		goto out_drv;
	if (c->hw)
		test_lazy(c);
out_dev:
	dmp_iommu_release_device(&c->dev);
out_drv:
	smmu_iommu_fini(c->drv);
}
