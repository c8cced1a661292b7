/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_http_parse.h - parsers for what a browser sends: urlencoded forms and
 * query strings, the Cookie header, Accept-Language, and the checks that go
 * with them (UTF-8, local redirect targets), plus URL encoding.
 *
 * CivetWeb's own form and variable helpers are never used: these parsers
 * are the one place where request text becomes keys and values, and they
 * refuse rather than repair anything odd (a bad escape, a NUL, a control
 * character, invalid UTF-8), so that no handler ever sees such bytes. They
 * allocate only through lv_mem and never read past the lengths given.
 */
#ifndef LV_HTTP_PARSE_H
#define LV_HTTP_PARSE_H

#include <stddef.h>

#include "lv_buf.h"

/* The longest key lv_form_parse() accepts, in bytes once decoded. */
#define LV_FORM_MAX_KEY 128

struct lv_kv {
	char *key; /* decoded, NUL-terminated, owned by the list */
	char *val;
};

struct lv_kvlist {
	struct lv_kv *items;
	size_t n;
	size_t cap;
};

/* Prepares an empty list in memory the caller owns. */
void lv_kvlist_init(struct lv_kvlist *l);
/* Frees every key and value; l is empty (and reusable) afterwards. */
void lv_kvlist_cleanup(struct lv_kvlist *l);

/*
 * Parses application/x-www-form-urlencoded text (also query strings): s is
 * n bytes (need not be NUL-terminated) of '&'-separated key=value pairs,
 * '+' meaning space and %XX a byte. Empty pairs ("a=1&&b=2") are skipped;
 * "a" alone is key a with value "". out (initialised with lv_kvlist_init)
 * is emptied, then receives the pairs in order, copied.
 *
 * Returns LV_OK; LV_EINVAL for a bad % escape, a NUL (raw or %00), invalid
 * UTF-8, a C0 control character in a key or one other than \t \r \n in a
 * value, or a key longer than LV_FORM_MAX_KEY bytes; LV_ETOOBIG for more
 * than max_fields pairs. On error out is left empty and msg (size msglen,
 * may be NULL) says what was wrong, e.g. "field 3: invalid percent escape"
 * (fields counted from 1, empty pairs not counted).
 */
int lv_form_parse(const char *s, size_t n, size_t max_fields,
		  struct lv_kvlist *out, char *msg, size_t msglen);

/* The first value for key, or NULL. Owned by l. */
const char *lv_kvlist_get(const struct lv_kvlist *l, const char *key);

/* How many pairs have key. */
size_t lv_kvlist_count(const struct lv_kvlist *l, const char *key);

/*
 * Finds the first cookie called name (case-sensitive) in a Cookie header
 * ("a=b; c=d", RFC 6265) and copies its value, without URL-decoding and
 * without its optional double quotes, into out (size outlen, always
 * NUL-terminated when outlen > 0). Parts of the header that are not
 * name=value pairs are ignored. Returns LV_OK; LV_ENOTFOUND when there is
 * no such cookie (or header is NULL); LV_ETOOBIG when the value does not
 * fit; LV_EINVAL when that cookie's value is malformed (unbalanced quotes,
 * or a byte RFC 6265 does not allow: controls, space, '"', ',', ';', '\',
 * non-ASCII). On error out holds "".
 */
int lv_cookie_get(const char *header, const char *name, char *out,
		  size_t outlen);

/*
 * Chooses a language for an Accept-Language header (may be NULL): returns
 * the index in available[] (n lowercase tags such as "en", "fr", "pt-br")
 * of the best match, or -1 when none is acceptable. A range matches a tag
 * when they are equal ignoring case, or one is the other followed by
 * "-..." ("fr-CA" matches "fr", "pt" matches "pt-br"); "*" matches every
 * tag. The highest q-value wins, then the earlier range in the header,
 * then the earlier tag in available[]; a range with q=0 excludes the tags
 * it names. Malformed entries are skipped; only the first 64 are read.
 */
int lv_accept_language_pick(const char *header, const char *const *available,
			    size_t n);

/*
 * Appends s percent-encoded for a URL query value: ALPHA, DIGIT and
 * "-._~" as they are, every other byte as %XX (upper-case hex). Returns
 * LV_OK, or LV_ETOOBIG when out's maximum is reached (out then holds what
 * it held before).
 */
int lv_url_encode(const char *s, struct lv_buf *out);

/*
 * 1 when s is safe to redirect to after login: a path on this site that
 * starts with exactly one '/' (not "//" nor "/\"), holds no backslash, no
 * space, no control character and nothing outside printable ASCII (other
 * bytes must be percent-encoded), and is at most 1024 bytes. 0 otherwise,
 * and for NULL.
 */
int lv_path_is_local(const char *s);

/*
 * 1 when the n bytes at s are valid UTF-8: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF. NUL bytes are
 * valid UTF-8 (callers that refuse them check separately).
 */
int lv_utf8_valid(const char *s, size_t n);

#endif
