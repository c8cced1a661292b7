/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_reports.c - the console's reports (store/domain/report.c) on a
 * hand-made dataset whose sums are worked out below, in the Europe/Paris
 * time zone: orders placed through the real checkout one second either
 * side of month, quarter and year edges (local midnight is 22:00 or 23:00
 * UTC the day before, so bucketing in UTC would put them in the wrong
 * period), one partly cancelled, one partly returned (its allowance refund
 * rounded as order_flow.c rounds it), one cancelled in full, one waiting
 * for approval; spend by department, cost centre and site per month,
 * quarter and year with what the allowances paid and the overage; the
 * allowance ledger's utilisation per programme and period (grants,
 * carried over, spent net of refunds, expired); top products by amount
 * and by quantity; orders by state now and by month; each report one SQL
 * statement; the CSV of the same rows with its quoting; and the
 * parameters, their defaults and their refusals.
 *
 * The dataset (prices: SHIRT 40.00 in uniforms, POLO 25.00 and CAP 10.00
 * in accessories; one programme, "uni", 100.00 a year for uniforms,
 * rollover cap 50.00; what it does not cover goes to payroll):
 *
 *   #  who        placed (local)        lines      then                    kept  allow  over
 *   1  A Retail   2026-03-31 23:59:59   2 SHIRT                            8000   8000     0
 *   2  A Retail   2026-04-01 00:00:00   1 SHIRT                            4000   2000  2000
 *   7  B Retail   2026-05-15 12:00:00   1 SHIRT    cancelled in full          0      0     0
 *   8  A Retail   2026-05-20 12:00:00   1 CAP      waits for approval         -      -     -
 *   3  B Retail   2026-06-30 23:59:59   3 POLO     1 cancelled             5000      0  5000
 *   4  C Finance  2026-07-01 00:00:00   3 SHIRT    shipped, 1 returned     8000   6667  1333
 *   5  D -        2026-12-31 23:59:59   1 CAP                              1000      0  1000
 *   6  D -        2027-01-01 00:00:00   1 CAP                              1000      0  1000
 *
 * Order 4: the programme paid 100.00 of 120.00; one shirt of three back
 * refunds floor(10000 x 1 / 3) = 3333, so the allowance keeps 6667 of the
 * 8000 kept and the overage is 1333.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lv_buf.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "order.h"
#include "report.h"

static const char catalog_csv[] =
	"category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image\n"
	"uniforms,Uniforms,shirt,Oxford shirt,Cotton shirt,,0,SHIRT,M,White,Regular,40.00,900,\n"
	"accessories,Accessories,polo,Logo polo,Polo,,0,POLO,M,Navy,,25.00,900,\n"
	"accessories,Accessories,cap,Cap,Cap,,0,CAP,,Navy,,10.00,900,\n";

static const struct audit_actor admin = { 0, "admin", "127.0.0.1" };

static struct lv_db *db;
static char ref[9][33];

static int64_t emp_add(const char *id, const char *dept, const char *site, const char *cc)
{
	struct fixture_employee e = {
		.hr_id = id, .department = dept, .site = site, .cost_center = cc,
		.hire_date = "2020-01-01",
	};

	return fixture_employee_add(db, &e);
}

static void place(int no, int64_t emp, const char *sku, int64_t qty, const char *uncovered,
		  int64_t at)
{
	json_t *home = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "D", "line1", "1 rue Neuve",
				 "postcode", "69001", "city", "Lyon", "country", "FR");
	struct fixture_order o = {
		.employee = emp, .skus = &sku, .qty = &qty, .n = 1, .uncovered = uncovered,
		.consent = 1, .at = at,
	};
	int status;

	/* D has no site: a home delivery */
	if (no == 5 || no == 6)
		o.home = home;
	status = fixture_order_place(db, &o, ref[no]);
	if (status != 201 && status != 202) {
		fprintf(stderr, "order %d: checkout answered %d\n", no, status);
		exit(1);
	}
	json_decref(home);
}

