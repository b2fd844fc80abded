/* SPDX-License-Identifier: MIT */
/*
 * debug.c - the DMA-API checker's bookkeeping: every platform.
 *
 * Every mapping and allocation becomes an entry, hashed by (device, bus
 * address), with its call site; unmap, free and sync are checked against it,
 * as Linux's kernel/dma/debug.c does (check_unmap, check_sync,
 * active_cacheline_insert, check_sg_segment, the driver-unbind leak check).
 * The report lines follow its wording.  What only a simulated platform can
 * see is the platform's half (the simulator's: src/sim/sim-checker.c),
 * called from here through struct dmp__dbg_platform_ops (debug-internal.h).
 *
 * One spinlock covers everything: the checker is a debugging aid, and
 * mapping paths on a few threads never hold it long.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug-internal.h"

_Atomic int dmp__debug_active;

const struct dmp__dbg_platform_ops *_Atomic dmp__dbg_platform;

void dmp__debug_set_platform_ops(const struct dmp__dbg_platform_ops *ops)
{
	atomic_store_explicit(&dmp__dbg_platform, ops, memory_order_release);
}

dmp_spinlock_t dmp__dbg_lock = DMP_SPINLOCK_INIT;
struct dbg_entry dmp__dbg_all = { .prev = &dmp__dbg_all, .next = &dmp__dbg_all };

#define HASH_BITS 10
#define HASH_SIZE (1u << HASH_BITS)
static struct dbg_entry *hash_table[HASH_SIZE];

static _Atomic int mode; /* enum dmp_debug_mode */
static _Atomic bool guard_wanted = true; /* dmp_debug_set_guard */
static _Atomic bool guard_active;        /* wanted, checker on, the platform agreed */

/* Per-device choices (dmp_debug_enable_device); others follow default_on. */
#define MAX_NAMED 64
static struct {
	const struct dmp_device *dev;
	bool on;
} named[MAX_NAMED];
static unsigned int nr_named;
static bool default_on = true;
/* DMP_DEBUG_DEVICES: only devices with these names ("name,name,..."), as
 * Linux's dma_debug_driver= picks one driver; empty: every device */
static char env_names[256];

/*
 * Devices the checker has followed since dmp_device_init() (checked from
 * birth, never turned off since): every mapping they made is in the table,
 * so an unmap or a sync of an address the table lacks is certainly wrong
 * and can be refused.  Mappings of other devices may predate the checker.
 * Emptied whenever the checker or a device filter changes; a full table
 * only means fewer refusals.
 */
#define MAX_BORN 256
static const struct dmp_device *born[MAX_BORN];
static unsigned int nr_born;

static int born_index(const struct dmp_device *dev)
{
	for (unsigned int i = 0; i < nr_born; i++)
		if (born[i] == dev)
			return (int)i;
	return -1;
}

static void born_forget(const struct dmp_device *dev)
{
	int i = born_index(dev);
	if (i >= 0)
		born[i] = born[--nr_born];
}

/* dbg_entry.reported holds one bit per kind */
_Static_assert(DMP_DEBUG_NR_KINDS <= 64, "too many kinds for dbg_entry.reported");

static unsigned long counters[DMP_DEBUG_NR_KINDS];
static struct dmp_debug_report reports[DMP_DEBUG_MAX_REPORTS];
static size_t report_head, nr_reports; /* a ring: the oldest at report_head */

static const char *const kind_names[DMP_DEBUG_NR_KINDS] = {
	[DMP_DEBUG_FREE_UNKNOWN] = "free-unknown",
	[DMP_DEBUG_SIZE_MISMATCH] = "size-mismatch",
	[DMP_DEBUG_TYPE_MISMATCH] = "type-mismatch",
	[DMP_DEBUG_CPU_ADDR_MISMATCH] = "cpu-address-mismatch",
	[DMP_DEBUG_SG_COUNT_MISMATCH] = "sg-count-mismatch",
	[DMP_DEBUG_DIR_MISMATCH] = "direction-mismatch",
	[DMP_DEBUG_ERROR_UNCHECKED] = "error-unchecked",
	[DMP_DEBUG_MAP_STACK] = "map-stack",
	[DMP_DEBUG_MAP_NOT_DMA] = "map-not-dma-able",
	[DMP_DEBUG_SYNC_UNMAPPED] = "sync-unmapped",
	[DMP_DEBUG_SYNC_RANGE] = "sync-out-of-range",
	[DMP_DEBUG_SYNC_DIR] = "sync-direction",
	[DMP_DEBUG_SYNC_RO_FOR_CPU] = "sync-read-only-for-cpu",
	[DMP_DEBUG_SYNC_WO_FOR_DEV] = "sync-write-only-for-device",
	[DMP_DEBUG_OVERLAP] = "overlapping-cachelines",
	[DMP_DEBUG_SG_TOO_LONG] = "sg-segment-too-long",
	[DMP_DEBUG_SG_BOUNDARY] = "sg-segment-boundary",
	[DMP_DEBUG_LEAK] = "leak",
	[DMP_DEBUG_INVALID_ARGS] = "invalid-arguments",
	[DMP_DEBUG_POOL_BAD_FREE] = "pool-bad-free",
	[DMP_DEBUG_POOL_WRITE_AFTER_FREE] = "pool-write-after-free",
	[DMP_DEBUG_STALE_TO_DEVICE] = "stale-to-device",
	[DMP_DEBUG_STALE_TO_CPU] = "stale-to-cpu",
	[DMP_DEBUG_LOST_UPDATE] = "lost-update",
	[DMP_DEBUG_INVAL_SHARED] = "invalidate-shared-line",
	[DMP_DEBUG_CPU_WROTE_OWNED] = "cpu-wrote-device-owned",
	[DMP_DEBUG_CPU_READ_OWNED] = "cpu-read-device-owned",
	[DMP_DEBUG_ROGUE_DMA] = "rogue-dma",
	[DMP_DEBUG_DEV_WROTE_CPU_OWNED] = "device-wrote-cpu-owned",
	[DMP_DEBUG_DMA_AFTER_UNMAP] = "dma-after-unmap",
	[DMP_DEBUG_STALE_IOTLB] = "dma-after-unmap-stale-iotlb",
	[DMP_DEBUG_DMA_FAULT] = "dma-fault",
	[DMP_DEBUG_WC_UNDRAINED] = "wc-undrained",
};

static const char *const type_names[] = {
	[DMP_MAP_SINGLE] = "single", [DMP_MAP_PAGE] = "page", [DMP_MAP_SG] = "scatter-gather",
	[DMP_MAP_RESOURCE] = "resource", [DMP_MAP_COHERENT] = "coherent",
};

static const char *type_name(enum dmp_map_type t)
{
	return (unsigned int)t < DMP_ARRAY_SIZE(type_names) ? type_names[t] : "?";
}

/* ---- modes and filters ----------------------------------------------------- */

static const char *const mode_names[] = { "off", "warn", "fail", "abort" };

const char *dmp_debug_mode_name(enum dmp_debug_mode m)
{
	return (unsigned int)m < DMP_ARRAY_SIZE(mode_names) ? mode_names[m] : "?";
}

/* strcmp() is not among the C library functions a port supplies (port.h) */
static bool same_word(const char *s, const char *word)
{
	return !strncmp(s, word, strlen(word) + 1);
}

int dmp_debug_parse_mode(const char *s, enum dmp_debug_mode *out)
{
	DMP_ASSERT(out);
	if (!s)
		return -EINVAL;
	for (unsigned int m = 0; m < DMP_ARRAY_SIZE(mode_names); m++)
		if (same_word(s, mode_names[m])) {
			*out = (enum dmp_debug_mode)m;
			return 0;
		}
	/* what a user who only wants "the checker on" types */
	if (same_word(s, "on") || same_word(s, "1")) {
		*out = DMP_DEBUG_WARN;
		return 0;
	}
	return -EINVAL;
}

