/* SPDX-License-Identifier: MIT */
/*
 * edu.h - a driver for QEMU's `edu` PCI device (QEMU's docs/specs/edu.rst,
 * hw/misc/edu.c), written once against dmaport's API and used by every
 * platform that has the device: the bare-metal port
 * (ports/qemu-virt-aarch64) and Linux user space through VFIO
 * (src/platform/linux-vfio, tests/vfio).  Not installed.
 *
 * It is the hardware half: the bus glue finds the device and gives the
 * address of BAR0 (ECAM enumeration on bare metal, dmp_vfio_pci_bar() under
 * VFIO); the caller maps its buffers with the DMA API and hands edu the bus
 * addresses.  The driver needs only <dmaport/io.h> (ioremap, accessors,
 * barriers) and the platform's clock.
 *
 * edu copies between a bus address and its own 4 KiB buffer, which sits at
 * device address EDU_BUF_ADDR in its DMA command registers; a transfer
 * takes ~100 ms of the machine's virtual time (edu's timer), and can raise
 * an interrupt when it is done (MSI if the function's MSI capability is
 * enabled, else INTx).  Its DMA addresses are cut to its DMA mask, 28 bits
 * by default (QEMU's property dma_mask).
 */
#ifndef DMP_DRIVERS_EDU_H
#define DMP_DRIVERS_EDU_H

#include <dmaport/types.h>

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_BUF_ADDR 0x40000ull
#define EDU_BUF_SIZE 4096u
/*
 * The largest transfer: QEMU 7.2 aborts (hw_error) on a transfer that ends
 * exactly at the end of the buffer - its range check wants the end address
 * strictly inside - so one byte less, and in general buf_off + len < 4096.
 */
#define EDU_DMA_MAX (EDU_BUF_SIZE - 1)
/* edu's default DMA mask: the address bits it puts on the bus */
#define EDU_DMA_BITS 28

/* Interrupt status bits (edu_irq_status / edu_irq_ack). */
#define EDU_IRQ_FACT 0x001 /* factorial computed */
#define EDU_IRQ_DMA 0x100  /* a DMA transfer finished (EDU_DMA_IRQ asked for it) */

struct edu {
	void *regs; /* BAR0, from dmp_ioremap() */
};

/** The direction of one edu transfer. */
enum edu_dir {
	EDU_RAM_TO_DEV = 0, /* the device reads bus memory into its buffer */
	EDU_DEV_TO_RAM = 1, /* the device writes its buffer to bus memory */
};

/** Options of edu_dma_start(). */
#define EDU_DMA_IRQ 0x1u /* raise EDU_IRQ_DMA when the transfer is done */

/**
 * edu_probe - map BAR0 (@bar0, @bar0_size from the bus glue) and check that
 * it is an edu.  Returns 0, -ENODEV (ioremap failed or the identification
 * register is wrong) or -EIO (the liveness register does not invert).
 * Nothing is left mapped on failure.
 */
int edu_probe(struct edu *edu, dmp_phys_t bar0, size_t bar0_size);

/** edu_remove - unmap BAR0.  The device must be idle. */
void edu_remove(struct edu *edu);

/** edu_ident - the identification register (0x010000ed on QEMU 7.2). */
uint32_t edu_ident(struct edu *edu);

/**
 * edu_dma_start - start one transfer of @len bytes between bus address @bus
 * and offset @buf_off of the device's buffer; @flags: EDU_DMA_IRQ or 0.
 *
 * The caller has made the memory visible to the device (cache maintenance,
 * a mapping) before, and makes the result visible to the CPU after: this is
 * the hardware half only.  dmp_writeq() orders prior memory writes before
 * the start command.
 *
 * Returns 0; -EINVAL if @len is 0 or @buf_off + @len reaches the end of the
 * buffer (see EDU_DMA_MAX); -EBUSY if a transfer is already running (edu
 * ignores its DMA registers then); -ENODEV if @edu is not probed.
 */
int edu_dma_start(struct edu *edu, enum edu_dir dir, dmp_addr_t bus, unsigned int buf_off,
		  size_t len, unsigned int flags);

/** edu_dma_busy - true while a transfer runs. */
bool edu_dma_busy(struct edu *edu);

/**
 * edu_dma_wait - poll until the running transfer is done.  Returns 0,
 * -EIO if it did not finish within @timeout_ns, -ENODEV if not probed.  Later reads of DMA memory
 * are ordered after the completion was seen (dmp_readl's dma_rmb).
 */
int edu_dma_wait(struct edu *edu, uint64_t timeout_ns);

/**
 * edu_dma - edu_dma_start() without an interrupt, then edu_dma_wait().
 * Returns what they return.
 */
int edu_dma(struct edu *edu, enum edu_dir dir, dmp_addr_t bus, unsigned int buf_off, size_t len,
	    uint64_t timeout_ns);

/** edu_irq_status - the pending interrupt causes (EDU_IRQ_*). */
uint32_t edu_irq_status(struct edu *edu);
/**
 * edu_irq_ack - clear the causes in @bits; with INTx the line drops when
 * none is left (with MSI there is no line: this is bookkeeping).
 */
void edu_irq_ack(struct edu *edu, uint32_t bits);

#endif /* DMP_DRIVERS_EDU_H */
