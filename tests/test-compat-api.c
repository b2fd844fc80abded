/* test-compat-api.c - every function and macro of the Linux-compat headers
 * (compat/linux/), used the way Linux code uses them, each asserting what
 * it does: values and types, addresses of simulated memory, what a
 * simulated device sees through each mapping, the barrier and MMIO events
 * the accessors cause, the messages printed, the errors returned; the IOMMU
 * API on the simulated IOMMU.
 *
 * Built with -Icompat (see compat/README.md). */
#if !__has_include(<linux/dmapool.h>)
/* Built without -Icompat (the Makefile rule for test-compat-* is missing):
 * fail loudly at run time rather than break the build of every test. */
#include <stdio.h>
int main(void);
int main(void)
{
	fprintf(stderr, "%s: built without -Icompat: add\n"
		"  $(BUILD)/obj/tests/test-compat-%%.o: CFLAGS_COMMON += -Icompat\n"
		"to the Makefile\n", __FILE__);
	return 1;
}
#else
#define DEBUG /* dev_dbg and pr_debug print, as in a Linux build with DEBUG */
#define pr_fmt(fmt) "compat-test: " fmt

#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/cma.h>
#include <linux/byteorder/generic.h>
#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/platform_device.h>
#include <linux/printk.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmaport/iommu-driver.h>
#include <dmaport/sim/iommu-driver.h>

#include "support/sim-fixture.h"

#define CE_BASE 0x10000000ull
#define REC_BASE 0x20000000ull

#define SAME_TYPE(a, b) _Generic((a), __typeof__(b): 1, default: 0)

/* ---- a machine with a DMA device (the copy engine: we act as it) -------- */

struct rig {
	struct dmp_sim *sim;
	struct dmp_sim_device *hw;
	struct device dev;
};

static void rig_up(struct rig *r, bool coherent)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.trace = true;
	r->sim = fixture_sim(&cfg);
	struct dmp_sim_device_config dc = { .name = "ce0", .port_bits = 64, .coherent = coherent,
					    .mmio_base = CE_BASE };
	assert_int_equal(dmp_sim_copy_engine_create(r->sim, &dc, &r->hw), 0);
	memset(&r->dev, 0, sizeof(r->dev));
	assert_int_equal(dmp_device_init(&r->dev.dmp, "ce0"), 0);
	dmp_device_set_coherent(&r->dev.dmp, coherent);
	r->dev.dmp.hw = r->hw;
	assert_int_equal(dma_set_mask_and_coherent(&r->dev, DMA_BIT_MASK(64)), 0);
}

static void rig_down(struct rig *r)
{
	dmp_device_remove(&r->dev.dmp);
	dmp_sim_destroy(r->sim);
}

static void fill(void *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		((u8 *)p)[i] = (u8)(i * 31 + seed);
}

/* What the device reads at @dma equals @expect. */
static bool dev_sees(struct rig *r, dma_addr_t dma, const void *expect, size_t n)
{
	u8 *tmp = malloc(n);
	assert_non_null(tmp);
	assert_int_equal(dmp_sim_dma_read(r->hw, dma, tmp, n), 0);
	bool same = memcmp(tmp, expect, n) == 0;
	free(tmp);
	return same;
}

/* ---- types, compiler, bits, minmax, limits, sizes, kernel.h ------------- */

struct packed_s {
	u8 a;
	u32 b;
} __packed;

static __always_inline int always_inl(int x) { return x + 1; }
static noinline int never_inl(int x) { return x + 2; }
static __must_check int must_check_fn(void) { return 7; }

struct holder {
	int a;
	long member;
};

static void test_types_and_kernel_h(void **state)
{
	(void)state;
	assert_int_equal(sizeof(u8) + sizeof(s8) + sizeof(__u8) + sizeof(__s8), 4);
	assert_int_equal(sizeof(u16) + sizeof(s16) + sizeof(__u16) + sizeof(__s16), 8);
	assert_int_equal(sizeof(u32) + sizeof(s32) + sizeof(__u32) + sizeof(__s32), 16);
	assert_int_equal(sizeof(u64) + sizeof(s64) + sizeof(__u64) + sizeof(__s64), 32);
	assert_true(SAME_TYPE((u64)0, 0ULL) && SAME_TYPE((s64)0, 0LL)); /* "%llx" prints u64 */
	assert_true((s8)-1 < 0 && (u8)-1 == 255 && (s16)-1 < 0 && (s32)-1 < 0 && (s64)-1 < 0);
	typedef u16 __bitwise my_le16;
	assert_int_equal(sizeof(my_le16), 2);
	assert_int_equal(sizeof(__le16) + sizeof(__be16), 4);
	assert_int_equal(sizeof(__le32) + sizeof(__be32), 8);
	assert_int_equal(sizeof(__le64) + sizeof(__be64), 16);
	assert_true(SAME_TYPE((dma_addr_t)0, (dmp_addr_t)0));
	assert_true(SAME_TYPE((phys_addr_t)0, (dmp_phys_t)0));
	assert_true(SAME_TYPE((resource_size_t)0, (phys_addr_t)0));
	assert_true(SAME_TYPE((gfp_t)0, (dmp_gfp_t)0));

	/* compiler.h */
	int v = 3;
	assert_true(likely(v == 3));
	assert_false(unlikely(v == 4));
	void __iomem *io = (void __force *)&v;
	assert_ptr_equal(io, &v);
	__maybe_unused int unused_ok = 0;
	assert_int_equal(sizeof(struct packed_s), 5);
	struct { char c; int x __aligned(64); } al;
	assert_int_equal((uintptr_t)&al.x % 64, 0);
	assert_int_equal(always_inl(1) + never_inl(1) + must_check_fn(), 2 + 3 + 7);
	WRITE_ONCE(v, 9);
	barrier();
	assert_int_equal(READ_ONCE(v), 9);

	/* bits.h */
	assert_int_equal(BITS_PER_LONG, 8 * sizeof(long));
	assert_int_equal(BITS_PER_LONG_LONG, 64);
	assert_true(BIT(0) == 1 && BIT(31) == 0x80000000UL && SAME_TYPE(BIT(1), 1UL));
	assert_true(BIT_ULL(63) == 0x8000000000000000ULL && SAME_TYPE(BIT_ULL(1), 1ULL));
	assert_true(GENMASK(7, 4) == 0xf0 && GENMASK(BITS_PER_LONG - 1, 0) == ~0UL);
	assert_true(GENMASK_ULL(63, 32) == 0xffffffff00000000ULL && GENMASK_ULL(0, 0) == 1);

	/* minmax.h: each argument evaluated once */
	int i = 0;
	assert_int_equal(min(i++, 10), 0);
	assert_int_equal(i, 1);
	assert_int_equal(max(i++, -5), 1);
	assert_int_equal(i, 2);
	assert_int_equal(min_t(u8, 300, 50), 44); /* 300 as u8 */
	assert_int_equal(max_t(int, -1, (u8)2), 2);
	assert_int_equal(clamp(15, 0, 10), 10);
	assert_int_equal(clamp(-3, 0, 10), 0);
	assert_int_equal(clamp(4, 0, 10), 4);
	assert_int_equal(clamp_t(int, 300u, 0, 255), 255);

	/* limits.h */
	assert_true(U8_MAX == 255 && S8_MAX == 127 && S8_MIN == -128);
	assert_true(U16_MAX == 65535 && S16_MAX == 32767 && S16_MIN == -32768);
	assert_true(U32_MAX == 0xffffffffu && S32_MAX == 0x7fffffff && S32_MIN == INT32_MIN);
	assert_true(U64_MAX == ~0ULL && S64_MAX == INT64_MAX && S64_MIN == INT64_MIN);

	/* sizes.h */
	assert_true(SZ_1K == 1024 && SZ_2K == 2048 && SZ_4K == 4096 && SZ_8K == 8192);
	assert_true(SZ_16K == 16384 && SZ_32K == 32768 && SZ_64K == 65536 && SZ_128K == 131072);
	assert_true(SZ_256K == 262144 && SZ_512K == 524288 && SZ_1M == 1048576);
	assert_true(SZ_2M == 2 * SZ_1M && SZ_4M == 4 * SZ_1M && SZ_1G == 1024 * SZ_1M);
	assert_true(SZ_4G == 4ULL * SZ_1G);

	/* kernel.h */
	int arr[7];
	assert_int_equal(ARRAY_SIZE(arr), 7);
	assert_int_equal(ALIGN(13, 8), 16);
	assert_int_equal(ALIGN(16, 8), 16);
	assert_int_equal(ALIGN_DOWN(13, 8), 8);
	assert_true(IS_ALIGNED(64, 32) && !IS_ALIGNED(65, 32));
	char *p = (char *)0x1001;
	assert_ptr_equal(PTR_ALIGN(p, 16), (char *)0x1010);
	assert_int_equal(DIV_ROUND_UP(10, 4), 3);
	assert_int_equal(DIV_ROUND_UP(8, 4), 2);
	assert_int_equal(round_up(17, 16), 32);
	assert_int_equal(round_up(32, 16), 32);
	assert_int_equal(round_down(31, 16), 16);
	struct holder h;
	assert_ptr_equal(container_of(&h.member, struct holder, member), &h);
	u64 x = 0x123456789abcdef0ULL;
	assert_int_equal(upper_32_bits(x), 0x12345678);
	assert_int_equal(lower_32_bits(x), 0x9abcdef0);
	assert_int_equal(upper_32_bits((u32)5), 0); /* no shift by 32 of a 32-bit value */
	assert_true(is_power_of_2(1) && is_power_of_2(4096) && !is_power_of_2(0) && !is_power_of_2(12));
	BUILD_BUG_ON(sizeof(u32) != 4);
}

/* ---- byte order ---------------------------------------------------------- */

