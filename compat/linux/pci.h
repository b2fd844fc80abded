/* SPDX-License-Identifier: MIT */
/*
 * <linux/pci.h> for dmaport's Linux-compat layer: PCI devices and drivers.
 *
 * The driver core enumerates every host bridge of the machine's device tree
 * that has an ECAM window, as Linux's pci-host-generic does: it reads each
 * function's configuration space, sizes its BARs (writing all ones and
 * restoring them), and creates a struct pci_dev named "DDDD:BB:SS.F" with
 * its IDs, class, BAR resources (CPU addresses through the host's memory
 * window), its INTx interrupt (through the host's interrupt-map) and its
 * DMA configuration (the host's dma-ranges and coherence, its IOMMU stream
 * through iommu-map).  pci_driver binds by id_table.
 *
 * Configuration accesses go through the host's ECAM window: a function
 * sees them as hardware would.  What the function does follows its
 * registers (see <dmaport/sim/pci.h>): BARs decode only after
 * pci_enable_device (MEMORY), DMA works only after pci_set_master (BUS
 * MASTER), so a driver that forgets either fails here as on hardware.
 *
 * Interrupts: pci_alloc_irq_vectors allocates MSI vectors (the function's
 * capability, up to 32, consecutive Linux IRQ numbers from dev->irq) or
 * falls back to INTx per the flags; MSI-X is not modelled (-ENOSPC, or the
 * next type in the flags).  With pcim_enable_device the vectors, regions
 * and mappings are released at unbind, as Linux's managed PCI.
 *
 * Returns follow Linux: config accessors PCIBIOS_SUCCESSFUL (0) or
 * PCIBIOS_DEVICE_NOT_FOUND; pci_alloc_irq_vectors the number of vectors or
 * -ENOSPC/-EINVAL; pci_irq_vector the IRQ or -EINVAL.
 */
#ifndef DMP_COMPAT_LINUX_PCI_H
#define DMP_COMPAT_LINUX_PCI_H

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/pci_ids.h>
#include <linux/pci_regs.h>
#include <linux/types.h>

#define PCI_DEVFN(slot, func) ((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 0x07)
#define PCI_BUS_NUM(x) (((x) >> 8) & 0xff)
#define PCI_DEVID(bus, devfn) ((((u16)(bus)) << 8) | (devfn))

#define PCI_ROM_RESOURCE 6
#define PCI_NUM_RESOURCES 11
#define DEVICE_COUNT_RESOURCE PCI_NUM_RESOURCES

#define PCIBIOS_SUCCESSFUL 0x00
#define PCIBIOS_FUNC_NOT_SUPPORTED 0x81
#define PCIBIOS_BAD_VENDOR_ID 0x83
#define PCIBIOS_DEVICE_NOT_FOUND 0x86
#define PCIBIOS_BAD_REGISTER_NUMBER 0x87
#define PCIBIOS_SET_FAILED 0x88
#define PCIBIOS_BUFFER_TOO_SMALL 0x89
static inline int pcibios_err_to_errno(int err)
{
	if (err <= PCIBIOS_SUCCESSFUL)
		return err;
	return err == PCIBIOS_DEVICE_NOT_FOUND ? -ENODEV
	       : err == PCIBIOS_BAD_REGISTER_NUMBER ? -EFAULT
	       : err == PCIBIOS_FUNC_NOT_SUPPORTED ? -ENOENT : -ERANGE;
}

/* pci_alloc_irq_vectors flags */
#define PCI_IRQ_INTX (1 << 0)
#define PCI_IRQ_LEGACY PCI_IRQ_INTX
#define PCI_IRQ_MSI (1 << 1)
#define PCI_IRQ_MSIX (1 << 2)
#define PCI_IRQ_AFFINITY (1 << 3)
#define PCI_IRQ_ALL_TYPES (PCI_IRQ_INTX | PCI_IRQ_MSI | PCI_IRQ_MSIX)

