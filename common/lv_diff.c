/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_diff.c - line diff by longest common subsequence (see lv_diff.h).
 */
#include "lv_diff.h"

#include <stdint.h>
#include <string.h>

#include "lv_mem.h"

struct line {
	const char *s;
	size_t len;
};

/* Splits s into lines (a final newline does not start an empty line). OUT: *n. */
static struct line *lines_split(const char *s, size_t *n)
{
	struct line *v = NULL;
	size_t cap = 0;

	*n = 0;
	while (s && *s) {
		size_t len = strcspn(s, "\n");

		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			v = lv_realloc(v, cap * sizeof(*v));
		}
		v[*n].s = s;
		v[(*n)++].len = len;
		s += len;
		if (*s == '\n')
			s++;
	}
	return v;
}

static int line_eq(const struct line *a, const struct line *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static void out_add(struct lv_diff *d, size_t *cap, enum lv_diff_kind k, const struct line *l)
{
	if (d->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->v = lv_realloc(d->v, *cap * sizeof(*d->v));
	}
	d->v[d->n].kind = k;
	d->v[d->n].text = l->s;
	d->v[d->n++].len = l->len;
}

void lv_diff_lines(const char *a, const char *b, struct lv_diff *out)
{
	size_t na, nb, i, j, cap = 0, pre = 0, suf = 0, ma, mb;
	struct line *la = lines_split(a, &na), *lb = lines_split(b, &nb);
	uint32_t *t = NULL;

	memset(out, 0, sizeof(*out));
	/* common head and tail need no table */
	while (pre < na && pre < nb && line_eq(&la[pre], &lb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre && line_eq(&la[na - 1 - suf], &lb[nb - 1 - suf]))
		suf++;
	ma = na - pre - suf;
	mb = nb - pre - suf;
	for (i = 0; i < pre; i++)
		out_add(out, &cap, LV_DIFF_SAME, &la[i]);
	if (ma && mb && (ma + 1) > LV_DIFF_MAX_CELLS / (mb + 1)) {
		out->bounded = 1;
		i = 0;
		j = 0;
	} else if (ma && mb) {
		/* t[i][j] = LCS of a[pre+i..] and b[pre+j..] */
		size_t w = mb + 1;

		t = lv_calloc((ma + 1) * w, sizeof(*t));
		for (i = ma; i-- > 0;)
			for (j = mb; j-- > 0;)
				t[i * w + j] = line_eq(&la[pre + i], &lb[pre + j]) ?
					       t[(i + 1) * w + j + 1] + 1 :
					       (t[(i + 1) * w + j] >= t[i * w + j + 1] ?
						t[(i + 1) * w + j] : t[i * w + j + 1]);
		i = 0;
		j = 0;
		while (i < ma && j < mb) {
			if (line_eq(&la[pre + i], &lb[pre + j])) {
				out_add(out, &cap, LV_DIFF_SAME, &la[pre + i]);
				i++;
				j++;
			} else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) {
				out_add(out, &cap, LV_DIFF_DEL, &la[pre + i++]);
			} else {
				out_add(out, &cap, LV_DIFF_ADD, &lb[pre + j++]);
			}
		}
	} else {
		i = 0;
		j = 0;
	}
	/* what the walk left (or everything, when bounded or one side is empty) */
	for (; i < ma; i++)
		out_add(out, &cap, LV_DIFF_DEL, &la[pre + i]);
	for (; j < mb; j++)
		out_add(out, &cap, LV_DIFF_ADD, &lb[pre + j]);
	for (i = na - suf; i < na; i++)
		out_add(out, &cap, LV_DIFF_SAME, &la[i]);
	lv_free(t);
	lv_free(la);
	lv_free(lb);
}

void lv_diff_cleanup(struct lv_diff *d)
{
	lv_free(d->v);
	memset(d, 0, sizeof(*d));
}

const char *lv_diff_kind_name(enum lv_diff_kind kind)
{
	switch (kind) {
	case LV_DIFF_DEL: return "del";
	case LV_DIFF_ADD: return "add";
	default: return "same";
	}
}
