/* SPDX-License-Identifier: MIT */
/*
 * dmaapi-test.c - edu driven through dmaport's DMA API (dma-mapping.h), the
 * way a Linux driver is written: set the mask, map, start the device, wait,
 * unmap (which syncs for the CPU), check.  No IOMMU here: the direct path.
 *
 *   mask_raised  QEMU's edu with dma_mask=~0: the direct path works
 *   !mask_raised edu's default 28-bit mask, no IOMMU: virt has no RAM
 *                below 1 GiB, so dmp_set_mask() refuses 28 bits, and a device
 *                whose bus passes only 28 bits gets DMP_MAPPING_ERROR from
 *                every mapping, swiotlb included (its pool is in RAM too)
 */
#include <string.h>

#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/scatterlist.h>
#include <dmaport/swiotlb.h>

#include "dmaapi-test.h"

#define EDU_TIMEOUT_NS 2000000000ull
#define SWIOTLB_SIZE (1u << 20)

/* Linux reserves its swiotlb at boot; so does the port. */
static struct dmp_swiotlb_pool *boot_swiotlb(void)
{
	struct dmp_swiotlb_pool *pool;
	if (dmp_swiotlb_pool_create("swiotlb", SWIOTLB_SIZE, DMP_SWIOTLB_DEFAULT_LIMIT, 1, &pool))
		return NULL;
	dmp_swiotlb_set_default(pool);
	return pool;
}

