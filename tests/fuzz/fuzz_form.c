/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_form.c - libFuzzer target for lv_form_parse, lv_kvlist_get and
 * lv_url_encode.
 *
 * The input is parsed as a form; an accepted form must hold only what the
 * parser promises (short valid-UTF-8 keys, findable with lv_kvlist_get),
 * a refused one must leave the list empty with a message. Then the input
 * is used as a value: when it is a value the parser accepts, encoding it
 * and parsing "k=<encoded>" must give it back unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parsed(const struct lv_kvlist *l, int rc, const char *msg)
{
	size_t i;

	if (rc != LV_OK) {
		if (l->n != 0 || l->items != NULL || msg[0] == '\0')
			abort();
		return;
	}
	for (i = 0; i < l->n; i++) {
		const char *k = l->items[i].key, *v = l->items[i].val;

		if (strlen(k) > LV_FORM_MAX_KEY ||
		    !lv_utf8_valid(k, strlen(k)) ||
		    !lv_utf8_valid(v, strlen(v)))
			abort();
		if (lv_kvlist_get(l, k) == NULL || lv_kvlist_count(l, k) == 0)
			abort();
	}
}

/* 1 when the parser accepts s (NUL-free, size bytes) as a value. */
static int value_ok(const char *s, size_t size)
{
	size_t i;

	if (!lv_utf8_valid(s, size))
		return 0;
	for (i = 0; i < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_kvlist l;
	struct lv_buf b;
	char msg[128] = "";
	char *value;
	int rc;

	lv_kvlist_init(&l);
	rc = lv_form_parse((const char *)data, size, 32, &l, msg, sizeof(msg));
	if (rc != LV_OK && rc != LV_EINVAL && rc != LV_ETOOBIG)
		abort();
	check_parsed(&l, rc, msg);

	value = lv_strndup((const char *)data, size);
	if (strlen(value) == size && value_ok(value, size)) {
		lv_buf_init(&b, 3 * size + 16);
		if (lv_buf_append_str(&b, "k=") != LV_OK ||
		    lv_url_encode(value, &b) != LV_OK)
			abort();
		if (lv_form_parse(b.data, b.len, 1, &l, msg, sizeof(msg)) !=
			    LV_OK ||
		    l.n != 1 || strcmp(lv_kvlist_get(&l, "k"), value) != 0)
			abort();
		lv_buf_cleanup(&b);
	}
	lv_free(value);
	lv_kvlist_cleanup(&l);
	return 0;
}