typedef int pci_power_t;
#define PCI_D0 ((pci_power_t)0)
#define PCI_D1 ((pci_power_t)1)
#define PCI_D2 ((pci_power_t)2)
#define PCI_D3hot ((pci_power_t)3)
#define PCI_D3cold ((pci_power_t)4)
typedef unsigned int pci_ers_result_t;
typedef unsigned int pci_channel_state_t;
enum pci_channel_state_dmp { pci_channel_io_normal = 1, pci_channel_io_frozen = 2,
			     pci_channel_io_perm_failure = 3 };
#define PCI_ERS_RESULT_NONE ((pci_ers_result_t)1)
#define PCI_ERS_RESULT_CAN_RECOVER ((pci_ers_result_t)2)
#define PCI_ERS_RESULT_NEED_RESET ((pci_ers_result_t)3)
#define PCI_ERS_RESULT_DISCONNECT ((pci_ers_result_t)4)
#define PCI_ERS_RESULT_RECOVERED ((pci_ers_result_t)5)

struct pci_dev;
struct pci_bus;

struct pci_ops {
	int (*read)(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 *val);
	int (*write)(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 val);
};

struct pci_bus {
	struct list_head node;
	struct pci_bus *parent;
	struct list_head children;
	struct list_head devices;
	struct pci_dev *self;
	void *sysdata;
	struct pci_ops *ops;
	unsigned char number;
	unsigned char primary;
	int domain_nr;
	char name[48];
	struct device *bridge;
	/* dmaport: the host's ECAM window, mapped */
	void __iomem *dmp_ecam;
};

struct pci_error_handlers {
	pci_ers_result_t (*error_detected)(struct pci_dev *dev, pci_channel_state_t error);
	pci_ers_result_t (*mmio_enabled)(struct pci_dev *dev);
	pci_ers_result_t (*slot_reset)(struct pci_dev *dev);
	void (*reset_prepare)(struct pci_dev *dev);
	void (*reset_done)(struct pci_dev *dev);
	void (*resume)(struct pci_dev *dev);
};

struct dmp_lx_pci_state;

struct pci_dev {
	struct list_head bus_list;
	struct pci_bus *bus;
	struct pci_bus *subordinate;
	void *sysdata;
	unsigned int devfn;
	unsigned short vendor;
	unsigned short device;
	unsigned short subsystem_vendor;
	unsigned short subsystem_device;
	unsigned int class;
	u8 revision;
	u8 hdr_type;
	u8 pcie_cap;
	u8 msi_cap;
	u8 msix_cap;
	u8 pin;
	u16 pcie_flags_reg;
	u64 dma_mask;
	struct device_dma_parameters dma_parms;
	struct pci_driver *driver;
	pci_power_t current_state;
	unsigned int irq;
	struct resource resource[DEVICE_COUNT_RESOURCE];
	int cfg_size;
	unsigned int msi_enabled : 1;
	unsigned int msix_enabled : 1;
	unsigned int is_busmaster : 1;
	unsigned int is_managed : 1;
	unsigned int is_physfn : 1;
	unsigned int is_virtfn : 1;
	unsigned int no_msi : 1;
	unsigned int broken_intx_masking : 1;
	unsigned int untrusted : 1;
	struct device dev;
	struct dmp_lx_pci_state *dmp;
};

struct pci_driver {
	struct list_head node;
	const char *name;
	const struct pci_device_id *id_table;
	int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	void (*remove)(struct pci_dev *dev);
	int (*suspend)(struct pci_dev *dev, pm_message_t state);
	int (*resume)(struct pci_dev *dev);
	void (*shutdown)(struct pci_dev *dev);
	int (*sriov_configure)(struct pci_dev *dev, int num_vfs);
	int (*sriov_set_msix_vec_count)(struct pci_dev *vf, int msix_vec_count);
	u32 (*sriov_get_vf_total_msix)(struct pci_dev *pf);
	const struct pci_error_handlers *err_handler;
	const struct attribute_group **groups;
	const struct attribute_group **dev_groups;
	struct device_driver driver;
	bool driver_managed_dma;
};

