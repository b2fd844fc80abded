/*
 * api-fuzz.c - libFuzzer target: random sequences of DMA API and IOMMU API
 * calls, correct and misused, against a shadow model of what is live.
 *
 * Each input builds a fresh simulated machine (64 MiB below 4 GiB and 64 MiB
 * above; hostile caches, the checker and the line size chosen by the input's
 * first bytes) with these devices:
 *
 *   coh       direct path, coherent, 64-bit port
 *   ncoh      direct path, non-coherent, 64-bit
 *   dev32     direct path, non-coherent, 32-bit port: bounces above 4 GiB
 *   strict    behind an IOMMU with strict invalidation, non-coherent
 *   lazy      behind an IOMMU with a flush queue (lazy), coherent
 *   lazync    the lazy IOMMU, non-coherent, 40-bit
 *   untrust   the strict IOMMU, untrusted: sub-page buffers bounce
 *   drv       the strict IOMMU, coherent, on a driver's own (unmanaged)
 *             domain driven through the IOMMU API
 *
 * then decodes the rest of the input as operations: kmalloc/kfree,
 * map/unmap/sync of single, page and scatterlist mappings, the device
 * reading and writing them, coherent allocations, DMA pools, the IOMMU API
 * on drv's domain, and misuses.  The shadow model checks, after each step:
 *
 *  - nothing is handed out twice: buffers, coherent memory and pool blocks
 *    are disjoint; live bus addresses are disjoint per address space (the
 *    direct devices share one, each IOMMU device has its own);
 *  - data arrives: what the CPU wrote is what the device reads after a map or
 *    a sync for the device; what the device wrote is what the CPU reads after
 *    a sync for the CPU or the unmap; coherent memory both ways;
 *  - iova_to_phys agrees with where each IOMMU mapping's buffer is;
 *  - correct calls raise no finding (the checker, when on, counts none);
 *  - every misuse is refused and reported (a finding of a kind with the checker
 *    on, so that fail and abort modes see it; a log line with it off) and
 *    changes nothing: every live object checks out afterwards, the CPU's
 *    view of every buffer it owns included;
 *  - at the end, with everything freed, the checker has no live entry, the
 *    bounce pool no slot in use, and the page allocator every page it had.
 *
 * Any violation aborts (libFuzzer reports it with the input).  DMP_FUZZ_LOG=1
 * lets dmaport's log through to stderr.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/simulator.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/log.h>
#include <dmaport/sim/iommu-driver.h>
#include <dmaport/swiotlb.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- failing ------------------------------------------------------------------ */

static int step; /* the operation being run, for messages */

/* What the runs did (DMP_FUZZ_STATS=1 prints it at exit): that the misuses
 * and the checks are reached, not only that nothing failed. */
enum { ST_MAP, ST_MAP_FAIL, ST_SG, ST_SG_MERGED, ST_DEVW, ST_SYNC, ST_UNMAP, ST_COH, ST_POOL,
       ST_IOMMU, ST_MISUSE, ST_CHECK_ALL, ST_RUN_CHECKER, ST_RUN_HOSTILE, ST_NR };
static unsigned long stats[ST_NR];
static const char *const stat_names[ST_NR] = {
	"maps", "maps failed (no space)", "map_sg", "map_sg merged", "device writes", "syncs",
	"unmaps", "coherent allocations", "pool operations", "IOMMU API calls",
	"misuses refused", "full checks", "runs with the checker", "runs with hostile caches",
};

static void print_stats(void)
{
	for (int i = 0; i < ST_NR; i++)
		fprintf(stderr, "api-fuzz: %-26s %lu\n", stat_names[i], stats[i]);
}

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "api-fuzz: step %d: ", step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond))                                                              \
			die(__VA_ARGS__);                                                 \
	} while (0)

/* ---- the input ---------------------------------------------------------------- */

struct input {
	const uint8_t *p;
	size_t left;
};

static unsigned int get8(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static unsigned int get16(struct input *in)
{
	unsigned int lo = get8(in);
	return lo | get8(in) << 8;
}

/* ---- the log: counting lines ---------------------------------------------------- */

static unsigned long log_lines;
static bool log_through;

static void log_hook(void *cookie, const char *line)
{
	(void)cookie;
	log_lines++;
	if (log_through)
		fprintf(stderr, "%s\n", line);
}

/* ---- the machine ------------------------------------------------------------------ */

enum { D_COH, D_NCOH, D_DEV32, D_STRICT, D_LAZY, D_LAZYNC, D_UNTRUST, NDMA, D_DRV = NDMA, NDEV };

static const struct devspec {
	const char *name;
	bool coherent;
	unsigned int port_bits;
	int iommu; /* -1: none; 0 strict; 1 lazy */
	bool untrusted;
} specs[NDEV] = {
	[D_COH] = { "coh", true, 64, -1, false },
	[D_NCOH] = { "ncoh", false, 64, -1, false },
	[D_DEV32] = { "dev32", false, 32, -1, false },
	[D_STRICT] = { "strict", false, 64, 0, false },
	[D_LAZY] = { "lazy", true, 64, 1, false },
	[D_LAZYNC] = { "lazync", false, 40, 1, false },
	[D_UNTRUST] = { "untrust", false, 64, 0, true },
	[D_DRV] = { "drv", true, 64, 0, false },
};

struct machine {
	struct dmp_sim *sim;
	struct dmp_sim_iommu *iommu_hw[2];
	struct dmp_iommu *iommu[2];
	struct dmp_sim_device *hw[NDEV];
	struct dmp_device dev[NDEV];
	bool probed[NDEV];
	struct dmp_iommu_domain *drv_domain;
	bool checker;
	size_t pages_at_start;
};

static struct machine m;

static bool behind_iommu(int d)
{
	return specs[d].iommu >= 0;
}

static void machine_up(unsigned int flags, unsigned int seed)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.nr_regions = 2;
	cfg.regions[0].base = 0x80000000ull;
	cfg.regions[0].size = 64ull << 20;
	cfg.regions[1].base = 0x100000000ull;
	cfg.regions[1].size = 64ull << 20;
	cfg.hostile = flags & 2;
	cfg.seed = seed + 1;
	cfg.hostile_rate = 128;
	cfg.line_size = (flags & 4) ? 128 : 64;
	cfg.outer_cache = !(flags & 8);
	cfg.swiotlb_size = 1u << 20;
	memset(&m, 0, sizeof(m));
	CHECK(dmp_sim_create(&cfg, &m.sim) == 0, "no machine");
	m.pages_at_start = dmp_page_free_count();
	m.checker = flags & 1;
	if (m.checker) {
		dmp_debug_set_mode(DMP_DEBUG_FAIL);
		dmp_debug_reset();
	}
	for (int i = 0; i < 2; i++) {
		struct dmp_sim_iommu_config ic = { .name = i ? "smmu-lazy" : "smmu-strict",
						   .coherent_walk = !cfg.outer_cache };
		CHECK(dmp_sim_iommu_create(m.sim, &ic, &m.iommu_hw[i]) == 0, "no IOMMU");
		CHECK(dmp_sim_iommu_driver_register(m.iommu_hw[i],
						    i ? DMP_IOMMU_DOMAIN_DMA_FQ : DMP_IOMMU_DOMAIN_DMA,
						    &m.iommu[i]) == 0,
		      "no IOMMU driver");
	}
	for (int d = 0; d < NDEV; d++) {
		struct dmp_sim_device_config dc = { .name = specs[d].name,
						    .port_bits = specs[d].port_bits,
						    .coherent = specs[d].coherent };
		CHECK(dmp_sim_device_create(m.sim, &dc, &m.hw[d]) == 0, "no device %d", d);
		CHECK(dmp_device_init(&m.dev[d], specs[d].name) == 0, "device init");
		m.dev[d].untrusted = specs[d].untrusted;
		CHECK(dmp_sim_device_link(&m.dev[d], m.hw[d]) == 0, "link");
		if (behind_iommu(d)) {
			uint32_t sid = 0x10 + (uint32_t)d;
			CHECK(dmp_iommu_probe_device(&m.dev[d], m.iommu[specs[d].iommu], &sid, 1) == 0,
			      "probe %s", specs[d].name);
			m.probed[d] = true;
			/* the mask the port has: probing put the DMA ops in place */
			CHECK(dmp_set_mask_and_coherent(&m.dev[d], DMP_BIT_MASK(specs[d].port_bits)) ==
				      0, "mask");
		}
	}
	CHECK(dmp_iommu_paging_domain_alloc(&m.dev[D_DRV], &m.drv_domain) == 0, "drv domain");
	CHECK(dmp_iommu_attach_device(m.drv_domain, &m.dev[D_DRV]) == 0, "drv attach");
}

