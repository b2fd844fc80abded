/* SPDX-License-Identifier: MIT */
/*
 * main.c - the test program: boot, then checks, each printing one
 * "PASS <what>" or "FAIL <what>" line, then "<N> passed, <M> failed" and
 * power off.  run-test.sh boots it under several QEMU configurations and
 * reads those lines.
 *
 * The configuration is told by QEMU's -append (the DTB's /chosen/bootargs):
 *   direct  no IOMMU, edu's dma_mask raised: the direct path reaches RAM
 *   nomask  no IOMMU, edu's default 28-bit mask: the DMA API must refuse
 *   smmu    iommu=smmuv3: the SMMUv3 by hand, then as a dmp_iommu_ops driver
 *           under the DMA API
 *   fault   take a data abort on purpose: the vectors must report it
 */
#include <string.h>

#include <dmaport/dma-direction.h>
#include <dmaport/io.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/memory.h>
#include <dmaport/platform.h>

#include "dmaapi-test.h"
#include "port.h"
#include "edu.h"
#include "smmuv3-iommu.h"

#define EDU_TIMEOUT_NS 2000000000ull /* 2 s; a transfer takes ~100 ms */

static unsigned nr_pass, nr_fail;

void check(bool ok, const char *fmt, ...)
{
	va_list ap;
	port_puts(ok ? "PASS " : "FAIL ");
	va_start(ap, fmt);
	port_vprintf(fmt, ap);
	va_end(ap);
	port_putc('\n');
	if (ok)
		nr_pass++;
	else
		nr_fail++;
}

_Noreturn void port_poweroff(void)
{
	/* PSCI SYSTEM_OFF through HVC: QEMU implements PSCI itself when the
	 * guest has no EL2 (the "conduit" in the DTB's /psci node). */
	register uint64_t x0 __asm__("x0") = 0x84000008u;
	__asm__ volatile("hvc #0" : "+r"(x0)::"memory");
	for (;;)
		__asm__ volatile("wfi");
}

_Noreturn void port_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far,
			      uint64_t spsr)
{
	static const char *const kind[4] = { "sync", "irq", "fiq", "serror" };
	static const char *const from[4] = { "EL1t", "EL1h", "EL0/64", "EL0/32" };
	port_printf("\nEXCEPTION %s from %s: ESR %#llx (EC %#llx) ELR %#llx FAR %#llx SPSR %#llx\n",
		    kind[idx & 3], from[(idx >> 2) & 3], (unsigned long long)esr,
		    (unsigned long long)(esr >> 26), (unsigned long long)elr,
		    (unsigned long long)far, (unsigned long long)spsr);
	port_printf("aborted by the exception after %u passed, %u failed\n", nr_pass, nr_fail);
	port_poweroff();
}

/* A pattern that differs per byte and per run of the test. */
static uint8_t pattern(size_t i, unsigned seed)
{
	return (uint8_t)(i * 131u + seed * 17u + (i >> 8));
}

/*
 * The direct path by hand (the DMA API is not there yet): bus address ==
 * physical address, cache maintenance through dmaport's arch layer.
 * RAM -> edu -> RAM, then check every byte, and that the device wrote
 * nothing past the end.
 */
