/* test-compat-devres.c - every devres, interrupt and wait path of the
 * Linux-compat driver core, one by one, on the simulated machine of
 * examples/platforms/soc-noncoherent.dts:
 *
 *  - devres: resources released after remove() in the reverse order of
 *    their acquisition, at unbind and when probe fails; devm_add_action,
 *    devm_add_action_or_reset (the action runs at once when registering
 *    it fails), devm_remove_action, devm_release_action; groups;
 *    dmam_alloc_coherent, dmam_free_coherent and dmam_pool_create released
 *    with nothing left for the checker, where the unmanaged calls leak;
 *  - interrupts: request_irq/free_irq (free_irq returns the name, a freed
 *    handler is never called), -EBUSY and shared lines, threaded handlers
 *    (IRQ_WAKE_THREAD, a NULL primary with IRQF_ONESHOT, the thread may
 *    sleep), the handlers' contexts;
 *  - waits on the virtual clock: wait_for_completion_timeout that times out
 *    after exactly its timeout and one completed early (the jiffies left),
 *    wait_event_timeout both ways, msleep/usleep_range/udelay/mdelay moving
 *    the clock by what they ask and letting devices progress meanwhile, and
 *    a wait nothing can end reported as a deadlock naming its line.
 *
 * Built with -Icompat, linked with the compat runtime. */
#define KBUILD_MODNAME "compat_devres"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmaport/debug.h>
#include <dmaport/linux.h>
#include <dmaport/sim/irq.h>

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/wait.h>

#include "support/sim-fixture.h"
#include "support/lx-fixture.h"

#define SOC "examples/platforms/soc-noncoherent.dts"
/* the engine not behind the IOMMU: level SPI 41 */
#define DEV_NAME "9110000.dma"

/* --- a recording test driver ------------------------------------------- */

/* What ran, in order: actions and releases append their tag. */
static char events[64];
static void ev(char c)
{
	size_t n = strlen(events);
	assert_true(n + 1 < sizeof(events));
	events[n] = c;
	events[n + 1] = '\0';
}

static void act_a(void *data) { (void)data; ev('a'); }
static void act_b(void *data) { (void)data; ev('b'); }
static void act_c(void *data) { (void)data; ev('c'); }
static void act_d(void *data) { (void)data; ev('d'); }

struct tagged_res {
	char tag;
};
static void tagged_release(struct device *dev, void *res)
{
	(void)dev;
	ev(((struct tagged_res *)res)->tag);
}

