/* SPDX-License-Identifier: MIT */
/*
 * vfio-test.c - dmaport on Linux user space, checked on a real device: QEMU's
 * edu behind the guest's IOMMU (intel-iommu), bound to vfio-pci, driven by
 * the one edu driver (drivers/edu) through dmaport's DMA API over the VFIO
 * platform.  Run in the guest by tests/vfio/init as `vfio-test BDF`.
 *
 * Each check prints "PASS ..." or "FAIL ..."; the run ends with
 * "vfio-test: N passed, M failed" (tests/vfio/run-guest.sh reads them).
 *
 * Strict mode (a VFIO map per dmp_map_*), then pre-mapped mode (all memory
 * mapped once): round trips RAM -> edu -> RAM with dmp_map_single, dmp_map_sg,
 * dmp_alloc_coherent and a DMA pool, both directions; edu's 28-bit mask and
 * the IOVA allocator; completion by MSI and by INTx through eventfds; DMA
 * to an unmapped IOVA leaves memory untouched and the guest kernel logs the
 * IOMMU fault; the checker catches a double unmap.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dmaport/debug.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/dmapool.h>
#include <dmaport/iommu.h>
#include <dmaport/memory.h>
#include <dmaport/platform.h>
#include <dmaport/scatterlist.h>
#include <dmaport/vfio.h>

#include "edu.h"

#define EDU_TIMEOUT_NS 3000000000ull /* a transfer takes ~100 ms of guest time */
#define EDU_MASK DMP_BIT_MASK(EDU_DMA_BITS)
#define FAULT_LEN 8 /* bytes of a transfer meant to fault */

static int passed, failed;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s ", ok ? "PASS" : "FAIL");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

/* What a test needs: the platform, the device, its driver. */
struct ctx {
	const char *mode;
	struct dmp_vfio *vfio;
	struct dmp_vfio_pci *pci;
	struct dmp_device *dev;
	struct edu edu;
};

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed * 31 + (i >> 8));
}

static bool filled(const uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(i * 7 + seed * 31 + (i >> 8)))
			return false;
	return true;
}

static bool all(const uint8_t *p, size_t n, uint8_t byte)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != byte)
			return false;
	return true;
}

/* The bus address a mode must give a buffer: its physical address when
 * pre-mapped, an IOVA below edu's mask from the allocator when strict. */
static bool addr_ok(struct ctx *c, dmp_addr_t dma, const void *buf, size_t len)
{
	dmp_phys_t phys;
	if (dmp_virt_to_phys(buf, &phys) || dma + len - 1 > EDU_MASK)
		return false;
	return strcmp(c->mode, "pre-mapped") == 0 ? dma == phys : true;
}

/* ---- round trips ----------------------------------------------------------------------- */

static void test_map_single(struct ctx *c, size_t len, unsigned int seed)
{
	uint8_t *src = dmp_kmalloc(len, DMP_GFP_KERNEL);
	uint8_t *dst = dmp_kmalloc(len + 1, DMP_GFP_KERNEL);
	if (!src || !dst) {
		check(false, "%s: map_single: buffers", c->mode);
		goto out;
	}
	fill(src, len, seed);
	memset(dst, 0x5a, len + 1);
	struct dmp_vfio_stats before, after;
	dmp_vfio_get_stats(c->vfio, &before);
	int e1 = -1, e2 = -1;
	dmp_addr_t s = dmp_map_single(c->dev, src, len, DMP_TO_DEVICE);
	dmp_addr_t d = dmp_map_single(c->dev, dst, len, DMP_FROM_DEVICE);
	bool mapped = !dmp_mapping_error(c->dev, s) && !dmp_mapping_error(c->dev, d);
	if (mapped) {
		e1 = edu_dma(&c->edu, EDU_RAM_TO_DEV, s, 0, len, EDU_TIMEOUT_NS);
		e2 = e1 ? e1 : edu_dma(&c->edu, EDU_DEV_TO_RAM, d, 0, len, EDU_TIMEOUT_NS);
	}
	dmp_vfio_get_stats(c->vfio, &after);
	unsigned long vfio_maps = after.maps - before.maps;
	if (!dmp_mapping_error(c->dev, s))
		dmp_unmap_single(c->dev, s, len, DMP_TO_DEVICE);
	if (!dmp_mapping_error(c->dev, d))
		dmp_unmap_single(c->dev, d, len, DMP_FROM_DEVICE);
	bool pre = strcmp(c->mode, "pre-mapped") == 0;
	check(mapped && !e1 && !e2 && filled(dst, len, seed) && dst[len] == 0x5a &&
		      addr_ok(c, s, src, len) && addr_ok(c, d, dst, len) && vfio_maps == (pre ? 0 : 2),
	      "%s: dmp_map_single round trip of %zu bytes RAM -> edu -> RAM, bus addresses 0x%llx "
	      "0x%llx (%s), %lu VFIO maps for them (%d %d)", c->mode, len,
	      (unsigned long long)s, (unsigned long long)d,
	      pre ? "= physical" : "IOVAs below 2^28", vfio_maps, e1, e2);
out:
	dmp_kfree(src);
	dmp_kfree(dst);
}

