/* test-copy-engine.c - MMIO dispatch and the copy engine's ring protocol. */
#include <string.h>

#include "support/sim-fixture.h"

#include "dma/dma-internal.h"

#define PLAT(fn, ...) dmp__platform.ops->fn(dmp__platform.ctx, __VA_ARGS__)
#define CE_BASE 0x10000000ull

/* --- MMIO dispatch with a recording device --------------------------------- */

struct recorder {
	uint64_t last_off, last_val;
	unsigned last_width;
	int writes;
};

static uint64_t rec_read(struct dmp_sim_device *d, uint64_t off, unsigned width)
{
	(void)width;
	return 0x1000 + off;
}

static void rec_write(struct dmp_sim_device *d, uint64_t off, unsigned width, uint64_t val)
{
	struct recorder *r = dmp_sim_device_priv(d);
	r->last_off = off;
	r->last_width = width;
	r->last_val = val;
	r->writes++;
}

static const struct dmp_sim_device_ops rec_ops = { .mmio_read = rec_read, .mmio_write = rec_write };

static void test_mmio_dispatch(void **state)
{
	struct dmp_sim *sim = *state;
	struct recorder rec = { 0 };
	struct dmp_sim_device *d;
	struct dmp_sim_device_config dc = { .name = "rec", .port_bits = 64, .mmio_base = 0x20000000,
					    .mmio_size = 0x2000, .ops = &rec_ops, .priv = &rec };
	assert_int_equal(dmp_sim_device_create(sim, &dc, &d), 0);
	/* an overlapping window, or one inside RAM, is refused */
	struct dmp_sim_device *e;
	dc.mmio_base = 0x20001000;
	assert_int_equal(dmp_sim_device_create(sim, &dc, &e), -EINVAL);
	dc.mmio_base = 0x80000000;
	assert_int_equal(dmp_sim_device_create(sim, &dc, &e), -EINVAL);

	void *regs;
	assert_int_equal(dmp_ioremap(0x20000000, 0x2000, &regs), 0);
	assert_int_equal(dmp_ioremap(0x30000000, 0x10, &regs + 0), -ENODEV);
	assert_int_equal(dmp_readl((uint8_t *)regs + 0x10), 0x1010);
	assert_int_equal(dmp_readb((uint8_t *)regs + 0x1fff), (0x1000 + 0x1fff) & 0xff);
	dmp_writeq(0x1122334455667788ull, (uint8_t *)regs + 0x1008);
	assert_int_equal(rec.last_off, 0x1008);
	assert_int_equal(rec.last_width, 8);
	assert_int_equal(rec.last_val, 0x1122334455667788ull);
	dmp_writew_relaxed(0xbeef, (uint8_t *)regs + 2);
	assert_int_equal(rec.last_width, 2);
	assert_int_equal(rec.last_val, 0xbeef);
	dmp_writeb(0x7f, (uint8_t *)regs + 3);
	assert_int_equal(rec.last_width, 1);
	assert_int_equal(rec.writes, 3);
	/* a sub-window mapping at an offset */
	void *sub;
	assert_int_equal(dmp_ioremap(0x20001004, 4, &sub), 0);
	dmp_writel(5, sub);
	assert_int_equal(rec.last_off, 0x1004);
	dmp_iounmap(sub);
	/* after the device is gone, reads return all ones and writes go nowhere */
	dmp_sim_device_destroy(d);
	assert_int_equal(dmp_readl(regs), 0xffffffffu);
	dmp_writel(1, regs);
	assert_int_equal(rec.writes, 4 - 1 + 1); /* the sub write counted; this one not */
	dmp_iounmap(regs);

	/* an access past a window smaller than the page that maps it: refused
	 * (the model never sees it) and reported with the device and offset */
	struct recorder small = { 0 };
	dc = (struct dmp_sim_device_config){ .name = "small", .port_bits = 64,
					     .mmio_base = 0x20004000, .mmio_size = 0x10,
					     .ops = &rec_ops, .priv = &small };
	assert_int_equal(dmp_sim_device_create(sim, &dc, &d), 0);
	assert_int_equal(dmp_ioremap(0x20004000, 0x10, &regs), 0);
	dmp_writel(7, (uint8_t *)regs + 0xc);
	assert_int_equal(small.writes, 1);
	fixture_log_start();
	dmp_writel(8, (uint8_t *)regs + 0xe); /* two bytes past the end */
	dmp_writeb(9, (uint8_t *)regs + 0x10);
	assert_int_equal(dmp_readl((uint8_t *)regs + 0x20), 0xffffffffu);
	assert_int_equal(fixture_log_count(), 3);
	assert_true(fixture_log_has("small: MMIO write of 4 bytes at offset 0xe",
				    "outside its 0x10-byte register window", "dropped", NULL));
	assert_true(fixture_log_has("small: MMIO read of 4 bytes at offset 0x20", "all ones",
				    NULL));
	fixture_log_stop();
	assert_int_equal(small.writes, 1);
	assert_int_equal(small.last_off, 0xc);
	dmp_iounmap(regs);
	dmp_sim_device_destroy(d);
}

