/* SPDX-License-Identifier: MIT */
/*
 * env.c - the build-time half of the platform contract for hosted builds
 * (the simulator and, later, Linux user space): CPU index, time, console.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#endif

#include "../../internal.h"
#include "../../slot-lock.h"

/* The spin-wait hint of the host's CPU (x86 PAUSE, Arm YIELD), if known. */
#if defined(__x86_64__) || defined(__i386__)
#define cpu_pause() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_pause() __asm__ volatile("yield" ::: "memory")
#else
#define cpu_pause() ((void)0)
#endif

void dmp_cpu_relax(unsigned int spins)
{
	/* On a host the lock holder may be descheduled: stop burning its CPU. */
	if (spins > 64)
		sched_yield();
	else
		cpu_pause();
}

/*
 * CPU slots.  A thread takes the lowest free slot on first use and owns it
 * until it exits (a thread-specific key's destructor gives it back), so a
 * slot never has two owners.  Threads beyond DMP_MAX_CPUS at once, and every
 * thread where the asymmetric barrier is missing, share slots round-robin
 * and go through the slot's lock (src/slot-lock.h).
 */
_Static_assert(DMP_MAX_CPUS <= 64, "the owned-slot map is one 64-bit word");
static _Atomic uint64_t slots_owned;
static _Atomic unsigned int next_shared;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;
static pthread_key_t slot_key;

#if defined(__SANITIZE_THREAD__)
#define DMP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DMP_TSAN 1
#endif
#endif

static void slot_release(void *v)
{
	unsigned int i = (unsigned int)((uintptr_t)v - 1);

	/* Other destructors of this thread may still call in: not as owner. */
	dmp__cpu_self = i | DMP_CPU_SLOT_SHARED;
	atomic_fetch_and(&slots_owned, ~(1ull << i));
}

/* In a child of fork() only the forking thread is left: only its slot is owned. */
static void slots_after_fork(void)
{
	unsigned int self = dmp__cpu_self;
	atomic_store(&slots_owned, self == ~0u || (self & DMP_CPU_SLOT_SHARED) ? 0 : 1ull << self);
}

static bool asym_register(void)
{
#if defined(__linux__) && defined(__NR_membarrier) && !defined(DMP_TSAN)
	return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
#else
	return false;
#endif
}

static void slots_init(void)
{
	if (pthread_key_create(&slot_key, slot_release) != 0)
		return;
	pthread_atfork(NULL, NULL, slots_after_fork);
	/*
	 * ThreadSanitizer cannot see the order membarrier() gives, and would
	 * report the owners' plain accesses: its builds keep the locks.
	 * DMP_SLOT_OWNERS=0 in the environment keeps them too (`make test` runs
	 * the threaded tests that way as well, for hosts without membarrier).
	 */
	const char *env = getenv("DMP_SLOT_OWNERS");
	if ((!env || strcmp(env, "0") != 0) && asym_register())
		atomic_store(&dmp__asym_on, true);
}

unsigned int dmp__cpu_slot_assign(void)
{
	pthread_once(&slots_once, slots_init);
	if (atomic_load(&dmp__asym_on)) {
		uint64_t used = atomic_load(&slots_owned);
		while (~used) {
			unsigned int i = (unsigned int)__builtin_ctzll(~used);
			if (!atomic_compare_exchange_weak(&slots_owned, &used, used | (1ull << i)))
				continue;
			if (pthread_setspecific(slot_key, (void *)(uintptr_t)(i + 1)) == 0)
				return dmp__cpu_self = i;
			atomic_fetch_and(&slots_owned, ~(1ull << i));
			break;
		}
	}
	return dmp__cpu_self = (atomic_fetch_add(&next_shared, 1) % DMP_MAX_CPUS) | DMP_CPU_SLOT_SHARED;
}

void dmp__asym_barrier(void)
{
#if defined(__linux__) && defined(__NR_membarrier)
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
		return;
	/* a child of fork() may have to register again */
	if (asym_register() &&
	    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
		return;
#endif
	/* Registered, so it cannot fail; if it ever does, owners are unsafe. */
	dmp__assert_fail("membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) failed", __FILE__, __LINE__);
}

unsigned int dmp_cpu_id(void)
{
	return dmp_cpu_slot_index(dmp_cpu_slot());
}

unsigned int dmp_nr_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > DMP_MAX_CPUS ? DMP_MAX_CPUS : (unsigned int)n;
}

uint64_t dmp_time_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t dmp_time_coarse_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void dmp_env_puts(const char *s)
{
	fprintf(stderr, "%s\n", s);
}
