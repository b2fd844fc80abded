/* test-platform.c - installing a platform: a table with a mandatory
 * callback missing is refused with -EINVAL and a log line naming it, and
 * leaves no platform installed; user_map/user_unmap may be missing. */
#include <stdio.h>
#include <string.h>

#include "support/sim-fixture.h"

static size_t line_size(void *ctx) { (void)ctx; return 64; }
static void va_op(void *ctx, const void *va, size_t size) { (void)ctx, (void)va, (void)size; }
static void pa_op(void *ctx, dmp_phys_t pa, size_t size) { (void)ctx, (void)pa, (void)size; }
static void barrier(void *ctx) { (void)ctx; }
static int ioremap_none(void *ctx, dmp_phys_t phys, size_t size, void **va)
{
	(void)ctx, (void)phys, (void)size, (void)va;
	return -ENODEV;
}
static void iounmap_none(void *ctx, void *va) { (void)ctx, (void)va; }
static uint64_t mmio_read_none(void *ctx, const volatile void *addr, unsigned width)
{
	(void)ctx, (void)addr, (void)width;
	return ~0ull;
}
static void mmio_write_none(void *ctx, volatile void *addr, unsigned width, uint64_t val)
{
	(void)ctx, (void)addr, (void)width, (void)val;
}
static int set_attr_none(void *ctx, dmp_phys_t phys, size_t size, enum dmp_mem_attr attr)
{
	(void)ctx, (void)phys, (void)size, (void)attr;
	return -EOPNOTSUPP;
}

/* Every member but user_map / user_unmap. */
static const struct dmp_platform_ops complete = {
	.name = "test-platform",
	.cache_line_size = line_size,
	.dcache_clean = va_op, .dcache_inval = va_op, .dcache_flush = va_op,
	.outer_clean = pa_op, .outer_inval = pa_op, .outer_flush = pa_op,
	.mb = barrier, .rmb = barrier, .wmb = barrier, .dma_rmb = barrier, .dma_wmb = barrier,
	.ioremap = ioremap_none, .iounmap = iounmap_none,
	.mmio_read = mmio_read_none, .mmio_write = mmio_write_none,
	.set_mem_attr = set_attr_none,
};

static char last_line[512];

static void keep_line(void *cookie, const char *line)
{
	(void)cookie;
	snprintf(last_line, sizeof(last_line), "%s", line);
}

static void test_ops_hole_refused(void **state)
{
	(void)state;
	struct dmp_platform_ops ops = complete;

	if (dmp_sim_current())
		dmp_sim_destroy(dmp_sim_current());
	dmp_set_log_hook(keep_line, NULL);
	ops.dma_wmb = NULL;
	assert_int_equal(dmp_platform_install(&(struct dmp_platform){ &ops, NULL }), -EINVAL);
	assert_null(dmp__platform.ops);
	assert_non_null(strstr(last_line, "platform test-platform: no dma_wmb callback"));
	ops = complete;
	ops.set_mem_attr = NULL;
	assert_int_equal(dmp_platform_install(&(struct dmp_platform){ &ops, NULL }), -EINVAL);
	assert_non_null(strstr(last_line, "no set_mem_attr callback"));
	ops = complete;
	ops.cache_line_size = NULL;
	assert_int_equal(dmp_platform_install(&(struct dmp_platform){ &ops, NULL }), -EINVAL);
	assert_non_null(strstr(last_line, "no cache_line_size callback"));
	assert_null(dmp__platform.ops);
	dmp_set_log_hook(NULL, NULL);

	/* user space is optional */
	assert_int_equal(dmp_platform_install(&(struct dmp_platform){ &complete, NULL }), 0);
	assert_ptr_equal(dmp__platform.ops, &complete);
	/* and one platform at a time */
	assert_int_equal(dmp_platform_install(&(struct dmp_platform){ &complete, NULL }), -EBUSY);
	dmp_platform_uninstall();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_hole_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
