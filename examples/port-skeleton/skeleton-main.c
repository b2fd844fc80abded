/* SPDX-License-Identifier: MIT */
/*
 * skeleton-main.c - a board for the skeleton port on a host, and a DMA round
 * trip through it: `make port-check` links this, port-skeleton.c and the
 * freestanding core (nothing of src/platform/host/, src/sim/ or src/of/) and
 * runs it.  A real board writes to its UART and reads its timer instead.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/log.h>
#include <dmaport/memory.h>

#include "port-skeleton.h"

void board_console_putc(char c)
{
	putchar(c);
}

uint64_t board_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int fail(const char *what, int err)
{
	printf("port-skeleton: FAIL %s (%d)\n", what, err);
	return 1;
}

int main(void)
{
	struct dmp_device *dev;
	dmp_addr_t coh_dma, dma;
	int err;

	if ((err = skeleton_port_init()) != 0)
		return fail("skeleton_port_init", err);
	if ((err = dmp_device_create("skel-dev", &dev)) != 0)
		return fail("dmp_device_create", err);
	dmp_device_set_coherent(dev, true);
	if ((err = dmp_set_mask_and_coherent(dev, DMP_BIT_MASK(64))) != 0)
		return fail("dmp_set_mask_and_coherent", err);

	/* a coherent buffer: no dma-ranges, so its bus address is its physical one */
	void *ring = dmp_alloc_coherent(dev, DMP_PAGE_SIZE, &coh_dma, DMP_GFP_KERNEL);
	dmp_phys_t ring_phys;
	if (!ring || dmp_virt_to_phys(ring, &ring_phys) || coh_dma != ring_phys)
		return fail("dmp_alloc_coherent", -1);

	/* a streaming mapping of a heap buffer, the device's turn, and back */
	char *buf = dmp_kmalloc(256, DMP_GFP_KERNEL);
	if (!buf)
		return fail("dmp_kmalloc", -1);
	strcpy(buf, "to the device");
	dma = dmp_map_single(dev, buf, 256, DMP_BIDIRECTIONAL);
	if (dmp_mapping_error(dev, dma))
		return fail("dmp_map_single", -1);
	memcpy((char *)(uintptr_t)dma, "from the device", 16); /* the "device" writes */
	dmp_sync_single_for_cpu(dev, dma, 256, DMP_BIDIRECTIONAL);
	if (strcmp(buf, "from the device") != 0)
		return fail("the device's write", -1);
	dmp_unmap_single(dev, dma, 256, DMP_BIDIRECTIONAL);

	dmp_kfree(buf);
	dmp_free_coherent(dev, DMP_PAGE_SIZE, ring, coh_dma);
	dmp_device_destroy(dev);
	dmp_log("port-skeleton: a coherent buffer and a streaming round trip on the skeleton port");
	return 0;
}
