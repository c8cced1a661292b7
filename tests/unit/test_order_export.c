/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_order_export.c - the payroll and fulfilment CSV exports on orders
 * placed by the real checkout (Europe/Paris): payroll net of returns with
 * the same rounding as refunds, cancelled and refused orders left out, the
 * month's bounds in local time, one row per employee with their order refs;
 * RFC 4180 quoting and CSV-injection prefixes; the fulfilment list with net
 * quantities and addresses on one line; bad periods and statuses; and the
 * `livery export` command's parsing and atomic --output file.
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
#include "order_cli.h"

static const char catalog_csv[] =
	"category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image\n"
	"uniforms,Uniforms,shirt,Oxford shirt,Cotton shirt,uniform,0,SHIRT,M,White,Regular,4.00,50,\n"
	"accessories,Accessories,lanyard,\"Lanyard, \"\"blue\"\"\",Lanyard,,0,LAN,,Navy,,3.50,100,\n"
	"accessories,Accessories,formula,\"=HYPERLINK(\"\"x\"\")\",Bad name,,0,FRM,,Red,,1.00,100,\n";

#define T0 fixture_lt(2026, 11, 20, 10, 0, 0)

/* A fresh migrated database with the catalog above. */
static struct lv_db *fresh_db(void)
{
	return fixture_db_new("oexp", 5000, catalog_csv);
}

static int64_t employee_add(struct lv_db *db, const char *hr_id, const char *name,
			    const char *cost_center)
{
	struct fixture_employee e = {
		.hr_id = hr_id, .name = name, .site = "Lyon", .cost_center = cost_center,
		.hire_date = "2020-01-15",
	};

	return fixture_employee_add(db, &e);
}

/* The monthly 10.00 uniform allowance whose overage goes to payroll. */
static void uniform_add(struct lv_db *db)
{
	fixture_programme_add(db, "{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":"
			      "\"money\",\"amount\":1000,\"period\":\"monthly\",\"categories\":"
			      "[\"uniforms\"],\"overage\":\"payroll\",\"position\":1}",
			      fixture_lt(2026, 1, 1, 0, 0, 0));
}

/* Places skus[i] x qty[i] through the real checkout. OUT: ref. */
static int place(struct lv_db *db, int64_t emp, const char *const *skus, const int64_t *qty,
		 size_t n, const char *uncovered, const json_t *home, int64_t at, char *ref)
{
	struct fixture_order o = {
		.employee = emp, .skus = skus, .qty = qty, .n = n, .uncovered = uncovered,
		.consent = 1, .home = home, .at = at,
	};

	return fixture_order_place(db, &o, ref);
}

static int place1(struct lv_db *db, int64_t emp, const char *sku, int64_t qty, int64_t at,
		  char *ref)
{
	return place(db, emp, &sku, &qty, 1, "deny", NULL, at, ref);
}

static const struct audit_actor admin = { 0, "dave", NULL };