extern const struct bus_type pci_bus_type;

#define to_pci_dev(n) container_of(n, struct pci_dev, dev)
#define to_pci_driver(drv) container_of(drv, struct pci_driver, driver)
#define for_each_pci_dev(d) while ((d = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, d)) != NULL)
#define dev_is_pci(d) ((d)->bus == &pci_bus_type)

#define PCI_DEVICE(vend, dev)                                                           \
	.vendor = (vend), .device = (dev), .subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID
#define PCI_DEVICE_SUB(vend, dev, subvend, subdev)                                      \
	.vendor = (vend), .device = (dev), .subvendor = (subvend), .subdevice = (subdev)
#define PCI_DEVICE_CLASS(dev_class, dev_class_mask)                                     \
	.class = (dev_class), .class_mask = (dev_class_mask), .vendor = PCI_ANY_ID,     \
	.device = PCI_ANY_ID, .subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID
#define PCI_VDEVICE(vend, dev)                                                          \
	.vendor = PCI_VENDOR_ID_##vend, .device = (dev), .subvendor = PCI_ANY_ID,       \
	.subdevice = PCI_ANY_ID, 0, 0
#define PCI_DEVICE_DATA(vend, dev, data)                                                \
	.vendor = PCI_VENDOR_ID_##vend, .device = PCI_DEVICE_ID_##vend##_##dev,         \
	.subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID, 0, 0,                         \
	.driver_data = (kernel_ulong_t)(data)

static inline const char *pci_name(const struct pci_dev *pdev)
{
	return dev_name(&pdev->dev);
}
static inline void *pci_get_drvdata(struct pci_dev *pdev)
{
	return dev_get_drvdata(&pdev->dev);
}
static inline void pci_set_drvdata(struct pci_dev *pdev, void *data)
{
	dev_set_drvdata(&pdev->dev, data);
}
static inline int pci_domain_nr(struct pci_bus *bus)
{
	return bus->domain_nr;
}
static inline bool pci_is_bridge(struct pci_dev *dev)
{
	return (dev->hdr_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE ||
	       (dev->hdr_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_CARDBUS;
}
static inline bool pci_is_pcie(struct pci_dev *dev)
{
	return dev->pcie_cap != 0;
}
static inline int pci_pcie_type(const struct pci_dev *dev)
{
	return (dev->pcie_flags_reg & PCI_EXP_FLAGS_TYPE) >> 4;
}
static inline u16 pci_dev_id(struct pci_dev *dev)
{
	return PCI_DEVID(dev->bus->number, dev->devfn);
}
static inline struct pci_dev *pci_dev_get(struct pci_dev *dev)
{
	if (dev)
		get_device(&dev->dev);
	return dev;
}
static inline void pci_dev_put(struct pci_dev *dev)
{
	if (dev)
		put_device(&dev->dev);
}
#define pci_is_enabled(pdev) dmp_lx_pci_is_enabled(pdev)
bool dmp_lx_pci_is_enabled(struct pci_dev *pdev);
#define pci_dev_msi_enabled(pdev) ((pdev)->msi_enabled || (pdev)->msix_enabled)

/* Resources */
#define pci_resource_n(dev, bar) (&(dev)->resource[(bar)])
#define pci_resource_start(dev, bar) ((dev)->resource[(bar)].start)
#define pci_resource_end(dev, bar) ((dev)->resource[(bar)].end)
#define pci_resource_flags(dev, bar) ((dev)->resource[(bar)].flags)
#define pci_resource_len(dev, bar)                                                      \
	((pci_resource_end((dev), (bar)) == 0) ? 0                                      \
	 : (pci_resource_end((dev), (bar)) - pci_resource_start((dev), (bar)) + 1))
#define pci_dev_for_each_resource(dev, res, ...)                                        \
	for (unsigned int dmp__i = 0;                                                   \
	     (res) = &(dev)->resource[dmp__i], dmp__i < PCI_NUM_RESOURCES; dmp__i++)

/* Configuration space */
int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val);
int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val);
int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val);
int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val);
int pci_write_config_word(const struct pci_dev *dev, int where, u16 val);
int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val);
int pci_bus_read_config_dword(struct pci_bus *bus, unsigned int devfn, int where, u32 *val);
int pci_bus_write_config_dword(struct pci_bus *bus, unsigned int devfn, int where, u32 val);
u8 pci_find_capability(struct pci_dev *dev, int cap);
u8 pci_find_next_capability(struct pci_dev *dev, u8 pos, int cap);
u16 pci_find_ext_capability(struct pci_dev *dev, int cap);
int pcie_capability_read_word(struct pci_dev *dev, int pos, u16 *val);
int pcie_capability_read_dword(struct pci_dev *dev, int pos, u32 *val);
int pcie_capability_write_word(struct pci_dev *dev, int pos, u16 val);
int pcie_capability_clear_and_set_word(struct pci_dev *dev, int pos, u16 clear, u16 set);
#define pcie_capability_set_word(dev, pos, set) pcie_capability_clear_and_set_word(dev, pos, 0, set)
#define pcie_capability_clear_word(dev, pos, clear) pcie_capability_clear_and_set_word(dev, pos, clear, 0)

