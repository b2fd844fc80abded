/* SPDX-License-Identifier: MIT */
/*
 * platform.c - dmaport-sim's scenarios on a machine described by a device
 * tree: a ring driver on the copy engine, an IOMMU fault demo, a swiotlb
 * demo.  Each is a small driver written against the DMA API.
 */
#include <string.h>

#include <dmaport/simulator.h>
#include <dmaport/iommu.h>
#include <dmaport/sim/platform.h>
#include <dmaport/swiotlb.h>

#include "scenario.h"

/* --- a minimal ring driver for the copy engine ------------------------------ */

#define RING_ENTRIES 16

/*
 * The DMA mask a copy engine's driver sets: what its port drives (the tree's
 * dmaport,port-bits), never wider.  The DMA layer may refuse it - as Linux's
 * dma_direct_supported() refuses a mask below the lowest DMA zone - and the
 * device then keeps its default 32-bit mask, which a narrower port cannot
 * drive: a driver must not do DMA then (Linux drivers fail their probe when
 * dma_set_mask_and_coherent() fails; Documentation/core-api/dma-api-howto.rst).
 */
static int engine_set_mask(struct dmp_sim_platform_device *pd)
{
	return dmp_set_mask_and_coherent(&pd->dev, DMP_BIT_MASK(pd->of->port_bits));
}

struct dmp_sim_platform_device *ring_engine(struct dmp_sim_platform *p, bool iommu,
					    const char **why)
{
	bool refused = false;
	for (unsigned int i = 0; i < p->nr_devices; i++) {
		struct dmp_sim_platform_device *pd = &p->devices[i];
		if (pd->of->kind != DMP_OF_DEV_COPY_ENGINE || pd->iommu != iommu)
			continue;
		if (!engine_set_mask(pd))
			return pd;
		refused = true;
	}
	if (why)
		*why = refused ? "the DMA layer refuses a DMA mask as narrow as the copy engine's "
				 "port (it cannot reach the memory DMA allocations come from), so "
				 "its driver cannot probe"
			       : NULL;
	return NULL;
}

int ring_probe(struct ring *r, struct dmp_sim_platform_device *pd)
{
	r->dev = &pd->dev;
	r->tail = 0;
	/* the mask first: with it refused the device could be handed bus
	 * addresses beyond its port, which drops their top bits */
	int err = engine_set_mask(pd);
	if (err)
		return err;
	err = dmp_ioremap(pd->mmio, DMP_CE_MMIO_SIZE, &r->regs);
	if (err)
		return err;
	r->desc = dmp_alloc_coherent(r->dev, RING_ENTRIES * sizeof(*r->desc), &r->desc_dma,
				     DMP_GFP_KERNEL);
	if (!r->desc) {
		dmp_iounmap(r->regs);
		return -ENOMEM;
	}
	uint8_t *b = r->regs;
	dmp_writel(DMP_CE_CTRL_RESET | DMP_CE_CTRL_ENABLE, b + DMP_CE_REG_CTRL);
	dmp_writel((uint32_t)r->desc_dma, b + DMP_CE_REG_RING_LO);
	dmp_writel((uint32_t)(r->desc_dma >> 32), b + DMP_CE_REG_RING_HI);
	dmp_writel(RING_ENTRIES, b + DMP_CE_REG_RING_SIZE);
	return 0;
}

void ring_remove(struct ring *r)
{
	dmp_writel(DMP_CE_CTRL_RESET, (uint8_t *)r->regs + DMP_CE_REG_CTRL);
	dmp_free_coherent(r->dev, RING_ENTRIES * sizeof(*r->desc), r->desc, r->desc_dma);
	dmp_iounmap(r->regs);
}

/* Post one copy and ring the doorbell; returns the engine's error code (0: done). */
uint32_t ring_copy(struct ring *r, dmp_addr_t src, dmp_addr_t dst, uint32_t len)
{
	struct dmp_ce_desc *d = &r->desc[r->tail % RING_ENTRIES];
	d->src = src;
	d->dst = dst;
	d->len = len;
	d->status = 0;
	d->flags = DMP_CE_DESC_VALID;
	r->tail++;
	dmp_writel(r->tail, (uint8_t *)r->regs + DMP_CE_REG_TAIL); /* orders the stores */
	uint32_t code = dmp_readl((uint8_t *)r->regs + DMP_CE_REG_ERR_CODE);
	if (code) {
		dmp_writel(DMP_CE_CTRL_RESET | DMP_CE_CTRL_ENABLE,
			   (uint8_t *)r->regs + DMP_CE_REG_CTRL);
		r->tail = 0;
	}
	return code;
}

