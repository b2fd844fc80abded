/* sim-fixture.h - a simulated machine per test, for cmocka tests. */
#ifndef DMP_TEST_SIM_FIXTURE_H
#define DMP_TEST_SIM_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include <dmaport/simulator.h>
#include <dmaport/platform.h> /* tests play the platform: failure injection, caches */

/* Create a machine from @cfg (or the default when NULL); fails the test on error. */
struct dmp_sim *fixture_sim(const struct dmp_sim_config *cfg);

/* The default machine without its default bounce pool: for allocator tests
 * that count pages or make the default pool themselves. */
struct dmp_sim *fixture_sim_bare(void);

/* cmocka setup/teardown: a default machine in *state (bare: no bounce pool). */
int fixture_setup_default(void **state);
int fixture_setup_bare(void **state);
int fixture_teardown(void **state);

/* A small deterministic PRNG for reference-model tests. */
uint64_t fixture_rand(uint64_t *s);

#endif

/* Capture dmaport's report lines: fixture_log_start() clears, then count and
 * search what was logged; fixture_log_stop() restores the console. */
void fixture_log_start(void);
void fixture_log_stop(void);
int fixture_log_count(void);
/* true if some captured line contains every one of the NULL-terminated strings */
bool fixture_log_has(const char *s, ...);
