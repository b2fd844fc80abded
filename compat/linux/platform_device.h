/* SPDX-License-Identifier: MIT */
/*
 * <linux/platform_device.h> for dmaport's Linux-compat layer: platform
 * devices and drivers.
 *
 * The driver core creates a platform device for every enabled device-tree
 * node with a compatible under the root or a "simple-bus" (Linux's
 * of_platform_populate) of the machine the program loaded (see
 * <dmaport/linux.h>): its name is the node's ("9100000.dma"), its resources
 * the node's reg (IORESOURCE_MEM, translated to CPU addresses) and
 * interrupts (IORESOURCE_IRQ), its of_node the node, its DMA configuration
 * the node's (dma-ranges, dma-coherent, iommus, memory-region).  A driver
 * binds by of_match_table against the node's compatible strings (in the
 * table's order of preference, as Linux), then by id_table, then by name.
 *
 * remove: Linux 6.11 made it return void; before, int (6.3 .. 6.12 also had
 * remove_new, returning void).  The struct follows DMP_LINUX_VERSION (see
 * <linux/kconfig.h>); the registration macros tell the runtime which form
 * this driver uses.  Its return value is ignored, as Linux ignores it.
 */
#ifndef DMP_COMPAT_LINUX_PLATFORM_DEVICE_H
#define DMP_COMPAT_LINUX_PLATFORM_DEVICE_H

#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/mod_devicetable.h>
#include <linux/of.h>

#define PLATFORM_DEVID_NONE (-1)
#define PLATFORM_DEVID_AUTO (-2)

struct mfd_cell;

struct platform_device {
	const char *name;
	int id;
	bool id_auto;
	struct device dev;
	u64 platform_dma_mask;
	struct device_dma_parameters dma_parms;
	u32 num_resources;
	struct resource *resource;
	const struct platform_device_id *id_entry;
	const char *driver_override;
	struct mfd_cell *mfd_cell;
};

#define DMP__LX_REMOVE_INT_FORM (DMP_LINUX_VERSION < KERNEL_VERSION(6, 11, 0))
#define DMP__LX_HAS_REMOVE_NEW                                                          \
	(DMP_LINUX_VERSION >= KERNEL_VERSION(6, 3, 0) && DMP_LINUX_VERSION < KERNEL_VERSION(6, 13, 0))

struct platform_driver {
	int (*probe)(struct platform_device *pdev);
	union {
#if DMP__LX_REMOVE_INT_FORM
		int (*remove)(struct platform_device *pdev);
		void (*dmp__remove_void)(struct platform_device *pdev);
#else
		void (*remove)(struct platform_device *pdev);
		int (*dmp__remove_int)(struct platform_device *pdev);
#endif
	};
#if DMP__LX_HAS_REMOVE_NEW
	void (*remove_new)(struct platform_device *pdev);
#else
	void (*dmp__remove_new)(struct platform_device *pdev);
#endif
	void (*shutdown)(struct platform_device *pdev);
	int (*suspend)(struct platform_device *pdev, pm_message_t state);
	int (*resume)(struct platform_device *pdev);
	struct device_driver driver;
	const struct platform_device_id *id_table;
	bool prevent_deferred_probe;
	bool driver_managed_dma;
	/* dmaport: the form of @remove this driver was compiled with */
	unsigned char dmp_remove_int;
};

extern const struct bus_type platform_bus_type;
extern struct device platform_bus;

#define to_platform_device(x) container_of((x), struct platform_device, dev)
#define to_platform_driver(drv) container_of((drv), struct platform_driver, driver)

int dmp_lx_platform_driver_register(struct platform_driver *drv, struct module *owner,
				    bool remove_int);
#define platform_driver_register(drv)                                                   \
	dmp_lx_platform_driver_register((drv), THIS_MODULE, DMP__LX_REMOVE_INT_FORM)
#define __platform_driver_register(drv, owner)                                          \
	dmp_lx_platform_driver_register((drv), (owner), DMP__LX_REMOVE_INT_FORM)
void platform_driver_unregister(struct platform_driver *drv);
int dmp_lx_platform_driver_probe(struct platform_driver *drv, int (*probe)(struct platform_device *),
				 bool remove_int);
#define platform_driver_probe(drv, probe)                                               \
	dmp_lx_platform_driver_probe((drv), (probe), DMP__LX_REMOVE_INT_FORM)
