/*
 * test-of.c - the device-tree reader.
 *
 * Trees live in tests/of/ (*.dts) (override the directory with DMP_TEST_OF_DIR;
 * the examples' with DMP_TEST_EXAMPLES_DIR) and are compiled at run time by
 * dtc, found on PATH.  In libfdt's run_tests style every valid tree and
 * every error tree is checked in several variants of its blob: as dtc
 * writes it, padded, with __symbols__, with each phandle property style,
 * as a version 16 blob, sorted, opened into a larger buffer by libfdt, and
 * round-tripped through dts.  Every field of the description is checked;
 * every error tree must fail with its errno, node path and property, leaving
 * the output zeroed.  dma-ranges composition is also checked against a
 * point-by-point reference model on random bus hierarchies, and the parser
 * must survive random corruption of a valid blob.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include <dmaport/of.h>

enum variant {
	V_PLAIN,
	V_PADDED,
	V_SYMBOLS,
	V_EPAPR,
	V_LINUX_PHANDLE,
	V_VERSION16,
	V_SORTED,
	V_OPENED,
	V_ROUNDTRIP,
	V_NR
};

static const char *const variant_name[V_NR] = {
	"plain", "padded", "symbols", "epapr", "linux,phandle", "v16", "sorted", "opened", "roundtrip",
};

static const char *of_dir(void)
{
	const char *d = getenv("DMP_TEST_OF_DIR");
	return d ? d : "tests/of";
}

static const char *examples_dir(void)
{
	const char *d = getenv("DMP_TEST_EXAMPLES_DIR");
	return d ? d : "examples/platforms";
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Compile @dts (a path) into a blob of variant @v; the caller frees it. */
static void *compile(const char *dts, enum variant v, size_t *len)
{
	static const char *const opts[V_NR] = {
		[V_PADDED] = "-p 4096", [V_SYMBOLS] = "-@", [V_EPAPR] = "-H epapr",
		[V_LINUX_PHANDLE] = "-H legacy", [V_VERSION16] = "-V 16", [V_SORTED] = "-s",
	};
	char out[] = "/tmp/dmp-test-of-XXXXXX";
	char cmd[1024];
	int fd = mkstemp(out);
	void *blob;

	assert_true(fd >= 0);
	close(fd);
	if (v == V_ROUNDTRIP)
		snprintf(cmd, sizeof(cmd),
			 "dtc -q -I dts -O dtb %s | dtc -q -I dtb -O dts - | dtc -q -I dts -O dtb -o %s -",
			 dts, out);
	else
		snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb %s -o %s %s", opts[v] ? opts[v] : "",
			 out, dts);
	if (system(cmd) != 0) {
		unlink(out);
		fail_msg("dtc failed: %s", cmd);
	}
	blob = read_file(out, len);
	unlink(out);
	if (v == V_OPENED) {
		/* libfdt rewrites the blob in its read-write layout, with room. */
		size_t big = *len + 8192;
		void *opened = malloc(big);

		assert_non_null(opened);
		assert_int_equal(fdt_open_into(blob, opened, (int)big), 0);
		free(blob);
		blob = opened;
		*len = big;
	}
	return blob;
}

static void *compile_test_tree(const char *name, enum variant v, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", of_dir(), name);
	return compile(path, v, len);
}

static struct dmp_of_platform plat; /* large: not on the stack */
static const struct dmp_of_platform zero_plat;

/* Parse @name in variant @v; 0 or the error. */
static int parse_tree(const char *dir, const char *name, enum variant v, struct dmp_of_error *err)
{
	char path[512];
	size_t len;
	void *blob;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	blob = compile(path, v, &len);
	memset(&plat, 0xa5, sizeof(plat));
	ret = dmp_of_parse(blob, len, &plat, err);
	free(blob);
	return ret;
}

/*
 * The invariants any successful description keeps (the description's
 * consistency walker).
 */
static void check_invariants(const struct dmp_of_platform *p)
{
	assert_true(p->nr_memory >= 1 && p->nr_memory <= DMP_OF_MAX_MEMORY);
	for (unsigned int i = 0; i < p->nr_memory; i++) {
		assert_true(p->memory[i].size > 0);
		assert_true(DMP_IS_ALIGNED(p->memory[i].base | p->memory[i].size, DMP_PAGE_SIZE));
		if (i)
			assert_true(p->memory[i - 1].base + p->memory[i - 1].size <= p->memory[i].base);
	}
	assert_true(p->cache.line_size == 32 || p->cache.line_size == 64 ||
		    p->cache.line_size == 128);
	assert_true(p->nr_reserved <= DMP_OF_MAX_RESERVED);
	for (unsigned int i = 0; i < p->nr_reserved; i++) {
		const struct dmp_of_reserved *r = &p->reserved[i];

		assert_true(r->size > 0);
		assert_true(r->path[0] == '/');
		if (r->is_static) {
			const struct dmp_of_range *m = &p->memory[r->memory];

			assert_true(r->memory < p->nr_memory);
			assert_true(r->base >= m->base && r->base + r->size <= m->base + m->size);
			for (unsigned int j = 0; j < i; j++)
				if (p->reserved[j].is_static)
					assert_true(r->base + r->size <= p->reserved[j].base ||
						    p->reserved[j].base + p->reserved[j].size <= r->base);
		}
		assert_true(r->nr_alloc_ranges <= DMP_OF_MAX_ALLOC_RANGES);
	}
	assert_true(p->default_cma < (int)p->nr_reserved);
	assert_true(p->default_dma < (int)p->nr_reserved);
	if (p->default_cma >= 0)
		assert_int_equal(p->reserved[p->default_cma].kind, DMP_OF_RMEM_CMA);
	if (p->default_dma >= 0)
		assert_int_equal(p->reserved[p->default_dma].kind, DMP_OF_RMEM_COHERENT);
	for (unsigned int i = 0; i < p->nr_iommus; i++)
		assert_true(p->iommus[i].cells <= DMP_OF_MAX_IOMMU_ARGS);
	for (unsigned int i = 0; i < p->nr_devices; i++) {
		const struct dmp_of_device *d = &p->devices[i];

		assert_true(d->port_bits >= 1 && d->port_bits <= 64);
		assert_true(d->nr_iommus <= DMP_OF_MAX_IOMMU_REFS);
		for (unsigned int j = 0; j < d->nr_iommus; j++) {
			assert_true(d->iommus[j].iommu < p->nr_iommus);
			assert_int_equal(d->iommus[j].nr_args, p->iommus[d->iommus[j].iommu].cells);
		}
		for (unsigned int j = 0; j < d->nr_mem_regions; j++)
			assert_true(d->mem_regions[j] < p->nr_reserved);
		if (d->dma.identity) {
			assert_int_equal(d->dma.nr, 0);
			assert_true(d->dma.bus_limit == ~0ull);
		} else {
			assert_true(d->dma.nr >= 1 && d->dma.nr <= DMP_OF_MAX_DMA_RANGES);
		}
		assert_ptr_equal(dmp_of_find_device(p, d->path), d);
	}
	for (unsigned int i = 0; i < p->nr_pci_hosts; i++)
		for (unsigned int j = 0; j < p->pci_hosts[i].nr_iommu_map; j++)
			assert_true(p->pci_hosts[i].iommu_map[j].iommu < p->nr_iommus);
}

static int find_rmem(const struct dmp_of_platform *p, const char *path)
{
	for (unsigned int i = 0; i < p->nr_reserved; i++)
		if (!strcmp(p->reserved[i].path, path))
			return (int)i;
	fail_msg("no reserved region %s", path);
	return -1;
}

static unsigned int find_iommu(const struct dmp_of_platform *p, const char *path)
{
	for (unsigned int i = 0; i < p->nr_iommus; i++)
		if (!strcmp(p->iommus[i].path, path))
			return i;
	fail_msg("no IOMMU %s", path);
	return 0;
}

