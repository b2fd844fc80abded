/* SPDX-License-Identifier: MIT */
/*
 * sim-platform.c - a simulated machine built from a device-tree description
 * (see <dmaport/sim/platform.h>).
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/cma.h>
#include <dmaport/coherent.h>
#include <dmaport/dma-map-ops.h>
#include <dmaport/dma-mapping.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/sim/copy-engine.h>
#include <dmaport/sim/eth-nic.h>
#include <dmaport/sim/zynq-devcfg.h>
#include <dmaport/sim/iommu-driver.h>
#include <dmaport/sim/irq.h>
#include <dmaport/sim/platform.h>
#include <dmaport/swiotlb.h>

#include "../dma/alloc-internal.h"
#include "sim-internal.h"

int dmp_sim_device_link(struct dmp_device *dev, struct dmp_sim_device *hw)
{
	if (!dev || !hw)
		return -EINVAL;
	int err = dmp__sim_device_link_hw(dev, hw);
	if (err)
		return err;
	dmp__sim_checker_link(dev); /* the checker names the device from now on */
	dmp_device_set_coherent(dev, dmp_sim_device_coherent(hw));
	/* -EIO: the port cannot reach the memory DMA allocations come from;
	 * the default 32-bit masks stay (or an IOMMU probed later gives it
	 * reach).  They can be wider than the port: the DMA layer may then
	 * hand out bus addresses the port cannot drive, so a driver sets its
	 * mask itself and does no DMA when it is refused, as in Linux */
	(void)dmp_set_mask_and_coherent(dev, DMP_BIT_MASK(dmp_sim_device_port_bits(hw)));
	return 0;
}

/* The interconnect between a device and memory, as the bus's dma-ranges say. */
static int bus_translate(void *cookie, struct dmp_sim_device *hw, dmp_addr_t addr, size_t len,
			 bool write, dmp_phys_t *phys, size_t *chunk)
{
	const struct dmp_of_device *od = cookie;
	if (dmp_of_dma_to_phys(&od->dma, addr, phys))
		return -EFAULT; /* no window: the bus drops the access */
	*chunk = DMP_MIN(len, (size_t)(DMP_PAGE_SIZE - (addr & (DMP_PAGE_SIZE - 1))));
	return 0;
}

int dmp_sim_platform_device_setup(struct dmp_sim_platform *p, struct dmp_sim_platform_device *pd,
				  struct dmp_device *dev, struct dmp_of_error *err)
{
	const struct dmp_of_device *od = pd->of;
	if (pd->setup_dev)
		return dmp_of_error_set(err, -EBUSY, od->path, "", "the device is already set up");
	int e = dmp_device_init(dev, pd->name);
	if (e)
		return dmp_of_error_set(err, e, od->path, "", "bad device name");
	pd->setup_dev = dev;
	e = dmp_sim_device_link(dev, pd->hw); /* coherence and masks from the hardware */
	if (e)
		return dmp_of_error_set(err, e, od->path, "",
					"cannot link the device to its hardware");
	return dmp_of_dma_configure(&p->of, (unsigned int)(od - p->desc.devices), dev, &pd->iommu,
				    err);
}

void dmp_sim_platform_device_teardown(struct dmp_sim_platform *p,
				      struct dmp_sim_platform_device *pd)
{
	if (!pd->setup_dev)
		return;
	dmp_of_dma_deconfigure(&p->of, pd->setup_dev, pd->iommu);
	pd->setup_dev = NULL;
}

/* The device models of the simulator, by the tree's kind of device. */
static const struct device_model {
	enum dmp_of_device_kind kind;
	const char *what;
	int (*create)(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
		      struct dmp_sim_device **out);
} device_models[] = {
	{ DMP_OF_DEV_COPY_ENGINE, "cannot create the copy engine", dmp_sim_copy_engine_create },
	{ DMP_OF_DEV_ZYNQ_DEVCFG, "cannot create the Zynq device configuration model",
	  dmp_sim_zynq_devcfg_create },
	{ DMP_OF_DEV_SYSCON, "cannot create the syscon registers", dmp_sim_syscon_create },
	{ DMP_OF_DEV_ETH_NIC, "cannot create the Ethernet controller", dmp_sim_eth_nic_create },
};

