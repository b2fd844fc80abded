/* SPDX-License-Identifier: MIT */
/*
 * of.c - the device-tree reader: a flattened device tree, read with libfdt,
 * into a validated struct dmp_of_platform (see <dmaport/of.h>).
 *
 * The parser reads the blob in a fixed order, because later parts refer to
 * earlier ones: the root's cells and /memory first (everything else is
 * checked against memory), then /cpus, /reserved-memory, the IOMMUs (a walk
 * of the whole tree), then devices and PCI host bridges (a second walk,
 * resolving phandles to the IOMMUs and reserved regions found before).
 *
 * The blob is untrusted input (the fuzz target feeds it garbage):
 * fdt_check_full() vets its structure first, and every property is checked
 * for length before a cell of it is read.  Nothing here allocates; the walk
 * keeps the ancestors of the current node on a bounded stack, so no
 * fdt_parent_offset() (a scan from the start of the blob) is ever needed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include <dmaport/of.h>

#include "../internal.h"

/* Windows of one ranges / dma-ranges property, and pieces while composing. */
#define OF_MAX_WINDOWS 16
/* iommu-map cells are 32 bits: a range of IDs must end at or below 2^32. */
#define OF_U32_SPAN (1ULL << 32)

struct of_ctx {
	const void *fdt;
	struct dmp_of_platform *p;
	struct dmp_of_error *err;
	int rmem_node;                       /* /reserved-memory, or -1 */
	int rmem_off[DMP_OF_MAX_RESERVED];   /* node offsets of p->reserved[] */
	bool placed[DMP_OF_MAX_RESERVED];    /* p->reserved[i] has its place */
	int iommu_off[DMP_OF_MAX_IOMMUS];    /* node offsets of p->iommus[] */
	int pci_host_off[DMP_OF_MAX_PCI_HOSTS]; /* node offsets of p->pci_hosts[] */
	int anc[DMP_OF_MAX_DEPTH];           /* the walk: anc[0] = root ... anc[d] = node */
};

/* How the children of a node address things. */
struct of_cells {
	unsigned int ac, sc;
	bool pci; /* a PCI bus: 3 address cells, the first one is flags */
};

struct of_window {
	uint64_t child, parent, size;
};

static int of_fail(struct of_ctx *c, int node, const char *prop, int code, const char *fmt, ...)
	DMP_PRINTF(5, 6);

static int of_fail(struct of_ctx *c, int node, const char *prop, int code, const char *fmt, ...)
{
	struct dmp_of_error *e = c->err;
	va_list ap;

	memset(e, 0, sizeof(*e));
	e->code = code;
	if (node >= 0 && fdt_get_path(c->fdt, node, e->path, sizeof(e->path)) < 0)
		snprintf(e->path, sizeof(e->path), "(node at offset %d)", node);
	snprintf(e->property, sizeof(e->property), "%s", prop ? prop : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

/* The path of @node into @buf; -ENOMEM (capacity) if it does not fit. */
static int of_path(struct of_ctx *c, int node, const char *prop, char *buf, size_t len)
{
	int ret = fdt_get_path(c->fdt, node, buf, (int)len);

	if (ret == -FDT_ERR_NOSPACE)
		return of_fail(c, node, prop, -ENOMEM, "node path longer than %zu bytes", len - 1);
	if (ret < 0)
		return of_fail(c, node, prop, -EINVAL, "corrupt node: %s", fdt_strerror(ret));
	return 0;
}

static bool of_read_num(const fdt32_t *cells, unsigned int n, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (x >> 32)
			return false; /* more than 64 bits */
		x = (x << 32) | fdt32_to_cpu(cells[i]);
	}
	*v = x;
	return true;
}

/* An address in a bus's address space: PCI's first cell is flags (phys.hi). */
static bool of_read_addr(const fdt32_t *cells, const struct of_cells *bc, uint64_t *v)
{
	if (bc->pci && bc->ac == 3)
		return of_read_num(cells + 1, 2, v);
	return of_read_num(cells, bc->ac, v);
}

/*
 * Whether [addr, addr + size) (size 0: the address alone) is addressable
 * with the cells of bus @bc: a one-cell bus has 32-bit addresses, so a
 * window that ends past 4 GiB there describes nothing real (Linux's
 * of_translate_one() would wrap it); PCI's 3 cells carry 64 bits.
 */
static bool of_fits_cells(uint64_t addr, uint64_t size, unsigned int ac, bool pci)
{
	unsigned int bits = (pci && ac == 3) ? 64 : 32 * ac;
	uint64_t last = addr + (size ? size - 1 : 0);

	if (bits >= 64)
		return true;
	return last >> bits == 0 && last >= addr;
}

/* A property: NULL and *len = 0 when absent. */
static const fdt32_t *of_prop(struct of_ctx *c, int node, const char *name, int *len)
{
	const void *v = fdt_getprop(c->fdt, node, name, len);

	if (!v)
		*len = 0;
	return v;
}

static bool of_has(struct of_ctx *c, int node, const char *name)
{
	return fdt_getprop(c->fdt, node, name, NULL) != NULL;
}

/* A property made of whole cells; *n receives how many.  Absent: NULL, 0. */
static int of_cells_prop(struct of_ctx *c, int node, const char *name, const fdt32_t **v,
			 unsigned int *n)
{
	int len;

	*v = of_prop(c, node, name, &len);
	*n = 0;
	if (!*v)
		return 0;
	if (len % 4)
		return of_fail(c, node, name, -EINVAL, "length %d is not a whole number of cells", len);
	*n = (unsigned int)len / 4;
	return 0;
}

/* A one-cell property.  Returns 1 if present, 0 if absent, or an error. */
static int of_u32(struct of_ctx *c, int node, const char *name, uint32_t *val)
{
	int len;
	const fdt32_t *v = of_prop(c, node, name, &len);

	if (!v)
		return 0;
	if (len != 4)
		return of_fail(c, node, name, -EINVAL, "length %d, expected one cell", len);
	*val = fdt32_to_cpu(*v);
	return 1;
}

/* A string property; *s = NULL when absent. */
static int of_string(struct of_ctx *c, int node, const char *name, const char **s)
{
	int len;
	const char *v = fdt_getprop(c->fdt, node, name, &len);

	*s = NULL;
	if (!v)
		return 0;
	if (len <= 0 || memchr(v, '\0', (size_t)len) != v + len - 1)
		return of_fail(c, node, name, -EINVAL, "not a string");
	*s = v;
	return 0;
}

/* Validate a string list (compatible); *list = NULL when absent. */
static int of_stringlist(struct of_ctx *c, int node, const char *name, const char **list, int *len)
{
	*list = fdt_getprop(c->fdt, node, name, len);
	if (!*list) {
		*len = 0;
		return 0;
	}
	if (*len <= 0 || (*list)[*len - 1] != '\0')
		return of_fail(c, node, name, -EINVAL, "not a list of strings");
	return 0;
}

static bool of_list_has(const char *list, int len, const char *s)
{
	for (const char *p = list; list && p < list + len; p += strlen(p) + 1)
		if (!strcmp(p, s))
			return true;
	return false;
}

/* The first string of @list that starts with @prefix, or NULL. */
static const char *of_list_prefix(const char *list, int len, const char *prefix)
{
	for (const char *p = list; list && p < list + len; p += strlen(p) + 1)
		if (!strncmp(p, prefix, strlen(prefix)))
			return p;
	return NULL;
}

static int of_copy_compat(struct of_ctx *c, int node, const char *s, char *dst)
{
	if (strlen(s) >= DMP_OF_COMPAT_MAX)
		return of_fail(c, node, "compatible", -ENOMEM, "\"%s\" is longer than %d bytes", s,
			       DMP_OF_COMPAT_MAX - 1);
	strcpy(dst, s);
	return 0;
}

/* status absent, "okay" or "ok": the node is in use (devicetree spec 2.3.4). */
static int of_enabled(struct of_ctx *c, int node, bool *on)
{
	const char *s;
	int ret = of_string(c, node, "status", &s);

	if (ret)
		return ret;
	*on = !s || !strcmp(s, "okay") || !strcmp(s, "ok");
	return 0;
}

static int of_is_type(struct of_ctx *c, int node, const char *type, bool *is)
{
	const char *s;
	int ret = of_string(c, node, "device_type", &s);

	if (ret)
		return ret;
	*is = s && !strcmp(s, type);
	return 0;
}

/*
 * #address-cells / #size-cells of @node (what its children use).  The
 * devicetree specification's defaults are 2 and 1; more than 4 cells is a
 * corrupt tree (libfdt's FDT_MAX_NCELLS).
 */
static int of_bus_cells(struct of_ctx *c, int node, struct of_cells *bc)
{
	uint32_t v;
	int ret;

	bc->ac = 2;
	bc->sc = 1;
	ret = of_u32(c, node, "#address-cells", &v);
	if (ret < 0)
		return ret;
	if (ret) {
		if (v > 4)
			return of_fail(c, node, "#address-cells", -EINVAL, "%u cells, at most 4", v);
		bc->ac = v;
	}
	ret = of_u32(c, node, "#size-cells", &v);
	if (ret < 0)
		return ret;
	if (ret) {
		if (v > 4)
			return of_fail(c, node, "#size-cells", -EINVAL, "%u cells, at most 4", v);
		bc->sc = v;
	}
	return of_is_type(c, node, "pci", &bc->pci);
}

/*
 * Read the windows of a ranges or dma-ranges property of @bus: (child
 * address, parent address, size) with the child cells of @bus, the child
 * cells of @parent (the bus's parent; for the root, itself) and the size
 * cells of @bus.
 */
static int of_read_windows(struct of_ctx *c, int bus, int parent, const char *name,
			   struct of_window *w, unsigned int *n)
{
	struct of_cells bc, pc;
	const fdt32_t *v;
	unsigned int ncells, tuple;
	int ret;

	ret = of_bus_cells(c, bus, &bc);
	if (!ret)
		ret = of_bus_cells(c, parent, &pc);
	if (!ret)
		ret = of_cells_prop(c, bus, name, &v, &ncells);
	if (ret)
		return ret;
	tuple = bc.ac + pc.ac + bc.sc;
	if (!tuple || ncells % tuple)
		return of_fail(c, bus, name, -EINVAL,
			       "%u cells are not a whole number of (%u+%u+%u)-cell entries", ncells,
			       bc.ac, pc.ac, bc.sc);
	*n = 0;
	for (unsigned int i = 0; i < ncells; i += tuple) {
		struct of_window *x = &w[*n];

		if (*n == OF_MAX_WINDOWS)
			return of_fail(c, bus, name, -ENOMEM, "more than %d entries", OF_MAX_WINDOWS);
		if (!of_read_addr(v + i, &bc, &x->child) || !of_read_addr(v + i + bc.ac, &pc, &x->parent) ||
		    !of_read_num(v + i + bc.ac + pc.ac, bc.sc, &x->size))
			return of_fail(c, bus, name, -EINVAL, "entry %u does not fit 64 bits", i / tuple);
		if (!x->size || x->child + (x->size - 1) < x->child ||
		    x->parent + (x->size - 1) < x->parent)
			return of_fail(c, bus, name, -EINVAL,
				       "entry %u: size 0x%llx is empty or wraps the address space",
				       i / tuple, (unsigned long long)x->size);
		bool child_fits = of_fits_cells(x->child, x->size, bc.ac, bc.pci);
		if (!child_fits || !of_fits_cells(x->parent, x->size, pc.ac, pc.pci))
			return of_fail(c, bus, name, -EINVAL,
				       "entry %u: %s addresses 0x%llx+0x%llx end past what %u "
				       "address cell(s) can hold", i / tuple,
				       child_fits ? "parent" : "child",
				       (unsigned long long)(child_fits ? x->parent : x->child),
				       (unsigned long long)x->size, child_fits ? pc.ac : bc.ac);
		(*n)++;
	}
	return 0;
}

/*
 * Translate [addr, addr + size) of the address space of the children of
 * c->anc[lvl] to a CPU address, through the ranges of each bus up to the root
 * (devicetree spec 2.3.8: no ranges means no translation is possible; empty
 * ranges means identity).
 */
static int of_translate(struct of_ctx *c, int lvl, uint64_t addr, uint64_t size, uint64_t *cpu)
{
	struct of_window w[OF_MAX_WINDOWS];
	unsigned int n;
	uint64_t last = addr + (size ? size - 1 : 0);
	int ret;

	for (; lvl > 0; lvl--) {
		int bus = c->anc[lvl], len;
		unsigned int i;

		if (!of_prop(c, bus, "ranges", &len))
			return of_fail(c, bus, "ranges", -EINVAL,
				       "absent: addresses below this node cannot be translated");
		if (!len)
			continue;
		ret = of_read_windows(c, bus, c->anc[lvl - 1], "ranges", w, &n);
		if (ret)
			return ret;
		for (i = 0; i < n; i++)
			if (addr >= w[i].child && last <= w[i].child + (w[i].size - 1))
				break;
		if (i == n)
			return of_fail(c, bus, "ranges", -EINVAL,
				       "no entry covers 0x%llx+0x%llx of a child",
				       (unsigned long long)addr, (unsigned long long)size);
		addr = w[i].parent + (addr - w[i].child);
		last = addr + (size ? size - 1 : 0);
	}
	*cpu = addr;
	return 0;
}

/*
 * The first reg entry of c->anc[lvl], translated to a CPU address.
 * Returns 1 if found, 0 if the node has no reg, or an error.
 */
static int of_reg(struct of_ctx *c, int lvl, struct dmp_of_range *r)
{
	struct of_cells pc;
	const fdt32_t *v;
	unsigned int n;
	int node = c->anc[lvl], ret;

	DMP_ASSERT(lvl > 0);
	ret = of_bus_cells(c, c->anc[lvl - 1], &pc);
	if (!ret)
		ret = of_cells_prop(c, node, "reg", &v, &n);
	if (ret)
		return ret;
	if (!v)
		return 0;
	if (!(pc.ac + pc.sc) || !n || n % (pc.ac + pc.sc))
		return of_fail(c, node, "reg", -EINVAL,
			       "%u cells are not a whole number of (%u+%u)-cell entries", n, pc.ac,
			       pc.sc);
	if (!of_read_addr(v, &pc, &r->base) || !of_read_num(v + pc.ac, pc.sc, &r->size))
		return of_fail(c, node, "reg", -EINVAL, "does not fit 64 bits");
	if (r->size && r->base + (r->size - 1) < r->base)
		return of_fail(c, node, "reg", -EINVAL, "wraps the address space");
	if (!of_fits_cells(r->base, r->size, pc.ac, pc.pci))
		return of_fail(c, node, "reg", -EINVAL,
			       "0x%llx+0x%llx ends past what %u address cell(s) can hold",
			       (unsigned long long)r->base, (unsigned long long)r->size, pc.ac);
	ret = of_translate(c, lvl - 1, r->base, r->size, &r->base);
	return ret ? ret : 1;
}

static bool of_overlap(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return asz && bsz && a <= b + (bsz - 1) && b <= a + (asz - 1);
}

/* The memory region wholly holding [base, base + size), or -1. */
static int of_memory_holding(const struct dmp_of_platform *p, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < p->nr_memory; i++) {
		const struct dmp_of_range *m = &p->memory[i];

		if (base >= m->base && size <= m->size && base - m->base <= m->size - size)
			return (int)i;
	}
	return -1;
}

