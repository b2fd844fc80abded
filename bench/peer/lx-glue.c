/* SPDX-License-Identifier: MIT */
/*
 * lx-glue.c - the kernel services peer-kernel.h declares, and lx-peer.h's
 * plain calls onto Linux's own iova.c, io-pgtable-arm.c and dmapool.c.
 * Built only by `make bench-peer`, against the shim headers and the few
 * real Linux headers scripts/linux-peer.sh extracts.
 */
#include <peer-kernel.h>
#include <linux/dmapool.h>
#include <linux/io-pgtable.h>
#include <linux/iova.h>

#include "lx-peer.h"

#ifndef LX_VERSION
#define LX_VERSION "unknown"
#endif

_Thread_local int peer_cpu;

void lx_set_cpu(int cpu)
{
	if (cpu < 0 || cpu >= NR_CPUS)
		abort();
	peer_set_cpu(cpu);
}

const char *lx_linux_version(void)
{
	return LX_VERSION;
}

void *peer_alloc_percpu(size_t size, size_t align)
{
	if (size > PEER_PCPU_STRIDE || align > PEER_PCPU_STRIDE)
		abort();
	void *p = aligned_alloc(PEER_PCPU_STRIDE, (size_t)NR_CPUS * PEER_PCPU_STRIDE);
	if (p)
		memset(p, 0, (size_t)NR_CPUS * PEER_PCPU_STRIDE);
	return p;
}

/* io-pgtable-arm.c's dirty tracking (read_and_clear_dirty) records into an
 * iova_bitmap; no benchmark asks for it */
void iova_bitmap_set(struct iova_bitmap *bitmap, unsigned long iova, size_t length)
{
	abort();
}

/* ---- the slab stand-in ---- */
struct peer_free {
	struct peer_free *next;
};

struct kmem_cache {
	size_t size, align;
	struct {
		struct peer_free *head;
		char pad[64 - sizeof(void *)];
	} cpu[NR_CPUS];
	pthread_mutex_t lock; /* the chunks, for destroy */
	void **chunks;
	size_t nr_chunks;
};

#define PEER_SLAB_BATCH 64

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     unsigned int flags, void (*ctor)(void *))
{
	struct kmem_cache *s = aligned_alloc(64, sizeof(*s));
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->align = (flags & SLAB_HWCACHE_ALIGN) ? 64 : (align ? align : sizeof(void *));
	s->size = ALIGN((size_t)size, s->align);
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr_chunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	free(s);
}

static int refill(struct kmem_cache *s, int cpu)
{
	char *chunk = aligned_alloc(s->align < 64 ? 64 : s->align, s->size * PEER_SLAB_BATCH);
	if (!chunk)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	void **n = realloc(s->chunks, (s->nr_chunks + 1) * sizeof(*n));
	if (n) {
		s->chunks = n;
		s->chunks[s->nr_chunks++] = chunk;
	}
	pthread_mutex_unlock(&s->lock);
	if (!n) {
		free(chunk);
		return -ENOMEM;
	}
	for (int i = PEER_SLAB_BATCH - 1; i >= 0; i--) {
		struct peer_free *f = (void *)(chunk + (size_t)i * s->size);
		f->next = s->cpu[cpu].head;
		s->cpu[cpu].head = f;
	}
	return 0;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	int cpu = peer_cpu;
	struct peer_free *f = s->cpu[cpu].head;
	if (unlikely(!f)) {
		if (refill(s, cpu))
			return NULL;
		f = s->cpu[cpu].head;
	}
	s->cpu[cpu].head = f->next;
	if (gfp & __GFP_ZERO)
		memset(f, 0, s->size);
	return f;
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	struct peer_free *f = obj;
	if (!obj)
		return;
	f->next = s->cpu[peer_cpu].head;
	s->cpu[peer_cpu].head = f;
}

/* ---- coherent memory ---- */
void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp)
{
	size_t align = PAGE_SIZE << get_order(size);
	void *p = aligned_alloc(align, ALIGN(size, align));
	if (!p)
		return NULL;
	memset(p, 0, size);
	*handle = (dma_addr_t)(uintptr_t)p;
	return p;
}

void dma_free_coherent(struct device *dev, size_t size, void *va, dma_addr_t handle)
{
	free(va);
}

/* ---- delayed work: queued, run by lx_run_delayed_work() ---- */
static struct delayed_work *pending_work;
static pthread_mutex_t work_lock = PTHREAD_MUTEX_INITIALIZER;

bool schedule_delayed_work(struct delayed_work *w, unsigned long delay)
{
	bool queued = false;
	pthread_mutex_lock(&work_lock);
	if (!w->pending) {
		w->pending = true;
		w->next_pending = pending_work;
		pending_work = w;
		queued = true;
	}
	pthread_mutex_unlock(&work_lock);
	return queued;
}

bool cancel_delayed_work_sync(struct delayed_work *w)
{
	bool was = false;
	pthread_mutex_lock(&work_lock);
	for (struct delayed_work **pp = &pending_work; *pp; pp = &(*pp)->next_pending)
		if (*pp == w) {
			*pp = w->next_pending;
			w->pending = false;
			was = true;
			break;
		}
	pthread_mutex_unlock(&work_lock);
	return was;
}

void lx_run_delayed_work(void)
{
	for (;;) {
		pthread_mutex_lock(&work_lock);
		struct delayed_work *w = pending_work;
		if (w) {
			pending_work = w->next_pending;
			w->pending = false;
		}
		pthread_mutex_unlock(&work_lock);
		if (!w)
			return;
		w->work.func(&w->work);
	}
}

