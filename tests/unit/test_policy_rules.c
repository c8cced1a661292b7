/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_policy_rules.c - the decisions of catalog policies (catalog-
 * policies/policy_view.c, policy_audience.c) one rule kind at a time and
 * combined: every selector kind with all/any/not nesting, visibility
 * (deny beats allow, restricted needs admission, the fast path agrees with
 * the explained one), dress codes (product over category over tag, equal
 * specificity intersects; colours, fits, sizes and logo options),
 * eligibility, price (best price, best subsidy) and kits from several
 * policies.
 */
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "policy.h"

static struct policy_set *load(const char *const *texts, size_t n)
{
	struct policy_source src[8];
	struct policy_errors e;
	struct policy_set *set = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		src[i].origin = "t";
		src[i].text = texts[i];
		src[i].len = strlen(texts[i]);
	}
	policy_errors_init(&e);
	if (policy_set_load(src, n, &set, &e) != LV_OK)
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "load: %s %s\n", e.v[i].path, e.v[i].message);
	CHECK(set != NULL);
	policy_errors_cleanup(&e);
	return set;
}

static const char *const alice_groups[] = { "staff", "branch" };

static struct policy_subject alice(void)
{
	struct policy_subject s = { "E1001", "Retail Banking", "CC-410", "Lyon branch",
				    "Branch teller", "full_time", alice_groups, 2, 20000, 20100 };
	return s;
}

/* Does a one-policy set with this audience select s? */
static int selects(const char *audience, const struct policy_subject *s)
{
	char text[512];
	const char *t = text;
	struct policy_set *set;
	struct policy_view *v = NULL;
	int n = -1;

	lv_snprintf(text, sizeof(text), "{\"name\": \"p\", \"audience\": %s}", audience);
	set = load(&t, 1);
	if (set == NULL)
		return -1;
	policy_view_new(set, s, &v);
	n = (int)policy_view_count(v);
	if (n == 1)
		CHECK_STR(policy_view_name(v, 0), "p");
	policy_view_free(v);
	policy_set_unref(set);
	return n;
}

static void test_selectors(void)
{
	struct policy_subject s = alice(), u;

	CHECK_INT(selects("{}", &s), 1);
	CHECK_INT(selects("{\"department\": [\"Warehouse\", \"Retail Banking\"]}", &s), 1);
	CHECK_INT(selects("{\"department\": [\"retail banking\"]}", &s), 1);
	CHECK_INT(selects("{\"department\": [\"Warehouse\"]}", &s), 0);
	CHECK_INT(selects("{\"cost_center\": [\"CC-410\"]}", &s), 1);
	CHECK_INT(selects("{\"cost_center\": [\"CC-411\"]}", &s), 0);
	CHECK_INT(selects("{\"site\": [\"Lyon branch\"]}", &s), 1);
	CHECK_INT(selects("{\"site\": [\"Head office\"]}", &s), 0);
	CHECK_INT(selects("{\"job_title\": [\"Branch teller\"]}", &s), 1);
	CHECK_INT(selects("{\"job_title\": [\"Branch manager\"]}", &s), 0);
	CHECK_INT(selects("{\"groups\": [\"hr\", \"branch\"]}", &s), 1);
	CHECK_INT(selects("{\"groups\": [\"hr\", \"cast\"]}", &s), 0);
	CHECK_INT(selects("{\"employment_type\": [\"full_time\"]}", &s), 1);
	CHECK_INT(selects("{\"employment_type\": [\"part_time\"]}", &s), 0);
	CHECK_INT(selects("{\"employee_ids\": [\"E1001\"]}", &s), 1);
	CHECK_INT(selects("{\"employee_ids\": [\"e1001\"]}", &s), 0);
	/* 100 days of service */
	CHECK_INT(selects("{\"days_since_hire\": {\"min\": 100}}", &s), 1);
	CHECK_INT(selects("{\"days_since_hire\": {\"min\": 101}}", &s), 0);
	CHECK_INT(selects("{\"days_since_hire\": {\"max\": 100}}", &s), 1);
	CHECK_INT(selects("{\"days_since_hire\": {\"max\": 99}}", &s), 0);
	CHECK_INT(selects("{\"days_since_hire\": {\"min\": 0, \"max\": 365}}", &s), 1);
	/* nesting */
	CHECK_INT(selects("{\"all\": [{\"site\": [\"Lyon branch\"]}, {\"groups\": [\"branch\"]}]}", &s), 1);
	CHECK_INT(selects("{\"all\": [{\"site\": [\"Lyon branch\"]}, {\"groups\": [\"hr\"]}]}", &s), 0);
	CHECK_INT(selects("{\"any\": [{\"site\": [\"X\"]}, {\"groups\": [\"branch\"]}]}", &s), 1);
	CHECK_INT(selects("{\"any\": [{\"site\": [\"X\"]}, {\"groups\": [\"hr\"]}]}", &s), 0);
	CHECK_INT(selects("{\"not\": {\"site\": [\"X\"]}}", &s), 1);
	CHECK_INT(selects("{\"not\": {\"not\": {\"site\": [\"X\"]}}}", &s), 0);
	CHECK_INT(selects("{\"all\": [{\"any\": [{\"site\": [\"X\"]}, {\"not\": {\"groups\": "
			  "[\"hr\"]}}]}, {\"department\": [\"Retail Banking\"]}]}", &s), 1);
	CHECK_INT(selects("{\"all\": [{}, {\"not\": {}}]}", &s), 0);
	/* unknown attributes never match, and not turns that into a match */
	u = s;
	u.department = NULL;
	u.hire_day = -1;
	u.employee_id = NULL;
	u.ngroups = 0;
	CHECK_INT(selects("{\"department\": [\"Retail Banking\"]}", &u), 0);
	CHECK_INT(selects("{\"not\": {\"department\": [\"Retail Banking\"]}}", &u), 1);
	CHECK_INT(selects("{\"days_since_hire\": {\"min\": 0}}", &u), 0);
	CHECK_INT(selects("{\"employee_ids\": [\"E1001\"]}", &u), 0);
	CHECK_INT(selects("{\"groups\": [\"staff\"]}", &u), 0);
}

