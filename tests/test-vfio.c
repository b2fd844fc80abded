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

/* ---- the model of the kernel ------------------------------------------------------ */

#define FD_CONTAINER 1000
#define FD_GROUP 2000 /* + group number */
#define FD_DEVICE 3000
#define BDF "0000:00:02.0"
#define GROUP 7
#define BAR0_ADDR 0xfea00000u
#define BAR0_SIZE (1u << 20)
#define REGION_OFFSET(i) ((uint64_t)(i) << 40) /* vfio-pci's VFIO_PCI_INDEX_TO_OFFSET */
#define MAX_MAPS 8192

struct kmap {
	uint64_t iova, size, vaddr;
	uint32_t flags;
};

static struct kernel {
	/* configuration, set by each test before it opens the platform */
	bool no_vfio;                 /* no /dev/vfio/vfio */
	bool not_viable;
	int dt;                       /* -1 no device tree, else dma-coherent on the bridge */
	struct vfio_iova_range ranges[4];
	unsigned int nr_ranges;
	uint64_t pgsizes;
	unsigned int entry_limit;     /* dma_entry_limit */
	unsigned long fail_request;   /* ioctl request to fail ... */
	int fail_nth;                 /* ... at its nth call (1 = next) */
	int fail_errno;

	/* state */
	bool group_in_container;
	bool iommu_set;
	bool device_open;
	struct kmap maps[MAX_MAPS];
	unsigned int nr_maps;
	unsigned long map_calls, unmap_calls;
	uint8_t config[256];
	void *bar;                    /* the mmap of BAR0 */
	int irq_index, irq_count, irq_fd;
} k;

static void kernel_reset(void)
{
	if (k.bar)
		free(k.bar);
	memset(&k, 0, sizeof(k));
	/* an x86 machine: the interrupt window is not usable as IOVA */
	k.ranges[0] = (struct vfio_iova_range){ 0, 0xfedfffffull };
	k.ranges[1] = (struct vfio_iova_range){ 0xfef00000ull, (1ull << 39) - 1 };
	k.nr_ranges = 2;
	k.pgsizes = 0x40201000ull;
	k.entry_limit = MAX_MAPS;
	k.irq_index = -1;
	k.irq_fd = -1;
	k.dt = -1;
	/* config space: edu's IDs, a 32-bit memory BAR0, MSI capability not modelled */
	k.config[0] = 0x34, k.config[1] = 0x12, k.config[2] = 0xe8, k.config[3] = 0x11;
	uint32_t bar = BAR0_ADDR;
	memcpy(&k.config[0x10], &bar, 4);
}

static bool should_fail(unsigned long request)
{
	if (k.fail_request != request || !k.fail_nth)
		return false;
	if (--k.fail_nth)
		return false;
	errno = k.fail_errno;
	return true;
}

static bool in_ranges(uint64_t iova, uint64_t size)
{
	for (unsigned int i = 0; i < k.nr_ranges; i++)
		if (iova >= k.ranges[i].start && iova + size - 1 <= k.ranges[i].end)
			return true;
	return false;
}

