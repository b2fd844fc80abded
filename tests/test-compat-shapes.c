/* test-compat-shapes.c - a module in the shape of Linux's
 * kernel/dma/map_benchmark.c (tests/drivers/map-bench.c, compiled against
 * compat/linux alone) driven as its user-space tool drives it: bound to a
 * device by driver_override, its debugfs file opened, DMA_MAP_BENCHMARK
 * refused for each argument out of range and run with kthreads on the
 * simulated clock, on a device behind the IOMMU and on one without; the
 * device's mask is restored, and unloading leaves nothing behind; and misc
 * devices as Linux's pci_endpoint_test registers them (a name on probe's
 * stack, opened by name, private_data the miscdevice).
 *
 * Built with -Icompat, linked with the compat runtime. */
#define KBUILD_MODNAME "map_bench"
#include "drivers/map-bench.c"

#include <linux/miscdevice.h>

#include <stdlib.h>
#include <string.h>

#include <dmaport/debug.h>
#include <dmaport/linux.h>
#include <dmaport/sim/irq.h>

#include "support/sim-fixture.h"
#include "support/lx-fixture.h"

#define SOC "examples/platforms/soc-noncoherent.dts"

static void load(void)
{
	lx_machine_load(SOC, NULL, DMP_DEBUG_FAIL);
}

static long bench(struct file *f, struct map_benchmark *mb)
{
	return f->f_op->unlocked_ioctl(f, DMA_MAP_BENCHMARK, (unsigned long)mb);
}

static struct map_benchmark valid(void)
{
	return (struct map_benchmark){ .threads = 2, .seconds = 1, .node = NUMA_NO_NODE,
				       .dma_bits = 32, .dma_dir = DMA_MAP_BIDIRECTIONAL,
				       .dma_trans_ns = 1000000, .granule = 4 };
}

static void test_map_benchmark_shape(void **state)
{
	(void)state;
	static const char *const devs[] = { "9100000.dma", "9110000.dma" };
	for (unsigned int k = 0; k < 2; k++) {
		load();
		struct device *d = dmp_lx_find_device(devs[k]);
		assert_non_null(d);
		/* user space: echo dma_map_benchmark > .../driver_override */
		to_platform_device(d)->driver_override = strdup("dma_map_benchmark");
		u64 mask = dma_get_mask(d);
		struct module *m = dmp_lx_module_find("map_bench");
		assert_non_null(m);
		assert_int_equal(dmp_lx_module_load(m), 0);
		assert_int_equal(dmp_lx_bound_count(), 1);
		assert_ptr_equal(d->driver, &map_bench_driver.driver);

		struct file f;
		assert_int_equal(dmp_lx_debugfs_open("dma_map_benchmark", &f), 0);
		/* each argument out of range, refused as Linux refuses it */
		struct map_benchmark bad[7];
		for (unsigned int i = 0; i < 7; i++)
			bad[i] = valid();
		bad[0].threads = 0;
		bad[1].threads = DMA_MAP_MAX_THREADS + 1;
		bad[2].seconds = 0;
		bad[3].dma_trans_ns = DMA_MAP_MAX_TRANS_DELAY + 1;
		bad[4].granule = 0;
		bad[5].dma_dir = 3;
		bad[6].node = 7;
		for (unsigned int i = 0; i < 7; i++)
			assert_int_equal(bench(&f, &bad[i]), -EINVAL);
		struct map_benchmark ok = valid();
		assert_int_equal(f.f_op->unlocked_ioctl(&f, 0x1234, (unsigned long)&ok), -EINVAL);

		/* a run: two kthreads for one simulated second */
		static const u32 dirs[] = { DMA_MAP_BIDIRECTIONAL, DMA_MAP_TO_DEVICE,
					    DMA_MAP_FROM_DEVICE };
		for (unsigned int i = 0; i < 3; i++) {
			struct map_benchmark mb = valid();
			mb.dma_dir = dirs[i];
			s64 before = atomic64_read(&map_bench_total_loops);
			u64 t0 = dmp_sim_now(dmp_sim_current());
			assert_int_equal(bench(&f, &mb), 0);
			assert_true(dmp_sim_now(dmp_sim_current()) - t0 >= 1000000000ull);
			s64 loops = atomic64_read(&map_bench_total_loops) - before;
			/* each loop holds its mapping dma_trans_ns (1 ms): two threads
			 * on one CPU fit about 1000 in a second between them */
			assert_true(loops >= 900);
			assert_true(loops <= 2 * 1000 + 2);
			/* averages in 100 ns units, stddev the square root of a variance */
			assert_true(mb.map_stddev * mb.map_stddev <= 1000000000ull);
			assert_int_equal(dma_get_mask(d), mask);
		}
		assert_int_equal(dmp_lx_file_release(&f), 0);
		assert_int_equal(dmp_lx_module_unload(m), 0);
		assert_int_equal(dmp_lx_bound_count(), 0);
		/* the debugfs file went with the device's devres */
		assert_int_not_equal(dmp_lx_debugfs_open("dma_map_benchmark", &f), 0);
		lx_machine_unload_clean();
	}
}

/* Misc devices, as pci_endpoint_test registers them: the name may be a
 * buffer of probe's stack (Linux's device_create copies it), the file's
 * private_data is the miscdevice, the minor is dynamic. */
static long misc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct miscdevice *m = file->private_data;
	return (long)cmd + (long)arg + m->minor;
}

static const struct file_operations misc_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = misc_ioctl,
};

static void register_with_stack_name(struct miscdevice *m, int id)
{
	char name[20];
	snprintf(name, sizeof(name), "shape-test.%d", id);
	m->minor = MISC_DYNAMIC_MINOR;
	m->name = name;
	m->fops = &misc_fops;
	assert_int_equal(misc_register(m), 0);
	memset(name, 'x', sizeof(name) - 1); /* the buffer dies with the frame */
}

static void test_misc_device(void **state)
{
	(void)state;
	load();
	struct miscdevice a = { 0 }, b = { 0 }, dup = { 0 }, longname = { 0 };
	register_with_stack_name(&a, 0);
	register_with_stack_name(&b, 1);
	assert_true(a.minor >= 64 && b.minor >= 64 && a.minor != b.minor);
	struct file f;
	assert_int_equal(dmp_lx_misc_open("shape-test.1", &f), 0);
	assert_ptr_equal(f.private_data, &b);
	assert_int_equal(f.f_op->unlocked_ioctl(&f, 5, 7), 12 + b.minor);
	dup.minor = MISC_DYNAMIC_MINOR;
	dup.name = "shape-test.0";
	dup.fops = &misc_fops;
	assert_int_equal(misc_register(&dup), -EBUSY);
	longname = dup;
	longname.name = "a-name-longer-than-the-sixty-four-bytes-a-device-name-may-have-here";
	assert_int_equal(misc_register(&longname), -EINVAL);
	misc_deregister(&a);
	assert_int_equal(dmp_lx_misc_open("shape-test.0", &f), -ENODEV);
	assert_int_equal(dmp_lx_misc_open("shape-test.1", &f), 0);
	misc_deregister(&b);
	lx_machine_unload_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_benchmark_shape),
		cmocka_unit_test(test_misc_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
