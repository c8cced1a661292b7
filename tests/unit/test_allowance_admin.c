/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_allowance_admin.c - HR's work on allowance programmes
 * (allowance_admin.c) on a real, migrated database (Europe/Paris): the
 * field-by-field check and the form; a change that applies from the next
 * period (the current grant, a newcomer's first grant, the name employees
 * read, an audience that gains and loses people); retirement (grants due
 * written first, none after, the rest spendable until the period ends,
 * then expired without rollover); the preview's numbers against a
 * hand-made population and against what materialisation then grants;
 * period closes exactly once, also from two connections at the same
 * time, agreeing with each employee's lazy materialisation in either
 * order; adjustments; and the SQL audience selection against allowance.c's.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allowance.h"
#include "allowance_admin.h"
#include "audit.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"

static const struct audit_actor carol = { 0, "Carol Diaz", "192.0.2.7" };

static struct lv_db *fresh_db(void)
{
	return fixture_db_new("allowadm", 5000, NULL);
}

static int64_t emp_add(struct lv_db *db, const char *hr_id, const char *dept, const char *site,
		       const char *hire, const char *status)
{
	struct fixture_employee e = {
		.hr_id = hr_id, .department = dept, .site = site, .job_title = "Clerk",
		.employment_type = "permanent", .hire_date = hire, .status = status,
	};

	return fixture_employee_add(db, &e);
}

/* A definition from JSON text (aborts the test when it does not parse). */
static json_t *def_of(const char *text)
{
	json_error_t err;
	json_t *d = json_loads(text, 0, &err);

	if (d == NULL) {
		fprintf(stderr, "bad test JSON (%s): %s\n", err.text, text);
		abort();
	}
	return d;
}

/* Creates a programme through allowance_admin_create with the clock at `at`. */
static int64_t create_at(struct lv_db *db, const char *text, int64_t at)
{
	json_t *d = def_of(text), *errors = json_object();
	int64_t id = 0;

	lv_clock_set(at);
	CHECK_INT(allowance_admin_create(db, d, &carol, errors, &id), LV_OK);
	lv_clock_set(0);
	if (json_object_size(errors)) {
		char *s = json_dumps(errors, 0);

		fprintf(stderr, "create refused: %s\n", s);
		free(s);
	}
	json_decref(errors);
	json_decref(d);
	return id;
}

static int64_t change_at(struct lv_db *db, const char *slug, const char *text, int64_t at)
{
	json_t *d = def_of(text), *errors = json_object();
	int64_t v = -1;

	CHECK_INT(allowance_admin_change(db, slug, d, 0, &carol, at, errors, &v), LV_OK);
	json_decref(errors);
	json_decref(d);
	return v;
}

static int64_t key_sum(struct lv_db *db, int64_t emp, int64_t prog, const char *key)
{
	return fixture_q_int3(db, "SELECT coalesce(sum(amount), 0) FROM allowance_ledger WHERE "
			      "employee = ?1 AND programme = ?2 AND period_key = ?3", emp, prog, key);
}

static int64_t kind_sum(struct lv_db *db, int64_t emp, int64_t prog, const char *kind)
{
	return fixture_q_int3(db, "SELECT coalesce(sum(amount), 0) FROM allowance_ledger WHERE "
			      "employee = ?1 AND programme = ?2 AND kind = ?3", emp, prog, kind);
}

static int64_t balance(struct lv_db *db, int64_t emp, int64_t prog, int64_t at)
{
	int64_t b = -1;

	CHECK_INT(allowance_balance_get(db, emp, prog, at, &b), LV_OK);
	return b;
}

/* The employee's allowance_balances entry for slug (a new reference), or NULL. */
static json_t *balance_entry(struct lv_db *db, int64_t emp, const char *slug, int64_t at)
{
	json_t *list = NULL, *b, *out = NULL;
	size_t i;

	CHECK_INT(allowance_balances(db, emp, at, &list), LV_OK);
	json_array_foreach(list, i, b)
		if (strcmp(json_string_value(json_object_get(b, "programme")), slug) == 0)
			out = json_incref(b);
	json_decref(list);
	return out;
}

static const char *err_of(const json_t *errors, const char *field)
{
	return json_string_value(json_object_get(errors, field));
}

/* ---- the check and the form ---- */

