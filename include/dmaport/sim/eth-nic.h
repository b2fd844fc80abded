/* SPDX-License-Identifier: MIT */
/*
 * dmaport/sim/eth-nic.h - a simulated Ethernet controller with descriptor
 * rings, the device of the "dmaport,eth-nic" nodes: what an Ethernet
 * driver's rings, doorbells, interrupts and NAPI polling run against.
 *
 * Registers (32-bit):
 *   0x00 ID          0x45544831 ("ETH1")
 *   0x04 CTRL        bit 0 ENABLE (the rings run), 1 RESET (write 1: heads,
 *                    tails and interrupt status to 0, self-clearing), 2
 *                    LOOPBACK (transmitted frames are received again; else
 *                    they go out on the wire, see dmp_sim_eth_wire_pop)
 *   0x08 MAC_LO, 0x0c MAC_HI  the station address (bytes 0-3, 4-5; read-only:
 *                    02:00 and bits 8..39 of the register window's address,
 *                    or what dmp_sim_eth_nic_set_mac() set)
 *   0x10/0x14 TX_RING_LO/HI, 0x18 TX_RING_SIZE (descriptors, 2..4096)
 *   0x1c TX_TAIL     doorbell: descriptors from TX_HEAD up to (not including)
 *                    TX_TAIL, modulo the size, are the device's
 *   0x20 TX_HEAD     read-only: the next descriptor the device takes
 *   0x30/0x34 RX_RING_LO/HI, 0x38 RX_RING_SIZE, 0x3c RX_TAIL, 0x40 RX_HEAD
 *                    as for TX: RX_HEAD..RX_TAIL are empty buffers the
 *                    device may fill
 *   0x50 IRQ_STATUS  write 1 to clear: 0 TX_DONE, 1 RX_DONE, 2 RX_NOBUF (a
 *                    frame dropped for want of a buffer), 3 ERROR (a DMA
 *                    access failed, or a frame longer than its buffer)
 *   0x54 IRQ_ENABLE  the causes that assert the (level) interrupt
 *   0x60 TX_FRAMES, 0x64 RX_FRAMES, 0x68 RX_DROPPED  counters (read-only)
 * Descriptors (16 bytes, little endian): addr (64 bits), len (16: the frame
 * for TX, the buffer for RX), flags (16: bit 0 EOP, unused), status (32:
 * bit 0 DONE, written back by the device; an RX descriptor's bits 16..31
 * then hold the received length).  The device takes one TX descriptor at a
 * time, 1 us plus 8 ns a byte (1 Gb/s) after the one before, reads the
 * descriptor and the frame through its DMA port, writes the status back and
 * raises TX_DONE; a frame looped back or coming from the wire fills the RX
 * descriptor at RX_HEAD the same way (RX_DONE), or is dropped (RX_NOBUF).
 */
#ifndef DMAPORT_SIM_ETH_NIC_H
#define DMAPORT_SIM_ETH_NIC_H

#include <dmaport/sim.h>

DMP_BEGIN_DECLS

#define DMP_ETH_NIC_MMIO_SIZE 0x100
#define DMP_ETH_NIC_MAX_FRAME 2048 /* longer TX frames are an ERROR */

/** struct dmp_eth_nic_stats - what the controller did. */
struct dmp_eth_nic_stats {
	uint64_t tx_frames, tx_bytes;
	uint64_t rx_frames, rx_bytes;
	uint64_t rx_dropped;
	uint64_t errors;
};

/** dmp_sim_eth_nic_create - the model, at @cfg->mmio_base. */
DMP_API int dmp_sim_eth_nic_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
				   struct dmp_sim_device **out);
/** dmp_sim_eth_nic_set_mac - the station address the registers show. */
DMP_API int dmp_sim_eth_nic_set_mac(struct dmp_sim_device *dev, const uint8_t mac[6]);
/** dmp_sim_eth_nic_stats - fill @st; -EINVAL if @dev is not the model. */
DMP_API int dmp_sim_eth_nic_stats(struct dmp_sim_device *dev, struct dmp_eth_nic_stats *st);
/**
 * dmp_sim_eth_wire_inject - a frame of @len bytes (1..DMP_ETH_NIC_MAX_FRAME)
 * arrives from the wire now.  Returns 0 (received or dropped, as the RX ring
 * allows), -EINVAL (bad length, not the model), -ENETDOWN (not enabled).
 */
DMP_API int dmp_sim_eth_wire_inject(struct dmp_sim_device *dev, const void *frame, size_t len);
/**
 * dmp_sim_eth_wire_pop - the oldest frame sent on the wire (not looped
 * back) that nobody took yet, into @buf of @cap bytes.  Returns its length,
 * or -EAGAIN (none), -ENOSPC (@cap too small; the frame stays), -EINVAL.
 * The wire keeps the last 64 frames.
 */
DMP_API int dmp_sim_eth_wire_pop(struct dmp_sim_device *dev, void *buf, size_t cap);

DMP_END_DECLS

#endif /* DMAPORT_SIM_ETH_NIC_H */
