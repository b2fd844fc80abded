/* test-vfio-threads.c - the VFIO platform's IOMMU driver under concurrent
 * DMA API calls: threads map and unmap buffers of random sizes through one
 * device in strict mode, against the model of the kernel's container
 * (support/vfio-model.c, which refuses overlapping maps and unmaps that
 * split a mapping), and check through the driver's record that each IOVA
 * leads back to its buffer.  At the end the container is empty and every
 * VFIO map had its unmap.  Run under TSan by make test-tsan. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>

#include <cmocka.h>

#include <dmaport/dma-mapping.h>
#include <dmaport/iommu.h>
#include <dmaport/memory.h>
#include <dmaport/vfio.h>

#include "platform/linux-vfio/vfio-internal.h"
#include "support/vfio-model.h"

enum { THREADS = 4, ROUNDS = 400, LIVE = 8 };

struct worker {
	struct dmp_device *dev;
	unsigned int seed;
	atomic_int *errors;
};

static unsigned int next(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct dmp_iommu_domain *d = dmp_iommu_get_domain_for_dev(w->dev);
	void *buf[LIVE] = { 0 };
	size_t len[LIVE] = { 0 };
	dmp_addr_t dma[LIVE] = { 0 };
	for (int r = 0; r < ROUNDS; r++) {
		unsigned int i = next(&w->seed) % LIVE;
		if (buf[i]) {
			dmp_unmap_single(w->dev, dma[i], len[i], DMP_BIDIRECTIONAL);
			dmp_kfree(buf[i]);
			buf[i] = NULL;
			continue;
		}
		len[i] = 1 + next(&w->seed) % (3 * 4096);
		buf[i] = dmp_kmalloc(len[i], DMP_GFP_KERNEL);
		dma[i] = buf[i] ? dmp_map_single(w->dev, buf[i], len[i], DMP_BIDIRECTIONAL)
				: DMP_MAPPING_ERROR;
		dmp_phys_t want, got;
		if (dmp_mapping_error(w->dev, dma[i]) || dmp_virt_to_phys(buf[i], &want) ||
		    dmp_iommu_iova_to_phys(d, dma[i], &got) || got != want ||
		    dma[i] + len[i] - 1 > DMP_BIT_MASK(28)) {
			atomic_fetch_add(w->errors, 1);
			if (!dmp_mapping_error(w->dev, dma[i]))
				dmp_unmap_single(w->dev, dma[i], len[i], DMP_BIDIRECTIONAL);
			dmp_kfree(buf[i]);
			buf[i] = NULL;
		}
	}
	for (unsigned int i = 0; i < LIVE; i++)
		if (buf[i]) {
			dmp_unmap_single(w->dev, dma[i], len[i], DMP_BIDIRECTIONAL);
			dmp_kfree(buf[i]);
		}
	return NULL;
}

static void test_concurrent_map_unmap(void **state)
{
	(void)state;
	vfio_model_install();
	struct dmp_vfio_config cfg = { .mem_size = 16 << 20 };
	struct dmp_vfio *v;
	struct dmp_vfio_pci *pci;
	assert_int_equal(dmp_vfio_open(&cfg, &v), 0);
	assert_int_equal(dmp_vfio_pci_open(v, BDF, &pci), 0);
	struct dmp_device *dev = dmp_vfio_pci_device(pci);
	assert_int_equal(dmp_set_mask_and_coherent(dev, DMP_BIT_MASK(28)), 0);

	atomic_int errors = 0;
	pthread_t t[THREADS];
	struct worker w[THREADS];
	for (unsigned int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ dev, 17 + i * 7919, &errors };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (unsigned int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&errors), 0);

	struct dmp_vfio_stats st;
	dmp_vfio_get_stats(v, &st);
	assert_true(st.maps > THREADS * ROUNDS / 4);
	assert_int_equal(st.maps, st.unmaps);
	assert_int_equal(st.mapped_bytes, st.unmapped_bytes);
	assert_int_equal(vmodel.nr_maps, 0);
	assert_int_equal(vmodel.map_calls, st.maps);
	dmp_vfio_pci_close(pci);
	assert_int_equal(dmp_vfio_close(v), 0);
	dmp__vfio_sys_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_map_unmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
