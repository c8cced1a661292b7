/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lv_fixture.c - the unit tests' shared set-up (see lv_fixture.h): fresh
 * migrated databases in temporary folders and their removal, local times,
 * employees, programmes, orders through the real checkout, and integers
 * read back with SQL. A set-up step that fails is not a result to check but
 * a test that cannot run: it prints why and aborts.
 */
#include "lv_fixture.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "allowance.h"
#include "catalog_csv.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "migrate.h"
#include "order.h"

#define FIXTURE_PREFIX "/tmp/lv-"

static char fixture_dir_path[96];
static char fixture_path[128];

static void fixture_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fixture_die(const char *fmt, ...)
{
	va_list ap;

	fputs("fixture: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int64_t fixture_lt(int y, int m, int d, int h, int mi, int s)
{
	struct tm t;

	memset(&t, 0, sizeof(t));
	t.tm_year = y - 1900;
	t.tm_mon = m - 1;
	t.tm_mday = d;
	t.tm_hour = h;
	t.tm_min = mi;
	t.tm_sec = s;
	t.tm_isdst = -1;
	return (int64_t)mktime(&t);
}

/* Writes text to path, whole. */
static void fixture_file_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		fixture_die("cannot create %s", path);
	if (fputs(text, f) == EOF || fclose(f) != 0)
		fixture_die("cannot write %s", path);
}

static void fixture_catalog_import(struct lv_db *db, const char *csv_text)
{
	struct catalog_import_report rep;
	char csv[160];
	size_t i;
	int rc;

	lv_snprintf(csv, sizeof(csv), "%s/catalog.csv", fixture_dir_path);
	fixture_file_write(csv, csv_text);
	catalog_import_report_init(&rep);
	rc = catalog_csv_import(db, csv, "EUR", &rep);
	for (i = 0; i < rep.n_errors; i++)
		fprintf(stderr, "import: %s\n", rep.errors[i]);
	catalog_import_report_cleanup(&rep);
	if (rc != LV_OK)
		fixture_die("catalog import: %s", lv_err_name(rc));
}

struct lv_db *fixture_db_new(const char *tag, int busy_ms, const char *catalog_csv)
{
	struct lv_db *db = NULL;
	char msg[256];

	if (lv_snprintf(fixture_dir_path, sizeof(fixture_dir_path), FIXTURE_PREFIX "%s-XXXXXX",
			tag) < 0 ||
	    mkdtemp(fixture_dir_path) == NULL)
		fixture_die("cannot create a folder for %s", tag);
	lv_snprintf(fixture_path, sizeof(fixture_path), "%s/test.db", fixture_dir_path);
	if (lv_db_open(fixture_path, 1, busy_ms, &db, msg, sizeof(msg)) != LV_OK)
		fixture_die("open %s: %s", fixture_path, msg);
	if (migrate_apply(db->conn, NULL, NULL, msg, sizeof(msg)) != LV_OK)
		fixture_die("migrate %s: %s", fixture_path, msg);
	if (catalog_csv != NULL)
		fixture_catalog_import(db, catalog_csv);
	return db;
}

const char *fixture_db_path(void)
{
	return fixture_path;
}

const char *fixture_dir(void)
{
	return fixture_dir_path;
}

static int fixture_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0)
		fprintf(stderr, "fixture: cannot remove %s\n", path);
	return 0;
}

void fixture_db_drop(struct lv_db *db)
{
	lv_db_close(db);
	/* only ever what fixture_db_new made */
	if (strncmp(fixture_dir_path, FIXTURE_PREFIX, strlen(FIXTURE_PREFIX)) == 0)
		nftw(fixture_dir_path, fixture_rm, 8, FTW_DEPTH | FTW_PHYS);
	fixture_dir_path[0] = '\0';
	fixture_path[0] = '\0';
}

static sqlite3_stmt *fixture_prepare(struct lv_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK)
		fixture_die("%s: %s", sql, sqlite3_errmsg(db->conn));
	return st;
}

