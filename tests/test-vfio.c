/* test-vfio.c - the Linux VFIO platform (src/platform/linux-vfio/) against a
 * model of the kernel: the platform's system calls go through its table
 * (dmp__vfio_sys) to a small independent model of VFIO's container, groups
 * and vfio-pci device, written from Documentation/driver-api/vfio.rst and
 * the type1v2 rules of drivers/vfio/vfio_iommu_type1.c: a mapping must be
 * aligned, inside a usable IOVA range and overlap nothing; an unmap must
 * cover whole mappings; the last group leaving the container takes its
 * mappings with it.  The checks: which mappings the container holds after
 * each DMA API call (strict and pre-mapped), reserved holes and masks,
 * domain switches, refused partial unmaps, every failing system call
 * leaving nothing behind, interrupts on eventfds, config space and BARs, and
 * a random sequence of maps and unmaps compared with the model after each
 * step.  The real kernel is exercised by make vfio-test. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include <cmocka.h>

#include <dmaport/debug.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/io.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/scatterlist.h>
#include <dmaport/vfio.h>

#include "platform/linux-vfio/vfio-internal.h"
#include "support/vfio-model.h"

/* ---- fixtures -------------------------------------------------------------------------- */

struct rig {
	struct dmp_vfio *v;
	struct dmp_vfio_pci *pci;
	struct dmp_device *dev;
};

static int setup(void **state)
{
	(void)state;
	vfio_model_install();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dmp__vfio_sys_reset();
	vfio_model_reset();
	return 0;
}

static void rig_up(struct rig *r, enum dmp_vfio_mode mode)
{
	struct dmp_vfio_config cfg = { .mode = mode, .mem_size = 16 << 20 };
	assert_int_equal(dmp_vfio_open(&cfg, &r->v), 0);
	assert_int_equal(dmp_vfio_pci_open(r->v, BDF, &r->pci), 0);
	r->dev = dmp_vfio_pci_device(r->pci);
	assert_int_equal(dmp_set_mask_and_coherent(r->dev, DMP_BIT_MASK(28)), 0);
}

