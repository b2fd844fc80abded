/* SPDX-License-Identifier: MIT */
/*
 * sim-internal.h - the simulated platform's private state.  Not installed.
 */
#ifndef DMP_SIM_INTERNAL_H
#define DMP_SIM_INTERNAL_H

#include <dmaport/sim.h>
#include <dmaport/sim/irq.h>

#include "../internal.h"

struct sim_region {
	dmp_phys_t base;
	size_t size;
	uint8_t *c, *s, *o, *d;  /* the images; o only with an outer cache */
	uint8_t *cpu;            /* C again, as the CPU's pointers see it: the
				    same memfd pages mapped a second time, so
				    guard mode can protect these while the
				    simulator (and the checker) keep reading
				    and writing C through @c */
	uint8_t *outer_valid;    /* one byte per line */
	uint8_t *outer_dirty;
	uint8_t *attr;           /* enum dmp_mem_attr, one byte per page */
	struct dmp_page *memmap;
	int fd;                  /* memfd behind c */
};

struct sim_range {
	dmp_phys_t phys;
	size_t size;
};

struct sim_mmio_map {
	uint8_t *va;
	size_t size;       /* mapped (page rounded) */
	dmp_phys_t phys;   /* physical address of va */
	struct dmp_sim_device *dev;
};

struct dmp_sim_device {
	struct dmp_sim *sim;
	char name[48];
	unsigned int port_bits;
	uint64_t port_mask;
	bool coherent;
	dmp_phys_t mmio_base;
	size_t mmio_size;
	const struct dmp_sim_device_ops *ops;
	void *priv;
	dmp_sim_translate_fn translate;
	void *translate_cookie;
	int irq[DMP_SIM_DEVICE_MAX_IRQS]; /* wired lines, -1: none (irq.c) */
	struct dmp_sim_device *next;
};

/* One interrupt line (irq.c). */
struct sim_irq_line {
	uint8_t trigger;   /* enum dmp_sim_irq_trigger */
	bool disabled;
	bool latched;      /* edge seen, not yet taken */
	bool asserted;     /* level held by the device */
	uint64_t count;    /* times taken */
};

#define SIM_RECENT 16
#define SIM_TRACE_MAX (1u << 20)

struct dmp_sim {
	struct dmp_sim_config cfg;
	size_t line;           /* line size */
	unsigned int line_shift;
	unsigned int nr;
	struct sim_region r[DMP_MAX_REGIONS];

	dmp_spinlock_t lock;   /* the lists, hostile state and trace below */

	/* pages that are not normal memory: drained by write barriers */
	struct sim_range *nc;
	size_t nr_nc, cap_nc;
	_Atomic size_t nr_nc_pages; /* fast test for the write barrier */
	/* write-track.c: the kernel's record of the pages the CPU wrote */
	int wt_uffd, wt_pagemap;
	_Atomic bool wt_on;
	/* pages the write barriers examined (compared with DRAM), for tests */
	_Atomic uint64_t barrier_pages;

	struct dmp_sim_device *devices;
	struct sim_mmio_map *maps;
	size_t nr_maps, cap_maps;

	/* hostile mode */
	uint64_t rng;
	struct sim_range recent[SIM_RECENT];
	unsigned int recent_next;

	/* trace */
	bool trace_on;
	struct dmp_sim_event *ev;
	size_t nr_ev, cap_ev;
	uint64_t seq;
	dmp_sim_trace_fn hook;
	void *hook_cookie;
	struct {
		dmp_sim_trace_fn fn;
		void *cookie;
	} obs[DMP_SIM_MAX_OBSERVERS];
	_Atomic unsigned int nr_obs; /* fast test: anyone listening? */

	struct dmp_swiotlb_pool *default_pool; /* sim-swiotlb.c */
	/* time and interrupts (irq.c); the callout list under @lock */
	_Atomic uint64_t now;
	uint64_t callout_seq;
	struct dmp_sim_callout *callouts; /* sorted by (when, seq) */
	struct sim_irq_line *lines;       /* DMP_SIM_NR_IRQS, allocated on first use */
	unsigned int nr_pending;          /* lines latched or asserted */
	dmp_sim_irq_entry_fn irq_entry;
	void *irq_cookie;
	bool cpu_masked;
	bool in_irq;
};

/* sim.c */
struct sim_region *dmp__sim_region(struct dmp_sim *sim, dmp_phys_t phys);
/* For tests: pages the write barriers of @sim have examined so far. */
uint64_t dmp__sim_barrier_pages(struct dmp_sim *sim);

/*
 * write-track.c: the pages of uncached memory the CPU wrote since the last
 * barrier, from the kernel (userfaultfd asynchronous write-protect and
 * PAGEMAP_SCAN); off where the kernel cannot, after dmp__sim_wt_stop(),
 * or with DMP_SIM_WRITE_TRACK=0.  init after the regions are mapped, fini
 * before they are unmapped.
 */
