/* SPDX-License-Identifier: MIT */
/*
 * core.c - the driver core of the Linux-compat runtime: devices, drivers,
 * binding and unbinding, devres (see <linux/device.h>), busy I/O regions,
 * modules and their parameters.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/memory.h>

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "runtime.h"

/* --- devres ---------------------------------------------------------------------- */

/*
 * One devres entry.  Its data follows the header on its own cache lines
 * (ARCH_DMA_MINALIGN), in DMA-able memory: devm_kzalloc'd buffers may be
 * mapped for DMA, as in Linux, and never share a line with the header.
 */
#define DEVRES_HDR 128

struct dmp_lx_devres {
	struct dmp_lx_devres *next; /* older */
	dr_release_t release;
	const char *name;
	size_t size;
	void *group_id;             /* a group marker's id (release == NULL) */
	bool group_open;            /* open marker: no close marker yet */
	bool group_close;           /* the close marker */
	bool group_drop;            /* devres_release_group's scratch */
	bool added;
};

_Static_assert(sizeof(struct dmp_lx_devres) <= DEVRES_HDR, "devres header fits its lines");

static struct dmp_lx_devres *dr_of(void *res)
{
	return (struct dmp_lx_devres *)((char *)res - DEVRES_HDR);
}

static void *dr_data(struct dmp_lx_devres *dr)
{
	return (char *)dr + DEVRES_HDR;
}

void *__devres_alloc_node(dr_release_t release, size_t size, gfp_t gfp, int nid, const char *name)
{
	(void)nid;
	struct dmp_lx_devres *dr = dmp_kmalloc(DEVRES_HDR + size, gfp & ~__GFP_ZERO);
	if (!dr)
		return NULL;
	memset(dr, 0, DEVRES_HDR + size); /* devres_alloc zeroes, as Linux's */
	dr->release = release;
	dr->name = name;
	dr->size = size;
	return dr_data(dr);
}

void devres_free(void *res)
{
	if (!res)
		return;
	struct dmp_lx_devres *dr = dr_of(res);
	if (dr->added)
		dmp_lx_fatal("BUG: devres_free of a devres still on its device (%s)", dr->name);
	dmp_kfree(dr);
}

void devres_add(struct device *dev, void *res)
{
	struct dmp_lx_devres *dr = dr_of(res);
	dr->next = dev->dmp_devres;
	dr->added = true;
	dev->dmp_devres = dr;
}

static struct dmp_lx_devres **dr_find(struct device *dev, dr_release_t release, dr_match_t match,
				      void *match_data)
{
	for (struct dmp_lx_devres **pp = &dev->dmp_devres; *pp; pp = &(*pp)->next) {
		struct dmp_lx_devres *dr = *pp;
		if (dr->release != release || !release)
			continue;
		if (match && !match(dev, dr_data(dr), match_data))
			continue;
		return pp;
	}
	return NULL;
}

void *devres_find(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	struct dmp_lx_devres **pp = dr_find(dev, release, match, match_data);
	return pp ? dr_data(*pp) : NULL;
}

void *devres_get(struct device *dev, void *new_res, dr_match_t match, void *match_data)
{
	struct dmp_lx_devres *nd = dr_of(new_res);
	void *old = devres_find(dev, nd->release, match, match_data);
	if (old) {
		devres_free(new_res);
		return old;
	}
	devres_add(dev, new_res);
	return new_res;
}

void *devres_remove(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	struct dmp_lx_devres **pp = dr_find(dev, release, match, match_data);
	if (!pp)
		return NULL;
	struct dmp_lx_devres *dr = *pp;
	*pp = dr->next;
	dr->added = false;
	dr->next = NULL;
	return dr_data(dr);
}

int devres_destroy(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	void *res = devres_remove(dev, release, match, match_data);
	if (!res)
		return -ENOENT;
	devres_free(res);
	return 0;
}

int devres_release(struct device *dev, dr_release_t release, dr_match_t match, void *match_data)
{
	void *res = devres_remove(dev, release, match, match_data);
	if (!res)
		return -ENOENT;
	release(dev, res);
	devres_free(res);
	return 0;
}

/* Release (newest first) every entry above @stop (NULL: all). */
static int release_until(struct device *dev, struct dmp_lx_devres *stop)
{
	int n = 0;
	while (dev->dmp_devres && dev->dmp_devres != stop) {
		struct dmp_lx_devres *dr = dev->dmp_devres;
		dev->dmp_devres = dr->next;
		dr->added = false;
		if (dr->release) {
			dr->release(dev, dr_data(dr));
			n++;
		}
		dmp_kfree(dr);
	}
	return n;
}

