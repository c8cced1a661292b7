/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_policy_admin.c - the console's policy form (store/domain/
 * policy_admin.c): what it can show as fields and what it keeps as JSON,
 * that a policy shown and sent back unchanged is the same policy, the
 * form's own refusals, and engine error paths mapped to the rows shown
 * (empty rows skipped).
 */
#include <string.h>

#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "policy_admin.h"

static json_t *parse(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);

	CHECK(j != NULL);
	return j;
}

static void kv(struct lv_kvlist *l, const char *text)
{
	char msg[128];

	CHECK_INT(lv_form_parse(text, strlen(text), 256, l, msg, sizeof(msg)), LV_OK);
}

static void test_view_simple(void)
{
	json_t *p = parse("{\"name\":\"b\",\"title\":\"Branch\",\"audience\":{\"all\":[{\"department\":"
			  "[\"Retail Banking\"]},{\"groups\":[\"branch\",\"tellers\"]}]},"
			  "\"visibility\":{\"deny\":{\"tags\":[\"costume\"]}},"
			  "\"dress_code\":[{\"product\":\"navy-blazer\",\"colours\":[\"Navy\"],\"note\":\"N\"}],"
			  "\"limits\":[{\"tag\":\"shirt\",\"max\":5,\"per\":\"year\",\"label\":\"shirts\"}],"
			  "\"kits\":[{\"name\":\"K\",\"items\":[{\"product\":\"x\"}]}]}");
	json_t *v = policy_admin_form_view(p), *row;

	CHECK_STR(json_string_value(json_object_get(json_object_get(v, "aud"), "groups")), "branch, tellers");
	CHECK(json_object_get(v, "aud_advanced") == NULL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(v, "deny"), "tags")), "costume");
	CHECK_INT((int)json_array_size(json_object_get(v, "dress")), 2); /* one + the empty row */
	row = json_array_get(json_object_get(v, "limits"), 0);
	CHECK_STR(json_string_value(json_object_get(row, "max")), "5");
	CHECK(json_is_true(json_object_get(row, "per_year")));
	CHECK(json_is_true(json_object_get(row, "kind_tag")));
	CHECK_STR(json_string_value(json_array_get(json_object_get(v, "kept"), 0)), "kits");
	json_decref(v);
	json_decref(p);
}

static void test_view_advanced(void)
{
	json_t *p = parse("{\"name\":\"p\",\"audience\":{\"any\":[{\"site\":[\"A\"]},{\"site\":[\"B\"]}]},"
			  "\"limits\":[{\"products\":[\"a\",\"b\"],\"max\":1,\"per\":\"order\"}],"
			  "\"dress_code\":[{\"tag\":\"t\",\"colours\":[\"Navy, dark\"]}]}");
	json_t *v = policy_admin_form_view(p);

	CHECK(json_is_true(json_object_get(v, "aud_advanced")));
	CHECK(json_is_true(json_object_get(v, "limits_advanced")));
	CHECK(json_is_true(json_object_get(v, "dress_advanced"))); /* a value with a comma */
	CHECK(json_object_get(v, "vis_advanced") == NULL);
	json_decref(v);
	json_decref(p);
}

/* The form the page sends for a stored policy gives back the same policy. */
static void test_round_trip(void)
{
	json_t *p = parse("{\"name\":\"b\",\"title\":\"T\",\"audience\":{\"all\":[{\"site\":[\"Head office\"]},"
			  "{\"days_since_hire\":{\"min\":90}}]},\"visibility\":{\"allow\":{\"categories\":"
			  "[\"uniforms\"],\"tags\":[\"a\",\"b\"]}},\"dress_code\":[{\"category\":\"uniforms\","
			  "\"colours\":[\"Navy\",\"White\"],\"sizes\":[\"M\"]}],\"limits\":[{\"product\":\"x\","
			  "\"max\":2,\"per\":\"hire_year\"}],\"price\":[{\"tag\":\"a\",\"company_pays_percent\":50}]}");
	struct lv_kvlist f;
	json_t *out = NULL, *errors = json_object();

	lv_kvlist_init(&f);
	kv(&f, "title=T&aud_site=Head+office&aud_min_days=90&allow_categories=uniforms&allow_tags=a%2C+b"
	       "&dress_kind_0=category&dress_target_0=uniforms&dress_colours_0=Navy%2C+White&dress_sizes_0=M"
	       "&dress_kind_1=product&dress_target_1=&limit_kind_0=product&limit_target_0=x&limit_max_0=2"
	       "&limit_per_0=hire_year&limit_kind_1=product&limit_target_1=&limit_max_1=&limit_per_1=year");
	CHECK_INT(policy_admin_form_apply(p, &f, &out, errors), LV_OK);
	CHECK(json_equal(out, p));
	json_decref(out);
	lv_kvlist_cleanup(&f);
	json_decref(errors);
	json_decref(p);
}

static void test_refusals_and_paths(void)
{
	json_t *base = parse("{\"name\":\"b\"}"), *out = NULL, *errors = json_object();
	struct lv_kvlist f;
	char field[48];

	lv_kvlist_init(&f);
	kv(&f, "aud_min_days=ten&dress_kind_0=product&dress_target_0=&dress_colours_0=Navy"
	       "&limit_kind_0=tag&limit_target_0=&limit_max_0=&limit_kind_1=tag&limit_target_1=s"
	       "&limit_max_1=0&limit_per_1=year&limit_kind_2=tag&limit_target_2=s&limit_max_2=3"
	       "&limit_per_2=week");
	CHECK_INT(policy_admin_form_apply(base, &f, &out, errors), LV_EINVAL);
	CHECK(out == NULL);
	CHECK(json_object_get(errors, "aud_days") != NULL);
	CHECK(json_object_get(errors, "dress_0") != NULL);   /* colours without a target */
	CHECK(json_object_get(errors, "limit_0") == NULL);   /* an empty row is no rule */
	CHECK(json_object_get(errors, "limit_1") != NULL);   /* max 0 */
	CHECK(json_object_get(errors, "limit_2") != NULL);   /* unknown period */
	/* engine paths: $.limits[0] is the first non-empty row, row 1 here */
	policy_admin_error_field("$.limits[0].label", &f, field, sizeof(field));
	CHECK_STR(field, "limit_1");
	policy_admin_error_field("$.limits[0].label", NULL, field, sizeof(field));
	CHECK_STR(field, "limit_0");
	policy_admin_error_field("$.visibility.deny.tags[2]", &f, field, sizeof(field));
	CHECK_STR(field, "deny_tags");
	policy_admin_error_field("$.audience.all[1].site", &f, field, sizeof(field));
	CHECK_STR(field, "audience");
	policy_admin_error_field("$.titles", &f, field, sizeof(field));
	CHECK_STR(field, "");
	policy_admin_error_field("$.kits[0].items", &f, field, sizeof(field));
	CHECK_STR(field, "");
	lv_kvlist_cleanup(&f);
	json_decref(errors);
	json_decref(base);
}

int main(void)
{
	LV_RUN(test_view_simple);
	LV_RUN(test_view_advanced);
	LV_RUN(test_round_trip);
	LV_RUN(test_refusals_and_paths);
	return lv_test_done();
}
