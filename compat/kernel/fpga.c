/* SPDX-License-Identifier: MIT */
/*
 * fpga.c - the FPGA manager framework (see <linux/fpga/fpga-mgr.h>): manager
 * registration in every version's form, image loading through a driver's
 * ops, and the driver of the tree's "fpga-region" nodes.
 */
#include <linux/err.h>
#include <linux/firmware.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "runtime.h"

static LIST_HEAD(managers);
static DEFINE_IDA(fpga_mgr_ida);

static const char *const state_names[] = {
	[FPGA_MGR_STATE_UNKNOWN] = "unknown",
	[FPGA_MGR_STATE_POWER_OFF] = "power off",
	[FPGA_MGR_STATE_POWER_UP] = "power up",
	[FPGA_MGR_STATE_RESET] = "reset",
	[FPGA_MGR_STATE_FIRMWARE_REQ] = "firmware request",
	[FPGA_MGR_STATE_FIRMWARE_REQ_ERR] = "firmware request error",
	[FPGA_MGR_STATE_WRITE_INIT] = "write init",
	[FPGA_MGR_STATE_WRITE_INIT_ERR] = "write init error",
	[FPGA_MGR_STATE_WRITE] = "write",
	[FPGA_MGR_STATE_WRITE_ERR] = "write error",
	[FPGA_MGR_STATE_WRITE_COMPLETE] = "write complete",
	[FPGA_MGR_STATE_WRITE_COMPLETE_ERR] = "write complete error",
	[FPGA_MGR_STATE_OPERATING] = "operating",
};

