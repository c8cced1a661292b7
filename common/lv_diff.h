/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_diff.h - a line diff of two texts, for showing a change (a policy's
 * history, an audit entry's before and after).
 *
 * The longest common subsequence of lines, computed in a table of
 * (lines of a + 1) x (lines of b + 1) cells; past LV_DIFF_MAX_CELLS the
 * work is not attempted and the diff is "everything removed, everything
 * added" (still correct, only less helpful), so a huge text cannot make a
 * page slow. Lines point into the texts given (not copied). The policies'
 * history and the audit log's entries show their changes with it; it
 * knows nothing of JSON (callers pretty-print first, audit_read.h).
 */
#ifndef LV_DIFF_H
#define LV_DIFF_H

#include <stddef.h>

#define LV_DIFF_MAX_CELLS (4u * 1024 * 1024)

enum lv_diff_kind { LV_DIFF_SAME, LV_DIFF_DEL, LV_DIFF_ADD };

struct lv_diff_line {
	enum lv_diff_kind kind;
	const char *text; /* into a (SAME, DEL) or b (ADD); len bytes, no newline */
	size_t len;
};

struct lv_diff {
	struct lv_diff_line *v;
	size_t n;
	int bounded; /* 1: the texts were too large to compare line by line */
};

/*
 * Diffs a and b (NUL-terminated; NULL is the empty text). OUT: *out, the
 * lines in order: what both keep, what a had (DEL) and what b has (ADD).
 * Free with lv_diff_cleanup. Always succeeds (allocation aborts).
 */
void lv_diff_lines(const char *a, const char *b, struct lv_diff *out);

void lv_diff_cleanup(struct lv_diff *d);

/* "same", "del" or "add": a line's kind as JSON and templates name it. */
const char *lv_diff_kind_name(enum lv_diff_kind kind);

#endif