static void test_byteorder(void **state)
{
	(void)state;
	u8 b[8];
	__le16 l16 = cpu_to_le16(0x1234);
	memcpy(b, &l16, 2);
	assert_true(b[0] == 0x34 && b[1] == 0x12);
	__le32 l32 = cpu_to_le32(0x12345678);
	memcpy(b, &l32, 4);
	assert_true(b[0] == 0x78 && b[3] == 0x12);
	__le64 l64 = cpu_to_le64(0x0102030405060708ULL);
	memcpy(b, &l64, 8);
	assert_true(b[0] == 0x08 && b[7] == 0x01);
	__be16 b16 = cpu_to_be16(0x1234);
	memcpy(b, &b16, 2);
	assert_true(b[0] == 0x12 && b[1] == 0x34);
	__be32 b32 = cpu_to_be32(0x12345678);
	memcpy(b, &b32, 4);
	assert_true(b[0] == 0x12 && b[3] == 0x78);
	__be64 b64 = cpu_to_be64(0x0102030405060708ULL);
	memcpy(b, &b64, 8);
	assert_true(b[0] == 0x01 && b[7] == 0x08);
	assert_int_equal(le16_to_cpu(l16), 0x1234);
	assert_int_equal(le32_to_cpu(l32), 0x12345678);
	assert_true(le64_to_cpu(l64) == 0x0102030405060708ULL);
	assert_int_equal(be16_to_cpu(b16), 0x1234);
	assert_int_equal(be32_to_cpu(b32), 0x12345678);
	assert_true(be64_to_cpu(b64) == 0x0102030405060708ULL);
}

/* ---- err.h, errno.h ------------------------------------------------------- */

static void *lookup(int fail)
{
	static int object;
	return fail ? ERR_PTR(-ENODEV) : &object;
}

static void test_err(void **state)
{
	(void)state;
	void *e = lookup(1), *ok = lookup(0);
	assert_true(IS_ERR(e) && !IS_ERR(ok) && !IS_ERR(NULL));
	assert_int_equal(PTR_ERR(e), -ENODEV);
	assert_true(IS_ERR_OR_NULL(e) && IS_ERR_OR_NULL(NULL) && !IS_ERR_OR_NULL(ok));
	assert_int_equal(PTR_ERR_OR_ZERO(e), -ENODEV);
	assert_int_equal(PTR_ERR_OR_ZERO(ok), 0);
	struct page *pe = ERR_CAST(e);
	assert_int_equal(PTR_ERR(pe), -ENODEV);
	assert_int_equal(MAX_ERRNO, 4095);
	assert_true(IS_ERR_VALUE((unsigned long)-1) && IS_ERR_VALUE((unsigned long)-MAX_ERRNO));
	assert_false(IS_ERR_VALUE((unsigned long)-MAX_ERRNO - 1));
	assert_true(IS_ERR(ERR_PTR(-MAX_ERRNO)) && !IS_ERR(ERR_PTR(-MAX_ERRNO - 1)));
	assert_int_equal(EPROBE_DEFER, 517);
	assert_int_equal(ENOTSUPP, 524);
	assert_true(ENOMEM > 0 && EIO > 0 && EINVAL > 0 && ENODEV > 0 && EAGAIN > 0);
}

/* ---- printk, dev_*, WARN, BUG -------------------------------------------- */

static struct device *test_dev(struct device *d, const char *name)
{
	memset(d, 0, sizeof(*d));
	assert_int_equal(dmp_device_init(&d->dmp, name), 0);
	return d;
}

static void test_printk_and_dev_printk(void **state)
{
	(void)state;
	struct device d;
	test_dev(&d, "mydev0");
	fixture_log_start();
	assert_int_equal(printk(KERN_ERR "raw %d\n", 1), 6);
	assert_true(fixture_log_has("raw 1", NULL));
	assert_false(fixture_log_has("\001", NULL));
	printk("no level\n");
	assert_true(fixture_log_has("no level", NULL));
	pr_emerg("emerg %s", "a");
	pr_alert("alert");
	pr_crit("crit");
	pr_err("err %d", 2);
	pr_warn("warn");
	pr_notice("notice");
	pr_info("info");
	pr_debug("debug");
	const char *levels[] = { KERN_EMERG, KERN_ALERT, KERN_CRIT, KERN_ERR, KERN_WARNING,
				 KERN_NOTICE, KERN_INFO, KERN_DEBUG };
	for (int i = 0; i < 8; i++)
		assert_true(levels[i][0] == KERN_SOH[0] && levels[i][1] == '0' + i);
	assert_true(fixture_log_has("compat-test: emerg a", NULL)); /* pr_fmt applied */
	assert_true(fixture_log_has("compat-test: err 2", NULL));
	assert_true(fixture_log_has("compat-test: debug", NULL));
	assert_int_equal(fixture_log_count(), 10);
	assert_int_equal(no_printk("never %d", 1), 0);
	assert_int_equal(fixture_log_count(), 10);

	assert_string_equal(dev_fmt("as is"), "as is");
	dev_err(&d, "failed: %d\n", -5);
	assert_true(fixture_log_has("mydev0: failed: -5", NULL));
	dev_emerg(&d, "e");
	dev_crit(&d, "c");
	dev_warn(&d, "w");
	dev_notice(&d, "n");
	dev_info(&d, "i");
	dev_dbg(&d, "dbg %s", "x");
	dev_printk(KERN_INFO, &d, "p\n");
	assert_true(fixture_log_has("mydev0: e", NULL) && fixture_log_has("mydev0: c", NULL));
	assert_true(fixture_log_has("mydev0: w", NULL) && fixture_log_has("mydev0: n", NULL));
	assert_true(fixture_log_has("mydev0: i", NULL) && fixture_log_has("mydev0: dbg x", NULL));
	assert_true(fixture_log_has("mydev0: p", NULL));
	assert_int_equal(fixture_log_count(), 18);
	fixture_log_stop();
	dmp_device_remove(&d.dmp);
}

static int warn_site(int cond)
{
	return WARN_ON_ONCE(cond);
}

static void bug_on_child(int cond)
{
	BUG_ON(cond);
}

static void test_warn_bug(void **state)
{
	(void)state;
	fixture_log_start();
	assert_int_equal(WARN_ON(0), 0);
	assert_int_equal(fixture_log_count(), 0);
	assert_int_equal(WARN_ON(1 + 1 == 2), 1);
	assert_true(fixture_log_has("WARNING: ", "test-compat-api.c:", "1 + 1 == 2", NULL));
	assert_int_equal(WARN(3 > 2, "custom %d", 42), 1);
	assert_true(fixture_log_has("WARNING: ", "custom 42", NULL));
	assert_int_equal(fixture_log_count(), 2);
	/* _ONCE: true every time, printed once per call site */
	assert_int_equal(warn_site(1), 1);
	assert_int_equal(warn_site(1), 1);
	assert_int_equal(warn_site(0), 0);
	assert_int_equal(fixture_log_count(), 3);
	for (int k = 0; k < 3; k++)
		assert_int_equal(WARN_ONCE(true, "once %d", k), 1);
	assert_int_equal(fixture_log_count(), 4);
	assert_true(fixture_log_has("once 0", NULL));
	fixture_log_stop();

	/* BUG_ON(false) returns; BUG_ON(true) and BUG() stop the program */
	bug_on_child(0);
	for (int which = 0; which < 2; which++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			dmp_set_log_hook(NULL, NULL);
			close(2); /* keep the console clean */
			if (which == 0)
				bug_on_child(1);
			else
				BUG();
			_exit(0);
		}
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	}
}

/* ---- struct device, platform device, resources -------------------------- */

static int fake_probe(struct platform_device *pdev)
{
	platform_set_drvdata(pdev, pdev);
	return 0;
}

static void fake_remove(struct platform_device *pdev)
{
	platform_set_drvdata(pdev, NULL);
}

