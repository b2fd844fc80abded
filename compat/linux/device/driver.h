/* SPDX-License-Identifier: MIT */
/*
 * <linux/device/driver.h> for dmaport's Linux-compat layer: the module
 * helpers that register a driver in module_init and unregister it in
 * module_exit (module_driver, builtin_driver).
 */
#ifndef DMP_COMPAT_LINUX_DEVICE_DRIVER_H
#define DMP_COMPAT_LINUX_DEVICE_DRIVER_H

#include <linux/module.h>

#define module_driver(__driver, __register, __unregister, ...)                          \
	static int __init __driver##_init(void)                                         \
	{                                                                               \
		return __register(&(__driver), ##__VA_ARGS__);                          \
	}                                                                               \
	module_init(__driver##_init);                                                   \
	static void __exit __driver##_exit(void)                                        \
	{                                                                               \
		__unregister(&(__driver), ##__VA_ARGS__);                               \
	}                                                                               \
	module_exit(__driver##_exit)

#define builtin_driver(__driver, __register, ...)                                       \
	static int __init __driver##_init(void)                                         \
	{                                                                               \
		return __register(&(__driver), ##__VA_ARGS__);                          \
	}                                                                               \
	device_initcall(__driver##_init)

#endif /* DMP_COMPAT_LINUX_DEVICE_DRIVER_H */
