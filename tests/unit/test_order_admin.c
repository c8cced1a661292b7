/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_order_admin.c - the store administrators' view of orders
 * (order_admin.h) on a migrated database with orders placed through the
 * real checkout: the count of every state; the queue of a state, oldest
 * or newest first, paginated, with its employee, destination, lines and
 * what is left; one order with its employee's details and the actions its
 * state allows; the pick list grouped by site (home deliveries last) and
 * SKU with its totals, leaving out what was cancelled and the orders of
 * other states, and bounded to ORDER_PICK_MAX orders; marking a pick list
 * as picking all or nothing (one order cancelled meanwhile, one unknown,
 * one given twice, the database locked by someone else: nothing changes
 * and no audit entry is written; a good list: every order picking with
 * its own audit entry); the shipment's field checks; and the approval
 * queue's reasons (which allowance each order goes over and by how much,
 * and what no allowance paid), read with one statement whatever the
 * number of orders, like the admin queue and the pick list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "order.h"
#include "order_admin.h"

static const char catalog_csv[] =
	"category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image\n"
	"uniforms,Uniforms,shirt,Oxford shirt,Cotton shirt,uniform,0,SHIRT,M,White,Regular,4.00,900,\n"
	"uniforms,Uniforms,blazer,Navy blazer,Wool blazer,uniform,0,BLZ,M,Navy,Regular,129.00,50,\n"
	"accessories,Accessories,lanyard,Lanyard,Lanyard,,0,LAN,,Navy,,3.50,900,\n";

#define T0 fixture_lt(2026, 11, 20, 10, 0, 0)

static const struct audit_actor dave = { 0, "dave", "127.0.0.1" };

static struct lv_db *fresh_db(int busy_ms)
{
	return fixture_db_new("oadmin", busy_ms, catalog_csv);
}

/* An active employee at site (NULL: none); manager may be NULL. */
static int64_t employee_add(struct lv_db *db, const char *hr_id, const char *site,
			    const char *manager)
{
	struct fixture_employee e = {
		.hr_id = hr_id, .site = site, .department = "Branch", .manager = manager,
		.hire_date = "2020-01-15",
	};
	char name[80];

	lv_snprintf(name, sizeof(name), "Name %s", hr_id);
	e.name = name;
	return fixture_employee_add(db, &e);
}

/*
 * Places an order of n lines (no allowance: the overage goes to payroll,
 * with consent, so the order is placed at once; "approval" makes it wait).
 * home: a home address, or NULL for the employee's site. OUT: ref.
 */
static int place(struct lv_db *db, int64_t emp, const char *const *skus, const int64_t *qty,
		 size_t n, const char *uncovered, const json_t *home, int64_t at, char *ref)
{
	struct fixture_order o = {
		.employee = emp, .skus = skus, .qty = qty, .n = n,
		.uncovered = uncovered ? uncovered : "payroll", .consent = 1, .home = home,
		.at = at,
	};

	return fixture_order_place(db, &o, ref);
}

static int place1(struct lv_db *db, int64_t emp, const char *sku, int64_t qty, int64_t at,
		  char *ref)
{
	return place(db, emp, &sku, &qty, 1, NULL, NULL, at, ref);
}

static int advance(struct lv_db *db, const char *ref, const char *to)
{
	char msg[256] = "";
	int shipped = strcmp(to, "shipped") == 0;

	return order_advance(db, ref, to, shipped ? "DHL" : NULL, shipped ? "JD0001" : NULL,
			     &dave, T0, msg, sizeof(msg));
}

/* Cancels qty of line line_no of ref (0: everything) as the store admin. */
static int cancel(struct lv_db *db, const char *ref, int64_t line_no, int64_t qty)
{
	struct order_line_qty l = { line_no, qty };
	char msg[256] = "";

	return order_release(db, ref, 0, 0, line_no ? &l : NULL, line_no ? 1 : 0, "test",
			     &dave, T0, msg, sizeof(msg));
}

static const char *status_of(struct lv_db *db, const char *ref, char *buf, size_t len)
{
	sqlite3_stmt *st = NULL;

	lv_strlcpy(buf, "?", len);
	sqlite3_prepare_v2(db->conn, "SELECT status FROM orders WHERE ref = ?1", -1, &st, NULL);
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		lv_strlcpy(buf, (const char *)sqlite3_column_text(st, 0), len);
	sqlite3_finalize(st);
	return buf;
}

