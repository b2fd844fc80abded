/* SPDX-License-Identifier: MIT */
/*
 * guard.c - guard mode (see guard.h): page protection of device-owned
 * buffers, the SIGSEGV / SIGTRAP handlers that turn a CPU access into a
 * report and then let it through, and the stopping of the other threads
 * while a page is open.
 *
 * Why the other threads stop.  Opening a page (mprotect read-write) opens
 * it for every thread of the process, not only the one that faulted: an
 * access by another thread during that window would go through unseen.  So
 * before it opens a page, the faulting thread sends every other thread of
 * the process (listed from /proc/self/task, which also finds threads
 * dmaport never met) a real-time signal whose handler parks it until the
 * page is closed again; it waits until each has parked.  Threads created
 * meanwhile are found by listing again until the list is stable.  A thread
 * that blocks the signal, or does not stop within STOP_TIMEOUT_NS, is
 * counted (stop_timeouts) and left running: guard mode then says so once.
 *
 * What runs in the handlers: atomics, raw system calls (mprotect, tgkill,
 * getdents64, sched_yield) and backtrace(), warmed up at init.  The report
 * (symbols, the checker's lock, the log) is made after the page is closed,
 * the other threads released and the guard lock dropped: then the faulting
 * thread is merely a thread that executed a driver's load or store, which
 * holds none of dmaport's locks.
 */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../internal.h"
#include "guard.h"

#define MAX_ARENAS 8
#define MAX_OPEN 8
#define MAX_THREADS 1024
#define STOP_TIMEOUT_NS 2000000000ull
/* the signal that parks the other threads: SIGRTMIN + PARK_OFFSET */
#define PARK_OFFSET 5

struct range {
	const void *key;
	uintptr_t start, end;
	bool may_read; /* loads allowed, stores trap */
	/* a load (a store) of this range has been handed to the report: the
	 * checker reports one of each per ownership period, so later ones
	 * only trap, without the cost of their call chain */
	bool seen_load, seen_store;
};

/* ---- state (under the guard lock unless said otherwise) ------------------ */

static _Atomic int guard_lock; /* the holder's thread id, 0 when free */
static struct range *ranges;
static size_t nr_ranges, cap_ranges;
/* pages left open for good until their next handover (no single-step) */
static uintptr_t *lifted;
static size_t nr_lifted, cap_lifted;
/* read by the handlers without the lock: written only at machine set-up */
static struct {
	_Atomic uintptr_t start, end;
	uint8_t *alias;
} arenas[MAX_ARENAS];

static uintptr_t page_size;
static dmp__guard_report_fn report_fn;
static int park_signal;
static bool installed;
static struct sigaction old_segv, old_trap, old_park;

/* the window in which one instruction runs with pages open */
static struct {
	pid_t stepper;
	uintptr_t pc;
	uintptr_t open[MAX_OPEN];
	int nopen;
	bool have_hit;
	struct dmp__guard_hit hit;
} win;

static _Atomic unsigned int stop_word; /* odd while the other threads are stopped */
static _Atomic int parked;
static pid_t unstoppable[16]; /* threads that did not stop in time once */
static unsigned int nr_unstoppable;

static struct {
	_Atomic unsigned long traps, hits, steps, stops, stop_timeouts, strings;
} stats;

static DMP_TLS unsigned int spurious_in_a_row;

/* ---- the lock ---------------------------------------------------------------- */

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void lock_as(pid_t tid)
{
	int free_ = 0;
	while (!atomic_compare_exchange_weak_explicit(&guard_lock, &free_, tid,
						      memory_order_acquire, memory_order_relaxed)) {
		free_ = 0;
		syscall(SYS_sched_yield);
	}
}

static void unlock(void)
{
	atomic_store_explicit(&guard_lock, 0, memory_order_release);
}

/* ---- pages ------------------------------------------------------------------ */

static bool page_covered(uintptr_t page)
{
	for (size_t i = 0; i < nr_ranges; i++)
		if (ranges[i].start < page + page_size && ranges[i].end > page)
			return true;
	return false;
}

/* The protection @page needs: none if a range forbids loads, read-only if
 * its ranges only forbid stores, read-write without ranges (or lifted). */
