/* SPDX-License-Identifier: MIT */
/*
 * dmaport/debug.h - the DMA-API checker (Linux's CONFIG_DMA_API_DEBUG, made
 * stronger by the simulated platform).
 *
 * Callers' header: for tests, tools and drivers that want to turn the checker
 * on, read what it found, or name a moment at which the CPU reads a buffer.
 *
 * What it checks.  Every mapping and allocation is tracked with its call site.
 * On every platform (bookkeeping): unmap or free of an address never mapped;
 * size, type, CPU address, scatterlist count or direction mismatch between map
 * and unmap; a mapping whose error was never checked with dmp_mapping_error();
 * mapping memory from the stack or memory that is not DMA-able; sync of
 * unmapped memory, outside the mapped range, with another direction, of a
 * device read-only buffer for the CPU or a device write-only one for the
 * device; overlapping mappings of the same cache lines; scatterlist segments
 * longer than the device's maximum or crossing its boundary; mappings and
 * allocations still live when the device is removed.  Every call the API
 * refuses (no device, size 0, an unknown direction or attribute, a free or
 * sync of memory it does not know, a foreign block given to dmp_pool_free,
 * ...) is a finding too, with its kind: it counts in dmp_debug_total() and
 * aborts in abort mode, whether or not the bookkeeping had the entry.
 *
 * On the simulated platform, for a device whose dev->hw points at its
 * simulated hardware, the checker also watches the simulator's events: the
 * device reading lines the CPU never cleaned, the CPU getting a buffer back
 * without invalidating lines the device wrote, lost updates, invalidates that
 * discard CPU data sharing a line with a buffer, CPU writes to a buffer the
 * device owns, device accesses outside every mapping (rogue DMA), after an
 * unmap, or faulting, and device reads of write-combining memory that no
 * barrier has drained.
 *
 * Guard mode (the simulated platform, x86-64 and aarch64 Linux hosts): while
 * a device owns a streaming buffer - from its map or sync_for_device to its
 * sync_for_cpu or unmap - the pages holding it are inaccessible to the CPU,
 * so a CPU load or store there traps and is reported at the line of the
 * faulting instruction (DMP_DEBUG_CPU_READ_OWNED, DMP_DEBUG_CPU_WROTE_OWNED),
 * even a store of the value the buffer already held.  Accesses to the rest
 * of such a page go through (the page is opened for that one instruction,
 * with the program's other threads stopped).  On by default whenever the
 * checker is on; off with DMP_DEBUG_GUARD=0 or dmp_debug_set_guard(false).
 * docs/checker.md says what it costs and where it cannot work.
 *
 * Modes.  Off (the default: the API pays one predicted branch per call),
 * warn, fail and abort; set from C (dmp_debug_set_mode) or from the
 * environment (DMP_DEBUG=off|warn|fail|abort, or on|1 for warn, read when the
 * program starts and again by dmp_debug_init(); dmp_debug_parse_mode()).  Per device: dmp_debug_enable_device(),
 * or DMP_DEBUG_DEVICES=name,name,... in the environment (read with
 * DMP_DEBUG; only the devices named are checked, as Linux's
 * dma_debug_driver= picks one driver; devices given a choice with
 * dmp_debug_enable_device() keep it).
 *
 * Locking.  Every function here is thread-safe (one internal lock); the
 * callbacks of dmp_debug_for_each_live() run with that lock held and must
 * not call the DMA API.
 */
#ifndef DMAPORT_DEBUG_H
#define DMAPORT_DEBUG_H

#include <dmaport/types.h>
#include <dmaport/dma-direction.h>
#include <dmaport/device.h>
#include <dmaport/dma-mapping.h>

DMP_BEGIN_DECLS

/**
 * enum dmp_debug_mode - what the checker does with a finding.
 * @DMP_DEBUG_OFF:   nothing is tracked or checked.
 * @DMP_DEBUG_WARN:  a report line (dmp_log) and the per-kind counter.
 * @DMP_DEBUG_FAIL:  as warn, and the structured record is kept for
 *                   dmp_debug_get_report() (what tests use).
 * @DMP_DEBUG_ABORT: as fail, then abort() at the first finding.
 */
enum dmp_debug_mode {
	DMP_DEBUG_OFF = 0,
	DMP_DEBUG_WARN,
	DMP_DEBUG_FAIL,
	DMP_DEBUG_ABORT,
};

