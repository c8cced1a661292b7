/*
 * lv_buf.c - bounded growable buffer (see lv_buf.h).
 */
#include "lv_buf.h"

#include <stdio.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"

void lv_buf_init(struct lv_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void lv_buf_cleanup(struct lv_buf *b)
{
	lv_free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void lv_buf_reset(struct lv_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Makes room for n more bytes plus the NUL. */
static int buf_reserve(struct lv_buf *b, size_t n)
{
	size_t need, cap;

	if (n > b->max || b->len > b->max - n)
		return LV_ETOOBIG;
	need = b->len + n + 1;
	if (need <= b->cap)
		return LV_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	b->data = lv_realloc(b->data, cap);
	b->cap = cap;
	return LV_OK;
}

int lv_buf_append(struct lv_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc != LV_OK)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return LV_OK;
}

int lv_buf_append_str(struct lv_buf *b, const char *s)
{
	return lv_buf_append(b, s, strlen(s));
}

int lv_buf_append_char(struct lv_buf *b, char c)
{
	return lv_buf_append(b, &c, 1);
}

int lv_buf_vprintf(struct lv_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return LV_EINTERNAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc != LV_OK)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return LV_OK;
}

int lv_buf_printf(struct lv_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lv_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int lv_buf_append_html(struct lv_buf *b, const char *s, size_t n)
{
	size_t i, start = 0;
	int rc = LV_OK;

	for (i = 0; i < n && rc == LV_OK; i++) {
		const char *ent = NULL;

		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		case '`': ent = "&#96;"; break;
		default: continue;
		}
		rc = lv_buf_append(b, s + start, i - start);
		if (rc == LV_OK)
			rc = lv_buf_append_str(b, ent);
		start = i + 1;
	}
	if (rc == LV_OK)
		rc = lv_buf_append(b, s + start, n - start);
	return rc;
}

const char *lv_buf_str(const struct lv_buf *b)
{
	return b->data ? b->data : "";
}

char *lv_buf_take(struct lv_buf *b)
{
	char *p = b->data ? b->data : lv_strdup("");

	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
