/*
 * test_employee.c - employees from identity claims: created, then updated
 * on the next login (same row, keyed on issuer + subject, never email);
 * hostile claim values ignored; a second login holding the same employee
 * id refused; status rules; name parts. A sign-in that changes attributes
 * writes one audit entry with only what changed (none when nothing did, none
 * for a new employee); a language choice is audited when it changes.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "employee.h"
#include "lv_err.h"
#include "lv_db.h"
#include "lv_test.h"
#include "migrate.h"

static const struct employee_claims_map map = {
	"employee_id", "department", "cost_center", "site", "groups", "locale", "manager",
};

static struct lv_db *fresh_db(void)
{
	static char dir[] = "/tmp/lv-emp-XXXXXX";
	char path[256], msg[256];
	struct lv_db *db = NULL;

	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/e.db", dir);
	CHECK_INT(lv_db_open(path, 1, 1000, &db, msg, sizeof(msg)), LV_OK);
	CHECK_INT(migrate_apply(db->conn, NULL, NULL, msg, sizeof(msg)), LV_OK);
	return db;
}

/* The number the query sql (one integer column) gives. */
static long long count(struct lv_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (lv_db_stmt(db, sql, &st) == LV_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	lv_db_done(st);
	return n;
}

static void test_create_update(struct lv_db *db)
{
	json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s,s],s:s}", "name", "Alice Martin",
			      "email", "alice@example.com", "employee_id", "E1001",
			      "department", "Retail Banking", "site", "Lyon",
			      "groups", "staff", "branch", "locale", "fr");
	json_t *e = NULL;
	int64_t id1 = 0, id2 = 0;
	int active = 0;

	CHECK_INT(employee_upsert_from_claims(db, &map, "https://idp", "sub-1", c, &id1, &active), LV_OK);
	CHECK(id1 > 0);
	CHECK_INT(active, 1);
	/* the email changes hands: still the same employee, found by sub */
	json_object_set_new(c, "email", json_string("a.martin@example.com"));
	json_object_set_new(c, "department", json_string("Head office"));
	CHECK_INT(employee_upsert_from_claims(db, &map, "https://idp", "sub-1", c, &id2, &active), LV_OK);
	CHECK_INT(id2, id1);
	CHECK_INT(employee_get(db, id1, &e), LV_OK);
	CHECK_STR(json_string_value(json_object_get(e, "email")), "a.martin@example.com");
	CHECK_STR(json_string_value(json_object_get(e, "department")), "Head office");
	CHECK_STR(json_string_value(json_array_get(json_object_get(e, "groups"), 1)), "branch");
	CHECK_STR(json_string_value(json_object_get(e, "locale")), "fr");
	json_decref(e);
	/* the first sign-in created the row (no entry); the second changed two things */
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.login_update'"), 1);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.login_update'"
			" AND actor_label = 'system'"
			" AND before = '{\"department\":\"Retail Banking\",\"email\":\"alice@example.com\"}'"
			" AND after = '{\"department\":\"Head office\",\"email\":\"a.martin@example.com\"}'"),
		  1);
	/* the same claims again: nothing changed, nothing written */
	CHECK_INT(employee_upsert_from_claims(db, &map, "https://idp", "sub-1", c, &id2, &active), LV_OK);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.login_update'"), 1);
	/* the same employee id from another subject is refused */
	CHECK_INT(employee_upsert_from_claims(db, &map, "https://idp", "sub-2", c, &id2, &active),
		  LV_ECONFLICT);
	json_decref(c);
}

static void test_hostile_claims(struct lv_db *db)
{
	char big[400];
	json_t *c, *e = NULL;
	int64_t id = 0;
	int active = 0;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	c = json_pack("{s:s,s:i,s:s,s:{},s:[i,s,n]}", "given_name", "Bob", "department", 42,
		      "site", big, "employee_id", "groups", 7, "warehouse");
	CHECK_INT(employee_upsert_from_claims(db, &map, "https://idp", "sub-3", c, &id, &active), LV_OK);
	CHECK_INT(employee_get(db, id, &e), LV_OK);
	CHECK_STR(json_string_value(json_object_get(e, "name")), "Bob");
	CHECK(json_is_null(json_object_get(e, "department")));
	CHECK(json_is_null(json_object_get(e, "site")));
	CHECK(json_is_null(json_object_get(e, "employee_id")));
	CHECK_INT(json_array_size(json_object_get(e, "groups")), 1);
	json_decref(e);
	json_decref(c);
}

static void test_status(struct lv_db *db)
{
	json_t *c = json_pack("{s:s}", "name", "Leaver");
	int64_t id = 0;
	int active = 1;

	CHECK_INT(employee_upsert_from_claims(db, &map, "https://idp", "sub-4", c, &id, &active), LV_OK);
	CHECK_INT(lv_db_exec(db, "UPDATE employees SET status = 'left' WHERE sub = 'sub-4'"), LV_OK);
	CHECK_INT(employee_upsert_from_claims(db, &map, "https://idp", "sub-4", c, &id, &active), LV_OK);
	CHECK_INT(active, 0);
	CHECK(employee_status_allows_login("active"));
	CHECK(employee_status_allows_login("on_leave"));
	CHECK(!employee_status_allows_login("left"));
	CHECK(!employee_status_allows_login("suspended"));
	CHECK(!employee_status_allows_login(NULL));
	CHECK_INT(employee_locale_set(db, id, "fr", "192.0.2.7"), LV_OK);
	CHECK_INT(employee_locale_set(db, id, "fr", "192.0.2.7"), LV_OK);
	CHECK_INT(employee_locale_set(db, 999999, "fr", NULL), LV_ENOTFOUND);
	/* one entry: by the employee, from their address; the same choice again adds none */
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.language'"
			" AND actor_label = 'Leaver' AND address = '192.0.2.7'"
			" AND before = '{\"locale_choice\":null}' AND after = '{\"locale_choice\":\"fr\"}'"), 1);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.language'"), 1);
	json_decref(c);
}

static void test_name_parts(void)
{
	char first[32], ini[8];

	employee_name_parts("Alice Martin", first, sizeof(first), ini, sizeof(ini));
	CHECK_STR(first, "Alice");
	CHECK_STR(ini, "AM");
	employee_name_parts("Élodie van der Berg", first, sizeof(first), ini, sizeof(ini));
	CHECK_STR(first, "Élodie");
	CHECK_STR(ini, "ÉB");
	employee_name_parts("Cher", first, sizeof(first), ini, sizeof(ini));
	CHECK_STR(first, "Cher");
	CHECK_STR(ini, "C");
	employee_name_parts("", first, sizeof(first), ini, sizeof(ini));
	CHECK_STR(first, "");
	CHECK_STR(ini, "");
}

int main(void)
{
	struct lv_db *db = fresh_db();

	if (db == NULL)
		return 1;
	test_create_update(db);
	test_hostile_claims(db);
	test_status(db);
	LV_RUN(test_name_parts);
	lv_db_close(db);
	return lv_test_done();
}
