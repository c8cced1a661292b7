/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_order_flow.c - what happens to orders after the real checkout, on a
 * migrated database (Europe/Paris): every legal and illegal fulfilment
 * transition (shipped needs carrier and tracking), cancellation rules for
 * employees and admins, partial returns whose refunds sum exactly to the
 * debit (1000 paid over 3 units), a refund into a closed period landing in
 * the current one, stock and listings given back, approval and refusal
 * (refusal releases everything, nobody decides their own order), the
 * approval queue for the approver role and for the manager, order_get's
 * lines, payments and history, order_list, and the audit entries naming
 * who did each thing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "allowance.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"
#include "order.h"

/* SHIRT: 4.00 so that 3 of them (12.00) against a 10.00 allowance leave
 * 1000 paid over 3 units; BLZ for approval overages; LAN uncovered. */
static const char catalog_csv[] =
	"category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image\n"
	"uniforms,Uniforms,shirt,Oxford shirt,Cotton shirt,uniform,0,SHIRT,M,White,Regular,4.00,20,\n"
	"uniforms,Uniforms,blazer,Navy blazer,Wool blazer,uniform,0,BLZ,M,Navy,Regular,129.00,10,\n"
	"accessories,Accessories,lanyard,Lanyard,Lanyard,,0,LAN,,Navy,,3.50,100,\n";

#define T0 fixture_lt(2026, 11, 20, 10, 0, 0)

/* A fresh migrated database with the catalog above. */
static struct lv_db *fresh_db(void)
{
	return fixture_db_new("oflow", 5000, catalog_csv);
}

/* A new active employee at site Lyon; manager may be NULL. Returns its id. */
static int64_t employee_add(struct lv_db *db, const char *hr_id, const char *manager)
{
	struct fixture_employee e = {
		.hr_id = hr_id, .site = "Lyon", .department = "Branch", .manager = manager,
		.hire_date = "2020-01-15",
	};
	char name[80];

	lv_snprintf(name, sizeof(name), "Name %s", hr_id);
	e.name = name;
	return fixture_employee_add(db, &e);
}

/* Programmes start before every test time. */
static int64_t programme_add(struct lv_db *db, const char *json)
{
	return fixture_programme_add(db, json, fixture_lt(2026, 1, 1, 0, 0, 0));
}

/* The monthly 10.00 uniform allowance; overage "payroll" or "approval". */
static int64_t uniform_add(struct lv_db *db, const char *overage)
{
	char def[512];

	snprintf(def, sizeof(def), "{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\","
		 "\"amount\":1000,\"period\":\"monthly\",\"categories\":[\"uniforms\"],"
		 "\"overage\":\"%s\",\"position\":1}", overage);
	return programme_add(db, def);
}

static int64_t stock(struct lv_db *db, const char *sku)
{
	return fixture_q_int(db, "SELECT stock FROM variants WHERE sku = ?1", sku);
}

static int64_t balance(struct lv_db *db, int64_t emp, int64_t prog, int64_t at)
{
	int64_t b = -1;

	CHECK_INT(allowance_balance_get(db, emp, prog, at, &b), LV_OK);
	return b;
}

/* The ledger's refunds of ref (all programmes). */
static int64_t refunds(struct lv_db *db, const char *ref)
{
	return fixture_q_int(db, "SELECT coalesce(sum(amount), 0) FROM allowance_ledger WHERE "
			     "kind = 'refund' AND order_ref = ?1", ref);
}

/*
 * Places an order through the real checkout: n lines of skus[i] x qty[i].
 * OUT: ref (33 bytes). Returns the HTTP status the checkout answered.
 */
static int place(struct lv_db *db, int64_t emp, const char *const *skus, const int64_t *qty,
		 size_t n, const char *uncovered, int consent, int64_t at, char *ref)
{
	struct fixture_order o = {
		.employee = emp, .skus = skus, .qty = qty, .n = n, .uncovered = uncovered,
		.consent = consent, .at = at,
	};

	return fixture_order_place(db, &o, ref);
}