/* ---- iova.c ---- */
struct lx_iovad {
	struct iova_domain iovad;
};

int lx_iova_create(unsigned long granule, unsigned long start_pfn, struct lx_iovad **out)
{
	struct lx_iovad *d = aligned_alloc(64, ALIGN(sizeof(*d), 64));
	int err;
	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	err = iova_cache_get();
	if (err)
		goto out_free;
	init_iova_domain(&d->iovad, granule, start_pfn);
	err = iova_domain_init_rcaches(&d->iovad);
	if (err)
		goto out_put;
	*out = d;
	return 0;
out_put:
	put_iova_domain(&d->iovad);
	iova_cache_put();
out_free:
	free(d);
	return err;
}

void lx_iova_destroy(struct lx_iovad *d)
{
	put_iova_domain(&d->iovad);
	iova_cache_put();
	free(d);
}

unsigned long lx_alloc_iova_fast(struct lx_iovad *d, unsigned long size, unsigned long limit_pfn)
{
	return alloc_iova_fast(&d->iovad, size, limit_pfn, true);
}

void lx_free_iova_fast(struct lx_iovad *d, unsigned long pfn, unsigned long size)
{
	free_iova_fast(&d->iovad, pfn, size);
}

int lx_alloc_iova(struct lx_iovad *d, unsigned long size, unsigned long limit_pfn,
		  bool size_aligned, unsigned long *pfn_lo)
{
	struct iova *iova = alloc_iova(&d->iovad, size, limit_pfn, size_aligned);
	if (!iova)
		return -ENOMEM;
	*pfn_lo = iova->pfn_lo;
	return 0;
}

void lx_free_iova(struct lx_iovad *d, unsigned long pfn)
{
	free_iova(&d->iovad, pfn);
}

/* ---- io-pgtable-arm.c ---- */
struct lx_pgtable {
	struct io_pgtable_ops *ops;
};

/* The same no-op TLB callbacks the dmaport side gets: the figures are the
 * format's own work. */
static void tlb_flush_all(void *cookie) { }
static void tlb_flush_walk(unsigned long iova, size_t size, size_t granule, void *cookie) { }
static void tlb_add_page(struct iommu_iotlb_gather *g, unsigned long iova, size_t granule,
			 void *cookie) { }
static const struct iommu_flush_ops lx_tlb = {
	.tlb_flush_all = tlb_flush_all,
	.tlb_flush_walk = tlb_flush_walk,
	.tlb_add_page = tlb_add_page,
};

int lx_pgtable_create(uint64_t pgsize_bitmap, unsigned int ias, unsigned int oas,
		      struct lx_pgtable **out)
{
	/* what drivers/iommu/io-pgtable.c's alloc_io_pgtable_ops() does, for
	 * the one format (its table names every format the kernel has) */
	struct io_pgtable_cfg cfg = {
		.pgsize_bitmap = pgsize_bitmap,
		.ias = ias,
		.oas = oas,
		.coherent_walk = true,
		.tlb = &lx_tlb,
	};
	struct lx_pgtable *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	struct io_pgtable *iop = io_pgtable_arm_64_lpae_s1_init_fns.alloc(&cfg, NULL);
	if (!iop) {
		free(t);
		return -ENOMEM;
	}
	iop->fmt = ARM_64_LPAE_S1;
	iop->cookie = NULL;
	iop->cfg = cfg;
	t->ops = &iop->ops;
	*out = t;
	return 0;
}

void lx_pgtable_destroy(struct lx_pgtable *t)
{
	struct io_pgtable *iop = io_pgtable_ops_to_pgtable(t->ops);
	io_pgtable_tlb_flush_all(iop);
	io_pgtable_arm_64_lpae_s1_init_fns.free(iop);
	free(t);
}

int lx_pgtable_map(struct lx_pgtable *t, uint64_t iova, uint64_t paddr, size_t pgsize,
		   size_t pgcount, size_t *mapped)
{
	*mapped = 0;
	return t->ops->map_pages(t->ops, iova, paddr, pgsize, pgcount, IOMMU_READ | IOMMU_WRITE,
				 GFP_ATOMIC, mapped);
}

size_t lx_pgtable_unmap(struct lx_pgtable *t, uint64_t iova, size_t pgsize, size_t pgcount)
{
	return t->ops->unmap_pages(t->ops, iova, pgsize, pgcount, NULL);
}

uint64_t lx_pgtable_iova_to_phys(struct lx_pgtable *t, uint64_t iova)
{
	return t->ops->iova_to_phys(t->ops, iova);
}

/* ---- dmapool.c ---- */
struct lx_pool {
	struct device dev;
	struct dma_pool *pool;
};

struct lx_pool *lx_pool_create(size_t size, size_t align, size_t boundary)
{
	struct lx_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	INIT_LIST_HEAD(&p->dev.dma_pools);
	p->pool = dma_pool_create("peer", &p->dev, size, align, boundary);
	if (!p->pool) {
		free(p);
		return NULL;
	}
	return p;
}

void lx_pool_destroy(struct lx_pool *p)
{
	dma_pool_destroy(p->pool);
	free(p);
}

void *lx_pool_alloc(struct lx_pool *p, uint64_t *dma)
{
	dma_addr_t h;
	void *va = dma_pool_alloc(p->pool, GFP_ATOMIC, &h);
	*dma = h;
	return va;
}

void lx_pool_free(struct lx_pool *p, void *va, uint64_t dma)
{
	dma_pool_free(p->pool, va, dma);
}