static const char *state_name(enum fpga_mgr_states s)
{
	return (unsigned int)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

struct fpga_image_info *fpga_image_info_alloc(struct device *dev)
{
	struct fpga_image_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return NULL;
	info->dev = get_device(dev);
	return info;
}

void fpga_image_info_free(struct fpga_image_info *info)
{
	if (!info)
		return;
	kfree(info->firmware_name);
	put_device(info->dev);
	kfree(info);
}

/* ---- loading ----------------------------------------------------------------- */

static int write_init(struct fpga_manager *mgr, struct fpga_image_info *info, const char *buf,
		      size_t count)
{
	mgr->state = FPGA_MGR_STATE_WRITE_INIT;
	int ret = 0;
	if (mgr->mops->parse_header) {
		ret = mgr->mops->parse_header(mgr, info, buf, count);
		if (ret == -EAGAIN)
			ret = 0; /* the whole image was given: nothing more to offer */
	}
	if (!ret && mgr->mops->write_init)
		ret = mgr->mops->initial_header_size || info->header_size
			      ? mgr->mops->write_init(mgr, info, buf, count)
			      : mgr->mops->write_init(mgr, info, NULL, 0);
	if (ret) {
		dev_err(&mgr->dev, "Error preparing FPGA for writing\n");
		mgr->state = FPGA_MGR_STATE_WRITE_INIT_ERR;
	}
	return ret;
}

static int write_complete(struct fpga_manager *mgr, struct fpga_image_info *info)
{
	mgr->state = FPGA_MGR_STATE_WRITE_COMPLETE;
	int ret = mgr->mops->write_complete ? mgr->mops->write_complete(mgr, info) : 0;
	if (ret) {
		dev_err(&mgr->dev, "Error after writing image data to FPGA\n");
		mgr->state = FPGA_MGR_STATE_WRITE_COMPLETE_ERR;
		return ret;
	}
	mgr->state = FPGA_MGR_STATE_OPERATING;
	return 0;
}

static void header_size_of(struct fpga_manager *mgr, struct fpga_image_info *info)
{
	if (!info->header_size)
		info->header_size = mgr->mops->initial_header_size;
}

int fpga_mgr_buf_load_sg(struct fpga_manager *mgr, struct fpga_image_info *info,
			 struct sg_table *sgt)
{
	if (!mgr || !info || !sgt)
		return -EINVAL;
	header_size_of(mgr, info);
	/* the header, copied out of the table (Linux maps it when contiguous) */
	size_t total = 0;
	struct scatterlist *sg;
	unsigned int i;
	for_each_sg(sgt->sgl, sg, sgt->orig_nents, i)
		total += sg->length;
	size_t hlen = min(info->header_size, total);
	char *hdr = NULL;
	if (hlen) {
		hdr = kmalloc(hlen, GFP_KERNEL);
		if (!hdr)
			return -ENOMEM;
		sg_copy_to_buffer(sgt->sgl, sgt->orig_nents, hdr, hlen);
	}
	int ret = write_init(mgr, info, hdr, hlen);
	kfree(hdr);
	if (ret)
		return ret;

	mgr->state = FPGA_MGR_STATE_WRITE;
	if (mgr->mops->write_sg) {
		ret = mgr->mops->write_sg(mgr, sgt);
	} else if (mgr->mops->write) {
		/* each entry's CPU view in turn (Linux's sg_miter) */
		size_t skip = mgr->mops->skip_header ? info->header_size : 0;
		for_each_sg(sgt->sgl, sg, sgt->orig_nents, i) {
			size_t len = sg->length, off = 0;
			if (skip >= len) {
				skip -= len;
				continue;
			}
			off = skip;
			skip = 0;
			ret = mgr->mops->write(mgr, (const char *)sg_virt(sg) + off, len - off);
			if (ret)
				break;
		}
	} else {
		ret = -EOPNOTSUPP;
	}
	if (ret) {
		dev_err(&mgr->dev, "Error while writing image data to FPGA\n");
		mgr->state = FPGA_MGR_STATE_WRITE_ERR;
		return ret;
	}
	return write_complete(mgr, info);
}

static int buf_load_mapped(struct fpga_manager *mgr, struct fpga_image_info *info,
			   const char *buf, size_t count)
{
	int ret = write_init(mgr, info, buf, count);
	if (ret)
		return ret;
	if (mgr->mops->skip_header) {
		size_t h = min(info->header_size, count);
		buf += h;
		count -= h;
	}
	mgr->state = FPGA_MGR_STATE_WRITE;
	ret = mgr->mops->write(mgr, buf, count);
	if (ret) {
		dev_err(&mgr->dev, "Error while writing image data to FPGA\n");
		mgr->state = FPGA_MGR_STATE_WRITE_ERR;
		return ret;
	}
	return write_complete(mgr, info);
}

int fpga_mgr_buf_load(struct fpga_manager *mgr, struct fpga_image_info *info, const char *buf,
		      size_t count)
{
	if (!mgr || !info || !buf || !count)
		return -EINVAL;
	header_size_of(mgr, info);
	if (mgr->mops->write)
		return buf_load_mapped(mgr, info, buf, count);

	/* a table of the buffer's pages, for write_sg (Linux's vmalloc_to_page walk) */
	uintptr_t first = (uintptr_t)buf & ~(uintptr_t)(PAGE_SIZE - 1);
	unsigned int n = (unsigned int)(((uintptr_t)buf + count - first + PAGE_SIZE - 1) / PAGE_SIZE);
	struct page **pages = kmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		pages[i] = virt_to_page((const void *)(first + (uintptr_t)i * PAGE_SIZE));
		if (!pages[i]) {
			kfree(pages);
			dev_err(&mgr->dev, "image not in kernel memory\n");
			return -EFAULT;
		}
	}
	/* one entry a page: the shape Linux's table has for a vmalloc'ed image
	 * (the firmware loader's), whose pages are seldom contiguous */
	struct sg_table sgt;
	int ret = sg_alloc_table_from_pages_segment(&sgt, pages, n,
						    (unsigned int)((uintptr_t)buf - first), count,
						    PAGE_SIZE, GFP_KERNEL);
	kfree(pages);
	if (ret)
		return ret;
	ret = fpga_mgr_buf_load_sg(mgr, info, &sgt);
	sg_free_table(&sgt);
	return ret;
}

int fpga_mgr_firmware_load(struct fpga_manager *mgr, struct fpga_image_info *info,
			   const char *image_name)
{
	if (!mgr || !info || !image_name)
		return -EINVAL;
	const struct firmware *fw;
	dev_info(&mgr->dev, "writing %s to %s\n", image_name, mgr->name);
	mgr->state = FPGA_MGR_STATE_FIRMWARE_REQ;
	int ret = request_firmware(&fw, image_name, &mgr->dev);
	if (ret) {
		mgr->state = FPGA_MGR_STATE_FIRMWARE_REQ_ERR;
		dev_err(&mgr->dev, "Error requesting firmware %s\n", image_name);
		return ret;
	}
	ret = fpga_mgr_buf_load(mgr, info, (const char *)fw->data, fw->size);
	release_firmware(fw);
	return ret;
}

