/* SPDX-License-Identifier: MIT */
/*
 * slides.c - "Mastering the DMA and IOMMU APIs" (ELC 2014), live: the
 * talk's pictures of why DMA needs barriers and cache maintenance, each run
 * on a simulated machine configured like the slide.
 *
 * These scenarios play the arch layer themselves: they call the platform's
 * cache and barrier operations one by one, to show what each one does.  A
 * driver never does this; the DMA API does it for it.
 */
#include <string.h>

#include <dmaport/simulator.h>
#include <dmaport/platform.h> /* the slides drive the caches and barriers themselves */

#include "scenario.h"

#define PLAT(fn, ...) dmp__platform.ops->fn(dmp__platform.ctx, __VA_ARGS__)
#define PLAT0(fn) dmp__platform.ops->fn(dmp__platform.ctx)

struct machine {
	struct dmp_sim *sim;
	struct dmp_sim_device *dev;
};

static int machine_up(const struct scenario_opts *o, struct machine *m, bool outer,
		      bool write_buffer, bool coherent_dev)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.outer_cache = outer;
	cfg.write_buffer = write_buffer;
	int err = scenario_sim_create(o, &cfg, &m->sim);
	if (err)
		return err;
	struct dmp_sim_device_config dc = { .name = coherent_dev ? "dev(coh)" : "dev",
					    .port_bits = 64, .coherent = coherent_dev };
	err = dmp_sim_device_create(m->sim, &dc, &m->dev);
	if (err)
		dmp_sim_destroy(m->sim);
	return err;
}

static void machine_down(struct machine *m)
{
	dmp_sim_destroy(m->sim);
}

/* The device reads @len bytes at @phys into a string. */
static const char *dev_reads(struct machine *m, dmp_phys_t phys, char *buf, size_t len)
{
	memset(buf, 0, len + 1);
	if (dmp_sim_dma_read(m->dev, phys, buf, len))
		strcpy(buf, "<bus error>");
	return buf;
}

static void say(const struct scenario_opts *o, const char *s)
{
	fprintf(o->out, "  %s\n", s);
}

static int slide_simple(const struct scenario_opts *o)
{
	struct machine m;
	char seen[32];
	bool ok = true;
	if (machine_up(o, &m, false, false, true))
		return 1;
	char *buf = dmp_kzalloc(64, DMP_GFP_KERNEL);
	dmp_phys_t phys;
	dmp_virt_to_phys(buf, &phys);
	say(o, "CPU writes \"hello\"; a device on the coherent interconnect reads it.");
	strcpy(buf, "hello");
	ok &= scenario_expect(o, "device reads:", dev_reads(&m, phys, seen, 5), "hello", true);
	dmp_kfree(buf);
	machine_down(&m);
	return ok ? 0 : 1;
}

static int slide_write_buffer(const struct scenario_opts *o)
{
	struct machine m;
	char seen[32];
	bool ok = true;
	if (machine_up(o, &m, false, true, false))
		return 1;
	dmp_phys_t phys;
	dmp_page_alloc(0, DMP_GFP_ZERO, DMP_PHYS_ANY, &phys);
	char *buf = dmp_phys_to_virt(phys);
	say(o, "An uncached buffer (a coherent allocation on a non-coherent device).");
	PLAT(dcache_flush, buf, DMP_PAGE_SIZE);
	PLAT(set_mem_attr, phys, DMP_PAGE_SIZE, DMP_MEM_UNCACHED);
	say(o, "CPU writes \"hello\": the stores wait in the write buffer.");
	strcpy(buf, "hello");
	ok &= scenario_expect(o, "device reads before the barrier:",
			      dev_reads(&m, phys, seen, 5), "hello", false);
	say(o, "CPU: dma_wmb() drains the write buffer.");
	PLAT0(dma_wmb);
	ok &= scenario_expect(o, "device reads after the barrier:",
			      dev_reads(&m, phys, seen, 5), "hello", true);
	PLAT(set_mem_attr, phys, DMP_PAGE_SIZE, DMP_MEM_NORMAL);
	dmp_page_free(phys, 0);
	machine_down(&m);
	return ok ? 0 : 1;
}

