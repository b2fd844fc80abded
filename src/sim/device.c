/* SPDX-License-Identifier: MIT */
/*
 * device.c - simulated devices: their DMA port, the path a DMA access takes
 * (truncation, translation, coherent interconnect or DRAM), and MMIO.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <dmaport/device.h>

#include "sim-internal.h"

int dmp_sim_device_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
			  struct dmp_sim_device **out)
{
	if (!sim || !cfg || !cfg->name || cfg->port_bits < 1 || cfg->port_bits > 64)
		return -EINVAL;
	if (cfg->mmio_size) {
		if (cfg->mmio_base + cfg->mmio_size < cfg->mmio_base || !cfg->ops)
			return -EINVAL;
		for (struct dmp_sim_device *d = sim->devices; d; d = d->next)
			if (d->mmio_size && cfg->mmio_base < d->mmio_base + d->mmio_size &&
			    d->mmio_base < cfg->mmio_base + cfg->mmio_size)
				return -EINVAL;
		if (dmp__sim_region(sim, cfg->mmio_base))
			return -EINVAL; /* registers inside RAM */
	}
	struct dmp_sim_device *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->sim = sim;
	snprintf(dev->name, sizeof(dev->name), "%s", cfg->name);
	dev->port_bits = cfg->port_bits;
	dev->port_mask = DMP_BIT_MASK(cfg->port_bits);
	dev->coherent = cfg->coherent;
	dev->mmio_base = cfg->mmio_base;
	dev->mmio_size = cfg->mmio_size;
	dev->ops = cfg->ops;
	dev->priv = cfg->priv;
	for (unsigned int i = 0; i < DMP_SIM_DEVICE_MAX_IRQS; i++)
		dev->irq[i] = -1;
	dmp_spin_lock(&sim->lock);
	dev->next = sim->devices;
	sim->devices = dev;
	dmp_spin_unlock(&sim->lock);
	*out = dev;
	return 0;
}

int dmp__sim_model_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
			  const struct dmp_sim_device_ops *ops, size_t mmio_size, size_t priv_size,
			  void **priv, struct dmp_sim_device **out)
{
	/* A window the caller gave (a tree's reg) must hold the model's
	 * registers: the model answers for all of them, and a smaller reg
	 * would let them spill over whatever the tree puts next. */
	if (!cfg || (mmio_size && cfg->mmio_size && cfg->mmio_size < mmio_size))
		return -EINVAL;
	void *p = calloc(1, priv_size);
	if (!p)
		return -ENOMEM;
	struct dmp_sim_device_config c = *cfg;
	if (mmio_size)
		c.mmio_size = mmio_size;
	c.ops = ops;
	c.priv = p;
	int err = dmp_sim_device_create(sim, &c, out);
	if (err) {
		free(p);
		return err;
	}
	*priv = p;
	return 0;
}

/*
 * The links between dmp_devices and their simulated hardware, both ways:
 * dev->hw (read by the platform and the checker) and this table, so that
 * destroying the hardware clears dev->hw of every device still linked to
 * it: a later use finds no hardware rather than freed memory.  A device's
 * removal drops its links (dmp__sim_device_unlink), so the table never
 * holds a device that is gone, and nothing here reads through dev->hw,
 * which a caller may have set by hand.  Under links_lock, a leaf lock.
 */
struct hw_link {
	struct dmp_device *dev;
	struct dmp_sim_device *hw;
};
static dmp_spinlock_t links_lock = DMP_SPINLOCK_INIT;
static struct hw_link *links;
static size_t nr_links, cap_links;

int dmp__sim_device_link_hw(struct dmp_device *dev, struct dmp_sim_device *hw)
{
	int err = 0;
	dmp_spin_lock(&links_lock);
	if (dev->hw && dev->hw != hw) {
		err = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < nr_links; i++)
		if (links[i].dev == dev && links[i].hw == hw)
			goto out; /* linked already */
	if (nr_links == cap_links) {
		size_t cap = cap_links ? 2 * cap_links : 16;
		struct hw_link *n = realloc(links, cap * sizeof(*n));
		if (!n) {
			err = -ENOMEM;
			goto out;
		}
		links = n;
		cap_links = cap;
	}
	links[nr_links++] = (struct hw_link){ dev, hw };
	dev->hw = hw;
out:
	dmp_spin_unlock(&links_lock);
	return err;
}

