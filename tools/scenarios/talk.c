/* SPDX-License-Identifier: MIT */
/*
 * talk.c - the rest of "Mastering the DMA and IOMMU APIs" (ELC 2014), after
 * the hardware slides: the same stories told with the DMA API (who owns a
 * buffer at each step), then the IOMMU (an IOVA allocated, the table walk,
 * the IOTLB, a fault, the lazy window), then the checker catching a bug the
 * bytes alone would hide.  Each runs on a machine from a device tree
 * (examples/platforms/soc-noncoherent.dts is the talk's machine) as a small
 * driver written against the DMA API; the trace shows every call with the
 * cache maintenance and device accesses it caused.
 */
#include <string.h>

#include <dmaport/simulator.h>
#include <dmaport/iommu-driver.h> /* the lazy window: flush the queue on demand */

#include "scenario.h"

static void say(const struct scenario_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const struct scenario_opts *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(o->out, "  ");
	vfprintf(o->out, fmt, ap);
	fprintf(o->out, "\n");
	va_end(ap);
}

/* --- who owns a buffer: the checker's bookkeeping, asked ------------------- */

struct owner_query {
	dmp_addr_t dma;
	int owner; /* -1 not live, 0 CPU, 1 device */
};

static void owner_of_one(void *cookie, const struct dmp_debug_live *l)
{
	struct owner_query *q = cookie;
	if (q->dma - l->dma < l->size)
		q->owner = l->device_owns;
}

/* The checker tracks ownership as the DMA API defines it; print its view. */
static void show_owner(const struct scenario_opts *o, struct dmp_device *dev, const char *what,
		       dmp_addr_t dma)
{
	if (dmp_debug_get_mode() == DMP_DEBUG_OFF) {
		say(o, "    owner of %s: (the checker is off: not tracked)", what);
		return;
	}
	struct owner_query q = { dma, -1 };
	dmp_debug_for_each_live(dev, owner_of_one, &q);
	say(o, "    owner of %s: %s", what,
	    q.owner < 0 ? "nobody (not mapped)" : q.owner ? "the DEVICE" : "the CPU");
}

static struct dmp_sim_platform_device *direct_engine(struct dmp_sim_platform *p)
{
	return ring_engine(p, false, NULL);
}

static struct dmp_sim_platform_device *iommu_engine(struct dmp_sim_platform *p)
{
	return ring_engine(p, true, NULL);
}

static const char *needs_noncoherent_direct(struct dmp_sim_platform *p)
{
	const char *why;
	struct dmp_sim_platform_device *pd = ring_engine(p, false, &why);
	if (!pd)
		return why ? why : "the platform has no copy engine outside an IOMMU";
	return pd->dev.dma_coherent ? "its copy engine is dma-coherent: no maintenance to show"
				    : NULL;
}

static const char *needs_iommu_engine(struct dmp_sim_platform *p)
{
	const char *why;
	if (ring_engine(p, true, &why))
		return NULL;
	return why ? why : "the platform has no copy engine behind an IOMMU";
}

static const char *needs_both(struct dmp_sim_platform *p)
{
	const char *why;
	if (ring_engine(p, false, &why))
		return needs_iommu_engine(p);
	return why ? why : "the platform has no copy engine outside an IOMMU";
}

/*
 * A data buffer for @dev: below 4 GiB only when the device cannot reach all
 * memory (these stories need no bouncing; the swiotlb scenario shows it) -
 * a machine may have no memory below 4 GiB at all, and its devices then
 * reach everything.  NULL when there is no memory to give.
 */
static void *talk_buf(struct dmp_device *dev, size_t size)
{
	return dmp_kzalloc(size, dmp_addressing_limited(dev) ? DMP_GFP_DMA32 : 0);
}

/* Two talk_buf()s for @r's device; on failure neither, and the ring removed. */
static int ring_bufs(const struct scenario_opts *o, struct ring *r, size_t size, char **a,
		     char **b)
{
	*a = talk_buf(r->dev, size);
	*b = talk_buf(r->dev, size);
	if (*a && *b)
		return 0;
	say(o, "no memory for the buffers");
	dmp_kfree(*a);
	dmp_kfree(*b);
	ring_remove(r);
	return -ENOMEM;
}

/* --- the DMA API: streaming mappings and ownership -------------------------- */

