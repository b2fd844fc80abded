/* SPDX-License-Identifier: MIT */
/*
 * <linux/device.h> for dmaport's Linux-compat layer: struct device and the
 * dev_* message functions.
 *
 * struct device is a thin wrapper of struct dmp_device: its first member
 * @dmp IS the dmaport device (the compat DMA API passes &dev->dmp), and the
 * members Linux drivers touch are names for the same storage, through an
 * anonymous union checked member by member at compile time:
 *   dev->dma_mask           u64 * (NULL: the device cannot do DMA), pointing
 *                           by default at storage inside the device, as a
 *                           Linux platform device's does;
 *   dev->coherent_dma_mask  the coherent mask;
 *   dev->bus_dma_limit      the interconnect's limit (0: none);
 *   dev->dma_coherent       the device snoops the CPU caches.
 * The code that creates devices (the bus, a test) sets them up with the
 * native API on &dev->dmp: dmp_device_init(&dev->dmp, "name"), then
 * dmp_device_set_coherent(), .sim, dma-ranges; and ends them with
 * dmp_device_remove(&dev->dmp).  @parent is kept for drivers that read it.
 *
 * The masks are uint64_t (dmaport's type), not u64: `dev->dma_mask =
 * &dev->coherent_dma_mask` works as in Linux.
 *
 * dev_err/dev_warn/dev_notice/dev_info print "<device name>: <message>"
 * through printk's sink; dev_dbg prints only with DEBUG defined.
 */
#ifndef DMP_COMPAT_LINUX_DEVICE_H
#define DMP_COMPAT_LINUX_DEVICE_H

#include <stdatomic.h>

#include <dmaport/device.h>

#include <linux/kernel.h>

struct device {
	union {
		struct dmp_device dmp;
		struct {
			char dmp__name[DMP_DEVICE_NAME_MAX];
			uint64_t *dma_mask;
			uint64_t coherent_dma_mask;
			uint64_t bus_dma_limit;
			struct dmp_dma_range dmp__ranges[DMP_DEVICE_MAX_RANGES];
			unsigned int dmp__nr_ranges;
			bool dma_coherent;
		};
	};
	struct device *parent;
};

#define DMP__LX_SAME(field)                                                             \
	_Static_assert(offsetof(struct device, field) == offsetof(struct device, dmp.field) && \
			       sizeof(((struct device *)0)->field) ==                   \
				       sizeof(((struct device *)0)->dmp.field),         \
		       "struct device." #field " must alias struct dmp_device." #field)
DMP__LX_SAME(dma_mask);
DMP__LX_SAME(coherent_dma_mask);
DMP__LX_SAME(bus_dma_limit);
DMP__LX_SAME(dma_coherent);
#undef DMP__LX_SAME

/*
 * dmp__lx_dev - the dmaport device of @dev (NULL for NULL), marked as driven
 * by Linux's names, so the checker's advice speaks them.
 */
static inline struct dmp_device *dmp__lx_dev(struct device *dev)
{
	if (!dev)
		return NULL;
	if (!atomic_load_explicit(&dev->dmp.linux_api, memory_order_relaxed))
		atomic_store_explicit(&dev->dmp.linux_api, true, memory_order_relaxed);
	return &dev->dmp;
}

static inline const char *dev_name(const struct device *dev)
{
	return dev->dmp.name;
}

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->dmp.driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->dmp.driver_data = data;
}

static inline int dmp__lx_dev_printk(const struct device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int dmp__lx_dev_printk(const struct device *dev, const char *fmt, ...)
{
	char prefix[DMP_DEVICE_NAME_MAX + 4];
	snprintf(prefix, sizeof(prefix), "%s: ", dev ? dev_name(dev) : "(NULL device *)");
	va_list ap;
	va_start(ap, fmt);
	int n = dmp__lx_vprintk(prefix, fmt, ap);
	va_end(ap);
	return n;
}

#ifndef dev_fmt
#define dev_fmt(fmt) fmt
#endif

#define dev_printk(level, dev, fmt, ...) dmp__lx_dev_printk(dev, level fmt, ##__VA_ARGS__)
#define dev_emerg(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_EMERG dev_fmt(fmt), ##__VA_ARGS__)
#define dev_crit(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_CRIT dev_fmt(fmt), ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_ERR dev_fmt(fmt), ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_WARNING dev_fmt(fmt), ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_NOTICE dev_fmt(fmt), ##__VA_ARGS__)
#define dev_info(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_INFO dev_fmt(fmt), ##__VA_ARGS__)
#ifdef DEBUG
#define dev_dbg(dev, fmt, ...) dmp__lx_dev_printk(dev, KERN_DEBUG dev_fmt(fmt), ##__VA_ARGS__)
#else
#define dev_dbg(dev, fmt, ...)                                                          \
	__extension__({                                                                 \
		if (0)                                                                  \
			dmp__lx_dev_printk(dev, KERN_DEBUG dev_fmt(fmt), ##__VA_ARGS__); \
		0;                                                                      \
	})
#endif

#endif /* DMP_COMPAT_LINUX_DEVICE_H */