/* --- the copy engine ------------------------------------------------------- */

struct ring {
	void *regs;
	dmp_phys_t ring_phys;
	struct dmp_ce_desc *desc;
	uint32_t tail;
	unsigned size;
};

static void ring_setup(struct ring *r, unsigned entries, bool uncached)
{
	assert_int_equal(dmp_ioremap(CE_BASE, DMP_CE_MMIO_SIZE, &r->regs), 0);
	assert_int_equal(dmp_readl((uint8_t *)r->regs + DMP_CE_REG_ID), DMP_CE_ID_VALUE);
	assert_int_equal(dmp_page_alloc(0, DMP_GFP_ZERO, DMP_PHYS_ANY, &r->ring_phys), 0);
	r->desc = dmp_phys_to_virt(r->ring_phys);
	if (uncached) {
		dmp_arch_prep_coherent(r->ring_phys, r->desc, DMP_PAGE_SIZE);
		assert_int_equal(PLAT(set_mem_attr, r->ring_phys, DMP_PAGE_SIZE, DMP_MEM_UNCACHED), 0);
	}
	r->size = entries;
	r->tail = 0;
	uint8_t *b = r->regs;
	dmp_writel(DMP_CE_CTRL_RESET | DMP_CE_CTRL_ENABLE, b + DMP_CE_REG_CTRL);
	dmp_writel((uint32_t)r->ring_phys, b + DMP_CE_REG_RING_LO);
	dmp_writel((uint32_t)(r->ring_phys >> 32), b + DMP_CE_REG_RING_HI);
	dmp_writel(entries, b + DMP_CE_REG_RING_SIZE);
}

static struct dmp_ce_desc *ring_post(struct ring *r, uint64_t src, uint64_t dst, uint32_t len,
				     uint32_t flags)
{
	struct dmp_ce_desc *d = &r->desc[r->tail % r->size];
	d->src = src;
	d->dst = dst;
	d->len = len;
	d->status = 0;
	d->flags = flags;
	r->tail++;
	return d;
}

static void ring_kick(struct ring *r)
{
	/* writel orders the descriptor stores before the doorbell */
	dmp_writel(r->tail, (uint8_t *)r->regs + DMP_CE_REG_TAIL);
}

static uint32_t reg(struct ring *r, unsigned off)
{
	return dmp_readl((uint8_t *)r->regs + off);
}

static struct dmp_sim_device *engine(struct dmp_sim *sim, bool coherent, unsigned bits)
{
	struct dmp_sim_device *ce;
	struct dmp_sim_device_config dc = { .name = "ce", .port_bits = bits, .coherent = coherent,
					    .mmio_base = CE_BASE };
	assert_int_equal(dmp_sim_copy_engine_create(sim, &dc, &ce), 0);
	return ce;
}