static bool of_touches_memory(const struct dmp_of_platform *p, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < p->nr_memory; i++)
		if (of_overlap(base, size, p->memory[i].base, p->memory[i].size))
			return true;
	return false;
}

/*
 * The root: cells and model.
 */
static int of_parse_root(struct of_ctx *c)
{
	struct of_cells rc;
	const char *model;
	int ret;

	ret = of_bus_cells(c, 0, &rc);
	if (!ret)
		ret = of_string(c, 0, "model", &model);
	if (ret)
		return ret;
	if (rc.ac < 1 || rc.ac > 2 || rc.sc < 1 || rc.sc > 2)
		return of_fail(c, 0, "#address-cells", -EINVAL,
			       "the root's cells must be 1 or 2 (have %u and %u)", rc.ac, rc.sc);
	c->p->addr_cells = rc.ac;
	c->p->size_cells = rc.sc;
	if (model)
		snprintf(c->p->model, sizeof(c->p->model), "%s", model);
	return 0;
}

/*
 * /memory nodes: every child of the root with device_type = "memory"; each
 * reg entry is a region (size 0 entries are skipped, as Linux's
 * early_init_dt_scan_memory() does; a tree left with no memory then names
 * the node whose reg was all zero sizes).
 */
static int of_parse_memory(struct of_ctx *c)
{
	struct dmp_of_platform *p = c->p;
	unsigned int tuple = p->addr_cells + p->size_cells;
	int node, ret, empty_node = -1;

	fdt_for_each_subnode(node, c->fdt, 0) {
		const fdt32_t *v;
		unsigned int n;
		bool is_mem, on;

		ret = of_is_type(c, node, "memory", &is_mem);
		if (!ret && is_mem)
			ret = of_enabled(c, node, &on);
		if (ret)
			return ret;
		if (!is_mem || !on)
			continue;
		ret = of_cells_prop(c, node, "reg", &v, &n);
		if (ret)
			return ret;
		if (!v)
			return of_fail(c, node, "reg", -EINVAL, "a memory node needs reg");
		if (!tuple || !n || n % tuple)
			return of_fail(c, node, "reg", -EINVAL,
				       "%u cells are not a whole number of (%u+%u)-cell entries", n,
				       p->addr_cells, p->size_cells);
		for (unsigned int i = 0; i < n; i += tuple) {
			uint64_t base = 0, size = 0;

			of_read_num(v + i, p->addr_cells, &base);
			of_read_num(v + i + p->addr_cells, p->size_cells, &size);
			if (!size) {
				if (empty_node < 0)
					empty_node = node;
				continue;
			}
			if (!DMP_IS_ALIGNED(base | size, DMP_PAGE_SIZE) || base + (size - 1) < base ||
			    !of_fits_cells(base, size, p->addr_cells, false))
				return of_fail(c, node, "reg", -EINVAL,
					       "0x%llx+0x%llx is not page aligned, wraps, or ends past "
					       "what %u address cell(s) can hold",
					       (unsigned long long)base, (unsigned long long)size,
					       p->addr_cells);
			for (unsigned int j = 0; j < p->nr_memory; j++)
				if (of_overlap(base, size, p->memory[j].base, p->memory[j].size))
					return of_fail(c, node, "reg", -EEXIST,
						       "0x%llx+0x%llx overlaps memory at 0x%llx",
						       (unsigned long long)base,
						       (unsigned long long)size,
						       (unsigned long long)p->memory[j].base);
			if (p->nr_memory == DMP_OF_MAX_MEMORY)
				return of_fail(c, node, "reg", -ENOMEM,
					       "more than %d memory regions", DMP_OF_MAX_MEMORY);
			/* Insert sorted by base. */
			unsigned int at = p->nr_memory;
			while (at > 0 && p->memory[at - 1].base > base) {
				p->memory[at] = p->memory[at - 1];
				memcpy(p->memory_path[at], p->memory_path[at - 1],
				       sizeof(p->memory_path[at]));
				at--;
			}
			p->memory[at].base = base;
			p->memory[at].size = size;
			ret = of_path(c, node, "reg", p->memory_path[at], sizeof(p->memory_path[at]));
			if (ret)
				return ret;
			p->nr_memory++;
		}
	}
	if (node != -FDT_ERR_NOTFOUND)
		return of_fail(c, 0, NULL, -EINVAL, "corrupt tree: %s", fdt_strerror(node));
	if (!p->nr_memory && empty_node >= 0)
		return of_fail(c, empty_node, "reg", -ENOENT,
			       "every entry has size 0: the tree describes no memory");
	if (!p->nr_memory)
		return of_fail(c, 0, NULL, -ENOENT, "no memory node (device_type = \"memory\")");
	return 0;
}