static int k_map(struct vfio_iommu_type1_dma_map *m)
{
	uint64_t mask = (k.pgsizes & -k.pgsizes) - 1;
	if (m->argsz < sizeof(*m) || !k.iommu_set || !m->size ||
	    (m->flags & ~(uint32_t)(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) ||
	    !m->flags || ((m->iova | m->vaddr | m->size) & mask) || !in_ranges(m->iova, m->size))
		return errno = EINVAL, -1;
	for (unsigned int i = 0; i < k.nr_maps; i++)
		if (m->iova < k.maps[i].iova + k.maps[i].size && k.maps[i].iova < m->iova + m->size)
			return errno = EEXIST, -1;
	if (k.nr_maps == k.entry_limit)
		return errno = ENOSPC, -1;
	k.maps[k.nr_maps++] = (struct kmap){ m->iova, m->size, m->vaddr, m->flags };
	k.map_calls++;
	return 0;
}

static int k_unmap(struct vfio_iommu_type1_dma_unmap *u)
{
	if (u->argsz < sizeof(*u) || !k.iommu_set || u->flags)
		return errno = EINVAL, -1;
	uint64_t start = u->iova, end = u->iova + u->size;
	/* type1v2: no mapping may straddle either end */
	for (unsigned int i = 0; i < k.nr_maps; i++) {
		uint64_t a = k.maps[i].iova, b = a + k.maps[i].size;
		if ((a < start && b > start) || (a < end && b > end))
			return errno = EINVAL, -1;
	}
	uint64_t done = 0;
	for (unsigned int i = 0; i < k.nr_maps;)
		if (k.maps[i].iova >= start && k.maps[i].iova < end) {
			done += k.maps[i].size;
			k.maps[i] = k.maps[--k.nr_maps];
		} else {
			i++;
		}
	u->size = done;
	k.unmap_calls++;
	return 0;
}

static int k_get_info(struct vfio_iommu_type1_info *info)
{
	size_t cap = sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
		     k.nr_ranges * sizeof(struct vfio_iova_range);
	if (!k.iommu_set || info->argsz < sizeof(*info))
		return errno = EINVAL, -1;
	uint32_t argsz = info->argsz;
	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = k.pgsizes;
	info->cap_offset = 0;
	if (argsz < sizeof(*info) + cap) {
		info->argsz = (uint32_t)(sizeof(*info) + cap); /* ask again, larger */
		return 0;
	}
	struct vfio_iommu_type1_info_cap_iova_range *r = (void *)(info + 1);
	r->header = (struct vfio_info_cap_header){ VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1, 0 };
	r->nr_iovas = k.nr_ranges;
	memcpy(r->iova_ranges, k.ranges, k.nr_ranges * sizeof(k.ranges[0]));
	info->cap_offset = sizeof(*info);
	return 0;
}

static int k_container_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case VFIO_GET_API_VERSION: return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION: return (uintptr_t)arg == VFIO_TYPE1v2_IOMMU;
	case VFIO_SET_IOMMU:
		if (!k.group_in_container || k.iommu_set || (uintptr_t)arg != VFIO_TYPE1v2_IOMMU)
			return errno = EINVAL, -1;
		k.iommu_set = true;
		return 0;
	case VFIO_IOMMU_GET_INFO: return k_get_info(arg);
	case VFIO_IOMMU_MAP_DMA: return k_map(arg);
	case VFIO_IOMMU_UNMAP_DMA: return k_unmap(arg);
	}
	return errno = ENOTTY, -1;
}

static int k_group_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status *st = arg;
		st->flags = (k.not_viable ? 0 : VFIO_GROUP_FLAGS_VIABLE) |
			    (k.group_in_container ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	}
	case VFIO_GROUP_SET_CONTAINER:
		if (k.group_in_container || *(int *)arg != FD_CONTAINER)
			return errno = EINVAL, -1;
		k.group_in_container = true;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		if (!k.group_in_container || k.device_open)
			return errno = EBUSY, -1;
		/* the last group: the container's IOMMU and its mappings go */
		k.group_in_container = false;
		k.iommu_set = false;
		k.nr_maps = 0;
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		if (!k.iommu_set || strcmp(arg, BDF) != 0)
			return errno = EINVAL, -1;
		if (k.device_open)
			return errno = EBUSY, -1;
		k.device_open = true;
		return FD_DEVICE;
	}
	return errno = ENOTTY, -1;
}

static int k_device_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *info = arg;
		info->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		info->num_regions = VFIO_PCI_NUM_REGIONS;
		info->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO: {
		struct vfio_region_info *r = arg;
		r->offset = REGION_OFFSET(r->index);
		r->size = r->index == VFIO_PCI_BAR0_REGION_INDEX ? BAR0_SIZE
			  : r->index == VFIO_PCI_CONFIG_REGION_INDEX ? sizeof(k.config) : 0;
		r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			   (r->index == VFIO_PCI_BAR0_REGION_INDEX ? VFIO_REGION_INFO_FLAG_MMAP : 0);
		return 0;
	}
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *irq = arg;
		irq->count = irq->index <= VFIO_PCI_MSI_IRQ_INDEX ? 1 : 0; /* INTx and one MSI */
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS: {
		struct vfio_irq_set *set = arg;
		if (set->flags & VFIO_IRQ_SET_DATA_EVENTFD) {
			if (set->count != 1 || set->start)
				return errno = EINVAL, -1;
			memcpy(&k.irq_fd, set->data, sizeof(int));
			k.irq_index = (int)set->index;
			k.irq_count = 1;
		} else if ((set->flags & VFIO_IRQ_SET_ACTION_TRIGGER) && set->count == 0) {
			k.irq_index = -1;
			k.irq_fd = -1;
			k.irq_count = 0;
		}
		return 0;
	}
	}
	return errno = ENOTTY, -1;
}