static void machine_down(void)
{
	dmp_iommu_detach_device(m.drv_domain, &m.dev[D_DRV]);
	dmp_iommu_domain_free(m.drv_domain);
	for (int d = 0; d < NDEV; d++) {
		dmp_device_remove(&m.dev[d]);
		if (m.probed[d])
			dmp_iommu_release_device(&m.dev[d]);
	}
	for (int i = 0; i < 2; i++) {
		dmp_sim_iommu_driver_unregister(m.iommu[i]);
		dmp_sim_iommu_destroy(m.iommu_hw[i]);
	}
	/* every page back: buffers, coherent memory, pools, page tables, the
	 * IOVA allocators' and the checker's bookkeeping */
	CHECK(dmp_page_free_count() == m.pages_at_start, "pages leaked: %zu free, %zu at the start",
	      dmp_page_free_count(), m.pages_at_start);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(m.sim);
	CHECK(!dmp_sim_current(), "a platform is left");
}

/* ---- the shadow model ----------------------------------------------------------------- */

enum { NBUF = 12, NMAP = 10, NCOH = 6, NPOOL = 2, NBLK = 12, NSLOT = 8, MAXSG = 4 };

struct buf {
	bool live;
	uint8_t *cpu;
	size_t size;
	dmp_phys_t phys;
	uint8_t *want;  /* what the CPU must see */
	int map;        /* the live mapping holding it, or -1 */
	int slot;       /* the drv slot mapping it, or -1 */
	bool nc;        /* from dmp_alloc_noncoherent(): it goes with its mapping */
};

enum map_kind { MK_SINGLE, MK_PAGE, MK_SG, MK_NC /* dmp_alloc_noncoherent() */ };

struct piece {
	int buf;
	size_t off, len;
};

struct mapping {
	bool live;
	int dev;
	enum map_kind kind;
	enum dmp_data_direction dir;
	int nents;                      /* pieces (1 unless sg) */
	struct piece pc[MAXSG];
	struct dmp_scatterlist sg[MAXSG];
	int nseg;                       /* DMA segments map_sg returned */
	dmp_addr_t dma;                 /* single/page */
	bool device_owns;
};

struct coh {
	bool live;
	int dev;
	uint8_t *cpu;
	dmp_addr_t dma;
	size_t size;
	unsigned long attrs;
	dmp_phys_t phys;
};

struct blk {
	bool live;
	uint8_t *cpu;
	dmp_addr_t dma;
};

struct pool {
	struct dmp_dma_pool *pool;
	int dev;
	size_t size, align, boundary;
	struct blk blk[NBLK];
};

struct slot { /* drv's IOMMU API mappings: slot k at IOVA 0x1000000 + k * 1 MiB */
	bool live;
	int buf;
	size_t len;
};

static struct buf bufs[NBUF];
static struct mapping maps[NMAP];
static struct coh cohs[NCOH];
static struct pool pools[NPOOL];
static struct slot slots[NSLOT];
static uint64_t rng;

static uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 24);
}

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = rnd8();
}

static const enum dmp_data_direction dirs[3] = { DMP_TO_DEVICE, DMP_FROM_DEVICE,
						  DMP_BIDIRECTIONAL };

static bool dev_reads(enum dmp_data_direction d)
{
	return d == DMP_TO_DEVICE || d == DMP_BIDIRECTIONAL;
}

static bool dev_writes(enum dmp_data_direction d)
{
	return d == DMP_FROM_DEVICE || d == DMP_BIDIRECTIONAL;
}

static bool overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return an && bn && a < b + bn && b < a + an;
}

/* Findings so far: a correct call must add none. */
static unsigned long findings(void)
{
	return m.checker ? dmp_debug_total() : 0;
}

static void no_new_finding(unsigned long before, const char *what)
{
	if (findings() == before)
		return;
	struct dmp_debug_report r;
	size_t n = dmp_debug_nr_reports();
	if (n && dmp_debug_get_report(n - 1, &r) == 0)
		die("%s: a finding on correct use: %s", what, r.text);
	die("%s: a finding on correct use", what);
}

/* ---- checks over everything live ------------------------------------------------------ */

/* The memory the CPU holds: buffers, coherent allocations, pool blocks. */
static void check_disjoint_memory(void)
{
	struct {
		uint64_t a, n;
	} r[NBUF + NCOH + NPOOL * NBLK];
	int nr = 0;
	for (int i = 0; i < NBUF; i++)
		if (bufs[i].live)
			r[nr].a = bufs[i].phys, r[nr++].n = bufs[i].size;
	for (int i = 0; i < NCOH; i++)
		if (cohs[i].live)
			r[nr].a = cohs[i].phys, r[nr++].n = cohs[i].size;
	for (int p = 0; p < NPOOL; p++)
		for (int i = 0; pools[p].pool && i < NBLK; i++)
			if (pools[p].blk[i].live) {
				dmp_phys_t ph;
				CHECK(dmp_virt_to_phys(pools[p].blk[i].cpu, &ph) == 0, "pool block");
				r[nr].a = ph, r[nr++].n = pools[p].size;
			}
	for (int i = 0; i < nr; i++)
		for (int j = 0; j < i; j++)
			CHECK(!overlap(r[i].a, r[i].n, r[j].a, r[j].n),
			      "memory handed out twice: 0x%llx+%llu and 0x%llx+%llu",
			      (unsigned long long)r[i].a, (unsigned long long)r[i].n,
			      (unsigned long long)r[j].a, (unsigned long long)r[j].n);
}

/* The address space @d's bus addresses live in: the direct devices share one. */
static int space_of(int d)
{
	return behind_iommu(d) ? d : -1;
}

/* Bus ranges of mapping @i: its single range, or its DMA segments. */
static int bus_ranges(const struct mapping *mp, uint64_t *a, uint64_t *n)
{
	if (mp->kind != MK_SG) {
		a[0] = mp->dma;
		n[0] = mp->pc[0].len;
		return 1;
	}
	for (int s = 0; s < mp->nseg; s++) {
		a[s] = dmp_sg_dma_address(&mp->sg[s]);
		n[s] = dmp_sg_dma_len(&mp->sg[s]);
	}
	return mp->nseg;
}

static void check_disjoint_bus(void)
{
	for (int i = 0; i < NMAP; i++) {
		if (!maps[i].live)
			continue;
		uint64_t a[MAXSG], n[MAXSG];
		int k = bus_ranges(&maps[i], a, n);
		for (int j = 0; j < NMAP; j++) {
			if (j == i || !maps[j].live ||
			    space_of(maps[j].dev) != space_of(maps[i].dev))
				continue;
			uint64_t b[MAXSG], bn[MAXSG];
			int l = bus_ranges(&maps[j], b, bn);
			for (int x = 0; x < k; x++)
				for (int y = 0; y < l; y++)
					CHECK(!overlap(a[x], n[x], b[y], bn[y]),
					      "bus addresses handed out twice: %s 0x%llx+%llu and "
					      "%s 0x%llx+%llu", specs[maps[i].dev].name,
					      (unsigned long long)a[x], (unsigned long long)n[x],
					      specs[maps[j].dev].name, (unsigned long long)b[y],
					      (unsigned long long)bn[y]);
		}
		for (int c = 0; c < NCOH; c++)
			if (cohs[c].live && space_of(cohs[c].dev) == space_of(maps[i].dev))
				for (int x = 0; x < k; x++)
					CHECK(!overlap(a[x], n[x], cohs[c].dma, cohs[c].size),
					      "a mapping overlaps a coherent allocation's bus "
					      "addresses");
	}
}