int devres_release_all(struct device *dev)
{
	return release_until(dev, NULL);
}

void dmp_lx_devres_release_all(struct device *dev)
{
	release_until(dev, NULL);
}

unsigned int dmp_lx_devres_count(struct device *dev)
{
	unsigned int n = 0;
	for (struct dmp_lx_devres *dr = dev->dmp_devres; dr; dr = dr->next)
		n += dr->release != NULL;
	return n;
}

/*
 * Groups, as Linux's (drivers/base/devres.c): an open marker, and once the
 * group is closed a close marker.  Releasing a closed group releases what
 * lies between its markers (what was added after the close stays); an open
 * one, everything added since it opened.  Markers are entries without a
 * release function.
 */
static void *group_marker_add(struct device *dev, void *id, bool close, gfp_t gfp)
{
	void *res = __devres_alloc_node(NULL, 0, gfp, -1, close ? "group-close" : "group-open");
	if (!res)
		return NULL;
	struct dmp_lx_devres *dr = dr_of(res);
	dr->group_id = id ? id : res;
	dr->group_open = !close;
	dr->group_close = close;
	devres_add(dev, res);
	return dr->group_id;
}

void *devres_open_group(struct device *dev, void *id, gfp_t gfp)
{
	return group_marker_add(dev, id, false, gfp);
}

/* The open marker of group @id (NULL: the newest group still open). */
static struct dmp_lx_devres *group_find(struct device *dev, void *id)
{
	for (struct dmp_lx_devres *dr = dev->dmp_devres; dr; dr = dr->next)
		if (!dr->release && !dr->group_close &&
		    (!id ? dr->group_open : dr->group_id == id))
			return dr;
	return NULL;
}

static struct dmp_lx_devres *group_close_marker(struct device *dev, void *id)
{
	for (struct dmp_lx_devres *dr = dev->dmp_devres; dr; dr = dr->next)
		if (!dr->release && dr->group_close && dr->group_id == id)
			return dr;
	return NULL;
}

static void devres_unlink(struct device *dev, struct dmp_lx_devres *victim)
{
	for (struct dmp_lx_devres **pp = &dev->dmp_devres; *pp; pp = &(*pp)->next)
		if (*pp == victim) {
			*pp = victim->next;
			victim->added = false;
			return;
		}
}

void devres_close_group(struct device *dev, void *id)
{
	struct dmp_lx_devres *g = group_find(dev, id);
	if (!g || !g->group_open)
		return;
	/* Linux closes even when the marker cannot be allocated: then the group
	 * reaches to the newest entry, as an open one */
	if (group_marker_add(dev, g->group_id, true, GFP_KERNEL))
		g->group_open = false;
}

void devres_remove_group(struct device *dev, void *id)
{
	struct dmp_lx_devres *g = group_find(dev, id);
	if (!g)
		return;
	struct dmp_lx_devres *c = g->group_open ? NULL : group_close_marker(dev, g->group_id);
	if (c) {
		devres_unlink(dev, c);
		dmp_kfree(c);
	}
	devres_unlink(dev, g);
	dmp_kfree(g);
}

/* Whether group @id's other marker lies strictly between @from and @stop. */
static bool partner_in_range(struct dmp_lx_devres *from, struct dmp_lx_devres *stop,
			     const struct dmp_lx_devres *m)
{
	for (struct dmp_lx_devres *dr = from; dr && dr != stop; dr = dr->next)
		if (dr != m && !dr->release && dr->group_id == m->group_id)
			return true;
	return false;
}

int devres_release_group(struct device *dev, void *id)
{
	struct dmp_lx_devres *g = group_find(dev, id);
	if (!g)
		return -ENOENT;
	struct dmp_lx_devres *c = g->group_open ? NULL : group_close_marker(dev, g->group_id);
	/* the range, newest first: below the close marker (or the newest entry)
	 * down to the open marker; a nested group whose two markers both lie in
	 * it goes with it, a group that straddles its edge keeps its markers */
	struct dmp_lx_devres **pp = c ? &c->next : &dev->dmp_devres;
	for (struct dmp_lx_devres *dr = *pp; dr && dr != g; dr = dr->next)
		dr->group_drop = !dr->release && partner_in_range(*pp, g, dr);
	int n = 0;
	while (*pp && *pp != g) {
		struct dmp_lx_devres *dr = *pp;
		if (!dr->release && !dr->group_drop) {
			pp = &dr->next;
			continue;
		}
		*pp = dr->next;
		dr->added = false;
		if (dr->release) {
			dr->release(dev, dr_data(dr));
			n++;
		}
		dmp_kfree(dr);
	}
	devres_remove_group(dev, g->group_id);
	return n;
}

