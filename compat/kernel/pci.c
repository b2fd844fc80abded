/* SPDX-License-Identifier: MIT */
/*
 * pci.c - the PCI bus of the Linux-compat runtime: enumeration of the
 * machine's host bridges through their ECAM windows, struct pci_dev,
 * pci_driver binding by ID table, configuration access, BARs, MSI and INTx
 * vectors, managed (pcim) resources (see <linux/pci.h>).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/sim/pci.h>

#include <linux/pci.h>

#include "runtime.h"

/* Where MSI writes would go: a GICv2m-like frame (not modelled as memory). */
#define MSI_DOORBELL 0x08020040ull
/* Each function with MSI gets 32 controller lines of its own. */
#define MSI_LINES_PER_FUNC 32

struct dmp_lx_pci_state {
	struct dmp_sim_platform_pci_func *pf;
	int enable_cnt;
	bool managed;
	unsigned int intx_irq;
	unsigned int msi_hwbase;   /* DMP_SIM_MSI_BASE-relative block, or UINT_MAX */
	unsigned int msi_first;    /* Linux IRQ of vector 0, once mapped */
	unsigned int nvec;
	unsigned int regions;      /* BARs requested */
	void __iomem *iomap_table[PCI_STD_NUM_BARS];
};

static struct pci_bus *buses[DMP_OF_MAX_PCI_HOSTS];
static struct pci_dev **devs;
static unsigned int nr_devs;

/* --- configuration space through ECAM ------------------------------------ */

static volatile void __iomem *cfg_addr(struct pci_bus *bus, unsigned int devfn, int where)
{
	return (volatile u8 __iomem *)bus->dmp_ecam + ((size_t)bus->number << 20) +
	       ((size_t)devfn << 12) + (size_t)where;
}

static int cfg_read(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 *val)
{
	if (!bus || !bus->dmp_ecam || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE ||
	    (where & (size - 1))) {
		*val = ~0u;
		return PCIBIOS_BAD_REGISTER_NUMBER;
	}
	volatile void __iomem *a = cfg_addr(bus, devfn, where);
	*val = size == 1 ? readb(a) : size == 2 ? readw(a) : readl(a);
	return PCIBIOS_SUCCESSFUL;
}

static int cfg_write(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 val)
{
	if (!bus || !bus->dmp_ecam || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE ||
	    (where & (size - 1)))
		return PCIBIOS_BAD_REGISTER_NUMBER;
	volatile void __iomem *a = cfg_addr(bus, devfn, where);
	if (size == 1)
		writeb((u8)val, a);
	else if (size == 2)
		writew((u16)val, a);
	else
		writel(val, a);
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops ecam_ops = { .read = cfg_read, .write = cfg_write };

int pci_bus_read_config_dword(struct pci_bus *bus, unsigned int devfn, int where, u32 *val)
{
	return cfg_read(bus, devfn, where, 4, val);
}

int pci_bus_write_config_dword(struct pci_bus *bus, unsigned int devfn, int where, u32 val)
{
	return cfg_write(bus, devfn, where, 4, val);
}

int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val)
{
	u32 v;
	int e = cfg_read(dev->bus, dev->devfn, where, 1, &v);
	*val = (u8)v;
	return e;
}

int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val)
{
	u32 v;
	int e = cfg_read(dev->bus, dev->devfn, where, 2, &v);
	*val = (u16)v;
	return e;
}

int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val)
{
	return cfg_read(dev->bus, dev->devfn, where, 4, val);
}

int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val)
{
	return cfg_write(dev->bus, dev->devfn, where, 1, val);
}

int pci_write_config_word(const struct pci_dev *dev, int where, u16 val)
{
	return cfg_write(dev->bus, dev->devfn, where, 2, val);
}

int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val)
{
	return cfg_write(dev->bus, dev->devfn, where, 4, val);
}

u8 pci_find_next_capability(struct pci_dev *dev, u8 pos, int cap)
{
	u8 p;
	pci_read_config_byte(dev, pos + PCI_CAP_LIST_NEXT, &p);
	for (int ttl = 48; p >= 0x40 && ttl--;) {
		u8 id;
		p &= ~3;
		pci_read_config_byte(dev, p + PCI_CAP_LIST_ID, &id);
		if (id == 0xff)
			break;
		if (id == cap)
			return p;
		pci_read_config_byte(dev, p + PCI_CAP_LIST_NEXT, &p);
	}
	return 0;
}

