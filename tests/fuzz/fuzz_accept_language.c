/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_accept_language.c - libFuzzer target for lv_accept_language_pick.
 *
 * Any header must give an index into the list of languages or -1, the
 * same answer twice, and a language the header names itself (when the
 * header is a single plain tag from the list) must be chosen.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_http_parse.h"
#include "lv_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const langs[] = { "en", "fr", "de", "pt-br", "zh-hant" };
#define NLANGS (sizeof(langs) / sizeof(langs[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = lv_strndup((const char *)data, size);
	int a, b;
	size_t i;

	a = lv_accept_language_pick(header, langs, NLANGS);
	b = lv_accept_language_pick(header, langs, NLANGS);
	if (a != b || a < -1 || a >= (int)NLANGS)
		abort();
	for (i = 0; i < NLANGS; i++)
		if (strcmp(header, langs[i]) == 0 && a != (int)i)
			abort();
	if (lv_accept_language_pick(header, langs, 0) != -1)
		abort();
	lv_free(header);
	return 0;
}
