/* SPDX-License-Identifier: MIT */
/*
 * <linux/fpga/fpga-mgr.h> for dmaport's Linux-compat layer: the FPGA manager
 * framework (drivers/fpga/fpga-mgr.c) for low-level FPGA manager drivers,
 * run by the compat runtime.
 *
 * A driver registers a manager with its ops; a load (fpga_mgr_load(), or a
 * "fpga-region" node of the device tree, below) then runs the ops as Linux
 * does: write_init with the image's header, write (the image mapped in one
 * piece) or write_sg (a scatter-gather table of the image's pages, for the
 * driver to DMA-map), write_complete; the manager's state follows
 * (FPGA_MGR_STATE_WRITE_INIT ... OPERATING, or the *_ERR state of the step
 * that failed).  An image comes from a buffer, a caller's sg table, or a
 * firmware file (request_firmware(), see <linux/firmware.h>).
 *
 * The registration API changed with Linux versions; all forms are here:
 *   fpga_mgr_register(dev, name, ops, priv)  -> int, before 4.18 (with
 *                                     fpga_mgr_unregister(dev));
 *   fpga_mgr_create / devm_fpga_mgr_create + fpga_mgr_register(mgr) -> int,
 *                                     4.18 .. 5.15 (fpga_mgr_free);
 *   fpga_mgr_register(parent, name, ops, priv) -> struct fpga_manager *,
 *   fpga_mgr_register_full(), devm_fpga_mgr_register(_full)(), from 5.16;
 *   fpga_mgr_unregister(mgr)          from 4.18.
 * fpga_mgr_register() with one argument is the 4.18 form whatever the
 * version; with four, the version decides (DMP_LINUX_VERSION, default 6.12:
 * the pointer); fpga_mgr_unregister() takes the device or the manager.
 * devm_fpga_mgr_register() returns int before 5.16, the manager from 5.16.
 *
 * FPGA regions: a device-tree node compatible "fpga-region" whose fpga-mgr
 * property names a manager's node (or whose parent region's does) and that
 * has firmware-name is programmed with that image when its manager is
 * registered (the region's probe defers until then) - Linux programs a
 * region when an overlay adding firmware-name is applied; here the base
 * tree's counts as applied at boot.  partial-fpga-config and
 * encrypted-fpga-config set the image's flags.  Bridges are not modelled.
 */
#ifndef DMP_COMPAT_LINUX_FPGA_FPGA_MGR_H
#define DMP_COMPAT_LINUX_FPGA_FPGA_MGR_H

#include <linux/bits.h>
#include <linux/device.h>
#include <linux/kconfig.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct fpga_manager;
struct sg_table;

/** enum fpga_mgr_states - what the manager last did or found (Linux's values). */
enum fpga_mgr_states {
	FPGA_MGR_STATE_UNKNOWN,
	FPGA_MGR_STATE_POWER_OFF,
	FPGA_MGR_STATE_POWER_UP,
	FPGA_MGR_STATE_RESET,
	FPGA_MGR_STATE_FIRMWARE_REQ,
	FPGA_MGR_STATE_FIRMWARE_REQ_ERR,
	FPGA_MGR_STATE_WRITE_INIT,
	FPGA_MGR_STATE_WRITE_INIT_ERR,
	FPGA_MGR_STATE_WRITE,
	FPGA_MGR_STATE_WRITE_ERR,
	FPGA_MGR_STATE_WRITE_COMPLETE,
	FPGA_MGR_STATE_WRITE_COMPLETE_ERR,
	FPGA_MGR_STATE_OPERATING,
};

/* status bits an ops->status() reports */
#define FPGA_MGR_STATUS_OPERATION_ERR BIT(0)
#define FPGA_MGR_STATUS_CRC_ERR BIT(1)
#define FPGA_MGR_STATUS_INCOMPATIBLE_IMAGE_ERR BIT(2)
#define FPGA_MGR_STATUS_IP_PROTOCOL_ERR BIT(3)
#define FPGA_MGR_STATUS_FIFO_OVERFLOW_ERR BIT(4)

