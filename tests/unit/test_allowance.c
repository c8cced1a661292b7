/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_allowance.c - allowance programmes and the ledger on a real,
 * migrated database (Europe/Paris): programme validation, audiences,
 * grants materialised once (also from two connections), proration with
 * round-half-up, eligibility days, missing hire dates, rollover caps and
 * expiry, points, debits, refunds, adjustments with the audit log, and the
 * schema's own guarantees (append-only, never below zero, one debit per
 * order, a reason for every adjustment) against raw SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "allowance.h"
#include "allowance_cli.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"

/* A fresh migrated database; the test drops it with fixture_db_drop(). */
static struct lv_db *fresh_db(void)
{
	return fixture_db_new("allow", 1000, NULL);
}

/* A new clerk; any of the text fields may be NULL. Returns its id. */
static int64_t employee_add(struct lv_db *db, const char *hr_id, const char *dept,
			    const char *site, const char *groups, const char *hire)
{
	struct fixture_employee e = {
		.hr_id = hr_id, .department = dept, .site = site, .job_title = "Clerk",
		.employment_type = "permanent", .groups = groups, .hire_date = hire,
	};

	return fixture_employee_add(db, &e);
}

static int64_t entries(struct lv_db *db, int64_t emp, int64_t prog, const char *kind)
{
	return fixture_q_int3(db, "SELECT count(*) FROM allowance_ledger WHERE employee = ?1 AND "
			      "programme = ?2 AND kind = ?3", emp, prog, kind);
}

static int64_t key_sum(struct lv_db *db, int64_t emp, int64_t prog, const char *key)
{
	return fixture_q_int3(db, "SELECT coalesce(sum(amount), 0) FROM allowance_ledger WHERE "
			      "employee = ?1 AND programme = ?2 AND period_key = ?3", emp, prog, key);
}

static int64_t balance(struct lv_db *db, int64_t emp, int64_t prog, int64_t at)
{
	int64_t b = -1;

	CHECK_INT(allowance_balance_get(db, emp, prog, at, &b), LV_OK);
	return b;
}

static void test_validation(void)
{
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "[]", "a programme must be a JSON object" },
		{ "{\"name\":\"U\",\"unit\":\"money\",\"amount\":1,\"period\":\"yearly\"}",
		  "slug: is required" },
		{ "{\"slug\":\"Uni form\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\"}", "slug: must be" },
		{ "{\"slug\":\"u\",\"unit\":\"money\",\"amount\":1,\"period\":\"yearly\"}",
		  "name: is required" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"amount\":1,\"period\":\"yearly\"}",
		  "unit: is required" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"euros\",\"amount\":1,"
		  "\"period\":\"yearly\"}", "unit: must be one of money, points" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"period\":\"yearly\"}",
		  "amount: is required" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":0,"
		  "\"period\":\"yearly\"}", "amount: must be a whole number from 1" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1.5,"
		  "\"period\":\"yearly\"}", "amount: must be a whole number" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"weekly\"}", "period: must be one of monthly, quarterly, yearly, once" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"reset\":\"birthday\"}",
		  "reset: must be one of calendar, hire_anniversary" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"points\",\"amount\":1,"
		  "\"period\":\"yearly\"}", "points_rate: is required" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"points\",\"amount\":1,"
		  "\"points_rate\":0,\"period\":\"yearly\"}", "points_rate: must be" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"points_rate\":5,\"period\":\"yearly\"}", "points_rate: only" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"prorate\":1}", "prorate: must be true or false" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"rollover_cap\":-1}", "rollover_cap: must be" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"eligibility_days\":-3}", "eligibility_days: must be" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"overage\":\"ignore\"}",
		  "overage: must be one of deny, approval, payroll" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"once\",\"reset\":\"hire_anniversary\"}", "reset: a 'once'" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"once\",\"rollover_cap\":5}", "rollover_cap: a 'once'" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"audience\":[]}", "audience: must be an object" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"audience\":{\"teams\":[\"a\"]}}",
		  "audience.teams: must be one of" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"audience\":{\"sites\":[]}}",
		  "audience.sites: must list at least one value" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"audience\":{\"sites\":[\"Lyon\",3]}}",
		  "audience.sites: item 2 must be a non-empty string" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"categories\":\"shoes\"}",
		  "categories: must be an array of strings" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"tags\":[\"\"]}", "tags: item 1 must be" },
		{ "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"colour\":\"red\"}", "colour: is not a programme field" },
	};
	struct lv_db *db = fresh_db();
	char msg[256];
	json_t *def, *list = NULL;
	int64_t id;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		def = json_loads(bad[i].json, 0, NULL);
		CHECK(def != NULL);
		msg[0] = '\0';
		CHECK_INT(allowance_programme_create(db, def, &id, msg, sizeof(msg)), LV_EINVAL);
		if (strstr(msg, bad[i].msg) == NULL)
			CHECK_STR(msg, bad[i].msg);
		json_decref(def);
	}
	CHECK_INT(allowance_programme_list(db, &list), LV_OK);
	CHECK_INT(json_array_size(list), 0);
	json_decref(list);
	/* a good one, then the same slug again */
	fixture_programme_add(db, "{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\","
			      "\"amount\":30000,\"period\":\"yearly\",\"categories\":[\"uniforms\"],"
			      "\"audience\":{\"sites\":[\"Lyon\"]},\"position\":2}", fixture_lt(2026, 1, 1, 0, 0, 0));
	def = json_loads("{\"slug\":\"uniform\",\"name\":\"Other\",\"unit\":\"money\","
			 "\"amount\":1,\"period\":\"once\"}", 0, NULL);
	CHECK_INT(allowance_programme_create(db, def, &id, msg, sizeof(msg)), LV_ECONFLICT);
	CHECK(strstr(msg, "already exists") != NULL);
	json_decref(def);
	CHECK_INT(allowance_programme_list(db, &list), LV_OK);
	CHECK_INT(json_array_size(list), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "period")), "yearly");
	CHECK_STR(json_string_value(json_array_get(json_object_get(json_array_get(list, 0),
		  "categories"), 0)), "uniforms");
	CHECK(allowance_programme_find(db, "uniform", &id) == LV_OK && id > 0);
	CHECK_INT(allowance_programme_find(db, "nope", &id), LV_ENOTFOUND);
	json_decref(list);
	fixture_db_drop(db);
}