static const char *const tags_ub[] = { "uniform", "branch" };
static const char *const tags_costume[] = { "park", "costume" };
static const char *const tags_logo[] = { "logo", "casual" };

static const struct policy_product blazer = { "navy-blazer", "uniforms", tags_ub, 2, 0 };
static const struct policy_product shirt = { "oxford-shirt-white", "uniforms", tags_ub, 2, 0 };
static const struct policy_product waistcoat = { "tailored-waistcoat", "uniforms", tags_ub, 2, 1 };
static const struct policy_product hat = { "ranger-hat", "uniforms", tags_costume, 2, 1 };
static const struct policy_product polo = { "logo-polo", "logo-wear", tags_logo, 2, 0 };
static const struct policy_product boots = { "safety-boots-s3", "safety-gear", NULL, 0, 0 };

static int visible(const struct policy_view *v, const struct policy_product *p, const char *rule)
{
	struct policy_decision d;
	int fast = policy_view_product_visible(v, p, NULL);
	int slow = policy_view_product_visible(v, p, &d);
	size_t i;
	int found = rule == NULL;

	CHECK_INT(fast, slow);
	CHECK_INT(d.code, slow ? POLICY_OK : POLICY_HIDDEN);
	for (i = 0; i < d.nreasons; i++)
		if (rule && strcmp(d.reasons[i].rule, rule) == 0)
			found = 1;
	CHECK(found);
	if (!found)
		fprintf(stderr, "  no reason %s for %s\n", rule, p->slug);
	return slow;
}