static const struct dmp_of_device *dev(const struct dmp_of_platform *p, const char *path)
{
	const struct dmp_of_device *d = dmp_of_find_device(p, path);

	if (!d)
		fail_msg("no device %s", path);
	return d;
}

static const struct dmp_of_pci_host *pci_host(const struct dmp_of_platform *p, const char *path)
{
	for (unsigned int i = 0; i < p->nr_pci_hosts; i++)
		if (!strcmp(p->pci_hosts[i].path, path))
			return &p->pci_hosts[i];
	fail_msg("no PCI host %s", path);
	return NULL;
}

static void check_range(const struct dmp_of_dma_range *r, uint64_t dma, uint64_t cpu, uint64_t size)
{
	assert_true(r->dma_addr == dma);
	assert_true(r->cpu_addr == cpu);
	assert_true(r->size == size);
}

/* Every field of tests/of/base.dtsi. */
static void check_base(const struct dmp_of_platform *p, unsigned int extra_devices,
		       unsigned int extra_iommus)
{
	const struct dmp_of_device *d;
	const struct dmp_of_reserved *r;
	unsigned int smmu, other;

	check_invariants(p);
	assert_string_equal(p->model, "dmaport test base");
	assert_int_equal(p->addr_cells, 2);
	assert_int_equal(p->size_cells, 2);

	assert_int_equal(p->nr_memory, 2);
	assert_true(p->memory[0].base == 0x80000000ull && p->memory[0].size == 0x40000000ull);
	assert_true(p->memory[1].base == 0x100000000ull && p->memory[1].size == 0x40000000ull);

	assert_int_equal(p->cache.line_size, 64);
	assert_true(p->cache.line_size_from_dt);
	assert_true(p->cache.outer_cache);
	assert_string_equal(p->cache.outer_path, "/cpus/l2-cache");
	assert_int_equal(p->cache.outer_line_size, 32);
	assert_int_equal(p->cache.outer_size, 0x40000);
	assert_true(p->cache.outer_unified);

	/* The disabled region is not there. */
	assert_int_equal(p->nr_reserved, 4);
	r = &p->reserved[find_rmem(p, "/reserved-memory/cma@90000000")];
	assert_int_equal(r->kind, DMP_OF_RMEM_CMA);
	assert_true(r->is_static && r->reusable && r->cma_default);
	assert_false(r->no_map || r->dma_default);
	assert_true(r->base == 0x90000000ull && r->size == 0x1000000ull);
	assert_int_equal(r->memory, 0);
	assert_int_equal(r->nr_alloc_ranges, 0);
	assert_int_equal(p->default_cma, find_rmem(p, "/reserved-memory/cma@90000000"));

	r = &p->reserved[find_rmem(p, "/reserved-memory/coherent-pool")];
	assert_int_equal(r->kind, DMP_OF_RMEM_COHERENT);
	assert_false(r->is_static);
	assert_true(r->no_map && r->dma_default);
	assert_false(r->reusable || r->cma_default);
	assert_true(r->size == 0x200000 && r->alignment == 0x100000);
	/* Placed top-down in the first alloc-range, as memblock would. */
	assert_true(r->base == 0xafe00000ull);
	assert_int_equal(r->memory, 0);
	assert_int_equal(r->nr_alloc_ranges, 2);
	assert_true(r->alloc_ranges[0].base == 0xa0000000ull && r->alloc_ranges[0].size == 0x10000000);
	assert_true(r->alloc_ranges[1].base == 0x100000000ull && r->alloc_ranges[1].size == 0x10000000);
	assert_true(r->phandle != 0);
	assert_int_equal(p->default_dma, find_rmem(p, "/reserved-memory/coherent-pool"));

	r = &p->reserved[find_rmem(p, "/reserved-memory/restricted@a8000000")];
	assert_int_equal(r->kind, DMP_OF_RMEM_RESTRICTED);
	assert_true(r->is_static && r->base == 0xa8000000ull && r->size == 0x400000);
	assert_false(r->no_map || r->reusable);

	r = &p->reserved[find_rmem(p, "/reserved-memory/firmware@80000000")];
	assert_int_equal(r->kind, DMP_OF_RMEM_OTHER);
	assert_true(r->is_static && r->no_map && r->base == 0x80000000ull && r->size == 0x10000);

	assert_int_equal(p->nr_iommus, 2 + extra_iommus);
	smmu = find_iommu(p, "/soc/iommu@9050000");
	assert_int_equal(p->iommus[smmu].kind, DMP_OF_IOMMU_SIM);
	assert_string_equal(p->iommus[smmu].compatible, "dmaport,sim-iommu");
	assert_int_equal(p->iommus[smmu].cells, 1);
	assert_true(p->iommus[smmu].phandle != 0);
	assert_true(p->iommus[smmu].has_reg);
	assert_true(p->iommus[smmu].reg.base == 0x09050000 && p->iommus[smmu].reg.size == 0x20000);
	other = find_iommu(p, "/other-iommu");
	assert_int_equal(p->iommus[other].kind, DMP_OF_IOMMU_OTHER);
	assert_string_equal(p->iommus[other].compatible, "vendor,other-iommu");
	assert_int_equal(p->iommus[other].cells, 0);
	assert_false(p->iommus[other].has_reg);

	/* The disabled engine and the uart are not there. */
	assert_int_equal(p->nr_devices, 3 + extra_devices);
	assert_null(dmp_of_find_device(p, "/soc/dma@9120000"));
	assert_null(dmp_of_find_device(p, "/soc/ignored@9140000"));

	d = dev(p, "/soc/dma@9100000");
	assert_string_equal(d->compatible, "dmaport,copy-engine");
	assert_int_equal(d->kind, DMP_OF_DEV_COPY_ENGINE);
	assert_true(d->has_reg && d->reg.base == 0x09100000 && d->reg.size == 0x1000);
	assert_int_equal(d->port_bits, 48);
	assert_true(d->port_bits_from_dt);
	assert_false(d->coherent);
	assert_true(d->dma.identity);
	assert_int_equal(d->dma.nr, 0);
	assert_string_equal(d->dma.source, "");
	assert_int_equal(d->nr_iommus, 2);
	assert_int_equal(d->iommus[0].iommu, smmu);
	assert_int_equal(d->iommus[0].nr_args, 1);
	assert_int_equal(d->iommus[0].args[0], 0x10);
	assert_int_equal(d->iommus[1].iommu, smmu);
	assert_int_equal(d->iommus[1].args[0], 0x11);
	assert_int_equal(d->nr_mem_regions, 0);
	assert_int_equal(d->nr_irq_cells, 3);
	assert_int_equal(d->irq[0], 0);
	assert_int_equal(d->irq[1], 40);
	assert_int_equal(d->irq[2], 4);

	d = dev(p, "/soc/dma@9110000");
	assert_int_equal(d->kind, DMP_OF_DEV_COPY_ENGINE);
	assert_true(d->has_reg && d->reg.base == 0x09110000 && d->reg.size == 0x1000);
	assert_int_equal(d->port_bits, 64);
	assert_false(d->port_bits_from_dt);
	assert_true(d->coherent);
	assert_int_equal(d->nr_iommus, 0);
	assert_int_equal(d->nr_mem_regions, 2);
	assert_int_equal(d->mem_regions[0], find_rmem(p, "/reserved-memory/coherent-pool"));
	assert_int_equal(d->mem_regions[1], find_rmem(p, "/reserved-memory/restricted@a8000000"));
	assert_int_equal(d->nr_irq_cells, 0);

	d = dev(p, "/gadget");
	assert_string_equal(d->compatible, "dmaport,gadget");
	assert_int_equal(d->kind, DMP_OF_DEV_OTHER);
	assert_false(d->has_reg);
	assert_int_equal(d->port_bits, 24);
	assert_int_equal(d->nr_iommus, 1);
	assert_int_equal(d->iommus[0].iommu, other);
	assert_int_equal(d->iommus[0].nr_args, 0);
}

