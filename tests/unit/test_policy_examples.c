/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_policy_examples.c - the example policies of catalog-policies/
 * examples/ load together as one set and make, for the demo employees
 * (alice, bob, carol, frank of tests/idp/accounts.mjs) and products of
 * demo/catalog/catalog.csv, the decisions catalog-policies/README.md
 * describes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "policy.h"

static const char *const example_files[] = { "bank.json", "head-office.json", "park.json",
					     "warehouse.json" };
#define NEX (sizeof(example_files) / sizeof(example_files[0]))

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = lv_malloc((size_t)n + 1);
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static struct policy_set *load_examples(void)
{
	const char *dir = getenv("LV_SOURCE_DIR");
	struct policy_source src[NEX];
	struct policy_errors e;
	struct policy_set *set = NULL;
	char path[512], *text[NEX];
	size_t i;

	for (i = 0; i < NEX; i++) {
		lv_snprintf(path, sizeof(path), "%s/catalog-policies/examples/%s", dir ? dir : "..",
			    example_files[i]);
		text[i] = slurp(path, &src[i].len);
		CHECK(text[i] != NULL);
		src[i].origin = example_files[i];
		src[i].text = text[i] ? text[i] : "";
		if (text[i] == NULL)
			src[i].len = 0;
	}
	policy_errors_init(&e);
	CHECK_INT(policy_set_load(src, NEX, &set, &e), LV_OK);
	for (i = 0; i < e.n; i++)
		fprintf(stderr, "%s %s: %s\n", e.v[i].origin, e.v[i].path, e.v[i].message);
	policy_errors_cleanup(&e);
	for (i = 0; i < NEX; i++)
		lv_free(text[i]);
	return set;
}

static const char *const g_alice[] = { "staff", "branch" };
static const char *const g_bob[] = { "staff", "warehouse" };
static const char *const g_carol[] = { "staff", "hr" };
static const char *const g_frank[] = { "staff", "cast" };

static int64_t today(void)
{
	int64_t d = 0;

	policy_day_parse("2026-11-28", &d);
	return d;
}

static struct policy_view *view_for(struct policy_set *set, const char *who, int64_t hire)
{
	struct policy_subject s;
	struct policy_view *v = NULL;

	memset(&s, 0, sizeof(s));
	s.hire_day = hire;
	s.today = today();
	s.employment_type = "full_time";
	if (strcmp(who, "alice") == 0) {
		s.employee_id = "E1001";
		s.department = "Retail Banking";
		s.site = "Lyon Part-Dieu branch";
		s.job_title = "Branch teller";
		s.groups = g_alice;
		s.ngroups = 2;
	} else if (strcmp(who, "bob") == 0) {
		s.employee_id = "E1002";
		s.department = "Warehouse";
		s.site = "Rotterdam distribution centre";
		s.groups = g_bob;
		s.ngroups = 2;
	} else if (strcmp(who, "carol") == 0) {
		s.employee_id = "E1003";
		s.department = "Human Resources";
		s.site = "Head office";
		s.groups = g_carol;
		s.ngroups = 2;
	} else {
		s.employee_id = "E1006";
		s.department = "Guest Services";
		s.site = "Paris park";
		s.employment_type = "part_time";
		s.groups = g_frank;
		s.ngroups = 2;
	}
	policy_view_new(set, &s, &v);
	return v;
}

/* The demo products the README talks about. */
static const char *const t_ub[] = { "uniform", "branch" };
static const char *const t_lc[] = { "logo", "casual" };
static const char *const t_hv[] = { "safety", "hi-vis", "warehouse" };
static const char *const t_sw[] = { "safety", "warehouse" };
static const char *const t_pc[] = { "park", "costume" };
static const char *const t_wp[] = { "warehouse", "park" };
static const char *const t_lcp[] = { "logo", "casual", "park" };
static const struct policy_product blazer = { "navy-blazer", "uniforms", t_ub, 2, 0 };
static const struct policy_product shirt = { "oxford-shirt-white", "uniforms", t_ub, 2, 0 };
static const struct policy_product blue_shirt = { "oxford-shirt-blue", "uniforms", t_ub, 2, 0 };
static const struct policy_product trousers = { "tailored-trousers", "uniforms", t_ub, 2, 0 };
static const struct policy_product waistcoat = { "tailored-waistcoat", "uniforms", t_ub, 2, 1 };
static const struct policy_product polo = { "logo-polo", "logo-wear", t_lc, 2, 0 };
static const struct policy_product vest = { "hi-vis-vest", "safety-gear", t_hv, 3, 0 };
static const struct policy_product boots = { "safety-boots-s3", "safety-gear", t_sw, 2, 0 };
static const struct policy_product hat = { "ranger-hat", "uniforms", t_pc, 2, 1 };
static const struct policy_product parka = { "insulated-parka", "outerwear", t_wp, 2, 0 };
static const struct policy_product cap = { "logo-cap", "accessories", t_lcp, 3, 0 };