static int slide_l1(const struct scenario_opts *o)
{
	struct machine m;
	char seen[32];
	bool ok = true;
	if (machine_up(o, &m, false, true, false))
		return 1;
	char *buf = dmp_kzalloc(64, DMP_GFP_KERNEL);
	dmp_phys_t phys;
	dmp_virt_to_phys(buf, &phys);
	say(o, "A cacheable buffer, a non-coherent device, an L1 data cache.");
	say(o, "CPU writes \"hello\": the line is dirty in L1.");
	strcpy(buf, "hello");
	ok &= scenario_expect(o, "device reads before the clean:",
			      dev_reads(&m, phys, seen, 5), "hello", false);
	say(o, "CPU cleans the buffer's lines from L1 (dc cvac).");
	PLAT(dcache_clean, buf, 64);
	ok &= scenario_expect(o, "device reads after the clean:",
			      dev_reads(&m, phys, seen, 5), "hello", true);
	dmp_kfree(buf);
	machine_down(&m);
	return ok ? 0 : 1;
}

static int slide_l2(const struct scenario_opts *o)
{
	struct machine m;
	char seen[32];
	bool ok = true;
	if (machine_up(o, &m, true, true, false))
		return 1;
	char *buf = dmp_kzalloc(64, DMP_GFP_KERNEL);
	dmp_phys_t phys;
	dmp_virt_to_phys(buf, &phys);
	say(o, "The same, with an outer (L2) cache that DMA bypasses.");
	strcpy(buf, "hello");
	say(o, "CPU writes \"hello\", then cleans L1 only: the line moves to L2.");
	PLAT(dcache_clean, buf, 64);
	ok &= scenario_expect(o, "device reads after the L1 clean:",
			      dev_reads(&m, phys, seen, 5), "hello", false);
	say(o, "CPU cleans the outer cache too (by physical address).");
	PLAT(outer_clean, phys, 64);
	ok &= scenario_expect(o, "device reads after the L2 clean:",
			      dev_reads(&m, phys, seen, 5), "hello", true);
	dmp_kfree(buf);
	machine_down(&m);
	return ok ? 0 : 1;
}

static int slide_cci(const struct scenario_opts *o)
{
	struct machine m;
	char seen[32];
	bool ok = true;
	if (machine_up(o, &m, true, true, true))
		return 1;
	char *buf = dmp_kzalloc(64, DMP_GFP_KERNEL);
	dmp_phys_t phys;
	dmp_virt_to_phys(buf, &phys);
	say(o, "L1, L2 and a write buffer, but the device sits on the coherent interconnect.");
	say(o, "CPU writes \"hello\" and does no maintenance at all.");
	strcpy(buf, "hello");
	ok &= scenario_expect(o, "device reads (snooping the caches):",
			      dev_reads(&m, phys, seen, 5), "hello", true);
	say(o, "The device writes \"world\"; the CPU reads without invalidating.");
	dmp_sim_dma_write(m.dev, phys, "world", 5);
	char cpu[8] = { 0 };
	memcpy(cpu, buf, 5);
	ok &= scenario_expect(o, "CPU reads:", cpu, "world", true);
	dmp_kfree(buf);
	machine_down(&m);
	return ok ? 0 : 1;
}

