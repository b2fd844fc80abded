/* SPDX-License-Identifier: MIT */
/*
 * dma-iommu.c - the DMA API over an IOMMU DMA domain (Linux's
 * drivers/iommu/dma-iommu.c): IOVAs from the domain's IOVA allocator below
 * min(DMA mask, bus limit, aperture), pages mapped through the IOMMU core,
 * scatterlists merged into contiguous IOVA, strict or deferred (flush queue)
 * invalidation, and bouncing of sub-granule buffers for untrusted devices.
 */
#include <string.h>

#include <dmaport/iommu-driver.h>
#include <dmaport/iova.h>

#include "../dma/alloc-internal.h"
#include "../dma/dma-internal.h"
#include "iommu-internal.h"
#include "../slot-lock.h"

#define FQ_SIZE 256 /* Linux's IOVA_FQ_SIZE: entries a CPU queues before a flush */
#define FQ_TIMEOUT_NS (10 * 1000 * 1000ull) /* Linux's IOVA_FQ_TIMEOUT: 10 ms */

struct fq_entry {
	unsigned long pfn, pages;
	uint64_t when; /* when queued; 0 where a timer bounds the window */
};

/*
 * One CPU's queue: its slot lock (src/slot-lock.h), the owner's entries.
 *
 * An entry is freed only by a flush that cannot have missed its cleared
 * PTE: one that the thread holding the queue makes after queueing it (its
 * own stores come first in program order, and the IOMMU driver orders
 * them before its invalidation as on a strict unmap), or one that
 * fq_flush_all_queues() makes after entering every queue, which orders
 * each queue's entries (and the PTE stores before them) before it.  Linux
 * instead lets any CPU's flush free every CPU's older entries, which needs
 * the smp_mb() in queue_iova() on every unmap between the PTE store and
 * the read of the flush count; here an unmap has no fence.  The price: an
 * entry waits for its own queue to fill (FQ_SIZE) or for the timer, never
 * longer than Linux's bounds.
 */
struct flush_queue {
	struct dmp_slot_lock slot;
	unsigned int head, count;
	struct fq_entry e[FQ_SIZE];
};

struct dmp_iommu_dma_cookie {
	struct dmp_iova_domain iovad;
	struct dmp_iommu_domain *domain;
	bool lazy;
	uint64_t fq_timeout_ns;
	struct flush_queue *_Atomic fq[DMP_MAX_CPUS];
	struct dmp_timer *fq_timer; /* NULL: no timers on this platform */
	atomic_bool fq_timer_on;    /* armed, not yet run */
};

static inline struct dmp_iommu_domain *dma_domain(struct dmp_device *dev)
{
	return dmp__iommu_dma_domain(dev);
}

static inline size_t granule_of(struct dmp_iommu_dma_cookie *c)
{
	return (size_t)1 << dmp_iova_shift(&c->iovad);
}

/*
 * The flush queue's timer (Linux's fq_flush_timeout): the timeout after the
 * first unmap queued since the last run, flush the IOTLB and free every
 * queued IOVA, so that an idle device's lazy window closes too.
 */
static unsigned int fq_flush_all_queues(struct dmp_iommu_dma_cookie *c);

static void fq_timer_fn(void *cookie)
{
	struct dmp_iommu_domain *domain = cookie;
	struct dmp_iommu_dma_cookie *c = domain->dma;

	/* before the flush: an entry queued from here on arms the timer again
	 * (the flush holds every queue, so none is queued during it unseen) */
	atomic_store(&c->fq_timer_on, false);
	fq_flush_all_queues(c);
}