static void rig_down(struct rig *r)
{
	dmp_vfio_pci_close(r->pci);
	assert_int_equal(dmp_vfio_close(r->v), 0);
	/* the container gave up its IOMMU with the last group: nothing mapped */
	assert_false(vmodel.group_in_container);
	assert_int_equal(vmodel.nr_maps, 0);
	assert_false(vmodel.device_open);
	assert_null(dmp__platform.ops);
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_open_errors(void **state)
{
	(void)state;
	struct dmp_vfio *v;
	vmodel.no_vfio = true;
	assert_int_equal(dmp_vfio_open(NULL, &v), -ENOENT);
	assert_null(dmp__platform.ops);
	vmodel.no_vfio = false;
	struct dmp_vfio_config bad = { .mode = 7 };
	assert_int_equal(dmp_vfio_open(&bad, &v), -EINVAL);
	bad = (struct dmp_vfio_config){ .mem_base = 0x1001 };
	assert_int_equal(dmp_vfio_open(&bad, &v), -EINVAL);
	/* one platform at a time */
	assert_int_equal(dmp_vfio_open(NULL, &v), 0);
	struct dmp_vfio *v2;
	assert_int_equal(dmp_vfio_open(NULL, &v2), -EBUSY);
	char line[160];
	assert_non_null(strstr(dmp_vfio_describe(v, line, sizeof(line)), "4 KiB pages"));

	struct dmp_vfio_pci *pci;
	assert_int_equal(dmp_vfio_pci_open(v, "0000:00:03.0", &pci), -ENOENT); /* no group */
	assert_int_equal(dmp_vfio_pci_open(v, "00:02.0x", &pci), -EINVAL);
	assert_int_equal(dmp_vfio_pci_open(v, "0000:00:20.0", &pci), -EINVAL); /* device 32 */
	assert_int_equal(dmp_vfio_pci_open(v, NULL, &pci), -EINVAL);
	assert_null(dmp_vfio_pci_device(NULL));
	assert_int_equal(dmp_vfio_pci_bar(NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(dmp_vfio_pci_set_master(NULL, true), -EINVAL);
	assert_int_equal(dmp_vfio_pci_irq_enable(NULL, DMP_VFIO_IRQ_MSI, 1), -EINVAL);
	assert_int_equal(dmp_vfio_pci_irq_wait(NULL, 0, 1), -EINVAL);
	dmp_vfio_pci_close(NULL);
	assert_int_equal(dmp_vfio_close(NULL), 0);
	vmodel.not_viable = true;
	assert_int_equal(dmp_vfio_pci_open(v, BDF, &pci), -EBUSY);
	assert_false(vmodel.group_in_container);
	vmodel.not_viable = false;
	/* each failing call on the way leaves nothing: group out, IOMMU unset */
	static const unsigned long steps[] = { VFIO_GROUP_GET_STATUS, VFIO_GROUP_SET_CONTAINER,
					       VFIO_SET_IOMMU, VFIO_IOMMU_GET_INFO,
					       VFIO_GROUP_GET_DEVICE_FD, VFIO_DEVICE_GET_INFO,
					       VFIO_DEVICE_GET_REGION_INFO };
	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		vmodel.fail_request = steps[i];
		vmodel.fail_nth = 1;
		vmodel.fail_errno = EIO;
		assert_true(dmp_vfio_pci_open(v, BDF, &pci) < 0);
		assert_false(vmodel.group_in_container);
		assert_false(vmodel.iommu_set);
		assert_false(vmodel.device_open);
	}
	vmodel.fail_nth = 0;
	assert_int_equal(dmp_vfio_pci_open(v, BDF, &pci), 0);
	struct dmp_vfio_pci *again;
	assert_int_equal(dmp_vfio_pci_open(v, BDF, &again), -EBUSY);
	assert_int_equal(dmp_vfio_close(v), -EBUSY); /* a device is open */
	dmp_vfio_pci_close(pci);
	assert_int_equal(dmp_vfio_close(v), 0);
	assert_null(dmp__platform.ops);
}

static void test_strict_single(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_VFIO_STRICT);
	assert_int_equal(dmp_vfio_iommu_pgsizes(r.v), 0x40201000ull);
	assert_int_equal(dmp_iommu_group_id(r.dev) >= 0, 1);
	assert_int_equal(vmodel.nr_maps, 0); /* strict: nothing until a buffer is mapped */

	uint8_t *a = dmp_kmalloc(100, DMP_GFP_KERNEL), *b = dmp_kmalloc(5000, DMP_GFP_KERNEL);
	dmp_addr_t da = dmp_map_single(r.dev, a, 100, DMP_TO_DEVICE);
	dmp_addr_t db = dmp_map_single(r.dev, b, 5000, DMP_FROM_DEVICE);
	assert_false(dmp_mapping_error(r.dev, da));
	assert_false(dmp_mapping_error(r.dev, db));
	assert_int_equal(vmodel.nr_maps, 2);
	const struct kmap *ka = vfio_model_map_at(da), *kb = vfio_model_map_at(db);
	assert_non_null(ka);
	assert_non_null(kb);
	/* one VFIO mapping per buffer: its pages, the buffer's offset kept */
	assert_int_equal(ka->iova, da & ~0xfffull);
	assert_int_equal(ka->vaddr + (da - ka->iova), (uintptr_t)a);
	assert_int_equal(ka->size, 4096);
	assert_int_equal(ka->flags, VFIO_DMA_MAP_FLAG_READ); /* the device only reads */
	assert_int_equal(kb->vaddr + (db - kb->iova), (uintptr_t)b);
	assert_true(kb->size >= 5000 + (db & 0xfff) && kb->size <= 3 * 4096);
	assert_int_equal(kb->flags, VFIO_DMA_MAP_FLAG_WRITE);
	assert_true(db + 5000 - 1 <= DMP_BIT_MASK(28));
	/* the DMA layer's own lookups find the buffer through the record */
	dmp_sync_single_for_cpu(r.dev, db, 5000, DMP_FROM_DEVICE);
	struct dmp_vfio_stats st;
	dmp_vfio_get_stats(r.v, &st);
	assert_int_equal(st.maps, 2);
	dmp_unmap_single(r.dev, da, 100, DMP_TO_DEVICE);
	assert_int_equal(vmodel.nr_maps, 1);
	assert_null(vfio_model_map_at(da));
	dmp_unmap_single(r.dev, db, 5000, DMP_FROM_DEVICE);
	assert_int_equal(vmodel.nr_maps, 0);
	dmp_vfio_get_stats(r.v, &st);
	assert_int_equal(st.unmaps, 2);
	dmp_kfree(a);
	dmp_kfree(b);
	rig_down(&r);
}

static void test_strict_sg_and_coherent(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_VFIO_STRICT);
	uint8_t *buf[3];
	struct dmp_scatterlist sg[3];
	dmp_sg_init_table(sg, 3);
	for (int i = 0; i < 3; i++) {
		buf[i] = dmp_kmalloc(4096, DMP_GFP_KERNEL);
		dmp_sg_set_buf(&sg[i], buf[i], i == 1 ? 4096 : 700);
	}
	int n = dmp_map_sg(r.dev, sg, 3, DMP_BIDIRECTIONAL);
	assert_true(n >= 1);
	assert_int_equal(vmodel.nr_maps, 3); /* one VFIO mapping per entry ... */
	for (int i = 0; i < 3; i++) {   /* ... each at its buffer */
		const struct kmap *m = vfio_model_map_at(sg[0].dma_address + (dmp_addr_t)i * 4096);
		assert_non_null(m);
		assert_int_equal(m->vaddr, (uintptr_t)buf[i] & ~0xfffull);
		assert_int_equal(m->flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	}
	unsigned long calls = vmodel.unmap_calls;
	dmp_unmap_sg(r.dev, sg, 3, DMP_BIDIRECTIONAL);
	/* ... and one unmap covering the three whole mappings (type1v2 allows it) */
	assert_int_equal(vmodel.unmap_calls, calls + 1);
	assert_int_equal(vmodel.nr_maps, 0);
	for (int i = 0; i < 3; i++)
		dmp_kfree(buf[i]);

	dmp_addr_t h;
	void *p = dmp_alloc_coherent(r.dev, 3 * 4096, &h, DMP_GFP_KERNEL);
	assert_non_null(p);
	const struct kmap *m = vfio_model_map_at(h);
	assert_non_null(m);
	assert_int_equal(m->vaddr, (uintptr_t)p);
	assert_int_equal(m->size, 3 * 4096);
	assert_true(h + 3 * 4096 - 1 <= DMP_BIT_MASK(28));
	dmp_free_coherent(r.dev, 3 * 4096, p, h);
	assert_int_equal(vmodel.nr_maps, 0);
	rig_down(&r);
}

/*
 * The holes between the kernel's IOVA ranges are never handed out: with the
 * hole right below the top of the 32-bit space, the allocator works down
 * from 4 GiB and must step over it.  The model refuses a map in a hole.
 */
static void test_ranges_holes(void **state)
{
	(void)state;
	vmodel.ranges[0] = (struct vfio_iova_range){ 0x1000, 0xffdfffffull };
	vmodel.ranges[1] = (struct vfio_iova_range){ 0xfff00000ull, (1ull << 39) - 1 };
	struct rig r;
	rig_up(&r, DMP_VFIO_STRICT);
	assert_int_equal(dmp_set_mask(r.dev, DMP_BIT_MASK(32)), 0);
	enum { N = 300 }; /* 256 pages above the hole, the rest below it */
	static uint8_t *buf[N];
	static dmp_addr_t dma[N];
	bool below_hole = false;
	for (int i = 0; i < N; i++) {
		buf[i] = dmp_kmalloc(4096, DMP_GFP_KERNEL);
		dma[i] = dmp_map_single(r.dev, buf[i], 4096, DMP_TO_DEVICE);
		assert_false(dmp_mapping_error(r.dev, dma[i]));
		assert_false(dma[i] >= 0xffe00000ull && dma[i] < 0xfff00000ull);
		below_hole |= dma[i] < 0xffe00000ull;
	}
	assert_true(below_hole);
	assert_int_equal(vmodel.nr_maps, N);
	for (int i = 0; i < N; i++) {
		dmp_unmap_single(r.dev, dma[i], 4096, DMP_TO_DEVICE);
		dmp_kfree(buf[i]);
	}
	assert_int_equal(vmodel.nr_maps, 0);
	/* the aperture: the last range's end bounds a 64-bit mask */
	assert_int_equal(dmp_set_mask(r.dev, DMP_BIT_MASK(64)), 0);
	struct dmp_iommu_domain *d = dmp_iommu_get_domain_for_dev(r.dev);
	assert_int_equal(d->geometry.aperture_start, 0x1000);
	assert_int_equal(d->geometry.aperture_end, (1ull << 39) - 1);
	rig_down(&r);
}

static void test_premapped(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_VFIO_PREMAPPED);
	/* all memory, once, at its physical address */
	assert_int_equal(vmodel.nr_maps, 1);
	assert_int_equal(vmodel.maps[0].iova, 16 << 20);
	assert_int_equal(vmodel.maps[0].size, 16 << 20);
	assert_int_equal(vmodel.maps[0].flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	unsigned long calls = vmodel.map_calls;
	uint8_t *a = dmp_kmalloc(300, DMP_GFP_KERNEL);
	dmp_addr_t da = dmp_map_single(r.dev, a, 300, DMP_TO_DEVICE);
	dmp_phys_t pa;
	assert_int_equal(dmp_virt_to_phys(a, &pa), 0);
	assert_int_equal(da, pa); /* bus address = physical address = IOVA */
	assert_int_equal(vfio_model_map_at(da)->vaddr + (da - vfio_model_map_at(da)->iova), (uintptr_t)a);
	dmp_unmap_single(r.dev, da, 300, DMP_TO_DEVICE);
	assert_int_equal(vmodel.map_calls, calls); /* no ioctl per mapping */
	assert_int_equal(vmodel.nr_maps, 1);
	dmp_kfree(a);
	rig_down(&r);

	/* memory where the IOMMU cannot put it: refused when the device opens */
	struct dmp_vfio_config cfg = { .mode = DMP_VFIO_PREMAPPED, .mem_size = 4 << 20,
				       .mem_base = 0xfec00000ull };
	struct dmp_vfio_pci *pci;
	assert_int_equal(dmp_vfio_open(&cfg, &r.v), 0);
	assert_int_equal(dmp_vfio_pci_open(r.v, BDF, &pci), -ERANGE);
	assert_false(vmodel.group_in_container);
	assert_int_equal(dmp_vfio_close(r.v), 0);
}

/*
 * A driver's own domain: its mappings wait outside the container until it
 * is attached; attaching swaps the container's contents, detaching swaps
 * them back.  Part of a VFIO mapping cannot be unmapped.
 */
static void test_unmanaged_domain(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_VFIO_STRICT);
	uint8_t *a = dmp_kmalloc(64, DMP_GFP_KERNEL);
	dmp_addr_t da = dmp_map_single(r.dev, a, 64, DMP_BIDIRECTIONAL);
	assert_int_equal(vmodel.nr_maps, 1);

	struct dmp_iommu_domain *d;
	assert_int_equal(dmp_iommu_paging_domain_alloc(r.dev, &d), 0);
	dmp_phys_t pa;
	assert_int_equal(dmp_page_alloc(1, DMP_GFP_KERNEL, DMP_PHYS_ANY, &pa), 0);
	assert_int_equal(dmp_iommu_map(d, 0x100000, pa, 8192, DMP_IOMMU_READ, DMP_GFP_KERNEL), 0);
	assert_int_equal(dmp_iommu_map(d, 0x101000, pa, 4096, DMP_IOMMU_READ, DMP_GFP_KERNEL),
			 -EEXIST);
	assert_int_equal(vmodel.nr_maps, 1); /* not attached: not in the container */
	dmp_phys_t back;
	assert_int_equal(dmp_iommu_iova_to_phys(d, 0x101234, &back), 0);
	assert_int_equal(back, pa + 0x1234);

	assert_int_equal(dmp_iommu_attach_device(d, r.dev), 0);
	assert_int_equal(vmodel.nr_maps, 1);
	assert_int_equal(vmodel.maps[0].iova, 0x100000);
	assert_int_equal(vmodel.maps[0].vaddr, (uintptr_t)dmp_phys_to_virt(pa));
	/* half of the 8 KiB mapping: type1v2 cannot, so nothing happens */
	assert_int_equal(dmp_iommu_unmap(d, 0x101000, 4096), 0);
	assert_int_equal(dmp_iommu_unmap(d, 0x100000, 4096), 0);
	assert_int_equal(vmodel.nr_maps, 1);
	/* a map while attached goes straight in */
	assert_int_equal(dmp_iommu_map(d, 0x200000, pa, 4096, DMP_IOMMU_WRITE, DMP_GFP_KERNEL), 0);
	assert_int_equal(vmodel.nr_maps, 2);
	/* a range over both, with a hole between: as Linux, stops at the hole */
	assert_int_equal(dmp_iommu_unmap(d, 0x100000, 0x200000), 8192);
	assert_int_equal(vmodel.nr_maps, 1);
	assert_non_null(vfio_model_map_at(0x200000));

	dmp_iommu_detach_device(d, r.dev);
	assert_int_equal(vmodel.nr_maps, 1);
	assert_non_null(vfio_model_map_at(da)); /* the default domain's mapping is back */
	assert_null(vfio_model_map_at(0x200000));
	dmp_iommu_domain_free(d);
	dmp_unmap_single(r.dev, da, 64, DMP_BIDIRECTIONAL);
	dmp_page_free(pa, 1);
	dmp_kfree(a);
	rig_down(&r);
}