static int place1(struct lv_db *db, int64_t emp, const char *sku, int64_t qty, int64_t at,
		  char *ref)
{
	return place(db, emp, &sku, &qty, 1, "deny", 1, at, ref);
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

static const struct audit_actor admin = { 0, "dave", "127.0.0.1" };

static int advance(struct lv_db *db, const char *ref, const char *to)
{
	char msg[256] = "";

	return order_advance(db, ref, to, strcmp(to, "shipped") == 0 ? "DHL" : NULL,
			     strcmp(to, "shipped") == 0 ? "JD0001" : NULL, &admin, T0, msg,
			     sizeof(msg));
}

static void test_transitions(void)
{
	struct lv_db *db = fresh_db();
	int64_t alice = employee_add(db, "E1", NULL);
	char ref[33], ref2[33], st[32], msg[256];
	json_t *o = NULL, *h;

	uniform_add(db, "payroll");
	CHECK_INT(place1(db, alice, "SHIRT", 1, T0, ref), 201);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "placed");

	/* illegal from placed: skipping steps, going back, closing states */
	CHECK_INT(advance(db, ref, "shipped"), LV_ECONFLICT);
	CHECK_INT(advance(db, ref, "delivered"), LV_ECONFLICT);
	CHECK_INT(advance(db, ref, "placed"), LV_ECONFLICT);
	CHECK_INT(advance(db, ref, "pending_approval"), LV_ECONFLICT);
	CHECK_INT(advance(db, ref, "cancelled"), LV_ECONFLICT);
	CHECK_INT(advance(db, ref, "refused"), LV_ECONFLICT);
	msg[0] = '\0';
	CHECK_INT(order_advance(db, ref, "lost", NULL, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK(msg[0] != '\0');
	CHECK_INT(order_advance(db, ref, NULL, NULL, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(advance(db, "LV-999999", "picking"), LV_ENOTFOUND);
	CHECK_INT(order_decide(db, ref, 1, NULL, &admin, T0, msg, sizeof(msg)), LV_ECONFLICT);

	/* placed -> picking */
	CHECK_INT(advance(db, ref, "picking"), LV_OK);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "picking");
	CHECK_INT(advance(db, ref, "picking"), LV_ECONFLICT);
	CHECK_INT(advance(db, ref, "delivered"), LV_ECONFLICT);
	/* shipped needs both carrier and tracking */
	CHECK_INT(order_advance(db, ref, "shipped", NULL, "X1", &admin, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(order_advance(db, ref, "shipped", "DHL", "", &admin, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(order_advance(db, ref, "shipped", "DHL", "  ", &admin, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(order_advance(db, ref, "shipped", "DHL", "a\nb", &admin, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "picking");
	CHECK_INT(advance(db, ref, "shipped"), LV_OK);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM orders WHERE ref = ?1 AND carrier = 'DHL'"
				" AND tracking = 'JD0001'", ref), 1);
	CHECK_INT(advance(db, ref, "picking"), LV_ECONFLICT);
	CHECK_INT(advance(db, ref, "shipped"), LV_ECONFLICT);
	CHECK_INT(advance(db, ref, "delivered"), LV_OK);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "delivered");
	CHECK_INT(advance(db, ref, "delivered"), LV_ECONFLICT);
	CHECK_INT(advance(db, ref, "picking"), LV_ECONFLICT);

	/* a closed order goes nowhere */
	CHECK_INT(place1(db, alice, "SHIRT", 1, T0, ref2), 201);
	CHECK_INT(order_release(db, ref2, alice, 0, NULL, 0, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_STR(status_of(db, ref2, st, sizeof(st)), "cancelled");
	CHECK_INT(advance(db, ref2, "picking"), LV_ECONFLICT);

	/* the history, in order, with who did it */
	CHECK_INT(order_get(db, ref, 0, &o), LV_OK);
	h = json_object_get(o, "history");
	CHECK_INT(json_array_size(h), 4);
	CHECK_STR(json_string_value(json_object_get(json_array_get(h, 0), "action")),
		  "order.place");
	CHECK_STR(json_string_value(json_object_get(json_array_get(h, 1), "action")),
		  "order.advance");
	CHECK_STR(json_string_value(json_object_get(json_array_get(h, 1), "from")), "placed");
	CHECK_STR(json_string_value(json_object_get(json_array_get(h, 1), "to")), "picking");
	CHECK_STR(json_string_value(json_object_get(json_array_get(h, 2), "to")), "shipped");
	CHECK_STR(json_string_value(json_object_get(json_array_get(h, 3), "to")), "delivered");
	CHECK_STR(json_string_value(json_object_get(json_array_get(h, 3), "by")), "dave");
	CHECK_STR(json_string_value(json_object_get(o, "carrier")), "DHL");
	CHECK_STR(json_string_value(json_object_get(o, "tracking")), "JD0001");
	CHECK_STR(json_string_value(json_object_get(o, "status")), "delivered");
	CHECK(json_is_null(json_object_get(o, "decision")));
	json_decref(o);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'order.advance' AND "
				"entity = 'order' AND entity_id = ?1 AND actor_label = 'dave' AND "
				"address = '127.0.0.1'", ref), 3);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'order.cancel' AND "
				"entity_id = ?1 AND json_extract(before, '$.status') = 'placed' AND "
				"json_extract(after, '$.status') = 'cancelled'", ref2), 1);
	fixture_db_drop(db);
}

static void test_cancel_rules(void)
{
	struct lv_db *db = fresh_db();
	int64_t alice = employee_add(db, "E1", NULL), bob = employee_add(db, "E2", NULL);
	int64_t uni = uniform_add(db, "payroll");
	struct audit_actor by_alice = { alice, "alice", NULL };
	struct order_line_qty q[2];
	char ref[33], st[32], msg[256];

	CHECK_INT(place1(db, alice, "SHIRT", 2, T0, ref), 201);
	CHECK_INT(balance(db, alice, uni, T0), 200);
	CHECK_INT(stock(db, "SHIRT"), 18);

	/* not theirs: not found, never forbidden */
	CHECK_INT(order_release(db, ref, bob, 0, NULL, 0, NULL, &by_alice, T0, msg, sizeof(msg)),
		  LV_ENOTFOUND);
	CHECK_INT(order_release(db, "LV-424242", 0, 0, NULL, 0, NULL, &admin, T0, msg,
				sizeof(msg)), LV_ENOTFOUND);
	/* the employee may not return, even a placed order */
	CHECK_INT(order_release(db, ref, alice, 1, NULL, 0, "too big", &by_alice, T0, msg,
				sizeof(msg)), LV_ECONFLICT);
	/* a return before shipping is refused: cancel instead */
	CHECK_INT(order_release(db, ref, 0, 1, NULL, 0, "too big", &admin, T0, msg, sizeof(msg)),
		  LV_ECONFLICT);
	CHECK(strstr(msg, "cancel") != NULL);
	/* bad lines and quantities */
	q[0].line_no = 2;
	q[0].quantity = 1;
	CHECK_INT(order_release(db, ref, alice, 0, q, 1, NULL, &by_alice, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	q[0].line_no = 1;
	q[0].quantity = 3;
	CHECK_INT(order_release(db, ref, alice, 0, q, 1, NULL, &by_alice, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	q[0].quantity = 0;
	CHECK_INT(order_release(db, ref, alice, 0, q, 1, NULL, &by_alice, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	q[0].quantity = 1;
	q[1] = q[0];
	CHECK_INT(order_release(db, ref, alice, 0, q, 2, NULL, &by_alice, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	/* nothing changed by the refusals */
	CHECK_INT(stock(db, "SHIRT"), 18);
	CHECK_INT(refunds(db, ref), 0);

	/* the employee cancels one unit of a placed order, then the rest */
	CHECK_INT(order_release(db, ref, alice, 0, q, 1, NULL, &by_alice, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "placed");
	CHECK_INT(stock(db, "SHIRT"), 19);
	CHECK_INT(refunds(db, ref), 400);
	CHECK_INT(order_release(db, ref, alice, 0, NULL, 0, "changed my mind", &by_alice, T0, msg,
				sizeof(msg)), LV_OK);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "cancelled");
	CHECK_INT(stock(db, "SHIRT"), 20);
	CHECK_INT(balance(db, alice, uni, T0), 1000);
	CHECK_INT(fixture_q_int(db, "SELECT cancelled_quantity FROM order_lines l JOIN orders o ON "
				"o.id = l.order_id WHERE o.ref = ?1", ref), 2);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'order.cancel' AND "
				"entity_id = ?1 AND actor_employee IS NOT NULL AND actor_label = 'alice'",
				ref), 2);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'order.cancel' AND "
				"entity_id = ?1 AND json_extract(after, '$.reason') = 'changed my mind'",
				ref), 1);
	/* nothing left */
	CHECK_INT(order_release(db, ref, 0, 0, NULL, 0, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_ECONFLICT);

	/* picking: the employee may not cancel any more, the store may */
	CHECK_INT(place1(db, alice, "SHIRT", 1, T0, ref), 201);
	CHECK_INT(advance(db, ref, "picking"), LV_OK);
	CHECK_INT(order_release(db, ref, alice, 0, NULL, 0, NULL, &by_alice, T0, msg, sizeof(msg)),
		  LV_ECONFLICT);
	CHECK_INT(order_release(db, ref, 0, 0, NULL, 0, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "cancelled");

	/* shipped: cancel refused (return it), return needs a reason */
	CHECK_INT(place1(db, alice, "SHIRT", 1, T0, ref), 201);
	CHECK_INT(advance(db, ref, "picking"), LV_OK);
	CHECK_INT(advance(db, ref, "shipped"), LV_OK);
	CHECK_INT(order_release(db, ref, alice, 0, NULL, 0, NULL, &by_alice, T0, msg, sizeof(msg)),
		  LV_ECONFLICT);
	CHECK_INT(order_release(db, ref, 0, 0, NULL, 0, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_ECONFLICT);
	CHECK(strstr(msg, "return") != NULL);
	CHECK_INT(order_release(db, ref, 0, 1, NULL, 0, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(order_release(db, ref, 0, 1, NULL, 0, " ", &admin, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(order_release(db, ref, 0, 1, NULL, 0, "damaged", &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "returned");
	CHECK_INT(order_release(db, ref, 0, 1, NULL, 0, "again", &admin, T0, msg, sizeof(msg)),
		  LV_ECONFLICT);
	CHECK_INT(balance(db, alice, uni, T0), 1000);
	CHECK_INT(stock(db, "SHIRT"), 20);
	fixture_db_drop(db);
}

static void test_partial_returns_exact(void)
{
	struct lv_db *db = fresh_db();
	int64_t alice = employee_add(db, "E1", NULL);
	int64_t uni = uniform_add(db, "payroll");
	struct order_line_qty q = { 1, 1 };
	char ref[33], st[32], msg[256];
	json_t *o = NULL, *l;

	/* 3 x 4.00 = 12.00: the allowance pays 10.00, payroll 2.00 */
	CHECK_INT(place1(db, alice, "SHIRT", 3, T0, ref), 201);
	CHECK_INT(balance(db, alice, uni, T0), 0);
	CHECK_INT(fixture_q_int(db, "SELECT overage_payroll FROM orders WHERE ref = ?1", ref), 200);
	CHECK_INT(advance(db, ref, "picking"), LV_OK);
	CHECK_INT(advance(db, ref, "shipped"), LV_OK);
	CHECK_INT(advance(db, ref, "delivered"), LV_OK);
	CHECK_INT(stock(db, "SHIRT"), 17);

	/* one unit: floor(1000/3) = 333 */
	CHECK_INT(order_release(db, ref, 0, 1, &q, 1, "too small", &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_INT(refunds(db, ref), 333);
	CHECK_INT(balance(db, alice, uni, T0), 333);
	CHECK_INT(stock(db, "SHIRT"), 18);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "delivered");
	/* another: floor(2000/3) - 333 = 333 */
	CHECK_INT(order_release(db, ref, 0, 1, &q, 1, "too small", &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_INT(refunds(db, ref), 666);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "delivered");
	/* more than is left */
	q.quantity = 2;
	CHECK_INT(order_release(db, ref, 0, 1, &q, 1, "x", &admin, T0, msg, sizeof(msg)),
		  LV_EINVAL);
	/* the rest: 1000 - 666 = 334, exactly what was debited in all */
	CHECK_INT(order_release(db, ref, 0, 1, NULL, 0, "wrong colour", &admin, T0, msg,
				sizeof(msg)), LV_OK);
	CHECK_INT(refunds(db, ref), 1000);
	CHECK_INT(fixture_q_int(db, "SELECT -sum(amount) FROM allowance_ledger WHERE kind = 'debit' AND "
				"order_ref = ?1", ref), 1000);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM allowance_ledger WHERE kind = 'refund' AND "
				"order_ref = ?1", ref), 3);
	CHECK_INT(fixture_q_int(db, "SELECT min(amount) * 1000 + max(amount) FROM allowance_ledger "
				"WHERE kind = 'refund' AND order_ref = ?1", ref), 333 * 1000 + 334);
	CHECK_INT(balance(db, alice, uni, T0), 1000);
	CHECK_INT(stock(db, "SHIRT"), 20);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "returned");

	CHECK_INT(order_get(db, ref, alice, &o), LV_OK);
	l = json_array_get(json_object_get(o, "lines"), 0);
	CHECK_INT(json_integer_value(json_object_get(l, "returned_quantity")), 3);
	CHECK_INT(json_integer_value(json_object_get(l, "cancelled_quantity")), 0);
	CHECK_INT(json_integer_value(json_object_get(l, "covered")), 1000);
	CHECK_STR(json_string_value(json_object_get(l, "overage_rule")), "payroll");
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(l, "payments"),
								    0), "programme")), "uniform");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(l,
		  "payments"), 0), "amount")), 1000);
	CHECK_INT(json_array_size(json_object_get(o, "history")), 7);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(o, "history"),
								    6), "reason")), "wrong colour");
	json_decref(o);
	fixture_db_drop(db);
}

static void test_refund_closed_period(void)
{
	struct lv_db *db = fresh_db();
	int64_t alice = employee_add(db, "E1", NULL);
	int64_t uni = uniform_add(db, "payroll");
	int64_t dec = fixture_lt(2026, 12, 5, 9, 0, 0);
	struct order_line_qty q = { 1, 1 };
	char ref[33], msg[256];

	CHECK_INT(place1(db, alice, "SHIRT", 2, T0, ref), 201);
	CHECK_INT(balance(db, alice, uni, T0), 200);
	/* a partial cancellation while November is current goes to November */
	lv_clock_set(T0);
	CHECK_INT(order_release(db, ref, 0, 0, &q, 1, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_INT(fixture_q_int(db, "SELECT period_key = '2026-11' FROM allowance_ledger WHERE "
				"kind = 'refund' AND order_ref = ?1", ref), 1);
	CHECK_INT(balance(db, alice, uni, T0), 600);
	/* in December, November is closed: the refund lands in December */
	lv_clock_set(dec);
	CHECK_INT(order_release(db, ref, 0, 0, NULL, 0, NULL, &admin, dec, msg, sizeof(msg)),
		  LV_OK);
	lv_clock_set(0);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM allowance_ledger WHERE kind = 'refund' AND "
				"order_ref = ?1 AND period_key = '2026-12' AND amount = 400", ref), 1);
	CHECK_INT(fixture_q_int(db, "SELECT coalesce(sum(amount), 0) FROM allowance_ledger WHERE "
				"order_ref = ?1 AND period_key = '2026-11'", ref), -800 + 400);
	CHECK_INT(balance(db, alice, uni, dec), 1400);
	CHECK_INT(refunds(db, ref), 800);
	fixture_db_drop(db);
}

static void test_approve_refuse(void)
{
	struct lv_db *db = fresh_db();
	int64_t alice = employee_add(db, "E1", "E5"), erin = employee_add(db, "E5", NULL);
	int64_t uni = uniform_add(db, "approval");
	struct audit_actor by_erin = { erin, "erin", NULL };
	struct audit_actor by_alice = { alice, "alice", NULL };
	char ref[33], ref2[33], st[32], msg[256];
	char big[600];
	json_t *o = NULL, *d;

	/* the blazer (129.00) is far over 10.00: waits for approval */
	CHECK_INT(place1(db, alice, "BLZ", 1, T0, ref), 201);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "pending_approval");
	CHECK_INT(balance(db, alice, uni, T0), 0);
	CHECK_INT(stock(db, "BLZ"), 9);
	/* not placed yet: no fulfilment */
	CHECK_INT(advance(db, ref, "picking"), LV_ECONFLICT);

	/* nobody decides their own order */
	CHECK_INT(order_approval_allowed(db, ref, alice, 1), LV_EFORBIDDEN);
	CHECK_INT(order_approval_allowed(db, ref, alice, 0), LV_EFORBIDDEN);
	CHECK_INT(order_decide(db, ref, 1, NULL, &by_alice, T0, msg, sizeof(msg)), LV_EFORBIDDEN);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "pending_approval");
	CHECK_INT(order_approval_allowed(db, ref, erin, 0), LV_OK);
	CHECK_INT(order_approval_allowed(db, "LV-777777", erin, 1), LV_ENOTFOUND);

	/* a refusal needs a reason, of at most 500 bytes */
	msg[0] = '\0';
	CHECK_INT(order_decide(db, ref, 0, NULL, &by_erin, T0, msg, sizeof(msg)), LV_EINVAL);
	CHECK(msg[0] != '\0');
	CHECK_INT(order_decide(db, ref, 0, "  \t", &by_erin, T0, msg, sizeof(msg)), LV_EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(order_decide(db, ref, 0, big, &by_erin, T0, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(order_decide(db, "LV-777777", 0, "no", &by_erin, T0, msg, sizeof(msg)),
		  LV_ENOTFOUND);

	/* refused: everything released, the reason kept and shown */
	CHECK_INT(order_decide(db, ref, 0, "Blazers are for managers", &by_erin, T0, msg,
			       sizeof(msg)), LV_OK);
	CHECK_STR(status_of(db, ref, st, sizeof(st)), "refused");
	CHECK_INT(balance(db, alice, uni, T0), 1000);
	CHECK_INT(refunds(db, ref), 1000);
	CHECK_INT(stock(db, "BLZ"), 10);
	CHECK_INT(fixture_q_int(db, "SELECT cancelled_quantity FROM order_lines l JOIN orders o ON "
				"o.id = l.order_id WHERE o.ref = ?1", ref), 1);
	CHECK_INT(order_get(db, ref, alice, &o), LV_OK);
	d = json_object_get(o, "decision");
	CHECK_STR(json_string_value(json_object_get(d, "reason")), "Blazers are for managers");
	CHECK_STR(json_string_value(json_object_get(d, "by")), "Name E5");
	CHECK_INT(json_integer_value(json_object_get(d, "at")), T0);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(o, "history"),
								    1), "action")), "order.refuse");
	json_decref(o);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'order.refuse' AND "
				"entity_id = ?1 AND actor_label = 'erin' AND actor_employee IS NOT NULL",
				ref), 1);
	/* decided once */
	CHECK_INT(order_decide(db, ref, 1, NULL, &by_erin, T0, msg, sizeof(msg)), LV_ECONFLICT);
	CHECK_INT(order_approval_allowed(db, ref, erin, 1), LV_ENOTFOUND);
	CHECK_INT(order_release(db, ref, 0, 0, NULL, 0, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_ECONFLICT);

	/* approved: placed, with who and when, and the debit stays */
	CHECK_INT(place1(db, alice, "BLZ", 1, T0, ref2), 201);
	CHECK_INT(order_decide(db, ref2, 1, NULL, &by_erin, T0 + 60, msg, sizeof(msg)), LV_OK);
	CHECK_STR(status_of(db, ref2, st, sizeof(st)), "placed");
	CHECK_INT(fixture_q_int(db, "SELECT decided_by FROM orders WHERE ref = ?1", ref2), erin);
	CHECK_INT(fixture_q_int(db, "SELECT decided_at FROM orders WHERE ref = ?1", ref2), T0 + 60);
	CHECK_INT(balance(db, alice, uni, T0), 0);
	CHECK_INT(stock(db, "BLZ"), 9);
	CHECK_INT(advance(db, ref2, "picking"), LV_OK);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'order.approve' AND "
				"entity_id = ?1 AND json_extract(after, '$.status') = 'placed'", ref2), 1);
	fixture_db_drop(db);
}