/* The CPU's view of every buffer no device owns part of. */
static void check_cpu_views(void)
{
	for (int i = 0; i < NBUF; i++) {
		if (!bufs[i].live)
			continue;
		int mi = bufs[i].map;
		if (mi >= 0 && maps[mi].device_owns)
			continue;
		CHECK(memcmp(bufs[i].cpu, bufs[i].want, bufs[i].size) == 0,
		      "buffer %d (%zu bytes): the CPU's view changed", i, bufs[i].size);
	}
}

/* Where each IOMMU mapping's pages translate. */
static void check_iova(void)
{
	for (int i = 0; i < NMAP; i++) {
		struct mapping *mp = &maps[i];
		if (!mp->live || !behind_iommu(mp->dev) || specs[mp->dev].untrusted)
			continue;
		struct dmp_iommu_domain *d = dmp_iommu_get_domain_for_dev(&m.dev[mp->dev]);
		if (mp->kind != MK_SG) {
			const struct piece *p = &mp->pc[0];
			dmp_phys_t want = bufs[p->buf].phys + p->off, got;
			for (size_t o = 0; o < p->len; o += 4096) {
				CHECK(dmp_iommu_iova_to_phys(d, mp->dma + o, &got) == 0 &&
					      got == want + o,
				      "%s: iova_to_phys(0x%llx) disagrees", specs[mp->dev].name,
				      (unsigned long long)(mp->dma + o));
			}
			dmp_addr_t last = mp->dma + p->len - 1;
			CHECK(dmp_iommu_iova_to_phys(d, last, &got) == 0 && got == want + p->len - 1,
			      "%s: iova_to_phys of the last byte disagrees", specs[mp->dev].name);
		} else {
			/* the entries, in order, fill the DMA segments, in order (an
			 * IOMMU merges entries that meet in IOVA into one segment) */
			int s = 0;
			size_t in_seg = 0;
			for (int e = 0; e < mp->nents; e++) {
				const struct piece *p = &mp->pc[e];
				CHECK(s < mp->nseg, "%s: sg entries beyond the segments",
				      specs[mp->dev].name);
				dmp_addr_t iova = dmp_sg_dma_address(&mp->sg[s]) + in_seg;
				dmp_phys_t want = bufs[p->buf].phys + p->off, got;
				for (size_t o = 0; o < p->len; o += 4096)
					CHECK(dmp_iommu_iova_to_phys(d, iova + o, &got) == 0 &&
						      got == want + o,
					      "%s: sg entry %d: iova_to_phys(0x%llx) disagrees",
					      specs[mp->dev].name, e,
					      (unsigned long long)(iova + o));
				CHECK(dmp_iommu_iova_to_phys(d, iova + p->len - 1, &got) == 0 &&
					      got == want + p->len - 1,
				      "%s: sg entry %d: its last byte translates elsewhere",
				      specs[mp->dev].name, e);
				in_seg += p->len;
				CHECK(in_seg <= dmp_sg_dma_len(&mp->sg[s]),
				      "%s: sg entry %d runs past its segment", specs[mp->dev].name, e);
				if (in_seg == dmp_sg_dma_len(&mp->sg[s])) {
					s++;
					in_seg = 0;
				}
			}
			CHECK(s == mp->nseg && !in_seg, "%s: sg segments and entries differ",
			      specs[mp->dev].name);
		}
	}
	for (int k = 0; k < NSLOT; k++) {
		if (!slots[k].live)
			continue;
		dmp_addr_t iova = 0x1000000 + (dmp_addr_t)k * 0x100000;
		for (size_t o = 0; o < slots[k].len; o += 4096) {
			dmp_phys_t got;
			CHECK(dmp_iommu_iova_to_phys(m.drv_domain, iova + o, &got) == 0 &&
				      got == bufs[slots[k].buf].phys + o,
			      "drv: iova_to_phys(0x%llx) disagrees", (unsigned long long)(iova + o));
		}
	}
}

/* What the device sees of mapping @mp, read through its bus addresses. */
static void device_read_all(struct mapping *mp, uint8_t *out, size_t total)
{
	struct dmp_sim_device *hw = m.hw[mp->dev];
	if (mp->kind != MK_SG) {
		CHECK(dmp_sim_dma_read(hw, mp->dma, out, total) == 0, "%s: device read failed",
		      specs[mp->dev].name);
		return;
	}
	size_t at = 0;
	for (int s = 0; s < mp->nseg; s++) {
		size_t n = dmp_sg_dma_len(&mp->sg[s]);
		CHECK(at + n <= total, "sg segments longer than the entries");
		CHECK(dmp_sim_dma_read(hw, dmp_sg_dma_address(&mp->sg[s]), out + at, n) == 0,
		      "%s: device read of segment %d failed", specs[mp->dev].name, s);
		at += n;
	}
	CHECK(at == total, "sg segments cover %zu of %zu bytes", at, total);
}

static size_t map_total(const struct mapping *mp)
{
	size_t t = 0;
	for (int e = 0; e < mp->nents; e++)
		t += mp->pc[e].len;
	return t;
}

/* What the CPU has put in the mapping's pieces, concatenated. */
static void shadow_of(const struct mapping *mp, uint8_t *out)
{
	size_t at = 0;
	for (int e = 0; e < mp->nents; e++) {
		const struct piece *p = &mp->pc[e];
		memcpy(out + at, bufs[p->buf].want + p->off, p->len);
		at += p->len;
	}
}

static uint8_t io_a[MAXSG * 12288], io_b[MAXSG * 12288];

/* The device reads the mapping: it must see what the CPU gave it. */
static void check_device_sees(struct mapping *mp)
{
	if (!mp->device_owns || !dev_reads(mp->dir))
		return;
	size_t total = map_total(mp);
	device_read_all(mp, io_a, total);
	shadow_of(mp, io_b);
	if (memcmp(io_a, io_b, total) != 0) {
		size_t at = 0;
		while (io_a[at] == io_b[at])
			at++;
		die("%s: the device reads stale data (%s mapping of %zu bytes at bus address 0x%llx: "
		    "byte %zu is 0x%02x, not 0x%02x)", specs[mp->dev].name,
		    mp->kind == MK_SG ? "sg" : mp->kind == MK_NC ? "non-coherent pages" : "single",
		    total, (unsigned long long)mp->dma, at, io_a[at], io_b[at]);
	}
}

static void check_coherent(struct coh *c)
{
	CHECK(dmp_sim_dma_read(m.hw[c->dev], c->dma, io_a, c->size) == 0,
	      "%s: device read of coherent memory failed", specs[c->dev].name);
	CHECK(memcmp(io_a, c->cpu, c->size) == 0, "%s: coherent memory differs for the device",
	      specs[c->dev].name);
}

/* After a misuse: every live object is as it was. */
static void check_all(void)
{
	stats[ST_CHECK_ALL]++;
	check_disjoint_memory();
	check_disjoint_bus();
	check_cpu_views();
	check_iova();
	for (int i = 0; i < NMAP; i++)
		if (maps[i].live)
			check_device_sees(&maps[i]);
	dmp_wmb();
	for (int i = 0; i < NCOH; i++)
		if (cohs[i].live)
			check_coherent(&cohs[i]);
}

/* ---- picking things ---------------------------------------------------------------------- */

static int pick(struct input *in, int n, bool (*ok)(int))
{
	int start = (int)(get8(in) % (unsigned int)n);
	for (int k = 0; k < n; k++) {
		int i = (start + k) % n;
		if (ok(i))
			return i;
	}
	return -1;
}

static bool buf_free_slot(int i) { return !bufs[i].live; }
static bool buf_idle(int i) { return bufs[i].live && bufs[i].map < 0 && bufs[i].slot < 0; }
static bool map_free_slot(int i) { return !maps[i].live; }
static bool map_live(int i) { return maps[i].live; }
static bool map_live_single(int i) { return maps[i].live && maps[i].kind != MK_SG; }
static bool coh_free_slot(int i) { return !cohs[i].live; }
static bool coh_live(int i) { return cohs[i].live; }
static bool slot_free(int i) { return !slots[i].live; }
static bool slot_live(int i) { return slots[i].live; }