/** enum dmp_debug_kind - what a finding is. */
enum dmp_debug_kind {
	/* bookkeeping, every platform */
	DMP_DEBUG_FREE_UNKNOWN,      /* unmap/free of an address never mapped */
	DMP_DEBUG_SIZE_MISMATCH,     /* unmap/free with another size */
	DMP_DEBUG_TYPE_MISMATCH,     /* unmapped with the wrong function */
	DMP_DEBUG_CPU_ADDR_MISMATCH, /* freed with another CPU address */
	DMP_DEBUG_SG_COUNT_MISMATCH, /* unmap_sg with another entry count */
	DMP_DEBUG_DIR_MISMATCH,      /* unmapped with another direction */
	DMP_DEBUG_ERROR_UNCHECKED,   /* dmp_mapping_error() never called */
	DMP_DEBUG_MAP_STACK,         /* mapping memory from the stack */
	DMP_DEBUG_MAP_NOT_DMA,       /* mapping memory that is not DMA-able */
	DMP_DEBUG_SYNC_UNMAPPED,     /* sync of memory never mapped */
	DMP_DEBUG_SYNC_RANGE,        /* sync outside the mapped range */
	DMP_DEBUG_SYNC_DIR,          /* sync with another direction */
	DMP_DEBUG_SYNC_RO_FOR_CPU,   /* TO_DEVICE mapping synced for the CPU as if written */
	DMP_DEBUG_SYNC_WO_FOR_DEV,   /* FROM_DEVICE mapping synced for the device as if read */
	DMP_DEBUG_OVERLAP,           /* two mappings share a cache line */
	DMP_DEBUG_SG_TOO_LONG,       /* segment longer than max_segment_size */
	DMP_DEBUG_SG_BOUNDARY,       /* segment crossing segment_boundary_mask */
	DMP_DEBUG_LEAK,              /* live at device removal (or a pool destroyed busy) */
	DMP_DEBUG_INVALID_ARGS,      /* a call refused for its arguments (no device, size 0,
					unknown direction or attributes, ...) */
	DMP_DEBUG_POOL_BAD_FREE,     /* dma_pool_free of a foreign, misaligned or free block */
	DMP_DEBUG_POOL_WRITE_AFTER_FREE, /* a dma_pool block written after its free */
	/* the simulated platform */
	DMP_DEBUG_STALE_TO_DEVICE,   /* the device read lines the CPU never cleaned */
	DMP_DEBUG_STALE_TO_CPU,      /* the CPU takes lines the device wrote, never invalidated */
	DMP_DEBUG_LOST_UPDATE,       /* the CPU and the device both wrote a line */
	DMP_DEBUG_INVAL_SHARED,      /* an invalidate discards CPU data sharing a line */
	DMP_DEBUG_CPU_WROTE_OWNED,   /* the CPU wrote a buffer the device owned */
	DMP_DEBUG_CPU_READ_OWNED,    /* the CPU read a buffer the device owned (guard mode) */
	DMP_DEBUG_ROGUE_DMA,         /* device access outside every mapping */
	DMP_DEBUG_DEV_WROTE_CPU_OWNED, /* the device wrote a streaming buffer the CPU owned */
	DMP_DEBUG_DMA_AFTER_UNMAP,   /* device access to a buffer after its unmap (on the
					direct path, or behind an IOMMU that faulted it) */
	DMP_DEBUG_STALE_IOTLB,       /* device access after the unmap that a lazy IOMMU let
					through: its IOTLB still held the translation */
	DMP_DEBUG_DMA_FAULT,         /* device access that faulted (beyond its reach) */
	DMP_DEBUG_WC_UNDRAINED,      /* device read WC/uncached stores no barrier drained */
	DMP_DEBUG_NR_KINDS
};

/**
 * struct dmp_debug_report - one finding.
 * @kind:       what it is.
 * @dev:        the device (do not dereference after its removal); @device its name.
 * @dma, @phys, @size, @dir: the mapping (or access) concerned; @phys is the
 *              CPU physical address, 0 when unknown.
 * @file, @line: the call that was wrong (for device-side findings: the map
 *              of the buffer concerned, or NULL).
 * @owner_file, @owner_line: for ownership findings, the map or
 *              sync_for_device that gave the device the buffer; else NULL.
 * @text:       the report line as logged.
 */
struct dmp_debug_report {
	enum dmp_debug_kind kind;
	const struct dmp_device *dev;
	char device[DMP_DEVICE_NAME_MAX];
	dmp_addr_t dma;
	dmp_phys_t phys;
	size_t size;
	enum dmp_data_direction dir;
	const char *file;
	int line;
	const char *owner_file;
	int owner_line;
	char text[1024];
};

/**
 * struct dmp_debug_live - a live mapping or allocation, as listed by
 * dmp_debug_for_each_live().  @cpu_addr is NULL for map_resource; @sg_nents
 * the entry count passed to map_sg (0 otherwise); @error_checked whether
 * dmp_mapping_error() was called on it; @device_owns whether the device owns
 * it now (streaming mappings; coherent allocations are shared).
 */
struct dmp_debug_live {
	const struct dmp_device *dev;
	enum dmp_map_type type;
	dmp_addr_t dma;
	dmp_phys_t phys;
	const void *cpu_addr;
	size_t size;
	enum dmp_data_direction dir;
	unsigned long attrs;
	int sg_nents;
	bool error_checked;
	bool device_owns;
	const char *file;
	int line;
};