/* Every failing ioctl of the map path leaves the container and the DMA layer as they were. */
static void test_failures(void **state)
{
	(void)state;
	/* the kernel refuses an unmap below the DMA API, which has no error to
	 * return: the checker would count the mapping gone and refuse the
	 * retry; this test is about the kernel's refusals, without it */
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	struct rig r;
	rig_up(&r, DMP_VFIO_STRICT);
	uint8_t *a = dmp_kmalloc(64, DMP_GFP_KERNEL);
	vmodel.fail_request = VFIO_IOMMU_MAP_DMA;
	vmodel.fail_nth = 1;
	vmodel.fail_errno = EFAULT; /* pinning failed */
	dmp_addr_t da = dmp_map_single_attrs(r.dev, a, 64, DMP_TO_DEVICE, DMP_ATTR_NO_WARN);
	assert_true(dmp_mapping_error(r.dev, da));
	assert_int_equal(vmodel.nr_maps, 0);
	/* the container's entry limit */
	vmodel.entry_limit = 1;
	da = dmp_map_single(r.dev, a, 64, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(r.dev, da));
	uint8_t *b = dmp_kmalloc(64, DMP_GFP_KERNEL);
	dmp_addr_t db = dmp_map_single_attrs(r.dev, b, 64, DMP_TO_DEVICE, DMP_ATTR_NO_WARN);
	assert_true(dmp_mapping_error(r.dev, db));
	vmodel.entry_limit = MAX_MAPS;
	/* an unmap the kernel refuses: the record keeps the mapping as the kernel does */
	vmodel.fail_request = VFIO_IOMMU_UNMAP_DMA;
	vmodel.fail_nth = 1;
	vmodel.fail_errno = EINVAL;
	dmp_unmap_single(r.dev, da, 64, DMP_TO_DEVICE);
	assert_int_equal(vmodel.nr_maps, 1);
	dmp_phys_t phys;
	assert_int_equal(dmp_iommu_iova_to_phys(dmp_iommu_get_domain_for_dev(r.dev), da, &phys), 0);
	vmodel.fail_nth = 0;

	/* a domain switch that fails half-way puts the old contents back */
	struct dmp_iommu_domain *d;
	assert_int_equal(dmp_iommu_paging_domain_alloc(r.dev, &d), 0);
	dmp_phys_t pa;
	assert_int_equal(dmp_page_alloc(0, DMP_GFP_KERNEL, DMP_PHYS_ANY, &pa), 0);
	assert_int_equal(dmp_iommu_map(d, 0x100000, pa, 4096, DMP_IOMMU_READ, DMP_GFP_KERNEL), 0);
	assert_int_equal(dmp_iommu_map(d, 0x300000, pa, 4096, DMP_IOMMU_READ, DMP_GFP_KERNEL), 0);
	vmodel.fail_request = VFIO_IOMMU_MAP_DMA;
	vmodel.fail_nth = 2;
	vmodel.fail_errno = ENOMEM;
	assert_int_equal(dmp_iommu_attach_device(d, r.dev), -ENOMEM);
	assert_int_equal(vmodel.nr_maps, 1);
	assert_non_null(vfio_model_map_at(da));
	assert_ptr_not_equal(dmp_iommu_get_domain_for_dev(r.dev), d);
	dmp_iommu_domain_free(d);
	dmp_page_free(pa, 0);
	vmodel.fail_nth = 0;
	dmp_unmap_single(r.dev, da, 64, DMP_TO_DEVICE);
	assert_int_equal(vmodel.nr_maps, 0);
	dmp_kfree(a);
	dmp_kfree(b);
	rig_down(&r);
}