const char *dmp_debug_kind_name(enum dmp_debug_kind kind)
{
	return (unsigned int)kind < DMP_DEBUG_NR_KINDS ? kind_names[kind] : "?";
}

static void entry_free(struct dbg_entry *e);

/* Tell the platform whether to guard, from the mode and the wish. */
static int guard_update(void)
{
	bool on = atomic_load(&guard_wanted) && atomic_load(&mode) != DMP_DEBUG_OFF;
	const struct dmp__dbg_platform_ops *plat = dmp__dbg_plat();
	int err = plat ? plat->guard(on) : on ? -EOPNOTSUPP : 0;
	atomic_store(&guard_active, on && !err);
	return err;
}

int dmp_debug_set_guard(bool on)
{
	atomic_store(&guard_wanted, on);
	int err = guard_update();
	if (!on)
		return 0;
	/* with the checker off there is nothing to guard yet: can it, later? */
	const struct dmp__dbg_platform_ops *plat = dmp__dbg_plat();
	return err ? err : plat && plat->guard_supported() ? 0 : -EOPNOTSUPP;
}

bool dmp_debug_get_guard(void)
{
	return atomic_load(&guard_active);
}

/*
 * Findings made while the mode is the one DMP_DEBUG set at start-up, and the
 * program has not set one itself: what a run of a program that never asked
 * for the checker found (dmp__debug_env_summary; make test-guard).  Never
 * reset by dmp_debug_reset().
 */
static bool mode_from_env;
static unsigned long env_counts[DMP_DEBUG_NR_KINDS];

static void set_mode(enum dmp_debug_mode m);

void dmp_debug_set_mode(enum dmp_debug_mode m)
{
	dmp_spin_lock(&dmp__dbg_lock);
	mode_from_env = false;
	dmp_spin_unlock(&dmp__dbg_lock);
	set_mode(m);
}

static void set_mode(enum dmp_debug_mode m)
{
	DMP_ASSERT((unsigned int)m <= DMP_DEBUG_ABORT);
	atomic_store(&mode, (int)m);
	guard_update();
	if (m == DMP_DEBUG_OFF) {
		/* Nothing is tracked while off: forget what was, so that turning
		 * the checker on again starts from a clean table. */
		atomic_store(&dmp__debug_active, 0);
		dmp_spin_lock(&dmp__dbg_lock);
		while (dmp__dbg_all.next != &dmp__dbg_all) {
			struct dbg_entry *e = dmp__dbg_all.next;
			e->prev->next = e->next;
			e->next->prev = e->prev;
			entry_free(e);
		}
		memset(hash_table, 0, sizeof(hash_table));
		nr_born = 0;
		dmp_spin_unlock(&dmp__dbg_lock);
		if (dmp__dbg_plat())
			dmp__dbg_plat()->forget_history();
		return;
	}
	atomic_store(&dmp__debug_active, 1);
	if (dmp__dbg_plat())
		dmp__dbg_plat()->watch(NULL);
}

enum dmp_debug_mode dmp_debug_get_mode(void)
{
	return (enum dmp_debug_mode)atomic_load(&mode);
}

int dmp_debug_init(void)
{
	const struct dmp__dbg_platform_ops *plat = dmp__dbg_plat();
	if (!plat)
		return 0; /* no environment to read */
	int m = plat->env_mode();
	int g = plat->env_guard();
	if (m == -2 || g == -2)
		return -EINVAL;
	if (g >= 0)
		atomic_store(&guard_wanted, g == 1);
	const char *names = plat->env_devices();
	dmp_spin_lock(&dmp__dbg_lock);
	if (names)
		snprintf(env_names, sizeof(env_names), "%s", names);
	else
		env_names[0] = 0;
	dmp_spin_unlock(&dmp__dbg_lock);
	if (m >= 0) {
		set_mode((enum dmp_debug_mode)m);
		dmp_spin_lock(&dmp__dbg_lock);
		mode_from_env = m != DMP_DEBUG_OFF;
		dmp_spin_unlock(&dmp__dbg_lock);
	} else if (dmp_debug_get_mode() != DMP_DEBUG_OFF) {
		guard_update();
		plat->watch(NULL);
	}
	return 0;
}

int dmp_debug_enable_device(const struct dmp_device *dev, bool on)
{
	int err = 0;
	dmp_spin_lock(&dmp__dbg_lock);
	nr_born = 0; /* a device may have been unchecked for a while */
	if (!dev) {
		default_on = on;
		nr_named = 0; /* a new default: forget the exceptions */
		goto out;
	}
	for (unsigned int i = 0; i < nr_named; i++)
		if (named[i].dev == dev) {
			named[i].on = on;
			goto out;
		}
	if (nr_named == MAX_NAMED) {
		err = -ENOMEM;
		goto out;
	}
	named[nr_named].dev = dev;
	named[nr_named].on = on;
	nr_named++;
out:
	dmp_spin_unlock(&dmp__dbg_lock);
	return err;
}

/* Is @name one of env_names' comma-separated names? */
static bool name_listed(const char *name)
{
	size_t len = strlen(name);
	for (const char *p = env_names; *p;) {
		const char *q = p;
		while (*q && *q != ',')
			q++;
		if ((size_t)(q - p) == len && len && !strncmp(p, name, len))
			return true;
		p = *q ? q + 1 : q;
	}
	return false;
}

static bool checked_locked(const struct dmp_device *dev);

bool dmp__dbg_device_checked(const struct dmp_device *dev)
{
	return checked_locked(dev);
}

bool dmp__dbg_name_checked(const char *name)
{
	if (atomic_load_explicit(&mode, memory_order_relaxed) == DMP_DEBUG_OFF)
		return false;
	return env_names[0] ? name_listed(name) : default_on;
}

/* Is @dev checked?  Under the lock. */
static bool checked_locked(const struct dmp_device *dev)
{
	if (!dev || atomic_load_explicit(&mode, memory_order_relaxed) == DMP_DEBUG_OFF)
		return false;
	for (unsigned int i = 0; i < nr_named; i++)
		if (named[i].dev == dev)
			return named[i].on;
	if (env_names[0])
		return name_listed(dev->name);
	return default_on;
}

/* ---- reports ------------------------------------------------------------- */

/*
 * What to do about each kind, in Linux's names; for a device driven through
 * the native API, fix_native() turns them into dmaport's.
 */
