/* SPDX-License-Identifier: MIT */
/*
 * write-track.c - which pages of uncached and write-combining memory the CPU
 * wrote since the last write barrier, asked of the kernel, so that a
 * barrier's cost follows what is pending rather than the size of the
 * memory that could be.
 *
 * The simulator never sees the CPU's stores (DESIGN.md: the C image is
 * plain memory behind the driver's pointers), so a write barrier used to
 * compare C with DRAM on every line of every uncached page: a 64 MiB
 * declared coherent pool cost milliseconds per dma_wmb() once its pages held
 * data.  Linux (6.7 and later) can say which pages of a mapping were written:
 * the CPU's mapping of each region (sim_region.cpu) is registered with a
 * userfaultfd in asynchronous write-protect mode (UFFD_FEATURE_WP_ASYNC: a
 * store to a protected page is let through by the kernel, which only marks
 * the page written - no signal, no handler, no thread), and PAGEMAP_SCAN
 * on /proc/self/pagemap lists the written pages of a range and protects
 * them again in one call (PM_SCAN_WP_MATCHING).  A page never protected
 * counts as written, so memory that just became uncached is examined whole
 * at the next barrier, as before, and only written pages after that.
 * See Documentation/admin-guide/mm/userfaultfd.rst ("Write Protect
 * Notifications", asynchronous mode) and .../pagemap.rst (PAGEMAP_SCAN).
 *
 * Where the kernel lacks either (older kernels, valgrind, qemu-user, a
 * seccomp filter), or once a region's memory is also mapped elsewhere
 * (user-space mappings: dmp_mmap_attrs), the barrier examines every
 * uncached page as it always did: tracking only ever narrows what is
 * examined to pages the CPU can have written through its pointers.
 * DMP_SIM_WRITE_TRACK=0 in the environment turns it off.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim-internal.h"

/* UAPI values (include/uapi/linux/userfaultfd.h, fs.h) that older headers lack. */
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#define WT_FEATURE_WP_HUGETLBFS_SHMEM (1ull << 12)
#define WT_FEATURE_WP_UNPOPULATED (1ull << 13)
#define WT_FEATURE_WP_ASYNC (1ull << 15)
#define WT_PAGE_IS_WRITTEN (1ull << 1)
#define WT_PM_SCAN_WP_MATCHING (1ull << 0)
#define WT_PM_SCAN_CHECK_WPASYNC (1ull << 1)

struct wt_page_region {
	uint64_t start, end, categories;
};

struct wt_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};

#define WT_PAGEMAP_SCAN _IOWR('f', 16, struct wt_pm_scan_arg)

static bool env_off(void)
{
	const char *e = getenv("DMP_SIM_WRITE_TRACK");
	return e && e[0] == '0';
}

static void wt_close(struct dmp_sim *sim)
{
	if (sim->wt_uffd >= 0)
		close(sim->wt_uffd);
	if (sim->wt_pagemap >= 0)
		close(sim->wt_pagemap);
	sim->wt_uffd = sim->wt_pagemap = -1;
	atomic_store_explicit(&sim->wt_on, false, memory_order_relaxed);
}

void dmp__sim_wt_init(struct dmp_sim *sim)
{
	sim->wt_uffd = sim->wt_pagemap = -1;
	atomic_init(&sim->wt_on, false);
	if (env_off())
		return;
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0)
		return;
	sim->wt_uffd = (int)fd;
	struct uffdio_api api = { .api = UFFD_API,
				  .features = WT_FEATURE_WP_ASYNC | WT_FEATURE_WP_UNPOPULATED |
					      WT_FEATURE_WP_HUGETLBFS_SHMEM };
	sim->wt_pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (ioctl(sim->wt_uffd, UFFDIO_API, &api) || sim->wt_pagemap < 0)
		goto off;
	for (unsigned int i = 0; i < sim->nr; i++) {
		struct sim_region *r = &sim->r[i];
		struct uffdio_register reg = { .range = { (uintptr_t)r->cpu, r->size },
					       .mode = UFFDIO_REGISTER_MODE_WP };
		if (ioctl(sim->wt_uffd, UFFDIO_REGISTER, &reg))
			goto off;
	}
	atomic_store_explicit(&sim->wt_on, true, memory_order_relaxed);
	return;
off:
	wt_close(sim);
}

void dmp__sim_wt_fini(struct dmp_sim *sim)
{
	wt_close(sim); /* the registrations go with the mappings */
}

bool dmp__sim_wt_active(struct dmp_sim *sim)
{
	return atomic_load_explicit(&sim->wt_on, memory_order_relaxed);
}

void dmp__sim_wt_stop(struct dmp_sim *sim)
{
	/* the uffd stays open (its registrations only mark pages); scans stop */
	atomic_store_explicit(&sim->wt_on, false, memory_order_relaxed);
}

void dmp__sim_wt_unprotect(struct dmp_sim *sim, struct sim_region *r, size_t off, size_t size)
{
	if (!dmp__sim_wt_active(sim))
		return;
	struct uffdio_writeprotect wp = { .range = { (uintptr_t)r->cpu + off, size }, .mode = 0 };
	if (ioctl(sim->wt_uffd, UFFDIO_WRITEPROTECT, &wp))
		dmp__sim_wt_stop(sim);
}

int dmp__sim_wt_scan(struct dmp_sim *sim, struct sim_region *r, size_t off, size_t size,
		     void (*fn)(struct dmp_sim *, struct sim_region *, size_t, size_t, void *),
		     void *cookie)
{
	struct wt_page_region vec[32];
	uint64_t start = (uintptr_t)r->cpu + off, end = start + size;
	while (start < end) {
		struct wt_pm_scan_arg a = {
			.size = sizeof(a),
			.flags = WT_PM_SCAN_WP_MATCHING | WT_PM_SCAN_CHECK_WPASYNC,
			.start = start,
			.end = end,
			.vec = (uintptr_t)vec,
			.vec_len = DMP_ARRAY_SIZE(vec),
			.category_mask = WT_PAGE_IS_WRITTEN,
			.return_mask = WT_PAGE_IS_WRITTEN,
		};
		int n = ioctl(sim->wt_pagemap, WT_PAGEMAP_SCAN, &a);
		if (n < 0) {
			dmp__sim_wt_stop(sim);
			return -errno;
		}
		for (int i = 0; i < n; i++)
			fn(sim, r, (size_t)(vec[i].start - (uintptr_t)r->cpu),
			   (size_t)(vec[i].end - vec[i].start), cookie);
		/* Short of the end, the kernel stopped where its buffer filled,
		 * past what it reported.  A walk that did not move (or moved
		 * out of the range) would leave the rest unexamined, taken as
		 * written by nobody: examine it all instead (the caller). */
		if (a.walk_end <= start || a.walk_end > end) {
			dmp__sim_wt_stop(sim);
			return -EIO;
		}
		start = a.walk_end;
	}
	return 0;
}