static int add_tagged(struct device *dev, char tag)
{
	struct tagged_res *r = devres_alloc(tagged_release, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->tag = tag;
	devres_add(dev, r);
	return 0;
}

/* Each test says what probe does. */
static int (*probe_body)(struct platform_device *pdev);
static void (*remove_body)(struct platform_device *pdev);

static int tdrv_probe(struct platform_device *pdev)
{
	return probe_body(pdev);
}

static void tdrv_remove(struct platform_device *pdev)
{
	ev('R');
	if (remove_body)
		remove_body(pdev);
}

static const struct of_device_id tdrv_of_match[] = {
	{ .compatible = "dmaport,copy-engine" },
	{}
};

static struct platform_driver tdrv = {
	.probe = tdrv_probe,
	.remove = tdrv_remove,
	.driver = {
		.name = "devres-test",
		.of_match_table = tdrv_of_match,
	},
};

static bool registered;
static void load(void)
{
	/* what a test that failed half-way left */
	if (registered)
		platform_driver_unregister(&tdrv);
	registered = false;
	lx_machine_load(SOC, NULL, DMP_DEBUG_WARN);
	events[0] = '\0';
	remove_body = NULL;
}

static void register_tdrv(void)
{
	assert_int_equal(platform_driver_register(&tdrv), 0);
	registered = true;
}

static void unregister_tdrv(void)
{
	platform_driver_unregister(&tdrv);
	registered = false;
}

static unsigned long findings_at_unload(void)
{
	return lx_machine_unload();
}

static void unload_clean(void)
{
	lx_machine_unload_clean();
}

static struct device *the_dev(void)
{
	struct device *d = dmp_lx_find_device(DEV_NAME);
	assert_non_null(d);
	return d;
}

/* --- devres ---------------------------------------------------------------- */

static void *rel_cpu;
static dma_addr_t rel_dma;
static struct dma_pool *rel_pool;
static void *rel_block;
static dma_addr_t rel_block_dma;

static void free_block(void *pool)
{
	ev('p');
	dma_pool_free(pool, rel_block, rel_block_dma);
}

/* A probe that takes one of every kind, tagged in between. */
static int probe_every_kind(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	if (strcmp(dev_name(dev), DEV_NAME))
		return -ENODEV; /* one device is enough */
	int ret = devm_add_action(dev, act_a, NULL);
	if (ret)
		return ret;
	u8 *mem = devm_kzalloc(dev, 256, GFP_KERNEL);
	if (!mem)
		return -ENOMEM;
	for (int i = 0; i < 256; i++)
		assert_int_equal(mem[i], 0);
	if ((ret = add_tagged(dev, '1')))
		return ret;
	rel_cpu = dmam_alloc_coherent(dev, 8192, &rel_dma, GFP_KERNEL);
	if (!rel_cpu)
		return -ENOMEM;
	if ((ret = devm_add_action_or_reset(dev, act_b, NULL)))
		return ret;
	rel_pool = dmam_pool_create("devres-test", dev, 64, 64, 0);
	if (!rel_pool)
		return -ENOMEM;
	rel_block = dma_pool_zalloc(rel_pool, GFP_KERNEL, &rel_block_dma);
	if (!rel_block)
		return -ENOMEM;
	/* after the pool: runs before the pool is destroyed */
	if ((ret = devm_add_action_or_reset(dev, free_block, rel_pool)))
		return ret;
	if ((ret = add_tagged(dev, '2')))
		return ret;
	platform_set_drvdata(pdev, mem);
	return 0;
}

/* remove() runs first; then every resource in reverse order; the managed
 * DMA memory and pool are gone (the checker finds no leak). */
static void test_release_order_at_unbind(void **state)
{
	(void)state;
	load();
	probe_body = probe_every_kind;
	register_tdrv();
	struct device *d = the_dev();
	assert_ptr_equal(d->driver, &tdrv.driver);
	assert_non_null(dev_get_drvdata(d));
	/* a, kzalloc, 1, coherent, b, pool, free_block, 2 */
	assert_int_equal(dmp_lx_devres_count(d), 8);
	assert_string_equal(events, "");
	unregister_tdrv();
	/* tags in reverse: 2, free_block, (pool), b, (coherent), 1, (kzalloc), a */
	assert_string_equal(events, "R2pb1a");
	assert_null(d->driver);
	assert_null(dev_get_drvdata(d));
	assert_int_equal(dmp_lx_devres_count(d), 0);
	unload_clean();
}

/* A probe that fails: what it took is released in reverse, remove() is not
 * called, the device stays unbound. */
static int probe_fails(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	int ret = devm_add_action(dev, act_a, NULL);
	if (!ret)
		ret = add_tagged(dev, '1');
	if (!ret)
		ret = devm_add_action(dev, act_b, NULL);
	if (ret)
		return ret;
	return dev_err_probe(dev, -EIO, "the hardware did not answer\n");
}

static void test_release_on_probe_failure(void **state)
{
	(void)state;
	load();
	probe_body = probe_fails;
	register_tdrv();
	/* both engines probed and failed: each released its own, in reverse */
	assert_string_equal(events, "b1ab1a");
	assert_int_equal(dmp_lx_bound_count(), 0);
	struct device *d = the_dev();
	assert_null(d->driver);
	assert_int_equal(dmp_lx_devres_count(d), 0);
	unregister_tdrv();
	assert_string_equal(events, "b1ab1a"); /* no remove() for an unbound device */
	unload_clean();
}

/* devm_add_action_or_reset: when the devres cannot be allocated, the action
 * runs at once (and -ENOMEM comes back), then the probe's unwind. */
static int probe_or_reset_fails(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	if (strcmp(dev_name(dev), DEV_NAME))
		return -ENODEV;
	int ret = devm_add_action(dev, act_a, NULL);
	if (!ret)
		ret = add_tagged(dev, '1');
	if (ret)
		return ret;
	dmp_fail_nth(DMP_FAIL_HEAP, 1);
	ret = devm_add_action_or_reset(dev, act_c, NULL);
	dmp_fail_nth(DMP_FAIL_HEAP, 0);
	assert_int_equal(ret, -ENOMEM);
	assert_string_equal(events, "c");
	return ret;
}

static void test_add_action_or_reset(void **state)
{
	(void)state;
	load();
	probe_body = probe_or_reset_fails;
	register_tdrv();
	assert_string_equal(events, "c1a");
	assert_null(the_dev()->driver);
	assert_int_equal(dmp_lx_devres_count(the_dev()), 0);
	unregister_tdrv();
	unload_clean();
}

/* devm_remove_action forgets an action, devm_release_action runs it now;
 * neither runs again at unbind. */
static int probe_remove_release(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	if (strcmp(dev_name(dev), DEV_NAME))
		return -ENODEV;
	int ret = devm_add_action(dev, act_a, NULL);
	if (!ret)
		ret = devm_add_action(dev, act_b, NULL);
	if (!ret)
		ret = devm_add_action(dev, act_c, NULL);
	if (!ret)
		ret = devm_add_action(dev, act_d, NULL);
	if (ret)
		return ret;
	devm_remove_action(dev, act_b, NULL);
	devm_release_action(dev, act_c, NULL);
	assert_int_equal(dmp_lx_devres_count(dev), 2);
	return 0;
}

static void test_remove_and_release_action(void **state)
{
	(void)state;
	load();
	probe_body = probe_remove_release;
	register_tdrv();
	assert_string_equal(events, "c");
	unregister_tdrv();
	assert_string_equal(events, "cRda");
	unload_clean();
}

/* Groups: release_group releases the group's resources now, in reverse;
 * remove_group keeps them, for unbind. */
static int probe_groups(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	if (strcmp(dev_name(dev), DEV_NAME))
		return -ENODEV;
	assert_int_equal(add_tagged(dev, '1'), 0);
	void *g1 = devres_open_group(dev, NULL, GFP_KERNEL);
	assert_non_null(g1);
	assert_int_equal(add_tagged(dev, '2'), 0);
	assert_int_equal(add_tagged(dev, '3'), 0);
	devres_close_group(dev, g1);
	void *g2 = devres_open_group(dev, NULL, GFP_KERNEL);
	assert_non_null(g2);
	assert_int_equal(add_tagged(dev, '4'), 0);
	devres_close_group(dev, g2);
	assert_true(devres_release_group(dev, g1) > 0);
	assert_string_equal(events, "32");
	devres_remove_group(dev, g2);
	assert_int_equal(add_tagged(dev, '5'), 0);
	return 0;
}

static void test_groups(void **state)
{
	(void)state;
	load();
	probe_body = probe_groups;
	register_tdrv();
	unregister_tdrv();
	assert_string_equal(events, "32R541");
	unload_clean();
}

/* Managed DMA memory needs no free; dmam_free_coherent frees early and
 * drops its devres.  The same probe with dma_alloc_coherent leaks, and the
 * checker says so at unbind: the clean result above is not for free. */
static bool use_unmanaged;
static int probe_dmam(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	if (strcmp(dev_name(dev), DEV_NAME))
		return -ENODEV;
	dma_addr_t a, b;
	void *early = dmam_alloc_coherent(dev, 4096, &a, GFP_KERNEL);
	if (!early)
		return -ENOMEM;
	unsigned int n = dmp_lx_devres_count(dev);
	void *kept = use_unmanaged ? dma_alloc_coherent(dev, 4096, &b, GFP_KERNEL)
				   : dmam_alloc_coherent(dev, 4096, &b, GFP_KERNEL);
	if (!kept)
		return -ENOMEM;
	assert_int_equal(dmp_lx_devres_count(dev), n + !use_unmanaged);
	memset(kept, 0x5a, 4096);
	dmam_free_coherent(dev, 4096, early, a);
	assert_int_equal(dmp_lx_devres_count(dev), n - 1 + !use_unmanaged);
	struct dma_pool *pool = dmam_pool_create("dmam", dev, 512, 64, 4096);
	if (!pool)
		return -ENOMEM;
	return 0;
}

static void test_dmam_released_unmanaged_leaks(void **state)
{
	(void)state;
	probe_body = probe_dmam;
	for (int unmanaged = 0; unmanaged < 2; unmanaged++) {
		load();
		use_unmanaged = unmanaged;
		register_tdrv();
		assert_non_null(the_dev()->driver);
		unregister_tdrv();
		unsigned long findings = findings_at_unload();
		if (unmanaged)
			assert_true(findings >= 1);
		else
			assert_int_equal(findings, 0);
	}
}

/* --- interrupts ------------------------------------------------------------ */

struct irq_rec {
	unsigned int calls;
	bool in_hardirq;
	bool thread_in_task;
	unsigned int thread_calls;
	u64 at_ns;
	irqreturn_t ret;
	struct completion done;
};

static unsigned int line_hw;
static struct dmp_sim_callout raise_co;

static u64 now_ns(void)
{
	return dmp_sim_now(dmp_sim_current());
}

static void raise_fn(void *cookie)
{
	(void)cookie;
	dmp_sim_irq_set_level(dmp_sim_current(), line_hw, true);
}

/* The device asserts its level line @delay_ms from now. */
static void raise_in(unsigned int delay_ms)
{
	dmp_sim_callout_init(&raise_co, raise_fn, NULL);
	dmp_sim_callout_arm(dmp_sim_current(), &raise_co, (u64)delay_ms * 1000000);
}

static void deassert(void)
{
	dmp_sim_irq_set_level(dmp_sim_current(), line_hw, false);
}

static unsigned int the_irq(void)
{
	int irq = platform_get_irq(to_platform_device(the_dev()), 0);
	assert_true(irq > 0);
	line_hw = (unsigned int)dmp_lx_irq_hwirq((unsigned int)irq);
	return (unsigned int)irq;
}

static void rec_init(struct irq_rec *r, irqreturn_t ret)
{
	memset(r, 0, sizeof(*r));
	r->ret = ret;
	init_completion(&r->done);
}

/* A handler that acknowledges the device (deasserts) if it claims it. */
static irqreturn_t rec_handler(int irq, void *dev_id)
{
	(void)irq;
	struct irq_rec *r = dev_id;
	r->calls++;
	r->in_hardirq = in_hardirq() && irqs_disabled();
	r->at_ns = now_ns();
	if (r->ret != IRQ_NONE)
		deassert();
	if (r->ret == IRQ_HANDLED)
		complete(&r->done);
	return r->ret;
}

static void test_request_free_irq(void **state)
{
	(void)state;
	load();
	unsigned int irq = the_irq();
	struct irq_rec r, other;
	rec_init(&r, IRQ_HANDLED);
	rec_init(&other, IRQ_HANDLED);
	assert_int_equal(request_irq(irq, rec_handler, 0, "t-irq", &r), 0);
	assert_true(irq_has_action(irq));
	/* the line is taken, not shared */
	assert_int_equal(request_irq(irq, rec_handler, 0, "t-other", &other), -EBUSY);
	assert_int_equal(request_irq(irq, rec_handler, IRQF_SHARED, "t-other", &other), -EBUSY);
	assert_int_equal(request_irq(irq, NULL, 0, "t-none", &other), -EINVAL);

	u64 t0 = now_ns();
	raise_in(2);
	unsigned long left = wait_for_completion_timeout(&r.done, msecs_to_jiffies(10));
	assert_int_equal(left, 8); /* woken 2 ms into 10 */
	assert_int_equal(r.calls, 1);
	assert_true(r.in_hardirq);
	assert_int_equal(r.at_ns - t0, 2000000);

	const void *name = free_irq(irq, &r);
	assert_non_null(name);
	assert_string_equal((const char *)name, "t-irq");
	assert_false(irq_has_action(irq));
	/* a freed handler is never called; the line stays pending */
	raise_in(1);
	msleep(5);
	assert_int_equal(r.calls, 1);
	assert_true(dmp_sim_irq_pending(dmp_sim_current(), line_hw));
	deassert();
	unload_clean();
}

static void test_shared_irq(void **state)
{
	(void)state;
	load();
	unsigned int irq = the_irq();
	struct irq_rec not_mine, mine;
	rec_init(&not_mine, IRQ_NONE);
	rec_init(&mine, IRQ_HANDLED);
	assert_int_equal(request_irq(irq, rec_handler, IRQF_SHARED, "t-a", NULL), -EINVAL);
	assert_int_equal(request_irq(irq, rec_handler, IRQF_SHARED, "t-a", &not_mine), 0);
	assert_int_equal(request_irq(irq, rec_handler, IRQF_SHARED, "t-b", &mine), 0);
	assert_int_equal(request_irq(irq, rec_handler, 0, "t-c", &mine), -EBUSY);
	raise_in(1);
	assert_true(wait_for_completion_timeout(&mine.done, msecs_to_jiffies(10)) > 0);
	assert_int_equal(not_mine.calls, 1);
	assert_int_equal(mine.calls, 1);
	/* freeing one leaves the other */
	assert_string_equal((const char *)free_irq(irq, &not_mine), "t-a");
	raise_in(1);
	assert_true(wait_for_completion_timeout(&mine.done, msecs_to_jiffies(10)) > 0);
	assert_int_equal(not_mine.calls, 1);
	assert_int_equal(mine.calls, 2);
	assert_string_equal((const char *)free_irq(irq, &mine), "t-b");
	unload_clean();
}

static irqreturn_t wake_thread_handler(int irq, void *dev_id)
{
	(void)irq;
	struct irq_rec *r = dev_id;
	r->calls++;
	r->in_hardirq = in_hardirq();
	deassert();
	return IRQ_WAKE_THREAD;
}

/* A thread function runs as a task: it may sleep; with a NULL primary and
 * IRQF_ONESHOT the line stays masked until it returns, so the still
 * asserted level line is not taken again meanwhile. */
static irqreturn_t thread_fn(int irq, void *dev_id)
{
	(void)irq;
	struct irq_rec *r = dev_id;
	r->thread_calls++;
	r->thread_in_task = !in_interrupt() && !in_atomic() && !irqs_disabled();
	u64 t0 = now_ns();
	msleep(2);
	assert_int_equal(now_ns() - t0, 2000000);
	deassert(); /* no-op when the primary did it */
	complete(&r->done);
	return IRQ_HANDLED;
}

static void test_threaded_irq(void **state)
{
	(void)state;
	load();
	unsigned int irq = the_irq();
	struct irq_rec r;

	/* primary + thread */
	rec_init(&r, IRQ_HANDLED);
	assert_int_equal(request_threaded_irq(irq, wake_thread_handler, thread_fn, 0, "t-thr", &r), 0);
	raise_in(1);
	assert_true(wait_for_completion_timeout(&r.done, msecs_to_jiffies(20)) > 0);
	assert_int_equal(r.calls, 1);
	assert_true(r.in_hardirq);
	assert_int_equal(r.thread_calls, 1);
	assert_true(r.thread_in_task);
	free_irq(irq, &r);

	/* no primary: IRQF_ONESHOT is required */
	rec_init(&r, IRQ_HANDLED);
	assert_int_equal(request_threaded_irq(irq, NULL, thread_fn, 0, "t-one", &r), -EINVAL);
	assert_int_equal(request_threaded_irq(irq, NULL, thread_fn, IRQF_ONESHOT, "t-one", &r), 0);
	u64 taken = dmp_sim_irq_count(dmp_sim_current(), line_hw);
	raise_in(1);
	assert_true(wait_for_completion_timeout(&r.done, msecs_to_jiffies(20)) > 0);
	assert_int_equal(r.thread_calls, 1);
	assert_true(r.thread_in_task);
	/* taken once although the line stayed asserted while the thread slept */
	assert_int_equal(dmp_sim_irq_count(dmp_sim_current(), line_hw) - taken, 1);
	msleep(5);
	assert_int_equal(r.thread_calls, 1);
	assert_string_equal((const char *)free_irq(irq, &r), "t-one");
	unload_clean();
}

/* devm_request_irq: freed at unbind, after remove(). */
static struct irq_rec devm_rec;
static int probe_devm_irq(struct platform_device *pdev)
{
	if (strcmp(dev_name(&pdev->dev), DEV_NAME))
		return -ENODEV;
	int irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;
	return devm_request_irq(&pdev->dev, (unsigned int)irq, rec_handler, 0, "t-devm", &devm_rec);
}

static void remove_checks_irq(struct platform_device *pdev)
{
	/* still requested while remove() runs */
	assert_true(irq_has_action((unsigned int)platform_get_irq(pdev, 0)));
}

static void test_devm_request_irq(void **state)
{
	(void)state;
	load();
	unsigned int irq = the_irq();
	rec_init(&devm_rec, IRQ_HANDLED);
	probe_body = probe_devm_irq;
	register_tdrv();
	remove_body = remove_checks_irq;
	raise_in(1);
	assert_true(wait_for_completion_timeout(&devm_rec.done, msecs_to_jiffies(10)) > 0);
	assert_int_equal(devm_rec.calls, 1);
	unregister_tdrv();
	assert_string_equal(events, "R");
	assert_false(irq_has_action(irq));
	raise_in(1);
	msleep(3);
	assert_int_equal(devm_rec.calls, 1);
	deassert();
	unload_clean();
}

/* --- waits on the virtual clock -------------------------------------------- */

static struct dmp_sim_callout cb_co;
static struct completion cb_completion;
static void complete_fn(void *cookie)
{
	(void)cookie;
	complete(&cb_completion);
}

static void test_completion_timeout(void **state)
{
	(void)state;
	load();
	init_completion(&cb_completion);
	/* nothing completes it: 0 after exactly the timeout */
	u64 t0 = now_ns();
	unsigned long j0 = jiffies;
	assert_int_equal(wait_for_completion_timeout(&cb_completion, msecs_to_jiffies(25)), 0);
	assert_int_equal(now_ns() - t0, 25000000);
	assert_int_equal(jiffies - j0, 25);
	assert_false(completion_done(&cb_completion));
	/* completed 5 ms in: the jiffies left */
	dmp_sim_callout_init(&cb_co, complete_fn, NULL);
	dmp_sim_callout_arm(dmp_sim_current(), &cb_co, 5000000);
	t0 = now_ns();
	assert_int_equal(wait_for_completion_timeout(&cb_completion, msecs_to_jiffies(25)), 20);
	assert_int_equal(now_ns() - t0, 5000000);
	/* a completion that came first is consumed at once, no time passes */
	complete(&cb_completion);
	t0 = now_ns();
	assert_int_equal(wait_for_completion_timeout(&cb_completion, 7), 7);
	assert_int_equal(now_ns(), t0);
	assert_false(try_wait_for_completion(&cb_completion));
	/* complete_all lets every later wait through until reinit */
	complete_all(&cb_completion);
	assert_true(wait_for_completion_timeout(&cb_completion, 1) > 0);
	assert_true(wait_for_completion_timeout(&cb_completion, 1) > 0);
	reinit_completion(&cb_completion);
	assert_int_equal(wait_for_completion_timeout(&cb_completion, 1), 0);
	unload_clean();
}

static DECLARE_WAIT_QUEUE_HEAD(wq);
static bool wq_flag;
static struct timer_list wq_timer;
static void wq_timer_fn(struct timer_list *t)
{
	(void)t;
	wq_flag = true;
	wake_up(&wq);
}

static void test_wait_event_timeout(void **state)
{
	(void)state;
	load();
	wq_flag = false;
	/* the condition never holds: 0 after exactly the timeout */
	u64 t0 = now_ns();
	assert_int_equal(wait_event_timeout(wq, wq_flag, msecs_to_jiffies(25)), 0);
	assert_int_equal(now_ns() - t0, 25000000);
	/* a timer 5 jiffies out sets it: woken at that tick, the rest left */
	timer_setup(&wq_timer, wq_timer_fn, 0);
	unsigned long j0 = jiffies;
	mod_timer(&wq_timer, j0 + 5);
	long left = wait_event_timeout(wq, wq_flag, msecs_to_jiffies(25));
	assert_true(wq_flag);
	assert_int_equal(jiffies - j0, 5);
	assert_true(left >= 20 && left <= 21);
	assert_false(timer_pending(&wq_timer));
	/* already true: the whole timeout back, no time passes */
	t0 = now_ns();
	assert_int_equal(wait_event_timeout(wq, wq_flag, 9), 9);
	assert_int_equal(wait_event_timeout(wq, wq_flag, 0), 1);
	assert_int_equal(now_ns(), t0);
	del_timer_sync(&wq_timer);
	unload_clean();
}

static u64 device_done_at;
static void device_done(void *cookie)
{
	(void)cookie;
	device_done_at = now_ns();
}

/* Sleeps and delays move the virtual clock by what they ask (msleep by
 * jiffies, usleep_range at least its minimum, the delays exactly), and the
 * machine runs meanwhile. */
static void test_sleep_and_delay_advance_time(void **state)
{
	(void)state;
	load();
	u64 t0 = now_ns();
	unsigned long j0 = jiffies;
	msleep(10);
	assert_int_equal(now_ns() - t0, 10000000);
	assert_int_equal(jiffies - j0, 10);
	assert_true(time_after_eq(jiffies, j0 + 10));

	t0 = now_ns();
	usleep_range(100, 200);
	assert_true(now_ns() - t0 >= 100000 && now_ns() - t0 <= 200000);
	t0 = now_ns();
	fsleep(50);
	assert_true(now_ns() - t0 >= 50000 && now_ns() - t0 <= 100000);

	t0 = now_ns();
	udelay(50);
	assert_int_equal(now_ns() - t0, 50000);
	t0 = now_ns();
	ndelay(300);
	assert_int_equal(now_ns() - t0, 300);
	t0 = now_ns();
	mdelay(3);
	assert_int_equal(now_ns() - t0, 3000000);

	/* a device finishing 3 ms out does so during the sleep, at its time */
	device_done_at = 0;
	struct dmp_sim_callout co;
	dmp_sim_callout_init(&co, device_done, NULL);
	t0 = now_ns();
	dmp_sim_callout_arm(dmp_sim_current(), &co, 3000000);
	msleep(10);
	assert_int_equal(device_done_at - t0, 3000000);
	/* and during a busy wait */
	device_done_at = 0;
	t0 = now_ns();
	dmp_sim_callout_arm(dmp_sim_current(), &co, 20000);
	udelay(100);
	assert_int_equal(device_done_at - t0, 20000);
	unload_clean();
}

/* A wait nothing can end is a deadlock report naming where it waits. */
static const int wait_forever_line = __LINE__ + 4;
static void wait_forever(void)
{
	DECLARE_COMPLETION_ONSTACK(never);
	wait_for_completion(&never);
}

static int pipe_w = -1;
static void log_to_pipe(void *cookie, const char *line)
{
	(void)cookie;
	if (write(pipe_w, line, strlen(line)) < 0 || write(pipe_w, "\n", 1) < 0)
		_exit(99);
}

static void test_deadlock_reported(void **state)
{
	(void)state;
	load();
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		pipe_w = fds[1];
		dmp_set_log_hook(log_to_pipe, NULL);
		wait_forever();
		_exit(0);
	}
	close(fds[1]);
	char out[4096] = "";
	size_t n = 0;
	ssize_t k;
	while (n + 1 < sizeof(out) && (k = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	char where[128];
	snprintf(where, sizeof(where), "test-compat-devres.c:%d", wait_forever_line);
	if (!strstr(out, "deadlock") || !strstr(out, where))
		fail_msg("no deadlock report naming %s:\n%s", where, out);
	unload_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_order_at_unbind),
		cmocka_unit_test(test_release_on_probe_failure),
		cmocka_unit_test(test_add_action_or_reset),
		cmocka_unit_test(test_remove_and_release_action),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_dmam_released_unmanaged_leaks),
		cmocka_unit_test(test_request_free_irq),
		cmocka_unit_test(test_shared_irq),
		cmocka_unit_test(test_threaded_irq),
		cmocka_unit_test(test_devm_request_irq),
		cmocka_unit_test(test_completion_timeout),
		cmocka_unit_test(test_wait_event_timeout),
		cmocka_unit_test(test_sleep_and_delay_advance_time),
		cmocka_unit_test(test_deadlock_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