static int64_t audits(struct lv_db *db, const char *action)
{
	return fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = ?1", action);
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "(null)";
}

static int64_t jint(const json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* ---- counting statements: a list is one query whatever its length ---- */

static int trace_stmt(unsigned type, void *ctx, void *p, void *x)
{
	(void)p;
	(void)x;
	if (type == SQLITE_TRACE_STMT)
		(*(int *)ctx)++;
	return 0;
}

static int stmts_n;

static void trace_on(struct lv_db *db)
{
	stmts_n = 0;
	sqlite3_trace_v2(db->conn, SQLITE_TRACE_STMT, trace_stmt, &stmts_n);
}

static int trace_off(struct lv_db *db)
{
	sqlite3_trace_v2(db->conn, 0, NULL, NULL);
	return stmts_n;
}

/* ------------------------------------------------------------------ */

static void test_counts_and_queue(void)
{
	struct lv_db *db = fresh_db(5000);
	int64_t a = employee_add(db, "E1", "Lyon", NULL), b = employee_add(db, "E2", "Lyon", NULL);
	int64_t c = employee_add(db, "E3", NULL, NULL);
	json_t *home = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "C", "line1", "1 Kade",
				 "postcode", "3011", "city", "Rotterdam", "country", "NL");
	const char *skus[2] = { "SHIRT", "LAN" };
	const int64_t qty[2] = { 3, 2 };
	char r1[33], r2[33], r3[33], r4[33], r5[33];
	json_t *counts = NULL, *q = NULL, *o;
	size_t n;

	CHECK_INT(place(db, a, skus, qty, 2, NULL, NULL, T0, r1), 201);
	CHECK_INT(place1(db, b, "SHIRT", 1, T0 + 10, r2), 201);
	CHECK_INT(place(db, c, skus, qty, 1, NULL, home, T0 + 20, r3), 201);
	CHECK_INT(place1(db, a, "BLZ", 1, T0 + 30, r4), 201);
	CHECK_INT(place1(db, b, "BLZ", 1, T0 + 40, r5), 201);
	CHECK_INT(advance(db, r4, "picking"), LV_OK);
	CHECK_INT(advance(db, r4, "shipped"), LV_OK);
	CHECK_INT(advance(db, r5, "picking"), LV_OK);
	CHECK_INT(advance(db, r5, "shipped"), LV_OK);
	CHECK_INT(cancel(db, r1, 1, 1), LV_OK); /* one shirt of three */

	CHECK_INT(order_admin_counts(db, &counts), LV_OK);
	CHECK_INT(json_object_size(counts), 8);
	CHECK_INT(jint(counts, "placed"), 3);
	CHECK_INT(jint(counts, "shipped"), 2);
	CHECK_INT(jint(counts, "refused"), 0);
	CHECK_INT(jint(counts, "pending_approval"), 0);
	json_decref(counts);

	/* placed: oldest first, the fulfilment order */
	CHECK_INT(order_admin_queue(db, "placed", 1, 25, &q), LV_OK);
	CHECK_INT(json_array_size(q), 3);
	CHECK_STR(jstr(json_array_get(q, 0), "ref"), r1);
	CHECK_STR(jstr(json_array_get(q, 1), "ref"), r2);
	CHECK_STR(jstr(json_array_get(q, 2), "ref"), r3);
	o = json_array_get(q, 0);
	CHECK_INT(jint(o, "lines"), 2);
	CHECK_INT(jint(o, "items"), 5);
	CHECK_INT(jint(o, "left"), 4);
	CHECK_INT(jint(o, "total"), 1200 + 700);
	CHECK_STR(jstr(o, "delivery"), "site");
	CHECK_STR(jstr(o, "destination"), "Lyon");
	CHECK_STR(jstr(json_object_get(o, "employee"), "employee_id"), "E1");
	CHECK_STR(jstr(json_object_get(o, "employee"), "name"), "Name E1");
	CHECK_STR(jstr(json_object_get(o, "employee"), "department"), "Branch");
	CHECK_STR(jstr(json_array_get(q, 2), "delivery"), "home");
	CHECK_STR(jstr(json_array_get(q, 2), "destination"), "Rotterdam");
	json_decref(q);

	/* shipped: newest first */
	CHECK_INT(order_admin_queue(db, "shipped", 1, 25, &q), LV_OK);
	CHECK_INT(json_array_size(q), 2);
	CHECK_STR(jstr(json_array_get(q, 0), "ref"), r5);
	CHECK_STR(jstr(json_array_get(q, 1), "ref"), r4);
	json_decref(q);

	/* pages */
	CHECK_INT(order_admin_queue(db, "placed", 2, 2, &q), LV_OK);
	CHECK_INT(json_array_size(q), 1);
	CHECK_STR(jstr(json_array_get(q, 0), "ref"), r3);
	json_decref(q);
	CHECK_INT(order_admin_queue(db, "placed", 3, 2, &q), LV_OK);
	CHECK_INT(json_array_size(q), 0);
	json_decref(q);

	/* refusals */
	CHECK_INT(order_admin_queue(db, "lost", 1, 25, &q), LV_EINVAL);
	CHECK(q == NULL);
	CHECK_INT(order_admin_queue(db, NULL, 1, 25, &q), LV_EINVAL);
	CHECK_INT(order_admin_queue(db, "placed", 0, 25, &q), LV_EINVAL);
	CHECK_INT(order_admin_queue(db, "placed", 1, 0, &q), LV_EINVAL);
	CHECK_INT(order_admin_queue(db, "placed", 1, ORDER_ADMIN_PER_PAGE_MAX + 1, &q), LV_EINVAL);

	/* one statement for the page, however many orders it holds */
	trace_on(db);
	CHECK_INT(order_admin_queue(db, "placed", 1, 1, &q), LV_OK);
	json_decref(q);
	n = (size_t)trace_off(db);
	trace_on(db);
	CHECK_INT(order_admin_queue(db, "placed", 1, 25, &q), LV_OK);
	json_decref(q);
	CHECK_INT(trace_off(db), (int)n);
	CHECK_INT((int)n, 1);
	json_decref(home);
	fixture_db_drop(db);
}

