/* SPDX-License-Identifier: MIT */
/*
 * of-reserved-mem.c - the allocators of a description's /reserved-memory
 * (Linux's drivers/of/of_reserved_mem.c with the shared-dma-pool handlers of
 * kernel/dma/contiguous.c and coherent.c, and restricted-dma-pool of
 * kernel/dma/swiotlb.c).  See <dmaport/of-device.h>.
 */
#include <stdio.h>
#include <string.h>

#include <dmaport/cma.h>
#include <dmaport/coherent.h>
#include <dmaport/of-device.h>
#include <dmaport/platform.h>
#include <dmaport/swiotlb.h>

int dmp_of_error_set(struct dmp_of_error *err, int code, const char *path, const char *prop,
		     const char *msg)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->code = code;
		snprintf(err->path, sizeof(err->path), "%s", path ? path : "/");
		snprintf(err->property, sizeof(err->property), "%s", prop ? prop : "");
		snprintf(err->message, sizeof(err->message), "%s", msg);
	}
	return code;
}

bool dmp_of_iommu_compatible(const struct dmp_of_iommu *m, const char *compat)
{
	for (unsigned int i = 0; i < m->compatibles_len; i += (unsigned int)strlen(m->compatibles + i) + 1)
		if (!strcmp(m->compatibles + i, compat))
			return true;
	return false;
}

const char *dmp_of_node_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* A restricted-dma-pool: its own bounce pool, which only the devices that
 * name it use (Linux's rmem_swiotlb_device_init). */
static int restricted_pool(struct dmp_of_machine *m, unsigned int i, struct dmp_of_error *err)
{
	const struct dmp_of_reserved *r = &m->desc->reserved[i];
	struct dmp_swiotlb_pool *pool = dmp__meta_alloc(sizeof(*pool));
	if (!pool)
		return dmp_of_error_set(err, -ENOMEM, r->path, "", "out of memory");
	memset(pool, 0, sizeof(*pool));
	int e = dmp_swiotlb_pool_init_range(pool, dmp_of_node_name(r->path), r->base,
					    (size_t)r->size, 1);
	if (e) {
		dmp__meta_free(pool, sizeof(*pool));
		return dmp_of_error_set(err, e, r->path, "reg", "cannot make the bounce pool");
	}
	m->restricted[i] = pool;
	return 0;
}

int dmp_of_reserved_mem_init(struct dmp_of_machine *m, const struct dmp_of_platform *desc,
			     struct dmp_of_error *err)
{
	m->desc = desc;
	for (unsigned int i = 0; i < desc->nr_reserved; i++) {
		const struct dmp_of_reserved *r = &desc->reserved[i];
		const char *where = r->is_static ? "reg" : "size";
		int e;
		if (r->kind == DMP_OF_RMEM_CMA) {
			/* CMA reserves its own area (and gives it back on destroy) */
			e = dmp_cma_declare(r->base, (size_t)r->size, DMP_PHYS_ANY, 0, 0,
					    dmp_of_node_name(r->path), &m->cma[i]);
			if (e)
				return dmp_of_error_set(err, e, r->path, where,
							"cannot make the CMA area");
			if (r->cma_default)
				dmp_cma_set_default(m->cma[i]);
			continue;
		}
		e = dmp_mem_reserve(r->base, (size_t)DMP_ALIGN_UP(r->size, DMP_PAGE_SIZE));
		if (e)
			return dmp_of_error_set(err, e, r->path, where,
						"cannot reserve the region");
		if (r->kind == DMP_OF_RMEM_COHERENT && r->dma_default) {
			e = dmp_dma_declare_global_coherent(r->base, (size_t)r->size);
			if (e)
				return dmp_of_error_set(err, e, r->path, "linux,dma-default",
							"cannot make the global coherent pool");
			m->global_coherent = true;
		}
		if (r->kind == DMP_OF_RMEM_RESTRICTED) {
			e = restricted_pool(m, i, err);
			if (e)
				return e;
		}
	}
	return 0;
}

void dmp_of_reserved_mem_release(struct dmp_of_machine *m, bool *leaked, bool *bounce_leaked)
{
	for (unsigned int i = 0; i < DMP_OF_MAX_RESERVED; i++) {
		if (!m->restricted[i])
			continue;
		if (dmp_swiotlb_pool_destroy(m->restricted[i]) == 0)
			dmp__meta_free(m->restricted[i], sizeof(*m->restricted[i]));
		else
			*bounce_leaked = true; /* its struct too: the registry forgets it */
		m->restricted[i] = NULL;
	}
	for (unsigned int i = 0; i < DMP_OF_MAX_RESERVED; i++) {
		if (!m->cma[i])
			continue;
		if (dmp_cma_get_default() == m->cma[i])
			dmp_cma_set_default(NULL);
		*leaked |= dmp_cma_destroy(m->cma[i]) != 0;
		m->cma[i] = NULL;
	}
	if (m->global_coherent)
		*leaked |= dmp_dma_release_global_coherent() != 0;
	m->global_coherent = false;
}