static void test_visibility(void)
{
	const char *none[] = { "{\"name\": \"none\"}" };
	const char *two[] = {
		"{\"name\": \"a\", \"title\": \"A\", \"visibility\": {\"allow\": {\"tags\": [\"branch\"]}, "
		"\"deny\": {\"products\": [\"oxford-shirt-white\"]}}}",
		"{\"name\": \"b\", \"visibility\": {\"allow\": {\"categories\": [\"logo-wear\"], "
		"\"products\": [\"oxford-shirt-white\"]}, \"deny\": {\"tags\": [\"costume\"]}}}",
	};
	const char *deny_only[] = { "{\"name\": \"d\", \"visibility\": {\"deny\": {\"categories\": "
				    "[\"safety-gear\"]}}}" };
	struct policy_subject s = alice();
	struct policy_set *set;
	struct policy_view *v;

	/* no policies: everything not restricted */
	set = load(none, 1);
	policy_view_new(set, &s, &v);
	CHECK_INT(visible(v, &blazer, NULL), 1);
	CHECK_INT(visible(v, &waistcoat, ""), 0);
	CHECK_INT(visible(v, &hat, NULL), 0);
	policy_view_free(v);
	policy_set_unref(set);

	set = policy_set_empty();
	policy_view_new(set, &s, &v);
	CHECK_INT(policy_view_count(v), 0);
	CHECK_INT(visible(v, &polo, NULL), 1);
	CHECK_INT(visible(v, &waistcoat, NULL), 0);
	policy_view_free(v);
	policy_set_unref(set);

	/* allow lists from two policies unite; deny beats allow; restricted needs a name */
	set = load(two, 2);
	policy_view_new(set, &s, &v);
	CHECK_INT(policy_view_count(v), 2);
	CHECK_INT(visible(v, &blazer, "$.visibility.allow.tags[0]"), 1);
	CHECK_INT(visible(v, &waistcoat, "$.visibility.allow.tags[0]"), 1);
	CHECK_INT(visible(v, &polo, "$.visibility.allow.categories[0]"), 1);
	CHECK_INT(visible(v, &shirt, "$.visibility.deny.products[0]"), 0);
	CHECK_INT(visible(v, &hat, "$.visibility.deny.tags[0]"), 0);
	CHECK_INT(visible(v, &boots, "$.visibility.allow"), 0);
	policy_view_free(v);
	policy_set_unref(set);

	/* a deny list alone hides only what it names */
	set = load(deny_only, 1);
	policy_view_new(set, &s, &v);
	CHECK_INT(visible(v, &boots, "$.visibility.deny.categories[0]"), 0);
	CHECK_INT(visible(v, &polo, NULL), 1);
	CHECK_INT(visible(v, &hat, NULL), 0);
	policy_view_free(v);
	policy_set_unref(set);
}

static int variant_ok(const struct policy_view *v, const struct policy_product *p,
		      const char *colour, const char *fit, const char *size, struct policy_decision *d)
{
	struct policy_variant x = { "SKU", size, colour, fit, 1000, "" };

	return policy_view_variant_allowed(v, p, &x, d);
}

/* Logo options: approved like colours, without regard to case; no option passes any list. */
static void test_dress_code_logos(void)
{
	const char *texts[] = {
		"{\"name\": \"h\", \"dress_code\": [{\"category\": \"logo-wear\", "
		"\"colours\": [\"Navy\", \"Teal\"], \"logos\": [\"Embroidered\"]}]}",
	};
	struct policy_subject s = alice();
	struct policy_decision d;
	struct policy_set *set = load(texts, 1);
	struct policy_view *v;
	struct policy_variant x = { "P-1", "M", "Navy", "Slim", 2500, "Embroidered" };

	policy_view_new(set, &s, &v);
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 1);
	x.logo = "embroidered";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 1);
	x.logo = "Printed";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 0);
	CHECK_INT(d.code, POLICY_NOT_APPROVED);
	CHECK_STR(d.logos, "Embroidered");
	CHECK_STR(d.colours, "Navy, Teal");
	CHECK(strstr(d.reasons[0].text, "logo Embroidered only") != NULL);
	/* both lists must pass */
	x.logo = "Embroidered";
	x.colour = "White";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 0);
	/* a variant without a logo option, or a caller that does not know logos (NULL) */
	x.colour = "Navy";
	x.logo = "";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 1);
	x.logo = NULL;
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 1);
	policy_view_free(v);
	policy_set_unref(set);
}

/*
 * The dress code shown before any refusal: the most specific rule that says
 * something (its note, or its lists); none for a product no rule names, nor
 * for a rule that admits anything and says nothing.
 */
