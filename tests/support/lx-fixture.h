/* lx-fixture.h - the machine of the Linux-compat tests: a device tree
 * loaded on the compat driver core with the checker on, and unloaded with
 * what the checker found counted (and printed, so a failure says why).
 * Header-only: the support objects are built without -Icompat, the compat
 * tests with it.  Include after "support/sim-fixture.h" (cmocka). */
#ifndef DMP_TESTS_LX_FIXTURE_H
#define DMP_TESTS_LX_FIXTURE_H

#include <stdio.h>

#include <dmaport/debug.h>
#include <dmaport/linux.h>

/* Load @dts (what a test that failed half-way left goes first). */
static inline void lx_machine_load(const char *dts, const struct dmp_lx_machine_opts *opts,
				   enum dmp_debug_mode mode)
{
	struct dmp_of_error err;
	if (dmp_lx_machine_platform())
		dmp_lx_machine_unload();
	if (dmp_sim_current())
		dmp_sim_destroy(dmp_sim_current());
	int e = dmp_lx_machine_load(dts, opts, &err);
	if (e)
		fprintf(stderr, "%s: %s: %s\n", dts, err.path, err.message);
	assert_int_equal(e, 0);
	dmp_debug_set_mode(mode);
	dmp_debug_reset();
}

/* Unload (rmmod, unbind, devres, leak reports); returns the checker's
 * findings plus what drivers left behind for the unload to undo. */
static inline unsigned long lx_machine_unload(void)
{
	dmp_lx_machine_unload();
	unsigned long n = dmp_debug_total() + dmp_lx_machine_leftovers();
	struct dmp_debug_report r;
	for (size_t i = 0; i < dmp_debug_nr_reports(); i++)
		if (dmp_debug_get_report(i, &r) == 0)
			fprintf(stderr, "finding: %s\n", r.text);
	dmp_debug_reset();
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	return n;
}

static inline void lx_machine_unload_clean(void)
{
	assert_int_equal(lx_machine_unload(), 0);
}

#endif /* DMP_TESTS_LX_FIXTURE_H */