static void test_get_actions(void)
{
	struct lv_db *db = fresh_db(5000);
	int64_t m = employee_add(db, "E9", "Lyon", NULL);
	int64_t a = employee_add(db, "E1", "Lyon", "E9");
	static const struct {
		const char *steps[3];
		const char *actions;
	} cases[] = {
		{ { NULL }, "pick cancel" },
		{ { "picking" }, "ship cancel" },
		{ { "picking", "shipped" }, "deliver return" },
		{ { "picking", "shipped", "delivered" }, "return" },
	};
	char ref[33], got[64];
	json_t *o = NULL, *v, *emp;
	size_t i, k;

	(void)m;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(place1(db, a, "SHIRT", 1, T0, ref), 201);
		for (k = 0; k < 3 && cases[i].steps[k]; k++)
			CHECK_INT(advance(db, ref, cases[i].steps[k]), LV_OK);
		CHECK_INT(order_admin_get(db, ref, &o), LV_OK);
		got[0] = '\0';
		json_array_foreach(json_object_get(o, "actions"), k, v) {
			size_t len = strlen(got);

			lv_snprintf(got + len, sizeof(got) - len, "%s%s", k > 0 ? " " : "",
				    json_string_value(v));
		}
		CHECK_STR(got, cases[i].actions);
		emp = json_object_get(o, "employee");
		CHECK_STR(jstr(emp, "site"), "Lyon");
		CHECK_STR(jstr(emp, "department"), "Branch");
		CHECK_STR(jstr(json_object_get(emp, "manager"), "name"), "Name E9");
		CHECK_STR(jstr(json_object_get(emp, "manager"), "employee_id"), "E9");
		/* and order_get's own fields */
		CHECK_INT(json_array_size(json_object_get(o, "lines")), 1);
		CHECK(json_array_size(json_object_get(o, "history")) >= 1);
		json_decref(o);
		o = NULL;
	}
	/* waiting for approval: only a cancellation (approving is the approver's) */
	CHECK_INT(place(db, a, (const char *const[]){ "BLZ" }, (const int64_t[]){ 1 }, 1,
			"approval", NULL, T0, ref), 201);
	CHECK_INT(order_admin_get(db, ref, &o), LV_OK);
	CHECK_STR(jstr(o, "status"), "pending_approval");
	CHECK_INT(json_array_size(json_object_get(o, "actions")), 1);
	CHECK_STR(json_string_value(json_array_get(json_object_get(o, "actions"), 0)), "cancel");
	json_decref(o);
	/* closed: nothing */
	CHECK_INT(cancel(db, ref, 0, 0), LV_OK);
	CHECK_INT(order_admin_get(db, ref, &o), LV_OK);
	CHECK_INT(json_array_size(json_object_get(o, "actions")), 0);
	json_decref(o);
	/* no manager: null */
	CHECK_INT(place1(db, m, "SHIRT", 1, T0, ref), 201);
	CHECK_INT(order_admin_get(db, ref, &o), LV_OK);
	CHECK(json_is_null(json_object_get(json_object_get(o, "employee"), "manager")));
	json_decref(o);
	o = NULL;
	CHECK_INT(order_admin_get(db, "LV-999999", &o), LV_ENOTFOUND);
	CHECK(o == NULL);
	fixture_db_drop(db);
}

