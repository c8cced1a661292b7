/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_csv.c - CSV cells for every export (see lv_csv.h): quoting by RFC 4180
 * and the apostrophe that keeps spreadsheets from running a cell as a
 * formula.
 */
#include <string.h>

#include "lv_csv.h"
#include "lv_err.h"

/* The first characters that make a spreadsheet read a cell as a formula. */
static int csv_formula_start(char c)
{
	return c != '\0' && strchr("=+-@\t\r", c) != NULL;
}

int lv_csv_cell(struct lv_buf *out, const char *s, int first)
{
	size_t n;
	int quote, rc = LV_OK;
	const char *p;

	if (s == NULL)
		s = "";
	n = strlen(s);
	quote = strpbrk(s, ",\"\r\n") != NULL ||
		(n > 0 && (strchr(" \t", s[0]) != NULL || strchr(" \t", s[n - 1]) != NULL));
	if (!first)
		rc = lv_buf_append_char(out, ',');
	if (rc == LV_OK && quote)
		rc = lv_buf_append_char(out, '"');
	if (rc == LV_OK && csv_formula_start(s[0]))
		rc = lv_buf_append_char(out, '\'');
	for (p = s; rc == LV_OK && *p; p++)
		rc = *p == '"' ? lv_buf_append(out, "\"\"", 2) : lv_buf_append_char(out, *p);
	if (rc == LV_OK && quote)
		rc = lv_buf_append_char(out, '"');
	return rc == LV_OK ? LV_OK : LV_ETOOBIG;
}

size_t lv_csv_unguard(const char *s, size_t len)
{
	return len >= 2 && s[0] == '\'' && csv_formula_start(s[1]) ? 1 : 0;
}