u8 pci_find_capability(struct pci_dev *dev, int cap)
{
	u16 status;
	pci_read_config_word(dev, PCI_STATUS, &status);
	if (!(status & PCI_STATUS_CAP_LIST))
		return 0;
	/* PCI_CAPABILITY_LIST is where "next" would be for a capability at
	 * PCI_CAPABILITY_LIST - 1 */
	return pci_find_next_capability(dev, PCI_CAPABILITY_LIST - PCI_CAP_LIST_NEXT, cap);
}

u16 pci_find_ext_capability(struct pci_dev *dev, int cap)
{
	(void)dev;
	(void)cap;
	return 0; /* conventional functions: no extended capabilities */
}

int pcie_capability_read_word(struct pci_dev *dev, int pos, u16 *val)
{
	*val = 0;
	if (!dev->pcie_cap)
		return PCIBIOS_DEVICE_NOT_FOUND;
	return pci_read_config_word(dev, dev->pcie_cap + pos, val);
}

int pcie_capability_read_dword(struct pci_dev *dev, int pos, u32 *val)
{
	*val = 0;
	if (!dev->pcie_cap)
		return PCIBIOS_DEVICE_NOT_FOUND;
	return pci_read_config_dword(dev, dev->pcie_cap + pos, val);
}

int pcie_capability_write_word(struct pci_dev *dev, int pos, u16 val)
{
	if (!dev->pcie_cap)
		return PCIBIOS_DEVICE_NOT_FOUND;
	return pci_write_config_word(dev, dev->pcie_cap + pos, val);
}

int pcie_capability_clear_and_set_word(struct pci_dev *dev, int pos, u16 clear, u16 set)
{
	u16 v;
	int e = pcie_capability_read_word(dev, pos, &v);
	if (e)
		return e;
	return pcie_capability_write_word(dev, pos, (u16)((v & ~clear) | set));
}

/* --- enabling ------------------------------------------------------------- */

static void command_update(struct pci_dev *dev, u16 clear, u16 set)
{
	u16 cmd;
	pci_read_config_word(dev, PCI_COMMAND, &cmd);
	u16 n = (u16)((cmd & ~clear) | set);
	if (n != cmd)
		pci_write_config_word(dev, PCI_COMMAND, n);
}

bool dmp_lx_pci_is_enabled(struct pci_dev *pdev)
{
	return pdev->dmp->enable_cnt > 0;
}

int pci_enable_device(struct pci_dev *dev)
{
	if (dev->dmp->enable_cnt++ > 0)
		return 0;
	u16 set = 0;
	for (int b = 0; b < PCI_STD_NUM_BARS; b++) {
		if (pci_resource_flags(dev, b) & IORESOURCE_MEM)
			set |= PCI_COMMAND_MEMORY;
		if (pci_resource_flags(dev, b) & IORESOURCE_IO)
			set |= PCI_COMMAND_IO;
	}
	command_update(dev, 0, set);
	return 0;
}

int pci_enable_device_mem(struct pci_dev *dev)
{
	return pci_enable_device(dev);
}

void pci_disable_device(struct pci_dev *dev)
{
	if (dev->dmp->enable_cnt <= 0) {
		dev_warn(&dev->dev, "disabling already-disabled device");
		return;
	}
	if (--dev->dmp->enable_cnt > 0)
		return;
	/* Linux's do_pci_disable_device: the function stops mastering */
	command_update(dev, PCI_COMMAND_MASTER, 0);
	dev->is_busmaster = 0;
}

void pci_set_master(struct pci_dev *dev)
{
	command_update(dev, 0, PCI_COMMAND_MASTER);
	dev->is_busmaster = 1;
}

void pci_clear_master(struct pci_dev *dev)
{
	command_update(dev, PCI_COMMAND_MASTER, 0);
	dev->is_busmaster = 0;
}

void pci_intx(struct pci_dev *dev, int enable)
{
	command_update(dev, enable ? PCI_COMMAND_INTX_DISABLE : 0,
		       enable ? 0 : PCI_COMMAND_INTX_DISABLE);
}

/* --- regions and mappings ------------------------------------------------- */

