/* SPDX-License-Identifier: MIT */
/*
 * lib.c - small library routines of the Linux-compat runtime: kstrto*.
 */
#include <ctype.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/kstrtox.h>

#include <linux/bitops.h>

#include "runtime.h"

/* Linux's _parse_integer rules: base 0 reads 0x and 0 prefixes; one
 * trailing newline; nothing else after the digits. */
int dmp_lx_kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	if (*s == '+')
		s++;
	if (base == 0) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
			base = 16;
			s += 2;
		} else if (s[0] == '0') {
			base = 8;
		} else {
			base = 10;
		}
	} else if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
	}
	unsigned long long v = 0;
	const char *start = s;
	for (; *s; s++) {
		unsigned int d;
		if (isdigit((unsigned char)*s))
			d = (unsigned int)(*s - '0');
		else if (isalpha((unsigned char)*s))
			d = (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);
		else
			break;
		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (s == start)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = v;
	return 0;
}

int dmp_lx_kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long v;
	int e;
	if (s[0] == '-') {
		e = dmp_lx_kstrtoull(s + 1, base, &v);
		if (e)
			return e;
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*res = (long long)(0 - v);
		return 0;
	}
	e = dmp_lx_kstrtoull(s, base, &v);
	if (e)
		return e;
	if (v > LLONG_MAX)
		return -ERANGE;
	*res = (long long)v;
	return 0;
}