/*
 * Three buffers gathered segment by segment into edu's buffer, then
 * scattered back into three others: dmp_map_sg in both directions.
 */
static void test_map_sg(struct ctx *c)
{
	static const unsigned int len[3] = { 1000, 333, 2000 };
	uint8_t *in[3] = { 0 }, *out[3] = { 0 };
	struct dmp_scatterlist sg_in[3], sg_out[3];
	int n_in = 0, n_out = 0, err = 0;

	for (unsigned int i = 0; i < 3; i++) {
		in[i] = dmp_kmalloc(len[i], DMP_GFP_KERNEL);
		out[i] = dmp_kmalloc(len[i], DMP_GFP_KERNEL);
		if (!in[i] || !out[i]) {
			check(false, "%s: map_sg: buffers", c->mode);
			goto out;
		}
		fill(in[i], len[i], 10 + i);
		memset(out[i], 0x5a, len[i]);
	}
	dmp_sg_init_table(sg_in, 3);
	dmp_sg_init_table(sg_out, 3);
	for (unsigned int i = 0; i < 3; i++) {
		dmp_sg_set_buf(&sg_in[i], in[i], len[i]);
		dmp_sg_set_buf(&sg_out[i], out[i], len[i]);
	}
	n_in = dmp_map_sg(c->dev, sg_in, 3, DMP_TO_DEVICE);
	n_out = dmp_map_sg(c->dev, sg_out, 3, DMP_FROM_DEVICE);
	if (n_in <= 0 || n_out <= 0) {
		err = -1;
		goto unmap;
	}
	struct dmp_scatterlist *s;
	int i;
	unsigned int off = 0;
	bool below = true;
	dmp_for_each_sg(sg_in, s, n_in, i) {
		below &= dmp_sg_dma_address(s) + dmp_sg_dma_len(s) - 1 <= EDU_MASK;
		if (!err)
			err = edu_dma(&c->edu, EDU_RAM_TO_DEV, dmp_sg_dma_address(s), off,
				      dmp_sg_dma_len(s), EDU_TIMEOUT_NS);
		off += dmp_sg_dma_len(s);
	}
	off = 0;
	dmp_for_each_sg(sg_out, s, n_out, i) {
		below &= dmp_sg_dma_address(s) + dmp_sg_dma_len(s) - 1 <= EDU_MASK;
		if (!err)
			err = edu_dma(&c->edu, EDU_DEV_TO_RAM, dmp_sg_dma_address(s), off,
				      dmp_sg_dma_len(s), EDU_TIMEOUT_NS);
		off += dmp_sg_dma_len(s);
	}
	bool same = !err && below;
	for (unsigned int k = 0; same && k < 3; k++)
		same = memcmp(in[k], out[k], len[k]) == 0;
	check(same, "%s: dmp_map_sg of 3 buffers (%u + %u + %u bytes) -> %d DMA segments gathered "
	      "by edu, scattered back with dmp_map_sg -> %d segments, intact, below 2^28 (%d)",
	      c->mode, len[0], len[1], len[2], n_in, n_out, err);
unmap:
	if (n_in > 0)
		dmp_unmap_sg(c->dev, sg_in, 3, DMP_TO_DEVICE);
	if (n_out > 0)
		dmp_unmap_sg(c->dev, sg_out, 3, DMP_FROM_DEVICE);
	if (err == -1)
		check(false, "%s: dmp_map_sg (%d, %d segments)", c->mode, n_in, n_out);
out:
	for (unsigned int k = 0; k < 3; k++) {
		dmp_kfree(in[k]);
		dmp_kfree(out[k]);
	}
}

