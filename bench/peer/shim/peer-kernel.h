/* SPDX-License-Identifier: MIT */
/*
 * peer-kernel.h - the little of the Linux kernel environment that Linux's own
 * drivers/iommu/iova.c, drivers/iommu/io-pgtable-arm.c, mm/dmapool.c,
 * lib/rbtree.c and the map and unmap path cut out of dma-iommu.c and iommu.c
 * (peer-dma-iommu.h adds what that path needs) need to build and run in a
 * user-space benchmark (`dmaport-bench peer`, made by `make bench-peer`).
 * Written for dmaport from the kernel's documented interfaces; no kernel code
 * is in it.  Every <linux/...> header those files include, other than the few
 * real ones the build extracts (iova.h, io-pgtable.h, iommu.h, dmapool.h,
 * rbtree*.h), is a one-line file that includes this one.
 *
 * Where the user-space stand-in differs from the kernel, and which way it
 * leans:
 *  - CPUs: a benchmark thread names its CPU with peer_set_cpu() (each thread
 *    its own); raw_cpu_ptr() and smp_processor_id() read it.  No preemption
 *    or interrupts to disable: spin_lock_irqsave costs what spin_lock does
 *    (the kernel also saves and masks interrupts: Linux pays less here).
 *  - spinlock_t is a test-and-test-and-set lock on one atomic word, as
 *    uncontended as a queued spinlock's fast path (one locked instruction).
 *  - kmem_cache: per-CPU free lists of objects of the cache's size and
 *    alignment, refilled from aligned_alloc(); a free goes to the freeing
 *    CPU's list (SLUB's fast path is per-CPU too).
 *  - coherent DMA memory (dma_alloc_coherent) and IOMMU page-table pages are
 *    aligned_alloc() memory, zeroed; DMA and physical addresses equal
 *    virtual ones.  Page-table walks are coherent: no DMA API syncs.
 *  - delayed work (the IOVA depot's trimming) is queued, and the benchmark
 *    runs what is due between timed batches (peer_run_delayed_work), as a
 *    kworker would run it outside the caller's time.
 */
#ifndef PEER_KERNEL_H
#define PEER_KERNEL_H

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* ---- compiler and configuration ---------------------------------------- */
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))
#define noinline __attribute__((noinline))
#define __must_check __attribute__((warn_unused_result))
#define __maybe_unused __attribute__((unused))
#define __packed __attribute__((packed))
#define __aligned(x) __attribute__((aligned(x)))
#define ____cacheline_aligned __aligned(64)
#define ____cacheline_aligned_in_smp __aligned(64)
#define __percpu
#define __rcu
#define __iomem
#define __init
#define __exit
#define __initdata
#define __read_mostly
#define __force
#define __user
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define fallthrough __attribute__((fallthrough))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) do { *(volatile __typeof__(x) *)&(x) = (v); } while (0)
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define MODULE_LICENSE(s)
#define MODULE_AUTHOR(s)
#define MODULE_DESCRIPTION(s)
#define module_init(f)
#define module_exit(f)
#define subsys_initcall(f)
#define late_initcall(f)
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#include <assert.h>
#undef static_assert
#define static_assert(expr, ...) _Static_assert(expr, "" __VA_ARGS__)

/* IS_ENABLED / IS_REACHABLE: 1 for an option defined as 1, else 0 */
#define PEER_PLACEHOLDER_1 0,
#define PEER_SECOND(ignored, v, ...) v
#define PEER_IS_DEFINED3(junk) PEER_SECOND(junk 1, 0, 0)
#define PEER_IS_DEFINED2(v) PEER_IS_DEFINED3(PEER_PLACEHOLDER_##v)
#define IS_ENABLED(option) PEER_IS_DEFINED2(option)
#define IS_REACHABLE(option) IS_ENABLED(option)
#define IS_BUILTIN(option) IS_ENABLED(option)
#define CONFIG_IOMMU_IOVA 1
#define CONFIG_IOMMU_API 1
#define CONFIG_HAS_DMA 1
#define CONFIG_64BIT 1
#define CONFIG_SMP 1

/* ---- types -------------------------------------------------------------- */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
typedef unsigned int gfp_t;
typedef struct { int counter; } atomic_t;
typedef struct { long long counter; } atomic64_t;
typedef struct { atomic_int refs; } refcount_t;
typedef struct { atomic_int v; } spinlock_t;

struct list_head {
	struct list_head *next, *prev;
};
struct hlist_node {
	struct hlist_node *next, **pprev;
};
struct rcu_head {
	void *next;
	void (*func)(struct rcu_head *);
};

