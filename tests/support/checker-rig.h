/* checker-rig.h - one checked device on a simulated machine, in each of the
 * configurations the checker's tests sweep: coherent or not; the direct
 * path, or behind the simulated IOMMU with strict or lazy invalidation;
 * plain or hostile caches. */
#ifndef DMP_TEST_CHECKER_RIG_H
#define DMP_TEST_CHECKER_RIG_H

#include "sim-fixture.h"

#include <dmaport/debug.h>
#include <dmaport/iommu-driver.h>
#include <dmaport/sim/iommu-driver.h>

enum rig_path { RIG_DIRECT, RIG_STRICT, RIG_LAZY };

struct rig_cfg {
	bool hostile, coherent;
	enum rig_path path;
};

/* The twelve configurations; RIG_ALL(test) lists a test once in each. */
extern const struct rig_cfg rig_cfgs[12];
#define RIG_ALL(t)                                                                            \
	cmocka_unit_test_prestate(t, (void *)&rig_cfgs[0]),                                   \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[1]),                           \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[2]),                           \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[3]),                           \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[4]),                           \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[5]),                           \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[6]),                           \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[7]),                           \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[8]),                           \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[9]),                           \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[10]),                          \
		cmocka_unit_test_prestate(t, (void *)&rig_cfgs[11])

struct rig {
	const struct rig_cfg *cfg;
	struct dmp_sim *sim;
	struct dmp_sim_device *hw;
	struct dmp_sim_iommu *iommu_hw;
	struct dmp_iommu *iommu;
	struct dmp_device dev;
};

/* The machine of *@state's configuration, the device "nic0" on it, the
 * checker in fail mode (guard mode as it is), the log captured. */
void rig_up(struct rig *r, void **state);
void rig_down(struct rig *r);

/* Nothing found, of any kind (fails the test with the first report). */
void rig_expect_none(void);

/*
 * Exactly one finding, of @kind, about @r's device, at @file:@line, the
 * device owning the buffer since @owner_line of the same file (0: not
 * checked); the counters are reset after.
 */
void rig_expect_one_at(struct rig *r, enum dmp_debug_kind kind, const char *file, int line,
		       int owner_line);
#define rig_expect_one(r, kind, line, owner_line)                                             \
	rig_expect_one_at((r), (kind), __FILE__, (line), (owner_line))

#endif