static void test_pci_regions_irqs(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_VFIO_STRICT);
	dmp_phys_t bar;
	size_t size;
	assert_int_equal(dmp_vfio_pci_bar(r.pci, 0, &bar, &size), 0);
	assert_int_equal(bar, BAR0_ADDR);
	assert_int_equal(size, BAR0_SIZE);
	assert_int_equal(dmp_vfio_pci_bar(r.pci, 1, &bar, &size), -EINVAL);
	uint32_t id;
	assert_int_equal(dmp_vfio_pci_config_read(r.pci, 0, 4, &id), 0);
	assert_int_equal(id, 0x11e81234);
	assert_int_equal(dmp_vfio_pci_config_read(r.pci, 255, 2, &id), -EINVAL);
	assert_int_equal(dmp_vfio_pci_set_master(r.pci, true), 0);
	assert_int_equal(vmodel.config[4] & 4, 4);

	/* a BAR through the DMA API's MMIO: dmp_ioremap of its bus address */
	void *regs;
	assert_int_equal(dmp_ioremap(BAR0_ADDR + 0x80, 16, &regs), 0);
	assert_non_null(vmodel.bar);
	dmp_writel(0xdeadbeef, (uint8_t *)regs + 8);
	uint32_t w;
	memcpy(&w, (uint8_t *)vmodel.bar + 0x88, 4);
	assert_int_equal(w, 0xdeadbeef);
	assert_int_equal(dmp_readl((uint8_t *)regs + 8), 0xdeadbeef);
	dmp_iounmap(regs);
	assert_null(vmodel.bar);
	assert_int_equal(dmp_ioremap(BAR0_ADDR + BAR0_SIZE - 4, 8, &regs), -ENODEV);
	assert_int_equal(dmp_ioremap(0x1000, 4, &regs), -ENODEV);

	/* MSI on an eventfd: the model "fires" it by writing the eventfd */
	assert_int_equal(dmp_vfio_pci_irq_enable(r.pci, DMP_VFIO_IRQ_MSIX, 1), -ENODEV);
	assert_int_equal(dmp_vfio_pci_irq_enable(r.pci, DMP_VFIO_IRQ_MSI, 2), -EINVAL);
	assert_int_equal(dmp_vfio_pci_irq_enable(r.pci, DMP_VFIO_IRQ_MSI, 1), 0);
	assert_int_equal(vmodel.irq_index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(dmp_vfio_pci_irq_fd(r.pci, 0), vmodel.irq_fd);
	assert_int_equal(dmp_vfio_pci_irq_wait(r.pci, 0, 1000000), -ETIMEDOUT);
	uint64_t one = 1;
	assert_int_equal(write(vmodel.irq_fd, &one, 8), 8);
	assert_int_equal(write(vmodel.irq_fd, &one, 8), 8);
	assert_int_equal(dmp_vfio_pci_irq_wait(r.pci, 0, 1000000), 2);
	assert_int_equal(dmp_vfio_pci_irq_wait(r.pci, 1, 1000000), -EINVAL);
	assert_int_equal(dmp_vfio_pci_irq_unmask(r.pci), -EINVAL); /* not INTx */
	dmp_vfio_pci_irq_disable(r.pci);
	assert_int_equal(vmodel.irq_index, -1);
	rig_down(&r);
	assert_int_equal(vmodel.config[4] & 4, 0); /* closing turned bus mastering off */
}

