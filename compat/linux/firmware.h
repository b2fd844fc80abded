/* SPDX-License-Identifier: MIT */
/*
 * <linux/firmware.h> for dmaport's Linux-compat layer: firmware images read
 * from files of the host, as Linux's firmware loader reads /lib/firmware.
 *
 * request_firmware(&fw, "name", dev) looks for "name" in the machine's
 * firmware path: the directories of dmp_lx_machine_opts.firmware_path
 * (colon-separated; dmaport-sim drive --firmware-dir), then of the
 * DMP_FIRMWARE_PATH environment variable, then the directory of the
 * machine's device tree.  The image is read into kernel memory (platform
 * memory: fw->data may be DMA-mapped, as Linux's may be mapped after a
 * copy) and stays until release_firmware().  A missing file is -ENOENT,
 * reported as Linux does ("Direct firmware load for ... failed") unless the
 * _nowarn or _direct form was used.  request_firmware_nowait() runs its
 * callback from the system workqueue, after the caller returns.  There is
 * no user-space fallback (sysfs loading) and no firmware cache.
 */
#ifndef DMP_COMPAT_LINUX_FIRMWARE_H
#define DMP_COMPAT_LINUX_FIRMWARE_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/types.h>

#define FW_ACTION_NOUEVENT 0
#define FW_ACTION_UEVENT 1

struct device;
struct module;

struct firmware {
	size_t size;
	const u8 *data;
	void *priv;
};

int request_firmware(const struct firmware **fw, const char *name, struct device *device);
int firmware_request_nowarn(const struct firmware **fw, const char *name, struct device *device);
int request_firmware_direct(const struct firmware **fw, const char *name, struct device *device);
int firmware_request_platform(const struct firmware **fw, const char *name,
			      struct device *device);
/** request_firmware_into_buf - into the caller's @buf of @size: -EFBIG if larger. */
int request_firmware_into_buf(const struct firmware **firmware_p, const char *name,
			      struct device *device, void *buf, size_t size);
int request_firmware_nowait(struct module *module, bool uevent, const char *name,
			    struct device *device, gfp_t gfp, void *context,
			    void (*cont)(const struct firmware *fw, void *context));
void release_firmware(const struct firmware *fw);

#endif /* DMP_COMPAT_LINUX_FIRMWARE_H */
