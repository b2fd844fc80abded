/* SPDX-License-Identifier: MIT */
/*
 * dmaport/sim/pci.h - simulated PCI: a host bridge with an ECAM
 * configuration window, and PCI functions with a type 0 configuration
 * header, memory BARs, an MSI capability and an INTx pin.
 *
 * Callers' header, for the code that builds a machine (the device-tree
 * platform) and for PCI device models.
 *
 * Configuration space (PCI Local Bus 3.0 ch. 6; ECAM: PCIe base spec 7.2.2):
 * byte (bus << 20 | devfn << 12 | register) of the host's ECAM window; an
 * absent function reads all ones.  The header's read-only fields come from
 * the function's configuration; COMMAND bits I/O, MEMORY, BUS MASTER and
 * INTx DISABLE are writable; BARs size themselves (write all ones, read the
 * size mask) and decode where they are written; STATUS shows the
 * capability list and the INTx status; INTERRUPT LINE is scratch.
 *
 * What a function does follows its registers, as hardware's:
 *   - BAR accesses reach the model only while MEMORY decoding is on (an
 *     unclaimed access reads all ones);
 *   - DMA (dmp_sim_pci_func_dma_read/write) fails with -EPERM while BUS
 *     MASTER is off: the function cannot master the bus;
 *   - an MSI vector is delivered only when MSI is enabled and the vector is
 *     within the enabled count and unmasked (a masked one is left pending
 *     and delivered when unmasked); the interrupt is the controller line
 *     DMP_SIM_MSI_BASE + (message data | vector) - the write to the MSI
 *     doorbell is not modelled as a memory write;
 *   - INTx is a level on the pin's line, seen while INTx DISABLE is off.
 */
#ifndef DMAPORT_SIM_PCI_H
#define DMAPORT_SIM_PCI_H

#include <dmaport/sim.h>
#include <dmaport/sim/irq.h>

DMP_BEGIN_DECLS

struct dmp_sim_pci_host;
struct dmp_sim_pci_func;

#define DMP_SIM_PCI_NR_BARS 6

/* Configuration registers (PCI Local Bus 3.0 6.2) and MSI (6.8.1). */
#define DMP_PCI_VENDOR_ID 0x00
#define DMP_PCI_DEVICE_ID 0x02
#define DMP_PCI_COMMAND 0x04
#define DMP_PCI_COMMAND_IO 0x1
#define DMP_PCI_COMMAND_MEMORY 0x2
#define DMP_PCI_COMMAND_MASTER 0x4
#define DMP_PCI_COMMAND_INTX_DISABLE 0x400
#define DMP_PCI_STATUS 0x06
#define DMP_PCI_STATUS_INTERRUPT 0x08
#define DMP_PCI_STATUS_CAP_LIST 0x10
#define DMP_PCI_REVISION_ID 0x08
#define DMP_PCI_CLASS_PROG 0x09
#define DMP_PCI_HEADER_TYPE 0x0e
#define DMP_PCI_BASE_ADDRESS_0 0x10
#define DMP_PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define DMP_PCI_SUBSYSTEM_ID 0x2e
#define DMP_PCI_CAPABILITY_LIST 0x34
#define DMP_PCI_INTERRUPT_LINE 0x3c
#define DMP_PCI_INTERRUPT_PIN 0x3d
#define DMP_PCI_CAP_ID_MSI 0x05
#define DMP_PCI_MSI_CAP 0x40      /* where functions here place it */
#define DMP_PCI_MSI_FLAGS 2       /* offsets within the capability */
#define DMP_PCI_MSI_FLAGS_ENABLE 0x0001
#define DMP_PCI_MSI_FLAGS_QMASK 0x000e
#define DMP_PCI_MSI_FLAGS_QSIZE 0x0070
#define DMP_PCI_MSI_FLAGS_64BIT 0x0080
#define DMP_PCI_MSI_FLAGS_MASKBIT 0x0100
#define DMP_PCI_MSI_ADDRESS_LO 4
#define DMP_PCI_MSI_ADDRESS_HI 8
#define DMP_PCI_MSI_DATA_64 12
#define DMP_PCI_MSI_MASK_64 16
#define DMP_PCI_MSI_PENDING_64 20

/** A function's model: accesses to its BARs; its private state's end. */
struct dmp_sim_pci_func_ops {
	uint64_t (*bar_read)(struct dmp_sim_pci_func *f, unsigned int bar, uint64_t offset,
			     unsigned int width);
	void (*bar_write)(struct dmp_sim_pci_func *f, unsigned int bar, uint64_t offset,
			  unsigned int width, uint64_t val);
	void (*destroy)(struct dmp_sim_pci_func *f);
};

/**
 * struct dmp_sim_pci_func_config - a function.
 * @name:         for traces and reports ("0000:00:01.0" style by convention).
 * @vendor, @device, @class_code (24 bits), @revision, @subsys_vendor,
 *                @subsys_device: the header's identification.
 * @bar_size:     memory BAR sizes, powers of two >= 16 (0: no BAR); 32-bit,
 *                non-prefetchable.
 * @msi_vectors:  MSI vectors the function can use (0: no MSI capability;
 *                else a power of two <= 32).
 * @intx_pin:     1..4 (INTA..INTD), 0 for none.
 * @port_bits, @coherent: its DMA port (as a platform device's).
 */