static int build_devices(struct dmp_sim_platform *p, bool external, struct dmp_of_error *err)
{
	const struct dmp_of_platform *d = &p->desc;
	for (unsigned int i = 0; i < d->nr_devices; i++) {
		const struct dmp_of_device *od = &d->devices[i];
		const struct device_model *model = NULL;
		for (unsigned int m = 0; m < DMP_ARRAY_SIZE(device_models); m++)
			if (device_models[m].kind == od->kind)
				model = &device_models[m];
		if (!model)
			continue; /* no model for it: described, not simulated */
		struct dmp_sim_platform_device *pd = &p->devices[p->nr_devices];
		snprintf(pd->name, sizeof(pd->name), "%s", dmp_of_node_name(od->path));
		pd->of = od;
		pd->mmio = od->has_reg ? od->reg.base : 0;
		struct dmp_sim_device_config dc = { .name = pd->name, .port_bits = od->port_bits,
						    .coherent = od->coherent, .mmio_base = pd->mmio,
						    .mmio_size = (size_t)od->reg.size };
		int e = model->create(p->sim, &dc, &pd->hw);
		if (e)
			return dmp_of_error_set(err, e, od->path, "reg", model->what);
		p->nr_devices++;
		if (od->nr_irq_cells) {
			unsigned int irq;
			enum dmp_sim_irq_trigger trig;
			if (dmp_sim_irq_xlate(od->irq, od->nr_irq_cells, &irq, &trig) ||
			    dmp_sim_device_set_irq(pd->hw, 0, irq, trig))
				return dmp_of_error_set(err, -EINVAL, od->path, "interrupts",
							"an interrupt specifier the simulator cannot wire");
		}
		if (!od->nr_iommus && !od->dma.identity)
			dmp_sim_device_set_translate(pd->hw, bus_translate, (void *)od);
		if (external)
			continue; /* the caller sets up its own struct dmp_device */
		e = dmp_sim_platform_device_setup(p, pd, &pd->dev, err);
		if (e)
			return e;
	}
	return 0;
}

/* The simulated IOMMU and its driver for described IOMMU @i. */
static int sim_iommu_build(struct dmp_sim_platform *p, unsigned int i,
			   enum dmp_iommu_domain_type default_type)
{
	struct dmp_sim_iommu_config ic = { .name = dmp_of_node_name(p->desc.iommus[i].path),
					   .coherent_walk = !p->sim->cfg.outer_cache };
	int e = dmp_sim_iommu_create(p->sim, &ic, &p->iommu_hw[i]);
	if (!e)
		e = dmp_sim_iommu_driver_register(p->iommu_hw[i], default_type, &p->of.iommu[i]);
	return e;
}

/*
 * The IOMMU models of the simulator, by compatible: a model is its driver's
 * file and one entry here.  The simulated IOMMU stands for an SMMUv3 too:
 * the same LPAE stage-1 tables, one stream ID per device (@cells).
 */
static const struct {
	const char *compatible;
	unsigned int cells; /* the #iommu-cells it takes */
	int (*build)(struct dmp_sim_platform *p, unsigned int i,
		     enum dmp_iommu_domain_type default_type);
} iommu_models[] = {
	{ "dmaport,sim-iommu", 1, sim_iommu_build },
	{ "arm,smmu-v3", 1, sim_iommu_build },
};