/* 1 when array a has an object whose "ref" is ref. */
static int has_ref(const json_t *a, const char *ref)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (strcmp(json_string_value(json_object_get(v, "ref")), ref) == 0)
			return 1;
	return 0;
}

static void test_approval_queue(void)
{
	struct lv_db *db = fresh_db();
	int64_t alice = employee_add(db, "E1", "E5"), bob = employee_add(db, "E2", "E4");
	int64_t dave = employee_add(db, "E4", NULL), erin = employee_add(db, "E5", NULL);
	int64_t frank = employee_add(db, "E6", NULL);
	char ra[33], rb[33], re[33];
	json_t *a = NULL, *first;

	uniform_add(db, "approval");
	CHECK_INT(place1(db, alice, "BLZ", 1, T0, ra), 201);
	CHECK_INT(place1(db, bob, "BLZ", 1, T0, rb), 201);
	CHECK_INT(place1(db, erin, "BLZ", 1, T0, re), 201);

	/* the manager sees their report's order, not the others, not their own */
	CHECK_INT(order_approvals_list(db, erin, 0, &a), LV_OK);
	CHECK_INT(json_array_size(a), 1);
	CHECK(has_ref(a, ra));
	first = json_array_get(a, 0);
	CHECK_STR(json_string_value(json_object_get(json_object_get(first, "employee"),
						     "employee_id")), "E1");
	CHECK_STR(json_string_value(json_object_get(json_object_get(first, "employee"),
						     "department")), "Branch");
	/* 129.00 - 10.00 */
	CHECK_STR(json_string_value(json_object_get(first, "reason")),
		  "Over the allowance by 119.00 (Uniform)");
	CHECK_INT(json_integer_value(json_object_get(first, "items")), 1);
	json_decref(a);
	CHECK_INT(order_approval_allowed(db, ra, erin, 0), LV_OK);
	CHECK_INT(order_approval_allowed(db, rb, erin, 0), LV_EFORBIDDEN);
	CHECK_INT(order_approval_allowed(db, re, erin, 0), LV_EFORBIDDEN);

	CHECK_INT(order_approvals_list(db, dave, 0, &a), LV_OK);
	CHECK_INT(json_array_size(a), 1);
	CHECK(has_ref(a, rb));
	json_decref(a);

	/* neither manager nor approver: nothing */
	CHECK_INT(order_approvals_list(db, frank, 0, &a), LV_OK);
	CHECK_INT(json_array_size(a), 0);
	json_decref(a);
	CHECK_INT(order_approval_allowed(db, ra, frank, 0), LV_EFORBIDDEN);

	/* the approver role sees every waiting order but their own */
	CHECK_INT(order_approvals_list(db, frank, 1, &a), LV_OK);
	CHECK_INT(json_array_size(a), 3);
	json_decref(a);
	CHECK_INT(order_approvals_list(db, alice, 1, &a), LV_OK);
	CHECK_INT(json_array_size(a), 2);
	CHECK(!has_ref(a, ra));
	json_decref(a);
	CHECK_INT(order_approval_allowed(db, ra, frank, 1), LV_OK);

	/* decided orders leave the queue */
	{
		struct audit_actor by = { frank, "frank", NULL };
		char msg[128];

		CHECK_INT(order_decide(db, rb, 1, "ok", &by, T0, msg, sizeof(msg)), LV_OK);
	}
	CHECK_INT(order_approvals_list(db, dave, 0, &a), LV_OK);
	CHECK_INT(json_array_size(a), 0);
	json_decref(a);
	fixture_db_drop(db);
}