static void release(int no, int is_return, int64_t qty, int64_t at)
{
	struct order_line_qty l = { 1, qty };
	char msg[256] = "";
	int rc = order_release(db, ref[no], 0, is_return, qty ? &l : NULL, qty ? 1 : 0, "test",
			       &admin, at, msg, sizeof(msg));

	if (rc != LV_OK) {
		fprintf(stderr, "order %d: release: %s %s\n", no, lv_err_name(rc), msg);
		exit(1);
	}
}

static void advance(int no, const char *to, int64_t at)
{
	char msg[256] = "";
	int ship = strcmp(to, "shipped") == 0;

	if (order_advance(db, ref[no], to, ship ? "DHL" : NULL, ship ? "JD1" : NULL, &admin, at,
			  msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "order %d: advance to %s: %s\n", no, to, msg);
		exit(1);
	}
}

static void dataset(void)
{
	int64_t a, b, c, d;

	db = fixture_db_new("reports", 1000, catalog_csv);
	a = emp_add("A", "Retail", "Lyon", "CC1");
	b = emp_add("B", "Retail", "Paris", "+CC2");
	c = emp_add("C", "Finance", "Paris", "CC, Finance");
	d = emp_add("D", NULL, NULL, NULL);
	fixture_programme_add(db,
			      "{\"slug\":\"uni\",\"name\":\"Uniform\",\"unit\":\"money\","
			      "\"amount\":10000,\"period\":\"yearly\",\"rollover_cap\":5000,"
			      "\"categories\":[\"uniforms\"],\"overage\":\"payroll\"}",
			      fixture_lt(2026, 1, 1, 0, 0, 0));
	place(1, a, "SHIRT", 2, "payroll", fixture_lt(2026, 3, 31, 23, 59, 59));
	place(2, a, "SHIRT", 1, "payroll", fixture_lt(2026, 4, 1, 0, 0, 0));
	place(7, b, "SHIRT", 1, "payroll", fixture_lt(2026, 5, 15, 12, 0, 0));
	release(7, 0, 0, fixture_lt(2026, 5, 16, 12, 0, 0));
	place(8, a, "CAP", 1, "approval", fixture_lt(2026, 5, 20, 12, 0, 0));
	place(3, b, "POLO", 3, "payroll", fixture_lt(2026, 6, 30, 23, 59, 59));
	release(3, 0, 1, fixture_lt(2026, 7, 2, 12, 0, 0));
	place(4, c, "SHIRT", 3, "payroll", fixture_lt(2026, 7, 1, 0, 0, 0));
	advance(4, "picking", fixture_lt(2026, 7, 2, 9, 0, 0));
	advance(4, "shipped", fixture_lt(2026, 7, 2, 10, 0, 0));
	release(4, 1, 1, fixture_lt(2026, 8, 1, 12, 0, 0));
	place(5, d, "CAP", 1, "payroll", fixture_lt(2026, 12, 31, 23, 59, 59));
	place(6, d, "CAP", 1, "payroll", fixture_lt(2027, 1, 1, 0, 0, 0));
}

/* ---- running a report with parameters given as "k=v" strings ---- */

struct kv {
	const char *const *v; /* "key=value", NULL-terminated */
};

static const char *kv_get(void *arg, const char *key)
{
	const struct kv *kv = arg;
	size_t i, n = strlen(key);

	for (i = 0; kv->v && kv->v[i]; i++)
		if (strncmp(kv->v[i], key, n) == 0 && kv->v[i][n] == '=')
			return kv->v[i] + n + 1;
	return NULL;
}

/* Statements run on the connection (counted by the trace hook). */
static int statements;

static int trace_count(unsigned type, void *ctx, void *p, void *x)
{
	(void)type;
	(void)ctx;
	(void)p;
	(void)x;
	statements++;
	return 0;
}

