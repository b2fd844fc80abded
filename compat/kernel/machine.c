/* SPDX-License-Identifier: MIT */
/*
 * machine.c - the machine drivers run on: a simulated platform built from a
 * device tree, the tree as device_nodes, its devices on the platform and PCI
 * buses (see <dmaport/linux.h>).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <dmaport/debug.h>

#include "runtime.h"

static struct dmp_sim_platform *plat;

struct dmp_sim_platform *dmp_lx_machine_platform(void)
{
	return plat;
}

/* The simulated hardware at node @np, or NULL (none: described only). */
static struct dmp_sim_platform_device *hw_of(const struct device_node *np)
{
	char path[DMP_OF_PATH_MAX];
	if (!plat || !np || fdt_get_path(dmp_lx_of_blob(), np->dmp_offset, path, sizeof(path)))
		return NULL;
	for (unsigned int i = 0; i < plat->nr_devices; i++)
		if (!strcmp(plat->devices[i].of->path, path))
			return &plat->devices[i];
	return NULL;
}

int dmp_lx_machine_dma_setup(struct device *dev, const struct device_node *np)
{
	struct dmp_sim_platform_device *pd = hw_of(np);
	if (!pd) {
		/* no simulated hardware: Linux's defaults for an OF platform
		 * device, coherence from the tree */
		int e = dmp_device_init(&dev->dmp, np->name);
		if (e)
			return e;
		dmp_device_set_coherent(&dev->dmp, of_dma_is_coherent((struct device_node *)np));
		dev->dmp_dma_set_up = true;
		return 1;
	}
	struct dmp_of_error err;
	int e = dmp_sim_platform_device_setup(plat, pd, &dev->dmp, &err);
	if (e) {
		char msg[400];
		dmp_of_error_format(&err, msg, sizeof(msg));
		dmp_log("of: %s", msg);
		dmp_sim_platform_device_teardown(plat, pd);
		return e;
	}
	dev->dmp_hw = pd;
	dev->dmp_dma_set_up = true;
	return 0;
}

void dmp_lx_machine_dma_teardown(struct device *dev)
{
	struct dmp_sim_platform_device *pd = dev->dmp_hw;
	if (plat && pd && pd->setup_dev == &dev->dmp)
		dmp_sim_platform_device_teardown(plat, pd);
	dev->dmp_hw = NULL;
}

static unsigned int leftovers;

void dmp_lx_leftover(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dmp_vlog(fmt, ap);
	va_end(ap);
	leftovers++;
}

unsigned int dmp_lx_machine_leftovers(void)
{
	return leftovers;
}

int dmp_lx_machine_load(const char *path, const struct dmp_lx_machine_opts *opts,
			struct dmp_of_error *err)
{
	struct dmp_lx_machine_opts def = { 0 };
	struct dmp_of_error local;
	if (!err)
		err = &local;
	if (!opts)
		opts = &def;
	if (plat) {
		memset(err, 0, sizeof(*err));
		err->code = -EBUSY;
		snprintf(err->message, sizeof(err->message),
			 "a machine is loaded already: unload it first");
		return -EBUSY;
	}
	leftovers = 0;
	void *blob;
	size_t len;
	int e = dmp_of_read_file(path, &blob, &len, err);
	if (e)
		return e;
	struct dmp_of_platform *desc = calloc(1, sizeof(*desc));
	if (!desc) {
		free(blob);
		return -ENOMEM;
	}
	e = dmp_of_parse(blob, len, desc, err);
	if (!e) {
		struct dmp_sim_platform_opts po = opts->platform;
		po.external_devices = true;
		e = dmp_sim_platform_create(desc, &po, &plat, err);
	}
	free(desc);
	if (!e) {
		e = dmp_lx_of_load(blob, len);
		if (e) {
			memset(err, 0, sizeof(*err));
			err->code = e;
			snprintf(err->message, sizeof(err->message), "cannot read the tree's nodes");
			dmp_sim_platform_destroy(plat);
			plat = NULL;
		}
	}
	free(blob);
	if (e)
		return e;
	dmp_lx_firmware_machine_up(opts->firmware_path, path);
	dmp_lx_random_reseed();
	dmp_lx_sched_machine_up(plat->sim);
	dmp_lx_irq_machine_up(plat->sim);
	dmp_lx_platform_populate(of_root, NULL);
	dmp_lx_pci_machine_up(plat);
	dmp_lx_fpga_machine_up();
	return 0;
}

void dmp_lx_machine_unload(void)
{
	if (!plat)
		return;
	dmp_lx_modules_unload_all();
	dmp_lx_fpga_machine_down();
	dmp_lx_core_drivers_down();
	dmp_lx_pci_machine_down();
	dmp_lx_platform_machine_down();
	dmp_lx_core_machine_down();
	dmp_lx_misc_clear();
	dmp_lx_debugfs_clear();
	dmp_lx_clk_machine_down();
	dmp_lx_iommu_machine_down();
	dmp_lx_dma_machine_down();
	dmp_lx_firmware_machine_down();
	dmp_lx_irq_machine_down();
	dmp_lx_sched_machine_down();
	dmp_lx_of_unload();
	dmp_sim_platform_destroy(plat);
	plat = NULL;
}