struct action_devres {
	void (*action)(void *);
	void *data;
};

static void action_release(struct device *dev, void *res)
{
	(void)dev;
	struct action_devres *a = res;
	a->action(a->data);
}

static int action_match(struct device *dev, void *res, void *data)
{
	(void)dev;
	struct action_devres *a = res, *m = data;
	return a->action == m->action && a->data == m->data;
}

int __devm_add_action(struct device *dev, void (*action)(void *), void *data, const char *name)
{
	struct action_devres *a = __devres_alloc_node(action_release, sizeof(*a), GFP_KERNEL, -1,
						      name);
	if (!a)
		return -ENOMEM;
	a->action = action;
	a->data = data;
	devres_add(dev, a);
	return 0;
}

void devm_remove_action(struct device *dev, void (*action)(void *), void *data)
{
	struct action_devres m = { action, data };
	WARN_ON(devres_destroy(dev, action_release, action_match, &m));
}

int devm_remove_action_nowarn(struct device *dev, void (*action)(void *), void *data)
{
	struct action_devres m = { action, data };
	return devres_destroy(dev, action_release, action_match, &m);
}

void devm_release_action(struct device *dev, void (*action)(void *), void *data)
{
	struct action_devres m = { action, data };
	WARN_ON(devres_release(dev, action_release, action_match, &m));
}

/* devm_kmalloc memory is the devres data itself (no release function work). */
static void kmalloc_release(struct device *dev, void *res)
{
	(void)dev;
	(void)res;
}

static int kmalloc_match(struct device *dev, void *res, void *data)
{
	(void)dev;
	return res == data;
}

void *devm_kmalloc(struct device *dev, size_t size, gfp_t gfp)
{
	if (!size)
		return ZERO_SIZE_PTR;
	void *p = __devres_alloc_node(kmalloc_release, size, gfp, -1, "devm_kmalloc");
	if (!p)
		return NULL;
	devres_add(dev, p);
	return p;
}

void devm_kfree(struct device *dev, const void *p)
{
	if (!p || p == ZERO_SIZE_PTR)
		return;
	WARN_ON(devres_destroy(dev, kmalloc_release, kmalloc_match, (void *)(uintptr_t)p));
}

void *devm_krealloc(struct device *dev, void *ptr, size_t size, gfp_t gfp)
{
	if (!ptr || ptr == ZERO_SIZE_PTR)
		return devm_kmalloc(dev, size, gfp);
	if (!size) {
		devm_kfree(dev, ptr);
		return ZERO_SIZE_PTR;
	}
	struct dmp_lx_devres *old = dr_of(ptr);
	void *n = devm_kmalloc(dev, size, gfp);
	if (!n)
		return NULL;
	memcpy(n, ptr, old->size < size ? old->size : size);
	devm_kfree(dev, ptr);
	return n;
}

char *devm_kstrdup(struct device *dev, const char *s, gfp_t gfp)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = devm_kmalloc(dev, n, gfp);
	if (p)
		memcpy(p, s, n);
	return p;
}

const char *devm_kstrdup_const(struct device *dev, const char *s, gfp_t gfp)
{
	return devm_kstrdup(dev, s, gfp);
}

void *devm_kmemdup(struct device *dev, const void *src, size_t len, gfp_t gfp)
{
	void *p = devm_kmalloc(dev, len, gfp);
	if (p)
		memcpy(p, src, len);
	return p;
}