static const char *const fix_linux[DMP_DEBUG_NR_KINDS] = {
	[DMP_DEBUG_FREE_UNKNOWN] = "unmap or free only what was mapped or allocated, with the "
				   "handle the map returned",
	[DMP_DEBUG_SIZE_MISMATCH] = "unmap or free with the size given to the map or alloc",
	[DMP_DEBUG_TYPE_MISMATCH] = "end a mapping with the unmap of its own kind (dma_unmap_page() "
				    "for dma_map_page(), dma_unmap_sg() for dma_map_sg(), ...)",
	[DMP_DEBUG_CPU_ADDR_MISMATCH] = "free with the CPU address the allocation returned",
	[DMP_DEBUG_SG_COUNT_MISMATCH] = "give dma_unmap_sg() the nents given to dma_map_sg(), not "
					"the count it returned",
	[DMP_DEBUG_DIR_MISMATCH] = "unmap with the direction of the map",
	[DMP_DEBUG_ERROR_UNCHECKED] = "test every handle with dma_mapping_error() before the device "
				      "gets it",
	[DMP_DEBUG_MAP_STACK] = "map memory from kmalloc() or the page allocator, never the stack",
	[DMP_DEBUG_MAP_NOT_DMA] = "map memory from kmalloc() or the page allocator",
	[DMP_DEBUG_SYNC_UNMAPPED] = "sync only a live mapping, with the handle its map returned",
	[DMP_DEBUG_SYNC_RANGE] = "keep offset + size of a sync within the mapping",
	[DMP_DEBUG_SYNC_DIR] = "sync with the direction of the map",
	[DMP_DEBUG_SYNC_RO_FOR_CPU] = "sync with the mapping's direction, DMA_TO_DEVICE; map it "
				      "DMA_BIDIRECTIONAL if the device also writes it",
	[DMP_DEBUG_SYNC_WO_FOR_DEV] = "sync with the mapping's direction, DMA_FROM_DEVICE; map it "
				      "DMA_BIDIRECTIONAL if the device must also read what the CPU "
				      "wrote",
	[DMP_DEBUG_OVERLAP] = "give each buffer cache lines of its own: align and pad it to "
			      "dma_get_cache_alignment()",
	[DMP_DEBUG_SG_TOO_LONG] = "split segments at dma_get_max_seg_size(), or raise it with "
				  "dma_set_max_seg_size()",
	[DMP_DEBUG_SG_BOUNDARY] = "split segments at dma_get_seg_boundary()",
	[DMP_DEBUG_LEAK] = "unmap and free every buffer before the device goes away",
	/* each refusal names its own (dmp__dma_misuse()'s fix): this is for
	 * one that does not */
	[DMP_DEBUG_INVALID_ARGS] = "pass the arguments the call documents",
	[DMP_DEBUG_POOL_BAD_FREE] = "give dma_pool_free() only a block dma_pool_alloc() returned from "
				    "that pool, once, with its own handle",
	[DMP_DEBUG_POOL_WRITE_AFTER_FREE] = "do not use a block after dma_pool_free()",
	[DMP_DEBUG_STALE_TO_DEVICE] = "call dma_sync_single_for_device() (or map the buffer) after the "
				      "CPU's last write and before the device reads",
	[DMP_DEBUG_STALE_TO_CPU] = "call dma_sync_single_for_cpu() (or unmap without "
				   "DMA_ATTR_SKIP_CPU_SYNC) before the CPU reads what the device wrote",
	[DMP_DEBUG_LOST_UPDATE] = "do not write a buffer while the device owns it",
	[DMP_DEBUG_INVAL_SHARED] = "align and pad DMA buffers to dma_get_cache_alignment() (kmalloc() "
				   "does)",
	[DMP_DEBUG_CPU_WROTE_OWNED] = "write the buffer before dma_map_*() or after "
				      "dma_sync_*_for_cpu(), never while the device owns it",
	[DMP_DEBUG_CPU_READ_OWNED] = "read the buffer only after dma_sync_*_for_cpu() or "
				     "dma_unmap_*(): until then the device owns it and may still "
				     "be writing it",
	[DMP_DEBUG_ROGUE_DMA] = "give the device only bus addresses of live mappings",
	[DMP_DEBUG_DEV_WROTE_CPU_OWNED] = "start the device's writes only after "
					  "dma_sync_*_for_device() (or the map): until then the CPU "
					  "owns the buffer",
	[DMP_DEBUG_DMA_AFTER_UNMAP] = "stop the device (and wait for it) before dma_unmap_*()",
	[DMP_DEBUG_STALE_IOTLB] = "stop the device (and wait for it) before dma_unmap_*(): a lazy "
				  "IOMMU keeps the old translation until its flush queue runs, "
				  "and whoever gets the memory next is exposed to the device",
	[DMP_DEBUG_DMA_FAULT] = "give the device the bus address the map returned; set its DMA mask "
				"to what its port can address",
	[DMP_DEBUG_WC_UNDRAINED] = "call dma_wmb() between writing the descriptor and ringing the "
				   "doorbell",
};

/* Can @c be part of a C name?  (No <ctype.h>: the bare-metal port has none.) */
static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/*
 * Linux's names in @in turned into dmaport's native ones, into @out; a name
 * is only taken at the start of a word (dma_map_sg_attrs() has no sg_ name
 * in it).
 */
static void fix_native(const char *in, char *out, size_t n)
{
	static const struct {
		const char *linux_name, *native;
	} words[] = {
		{ "dma_wmb()", "dmp_dma_wmb()" }, { "kmalloc()", "dmp_kmalloc()" },
		{ "sg_", "dmp_sg_" }, { "iommu_", "dmp_iommu_" },
		{ "dma_", "dmp_" }, { "DMA_ATTR_", "DMP_ATTR_" }, { "DMA_", "DMP_" },
	};
	size_t o = 0;
	const char *start = in;
	while (*in && o + 1 < n) {
		bool word_start = in == start || !name_char(in[-1]);
		size_t k = word_start ? 0 : DMP_ARRAY_SIZE(words);
		while (k < DMP_ARRAY_SIZE(words) &&
		       strncmp(in, words[k].linux_name, strlen(words[k].linux_name)))
			k++;
		if (k == DMP_ARRAY_SIZE(words)) {
			out[o++] = *in++;
			continue;
		}
		o += (size_t)snprintf(out + o, n - o, "%s", words[k].native);
		o = DMP_MIN(o, n - 1);
		in += strlen(words[k].linux_name);
	}
	out[o] = 0;
}

/* Is @kind found at a device's access (no CPU call site)? */
static bool device_side(enum dmp_debug_kind kind)
{
	switch (kind) {
	case DMP_DEBUG_STALE_TO_DEVICE:
	case DMP_DEBUG_LOST_UPDATE:
	case DMP_DEBUG_ROGUE_DMA:
	case DMP_DEBUG_DEV_WROTE_CPU_OWNED:
	case DMP_DEBUG_DMA_AFTER_UNMAP:
	case DMP_DEBUG_STALE_IOTLB:
	case DMP_DEBUG_DMA_FAULT:
	case DMP_DEBUG_WC_UNDRAINED:
		return true;
	default:
		return false;
	}
}

/* Does @dev's driver speak Linux's API (the compat headers)? */
static bool linux_names(const struct dmp_device *dev)
{
	return dev && atomic_load_explicit(&dev->linux_api, memory_order_relaxed);
}

/* Append printf-style to @buf (size @n) at *@o. */
static void DMP_PRINTF(4, 5) put(char *buf, size_t n, size_t *o, const char *fmt, ...)
{
	if (*o + 1 >= n)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *o, n - *o, fmt, ap);
	va_end(ap);
	if (k > 0)
		*o = DMP_MIN(*o + (size_t)k, n - 1);
}

static bool same_site(struct dmp__dbg_site a, struct dmp__dbg_site b)
{
	return a.file == b.file && a.line == b.line;
}

/* The report line of @f, whose @what is already formatted. */
static void format_finding(const struct dbg_finding *f, const char *device, const char *what,
			   char *buf, size_t n)
{
	size_t o = 0;
	put(buf, n, &o, "dmaport: %s: DMA-API: %s", device, what);
	if (f->size) {
		if (f->dma != DMP_MAPPING_ERROR)
			put(buf, n, &o, " [bus address=0x%llx size=%zu", (unsigned long long)f->dma,
			    f->size);
		else
			put(buf, n, &o, " [size=%zu", f->size); /* never mapped: no address */
		if (dmp_valid_direction(f->dir))
			put(buf, n, &o, " direction=%s", dmp__dir_name(f->dir));
		put(buf, n, &o, "]");
	}
	if (f->at.file)
		put(buf, n, &o, " at %s:%d", f->at.file, f->at.line);
	else if (device_side(f->kind))
		put(buf, n, &o, " (a device access: no call site)");
	/* the other sites, labelled, each once */
	const struct dbg_entry *e = f->entry;
	struct dmp__dbg_site map = e ? (struct dmp__dbg_site){ e->file, e->line } : f->mapped;
	const char *sep = " (";
	bool owner = f->owner.file && !same_site(f->owner, f->at);
	if (owner) {
		put(buf, n, &o, "%sdevice owns it since %s:%d", sep, f->owner.file, f->owner.line);
		sep = "; ";
	}
	if (f->cpu_owner.file && !same_site(f->cpu_owner, f->at)) {
		put(buf, n, &o, "%sthe CPU owns it since %s:%d", sep, f->cpu_owner.file,
		    f->cpu_owner.line);
		sep = "; ";
	}
	if (map.file && !same_site(map, f->at) && !(owner && same_site(map, f->owner))) {
		put(buf, n, &o, "%s%s at %s:%d", sep,
		    e && e->type == DMP_MAP_COHERENT ? "allocated" : "mapped", map.file, map.line);
		sep = "; ";
	}
	if (f->unmapped.file && !same_site(f->unmapped, f->at)) {
		put(buf, n, &o, "%sunmapped at %s:%d", sep, f->unmapped.file, f->unmapped.line);
		sep = "; ";
	}
	if (sep[0] == ';')
		put(buf, n, &o, ")");
	const char *fix = f->fix ? f->fix : fix_linux[f->kind];
	if (!fix)
		return;
	if (linux_names(f->dev)) {
		put(buf, n, &o, "; fix: %s", fix);
	} else {
		char native[320];
		fix_native(fix, native, sizeof(native));
		put(buf, n, &o, "; fix: %s", native);
	}
}

