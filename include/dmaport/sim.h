/* SPDX-License-Identifier: MIT */
/*
 * dmaport/sim.h - the simulated platform: memory, caches, devices, trace.
 *
 * Callers' header, for the programs that build a simulated machine (tests,
 * dmaport-sim, benchmarks) and for device models.  Drivers running on the
 * machine use only the DMA API and <dmaport/io.h>.
 *
 * The cache model (see docs/simulator.md): for every cache line of simulated
 * memory the simulator keeps images
 *   C  the CPU's view: the memory the driver's pointers point at;
 *   S  the line as the inner cache last filled or cleaned it;
 *   O  the outer cache's copy (with valid and dirty bits), if configured;
 *   D  DRAM: what a non-coherent device reads and writes.
 * The CPU dirtied a line when C != S; a device wrote behind the cache when
 * D != S.  A clean writes C to O (or D) and S; an invalidate refills C and S
 * from O (or D), discarding what the CPU wrote; whole lines always.
 */
#ifndef DMAPORT_SIM_H
#define DMAPORT_SIM_H

#include <stdio.h>

#include <dmaport/memory.h>

DMP_BEGIN_DECLS

struct dmp_sim;
struct dmp_sim_device;
struct dmp_device;

struct dmp_sim_region {
	dmp_phys_t base; /* page aligned */
	uint64_t size;   /* page multiple */
};

/**
 * struct dmp_sim_config - the simulated machine.
 * @regions, @nr_regions: physical memory (at most DMP_MAX_REGIONS).
 * @line_size:     cache line size: 32, 64 or 128.
 * @outer_cache:   an outer (L2) cache that DMA bypasses and that must be
 *                 maintained separately.
 * @write_buffer:  stores to uncached memory wait in a write buffer until a
 *                 barrier (mb, wmb, dma_wmb); write-combining memory always
 *                 does.
 * @hostile:       the caches evict dirty lines and refill clean ones at any
 *                 moment hardware could, driven by @seed.  For one thread:
 *                 the evictions touch lines (and the seed's state) that
 *                 another thread's operations may be using, unlocked, so a
 *                 multi-threaded program runs without it.
 * @hostile_rate:  per 1024: the chance that a line is touched at each moment.
 * @trace:         record events from the start.
 * @swiotlb_size:  the default bounce pool (dmp_swiotlb_default()), made in
 *                 the lowest 4 GiB when the machine has memory there, so
 *                 that a 32-bit device works out of the box on a machine
 *                 with memory above 4 GiB, as Linux boots with swiotlb
 *                 (arch/arm64/mm/init.c: mem_init()).  0: 4 MiB
 *                 (DMP_SWIOTLB_DEFAULT_SIZE); DMP_SIM_NO_SWIOTLB: none.
 *                 The machine owns it: dmp_sim_destroy() destroys it.
 */
struct dmp_sim_config {
	struct dmp_sim_region regions[DMP_MAX_REGIONS];
	unsigned int nr_regions;
	unsigned int line_size;
	bool outer_cache;
	bool write_buffer;
	bool hostile;
	uint64_t seed;
	unsigned int hostile_rate;
	bool trace;
	size_t swiotlb_size;
};

/* dmp_sim_config.swiotlb_size: make no default bounce pool. */
#define DMP_SIM_NO_SWIOTLB ((size_t)-1)

/**
 * dmp_sim_config_default - a non-coherent SoC: 1 GiB at 0x8000_0000 and
 * 1 GiB at 0x1_0000_0000 (so that 32-bit devices need bouncing or an IOMMU),
 * 64-byte lines, an outer cache, a write buffer, not hostile, no trace, a
 * 4 MiB default bounce pool below 4 GiB.
 */
DMP_API void dmp_sim_config_default(struct dmp_sim_config *cfg);

/**
 * dmp_sim_create - build the machine and install it as the active platform,
 * with its default bounce pool (see @swiotlb_size above).
 * Returns 0, -EINVAL (bad configuration), -EBUSY (a platform is active) or
 * -ENOMEM (also: no room for the bounce pool below 4 GiB).  Nothing is left
 * behind on failure.
 */
