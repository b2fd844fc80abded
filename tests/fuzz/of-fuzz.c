/*
 * of-fuzz.c - libFuzzer target: mutated blobs into the device-tree reader.
 *
 * `make fuzz` builds it with clang and runs it for FUZZ_SECONDS (20) on a
 * corpus of the test and example trees compiled by dtc; `make check` runs it.
 *
 * Each input must parse to 0 or to a clean error: a negative errno that the
 * error struct repeats, and a zeroed description.  A successful description
 * is printed (to /dev/null) so that the dump runs over it too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dmaport/of.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	ret = dmp_of_parse(blob, size, &plat, &err);
	if (ret == 0) {
		if (devnull)
			dmp_of_dump(&plat, devnull);
	} else if (ret != err.code || memcmp(&plat, &zero, sizeof(plat)) != 0) {
		abort();
	}
	free(blob);
	return 0;
}