static void for_each_variant(const char *dir, const char *name,
			     void (*check)(const struct dmp_of_platform *p))
{
	for (int v = 0; v < V_NR; v++) {
		struct dmp_of_error err;
		int ret = parse_tree(dir, name, (enum variant)v, &err);

		if (ret)
			fail_msg("%s (%s): %d %s: %s: %s", name, variant_name[v], ret, err.path,
				 err.property, err.message);
		assert_int_equal(err.code, 0);
		assert_string_equal(err.path, "");
		check(&plat);
	}
}

static void check_base_only(const struct dmp_of_platform *p)
{
	check_base(p, 0, 0);
}

static void test_base(void **state)
{
	for_each_variant(of_dir(), "base.dts", check_base_only);
}

/* tests/of/buses.dts: the expected maps are worked out in its comments. */
static void check_buses(const struct dmp_of_platform *p)
{
	const struct dmp_of_device *d;
	static const char *const same_as_a[] = {
		"/bus@10000000/dev-a@1000",
		"/bus@10000000/bus-b@2000/dev-b@2000", /* empty dma-ranges: look further up */
		"/bus@10000000/bus-c@3000/dev-c@3000", /* absent on the first bus: look further up */
	};
	dmp_phys_t phys;
	dmp_addr_t dma;

	check_base(p, 6, 0);
	for (unsigned int i = 0; i < DMP_ARRAY_SIZE(same_as_a); i++) {
		d = dev(p, same_as_a[i]);
		assert_false(d->dma.identity);
		assert_string_equal(d->dma.source, "/bus@10000000");
		assert_int_equal(d->dma.nr, 2);
		check_range(&d->dma.r[0], 0x0, 0x80000000ull, 0x10000000);
		check_range(&d->dma.r[1], 0x40000000, 0x100000000ull, 0x20000000);
		assert_true(d->dma.bus_limit == 0x5fffffffull);
		assert_true(d->coherent); /* inherited from bus-a */
		assert_true(d->reg.base == 0x10000000ull + 0x1000 * (i + 1) && d->reg.size == 0x100);
	}
	/* Absent on bus-d and then on bus-c: Linux stops, no translation. */
	d = dev(p, "/bus@10000000/bus-c@3000/bus-d/dev-d@4000");
	assert_true(d->dma.identity);
	assert_true(d->dma.bus_limit == ~0ull);
	assert_true(d->coherent);
	assert_true(d->reg.base == 0x10004000ull);

	/* bus-e's first window is cut where bus-a's first one ends. */
	d = dev(p, "/bus@10000000/bus-e@8000/dev-e@500");
	assert_string_equal(d->dma.source, "/bus@10000000/bus-e@8000");
	assert_int_equal(d->dma.nr, 2);
	check_range(&d->dma.r[0], 0x0, 0x88000000ull, 0x8000000);
	check_range(&d->dma.r[1], 0x20000000, 0x100000000ull, 0x10000000);
	assert_true(d->dma.bus_limit == 0x2fffffffull);
	assert_false(d->coherent); /* dma-noncoherent on bus-e */
	assert_true(d->reg.base == 0x10008500ull && d->reg.size == 0x100);
	assert_int_equal(dmp_of_dma_to_phys(&d->dma, 0x07ffffff, &phys), 0);
	assert_true(phys == 0x8fffffffull);
	assert_int_equal(dmp_of_dma_to_phys(&d->dma, 0x08000000, &phys), -ERANGE);
	assert_int_equal(dmp_of_dma_to_phys(&d->dma, 0x20000010, &phys), 0);
	assert_true(phys == 0x100000010ull);
	assert_int_equal(dmp_of_phys_to_dma(&d->dma, 0x100000010ull, &dma), 0);
	assert_true(dma == 0x20000010ull);
	assert_int_equal(dmp_of_phys_to_dma(&d->dma, 0x80000000ull, &dma), -ERANGE);

	/* bus-f's one window spans both of bus-a's: split. */
	d = dev(p, "/bus@10000000/bus-f@6000/dev-f@6000");
	assert_string_equal(d->dma.source, "/bus@10000000/bus-f@6000");
	assert_int_equal(d->dma.nr, 2);
	check_range(&d->dma.r[0], 0x0, 0x80000000ull, 0x10000000);
	check_range(&d->dma.r[1], 0x40000000, 0x100000000ull, 0x10000000);
	assert_true(d->coherent);

	/* Identity maps translate to themselves. */
	d = dev(p, "/soc/dma@9100000");
	assert_int_equal(dmp_of_dma_to_phys(&d->dma, 0x123456789ull, &phys), 0);
	assert_true(phys == 0x123456789ull);
	assert_int_equal(dmp_of_phys_to_dma(&d->dma, 0x123456789ull, &dma), 0);
	assert_true(dma == 0x123456789ull);
}

static void test_buses(void **state)
{
	for_each_variant(of_dir(), "buses.dts", check_buses);
}

static void check_pci(const struct dmp_of_platform *p)
{
	const struct dmp_of_pci_host *h;
	unsigned int smmu3;

	check_base(p, 0, 1);
	smmu3 = find_iommu(p, "/iommu@2b400000");
	assert_int_equal(p->iommus[smmu3].kind, DMP_OF_IOMMU_SMMUV3);
	assert_true(p->iommus[smmu3].reg.base == 0x2b400000ull);

	/* The PCI-PCI bridge below is not a host bridge. */
	assert_int_equal(p->nr_pci_hosts, 2);
	h = pci_host(p, "/pcie@40000000");
	assert_string_equal(h->compatible, "pci-host-ecam-generic");
	assert_true(h->has_reg && h->reg.base == 0x40000000ull && h->reg.size == 0x1000000);
	assert_true(h->coherent);
	/* Its own dma-ranges, PCI address cells with the flags cell skipped. */
	assert_string_equal(h->dma.source, "/pcie@40000000");
	assert_int_equal(h->dma.nr, 1);
	check_range(&h->dma.r[0], 0x0, 0x80000000ull, 0x40000000);
	assert_int_equal(h->iommu_map_mask, 0xff8);
	assert_int_equal(h->nr_iommu_map, 2);
	assert_int_equal(h->iommu_map[0].rid_base, 0);
	assert_int_equal(h->iommu_map[0].iommu, smmu3);
	assert_int_equal(h->iommu_map[0].iommu_base, 0x1000);
	assert_int_equal(h->iommu_map[0].length, 0x100);
	assert_int_equal(h->iommu_map[1].rid_base, 0x100);
	assert_int_equal(h->iommu_map[1].iommu, find_iommu(p, "/soc/iommu@9050000"));
	assert_int_equal(h->iommu_map[1].iommu_base, 0x20);
	assert_int_equal(h->iommu_map[1].length, 0x10);

	h = pci_host(p, "/pcie@48000000");
	assert_false(h->has_mem); /* empty ranges */
	assert_false(h->coherent);
	assert_true(h->dma.identity);
	assert_int_equal(h->iommu_map_mask, 0xffffffffu);
	assert_int_equal(h->nr_iommu_map, 1);
	assert_int_equal(h->iommu_map[0].length, 0x10000);
}

static void test_pci(void **state)
{
	for_each_variant(of_dir(), "pci.dts", check_pci);
}

static void check_cells1(const struct dmp_of_platform *p)
{
	const struct dmp_of_device *d;

	check_invariants(p);
	assert_string_equal(p->model, "dmaport one-cell defaults");
	assert_int_equal(p->addr_cells, 1);
	assert_int_equal(p->size_cells, 1);
	/* Sorted; the empty entry and the disabled node left out. */
	assert_int_equal(p->nr_memory, 2);
	assert_true(p->memory[0].base == 0x20000000 && p->memory[0].size == 0x1000000);
	assert_true(p->memory[1].base == 0x40000000 && p->memory[1].size == 0x10000000);
	assert_int_equal(p->cache.line_size, 64);
	assert_false(p->cache.line_size_from_dt);
	assert_false(p->cache.outer_cache);
	assert_int_equal(p->nr_reserved, 0);
	assert_int_equal(p->default_cma, -1);
	assert_int_equal(p->default_dma, -1);
	assert_int_equal(p->nr_iommus, 0);
	assert_int_equal(p->nr_pci_hosts, 0);
	assert_int_equal(p->nr_devices, 1);
	d = dev(p, "/dma@10000000");
	assert_int_equal(d->port_bits, 30);
	assert_true(d->dma.identity);
	assert_false(d->coherent);
}

