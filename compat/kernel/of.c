/* SPDX-License-Identifier: MIT */
/*
 * of.c - the machine's device tree as Linux's struct device_node, and the
 * <linux/of*.h> readers (see <linux/of.h>).
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_device.h>
#include <linux/of_irq.h>
#include <linux/of_reserved_mem.h>
#include <linux/property.h>

#include "runtime.h"

static void *blob;
static struct device_node **nodes;
static unsigned int nr_nodes;
struct device_node *of_root;
struct device_node *of_chosen;

const void *dmp_lx_of_blob(void)
{
	return blob;
}

static struct device_node *node_at(int offset)
{
	for (unsigned int i = 0; i < nr_nodes; i++)
		if (nodes[i]->dmp_offset == offset)
			return nodes[i];
	return NULL;
}

static int build(int offset, struct device_node *parent, struct device_node **out)
{
	struct device_node *np = calloc(1, sizeof(*np));
	if (!np)
		return -ENOMEM;
	struct device_node **grown = realloc(nodes, (nr_nodes + 1) * sizeof(*nodes));
	if (!grown) {
		free(np);
		return -ENOMEM;
	}
	nodes = grown;
	nodes[nr_nodes++] = np;
	np->dmp_offset = offset;
	np->parent = parent;
	const char *full = fdt_get_name(blob, offset, NULL);
	np->full_name = parent ? full : "/";
	/* Linux's name: the name property if any, else the node name before '@' */
	size_t base = strcspn(full, "@");
	char *name = strndup(full, base);
	if (!name)
		return -ENOMEM;
	np->name = name;
	np->phandle = fdt_get_phandle(blob, offset);
	struct property **pp = &np->properties;
	int prop;
	fdt_for_each_property_offset(prop, blob, offset) {
		const char *pname;
		int len;
		const void *val = fdt_getprop_by_offset(blob, prop, &pname, &len);
		struct property *p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->name = (char *)(uintptr_t)pname;
		p->length = len;
		/* an empty property's value is non-NULL, as Linux's unflattened
		 * tree has it (ranges; reads as 1:1, u32 reads give -EOVERFLOW) */
		p->value = (void *)(uintptr_t)val;
		*pp = p;
		pp = &p->next;
	}
	struct device_node **cp = &np->child;
	int child;
	fdt_for_each_subnode(child, blob, offset) {
		int e = build(child, np, cp);
		if (e)
			return e;
		cp = &(*cp)->sibling;
	}
	*out = np;
	return 0;
}

int dmp_lx_of_load(const void *fdt, size_t size)
{
	if (fdt_check_full(fdt, size))
		return -EINVAL;
	blob = malloc(size);
	if (!blob)
		return -ENOMEM;
	memcpy(blob, fdt, size);
	int e = build(0, NULL, &of_root);
	if (e) {
		dmp_lx_of_unload();
		return e;
	}
	of_chosen = of_find_node_by_path("/chosen");
	return 0;
}

void dmp_lx_of_unload(void)
{
	for (unsigned int i = 0; i < nr_nodes; i++) {
		struct device_node *np = nodes[i];
		while (np->properties) {
			struct property *p = np->properties;
			np->properties = p->next;
			free(p);
		}
		free((char *)(uintptr_t)np->name);
		free(np);
	}
	free(nodes);
	nodes = NULL;
	nr_nodes = 0;
	free(blob);
	blob = NULL;
	of_root = of_chosen = NULL;
}

/* --- the tree ------------------------------------------------------------------ */

struct device_node *of_node_get(struct device_node *node)
{
	if (node)
		node->dmp_refs++;
	return node;
}

void of_node_put(struct device_node *node)
{
	if (node)
		node->dmp_refs--;
}

struct device_node *of_get_parent(const struct device_node *node)
{
	return node ? of_node_get(node->parent) : NULL;
}

struct device_node *of_get_next_parent(struct device_node *node)
{
	struct device_node *parent = of_get_parent(node);
	of_node_put(node);
	return parent;
}