static void test_direct_round_trip(struct edu *edu, size_t len, unsigned buf_off, unsigned seed)
{
	dmp_phys_t src_phys;
	uint8_t *dst = NULL;
	int ret = dmp_page_alloc(0, DMP_GFP_KERNEL, DMP_PHYS_ANY, &src_phys);
	if (ret) {
		check(false, "direct: page for the source (%d)", ret);
		return;
	}
	uint8_t *src = dmp_phys_to_virt(src_phys);
	dst = dmp_kmalloc(EDU_BUF_SIZE, DMP_GFP_KERNEL);
	dmp_phys_t dst_phys;
	if (!dst || dmp_virt_to_phys(dst, &dst_phys)) {
		check(false, "direct: kmalloc for the destination");
		goto out;
	}
	for (size_t i = 0; i < DMP_PAGE_SIZE; i++)
		src[i] = pattern(i, seed);
	memset(dst, 0x5a, EDU_BUF_SIZE);

	/* RAM -> device: the CPU's writes must reach memory first. */
	dmp_arch_sync_for_device(src_phys, src, len, DMP_TO_DEVICE);
	ret = edu_dma(edu, EDU_RAM_TO_DEV, src_phys, buf_off, len, EDU_TIMEOUT_NS);
	dmp_arch_sync_for_cpu(src_phys, src, len, DMP_TO_DEVICE);
	if (ret) {
		check(false, "direct: edu DMA RAM -> device (%d)", ret);
		goto out;
	}
	/* Device -> RAM: no dirty line may be written back over the data. */
	dmp_arch_sync_for_device(dst_phys, dst, EDU_BUF_SIZE, DMP_FROM_DEVICE);
	ret = edu_dma(edu, EDU_DEV_TO_RAM, dst_phys, buf_off, len, EDU_TIMEOUT_NS);
	dmp_arch_sync_for_cpu(dst_phys, dst, EDU_BUF_SIZE, DMP_FROM_DEVICE);
	if (ret) {
		check(false, "direct: edu DMA device -> RAM (%d)", ret);
		goto out;
	}
	size_t bad = 0, first_bad = 0;
	for (size_t i = 0; i < len; i++) {
		if (dst[i] != src[i] && bad++ == 0)
			first_bad = i;
	}
	size_t over = 0;
	for (size_t i = len; i < EDU_BUF_SIZE; i++)
		over += dst[i] != 0x5a;
	check(bad == 0 && over == 0,
	      "direct: edu DMA round trip RAM %#llx -> edu+%#x -> RAM %#llx, %zu bytes "
	      "(%zu wrong from byte %zu, %zu written past the end)",
	      (unsigned long long)src_phys, buf_off, (unsigned long long)dst_phys, len, bad,
	      first_bad, over);
out:
	dmp_kfree(dst);
	dmp_page_free(src_phys, 0);
}

/* The library's allocators on the arena, before any device uses them. */
static void test_dmaport_memory(void)
{
	size_t free0 = dmp_page_free_count();
	dmp_phys_t phys;
	int ret = dmp_page_alloc(2, DMP_GFP_ZERO, DMP_PHYS_ANY, &phys);
	uint8_t *va = ret ? NULL : dmp_phys_to_virt(phys);
	bool zero = va != NULL;
	for (size_t i = 0; va && i < 4 * DMP_PAGE_SIZE; i++)
		zero &= va[i] == 0;
	bool identity = va && (uintptr_t)va == phys;
	void *k = dmp_kmalloc(100, DMP_GFP_KERNEL);
	bool aligned = k && DMP_IS_ALIGNED((uintptr_t)k, DMP_KMALLOC_MINALIGN);
	dmp_kfree(k);
	if (!ret)
		dmp_page_free(phys, 2);
	check(!ret && zero && identity && aligned && dmp_page_free_count() == free0,
	      "dmaport: pages and heap from the %zu MiB arena (identity mapped, zeroed, "
	      "kmalloc aligned to %d, nothing leaked)",
	      virt_arena_size() >> 20, DMP_KMALLOC_MINALIGN);
}

/* Cache maintenance over a buffer must keep the CPU's data (clean, flush)
 * and not fault; QEMU does not model the caches, so that is all we can see. */
static void test_cache_ops(void)
{
	uint8_t *buf = dmp_kmalloc(1000, DMP_GFP_KERNEL);
	if (!buf) {
		check(false, "cache: kmalloc");
		return;
	}
	for (unsigned i = 0; i < 1000; i++)
		buf[i] = (uint8_t)i;
	virt_platform_ops.dcache_clean(NULL, buf + 3, 997);
	virt_platform_ops.dcache_flush(NULL, buf, 1000);
	virt_platform_ops.dcache_inval(NULL, buf + 1, 900); /* partial lines at both ends */
	bool same = true;
	for (unsigned i = 0; i < 1000; i++)
		same &= buf[i] == (uint8_t)i;
	dmp_kfree(buf);
	check(same, "cache: dc cvac/civac/ivac loops by %zu-byte lines (CWG %zu) keep the data",
	      virt_dcache_min_line(), dmp_get_cache_alignment());
}

/* set_mem_attr: an arena page becomes Normal non-cacheable and back, as
 * the MMU itself reports (AT S1E1R); RAM outside the arena is refused. */