/* image flags */
#define FPGA_MGR_PARTIAL_RECONFIG BIT(0)
#define FPGA_MGR_EXTERNAL_CONFIG BIT(1)
#define FPGA_MGR_ENCRYPTED_BITSTREAM BIT(2)
#define FPGA_MGR_BITSTREAM_LSB_FIRST BIT(3)
#define FPGA_MGR_COMPRESSED_BITSTREAM BIT(4)

/**
 * struct fpga_image_info - an image and how to load it: one of @sgt, @buf
 * (+@count) or @firmware_name says where the image is.
 */
struct fpga_image_info {
	u32 flags;
	u32 enable_timeout_us;
	u32 disable_timeout_us;
	u32 config_complete_timeout_us;
	char *firmware_name;
	struct sg_table *sgt;
	const char *buf;
	size_t count;
	size_t header_size;
	size_t data_size;
	int region_id;
	struct device *dev;
	struct device_node *overlay;
};

/** struct fpga_compat_id - an FPGA region's compatibility ID. */
struct fpga_compat_id {
	u64 id_h;
	u64 id_l;
};

/**
 * struct fpga_manager_ops - a low-level driver's ops.  write_init,
 * write_complete and one of write / write_sg do the loading; state reports
 * the FPGA's state at registration; the rest are optional.
 */
struct fpga_manager_ops {
	size_t initial_header_size;
	bool skip_header;
	enum fpga_mgr_states (*state)(struct fpga_manager *mgr);
	u64 (*status)(struct fpga_manager *mgr);
	int (*parse_header)(struct fpga_manager *mgr, struct fpga_image_info *info,
			    const char *buf, size_t count);
	int (*write_init)(struct fpga_manager *mgr, struct fpga_image_info *info,
			  const char *buf, size_t count);
	int (*write)(struct fpga_manager *mgr, const char *buf, size_t count);
	int (*write_sg)(struct fpga_manager *mgr, struct sg_table *sgt);
	int (*write_complete)(struct fpga_manager *mgr, struct fpga_image_info *info);
	void (*fpga_remove)(struct fpga_manager *mgr);
	const struct attribute_group **groups;
};

/** struct fpga_manager_info - what fpga_mgr_register_full() registers. */
struct fpga_manager_info {
	const char *name;
	struct fpga_compat_id *compat_id;
	const struct fpga_manager_ops *mops;
	void *priv;
};

/**
 * struct fpga_manager - a registered manager.  @dev is its class device
 * ("fpga0" ...), child of the driver's device (@dev.parent, the device to
 * DMA-map with); @priv is the driver's.
 */
struct fpga_manager {
	const char *name;
	struct device dev;
	struct mutex ref_mutex;
	enum fpga_mgr_states state;
	struct fpga_compat_id *compat_id;
	const struct fpga_manager_ops *mops;
	struct module *mops_owner;
	void *priv;
	/* dmaport: the runtime's bookkeeping */
	struct list_head dmp_node;
	int dmp_id;
	bool dmp_registered;
	bool dmp_created;  /* by fpga_mgr_create(): freed by fpga_mgr_free() */
	bool dmp_released; /* its class device was released */
};

#define to_fpga_manager(d) container_of(d, struct fpga_manager, dev)

struct fpga_image_info *fpga_image_info_alloc(struct device *dev);
void fpga_image_info_free(struct fpga_image_info *info);

/** fpga_mgr_load - load the image @info describes: 0 or a negative errno. */
int fpga_mgr_load(struct fpga_manager *mgr, struct fpga_image_info *info);
/* the load calls of Linux before 4.16 (then static) */
int fpga_mgr_buf_load(struct fpga_manager *mgr, struct fpga_image_info *info, const char *buf,
		      size_t count);
int fpga_mgr_buf_load_sg(struct fpga_manager *mgr, struct fpga_image_info *info,
			 struct sg_table *sgt);
int fpga_mgr_firmware_load(struct fpga_manager *mgr, struct fpga_image_info *info,
			   const char *image_name);

/** fpga_mgr_lock - exclusive use of @mgr: 0, or -EBUSY (in use). */
int fpga_mgr_lock(struct fpga_manager *mgr);
void fpga_mgr_unlock(struct fpga_manager *mgr);