static void test_cells1(void **state)
{
	for_each_variant(of_dir(), "cells1.dts", check_cells1);

	/* a root without a model (dt-schema wants one; the reader does not) */
	size_t len;
	void *blob = compile_test_tree("cells1.dts", V_OPENED, &len);
	assert_int_equal(fdt_delprop(blob, 0, "model"), 0);
	memset(&plat, 0xa5, sizeof(plat));
	assert_int_equal(dmp_of_parse(blob, len, &plat, NULL), 0);
	assert_string_equal(plat.model, "");
	assert_int_equal(plat.nr_devices, 1);

	/* A plain "syscon" (here 2 MiB, over the copy engine's window, as a
	 * real SoC's syscon with child devices is) is not a device: the tree
	 * still loads.  Only a syscon the simulator models by its own
	 * compatible (Zynq's "xlnx,zynq-slcr") becomes one. */
	int sc = fdt_add_subnode(blob, 0, "syscon@10000000");
	assert_true(sc >= 0);
	static const char plain[] = "vendor,soc-regs\0syscon\0simple-mfd";
	assert_int_equal(fdt_setprop(blob, sc, "compatible", plain, sizeof(plain)), 0);
	fdt32_t reg[2] = { cpu_to_fdt32(0x10000000), cpu_to_fdt32(0x200000) };
	assert_int_equal(fdt_setprop(blob, sc, "reg", reg, sizeof(reg)), 0);
	assert_int_equal(dmp_of_parse(blob, len, &plat, NULL), 0);
	assert_int_equal(plat.nr_devices, 1);
	static const char slcr[] = "xlnx,zynq-slcr\0syscon\0simple-mfd";
	assert_int_equal(fdt_setprop(blob, sc, "compatible", slcr, sizeof(slcr)), 0);
	fdt32_t at[2] = { cpu_to_fdt32(0x30000000), cpu_to_fdt32(0x1000) };
	assert_int_equal(fdt_setprop(blob, sc, "reg", at, sizeof(at)), 0);
	assert_int_equal(dmp_of_parse(blob, len, &plat, NULL), 0);
	assert_int_equal(plat.nr_devices, 2);
	free(blob);
}

/* The three example platforms. */
static void check_soc(const struct dmp_of_platform *p)
{
	const struct dmp_of_device *d;
	int cma, pool;

	check_invariants(p);
	assert_int_equal(p->nr_memory, 2);
	assert_true(p->cache.outer_cache);
	assert_int_equal(p->cache.line_size, 64);
	cma = find_rmem(p, "/reserved-memory/linux,cma");
	assert_int_equal(p->default_cma, cma);
	assert_int_equal(p->reserved[cma].kind, DMP_OF_RMEM_CMA);
	assert_true(p->reserved[cma].size == 0x4000000);
	assert_false(p->reserved[cma].is_static);
	assert_true(p->reserved[cma].base == 0xbc000000ull); /* the top of its alloc-range */
	pool = find_rmem(p, "/reserved-memory/dma-pool@9f000000");
	assert_int_equal(p->reserved[pool].kind, DMP_OF_RMEM_COHERENT);
	assert_int_equal(p->nr_iommus, 1);
	assert_int_equal(p->iommus[0].kind, DMP_OF_IOMMU_SIM);
	assert_int_equal(p->nr_devices, 2);
	d = dev(p, "/soc/dma@9100000");
	assert_int_equal(d->nr_iommus, 1);
	assert_int_equal(d->iommus[0].args[0], 0x10);
	assert_false(d->coherent);
	d = dev(p, "/soc/dma@9110000");
	assert_int_equal(d->nr_iommus, 0);
	assert_int_equal(d->port_bits, 32);
	assert_int_equal(d->nr_mem_regions, 1);
	assert_int_equal(d->mem_regions[0], pool);
}

static void check_server(const struct dmp_of_platform *p)
{
	const struct dmp_of_device *d;
	const struct dmp_of_pci_host *h;

	check_invariants(p);
	assert_false(p->cache.outer_cache);
	assert_int_equal(p->nr_memory, 2);
	assert_true(p->memory[1].base == 0x880000000ull && p->memory[1].size == 0x200000000ull);
	assert_int_equal(p->nr_iommus, 1);
	assert_int_equal(p->iommus[0].kind, DMP_OF_IOMMU_SMMUV3);
	/* The CMA area, anywhere: the top of memory. */
	assert_true(p->reserved[0].base == 0xa70000000ull && p->reserved[0].memory == 1);
	h = pci_host(p, "/soc/pcie@40000000");
	assert_true(h->coherent);
	assert_int_equal(h->nr_iommu_map, 1);
	assert_int_equal(h->iommu_map[0].iommu_base, 0x100);
	assert_int_equal(h->iommu_map_mask, 0xffff);
	assert_int_equal(h->dma.nr, 2);
	check_range(&h->dma.r[1], 0x880000000ull, 0x880000000ull, 0x200000000ull);
	d = dev(p, "/soc/dma-bus@60000000/dma@10000");
	assert_true(d->coherent);
	assert_int_equal(d->dma.nr, 1);
	check_range(&d->dma.r[0], 0, 0x80000000ull, 0x80000000ull);
	assert_true(d->reg.base == 0x60010000ull);
}

static void check_dev32(const struct dmp_of_platform *p)
{
	const struct dmp_of_device *d;
	int pool;

	check_invariants(p);
	assert_true(p->memory[1].base == 0x100000000ull && p->memory[1].size == 0x100000000ull);
	pool = find_rmem(p, "/reserved-memory/restricted-dma@f8000000");
	assert_int_equal(p->reserved[pool].kind, DMP_OF_RMEM_RESTRICTED);
	assert_int_equal(p->nr_iommus, 0);
	d = dev(p, "/soc/dma@a000000");
	assert_int_equal(d->port_bits, 32);
	assert_int_equal(d->nr_mem_regions, 0);
	d = dev(p, "/soc/dma@a010000");
	assert_int_equal(d->port_bits, 32);
	assert_int_equal(d->nr_mem_regions, 1);
	assert_int_equal(d->mem_regions[0], pool);
}

static void test_examples(void **state)
{
	for_each_variant(examples_dir(), "soc-noncoherent.dts", check_soc);
	for_each_variant(examples_dir(), "server-coherent.dts", check_server);
	for_each_variant(examples_dir(), "dev32-swiotlb.dts", check_dev32);
}

/* Every error tree: its errno, node and property, in every variant. */
struct error_case {
	const char *file;
	int code;
	const char *path;
	const char *property;
	const char *sorted_path; /* when sorting the nodes changes which one is seen second */
};