/* ---- arithmetic and bits -------------------------------------------------- */
#define BITS_PER_LONG 64
#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#define GENMASK(h, l) (((~0UL) << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) (((~0ULL) << (l)) & (~0ULL >> (63 - (h))))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define PTR_ALIGN(p, a) ((__typeof__(p))ALIGN((unsigned long)(p), (a)))
#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) ({ t _a = (a); t _b = (b); _a < _b ? _a : _b; })
#define max_t(t, a, b) ({ t _a = (a); t _b = (b); _a > _b ? _a : _b; })
#define swap(a, b) do { __typeof__(a) _t = (a); (a) = (b); (b) = _t; } while (0)
#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))
#define typeof_member(T, m) __typeof__(((T *)0)->m)
#define struct_size(p, member, n) (sizeof(*(p)) + sizeof(*(p)->member) * (n))
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))

static inline unsigned long __ffs(unsigned long x) { return (unsigned long)__builtin_ctzl(x); }
static inline unsigned long __fls(unsigned long x) { return 63UL - (unsigned long)__builtin_clzl(x); }
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline int fls_long(unsigned long x) { return fls64(x); }
static inline bool is_power_of_2(unsigned long n) { return n && !(n & (n - 1)); }
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return 1UL << fls_long(n - 1);
}
#define order_base_2(n) ((n) > 1 ? ilog2((n) - 1) + 1 : 0)
#define ilog2(n) ((int)__fls((unsigned long)(n)))
static inline unsigned long find_next_bit(const unsigned long *a, unsigned long size,
					  unsigned long off)
{
	for (; off < size; off++)
		if (a[off / 64] & (1UL << (off % 64)))
			return off;
	return size;
}
#define for_each_set_bit(bit, addr, size) \
	for ((bit) = find_next_bit((addr), (size), 0); (bit) < (size); \
	     (bit) = find_next_bit((addr), (size), (bit) + 1))
static inline void set_bit(unsigned long nr, unsigned long *a) { a[nr / 64] |= 1UL << (nr % 64); }

/* ---- pages and sizes ---------------------------------------------------- */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define SZ_4K 0x1000UL
#define SZ_16K 0x4000UL
#define SZ_64K 0x10000UL
#define SZ_2M 0x200000UL
#define SZ_32M 0x2000000UL
#define SZ_512M 0x20000000UL
#define SZ_1G 0x40000000UL
static inline int get_order(unsigned long size)
{
	return size <= PAGE_SIZE ? 0 : fls_long((size - 1) >> PAGE_SHIFT);
}
#define __pa(v) ((phys_addr_t)(uintptr_t)(v))
#define __va(p) ((void *)(uintptr_t)(p))
#define virt_to_phys(v) __pa(v)
#define phys_to_virt(p) __va(p)

/* ---- diagnostics -------------------------------------------------------- */
#define KERN_ERR ""
#define pr_err(...) fprintf(stderr, __VA_ARGS__)
#define pr_warn(...) fprintf(stderr, __VA_ARGS__)
#define pr_info(...) do { } while (0)
#define pr_debug(...) do { } while (0)
#define dev_err(dev, ...) fprintf(stderr, __VA_ARGS__)
#define dev_warn(dev, ...) fprintf(stderr, __VA_ARGS__)
#define WARN_ON(c) ({ bool _c = !!(c); if (unlikely(_c)) fprintf(stderr, "WARN_ON %s:%d\n", __FILE__, __LINE__); _c; })
#define WARN_ON_ONCE(c) WARN_ON(c)
#define WARN(c, ...) ({ bool _c = !!(c); if (unlikely(_c)) fprintf(stderr, __VA_ARGS__); _c; })
#define WARN_ONCE(c, ...) WARN(c, __VA_ARGS__)
#define BUG() abort()
#define BUG_ON(c) do { if (unlikely(c)) abort(); } while (0)
#define VM_BUG_ON(c) do { } while (0)
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define print_hex_dump(...) do { } while (0)
#define ERR_PTR(e) ((void *)(long)(e))

/* ---- barriers and atomics ------------------------------------------------ */
/* What the kernel's barriers are on the host the benchmark runs on: on
 * x86-64, wmb() is sfence and dma_wmb()/smp_wmb() compiler barriers
 * (arch/x86/include/asm/barrier.h); elsewhere a release fence stands in. */
#if defined(__x86_64__)
#define wmb() __asm__ __volatile__("sfence" ::: "memory")
#else
#define wmb() atomic_thread_fence(memory_order_release)
#endif
#define dma_wmb() atomic_thread_fence(memory_order_release)
#define smp_wmb() atomic_thread_fence(memory_order_release)
#define smp_rmb() atomic_thread_fence(memory_order_acquire)
#define smp_mb() atomic_thread_fence(memory_order_seq_cst)
#define cmpxchg64_relaxed(p, o, n) ({ __typeof__(*(p)) _o = (o); \
	__atomic_compare_exchange_n((p), &_o, (n), false, __ATOMIC_RELAXED, __ATOMIC_RELAXED); _o; })