int fpga_mgr_load(struct fpga_manager *mgr, struct fpga_image_info *info)
{
	if (!mgr || !info)
		return -EINVAL;
	if (info->sgt)
		return fpga_mgr_buf_load_sg(mgr, info, info->sgt);
	if (info->buf && info->count)
		return fpga_mgr_buf_load(mgr, info, info->buf, info->count);
	if (info->firmware_name)
		return fpga_mgr_firmware_load(mgr, info, info->firmware_name);
	return -EINVAL;
}

int fpga_mgr_lock(struct fpga_manager *mgr)
{
	if (!mutex_trylock(&mgr->ref_mutex)) {
		dev_err(&mgr->dev, "FPGA manager is in use.\n");
		return -EBUSY;
	}
	return 0;
}

void fpga_mgr_unlock(struct fpga_manager *mgr)
{
	mutex_unlock(&mgr->ref_mutex);
}

/* ---- finding managers -------------------------------------------------------- */

static struct fpga_manager *mgr_get(struct fpga_manager *mgr)
{
	if (!mgr)
		return ERR_PTR(-ENODEV);
	get_device(&mgr->dev);
	if (mgr->mops_owner && !try_module_get(mgr->mops_owner)) {
		put_device(&mgr->dev);
		return ERR_PTR(-ENODEV);
	}
	return mgr;
}

struct fpga_manager *of_fpga_mgr_get(struct device_node *node)
{
	struct fpga_manager *mgr;
	list_for_each_entry(mgr, &managers, dmp_node)
		if (mgr->dmp_registered && node && mgr->dev.of_node == node)
			return mgr_get(mgr);
	return ERR_PTR(-ENODEV);
}

struct fpga_manager *fpga_mgr_get(struct device *dev)
{
	struct fpga_manager *mgr;
	list_for_each_entry(mgr, &managers, dmp_node)
		if (mgr->dmp_registered && (&mgr->dev == dev || mgr->dev.parent == dev))
			return mgr_get(mgr);
	return ERR_PTR(-ENODEV);
}

void fpga_mgr_put(struct fpga_manager *mgr)
{
	if (IS_ERR_OR_NULL(mgr))
		return;
	if (mgr->mops_owner)
		module_put(mgr->mops_owner);
	put_device(&mgr->dev);
}

/* ---- registration ------------------------------------------------------------ */

static void mgr_free(struct fpga_manager *mgr)
{
	list_del(&mgr->dmp_node);
	if (mgr->dmp_id >= 0)
		ida_free(&fpga_mgr_ida, (unsigned int)mgr->dmp_id);
	kfree(mgr);
}

/*
 * The class device's release.  A manager of fpga_mgr_create() (Linux 4.18 ..
 * 5.15) outlives it: its memory goes with fpga_mgr_free(), as then (the
 * release did nothing); a registered one's goes here (Linux 5.16+).
 */
static void mgr_release(struct device *dev)
{
	struct fpga_manager *mgr = to_fpga_manager(dev);
	if (mgr->dmp_created)
		mgr->dmp_released = true;
	else
		mgr_free(mgr);
}

/* A manager not yet added (4.18's fpga_mgr_create). */
static struct fpga_manager *mgr_create(struct device *parent, const struct fpga_manager_info *info)
{
	if (!info || !info->mops) {
		dev_err(parent, "Attempt to register without fpga_manager_ops\n");
		return ERR_PTR(-EINVAL);
	}
	if (!info->name || !strlen(info->name)) {
		dev_err(parent, "Attempt to register with no name!\n");
		return ERR_PTR(-EINVAL);
	}
	struct fpga_manager *mgr = kzalloc(sizeof(*mgr), GFP_KERNEL);
	if (!mgr)
		return ERR_PTR(-ENOMEM);
	int id = ida_alloc(&fpga_mgr_ida, GFP_KERNEL);
	if (id < 0) {
		kfree(mgr);
		return ERR_PTR(id);
	}
	mutex_init(&mgr->ref_mutex);
	mgr->name = info->name;
	mgr->mops = info->mops;
	mgr->priv = info->priv;
	mgr->compat_id = info->compat_id;
	mgr->dmp_id = id;
	INIT_LIST_HEAD(&mgr->dmp_node);
	list_add_tail(&mgr->dmp_node, &managers);
	device_initialize(&mgr->dev);
	mgr->dev.parent = parent;
	mgr->dev.of_node = parent ? parent->of_node : NULL;
	mgr->dev.release = mgr_release;
	mgr->mops_owner = parent && parent->driver ? parent->driver->owner : NULL;
	int ret = dev_set_name(&mgr->dev, "fpga%d", id);
	if (ret) {
		put_device(&mgr->dev);
		return ERR_PTR(ret);
	}
	return mgr;
}

