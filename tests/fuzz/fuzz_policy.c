/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_policy.c - libFuzzer target for the catalog policy loader
 * (policy_set_load). The input is split at the first NUL byte into at
 * most two sources, so duplicate names and errors across sources are
 * exercised too. Whatever loads must re-serialise to JSON that loads
 * again, and a view over it must answer a few questions without crashing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_ask(struct policy_set *set)
{
	static const char *const groups[] = { "staff", "branch" };
	static const char *const tags[] = { "uniform", "branch" };
	struct policy_subject s = { "E1", "Retail Banking", "CC-1", "Head office", "Teller",
				    "full_time", groups, 2, 19000, 20000 };
	struct policy_product p = { "navy-blazer", "uniforms", tags, 2, 1 };
	struct policy_variant x = { "S", "M", "Navy", "Slim", 1000, "Embroidered" };
	struct policy_line line = { &p, &x, 2 };
	struct policy_past_line past = { "navy-blazer", "uniforms", tags, 2, 3, 19900 };
	struct policy_decision d;
	struct policy_price pr;
	struct policy_view *v = NULL;
	json_t *kits;

	if (policy_view_new(set, &s, &v) != LV_OK)
		abort();
	if (policy_view_product_visible(v, &p, NULL) != policy_view_product_visible(v, &p, &d))
		abort();
	policy_view_variant_allowed(v, &p, &x, &d);
	policy_view_order_check(v, &line, 1, &past, 1, &d);
	policy_view_price(v, &p, &x, &pr, &d);
	kits = policy_view_kits(v);
	json_decref(kits);
	policy_view_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_source src[2], again[2];
	struct policy_errors e;
	struct policy_set *set = NULL, *set2 = NULL;
	const uint8_t *nul = memchr(data, 0, size);
	char *dump[2] = { NULL, NULL };
	size_t n = 1, i;

	src[0].origin = "a";
	src[0].text = (const char *)data;
	src[0].len = nul ? (size_t)(nul - data) : size;
	if (nul) {
		src[1].origin = "b";
		src[1].text = (const char *)nul + 1;
		src[1].len = size - src[0].len - 1;
		n = 2;
	}
	policy_errors_init(&e);
	if (policy_set_load(src, n, &set, &e) != LV_OK) {
		if (set != NULL || e.n == 0)
			abort();
		goto out;
	}
	if (e.n != 0 || policy_set_count(set) != n)
		abort();
	for (i = 0; i < n; i++) {
		dump[i] = json_dumps(policy_set_policy(set, i), JSON_COMPACT);
		if (dump[i] == NULL)
			abort();
		again[i].origin = src[i].origin;
		again[i].text = dump[i];
		again[i].len = strlen(dump[i]);
	}
	if (policy_set_load(again, n, &set2, &e) != LV_OK)
		abort();
	for (i = 0; i < n; i++)
		if (!json_equal((json_t *)policy_set_policy(set, i),
				(json_t *)policy_set_policy(set2, i)))
			abort();
	fuzz_ask(set);
out:
	for (i = 0; i < 2; i++)
		free(dump[i]);
	policy_set_unref(set2);
	policy_set_unref(set);
	policy_errors_cleanup(&e);
	return 0;
}