/* One coherent buffer: edu reads its first half and writes it into the second. */
static void test_coherent(struct ctx *c)
{
	const size_t size = 8192, half = 4000;
	dmp_addr_t h;
	uint8_t *p = dmp_alloc_coherent(c->dev, size, &h, DMP_GFP_KERNEL);
	if (!p) {
		check(false, "%s: dmp_alloc_coherent of %zu bytes", c->mode, size);
		return;
	}
	fill(p, half, 20);
	memset(p + 4096, 0x5a, 4096);
	/* coherent memory: no sync, the CPU's stores are the device's data */
	int err = edu_dma(&c->edu, EDU_RAM_TO_DEV, h, 0, half, EDU_TIMEOUT_NS);
	if (!err)
		err = edu_dma(&c->edu, EDU_DEV_TO_RAM, h + 4096, 0, half, EDU_TIMEOUT_NS);
	check(!err && filled(p + 4096, half, 20) && all(p + 4096 + half, 4096 - half, 0x5a) &&
		      addr_ok(c, h, p, size),
	      "%s: dmp_alloc_coherent %zu bytes at bus 0x%llx: edu copies its first half into its "
	      "second, byte for byte (%d)", c->mode, size, (unsigned long long)h, err);
	dmp_free_coherent(c->dev, size, p, h);
}

static void test_pool(struct ctx *c)
{
	struct dmp_dma_pool *pool = dmp_pool_create("edu-blocks", c->dev, 512, 64, 0);
	dmp_addr_t ha = 0, hb = 0;
	uint8_t *a = pool ? dmp_pool_alloc(pool, DMP_GFP_KERNEL, &ha) : NULL;
	uint8_t *b = pool ? dmp_pool_zalloc(pool, DMP_GFP_KERNEL, &hb) : NULL;
	int err = -1;
	if (a && b) {
		fill(a, 500, 30);
		err = edu_dma(&c->edu, EDU_RAM_TO_DEV, ha, 100, 500, EDU_TIMEOUT_NS);
		if (!err)
			err = edu_dma(&c->edu, EDU_DEV_TO_RAM, hb, 100, 500, EDU_TIMEOUT_NS);
	}
	check(!err && filled(b, 500, 30) && all(b + 500, 12, 0) && addr_ok(c, ha, a, 512) &&
		      addr_ok(c, hb, b, 512) && dmp_pool_check(pool) == 0,
	      "%s: DMA pool of 512-byte blocks: block 0x%llx -> edu -> block 0x%llx intact (%d)",
	      c->mode, (unsigned long long)ha, (unsigned long long)hb, err);
	if (a)
		dmp_pool_free(pool, a, ha);
	if (b)
		dmp_pool_free(pool, b, hb);
	dmp_pool_destroy(pool);
}

/* ---- masks ------------------------------------------------------------------------------------- */

/*
 * The IOVA allocator honours the mask: with 32 bits it hands out IOVAs
 * above edu's 28 address bits (and edu, which cuts addresses to 28 bits,
 * misses the buffer); with 28 bits every IOVA is below 2^28 and the same
 * transfer lands.  Run first, on a fresh domain: later, the allocator's
 * caches hold freed IOVAs below 2^28, which it rightly reuses under a
 * 32-bit mask too (as Linux's alloc_iova_fast).
 */