DMP_TLS bool dmp__dbg_reported_in_call;

void dmp__dbg_report(const struct dbg_finding *f, const char *fmt, ...)
{
	DMP_ASSERT((unsigned int)f->kind < DMP_DEBUG_NR_KINDS);
	enum dmp_debug_mode m = dmp_debug_get_mode();
	char what[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	struct dmp_debug_report r;
	memset(&r, 0, sizeof(r));
	r.kind = f->kind;
	r.dev = f->dev;
	snprintf(r.device, sizeof(r.device), "%s",
		 f->dev ? f->dev->name : f->dev_name ? f->dev_name : "(no device)");
	r.dma = f->dma;
	r.phys = f->phys;
	r.size = f->size;
	r.dir = f->dir;
	r.file = f->at.file;
	r.line = f->at.line;
	r.owner_file = f->owner.file;
	r.owner_line = f->owner.line;
	format_finding(f, r.device, what, r.text, sizeof(r.text));

	dmp__dbg_reported_in_call = true;
	counters[f->kind]++;
	if (mode_from_env)
		env_counts[f->kind]++;
	if (m >= DMP_DEBUG_FAIL) {
		size_t slot = (report_head + nr_reports) % DMP_DEBUG_MAX_REPORTS;
		if (nr_reports == DMP_DEBUG_MAX_REPORTS)
			report_head = (report_head + 1) % DMP_DEBUG_MAX_REPORTS;
		else
			nr_reports++;
		reports[slot] = r;
	}
	dmp_log("%s", r.text);
	if (m == DMP_DEBUG_ABORT)
		abort();
}

bool dmp__debug_misuse(const struct dmp_device *dev, enum dmp_debug_kind kind, const char *file,
		       int line, const char *fix, const char *what)
{
	bool reported = false;
	dmp_spin_lock(&dmp__dbg_lock);
	/* a call with no device is checked whenever the checker is on: there
	 * is no device to filter by */
	if (dev ? checked_locked(dev)
		: atomic_load_explicit(&mode, memory_order_relaxed) != DMP_DEBUG_OFF) {
		dmp__dbg_report(&(struct dbg_finding){ .kind = kind, .dev = dev, .dir = DMP_NONE,
						       .at = { file, line }, .fix = fix },
				"%s", what);
		reported = true;
	}
	dmp_spin_unlock(&dmp__dbg_lock);
	return reported;
}

unsigned long dmp_debug_count(enum dmp_debug_kind kind)
{
	if ((unsigned int)kind >= DMP_DEBUG_NR_KINDS)
		return 0;
	dmp_spin_lock(&dmp__dbg_lock);
	unsigned long n = counters[kind];
	dmp_spin_unlock(&dmp__dbg_lock);
	return n;
}

unsigned long dmp_debug_total(void)
{
	unsigned long n = 0;
	dmp_spin_lock(&dmp__dbg_lock);
	for (unsigned int k = 0; k < DMP_DEBUG_NR_KINDS; k++)
		n += counters[k];
	dmp_spin_unlock(&dmp__dbg_lock);
	return n;
}

size_t dmp_debug_nr_reports(void)
{
	dmp_spin_lock(&dmp__dbg_lock);
	size_t n = nr_reports;
	dmp_spin_unlock(&dmp__dbg_lock);
	return n;
}

int dmp_debug_get_report(size_t i, struct dmp_debug_report *out)
{
	int err = -ENOENT;
	dmp_spin_lock(&dmp__dbg_lock);
	if (i < nr_reports) {
		*out = reports[(report_head + i) % DMP_DEBUG_MAX_REPORTS];
		err = 0;
	}
	dmp_spin_unlock(&dmp__dbg_lock);
	return err;
}

void dmp_debug_reset(void)
{
	dmp_spin_lock(&dmp__dbg_lock);
	memset(counters, 0, sizeof(counters));
	report_head = nr_reports = 0;
	dmp_spin_unlock(&dmp__dbg_lock);
}

/* ---- the table ------------------------------------------------------------ */

static inline unsigned int hash_of(const struct dmp_device *dev, dmp_addr_t dma)
{
	/* Linux hashes dev_addr >> 13; mixing in the device keeps two devices
	 * with identity-mapped buffers apart */
	uint64_t k = (dma >> 6) ^ ((uintptr_t)dev >> 4) * DMP__GOLDEN_RATIO_64;
	return (unsigned int)((k * DMP__GOLDEN_RATIO_64) >> (64 - HASH_BITS));
}

static void entry_insert(struct dbg_entry *e)
{
	unsigned int h = hash_of(e->dev, e->dma);
	e->hnext = hash_table[h];
	hash_table[h] = e;
	e->next = &dmp__dbg_all;
	e->prev = dmp__dbg_all.prev;
	dmp__dbg_all.prev->next = e;
	dmp__dbg_all.prev = e;
}

static void entry_unlink(struct dbg_entry *e)
{
	struct dbg_entry **pp = &hash_table[hash_of(e->dev, e->dma)];
	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	DMP_ASSERT(*pp == e);
	*pp = e->hnext;
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void entry_free(struct dbg_entry *e)
{
	if (dmp__dbg_plat())
		dmp__dbg_plat()->detach(e); /* frees e->sim */
	else
		free(e->sim);
	free(e->chunks);
	free(e);
}

/*
 * The entry an unmap or free of @dma refers to: the same device and bus
 * address; among several (the same buffer mapped twice on the direct path),
 * the one that matches best, as Linux's bucket_find_exact().
 */
static struct dbg_entry *find_exact(const struct dmp_device *dev, dmp_addr_t dma,
				    enum dmp_map_type type, size_t size,
				    enum dmp_data_direction dir)
{
	struct dbg_entry *best = NULL;
	int best_score = -1;
	for (struct dbg_entry *e = hash_table[hash_of(dev, dma)]; e; e = e->hnext) {
		if (e->dev != dev || e->dma != dma)
			continue;
		int score = (e->type == type) + (e->size == size) + (e->dir == dir);
		if (score > best_score) {
			best = e;
			best_score = score;
		}
	}
	return best;
}

/* The entry of @dev whose bus range holds @dma. */
static struct dbg_entry *find_containing(const struct dmp_device *dev, dmp_addr_t dma)
{
	struct dbg_entry *e = find_exact(dev, dma, DMP_MAP_SINGLE, 0, DMP_BIDIRECTIONAL);
	if (e)
		return e;
	for (e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next)
		if (e->dev == dev && dma - e->dma < e->size && e->type != DMP_MAP_COHERENT)
			return e;
	return NULL;
}

/*
 * Linux's active cacheline tracking (kernel/dma/debug.c,
 * active_cacheline_insert): two live mappings must not share a cache line,
 * or the cache maintenance of one corrupts the other - except where the
 * device only reads (TO_DEVICE), where the driver does its own maintenance
 * (SKIP_CPU_SYNC), or where the driver says it shares lines on purpose
 * (DEBUGGING_IGNORE_CACHELINES).  Linux looks at a mapping's first line;
 * this looks at all of them.
 */
static bool cacheline_exempt(const struct dbg_entry *e)
{
	return !e->cpu || e->type == DMP_MAP_RESOURCE || e->dir == DMP_TO_DEVICE ||
	       (e->attrs & (DMP_ATTR_SKIP_CPU_SYNC | DMP_ATTR_DEBUGGING_IGNORE_CACHELINES));
}

/* Do @a and @b share a cache line?  Piece by piece: a merged segment's
 * pieces are apart in physical memory. */
static bool share_lines(const struct dbg_entry *a, const struct dbg_entry *b)
{
	dmp_phys_t L = dmp__cache_line();
	struct dbg_chunk a1, b1;
	const struct dbg_chunk *ap, *bp;
	unsigned int na = dmp__dbg_pieces(a, &a1, &ap), nb = dmp__dbg_pieces(b, &b1, &bp);
	for (unsigned int i = 0; i < na; i++) {
		dmp_phys_t f = DMP_ALIGN_DOWN(ap[i].phys, L), e = DMP_ALIGN_UP(ap[i].phys + ap[i].len, L);
		for (unsigned int j = 0; j < nb; j++)
			if (f < DMP_ALIGN_UP(bp[j].phys + bp[j].len, L) &&
			    DMP_ALIGN_DOWN(bp[j].phys, L) < e)
				return true;
	}
	return false;
}

static void check_overlap(struct dbg_entry *n)
{
	if (cacheline_exempt(n))
		return;
	for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next) {
		if (cacheline_exempt(e))
			continue;
		if (share_lines(n, e)) {
			dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(n),
							       .kind = DMP_DEBUG_OVERLAP,
							       .at = { n->file, n->line } },
					"cacheline tracking EEXIST, overlapping mappings aren't "
					"supported [shares cache lines with %s mapping of %s at "
					"%s:%d, phys=0x%llx size=%zu]",
					type_name(e->type), e->dev->name, e->file, e->line,
					(unsigned long long)e->phys, e->size);
			return;
		}
	}
}