/* 1 when the JSON text of v mentions s. */
static int json_mentions(const json_t *v, const char *s)
{
	char *text = json_dumps(v, 0);
	int found = text && strstr(text, s) != NULL;

	free(text);
	return found;
}

/* The site group of a pick list whose site is name (NULL: home). */
static json_t *site_of(json_t *pick, const char *name)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(pick, "sites"), i, s) {
		const char *v = json_string_value(json_object_get(s, "site"));

		if ((name == NULL && v == NULL && json_is_true(json_object_get(s, "home"))) ||
		    (name != NULL && v != NULL && strcmp(v, name) == 0))
			return s;
	}
	return NULL;
}

static json_t *sku_of(json_t *site, const char *sku)
{
	json_t *k;
	size_t i;

	json_array_foreach(json_object_get(site, "skus"), i, k)
		if (strcmp(jstr(k, "sku"), sku) == 0)
			return k;
	return NULL;
}

static void test_pick_list(void)
{
	struct lv_db *db = fresh_db(5000);
	int64_t alice = employee_add(db, "E1", "Lyon", NULL), carol = employee_add(db, "E3", "Lyon", NULL);
	int64_t bob = employee_add(db, "E2", "Amsterdam", NULL), dan = employee_add(db, "E4", NULL, NULL);
	int64_t eve = employee_add(db, "E5", "Lyon", NULL), gina = employee_add(db, "E7", "Lyon", NULL);
	json_t *home = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "Dan", "line1", "1 Kade",
				 "postcode", "3011", "city", "Rotterdam", "country", "NL");
	const char *s2[2] = { "SHIRT", "LAN" }, *s3[2] = { "BLZ", "SHIRT" };
	const int64_t q2[2] = { 2, 1 }, q3[2] = { 1, 1 };
	char ra[33], rc_[33], rb[33], rd[33], re[33], rf[33], rg[33];
	json_t *pick = NULL, *lyon, *ams, *h, *k, *orders;
	int n1, n2;

	CHECK_INT(place(db, alice, s2, q2, 2, NULL, NULL, T0, ra), 201);      /* Lyon: 2 SHIRT, 1 LAN */
	CHECK_INT(place1(db, carol, "SHIRT", 3, T0 + 1, rc_), 201);            /* Lyon: 3 SHIRT */
	CHECK_INT(place(db, bob, s3, q3, 2, NULL, NULL, T0 + 2, rb), 201);    /* Amsterdam */
	CHECK_INT(place(db, dan, &s2[1], &q2[0], 1, NULL, home, T0 + 3, rd), 201); /* home: 2 LAN */
	CHECK_INT(place1(db, eve, "SHIRT", 5, T0 + 4, re), 201);               /* cancelled */
	CHECK_INT(place1(db, alice, "SHIRT", 2, T0 + 5, rf), 201);             /* one cancelled */
	CHECK_INT(place1(db, gina, "BLZ", 1, T0 + 6, rg), 201);                /* picking */
	CHECK_INT(cancel(db, re, 0, 0), LV_OK);
	CHECK_INT(cancel(db, rf, 1, 1), LV_OK);
	CHECK_INT(advance(db, rg, "picking"), LV_OK);

	CHECK_INT(order_admin_pick_list(db, "placed", &pick), LV_OK);
	CHECK_STR(jstr(pick, "status"), "placed");
	CHECK_INT(jint(pick, "total_orders"), 5);
	CHECK_INT(jint(pick, "orders"), 5);
	CHECK(json_is_false(json_object_get(pick, "truncated")));
	/* 2+1 + 3 + 1+1 + 2 + 1 */
	CHECK_INT(jint(pick, "items"), 11);
	/* sites by name, home deliveries last */
	CHECK_INT(json_array_size(json_object_get(pick, "sites")), 3);
	CHECK_STR(jstr(json_array_get(json_object_get(pick, "sites"), 0), "site"), "Amsterdam");
	CHECK_STR(jstr(json_array_get(json_object_get(pick, "sites"), 1), "site"), "Lyon");
	CHECK(json_is_true(json_object_get(json_array_get(json_object_get(pick, "sites"), 2), "home")));

	lyon = site_of(pick, "Lyon");
	CHECK(lyon != NULL);
	CHECK_INT(jint(lyon, "items"), 7);
	/* Lyon's SKUs sorted, with their totals and the orders they go to */
	CHECK_INT(json_array_size(json_object_get(lyon, "skus")), 2);
	CHECK_STR(jstr(json_array_get(json_object_get(lyon, "skus"), 0), "sku"), "LAN");
	k = sku_of(lyon, "SHIRT");
	CHECK(k != NULL);
	CHECK_INT(jint(k, "quantity"), 2 + 3 + 1);
	CHECK_STR(jstr(k, "product"), "Oxford shirt");
	CHECK_STR(jstr(k, "colour"), "White");
	orders = json_object_get(k, "orders");
	CHECK_INT(json_array_size(orders), 3);
	CHECK_STR(jstr(json_array_get(orders, 0), "ref"), ra);
	CHECK_INT(jint(json_array_get(orders, 0), "quantity"), 2);
	CHECK_INT(jint(json_array_get(orders, 0), "line_no"), 1);
	CHECK_STR(jstr(json_array_get(orders, 2), "ref"), rf);
	CHECK_INT(jint(json_array_get(orders, 2), "quantity"), 1);
	CHECK_INT(jint(sku_of(lyon, "LAN"), "quantity"), 1);
	/* the site's orders, oldest first, each with its items */
	orders = json_object_get(lyon, "orders");
	CHECK_INT(json_array_size(orders), 3);
	CHECK_STR(jstr(json_array_get(orders, 0), "ref"), ra);
	CHECK_STR(jstr(json_array_get(orders, 1), "ref"), rc_);
	CHECK_STR(jstr(json_array_get(orders, 2), "ref"), rf);
	CHECK_INT(jint(json_array_get(orders, 0), "items"), 3);
	CHECK_STR(jstr(json_object_get(json_array_get(orders, 1), "employee"), "employee_id"), "E3");

	ams = site_of(pick, "Amsterdam");
	CHECK_INT(jint(ams, "items"), 2);
	CHECK_INT(json_array_size(json_object_get(ams, "skus")), 2);
	CHECK_INT(jint(sku_of(ams, "BLZ"), "quantity"), 1);
	h = site_of(pick, NULL);
	CHECK(h != NULL);
	CHECK_INT(jint(sku_of(h, "LAN"), "quantity"), 2);
	CHECK_STR(jstr(json_array_get(json_object_get(h, "orders"), 0), "ref"), rd);
	/* the cancelled order and the one being picked are not on it */
	CHECK(!json_mentions(pick, re));
	CHECK(!json_mentions(pick, rg));
	CHECK(json_mentions(pick, rd));
	json_decref(pick);

	/* printed again for the orders being picked */
	CHECK_INT(order_admin_pick_list(db, "picking", &pick), LV_OK);
	CHECK_INT(jint(pick, "orders"), 1);
	CHECK_INT(jint(pick, "items"), 1);
	CHECK_STR(jstr(json_array_get(json_object_get(json_array_get(json_object_get(pick, "sites"), 0),
						      "orders"), 0), "ref"), rg);
	json_decref(pick);

	/* one statement whatever the number of orders */
	trace_on(db);
	CHECK_INT(order_admin_pick_list(db, "picking", &pick), LV_OK);
	json_decref(pick);
	n1 = trace_off(db);
	trace_on(db);
	CHECK_INT(order_admin_pick_list(db, "placed", &pick), LV_OK);
	json_decref(pick);
	n2 = trace_off(db);
	CHECK_INT(n1, 1);
	CHECK_INT(n2, 1);

	pick = NULL;
	CHECK_INT(order_admin_pick_list(db, "shipped", &pick), LV_EINVAL);
	CHECK_INT(order_admin_pick_list(db, NULL, &pick), LV_EINVAL);
	CHECK(pick == NULL);
	json_decref(home);
	fixture_db_drop(db);
}