static void round_trip(struct dmp_device *dev, struct edu *edu)
{
	const size_t len = EDU_DMA_MAX;
	uint8_t *src = dmp_kmalloc(EDU_BUF_SIZE, DMP_GFP_KERNEL);
	uint8_t *dst = dmp_kmalloc(EDU_BUF_SIZE, DMP_GFP_KERNEL);
	if (!src || !dst) {
		check(false, "dma-api: buffers");
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		src[i] = (uint8_t)(i * 13 + 5);
	memset(dst, 0x5a, EDU_BUF_SIZE);

	dmp_addr_t s = dmp_map_single(dev, src, len, DMP_TO_DEVICE);
	if (dmp_mapping_error(dev, s)) {
		check(false, "dma-api: dmp_map_single(TO_DEVICE)");
		goto out;
	}
	int d1 = edu_dma(edu, EDU_RAM_TO_DEV, s, 0, len, EDU_TIMEOUT_NS);
	dmp_unmap_single(dev, s, len, DMP_TO_DEVICE);

	dmp_addr_t d = dmp_map_single(dev, dst, len, DMP_FROM_DEVICE);
	if (dmp_mapping_error(dev, d)) {
		check(false, "dma-api: dmp_map_single(FROM_DEVICE)");
		goto out;
	}
	int d2 = edu_dma(edu, EDU_DEV_TO_RAM, d, 0, len, EDU_TIMEOUT_NS);
	dmp_unmap_single(dev, d, len, DMP_FROM_DEVICE); /* invalidates: the CPU reads DRAM */

	check(!d1 && !d2 && memcmp(src, dst, len) == 0 && dst[len] == 0x5a,
	      "dma-api: edu round trip with dmp_map_single/dmp_unmap_single on the direct path: "
	      "bus %#llx -> edu -> bus %#llx, %zu bytes intact (%d, %d)",
	      (unsigned long long)s, (unsigned long long)d, len, d1, d2);
out:
	dmp_kfree(src);
	dmp_kfree(dst);
}

/*
 * Scatter-gather on the direct path: three buffers of odd sizes and
 * alignments gathered into edu's buffer segment by segment (the device takes
 * one bus address per transfer, as a simple DMA engine walking a descriptor
 * list would), then written back to one buffer in one transfer.
 */
static void scatter_gather(struct dmp_device *dev, struct edu *edu)
{
	static const unsigned int len[3] = { 1000, 333, 2000 };
	const unsigned int total = 1000 + 333 + 2000;
	uint8_t *buf[3] = { 0 }, *out = NULL;
	struct dmp_scatterlist sg[3];
	int nents = 0, mapped = 0;

	for (unsigned int i = 0; i < 3; i++) {
		buf[i] = dmp_kmalloc(len[i], DMP_GFP_KERNEL);
		if (!buf[i])
			goto out;
		for (unsigned int j = 0; j < len[i]; j++)
			buf[i][j] = (uint8_t)(j * 3 + i * 101);
	}
	out = dmp_kmalloc(EDU_BUF_SIZE, DMP_GFP_KERNEL);
	if (!out)
		goto out;
	memset(out, 0x5a, EDU_BUF_SIZE);
	dmp_sg_init_table(sg, 3);
	for (unsigned int i = 0; i < 3; i++)
		dmp_sg_set_buf(&sg[i], buf[i], len[i]);
	nents = 3;
	mapped = dmp_map_sg(dev, sg, nents, DMP_TO_DEVICE);
	int err = mapped > 0 ? 0 : -1;
	unsigned int off = 0;
	struct dmp_scatterlist *s;
	int i;
	dmp_for_each_sg(sg, s, mapped, i) {
		if (!err)
			err = edu_dma(edu, EDU_RAM_TO_DEV, dmp_sg_dma_address(s), off,
				      dmp_sg_dma_len(s), EDU_TIMEOUT_NS);
		off += dmp_sg_dma_len(s);
	}
	if (mapped > 0)
		dmp_unmap_sg(dev, sg, nents, DMP_TO_DEVICE);

	dmp_addr_t d = dmp_map_single(dev, out, total, DMP_FROM_DEVICE);
	if (!err && !dmp_mapping_error(dev, d)) {
		err = edu_dma(edu, EDU_DEV_TO_RAM, d, 0, total, EDU_TIMEOUT_NS);
		dmp_unmap_single(dev, d, total, DMP_FROM_DEVICE);
	}
	bool same = !err && off == total && out[total] == 0x5a;
	for (unsigned int k = 0, o = 0; same && k < 3; o += len[k], k++)
		same = memcmp(out + o, buf[k], len[k]) == 0;
	check(same, "dma-api: dmp_map_sg of 3 buffers (%u + %u + %u bytes) -> %d DMA segments "
	      "gathered by edu, written back in one transfer, intact (%d)",
	      len[0], len[1], len[2], mapped, err);
out:
	for (unsigned int k = 0; k < 3; k++)
		dmp_kfree(buf[k]);
	dmp_kfree(out);
	if (!out)
		check(false, "dma-api: buffers for scatter-gather");
}

void dmaapi_test(struct edu *edu, bool mask_raised)
{
	struct dmp_device dev;
	struct dmp_swiotlb_pool *pool = boot_swiotlb();
	int ret = dmp_device_init(&dev, "edu");
	check(ret == 0 && pool, "dma-api: device \"edu\" (direct path), %u KiB default swiotlb (%d)",
	      SWIOTLB_SIZE >> 10, ret);
	if (ret || !pool)
		goto out;

	if (mask_raised) {
		ret = dmp_set_mask_and_coherent(&dev, DMP_BIT_MASK(64));
		check(ret == 0, "dma-api: dmp_set_mask_and_coherent(64 bits) (%d)", ret);
		if (!ret) {
			round_trip(&dev, edu);
			scatter_gather(&dev, edu);
		}
		goto out;
	}

	uint64_t old = dmp_get_mask(&dev);
	ret = dmp_set_mask(&dev, DMP_BIT_MASK(28));
	check(ret == -EIO && dmp_get_mask(&dev) == old,
	      "dma-api: dmp_set_mask(28 bits) with no RAM below 1 GiB: %d (-EIO), mask stays %#llx",
	      ret, (unsigned long long)dmp_get_mask(&dev));

	/* What edu's dma_mask really is: its bus passes 28 address bits. */
	dmp_device_set_bus_limit(&dev, DMP_BIT_MASK(28));
	uint8_t *buf = dmp_kmalloc(256, DMP_GFP_KERNEL);
	port_puts("dma-api: mapping for a 28-bit bus (a report is expected):\n");
	dmp_addr_t a = buf ? dmp_map_single(&dev, buf, 256, DMP_TO_DEVICE) : 0;
	struct dmp_swiotlb_stats st;
	dmp_swiotlb_get_stats(pool, &st);
	check(buf && dmp_mapping_error(&dev, a) && st.used == 0 && dmp_swiotlb_pool_check(pool) == 0,
	      "dma-api: 28-bit bus, no IOMMU: dmp_map_single gives DMP_MAPPING_ERROR (the swiotlb "
	      "is out of reach too), no bounce slot left in use (%zu)",
	      st.used);
	dmp_kfree(buf);
out:
	if (pool) {
		dmp_swiotlb_set_default(NULL);
		dmp_swiotlb_pool_destroy(pool);
	}
}