static const struct error_case error_cases[] = {
	{ "err-rmem-overlap.dts", -EEXIST, "/reserved-memory/second@90800000", "reg", NULL },
	{ "err-iommu-no-cells.dts", -EINVAL, "/reserved-memory/cma@90000000", "#iommu-cells", NULL },
	{ "err-sim-iommu-no-cells.dts", -EINVAL, "/soc/iommu@9050000", "#iommu-cells", NULL },
	{ "err-iommu-phandle.dts", -ENOENT, "/soc/dma@9100000", "iommus", NULL },
	{ "err-iommu-disabled.dts", -ENOENT, "/gadget", "iommus", NULL },
	{ "err-memregion-phandle.dts", -ENOENT, "/soc/dma@9110000", "memory-region", NULL },
	{ "err-memregion-disabled.dts", -ENOENT, "/soc/dma@9110000", "memory-region", NULL },
	{ "err-memregion-not-rmem.dts", -EINVAL, "/soc/dma@9110000", "memory-region", NULL },
	{ "err-l2-phandle.dts", -ENOENT, "/cpus/cpu@1", "next-level-cache", NULL },
	{ "err-l2-level.dts", -EINVAL, "/cpus/l2-cache", "cache-level", NULL },
	{ "err-dma-ranges-outside.dts", -ERANGE, "/soc/bus@c000000", "dma-ranges", NULL },
	{ "err-dma-ranges-cells.dts", -EINVAL, "/soc/bus@c000000", "dma-ranges", NULL },
	{ "err-dma-ranges-untranslatable.dts", -EINVAL, "/soc/bus@c000000", "dma-ranges", NULL },
	{ "err-cma-too-big.dts", -ERANGE, "/reserved-memory/big-cma", "size", NULL },
	{ "err-cma-too-big-alloc.dts", -ERANGE, "/reserved-memory/coherent-pool", "size", NULL },
	{ "err-cma-outside.dts", -ERANGE, "/reserved-memory/cma@90000000", "reg", NULL },
	{ "err-static-outside.dts", -ERANGE, "/reserved-memory/firmware@80000000", "reg", NULL },
	{ "err-alloc-ranges-outside.dts", -ERANGE, "/reserved-memory/coherent-pool", "alloc-ranges", NULL },
	{ "err-reg-cells.dts", -EINVAL, "/memory@100000000", "reg", NULL },
	{ "err-reg-zero-cells.dts", -EINVAL, "/nocells/iommu", "reg", NULL },
	{ "err-iommus-cells.dts", -EINVAL, "/soc/dma@9100000", "iommus", NULL },
	{ "err-memory-overlap.dts", -EEXIST, "/memory@100000000", "reg", "/memory@80000000" },
	{ "err-reusable-nomap.dts", -EINVAL, "/reserved-memory/cma@90000000", "no-map", NULL },
	{ "err-two-cma-default.dts", -EEXIST, "/reserved-memory/cma2@91000000", "linux,cma-default",
	  "/reserved-memory/cma@90000000" },
	{ "err-mmio-in-memory.dts", -EEXIST, "/dma@a0000000", "reg", NULL },
	{ "err-mmio-overlap.dts", -EEXIST, "/soc/dma@9110000", "reg", NULL },
	{ "err-port-bits.dts", -EINVAL, "/soc/dma@9110000", "dmaport,port-bits", NULL },
	{ "err-coherent-both.dts", -EINVAL, "/soc/dma@9110000", "dma-coherent", NULL },
	{ "err-line-size.dts", -EINVAL, "/cpus/cpu@0", "d-cache-line-size", NULL },
	{ "err-rmem-cells.dts", -EINVAL, "/reserved-memory", "#size-cells", NULL },
	{ "err-no-ranges.dts", -EINVAL, "/soc", "ranges", NULL },
	{ "err-iommu-map-phandle.dts", -ENOENT, "/pcie@40000000", "iommu-map", NULL },
	{ "err-iommu-map-cells.dts", -EINVAL, "/pcie@40000000", "iommu-map", NULL },
	{ "err-copy-engine-no-reg.dts", -EINVAL, "/soc/dma@9110000", "reg", NULL },
	{ "err-no-memory.dts", -ENOENT, "/", "", NULL },
	{ "err-memory-zero.dts", -ENOENT, "/memory@80000000", "reg", NULL },
	{ "err-l2-self.dts", -EINVAL, "/cpus/l2-cache", "next-level-cache", NULL },
	{ "err-cpu-self.dts", -EINVAL, "/cpus/cpu@1", "next-level-cache", NULL },
	{ "err-l2-loop.dts", -EINVAL, "/cpus/l3-cache", "next-level-cache", NULL },
	{ "err-l2-line-size.dts", -EINVAL, "/cpus/l2-cache", "cache-line-size", NULL },
	{ "err-l2-size.dts", -EINVAL, "/cpus/l2-cache", "cache-size", NULL },
	{ "err-dma-ranges-32bit.dts", -EINVAL, "/soc/bus@c000000", "dma-ranges", NULL },
	{ "err-reg-32bit.dts", -EINVAL, "/soc/bus@c000000/dma@fffff000", "reg", NULL },
};

static void test_errors(void **state)
{
	for (unsigned int i = 0; i < DMP_ARRAY_SIZE(error_cases); i++) {
		const struct error_case *ec = &error_cases[i];

		for (int v = 0; v < V_NR; v++) {
			const char *want = v == V_SORTED && ec->sorted_path ? ec->sorted_path : ec->path;
			struct dmp_of_error err;
			char line[512];
			int ret = parse_tree(of_dir(), ec->file, (enum variant)v, &err);

			dmp_of_error_format(&err, line, sizeof(line));
			if (ret != ec->code || strcmp(err.path, want) || strcmp(err.property, ec->property))
				fail_msg("%s (%s): got %d \"%s\", want %d at %s: %s", ec->file,
					 variant_name[v], ret, line, ec->code, want, ec->property);
			assert_int_equal(err.code, ret);
			assert_true(strlen(err.message) > 0);
			/* Nothing half-built. */
			assert_memory_equal(&plat, &zero_plat, sizeof(plat));
		}
	}
}

/* Broken blobs: bad magic, truncated, too short, missing. */
static void test_bad_blobs(void **state)
{
	struct dmp_of_error err;
	size_t len;
	uint8_t *blob = compile_test_tree("base.dts", V_PLAIN, &len);
	uint8_t *copy = malloc(len);

	assert_non_null(copy);
	assert_int_equal(dmp_of_parse(blob, len, &plat, &err), 0);

	memcpy(copy, blob, len);
	copy[0] ^= 0xff; /* magic */
	memset(&plat, 0xa5, sizeof(plat));
	assert_int_equal(dmp_of_parse(copy, len, &plat, &err), -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.path, "");
	assert_string_equal(err.property, "");
	assert_memory_equal(&plat, &zero_plat, sizeof(plat));

	/* Truncated: the buffer is shorter than the header says. */
	for (size_t cut = 1; cut < len; cut += len / 7 + 1) {
		memset(&plat, 0xa5, sizeof(plat));
		assert_int_equal(dmp_of_parse(blob, len - cut, &plat, &err), -EINVAL);
		assert_memory_equal(&plat, &zero_plat, sizeof(plat));
	}
	assert_int_equal(dmp_of_parse(blob, 10, &plat, NULL), -EINVAL);
	assert_int_equal(dmp_of_parse(NULL, 0, &plat, &err), -EINVAL);

	/* A corrupt structure block behind a valid header. */
	memcpy(copy, blob, len);
	memset(copy + fdt_off_dt_struct(blob) + 8, 0xee, 8);
	assert_int_equal(dmp_of_parse(copy, len, &plat, &err), -EINVAL);

	/* Old versions (libfdt 1.6's fdt_check_full() crashed on a fuzzed
	 * version 6 blob) and a misaligned structure block are refused. */
	memcpy(copy, blob, len);
	fdt_set_version(copy, 6);
	assert_int_equal(dmp_of_parse(copy, len, &plat, &err), -EINVAL);
	fdt_set_version(copy, 15);
	assert_int_equal(dmp_of_parse(copy, len, &plat, &err), -EINVAL);
	memcpy(copy, blob, len);
	fdt_set_off_dt_struct(copy, fdt_off_dt_struct(blob) + 2);
	assert_int_equal(dmp_of_parse(copy, len, &plat, &err), -EINVAL);

	/*
	 * A property length that wraps the structure offset round: libfdt
	 * 1.6.1's fdt_next_tag() adds it to an int, so 0xfffffff4 brings the
	 * walk back to the same tag and fdt_check_full() loops forever (found
	 * by the fuzzer in CI).  The other values step back, to the middle of
	 * the property, or far past the end.
	 */
	{
		static const uint32_t lens[] = { 0xfffffff4, 0xfffffff0, 0xfffffff8,
						 0xfffffffc, 0x80000000, 0x7ffffff0 };
		uint32_t off = fdt_off_dt_struct(blob), end = off + fdt_size_dt_struct(blob);
		uint32_t prop = 0;

		for (uint32_t o = off; o + 4 <= end; o += 4) {
			if (fdt32_to_cpu(*(const fdt32_t *)(blob + o)) == FDT_PROP) {
				prop = o;
				break;
			}
		}
		assert_true(prop != 0);
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			memcpy(copy, blob, len);
			*(fdt32_t *)(copy + prop + 4) = cpu_to_fdt32(lens[i]);
			memset(&plat, 0xa5, sizeof(plat));
			assert_int_equal(dmp_of_parse(copy, len, &plat, &err), -EINVAL);
			assert_int_equal(err.code, -EINVAL);
			assert_memory_equal(&plat, &zero_plat, sizeof(plat));
		}
	}

	/* The error pointer is optional on success too. */
	assert_int_equal(dmp_of_parse(blob, len, &plat, NULL), 0);
	check_base(&plat, 0, 0);
	free(copy);
	free(blob);
}

