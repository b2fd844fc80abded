/* SPDX-License-Identifier: MIT */
/* <linux/mod_devicetable.h> for dmaport's Linux-compat layer: the ID tables drivers match on. */
#ifndef DMP_COMPAT_LINUX_MOD_DEVICETABLE_H
#define DMP_COMPAT_LINUX_MOD_DEVICETABLE_H

#include <linux/types.h>

#define PCI_ANY_ID (~0U)

struct pci_device_id {
	__u32 vendor, device;
	__u32 subvendor, subdevice;
	__u32 class, class_mask;
	kernel_ulong_t driver_data;
	__u32 override_only;
};

struct of_device_id {
	char name[32];
	char type[32];
	char compatible[128];
	const void *data;
};

#define PLATFORM_NAME_SIZE 24
struct platform_device_id {
	char name[PLATFORM_NAME_SIZE];
	kernel_ulong_t driver_data;
};

#define ACPI_ID_LEN 16
struct acpi_device_id {
	__u8 id[ACPI_ID_LEN];
	kernel_ulong_t driver_data;
	__u32 cls;
	__u32 cls_msk;
};

#endif /* DMP_COMPAT_LINUX_MOD_DEVICETABLE_H */