static void test_mask(struct ctx *c)
{
	const size_t len = 256;
	uint8_t *buf = dmp_kmalloc(len, DMP_GFP_KERNEL);
	if (!buf || dmp_set_mask(c->dev, DMP_BIT_MASK(32))) {
		check(false, "%s: mask: buffer, 32-bit mask", c->mode);
		goto out;
	}
	/* edu's buffer holds the pattern of a earlier transfer: load a known one */
	uint8_t *src = dmp_kmalloc(len, DMP_GFP_KERNEL);
	dmp_addr_t s = src ? dmp_map_single(c->dev, src, len, DMP_TO_DEVICE) : DMP_MAPPING_ERROR;
	int err = -1;
	if (src)
		fill(src, len, 40);
	bool high_ok = false;
	if (!dmp_mapping_error(c->dev, s)) {
		/* 32-bit mask: this IOVA is above 2^28, so edu cannot use it */
		high_ok = s > EDU_MASK;
		dmp_unmap_single(c->dev, s, len, DMP_TO_DEVICE);
	}
	memset(buf, 0x5a, len);
	dmp_addr_t d = dmp_map_single(c->dev, buf, len, DMP_FROM_DEVICE);
	/* a short transfer: each faulting 4-byte access is one event of an
	 * SMMU, and the kernel logs only 10 of them in 5 s (test_fault needs
	 * its own to be logged) */
	int e32 = dmp_mapping_error(c->dev, d) ? -1
			: edu_dma(&c->edu, EDU_DEV_TO_RAM, d, 0, FAULT_LEN, EDU_TIMEOUT_NS);
	bool missed = all(buf, len, 0x5a);
	if (!dmp_mapping_error(c->dev, d))
		dmp_unmap_single(c->dev, d, len, DMP_FROM_DEVICE);
	check(high_ok && d > EDU_MASK && !e32 && missed,
	      "%s: 32-bit mask: IOVAs 0x%llx 0x%llx above 2^28, and edu (28 address bits) misses "
	      "the buffer (%d)", c->mode, (unsigned long long)s, (unsigned long long)d, e32);

	dmp_set_mask_and_coherent(c->dev, EDU_MASK);
	s = src ? dmp_map_single(c->dev, src, len, DMP_TO_DEVICE) : DMP_MAPPING_ERROR;
	d = dmp_map_single(c->dev, buf, len, DMP_FROM_DEVICE);
	if (!dmp_mapping_error(c->dev, s) && !dmp_mapping_error(c->dev, d)) {
		err = edu_dma(&c->edu, EDU_RAM_TO_DEV, s, 0, len, EDU_TIMEOUT_NS);
		if (!err)
			err = edu_dma(&c->edu, EDU_DEV_TO_RAM, d, 0, len, EDU_TIMEOUT_NS);
	}
	if (!dmp_mapping_error(c->dev, s))
		dmp_unmap_single(c->dev, s, len, DMP_TO_DEVICE);
	if (!dmp_mapping_error(c->dev, d))
		dmp_unmap_single(c->dev, d, len, DMP_FROM_DEVICE);
	check(!err && s <= EDU_MASK && d <= EDU_MASK && filled(buf, len, 40),
	      "%s: 28-bit mask: the IOVA allocator gives 0x%llx 0x%llx below 2^28, the transfer "
	      "lands (%d)", c->mode, (unsigned long long)s, (unsigned long long)d, err);
	dmp_kfree(src);
out:
	dmp_kfree(buf);
	dmp_set_mask_and_coherent(c->dev, EDU_MASK);
}

/* Many live mappings at once, every one of them under the mask. */
static void test_mask_many(struct ctx *c)
{
	enum { N = 200 };
	static uint8_t *bufs[N];
	static dmp_addr_t dma[N];
	dmp_addr_t lo = ~0ull, hi = 0;
	int n = 0;
	bool ok = true;
	for (; n < N; n++) {
		bufs[n] = dmp_kmalloc(3000, DMP_GFP_KERNEL);
		dma[n] = bufs[n] ? dmp_map_single(c->dev, bufs[n], 3000, DMP_BIDIRECTIONAL)
				 : DMP_MAPPING_ERROR;
		if (dmp_mapping_error(c->dev, dma[n])) {
			ok = false;
			dmp_kfree(bufs[n]);
			break;
		}
		ok &= dma[n] + 3000 - 1 <= EDU_MASK;
		lo = dma[n] < lo ? dma[n] : lo;
		hi = dma[n] > hi ? dma[n] : hi;
	}
	for (int i = 0; i < n; i++) {
		dmp_unmap_single(c->dev, dma[i], 3000, DMP_BIDIRECTIONAL);
		dmp_kfree(bufs[i]);
	}
	check(ok && n == N, "%s: %d live mappings, every IOVA in 0x%llx-0x%llx, below 2^28",
	      c->mode, n, (unsigned long long)lo, (unsigned long long)hi);
}