static void test_check(void)
{
	json_t *errors = json_object(), *norm = NULL, *d;

	/* every field in error at once */
	d = def_of("{\"slug\":\"Bad Slug\",\"name\":\"\",\"unit\":\"euros\",\"amount\":0,"
		   "\"period\":\"weekly\",\"reset\":\"birthday\",\"prorate\":1,"
		   "\"rollover_cap\":-1,\"eligibility_days\":40000,\"audience\":{\"teams\":[\"a\"],"
		   "\"sites\":[]},\"categories\":[3],\"tags\":\"x\",\"overage\":\"ignore\","
		   "\"position\":1.5,\"colour\":\"red\"}");
	CHECK_INT(allowance_admin_check(d, NULL, errors, &norm), LV_EINVAL);
	CHECK(norm == NULL);
	CHECK(err_of(errors, "slug") && strstr(err_of(errors, "slug"), "lowercase"));
	CHECK(err_of(errors, "name") != NULL);
	CHECK(err_of(errors, "unit") != NULL);
	CHECK(err_of(errors, "amount") != NULL);
	CHECK(err_of(errors, "period") != NULL);
	CHECK(err_of(errors, "reset") != NULL);
	CHECK(err_of(errors, "prorate") != NULL);
	CHECK(err_of(errors, "rollover_cap") != NULL);
	CHECK(err_of(errors, "eligibility_days") != NULL);
	CHECK(err_of(errors, "audience.teams") != NULL);
	CHECK(err_of(errors, "audience.sites") != NULL);
	CHECK(err_of(errors, "categories") != NULL);
	CHECK(err_of(errors, "tags") != NULL);
	CHECK(err_of(errors, "overage") != NULL);
	CHECK(err_of(errors, "position") != NULL);
	CHECK(err_of(errors, "colour") != NULL);
	CHECK_INT(json_object_size(errors), 16);
	json_decref(d);
	json_object_clear(errors);

	/* points need a rate; money refuses one; 'once' neither resets nor rolls over */
	d = def_of("{\"slug\":\"p\",\"name\":\"P\",\"unit\":\"points\",\"amount\":5,"
		   "\"period\":\"once\",\"reset\":\"hire_anniversary\",\"rollover_cap\":2}");
	CHECK_INT(allowance_admin_check(d, NULL, errors, NULL), LV_EINVAL);
	CHECK(err_of(errors, "points_rate") != NULL);
	CHECK(err_of(errors, "reset") && strstr(err_of(errors, "reset"), "once"));
	CHECK(err_of(errors, "rollover_cap") && strstr(err_of(errors, "rollover_cap"), "once"));
	json_decref(d);
	json_object_clear(errors);

	/* a good one: the stored form has every field */
	d = def_of("{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\",\"amount\":30000,"
		   "\"period\":\"yearly\",\"audience\":{\"departments\":[\"Retail\"]}}");
	CHECK_INT(allowance_admin_check(d, NULL, errors, &norm), LV_OK);
	CHECK_INT(json_object_size(errors), 0);
	CHECK(norm != NULL);
	CHECK_STR(json_string_value(json_object_get(norm, "reset")), "calendar");
	CHECK_STR(json_string_value(json_object_get(norm, "overage")), "deny");
	CHECK(json_is_null(json_object_get(norm, "points_rate")));
	CHECK(json_is_false(json_object_get(norm, "prorate")));
	CHECK_INT(json_integer_value(json_object_get(norm, "rollover_cap")), 0);
	CHECK_INT(json_array_size(json_object_get(norm, "tags")), 0);

	/* a change: the fixed fields may be left out, never changed */
	{
		json_t *cur = json_pack("{s:s,s:s,s:s,s:s}", "slug", "uniform", "unit", "money",
					"period", "yearly", "reset", "calendar");
		json_t *ch = def_of("{\"name\":\"Uniform\",\"amount\":1,\"unit\":\"points\","
				    "\"period\":\"monthly\",\"slug\":\"other\"}");
		json_t *ok = def_of("{\"name\":\"Uniform\",\"amount\":1}"), *n2 = NULL;

		CHECK_INT(allowance_admin_check(ch, cur, errors, NULL), LV_EINVAL);
		CHECK(err_of(errors, "unit") && strstr(err_of(errors, "unit"), "never changes"));
		CHECK(err_of(errors, "period") != NULL);
		CHECK(err_of(errors, "slug") != NULL);
		json_object_clear(errors);
		CHECK_INT(allowance_admin_check(ok, cur, errors, &n2), LV_OK);
		CHECK_STR(json_string_value(json_object_get(n2, "slug")), "uniform");
		CHECK_STR(json_string_value(json_object_get(n2, "period")), "yearly");
		json_decref(n2);
		json_decref(ok);
		json_decref(ch);
		json_decref(cur);
	}
	json_decref(norm);
	json_decref(d);
	json_decref(errors);
}

static void test_form(void)
{
	struct lv_kvlist form;
	json_t *def = NULL, *errors = json_object(), *norm = NULL, *values;
	char msg[128];
	const char *body = "slug=shoes&name=Safety+shoes&unit=money&amount=120.50&period=yearly&"
			   "reset=calendar&prorate=1&rollover_cap=20&eligibility_days=30&"
			   "aud_departments=Retail%2C+Warehouse+&aud_sites=&aud_groups=staff&"
			   "categories=shoes&tags=&overage=approval&position=2";

	lv_kvlist_init(&form);
	CHECK_INT(lv_form_parse(body, strlen(body), 100, &form, msg, sizeof(msg)), LV_OK);
	allowance_admin_form_def(&form, NULL, "EUR", &def, errors);
	CHECK_INT(json_object_size(errors), 0);
	CHECK_INT(allowance_admin_check(def, NULL, errors, &norm), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(norm, "amount")), 12050);
	CHECK_INT(json_integer_value(json_object_get(norm, "rollover_cap")), 2000);
	CHECK(json_is_true(json_object_get(norm, "prorate")));
	CHECK_INT(json_array_size(json_object_get(json_object_get(norm, "audience"), "departments")), 2);
	CHECK_STR(json_string_value(json_array_get(json_object_get(json_object_get(norm, "audience"),
								     "departments"), 1)), "Warehouse");
	CHECK(json_object_get(json_object_get(norm, "audience"), "sites") == NULL);
	/* and back */
	values = allowance_admin_form_values(norm, "EUR");
	CHECK_STR(json_string_value(json_object_get(values, "amount")), "120.50");
	CHECK_STR(json_string_value(json_object_get(values, "aud_departments")), "Retail, Warehouse");
	CHECK_STR(json_string_value(json_object_get(values, "eligibility_days")), "30");
	json_decref(values);
	json_decref(def);
	json_decref(norm);
	lv_kvlist_cleanup(&form);

	/* what cannot be read is said next to its field, and kept by the check */
	json_object_clear(errors);
	body = "slug=pts&name=P&unit=points&amount=12.5&points_rate=0%2C10&period=monthly";
	lv_kvlist_init(&form);
	CHECK_INT(lv_form_parse(body, strlen(body), 100, &form, msg, sizeof(msg)), LV_OK);
	allowance_admin_form_def(&form, NULL, "EUR", &def, errors);
	CHECK(err_of(errors, "amount") && strstr(err_of(errors, "amount"), "points"));
	CHECK(err_of(errors, "points_rate") != NULL);
	CHECK_INT(allowance_admin_check(def, NULL, errors, NULL), LV_EINVAL);
	CHECK(strstr(err_of(errors, "amount"), "points") != NULL);
	json_decref(def);
	lv_kvlist_cleanup(&form);
	json_decref(errors);
}

/* ---- changes ---- */

