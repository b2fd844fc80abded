/* sim-fixture.c - helpers shared by the tests. */
#include "sim-fixture.h"

struct dmp_sim *fixture_sim(const struct dmp_sim_config *cfg)
{
	struct dmp_sim_config def;
	struct dmp_sim *sim = NULL;
	if (!cfg) {
		dmp_sim_config_default(&def);
		cfg = &def;
	}
	assert_int_equal(dmp_sim_create(cfg, &sim), 0);
	return sim;
}

int fixture_setup_default(void **state)
{
	*state = fixture_sim(NULL);
	return 0;
}

int fixture_teardown(void **state)
{
	dmp_sim_destroy(*state);
	return 0;
}

uint64_t fixture_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}