int pci_request_region(struct pci_dev *pdev, int bar, const char *name)
{
	if (bar < 0 || bar >= PCI_STD_NUM_BARS || !pci_resource_len(pdev, bar))
		return 0;
	if (pdev->dmp->regions & (1u << bar))
		return -EBUSY;
	if (!dmp_lx_request_region(pci_resource_start(pdev, bar), pci_resource_len(pdev, bar),
				   name, pci_resource_flags(pdev, bar) & IORESOURCE_TYPE_BITS)) {
		dev_warn(&pdev->dev, "BAR %d: can't reserve [mem 0x%llx-0x%llx]", bar,
			 (unsigned long long)pci_resource_start(pdev, bar),
			 (unsigned long long)pci_resource_end(pdev, bar));
		return -EBUSY;
	}
	pdev->dmp->regions |= 1u << bar;
	return 0;
}

void pci_release_region(struct pci_dev *pdev, int bar)
{
	if (bar < 0 || bar >= PCI_STD_NUM_BARS || !(pdev->dmp->regions & (1u << bar)))
		return;
	dmp_lx_release_region(pci_resource_start(pdev, bar), pci_resource_len(pdev, bar));
	pdev->dmp->regions &= ~(1u << bar);
}

int pci_request_selected_regions(struct pci_dev *pdev, int bars, const char *name)
{
	for (int b = 0; b < PCI_STD_NUM_BARS; b++) {
		if (!(bars & (1 << b)))
			continue;
		int e = pci_request_region(pdev, b, name);
		if (e) {
			while (--b >= 0)
				if (bars & (1 << b))
					pci_release_region(pdev, b);
			return e;
		}
	}
	return 0;
}

void pci_release_selected_regions(struct pci_dev *pdev, int bars)
{
	for (int b = 0; b < PCI_STD_NUM_BARS; b++)
		if (bars & (1 << b))
			pci_release_region(pdev, b);
}

int pci_select_bars(struct pci_dev *dev, unsigned long flags)
{
	int bars = 0;
	for (int b = 0; b < PCI_STD_NUM_BARS; b++)
		if (pci_resource_flags(dev, b) & flags)
			bars |= 1 << b;
	return bars;
}

int pci_request_regions(struct pci_dev *pdev, const char *name)
{
	return pci_request_selected_regions(pdev, (1 << PCI_STD_NUM_BARS) - 1, name);
}

void pci_release_regions(struct pci_dev *pdev)
{
	pci_release_selected_regions(pdev, (1 << PCI_STD_NUM_BARS) - 1);
}

void __iomem *pci_iomap_range(struct pci_dev *dev, int bar, unsigned long offset,
			      unsigned long maxlen)
{
	if (bar < 0 || bar >= PCI_STD_NUM_BARS)
		return NULL;
	resource_size_t len = pci_resource_len(dev, bar);
	if (!len || offset >= len || !(pci_resource_flags(dev, bar) & IORESOURCE_MEM))
		return NULL;
	len -= offset;
	if (maxlen && maxlen < len)
		len = maxlen;
	return ioremap(pci_resource_start(dev, bar) + offset, (size_t)len);
}

void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long maxlen)
{
	return pci_iomap_range(dev, bar, 0, maxlen);
}

void pci_iounmap(struct pci_dev *dev, void __iomem *addr)
{
	(void)dev;
	iounmap(addr);
}

void __iomem *pci_ioremap_bar(struct pci_dev *pdev, int bar)
{
	if (bar < 0 || bar >= PCI_STD_NUM_BARS ||
	    !(pci_resource_flags(pdev, bar) & IORESOURCE_MEM)) {
		WARN_ON(1);
		return NULL;
	}
	return ioremap(pci_resource_start(pdev, bar), (size_t)pci_resource_len(pdev, bar));
}

/* pcim: released when the driver unbinds */
static void pcim_release(struct device *gendev, void *res)
{
	struct pci_dev *dev = to_pci_dev(gendev);
	(void)res;
	for (int b = 0; b < PCI_STD_NUM_BARS; b++)
		if (dev->dmp->iomap_table[b]) {
			iounmap(dev->dmp->iomap_table[b]);
			dev->dmp->iomap_table[b] = NULL;
		}
	if (dev->msi_enabled)
		pci_free_irq_vectors(dev);
	pci_release_regions(dev);
	if (dev->dmp->enable_cnt > 0) {
		dev->dmp->enable_cnt = 1;
		pci_disable_device(dev);
	}
	dev->dmp->managed = false;
	dev->is_managed = 0;
}