static int allowed(const struct policy_view *v, const struct policy_product *p,
		   const char *colour, struct policy_decision *d)
{
	struct policy_variant x = { "SKU", "M", colour, "Regular", 5000, "" };

	return policy_view_variant_allowed(v, p, &x, d);
}

static void test_load(void)
{
	struct policy_set *set = load_examples();

	CHECK_INT(policy_set_count(set), 4);
	policy_set_unref(set);
}

static void test_alice(void)
{
	struct policy_set *set = load_examples();
	struct policy_view *v = view_for(set, "alice", -1);
	struct policy_variant white = { "NW-002-WH-M", "M", "White", "Regular", 3990, "" };
	struct policy_line line = { &shirt, &white, 1 };
	struct policy_past_line pl[2] = {
		{ "oxford-shirt-white", "uniforms", t_ub, 2, 3, 0 },
		{ "oxford-shirt-blue", "uniforms", t_ub, 2, 2, 0 },
	};
	struct policy_decision d;
	struct policy_price pr;

	CHECK_INT(policy_view_count(v), 1);
	CHECK_STR(policy_view_name(v, 0), "bank-branch-staff");
	CHECK_INT(policy_view_product_visible(v, &blazer, NULL), 1);
	CHECK_INT(policy_view_product_visible(v, &waistcoat, NULL), 1);
	CHECK_INT(policy_view_product_visible(v, &polo, NULL), 1);
	CHECK_INT(policy_view_product_visible(v, &vest, NULL), 0);
	CHECK_INT(policy_view_product_visible(v, &hat, NULL), 0);
	CHECK_INT(allowed(v, &blazer, "Navy", &d), 1);
	CHECK_INT(allowed(v, &blazer, "White", &d), 0);
	CHECK_STR(d.reasons[0].text, "Branch staff may order the blazer in Navy only.");
	CHECK_INT(allowed(v, &trousers, "Navy", &d), 1);
	CHECK_INT(allowed(v, &trousers, "Charcoal", &d), 0);
	CHECK_INT(d.code, POLICY_NOT_APPROVED);
	/* the shirts the limit counts may be ordered in the colours they come in */
	CHECK_INT(allowed(v, &shirt, "White", &d), 1);
	CHECK_INT(allowed(v, &blue_shirt, "Light blue", &d), 1);
	pl[0].day = today() - 30;
	pl[1].day = today() - 200;
	CHECK_INT(policy_view_order_check(v, &line, 1, pl, 2, &d), 0);
	CHECK_INT(d.code, POLICY_LIMIT);
	CHECK_STR(d.reasons[0].text, "You have ordered 5 of 5 shirts allowed per year; the next one "
				     "becomes available on 2027-01-01.");
	CHECK_INT(policy_view_order_check(v, &line, 1, pl, 1, &d), 1);
	policy_view_price(v, &blazer, &white, &pr, NULL);
	CHECK_INT(pr.company_percent, 100);
	CHECK_INT(pr.unit_price, 3990);
	policy_view_free(v);
	policy_set_unref(set);
}