static void test_mem_attr(void)
{
	dmp_phys_t phys;
	if (dmp_page_alloc(0, DMP_GFP_ZERO, DMP_PHYS_ANY, &phys)) {
		check(false, "mem attr: page");
		return;
	}
	uint8_t *va = dmp_phys_to_virt(phys);
	uint8_t before = mmu_read_attr(va);
	virt_platform_ops.dcache_flush(NULL, va, DMP_PAGE_SIZE); /* arch_dma_prep_coherent */
	int r1 = virt_platform_ops.set_mem_attr(NULL, phys, DMP_PAGE_SIZE, DMP_MEM_UNCACHED);
	uint8_t uncached = mmu_read_attr(va);
	va[5] = 0xa7;
	bool data = va[5] == 0xa7 && va[4] == 0;
	virt_platform_ops.dcache_flush(NULL, va, DMP_PAGE_SIZE);
	int r2 = virt_platform_ops.set_mem_attr(NULL, phys, DMP_PAGE_SIZE, DMP_MEM_NORMAL);
	uint8_t after = mmu_read_attr(va);
	data &= va[5] == 0xa7;
	static uint8_t outside[DMP_PAGE_SIZE] __attribute__((aligned(DMP_PAGE_SIZE)));
	int r3 = virt_platform_ops.set_mem_attr(NULL, (dmp_phys_t)(uintptr_t)outside, DMP_PAGE_SIZE,
						DMP_MEM_UNCACHED);
	dmp_page_free(phys, 0);
	check(before == 0xff && !r1 && uncached == 0x44 && data && !r2 && after == 0xff &&
		      r3 == -EOPNOTSUPP,
	      "mem attr: arena page MAIR attr %#x -> UNCACHED %#x -> NORMAL %#x (break-before-make), "
	      "data kept; outside the arena: %d",
	      before, uncached, after, r3);
}

void port_main(void)
{
	mmu_enable();
	port_puts("\ndmaport on qemu-virt-aarch64\n");
	const void *dtb = (const void *)(uintptr_t)DTB_ADDR;
	const char *args = fdt_bootargs(dtb);
	port_printf("bootargs: \"%s\"\n", args);
	check(mmu_enabled(), "boot: EL1, MMU on with D- and I-caches, identity map");
	if (strcmp(args, "fault") == 0) {
		/* Beyond the 39-bit VA space: a level 0 translation fault, which
		 * the vectors must report (run-test.sh reads ESR and FAR). */
		port_puts("fault: reading 0x8000000000\n");
		(void)*(volatile uint32_t *)(uintptr_t)0x8000000000ull;
		check(false, "fault: the read did not fault");
		goto done;
	}

	uint64_t reg[2];
	bool has_smmu = fdt_find_compatible(dtb, "arm,smmu-v3", reg);
	bool ecam_ok = fdt_find_compatible(dtb, "pci-host-ecam-generic", reg) &&
		       reg[0] == VIRT_ECAM_BASE;
	check(fdt_valid(dtb) && ecam_ok, "fdt: device tree at %#llx, ECAM at %#llx, SMMUv3 %s",
	      (unsigned long long)DTB_ADDR, (unsigned long long)reg[0],
	      has_smmu ? "present" : "absent");

	int ret = virt_platform_init();
	check(ret == 0, "platform: qemu-virt-aarch64 installed (%d)", ret);
	if (ret)
		goto done;
	test_dmaport_memory();
	test_cache_ops();
	test_mem_attr();

	struct pci_dev pdev;
	ret = pci_find(EDU_VENDOR, EDU_DEVICE, &pdev);
	check(ret == 0, "pci: edu %04x:%04x found at 00:%02x.%u, BAR0 %#llx assigned (%d)",
	      EDU_VENDOR, EDU_DEVICE, ret ? 0 : pdev.dev, ret ? 0 : pdev.fn,
	      (unsigned long long)(ret ? 0 : pdev.bar0), ret);
	if (ret)
		goto done;
	struct edu edu;
	ret = edu_probe(&edu, pdev.bar0, pdev.bar0_size);
	check(ret == 0, "edu: ident %#x, liveness inverts (%d)", ret ? 0 : edu_ident(&edu), ret);
	if (ret)
		goto done;

	if (strcmp(args, "direct") == 0) {
		test_direct_round_trip(&edu, EDU_DMA_MAX, 0, 1);
		test_direct_round_trip(&edu, 100, 0x123, 2);
		dmaapi_test(&edu, true);
	} else if (strcmp(args, "nomask") == 0) {
		dmaapi_test(&edu, false);
	} else if (strcmp(args, "smmu") == 0) {
		smmu_test(&pdev, &edu);        /* the hardware half, by hand */
		smmu_dmaapi_test(&pdev, &edu); /* the dmp_iommu_ops driver, through the API */
	} else {
		check(false, "unknown configuration \"%s\" (-append direct|nomask|smmu|fault)", args);
	}

done:
	port_printf("%u passed, %u failed\n", nr_pass, nr_fail);
}