int64_t fixture_employee_add(struct lv_db *db, const struct fixture_employee *e)
{
	sqlite3_stmt *st;
	int64_t id;

	st = fixture_prepare(db, "INSERT INTO employees (employee_id, name, department, site,"
			     " cost_center, job_title, employment_type, groups, status,"
			     " hire_date, manager_employee_id, created_at, updated_at)"
			     " VALUES (?1, coalesce(?2, ?1), ?3, ?4, ?5, ?6, ?7,"
			     " coalesce(?8, '[]'), coalesce(?9, 'active'), ?10, ?11, 0, 0)");
	lv_db_bind_text(st, 1, e->hr_id);
	lv_db_bind_text(st, 2, e->name);
	lv_db_bind_text(st, 3, e->department);
	lv_db_bind_text(st, 4, e->site);
	lv_db_bind_text(st, 5, e->cost_center);
	lv_db_bind_text(st, 6, e->job_title);
	lv_db_bind_text(st, 7, e->employment_type);
	lv_db_bind_text(st, 8, e->groups);
	lv_db_bind_text(st, 9, e->status);
	lv_db_bind_text(st, 10, e->hire_date);
	lv_db_bind_text(st, 11, e->manager);
	if (sqlite3_step(st) != SQLITE_DONE)
		fixture_die("employee %s: %s", e->hr_id ? e->hr_id : "(null)",
			    sqlite3_errmsg(db->conn));
	id = sqlite3_last_insert_rowid(db->conn);
	sqlite3_finalize(st);
	return id;
}

int64_t fixture_programme_add(struct lv_db *db, const char *json, int64_t at)
{
	json_t *def = json_loads(json, 0, NULL);
	char msg[256] = "";
	int64_t id = 0;
	int rc;

	if (def == NULL)
		fixture_die("programme JSON does not parse: %s", json);
	lv_clock_set(at);
	rc = allowance_programme_create(db, def, &id, msg, sizeof(msg));
	lv_clock_set(0);
	json_decref(def);
	if (rc != LV_OK)
		fixture_die("programme refused (%s): %s", lv_err_name(rc), msg);
	return id;
}

int fixture_order_place(struct lv_db *db, const struct fixture_order *o, char *ref)
{
	static int seq;
	struct order_line_req lines[8];
	struct order_checkout_req req;
	struct order_result res;
	json_t *content;
	char key[32], fp[65];
	size_t i;
	int status;

	ref[0] = '\0';
	if (o->n > sizeof(lines) / sizeof(lines[0]))
		fixture_die("an order of %zu lines", o->n);
	memset(&req, 0, sizeof(req));
	memset(lines, 0, sizeof(lines));
	for (i = 0; i < o->n; i++) {
		lv_strlcpy(lines[i].sku, o->skus[i], sizeof(lines[i].sku));
		lines[i].quantity = o->qty[i];
		lines[i].expect_price = -1;
	}
	/* the key alone fingerprints the request: every key is new */
	lv_snprintf(key, sizeof(key), "fx-%d", ++seq);
	content = json_pack("{s:s}", "key", key);
	if (order_fingerprint(content, fp) != LV_OK)
		fixture_die("order_fingerprint");
	json_decref(content);
	req.employee = o->employee;
	req.lines = lines;
	req.nlines = o->n;
	req.delivery = o->home ? "home" : "site";
	req.address = o->home;
	req.payroll_consent = o->consent;
	req.idem_key = key;
	req.fingerprint = fp;
	req.uncovered_overage = o->uncovered ? o->uncovered : "deny";
	req.currency = "EUR";
	req.actor.employee = o->employee;
	req.actor.label = "buyer";
	req.at = o->at;
	if (order_checkout(db, &req, &res) != LV_OK) {
		fprintf(stderr, "fixture: order_checkout failed\n");
		return -1;
	}
	status = res.status;
	if (status >= 400)
		fprintf(stderr, "place: %d %s %s\n", status, res.problem.code, res.problem.message);
	lv_strlcpy(ref, res.ref, 33);
	order_result_cleanup(&res);
	return status;
}

/* Binds ints[0..nints) to ?1.. and text to the next one, each when sql has it. */
static int64_t fixture_q_run(struct lv_db *db, const char *sql, const int64_t *ints,
			     int nints, const char *text)
{
	sqlite3_stmt *st = fixture_prepare(db, sql);
	int params = sqlite3_bind_parameter_count(st), i;
	int64_t v = FIXTURE_NO_ROW;

	for (i = 0; i < nints && i < params; i++)
		sqlite3_bind_int64(st, i + 1, ints[i]);
	if (params > nints)
		lv_db_bind_text(st, nints + 1, text);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int64_t fixture_q_int(struct lv_db *db, const char *sql, const char *text)
{
	return fixture_q_run(db, sql, NULL, 0, text);
}

int64_t fixture_q_int3(struct lv_db *db, const char *sql, int64_t a, int64_t b,
		       const char *text)
{
	const int64_t ints[2] = { a, b };

	return fixture_q_run(db, sql, ints, 2, text);
}