static void test_device_and_platform(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	struct device d;
	test_dev(&d, "dev-a");
	assert_ptr_equal(dmp__lx_dev(&d), &d.dmp);
	assert_null(dmp__lx_dev(NULL));
	assert_string_equal(dev_name(&d), "dev-a");
	/* Linux's members are the dmaport device's */
	assert_ptr_equal(d.dma_mask, d.dmp.dma_mask);
	assert_true(*d.dma_mask == DMA_BIT_MASK(32) && d.coherent_dma_mask == DMA_BIT_MASK(32));
	d.coherent_dma_mask = DMA_BIT_MASK(40);
	assert_true(d.dmp.coherent_dma_mask == DMA_BIT_MASK(40));
	assert_int_equal(dma_set_mask(&d, DMA_BIT_MASK(36)), 0);
	assert_true(*d.dma_mask == DMA_BIT_MASK(36));
	d.bus_dma_limit = 0xffffffffff;
	assert_true(d.dmp.bus_dma_limit == 0xffffffffff);
	d.bus_dma_limit = 0;
	assert_false(d.dma_coherent);
	dmp_device_set_coherent(&d.dmp, true);
	assert_true(d.dma_coherent && dev_is_dma_coherent(&d));
	d.dma_coherent = false;
	assert_false(dev_is_dma_coherent(&d));
	/* dma_mask pointer semantics: Linux's idiom, and no mask means no DMA */
	d.dma_mask = &d.coherent_dma_mask;
	assert_int_equal(dma_set_mask(&d, DMA_BIT_MASK(32)), 0);
	assert_true(d.coherent_dma_mask == DMA_BIT_MASK(32));
	d.dma_mask = NULL;
	assert_int_equal(dma_set_mask(&d, DMA_BIT_MASK(32)), -EIO);
	assert_int_equal(dma_set_mask_and_coherent(&d, DMA_BIT_MASK(32)), -EIO);
	d.dma_mask = (u64 *)&d.dmp.dma_mask_storage; /* u64 is unsigned long long, as Linux */
	int data;
	dev_set_drvdata(&d, &data);
	assert_ptr_equal(dev_get_drvdata(&d), &data);
	assert_ptr_equal(d.driver_data, &data);
	d.parent = NULL;

	struct resource res[3] = {
		{ .start = 0x1000, .end = 0x1fff, .flags = IORESOURCE_MEM, .name = "a" },
		{ .start = 5, .end = 5, .flags = IORESOURCE_IRQ },
		{ .start = 0x3000, .end = 0x30ff, .flags = IORESOURCE_MEM, .name = "b" },
	};
	assert_int_equal(resource_size(&res[0]), 0x1000);
	assert_int_equal(resource_size(&res[1]), 1);
	assert_int_equal(IORESOURCE_IO & (IORESOURCE_MEM | IORESOURCE_IRQ), 0);
	struct platform_device pdev = { .name = "p", .id = 0, .num_resources = 3, .resource = res };
	test_dev(&pdev.dev, "p.0");
	assert_ptr_equal(platform_get_resource(&pdev, IORESOURCE_MEM, 0), &res[0]);
	assert_ptr_equal(platform_get_resource(&pdev, IORESOURCE_MEM, 1), &res[2]);
	assert_null(platform_get_resource(&pdev, IORESOURCE_MEM, 2));
	assert_ptr_equal(platform_get_resource(&pdev, IORESOURCE_IRQ, 0), &res[1]);
	assert_null(platform_get_resource(&pdev, IORESOURCE_IO, 0));
	assert_ptr_equal(to_platform_device(&pdev.dev), &pdev);
	struct platform_driver drv = { .probe = fake_probe, .remove = fake_remove,
				       .driver = { .name = "fake" } };
	assert_int_equal(drv.probe(&pdev), 0);
	assert_ptr_equal(platform_get_drvdata(&pdev), &pdev);
	drv.remove(&pdev);
	assert_null(platform_get_drvdata(&pdev));
	assert_string_equal(drv.driver.name, "fake");
	struct device_driver *dd = &drv.driver;
	assert_ptr_equal(container_of(dd, struct platform_driver, driver), &drv);
	dmp_device_remove(&pdev.dev.dmp);
	dmp_device_remove(&d.dmp);
	dmp_sim_destroy(sim);
}

/* ---- pages, kmalloc, strings --------------------------------------------- */

