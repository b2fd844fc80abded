/* SPDX-License-Identifier: MIT */
/*
 * sim-platform-pci.c - the PCI part of a machine built from a device tree:
 * host bridges with an ECAM window and a memory window become simulated
 * hosts; the functions below them with a "dmaport,*" model become models;
 * their DMA is set up as Linux's of_dma_configure sets up a PCI device's
 * (the host's dma-ranges and coherence, the IOMMU stream of the requester
 * ID through iommu-map).  See <dmaport/sim/platform.h>.
 */
#include <stdlib.h>
#include <string.h>

#include <dmaport/dma-mapping.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/sim/irq.h>
#include <dmaport/sim/pci.h>
#include <dmaport/sim/platform.h>

#include "sim-internal.h"

/* The host bridge's dma-ranges between a function and memory. */
static int host_translate(void *cookie, struct dmp_sim_device *hw, dmp_addr_t addr, size_t len,
			  bool write, dmp_phys_t *phys, size_t *chunk)
{
	const struct dmp_of_dma_map *map = cookie;
	(void)hw;
	(void)write;
	if (dmp_of_dma_to_phys(map, addr, phys))
		return -EFAULT;
	*chunk = DMP_MIN(len, (size_t)(DMP_PAGE_SIZE - (addr & (DMP_PAGE_SIZE - 1))));
	return 0;
}

/* Models by compatible. */
static const struct {
	const char *compatible;
	int (*create)(struct dmp_sim_pci_host *host, uint8_t bus, uint8_t devfn,
		      const struct dmp_sim_pci_func_config *cfg, struct dmp_sim_pci_func **out);
} models[] = {
	{ "dmaport,pci-epf-test", dmp_sim_pci_epf_test_create },
};

static int build_function(struct dmp_sim_platform *p, const struct dmp_of_pci_function *of,
			  struct dmp_of_error *err)
{
	struct dmp_sim_pci_host *host = p->pci_hosts[of->host];
	struct dmp_sim_platform_pci_func *pf = &p->pci_funcs[p->nr_pci_funcs];
	unsigned int m;
	for (m = 0; m < DMP_ARRAY_SIZE(models); m++)
		if (!strcmp(models[m].compatible, of->compatible))
			break;
	if (m == DMP_ARRAY_SIZE(models))
		return 0; /* no model: described, not simulated */
	if (!host)
		return dmp_of_error_set(err, -EINVAL, of->path, "reg",
					"its host bridge has no ECAM window (reg) or memory window (ranges)");
	memset(pf, 0, sizeof(*pf));
	snprintf(pf->name, sizeof(pf->name), "%04x:%02x:%02x.%u", of->host, of->bus,
		 of->devfn >> 3, of->devfn & 7u);
	pf->of = of;
	pf->intx_irq = -1;
	struct dmp_sim_pci_func_config cfg = {
		.name = pf->name,
		.vendor = of->vendor == 0xffff ? 0 : of->vendor,
		.device = of->device == 0xffff ? 0 : of->device,
		.class_code = of->class_code,
		.intx_pin = of->intx_pin,
		.port_bits = of->port_bits,
		.coherent = of->coherent,
	};
	int e = models[m].create(host, of->bus, of->devfn, &cfg, &pf->fn);
	if (e)
		return dmp_of_error_set(err, e, of->path, "compatible",
					"cannot create the PCI function's model");
	p->nr_pci_funcs++;
	pf->hw = dmp_sim_pci_func_device(pf->fn);
	if (of->nr_intx_cells) {
		unsigned int irq;
		enum dmp_sim_irq_trigger trig;
		if (dmp_sim_irq_xlate(of->intx, of->nr_intx_cells, &irq, &trig) ||
		    dmp_sim_pci_func_set_intx_line(pf->fn, irq))
			return dmp_of_error_set(err, -EINVAL, of->path, "interrupts",
						"its INTx through interrupt-map is a line the simulator cannot wire");
		pf->intx_irq = (int)irq;
	}
	const struct dmp_of_pci_host *oh = &p->desc.pci_hosts[of->host];
	if (!of->has_iommu && !oh->dma.identity)
		dmp_sim_device_set_translate(pf->hw, host_translate, (void *)&oh->dma);
	return 0;
}

int dmp_sim_platform_pci_setup(struct dmp_sim_platform *p, struct dmp_sim_platform_pci_func *pf,
			       struct dmp_device *dev, struct dmp_of_error *err)
{
	const struct dmp_of_pci_function *of = pf->of;
	if (pf->setup_dev)
		return dmp_of_error_set(err, -EBUSY, of->path, "",
					"the function is already set up");
	int e = dmp_device_init(dev, pf->name);
	if (e)
		return dmp_of_error_set(err, e, of->path, "", "bad device name");
	pf->setup_dev = dev;
	e = dmp_sim_device_link(dev, pf->hw); /* coherence and masks from the port */
	if (e)
		return dmp_of_error_set(err, e, of->path, "",
					"cannot link the device to its hardware");
	return dmp_of_pci_dma_configure(&p->of, of, dev, &pf->iommu, err);
}

void dmp_sim_platform_pci_teardown(struct dmp_sim_platform *p, struct dmp_sim_platform_pci_func *pf)
{
	if (!pf->setup_dev)
		return;
	dmp_of_dma_deconfigure(&p->of, pf->setup_dev, pf->iommu);
	pf->iommu = false;
	pf->setup_dev = NULL;
}

int dmp__sim_platform_build_pci(struct dmp_sim_platform *p, bool external, struct dmp_of_error *err)
{
	const struct dmp_of_platform *d = &p->desc;
	for (unsigned int h = 0; h < d->nr_pci_hosts; h++) {
		const struct dmp_of_pci_host *oh = &d->pci_hosts[h];
		if (!oh->has_reg || !oh->has_mem)
			continue; /* no windows: described only */
		char name[32];
		snprintf(name, sizeof(name), "pci%04x", h);
		int e = dmp_sim_pci_host_create(p->sim, name, oh->reg.base, (size_t)oh->reg.size,
						oh->mem.base, oh->mem_pci, oh->mem.size,
						&p->pci_hosts[h]);
		if (e)
			return dmp_of_error_set(err, e, oh->path, "reg",
						"cannot create the host bridge (ECAM a multiple of 1 MiB, " "clear of memory and other registers)");
	}
	for (unsigned int i = 0; i < d->nr_pci_funcs; i++) {
		int e = build_function(p, &d->pci_funcs[i], err);
		if (e)
			return e;
	}
	if (external)
		return 0;
	for (unsigned int i = 0; i < p->nr_pci_funcs; i++) {
		int e = dmp_sim_platform_pci_setup(p, &p->pci_funcs[i], &p->pci_funcs[i].dev, err);
		if (e)
			return e;
	}
	return 0;
}

void dmp__sim_platform_destroy_pci(struct dmp_sim_platform *p)
{
	for (unsigned int i = 0; i < p->nr_pci_funcs; i++)
		dmp_sim_platform_pci_teardown(p, &p->pci_funcs[i]);
	for (unsigned int h = 0; h < DMP_OF_MAX_PCI_HOSTS; h++) {
		dmp_sim_pci_host_destroy(p->pci_hosts[h]);
		p->pci_hosts[h] = NULL;
	}
	p->nr_pci_funcs = 0;
}
