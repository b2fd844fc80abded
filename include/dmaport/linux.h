/* SPDX-License-Identifier: MIT */
/*
 * dmaport/linux.h - the Linux-compat runtime (libdmaport-linux): run Linux
 * drivers, compiled against compat/linux/, on a simulated machine.
 *
 * Callers' header, for the programs that host drivers: tests, dmaport-sim.
 * Drivers themselves include only <linux/...> headers.
 *
 * A program loads a machine from a device tree, loads modules (running their
 * module_init: drivers register and bind to the devices the tree describes,
 * probing them), lets them work, unloads the modules (module_exit: drivers
 * unregister, unbinding: remove, then devres in reverse order), and destroys
 * the machine, which reports through the checker what drivers left behind.
 * Everything runs on the calling thread and the runtime's tasks, one at a
 * time, on the simulated clock: the same program gives the same run.
 */
#ifndef DMAPORT_LINUX_H
#define DMAPORT_LINUX_H

#include <dmaport/sim/platform.h>

DMP_BEGIN_DECLS

struct module;
struct device;

/**
 * struct dmp_lx_machine_opts - how to build the machine (0: defaults).
 * @platform: passed to the simulated platform (hostile caches, seed, trace,
 *            IOMMU default domain type, bounce pool size).
 * @firmware_path: directories (colon-separated) request_firmware() looks in
 *            first; then $DMP_FIRMWARE_PATH, then the tree's directory.
 */
struct dmp_lx_machine_opts {
	struct dmp_sim_platform_opts platform;
	const char *firmware_path;
};

/**
 * dmp_lx_machine_load - build the machine @path (.dts or .dtb) describes and
 * make it the one drivers see: the simulated platform, the device tree
 * (struct device_node), a platform device for every enabled node with a
 * compatible under the root or a simple-bus, and a PCI device for every
 * function below a PCI host bridge.  One machine at a time.
 * Returns 0, -EBUSY (a machine is loaded), or the platform's error (@err
 * says what and where).
 */
int dmp_lx_machine_load(const char *path, const struct dmp_lx_machine_opts *opts,
			struct dmp_of_error *err);

/**
 * dmp_lx_machine_unload - unload every loaded module (module_exit, in the
 * reverse order of loading), stop the runtime's tasks, delete the devices
 * (their devres are released), and destroy the platform: the checker
 * reports, per device, mappings and allocations drivers left behind.
 */
void dmp_lx_machine_unload(void);

/**
 * dmp_lx_machine_leftovers - what drivers left behind that the last
 * dmp_lx_machine_unload() had to undo itself, each logged as "BUG: ... when
 * the machine goes away" (a driver, device, misc device, requested irq,
 * enabled MSI, requested PCI region or running kthread still there after
 * every module was unloaded).  Counted from the last dmp_lx_machine_load().
 * DMA memory left behind is the checker's (dmp_debug_total()).
 */
unsigned int dmp_lx_machine_leftovers(void);

/** dmp_lx_machine_platform - the simulated platform, or NULL without a machine. */
struct dmp_sim_platform *dmp_lx_machine_platform(void);

/** dmp_lx_find_device - the device (platform or PCI) named @name, or NULL. */
struct device *dmp_lx_find_device(const char *name);

/**
 * dmp_lx_module_find - a module this program contains (one per source file
 * with module_init/module_exit), by name (KBUILD_MODNAME: by default the
 * file's name, e.g. "ce-irq.c"; a name without ".c" matches too), or NULL.
 */
struct module *dmp_lx_module_find(const char *name);
/** dmp_lx_module_next - iterate the modules (NULL: the first). */
struct module *dmp_lx_module_next(struct module *prev);
/** dmp_lx_module_name - @mod's name (its KBUILD_MODNAME). */
const char *dmp_lx_module_name(const struct module *mod);

/**
 * dmp_lx_module_load - run @mod's module_init (insmod).  Returns its result
 * (0, or the negative errno it returned: the module is then not loaded), or
 * -EEXIST (already loaded), -ENODEV (no machine).
 */
int dmp_lx_module_load(struct module *mod);
/** dmp_lx_module_unload - run @mod's module_exit (rmmod); -ENOENT if not loaded. */
int dmp_lx_module_unload(struct module *mod);

/**
 * dmp_lx_param_set - set module parameter @name ("module.param" or "param")
 * to @value before loading, as insmod's arguments.  Returns 0, -ENOENT, or
 * -EINVAL (not a value of the parameter's type).
 */
int dmp_lx_param_set(const char *name, const char *value);

/**
 * dmp_lx_run_for - let @ns of simulated time pass on the calling task:
 * other tasks, device events, timers and interrupts run meanwhile.
 */
void dmp_lx_run_for(uint64_t ns);

/**
 * dmp_lx_run_until_idle - run until no task is runnable and no event is
 * due within @max_ns; returns the simulated time that passed.
 */
uint64_t dmp_lx_run_until_idle(uint64_t max_ns);

/** dmp_lx_irq_hwirq - the simulated controller's line of Linux IRQ @irq, or -EINVAL. */
int dmp_lx_irq_hwirq(unsigned int irq);

/*
 * Playing a process: open a misc device by name (as /dev/NAME) or a debugfs
 * file by path (as /sys/kernel/debug/PATH) into @file (caller's storage,
 * a struct file of <linux/fs.h>), calling the driver's open; then call
 * file->f_op's operations; dmp_lx_file_release calls its release.
 * Returns 0, -ENODEV/-ENOENT (no such name), or what open returned.
 */
struct file;
int dmp_lx_misc_open(const char *name, struct file *file);
int dmp_lx_debugfs_open(const char *path, struct file *file);
int dmp_lx_file_release(struct file *file);

/** dmp_lx_machine_dump - one line per device on a bus: its name and driver. */
void dmp_lx_machine_dump(FILE *f);

/** dmp_lx_bound_count - devices with a driver bound (for tests and tools). */
unsigned int dmp_lx_bound_count(void);

DMP_END_DECLS

#endif /* DMAPORT_LINUX_H */
