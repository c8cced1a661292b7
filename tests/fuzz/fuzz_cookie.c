/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_cookie.c - libFuzzer target for lv_cookie_get and lv_path_is_local.
 *
 * The first byte chooses the cookie name's length (low 4 bits) and the
 * output size (high 4 bits); the name follows, the rest is the Cookie
 * header. A value handed back must fit and consist of cookie-octets. The
 * whole input is also checked as a redirect target: whatever
 * lv_path_is_local accepts must really be a local path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_cookie(const char *header, const char *name, size_t outlen)
{
	char out[64];
	size_t i, n;
	int rc;

	memset(out, 'X', sizeof(out));
	rc = lv_cookie_get(header, name, out, outlen);
	if (rc != LV_OK && rc != LV_ENOTFOUND && rc != LV_ETOOBIG &&
	    rc != LV_EINVAL)
		abort();
	if (outlen == 0)
		return;
	n = strnlen(out, outlen);
	if (n >= outlen || (rc != LV_OK && n != 0))
		abort();
	for (i = 0; i < n; i++)
		if (out[i] <= 0x20 || out[i] >= 0x7f || out[i] == '"' ||
		    out[i] == ',' || out[i] == ';' || out[i] == '\\')
			abort();
}

static void check_path(const char *s)
{
	size_t i, n = strlen(s);

	if (!lv_path_is_local(s))
		return;
	if (n == 0 || n > 1024 || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole = lv_strndup((const char *)data, size);
	char *name = NULL, *header = NULL;
	size_t nlen, outlen;

	check_path(whole);
	if (size < 2)
		goto out;
	nlen = 1 + (data[0] & 15);
	outlen = (size_t)(data[0] >> 4) * 4;
	if (nlen > size - 1)
		nlen = size - 1;
	name = lv_strndup((const char *)data + 1, nlen);
	header = lv_strndup((const char *)data + 1 + nlen, size - 1 - nlen);
	check_cookie(header, name, outlen);
	check_cookie(header, name, 64);
out:
	lv_free(name);
	lv_free(header);
	lv_free(whole);
	return 0;
}