static void ship(struct lv_db *db, const char *ref)
{
	char msg[128];

	CHECK_INT(order_advance(db, ref, "picking", NULL, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_INT(order_advance(db, ref, "shipped", "DHL", "T1", &admin, T0, msg, sizeof(msg)),
		  LV_OK);
}

static char *payroll(struct lv_db *db, const char *period, int *rc)
{
	struct lv_buf b;

	lv_buf_init(&b, 1 << 20);
	*rc = order_export_payroll(db, period, "EUR", &b);
	return lv_buf_take(&b);
}

static void test_payroll(void)
{
	struct lv_db *db = fresh_db();
	int64_t ann = employee_add(db, "E1", "Ann Smith", "CC-10");
	int64_t bo = employee_add(db, "E2", "=cmd|' /C calc'!A0", "-5,\"x\"");
	int64_t cy = employee_add(db, "E3", "Cy", "CC-30");
	const char *mixed[2] = { "SHIRT", "LAN" };
	const int64_t mixed_q[2] = { 3, 1 };
	struct order_line_qty one = { 1, 1 };
	char r1[33], r2[33], r3[33], r4[33], r5[33], r6[33], r7[33], msg[128];
	char *csv;
	int rc;

	uniform_add(db);
	/* Ann: 3 shirts = 12.00, 10.00 covered, 2.00 payroll; one returned
	 * below: 2.00 - floor(200 * 1 / 3) = 1.34 */
	CHECK_INT(place1(db, ann, "SHIRT", 3, T0, r1), 201);
	/* Ann: 1 shirt, all payroll (the allowance is spent): 4.00 */
	CHECK_INT(place1(db, ann, "SHIRT", 1, T0 + 60, r2), 201);
	/* Ann: cancelled: not in the export */
	CHECK_INT(place1(db, ann, "SHIRT", 2, T0 + 120, r3), 201);
	CHECK_INT(order_release(db, r3, ann, 0, NULL, 0, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	ship(db, r1);
	CHECK_INT(order_release(db, r1, 0, 1, &one, 1, "too big", &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	/* Bo: 3 shirts: 2.00 payroll, in November; and 3 in December */
	CHECK_INT(place1(db, bo, "SHIRT", 3, fixture_lt(2026, 11, 30, 23, 59, 59), r4), 201);
	CHECK_INT(place1(db, bo, "SHIRT", 3, fixture_lt(2026, 12, 1, 0, 0, 0), r5), 201);
	/* Cy: 3 shirts (payroll) + a lanyard waiting for approval; refused */
	CHECK_INT(place(db, cy, mixed, mixed_q, 2, "approval", NULL, T0, r6), 201);
	CHECK_INT(order_decide(db, r6, 0, "no lanyards", &admin, T0, msg, sizeof(msg)), LV_OK);
	/* Cy again: still waiting for approval, so not exported yet */
	CHECK_INT(place(db, cy, mixed, mixed_q, 2, "approval", NULL, T0, r7), 201);

	csv = payroll(db, "2026-11", &rc);
	CHECK_INT(rc, LV_OK);
	{
		char want[512];

		snprintf(want, sizeof(want),
			 "employee_id,name,cost_center,amount,currency,orders\r\n"
			 "E1,Ann Smith,CC-10,5.34,EUR,%s %s\r\n"
			 "E2,'=cmd|' /C calc'!A0,\"'-5,\"\"x\"\"\",2.00,EUR,%s\r\n",
			 r1, r2, r4);
		CHECK_STR(csv, want);
	}
	lv_free(csv);

	csv = payroll(db, "2026-12", &rc);
	CHECK_INT(rc, LV_OK);
	CHECK(strstr(csv, r5) != NULL);
	CHECK(strstr(csv, "E1,") == NULL);
	lv_free(csv);

	/* once approved, Cy's order is a deduction of that month */
	CHECK_INT(order_decide(db, r7, 1, NULL, &admin, T0, msg, sizeof(msg)), LV_OK);
	csv = payroll(db, "2026-11", &rc);
	CHECK(strstr(csv, r7) != NULL);
	CHECK(strstr(csv, r6) == NULL);
	lv_free(csv);

	/* the rest of Ann's first order comes back: 4.00 left, only r2 */
	CHECK_INT(order_release(db, r1, 0, 1, NULL, 0, "all", &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	csv = payroll(db, "2026-11", &rc);
	CHECK(strstr(csv, "E1,Ann Smith,CC-10,4.00,EUR,") != NULL);
	CHECK(strstr(csv, r1) == NULL);
	lv_free(csv);

	/* an empty month is only the header */
	csv = payroll(db, "2025-01", &rc);
	CHECK_INT(rc, LV_OK);
	CHECK_STR(csv, "employee_id,name,cost_center,amount,currency,orders\r\n");
	lv_free(csv);

	/* bad periods */
	{
		static const char *const bad[] = {
			"2026-13", "2026-00", "2026-1", "26-11", "2026/11", "abcd-ef", "2026-11-01",
			"", " 2026-11", "+2026-1",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			csv = payroll(db, bad[i], &rc);
			CHECK_INT(rc, LV_EINVAL);
			lv_free(csv);
		}
		csv = payroll(db, NULL, &rc);
		CHECK_INT(rc, LV_EINVAL);
		lv_free(csv);
	}
	{
		struct lv_buf b;

		lv_buf_init(&b, 4096);
		CHECK_INT(order_export_payroll(db, "2026-11", "XYZ", &b), LV_EINVAL);
		lv_buf_cleanup(&b);
	}
	fixture_db_drop(db);
}

static void test_orders(void)
{
	struct lv_db *db = fresh_db();
	int64_t ann = employee_add(db, "E1", "Ann Smith", "CC-10");
	const char *skus[3] = { "SHIRT", "LAN", "FRM" };
	const int64_t qty[3] = { 2, 3, 1 };
	struct order_line_qty one = { 2, 1 };
	json_t *home = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", "Ann Smith", "line1",
				 "1 rue de la Paix", "postcode", "69001", "city", "Lyon",
				 "country", "FR");
	char r1[33], r2[33], msg[128], want[1024];
	struct lv_buf b;

	uniform_add(db);
	CHECK_INT(place(db, ann, skus, qty, 3, "payroll", home, T0, r1), 201);
	CHECK_INT(place1(db, ann, "SHIRT", 1, T0 + 1, r2), 201);
	CHECK_INT(order_release(db, r1, 0, 0, &one, 1, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	CHECK_INT(order_advance(db, r2, "picking", NULL, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_OK);

	lv_buf_init(&b, 1 << 20);
	CHECK_INT(order_export_orders(db, NULL, &b), LV_OK);
	/* T0 is 10:00 in Paris, 09:00 UTC */
	snprintf(want, sizeof(want),
		 "ref,created_at,employee_id,name,delivery,ship_to,sku,product,size,colour,fit,"
		 "quantity\r\n"
		 "%s,2026-11-20T09:00:00Z,E1,Ann Smith,home,\"Ann Smith, 1 rue de la Paix, 69001 "
		 "Lyon, FR\",SHIRT,Oxford shirt,M,White,Regular,2\r\n"
		 "%s,2026-11-20T09:00:00Z,E1,Ann Smith,home,\"Ann Smith, 1 rue de la Paix, 69001 "
		 "Lyon, FR\",LAN,\"Lanyard, \"\"blue\"\"\",,Navy,,2\r\n"
		 "%s,2026-11-20T09:00:00Z,E1,Ann Smith,home,\"Ann Smith, 1 rue de la Paix, 69001 "
		 "Lyon, FR\",FRM,\"'=HYPERLINK(\"\"x\"\")\",,Red,,1\r\n", r1, r1, r1);
	CHECK_STR(lv_buf_str(&b), want);

	lv_buf_reset(&b);
	CHECK_INT(order_export_orders(db, "picking", &b), LV_OK);
	snprintf(want, sizeof(want), "%s,2026-11-20T09:00:01Z,E1,Ann Smith,site,Lyon,SHIRT,"
		 "Oxford shirt,M,White,Regular,1\r\n", r2);
	CHECK(strstr(lv_buf_str(&b), want) != NULL);
	CHECK(strstr(lv_buf_str(&b), r1) == NULL);

	/* a fully cancelled order has nothing to send */
	CHECK_INT(order_release(db, r2, 0, 0, NULL, 0, NULL, &admin, T0, msg, sizeof(msg)),
		  LV_OK);
	lv_buf_reset(&b);
	CHECK_INT(order_export_orders(db, "cancelled", &b), LV_OK);
	CHECK(strstr(lv_buf_str(&b), r2) == NULL);

	lv_buf_reset(&b);
	CHECK_INT(order_export_orders(db, "lost", &b), LV_EINVAL);
	CHECK_INT(order_export_orders(db, "", &b), LV_EINVAL);
	lv_buf_cleanup(&b);

	/* a buffer too small is reported, not cut silently */
	lv_buf_init(&b, 64);
	CHECK_INT(order_export_orders(db, NULL, &b), LV_ETOOBIG);
	lv_buf_cleanup(&b);
	json_decref(home);
	fixture_db_drop(db);
}

static int parse(const char *const *args, int n, struct order_cli_export *o)
{
	char *argv[8];
	int i;

	for (i = 0; i < n; i++)
		argv[i] = (char *)args[i];
	return order_cli_export_parse(n, argv, o);
}

static void test_cli(void)
{
	struct lv_db *db = fresh_db();
	int64_t ann = employee_add(db, "E1", "Ann", "CC");
	struct order_cli_export o;
	char r1[33], out[160], text[4096];
	struct lv_buf b;
	size_t n;
	FILE *f;

	{
		const char *a[] = { "payroll", "--period", "2026-11", "--output", "x.csv" };
		CHECK_INT(parse(a, 5, &o), 0);
		CHECK(o.payroll == 1);
		CHECK_STR(o.period, "2026-11");
		CHECK_STR(o.output, "x.csv");
	}
	{
		const char *a[] = { "orders" };
		CHECK_INT(parse(a, 1, &o), 0);
		CHECK(o.payroll == 0);
		CHECK_STR(o.status, "placed");
		CHECK(o.output == NULL);
	}
	{
		const char *a[] = { "orders", "--status", "shipped" };
		CHECK_INT(parse(a, 3, &o), 0);
		CHECK_STR(o.status, "shipped");
	}
	{
		const char *a1[] = { "payroll" };
		const char *a2[] = { "payroll", "--period", "2026-13" };
		const char *a3[] = { "payroll", "--period" };
		const char *a4[] = { "orders", "--status", "lost" };
		const char *a5[] = { "orders", "--period", "2026-11" };
		const char *a6[] = { "invoices" };
		const char *a7[] = { "payroll", "--period", "2026-11", "extra" };

		CHECK_INT(parse(a1, 1, &o), 2);
		CHECK_INT(parse(a2, 3, &o), 2);
		CHECK_INT(parse(a3, 2, &o), 2);
		CHECK_INT(parse(a4, 3, &o), 2);
		CHECK_INT(parse(a5, 3, &o), 2);
		CHECK_INT(parse(a6, 1, &o), 2);
		CHECK_INT(parse(a7, 4, &o), 2);
		CHECK_INT(parse(a6, 0, &o), 2);
	}

	uniform_add(db);
	CHECK_INT(place1(db, ann, "SHIRT", 3, T0, r1), 201);
	snprintf(out, sizeof(out), "%s/payroll.csv", fixture_dir());
	memset(&o, 0, sizeof(o));
	o.payroll = 1;
	o.period = "2026-11";
	o.output = out;
	CHECK_INT(order_cli_export_run(db, "EUR", &o), 0);
	f = fopen(out, "rb");
	CHECK(f != NULL);
	n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	lv_buf_init(&b, 1 << 20);
	CHECK_INT(order_export_payroll(db, "2026-11", "EUR", &b), LV_OK);
	CHECK_STR(text, lv_buf_str(&b));
	CHECK(strstr(text, "E1,Ann,CC,2.00,EUR,") != NULL);
	lv_buf_cleanup(&b);
	/* a failed export leaves the file as it was, and no temporary file */
	o.period = "2026-13";
	CHECK_INT(order_cli_export_run(db, "EUR", &o), 1);
	f = fopen(out, "rb");
	n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	CHECK(strstr(text, "E1,Ann,CC,2.00,EUR,") != NULL);
	/* into a folder that does not exist */
	snprintf(out, sizeof(out), "%s/no/such/dir.csv", fixture_dir());
	o.period = "2026-11";
	CHECK_INT(order_cli_export_run(db, "EUR", &o), 1);
	unlink(out);
	fixture_db_drop(db);
}

int main(void)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	LV_RUN(test_payroll);
	LV_RUN(test_orders);
	LV_RUN(test_cli);
	return lv_test_done();
}
