/* SPDX-License-Identifier: MIT */
/*
 * port.h - the pieces of the qemu-virt-aarch64 port: boot, console, device
 * tree, MMU, PCIe, platform, and the test program's checks.  Not installed.
 */
#ifndef DMP_PORT_H
#define DMP_PORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dmaport/platform.h>
#include <dmaport/types.h>

/* The virt machine's fixed addresses (QEMU hw/arm/virt.c memmap; the DTB is
 * read for what can vary). */
#define VIRT_RAM_BASE 0x40000000ull
#define VIRT_UART_BASE 0x09000000ull
#define VIRT_SMMU_BASE 0x09050000ull
#define VIRT_SMMU_SIZE 0x20000ull
#define VIRT_ECAM_BASE 0x4010000000ull /* "highmem" ECAM, 256 buses */
#define VIRT_ECAM_SIZE 0x10000000ull
#define VIRT_PCI_MMIO_BASE 0x10000000ull
#define VIRT_PCI_MMIO_SIZE 0x2eff0000ull

/* start.S, main.c */
void port_main(void);
_Noreturn void port_poweroff(void);
_Noreturn void port_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far,
			      uint64_t spsr);

/* console.c: the PL011, polled. */
void port_putc(char c);
void port_puts(const char *s); /* no newline added */
void port_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void port_vprintf(const char *fmt, va_list ap);

/* fdt.c: a minimal read-only flattened device tree walker. */
/* Where QEMU puts the device tree for an ELF -kernel: the start of RAM. */
#define DTB_ADDR VIRT_RAM_BASE

/** fdt_valid - true if @blob starts with a device tree header. */
bool fdt_valid(const void *blob);
/**
 * fdt_find_compatible - find the first node whose "compatible" list holds
 * @compat.  Returns true and, if @reg is not NULL, the node's first "reg"
 * address/size (2+2 cells, as on virt) in @reg[0], @reg[1].
 */
bool fdt_find_compatible(const void *blob, const char *compat, uint64_t reg[2]);
/** fdt_bootargs - /chosen/bootargs, or "" if there is none. */
const char *fdt_bootargs(const void *blob);
/**
 * fdt_pci_rid_to_sid - the IOMMU stream ID of PCI requester @rid, from the
 * PCI host bridge's iommu-map / iommu-map-mask.  false if the tree maps none.
 */
bool fdt_pci_rid_to_sid(const void *blob, uint32_t rid, uint32_t *sid);

/* mmu.c: identity map, caches on. */
/**
 * mmu_enable - build the identity map (RAM Normal write-back, MMIO
 * Device-nGnRE) and turn on the MMU and both caches.  Call once, first thing.
 */
void mmu_enable(void);
/** mmu_enabled - true if SCTLR_EL1 has M, C and I set. */
bool mmu_enabled(void);
/** mmu_is_device - true if [@pa, @pa + @size) is all in the Device map. */
bool mmu_is_device(uint64_t pa, uint64_t size);

/* MAIR indexes of the map. */
#define MT_DEVICE_nGnRE 0
#define MT_NORMAL 1    /* write-back */
#define MT_NORMAL_NC 2 /* non-cacheable */
/**
 * mmu_set_page_attr - give the arena pages [@pa, @pa + @size) (page
 * aligned) the memory type @attr (MT_NORMAL or MT_NORMAL_NC), with
 * break-before-make.  The caller has cleaned and invalidated the cacheable
 * alias first, and nothing may access the pages meanwhile.
 * Returns 0 or -EINVAL (not all in the arena: the rest of RAM is mapped
 * with 2 MiB blocks).
 */
int mmu_set_page_attr(uint64_t pa, uint64_t size, unsigned int attr);
/** mmu_read_attr - the MAIR attribute the MMU uses for @va now (0: no translation). */
uint8_t mmu_read_attr(const void *va);

/* platform.c: dmaport's platform on this machine. */
/**
 * virt_platform_init - register the arena with dmaport and install the
 * platform ops.  Returns 0 or the negative errno of the failing dmaport call.
 */
int virt_platform_init(void);
/**
 * virt_platform_ops - the table virt_platform_init() installs (its cookie is
 * NULL).  The port's own tests call its cache and memory-type operations
 * directly; drivers use dmaport's helpers (dmp_arch_sync_for_device() ...).
 */
extern const struct dmp_platform_ops virt_platform_ops;
/** virt_arena_size - bytes of RAM handed to dmaport. */
size_t virt_arena_size(void);
/** virt_dcache_min_line - CTR_EL0.DminLine in bytes: the cache maintenance stride. */
size_t virt_dcache_min_line(void);

/* pci.c: ECAM enumeration of bus 0. */
struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	volatile uint8_t *cfg; /* its 4 KiB of ECAM */
	uint64_t bar0;        /* assigned BAR0 address, 0 if none */
	uint64_t bar0_size;
};

/**
 * pci_find - enumerate bus 0 (printing what is there), find @vendor:@device,
 * assign its 32-bit memory BAR0 in the MMIO window and enable memory decoding
 * and bus mastering.  Returns 0, -ENODEV (not found), -EINVAL (BAR0 is not a
 * 32-bit memory BAR) or -ERANGE (it does not fit in the window).
 */
int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out);
/** pci_requester_id - bus << 8 | dev << 3 | fn: the SMMU stream ID on virt. */
static inline uint32_t pci_requester_id(const struct pci_dev *d)
{
	return (uint32_t)d->bus << 8 | (uint32_t)d->dev << 3 | d->fn;
}

/* The test program's bookkeeping (main.c). */
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Small inline helpers. */
static inline uint64_t read_cntvct(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline uint64_t read_cntfrq(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

#endif /* DMP_PORT_H */