/* Track a new entry (@e filled); reports overlaps; the sim part attaches. */
static void add_entry(struct dbg_entry *e)
{
	dmp_spin_lock(&dmp__dbg_lock);
	if (!checked_locked(e->dev)) {
		dmp_spin_unlock(&dmp__dbg_lock);
		entry_free(e);
		return;
	}
	check_overlap(e);
	entry_insert(e);
	if (e->type != DMP_MAP_RESOURCE && dmp__dbg_plat())
		dmp__dbg_plat()->attach(e);
	dmp_spin_unlock(&dmp__dbg_lock);
}

static struct dbg_entry *entry_new(struct dmp_device *dev, enum dmp_map_type type,
				   dmp_addr_t dma, dmp_phys_t phys, const void *cpu, size_t size,
				   enum dmp_data_direction dir, unsigned long attrs,
				   const char *file, int line)
{
	struct dbg_entry *e = calloc(1, sizeof(*e));
	if (!e) {
		dmp_log("dmaport: %s: DMA-API: debugging out of memory: a mapping at %s:%d is "
			 "not tracked", dev->name, file, line);
		dmp_spin_lock(&dmp__dbg_lock);
		born_forget(dev); /* the table no longer holds all of its mappings */
		dmp_spin_unlock(&dmp__dbg_lock);
		return NULL;
	}
	e->dev = dev;
	e->type = type;
	e->dma = dma;
	e->phys = phys;
	e->cpu = cpu;
	e->size = size;
	e->dir = dir;
	e->attrs = attrs;
	e->file = file;
	e->line = line;
	e->device_owns = type != DMP_MAP_COHERENT;
	e->cpu_contiguous = true;
	e->owner_file = file;
	e->owner_line = line;
	if (dev->hw && dmp__dbg_plat())
		dmp__dbg_plat()->watch(dev);
	return e;
}

/* ---- map / unmap ---------------------------------------------------------- */

void dmp__debug_map(struct dmp_device *dev, const void *cpu_addr, dmp_phys_t phys, size_t size,
		    enum dmp_data_direction dir, dmp_addr_t dma, enum dmp_map_type type,
		    unsigned long attrs, const char *file, int line)
{
	if (dma == DMP_MAPPING_ERROR)
		return; /* as Linux: a failed mapping is not tracked */
	struct dbg_entry *e = entry_new(dev, type, dma, phys, cpu_addr, size, dir, attrs, file,
					line);
	if (e)
		add_entry(e);
}

/*
 * The stack, told apart from other memory that is not DMA-able: an address
 * within a few hundred KiB of this frame is on this thread's stack (the
 * driver's frame is a few calls up).  A heuristic, but one that never calls a
 * heap buffer a stack buffer in practice.
 */
static bool on_this_stack(const void *p)
{
	char here;
	uintptr_t a = (uintptr_t)p, h = (uintptr_t)&here;
	uintptr_t d = a > h ? a - h : h - a;
	return d < (256u << 10);
}

bool dmp__debug_map_refused(struct dmp_device *dev, const void *cpu_addr, size_t size,
			    enum dmp_data_direction dir, const char *why, const char *file, int line)
{
	bool reported = false;
	dmp_spin_lock(&dmp__dbg_lock);
	if (!checked_locked(dev))
		goto out;
	reported = true;
	if (on_this_stack(cpu_addr))
		dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_MAP_STACK,
						       .dev = dev,
						       .dma = DMP_MAPPING_ERROR,
						       .size = size,
						       .dir = dir,
						       .at = { file, line } },
				"device driver maps memory from stack (not DMA-able) [addr=%p]", cpu_addr);
	else
		dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_MAP_NOT_DMA,
						       .dev = dev,
						       .dma = DMP_MAPPING_ERROR,
						       .size = size,
						       .dir = dir,
						       .at = { file, line } },
				"device driver maps memory that is not DMA-able (%s) [addr=%p]",
				why ? why : "?", cpu_addr);
out:
	dmp_spin_unlock(&dmp__dbg_lock);
	return reported;
}

void dmp__debug_mapping_error(struct dmp_device *dev, dmp_addr_t dma, const char *file, int line)
{
	(void)file, (void)line;
	dmp_spin_lock(&dmp__dbg_lock);
	/* Linux's debug_dma_mapping_error(): the first unchecked entry at this
	 * address, since the same buffer may be mapped more than once */
	for (struct dbg_entry *e = hash_table[hash_of(dev, dma)]; e; e = e->hnext)
		if (e->dev == dev && e->dma == dma && !e->err_checked) {
			e->err_checked = true;
			break;
		}
	dmp_spin_unlock(&dmp__dbg_lock);
}

/* What an unmap or free says about the mapping it ends. */
struct unmap_ref {
	struct dmp_device *dev;
	enum dmp_map_type type;
	dmp_addr_t dma;
	const void *cpu;     /* coherent frees: the CPU address given */
	size_t size;
	enum dmp_data_direction dir;
	unsigned long attrs;
	int sg_call_ents;    /* unmap_sg: the count given */
	bool sg_later;       /* unmap_sg: not the first segment (count reported once) */
	const char *file;
	int line;
};

/*
 * Whether an unmap or free that @e (or nothing, NULL) answers must be
 * refused: carried out, it would unmap or free what the caller does not own
 * (Linux's dma-debug only warns, and the implementation below it then
 * unmaps a neighbour's IOVA, frees the wrong pages, or invalidates memory
 * the CPU owns).  Direction and entry-count mismatches are carried out, as
 * Linux: the mapping ends as it began.
 */
static bool unmap_refused(const struct unmap_ref *r, const struct dbg_entry *e)
{
	if (!e)
		return born_index(r->dev) >= 0;
	return r->size != e->size ||
	       (r->type == DMP_MAP_COHERENT) != (e->type == DMP_MAP_COHERENT) ||
	       (r->type == DMP_MAP_RESOURCE) != (e->type == DMP_MAP_RESOURCE) ||
	       (e->type == DMP_MAP_COHERENT && r->cpu != e->cpu);
}

/*
 * Linux's check_unmap(); with the lock held.  Reports what is wrong; the
 * entry goes away unless the call is refused (then true, and with @keep the
 * entry stays whatever the verdict: a scatterlist refused as a whole).
 */