static int build_iommus(struct dmp_sim_platform *p, const struct dmp_sim_platform_opts *o,
			struct dmp_of_error *err)
{
	const struct dmp_of_platform *d = &p->desc;
	enum dmp_iommu_domain_type type = o->iommu_default ? o->iommu_default
							   : DMP_IOMMU_DOMAIN_DMA_FQ;
	for (unsigned int i = 0; i < d->nr_iommus; i++) {
		const struct dmp_of_iommu *oi = &d->iommus[i];
		unsigned int m = 0;
		while (m < DMP_ARRAY_SIZE(iommu_models) &&
		       !dmp_of_iommu_compatible(oi, iommu_models[m].compatible))
			m++;
		if (m == DMP_ARRAY_SIZE(iommu_models))
			continue; /* no model: described, not simulated */
		if (oi->cells != iommu_models[m].cells)
			return dmp_of_error_set(err, -EINVAL, oi->path, "#iommu-cells",
						"not the number of cells this IOMMU takes");
		int e = iommu_models[m].build(p, i, type);
		if (e)
			return dmp_of_error_set(err, e, oi->path, "compatible",
						"cannot create the IOMMU");
	}
	return 0;
}

int dmp_sim_platform_create(const struct dmp_of_platform *desc,
			    const struct dmp_sim_platform_opts *opts, struct dmp_sim_platform **out,
			    struct dmp_of_error *err)
{
	struct dmp_sim_platform_opts def = { 0 };
	if (!opts)
		opts = &def;
	struct dmp_sim_platform *p = calloc(1, sizeof(*p));
	if (!p)
		return dmp_of_error_set(err, -ENOMEM, "/", "", "out of memory");
	p->desc = *desc;
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.nr_regions = desc->nr_memory;
	for (unsigned int i = 0; i < desc->nr_memory; i++) {
		cfg.regions[i].base = desc->memory[i].base;
		cfg.regions[i].size = desc->memory[i].size;
	}
	cfg.line_size = desc->cache.line_size ? desc->cache.line_size : 64;
	cfg.outer_cache = desc->cache.outer_cache;
	cfg.hostile = opts->hostile;
	cfg.seed = opts->seed;
	cfg.trace = opts->trace;
	cfg.swiotlb_size = DMP_SIM_NO_SWIOTLB; /* made below, after reserved memory */
	int e = dmp_sim_create(&cfg, &p->sim);
	if (e) {
		/* name a memory node, with its unit address: the largest region's,
		 * the likeliest not to fit the host */
		unsigned int big = 0;
		for (unsigned int i = 1; i < desc->nr_memory; i++)
			if (desc->memory[i].size > desc->memory[big].size)
				big = i;
		char msg[160];
		if (e == -EBUSY)
			snprintf(msg, sizeof(msg), "another platform is active");
		else
			snprintf(msg, sizeof(msg),
				 "cannot create the simulated memory (%u region(s); this one "
				 "0x%llx+0x%llx)", desc->nr_memory,
				 (unsigned long long)desc->memory[big].base,
				 (unsigned long long)desc->memory[big].size);
		free(p);
		return dmp_of_error_set(err, e, desc->nr_memory ? desc->memory_path[big] : "/",
					e == -EBUSY ? "" : "reg", msg);
	}
	/* reserved regions first: the tree placed them in free memory */
	e = dmp_of_reserved_mem_init(&p->of, &p->desc, err);
	if (!e) {
		/* no memory below 4 GiB: no default pool, as Linux without a DMA32
		 * zone, and no atomic pool */
		/* failing to make it (low memory all reserved) is not fatal:
		 * Linux boots on without swiotlb, and 32-bit devices whose
		 * buffers lie high then fail their mappings cleanly */
		(void)dmp__sim_swiotlb_init(p->sim, opts->swiotlb_size);
		p->default_pool = dmp__sim_swiotlb_pool(p->sim);
		p->atomic_pool = dmp_atomic_pool_init(opts->atomic_pool_size) == 0;
		e = build_iommus(p, opts, err);
	}
	if (!e)
		e = build_devices(p, opts->external_devices, err);
	if (!e)
		e = dmp__sim_platform_build_pci(p, opts->external_devices, err);
	if (e) {
		dmp_sim_platform_destroy(p);
		return e;
	}
	*out = p;
	return 0;
}

