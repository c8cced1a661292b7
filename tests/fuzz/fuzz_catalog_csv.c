/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_catalog_csv.c - libFuzzer target for the catalog CSV's parsing and
 * validation half (catalog_csv_parse), which reads files an admin uploads.
 *
 * Pictures are "loaded" from memory: a name starting with "in" yields the
 * fuzz input itself (so the SVG checker sees arbitrary bytes too), one
 * starting with "m" is missing, any other a small valid SVG (so that whole
 * files can pass). The input also goes through the picture check, the
 * search-text quoting and the price parser. Nothing touches a database or
 * the file system.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "catalog.h"
#include "catalog_csv.h"
#include "lv_err.h"
#include "lv_mem.h"

struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

static int fuzz_load(void *ctx, const char *name, struct lv_buf *out,
		     char *msg, size_t msglen)
{
	const struct fuzz_input *in = ctx;

	static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" "
				  "viewBox=\"0 0 9 9\"><rect width=\"4\" "
				  "height=\"4\"/></svg>";

	(void)msg;
	(void)msglen;
	if (name[0] == 'm')
		return LV_ENOTFOUND;
	if (strncmp(name, "in", 2) == 0)
		return lv_buf_append(out, in->data, in->size);
	return lv_buf_append(out, svg, sizeof(svg) - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct catalog_image_loader loader = { fuzz_load, &in };
	struct catalog_import_report rep;
	struct catalog_csv *cat = NULL;
	struct lv_buf fts;
	const char *type;
	char msg[256], *text;
	int64_t price;

	catalog_import_report_init(&rep);
	if (catalog_csv_parse((const char *)data, size, "EUR", &loader, &cat,
			      &rep) == LV_OK && cat == NULL)
		__builtin_trap(); /* success must hand back a catalog */
	catalog_csv_free(cat);
	catalog_import_report_cleanup(&rep);

	catalog_import_report_init(&rep);
	catalog_csv_parse((const char *)data, size, "JPY", NULL, NULL, &rep);
	catalog_import_report_cleanup(&rep);

	catalog_image_check(data, size, "x.svg", &type, msg, sizeof(msg));

	text = lv_strndup((const char *)data, size);
	lv_buf_init(&fts, 4 * CATALOG_SEARCH_MAX + 64);
	catalog_fts_query(text, &fts);
	if (!catalog_utf8_valid(lv_buf_str(&fts), fts.len))
		__builtin_trap(); /* FTS queries are always valid UTF-8 */
	catalog_price_parse(text, "EUR", &price, msg, sizeof(msg));
	lv_buf_cleanup(&fts);
	lv_free(text);
	return 0;
}
