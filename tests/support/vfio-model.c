/* vfio-model.c - a model of the kernel's VFIO for the VFIO platform's
 * tests (vfio-model.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "platform/linux-vfio/vfio-internal.h"

#include "vfio-model.h"


struct vfio_model vmodel;

void vfio_model_reset(void)
{
	if (vmodel.bar)
		free(vmodel.bar);
	memset(&vmodel, 0, sizeof(vmodel));
	/* an x86 machine: the interrupt window is not usable as IOVA */
	vmodel.ranges[0] = (struct vfio_iova_range){ 0, 0xfedfffffull };
	vmodel.ranges[1] = (struct vfio_iova_range){ 0xfef00000ull, (1ull << 39) - 1 };
	vmodel.nr_ranges = 2;
	vmodel.pgsizes = 0x40201000ull;
	vmodel.entry_limit = MAX_MAPS;
	vmodel.irq_index = -1;
	vmodel.irq_fd = -1;
	vmodel.dt = -1;
	/* config space: edu's IDs, a 32-bit memory BAR0, MSI capability not modelled */
	vmodel.config[0] = 0x34, vmodel.config[1] = 0x12, vmodel.config[2] = 0xe8, vmodel.config[3] = 0x11;
	uint32_t bar = BAR0_ADDR;
	memcpy(&vmodel.config[0x10], &bar, 4);
}

static bool should_fail(unsigned long request)
{
	if (vmodel.fail_request != request || !vmodel.fail_nth)
		return false;
	if (--vmodel.fail_nth)
		return false;
	errno = vmodel.fail_errno;
	return true;
}

static bool in_ranges(uint64_t iova, uint64_t size)
{
	for (unsigned int i = 0; i < vmodel.nr_ranges; i++)
		if (iova >= vmodel.ranges[i].start && iova + size - 1 <= vmodel.ranges[i].end)
			return true;
	return false;
}

static int k_map(struct vfio_iommu_type1_dma_map *m)
{
	uint64_t mask = (vmodel.pgsizes & -vmodel.pgsizes) - 1;
	if (m->argsz < sizeof(*m) || !vmodel.iommu_set || !m->size ||
	    (m->flags & ~(uint32_t)(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)) ||
	    !m->flags || ((m->iova | m->vaddr | m->size) & mask) || !in_ranges(m->iova, m->size))
		return errno = EINVAL, -1;
	for (unsigned int i = 0; i < vmodel.nr_maps; i++)
		if (m->iova < vmodel.maps[i].iova + vmodel.maps[i].size && vmodel.maps[i].iova < m->iova + m->size)
			return errno = EEXIST, -1;
	if (vmodel.nr_maps == vmodel.entry_limit)
		return errno = ENOSPC, -1;
	vmodel.maps[vmodel.nr_maps++] = (struct kmap){ m->iova, m->size, m->vaddr, m->flags };
	vmodel.map_calls++;
	return 0;
}

static int k_unmap(struct vfio_iommu_type1_dma_unmap *u)
{
	if (u->argsz < sizeof(*u) || !vmodel.iommu_set || u->flags)
		return errno = EINVAL, -1;
	uint64_t start = u->iova, end = u->iova + u->size;
	/* type1v2: no mapping may straddle either end */
	for (unsigned int i = 0; i < vmodel.nr_maps; i++) {
		uint64_t a = vmodel.maps[i].iova, b = a + vmodel.maps[i].size;
		if ((a < start && b > start) || (a < end && b > end))
			return errno = EINVAL, -1;
	}
	uint64_t done = 0;
	for (unsigned int i = 0; i < vmodel.nr_maps;)
		if (vmodel.maps[i].iova >= start && vmodel.maps[i].iova < end) {
			done += vmodel.maps[i].size;
			vmodel.maps[i] = vmodel.maps[--vmodel.nr_maps];
		} else {
			i++;
		}
	u->size = done;
	vmodel.unmap_calls++;
	return 0;
}

static int k_get_info(struct vfio_iommu_type1_info *info)
{
	size_t cap = sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
		     vmodel.nr_ranges * sizeof(struct vfio_iova_range);
	if (!vmodel.iommu_set || info->argsz < sizeof(*info))
		return errno = EINVAL, -1;
	uint32_t argsz = info->argsz;
	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = vmodel.pgsizes;
	info->cap_offset = 0;
	if (argsz < sizeof(*info) + cap) {
		info->argsz = (uint32_t)(sizeof(*info) + cap); /* ask again, larger */
		return 0;
	}
	struct vfio_iommu_type1_info_cap_iova_range *r = (void *)(info + 1);
	r->header = (struct vfio_info_cap_header){ VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1, 0 };
	r->nr_iovas = vmodel.nr_ranges;
	memcpy(r->iova_ranges, vmodel.ranges, vmodel.nr_ranges * sizeof(vmodel.ranges[0]));
	info->cap_offset = sizeof(*info);
	return 0;
}