static int page_prot(uintptr_t page)
{
	int prot = PROT_READ | PROT_WRITE;
	for (size_t i = 0; i < nr_ranges; i++)
		if (ranges[i].start < page + page_size && ranges[i].end > page) {
			if (!ranges[i].may_read)
				return PROT_NONE;
			prot = PROT_READ;
		}
	return prot;
}

static bool page_lifted(uintptr_t page)
{
	for (size_t i = 0; i < nr_lifted; i++)
		if (lifted[i] == page)
			return true;
	return false;
}

static bool page_open(uintptr_t page)
{
	for (int i = 0; i < win.nopen; i++)
		if (win.open[i] == page)
			return true;
	return false;
}

static bool in_arena(uintptr_t a)
{
	for (unsigned int i = 0; i < MAX_ARENAS; i++) {
		uintptr_t s = atomic_load_explicit(&arenas[i].start, memory_order_relaxed);
		uintptr_t e = atomic_load_explicit(&arenas[i].end, memory_order_relaxed);
		if (a >= s && a < e)
			return true;
	}
	return false;
}

/* Give the pages of [lo, hi) the protection their ranges call for.
 * Returns -ENOMEM if the kernel refused (out of mappings). */
static int reprotect(uintptr_t lo, uintptr_t hi)
{
	int err = 0;
	lo &= ~(page_size - 1);
	while (lo < hi) {
		int prot = page_lifted(lo) ? PROT_READ | PROT_WRITE : page_prot(lo);
		uintptr_t run = lo + page_size;
		while (run < hi &&
		       (page_lifted(run) ? PROT_READ | PROT_WRITE : page_prot(run)) == prot)
			run += page_size;
		if (mprotect((void *)lo, run - lo, prot))
			err = -ENOMEM;
		lo = run;
	}
	return err;
}

static void lift_forget(uintptr_t lo, uintptr_t hi)
{
	for (size_t i = 0; i < nr_lifted;)
		if (lifted[i] >= (lo & ~(page_size - 1)) && lifted[i] < hi)
			lifted[i] = lifted[--nr_lifted];
		else
			i++;
}

/* ---- ranges ----------------------------------------------------------------- */

static int push_range(const void *key, uintptr_t start, uintptr_t end, bool may_read)
{
	if (nr_ranges == cap_ranges) {
		size_t cap = cap_ranges ? cap_ranges * 2 : 64;
		struct range *n = realloc(ranges, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		ranges = n;
		cap_ranges = cap;
	}
	ranges[nr_ranges++] = (struct range){ key, start, end, may_read, false, false };
	return 0;
}

static void on_segv(int sig, siginfo_t *si, void *uctx);

/*
 * Is our SIGSEGV handler still the one installed?  A program (a test
 * framework catching crashes, for one) may install its own after us and
 * restore an older one later: take the signal back, chaining to theirs.
 */
static void keep_segv(void)
{
	struct sigaction cur;
	if (sigaction(SIGSEGV, NULL, &cur) || ((cur.sa_flags & SA_SIGINFO) &&
					       cur.sa_sigaction == on_segv))
		return;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_segv;
	sigaction(SIGSEGV, &sa, &old_segv);
}

int dmp__guard_add(const void *key, const void *va, size_t len, bool cpu_may_read)
{
	uintptr_t s = (uintptr_t)va, e = s + len;
	if (!installed || !len || !in_arena(s) || !in_arena(e - 1))
		return 0;
	keep_segv();
	pid_t me = my_tid();
	lock_as(me);
	int err = push_range(key, s, e, cpu_may_read);
	if (!err) {
		/* a handover: pages left open since the last one close again */
		lift_forget(s, e + page_size);
		err = reprotect(s, e);
		if (err) {
			nr_ranges--;
			reprotect(s, e);
		}
	}
	unlock();
	return err;
}

/* Remove [s, e) from the ranges of @key (all of @key when @all). */
static void remove_locked(const void *key, uintptr_t s, uintptr_t e, bool all)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	for (size_t i = 0; i < nr_ranges;) {
		struct range *r = &ranges[i];
		if ((key && r->key != key) || (!all && (r->end <= s || r->start >= e))) {
			i++;
			continue;
		}
		lo = DMP_MIN(lo, r->start);
		hi = DMP_MAX(hi, r->end);
		if (!all && r->start < s && r->end > e) {
			/* the middle comes back: the range splits in two */
			uintptr_t tail = r->end;
			r->end = s;
			if (push_range(key, e, tail, r->may_read))
				r->end = tail; /* no memory: the whole range stays guarded */
			else
				ranges[nr_ranges - 1].seen_load = r->seen_load,
				ranges[nr_ranges - 1].seen_store = r->seen_store;
			i++;
			continue;
		}
		if (!all && r->start < s) {
			r->end = s;
			i++;
		} else if (!all && r->end > e) {
			r->start = e;
			i++;
		} else {
			*r = ranges[--nr_ranges];
		}
	}
	if (lo < hi) {
		reprotect(lo, hi);
		for (uintptr_t p = lo & ~(page_size - 1); p < hi; p += page_size)
			if (!page_covered(p))
				lift_forget(p, p + page_size);
	}
}

