/*
 * test-iommu-threads.c - the DMA API over a lazy (flush-queue) IOMMU domain
 * under concurrent use.
 *
 * Threads map their own buffers, each with a pattern of its own, through one
 * DMA_FQ domain of the simulated IOMMU, let the device read each mapping
 * (which fills the simulated IOTLB with its translation) and unmap it, while
 * another thread flushes the queues and the flush-queue timer runs every
 * millisecond.  A lazily unmapped IOVA handed out again before an IOTLB
 * flush covered it would still translate, through the stale IOTLB entry, to
 * the buffer it mapped before: the device would read another buffer's
 * pattern.  Every read must be the mapping's own.  Also run under
 * ThreadSanitizer, and with DMP_SLOT_OWNERS=0 (every queue on its spinlock),
 * by `make check`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdatomic.h>
#include <pthread.h>
#include <string.h>
#include <cmocka.h>

#include <dmaport/iommu-driver.h>
#include <dmaport/simulator.h>
#include <dmaport/sim/iommu-driver.h>

#if defined(__SANITIZE_THREAD__)
#define ROUNDS 3000
#else
#define ROUNDS 30000
#endif
#define WORKERS 3
#define BUFS 8

struct rig {
	struct dmp_sim *sim;
	struct dmp_sim_iommu *hw;
	struct dmp_iommu *iommu;
	struct dmp_sim_device *sd;
	struct dmp_device dev;
};

struct worker {
	pthread_t thread;
	struct rig *r;
	unsigned int id;
	unsigned long wrong, failed, done;
};

static atomic_bool stop;

static void *work(void *arg)
{
	struct worker *w = arg;
	uint8_t *bufs[BUFS];
	for (int i = 0; i < BUFS; i++)
		bufs[i] = dmp_kmalloc(4096, 0);
	for (unsigned long n = 0; n < ROUNDS; n++) {
		uint8_t *b = bufs[n % BUFS];
		uint64_t pattern[2] = { w->id, n }, got[2] = { 0, 0 };
		memcpy(b, pattern, sizeof(pattern));
		dmp_addr_t a = dmp_map_single(&w->r->dev, b, 4096, DMP_TO_DEVICE);
		if (dmp_mapping_error(&w->r->dev, a)) {
			w->failed++;
			continue;
		}
		if (dmp_sim_dma_read(w->r->sd, a, got, sizeof(got)) != 0 ||
		    memcmp(got, pattern, sizeof(got)) != 0)
			w->wrong++;
		dmp_unmap_single(&w->r->dev, a, 4096, DMP_TO_DEVICE);
		w->done++;
	}
	for (int i = 0; i < BUFS; i++)
		dmp_kfree(bufs[i]);
	return NULL;
}

static void *flusher(void *arg)
{
	struct rig *r = arg;
	struct dmp_iommu_domain *d = dmp_iommu_get_domain_for_dev(&r->dev);
	while (!atomic_load(&stop)) {
		dmp_iommu_dma_flush_queue(d);
		struct timespec ts = { 0, 200 * 1000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void rig_up(struct rig *r)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	assert_int_equal(dmp_sim_create(&cfg, &r->sim), 0);
	struct dmp_sim_iommu_config ic = { .name = "smmu", .coherent_walk = true };
	assert_int_equal(dmp_sim_iommu_create(r->sim, &ic, &r->hw), 0);
	assert_int_equal(dmp_sim_iommu_driver_register(r->hw, DMP_IOMMU_DOMAIN_DMA_FQ, &r->iommu),
			 0);
	struct dmp_sim_device_config dc = { .name = "dev", .port_bits = 64, .coherent = true };
	assert_int_equal(dmp_sim_device_create(r->sim, &dc, &r->sd), 0);
	assert_int_equal(dmp_device_init(&r->dev, "dev"), 0);
	assert_int_equal(dmp_sim_device_link(&r->dev, r->sd), 0);
	uint32_t sid = 1;
	assert_int_equal(dmp_iommu_probe_device(&r->dev, r->iommu, &sid, 1), 0);
	/* a 32-bit space: IOVAs are handed out again often */
	assert_int_equal(dmp_set_mask_and_coherent(&r->dev, DMP_BIT_MASK(32)), 0);
}

static void rig_down(struct rig *r)
{
	dmp_iommu_release_device(&r->dev);
	dmp_device_remove(&r->dev);
	dmp_sim_iommu_driver_unregister(r->iommu);
	dmp_sim_iommu_destroy(r->hw);
	dmp_sim_destroy(r->sim);
}

static void run(bool with_flusher, uint64_t timeout_ns)
{
	struct rig r;
	rig_up(&r);
	dmp_iommu_dma_set_fq_timeout(dmp_iommu_get_domain_for_dev(&r.dev), timeout_ns);
	atomic_store(&stop, false);
	pthread_t f;
	if (with_flusher)
		assert_int_equal(pthread_create(&f, NULL, flusher, &r), 0);
	struct worker w[WORKERS];
	for (unsigned int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .r = &r, .id = i + 1 };
		assert_int_equal(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
	}
	unsigned long wrong = 0, failed = 0, done = 0;
	for (unsigned int i = 0; i < WORKERS; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		wrong += w[i].wrong;
		failed += w[i].failed;
		done += w[i].done;
	}
	atomic_store(&stop, true);
	if (with_flusher)
		assert_int_equal(pthread_join(f, NULL), 0);
	assert_int_equal(wrong, 0);
	assert_int_equal(failed, 0);
	assert_int_equal(done, (unsigned long)WORKERS * ROUNDS);
	rig_down(&r);
}

/* The queues' own flushes (each full at FQ_SIZE) and a timer too slow to matter. */
static void test_own_flushes(void **state)
{
	(void)state;
	run(false, 10ull * 1000 * 1000 * 1000);
}

/* Flushes of every queue from another thread and from the timer, meanwhile. */
static void test_flush_all_meanwhile(void **state)
{
	(void)state;
	run(true, 1000 * 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_flushes),
		cmocka_unit_test(test_flush_all_meanwhile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
