/* SPDX-License-Identifier: MIT */
/*
 * of-dump.c - printing a platform description (dmaport-sim dump) and its
 * parse errors.
 */
#include <string.h>

#include <dmaport/of.h>

#include "../internal.h"

const char *dmp_of_rmem_kind_name(enum dmp_of_rmem_kind kind)
{
	switch (kind) {
	case DMP_OF_RMEM_CMA:
		return "cma";
	case DMP_OF_RMEM_COHERENT:
		return "coherent";
	case DMP_OF_RMEM_RESTRICTED:
		return "restricted";
	case DMP_OF_RMEM_OTHER:
		break;
	}
	return "other";
}

static const char *of_errno_name(int code)
{
	switch (-code) {
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case EEXIST:
		return "EEXIST";
	case ERANGE:
		return "ERANGE";
	case ENOMEM:
		return "ENOMEM";
	case EIO:
		return "EIO";
	case EFBIG:
		return "EFBIG";
	case EBUSY:
		return "EBUSY";
	case ENODEV:
		return "ENODEV";
	case EFAULT:
		return "EFAULT";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	}
	return "?";
}

void dmp_of_error_format(const struct dmp_of_error *err, char *buf, size_t len)
{
	DMP_ASSERT(err && buf);
	snprintf(buf, len, "%s%s%s%s%s (%s)", err->path[0] ? err->path : "device tree",
		 err->property[0] ? ": " : "", err->property, ": ", err->message,
		 of_errno_name(err->code));
}

static void of_dump_size(FILE *f, uint64_t size)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u + 1 < DMP_ARRAY_SIZE(unit) && size >= 1024 && !(size & 1023)) {
		size >>= 10;
		u++;
	}
	fprintf(f, "%llu %s", (unsigned long long)size, unit[u]);
}

static void of_dump_range(FILE *f, dmp_phys_t base, uint64_t size)
{
	fprintf(f, "[0x%llx-0x%llx] (", (unsigned long long)base,
		(unsigned long long)(base + (size - 1)));
	of_dump_size(f, size);
	fputc(')', f);
}

static void of_dump_dma(FILE *f, const struct dmp_of_dma_map *m, unsigned int port_bits)
{
	dmp_addr_t port_mask = DMP_BIT_MASK(port_bits);

	fprintf(f, "    port mask 0x%llx, bus limit 0x%llx, reachable bus addresses up to 0x%llx\n",
		(unsigned long long)port_mask, (unsigned long long)m->bus_limit,
		(unsigned long long)DMP_MIN(port_mask, m->bus_limit));
	if (m->identity) {
		fprintf(f, "    dma-ranges: none (bus address = CPU address)\n");
		return;
	}
	fprintf(f, "    dma-ranges (from %s):\n", m->source);
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct dmp_of_dma_range *r = &m->r[i];

		fprintf(f, "      bus 0x%llx -> cpu 0x%llx size 0x%llx (offset %s0x%llx)\n",
			(unsigned long long)r->dma_addr, (unsigned long long)r->cpu_addr,
			(unsigned long long)r->size, r->cpu_addr >= r->dma_addr ? "+" : "-",
			(unsigned long long)(r->cpu_addr >= r->dma_addr ? r->cpu_addr - r->dma_addr
									: r->dma_addr - r->cpu_addr));
	}
}

static const char *of_iommu_kind_name(enum dmp_of_iommu_kind kind)
{
	return kind == DMP_OF_IOMMU_SIM ? "sim" : kind == DMP_OF_IOMMU_SMMUV3 ? "smmu-v3" : "other";
}

