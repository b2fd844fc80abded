/* guard-aarch64.c - guard mode's aarch64 Linux part, run under qemu-aarch64
 * (make guard-aarch64-check): guard.c with guard-arch-aarch64.c, built with
 * the cross compiler, on an arena of its own (no simulator, no libdw: the
 * report stage is this file's).
 *
 * What it shows: a load of a guarded byte is caught (a read), the same
 * page then stays open until the next handover - a store beside the buffer
 * goes through, unseen, as docs/checker-kinds.md says - and the next
 * handover catches a store (a write), whether or not the signal frame
 * carries an ESR record (qemu-user's does not: the instruction tells).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard.h"

/* No libdwfl in this build: reports without a line. */
int dmp__symbolize(void *const *pcs, int npcs, const char **file, int *line, char *func,
		   size_t func_len)
{
	(void)pcs, (void)npcs;
	*file = NULL;
	*line = 0;
	if (func_len)
		func[0] = 0;
	return -1;
}

int dmp__symbolize_caller(void *const *pcs, int npcs, const char **file, int *line)
{
	return dmp__symbolize(pcs, npcs, file, line, NULL, 0);
}

void dmp__symbolize_init(void)
{
}

static int hits, writes;
static const void *hit_key;

static void report(const struct dmp__guard_hit *h)
{
	hits++;
	writes += h->write;
	hit_key = h->key;
}

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			printf("guard-aarch64: FAILED: %s (line %d)\n", #cond, __LINE__);      \
			return 1;                                                             \
		}                                                                             \
	} while (0)

int main(void)
{
	CHECK(dmp__guard_init(report) == 0);
	const size_t size = 1 << 20;
	int fd = memfd_create("guard-aarch64", 0);
	CHECK(fd >= 0 && ftruncate(fd, (off_t)size) == 0);
	volatile unsigned char *cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unsigned char *alias = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(cpu != MAP_FAILED && alias != MAP_FAILED);
	dmp__guard_add_arena((const void *)cpu, size, alias);
	long ps = sysconf(_SC_PAGESIZE);
	memset(alias, 7, 3 * (size_t)ps);
	int key;

	CHECK(dmp__guard_add(&key, (const void *)cpu, 256, false) == 0);
	unsigned char v = cpu[10];
	CHECK(hits == 1 && writes == 0 && v == 7 && hit_key == &key);
	cpu[300] = 9; /* beside the buffer, on the page left open since */
	CHECK(hits == 1 && alias[300] == 9);

	dmp__guard_remove_key(&key);
	CHECK(dmp__guard_add(&key, (const void *)(cpu + ps), 256, false) == 0);
	cpu[ps + 5] = 1; /* the next handover: a store is caught */
	CHECK(hits == 2 && writes == 1 && alias[ps + 5] == 1);
	dmp__guard_remove_key(&key);

	struct dmp__guard_stats st;
	dmp__guard_get_stats(&st);
	CHECK(st.traps == 2 && st.hits == 2 && st.steps == 0);
	printf("guard-aarch64: a load and a store caught, the page left open between "
	       "handovers (%lu traps, no single-step)\n", st.traps);
	return 0;
}
