/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_diff.c - libFuzzer target for lv_diff_lines: the input is two
 * texts separated by a NUL byte. Every diff must rebuild both texts (SAME
 * and DEL lines are the first, SAME and ADD the second, line by line) and
 * never point outside them. The same two texts then go through the audit
 * log's diff (audit_diff: each parsed as JSON when it is, pretty-printed,
 * diffed), which must give at most AUDIT_DIFF_LINES_MAX lines, each with
 * a known kind and a text that is a JSON string (so valid UTF-8).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit_read.h"
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

/* text as the audit log holds it: JSON when it parses, else a string (NULL when not UTF-8). */
static json_t *as_json(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	return v ? v : json_string(text);
}

static void audit_check(const char *a, const char *b)
{
	json_t *ja = as_json(a), *jb = as_json(b), *d, *l;
	int truncated = -1;
	size_t i;

	d = audit_diff(ja, jb, &truncated);
	if (d == NULL || json_array_size(d) > AUDIT_DIFF_LINES_MAX || (truncated != 0 && truncated != 1))
		abort();
	json_array_foreach(d, i, l) {
		const char *k = json_string_value(json_object_get(l, "kind"));

		if (k == NULL || json_string_value(json_object_get(l, "text")) == NULL ||
		    (strcmp(k, "same") != 0 && strcmp(k, "add") != 0 && strcmp(k, "del") != 0))
			abort();
	}
	json_decref(d);
	json_decref(ja);
	json_decref(jb);
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
	audit_check(a, b);
	lv_free(a);
	lv_free(b);
	return 0;
}