/* Enabling, mastering, regions */
int pci_enable_device(struct pci_dev *dev);
int pci_enable_device_mem(struct pci_dev *dev);
int pcim_enable_device(struct pci_dev *pdev);
void pci_disable_device(struct pci_dev *dev);
void pci_set_master(struct pci_dev *dev);
void pci_clear_master(struct pci_dev *dev);
void pci_intx(struct pci_dev *dev, int enable);
int pci_request_region(struct pci_dev *pdev, int bar, const char *name);
void pci_release_region(struct pci_dev *pdev, int bar);
int pci_request_regions(struct pci_dev *pdev, const char *name);
#define pci_request_mem_regions(pdev, name) pci_request_regions((pdev), (name))
#define pci_request_regions_exclusive(pdev, name) pci_request_regions((pdev), (name))
void pci_release_regions(struct pci_dev *pdev);
#define pci_release_mem_regions(pdev) pci_release_regions(pdev)
int pci_request_selected_regions(struct pci_dev *pdev, int bars, const char *name);
void pci_release_selected_regions(struct pci_dev *pdev, int bars);
int pci_select_bars(struct pci_dev *dev, unsigned long flags);
void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long maxlen);
void __iomem *pci_iomap_range(struct pci_dev *dev, int bar, unsigned long offset,
			      unsigned long maxlen);
#define pci_iomap_wc(dev, bar, maxlen) pci_iomap((dev), (bar), (maxlen))
void pci_iounmap(struct pci_dev *dev, void __iomem *addr);
void __iomem *pci_ioremap_bar(struct pci_dev *pdev, int bar);
#define pci_ioremap_wc_bar(pdev, bar) pci_ioremap_bar((pdev), (bar))
int pcim_iomap_regions(struct pci_dev *pdev, int mask, const char *name);
int pcim_iomap_regions_request_all(struct pci_dev *pdev, int mask, const char *name);
void __iomem *const *pcim_iomap_table(struct pci_dev *pdev);
void __iomem *pcim_iomap(struct pci_dev *pdev, int bar, unsigned long maxlen);
void pcim_iounmap(struct pci_dev *pdev, void __iomem *addr);
void __iomem *pcim_iomap_region(struct pci_dev *pdev, int bar, const char *name);
void pcim_iounmap_region(struct pci_dev *pdev, int bar);
int pcim_request_region(struct pci_dev *pdev, int bar, const char *name);
int pcim_request_all_regions(struct pci_dev *pdev, const char *name);
#define pcim_set_mwi(pdev) 0
#define pci_set_mwi(pdev) 0
#define pci_try_set_mwi(pdev) 0
#define pci_clear_mwi(pdev) do { (void)(pdev); } while (0)
#define pci_set_cacheline_size(pdev) 0

