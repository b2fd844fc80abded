/* SPDX-License-Identifier: MIT */
/*
 * <linux/of.h> for dmaport's Linux-compat layer: the machine's device tree
 * as struct device_node, and the property readers.
 *
 * The tree is the one the program loaded (see <dmaport/linux.h>), read with
 * libfdt and kept for the machine's lifetime; nodes are never freed while
 * it lives, so of_node_get/of_node_put only count.  The readers follow
 * Linux's (drivers/of/property.c) return values:
 *   of_property_read_u32/u64/string/..._array   0, -EINVAL (no such
 *       property), -ENODATA (no value), -EOVERFLOW (shorter than asked)
 *   of_property_count_*_elems                   the count, or those codes
 *   of_property_match_string                    the index, -EINVAL,
 *                                               -ENODATA (no match)
 * Values are big-endian in the tree and returned in CPU order.
 */
#ifndef DMP_COMPAT_LINUX_OF_H
#define DMP_COMPAT_LINUX_OF_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/mod_devicetable.h>
#include <linux/property.h>
#include <linux/byteorder/generic.h>

typedef u32 phandle;
typedef u32 ihandle;

struct property {
	char *name;
	int length;
	void *value;
	struct property *next;
};

struct device_node {
	const char *name;
	phandle phandle;
	const char *full_name;
	struct fwnode_handle fwnode;
	struct property *properties;
	struct device_node *parent;
	struct device_node *child;
	struct device_node *sibling;
	unsigned long _flags;
	void *data;
	/* dmaport: the node's offset in the machine's blob */
	int dmp_offset;
	int dmp_refs;
};

#define OF_MAX_PHANDLE_ARGS 16
struct of_phandle_args {
	struct device_node *np;
	int args_count;
	uint32_t args[OF_MAX_PHANDLE_ARGS];
};

#define of_node_full_name(np) ((np) ? (np)->full_name : "<no-node>")
#define of_fwnode_handle(node) ((node) ? &(node)->fwnode : NULL)
#define to_of_node(fwnode) ((fwnode) ? container_of((fwnode), struct device_node, fwnode) : NULL)
#define is_of_node(fwnode) ((fwnode) != NULL)
#define of_have_populated_dt() true

struct device_node *of_node_get(struct device_node *node);
void of_node_put(struct device_node *node);
struct device_node *of_get_parent(const struct device_node *node);
struct device_node *of_get_next_parent(struct device_node *node);
struct device_node *of_get_next_child(const struct device_node *node, struct device_node *prev);
struct device_node *of_get_next_available_child(const struct device_node *node,
						struct device_node *prev);
struct device_node *of_get_child_by_name(const struct device_node *node, const char *name);
struct device_node *of_get_available_child_by_name(const struct device_node *node,
						   const char *name);
int of_get_child_count(const struct device_node *np);
int of_get_available_child_count(const struct device_node *np);
struct device_node *of_find_node_by_path(const char *path);
struct device_node *of_find_node_by_name(struct device_node *from, const char *name);
struct device_node *of_find_node_by_type(struct device_node *from, const char *type);
struct device_node *of_find_compatible_node(struct device_node *from, const char *type,
					    const char *compat);
struct device_node *of_find_matching_node_and_match(struct device_node *from,
						    const struct of_device_id *matches,
						    const struct of_device_id **match);
#define of_find_matching_node(from, matches) of_find_matching_node_and_match(from, matches, NULL)
struct device_node *of_find_node_by_phandle(phandle handle);
struct device_node *of_find_node_with_property(struct device_node *from, const char *prop_name);
#define of_node_name_eq(np, n) ((np) && dmp_lx_of_name_eq((np)->name, (n)))
#define of_node_name_prefix(np, p) ((np) && !strncmp((np)->name, (p), strlen(p)))
bool dmp_lx_of_name_eq(const char *node_name, const char *name);
#define of_node_is_root(np) ((np) && !(np)->parent)
extern struct device_node *of_root;
extern struct device_node *of_chosen;

#define for_each_child_of_node(parent, child)                                           \
	for (child = of_get_next_child(parent, NULL); child != NULL;                    \
	     child = of_get_next_child(parent, child))
#define for_each_available_child_of_node(parent, child)                                 \
	for (child = of_get_next_available_child(parent, NULL); child != NULL;          \
	     child = of_get_next_available_child(parent, child))
#define for_each_child_of_node_scoped(parent, child)                                    \
	for (struct device_node *child = of_get_next_child(parent, NULL); child != NULL; \
	     child = of_get_next_child(parent, child))
#define for_each_available_child_of_node_scoped(parent, child)                          \
	for (struct device_node *child = of_get_next_available_child(parent, NULL);     \
	     child != NULL; child = of_get_next_available_child(parent, child))
#define for_each_compatible_node(dn, type, compatible)                                  \
	for (dn = of_find_compatible_node(NULL, type, compatible); dn;                  \
	     dn = of_find_compatible_node(dn, type, compatible))
#define for_each_node_by_name(dn, name)                                                 \
	for (dn = of_find_node_by_name(NULL, name); dn; dn = of_find_node_by_name(dn, name))
#define for_each_matching_node(dn, matches)                                             \
	for (dn = of_find_matching_node(NULL, matches); dn; dn = of_find_matching_node(dn, matches))
#define for_each_node_with_property(dn, prop_name)                                      \
	for (dn = of_find_node_with_property(NULL, prop_name); dn;                      \
	     dn = of_find_node_with_property(dn, prop_name))

