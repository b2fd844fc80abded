/* SPDX-License-Identifier: MIT */
/*
 * pci.c - PCI functions through vfio-pci (Documentation/driver-api/vfio.rst):
 * the group and the container, the device's regions, config space, BARs as
 * dmaport MMIO, bus mastering, interrupts on eventfds.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include <dmaport/dma-mapping.h>

#include "vfio-internal.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4
#define PCI_BASE_ADDRESS_0 0x10

struct dmp_vfio_pci *dmp__vfio_pci_find(struct dmp_vfio *v, uint32_t rid)
{
	struct dmp_vfio_pci *pci = v->devices;
	while (pci && pci->rid != rid)
		pci = pci->next;
	return pci;
}

/* ---- groups ------------------------------------------------------------------------ */

/* The IOMMU group of @bdf, from sysfs: no group means no IOMMU (or no driver
 * that needs one: vfio-pci takes only devices that have a group). */
static int read_group(const char *bdf, int *nr)
{
	char path[128], link[256];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	ssize_t n = dmp__vfio_sys.readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return errno == EACCES ? -EACCES : -ENOENT;
	link[n] = 0;
	const char *base = strrchr(link, '/');
	char *end;
	long g = strtol(base ? base + 1 : link, &end, 10);
	if (*end || g < 0 || g > 0xffffff)
		return -ENOENT;
	*nr = (int)g;
	return 0;
}

static void container_reset(struct dmp_vfio *v)
{
	/* the kernel let the container's IOMMU go with its last group */
	v->iommu_set = false;
	v->pgsizes = 0;
	v->nr_ranges = 0;
	v->iommu.nr_resv = v->nr_resv_base;
}

/* Open group @nr (or take another reference) and put it in the container.
 * Under v->lock. */
static int group_get(struct dmp_vfio *v, int nr, struct dmp__vfio_group **out)
{
	for (struct dmp__vfio_group *g = v->groups; g; g = g->next)
		if (g->nr == nr) {
			g->refs++;
			*out = g;
			return 0;
		}
	struct dmp__vfio_group *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	char path[32];
	snprintf(path, sizeof(path), "/dev/vfio/%d", nr);
	int err;
	g->nr = nr;
	g->refs = 1;
	g->fd = dmp__vfio_sys.open(path, O_RDWR);
	if (g->fd < 0) {
		err = dmp__vfio_err(errno); /* EBUSY: another process has it */
		goto fail_free;
	}
	struct vfio_group_status status = { .argsz = sizeof(status) };
	if (dmp__vfio_sys.ioctl(g->fd, VFIO_GROUP_GET_STATUS, &status) < 0) {
		err = -EIO;
		goto fail_close;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		dmp_log("dmaport: vfio: group %d is not viable: bind every device in it to "
			 "vfio-pci (or no driver)", nr);
		err = -EBUSY;
		goto fail_close;
	}
	if (dmp__vfio_sys.ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &v->container) < 0) {
		err = dmp__vfio_err(errno);
		goto fail_close;
	}
	if (!v->iommu_set) {
		err = dmp__vfio_container_setup(v);
		if (err)
			goto fail_unset;
		v->iommu_set = true;
	}
	g->next = v->groups;
	v->groups = g;
	*out = g;
	return 0;

fail_unset:
	dmp__vfio_sys.ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
	container_reset(v);
fail_close:
	dmp__vfio_sys.close(g->fd);
fail_free:
	free(g);
	return err;
}

static void group_put(struct dmp_vfio *v, struct dmp__vfio_group *g)
{
	if (--g->refs)
		return;
	for (struct dmp__vfio_group **pp = &v->groups; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	dmp__vfio_sys.ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
	dmp__vfio_sys.close(g->fd);
	free(g);
	if (!v->groups)
		container_reset(v);
}

/* ---- the device ------------------------------------------------------------------------ */

static int region_info(struct dmp_vfio_pci *pci, unsigned int index, struct dmp__vfio_region *r)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };
	if (dmp__vfio_sys.ioctl(pci->fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0)
		return -EIO;
	*r = (struct dmp__vfio_region){ info.offset, info.size, info.flags };
	return 0;
}