/*
 * Coherence as Linux decides it: no device tree - coherent (x86, ACPI); the
 * host bridge's node with dma-coherent - coherent; without - not, and then
 * no coherent allocations (user space cannot make memory uncached) while
 * streaming mappings work with cache maintenance.  The configuration wins.
 */
static void test_coherence(void **state)
{
	(void)state;
	static const struct {
		int dt;
		enum dmp_vfio_coherence cfg;
		bool coherent;
	} cases[] = {
		{ -1, DMP_VFIO_COHERENCE_AUTO, true },  { 1, DMP_VFIO_COHERENCE_AUTO, true },
		{ 0, DMP_VFIO_COHERENCE_AUTO, false },  { 0, DMP_VFIO_COHERENT, true },
		{ -1, DMP_VFIO_NONCOHERENT, false },
	};
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vmodel.dt = cases[i].dt;
		struct dmp_vfio_config cfg = { .coherence = cases[i].cfg, .mem_size = 4 << 20 };
		struct dmp_vfio *v;
		struct dmp_vfio_pci *pci;
		assert_int_equal(dmp_vfio_open(&cfg, &v), 0);
		assert_int_equal(dmp_vfio_pci_open(v, BDF, &pci), 0);
		struct dmp_device *dev = dmp_vfio_pci_device(pci);
		assert_int_equal(dev->dma_coherent, cases[i].coherent);
		dmp_addr_t h;
		void *p = dmp_alloc_attrs(dev, 4096, &h, DMP_GFP_KERNEL, DMP_ATTR_NO_WARN);
		assert_int_equal(p != NULL, cases[i].coherent);
		if (p)
			dmp_free_coherent(dev, 4096, p, h);
		uint8_t *b = dmp_kmalloc(100, DMP_GFP_KERNEL);
		dmp_addr_t d = dmp_map_single(dev, b, 100, DMP_FROM_DEVICE);
		assert_false(dmp_mapping_error(dev, d));
		dmp_unmap_single(dev, d, 100, DMP_FROM_DEVICE);
		dmp_kfree(b);
		dmp_vfio_pci_close(pci);
		assert_int_equal(dmp_vfio_close(v), 0);
	}
	struct dmp_vfio_config bad = { .coherence = 9 };
	struct dmp_vfio *v;
	assert_int_equal(dmp_vfio_open(&bad, &v), -EINVAL);
}

