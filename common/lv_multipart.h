/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_multipart.h - multipart/form-data (RFC 7578): the body a browser
 * sends for a form with a file input (the console's uploads: employees'
 * and catalog CSV files, product pictures).
 *
 * CivetWeb's mg_handle_form_request() is never used (Debian's 1.15 has a
 * known parsing loop, upstream #1348); this parser is Livery's own and,
 * like lv_http_parse, refuses rather than repairs: a missing or malformed
 * boundary, a part without "Content-Disposition: form-data; name=...",
 * folded or overlong part headers, more parts than allowed, a body that
 * ends before the closing boundary. A part's data is not copied: it
 * points into the body, which must outlive the parse. Field names and
 * file names are copied and checked (UTF-8, no control characters; a
 * file name loses any directory part a browser may send).
 */
#ifndef LV_MULTIPART_H
#define LV_MULTIPART_H

#include <stddef.h>

/* The longest boundary (RFC 2046), part header block, field name and file name accepted. */
#define LV_MULTIPART_MAX_BOUNDARY 70
#define LV_MULTIPART_MAX_HEADERS 8192
#define LV_MULTIPART_MAX_NAME 128
#define LV_MULTIPART_MAX_FILENAME 255

struct lv_multipart_part {
	char *name;                /* the field's name (owned by the parse) */
	char *filename;            /* the file's name without directories, or NULL (owned) */
	char *content_type;        /* as sent, or NULL (owned) */
	const unsigned char *data; /* borrowed from the body */
	size_t len;
};

struct lv_multipart {
	struct lv_multipart_part *v; /* n parts, in the order sent */
	size_t n;
};

/*
 * The boundary of a Content-Type header value "multipart/form-data;
 * boundary=..." (quoted or not), into out (size outlen). Returns LV_OK, or
 * LV_EINVAL when the type is not multipart/form-data or the boundary is
 * missing, empty, longer than LV_MULTIPART_MAX_BOUNDARY or has characters
 * RFC 2046 does not allow.
 */
int lv_multipart_boundary(const char *content_type, char *out, size_t outlen);

/*
 * Parses len bytes of body delimited by boundary into out (emptied first),
 * at most max_parts parts. Returns LV_OK; LV_ETOOBIG for more parts than
 * max_parts; LV_EINVAL for anything malformed (see the header paragraph).
 * On error out is empty and msg (may be NULL) says what was wrong, e.g.
 * "part 2: no name in Content-Disposition".
 */
int lv_multipart_parse(const void *body, size_t len, const char *boundary, size_t max_parts,
		       struct lv_multipart *out, char *msg, size_t msglen);

/* Frees what a parse allocated; out is empty afterwards. Accepts an empty one. */
void lv_multipart_cleanup(struct lv_multipart *m);

/* The first part called name, or NULL. */
const struct lv_multipart_part *lv_multipart_get(const struct lv_multipart *m, const char *name);

#endif