static int k_container_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case VFIO_GET_API_VERSION: return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION: return (uintptr_t)arg == VFIO_TYPE1v2_IOMMU;
	case VFIO_SET_IOMMU:
		if (!vmodel.group_in_container || vmodel.iommu_set || (uintptr_t)arg != VFIO_TYPE1v2_IOMMU)
			return errno = EINVAL, -1;
		vmodel.iommu_set = true;
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
		st->flags = (vmodel.not_viable ? 0 : VFIO_GROUP_FLAGS_VIABLE) |
			    (vmodel.group_in_container ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	}
	case VFIO_GROUP_SET_CONTAINER:
		if (vmodel.group_in_container || *(int *)arg != FD_CONTAINER)
			return errno = EINVAL, -1;
		vmodel.group_in_container = true;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		if (!vmodel.group_in_container || vmodel.device_open)
			return errno = EBUSY, -1;
		/* the last group: the container's IOMMU and its mappings go */
		vmodel.group_in_container = false;
		vmodel.iommu_set = false;
		vmodel.nr_maps = 0;
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		if (!vmodel.iommu_set || strcmp(arg, BDF) != 0)
			return errno = EINVAL, -1;
		if (vmodel.device_open)
			return errno = EBUSY, -1;
		vmodel.device_open = true;
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
			  : r->index == VFIO_PCI_CONFIG_REGION_INDEX ? sizeof(vmodel.config) : 0;
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
			memcpy(&vmodel.irq_fd, set->data, sizeof(int));
			vmodel.irq_index = (int)set->index;
			vmodel.irq_count = 1;
		} else if ((set->flags & VFIO_IRQ_SET_ACTION_TRIGGER) && set->count == 0) {
			vmodel.irq_index = -1;
			vmodel.irq_fd = -1;
			vmodel.irq_count = 0;
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
	if (strcmp(path, "/dev/vfio/vfio") == 0 && !vmodel.no_vfio)
		return FD_CONTAINER;
	if (strcmp(path, g) == 0 && !vmodel.no_vfio)
		return FD_GROUP + GROUP;
	return errno = ENOENT, -1;
}

static int m_close(int fd)
{
	if (fd == FD_DEVICE)
		vmodel.device_open = false;
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
	if (fd != FD_DEVICE || o + n > sizeof(vmodel.config))
		return errno = EINVAL, -1;
	memcpy(buf, &vmodel.config[o], n);
	return (ssize_t)n;
}

static ssize_t m_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	uint64_t o = (uint64_t)off - REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
	if (fd != FD_DEVICE || o + n > sizeof(vmodel.config))
		return errno = EINVAL, -1;
	memcpy(&vmodel.config[o], buf, n);
	return (ssize_t)n;
}

static void *m_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd != FD_DEVICE)
		return mmap(addr, len, prot, flags, fd, off);
	uint64_t o = (uint64_t)off - REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX);
	if (vmodel.bar || o + len > BAR0_SIZE || (o & 4095))
		return errno = EINVAL, MAP_FAILED;
	vmodel.bar = aligned_alloc(4096, len);
	memset(vmodel.bar, 0, len);
	return vmodel.bar;
}

static int m_munmap(void *addr, size_t len)
{
	if (addr && addr == vmodel.bar) {
		free(vmodel.bar);
		vmodel.bar = NULL;
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

/* sysfs of an arm64 machine with a device tree, when vmodel.dt >= 0 */
#define DEV_PATH "/sys/devices/platform/4010000000.pcie/pci0000:00/" BDF
#define DT_BRIDGE "/sys/firmware/devicetree/base/pcie@10000000"

static char *m_realpath(const char *path, char *out)
{
	const char *to = NULL;
	if (vmodel.dt >= 0 && strcmp(path, "/sys/bus/pci/devices/" BDF) == 0)
		to = DEV_PATH;
	else if (vmodel.dt >= 0 && strcmp(path, "/sys/devices/platform/4010000000.pcie/of_node") == 0)
		to = DT_BRIDGE;
	if (!to)
		return errno = ENOENT, NULL;
	return strcpy(out, to);
}

static int m_access(const char *path, int mode)
{
	(void)mode;
	return vmodel.dt == 1 && strcmp(path, DT_BRIDGE "/dma-coherent") == 0 ? 0 : (errno = ENOENT, -1);
}

/* No huge pages reserved on the test machine's model: the 4 KiB fallback. */
static int m_memfd_create(const char *name, unsigned int flags)
{
	if (flags & MFD_HUGETLB)
		return errno = ENOMEM, -1;
	return memfd_create(name, flags);
}

void vfio_model_install(void)
{
	vfio_model_reset();
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
const struct kmap *vfio_model_map_at(uint64_t iova)
{
	for (unsigned int i = 0; i < vmodel.nr_maps; i++)
		if (iova - vmodel.maps[i].iova < vmodel.maps[i].size)
			return &vmodel.maps[i];
	return NULL;
}