int kstrtobool(const char *s, bool *res)
{
	if (!s)
		return -EINVAL;
	switch (s[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case 'f': case 'F': case '0':
		*res = false;
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

/* --- CRCs (<linux/crc32.h>), bit at a time: small and obviously right ------ */

#include <linux/crc32.h>

static u32 crc_reflected(u32 crc, const void *p, size_t len, u32 poly)
{
	const u8 *b = p;
	while (len--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (poly & (0u - (crc & 1)));
	}
	return crc;
}

u32 crc32_le(u32 crc, const void *p, size_t len)
{
	return crc_reflected(crc, p, len, 0xedb88320u);
}

u32 crc32c(u32 crc, const void *p, size_t len)
{
	return crc_reflected(crc, p, len, 0x82f63b78u);
}

u32 crc32_be(u32 crc, const void *p, size_t len)
{
	const u8 *b = p;
	while (len--) {
		crc ^= (u32)*b++ << 24;
		for (int k = 0; k < 8; k++)
			crc = (crc << 1) ^ (0x04c11db7u & (0u - (crc >> 31)));
	}
	return crc;
}

/* --- random numbers (<linux/random.h>): xorshift64*, reseeded per machine --- */

#include <linux/random.h>
#include <linux/idr.h>
#include <linux/uaccess.h>
#include <linux/cpumask.h>

static u64 rng_state = 0x9e3779b97f4a7c15ull;

void dmp_lx_random_reseed(void)
{
	rng_state = 0x9e3779b97f4a7c15ull;
}

u64 dmp_lx_random_u64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;
	while (len) {
		u64 v = dmp_lx_random_u64();
		size_t n = len < 8 ? len : 8;
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

const struct cpumask dmp_lx_cpu_mask_one = { { 1UL } };

void *dmp_lx_memdup_user(const void __user *src, size_t len)
{
	void *p = kmalloc(len, GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(p, src, len)) {
		kfree(p);
		return ERR_PTR(-EFAULT);
	}
	return p;
}

/* --- IDA and IDR (<linux/idr.h>): bitmaps and arrays that grow ------------- */

static int ida_grow(struct ida *ida, unsigned int nbits)
{
	if (nbits <= ida->nbits)
		return 0;
	unsigned int n = ida->nbits ? ida->nbits : 64;
	while (n < nbits)
		n *= 2;
	unsigned long *b = realloc(ida->bits, n / 8);
	if (!b)
		return -ENOMEM;
	memset((char *)b + ida->nbits / 8, 0, (n - ida->nbits) / 8);
	ida->bits = b;
	ida->nbits = n;
	return 0;
}

int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max, gfp_t gfp)
{
	(void)gfp;
	if (min > max || max > INT_MAX)
		return -EINVAL;
	for (unsigned long id = min; id <= max; id++) {
		if (id >= ida->nbits && ida_grow(ida, (unsigned int)id + 1))
			return -ENOMEM;
		if (!test_bit(id, ida->bits)) {
			__set_bit(id, ida->bits);
			return (int)id;
		}
	}
	return -ENOSPC;
}

void ida_free(struct ida *ida, unsigned int id)
{
	if (id >= ida->nbits || !test_bit(id, ida->bits)) {
		WARN(1, "ida_free called for id=%u which is not allocated", id);
		return;
	}
	__clear_bit(id, ida->bits);
}

void ida_destroy(struct ida *ida)
{
	free(ida->bits);
	ida->bits = NULL;
	ida->nbits = 0;
}

bool ida_is_empty(const struct ida *ida)
{
	for (unsigned int i = 0; i < ida->nbits; i++)
		if (test_bit(i, ida->bits))
			return false;
	return true;
}

static int idr_slot(struct idr *idr, unsigned int id)
{
	unsigned int i = id - idr->base;
	if (i < idr->n)
		return 0;
	unsigned int n = idr->n ? idr->n : 16;
	while (n <= i)
		n *= 2;
	void **p = realloc(idr->ptrs, n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p + idr->n, 0, (n - idr->n) * sizeof(*p));
	idr->ptrs = p;
	idr->n = n;
	return 0;
}

/* Linux's: an ID in [start, end) (end <= 0: no limit), the smallest free. */
int idr_alloc(struct idr *idr, void *ptr, int start, int end, gfp_t gfp)
{
	(void)gfp;
	if (start < 0)
		return -EINVAL;
	unsigned int lo = (unsigned int)start < idr->base ? idr->base : (unsigned int)start;
	unsigned int hi = end > 0 ? (unsigned int)end : (unsigned int)INT_MAX + 1u;
	for (unsigned int id = lo; id < hi; id++) {
		if (idr_slot(idr, id))
			return -ENOMEM;
		if (!idr->ptrs[id - idr->base]) {
			/* a NULL pointer still takes the ID: mark it */
			idr->ptrs[id - idr->base] = ptr ? ptr : (void *)&idr->ptrs;
			return (int)id;
		}
	}
	return -ENOSPC;
}

int idr_alloc_cyclic(struct idr *idr, void *ptr, int start, int end, gfp_t gfp)
{
	int from = (int)idr->next > start ? (int)idr->next : start;
	int id = idr_alloc(idr, ptr, from, end, gfp);
	if (id == -ENOSPC && from > start)
		id = idr_alloc(idr, ptr, start, end, gfp);
	if (id >= 0)
		idr->next = (unsigned int)id + 1;
	return id;
}

void *idr_find(const struct idr *idr, unsigned long id)
{
	if (id < idr->base || id - idr->base >= idr->n)
		return NULL;
	void *p = idr->ptrs[id - idr->base];
	return p == (void *)&idr->ptrs ? NULL : p;
}

void *idr_remove(struct idr *idr, unsigned long id)
{
	void *p = idr_find(idr, id);
	if (id >= idr->base && id - idr->base < idr->n)
		idr->ptrs[id - idr->base] = NULL;
	return p;
}

void *idr_replace(struct idr *idr, void *ptr, unsigned long id)
{
	if (id < idr->base || id - idr->base >= idr->n || !idr->ptrs[id - idr->base])
		return ERR_PTR(-ENOENT);
	void *old = idr_find(idr, id);
	idr->ptrs[id - idr->base] = ptr ? ptr : (void *)&idr->ptrs;
	return old;
}

void *idr_get_next(struct idr *idr, int *nextid)
{
	for (unsigned int id = (unsigned int)*nextid; id - idr->base < idr->n; id++) {
		if (id < idr->base)
			continue;
		void *p = idr->ptrs[id - idr->base];
		if (p && p != (void *)&idr->ptrs) {
			*nextid = (int)id;
			return p;
		}
	}
	return NULL;
}

void idr_destroy(struct idr *idr)
{
	free(idr->ptrs);
	idr->ptrs = NULL;
	idr->n = 0;
}
