/* SPDX-License-Identifier: MIT */
/*
 * dmaport/sim/copy-engine.h - the simulated copy engine: its programming
 * model (registers, descriptors) for drivers, and its constructor.
 *
 * Callers' header.  The engine copies memory to memory.  The driver keeps a
 * ring of descriptors in memory the device can read (normally a coherent
 * allocation), fills descriptors, sets their VALID flag, and writes the new
 * producer index to TAIL: the doorbell.  The engine then processes every
 * descriptor from HEAD up to TAIL at once (the simulator runs devices
 * synchronously), writing each descriptor's status word back to memory -
 * or, with LATENCY set, that long after the doorbell in simulated time (see
 * <dmaport/sim/irq.h>), and raises its interrupt when done.
 *
 * A descriptor it reads without VALID (say, a stale copy from DRAM because
 * the driver forgot a barrier or a cache clean) stops the engine with
 * STATUS.ERROR and ERR_CODE = DMP_CE_ERR_NOT_READY: a missing barrier is
 * visible, not silently tolerated.
 */
#ifndef DMAPORT_SIM_COPY_ENGINE_H
#define DMAPORT_SIM_COPY_ENGINE_H

#include <dmaport/sim.h>

DMP_BEGIN_DECLS

#define DMP_CE_MMIO_SIZE 0x1000
#define DMP_CE_ID_VALUE 0x45434d44u /* "DMCE" */

/* Registers (32-bit). */
#define DMP_CE_REG_ID 0x00
#define DMP_CE_REG_VERSION 0x04
#define DMP_CE_REG_CTRL 0x08      /* DMP_CE_CTRL_* */
#define DMP_CE_REG_STATUS 0x0c    /* DMP_CE_STATUS_*, read-only */
#define DMP_CE_REG_RING_LO 0x10   /* bus address of the ring, low 32 bits */
#define DMP_CE_REG_RING_HI 0x14
#define DMP_CE_REG_RING_SIZE 0x18 /* entries: a power of two, 1..4096 */
#define DMP_CE_REG_TAIL 0x1c      /* doorbell: producer index, free running */
#define DMP_CE_REG_HEAD 0x20      /* consumer index, read-only */
#define DMP_CE_REG_COMPLETED 0x24 /* descriptors completed since reset */
#define DMP_CE_REG_ERR_ADDR_LO 0x28 /* bus address of the failed access */
#define DMP_CE_REG_ERR_ADDR_HI 0x2c
#define DMP_CE_REG_ERR_CODE 0x30  /* DMP_CE_ERR_* */
#define DMP_CE_REG_IRQ_STATUS 0x34 /* DMP_CE_IRQ_*: causes seen; write 1 to clear */
#define DMP_CE_REG_IRQ_ENABLE 0x38 /* DMP_CE_IRQ_*: causes that assert the interrupt */
#define DMP_CE_REG_LATENCY 0x3c   /* ns from the doorbell to the run (0: at once) */

#define DMP_CE_CTRL_ENABLE 0x1
#define DMP_CE_CTRL_RESET 0x2     /* write 1: HEAD, COMPLETED, STATUS, errors = 0 */

#define DMP_CE_STATUS_ERROR 0x2   /* halted on an error until reset */

/*
 * Interrupt output 0 is a level: asserted while IRQ_STATUS & IRQ_ENABLE is
 * not 0 (wire it with dmp_sim_device_set_irq).  DONE is set when the engine
 * completes descriptors, ERROR when it halts.
 */
#define DMP_CE_IRQ_DONE 0x1
#define DMP_CE_IRQ_ERROR 0x2

#define DMP_CE_ERR_NONE 0
#define DMP_CE_ERR_NOT_READY 1    /* descriptor without VALID */
#define DMP_CE_ERR_DMA 2          /* a DMA access failed (bus error, IOMMU fault) */
#define DMP_CE_ERR_BAD_RING 3     /* ring size not a power of two in range */
#define DMP_CE_ERR_BAD_DESC 4     /* unknown flags */

/* A descriptor: 32 bytes, little endian, in memory the device reads. */
struct dmp_ce_desc {
	uint64_t src;   /* bus address to read (FILL: the low byte is the pattern) */
	uint64_t dst;   /* bus address to write */
	uint32_t len;   /* bytes */
	uint32_t flags; /* DMP_CE_DESC_* */
	uint32_t status; /* written by the device: DMP_CE_DESC_DONE or _FAILED */
	uint32_t reserved;
};

#define DMP_CE_DESC_VALID 0x1  /* set by the driver last: the descriptor is ready */
#define DMP_CE_DESC_FILL 0x2   /* write len bytes of (src & 0xff) to dst, read nothing */

#define DMP_CE_DESC_DONE 0x1
#define DMP_CE_DESC_FAILED 0x2

/**
 * dmp_sim_copy_engine_create - a copy engine with registers at
 * @cfg->mmio_base (its size and ops are set here) and the DMA port of @cfg.
 * Returns what dmp_sim_device_create() returns.
 */
DMP_API int dmp_sim_copy_engine_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
				       struct dmp_sim_device **out);

DMP_END_DECLS

#endif /* DMAPORT_SIM_COPY_ENGINE_H */