static void test_dress_code_shown(void)
{
	static const struct policy_product mug = { "mug", "accessories", NULL, 0, 0 };
	const char *texts[] = {
		"{\"name\": \"b\", \"dress_code\": ["
		"{\"category\": \"uniforms\", \"colours\": [\"Navy\", \"White\"], \"note\": \"Uniforms: navy or white.\"},"
		"{\"product\": \"navy-blazer\", \"colours\": [\"Navy\"], \"note\": \"Navy only, as HR says.\"},"
		"{\"tag\": \"logo\", \"colours\": [\"Teal\"], \"fits\": [\"Slim\"]},"
		"{\"product\": \"safety-boots-s3\"}]}",
	};
	struct policy_subject s = alice();
	struct policy_decision d;
	struct policy_set *set = load(texts, 1);
	struct policy_view *v;

	policy_view_new(set, &s, &v);
	/* the product's own rule beats its category's */
	CHECK_INT(policy_view_dress_code(v, &blazer, &d), 1);
	CHECK_INT(d.code, POLICY_NOT_APPROVED);
	CHECK_STR(d.note, "Navy only, as HR says.");
	CHECK_STR(d.colours, "Navy");
	CHECK_INT(d.nreasons, 1);
	CHECK_STR(d.reasons[0].rule, "$.dress_code[1]");
	/* the category's rule for another uniform */
	CHECK_INT(policy_view_dress_code(v, &shirt, &d), 1);
	CHECK_STR(d.note, "Uniforms: navy or white.");
	/* no note: the lists */
	CHECK_INT(policy_view_dress_code(v, &polo, &d), 1);
	CHECK_STR(d.note, "");
	CHECK_STR(d.colours, "Teal");
	CHECK_STR(d.fits, "Slim");
	/* a rule that admits anything and says nothing; no rule at all */
	CHECK_INT(policy_view_dress_code(v, &boots, &d), 0);
	CHECK_INT(policy_view_dress_code(v, &mug, &d), 0);
	CHECK_INT(d.nreasons, 0);
	policy_view_free(v);
	policy_set_unref(set);
}

/* A rule without "logos" allows every logo; two of equal specificity intersect. */
static void test_dress_code_logos_combined(void)
{
	const char *texts[] = {
		"{\"name\": \"c\", \"dress_code\": [{\"category\": \"logo-wear\", "
		"\"colours\": [\"Navy\"]}]}",
		"{\"name\": \"d\", \"dress_code\": [{\"category\": \"logo-wear\", "
		"\"logos\": [\"Embroidered\", \"Printed\"]}, {\"product\": \"navy-blazer\", "
		"\"logos\": [\"Woven\"]}]}",
		"{\"name\": \"e\", \"dress_code\": [{\"category\": \"logo-wear\", "
		"\"logos\": [\"PRINTED\"]}]}",
	};
	struct policy_subject s = alice();
	struct policy_decision d;
	struct policy_set *set = load(texts, 1);
	struct policy_view *v;
	struct policy_variant x = { "P-1", "M", "Navy", "Slim", 2500, "Anything" };

	/* colours only: any logo */
	policy_view_new(set, &s, &v);
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 1);
	x.colour = "Teal";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 0);
	CHECK_STR(d.logos, "");
	CHECK_STR(d.colours, "Navy");
	policy_view_free(v);
	policy_set_unref(set);

	/* c, d and e together: Navy, and Printed (the one logo both lists give) */
	set = load(texts, 3);
	policy_view_new(set, &s, &v);
	x.colour = "Navy";
	x.logo = "Printed";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 1);
	CHECK_INT(d.nreasons, 3);
	x.logo = "Embroidered";
	CHECK_INT(policy_view_variant_allowed(v, &polo, &x, &d), 0);
	CHECK_STR(d.reasons[0].policy, "e");
	CHECK_STR(d.logos, "PRINTED");
	/* the product rule wins on the blazer */
	x.logo = "woven";
	CHECK_INT(policy_view_variant_allowed(v, &blazer, &x, &d), 1);
	x.logo = "Printed";
	CHECK_INT(policy_view_variant_allowed(v, &blazer, &x, &d), 0);
	CHECK_STR(d.logos, "Woven");
	CHECK(strstr(d.reasons[0].text, "navy-blazer may be ordered, logo Woven only") != NULL);
	policy_view_free(v);
	policy_set_unref(set);
}

