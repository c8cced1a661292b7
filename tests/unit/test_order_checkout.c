/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_order_checkout.c - the quote and the checkout on a real, migrated
 * database (Europe/Paris): the split between programmes (categories, tags,
 * points rounding, programme order), overage rules (deny, approval,
 * payroll with and without consent, uncovered lines), every refusal and
 * that a refusal stores nothing, idempotency (replay, other content,
 * in flight while another request runs), the cart's digest, a failure in
 * the middle of the writes leaving nothing behind, and a checkout at
 * 23:59:59 on the last day of a period and at 00:00:00 on the next.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "allowance.h"
#include "cart.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"
#include "order.h"

static const char catalog_csv[] =
	"category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image\n"
	"uniforms,Uniforms,blazer,Navy blazer,Wool blazer,uniform,0,BLZ-M,M,Navy,Regular,129.00,10,\n"
	"uniforms,Uniforms,shirt,Oxford shirt,Cotton shirt,uniform,0,SHT-M,M,White,Regular,30.00,1000,\n"
	"logo-wear,Logo wear,polo,Logo polo,Polo with logo,logo|casual,0,POLO-M,M,Green,Regular,24.99,5,\n"
	"logo-wear,Logo wear,cap,Logo cap,Cap,logo,0,CAP-1,,Navy,,10.00,0,\n"
	"accessories,Accessories,lanyard,Lanyard,Lanyard,,0,LAN-1,,Navy,,3.50,100,\n"
	"accessories,Accessories,secret,Secret badge,Restricted,,1,SEC-1,,Black,,5.00,100,\n";

/* A fresh migrated database with the catalog above. */
static struct lv_db *fresh_db(void)
{
	return fixture_db_new("order", 5000, catalog_csv);
}

static int64_t employee_add(struct lv_db *db, const char *hr_id, const char *site,
			    const char *status)
{
	struct fixture_employee e = {
		.hr_id = hr_id, .site = site, .status = status, .hire_date = "2020-01-15",
	};

	return fixture_employee_add(db, &e);
}

/* Programmes start before every test time. */
static int64_t programme_add(struct lv_db *db, const char *json)
{
	return fixture_programme_add(db, json, fixture_lt(2026, 1, 1, 0, 0, 0));
}

static int64_t balance(struct lv_db *db, int64_t emp, int64_t prog, int64_t at)
{
	int64_t b = -1;

	CHECK_INT(allowance_balance_get(db, emp, prog, at, &b), LV_OK);
	return b;
}

/* A checkout request for lines, with a key; the fingerprint from the key
 * and the lines so that a different test content gives another one. */
struct co {
	struct order_checkout_req req;
	struct order_line_req lines[8];
	char fp[65];
};

static void co_init(struct co *c, int64_t emp, const char *key, int64_t at)
{
	memset(c, 0, sizeof(*c));
	c->req.employee = emp;
	c->req.lines = c->lines;
	c->req.delivery = "site";
	c->req.idem_key = key;
	c->req.fingerprint = c->fp;
	c->req.uncovered_overage = "deny";
	c->req.currency = "EUR";
	c->req.actor.employee = emp;
	c->req.actor.label = "test";
	c->req.at = at;
}

static void co_line(struct co *c, const char *sku, int64_t qty)
{
	struct order_line_req *l = &c->lines[c->req.nlines++];

	lv_strlcpy(l->sku, sku, sizeof(l->sku));
	l->quantity = qty;
	l->expect_price = -1;
}

/* Fingerprints what the request says, as the API does. */
static void co_fingerprint(struct co *c)
{
	json_t *content = json_pack("{s:s,s:b,s:s}", "delivery", c->req.delivery,
				    "consent", c->req.payroll_consent, "lines", "");
	size_t i;
	char buf[128];

	for (i = 0; i < c->req.nlines; i++) {
		snprintf(buf, sizeof(buf), "%s%s*%lld", json_string_value(json_object_get(content,
			 "lines")), c->lines[i].sku, (long long)c->lines[i].quantity);
		json_object_set_new(content, "lines", json_string(buf));
	}
	CHECK_INT(order_fingerprint(content, c->fp), LV_OK);
	json_decref(content);
}

