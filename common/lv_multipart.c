/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_multipart.c - the multipart/form-data parser (see lv_multipart.h).
 *
 * The body is walked once: the first delimiter ("--" boundary) at the
 * start or after a preamble's CRLF, then for each part its header block
 * (up to the empty line, bounded), then its data up to the next CRLF +
 * delimiter, found with memmem (glibc's is linear, so a hostile body
 * cannot make the search quadratic). "--" after a delimiter ends the body;
 * whatever follows (the epilogue) is ignored.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "lv_multipart.h"

#include <string.h>
#include <strings.h>

#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_mem.h"

/* RFC 2046 bchars, without the space (allowed inside but not last; we refuse it anywhere). */
static int mp_bchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       strchr("'()+_,-./:=?", c) != NULL;
}

int lv_multipart_boundary(const char *content_type, char *out, size_t outlen)
{
	const char *p = content_type, *v;
	size_t n = 0;
	int quoted;

	if (outlen)
		out[0] = '\0';
	if (p == NULL || strncasecmp(p, "multipart/form-data", 19) != 0)
		return LV_EINVAL;
	p += 19;
	while (*p) {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) != 0) {
			p += strcspn(p, ";");
			continue;
		}
		v = p + 9;
		quoted = *v == '"';
		v += quoted;
		while (v[n] && v[n] != (quoted ? '"' : ';') && (quoted || (v[n] != ' ' && v[n] != '\t'))) {
			if (!mp_bchar((unsigned char)v[n]) || n >= LV_MULTIPART_MAX_BOUNDARY ||
			    n + 1 >= outlen)
				return LV_EINVAL;
			out[n] = v[n];
			n++;
		}
		if (n == 0 || (quoted && v[n] != '"'))
			return LV_EINVAL;
		out[n] = '\0';
		return LV_OK;
	}
	return LV_EINVAL;
}

void lv_multipart_cleanup(struct lv_multipart *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		lv_free(m->v[i].name);
		lv_free(m->v[i].filename);
		lv_free(m->v[i].content_type);
	}
	lv_free(m->v);
	m->v = NULL;
	m->n = 0;
}

const struct lv_multipart_part *lv_multipart_get(const struct lv_multipart *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, name) == 0)
			return &m->v[i];
	return NULL;
}

/* 1 when s (n bytes) is text a name may hold: UTF-8, no control character. */
static int mp_text_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return lv_utf8_valid(s, n);
}

/*
 * The value of parameter param ("name", "filename") in a Content-
 * Disposition value: quoted (backslash escapes a character) or a token.
 * OUT: *out (new string) or NULL when absent. Returns LV_OK or LV_EINVAL.
 */
static int mp_param(const char *v, size_t vlen, const char *param, size_t max, char **out)
{
	const char *p = v, *end = v + vlen;
	size_t plen = strlen(param);

	*out = NULL;
	/* skip the disposition type itself */
	while (p < end && *p != ';')
		p++;
	while (p < end) {
		const char *k;
		size_t klen;
		char buf[LV_MULTIPART_MAX_FILENAME + 1];
		size_t n = 0;

		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		k = p;
		while (p < end && *p != '=' && *p != ';')
			p++;
		klen = (size_t)(p - k);
		while (klen && (k[klen - 1] == ' ' || k[klen - 1] == '\t'))
			klen--;
		if (p >= end || *p == ';')
			continue; /* a parameter without a value: ignore */
		p++; /* '=' */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == '"') {
			p++;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end)
					p++;
				if (n >= max)
					return LV_EINVAL;
				buf[n++] = *p++;
			}
			if (p >= end)
				return LV_EINVAL; /* unterminated quote */
			p++;
		} else {
			while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
				if (n >= max)
					return LV_EINVAL;
				buf[n++] = *p++;
			}
		}
		if (klen == plen && strncasecmp(k, param, plen) == 0 && *out == NULL) {
			if (!mp_text_ok(buf, n))
				return LV_EINVAL;
			*out = lv_strndup(buf, n);
		}
	}
	return LV_OK;
}