static void test_ring_copies(void **state)
{
	for (int coherent = 0; coherent <= 1; coherent++) {
		struct dmp_sim *sim = fixture_sim(NULL);
		engine(sim, coherent, 64);
		struct ring r;
		ring_setup(&r, 8, !coherent);
		/* 20 copies: wraps the 8-entry ring */
		for (int i = 0; i < 20; i++) {
			size_t len = 100 + (size_t)i * 300;
			uint8_t *src = dmp_kmalloc(len, 0), *dst = dmp_kzalloc(len, 0);
			dmp_phys_t ps, pd;
			dmp_virt_to_phys(src, &ps);
			dmp_virt_to_phys(dst, &pd);
			for (size_t k = 0; k < len; k++)
				src[k] = (uint8_t)(k + i);
			if (!coherent) {
				dmp_arch_sync_for_device(ps, src, len, DMP_TO_DEVICE);
				dmp_arch_sync_for_device(pd, dst, len, DMP_FROM_DEVICE);
			}
			struct dmp_ce_desc *d = ring_post(&r, ps, pd, (uint32_t)len, DMP_CE_DESC_VALID);
			ring_kick(&r);
			assert_int_equal(reg(&r, DMP_CE_REG_STATUS), 0);
			assert_int_equal(reg(&r, DMP_CE_REG_HEAD), i + 1);
			assert_int_equal(reg(&r, DMP_CE_REG_COMPLETED), i + 1);
			assert_int_equal(d->status, DMP_CE_DESC_DONE);
			if (!coherent)
				dmp_arch_sync_for_cpu(pd, dst, len, DMP_FROM_DEVICE);
			assert_memory_equal(dst, src, len);
			dmp_kfree(src);
			dmp_kfree(dst);
		}
		dmp_sim_destroy(sim);
	}
}

static void test_ring_batch_and_fill(void **state)
{
	struct dmp_sim *sim = fixture_sim(NULL);
	engine(sim, true, 64);
	struct ring r;
	ring_setup(&r, 4, false);
	uint8_t *buf = dmp_kzalloc(4 * 64, 0);
	dmp_phys_t p;
	dmp_virt_to_phys(buf, &p);
	/* four descriptors, one doorbell */
	for (int i = 0; i < 4; i++)
		ring_post(&r, 0x41 + (unsigned)i, p + (unsigned)i * 64, 64,
			  DMP_CE_DESC_VALID | DMP_CE_DESC_FILL);
	ring_kick(&r);
	assert_int_equal(reg(&r, DMP_CE_REG_COMPLETED), 4);
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 64; k++)
			assert_int_equal(buf[i * 64 + k], 0x41 + i);
	dmp_kfree(buf);
	dmp_sim_destroy(sim);
}

/* A descriptor the device sees without VALID stops the engine. */
static void test_ring_not_ready_and_reset(void **state)
{
	struct dmp_sim *sim = fixture_sim(NULL);
	engine(sim, false, 64);
	struct ring r;
	ring_setup(&r, 8, true);
	uint8_t *buf = dmp_kzalloc(64, 0);
	dmp_phys_t p;
	dmp_virt_to_phys(buf, &p);
	/* the descriptor is written, but the doorbell uses the relaxed write
	 * without dma_wmb: the uncached stores are still in the write buffer */
	ring_post(&r, 0x11, p, 64, DMP_CE_DESC_VALID | DMP_CE_DESC_FILL);
	dmp_writel_relaxed(r.tail, (uint8_t *)r.regs + DMP_CE_REG_TAIL);
	assert_int_equal(reg(&r, DMP_CE_REG_STATUS), DMP_CE_STATUS_ERROR);
	assert_int_equal(reg(&r, DMP_CE_REG_ERR_CODE), DMP_CE_ERR_NOT_READY);
	assert_int_equal(reg(&r, DMP_CE_REG_ERR_ADDR_LO), (uint32_t)r.ring_phys);
	assert_int_equal(reg(&r, DMP_CE_REG_HEAD), 0);
	/* halted: a new doorbell does nothing until reset */
	dmp_dma_wmb();
	ring_kick(&r);
	assert_int_equal(reg(&r, DMP_CE_REG_COMPLETED), 0);
	/* reset and resubmit with the barrier: works */
	dmp_writel(DMP_CE_CTRL_RESET | DMP_CE_CTRL_ENABLE, (uint8_t *)r.regs + DMP_CE_REG_CTRL);
	assert_int_equal(reg(&r, DMP_CE_REG_STATUS), 0);
	r.tail = 0;
	ring_post(&r, 0x11, p, 64, DMP_CE_DESC_VALID | DMP_CE_DESC_FILL);
	ring_kick(&r);
	assert_int_equal(reg(&r, DMP_CE_REG_COMPLETED), 1);
	dmp_kfree(buf);
	dmp_sim_destroy(sim);
}