void dmp__guard_remove(const void *key, const void *va, size_t len)
{
	if (!installed || !len)
		return;
	lock_as(my_tid());
	remove_locked(key, (uintptr_t)va, (uintptr_t)va + len, false);
	unlock();
}

void dmp__guard_remove_key(const void *key)
{
	if (!installed)
		return;
	lock_as(my_tid());
	remove_locked(key, 0, 0, true);
	unlock();
}

void dmp__guard_reset(void)
{
	if (!installed)
		return;
	lock_as(my_tid());
	remove_locked(NULL, 0, 0, true);
	nr_lifted = 0;
	unlock();
}

size_t dmp__guard_covered(const void *va, size_t len)
{
	if (!installed)
		return 0;
	uintptr_t s = (uintptr_t)va, e = s + len;
	size_t n = 0;
	lock_as(my_tid());
	for (uintptr_t a = s; a < e; a++)
		for (size_t i = 0; i < nr_ranges; i++)
			if (a >= ranges[i].start && a < ranges[i].end) {
				n++;
				break;
			}
	unlock();
	return n;
}

void dmp__guard_add_arena(const void *va, size_t len, void *alias)
{
	for (unsigned int i = 0; i < MAX_ARENAS; i++)
		if (!atomic_load(&arenas[i].end)) {
			arenas[i].alias = alias;
			atomic_store(&arenas[i].start, (uintptr_t)va);
			atomic_store(&arenas[i].end, (uintptr_t)va + len);
			return;
		}
}

void dmp__guard_remove_arena(const void *va)
{
	for (unsigned int i = 0; i < MAX_ARENAS; i++)
		if (atomic_load(&arenas[i].start) == (uintptr_t)va) {
			atomic_store(&arenas[i].end, 0);
			atomic_store(&arenas[i].start, 0);
		}
}

void dmp__guard_get_stats(struct dmp__guard_stats *st)
{
	st->traps = atomic_load(&stats.traps);
	st->hits = atomic_load(&stats.hits);
	st->steps = atomic_load(&stats.steps);
	st->stops = atomic_load(&stats.stops);
	st->stop_timeouts = atomic_load(&stats.stop_timeouts);
	st->strings = atomic_load(&stats.strings);
}

/* ---- stopping the other threads ------------------------------------------- */

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The thread ids of this process (async-signal-safe: raw system calls). */
static int list_threads(pid_t *out, int max)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/task",
			      O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int n = 0;
	char buf[2048] __attribute__((aligned(8)));
	long got;
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < got;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(void *)(buf + off);
			pid_t tid = 0;
			for (const char *c = d->d_name; *c >= '0' && *c <= '9'; c++)
				tid = tid * 10 + (*c - '0');
			if (tid && n < max)
				out[n++] = tid;
			off += d->d_reclen;
		}
	syscall(SYS_close, fd);
	return n;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool is_unstoppable(pid_t tid)
{
	for (unsigned int i = 0; i < nr_unstoppable; i++)
		if (unstoppable[i] == tid)
			return true;
	return false;
}

