/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_http_parse.c - forms, cookies, Accept-Language, URL encoding and the
 * input checks that go with them (see lv_http_parse.h).
 *
 * Everything here reads text a client chose, so every loop is bounded by a
 * length it was given or measured, decoding never writes more bytes than it
 * read, and a refusal says which field was wrong without echoing it.
 */
#include "lv_http_parse.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_parse.h"

/* ------------------------------------------------------------------ UTF-8 */

int lv_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, len;
	int ok = 1;

	while (i < n && ok) {
		unsigned char c = p[i];
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0)
				lo = 0xa0; /* overlong */
			else if (c == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0)
				lo = 0x90; /* overlong */
			else if (c == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
		} else {
			ok = 0; /* continuation byte, C0, C1 or F5..FF */
			break;
		}
		if (n - i < len) {
			ok = 0;
			break;
		}
		if (p[i + 1] < lo || p[i + 1] > hi)
			ok = 0;
		for (k = 2; k < len && ok; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				ok = 0;
		i += len;
	}
	return ok;
}

/* ------------------------------------------------------------------ forms */

void lv_kvlist_init(struct lv_kvlist *l)
{
	l->items = NULL;
	l->n = 0;
	l->cap = 0;
}

void lv_kvlist_cleanup(struct lv_kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		lv_free(l->items[i].key);
		lv_free(l->items[i].val);
	}
	lv_free(l->items);
	lv_kvlist_init(l);
}

static void kvlist_push(struct lv_kvlist *l, char *key, char *val)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = lv_realloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->n].key = key;
	l->items[l->n].val = val;
	l->n++;
}

const char *lv_kvlist_get(const struct lv_kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].val;
	return NULL;
}

size_t lv_kvlist_count(const struct lv_kvlist *l, const char *key)
{
	size_t i, count = 0;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			count++;
	return count;
}

/*
 * Decodes one key or value (len bytes at p). OUT: *dst, a new string the
 * caller frees (also on error). Returns NULL, or why the text is refused.
 */
static const char *form_decode(const char *p, size_t len, int is_key,
			       char **dst)
{
	char *d = lv_malloc(len + 1);
	const char *why = NULL;
	size_t i, n = 0;

	*dst = d;
	for (i = 0; i < len && why == NULL; i++) {
		int hi, lo;

		if (p[i] == '+') {
			d[n++] = ' ';
		} else if (p[i] != '%') {
			d[n++] = p[i];
		} else if (len - i < 3 || (hi = lv_hex_digit(p[i + 1])) < 0 ||
			   (lo = lv_hex_digit(p[i + 2])) < 0) {
			why = "invalid percent escape";
		} else {
			d[n++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	d[n] = '\0';
	if (why == NULL && memchr(d, '\0', n) != NULL)
		why = "NUL byte";
	if (why == NULL && !lv_utf8_valid(d, n))
		why = "invalid UTF-8";
	for (i = 0; i < n && why == NULL; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c < 0x20 &&
		    (is_key || (c != '\t' && c != '\r' && c != '\n')))
			why = is_key ? "control character in key"
				     : "control character in value";
	}
	if (why == NULL && is_key && n > LV_FORM_MAX_KEY)
		why = "key longer than 128 bytes";
	return why;
}

int lv_form_parse(const char *s, size_t n, size_t max_fields,
		  struct lv_kvlist *out, char *msg, size_t msglen)
{
	char *key = NULL, *val = NULL;
	const char *why = NULL;
	size_t i = 0, field = 0;
	int rc = LV_OK;

	lv_kvlist_cleanup(out);
	if (msg && msglen)
		msg[0] = '\0';
	if (s == NULL)
		n = 0;
	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - s) : n;
		const char *eq;
		size_t klen;

		if (end == i) {
			i++;
			continue;
		}
		if (++field > max_fields) {
			rc = LV_ETOOBIG;
			if (msg && msglen)
				lv_snprintf(msg, msglen, "more than %zu fields",
					    max_fields);
			goto out;
		}
		eq = memchr(s + i, '=', end - i);
		klen = eq ? (size_t)(eq - s) - i : end - i;
		why = form_decode(s + i, klen, 1, &key);
		if (why == NULL)
			why = form_decode(eq ? eq + 1 : s + end,
					  eq ? end - klen - i - 1 : 0, 0, &val);
		if (why) {
			rc = LV_EINVAL;
			if (msg && msglen)
				lv_snprintf(msg, msglen, "field %zu: %s", field,
					    why);
			goto out;
		}
		kvlist_push(out, key, val);
		key = NULL;
		val = NULL;
		i = end + 1;
	}
out:
	lv_free(key);
	lv_free(val);
	if (rc != LV_OK)
		lv_kvlist_cleanup(out);
	return rc;
}

