/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_csv.c - the CSV cells every export writes (common/lv_csv.c): plain
 * cells as they are, quoting by RFC 4180 (commas, quotes, line breaks,
 * spaces or tabs at either end), the apostrophe before every character that
 * starts a spreadsheet formula, and lv_csv_unguard taking exactly that
 * apostrophe off again.
 */
#include <string.h>

#include "lv_buf.h"
#include "lv_csv.h"
#include "lv_err.h"
#include "lv_test.h"

static void cell(const char *s, int first, const char *expect)
{
	struct lv_buf b;

	lv_buf_init(&b, 1024);
	CHECK_INT(lv_csv_cell(&b, s, first), LV_OK);
	CHECK_STR(lv_buf_str(&b), expect);
	lv_buf_cleanup(&b);
}

static void test_cells(void)
{
	cell("Navy blazer", 1, "Navy blazer");
	cell("Navy blazer", 0, ",Navy blazer");
	cell(NULL, 1, "");
	cell("", 0, ",");
	cell("a,b", 1, "\"a,b\"");
	cell("say \"hi\"", 1, "\"say \"\"hi\"\"\"");
	cell("two\nlines", 1, "\"two\nlines\"");
	cell(" padded", 1, "\" padded\"");
	cell("padded\t", 1, "\"padded\t\"");
	cell("12.50", 1, "12.50");
	cell("E1001", 1, "E1001");
}

static void test_formulas(void)
{
	cell("=SUM(A1:A9)", 1, "'=SUM(A1:A9)");
	cell("+33 1 23", 1, "'+33 1 23");
	cell("-5.00", 0, ",'-5.00");
	cell("@cmd", 1, "'@cmd");
	cell("\tTab", 1, "\"'\tTab\"");
	cell("=HYPERLINK(\"http://x\",\"a\")", 1, "\"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\"");
	cell("a=b", 1, "a=b");
	cell("'quoted", 1, "'quoted");
}

static void test_unguard(void)
{
	CHECK_INT(lv_csv_unguard("'=SUM(A1)", 9), 1);
	CHECK_INT(lv_csv_unguard("'-5", 3), 1);
	CHECK_INT(lv_csv_unguard("'@x", 3), 1);
	CHECK_INT(lv_csv_unguard("'\tx", 3), 1);
	CHECK_INT(lv_csv_unguard("'quoted", 7), 0);
	CHECK_INT(lv_csv_unguard("'", 1), 0);
	CHECK_INT(lv_csv_unguard("'=", 1), 0);
	CHECK_INT(lv_csv_unguard("=x", 2), 0);
	CHECK_INT(lv_csv_unguard("", 0), 0);
}

int main(void)
{
	LV_RUN(test_cells);
	LV_RUN(test_formulas);
	LV_RUN(test_unguard);
	return lv_test_done();
}