#define cmpxchg_relaxed(p, o, n) cmpxchg64_relaxed(p, o, n)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define rcu_dereference_raw(p) __atomic_load_n(&(p), __ATOMIC_CONSUME)

/* ---- CPUs, per-CPU data ---------------------------------------------------- */
#define NR_CPUS 8
#define PEER_PCPU_STRIDE 16384 /* the largest per-CPU object: a flush queue of 256 entries */
extern _Thread_local int peer_cpu;
static inline void peer_set_cpu(int cpu) { peer_cpu = cpu; }
#define smp_processor_id() ((unsigned int)peer_cpu)
#define raw_smp_processor_id() smp_processor_id()
static inline unsigned int num_online_cpus(void) { return 2; }
#define for_each_possible_cpu(c) for ((c) = 0; (c) < NR_CPUS; (c)++)
#define for_each_online_cpu(c) for_each_possible_cpu(c)
void *peer_alloc_percpu(size_t size, size_t align);
#define alloc_percpu(type) ((type *)peer_alloc_percpu(sizeof(type), _Alignof(type)))
#define __alloc_percpu(size, align) peer_alloc_percpu((size), (align))
#define free_percpu(p) free(p)
#define cache_line_size() 64
#define per_cpu_ptr(p, cpu) ((__typeof__(p))((char *)(p) + (size_t)(cpu) * PEER_PCPU_STRIDE))
#define raw_cpu_ptr(p) per_cpu_ptr(p, peer_cpu)
#define this_cpu_ptr(p) raw_cpu_ptr(p)
#define get_cpu_ptr(p) raw_cpu_ptr(p)
#define put_cpu_ptr(p) do { } while (0)
#define preempt_disable() do { } while (0)
#define preempt_enable() do { } while (0)
#define local_irq_save(f) ((void)(f))
#define local_irq_restore(f) ((void)(f))
#define in_interrupt() 0
#define might_sleep() do { } while (0)
#define might_alloc(gfp) do { } while (0)

/* CPU hotplug: nothing goes away in a benchmark */
enum cpuhp_state { CPUHP_IOMMU_IOVA_DEAD };
#define cpuhp_setup_state_multi(s, n, up, down) ((void)(down), 0)
#define cpuhp_remove_multi_state(s) do { } while (0)
#define cpuhp_state_add_instance_nocalls(s, n) 0
#define cpuhp_state_remove_instance_nocalls(s, n) 0
#define hlist_entry_safe(p, type, member) ((p) ? container_of(p, type, member) : NULL)

/* ---- locks -------------------------------------------------------------- */
static inline void spin_lock_init(spinlock_t *l) { atomic_init(&l->v, 0); }
static inline void spin_lock(spinlock_t *l)
{
	while (atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
		while (atomic_load_explicit(&l->v, memory_order_relaxed))
			__builtin_ia32_pause();
}
static inline void spin_unlock(spinlock_t *l) { atomic_store_explicit(&l->v, 0, memory_order_release); }
#define spin_lock_irqsave(l, f) do { (f) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f) do { (void)(f); spin_unlock(l); } while (0)
#define spin_lock_irq(l) spin_lock(l)
#define spin_unlock_irq(l) spin_unlock(l)
#define DEFINE_SPINLOCK(n) spinlock_t n
#define lockdep_assert_held(l) do { } while (0)
#define assert_spin_locked(l) do { } while (0)

#include <pthread.h>
struct mutex {
	pthread_mutex_t m;
};
#define DEFINE_MUTEX(n) struct mutex n = { PTHREAD_MUTEX_INITIALIZER }
#define mutex_init(x) pthread_mutex_init(&(x)->m, NULL)
#define mutex_lock(x) pthread_mutex_lock(&(x)->m)
#define mutex_unlock(x) pthread_mutex_unlock(&(x)->m)

/* ---- memory ------------------------------------------------------------- */
#define GFP_KERNEL 0x1u
#define GFP_ATOMIC 0x2u
#define GFP_NOWAIT 0x4u
#define __GFP_NOWARN 0x8u
#define __GFP_ZERO 0x10u
#define __GFP_HIGHMEM 0x20u
#define GFP_DMA32 0x40u
#define SLAB_HWCACHE_ALIGN 0x1u
#define NUMA_NO_NODE (-1)
static inline void *kmalloc(size_t size, gfp_t gfp)
{
	void *p = malloc(size);
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}
static inline void *kzalloc(size_t size, gfp_t gfp) { return calloc(1, size); }
static inline void *kcalloc(size_t n, size_t size, gfp_t gfp) { return calloc(n, size); }
static inline void kfree(const void *p) { free((void *)p); }
#define kvfree(p) kfree(p)
#define kmemleak_transient_leak(p) do { } while (0)

struct kmem_cache;
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     unsigned int flags, void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *obj);
static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}
#define want_init_on_alloc(gfp) (((gfp) & __GFP_ZERO) != 0)
#define want_init_on_free() 0