/* The slugs of employee's programmes, comma-separated. */
static const char *slugs_for(struct lv_db *db, int64_t emp)
{
	static char out[256];
	json_t *list = NULL, *o;
	size_t i;

	out[0] = '\0';
	CHECK_INT(allowance_programmes_for_employee(db, emp, 0, &list), LV_OK);
	json_array_foreach(list, i, o)
		lv_snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "," : "",
			    json_string_value(json_object_get(o, "slug")));
	json_decref(list);
	return out;
}

static void test_audience(void)
{
	struct lv_db *db = fresh_db();
	int64_t t0 = fixture_lt(2026, 1, 1, 0, 0, 0), a, b, c, d;

	fixture_programme_add(db, "{\"slug\":\"all\",\"name\":\"All\",\"unit\":\"money\",\"amount\":1,"
			      "\"period\":\"yearly\",\"position\":5}", t0);
	fixture_programme_add(db, "{\"slug\":\"retail\",\"name\":\"R\",\"unit\":\"money\",\"amount\":1,"
			      "\"period\":\"yearly\",\"position\":1,"
			      "\"audience\":{\"departments\":[\"Retail\",\"Ops\"]}}", t0);
	fixture_programme_add(db, "{\"slug\":\"retail-lyon\",\"name\":\"RL\",\"unit\":\"money\","
			      "\"amount\":1,\"period\":\"yearly\",\"position\":1,\"audience\":"
			      "{\"departments\":[\"Retail\"],\"sites\":[\"Lyon\"]}}", t0);
	fixture_programme_add(db, "{\"slug\":\"branch\",\"name\":\"B\",\"unit\":\"money\",\"amount\":1,"
			      "\"period\":\"yearly\",\"position\":3,"
			      "\"audience\":{\"groups\":[\"branch\",\"x\"]}}", t0);
	fixture_programme_add(db, "{\"slug\":\"vip\",\"name\":\"V\",\"unit\":\"money\",\"amount\":1,"
			      "\"period\":\"yearly\",\"position\":4,"
			      "\"audience\":{\"employee_ids\":[\"E4\"],\"job_titles\":[\"Clerk\"],"
			      "\"employment_types\":[\"permanent\"]}}", t0);
	a = employee_add(db, "E1", "Retail", "Lyon", "[\"staff\",\"branch\"]", NULL);
	b = employee_add(db, "E2", "Retail", "Paris", NULL, NULL);
	c = employee_add(db, "E3", NULL, NULL, "[\"staff\"]", NULL);
	d = employee_add(db, "E4", "Ops", "Lyon", NULL, NULL);
	CHECK_STR(slugs_for(db, a), "retail,retail-lyon,branch,all");
	CHECK_STR(slugs_for(db, b), "retail,all");
	CHECK_STR(slugs_for(db, c), "all");
	CHECK_STR(slugs_for(db, d), "retail,vip,all");
	{
		json_t *list = NULL;

		CHECK_INT(allowance_programmes_for_employee(db, 999, 0, &list), LV_ENOTFOUND);
		CHECK(list == NULL);
	}
	fixture_db_drop(db);
}