static struct dmp_sim_platform_device *pick(const struct scenario_opts *o,
					    struct dmp_sim_platform *p, bool iommu)
{
	const char *why;
	struct dmp_sim_platform_device *pd = ring_engine(p, iommu, &why);
	if (!pd)
		fprintf(o->out, "  this platform has no copy engine %s an IOMMU%s%s\n",
			iommu ? "behind" : "without", why ? " that can probe: " : "", why ? why : "");
	return pd;
}

/* What each scenario needs of the platform (NULL: it has it). */
static const char *needs_engine(struct dmp_sim_platform *p)
{
	const char *why = NULL, *why_iommu = NULL;
	if (ring_engine(p, false, &why) || ring_engine(p, true, &why_iommu))
		return NULL;
	return why ? why
	       : why_iommu ? why_iommu
			   : "the platform has no copy engine (compatible \"dmaport,copy-engine\")";
}

static const char *needs_engine_behind_iommu(struct dmp_sim_platform *p)
{
	const char *why;
	if (ring_engine(p, true, &why))
		return NULL;
	return why ? why
		   : "the platform has no copy engine behind an IOMMU (with an iommus property)";
}

static const char *needs_noncoherent_engine(struct dmp_sim_platform *p)
{
	const char *why;
	struct dmp_sim_platform_device *pd = ring_engine(p, false, &why);
	if (!pd)
		return why ? why : "the platform has no copy engine outside an IOMMU";
	return pd->dev.dma_coherent ? "its copy engine is dma-coherent: a missing sync cannot show"
				    : NULL;
}

static struct dmp_sim_platform_device *needing_bounce(struct dmp_sim_platform *p)
{
	for (unsigned int i = 0; i < p->nr_devices; i++) {
		struct dmp_sim_platform_device *pd = &p->devices[i];
		if (pd->of->kind == DMP_OF_DEV_COPY_ENGINE && !pd->iommu && !engine_set_mask(pd) &&
		    dmp_addressing_limited(&pd->dev))
			return pd;
	}
	return NULL;
}

static const char *needs_bouncing_device(struct dmp_sim_platform *p)
{
	return needing_bounce(p) ? NULL
				 : "no device outside an IOMMU is limited in what it can reach "
				   "(every buffer maps directly)";
}

/* Copy buffers of many sizes with streaming mappings; check every byte. */
static int run_ring(const struct scenario_opts *o, struct dmp_sim_platform *p)
{
	struct dmp_sim_platform_device *pd = pick(o, p, false);
	if (!pd)
		pd = pick(o, p, true);
	if (!pd)
		return 1;
	struct ring r;
	if (ring_probe(&r, pd)) {
		fprintf(o->out, "  probe of %s failed\n", pd->name);
		return 1;
	}
	fprintf(o->out, "  driver on %s (%s, %u-bit port%s)\n", pd->name,
		pd->dev.dma_coherent ? "coherent" : "non-coherent", pd->of->port_bits,
		pd->iommu ? ", behind an IOMMU" : "");
	int bad = 0, done = 0;
	for (uint32_t len = 64; len <= 65536; len *= 4) {
		uint8_t *src = dmp_kmalloc(len, 0), *dst = dmp_kzalloc(len, 0);
		for (uint32_t i = 0; i < len; i++)
			src[i] = (uint8_t)(i * 31 + len);
		dmp_addr_t s = dmp_map_single(r.dev, src, len, DMP_TO_DEVICE);
		dmp_addr_t d = dmp_map_single(r.dev, dst, len, DMP_FROM_DEVICE);
		if (dmp_mapping_error(r.dev, s) || dmp_mapping_error(r.dev, d)) {
			fprintf(o->out, "  %6u bytes: mapping failed\n", len);
			bad++;
		} else {
			uint32_t code = ring_copy(&r, s, d, len);
			dmp_unmap_single(r.dev, s, len, DMP_TO_DEVICE);
			dmp_unmap_single(r.dev, d, len, DMP_FROM_DEVICE);
			bool ok = !code && !memcmp(src, dst, len);
			fprintf(o->out, "  %6u bytes: bus 0x%llx -> 0x%llx  %s\n", len,
				(unsigned long long)s, (unsigned long long)d,
				ok ? "copied, every byte right" : "WRONG");
			bad += !ok;
			done++;
		}
		dmp_kfree(src);
		dmp_kfree(dst);
	}
	ring_remove(&r);
	fprintf(o->out, "  %d transfers, %d wrong\n", done, bad);
	return bad != 0;
}