static void test_change_from_next_period(void)
{
	struct lv_db *db = fresh_db();
	int64_t created = fixture_lt(2026, 1, 10, 9, 0, 0), change = fixture_lt(2026, 6, 1, 10, 0, 0);
	int64_t y2027 = fixture_lt(2027, 1, 1, 0, 0, 0), p, a, b, c, d, v;
	json_t *e, *errors = json_object(), *x;

	p = create_at(db, "{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\","
			  "\"amount\":30000,\"period\":\"yearly\",\"audience\":{\"departments\":"
			  "[\"Retail\",\"Back office\"]},\"categories\":[\"uniforms\"]}", created);
	a = emp_add(db, "A", "Retail", NULL, "2020-01-01", NULL);
	d = emp_add(db, "D", "Back office", NULL, "2020-01-01", NULL);
	c = emp_add(db, "C", "Warehouse", NULL, "2020-01-01", NULL);
	CHECK_INT(balance(db, a, p, created + 60), 30000);
	CHECK_INT(balance(db, d, p, created + 60), 30000);
	/* more money, Warehouse in, Back office out, a new name: from 1 January 2027 */
	v = change_at(db, "uniform", "{\"name\":\"Uniform 2027\",\"unit\":\"money\",\"amount\":50000,"
		      "\"period\":\"yearly\",\"audience\":{\"departments\":[\"Retail\",\"Warehouse\"]},"
		      "\"categories\":[\"uniforms\",\"shoes\"]}", change);
	CHECK(v > 0);
	/* someone new in Retail, never read before: the 2026 grant is still the old one */
	b = emp_add(db, "B", "Retail", NULL, "2019-05-05", NULL);
	CHECK_INT(balance(db, b, p, change + 3600), 30000);
	CHECK_INT(balance(db, a, p, change + 3600), 30000);
	/* Warehouse has nothing in 2026; Back office keeps and can spend its 2026 balance */
	e = balance_entry(db, c, "uniform", change + 3600);
	CHECK(e == NULL);
	json_decref(e);
	e = balance_entry(db, d, "uniform", change + 3600);
	CHECK(e != NULL);
	CHECK_INT(json_integer_value(json_object_get(e, "balance")), 30000);
	CHECK_STR(json_string_value(json_object_get(e, "name")), "Uniform");
	CHECK_INT(json_array_size(json_object_get(e, "categories")), 1);
	json_decref(e);
	/* the row shows the newest definition */
	CHECK_INT(fixture_q_int(db, "SELECT amount FROM allowance_programmes WHERE slug = 'uniform'",
				NULL), 50000);
	/* 2027: the new definition for everyone */
	CHECK_INT(balance(db, a, p, y2027), 50000);
	CHECK_INT(balance(db, b, p, y2027 + 5), 50000);
	CHECK_INT(balance(db, c, p, y2027 + 5), 50000);
	e = balance_entry(db, a, "uniform", y2027);
	CHECK_STR(json_string_value(json_object_get(e, "name")), "Uniform 2027");
	CHECK_INT(json_array_size(json_object_get(e, "categories")), 2);
	json_decref(e);
	/* Back office: no 2027 grant, its 2026 balance expired, the programme is gone */
	e = balance_entry(db, d, "uniform", y2027 + 5);
	CHECK(e == NULL);
	json_decref(e);
	CHECK_INT(allowance_materialise(db, d, y2027 + 5), LV_OK);
	CHECK_INT(key_sum(db, d, p, "2026"), 0);
	CHECK_INT(key_sum(db, d, p, "2027"), 0);
	CHECK_INT(kind_sum(db, d, p, "expiry"), -30000);
	/* past grants never changed */
	CHECK_INT(fixture_q_int3(db, "SELECT sum(amount) FROM allowance_ledger WHERE programme = ?1 "
				 "AND period_key = '2026' AND kind = 'grant'", p, 0, NULL), 90000);
	/* the audit entry has before and after */
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = "
				"'allowance.programme_change' AND entity_id = 'uniform' AND before "
				"LIKE '%\"amount\":30000%' AND after LIKE '%\"amount\":50000%' AND "
				"address = '192.0.2.7'", NULL), 1);
	/* the same definition again changes nothing; a stale base is refused */
	x = def_of("{\"name\":\"Uniform 2027\",\"amount\":50000,\"audience\":{\"departments\":"
		   "[\"Retail\",\"Warehouse\"]},\"categories\":[\"uniforms\",\"shoes\"]}");
	CHECK_INT(allowance_admin_change(db, "uniform", x, 0, &carol, change + 10, errors, &v), LV_OK);
	CHECK_INT(v, 0);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM allowance_programme_versions", NULL), 2);
	json_decref(x);
	x = def_of("{\"name\":\"Uniform\",\"amount\":1}");
	CHECK_INT(allowance_admin_change(db, "uniform", x, 1, &carol, change + 20, errors, &v),
		  LV_ECONFLICT);
	CHECK(err_of(errors, "_form") != NULL);
	json_object_clear(errors);
	CHECK_INT(allowance_admin_change(db, "nope", x, 0, &carol, change + 20, errors, &v),
		  LV_ENOTFOUND);
	json_decref(x);
	/* versions are append-only */
	CHECK(sqlite3_exec(db->conn, "UPDATE allowance_programme_versions SET amount = 1", NULL,
			   NULL, NULL) != SQLITE_OK);
	CHECK(sqlite3_exec(db->conn, "UPDATE allowance_programmes SET unit = 'points'", NULL, NULL,
			   NULL) != SQLITE_OK);
	json_decref(errors);
	fixture_db_drop(db);
}

/* A monthly programme changed mid-month: a newcomer hired after the change starts on the old terms. */
static void test_change_monthly_prorated(void)
{
	struct lv_db *db = fresh_db();
	int64_t p, n, at = fixture_lt(2026, 3, 10, 12, 0, 0);

	p = create_at(db, "{\"slug\":\"m\",\"name\":\"M\",\"unit\":\"money\",\"amount\":3100,"
		      "\"period\":\"monthly\",\"prorate\":true,\"rollover_cap\":1000}",
		      fixture_lt(2026, 1, 1, 0, 0, 0));
	change_at(db, "m", "{\"name\":\"M\",\"amount\":6200,\"prorate\":false,\"rollover_cap\":0}", at);
	/* hired on 21 March (11 days of 31 left): prorated by March's terms */
	n = emp_add(db, "N", NULL, NULL, "2026-03-21", NULL);
	CHECK_INT(balance(db, n, p, fixture_lt(2026, 3, 25, 0, 0, 0)), 1100);
	/* April: the new amount, and March's rollover under March's cap (1000 of 1100) */
	CHECK_INT(balance(db, n, p, fixture_lt(2026, 4, 2, 0, 0, 0)), 7200);
	/* May: April's cap is the new one: nothing rolls over */
	CHECK_INT(balance(db, n, p, fixture_lt(2026, 5, 2, 0, 0, 0)), 6200);
	fixture_db_drop(db);
}