static int m_open(const char *path, int flags)
{
	(void)flags;
	char g[32];
	snprintf(g, sizeof(g), "/dev/vfio/%d", GROUP);
	if (strcmp(path, "/dev/vfio/vfio") == 0 && !k.no_vfio)
		return FD_CONTAINER;
	if (strcmp(path, g) == 0 && !k.no_vfio)
		return FD_GROUP + GROUP;
	return errno = ENOENT, -1;
}

static int m_close(int fd)
{
	if (fd == FD_DEVICE)
		k.device_open = false;
	if (fd >= FD_CONTAINER && fd <= FD_DEVICE)
		return 0;
	return close(fd);
}

static int m_ioctl(int fd, unsigned long req, void *arg)
{
	if (should_fail(req))
		return -1;
	if (fd == FD_CONTAINER)
		return k_container_ioctl(req, arg);
	if (fd == FD_GROUP + GROUP)
		return k_group_ioctl(req, arg);
	if (fd == FD_DEVICE)
		return k_device_ioctl(req, arg);
	return errno = EBADF, -1;
}

static ssize_t m_pread(int fd, void *buf, size_t n, off_t off)
{
	uint64_t o = (uint64_t)off - REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	if (fd != FD_DEVICE || o + n > sizeof(k.config))
		return errno = EINVAL, -1;
	memcpy(buf, &k.config[o], n);
	return (ssize_t)n;
}

static ssize_t m_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	uint64_t o = (uint64_t)off - REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	if (fd != FD_DEVICE || o + n > sizeof(k.config))
		return errno = EINVAL, -1;
	memcpy(&k.config[o], buf, n);
	return (ssize_t)n;
}

static void *m_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd != FD_DEVICE)
		return mmap(addr, len, prot, flags, fd, off);
	uint64_t o = (uint64_t)off - REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX);
	if (k.bar || o + len > BAR0_SIZE || (o & 4095))
		return errno = EINVAL, MAP_FAILED;
	k.bar = aligned_alloc(4096, len);
	memset(k.bar, 0, len);
	return k.bar;
}

static int m_munmap(void *addr, size_t len)
{
	if (addr && addr == k.bar) {
		free(k.bar);
		k.bar = NULL;
		return 0;
	}
	return munmap(addr, len);
}

static ssize_t m_readlink(const char *path, char *buf, size_t size)
{
	char want[128], link[64];
	snprintf(want, sizeof(want), "/sys/bus/pci/devices/%s/iommu_group", BDF);
	if (strcmp(path, want) != 0)
		return errno = ENOENT, -1;
	int n = snprintf(link, sizeof(link), "../../../kernel/iommu_groups/%d", GROUP);
	memcpy(buf, link, DMP_MIN((size_t)n, size));
	return DMP_MIN((ssize_t)n, (ssize_t)size);
}

/* sysfs of an arm64 machine with a device tree, when k.dt >= 0 */
#define DEV_PATH "/sys/devices/platform/4010000000.pcie/pci0000:00/" BDF
#define DT_BRIDGE "/sys/firmware/devicetree/base/pcie@10000000"

static char *m_realpath(const char *path, char *out)
{
	const char *to = NULL;
	if (k.dt >= 0 && strcmp(path, "/sys/bus/pci/devices/" BDF) == 0)
		to = DEV_PATH;
	else if (k.dt >= 0 && strcmp(path, "/sys/devices/platform/4010000000.pcie/of_node") == 0)
		to = DT_BRIDGE;
	if (!to)
		return errno = ENOENT, NULL;
	return strcpy(out, to);
}