static int mgr_add(struct fpga_manager *mgr)
{
	/* the FPGA may have been programmed before the driver came */
	mgr->state = mgr->mops->state ? mgr->mops->state(mgr) : FPGA_MGR_STATE_UNKNOWN;
	int ret = device_add(&mgr->dev);
	if (ret)
		return ret;
	mgr->dmp_registered = true;
	dev_info(&mgr->dev, "%s registered, state %s\n", mgr->name, state_name(mgr->state));
	/* a region waiting for this manager probes again once the driver
	 * registering it has bound (the driver core's deferred-probe retry) */
	return 0;
}

struct fpga_manager *fpga_mgr_register_full(struct device *parent,
					    const struct fpga_manager_info *info)
{
	struct fpga_manager *mgr = mgr_create(parent, info);
	if (IS_ERR(mgr))
		return mgr;
	int ret = mgr_add(mgr);
	if (ret) {
		put_device(&mgr->dev);
		return ERR_PTR(ret);
	}
	return mgr;
}

struct fpga_manager *dmp_lx_fpga_mgr_register(struct device *parent, const char *name,
					      const struct fpga_manager_ops *mops, void *priv)
{
	struct fpga_manager_info info = { .name = name, .mops = mops, .priv = priv };
	return fpga_mgr_register_full(parent, &info);
}

void dmp_lx_fpga_mgr_unregister(struct fpga_manager *mgr)
{
	if (IS_ERR_OR_NULL(mgr))
		return;
	dev_info(&mgr->dev, "fpga_mgr_unregister %s\n", mgr->name);
	if (mgr->mops->fpga_remove)
		mgr->mops->fpga_remove(mgr);
	if (mgr->dmp_registered) {
		mgr->dmp_registered = false;
		device_unregister(&mgr->dev);
	} else {
		put_device(&mgr->dev);
	}
}

static void devm_unregister(void *mgr)
{
	dmp_lx_fpga_mgr_unregister(mgr);
}

struct fpga_manager *devm_fpga_mgr_register_full(struct device *parent,
						 const struct fpga_manager_info *info)
{
	struct fpga_manager *mgr = fpga_mgr_register_full(parent, info);
	if (IS_ERR(mgr))
		return mgr;
	int ret = devm_add_action_or_reset(parent, devm_unregister, mgr);
	return ret ? ERR_PTR(ret) : mgr;
}

struct fpga_manager *dmp_lx_devm_fpga_mgr_register(struct device *parent, const char *name,
						   const struct fpga_manager_ops *mops, void *priv)
{
	struct fpga_manager_info info = { .name = name, .mops = mops, .priv = priv };
	return devm_fpga_mgr_register_full(parent, &info);
}

/* before 4.18: the manager is the parent's driver data */
int dmp_lx_fpga_mgr_register_dev(struct device *dev, const char *name,
				 const struct fpga_manager_ops *mops, void *priv)
{
	struct fpga_manager *mgr = dmp_lx_fpga_mgr_register(dev, name, mops, priv);
	if (IS_ERR(mgr))
		return (int)PTR_ERR(mgr);
	dev_set_drvdata(dev, mgr);
	return 0;
}

void dmp_lx_fpga_mgr_unregister_dev(struct device *dev)
{
	dmp_lx_fpga_mgr_unregister(dev ? dev_get_drvdata(dev) : NULL);
}

/* 4.18 .. 5.15 */
struct fpga_manager *fpga_mgr_create(struct device *dev, const char *name,
				     const struct fpga_manager_ops *mops, void *priv)
{
	struct fpga_manager_info info = { .name = name, .mops = mops, .priv = priv };
	struct fpga_manager *mgr = mgr_create(dev, &info);
	if (IS_ERR(mgr))
		return NULL; /* NULL on failure, as then */
	mgr->dmp_created = true;
	return mgr;
}