/* Someone the new audience leaves out keeps this period's balance; nothing of it rolls over. */
static void test_change_audience_no_rollover(void)
{
	struct lv_db *db = fresh_db();
	int64_t p, a, b;
	json_t *e;

	p = create_at(db, "{\"slug\":\"m\",\"name\":\"M\",\"unit\":\"money\",\"amount\":5000,"
		      "\"period\":\"monthly\",\"rollover_cap\":2000}", fixture_lt(2026, 1, 1, 0, 0, 0));
	a = emp_add(db, "A", "Retail", NULL, "2020-01-01", NULL);
	b = emp_add(db, "B", "Warehouse", NULL, "2020-01-01", NULL);
	CHECK_INT(balance(db, b, p, fixture_lt(2026, 3, 5, 0, 0, 0)), 7000);
	change_at(db, "m", "{\"name\":\"M\",\"amount\":5000,\"rollover_cap\":2000,"
		  "\"audience\":{\"departments\":[\"Retail\"]}}", fixture_lt(2026, 3, 10, 0, 0, 0));
	/* B spends in March what March gave */
	CHECK_INT(balance(db, b, p, fixture_lt(2026, 3, 20, 0, 0, 0)), 7000);
	CHECK_INT(allowance_materialise(db, b, fixture_lt(2026, 4, 2, 0, 0, 0)), LV_OK);
	CHECK_INT(allowance_materialise(db, a, fixture_lt(2026, 4, 2, 0, 0, 0)), LV_OK);
	CHECK_INT(key_sum(db, b, p, "2026-03"), 0);
	CHECK_INT(key_sum(db, b, p, "2026-04"), 0);
	CHECK_INT(kind_sum(db, b, p, "expiry") < -7000, 1);
	CHECK_INT(key_sum(db, a, p, "2026-04"), 7000);
	e = balance_entry(db, b, "m", fixture_lt(2026, 4, 2, 0, 0, 0));
	CHECK(e == NULL);
	json_decref(e);
	fixture_db_drop(db);
}

/* ---- retirement ---- */

static void test_retire(void)
{
	struct lv_db *db = fresh_db();
	int64_t p, a, b, r = fixture_lt(2026, 5, 20, 15, 0, 0), later;
	json_t *res = NULL, *e, *errors = json_object(), *x;

	p = create_at(db, "{\"slug\":\"casual\",\"name\":\"Casual\",\"unit\":\"money\",\"amount\":"
		      "5000,\"period\":\"monthly\",\"rollover_cap\":2000}",
		      fixture_lt(2026, 1, 1, 0, 0, 0));
	a = emp_add(db, "A", NULL, NULL, "2020-01-01", NULL);
	b = emp_add(db, "B", NULL, NULL, "2020-01-01", NULL);
	CHECK_INT(balance(db, a, p, fixture_lt(2026, 5, 2, 0, 0, 0)), 7000);
	/* B was never read: the retirement writes what was due to B first */
	CHECK_INT(allowance_admin_retire(db, "casual", &carol, r, &res), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(res, "spendable_until")),
		  fixture_lt(2026, 6, 1, 0, 0, 0));
	CHECK(json_integer_value(json_object_get(res, "settled")) >= 2);
	CHECK_INT(fixture_q_int3(db, "SELECT count(*) FROM allowance_ledger WHERE employee = ?1 AND "
				 "programme = ?2 AND kind = 'grant'", b, p, NULL), 5);
	json_decref(res);
	res = NULL;
	/* the rest of May: still spendable */
	e = balance_entry(db, b, "casual", r + 60);
	CHECK(e != NULL);
	CHECK_INT(json_integer_value(json_object_get(e, "balance")), 7000);
	CHECK(json_is_integer(json_object_get(e, "retired_at")));
	json_decref(e);
	CHECK_INT(allowance_debit(db, b, p, 1000, "ORD-1", r + 120), LV_OK);
	/* June: gone; May expired in full, nothing rolled over, nothing granted */
	later = fixture_lt(2026, 6, 3, 0, 0, 0);
	e = balance_entry(db, b, "casual", later);
	CHECK(e == NULL);
	json_decref(e);
	CHECK_INT(allowance_materialise(db, a, later), LV_OK);
	CHECK_INT(allowance_materialise(db, b, fixture_lt(2026, 9, 3, 0, 0, 0)), LV_OK);
	CHECK_INT(key_sum(db, a, p, "2026-05"), 0);
	CHECK_INT(key_sum(db, b, p, "2026-05"), 0);
	CHECK_INT(key_sum(db, a, p, "2026-06"), 0);
	CHECK_INT(fixture_q_int3(db, "SELECT count(*) FROM allowance_ledger WHERE programme = ?1 AND "
				 "kind = 'grant' AND created_at > ?2", p, r, NULL), 0);
	CHECK_INT(fixture_q_int3(db, "SELECT count(*) FROM allowance_ledger WHERE programme = ?1 AND "
				 "period_key >= '2026-06'", p, 0, NULL), 0);
	/* once only; and no change after */
	CHECK_INT(allowance_admin_retire(db, "casual", &carol, r + 5, &res), LV_ECONFLICT);
	x = def_of("{\"name\":\"Casual\",\"amount\":1}");
	CHECK_INT(allowance_admin_change(db, "casual", x, 0, &carol, r + 5, errors, &a), LV_ECONFLICT);
	CHECK(err_of(errors, "_form") && strstr(err_of(errors, "_form"), "retired"));
	json_decref(x);
	CHECK(sqlite3_exec(db->conn, "UPDATE allowance_programmes SET active = 1", NULL, NULL,
			   NULL) != SQLITE_OK);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = "
				"'allowance.programme_retire'", NULL), 1);
	json_decref(errors);
	fixture_db_drop(db);
}

/* ---- the preview ---- */

static int64_t group_int(const json_t *pv, const char *group, const char *field)
{
	return json_integer_value(json_object_get(json_object_get(json_object_get(pv, "groups"),
								  group), field));
}