/* ---- correct operations ---------------------------------------------------------------------- */

static void op_buf_alloc(struct input *in)
{
	int i = pick(in, NBUF, buf_free_slot);
	size_t size = 1 + get16(in) % 12288;
	if (i < 0)
		return;
	struct buf *b = &bufs[i];
	b->cpu = dmp_kmalloc(size, 0);
	CHECK(b->cpu, "kmalloc(%zu) failed with plenty of memory", size);
	b->want = malloc(size);
	CHECK(b->want, "malloc");
	CHECK(dmp_virt_to_phys(b->cpu, &b->phys) == 0, "kmalloc memory not platform memory");
	b->size = size;
	b->live = true;
	b->map = b->slot = -1;
	fill(b->want, size);
	memcpy(b->cpu, b->want, size);
	check_disjoint_memory();
}

static void buf_release(int i)
{
	dmp_kfree(bufs[i].cpu);
	free(bufs[i].want);
	bufs[i].live = false;
}

static void op_buf_free(struct input *in)
{
	int i = pick(in, NBUF, buf_idle);
	if (i < 0)
		return;
	CHECK(memcmp(bufs[i].cpu, bufs[i].want, bufs[i].size) == 0, "buffer %d changed", i);
	buf_release(i);
}

/* The CPU writes fresh bytes in the part [off, +len) of buffer @bi it owns. */
static void cpu_write(int bi, size_t off, size_t len)
{
	fill(bufs[bi].want + off, len);
	memcpy(bufs[bi].cpu + off, bufs[bi].want + off, len);
}

/* A piece of an idle buffer: an offset and a length inside it. */
static bool take_piece(struct input *in, struct piece *p, bool (*ok)(int))
{
	p->buf = pick(in, NBUF, ok);
	if (p->buf < 0)
		return false;
	size_t size = bufs[p->buf].size;
	p->off = get16(in) % size;
	p->len = 1 + get16(in) % (size - p->off);
	return true;
}

static void op_map_single(struct input *in, bool page)
{
	int mi = pick(in, NMAP, map_free_slot);
	int d = (int)(get8(in) % NDMA);
	enum dmp_data_direction dir = dirs[get8(in) % 3];
	struct mapping *mp = &maps[mi < 0 ? 0 : mi];
	struct piece p;
	if (mi < 0 || !take_piece(in, &p, buf_idle))
		return;
	struct dmp_device *dev = &m.dev[d];
	cpu_write(p.buf, p.off, p.len);
	unsigned long f = findings();
	dmp_addr_t a;
	if (page) {
		uint8_t *va = bufs[p.buf].cpu + p.off;
		struct dmp_page *pg = dmp_virt_to_page(va);
		a = dmp_map_page(dev, pg, (uintptr_t)va & 4095, p.len, dir);
	} else {
		a = dmp_map_single(dev, bufs[p.buf].cpu + p.off, p.len, dir);
	}
	bool failed = dmp_mapping_error(dev, a);
	no_new_finding(f, "map");
	stats[failed ? ST_MAP_FAIL : ST_MAP]++;
	if (failed)
		return; /* out of bounce or IOVA space: allowed, and reported */
	memset(mp, 0, sizeof(*mp));
	mp->live = true;
	mp->dev = d;
	mp->kind = page ? MK_PAGE : MK_SINGLE;
	mp->dir = dir;
	mp->nents = 1;
	mp->pc[0] = p;
	mp->dma = a;
	mp->device_owns = true;
	bufs[p.buf].map = mi;
	CHECK(a + p.len - 1 >= a && (a + p.len - 1) <= dmp_get_mask(dev),
	      "%s: bus address 0x%llx + %zu beyond the mask", specs[d].name,
	      (unsigned long long)a, p.len);
	check_disjoint_bus();
	check_iova();
	check_device_sees(mp);
	no_new_finding(f, "device read after map");
}

static bool buf_idle_page(int i);

static bool buf_idle_big(int i)
{
	return buf_idle(i) && bufs[i].size > 16;
}

static void op_map_sg(struct input *in)
{
	int mi = pick(in, NMAP, map_free_slot);
	int d = (int)(get8(in) % NDMA);
	enum dmp_data_direction dir = dirs[get8(in) % 3];
	int n = 1 + (int)(get8(in) % MAXSG);
	/* whole pages: entries an IOMMU can merge into one segment */
	bool pages = get8(in) & 1;
	if (mi < 0)
		return;
	struct mapping *mp = &maps[mi];
	struct mapping tmp;
	memset(&tmp, 0, sizeof(tmp));
	for (int e = 0; e < n; e++) {
		if (!take_piece(in, &tmp.pc[e], pages ? buf_idle_page : buf_idle_big)) {
			n = e; /* fewer idle buffers than asked for */
			break;
		}
		if (pages) {
			size_t size = bufs[tmp.pc[e].buf].size;
			tmp.pc[e].off = 0;
			tmp.pc[e].len = size >= 4096 ? size & ~(size_t)4095 : size;
		}
		bufs[tmp.pc[e].buf].map = mi; /* taken: the next piece is another buffer */
	}
	if (!n)
		return;
	tmp.nents = n;
	dmp_sg_init_table(tmp.sg, (unsigned int)n);
	for (int e = 0; e < n; e++) {
		bufs[tmp.pc[e].buf].map = -1;
		cpu_write(tmp.pc[e].buf, tmp.pc[e].off, tmp.pc[e].len);
		dmp_sg_set_buf(&tmp.sg[e], bufs[tmp.pc[e].buf].cpu + tmp.pc[e].off,
			       (unsigned int)tmp.pc[e].len);
	}
	struct dmp_device *dev = &m.dev[d];
	unsigned long f = findings();
	*mp = tmp;
	mp->nseg = dmp_map_sg(dev, mp->sg, n, dir);
	no_new_finding(f, "map_sg");
	if (mp->nseg <= 0)
		return; /* out of space: allowed */
	CHECK(mp->nseg <= n, "map_sg returned %d for %d entries", mp->nseg, n);
	stats[mp->nseg < n ? ST_SG_MERGED : ST_SG]++;
	mp->live = true;
	mp->dev = d;
	mp->kind = MK_SG;
	mp->dir = dir;
	mp->device_owns = true;
	for (int e = 0; e < n; e++)
		bufs[mp->pc[e].buf].map = mi;
	check_disjoint_bus();
	check_device_sees(mp);
	no_new_finding(f, "device read after map_sg");
}

/* The device writes fresh bytes over the whole mapping (its pieces, in order). */
static void op_device_write(struct input *in)
{
	int mi = pick(in, NMAP, map_live);
	if (mi < 0)
		return;
	struct mapping *mp = &maps[mi];
	if (!mp->device_owns || !dev_writes(mp->dir))
		return;
	size_t total = map_total(mp);
	fill(io_a, total);
	struct dmp_sim_device *hw = m.hw[mp->dev];
	unsigned long f = findings();
	if (mp->kind != MK_SG) {
		CHECK(dmp_sim_dma_write(hw, mp->dma, io_a, total) == 0, "%s: device write failed",
		      specs[mp->dev].name);
	} else {
		size_t at = 0;
		for (int s = 0; s < mp->nseg; s++) {
			size_t n = dmp_sg_dma_len(&mp->sg[s]);
			CHECK(dmp_sim_dma_write(hw, dmp_sg_dma_address(&mp->sg[s]), io_a + at, n) == 0,
			      "%s: device write of segment %d failed", specs[mp->dev].name, s);
			at += n;
		}
	}
	no_new_finding(f, "device write");
	stats[ST_DEVW]++;
	size_t at = 0;
	for (int e = 0; e < mp->nents; e++) {
		struct piece *p = &mp->pc[e];
		memcpy(bufs[p->buf].want + p->off, io_a + at, p->len);
		at += p->len;
	}
}