/* "logos" is checked like "colours": a non-empty list of short non-empty strings. */
static void test_dress_code_logos_invalid(void)
{
	static const char *const bad[] = {
		"{\"name\": \"a\", \"dress_code\": [{\"tag\": \"x\", \"logos\": []}]}",
		"{\"name\": \"a\", \"dress_code\": [{\"tag\": \"x\", \"logos\": [\"\"]}]}",
		"{\"name\": \"a\", \"dress_code\": [{\"tag\": \"x\", \"logos\": \"Printed\"}]}",
		"{\"name\": \"a\", \"dress_code\": [{\"tag\": \"x\", \"logos\": [7]}]}",
		"{\"name\": \"a\", \"dress_code\": [{\"tag\": \"x\", \"logo\": [\"Printed\"]}]}",
		"{\"name\": \"a\", \"dress_code\": [{\"tag\": \"x\", \"logos\": [\"Embroidered\", \""
		"Embroidered on the left chest, 4 cm wide, in the Pantone colours of the house"
		" brand book, second edition, page 12, revised in 2026\"]}]}", /* 130 bytes */
	};
	static const char *const paths[] = {
		"$.dress_code[0].logos", "$.dress_code[0].logos[0]", "$.dress_code[0].logos",
		"$.dress_code[0].logos[0]", "$.dress_code[0].logo", "$.dress_code[0].logos[1]",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct policy_source src = { "t", bad[i], strlen(bad[i]) };
		struct policy_errors e;
		struct policy_set *set = NULL;

		policy_errors_init(&e);
		CHECK_INT(policy_set_load(&src, 1, &set, &e), LV_EINVAL);
		CHECK(set == NULL);
		CHECK(e.n >= 1);
		if (e.n >= 1) {
			if (strcmp(e.v[0].path, paths[i]) != 0)
				fprintf(stderr, "case %zu: path %s\n", i, e.v[0].path);
			CHECK_STR(e.v[0].path, paths[i]);
		}
		policy_errors_cleanup(&e);
	}
}

static void test_dress_code(void)
{
	const char *texts[] = {
		"{\"name\": \"a\", \"title\": \"Branch staff\", \"dress_code\": ["
		"{\"category\": \"uniforms\", \"colours\": [\"Navy\", \"White\"]},"
		"{\"product\": \"navy-blazer\", \"colours\": [\"Navy\"], "
		"\"note\": \"Branch staff may order the blazer in Navy only.\"},"
		"{\"tag\": \"logo\", \"colours\": [\"Teal\"]}]}",
		"{\"name\": \"b\", \"dress_code\": ["
		"{\"category\": \"uniforms\", \"colours\": [\"White\", \"Black\"], \"sizes\": [\"M\", \"L\"]},"
		"{\"category\": \"logo-wear\", \"fits\": [\"Slim\"]}]}",
	};
	struct policy_subject s = alice();
	struct policy_decision d;
	struct policy_set *set = load(texts, 2);
	struct policy_view *v;

	policy_view_new(set, &s, &v);
	/* the product rule wins over both category rules: any size, Navy only */
	CHECK_INT(variant_ok(v, &blazer, "Navy", "Slim", "XS", &d), 1);
	CHECK_INT(d.code, POLICY_OK);
	CHECK_INT(variant_ok(v, &blazer, "navy", "", "", &d), 1);
	CHECK_INT(variant_ok(v, &blazer, "Black", "Slim", "M", &d), 0);
	CHECK_INT(d.code, POLICY_NOT_APPROVED);
	CHECK_INT(d.nreasons, 1);
	CHECK_STR(d.reasons[0].policy, "a");
	CHECK_STR(d.reasons[0].rule, "$.dress_code[1]");
	CHECK_STR(d.reasons[0].text, "Branch staff may order the blazer in Navy only.");
	/* two category rules of equal specificity intersect: White, in M or L */
	CHECK_INT(variant_ok(v, &shirt, "White", "", "M", &d), 1);
	CHECK_INT(d.nreasons, 2);
	CHECK_INT(variant_ok(v, &shirt, "Navy", "", "M", &d), 0);
	CHECK_STR(d.reasons[0].rule, "$.dress_code[0]");
	CHECK_STR(d.reasons[0].policy, "b");
	CHECK(strstr(d.reasons[0].text, "White or Black") != NULL);
	CHECK_INT(variant_ok(v, &shirt, "Black", "", "M", &d), 0);
	CHECK_INT(variant_ok(v, &shirt, "White", "", "XL", &d), 0);
	/* category (logo-wear: fit) beats tag (logo: colour) */
	CHECK_INT(variant_ok(v, &polo, "White", "Slim", "M", &d), 1);
	CHECK_INT(variant_ok(v, &polo, "White", "Regular", "M", &d), 0);
	/* nothing targets the boots */
	CHECK_INT(variant_ok(v, &boots, "Pink", "", "44", &d), 1);
	CHECK_INT(d.nreasons, 0);
	/* a hidden product is refused before its dress code */
	CHECK_INT(variant_ok(v, &hat, "Khaki", "", "M", &d), 0);
	CHECK_INT(d.code, POLICY_HIDDEN);
	CHECK_INT(variant_ok(v, &blazer, "Navy", "", "", NULL), 1);
	policy_view_free(v);
	policy_set_unref(set);
}