struct dmp_sim_pci_func_config {
	const char *name;
	uint16_t vendor, device;
	uint32_t class_code;
	uint8_t revision;
	uint16_t subsys_vendor, subsys_device;
	uint64_t bar_size[DMP_SIM_PCI_NR_BARS];
	unsigned int msi_vectors;
	uint8_t intx_pin;
	unsigned int port_bits;
	bool coherent;
	const struct dmp_sim_pci_func_ops *ops;
	void *priv;
};

/**
 * dmp_sim_pci_host_create - a host bridge whose ECAM window is @ecam_base
 * (@ecam_size bytes, 1 MiB per bus) and whose memory window, where BARs are
 * placed, is CPU [@mem_base, +@mem_size) = PCI [@mem_pci, +@mem_size).
 * Returns 0, -EINVAL, -ENOMEM.
 */
DMP_API int dmp_sim_pci_host_create(struct dmp_sim *sim, const char *name, dmp_phys_t ecam_base,
				    size_t ecam_size, dmp_phys_t mem_base, uint64_t mem_pci,
				    uint64_t mem_size, struct dmp_sim_pci_host **out);
/** dmp_sim_pci_host_destroy - destroy the bridge and its functions. */
DMP_API void dmp_sim_pci_host_destroy(struct dmp_sim_pci_host *host);

/**
 * dmp_sim_pci_func_create - function @devfn on bus @bus of @host.  Its BARs
 * are placed as firmware does, each aligned to its size in the host's
 * memory window, and its registers written.  Returns 0, -EINVAL (bad
 * configuration), -EEXIST (the slot is taken), -ENOSPC (the window is
 * full), -ENOMEM.
 */
DMP_API int dmp_sim_pci_func_create(struct dmp_sim_pci_host *host, uint8_t bus, uint8_t devfn,
				    const struct dmp_sim_pci_func_config *cfg,
				    struct dmp_sim_pci_func **out);
/** dmp_sim_pci_func_device - the function's DMA port (and BAR window) as a simulated device. */
DMP_API struct dmp_sim_device *dmp_sim_pci_func_device(struct dmp_sim_pci_func *f);
DMP_API void *dmp_sim_pci_func_priv(struct dmp_sim_pci_func *f);
DMP_API const char *dmp_sim_pci_func_name(const struct dmp_sim_pci_func *f);
/** dmp_sim_pci_func_bar - where BAR @bar decodes (CPU address) and its size; -ENOENT if none. */
DMP_API int dmp_sim_pci_func_bar(struct dmp_sim_pci_func *f, unsigned int bar, dmp_phys_t *cpu,
				 uint64_t *size);
/** dmp_sim_pci_func_set_intx_line - wire the INTx pin to controller line @irq (level). */
DMP_API int dmp_sim_pci_func_set_intx_line(struct dmp_sim_pci_func *f, unsigned int irq);
/** dmp_sim_pci_func_config_read - a configuration read (@width 1, 2, 4). */
DMP_API uint32_t dmp_sim_pci_func_config_read(struct dmp_sim_pci_func *f, unsigned int reg,
					      unsigned int width);

/* For models: what the function does on the bus. */
/** dmp_sim_pci_func_raise_msi - send MSI @vector: 0, or -EINVAL (MSI off,
 * vector not enabled), -EAGAIN (masked: left pending). */
DMP_API int dmp_sim_pci_func_raise_msi(struct dmp_sim_pci_func *f, unsigned int vector);
/** dmp_sim_pci_func_msi_enabled - enabled vectors (0: MSI off). */
DMP_API unsigned int dmp_sim_pci_func_msi_enabled(struct dmp_sim_pci_func *f);
/** dmp_sim_pci_func_set_intx - assert or deassert the INTx pin. */
DMP_API void dmp_sim_pci_func_set_intx(struct dmp_sim_pci_func *f, bool asserted);
/** dmp_sim_pci_func_dma_read / _write - DMA by the function: dmp_sim_dma_*,
 * or -EPERM while bus mastering is off. */
DMP_API int dmp_sim_pci_func_dma_read(struct dmp_sim_pci_func *f, dmp_addr_t addr, void *buf,
				      size_t len);
DMP_API int dmp_sim_pci_func_dma_write(struct dmp_sim_pci_func *f, dmp_addr_t addr,
				       const void *buf, size_t len);

/*
 * The PCI endpoint test function: the register interface of Linux's
 * drivers/pci/endpoint/functions/pci-epf-test.c as its host driver
 * drivers/misc/pci_endpoint_test.c uses it, in both of its versions (the
 * command bits moved in Linux 5.x; a command is decoded by which bits it
 * sets).  BAR0 holds the registers (the rest of it is scratch), BAR1..5 are
 * memory for the BAR tests.  READ copies from the host to the function and
 * checks the CHECKSUM (crc32_le over ~0), WRITE fills random bytes into the
 * host's buffer and stores their CHECKSUM, COPY copies host to host; each
 * raises the interrupt IRQ_TYPE/IRQ_NUMBER name (the old version: MSI
 * number in the command, else INTx).
 */
#define DMP_SIM_EPF_TEST_VENDOR 0x104c /* TI */
#define DMP_SIM_EPF_TEST_DEVICE 0xb500 /* DRA74x */
DMP_API int dmp_sim_pci_epf_test_create(struct dmp_sim_pci_host *host, uint8_t bus, uint8_t devfn,
					const struct dmp_sim_pci_func_config *cfg,
					struct dmp_sim_pci_func **out);

DMP_END_DECLS

#endif /* DMAPORT_SIM_PCI_H */