/* The CPU must see what the shadow says in every piece of @mp. */
static void check_pieces(struct mapping *mp, const char *what)
{
	for (int e = 0; e < mp->nents; e++) {
		struct piece *p = &mp->pc[e];
		CHECK(memcmp(bufs[p->buf].cpu + p->off, bufs[p->buf].want + p->off, p->len) == 0,
		      "%s: %s: the CPU does not see what the device wrote (piece %d)",
		      specs[mp->dev].name, what, e);
	}
}

static void op_sync_for_cpu(struct input *in)
{
	int mi = pick(in, NMAP, map_live);
	if (mi < 0)
		return;
	struct mapping *mp = &maps[mi];
	if (!mp->device_owns)
		return;
	struct dmp_device *dev = &m.dev[mp->dev];
	unsigned long f = findings();
	if (mp->kind == MK_SG)
		dmp_sync_sg_for_cpu(dev, mp->sg, mp->nents, mp->dir);
	else
		dmp_sync_single_for_cpu(dev, mp->dma, mp->pc[0].len, mp->dir);
	no_new_finding(f, "sync_for_cpu");
	stats[ST_SYNC]++;
	mp->device_owns = false;
	if (dev_writes(mp->dir))
		check_pieces(mp, "sync_for_cpu");
}

static void op_cpu_write_and_sync_for_device(struct input *in)
{
	int mi = pick(in, NMAP, map_live);
	if (mi < 0)
		return;
	struct mapping *mp = &maps[mi];
	if (mp->device_owns)
		return;
	if (dev_reads(mp->dir))
		for (int e = 0; e < mp->nents; e++)
			cpu_write(mp->pc[e].buf, mp->pc[e].off, mp->pc[e].len);
	struct dmp_device *dev = &m.dev[mp->dev];
	unsigned long f = findings();
	if (mp->kind == MK_SG)
		dmp_sync_sg_for_device(dev, mp->sg, mp->nents, mp->dir);
	else
		dmp_sync_single_for_device(dev, mp->dma, mp->pc[0].len, mp->dir);
	no_new_finding(f, "sync_for_device");
	mp->device_owns = true;
	check_device_sees(mp);
	no_new_finding(f, "device read after sync_for_device");
}

static void map_forget(int mi)
{
	struct mapping *mp = &maps[mi];
	for (int e = 0; e < mp->nents; e++) {
		struct buf *b = &bufs[mp->pc[e].buf];
		b->map = -1;
		if (b->nc) { /* the memory went with the mapping */
			free(b->want);
			b->live = b->nc = false;
		}
	}
	mp->live = false;
}

static void do_unmap(struct mapping *mp)
{
	struct dmp_device *dev = &m.dev[mp->dev];
	if (mp->kind == MK_NC)
		dmp_free_noncoherent(dev, mp->pc[0].len, bufs[mp->pc[0].buf].cpu, mp->dma, mp->dir);
	else if (mp->kind == MK_SG)
		dmp_unmap_sg(dev, mp->sg, mp->nents, mp->dir);
	else if (mp->kind == MK_PAGE)
		dmp_unmap_page(dev, mp->dma, mp->pc[0].len, mp->dir);
	else
		dmp_unmap_single(dev, mp->dma, mp->pc[0].len, mp->dir);
}

static void op_unmap(struct input *in)
{
	int mi = pick(in, NMAP, map_live);
	if (mi < 0)
		return;
	struct mapping *mp = &maps[mi];
	unsigned long f = findings();
	do_unmap(mp);
	no_new_finding(f, "unmap");
	/* an unmap gives the CPU what the device wrote; a free of non-coherent
	 * pages gives nothing back (Linux's dma_free_noncoherent) */
	if (mp->device_owns && dev_writes(mp->dir) && mp->kind != MK_NC)
		check_pieces(mp, "unmap");
	map_forget(mi);
	stats[ST_UNMAP]++;
}

/* Non-coherent pages (Linux's dma_alloc_noncoherent): owned by the device
 * from the start, moved with syncs like a streaming mapping. */
static void op_alloc_noncoherent(struct input *in)
{
	int mi = pick(in, NMAP, map_free_slot);
	int bi = pick(in, NBUF, buf_free_slot);
	int d = (int)(get8(in) % NDMA);
	enum dmp_data_direction dir = dirs[get8(in) % 3];
	size_t size = 1 + get16(in) % (3 * 4096);
	if (mi < 0 || bi < 0)
		return;
	unsigned long f = findings();
	dmp_addr_t dma;
	uint8_t *va = dmp_alloc_noncoherent(&m.dev[d], size, &dma, dir,
					    DMP_GFP_KERNEL | DMP_GFP_NOWARN);
	no_new_finding(f, "alloc_noncoherent");
	if (!va)
		return;
	struct buf *b = &bufs[bi];
	*b = (struct buf){ .live = true, .cpu = va, .size = size, .map = mi, .slot = -1,
			   .nc = true };
	b->want = calloc(1, size);
	CHECK(b->want && dmp_virt_to_phys(va, &b->phys) == 0, "alloc_noncoherent memory");
	struct mapping *mp = &maps[mi];
	memset(mp, 0, sizeof(*mp));
	*mp = (struct mapping){ .live = true, .dev = d, .kind = MK_NC, .dir = dir, .nents = 1,
				.dma = dma, .device_owns = true };
	mp->pc[0] = (struct piece){ bi, 0, size };
	for (size_t i = 0; i < size; i++)
		CHECK(va[i] == 0, "%s: non-coherent pages not zeroed (byte %zu)", specs[d].name, i);
	check_disjoint_memory();
	check_disjoint_bus();
	check_iova();
	check_device_sees(mp); /* the zeroes reached memory */
	no_new_finding(f, "device read of non-coherent pages");
}

static void op_alloc_coherent(struct input *in)
{
	int ci = pick(in, NCOH, coh_free_slot);
	int d = (int)(get8(in) % NDMA);
	size_t size = 1 + get16(in) % (3 * 4096);
	unsigned long attrs = (get8(in) & 1) ? DMP_ATTR_WRITE_COMBINE : 0;
	if (ci < 0)
		return;
	struct coh *c = &cohs[ci];
	unsigned long f = findings();
	c->cpu = dmp_alloc_attrs(&m.dev[d], size, &c->dma, DMP_GFP_KERNEL | DMP_GFP_NOWARN, attrs);
	no_new_finding(f, "alloc_coherent");
	if (!c->cpu)
		return;
	c->live = true;
	c->dev = d;
	c->size = size;
	c->attrs = attrs;
	CHECK(dmp_virt_to_phys(c->cpu, &c->phys) == 0, "coherent memory not platform memory");
	if (getenv("DMP_FUZZ_TRACE"))
		fprintf(stderr, "api-fuzz: coherent %d: %s 0x%llx + %zu%s\n", ci, specs[d].name,
			(unsigned long long)c->phys, size, attrs ? " WC" : "");
	for (size_t i = 0; i < size; i++)
		CHECK(c->cpu[i] == 0, "%s: coherent memory (%zu bytes%s) not zeroed at byte %zu",
		      specs[d].name, size, attrs ? ", write-combining" : "", i);
	check_disjoint_memory();
	check_disjoint_bus();
	fill(c->cpu, size);
	dmp_wmb();
	check_coherent(c);
	/* and the other way */
	fill(io_b, size);
	CHECK(dmp_sim_dma_write(m.hw[d], c->dma, io_b, size) == 0, "device write to coherent");
	dmp_rmb();
	CHECK(memcmp(c->cpu, io_b, size) == 0, "%s: the CPU does not see the device's write to "
	      "coherent memory", specs[d].name);
	/* user space sees the same bytes, and an sg table describes them */
	struct dmp_user_mapping um = { 0 };
	if (dmp_mmap_attrs(&m.dev[d], &um, c->cpu, c->dma, size, attrs) == 0) {
		CHECK(um.size == ((size + 4095) & ~(size_t)4095) && memcmp(um.addr, c->cpu, size) == 0,
		      "%s: the user mapping differs from the allocation", specs[d].name);
		dmp_munmap(&um);
	}
	struct dmp_sg_table t;
	CHECK(dmp_get_sgtable_attrs(&m.dev[d], &t, c->cpu, c->dma, size, attrs) == 0 &&
		      t.orig_nents == 1 && dmp_sg_virt(t.sgl) == (void *)c->cpu,
	      "%s: get_sgtable of a coherent allocation", specs[d].name);
	dmp_sg_free_table(&t);
	no_new_finding(f, "coherent memory use");
	stats[ST_COH]++;
}