/* Random corruption must give 0 or a clean error, never a crash. */
static void test_corruption(void **state)
{
	size_t len;
	uint8_t *blob = compile_test_tree("pci.dts", V_PLAIN, &len);
	uint8_t *copy = malloc(len);
	unsigned int ok = 0, failed = 0;
	uint64_t seed = 0x0f0f1234abcdull;

	assert_non_null(copy);
	for (int iter = 0; iter < 3000; iter++) {
		struct dmp_of_error err;
		int n = 1 + iter % 4, ret;

		memcpy(copy, blob, len);
		for (int k = 0; k < n; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			/* Mostly the structure block, where the properties are. */
			size_t at = (size_t)(seed >> 33) % len;
			copy[at] = (uint8_t)(seed >> 17);
		}
		memset(&plat, 0xa5, sizeof(plat));
		ret = dmp_of_parse(copy, len, &plat, &err);
		if (ret == 0) {
			check_invariants(&plat);
			ok++;
		} else {
			assert_true(ret == -EINVAL || ret == -ENOENT || ret == -EEXIST ||
				    ret == -ERANGE || ret == -ENOMEM);
			assert_int_equal(err.code, ret);
			assert_memory_equal(&plat, &zero_plat, sizeof(plat));
			failed++;
		}
	}
	assert_true(ok > 0 && failed > 0);
	free(copy);
	free(blob);
}

/*
 * dma-ranges against a reference model.  Random chains of buses below the
 * root, each with absent, empty or 1-3 disjoint dma-ranges windows, and a
 * device under each bus; the reference translates one address at a time,
 * level by level, as of_dma_get_range() + of_translate_dma_address() would.
 */
#define RB_MAX_LEVELS 5
#define RB_MAX_WIN 3

enum rb_mode { RB_ABSENT, RB_EMPTY, RB_WINDOWS };

struct rb_bus {
	enum rb_mode mode;
	unsigned int nr;
	uint64_t child[RB_MAX_WIN], parent[RB_MAX_WIN], size[RB_MAX_WIN];
};

static uint64_t rb_seed;

static uint64_t rb_rand(void)
{
	rb_seed ^= rb_seed << 13;
	rb_seed ^= rb_seed >> 7;
	rb_seed ^= rb_seed << 17;
	return rb_seed;
}

#define RB_UNIT 0x10000000ull /* 256 MiB */

/* Reference: CPU address of bus address @a of a device under bus @lvl (1-based). */
static bool rb_ref(const struct rb_bus *bus, int lvl, uint64_t a, uint64_t *cpu, bool *identity)
{
	int src;
	bool first = true;

	/* of_dma_get_range(): absent on the first bus is passed over, later not. */
	for (src = lvl; src >= 1; src--) {
		if (bus[src].mode == RB_WINDOWS)
			break;
		if (bus[src].mode == RB_ABSENT && !first) {
			src = 0;
			break;
		}
		first = false;
	}
	*identity = src < 1;
	if (*identity) {
		*cpu = a;
		return true;
	}
	for (int l = src; l >= 1; l--) {
		const struct rb_bus *b = &bus[l];
		unsigned int i;

		if (b->mode != RB_WINDOWS)
			continue;
		for (i = 0; i < b->nr; i++)
			if (a >= b->child[i] && a - b->child[i] < b->size[i])
				break;
		if (i == b->nr)
			return false;
		a = b->parent[i] + (a - b->child[i]);
	}
	*cpu = a;
	return true;
}

static void rb_prop_addr(void *fdt, const char *name, const struct rb_bus *b)
{
	fdt64_t cells[RB_MAX_WIN * 3];

	for (unsigned int i = 0; i < b->nr; i++) {
		cells[i * 3] = cpu_to_fdt64(b->child[i]);
		cells[i * 3 + 1] = cpu_to_fdt64(b->parent[i]);
		cells[i * 3 + 2] = cpu_to_fdt64(b->size[i]);
	}
	assert_int_equal(fdt_property(fdt, name, cells, (int)(b->nr * sizeof(cells[0]) * 3)), 0);
}

