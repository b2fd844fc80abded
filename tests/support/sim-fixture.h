/* sim-fixture.h - a simulated machine per test, for cmocka tests. */
#ifndef DMP_TEST_SIM_FIXTURE_H
#define DMP_TEST_SIM_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmaport/dmaport.h>

/* Create a machine from @cfg (or the default when NULL); fails the test on error. */
struct dmp_sim *fixture_sim(const struct dmp_sim_config *cfg);

/* cmocka setup/teardown: a default machine in *state. */
int fixture_setup_default(void **state);
int fixture_teardown(void **state);

/* A small deterministic PRNG for reference-model tests. */
uint64_t fixture_rand(uint64_t *s);

#endif
