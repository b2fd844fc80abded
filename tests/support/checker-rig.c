/* checker-rig.c - see checker-rig.h. */
#include <string.h>

#include "checker-rig.h"

const struct rig_cfg rig_cfgs[12] = {
#define C(h, c, p) { .hostile = h, .coherent = c, .path = p }
	C(false, false, RIG_DIRECT), C(false, false, RIG_STRICT), C(false, false, RIG_LAZY),
	C(false, true, RIG_DIRECT),  C(false, true, RIG_STRICT),  C(false, true, RIG_LAZY),
	C(true, false, RIG_DIRECT),  C(true, false, RIG_STRICT),  C(true, false, RIG_LAZY),
	C(true, true, RIG_DIRECT),   C(true, true, RIG_STRICT),   C(true, true, RIG_LAZY),
#undef C
};

void rig_up(struct rig *r, void **state)
{
	r->cfg = *state;
	dmp_debug_set_mode(DMP_DEBUG_OFF); /* a failed test may have left entries */
	struct dmp_sim_config sc;
	dmp_sim_config_default(&sc);
	sc.hostile = r->cfg->hostile;
	sc.seed = 7;
	sc.hostile_rate = 512;
	r->sim = fixture_sim(&sc);
	struct dmp_sim_device_config dc = { .name = "nic0", .port_bits = 64,
					    .coherent = r->cfg->coherent };
	assert_int_equal(dmp_sim_device_create(r->sim, &dc, &r->hw), 0);
	assert_int_equal(dmp_device_init(&r->dev, "nic0"), 0);
	r->dev.hw = r->hw;
	dmp_device_set_coherent(&r->dev, r->cfg->coherent);
	assert_int_equal(dmp_set_mask_and_coherent(&r->dev, DMP_BIT_MASK(64)), 0);
	r->iommu = NULL;
	if (r->cfg->path != RIG_DIRECT) {
		struct dmp_sim_iommu_config ic = { .name = "smmu0", .coherent_walk = true };
		assert_int_equal(dmp_sim_iommu_create(r->sim, &ic, &r->iommu_hw), 0);
		enum dmp_iommu_domain_type t = r->cfg->path == RIG_LAZY ? DMP_IOMMU_DOMAIN_DMA_FQ
									: DMP_IOMMU_DOMAIN_DMA;
		assert_int_equal(dmp_sim_iommu_driver_register(r->iommu_hw, t, &r->iommu), 0);
		uint32_t sid = 3;
		assert_int_equal(dmp_iommu_probe_device(&r->dev, r->iommu, &sid, 1), 0);
	}
	dmp_debug_set_mode(DMP_DEBUG_FAIL);
	assert_int_equal(dmp_debug_enable_device(NULL, true), 0);
	dmp_debug_reset();
	fixture_log_start();
}

void rig_down(struct rig *r)
{
	dmp_device_remove(&r->dev);
	if (r->iommu) {
		dmp_iommu_release_device(&r->dev);
		dmp_sim_iommu_driver_unregister(r->iommu);
		dmp_sim_iommu_destroy(r->iommu_hw);
	}
	fixture_log_stop();
	dmp_debug_set_mode(DMP_DEBUG_OFF);
	dmp_sim_destroy(r->sim);
}

void rig_expect_none(void)
{
	if (dmp_debug_total()) {
		struct dmp_debug_report rep;
		if (dmp_debug_get_report(0, &rep) == 0)
			fail_msg("unexpected finding: %s", rep.text);
		fail_msg("%lu unexpected finding(s)", dmp_debug_total());
	}
}

void rig_expect_one_at(struct rig *r, enum dmp_debug_kind kind, const char *file, int line,
		       int owner_line)
{
	struct dmp_debug_report rep;
	if (dmp_debug_total() != 1 || dmp_debug_count(kind) != 1) {
		if (dmp_debug_get_report(0, &rep) == 0)
			fail_msg("%lu finding(s), %lu of %s; first: %s", dmp_debug_total(),
				 dmp_debug_count(kind), dmp_debug_kind_name(kind), rep.text);
		fail_msg("no finding of %s", dmp_debug_kind_name(kind));
	}
	assert_int_equal(dmp_debug_get_report(0, &rep), 0);
	assert_int_equal(rep.kind, kind);
	if (!rep.file || strcmp(rep.file, file) || rep.line != line)
		fail_msg("reported at %s:%d, not at %s:%d: %s", rep.file ? rep.file : "(none)",
			 rep.line, file, line, rep.text);
	if (owner_line) {
		assert_string_equal(rep.owner_file, file);
		assert_int_equal(rep.owner_line, owner_line);
	}
	assert_ptr_equal(rep.dev, &r->dev);
	dmp_debug_reset();
}