DMP_API int dmp_sim_create(const struct dmp_sim_config *cfg, struct dmp_sim **out);
/** dmp_sim_destroy - destroy devices, memory, and uninstall the platform. */
DMP_API void dmp_sim_destroy(struct dmp_sim *sim);
/** dmp_sim_current - the active simulator, or NULL. */
DMP_API struct dmp_sim *dmp_sim_current(void);

/** Images of a line (see above). */
enum dmp_sim_image {
	DMP_SIM_CPU = 0,   /* C */
	DMP_SIM_SNAP = 1,  /* S */
	DMP_SIM_OUTER = 2, /* O */
	DMP_SIM_DRAM = 3,  /* D */
};

/**
 * dmp_sim_peek - copy @len bytes at @phys from @image into @buf, without
 * side effects.  Returns 0 or -EFAULT (not simulated memory).
 */
DMP_API int dmp_sim_peek(struct dmp_sim *sim, enum dmp_sim_image image, dmp_phys_t phys,
			 void *buf, size_t len);

/* dmp_sim_line_state() flags. */
#define DMP_SIM_LINE_CPU_DIRTY 0x1   /* C != S */
#define DMP_SIM_LINE_DEV_BEHIND 0x2  /* D != S: memory changed behind the cache */
#define DMP_SIM_LINE_OUTER_VALID 0x4
#define DMP_SIM_LINE_OUTER_DIRTY 0x8
#define DMP_SIM_LINE_UNCACHED 0x10   /* page is uncached or write-combining */
#define DMP_SIM_LINE_WB_PENDING 0x20 /* uncached/WC: C != D, waiting for a barrier */

/** dmp_sim_line_state - the state of the line holding @phys, -EFAULT if none. */
DMP_API int dmp_sim_line_state(struct dmp_sim *sim, dmp_phys_t phys);

/** dmp_sim_mem_attr - the memory type of the page holding @phys. */
DMP_API enum dmp_mem_attr dmp_sim_mem_attr(struct dmp_sim *sim, dmp_phys_t phys);

/**
 * dmp_sim_hostile_point - a moment at which the hostile cache may act (the
 * simulator also calls it at every cache operation, barrier, device access
 * and MMIO access).  No-op unless hostile.
 */
DMP_API void dmp_sim_hostile_point(struct dmp_sim *sim);

/** dmp_sim_evict_all - write every dirty line back (inner then outer), as a
 * full cache flush by set/way would.  For tests and scenarios. */
DMP_API void dmp_sim_evict_all(struct dmp_sim *sim, dmp_phys_t phys, size_t size);

/*
 * Devices.
 */
struct dmp_sim_device_ops {
	/** MMIO read of @width bytes at @offset in the device's window. */
	uint64_t (*mmio_read)(struct dmp_sim_device *dev, uint64_t offset, unsigned width);
	void (*mmio_write)(struct dmp_sim_device *dev, uint64_t offset, unsigned width,
			   uint64_t val);
	/** Free the model's private state (may be NULL). */
	void (*destroy)(struct dmp_sim_device *dev);
};

/**
 * struct dmp_sim_device_config - a DMA-capable simulated device.
 * @name:      for traces and reports.
 * @port_bits: address width of its DMA port (1..64): higher bits are
 *             dropped, as on a real bus.
 * @coherent:  behind the coherent interconnect: reads and writes the CPU's
 *             view (snooping the caches); else reads and writes DRAM.
 * @mmio_base, @mmio_size: its register window (size 0: no registers).
 */
struct dmp_sim_device_config {
	const char *name;
	unsigned int port_bits;
	bool coherent;
	dmp_phys_t mmio_base;
	size_t mmio_size;
	const struct dmp_sim_device_ops *ops;
	void *priv;
};

/** Returns 0, -EINVAL (bad width, MMIO overlapping another device), -ENOMEM. */
DMP_API int dmp_sim_device_create(struct dmp_sim *sim, const struct dmp_sim_device_config *cfg,
				  struct dmp_sim_device **out);
