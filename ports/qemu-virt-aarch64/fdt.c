/* SPDX-License-Identifier: MIT */
/*
 * fdt.c - just enough of a flattened device tree reader for the port: is
 * there an SMMUv3, where is the ECAM, what did -append say.  (The library's
 * `of` layer will use libfdt; the boot code needs three look-ups and no
 * dependency.)
 *
 * The format (devicetree specification, "Flattened Devicetree (DTB)
 * Format"): a big-endian header, then a structure block of 32-bit tokens -
 * BEGIN_NODE name, PROP len nameoff value, END_NODE, NOP, END - with names
 * and values padded to 4 bytes, and a strings block holding property names.
 * All properties of a node come before its children.
 */
#include <string.h>

#include "port.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t be64(const void *p)
{
	return (uint64_t)be32(p) << 32 | be32((const uint8_t *)p + 4);
}

bool fdt_valid(const void *blob)
{
	return be32(blob) == FDT_MAGIC && be32((const uint8_t *)blob + 4) >= 40;
}

/* One walk of the structure block, calling @visit for every property with
 * the depth and name of its node; a true return stops the walk. */
typedef bool (*fdt_visit_fn)(void *arg, int depth, const char *node, const char *prop,
			     const uint8_t *val, uint32_t len, bool node_end);

static void fdt_walk(const void *blob, fdt_visit_fn visit, void *arg)
{
	const uint8_t *b = blob;
	uint32_t total = be32(b + 4);
	const uint8_t *p = b + be32(b + 8), *end = b + total;
	const char *strings = (const char *)b + be32(b + 12);
	const char *names[16] = { "" };
	int depth = -1;

	while (p + 4 <= end) {
		uint32_t tok = be32(p);
		p += 4;
		switch (tok) {
		case FDT_BEGIN_NODE: {
			const char *name = (const char *)p;
			size_t n = strlen(name) + 1;
			p += DMP_ALIGN_UP(n, 4);
			if (depth >= 0 && visit(arg, depth, names[depth], NULL, NULL, 0, true))
				return;
			depth++;
			if (depth >= (int)DMP_ARRAY_SIZE(names))
				return; /* deeper than virt's trees go: give up */
			names[depth] = name;
			break;
		}
		case FDT_END_NODE:
			if (depth >= 0 && visit(arg, depth, names[depth], NULL, NULL, 0, true))
				return;
			depth--;
			break;
		case FDT_PROP: {
			uint32_t len = be32(p), nameoff = be32(p + 4);
			const uint8_t *val = p + 8;
			p = val + DMP_ALIGN_UP(len, 4u);
			if (depth >= 0 && visit(arg, depth, names[depth], strings + nameoff, val, len, false))
				return;
			break;
		}
		case FDT_NOP:
			break;
		default: /* FDT_END or garbage */
			return;
		}
	}
}

struct compat_search {
	const char *compat;
	bool match, have_reg, found;
	uint64_t reg[2];
};

static bool compat_visit(void *arg, int depth, const char *node, const char *prop,
			 const uint8_t *val, uint32_t len, bool node_end)
{
	struct compat_search *s = arg;
	(void)depth;
	(void)node;
	if (node_end) {
		/* The node's properties are complete: it matched or not. */
		if (s->match) {
			s->found = true;
			return true;
		}
		s->match = false;
		s->have_reg = false;
		return false;
	}
	if (strcmp(prop, "compatible") == 0) {
		/* A list of NUL-terminated strings. */
		for (uint32_t off = 0; off < len;) {
			const char *c = (const char *)val + off;
			if (strcmp(c, s->compat) == 0)
				s->match = true;
			off += (uint32_t)strlen(c) + 1;
		}
	} else if (strcmp(prop, "reg") == 0 && len >= 16) {
		s->reg[0] = be64(val);
		s->reg[1] = be64(val + 8);
		s->have_reg = true;
	}
	return false;
}

bool fdt_find_compatible(const void *blob, const char *compat, uint64_t reg[2])
{
	struct compat_search s = { .compat = compat };
	if (!fdt_valid(blob))
		return false;
	fdt_walk(blob, compat_visit, &s);
	if (s.found && reg) {
		reg[0] = s.have_reg ? s.reg[0] : 0;
		reg[1] = s.have_reg ? s.reg[1] : 0;
	}
	return s.found;
}

struct bootargs_search {
	const char *args;
};

static bool bootargs_visit(void *arg, int depth, const char *node, const char *prop,
			   const uint8_t *val, uint32_t len, bool node_end)
{
	struct bootargs_search *s = arg;
	if (node_end || depth != 1 || strcmp(node, "chosen") != 0)
		return false;
	if (strcmp(prop, "bootargs") == 0 && len > 0 && val[len - 1] == '\0') {
		s->args = (const char *)val;
		return true;
	}
	return false;
}

const char *fdt_bootargs(const void *blob)
{
	struct bootargs_search s = { "" };
	if (fdt_valid(blob))
		fdt_walk(blob, bootargs_visit, &s);
	return s.args;
}

/* The PCI host bridge's iommu-map (and iommu-map-mask): the devicetree
 * binding pci/pci-iommu.yaml: entries of (rid-base, iommu phandle,
 * iommu-base, length), with #iommu-cells = 1 on virt's SMMU. */
struct iommu_map_search {
	bool match, found;
	const uint8_t *map;
	uint32_t map_len, mask;
	bool have_mask;
};

static bool iommu_map_visit(void *arg, int depth, const char *node, const char *prop,
			    const uint8_t *val, uint32_t len, bool node_end)
{
	struct iommu_map_search *s = arg;
	(void)depth;
	(void)node;
	if (node_end) {
		if (s->match && s->map) {
			s->found = true;
			return true;
		}
		s->match = false;
		s->map = NULL;
		s->have_mask = false;
		return false;
	}
	if (strcmp(prop, "compatible") == 0) {
		for (uint32_t off = 0; off < len;) {
			const char *c = (const char *)val + off;
			if (strcmp(c, "pci-host-ecam-generic") == 0)
				s->match = true;
			off += (uint32_t)strlen(c) + 1;
		}
	} else if (strcmp(prop, "iommu-map") == 0 && len >= 16) {
		s->map = val;
		s->map_len = len;
	} else if (strcmp(prop, "iommu-map-mask") == 0 && len == 4) {
		s->mask = be32(val);
		s->have_mask = true;
	}
	return false;
}

bool fdt_pci_rid_to_sid(const void *blob, uint32_t rid, uint32_t *sid)
{
	struct iommu_map_search s = { 0 };
	if (!fdt_valid(blob))
		return false;
	fdt_walk(blob, iommu_map_visit, &s);
	if (!s.found)
		return false;
	uint32_t id = rid & (s.have_mask ? s.mask : 0xffffffffu);
	for (uint32_t off = 0; off + 16 <= s.map_len; off += 16) {
		uint32_t rid_base = be32(s.map + off), sid_base = be32(s.map + off + 8);
		uint32_t length = be32(s.map + off + 12);
		if (id >= rid_base && id - rid_base < length) {
			*sid = sid_base + (id - rid_base);
			return true;
		}
	}
	return false;
}