static int pcim_setup(struct pci_dev *pdev)
{
	if (pdev->dmp->managed)
		return 0;
	void *res = devres_alloc(pcim_release, 1, GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	devres_add(&pdev->dev, res);
	pdev->dmp->managed = true;
	pdev->is_managed = 1;
	return 0;
}

int pcim_enable_device(struct pci_dev *pdev)
{
	int e = pcim_setup(pdev);
	return e ? e : pci_enable_device(pdev);
}

void __iomem *pcim_iomap(struct pci_dev *pdev, int bar, unsigned long maxlen)
{
	if (bar < 0 || bar >= PCI_STD_NUM_BARS || pcim_setup(pdev))
		return NULL;
	if (pdev->dmp->iomap_table[bar])
		return NULL; /* Linux: mapped once */
	pdev->dmp->iomap_table[bar] = pci_iomap(pdev, bar, maxlen);
	return pdev->dmp->iomap_table[bar];
}

void pcim_iounmap(struct pci_dev *pdev, void __iomem *addr)
{
	for (int b = 0; b < PCI_STD_NUM_BARS; b++)
		if (pdev->dmp->iomap_table[b] == addr) {
			pdev->dmp->iomap_table[b] = NULL;
			iounmap(addr);
			return;
		}
	WARN(1, "pcim_iounmap of an address pcim_iomap did not give");
}

void __iomem *const *pcim_iomap_table(struct pci_dev *pdev)
{
	if (pcim_setup(pdev))
		return NULL;
	return pdev->dmp->iomap_table;
}

int pcim_request_region(struct pci_dev *pdev, int bar, const char *name)
{
	int e = pcim_setup(pdev);
	return e ? e : pci_request_region(pdev, bar, name);
}

int pcim_request_all_regions(struct pci_dev *pdev, const char *name)
{
	int e = pcim_setup(pdev);
	return e ? e : pci_request_regions(pdev, name);
}

int pcim_iomap_regions(struct pci_dev *pdev, int mask, const char *name)
{
	int e = pcim_setup(pdev);
	if (e)
		return e;
	for (int b = 0; b < PCI_STD_NUM_BARS; b++) {
		if (!(mask & (1 << b)) || !pci_resource_len(pdev, b))
			continue;
		e = pci_request_region(pdev, b, name);
		if (e)
			goto fail;
		if (!pcim_iomap(pdev, b, 0)) {
			pci_release_region(pdev, b);
			e = -ENOMEM;
			goto fail;
		}
	}
	return 0;
fail:
	for (int b = 0; b < PCI_STD_NUM_BARS; b++)
		if ((mask & (1 << b)) && pdev->dmp->iomap_table[b]) {
			pcim_iounmap(pdev, pdev->dmp->iomap_table[b]);
			pci_release_region(pdev, b);
		}
	return e;
}

int pcim_iomap_regions_request_all(struct pci_dev *pdev, int mask, const char *name)
{
	return pcim_iomap_regions(pdev, mask, name);
}

void __iomem *pcim_iomap_region(struct pci_dev *pdev, int bar, const char *name)
{
	int e = pcim_request_region(pdev, bar, name);
	if (e)
		return ERR_PTR(e);
	void __iomem *a = pcim_iomap(pdev, bar, 0);
	if (!a) {
		pci_release_region(pdev, bar);
		return ERR_PTR(-ENOMEM);
	}
	return a;
}

void pcim_iounmap_region(struct pci_dev *pdev, int bar)
{
	if (bar >= 0 && bar < PCI_STD_NUM_BARS && pdev->dmp->iomap_table[bar])
		pcim_iounmap(pdev, pdev->dmp->iomap_table[bar]);
	pci_release_region(pdev, bar);
}

/* --- interrupts ------------------------------------------------------------ */

int pci_msi_vec_count(struct pci_dev *dev)
{
	u16 flags;
	if (!dev->msi_cap)
		return -EINVAL;
	pci_read_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS, &flags);
	return 1 << ((flags & PCI_MSI_FLAGS_QMASK) >> 1);
}

