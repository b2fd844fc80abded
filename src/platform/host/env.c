/* SPDX-License-Identifier: MIT */
/*
 * env.c - the build-time half of the platform contract for hosted builds
 * (the simulator and, later, Linux user space): CPU index, time, console.
 */
#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "../../internal.h"

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

static _Atomic unsigned int next_cpu;
static _Thread_local unsigned int my_cpu = ~0u;

unsigned int dmp_cpu_id(void)
{
	if (dmp__unlikely(my_cpu == ~0u))
		my_cpu = atomic_fetch_add(&next_cpu, 1) % DMP_MAX_CPUS;
	return my_cpu;
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
