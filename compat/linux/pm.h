/* SPDX-License-Identifier: MIT */
/*
 * <linux/pm.h> for dmaport's Linux-compat layer.  Power management is not
 * simulated (CONFIG_PM is off): the structures exist so drivers compile, the
 * callbacks are never called, and pm_ptr()/pm_sleep_ptr() give NULL.
 */
#ifndef DMP_COMPAT_LINUX_PM_H
#define DMP_COMPAT_LINUX_PM_H

#include <linux/types.h>

struct device;

typedef struct pm_message {
	int event;
} pm_message_t;

#define PM_EVENT_SUSPEND 0x0002
#define PMSG_SUSPEND ((struct pm_message){ .event = PM_EVENT_SUSPEND })

struct dev_pm_ops {
	int (*prepare)(struct device *dev);
	void (*complete)(struct device *dev);
	int (*suspend)(struct device *dev);
	int (*resume)(struct device *dev);
	int (*freeze)(struct device *dev);
	int (*thaw)(struct device *dev);
	int (*poweroff)(struct device *dev);
	int (*restore)(struct device *dev);
	int (*suspend_late)(struct device *dev);
	int (*resume_early)(struct device *dev);
	int (*freeze_late)(struct device *dev);
	int (*thaw_early)(struct device *dev);
	int (*poweroff_late)(struct device *dev);
	int (*restore_early)(struct device *dev);
	int (*suspend_noirq)(struct device *dev);
	int (*resume_noirq)(struct device *dev);
	int (*freeze_noirq)(struct device *dev);
	int (*thaw_noirq)(struct device *dev);
	int (*poweroff_noirq)(struct device *dev);
	int (*restore_noirq)(struct device *dev);
	int (*runtime_suspend)(struct device *dev);
	int (*runtime_resume)(struct device *dev);
	int (*runtime_idle)(struct device *dev);
};

struct dev_pm_info {
	bool can_wakeup;
	bool is_prepared;
};

#define pm_ptr(ptr) (0 ? (ptr) : NULL)
#define pm_sleep_ptr(ptr) (0 ? (ptr) : NULL)
#define SET_SYSTEM_SLEEP_PM_OPS(suspend_fn, resume_fn)
#define SET_LATE_SYSTEM_SLEEP_PM_OPS(suspend_fn, resume_fn)
#define SET_NOIRQ_SYSTEM_SLEEP_PM_OPS(suspend_fn, resume_fn)
#define SET_RUNTIME_PM_OPS(suspend_fn, resume_fn, idle_fn)
#define SYSTEM_SLEEP_PM_OPS(suspend_fn, resume_fn)                                      \
	.suspend = (suspend_fn), .resume = (resume_fn), .freeze = (suspend_fn),         \
	.thaw = (resume_fn), .poweroff = (suspend_fn), .restore = (resume_fn),
#define RUNTIME_PM_OPS(suspend_fn, resume_fn, idle_fn)                                  \
	.runtime_suspend = (suspend_fn), .runtime_resume = (resume_fn),                 \
	.runtime_idle = (idle_fn),
#define NOIRQ_SYSTEM_SLEEP_PM_OPS(suspend_fn, resume_fn)                                \
	.suspend_noirq = (suspend_fn), .resume_noirq = (resume_fn),
#define LATE_SYSTEM_SLEEP_PM_OPS(suspend_fn, resume_fn)                                 \
	.suspend_late = (suspend_fn), .resume_late = (resume_fn),
#define DEFINE_SIMPLE_DEV_PM_OPS(name, suspend_fn, resume_fn)                           \
	const struct dev_pm_ops name = { SYSTEM_SLEEP_PM_OPS(suspend_fn, resume_fn) }
#define SIMPLE_DEV_PM_OPS(name, suspend_fn, resume_fn)                                  \
	const struct dev_pm_ops __attribute__((unused)) name = {                        \
		SYSTEM_SLEEP_PM_OPS(suspend_fn, resume_fn) }
#define DEFINE_RUNTIME_DEV_PM_OPS(name, suspend_fn, resume_fn, idle_fn)                 \
	const struct dev_pm_ops name = { RUNTIME_PM_OPS(suspend_fn, resume_fn, idle_fn) }
#define UNIVERSAL_DEV_PM_OPS(name, suspend_fn, resume_fn, idle_fn)                      \
	const struct dev_pm_ops __attribute__((unused)) name = {                        \
		SYSTEM_SLEEP_PM_OPS(suspend_fn, resume_fn)                              \
		RUNTIME_PM_OPS(suspend_fn, resume_fn, idle_fn) }
#define EXPORT_SIMPLE_DEV_PM_OPS(name, s, r) DEFINE_SIMPLE_DEV_PM_OPS(name, s, r)
#define EXPORT_GPL_SIMPLE_DEV_PM_OPS(name, s, r) DEFINE_SIMPLE_DEV_PM_OPS(name, s, r)

#endif /* DMP_COMPAT_LINUX_PM_H */