/* Wait until the @n threads of @sent have parked (or gone, or timed out). */
static void wait_parked(const pid_t *sent, int n)
{
	pid_t pid = getpid();
	uint64_t deadline = now_ns() + STOP_TIMEOUT_NS;
	for (unsigned int spin = 0;; spin++) {
		int want = n;
		if (atomic_load(&parked) >= want)
			return;
		if ((spin & 255) == 255) {
			/* a thread that exited never parks: do not wait for it */
			want = 0;
			for (int i = 0; i < n; i++)
				want += syscall(SYS_tgkill, pid, sent[i], 0) == 0;
			if (atomic_load(&parked) >= want)
				return;
			if (now_ns() > deadline) {
				atomic_fetch_add(&stats.stop_timeouts, 1);
				for (int i = 0; i < n && nr_unstoppable < 16; i++)
					if (!is_unstoppable(sent[i]))
						unstoppable[nr_unstoppable++] = sent[i];
				return;
			}
		}
		syscall(SYS_sched_yield);
	}
}

static bool was_sent(const pid_t *sent, int n, pid_t tid)
{
	for (int i = 0; i < n; i++)
		if (sent[i] == tid)
			return true;
	return false;
}

static void stop_others(pid_t me)
{
	static pid_t sent[MAX_THREADS], seen[MAX_THREADS];
	int nsent = 0;
	pid_t pid = getpid();
	atomic_fetch_add(&stop_word, 1); /* odd: park */
	atomic_fetch_add(&stats.stops, 1);
	/* list again until no new thread appears: one created meanwhile by a
	 * thread that had not parked yet is stopped in the next round */
	for (int round = 0; round < 16; round++) {
		int n = list_threads(seen, MAX_THREADS), added = 0;
		for (int i = 0; i < n; i++) {
			if (seen[i] == me || was_sent(sent, nsent, seen[i]) ||
			    is_unstoppable(seen[i]) || nsent == MAX_THREADS)
				continue;
			if (syscall(SYS_tgkill, pid, seen[i], park_signal) == 0) {
				sent[nsent++] = seen[i];
				added++;
			}
		}
		if (!added)
			break;
		wait_parked(sent, nsent);
	}
}

static void resume_others(void)
{
	atomic_fetch_add(&stop_word, 1); /* even: go */
	uint64_t deadline = now_ns() + STOP_TIMEOUT_NS;
	while (atomic_load(&parked) > 0 && now_ns() < deadline)
		syscall(SYS_sched_yield);
}

static void on_park(int sig, siginfo_t *si, void *uctx)
{
	(void)sig, (void)si, (void)uctx;
	int saved = errno;
	if (atomic_load(&stop_word) & 1) {
		atomic_fetch_add(&parked, 1);
		while (atomic_load(&stop_word) & 1)
			syscall(SYS_sched_yield);
		atomic_fetch_sub(&parked, 1);
	}
	errno = saved;
}

/* ---- string instructions -------------------------------------------------- */

static int fault_frames(uintptr_t pc, void **out);

/* Has @r's access of this kind been reported this period?  Marks it. */
static bool seen_before(struct range *r, bool write)
{
	bool *seen = write ? &r->seen_store : &r->seen_load;
	bool was = *seen;
	*seen = true;
	return was;
}


/* Where to reach @a without a trap: its arena's alias, or @a itself. */
static uint8_t *reach(uintptr_t a)
{
	for (unsigned int i = 0; i < MAX_ARENAS; i++) {
		uintptr_t s = atomic_load_explicit(&arenas[i].start, memory_order_relaxed);
		if (a >= s && a < atomic_load_explicit(&arenas[i].end, memory_order_relaxed))
			return arenas[i].alias + (a - s);
	}
	return (uint8_t *)a;
}

/* The lowest address of [a, a + len) in a range that forbids the access. */
static bool first_forbidden(uintptr_t a, size_t len, bool write, uintptr_t *at, struct range **rr)
{
	bool found = false;
	for (size_t i = 0; i < nr_ranges; i++) {
		struct range *r = &ranges[i];
		if (r->end <= a || r->start >= a + len || (!write && r->may_read))
			continue;
		uintptr_t x = DMP_MAX(r->start, a);
		if (!found || x < *at) {
			*at = x;
			*rr = r;
			found = true;
		}
	}
	return found;
}

/*
 * Carry out @op through the simulator's own mapping (under the guard lock):
 * the pages stay closed, so the other threads need not stop.  Sets the hit
 * if the instruction writes (or reads) a device-owned byte.  False if it
 * cannot (source and destination overlap: the step does it).
 */
