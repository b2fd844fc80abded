/* SPDX-License-Identifier: MIT */
/*
 * <linux/pm_runtime.h> for dmaport's Linux-compat layer: runtime PM is not
 * simulated; devices are always powered.  The calls succeed and change
 * nothing (get_sync returns 1, "already active", as Linux with the device
 * active).
 */
#ifndef DMP_COMPAT_LINUX_PM_RUNTIME_H
#define DMP_COMPAT_LINUX_PM_RUNTIME_H

#include <linux/device.h>

#define pm_runtime_enable(dev) do { (void)(dev); } while (0)
#define pm_runtime_disable(dev) do { (void)(dev); } while (0)
#define devm_pm_runtime_enable(dev) __extension__({ (void)(dev); 0; })
#define pm_runtime_get_sync(dev) __extension__({ (void)(dev); 1; })
#define pm_runtime_resume_and_get(dev) __extension__({ (void)(dev); 0; })
#define pm_runtime_get(dev) __extension__({ (void)(dev); 1; })
#define pm_runtime_get_noresume(dev) do { (void)(dev); } while (0)
#define pm_runtime_put(dev) __extension__({ (void)(dev); 0; })
#define pm_runtime_put_sync(dev) __extension__({ (void)(dev); 0; })
#define pm_runtime_put_noidle(dev) do { (void)(dev); } while (0)
#define pm_runtime_put_autosuspend(dev) __extension__({ (void)(dev); 0; })
#define pm_runtime_put_sync_suspend(dev) __extension__({ (void)(dev); 0; })
#define pm_runtime_mark_last_busy(dev) do { (void)(dev); } while (0)
#define pm_runtime_set_active(dev) __extension__({ (void)(dev); 0; })
#define pm_runtime_set_suspended(dev) __extension__({ (void)(dev); 0; })
#define pm_runtime_use_autosuspend(dev) do { (void)(dev); } while (0)
#define pm_runtime_dont_use_autosuspend(dev) do { (void)(dev); } while (0)
#define pm_runtime_set_autosuspend_delay(dev, d) do { (void)(dev); (void)(d); } while (0)
#define pm_runtime_suspended(dev) __extension__({ (void)(dev); false; })
#define pm_runtime_active(dev) __extension__({ (void)(dev); true; })
#define pm_runtime_no_callbacks(dev) do { (void)(dev); } while (0)
#define pm_runtime_irq_safe(dev) do { (void)(dev); } while (0)
#define pm_runtime_forbid(dev) do { (void)(dev); } while (0)
#define pm_runtime_allow(dev) do { (void)(dev); } while (0)

#endif /* DMP_COMPAT_LINUX_PM_RUNTIME_H */