/* Interrupts */
int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs, unsigned int max_vecs,
			  unsigned int flags);
#define pci_alloc_irq_vectors_affinity(dev, min, max, flags, affd)                      \
	pci_alloc_irq_vectors((dev), (min), (max), (flags))
void pci_free_irq_vectors(struct pci_dev *dev);
int pci_irq_vector(struct pci_dev *dev, unsigned int nr);
int pci_msi_vec_count(struct pci_dev *dev);
#define pci_msix_vec_count(dev) __extension__({ (void)(dev); -EINVAL; })
int pci_enable_msi(struct pci_dev *dev);
void pci_disable_msi(struct pci_dev *dev);
#define pci_disable_msix(dev) do { (void)(dev); } while (0)
#define pci_msi_enabled() 1
int pci_request_irq(struct pci_dev *dev, unsigned int nr, irq_handler_t handler,
		    irq_handler_t thread_fn, void *dev_id, const char *fmt, ...);
void pci_free_irq(struct pci_dev *dev, unsigned int nr, void *dev_id);
#define pci_irq_get_affinity(dev, nr) __extension__({ (void)(dev); (void)(nr); NULL; })

/* Power and reset: not simulated; the device stays in D0. */
#define pci_save_state(dev) __extension__({ (void)(dev); 0; })
#define pci_restore_state(dev) do { (void)(dev); } while (0)
#define pci_set_power_state(dev, state) __extension__({ (void)(dev); (void)(state); 0; })
#define pci_choose_state(dev, state) __extension__({ (void)(dev); PCI_D0; })
#define pci_enable_wake(dev, state, enable) __extension__({ (void)(dev); 0; })
#define pci_wake_from_d3(dev, enable) __extension__({ (void)(dev); 0; })
#define pci_reset_function(dev) __extension__({ (void)(dev); -ENOTTY; })
#define pci_reset_function_locked(dev) __extension__({ (void)(dev); -ENOTTY; })
#define pcie_flr(dev) __extension__({ (void)(dev); -ENOTTY; })
#define pci_device_is_present(dev) __extension__({ (void)(dev); true; })
#define pci_ignore_hotplug(dev) do { (void)(dev); } while (0)
#define pci_set_drvdata_dmp_unused 0
#define pcie_set_readrq(dev, rq) __extension__({ (void)(dev); 0; })
#define pcie_get_readrq(dev) __extension__({ (void)(dev); 512; })
#define pcie_set_mps(dev, mps) __extension__({ (void)(dev); 0; })
#define pci_enable_pcie_error_reporting(dev) __extension__({ (void)(dev); 0; })
#define pci_disable_pcie_error_reporting(dev) __extension__({ (void)(dev); 0; })
#define pci_aer_clear_nonfatal_status(dev) __extension__({ (void)(dev); 0; })
#define pci_sriov_configure_simple NULL
#define pci_sriov_get_totalvfs(dev) __extension__({ (void)(dev); 0; })
#define pci_num_vf(dev) __extension__({ (void)(dev); 0; })
#define pci_vfs_assigned(dev) __extension__({ (void)(dev); 0; })
#define pci_enable_sriov(dev, nr) __extension__({ (void)(dev); -ENODEV; })
#define pci_disable_sriov(dev) do { (void)(dev); } while (0)
#define pci_physfn(dev) (dev)