char *devm_kvasprintf(struct device *dev, gfp_t gfp, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	char *p = devm_kmalloc(dev, (size_t)n + 1, gfp);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *devm_kasprintf(struct device *dev, gfp_t gfp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = devm_kvasprintf(dev, gfp, fmt, ap);
	va_end(ap);
	return p;
}

struct pages_devres {
	unsigned long addr;
	unsigned int order;
};

static void pages_release(struct device *dev, void *res)
{
	(void)dev;
	struct pages_devres *p = res;
	free_pages(p->addr, p->order);
}

static int pages_match(struct device *dev, void *res, void *data)
{
	(void)dev;
	return ((struct pages_devres *)res)->addr == *(unsigned long *)data;
}

unsigned long devm_get_free_pages(struct device *dev, gfp_t gfp_mask, unsigned int order)
{
	unsigned long addr = __get_free_pages(gfp_mask, order);
	if (!addr)
		return 0;
	struct pages_devres *p = devres_alloc(pages_release, sizeof(*p), GFP_KERNEL);
	if (!p) {
		free_pages(addr, order);
		return 0;
	}
	p->addr = addr;
	p->order = order;
	devres_add(dev, p);
	return addr;
}

void devm_free_pages(struct device *dev, unsigned long addr)
{
	WARN_ON(devres_release(dev, pages_release, pages_match, &addr));
}

/* --- I/O regions and mappings --------------------------------------------------------- */

struct resource iomem_resource = { .name = "PCI mem", .start = 0, .end = ~(resource_size_t)0,
				   .flags = IORESOURCE_MEM };
struct resource ioport_resource = { .name = "PCI IO", .start = 0, .end = 0xffff,
				    .flags = IORESOURCE_IO };

struct resource *dmp_lx_request_region(resource_size_t start, resource_size_t n, const char *name,
				       unsigned long flags)
{
	struct resource *root = (flags & IORESOURCE_IO) ? &ioport_resource : &iomem_resource;
	if (!n || start + n - 1 < start)
		return NULL;
	struct resource want = { .start = start, .end = start + n - 1 };
	for (struct resource *r = root->child; r; r = r->sibling)
		if (resource_overlaps(r, &want)) {
			dmp_log("resource: %s [0x%llx-0x%llx] conflicts with %s [0x%llx-0x%llx]",
				 name ? name : "?", (unsigned long long)want.start,
				 (unsigned long long)want.end, r->name ? r->name : "?",
				 (unsigned long long)r->start, (unsigned long long)r->end);
			return NULL;
		}
	struct resource *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	*r = want;
	r->name = name;
	r->flags = flags | IORESOURCE_BUSY;
	r->parent = root;
	r->sibling = root->child;
	root->child = r;
	return r;
}

void dmp_lx_release_region(resource_size_t start, resource_size_t n)
{
	struct resource *roots[] = { &iomem_resource, &ioport_resource };
	for (int k = 0; k < 2; k++)
		for (struct resource **pp = &roots[k]->child; *pp; pp = &(*pp)->sibling) {
			struct resource *r = *pp;
			if (r->start == start && r->end == start + n - 1) {
				*pp = r->sibling;
				free(r);
				return;
			}
		}
	dmp_log("Trying to free nonexistent resource <0x%llx-0x%llx>", (unsigned long long)start,
		 (unsigned long long)(start + n - 1));
}

static void release_all_regions(void)
{
	struct resource *roots[] = { &iomem_resource, &ioport_resource };
	for (int k = 0; k < 2; k++)
		while (roots[k]->child) {
			struct resource *r = roots[k]->child;
			dmp_log("BUG: I/O region %s [0x%llx-0x%llx] still requested when the "
				 "machine goes away: released", r->name ? r->name : "?",
				 (unsigned long long)r->start, (unsigned long long)r->end);
			roots[k]->child = r->sibling;
			free(r);
		}
}

struct region_devres {
	resource_size_t start, n;
};

static void region_release(struct device *dev, void *res)
{
	(void)dev;
	struct region_devres *r = res;
	dmp_lx_release_region(r->start, r->n);
}

static int region_match(struct device *dev, void *res, void *data)
{
	(void)dev;
	struct region_devres *r = res, *m = data;
	return r->start == m->start && r->n == m->n;
}

struct resource *dmp_lx_devm_request_region(struct device *dev, resource_size_t start,
					    resource_size_t n, const char *name, unsigned long flags)
{
	struct region_devres *d = devres_alloc(region_release, sizeof(*d), GFP_KERNEL);
	if (!d)
		return NULL;
	struct resource *r = dmp_lx_request_region(start, n, name, flags);
	if (!r) {
		devres_free(d);
		return NULL;
	}
	d->start = start;
	d->n = n;
	devres_add(dev, d);
	return r;
}

void devm_release_mem_region(struct device *dev, resource_size_t start, resource_size_t n)
{
	struct region_devres m = { start, n };
	WARN_ON(devres_release(dev, region_release, region_match, &m));
}

static void iomap_release(struct device *dev, void *res)
{
	(void)dev;
	iounmap(*(void __iomem **)res);
}

static int iomap_match(struct device *dev, void *res, void *data)
{
	(void)dev;
	return *(void **)res == data;
}

void __iomem *devm_ioremap(struct device *dev, resource_size_t offset, resource_size_t size)
{
	void __iomem **slot = devres_alloc(iomap_release, sizeof(*slot), GFP_KERNEL);
	if (!slot)
		return NULL;
	void __iomem *addr = ioremap(offset, (size_t)size);
	if (!addr) {
		devres_free(slot);
		return NULL;
	}
	*slot = addr;
	devres_add(dev, slot);
	return addr;
}

void devm_iounmap(struct device *dev, void __iomem *addr)
{
	WARN_ON(devres_destroy(dev, iomap_release, iomap_match, (void *)(uintptr_t)addr));
	iounmap(addr);
}

/*
 * Linux's devm_ioremap_resource: request the region, then map it; the
 * errors as ERR_PTR: -EINVAL (no or bad resource), -EBUSY (region taken),
 * -ENOMEM (cannot map).
 */
void __iomem *devm_ioremap_resource(struct device *dev, const struct resource *res)
{
	if (!res || resource_type(res) != IORESOURCE_MEM) {
		dev_err(dev, "invalid resource %s", res && res->name ? res->name : "");
		return ERR_PTR(-EINVAL);
	}
	resource_size_t size = resource_size(res);
	const char *name = res->name ? res->name : dev_name(dev);
	if (!dmp_lx_devm_request_region(dev, res->start, size, name, IORESOURCE_MEM)) {
		dev_err(dev, "can't request region for resource [mem 0x%llx-0x%llx]",
			(unsigned long long)res->start, (unsigned long long)res->end);
		return ERR_PTR(-EBUSY);
	}
	void __iomem *addr = devm_ioremap(dev, res->start, size);
	if (!addr) {
		dev_err(dev, "ioremap failed for resource [mem 0x%llx-0x%llx]",
			(unsigned long long)res->start, (unsigned long long)res->end);
		devm_release_mem_region(dev, res->start, size);
		return ERR_PTR(-ENOMEM);
	}
	return addr;
}

/* --- devices -------------------------------------------------------------------------- */

int dev_set_name(struct device *dev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dev->dmp.name, sizeof(dev->dmp.name), fmt, ap);
	va_end(ap);
	dev->kobj.name = dev->dmp.name;
	return n < 0 ? -EINVAL : 0;
}