/* ---------------------------------------------------------------- cookies */

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 6265 cookie-octet. */
static int cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	       (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	       (c >= 0x5d && c <= 0x7e);
}

/* Copies the cookie value v (len bytes, quotes included) into out. */
static int cookie_copy(const char *v, size_t len, char *out, size_t outlen)
{
	size_t i;
	int rc = LV_OK;

	if (len > 0 && v[0] == '"') {
		if (len < 2 || v[len - 1] != '"') {
			rc = LV_EINVAL;
			goto out;
		}
		v++;
		len -= 2;
	}
	for (i = 0; i < len; i++) {
		if (!cookie_octet((unsigned char)v[i])) {
			rc = LV_EINVAL;
			goto out;
		}
	}
	if (len >= outlen) {
		rc = LV_ETOOBIG;
		goto out;
	}
	memcpy(out, v, len);
	out[len] = '\0';
out:
	return rc;
}

int lv_cookie_get(const char *header, const char *name, char *out,
		  size_t outlen)
{
	const char *p = header;
	size_t nlen;
	int rc = LV_ENOTFOUND;

	if (outlen > 0)
		out[0] = '\0';
	if (name == NULL || name[0] == '\0') {
		rc = LV_EINVAL;
		goto out;
	}
	if (header == NULL)
		goto out;
	nlen = strlen(name);
	while (*p) {
		const char *end = strchr(p, ';');
		const char *a = p, *b, *eq, *k;

		if (end == NULL)
			end = p + strlen(p);
		b = end;
		while (a < b && is_ows(*a))
			a++;
		while (b > a && is_ows(b[-1]))
			b--;
		eq = memchr(a, '=', (size_t)(b - a));
		if (eq) {
			k = eq;
			while (k > a && is_ows(k[-1]))
				k--;
			if ((size_t)(k - a) == nlen &&
			    memcmp(a, name, nlen) == 0) {
				for (k = eq + 1; k < b && is_ows(*k); k++)
					;
				rc = cookie_copy(k, (size_t)(b - k), out,
						 outlen);
				goto out;
			}
		}
		p = *end ? end + 1 : end;
	}
out:
	if (rc != LV_OK && outlen > 0)
		out[0] = '\0';
	return rc;
}

/* -------------------------------------------------------- Accept-Language */

#define AL_MAX_ENTRIES 64

struct al_range {
	const char *tag;
	size_t len;
	int q; /* 0..1000 */
};

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "*" or 1*8ALPHA *("-" 1*8alphanum). */
static int al_tag_valid(const char *s, size_t n)
{
	size_t i, run = 0;
	int first = 1, ok = n > 0;

	if (n == 1 && s[0] == '*')
		goto out;
	for (i = 0; i <= n && ok; i++) {
		if (i == n || s[i] == '-') {
			ok = run > 0 && run <= 8;
			run = 0;
			first = 0;
		} else {
			ok = is_alpha(s[i]) || (!first && is_digit(s[i]));
			run++;
		}
	}
out:
	return ok;
}

/*
 * qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
 * thousandths. Returns 0 and sets *q, or -1 when s is not a qvalue.
 */
static int al_qvalue(const char *s, size_t n, int *q)
{
	size_t i;
	int v, scale = 100, rc = -1;

	if (n == 0 || (s[0] != '0' && s[0] != '1') || n > 5 ||
	    (n > 1 && s[1] != '.'))
		goto out;
	v = (s[0] - '0') * 1000;
	for (i = 2; i < n; i++) {
		if (!is_digit(s[i]) || (v == 1000 && s[i] != '0'))
			goto out;
		v += (s[i] - '0') * scale;
		scale /= 10;
	}
	*q = v;
	rc = 0;
out:
	return rc;
}

