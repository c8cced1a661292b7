/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_policy_limits.c - limits in catalog policies (policy_view_order_
 * check): every window (order, month, year, rolling 365 days, hire year)
 * at its edges - the last day of a month and of a year, the 365th day
 * back, hire anniversaries including 29 February, an unknown hire date -
 * the next_day of each, the tightest of several limits, an order's lines
 * counted together, and which past lines count.
 */
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "policy.h"

static const char *const tags_ub[] = { "uniform", "branch" };
static const char *const tags_logo[] = { "logo", "casual" };
static const struct policy_product shirt = { "oxford-shirt-white", "uniforms", tags_ub, 2, 0 };
static const struct policy_product blue = { "oxford-shirt-blue", "uniforms", tags_ub, 2, 0 };
static const struct policy_product blazer = { "navy-blazer", "uniforms", tags_ub, 2, 0 };
static const struct policy_product polo = { "logo-polo", "logo-wear", tags_logo, 2, 0 };
static const struct policy_product secret = { "secret", "uniforms", tags_ub, 2, 1 };
static const struct policy_variant var = { "S-1", "M", "White", "", 3000, "" };

static int64_t day(const char *s)
{
	int64_t d = -1;

	CHECK_INT(policy_day_parse(s, &d), LV_OK);
	return d;
}

static struct policy_view *view(const char *limits, const char *today, const char *hire)
{
	char text[1024];
	struct policy_source src = { "t", text, 0 };
	struct policy_subject s = { "E1", "D", NULL, NULL, NULL, "full_time", NULL, 0, -1, 0 };
	struct policy_errors e;
	struct policy_set *set = NULL;
	struct policy_view *v = NULL;
	size_t i;

	lv_snprintf(text, sizeof(text), "{\"name\": \"l\", \"title\": \"Shirts\", \"limits\": %s}",
		    limits);
	src.len = strlen(text);
	policy_errors_init(&e);
	if (policy_set_load(&src, 1, &set, &e) != LV_OK)
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "load: %s %s\n", e.v[i].path, e.v[i].message);
	CHECK(set != NULL);
	policy_errors_cleanup(&e);
	s.today = day(today);
	s.hire_day = hire ? day(hire) : -1;
	policy_view_new(set, &s, &v);
	policy_set_unref(set);
	return v;
}

static struct policy_past_line past(const struct policy_product *p, int64_t q, const char *when)
{
	struct policy_past_line x = { p->slug, p->category, p->tags, p->ntags, q, day(when) };

	return x;
}

/* One line of q shirts against past; returns the decision's code. */
static int check1(const struct policy_view *v, int64_t q, const struct policy_past_line *pl,
		  size_t n, struct policy_decision *d)
{
	struct policy_line line = { &shirt, &var, q };
	int all = policy_view_order_check(v, &line, 1, pl, n, d);

	CHECK_INT(all, d->code == POLICY_OK);
	return (int)d->code;
}