static bool check_unmap(const struct unmap_ref *r, bool keep)
{
	struct dbg_entry *e = find_exact(r->dev, r->dma, r->type, r->size, r->dir);
	bool refuse = unmap_refused(r, e);
	if (!e) {
		dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_FREE_UNKNOWN,
						       .dev = r->dev,
						       .dma = r->dma,
						       .size = r->size,
						       .dir = r->type == DMP_MAP_COHERENT ? DMP_NONE
											  : r->dir,
						       .at = { r->file, r->line } },
				"device driver tries to free DMA memory it has not allocated "
				"(%s)%s",
				type_name(r->type),
				refuse ? " - refused: the device never mapped it" : "");
		return refuse;
	}
	if (r->size != e->size)
		dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_SIZE_MISMATCH,
						       .at = { r->file, r->line } },
				"device driver frees DMA memory with different size [map size=%zu "
				"bytes] [unmap size=%zu bytes] - refused: nothing is unmapped",
				e->size, r->size);
	if (r->type != e->type)
		dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_TYPE_MISMATCH,
						       .at = { r->file, r->line } },
				"device driver frees DMA memory with wrong function [mapped as %s] "
				"[unmapped as %s]%s",
				type_name(e->type), type_name(r->type),
				refuse ? " - refused: nothing is unmapped or freed" : "");
	else if (e->type == DMP_MAP_COHERENT && r->cpu != e->cpu)
		dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_CPU_ADDR_MISMATCH,
						       .at = { r->file, r->line } },
				"device driver frees DMA memory with different CPU address [cpu "
				"alloc address=%p] [cpu free address=%p] - refused: nothing is freed",
				e->cpu, r->cpu);
	if (r->type == DMP_MAP_SG && e->type == DMP_MAP_SG && r->sg_call_ents != e->sg_call_ents &&
	    !r->sg_later)
		dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_SG_COUNT_MISMATCH,
						       .at = { r->file, r->line } },
				"device driver frees DMA sg list with different entry count [map "
				"count=%d] [unmap count=%d]",
				e->sg_call_ents, r->sg_call_ents);
	/* Linux: "this may be no bug in reality - but most implementations of
	 * the DMA API don't handle this properly" */
	if (r->dir != e->dir)
		dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_DIR_MISMATCH,
						       .at = { r->file, r->line } },
				"device driver frees DMA memory with different direction [mapped "
				"with %s] [unmapped with %s]",
				dmp__dir_name(e->dir), dmp__dir_name(r->dir));
	if (!e->err_checked && dmp__dbg_once(e, DMP_DEBUG_ERROR_UNCHECKED))
		dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_ERROR_UNCHECKED,
						       .at = { e->file, e->line } },
				"device driver failed to check map error [mapped as %s] [unmapped "
				"at %s:%d]",
				type_name(e->type), r->file, r->line);
	if (refuse || keep)
		return refuse;
	if (dmp__dbg_plat())
		dmp__dbg_plat()->release(e, r->attrs, (struct dmp__dbg_site){ r->file, r->line });
	entry_unlink(e);
	entry_free(e);
	return false;
}

static bool unmap_one(const struct unmap_ref *r)
{
	bool refuse = false;
	dmp_spin_lock(&dmp__dbg_lock);
	if (checked_locked(r->dev))
		refuse = check_unmap(r, false);
	dmp_spin_unlock(&dmp__dbg_lock);
	return refuse;
}

bool dmp__debug_unmap(struct dmp_device *dev, dmp_addr_t dma, size_t size,
		      enum dmp_data_direction dir, enum dmp_map_type type, unsigned long attrs,
		      const char *file, int line)
{
	struct unmap_ref r = { .dev = dev, .type = type, .dma = dma, .size = size, .dir = dir,
			       .attrs = attrs, .file = file, .line = line };
	return unmap_one(&r);
}

/* Linux's check_sg_segment(): what dma_parms promise the device. */
static void check_sg_segment(struct dbg_entry *e, const struct dmp_scatterlist *s)
{
	unsigned int len = dmp_sg_dma_len(s);
	if (e->dev->max_segment_size && len > e->dev->max_segment_size)
		dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_SG_TOO_LONG,
						       .dev = e->dev,
						       .entry = e,
						       .dma = e->dma,
						       .phys = e->phys,
						       .size = len,
						       .dir = e->dir,
						       .at = { e->file, e->line } },
				"mapping sg segment longer than device claims to support [len=%u] "
				"[max=%u]",
				len, e->dev->max_segment_size);
	uint64_t mask = e->dev->segment_boundary_mask;
	dmp_addr_t start = dmp_sg_dma_address(s), end = start + len - 1;
	if (len && (start & ~mask) != (end & ~mask))
		dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_SG_BOUNDARY,
						       .dev = e->dev,
						       .entry = e,
						       .dma = e->dma,
						       .phys = e->phys,
						       .size = len,
						       .dir = e->dir,
						       .at = { e->file, e->line } },
				"mapping sg segment across boundary [start=0x%llx] [end=0x%llx] "
				"[boundary=0x%llx]",
				(unsigned long long)start, (unsigned long long)end,
				(unsigned long long)mask);
}

/*
 * Which entries of the list a DMA segment came from.  Segments take the
 * entries in order, each as many bytes as its DMA length: behind an IOMMU
 * map_sg merges entries that follow each other in IOVA into one segment
 * (Linux's __finalise_sg), and their pages need not be neighbours.
 */
struct sg_walk {
	struct dmp_scatterlist *src; /* the next entry to take from */
	size_t off;                  /* bytes of it already taken */
};

/*
 * Take @len bytes from the walk, as pieces into @out (NULL: just count).
 * Returns the number of pieces.
 */
static unsigned int sg_take(struct sg_walk *w, size_t len, struct dbg_chunk *out)
{
	unsigned int n = 0;
	while (len && w->src) {
		struct dmp_scatterlist *src = w->src;
		size_t take = DMP_MIN((size_t)src->length - w->off, len);
		if (out) {
			out[n] = (struct dbg_chunk){ NULL, 0, take };
			if (dmp_sg_page(src)) {
				out[n].cpu = (const uint8_t *)dmp_sg_virt(src) + w->off;
				out[n].phys = dmp_sg_phys(src) + w->off;
			}
		}
		n++;
		len -= take;
		w->off += take;
		if (w->off == src->length) {
			w->src = dmp_sg_next(src);
			w->off = 0;
		}
	}
	return n;
}

/* Set the CPU side of segment entry @e from the entries it came from. */
static void sg_cpu_side(struct dbg_entry *e, struct sg_walk *w)
{
	struct sg_walk count = *w;
	unsigned int n = sg_take(&count, e->size, NULL);
	struct dbg_chunk one, *chunks = n > 1 ? calloc(n, sizeof(*chunks)) : &one;
	if (!n || !chunks) {
		*w = count; /* no memory: no CPU side, the checks see less */
		return;
	}
	sg_take(w, e->size, chunks);
	e->cpu = chunks[0].cpu;
	e->phys = chunks[0].phys;
	if (n > 1) {
		e->chunks = chunks;
		e->nchunks = n;
		e->cpu_contiguous = false;
	}
}

void dmp__debug_map_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
		       int mapped_ents, enum dmp_data_direction dir, unsigned long attrs,
		       const char *file, int line)
{
	struct dmp_scatterlist *s;
	int i;
	if (mapped_ents <= 0)
		return;
	struct sg_walk w = { .src = sg };
	dmp_for_each_sg(sg, s, mapped_ents, i) {
		struct dbg_entry *e = entry_new(dev, DMP_MAP_SG, dmp_sg_dma_address(s), 0, NULL,
						dmp_sg_dma_len(s), dir, attrs, file, line);
		if (!e)
			return;
		sg_cpu_side(e, &w);
		e->sg_call_ents = nents;
		e->sg_mapped_ents = mapped_ents;
		/* the API returns a count, not an address: nothing to check */
		e->err_checked = true;
		dmp_spin_lock(&dmp__dbg_lock);
		if (checked_locked(dev))
			check_sg_segment(e, s);
		dmp_spin_unlock(&dmp__dbg_lock);
		add_entry(e);
	}
}