void dmp_of_dump(const struct dmp_of_platform *plat, FILE *f)
{
	const struct dmp_of_cache *k = &plat->cache;

	DMP_ASSERT(plat && f);
	fprintf(f, "platform: %s (#address-cells %u, #size-cells %u)\n",
		plat->model[0] ? plat->model : "(no model)", plat->addr_cells, plat->size_cells);

	fprintf(f, "memory: %u region(s)\n", plat->nr_memory);
	for (unsigned int i = 0; i < plat->nr_memory; i++) {
		fprintf(f, "  %u: ", i);
		of_dump_range(f, plat->memory[i].base, plat->memory[i].size);
		fputc('\n', f);
	}

	fprintf(f, "caches: L1 line %u bytes%s; outer cache: ", k->line_size,
		k->line_size_from_dt ? "" : " (default)");
	if (k->outer_cache) {
		fprintf(f, "%s", k->outer_path);
		if (k->outer_size) {
			fputs(", ", f);
			of_dump_size(f, k->outer_size);
		}
		if (k->outer_line_size)
			fprintf(f, ", line %u", k->outer_line_size);
		fprintf(f, "%s\n", k->outer_unified ? ", unified" : "");
	} else {
		fprintf(f, "none\n");
	}

	fprintf(f, "reserved memory: %u region(s)\n", plat->nr_reserved);
	for (unsigned int i = 0; i < plat->nr_reserved; i++) {
		const struct dmp_of_reserved *r = &plat->reserved[i];

		fprintf(f, "  %u: %-10s %s\n     ", i, dmp_of_rmem_kind_name(r->kind), r->path);
		if (r->is_static) {
			of_dump_range(f, r->base, r->size);
			fprintf(f, " in memory %u", r->memory);
		} else {
			of_dump_range(f, r->base, r->size);
			fprintf(f, " in memory %u, dynamic", r->memory);
			if (r->alignment)
				fprintf(f, " aligned 0x%llx", (unsigned long long)r->alignment);
			for (unsigned int a = 0; a < r->nr_alloc_ranges; a++) {
				fputs(a ? ", " : " within ", f);
				of_dump_range(f, r->alloc_ranges[a].base, r->alloc_ranges[a].size);
			}
		}
		fprintf(f, "%s%s%s%s\n", r->no_map ? " no-map" : "", r->reusable ? " reusable" : "",
			r->cma_default ? " linux,cma-default" : "",
			r->dma_default ? " linux,dma-default" : "");
	}

	fprintf(f, "iommus: %u\n", plat->nr_iommus);
	for (unsigned int i = 0; i < plat->nr_iommus; i++) {
		const struct dmp_of_iommu *m = &plat->iommus[i];

		fprintf(f, "  %u: %s (%s, %s), #iommu-cells %u", i, m->path,
			m->compatible[0] ? m->compatible : "no compatible", of_iommu_kind_name(m->kind),
			m->cells);
		if (m->has_reg) {
			fputs(", regs ", f);
			of_dump_range(f, m->reg.base, m->reg.size);
		}
		fputc('\n', f);
	}

	fprintf(f, "devices: %u\n", plat->nr_devices);
	for (unsigned int i = 0; i < plat->nr_devices; i++) {
		const struct dmp_of_device *d = &plat->devices[i];

		fprintf(f, "  %u: %s (%s)\n", i, d->path, d->compatible);
		if (d->has_reg) {
			fputs("    regs ", f);
			of_dump_range(f, d->reg.base, d->reg.size);
			fputc('\n', f);
		}
		fprintf(f, "    port %u bits%s, %s\n", d->port_bits,
			d->port_bits_from_dt ? "" : " (default)",
			d->coherent ? "coherent" : "non-coherent");
		of_dump_dma(f, &d->dma, d->port_bits);
		for (unsigned int j = 0; j < d->nr_iommus; j++) {
			const struct dmp_of_iommu_ref *ref = &d->iommus[j];

			fprintf(f, "    behind iommu %u (%s)", ref->iommu, plat->iommus[ref->iommu].path);
			for (unsigned int a = 0; a < ref->nr_args; a++)
				fprintf(f, "%s0x%x", a ? " " : ", ids ", ref->args[a]);
			fputc('\n', f);
		}
		for (unsigned int j = 0; j < d->nr_mem_regions; j++) {
			const struct dmp_of_reserved *r = &plat->reserved[d->mem_regions[j]];

			fprintf(f, "    memory-region %u: %s (%s)\n", d->mem_regions[j], r->path,
				dmp_of_rmem_kind_name(r->kind));
		}
		if (d->nr_irq_cells) {
			fputs("    interrupts", f);
			for (unsigned int j = 0; j < d->nr_irq_cells; j++)
				fprintf(f, " %u", d->irq[j]);
			fputc('\n', f);
		}
	}

	fprintf(f, "pci host bridges: %u\n", plat->nr_pci_hosts);
	for (unsigned int i = 0; i < plat->nr_pci_hosts; i++) {
		const struct dmp_of_pci_host *h = &plat->pci_hosts[i];

		fprintf(f, "  %u: %s (%s), %s\n", i, h->path,
			h->compatible[0] ? h->compatible : "no compatible",
			h->coherent ? "coherent" : "non-coherent");
		if (h->has_reg) {
			fputs("    regs ", f);
			of_dump_range(f, h->reg.base, h->reg.size);
			fputc('\n', f);
		}
		of_dump_dma(f, &h->dma, 64);
		if (h->nr_iommu_map)
			fprintf(f, "    iommu-map-mask 0x%x\n", h->iommu_map_mask);
		for (unsigned int j = 0; j < h->nr_iommu_map; j++) {
			const struct dmp_of_iommu_map *e = &h->iommu_map[j];

			fprintf(f, "    rid 0x%x-0x%x -> iommu %u (%s) sid 0x%x-0x%x\n", e->rid_base,
				e->rid_base + (e->length - 1), e->iommu, plat->iommus[e->iommu].path,
				e->iommu_base, e->iommu_base + (e->length - 1));
		}
	}
}