static void op_free_coherent(struct input *in)
{
	int ci = pick(in, NCOH, coh_live);
	if (ci < 0)
		return;
	struct coh *c = &cohs[ci];
	unsigned long f = findings();
	dmp_free_attrs(&m.dev[c->dev], c->size, c->cpu, c->dma, c->attrs);
	no_new_finding(f, "free_coherent");
	c->live = false;
}

static void op_pool(struct input *in)
{
	stats[ST_POOL]++;
	int p = (int)(get8(in) % NPOOL);
	unsigned int what = get8(in) % 4;
	struct pool *pl = &pools[p];
	unsigned long f = findings();
	if (!pl->pool) {
		pl->dev = (int)(get8(in) % NDMA);
		pl->size = 1 + get16(in) % 2048;
		pl->align = (size_t)1 << (get8(in) % 9);
		size_t rounded = (pl->size + pl->align - 1) & ~(pl->align - 1);
		unsigned int b = get8(in) % 4;
		pl->boundary = b ? (size_t)2048 << b : 0;
		if (pl->boundary && pl->boundary < rounded)
			pl->boundary = 0;
		pl->pool = dmp_pool_create("fuzz", &m.dev[pl->dev], pl->size, pl->align,
					   pl->boundary);
		CHECK(pl->pool, "pool_create(%zu, %zu, %zu) failed", pl->size, pl->align,
		      pl->boundary);
		memset(pl->blk, 0, sizeof(pl->blk));
		no_new_finding(f, "pool_create");
		return;
	}
	int k = (int)(get8(in) % NBLK);
	struct blk *bk = &pl->blk[k];
	if (what == 3) { /* destroy, when empty */
		for (int i = 0; i < NBLK; i++)
			if (pl->blk[i].live)
				return;
		CHECK(dmp_pool_check(pl->pool) == 0, "pool inconsistent");
		dmp_pool_destroy(pl->pool);
		pl->pool = NULL;
		no_new_finding(f, "pool_destroy");
		return;
	}
	if (!bk->live) {
		bk->cpu = dmp_pool_zalloc(pl->pool, DMP_GFP_NOWARN, &bk->dma);
		no_new_finding(f, "pool_alloc");
		if (!bk->cpu)
			return;
		bk->live = true;
		CHECK(bk->dma % pl->align == 0, "pool block at 0x%llx not aligned to %zu",
		      (unsigned long long)bk->dma, pl->align);
		if (pl->boundary)
			CHECK(bk->dma / pl->boundary == (bk->dma + pl->size - 1) / pl->boundary,
			      "pool block crosses its boundary");
		for (size_t i = 0; i < pl->size; i++)
			CHECK(bk->cpu[i] == 0, "pool block not zeroed");
		check_disjoint_memory();
		fill(bk->cpu, pl->size);
		dmp_wmb();
		CHECK(dmp_sim_dma_read(m.hw[pl->dev], bk->dma, io_a, pl->size) == 0 &&
			      memcmp(io_a, bk->cpu, pl->size) == 0,
		      "%s: the device does not see a pool block", specs[pl->dev].name);
		no_new_finding(f, "pool block use");
	} else {
		dmp_pool_free(pl->pool, bk->cpu, bk->dma);
		no_new_finding(f, "pool_free");
		bk->live = false;
	}
}

static bool buf_idle_page(int i)
{
	/* kmalloc objects above 2 KiB are whole pages: page aligned */
	return buf_idle(i) && bufs[i].size > 2048;
}

/* drv's own domain, through the IOMMU API. */
static void op_iommu(struct input *in)
{
	stats[ST_IOMMU]++;
	unsigned int what = get8(in) % 2;
	dmp_addr_t base = 0x1000000;
	if (what == 0) {
		int k = pick(in, NSLOT, slot_free);
		int bi = pick(in, NBUF, buf_idle_page);
		if (k < 0 || bi < 0)
			return;
		dmp_addr_t iova = base + (dmp_addr_t)k * 0x100000;
		size_t len = (bufs[bi].size + 4095) & ~(size_t)4095;
		CHECK(dmp_iommu_map(m.drv_domain, iova, bufs[bi].phys, len,
				    DMP_IOMMU_READ | DMP_IOMMU_WRITE | DMP_IOMMU_CACHE,
				    DMP_GFP_KERNEL) == 0, "iommu_map");
		slots[k] = (struct slot){ true, bi, len };
		bufs[bi].slot = k;
		/* the device reads the buffer through it */
		CHECK(dmp_sim_dma_read(m.hw[D_DRV], iova, io_a, bufs[bi].size) == 0 &&
			      memcmp(io_a, bufs[bi].cpu, bufs[bi].size) == 0,
		      "drv: the device does not see the buffer through its domain");
		check_iova();
	} else {
		int k = pick(in, NSLOT, slot_live);
		if (k < 0)
			return;
		dmp_addr_t iova = base + (dmp_addr_t)k * 0x100000;
		CHECK(dmp_iommu_unmap(m.drv_domain, iova, slots[k].len) == slots[k].len,
		      "iommu_unmap");
		dmp_phys_t p;
		CHECK(dmp_iommu_iova_to_phys(m.drv_domain, iova, &p) == -ENOENT,
		      "drv: still translates after unmap");
		bufs[slots[k].buf].slot = -1;
		slots[k].live = false;
	}
}

/* ---- misuse: refused, reported, nothing changed ----------------------------------------------- */

struct before {
	unsigned long findings, lines;
};

static struct before misuse_begin(void)
{
	return (struct before){ findings(), log_lines };
}

/* With the checker on, every refused misuse is a finding of a kind, so that a
 * test in fail or abort mode sees it; with it off, a log line. */
static void misuse_end(struct before b, const char *what)
{
	if (m.checker)
		CHECK(findings() > b.findings, "%s: refused with no finding", what);
	else
		CHECK(log_lines > b.lines, "%s: not reported", what);
	stats[ST_MISUSE]++;
	check_all();
}

