/* SPDX-License-Identifier: MIT */
/*
 * timer.c - one-shot timers for hosted builds (see <dmaport/platform.h>): one
 * service thread, started with the first timer, sleeps until the earliest
 * deadline and runs expired callbacks with no lock held.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "../../internal.h"

struct dmp_timer {
	dmp_timer_fn fn;
	void *cookie;
	uint64_t deadline; /* dmp_time_ns(); 0: disarmed */
	struct dmp_timer *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER; /* armed, or a callback ended */
static struct dmp_timer *timers;
static struct dmp_timer *running; /* the callback in progress */
static bool started;

static void *service(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		uint64_t now = dmp_time_ns(), next = 0;
		struct dmp_timer *due = NULL;
		for (struct dmp_timer *t = timers; t; t = t->next) {
			if (!t->deadline)
				continue;
			if (t->deadline <= now) {
				due = t;
				break;
			}
			if (!next || t->deadline < next)
				next = t->deadline;
		}
		if (due) {
			due->deadline = 0;
			running = due;
			pthread_mutex_unlock(&lock);
			due->fn(due->cookie);
			pthread_mutex_lock(&lock);
			running = NULL;
			pthread_cond_broadcast(&changed);
			continue;
		}
		if (!next) {
			pthread_cond_wait(&changed, &lock);
			continue;
		}
		/* dmp_time_ns() is CLOCK_MONOTONIC; so is the condition's clock */
		struct timespec ts = { (time_t)(next / 1000000000ull), (long)(next % 1000000000ull) };
		pthread_cond_timedwait(&changed, &lock, &ts);
	}
	return NULL;
}

static int start_locked(void)
{
	if (started)
		return 0;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&changed);
	pthread_cond_init(&changed, &ca);
	pthread_condattr_destroy(&ca);
	pthread_t th;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&th, &a, service, NULL);
	pthread_attr_destroy(&a);
	if (err)
		return -ENOMEM;
	started = true;
	return 0;
}

int dmp_timer_create(dmp_timer_fn fn, void *cookie, struct dmp_timer **out)
{
	DMP_ASSERT(fn && out);
	struct dmp_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fn = fn;
	t->cookie = cookie;
	pthread_mutex_lock(&lock);
	int err = start_locked();
	if (!err) {
		t->next = timers;
		timers = t;
	}
	pthread_mutex_unlock(&lock);
	if (err) {
		free(t);
		return err;
	}
	*out = t;
	return 0;
}

void dmp_timer_arm(struct dmp_timer *t, uint64_t delay_ns)
{
	uint64_t when = dmp_time_ns() + (delay_ns ? delay_ns : 1);
	pthread_mutex_lock(&lock);
	t->deadline = when;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

void dmp_timer_destroy(struct dmp_timer *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&lock);
	for (struct dmp_timer **p = &timers; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	t->deadline = 0;
	while (running == t)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
	free(t);
}