static void test_order(void)
{
	struct policy_view *v = view("[{\"product\": \"oxford-shirt-white\", \"max\": 2, \"per\": \"order\"}]",
				     "2026-05-05", NULL);
	struct policy_past_line pl[1];
	struct policy_decision d;

	pl[0] = past(&shirt, 10, "2026-05-05");
	CHECK_INT(check1(v, 2, pl, 1, &d), POLICY_OK);
	CHECK_INT(d.used, 0);
	CHECK_INT(d.limit, 2);
	CHECK_INT(check1(v, 3, pl, 1, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, -1);
	CHECK_STR(d.per, "order");
	CHECK_STR(d.reasons[0].rule, "$.limits[0]");
	policy_view_free(v);
}

static void test_month(void)
{
	struct policy_view *v = view("[{\"category\": \"uniforms\", \"max\": 3, \"per\": \"month\"}]",
				     "2026-01-31", NULL);
	struct policy_past_line pl[3];
	struct policy_decision d;

	pl[0] = past(&blazer, 2, "2026-01-01");
	pl[1] = past(&shirt, 5, "2025-12-31");
	pl[2] = past(&polo, 5, "2026-01-15");
	CHECK_INT(check1(v, 1, pl, 3, &d), POLICY_OK);
	CHECK_INT(d.used, 2);
	CHECK_INT(check1(v, 2, pl, 3, &d), POLICY_LIMIT);
	CHECK_INT(d.used, 2);
	CHECK_INT(d.limit, 3);
	CHECK_STR(d.per, "month");
	CHECK_STR(d.what, "the uniforms category");
	CHECK_INT(d.next_day, day("2026-02-01"));
	CHECK_INT(check1(v, 4, pl, 3, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, -1);
	policy_view_free(v);
	v = view("[{\"category\": \"uniforms\", \"max\": 3, \"per\": \"month\"}]", "2026-02-01", NULL);
	pl[0] = past(&blazer, 3, "2026-01-31");
	CHECK_INT(check1(v, 3, pl, 1, &d), POLICY_OK);
	CHECK_INT(d.used, 0);
	pl[0] = past(&blazer, 1, "2026-02-01");
	CHECK_INT(check1(v, 3, pl, 1, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, day("2026-03-01"));
	policy_view_free(v);
	/* December rolls into the next year */
	v = view("[{\"category\": \"uniforms\", \"max\": 1, \"per\": \"month\"}]", "2026-12-31", NULL);
	pl[0] = past(&blazer, 1, "2026-12-01");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, day("2027-01-01"));
	policy_view_free(v);
}

static void test_year(void)
{
	struct policy_view *v = view("[{\"products\": [\"oxford-shirt-white\", \"oxford-shirt-blue\"], "
				     "\"max\": 5, \"per\": \"year\", \"label\": \"shirts\"}]",
				     "2026-12-31", NULL);
	struct policy_past_line pl[3];
	struct policy_decision d;

	pl[0] = past(&shirt, 3, "2026-01-01");
	pl[1] = past(&blue, 2, "2026-12-31");
	pl[2] = past(&blue, 9, "2025-12-31");
	CHECK_INT(check1(v, 1, pl, 3, &d), POLICY_LIMIT);
	CHECK_INT(d.used, 5);
	CHECK_INT(d.limit, 5);
	CHECK_STR(d.what, "shirts");
	CHECK_STR(d.per, "year");
	CHECK_INT(d.next_day, day("2027-01-01"));
	CHECK_STR(d.reasons[0].text, "You have ordered 5 of 5 shirts allowed per year; the next one "
				     "becomes available on 2027-01-01.");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_OK);
	CHECK_INT(d.used, 3);
	CHECK(strstr(d.reasons[0].text, "3 of 5 shirts") != NULL);
	policy_view_free(v);
	v = view("[{\"tag\": \"uniform\", \"max\": 5, \"per\": \"year\"}]", "2027-01-01", NULL);
	CHECK_INT(check1(v, 5, pl, 3, &d), POLICY_OK);
	CHECK_INT(d.used, 0);
	policy_view_free(v);
}

static void test_rolling(void)
{
	struct policy_view *v = view("[{\"tag\": \"uniform\", \"max\": 2, \"per\": \"rolling_365\"}]",
				     "2026-06-30", NULL);
	int64_t t = day("2026-06-30");
	struct policy_past_line pl[3];
	struct policy_decision d;

	pl[0] = past(&blazer, 1, "2026-06-30");
	pl[0].day = t - 364; /* the first day of the window */
	pl[1] = past(&shirt, 1, "2026-06-30");
	pl[1].day = t - 10;
	pl[2] = past(&shirt, 7, "2026-06-30");
	pl[2].day = t - 365; /* just out */
	CHECK_INT(check1(v, 1, pl, 3, &d), POLICY_LIMIT);
	CHECK_INT(d.used, 2);
	CHECK_STR(d.per, "rolling_365");
	CHECK_INT(d.next_day, t + 1);
	CHECK_INT(check1(v, 2, pl, 3, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, t - 10 + 365);
	CHECK_INT(check1(v, 3, pl, 3, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, -1);
	CHECK_INT(check1(v, 1, pl + 1, 2, &d), POLICY_OK);
	CHECK_INT(d.used, 1);
	policy_view_free(v);
}

static void test_hire_year(void)
{
	const char *lim = "[{\"tag\": \"uniform\", \"max\": 1, \"per\": \"hire_year\"}]";
	struct policy_view *v = view(lim, "2026-03-14", "2020-03-15");
	struct policy_past_line pl[1];
	struct policy_decision d;

	pl[0] = past(&blazer, 1, "2025-03-15");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_LIMIT);
	CHECK_STR(d.per, "hire_year");
	CHECK_INT(d.next_day, day("2026-03-15"));
	pl[0] = past(&blazer, 1, "2025-03-14");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_OK);
	policy_view_free(v);
	v = view(lim, "2026-03-15", "2020-03-15");
	pl[0] = past(&blazer, 1, "2026-03-14");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_OK);
	pl[0] = past(&blazer, 1, "2026-03-15");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, day("2027-03-15"));
	policy_view_free(v);

	/* hired on 29 February: the anniversary is 28 February in common years */
	v = view(lim, "2026-02-28", "2024-02-29");
	pl[0] = past(&blazer, 1, "2026-02-27");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_OK);
	pl[0] = past(&blazer, 1, "2026-02-28");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, day("2027-02-28"));
	policy_view_free(v);
	v = view(lim, "2026-02-27", "2024-02-29");
	pl[0] = past(&blazer, 1, "2025-02-28");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, day("2026-02-28"));
	pl[0] = past(&blazer, 1, "2025-02-27");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_OK);
	policy_view_free(v);
	v = view(lim, "2028-02-28", "2024-02-29");
	pl[0] = past(&blazer, 1, "2027-02-28");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, day("2028-02-29"));
	policy_view_free(v);

	/* unknown hire date: the calendar year, and the reason says so */
	v = view(lim, "2026-03-14", NULL);
	pl[0] = past(&blazer, 1, "2026-01-01");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_LIMIT);
	CHECK_INT(d.next_day, day("2027-01-01"));
	CHECK(strstr(d.reasons[0].text, "hire date is unknown") != NULL);
	pl[0] = past(&blazer, 1, "2025-12-31");
	CHECK_INT(check1(v, 1, pl, 1, &d), POLICY_OK);
	policy_view_free(v);
}