static const char monthly[] =
	"{\"slug\":\"m\",\"name\":\"Monthly\",\"unit\":\"money\",\"amount\":10000,"
	"\"period\":\"monthly\",\"rollover_cap\":%d}";

static void test_grants_idempotent(void)
{
	struct lv_db *db = fresh_db();
	char def[256];
	int64_t e, p, at = fixture_lt(2026, 1, 15, 12, 0, 0);

	snprintf(def, sizeof(def), monthly, 0);
	p = fixture_programme_add(db, def, fixture_lt(2026, 1, 1, 0, 0, 0));
	e = employee_add(db, "E1", NULL, NULL, NULL, "2020-05-05");
	CHECK_INT(allowance_materialise(db, e, at), LV_OK);
	CHECK_INT(allowance_materialise(db, e, at), LV_OK);
	CHECK_INT(entries(db, e, p, "grant"), 1);
	CHECK_INT(balance(db, e, p, at), 10000);
	/* a grant never reaches back before the programme existed */
	CHECK_INT(key_sum(db, e, p, "2025-12"), 0);
	/* nothing at all before the programme was created */
	CHECK_INT(allowance_materialise(db, e, fixture_lt(2025, 12, 31, 23, 59, 59)), LV_OK);
	CHECK_INT(entries(db, e, p, "grant"), 1);
	CHECK_INT(allowance_materialise(db, 12345, at), LV_ENOTFOUND);
	fixture_db_drop(db);
}

/* Jan: 10000 granted, 3000 spent; what does February start with? */
static void rollover_case(int cap, int64_t feb_balance, int64_t rolled)
{
	struct lv_db *db = fresh_db();
	char def[256];
	int64_t e, p, last = fixture_lt(2026, 1, 31, 23, 59, 59);

	snprintf(def, sizeof(def), monthly, cap);
	p = fixture_programme_add(db, def, fixture_lt(2026, 1, 1, 0, 0, 0));
	e = employee_add(db, "E1", NULL, NULL, NULL, "2020-05-05");
	CHECK_INT(allowance_debit(db, e, p, 3000, "order-1", fixture_lt(2026, 1, 10, 9, 0, 0)), LV_OK);
	CHECK_INT(balance(db, e, p, last), 7000);
	CHECK_INT(entries(db, e, p, "expiry"), 0);
	CHECK_INT(balance(db, e, p, last + 1), feb_balance);
	CHECK_INT(entries(db, e, p, "expiry"), 1);
	CHECK_INT(entries(db, e, p, "rollover"), rolled > 0);
	CHECK_INT(key_sum(db, e, p, "2026-01"), 0);
	CHECK_INT(fixture_q_int3(db, "SELECT amount FROM allowance_ledger WHERE employee = ?1 AND "
				 "programme = ?2 AND kind = 'expiry'", e, p, NULL), -7000);
	if (rolled > 0)
		CHECK_INT(fixture_q_int3(db, "SELECT amount FROM allowance_ledger WHERE employee = ?1 "
					 "AND programme = ?2 AND kind = 'rollover' AND period_key = "
					 "'2026-02'", e, p, NULL), rolled);
	/* reading again changes nothing: 2 grants, a debit, an expiry, a rollover? */
	CHECK_INT(balance(db, e, p, last + 1), feb_balance);
	CHECK_INT(fixture_q_int3(db, "SELECT count(*) FROM allowance_ledger", 0, 0, NULL),
		  4 + (rolled > 0));
	fixture_db_drop(db);
}

static void test_rollover(void)
{
	rollover_case(0, 10000, 0);        /* none */
	rollover_case(5000, 15000, 5000);  /* partial: capped */
	rollover_case(20000, 17000, 7000); /* full: all of the rest */
}