void dmp__sim_device_unlink(struct dmp_device *dev)
{
	dmp_spin_lock(&links_lock);
	for (size_t i = 0; i < nr_links;)
		if (links[i].dev == dev)
			links[i] = links[--nr_links];
		else
			i++;
	dmp_spin_unlock(&links_lock);
}

/* @hw is going away: the devices linked to it have no hardware any more. */
static void unlink_hw(struct dmp_sim_device *hw)
{
	dmp_spin_lock(&links_lock);
	for (size_t i = 0; i < nr_links;) {
		if (links[i].hw != hw) {
			i++;
			continue;
		}
		if (links[i].dev->hw == hw)
			links[i].dev->hw = NULL;
		links[i] = links[--nr_links];
	}
	if (!nr_links) {
		free(links);
		links = NULL;
		cap_links = 0;
	}
	dmp_spin_unlock(&links_lock);
}

void dmp_sim_device_destroy(struct dmp_sim_device *dev)
{
	if (!dev)
		return;
	unlink_hw(dev);
	struct dmp_sim *sim = dev->sim;
	dmp_spin_lock(&sim->lock);
	for (struct dmp_sim_device **pp = &sim->devices; *pp; pp = &(*pp)->next)
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	/* Mappings of its registers now lead nowhere. */
	for (size_t i = 0; i < sim->nr_maps; i++)
		if (sim->maps[i].dev == dev)
			sim->maps[i].dev = NULL;
	dmp_spin_unlock(&sim->lock);
	if (dev->ops && dev->ops->destroy)
		dev->ops->destroy(dev);
	/* its address may be the next device's: the checker must not take
	 * that one for this one's driver */
	dmp__sim_checker_forget_hw(dev);
	free(dev);
}

void dmp__sim_devices_destroy(struct dmp_sim *sim)
{
	while (sim->devices)
		dmp_sim_device_destroy(sim->devices);
	for (size_t i = 0; i < sim->nr_maps; i++)
		munmap(sim->maps[i].va, sim->maps[i].size);
	sim->nr_maps = 0;
}

void *dmp_sim_device_priv(struct dmp_sim_device *dev)
{
	return dev->priv;
}

const char *dmp_sim_device_name(const struct dmp_sim_device *dev)
{
	return dev->name;
}

struct dmp_sim *dmp_sim_device_sim(struct dmp_sim_device *dev)
{
	return dev->sim;
}

bool dmp_sim_device_coherent(const struct dmp_sim_device *dev)
{
	return dev->coherent;
}

unsigned int dmp_sim_device_port_bits(const struct dmp_sim_device *dev)
{
	return dev->port_bits;
}

void dmp_sim_device_set_translate(struct dmp_sim_device *dev, dmp_sim_translate_fn fn,
				  void *cookie)
{
	dev->translate = fn;
	dev->translate_cookie = cookie;
}

/* --- DMA ------------------------------------------------------------------ */

/*
 * One access within one page of memory.  Which image it touches:
 *   normal memory, coherent device:     the CPU's view, snooped (C; a write
 *                                        leaves the line dirty in the cache);
 *   normal memory, non-coherent device: DRAM (D);
 *   uncached / write-combining memory:  reads see DRAM (what has left the
 *                                        write buffer) - or the CPU's view for
 *                                        uncached memory without a write
 *                                        buffer; writes reach both, as there is
 *                                        no cache to hide them.
 */
static enum dmp_sim_image page_access(struct dmp_sim_device *dev, struct sim_region *r,
				      size_t off, uint8_t *buf, size_t n, bool write)
{
	struct dmp_sim *sim = dev->sim;
	enum dmp_mem_attr attr = r->attr[off >> DMP_PAGE_SHIFT];
	if (attr == DMP_MEM_NORMAL) {
		if (dev->coherent) {
			if (!write) {
				memcpy(buf, r->c + off, n);
			} else {
				/* Into the cache, as the interconnect delivers it: the
				 * line now differs from memory and is written back later
				 * like any dirty line. */
				memcpy(r->c + off, buf, n);
			}
			return DMP_SIM_CPU;
		}
		if (write)
			memcpy(r->d + off, buf, n);
		else
			memcpy(buf, r->d + off, n);
		return DMP_SIM_DRAM;
	}
	if (write) {
		memcpy(r->d + off, buf, n);
		memcpy(r->c + off, buf, n);
		return DMP_SIM_DRAM;
	}
	if (attr == DMP_MEM_UNCACHED && !sim->cfg.write_buffer) {
		memcpy(buf, r->c + off, n);
		return DMP_SIM_CPU;
	}
	memcpy(buf, r->d + off, n);
	return DMP_SIM_DRAM;
}

