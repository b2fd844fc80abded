/* SPDX-License-Identifier: MIT */
/*
 * runtime.h - the Linux-compat runtime's private interfaces (not installed):
 * the scheduler and the simulated clock (sched.c), interrupts (irq.c), the
 * device tree (of.c), the driver core (core.c, platform.c, pci.c) and the
 * machine (machine.c).
 */
#ifndef DMP_LX_RUNTIME_H
#define DMP_LX_RUNTIME_H

#include <pthread.h>

#include <dmaport/linux.h>
#include <dmaport/sim/irq.h>

#include <linux/completion.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/kthread.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

/* A failure the runtime cannot continue from (Linux would hang or oops):
 * print the report through the log sink, then abort(). */
void dmp_lx_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Log what a driver left behind at machine unload (and count it). */
void dmp_lx_leftover(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- sched.c ----------------------------------------------------------- */

enum dmp_lx_task_state {
	DMP_LX_T_RUNNING,  /* running or runnable */
	DMP_LX_T_BLOCKED,  /* waiting for a wake-up or its timeout */
	DMP_LX_T_NEW,      /* a kthread not woken yet */
	DMP_LX_T_DEAD,     /* its function returned */
};

struct dmp_lx_task {
	struct task_struct ts;
	pthread_t thread;
	bool has_thread;       /* a host thread of its own (not the main task) */
	pthread_cond_t cv;
	enum dmp_lx_task_state state;
	bool queued;           /* on the run queue */
	struct dmp_lx_task *run_next;
	struct dmp_lx_task *all_next;
	/* what it waits on, for the deadlock report */
	const char *wait_what;
	const char *wait_file;
	int wait_line;
	/* kthread */
	int (*fn)(void *data);
	void *data;
	int result;
	bool should_stop;
	bool should_park;
	bool parked;
	bool started;
	struct completion exited;
	int refs;
	u64 slice_start;       /* when it last got the CPU (simulated ns) */
	/* its timeout, on the simulated clock */
	struct dmp_sim_callout timeout;
	bool timed_out;
};

/* The simulated platform drivers run on (NULL: none; host time then). */
struct dmp_sim *dmp_lx_sim(void);
void dmp_lx_sched_machine_up(struct dmp_sim *sim);
void dmp_lx_sched_machine_down(void);
/* Stop every task but the caller's (kthreads left behind are reported). */
void dmp_lx_sched_reap(void);
struct dmp_lx_task *dmp_lx_task_current(void);
/* Run the expired timers and tasklets if the context allows. */
void dmp_lx_run_softirqs(void);
void dmp_lx_softirq_raise_timer(struct timer_list *t);
/* hard-interrupt context accounting (irq.c enters and leaves it) */
void dmp_lx_hardirq_enter(void);
void dmp_lx_hardirq_exit(void);

/* --- irq.c -------------------------------------------------------------- */

void dmp_lx_irq_machine_up(struct dmp_sim *sim);
void dmp_lx_irq_machine_down(void);
/* The Linux IRQ number for line @hwirq of the simulated controller (made on
 * first use, as irq_create_mapping); 0 on failure. */
unsigned int dmp_lx_irq_map(unsigned int hwirq, enum dmp_sim_irq_trigger trigger);
/* @n consecutive Linux IRQ numbers for MSI lines (see pci.c); 0 on failure. */
unsigned int dmp_lx_irq_map_msi(unsigned int first_hwirq, unsigned int n);
int dmp_lx_irq_hwirq(unsigned int irq);

/* --- of.c ---------------------------------------------------------------- */

/* Build the device_node tree from @blob (copied); 0 or -ENOMEM/-EINVAL. */
int dmp_lx_of_load(const void *blob, size_t size);
void dmp_lx_of_unload(void);
const void *dmp_lx_of_blob(void);
/* The interrupt specifier @index of @np and its line; 0 or -ENOENT/-EINVAL. */
int dmp_lx_of_irq_line(const struct device_node *np, int index, unsigned int *hwirq,
		       enum dmp_sim_irq_trigger *trigger);
/* reg @index of @np translated to a CPU address; 0, -ENOENT, -EINVAL. */
int dmp_lx_of_reg(const struct device_node *np, int index, u64 *addr, u64 *size);

/* --- core.c -------------------------------------------------------------- */

void dmp_lx_core_drivers_down(void);
void dmp_lx_core_machine_down(void);
/* Try to bind every unbound device of @bus (also retries deferred probes). */
void dmp_lx_bus_rescan(const struct bus_type *bus);
/* Call a platform driver's remove in the form it was compiled with. */
void dmp_lx_call_remove(struct device *dev);
/* The devres of a device are released (unbind, probe failure, delete). */
void dmp_lx_devres_release_all(struct device *dev);
struct device *dmp_lx_device_by_node(const struct device_node *np, const struct bus_type *bus);
void dmp_lx_modules_unload_all(void);

/* --- platform.c ---------------------------------------------------------- */

int dmp_lx_platform_populate(struct device_node *root, struct device *parent);
void dmp_lx_platform_machine_down(void);

/* --- pci.c --------------------------------------------------------------- */

int dmp_lx_pci_machine_up(struct dmp_sim_platform *p);
void dmp_lx_pci_machine_down(void);

/* --- chardev.c, clk.c, lib.c: what the machine's end clears ----------------- */

void dmp_lx_debugfs_clear(void);
void dmp_lx_misc_clear(void);
void dmp_lx_clk_machine_down(void);
/* firmware.c: the firmware path of the machine */
void dmp_lx_firmware_machine_up(const char *opts_path, const char *tree_path);
void dmp_lx_firmware_machine_down(void);
/* fpga.c: the FPGA region driver for the tree's fpga-region nodes */
void dmp_lx_fpga_machine_up(void);
void dmp_lx_fpga_machine_down(void);
/* dma.c: the contiguous areas dma_contiguous_reserve*() made go */
void dmp_lx_dma_machine_down(void);
/* iommu.c: ARM mappings left by drivers go */
void dmp_lx_iommu_machine_down(void);
void dmp_lx_random_reseed(void);

/* --- machine.c ----------------------------------------------------------- */

/* Set up @dev's DMA (struct dmp_device) for the simulated hardware at node
 * @np, as of_dma_configure: 0, or 1 when the node has no simulated
 * hardware (a plain device with Linux's defaults), or a negative errno. */
int dmp_lx_machine_dma_setup(struct device *dev, const struct device_node *np);
void dmp_lx_machine_dma_teardown(struct device *dev);

#endif /* DMP_LX_RUNTIME_H */