/* ---- devices and coherent memory ---------------------------------------- */
/* what dmapool.c and the DMA-over-IOMMU path read of a device (the
 * kernel's struct device has these among many more) */
struct dev_iommu;
struct iommu_group;
struct bus_dma_region;
struct device {
	struct list_head dma_pools;
	int numa_node;
	u64 *dma_mask;
	u64 coherent_dma_mask;
	u64 bus_dma_limit;
	const struct bus_dma_region *dma_range_map;
	struct dev_iommu *iommu;
	struct iommu_group *iommu_group;
	void *dma_io_tlb_mem; /* the swiotlb pool */
	bool dma_coherent;
	bool dma_iommu; /* its DMA API calls go to dma-iommu.c */
};
struct device_attribute {
	int unused;
};
#define DEVICE_ATTR_RO(n) struct device_attribute dev_attr_##n __maybe_unused = { 0 }
#define device_create_file(dev, attr) ((void)(attr), 0)
#define device_remove_file(dev, attr) do { (void)(attr); } while (0)
#define dev_to_node(dev) NUMA_NO_NODE
#define set_dev_node(dev, n) do { } while (0)
#define sysfs_emit(buf, ...) sprintf(buf, __VA_ARGS__)
#define sysfs_emit_at(buf, at, ...) sprintf((buf) + (at), __VA_ARGS__)
#define devres_alloc(...) NULL
#define devres_add(...) do { } while (0)
#define devres_free(...) do { } while (0)
#define devres_release(...) 0
#define devres_destroy(...) 0
void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp);
void dma_free_coherent(struct device *dev, size_t size, void *va, dma_addr_t handle);
#define DMA_MAPPING_ERROR (~(dma_addr_t)0)
enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};
#define dma_map_single(dev, p, size, dir) ((dma_addr_t)(uintptr_t)(p))
#define dma_unmap_single(dev, a, size, dir) do { } while (0)
#define dma_mapping_error(dev, a) ((a) == DMA_MAPPING_ERROR)
#define dma_sync_single_for_device(dev, a, size, dir) do { } while (0)
static inline size_t strscpy(char *d, const char *s, size_t n)
{
	snprintf(d, n, "%s", s);
	return strlen(d);
}

struct scatterlist;
struct sg_table {
	struct scatterlist *sgl;
	unsigned int nents, orig_nents;
};

/* ---- lists -------------------------------------------------------------- */
#define LIST_HEAD_INIT(n) { &(n), &(n) }
#define LIST_HEAD(n) struct list_head n = LIST_HEAD_INIT(n)
static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l->prev = l; }
static inline void list_add(struct list_head *n, struct list_head *h)
{
	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
}
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}
static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
}
static inline void list_splice(const struct list_head *list, struct list_head *head)
{
	if (list->next != list) {
		struct list_head *first = list->next, *last = list->prev, *at = head->next;
		first->prev = head;
		head->next = first;
		last->next = at;
		at->prev = last;
	}
}
static inline bool list_empty(const struct list_head *h) { return h->next == h; }
#define list_entry(p, type, member) container_of(p, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_for_each_entry(pos, head, member) \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head); \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member) \
	for (pos = list_entry((head)->next, __typeof__(*pos), member), \
	     n = list_entry(pos->member.next, __typeof__(*pos), member); &pos->member != (head); \
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

/* ---- delayed work ---------------------------------------------------------- */
struct work_struct {
	void (*func)(struct work_struct *);
};
struct delayed_work {
	struct work_struct work;
	bool pending;
	struct delayed_work *next_pending;
};
#define INIT_DELAYED_WORK(w, f) do { (w)->work.func = (f); (w)->pending = false; } while (0)
#define to_delayed_work(w) container_of(w, struct delayed_work, work)
#define msecs_to_jiffies(ms) (ms)
bool schedule_delayed_work(struct delayed_work *w, unsigned long delay);
bool cancel_delayed_work_sync(struct delayed_work *w);
void peer_run_delayed_work(void);

/* ---- named by include/linux/iommu.h's inline functions, which the
 * benchmark never calls: declared, never defined ---- */
struct of_phandle_args;
struct attribute_group;
struct iova_bitmap;
int copy_struct_from_user(void *dst, size_t ksize, const void *src, size_t usize);
void *dev_get_drvdata(const struct device *dev);
void iova_bitmap_set(struct iova_bitmap *bitmap, unsigned long iova, size_t length);

#endif /* PEER_KERNEL_H */