#define DMP__SIM_WT_MIN (8 * DMP_PAGE_SIZE) /* smaller ranges: compared whole */
void dmp__sim_wt_init(struct dmp_sim *sim);
void dmp__sim_wt_fini(struct dmp_sim *sim);
bool dmp__sim_wt_active(struct dmp_sim *sim);
/* Stop tracking for good (the barrier examines every uncached page again):
 * memory is mapped where the kernel's record does not see the stores. */
void dmp__sim_wt_stop(struct dmp_sim *sim);
/* [off, off + size) of @r counts as written again: examined at the next scan. */
void dmp__sim_wt_unprotect(struct dmp_sim *sim, struct sim_region *r, size_t off, size_t size);
/* Call @fn for each run of pages of [off, off + size) of @r written since
 * the last scan (offsets in @r), protected again before @fn looks.  0, or a
 * negative errno after which tracking is off (the caller examines all). */
int dmp__sim_wt_scan(struct dmp_sim *sim, struct sim_region *r, size_t off, size_t size,
		     void (*fn)(struct dmp_sim *, struct sim_region *, size_t, size_t, void *),
		     void *cookie);
/* The simulator's own pointer to the C image at @phys (never guarded), or NULL. */
uint8_t *dmp__sim_c(struct dmp_sim *sim, dmp_phys_t phys);
void dmp__sim_touch(struct dmp_sim *sim, dmp_phys_t phys, size_t size);
void dmp__sim_event(struct dmp_sim *sim, const struct dmp_sim_event *ev);

/* sim-checker.c: the simulator's half of the DMA-API checker (idempotent). */
void dmp__sim_checker_register(void);
/* @dev now drives its simulated hardware (dmp_sim_device_link): the checker
 * knows it by that name before its first mapping. */
void dmp__sim_checker_link(struct dmp_device *dev);
/* @dev's hardware is being destroyed: the checker forgets its address. */
void dmp__sim_checker_forget_hw(const struct dmp_sim_device *dev);
/* device.c: @dev is being removed (dmp_device_remove): its hardware, if
 * any, no longer holds it among the devices to clear at destruction. */
void dmp__sim_device_unlink(struct dmp_device *dev);
/*
 * device.c: report an MMIO access of @width bytes at offset @off of @dev
 * that no register or memory of the model answers (@why says where it
 * fell), in the log, naming the device: every model's out-of-range access
 * is refused this one way - a write is dropped, a read returns all ones,
 * as an unclaimed bus access - and said, never silent.
 */
void dmp__sim_mmio_fault(const struct dmp_sim_device *dev, uint64_t off, unsigned width,
			 bool write, const char *why);
/* device.c: set dev->hw = @hw and remember the link; 0, -EINVAL (@dev
 * linked to other hardware), -ENOMEM. */
int dmp__sim_device_link_hw(struct dmp_device *dev, struct dmp_sim_device *hw);
/* For tests: how many device-to-hardware links the checker holds. */
unsigned int dmp__sim_checker_nr_links(void);

/* sim-swiotlb.c: the default bounce pool (@size 0: the default size,
 * DMP_SIM_NO_SWIOTLB: none); exit returns true if the pool leaked */
int dmp__sim_swiotlb_init(struct dmp_sim *sim, size_t size);
bool dmp__sim_swiotlb_exit(struct dmp_sim *sim);
struct dmp_swiotlb_pool *dmp__sim_swiotlb_pool(struct dmp_sim *sim);
/* sim-platform-pci.c: the PCI part of a device-tree machine */
struct dmp_sim_platform;
struct dmp_of_error;
int dmp__sim_platform_build_pci(struct dmp_sim_platform *p, bool external,
				struct dmp_of_error *err);
void dmp__sim_platform_destroy_pci(struct dmp_sim_platform *p);

/* irq.c */
void dmp__sim_mmio_enter(struct dmp_sim *sim, bool read);
void dmp__sim_mmio_exit(struct dmp_sim *sim);
void dmp__sim_irq_destroy(struct dmp_sim *sim);

/* sim-iommu.c: does a simulated IOMMU translate @dev's accesses? */
bool dmp__sim_behind_iommu(const struct dmp_sim_device *dev);

/* device.c */
uint64_t dmp__sim_mmio_read(void *ctx, const volatile void *addr, unsigned width);
void dmp__sim_mmio_write(void *ctx, volatile void *addr, unsigned width, uint64_t val);
int dmp__sim_ioremap(void *ctx, dmp_phys_t phys, size_t size, void **va);
void dmp__sim_iounmap(void *ctx, void *va);
void dmp__sim_devices_destroy(struct dmp_sim *sim);
/*
 * dmp__sim_model_create - the hardware of a device model: @cfg with the
 * model's @ops and (@mmio_size not 0) its register window's size, and
 * @priv_size bytes of zeroed state for the model at *@priv, the device's
 * priv.  0, or an error with nothing left (the state freed); after
 * success the model's destroy frees the state.  -EINVAL when @cfg gives a
 * window (mmio_size not 0) smaller than the model's @mmio_size.
 */
int dmp__sim_model_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
			  const struct dmp_sim_device_ops *ops, size_t mmio_size, size_t priv_size,
			  void **priv, struct dmp_sim_device **out);

#endif /* DMP_SIM_INTERNAL_H */
