/* SPDX-License-Identifier: MIT */
/*
 * <linux/regmap.h> for dmaport's Linux-compat layer: register maps over
 * MMIO (regmap_init_mmio and the syscon lookups): 8-, 16- or 32-bit
 * registers at @reg_stride, read and written with the MMIO accessors, as
 * regmap-mmio does; no cache.  Returns 0 or -EINVAL (register out of the
 * map's max_register, misaligned).
 */
#ifndef DMP_COMPAT_LINUX_REGMAP_H
#define DMP_COMPAT_LINUX_REGMAP_H

#include <linux/device.h>
#include <linux/err.h>
#include <linux/iopoll.h>

struct regmap;

struct regmap_config {
	const char *name;
	int reg_bits;
	int reg_stride;
	int pad_bits;
	int val_bits;
	unsigned int max_register;
	bool fast_io;
	bool disable_locking;
	int cache_type;
};

struct regmap *dmp_lx_regmap_init_mmio(struct device *dev, void __iomem *regs,
				       const struct regmap_config *config, bool managed);
#define regmap_init_mmio(dev, regs, config) dmp_lx_regmap_init_mmio((dev), (regs), (config), false)
#define devm_regmap_init_mmio(dev, regs, config) dmp_lx_regmap_init_mmio((dev), (regs), (config), true)
#define devm_regmap_init_mmio_clk(dev, clk_id, regs, config)                            \
	dmp_lx_regmap_init_mmio((dev), (regs), (config), true)
void regmap_exit(struct regmap *map);
int regmap_read(struct regmap *map, unsigned int reg, unsigned int *val);
int regmap_write(struct regmap *map, unsigned int reg, unsigned int val);
int regmap_update_bits(struct regmap *map, unsigned int reg, unsigned int mask, unsigned int val);
#define regmap_update_bits_check(map, reg, mask, val, change)                           \
	regmap_update_bits((map), (reg), (mask), (val))
#define regmap_write_bits(map, reg, mask, val) regmap_update_bits((map), (reg), (mask), (val))
#define regmap_set_bits(map, reg, bits) regmap_update_bits((map), (reg), (bits), (bits))
#define regmap_clear_bits(map, reg, bits) regmap_update_bits((map), (reg), (bits), 0)
#define regmap_read_poll_timeout(map, addr, val, cond, sleep_us, timeout_us)            \
	__extension__({                                                                 \
		int dmp__rerr = 0;                                                      \
		int dmp__rp = read_poll_timeout(regmap_read, dmp__rerr, dmp__rerr || (cond), \
						sleep_us, timeout_us, false, (map), (addr), &(val)); \
		dmp__rerr ? dmp__rerr : dmp__rp;                                        \
	})

#define REGCACHE_NONE 0

#endif /* DMP_COMPAT_LINUX_REGMAP_H */
