/* SPDX-License-Identifier: MIT */
/*
 * clk.c - clocks that always run, and register maps over MMIO with the
 * syscon lookups (see <linux/clk.h>, <linux/regmap.h>, <linux/mfd/syscon.h>).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/clk.h>
#include <linux/mfd/syscon.h>
#include <linux/of_address.h>
#include <linux/regmap.h>

#include "runtime.h"

struct clk {
	unsigned long rate;
	int prepared, enabled;
	struct clk *next;
};

static struct clk *clks;

struct clk *dmp_lx_clk_get(struct device *dev, const char *id, bool managed)
{
	(void)id;
	(void)managed;
	struct clk *c = calloc(1, sizeof(*c));
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->rate = 100000000;
	struct device_node *np = dev ? of_parse_phandle(dev->of_node, "clocks", 0) : NULL;
	u32 f;
	if (np && !of_property_read_u32(np, "clock-frequency", &f))
		c->rate = f;
	of_node_put(np);
	/* kept for the machine's life: a driver's clk_put (or none, for the
	 * devm_ forms) cannot leave a dangling pointer */
	c->next = clks;
	clks = c;
	return c;
}

void clk_put(struct clk *clk)
{
	(void)clk;
}

int clk_prepare(struct clk *clk)
{
	if (!IS_ERR_OR_NULL(clk))
		clk->prepared++;
	return 0;
}

void clk_unprepare(struct clk *clk)
{
	if (!IS_ERR_OR_NULL(clk) && WARN(clk->prepared <= 0, "unpreparing an unprepared clock") == 0)
		clk->prepared--;
}

int clk_enable(struct clk *clk)
{
	if (!IS_ERR_OR_NULL(clk)) {
		WARN(!clk->prepared, "enabling an unprepared clock");
		clk->enabled++;
	}
	return 0;
}

void clk_disable(struct clk *clk)
{
	if (!IS_ERR_OR_NULL(clk) && WARN(clk->enabled <= 0, "disabling a disabled clock") == 0)
		clk->enabled--;
}

unsigned long clk_get_rate(struct clk *clk)
{
	return IS_ERR_OR_NULL(clk) ? 0 : clk->rate;
}

int clk_set_rate(struct clk *clk, unsigned long rate)
{
	if (!IS_ERR_OR_NULL(clk))
		clk->rate = rate;
	return 0;
}

/* --- regmap over MMIO -------------------------------------------------------- */

struct regmap {
	void __iomem *base;
	unsigned int stride, val_bytes, max_register;
	bool own_mapping;
	const struct device_node *np; /* a syscon's node */
	struct regmap *next;
};

static struct regmap *syscons;

struct regmap *dmp_lx_regmap_init_mmio(struct device *dev, void __iomem *regs,
				       const struct regmap_config *config, bool managed)
{
	(void)dev;
	(void)managed;
	if (!regs || !config)
		return ERR_PTR(-EINVAL);
	if (config->val_bits != 8 && config->val_bits != 16 && config->val_bits != 32)
		return ERR_PTR(-EINVAL);
	struct regmap *m = calloc(1, sizeof(*m));
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->base = regs;
	m->val_bytes = (unsigned int)config->val_bits / 8;
	m->stride = config->reg_stride ? (unsigned int)config->reg_stride : m->val_bytes;
	m->max_register = config->max_register;
	/* a regmap lives as long as the machine, like its MMIO */
	m->next = syscons;
	syscons = m;
	return m;
}

void regmap_exit(struct regmap *map)
{
	(void)map;
}

static int reg_ok(struct regmap *map, unsigned int reg)
{
	if (IS_ERR_OR_NULL(map) || reg % map->stride || (map->max_register && reg > map->max_register))
		return -EINVAL;
	return 0;
}

int regmap_read(struct regmap *map, unsigned int reg, unsigned int *val)
{
	int e = reg_ok(map, reg);
	if (e)
		return e;
	void __iomem *a = (u8 __iomem *)map->base + reg;
	*val = map->val_bytes == 1 ? readb(a) : map->val_bytes == 2 ? readw(a) : readl(a);
	return 0;
}

int regmap_write(struct regmap *map, unsigned int reg, unsigned int val)
{
	int e = reg_ok(map, reg);
	if (e)
		return e;
	void __iomem *a = (u8 __iomem *)map->base + reg;
	if (map->val_bytes == 1)
		writeb((u8)val, a);
	else if (map->val_bytes == 2)
		writew((u16)val, a);
	else
		writel(val, a);
	return 0;
}

int regmap_update_bits(struct regmap *map, unsigned int reg, unsigned int mask, unsigned int val)
{
	unsigned int old;
	int e = regmap_read(map, reg, &old);
	if (e)
		return e;
	unsigned int n = (old & ~mask) | (val & mask);
	return n == old ? 0 : regmap_write(map, reg, n);
}

struct regmap *device_node_to_regmap(struct device_node *np)
{
	if (!np)
		return ERR_PTR(-ENODEV);
	for (struct regmap *m = syscons; m; m = m->next)
		if (m->np == np)
			return m;
	struct resource res;
	if (of_address_to_resource(np, 0, &res))
		return ERR_PTR(-EINVAL);
	void __iomem *base = ioremap(res.start, (size_t)resource_size(&res));
	if (!base)
		return ERR_PTR(-ENOMEM);
	struct regmap_config cfg = { .reg_bits = 32, .val_bits = 32, .reg_stride = 4,
				     .max_register = (unsigned int)resource_size(&res) - 4 };
	struct regmap *m = dmp_lx_regmap_init_mmio(NULL, base, &cfg, false);
	if (IS_ERR(m)) {
		iounmap(base);
		return m;
	}
	m->np = np;
	m->own_mapping = true;
	return m;
}

struct regmap *syscon_node_to_regmap(struct device_node *np)
{
	return device_node_to_regmap(np);
}

struct regmap *syscon_regmap_lookup_by_compatible(const char *s)
{
	struct device_node *np = of_find_compatible_node(NULL, NULL, s);
	struct regmap *m = device_node_to_regmap(np);
	of_node_put(np);
	return m;
}

struct regmap *syscon_regmap_lookup_by_phandle(struct device_node *np, const char *property)
{
	struct device_node *s = property ? of_parse_phandle(np, property, 0) : np;
	struct regmap *m = device_node_to_regmap(s);
	if (property)
		of_node_put(s);
	return m;
}

struct regmap *syscon_regmap_lookup_by_phandle_args(struct device_node *np, const char *property,
						    int arg_count, unsigned int *out_args)
{
	struct of_phandle_args args;
	if (of_parse_phandle_with_fixed_args(np, property, arg_count, 0, &args))
		return ERR_PTR(-ENODEV);
	for (int i = 0; i < arg_count; i++)
		out_args[i] = args.args[i];
	struct regmap *m = device_node_to_regmap(args.np);
	of_node_put(args.np);
	return m;
}

void dmp_lx_clk_machine_down(void)
{
	while (clks) {
		struct clk *c = clks;
		clks = c->next;
		free(c);
	}
	while (syscons) {
		struct regmap *m = syscons;
		syscons = m->next;
		if (m->own_mapping)
			iounmap(m->base);
		free(m);
	}
}