static void test_ring_errors(void **state)
{
	struct dmp_sim *sim = fixture_sim(NULL);
	engine(sim, true, 64);
	struct ring r;
	ring_setup(&r, 8, false);
	/* a DMA to nothing */
	struct dmp_ce_desc *d = ring_post(&r, 0x11, 0x1000, 64, DMP_CE_DESC_VALID | DMP_CE_DESC_FILL);
	ring_kick(&r);
	assert_int_equal(reg(&r, DMP_CE_REG_ERR_CODE), DMP_CE_ERR_DMA);
	assert_int_equal(reg(&r, DMP_CE_REG_ERR_ADDR_LO), 0x1000);
	assert_int_equal(d->status, DMP_CE_DESC_FAILED);
	/* unknown flags */
	dmp_writel(DMP_CE_CTRL_RESET | DMP_CE_CTRL_ENABLE, (uint8_t *)r.regs + DMP_CE_REG_CTRL);
	r.tail = 0;
	ring_post(&r, 0, 0, 0, DMP_CE_DESC_VALID | 0x80);
	ring_kick(&r);
	assert_int_equal(reg(&r, DMP_CE_REG_ERR_CODE), DMP_CE_ERR_BAD_DESC);
	/* a bad ring size */
	dmp_writel(DMP_CE_CTRL_RESET | DMP_CE_CTRL_ENABLE, (uint8_t *)r.regs + DMP_CE_REG_CTRL);
	dmp_writel(6, (uint8_t *)r.regs + DMP_CE_REG_RING_SIZE);
	r.tail = 0;
	ring_post(&r, 0, 0, 0, DMP_CE_DESC_VALID);
	ring_kick(&r);
	assert_int_equal(reg(&r, DMP_CE_REG_ERR_CODE), DMP_CE_ERR_BAD_RING);
	/* disabled: the doorbell is ignored */
	dmp_writel(DMP_CE_CTRL_RESET, (uint8_t *)r.regs + DMP_CE_REG_CTRL);
	dmp_writel(8, (uint8_t *)r.regs + DMP_CE_REG_RING_SIZE);
	dmp_writel(1, (uint8_t *)r.regs + DMP_CE_REG_TAIL);
	assert_int_equal(reg(&r, DMP_CE_REG_HEAD), 0);
	assert_int_equal(reg(&r, DMP_CE_REG_STATUS), 0);
	dmp_sim_destroy(sim);
}

/* A 32-bit engine: the ring above 4 GiB is out of reach; its address wraps. */
static void test_ring_port_width(void **state)
{
	struct dmp_sim *sim = fixture_sim(NULL);
	engine(sim, true, 32);
	struct ring r;
	ring_setup(&r, 8, false); /* pages come from the high region first */
	assert_true(r.ring_phys >= 0x100000000ull);
	dmp_sim_trace_enable(sim, true);
	ring_post(&r, 0x11, 0, 0, DMP_CE_DESC_VALID | DMP_CE_DESC_FILL);
	ring_kick(&r);
	const struct dmp_sim_event *ev = NULL;
	for (size_t i = dmp_sim_trace_count(sim); i-- > 0 && !ev;)
		if (dmp_sim_trace_get(sim, i)->kind == DMP_EV_DEV_FAULT)
			ev = dmp_sim_trace_get(sim, i);
	assert_non_null(ev); /* the fault is in the trace */
	assert_int_equal(ev->bus, (uint32_t)r.ring_phys);
	assert_int_equal(reg(&r, DMP_CE_REG_ERR_CODE), DMP_CE_ERR_DMA);
	/* the engine reports the address it issued; its port dropped bit 32 */
	assert_int_equal(reg(&r, DMP_CE_REG_ERR_ADDR_HI), (uint32_t)(r.ring_phys >> 32));
	assert_int_equal(reg(&r, DMP_CE_REG_ERR_ADDR_LO), (uint32_t)r.ring_phys);
	dmp_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mmio_dispatch, fixture_setup_default,
						fixture_teardown),
		cmocka_unit_test(test_ring_copies),
		cmocka_unit_test(test_ring_batch_and_fill),
		cmocka_unit_test(test_ring_not_ready_and_reset),
		cmocka_unit_test(test_ring_errors),
		cmocka_unit_test(test_ring_port_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