static void rb_build(void *fdt, size_t size, const struct rb_bus *bus, int levels)
{
	fdt64_t mem[4] = { cpu_to_fdt64(0x80000000ull), cpu_to_fdt64(0x40000000ull),
			   cpu_to_fdt64(0x100000000ull), cpu_to_fdt64(0x40000000ull) };
	char name[32];

	assert_int_equal(fdt_create(fdt, (int)size), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_property_u32(fdt, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(fdt, "#size-cells", 2), 0);
	assert_int_equal(fdt_begin_node(fdt, "memory@80000000"), 0);
	assert_int_equal(fdt_property_string(fdt, "device_type", "memory"), 0);
	assert_int_equal(fdt_property(fdt, "reg", mem, sizeof(mem)), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	for (int l = 1; l <= levels; l++) {
		snprintf(name, sizeof(name), "bus%d", l);
		assert_int_equal(fdt_begin_node(fdt, name), 0);
		assert_int_equal(fdt_property_u32(fdt, "#address-cells", 2), 0);
		assert_int_equal(fdt_property_u32(fdt, "#size-cells", 2), 0);
		if (bus[l].mode == RB_EMPTY)
			assert_int_equal(fdt_property(fdt, "dma-ranges", NULL, 0), 0);
		else if (bus[l].mode == RB_WINDOWS)
			rb_prop_addr(fdt, "dma-ranges", &bus[l]);
		assert_int_equal(fdt_begin_node(fdt, "dev"), 0);
		assert_int_equal(fdt_property_string(fdt, "compatible", "dmaport,probe"), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
	}
	for (int l = 1; l <= levels; l++)
		assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
}

static void rb_random_bus(struct rb_bus *b, bool top)
{
	unsigned int slots[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

	b->mode = (enum rb_mode)(rb_rand() % 3);
	if (b->mode != RB_WINDOWS)
		return;
	b->nr = 1 + (unsigned int)(rb_rand() % RB_MAX_WIN);
	for (unsigned int i = 0; i < b->nr; i++) {
		/* Disjoint child windows: distinct 1 GiB slots. */
		unsigned int j = i + (unsigned int)(rb_rand() % (8 - i)), t = slots[i];

		slots[i] = slots[j];
		slots[j] = t;
		b->child[i] = slots[i] * 4 * RB_UNIT + (rb_rand() % 2) * RB_UNIT;
		b->size[i] = (1 + rb_rand() % 3) * RB_UNIT;
		/* Aim at memory (the top) or at the space the buses above use. */
		b->parent[i] = top ? (rb_rand() % 2 ? 0x80000000ull : 0x100000000ull) +
					     (rb_rand() % 4) * RB_UNIT / 2
				   : (rb_rand() % 32) * RB_UNIT / 2;
	}
}

static void test_dma_ranges_reference(void **state)
{
	static uint8_t fdt[16384];
	unsigned int parsed = 0, refused = 0, checked = 0;

	rb_seed = 0x9e3779b97f4a7c15ull;
	for (int iter = 0; iter < 400; iter++) {
		struct rb_bus bus[RB_MAX_LEVELS + 1];
		int levels = 1 + (int)(rb_rand() % RB_MAX_LEVELS);
		struct dmp_of_error err;
		char path[128];
		int ret;

		memset(bus, 0, sizeof(bus));
		for (int l = 1; l <= levels; l++)
			rb_random_bus(&bus[l], l == 1);
		rb_build(fdt, sizeof(fdt), bus, levels);
		ret = dmp_of_parse(fdt, sizeof(fdt), &plat, &err);
		if (ret) {
			/* Windows that lead outside memory or nowhere. */
			assert_true(ret == -ERANGE || ret == -EINVAL);
			assert_string_equal(err.property, "dma-ranges");
			refused++;
			continue;
		}
		parsed++;
		check_invariants(&plat);
		assert_int_equal(plat.nr_devices, levels);
		path[0] = '\0';
		for (int l = 1; l <= levels; l++) {
			const struct dmp_of_device *d;
			char devpath[160];

			snprintf(path + strlen(path), sizeof(path) - strlen(path), "/bus%d", l);
			snprintf(devpath, sizeof(devpath), "%s/dev", path);
			d = dev(&plat, devpath);
			/* Sample every window edge of every level, and random points. */
			for (int s = 0; s < 64; s++) {
				uint64_t a, want, got;
				bool identity, ok;
				int lv = 1 + (int)(rb_rand() % levels);
				const struct rb_bus *b = &bus[lv];

				if (b->mode == RB_WINDOWS && s < 48) {
					unsigned int w = (unsigned int)(rb_rand() % b->nr);
					uint64_t edge[4] = { b->child[w], b->child[w] - 1,
							     b->child[w] + b->size[w] - 1,
							     b->child[w] + b->size[w] };
					a = edge[s % 4];
					if (s & 4)
						a = b->parent[w] + (a - b->child[w]);
				} else {
					a = rb_rand() % (0x200000000ull);
				}
				ok = rb_ref(bus, l, a, &want, &identity);
				assert_int_equal(identity, d->dma.identity);
				ret = dmp_of_dma_to_phys(&d->dma, a, &got);
				if (ok) {
					assert_int_equal(ret, 0);
					assert_true(got == want);
				} else {
					assert_int_equal(ret, -ERANGE);
				}
				checked++;
			}
		}
	}
	/* The generator must exercise both outcomes. */
	assert_true(parsed > 100);
	assert_true(refused > 10);
	assert_true(checked > 10000);
}

/*
 * Placement of dynamic reserved regions against a brute-force model: every
 * aligned base, from the top of each alloc-range down, until one is clear.
 */
#define PL_MIB 0x100000ull

struct pl_region {
	uint64_t base, size, align;
	unsigned int nr_ranges;
	uint64_t range_base[2], range_size[2];
	bool dynamic;
};

static bool pl_clear(const struct pl_region *r, unsigned int n, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < n; i++)
		if (base < r[i].base + r[i].size && r[i].base < base + size)
			return false;
	return true;
}

static void test_dynamic_placement_reference(void **state)
{
	static uint8_t fdt[16384];
	const uint64_t mem[2][2] = { { 0x40000000ull, 64 * PL_MIB }, { 0x100000000ull, 64 * PL_MIB } };
	unsigned int placed = 0, refused = 0;

	rb_seed = 0x51ed270b2a3c4d5eull;
	for (int iter = 0; iter < 300; iter++) {
		struct pl_region reg[8], done[8];
		unsigned int nr = 0, nr_done = 0;
		int want_fail = -1;
		struct dmp_of_error err;
		fdt64_t cells[8];
		char name[32];
		int ret;

		/* Static regions: valid by construction. */
		for (unsigned int k = (unsigned int)(rb_rand() % 4); k > 0; k--) {
			const uint64_t *m = mem[rb_rand() % 2];
			uint64_t size = (1 + rb_rand() % 8) * PL_MIB;
			uint64_t base = m[0] + (rb_rand() % 64) * PL_MIB;

			if (base + size > m[0] + m[1] || !pl_clear(reg, nr, base, size))
				continue;
			reg[nr++] = (struct pl_region){ .base = base, .size = size };
		}
		for (unsigned int k = 1 + (unsigned int)(rb_rand() % 4); k > 0; k--) {
			struct pl_region *r = &reg[nr++];

			memset(r, 0, sizeof(*r));
			r->dynamic = true;
			r->size = (1 + rb_rand() % 24) * PL_MIB;
			r->align = rb_rand() % 4 ? PL_MIB << (rb_rand() % 4) : 0;
			r->nr_ranges = (unsigned int)(rb_rand() % 3);
			for (unsigned int a = 0; a < r->nr_ranges; a++) {
				r->range_base[a] = mem[rb_rand() % 2][0] + (rb_rand() % 64) * PL_MIB;
				r->range_size[a] = (8 + rb_rand() % 80) * PL_MIB;
			}
		}

		/* The model. */
		for (unsigned int i = 0; i < nr; i++)
			if (!reg[i].dynamic)
				done[nr_done++] = reg[i];
		for (unsigned int i = 0; i < nr && want_fail < 0; i++) {
			struct pl_region *r = &reg[i];
			uint64_t align = r->align ? r->align : 4096;
			unsigned int na = r->nr_ranges ? r->nr_ranges : 1;
			bool ok = false;

			if (!r->dynamic)
				continue;
			for (unsigned int a = 0; a < na && !ok; a++)
				for (int m = 1; m >= 0 && !ok; m--) {
					uint64_t lo = mem[m][0], hi = mem[m][0] + mem[m][1]; /* exclusive */

					if (r->nr_ranges) {
						lo = DMP_MAX(lo, r->range_base[a]);
						hi = DMP_MIN(hi, r->range_base[a] + r->range_size[a]);
					}
					if (hi < lo + r->size)
						continue;
					for (uint64_t b = (hi - r->size) / align * align; b >= lo;
					     b -= align) {
						if (pl_clear(done, nr_done, b, r->size)) {
							r->base = b;
							ok = true;
							break;
						}
						if (b < align)
							break;
					}
				}
			if (ok)
				done[nr_done++] = *r;
			else
				want_fail = (int)i;
		}

		/* The tree. */
		assert_int_equal(fdt_create(fdt, sizeof(fdt)), 0);
		assert_int_equal(fdt_finish_reservemap(fdt), 0);
		assert_int_equal(fdt_begin_node(fdt, ""), 0);
		assert_int_equal(fdt_property_u32(fdt, "#address-cells", 2), 0);
		assert_int_equal(fdt_property_u32(fdt, "#size-cells", 2), 0);
		assert_int_equal(fdt_begin_node(fdt, "memory"), 0);
		assert_int_equal(fdt_property_string(fdt, "device_type", "memory"), 0);
		for (int m = 0; m < 2; m++) {
			cells[m * 2] = cpu_to_fdt64(mem[m][0]);
			cells[m * 2 + 1] = cpu_to_fdt64(mem[m][1]);
		}
		assert_int_equal(fdt_property(fdt, "reg", cells, 4 * sizeof(cells[0])), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
		assert_int_equal(fdt_begin_node(fdt, "reserved-memory"), 0);
		assert_int_equal(fdt_property_u32(fdt, "#address-cells", 2), 0);
		assert_int_equal(fdt_property_u32(fdt, "#size-cells", 2), 0);
		assert_int_equal(fdt_property(fdt, "ranges", NULL, 0), 0);
		for (unsigned int i = 0; i < nr; i++) {
			const struct pl_region *r = &reg[i];

			snprintf(name, sizeof(name), "r%u", i);
			assert_int_equal(fdt_begin_node(fdt, name), 0);
			assert_int_equal(fdt_property_string(fdt, "compatible", "shared-dma-pool"), 0);
			assert_int_equal(fdt_property(fdt, "reusable", NULL, 0), 0);
			if (!r->dynamic) {
				cells[0] = cpu_to_fdt64(r->base);
				cells[1] = cpu_to_fdt64(r->size);
				assert_int_equal(fdt_property(fdt, "reg", cells, 2 * sizeof(cells[0])), 0);
			} else {
				cells[0] = cpu_to_fdt64(r->size);
				assert_int_equal(fdt_property(fdt, "size", cells, sizeof(cells[0])), 0);
				if (r->align) {
					cells[0] = cpu_to_fdt64(r->align);
					assert_int_equal(fdt_property(fdt, "alignment", cells,
								      sizeof(cells[0])), 0);
				}
				for (unsigned int a = 0; a < r->nr_ranges; a++) {
					cells[a * 2] = cpu_to_fdt64(r->range_base[a]);
					cells[a * 2 + 1] = cpu_to_fdt64(r->range_size[a]);
				}
				if (r->nr_ranges)
					assert_int_equal(fdt_property(fdt, "alloc-ranges", cells,
								      (int)(r->nr_ranges * 2 *
									    sizeof(cells[0]))), 0);
			}
			assert_int_equal(fdt_end_node(fdt), 0);
		}
		assert_int_equal(fdt_end_node(fdt), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
		assert_int_equal(fdt_finish(fdt), 0);

		memset(&plat, 0xa5, sizeof(plat));
		ret = dmp_of_parse(fdt, sizeof(fdt), &plat, &err);
		if (want_fail >= 0) {
			snprintf(name, sizeof(name), "/reserved-memory/r%d", want_fail);
			assert_int_equal(ret, -ERANGE);
			assert_string_equal(err.path, name);
			assert_string_equal(err.property, "size");
			assert_memory_equal(&plat, &zero_plat, sizeof(plat));
			refused++;
			continue;
		}
		assert_int_equal(ret, 0);
		check_invariants(&plat);
		assert_int_equal(plat.nr_reserved, nr);
		for (unsigned int i = 0; i < nr; i++) {
			const struct dmp_of_reserved *r = &plat.reserved[i];

			assert_true(r->base == reg[i].base);
			assert_true(r->size == reg[i].size);
			assert_int_equal(r->is_static, !reg[i].dynamic);
			assert_true(r->base >= plat.memory[r->memory].base &&
				    r->base + r->size <=
					    plat.memory[r->memory].base + plat.memory[r->memory].size);
			/* Dynamic regions must not overlap anything either. */
			for (unsigned int j = 0; j < i; j++)
				assert_true(r->base + r->size <= plat.reserved[j].base ||
					    plat.reserved[j].base + plat.reserved[j].size <= r->base);
		}
		placed++;
	}
	assert_true(placed > 100);
	assert_true(refused > 5);
}

/* dmp_of_parse_file(): .dtb, .dts through dtc, and its failures. */
static void test_parse_file(void **state)
{
	char dts[512], dtb[] = "/tmp/dmp-test-of-file-XXXXXX";
	struct dmp_of_error err;
	size_t len;
	void *blob = compile_test_tree("base.dts", V_PLAIN, &len);
	int fd = mkstemp(dtb);
	FILE *f;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, blob, len), (ssize_t)len);
	close(fd);
	free(blob);

	assert_int_equal(dmp_of_parse_file(dtb, &plat, &err), 0);
	check_base(&plat, 0, 0);
	unlink(dtb);

	snprintf(dts, sizeof(dts), "%s/base.dts", of_dir());
	assert_int_equal(dmp_of_parse_file(dts, &plat, &err), 0);
	check_base(&plat, 0, 0);

	snprintf(dts, sizeof(dts), "%s/err-port-bits.dts", of_dir());
	assert_int_equal(dmp_of_parse_file(dts, &plat, &err), -EINVAL);
	assert_string_equal(err.property, "dmaport,port-bits");

	assert_int_equal(dmp_of_parse_file("/nonexistent/x.dtb", &plat, &err), -EIO);
	assert_int_equal(err.code, -EIO);
	assert_int_equal(dmp_of_parse_file("/nonexistent/x.dts", &plat, &err), -EIO);

	/* dtc refuses a syntax error. */
	char bad[] = "/tmp/dmp-test-of-bad-XXXXXX.dts";
	fd = mkstemps(bad, 4);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("/dts-v1/;\n/ { oops\n", f);
	fclose(f);
	memset(&plat, 0xa5, sizeof(plat));
	assert_int_equal(dmp_of_parse_file(bad, &plat, &err), -EIO);
	assert_memory_equal(&plat, &zero_plat, sizeof(plat));
	unlink(bad);
}

/* The dump names what it found. */
static void test_dump(void **state)
{
	struct dmp_of_error err;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	assert_int_equal(parse_tree(of_dir(), "pci.dts", V_PLAIN, &err), 0);
	f = open_memstream(&text, &size);
	assert_non_null(f);
	dmp_of_dump(&plat, f);
	fclose(f);
	assert_non_null(strstr(text, "memory: 2 region(s)"));
	assert_non_null(strstr(text, "outer cache: /cpus/l2-cache"));
	assert_non_null(strstr(text, "cma        /reserved-memory/cma@90000000"));
	assert_non_null(strstr(text, "restricted /reserved-memory/restricted@a8000000"));
	assert_non_null(strstr(text, "/soc/iommu@9050000 (dmaport,sim-iommu, sim)"));
	assert_non_null(strstr(text, "port mask 0xffffffffffff,"));
	assert_non_null(strstr(text, "behind iommu 0 (/soc/iommu@9050000), ids 0x10"));
	assert_non_null(strstr(text, "rid 0x0-0xff -> iommu 2 (/iommu@2b400000) sid 0x1000-0x10ff"));
	assert_non_null(strstr(text, "bus 0x0 -> cpu 0x80000000 size 0x40000000"));
	free(text);
}

/* Capacity: more devices than the description holds. */
static void test_capacity(void **state)
{
	static uint8_t fdt[65536];
	fdt64_t mem[2] = { cpu_to_fdt64(0x80000000ull), cpu_to_fdt64(0x40000000ull) };
	struct dmp_of_error err;
	char name[32];

	assert_int_equal(fdt_create(fdt, sizeof(fdt)), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_property_u32(fdt, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(fdt, "#size-cells", 2), 0);
	assert_int_equal(fdt_begin_node(fdt, "memory"), 0);
	assert_int_equal(fdt_property_string(fdt, "device_type", "memory"), 0);
	assert_int_equal(fdt_property(fdt, "reg", mem, sizeof(mem)), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	for (int i = 0; i <= DMP_OF_MAX_DEVICES; i++) {
		snprintf(name, sizeof(name), "dev%d", i);
		assert_int_equal(fdt_begin_node(fdt, name), 0);
		assert_int_equal(fdt_property_string(fdt, "compatible", "dmaport,probe"), 0);
		assert_int_equal(fdt_end_node(fdt), 0);
	}
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	memset(&plat, 0xa5, sizeof(plat));
	assert_int_equal(dmp_of_parse(fdt, sizeof(fdt), &plat, &err), -ENOMEM);
	snprintf(name, sizeof(name), "/dev%d", DMP_OF_MAX_DEVICES);
	assert_string_equal(err.path, name);
	assert_memory_equal(&plat, &zero_plat, sizeof(plat));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_buses),
		cmocka_unit_test(test_pci),
		cmocka_unit_test(test_cells1),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bad_blobs),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_dma_ranges_reference),
		cmocka_unit_test(test_dynamic_placement_reference),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