static void test_pick_list_empty_and_bounded(void)
{
	struct lv_db *db = fresh_db(5000);
	int64_t a = employee_add(db, "E1", "Lyon", NULL);
	char ref[33], first[33] = "", last[33] = "";
	json_t *pick = NULL;
	int i;

	CHECK_INT(order_admin_pick_list(db, "placed", &pick), LV_OK);
	CHECK_INT(jint(pick, "orders"), 0);
	CHECK_INT(jint(pick, "total_orders"), 0);
	CHECK_INT(json_array_size(json_object_get(pick, "sites")), 0);
	json_decref(pick);

	/* an order whose lines are all cancelled is not an order to pick */
	for (i = 0; i < ORDER_PICK_MAX + 1; i++) {
		CHECK_INT(place1(db, a, "SHIRT", 1, T0 + i, ref), 201);
		if (i == 0)
			lv_strlcpy(first, ref, sizeof(first));
		lv_strlcpy(last, ref, sizeof(last));
	}
	CHECK_INT(order_admin_pick_list(db, "placed", &pick), LV_OK);
	CHECK_INT(jint(pick, "total_orders"), ORDER_PICK_MAX + 1);
	CHECK_INT(jint(pick, "orders"), ORDER_PICK_MAX);
	CHECK(json_is_true(json_object_get(pick, "truncated")));
	CHECK_INT(jint(pick, "items"), ORDER_PICK_MAX);
	/* the oldest are on it, the newest waits for the next list */
	CHECK(json_mentions(pick, first));
	CHECK(!json_mentions(pick, last));
	json_decref(pick);
	fixture_db_drop(db);
}