static bool carry_out(const struct dmp__guard_string *op, uintptr_t pc)
{
	if (op->src && op->src < op->dst + op->len && op->dst < op->src + op->len)
		return false;
	uintptr_t at;
	struct range *r;
	bool write = first_forbidden(op->dst, op->len, true, &at, &r);
	bool hit = write || (op->src && first_forbidden(op->src, op->len, false, &at, &r));
	if (hit)
		atomic_fetch_add(&stats.hits, 1);
	if (hit && !seen_before(r, write)) {
		win.have_hit = true;
		win.hit = (struct dmp__guard_hit){ .addr = at, .write = write, .key = r->key,
						   .start = r->start, .len = r->end - r->start };
		win.hit.npcs = fault_frames(pc, win.hit.pcs);
	}
	for (size_t off = 0; off < op->len;) {
		uintptr_t d = op->dst + off, s = op->src + off;
		size_t n = DMP_MIN(op->len - off, page_size - (d & (page_size - 1)));
		if (op->src)
			n = DMP_MIN(n, page_size - (s & (page_size - 1)));
		uint8_t *dp = reach(d);
		if (op->src) {
			memcpy(dp, reach(s), n);
		} else {
			for (size_t k = 0; k < n; k++)
				dp[k] = (uint8_t)(op->value >> (8 * ((off + k) % op->size)));
		}
		off += n;
	}
	return true;
}

/* ---- the handlers -------------------------------------------------------- */

/* Hand a signal that is not ours to whoever had it before us. */
static void chain(int sig, siginfo_t *si, void *uctx, const struct sigaction *old)
{
	if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
		old->sa_sigaction(sig, si, uctx);
		return;
	}
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	/* the default action: a fault re-executes and ends the program; a
	 * trap is raised again to take it */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	if (sig != SIGSEGV)
		raise(sig);
}

/* The faulting instruction and its callers, from inside the handler. */
static int fault_frames(uintptr_t pc, void **out)
{
	void *bt[DMP_GUARD_FRAMES + 8];
	int n = backtrace(bt, DMP_GUARD_FRAMES + 8), i = 0;
	while (i < n && (uintptr_t)bt[i] != pc)
		i++;
	if (i == n) {
		out[0] = (void *)pc; /* the unwinder did not see it: the instruction alone */
		return 1;
	}
	int k = 0;
	for (; i < n && k < DMP_GUARD_FRAMES; i++)
		out[k++] = bt[i];
	return k;
}

/* The range at @a that forbids this access (a load: one that forbids loads). */
static struct range *range_at(uintptr_t a, bool write)
{
	for (size_t i = 0; i < nr_ranges; i++)
		if (a >= ranges[i].start && a < ranges[i].end && (write || !ranges[i].may_read))
			return &ranges[i];
	return NULL;
}

static void report_hit(const struct dmp__guard_hit *hit)
{
	if (report_fn)
		report_fn(hit);
}

/* Leave the handler's critical section: take the access judged in it (if
 * any), unlock, report it outside the lock, and give the interrupted code
 * back its errno. */
static void unlock_and_report(int saved_errno)
{
	bool report = win.have_hit;
	struct dmp__guard_hit hit = win.hit;
	win.have_hit = false;
	unlock();
	if (report)
		report_hit(&hit);
	errno = saved_errno;
}