static int slide_dev_to_cpu(const struct scenario_opts *o)
{
	struct machine m;
	bool ok = true;
	if (machine_up(o, &m, true, true, false))
		return 1;
	char *buf = dmp_kzalloc(64, DMP_GFP_KERNEL);
	dmp_phys_t phys;
	dmp_virt_to_phys(buf, &phys);
	say(o, "The CPU wrote \"old!!\" and cleaned it; its caches still hold the line.");
	strcpy(buf, "old!!");
	PLAT(dcache_clean, buf, 64);
	PLAT(outer_clean, phys, 64);
	say(o, "The device writes \"world\" to DRAM.");
	dmp_sim_dma_write(m.dev, phys, "world", 5);
	char cpu[8] = { 0 };
	memcpy(cpu, buf, 5);
	ok &= scenario_expect(o, "CPU reads before invalidating:", cpu, "world", false);
	say(o, "CPU invalidates L2 then L1 (outer first, or L1 would refill from a stale L2).");
	PLAT(outer_inval, phys, 64);
	PLAT(dcache_inval, buf, 64);
	memcpy(cpu, buf, 5);
	ok &= scenario_expect(o, "CPU reads after invalidating:", cpu, "world", true);
	dmp_kfree(buf);
	machine_down(&m);
	return ok ? 0 : 1;
}

/* A driver structure whose DMA buffer shares its last cache line with a counter. */
struct rx_state {
	char buf[56];
	uint32_t packets; /* CPU-owned, in the same 64-byte line as buf[48..55] */
};

static int slide_shared_line(const struct scenario_opts *o)
{
	struct machine m;
	bool ok = true;
	if (machine_up(o, &m, false, true, false))
		return 1;
	struct rx_state *st = dmp_kzalloc(sizeof(*st), DMP_GFP_KERNEL);
	dmp_phys_t phys;
	dmp_virt_to_phys(st->buf, &phys);
	say(o, "struct rx_state { char buf[56]; u32 packets; }: buf and packets share a line.");
	say(o, "Map buf for the device (clean), start DMA; meanwhile the CPU does packets++.");
	PLAT(dcache_clean, st->buf, sizeof(st->buf));
	st->packets++;
	dmp_sim_dma_write(m.dev, phys, "payload", 8);
	say(o, "DMA done: invalidate buf's lines for the CPU - the whole line, packets included.");
	PLAT(dcache_inval, st->buf, sizeof(st->buf));
	char cnt[16];
	snprintf(cnt, sizeof(cnt), "%u", st->packets);
	if (!o->hostile) {
		ok &= scenario_expect(o, "CPU reads buf:", st->buf, "payload", true);
		ok &= scenario_expect(o, "CPU reads packets (it wrote 1):", cnt, "1", false);
	} else {
		/* A hostile cache may write the dirty line back before the DMA (both
		 * survive) or after it (the CPU's stale copy of buf overwrites the
		 * payload: the device's update is the one lost).  One line cannot
		 * keep both writers' data unless the eviction came first. */
		bool buf_ok = !strcmp(st->buf, "payload"), cnt_ok = !strcmp(cnt, "1");
		scenario_observe(o, "CPU reads buf:", st->buf, "payload");
		scenario_observe(o, "CPU reads packets (it wrote 1):", cnt, "1");
		say(o, buf_ok && cnt_ok ? "The cache wrote the line back before the DMA: both survive."
			: buf_ok ? "The invalidate threw away packets++."
				 : "The eviction came after the DMA: the payload is lost instead.");
		ok &= buf_ok || cnt_ok;
	}
	say(o, "Fix: give DMA buffers their own cache lines (kmalloc them, or align them).");
	dmp_kfree(st);
	machine_down(&m);
	return ok ? 0 : 1;
}

const struct scenario slide_scenarios[] = {
	{ "slide-1", "simple case: a coherent device reads what the CPU wrote", slide_simple },
	{ "slide-2", "write buffer: the device reads old data until the barrier",
	  slide_write_buffer },
	{ "slide-3", "L1 cache: stale until cleaned", slide_l1 },
	{ "slide-4", "L2 cache: stale until the outer cache is cleaned too", slide_l2 },
	{ "slide-5", "coherent interconnect: no maintenance needed", slide_cci },
	{ "slide-6", "device writes: the CPU reads stale data until it invalidates",
	  slide_dev_to_cpu },
	{ "slide-7", "a buffer sharing a cache line: the invalidate throws away the CPU's update",
	  slide_shared_line },
	{ NULL, NULL, NULL },
};
