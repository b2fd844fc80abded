/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the platform bus of the Linux-compat runtime: devices from
 * the device tree (Linux's of_platform_populate) or made by code, drivers
 * matched by of_match_table / id_table / name (see <linux/platform_device.h>).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <linux/of_platform.h>
#include <linux/of_irq.h>
#include <linux/of_address.h>

#include "runtime.h"

struct device platform_bus = { .dmp = { .name = "platform" } };

/* A platform device and what it owns (Linux's struct platform_object). */
struct platform_object {
	struct platform_device pdev;
	struct resource *res;
	void *data;
	char name[];
};

static const struct platform_device_id *match_id(const struct platform_device_id *id,
						 const struct platform_device *pdev)
{
	for (; id && id->name[0]; id++)
		if (!strcmp(pdev->name, id->name))
			return id;
	return NULL;
}

static int platform_match(struct device *dev, const struct device_driver *drv)
{
	struct platform_device *pdev = to_platform_device(dev);
	const struct platform_driver *pdrv = to_platform_driver(drv);
	if (pdev->driver_override)
		return !strcmp(pdev->driver_override, drv->name);
	if (drv->of_match_table && of_match_node(drv->of_match_table, dev->of_node))
		return 1;
	if (pdrv->id_table)
		return match_id(pdrv->id_table, pdev) != NULL;
	return drv->name && !strcmp(pdev->name, drv->name);
}

static int platform_probe(struct device *dev)
{
	struct platform_device *pdev = to_platform_device(dev);
	struct platform_driver *drv = to_platform_driver(dev->driver);
	if (drv->id_table && !dev->of_node)
		pdev->id_entry = match_id(drv->id_table, pdev);
	else if (drv->id_table && !of_match_node(drv->driver.of_match_table, dev->of_node))
		pdev->id_entry = match_id(drv->id_table, pdev);
	if (!drv->probe)
		return 0;
	int ret = drv->probe(pdev);
	if (ret && drv->prevent_deferred_probe && ret == -EPROBE_DEFER) {
		dev_warn(dev, "probe deferral not supported");
		ret = -ENXIO;
	}
	return ret;
}

static void platform_remove(struct device *dev)
{
	struct platform_device *pdev = to_platform_device(dev);
	struct platform_driver *drv = to_platform_driver(dev->driver);
	/* remove_new and the spare slot share the position; see the header */
#if DMP__LX_HAS_REMOVE_NEW
	void (*remove_new)(struct platform_device *) = drv->remove_new;
#else
	void (*remove_new)(struct platform_device *) = drv->dmp__remove_new;
#endif
	if (remove_new) {
		remove_new(pdev);
		return;
	}
	if (drv->dmp_remove_int) {
		int (*remove_int)(struct platform_device *);
#if DMP__LX_REMOVE_INT_FORM
		remove_int = drv->remove;
#else
		remove_int = drv->dmp__remove_int;
#endif
		if (remove_int && remove_int(pdev))
			dev_warn(dev, "remove callback returned a non-zero value. This will be "
				      "ignored.");
		return;
	}
	void (*remove_void)(struct platform_device *);
#if DMP__LX_REMOVE_INT_FORM
	remove_void = drv->dmp__remove_void;
#else
	remove_void = drv->remove;
#endif
	if (remove_void)
		remove_void(pdev);
}

static void platform_shutdown(struct device *dev)
{
	struct platform_driver *drv = dev->driver ? to_platform_driver(dev->driver) : NULL;
	if (drv && drv->shutdown)
		drv->shutdown(to_platform_device(dev));
}

const struct bus_type platform_bus_type = {
	.name = "platform",
	.match = platform_match,
	.probe = platform_probe,
	.remove = platform_remove,
	.shutdown = platform_shutdown,
};

int dmp_lx_platform_driver_register(struct platform_driver *drv, struct module *owner,
				    bool remove_int)
{
	drv->driver.owner = owner;
	drv->driver.bus = &platform_bus_type;
	drv->dmp_remove_int = remove_int;
	return driver_register(&drv->driver);
}

void platform_driver_unregister(struct platform_driver *drv)
{
	driver_unregister(&drv->driver);
}

static int bound_to(struct device *dev, void *data)
{
	return dev->driver == data;
}

int dmp_lx_platform_driver_probe(struct platform_driver *drv,
				 int (*probe)(struct platform_device *), bool remove_int)
{
	/* Linux's: bind what exists now, and fail if nothing bound */
	drv->prevent_deferred_probe = true;
	drv->probe = probe;
	int ret = dmp_lx_platform_driver_register(drv, NULL, remove_int);
	if (ret)
		return ret;
	if (!bus_for_each_dev(&platform_bus_type, NULL, &drv->driver, bound_to)) {
		platform_driver_unregister(drv);
		return -ENODEV;
	}
	return 0;
}

/* --- devices ---------------------------------------------------------------------- */

static void platform_release(struct device *dev)
{
	struct platform_object *po = container_of(to_platform_device(dev), struct platform_object,
						  pdev);
	free(po->res);
	free(po->data);
	free((char *)(uintptr_t)po->pdev.driver_override);
	free(po);
}

struct platform_device *platform_device_alloc(const char *name, int id)
{
	size_t n = strlen(name) + 1;
	struct platform_object *po = calloc(1, sizeof(*po) + n);
	if (!po)
		return NULL;
	memcpy(po->name, name, n);
	po->pdev.name = po->name;
	po->pdev.id = id;
	po->pdev.dev.release = platform_release;
	/* Linux's setup_pdev_dma_masks: 32-bit masks, DMA possible */
	dmp_device_init(&po->pdev.dev.dmp, name[0] ? name : "platform");
	po->pdev.dev.dmp_dma_set_up = true;
	po->pdev.platform_dma_mask = DMA_BIT_MASK(32);
	po->pdev.dev.dma_parms = &po->pdev.dma_parms;
	po->pdev.dma_parms.max_segment_size = 65536;
	po->pdev.dma_parms.segment_boundary_mask = ~0UL;
	device_initialize(&po->pdev.dev);
	return &po->pdev;
}

int platform_device_add_resources(struct platform_device *pdev, const struct resource *res,
				  unsigned int num)
{
	struct platform_object *po = container_of(pdev, struct platform_object, pdev);
	struct resource *r = NULL;
	if (res && num) {
		r = calloc(num, sizeof(*r));
		if (!r)
			return -ENOMEM;
		memcpy(r, res, num * sizeof(*r));
	}
	free(po->res);
	po->res = r;
	pdev->resource = r;
	pdev->num_resources = r ? num : 0;
	return 0;
}

int platform_device_add_data(struct platform_device *pdev, const void *data, size_t size)
{
	struct platform_object *po = container_of(pdev, struct platform_object, pdev);
	void *d = NULL;
	if (data) {
		d = malloc(size ? size : 1);
		if (!d)
			return -ENOMEM;
		memcpy(d, data, size);
	}
	free(po->data);
	po->data = d;
	pdev->dev.platform_data = d;
	return 0;
}

static int auto_id;

int platform_device_add(struct platform_device *pdev)
{
	if (!pdev->dev.parent)
		pdev->dev.parent = &platform_bus;
	pdev->dev.bus = &platform_bus_type;
	if (!pdev->dev.dmp.name[0] || pdev->name[0]) {
		switch (pdev->id) {
		case PLATFORM_DEVID_NONE:
			dev_set_name(&pdev->dev, "%s", pdev->name);
			break;
		case PLATFORM_DEVID_AUTO:
			pdev->id = auto_id++;
			pdev->id_auto = true;
			dev_set_name(&pdev->dev, "%s.%d.auto", pdev->name, pdev->id);
			break;
		default:
			dev_set_name(&pdev->dev, "%s.%d", pdev->name, pdev->id);
		}
	}
	return device_add(&pdev->dev);
}

void platform_device_del(struct platform_device *pdev)
{
	if (pdev)
		device_del(&pdev->dev);
}

void platform_device_put(struct platform_device *pdev)
{
	if (pdev)
		put_device(&pdev->dev);
}

int platform_device_register(struct platform_device *pdev)
{
	device_initialize(&pdev->dev);
	if (!pdev->dev.dmp_dma_set_up || !pdev->dev.dmp.dma_mask) {
		/* a static platform device: Linux's DMA defaults */
		dmp_device_init(&pdev->dev.dmp, pdev->name);
		pdev->dev.dmp_dma_set_up = true;
	}
	return platform_device_add(pdev);
}

void platform_device_unregister(struct platform_device *pdev)
{
	platform_device_del(pdev);
	platform_device_put(pdev);
}

struct platform_device *platform_device_register_resndata(struct device *parent, const char *name,
							   int id, const struct resource *res,
							   unsigned int num, const void *data,
							   size_t size)
{
	struct platform_device *pdev = platform_device_alloc(name, id);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	pdev->dev.parent = parent;
	int e = platform_device_add_resources(pdev, res, num);
	if (!e)
		e = platform_device_add_data(pdev, data, size);
	if (!e)
		e = platform_device_add(pdev);
	if (e) {
		platform_device_put(pdev);
		return ERR_PTR(e);
	}
	return pdev;
}

/* --- resources --------------------------------------------------------------------- */

struct resource *platform_get_resource(struct platform_device *pdev, unsigned int type,
				       unsigned int num)
{
	for (u32 i = 0; i < pdev->num_resources; i++) {
		struct resource *r = &pdev->resource[i];
		if (type == resource_type(r) && num-- == 0)
			return r;
	}
	return NULL;
}

struct resource *platform_get_mem_or_io(struct platform_device *pdev, unsigned int num)
{
	for (u32 i = 0; i < pdev->num_resources; i++) {
		struct resource *r = &pdev->resource[i];
		if ((resource_type(r) & (IORESOURCE_MEM | IORESOURCE_IO)) && num-- == 0)
			return r;
	}
	return NULL;
}

struct resource *platform_get_resource_byname(struct platform_device *pdev, unsigned int type,
					      const char *name)
{
	for (u32 i = 0; i < pdev->num_resources; i++) {
		struct resource *r = &pdev->resource[i];
		if (type == resource_type(r) && r->name && !strcmp(r->name, name))
			return r;
	}
	return NULL;
}

int platform_get_irq_optional(struct platform_device *pdev, unsigned int num)
{
	if (pdev->dev.of_node) {
		int irq = of_irq_get(pdev->dev.of_node, (int)num);
		if (irq > 0 || irq == -EPROBE_DEFER)
			return irq;
	}
	struct resource *r = platform_get_resource(pdev, IORESOURCE_IRQ, num);
	if (r && r->start > 0)
		return (int)r->start;
	return -ENXIO;
}

int platform_get_irq(struct platform_device *pdev, unsigned int num)
{
	int irq = platform_get_irq_optional(pdev, num);
	if (irq < 0 && irq != -EPROBE_DEFER)
		dev_err(&pdev->dev, "IRQ index %u not found", num);
	return irq;
}

int platform_get_irq_byname_optional(struct platform_device *pdev, const char *name)
{
	if (pdev->dev.of_node) {
		int irq = of_irq_get_byname(pdev->dev.of_node, name);
		if (irq > 0 || irq == -EPROBE_DEFER)
			return irq;
	}
	struct resource *r = platform_get_resource_byname(pdev, IORESOURCE_IRQ, name);
	return r && r->start > 0 ? (int)r->start : -ENXIO;
}

int platform_get_irq_byname(struct platform_device *pdev, const char *name)
{
	int irq = platform_get_irq_byname_optional(pdev, name);
	if (irq < 0 && irq != -EPROBE_DEFER)
		dev_err(&pdev->dev, "IRQ %s not found", name);
	return irq;
}

int platform_irq_count(struct platform_device *pdev)
{
	int n = 0;
	while (platform_get_irq_optional(pdev, (unsigned int)n) > 0)
		n++;
	return n;
}

void __iomem *devm_platform_get_and_ioremap_resource(struct platform_device *pdev,
						     unsigned int index, struct resource **res)
{
	struct resource *r = platform_get_resource(pdev, IORESOURCE_MEM, index);
	if (res)
		*res = r;
	return devm_ioremap_resource(&pdev->dev, r);
}

void __iomem *devm_platform_ioremap_resource(struct platform_device *pdev, unsigned int index)
{
	return devm_platform_get_and_ioremap_resource(pdev, index, NULL);
}

void __iomem *devm_platform_ioremap_resource_byname(struct platform_device *pdev,
						    const char *name)
{
	return devm_ioremap_resource(&pdev->dev,
				     platform_get_resource_byname(pdev, IORESOURCE_MEM, name));
}

void __iomem *devm_of_iomap(struct device *dev, struct device_node *node, int index,
			    resource_size_t *size)
{
	struct resource res;
	if (of_address_to_resource(node, index, &res))
		return ERR_PTR(-EINVAL);
	if (size)
		*size = resource_size(&res);
	return devm_ioremap_resource(dev, &res);
}

/* --- the device tree's platform devices ----------------------------------------------- */

const struct of_device_id of_default_bus_match_table[] = {
	{ .compatible = "simple-bus" },
	{ .compatible = "simple-mfd" },
	{ .compatible = "isa" },
	{ .compatible = "arm,amba-bus" },
	{}
};

/* The node's device, Linux's of_device_make_bus_id: "<address>.<name>". */
static void make_bus_id(struct device *dev, const struct device_node *np)
{
	u64 addr, size;
	if (!dmp_lx_of_reg(np, 0, &addr, &size))
		dev_set_name(dev, "%llx.%s", (unsigned long long)addr, np->name);
	else
		dev_set_name(dev, "%s", np->name);
}

/* The devices populated from the tree, in creation order (the machine's). */
static struct platform_device **populated;
static unsigned int nr_populated, cap_populated;

static int remember(struct platform_device *pdev)
{
	if (nr_populated == cap_populated) {
		unsigned int cap = cap_populated ? 2 * cap_populated : 16;
		struct platform_device **n = realloc(populated, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		populated = n;
		cap_populated = cap;
	}
	populated[nr_populated++] = pdev;
	return 0;
}

static struct platform_device *create_of_device(struct device_node *np, struct device *parent,
						bool machine)
{
	int nreg = 0, nirq = 0;
	u64 a, s;
	while (dmp_lx_of_reg(np, nreg, &a, &s) == 0)
		nreg++;
	nirq = of_irq_count(np);
	struct platform_device *pdev = platform_device_alloc("", PLATFORM_DEVID_NONE);
	if (!pdev)
		return NULL;
	struct resource *res = calloc((size_t)(nreg + nirq) + 1, sizeof(*res));
	if (!res) {
		platform_device_put(pdev);
		return NULL;
	}
	for (int i = 0; i < nreg; i++)
		of_address_to_resource(np, i, &res[i]);
	int n = nreg;
	for (int i = 0; i < nirq; i++)
		if (of_irq_to_resource(np, i, &res[n]) > 0)
			n++;
	platform_device_add_resources(pdev, res, (unsigned int)n);
	free(res);
	pdev->dev.of_node = of_node_get(np);
	pdev->dev.fwnode = &np->fwnode;
	pdev->dev.parent = parent ? parent : &platform_bus;
	int e = dmp_lx_machine_dma_setup(&pdev->dev, np);
	if (e < 0) {
		dmp_log("of: %s: cannot set up DMA for the device: %d", np->full_name, e);
		platform_device_put(pdev);
		return NULL;
	}
	make_bus_id(&pdev->dev, np);
	pdev->dev.bus = &platform_bus_type;
	if ((machine && remember(pdev)) || device_add(&pdev->dev)) {
		platform_device_put(pdev);
		return NULL;
	}
	return pdev;
}

static bool is_pci_bus(const struct device_node *np)
{
	const char *t = of_get_property(np, "device_type", NULL);
	return t && !strcmp(t, "pci");
}

static int populate(struct device_node *bus, struct device *parent, bool strict)
{
	struct device_node *child;
	for_each_available_child_of_node(bus, child) {
		if (!of_find_property(child, "compatible", NULL))
			continue;
		if (!strict && dmp_lx_device_by_node(child, &platform_bus_type))
			continue; /* populated already */
		struct platform_device *pdev = create_of_device(child, parent, strict);
		if (!pdev)
			continue;
		/* buses' children are devices too; a PCI host's are its functions */
		if (of_match_node(of_default_bus_match_table, child) && !is_pci_bus(child))
			populate(child, &pdev->dev, strict);
	}
	return 0;
}

int dmp_lx_platform_populate(struct device_node *root, struct device *parent)
{
	return populate(root, parent, true);
}

int of_platform_populate(struct device_node *root, const struct of_device_id *matches,
			 const struct of_dev_auxdata *lookup, struct device *parent)
{
	(void)matches;
	(void)lookup;
	return populate(root ? root : of_root, parent, false);
}

static void depopulate_release(void *data)
{
	of_platform_depopulate(data);
}

int devm_of_platform_populate(struct device *dev)
{
	int e = of_platform_populate(dev->of_node, NULL, NULL, dev);
	if (e)
		return e;
	return devm_add_action_or_reset(dev, depopulate_release, dev);
}

static int unregister_child(struct device *dev, void *data)
{
	(void)data;
	if (dev->bus == &platform_bus_type)
		platform_device_unregister(to_platform_device(dev));
	return 0;
}

void of_platform_depopulate(struct device *parent)
{
	device_for_each_child(parent, NULL, unregister_child);
}

struct platform_device *of_find_device_by_node(struct device_node *np)
{
	struct device *dev = dmp_lx_device_by_node(np, &platform_bus_type);
	return dev ? to_platform_device(get_device(dev)) : NULL;
}

void dmp_lx_platform_machine_down(void)
{
	/* children before their bus, as Linux's of_platform_depopulate */
	while (nr_populated) {
		struct platform_device *pdev = populated[--nr_populated];
		if (pdev->dev.dmp_added)
			device_del(&pdev->dev);
		of_node_put(pdev->dev.of_node);
		platform_device_put(pdev);
	}
	free(populated);
	populated = NULL;
	cap_populated = 0;
	auto_id = 0;
}