int dev_err_probe(const struct device *dev, int err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t l = strlen(msg);
	if (l && msg[l - 1] == '\n')
		msg[l - 1] = '\0';
	if (err != -EPROBE_DEFER)
		dmp_log("%s: error %d: %s", dev ? dev_name(dev) : "(NULL device *)", err, msg);
	return err;
}

static LIST_HEAD(all_devices);

void device_initialize(struct device *dev)
{
	dev->dmp_initialized = true;
	dev->dmp_refs = 1;
	INIT_LIST_HEAD(&dev->dmp_node);
	dev->numa_node = NUMA_NO_NODE;
	if (!dev->dmp_dma_set_up) {
		/* a device of the driver's own (no bus hardware): Linux's defaults,
		 * no DMA until a driver sets a mask (dma_mask NULL) */
		char name[DMP_DEVICE_NAME_MAX];
		memcpy(name, dev->dmp.name, sizeof(name));
		dmp_device_init(&dev->dmp, name[0] ? name : "device");
		if (!name[0])
			dev->dmp.name[0] = '\0';
		dev->dmp.dma_mask = NULL;
		dev->dmp.coherent_dma_mask = 0;
		dev->dmp_dma_set_up = true;
	}
}

struct device *get_device(struct device *dev)
{
	if (dev)
		dev->dmp_refs++;
	return dev;
}

void put_device(struct device *dev)
{
	if (!dev)
		return;
	if (--dev->dmp_refs > 0)
		return;
	if (dev->dmp_refs < 0)
		dmp_lx_fatal("BUG: put_device of %s without a reference", dev_name(dev));
	/* the last reference: the device is gone for the DMA API too; the
	 * checker lists what its drivers left mapped or allocated */
	if (dev->dmp_hw)
		dmp_lx_machine_dma_teardown(dev);
	else if (dev->dmp_dma_set_up)
		dmp_device_remove(&dev->dmp);
	if (dev->release)
		dev->release(dev);
	else if (dev->type && dev->type->release)
		dev->type->release(dev);
}

int device_add(struct device *dev)
{
	if (!dev->dmp_initialized)
		device_initialize(dev);
	if (dev->init_name) {
		dev_set_name(dev, "%s", dev->init_name);
		dev->init_name = NULL;
	}
	if (!dev->dmp.name[0]) {
		dmp_log("device: device_add of a device without a name");
		return -EINVAL;
	}
	dev->kobj.name = dev->dmp.name;
	if (dev->parent)
		get_device(dev->parent);
	list_add_tail(&dev->dmp_node, &all_devices);
	dev->dmp_added = true;
	get_device(dev);
	if (dev->bus)
		device_attach(dev);
	return 0;
}

int device_register(struct device *dev)
{
	device_initialize(dev);
	return device_add(dev);
}

void device_del(struct device *dev)
{
	if (!dev->dmp_added)
		return;
	device_release_driver(dev);
	/* devres added outside probe go with the device */
	dmp_lx_devres_release_all(dev);
	list_del_init(&dev->dmp_node);
	dev->dmp_added = false;
	if (dev->parent)
		put_device(dev->parent);
	put_device(dev);
}