static void test_mark_picking(void)
{
	struct lv_db *db = fresh_db(300), *other = NULL;
	int64_t a = employee_add(db, "E1", "Lyon", NULL);
	char ra[33], rb[33], rc_[33], st[32], msg[256];
	struct order_admin_refusal why;
	const char *refs[3], *many[ORDER_PICK_MAX + 1];
	int64_t before;
	size_t i;

	CHECK_INT(place1(db, a, "SHIRT", 1, T0, ra), 201);
	CHECK_INT(place1(db, a, "SHIRT", 2, T0 + 1, rb), 201);
	CHECK_INT(place1(db, a, "LAN", 1, T0 + 2, rc_), 201);
	before = audits(db, "order.advance");
	CHECK_INT(before, 0);

	/* b was cancelled after the list was printed: nothing is marked */
	CHECK_INT(cancel(db, rb, 0, 0), LV_OK);
	refs[0] = ra;
	refs[1] = rb;
	refs[2] = rc_;
	CHECK_INT(order_admin_mark_picking(db, refs, 3, &dave, T0 + 60, &why), LV_ECONFLICT);
	CHECK_STR(why.ref, rb);
	CHECK_STR(why.status, "cancelled");
	CHECK(strstr(why.message, rb) != NULL);
	CHECK_STR(status_of(db, ra, st, sizeof(st)), "placed");
	CHECK_STR(status_of(db, rc_, st, sizeof(st)), "placed");
	CHECK_INT(audits(db, "order.advance"), 0);
	CHECK(sqlite3_get_autocommit(db->conn)); /* no transaction left open */

	/* an unknown order */
	refs[1] = "LV-999999";
	CHECK_INT(order_admin_mark_picking(db, refs, 2, &dave, T0, &why), LV_ENOTFOUND);
	CHECK_STR(why.ref, "LV-999999");
	CHECK_STR(why.status, "");
	CHECK_STR(status_of(db, ra, st, sizeof(st)), "placed");
	CHECK_INT(audits(db, "order.advance"), 0);

	/* malformed lists */
	refs[1] = ra;
	CHECK_INT(order_admin_mark_picking(db, refs, 2, &dave, T0, &why), LV_EINVAL);
	CHECK(strstr(why.message, "twice") != NULL);
	CHECK_INT(order_admin_mark_picking(db, refs, 0, &dave, T0, &why), LV_EINVAL);
	CHECK_INT(order_admin_mark_picking(db, NULL, 2, &dave, T0, &why), LV_EINVAL);
	for (i = 0; i < ORDER_PICK_MAX + 1; i++)
		many[i] = ra;
	CHECK_INT(order_admin_mark_picking(db, many, ORDER_PICK_MAX + 1, &dave, T0, &why),
		  LV_EINVAL);
	refs[1] = "";
	CHECK_INT(order_admin_mark_picking(db, refs, 2, &dave, T0, &why), LV_EINVAL);
	CHECK_STR(status_of(db, ra, st, sizeof(st)), "placed");

	/* someone else holds the write lock: nothing, and it says the store is busy */
	CHECK_INT(lv_db_open(fixture_db_path(), 0, 300, &other, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lv_db_exec(other, "BEGIN IMMEDIATE"), LV_OK);
	refs[1] = rc_;
	CHECK_INT(order_admin_mark_picking(db, refs, 2, &dave, T0, &why), LV_ECONFLICT);
	CHECK_STR(why.ref, "");
	CHECK(why.message[0] != '\0');
	lv_db_rollback(other);
	lv_db_close(other);
	CHECK_STR(status_of(db, ra, st, sizeof(st)), "placed");

	/* a good list: all of it, each with its audit entry */
	CHECK_INT(order_admin_mark_picking(db, refs, 2, &dave, T0 + 120, &why), LV_OK);
	CHECK_STR(status_of(db, ra, st, sizeof(st)), "picking");
	CHECK_STR(status_of(db, rc_, st, sizeof(st)), "picking");
	CHECK_INT(audits(db, "order.advance"), 2);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'order.advance'"
				" AND actor_label = 'dave' AND address = '127.0.0.1' AND entity = 'order'"
				" AND entity_id = ?1 AND json_extract(before, '$.status') = 'placed'"
				" AND json_extract(after, '$.status') = 'picking'", ra), 1);
	CHECK_INT(fixture_q_int(db, "SELECT updated_at FROM orders WHERE ref = ?1", rc_), T0 + 120);

	/* marked twice: the second says it is picking already, and changes nothing */
	CHECK_INT(order_admin_mark_picking(db, refs, 1, &dave, T0, &why), LV_ECONFLICT);
	CHECK_STR(why.status, "picking");
	CHECK_INT(audits(db, "order.advance"), 2);
	fixture_db_drop(db);
}