static inline int dmp__lx_platform_register_drivers(struct platform_driver *const *drivers,
						    unsigned int count, struct module *owner)
{
	unsigned int i;
	int err = 0;
	for (i = 0; i < count; i++) {
		err = dmp_lx_platform_driver_register(drivers[i], owner, DMP__LX_REMOVE_INT_FORM);
		if (err)
			break;
	}
	if (err)
		while (i-- > 0)
			platform_driver_unregister(drivers[i]);
	return err;
}
#define platform_register_drivers(drivers, count)                                       \
	dmp__lx_platform_register_drivers(drivers, count, THIS_MODULE)
static inline void platform_unregister_drivers(struct platform_driver *const *drivers,
					       unsigned int count)
{
	while (count-- > 0)
		platform_driver_unregister(drivers[count]);
}

#define module_platform_driver(__platform_driver)                                       \
	module_driver(__platform_driver, platform_driver_register, platform_driver_unregister)
#define builtin_platform_driver(__platform_driver)                                      \
	builtin_driver(__platform_driver, platform_driver_register)
#define module_platform_driver_probe(__platform_driver, __platform_probe)               \
	static int __init __platform_driver##_init(void)                                \
	{                                                                               \
		return platform_driver_probe(&(__platform_driver), __platform_probe);   \
	}                                                                               \
	module_init(__platform_driver##_init);                                          \
	static void __exit __platform_driver##_exit(void)                               \
	{                                                                               \
		platform_driver_unregister(&(__platform_driver));                       \
	}                                                                               \
	module_exit(__platform_driver##_exit)
#define builtin_platform_driver_probe(drv, probe) module_platform_driver_probe(drv, probe)

/* Devices a driver or test creates itself (Linux's API). */
struct platform_device *platform_device_alloc(const char *name, int id);
int platform_device_add_resources(struct platform_device *pdev, const struct resource *res,
				  unsigned int num);
int platform_device_add_data(struct platform_device *pdev, const void *data, size_t size);
int platform_device_add(struct platform_device *pdev);
void platform_device_del(struct platform_device *pdev);
void platform_device_put(struct platform_device *pdev);
int platform_device_register(struct platform_device *pdev);
void platform_device_unregister(struct platform_device *pdev);
struct platform_device *platform_device_register_resndata(struct device *parent, const char *name,
							   int id, const struct resource *res,
							   unsigned int num, const void *data,
							   size_t size);
static inline struct platform_device *platform_device_register_simple(const char *name, int id,
								      const struct resource *res,
								      unsigned int num)
{
	return platform_device_register_resndata(NULL, name, id, res, num, NULL, 0);
}
static inline struct platform_device *platform_device_register_data(struct device *parent,
								    const char *name, int id,
								    const void *data, size_t size)
{
	return platform_device_register_resndata(parent, name, id, NULL, 0, data, size);
}

struct resource *platform_get_resource(struct platform_device *pdev, unsigned int type,
				       unsigned int num);
struct resource *platform_get_resource_byname(struct platform_device *pdev, unsigned int type,
					      const char *name);
struct resource *platform_get_mem_or_io(struct platform_device *pdev, unsigned int num);
int platform_get_irq(struct platform_device *pdev, unsigned int num);
int platform_get_irq_optional(struct platform_device *pdev, unsigned int num);
int platform_get_irq_byname(struct platform_device *pdev, const char *name);
int platform_get_irq_byname_optional(struct platform_device *pdev, const char *name);
int platform_irq_count(struct platform_device *pdev);
void __iomem *devm_platform_ioremap_resource(struct platform_device *pdev, unsigned int index);
void __iomem *devm_platform_get_and_ioremap_resource(struct platform_device *pdev,
						     unsigned int index, struct resource **res);
void __iomem *devm_platform_ioremap_resource_byname(struct platform_device *pdev,
						    const char *name);
#define platform_get_device_id(pdev) ((pdev)->id_entry)

static inline void *platform_get_drvdata(const struct platform_device *pdev)
{
	return dev_get_drvdata(&pdev->dev);
}

static inline void platform_set_drvdata(struct platform_device *pdev, void *data)
{
	dev_set_drvdata(&pdev->dev, data);
}

#define dev_is_platform(dev) ((dev)->bus == &platform_bus_type)

#endif /* DMP_COMPAT_LINUX_PLATFORM_DEVICE_H */