int dmp_sim_platform_load(const char *path, const struct dmp_sim_platform_opts *opts,
			  struct dmp_sim_platform **out, struct dmp_of_error *err)
{
	struct dmp_of_platform *desc = calloc(1, sizeof(*desc));
	struct dmp_of_error local;
	if (!desc)
		return -ENOMEM;
	int e = dmp_of_parse_file(path, desc, err ? err : &local);
	if (!e)
		e = dmp_sim_platform_create(desc, opts, out, err);
	free(desc);
	return e;
}

void dmp_sim_platform_destroy(struct dmp_sim_platform *p)
{
	if (!p)
		return;
	for (unsigned int i = 0; i < p->nr_devices; i++)
		dmp_sim_platform_device_teardown(p, &p->devices[i]);
	dmp__sim_platform_destroy_pci(p);
	for (unsigned int i = 0; i < DMP_OF_MAX_IOMMUS; i++) {
		if (p->of.iommu[i])
			dmp_sim_iommu_driver_unregister(p->of.iommu[i]);
		if (p->iommu_hw[i])
			dmp_sim_iommu_destroy(p->iommu_hw[i]);
	}
	/* A destroy refused (live allocations: a driver leaked, reported) leaves
	 * an allocator whose bookkeeping lives in the memory that goes away
	 * next: forget them all, so that the next machine starts clean. */
	bool leaked = false, bounce_leaked = false;
	dmp_of_reserved_mem_release(&p->of, &leaked, &bounce_leaked);
	if (p->atomic_pool)
		leaked |= dmp_atomic_pool_destroy() != 0;
	p->default_pool = NULL;
	bounce_leaked |= dmp__sim_swiotlb_exit(p->sim);
	if (bounce_leaked)
		dmp_swiotlb_forget_all();
	if (leaked)
		dmp__allocators_forget();
	dmp_sim_destroy(p->sim);
	free(p);
}

struct dmp_sim_platform_device *dmp_sim_platform_find(struct dmp_sim_platform *p, const char *name)
{
	for (unsigned int i = 0; i < p->nr_devices; i++)
		if (!strcmp(p->devices[i].name, name) || !strcmp(p->devices[i].of->path, name))
			return &p->devices[i];
	return NULL;
}

struct dmp_sim_platform_device *dmp_sim_platform_first(struct dmp_sim_platform *p,
							enum dmp_of_device_kind kind,
							bool behind_iommu)
{
	for (unsigned int i = 0; i < p->nr_devices; i++)
		if (p->devices[i].of->kind == kind && p->devices[i].iommu == behind_iommu)
			return &p->devices[i];
	return NULL;
}