static int msi_enable(struct pci_dev *dev, unsigned int nvec)
{
	struct dmp_lx_pci_state *st = dev->dmp;
	if (st->msi_hwbase == UINT_MAX)
		return -ENOSPC;
	if (!st->msi_first) {
		st->msi_first = dmp_lx_irq_map_msi(DMP_SIM_MSI_BASE + st->msi_hwbase,
						   MSI_LINES_PER_FUNC);
		if (!st->msi_first)
			return -ENOSPC;
	}
	unsigned int log2 = 0;
	while ((1u << log2) < nvec)
		log2++;
	int m = dev->msi_cap;
	u16 flags;
	pci_read_config_word(dev, m + PCI_MSI_FLAGS, &flags);
	bool is64 = flags & PCI_MSI_FLAGS_64BIT;
	pci_write_config_dword(dev, m + PCI_MSI_ADDRESS_LO, (u32)MSI_DOORBELL);
	if (is64)
		pci_write_config_dword(dev, m + PCI_MSI_ADDRESS_HI, (u32)(MSI_DOORBELL >> 32));
	pci_write_config_word(dev, m + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32),
			      (u16)st->msi_hwbase);
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		pci_write_config_dword(dev, m + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32), 0);
	/* Linux's pci_msi_enable: INTx off while MSI is on */
	pci_intx(dev, 0);
	flags = (u16)((flags & ~PCI_MSI_FLAGS_QSIZE) | (log2 << 4) | PCI_MSI_FLAGS_ENABLE);
	pci_write_config_word(dev, m + PCI_MSI_FLAGS, flags);
	st->nvec = nvec;
	dev->msi_enabled = 1;
	dev->irq = st->msi_first;
	return 0;
}

static void msi_disable(struct pci_dev *dev)
{
	u16 flags;
	pci_read_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS, &flags);
	pci_write_config_word(dev, dev->msi_cap + PCI_MSI_FLAGS, flags & ~PCI_MSI_FLAGS_ENABLE);
	pci_intx(dev, 1);
	dev->msi_enabled = 0;
	dev->dmp->nvec = 0;
	dev->irq = dev->dmp->intx_irq;
}

int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs, unsigned int max_vecs,
			  unsigned int flags)
{
	if (!min_vecs || min_vecs > max_vecs)
		return -EINVAL;
	if (dev->msi_enabled || dev->msix_enabled) {
		WARN(1, "%s: interrupt vectors already allocated", pci_name(dev));
		return -EINVAL;
	}
	/* MSI-X is not modelled: the next type the flags allow */
	if ((flags & PCI_IRQ_MSI) && dev->msi_cap && !dev->no_msi) {
		unsigned int cap = (unsigned int)pci_msi_vec_count(dev);
		unsigned int nvec = max_vecs < cap ? max_vecs : cap;
		if (nvec >= min_vecs && !msi_enable(dev, nvec))
			return (int)nvec;
	}
	if ((flags & PCI_IRQ_INTX) && min_vecs == 1 && dev->dmp->intx_irq) {
		dev->irq = dev->dmp->intx_irq;
		return 1;
	}
	return -ENOSPC;
}

void pci_free_irq_vectors(struct pci_dev *dev)
{
	if (dev->msi_enabled)
		msi_disable(dev);
}

int pci_irq_vector(struct pci_dev *dev, unsigned int nr)
{
	if (dev->msi_enabled)
		return nr < dev->dmp->nvec ? (int)(dev->dmp->msi_first + nr) : -EINVAL;
	return nr == 0 && dev->irq ? (int)dev->irq : -EINVAL;
}

int pci_enable_msi(struct pci_dev *dev)
{
	int n = pci_alloc_irq_vectors(dev, 1, 1, PCI_IRQ_MSI);
	return n < 0 ? n : 0;
}

void pci_disable_msi(struct pci_dev *dev)
{
	if (dev->msi_enabled)
		msi_disable(dev);
}

int pci_request_irq(struct pci_dev *dev, unsigned int nr, irq_handler_t handler,
		    irq_handler_t thread_fn, void *dev_id, const char *fmt, ...)
{
	int irq = pci_irq_vector(dev, nr);
	if (irq < 0)
		return irq;
	char *name = kmalloc(64, GFP_KERNEL);
	if (!name)
		return -ENOMEM;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, 64, fmt, ap);
	va_end(ap);
	unsigned long flags = handler ? IRQF_SHARED : IRQF_ONESHOT | IRQF_SHARED;
	int e = request_threaded_irq((unsigned int)irq, handler, thread_fn, flags, name, dev_id);
	if (e)
		kfree(name);
	return e;
}

void pci_free_irq(struct pci_dev *dev, unsigned int nr, void *dev_id)
{
	int irq = pci_irq_vector(dev, nr);
	if (irq >= 0)
		kfree(free_irq((unsigned int)irq, dev_id));
}

