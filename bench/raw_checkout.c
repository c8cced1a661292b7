/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * raw_checkout.c - the floor for bench_checkout: the writes of one
 * checkout done with raw SQLite, as fast as a hand-written program could,
 * on a database of the same schema and catalog (bench/run-checkout makes
 * it with `livery import-catalog` and a programme for the bench employee).
 * Each checkout is one BEGIN IMMEDIATE ... COMMIT holding the statements
 * Livery's checkout runs (store/domain/order_checkout.c): the idempotency
 * lookup, the employee, the variant with its product and category, the
 * balance, the next order id, the order, its line (RETURNING id), the
 * payment, the stock update, the product's listing refresh (the same six
 * statements as catalog_listing_refresh), the ledger debit, the audit row
 * and the idempotency row with a stored answer of the size of Livery's.
 * Statements are prepared once per thread; nothing else is done: no HTTP,
 * no session, no JSON of the order, no quote of the split.
 *
 * The connection is opened like Livery's (app_db_open: WAL,
 * synchronous=FULL, the configured busy timeout), one per thread, as the
 * server's workers have.
 *
 * usage: raw_checkout [--threads N] [--sku SKU] [--employee ID]
 *                     [--programme SLUG] CONFIG SECONDS
 * Prints the number of checkouts committed per second, all threads together.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "lv_db.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"

#define RAW_THREADS_MAX 64

enum raw_stmt {
	RAW_IDEM_GET,
	RAW_EMPLOYEE,
	RAW_VARIANT,
	RAW_BALANCE,
	RAW_NEXT_ID,
	RAW_ORDER,
	RAW_LINE,
	RAW_PAYMENT,
	RAW_STOCK,
	RAW_LIST_DEL_P,
	RAW_LIST_DEL_S,
	RAW_LIST_DEL_C,
	RAW_LIST_INS_S,
	RAW_LIST_INS_C,
	RAW_LIST_INS_P,
	RAW_DEBIT,
	RAW_AUDIT,
	RAW_IDEM_PUT,
	RAW_NSTMT
};

static const char *const raw_sql[RAW_NSTMT] = {
	[RAW_IDEM_GET] = "SELECT k.fingerprint, k.status, k.response, o.ref"
		" FROM idempotency_keys k JOIN orders o ON o.id = k.order_id"
		" WHERE k.employee = ?1 AND k.key = ?2",
	[RAW_EMPLOYEE] = "SELECT status, site FROM employees WHERE id = ?1",
	[RAW_VARIANT] = "SELECT v.id, v.product_id, v.price, v.stock, v.active AND p.active,"
		" p.restricted, p.name, p.slug, v.size, v.colour, v.fit, c.slug"
		" FROM variants v JOIN products p ON p.id = v.product_id"
		" JOIN categories c ON c.id = p.category_id WHERE v.sku = ?1",
	[RAW_BALANCE] = "SELECT coalesce(sum(amount), 0) FROM allowance_ledger"
		" WHERE employee = ?1 AND programme = ?2 AND period_key = ?3",
	[RAW_NEXT_ID] = "SELECT coalesce(max(id), 0) + 1 FROM orders",
	[RAW_ORDER] = "INSERT INTO orders (id, ref, employee, status, currency, total,"
		" covered, overage, overage_approval, overage_payroll, payroll_consent,"
		" delivery, ship_to, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, 'placed', 'EUR', ?4, ?4, 0, 0, 0, 0, 'site', ?5, ?6, ?6)",
	[RAW_LINE] = "INSERT INTO order_lines (order_id, line_no, variant, sku, product_name,"
		" size, colour, fit, category, unit_price, quantity, total, covered, overage_rule)"
		" VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?9, ?9, NULL) RETURNING id",
	[RAW_PAYMENT] = "INSERT INTO order_payments (line_id, programme, order_id, amount, value)"
		" VALUES (?1, ?2, ?3, ?4, ?4)",
	[RAW_STOCK] = "UPDATE variants SET stock = stock - 1 WHERE id = ?1 AND stock >= 1",
	[RAW_LIST_DEL_P] = "DELETE FROM listing_products WHERE product_id = ?1",
	[RAW_LIST_DEL_S] = "DELETE FROM listing_sizes WHERE product_id = ?1",
	[RAW_LIST_DEL_C] = "DELETE FROM listing_colours WHERE product_id = ?1",
	[RAW_LIST_INS_S] = "INSERT INTO listing_sizes SELECT * FROM listing_sizes_source"
		" WHERE product_id = ?1",
	[RAW_LIST_INS_C] = "INSERT INTO listing_colours SELECT * FROM listing_colours_source"
		" WHERE product_id = ?1",
	[RAW_LIST_INS_P] = "INSERT INTO listing_products SELECT s.*,"
		" (SELECT json_group_array(colour) FROM (SELECT o.colour"
		"  FROM listing_colours o WHERE o.product_id = s.product_id"
		"  ORDER BY o.position, o.colour)),"
		" (SELECT json_group_array(size) FROM (SELECT z.size"
		"  FROM listing_sizes z WHERE z.product_id = s.product_id"
		"  ORDER BY z.size_rank, z.size))"
		" FROM listing_products_source s WHERE product_id = ?1",
	[RAW_DEBIT] = "INSERT INTO allowance_ledger (employee, programme, period_key, kind, amount,"
		" order_ref, reason, actor_employee, actor_label, created_at)"
		" VALUES (?1, ?2, ?3, 'debit', ?4, ?5, NULL, NULL, 'system', ?6)",
	[RAW_AUDIT] = "INSERT INTO audit_log (at, actor_employee, actor_label, address, action,"
		" entity, entity_id, before, after)"
		" VALUES (?1, ?2, 'Bench Mark', '127.0.0.1', 'order.place', 'order', ?3, NULL, ?4)",
	[RAW_IDEM_PUT] = "INSERT INTO idempotency_keys (employee, key, fingerprint, order_id,"
		" status, response, created_at) VALUES (?1, ?2, ?3, ?4, 201, ?5, ?6)",
};

