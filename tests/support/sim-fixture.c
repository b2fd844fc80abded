/* sim-fixture.c - helpers shared by the tests. */
#include <stdlib.h>

#include "sim-fixture.h"

struct dmp_sim *fixture_sim(const struct dmp_sim_config *cfg)
{
	struct dmp_sim_config def;
	struct dmp_sim *sim = NULL;
	/* a test that failed half-way left its machine: clear it, so one
	 * failure does not cascade into every later test */
	if (dmp_sim_current())
		dmp_sim_destroy(dmp_sim_current());
	if (!cfg) {
		dmp_sim_config_default(&def);
		cfg = &def;
	}
	assert_int_equal(dmp_sim_create(cfg, &sim), 0);
	return sim;
}

struct dmp_sim *fixture_sim_bare(void)
{
	struct dmp_sim_config cfg;
	dmp_sim_config_default(&cfg);
	cfg.swiotlb_size = DMP_SIM_NO_SWIOTLB;
	return fixture_sim(&cfg);
}

int fixture_setup_bare(void **state)
{
	*state = fixture_sim_bare();
	return 0;
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

#include <stdio.h>
#include <string.h>

#define LOG_MAX 64
static char log_lines[LOG_MAX][512];
static int log_n;

static void log_hook(void *cookie, const char *line)
{
	(void)cookie;
	if (getenv("DMP_TEST_VERBOSE"))
		fprintf(stderr, "[captured] %s\n", line);
	if (log_n < LOG_MAX)
		snprintf(log_lines[log_n], sizeof(log_lines[0]), "%s", line);
	log_n++;
}

void fixture_log_start(void)
{
	log_n = 0;
	dmp_set_log_hook(log_hook, NULL);
}

void fixture_log_stop(void)
{
	dmp_set_log_hook(NULL, NULL);
}

int fixture_log_count(void)
{
	return log_n;
}

bool fixture_log_has(const char *s, ...)
{
	for (int i = 0; i < log_n && i < LOG_MAX; i++) {
		va_list ap;
		va_start(ap, s);
		bool all = true;
		for (const char *w = s; w; w = va_arg(ap, const char *))
			if (!strstr(log_lines[i], w))
				all = false;
		va_end(ap);
		if (all)
			return true;
	}
	return false;
}