/* --- matching, binding ------------------------------------------------------ */

const struct pci_device_id *pci_match_id(const struct pci_device_id *ids, struct pci_dev *dev)
{
	for (; ids && (ids->vendor || ids->subvendor || ids->class_mask); ids++) {
		if ((ids->vendor == PCI_ANY_ID || ids->vendor == dev->vendor) &&
		    (ids->device == PCI_ANY_ID || ids->device == dev->device) &&
		    (ids->subvendor == PCI_ANY_ID || ids->subvendor == dev->subsystem_vendor) &&
		    (ids->subdevice == PCI_ANY_ID || ids->subdevice == dev->subsystem_device) &&
		    !((ids->class ^ dev->class) & ids->class_mask))
			return ids;
	}
	return NULL;
}

static int pci_bus_match(struct device *dev, const struct device_driver *drv)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	const struct pci_driver *pdrv = to_pci_driver(drv);
	return pci_match_id(pdrv->id_table, pdev) != NULL;
}

static int pci_device_probe(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct pci_driver *drv = to_pci_driver(dev->driver);
	const struct pci_device_id *id = pci_match_id(drv->id_table, pdev);
	if (!id || !drv->probe)
		return -ENODEV;
	pdev->driver = drv;
	pci_dev_get(pdev);
	int ret = drv->probe(pdev, id);
	if (ret) {
		pdev->driver = NULL;
		pci_dev_put(pdev);
	}
	return ret;
}

static void pci_device_remove(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct pci_driver *drv = pdev->driver;
	if (drv && drv->remove)
		drv->remove(pdev);
	pdev->driver = NULL;
	pci_dev_put(pdev);
}

static void pci_device_shutdown(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	if (pdev->driver && pdev->driver->shutdown)
		pdev->driver->shutdown(pdev);
}

const struct bus_type pci_bus_type = {
	.name = "pci",
	.match = pci_bus_match,
	.probe = pci_device_probe,
	.remove = pci_device_remove,
	.shutdown = pci_device_shutdown,
};

int __pci_register_driver(struct pci_driver *drv, struct module *owner, const char *mod_name)
{
	drv->driver.name = drv->name;
	drv->driver.bus = &pci_bus_type;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	return driver_register(&drv->driver);
}

void pci_unregister_driver(struct pci_driver *drv)
{
	driver_unregister(&drv->driver);
}

struct pci_dev *pci_get_device(unsigned int vendor, unsigned int device, struct pci_dev *from)
{
	unsigned int i = 0;
	if (from) {
		while (i < nr_devs && devs[i] != from)
			i++;
		i++;
		pci_dev_put(from);
	}
	for (; i < nr_devs; i++)
		if ((vendor == PCI_ANY_ID || devs[i]->vendor == vendor) &&
		    (device == PCI_ANY_ID || devs[i]->device == device))
			return pci_dev_get(devs[i]);
	return NULL;
}

struct pci_dev *pci_get_class(unsigned int class, struct pci_dev *from)
{
	unsigned int i = 0;
	if (from) {
		while (i < nr_devs && devs[i] != from)
			i++;
		i++;
		pci_dev_put(from);
	}
	for (; i < nr_devs; i++)
		if (devs[i]->class == class)
			return pci_dev_get(devs[i]);
	return NULL;
}

struct pci_dev *pci_get_domain_bus_and_slot(int domain, unsigned int bus, unsigned int devfn)
{
	for (unsigned int i = 0; i < nr_devs; i++)
		if (devs[i]->bus->domain_nr == domain && devs[i]->bus->number == bus &&
		    devs[i]->devfn == devfn)
			return pci_dev_get(devs[i]);
	return NULL;
}

/* --- enumeration ---------------------------------------------------------------- */

static void pci_release_dev(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	free(pdev->dmp);
	free(pdev);
}

