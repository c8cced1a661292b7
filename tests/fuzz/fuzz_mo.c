/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_mo.c - libFuzzer target for the .mo catalog reader (lv_i18n.c).
 *
 * The input is taken as the contents of a .mo file. When the reader accepts
 * it, every kind of lookup is exercised - plain, with a context, plural
 * with counts that hit every branch of common plural rules, slices - so
 * that a table or plural rule the validation let through cannot make a
 * lookup read out of bounds or loop. The seed corpus holds msgfmt output in
 * both byte orders, with contexts, plurals and several Plural-Forms rules.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lv_i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = { "", "Sign out", "In stock",
					   "%lu product", "Order", "file" };
	static const unsigned long counts[] = { 0, 1, 2, 5, 11, 21, 101,
						1000000, (unsigned long)-1 };
	struct lv_i18n_catalog *cat = NULL;
	size_t i, j;

	if (lv_i18n_catalog_parse(data, size, &cat, NULL, 0) != 0)
		return 0;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		size_t len = 0;

		(void)lv_i18n_get(cat, ids[i]);
		(void)lv_i18n_pget(cat, "verb", ids[i]);
		(void)lv_i18n_find(cat, ids[i], strlen(ids[i]), &len);
		for (j = 0; j < sizeof(counts) / sizeof(counts[0]); j++)
			(void)lv_i18n_nget(cat, ids[i], "plural", counts[j]);
	}
	/* slices of the input itself as msgids: real keys get found */
	for (i = 28; i + 1 < size && i < 4096; i += 13) {
		size_t len = size - i < 40 ? size - i : 40;

		(void)lv_i18n_find(cat, (const char *)data + i, len, NULL);
	}
	(void)lv_i18n_catalog_header(cat, "Plural-Forms");
	(void)lv_i18n_catalog_count(cat);
	lv_i18n_catalog_free(cat);
	return 0;
}
