/* SPDX-License-Identifier: MIT */
/*
 * firmware.c - request_firmware() and friends over files of the host (see
 * <linux/firmware.h>): the machine's firmware path, then DMP_FIRMWARE_PATH,
 * then the directory of the machine's device tree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/device.h>
#include <linux/firmware.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "runtime.h"

static char *fw_path; /* colon-separated directories, the machine's */

void dmp_lx_firmware_machine_up(const char *opts_path, const char *tree_path)
{
	free(fw_path);
	fw_path = NULL;
	const char *env = getenv("DMP_FIRMWARE_PATH");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", tree_path ? tree_path : "");
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	size_t len = strlen(dir) + (opts_path ? strlen(opts_path) : 0) + (env ? strlen(env) : 0) + 3;
	fw_path = malloc(len);
	if (fw_path)
		snprintf(fw_path, len, "%s%s%s%s%s", opts_path ? opts_path : "",
			 opts_path && *opts_path ? ":" : "", env ? env : "", env && *env ? ":" : "",
			 dir);
}

void dmp_lx_firmware_machine_down(void)
{
	free(fw_path);
	fw_path = NULL;
}

/* Read @name from the first directory of the path that has it. */
static int fw_read(const char *name, void **data, size_t *size)
{
	if (!name || !*name || strstr(name, "..") == name)
		return -EINVAL;
	const char *p = fw_path ? fw_path : ".";
	while (*p) {
		size_t n = strcspn(p, ":");
		char file[4096];
		snprintf(file, sizeof(file), "%.*s/%s", (int)n, p, name);
		p += n + (p[n] == ':');
		FILE *f = fopen(file, "rb");
		if (!f)
			continue;
		int err = -EIO;
		long len = -1;
		if (fseek(f, 0, SEEK_END) == 0)
			len = ftell(f);
		if (len >= 0 && fseek(f, 0, SEEK_SET) == 0) {
			/* kernel memory: platform memory the driver may DMA-map */
			void *buf = kmalloc(len ? (size_t)len : 1, GFP_KERNEL);
			err = -ENOMEM;
			if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) {
				*data = buf;
				*size = (size_t)len;
				err = 0;
			} else if (buf) {
				kfree(buf);
				err = -EIO;
			}
		}
		fclose(f);
		return err;
	}
	return -ENOENT;
}

static int fw_get(const struct firmware **out, const char *name, struct device *device,
		  bool warn)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	struct firmware *fw = kzalloc(sizeof(*fw), GFP_KERNEL);
	if (!fw)
		return -ENOMEM;
	void *data;
	size_t size;
	int err = fw_read(name, &data, &size);
	if (err) {
		kfree(fw);
		if (warn) {
			if (device)
				dev_warn(device, "Direct firmware load for %s failed with error %d\n",
					 name ? name : "(null)", err);
			else
				pr_warn("Direct firmware load for %s failed with error %d\n",
					name ? name : "(null)", err);
		}
		return err;
	}
	fw->data = data;
	fw->size = size;
	*out = fw;
	return 0;
}

int request_firmware(const struct firmware **fw, const char *name, struct device *device)
{
	return fw_get(fw, name, device, true);
}

int firmware_request_nowarn(const struct firmware **fw, const char *name, struct device *device)
{
	return fw_get(fw, name, device, false);
}

int request_firmware_direct(const struct firmware **fw, const char *name, struct device *device)
{
	return fw_get(fw, name, device, false);
}

int firmware_request_platform(const struct firmware **fw, const char *name,
			      struct device *device)
{
	return fw_get(fw, name, device, true);
}

int request_firmware_into_buf(const struct firmware **firmware_p, const char *name,
			      struct device *device, void *buf, size_t size)
{
	const struct firmware *fw;
	int err = fw_get(&fw, name, device, true);
	if (err) {
		if (firmware_p)
			*firmware_p = NULL;
		return err;
	}
	if (fw->size > size) {
		release_firmware(fw);
		*firmware_p = NULL;
		return -EFBIG;
	}
	memcpy(buf, fw->data, fw->size);
	kfree((void *)(uintptr_t)fw->data);
	((struct firmware *)(uintptr_t)fw)->data = buf;
	((struct firmware *)(uintptr_t)fw)->priv = buf; /* not ours to free */
	*firmware_p = fw;
	return 0;
}

void release_firmware(const struct firmware *fw)
{
	if (!fw)
		return;
	if (!fw->priv)
		kfree((void *)(uintptr_t)fw->data);
	kfree((void *)(uintptr_t)fw);
}

struct fw_nowait {
	struct work_struct work;
	char *name;
	struct device *device;
	void *context;
	void (*cont)(const struct firmware *fw, void *context);
};

static void fw_nowait_work(struct work_struct *work)
{
	struct fw_nowait *w = container_of(work, struct fw_nowait, work);
	const struct firmware *fw;
	if (fw_get(&fw, w->name, w->device, true))
		fw = NULL;
	w->cont(fw, w->context);
	put_device(w->device);
	kfree(w->name);
	kfree(w);
}

int request_firmware_nowait(struct module *module, bool uevent, const char *name,
			    struct device *device, gfp_t gfp, void *context,
			    void (*cont)(const struct firmware *fw, void *context))
{
	(void)module;
	(void)uevent;
	if (!cont || !name)
		return -EINVAL;
	struct fw_nowait *w = kzalloc(sizeof(*w), gfp);
	if (!w)
		return -ENOMEM;
	w->name = kstrdup(name, gfp);
	if (!w->name) {
		kfree(w);
		return -ENOMEM;
	}
	w->device = get_device(device);
	w->context = context;
	w->cont = cont;
	INIT_WORK(&w->work, fw_nowait_work);
	schedule_work(&w->work);
	return 0;
}