static void on_segv(int sig, siginfo_t *si, void *uctx)
{
	int saved = errno;
	uintptr_t a = (uintptr_t)si->si_addr;
	const struct dmp__guard_arch *arch = dmp__guard_arch;
	if (si->si_code != SEGV_ACCERR || !arch || arch->is_fetch(uctx) || !in_arena(a)) {
		chain(sig, si, uctx, &old_segv);
		errno = saved;
		return;
	}
	pid_t me = my_tid();
	int holder = atomic_load(&guard_lock);
	bool nested = holder == me && win.stepper == me; /* a second page, same instruction */
	if (holder == me && !nested) {
		/* guard mode's own bookkeeping touched a guarded page: a bug */
		chain(sig, si, uctx, &old_segv);
		errno = saved;
		return;
	}
	if (!nested)
		lock_as(me);
	uintptr_t page = a & ~(page_size - 1);
	if (page_open(page) || !page_covered(page) || page_lifted(page)) {
		/* the page was opened by a remove just now: try again - but not for
		 * ever, if something else made it inaccessible */
		if (!nested)
			unlock();
		if (++spurious_in_a_row > 100000)
			chain(sig, si, uctx, &old_segv);
		errno = saved;
		return;
	}
	spurious_in_a_row = 0;
	atomic_fetch_add(&stats.traps, 1);
	bool write = arch->is_write(uctx);
	struct range *r = range_at(a, write);
	if (r)
		atomic_fetch_add(&stats.hits, 1);
	if (r && !win.have_hit && !seen_before(r, write)) {
		win.have_hit = true;
		win.hit.addr = a;
		win.hit.write = write;
		win.hit.key = r->key;
		win.hit.start = r->start;
		win.hit.len = r->end - r->start;
		win.hit.npcs = fault_frames(arch->pc(uctx), win.hit.pcs);
	}
	if (!arch->can_step) {
		/* no single-step: the page stays open until its next handover */
		if (nr_lifted < cap_lifted)
			lifted[nr_lifted++] = page;
		mprotect((void *)page, page_size, PROT_READ | PROT_WRITE);
		unlock_and_report(saved);
		return;
	}
	struct dmp__guard_string op;
	if (!nested && arch->string && !win.have_hit && arch->string(uctx, &op)) {
		if (carry_out(&op, arch->pc(uctx))) {
			arch->string_done(uctx, &op);
			atomic_fetch_add(&stats.strings, 1);
			unlock_and_report(saved);
			return;
		}
	}
	if (!nested) {
		win.stepper = me;
		win.pc = arch->pc(uctx);
		win.nopen = 0;
		stop_others(me);
	}
	if (win.nopen < MAX_OPEN)
		win.open[win.nopen++] = page;
	mprotect((void *)page, page_size, PROT_READ | PROT_WRITE);
	arch->step_on(uctx);
	/* the lock stays held: on_trap ends the window */
	errno = saved;
}

static void on_trap(int sig, siginfo_t *si, void *uctx)
{
	int saved = errno;
	const struct dmp__guard_arch *arch = dmp__guard_arch;
	pid_t me = my_tid();
	if (!arch || atomic_load(&guard_lock) != me || win.stepper != me) {
		chain(sig, si, uctx, &old_trap);
		errno = saved;
		return;
	}
	/* a rep-prefixed string instruction traps after each iteration without
	 * moving on: keep the window open until it is done */
	if (arch->pc(uctx) == win.pc) {
		errno = saved;
		return;
	}
	atomic_fetch_add(&stats.steps, 1);
	for (int i = 0; i < win.nopen; i++)
		mprotect((void *)win.open[i], page_size, page_prot(win.open[i]));
	arch->step_off(uctx);
	bool report = win.have_hit;
	struct dmp__guard_hit hit = win.hit;
	win.have_hit = false;
	win.nopen = 0;
	win.stepper = 0;
	resume_others();
	unlock();
	if (report)
		report_hit(&hit);
	errno = saved;
}

/* ---- set-up --------------------------------------------------------------- */

bool dmp__guard_supported(void)
{
	return dmp__guard_arch != NULL;
}

int dmp__guard_init(dmp__guard_report_fn report)
{
	if (!dmp__guard_arch)
		return -EOPNOTSUPP;
	report_fn = report;
	if (installed)
		return 0;
	page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
	park_signal = SIGRTMIN + PARK_OFFSET;
	cap_lifted = 256;
	lifted = calloc(cap_lifted, sizeof(*lifted));
	if (!lifted)
		return -ENOMEM;
	/* the first backtrace() loads the unwinder (and allocates): now, not
	 * in a handler; libdwfl reads the process's modules now too */
	void *warm[4];
	backtrace(warm, 4);
	dmp__symbolize_init();
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_park;
	if (sigaction(park_signal, &sa, &old_park))
		return -errno;
	sa.sa_sigaction = on_trap;
	if (sigaction(SIGTRAP, &sa, &old_trap))
		return -errno;
	/* SEGV last: from here on a protected page has a handler.  The park
	 * signal stays unblocked in it, so that a thread waiting here for the
	 * guard lock can still be stopped by the one holding it. */
	sa.sa_sigaction = on_segv;
	if (sigaction(SIGSEGV, &sa, &old_segv))
		return -errno;
	installed = true;
	return 0;
}