/* ---- interrupts --------------------------------------------------------------------------------- */

static void test_irq(struct ctx *c, enum dmp_vfio_irq_type type, const char *name)
{
	const size_t len = 300;
	uint8_t *src = dmp_kmalloc(len, DMP_GFP_KERNEL), *dst = dmp_kmalloc(len, DMP_GFP_KERNEL);
	int err = dmp_vfio_pci_irq_enable(c->pci, type, 1);
	if (err || !src || !dst) {
		check(false, "%s: %s: VFIO_DEVICE_SET_IRQS with an eventfd (%d)", c->mode, name, err);
		goto out;
	}
	fill(src, len, 50);
	memset(dst, 0x5a, len);
	dmp_addr_t s = dmp_map_single(c->dev, src, len, DMP_TO_DEVICE);
	dmp_addr_t d = dmp_map_single(c->dev, dst, len, DMP_FROM_DEVICE);
	/* nothing pending yet: the eventfd must not be signalled */
	int quiet = dmp_vfio_pci_irq_wait(c->pci, 0, 20000000);
	int n1 = -1, n2 = -1;
	uint32_t st1 = 0, st2 = 0;
	err = edu_dma_start(&c->edu, EDU_RAM_TO_DEV, s, 0, len, EDU_DMA_IRQ);
	if (!err) {
		n1 = dmp_vfio_pci_irq_wait(c->pci, 0, EDU_TIMEOUT_NS);
		st1 = edu_irq_status(&c->edu);
		edu_irq_ack(&c->edu, st1);
		if (type == DMP_VFIO_IRQ_INTX)
			dmp_vfio_pci_irq_unmask(c->pci); /* the line is low again */
		err = edu_dma_start(&c->edu, EDU_DEV_TO_RAM, d, 0, len, EDU_DMA_IRQ);
	}
	if (!err) {
		n2 = dmp_vfio_pci_irq_wait(c->pci, 0, EDU_TIMEOUT_NS);
		st2 = edu_irq_status(&c->edu);
		edu_irq_ack(&c->edu, st2);
		if (type == DMP_VFIO_IRQ_INTX)
			dmp_vfio_pci_irq_unmask(c->pci);
	}
	/* the interrupt, not polling, said it was done: the data must be there */
	bool same = filled(dst, len, 50);
	dmp_unmap_single(c->dev, s, len, DMP_TO_DEVICE);
	dmp_unmap_single(c->dev, d, len, DMP_FROM_DEVICE);
	check(quiet == -ETIMEDOUT && n1 >= 1 && n2 >= 1 && (st1 & EDU_IRQ_DMA) &&
		      (st2 & EDU_IRQ_DMA) && same && !err,
	      "%s: interrupt-driven completion by %s: quiet before (%d), eventfd signalled after "
	      "each transfer (%d, %d), edu's status 0x%x 0x%x, data intact", c->mode, name, quiet,
	      n1, n2, st1, st2);
	dmp_vfio_pci_irq_disable(c->pci);
out:
	dmp_kfree(src);
	dmp_kfree(dst);
}

/* ---- faults --------------------------------------------------------------------------------------- */