struct device_node *of_get_next_child(const struct device_node *node, struct device_node *prev)
{
	if (!node)
		return NULL;
	struct device_node *next = prev ? prev->sibling : node->child;
	of_node_put(prev);
	return of_node_get(next);
}

bool of_device_is_available(const struct device_node *device)
{
	if (!device)
		return false;
	const char *status = of_get_property(device, "status", NULL);
	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

struct device_node *of_get_next_available_child(const struct device_node *node,
						struct device_node *prev)
{
	struct device_node *next = of_get_next_child(node, prev);
	while (next && !of_device_is_available(next))
		next = of_get_next_child(node, next);
	return next;
}

bool dmp_lx_of_name_eq(const char *node_name, const char *name)
{
	size_t n = strcspn(node_name, "@");
	return strlen(name) == n && !strncmp(node_name, name, n);
}

struct device_node *of_get_child_by_name(const struct device_node *node, const char *name)
{
	struct device_node *child;
	for_each_child_of_node(node, child)
		if (dmp_lx_of_name_eq(child->full_name, name) || !strcmp(child->name, name))
			return child;
	return NULL;
}

struct device_node *of_get_available_child_by_name(const struct device_node *node,
						   const char *name)
{
	struct device_node *child = of_get_child_by_name(node, name);
	if (child && !of_device_is_available(child)) {
		of_node_put(child);
		return NULL;
	}
	return child;
}

int of_get_child_count(const struct device_node *np)
{
	int n = 0;
	for (struct device_node *c = np ? np->child : NULL; c; c = c->sibling)
		n++;
	return n;
}

int of_get_available_child_count(const struct device_node *np)
{
	int n = 0;
	for (struct device_node *c = np ? np->child : NULL; c; c = c->sibling)
		n += of_device_is_available(c);
	return n;
}

struct device_node *of_find_node_by_path(const char *path)
{
	if (!blob)
		return NULL;
	int off = fdt_path_offset(blob, path);
	return off < 0 ? NULL : of_node_get(node_at(off));
}

/* Nodes in tree order after @from (the whole tree when NULL); drops @from. */
static struct device_node *next_in_tree(struct device_node *from, unsigned int *i)
{
	*i = 0;
	if (from) {
		while (*i < nr_nodes && nodes[*i] != from)
			(*i)++;
		(*i)++;
		of_node_put(from);
	}
	return *i < nr_nodes ? nodes[*i] : NULL;
}

struct device_node *of_find_node_by_name(struct device_node *from, const char *name)
{
	unsigned int i;
	for (next_in_tree(from, &i); i < nr_nodes; i++)
		if (nodes[i]->name && !strcmp(nodes[i]->name, name))
			return of_node_get(nodes[i]);
	return NULL;
}

struct device_node *of_find_node_by_type(struct device_node *from, const char *type)
{
	unsigned int i;
	for (next_in_tree(from, &i); i < nr_nodes; i++) {
		const char *t = of_get_property(nodes[i], "device_type", NULL);
		if (t && !strcmp(t, type))
			return of_node_get(nodes[i]);
	}
	return NULL;
}

struct device_node *of_find_compatible_node(struct device_node *from, const char *type,
					    const char *compat)
{
	unsigned int i;
	for (next_in_tree(from, &i); i < nr_nodes; i++) {
		if (type) {
			const char *t = of_get_property(nodes[i], "device_type", NULL);
			if (!t || strcmp(t, type))
				continue;
		}
		if (of_device_is_compatible(nodes[i], compat))
			return of_node_get(nodes[i]);
	}
	return NULL;
}

struct device_node *of_find_matching_node_and_match(struct device_node *from,
						    const struct of_device_id *matches,
						    const struct of_device_id **match)
{
	unsigned int i;
	for (next_in_tree(from, &i); i < nr_nodes; i++) {
		const struct of_device_id *m = of_match_node(matches, nodes[i]);
		if (m) {
			if (match)
				*match = m;
			return of_node_get(nodes[i]);
		}
	}
	return NULL;
}

struct device_node *of_find_node_by_phandle(phandle handle)
{
	if (!handle)
		return NULL;
	for (unsigned int i = 0; i < nr_nodes; i++)
		if (nodes[i]->phandle == handle)
			return of_node_get(nodes[i]);
	return NULL;
}

struct device_node *of_find_node_with_property(struct device_node *from, const char *prop_name)
{
	unsigned int i;
	for (next_in_tree(from, &i); i < nr_nodes; i++)
		if (of_find_property(nodes[i], prop_name, NULL))
			return of_node_get(nodes[i]);
	return NULL;
}

/* --- properties ------------------------------------------------------------------ */

struct property *of_find_property(const struct device_node *np, const char *name, int *lenp)
{
	for (struct property *p = np ? np->properties : NULL; p; p = p->next)
		if (!strcmp(p->name, name)) {
			if (lenp)
				*lenp = p->length;
			return p;
		}
	return NULL;
}

const void *of_get_property(const struct device_node *np, const char *name, int *lenp)
{
	struct property *p = of_find_property(np, name, lenp);
	return p ? p->value : NULL;
}

/* The value of @propname, at least @min bytes: Linux's of_find_property_value_of_size. */
static const void *prop_value(const struct device_node *np, const char *propname, size_t min,
			      size_t max, size_t *len)
{
	struct property *p = of_find_property(np, propname, NULL);
	if (!p)
		return ERR_PTR(-EINVAL);
	if (!p->value)
		return ERR_PTR(-ENODATA);
	if ((size_t)p->length < min)
		return ERR_PTR(-EOVERFLOW);
	if (max && (size_t)p->length > max)
		return ERR_PTR(-EOVERFLOW);
	if (len)
		*len = (size_t)p->length;
	return p->value;
}

static int read_array(const struct device_node *np, const char *propname, void *out,
		      unsigned int elem, size_t sz_min, size_t sz_max)
{
	size_t len, count;
	const u8 *v = prop_value(np, propname, sz_min * elem, sz_max * elem, &len);
	if (IS_ERR(v))
		return (int)PTR_ERR(v);
	count = sz_max ? len / elem : sz_min;
	if (sz_max && len % elem)
		count = len / elem;
	for (size_t i = 0; i < count; i++) {
		const u8 *c = v + i * elem;
		switch (elem) {
		case 1: ((u8 *)out)[i] = c[0]; break;
		case 2: ((u16 *)out)[i] = (u16)(c[0] << 8 | c[1]); break;
		case 4: ((u32 *)out)[i] = fdt32_ld((const fdt32_t *)c); break;
		case 8: ((u64 *)out)[i] = fdt64_ld((const fdt64_t *)c); break;
		}
	}
	return (int)count;
}

int of_property_read_variable_u8_array(const struct device_node *np, const char *propname,
				       u8 *out, size_t sz_min, size_t sz_max)
{
	return read_array(np, propname, out, 1, sz_min, sz_max);
}

int of_property_read_variable_u16_array(const struct device_node *np, const char *propname,
					u16 *out, size_t sz_min, size_t sz_max)
{
	return read_array(np, propname, out, 2, sz_min, sz_max);
}

int of_property_read_variable_u32_array(const struct device_node *np, const char *propname,
					u32 *out, size_t sz_min, size_t sz_max)
{
	return read_array(np, propname, out, 4, sz_min, sz_max);
}

int of_property_read_variable_u64_array(const struct device_node *np, const char *propname,
					u64 *out, size_t sz_min, size_t sz_max)
{
	return read_array(np, propname, out, 8, sz_min, sz_max);
}

int of_property_read_u32_index(const struct device_node *np, const char *propname, u32 index,
			       u32 *out_value)
{
	const u8 *v = prop_value(np, propname, ((size_t)index + 1) * 4, 0, NULL);
	if (IS_ERR(v))
		return (int)PTR_ERR(v);
	*out_value = fdt32_ld((const fdt32_t *)(v + (size_t)index * 4));
	return 0;
}

int of_property_read_u64_index(const struct device_node *np, const char *propname, u32 index,
			       u64 *out_value)
{
	const u8 *v = prop_value(np, propname, ((size_t)index + 1) * 8, 0, NULL);
	if (IS_ERR(v))
		return (int)PTR_ERR(v);
	*out_value = fdt64_ld((const fdt64_t *)(v + (size_t)index * 8));
	return 0;
}

int of_property_read_u64(const struct device_node *np, const char *propname, u64 *out_value)
{
	return of_property_read_u64_index(np, propname, 0, out_value);
}

int of_property_read_string(const struct device_node *np, const char *propname,
			    const char **out_string)
{
	struct property *p = of_find_property(np, propname, NULL);
	if (!p)
		return -EINVAL;
	if (!p->value)
		return -ENODATA;
	if (strnlen(p->value, (size_t)p->length) >= (size_t)p->length)
		return -EILSEQ;
	*out_string = p->value;
	return 0;
}

int of_property_match_string(const struct device_node *np, const char *propname,
			     const char *string)
{
	struct property *p = of_find_property(np, propname, NULL);
	if (!p)
		return -EINVAL;
	if (!p->value)
		return -ENODATA;
	const char *s = p->value, *end = s + p->length;
	for (int i = 0; s < end; i++) {
		size_t l = strnlen(s, (size_t)(end - s)) + 1;
		if (s + l > end)
			return -EILSEQ;
		if (!strcmp(s, string))
			return i;
		s += l;
	}
	return -ENODATA;
}

int of_property_read_string_helper(const struct device_node *np, const char *propname,
				   const char **out_strs, size_t sz, int skip)
{
	struct property *p = of_find_property(np, propname, NULL);
	if (!p)
		return -EINVAL;
	if (!p->value)
		return -ENODATA;
	const char *s = p->value, *end = s + p->length;
	int i;
	for (i = 0; s < end && (!out_strs || (size_t)i < (size_t)skip + sz); i++) {
		size_t l = strnlen(s, (size_t)(end - s)) + 1;
		if (s + l > end)
			return -EILSEQ;
		if (out_strs && i >= skip)
			out_strs[i - skip] = s;
		s += l;
	}
	i -= skip;
	return i <= 0 ? -ENODATA : i;
}

int of_property_count_elems_of_size(const struct device_node *np, const char *propname,
				    int elem_size)
{
	struct property *p = of_find_property(np, propname, NULL);
	if (!p)
		return -EINVAL;
	if (!p->value)
		return -ENODATA;
	if (p->length % elem_size)
		return -EINVAL;
	return p->length / elem_size;
}

int of_device_is_compatible(const struct device_node *np, const char *compat)
{
	int idx = of_property_match_string(np, "compatible", compat);
	/* Linux scores earlier entries higher; non-zero means compatible */
	return idx >= 0 ? 1000 - idx : 0;
}

bool of_device_is_big_endian(const struct device_node *device)
{
	return of_property_read_bool(device, "big-endian");
}

bool of_machine_is_compatible(const char *compat)
{
	return of_root && of_device_is_compatible(of_root, compat);
}

/*
 * Linux's __of_match_node: for each of the node's compatible strings in
 * order, the first table entry that names it (with type and name, if the
 * entry has them); entries without a compatible match on type/name.
 */
const struct of_device_id *of_match_node(const struct of_device_id *matches,
					 const struct device_node *node)
{
	if (!matches || !node)
		return NULL;
	const char *s = NULL;
	int n = of_property_count_strings(node, "compatible");
	for (int i = 0; i < (n > 0 ? n : 0); i++) {
		if (of_property_read_string_index(node, "compatible", i, &s))
			break;
		for (const struct of_device_id *m = matches;
		     m->name[0] || m->type[0] || m->compatible[0]; m++) {
			if (!m->compatible[0] || strcasecmp(m->compatible, s))
				continue;
			if (m->name[0] && (!node->name || strcmp(m->name, node->name)))
				continue;
			return m;
		}
	}
	for (const struct of_device_id *m = matches; m->name[0] || m->type[0] || m->compatible[0];
	     m++) {
		if (m->compatible[0])
			continue;
		if (m->name[0] && (!node->name || strcmp(m->name, node->name)))
			continue;
		if (m->type[0]) {
			const char *t = of_get_property(node, "device_type", NULL);
			if (!t || strcmp(t, m->type))
				continue;
		}
		return m;
	}
	return NULL;
}

static int cells_of(const struct device_node *np, const char *name, int dflt)
{
	for (; np; np = np->parent) {
		u32 v;
		if (!of_property_read_u32(np, name, &v))
			return (int)v;
	}
	return dflt;
}

int of_n_addr_cells(struct device_node *np)
{
	return cells_of(np && np->parent ? np->parent : np, "#address-cells", 2);
}

int of_n_size_cells(struct device_node *np)
{
	return cells_of(np && np->parent ? np->parent : np, "#size-cells", 1);
}

int of_parse_phandle_with_args(const struct device_node *np, const char *list_name,
			       const char *cells_name, int index, struct of_phandle_args *out)
{
	int len;
	const fdt32_t *v = of_get_property(np, list_name, &len);
	if (!v)
		return -ENOENT;
	int n = len / 4, i = 0;
	for (int cur = 0; i < n; cur++) {
		phandle ph = fdt32_ld(&v[i++]);
		struct device_node *target = of_find_node_by_phandle(ph);
		u32 cells = 0;
		if (ph && cells_name) {
			if (!target || of_property_read_u32(target, cells_name, &cells)) {
				of_node_put(target);
				return -EINVAL;
			}
		}
		if (i + (int)cells > n || cells > OF_MAX_PHANDLE_ARGS) {
			of_node_put(target);
			return -EINVAL;
		}
		if (cur == index) {
			if (!ph) {
				of_node_put(target);
				return -ENOENT;
			}
			if (out) {
				out->np = target;
				out->args_count = (int)cells;
				for (u32 k = 0; k < cells; k++)
					out->args[k] = fdt32_ld(&v[i + (int)k]);
			} else {
				of_node_put(target);
			}
			return 0;
		}
		of_node_put(target);
		i += (int)cells;
	}
	return -ENOENT;
}

int of_parse_phandle_with_fixed_args(const struct device_node *np, const char *list_name,
				     int cell_count, int index, struct of_phandle_args *out)
{
	int len;
	const fdt32_t *v = of_get_property(np, list_name, &len);
	if (!v)
		return -ENOENT;
	int stride = 1 + cell_count, n = len / 4;
	if ((index + 1) * stride > n)
		return -ENOENT;
	const fdt32_t *e = v + index * stride;
	struct device_node *target = of_find_node_by_phandle(fdt32_ld(e));
	if (!target)
		return -ENOENT;
	out->np = target;
	out->args_count = cell_count;
	for (int k = 0; k < cell_count && k < OF_MAX_PHANDLE_ARGS; k++)
		out->args[k] = fdt32_ld(&e[1 + k]);
	return 0;
}

struct device_node *of_parse_phandle(const struct device_node *np, const char *phandle_name,
				     int index)
{
	struct of_phandle_args args;
	if (of_parse_phandle_with_args(np, phandle_name, NULL, index, &args))
		return NULL;
	return args.np;
}

int of_count_phandle_with_args(const struct device_node *np, const char *list_name,
			       const char *cells_name)
{
	int n = 0;
	while (of_parse_phandle_with_args(np, list_name, cells_name, n, NULL) == 0)
		n++;
	if (!n && !of_find_property(np, list_name, NULL))
		return -ENOENT;
	return n;
}

int of_alias_get_id(struct device_node *np, const char *stem)
{
	struct device_node *aliases = of_find_node_by_path("/aliases");
	if (!aliases)
		return -ENODEV;
	size_t sl = strlen(stem);
	for (struct property *p = aliases->properties; p; p = p->next) {
		if (strncmp(p->name, stem, sl) || !p->value)
			continue;
		char *end;
		long id = strtol(p->name + sl, &end, 10);
		if (end == p->name + sl || *end)
			continue;
		struct device_node *t = of_find_node_by_path(p->value);
		of_node_put(t);
		if (t == np)
			return (int)id;
	}
	return -ENODEV;
}

bool of_dma_is_coherent(struct device_node *np)
{
	for (; np; np = np->parent) {
		if (of_property_read_bool(np, "dma-coherent"))
			return true;
		if (of_property_read_bool(np, "dma-noncoherent"))
			return false;
	}
	return false;
}

/* --- addresses ----------------------------------------------------------------- */

static u64 read_cells(const fdt32_t *c, int n)
{
	u64 v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(&c[i]);
	return v;
}

/*
 * Translate @addr, a child address of bus @bus, up to a CPU address through
 * each ancestor's ranges (empty: 1:1; absent: not translatable, as Linux's
 * of_translate_address).  PCI buses: the first cell is flags, skipped.
 */
static int translate(const struct device_node *bus, u64 addr, u64 *cpu)
{
	for (; bus && bus->parent; bus = bus->parent) {
		int len;
		const fdt32_t *r = of_get_property(bus, "ranges", &len);
		if (!r)
			return -EINVAL;
		if (!len)
			continue;
		int ca = cells_of(bus, "#address-cells", 2);
		int cs = cells_of(bus, "#size-cells", 1);
		int pa = cells_of(bus->parent, "#address-cells", 2);
		bool pci = ca == 3;
		int stride = ca + pa + cs, n = len / 4;
		bool found = false;
		for (int i = 0; i + stride <= n; i += stride) {
			u64 child = pci ? read_cells(r + i + 1, ca - 1) : read_cells(r + i, ca);
			u64 parent = pa == 3 ? read_cells(r + i + ca + 1, pa - 1)
					     : read_cells(r + i + ca, pa);
			u64 size = read_cells(r + i + ca + pa, cs);
			if (addr >= child && addr - child < size) {
				addr = parent + (addr - child);
				found = true;
				break;
			}
		}
		if (!found)
			return -EINVAL;
	}
	*cpu = addr;
	return 0;
}

int dmp_lx_of_reg(const struct device_node *np, int index, u64 *addr, u64 *size)
{
	if (!np || !np->parent || index < 0)
		return -EINVAL;
	int ac = cells_of(np->parent, "#address-cells", 2);
	int sc = cells_of(np->parent, "#size-cells", 1);
	int len;
	const fdt32_t *reg = of_get_property(np, "reg", &len);
	if (!reg)
		return -ENOENT;
	int stride = ac + sc;
	if (!stride || (index + 1) * stride * 4 > len)
		return -ENOENT;
	const fdt32_t *e = reg + index * stride;
	u64 a = ac == 3 ? read_cells(e + 1, 2) : read_cells(e, ac);
	*size = read_cells(e + ac, sc);
	return translate(np->parent, a, addr);
}

int of_address_to_resource(struct device_node *dev, int index, struct resource *r)
{
	u64 addr, size;
	int e = dmp_lx_of_reg(dev, index, &addr, &size);
	if (e)
		return e == -ENOENT ? -EINVAL : e;
	memset(r, 0, sizeof(*r));
	r->start = addr;
	r->end = addr + size - 1;
	r->flags = IORESOURCE_MEM;
	const char *name = NULL;
	if (of_property_read_string_index(dev, "reg-names", index, &name))
		name = dev->full_name;
	r->name = name;
	return 0;
}

u64 of_translate_address(struct device_node *np, const __be32 *addr)
{
	int ac = cells_of(np, "#address-cells", 2);
	u64 cpu;
	return translate(np, read_cells((const fdt32_t *)addr, ac), &cpu) ? OF_BAD_ADDR : cpu;
}

const __be32 *of_get_address(struct device_node *dev, int index, u64 *size, unsigned int *flags)
{
	int ac = cells_of(dev->parent, "#address-cells", 2);
	int sc = cells_of(dev->parent, "#size-cells", 1);
	int len;
	const fdt32_t *reg = of_get_property(dev, "reg", &len);
	if (!reg || (index + 1) * (ac + sc) * 4 > len)
		return NULL;
	const fdt32_t *e = reg + index * (ac + sc);
	if (size)
		*size = read_cells(e + ac, sc);
	if (flags)
		*flags = IORESOURCE_MEM;
	return (const __be32 *)e;
}

int of_range_count(struct device_node *np)
{
	int len;
	const fdt32_t *r = of_get_property(np, "ranges", &len);
	if (!r)
		return -ENOENT;
	int stride = cells_of(np, "#address-cells", 2) + cells_of(np, "#size-cells", 1) +
		     cells_of(np->parent, "#address-cells", 2);
	return len / 4 / stride;
}

void __iomem *of_iomap(struct device_node *node, int index)
{
	struct resource res;
	if (of_address_to_resource(node, index, &res))
		return NULL;
	return ioremap(res.start, resource_size(&res));
}

void __iomem *of_io_request_and_map(struct device_node *np, int index, const char *name)
{
	struct resource res;
	if (of_address_to_resource(np, index, &res))
		return ERR_PTR(-EINVAL);
	if (!request_mem_region(res.start, resource_size(&res), name ? name : np->full_name))
		return ERR_PTR(-EBUSY);
	void __iomem *mem = ioremap(res.start, resource_size(&res));
	if (!mem) {
		release_mem_region(res.start, resource_size(&res));
		return ERR_PTR(-ENOMEM);
	}
	return mem;
}

/* --- interrupts --------------------------------------------------------------- */

static struct device_node *irq_parent(const struct device_node *np)
{
	for (const struct device_node *p = np; p; p = p->parent) {
		u32 ph;
		if (!of_property_read_u32(p, "interrupt-parent", &ph))
			return of_find_node_by_phandle(ph);
		if (p != np && of_property_read_bool(p, "interrupt-controller"))
			return of_node_get((struct device_node *)(uintptr_t)p);
	}
	return NULL;
}

int dmp_lx_of_irq_line(const struct device_node *np, int index, unsigned int *hwirq,
		       enum dmp_sim_irq_trigger *trigger)
{
	u32 cells[4];
	unsigned int n;
	struct of_phandle_args args;
	if (index < 0)
		return -EINVAL;
	if (!of_parse_phandle_with_args(np, "interrupts-extended", "#interrupt-cells", index,
					&args)) {
		of_node_put(args.np);
		n = (unsigned int)args.args_count;
		if (n > 4)
			return -EINVAL;
		for (unsigned int i = 0; i < n; i++)
			cells[i] = args.args[i];
	} else {
		struct device_node *ctl = irq_parent(np);
		u32 nc = 1;
		if (ctl && of_property_read_u32(ctl, "#interrupt-cells", &nc)) {
			of_node_put(ctl);
			return -EINVAL;
		}
		of_node_put(ctl);
		if (!nc || nc > 4)
			return -EINVAL;
		n = nc;
		for (unsigned int i = 0; i < n; i++)
			if (of_property_read_u32_index(np, "interrupts", (u32)index * n + i, &cells[i]))
				return -ENOENT;
	}
	return dmp_sim_irq_xlate(cells, n, hwirq, trigger);
}

int of_irq_get(struct device_node *dev, int index)
{
	unsigned int hw;
	enum dmp_sim_irq_trigger trig;
	int e = dmp_lx_of_irq_line(dev, index, &hw, &trig);
	if (e)
		return e == -ENOENT ? -ENXIO : e;
	unsigned int irq = dmp_lx_irq_map(hw, trig);
	return irq ? (int)irq : -EINVAL;
}

unsigned int irq_of_parse_and_map(struct device_node *node, int index)
{
	int irq = of_irq_get(node, index);
	return irq > 0 ? (unsigned int)irq : 0;
}

int of_irq_get_byname(struct device_node *dev, const char *name)
{
	int index = of_property_match_string(dev, "interrupt-names", name);
	return index < 0 ? index : of_irq_get(dev, index);
}

int of_irq_count(struct device_node *dev)
{
	int n = 0;
	unsigned int hw;
	enum dmp_sim_irq_trigger trig;
	while (dmp_lx_of_irq_line(dev, n, &hw, &trig) == 0)
		n++;
	return n;
}

int of_irq_to_resource(struct device_node *dev, int index, struct resource *r)
{
	int irq = of_irq_get(dev, index);
	if (irq <= 0)
		return irq ? irq : -EINVAL;
	memset(r, 0, sizeof(*r));
	r->start = r->end = (resource_size_t)irq;
	r->flags = IORESOURCE_IRQ | irq_get_trigger_type((unsigned int)irq);
	if (of_property_read_string_index(dev, "interrupt-names", index, &r->name))
		r->name = dev->full_name;
	return irq;
}

int of_irq_to_resource_table(struct device_node *dev, struct resource *res, int nr_irqs)
{
	int i;
	for (i = 0; i < nr_irqs; i++)
		if (of_irq_to_resource(dev, i, &res[i]) <= 0)
			break;
	return i;
}

int of_reserved_mem_device_init_by_idx(struct device *dev, struct device_node *np, int idx)
{
	(void)dev;
	struct device_node *r = of_parse_phandle(np, "memory-region", idx);
	if (!r)
		return -ENODEV;
	of_node_put(r);
	return 0;
}

/* --- devices and their nodes ------------------------------------------------------- */

const struct of_device_id *of_match_device(const struct of_device_id *matches,
					   const struct device *dev)
{
	return dev ? of_match_node(matches, dev->of_node) : NULL;
}

const void *of_device_get_match_data(const struct device *dev)
{
	if (!dev || !dev->driver)
		return NULL;
	const struct of_device_id *m = of_match_device(dev->driver->of_match_table, dev);
	return m ? m->data : NULL;
}

struct fwnode_handle *dev_fwnode(const struct device *dev)
{
	return dev->of_node ? &dev->of_node->fwnode : dev->fwnode;
}

const void *device_get_match_data(const struct device *dev)
{
	return of_device_get_match_data(dev);
}

bool device_property_present(const struct device *dev, const char *propname)
{
	return of_property_present(dev->of_node, propname);
}

int device_property_read_u8_array(const struct device *dev, const char *propname, u8 *val,
				  size_t nval)
{
	if (!val)
		return of_property_count_u8_elems(dev->of_node, propname);
	return of_property_read_u8_array(dev->of_node, propname, val, nval);
}

int device_property_read_u16_array(const struct device *dev, const char *propname, u16 *val,
				   size_t nval)
{
	if (!val)
		return of_property_count_u16_elems(dev->of_node, propname);
	return of_property_read_u16_array(dev->of_node, propname, val, nval);
}

int device_property_read_u32_array(const struct device *dev, const char *propname, u32 *val,
				   size_t nval)
{
	if (!val)
		return of_property_count_u32_elems(dev->of_node, propname);
	return of_property_read_u32_array(dev->of_node, propname, val, nval);
}

int device_property_read_u64_array(const struct device *dev, const char *propname, u64 *val,
				   size_t nval)
{
	if (!val)
		return of_property_count_u64_elems(dev->of_node, propname);
	return of_property_read_u64_array(dev->of_node, propname, val, nval);
}

int device_property_read_string(const struct device *dev, const char *propname, const char **val)
{
	return of_property_read_string(dev->of_node, propname, val);
}

int device_property_read_string_array(const struct device *dev, const char *propname,
				      const char **val, size_t nval)
{
	return of_property_read_string_helper(dev->of_node, propname, val, nval, 0);
}

int device_property_match_string(const struct device *dev, const char *propname,
				 const char *string)
{
	return of_property_match_string(dev->of_node, propname, string);
}
