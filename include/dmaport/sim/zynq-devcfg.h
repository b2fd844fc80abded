/* SPDX-License-Identifier: MIT */
/*
 * dmaport/sim/zynq-devcfg.h - a model of the Zynq-7000's device
 * configuration interface (DevC), whose PCAP DMA engine loads a bitstream
 * into the programmable logic: the device Linux's drivers/fpga/zynq-fpga.c
 * drives, at the device tree's "xlnx,zynq-devcfg-1.0" nodes.
 *
 * Registers (32-bit, the subset that driver uses; Zynq-7000 TRM, UG585):
 *   0x00 CTRL      bit 30 PCFG_PROG_B (the FPGA's PROG_B, active low: clearing
 *                  it clears the configuration), 27 PCAP_PR, 26 PCAP_MODE
 *                  (both needed for the PCAP to take data), 25 rate, 7
 *                  SEC_EN (read-only 0: not a secure boot)
 *   0x04 LOCK      stored
 *   0x0c INT_STS   write 1 to clear: 13 DMA_DONE (a command finished), 12
 *                  D_P_DONE (the last command's data is in the PCAP), 2
 *                  PCFG_DONE (the FPGA is configured), errors 14 (a command
 *                  refused: locked, queue overflow, PCAP off) and 6 (a DMA
 *                  read failed)
 *   0x10 INT_MASK  1 = the cause does not interrupt (all masked at reset)
 *   0x14 STATUS    31 DMA_Q_F, 30 DMA_Q_E (the 4-deep command queue), 4
 *                  PCFG_INIT (follows PROG_B, 5 us after it rises)
 *   0x18 DMA_SRC_ADDR  bit 0: last transfer of the bitstream
 *   0x1c DMA_DST_ADDR  0xffffffff: none (only the PCAP is a destination)
 *   0x20 DMA_SRC_LEN   32-bit words
 *   0x24 DMA_DEST_LEN  writing it queues the command
 *   0x34 UNLOCK    0x757bdf0d unlocks the interface (commands before: refused)
 *   0x80 MCTRL     bit 4 PCAP_LPBK (stored)
 * The interrupt output is a level: any unmasked INT_STS bit.  A command
 * reads its words through the device's DMA port (IOMMU, port width, caches
 * apply) at 400 MB/s after the one before it; the PCAP takes the data after
 * the sync word 0x665599aa (bytes 66 55 99 aa in memory, as a byte-swapped
 * .bin file has them); after the last command, PCFG_DONE follows 10 us later
 * if a sync word was seen.
 */
#ifndef DMAPORT_SIM_ZYNQ_DEVCFG_H
#define DMAPORT_SIM_ZYNQ_DEVCFG_H

#include <dmaport/sim.h>

DMP_BEGIN_DECLS

#define DMP_ZYNQ_DEVCFG_MMIO_SIZE 0x100

/** struct dmp_zynq_devcfg_stats - what the PCAP took. */
struct dmp_zynq_devcfg_stats {
	uint64_t commands;       /* DMA commands run */
	uint64_t bytes_read;     /* read by DMA */
	uint64_t bytes_config;   /* taken by the PCAP, from the sync word on,
				    since PROG_B last cleared the FPGA */
	uint64_t hash;           /* FNV-1a (64-bit) of those bytes */
	bool configured;         /* PCFG_DONE */
	uint32_t errors;         /* error causes raised */
};

/** dmp_sim_zynq_devcfg_create - the model, at @cfg->mmio_base. */
DMP_API int dmp_sim_zynq_devcfg_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
				       struct dmp_sim_device **out);
/** dmp_sim_zynq_devcfg_stats - fill @st; -EINVAL if @dev is not the model. */
DMP_API int dmp_sim_zynq_devcfg_stats(struct dmp_sim_device *dev, struct dmp_zynq_devcfg_stats *st);

/**
 * dmp_sim_syscon_create - a block of @cfg->mmio_size bytes of plain 32-bit
 * registers (a syscon such as Zynq's "xlnx,zynq-slcr" node: reads return
 * what was written, reset 0).  A tree's plain "syscon" nodes get no model.
 */
DMP_API int dmp_sim_syscon_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
				  struct dmp_sim_device **out);
/** dmp_sim_syscon_peek - the register at @off (0 outside, or not a syscon). */
DMP_API uint32_t dmp_sim_syscon_peek(struct dmp_sim_device *dev, uint64_t off);

DMP_END_DECLS

#endif /* DMAPORT_SIM_ZYNQ_DEVCFG_H */