/* /dev/kmsg holds a record with @a and @b (@b may be NULL); false if none. */
static bool kmsg_has(const char *a, const char *b)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return false;
	char rec[2048];
	ssize_t n;
	bool found = false;
	while (!found && (n = read(fd, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = 0;
		found = strstr(rec, a) && (!b || strstr(rec, b));
	}
	close(fd);
	return found;
}

/*
 * The guest's IOMMU logged a fault of edu at @iova (a @write or a read).
 * Intel: one DMAR line with the direction and the page.  Arm SMMUv3: an
 * "event 0x10 received" (F_TRANSLATION) followed by the event record's
 * dwords, the third of which is the faulting address.  Waits up to 2 s: the
 * fault interrupt reports it.  *@what describes what was found.
 */
static bool iommu_fault_logged(dmp_addr_t iova, bool write, char *what, size_t len)
{
	char page[64], addr[64];
	snprintf(page, sizeof(page), "fault addr 0x%llx", (unsigned long long)(iova & ~0xfffull));
	snprintf(addr, sizeof(addr), "0x%016llx", (unsigned long long)iova);
	for (int tries = 0; tries < 40; tries++) {
		if (kmsg_has(write ? "DMA Write" : "DMA Read", page)) {
			snprintf(what, len, "DMAR: [DMA %s ...] %s", write ? "Write" : "Read", page);
			return true;
		}
		if (kmsg_has("event 0x10 received", NULL) && kmsg_has(addr, NULL)) {
			snprintf(what, len, "arm-smmu-v3: event 0x10 received ... %s", addr);
			return true;
		}
		usleep(50000);
	}
	snprintf(what, len, "nothing");
	return false;
}

/*
 * DMA to IOVAs that were mapped a moment ago: after the strict unmap the
 * device reaches nothing - a write leaves the old buffer untouched, a read
 * brings zeros - and the guest's IOMMU logs each fault (user space sees no
 * fault under type1: the transfer "completes").
 */
static void test_fault(struct ctx *c)
{
	const size_t len = 128;
	/* the faulting transfers are short: see test_mask */
	uint8_t *buf = dmp_kmalloc(len, DMP_GFP_KERNEL), *src = dmp_kmalloc(len, DMP_GFP_KERNEL);
	uint8_t *back = dmp_kmalloc(len, DMP_GFP_KERNEL);
	if (!buf || !src || !back) {
		check(false, "%s: fault: buffers", c->mode);
		goto out;
	}
	/* edu's buffer: a known pattern */
	fill(src, len, 60);
	dmp_addr_t s = dmp_map_single(c->dev, src, len, DMP_TO_DEVICE);
	int err = edu_dma(&c->edu, EDU_RAM_TO_DEV, s, 0, len, EDU_TIMEOUT_NS);
	dmp_unmap_single(c->dev, s, len, DMP_TO_DEVICE);

	memset(buf, 0x5a, len);
	dmp_addr_t d = dmp_map_single(c->dev, buf, len, DMP_FROM_DEVICE);
	dmp_unmap_single(c->dev, d, len, DMP_FROM_DEVICE);
	/* the device writes to the IOVA it no longer has */
	int e1 = err ? err : edu_dma(&c->edu, EDU_DEV_TO_RAM, d, 0, FAULT_LEN, EDU_TIMEOUT_NS);
	char what[128];
	bool logged_w = iommu_fault_logged(d, true, what, sizeof(what));
	check(!e1 && all(buf, len, 0x5a) && logged_w,
	      "%s: edu writes to IOVA 0x%llx after its unmap: the buffer is untouched, the guest "
	      "logged \"%s\" (%d)", c->mode, (unsigned long long)d, what, e1);

	/* and reads from the IOVA of a buffer unmapped: zeros reach edu */
	s = dmp_map_single(c->dev, src, len, DMP_TO_DEVICE);
	dmp_unmap_single(c->dev, s, len, DMP_TO_DEVICE);
	int e2 = edu_dma(&c->edu, EDU_RAM_TO_DEV, s, 0, FAULT_LEN, EDU_TIMEOUT_NS);
	memset(back, 0x5a, len);
	dmp_addr_t b = dmp_map_single(c->dev, back, len, DMP_FROM_DEVICE);
	int e3 = e2 ? e2 : edu_dma(&c->edu, EDU_DEV_TO_RAM, b, 0, len, EDU_TIMEOUT_NS);
	dmp_unmap_single(c->dev, b, len, DMP_FROM_DEVICE);
	bool logged_r = iommu_fault_logged(s, false, what, sizeof(what));
	/* the faulting read put zeros in edu's first bytes; the rest is
	 * still the pattern loaded before */
	check(!e2 && !e3 && all(back, FAULT_LEN, 0) &&
		      memcmp(back + FAULT_LEN, src + FAULT_LEN, len - FAULT_LEN) == 0 && logged_r,
	      "%s: edu reads from IOVA 0x%llx after its unmap: zeros reach the device, the guest "
	      "logged \"%s\" (%d %d)", c->mode, (unsigned long long)s, what, e2, e3);
out:
	dmp_kfree(buf);
	dmp_kfree(src);
	dmp_kfree(back);
}

/* ---- the checker ------------------------------------------------------------------------------- */

static void test_double_unmap(struct ctx *c)
{
	const size_t len = 64;
	uint8_t *buf = dmp_kmalloc(len, DMP_GFP_KERNEL);
	dmp_debug_reset();
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	dmp_debug_enable_device(c->dev, true);
	unsigned long before = dmp_debug_count(DMP_DEBUG_FREE_UNKNOWN);
	struct dmp_vfio_stats s0, s1;
	dmp_vfio_get_stats(c->vfio, &s0);
	dmp_addr_t d = dmp_map_single(c->dev, buf, len, DMP_TO_DEVICE);
	bool mapped = !dmp_mapping_error(c->dev, d);
	if (mapped) {
		dmp_unmap_single(c->dev, d, len, DMP_TO_DEVICE);
		dmp_unmap_single(c->dev, d, len, DMP_TO_DEVICE); /* the bug */
	}
	dmp_vfio_get_stats(c->vfio, &s1);
	unsigned long found = dmp_debug_count(DMP_DEBUG_FREE_UNKNOWN) - before;
	struct dmp_debug_report r = { 0 };
	size_t nr = dmp_debug_nr_reports();
	bool named = nr && dmp_debug_get_report(nr - 1, &r) == 0 &&
		     r.kind == DMP_DEBUG_FREE_UNKNOWN && strcmp(r.device, c->dev->name) == 0 &&
		     r.dma == d && r.line > 0;
	bool pre = strcmp(c->mode, "pre-mapped") == 0;
	/* strict: one VFIO unmap, for the first call only */
	unsigned long unmaps = s1.unmaps - s0.unmaps;
	check(mapped && found == 1 && named && unmaps == (pre ? 0 : 1),
	      "%s: the checker catches a double dmp_unmap_single of 0x%llx on %s (%s:%d), %lu "
	      "VFIO unmap(s) reached the kernel", c->mode, (unsigned long long)d, r.device,
	      r.file ? r.file : "?", r.line, unmaps);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_debug_reset();
	dmp_kfree(buf);
}

/* ---- set-up ---------------------------------------------------------------------------------------- */

static int open_all(struct ctx *c, const char *bdf, const char *name,
		    const struct dmp_vfio_config *cfg)
{
	char line[256];
	c->mode = name;
	int err = dmp_vfio_open(cfg, &c->vfio);
	check(!err, "%s: platform linux-vfio: %s (%d)", c->mode,
	      err ? "-" : dmp_vfio_describe(c->vfio, line, sizeof(line)), err);
	if (err)
		return err;
	err = dmp_vfio_pci_open(c->vfio, bdf, &c->pci);
	struct dmp_vfio_stats st = { 0 };
	if (!err)
		dmp_vfio_get_stats(c->vfio, &st);
	c->dev = err ? NULL : dmp_vfio_pci_device(c->pci);
	check(!err, "%s: vfio: %s opened, IOMMU group %d, IOMMU page sizes 0x%llx, %lu VFIO map(s) "
	      "at attach, DMA %scoherent (%d)", c->mode, bdf, err ? -1 : dmp_iommu_group_id(c->dev),
	      (unsigned long long)dmp_vfio_iommu_pgsizes(c->vfio), st.maps,
	      c->dev && !c->dev->dma_coherent ? "non-" : "", err);
	if (err)
		return err;
	dmp_phys_t bar0;
	size_t bar0_size;
	err = dmp_vfio_pci_bar(c->pci, 0, &bar0, &bar0_size);
	if (!err)
		err = edu_probe(&c->edu, bar0, bar0_size);
	check(!err, "%s: edu: BAR0 0x%llx (%zu KiB) through dmp_ioremap, ident 0x%x, liveness "
	      "inverts (%d)", c->mode, err ? 0ull : (unsigned long long)bar0, bar0_size >> 10,
	      err ? 0 : edu_ident(&c->edu), err);
	if (err)
		return err;
	err = dmp_vfio_pci_set_master(c->pci, true);
	if (!err)
		err = dmp_set_mask_and_coherent(c->dev, EDU_MASK);
	check(!err, "%s: bus mastering on, dmp_set_mask_and_coherent(28 bits) (%d)", c->mode, err);
	return err;
}

static void close_all(struct ctx *c)
{
	edu_remove(&c->edu);
	if (c->pci)
		dmp_vfio_pci_close(c->pci);
	int err = c->vfio ? dmp_vfio_close(c->vfio) : 0;
	if (c->vfio)
		check(!err && !dmp__platform.ops, "%s: device and platform closed (%d)", c->mode, err);
	memset(c, 0, sizeof(*c));
}

/*
 * A device that does not snoop the caches: streaming mappings work with the
 * architecture's cache maintenance around each transfer (arm64: DC CVAC and
 * DC CIVAC from user space; x86 has none to do), and a coherent allocation
 * is refused cleanly, since user space cannot make its memory uncached.
 */
static void test_noncoherent_alloc(struct ctx *c)
{
	dmp_addr_t h = 0;
	void *p = dmp_alloc_attrs(c->dev, 4096, &h, DMP_GFP_KERNEL, DMP_ATTR_NO_WARN);
	struct dmp_dma_pool *pool = dmp_pool_create("nc", c->dev, 64, 64, 0);
	void *b = pool ? dmp_pool_alloc(pool, DMP_GFP_KERNEL, &h) : NULL;
	check(!p && !b && !c->dev->dma_coherent,
	      "%s: dmp_alloc_coherent and dmp_pool_alloc refused (no uncached memory in user "
	      "space), nothing half-done", c->mode);
	dmp_pool_destroy(pool);
}

static void run(const char *bdf, const char *name, enum dmp_vfio_mode mode,
		enum dmp_vfio_coherence coherence)
{
	struct ctx c = { 0 };
	struct dmp_vfio_config cfg = { .mode = mode, .coherence = coherence };
	int err = open_all(&c, bdf, name, &cfg);
	if (!err && coherence == DMP_VFIO_NONCOHERENT) {
		test_map_single(&c, EDU_DMA_MAX, 3);
		test_map_sg(&c);
		test_noncoherent_alloc(&c);
	} else if (!err) {
		if (mode == DMP_VFIO_STRICT)
			test_mask(&c);
		test_map_single(&c, EDU_DMA_MAX, 1);
		test_map_single(&c, 100, 2);
		test_map_sg(&c);
		test_coherent(&c);
		test_pool(&c);
		if (mode == DMP_VFIO_STRICT) {
			test_mask_many(&c);
			test_irq(&c, DMP_VFIO_IRQ_MSI, "MSI");
			test_irq(&c, DMP_VFIO_IRQ_INTX, "INTx");
			test_fault(&c);
		}
		test_double_unmap(&c);
	}
	close_all(&c);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF (e.g. 0000:00:02.0, bound to vfio-pci)\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	run(argv[1], "strict", DMP_VFIO_STRICT, DMP_VFIO_COHERENCE_AUTO);
	run(argv[1], "pre-mapped", DMP_VFIO_PREMAPPED, DMP_VFIO_COHERENCE_AUTO);
	run(argv[1], "non-coherent", DMP_VFIO_STRICT, DMP_VFIO_NONCOHERENT);
	printf("vfio-test: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