static void op_misuse(struct input *in)
{
	unsigned int what = get8(in) % 19;
	struct before b = misuse_begin();
	switch (what) {
	case 0: { /* an unmap with a size other than the mapping's */
		int mi = pick(in, NMAP, map_live_single);
		if (mi < 0 || !m.checker)
			return;
		struct mapping *mp = &maps[mi];
		size_t wrong = mp->pc[0].len + 1 + get16(in) % 8192;
		if (get8(in) & 1 && mp->pc[0].len > 1)
			wrong = mp->pc[0].len / 2;
		if (mp->kind == MK_PAGE)
			dmp_unmap_page(&m.dev[mp->dev], mp->dma, wrong, mp->dir);
		else
			dmp_unmap_single(&m.dev[mp->dev], mp->dma, wrong, mp->dir);
		misuse_end(b, "wrong-size unmap");
		return;
	}
	case 1: { /* a sync past the end of a mapping */
		int mi = pick(in, NMAP, map_live_single);
		if (mi < 0)
			return;
		struct mapping *mp = &maps[mi];
		int d = mp->dev;
		/* without the checker only the IOMMU path (where the sync does
		 * work) can tell, and only past the page the buffer ends in */
		if (!m.checker && (!behind_iommu(d) || specs[d].coherent))
			return;
		size_t over = mp->pc[0].len + 8192 + get16(in);
		if (mp->device_owns)
			dmp_sync_single_for_cpu(&m.dev[d], mp->dma, over, mp->dir);
		else
			dmp_sync_single_for_device(&m.dev[d], mp->dma, over, mp->dir);
		misuse_end(b, "sync past the mapping");
		return;
	}
	case 2: { /* a double unmap */
		int mi = pick(in, NMAP, map_live);
		if (mi < 0)
			return;
		struct mapping *mp = &maps[mi];
		if (!m.checker && !behind_iommu(mp->dev))
			return; /* nothing records it on the direct path */
		unsigned long f = findings();
		do_unmap(mp);
		no_new_finding(f, "unmap");
		if (mp->device_owns && dev_writes(mp->dir) && mp->kind != MK_NC)
			check_pieces(mp, "unmap");
		map_forget(mi);
		b = misuse_begin();
		do_unmap(mp);
		misuse_end(b, "double unmap");
		return;
	}
	case 3: { /* a scatterlist count past the end of the list */
		int bi = pick(in, NBUF, buf_idle);
		int d = (int)(get8(in) % NDMA);
		if (bi < 0)
			return;
		struct dmp_scatterlist sg[2];
		dmp_sg_init_table(sg, 1);
		dmp_sg_set_buf(&sg[0], bufs[bi].cpu, (unsigned int)bufs[bi].size);
		int nents = 2 + (int)(get8(in) % 8);
		CHECK(dmp_map_sg(&m.dev[d], sg, nents, DMP_TO_DEVICE) == 0,
		      "map_sg past the list's end mapped something");
		misuse_end(b, "map_sg past the list");
		return;
	}
	case 4: { /* a coherent free with the wrong size */
		int ci = pick(in, NCOH, coh_live);
		if (ci < 0)
			return;
		struct coh *c = &cohs[ci];
		/* without the checker the allocators see a wrong size only when it
		 * changes the block (the page order, the IOVA range) */
		size_t wrong = m.checker ? c->size + 1 + get16(in) % 4096 : c->size * 8 + 65536;
		dmp_free_attrs(&m.dev[c->dev], wrong, c->cpu, c->dma, c->attrs);
		misuse_end(b, "wrong-size free_coherent");
		return;
	}
	case 5: { /* unmap of the error value, size 0, a bad direction */
		int d = (int)(get8(in) % NDMA);
		dmp_unmap_single(&m.dev[d], DMP_MAPPING_ERROR, 64, DMP_TO_DEVICE);
		misuse_end(b, "unmap of DMP_MAPPING_ERROR");
		b = misuse_begin();
		dmp_unmap_single(&m.dev[d], 0x80000000, 0, DMP_TO_DEVICE);
		misuse_end(b, "unmap of size 0");
		b = misuse_begin();
		dmp_sync_single_for_cpu(&m.dev[d], 0x80000000, 64, (enum dmp_data_direction)7);
		misuse_end(b, "sync with a bad direction");
		return;
	}
	case 6: { /* memory that is not DMA-able */
		int d = (int)(get8(in) % NDMA);
		uint8_t stack[64];
		memset(stack, 1, sizeof(stack));
		dmp_addr_t a = dmp_map_single(&m.dev[d], stack, sizeof(stack), DMP_TO_DEVICE);
		CHECK(dmp_mapping_error(&m.dev[d], a), "mapped the stack");
		misuse_end(b, "map of the stack");
		uint8_t *heap = malloc(256);
		b = misuse_begin();
		a = dmp_map_single(&m.dev[d], heap, 256, DMP_FROM_DEVICE);
		CHECK(dmp_mapping_error(&m.dev[d], a), "mapped libc's heap");
		free(heap);
		misuse_end(b, "map of libc's heap");
		return;
	}
	case 7: { /* pool frees of what the pool did not give */
		int p = (int)(get8(in) % NPOOL);
		int bi = pick(in, NBUF, buf_idle);
		if (!pools[p].pool || bi < 0)
			return;
		dmp_pool_free(pools[p].pool, bufs[bi].cpu, bufs[bi].phys);
		misuse_end(b, "pool_free of a foreign block");
		size_t rounded = (pools[p].size + pools[p].align - 1) & ~(pools[p].align - 1);
		for (int k = 0; k < NBLK && rounded > 1; k++) {
			struct blk *bk = &pools[p].blk[k];
			if (!bk->live)
				continue;
			b = misuse_begin();
			dmp_pool_free(pools[p].pool, bk->cpu + rounded / 2, bk->dma + rounded / 2);
			misuse_end(b, "pool_free inside a block");
			break;
		}
		CHECK(dmp_pool_check(pools[p].pool) == 0, "pool inconsistent after a bad free");
		return;
	}
	case 8: { /* pool_create with sizes that overflow */
		int d = (int)(get8(in) % NDMA);
		static const size_t sizes[] = { SIZE_MAX, SIZE_MAX - 100, (size_t)1 << 40, 0 };
		size_t s = sizes[get8(in) % 4];
		CHECK(!dmp_pool_create("bad", &m.dev[d], s, 64, 0), "pool of %zu bytes", s);
		misuse_end(b, "pool_create with a bad size");
		return;
	}
	case 9: { /* sync of an address nothing maps (the checker follows every device) */
		int d = (int)(get8(in) % NDMA);
		int bi = pick(in, NBUF, buf_idle);
		if (!m.checker || bi < 0 || behind_iommu(d))
			return;
		dmp_sync_single_for_cpu(&m.dev[d], bufs[bi].phys, bufs[bi].size, DMP_FROM_DEVICE);
		misuse_end(b, "sync of an unmapped address");
		return;
	}
	case 10: { /* freeing a domain still in use */
		dmp_iommu_domain_free(m.drv_domain);
		misuse_end(b, "iommu_domain_free of an attached domain");
		b = misuse_begin();
		dmp_iommu_domain_free(dmp_iommu_get_domain_for_dev(&m.dev[D_STRICT]));
		misuse_end(b, "iommu_domain_free of a default domain");
		b = misuse_begin();
		CHECK(dmp_iommu_attach_device(dmp_iommu_get_domain_for_dev(&m.dev[D_STRICT]),
					      &m.dev[D_UNTRUST]) == -EINVAL,
		      "attached another group's default domain");
		misuse_end(b, "iommu_attach_device of another group's default domain");
		return;
	}
	case 11: { /* a coherent free with another CPU address, and unmap of coherent memory */
		int ci = pick(in, NCOH, coh_live);
		if (ci < 0 || !m.checker)
			return;
		struct coh *c = &cohs[ci];
		int bi = pick(in, NBUF, buf_idle);
		if (bi >= 0) {
			dmp_free_attrs(&m.dev[c->dev], c->size, bufs[bi].cpu, c->dma, c->attrs);
			misuse_end(b, "free_coherent with another CPU address");
			b = misuse_begin();
		}
		dmp_unmap_single(&m.dev[c->dev], c->dma, c->size, DMP_BIDIRECTIONAL);
		misuse_end(b, "unmap_single of a coherent allocation");
		return;
	}
	case 12: { /* IOMMU API: map over a mapping, unmap of nothing */
		int k = pick(in, NSLOT, slot_live);
		if (k < 0)
			return;
		dmp_addr_t iova = 0x1000000 + (dmp_addr_t)k * 0x100000;
		CHECK(dmp_iommu_map(m.drv_domain, iova, 0x80000000, 4096, DMP_IOMMU_READ, 0) ==
			      -EEXIST, "iommu_map over a mapping");
		CHECK(dmp_iommu_unmap(m.drv_domain, iova + 0x80000, 4096) == 0,
		      "iommu_unmap of nothing");
		check_all(); /* -EEXIST and 0 are the report here: nothing changed */
		return;
	}
	case 14: { /* mmap with a size the allocation does not have */
		int ci = pick(in, NCOH, coh_live);
		if (ci < 0)
			return;
		struct coh *c = &cohs[ci];
		struct dmp_user_mapping um = { 0 };
		CHECK(dmp_mmap_attrs(&m.dev[c->dev], &um, c->cpu, c->dma, c->size * 4 + 8192,
				     c->attrs) != 0 && !um.addr, "mmap beyond the allocation");
		misuse_end(b, "mmap with a larger size");
		b = misuse_begin();
		um = (struct dmp_user_mapping){ .pgoff = get16(in), .size = SIZE_MAX - get8(in) };
		CHECK(dmp_mmap_attrs(&m.dev[c->dev], &um, c->cpu, c->dma, c->size, c->attrs) != 0 &&
			      !um.addr, "mmap of a window past the buffer");
		misuse_end(b, "mmap of a window past the buffer");
		return;
	}
	case 15: { /* get_sgtable with sizes the allocation does not have */
		int ci = pick(in, NCOH, coh_live);
		if (ci < 0)
			return;
		struct coh *c = &cohs[ci];
		struct dmp_sg_table t;
		size_t wrong = (get8(in) & 1) ? SIZE_MAX : c->size * 4 + 8192;
		CHECK(dmp_get_sgtable_attrs(&m.dev[c->dev], &t, c->cpu, c->dma, wrong, c->attrs) != 0,
		      "get_sgtable of %zu bytes", wrong);
		misuse_end(b, "get_sgtable with the wrong size");
		return;
	}
	case 16: { /* map_page of what is not a page descriptor, or past its region */
		int bi = pick(in, NBUF, buf_idle);
		int d = (int)(get8(in) % NDMA);
		if (bi < 0)
			return;
		dmp_addr_t a = dmp_map_page(&m.dev[d], (struct dmp_page *)bufs[bi].cpu, 0, 16,
					    DMP_TO_DEVICE);
		CHECK(dmp_mapping_error(&m.dev[d], a), "map_page of a non-page");
		misuse_end(b, "map_page of a non-page");
		b = misuse_begin();
		a = dmp_map_page(&m.dev[d], dmp_virt_to_page(bufs[bi].cpu), SIZE_MAX - get8(in), 64,
				 DMP_TO_DEVICE);
		CHECK(dmp_mapping_error(&m.dev[d], a), "map_page with a wrapping offset");
		misuse_end(b, "map_page with a wrapping offset");
		return;
	}
	case 17: { /* a sync or unmap whose range wraps the bus address space */
		int mi = pick(in, NMAP, map_live_single);
		if (mi < 0)
			return;
		struct mapping *mp = &maps[mi];
		struct dmp_device *dev = &m.dev[mp->dev];
		dmp_sync_single_range_for_cpu(dev, mp->dma, SIZE_MAX - get8(in), 16, mp->dir);
		misuse_end(b, "sync with a wrapping offset");
		b = misuse_begin();
		dmp_sync_single_range_for_device(dev, mp->dma, 1, SIZE_MAX, mp->dir);
		misuse_end(b, "sync with a wrapping size");
		b = misuse_begin();
		if (mp->kind == MK_PAGE)
			dmp_unmap_page(dev, mp->dma, SIZE_MAX - get8(in), mp->dir);
		else
			dmp_unmap_single(dev, mp->dma, SIZE_MAX - get8(in), mp->dir);
		misuse_end(b, "unmap with a wrapping size");
		return;
	}
	case 18: { /* a pool that does not exist */
		dmp_addr_t h = 0;
		CHECK(!dmp_pool_alloc(NULL, 0, &h) && h == DMP_MAPPING_ERROR, "alloc from no pool");
		misuse_end(b, "pool_alloc with no pool");
		return;
	}
	case 13: { /* unmap_sg and sync_sg with a count past the list */
		int mi = pick(in, NMAP, map_live);
		if (mi < 0 || maps[mi].kind != MK_SG)
			return;
		struct mapping *mp = &maps[mi];
		dmp_sync_sg_for_cpu(&m.dev[mp->dev], mp->sg, mp->nents + 1, mp->dir);
		misuse_end(b, "sync_sg past the list");
		b = misuse_begin();
		dmp_unmap_sg(&m.dev[mp->dev], mp->sg, mp->nents + 3, mp->dir);
		misuse_end(b, "unmap_sg past the list");
		return;
	}
	}
}