static int api_streaming(const struct scenario_opts *o, struct dmp_sim_platform *p)
{
	struct dmp_sim_platform_device *pd = direct_engine(p);
	struct ring r;
	if (ring_probe(&r, pd))
		return 1;
	say(o, "Driver on %s: non-coherent, %u-bit port, no IOMMU.  Its descriptor ring is a",
	    pd->name, pd->of->port_bits);
	say(o, "coherent allocation (shared, uncached here); its data buffers are streaming.");
	char *src, *dst;
	if (ring_bufs(o, &r, 4096, &src, &dst))
		return 1;
	int bad = 0;
	strcpy(src, "hello from the CPU");

	say(o, "1. CPU fills src, then dma_map_single(src, TO_DEVICE): the map cleans its lines");
	say(o, "   (L1, then L2) so that DRAM holds what the CPU wrote.");
	dmp_addr_t s = dmp_map_single(r.dev, src, 4096, DMP_TO_DEVICE);
	show_owner(o, r.dev, "src", s);
	say(o, "2. dma_map_single(dst, FROM_DEVICE): cleans dst's lines too (as arm64 does for");
	say(o, "   every direction), so that no dirty line can be evicted over what the device");
	say(o, "   will write, and no CPU data sharing a line is lost.");
	dmp_addr_t d = dmp_map_single(r.dev, dst, 4096, DMP_FROM_DEVICE);
	show_owner(o, r.dev, "dst", d);
	if (dmp_mapping_error(r.dev, s) || dmp_mapping_error(r.dev, d)) {
		say(o, "mapping failed");
		return 1;
	}
	say(o, "3. The device copies src to dst (descriptor, barrier, doorbell).");
	bad += ring_copy(&r, s, d, 4096) != 0;
	say(o, "4. dma_sync_single_for_cpu(dst): invalidates (L2, then L1) lines the CPU may have");
	say(o, "   fetched during the DMA; the CPU may read dst.");
	dmp_sync_single_for_cpu(r.dev, d, 4096, DMP_FROM_DEVICE);
	show_owner(o, r.dev, "dst", d);
	say(o, "   CPU reads dst: \"%s\"", dst);
	bad += strcmp(dst, "hello from the CPU") != 0;
	say(o, "5. dma_sync_single_for_device(dst): the device owns it again, copies once more.");
	dmp_sync_single_for_device(r.dev, d, 4096, DMP_FROM_DEVICE);
	show_owner(o, r.dev, "dst", d);
	bad += ring_copy(&r, s, d, 4096) != 0;
	say(o, "6. dma_unmap_single() both: the CPU owns them for good (FROM_DEVICE: invalidate).");
	dmp_unmap_single(r.dev, s, 4096, DMP_TO_DEVICE);
	dmp_unmap_single(r.dev, d, 4096, DMP_FROM_DEVICE);
	show_owner(o, r.dev, "dst", d);
	say(o, "   CPU reads dst: \"%s\"  %s", dst,
	    strcmp(dst, "hello from the CPU") ? "WRONG" : "right");
	bad += strcmp(dst, "hello from the CPU") != 0;
	dmp_kfree(src);
	dmp_kfree(dst);
	ring_remove(&r);
	return bad != 0;
}

/* --- scatter-gather: three scattered pages, one or three DMA segments ------- */

static int map_three(const struct scenario_opts *o, struct dmp_sim_platform_device *pd,
		     void *pages[3])
{
	struct dmp_scatterlist sg[3];
	dmp_sg_init_table(sg, 3);
	for (int i = 0; i < 3; i++)
		dmp_sg_set_buf(&sg[i], pages[i], 4096);
	int n = dmp_map_sg(&pd->dev, sg, 3, DMP_TO_DEVICE);
	say(o, "%s%s: dma_map_sg(3 entries) -> %d DMA segment(s):", pd->name,
	    pd->iommu ? " (behind the IOMMU)" : " (direct)", n);
	for (int i = 0; i < n; i++)
		say(o, "    segment %d: bus 0x%llx, %u bytes", i,
		    (unsigned long long)dmp_sg_dma_address(&sg[i]), dmp_sg_dma_len(&sg[i]));
	if (n > 0)
		dmp_unmap_sg(&pd->dev, sg, 3, DMP_TO_DEVICE);
	return n;
}