static void test_expiry_chain(void)
{
	struct lv_db *db = fresh_db();
	char def[256];
	int64_t e, p, f;

	snprintf(def, sizeof(def), monthly, 5000);
	p = fixture_programme_add(db, def, fixture_lt(2026, 1, 1, 0, 0, 0));
	e = employee_add(db, "E1", NULL, NULL, NULL, NULL); /* no hire date: calendar grants */
	f = employee_add(db, "E2", NULL, NULL, NULL, "2020-01-01");
	/* April read first: January to March are closed in order */
	CHECK_INT(balance(db, e, p, fixture_lt(2026, 4, 2, 0, 0, 0)), 15000);
	CHECK_INT(entries(db, e, p, "grant"), 4);
	CHECK_INT(entries(db, e, p, "expiry"), 3);
	CHECK_INT(entries(db, e, p, "rollover"), 3);
	CHECK_INT(key_sum(db, e, p, "2026-03"), 0);
	CHECK_INT(fixture_q_int3(db, "SELECT amount FROM allowance_ledger WHERE employee = ?1 AND "
				 "programme = ?2 AND kind = 'expiry' AND period_key = '2026-02'", e, p,
				 NULL), -15000);
	/* the whole ledger of the employee adds up to the balance */
	CHECK_INT(fixture_q_int3(db, "SELECT sum(amount) FROM allowance_ledger WHERE employee = ?1",
				 e, 0, NULL), 15000);
	/* later reads start from the newest grant and carry on in order */
	CHECK_INT(allowance_debit(db, e, p, 12000, "o-apr", fixture_lt(2026, 4, 20, 0, 0, 0)), LV_OK);
	CHECK_INT(balance(db, e, p, fixture_lt(2026, 6, 30, 23, 59, 59)), 15000);
	CHECK_INT(balance(db, e, p, fixture_lt(2026, 7, 1, 0, 0, 0)), 15000);
	CHECK_INT(entries(db, e, p, "grant"), 7);
	CHECK_INT(entries(db, e, p, "expiry"), 6);
	CHECK_INT(entries(db, e, p, "rollover"), 6);
	CHECK_INT(fixture_q_int3(db, "SELECT amount FROM allowance_ledger WHERE employee = ?1 AND "
				 "programme = ?2 AND kind = 'rollover' AND period_key = '2026-05'", e, p,
				 NULL), 3000);
	CHECK_INT(key_sum(db, e, p, "2026-05"), 0);
	CHECK_INT(key_sum(db, e, p, "2026-06"), 0);
	/* the other employee is untouched until read */
	CHECK_INT(entries(db, f, p, "grant"), 0);
	fixture_db_drop(db);
}

static void test_points_and_balances(void)
{
	struct lv_db *db = fresh_db();
	json_t *list = NULL, *b, *per;
	int64_t e, p, at = fixture_lt(2026, 11, 30, 23, 59, 59);

	p = fixture_programme_add(db, "{\"slug\":\"casual\",\"name\":\"Casual\",\"unit\":\"points\","
				  "\"amount\":50,\"points_rate\":10,\"period\":\"quarterly\","
				  "\"position\":2}", fixture_lt(2026, 1, 1, 0, 0, 0));
	fixture_programme_add(db, "{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\","
			      "\"amount\":30000,\"period\":\"yearly\",\"position\":1}",
			      fixture_lt(2026, 1, 1, 0, 0, 0));
	fixture_programme_add(db, "{\"slug\":\"welcome\",\"name\":\"Welcome\",\"unit\":\"money\","
			      "\"amount\":2500,\"period\":\"once\",\"position\":3}",
			      fixture_lt(2026, 1, 1, 0, 0, 0));
	e = employee_add(db, "E1", NULL, NULL, NULL, "2019-04-01");
	CHECK_INT(allowance_balances(db, e, at, &list), LV_OK);
	CHECK_INT(json_array_size(list), 3);
	b = json_array_get(list, 0);
	CHECK_STR(json_string_value(json_object_get(b, "programme")), "uniform");
	CHECK_INT(json_integer_value(json_object_get(b, "balance")), 30000);
	CHECK(json_is_null(json_object_get(b, "points_rate")));
	CHECK_INT(json_integer_value(json_object_get(b, "next_reset")), fixture_lt(2027, 1, 1, 0, 0, 0));
	b = json_array_get(list, 1);
	CHECK_STR(json_string_value(json_object_get(b, "programme")), "casual");
	CHECK_STR(json_string_value(json_object_get(b, "unit")), "points");
	CHECK_INT(json_integer_value(json_object_get(b, "balance")), 50);
	CHECK_INT(json_integer_value(json_object_get(b, "points_rate")), 10);
	per = json_object_get(b, "period");
	CHECK_STR(json_string_value(json_object_get(per, "key")), "2026-Q4");
	CHECK_INT(json_integer_value(json_object_get(per, "start")), fixture_lt(2026, 10, 1, 0, 0, 0));
	CHECK_INT(json_integer_value(json_object_get(b, "next_reset")), fixture_lt(2027, 1, 1, 0, 0, 0));
	b = json_array_get(list, 2);
	CHECK_STR(json_string_value(json_object_get(b, "programme")), "welcome");
	CHECK_INT(json_integer_value(json_object_get(b, "balance")), 2500);
	CHECK(json_is_null(json_object_get(b, "next_reset")));
	json_decref(list);
	/* points are debited in points; four quarters were granted, three closed */
	CHECK_INT(allowance_debit(db, e, p, 20, "o-1", at), LV_OK);
	CHECK_INT(balance(db, e, p, at), 30);
	CHECK_INT(entries(db, e, p, "grant"), 4);
	CHECK_INT(entries(db, e, p, "expiry"), 3);
	/* the once programme never expires */
	CHECK_INT(allowance_balances(db, e, fixture_lt(2030, 1, 1, 0, 0, 0), &list), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(list, 2), "balance")), 2500);
	json_decref(list);
	fixture_db_drop(db);
}

