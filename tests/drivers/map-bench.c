// SPDX-License-Identifier: MIT
/*
 * map-bench.c - a DMA map/unmap benchmark module in the shape of Linux's
 * kernel/dma/map_benchmark.c, written for dmaport's driver-core tests and
 * compiled against compat/linux alone.
 *
 * As in Linux, a platform driver named "dma_map_benchmark" binds to
 * whatever device user space points it at with driver_override, and
 * offers a debugfs file whose DMA_MAP_BENCHMARK ioctl takes a struct
 * map_benchmark (<linux/map_benchmark.h>): that many kthreads map and unmap
 * a buffer of granule pages, each holding the mapping dma_trans_ns as if the
 * device used it, for that many seconds, after which the ioctl reports the
 * mean and standard deviation of map and unmap times in 100 ns units.  The
 * arguments are checked as Linux checks them (-EINVAL), and the device's
 * DMA mask is set from dma_bits for the run and restored after.
 *
 * On the simulator the times are simulated time: CPU work costs none, so
 * the means say what the simulated bus and IOMMU cost, not the host.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/map_benchmark.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

struct map_bench {
	struct map_benchmark bparam;
	struct device *dev;
	struct dentry *debugfs;
	enum dma_data_direction dir;
	atomic64_t sum_map_100ns;
	atomic64_t sum_unmap_100ns;
	atomic64_t sum_sq_map;
	atomic64_t sum_sq_unmap;
	atomic64_t loops;
};

/* Counted for the test that hosts the driver. */
static atomic64_t map_bench_total_loops;

static int map_bench_thread(void *data)
{
	struct map_bench *mb = data;
	size_t size = (size_t)mb->bparam.granule * PAGE_SIZE;
	void *buf;
	int ret = 0;

	buf = (void *)__get_free_pages(GFP_KERNEL, get_order(size));
	if (!buf)
		return -ENOMEM;

	while (!kthread_should_stop()) {
		u64 map_100ns, unmap_100ns, map_sq, unmap_sq;
		ktime_t map_start, map_end, unmap_start, unmap_end;
		ktime_t map_delta, unmap_delta;
		dma_addr_t dma;

		/* a device that reads the buffer sees what the CPU wrote */
		if (mb->dir != DMA_FROM_DEVICE)
			memset(buf, 0x66, size);

		map_start = ktime_get();
		dma = dma_map_single(mb->dev, buf, size, mb->dir);
		if (unlikely(dma_mapping_error(mb->dev, dma))) {
			pr_err("dma_map_single failed on %s\n", dev_name(mb->dev));
			ret = -ENOMEM;
			goto out;
		}
		map_end = ktime_get();
		map_delta = ktime_sub(map_end, map_start);

		/* as if the device used the mapping meanwhile */
		ndelay(mb->bparam.dma_trans_ns);

		unmap_start = ktime_get();
		dma_unmap_single(mb->dev, dma, size, mb->dir);
		unmap_end = ktime_get();
		unmap_delta = ktime_sub(unmap_end, unmap_start);

		map_100ns = div64_ul(ktime_to_ns(map_delta), 100);
		unmap_100ns = div64_ul(ktime_to_ns(unmap_delta), 100);
		map_sq = map_100ns * map_100ns;
		unmap_sq = unmap_100ns * unmap_100ns;

		atomic64_add(map_100ns, &mb->sum_map_100ns);
		atomic64_add(unmap_100ns, &mb->sum_unmap_100ns);
		atomic64_add(map_sq, &mb->sum_sq_map);
		atomic64_add(unmap_sq, &mb->sum_sq_unmap);
		atomic64_inc(&mb->loops);
		cond_resched();
	}
out:
	free_pages((unsigned long)buf, get_order(size));
	return ret;
}

