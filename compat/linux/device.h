/* SPDX-License-Identifier: MIT */
/*
 * <linux/device.h> for dmaport's Linux-compat layer: struct device, drivers
 * and buses, device resource management (devres), and the dev_* messages.
 *
 * struct device wraps struct dmp_device: its first member @dmp IS the
 * dmaport device (the compat DMA API passes &dev->dmp), and the members
 * Linux drivers touch are names for the same storage, through an anonymous
 * union checked member by member at compile time:
 *   dev->dma_mask           u64 * (NULL: the device cannot do DMA), pointing
 *                           by default at storage inside the device, as a
 *                           Linux platform device's does;
 *   dev->coherent_dma_mask  the coherent mask;
 *   dev->bus_dma_limit      the interconnect's limit (0: none);
 *   dev->dma_coherent       the device snoops the CPU caches.
 * The other members are Linux's: parent, of_node, fwnode, bus, driver,
 * driver_data (use dev_get/set_drvdata), platform_data, dma_parms, release,
 * init_name, devt, id.
 *
 * Devices come from the driver core (platform and PCI devices the machine's
 * device tree describes, see <dmaport/linux.h>), or from a driver or test
 * that registers its own (device_initialize + dev_set_name + device_add, or
 * device_register), as Linux's.  put_device() of the last reference calls
 * @release.  A device in the caller's storage that never goes through
 * device_initialize (a test's) works with the DMA API as a plain struct
 * dmp_device set up with dmp_device_init(&dev->dmp, name).
 *
 * devres: devm_* allocations and actions are recorded on the device and
 * released in the reverse order of their addition when the driver unbinds
 * (after its remove), when its probe fails, or when the device is deleted -
 * Linux's rules (Documentation/driver-api/driver-model/devres.rst).
 *
 * dev_err/dev_warn/dev_notice/dev_info print "<device name>: <message>"
 * through printk's sink; dev_dbg prints only with DEBUG defined.
 */
#ifndef DMP_COMPAT_LINUX_DEVICE_H
#define DMP_COMPAT_LINUX_DEVICE_H

#include <stdatomic.h>

#include <dmaport/device.h>

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/err.h>
#include <linux/ioport.h>
#include <linux/kconfig.h>
#include <linux/mod_devicetable.h>
#include <linux/pm.h>
#include <linux/sysfs.h>

struct device;
struct device_driver;
struct device_node;
struct fwnode_handle;
struct module;
struct class;
struct iommu_group;
struct dmp_lx_devres;

struct device_dma_parameters {
	unsigned int max_segment_size;
	unsigned int min_align_mask;
	unsigned long segment_boundary_mask;
};

struct device_type {
	const char *name;
	const struct attribute_group **groups;
	void (*release)(struct device *dev);
};

/**
 * struct bus_type - a bus of the driver core: platform_bus_type and
 * pci_bus_type are the compat runtime's.  @match says whether a driver
 * handles a device; @probe and @remove call the driver's.
 */
struct bus_type {
	const char *name;
	const char *dev_name;
	const struct attribute_group **bus_groups;
	const struct attribute_group **dev_groups;
	const struct attribute_group **drv_groups;
	int (*match)(struct device *dev, const struct device_driver *drv);
	int (*probe)(struct device *dev);
	void (*sync_state)(struct device *dev);
	void (*remove)(struct device *dev);
	void (*shutdown)(struct device *dev);
	const struct dev_pm_ops *pm;
	bool need_parent_lock;
};

enum probe_type {
	PROBE_DEFAULT_STRATEGY,
	PROBE_PREFER_ASYNCHRONOUS,
	PROBE_FORCE_SYNCHRONOUS,
};

struct device_driver {
	const char *name;
	const struct bus_type *bus;
	struct module *owner;
	const char *mod_name;
	bool suppress_bind_attrs;
	enum probe_type probe_type;
	const struct of_device_id *of_match_table;
	const struct acpi_device_id *acpi_match_table;
	int (*probe)(struct device *dev);
	void (*sync_state)(struct device *dev);
	int (*remove)(struct device *dev);
	void (*shutdown)(struct device *dev);
	int (*suspend)(struct device *dev, pm_message_t state);
	int (*resume)(struct device *dev);
	const struct attribute_group **groups;
	const struct attribute_group **dev_groups;
	const struct dev_pm_ops *pm;
	void (*coredump)(struct device *dev);
	/* dmaport: the driver core's */
	struct list_head dmp_node;
	bool dmp_registered;
};