/** of_fpga_mgr_get - the manager of node @node, referenced; ERR_PTR(-ENODEV) if none. */
struct fpga_manager *of_fpga_mgr_get(struct device_node *node);
/** fpga_mgr_get - the manager whose class device is @dev; ERR_PTR(-ENODEV) if none. */
struct fpga_manager *fpga_mgr_get(struct device *dev);
void fpga_mgr_put(struct fpga_manager *mgr);

/* Registration, every version's (see the top of the file). */
struct fpga_manager *fpga_mgr_register_full(struct device *parent,
					    const struct fpga_manager_info *info);
struct fpga_manager *devm_fpga_mgr_register_full(struct device *parent,
						 const struct fpga_manager_info *info);
struct fpga_manager *dmp_lx_fpga_mgr_register(struct device *parent, const char *name,
					      const struct fpga_manager_ops *mops, void *priv);
struct fpga_manager *dmp_lx_devm_fpga_mgr_register(struct device *parent, const char *name,
						   const struct fpga_manager_ops *mops, void *priv);
int dmp_lx_fpga_mgr_register_dev(struct device *dev, const char *name,
				 const struct fpga_manager_ops *mops, void *priv);
int dmp_lx_fpga_mgr_register_mgr(struct fpga_manager *mgr);
void dmp_lx_fpga_mgr_unregister(struct fpga_manager *mgr);
void dmp_lx_fpga_mgr_unregister_dev(struct device *dev);

/* 4.18 .. 5.15: create, then register */
struct fpga_manager *fpga_mgr_create(struct device *dev, const char *name,
				     const struct fpga_manager_ops *mops, void *priv);
struct fpga_manager *devm_fpga_mgr_create(struct device *dev, const char *name,
					  const struct fpga_manager_ops *mops, void *priv);
void fpga_mgr_free(struct fpga_manager *mgr);

#define DMP__LX_FPGA_NARGS(...) DMP__LX_FPGA_NARGS_(__VA_ARGS__, 4, 3, 2, 1, 0)
#define DMP__LX_FPGA_NARGS_(a, b, c, d, n, ...) n
#define DMP__LX_FPGA_CAT(a, b) DMP__LX_FPGA_CAT_(a, b)
#define DMP__LX_FPGA_CAT_(a, b) a##b

/* fpga_mgr_register(mgr) (4.18 .. 5.15) or (parent, name, ops, priv) */
#define fpga_mgr_register(...)                                                            \
	DMP__LX_FPGA_CAT(dmp__lx_fpga_mgr_register_, DMP__LX_FPGA_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define dmp__lx_fpga_mgr_register_1(mgr) dmp_lx_fpga_mgr_register_mgr(mgr)
#if DMP_LINUX_VERSION < KERNEL_VERSION(4, 18, 0)
#define dmp__lx_fpga_mgr_register_4(dev, name, mops, priv)                                \
	dmp_lx_fpga_mgr_register_dev((dev), (name), (mops), (priv))
#else
#define dmp__lx_fpga_mgr_register_4(parent, name, mops, priv)                             \
	dmp_lx_fpga_mgr_register((parent), (name), (mops), (priv))
#endif

/* fpga_mgr_unregister(dev) (before 4.18) or (mgr) */
#define fpga_mgr_unregister(x)                                                            \
	_Generic((x), struct device *: dmp_lx_fpga_mgr_unregister_dev,                    \
		 default: dmp_lx_fpga_mgr_unregister)(x)

#if DMP_LINUX_VERSION < KERNEL_VERSION(5, 16, 0)
/* 5.11 .. 5.15: 0 or a negative errno */
static inline int devm_fpga_mgr_register(struct device *parent, const char *name,
					 const struct fpga_manager_ops *mops, void *priv)
{
	struct fpga_manager *mgr = dmp_lx_devm_fpga_mgr_register(parent, name, mops, priv);
	return IS_ERR(mgr) ? (int)PTR_ERR(mgr) : 0;
}
#else
#define devm_fpga_mgr_register(parent, name, mops, priv)                                  \
	dmp_lx_devm_fpga_mgr_register((parent), (name), (mops), (priv))
#endif

#endif /* DMP_COMPAT_LINUX_FPGA_FPGA_MGR_H */