static int api_sg(const struct scenario_opts *o, struct dmp_sim_platform *p)
{
	void *pages[3];
	dmp_phys_t phys[3];
	/* three pages that are not neighbours in physical memory */
	void *spacer[2] = { NULL, NULL };
	struct dmp_device *dev = &direct_engine(p)->dev;
	bool no_mem = false;
	for (int i = 0; i < 3; i++) {
		pages[i] = talk_buf(dev, 4096);
		no_mem |= !pages[i] || dmp_virt_to_phys(pages[i], &phys[i]);
		if (i < 2)
			spacer[i] = talk_buf(dev, 4096);
	}
	if (no_mem) {
		say(o, "no memory for the buffers");
		for (int i = 0; i < 3; i++)
			dmp_kfree(pages[i]);
		for (int i = 0; i < 2; i++)
			dmp_kfree(spacer[i]);
		return 1;
	}
	say(o, "Three 4 KiB buffers at phys 0x%llx, 0x%llx, 0x%llx: not contiguous.",
	    (unsigned long long)phys[0], (unsigned long long)phys[1], (unsigned long long)phys[2]);
	int direct = map_three(o, direct_engine(p), pages);
	say(o, "  The direct path gives the device each piece where it lies.");
	int merged = map_three(o, iommu_engine(p), pages);
	say(o, "  The IOMMU maps the pieces side by side in IO virtual space: one segment,");
	say(o, "  as Linux's iommu_dma_map_sg() does (a device without scatter-gather can use it).");
	for (int i = 0; i < 3; i++)
		dmp_kfree(pages[i]);
	for (int i = 0; i < 2; i++)
		dmp_kfree(spacer[i]);
	return !(direct == 3 && merged == 1);
}

/* --- the IOMMU: an IOVA, the walk, the IOTLB -------------------------------- */

static int iommu_map(const struct scenario_opts *o, struct dmp_sim_platform *p)
{
	struct dmp_sim_platform_device *pd = iommu_engine(p);
	char *buf = dmp_kmalloc(4096, 0);
	dmp_phys_t phys;
	dmp_virt_to_phys(buf, &phys);
	strcpy(buf, "through the IOMMU");
	say(o, "%s sits behind an IOMMU: the DMA API maps through its default domain.", pd->name);
	dmp_addr_t a = dmp_map_single(&pd->dev, buf, 4096, DMP_TO_DEVICE);
	if (dmp_mapping_error(&pd->dev, a))
		return 1;
	say(o, "dma_map_single: the IOVA allocator gave 0x%llx (top-down below the mask); the",
	    (unsigned long long)a);
	say(o, "page tables now map it to phys 0x%llx.  The device only ever sees the IOVA.",
	    (unsigned long long)phys);
	char seen[32] = { 0 };
	say(o, "The device reads: the IOTLB misses, the IOMMU walks the tables in memory.");
	int e1 = dmp_sim_dma_read(pd->hw, a, seen, 18);
	say(o, "  device read \"%s\"", seen);
	say(o, "The device reads again: the IOTLB hits, no walk.");
	memset(seen, 0, sizeof(seen));
	int e2 = dmp_sim_dma_read(pd->hw, a, seen, 18);
	say(o, "  device read \"%s\"", seen);
	struct dmp_iommu_domain *dom = dmp_iommu_get_domain_for_dev(&pd->dev);
	dmp_phys_t back = 0;
	dmp_iommu_iova_to_phys(dom, a, &back);
	say(o, "iommu_iova_to_phys(0x%llx) = 0x%llx", (unsigned long long)a,
	    (unsigned long long)back);
	dmp_unmap_single(&pd->dev, a, 4096, DMP_TO_DEVICE);
	dmp_iommu_dma_flush_queue(dom);
	dmp_kfree(buf);
	return e1 || e2 || back != phys || strcmp(seen, "through the IOMMU");
}

/* --- the lazy window --------------------------------------------------------- */