static void test_preview(void)
{
	struct lv_db *db = fresh_db();
	int64_t at = fixture_lt(2026, 3, 1, 10, 0, 0), ch = fixture_lt(2026, 6, 1, 10, 0, 0);
	int64_t y2027 = fixture_lt(2027, 1, 1, 0, 0, 0), p, total = 0, ids[32];
	json_t *pv = NULL, *errors = json_object(), *d;
	char id[16];
	size_t n = 0, i;

	/* 10 in Retail long since, 3 in Warehouse, 2 Retail hired on 1 May 2026, one Retail
	 * without hire date, one on leave, one who left */
	for (i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "R%zu", i);
		ids[n++] = emp_add(db, id, "Retail", NULL, "2018-02-01", NULL);
	}
	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "W%zu", i);
		ids[n++] = emp_add(db, id, "Warehouse", NULL, "2018-02-01", NULL);
	}
	ids[n++] = emp_add(db, "NEW1", "Retail", NULL, "2026-05-01", NULL);
	ids[n++] = emp_add(db, "NEW2", "Retail", NULL, "2026-05-01", NULL);
	ids[n++] = emp_add(db, "NOHIRE", "Retail", NULL, NULL, NULL);
	emp_add(db, "LEAVE", "Retail", NULL, "2018-02-01", "on_leave");
	emp_add(db, "GONE", "Retail", NULL, "2018-02-01", "left");

	/* creation: 300.00 a year, prorated, 30 days of service first */
	d = def_of("{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\",\"amount\":30000,"
		   "\"period\":\"yearly\",\"prorate\":true,\"eligibility_days\":30,"
		   "\"audience\":{\"departments\":[\"Retail\"]}}");
	CHECK_INT(allowance_admin_preview(db, NULL, d, at, errors, &pv), LV_OK);
	CHECK_STR(json_string_value(json_object_get(pv, "kind")), "create");
	CHECK_INT(group_int(pv, "now", "employees"), 10);
	CHECK_INT(group_int(pv, "now", "amount"), 30000);
	CHECK_INT(group_int(pv, "now", "total"), 300000);
	CHECK_INT(group_int(pv, "later", "employees"), 2);
	CHECK_INT(group_int(pv, "never", "employees"), 1);
	CHECK_INT(json_integer_value(json_object_get(pv, "on_leave")), 1);
	CHECK_STR(json_string_value(json_object_get(json_object_get(pv, "next"), "key")), "2027");
	CHECK_INT(json_integer_value(json_object_get(json_object_get(pv, "next"), "start")), y2027);
	CHECK(strlen(json_string_value(json_object_get(pv, "digest"))) == 64);
	/* nothing was saved */
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM allowance_programmes", NULL), 0);
	json_decref(pv);
	pv = NULL;
	json_decref(d);
	p = create_at(db, "{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\","
		      "\"amount\":30000,\"period\":\"yearly\",\"prorate\":true,"
		      "\"eligibility_days\":30,\"audience\":{\"departments\":[\"Retail\"]}}", at);
	/* a creation preview of a slug that exists says so */
	d = def_of("{\"slug\":\"uniform\",\"name\":\"U\",\"unit\":\"money\",\"amount\":1,"
		   "\"period\":\"yearly\"}");
	CHECK_INT(allowance_admin_preview(db, NULL, d, at, errors, &pv), LV_EINVAL);
	CHECK(err_of(errors, "slug") != NULL);
	json_object_clear(errors);
	json_decref(d);

	/* the change: 250.00, Warehouse in, saved on 1 June: from 1 January 2027 */
	d = def_of("{\"name\":\"Uniform\",\"amount\":25000,\"prorate\":true,\"eligibility_days\":30,"
		   "\"audience\":{\"departments\":[\"Retail\",\"Warehouse\"]}}");
	CHECK_INT(allowance_admin_preview(db, "uniform", d, ch, errors, &pv), LV_OK);
	CHECK_STR(json_string_value(json_object_get(pv, "kind")), "change");
	/* 12 in Retail (the two newcomers included: their 2027 is a full year) lose 50.00 */
	CHECK_INT(group_int(pv, "less", "employees"), 12);
	CHECK_INT(group_int(pv, "less", "amount"), 5000);
	CHECK_INT(group_int(pv, "less", "first"), y2027);
	CHECK_INT(group_int(pv, "gain", "employees"), 3);
	CHECK_INT(group_int(pv, "gain", "amount"), 25000);
	CHECK_INT(group_int(pv, "gain", "total"), 75000);
	CHECK_INT(group_int(pv, "lose", "employees"), 0);
	CHECK_INT(group_int(pv, "never", "employees"), 1);
	CHECK_INT(json_array_size(json_object_get(pv, "changed")), 2);
	/* and materialisation then grants exactly that */
	CHECK_INT(allowance_admin_change(db, "uniform", d, json_integer_value(json_object_get(pv, "base")),
					 &carol, ch, errors, &total), LV_OK);
	for (i = 0; i < n; i++)
		CHECK_INT(allowance_materialise(db, ids[i], y2027 + 1), LV_OK);
	CHECK_INT(fixture_q_int3(db, "SELECT coalesce(sum(amount), 0) FROM allowance_ledger WHERE "
				 "programme = ?1 AND period_key = '2027' AND kind = 'grant'", p, 0,
				 NULL), group_int(pv, "gain", "total") + 12 * 25000);
	CHECK_INT(fixture_q_int3(db, "SELECT count(*) FROM allowance_ledger WHERE programme = ?1 AND "
				 "period_key = '2027' AND kind = 'grant'", p, 0, NULL),
		  group_int(pv, "gain", "employees") + group_int(pv, "less", "employees"));
	json_decref(pv);
	json_decref(d);
	json_decref(errors);
	fixture_db_drop(db);
}

/* ---- closes ---- */

static const char monthly_capped[] =
	"{\"slug\":\"m\",\"name\":\"M\",\"unit\":\"money\",\"amount\":10000,\"period\":\"monthly\","
	"\"rollover_cap\":3000,\"audience\":{\"departments\":[\"Retail\"]}}";

