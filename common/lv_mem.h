/*
 * lv_mem.h - allocation with one decision about running out of memory.
 *
 * Livery, like Redis and Kore, does not try to limp on when malloc fails:
 * every allocation goes through these wrappers, which log and abort. Callers
 * therefore never check for NULL from them. lv_free(NULL) is a no-op.
 */
#ifndef LV_MEM_H
#define LV_MEM_H

#include <stddef.h>

void *lv_malloc(size_t n);
void *lv_calloc(size_t count, size_t size);
void *lv_realloc(void *p, size_t n);
char *lv_strdup(const char *s);
/* Copies at most n bytes of s and NUL-terminates the copy. */
char *lv_strndup(const char *s, size_t n);
void lv_free(void *p);

/*
 * Copies src into dst (of size dstlen, > 0), truncating; always
 * NUL-terminates. Returns the length of src, so truncation is
 * ret >= dstlen (the strlcpy contract).
 */
size_t lv_strlcpy(char *dst, const char *src, size_t dstlen);

/* snprintf that always NUL-terminates and reports truncation as -1. */
int lv_snprintf(char *dst, size_t dstlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
