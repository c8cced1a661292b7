/*
 * test_migrate.c - migrations: a new database reaches the latest version,
 * a second run changes nothing, a database newer than the binary is
 * refused, and a failing migration leaves the database as it was. The
 * migrations are numbered 1, 2, 3... with no gap: the runner applies what
 * is above PRAGMA user_version, so a number filled in later below the
 * latest would never run on an existing database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_test.h"
#include "migrate.h"

static char dir[] = "/tmp/lv-migrate-XXXXXX";

static struct lv_db *open_db(const char *name)
{
	char path[256], msg[256];
	struct lv_db *db = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK_INT(lv_db_open(path, 1, 1000, &db, msg, sizeof(msg)), LV_OK);
	return db;
}

static int user_version(struct lv_db *db)
{
	sqlite3_stmt *s;
	int v = -1;

	sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void test_numbered_without_gaps(void)
{
	int i;

	CHECK(lv_migrations_count > 0);
	for (i = 0; i < lv_migrations_count; i++) {
		if (lv_migrations[i].version != i + 1)
			fprintf(stderr, "migration %s has number %d; the next free number is %d\n",
				lv_migrations[i].name, lv_migrations[i].version, i + 1);
		CHECK_INT(lv_migrations[i].version, i + 1);
	}
	CHECK_INT(migrate_latest_version(), lv_migrations_count);
}

static void test_fresh_and_again(void)
{
	struct lv_db *db = open_db("a.db");
	char msg[512];
	int from = -1, to = -1;

	CHECK(lv_migrations_count >= 1);
	CHECK_INT(migrate_apply(db->conn, &from, &to, msg, sizeof(msg)), LV_OK);
	CHECK_INT(from, 0);
	CHECK_INT(to, migrate_latest_version());
	CHECK_INT(user_version(db), migrate_latest_version());
	/* the tables of the store and of sso/ are there */
	CHECK_INT(lv_db_exec(db, "SELECT count(*) FROM employees"), LV_OK);
	CHECK_INT(lv_db_exec(db, "SELECT count(*) FROM sso_session"), LV_OK);
	CHECK_INT(migrate_apply(db->conn, &from, &to, msg, sizeof(msg)), LV_OK);
	CHECK_INT(from, migrate_latest_version());
	CHECK_INT(to, migrate_latest_version());
	/* the audit log refuses changes */
	CHECK_INT(lv_db_exec(db, "INSERT INTO audit_log (at, actor_label, action, entity)"
				 " VALUES (1, 'test', 'x', 'y')"), LV_OK);
	CHECK(lv_db_exec(db, "UPDATE audit_log SET action = 'z'") != LV_OK);
	CHECK(lv_db_exec(db, "DELETE FROM audit_log") != LV_OK);
	lv_db_close(db);
}

static void test_newer_database_refused(void)
{
	struct lv_db *db = open_db("b.db");
	char msg[512], sql[64];
	int from = -1, to = -1;

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", migrate_latest_version() + 1);
	CHECK_INT(lv_db_exec(db, sql), LV_OK);
	CHECK_INT(migrate_apply(db->conn, &from, &to, msg, sizeof(msg)), LV_ECONFLICT);
	CHECK(strstr(msg, "newer livery") != NULL);
	CHECK_INT(user_version(db), migrate_latest_version() + 1);
	lv_db_close(db);
}

static void test_failed_step_rolls_back(void)
{
	struct lv_db *db = open_db("c.db");
	char msg[512];
	int from = -1, to = -1;

	/* A table the first migration wants to create already exists: the step
	 * fails, and nothing of it stays. */
	CHECK_INT(lv_db_exec(db, "CREATE TABLE employees (x)"), LV_OK);
	CHECK(migrate_apply(db->conn, &from, &to, msg, sizeof(msg)) != LV_OK);
	CHECK(strstr(msg, "0001") != NULL);
	CHECK_INT(user_version(db), 0);
	CHECK(lv_db_exec(db, "SELECT count(*) FROM audit_log") != LV_OK);
	lv_db_close(db);
}

/*
 * A failure in a later migration undoes the earlier ones of the same run:
 * an upgrade never stops half-way, at a version no livery was made for.
 */
static void test_failed_upgrade_leaves_database_as_it_was(void)
{
	struct lv_db *db = open_db("d.db");
	char msg[512];
	int from = -1, to = -1;

	/* 0010_people creates this table: 0001 to 0009 succeed first */
	CHECK_INT(lv_db_exec(db, "CREATE TABLE employee_status_changes (x)"), LV_OK);
	CHECK(migrate_apply(db->conn, &from, &to, msg, sizeof(msg)) != LV_OK);
	CHECK(strstr(msg, "0010_people") != NULL);
	CHECK_INT(from, 0);
	CHECK_INT(to, 0);
	CHECK_INT(user_version(db), 0);
	CHECK(lv_db_exec(db, "SELECT count(*) FROM audit_log") != LV_OK);
	CHECK(lv_db_exec(db, "SELECT count(*) FROM employees") != LV_OK);
	CHECK_INT(lv_db_exec(db, "SELECT x FROM employee_status_changes"), LV_OK);
	lv_db_close(db);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	LV_RUN(test_numbered_without_gaps);
	LV_RUN(test_fresh_and_again);
	LV_RUN(test_newer_database_refused);
	LV_RUN(test_failed_step_rolls_back);
	LV_RUN(test_failed_upgrade_leaves_database_as_it_was);
	return lv_test_done();
}