struct kobject {
	const char *name;
	struct kobject *parent;
};

/*
 * struct dev_archdata - the architecture's per-device data: ARM's IOMMU
 * mapping (<asm/dma-iommu.h>, set by arm_iommu_attach_device()).
 */
struct dma_iommu_mapping;
struct dev_archdata {
	struct dma_iommu_mapping *mapping;
	void *iommu;
};

struct device {
	union {
		struct dmp_device dmp;
		struct {
			char dmp__name[DMP_DEVICE_NAME_MAX];
			u64 *dma_mask;
			u64 coherent_dma_mask;
			u64 bus_dma_limit;
			struct dmp_dma_range dmp__ranges[DMP_DEVICE_MAX_RANGES];
			unsigned int dmp__nr_ranges;
			bool dma_coherent;
		};
	};
	struct device *parent;
	struct kobject kobj;
	const char *init_name;
	const struct device_type *type;
	const struct bus_type *bus;
	struct device_driver *driver;
	void *platform_data;
	void *driver_data;
	struct dev_pm_info power;
	struct device_dma_parameters *dma_parms;
	struct device_node *of_node;
	struct fwnode_handle *fwnode;
	int numa_node;
	dev_t devt;
	u32 id;
	struct class *class;
	const struct attribute_group **groups;
	void (*release)(struct device *dev);
	struct iommu_group *iommu_group;
	struct dev_archdata archdata;
	bool offline_disabled;
	bool offline;
	bool of_node_reused;
	bool dma_skip_sync;
	bool dma_ops_bypass;
	/* dmaport: the driver core's bookkeeping */
	struct dmp_lx_devres *dmp_devres;  /* newest first */
	struct list_head dmp_node;         /* on its bus */
	int dmp_refs;
	bool dmp_initialized;              /* device_initialize() was called */
	bool dmp_added;                    /* device_add() succeeded */
	bool dmp_dma_set_up;               /* @dmp is set up (dmp_device_init) */
	bool dmp_deferred;                 /* its last probe returned -EPROBE_DEFER */
	unsigned char dmp_remove_kind;     /* how to call its driver's remove */
	void *dmp_hw;                      /* the machine's record of it */
};