static void test_proration_and_eligibility(void)
{
	struct lv_db *db = fresh_db();
	int64_t p, q, r, a, b, c, d;

	p = fixture_programme_add(db, "{\"slug\":\"pro\",\"name\":\"P\",\"unit\":\"money\","
				  "\"amount\":10000,\"period\":\"monthly\",\"prorate\":true}",
				  fixture_lt(2025, 1, 1, 0, 0, 0));
	q = fixture_programme_add(db, "{\"slug\":\"wait\",\"name\":\"W\",\"unit\":\"money\","
				  "\"amount\":10000,\"period\":\"monthly\",\"prorate\":true,"
				  "\"eligibility_days\":30}", fixture_lt(2025, 1, 1, 0, 0, 0));
	r = fixture_programme_add(db, "{\"slug\":\"anniv\",\"name\":\"A\",\"unit\":\"money\","
				  "\"amount\":10000,\"period\":\"yearly\",\"reset\":\"hire_anniversary\"}",
				  fixture_lt(2025, 1, 1, 0, 0, 0));
	/* hired on the spring DST day: 3 days of 31 left (29, 30, 31) */
	a = employee_add(db, "E1", NULL, NULL, NULL, "2026-03-29");
	CHECK_INT(balance(db, a, p, fixture_lt(2026, 3, 28, 12, 0, 0)), 0);
	CHECK_INT(entries(db, a, p, "grant"), 0);
	CHECK_INT(balance(db, a, p, fixture_lt(2026, 3, 29, 0, 0, 0)), 968); /* 967.74, half up */
	CHECK_INT(balance(db, a, p, fixture_lt(2026, 4, 1, 0, 0, 0)), 10000); /* full from then on */
	/* eligible after 30 days: hired 10 Jan -> 9 Feb, 20 of 28 days: 7142.86 -> 7143 */
	b = employee_add(db, "E2", NULL, NULL, NULL, "2026-01-10");
	CHECK_INT(balance(db, b, q, fixture_lt(2026, 2, 8, 23, 59, 59)), 0);
	CHECK_INT(entries(db, b, q, "grant"), 0);
	CHECK_INT(balance(db, b, q, fixture_lt(2026, 2, 9, 0, 0, 0)), 7143);
	CHECK_INT(entries(db, b, q, "grant"), 1);
	/* no hire date: calendar grants in full, anniversary and waiting periods nothing */
	c = employee_add(db, "E3", NULL, NULL, NULL, NULL);
	CHECK_INT(balance(db, c, p, fixture_lt(2026, 3, 29, 0, 0, 0)), 10000);
	CHECK_INT(allowance_materialise(db, c, fixture_lt(2026, 3, 29, 0, 0, 0)), LV_OK);
	CHECK_INT(entries(db, c, q, "grant"), 0);
	CHECK_INT(entries(db, c, r, "grant"), 0);
	{
		int64_t bal = -1;

		CHECK_INT(allowance_balance_get(db, c, r, fixture_lt(2026, 3, 29, 0, 0, 0), &bal),
			  LV_ENOTFOUND);
	}
	/* anniversary: hired 29 Feb 2024, renewed 28 Feb 2025 at midnight */
	d = employee_add(db, "E4", NULL, NULL, NULL, "2024-02-29");
	CHECK_INT(allowance_debit(db, d, r, 4000, "o-9", fixture_lt(2025, 2, 27, 23, 59, 59)), LV_OK);
	CHECK_INT(balance(db, d, r, fixture_lt(2025, 2, 27, 23, 59, 59)), 6000);
	CHECK_INT(balance(db, d, r, fixture_lt(2025, 2, 28, 0, 0, 0)), 10000);
	CHECK_INT(key_sum(db, d, r, "2024-02-29"), 0);
	CHECK_INT(key_sum(db, d, r, "2025-02-28"), 10000);
	fixture_db_drop(db);
}