static int map_bench_run(struct map_bench *mb)
{
	struct task_struct **tsk;
	int threads = mb->bparam.threads;
	int ret = 0;
	u64 loops;
	int i;

	tsk = kmalloc_array(threads, sizeof(*tsk), GFP_KERNEL);
	if (!tsk)
		return -ENOMEM;
	get_device(mb->dev);

	for (i = 0; i < threads; i++) {
		tsk[i] = kthread_create_on_node(map_bench_thread, mb, mb->bparam.node,
						"dma-map-bench/%d", i);
		if (IS_ERR(tsk[i])) {
			pr_err("create dma_map thread failed\n");
			ret = PTR_ERR(tsk[i]);
			while (--i >= 0)
				kthread_stop(tsk[i]);
			goto out;
		}
	}

	atomic64_set(&mb->sum_map_100ns, 0);
	atomic64_set(&mb->sum_unmap_100ns, 0);
	atomic64_set(&mb->sum_sq_map, 0);
	atomic64_set(&mb->sum_sq_unmap, 0);
	atomic64_set(&mb->loops, 0);

	for (i = 0; i < threads; i++) {
		get_task_struct(tsk[i]);
		wake_up_process(tsk[i]);
	}

	msleep_interruptible(mb->bparam.seconds * 1000);

	for (i = 0; i < threads; i++) {
		int r = kthread_stop(tsk[i]);

		if (r)
			ret = r;
		put_task_struct(tsk[i]);
	}
	if (ret)
		goto out;

	loops = atomic64_read(&mb->loops);
	if (likely(loops > 0)) {
		u64 map_variance, unmap_variance;
		u64 sum_map = atomic64_read(&mb->sum_map_100ns);
		u64 sum_unmap = atomic64_read(&mb->sum_unmap_100ns);
		u64 sum_sq_map = atomic64_read(&mb->sum_sq_map);
		u64 sum_sq_unmap = atomic64_read(&mb->sum_sq_unmap);

		mb->bparam.avg_map_100ns = div64_u64(sum_map, loops);
		mb->bparam.avg_unmap_100ns = div64_u64(sum_unmap, loops);
		/* E(x^2) - E(x)^2 */
		map_variance = div64_u64(sum_sq_map, loops) -
			       mb->bparam.avg_map_100ns * mb->bparam.avg_map_100ns;
		unmap_variance = div64_u64(sum_sq_unmap, loops) -
				 mb->bparam.avg_unmap_100ns * mb->bparam.avg_unmap_100ns;
		mb->bparam.map_stddev = int_sqrt64(map_variance);
		mb->bparam.unmap_stddev = int_sqrt64(unmap_variance);
	}
	atomic64_add(loops, &map_bench_total_loops);
out:
	put_device(mb->dev);
	kfree(tsk);
	return ret;
}

static long map_bench_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct map_bench *mb = file->private_data;
	void __user *argp = (void __user *)arg;
	u64 old_dma_mask;
	int ret;

	if (copy_from_user(&mb->bparam, argp, sizeof(mb->bparam)))
		return -EFAULT;

	switch (cmd) {
	case DMA_MAP_BENCHMARK:
		if (mb->bparam.threads == 0 || mb->bparam.threads > DMA_MAP_MAX_THREADS) {
			pr_err("invalid thread number\n");
			return -EINVAL;
		}
		if (mb->bparam.seconds == 0 || mb->bparam.seconds > DMA_MAP_MAX_SECONDS) {
			pr_err("invalid duration seconds\n");
			return -EINVAL;
		}
		if (mb->bparam.dma_trans_ns > DMA_MAP_MAX_TRANS_DELAY) {
			pr_err("invalid transmission delay\n");
			return -EINVAL;
		}
		if (mb->bparam.node != NUMA_NO_NODE && mb->bparam.node != 0) {
			pr_err("invalid numa node\n");
			return -EINVAL;
		}
		if (mb->bparam.granule < 1 || mb->bparam.granule > 1024) {
			pr_err("invalid granule size\n");
			return -EINVAL;
		}
		switch (mb->bparam.dma_dir) {
		case DMA_MAP_BIDIRECTIONAL:
			mb->dir = DMA_BIDIRECTIONAL;
			break;
		case DMA_MAP_FROM_DEVICE:
			mb->dir = DMA_FROM_DEVICE;
			break;
		case DMA_MAP_TO_DEVICE:
			mb->dir = DMA_TO_DEVICE;
			break;
		default:
			pr_err("invalid DMA direction\n");
			return -EINVAL;
		}

		old_dma_mask = dma_get_mask(mb->dev);
		ret = dma_set_mask(mb->dev, DMA_BIT_MASK(mb->bparam.dma_bits));
		if (ret) {
			pr_err("failed to set dma_mask on device %s\n", dev_name(mb->dev));
			return -EINVAL;
		}
		ret = map_bench_run(mb);
		/* the device's own mask again, whatever the run did */
		dma_set_mask(mb->dev, old_dma_mask);
		if (ret)
			return ret;
		break;
	default:
		return -EINVAL;
	}

	if (copy_to_user(argp, &mb->bparam, sizeof(mb->bparam)))
		return -EFAULT;
	return 0;
}

static const struct file_operations map_bench_fops = {
	.open = simple_open,
	.unlocked_ioctl = map_bench_ioctl,
};

static void map_bench_debugfs_remove(void *data)
{
	struct map_bench *mb = data;

	debugfs_remove(mb->debugfs);
}

static int map_bench_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct map_bench *mb;
	int ret;

	mb = devm_kzalloc(dev, sizeof(*mb), GFP_KERNEL);
	if (!mb)
		return -ENOMEM;
	mb->dev = dev;

	mb->debugfs = debugfs_create_file("dma_map_benchmark", 0600, NULL, mb, &map_bench_fops);
	if (IS_ERR(mb->debugfs))
		return PTR_ERR(mb->debugfs);
	ret = devm_add_action_or_reset(dev, map_bench_debugfs_remove, mb);
	if (ret)
		dev_err(dev, "can't add debugfs remove action\n");
	return ret;
}

static struct platform_driver map_bench_driver = {
	.driver = {
		.name = "dma_map_benchmark",
	},
	.probe = map_bench_probe,
};
module_platform_driver(map_bench_driver);

MODULE_DESCRIPTION("dma_map benchmark in the shape of kernel/dma/map_benchmark.c");
MODULE_LICENSE("Dual MIT/GPL");
