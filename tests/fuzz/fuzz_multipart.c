/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_multipart.c - libFuzzer target for lv_multipart_parse and
 * lv_multipart_boundary.
 *
 * The first line of the input is a Content-Type value, the rest the body.
 * Whatever the input: no crash, no read outside the body (ASan), every
 * part's data inside the body, names NUL-terminated and non-empty, at most
 * max_parts parts, the same answer twice, and nothing left on error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - data) : size, blen, i;
	char *ct = lv_strndup((const char *)data, ctlen), boundary[LV_MULTIPART_MAX_BOUNDARY + 1];
	unsigned char *body;
	struct lv_multipart a, b;
	int ra, rb;

	blen = nl ? size - ctlen - 1 : 0;
	body = lv_malloc(blen + 1); /* an exact copy: ASan sees any read past it */
	if (blen)
		memcpy(body, nl + 1, blen);
	if (lv_multipart_boundary(ct, boundary, sizeof(boundary)) != LV_OK)
		lv_strlcpy(boundary, "b", sizeof(boundary));
	ra = lv_multipart_parse(body, blen, boundary, 4, &a, NULL, 0);
	rb = lv_multipart_parse(body, blen, boundary, 4, &b, NULL, 0);
	if (ra != rb || a.n != b.n)
		abort();
	if (ra != LV_OK && (a.n != 0 || a.v != NULL))
		abort();
	if (a.n > 4)
		abort();
	for (i = 0; i < a.n; i++) {
		if (a.v[i].name == NULL || a.v[i].name[0] == '\0')
			abort();
		if (a.v[i].len > blen || a.v[i].data < body || a.v[i].data + a.v[i].len > body + blen)
			abort();
		if (a.v[i].len != b.v[i].len || strcmp(a.v[i].name, b.v[i].name) != 0)
			abort();
	}
	lv_multipart_cleanup(&a);
	lv_multipart_cleanup(&b);
	lv_free(body);
	lv_free(ct);
	return 0;
}