static void test_two_connections(void)
{
	struct lv_db *db = fresh_db(), *other = NULL;
	char def[256], msg[256];
	int64_t e, p, feb = fixture_lt(2026, 2, 1, 0, 0, 0);

	snprintf(def, sizeof(def), monthly, 4000);
	p = fixture_programme_add(db, def, fixture_lt(2026, 1, 1, 0, 0, 0));
	e = employee_add(db, "E1", NULL, NULL, NULL, "2020-05-05");
	CHECK_INT(lv_db_open(fixture_db_path(), 0, 50, &other, msg, sizeof(msg)), LV_OK);
	/* A holds the write lock mid-materialisation; B cannot write meanwhile */
	CHECK_INT(lv_db_begin(db), LV_OK);
	CHECK_INT(allowance_materialise(db, e, feb - 1), LV_OK);
	CHECK(allowance_materialise(other, e, feb - 1) != LV_OK);
	CHECK_INT(lv_db_commit(db), LV_OK);
	CHECK_INT(allowance_materialise(other, e, feb - 1), LV_OK);
	CHECK_INT(entries(db, e, p, "grant"), 1);
	/* both close January at the boundary, interleaved: one expiry, one rollover */
	CHECK_INT(allowance_materialise(other, e, feb), LV_OK);
	CHECK_INT(allowance_materialise(db, e, feb), LV_OK);
	CHECK_INT(allowance_materialise(other, e, feb), LV_OK);
	CHECK_INT(entries(db, e, p, "grant"), 2);
	CHECK_INT(entries(db, e, p, "expiry"), 1);
	CHECK_INT(entries(db, e, p, "rollover"), 1);
	CHECK_INT(balance(db, e, p, feb), 14000);
	/* the constraint, not luck: a second grant for the period is refused */
	CHECK(sqlite3_exec(other->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, actor_label, created_at) VALUES (1, 1, "
			   "'2026-02', 'grant', 10000, 'x', 0)", NULL, NULL, NULL) != SQLITE_OK);
	CHECK_INT(sqlite3_extended_errcode(other->conn), SQLITE_CONSTRAINT_UNIQUE);
	CHECK(sqlite3_exec(other->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, actor_label, created_at) VALUES (1, 1, "
			   "'2026-01', 'expiry', -1, 'x', 0)", NULL, NULL, NULL) != SQLITE_OK);
	CHECK_INT(balance(db, e, p, feb), 14000);
	lv_db_close(other);
	fixture_db_drop(db);
}

static void test_schema_guards(void)
{
	struct lv_db *db = fresh_db();
	char def[256];
	int64_t e, p, at = fixture_lt(2026, 1, 15, 0, 0, 0);
	char *err = NULL;

	snprintf(def, sizeof(def), monthly, 0);
	p = fixture_programme_add(db, def, fixture_lt(2026, 1, 1, 0, 0, 0));
	e = employee_add(db, "E1", NULL, NULL, NULL, "2020-05-05");
	CHECK_INT(balance(db, e, p, at), 10000);
	/* append-only */
	CHECK(sqlite3_exec(db->conn, "UPDATE allowance_ledger SET amount = 99999", NULL, NULL,
			   &err) != SQLITE_OK);
	CHECK(err != NULL && strstr(err, "append-only") != NULL);
	sqlite3_free(err);
	err = NULL;
	CHECK(sqlite3_exec(db->conn, "DELETE FROM allowance_ledger", NULL, NULL, &err) !=
	      SQLITE_OK);
	sqlite3_free(err);
	err = NULL;
	/* never below zero, even for a raw INSERT */
	CHECK(sqlite3_exec(db->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, order_ref, actor_label, created_at) VALUES "
			   "(1, 1, '2026-01', 'debit', -10001, 'raw', 'x', 0)", NULL, NULL, &err) !=
	      SQLITE_OK);
	CHECK(err != NULL && strstr(err, "below zero") != NULL);
	sqlite3_free(err);
	err = NULL;
	CHECK(sqlite3_exec(db->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, order_ref, actor_label, created_at) VALUES "
			   "(1, 1, '2026-01', 'debit', -10000, 'raw', 'x', 0)", NULL, NULL, NULL) ==
	      SQLITE_OK);
	CHECK_INT(balance(db, e, p, at), 0);
	/* signs per kind, reasons, order references */
	CHECK(sqlite3_exec(db->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, actor_label, created_at) VALUES "
			   "(1, 1, '2026-01', 'grant', -5, 'x', 0)", NULL, NULL, NULL) != SQLITE_OK);
	CHECK(sqlite3_exec(db->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, actor_label, created_at) VALUES "
			   "(1, 1, '2026-01', 'adjustment', 5, 'x', 0)", NULL, NULL, NULL) !=
	      SQLITE_OK);
	CHECK(sqlite3_exec(db->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, reason, actor_label, created_at) VALUES "
			   "(1, 1, '2026-01', 'adjustment', 5, '  ', 'x', 0)", NULL, NULL, NULL) !=
	      SQLITE_OK);
	CHECK(sqlite3_exec(db->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, actor_label, created_at) VALUES "
			   "(1, 1, '2026-01', 'refund', 5, 'x', 0)", NULL, NULL, NULL) != SQLITE_OK);
	CHECK(sqlite3_exec(db->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, order_ref, actor_label, created_at) VALUES "
			   "(1, 1, '2026-01', 'refund', 5, 'raw', 'x', 0)", NULL, NULL, NULL) ==
	      SQLITE_OK);
	/* one debit per order and programme */
	CHECK(sqlite3_exec(db->conn, "INSERT INTO allowance_ledger (employee, programme, "
			   "period_key, kind, amount, order_ref, actor_label, created_at) VALUES "
			   "(1, 1, '2026-01', 'debit', -1, 'raw', 'x', 0)", NULL, NULL, NULL) !=
	      SQLITE_OK);
	CHECK_INT(sqlite3_extended_errcode(db->conn), SQLITE_CONSTRAINT_UNIQUE);
	CHECK(sqlite3_exec(db->conn, "UPDATE employees SET hire_date = '14/03/2026'", NULL,
			   NULL, NULL) != SQLITE_OK);
	CHECK(sqlite3_exec(db->conn, "INSERT INTO allowance_programmes (slug, name, unit, "
			   "amount, period, created_at) VALUES ('p', 'P', 'points', 5, "
			   "'monthly', 0)", NULL, NULL, NULL) != SQLITE_OK);
	CHECK_INT(balance(db, e, p, at), 5);
	fixture_db_drop(db);
}