/*
 * The outer cache's own properties (devicetree spec 3.8, "cache-size",
 * "cache-line-size"): absent, or in the range real outer caches have - a
 * line of 32, 64 or 128 bytes (the sizes the simulator models), a size of
 * 1 KiB .. 1 GiB made of whole lines.  Out of range is refused, not ignored.
 */
static int of_parse_outer_cache(struct of_ctx *c, int node)
{
	struct dmp_of_cache *k = &c->p->cache;
	uint32_t v;
	int ret;

	ret = of_path(c, node, NULL, k->outer_path, sizeof(k->outer_path));
	if (ret)
		return ret;
	k->outer_cache = true;
	k->outer_unified = of_has(c, node, "cache-unified");
	ret = of_u32(c, node, "cache-line-size", &v);
	if (ret < 0)
		return ret;
	if (ret && v != 32 && v != 64 && v != 128)
		return of_fail(c, node, "cache-line-size", -EINVAL,
			       "line size %u: an outer cache has 32, 64 or 128", v);
	k->outer_line_size = ret ? v : 0;
	ret = of_u32(c, node, "cache-size", &v);
	if (ret < 0)
		return ret;
	if (ret && (v < 1024 || v > (1u << 30) || v % (k->outer_line_size ? k->outer_line_size : 32)))
		return of_fail(c, node, "cache-size", -EINVAL,
			       "%u bytes: an outer cache has 1 KiB .. 1 GiB, whole lines", v);
	k->outer_size = ret ? v : 0;
	return 0;
}

/*
 * /cpus: the L1 data cache line size of every cpu node, and the outer cache
 * at the end of its next-level-cache chain (devicetree spec 3.7/3.8; the
 * binding of cache nodes: compatible = "cache", cache-level).  The whole
 * chain is walked: a node that names itself, or a chain that comes back to
 * a node it passed, is refused (Linux's of_find_next_cache_node() would
 * follow it for ever).
 */
#define OF_MAX_CACHE_CHAIN 8 /* more levels than any machine has */

static int of_parse_cache_chain(struct of_ctx *c, int cpu)
{
	struct dmp_of_cache *k = &c->p->cache;
	int seen[OF_MAX_CACHE_CHAIN + 1], nseen = 0, node = cpu, ret;
	bool outer_done = k->outer_cache;

	seen[nseen++] = cpu;
	for (;;) {
		uint32_t ph, level = 0;
		const char *compat;
		int len, next;

		ret = of_u32(c, node, "next-level-cache", &ph);
		if (ret <= 0)
			return ret;
		next = fdt_node_offset_by_phandle(c->fdt, ph);
		if (ph == 0 || ph == ~0u || next < 0)
			return of_fail(c, node, "next-level-cache", -ENOENT,
				       "phandle 0x%x names no node", ph);
		if (next == node)
			return of_fail(c, node, "next-level-cache", -EINVAL,
				       "names its own node: the cache chain would never end");
		for (int i = 0; i < nseen; i++)
			if (seen[i] == next) {
				char there[DMP_OF_PATH_MAX];

				if (fdt_get_path(c->fdt, next, there, sizeof(there)) < 0)
					strcpy(there, "?");
				return of_fail(c, node, "next-level-cache", -EINVAL,
					       "the cache chain loops back to %s", there);
			}
		if (nseen == OF_MAX_CACHE_CHAIN + 1)
			return of_fail(c, node, "next-level-cache", -EINVAL,
				       "a chain of more than %d caches", OF_MAX_CACHE_CHAIN);
		seen[nseen++] = next;
		node = next;
		ret = of_stringlist(c, node, "compatible", &compat, &len);
		if (ret)
			return ret;
		if (!of_list_has(compat, len, "cache"))
			continue;
		ret = of_u32(c, node, "cache-level", &level);
		if (ret < 0)
			return ret;
		if (!ret)
			return of_fail(c, node, "cache-level", -EINVAL,
				       "a cache node needs cache-level");
		if (level != 2 || outer_done)
			continue;
		ret = of_parse_outer_cache(c, node);
		if (ret)
			return ret;
		outer_done = true;
	}
}