static void al_trim(const char **a, const char **b)
{
	while (*a < *b && is_ows(**a))
		(*a)++;
	while (*b > *a && is_ows((*b)[-1]))
		(*b)--;
}

/* Parses one comma-separated entry [a, b). Returns 0 when it is valid. */
static int al_entry(const char *a, const char *b, struct al_range *r)
{
	const char *semi = memchr(a, ';', (size_t)(b - a));
	const char *t = a, *te = semi ? semi : b;
	int rc = -1;

	al_trim(&t, &te);
	if (!al_tag_valid(t, (size_t)(te - t)))
		goto out;
	r->tag = t;
	r->len = (size_t)(te - t);
	r->q = 1000;
	while (semi) {
		const char *pa = semi + 1, *pe;

		semi = memchr(pa, ';', (size_t)(b - pa));
		pe = semi ? semi : b;
		al_trim(&pa, &pe);
		if (pe - pa >= 2 && (pa[0] == 'q' || pa[0] == 'Q') &&
		    pa[1] == '=' &&
		    al_qvalue(pa + 2, (size_t)(pe - pa - 2), &r->q) != 0)
			goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Case-insensitive prefix match on n bytes. */
static int al_prefix_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) !=
		    ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* 1 when the range r (not "*") names the tag t. */
static int al_names(const struct al_range *r, const char *t)
{
	size_t tl = strlen(t);

	if (r->len == tl)
		return al_prefix_eq(r->tag, t, tl);
	if (r->len > tl)
		return r->tag[tl] == '-' && al_prefix_eq(r->tag, t, tl);
	return t[r->len] == '-' && al_prefix_eq(r->tag, t, r->len);
}

static int al_wild(const struct al_range *r)
{
	return r->len == 1 && r->tag[0] == '*';
}

int lv_accept_language_pick(const char *header, const char *const *available,
			    size_t n)
{
	struct al_range r[AL_MAX_ENTRIES];
	const char *p = header;
	size_t nr = 0, read = 0, k, i, j;
	int best = -1, best_q = 0;

	if (header == NULL || available == NULL)
		goto out;
	while (*p && read < AL_MAX_ENTRIES) {
		const char *end = strchr(p, ',');

		if (end == NULL)
			end = p + strlen(p);
		if (al_entry(p, end, &r[nr]) == 0)
			nr++;
		read++;
		p = *end ? end + 1 : end;
	}
	for (k = 0; k < nr; k++) {
		if (r[k].q <= best_q)
			continue;
		for (i = 0; i < n; i++) {
			int excluded = 0;

			if (available[i] == NULL || available[i][0] == '\0')
				continue;
			if (!al_wild(&r[k]) && !al_names(&r[k], available[i]))
				continue;
			for (j = 0; j < nr && !excluded; j++)
				excluded = r[j].q == 0 && !al_wild(&r[j]) &&
					   al_names(&r[j], available[i]);
			if (excluded)
				continue;
			best = (int)i;
			best_q = r[k].q;
			break;
		}
	}
out:
	return best;
}

/* -------------------------------------------------------------- URL, path */

int lv_url_encode(const char *s, struct lv_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len0 = out->len, i, start = 0;
	int rc = LV_OK;

	for (i = 0; s[i] && rc == LV_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[3];

		if (is_alpha((char)c) || is_digit((char)c) || c == '-' ||
		    c == '_' || c == '.' || c == '~')
			continue;
		rc = lv_buf_append(out, s + start, i - start);
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		if (rc == LV_OK)
			rc = lv_buf_append(out, esc, 3);
		start = i + 1;
	}
	if (rc == LV_OK)
		rc = lv_buf_append(out, s + start, i - start);
	if (rc != LV_OK) {
		out->len = len0;
		if (out->data)
			out->data[len0] = '\0';
	}
	return rc;
}

int lv_path_is_local(const char *s)
{
	size_t i;
	int ok = s != NULL && s[0] == '/' && s[1] != '/' && s[1] != '\\';

	for (i = 0; ok && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= 1024 || c <= 0x20 || c >= 0x7f || c == '\\')
			ok = 0;
	}
	return ok;
}
