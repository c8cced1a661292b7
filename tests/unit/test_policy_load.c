/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_policy_load.c - loading catalog policies (catalog-policies/
 * policy_load.c): every kind of validation error with its JSON path and
 * hint, errors of several sources reported together, unique names, all or
 * nothing, the normalised JSON, reference counting, and the day helpers.
 */
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "policy.h"

/* Loads one text; returns the result code, errors in e (caller cleans). */
static int load1(const char *text, struct policy_errors *e, struct policy_set **set)
{
	struct policy_source src = { "test.json", text, strlen(text) };

	policy_errors_init(e);
	return policy_set_load(&src, 1, set, e);
}

static int has_error(const struct policy_errors *e, const char *path, const char *hint)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->v[i].path, path) == 0 &&
		    (hint == NULL || strstr(e->v[i].hint, hint) != NULL))
			return 1;
	return 0;
}

/* text must fail with an error at path (whose hint contains hint, if given). */
static void expect_error(const char *text, const char *path, const char *hint)
{
	struct policy_errors e;
	struct policy_set *set = NULL;
	size_t i;
	int rc;

	rc = load1(text, &e, &set);
	CHECK_INT(rc, LV_EINVAL);
	CHECK(set == NULL);
	CHECK(has_error(&e, path, hint));
	if (!has_error(&e, path, hint)) {
		fprintf(stderr, "  for %s\n", text);
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "  got %s: %s (%s)\n", e.v[i].path, e.v[i].message, e.v[i].hint);
	}
	for (i = 0; i < e.n; i++) {
		CHECK_STR(e.v[i].origin, "test.json");
		CHECK(e.v[i].message[0] != '\0');
		CHECK(e.v[i].hint[0] != '\0');
	}
	policy_errors_cleanup(&e);
	policy_set_unref(set);
}

static void test_minimal(void)
{
	struct policy_errors e;
	struct policy_set *set = NULL;
	const json_t *j;

	CHECK_INT(load1("{\"name\": \"a-1\"}", &e, &set), LV_OK);
	CHECK_INT(e.n, 0);
	CHECK(set != NULL);
	CHECK_INT(policy_set_count(set), 1);
	j = policy_set_policy(set, 0);
	CHECK_STR(json_string_value(json_object_get(j, "title")), "a-1");
	CHECK(json_is_object(json_object_get(j, "audience")));
	CHECK(policy_set_policy(set, 1) == NULL);
	CHECK(policy_set_ref(set) == set);
	policy_set_unref(set);
	CHECK_INT(policy_set_count(set), 1);
	policy_set_unref(set);
	policy_set_unref(NULL);
	policy_errors_cleanup(&e);
	set = policy_set_empty();
	CHECK_INT(policy_set_count(set), 0);
	policy_set_unref(set);
}