/* ---- the run ------------------------------------------------------------------------------ */

static void free_everything(void)
{
	for (int i = 0; i < NMAP; i++)
		if (maps[i].live) {
			do_unmap(&maps[i]);
			map_forget(i);
		}
	for (int i = 0; i < NCOH; i++)
		if (cohs[i].live) {
			dmp_free_attrs(&m.dev[cohs[i].dev], cohs[i].size, cohs[i].cpu, cohs[i].dma,
				       cohs[i].attrs);
			cohs[i].live = false;
		}
	for (int p = 0; p < NPOOL; p++) {
		if (!pools[p].pool)
			continue;
		for (int k = 0; k < NBLK; k++)
			if (pools[p].blk[k].live)
				dmp_pool_free(pools[p].pool, pools[p].blk[k].cpu, pools[p].blk[k].dma);
		CHECK(dmp_pool_check(pools[p].pool) == 0, "pool inconsistent at the end");
		dmp_pool_destroy(pools[p].pool);
		pools[p].pool = NULL;
	}
	for (int k = 0; k < NSLOT; k++)
		if (slots[k].live) {
			CHECK(dmp_iommu_unmap(m.drv_domain, 0x1000000 + (dmp_addr_t)k * 0x100000,
					      slots[k].len) == slots[k].len, "iommu_unmap at the end");
			bufs[slots[k].buf].slot = -1;
			slots[k].live = false;
		}
	check_cpu_views();
	for (int i = 0; i < NBUF; i++)
		if (bufs[i].live)
			buf_release(i);
}

/* Nothing may be left: checker entries, bounce slots, pages. */
static void check_no_leak(void)
{
	if (m.checker)
		CHECK(dmp_debug_for_each_live(NULL, NULL, NULL) == 0, "the checker has live entries");
	struct dmp_swiotlb_stats st;
	dmp_swiotlb_get_stats(dmp_swiotlb_default(), &st);
	CHECK(st.used == 0, "%zu bounce slots still in use", st.used);
	for (int d = 0; d < NDEV; d++)
		if (behind_iommu(d) && dmp_iommu_get_domain_for_dev(&m.dev[d]) &&
		    dmp_iommu_get_domain_for_dev(&m.dev[d])->dma)
			dmp_iommu_dma_flush_queue(dmp_iommu_get_domain_for_dev(&m.dev[d]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	if (!once) {
		once = true;
		log_through = getenv("DMP_FUZZ_LOG") != NULL;
		if (getenv("DMP_FUZZ_STATS"))
			atexit(print_stats);
		dmp_set_log_hook(log_hook, NULL);
	}
	struct input in = { data, size };
	unsigned int flags = get8(&in);
	unsigned int seed = get16(&in);
	rng = 0x9e3779b97f4a7c15ull ^ seed;
	memset(bufs, 0, sizeof(bufs));
	memset(maps, 0, sizeof(maps));
	memset(cohs, 0, sizeof(cohs));
	memset(pools, 0, sizeof(pools));
	memset(slots, 0, sizeof(slots));
	step = 0;
	machine_up(flags, seed);
	stats[ST_RUN_CHECKER] += m.checker;
	stats[ST_RUN_HOSTILE] += (flags & 2) != 0;
	static int trace = -1;
	if (trace < 0)
		trace = getenv("DMP_FUZZ_TRACE") != NULL;
	for (step = 1; in.left && step <= 400; step++) {
		unsigned int op = get8(&in) % 16;
		if (trace)
			fprintf(stderr, "api-fuzz: step %d: op %u\n", step, op);
		switch (op) {
		case 0: case 1: op_buf_alloc(&in); break;
		case 2: op_buf_free(&in); break;
		case 3: op_map_single(&in, false); break;
		case 4: op_map_single(&in, true); break;
		case 5: op_map_sg(&in); break;
		case 6: op_device_write(&in); break;
		case 7: op_sync_for_cpu(&in); break;
		case 8: op_cpu_write_and_sync_for_device(&in); break;
		case 9: op_unmap(&in); break;
		case 10: (get8(&in) & 1) ? op_alloc_noncoherent(&in) : op_alloc_coherent(&in); break;
		case 11: op_free_coherent(&in); break;
		case 12: op_pool(&in); break;
		case 13: op_iommu(&in); break;
		case 14: case 15: op_misuse(&in); break;
		}
		CHECK(!m.checker || dmp_debug_table_check() == 0, "the checker's table is broken");
	}
	step = -1;
	unsigned long f = findings();
	free_everything();
	no_new_finding(f, "freeing everything");
	check_no_leak();
	machine_down();
	return 0;
}