static int co_run(struct lv_db *db, struct co *c, struct order_result *res)
{
	co_fingerprint(c);
	return order_checkout(db, &c->req, res);
}

#define T0 fixture_lt(2026, 11, 20, 10, 0, 0)

static void test_split_and_place(void)
{
	struct lv_db *db = fresh_db();
	int64_t alice = employee_add(db, "E1", "Lyon", "active");
	int64_t uni = programme_add(db, "{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\","
				   "\"amount\":15000,\"period\":\"yearly\",\"categories\":[\"uniforms\"],"
				   "\"overage\":\"approval\",\"position\":1}");
	int64_t cas = programme_add(db, "{\"slug\":\"casual\",\"name\":\"Casual\",\"unit\":\"points\","
				   "\"amount\":50,\"points_rate\":100,\"period\":\"quarterly\","
				   "\"tags\":[\"logo\"],\"overage\":\"payroll\",\"position\":2}");
	struct order_result res;
	json_t *q = NULL, *o = NULL;
	struct co c;

	/* 1 blazer 129.00 + 1 shirt 30.00 = 159.00 in uniforms: the uniform
	 * programme pays 150.00 (blazer fully, shirt 21.00); 2 polos at 24.99
	 * = 49.98: 50 points pay ceil(49.98) = 50 points, covering 49.98 */
	co_init(&c, alice, "k-1", T0);
	co_line(&c, "BLZ-M", 1);
	co_line(&c, "SHT-M", 1);
	co_line(&c, "POLO-M", 2);
	CHECK_INT(order_quote(db, alice, c.lines, c.req.nlines, "deny", "EUR", NULL, NULL, T0, &q), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(q, "total")), 12900 + 3000 + 4998);
	CHECK_INT(json_integer_value(json_object_get(q, "covered")), 15000 + 4998);
	CHECK_INT(json_integer_value(json_object_get(q, "overage_approval")), 900);
	CHECK_INT(json_integer_value(json_object_get(q, "overage_payroll")), 0);
	CHECK(json_is_true(json_object_get(q, "needs_approval")));
	CHECK(json_is_true(json_object_get(q, "can_checkout")));
	{
		json_t *l1 = json_array_get(json_object_get(q, "lines"), 1);
		json_t *l2 = json_array_get(json_object_get(q, "lines"), 2);
		json_t *p2 = json_array_get(json_object_get(l2, "payments"), 0);
		json_t *b1 = json_array_get(json_object_get(q, "balances"), 1);

		CHECK_INT(json_integer_value(json_object_get(l1, "covered")), 2100);
		CHECK_STR(json_string_value(json_object_get(l1, "overage_rule")), "approval");
		CHECK_INT(json_integer_value(json_object_get(p2, "amount")), 50);
		CHECK_INT(json_integer_value(json_object_get(p2, "value")), 4998);
		CHECK_INT(json_integer_value(json_object_get(b1, "before")), 50);
		CHECK_INT(json_integer_value(json_object_get(b1, "after")), 0);
	}
	json_decref(q);

	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 201);
	CHECK_STR(res.ref, "LV-000001");
	CHECK(res.body != NULL && strstr(res.body, "\"pending_approval\"") != NULL);
	order_result_cleanup(&res);
	CHECK_INT(balance(db, alice, uni, T0), 0);
	CHECK_INT(balance(db, alice, cas, T0), 0);
	CHECK_INT(fixture_q_int(db, "SELECT stock FROM variants WHERE sku = ?1", "BLZ-M"), 9);
	CHECK_INT(fixture_q_int(db, "SELECT stock FROM variants WHERE sku = ?1", "POLO-M"), 3);
	/* the ledger's debits equal what the lines' payments say */
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM (SELECT p.programme, sum(p.amount) s FROM"
				" order_payments p GROUP BY p.programme) x JOIN allowance_ledger l ON"
				" l.programme = x.programme AND l.kind = 'debit' AND -l.amount = x.s", NULL), 2);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'order.place'"
				" AND entity_id = 'LV-000001'", NULL), 1);
	CHECK_INT(order_get(db, "LV-000001", alice, &o), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(o, "overage_approval")), 900);
	json_decref(o);
	fixture_db_drop(db);
}