#define DMP__LX_SAME(field)                                                             \
	_Static_assert(offsetof(struct device, field) == offsetof(struct device, dmp.field) && \
			       sizeof(((struct device *)0)->field) ==                   \
				       sizeof(((struct device *)0)->dmp.field),         \
		       "struct device." #field " must alias struct dmp_device." #field)
DMP__LX_SAME(dma_mask);
DMP__LX_SAME(coherent_dma_mask);
DMP__LX_SAME(bus_dma_limit);
DMP__LX_SAME(dma_coherent);
#undef DMP__LX_SAME

#define kobj_to_dev(k) container_of(k, struct device, kobj)

/*
 * dmp__lx_dev - the dmaport device of @dev (NULL for NULL), marked as driven
 * by Linux's names, so the checker's advice speaks them.
 */
static inline struct dmp_device *dmp__lx_dev(struct device *dev)
{
	if (!dev)
		return NULL;
	if (!atomic_load_explicit(&dev->dmp.linux_api, memory_order_relaxed))
		atomic_store_explicit(&dev->dmp.linux_api, true, memory_order_relaxed);
	return &dev->dmp;
}

static inline const char *dev_name(const struct device *dev)
{
	return dev->dmp.name;
}

int dev_set_name(struct device *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

static inline void *dev_get_platdata(const struct device *dev)
{
	return dev->platform_data;
}

static inline const char *dev_driver_string(const struct device *dev)
{
	return dev->driver && dev->driver->name ? dev->driver->name
		: dev->bus && dev->bus->name ? dev->bus->name : "";
}

static inline const char *dev_bus_name(const struct device *dev)
{
	return dev->bus ? dev->bus->name : "";
}

static inline struct device_node *dev_of_node(struct device *dev)
{
	return dev->of_node;
}

static inline bool device_is_bound(struct device *dev)
{
	return dev->driver != NULL;
}
#define device_is_registered(dev) ((dev)->dmp_added)
#define dev_is_platform(dev) ((dev)->bus == &platform_bus_type)
#define device_set_wakeup_capable(dev, v) do { (void)(dev); (void)(v); } while (0)
#define device_init_wakeup(dev, v) __extension__({ (void)(dev); (void)(v); 0; })
#define device_may_wakeup(dev) false
#define device_enable_async_suspend(dev) do { (void)(dev); } while (0)
#define device_set_of_node_from_dev(dev, dev2) ((dev)->of_node = (dev2)->of_node)

/* The driver core (compat/kernel/core.c). */
void device_initialize(struct device *dev);
int device_add(struct device *dev);
void device_del(struct device *dev);
int device_register(struct device *dev);
void device_unregister(struct device *dev);
struct device *get_device(struct device *dev);
void put_device(struct device *dev);
int driver_register(struct device_driver *drv);
void driver_unregister(struct device_driver *drv);
int device_attach(struct device *dev);
int device_driver_attach(const struct device_driver *drv, struct device *dev);
void device_release_driver(struct device *dev);
int driver_attach(const struct device_driver *drv);
int device_for_each_child(struct device *parent, void *data,
			  int (*fn)(struct device *dev, void *data));
struct device *bus_find_device_by_name(const struct bus_type *bus, struct device *start,
				       const char *name);
int bus_for_each_dev(const struct bus_type *bus, struct device *start, void *data,
		     int (*fn)(struct device *dev, void *data));
int bus_for_each_drv(const struct bus_type *bus, struct device_driver *start, void *data,
		     int (*fn)(struct device_driver *drv, void *data));
void wait_for_device_probe(void);
#define device_lock(dev) do { (void)(dev); } while (0)
#define device_unlock(dev) do { (void)(dev); } while (0)
#define device_lock_assert(dev) do { (void)(dev); } while (0)

/* A root device (a parent for a driver's own devices). */
struct device *root_device_register(const char *name);
void root_device_unregister(struct device *root);

/*
 * devres.
 */
typedef void (*dr_release_t)(struct device *dev, void *res);
typedef int (*dr_match_t)(struct device *dev, void *res, void *match_data);

void *__devres_alloc_node(dr_release_t release, size_t size, gfp_t gfp, int nid, const char *name);
#define devres_alloc(release, size, gfp) __devres_alloc_node(release, size, gfp, -1, #release)
#define devres_alloc_node(release, size, gfp, nid)                                      \
	__devres_alloc_node(release, size, gfp, nid, #release)
void devres_free(void *res);
void devres_add(struct device *dev, void *res);
void *devres_find(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);
void *devres_get(struct device *dev, void *new_res, dr_match_t match, void *match_data);
void *devres_remove(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);
int devres_destroy(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);
int devres_release(struct device *dev, dr_release_t release, dr_match_t match, void *match_data);
void *devres_open_group(struct device *dev, void *id, gfp_t gfp);
void devres_close_group(struct device *dev, void *id);
void devres_remove_group(struct device *dev, void *id);
int devres_release_group(struct device *dev, void *id);
int devres_release_all(struct device *dev);
/* dmp_lx_devres_count - the device's live devres entries (for tests). */
unsigned int dmp_lx_devres_count(struct device *dev);

int __devm_add_action(struct device *dev, void (*action)(void *), void *data, const char *name);
#define devm_add_action(dev, action, data) __devm_add_action(dev, action, data, #action)
static inline int __devm_add_action_or_reset(struct device *dev, void (*action)(void *),
					     void *data, const char *name)
{
	int ret = __devm_add_action(dev, action, data, name);
	if (ret)
		action(data);
	return ret;
}
#define devm_add_action_or_reset(dev, action, data)                                     \
	__devm_add_action_or_reset(dev, action, data, #action)
void devm_remove_action(struct device *dev, void (*action)(void *), void *data);
void devm_release_action(struct device *dev, void (*action)(void *), void *data);
int devm_remove_action_nowarn(struct device *dev, void (*action)(void *), void *data);

void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp) __attribute__((malloc));
void *devm_krealloc(struct device *dev, void *ptr, size_t size, gfp_t gfp);
void devm_kfree(struct device *dev, const void *p);
char *devm_kstrdup(struct device *dev, const char *s, gfp_t gfp);
const char *devm_kstrdup_const(struct device *dev, const char *s, gfp_t gfp);
void *devm_kmemdup(struct device *dev, const void *src, size_t len, gfp_t gfp);
char *devm_kvasprintf(struct device *dev, gfp_t gfp, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
char *devm_kasprintf(struct device *dev, gfp_t gfp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp)
{
	return devm_kmalloc(dev, size, gfp | __GFP_ZERO);
}
static inline void *devm_kmalloc_array(struct device *dev, size_t n, size_t size, gfp_t flags)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return devm_kmalloc(dev, n * size, flags);
}
static inline void *devm_kcalloc(struct device *dev, size_t n, size_t size, gfp_t flags)
{
	return devm_kmalloc_array(dev, n, size, flags | __GFP_ZERO);
}
unsigned long devm_get_free_pages(struct device *dev, gfp_t gfp_mask, unsigned int order);
void devm_free_pages(struct device *dev, unsigned long addr);

/*
 * Messages.
 */
static inline int dmp__lx_dev_printk(const struct device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int dmp__lx_dev_printk(const struct device *dev, const char *fmt, ...)
{
	char prefix[DMP_DEVICE_NAME_MAX + 4];
	snprintf(prefix, sizeof(prefix), "%s: ", dev ? dev_name(dev) : "(NULL device *)");
	va_list ap;
	va_start(ap, fmt);
	int n = dmp__lx_vprintk(prefix, fmt, ap);
	va_end(ap);
	return n;
}

#ifndef dev_fmt
#define dev_fmt(fmt) fmt
#endif

#define dev_printk(level, dev, fmt, ...) dmp__lx_dev_printk(dev, level fmt, ##__VA_ARGS__)
#define dev_emerg(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_EMERG dev_fmt(fmt), ##__VA_ARGS__)
#define dev_alert(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_ALERT dev_fmt(fmt), ##__VA_ARGS__)
#define dev_crit(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_CRIT dev_fmt(fmt), ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_ERR dev_fmt(fmt), ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_WARNING dev_fmt(fmt), ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_NOTICE dev_fmt(fmt), ##__VA_ARGS__)
#define dev_info(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_INFO dev_fmt(fmt), ##__VA_ARGS__)
#ifdef DEBUG
#define dev_dbg(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_DEBUG dev_fmt(fmt), ##__VA_ARGS__)
#else
#define dev_dbg(dev, fmt, ...)                                                          \
	__extension__({                                                                 \
		if (0)                                                                  \
			dmp__lx_dev_printk(dev, KERN_DEBUG dev_fmt(fmt), ##__VA_ARGS__); \
		0;                                                                      \
	})
#endif
#define dev_vdbg dev_dbg
#define dev_err_once(dev, fmt, ...) dev_err(dev, fmt, ##__VA_ARGS__)
#define dev_warn_once(dev, fmt, ...) dev_warn(dev, fmt, ##__VA_ARGS__)
#define dev_info_once(dev, fmt, ...) dev_info(dev, fmt, ##__VA_ARGS__)
#define dev_dbg_once(dev, fmt, ...) dev_dbg(dev, fmt, ##__VA_ARGS__)
#define dev_err_ratelimited(dev, fmt, ...) dev_err(dev, fmt, ##__VA_ARGS__)
#define dev_warn_ratelimited(dev, fmt, ...) dev_warn(dev, fmt, ##__VA_ARGS__)
#define dev_info_ratelimited(dev, fmt, ...) dev_info(dev, fmt, ##__VA_ARGS__)
#define dev_notice_ratelimited(dev, fmt, ...) dev_notice(dev, fmt, ##__VA_ARGS__)
#define dev_dbg_ratelimited(dev, fmt, ...) dev_dbg(dev, fmt, ##__VA_ARGS__)
#define dev_WARN(dev, fmt, ...) WARN(1, "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_WARN_ONCE(dev, cond, fmt, ...) WARN_ONCE(cond, "%s: " fmt, dev_name(dev), ##__VA_ARGS__)

/**
 * dev_err_probe - the probe error message idiom: print @fmt as dev_err()
 * unless @err is -EPROBE_DEFER (then it is only a debug message, as Linux
 * records the reason), and return @err.
 */
int dev_err_probe(const struct device *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define dev_warn_probe(dev, err, fmt, ...) dev_err_probe(dev, err, fmt, ##__VA_ARGS__)

#include <linux/device/driver.h>
/* what Linux's <linux/device.h> brings in through kobject, klist, pm ... */
#include <linux/sched.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/wait.h>
#include <linux/completion.h>
#include <linux/workqueue.h>
#include <linux/string.h>
#include <linux/overflow.h>
#include <linux/idr.h>
#include <linux/bitmap.h>

#endif /* DMP_COMPAT_LINUX_DEVICE_H */