static int dma_access(struct dmp_sim_device *dev, dmp_addr_t addr, uint8_t *buf, size_t len,
		      bool write)
{
	struct dmp_sim *sim = dev->sim;
	struct dmp_sim_event ev = { .kind = write ? DMP_EV_DEV_WRITE : DMP_EV_DEV_READ,
				    .device = dev->name, .sdev = dev };
	int err = 0;
	dmp_addr_t asked = addr; /* before the port drops bits: for reports */
	while (len) {
		/* The port drops address bits beyond its width, as a real bus. */
		dmp_addr_t bus = addr & dev->port_mask;
		dmp_phys_t phys = bus;
		size_t chunk = len;
		if (dev->translate) {
			err = dev->translate(dev->translate_cookie, dev, bus, len, write, &phys,
					     &chunk);
			if (err)
				break;
			chunk = DMP_MIN(chunk, len);
		}
		struct sim_region *r = dmp__sim_region(sim, phys);
		if (!r) {
			err = -EFAULT;
			addr = bus;
			break;
		}
		size_t off = (size_t)(phys - r->base);
		/* within one page (one memory type), and within the port's reach */
		size_t n = DMP_MIN(chunk, DMP_PAGE_SIZE - (off & (DMP_PAGE_SIZE - 1)));
		if (dev->port_bits < 64)
			n = (size_t)DMP_MIN((uint64_t)n, dev->port_mask - bus + 1);
		dmp__sim_touch(sim, phys, n);
		ev.image = page_access(dev, r, off, buf, n, write);
		ev.bus = bus;
		ev.addr = asked;
		ev.phys = phys;
		ev.size = n;
		dmp__sim_event(sim, &ev);
		addr = bus + n;
		asked += n;
		buf += n;
		len -= n;
	}
	if (err) {
		struct dmp_sim_event f = { .kind = DMP_EV_DEV_FAULT, .device = dev->name, .sdev = dev,
					   .bus = addr & dev->port_mask, .addr = asked, .size = len,
					   .value = (uint64_t)(-err) };
		snprintf(f.text, sizeof(f.text), "%s", write ? "write" : "read");
		dmp__sim_event(sim, &f);
	}
	return err;
}

int dmp_sim_dma_read(struct dmp_sim_device *dev, dmp_addr_t addr, void *buf, size_t len)
{
	return dma_access(dev, addr, buf, len, false);
}

int dmp_sim_dma_write(struct dmp_sim_device *dev, dmp_addr_t addr, const void *buf, size_t len)
{
	return dma_access(dev, addr, (uint8_t *)(uintptr_t)buf, len, true);
}

/* --- MMIO ----------------------------------------------------------------- */

/*
 * ioremap hands out a PROT_NONE window: a driver that dereferences register
 * pointers instead of using the accessors traps at once, as it would on a
 * system where the mapping is not a plain memory alias.
 */