static void test_idempotency(void)
{
	struct lv_db *db = fresh_db();
	int64_t bob = employee_add(db, "E2", "Rotterdam", "active");
	int64_t prog = programme_add(db, "{\"slug\":\"all\",\"name\":\"All\",\"unit\":\"money\","
				    "\"amount\":10000,\"period\":\"once\"}");
	struct order_result r1, r2;
	char *first;
	struct co c;
	int i;

	co_init(&c, bob, "same-key", T0);
	co_line(&c, "SHT-M", 1);
	CHECK_INT(co_run(db, &c, &r1), LV_OK);
	CHECK_INT(r1.status, 201);
	CHECK_INT(r1.replayed, 0);
	first = lv_strdup(r1.body);
	for (i = 0; i < 3; i++) {
		CHECK_INT(co_run(db, &c, &r2), LV_OK);
		CHECK_INT(r2.status, 201);
		CHECK_INT(r2.replayed, 1);
		CHECK_STR(r2.ref, r1.ref);
		CHECK_STR(r2.body, first);
		order_result_cleanup(&r2);
	}
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM orders", NULL), 1);
	CHECK_INT(balance(db, bob, prog, T0), 7000);

	/* same key, other content: 422, nothing changes */
	co_line(&c, "LAN-1", 1);
	CHECK_INT(co_run(db, &c, &r2), LV_OK);
	CHECK_INT(r2.status, 422);
	CHECK_STR(r2.problem.code, "idempotency_key_reused");
	CHECK(r2.body == NULL);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM orders", NULL), 1);

	/* a bad key is refused before anything */
	co_init(&c, bob, "has space", T0);
	co_line(&c, "SHT-M", 1);
	CHECK_INT(co_run(db, &c, &r2), LV_OK);
	CHECK_INT(r2.status, 400);
	CHECK_STR(r2.problem.code, "idempotency_key_invalid");
	CHECK_INT(order_idem_key_valid(""), LV_EINVAL);
	CHECK_INT(order_idem_key_valid("a\"b"), LV_EINVAL);
	CHECK_INT(order_idem_key_valid("8e0c1a5e-5d3c-4bc9-9d0e-0f1d2c3b4a59"), LV_OK);

	/* the form stores its redirect and replays it */
	co_init(&c, bob, "form-key", T0);
	c.req.form = 1;
	co_line(&c, "LAN-1", 2);
	CHECK_INT(co_run(db, &c, &r2), LV_OK);
	CHECK_INT(r2.status, 303);
	CHECK_STR(r2.body, "/orders/LV-000002");
	order_result_cleanup(&r2);
	CHECK_INT(co_run(db, &c, &r2), LV_OK);
	CHECK_INT(r2.status, 303);
	CHECK_INT(r2.replayed, 1);
	CHECK_STR(r2.body, "/orders/LV-000002");
	order_result_cleanup(&r2);
	order_result_cleanup(&r1);
	lv_free(first);
	fixture_db_drop(db);
}