void fpga_mgr_free(struct fpga_manager *mgr)
{
	if (!mgr)
		return;
	if (!mgr->dmp_released) {
		if (mgr->dmp_registered)
			dev_err(&mgr->dev, "fpga_mgr_free of a registered manager: unregister it "
					   "first\n");
		put_device(&mgr->dev); /* device_initialize()'s reference */
	}
	if (mgr->dmp_created && mgr->dmp_released)
		mgr_free(mgr);
}

static void devm_free(void *mgr)
{
	fpga_mgr_free(mgr);
}

struct fpga_manager *devm_fpga_mgr_create(struct device *dev, const char *name,
					  const struct fpga_manager_ops *mops, void *priv)
{
	struct fpga_manager *mgr = fpga_mgr_create(dev, name, mops, priv);
	if (mgr && devm_add_action_or_reset(dev, devm_free, mgr))
		return NULL;
	return mgr;
}

int dmp_lx_fpga_mgr_register_mgr(struct fpga_manager *mgr)
{
	if (IS_ERR_OR_NULL(mgr))
		return -EINVAL;
	return mgr_add(mgr);
}

/* ---- fpga-region nodes ------------------------------------------------------- */

/* The manager of region @np: its fpga-mgr, else its parent region's. */
static struct fpga_manager *region_mgr(struct device_node *np)
{
	struct device_node *n = of_node_get(np);
	while (n && of_device_is_compatible(n, "fpga-region")) {
		struct device_node *m = of_parse_phandle(n, "fpga-mgr", 0);
		if (m) {
			struct fpga_manager *mgr = of_fpga_mgr_get(m);
			of_node_put(m);
			of_node_put(n);
			return mgr;
		}
		struct device_node *parent = of_get_parent(n);
		of_node_put(n);
		n = parent;
	}
	of_node_put(n);
	return ERR_PTR(-EINVAL);
}

static int region_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct device_node *np = dev->of_node;
	struct fpga_manager *mgr = region_mgr(np);
	if (IS_ERR(mgr))
		return -EPROBE_DEFER;
	const char *fw = NULL;
	int ret = 0;
	if (!of_property_read_string(np, "firmware-name", &fw)) {
		struct fpga_image_info *info = fpga_image_info_alloc(dev);
		ret = -ENOMEM;
		if (info) {
			info->firmware_name = kstrdup(fw, GFP_KERNEL);
			if (of_property_read_bool(np, "partial-fpga-config"))
				info->flags |= FPGA_MGR_PARTIAL_RECONFIG;
			if (of_property_read_bool(np, "encrypted-fpga-config"))
				info->flags |= FPGA_MGR_ENCRYPTED_BITSTREAM;
			of_property_read_u32(np, "config-complete-timeout-us",
					     &info->config_complete_timeout_us);
			ret = info->firmware_name ? fpga_mgr_lock(mgr) : -ENOMEM;
			if (!ret) {
				ret = fpga_mgr_load(mgr, info);
				fpga_mgr_unlock(mgr);
			}
			fpga_image_info_free(info);
		}
		if (ret)
			dev_err(dev, "failed to load FPGA image %s: %d\n", fw, ret);
		else
			dev_info(dev, "FPGA Region programmed with %s (%s: %s)\n", fw,
				 dev_name(&mgr->dev), state_name(mgr->state));
	}
	fpga_mgr_put(mgr);
	return ret;
}

static const struct of_device_id region_of_match[] = {
	{ .compatible = "fpga-region" },
	{ }
};

static struct platform_driver region_driver = {
	.probe = region_probe,
	.driver = {
		.name = "of-fpga-region",
		.of_match_table = region_of_match,
	},
};
static bool region_driver_on;

void dmp_lx_fpga_machine_up(void)
{
	struct device_node *np = of_find_compatible_node(NULL, NULL, "fpga-region");
	if (!np)
		return;
	of_node_put(np);
	region_driver_on = platform_driver_register(&region_driver) == 0;
}

void dmp_lx_fpga_machine_down(void)
{
	if (region_driver_on)
		platform_driver_unregister(&region_driver);
	region_driver_on = false;
}