/* The unmap_ref of segment @i (entry @s) of an unmap_sg call. */
static struct unmap_ref sg_ref(struct dmp_device *dev, struct dmp_scatterlist *s, int i,
			       int nents, enum dmp_data_direction dir, unsigned long attrs,
			       const char *file, int line)
{
	return (struct unmap_ref){ .dev = dev, .type = DMP_MAP_SG, .dma = dmp_sg_dma_address(s),
				   .size = dmp_sg_dma_len(s), .dir = dir, .attrs = attrs,
				   .sg_call_ents = nents, .sg_later = i > 0, .file = file,
				   .line = line };
}

/* Linux's get_nr_mapped_entries(): only the segments map_sg returned carry
 * a mapping; 0 when the first is unknown (then every entry is looked at). */
static int sg_mapped_ents(struct dmp_device *dev, struct dmp_scatterlist *sg,
			  enum dmp_data_direction dir)
{
	struct dbg_entry *e = find_exact(dev, dmp_sg_dma_address(sg), DMP_MAP_SG,
					 dmp_sg_dma_len(sg), dir);
	return e ? e->sg_mapped_ents : 0;
}

bool dmp__debug_unmap_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
			 enum dmp_data_direction dir, unsigned long attrs, const char *file, int line)
{
	struct dmp_scatterlist *s;
	int i, mapped;
	bool refuse = false;
	dmp_spin_lock(&dmp__dbg_lock);
	if (!checked_locked(dev))
		goto out;
	mapped = sg_mapped_ents(dev, sg, dir);
	/* all or nothing: one segment that must not be unmapped keeps them all */
	dmp_for_each_sg(sg, s, mapped ? DMP_MIN(mapped, nents) : nents, i) {
		struct unmap_ref r = sg_ref(dev, s, i, nents, dir, attrs, file, line);
		refuse |= unmap_refused(&r, find_exact(dev, r.dma, DMP_MAP_SG, r.size, dir));
	}
	dmp_for_each_sg(sg, s, mapped ? DMP_MIN(mapped, nents) : nents, i) {
		struct unmap_ref r = sg_ref(dev, s, i, nents, dir, attrs, file, line);
		check_unmap(&r, refuse);
	}
out:
	dmp_spin_unlock(&dmp__dbg_lock);
	return refuse;
}

/* ---- coherent allocations -------------------------------------------------- */

void dmp__debug_alloc(struct dmp_device *dev, size_t size, dmp_addr_t dma, void *cpu_addr,
		      unsigned long attrs, const char *file, int line)
{
	/* the memory's own address, from the CPU side: behind an IOMMU the bus
	 * address is an IOVA, and two devices' IOVAs may be equal */
	dmp_phys_t phys = 0;
	int bad = (attrs & DMP_ATTR_NO_KERNEL_MAPPING) ? dmp__page_to_phys_checked(cpu_addr, &phys)
						      : dmp_virt_to_phys(cpu_addr, &phys);
	if (bad)
		phys = 0;
	struct dbg_entry *e = entry_new(dev, DMP_MAP_COHERENT, dma, phys, cpu_addr, size,
					DMP_BIDIRECTIONAL, attrs, file, line);
	if (!e)
		return;
	e->err_checked = true; /* a NULL return is the error, and was checked */
	add_entry(e);
}

bool dmp__debug_free(struct dmp_device *dev, size_t size, void *cpu_addr, dmp_addr_t dma,
		     unsigned long attrs, const char *file, int line)
{
	struct unmap_ref r = { .dev = dev, .type = DMP_MAP_COHERENT, .dma = dma, .cpu = cpu_addr,
			       .size = size, .dir = DMP_BIDIRECTIONAL, .attrs = attrs,
			       .file = file, .line = line };
	return unmap_one(&r);
}

/* ---- sync ------------------------------------------------------------------ */

/*
 * Whether a sync of [dma, +size) that entry @e holds the start of (or
 * nothing, NULL) must be refused: cache maintenance past the mapping would
 * write back or throw away lines of memory the CPU owns (Linux's dma-debug
 * warns and the sync then runs over them).
 */
static bool sync_refused(const struct dmp_device *dev, const struct dbg_entry *e, dmp_addr_t dma,
			 size_t size)
{
	if (!e)
		return born_index(dev) >= 0;
	return size > e->size - (dma - e->dma);
}

/* Linux's check_sync(), then (unless refused: true) the ownership change;
 * @keep: report only (a scatterlist refused as a whole). */
static bool check_sync(struct dmp_device *dev, dmp_addr_t dma, size_t size,
		       enum dmp_data_direction dir, bool for_device, const char *file, int line,
		       bool keep)
{
	struct dbg_entry *e = find_containing(dev, dma);
	bool refuse = sync_refused(dev, e, dma, size);
	if (!e) {
		dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_SYNC_UNMAPPED,
						       .dev = dev,
						       .dma = dma,
						       .size = size,
						       .dir = dir,
						       .at = { file, line } },
				"device driver tries to sync DMA memory it has not "
				"allocated%s",
				refuse ? " - refused: the device never mapped it" : "");
		return refuse;
	}
	if (size > e->size - (dma - e->dma))
		dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_SYNC_RANGE,
						       .at = { file, line } },
				"device driver syncs DMA memory outside allocated range "
				"[allocation size=%zu bytes] [sync offset+size=%llu] - refused: "
				"nothing is synced",
				e->size, (unsigned long long)(dma - e->dma) + size);
	if (e->dir != DMP_BIDIRECTIONAL && dir != e->dir) {
		/* Linux reports both "different direction" and the read-only /
		 * write-only finding for these two cases; here the more precise
		 * one stands alone */
		if (!for_device && e->dir == DMP_TO_DEVICE)
			dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
							       .kind = DMP_DEBUG_SYNC_RO_FOR_CPU,
							       .at = { file, line } },
					"device driver syncs device read-only DMA memory for cpu "
					"[mapped with %s] [synced with %s]",
					dmp__dir_name(e->dir), dmp__dir_name(dir));
		else if (for_device && e->dir == DMP_FROM_DEVICE)
			dmp__dbg_report(
				&(struct dbg_finding){ DMP__DBG_ENTRY(e),
						       .kind = DMP_DEBUG_SYNC_WO_FOR_DEV,
						       .at = { file, line } },
				"device driver syncs device write-only DMA memory to device "
				"[mapped with %s] [synced with %s]",
				dmp__dir_name(e->dir), dmp__dir_name(dir));
		else
			dmp__dbg_report(&(struct dbg_finding){ DMP__DBG_ENTRY(e),
							       .kind = DMP_DEBUG_SYNC_DIR,
							       .at = { file, line } },
					"device driver syncs DMA memory with different direction "
					"[mapped with %s] [synced with %s]",
					dmp__dir_name(e->dir), dmp__dir_name(dir));
	}
	if (refuse || keep)
		return refuse;
	if (for_device) {
		if (dmp__dbg_plat())
			dmp__dbg_plat()->to_device(e, dma, size, (struct dmp__dbg_site){ file, line });
		e->device_owns = true;
		e->owner_file = file;
		e->owner_line = line;
	} else {
		if (dmp__dbg_plat())
			dmp__dbg_plat()->to_cpu(e, dma, size, (struct dmp__dbg_site){ file, line });
		e->device_owns = false;
		e->cpu_site = (struct dmp__dbg_site){ file, line };
	}
	return false;
}

bool dmp__debug_sync_single(struct dmp_device *dev, dmp_addr_t dma, size_t size,
			    enum dmp_data_direction dir, bool for_device, const char *file, int line)
{
	bool refuse = false;
	dmp_spin_lock(&dmp__dbg_lock);
	if (checked_locked(dev))
		refuse = check_sync(dev, dma, size, dir, for_device, file, line, false);
	dmp_spin_unlock(&dmp__dbg_lock);
	return refuse;
}

