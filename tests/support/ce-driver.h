/* ce-driver.h - a small driver for the simulated copy engine, written
 * against the DMA API the way a real driver would be: a descriptor ring in
 * coherent memory, a doorbell written with dmp_writel (which orders the
 * descriptor stores before it). */
#ifndef DMP_TEST_CE_DRIVER_H
#define DMP_TEST_CE_DRIVER_H

#include <dmaport/dmaport.h>
#include <dmaport/sim/copy-engine.h> /* the device's registers and descriptors */

struct ce_driver {
	struct dmp_device *dev;
	void *regs;
	struct dmp_ce_desc *ring;
	dmp_addr_t ring_dma;
	unsigned int entries;
	uint32_t tail;
};

#define CE_TEST_MMIO 0x10000000ull

/* probe: map registers, allocate the ring, program and enable the engine. 0 or -errno. */
int ce_probe(struct ce_driver *ce, struct dmp_device *dev, dmp_phys_t mmio, unsigned int entries);
void ce_remove(struct ce_driver *ce);
/* one copy (or fill, when @fill >= 0) and wait; returns 0, or the engine's error code. */
int ce_copy(struct ce_driver *ce, dmp_addr_t src, dmp_addr_t dst, uint32_t len);
int ce_fill(struct ce_driver *ce, uint8_t pattern, dmp_addr_t dst, uint32_t len);

#endif
