/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_diff.c - libFuzzer target for lv_diff_lines: the input is two
 * texts separated by a NUL byte. Every diff must rebuild both texts (SAME
 * and DEL lines are the first, SAME and ADD the second, line by line) and
 * never point outside them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_diff.h"
#include "lv_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when the lines of kind != skip, in order, are the lines of text. */
static int rebuilds(const struct lv_diff *d, const char *text, enum lv_diff_kind skip)
{
	const char *p = text;
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->v[i].kind == skip)
			continue;
		if (strncmp(p, d->v[i].text, d->v[i].len) != 0)
			return 0;
		p += d->v[i].len;
		if (*p == '\n')
			p++;
		else if (*p != '\0')
			return 0;
	}
	return *p == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t la = nul ? (size_t)(nul - data) : size;
	char *a = lv_strndup((const char *)data, la);
	char *b = lv_strndup(nul ? (const char *)nul + 1 : "", nul ? size - la - 1 : 0);
	struct lv_diff d;

	lv_diff_lines(a, b, &d);
	if (!rebuilds(&d, a, LV_DIFF_ADD) || !rebuilds(&d, b, LV_DIFF_DEL))
		abort();
	lv_diff_cleanup(&d);
	lv_free(a);
	lv_free(b);
	return 0;
}
