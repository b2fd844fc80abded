/* SPDX-License-Identifier: MIT */
/*
 * edu.c - QEMU's edu device: identification, liveness, polled DMA.
 */
#include <dmaport/io.h>

#include <dmaport/platform.h>

#include "edu.h"

#define EDU_REG_IDENT 0x00
#define EDU_REG_LIVENESS 0x04
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_CNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_CMD_RUN 0x1
#define EDU_CMD_TO_RAM 0x2 /* direction bit: device buffer -> bus memory */

#define EDU_IDENT_MAGIC 0xed /* low byte of ident: 0xMMmm00ed, MM.mm the version */

static volatile uint8_t *reg(struct edu *edu, unsigned off)
{
	return (volatile uint8_t *)edu->regs + off;
}

uint32_t edu_ident(struct edu *edu)
{
	return dmp_readl(reg(edu, EDU_REG_IDENT));
}

int edu_probe(struct edu *edu, const struct pci_dev *pci)
{
	DMP_ASSERT(edu && pci && pci->bar0);
	edu->pci = *pci;
	int ret = dmp_ioremap(pci->bar0, pci->bar0_size, &edu->regs);
	if (ret)
		return -ENODEV;
	if ((edu_ident(edu) & 0xff) != EDU_IDENT_MAGIC)
		goto err_unmap_nodev;
	/* The liveness register reads back the inverse of what was written. */
	const uint32_t probe[] = { 0x12345678u, 0xa5a55a5au };
	for (unsigned i = 0; i < DMP_ARRAY_SIZE(probe); i++) {
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

int edu_dma(struct edu *edu, enum edu_dir dir, dmp_addr_t bus, unsigned buf_off, size_t len,
	    uint64_t timeout_ns)
{
	DMP_ASSERT(edu && edu->regs);
	/* QEMU 7.2 also aborts on a range that ends exactly at the end of the
	 * buffer (edu.h): the end must stay strictly inside. */
	if (len == 0 || buf_off >= EDU_BUF_SIZE || len >= EDU_BUF_SIZE - buf_off)
		return -EINVAL;
	/* While RUN is set edu ignores writes to the DMA registers. */
	if (dmp_readl(reg(edu, EDU_REG_DMA_CMD)) & EDU_CMD_RUN)
		return -EBUSY;

	uint64_t dev_addr = EDU_BUF_ADDR + buf_off;
	dmp_writeq(dir == EDU_RAM_TO_DEV ? bus : dev_addr, reg(edu, EDU_REG_DMA_SRC));
	dmp_writeq(dir == EDU_RAM_TO_DEV ? dev_addr : bus, reg(edu, EDU_REG_DMA_DST));
	dmp_writeq(len, reg(edu, EDU_REG_DMA_CNT));
	dmp_writeq(EDU_CMD_RUN | (dir == EDU_DEV_TO_RAM ? EDU_CMD_TO_RAM : 0),
		   reg(edu, EDU_REG_DMA_CMD));

	uint64_t deadline = dmp_time_ns() + timeout_ns;
	while (dmp_readl(reg(edu, EDU_REG_DMA_CMD)) & EDU_CMD_RUN) {
		if (dmp_time_ns() > deadline)
			return -EIO;
		dmp_cpu_relax(0);
	}
	/* dmp_readl() ends with dma_rmb(): later reads of the buffer are
	 * ordered after the completion was seen. */
	return 0;
}