/* Runs report name with params; checks it was one statement. New reference or NULL. */
static json_t *run(const char *name, const char *const *params)
{
	struct kv kv = { params };
	struct report_params p;
	const char *field = NULL, *why = NULL;
	enum report_kind kind;
	json_t *rep = NULL;
	int rc;

	CHECK_INT(report_kind_parse(name, &kind), LV_OK);
	rc = report_params_parse(kind, kv_get, &kv, fixture_lt(2027, 2, 10, 12, 0, 0), &p, &field,
				 &why);
	CHECK_INT(rc, LV_OK);
	if (rc != LV_OK) {
		fprintf(stderr, "%s: %s: %s\n", name, field, why);
		return NULL;
	}
	statements = 0;
	sqlite3_trace_v2(db->conn, SQLITE_TRACE_STMT, trace_count, NULL);
	rc = report_run(db, &p, &rep);
	sqlite3_trace_v2(db->conn, 0, NULL, NULL);
	CHECK_INT(rc, LV_OK);
	CHECK_INT(statements, 1);
	return rep;
}

static json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "(none)";
}

/* The rows as "period|group|orders|quantity|total|allowances|overage;" for one check. */
static void spend_rows(const json_t *rep, const char *key, char *out, size_t len)
{
	const json_t *row;
	size_t i, o = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(rep, "rows"), i, row) {
		int n = lv_snprintf(out + o, len - o,
				    "%s|%s|%" JSON_INTEGER_FORMAT "|%" JSON_INTEGER_FORMAT
				    "|%" JSON_INTEGER_FORMAT "|%" JSON_INTEGER_FORMAT
				    "|%" JSON_INTEGER_FORMAT ";",
				    jstr(row, "period"), jstr(row, key), jint(row, "orders"),
				    jint(row, "quantity"), jint(row, "total"),
				    jint(row, "allowances"), jint(row, "overage"));

		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static void test_spend(void)
{
	static const char *const month[] = { "from=2026-01-01", "to=2027-12-31", NULL };
	static const char *const quarter[] = { "from=2026-01-01", "to=2027-12-31",
					       "period=quarter", NULL };
	static const char *const year_site[] = { "from=2026-01-01", "to=2027-12-31",
						 "period=year", "by=site", NULL };
	static const char *const year_cc[] = { "from=2026-01-01", "to=2026-12-31",
					       "period=year", "by=cost_center", NULL };
	static const char *const april[] = { "from=2026-04-01", "to=2026-04-30", NULL };
	json_t *rep, *g, *all;
	char s[1024];

	rep = run("spend", month);
	spend_rows(rep, "department", s, sizeof(s));
	CHECK_STR(s, "2026-03|Retail|1|2|8000|8000|0;"
		     "2026-04|Retail|1|1|4000|2000|2000;"
		     "2026-06|Retail|1|2|5000|0|5000;"
		     "2026-07|Finance|1|2|8000|6667|1333;"
		     "2026-12||1|1|1000|0|1000;"
		     "2027-01||1|1|1000|0|1000;");
	CHECK(json_is_false(json_object_get(rep, "truncated")));
	all = json_object_get(json_object_get(rep, "totals"), "all");
	CHECK_INT(jint(all, "total"), 27000);
	CHECK_INT(jint(all, "allowances"), 16667);
	CHECK_INT(jint(all, "overage"), 10333);
	CHECK_INT(jint(all, "orders"), 6);
	/* groups ranked by total: Retail 17000, Finance 8000, "" 2000 */
	g = json_object_get(json_object_get(rep, "totals"), "groups");
	CHECK_INT(json_array_size(g), 3);
	CHECK_STR(jstr(json_array_get(g, 0), "department"), "Retail");
	CHECK_INT(jint(json_array_get(g, 0), "total"), 17000);
	CHECK_INT(jint(json_array_get(g, 0), "orders"), 3);
	CHECK_STR(jstr(json_array_get(g, 1), "department"), "Finance");
	CHECK_STR(jstr(json_array_get(g, 2), "department"), "");
	CHECK_INT(jint(json_array_get(g, 2), "total"), 2000);
	CHECK_INT(json_array_size(json_object_get(json_object_get(rep, "totals"), "periods")), 6);
	json_decref(rep);

	rep = run("spend", quarter);
	spend_rows(rep, "department", s, sizeof(s));
	CHECK_STR(s, "2026-Q1|Retail|1|2|8000|8000|0;"
		     "2026-Q2|Retail|2|3|9000|2000|7000;"
		     "2026-Q3|Finance|1|2|8000|6667|1333;"
		     "2026-Q4||1|1|1000|0|1000;"
		     "2027-Q1||1|1|1000|0|1000;");
	json_decref(rep);

	rep = run("spend", year_site);
	spend_rows(rep, "site", s, sizeof(s));
	CHECK_STR(s, "2026|Paris|2|4|13000|6667|6333;"
		     "2026|Lyon|2|3|12000|10000|2000;"
		     "2026||1|1|1000|0|1000;"
		     "2027||1|1|1000|0|1000;");
	json_decref(rep);

	rep = run("spend", year_cc);
	spend_rows(rep, "cost_center", s, sizeof(s));
	CHECK_STR(s, "2026|CC1|2|3|12000|10000|2000;"
		     "2026|CC, Finance|1|2|8000|6667|1333;"
		     "2026|+CC2|1|2|5000|0|5000;"
		     "2026||1|1|1000|0|1000;");
	json_decref(rep);

	/* the range's edges are local midnights: April holds order 2 only */
	rep = run("spend", april);
	spend_rows(rep, "department", s, sizeof(s));
	CHECK_STR(s, "2026-04|Retail|1|1|4000|2000|2000;");
	json_decref(rep);
}

static void test_utilisation(void)
{
	static const char *const all[] = { NULL };
	static const char *const y2027[] = { "year=2027", "programme=uni", NULL };
	static const char *const none[] = { "programme=nothing", NULL };
	json_t *rep, *r26, *r27;

	rep = run("allowances", all);
	CHECK_INT(json_array_size(json_object_get(rep, "rows")), 2);
	r26 = json_array_get(json_object_get(rep, "rows"), 0);
	r27 = json_array_get(json_object_get(rep, "rows"), 1);
	CHECK_STR(jstr(r26, "programme"), "uni");
	CHECK_STR(jstr(r26, "unit"), "money");
	CHECK_STR(jstr(r26, "period"), "2026");
	/* every employee who ordered in 2026 got the 2026 grant */
	CHECK_INT(jint(r26, "employees"), 4);
	CHECK_INT(jint(r26, "granted"), 40000);
	CHECK_INT(jint(r26, "rolled_over"), 0);
	/* 8000 + 2000 (A) + 4000 - 4000 (B, cancelled) + 10000 - 3333 (C) */
	CHECK_INT(jint(r26, "spent"), 16667);
	/* D's 2026 closed when D ordered in 2027: all of it expired */
	CHECK_INT(jint(r26, "expired"), 10000);
	CHECK_INT(jint(r26, "balance"), 40000 - 16667 - 10000);
	CHECK_INT(jint(r26, "used_percent"), 42); /* 16667 / 40000 = 41.67 % */
	CHECK_STR(jstr(r27, "period"), "2027");
	CHECK_INT(jint(r27, "employees"), 1);
	CHECK_INT(jint(r27, "granted"), 10000);
	CHECK_INT(jint(r27, "rolled_over"), 5000); /* the cap */
	CHECK_INT(jint(r27, "spent"), 0);
	CHECK_INT(jint(r27, "balance"), 15000);
	CHECK_INT(json_array_size(json_object_get(json_object_get(rep, "totals"), "programmes")),
		  1);
	json_decref(rep);

	rep = run("allowances", y2027);
	CHECK_INT(json_array_size(json_object_get(rep, "rows")), 1);
	CHECK_STR(jstr(json_array_get(json_object_get(rep, "rows"), 0), "period"), "2027");
	json_decref(rep);
	rep = run("allowances", none);
	CHECK_INT(json_array_size(json_object_get(rep, "rows")), 0);
	json_decref(rep);
}

static void test_products(void)
{
	static const char *const amount[] = { "from=2026-01-01", "to=2026-12-31", NULL };
	static const char *const qty2[] = { "from=2026-01-01", "to=2026-12-31", "rank=quantity",
					    "limit=2", NULL };
	json_t *rep, *rows;

	rep = run("products", amount);
	rows = json_object_get(rep, "rows");
	CHECK_INT(json_array_size(rows), 3);
	/* shirts: 2 + 1 + (3 - 1 returned) of orders 1, 2, 4; order 7 was cancelled */
	CHECK_STR(jstr(json_array_get(rows, 0), "product"), "shirt");
	CHECK_STR(jstr(json_array_get(rows, 0), "name"), "Oxford shirt");
	CHECK_INT(jint(json_array_get(rows, 0), "quantity"), 5);
	CHECK_INT(jint(json_array_get(rows, 0), "amount"), 20000);
	CHECK_INT(jint(json_array_get(rows, 0), "orders"), 3);
	CHECK_INT(jint(json_array_get(rows, 0), "rank"), 1);
	CHECK_STR(jstr(json_array_get(rows, 1), "product"), "polo");
	CHECK_INT(jint(json_array_get(rows, 1), "quantity"), 2);
	CHECK_INT(jint(json_array_get(rows, 1), "amount"), 5000);
	/* the cap of order 8 waits for approval; order 6 is 2027 */
	CHECK_STR(jstr(json_array_get(rows, 2), "product"), "cap");
	CHECK_INT(jint(json_array_get(rows, 2), "quantity"), 1);
	CHECK_INT(jint(json_object_get(rep, "totals"), "amount"), 26000);
	json_decref(rep);

	rep = run("products", qty2);
	rows = json_object_get(rep, "rows");
	CHECK_INT(json_array_size(rows), 2);
	CHECK_STR(jstr(json_array_get(rows, 0), "product"), "shirt");
	CHECK_STR(jstr(json_array_get(rows, 1), "product"), "polo");
	json_decref(rep);
}

static void test_orders(void)
{
	static const char *const y2026[] = { "from=2026-01-01", "to=2026-12-31", NULL };
	json_t *rep, *now, *periods, *row;
	char s[1024];
	size_t i, o = 0;

	rep = run("orders", y2026);
	now = json_object_get(json_object_get(rep, "totals"), "now");
	/* placed: 1, 2, 3 (partly cancelled), 5, 6; order totals as placed */
	CHECK_INT(jint(json_object_get(now, "placed"), "orders"), 5);
	CHECK_INT(jint(json_object_get(now, "placed"), "amount"), 8000 + 4000 + 7500 + 1000 + 1000);
	CHECK_INT(jint(json_object_get(now, "shipped"), "orders"), 1);
	CHECK_INT(jint(json_object_get(now, "shipped"), "amount"), 12000);
	CHECK_INT(jint(json_object_get(now, "cancelled"), "orders"), 1);
	CHECK_INT(jint(json_object_get(now, "pending_approval"), "orders"), 1);
	CHECK_INT(jint(json_object_get(now, "delivered"), "orders"), 0);
	CHECK_INT(json_object_size(now), 8);
	/* the rows: "now" first, then each month of 2026 by state */
	json_array_foreach(json_object_get(rep, "rows"), i, row)
		o += (size_t)lv_snprintf(s + o, sizeof(s) - o, "%s %s %" JSON_INTEGER_FORMAT ";",
					 jstr(row, "period"), jstr(row, "status"),
					 jint(row, "orders"));
	CHECK_STR(s, "now pending_approval 1;now placed 5;now shipped 1;now cancelled 1;"
		     "2026-03 placed 1;2026-04 placed 1;2026-05 pending_approval 1;"
		     "2026-05 cancelled 1;2026-06 placed 1;2026-07 shipped 1;2026-12 placed 1;");
	periods = json_object_get(json_object_get(rep, "totals"), "periods");
	CHECK_INT(json_array_size(periods), 6);
	CHECK_STR(jstr(json_array_get(periods, 2), "period"), "2026-05");
	CHECK_INT(jint(json_array_get(periods, 2), "orders"), 2);
	CHECK_INT(jint(json_array_get(periods, 2), "amount"), 5000);
	CHECK_INT(jint(json_array_get(periods, 2), "cancelled"), 1);
	json_decref(rep);
}

static void test_csv(void)
{
	static const char *const year_cc[] = { "from=2026-01-01", "to=2026-12-31",
					       "period=year", "by=cost_center", NULL };
	static const char *const all[] = { NULL };
	struct lv_buf out;
	json_t *rep;

	lv_buf_init(&out, 1u << 20);
	rep = run("spend", year_cc);
	CHECK_INT(report_csv(rep, "EUR", &out), LV_OK);
	CHECK_STR(lv_buf_str(&out),
		  "period,cost_center,orders,quantity,total,allowances,overage,currency\r\n"
		  "2026,CC1,2,3,12000,10000,2000,EUR\r\n"
		  "2026,\"CC, Finance\",1,2,8000,6667,1333,EUR\r\n"
		  "2026,'+CC2,1,2,5000,0,5000,EUR\r\n"
		  "2026,,1,1,1000,0,1000,EUR\r\n");
	json_decref(rep);

	/* bounded: the buffer's limit is an error, not a cut file */
	lv_buf_cleanup(&out);
	lv_buf_init(&out, 40);
	rep = run("allowances", all);
	CHECK_INT(report_csv(rep, "EUR", &out), LV_ETOOBIG);
	lv_buf_cleanup(&out);
	lv_buf_init(&out, 1u << 20);
	CHECK_INT(report_csv(rep, "EUR", &out), LV_OK);
	CHECK(strncmp(lv_buf_str(&out),
		      "programme,name,unit,period,employees,granted,rolled_over,adjusted,spent,"
		      "expired,balance,used_percent,currency\r\n"
		      "uni,Uniform,money,2026,4,40000,0,0,16667,10000,13333,42,EUR\r\n",
		      160) == 0);
	json_decref(rep);
	lv_buf_cleanup(&out);
}

/* Parses params for kind at now; OUT: field (NULL when accepted). */
static int parse(enum report_kind kind, const char *const *params, struct report_params *p,
		 const char **field)
{
	struct kv kv = { params };
	const char *why = NULL;
	int rc = report_params_parse(kind, kv_get, &kv, fixture_lt(2026, 2, 10, 15, 30, 0), p,
				     field, &why);

	CHECK(rc == LV_OK ? why == NULL : why != NULL && strlen(why) > 10);
	return rc;
}

static void test_params(void)
{
	static const char *const empty[] = { "from=", "period=", NULL };
	static const char *const bad_day[] = { "from=2026-02-30", NULL };
	static const char *const bad_to[] = { "to=26-01-01", NULL };
	static const char *const signs[] = { "from=2026-+1-01", NULL };
	static const char *const reversed[] = { "from=2026-03-01", "to=2026-02-28", NULL };
	static const char *const ten[] = { "from=2016-03-01", "to=2026-02-28", NULL };
	static const char *const eleven[] = { "from=2016-03-01", "to=2026-03-01", NULL };
	static const char *const bad_period[] = { "period=week", NULL };
	static const char *const bad_by[] = { "by=team", NULL };
	static const char *const bad_limit[] = { "limit=101", NULL };
	static const char *const zero_limit[] = { "limit=0", NULL };
	static const char *const bad_rank[] = { "rank=price", NULL };
	static const char *const bad_prog[] = { "programme=Uni Form", NULL };
	static const char *const bad_year[] = { "year=26", NULL };
	struct report_params p;
	const char *field = NULL;
	enum report_kind k;

	/* defaults: eleven months back to the first day, to today */
	CHECK_INT(parse(REPORT_SPEND, empty, &p, &field), LV_OK);
	CHECK_STR(p.from_s, "2025-03-01");
	CHECK_STR(p.to_s, "2026-02-10");
	CHECK_INT(p.from, fixture_lt(2025, 3, 1, 0, 0, 0));
	CHECK_INT(p.to, fixture_lt(2026, 2, 11, 0, 0, 0));
	CHECK_INT(p.period, REPORT_MONTH);
	CHECK_INT(p.by, REPORT_BY_DEPARTMENT);
	CHECK_INT(parse(REPORT_PRODUCTS, NULL, &p, &field), LV_OK);
	CHECK_INT(p.limit, REPORT_TOP_DEFAULT);
	CHECK_INT(p.rank, REPORT_RANK_AMOUNT);
	CHECK_INT(parse(REPORT_SPEND, ten, &p, &field), LV_OK);

	CHECK_INT(parse(REPORT_SPEND, bad_day, &p, &field), LV_EINVAL);
	CHECK_STR(field, "from");
	CHECK_INT(parse(REPORT_SPEND, bad_to, &p, &field), LV_EINVAL);
	CHECK_STR(field, "to");
	CHECK_INT(parse(REPORT_SPEND, signs, &p, &field), LV_EINVAL);
	CHECK_STR(field, "from");
	CHECK_INT(parse(REPORT_SPEND, reversed, &p, &field), LV_EINVAL);
	CHECK_STR(field, "range");
	CHECK_INT(parse(REPORT_SPEND, eleven, &p, &field), LV_EINVAL);
	CHECK_STR(field, "range");
	CHECK_INT(parse(REPORT_ORDERS, bad_period, &p, &field), LV_EINVAL);
	CHECK_STR(field, "period");
	CHECK_INT(parse(REPORT_SPEND, bad_by, &p, &field), LV_EINVAL);
	CHECK_STR(field, "by");
	CHECK_INT(parse(REPORT_PRODUCTS, bad_limit, &p, &field), LV_EINVAL);
	CHECK_STR(field, "limit");
	CHECK_INT(parse(REPORT_PRODUCTS, zero_limit, &p, &field), LV_EINVAL);
	CHECK_INT(parse(REPORT_PRODUCTS, bad_rank, &p, &field), LV_EINVAL);
	CHECK_STR(field, "rank");
	CHECK_INT(parse(REPORT_UTILISATION, bad_prog, &p, &field), LV_EINVAL);
	CHECK_STR(field, "programme");
	CHECK_INT(parse(REPORT_UTILISATION, bad_year, &p, &field), LV_EINVAL);
	CHECK_STR(field, "year");
	/* utilisation has no date range: a bad one does not matter to it */
	CHECK_INT(parse(REPORT_UTILISATION, reversed, &p, &field), LV_OK);

	CHECK_INT(report_kind_parse("spend", &k), LV_OK);
	CHECK_INT(k, REPORT_SPEND);
	CHECK_STR(report_kind_name(REPORT_UTILISATION), "allowances");
	CHECK_INT(report_kind_parse("salaries", &k), LV_ENOTFOUND);
	CHECK_INT(report_kind_parse(NULL, &k), LV_ENOTFOUND);
}

/* An empty store: every report runs and has no rows. */
static void test_empty(void)
{
	static const char *const names[] = { "spend", "allowances", "products", "orders" };
	struct lv_db *keep = db;
	size_t i;

	db = fixture_db_new("reports-empty", 1000, NULL);
	for (i = 0; i < 4; i++) {
		json_t *rep = run(names[i], NULL);
		size_t rows = json_array_size(json_object_get(rep, "rows"));

		CHECK_INT(rows, 0);
		CHECK(json_array_size(json_object_get(rep, "columns")) >= 4);
		json_decref(rep);
	}
	fixture_db_drop(db);
	db = keep;
}

int main(void)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	LV_RUN(test_params);
	LV_RUN(test_empty);
	dataset();
	LV_RUN(test_spend);
	LV_RUN(test_utilisation);
	LV_RUN(test_products);
	LV_RUN(test_orders);
	LV_RUN(test_csv);
	fixture_db_drop(db);
	return lv_test_done();
}