int dmp__iommu_dma_cookie_init(struct dmp_iommu_domain *domain, struct dmp_device *dev)
{
	struct dmp_iommu_dma_cookie *c = dmp_kzalloc(sizeof(*c), DMP_GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	unsigned long granule = 1ul << __builtin_ctzll(domain->pgsize_bitmap);
	/* IOVA 0 is never handed out: some drivers take it for "no address"
	 * (Linux's iommu_dma_init_domain starts at pfn 1) */
	unsigned long start = DMP_MAX(1ul, (unsigned long)(domain->geometry.aperture_start / granule));
	int err = dmp_iova_domain_init(&c->iovad, granule, start);
	if (err)
		goto fail;
	struct dmp_iommu_resv_region resv[DMP_IOMMU_MAX_RESV];
	int n = dmp_iommu_get_resv_regions(dev, resv, DMP_IOMMU_MAX_RESV);
	for (int i = 0; i < n; i++) {
		err = dmp_reserve_iova(&c->iovad, (unsigned long)(resv[i].start / granule),
				       (unsigned long)((resv[i].start + resv[i].length - 1) / granule));
		if (err)
			goto fail_iovad;
	}
	c->domain = domain;
	c->lazy = domain->type & DMP__IOMMU_DOMAIN_DMA_FQ;
	c->fq_timeout_ns = FQ_TIMEOUT_NS;
	/* Linux's fq_timer; without one (-EOPNOTSUPP) fq_queue's own check is
	 * the only bound in time */
	if (c->lazy)
		dmp_timer_create(fq_timer_fn, domain, &c->fq_timer);
	domain->dma = c;
	return 0;

fail_iovad:
	dmp_iova_domain_destroy(&c->iovad);
fail:
	dmp_kfree(c);
	return err;
}

void dmp__iommu_dma_cookie_free(struct dmp_iommu_domain *domain)
{
	struct dmp_iommu_dma_cookie *c = domain->dma;
	if (!c)
		return;
	dmp_timer_destroy(c->fq_timer); /* waits for a flush in progress */
	dmp_iommu_dma_flush_queue(domain);
	for (unsigned int i = 0; i < DMP_MAX_CPUS; i++)
		dmp_kfree(atomic_load(&c->fq[i]));
	dmp_iova_domain_destroy(&c->iovad);
	dmp_kfree(c);
	domain->dma = NULL;
}

void dmp_iommu_dma_set_fq_timeout(struct dmp_iommu_domain *domain, uint64_t ns)
{
	if (domain->dma)
		domain->dma->fq_timeout_ns = ns;
}

/* ---- the flush queue ------------------------------------------------------ */

/* Free every entry of @q, which a flush made after they were queued
 * covers; @q's slot held. */
static unsigned int fq_drain_locked(struct dmp_iommu_dma_cookie *c, struct flush_queue *q)
{
	unsigned int n = q->count;
	for (; q->count; q->count--) {
		struct fq_entry *e = &q->e[q->head];
		dmp_free_iova_fast(&c->iovad, e->pfn, e->pages);
		q->head = (q->head + 1) % FQ_SIZE;
	}
	return n;
}

/* The holder's own flush: invalidate the IOTLB, free @q's entries. */
static void fq_flush_own(struct dmp_iommu_dma_cookie *c, struct flush_queue *q)
{
	dmp__iommu_flush_all(c->domain);
	fq_drain_locked(c, q);
}

static struct flush_queue *fq_of_cpu(struct dmp_iommu_dma_cookie *c, unsigned int cpu)
{
	struct flush_queue *q = atomic_load_explicit(&c->fq[cpu], memory_order_acquire);
	if (dmp__likely(q))
		return q;
	q = dmp_kzalloc(sizeof(*q), DMP_GFP_ATOMIC);
	if (!q)
		return NULL;
	dmp_slot_init(&q->slot);
	struct flush_queue *expect = NULL;
	if (!atomic_compare_exchange_strong(&c->fq[cpu], &expect, q)) {
		dmp_kfree(q);
		q = expect;
	}
	return q;
}

/*
 * Defer the IOTLB invalidation of an unmapped range: its IOVA waits in this
 * CPU's queue and is reused only after a flush of the whole domain, which
 * happens when the queue is full, when the timer armed by the first queued
 * entry runs out (as Linux's fq_timer), or, where the platform has no
 * timers, at the next unmap after the timeout.  Until then the device may
 * still reach the old pages through stale IOTLB entries: the lazy window,
 * bounded by FQ_SIZE entries and the timeout.
 */
static void fq_queue(struct dmp_iommu_dma_cookie *c, unsigned long pfn, unsigned long pages)
{
	unsigned int self = dmp_cpu_slot();
	struct flush_queue *q = fq_of_cpu(c, dmp_cpu_slot_index(self));
	if (!q) { /* no queue: fall back to strict */
		dmp__iommu_flush_all(c->domain);
		dmp_free_iova_fast(&c->iovad, pfn, pages);
		return;
	}
	/* no fence between the cleared PTE and the entry: see struct
	 * flush_queue (Linux's smp_mb() in queue_iova() is for its shared
	 * flush counts, which this queue does not have) */
	enum dmp_slot_mode mode = dmp_slot_lock(&q->slot, self);
	/* The age of the oldest entry bounds the window only where no timer
	 * does (with one, as in Linux, the timer and a full queue are the
	 * bounds): no clock read per unmap then.  Jiffies-like is enough;
	 * read inside the lock, in order. */
	uint64_t now = 0;
	if (!c->fq_timer) {
		now = dmp_time_coarse_ns();
		if (q->count && now - q->e[q->head].when > c->fq_timeout_ns)
			fq_flush_own(c, q);
	}
	if (q->count == FQ_SIZE)
		fq_flush_own(c, q);
	q->e[(q->head + q->count) % FQ_SIZE] = (struct fq_entry){ pfn, pages, now };
	q->count++;
	dmp_slot_unlock(&q->slot, mode);
	if (c->fq_timer && !atomic_load_explicit(&c->fq_timer_on, memory_order_relaxed) &&
	    !atomic_exchange(&c->fq_timer_on, true))
		dmp_timer_arm(c->fq_timer, c->fq_timeout_ns);
}

/*
 * Enter every CPU's queue (as a non-owner, with one barrier for all: after
 * it, every entry there and the PTE store before it are ordered before
 * us), flush the IOTLB, free them all.  Returns how many were freed.  A
 * queue created meanwhile keeps its entries for its own flush or the
 * timer it arms.
 */
static unsigned int fq_flush_all_queues(struct dmp_iommu_dma_cookie *c)
{
	struct flush_queue *qs[DMP_MAX_CPUS];
	unsigned int n = 0, nq = 0;

	for (unsigned int i = 0; i < DMP_MAX_CPUS; i++) {
		struct flush_queue *q = atomic_load_explicit(&c->fq[i], memory_order_acquire);
		if (q) {
			qs[nq++] = q;
			dmp_slot_remote_begin(&q->slot);
		}
	}
	dmp_slot_remote_sync();
	for (unsigned int i = 0; i < nq; i++)
		dmp_slot_remote_wait(&qs[i]->slot);
	dmp__iommu_flush_all(c->domain);
	for (unsigned int i = 0; i < nq; i++) {
		n += fq_drain_locked(c, qs[i]);
		dmp_slot_remote_end(&qs[i]->slot);
	}
	return n;
}

unsigned int dmp_iommu_dma_flush_queue(struct dmp_iommu_domain *domain)
{
	struct dmp_iommu_dma_cookie *c = domain->dma;
	if (!c)
		return 0;
	return fq_flush_all_queues(c);
}

/* ---- IOVA and mapping helpers ---------------------------------------------- */

static int prot_of(const struct dmp_device *dev, enum dmp_data_direction dir, unsigned long attrs)
{
	static const int dir_prot[] = {
		[DMP_BIDIRECTIONAL] = DMP_IOMMU_READ | DMP_IOMMU_WRITE,
		[DMP_TO_DEVICE] = DMP_IOMMU_READ,
		[DMP_FROM_DEVICE] = DMP_IOMMU_WRITE,
	};
	if ((unsigned int)dir >= DMP_ARRAY_SIZE(dir_prot))
		return 0;
	return dir_prot[dir] | (dev->dma_coherent ? DMP_IOMMU_CACHE : 0) |
	       (attrs & DMP_ATTR_PRIVILEGED ? DMP_IOMMU_PRIV : 0);
}

/* The highest IOVA the device can use: mask, bus limit, aperture. */
static uint64_t iova_limit(const struct dmp_device *dev, const struct dmp_iommu_domain *d,
			   uint64_t mask)
{
	if (dev->bus_dma_limit && dev->bus_dma_limit < mask)
		mask = dev->bus_dma_limit;
	if (d->geometry.force_aperture && d->geometry.aperture_end < mask)
		mask = d->geometry.aperture_end;
	return mask;
}

/* Inline in every caller: on the streaming map, a call and its frame less
 * (callgrind: 16 instructions of the lazy pair's 882). */
static DMP__ALWAYS_INLINE int alloc_iova(struct dmp_iommu_dma_cookie *c, size_t len,
					 uint64_t limit, dmp_addr_t *iova)
{
	unsigned long pfn;
	unsigned long pages = (unsigned long)(len >> dmp_iova_shift(&c->iovad));
	int err = dmp_alloc_iova_fast(&c->iovad, pages, dmp_iova_limit_pfn(&c->iovad, limit), true,
				      &pfn);
	if (err)
		return err;
	*iova = (dmp_addr_t)pfn << dmp_iova_shift(&c->iovad);
	return 0;
}

static void free_iova(struct dmp_iommu_dma_cookie *c, dmp_addr_t iova, size_t len)
{
	dmp_free_iova_fast(&c->iovad, dmp_iova_pfn(&c->iovad, iova),
			   (unsigned long)(len >> dmp_iova_shift(&c->iovad)));
}

/*
 * Whether dmp_iommu_map() would take [iova, +len) as one page of the
 * smallest size and pass it to the driver unchanged: the checks it makes,
 * in a few instructions.  Proven once, at dmp__iommu_dma_cookie_init(): the
 * domain is paging (only DMA domains have a cookie) and the granule is its
 * smallest page size (taken from pgsize_bitmap).  Tested here: one granule,
 * IOVA and physical address aligned to it, prot not empty, the page inside
 * the aperture the domain has now.  The driver refuses an IOVA already
 * mapped (-EEXIST) on either path.
 */
static inline bool one_granule_ok(const struct dmp_iommu_domain *d, size_t gmask, dmp_addr_t iova,
				  dmp_phys_t phys, size_t len, int prot)
{
	return len == gmask + 1 && !((iova | phys) & gmask) &&
	       (prot & (DMP_IOMMU_READ | DMP_IOMMU_WRITE)) &&
	       (!d->geometry.force_aperture ||
		(iova >= d->geometry.aperture_start && iova + gmask <= d->geometry.aperture_end));
}

/*
 * Map [iova, +len): one granule that passes one_granule_ok(), the usual
 * streaming map, goes to the driver directly, without dmp_iommu_map()'s
 * page-size loop; anything else through dmp_iommu_map(), which refuses and
 * reports what it must.
 */
static DMP__ALWAYS_INLINE int map_range(struct dmp_iommu_dma_cookie *c, dmp_addr_t iova,
					 dmp_phys_t phys, size_t len, int prot)
{
	struct dmp_iommu_domain *d = c->domain;
	if (!one_granule_ok(d, granule_of(c) - 1, iova, phys, len, prot))
		return dmp_iommu_map(d, iova, phys, len, prot, DMP_GFP_ATOMIC);
	size_t done = 0;
	return d->ops->map_pages(d, iova, phys, len, 1, prot, DMP_GFP_ATOMIC, &done);
}

/* The unmap of what map_range() mapped; one aligned granule without the
 * loop (dmp__iommu_unmap_fast()'s checks are its alignment and size). */
static size_t unmap_range(struct dmp_iommu_dma_cookie *c, dmp_addr_t iova, size_t len,
			  struct dmp_iommu_iotlb_gather *g)
{
	struct dmp_iommu_domain *d = c->domain;
	if (len != granule_of(c) || (iova & (len - 1)))
		return dmp__iommu_unmap_fast(d, iova, len, g);
	return d->ops->unmap_pages(d, iova, len, 1, g);
}

/* Unmap [iova, +len) (granule aligned) and release the IOVA, strictly or lazily. */
static void unmap_iova(struct dmp_device *dev, struct dmp_iommu_dma_cookie *c, dmp_addr_t iova,
		       size_t len)
{
	struct dmp_iommu_iotlb_gather g;
	dmp_iommu_iotlb_gather_init(&g);
	size_t n = unmap_range(c, iova, len, &g);
	if (n != len)
		dmp__dma_misuse(dev, n ? DMP_DEBUG_SIZE_MISMATCH : DMP_DEBUG_FREE_UNKNOWN, NULL, 0,
				NULL,
				"IOMMU unmap of IOVA 0x%llx + 0x%zx removed 0x%zx",
				(unsigned long long)iova, len, n);
	if (!n)
		return; /* nothing was mapped there: the IOVA is not ours to free */
	if (c->lazy && !dev->untrusted) {
		fq_queue(c, dmp_iova_pfn(&c->iovad, iova),
			 (unsigned long)(len >> dmp_iova_shift(&c->iovad)));
		return;
	}
	/* strict: the IOTLB forgets the range before the IOVA can be reused */
	dmp__iommu_iotlb_sync(c->domain, &g);
	free_iova(c, iova, len);
}

static inline void sync_for_device(struct dmp_device *dev, dmp_phys_t phys, size_t size,
				   enum dmp_data_direction dir)
{
	if (!dev->dma_coherent)
		dmp_arch_sync_for_device(phys, dmp_phys_to_virt(phys), size, dir);
}

static inline void sync_for_cpu(struct dmp_device *dev, dmp_phys_t phys, size_t size,
				enum dmp_data_direction dir)
{
	if (!dev->dma_coherent)
		dmp_arch_sync_for_cpu(phys, dmp_phys_to_virt(phys), size, dir);
}

/* ---- streaming ---------------------------------------------------------------- */

/* A map that failed (no IOVA below the device's limit in @d, or the
 * driver's error @err): reported, the bounce slot (if any) given back.  Out
 * of line: map_iova()'s cold end. */
static DMP__NOINLINE dmp_addr_t map_failed(struct dmp_device *dev, struct dmp_iommu_domain *d,
					   dmp_phys_t phys, size_t size,
					   enum dmp_data_direction dir, unsigned long attrs,
					   struct dmp_swiotlb_pool *pool, int err)
{
	if (!d)
		dmp__dma_report(dev, attrs, NULL, 0, "no IOVA space for %zu bytes below 0x%llx",
				size, (unsigned long long)iova_limit(dev, dma_domain(dev),
								     *dev->dma_mask));
	else
		dmp__dma_report(dev, attrs, NULL, 0, "IOMMU map of 0x%llx failed: error %d",
				(unsigned long long)phys, err);
	if (pool)
		dmp_swiotlb_tbl_unmap_single(pool, phys, size, dir, attrs | DMP_ATTR_SKIP_CPU_SYNC);
	return DMP_MAPPING_ERROR;
}

/* An IOVA for [phys, +size) (synced already), mapped to its pages; @pool:
 * the bounce pool @phys is a slot of, or NULL. */
static DMP__ALWAYS_INLINE dmp_addr_t map_iova(struct dmp_device *dev, struct dmp_iommu_domain *d,
					      dmp_phys_t phys, size_t size,
					      enum dmp_data_direction dir, unsigned long attrs,
					      struct dmp_swiotlb_pool *pool)
{
	struct dmp_iommu_dma_cookie *c = d->dma;
	size_t gmask = granule_of(c) - 1;
	size_t off = phys & gmask;
	size_t len = DMP_ALIGN_UP(off + size, gmask + 1);
	dmp_addr_t iova;
	int err = alloc_iova(c, len, iova_limit(dev, d, *dev->dma_mask), &iova);
	if (dmp__unlikely(err))
		return map_failed(dev, NULL, phys, size, dir, attrs, pool, err);
	err = map_range(c, iova, phys - off, len, prot_of(dev, dir, attrs));
	if (dmp__unlikely(err)) {
		free_iova(c, iova, len);
		return map_failed(dev, d, phys, size, dir, attrs, pool, err);
	}
	return iova + off;
}

/*
 * The map of a buffer that needs more than an IOVA: cache maintenance, or
 * (an untrusted device's buffer that does not fill its pages) a bounce
 * slot.  Out of line, so that the usual map below stays small.
 */
static DMP__NOINLINE dmp_addr_t map_phys_synced(struct dmp_device *dev, dmp_phys_t phys,
						size_t size, enum dmp_data_direction dir,
						unsigned long attrs)
{
	struct dmp_iommu_domain *d = dma_domain(dev);
	size_t gmask = granule_of(d->dma) - 1;
	struct dmp_swiotlb_pool *pool = NULL;

	if (dev->untrusted && ((phys | size) & gmask)) {
		/*
		 * An untrusted device sees whole IOMMU pages: a buffer that does
		 * not fill its pages is bounced into a slot of its own, aligned to
		 * the granule, with the padding zeroed, so the device never sees
		 * the data around it (Linux's iommu_dma_map_page + swiotlb).
		 */
		pool = dmp_dev_swiotlb(dev);
		dmp_phys_t tlb;
		if (!pool ||
		    dmp_swiotlb_tbl_map_single(pool, phys, size, DMP_ALIGN_UP(size, gmask + 1), 0,
					       (unsigned int)gmask, dir,
					       attrs | DMP_SWIOTLB_ZERO_PADDING, &tlb)) {
			dmp__dma_report(dev, attrs, NULL, 0,
					"untrusted device: no bounce buffer for %zu bytes at 0x%llx",
					size, (unsigned long long)phys);
			return DMP_MAPPING_ERROR;
		}
		phys = tlb;
	}
	if (!(attrs & DMP_ATTR_SKIP_CPU_SYNC))
		sync_for_device(dev, phys, size, dir);
	return map_iova(dev, d, phys, size, dir, attrs, pool);
}

dmp_addr_t dmp__iommu_map_phys(struct dmp_device *dev, dmp_phys_t phys, size_t size,
			       enum dmp_data_direction dir, unsigned long attrs)
{
	if (dmp__unlikely(dev->untrusted ||
			  (!dev->dma_coherent && !(attrs & DMP_ATTR_SKIP_CPU_SYNC))))
		return map_phys_synced(dev, phys, size, dir, attrs);
	return map_iova(dev, dma_domain(dev), phys, size, dir, attrs, NULL);
}

/* The unmap of a buffer that needs its physical address: cache
 * maintenance, or a bounce slot to give back.  Out of line, so that the
 * usual unmap below builds no frame. */
static DMP__NOINLINE void unmap_phys_synced(struct dmp_device *dev, struct dmp_iommu_domain *d,
					    dmp_addr_t addr, size_t size,
					    enum dmp_data_direction dir, unsigned long attrs,
					    dmp_addr_t iova, size_t len)
{
	dmp_phys_t phys;
	if (dmp_iommu_iova_to_phys(d, addr, &phys)) {
		dmp__dma_misuse(dev, DMP_DEBUG_FREE_UNKNOWN, NULL, 0, NULL,
				"unmap of IOVA 0x%llx: nothing is mapped there",
				(unsigned long long)addr);
		return;
	}
	if (!(attrs & DMP_ATTR_SKIP_CPU_SYNC))
		sync_for_cpu(dev, phys, size, dir);
	struct dmp_swiotlb_pool *pool = dmp_dev_swiotlb(dev);
	if (dev->untrusted && pool && dmp_swiotlb_is_bounce(pool, phys))
		dmp_swiotlb_tbl_unmap_single(pool, phys, size, dir, attrs);
	unmap_iova(dev, d->dma, iova, len);
}

void dmp__iommu_unmap_phys(struct dmp_device *dev, dmp_addr_t addr, size_t size,
			   enum dmp_data_direction dir, unsigned long attrs)
{
	struct dmp_iommu_domain *d = dma_domain(dev);
	struct dmp_iommu_dma_cookie *c = d->dma;
	size_t gmask = granule_of(c) - 1;
	size_t off = addr & gmask;
	size_t len = DMP_ALIGN_UP(off + size, gmask + 1);
	/* no cache maintenance and no bounce buffer: the physical address is
	 * not needed, only the IOVA */
	if (dmp__likely(dev->dma_coherent && !dev->untrusted))
		unmap_iova(dev, c, addr - off, len);
	else
		unmap_phys_synced(dev, d, addr, size, dir, attrs, addr - off, len);
}

/*
 * A sync that does work (cache maintenance, a bounce copy) must stay inside
 * its mapping: the last byte of [addr, +size) has to translate to the byte
 * @size - 1 after @phys, as it does inside one buffer.  A sync past the end
 * into unmapped IOVA, or into another mapping, is refused rather than
 * carried out over memory the caller does not own (Linux translates the
 * first byte only and syncs the rest of the range from there).  What this
 * cannot see without the checker: a sync past the buffer's end that stays
 * within the IOMMU page it ends in.
 */
static bool sync_in_mapping(struct dmp_device *dev, struct dmp_iommu_domain *d, dmp_addr_t addr,
			    size_t size, dmp_phys_t phys)
{
	size_t gmask = granule_of(d->dma) - 1;
	dmp_phys_t last;
	if (size - 1 <= gmask - (addr & gmask))
		return true; /* within the page the first translation covered */
	if (addr + (size - 1) >= addr && dmp_iommu_iova_to_phys(d, addr + (size - 1), &last) == 0 &&
	    last == phys + (size - 1))
		return true;
	dmp__dma_misuse(dev, DMP_DEBUG_SYNC_RANGE, NULL, 0, NULL,
			"sync of IOVA 0x%llx + %zu runs past its mapping: refused, nothing synced",
			(unsigned long long)addr, size);
	return false;
}

static void iommu_sync_for_cpu(struct dmp_device *dev, dmp_addr_t addr, size_t size,
			       enum dmp_data_direction dir)
{
	struct dmp_iommu_domain *d = dma_domain(dev);
	dmp_phys_t phys;
	if (dmp_iommu_iova_to_phys(d, addr, &phys)) {
		dmp__dma_misuse(dev, DMP_DEBUG_SYNC_UNMAPPED, NULL, 0, NULL,
				"sync of IOVA 0x%llx: nothing is mapped there",
				(unsigned long long)addr);
		return;
	}
	if ((!dev->dma_coherent || dev->untrusted) && !sync_in_mapping(dev, d, addr, size, phys))
		return;
	sync_for_cpu(dev, phys, size, dir);
	struct dmp_swiotlb_pool *pool = dmp_dev_swiotlb(dev);
	if (dev->untrusted && pool && dmp_swiotlb_is_bounce(pool, phys))
		dmp_swiotlb_sync_single_for_cpu(pool, phys, size, dir);
}

static void iommu_sync_for_device(struct dmp_device *dev, dmp_addr_t addr, size_t size,
				  enum dmp_data_direction dir)
{
	struct dmp_iommu_domain *d = dma_domain(dev);
	dmp_phys_t phys;
	if (dmp_iommu_iova_to_phys(d, addr, &phys)) {
		dmp__dma_misuse(dev, DMP_DEBUG_SYNC_UNMAPPED, NULL, 0, NULL,
				"sync of IOVA 0x%llx: nothing is mapped there",
				(unsigned long long)addr);
		return;
	}
	if ((!dev->dma_coherent || dev->untrusted) && !sync_in_mapping(dev, d, addr, size, phys))
		return;
	struct dmp_swiotlb_pool *pool = dmp_dev_swiotlb(dev);
	if (dev->untrusted && pool && dmp_swiotlb_is_bounce(pool, phys))
		dmp_swiotlb_sync_single_for_device(pool, phys, size, dir);
	sync_for_device(dev, phys, size, dir);
}

/* ---- scatterlists ---------------------------------------------------------- */

/* IOVA bytes entry @s takes: its pages, from the granule it starts in. */
static size_t sg_iova_len(struct dmp_scatterlist *s, size_t gmask)
{
	return DMP_ALIGN_UP((dmp_sg_phys(s) & gmask) + s->length, gmask + 1);
}

static int map_sg_each(struct dmp_device *dev, struct dmp_scatterlist *sgl, int nents,
		       enum dmp_data_direction dir, unsigned long attrs)
{
	struct dmp_scatterlist *s;
	int i;
	dmp_for_each_sg(sgl, s, nents, i) {
		s->dma_address = dmp__iommu_map_phys(dev, dmp_sg_phys(s), s->length, dir, attrs);
		if (s->dma_address == DMP_MAPPING_ERROR)
			goto fail;
		s->dma_length = s->length;
	}
	return nents;
fail:;
	struct dmp_scatterlist *u;
	int k;
	dmp_for_each_sg(sgl, u, i, k)
		dmp__iommu_unmap_phys(dev, u->dma_address, u->length, dir, attrs | DMP_ATTR_SKIP_CPU_SYNC);
	return -ENOMEM;
}

/*
 * One IOVA range for the whole list, each entry at its own granule-aligned
 * slot keeping its offset within the granule, then adjacent entries merged
 * into DMA segments where they are contiguous in IOVA and the device's
 * max_segment_size and segment boundary allow (Linux's iommu_dma_map_sg +
 * __finalise_sg).  Returns the number of DMA segments.
 */
static int iommu_map_sg(struct dmp_device *dev, struct dmp_scatterlist *sgl, int nents,
			enum dmp_data_direction dir, unsigned long attrs)
{
	struct dmp_iommu_domain *d = dma_domain(dev);
	struct dmp_iommu_dma_cookie *c = d->dma;
	size_t gmask = granule_of(c) - 1;
	if (dev->untrusted)
		return map_sg_each(dev, sgl, nents, dir, attrs);
	struct dmp_scatterlist *s;
	int i;
	size_t total = 0;
	dmp_for_each_sg(sgl, s, nents, i) {
		if (!dmp_sg_page(s) || !s->length)
			return -EINVAL;
		if (!(attrs & DMP_ATTR_SKIP_CPU_SYNC))
			sync_for_device(dev, dmp_sg_phys(s), s->length, dir);
		total += sg_iova_len(s, gmask);
	}
	dmp_addr_t iova;
	if (alloc_iova(c, total, iova_limit(dev, d, *dev->dma_mask), &iova))
		return -ENOMEM;
	int prot = prot_of(dev, dir, attrs);
	size_t at = 0;
	dmp_for_each_sg(sgl, s, nents, i) {
		dmp_phys_t phys = dmp_sg_phys(s);
		size_t len = sg_iova_len(s, gmask);
		int err = dmp_iommu_map(d, iova + at, phys & ~(dmp_phys_t)gmask, len, prot,
					DMP_GFP_ATOMIC);
		if (err) {
			if (at)
				dmp_iommu_unmap(d, iova, at);
			free_iova(c, iova, total);
			return err;
		}
		s->dma_address = iova + at + (phys & gmask);
		s->dma_length = s->length;
		at += len;
	}
	/* merge: entry i joins the current segment when it starts where the
	 * segment ends, within the size and boundary limits */
	struct dmp_scatterlist *out = sgl;
	dmp_addr_t seg_start = sgl->dma_address;
	size_t seg_len = 0;
	int nseg = 0;
	unsigned long boundary = dev->segment_boundary_mask;
	dmp_for_each_sg(sgl, s, nents, i) {
		dmp_addr_t a = s->dma_address;
		unsigned int l = s->dma_length;
		bool joins = seg_len && a == seg_start + seg_len &&
			     seg_len + l <= dev->max_segment_size &&
			     (seg_start & ~(dmp_addr_t)boundary) ==
				     ((a + l - 1) & ~(dmp_addr_t)boundary);
		if (!joins) {
			if (seg_len) {
				out->dma_address = seg_start;
				out->dma_length = (unsigned int)seg_len;
				out = dmp_sg_next(out);
				nseg++;
			}
			seg_start = a;
			seg_len = 0;
		}
		seg_len += l;
	}
	out->dma_address = seg_start;
	out->dma_length = (unsigned int)seg_len;
	nseg++;
	/* entries past the last segment carry no DMA address */
	for (s = dmp_sg_next(out), i = nseg; s && i < nents; s = dmp_sg_next(s), i++)
		s->dma_length = 0;
	return nseg;
}

static void iommu_unmap_sg(struct dmp_device *dev, struct dmp_scatterlist *sgl, int nents,
			   enum dmp_data_direction dir, unsigned long attrs)
{
	struct dmp_iommu_domain *d = dma_domain(dev);
	struct dmp_iommu_dma_cookie *c = d->dma;
	size_t gmask = granule_of(c) - 1;
	if (dev->untrusted) {
		struct dmp_scatterlist *u;
		int k;
		dmp_for_each_sg(sgl, u, nents, k)
			dmp__iommu_unmap_phys(dev, u->dma_address, u->length, dir, attrs);
		return;
	}
	struct dmp_scatterlist *s;
	int i;
	size_t total = 0;
	dmp_for_each_sg(sgl, s, nents, i) {
		if (!(attrs & DMP_ATTR_SKIP_CPU_SYNC))
			sync_for_cpu(dev, dmp_sg_phys(s), s->length, dir);
		total += sg_iova_len(s, gmask);
	}
	unmap_iova(dev, c, sgl->dma_address & ~(dmp_addr_t)gmask, total);
}

static void iommu_sync_sg_for_cpu(struct dmp_device *dev, struct dmp_scatterlist *sgl, int nents,
				  enum dmp_data_direction dir)
{
	struct dmp_scatterlist *s;
	int i;
	dmp_for_each_sg(sgl, s, nents, i) {
		if (dev->untrusted)
			iommu_sync_for_cpu(dev, s->dma_address, s->length, dir);
		else
			sync_for_cpu(dev, dmp_sg_phys(s), s->length, dir);
	}
}

static void iommu_sync_sg_for_device(struct dmp_device *dev, struct dmp_scatterlist *sgl,
				     int nents, enum dmp_data_direction dir)
{
	struct dmp_scatterlist *s;
	int i;
	dmp_for_each_sg(sgl, s, nents, i) {
		if (dev->untrusted)
			iommu_sync_for_device(dev, s->dma_address, s->length, dir);
		else
			sync_for_device(dev, dmp_sg_phys(s), s->length, dir);
	}
}

static dmp_addr_t iommu_map_resource(struct dmp_device *dev, dmp_phys_t phys, size_t size,
				     enum dmp_data_direction dir, unsigned long attrs)
{
	struct dmp_iommu_domain *d = dma_domain(dev);
	struct dmp_iommu_dma_cookie *c = d->dma;
	size_t gmask = granule_of(c) - 1;
	size_t off = phys & gmask, len = DMP_ALIGN_UP(off + size, gmask + 1);
	dmp_addr_t iova;
	if (alloc_iova(c, len, iova_limit(dev, d, *dev->dma_mask), &iova))
		return DMP_MAPPING_ERROR;
	int prot = (prot_of(dev, dir, attrs) & ~DMP_IOMMU_CACHE) | DMP_IOMMU_MMIO;
	if (dmp_iommu_map(d, iova, phys - off, len, prot, DMP_GFP_ATOMIC)) {
		free_iova(c, iova, len);
		return DMP_MAPPING_ERROR;
	}
	return iova + off;
}

static void iommu_unmap_resource(struct dmp_device *dev, dmp_addr_t addr, size_t size,
				 enum dmp_data_direction dir, unsigned long attrs)
{
	struct dmp_iommu_dma_cookie *c = dma_domain(dev)->dma;
	size_t gmask = granule_of(c) - 1;
	size_t off = addr & gmask;
	unmap_iova(dev, c, addr - off, DMP_ALIGN_UP(off + size, gmask + 1));
}

/* ---- allocations --------------------------------------------------------------- */

/* Back to CMA or the page allocator, whichever served iommu_alloc_common(). */
static void put_pages(struct dmp_device *dev, dmp_phys_t phys, size_t len)
{
	if (!dmp__dma_release_contiguous(dev, dmp_phys_to_page(phys), len))
		dmp_page_free(phys, dmp_get_order(len));
}

/*
 * Coherent memory behind an IOMMU: any pages (the IOMMU makes them
 * reachable), mapped at an IOVA below the coherent mask.  Without a vmap
 * facility the CPU needs one contiguous range, so the pages are physically
 * contiguous (Linux may assemble single pages and vmap them; with
 * DMP_ATTR_FORCE_CONTIGUOUS it does as we do).  Where they come from follows
 * Linux's iommu_dma_alloc(): a non-coherent device's caller that must not
 * block takes uncached memory from the atomic pool; DMP_ATTR_FORCE_CONTIGUOUS
 * asks CMA first (the device's area, or the default area beyond a page), as
 * Linux's iommu_dma_alloc_pages(); then the page allocator.  Any page will
 * do: the IOMMU makes it reachable.
 */
static void *iommu_alloc_common(struct dmp_device *dev, size_t size, dmp_addr_t *handle,
				dmp_gfp_t gfp, unsigned long attrs, bool uncached)
{
	struct dmp_iommu_domain *d = dma_domain(dev);
	struct dmp_iommu_dma_cookie *c = d->dma;
	size_t len = DMP_ALIGN_UP(size, granule_of(c));
	unsigned int order = dmp_get_order(len);
	dmp_phys_t phys;
	void *va;
	bool pool = uncached && !dev->dma_coherent && (gfp & DMP_GFP_ATOMIC) &&
		    !(attrs & DMP_ATTR_NO_KERNEL_MAPPING) && dmp__atomic_pool_active();
	if (pool) {
		va = dmp__atomic_pool_alloc(dev, len, &phys, false);
		if (!va)
			return NULL;
		goto map; /* pool memory is uncached already */
	}
	struct dmp_page *pg = NULL;
	if (attrs & DMP_ATTR_FORCE_CONTIGUOUS)
		pg = dmp__dma_alloc_contiguous(dev, len, gfp | DMP_GFP_ZERO, false);
	if (pg)
		phys = dmp_page_to_phys(pg);
	else if (dmp_page_alloc(order, DMP_GFP_ZERO, DMP_PHYS_ANY, &phys))
		return NULL;
	va = dmp_phys_to_virt(phys);
	if (uncached && !dev->dma_coherent) {
		dmp_arch_prep_coherent(phys, va, DMP_PAGE_SIZE << order);
		enum dmp_mem_attr a = (attrs & DMP_ATTR_WRITE_COMBINE) ? DMP_MEM_WC : DMP_MEM_UNCACHED;
		if (DMP__PLAT_CALL(set_mem_attr, phys, DMP_PAGE_SIZE << order, a))
			goto fail_pages;
	} else {
		sync_for_device(dev, phys, DMP_PAGE_SIZE << order, DMP_BIDIRECTIONAL);
	}
map:;
	dmp_addr_t iova;
	if (alloc_iova(c, len, iova_limit(dev, d, dev->coherent_dma_mask), &iova))
		goto fail_attr;
	if (dmp_iommu_map(d, iova, phys, len, prot_of(dev, DMP_BIDIRECTIONAL, attrs),
			  DMP_GFP_KERNEL)) {
		free_iova(c, iova, len);
		goto fail_attr;
	}
	*handle = iova;
	return va;

fail_attr:
	if (pool) {
		dmp__atomic_pool_free(va, len);
		return NULL;
	}
	if (uncached && !dev->dma_coherent)
		DMP__PLAT_CALL(set_mem_attr, phys, DMP_PAGE_SIZE << order, DMP_MEM_NORMAL);
fail_pages:
	put_pages(dev, phys, len);
	return NULL;
}

/* The pages behind an allocation; false (reported) if @handle does not map @phys. */
static bool iommu_alloc_phys(struct dmp_device *dev, dmp_addr_t handle, dmp_phys_t *phys)
{
	if (dmp_iommu_iova_to_phys(dma_domain(dev), handle, phys) == 0)
		return true;
	dmp__dma_misuse(dev, DMP_DEBUG_FREE_UNKNOWN, NULL, 0, NULL,
			"free of IOVA 0x%llx: nothing is mapped there",
			(unsigned long long)handle);
	return false;
}

/*
 * Whether @handle and @size are what an allocation got: the IOVA allocator
 * holds a range that starts at @handle and has the pages alloc_iova() asked
 * for (sizes the fast path caches rounded up to a power of two, as
 * dmp_alloc_iova_fast() does).  A free with another size is refused before
 * anything changes: Linux would unmap and free by the size given, leaving
 * pages mapped and leaked, or taking a neighbour's.  Frees are rare enough
 * to afford the tree lookup that streaming unmaps leave to the checker.
 */
static bool alloc_size_ok(struct dmp_device *dev, dmp_addr_t handle, size_t size, const char *what)
{
	struct dmp_iommu_dma_cookie *c = dma_domain(dev)->dma;
	unsigned int shift = dmp_iova_shift(&c->iovad);
	size_t len = DMP_ALIGN_UP(size, granule_of(c));
	unsigned long pages = (unsigned long)(len >> shift), want = pages;
	if (pages && pages <= DMP_IOVA_CACHE_MAX_PFNS)
		while (want & (want - 1))
			want += want & -want; /* round up to a power of two */
	struct dmp_iova_range r;
	unsigned long pfn = dmp_iova_pfn(&c->iovad, handle);
	if (len >= size && DMP_IS_ALIGNED(handle, granule_of(c)) &&
	    dmp_find_iova(&c->iovad, pfn, &r) == 0 && !r.reserved && r.pfn_lo == pfn &&
	    r.pfn_hi - r.pfn_lo + 1 == want)
		return true;
	dmp__dma_misuse(dev, DMP_DEBUG_SIZE_MISMATCH, NULL, 0, NULL,
			"%s of %zu bytes at IOVA 0x%llx: not the size or start of an allocation "
			"(it has %lu pages there): refused", what, size,
			(unsigned long long)handle,
			dmp_find_iova(&c->iovad, pfn, &r) == 0 ? r.pfn_hi - r.pfn_lo + 1 : 0ul);
	return false;
}

static void iommu_free_common(struct dmp_device *dev, size_t size, dmp_phys_t phys,
			      dmp_addr_t handle, bool uncached)
{
	struct dmp_iommu_dma_cookie *c = dma_domain(dev)->dma;
	size_t len = DMP_ALIGN_UP(size, granule_of(c));
	unsigned int order = dmp_get_order(len);
	unmap_iova(dev, c, handle, len);
	void *va = dmp_phys_to_virt(phys);
	if (dmp__atomic_pool_owns(va)) {
		dmp__atomic_pool_free(va, len);
		return;
	}
	if (uncached && !dev->dma_coherent)
		DMP__PLAT_CALL(set_mem_attr, phys, DMP_PAGE_SIZE << order, DMP_MEM_NORMAL);
	else if (!dev->dma_coherent)
		dmp__release_noncoherent(phys, DMP_PAGE_SIZE << order);
	put_pages(dev, phys, len);
}

static void *iommu_alloc(struct dmp_device *dev, size_t size, dmp_addr_t *handle, dmp_gfp_t gfp,
			 unsigned long attrs)
{
	void *va = iommu_alloc_common(dev, size, handle, gfp, attrs, true);
	if (va && (attrs & DMP_ATTR_NO_KERNEL_MAPPING))
		return dmp_virt_to_page(va);
	return va;
}

static void iommu_free(struct dmp_device *dev, size_t size, void *cpu_addr, dmp_addr_t handle,
		       unsigned long attrs)
{
	dmp_phys_t phys, want;
	if (!iommu_alloc_phys(dev, handle, &phys))
		return;
	int bad = (attrs & DMP_ATTR_NO_KERNEL_MAPPING) ? dmp__page_to_phys_checked(cpu_addr, &want)
						       : dmp_virt_to_phys(cpu_addr, &want);
	if (bad || want != phys) {
		dmp__dma_misuse(dev, DMP_DEBUG_FREE_UNKNOWN, NULL, 0, NULL,
				"free of coherent memory not allocated here [cpu=%p bus address="
				"0x%llx]", cpu_addr, (unsigned long long)handle);
		return;
	}
	if (alloc_size_ok(dev, handle, size, "free"))
		iommu_free_common(dev, size, phys, handle, true);
}

static struct dmp_page *iommu_alloc_pages(struct dmp_device *dev, size_t size,
					  dmp_addr_t *handle, enum dmp_data_direction dir,
					  dmp_gfp_t gfp)
{
	void *va = iommu_alloc_common(dev, size, handle, gfp, 0, false);
	return va ? dmp_virt_to_page(va) : NULL;
}

static void iommu_free_pages(struct dmp_device *dev, size_t size, struct dmp_page *page,
			     dmp_addr_t handle, enum dmp_data_direction dir)
{
	dmp_phys_t phys;
	if (iommu_alloc_phys(dev, handle, &phys) && alloc_size_ok(dev, handle, size, "free"))
		iommu_free_common(dev, size, phys, handle, false);
}

static int iommu_mmap(struct dmp_device *dev, struct dmp_user_mapping *um, void *cpu_addr,
		      dmp_addr_t dma_addr, size_t size, unsigned long attrs)
{
	dmp_phys_t phys;
	if (!iommu_alloc_phys(dev, dma_addr, &phys) || !alloc_size_ok(dev, dma_addr, size, "mmap"))
		return -EINVAL;
	return dmp__mmap_phys(um, phys, size);
}

static int iommu_get_sgtable(struct dmp_device *dev, struct dmp_sg_table *sgt, void *cpu_addr,
			     dmp_addr_t dma_addr, size_t size, unsigned long attrs)
{
	dmp_phys_t phys;
	if (!iommu_alloc_phys(dev, dma_addr, &phys) ||
	    !alloc_size_ok(dev, dma_addr, size, "get_sgtable"))
		return -EINVAL;
	return dmp__sgtable_one(sgt, phys, size);
}

static size_t iommu_max_mapping_size(struct dmp_device *dev)
{
	struct dmp_swiotlb_pool *pool = dmp_dev_swiotlb(dev);
	if (dev->untrusted && pool)
		return dmp_swiotlb_max_mapping_size(pool, dev->min_align_mask);
	return SIZE_MAX;
}

static size_t iommu_opt_mapping_size(void)
{
	/* beyond this the IOVA caches miss (Linux's iova_rcache_range()) */
	return DMP_PAGE_SIZE * DMP_IOVA_CACHE_MAX_PFNS;
}

static bool iommu_need_sync(struct dmp_device *dev, dmp_addr_t addr)
{
	return !dev->dma_coherent || dev->untrusted;
}

static uint64_t iommu_required_mask(struct dmp_device *dev)
{
	return DMP_BIT_MASK(32); /* the IOMMU can put IOVAs anywhere below the mask */
}

const struct dmp_dma_map_ops dmp_iommu_dma_ops = {
	.name = "iommu",
	.alloc = iommu_alloc,
	.free = iommu_free,
	.mmap = iommu_mmap,
	.get_sgtable = iommu_get_sgtable,
	.alloc_pages = iommu_alloc_pages,
	.free_pages = iommu_free_pages,
	.map_phys = dmp__iommu_map_phys,
	.unmap_phys = dmp__iommu_unmap_phys,
	.map_sg = iommu_map_sg,
	.unmap_sg = iommu_unmap_sg,
	.map_resource = iommu_map_resource,
	.unmap_resource = iommu_unmap_resource,
	.sync_single_for_cpu = iommu_sync_for_cpu,
	.sync_single_for_device = iommu_sync_for_device,
	.sync_sg_for_cpu = iommu_sync_sg_for_cpu,
	.sync_sg_for_device = iommu_sync_sg_for_device,
	.max_mapping_size = iommu_max_mapping_size,
	.opt_mapping_size = iommu_opt_mapping_size,
	.need_sync = iommu_need_sync,
	.get_required_mask = iommu_required_mask,
};
