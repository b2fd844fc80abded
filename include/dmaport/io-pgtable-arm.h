/* SPDX-License-Identifier: MIT */
/*
 * dmaport/io-pgtable-arm.h - the Arm LPAE page-table format (VMSAv8-64
 * stage 1, 4K/16K/64K granules; src/iommu/io-pgtable-arm.c): its descriptor,
 * its output configuration and the register encodings a driver programs.
 *
 * IMPLEMENTERS' HEADER, for IOMMU hardware drivers; <dmaport/io-pgtable.h>
 * includes it.
 */
#ifndef DMAPORT_IO_PGTABLE_ARM_H
#define DMAPORT_IO_PGTABLE_ARM_H

#include <dmaport/types.h>

DMP_BEGIN_DECLS

/** The format, for dmp_alloc_io_pgtable_ops(). */
struct dmp_io_pgtable_fmt;
DMP_API extern const struct dmp_io_pgtable_fmt dmp_io_pgtable_arm_64_lpae_s1;
#define DMP_ARM_64_LPAE_S1 (&dmp_io_pgtable_arm_64_lpae_s1)

/* TCR field encodings (VMSAv8-64 TCR_ELx, SMMUv3 context descriptor). */
#define DMP_ARM_LPAE_TCR_TG0_4K 0
#define DMP_ARM_LPAE_TCR_TG0_64K 1
#define DMP_ARM_LPAE_TCR_TG0_16K 2
#define DMP_ARM_LPAE_TCR_SH_NS 0
#define DMP_ARM_LPAE_TCR_SH_OS 2
#define DMP_ARM_LPAE_TCR_SH_IS 3
#define DMP_ARM_LPAE_TCR_RGN_NC 0
#define DMP_ARM_LPAE_TCR_RGN_WBWA 1
#define DMP_ARM_LPAE_TCR_RGN_WT 2
#define DMP_ARM_LPAE_TCR_RGN_WB 3

/* MAIR indices the LPAE format puts in AttrIndx (Linux's), and their values. */
#define DMP_ARM_LPAE_MAIR_IDX_NC 0    /* normal, non-cacheable: 0x44 */
#define DMP_ARM_LPAE_MAIR_IDX_CACHE 1 /* normal, write-back RW-allocate: 0xff */
#define DMP_ARM_LPAE_MAIR_IDX_DEV 2   /* device nGnRE: 0x04 */

/**
 * struct dmp_io_pgtable_arm_lpae_s1_cfg - what the format gives back, in
 * struct dmp_io_pgtable_cfg's arm_lpae_s1_cfg:
 * @ttbr:  the physical address of the start-level table (TTBR0 / CD.TTB0).
 * @tcr:   the translation control fields for TTBR0: @tg (TG0), @tsz (T0SZ =
 *         64 - ias), @sh/@irgn/@orgn (table walk attributes: inner
 *         shareable write-back if coherent_walk, else outer shareable
 *         non-cacheable), @ips (oas encoded: 32->0 36->1 40->2 42->3 44->4
 *         48->5); @value the same packed as TCR_EL1 (T0SZ[5:0] IRGN0[9:8]
 *         ORGN0[11:10] SH0[13:12] TG0[15:14] EPD1[23] IPS[34:32]).
 * @mair:  MAIR value matching the AttrIndx the format writes (the
 *         DMP_ARM_LPAE_MAIR_IDX_* above).
 */
struct dmp_io_pgtable_arm_lpae_s1_cfg {
	uint64_t ttbr;
	struct {
		unsigned int tg, tsz, sh, irgn, orgn, ips;
		uint64_t value;
	} tcr;
	uint64_t mair;
};

DMP_END_DECLS

#endif /* DMAPORT_IO_PGTABLE_ARM_H */