bool dmp__debug_sync_sg(struct dmp_device *dev, struct dmp_scatterlist *sg, int nents,
			enum dmp_data_direction dir, bool for_device, const char *file, int line)
{
	struct dmp_scatterlist *s;
	int i, n;
	bool refuse = false;
	dmp_spin_lock(&dmp__dbg_lock);
	if (!checked_locked(dev))
		goto out;
	n = sg_mapped_ents(dev, sg, dir);
	n = n ? DMP_MIN(n, nents) : nents;
	/* all or nothing, as for unmap_sg */
	dmp_for_each_sg(sg, s, n, i)
		refuse |= sync_refused(dev, find_containing(dev, dmp_sg_dma_address(s)),
				       dmp_sg_dma_address(s), dmp_sg_dma_len(s));
	dmp_for_each_sg(sg, s, n, i)
		check_sync(dev, dmp_sg_dma_address(s), dmp_sg_dma_len(s), dir, for_device, file,
			   line, refuse);
out:
	dmp_spin_unlock(&dmp__dbg_lock);
	return refuse;
}

/* The device owns [dma, +size) now that its sync has run: tell the platform. */
static void synced_locked(struct dmp_device *dev, dmp_addr_t dma, size_t size)
{
	struct dbg_entry *e = find_containing(dev, dma);
	if (!e || !dmp__dbg_plat())
		return;
	size_t n = DMP_MIN(size, (size_t)(e->dma + e->size - dma));
	dmp__dbg_plat()->owned(e, dma, n);
}

void dmp__debug_synced_for_device(struct dmp_device *dev, dmp_addr_t dma, size_t size)
{
	dmp_spin_lock(&dmp__dbg_lock);
	if (checked_locked(dev))
		synced_locked(dev, dma, size);
	dmp_spin_unlock(&dmp__dbg_lock);
}

void dmp__debug_sg_synced_for_device(struct dmp_device *dev, struct dmp_scatterlist *sg,
				     int nents)
{
	struct dmp_scatterlist *s;
	int i;
	dmp_spin_lock(&dmp__dbg_lock);
	if (checked_locked(dev)) {
		int n = sg_mapped_ents(dev, sg, DMP_BIDIRECTIONAL);
		n = n ? DMP_MIN(n, nents) : nents;
		dmp_for_each_sg(sg, s, n, i)
			synced_locked(dev, dmp_sg_dma_address(s), dmp_sg_dma_len(s));
	}
	dmp_spin_unlock(&dmp__dbg_lock);
}

/* ---- device removal, listing -------------------------------------------- */

void dmp__debug_device_init(const struct dmp_device *dev)
{
	dmp_spin_lock(&dmp__dbg_lock);
	if (checked_locked(dev) && born_index(dev) < 0 && nr_born < MAX_BORN)
		born[nr_born++] = dev;
	dmp_spin_unlock(&dmp__dbg_lock);
}

void dmp__debug_device_remove(struct dmp_device *dev)
{
	dmp_spin_lock(&dmp__dbg_lock);
	born_forget(dev);
	/* the leak check runs whatever the device filter says: a leak found
	 * late is still a leak, and the entries must not outlive the device */
	unsigned int count = 0;
	for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next)
		count += e->dev == dev;
	unsigned int i = 0;
	for (struct dbg_entry *e = dmp__dbg_all.next, *next; e != &dmp__dbg_all; e = next) {
		next = e->next;
		if (e->dev != dev)
			continue;
		i++;
		dmp__dbg_report(&(struct dbg_finding){ .kind = DMP_DEBUG_LEAK,
						       .dev = dev,
						       .dma = e->dma,
						       .phys = e->phys,
						       .size = e->size,
						       .dir = e->dir,
						       .at = { e->file, e->line } },
				"device driver has pending DMA allocations while released from "
				"device [%u of %u: %s mapping, mapped here]",
				i, count, type_name(e->type));
		entry_unlink(e);
		entry_free(e);
	}
	if (dmp__dbg_plat())
		dmp__dbg_plat()->forget_device(dev);
	for (unsigned int k = 0; k < nr_named; k++)
		if (named[k].dev == dev) {
			named[k] = named[--nr_named];
			break;
		}
	dmp_spin_unlock(&dmp__dbg_lock);
}

int dmp_debug_table_check(void)
{
	int err = 0;
	size_t listed = 0, hashed = 0;
	dmp_spin_lock(&dmp__dbg_lock);
	for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next) {
		listed++;
		if (e->next->prev != e || e->prev->next != e || !e->dev || !e->size)
			err = -EFAULT;
		struct dbg_entry *h = hash_table[hash_of(e->dev, e->dma)];
		while (h && h != e)
			h = h->hnext;
		if (!h)
			err = -EFAULT; /* listed but not findable by its unmap */
	}
	for (unsigned int b = 0; b < HASH_SIZE; b++)
		for (struct dbg_entry *h = hash_table[b]; h; h = h->hnext) {
			hashed++;
			if (hash_of(h->dev, h->dma) != b)
				err = -EFAULT;
		}
	if (listed != hashed)
		err = -EFAULT;
	dmp_spin_unlock(&dmp__dbg_lock);
	return err;
}

size_t dmp_debug_for_each_live(const struct dmp_device *dev, dmp_debug_live_fn fn, void *cookie)
{
	size_t n = 0;
	dmp_spin_lock(&dmp__dbg_lock);
	for (struct dbg_entry *e = dmp__dbg_all.next; e != &dmp__dbg_all; e = e->next) {
		if (dev && e->dev != dev)
			continue;
		struct dmp_debug_live l = {
			.dev = e->dev, .type = e->type, .dma = e->dma, .phys = e->phys,
			.cpu_addr = e->cpu, .size = e->size, .dir = e->dir, .attrs = e->attrs,
			.sg_nents = e->sg_call_ents, .error_checked = e->err_checked,
			.device_owns = e->device_owns, .file = e->file, .line = e->line,
		};
		n++;
		if (fn)
			fn(cookie, &l);
	}
	dmp_spin_unlock(&dmp__dbg_lock);
	return n;
}

static void dump_one(void *cookie, const struct dmp_debug_live *l)
{
	(void)cookie;
	dmp_log("dmaport: %s: DMA-API: live %s mapping [bus address=0x%llx size=%zu "
		 "direction=%s] mapped at %s:%d%s", l->dev->name, type_name(l->type),
		 (unsigned long long)l->dma, l->size, dmp__dir_name(l->dir), l->file, l->line,
		 l->device_owns ? " (device owns it)" : "");
}

size_t dmp_debug_dump(const struct dmp_device *dev)
{
	return dmp_debug_for_each_live(dev, dump_one, NULL);
}

size_t dmp__debug_check_point(struct dmp_device *dev, const void *ptr, size_t size,
			      const char *file, int line)
{
	if (!dev || !ptr || !size || !atomic_load(&dmp__debug_active))
		return 0;
	size_t n = 0;
	dmp_spin_lock(&dmp__dbg_lock);
	if (checked_locked(dev) && dev->hw && dmp__dbg_plat())
		n = dmp__dbg_plat()->check_point(dev, ptr, size, (struct dmp__dbg_site){ file, line });
	dmp_spin_unlock(&dmp__dbg_lock);
	return n;
}

size_t dmp__debug_env_summary(char *buf, size_t n)
{
	size_t o = 0, total = 0;
	dmp_spin_lock(&dmp__dbg_lock);
	for (unsigned int k = 0; k < DMP_DEBUG_NR_KINDS; k++)
		if (env_counts[k]) {
			total += env_counts[k];
			put(buf, n, &o, "%s%s %lu", o ? ", " : "", kind_names[k], env_counts[k]);
		}
	dmp_spin_unlock(&dmp__dbg_lock);
	if (!o && n)
		buf[0] = 0;
	return total;
}