static void test_eligibility(void)
{
	const char *texts[] = {
		"{\"name\": \"e\", \"title\": \"Park\", \"visibility\": {\"allow\": {\"tags\": [\"costume\", \"logo\"]}}, "
		"\"eligibility\": [{\"tag\": \"costume\", \"min_days\": 90}, "
		"{\"product\": \"logo-polo\", \"employment_types\": [\"full_time\"]}]}",
	};
	struct policy_subject s = alice();
	struct policy_decision d;
	struct policy_set *set = load(texts, 1);
	struct policy_view *v;
	char day[11];

	/* 89 days of service: not yet, from hire + 90 */
	s.today = s.hire_day + 89;
	policy_view_new(set, &s, &v);
	CHECK_INT(variant_ok(v, &hat, "Khaki", "", "M", &d), 0);
	CHECK_INT(d.code, POLICY_NOT_ELIGIBLE);
	CHECK_INT(d.next_day, s.hire_day + 90);
	CHECK_STR(d.reasons[0].rule, "$.eligibility[0]");
	policy_day_format(s.hire_day + 90, day);
	CHECK(strstr(d.reasons[0].text, day) != NULL);
	CHECK_INT(variant_ok(v, &polo, "Navy", "", "M", &d), 1);
	policy_view_free(v);
	/* 90 days: yes */
	s.today = s.hire_day + 90;
	policy_view_new(set, &s, &v);
	CHECK_INT(variant_ok(v, &hat, "Khaki", "", "M", &d), 1);
	CHECK_INT(d.code, POLICY_OK);
	CHECK_STR(d.reasons[d.nreasons - 1].rule, "$.eligibility[0]");
	policy_view_free(v);
	/* unknown hire date: never (until it is known) */
	s.hire_day = -1;
	policy_view_new(set, &s, &v);
	CHECK_INT(variant_ok(v, &hat, "Khaki", "", "M", &d), 0);
	CHECK_INT(d.code, POLICY_NOT_ELIGIBLE);
	CHECK_INT(d.next_day, -1);
	CHECK(strstr(d.reasons[0].text, "unknown") != NULL);
	policy_view_free(v);
	/* employment type */
	s = alice();
	s.employment_type = "part_time";
	policy_view_new(set, &s, &v);
	CHECK_INT(variant_ok(v, &polo, "Navy", "", "M", &d), 0);
	CHECK_INT(d.code, POLICY_NOT_ELIGIBLE);
	CHECK_INT(d.next_day, -1);
	CHECK_STR(d.reasons[0].rule, "$.eligibility[1]");
	policy_view_free(v);
	s.employment_type = NULL;
	policy_view_new(set, &s, &v);
	CHECK_INT(variant_ok(v, &polo, "Navy", "", "M", &d), 0);
	policy_view_free(v);
	policy_set_unref(set);
}

