/* SPDX-License-Identifier: MIT */
/*
 * pci.c - PCIe configuration through the ECAM, bus 0 only, and BAR0
 * assignment in the 32-bit MMIO window.
 *
 * ECAM (PCI Express Base Specification, "Enhanced Configuration Access
 * Mechanism"): function b:d.f's 4 KiB of configuration space is at
 * base + (b << 20 | d << 15 | f << 12).  On virt the root complex's MMIO
 * window is mapped 1:1 (PCI address == CPU address), so an assigned BAR
 * value is also where the CPU reaches the registers.
 */
#include "port.h"

#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_MULTIFUNC 0x80
#define PCI_BAR0 0x10
#define PCI_BAR_IO 0x1
#define PCI_BAR_TYPE_MASK 0x6
#define PCI_BAR_TYPE_32 0x0

/* Next free address in the 32-bit window (one assignment per boot). */
static uint64_t mmio_next = VIRT_PCI_MMIO_BASE;

static volatile uint8_t *ecam(unsigned bus, unsigned dev, unsigned fn)
{
	return (volatile uint8_t *)(uintptr_t)(VIRT_ECAM_BASE + ((uint64_t)bus << 20) +
					       ((uint64_t)dev << 15) + ((uint64_t)fn << 12));
}

static uint32_t cfg_read32(volatile uint8_t *cfg, unsigned off)
{
	return *(volatile uint32_t *)(cfg + off);
}

static void cfg_write32(volatile uint8_t *cfg, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(cfg + off) = v;
}

static uint16_t cfg_read16(volatile uint8_t *cfg, unsigned off)
{
	return *(volatile uint16_t *)(cfg + off);
}

static void cfg_write16(volatile uint8_t *cfg, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(cfg + off) = v;
}

/* Size BAR0 and place it at the next suitably aligned address. */
static int assign_bar0(struct pci_dev *d)
{
	uint16_t cmd = cfg_read16(d->cfg, PCI_COMMAND);
	/* No decoding while the BAR holds the all-ones sizing pattern. */
	cfg_write16(d->cfg, PCI_COMMAND, cmd & (uint16_t)~(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	uint32_t orig = cfg_read32(d->cfg, PCI_BAR0);
	cfg_write32(d->cfg, PCI_BAR0, 0xffffffffu);
	uint32_t probe = cfg_read32(d->cfg, PCI_BAR0);
	cfg_write32(d->cfg, PCI_BAR0, orig);

	if (probe == 0 || (probe & PCI_BAR_IO) || (probe & PCI_BAR_TYPE_MASK) != PCI_BAR_TYPE_32)
		return -EINVAL;
	uint64_t size = (uint64_t)(~(probe & ~0xfu)) + 1;
	size &= 0xffffffffull;
	uint64_t addr = DMP_ALIGN_UP(mmio_next, size);
	if (addr + size > VIRT_PCI_MMIO_BASE + VIRT_PCI_MMIO_SIZE)
		return -ERANGE;
	mmio_next = addr + size;
	cfg_write32(d->cfg, PCI_BAR0, (uint32_t)addr);
	d->bar0 = addr;
	d->bar0_size = size;
	cfg_write16(d->cfg, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return 0;
}

int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out)
{
	bool found = false;
	for (unsigned dev = 0; dev < 32; dev++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			volatile uint8_t *cfg = ecam(0, dev, fn);
			uint16_t ven = cfg_read16(cfg, PCI_VENDOR_ID);
			if (ven == 0xffff) {
				if (fn == 0)
					break; /* no device: no other functions either */
				continue;
			}
			uint16_t did = cfg_read16(cfg, PCI_DEVICE_ID);
			uint32_t cls = cfg_read32(cfg, PCI_CLASS_REVISION) >> 8;
			port_printf("pci 00:%02x.%u %04x:%04x class %06x\n", dev, fn, ven, did,
				    (unsigned)cls);
			if (!found && ven == vendor && did == device) {
				*out = (struct pci_dev){ .bus = 0, .dev = (uint8_t)dev,
							 .fn = (uint8_t)fn, .vendor = ven,
							 .device = did, .cfg = cfg };
				found = true;
			}
			if (fn == 0 && !(*(volatile uint8_t *)(cfg + PCI_HEADER_TYPE) & PCI_HEADER_MULTIFUNC))
				break;
		}
	}
	if (!found)
		return -ENODEV;
	int ret = assign_bar0(out);
	if (ret)
		return ret;
	port_printf("pci 00:%02x.%u BAR0 [%#llx-%#llx] memory, bus mastering on\n", out->dev,
		    out->fn, (unsigned long long)out->bar0,
		    (unsigned long long)(out->bar0 + out->bar0_size - 1));
	return 0;
}
