/* SPDX-License-Identifier: MIT */
/*
 * ce-linux-hw.h - the glue between the example Linux driver and the test
 * that plays its bus: the simulated copy engine's register map and
 * descriptor format (as docs and <dmaport/sim/copy-engine.h> give them,
 * written the way a Linux driver's hardware header is), and the driver's
 * entry points.  Includes only <linux/...> headers.
 */
#ifndef CE_LINUX_HW_H
#define CE_LINUX_HW_H

#include <linux/platform_device.h>
#include <linux/types.h>

/* Registers, 32 bits each. */
#define CE_REG_ID 0x00
#define CE_REG_CTRL 0x08
#define CE_REG_STATUS 0x0c
#define CE_REG_RING_LO 0x10
#define CE_REG_RING_HI 0x14
#define CE_REG_RING_SIZE 0x18
#define CE_REG_TAIL 0x1c	/* doorbell: the producer index */
#define CE_REG_HEAD 0x20	/* the consumer index */
#define CE_REG_ERR_CODE 0x30
#define CE_MMIO_SIZE 0x1000

#define CE_ID_VALUE 0x45434d44u
#define CE_CTRL_ENABLE BIT(0)
#define CE_CTRL_RESET BIT(1)

/* A descriptor, little endian, in memory the engine reads. */
struct ce_desc {
	__le64 src;
	__le64 dst;
	__le32 len;
	__le32 flags;
	__le32 status;
	__le32 reserved;
};

#define CE_DESC_VALID BIT(0)	/* the driver's last store: the descriptor is ready */
#define CE_DESC_FILL BIT(1)	/* write len bytes of (src & 0xff) */
#define CE_DESC_DONE BIT(0)

#define CE_RING_ENTRIES 16
#define CE_RX_BUF_SIZE 4096

/* The driver, for the code that plays the bus. */
extern struct platform_driver ce_linux_driver;

/*
 * ce_linux_copy - copy @len bytes (at most CE_RX_BUF_SIZE) from @src to @dst
 * through the engine: @src (kmalloc memory) is mapped for the transfer, the
 * data lands in the driver's persistent receive buffer and is copied to @dst
 * (any memory).  Returns 0, -EINVAL, -ENOMEM (mapping failed), -EIO (the
 * engine reported an error).
 */
int ce_linux_copy(struct platform_device *pdev, void *dst, const void *src, size_t len);

/*
 * ce_linux_fill - fill @len bytes of @buf (kmalloc memory) with @pattern by
 * DMA: @buf is mapped DMA_FROM_DEVICE for the transfer.  Returns as
 * ce_linux_copy().
 */
int ce_linux_fill(struct platform_device *pdev, void *buf, u8 pattern, size_t len);

#endif /* CE_LINUX_HW_H */
