/*
 * lv_buf.h - the one growable byte buffer, always with a maximum.
 *
 * Modelled on curl's dynbuf: a buffer is given the largest size it may ever
 * reach when it is initialised; an append that would pass it fails with
 * LV_ETOOBIG and leaves the buffer as it was. The contents are always
 * NUL-terminated (the terminator is not counted in len), so text can be used
 * as a C string directly. Memory is owned by the buffer until lv_buf_take().
 */
#ifndef LV_BUF_H
#define LV_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct lv_buf {
	char *data;   /* NULL until the first append */
	size_t len;   /* bytes used, not counting the NUL */
	size_t cap;   /* bytes allocated */
	size_t max;   /* the most len may ever be */
};

/* Prepares b (memory the caller owns) to hold at most max bytes. */
void lv_buf_init(struct lv_buf *b, size_t max);
/* Frees the contents; b may be reused after another lv_buf_init. */
void lv_buf_cleanup(struct lv_buf *b);
/* Empties b, keeping its memory. */
void lv_buf_reset(struct lv_buf *b);

int lv_buf_append(struct lv_buf *b, const void *p, size_t n);
int lv_buf_append_str(struct lv_buf *b, const char *s);
int lv_buf_append_char(struct lv_buf *b, char c);
int lv_buf_printf(struct lv_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int lv_buf_vprintf(struct lv_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Appends s with &, <, >, ", ' and ` replaced by entities (HTML text/attr). */
int lv_buf_append_html(struct lv_buf *b, const char *s, size_t n);

/* The contents as a C string ("" when empty). Owned by b. */
const char *lv_buf_str(const struct lv_buf *b);

/*
 * Hands the contents to the caller (free with lv_free) and leaves b empty.
 * Never returns NULL: an empty buffer yields "".
 */
char *lv_buf_take(struct lv_buf *b);

#endif