/**
 * dmp_debug_init - (re)read DMP_DEBUG from the environment (hosted builds:
 * "off", "warn", "fail" or "abort"; unset leaves the mode as it is), and
 * DMP_DEBUG_GUARD ("0" or "1"; unset leaves guard mode as it is), and
 * attach to the active simulator.  Returns 0, or -EINVAL for a value it does
 * not know (that setting is then unchanged).  Context: any.
 */
DMP_API int dmp_debug_init(void);

/**
 * dmp_debug_set_guard - guard mode on (the default) or off, from now on:
 * it acts while the checker is on.  Buffers handed to a device before a
 * change keep their state until their next handover.  Returns 0, or
 * -EOPNOTSUPP (@on, but no platform here can guard: not the simulator, a
 * host architecture without support, a ThreadSanitizer build; guard mode
 * is then off).  Context: not from a signal handler; may allocate.
 */
DMP_API int dmp_debug_set_guard(bool on);
/** dmp_debug_get_guard - whether guard mode acts now (wanted, checker on, supported). */
DMP_API bool dmp_debug_get_guard(void);

/** dmp_debug_set_mode - set the mode for every device (see enum dmp_debug_mode). */
DMP_API void dmp_debug_set_mode(enum dmp_debug_mode mode);
/** dmp_debug_get_mode - the current mode. */
DMP_API enum dmp_debug_mode dmp_debug_get_mode(void);
/** dmp_debug_mode_name - "off", "warn", "fail", "abort". */
DMP_API const char *dmp_debug_mode_name(enum dmp_debug_mode mode);
/**
 * dmp_debug_parse_mode - the mode @s names: "off", "warn", "fail", "abort",
 * or "on" and "1" for warn.  This is the parser DMP_DEBUG goes through, for
 * tools that check the variable (or an option) before they run.  Returns 0
 * with *@mode set, or -EINVAL (@s NULL or not a mode; *@mode untouched).
 * Context: any.
 */
DMP_API int dmp_debug_parse_mode(const char *s, enum dmp_debug_mode *mode);

/**
 * dmp_debug_enable_device - check @dev (@on) or leave it alone.  @dev NULL
 * sets the default for every device not named explicitly (initially on), so
 * checking one device only is enable_device(NULL, false) then
 * enable_device(dev, true).  Mappings made while a device is not checked
 * are not tracked.  Returns 0 or -ENOMEM (more than 64 devices named).
 */
DMP_API int dmp_debug_enable_device(const struct dmp_device *dev, bool on);

/** dmp_debug_count - findings of @kind since the last reset. */
DMP_API unsigned long dmp_debug_count(enum dmp_debug_kind kind);
/** dmp_debug_total - findings of every kind since the last reset. */
DMP_API unsigned long dmp_debug_total(void);
/** dmp_debug_kind_name - a short name of @kind ("stale-to-device", ...). */
DMP_API const char *dmp_debug_kind_name(enum dmp_debug_kind kind);

/**
 * dmp_debug_nr_reports - how many records dmp_debug_get_report() holds (the
 * last DMP_DEBUG_MAX_REPORTS, in fail and abort modes).
 */
#define DMP_DEBUG_MAX_REPORTS 64
DMP_API size_t dmp_debug_nr_reports(void);
/** dmp_debug_get_report - copy record @i (0 = oldest kept). Returns 0 or -ENOENT. */
DMP_API int dmp_debug_get_report(size_t i, struct dmp_debug_report *out);

/**
 * dmp_debug_reset - forget counters and records (live mappings stay
 * tracked: they are still live).
 */
DMP_API void dmp_debug_reset(void);

/**
 * dmp_debug_for_each_live - call @fn for each live mapping and allocation
 * of @dev (NULL: of every device).  Returns how many were listed.  @fn runs
 * under the checker's lock: it must not call the DMA API.
 */
typedef void (*dmp_debug_live_fn)(void *cookie, const struct dmp_debug_live *live);
DMP_API size_t dmp_debug_for_each_live(const struct dmp_device *dev, dmp_debug_live_fn fn,
				       void *cookie);
/**
 * dmp_debug_table_check - consistency walker of the checker's own table:
 * every live entry listed once and findable in its hash bucket.  Returns 0,
 * or -EFAULT if the table is corrupt.
 */
DMP_API int dmp_debug_table_check(void);

/** dmp_debug_dump - log one line per live mapping of @dev (NULL: all); returns the count. */
DMP_API size_t dmp_debug_dump(const struct dmp_device *dev);

/**
 * dmp_debug_check_point - the CPU is about to read [@ptr, @ptr + @size):
 * report (DMP_DEBUG_STALE_TO_CPU) lines of it that a device wrote behind the
 * cache and that were never invalidated.  Returns the number of stale lines
 * (0 on other platforms, or for a device-coherent buffer).
 */
#define dmp_debug_check_point(dev, ptr, size)                                                 \
	dmp__debug_check_point((dev), (ptr), (size), __FILE__, __LINE__)
DMP_API size_t dmp__debug_check_point(struct dmp_device *dev, const void *ptr, size_t size,
				      const char *file, int line);

DMP_END_DECLS

#endif /* DMAPORT_DEBUG_H */