static void test_debit_refund(void)
{
	struct lv_db *db = fresh_db();
	char def[256];
	int64_t e, p, jan = fixture_lt(2026, 1, 15, 0, 0, 0), feb = fixture_lt(2026, 2, 15, 0, 0, 0);

	snprintf(def, sizeof(def), monthly, 0);
	p = fixture_programme_add(db, def, fixture_lt(2026, 1, 1, 0, 0, 0));
	e = employee_add(db, "E1", NULL, NULL, NULL, "2020-05-05");
	CHECK_INT(allowance_debit(db, e, p, 3000, "O1", jan), LV_OK);
	CHECK_INT(allowance_debit(db, e, p, 3000, "O1", jan), LV_ECONFLICT); /* same order */
	CHECK_INT(allowance_debit(db, e, p, 7001, "O2", jan), LV_ECONFLICT); /* too much */
	CHECK_INT(allowance_debit(db, e, p, 0, "O2", jan), LV_EINVAL);
	CHECK_INT(allowance_debit(db, e, p, 5, NULL, jan), LV_EINVAL);
	CHECK_INT(allowance_debit(db, e, 999, 5, "O2", jan), LV_ENOTFOUND);
	CHECK_INT(balance(db, e, p, jan), 7000);
	/* inside the caller's transaction: a refused debit leaves the rest alone */
	CHECK_INT(lv_db_begin(db), LV_OK);
	CHECK_INT(allowance_debit(db, e, p, 7000, "O3", jan), LV_OK);
	CHECK_INT(allowance_debit(db, e, p, 1, "O4", jan), LV_ECONFLICT);
	lv_db_rollback(db);
	CHECK_INT(balance(db, e, p, jan), 7000);
	/* refunds: never more than the debit, and only of a real debit */
	CHECK_INT(allowance_refund(db, e, p, 1000, "O1", jan), LV_OK);
	CHECK_INT(allowance_refund(db, e, p, 2001, "O1", jan), LV_ECONFLICT);
	CHECK_INT(allowance_refund(db, e, p, 5, "nope", jan), LV_ENOTFOUND);
	CHECK_INT(balance(db, e, p, jan), 8000);
	/* January closed: the rest of O1's refund goes to February */
	CHECK_INT(allowance_refund(db, e, p, 2000, "O1", feb), LV_OK);
	CHECK_INT(balance(db, e, p, feb), 12000);
	CHECK_INT(key_sum(db, e, p, "2026-01"), 0);
	CHECK_INT(allowance_refund(db, e, p, 1, "O1", feb), LV_ECONFLICT);
	fixture_db_drop(db);
}

static void test_adjust(void)
{
	struct lv_db *db = fresh_db();
	struct allowance_actor hr = { 0, "cli" };
	char def[256];
	int64_t e, p, at = fixture_lt(2026, 1, 15, 0, 0, 0);

	snprintf(def, sizeof(def), monthly, 0);
	p = fixture_programme_add(db, def, fixture_lt(2026, 1, 1, 0, 0, 0));
	e = employee_add(db, "E1", NULL, NULL, NULL, "2020-05-05");
	CHECK_INT(allowance_adjust(db, e, p, 500, NULL, &hr, at), LV_EINVAL);
	CHECK_INT(allowance_adjust(db, e, p, 500, " \t", &hr, at), LV_EINVAL);
	CHECK_INT(allowance_adjust(db, e, p, 0, "why", &hr, at), LV_EINVAL);
	CHECK_INT(allowance_adjust(db, e, p, -10001, "too much", &hr, at), LV_ECONFLICT);
	CHECK_INT(fixture_q_int3(db, "SELECT count(*) FROM audit_log", 0, 0, NULL), 0);
	CHECK_INT(allowance_adjust(db, e, p, 500, "lost parcel", &hr, at), LV_OK);
	CHECK_INT(allowance_adjust(db, e, p, -10500, "reset", &hr, at), LV_OK);
	CHECK_INT(balance(db, e, p, at), 0);
	CHECK_INT(fixture_q_int3(db, "SELECT count(*) FROM audit_log WHERE action = 'allowance.adjust' "
				 "AND entity_id = ?3", 0, 0, "1"), 2);
	CHECK_INT(fixture_q_int3(db, "SELECT count(*) FROM allowance_ledger WHERE kind = 'adjustment' "
				 "AND reason = ?3 AND actor_label = 'cli'", 0, 0, "lost parcel"), 1);
	fixture_db_drop(db);
}

