/* SPDX-License-Identifier: MIT */
/*
 * lib.c - small library routines of the Linux-compat runtime: kstrto*.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/kstrtox.h>

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
