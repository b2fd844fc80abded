/* SPDX-License-Identifier: MIT */
/*
 * meta-alloc.c - the metadata allocator on bare metal (<dmaport/port.h>:
 * dmp__meta_alloc; hosted builds use libc): dmaport's arena allocator
 * (struct dmp_meta_arena) over a static megabyte.
 */
#include <dmaport/platform.h>

static _Alignas(DMP_META_ALIGN) uint8_t meta_mem[1u << 20];
static struct dmp_meta_arena meta = DMP_META_ARENA_INIT(meta_mem, sizeof(meta_mem));

void *dmp__meta_alloc(size_t size)
{
	return dmp_meta_arena_alloc(&meta, size);
}

void dmp__meta_free(void *p, size_t size)
{
	dmp_meta_arena_free(&meta, p, size);
}