/* Parses one part's header block [h, h + len) into part. msg says why on LV_EINVAL. */
static int mp_headers(const char *h, size_t len, struct lv_multipart_part *part, char *why,
		      size_t whylen)
{
	const char *p = h, *end = h + len;
	int seen_cd = 0;

	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		const char *colon, *v;
		size_t llen, vlen;

		llen = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (llen == 0)
			break;
		if (*p == ' ' || *p == '\t') {
			lv_snprintf(why, whylen, "folded header lines are not accepted");
			return LV_EINVAL;
		}
		colon = memchr(p, ':', llen);
		if (colon == NULL) {
			lv_snprintf(why, whylen, "a header line without a colon");
			return LV_EINVAL;
		}
		v = colon + 1;
		while (v < p + llen && (*v == ' ' || *v == '\t'))
			v++;
		vlen = (size_t)(p + llen - v);
		if ((size_t)(colon - p) == 19 && strncasecmp(p, "Content-Disposition", 19) == 0) {
			char *name = NULL, *filename = NULL;

			if (seen_cd || vlen < 9 || strncasecmp(v, "form-data", 9) != 0 ||
			    (vlen > 9 && v[9] != ';' && v[9] != ' ')) {
				lv_snprintf(why, whylen, "Content-Disposition must be form-data, once");
				return LV_EINVAL;
			}
			seen_cd = 1;
			if (mp_param(v, vlen, "name", LV_MULTIPART_MAX_NAME, &name) != LV_OK ||
			    mp_param(v, vlen, "filename", LV_MULTIPART_MAX_FILENAME, &filename) !=
				    LV_OK) {
				lv_free(name);
				lv_free(filename);
				lv_snprintf(why, whylen, "a bad name or filename in Content-Disposition");
				return LV_EINVAL;
			}
			part->name = name;
			if (filename) {
				const char *base = filename, *s;

				for (s = filename; *s; s++)
					if (*s == '/' || *s == '\\')
						base = s + 1;
				part->filename = lv_strdup(base);
				lv_free(filename);
			}
		} else if ((size_t)(colon - p) == 12 && strncasecmp(p, "Content-Type", 12) == 0) {
			if (part->content_type || !mp_text_ok(v, vlen) || vlen > 255) {
				lv_snprintf(why, whylen, "a bad Content-Type");
				return LV_EINVAL;
			}
			part->content_type = lv_strndup(v, vlen);
		}
		p = eol ? eol + 2 : end;
	}
	if (part->name == NULL || part->name[0] == '\0') {
		lv_snprintf(why, whylen, "no name in Content-Disposition");
		return LV_EINVAL;
	}
	return LV_OK;
}

int lv_multipart_parse(const void *body, size_t len, const char *boundary, size_t max_parts,
		       struct lv_multipart *out, char *msg, size_t msglen)
{
	const char *b = body, *end = (const char *)body + len, *p, *next;
	char delim[LV_MULTIPART_MAX_BOUNDARY + 5], why[160] = "";
	size_t dlen, cap = 0;
	int rc = LV_EINVAL;

	memset(out, 0, sizeof(*out));
	if (msg && msglen)
		msg[0] = '\0';
	dlen = strlen(boundary);
	if (dlen == 0 || dlen > LV_MULTIPART_MAX_BOUNDARY) {
		lv_snprintf(why, sizeof(why), "a bad boundary");
		goto out;
	}
	/* delim = CRLF "--" boundary; the first one may come without the CRLF */
	lv_snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	dlen += 4;
	if (len >= dlen - 2 && memcmp(b, delim + 2, dlen - 2) == 0) {
		p = b + dlen - 2;
	} else {
		next = len ? memmem(b, len, delim, dlen) : NULL;
		if (next == NULL) {
			lv_snprintf(why, sizeof(why), "the body has no boundary");
			goto out;
		}
		p = next + dlen;
	}
	for (;;) {
		struct lv_multipart_part part;
		const char *hend;

		/* after a delimiter: "--" ends the body, else padding and CRLF */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			lv_snprintf(why, sizeof(why), "part %zu: no line break after the boundary",
				    out->n + 1);
			goto out;
		}
		p += 2;
		if (out->n >= max_parts) {
			lv_snprintf(why, sizeof(why), "more than %zu parts", max_parts);
			rc = LV_ETOOBIG;
			goto out;
		}
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			hend = p; /* no header at all */
		} else {
			size_t room = (size_t)(end - p);

			hend = memmem(p, room < LV_MULTIPART_MAX_HEADERS + 4 ? room :
				      LV_MULTIPART_MAX_HEADERS + 4, "\r\n\r\n", 4);
			if (hend == NULL) {
				lv_snprintf(why, sizeof(why), "part %zu: its headers do not end (or are "
					    "longer than %d bytes)", out->n + 1, LV_MULTIPART_MAX_HEADERS);
				goto out;
			}
			hend += 2;
		}
		memset(&part, 0, sizeof(part));
		{
			char hwhy[120] = "";

			if (mp_headers(p, (size_t)(hend - p), &part, hwhy, sizeof(hwhy)) != LV_OK) {
				lv_free(part.name);
				lv_free(part.filename);
				lv_free(part.content_type);
				lv_snprintf(why, sizeof(why), "part %zu: %s", out->n + 1, hwhy);
				goto out;
			}
		}
		p = hend + 2;
		next = memmem(p, (size_t)(end - p), delim, dlen);
		if (next == NULL) {
			lv_free(part.name);
			lv_free(part.filename);
			lv_free(part.content_type);
			lv_snprintf(why, sizeof(why), "part %zu: the body ends before the closing boundary",
				    out->n + 1);
			goto out;
		}
		part.data = (const unsigned char *)p;
		part.len = (size_t)(next - p);
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			out->v = lv_realloc(out->v, cap * sizeof(*out->v));
		}
		out->v[out->n++] = part;
		p = next + dlen;
	}
	rc = LV_OK;
out:
	if (rc != LV_OK) {
		lv_multipart_cleanup(out);
		if (msg && msglen)
			lv_snprintf(msg, msglen, "%s", why);
	}
	return rc;
}