static int of_parse_cpus(struct of_ctx *c)
{
	static const char *const line_props[] = { "d-cache-line-size", "cache-line-size",
						  "d-cache-block-size" };
	struct dmp_of_cache *k = &c->p->cache;
	int cpus = fdt_path_offset(c->fdt, "/cpus"), node, ret;

	k->line_size = 64;
	if (cpus < 0)
		return 0;
	fdt_for_each_subnode(node, c->fdt, cpus) {
		bool is_cpu, on;

		ret = of_is_type(c, node, "cpu", &is_cpu);
		if (!ret && is_cpu)
			ret = of_enabled(c, node, &on);
		if (ret)
			return ret;
		if (!is_cpu || !on)
			continue;
		for (unsigned int i = 0; i < DMP_ARRAY_SIZE(line_props); i++) {
			uint32_t v;

			ret = of_u32(c, node, line_props[i], &v);
			if (ret < 0)
				return ret;
			if (!ret)
				continue;
			if (v != 32 && v != 64 && v != 128)
				return of_fail(c, node, line_props[i], -EINVAL,
					       "line size %u: the simulator has 32, 64 or 128", v);
			if (k->line_size_from_dt && k->line_size != v)
				return of_fail(c, node, line_props[i], -EINVAL,
					       "line size %u differs from another CPU's %u", v,
					       k->line_size);
			k->line_size = v;
			k->line_size_from_dt = true;
			break;
		}
		ret = of_parse_cache_chain(c, node);
		if (ret)
			return ret;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return of_fail(c, cpus, NULL, -EINVAL, "corrupt tree: %s", fdt_strerror(node));
	return 0;
}

/*
 * /reserved-memory (bindings/reserved-memory/reserved-memory.yaml,
 * shared-dma-pool.yaml).  Linux's fdt_scan_reserved_mem() insists that the
 * node's cells equal the root's and that ranges is present and empty;
 * rmem_cma_setup(), rmem_dma_setup() and rmem_swiotlb_setup()
 * (kernel/dma/contiguous.c, coherent.c, swiotlb.c) refuse the property
 * combinations refused below.
 */
static int of_parse_rmem_child(struct of_ctx *c, int node)
{
	struct dmp_of_platform *p = c->p;
	struct dmp_of_reserved *r = &p->reserved[p->nr_reserved];
	unsigned int ac = p->addr_cells, sc = p->size_cells;
	const fdt32_t *v;
	const char *compat;
	unsigned int n;
	int len, ret;

	if (p->nr_reserved == DMP_OF_MAX_RESERVED)
		return of_fail(c, node, NULL, -ENOMEM, "more than %d reserved regions",
			       DMP_OF_MAX_RESERVED);
	memset(r, 0, sizeof(*r));
	ret = of_path(c, node, NULL, r->path, sizeof(r->path));
	if (!ret)
		ret = of_stringlist(c, node, "compatible", &compat, &len);
	if (ret)
		return ret;
	r->phandle = fdt_get_phandle(c->fdt, node);
	r->no_map = of_has(c, node, "no-map");
	r->reusable = of_has(c, node, "reusable");
	r->cma_default = of_has(c, node, "linux,cma-default");
	r->dma_default = of_has(c, node, "linux,dma-default");
	if (r->no_map && r->reusable)
		return of_fail(c, node, "no-map", -EINVAL, "no-map and reusable contradict");
	if (of_list_has(compat, len, "restricted-dma-pool")) {
		r->kind = DMP_OF_RMEM_RESTRICTED;
		if (r->reusable || r->no_map || r->cma_default || r->dma_default)
			return of_fail(c, node,
				       r->reusable ? "reusable" : r->no_map ? "no-map" :
				       r->cma_default ? "linux,cma-default" : "linux,dma-default",
				       -EINVAL, "not allowed on a restricted-dma-pool");
	} else if (of_list_has(compat, len, "shared-dma-pool")) {
		r->kind = r->reusable ? DMP_OF_RMEM_CMA : DMP_OF_RMEM_COHERENT;
	} else {
		r->kind = DMP_OF_RMEM_OTHER;
	}
	if (r->cma_default && r->kind != DMP_OF_RMEM_CMA)
		return of_fail(c, node, "linux,cma-default", -EINVAL,
			       "only a reusable shared-dma-pool can be the default CMA area");
	if (r->dma_default && r->kind != DMP_OF_RMEM_COHERENT)
		return of_fail(c, node, "linux,dma-default", -EINVAL,
			       "only a non-reusable shared-dma-pool can be the default coherent pool");

	ret = of_cells_prop(c, node, "reg", &v, &n);
	if (ret)
		return ret;
	if (v) {
		if (n != ac + sc)
			return of_fail(c, node, "reg", -EINVAL,
				       "%u cells: dmaport wants exactly one (%u+%u)-cell entry", n,
				       ac, sc);
		of_read_num(v, ac, &r->base);
		of_read_num(v + ac, sc, &r->size);
		r->is_static = true;
		if (!r->size || r->base + (r->size - 1) < r->base ||
		    !of_fits_cells(r->base, r->size, ac, false))
			return of_fail(c, node, "reg", -EINVAL,
				       "empty, wraps, or ends past what %u address cell(s) can hold",
				       ac);
		if (r->kind != DMP_OF_RMEM_OTHER && !DMP_IS_ALIGNED(r->base | r->size, DMP_PAGE_SIZE))
			return of_fail(c, node, "reg", -EINVAL, "a DMA pool must be page aligned");
		ret = of_memory_holding(p, r->base, r->size);
		if (ret < 0)
			return of_fail(c, node, "reg", -ERANGE,
				       "0x%llx+0x%llx is not inside a memory region",
				       (unsigned long long)r->base, (unsigned long long)r->size);
		r->memory = (unsigned int)ret;
		for (unsigned int i = 0; i < p->nr_reserved; i++) {
			const struct dmp_of_reserved *o = &p->reserved[i];

			if (o->is_static && of_overlap(r->base, r->size, o->base, o->size))
				return of_fail(c, node, "reg", -EEXIST, "overlaps %s", o->path);
		}
	} else {
		ret = of_cells_prop(c, node, "size", &v, &n);
		if (ret)
			return ret;
		if (!v)
			return of_fail(c, node, "size", -EINVAL, "neither reg nor size");
		if (n != sc || !of_read_num(v, sc, &r->size) || !r->size ||
		    (r->kind != DMP_OF_RMEM_OTHER && !DMP_IS_ALIGNED(r->size, DMP_PAGE_SIZE)))
			return of_fail(c, node, "size", -EINVAL,
				       "must be %u cell(s), not 0 (a page multiple for a DMA pool)",
				       sc);
		ret = of_cells_prop(c, node, "alignment", &v, &n);
		if (ret)
			return ret;
		if (v && (n != sc || !of_read_num(v, sc, &r->alignment) ||
			  !DMP_IS_POW2(r->alignment)))
			return of_fail(c, node, "alignment", -EINVAL,
				       "must be %u cell(s) holding a power of two", sc);
		ret = of_cells_prop(c, node, "alloc-ranges", &v, &n);
		if (ret)
			return ret;
		if (v && (!(ac + sc) || !n || n % (ac + sc)))
			return of_fail(c, node, "alloc-ranges", -EINVAL,
				       "%u cells are not a whole number of (%u+%u)-cell entries", n,
				       ac, sc);
		for (unsigned int i = 0; i < n; i += ac + sc) {
			struct dmp_of_range *a = &r->alloc_ranges[r->nr_alloc_ranges];

			if (r->nr_alloc_ranges == DMP_OF_MAX_ALLOC_RANGES)
				return of_fail(c, node, "alloc-ranges", -ENOMEM,
					       "more than %d entries", DMP_OF_MAX_ALLOC_RANGES);
			of_read_num(v + i, ac, &a->base);
			of_read_num(v + i + ac, sc, &a->size);
			if (!a->size || a->base + (a->size - 1) < a->base ||
			    !of_fits_cells(a->base, a->size, ac, false))
				return of_fail(c, node, "alloc-ranges", -EINVAL,
					       "empty, wraps, or ends past what %u address cell(s) "
					       "can hold", ac);
			if (!of_touches_memory(p, a->base, a->size))
				return of_fail(c, node, "alloc-ranges", -ERANGE,
					       "0x%llx+0x%llx holds no memory",
					       (unsigned long long)a->base, (unsigned long long)a->size);
			r->nr_alloc_ranges++;
		}
	}

	if (r->cma_default || r->dma_default) {
		int *def = r->cma_default ? &p->default_cma : &p->default_dma;

		if (*def >= 0)
			return of_fail(c, node,
				       r->cma_default ? "linux,cma-default" : "linux,dma-default",
				       -EEXIST, "a second default region (first: %s)",
				       p->reserved[*def].path);
		*def = (int)p->nr_reserved;
	}
	c->rmem_off[p->nr_reserved++] = node;
	return 0;
}

/*
 * Place a dynamic region in [lo, hi] (inclusive), as high as it goes, aligned
 * to @align, clear of every region placed so far.  Returns true if it fits.
 */
static bool of_place_in(struct of_ctx *c, struct dmp_of_reserved *r, uint64_t align, uint64_t lo,
			uint64_t hi)
{
	const struct dmp_of_platform *p = c->p;
	uint64_t end = hi;

	for (;;) {
		uint64_t base, clash = 0;
		bool overlap = false;

		if (end < lo || end - lo + 1 < r->size)
			return false;
		base = DMP_ALIGN_DOWN(end - (r->size - 1), align);
		if (base < lo)
			return false;
		for (unsigned int i = 0; i < p->nr_reserved; i++) {
			const struct dmp_of_reserved *o = &p->reserved[i];

			if (o == r || !c->placed[i])
				continue;
			if (of_overlap(base, r->size, o->base, o->size) && (!overlap || o->base < clash)) {
				clash = o->base;
				overlap = true;
			}
		}
		if (!overlap) {
			r->base = base;
			return true;
		}
		if (clash == 0)
			return false;
		end = clash - 1; /* try again below the lowest region in the way */
	}
}

/*
 * Give each dynamic region (size, no reg) its place, in tree order, as
 * Linux's __reserved_mem_alloc_size() does through memblock: top-down, within
 * each alloc-range in turn (or anywhere in memory), aligned to its alignment
 * (at least a page here), clear of the static regions and of the dynamic
 * ones placed before it.
 */
static int of_place_dynamic(struct of_ctx *c)
{
	struct dmp_of_platform *p = c->p;

	for (unsigned int i = 0; i < p->nr_reserved; i++)
		c->placed[i] = p->reserved[i].is_static;
	for (unsigned int i = 0; i < p->nr_reserved; i++) {
		struct dmp_of_reserved *r = &p->reserved[i];
		uint64_t align = DMP_MAX(r->alignment, (uint64_t)DMP_PAGE_SIZE);
		unsigned int na = r->nr_alloc_ranges ? r->nr_alloc_ranges : 1;
		bool done = false;

		if (r->is_static)
			continue;
		for (unsigned int a = 0; a < na && !done; a++) {
			for (unsigned int m = p->nr_memory; m-- > 0 && !done;) {
				uint64_t lo = p->memory[m].base;
				uint64_t hi = lo + (p->memory[m].size - 1);

				if (r->nr_alloc_ranges) {
					lo = DMP_MAX(lo, r->alloc_ranges[a].base);
					hi = DMP_MIN(hi, r->alloc_ranges[a].base +
							     (r->alloc_ranges[a].size - 1));
				}
				if (lo <= hi && of_place_in(c, r, align, lo, hi)) {
					r->memory = m;
					c->placed[i] = true;
					done = true;
				}
			}
		}
		if (!done)
			return of_fail(c, c->rmem_off[i], "size", -ERANGE,
				       "no room for 0x%llx bytes aligned to 0x%llx in the memory it may come from",
				       (unsigned long long)r->size, (unsigned long long)align);
	}
	return 0;
}

static int of_parse_reserved(struct of_ctx *c)
{
	struct dmp_of_platform *p = c->p;
	struct of_cells rc;
	int node, len, ret;

	c->rmem_node = fdt_path_offset(c->fdt, "/reserved-memory");
	if (c->rmem_node < 0) {
		c->rmem_node = -1;
		return 0;
	}
	node = c->rmem_node;
	ret = of_bus_cells(c, node, &rc);
	if (ret)
		return ret;
	if (!of_has(c, node, "#address-cells") || rc.ac != p->addr_cells)
		return of_fail(c, node, "#address-cells", -EINVAL, "must be present and equal the root's (%u)",
			       p->addr_cells);
	if (!of_has(c, node, "#size-cells") || rc.sc != p->size_cells)
		return of_fail(c, node, "#size-cells", -EINVAL, "must be present and equal the root's (%u)",
			       p->size_cells);
	if (!of_prop(c, node, "ranges", &len) || len)
		return of_fail(c, node, "ranges", -EINVAL, "must be present and empty");

	fdt_for_each_subnode(node, c->fdt, c->rmem_node) {
		bool on;

		ret = of_enabled(c, node, &on);
		if (!ret && on)
			ret = of_parse_rmem_child(c, node);
		if (ret)
			return ret;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return of_fail(c, c->rmem_node, NULL, -EINVAL, "corrupt tree: %s", fdt_strerror(node));
	return of_place_dynamic(c);
}

/*
 * The walk over every enabled node (disabled subtrees skipped), keeping the
 * ancestors in c->anc.  @visit is called with the node's depth.
 */
typedef int (*of_visit_fn)(struct of_ctx *c, int depth);

static int of_walk(struct of_ctx *c, of_visit_fn visit)
{
	int depth = 0, skip_below = -1, node, ret;

	c->anc[0] = 0;
	for (node = fdt_next_node(c->fdt, 0, &depth); node >= 0 && depth > 0;
	     node = fdt_next_node(c->fdt, node, &depth)) {
		bool on;

		if (skip_below >= 0 && depth > skip_below)
			continue;
		skip_below = -1;
		if (depth >= DMP_OF_MAX_DEPTH)
			return of_fail(c, node, NULL, -ENOMEM, "nested deeper than %d",
				       DMP_OF_MAX_DEPTH - 1);
		c->anc[depth] = node;
		ret = of_enabled(c, node, &on);
		if (ret)
			return ret;
		if (!on) {
			skip_below = depth;
			continue;
		}
		ret = visit(c, depth);
		if (ret)
			return ret;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return of_fail(c, 0, NULL, -EINVAL, "corrupt tree: %s", fdt_strerror(node));
	return 0;
}

/* IOMMUs: nodes with #iommu-cells (bindings/iommu/iommu.txt). */
static int of_visit_iommu(struct of_ctx *c, int depth)
{
	struct dmp_of_platform *p = c->p;
	struct dmp_of_iommu *m = &p->iommus[p->nr_iommus];
	int node = c->anc[depth], len, ret;
	const char *compat;
	uint32_t cells;

	ret = of_stringlist(c, node, "compatible", &compat, &len);
	if (ret)
		return ret;
	ret = of_u32(c, node, "#iommu-cells", &cells);
	if (ret < 0)
		return ret;
	if (!ret) {
		if (of_list_has(compat, len, "dmaport,sim-iommu") ||
		    of_list_has(compat, len, "arm,smmu-v3"))
			return of_fail(c, node, "#iommu-cells", -EINVAL,
				       "an IOMMU needs #iommu-cells");
		return 0;
	}
	if (p->nr_iommus == DMP_OF_MAX_IOMMUS)
		return of_fail(c, node, NULL, -ENOMEM, "more than %d IOMMUs", DMP_OF_MAX_IOMMUS);
	memset(m, 0, sizeof(*m));
	ret = of_path(c, node, NULL, m->path, sizeof(m->path));
	if (!ret && compat)
		ret = of_copy_compat(c, node, compat, m->compatible);
	if (ret)
		return ret;
	if (compat && len > DMP_OF_COMPAT_LIST_MAX)
		return of_fail(c, node, "compatible", -ENOMEM,
			       "a compatible list of %d bytes: at most %d", len, DMP_OF_COMPAT_LIST_MAX);
	if (compat) {
		memcpy(m->compatibles, compat, (size_t)len);
		m->compatibles_len = (unsigned int)len;
	}
	if (of_list_has(compat, len, "dmaport,sim-iommu"))
		m->kind = DMP_OF_IOMMU_SIM;
	else if (of_list_has(compat, len, "arm,smmu-v3"))
		m->kind = DMP_OF_IOMMU_SMMUV3;
	if (cells > DMP_OF_MAX_IOMMU_ARGS || (m->kind != DMP_OF_IOMMU_OTHER && cells != 1))
		return of_fail(c, node, "#iommu-cells", -EINVAL, "%u cells (%s)", cells,
			       m->kind != DMP_OF_IOMMU_OTHER ? "this IOMMU takes 1: the stream ID" :
			       "at most 4");
	m->cells = cells;
	m->phandle = fdt_get_phandle(c->fdt, node);
	ret = of_reg(c, depth, &m->reg);
	if (ret < 0)
		return ret;
	m->has_reg = ret;
	c->iommu_off[p->nr_iommus++] = node;
	return 0;
}

/*
 * Resolve the IOMMU phandle at cell @ph of @prop of @node: its index in
 * p->iommus.  A phandle to nothing is -ENOENT; to a node without
 * #iommu-cells, -EINVAL naming that node's missing #iommu-cells.
 */
static int of_iommu_ref(struct of_ctx *c, int node, const char *prop, uint32_t ph, unsigned int *idx)
{
	int target = (ph == 0 || ph == ~0u) ? -1 : fdt_node_offset_by_phandle(c->fdt, ph);
	char me[DMP_OF_PATH_MAX];

	if (target < 0)
		return of_fail(c, node, prop, -ENOENT, "phandle 0x%x names no node", ph);
	for (unsigned int i = 0; i < c->p->nr_iommus; i++)
		if (c->iommu_off[i] == target) {
			*idx = i;
			return 0;
		}
	if (!of_has(c, target, "#iommu-cells")) {
		if (fdt_get_path(c->fdt, node, me, sizeof(me)) < 0)
			strcpy(me, "?");
		return of_fail(c, target, "#iommu-cells", -EINVAL,
			       "missing, but %s uses this node as an IOMMU in %s", me, prop);
	}
	return of_fail(c, node, prop, -ENOENT, "phandle 0x%x names a disabled IOMMU", ph);
}

/*
 * dma-coherent / dma-noncoherent: on the node or the nearest parent with
 * either (Linux's of_dma_is_coherent()); non-coherent by default.
 */
static int of_coherent(struct of_ctx *c, int depth, bool *coherent)
{
	*coherent = false;
	for (int d = depth; d >= 0; d--) {
		bool yes = of_has(c, c->anc[d], "dma-coherent");
		bool no = of_has(c, c->anc[d], "dma-noncoherent");

		if (yes && no)
			return of_fail(c, c->anc[d], "dma-coherent", -EINVAL,
				       "dma-coherent and dma-noncoherent contradict");
		if (yes || no) {
			*coherent = yes;
			return 0;
		}
	}
	return 0;
}

/* Compose the dma-ranges seen from bus c->anc[start] (see struct dmp_of_dma_map). */
static int of_dma_map(struct of_ctx *c, int start, struct dmp_of_dma_map *map)
{
	struct of_window w[OF_MAX_WINDOWS], pieces[OF_MAX_WINDOWS], next[OF_MAX_WINDOWS];
	unsigned int n, np = 0;
	bool first = true;
	int lvl, len, ret;

	memset(map, 0, sizeof(*map));
	/* Which dma-ranges apply: Linux's of_dma_get_range() walk. */
	for (lvl = start; lvl >= 0; lvl--) {
		const void *v = of_prop(c, c->anc[lvl], "dma-ranges", &len);

		if (v && len > 0)
			break;
		if (!v && !first) {
			lvl = -1;
			break;
		}
		first = false;
	}
	if (lvl < 0) {
		map->identity = true;
		map->bus_limit = ~(dmp_addr_t)0;
		return 0;
	}
	int src = c->anc[lvl];
	ret = of_read_windows(c, src, c->anc[lvl ? lvl - 1 : 0], "dma-ranges", w, &n);
	if (ret)
		return ret;
	/* pieces: child = bus address, parent = address in the parent bus */
	memcpy(pieces, w, n * sizeof(w[0]));
	np = n;
	for (int up = lvl - 1; up >= 0; up--) {
		unsigned int nn = 0;

		if (!of_prop(c, c->anc[up], "dma-ranges", &len) || !len)
			continue; /* absent or empty: 1:1 (of_translate_one()) */
		ret = of_read_windows(c, c->anc[up], c->anc[up ? up - 1 : 0], "dma-ranges", w, &n);
		if (ret)
			return ret;
		for (unsigned int i = 0; i < np; i++) {
			uint64_t plast = pieces[i].parent + (pieces[i].size - 1);

			for (unsigned int j = 0; j < n; j++) {
				uint64_t lo = DMP_MAX(pieces[i].parent, w[j].child);
				uint64_t hi = DMP_MIN(plast, w[j].child + (w[j].size - 1));

				if (lo > hi)
					continue;
				if (nn == OF_MAX_WINDOWS)
					return of_fail(c, src, "dma-ranges", -ENOMEM,
						       "composes to more than %d windows",
						       OF_MAX_WINDOWS);
				next[nn].child = pieces[i].child + (lo - pieces[i].parent);
				next[nn].parent = w[j].parent + (lo - w[j].child);
				next[nn].size = hi - lo + 1;
				nn++;
			}
		}
		memcpy(pieces, next, nn * sizeof(next[0]));
		np = nn;
	}
	if (!np)
		return of_fail(c, src, "dma-ranges", -EINVAL,
			       "no entry translates to a CPU address through the buses above");
	if (np > DMP_OF_MAX_DMA_RANGES)
		return of_fail(c, src, "dma-ranges", -ENOMEM, "more than %d windows",
			       DMP_OF_MAX_DMA_RANGES);
	ret = of_path(c, src, "dma-ranges", map->source, sizeof(map->source));
	if (ret)
		return ret;
	map->nr = np;
	for (unsigned int i = 0; i < np; i++) {
		struct dmp_of_dma_range *r = &map->r[i];

		r->dma_addr = pieces[i].child;
		r->cpu_addr = pieces[i].parent;
		r->size = pieces[i].size;
		if (!of_touches_memory(c->p, r->cpu_addr, r->size))
			return of_fail(c, src, "dma-ranges", -ERANGE,
				       "bus 0x%llx+0x%llx maps to CPU 0x%llx, which holds no memory",
				       (unsigned long long)r->dma_addr,
				       (unsigned long long)r->size,
				       (unsigned long long)r->cpu_addr);
		if (i == 0 || r->dma_addr + (r->size - 1) > map->bus_limit)
			map->bus_limit = r->dma_addr + (r->size - 1);
	}
	return 0;
}

static int of_parse_iommus_prop(struct of_ctx *c, int node, struct dmp_of_device *d)
{
	const fdt32_t *v;
	unsigned int n, i = 0;
	int ret = of_cells_prop(c, node, "iommus", &v, &n);

	while (!ret && i < n) {
		struct dmp_of_iommu_ref *ref = &d->iommus[d->nr_iommus];
		unsigned int idx;

		if (d->nr_iommus == DMP_OF_MAX_IOMMU_REFS)
			return of_fail(c, node, "iommus", -ENOMEM, "more than %d specifiers",
				       DMP_OF_MAX_IOMMU_REFS);
		ret = of_iommu_ref(c, node, "iommus", fdt32_to_cpu(v[i]), &idx);
		if (ret)
			return ret;
		i++;
		ref->iommu = idx;
		ref->nr_args = c->p->iommus[idx].cells;
		if (n - i < ref->nr_args)
			return of_fail(c, node, "iommus", -EINVAL,
				       "specifier %u is cut short: %s has #iommu-cells = <%u>",
				       d->nr_iommus, c->p->iommus[idx].path, ref->nr_args);
		for (unsigned int a = 0; a < ref->nr_args; a++)
			ref->args[a] = fdt32_to_cpu(v[i++]);
		d->nr_iommus++;
	}
	return ret;
}

static int of_parse_memory_region(struct of_ctx *c, int node, struct dmp_of_device *d)
{
	const fdt32_t *v;
	unsigned int n;
	int ret = of_cells_prop(c, node, "memory-region", &v, &n);

	if (ret)
		return ret;
	if (n > DMP_OF_MAX_MEM_REFS)
		return of_fail(c, node, "memory-region", -ENOMEM, "more than %d regions",
			       DMP_OF_MAX_MEM_REFS);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t ph = fdt32_to_cpu(v[i]);
		int target = (ph == 0 || ph == ~0u) ? -1 : fdt_node_offset_by_phandle(c->fdt, ph);
		unsigned int r;

		if (target < 0)
			return of_fail(c, node, "memory-region", -ENOENT,
				       "phandle 0x%x names no node", ph);
		for (r = 0; r < c->p->nr_reserved; r++)
			if (c->rmem_off[r] == target)
				break;
		if (r == c->p->nr_reserved) {
			if (c->rmem_node >= 0 && fdt_parent_offset(c->fdt, target) == c->rmem_node)
				return of_fail(c, node, "memory-region", -ENOENT,
					       "phandle 0x%x names a disabled region", ph);
			return of_fail(c, node, "memory-region", -EINVAL,
				       "phandle 0x%x names a node outside /reserved-memory", ph);
		}
		d->mem_regions[d->nr_mem_regions++] = r;
	}
	return 0;
}

/*
 * The compatibles the simulator has a model for, and their kind.  The other
 * vendors' ones among them make a node a device as a "dmaport,*" node is.
 * A plain "syscon" is not among them: real trees have many, often wide or
 * overlapping their child devices, and making each a device would refuse
 * such trees; a SoC's syscon is modelled by its own compatible.
 */
static const struct {
	const char *compatible;
	enum dmp_of_device_kind kind;
} device_models[] = {
	{ "dmaport,copy-engine", DMP_OF_DEV_COPY_ENGINE },
	{ "dmaport,eth-nic", DMP_OF_DEV_ETH_NIC },
	{ "xlnx,zynq-devcfg-1.0", DMP_OF_DEV_ZYNQ_DEVCFG },
	{ "xlnx,zynq-slcr", DMP_OF_DEV_SYSCON },
};

/* The modelled compatible of list @compat, or NULL (called for a list with
 * no "dmaport,*" string: only another vendor's can match). */
static const char *of_foreign_model(const char *compat, int len)
{
	for (unsigned int i = 0; i < DMP_ARRAY_SIZE(device_models); i++)
		if (of_list_has(compat, len, device_models[i].compatible))
			return device_models[i].compatible;
	return NULL;
}

/* The kind of device @compat is; DMP_OF_DEV_OTHER without a model. */
static enum dmp_of_device_kind of_device_kind(const char *compat)
{
	for (unsigned int i = 0; i < DMP_ARRAY_SIZE(device_models); i++)
		if (!strcmp(compat, device_models[i].compatible))
			return device_models[i].kind;
	return DMP_OF_DEV_OTHER;
}

/* A "dmaport,*" device, or a modelled foreign one. */
static int of_parse_device(struct of_ctx *c, int depth, const char *compat)
{
	struct dmp_of_platform *p = c->p;
	struct dmp_of_device *d = &p->devices[p->nr_devices];
	int node = c->anc[depth], ret;
	const fdt32_t *v;
	unsigned int n;
	uint32_t bits;

	if (p->nr_devices == DMP_OF_MAX_DEVICES)
		return of_fail(c, node, NULL, -ENOMEM, "more than %d devices", DMP_OF_MAX_DEVICES);
	memset(d, 0, sizeof(*d));
	ret = of_path(c, node, NULL, d->path, sizeof(d->path));
	if (!ret)
		ret = of_copy_compat(c, node, compat, d->compatible);
	if (ret)
		return ret;
	d->kind = of_device_kind(compat);
	ret = of_reg(c, depth, &d->reg);
	if (ret < 0)
		return ret;
	d->has_reg = ret;
	if (d->kind != DMP_OF_DEV_OTHER && (!d->has_reg || !d->reg.size))
		return of_fail(c, node, "reg", -EINVAL, "a %s needs its register window",
			       d->kind == DMP_OF_DEV_COPY_ENGINE ? "copy engine" : "device model");

	d->port_bits = 64;
	ret = of_u32(c, node, "dmaport,port-bits", &bits);
	if (ret < 0)
		return ret;
	if (ret) {
		if (bits < 1 || bits > 64)
			return of_fail(c, node, "dmaport,port-bits", -EINVAL,
				       "%u bits: must be 1..64", bits);
		d->port_bits = bits;
		d->port_bits_from_dt = true;
	}
	ret = of_cells_prop(c, node, "interrupts", &v, &n);
	if (ret)
		return ret;
	if (n > DMP_OF_MAX_IRQ_CELLS)
		return of_fail(c, node, "interrupts", -ENOMEM, "more than %d cells",
			       DMP_OF_MAX_IRQ_CELLS);
	for (unsigned int i = 0; i < n; i++)
		d->irq[i] = fdt32_to_cpu(v[i]);
	d->nr_irq_cells = n;

	ret = of_coherent(c, depth, &d->coherent);
	if (!ret)
		ret = of_dma_map(c, depth - 1, &d->dma);
	if (!ret)
		ret = of_parse_iommus_prop(c, node, d);
	if (!ret)
		ret = of_parse_memory_region(c, node, d);
	if (ret)
		return ret;
	p->nr_devices++;
	return 0;
}


/*
 * The first memory window of a host bridge's ranges: (PCI address: 3 cells,
 * the first one's bits 25:24 the space, 0b10 32-bit and 0b11 64-bit memory;
 * parent address; size: 2 cells), bindings/pci/pci.txt.  BARs go there.
 */
static int of_pci_host_mem(struct of_ctx *c, int depth, struct dmp_of_pci_host *h)
{
	struct of_cells pc;
	const fdt32_t *v;
	unsigned int n;
	int node = c->anc[depth];
	int ret = of_bus_cells(c, c->anc[depth - 1], &pc);

	if (!ret)
		ret = of_cells_prop(c, node, "ranges", &v, &n);
	if (ret || !v)
		return ret;
	unsigned int tuple = 3 + pc.ac + 2;
	if (n % tuple)
		return of_fail(c, node, "ranges", -EINVAL,
			       "%u cells are not a whole number of (3+%u+2)-cell entries", n, pc.ac);
	for (unsigned int i = 0; i < n; i += tuple) {
		uint32_t space = (fdt32_to_cpu(v[i]) >> 24) & 3;
		uint64_t pci, parent, size, cpu;
		if (space != 2 && space != 3)
			continue;
		if (!of_read_num(v + i + 1, 2, &pci) || !of_read_addr(v + i + 3, &pc, &parent) ||
		    !of_read_num(v + i + 3 + pc.ac, 2, &size) || !size)
			return of_fail(c, node, "ranges", -EINVAL, "entry %u is malformed", i / tuple);
		ret = of_translate(c, depth - 1, parent, size, &cpu);
		if (ret)
			return ret;
		h->has_mem = true;
		h->mem.base = cpu;
		h->mem.size = size;
		h->mem_pci = pci;
		break;
	}
	return 0;
}

/*
 * The interrupt of pin @pin of the function at @phys_hi through the host's
 * interrupt-map (entries: child unit address 3 cells, child interrupt 1
 * cell, parent phandle, parent unit address #address-cells of the parent,
 * parent specifier #interrupt-cells), masked by interrupt-map-mask.
 */
static int of_pci_intx(struct of_ctx *c, int host, uint32_t phys_hi, uint32_t pin,
		       struct dmp_of_pci_function *f)
{
	const fdt32_t *map, *mask;
	unsigned int n, nm;
	int ret = of_cells_prop(c, host, "interrupt-map", &map, &n);

	if (!ret)
		ret = of_cells_prop(c, host, "interrupt-map-mask", &mask, &nm);
	if (ret || !map)
		return ret;
	uint32_t m_hi = nm == 4 ? fdt32_to_cpu(mask[0]) : 0xffffffffu;
	uint32_t m_pin = nm == 4 ? fdt32_to_cpu(mask[3]) : 0xffffffffu;
	for (unsigned int i = 0; i + 5 <= n;) {
		uint32_t e_hi = fdt32_to_cpu(map[i]), e_pin = fdt32_to_cpu(map[i + 3]);
		int parent = fdt_node_offset_by_phandle(c->fdt, fdt32_to_cpu(map[i + 4]));
		uint32_t pac = 0, pic = 0;
		if (parent < 0)
			return of_fail(c, host, "interrupt-map", -ENOENT,
				       "entry at cell %u names no interrupt controller", i);
		if (of_u32(c, parent, "#address-cells", &pac) < 0 ||
		    of_u32(c, parent, "#interrupt-cells", &pic) <= 0)
			return of_fail(c, host, "interrupt-map", -EINVAL,
				       "the controller of the entry at cell %u has no #interrupt-cells", i);
		unsigned int next = i + 5 + pac + pic;
		if (next > n || pic > DMP_OF_MAX_IRQ_CELLS)
			return of_fail(c, host, "interrupt-map", -EINVAL, "entry at cell %u is truncated", i);
		if ((phys_hi & m_hi) == (e_hi & m_hi) && (pin & m_pin) == (e_pin & m_pin)) {
			f->nr_intx_cells = pic;
			for (unsigned int k = 0; k < pic; k++)
				f->intx[k] = fdt32_to_cpu(map[i + 5 + pac + k]);
			return 0;
		}
		i = next;
	}
	return 0;
}

/* A PCI function below host bridge @h (at depth - 1). */
static int of_parse_pci_function(struct of_ctx *c, int depth, unsigned int h, const char *compat,
				 int len)
{
	struct dmp_of_platform *p = c->p;
	struct dmp_of_pci_function *f = &p->pci_funcs[p->nr_pci_funcs];
	int node = c->anc[depth], ret, rl;
	const fdt32_t *reg = of_prop(c, node, "reg", &rl);
	uint32_t v;

	if (p->nr_pci_funcs == DMP_OF_MAX_PCI_FUNCS)
		return of_fail(c, node, NULL, -ENOMEM, "more than %d PCI functions",
			       DMP_OF_MAX_PCI_FUNCS);
	if (!reg || rl < 20 || rl % 20)
		return of_fail(c, node, "reg", -EINVAL,
			       "a PCI function needs reg: <phys.hi phys.mid phys.lo size.hi size.lo>");
	memset(f, 0, sizeof(*f));
	ret = of_path(c, node, NULL, f->path, sizeof(f->path));
	if (ret)
		return ret;
	const char *dmp = compat ? of_list_prefix(compat, len, "dmaport,") : NULL;
	if (dmp) {
		ret = of_copy_compat(c, node, dmp, f->compatible);
		if (ret)
			return ret;
	}
	uint32_t hi = fdt32_to_cpu(reg[0]);
	f->host = h;
	f->bus = (uint8_t)(hi >> 16);
	f->devfn = (uint8_t)(hi >> 8);
	f->vendor = f->device = 0xffff;
	const char *pcic = compat ? of_list_prefix(compat, len, "pci") : NULL;
	unsigned int ven, dev;
	if (pcic && sscanf(pcic, "pci%x,%x", &ven, &dev) == 2 && ven <= 0xffff && dev <= 0xffff) {
		f->vendor = (uint16_t)ven;
		f->device = (uint16_t)dev;
	}
	if ((ret = of_u32(c, node, "vendor-id", &v)) > 0)
		f->vendor = (uint16_t)v;
	if (ret >= 0 && (ret = of_u32(c, node, "device-id", &v)) > 0)
		f->device = (uint16_t)v;
	if (ret >= 0 && (ret = of_u32(c, node, "class-code", &v)) > 0)
		f->class_code = v;
	if (ret < 0)
		return ret;
	f->port_bits = 64;
	if ((ret = of_u32(c, node, "dmaport,port-bits", &v)) < 0)
		return ret;
	if (ret) {
		if (v < 1 || v > 64)
			return of_fail(c, node, "dmaport,port-bits", -EINVAL, "%u bits: must be 1..64", v);
		f->port_bits = v;
	}
	f->intx_pin = 1;
	if ((ret = of_u32(c, node, "interrupts", &v)) < 0)
		return ret;
	if (ret) {
		if (v < 1 || v > 4)
			return of_fail(c, node, "interrupts", -EINVAL,
				       "the interrupt pin of a PCI function is 1..4 (INTA..INTD), not %u", v);
		f->intx_pin = (uint8_t)v;
	}
	ret = of_pci_intx(c, c->anc[depth - 1], hi & 0xffff00, f->intx_pin, f);
	if (!ret)
		ret = of_coherent(c, depth, &f->coherent);
	if (ret)
		return ret;
	/* the requester ID through iommu-map (Linux's of_map_id) */
	const struct dmp_of_pci_host *host = &p->pci_hosts[h];
	uint32_t rid = ((uint32_t)f->bus << 8 | f->devfn) & host->iommu_map_mask;
	for (unsigned int i = 0; i < host->nr_iommu_map; i++) {
		const struct dmp_of_iommu_map *e = &host->iommu_map[i];
		if (rid >= e->rid_base && rid - e->rid_base < e->length) {
			f->has_iommu = true;
			f->iommu = e->iommu;
			f->sid = e->iommu_base + (rid - e->rid_base);
			break;
		}
	}
	p->nr_pci_funcs++;
	return 0;
}

/* A PCI host bridge (bindings/pci/pci-iommu.txt for iommu-map). */
static int of_parse_pci_host(struct of_ctx *c, int depth, const char *compat)
{
	struct dmp_of_platform *p = c->p;
	struct dmp_of_pci_host *h = &p->pci_hosts[p->nr_pci_hosts];
	int node = c->anc[depth], ret;
	const fdt32_t *v;
	unsigned int n;
	uint32_t mask;

	if (p->nr_pci_hosts == DMP_OF_MAX_PCI_HOSTS)
		return of_fail(c, node, NULL, -ENOMEM, "more than %d PCI host bridges",
			       DMP_OF_MAX_PCI_HOSTS);
	memset(h, 0, sizeof(*h));
	ret = of_path(c, node, NULL, h->path, sizeof(h->path));
	if (!ret && compat)
		ret = of_copy_compat(c, node, compat, h->compatible);
	if (ret)
		return ret;
	ret = of_reg(c, depth, &h->reg);
	if (ret < 0)
		return ret;
	h->has_reg = ret;
	ret = of_coherent(c, depth, &h->coherent);
	if (!ret)
		ret = of_dma_map(c, depth, &h->dma);
	if (ret)
		return ret;

	/* Linux's of_map_id(): no mask means every bit of the RID counts. */
	h->iommu_map_mask = 0xffffffffu;
	ret = of_u32(c, node, "iommu-map-mask", &mask);
	if (ret < 0)
		return ret;
	if (ret)
		h->iommu_map_mask = mask;
	ret = of_cells_prop(c, node, "iommu-map", &v, &n);
	if (ret)
		return ret;
	if (n % 4)
		return of_fail(c, node, "iommu-map", -EINVAL,
			       "%u cells are not a whole number of 4-cell entries", n);
	for (unsigned int i = 0; i < n; i += 4) {
		struct dmp_of_iommu_map *e = &h->iommu_map[h->nr_iommu_map];
		unsigned int idx;

		if (h->nr_iommu_map == DMP_OF_MAX_IOMMU_MAP)
			return of_fail(c, node, "iommu-map", -ENOMEM, "more than %d entries",
				       DMP_OF_MAX_IOMMU_MAP);
		ret = of_iommu_ref(c, node, "iommu-map", fdt32_to_cpu(v[i + 1]), &idx);
		if (ret)
			return ret;
		if (p->iommus[idx].cells != 1)
			return of_fail(c, c->iommu_off[idx], "#iommu-cells", -EINVAL,
				       "iommu-map of %s needs an IOMMU with one cell", h->path);
		e->rid_base = fdt32_to_cpu(v[i]);
		e->iommu = idx;
		e->iommu_base = fdt32_to_cpu(v[i + 2]);
		e->length = fdt32_to_cpu(v[i + 3]);
		if (!e->length || (uint64_t)e->rid_base + e->length > OF_U32_SPAN ||
		    (uint64_t)e->iommu_base + e->length > OF_U32_SPAN)
			return of_fail(c, node, "iommu-map", -EINVAL,
				       "entry %u: length 0 or past 32 bits", i / 4);
		h->nr_iommu_map++;
	}
	ret = of_pci_host_mem(c, depth, h);
	if (ret)
		return ret;
	c->pci_host_off[p->nr_pci_hosts] = node;
	p->nr_pci_hosts++;
	return 0;
}

static int of_visit_device(struct of_ctx *c, int depth)
{
	int node = c->anc[depth], len, ret;
	const char *compat, *dmp;
	bool pci, parent_pci = false;

	ret = of_stringlist(c, node, "compatible", &compat, &len);
	if (ret)
		return ret;
	if (of_has(c, node, "#iommu-cells") || of_list_has(compat, len, "dmaport,sim-iommu"))
		return 0; /* an IOMMU: done in the first walk */
	ret = of_is_type(c, node, "pci", &pci);
	if (ret)
		return ret;
	/* a function of a host bridge parsed just before (its parent) */
	for (unsigned int h = 0; !pci && h < c->p->nr_pci_hosts; h++)
		if (c->pci_host_off[h] == c->anc[depth - 1])
			return of_parse_pci_function(c, depth, h, compat, len);
	dmp = of_list_prefix(compat, len, "dmaport,");
	if (!dmp)
		dmp = of_foreign_model(compat, len);
	if (dmp)
		return of_parse_device(c, depth, dmp);
	if (pci)
		ret = of_is_type(c, c->anc[depth - 1], "pci", &parent_pci);
	if (ret)
		return ret;
	if (pci && !parent_pci)
		return of_parse_pci_host(c, depth, compat);
	return 0;
}


/*
 * Whether every tag of the structure block moves the walk forward and stays
 * inside the block.  libfdt 1.6.1 (Debian 12's) adds a property's 32-bit
 * length to an int offset in fdt_next_tag(): a length of 0xfffffff4 brings
 * the walk back to the same tag, so fdt_check_full() and every later walk
 * loop forever (found by tests/fuzz/of-fuzz.c; newer dtc releases check for
 * the wrap).  This pass, in 64-bit arithmetic over the same bound libfdt
 * uses, refuses such blobs before libfdt walks them; it checks nothing else
 * and leaves the rest to fdt_check_full().
 */
static bool of_tags_advance(const void *fdt)
{
	const uint8_t *s = (const uint8_t *)fdt + fdt_off_dt_struct(fdt);
	uint64_t size = (uint64_t)fdt_totalsize(fdt) - fdt_off_dt_struct(fdt);
	uint64_t off = 0;
	fdt32_t cell;

	if (fdt_version(fdt) >= 17 && fdt_size_dt_struct(fdt) < size)
		size = fdt_size_dt_struct(fdt);
	while (off + sizeof(cell) <= size) {
		memcpy(&cell, s + off, sizeof(cell));
		off += sizeof(cell);
		switch (fdt32_to_cpu(cell)) {
		case FDT_BEGIN_NODE:
			while (off < size && s[off])
				off++;
			off++; /* the NUL; past the end if there was none */
			break;
		case FDT_PROP: /* length, name offset, value */
			if (off + 2 * sizeof(cell) > size)
				return false;
			memcpy(&cell, s + off, sizeof(cell));
			off += 2 * sizeof(cell) + fdt32_to_cpu(cell);
			break;
		case FDT_END:
			return true;
		case FDT_END_NODE:
		case FDT_NOP:
			break;
		default:
			return false;
		}
		if (off > size)
			return false;
		off = (off + 3) & ~(uint64_t)3;
	}
	return false;
}
/* Register windows must not overlap memory or each other. */
static int of_check_mmio(struct of_ctx *c)
{
	struct dmp_of_platform *p = c->p;
	struct {
		const char *path;
		const struct dmp_of_range *r;
	} win[DMP_OF_MAX_DEVICES + DMP_OF_MAX_IOMMUS + DMP_OF_MAX_PCI_HOSTS];
	unsigned int n = 0;

	for (unsigned int i = 0; i < p->nr_iommus; i++)
		if (p->iommus[i].has_reg) {
			win[n].path = p->iommus[i].path;
			win[n++].r = &p->iommus[i].reg;
		}
	for (unsigned int i = 0; i < p->nr_devices; i++)
		if (p->devices[i].has_reg) {
			win[n].path = p->devices[i].path;
			win[n++].r = &p->devices[i].reg;
		}
	for (unsigned int i = 0; i < p->nr_pci_hosts; i++)
		if (p->pci_hosts[i].has_reg) {
			win[n].path = p->pci_hosts[i].path;
			win[n++].r = &p->pci_hosts[i].reg;
		}
	for (unsigned int i = 0; i < n; i++) {
		int node = fdt_path_offset(c->fdt, win[i].path);

		if (of_touches_memory(p, win[i].r->base, win[i].r->size))
			return of_fail(c, node, "reg", -EEXIST,
				       "registers at 0x%llx+0x%llx overlap memory",
				       (unsigned long long)win[i].r->base,
				       (unsigned long long)win[i].r->size);
		for (unsigned int j = 0; j < i; j++)
			if (of_overlap(win[i].r->base, win[i].r->size, win[j].r->base,
				       win[j].r->size))
				return of_fail(c, node, "reg", -EEXIST,
					       "registers overlap those of %s", win[j].path);
	}
	return 0;
}

int dmp_of_parse(const void *fdt, size_t size, struct dmp_of_platform *out,
		 struct dmp_of_error *err)
{
	struct dmp_of_error scratch;
	struct of_ctx c = { .fdt = fdt, .p = out, .err = err ? err : &scratch, .rmem_node = -1 };
	int ret;

	DMP_ASSERT(out);
	memset(out, 0, sizeof(*out));
	memset(c.err, 0, sizeof(*c.err));
	out->default_cma = -1;
	out->default_dma = -1;
	if (!fdt || size < sizeof(struct fdt_header)) {
		ret = of_fail(&c, -1, NULL, -EINVAL, "not a device tree: %zu bytes", size);
		goto fail;
	}
	/*
	 * Before libfdt looks further: libfdt 1.6's fdt_check_full() crashes on
	 * some blobs of versions below 16 (found by tests/fuzz/of-fuzz.c), and
	 * a structure block that is not 4-byte aligned makes every cell read
	 * misaligned.  dtc has written version 17 since 2007.
	 */
	if (fdt_magic(fdt) != FDT_MAGIC || fdt_version(fdt) < 16 ||
	    fdt_off_dt_struct(fdt) % 4 || fdt_off_mem_rsvmap(fdt) % 8) {
		ret = of_fail(&c, -1, NULL, -EINVAL,
			      "not a version 16 or 17 device tree blob with aligned blocks");
		goto fail;
	}
	/* fdt_check_full() vets the header, the structure block and the
	 * strings; after it, libfdt's read functions stay inside the blob.
	 * The header first, so that the tag pass reads inside the buffer. */
	ret = size < fdt_totalsize(fdt) ? -FDT_ERR_TRUNCATED : fdt_check_header(fdt);
	if (!ret && !of_tags_advance(fdt))
		ret = -FDT_ERR_BADSTRUCTURE;
	if (!ret)
		ret = fdt_check_full(fdt, size);
	if (ret) {
		ret = of_fail(&c, -1, NULL, -EINVAL, "not a valid device tree blob: %s",
			      fdt_strerror(ret));
		goto fail;
	}
	ret = of_parse_root(&c);
	if (!ret)
		ret = of_parse_memory(&c);
	if (!ret)
		ret = of_parse_cpus(&c);
	if (!ret)
		ret = of_parse_reserved(&c);
	if (!ret)
		ret = of_walk(&c, of_visit_iommu);
	if (!ret)
		ret = of_walk(&c, of_visit_device);
	if (!ret)
		ret = of_check_mmio(&c);
	if (ret)
		goto fail;
	return 0;

fail:
	memset(out, 0, sizeof(*out));
	return ret;
}

const struct dmp_of_device *dmp_of_find_device(const struct dmp_of_platform *plat,
					       const char *path)
{
	DMP_ASSERT(plat && path);
	for (unsigned int i = 0; i < plat->nr_devices; i++)
		if (!strcmp(plat->devices[i].path, path))
			return &plat->devices[i];
	return NULL;
}

int dmp_of_dma_to_phys(const struct dmp_of_dma_map *map, dmp_addr_t dma, dmp_phys_t *phys)
{
	DMP_ASSERT(map && phys);
	if (map->identity) {
		*phys = dma;
		return 0;
	}
	for (unsigned int i = 0; i < map->nr; i++)
		if (dma - map->r[i].dma_addr < map->r[i].size) {
			*phys = map->r[i].cpu_addr + (dma - map->r[i].dma_addr);
			return 0;
		}
	return -ERANGE;
}

int dmp_of_phys_to_dma(const struct dmp_of_dma_map *map, dmp_phys_t phys, dmp_addr_t *dma)
{
	DMP_ASSERT(map && dma);
	if (map->identity) {
		*dma = phys;
		return 0;
	}
	for (unsigned int i = 0; i < map->nr; i++)
		if (phys - map->r[i].cpu_addr < map->r[i].size) {
			*dma = map->r[i].dma_addr + (phys - map->r[i].cpu_addr);
			return 0;
		}
	return -ERANGE;
}