static int cli(struct lv_db *db, int argc, const char **argv)
{
	return allowance_cli_main(db, "EUR", argc, (char **)argv);
}

static void test_cli(void)
{
	static const char prog_json[] =
		"{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\","
		"\"amount\":30000,\"period\":\"yearly\"}";
	struct lv_db *db = fresh_db();
	char path[300];
	FILE *f;
	int64_t e, p, pts, bal = 0;
	const char *create[] = { "programme-create", path };
	const char *list[] = { "programmes" };
	const char *show[] = { "balance", "E1001" };
	const char *adj[] = { "adjust", "E1001", "uniform", "-12.50", "--reason", "damaged" };
	const char *adj_plus[] = { "adjust", "E1001", "uniform", "+0.5", "--reason=goodwill" };
	const char *adj_pts[] = { "adjust", "E1001", "casual", "-7", "--reason", "x" };
	const char *adj_bad[] = { "adjust", "E1001", "uniform", "12,50", "--reason", "x" };
	const char *adj_sign[] = { "adjust", "E1001", "uniform", "--5", "--reason", "x" };
	const char *adj_float[] = { "adjust", "E1001", "casual", "1.5", "--reason", "x" };
	const char *adj_noreason[] = { "adjust", "E1001", "uniform", "5" };
	const char *adj_who[] = { "adjust", "E9", "uniform", "5", "--reason", "x" };
	const char *adj_over[] = { "adjust", "E1001", "uniform", "-1000", "--reason", "x" };

	snprintf(path, sizeof(path), "%s.programme.json", fixture_db_path());
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL) {
		fixture_db_drop(db);
		return;
	}
	fputs(prog_json, f);
	fclose(f);
	e = employee_add(db, "E1001", NULL, NULL, NULL, "2020-01-01");
	CHECK_INT(cli(db, 2, create), 0);
	CHECK_INT(cli(db, 2, create), 1); /* the slug is taken */
	CHECK_INT(cli(db, 1, list), 0);
	CHECK_INT(cli(db, 2, show), 0);
	pts = fixture_programme_add(db, "{\"slug\":\"casual\",\"name\":\"C\",\"unit\":\"points\","
				    "\"amount\":50,\"points_rate\":10,\"period\":\"quarterly\"}", 1);
	CHECK_INT(allowance_programme_find(db, "uniform", &p), LV_OK);
	CHECK_INT(cli(db, 6, adj), 0);
	CHECK_INT(allowance_balance_get(db, e, p, lv_now(), &bal), LV_OK);
	CHECK_INT(bal, 30000 - 1250);
	CHECK_INT(cli(db, 5, adj_plus), 0);
	CHECK_INT(allowance_balance_get(db, e, p, lv_now(), &bal), LV_OK);
	CHECK_INT(bal, 30000 - 1250 + 50);
	CHECK_INT(cli(db, 6, adj_pts), 0);
	CHECK_INT(allowance_balance_get(db, e, pts, lv_now(), &bal), LV_OK);
	CHECK_INT(bal, 43);
	CHECK_INT(cli(db, 6, adj_bad), 1);
	CHECK_INT(cli(db, 6, adj_sign), 2);
	CHECK_INT(cli(db, 6, adj_float), 1);
	CHECK_INT(cli(db, 4, adj_noreason), 2);
	CHECK_INT(cli(db, 6, adj_who), 1);
	CHECK_INT(cli(db, 6, adj_over), 1);
	CHECK_INT(cli(db, 1, (const char *[]){ "frobnicate" }), 2);
	CHECK_INT(allowance_balance_get(db, e, p, lv_now(), &bal), LV_OK);
	CHECK_INT(bal, 30000 - 1250 + 50);
	unlink(path);
	fixture_db_drop(db);
}

int main(void)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	LV_RUN(test_validation);
	LV_RUN(test_audience);
	LV_RUN(test_grants_idempotent);
	LV_RUN(test_rollover);
	LV_RUN(test_expiry_chain);
	LV_RUN(test_points_and_balances);
	LV_RUN(test_proration_and_eligibility);
	LV_RUN(test_two_connections);
	LV_RUN(test_schema_guards);
	LV_RUN(test_debit_refund);
	LV_RUN(test_adjust);
	LV_RUN(test_cli);
	return lv_test_done();
}