static void test_shipment_check(void)
{
	char long_c[80], long_t[140];
	const char *ce, *te;

	memset(long_c, 'c', sizeof(long_c) - 1);
	long_c[sizeof(long_c) - 1] = '\0';
	memset(long_t, 't', sizeof(long_t) - 1);
	long_t[sizeof(long_t) - 1] = '\0';

	CHECK_INT(order_admin_shipment_check("DHL", "JD0001", &ce, &te), LV_OK);
	CHECK(ce == NULL && te == NULL);
	CHECK_INT(order_admin_shipment_check("DHL", "", &ce, &te), LV_EINVAL);
	CHECK(ce == NULL);
	CHECK(te != NULL && strstr(te, "tracking number") != NULL);
	CHECK_INT(order_admin_shipment_check("  ", NULL, &ce, &te), LV_EINVAL);
	CHECK(ce != NULL && strstr(ce, "carrier") != NULL);
	CHECK(te != NULL);
	CHECK_INT(order_admin_shipment_check(long_c, long_t, &ce, &te), LV_EINVAL);
	CHECK(ce != NULL && strstr(ce, "64") != NULL);
	CHECK(te != NULL && strstr(te, "128") != NULL);
	CHECK_INT(order_admin_shipment_check("DHL\nExpress", "A\tB", &ce, &te), LV_EINVAL);
	CHECK(ce != NULL && strstr(ce, "one line") != NULL);
	CHECK(te != NULL && strstr(te, "one line") != NULL);
	/* exactly at the bounds */
	long_c[64] = '\0';
	long_t[128] = '\0';
	CHECK_INT(order_admin_shipment_check(long_c, long_t, &ce, &te), LV_OK);
}