struct property *of_find_property(const struct device_node *np, const char *name, int *lenp);
const void *of_get_property(const struct device_node *node, const char *name, int *lenp);
int of_property_read_variable_u8_array(const struct device_node *np, const char *propname,
				       u8 *out_values, size_t sz_min, size_t sz_max);
int of_property_read_variable_u16_array(const struct device_node *np, const char *propname,
					u16 *out_values, size_t sz_min, size_t sz_max);
int of_property_read_variable_u32_array(const struct device_node *np, const char *propname,
					u32 *out_values, size_t sz_min, size_t sz_max);
int of_property_read_variable_u64_array(const struct device_node *np, const char *propname,
					u64 *out_values, size_t sz_min, size_t sz_max);
int of_property_read_u32_index(const struct device_node *np, const char *propname, u32 index,
			       u32 *out_value);
int of_property_read_u64_index(const struct device_node *np, const char *propname, u32 index,
			       u64 *out_value);
int of_property_read_u64(const struct device_node *np, const char *propname, u64 *out_value);
int of_property_read_string(const struct device_node *np, const char *propname,
			    const char **out_string);
int of_property_match_string(const struct device_node *np, const char *propname,
			     const char *string);
int of_property_read_string_helper(const struct device_node *np, const char *propname,
				   const char **out_strs, size_t sz, int index);
int of_property_count_elems_of_size(const struct device_node *np, const char *propname,
				    int elem_size);

static inline int of_property_read_u8_array(const struct device_node *np, const char *propname,
					    u8 *out_values, size_t sz)
{
	int ret = of_property_read_variable_u8_array(np, propname, out_values, sz, 0);
	return ret >= 0 ? 0 : ret;
}
static inline int of_property_read_u16_array(const struct device_node *np, const char *propname,
					     u16 *out_values, size_t sz)
{
	int ret = of_property_read_variable_u16_array(np, propname, out_values, sz, 0);
	return ret >= 0 ? 0 : ret;
}
static inline int of_property_read_u32_array(const struct device_node *np, const char *propname,
					     u32 *out_values, size_t sz)
{
	int ret = of_property_read_variable_u32_array(np, propname, out_values, sz, 0);
	return ret >= 0 ? 0 : ret;
}
static inline int of_property_read_u64_array(const struct device_node *np, const char *propname,
					     u64 *out_values, size_t sz)
{
	int ret = of_property_read_variable_u64_array(np, propname, out_values, sz, 0);
	return ret >= 0 ? 0 : ret;
}
#define of_property_read_u8(np, name, v) of_property_read_u8_array(np, name, v, 1)
#define of_property_read_u16(np, name, v) of_property_read_u16_array(np, name, v, 1)
#define of_property_read_u32(np, name, v) of_property_read_u32_array(np, name, v, 1)
#define of_property_read_s32(np, name, v) of_property_read_u32(np, name, (u32 *)(v))
#define of_property_count_u8_elems(np, name) of_property_count_elems_of_size(np, name, 1)
#define of_property_count_u16_elems(np, name) of_property_count_elems_of_size(np, name, 2)
#define of_property_count_u32_elems(np, name) of_property_count_elems_of_size(np, name, 4)
#define of_property_count_u64_elems(np, name) of_property_count_elems_of_size(np, name, 8)
#define of_property_read_string_array(np, name, out, sz)                                \
	of_property_read_string_helper(np, name, out, sz, 0)
#define of_property_count_strings(np, name) of_property_read_string_helper(np, name, NULL, 0, 0)
#define of_property_read_string_index(np, name, index, out)                             \
	__extension__({                                                                 \
		int dmp__rc = of_property_read_string_helper(np, name, out, 1, index);  \
		dmp__rc < 0 ? dmp__rc : 0;                                              \
	})
static inline bool of_property_present(const struct device_node *np, const char *propname)
{
	return of_find_property(np, propname, NULL) != NULL;
}
static inline bool of_property_read_bool(const struct device_node *np, const char *propname)
{
	return of_property_present(np, propname);
}
#define of_get_property_u32 of_property_read_u32

int of_device_is_compatible(const struct device_node *device, const char *compat);
bool of_device_is_available(const struct device_node *device);
bool of_device_is_big_endian(const struct device_node *device);
bool of_machine_is_compatible(const char *compat);
const struct of_device_id *of_match_node(const struct of_device_id *matches,
					 const struct device_node *node);
int of_n_addr_cells(struct device_node *np);
int of_n_size_cells(struct device_node *np);
static inline u64 of_read_number(const __be32 *cell, int size)
{
	u64 r = 0;
	for (; size--; cell++)
		r = (r << 32) | be32_to_cpu(*cell);
	return r;
}
#define of_read_ulong(cell, size) ((unsigned long)of_read_number(cell, size))

struct device_node *of_parse_phandle(const struct device_node *np, const char *phandle_name,
				     int index);
int of_parse_phandle_with_args(const struct device_node *np, const char *list_name,
			       const char *cells_name, int index, struct of_phandle_args *out_args);
int of_parse_phandle_with_fixed_args(const struct device_node *np, const char *list_name,
				     int cell_count, int index, struct of_phandle_args *out_args);
int of_count_phandle_with_args(const struct device_node *np, const char *list_name,
			       const char *cells_name);
int of_alias_get_id(struct device_node *np, const char *stem);
bool of_dma_is_coherent(struct device_node *np);

#define of_match_ptr(ptr) (ptr)
#define of_node_check_flag(n, flag) 0
#define of_node_set_flag(n, flag) do { } while (0)

#endif /* DMP_COMPAT_LINUX_OF_H */