static void test_price(void)
{
	const char *texts[] = {
		"{\"name\": \"a\", \"price\": [{\"category\": \"uniforms\", \"company_pays_percent\": 50}, "
		"{\"product\": \"navy-blazer\", \"price_minor\": 4990}]}",
		"{\"name\": \"b\", \"price\": [{\"tag\": \"branch\", \"company_pays_percent\": 80, "
		"\"price_minor\": 5990}, {\"tag\": \"logo\", \"company_pays_percent\": 0}]}",
	};
	struct policy_variant x = { "B-1", "M", "Navy", "", 8990, "" };
	struct policy_subject s = alice();
	struct policy_decision d;
	struct policy_price pr;
	struct policy_set *set = load(texts, 2);
	struct policy_view *v;

	policy_view_new(set, &s, &v);
	policy_view_price(v, &blazer, &x, &pr, &d);
	CHECK_INT(pr.unit_price, 4990);
	CHECK_INT(pr.company_percent, 80);
	CHECK_INT(d.nreasons, 2);
	CHECK_STR(d.reasons[0].policy, "a");
	CHECK_STR(d.reasons[0].rule, "$.price[1]");
	CHECK_STR(d.reasons[1].policy, "b");
	CHECK_STR(d.reasons[1].rule, "$.price[0]");
	policy_view_price(v, &shirt, &x, &pr, NULL);
	CHECK_INT(pr.unit_price, 5990);
	CHECK_INT(pr.company_percent, 80);
	policy_view_price(v, &polo, &x, &pr, &d);
	CHECK_INT(pr.unit_price, 8990);
	CHECK_INT(pr.company_percent, 0);
	policy_view_price(v, &boots, &x, &pr, &d);
	CHECK_INT(pr.unit_price, 8990);
	CHECK_INT(pr.company_percent, 100);
	CHECK_INT(d.nreasons, 0);
	policy_view_free(v);
	policy_set_unref(set);
}

static void test_kits(void)
{
	const char *texts[] = {
		("{\"name\": \"a\", \"kits\": [{\"name\": \"Starter\", \"mandatory\": true, \"items\": "
		 "[{\"product\": \"hi-vis-vest\"}, {\"product\": \"safety-boots-s3\", \"sku\": \"B-42\", "
		 "\"quantity\": 2}]}]}"),
		"{\"name\": \"b\", \"kits\": [{\"name\": \"Winter\", \"items\": [{\"product\": \"parka\"}]}]}",
		("{\"name\": \"c\", \"audience\": {\"site\": [\"Mars\"]}, \"kits\": [{\"name\": \"Space\", "
		 "\"items\": [{\"product\": \"suit\"}]}]}"),
	};
	struct policy_subject s = alice();
	struct policy_set *set = load(texts, 3);
	struct policy_view *v;
	json_t *k, *items;

	policy_view_new(set, &s, &v);
	CHECK_INT(policy_view_count(v), 2);
	k = policy_view_kits(v);
	CHECK_INT(json_array_size(k), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(k, 0), "policy")), "a");
	CHECK(json_is_true(json_object_get(json_array_get(k, 0), "mandatory")));
	items = json_object_get(json_array_get(k, 0), "items");
	CHECK_INT(json_array_size(items), 2);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(items, 0), "quantity")), 1);
	CHECK(json_object_get(json_array_get(items, 0), "sku") == NULL);
	CHECK_STR(json_string_value(json_object_get(json_array_get(items, 1), "sku")), "B-42");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(items, 1), "quantity")), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(k, 1), "name")), "Winter");
	CHECK(json_is_false(json_object_get(json_array_get(k, 1), "mandatory")));
	json_decref(k);
	policy_view_free(v);
	policy_set_unref(set);
}

int main(void)
{
	LV_RUN(test_selectors);
	LV_RUN(test_visibility);
	LV_RUN(test_dress_code);
	LV_RUN(test_dress_code_logos);
	LV_RUN(test_dress_code_logos_combined);
	LV_RUN(test_dress_code_logos_invalid);
	LV_RUN(test_dress_code_shown);
	LV_RUN(test_eligibility);
	LV_RUN(test_price);
	LV_RUN(test_kits);
	return lv_test_done();
}