int dmp__sim_ioremap(void *ctx, dmp_phys_t phys, size_t size, void **va)
{
	struct dmp_sim *sim = ctx;
	struct dmp_sim_device *dev = NULL;
	dmp_spin_lock(&sim->lock);
	for (struct dmp_sim_device *d = sim->devices; d; d = d->next)
		if (d->mmio_size && phys >= d->mmio_base &&
		    phys + size <= d->mmio_base + d->mmio_size)
			dev = d;
	dmp_spin_unlock(&sim->lock);
	if (!dev)
		return -ENODEV;
	size_t map = DMP_ALIGN_UP(size + (phys & (DMP_PAGE_SIZE - 1)), DMP_PAGE_SIZE);
	uint8_t *p = mmap(NULL, map, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	dmp_spin_lock(&sim->lock);
	if (sim->nr_maps == sim->cap_maps) {
		size_t cap = sim->cap_maps ? sim->cap_maps * 2 : 8;
		struct sim_mmio_map *n = realloc(sim->maps, cap * sizeof(*n));
		if (!n) {
			dmp_spin_unlock(&sim->lock);
			munmap(p, map);
			return -ENOMEM;
		}
		sim->maps = n;
		sim->cap_maps = cap;
	}
	sim->maps[sim->nr_maps++] = (struct sim_mmio_map){
		.va = p, .size = map, .phys = DMP_ALIGN_DOWN(phys, DMP_PAGE_SIZE), .dev = dev };
	dmp_spin_unlock(&sim->lock);
	*va = p + (phys & (DMP_PAGE_SIZE - 1));
	return 0;
}

void dmp__sim_iounmap(void *ctx, void *va)
{
	struct dmp_sim *sim = ctx;
	dmp_spin_lock(&sim->lock);
	for (size_t i = 0; i < sim->nr_maps; i++) {
		struct sim_mmio_map *m = &sim->maps[i];
		if ((uint8_t *)va >= m->va && (uint8_t *)va < m->va + m->size) {
			munmap(m->va, m->size);
			*m = sim->maps[--sim->nr_maps];
			break;
		}
	}
	dmp_spin_unlock(&sim->lock);
}

static struct dmp_sim_device *mmio_lookup(struct dmp_sim *sim, const volatile void *addr,
					  uint64_t *offset, dmp_phys_t *phys)
{
	struct dmp_sim_device *dev = NULL;
	const uint8_t *a = (const uint8_t *)(uintptr_t)addr;
	dmp_spin_lock(&sim->lock);
	for (size_t i = 0; i < sim->nr_maps; i++) {
		struct sim_mmio_map *m = &sim->maps[i];
		if (a >= m->va && a < m->va + m->size && m->dev) {
			dev = m->dev;
			*phys = m->phys + (dmp_phys_t)(a - m->va);
			*offset = *phys - dev->mmio_base;
			break;
		}
	}
	dmp_spin_unlock(&sim->lock);
	return dev;
}

void dmp__sim_mmio_fault(const struct dmp_sim_device *dev, uint64_t off, unsigned width,
			 bool write, const char *why)
{
	dmp_log("dmaport-sim: %s: MMIO %s of %u byte%s at offset 0x%llx %s: %s", dev->name,
		write ? "write" : "read", width, width == 1 ? "" : "s", (unsigned long long)off,
		why, write ? "dropped" : "reads as all ones");
}

/* Whether [off, off + width) lies outside @dev's register window (reported). */
static bool outside_window(const struct dmp_sim_device *dev, uint64_t off, unsigned width,
			   bool write)
{
	if (!dev->mmio_size || (off < dev->mmio_size && width <= dev->mmio_size - off))
		return false;
	char why[64];
	snprintf(why, sizeof(why), "is outside its 0x%zx-byte register window", dev->mmio_size);
	dmp__sim_mmio_fault(dev, off, width, write, why);
	return true;
}

uint64_t dmp__sim_mmio_read(void *ctx, const volatile void *addr, unsigned width)
{
	struct dmp_sim *sim = ctx;
	uint64_t off = 0;
	dmp_phys_t phys = 0;
	struct dmp_sim_device *dev = mmio_lookup(sim, addr, &off, &phys);
	dmp_sim_hostile_point(sim);
	dmp__sim_mmio_enter(sim, true);
	/* Reads of nothing return all ones, as an unclaimed bus access does. */
	uint64_t v = width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
	if (dev && dev->ops->mmio_read && !outside_window(dev, off, width, false))
		v = dev->ops->mmio_read(dev, off, width);
	struct dmp_sim_event ev = { .kind = DMP_EV_MMIO_READ, .device = dev ? dev->name : NULL,
				    .sdev = dev,
				    .phys = phys, .size = width, .value = v, .bus = off };
	dmp__sim_event(sim, &ev);
	dmp__sim_mmio_exit(sim);
	return v;
}

void dmp__sim_mmio_write(void *ctx, volatile void *addr, unsigned width, uint64_t val)
{
	struct dmp_sim *sim = ctx;
	uint64_t off = 0;
	dmp_phys_t phys = 0;
	struct dmp_sim_device *dev = mmio_lookup(sim, addr, &off, &phys);
	dmp_sim_hostile_point(sim);
	struct dmp_sim_event ev = { .kind = DMP_EV_MMIO_WRITE, .device = dev ? dev->name : NULL,
				    .sdev = dev,
				    .phys = phys, .size = width, .value = val, .bus = off };
	dmp__sim_event(sim, &ev);
	dmp__sim_mmio_enter(sim, false);
	if (dev && dev->ops->mmio_write && !outside_window(dev, off, width, true))
		dev->ops->mmio_write(dev, off, width, val);
	dmp__sim_mmio_exit(sim);
}