/* The same population in any database: three in Retail (one of whom spends), one adjusted outsider. */
static void close_population(struct lv_db *db, int64_t *p, int64_t e[4])
{
	*p = create_at(db, monthly_capped, fixture_lt(2026, 1, 1, 0, 0, 0));
	e[0] = emp_add(db, "C1", "Retail", NULL, "2020-01-01", NULL);
	e[1] = emp_add(db, "C2", "Retail", NULL, "2020-01-01", NULL);
	e[2] = emp_add(db, "C3", "Retail", NULL, "2026-02-14", NULL);
	e[3] = emp_add(db, "X", "Warehouse", NULL, "2020-01-01", NULL);
	CHECK_INT(allowance_debit(db, e[0], *p, 8000, "O-1", fixture_lt(2026, 2, 10, 0, 0, 0)), LV_OK);
	/* HR adjusted someone outside the audience (never granted: never lazily closed) */
	CHECK_INT(allowance_adjust_as(db, e[3], *p, 700, "goodwill", &carol,
				      fixture_lt(2026, 2, 11, 0, 0, 0)), LV_OK);
}

/* The ledger's money entries of programme p as one comparable text. */
static char *ledger_text(struct lv_db *db, int64_t p)
{
	sqlite3_stmt *st = NULL;
	struct lv_buf b;
	char *out;

	lv_buf_init(&b, 1 << 20);
	CHECK_INT(sqlite3_prepare_v2(db->conn, "SELECT e.employee_id, l.period_key, l.kind, l.amount "
				     "FROM allowance_ledger l JOIN employees e ON e.id = l.employee "
				     "WHERE l.programme = ?1 ORDER BY 1, 2, 3, 4", -1, &st, NULL),
		  SQLITE_OK);
	sqlite3_bind_int64(st, 1, p);
	while (sqlite3_step(st) == SQLITE_ROW)
		lv_buf_printf(&b, "%s %s %s %lld\n", sqlite3_column_text(st, 0),
			      sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
			      (long long)sqlite3_column_int64(st, 3));
	sqlite3_finalize(st);
	out = lv_strdup(lv_buf_str(&b));
	lv_buf_cleanup(&b);
	return out;
}