static int m_access(const char *path, int mode)
{
	(void)mode;
	return k.dt == 1 && strcmp(path, DT_BRIDGE "/dma-coherent") == 0 ? 0 : (errno = ENOENT, -1);
}

/* No huge pages reserved on the test machine's model: the 4 KiB fallback. */
static int m_memfd_create(const char *name, unsigned int flags)
{
	if (flags & MFD_HUGETLB)
		return errno = ENOMEM, -1;
	return memfd_create(name, flags);
}

static void model_install(void)
{
	kernel_reset();
	dmp__vfio_sys.open = m_open;
	dmp__vfio_sys.close = m_close;
	dmp__vfio_sys.ioctl = m_ioctl;
	dmp__vfio_sys.pread = m_pread;
	dmp__vfio_sys.pwrite = m_pwrite;
	dmp__vfio_sys.mmap = m_mmap;
	dmp__vfio_sys.munmap = m_munmap;
	dmp__vfio_sys.readlink = m_readlink;
	dmp__vfio_sys.memfd_create = m_memfd_create;
	dmp__vfio_sys.realpath = m_realpath;
	dmp__vfio_sys.access = m_access;
}

/* The model's mapping that holds @iova, or NULL. */
static const struct kmap *kmap_at(uint64_t iova)
{
	for (unsigned int i = 0; i < k.nr_maps; i++)
		if (iova - k.maps[i].iova < k.maps[i].size)
			return &k.maps[i];
	return NULL;
}

/* ---- fixtures -------------------------------------------------------------------------- */

struct rig {
	struct dmp_vfio *v;
	struct dmp_vfio_pci *pci;
	struct dmp_device *dev;
};