/* Linux's __pci_read_base: decoding off while the BARs are sized. */
static void size_bars(struct pci_dev *dev, struct dmp_sim_platform *p)
{
	const struct dmp_of_pci_host *oh = &p->desc.pci_hosts[dev->bus->domain_nr];
	u16 cmd;
	pci_read_config_word(dev, PCI_COMMAND, &cmd);
	pci_write_config_word(dev, PCI_COMMAND, cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
	for (int b = 0; b < PCI_STD_NUM_BARS; b++) {
		int reg = PCI_BASE_ADDRESS_0 + 4 * b;
		u32 orig, sz;
		pci_read_config_dword(dev, reg, &orig);
		pci_write_config_dword(dev, reg, ~0u);
		pci_read_config_dword(dev, reg, &sz);
		pci_write_config_dword(dev, reg, orig);
		if (!sz || sz == ~0u || (orig & PCI_BASE_ADDRESS_SPACE_IO))
			continue;
		u64 size = (u64)(~(sz & (u32)PCI_BASE_ADDRESS_MEM_MASK)) + 1;
		u64 pci = orig & (u32)PCI_BASE_ADDRESS_MEM_MASK;
		struct resource *r = &dev->resource[b];
		r->start = pci - oh->mem_pci + oh->mem.base;
		r->end = r->start + size - 1;
		r->flags = IORESOURCE_MEM | (orig & PCI_BASE_ADDRESS_MEM_PREFETCH ? IORESOURCE_PREFETCH : 0);
		r->name = pci_name(dev);
	}
	pci_write_config_word(dev, PCI_COMMAND, cmd);
}

static struct dmp_sim_platform_pci_func *func_of(struct dmp_sim_platform *p, unsigned int host,
						 unsigned int bus, unsigned int devfn)
{
	for (unsigned int i = 0; i < p->nr_pci_funcs; i++) {
		const struct dmp_of_pci_function *of = p->pci_funcs[i].of;
		if (of->host == host && of->bus == bus && of->devfn == devfn)
			return &p->pci_funcs[i];
	}
	return NULL;
}

static int add_function(struct dmp_sim_platform *p, struct pci_bus *bus, unsigned int devfn,
			unsigned int *msi_blocks)
{
	struct pci_dev *dev = calloc(1, sizeof(*dev));
	struct dmp_lx_pci_state *st = calloc(1, sizeof(*st));
	struct pci_dev **grown = realloc(devs, (nr_devs + 1) * sizeof(*devs));
	if (!dev || !st || !grown) {
		free(dev);
		free(st);
		if (grown)
			devs = grown;
		return -ENOMEM;
	}
	devs = grown;
	dev->dmp = st;
	st->msi_hwbase = UINT_MAX;
	dev->bus = bus;
	dev->devfn = devfn;
	dev->dev.release = pci_release_dev;
	dev_set_name(&dev->dev, "%04x:%02x:%02x.%u", bus->domain_nr, bus->number, PCI_SLOT(devfn),
		     PCI_FUNC(devfn));
	u32 id, class;
	u8 v;
	pci_read_config_dword(dev, PCI_VENDOR_ID, &id);
	dev->vendor = (u16)id;
	dev->device = (u16)(id >> 16);
	pci_read_config_dword(dev, PCI_CLASS_REVISION, &class);
	dev->revision = (u8)class;
	dev->class = class >> 8;
	pci_read_config_byte(dev, PCI_HEADER_TYPE, &dev->hdr_type);
	pci_read_config_word(dev, PCI_SUBSYSTEM_VENDOR_ID, &dev->subsystem_vendor);
	pci_read_config_word(dev, PCI_SUBSYSTEM_ID, &dev->subsystem_device);
	pci_read_config_byte(dev, PCI_INTERRUPT_PIN, &v);
	dev->pin = v;
	dev->cfg_size = PCI_CFG_SPACE_EXP_SIZE;
	dev->msi_cap = pci_find_capability(dev, PCI_CAP_ID_MSI);
	dev->msix_cap = pci_find_capability(dev, PCI_CAP_ID_MSIX);
	dev->pcie_cap = pci_find_capability(dev, PCI_CAP_ID_EXP);
	dev->current_state = PCI_D0;
	size_bars(dev, p);
	if (dev->msi_cap && *msi_blocks < (DMP_SIM_NR_IRQS - DMP_SIM_MSI_BASE) / MSI_LINES_PER_FUNC)
		st->msi_hwbase = MSI_LINES_PER_FUNC * (*msi_blocks)++;
	device_initialize(&dev->dev);
	dev->dev.parent = bus->bridge;
	dev->dev.bus = &pci_bus_type;
	dev->dev.dma_parms = &dev->dma_parms;
	dev->dma_parms.max_segment_size = 65536;
	dev->dma_parms.segment_boundary_mask = ~0UL;
	/* the function's DMA: its host's set-up (the machine's hardware) */
	struct dmp_sim_platform_pci_func *pf = func_of(p, (unsigned int)bus->domain_nr, bus->number,
						       devfn);
	st->pf = pf;
	if (pf) {
		struct dmp_of_error err;
		int e = dmp_sim_platform_pci_setup(p, pf, &dev->dev.dmp, &err);
		if (e) {
			char msg[400];
			dmp_of_error_format(&err, msg, sizeof(msg));
			dmp_log("pci %s: %s", pci_name(dev), msg);
			dmp_sim_platform_pci_teardown(p, pf);
			put_device(&dev->dev);
			return e;
		}
		dev_set_name(&dev->dev, "%04x:%02x:%02x.%u", bus->domain_nr, bus->number,
			     PCI_SLOT(devfn), PCI_FUNC(devfn));
		if (pf->intx_irq >= 0 && dev->pin)
			st->intx_irq = dmp_lx_irq_map((unsigned int)pf->intx_irq, DMP_SIM_IRQ_LEVEL);
	}
	dev->irq = st->intx_irq;
	dev->dma_mask = dev->dev.dmp.dma_mask ? *dev->dev.dmp.dma_mask : 0;
	list_add_tail(&dev->bus_list, &bus->devices);
	devs[nr_devs++] = dev;
	return device_add(&dev->dev);
}

/* Scan bus 0 of host @h: slot by slot, function 0 then the others of a
 * multi-function device (Linux's pci_scan_slot). */
static int scan_host(struct dmp_sim_platform *p, unsigned int h, unsigned int *msi_blocks)
{
	const struct dmp_of_pci_host *oh = &p->desc.pci_hosts[h];
	struct pci_bus *bus = calloc(1, sizeof(*bus));
	if (!bus)
		return -ENOMEM;
	bus->dmp_ecam = ioremap(oh->reg.base, (size_t)oh->reg.size);
	if (!bus->dmp_ecam) {
		free(bus);
		return -ENOMEM;
	}
	bus->domain_nr = (int)h;
	bus->ops = &ecam_ops;
	INIT_LIST_HEAD(&bus->devices);
	INIT_LIST_HEAD(&bus->children);
	snprintf(bus->name, sizeof(bus->name), "PCI Bus %04x:00", h);
	buses[h] = bus;
	for (unsigned int slot = 0; slot < 32; slot++) {
		for (unsigned int fn = 0; fn < 8; fn++) {
			u32 id;
			unsigned int devfn = PCI_DEVFN(slot, fn);
			cfg_read(bus, devfn, PCI_VENDOR_ID, 4, &id);
			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			int e = add_function(p, bus, devfn, msi_blocks);
			if (e)
				return e;
			u32 hdr;
			cfg_read(bus, devfn, PCI_HEADER_TYPE, 1, &hdr);
			if (fn == 0 && !(hdr & PCI_HEADER_TYPE_MFD))
				break;
		}
	}
	return 0;
}

int dmp_lx_pci_machine_up(struct dmp_sim_platform *p)
{
	unsigned int msi_blocks = 0;
	for (unsigned int h = 0; h < DMP_OF_MAX_PCI_HOSTS; h++) {
		if (!p->pci_hosts[h])
			continue;
		int e = scan_host(p, h, &msi_blocks);
		if (e)
			return e;
	}
	return 0;
}

void dmp_lx_pci_machine_down(void)
{
	while (nr_devs) {
		struct pci_dev *dev = devs[--nr_devs];
		if (dev->msi_enabled) {
			dmp_lx_leftover("BUG: %s: MSI still enabled when the machine goes away: disabled",
				pci_name(dev));
			msi_disable(dev);
		}
		if (dev->dmp->regions) {
			dmp_lx_leftover("BUG: %s: regions still requested when the machine goes away: "
				"released", pci_name(dev));
			pci_release_regions(dev);
		}
		device_del(&dev->dev);
		if (dev->dmp->pf) {
			/* the checker lists what drivers left mapped or allocated */
			dmp_sim_platform_pci_teardown(dmp_lx_machine_platform(), dev->dmp->pf);
			dev->dev.dmp_dma_set_up = false;
		}
		put_device(&dev->dev);
	}
	free(devs);
	devs = NULL;
	for (unsigned int h = 0; h < DMP_OF_MAX_PCI_HOSTS; h++) {
		if (!buses[h])
			continue;
		iounmap(buses[h]->dmp_ecam);
		free(buses[h]);
		buses[h] = NULL;
	}
}