static void test_close_once(void)
{
	struct lv_db *db = fresh_db();
	int64_t p, e[4], at = fixture_lt(2026, 3, 5, 9, 0, 0);
	json_t *res = NULL;
	char msg[256];
	size_t i;

	close_population(db, &p, e);
	CHECK_INT(allowance_admin_close(db, "m", "2026-02", &carol, at, &res, msg, sizeof(msg)),
		  LV_OK);
	/* C1: 10000 + 3000 rolled from January - 8000 = 5000 left: 3000 rolls, all 5000 expire;
	 * C2: 13000 left; C3 (hired in February, no proration): 10000; X: HR's 700 */
	CHECK_INT(json_integer_value(json_object_get(res, "employees")), 4);
	CHECK_INT(json_integer_value(json_object_get(res, "expired")), 5000 + 13000 + 10000 + 700);
	/* X's 700 expires in full: nothing rolls into a period that does not select X */
	CHECK_INT(json_integer_value(json_object_get(res, "rolled_over")), 3000 + 3000 + 3000);
	CHECK(json_integer_value(json_object_get(res, "entries")) > 0);
	CHECK_STR(json_string_value(json_object_get(res, "by")), "Carol Diaz");
	for (i = 0; i < 4; i++)
		CHECK_INT(key_sum(db, e[i], p, "2026-02"), 0);
	json_decref(res);
	res = NULL;
	/* again: refused, saying when and by whom; nothing written */
	CHECK_INT(allowance_admin_close(db, "m", "2026-02", &carol, at + 60, &res, msg, sizeof(msg)),
		  LV_ECONFLICT);
	CHECK(strstr(msg, "already closed on 2026-03-05 09:00 by Carol Diaz") != NULL);
	CHECK(res != NULL && json_integer_value(json_object_get(res, "closed_at")) == at);
	json_decref(res);
	res = NULL;
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM period_closes", NULL), 1);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = "
				"'allowance.period_close'", NULL), 1);
	/* refusals */
	CHECK_INT(allowance_admin_close(db, "m", "2026-03", &carol, at, &res, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK(strstr(msg, "has not ended yet") != NULL);
	CHECK_INT(allowance_admin_close(db, "m", "2026", &carol, at, &res, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK(strstr(msg, "2026-11") != NULL);
	CHECK_INT(allowance_admin_close(db, "m", "2025-12", &carol, at, &res, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(allowance_admin_close(db, "m", "2026-13", &carol, at, &res, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(allowance_admin_close(db, "nope", "2026-02", &carol, at, &res, msg, sizeof(msg)),
		  LV_ENOTFOUND);
	create_at(db, "{\"slug\":\"anniv\",\"name\":\"A\",\"unit\":\"money\",\"amount\":1,"
		  "\"period\":\"yearly\",\"reset\":\"hire_anniversary\"}",
		  fixture_lt(2025, 1, 1, 0, 0, 0));
	CHECK_INT(allowance_admin_close(db, "anniv", "2025", &carol, at, &res, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK(strstr(msg, "anniversary") != NULL);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM period_closes", NULL), 1);
	CHECK(sqlite3_exec(db->conn, "DELETE FROM period_closes", NULL, NULL, NULL) != SQLITE_OK);
	fixture_db_drop(db);
}

/* Close, then each employee's own reading; and the other way round: the same ledger. */
static void test_close_agrees_with_lazy(void)
{
	int64_t p, e[4], at = fixture_lt(2026, 3, 5, 9, 0, 0), written = -1;
	struct lv_db *db;
	json_t *res = NULL;
	char *first, *second, msg[256];
	size_t i;

	/* close first */
	db = fresh_db();
	close_population(db, &p, e);
	CHECK_INT(allowance_admin_close(db, "m", "2026-02", &carol, at, &res, msg, sizeof(msg)), LV_OK);
	json_decref(res);
	res = NULL;
	for (i = 0; i < 4; i++)
		CHECK_INT(allowance_materialise(db, e[i], at), LV_OK);
	first = ledger_text(db, p);
	fixture_db_drop(db);

	/* readings first */
	db = fresh_db();
	close_population(db, &p, e);
	for (i = 0; i < 4; i++)
		CHECK_INT(allowance_materialise(db, e[i], at), LV_OK);
	CHECK_INT(allowance_admin_close(db, "m", "2026-02", &carol, at, &res, msg, sizeof(msg)), LV_OK);
	/* what was read lazily is not written again: only the outsider's balance was left (it expires) */
	written = json_integer_value(json_object_get(res, "entries"));
	CHECK_INT(written, 1);
	CHECK_INT(json_integer_value(json_object_get(res, "employees")), 4);
	json_decref(res);
	second = ledger_text(db, p);
	CHECK_STR(first, second);
	CHECK(strstr(first, "C1 2026-02 expiry -5000\n") != NULL);
	CHECK(strstr(first, "C1 2026-03 rollover 3000\n") != NULL);
	CHECK(strstr(first, "X 2026-02 expiry -700\n") != NULL);
	fixture_db_drop(db);
	lv_free(first);
	lv_free(second);
}

struct closer {
	int rc;
	char msg[256];
};

static void *closer_run(void *arg)
{
	struct closer *c = arg;
	struct lv_db *db = NULL;
	json_t *res = NULL;
	char why[256];

	if (lv_db_open(fixture_db_path(), 0, 10000, &db, why, sizeof(why)) != LV_OK) {
		c->rc = -1;
		return NULL;
	}
	c->rc = allowance_admin_close(db, "m", "2026-02", &carol, fixture_lt(2026, 3, 5, 9, 0, 0),
				      &res, c->msg, sizeof(c->msg));
	json_decref(res);
	lv_db_close(db);
	return NULL;
}

static void test_close_concurrent(void)
{
	struct lv_db *db = fresh_db();
	struct closer c[2];
	pthread_t t[2];
	int64_t p, e[4];
	int i, ok = 0, refused = 0;

	close_population(db, &p, e);
	memset(c, 0, sizeof(c));
	for (i = 0; i < 2; i++)
		CHECK_INT(pthread_create(&t[i], NULL, closer_run, &c[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++) {
		ok += c[i].rc == LV_OK;
		refused += c[i].rc == LV_ECONFLICT && strstr(c[i].msg, "already closed on") != NULL;
	}
	CHECK_INT(ok, 1);
	CHECK_INT(refused, 1);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM period_closes", NULL), 1);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM allowance_ledger WHERE period_key = "
				"'2026-02' AND kind = 'expiry'", NULL), 4);
	for (i = 0; i < 4; i++)
		CHECK_INT(key_sum(db, e[i], p, "2026-02"), 0);
	fixture_db_drop(db);
}

/* ---- adjustments ---- */

static void test_adjust(void)
{
	struct lv_db *db = fresh_db();
	int64_t p, a, bal = 0, at = fixture_lt(2026, 2, 1, 12, 0, 0);
	json_t *errors = json_object();

	p = create_at(db, monthly_capped, fixture_lt(2026, 1, 1, 0, 0, 0));
	a = emp_add(db, "A", "Retail", NULL, "2020-01-01", NULL);
	emp_add(db, "W", "Warehouse", NULL, "2020-01-01", NULL);
	CHECK_INT(allowance_admin_adjust(db, "ZZ", "nope", 0, "  ", &carol, at, errors, &bal),
		  LV_EINVAL);
	CHECK_INT(json_object_size(errors), 4);
	json_object_clear(errors);
	CHECK_INT(allowance_admin_adjust(db, "W", "m", 500, "x", &carol, at, errors, &bal), LV_EINVAL);
	CHECK(err_of(errors, "programme") && strstr(err_of(errors, "programme"), "does not have"));
	json_object_clear(errors);
	CHECK_INT(allowance_admin_adjust(db, "A", "m", -99999, "x", &carol, at, errors, &bal),
		  LV_ECONFLICT);
	CHECK(err_of(errors, "amount") != NULL);
	json_object_clear(errors);
	CHECK_INT(allowance_admin_adjust(db, "A", "m", -1250, "lost badge", &carol, at, errors, &bal),
		  LV_OK);
	CHECK_INT(bal, 13000 - 1250);
	CHECK_INT(balance(db, a, p, at), 11750);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'allowance.adjust' "
				"AND address = '192.0.2.7' AND actor_label = 'Carol Diaz'", NULL), 1);
	{
		int64_t v = 0;

		CHECK_INT(allowance_admin_amount_parse("-12.50", "money", "EUR", &v), LV_OK);
		CHECK_INT(v, -1250);
		CHECK_INT(allowance_admin_amount_parse("+5", "money", "EUR", &v), LV_OK);
		CHECK_INT(v, 500);
		CHECK_INT(allowance_admin_amount_parse("--5", "money", "EUR", &v), LV_EINVAL);
		CHECK_INT(allowance_admin_amount_parse("0", "points", "EUR", &v), LV_EINVAL);
		CHECK_INT(allowance_admin_amount_parse("1.5", "points", "EUR", &v), LV_EINVAL);
		CHECK_INT(allowance_admin_amount_parse("-7", "points", "EUR", &v), LV_OK);
		CHECK_INT(v, -7);
	}
	json_decref(errors);
	fixture_db_drop(db);
}

/* ---- the list, the page, who is covered ---- */

static void test_reads(void)
{
	struct lv_db *db = fresh_db();
	int64_t at = fixture_lt(2026, 6, 10, 12, 0, 0), total = 0;
	json_t *list = NULL, *one = NULL, *page = NULL, *res = NULL;
	char msg[256];

	create_at(db, monthly_capped, fixture_lt(2026, 1, 1, 0, 0, 0));
	create_at(db, "{\"slug\":\"all\",\"name\":\"All\",\"unit\":\"points\",\"points_rate\":10,"
		  "\"amount\":50,\"period\":\"quarterly\",\"position\":-1}", fixture_lt(2026, 1, 1, 0, 0, 0));
	emp_add(db, "A", "Retail", NULL, "2020-01-01", NULL);
	emp_add(db, "B", "Retail", NULL, "2020-01-01", NULL);
	emp_add(db, "W", "Warehouse", NULL, "2020-01-01", NULL);
	emp_add(db, "G", "Retail", NULL, "2020-01-01", "left");
	change_at(db, "m", "{\"name\":\"M\",\"amount\":20000,\"audience\":{}}", at);
	CHECK_INT(allowance_admin_list(db, at, &list), LV_OK);
	CHECK_INT(json_array_size(list), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "slug")), "all");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(list, 0), "covers")), 3);
	one = json_array_get(list, 1);
	/* in force: the June version (Retail, 2 people); pending: everyone from July */
	CHECK_INT(json_integer_value(json_object_get(one, "covers")), 2);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(one, "pending"), "amount")), 20000);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(one, "in_force"), "amount")), 10000);
	CHECK_INT(allowance_admin_close(db, "m", "2026-04", &carol, at, &res, msg, sizeof(msg)), LV_OK);
	json_decref(res);
	CHECK_INT(allowance_admin_programme_get(db, "m", at, &page), LV_OK);
	CHECK_STR(json_string_value(json_object_get(json_object_get(page, "current"), "key")), "2026-06");
	/* January, February, March and May wait; April is closed */
	CHECK_INT(json_array_size(json_object_get(page, "to_close")), 4);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(page, "to_close"), 0),
						   "key")), "2026-05");
	CHECK_INT(json_array_size(json_object_get(page, "closes")), 1);
	/* grants by period, newest first, April with its close */
	{
		json_t *g = json_object_get(page, "grants"), *apr = NULL, *x;
		size_t i;

		json_array_foreach(g, i, x)
			if (strcmp(json_string_value(json_object_get(x, "period")), "2026-04") == 0)
				apr = x;
		CHECK(apr != NULL);
		CHECK_INT(json_integer_value(json_object_get(apr, "employees")), 2);
		CHECK_INT(json_integer_value(json_object_get(apr, "granted")), 20000);
		CHECK(json_is_object(json_object_get(apr, "close")));
		/* June: nobody has read a balance yet (grants are written lazily) */
		CHECK_STR(json_string_value(json_object_get(json_array_get(g, 0), "period")), "2026-05");
	}
	json_decref(page);
	CHECK_INT(allowance_admin_covered(db, "m", at, 0, 1, &page, &total), LV_OK);
	CHECK_INT(total, 2);
	CHECK_INT(json_array_size(page), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(page, 0), "employee_id")), "A");
	json_decref(page);
	CHECK_INT(allowance_admin_covered(db, "m", at, 10, 5, &page, &total), LV_OK);
	CHECK_INT(total, 2);
	CHECK_INT(json_array_size(page), 0);
	json_decref(page);
	json_decref(list);
	fixture_db_drop(db);
}

