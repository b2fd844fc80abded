/* SPDX-License-Identifier: MIT */
/*
 * edu.h - a driver for QEMU's `edu` PCI device (docs/specs/edu.rst), written
 * against dmaport's MMIO accessors.  Not installed.
 *
 * edu copies between a bus address and its own 4 KiB buffer, which sits at
 * device address EDU_BUF_ADDR in its DMA command registers.
 */
#ifndef DMP_PORT_EDU_H
#define DMP_PORT_EDU_H

#include "port.h"

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

struct edu {
	struct pci_dev pci;
	void *regs; /* BAR0, from dmp_ioremap() */
};

/** The direction of one edu transfer. */
enum edu_dir {
	EDU_RAM_TO_DEV = 0, /* the device reads bus memory into its buffer */
	EDU_DEV_TO_RAM = 1, /* the device writes its buffer to bus memory */
};

/**
 * edu_probe - map BAR0 of the edu at @pci and check that it is one.
 * Returns 0, -ENODEV (ioremap failed or the identification register is
 * wrong) or -EIO (the liveness register does not invert).
 */
int edu_probe(struct edu *edu, const struct pci_dev *pci);

/** edu_ident - the identification register (0x010000ed on QEMU 7.2). */
uint32_t edu_ident(struct edu *edu);

/**
 * edu_dma - one transfer of @len bytes between bus address @bus and offset
 * @buf_off of the device's buffer, and wait for it by polling.
 * @timeout_ns: how long to wait (a transfer takes ~100 ms of virtual time).
 *
 * The caller has made the memory visible to the device (cache maintenance,
 * a mapping) before, and makes the result visible to the CPU after: this is
 * the hardware half only.  dmp_writeq() orders prior memory writes before
 * the start command.
 *
 * Returns 0; -EINVAL if @len is 0 or @buf_off + @len reaches the end of the
 * buffer (see EDU_DMA_MAX); -EBUSY if a transfer is already running; -EIO if the device
 * did not finish within @timeout_ns.
 */
int edu_dma(struct edu *edu, enum edu_dir dir, dmp_addr_t bus, unsigned buf_off, size_t len,
	    uint64_t timeout_ns);

#endif /* DMP_PORT_EDU_H */