/*
 * The ring driver with three bugs: it never checks a mapping for errors, it
 * reads a FROM_DEVICE buffer before sync_for_cpu or unmap (stale bytes on a
 * non-coherent device), and it leaks the source mapping.  The scenario is
 * right when it sees the stale bytes; the checker then names the unchecked
 * mapping and the leak, and dmaport-sim exits non-zero.
 */
static int run_buggy_ring(const struct scenario_opts *o, struct dmp_sim_platform *p)
{
	struct dmp_sim_platform_device *pd = pick(o, p, false);
	if (!pd)
		return 1;
	if (pd->dev.dma_coherent) {
		fprintf(o->out, "  %s is coherent: the stale read cannot show\n", pd->name);
		return 1;
	}
	struct ring r;
	if (ring_probe(&r, pd)) {
		fprintf(o->out, "  probe of %s failed\n", pd->name);
		return 1;
	}
	const uint32_t len = 4096;
	uint8_t *src = dmp_kmalloc(len, 0), *dst = dmp_kzalloc(len, 0);
	memset(src, 0x5a, len);
	dmp_addr_t s = dmp_map_single(r.dev, src, len, DMP_TO_DEVICE);
	dmp_addr_t d = dmp_map_single(r.dev, dst, len, DMP_FROM_DEVICE);
	/* bug 1: neither mapping is checked with dmp_mapping_error() */
	uint32_t code = ring_copy(&r, s, d, len);
	/* bug 2: the CPU reads before sync_for_cpu: its cache still holds zeroes */
	unsigned early = dst[100];
	dmp_unmap_single(r.dev, d, len, DMP_FROM_DEVICE);
	unsigned late = dst[100];
	/* bug 3: the source mapping is never unmapped (a leak at removal) */
	fprintf(o->out, "  %s: the engine copied (status %u); the CPU read 0x%02x before the "
			"unmap, 0x%02x after it\n", pd->name, code, early, late);
	ring_remove(&r);
	dmp_kfree(dst);
	/* src stays allocated with its mapping: a driver that leaks both */
	bool as_expected = !code && early == 0 && late == 0x5a;
	fprintf(o->out, "  %s\n", as_expected ? "stale before the unmap, right after it: as the "
						  "model must show"
					       : "NOT what the model must show");
	return as_expected ? 0 : 1;
}

struct fault_seen {
	int n;
	dmp_addr_t iova;
	int flags;
};

static int fault_handler(struct dmp_iommu_domain *d, struct dmp_device *dev, dmp_addr_t iova,
			 int flags, void *token)
{
	struct fault_seen *f = token;
	f->n++;
	f->iova = iova;
	f->flags = flags;
	return 0;
}

