/* SPDX-License-Identifier: MIT */
/*
 * edu.c - QEMU's edu device: identification, liveness, DMA with polled or
 * interrupt-signalled completion.  Registers from QEMU's hw/misc/edu.c.
 */
#include <dmaport/io.h>
#include <dmaport/platform.h>

#include "edu.h"

#define EDU_REG_IDENT 0x00
#define EDU_REG_LIVENESS 0x04
#define EDU_REG_IRQ_STATUS 0x24
#define EDU_REG_IRQ_ACK 0x64
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_CNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_CMD_RUN 0x1
#define EDU_CMD_TO_RAM 0x2 /* direction bit: device buffer -> bus memory */
#define EDU_CMD_IRQ 0x4    /* raise EDU_IRQ_DMA when done */

#define EDU_IDENT_MAGIC 0xed /* low byte of ident: 0xMMmm00ed, MM.mm the version */

static volatile uint8_t *reg(struct edu *edu, unsigned int off)
{
	return (volatile uint8_t *)edu->regs + off;
}

uint32_t edu_ident(struct edu *edu)
{
	return dmp_readl(reg(edu, EDU_REG_IDENT));
}

int edu_probe(struct edu *edu, dmp_phys_t bar0, size_t bar0_size)
{
	if (!edu || !bar0_size)
		return -ENODEV;
	int ret = dmp_ioremap(bar0, bar0_size, &edu->regs);
	if (ret)
		return -ENODEV;
	if ((edu_ident(edu) & 0xff) != EDU_IDENT_MAGIC)
		goto err_unmap_nodev;
	/* The liveness register reads back the inverse of what was written. */
	const uint32_t probe[] = { 0x12345678u, 0xa5a55a5au };
	for (unsigned int i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		dmp_writel(probe[i], reg(edu, EDU_REG_LIVENESS));
		if (dmp_readl(reg(edu, EDU_REG_LIVENESS)) != ~probe[i]) {
			ret = -EIO;
			goto err_unmap;
		}
	}
	return 0;

err_unmap_nodev:
	ret = -ENODEV;
err_unmap:
	dmp_iounmap(edu->regs);
	edu->regs = NULL;
	return ret;
}

void edu_remove(struct edu *edu)
{
	if (edu && edu->regs) {
		dmp_iounmap(edu->regs);
		edu->regs = NULL;
	}
}

bool edu_dma_busy(struct edu *edu)
{
	return dmp_readl(reg(edu, EDU_REG_DMA_CMD)) & EDU_CMD_RUN;
}

int edu_dma_start(struct edu *edu, enum edu_dir dir, dmp_addr_t bus, unsigned int buf_off,
		  size_t len, unsigned int flags)
{
	if (!edu || !edu->regs)
		return -ENODEV;
	/* QEMU 7.2 also aborts on a range that ends exactly at the end of the
	 * buffer (edu.h): the end must stay strictly inside. */
	if (len == 0 || buf_off >= EDU_BUF_SIZE || len >= EDU_BUF_SIZE - buf_off)
		return -EINVAL;
	/* While RUN is set edu ignores writes to the DMA registers. */
	if (edu_dma_busy(edu))
		return -EBUSY;

	uint64_t dev_addr = EDU_BUF_ADDR + buf_off;
	uint64_t cmd = EDU_CMD_RUN | (dir == EDU_DEV_TO_RAM ? EDU_CMD_TO_RAM : 0) |
		       ((flags & EDU_DMA_IRQ) ? EDU_CMD_IRQ : 0);
	dmp_writeq(dir == EDU_RAM_TO_DEV ? bus : dev_addr, reg(edu, EDU_REG_DMA_SRC));
	dmp_writeq(dir == EDU_RAM_TO_DEV ? dev_addr : bus, reg(edu, EDU_REG_DMA_DST));
	dmp_writeq(len, reg(edu, EDU_REG_DMA_CNT));
	dmp_writeq(cmd, reg(edu, EDU_REG_DMA_CMD));
	return 0;
}

int edu_dma_wait(struct edu *edu, uint64_t timeout_ns)
{
	if (!edu || !edu->regs)
		return -ENODEV;
	uint64_t deadline = dmp_time_ns() + timeout_ns;
	unsigned int spins = 0;
	/* dmp_readl() ends with dma_rmb(): once RUN reads clear, later reads
	 * of the buffer are ordered after it. */
	while (edu_dma_busy(edu)) {
		if (dmp_time_ns() > deadline)
			return -EIO;
		dmp_cpu_relax(++spins);
	}
	return 0;
}

int edu_dma(struct edu *edu, enum edu_dir dir, dmp_addr_t bus, unsigned int buf_off, size_t len,
	    uint64_t timeout_ns)
{
	int ret = edu_dma_start(edu, dir, bus, buf_off, len, 0);
	return ret ? ret : edu_dma_wait(edu, timeout_ns);
}

uint32_t edu_irq_status(struct edu *edu)
{
	return dmp_readl(reg(edu, EDU_REG_IRQ_STATUS));
}

void edu_irq_ack(struct edu *edu, uint32_t bits)
{
	dmp_writel(bits, reg(edu, EDU_REG_IRQ_ACK));
}
