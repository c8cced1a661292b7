/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_csv.h - writing CSV cells that a spreadsheet opens safely and that
 * Livery's own importers read back unchanged.
 *
 * Every CSV file Livery writes (payroll and orders exports, reports, the
 * audit log, the catalog) goes through lv_csv_cell. A cell is quoted when
 * it holds a comma, a quote or a line break, or starts or ends with a
 * space or a tab (importers trim unquoted cells); quotes inside are doubled (RFC 4180). A cell that a spreadsheet
 * would run as a formula (it starts with = + - @, a tab or a carriage
 * return) gets a leading apostrophe, which spreadsheets show as text
 * and do not evaluate (OWASP "CSV injection"). Numbers Livery computes are
 * not cells: callers print them as they are, so a negative amount stays a
 * number. An importer of a file Livery exported calls lv_csv_unguard on
 * each field to take the apostrophe off again, so an export re-imports to
 * the same values.
 */
#ifndef LV_CSV_H
#define LV_CSV_H

#include <stddef.h>

#include "lv_buf.h"

/*
 * Appends s (NULL is the empty cell) as one cell to out, preceded by a
 * comma unless first. Returns LV_OK or LV_ETOOBIG (out is full).
 */
int lv_csv_cell(struct lv_buf *out, const char *s, int first);

/*
 * How many bytes at the start of the field s (len bytes) are the guard
 * lv_csv_cell added: 1 when s is an apostrophe followed by a character
 * that starts a formula, else 0.
 */
size_t lv_csv_unguard(const char *s, size_t len);

#endif