/* The checker on this platform: a double unmap is reported and reaches no ioctl. */
static void test_checker_double_unmap(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_VFIO_STRICT);
	dmp_debug_reset();
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	uint8_t *a = dmp_kmalloc(64, DMP_GFP_KERNEL);
	dmp_addr_t da = dmp_map_single(r.dev, a, 64, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(r.dev, da));
	dmp_unmap_single(r.dev, da, 64, DMP_TO_DEVICE);
	unsigned long calls = vmodel.unmap_calls;
	dmp_unmap_single(r.dev, da, 64, DMP_TO_DEVICE);
	assert_int_equal(dmp_debug_count(DMP_DEBUG_FREE_UNKNOWN), 1);
	assert_int_equal(vmodel.unmap_calls, calls);
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_debug_reset();
	dmp_kfree(a);
	rig_down(&r);
}

/*
 * Random maps and unmaps (single and sg, every direction, sizes from 1 byte
 * to 5 pages) against the model: after every step the container holds
 * exactly one mapping per live page range, at the right process address,
 * with the direction's permissions, below the mask.
 */
struct live {
	void *buf[3];
	size_t len[3];
	struct dmp_scatterlist sg[3];
	int nents; /* 0: a single mapping of buf[0] */
	dmp_addr_t dma;
	enum dmp_data_direction dir;
};

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static size_t pages_of(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;
	return ((a + len + 4095) & ~(uintptr_t)4095) / 4096 - a / 4096;
}

