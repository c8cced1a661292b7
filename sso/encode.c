/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * encode.c - the encodings the relying party speaks: base64url (JOSE,
 * PKCE, random tokens), percent-encoding (authorization and logout URLs,
 * form bodies, client credentials) and cleaning of outside text before it
 * reaches a log line or a page.
 *
 * Percent-encoding leaves only RFC 3986's unreserved characters as they
 * are. That is correct both in a URL query and in an
 * application/x-www-form-urlencoded body (a decoder turns %20 into a space
 * as it does '+'), so one encoder serves both.
 */
#include <sodium.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "sso_int.h"

char *sso_b64url_encode(char *dst, size_t dstlen, const unsigned char *src,
			size_t n)
{
	return sodium_bin2base64(dst, dstlen, src, n,
				 sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int sso_b64url_decode(const char *s, size_t n, unsigned char **out,
		      size_t *outlen)
{
	unsigned char *bin = NULL;
	size_t max = n / 4 * 3 + 3, len = 0;
	const char *end = NULL;
	int rc = LV_EINVAL;

	*out = NULL;
	*outlen = 0;
	bin = lv_malloc(max + 1);
	if (sodium_base642bin(bin, max, s, n, NULL, &len, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		goto out;
	if (end != s + n)
		goto out;
	bin[len] = '\0';
	*out = bin;
	*outlen = len;
	bin = NULL;
	rc = LV_OK;
out:
	lv_free(bin);
	return rc;
}

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

int sso_buf_append_pct(struct lv_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	int rc = LV_OK;

	for (p = (const unsigned char *)s; *p && rc == LV_OK; p++) {
		if (is_unreserved(*p)) {
			rc = lv_buf_append_char(b, (char)*p);
		} else {
			char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			rc = lv_buf_append(b, esc, sizeof(esc));
		}
	}
	return rc;
}

int sso_buf_append_param(struct lv_buf *b, const char *name,
			 const char *value)
{
	int rc = LV_OK;

	if (b->len > 0 && b->data[b->len - 1] != '?' &&
	    b->data[b->len - 1] != '&')
		rc = lv_buf_append_char(b, '&');
	if (rc == LV_OK)
		rc = lv_buf_append_str(b, name);
	if (rc == LV_OK)
		rc = lv_buf_append_char(b, '=');
	if (rc == LV_OK)
		rc = sso_buf_append_pct(b, value);
	return rc;
}

char *sso_text_clean(char *dst, size_t dstlen, const char *src)
{
	size_t i;

	if (dstlen == 0)
		return dst;
	for (i = 0; src && src[i] && i + 1 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
				 ? '?'
				 : (char)c;
	}
	dst[i] = '\0';
	return dst;
}

int sso_url_allowed(const char *s, int allow_http)
{
	if (s == NULL)
		return 0;
	if (strncmp(s, "https://", 8) == 0)
		return s[8] != '\0';
	if (allow_http && strncmp(s, "http://", 7) == 0)
		return s[7] != '\0';
	return 0;
}