DMP_API void dmp_sim_device_destroy(struct dmp_sim_device *dev);
DMP_API void *dmp_sim_device_priv(struct dmp_sim_device *dev);
DMP_API const char *dmp_sim_device_name(const struct dmp_sim_device *dev);
DMP_API struct dmp_sim *dmp_sim_device_sim(struct dmp_sim_device *dev);
/** dmp_sim_device_coherent - whether @dev sits behind the coherent interconnect. */
DMP_API bool dmp_sim_device_coherent(const struct dmp_sim_device *dev);
/** dmp_sim_device_port_bits - the address width of @dev's DMA port. */
DMP_API unsigned int dmp_sim_device_port_bits(const struct dmp_sim_device *dev);

/**
 * dmp_sim_device_link - make @hw the simulated hardware behind @dev, as a
 * bus does when it creates a device for its hardware.  Call it once, after
 * dmp_device_init() and before the device's first mapping or allocation.
 *
 * It also makes @dev agree with the hardware, which the DMA API must:
 *  - coherence: @dev is coherent exactly when @hw is behind the coherent
 *    interconnect (dmp_device_set_coherent()).  A mismatch is a real bug:
 *    a coherent device marked non-coherent only costs cache maintenance,
 *    but a non-coherent device marked coherent gets none, and reads stale
 *    memory;
 *  - masks: the streaming and coherent DMA masks become the port's width,
 *    as a device-tree-built platform sets them (dmp_sim_platform_create());
 *    a driver may narrow them afterwards with dmp_set_mask_and_coherent().
 * With the link, the checker knows the device's hardware (it watches what
 * the device reads and writes) and reports name it.
 *
 * The link lasts until @dev's removal (dmp_device_remove()) or @hw's
 * destruction (dmp_sim_device_destroy(), dmp_sim_destroy()), which sets
 * dev->hw back to NULL: the device then has no simulated hardware (it may be
 * linked again), rather than a pointer to freed hardware.  So a linked
 * device whose storage goes away before its hardware must be removed first.
 *
 * Context: configuration time, before @dev is used.  Returns 0, or -EINVAL
 * (@dev or @hw NULL, or @dev already linked to other hardware), -ENOMEM.
 */
DMP_API int dmp_sim_device_link(struct dmp_device *dev, struct dmp_sim_device *hw);

/**
 * Translation of a device's bus addresses (an IOMMU sits here).  Translates
 * the access at @addr of at most @len bytes: sets *@phys and *@chunk (bytes
 * contiguous from there, > 0).  Returns 0 or a negative errno (-ENXIO no
 * translation, -EACCES permission), which fails the device's access.
 */
typedef int (*dmp_sim_translate_fn)(void *cookie, struct dmp_sim_device *dev, dmp_addr_t addr,
				    size_t len, bool write, dmp_phys_t *phys, size_t *chunk);
DMP_API void dmp_sim_device_set_translate(struct dmp_sim_device *dev, dmp_sim_translate_fn fn,
					  void *cookie);

/**
 * dmp_sim_dma_read / dmp_sim_dma_write - a DMA access by @dev, exactly as
 * device models make them: the address is truncated to the port width,
 * translated (if an IOMMU is attached), then reads or writes memory through
 * the coherent interconnect or DRAM.  Tests use them to act as a device.
 * Returns 0, -EFAULT (hits no memory: a bus error) or the translation's
 * error; an access that fails part-way has done the part before the fault.
 */
DMP_API int dmp_sim_dma_read(struct dmp_sim_device *dev, dmp_addr_t addr, void *buf, size_t len);
DMP_API int dmp_sim_dma_write(struct dmp_sim_device *dev, dmp_addr_t addr, const void *buf,
			      size_t len);

/*
 * The trace.
 */