void device_unregister(struct device *dev)
{
	device_del(dev);
	put_device(dev);
}

int device_for_each_child(struct device *parent, void *data,
			  int (*fn)(struct device *dev, void *data))
{
	struct device *d, *n;
	list_for_each_entry_safe(d, n, &all_devices, dmp_node)
		if (d->parent == parent) {
			int ret = fn(d, data);
			if (ret)
				return ret;
		}
	return 0;
}

int bus_for_each_dev(const struct bus_type *bus, struct device *start, void *data,
		     int (*fn)(struct device *dev, void *data))
{
	struct device *d, *n;
	bool go = !start;
	list_for_each_entry_safe(d, n, &all_devices, dmp_node) {
		if (!go) {
			go = d == start;
			continue;
		}
		if (bus && d->bus != bus)
			continue;
		int ret = fn(d, data);
		if (ret)
			return ret;
	}
	return 0;
}

struct device *bus_find_device_by_name(const struct bus_type *bus, struct device *start,
				       const char *name)
{
	struct device *d;
	bool go = !start;
	list_for_each_entry(d, &all_devices, dmp_node) {
		if (!go) {
			go = d == start;
			continue;
		}
		if ((!bus || d->bus == bus) && !strcmp(dev_name(d), name))
			return get_device(d);
	}
	return NULL;
}

struct device *dmp_lx_find_device(const char *name)
{
	struct device *d;
	list_for_each_entry(d, &all_devices, dmp_node)
		if (!strcmp(dev_name(d), name))
			return d;
	return NULL;
}

struct device *dmp_lx_device_by_node(const struct device_node *np, const struct bus_type *bus)
{
	struct device *d;
	list_for_each_entry(d, &all_devices, dmp_node)
		if (np && d->of_node == np && (!bus || d->bus == bus))
			return d;
	return NULL;
}

void dmp_lx_machine_dump(FILE *f)
{
	struct device *d;
	list_for_each_entry(d, &all_devices, dmp_node) {
		if (!d->bus)
			continue;
		fprintf(f, "  %-8s %-16s %s%s\n", d->bus->name, dev_name(d),
			d->driver ? "bound to " : "no driver",
			d->driver && d->driver->name ? d->driver->name : "");
	}
}

unsigned int dmp_lx_bound_count(void)
{
	unsigned int n = 0;
	struct device *d;
	list_for_each_entry(d, &all_devices, dmp_node)
		n += d->driver != NULL;
	return n;
}

static void root_release(struct device *dev)
{
	free(dev);
}

struct device *root_device_register(const char *name)
{
	struct device *root = calloc(1, sizeof(*root));
	if (!root)
		return ERR_PTR(-ENOMEM);
	device_initialize(root);
	dev_set_name(root, "%s", name);
	root->release = root_release;
	int e = device_add(root);
	if (e) {
		put_device(root);
		return ERR_PTR(e);
	}
	return root;
}

void root_device_unregister(struct device *root)
{
	device_unregister(root);
}

/* --- drivers, binding -------------------------------------------------------------- */

static LIST_HEAD(all_drivers);

/*
 * Probe @dev with @drv: Linux's really_probe.  On failure the devres added
 * meanwhile are released and the driver is not bound; -EPROBE_DEFER puts
 * the device back for a later try, when another driver binds.
 */
static int really_probe(struct device *dev, struct device_driver *drv)
{
	dev->driver = drv;
	int ret = 0;
	if (drv->bus && drv->bus->probe)
		ret = drv->bus->probe(dev);
	else if (drv->probe)
		ret = drv->probe(dev);
	if (ret) {
		dmp_lx_devres_release_all(dev);
		dev->driver = NULL;
		dev_set_drvdata(dev, NULL);
		dev->dmp_deferred = ret == -EPROBE_DEFER;
		if (ret != -EPROBE_DEFER && ret != -ENODEV && ret != -ENXIO)
			dmp_log("%s: probe of %s failed with error %d", drv->name ? drv->name : "?",
				 dev_name(dev), ret);
		return ret;
	}
	dev->dmp_deferred = false;
	return 0;
}

static bool drv_matches(struct device *dev, struct device_driver *drv)
{
	return drv->bus == dev->bus && dev->bus && dev->bus->match && dev->bus->match(dev, drv);
}

int device_attach(struct device *dev)
{
	if (dev->driver)
		return 1;
	struct device_driver *drv;
	list_for_each_entry(drv, &all_drivers, dmp_node) {
		if (!drv_matches(dev, drv))
			continue;
		int ret = really_probe(dev, drv);
		if (!ret)
			return 1;
		if (ret == -EPROBE_DEFER)
			return 0;
	}
	return 0;
}

