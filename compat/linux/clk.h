/* SPDX-License-Identifier: MIT */
/*
 * <linux/clk.h> for dmaport's Linux-compat layer.  Clocks are not
 * simulated: every clock a driver asks for exists (a device's devm_clk_get
 * succeeds whether or not its node has clocks), enabling and preparing
 * succeed and are counted, and the rate is the "clock-frequency" of the
 * node the clocks property names, else 100 MHz.  clk_set_rate records it.
 */
#ifndef DMP_COMPAT_LINUX_CLK_H
#define DMP_COMPAT_LINUX_CLK_H

#include <linux/device.h>
#include <linux/err.h>

struct clk;
struct clk_bulk_data {
	const char *id;
	struct clk *clk;
};

struct clk *dmp_lx_clk_get(struct device *dev, const char *id, bool managed);
void clk_put(struct clk *clk);
#define clk_get(dev, id) dmp_lx_clk_get((dev), (id), false)
#define devm_clk_get(dev, id) dmp_lx_clk_get((dev), (id), true)
#define devm_clk_get_optional(dev, id) dmp_lx_clk_get((dev), (id), true)
#define devm_clk_get_prepared(dev, id) dmp_lx_clk_get((dev), (id), true)
#define devm_clk_get_enabled(dev, id) dmp_lx_clk_get((dev), (id), true)
#define devm_clk_get_optional_enabled(dev, id) dmp_lx_clk_get((dev), (id), true)
#define of_clk_get(np, index) dmp_lx_clk_get(NULL, NULL, false)
#define devm_clk_put(dev, clk) do { (void)(dev); (void)(clk); } while (0)
int clk_prepare(struct clk *clk);
void clk_unprepare(struct clk *clk);
int clk_enable(struct clk *clk);
void clk_disable(struct clk *clk);
static inline int clk_prepare_enable(struct clk *clk)
{
	int ret = clk_prepare(clk);
	if (ret)
		return ret;
	ret = clk_enable(clk);
	if (ret)
		clk_unprepare(clk);
	return ret;
}
static inline void clk_disable_unprepare(struct clk *clk)
{
	clk_disable(clk);
	clk_unprepare(clk);
}
unsigned long clk_get_rate(struct clk *clk);
int clk_set_rate(struct clk *clk, unsigned long rate);
#define clk_round_rate(clk, rate) ((long)(rate))
#define clk_set_parent(clk, parent) __extension__({ (void)(clk); (void)(parent); 0; })
#define clk_get_parent(clk) ((struct clk *)NULL)
#define devm_clk_bulk_get_all(dev, clks) __extension__({ (void)(dev); *(clks) = NULL; 0; })
#define devm_clk_bulk_get_all_enabled(dev, clks) __extension__({ (void)(dev); *(clks) = NULL; 0; })
#define devm_clk_bulk_get(dev, num, clks) __extension__({ (void)(dev); 0; })
#define clk_bulk_prepare_enable(num, clks) __extension__({ (void)(clks); 0; })
#define clk_bulk_disable_unprepare(num, clks) do { (void)(clks); } while (0)

#endif /* DMP_COMPAT_LINUX_CLK_H */
