/* SPDX-License-Identifier: MIT */
/*
 * vfio-bench.c - the cost of a dmp_map_single + dmp_unmap_single pair on
 * the VFIO platform, in each mode, for a real device (edu behind the
 * guest's IOMMU).  Run in the guest by tests/vfio/init as `vfio-bench BDF`.
 *
 * strict: each pair is a VFIO_IOMMU_MAP_DMA and a VFIO_IOMMU_UNMAP_DMA
 * (the kernel pins, maps and unmaps the page, and flushes the IOTLB), plus
 * dmaport's IOVA allocation.  pre-mapped: each pair is dmaport's direct
 * path, an address computation.  Prints wall and thread CPU time per pair,
 * the median of 5 rounds.  Under TCG the figures are only relative: the
 * guest's CPU is emulated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dmaport/dma-mapping.h>
#include <dmaport/memory.h>
#include <dmaport/vfio.h>

#include "edu.h"

#define ROUNDS 5

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* One mode: open, time @pairs map+unmap pairs of @size bytes, ROUNDS times. */
static int bench(const char *bdf, enum dmp_vfio_mode mode, size_t size, unsigned int pairs)
{
	const char *name = mode == DMP_VFIO_PREMAPPED ? "pre-mapped" : "strict";
	struct dmp_vfio_config cfg = { .mode = mode };
	struct dmp_vfio *v;
	struct dmp_vfio_pci *pci;
	int err = dmp_vfio_open(&cfg, &v);
	if (err) {
		printf("bench: %s: dmp_vfio_open: %d\n", name, err);
		return err;
	}
	err = dmp_vfio_pci_open(v, bdf, &pci);
	if (err) {
		printf("bench: %s: dmp_vfio_pci_open %s: %d\n", name, bdf, err);
		dmp_vfio_close(v);
		return err;
	}
	struct dmp_device *dev = dmp_vfio_pci_device(pci);
	dmp_set_mask_and_coherent(dev, DMP_BIT_MASK(EDU_DMA_BITS));
	void *buf = dmp_kmalloc(size, DMP_GFP_KERNEL);
	uint64_t wall[ROUNDS], cpu[ROUNDS];
	struct dmp_vfio_stats st0, st1;
	dmp_vfio_get_stats(v, &st0);
	for (int r = 0; r < ROUNDS && buf && !err; r++) {
		uint64_t w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
		for (unsigned int i = 0; i < pairs; i++) {
			dmp_addr_t a = dmp_map_single(dev, buf, size, DMP_TO_DEVICE);
			if (dmp_mapping_error(dev, a)) {
				err = -ENOMEM;
				break;
			}
			dmp_unmap_single(dev, a, size, DMP_TO_DEVICE);
		}
		wall[r] = (now_ns(CLOCK_MONOTONIC) - w0) / pairs;
		cpu[r] = (now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / pairs;
	}
	dmp_vfio_get_stats(v, &st1);
	if (buf && !err) {
		qsort(wall, ROUNDS, sizeof(wall[0]), cmp_u64);
		qsort(cpu, ROUNDS, sizeof(cpu[0]), cmp_u64);
		printf("bench: %s map+unmap pair of %zu bytes: %llu ns wall, %llu ns CPU (median of "
		       "%d x %u pairs; wall range %llu-%llu ns), %lu VFIO map ioctls\n",
		       name, size, (unsigned long long)wall[ROUNDS / 2],
		       (unsigned long long)cpu[ROUNDS / 2], ROUNDS, pairs,
		       (unsigned long long)wall[0], (unsigned long long)wall[ROUNDS - 1],
		       st1.maps - st0.maps);
	} else {
		printf("bench: %s: failed (%d)\n", name, buf ? err : -ENOMEM);
	}
	dmp_kfree(buf);
	dmp_vfio_pci_close(pci);
	dmp_vfio_close(v);
	return buf ? err : -ENOMEM;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF\n", argv[0]);
		return 2;
	}
	int err = 0;
	err |= bench(argv[1], DMP_VFIO_STRICT, 4096, 500);
	err |= bench(argv[1], DMP_VFIO_STRICT, 65536, 500);
	err |= bench(argv[1], DMP_VFIO_PREMAPPED, 4096, 100000);
	err |= bench(argv[1], DMP_VFIO_PREMAPPED, 65536, 100000);
	return err ? 1 : 0;
}