int device_driver_attach(const struct device_driver *drv, struct device *dev)
{
	if (dev->driver)
		return -EBUSY;
	return really_probe(dev, (struct device_driver *)(uintptr_t)drv);
}

static void retry_deferred(void)
{
	/* Linux retries the deferred list each time a driver binds */
	bool progress = true;
	while (progress) {
		progress = false;
		struct device *d;
		list_for_each_entry(d, &all_devices, dmp_node)
			if (d->dmp_deferred && !d->driver && device_attach(d) > 0)
				progress = true;
	}
}

int driver_attach(const struct device_driver *drv)
{
	struct device *d, *n;
	bool bound = false;
	list_for_each_entry_safe(d, n, &all_devices, dmp_node) {
		if (d->driver || !drv_matches(d, (struct device_driver *)(uintptr_t)drv))
			continue;
		if (!really_probe(d, (struct device_driver *)(uintptr_t)drv))
			bound = true;
	}
	if (bound)
		retry_deferred();
	return 0;
}

void dmp_lx_bus_rescan(const struct bus_type *bus)
{
	struct device *d, *n;
	bool bound = false;
	list_for_each_entry_safe(d, n, &all_devices, dmp_node)
		if (!d->driver && d->bus == bus && device_attach(d) > 0)
			bound = true;
	if (bound)
		retry_deferred();
}

int driver_register(struct device_driver *drv)
{
	if (drv->dmp_registered) {
		dmp_log("Error: Driver '%s' is already registered, aborting...",
			 drv->name ? drv->name : "?");
		return -EBUSY;
	}
	if (!drv->bus) {
		dmp_log("Driver '%s' was unable to register with bus_type because the bus was "
			 "not initialized", drv->name ? drv->name : "?");
		return -EINVAL;
	}
	drv->dmp_registered = true;
	list_add_tail(&drv->dmp_node, &all_drivers);
	return driver_attach(drv);
}

/* Unbind: the driver's remove, then its devres in reverse order (Linux's
 * device_remove + devres_release_all in __device_release_driver). */
void device_release_driver(struct device *dev)
{
	struct device_driver *drv = dev->driver;
	if (!drv)
		return;
	if (drv->bus && drv->bus->remove)
		drv->bus->remove(dev);
	else if (drv->remove)
		drv->remove(dev);
	dmp_lx_devres_release_all(dev);
	dev->driver = NULL;
	dev_set_drvdata(dev, NULL);
	/* dma-debug's unbind check (BUS_NOTIFY_UNBOUND_DRIVER): what the driver
	 * still has mapped or allocated now is a leak, named with its site */
	if (dev->dmp_dma_set_up)
		dmp_device_remove(&dev->dmp);
}

void driver_unregister(struct device_driver *drv)
{
	if (!drv->dmp_registered) {
		WARN(1, "Unexpected driver unregister of %s", drv->name ? drv->name : "?");
		return;
	}
	struct device *d, *n;
	/* Linux unbinds in reverse order of binding; the list is in creation order */
	list_for_each_entry_safe_reverse(d, n, &all_devices, dmp_node)
		if (d->driver == drv)
			device_release_driver(d);
	list_del_init(&drv->dmp_node);
	drv->dmp_registered = false;
}

int bus_for_each_drv(const struct bus_type *bus, struct device_driver *start, void *data,
		     int (*fn)(struct device_driver *drv, void *data))
{
	struct device_driver *drv;
	bool go = !start;
	list_for_each_entry(drv, &all_drivers, dmp_node) {
		if (!go) {
			go = drv == start;
			continue;
		}
		if (bus && drv->bus != bus)
			continue;
		int ret = fn(drv, data);
		if (ret)
			return ret;
	}
	return 0;
}

void wait_for_device_probe(void)
{
}

void dmp_lx_core_drivers_down(void)
{
	struct device_driver *drv, *n;
	list_for_each_entry_safe(drv, n, &all_drivers, dmp_node) {
		dmp_lx_leftover("BUG: driver %s still registered when the machine goes away: unregistered",
			 drv->name ? drv->name : "?");
		driver_unregister(drv);
	}
}

void dmp_lx_core_machine_down(void)
{
	struct device *d, *dn;
	list_for_each_entry_safe_reverse(d, dn, &all_devices, dmp_node) {
		dmp_lx_leftover("BUG: device %s still registered when the machine goes away: deleted",
			 dev_name(d));
		device_del(d);
	}
	release_all_regions();
}

/* --- modules and parameters ----------------------------------------------------------- */