struct raw_worker {
	struct livery *app;
	const char *sku;
	int64_t employee, programme;
	const char *period;
	double secs;
	int id;
	long done;
	int failed;
	pthread_t tid;
};

static double raw_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Steps st to its end (rows are read by the caller before); resets it. */
static int raw_run(sqlite3_stmt *st)
{
	int src;

	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	return src == SQLITE_DONE ? 0 : -1;
}

static void raw_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* One checkout in one transaction. Returns 0, or -1 (rolled back). */
static int raw_checkout_one(sqlite3 *conn, sqlite3_stmt **st, const struct raw_worker *w,
			    long n)
{
	char key[64], ref[33], body[1400], after[128];
	int64_t variant, product, price, balance, id, line;
	char name[128], size[33], colour[33], fit[33], cat[65];
	int64_t at = lv_now();
	int rc = -1, src;

	/* the busy timeout has run out: try again, as Livery's client does
	 * after a 503 */
	while ((src = sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, NULL)) == SQLITE_BUSY)
		;
	if (src != SQLITE_OK)
		goto out;
	lv_snprintf(key, sizeof(key), "raw-%ld-%d-%ld", (long)getpid(), w->id, n);
	sqlite3_bind_int64(st[RAW_IDEM_GET], 1, w->employee);
	raw_text(st[RAW_IDEM_GET], 2, key);
	if (sqlite3_step(st[RAW_IDEM_GET]) != SQLITE_DONE)
		goto out; /* a replay would be answered here */
	sqlite3_reset(st[RAW_IDEM_GET]);

	sqlite3_bind_int64(st[RAW_EMPLOYEE], 1, w->employee);
	if (sqlite3_step(st[RAW_EMPLOYEE]) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st[RAW_EMPLOYEE], 0), "active") != 0)
		goto out;
	sqlite3_reset(st[RAW_EMPLOYEE]);

	raw_text(st[RAW_VARIANT], 1, w->sku);
	if (sqlite3_step(st[RAW_VARIANT]) != SQLITE_ROW)
		goto out;
	variant = sqlite3_column_int64(st[RAW_VARIANT], 0);
	product = sqlite3_column_int64(st[RAW_VARIANT], 1);
	price = sqlite3_column_int64(st[RAW_VARIANT], 2);
	lv_strlcpy(name, (const char *)sqlite3_column_text(st[RAW_VARIANT], 6), sizeof(name));
	lv_strlcpy(size, (const char *)sqlite3_column_text(st[RAW_VARIANT], 8), sizeof(size));
	lv_strlcpy(colour, (const char *)sqlite3_column_text(st[RAW_VARIANT], 9), sizeof(colour));
	lv_strlcpy(fit, (const char *)sqlite3_column_text(st[RAW_VARIANT], 10), sizeof(fit));
	lv_strlcpy(cat, (const char *)sqlite3_column_text(st[RAW_VARIANT], 11), sizeof(cat));
	if (sqlite3_column_int64(st[RAW_VARIANT], 3) < 1)
		goto out;
	sqlite3_reset(st[RAW_VARIANT]);

	sqlite3_bind_int64(st[RAW_BALANCE], 1, w->employee);
	sqlite3_bind_int64(st[RAW_BALANCE], 2, w->programme);
	raw_text(st[RAW_BALANCE], 3, w->period);
	if (sqlite3_step(st[RAW_BALANCE]) != SQLITE_ROW)
		goto out;
	balance = sqlite3_column_int64(st[RAW_BALANCE], 0);
	sqlite3_reset(st[RAW_BALANCE]);
	if (balance < price)
		goto out;

	if (sqlite3_step(st[RAW_NEXT_ID]) != SQLITE_ROW)
		goto out;
	id = sqlite3_column_int64(st[RAW_NEXT_ID], 0);
	sqlite3_reset(st[RAW_NEXT_ID]);
	lv_snprintf(ref, sizeof(ref), "LV-%06lld", (long long)id);

	sqlite3_bind_int64(st[RAW_ORDER], 1, id);
	raw_text(st[RAW_ORDER], 2, ref);
	sqlite3_bind_int64(st[RAW_ORDER], 3, w->employee);
	sqlite3_bind_int64(st[RAW_ORDER], 4, price);
	raw_text(st[RAW_ORDER], 5, "{\"site\":\"Lyon\"}");
	sqlite3_bind_int64(st[RAW_ORDER], 6, at);
	if (raw_run(st[RAW_ORDER]) != 0)
		goto out;

	sqlite3_bind_int64(st[RAW_LINE], 1, id);
	sqlite3_bind_int64(st[RAW_LINE], 2, variant);
	raw_text(st[RAW_LINE], 3, w->sku);
	raw_text(st[RAW_LINE], 4, name);
	raw_text(st[RAW_LINE], 5, size);
	raw_text(st[RAW_LINE], 6, colour);
	raw_text(st[RAW_LINE], 7, fit);
	raw_text(st[RAW_LINE], 8, cat);
	sqlite3_bind_int64(st[RAW_LINE], 9, price);
	if (sqlite3_step(st[RAW_LINE]) != SQLITE_ROW)
		goto out;
	line = sqlite3_column_int64(st[RAW_LINE], 0);
	if (raw_run(st[RAW_LINE]) != 0)
		goto out;

	sqlite3_bind_int64(st[RAW_PAYMENT], 1, line);
	sqlite3_bind_int64(st[RAW_PAYMENT], 2, w->programme);
	sqlite3_bind_int64(st[RAW_PAYMENT], 3, id);
	sqlite3_bind_int64(st[RAW_PAYMENT], 4, price);
	if (raw_run(st[RAW_PAYMENT]) != 0)
		goto out;

	sqlite3_bind_int64(st[RAW_STOCK], 1, variant);
	if (raw_run(st[RAW_STOCK]) != 0 || sqlite3_changes(conn) != 1)
		goto out;
	for (int k = RAW_LIST_DEL_P; k <= RAW_LIST_INS_P; k++) {
		sqlite3_bind_int64(st[k], 1, product);
		if (raw_run(st[k]) != 0)
			goto out;
	}

	sqlite3_bind_int64(st[RAW_DEBIT], 1, w->employee);
	sqlite3_bind_int64(st[RAW_DEBIT], 2, w->programme);
	raw_text(st[RAW_DEBIT], 3, w->period);
	sqlite3_bind_int64(st[RAW_DEBIT], 4, -price);
	raw_text(st[RAW_DEBIT], 5, ref);
	sqlite3_bind_int64(st[RAW_DEBIT], 6, at);
	if (raw_run(st[RAW_DEBIT]) != 0)
		goto out;

	lv_snprintf(after, sizeof(after),
		    "{\"covered\":%lld,\"overage\":0,\"status\":\"placed\",\"total\":%lld}",
		    (long long)price, (long long)price);
	sqlite3_bind_int64(st[RAW_AUDIT], 1, at);
	sqlite3_bind_int64(st[RAW_AUDIT], 2, w->employee);
	raw_text(st[RAW_AUDIT], 3, ref);
	raw_text(st[RAW_AUDIT], 4, after);
	if (raw_run(st[RAW_AUDIT]) != 0)
		goto out;

	/* an answer of the size of Livery's order JSON */
	lv_snprintf(body, sizeof(body),
		    "{\"ref\":\"%s\",\"status\":\"placed\",\"created_at\":%lld,\"updated_at\":%lld,"
		    "\"currency\":\"EUR\",\"total\":%lld,\"covered\":%lld,\"overage\":0,"
		    "\"overage_approval\":0,\"overage_payroll\":0,\"payroll_consent\":false,"
		    "\"delivery\":\"site\",\"ship_to\":{\"site\":\"Lyon\"},\"carrier\":null,"
		    "\"tracking\":null,\"decision\":null,\"employee\":{\"id\":%lld,"
		    "\"employee_id\":\"B0001\",\"name\":\"Bench Mark\"},\"lines\":[{\"line_no\":1,"
		    "\"sku\":\"%s\",\"product\":\"%s\",\"size\":\"%s\",\"colour\":\"%s\",\"fit\":\"%s\","
		    "\"category\":\"%s\",\"unit_price\":%lld,\"quantity\":1,\"total\":%lld,"
		    "\"covered\":%lld,\"overage_rule\":null,\"cancelled_quantity\":0,"
		    "\"returned_quantity\":0,\"payments\":[{\"programme\":\"bench\",\"name\":"
		    "\"Bench allowance\",\"unit\":\"money\",\"amount\":%lld,\"value\":%lld}]}],"
		    "\"history\":[{\"at\":%lld,\"action\":\"order.place\",\"by\":\"Bench Mark\","
		    "\"from\":null,\"to\":\"placed\",\"reason\":null}]}",
		    ref, (long long)at, (long long)at, (long long)price, (long long)price,
		    (long long)w->employee, w->sku, name, size, colour, fit, cat, (long long)price,
		    (long long)price, (long long)price, (long long)price, (long long)price,
		    (long long)at);
	sqlite3_bind_int64(st[RAW_IDEM_PUT], 1, w->employee);
	raw_text(st[RAW_IDEM_PUT], 2, key);
	raw_text(st[RAW_IDEM_PUT], 3,
		 "0000000000000000000000000000000000000000000000000000000000000000");
	sqlite3_bind_int64(st[RAW_IDEM_PUT], 4, id);
	raw_text(st[RAW_IDEM_PUT], 5, body);
	sqlite3_bind_int64(st[RAW_IDEM_PUT], 6, at);
	if (raw_run(st[RAW_IDEM_PUT]) != 0)
		goto out;
	if (sqlite3_exec(conn, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
out:
	if (rc != 0) {
		fprintf(stderr, "raw_checkout: %s\n", sqlite3_errmsg(conn));
		for (int k = 0; k < RAW_NSTMT; k++)
			sqlite3_reset(st[k]);
		sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

static void *raw_worker_run(void *arg)
{
	struct raw_worker *w = arg;
	sqlite3_stmt *st[RAW_NSTMT] = { NULL };
	struct lv_db *db = NULL;
	char msg[512];
	double t0;
	int k;

	w->failed = 1;
	if (app_db_open(w->app, 0, &db, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "raw_checkout: %s\n", msg);
		goto out;
	}
	for (k = 0; k < RAW_NSTMT; k++) {
		if (sqlite3_prepare_v3(db->conn, raw_sql[k], -1, SQLITE_PREPARE_PERSISTENT,
				       &st[k], NULL) != SQLITE_OK) {
			fprintf(stderr, "raw_checkout: %s\n", sqlite3_errmsg(db->conn));
			goto out;
		}
	}
	t0 = raw_now();
	do {
		if (raw_checkout_one(db->conn, st, w, w->done) != 0)
			goto out;
		w->done++;
	} while (raw_now() - t0 < w->secs);
	w->failed = 0;
out:
	for (k = 0; k < RAW_NSTMT; k++)
		sqlite3_finalize(st[k]);
	lv_db_close(db);
	return NULL;
}

/* The ids of the bench employee and programme. Returns LV_OK or an error. */
static int raw_ids(struct livery *app, const char *employee_id, const char *slug,
		   int64_t *employee, int64_t *programme)
{
	struct lv_db *db = NULL;
	char msg[512];
	int rc;

	rc = app_db_open(app, 0, &db, msg, sizeof(msg));
	if (rc != LV_OK) {
		fprintf(stderr, "raw_checkout: %s\n", msg);
		goto out;
	}
	rc = lv_db_lookup_id(db, "SELECT id FROM employees WHERE employee_id = ?1",
			     employee_id, employee);
	if (rc == LV_OK)
		rc = lv_db_lookup_id(db, "SELECT id FROM allowance_programmes WHERE slug = ?1",
				     slug, programme);
	if (rc != LV_OK)
		fprintf(stderr, "raw_checkout: no employee %s or programme %s\n", employee_id,
			slug);
out:
	lv_db_close(db);
	return rc;
}

static int raw_usage(void)
{
	fprintf(stderr, "usage: raw_checkout [--threads N] [--sku SKU] [--employee ID]"
		" [--programme SLUG] CONFIG SECONDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct raw_worker workers[RAW_THREADS_MAX];
	const char *sku = "BENCH-TEE", *employee_id = "B0001", *slug = "bench";
	struct livery *app = NULL;
	int64_t secs = 0, threads = 1, employee = 0, programme = 0;
	long done = 0;
	char msg[1024];
	double t0, t;
	int i, started = 0, rc = 1;

	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--threads") == 0) {
			if (lv_parse_i64(argv[++i], 1, RAW_THREADS_MAX, &threads) != LV_OK)
				return raw_usage();
		} else if (strcmp(argv[i], "--sku") == 0) {
			sku = argv[++i];
		} else if (strcmp(argv[i], "--employee") == 0) {
			employee_id = argv[++i];
		} else if (strcmp(argv[i], "--programme") == 0) {
			slug = argv[++i];
		} else {
			return raw_usage();
		}
	}
	if (argc - i != 2 || lv_parse_i64(argv[i + 1], 1, 600, &secs) != LV_OK)
		return raw_usage();
	if (app_new(argv[i], 0, &app, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "raw_checkout: %s\n", msg);
		goto out;
	}
	if (raw_ids(app, employee_id, slug, &employee, &programme) != LV_OK)
		goto out;
	t0 = raw_now();
	for (started = 0; started < threads; started++) {
		struct raw_worker *w = &workers[started];

		w->app = app;
		w->sku = sku;
		w->employee = employee;
		w->programme = programme;
		w->period = "once"; /* bench/run-checkout's programme is period "once" */
		w->secs = (double)secs;
		w->id = started;
		if (pthread_create(&w->tid, NULL, raw_worker_run, w) != 0) {
			fprintf(stderr, "raw_checkout: cannot start a thread\n");
			break;
		}
	}
	rc = started == threads ? 0 : 1;
	for (i = 0; i < started; i++) {
		pthread_join(workers[i].tid, NULL);
		done += workers[i].done;
		if (workers[i].failed)
			rc = 1;
	}
	t = raw_now();
	if (rc == 0)
		printf("%.0f\n", (double)done / (t - t0));
out:
	app_free(app);
	return rc;
}