/* ---- SQL's audience and allowance.c's agree ---- */

static uint64_t rng_state = 42;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static void test_sql_audience_agrees(void)
{
	static const char *const depts[] = { "Retail", "Warehouse", "HR", NULL };
	static const char *const sites[] = { "Lyon", "Paris", NULL };
	static const char *const groups[] = { "[]", "[\"staff\"]", "[\"staff\",\"branch\"]",
					      "[\"cast\"]", "[3,\"branch\"]" };
	static const char *const lists[] = {
		"\"departments\":[\"Retail\"]", "\"departments\":[\"Retail\",\"HR\"]",
		"\"sites\":[\"Paris\"]", "\"groups\":[\"branch\"]", "\"groups\":[\"staff\",\"cast\"]",
		"\"employee_ids\":[\"E3\",\"E5\",\"E8\"]", "\"employment_types\":[\"permanent\"]",
		"\"job_titles\":[\"Clerk\",\"Nobody\"]", "\"groups\":[\"3\"]",
	};
#define N_OF_LISTS ((int)(sizeof(lists) / sizeof(lists[0])))
	struct lv_db *db = fresh_db();
	int64_t at = fixture_lt(2026, 4, 1, 12, 0, 0), ids[60];
	char hr[16], def[512], slug[16];
	int k, i, mismatches = 0;

	for (i = 0; i < 60; i++) {
		struct fixture_employee e = {
			.hr_id = hr, .department = depts[rnd(4)], .site = sites[rnd(3)],
			.job_title = rnd(2) ? "Clerk" : NULL,
			.employment_type = rnd(3) ? "permanent" : "temp", .groups = groups[rnd(5)],
			.hire_date = "2020-01-01",
		};

		snprintf(hr, sizeof(hr), "E%d", i);
		ids[i] = fixture_employee_add(db, &e);
	}
	for (k = 0; k < 30; k++) {
		int a = (int)rnd(N_OF_LISTS), b = (int)rnd(N_OF_LISTS + 1);
		int64_t total = 0, c_count = 0;
		json_t *page = NULL;

		snprintf(slug, sizeof(slug), "a%d", k);
		snprintf(def, sizeof(def), "{\"slug\":\"%s\",\"name\":\"A\",\"unit\":\"money\","
			 "\"amount\":1,\"period\":\"yearly\",\"audience\":{%s%s%s}}", slug, lists[a],
			 b < N_OF_LISTS && b != a && strncmp(lists[a], lists[b], 8) ? "," : "",
			 b < N_OF_LISTS && b != a && strncmp(lists[a], lists[b], 8) ? lists[b] : "");
		create_at(db, def, fixture_lt(2026, 1, 1, 0, 0, 0));
		CHECK_INT(allowance_admin_covered(db, slug, at, 0, 1000, &page, &total), LV_OK);
		for (i = 0; i < 60; i++) {
			json_t *progs = NULL, *p;
			size_t j;
			int has = 0;

			CHECK_INT(allowance_programmes_for_employee(db, ids[i], at, &progs), LV_OK);
			json_array_foreach(progs, j, p)
				has |= strcmp(json_string_value(json_object_get(p, "slug")), slug) == 0;
			c_count += has;
			json_decref(progs);
		}
		if (c_count != total) {
			fprintf(stderr, "audience %s: SQL selects %lld, C %lld\n", def,
				(long long)total, (long long)c_count);
			mismatches++;
		}
		json_decref(page);
	}
	CHECK_INT(mismatches, 0);
	fixture_db_drop(db);
}

int main(void)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	LV_RUN(test_check);
	LV_RUN(test_form);
	LV_RUN(test_change_from_next_period);
	LV_RUN(test_change_monthly_prorated);
	LV_RUN(test_change_audience_no_rollover);
	LV_RUN(test_retire);
	LV_RUN(test_preview);
	LV_RUN(test_close_once);
	LV_RUN(test_close_agrees_with_lazy);
	LV_RUN(test_close_concurrent);
	LV_RUN(test_adjust);
	LV_RUN(test_reads);
	LV_RUN(test_sql_audience_agrees);
	return lv_test_done();
}