/* A device behind the IOMMU reaches only what is mapped, as mapped. */
static int run_iommu_fault(const struct scenario_opts *o, struct dmp_sim_platform *p)
{
	struct dmp_sim_platform_device *pd = pick(o, p, true);
	if (!pd)
		return 1;
	struct dmp_iommu_domain *dom;
	if (dmp_iommu_paging_domain_alloc(&pd->dev, &dom) || dmp_iommu_attach_device(dom, &pd->dev)) {
		fprintf(o->out, "  cannot attach a domain to %s\n", pd->name);
		return 1;
	}
	struct fault_seen f = { 0 };
	dmp_iommu_set_fault_handler(dom, fault_handler, &f);
	uint8_t *buf = dmp_kzalloc(4096, 0);
	dmp_phys_t phys;
	dmp_virt_to_phys(buf, &phys);
	strcpy((char *)buf, "mapped read-only");
	int prot = DMP_IOMMU_READ | (pd->dev.dma_coherent ? DMP_IOMMU_CACHE : 0);
	int bad = 0;
	if (dmp_iommu_map(dom, 0x10000000, phys, 4096, prot, DMP_GFP_KERNEL))
		bad++;
	char got[32] = { 0 };
	int e1 = dmp_sim_dma_read(pd->hw, 0x10000000, got, 16);
	fprintf(o->out, "  device reads IOVA 0x10000000 (mapped):   %s\n",
		e1 ? "fault" : "ok");
	int e2 = dmp_sim_dma_read(pd->hw, 0x20000000, got, 4);
	fprintf(o->out, "  device reads IOVA 0x20000000 (unmapped): %s, handler saw %d fault(s) at "
		"0x%llx (%s)\n", e2 ? "fault" : "ok?!", f.n, (unsigned long long)f.iova,
		(f.flags & DMP_IOMMU_FAULT_PERM) ? "permission" : "translation");
	bad += e1 != 0 || e2 == 0 || f.n != 1 || f.iova != 0x20000000;
	int e3 = dmp_sim_dma_write(pd->hw, 0x10000000, "x", 1);
	fprintf(o->out, "  device writes the read-only page:        %s (%s fault)\n",
		e3 ? "refused" : "written?!", (f.flags & DMP_IOMMU_FAULT_PERM) ? "permission" : "?");
	bad += e3 == 0 || f.n != 2 || !(f.flags & DMP_IOMMU_FAULT_PERM);
	size_t n = dmp_iommu_unmap(dom, 0x10000000, 4096);
	int e4 = dmp_sim_dma_read(pd->hw, 0x10000000, got, 4);
	fprintf(o->out, "  unmap returned %zu bytes; device reads again: %s\n", n,
		e4 ? "fault (strict unmap invalidated the IOTLB)" : "ok?!");
	bad += n != 4096 || e4 == 0;
	dmp_iommu_detach_device(dom, &pd->dev);
	dmp_iommu_domain_free(dom);
	dmp_kfree(buf);
	return bad != 0;
}

/* A device that cannot reach high memory bounces through swiotlb. */
static int run_swiotlb(const struct scenario_opts *o, struct dmp_sim_platform *p)
{
	struct dmp_sim_platform_device *pd = needing_bounce(p);
	if (!pd) {
		fprintf(o->out, "  no device on this platform needs bouncing\n");
		return 1;
	}
	struct ring r;
	if (ring_probe(&r, pd))
		return 1;
	struct dmp_swiotlb_pool *pool = pd->dev.io_tlb_pool ? pd->dev.io_tlb_pool : p->default_pool;
	uint8_t *src = dmp_kmalloc(8192, 0), *dst = dmp_kzalloc(8192, 0);
	dmp_phys_t ps;
	dmp_virt_to_phys(src, &ps);
	memset(src, 0x5a, 8192);
	dmp_addr_t s = dmp_map_single(r.dev, src, 8192, DMP_TO_DEVICE);
	dmp_addr_t d = dmp_map_single(r.dev, dst, 8192, DMP_FROM_DEVICE);
	fprintf(o->out, "  %s: mask 0x%llx; buffer at phys 0x%llx is mapped at bus 0x%llx (%s)\n",
		pd->name, (unsigned long long)dmp_get_mask(r.dev), (unsigned long long)ps,
		(unsigned long long)s, s == ps ? "direct" : "a bounce buffer");
	struct dmp_swiotlb_stats st;
	dmp_swiotlb_get_stats(pool, &st);
	fprintf(o->out, "  bounce pool: %zu of %zu slots in use\n", st.used, st.nslots);
	int bad = dmp_mapping_error(r.dev, s) || dmp_mapping_error(r.dev, d);
	if (!bad) {
		bad = ring_copy(&r, s, d, 8192) != 0;
		dmp_unmap_single(r.dev, s, 8192, DMP_TO_DEVICE);
		dmp_unmap_single(r.dev, d, 8192, DMP_FROM_DEVICE);
		bad |= memcmp(src, dst, 8192) != 0;
		fprintf(o->out, "  copy through the bounce buffers: %s\n", bad ? "WRONG" : "right");
	}
	dmp_kfree(src);
	dmp_kfree(dst);
	ring_remove(&r);
	return bad;
}

const struct platform_scenario platform_scenarios[] = {
	{ "ring", "a ring driver copies buffers through the copy engine", run_ring, needs_engine, 0 },
	{ "iommu-fault", "translation and permission faults reach the domain's handler",
	  run_iommu_fault, needs_engine_behind_iommu, 0 },
	{ "swiotlb", "a device that cannot reach high memory bounces through swiotlb", run_swiotlb,
	  needs_bouncing_device, 0 },
	{ "buggy-ring", "a ring driver with three bugs: stale bytes, and the checker's report",
	  run_buggy_ring, needs_noncoherent_engine, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};