enum dmp_sim_event_kind {
	DMP_EV_CLEAN,       /* inner clean: lines = lines written back */
	DMP_EV_INVAL,       /* inner invalidate: lines = dirty lines discarded */
	DMP_EV_FLUSH,       /* inner clean+invalidate */
	DMP_EV_OUTER_CLEAN,
	DMP_EV_OUTER_INVAL,
	DMP_EV_OUTER_FLUSH,
	DMP_EV_BARRIER,     /* lines = write-buffer lines drained */
	DMP_EV_DEV_READ,
	DMP_EV_DEV_WRITE,
	DMP_EV_DEV_FAULT,   /* a device access that failed (value = -errno) */
	DMP_EV_MMIO_READ,
	DMP_EV_MMIO_WRITE,
	DMP_EV_EVICT,       /* hostile: a dirty line written back by the cache */
	DMP_EV_REFILL,      /* hostile: a clean line dropped and refilled */
	DMP_EV_ATTR,        /* memory type change */
	DMP_EV_NOTE,        /* a scenario's annotation */
	/* a simulated IOMMU (device = the device whose access it translates;
	 * bus = the IOVA; text = the IOMMU's name, or the fault's reason) */
	DMP_EV_IOTLB_HIT,   /* translated from the IOTLB: phys, size = the entry's */
	DMP_EV_IOMMU_WALK,  /* an IOTLB miss walked the tables: value = the leaf's
			     * level, phys and size its output and size */
	DMP_EV_IOMMU_FAULT, /* the access faulted: value = enum dmp_sim_iommu_fault_reason */
	DMP_EV_IOTLB_INVAL, /* an invalidation: lines = entries dropped (bus, size:
			     * the range, size 0 for all) */
};

struct dmp_sim_event {
	uint64_t seq;
	enum dmp_sim_event_kind kind;
	const char *device;         /* device name, or NULL for the CPU */
	struct dmp_sim_device *sdev; /* the device, or NULL for the CPU */
	dmp_addr_t bus;             /* device accesses: the address on the port */
	dmp_addr_t addr;            /* device accesses: the address the device used
				       (not @bus when its port dropped top bits) */
	dmp_phys_t phys;
	size_t size;
	unsigned int lines;         /* lines whose state the event changed */
	enum dmp_sim_image image;   /* the image a device access touched */
	uint64_t value;             /* MMIO value; barrier: which barrier */
	char text[96];              /* NOTE text, barrier name */
};

/** Called for each event as it happens (e.g. to print a live trace). */
typedef void (*dmp_sim_trace_fn)(void *cookie, const struct dmp_sim_event *ev);

DMP_API void dmp_sim_trace_enable(struct dmp_sim *sim, bool on);
/** dmp_sim_trace_set_hook - the one live printer of events (NULL: none). */
DMP_API void dmp_sim_trace_set_hook(struct dmp_sim *sim, dmp_sim_trace_fn fn, void *cookie);

/**
 * dmp_sim_add_observer - also call @fn for every event (the checker watches
 * device accesses and cache operations this way).  At most
 * DMP_SIM_MAX_OBSERVERS; returns 0 or -ENOMEM.  An observer runs on the
 * thread that caused the event, after the event took effect.
 */
#define DMP_SIM_MAX_OBSERVERS 4
DMP_API int dmp_sim_add_observer(struct dmp_sim *sim, dmp_sim_trace_fn fn, void *cookie);
DMP_API void dmp_sim_remove_observer(struct dmp_sim *sim, dmp_sim_trace_fn fn, void *cookie);
DMP_API size_t dmp_sim_trace_count(struct dmp_sim *sim);
/** dmp_sim_trace_get - event @i (0 = oldest kept); NULL past the end. */
DMP_API const struct dmp_sim_event *dmp_sim_trace_get(struct dmp_sim *sim, size_t i);
DMP_API void dmp_sim_trace_clear(struct dmp_sim *sim);
/** dmp_sim_trace_note - add a NOTE event (printf-style). */
DMP_API void dmp_sim_trace_note(struct dmp_sim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** dmp_sim_event_format - one line describing @ev into @buf. */
DMP_API void dmp_sim_event_format(const struct dmp_sim_event *ev, char *buf, size_t len);
DMP_API void dmp_sim_trace_print(struct dmp_sim *sim, FILE *f);
/** dmp_sim_event_kind_name - "clean", "dev-read", ... */
DMP_API const char *dmp_sim_event_kind_name(enum dmp_sim_event_kind kind);

DMP_END_DECLS

#endif /* DMAPORT_SIM_H */