static void test_approval_reasons(void)
{
	struct lv_db *db = fresh_db(5000);
	int64_t erin = employee_add(db, "E5", "Lyon", NULL);
	int64_t alice = employee_add(db, "E1", "Lyon", "E5"), bob = employee_add(db, "E2", "Lyon", "E5");
	const char *skus[2] = { "LAN", "BLZ" };
	const int64_t qty[2] = { 1, 1 };
	char r1[33], r2[33], r3[33];
	json_t *a = NULL, *o, *reasons, *lines;
	int n1, n2;

	fixture_programme_add(db, "{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\","
			      "\"amount\":1000,\"period\":\"monthly\",\"categories\":[\"uniforms\"],"
			      "\"overage\":\"approval\",\"position\":1}",
			      fixture_lt(2026, 1, 1, 0, 0, 0));
	/* a lanyard no allowance covers, and a blazer over the uniform allowance */
	CHECK_INT(place(db, alice, skus, qty, 2, "approval", NULL, T0, r1), 201);

	trace_on(db);
	CHECK_INT(order_approvals_list(db, erin, 0, &a), LV_OK);
	n1 = trace_off(db);
	CHECK_INT(json_array_size(a), 1);
	o = json_array_get(a, 0);
	CHECK_STR(jstr(o, "ref"), r1);
	/* 3.50 + (129.00 - 10.00) */
	CHECK_INT(jint(o, "overage_approval"), 350 + 11900);
	reasons = json_object_get(o, "reasons");
	CHECK_INT(json_array_size(reasons), 2);
	CHECK(json_is_null(json_object_get(json_array_get(reasons, 0), "programme")));
	CHECK_INT(jint(json_array_get(reasons, 0), "amount"), 350);
	CHECK_STR(json_string_value(json_array_get(json_object_get(json_array_get(reasons, 0),
								   "products"), 0)), "Lanyard");
	CHECK_STR(jstr(json_array_get(reasons, 1), "programme"), "Uniform");
	CHECK_INT(jint(json_array_get(reasons, 1), "amount"), 11900);
	CHECK_STR(jstr(o, "reason"),
		  "Not paid by any allowance: 3.50 (Lanyard); Over the allowance by 119.00 (Uniform)");
	CHECK_STR(jstr(o, "programmes"), "Uniform");
	/* the lines come with the queue, in line order */
	lines = json_object_get(o, "order_lines");
	CHECK_INT(json_array_size(lines), 2);
	CHECK_INT(jint(json_array_get(lines, 0), "line_no"), 1);
	CHECK_STR(jstr(json_array_get(lines, 0), "sku"), "LAN");
	CHECK(json_is_null(json_object_get(json_array_get(lines, 0), "programme")));
	CHECK_STR(jstr(json_array_get(lines, 1), "programme"), "Uniform");
	CHECK_INT(jint(json_array_get(lines, 1), "covered"), 1000);
	json_decref(a);

	/* two more orders: the queue is still one statement */
	CHECK_INT(place1(db, bob, "SHIRT", 1, T0 + 1, r2), 201); /* placed: not in the queue */
	CHECK_INT(place(db, bob, &skus[1], qty, 1, "approval", NULL, T0 + 2, r2), 201);
	CHECK_INT(place(db, alice, skus, qty, 1, "approval", NULL, T0 + 3, r3), 201);
	trace_on(db);
	CHECK_INT(order_approvals_list(db, erin, 0, &a), LV_OK);
	n2 = trace_off(db);
	CHECK_INT(json_array_size(a), 3);
	CHECK_INT(n1, 1);
	CHECK_INT(n2, n1);
	/* bob's shirt took 4.00 of his 10.00: the rest pays part of the blazer */
	o = json_array_get(a, 1);
	CHECK_STR(jstr(o, "ref"), r2);
	CHECK_STR(jstr(o, "reason"), "Over the allowance by 123.00 (Uniform)");
	/* alice's was used up by her first order: nothing paid, so no allowance named */
	o = json_array_get(a, 2);
	CHECK_STR(jstr(o, "reason"), "Not paid by any allowance: 3.50 (Lanyard)");
	json_decref(a);
	fixture_db_drop(db);
}

int main(void)
{
	LV_RUN(test_counts_and_queue);
	LV_RUN(test_get_actions);
	LV_RUN(test_pick_list);
	LV_RUN(test_pick_list_empty_and_bounded);
	LV_RUN(test_mark_picking);
	LV_RUN(test_shipment_check);
	LV_RUN(test_approval_reasons);
	return lv_test_done();
}