static struct module *modules_head;
static struct module **modules_tail = &modules_head;
static struct module *loaded[256];
static unsigned int nr_loaded;
static struct dmp_lx_param *params;

void dmp_lx_module_register(struct module *mod)
{
	for (struct module *m = modules_head; m; m = m->dmp_next)
		if (m == mod)
			return;
	mod->dmp_next = NULL;
	*modules_tail = mod;
	modules_tail = &mod->dmp_next;
}

const char *dmp_lx_module_name(const struct module *mod)
{
	return mod->name;
}

struct module *dmp_lx_module_next(struct module *prev)
{
	return prev ? prev->dmp_next : modules_head;
}

static bool name_is(const char *modname, const char *name)
{
	size_t n = strlen(name);
	const char *slash = strrchr(modname, '/');
	if (slash && !strchr(name, '/'))
		modname = slash + 1; /* a default KBUILD_MODNAME: the file's path */
	if (!strcmp(modname, name))
		return true;
	/* "ce-irq" names "ce-irq.c"; '-' and '_' are the same, as for modprobe */
	for (size_t i = 0; i < n; i++) {
		char a = modname[i], b = name[i];
		if (a == '-')
			a = '_';
		if (b == '-')
			b = '_';
		if (a != b)
			return false;
	}
	return !strcmp(modname + n, ".c") || modname[n] == '\0';
}

struct module *dmp_lx_module_find(const char *name)
{
	for (struct module *m = modules_head; m; m = m->dmp_next)
		if (name_is(m->name, name))
			return m;
	return NULL;
}

int dmp_lx_module_load(struct module *mod)
{
	if (!dmp_lx_machine_platform())
		return -ENODEV;
	if (mod->dmp_state == 1)
		return -EEXIST;
	if (nr_loaded == sizeof(loaded) / sizeof(loaded[0]))
		return -ENOMEM;
	int ret = mod->init ? mod->init() : 0;
	if (ret) {
		mod->dmp_state = 2;
		dmp_log("%s: module init failed: %d", mod->name, ret);
		return ret;
	}
	mod->dmp_state = 1;
	loaded[nr_loaded++] = mod;
	return 0;
}

int dmp_lx_module_unload(struct module *mod)
{
	unsigned int i;
	for (i = 0; i < nr_loaded && loaded[i] != mod; i++)
		;
	if (i == nr_loaded)
		return -ENOENT;
	if (mod->exit)
		mod->exit();
	mod->dmp_state = 0;
	memmove(&loaded[i], &loaded[i + 1], (nr_loaded - i - 1) * sizeof(loaded[0]));
	nr_loaded--;
	return 0;
}

void dmp_lx_modules_unload_all(void)
{
	while (nr_loaded)
		dmp_lx_module_unload(loaded[nr_loaded - 1]);
}

void dmp_lx_param_register(struct dmp_lx_param *p)
{
	p->next = params;
	params = p;
}

int dmp_lx_param_set(const char *name, const char *value)
{
	const char *dot = strchr(name, '.');
	for (struct dmp_lx_param *p = params; p; p = p->next) {
		if (dot) {
			char mod[64];
			snprintf(mod, sizeof(mod), "%.*s", (int)(dot - name), name);
			if (!name_is(p->mod->name, mod) || strcmp(p->name, dot + 1))
				continue;
		} else if (strcmp(p->name, name)) {
			continue;
		}
		unsigned long long u;
		long long s;
		bool b;
		int e = 0;
		switch (p->type) {
		case DMP_LX_PARAM_bool:
		case DMP_LX_PARAM_invbool:
			e = kstrtobool(value, &b);
			if (!e)
				*(bool *)p->var = p->type == DMP_LX_PARAM_invbool ? !b : b;
			break;
		case DMP_LX_PARAM_charp:
			*(const char **)p->var = value;
			break;
		case DMP_LX_PARAM_short:
		case DMP_LX_PARAM_int:
		case DMP_LX_PARAM_long:
			e = kstrtoll(value, 0, &s);
			if (!e && p->size == 2)
				*(short *)p->var = (short)s;
			else if (!e && p->size == 4)
				*(int *)p->var = (int)s;
			else if (!e)
				*(long *)p->var = (long)s;
			break;
		default:
			e = kstrtoull(value, 0, &u);
			if (!e && p->size == 1)
				*(unsigned char *)p->var = (unsigned char)u;
			else if (!e && p->size == 2)
				*(unsigned short *)p->var = (unsigned short)u;
			else if (!e && p->size == 4)
				*(unsigned int *)p->var = (unsigned int)u;
			else if (!e)
				*(unsigned long long *)p->var = u;
			break;
		}
		return e ? -EINVAL : 0;
	}
	return -ENOENT;
}
