/*
 * lv_mem.c - allocation wrappers that abort on exhaustion (see lv_mem.h).
 */
#include "lv_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void mem_oom(size_t n)
{
	fprintf(stderr, "livery: out of memory allocating %zu bytes\n", n);
	abort();
}

void *lv_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		mem_oom(n);
	return p;
}

void *lv_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		mem_oom(count * size);
	return p;
}

void *lv_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		mem_oom(n);
	return q;
}

char *lv_strdup(const char *s)
{
	return lv_strndup(s, strlen(s));
}

char *lv_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = lv_malloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void lv_free(void *p)
{
	free(p);
}

size_t lv_strlcpy(char *dst, const char *src, size_t dstlen)
{
	size_t len = strlen(src);

	if (dstlen > 0) {
		size_t n = len < dstlen - 1 ? len : dstlen - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int lv_snprintf(char *dst, size_t dstlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, dstlen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= dstlen)
		return -1;
	return n;
}
