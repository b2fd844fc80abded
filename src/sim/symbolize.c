/* SPDX-License-Identifier: MIT */
/*
 * symbolize.c - source file and line of a code address, for the reports of
 * guard mode, with elfutils' libdwfl (the DWARF line tables of every module
 * of the process, as /proc/self/maps lists them).
 *
 * Which frame a report names: the first with line information outside the
 * C library and the sanitizer runtimes, so that a driver's memcpy() into a
 * device-owned buffer is reported at the driver's line that called it.
 */
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../internal.h"
#include "guard.h"

static dmp_spinlock_t sym_lock = DMP_SPINLOCK_INIT;
static Dwfl *dwfl;
static char *debuginfo_path;
static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

/* Interned file names: a report keeps pointing at them. */
#define MAX_NAMES 256
static char *names[MAX_NAMES];
static unsigned int nr_names;
static char cwd[512];

/* (Re)read the modules of this process.  Under sym_lock. */
static void report_modules(void)
{
	if (!dwfl) {
		dwfl = dwfl_begin(&callbacks);
		if (!dwfl)
			return;
		if (!getcwd(cwd, sizeof(cwd)))
			cwd[0] = 0;
	}
	dwfl_report_begin(dwfl);
	dwfl_linux_proc_report(dwfl, getpid());
	dwfl_report_end(dwfl, NULL, NULL);
}

void dmp__symbolize_init(void)
{
	dmp_spin_lock(&sym_lock);
	if (!dwfl)
		report_modules();
	dmp_spin_unlock(&sym_lock);
}

/* @path relative to the working directory when it lies under it, interned. */
static const char *intern(const char *path)
{
	size_t n = strlen(cwd);
	if (n && !strncmp(path, cwd, n) && path[n] == '/')
		path += n + 1;
	for (unsigned int i = 0; i < nr_names; i++)
		if (!strcmp(names[i], path))
			return names[i];
	if (nr_names == MAX_NAMES)
		return "(too many source files)";
	char *copy = strdup(path);
	if (!copy)
		return "(out of memory)";
	names[nr_names++] = copy;
	return copy;
}

/* The C library, the loader and sanitizer runtimes: never the driver's line. */
static bool runtime_module(Dwfl_Module *m)
{
	const char *name = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	if (!name)
		return false;
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	return !strncmp(base, "libc.so", 7) || !strncmp(base, "ld-linux", 8) ||
	       !strncmp(base, "libasan", 7) || !strncmp(base, "libubsan", 8) ||
	       !strncmp(base, "libtsan", 7);
}

/* dmaport's own code: the library as a shared object, or its sources
 * (src/<layer>/...) when linked in statically, as the tests are. */
static bool dmaport_frame(Dwfl_Module *m, const char *src)
{
	const char *name = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	const char *base = name ? strrchr(name, '/') : NULL;
	base = base ? base + 1 : name;
	if (base && !strncmp(base, "libdmaport", 10))
		return true;
	static const char *const layers[] = { "src/dma/", "src/sim/", "src/iommu/", "src/mm/",
					      "src/of/", "src/platform/" };
	for (unsigned int i = 0; i < DMP_ARRAY_SIZE(layers); i++) {
		const char *at = strstr(src, layers[i]);
		if (at && (at == src || at[-1] == '/'))
			return true;
	}
	return false;
}

static int symbolize(void *const *pcs, int npcs, const char **file, int *line, char *func,
		     size_t func_len, bool outside_dmaport);

int dmp__symbolize(void *const *pcs, int npcs, const char **file, int *line, char *func,
		   size_t func_len)
{
	return symbolize(pcs, npcs, file, line, func, func_len, false);
}

int dmp__symbolize_caller(void *const *pcs, int npcs, const char **file, int *line)
{
	return symbolize(pcs, npcs, file, line, NULL, 0, true);
}

static int symbolize(void *const *pcs, int npcs, const char **file, int *line, char *func,
		     size_t func_len, bool outside_dmaport)
{
	int used = -1;
	*file = NULL;
	*line = 0;
	if (func_len)
		func[0] = 0;
	dmp_spin_lock(&sym_lock);
	if (!dwfl)
		report_modules(); /* first use (guard mode reads them at its start) */
	bool reread = false;
	for (int i = 0; dwfl && i < npcs && used < 0; i++) {
		/* a return address points after the call: look up the call */
		Dwarf_Addr a = (Dwarf_Addr)(uintptr_t)pcs[i] - (i ? 1 : 0);
		Dwfl_Module *m = dwfl_addrmodule(dwfl, a);
		if (!m && !reread) {
			reread = true; /* a library loaded since: read the modules again */
			report_modules();
			m = dwfl_addrmodule(dwfl, a);
		}
		if (i == 0 && m && func_len) {
			const char *fn = dwfl_module_addrname(m, a);
			snprintf(func, func_len, "%s", fn ? fn : "");
		}
		if (!m || runtime_module(m))
			continue;
		Dwfl_Line *l = dwfl_module_getsrc(m, a);
		int ln = 0;
		const char *src = l ? dwfl_lineinfo(l, NULL, &ln, NULL, NULL, NULL) : NULL;
		if (!src || (outside_dmaport && dmaport_frame(m, src)))
			continue;
		*file = intern(src);
		*line = ln;
		used = i;
	}
	dmp_spin_unlock(&sym_lock);
	return used;
}
