/* SPDX-License-Identifier: MIT */
/*
 * libc.c - the few C library functions dmaport and the port use, for a
 * freestanding build: memcpy, memmove, memset, memcmp, strlen, strcmp,
 * strncmp, vsnprintf and snprintf.
 *
 * GCC may emit calls to memcpy/memset/memmove/memcmp itself (struct copies,
 * zero-initialisation) even with -ffreestanding, so these must exist.  They
 * are simple byte loops with a word fast path for aligned buffers: the port
 * moves kilobytes, not gigabytes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	/* 8 bytes at a time only when both are aligned: -mstrict-align. */
	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards. */
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint8_t b = (uint8_t)c;
	while (n && ((uintptr_t)d & 7)) {
		*d++ = b;
		n--;
	}
	uint64_t w = 0x0101010101010101ull * b;
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)(void *)d = w;
	while (n--)
		*d++ = b;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

/*
 * vsnprintf: flags - 0 # + space, width and precision (numbers or *),
 * length modifiers hh h l ll z j t, conversions d i u x X o p s c %.
 * Returns the length the full output would have had, as C99 says.
 */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, alt, plus, space;
	int width;
	int prec; /* -1: none */
};

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	int n = 0;
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - n);
}

static void put_num(struct out *o, const struct spec *sp, unsigned long long v, bool neg,
		    unsigned base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int nd = 0;
	do {
		tmp[nd++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->prec == 0 && nd == 1 && tmp[0] == '0')
		nd = 0; /* "%.0d" of 0 prints nothing */
	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	int plen = (int)strlen(prefix) + (sign ? 1 : 0);
	int zeros = sp->prec > nd ? sp->prec - nd : 0;
	int total = plen + zeros + nd;
	/* The 0 flag is ignored with a precision or with -. */
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		pad(o, ' ', sp->width - total);
	if (sign)
		put(o, sign);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	pad(o, '0', zeros);
	while (nd)
		put(o, tmp[--nd]);
	if (sp->left)
		pad(o, ' ', sp->width - total);
}

enum len { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE };

static unsigned long long arg_unsigned(va_list *ap, enum len l)
{
	switch (l) {
	case L_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
	case L_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
	case L_LONG: return va_arg(*ap, unsigned long);
	case L_LLONG: return va_arg(*ap, unsigned long long);
	case L_SIZE: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(va_list *ap, enum len l)
{
	switch (l) {
	case L_CHAR: return (signed char)va_arg(*ap, int);
	case L_SHORT: return (short)va_arg(*ap, int);
	case L_LONG: return va_arg(*ap, long);
	case L_LLONG: return va_arg(*ap, long long);
	case L_SIZE: return (long long)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		struct spec sp = { .prec = -1 };
		for (;; f++) {
			char c = f[1];
			if (c == '-') sp.left = true;
			else if (c == '0') sp.zero = true;
			else if (c == '#') sp.alt = true;
			else if (c == '+') sp.plus = true;
			else if (c == ' ') sp.space = true;
			else break;
		}
		f++;
		if (*f == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp.width = sp.width * 10 + (*f++ - '0');
		if (*f == '.') {
			f++;
			sp.prec = 0;
			if (*f == '*') {
				sp.prec = va_arg(ap, int);
				f++;
			}
			while (*f >= '0' && *f <= '9')
				sp.prec = sp.prec * 10 + (*f++ - '0');
		}
		enum len l = L_INT;
		if (*f == 'h') {
			l = L_SHORT;
			if (*++f == 'h') {
				l = L_CHAR;
				f++;
			}
		} else if (*f == 'l') {
			l = L_LONG;
			if (*++f == 'l') {
				l = L_LLONG;
				f++;
			}
		} else if (*f == 'z' || *f == 'j' || *f == 't') {
			l = *f == 'j' ? L_LLONG : L_SIZE;
			f++;
		}
		switch (*f) {
		case 'd':
		case 'i': {
			long long v = arg_signed(&ap, l);
			unsigned long long m = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
			put_num(&o, &sp, m, v < 0, 10, false, "");
			break;
		}
		case 'u':
			put_num(&o, &sp, arg_unsigned(&ap, l), false, 10, false, "");
			break;
		case 'x':
		case 'X': {
			unsigned long long v = arg_unsigned(&ap, l);
			const char *pre = sp.alt && v ? (*f == 'x' ? "0x" : "0X") : "";
			put_num(&o, &sp, v, false, 16, *f == 'X', pre);
			break;
		}
		case 'o':
			put_num(&o, &sp, arg_unsigned(&ap, l), false, 8, false, sp.alt ? "0" : "");
			break;
		case 'p':
			put_num(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false, "0x");
			break;
		case 's':
			put_str(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char s[2] = { (char)va_arg(ap, int), 0 };
			sp.prec = 1;
			put_str(&o, &sp, s);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--; /* a lone % at the end */
			break;
		default: /* unknown: print it as is */
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