static void test_bob(void)
{
	struct policy_set *set = load_examples();
	struct policy_view *v = view_for(set, "bob", -1);
	struct policy_variant b44 = { "NW-032-BK-44", "44", "Black", "", 8900, "" };
	struct policy_line line = { &boots, &b44, 1 };
	struct policy_past_line pl[1] = { { "safety-boots-s3", "safety-gear", t_sw, 2, 1, 0 } };
	struct policy_decision d;
	struct policy_price pr;
	json_t *kits;

	CHECK_INT(policy_view_count(v), 1);
	CHECK_STR(policy_view_name(v, 0), "warehouse");
	kits = policy_view_kits(v);
	CHECK_INT(json_array_size(kits), 1);
	CHECK(json_is_true(json_object_get(json_array_get(kits, 0), "mandatory")));
	CHECK_INT(json_array_size(json_object_get(json_array_get(kits, 0), "items")), 2);
	json_decref(kits);
	CHECK_INT(policy_view_product_visible(v, &blazer, NULL), 0);
	CHECK_INT(policy_view_product_visible(v, &boots, NULL), 1);
	CHECK_INT(allowed(v, &vest, "Yellow", &d), 1);
	CHECK_INT(allowed(v, &vest, "Orange", &d), 0);
	pl[0].day = today() - 100;
	CHECK_INT(policy_view_order_check(v, &line, 1, pl, 1, &d), 0);
	CHECK_INT(d.next_day, today() + 34); /* 2027-01-01 */
	CHECK_INT(policy_view_order_check(v, &line, 1, pl, 0, &d), 1);
	policy_view_price(v, &boots, &b44, &pr, NULL);
	CHECK_INT(pr.company_percent, 100);
	policy_view_free(v);
	policy_set_unref(set);
}

static void test_carol(void)
{
	struct policy_set *set = load_examples();
	struct policy_view *v = view_for(set, "carol", -1);
	struct policy_variant x = { "P", "M", "Navy", "Regular", 2990, "" };
	struct policy_decision d;
	struct policy_price pr;

	CHECK_INT(policy_view_count(v), 1);
	CHECK_STR(policy_view_name(v, 0), "head-office");
	CHECK_INT(policy_view_product_visible(v, &polo, NULL), 1);
	CHECK_INT(policy_view_product_visible(v, &blazer, NULL), 0);
	CHECK_INT(policy_view_product_visible(v, &boots, NULL), 0);
	policy_view_price(v, &polo, &x, &pr, NULL);
	CHECK_INT(pr.company_percent, 50);
	/* logo wear with the embroidered logo only (any case); an item with no logo option passes */
	x.logo = "Embroidered";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 1);
	x.logo = "EMBROIDERED";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 1);
	x.logo = "Printed";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 0);
	CHECK_INT(d.code, POLICY_NOT_APPROVED);
	CHECK_STR(d.logos, "Embroidered");
	CHECK_STR(d.colours, "Navy, Grey, White, Teal");
	CHECK(strstr(d.note, "embroidered logo") != NULL);
	x.logo = "";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 1);
	/* the colour list still applies to an embroidered item */
	x.logo = "Embroidered";
	x.colour = "Red";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 0);
	policy_view_free(v);
	policy_set_unref(set);
}

static void test_frank(void)
{
	struct policy_set *set = load_examples();
	struct policy_view *v = view_for(set, "frank", -1);
	struct policy_variant x = { "C", "", "Navy", "", 1500, "" };
	struct policy_decision d;
	struct policy_price pr;

	CHECK_INT(policy_view_count(v), 1);
	CHECK_STR(policy_view_name(v, 0), "park-cast");
	CHECK_INT(policy_view_product_visible(v, &hat, NULL), 1);
	CHECK_INT(policy_view_product_visible(v, &blazer, NULL), 0);
	/* no hire date in the demo: costume items wait */
	CHECK_INT(allowed(v, &hat, "Khaki", &d), 0);
	CHECK_INT(d.code, POLICY_NOT_ELIGIBLE);
	CHECK_INT(allowed(v, &parka, "Navy", &d), 0);
	CHECK_INT(d.code, POLICY_NOT_ELIGIBLE);
	CHECK_INT(d.next_day, -1);
	policy_view_price(v, &cap, &x, &pr, NULL);
	CHECK_INT(pr.unit_price, 500);
	CHECK_INT(pr.company_percent, 100);
	policy_view_free(v);
	/* hired 60 days ago: from day 90 */
	v = view_for(set, "frank", today() - 60);
	CHECK_INT(allowed(v, &hat, "Khaki", &d), 0);
	CHECK_INT(d.next_day, today() + 30);
	policy_view_free(v);
	v = view_for(set, "frank", today() - 90);
	CHECK_INT(allowed(v, &hat, "Khaki", &d), 1);
	policy_view_free(v);
	policy_set_unref(set);
}

int main(void)
{
	LV_RUN(test_load);
	LV_RUN(test_alice);
	LV_RUN(test_bob);
	LV_RUN(test_carol);
	LV_RUN(test_frank);
	return lv_test_done();
}
