/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_quick_order.c - libFuzzer target for cart_quick_parse, the parser of
 * the quick-order text an employee pastes.
 *
 * The input is parsed with room for a few lines and for a whole order. An
 * accepted text must give only what the parser promises (distinct SKUs of
 * 1..64 allowed characters, quantities 1..99, no more lines than room);
 * written back as "SKU QUANTITY" lines and parsed again it must give the
 * same lines. A refused text must leave no lines and a message that names
 * the line (or, for an oversized text, the size).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "lv_err.h"
#include "lv_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sku_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void check_lines(const struct order_line_req *l, size_t n, size_t max)
{
	size_t i, j;

	if (n > max)
		abort();
	for (i = 0; i < n; i++) {
		if (!sku_ok(l[i].sku) || l[i].quantity < 1 ||
		    l[i].quantity > ORDER_MAX_QUANTITY || l[i].expect_price != -1)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(l[i].sku, l[j].sku) == 0)
				abort();
	}
}

/* Writes lines back as text, parses it again and compares. */
static void check_roundtrip(const struct order_line_req *l, size_t n, size_t max)
{
	struct order_line_req again[ORDER_MAX_LINES];
	char *text, msg[256];
	size_t len = 0, i, m = 0;

	text = lv_malloc(n * 72 + 1);
	for (i = 0; i < n; i++) {
		size_t k = strlen(l[i].sku);

		memcpy(text + len, l[i].sku, k);
		len += k;
		text[len++] = i % 2 ? '\t' : ' ';
		if (l[i].quantity >= 10)
			text[len++] = (char)('0' + l[i].quantity / 10);
		text[len++] = (char)('0' + l[i].quantity % 10);
		text[len++] = '\n';
	}
	if (cart_quick_parse(text, len, again, max, &m, msg, sizeof(msg)) != LV_OK || m != n)
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(again[i].sku, l[i].sku) != 0 || again[i].quantity != l[i].quantity)
			abort();
	lv_free(text);
}

static void run(const uint8_t *data, size_t size, size_t max)
{
	struct order_line_req l[ORDER_MAX_LINES];
	char msg[256];
	size_t n = 12345;
	int rc;

	msg[0] = '\0';
	rc = cart_quick_parse((const char *)data, size, l, max, &n, msg, sizeof(msg));
	if (rc == LV_OK) {
		check_lines(l, n, max);
		check_roundtrip(l, n, max);
	} else if (rc == LV_EINVAL) {
		if (n != 0 || msg[0] == '\0')
			abort();
		if (size <= 64 * 1024 && strncmp(msg, "line ", 5) != 0)
			abort();
	} else {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size, 3);
	run(data, size, ORDER_MAX_LINES);
	return 0;
}