static int iommu_lazy(const struct scenario_opts *o, struct dmp_sim_platform *p)
{
	struct dmp_sim_platform_device *pd = iommu_engine(p);
	struct dmp_iommu_domain *dom = dmp_iommu_get_domain_for_dev(&pd->dev);
	/* the queue's timer (10 ms, as Linux) would close the window on a slow
	 * machine before the device looks: hold it off, flush by hand below */
	dmp_iommu_dma_set_fq_timeout(dom, 60ull * 1000 * 1000 * 1000);
	char *buf = dmp_kmalloc(4096, 0);
	strcpy(buf, "still reachable");
	dmp_addr_t a = dmp_map_single(&pd->dev, buf, 4096, DMP_TO_DEVICE);
	if (dmp_mapping_error(&pd->dev, a))
		return 1;
	char seen[32] = { 0 };
	say(o, "Mapped at IOVA 0x%llx; the device reads it (the IOTLB caches the translation).",
	    (unsigned long long)a);
	int e1 = dmp_sim_dma_read(pd->hw, a, seen, 15);
	say(o, "dma_unmap_single: the default domain is lazy (Linux's DMA_FQ): the page table");
	say(o, "entry is cleared, but the IOTLB invalidation and the IOVA's release wait in");
	say(o, "the flush queue, to batch the costly invalidations.");
	dmp_unmap_single(&pd->dev, a, 4096, DMP_TO_DEVICE);
	memset(seen, 0, sizeof(seen));
	int e2 = dmp_sim_dma_read(pd->hw, a, seen, 15);
	say(o, "The device reads the unmapped IOVA: %s \"%s\" - the lazy window: a device can",
	    e2 ? "fault" : "it still gets", seen);
	say(o, "still reach a buffer the driver unmapped (why untrusted devices get strict mode).");
	unsigned int freed = dmp_iommu_dma_flush_queue(dom);
	say(o, "The flush queue is flushed (by its timer, 10 ms in Linux; here by hand, so that");
	say(o, "the window shows on any machine): %u IOVA", freed);
	say(o, "range(s) freed after the IOTLB was invalidated.");
	int e3 = dmp_sim_dma_read(pd->hw, a, seen, 15);
	say(o, "The device reads again: %s", e3 ? "translation fault: the window is closed"
					      : "it still reads?!");
	dmp_kfree(buf);
	return e1 || e2 || !e3 || freed < 1;
}

/* --- the checker: a bug the bytes hide ------------------------------------- */

static int checker_owned(const struct scenario_opts *o, struct dmp_sim_platform *p)
{
	struct dmp_sim_platform_device *pd = direct_engine(p);
	struct ring r;
	if (ring_probe(&r, pd))
		return 1;
	char *pkt, *out;
	if (ring_bufs(o, &r, 256, &pkt, &out))
		return 1;
	strcpy(pkt, "packet");
	dmp_addr_t s = dmp_map_single(r.dev, pkt, 256, DMP_TO_DEVICE);
	dmp_addr_t d = dmp_map_single(r.dev, out, 256, DMP_FROM_DEVICE);
	if (dmp_mapping_error(r.dev, s) || dmp_mapping_error(r.dev, d))
		return 1;
	say(o, "A driver sends a packet, then - the bug - stamps a sequence number into it");
	say(o, "while the device still owns it (before dma_unmap_single).");
	uint32_t code = ring_copy(&r, s, d, 256);
	pkt[100] = 42; /* the bug: a CPU write to a buffer the device owns */
	dmp_unmap_single(r.dev, s, 256, DMP_TO_DEVICE);
	dmp_unmap_single(r.dev, d, 256, DMP_FROM_DEVICE);
	say(o, "The device had already copied the packet: the destination reads \"%s\" - right.",
	    out);
	say(o, "The bytes hide the bug: on real hardware the device may read later, or the");
	say(o, "cache may write the line back over what the device wrote.  The checker saw the");
	say(o, "CPU's store during device ownership, and names the line that mapped the buffer:");
	bool right = !code && !strcmp(out, "packet");
	dmp_kfree(pkt);
	dmp_kfree(out);
	ring_remove(&r);
	return !right;
}

#define KIND(k) (1ull << (k))

const struct platform_scenario talk_scenarios[] = {
	{ "api-streaming", "map, sync, unmap: who owns the buffer at each step", api_streaming,
	  needs_noncoherent_direct, 0 },
	{ "api-sg", "scatter-gather: three pieces, three segments direct, one through the IOMMU",
	  api_sg, needs_both, 0 },
	{ "iommu-map", "an IOVA allocated, the table walk, the IOTLB", iommu_map,
	  needs_iommu_engine, 0 },
	{ "iommu-lazy", "the lazy window: an unmapped buffer still reachable until the flush",
	  iommu_lazy, needs_iommu_engine,
	  /* the access in the window goes through the stale IOTLB entry (the
	   * checker's dma-after-unmap-stale-iotlb); the one after the flush
	   * faults, after the unmap */
	  KIND(DMP_DEBUG_STALE_IOTLB) | KIND(DMP_DEBUG_DMA_FAULT) |
		  KIND(DMP_DEBUG_DMA_AFTER_UNMAP) },
	{ "checker-owned", "the checker catches a CPU write the bytes alone would hide",
	  checker_owned, needs_noncoherent_direct, KIND(DMP_DEBUG_CPU_WROTE_OWNED) },
	{ NULL, NULL, NULL, NULL, 0 },
};