/* Refusals store nothing; a corrected retry with the same key succeeds. */
static void test_refusals(void)
{
	struct lv_db *db = fresh_db();
	int64_t e = employee_add(db, "E3", "Lyon", "active");
	int64_t gone = employee_add(db, "E4", "Lyon", "on_leave");
	int64_t prog = programme_add(db, "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\","
				    "\"amount\":5000,\"period\":\"once\",\"overage\":\"deny\","
				    "\"categories\":[\"uniforms\"]}");
	struct allowance_actor hr = { 0, "cli" };
	struct order_result res;
	struct co c;
	json_t *addr;

	(void)prog;
	co_init(&c, e, "k", T0);
	co_line(&c, "BLZ-M", 1); /* 129.00 > 50.00, overage deny */
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 422);
	CHECK_STR(res.problem.code, "overage_denied");
	CHECK(strstr(res.problem.message, "79.00") != NULL);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM idempotency_keys", NULL), 0);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM orders", NULL), 0);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM allowance_ledger WHERE kind = 'debit'",
				NULL), 0);
	CHECK_INT(fixture_q_int(db, "SELECT stock FROM variants WHERE sku = ?1", "BLZ-M"), 10);
	/* HR tops up; the same key now succeeds */
	CHECK_INT(allowance_adjust(db, e, prog, 7900, "top-up", &hr, T0), LV_OK);
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 201);
	CHECK_INT(res.replayed, 0);
	order_result_cleanup(&res);
	CHECK_INT(balance(db, e, prog, T0), 0);

	co_init(&c, e, "k2", T0);
	co_line(&c, "CAP-1", 1);
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 409);
	CHECK_STR(res.problem.code, "out_of_stock");
	CHECK_STR(res.problem.sku, "CAP-1");

	co_init(&c, e, "k3", T0);
	co_line(&c, "NOPE", 1);
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 422);
	CHECK_STR(res.problem.code, "unknown_sku");

	/* a restricted product looks exactly like an unknown one */
	co_init(&c, e, "k4", T0);
	co_line(&c, "SEC-1", 1);
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_STR(res.problem.code, "unknown_sku");

	co_init(&c, e, "k5", T0);
	co_line(&c, "LAN-1", 1);
	c.lines[0].expect_price = 300;
	c.req.uncovered_overage = "payroll";
	c.req.payroll_consent = 1;
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 409);
	CHECK_STR(res.problem.code, "price_changed");
	CHECK(strstr(res.problem.message, "3.00") && strstr(res.problem.message, "3.50"));

	co_init(&c, e, "k6", T0);
	co_line(&c, "LAN-1", 100);
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 400);
	CHECK_STR(res.problem.code, "bad_quantity");

	co_init(&c, e, "k7", T0);
	co_line(&c, "LAN-1", 1);
	co_line(&c, "LAN-1", 1);
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_STR(res.problem.code, "duplicate_sku");

	co_init(&c, gone, "k8", T0);
	co_line(&c, "LAN-1", 1);
	c.req.uncovered_overage = "payroll";
	c.req.payroll_consent = 1;
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 403);
	CHECK_STR(res.problem.code, "not_active");

	/* payroll without consent, then with it */
	co_init(&c, e, "k9", T0);
	co_line(&c, "LAN-1", 2);
	c.req.uncovered_overage = "payroll";
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 422);
	CHECK_STR(res.problem.code, "payroll_consent_required");
	c.req.payroll_consent = 1;
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 201);
	order_result_cleanup(&res);
	CHECK_INT(fixture_q_int(db, "SELECT overage_payroll FROM orders WHERE payroll_consent = 1", NULL),
		  700);

	/* home delivery needs a whole address */
	co_init(&c, e, "k10", T0);
	co_line(&c, "LAN-1", 1);
	c.req.uncovered_overage = "payroll";
	c.req.payroll_consent = 1;
	c.req.delivery = "home";
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_STR(res.problem.code, "bad_address");
	addr = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "E3", "line1", "1 rue Neuve",
			 "postcode", "69001", "city", "Lyon", "country", "fr");
	c.req.address = addr;
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_STR(res.problem.code, "bad_address");
	json_object_set_new(addr, "country", json_string("FR"));
	json_object_set_new(addr, "evil", json_string("x"));
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_STR(res.problem.code, "bad_address");
	json_object_del(addr, "evil");
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 201);
	order_result_cleanup(&res);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM orders WHERE delivery = 'home' AND"
				" json_extract(ship_to, '$.city') = 'Lyon'", NULL), 1);
	c.req.delivery = "moon";
	CHECK_INT(co_run(db, &c, &res), LV_OK); /* same key, other content */
	CHECK_INT(res.status, 422);
	json_decref(addr);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM orders", NULL), 3);
	fixture_db_drop(db);
}