static void test_pages_slab_string(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	size_t free0 = dmp_page_free_count();
	assert_int_equal(PAGE_SIZE, 4096);
	assert_int_equal(PAGE_SHIFT, 12);
	assert_true(PAGE_MASK == ~(unsigned long)4095);
	assert_int_equal(PAGE_ALIGN(1), 4096);
	assert_int_equal(PAGE_ALIGN(8192), 8192);
	assert_int_equal(offset_in_page((void *)0x12345), 0x345);
	assert_int_equal(get_order(1), 0);
	assert_int_equal(get_order(4096), 0);
	assert_int_equal(get_order(4097), 1);
	assert_int_equal(get_order(SZ_1M), 8);

	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	assert_non_null(pg);
	assert_int_equal(dmp_page_free_count(), free0 - 4);
	u8 *va = page_address(pg);
	for (int i = 0; i < 4 * 4096; i++)
		assert_int_equal(va[i], 0);
	phys_addr_t pa = page_to_phys(pg);
	assert_int_equal(pa % (4 * 4096), 0); /* aligned to its size */
	assert_ptr_equal(phys_to_virt(pa), va);
	assert_true(virt_to_phys(va + 100) == pa + 100);
	assert_ptr_equal(virt_to_page(va + 4096 + 5), pfn_to_page(page_to_pfn(pg) + 1));
	assert_true(page_to_pfn(pg) == pa >> PAGE_SHIFT);
	assert_ptr_equal(pfn_to_page(page_to_pfn(pg)), pg);
	assert_ptr_equal(dmp__lx_dmp_page(pg), dmp_phys_to_page(pa));
	assert_ptr_equal(dmp__lx_page_of(dmp_phys_to_page(pa)), pg);
	assert_true(virt_addr_valid(va));
	int on_stack;
	assert_false(virt_addr_valid(&on_stack));
	fixture_log_start();
	assert_true(virt_to_phys(&on_stack) == ~(phys_addr_t)0);
	assert_true(fixture_log_has("WARNING: ", "test-compat-api.c:", "not platform memory", NULL));
	fixture_log_stop();
	assert_null(phys_to_virt(0x10)); /* not memory */
	__free_pages(pg, 2);
	assert_int_equal(dmp_page_free_count(), free0);

	struct page *one = alloc_page(GFP_KERNEL | GFP_DMA32);
	assert_non_null(one);
	assert_true(page_to_phys(one) + PAGE_SIZE - 1 <= 0xffffffffu); /* GFP_DMA32 honoured */
	__free_page(one);
	unsigned long addr = __get_free_pages(GFP_ATOMIC, 1);
	assert_true(addr != 0 && virt_addr_valid((void *)addr));
	assert_int_equal(dmp_page_free_count(), free0 - 2);
	free_pages(addr, 1);
	addr = __get_free_page(GFP_NOWAIT | __GFP_NOWARN);
	assert_true(addr != 0);
	free_page(addr);
	addr = get_zeroed_page(GFP_KERNEL);
	assert_true(addr != 0 && ((u8 *)addr)[4095] == 0 && ((u8 *)addr)[0] == 0);
	free_page(addr);
	free_pages(0, 3); /* ignored */
	assert_int_equal(dmp_page_free_count(), free0);
	dmp_fail_nth(DMP_FAIL_PAGE, 1);
	assert_null(alloc_pages(GFP_KERNEL, 0));
	dmp_fail_nth(DMP_FAIL_PAGE, 1);
	assert_int_equal(__get_free_pages(GFP_KERNEL, 0), 0);
	assert_null(alloc_pages(GFP_KERNEL, DMP_PAGE_ORDER_MAX + 1));
	/* the flags are dmaport's */
	assert_true(GFP_KERNEL == DMP_GFP_KERNEL && GFP_ATOMIC == DMP_GFP_ATOMIC);
	assert_true(GFP_NOWAIT == DMP_GFP_ATOMIC && __GFP_ZERO == DMP_GFP_ZERO);
	assert_true(__GFP_NOWARN == DMP_GFP_NOWARN && GFP_DMA32 == DMP_GFP_DMA32 &&
		    __GFP_DMA32 == GFP_DMA32);

	/* slab.h: DMA-able, aligned to ARCH_DMA_MINALIGN */
	assert_int_equal(ARCH_DMA_MINALIGN, DMP_KMALLOC_MINALIGN);
	assert_int_equal(ARCH_KMALLOC_MINALIGN, DMP_KMALLOC_MINALIGN);
	u8 *k = kmalloc(100, GFP_KERNEL);
	assert_non_null(k);
	assert_true(dmp_is_dma_memory(k, 100) && IS_ALIGNED((uintptr_t)k, ARCH_DMA_MINALIGN));
	assert_true(ksize(k) >= 100);
	memset(k, 0xff, ksize(k));
	kfree(k);
	u32 *z = kzalloc(256, GFP_KERNEL);
	for (int i = 0; i < 64; i++)
		assert_int_equal(z[i], 0);
	kfree(z);
	u64 *c = kcalloc(10, sizeof(u64), GFP_KERNEL);
	assert_non_null(c);
	for (int i = 0; i < 10; i++)
		assert_true(c[i] == 0);
	kfree(c);
	assert_null(kcalloc(SIZE_MAX / 2, 4, GFP_KERNEL)); /* n * size overflows */
	assert_null(kmalloc_array(SIZE_MAX / 8 + 1, 8, GFP_KERNEL));
	u16 *a = kmalloc_array(8, sizeof(u16), GFP_KERNEL);
	assert_true(a && ksize(a) >= 16);
	kfree(a);
	kfree(NULL);
	dmp_fail_nth(DMP_FAIL_HEAP, 1);
	assert_null(kmalloc(10, GFP_KERNEL));

	/* string.h */
	char *s = kstrdup("hello", GFP_KERNEL);
	assert_string_equal(s, "hello");
	assert_true(dmp_is_dma_memory(s, 6));
	kfree(s);
	assert_null(kstrdup(NULL, GFP_KERNEL));
	int src[4] = { 1, 2, 3, 4 };
	int *dup = kmemdup(src, sizeof(src), GFP_KERNEL);
	assert_memory_equal(dup, src, sizeof(src));
	assert_true(dmp_is_dma_memory(dup, sizeof(src)));
	kfree(dup);
	char buf[6];
	assert_int_equal(strscpy(buf, "abc", sizeof(buf)), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(strscpy(buf, "abcdefgh", sizeof(buf)), -E2BIG);
	assert_string_equal(buf, "abcde");
	assert_int_equal(strscpy(buf, "abcdef", 0), -E2BIG);
	assert_int_equal(strlen("x"), 1); /* libc's string.h is there too */
	assert_int_equal(dmp_page_free_count() <= free0, 1);
	dmp_sim_destroy(sim);
}

/* ---- MMIO and barriers ----------------------------------------------------- */

struct recorder {
	u64 off, val;
	unsigned width;
};

static uint64_t rec_read(struct dmp_sim_device *sd, uint64_t off, unsigned width)
{
	(void)sd;
	return 0x1122334455667788ull >> (8 * (8 - width)) ^ off;
}

static void rec_write(struct dmp_sim_device *sd, uint64_t off, unsigned width, uint64_t val)
{
	struct recorder *r = dmp_sim_device_priv(sd);
	r->off = off;
	r->width = width;
	r->val = val;
}

static const struct dmp_sim_device_ops rec_ops = { .mmio_read = rec_read, .mmio_write = rec_write };

/* The trace since the last call, as "name name ..." (barriers by their name). */
static const char *events(struct dmp_sim *sim)
{
	static char out[256];
	out[0] = '\0';
	for (size_t i = 0; i < dmp_sim_trace_count(sim); i++) {
		const struct dmp_sim_event *ev = dmp_sim_trace_get(sim, i);
		const char *name = ev->kind == DMP_EV_BARRIER ? ev->text
							      : dmp_sim_event_kind_name(ev->kind);
		if (ev->kind == DMP_EV_NOTE)
			continue;
		strcat(out, out[0] ? " " : "");
		strcat(out, name);
	}
	dmp_sim_trace_clear(sim);
	return out;
}

static u64 expect_read(u64 off, unsigned width)
{
	return (0x1122334455667788ull >> (8 * (8 - width))) ^ off;
}

static void test_io(void **state)
{
	(void)state;
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.trace = true;
	struct dmp_sim *sim = fixture_sim(&cfg);
	struct recorder rec = { 0 };
	struct dmp_sim_device *sd;
	struct dmp_sim_device_config dc = { .name = "rec", .port_bits = 64, .mmio_base = REC_BASE,
					    .mmio_size = 0x1000, .ops = &rec_ops, .priv = &rec };
	assert_int_equal(dmp_sim_device_create(sim, &dc, &sd), 0);
	assert_null(ioremap(0x30000000, 0x100)); /* nothing there */
	void __iomem *regs = ioremap(REC_BASE, 0x1000);
	assert_non_null(regs);
	dmp_sim_trace_clear(sim);

	/* reads: value and width reach the device; non-relaxed reads then order DMA reads */
	assert_int_equal(readb(regs + 0x10), (u8)expect_read(0x10, 1));
	assert_string_equal(events(sim), "mmio-read dma_rmb");
	assert_int_equal(readw(regs + 0x12), (u16)expect_read(0x12, 2));
	assert_int_equal(readl(regs + 0x14), (u32)expect_read(0x14, 4));
	assert_true(readq(regs + 0x18) == expect_read(0x18, 8));
	assert_string_equal(events(sim), "mmio-read dma_rmb mmio-read dma_rmb mmio-read dma_rmb");
	assert_int_equal(readb_relaxed(regs + 1), (u8)expect_read(1, 1));
	assert_int_equal(readw_relaxed(regs + 2), (u16)expect_read(2, 2));
	assert_int_equal(readl_relaxed(regs + 4), (u32)expect_read(4, 4));
	assert_true(readq_relaxed(regs + 8) == expect_read(8, 8));
	assert_string_equal(events(sim), "mmio-read mmio-read mmio-read mmio-read");
	assert_int_equal(ioread8(regs + 0x20), (u8)expect_read(0x20, 1));
	assert_int_equal(ioread16(regs + 0x22), (u16)expect_read(0x22, 2));
	assert_int_equal(ioread32(regs + 0x24), (u32)expect_read(0x24, 4));
	assert_string_equal(events(sim), "mmio-read dma_rmb mmio-read dma_rmb mmio-read dma_rmb");

	/* writes: non-relaxed writes are ordered after DMA-memory stores (dma_wmb first) */
#define CHECK_WRITE(stmt, o, w, v, evs)                                                   \
	do {                                                                              \
		stmt;                                                                     \
		assert_true(rec.off == (o) && rec.width == (w) && rec.val == (v));        \
		assert_string_equal(events(sim), evs);                                    \
	} while (0)
	CHECK_WRITE(writeb(0xab, regs + 0x30), 0x30, 1, 0xab, "dma_wmb mmio-write");
	CHECK_WRITE(writew(0xabcd, regs + 0x32), 0x32, 2, 0xabcd, "dma_wmb mmio-write");
	CHECK_WRITE(writel(0xdeadbeef, regs + 0x34), 0x34, 4, 0xdeadbeef, "dma_wmb mmio-write");
	CHECK_WRITE(writeq(0x0102030405060708ull, regs + 0x38), 0x38, 8, 0x0102030405060708ull,
		    "dma_wmb mmio-write");
	CHECK_WRITE(writeb_relaxed(1, regs + 0x40), 0x40, 1, 1, "mmio-write");
	CHECK_WRITE(writew_relaxed(2, regs + 0x42), 0x42, 2, 2, "mmio-write");
	CHECK_WRITE(writel_relaxed(3, regs + 0x44), 0x44, 4, 3, "mmio-write");
	CHECK_WRITE(writeq_relaxed(4, regs + 0x48), 0x48, 8, 4, "mmio-write");
	CHECK_WRITE(iowrite8(5, regs + 0x50), 0x50, 1, 5, "dma_wmb mmio-write");
	CHECK_WRITE(iowrite16(6, regs + 0x52), 0x52, 2, 6, "dma_wmb mmio-write");
	CHECK_WRITE(iowrite32(7, regs + 0x54), 0x54, 4, 7, "dma_wmb mmio-write");

	mb();
	rmb();
	wmb();
	dma_rmb();
	dma_wmb();
	assert_string_equal(events(sim), "mb rmb wmb dma_rmb dma_wmb");
	iounmap(regs);
	dmp_sim_destroy(sim);
}

/* ---- DMA API: directions, attributes, masks, parameters ------------------- */

static void test_dma_constants_and_masks(void **state)
{
	(void)state;
	/* Linux's values */
	assert_true(DMA_BIDIRECTIONAL == 0 && DMA_TO_DEVICE == 1 && DMA_FROM_DEVICE == 2 &&
		    DMA_NONE == 3);
	enum dma_data_direction dir = DMA_FROM_DEVICE;
	assert_true(valid_dma_direction(dir) && !valid_dma_direction(DMA_NONE));
	assert_true(DMA_ATTR_WEAK_ORDERING == 1UL << 1 && DMA_ATTR_WRITE_COMBINE == 1UL << 2);
	assert_true(DMA_ATTR_NO_KERNEL_MAPPING == 1UL << 4 && DMA_ATTR_SKIP_CPU_SYNC == 1UL << 5);
	assert_true(DMA_ATTR_FORCE_CONTIGUOUS == 1UL << 6 && DMA_ATTR_ALLOC_SINGLE_PAGES == 1UL << 7);
	assert_true(DMA_ATTR_NO_WARN == 1UL << 8 && DMA_ATTR_PRIVILEGED == 1UL << 9);
	assert_true(DMA_ATTR_MMIO == 1UL << 10 && DMA_ATTR_DEBUGGING_IGNORE_CACHELINES == 1UL << 11 &&
		    DMA_ATTR_REQUIRE_COHERENT == 1UL << 12);
	assert_true(DMA_MAPPING_ERROR == ~(dma_addr_t)0);
	assert_true(DMA_BIT_MASK(32) == 0xffffffffULL && DMA_BIT_MASK(64) == ~0ULL);

	struct rig r;
	rig_up(&r, false);
	struct device *dev = &r.dev;
	/* masks: the default machine's memory is at 2 GiB and 4 GiB */
	assert_int_equal(dma_set_mask(dev, DMA_BIT_MASK(24)), -EIO);
	assert_int_equal(dma_set_coherent_mask(dev, DMA_BIT_MASK(24)), -EIO);
	assert_true(dma_get_mask(dev) == DMA_BIT_MASK(64)); /* unchanged on failure */
	assert_false(dma_addressing_limited(dev));
	assert_int_equal(dma_set_mask(dev, DMA_BIT_MASK(32)), 0);
	assert_true(dma_get_mask(dev) == DMA_BIT_MASK(32) && *dev->dma_mask == DMA_BIT_MASK(32));
	assert_true(dma_addressing_limited(dev)); /* the 4 GiB region is out of reach */
	assert_int_equal(dma_set_coherent_mask(dev, DMA_BIT_MASK(33)), 0);
	assert_true(dev->coherent_dma_mask == DMA_BIT_MASK(33));
	assert_int_equal(dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	assert_true(dev->coherent_dma_mask == DMA_BIT_MASK(64) && dma_get_mask(dev) == ~0ULL);

	assert_true(dma_max_mapping_size(dev) == dmp_max_mapping_size(&dev->dmp));
	assert_true(dma_max_mapping_size(dev) > 0);
	assert_true(dma_opt_mapping_size(dev) == dmp_opt_mapping_size(&dev->dmp));
	assert_true(dma_opt_mapping_size(dev) <= dma_max_mapping_size(dev));
	assert_int_equal(dma_get_cache_alignment(), 64); /* the machine's line size */

	assert_int_equal(dma_get_max_seg_size(dev), SZ_64K); /* Linux's default */
	dma_set_max_seg_size(dev, SZ_1M);
	assert_int_equal(dma_get_max_seg_size(dev), SZ_1M);
	fixture_log_start();
	dma_set_max_seg_size(dev, 0); /* refused: WARN at this line, unchanged */
	assert_true(fixture_log_has("WARNING: ", "test-compat-api.c:", "dma_set_max_seg_size(ce0, 0)",
				    NULL));
	fixture_log_stop();
	assert_int_equal(dma_get_max_seg_size(dev), SZ_1M);
	assert_true(dma_get_seg_boundary(dev) == ~0UL);
	assert_int_equal(dma_set_seg_boundary(dev, 0xffff), 0);
	assert_true(dma_get_seg_boundary(dev) == 0xffff);
	assert_int_equal(dma_set_seg_boundary(dev, 0x1234), -EINVAL);
	dma_set_min_align_mask(dev, 0xfff);
	assert_int_equal(dev->dmp.min_align_mask, 0xfff);
	rig_down(&r);
}

/* ---- DMA API: streaming mappings and syncs -------------------------------- */

static void test_dma_map_single_page_resource(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, false);
	struct device *dev = &r.dev;
	const size_t n = 1000;
	u8 *buf = kmalloc(n, GFP_KERNEL);
	u8 *expect = malloc(n);

	/* TO_DEVICE: the device reads what the CPU wrote */
	fill(buf, n, 1);
	memcpy(expect, buf, n);
	dma_addr_t a = dma_map_single(dev, buf, n, DMA_TO_DEVICE);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_true(a == virt_to_phys(buf)); /* direct path, identity ranges */
	assert_true(dev_sees(&r, a, expect, n));
	assert_true(dma_need_sync(dev, a)); /* non-coherent */
	/* what a driver keeps for the unmap, in Linux's macros */
	struct tx_buf {
		void *va;
		DEFINE_DMA_UNMAP_ADDR(mapping);
		DEFINE_DMA_UNMAP_LEN(len);
	} tb = { .va = buf };
	dma_unmap_addr_set(&tb, mapping, a);
	dma_unmap_len_set(&tb, len, (u32)n);
	assert_true(SAME_TYPE(tb.mapping, (dma_addr_t)0));
	assert_true(dma_unmap_addr(&tb, mapping) == a);
	assert_int_equal(dma_unmap_len(&tb, len), n);
	dma_unmap_single(dev, dma_unmap_addr(&tb, mapping), dma_unmap_len(&tb, len), DMA_TO_DEVICE);

	/* _attrs with SKIP_CPU_SYNC: no cache maintenance until the driver syncs */
	fill(buf, n, 2);
	memcpy(expect, buf, n);
	a = dma_map_single_attrs(dev, buf, n, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_false(dev_sees(&r, a, expect, n)); /* still in the CPU's cache */
	dma_sync_single_for_device(dev, a, n, DMA_TO_DEVICE);
	assert_true(dev_sees(&r, a, expect, n));
	dma_unmap_single_attrs(dev, a, n, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);

	/* FROM_DEVICE: the device writes; the CPU sees it after sync_for_cpu */
	a = dma_map_single(dev, buf, n, DMA_FROM_DEVICE);
	fill(expect, n, 3);
	assert_int_equal(dmp_sim_dma_write(r.hw, a, expect, n), 0);
	dma_sync_single_for_cpu(dev, a, n, DMA_FROM_DEVICE);
	assert_memory_equal(buf, expect, n);
	/* give it back, the device writes again, only a range is synced */
	dma_sync_single_for_device(dev, a, n, DMA_FROM_DEVICE);
	fill(expect, n, 4);
	assert_int_equal(dmp_sim_dma_write(r.hw, a, expect, n), 0);
	dma_sync_single_range_for_cpu(dev, a, 128, 256, DMA_FROM_DEVICE);
	assert_memory_equal(buf + 128, expect + 128, 256);
	dma_sync_single_range_for_device(dev, a, 128, 256, DMA_FROM_DEVICE);
	dma_unmap_single(dev, a, n, DMA_FROM_DEVICE); /* unmap syncs for the CPU */
	assert_memory_equal(buf, expect, n);

	/* map_page(_attrs) at an offset */
	struct page *pg = alloc_page(GFP_KERNEL);
	u8 *pva = page_address(pg);
	fill(pva, PAGE_SIZE, 5);
	a = dma_map_page(dev, pg, 100, 2000, DMA_BIDIRECTIONAL);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_true(a == page_to_phys(pg) + 100);
	assert_true(dev_sees(&r, a, pva + 100, 2000));
	dma_unmap_page(dev, a, 2000, DMA_BIDIRECTIONAL);
	fill(pva, PAGE_SIZE, 6);
	a = dma_map_page_attrs(dev, pg, 0, PAGE_SIZE, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	assert_false(dev_sees(&r, a, pva, PAGE_SIZE));
	dma_unmap_page_attrs(dev, a, PAGE_SIZE, DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	__free_page(pg);

	/* map_resource: a peer's registers, no translation or bouncing */
	a = dma_map_resource(dev, CE_BASE + 0x1c, 4, DMA_TO_DEVICE, 0);
	assert_int_equal(dma_mapping_error(dev, a), 0);
	assert_true(a == CE_BASE + 0x1c);
	dma_unmap_resource(dev, a, 4, DMA_TO_DEVICE, 0);

	/* errors: stack memory is refused, reported at this file's line */
	u8 stack_buf[64];
	fixture_log_start();
	a = dma_map_single(dev, stack_buf, sizeof(stack_buf), DMA_TO_DEVICE);
	assert_true(a == DMA_MAPPING_ERROR);
	assert_int_equal(dma_mapping_error(dev, a), -ENOMEM);
	assert_true(fixture_log_has("ce0", "test-compat-api.c:", NULL));
	fixture_log_stop();
	kfree(buf);
	free(expect);
	rig_down(&r);
}

static void test_dma_map_sg(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, false);
	struct device *dev = &r.dev;
	size_t len[3] = { 700, 300, 1500 };
	u8 *part[3];
	struct scatterlist sg[3], *s;
	int i;

	sg_init_table(sg, 3);
	assert_true(sg_is_last(&sg[2]) && !sg_is_last(&sg[1]));
	for (i = 0; i < 3; i++) {
		part[i] = kmalloc(len[i], GFP_KERNEL);
		fill(part[i], len[i], 10 + i);
		sg_set_buf(&sg[i], part[i], (unsigned int)len[i]);
	}
	assert_int_equal(sg_nents(sg), 3);
	unsigned int nents = dma_map_sg(dev, sg, 3, DMA_TO_DEVICE);
	assert_int_equal(nents, 3); /* the direct path does not merge */
	for_each_sg(sg, s, nents, i) {
		assert_true(sg_dma_address(s) == virt_to_phys(part[i]));
		assert_int_equal(sg_dma_len(s), len[i]);
		assert_true(dev_sees(&r, sg_dma_address(s), part[i], len[i]));
	}
	dma_unmap_sg(dev, sg, 3, DMA_TO_DEVICE);

	/* FROM_DEVICE with syncs, _attrs variants */
	nents = dma_map_sg_attrs(dev, sg, 3, DMA_FROM_DEVICE, 0);
	assert_int_equal(nents, 3);
	u8 data[1500];
	for_each_sg(sg, s, nents, i) {
		fill(data, len[i], 20 + i);
		assert_int_equal(dmp_sim_dma_write(r.hw, sg_dma_address(s), data, len[i]), 0);
	}
	dma_sync_sg_for_cpu(dev, sg, 3, DMA_FROM_DEVICE);
	for (i = 0; i < 3; i++) {
		fill(data, len[i], 20 + i);
		assert_memory_equal(part[i], data, len[i]);
	}
	dma_sync_sg_for_device(dev, sg, 3, DMA_FROM_DEVICE);
	dma_unmap_sg_attrs(dev, sg, 3, DMA_FROM_DEVICE, 0);

	/* an entry refused by sg_set_buf (stack) makes the whole map fail: 0 */
	struct scatterlist bad[1];
	u8 on_stack[32];
	fixture_log_start();
	sg_init_one(bad, on_stack, sizeof(on_stack));
	assert_null(sg_page(bad));
	assert_int_equal(dma_map_sg(dev, bad, 1, DMA_TO_DEVICE), 0);
	fixture_log_stop();

	/* sgtable */
	struct sg_table sgt;
	assert_int_equal(sg_alloc_table(&sgt, 3, GFP_KERNEL), 0);
	assert_int_equal(sgt.orig_nents, 3);
	for_each_sgtable_sg(&sgt, s, i)
		sg_set_buf(s, part[i], (unsigned int)len[i]);
	assert_int_equal(dma_map_sgtable(dev, &sgt, DMA_BIDIRECTIONAL, 0), 0);
	assert_int_equal(sgt.nents, 3);
	for_each_sgtable_dma_sg(&sgt, s, i)
		assert_true(dev_sees(&r, sg_dma_address(s), part[i], len[i]));
	dma_sync_sgtable_for_cpu(dev, &sgt, DMA_BIDIRECTIONAL);
	fill(part[1], len[1], 99);
	dma_sync_sgtable_for_device(dev, &sgt, DMA_BIDIRECTIONAL);
	assert_true(dev_sees(&r, sg_dma_address(sg_next(sgt.sgl)), part[1], len[1]));
	dma_unmap_sgtable(dev, &sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(&sgt);
	assert_null(sgt.sgl);
	for (i = 0; i < 3; i++)
		kfree(part[i]);
	rig_down(&r);
}

/* ---- scatterlist helpers (no device) -------------------------------------- */

static void test_scatterlist(void **state)
{
	(void)state;
	struct dmp_sim *sim = fixture_sim(NULL);
	assert_true(SG_CHAIN == 0x01UL && SG_END == 0x02UL);
	assert_int_equal(SG_MAX_SINGLE_ALLOC, PAGE_SIZE / sizeof(struct scatterlist));
	assert_int_equal(SCATTERLIST_MAX_SEGMENT, UINT32_MAX & PAGE_MASK);

	struct page *pg = alloc_pages(GFP_KERNEL, 1);
	u8 *va = page_address(pg);
	struct scatterlist a[3], b[2], *s;
	int i;
	sg_init_table(a, 3);
	sg_init_table(b, 2);
	sg_set_page(&a[0], pg, 100, 10);
	assert_ptr_equal(sg_page(&a[0]), pg);
	assert_int_equal(a[0].length, 100);
	assert_int_equal(a[0].offset, 10);
	assert_ptr_equal(sg_virt(&a[0]), va + 10);
	assert_true(sg_phys(&a[0]) == page_to_phys(pg) + 10);
	sg_set_buf(&a[1], va + 4096, 50);
	assert_ptr_equal(sg_page(&a[1]), virt_to_page(va + 4096));
	sg_assign_page(&b[0], pg);
	b[0].offset = 200;
	b[0].length = 20;
	sg_set_buf(&b[1], va + 300, 30);
	assert_true(sg_is_last(&b[1]));
	/* chain a's last slot to b: 2 + 2 data entries */
	sg_chain(a, 3, b);
	assert_true(sg_is_chain(&a[2]) && !sg_is_chain(&a[1]));
	assert_ptr_equal(sg_chain_ptr(&a[2]), b);
	assert_ptr_equal(sg_next(&a[1]), &b[0]);
	assert_null(sg_next(&b[1]));
	assert_int_equal(sg_nents(a), 4);
	assert_ptr_equal(sg_last(a, 4), &b[1]);
	assert_int_equal(sg_nents_for_len(a, 150), 2);
	assert_int_equal(sg_nents_for_len(a, 151), 3);
	assert_int_equal(sg_nents_for_len(a, 201), -EINVAL);
	unsigned total = 0;
	for_each_sg(a, s, 4, i)
		total += s->length;
	assert_int_equal(total, 200);
	/* end marks */
	sg_mark_end(&b[0]);
	assert_int_equal(sg_nents(a), 3);
	sg_unmark_end(&b[0]);
	assert_int_equal(sg_nents(a), 4);
	struct scatterlist m[4];
	memset(m, 0, sizeof(m));
	sg_init_marker(m, 2);
	assert_true(sg_is_last(&m[1]) && !sg_is_last(&m[0]));

	/* copies between a linear buffer and the list */
	u8 lin[200], back[200];
	fill(lin, sizeof(lin), 7);
	assert_int_equal(sg_copy_from_buffer(a, 4, lin, sizeof(lin)), 200);
	assert_memory_equal(va + 10, lin, 100);
	assert_memory_equal(va + 4096, lin + 100, 50);
	assert_memory_equal(va + 200, lin + 150, 20);
	assert_memory_equal(va + 300, lin + 170, 30);
	memset(back, 0, sizeof(back));
	assert_int_equal(sg_copy_to_buffer(a, 4, back, sizeof(back)), 200);
	assert_memory_equal(back, lin, 200);
	assert_int_equal(sg_pcopy_to_buffer(a, 4, back, 10, 95), 10);
	assert_memory_equal(back, lin + 95, 10);
	u8 x[5] = { 1, 2, 3, 4, 5 };
	assert_int_equal(sg_pcopy_from_buffer(a, 4, x, 5, 98), 5);
	assert_memory_equal(va + 108, x, 2);
	assert_memory_equal(va + 4096, x + 2, 3);
	assert_int_equal(sg_copy_buffer(a, 4, back, 3, 98, true), 3);
	assert_memory_equal(back, x, 3);
	assert_int_equal(sg_copy_buffer(a, 4, lin, 200, 0, false), 200);
	assert_memory_equal(va + 108, lin + 98, 2);
	assert_int_equal(sg_zero_buffer(a, 4, 60, 90), 60);
	for (int k = 90; k < 100; k++)
		assert_int_equal(va[10 + k], 0);
	assert_int_equal(va[4096 + 49], 0);
	assert_int_equal(va[99], lin[89]);   /* list byte 89: before the range, untouched */
	assert_int_equal(va[200], lin[150]); /* list byte 150: after it */

	/* DMA flags */
	assert_false(sg_dma_is_bus_address(&a[0]) || sg_dma_is_swiotlb(&a[0]));
	sg_dma_mark_bus_address(&a[0]);
	sg_dma_mark_swiotlb(&a[0]);
	assert_true(sg_dma_is_bus_address(&a[0]) && sg_dma_is_swiotlb(&a[0]));
	sg_dma_unmark_bus_address(&a[0]);
	sg_dma_unmark_swiotlb(&a[0]);
	assert_false(sg_dma_is_bus_address(&a[0]) || sg_dma_is_swiotlb(&a[0]));

	/* tables from pages: contiguous pages merge, max_segment splits */
	struct page *pages[4];
	struct page *blk = alloc_pages(GFP_KERNEL, 2);
	for (int k = 0; k < 4; k++)
		pages[k] = pfn_to_page(page_to_pfn(blk) + k);
	struct sg_table t;
	assert_int_equal(sg_alloc_table_from_pages(&t, pages, 4, 100, 4 * PAGE_SIZE - 200, GFP_KERNEL), 0);
	assert_int_equal(t.orig_nents, 1);
	assert_int_equal(t.sgl->offset, 100);
	assert_int_equal(t.sgl->length, 4 * PAGE_SIZE - 200);
	sg_free_table(&t);
	assert_int_equal(sg_alloc_table_from_pages_segment(&t, pages, 4, 0, 4 * PAGE_SIZE, PAGE_SIZE,
							   GFP_KERNEL), 0);
	assert_int_equal(t.orig_nents, 4);
	/* page iterators */
	struct sg_page_iter piter;
	int np = 0;
	for_each_sgtable_page(&t, &piter, 0) {
		assert_ptr_equal(sg_page_iter_page(&piter), pages[np]);
		np++;
	}
	assert_int_equal(np, 4);
	np = 0;
	for_each_sg_page(t.sgl, &piter, t.orig_nents, 1)
		np++;
	assert_int_equal(np, 3); /* first page skipped */
	/* DMA side: fake a mapping of page-aligned ranges */
	for_each_sgtable_sg(&t, s, i) {
		sg_dma_address(s) = 0x40000000ull + (dma_addr_t)i * PAGE_SIZE;
		sg_dma_len(s) = PAGE_SIZE;
	}
	struct sg_dma_page_iter diter;
	np = 0;
	for_each_sgtable_dma_page(&t, &diter, 0) {
		assert_true(sg_page_iter_dma_address(&diter) == 0x40000000ull + (dma_addr_t)np * PAGE_SIZE);
		np++;
	}
	assert_int_equal(np, 4);
	np = 0;
	for_each_sg_dma_page(t.sgl, &diter, 2, 0)
		np++;
	assert_int_equal(np, 2);
	sg_free_table(&t);
	assert_int_equal(sg_alloc_table(&t, 0, GFP_KERNEL), -EINVAL);
	dmp_fail_nth(DMP_FAIL_HEAP, 1);
	assert_int_equal(sg_alloc_table(&t, 4, GFP_KERNEL), -ENOMEM);
	/* a long table chains arrays */
	assert_int_equal(sg_alloc_table(&t, SG_MAX_SINGLE_ALLOC + 5, GFP_KERNEL), 0);
	assert_int_equal(sg_nents(t.sgl), SG_MAX_SINGLE_ALLOC + 5);
	assert_true(sg_is_chain(&t.sgl[SG_MAX_SINGLE_ALLOC - 1]));
	sg_free_table(&t);
	__free_pages(blk, 2);
	__free_pages(pg, 1);
	dmp_sim_destroy(sim);
}

/* ---- DMA API: allocations, mmap, get_sgtable ------------------------------- */

static void test_dma_alloc(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, false);
	struct device *dev = &r.dev;
	dma_addr_t h;
	u8 data[256];

	/* coherent: shared at all times, no syncs; zeroed */
	u8 *c = dma_alloc_coherent(dev, 3000, &h, GFP_KERNEL);
	assert_non_null(c);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(c[i], 0);
	assert_true(h == virt_to_phys(c));
	fill(data, sizeof(data), 1);
	assert_int_equal(dmp_sim_dma_write(r.hw, h + 8, data, sizeof(data)), 0);
	assert_memory_equal(c + 8, data, sizeof(data));
	memcpy(c + 1000, data, sizeof(data));
	wmb(); /* uncached stores may wait in the write buffer */
	assert_true(dev_sees(&r, h + 1000, data, sizeof(data)));
	dma_free_coherent(dev, 3000, c, h);

	/* _attrs, _wc: write-combining stores reach memory at a barrier */
	c = dma_alloc_wc(dev, PAGE_SIZE, &h, GFP_KERNEL);
	assert_non_null(c);
	assert_int_equal(dmp_sim_mem_attr(r.sim, virt_to_phys(c)), DMP_MEM_WC);
	memcpy(c, data, 64);
	wmb();
	assert_true(dev_sees(&r, h, data, 64));
	dma_free_wc(dev, PAGE_SIZE, c, h);
	c = dma_alloc_attrs(dev, PAGE_SIZE, &h, GFP_ATOMIC, 0);
	assert_non_null(c);
	assert_int_equal(dmp_sim_mem_attr(r.sim, virt_to_phys(c)), DMP_MEM_UNCACHED);
	dma_free_attrs(dev, PAGE_SIZE, c, h, 0);
	c = dma_alloc_attrs(dev, PAGE_SIZE, &h, GFP_KERNEL, DMA_ATTR_WRITE_COMBINE);
	assert_int_equal(dmp_sim_mem_attr(r.sim, virt_to_phys(c)), DMP_MEM_WC);
	dma_free_attrs(dev, PAGE_SIZE, c, h, DMA_ATTR_WRITE_COMBINE);

	/* noncoherent: cacheable, ownership moves with syncs */
	u8 *nc = dma_alloc_noncoherent(dev, PAGE_SIZE, &h, DMA_BIDIRECTIONAL, GFP_KERNEL);
	assert_non_null(nc);
	assert_int_equal(dmp_sim_mem_attr(r.sim, virt_to_phys(nc)), DMP_MEM_NORMAL);
	dma_sync_single_for_cpu(dev, h, PAGE_SIZE, DMA_BIDIRECTIONAL);
	memcpy(nc, data, 128);
	assert_false(dev_sees(&r, h, data, 128)); /* in the CPU's cache */
	dma_sync_single_for_device(dev, h, PAGE_SIZE, DMA_BIDIRECTIONAL);
	assert_true(dev_sees(&r, h, data, 128));
	dma_free_noncoherent(dev, PAGE_SIZE, nc, h, DMA_BIDIRECTIONAL);
	struct page *pg = dma_alloc_pages(dev, 2 * PAGE_SIZE, &h, DMA_TO_DEVICE, GFP_KERNEL);
	assert_non_null(pg);
	assert_true(h == page_to_phys(pg));
	memcpy(page_address(pg), data, 64);
	dma_sync_single_for_device(dev, h, 64, DMA_TO_DEVICE);
	assert_true(dev_sees(&r, h, data, 64));
	dma_free_pages(dev, 2 * PAGE_SIZE, pg, h, DMA_TO_DEVICE);

	/* get_sgtable: one entry describing the allocation */
	c = dma_alloc_coherent(dev, 2 * PAGE_SIZE, &h, GFP_KERNEL);
	struct sg_table sgt;
	assert_int_equal(dma_get_sgtable(dev, &sgt, c, h, 2 * PAGE_SIZE), 0);
	assert_int_equal(sgt.orig_nents, 1);
	assert_true(page_to_phys(sg_page(sgt.sgl)) == virt_to_phys(c));
	assert_int_equal(sgt.sgl->length, 2 * PAGE_SIZE);
	sg_free_table(&sgt);
	assert_int_equal(dma_get_sgtable_attrs(dev, &sgt, c, h, 2 * PAGE_SIZE, 0), 0);
	assert_int_equal(sgt.orig_nents, 1);
	sg_free_table(&sgt);

	/* mmap: the mapping shows the buffer; vm_pgoff selects the page */
	struct vm_area_struct vma = { .vm_start = 0, .vm_end = PAGE_SIZE, .vm_pgoff = 1 };
	c[PAGE_SIZE + 5] = 0x77;
	int ret = dma_mmap_coherent(dev, &vma, c, h, 2 * PAGE_SIZE);
	if (ret == -EOPNOTSUPP) {
		skip();
	}
	assert_int_equal(ret, 0);
	assert_true(vma.vm_start != 0 && vma.vm_end == vma.vm_start + PAGE_SIZE);
	assert_int_equal(((volatile u8 *)vma.vm_start)[5], 0x77);
	((volatile u8 *)vma.vm_start)[6] = 0x66;
	assert_int_equal(c[PAGE_SIZE + 6], 0x66);
	dmp_munmap(&vma.dmp);
	struct vm_area_struct too_far = { .vm_start = 0, .vm_end = PAGE_SIZE, .vm_pgoff = 2 };
	fixture_log_start();
	assert_int_equal(dma_mmap_attrs(dev, &too_far, c, h, 2 * PAGE_SIZE, 0), -ENXIO);
	fixture_log_stop();
	assert_int_equal(too_far.vm_start, 0); /* unchanged on failure */
	dma_free_coherent(dev, 2 * PAGE_SIZE, c, h);
	c = dma_alloc_wc(dev, PAGE_SIZE, &h, GFP_KERNEL);
	struct vm_area_struct wvma = { .vm_start = 0, .vm_end = PAGE_SIZE };
	assert_int_equal(dma_mmap_wc(dev, &wvma, c, h, PAGE_SIZE), 0);
	((volatile u8 *)wvma.vm_start)[0] = 0x12;
	assert_int_equal(((volatile u8 *)c)[0], 0x12);
	dmp_munmap(&wvma.dmp);
	dma_free_wc(dev, PAGE_SIZE, c, h);
	rig_down(&r);
}

/* A coherent device: no syncs needed, none done. */
static void test_dma_coherent_device(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, true);
	struct device *dev = &r.dev;
	assert_true(dev_is_dma_coherent(dev));
	u8 *buf = kmalloc(512, GFP_KERNEL);
	fill(buf, 512, 3);
	dma_addr_t a = dma_map_single(dev, buf, 512, DMA_TO_DEVICE);
	assert_false(dma_need_sync(dev, a));
	assert_true(dev_sees(&r, a, buf, 512));
	dma_unmap_single(dev, a, 512, DMA_TO_DEVICE);
	kfree(buf);
	dma_addr_t h;
	u8 *c = dma_alloc_coherent(dev, PAGE_SIZE, &h, GFP_KERNEL);
	assert_int_equal(dmp_sim_mem_attr(r.sim, virt_to_phys(c)), DMP_MEM_NORMAL); /* cacheable */
	dma_free_coherent(dev, PAGE_SIZE, c, h);
	rig_down(&r);
}

/* ---- DMA pools ------------------------------------------------------------- */

static void test_dmapool(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, false);
	struct device *dev = &r.dev;
	fixture_log_start();
	assert_null(dma_pool_create("bad", dev, 0, 8, 0));
	assert_true(fixture_log_has("bad", NULL));
	fixture_log_stop();
	struct dma_pool *pool = dma_pool_create("desc", dev, 48, 64, 4096);
	assert_non_null(pool);
	dma_addr_t h[40];
	void *v[40];
	for (int i = 0; i < 40; i++) {
		v[i] = (i & 1) ? dma_pool_zalloc(pool, GFP_KERNEL, &h[i])
			       : dma_pool_alloc(pool, GFP_ATOMIC, &h[i]);
		assert_non_null(v[i]);
		assert_true(h[i] == virt_to_phys(v[i]) && h[i] % 64 == 0);
		assert_true(h[i] / 4096 == (h[i] + 47) / 4096);
		if (i & 1)
			for (int k = 0; k < 48; k++)
				assert_int_equal(((u8 *)v[i])[k], 0);
		for (int j = 0; j < i; j++)
			assert_true(h[j] + 48 <= h[i] || h[i] + 48 <= h[j]); /* no overlap */
	}
	/* a block is coherent memory: the device sees CPU stores after a barrier */
	memset(v[3], 0xa5, 48);
	wmb();
	u8 expect[48];
	memset(expect, 0xa5, 48);
	assert_true(dev_sees(&r, h[3], expect, 48));
	assert_int_equal(dmp_pool_check(dmp__lx_dmp_pool(pool)), 0);
	for (int i = 0; i < 40; i++)
		dma_pool_free(pool, v[i], h[i]);
	struct dmp_pool_stats st;
	dmp_pool_get_stats(dmp__lx_dmp_pool(pool), &st);
	assert_int_equal(st.nr_active, 0);
	dma_pool_destroy(pool);
	dma_pool_destroy(NULL);

	/* managed pools: destroyed with the device's managed resources, or explicitly */
	struct dma_pool *mp = dmam_pool_create("m1", dev, 32, 32, 0);
	struct dma_pool *mp2 = dmam_pool_create("m2", dev, 16, 16, 0);
	assert_non_null(mp);
	assert_non_null(mp2);
	assert_ptr_equal(dmp__lx_pool_of(dmp__lx_dmp_pool(mp)), mp);
	void *blk = dma_pool_alloc(mp, GFP_KERNEL, &h[0]);
	assert_non_null(blk);
	dma_pool_free(mp, blk, h[0]);
	dmam_pool_destroy(mp2);
	fixture_log_start();
	dmp_device_release_managed(&dev->dmp); /* destroys m1 */
	assert_int_equal(fixture_log_count(), 0);
	fixture_log_stop();
	rig_down(&r);
}

/* ---- <linux/cma.h>, and declared memory and CMA from <linux/dma-map-ops.h> -- */

static void test_cma_and_declared(void **state)
{
	(void)state;
	struct rig r;
	rig_up(&r, false);
	struct device *dev = &r.dev;

	/* no area at all: NULL, nothing allocated */
	assert_null(dev_get_cma_area(dev));
	assert_null(dma_alloc_from_contiguous(dev, 4, 2, true));

	struct dmp_cma *area;
	assert_int_equal(dmp_cma_declare(0, 1u << 20, DMP_PHYS_ANY, 0, 0, "compat", &area), 0);
	dmp_cma_set_default(area);
	struct cma *cma = dev_get_cma_area(dev);
	assert_ptr_equal(dmp__lx_dmp_cma(cma), area);
	assert_string_equal(cma_get_name(cma), "compat");
	struct dmp_cma_stats st;
	dmp_cma_get_stats(area, &st);

	/* cma_alloc: aligned pages inside the area; cma_release gives them back */
	struct page *pg = cma_alloc(cma, 3, 2, false);
	assert_non_null(pg);
	phys_addr_t pa = page_to_phys(pg);
	assert_true(pa >= st.base && pa < st.base + (1u << 20));
	assert_true(pa % (4 * PAGE_SIZE) == 0);
	assert_true(cma_release(cma, pg, 3));
	fixture_log_start();
	assert_false(cma_release(cma, pg, 3)); /* released twice: refused, reported */
	assert_true(fixture_log_count() >= 1);
	fixture_log_stop();
	/* more than the area holds: NULL, quietly with no_warn */
	fixture_log_start();
	assert_null(cma_alloc(cma, 1024, 0, true));
	assert_int_equal(fixture_log_count(), 0);
	fixture_log_stop();

	/* dma_alloc_from_contiguous caps the alignment as Linux does */
	pg = dma_alloc_from_contiguous(dev, 1, 30, false);
	assert_non_null(pg);
	assert_true(page_to_phys(pg) % (PAGE_SIZE << DMP_CMA_ALIGN_ORDER_MAX) == 0);
	assert_true(dma_release_from_contiguous(dev, pg, 1));
	dmp_cma_get_stats(area, &st);
	assert_int_equal(st.nr_allocs, 0);
	dmp_cma_set_default(NULL);
	assert_int_equal(dmp_cma_destroy(area), 0);

	/* dma_declare_coherent_memory: dma_alloc_coherent is served from it */
	struct page *region = alloc_pages(GFP_KERNEL, 3);
	assert_non_null(region);
	phys_addr_t rp = page_to_phys(region);
	assert_int_equal(dma_declare_coherent_memory(dev, rp, rp, 8 * PAGE_SIZE), 0);
	assert_int_equal(dma_declare_coherent_memory(dev, rp, rp, 8 * PAGE_SIZE), -EBUSY);
	dma_addr_t h;
	void *v = dma_alloc_coherent(dev, 2 * PAGE_SIZE, &h, GFP_KERNEL);
	assert_non_null(v);
	assert_true(virt_to_phys(v) >= rp && virt_to_phys(v) < rp + 8 * PAGE_SIZE);
	assert_int_equal(h, virt_to_phys(v));
	dma_free_coherent(dev, 2 * PAGE_SIZE, v, h);
	assert_int_equal(dmp_release_coherent_memory(&dev->dmp), 0);
	__free_pages(region, 3);
	rig_down(&r);
}

/* ---- the IOMMU API ---------------------------------------------------------- */

struct lx_fault {
	int n;
	struct iommu_domain *domain;
	struct device *dev;
	unsigned long iova;
	int flags;
};

static int lx_on_fault(struct iommu_domain *domain, struct device *dev, unsigned long iova,
		       int flags, void *token)
{
	struct lx_fault *f = token;
	f->n++;
	f->domain = domain;
	f->dev = dev;
	f->iova = iova;
	f->flags = flags;
	return 0;
}

static int native_on_fault(struct dmp_iommu_domain *d, struct dmp_device *dev, dmp_addr_t iova,
			   int flags, void *token)
{
	(void)d, (void)dev, (void)iova, (void)flags;
	++*(int *)token;
	return 0;
}

static void test_iommu(void **state)
{
	(void)state;
	assert_true(IOMMU_READ == 1 && IOMMU_WRITE == 2 && IOMMU_CACHE == 4 && IOMMU_NOEXEC == 8 &&
		    IOMMU_MMIO == 16 && IOMMU_PRIV == 32);
	assert_true(IOMMU_FAULT_READ == 0 && IOMMU_FAULT_WRITE == 1);
	int types[] = { IOMMU_DOMAIN_BLOCKED, IOMMU_DOMAIN_IDENTITY, IOMMU_DOMAIN_UNMANAGED,
			IOMMU_DOMAIN_DMA, IOMMU_DOMAIN_DMA_FQ };
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < i; j++)
			assert_true(types[i] != types[j]);
	iommu_fault_handler_t handler = lx_on_fault;
	struct rig r;
	rig_up(&r, false);
	struct device *dev = &r.dev;
	/* no IOMMU translates the device yet */
	struct iommu_domain *none = iommu_paging_domain_alloc(dev);
	assert_true(IS_ERR(none) && PTR_ERR(none) == -ENODEV);
	assert_null(iommu_get_domain_for_dev(dev));

	struct dmp_sim_iommu *smmu;
	struct dmp_iommu *iommu;
	struct dmp_sim_iommu_config ic = { .name = "smmu0" };
	assert_int_equal(dmp_sim_iommu_create(r.sim, &ic, &smmu), 0);
	assert_int_equal(dmp_sim_iommu_driver_register(smmu, DMP_IOMMU_DOMAIN_DMA, &iommu), 0);
	uint32_t sid = 9;
	assert_int_equal(dmp_iommu_probe_device(&dev->dmp, iommu, &sid, 1), 0);
	struct iommu_domain *def = iommu_get_domain_for_dev(dev);
	assert_non_null(def);
	assert_int_equal(def->type, IOMMU_DOMAIN_DMA);

	struct iommu_domain *d = iommu_paging_domain_alloc(dev);
	assert_false(IS_ERR_OR_NULL(d));
	assert_int_equal(d->type, IOMMU_DOMAIN_UNMANAGED);
	assert_true(d->pgsize_bitmap & PAGE_SIZE);
	struct iommu_domain_geometry *geo = &d->geometry;
	assert_true(geo->aperture_end > geo->aperture_start);
	assert_int_equal(iommu_attach_device(d, dev), 0);
	assert_ptr_equal(iommu_get_domain_for_dev(dev), d);
	struct iommu_domain *other = iommu_paging_domain_alloc(dev);
	assert_false(IS_ERR(other));
	assert_int_equal(iommu_attach_device(other, dev), -EBUSY); /* another domain is attached */
	iommu_domain_free(other);
	struct lx_fault f = { 0 };
	iommu_set_fault_handler(d, handler, &f);

	/* map two pages read-only; the device reads them through the IOVA */
	struct page *pg = alloc_pages(GFP_KERNEL, 1);
	fill(page_address(pg), 2 * PAGE_SIZE, 4);
	dmp_sim_evict_all(r.sim, page_to_phys(pg), 2 * PAGE_SIZE); /* the walker reads DRAM */
	const unsigned long iova = 0x100000;
	assert_int_equal(iommu_map(d, iova, page_to_phys(pg), 2 * PAGE_SIZE, IOMMU_READ | IOMMU_CACHE,
				   GFP_KERNEL), 0);
	assert_int_equal(iommu_map(d, iova + PAGE_SIZE, page_to_phys(pg), PAGE_SIZE, IOMMU_READ,
				   GFP_KERNEL), -EEXIST);
	fixture_log_start();
	assert_int_equal(iommu_map(d, iova + 1, page_to_phys(pg), PAGE_SIZE, IOMMU_READ, GFP_KERNEL),
			 -EINVAL);
	fixture_log_stop();
	assert_true(iommu_iova_to_phys(d, iova + PAGE_SIZE + 42) == page_to_phys(pg) + PAGE_SIZE + 42);
	assert_true(iommu_iova_to_phys(d, 0x900000) == 0);
	assert_true(dev_sees(&r, iova, page_address(pg), 2 * PAGE_SIZE));
	assert_int_equal(f.n, 0);
	/* faults reach the Linux-style handler with the struct device */
	u8 tmp[16];
	assert_int_equal(dmp_sim_dma_read(r.hw, 0x500000, tmp, 16), -ENXIO);
	assert_int_equal(f.n, 1);
	assert_ptr_equal(f.domain, d);
	assert_ptr_equal(f.dev, dev);
	assert_int_equal(f.iova, 0x500000);
	assert_int_equal(f.flags, IOMMU_FAULT_READ);
	assert_int_equal(dmp_sim_dma_write(r.hw, iova, "x", 1), -EACCES);
	assert_int_equal(f.n, 2);
	assert_true(f.flags & IOMMU_FAULT_WRITE);
	assert_int_equal(iommu_unmap(d, iova, 2 * PAGE_SIZE), 2 * PAGE_SIZE);
	assert_int_equal(iommu_unmap(d, iova, 2 * PAGE_SIZE), 0);
	assert_int_equal(dmp_sim_dma_read(r.hw, iova, tmp, 16), -ENXIO);
	assert_int_equal(f.n, 3);

	/* map_sg: entries one after another */
	struct scatterlist sg[2];
	sg_init_table(sg, 2);
	sg_set_page(&sg[0], pg, PAGE_SIZE, 0);
	sg_set_page(&sg[1], pfn_to_page(page_to_pfn(pg) + 1), PAGE_SIZE, 0);
	assert_int_equal(iommu_map_sg(d, 0x600000, sg, 2, IOMMU_READ | IOMMU_WRITE, GFP_KERNEL),
			 2 * PAGE_SIZE);
	assert_true(iommu_iova_to_phys(d, 0x601000) == page_to_phys(pg) + PAGE_SIZE);
	assert_int_equal(iommu_unmap(d, 0x600000, 2 * PAGE_SIZE), 2 * PAGE_SIZE);

	/* replacing and removing the handler frees its adapter; a native one is left alone */
	struct lx_fault f2 = { 0 };
	void *adapter = d->handler_token;
	assert_true(dmp_ksize(adapter) > 0);
	iommu_set_fault_handler(d, lx_on_fault, &f2);
	/* the old adapter was freed: gone, or its slot reused by the new one */
	assert_true(d->handler_token == adapter || dmp_ksize(adapter) == 0);
	adapter = d->handler_token;
	assert_int_equal(dmp_sim_dma_read(r.hw, 0x500000, tmp, 16), -ENXIO);
	assert_int_equal(f2.n, 1);
	assert_int_equal(f.n, 3);
	iommu_set_fault_handler(d, NULL, NULL);
	assert_null(d->handler);
	assert_int_equal(dmp_ksize(adapter), 0);
	int native_count = 0;
	dmp_iommu_set_fault_handler(d, native_on_fault, &native_count);
	fixture_log_start();
	iommu_detach_device(d, dev);
	assert_ptr_equal(iommu_get_domain_for_dev(dev), def);
	iommu_domain_free(d); /* the native handler's token (the stack) is not freed */
	assert_int_equal(fixture_log_count(), 0);
	fixture_log_stop();

	/* a domain freed with a Linux-style handler installed frees the adapter */
	d = iommu_paging_domain_alloc(dev);
	assert_false(IS_ERR(d));
	iommu_set_fault_handler(d, lx_on_fault, &f);
	adapter = d->handler_token;
	assert_true(dmp_ksize(adapter) > 0);
	iommu_domain_free(d);
	assert_int_equal(dmp_ksize(adapter), 0);

	__free_pages(pg, 1);
	dmp_iommu_release_device(&dev->dmp);
	dmp_sim_iommu_driver_unregister(iommu);
	dmp_sim_iommu_destroy(smmu);
	rig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_and_kernel_h),
		cmocka_unit_test(test_byteorder),
		cmocka_unit_test(test_err),
		cmocka_unit_test(test_printk_and_dev_printk),
		cmocka_unit_test(test_warn_bug),
		cmocka_unit_test(test_device_and_platform),
		cmocka_unit_test(test_pages_slab_string),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_dma_constants_and_masks),
		cmocka_unit_test(test_dma_map_single_page_resource),
		cmocka_unit_test(test_dma_map_sg),
		cmocka_unit_test(test_scatterlist),
		cmocka_unit_test(test_dma_alloc),
		cmocka_unit_test(test_dma_coherent_device),
		cmocka_unit_test(test_dmapool),
		cmocka_unit_test(test_cma_and_declared),
		cmocka_unit_test(test_iommu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* __has_include(<linux/dmapool.h>) */
