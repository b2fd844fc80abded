/* SPDX-License-Identifier: MIT */
/*
 * dmaport/sim/iommu.h - the simulated IOMMU hardware.
 *
 * Callers' header, for platform builders and for the IOMMU driver that
 * programs it (src/sim/sim-iommu-driver.c).  Modelled on an Arm SMMUv3
 * with stage-1 AArch64 tables:
 *   - each stream ID has a stream table entry: abort (the reset state),
 *     bypass, or translate with a context (TTBR0, TG0, T0SZ, IPS, ASID);
 *   - translation walks the tables from memory with the simulator's own
 *     walker (src/sim/lpae-walk.c, written from the descriptor format, not
 *     from dmaport's io-pgtable), reading the CPU's view if the walk is
 *     coherent, DRAM if not;
 *   - an IOTLB caches translations by (ASID, page) and keeps them until an
 *     invalidation command removes them: a PTE cleared without an
 *     invalidation keeps translating, which is what makes the lazy
 *     (deferred) invalidation window real;
 *   - faults (stream, IOVA, read/write, reason) are queued and raise the
 *     IOMMU's interrupt callback.
 * The programming interface is a set of calls standing for the register and
 * command-queue writes a driver would make (STE writes with CFGI, TLBI,
 * event queue reads).
 */
#ifndef DMAPORT_SIM_IOMMU_H
#define DMAPORT_SIM_IOMMU_H

#include <dmaport/sim.h>

DMP_BEGIN_DECLS

struct dmp_sim_iommu;

struct dmp_sim_iommu_config {
	const char *name;
	bool coherent_walk;       /* the walker snoops the CPU caches */
	unsigned int iotlb_entries; /* 0: 64 */
	unsigned int nr_streams;    /* stream IDs 0 .. nr_streams - 1; 0: 256 */
};

/** Returns 0, -EINVAL, -ENOMEM. */
DMP_API int dmp_sim_iommu_create(struct dmp_sim *sim, const struct dmp_sim_iommu_config *cfg,
				 struct dmp_sim_iommu **out);
DMP_API void dmp_sim_iommu_destroy(struct dmp_sim_iommu *iommu);
DMP_API const char *dmp_sim_iommu_name(const struct dmp_sim_iommu *iommu);
DMP_API bool dmp_sim_iommu_coherent_walk(const struct dmp_sim_iommu *iommu);

/**
 * dmp_sim_iommu_attach - put @dev behind @iommu with stream ID @sid: every
 * DMA access of @dev is translated from now on.  Returns 0, -EINVAL (sid out
 * of range) or -EBUSY (the device already has a translator).
 */
DMP_API int dmp_sim_iommu_attach(struct dmp_sim_iommu *iommu, struct dmp_sim_device *dev,
				 uint32_t sid);

enum dmp_sim_ste_mode {
	DMP_SIM_STE_ABORT = 0,  /* every access faults (reset state) */
	DMP_SIM_STE_BYPASS,     /* addresses pass untranslated */
	DMP_SIM_STE_TRANSLATE,  /* stage-1 translation with the context below */
};

struct dmp_sim_ste {
	enum dmp_sim_ste_mode mode;
	uint64_t ttbr;             /* TTBR0 */
	unsigned int tg0, t0sz, ips; /* TCR fields (see lpae-walk.h) */
	uint16_t asid;
};

/** dmp_sim_iommu_write_ste - program stream @sid (a STE write plus CFGI_STE). */
DMP_API int dmp_sim_iommu_write_ste(struct dmp_sim_iommu *iommu, uint32_t sid,
				    const struct dmp_sim_ste *ste);
/* Invalidation commands (TLBI_NSNH_ALL, TLBI_NH_ASID, TLBI_NH_VA). */
DMP_API void dmp_sim_iommu_tlbi_all(struct dmp_sim_iommu *iommu);
DMP_API void dmp_sim_iommu_tlbi_asid(struct dmp_sim_iommu *iommu, uint16_t asid);
DMP_API void dmp_sim_iommu_tlbi_va(struct dmp_sim_iommu *iommu, uint16_t asid, dmp_addr_t iova,
				   size_t size);

enum dmp_sim_iommu_fault_reason {
	DMP_SIM_IOMMU_F_TRANSLATION = 1, /* nothing mapped (or IOVA out of range) */
	DMP_SIM_IOMMU_F_PERMISSION,      /* e.g. a write to a read-only page */
	DMP_SIM_IOMMU_F_ACCESS,          /* access flag clear */
	DMP_SIM_IOMMU_F_ADDR_SIZE,       /* output beyond the output size */
	DMP_SIM_IOMMU_F_WALK_ABORT,      /* a table read hit no memory */
	DMP_SIM_IOMMU_F_BAD_CONFIG,      /* a bad context */
	DMP_SIM_IOMMU_F_ABORT,           /* the stream is set to abort */
};

struct dmp_sim_iommu_fault {
	uint32_t sid;
	dmp_addr_t iova;
	bool write;
	enum dmp_sim_iommu_fault_reason reason;
	const char *device;
};

/** dmp_sim_iommu_pop_fault - take the oldest queued fault: 1, or 0 if none. */
DMP_API int dmp_sim_iommu_pop_fault(struct dmp_sim_iommu *iommu, struct dmp_sim_iommu_fault *f);
/** The interrupt: called (synchronously, on the faulting access) after a fault is queued. */
DMP_API void dmp_sim_iommu_set_irq(struct dmp_sim_iommu *iommu, void (*irq)(void *cookie),
				   void *cookie);
DMP_API const char *dmp_sim_iommu_fault_name(enum dmp_sim_iommu_fault_reason r);

struct dmp_sim_iommu_stats {
	unsigned long hits, misses, faults, fault_overflows, invalidations;
};
DMP_API void dmp_sim_iommu_get_stats(struct dmp_sim_iommu *iommu, struct dmp_sim_iommu_stats *st);

DMP_END_DECLS

#endif /* DMAPORT_SIM_IOMMU_H */