/* 100.00 and checkouts of 30.00: three pass, the fourth is refused. */
static void test_exact_balance(void)
{
	struct lv_db *db = fresh_db();
	int64_t e = employee_add(db, "E5", "Lyon", "active");
	int64_t prog = programme_add(db, "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\","
				    "\"amount\":10000,\"period\":\"yearly\"}");
	struct order_result res;
	char key[16];
	struct co c;
	int i, ok = 0, refused = 0;

	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		co_init(&c, e, key, T0);
		co_line(&c, "SHT-M", 1);
		CHECK_INT(co_run(db, &c, &res), LV_OK);
		if (res.status == 201)
			ok++;
		else if (res.status == 422 && strcmp(res.problem.code, "overage_denied") == 0)
			refused++;
		order_result_cleanup(&res);
	}
	CHECK_INT(ok, 3);
	CHECK_INT(refused, 2);
	CHECK_INT(balance(db, e, prog, T0), 1000);
	fixture_db_drop(db);
}

/* The cart as the source, with the digest the employee reviewed. */
static void test_cart_checkout(void)
{
	struct lv_db *db = fresh_db();
	int64_t e = employee_add(db, "E6", "Lyon", "active");
	struct order_result res;
	char msg[256], digest[65];
	struct co c;
	json_t *q = NULL;

	programme_add(db, "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\","
		      "\"amount\":100000,\"period\":\"yearly\"}");
	co_init(&c, e, "cart-1", T0);
	c.req.lines = NULL;
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 400);
	CHECK_STR(res.problem.code, "cart_empty");
	CHECK_INT(cart_add(db, e, "SHT-M", 2, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, e, "LAN-1", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(order_quote(db, e, NULL, 0, "deny", "EUR", NULL, NULL, T0, &q), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(q, "total")), 6350);
	lv_strlcpy(digest, json_string_value(json_object_get(q, "cart_digest")), sizeof(digest));
	CHECK_INT((int)strlen(digest), 64);
	json_decref(q);
	/* the cart changes after the review: refused, nothing stored */
	CHECK_INT(cart_set(db, e, "LAN-1", 3, msg, sizeof(msg)), LV_OK);
	c.req.cart_digest = digest;
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 409);
	CHECK_STR(res.problem.code, "cart_changed");
	CHECK_INT(cart_set(db, e, "LAN-1", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 201);
	order_result_cleanup(&res);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM cart_lines", NULL), 0);
	CHECK_INT(fixture_q_int(db, "SELECT sum(quantity) FROM order_lines", NULL), 3);
	fixture_db_drop(db);
}

/* A failure in the last write rolls everything back. */
static void test_failure_leaves_nothing(void)
{
	struct lv_db *db = fresh_db();
	int64_t e = employee_add(db, "E7", "Lyon", "active");
	int64_t prog = programme_add(db, "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\","
				    "\"amount\":10000,\"period\":\"yearly\"}");
	struct order_result res;
	struct co c;

	CHECK_INT(lv_db_exec(db, "CREATE TEMP TRIGGER fail_key BEFORE INSERT ON idempotency_keys"
			     " WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END"),
		  LV_OK);
	co_init(&c, e, "boom", T0);
	co_line(&c, "SHT-M", 2);
	CHECK_INT(co_run(db, &c, &res), LV_EINTERNAL);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM orders", NULL), 0);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM order_lines", NULL), 0);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM allowance_ledger WHERE kind = 'debit'",
				NULL), 0);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'order.place'",
				NULL), 0);
	CHECK_INT(fixture_q_int(db, "SELECT stock FROM variants WHERE sku = ?1", "SHT-M"), 1000);
	CHECK_INT(balance(db, e, prog, T0), 10000);
	fixture_db_drop(db);
}