static void test_errors_top(void)
{
	char big[400];

	expect_error("{", "$", "JSON");
	expect_error("[]", "$", "object");
	expect_error("{\"name\": \"a\", \"name\": \"b\"}", "$", NULL);
	expect_error("{\"name\": \"caf\xc3\"}", "$", NULL);
	expect_error("{}", "$.name", "branch-staff");
	expect_error("{\"name\": \"Bad Name\"}", "$.name", "a-z");
	expect_error("{\"name\": 7}", "$.name", NULL);
	expect_error("{\"name\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		     "$.name", "64");
	expect_error("{\"name\": \"a\", \"colour\": 1}", "$.colour", "dress_code");
	expect_error("{\"name\": \"a\", \"title\": 3}", "$.title", NULL);
	expect_error("{\"name\": \"a\", \"title\": \"\"}", "$.title", NULL);
	memset(big, 'x', sizeof(big));
	memcpy(big, "{\"name\": \"a\", \"title\": \"", 24);
	memcpy(big + 24 + 201, "\"}", 3);
	expect_error(big, "$.title", "shorten");
}

static void test_errors_audience(void)
{
	struct policy_errors e;
	struct policy_set *set = NULL;
	char deep[512];
	size_t i, n = 0;

	expect_error("{\"name\": \"a\", \"audience\": []}", "$.audience", NULL);
	expect_error("{\"name\": \"a\", \"audience\": {\"site\": [\"x\"], \"department\": [\"y\"]}}",
		     "$.audience", "all");
	expect_error("{\"name\": \"a\", \"audience\": {\"shoe\": [\"x\"]}}", "$.audience.shoe",
		     "days_since_hire");
	expect_error("{\"name\": \"a\", \"audience\": {\"department\": \"Warehouse\"}}",
		     "$.audience.department", "list");
	expect_error("{\"name\": \"a\", \"audience\": {\"department\": []}}",
		     "$.audience.department", NULL);
	expect_error("{\"name\": \"a\", \"audience\": {\"groups\": [\"\"]}}",
		     "$.audience.groups[0]", NULL);
	expect_error("{\"name\": \"a\", \"audience\": {\"all\": []}}", "$.audience.all", NULL);
	expect_error("{\"name\": \"a\", \"audience\": {\"all\": [{}, {\"not\": {\"site\": 1}}]}}",
		     "$.audience.all[1].not.site", NULL);
	expect_error("{\"name\": \"a\", \"audience\": {\"days_since_hire\": {\"min\": 9, \"max\": 3}}}",
		     "$.audience.days_since_hire", "min");
	expect_error("{\"name\": \"a\", \"audience\": {\"days_since_hire\": {\"avg\": 9}}}",
		     "$.audience.days_since_hire.avg", "min, max");
	expect_error("{\"name\": \"a\", \"audience\": {\"days_since_hire\": {\"min\": -1}}}",
		     "$.audience.days_since_hire.min", "whole number");
	n += (size_t)lv_snprintf(deep, sizeof(deep), "{\"name\": \"a\", \"audience\": ");
	for (i = 0; i < 20; i++)
		n += (size_t)lv_snprintf(deep + n, sizeof(deep) - n, "{\"not\": ");
	n += (size_t)lv_snprintf(deep + n, sizeof(deep) - n, "{}");
	for (i = 0; i < 21; i++)
		n += (size_t)lv_snprintf(deep + n, sizeof(deep) - n, "}");
	CHECK_INT(load1(deep, &e, &set), LV_EINVAL);
	CHECK(e.n == 1 && strstr(e.v[0].message, "nested") != NULL);
	policy_errors_cleanup(&e);
}

static void test_errors_rules(void)
{
	expect_error("{\"name\": \"a\", \"visibility\": {\"maybe\": {}}}", "$.visibility.maybe",
		     "allow, deny");
	expect_error("{\"name\": \"a\", \"visibility\": {\"allow\": {}}}", "$.visibility.allow", NULL);
	expect_error("{\"name\": \"a\", \"visibility\": {\"allow\": {\"colours\": [\"x\"]}}}",
		     "$.visibility.allow.colours", "categories");
	expect_error("{\"name\": \"a\", \"visibility\": {\"deny\": {\"categories\": [\"\"]}}}",
		     "$.visibility.deny.categories[0]", NULL);
	expect_error("{\"name\": \"a\", \"dress_code\": {}}", "$.dress_code", NULL);
	expect_error("{\"name\": \"a\", \"dress_code\": [7]}", "$.dress_code[0]", NULL);
	expect_error("{\"name\": \"a\", \"dress_code\": [{\"colours\": [\"Navy\"]}]}",
		     "$.dress_code[0]", "exactly one of");
	expect_error("{\"name\": \"a\", \"dress_code\": [{\"tag\": \"x\", \"product\": \"y\"}]}",
		     "$.dress_code[0]", "exactly one of");
	expect_error("{\"name\": \"a\", \"dress_code\": [{\"tag\": \"\"}]}", "$.dress_code[0].tag",
		     NULL);
	expect_error("{\"name\": \"a\", \"dress_code\": [{\"tag\": \"x\", \"colours\": []}]}",
		     "$.dress_code[0].colours", NULL);
	expect_error("{\"name\": \"a\", \"dress_code\": [{\"tag\": \"x\", \"colour\": [\"Navy\"]}]}",
		     "$.dress_code[0].colour", "colours");
	expect_error("{\"name\": \"a\", \"kits\": [{\"items\": [{\"product\": \"p\"}]}]}",
		     "$.kits[0].name", NULL);
	expect_error("{\"name\": \"a\", \"kits\": [{\"name\": \"k\", \"items\": []}]}",
		     "$.kits[0].items", NULL);
	expect_error("{\"name\": \"a\", \"kits\": [{\"name\": \"k\", \"mandatory\": \"yes\", "
		     "\"items\": [{\"product\": \"p\"}]}]}", "$.kits[0].mandatory", "true or false");
	expect_error("{\"name\": \"a\", \"kits\": [{\"name\": \"k\", \"items\": [{\"product\": \"p\", "
		     "\"quantity\": 0}]}]}", "$.kits[0].items[0].quantity", NULL);
	expect_error("{\"name\": \"a\", \"kits\": [{\"name\": \"k\", \"items\": [{\"sku\": \"p\"}]}]}",
		     "$.kits[0].items[0].product", NULL);
	expect_error("{\"name\": \"a\", \"limits\": [{\"tag\": \"a\", \"max\": 1, \"per\": \"year\"}, "
		     "{\"tag\": \"b\", \"max\": 1, \"per\": \"month\"}, "
		     "{\"tag\": \"c\", \"max\": 1, \"per\": \"week\"}]}", "$.limits[2].per",
		     "one of order, month, year, rolling_365, hire_year");
	expect_error("{\"name\": \"a\", \"limits\": [{\"tag\": \"a\", \"max\": 0, \"per\": \"year\"}]}",
		     "$.limits[0].max", "from 1");
	expect_error("{\"name\": \"a\", \"limits\": [{\"tag\": \"a\", \"max\": 1.5, \"per\": \"year\"}]}",
		     "$.limits[0].max", NULL);
	expect_error("{\"name\": \"a\", \"limits\": [{\"tag\": \"a\", \"per\": \"year\"}]}",
		     "$.limits[0].max", NULL);
	expect_error("{\"name\": \"a\", \"limits\": [{\"tag\": \"a\", \"max\": 2}]}",
		     "$.limits[0].per", "rolling_365");
	expect_error("{\"name\": \"a\", \"eligibility\": [{\"tag\": \"a\"}]}", "$.eligibility[0]",
		     "min_days");
	expect_error("{\"name\": \"a\", \"eligibility\": [{\"tag\": \"a\", \"min_days\": -1}]}",
		     "$.eligibility[0].min_days", NULL);
	expect_error("{\"name\": \"a\", \"eligibility\": [{\"tag\": \"a\", \"employment_types\": "
		     "[1]}]}", "$.eligibility[0].employment_types[0]", NULL);
	expect_error("{\"name\": \"a\", \"price\": [{\"tag\": \"a\", \"company_pays_percent\": 101}]}",
		     "$.price[0].company_pays_percent", "0 to 100");
	expect_error("{\"name\": \"a\", \"price\": [{\"tag\": \"a\", \"company_pays_percent\": -1}]}",
		     "$.price[0].company_pays_percent", "0 to 100");
	expect_error("{\"name\": \"a\", \"price\": [{\"tag\": \"a\"}]}", "$.price[0]", "price_minor");
	expect_error("{\"name\": \"a\", \"price\": [{\"tag\": \"a\", \"price_minor\": \"24.90\"}]}",
		     "$.price[0].price_minor", NULL);
}

static void test_list_bound(void)
{
	size_t i, n, cap = 16 * 1024;
	char *text = lv_malloc(cap);

	n = (size_t)lv_snprintf(text, cap, "{\"name\": \"a\", \"audience\": {\"site\": [");
	for (i = 0; i < 1001; i++)
		n += (size_t)lv_snprintf(text + n, cap - n, "%s\"s\"", i ? "," : "");
	lv_snprintf(text + n, cap - n, "]}}");
	expect_error(text, "$.audience.site", "split");
	lv_free(text);
}

/* Every error of every source, duplicate names, and all or nothing. */
static void test_sets(void)
{
	struct policy_source src[3] = {
		{ "one.json", "{\"name\": \"same\"}", 0 },
		{ "two.json", "{\"name\": \"same\", \"limits\": [{\"tag\": \"t\", \"max\": 0, "
			      "\"per\": \"decade\"}]}", 0 },
		{ "three.json", "{\"name\": \"other\", \"price\": [{\"tag\": \"t\", "
				"\"company_pays_percent\": 200}]}", 0 },
	};
	struct policy_errors e;
	struct policy_set *set = (struct policy_set *)&e;
	size_t i;
	int dup = 0, max = 0, per = 0, pct = 0;

	for (i = 0; i < 3; i++)
		src[i].len = strlen(src[i].text);
	policy_errors_init(&e);
	CHECK_INT(policy_set_load(src, 3, &set, &e), LV_EINVAL);
	CHECK(set == NULL);
	CHECK_INT(e.n, 4);
	for (i = 0; i < e.n; i++) {
		if (strcmp(e.v[i].origin, "two.json") == 0 && strcmp(e.v[i].path, "$.name") == 0)
			dup = strstr(e.v[i].message, "one.json") != NULL;
		if (strcmp(e.v[i].origin, "two.json") == 0 &&
		    strcmp(e.v[i].path, "$.limits[0].max") == 0)
			max = 1;
		if (strcmp(e.v[i].origin, "two.json") == 0 &&
		    strcmp(e.v[i].path, "$.limits[0].per") == 0)
			per = 1;
		if (strcmp(e.v[i].origin, "three.json") == 0 &&
		    strcmp(e.v[i].path, "$.price[0].company_pays_percent") == 0)
			pct = 1;
	}
	CHECK(dup && max && per && pct);
	policy_errors_cleanup(&e);

	/* a good source with a bad one: nothing is returned */
	src[1].text = "{\"name\": \"two\", \"audience\": {\"site\": 5}}";
	src[1].len = strlen(src[1].text);
	policy_errors_init(&e);
	CHECK_INT(policy_set_load(src, 2, &set, &e), LV_EINVAL);
	CHECK(set == NULL);
	CHECK_INT(e.n, 1);
	policy_errors_cleanup(&e);

	src[1].text = "{\"name\": \"two\", \"audience\": {\"site\": [\"x\"]}}";
	src[1].len = strlen(src[1].text);
	policy_errors_init(&e);
	CHECK_INT(policy_set_load(src, 2, &set, &e), LV_OK);
	CHECK_INT(e.n, 0);
	CHECK_INT(policy_set_count(set), 2);
	policy_set_unref(set);
	policy_errors_cleanup(&e);
}

/* Whatever loads re-serialises to JSON that loads again to the same. */
static void test_normalised(void)
{
	const char *text = "{\"name\": \"full\", \"title\": \"Full\", \"audience\": {\"any\": "
			   "[{\"site\": [\"A\"]}, {\"days_since_hire\": {\"min\": 1}}]}, "
			   "\"visibility\": {\"allow\": {\"tags\": [\"t\"]}}, \"dress_code\": "
			   "[{\"products\": [\"p\", \"q\"], \"sizes\": [\"M\"]}], \"kits\": "
			   "[{\"name\": \"K\", \"items\": [{\"product\": \"p\"}]}], \"limits\": "
			   "[{\"category\": \"c\", \"max\": 2, \"per\": \"rolling_365\"}], "
			   "\"eligibility\": [{\"tag\": \"t\", \"min_days\": 0}], \"price\": "
			   "[{\"product\": \"p\", \"price_minor\": 2490}]}";
	struct policy_errors e;
	struct policy_set *a = NULL, *b = NULL;
	struct policy_source src;
	char *dump;

	CHECK_INT(load1(text, &e, &a), LV_OK);
	policy_errors_cleanup(&e);
	dump = json_dumps(policy_set_policy(a, 0), JSON_COMPACT);
	src.origin = "dump";
	src.text = dump;
	src.len = strlen(dump);
	policy_errors_init(&e);
	CHECK_INT(policy_set_load(&src, 1, &b, &e), LV_OK);
	CHECK(b && json_equal((json_t *)policy_set_policy(a, 0), (json_t *)policy_set_policy(b, 0)));
	free(dump);
	policy_errors_cleanup(&e);
	policy_set_unref(a);
	policy_set_unref(b);
}

static void test_days(void)
{
	int64_t d = -7;
	char s[11];

	CHECK_INT(policy_day_parse("1970-01-01", &d), LV_OK);
	CHECK_INT(d, 0);
	CHECK_INT(policy_day_parse("2000-03-01", &d), LV_OK);
	CHECK_INT(d, 11017);
	CHECK_INT(policy_day_parse("2024-02-29", &d), LV_OK);
	policy_day_format(d, s);
	CHECK_STR(s, "2024-02-29");
	CHECK_INT(policy_day_parse("2023-02-29", &d), LV_EINVAL);
	CHECK_INT(policy_day_parse("1900-02-29", &d), LV_EINVAL);
	CHECK_INT(policy_day_parse("2000-02-29", &d), LV_OK);
	CHECK_INT(policy_day_parse("2024-1-01", &d), LV_EINVAL);
	CHECK_INT(policy_day_parse("2024-13-01", &d), LV_EINVAL);
	CHECK_INT(policy_day_parse("2024-01-01x", &d), LV_EINVAL);
	CHECK_INT(policy_day_parse("+024-01-01", &d), LV_EINVAL);
	CHECK_INT(policy_day_parse(NULL, &d), LV_EINVAL);
	policy_day_format(-1, s);
	CHECK_STR(s, "1969-12-31");
	/* every day of 1999..2031 survives the round trip and follows the last */
	{
		int64_t first, last, x, back;
		int ok = 1;

		policy_day_parse("1999-01-01", &first);
		policy_day_parse("2031-12-31", &last);
		for (x = first; x <= last; x++) {
			policy_day_format(x, s);
			if (policy_day_parse(s, &back) != LV_OK || back != x)
				ok = 0;
		}
		CHECK(ok);
		CHECK_INT(last - first + 1, 33 * 365 + 8);
	}
}

int main(void)
{
	LV_RUN(test_minimal);
	LV_RUN(test_errors_top);
	LV_RUN(test_errors_audience);
	LV_RUN(test_errors_rules);
	LV_RUN(test_list_bound);
	LV_RUN(test_sets);
	LV_RUN(test_normalised);
	LV_RUN(test_days);
	return lv_test_done();
}