static void check_against_model(struct live *l, int n)
{
	size_t want = 0;
	for (int i = 0; i < n; i++) {
		int segs = l[i].nents ? l[i].nents : 1;
		uint32_t flags = l[i].dir == DMP_TO_DEVICE ? VFIO_DMA_MAP_FLAG_READ
				 : l[i].dir == DMP_FROM_DEVICE ? VFIO_DMA_MAP_FLAG_WRITE
				 : VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
		dmp_addr_t at = l[i].dma & ~0xfffull;
		for (int s = 0; s < segs; s++) {
			const struct kmap *m = vfio_model_map_at(at);
			assert_non_null(m);
			assert_int_equal(m->iova, at);
			assert_int_equal(m->vaddr, (uintptr_t)l[i].buf[s] & ~(uintptr_t)4095);
			assert_int_equal(m->size, pages_of(l[i].buf[s], l[i].len[s]) * 4096);
			assert_int_equal(m->flags, flags);
			assert_true(m->iova + m->size - 1 <= DMP_BIT_MASK(28));
			at += m->size;
			want++;
		}
	}
	assert_int_equal(vmodel.nr_maps, want);
}

static void test_random_against_model(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, DMP_VFIO_STRICT);
	enum { SLOTS = 24, STEPS = 1500 };
	static struct live l[SLOTS];
	int n = 0;
	uint64_t seed = 17;
	for (int step = 0; step < STEPS; step++) {
		if (n < SLOTS && (n == 0 || rnd(&seed) % 3)) {
			struct live *x = &l[n];
			memset(x, 0, sizeof(*x));
			x->dir = (enum dmp_data_direction)(rnd(&seed) % 3);
			x->nents = rnd(&seed) % 2 ? 0 : 1 + (int)(rnd(&seed) % 3);
			int segs = x->nents ? x->nents : 1;
			for (int s = 0; s < segs; s++) {
				x->len[s] = 1 + rnd(&seed) % (5 * 4096);
				x->buf[s] = dmp_kmalloc(x->len[s], DMP_GFP_KERNEL);
				assert_non_null(x->buf[s]);
			}
			if (x->nents) {
				dmp_sg_init_table(x->sg, (unsigned int)x->nents);
				for (int s = 0; s < x->nents; s++)
					dmp_sg_set_buf(&x->sg[s], x->buf[s], (unsigned int)x->len[s]);
				assert_true(dmp_map_sg(r.dev, x->sg, x->nents, x->dir) >= 1);
				x->dma = x->sg[0].dma_address;
			} else {
				x->dma = dmp_map_single(r.dev, x->buf[0], x->len[0], x->dir);
				assert_false(dmp_mapping_error(r.dev, x->dma));
			}
			n++;
		} else {
			int i = (int)(rnd(&seed) % (uint32_t)n);
			struct live *x = &l[i];
			if (x->nents)
				dmp_unmap_sg(r.dev, x->sg, x->nents, x->dir);
			else
				dmp_unmap_single(r.dev, x->dma, x->len[0], x->dir);
			for (int s = 0; s < 3; s++)
				dmp_kfree(x->buf[s]);
			l[i] = l[--n];
		}
		check_against_model(l, n);
	}
	while (n) {
		struct live *x = &l[--n];
		if (x->nents)
			dmp_unmap_sg(r.dev, x->sg, x->nents, x->dir);
		else
			dmp_unmap_single(r.dev, x->dma, x->len[0], x->dir);
		for (int s = 0; s < 3; s++)
			dmp_kfree(x->buf[s]);
	}
	assert_int_equal(vmodel.nr_maps, 0);
	rig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strict_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strict_sg_and_coherent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranges_holes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_premapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmanaged_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pci_regions_irqs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coherence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checker_double_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