int dmp_vfio_pci_config_read(struct dmp_vfio_pci *pci, unsigned int off, unsigned int width,
			     uint32_t *val)
{
	uint8_t b[4];
	if (!pci || !val || (width != 1 && width != 2 && width != 4) ||
	    off + width > pci->config.size)
		return -EINVAL;
	if (dmp__vfio_sys.pread(pci->fd, b, width, (off_t)(pci->config.offset + off)) !=
	    (ssize_t)width)
		return -EIO;
	uint32_t x = 0;
	for (unsigned int i = 0; i < width; i++)
		x |= (uint32_t)b[i] << (8 * i); /* PCI is little endian */
	*val = x;
	return 0;
}

int dmp_vfio_pci_config_write(struct dmp_vfio_pci *pci, unsigned int off, unsigned int width,
			      uint32_t val)
{
	uint8_t b[4];
	if (!pci || (width != 1 && width != 2 && width != 4) || off + width > pci->config.size)
		return -EINVAL;
	for (unsigned int i = 0; i < width; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	if (dmp__vfio_sys.pwrite(pci->fd, b, width, (off_t)(pci->config.offset + off)) !=
	    (ssize_t)width)
		return -EIO;
	return 0;
}

/* The BARs' bus addresses, from config space: what the platform's
 * ioremap() is given, as a driver on bare metal gives the BAR's address. */
static void read_bar_addresses(struct dmp_vfio_pci *pci)
{
	for (unsigned int i = 0; i < DMP__VFIO_NR_BARS; i++) {
		uint32_t lo, hi = 0;
		if (dmp_vfio_pci_config_read(pci, PCI_BASE_ADDRESS_0 + 4 * i, 4, &lo))
			return;
		if (lo & 1)
			continue; /* I/O space */
		bool is64 = ((lo >> 1) & 3) == 2;
		if (is64 && i + 1 < DMP__VFIO_NR_BARS &&
		    dmp_vfio_pci_config_read(pci, PCI_BASE_ADDRESS_0 + 4 * (i + 1), 4, &hi))
			return;
		if (pci->bar[i].size)
			pci->bar_addr[i] = ((uint64_t)hi << 32) | (lo & ~0xfu);
		if (is64)
			i++;
	}
}

static int device_open(struct dmp_vfio_pci *pci)
{
	pci->fd = dmp__vfio_sys.ioctl(pci->group->fd, VFIO_GROUP_GET_DEVICE_FD, pci->bdf);
	if (pci->fd < 0)
		return dmp__vfio_err(errno);
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int err = -ENODEV;
	if (dmp__vfio_sys.ioctl(pci->fd, VFIO_DEVICE_GET_INFO, &info) < 0 ||
	    !(info.flags & VFIO_DEVICE_FLAGS_PCI) || info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		goto fail;
	err = -EIO;
	for (unsigned int i = 0; i < DMP__VFIO_NR_BARS; i++)
		if (region_info(pci, VFIO_PCI_BAR0_REGION_INDEX + i, &pci->bar[i]))
			goto fail;
	if (region_info(pci, VFIO_PCI_CONFIG_REGION_INDEX, &pci->config))
		goto fail;
	read_bar_addresses(pci);
	return 0;

fail:
	dmp__vfio_sys.close(pci->fd);
	return err;
}

/*
 * What the device tree says of @bdf's DMA (Linux's of_dma_is_coherent): the
 * first sysfs ancestor with a device-tree node (the PCI host bridge), then
 * that node and its parents, for dma-coherent or dma-noncoherent.  Returns
 * 1 coherent, 0 not (a device-tree node with neither: Linux's default on
 * arm64), -1 no device tree.
 */
static int dt_coherence(const char *bdf)
{
	char dev[PATH_MAX], node[PATH_MAX], path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	if (!dmp__vfio_sys.realpath(path, dev))
		return -1;
	for (char *slash; (slash = strrchr(dev, '/')) && slash != dev; *slash = 0) {
		snprintf(path, sizeof(path), "%s/of_node", dev);
		if (!dmp__vfio_sys.realpath(path, node))
			continue;
		for (char *up; (up = strrchr(node, '/')) && strstr(node, "/devicetree/base");
		     *up = 0) {
			snprintf(path, sizeof(path), "%s/dma-coherent", node);
			if (dmp__vfio_sys.access(path, F_OK) == 0)
				return 1;
			snprintf(path, sizeof(path), "%s/dma-noncoherent", node);
			if (dmp__vfio_sys.access(path, F_OK) == 0)
				return 0;
		}
		return 0;
	}
	return -1;
}

static bool dma_coherent(const struct dmp_vfio *v, const char *bdf)
{
	if (v->coherence != DMP_VFIO_COHERENCE_AUTO)
		return v->coherence == DMP_VFIO_COHERENT;
	int dt = dt_coherence(bdf);
	return dt < 0 ? dmp__vfio_arch_dma_coherent() : dt == 1;
}

static int parse_bdf(const char *bdf, struct dmp_vfio_pci *pci)
{
	unsigned int dom, bus, dev, fn;
	char extra;
	if (sscanf(bdf, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &extra) != 4 || dom > 0xffff ||
	    bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(pci->bdf, sizeof(pci->bdf), "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	pci->rid = dom << 16 | bus << 8 | dev << 3 | fn;
	return 0;
}

int dmp_vfio_pci_open(struct dmp_vfio *v, const char *bdf, struct dmp_vfio_pci **out)
{
	if (!v || !bdf || !out)
		return -EINVAL;
	struct dmp_vfio_pci *pci = calloc(1, sizeof(*pci));
	if (!pci)
		return -ENOMEM;
	pci->v = v;
	pci->irq_type = -1;
	int err = parse_bdf(bdf, pci);
	if (err)
		goto fail_free;
	int group;
	err = read_group(pci->bdf, &group);
	if (err)
		goto fail_free;

	pthread_mutex_lock(&v->lock);
	if (dmp__vfio_pci_find(v, pci->rid)) {
		err = -EBUSY;
		goto fail_unlock;
	}
	err = group_get(v, group, &pci->group);
	if (err)
		goto fail_unlock;
	err = device_open(pci);
	if (err)
		goto fail_group;
	pci->next = v->devices;
	v->devices = pci;
	pthread_mutex_unlock(&v->lock);

	/* Linux's defaults for a PCI device: 32-bit masks until the driver
	 * says more (or less) */
	dmp_device_init(&pci->dev, pci->bdf);
	dmp_device_set_coherent(&pci->dev, dma_coherent(v, pci->bdf));
	err = dmp_iommu_probe_device(&pci->dev, &v->iommu, &pci->rid, 1);
	if (err) {
		pthread_mutex_lock(&v->lock);
		for (struct dmp_vfio_pci **pp = &v->devices; *pp; pp = &(*pp)->next)
			if (*pp == pci) {
				*pp = pci->next;
				break;
			}
		dmp__vfio_sys.close(pci->fd);
		goto fail_group;
	}
	*out = pci;
	return 0;

fail_group:
	group_put(v, pci->group);
fail_unlock:
	pthread_mutex_unlock(&v->lock);
fail_free:
	free(pci);
	return err;
}

void dmp_vfio_pci_close(struct dmp_vfio_pci *pci)
{
	if (!pci)
		return;
	struct dmp_vfio *v = pci->v;
	dmp_vfio_pci_irq_disable(pci);
	dmp_vfio_pci_set_master(pci, false);
	/* the checker lists what the driver left mapped, while the IOMMU
	 * layer can still tell */
	dmp_device_remove(&pci->dev);
	dmp_iommu_release_device(&pci->dev);
	pthread_mutex_lock(&v->lock);
	for (struct dmp_vfio_pci **pp = &v->devices; *pp; pp = &(*pp)->next)
		if (*pp == pci) {
			*pp = pci->next;
			break;
		}
	for (unsigned int i = 0; i < DMP__VFIO_MAX_IOREMAPS; i++)
		if (pci->ioremaps[i].va)
			dmp__vfio_sys.munmap(pci->ioremaps[i].va, pci->ioremaps[i].len);
	dmp__vfio_sys.close(pci->fd);
	group_put(v, pci->group);
	pthread_mutex_unlock(&v->lock);
	free(pci);
}

struct dmp_device *dmp_vfio_pci_device(struct dmp_vfio_pci *pci)
{
	return pci ? &pci->dev : NULL;
}

int dmp_vfio_pci_bar(struct dmp_vfio_pci *pci, unsigned int bar, dmp_phys_t *phys, size_t *size)
{
	if (!pci || bar >= DMP__VFIO_NR_BARS || !pci->bar[bar].size)
		return -EINVAL;
	if (!pci->bar_addr[bar] || !(pci->bar[bar].flags & VFIO_REGION_INFO_FLAG_MMAP))
		return -ENODEV;
	if (phys)
		*phys = pci->bar_addr[bar];
	if (size)
		*size = (size_t)pci->bar[bar].size;
	return 0;
}

int dmp_vfio_pci_set_master(struct dmp_vfio_pci *pci, bool on)
{
	uint32_t cmd;
	int err = dmp_vfio_pci_config_read(pci, PCI_COMMAND, 2, &cmd);
	if (err)
		return err;
	uint32_t want = on ? cmd | PCI_COMMAND_MASTER : cmd & ~(uint32_t)PCI_COMMAND_MASTER;
	return want == cmd ? 0 : dmp_vfio_pci_config_write(pci, PCI_COMMAND, 2, want);
}

/* ---- BARs as MMIO ------------------------------------------------------------------------ */

static int ioremap_bar(struct dmp_vfio_pci *pci, unsigned int bar, dmp_phys_t phys, size_t size,
		       void **va)
{
	unsigned int slot = 0;
	while (slot < DMP__VFIO_MAX_IOREMAPS && pci->ioremaps[slot].va)
		slot++;
	if (slot == DMP__VFIO_MAX_IOREMAPS)
		return -ENOMEM;
	/* mmap wants whole pages of the region */
	uint64_t off = phys - pci->bar_addr[bar];
	uint64_t first = off & ~(uint64_t)(DMP_PAGE_SIZE - 1);
	size_t len = DMP_ALIGN_UP(off + size, DMP_PAGE_SIZE) - first;
	void *p = dmp__vfio_sys.mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, pci->fd,
				     (off_t)(pci->bar[bar].offset + first));
	if (p == MAP_FAILED)
		return -ENOMEM;
	pci->ioremaps[slot].va = p;
	pci->ioremaps[slot].len = len;
	*va = (char *)p + (off - first);
	return 0;
}

int dmp__vfio_ioremap(struct dmp_vfio *v, dmp_phys_t phys, size_t size, void **va)
{
	int err = -ENODEV;
	pthread_mutex_lock(&v->lock);
	for (struct dmp_vfio_pci *pci = v->devices; pci && err == -ENODEV; pci = pci->next)
		for (unsigned int i = 0; i < DMP__VFIO_NR_BARS; i++) {
			dmp_phys_t start = pci->bar_addr[i];
			uint64_t bar_size = pci->bar[i].size;
			if (!start || phys < start || size > bar_size ||
			    phys - start > bar_size - size)
				continue;
			err = (pci->bar[i].flags & VFIO_REGION_INFO_FLAG_MMAP)
				      ? ioremap_bar(pci, i, phys, size, va)
				      : -ENODEV;
			break;
		}
	pthread_mutex_unlock(&v->lock);
	return err;
}

void dmp__vfio_iounmap(struct dmp_vfio *v, void *va)
{
	pthread_mutex_lock(&v->lock);
	for (struct dmp_vfio_pci *pci = v->devices; pci; pci = pci->next)
		for (unsigned int i = 0; i < DMP__VFIO_MAX_IOREMAPS; i++) {
			char *p = pci->ioremaps[i].va;
			if (p && (char *)va >= p && (char *)va < p + pci->ioremaps[i].len) {
				dmp__vfio_sys.munmap(p, pci->ioremaps[i].len);
				pci->ioremaps[i].va = NULL;
				goto out;
			}
		}
out:
	pthread_mutex_unlock(&v->lock);
}

/* ---- interrupts ------------------------------------------------------------------------ */

static const int irq_index[] = {
	[DMP_VFIO_IRQ_INTX] = VFIO_PCI_INTX_IRQ_INDEX,
	[DMP_VFIO_IRQ_MSI] = VFIO_PCI_MSI_IRQ_INDEX,
	[DMP_VFIO_IRQ_MSIX] = VFIO_PCI_MSIX_IRQ_INDEX,
};

/* VFIO_DEVICE_SET_IRQS on @index with @n eventfds (or none: @fds NULL). */
static int set_irqs(struct dmp_vfio_pci *pci, int index, uint32_t action, const int *fds,
		    unsigned int n)
{
	char buf[sizeof(struct vfio_irq_set) + DMP__VFIO_MAX_VECTORS * sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)(void *)buf;
	*set = (struct vfio_irq_set){
		.argsz = (uint32_t)(sizeof(*set) + (fds ? n * sizeof(int32_t) : 0)),
		.flags = (fds ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE) | action,
		.index = (uint32_t)index,
		.start = 0,
		.count = n,
	};
	if (fds)
		memcpy(set->data, fds, n * sizeof(int32_t));
	return dmp__vfio_sys.ioctl(pci->fd, VFIO_DEVICE_SET_IRQS, set) < 0 ? -EIO : 0;
}

int dmp_vfio_pci_irq_enable(struct dmp_vfio_pci *pci, enum dmp_vfio_irq_type type,
			    unsigned int nvec)
{
	if (!pci || (unsigned int)type > DMP_VFIO_IRQ_MSIX || !nvec || nvec > DMP__VFIO_MAX_VECTORS)
		return -EINVAL;
	int index = irq_index[type];
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = (uint32_t)index };
	if (dmp__vfio_sys.ioctl(pci->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0)
		return -EIO;
	if (!info.count)
		return -ENODEV;
	if (nvec > info.count)
		return -EINVAL;
	dmp_vfio_pci_irq_disable(pci);
	int fds[DMP__VFIO_MAX_VECTORS];
	unsigned int made = 0;
	int err = 0;
	for (; made < nvec; made++) {
		fds[made] = dmp__vfio_sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fds[made] < 0) {
			err = -ENOMEM;
			goto fail;
		}
	}
	err = set_irqs(pci, index, VFIO_IRQ_SET_ACTION_TRIGGER, fds, nvec);
	if (err)
		goto fail;
	pci->irq_type = index;
	pci->nvec = nvec;
	memcpy(pci->irq_fd, fds, nvec * sizeof(int));
	return 0;

fail:
	while (made--)
		dmp__vfio_sys.close(fds[made]);
	return err;
}

void dmp_vfio_pci_irq_disable(struct dmp_vfio_pci *pci)
{
	if (!pci || pci->irq_type < 0)
		return;
	set_irqs(pci, pci->irq_type, VFIO_IRQ_SET_ACTION_TRIGGER, NULL, 0);
	for (unsigned int i = 0; i < pci->nvec; i++)
		dmp__vfio_sys.close(pci->irq_fd[i]);
	pci->irq_type = -1;
	pci->nvec = 0;
}

int dmp_vfio_pci_irq_fd(struct dmp_vfio_pci *pci, unsigned int vec)
{
	if (!pci || pci->irq_type < 0 || vec >= pci->nvec)
		return -EINVAL;
	return pci->irq_fd[vec];
}

int dmp_vfio_pci_irq_wait(struct dmp_vfio_pci *pci, unsigned int vec, uint64_t timeout_ns)
{
	int fd = dmp_vfio_pci_irq_fd(pci, vec);
	if (fd < 0)
		return fd;
	uint64_t deadline = dmp_time_ns() + timeout_ns;
	for (;;) {
		uint64_t count;
		ssize_t n = dmp__vfio_sys.read(fd, &count, sizeof(count));
		if (n == (ssize_t)sizeof(count))
			return count > 0x7fffffff ? 0x7fffffff : (int)count;
		if (n >= 0 || errno != EAGAIN)
			return -EIO;
		uint64_t now = dmp_time_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		/* round up: a wait of 0 ms would spin */
		uint64_t ms = (deadline - now + 999999) / 1000000;
		if (dmp__vfio_sys.poll_in(fd, ms > 0x7fffffff ? 0x7fffffff : (int)ms) < 0 &&
		    errno != EINTR)
			return -EIO;
	}
}

int dmp_vfio_pci_irq_unmask(struct dmp_vfio_pci *pci)
{
	if (!pci || pci->irq_type != VFIO_PCI_INTX_IRQ_INDEX)
		return -EINVAL;
	return set_irqs(pci, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, NULL, 1);
}