void dmp_sim_platform_dump(struct dmp_sim_platform *p, FILE *f)
{
	const struct dmp_sim_config *c = &p->sim->cfg;
	fprintf(f, "machine: %s\n", p->desc.model[0] ? p->desc.model : "(no model)");
	for (unsigned int i = 0; i < c->nr_regions; i++)
		fprintf(f, "  memory   0x%09llx..0x%09llx (%llu MiB)\n",
			(unsigned long long)c->regions[i].base,
			(unsigned long long)(c->regions[i].base + c->regions[i].size - 1),
			(unsigned long long)(c->regions[i].size >> 20));
	fprintf(f, "  caches   %u-byte lines, %s outer cache, write buffer\n", c->line_size,
		c->outer_cache ? "an" : "no");
	for (unsigned int i = 0; i < p->desc.nr_reserved; i++) {
		const struct dmp_of_reserved *r = &p->desc.reserved[i];
		fprintf(f, "  reserved %-28s %-10s 0x%09llx + %llu KiB%s%s%s%s\n", r->path,
			dmp_of_rmem_kind_name(r->kind), (unsigned long long)r->base,
			(unsigned long long)(r->size >> 10), r->cma_default ? " (default CMA)" : "",
			p->of.restricted[i] ? " -> bounce pool" : "", p->of.cma[i] ? " -> CMA area" : "",
			r->kind == DMP_OF_RMEM_COHERENT
				? (r->dma_default ? " -> global coherent pool"
						  : " -> declared coherent memory")
				: "");
	}
	if (p->default_pool)
		fprintf(f, "  swiotlb  default bounce pool below 4 GiB\n");
	struct dmp_atomic_pool_stats ap;
	if (p->atomic_pool && dmp_atomic_pool_get_stats(&ap) == 0)
		fprintf(f, "  atomic   pool 0x%09llx + %zu KiB, uncached\n",
			(unsigned long long)ap.phys, ap.nr_pages * (DMP_PAGE_SIZE >> 10));
	for (unsigned int i = 0; i < p->desc.nr_iommus; i++)
		fprintf(f, "  iommu    %-28s %s%s\n", p->desc.iommus[i].path,
			p->desc.iommus[i].compatible, p->of.iommu[i] ? " (simulated)" : " (no model)");
	for (unsigned int i = 0; i < p->nr_devices; i++) {
		struct dmp_sim_platform_device *d = &p->devices[i];
		struct dmp_device *dv = d->setup_dev;
		if (!dv)
			continue; /* hardware whose device a driver core has not set up */
		fprintf(f, "  device   %-12s %s, regs 0x%llx, %u-bit port, %s, mask 0x%llx, coherent "
			   "mask 0x%llx", d->name, d->of->compatible, (unsigned long long)d->mmio,
			d->of->port_bits, dv->dma_coherent ? "coherent" : "non-coherent",
			(unsigned long long)dmp_get_mask(dv),
			(unsigned long long)dv->coherent_dma_mask);
		if (d->iommu)
			fprintf(f, ", IOMMU stream %u (group %d)", d->of->iommus[0].args[0],
				dmp_iommu_group_id(dv));
		if (dv->io_tlb_pool)
			fprintf(f, ", restricted bounce pool");
		if (dv->cma_area)
			fprintf(f, ", CMA area %s", dmp_cma_name(dv->cma_area));
		struct dmp_coherent_stats cs;
		if (dv->dma_mem && dmp_coherent_get_stats(dv, &cs) == 0)
			fprintf(f, ", declared coherent memory 0x%llx (bus 0x%llx) + %zu KiB",
				(unsigned long long)cs.phys_base, (unsigned long long)cs.device_base,
				cs.nr_pages * (DMP_PAGE_SIZE >> 10));
		fprintf(f, "\n");
		for (unsigned int k = 0; k < dv->nr_ranges; k++)
			fprintf(f, "           dma-range cpu 0x%llx -> bus 0x%llx, %llu MiB\n",
				(unsigned long long)dv->ranges[k].cpu_start,
				(unsigned long long)dv->ranges[k].dma_start,
				(unsigned long long)(dv->ranges[k].size >> 20));
		if (dv->bus_dma_limit)
			fprintf(f, "           bus limit 0x%llx\n",
				(unsigned long long)dv->bus_dma_limit);
	}
	for (unsigned int i = 0; i < p->nr_pci_funcs; i++) {
		const struct dmp_sim_platform_pci_func *pf = &p->pci_funcs[i];
		fprintf(f, "  pci      %s %04x:%04x %s, %u-bit port, %s", pf->name, pf->of->vendor,
			pf->of->device, pf->of->compatible, pf->of->port_bits,
			pf->of->coherent ? "coherent" : "non-coherent");
		if (pf->of->has_iommu)
			fprintf(f, ", IOMMU stream %u", pf->of->sid);
		if (pf->intx_irq >= 0)
			fprintf(f, ", INT%c on line %d", 'A' + pf->of->intx_pin - 1, pf->intx_irq);
		fprintf(f, "\n");
	}
}
