/*
 * of-fuzz.c - libFuzzer target: mutated blobs into the device-tree reader,
 * and every tree it accepts built into a simulated platform and torn down.
 *
 * `make fuzz` builds it with clang and runs it for FUZZ_SECONDS on a corpus
 * of the test and example trees compiled by dtc; `make check` runs it.
 *
 * Each input must parse to 0 or to a clean error: a negative errno that the
 * error struct repeats, and a zeroed description.  A successful description
 * is printed (to /dev/null) so that the dump runs over it too, then built
 * with dmp_sim_platform_create(), which must either succeed or fail with its
 * error struct filled and nothing left behind (no active platform).  A
 * machine that was built gets a little correct DMA on every device - a
 * streaming mapping and a coherent allocation, each undone - with the
 * checker on: correct use of a valid machine must raise no finding.  Then
 * it is destroyed, and no platform may remain.  Leaks are LeakSanitizer's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/simulator.h>
#include <dmaport/log.h>
#include <dmaport/of.h>
#include <dmaport/sim/platform.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* DMP_FUZZ_STATS=1 prints these at exit: how many inputs got how far. */
static unsigned long nr_inputs, nr_parsed, nr_built, nr_devices;

static void print_stats(void)
{
	fprintf(stderr, "of-fuzz: %lu inputs, %lu parsed, %lu built into a machine (%lu devices "
			"exercised)\n", nr_inputs, nr_parsed, nr_built, nr_devices);
}

static void quiet(void *cookie, const char *line)
{
	(void)cookie, (void)line;
}

/* A little correct DMA on @d: must succeed or fail cleanly, and find nothing. */
static void exercise(struct dmp_sim_platform_device *d)
{
	struct dmp_device *dev = &d->dev;
	uint8_t *buf = dmp_kmalloc(512, DMP_GFP_ZERO);
	if (buf) {
		dmp_addr_t a = dmp_map_single(dev, buf, 512, DMP_BIDIRECTIONAL);
		if (!dmp_mapping_error(dev, a)) {
			dmp_sync_single_for_cpu(dev, a, 512, DMP_BIDIRECTIONAL);
			buf[0] = 1;
			dmp_sync_single_for_device(dev, a, 512, DMP_BIDIRECTIONAL);
			dmp_unmap_single(dev, a, 512, DMP_BIDIRECTIONAL);
		}
		dmp_kfree(buf);
	}
	dmp_addr_t h;
	void *c = dmp_alloc_coherent(dev, 8192, &h, DMP_GFP_KERNEL | DMP_GFP_NOWARN);
	if (c)
		dmp_free_coherent(dev, 8192, c, h);
}

static void build(const struct dmp_of_platform *plat)
{
	struct dmp_sim_platform *p = NULL;
	struct dmp_of_error err;
	memset(&err, 0, sizeof(err));
	/* small pools: a fuzzed tree may have little memory below 4 GiB */
	struct dmp_sim_platform_opts opts = { .swiotlb_size = 1 << 20,
					      .atomic_pool_size = 64 << 10 };
	int ret = dmp_sim_platform_create(plat, &opts, &p, &err);
	if (ret) {
		if (ret != err.code || !err.message[0] || p || dmp_sim_current())
			abort();
		return;
	}
	nr_built++;
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	dmp_debug_reset();
	for (unsigned int i = 0; i < p->nr_devices; i++)
		exercise(&p->devices[i]);
	nr_devices += p->nr_devices;
	if (dmp_debug_total()) {
		struct dmp_debug_report r;
		if (dmp_debug_get_report(0, &r) == 0)
			fprintf(stderr, "of-fuzz: a finding on correct use: %s\n", r.text);
		abort();
	}
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_platform_destroy(p);
	if (dmp_sim_current())
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmp_of_platform plat, zero;
	static FILE *devnull;
	struct dmp_of_error err;
	/* libfdt wants the blob aligned; the fuzzer's buffer may not be. */
	void *blob = malloc(size ? size : 1);
	int ret;

	if (!blob)
		return 0;
	memcpy(blob, data, size);
	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		/* refusals are expected: keep the log short (DMP_FUZZ_LOG=1 shows it) */
		if (!getenv("DMP_FUZZ_LOG"))
			dmp_set_log_hook(quiet, NULL);
		if (getenv("DMP_FUZZ_STATS"))
			atexit(print_stats);
	}
	nr_inputs++;
	ret = dmp_of_parse(blob, size, &plat, &err);
	if (ret == 0) {
		nr_parsed++;
		if (devnull)
			dmp_of_dump(&plat, devnull);
		build(&plat);
	} else if (ret != err.code || memcmp(&plat, &zero, sizeof(plat)) != 0) {
		abort();
	}
	free(blob);
	return 0;
}