static void test_tightest(void)
{
	struct policy_view *v = view("[{\"product\": \"oxford-shirt-white\", \"max\": 1, \"per\": \"month\"},"
				     " {\"category\": \"uniforms\", \"max\": 3, \"per\": \"year\"},"
				     " {\"tag\": \"branch\", \"max\": 10, \"per\": \"year\"}]",
				     "2026-06-15", NULL);
	struct policy_past_line pl[2];
	struct policy_decision d;

	pl[0] = past(&shirt, 1, "2026-06-01");
	pl[1] = past(&blazer, 2, "2026-02-01");
	/* both the month and the year limit refuse: the year decides */
	CHECK_INT(check1(v, 1, pl, 2, &d), POLICY_LIMIT);
	CHECK_INT(d.limit, 3);
	CHECK_STR(d.per, "year");
	CHECK_INT(d.next_day, day("2027-01-01"));
	CHECK_INT(d.nreasons, 2);
	/* only the month refuses */
	pl[1].quantity = 1;
	CHECK_INT(check1(v, 1, pl, 2, &d), POLICY_LIMIT);
	CHECK_INT(d.limit, 1);
	CHECK_INT(d.next_day, day("2026-07-01"));
	/* none refuses: the one with the least room is reported */
	CHECK_INT(check1(v, 1, pl + 1, 1, &d), POLICY_OK);
	CHECK_INT(d.limit, 1);
	CHECK_INT(d.used, 0);
	CHECK_INT(d.nreasons, 3);
	policy_view_free(v);
}

static void test_order_lines(void)
{
	struct policy_view *v = view("[{\"tag\": \"uniform\", \"max\": 3, \"per\": \"order\"}]",
				     "2026-06-15", NULL);
	struct policy_line lines[4] = {
		{ &blazer, &var, 2 }, { &shirt, &var, 2 }, { &polo, &var, 9 }, { &secret, &var, 1 }
	};
	struct policy_decision d[4];

	CHECK_INT(policy_view_order_check(v, lines, 4, NULL, 0, d), 0);
	CHECK_INT(d[0].code, POLICY_LIMIT);
	CHECK_INT(d[1].code, POLICY_LIMIT);
	CHECK_INT(d[2].code, POLICY_OK);
	CHECK_INT(d[3].code, POLICY_HIDDEN);
	lines[1].quantity = 1;
	CHECK_INT(policy_view_order_check(v, lines, 3, NULL, 0, d), 1);
	CHECK_INT(policy_view_order_check(v, lines, 0, NULL, 0, d), 1);
	policy_view_free(v);
}

int main(void)
{
	LV_RUN(test_order);
	LV_RUN(test_month);
	LV_RUN(test_year);
	LV_RUN(test_rolling);
	LV_RUN(test_hire_year);
	LV_RUN(test_tightest);
	LV_RUN(test_order_lines);
	return lv_test_done();
}
