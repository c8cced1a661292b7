/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_diff.c - the line diff (common/lv_diff.c): small edits give the
 * lines a reader expects, every diff rebuilds both texts (SAME + DEL lines
 * are a, SAME + ADD lines are b), empty texts, and the bound: texts too
 * large for the table are "all removed, all added", still rebuildable;
 * texts exactly at the bound still compared line by line; the kinds' names;
 * a missing final newline, empty lines and repeated lines.
 */
#include <string.h>

#include "lv_buf.h"
#include "lv_diff.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"

/* The diff as "=a|-b|+c" for short checks. */
static void show(const struct lv_diff *d, char *out, size_t len)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < d->n && o + 4 < len; i++)
		o += (size_t)lv_snprintf(out + o, len - o, "%s%c%.*s", i ? "|" : "",
					 d->v[i].kind == LV_DIFF_SAME ? '=' :
					 d->v[i].kind == LV_DIFF_DEL ? '-' : '+',
					 (int)d->v[i].len, d->v[i].text);
}

/* Checks that d rebuilds a (SAME + DEL) and b (SAME + ADD). */
static void rebuilds(const struct lv_diff *d, const char *a, const char *b)
{
	struct lv_buf ra, rb;
	size_t i;

	lv_buf_init(&ra, 64u << 20);
	lv_buf_init(&rb, 64u << 20);
	for (i = 0; i < d->n; i++) {
		if (d->v[i].kind != LV_DIFF_ADD) {
			lv_buf_append(&ra, d->v[i].text, d->v[i].len);
			lv_buf_append_char(&ra, '\n');
		}
		if (d->v[i].kind != LV_DIFF_DEL) {
			lv_buf_append(&rb, d->v[i].text, d->v[i].len);
			lv_buf_append_char(&rb, '\n');
		}
	}
	CHECK_STR(lv_buf_str(&ra), a ? a : "");
	CHECK_STR(lv_buf_str(&rb), b ? b : "");
	lv_buf_cleanup(&ra);
	lv_buf_cleanup(&rb);
}

static void check(const char *a, const char *b, const char *expect)
{
	struct lv_diff d;
	char s[512];

	lv_diff_lines(a, b, &d);
	show(&d, s, sizeof(s));
	CHECK_STR(s, expect);
	rebuilds(&d, a, b);
	CHECK_INT(d.bounded, 0);
	lv_diff_cleanup(&d);
}

static void test_small(void)
{
	check("a\nb\nc\n", "a\nb\nc\n", "=a|=b|=c");
	check("a\nb\nc\n", "a\nx\nc\n", "=a|-b|+x|=c");
	check("a\nc\n", "a\nb\nc\n", "=a|+b|=c");
	check("a\nb\nc\n", "b\nc\n", "-a|=b|=c");
	check("", "x\ny\n", "+x|+y");
	check(NULL, NULL, "");
	check("x\n", "", "-x");
	/* the common lines in the middle are kept, not the first match */
	check("{\n\"a\": 1,\n\"b\": 2\n}\n", "{\n\"b\": 2,\n\"c\": 3\n}\n",
	      "={|-\"a\": 1,|-\"b\": 2|+\"b\": 2,|+\"c\": 3|=}");
	check("p\nq\nr\ns\n", "q\ns\nt\n", "-p|=q|-r|=s|+t");
}

static void test_bounded(void)
{
	size_t n = 3000, i;
	struct lv_buf a, b;
	struct lv_diff d;

	lv_buf_init(&a, 1u << 20);
	lv_buf_init(&b, 1u << 20);
	lv_buf_append_str(&a, "head\n");
	lv_buf_append_str(&b, "head\n");
	for (i = 0; i < n; i++) {
		lv_buf_printf(&a, "a%zu\n", i);
		lv_buf_printf(&b, "b%zu\n", i);
	}
	lv_diff_lines(lv_buf_str(&a), lv_buf_str(&b), &d);
	CHECK_INT(d.bounded, 1);
	CHECK_INT((int)d.n, (int)(1 + 2 * n));
	CHECK(d.v[0].kind == LV_DIFF_SAME);
	rebuilds(&d, lv_buf_str(&a), lv_buf_str(&b));
	lv_diff_cleanup(&d);
	lv_buf_cleanup(&a);
	lv_buf_cleanup(&b);
}

/* The names JSON and templates use for the kinds, and lines without a final newline. */
static void test_names_and_ends(void)
{
	CHECK_STR(lv_diff_kind_name(LV_DIFF_SAME), "same");
	CHECK_STR(lv_diff_kind_name(LV_DIFF_ADD), "add");
	CHECK_STR(lv_diff_kind_name(LV_DIFF_DEL), "del");
	struct lv_diff d;
	char out[64];

	/* a missing final newline is not a change of the last line */
	lv_diff_lines("a\nb", "a\nb\n", &d);
	show(&d, out, sizeof(out));
	CHECK_STR(out, "=a|=b");
	lv_diff_cleanup(&d);
	/* an empty line is a line */
	check("a\n\nb\n", "a\nb\n", "=a|-|=b");
	/* repeated lines: the diff still rebuilds both texts (check does) */
	check("x\nx\nx\n", "x\ny\nx\n", "=x|-x|+y|=x");
}

/* Just under the bound the table is used; the same texts one line longer are not. */
static void test_bound_edge(void)
{
	size_t side = 2047, i, same = 0; /* (2047 + 1)^2 = LV_DIFF_MAX_CELLS */
	struct lv_buf a, b;
	struct lv_diff d;

	lv_buf_init(&a, 1u << 20);
	lv_buf_init(&b, 1u << 20);
	for (i = 0; i < side; i++) {
		lv_buf_printf(&a, "%zu\n", i);
		lv_buf_printf(&b, "%zu\n", i % 2 ? i : i + 100000);
	}
	lv_diff_lines(lv_buf_str(&a), lv_buf_str(&b), &d);
	CHECK_INT(d.bounded, 0);
	/* every odd line is common, and the table finds them all */
	for (i = 0; i < d.n; i++)
		same += d.v[i].kind == LV_DIFF_SAME;
	CHECK_INT(same, side / 2);
	rebuilds(&d, lv_buf_str(&a), lv_buf_str(&b));
	lv_diff_cleanup(&d);
	lv_buf_printf(&a, "x\n");
	lv_buf_printf(&b, "y\n");
	lv_diff_lines(lv_buf_str(&a), lv_buf_str(&b), &d);
	CHECK_INT(d.bounded, 1);
	rebuilds(&d, lv_buf_str(&a), lv_buf_str(&b));
	lv_diff_cleanup(&d);
	lv_buf_cleanup(&a);
	lv_buf_cleanup(&b);
}

int main(void)
{
	LV_RUN(test_small);
	LV_RUN(test_bounded);
	LV_RUN(test_names_and_ends);
	LV_RUN(test_bound_edge);
	return lv_test_done();
}