/* 23:59:59 on 31 December debits that year; 00:00:00 the next. */
static void test_period_boundary(void)
{
	struct lv_db *db = fresh_db();
	int64_t e = employee_add(db, "E8", "Lyon", "active");
	int64_t prog = programme_add(db, "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\","
				    "\"amount\":5000,\"period\":\"yearly\"}");
	int64_t last = fixture_lt(2026, 12, 31, 23, 59, 59), first = fixture_lt(2027, 1, 1, 0, 0, 0);
	struct order_result res;
	struct co c;

	co_init(&c, e, "y1", last);
	co_line(&c, "SHT-M", 1);
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 201);
	order_result_cleanup(&res);
	CHECK_INT(fixture_q_int(db, "SELECT period_key FROM allowance_ledger WHERE kind = 'debit'"
				" AND order_ref = 'LV-000001'", NULL), 2026);
	CHECK_INT(balance(db, e, prog, last), 2000);
	/* the next second: a new year, a fresh 50.00 (the 20.00 expire) */
	co_init(&c, e, "y2", first);
	co_line(&c, "SHT-M", 1);
	CHECK_INT(co_run(db, &c, &res), LV_OK);
	CHECK_INT(res.status, 201);
	order_result_cleanup(&res);
	CHECK_INT(fixture_q_int(db, "SELECT period_key FROM allowance_ledger WHERE kind = 'debit'"
				" AND order_ref = 'LV-000002'", NULL), 2027);
	CHECK_INT(balance(db, e, prog, first), 2000);
	CHECK_INT(fixture_q_int(db, "SELECT sum(amount) FROM allowance_ledger WHERE period_key = '2026'",
				NULL), 0);
	fixture_db_drop(db);
}

/* ---- in flight: a second request with the key while the first runs ---- */

struct racer {
	struct co c;
	struct order_result res;
	int rc;
};

static void *racer_run(void *arg)
{
	struct racer *r = arg;
	struct lv_db *db = NULL;
	char msg[128];

	if (lv_db_open(fixture_db_path(), 0, 10000, &db, msg, sizeof(msg)) != LV_OK) {
		r->rc = -1;
		return NULL;
	}
	r->rc = order_checkout(db, &r->c.req, &r->res);
	lv_db_close(db);
	return NULL;
}

static void test_in_flight(void)
{
	struct lv_db *db = fresh_db(), *blocker = NULL;
	int64_t e = employee_add(db, "E9", "Lyon", "active");
	struct order_result res;
	struct racer r;
	pthread_t t;
	char msg[128];
	int i;

	programme_add(db, "{\"slug\":\"u\",\"name\":\"U\",\"unit\":\"money\","
		      "\"amount\":10000,\"period\":\"yearly\"}");
	CHECK_INT(lv_db_open(fixture_db_path(), 0, 1000, &blocker, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lv_db_begin(blocker), LV_OK); /* holds the write lock */
	memset(&r, 0, sizeof(r));
	co_init(&r.c, e, "slow", T0);
	co_line(&r.c, "SHT-M", 1);
	co_fingerprint(&r.c);
	r.c.req.fingerprint = r.c.fp;
	CHECK_INT(pthread_create(&t, NULL, racer_run, &r), 0);
	/* the racer has claimed its key and waits for the lock: the same key
	 * from another request is refused with 409 (the API's behaviour) */
	usleep(200000);
	for (i = 0; i < 100; i++) {
		struct co c2;

		co_init(&c2, e, "slow", T0);
		co_line(&c2, "SHT-M", 1);
		CHECK_INT(co_run(db, &c2, &res), LV_OK);
		if (res.status == 409)
			break;
	}
	CHECK_INT(res.status, 409);
	CHECK_STR(res.problem.code, "idempotency_key_in_use");
	lv_db_rollback(blocker);
	CHECK_INT(pthread_join(t, NULL), 0);
	CHECK_INT(r.rc, LV_OK);
	CHECK_INT(r.res.status, 201);
	order_result_cleanup(&r.res);
	lv_db_close(blocker);
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM orders", NULL), 1);
	fixture_db_drop(db);
}

int main(void)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	LV_RUN(test_split_and_place);
	LV_RUN(test_idempotency);
	LV_RUN(test_refusals);
	LV_RUN(test_exact_balance);
	LV_RUN(test_cart_checkout);
	LV_RUN(test_failure_leaves_nothing);
	LV_RUN(test_period_boundary);
	LV_RUN(test_in_flight);
	return lv_test_done();
}