/* Matching and finding */
const struct pci_device_id *pci_match_id(const struct pci_device_id *ids, struct pci_dev *dev);
struct pci_dev *pci_get_device(unsigned int vendor, unsigned int device, struct pci_dev *from);
struct pci_dev *pci_get_domain_bus_and_slot(int domain, unsigned int bus, unsigned int devfn);
#define pci_get_slot(bus, devfn) pci_get_domain_bus_and_slot((bus)->domain_nr, (bus)->number, (devfn))
struct pci_dev *pci_get_class(unsigned int class, struct pci_dev *from);

/* Drivers */
int __pci_register_driver(struct pci_driver *drv, struct module *owner, const char *mod_name);
#define pci_register_driver(driver) __pci_register_driver(driver, THIS_MODULE, KBUILD_MODNAME)
void pci_unregister_driver(struct pci_driver *drv);
#define module_pci_driver(__pci_driver)                                                 \
	module_driver(__pci_driver, pci_register_driver, pci_unregister_driver)
#define builtin_pci_driver(__pci_driver) builtin_driver(__pci_driver, pci_register_driver)

/* The DMA API through the PCI device (Linux before 5.18, pci-dma-compat.h). */
#if DMP_LINUX_VERSION < KERNEL_VERSION(5, 18, 0)
#define PCI_DMA_BIDIRECTIONAL DMA_BIDIRECTIONAL
#define PCI_DMA_TODEVICE DMA_TO_DEVICE
#define PCI_DMA_FROMDEVICE DMA_FROM_DEVICE
#define PCI_DMA_NONE DMA_NONE
#define pci_alloc_consistent(hwdev, size, dma_handle)                                   \
	dma_alloc_coherent(&(hwdev)->dev, (size), (dma_handle), GFP_ATOMIC)
#define pci_zalloc_consistent(hwdev, size, dma_handle)                                  \
	dma_alloc_coherent(&(hwdev)->dev, (size), (dma_handle), GFP_ATOMIC)
#define pci_free_consistent(hwdev, size, vaddr, dma_handle)                             \
	dma_free_coherent(&(hwdev)->dev, (size), (vaddr), (dma_handle))
#define pci_map_single(hwdev, ptr, size, direction)                                     \
	dma_map_single(&(hwdev)->dev, (ptr), (size), (enum dma_data_direction)(direction))
#define pci_unmap_single(hwdev, dma_addr, size, direction)                              \
	dma_unmap_single(&(hwdev)->dev, (dma_addr), (size), (enum dma_data_direction)(direction))
#define pci_map_page(hwdev, page, offset, size, direction)                              \
	dma_map_page(&(hwdev)->dev, (page), (offset), (size), (enum dma_data_direction)(direction))
#define pci_unmap_page(hwdev, dma_address, size, direction)                             \
	dma_unmap_page(&(hwdev)->dev, (dma_address), (size), (enum dma_data_direction)(direction))
#define pci_map_sg(hwdev, sg, nents, direction)                                         \
	dma_map_sg(&(hwdev)->dev, (sg), (nents), (enum dma_data_direction)(direction))
#define pci_unmap_sg(hwdev, sg, nents, direction)                                       \
	dma_unmap_sg(&(hwdev)->dev, (sg), (nents), (enum dma_data_direction)(direction))
#define pci_dma_sync_single_for_cpu(hwdev, dma_handle, size, direction)                 \
	dma_sync_single_for_cpu(&(hwdev)->dev, (dma_handle), (size),                    \
				(enum dma_data_direction)(direction))
#define pci_dma_sync_single_for_device(hwdev, dma_handle, size, direction)              \
	dma_sync_single_for_device(&(hwdev)->dev, (dma_handle), (size),                 \
				   (enum dma_data_direction)(direction))
#define pci_dma_mapping_error(pdev, dma_addr) dma_mapping_error(&(pdev)->dev, (dma_addr))
#define pci_set_dma_mask(dev, mask) dma_set_mask(&(dev)->dev, (mask))
#define pci_set_consistent_dma_mask(dev, mask) dma_set_coherent_mask(&(dev)->dev, (mask))
#endif

#endif /* DMP_COMPAT_LINUX_PCI_H */