static int setup(void **state)
{
	(void)state;
	model_install();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dmp__vfio_sys_reset();
	kernel_reset();
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
	assert_false(k.group_in_container);
	assert_int_equal(k.nr_maps, 0);
	assert_false(k.device_open);
	assert_null(dmp__platform.ops);
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_open_errors(void **state)
{
	(void)state;
	struct dmp_vfio *v;
	k.no_vfio = true;
	assert_int_equal(dmp_vfio_open(NULL, &v), -ENOENT);
	assert_null(dmp__platform.ops);
	k.no_vfio = false;
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
	k.not_viable = true;
	assert_int_equal(dmp_vfio_pci_open(v, BDF, &pci), -EBUSY);
	assert_false(k.group_in_container);
	k.not_viable = false;
	/* each failing call on the way leaves nothing: group out, IOMMU unset */
	static const unsigned long steps[] = { VFIO_GROUP_GET_STATUS, VFIO_GROUP_SET_CONTAINER,
					       VFIO_SET_IOMMU, VFIO_IOMMU_GET_INFO,
					       VFIO_GROUP_GET_DEVICE_FD, VFIO_DEVICE_GET_INFO,
					       VFIO_DEVICE_GET_REGION_INFO };
	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		k.fail_request = steps[i];
		k.fail_nth = 1;
		k.fail_errno = EIO;
		assert_true(dmp_vfio_pci_open(v, BDF, &pci) < 0);
		assert_false(k.group_in_container);
		assert_false(k.iommu_set);
		assert_false(k.device_open);
	}
	k.fail_nth = 0;
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
	assert_int_equal(k.nr_maps, 0); /* strict: nothing until a buffer is mapped */

	uint8_t *a = dmp_kmalloc(100, DMP_GFP_KERNEL), *b = dmp_kmalloc(5000, DMP_GFP_KERNEL);
	dmp_addr_t da = dmp_map_single(r.dev, a, 100, DMP_TO_DEVICE);
	dmp_addr_t db = dmp_map_single(r.dev, b, 5000, DMP_FROM_DEVICE);
	assert_false(dmp_mapping_error(r.dev, da));
	assert_false(dmp_mapping_error(r.dev, db));
	assert_int_equal(k.nr_maps, 2);
	const struct kmap *ka = kmap_at(da), *kb = kmap_at(db);
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
	assert_int_equal(k.nr_maps, 1);
	assert_null(kmap_at(da));
	dmp_unmap_single(r.dev, db, 5000, DMP_FROM_DEVICE);
	assert_int_equal(k.nr_maps, 0);
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
	assert_int_equal(k.nr_maps, 3); /* one VFIO mapping per entry ... */
	for (int i = 0; i < 3; i++) {   /* ... each at its buffer */
		const struct kmap *m = kmap_at(sg[0].dma_address + (dmp_addr_t)i * 4096);
		assert_non_null(m);
		assert_int_equal(m->vaddr, (uintptr_t)buf[i] & ~0xfffull);
		assert_int_equal(m->flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	}
	unsigned long calls = k.unmap_calls;
	dmp_unmap_sg(r.dev, sg, 3, DMP_BIDIRECTIONAL);
	/* ... and one unmap covering the three whole mappings (type1v2 allows it) */
	assert_int_equal(k.unmap_calls, calls + 1);
	assert_int_equal(k.nr_maps, 0);
	for (int i = 0; i < 3; i++)
		dmp_kfree(buf[i]);

	dmp_addr_t h;
	void *p = dmp_alloc_coherent(r.dev, 3 * 4096, &h, DMP_GFP_KERNEL);
	assert_non_null(p);
	const struct kmap *m = kmap_at(h);
	assert_non_null(m);
	assert_int_equal(m->vaddr, (uintptr_t)p);
	assert_int_equal(m->size, 3 * 4096);
	assert_true(h + 3 * 4096 - 1 <= DMP_BIT_MASK(28));
	dmp_free_coherent(r.dev, 3 * 4096, p, h);
	assert_int_equal(k.nr_maps, 0);
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
	k.ranges[0] = (struct vfio_iova_range){ 0x1000, 0xffdfffffull };
	k.ranges[1] = (struct vfio_iova_range){ 0xfff00000ull, (1ull << 39) - 1 };
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
	assert_int_equal(k.nr_maps, N);
	for (int i = 0; i < N; i++) {
		dmp_unmap_single(r.dev, dma[i], 4096, DMP_TO_DEVICE);
		dmp_kfree(buf[i]);
	}
	assert_int_equal(k.nr_maps, 0);
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
	assert_int_equal(k.nr_maps, 1);
	assert_int_equal(k.maps[0].iova, 16 << 20);
	assert_int_equal(k.maps[0].size, 16 << 20);
	assert_int_equal(k.maps[0].flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	unsigned long calls = k.map_calls;
	uint8_t *a = dmp_kmalloc(300, DMP_GFP_KERNEL);
	dmp_addr_t da = dmp_map_single(r.dev, a, 300, DMP_TO_DEVICE);
	dmp_phys_t pa;
	assert_int_equal(dmp_virt_to_phys(a, &pa), 0);
	assert_int_equal(da, pa); /* bus address = physical address = IOVA */
	assert_int_equal(kmap_at(da)->vaddr + (da - kmap_at(da)->iova), (uintptr_t)a);
	dmp_unmap_single(r.dev, da, 300, DMP_TO_DEVICE);
	assert_int_equal(k.map_calls, calls); /* no ioctl per mapping */
	assert_int_equal(k.nr_maps, 1);
	dmp_kfree(a);
	rig_down(&r);

	/* memory where the IOMMU cannot put it: refused when the device opens */
	struct dmp_vfio_config cfg = { .mode = DMP_VFIO_PREMAPPED, .mem_size = 4 << 20,
				       .mem_base = 0xfec00000ull };
	struct dmp_vfio_pci *pci;
	assert_int_equal(dmp_vfio_open(&cfg, &r.v), 0);
	assert_int_equal(dmp_vfio_pci_open(r.v, BDF, &pci), -ERANGE);
	assert_false(k.group_in_container);
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
	assert_int_equal(k.nr_maps, 1);

	struct dmp_iommu_domain *d;
	assert_int_equal(dmp_iommu_paging_domain_alloc(r.dev, &d), 0);
	dmp_phys_t pa;
	assert_int_equal(dmp_page_alloc(1, DMP_GFP_KERNEL, DMP_PHYS_ANY, &pa), 0);
	assert_int_equal(dmp_iommu_map(d, 0x100000, pa, 8192, DMP_IOMMU_READ, DMP_GFP_KERNEL), 0);
	assert_int_equal(dmp_iommu_map(d, 0x101000, pa, 4096, DMP_IOMMU_READ, DMP_GFP_KERNEL),
			 -EEXIST);
	assert_int_equal(k.nr_maps, 1); /* not attached: not in the container */
	dmp_phys_t back;
	assert_int_equal(dmp_iommu_iova_to_phys(d, 0x101234, &back), 0);
	assert_int_equal(back, pa + 0x1234);

	assert_int_equal(dmp_iommu_attach_device(d, r.dev), 0);
	assert_int_equal(k.nr_maps, 1);
	assert_int_equal(k.maps[0].iova, 0x100000);
	assert_int_equal(k.maps[0].vaddr, (uintptr_t)dmp_phys_to_virt(pa));
	/* half of the 8 KiB mapping: type1v2 cannot, so nothing happens */
	assert_int_equal(dmp_iommu_unmap(d, 0x101000, 4096), 0);
	assert_int_equal(dmp_iommu_unmap(d, 0x100000, 4096), 0);
	assert_int_equal(k.nr_maps, 1);
	/* a map while attached goes straight in */
	assert_int_equal(dmp_iommu_map(d, 0x200000, pa, 4096, DMP_IOMMU_WRITE, DMP_GFP_KERNEL), 0);
	assert_int_equal(k.nr_maps, 2);
	/* a range over both, with a hole between: as Linux, stops at the hole */
	assert_int_equal(dmp_iommu_unmap(d, 0x100000, 0x200000), 8192);
	assert_int_equal(k.nr_maps, 1);
	assert_non_null(kmap_at(0x200000));

	dmp_iommu_detach_device(d, r.dev);
	assert_int_equal(k.nr_maps, 1);
	assert_non_null(kmap_at(da)); /* the default domain's mapping is back */
	assert_null(kmap_at(0x200000));
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
	struct rig r;
	rig_up(&r, DMP_VFIO_STRICT);
	uint8_t *a = dmp_kmalloc(64, DMP_GFP_KERNEL);
	k.fail_request = VFIO_IOMMU_MAP_DMA;
	k.fail_nth = 1;
	k.fail_errno = EFAULT; /* pinning failed */
	dmp_addr_t da = dmp_map_single_attrs(r.dev, a, 64, DMP_TO_DEVICE, DMP_ATTR_NO_WARN);
	assert_true(dmp_mapping_error(r.dev, da));
	assert_int_equal(k.nr_maps, 0);
	/* the container's entry limit */
	k.entry_limit = 1;
	da = dmp_map_single(r.dev, a, 64, DMP_TO_DEVICE);
	assert_false(dmp_mapping_error(r.dev, da));
	uint8_t *b = dmp_kmalloc(64, DMP_GFP_KERNEL);
	dmp_addr_t db = dmp_map_single_attrs(r.dev, b, 64, DMP_TO_DEVICE, DMP_ATTR_NO_WARN);
	assert_true(dmp_mapping_error(r.dev, db));
	k.entry_limit = MAX_MAPS;
	/* an unmap the kernel refuses: the record keeps the mapping as the kernel does */
	k.fail_request = VFIO_IOMMU_UNMAP_DMA;
	k.fail_nth = 1;
	k.fail_errno = EINVAL;
	dmp_unmap_single(r.dev, da, 64, DMP_TO_DEVICE);
	assert_int_equal(k.nr_maps, 1);
	dmp_phys_t phys;
	assert_int_equal(dmp_iommu_iova_to_phys(dmp_iommu_get_domain_for_dev(r.dev), da, &phys), 0);
	k.fail_nth = 0;

	/* a domain switch that fails half-way puts the old contents back */
	struct dmp_iommu_domain *d;
	assert_int_equal(dmp_iommu_paging_domain_alloc(r.dev, &d), 0);
	dmp_phys_t pa;
	assert_int_equal(dmp_page_alloc(0, DMP_GFP_KERNEL, DMP_PHYS_ANY, &pa), 0);
	assert_int_equal(dmp_iommu_map(d, 0x100000, pa, 4096, DMP_IOMMU_READ, DMP_GFP_KERNEL), 0);
	assert_int_equal(dmp_iommu_map(d, 0x300000, pa, 4096, DMP_IOMMU_READ, DMP_GFP_KERNEL), 0);
	k.fail_request = VFIO_IOMMU_MAP_DMA;
	k.fail_nth = 2;
	k.fail_errno = ENOMEM;
	assert_int_equal(dmp_iommu_attach_device(d, r.dev), -ENOMEM);
	assert_int_equal(k.nr_maps, 1);
	assert_non_null(kmap_at(da));
	assert_ptr_not_equal(dmp_iommu_get_domain_for_dev(r.dev), d);
	dmp_iommu_domain_free(d);
	dmp_page_free(pa, 0);
	k.fail_nth = 0;
	dmp_unmap_single(r.dev, da, 64, DMP_TO_DEVICE);
	assert_int_equal(k.nr_maps, 0);
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
	assert_int_equal(k.config[4] & 4, 4);

	/* a BAR through the DMA API's MMIO: dmp_ioremap of its bus address */
	void *regs;
	assert_int_equal(dmp_ioremap(BAR0_ADDR + 0x80, 16, &regs), 0);
	assert_non_null(k.bar);
	dmp_writel(0xdeadbeef, (uint8_t *)regs + 8);
	uint32_t w;
	memcpy(&w, (uint8_t *)k.bar + 0x88, 4);
	assert_int_equal(w, 0xdeadbeef);
	assert_int_equal(dmp_readl((uint8_t *)regs + 8), 0xdeadbeef);
	dmp_iounmap(regs);
	assert_null(k.bar);
	assert_int_equal(dmp_ioremap(BAR0_ADDR + BAR0_SIZE - 4, 8, &regs), -ENODEV);
	assert_int_equal(dmp_ioremap(0x1000, 4, &regs), -ENODEV);

	/* MSI on an eventfd: the model "fires" it by writing the eventfd */
	assert_int_equal(dmp_vfio_pci_irq_enable(r.pci, DMP_VFIO_IRQ_MSIX, 1), -ENODEV);
	assert_int_equal(dmp_vfio_pci_irq_enable(r.pci, DMP_VFIO_IRQ_MSI, 2), -EINVAL);
	assert_int_equal(dmp_vfio_pci_irq_enable(r.pci, DMP_VFIO_IRQ_MSI, 1), 0);
	assert_int_equal(k.irq_index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(dmp_vfio_pci_irq_fd(r.pci, 0), k.irq_fd);
	assert_int_equal(dmp_vfio_pci_irq_wait(r.pci, 0, 1000000), -ETIMEDOUT);
	uint64_t one = 1;
	assert_int_equal(write(k.irq_fd, &one, 8), 8);
	assert_int_equal(write(k.irq_fd, &one, 8), 8);
	assert_int_equal(dmp_vfio_pci_irq_wait(r.pci, 0, 1000000), 2);
	assert_int_equal(dmp_vfio_pci_irq_wait(r.pci, 1, 1000000), -EINVAL);
	assert_int_equal(dmp_vfio_pci_irq_unmask(r.pci), -EINVAL); /* not INTx */
	dmp_vfio_pci_irq_disable(r.pci);
	assert_int_equal(k.irq_index, -1);
	rig_down(&r);
	assert_int_equal(k.config[4] & 4, 0); /* closing turned bus mastering off */
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
		k.dt = cases[i].dt;
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
	unsigned long calls = k.unmap_calls;
	dmp_unmap_single(r.dev, da, 64, DMP_TO_DEVICE);
	assert_int_equal(dmp_debug_count(DMP_DEBUG_FREE_UNKNOWN), 1);
	assert_int_equal(k.unmap_calls, calls);
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
			const struct kmap *m = kmap_at(at);
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
	assert_int_equal(k.nr_maps, want);
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
	assert_int_equal(k.nr_maps, 0);
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