static void test_get_and_list(void)
{
	struct lv_db *db = fresh_db();
	int64_t alice = employee_add(db, "E1", NULL), bob = employee_add(db, "E2", NULL);
	const char *skus[2] = { "SHIRT", "LAN" };
	const int64_t qty[2] = { 2, 3 };
	char r1[33], r2[33], r3[33], msg[128];
	json_t *o = NULL, *a = NULL, *l;

	uniform_add(db, "payroll");
	CHECK_INT(place(db, alice, skus, qty, 2, "payroll", 1, T0, r1), 201);
	CHECK_INT(place1(db, bob, "SHIRT", 1, T0 + 1, r2), 201);
	CHECK_INT(place1(db, alice, "SHIRT", 1, T0 + 2, r3), 201);

	CHECK_INT(order_get(db, r1, bob, &o), LV_ENOTFOUND);
	CHECK(o == NULL);
	CHECK_INT(order_get(db, "nope", 0, &o), LV_ENOTFOUND);
	CHECK_INT(order_get(db, r1, alice, &o), LV_OK);
	CHECK_STR(json_string_value(json_object_get(o, "ref")), r1);
	CHECK_STR(json_string_value(json_object_get(o, "currency")), "EUR");
	CHECK_INT(json_integer_value(json_object_get(o, "total")), 800 + 1050);
	CHECK_INT(json_integer_value(json_object_get(o, "covered")), 800);
	CHECK_INT(json_integer_value(json_object_get(o, "overage_payroll")), 1050);
	CHECK(json_is_true(json_object_get(o, "payroll_consent")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "ship_to"), "site")),
		  "Lyon");
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "employee"),
						     "employee_id")), "E1");
	l = json_object_get(o, "lines");
	CHECK_INT(json_array_size(l), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(l, 1), "sku")), "LAN");
	CHECK_STR(json_string_value(json_object_get(json_array_get(l, 1), "product")), "Lanyard");
	CHECK_INT(json_array_size(json_object_get(json_array_get(l, 0), "payments")), 1);
	CHECK_INT(json_array_size(json_object_get(json_array_get(l, 1), "payments")), 0);
	json_decref(o);

	CHECK_INT(order_list(db, alice, NULL, 0, 50, &a), LV_OK);
	CHECK_INT(json_array_size(a), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "ref")), r3);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(a, 1), "lines")), 2);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(a, 1), "items")), 5);
	json_decref(a);
	CHECK_INT(order_list(db, 0, NULL, 0, 50, &a), LV_OK);
	CHECK_INT(json_array_size(a), 3);
	json_decref(a);
	CHECK_INT(order_list(db, 0, NULL, 0, 2, &a), LV_OK);
	CHECK_INT(json_array_size(a), 2);
	{
		int64_t last = json_integer_value(json_object_get(json_array_get(a, 1), "id"));

		json_decref(a);
		CHECK_INT(order_list(db, 0, NULL, last, 2, &a), LV_OK);
		CHECK_INT(json_array_size(a), 1);
		CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "ref")), r1);
		json_decref(a);
	}
	CHECK_INT(order_release(db, r3, alice, 0, NULL, 0, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_INT(order_list(db, alice, "cancelled", 0, 50, &a), LV_OK);
	CHECK_INT(json_array_size(a), 1);
	CHECK(has_ref(a, r3));
	json_decref(a);
	CHECK_INT(order_list(db, 0, "placed", 0, 50, &a), LV_OK);
	CHECK_INT(json_array_size(a), 2);
	CHECK(!has_ref(a, r3));
	json_decref(a);
	CHECK_INT(order_list(db, 0, "bogus", 0, 50, &a), LV_EINVAL);
	CHECK_INT(order_list(db, 0, NULL, 0, 0, &a), LV_EINVAL);
	CHECK_INT(order_list(db, 0, NULL, 0, 501, &a), LV_EINVAL);
	CHECK(a == NULL);
	fixture_db_drop(db);
}

int main(void)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	LV_RUN(test_transitions);
	LV_RUN(test_cancel_rules);
	LV_RUN(test_partial_returns_exact);
	LV_RUN(test_refund_closed_period);
	LV_RUN(test_approve_refuse);
	LV_RUN(test_approval_queue);
	LV_RUN(test_get_and_list);
	return lv_test_done();
}
