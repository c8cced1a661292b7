/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_people_admin.c - the console's People area in the domain
 * (people_admin.h): the import of HR's employee file (a happy path with a
 * BOM, CRLF and quoted commas and line breaks; every kind of bad line
 * reported at once, with nothing written; duplicates; bad encodings;
 * header errors; an update against an insert; 100,000 generated rows),
 * the adoption of an imported employee at their first login (by employee
 * id, by email, never a row linked already), the statuses and what they
 * do to grants, the checkout and the login, and the list with its
 * balances and filters.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "allowance.h"
#include "employee.h"
#include "lv_buf.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "people_admin.h"

static const char catalog_csv[] =
	"category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image\n"
	"uniforms,Uniforms,shirt,Oxford shirt,Cotton shirt,uniform,0,SHT-M,M,White,Regular,30.00,1000,\n";

static const struct audit_actor hr = { 0, "Carol Diaz", "192.0.2.7" };

static const struct employee_claims_map claims_map = {
	"employee_id", "department", "cost_center", "site", "groups", "locale", "manager",
};

static int64_t q_int(struct lv_db *db, const char *sql, const char *text)
{
	return fixture_q_int(db, sql, text);
}

/* Imports text; OUT: im (initialised here; the caller cleans it up). */
static int import(struct lv_db *db, const char *text, struct people_import *im)
{
	people_import_init(im);
	return people_import_run(db, text, strlen(text), "people.csv", &hr,
				 fixture_lt(2026, 3, 2, 9, 0, 0), im);
}

/* 1 when im has an error at line for column col whose sentence contains part. */
static int has_error(const struct people_import *im, unsigned line, const char *col,
		     const char *part)
{
	char msg[1024];
	size_t i;

	for (i = 0; i < im->n_errors; i++) {
		if (im->errors[i].line != line || strcmp(im->errors[i].column, col) != 0)
			continue;
		people_import_error_say(&im->errors[i], NULL, msg, sizeof(msg));
		if (strstr(msg, part) != NULL)
			return 1;
	}
	fprintf(stderr, "no error at line %u, column \"%s\" with \"%s\"; the errors:\n", line, col,
		part);
	for (i = 0; i < im->n_errors; i++) {
		people_import_error_say(&im->errors[i], NULL, msg, sizeof(msg));
		fprintf(stderr, "  line %u, %s: %s\n", im->errors[i].line, im->errors[i].column, msg);
	}
	return 0;
}

static void test_import_happy(void)
{
	struct lv_db *db = fixture_db_new("people", 5000, NULL);
	struct people_import im;
	static const char text[] =
		"\xef\xbb\xbf" "employee_id,name,email,department,site,cost_center,job_title,"
		"employment_type,hire_date,manager_employee_id\r\n"
		"E2001,\"Laurent, Zoé\",zoe.laurent@example.com,Retail Banking,\"Lyon\r\nPart-Dieu\","
		"CC-410,Teller,full_time,2024-02-29,E1005\r\n"
		"\r\n"
		"E2002,  Paul Roux  ,,Warehouse,Rotterdam,,,,,\r\n"
		",,,,,,,,,\r\n";

	CHECK_INT(import(db, text, &im), LV_OK);
	CHECK_INT(im.rows, 2);
	CHECK_INT(im.inserted, 2);
	CHECK_INT(im.updated, 0);
	CHECK_INT(strlen(im.sha256), 64);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE iss IS NULL AND sub IS NULL", NULL), 2);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E2001' AND"
			" name = 'Laurent, Zoé' AND site = 'Lyon Part-Dieu' AND hire_date = '2024-02-29'"
			" AND manager_employee_id = 'E1005' AND status = 'active'", NULL), 1);
	/* trimmed; empty cells are NULL */
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE name = 'Paul Roux' AND email IS NULL"
			" AND hire_date IS NULL", NULL), 1);
	/* one audit entry for the whole import, with the file's digest */
	CHECK_INT(q_int(db, "SELECT count(*) FROM audit_log", NULL), 1);
	CHECK_INT(q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'people.import' AND"
			" actor_label = 'Carol Diaz' AND address = '192.0.2.7' AND"
			" json_extract(after, '$.sha256') = ?1 AND json_extract(after, '$.inserted') = 2"
			" AND json_extract(after, '$.file') = 'people.csv'", im.sha256), 1);
	people_import_cleanup(&im);
	fixture_db_drop(db);
}

/* Every kind of bad line at once; nothing is written. */
static void test_import_errors(void)
{
	struct lv_db *db = fixture_db_new("people", 5000, NULL);
	struct people_import im;
	char big[300], text[4096];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	lv_snprintf(text, sizeof(text),
		"name,employee_id,email,hire_date,manager_employee_id,status,job_title\n"
		"Good One,E1,good@example.com,2024-01-01,,,\n"             /* 2: fine */
		",E2,,,,,\n"                                                /* 3: no name */
		"Bad Id,bad id,,,,,\n"                                      /* 4 */
		"Dup,E1,,,,,\n"                                             /* 5: E1 again */
		"Mail,E5,not-an-email,,,,\n"                                /* 6 */
		"Mail2,E6,GOOD@example.com,,,,\n"                           /* 7: dup email */
		"Date,E7,,2024/01/01,,,\n"                                  /* 8 */
		"Day,E8,,2023-02-29,,,\n"                                   /* 9 */
		"Self,E9,,,E9,,\n"                                          /* 10 */
		"Status,E10,,,,gone,\n"                                     /* 11 */
		"Long,E11,,,,,%s\n"                                         /* 12 */
		"Short,E12\n"                                               /* 13: 2 values */
		"Ctl,E13,,,,,a\x01" "b\n"                                   /* 14 */
		"Latin,E14,,,,,caf\xe9\n"                                   /* 15 */
		",,,,,,\n"                                                  /* 16: blank */
		"NoId,,,,,,\n",                                             /* 17 */
		big);
	CHECK_INT(import(db, text, &im), LV_EINVAL);
	CHECK(has_error(&im, 3, "name", "The name is empty"));
	CHECK(has_error(&im, 4, "employee_id", "\"bad id\" is not an employee id"));
	CHECK(has_error(&im, 5, "employee_id", "already on line 2"));
	CHECK(has_error(&im, 6, "email", "is not an email address"));
	CHECK(has_error(&im, 7, "email", "already on line 2"));
	CHECK(has_error(&im, 8, "hire_date", "YYYY-MM-DD"));
	CHECK(has_error(&im, 9, "hire_date", "not a day of the calendar"));
	CHECK(has_error(&im, 10, "manager_employee_id", "own id"));
	CHECK(has_error(&im, 11, "status", "\"gone\" is not a status"));
	CHECK(has_error(&im, 12, "job_title", "too long (299 bytes): write at most 100"));
	CHECK(has_error(&im, 13, "", "has 2 values but the header line has 7 columns"));
	CHECK(has_error(&im, 14, "job_title", "control character (0x01)"));
	CHECK(has_error(&im, 15, "job_title", "not valid UTF-8"));
	CHECK(has_error(&im, 17, "employee_id", "The employee id is empty"));
	CHECK_INT(im.n_errors, 14);
	CHECK_INT(im.more_errors, 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees", NULL), 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM audit_log", NULL), 0);
	people_import_cleanup(&im);

	/* the header: unknown, missing and repeated columns, all named */
	CHECK_INT(import(db, "employee_id,employee_id,nom,email\nE1,E1,x,\n", &im), LV_EINVAL);
	CHECK(has_error(&im, 1, "", "\"nom\" is not a column of the employee file. The columns are: employee_id, email, name"));
	CHECK(has_error(&im, 1, "", "The column \"employee_id\" is twice"));
	CHECK(has_error(&im, 1, "", "The column \"name\" is missing"));
	people_import_cleanup(&im);

	/* broken quoting, a file that ends inside quotes, an empty file, a header alone */
	CHECK_INT(import(db, "employee_id,name\nE1,\"Al\"ice\"\n", &im), LV_EINVAL);
	CHECK(has_error(&im, 2, "", "The quoting is broken"));
	people_import_cleanup(&im);
	CHECK_INT(import(db, "employee_id,name\nE1,Alice\nE2,\"Bob\nE3,Carl\n", &im), LV_EINVAL);
	CHECK(has_error(&im, 3, "", "ends inside a quoted value"));
	people_import_cleanup(&im);
	CHECK_INT(import(db, "", &im), LV_EINVAL);
	CHECK(has_error(&im, 0, "", "The file is empty"));
	people_import_cleanup(&im);
	CHECK_INT(import(db, "employee_id,name\r\n", &im), LV_EINVAL);
	CHECK(has_error(&im, 0, "", "no employee"));
	people_import_cleanup(&im);
	/* a spreadsheet's UTF-16 */
	people_import_init(&im);
	CHECK_INT(people_import_run(db, "\xff\xfe" "e\0m\0", 6, "u16.csv", &hr, 0, &im), LV_EINVAL);
	CHECK(has_error(&im, 0, "", "UTF-16"));
	people_import_cleanup(&im);
	/* a value reports the line it starts on, after values with line breaks */
	CHECK_INT(import(db, "employee_id,name,hire_date\nE1,\"Al\nice\",\"2024-\n01\"\n", &im),
		  LV_EINVAL);
	CHECK(has_error(&im, 3, "hire_date", "not a date")); /* line 3: after the name's break */
	people_import_cleanup(&im);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees", NULL), 0);
	fixture_db_drop(db);
}

/* An email another employee has, whom the file does not list, is refused; a swap in the file is not. */
static void test_import_email_taken(void)
{
	struct lv_db *db = fixture_db_new("people", 5000, NULL);
	struct people_import im;

	CHECK_INT(import(db, "employee_id,name,email\nE1,Ann,ann@example.com\nE2,Ben,ben@example.com\n",
			 &im), LV_OK);
	people_import_cleanup(&im);
	CHECK_INT(import(db, "employee_id,name,email\nE3,Cat,Ann@Example.com\n", &im), LV_EINVAL);
	CHECK(has_error(&im, 2, "email", "already the email of Ann (E1), who is not in this file"));
	people_import_cleanup(&im);
	/* Ann and Ben swap their emails: both are in the file */
	CHECK_INT(import(db, "employee_id,name,email\nE1,Ann,ben@example.com\nE2,Ben,ann@example.com\n",
			 &im), LV_OK);
	CHECK_INT(im.updated, 2);
	people_import_cleanup(&im);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E1' AND"
			" email = 'ben@example.com'", NULL), 1);
	fixture_db_drop(db);
}

/* An existing employee gets the file's columns; their sign-in, language and status stay. */
static void test_import_update(void)
{
	struct lv_db *db = fixture_db_new("people", 5000, NULL);
	json_t *claims = json_pack("{s:s,s:s,s:s,s:s}", "name", "Alice Martin", "employee_id", "E1001",
				   "department", "Retail Banking", "email", "alice@example.com");
	struct people_import im;
	int64_t id = 0;
	int active = 0;

	CHECK_INT(employee_upsert_from_claims(db, &claims_map, "https://idp", "sub-a", claims, &id,
					      &active), LV_OK);
	CHECK_INT(employee_locale_set(db, id, "fr", NULL), LV_OK);
	CHECK_INT(lv_db_exec(db, "UPDATE employees SET status = 'on_leave'"), LV_OK);
	CHECK_INT(import(db, "employee_id,name,department,site,hire_date\n"
			 "E1001,Alice Martin,Head office,Lyon,2021-03-03\n"
			 "E1002,Bob New,Warehouse,,\n", &im), LV_OK);
	CHECK_INT(im.inserted, 1);
	CHECK_INT(im.updated, 1);
	CHECK_INT(im.unchanged, 0);
	people_import_cleanup(&im);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E1001' AND"
			" iss = 'https://idp' AND sub = 'sub-a' AND locale_choice = 'fr' AND"
			" status = 'on_leave' AND department = 'Head office' AND site = 'Lyon' AND"
			" email = 'alice@example.com' AND hire_date = '2021-03-03'", NULL), 1);
	/* its audit entry: the fields before and after */
	CHECK_INT(q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.import_update'"
			" AND entity = 'employee' AND entity_id = ?1 AND"
			" json_extract(before, '$.department') = 'Retail Banking' AND"
			" json_extract(after, '$.department') = 'Head office' AND"
			" json_extract(before, '$.name') IS NULL", "1"), 1);
	/* the same file again changes nothing and writes no entry per employee */
	CHECK_INT(import(db, "employee_id,name,department,site,hire_date\n"
			 "E1001,Alice Martin,Head office,Lyon,2021-03-03\n"
			 "E1002,Bob New,Warehouse,,\n", &im), LV_OK);
	CHECK_INT(im.unchanged, 2);
	CHECK_INT(im.updated + im.inserted, 0);
	people_import_cleanup(&im);
	CHECK_INT(q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.import_update'",
			NULL), 1);
	/* an empty value clears; a status column changes the status, with its history */
	CHECK_INT(import(db, "employee_id,name,site,status\nE1001,Alice Martin,,left\n", &im), LV_OK);
	CHECK_INT(im.status_changes, 1);
	people_import_cleanup(&im);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E1001' AND"
			" site IS NULL AND status = 'left' AND department = 'Head office'", NULL), 1);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employee_status_changes WHERE previous = 'on_leave'"
			" AND status = 'left' AND reason = 'Imported from people.csv'", NULL), 1);
	/* the next login does not undo HR's attributes that the provider does not send */
	CHECK_INT(lv_db_exec(db, "UPDATE employees SET status = 'active'"), LV_OK);
	CHECK_INT(employee_upsert_from_claims(db, &claims_map, "https://idp", "sub-a", claims, &id,
					      &active), LV_OK);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E1001' AND"
			" department = 'Retail Banking' AND hire_date = '2021-03-03'", NULL), 1);
	json_decref(claims);
	fixture_db_drop(db);
}

/* 100,000 generated rows in one import; the time is printed, not asserted. */
static void test_import_100k(void)
{
	struct lv_db *db = fixture_db_new("people", 5000, NULL);
	struct people_import im;
	struct timespec t0, t1;
	struct lv_buf b;
	int i;

	lv_buf_init(&b, 32u << 20);
	lv_buf_append_str(&b, "employee_id,name,email,department,cost_center,site,job_title,"
			      "employment_type,hire_date,manager_employee_id\n");
	for (i = 0; i < 100000; i++)
		lv_buf_printf(&b, "G%06d,\"Employee %d, generated\",g%d@example.com,Dept %d,CC-%d,"
			      "Site %d,Job %d,full_time,20%02d-%02d-%02d,G%06d\n", i, i, i, i % 40,
			      i % 90, i % 25, i % 60, i % 25, 1 + i % 12, 1 + i % 28, (i + 1) % 100000);
	people_import_init(&im);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(people_import_run(db, b.data, b.len, "big.csv", &hr, fixture_lt(2026, 3, 2, 9, 0, 0),
				    &im), LV_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "100000 rows (%zu bytes) imported in %.2f s\n", b.len,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	CHECK_INT(im.inserted, 100000);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE iss IS NULL", NULL), 100000);
	CHECK_INT(q_int(db, "SELECT count(*) FROM audit_log", NULL), 1);
	people_import_cleanup(&im);
	/* the same file again: every line compared, none changed */
	people_import_init(&im);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(people_import_run(db, b.data, b.len, "big.csv", &hr, fixture_lt(2026, 3, 2, 9, 0, 0),
				    &im), LV_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "100000 unchanged rows checked in %.2f s\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	CHECK_INT(im.unchanged, 100000);
	people_import_cleanup(&im);
	lv_buf_cleanup(&b);
	fixture_db_drop(db);
}

/* The first login adopts the imported employee: by employee id, by email, never one linked already. */
static void test_login_adoption(void)
{
	struct lv_db *db = fixture_db_new("people", 5000, NULL);
	struct people_import im;
	json_t *c;
	int64_t id = 0;
	int active = 0;

	CHECK_INT(import(db, "employee_id,name,email,department,hire_date\n"
			 "E1,Ann Imported,ann@example.com,Retail,2020-05-01\n"
			 "E2,Ben Imported,ben@example.com,Warehouse,2021-05-01\n"
			 "E3,Cat Imported,cat@example.com,Sales,\n"
			 "E4,Dan Imported,dan@example.com,Sales,\n", &im), LV_OK);
	people_import_cleanup(&im);

	/* by employee id (the default): the row is taken over, its HR data kept */
	c = json_pack("{s:s,s:s,s:s}", "name", "Ann Martin", "employee_id", "E1", "email",
		      "ann.m@example.com");
	CHECK_INT(employee_upsert_from_claims(db, &claims_map, "https://idp", "s1", c, &id, &active),
		  LV_OK);
	CHECK_INT(active, 1);
	CHECK_INT(id, q_int(db, "SELECT id FROM employees WHERE employee_id = 'E1'", NULL));
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees", NULL), 4);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E1' AND sub = 's1'"
			" AND name = 'Ann Martin' AND department = 'Retail' AND hire_date = '2020-05-01'",
			NULL), 1);
	CHECK_INT(q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.login_linked'"
			" AND json_extract(after, '$.matched_by') = 'employee_id'", NULL), 1);
	json_decref(c);

	/* by employee id only: a login without the claim, same email, gets a new row */
	c = json_pack("{s:s,s:s}", "name", "Ben", "email", "ben@example.com");
	CHECK_INT(employee_upsert_from_claims(db, &claims_map, "https://idp", "s2", c, &id, &active),
		  LV_OK);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees", NULL), 5);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E2' AND iss IS NULL",
			NULL), 1);
	/* by email: another login with that email (case aside) now takes E2 */
	json_decref(c);
	c = json_pack("{s:s,s:s}", "name", "Ben Okafor", "email", "BEN@example.com");
	CHECK_INT(employee_login_upsert(db, &claims_map, EMPLOYEE_MATCH_EMAIL, "https://idp", "s3",
					c, &id, &active), LV_OK);
	CHECK_INT(id, q_int(db, "SELECT id FROM employees WHERE employee_id = 'E2'", NULL));
	CHECK_INT(q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.login_linked'"
			" AND json_extract(after, '$.matched_by') = 'email'", NULL), 1);
	json_decref(c);

	/* never a row linked to another login: E1 has s1 */
	c = json_pack("{s:s,s:s}", "name", "Impostor", "email", "ann@example.com");
	CHECK_INT(employee_login_upsert(db, &claims_map, EMPLOYEE_MATCH_EMAIL, "https://idp", "s4", c,
					&id, &active), LV_OK);
	CHECK(id != q_int(db, "SELECT id FROM employees WHERE employee_id = 'E1'", NULL));
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E1' AND sub = 's1'",
			NULL), 1);
	json_decref(c);
	/* an email the provider has not verified adopts nobody */
	c = json_pack("{s:s,s:s,s:b}", "name", "Cat", "email", "cat@example.com", "email_verified", 0);
	CHECK_INT(employee_login_upsert(db, &claims_map, EMPLOYEE_MATCH_EMAIL, "https://idp", "s5", c,
					&id, &active), LV_OK);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E3' AND iss IS NULL",
			NULL), 1);
	json_decref(c);
	/* employee id, then email: the id finds nobody, the email finds E4 */
	c = json_pack("{s:s,s:s,s:s}", "name", "Dan", "employee_id", "E9", "email", "dan@example.com");
	CHECK_INT(employee_login_upsert(db, &claims_map, EMPLOYEE_MATCH_EMPLOYEE_ID_THEN_EMAIL,
					"https://idp", "s6", c, &id, &active), LV_OK);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employees WHERE employee_id = 'E9' AND sub = 's6'"
			" AND department = 'Sales'", NULL), 1);
	json_decref(c);
	/* an imported employee who has left cannot sign in */
	CHECK_INT(import(db, "employee_id,name,status\nE7,Eve Gone,left\n", &im), LV_OK);
	people_import_cleanup(&im);
	c = json_pack("{s:s,s:s}", "name", "Eve", "employee_id", "E7");
	active = 1;
	CHECK_INT(employee_upsert_from_claims(db, &claims_map, "https://idp", "s7", c, &id, &active),
		  LV_OK);
	CHECK_INT(active, 0);
	json_decref(c);
	CHECK_INT(employee_match_parse("email", &(enum employee_match){ 0 }), LV_OK);
	CHECK_INT(employee_match_parse("sub", &(enum employee_match){ 0 }), LV_EINVAL);
	fixture_db_drop(db);
}

/* Grants of employee id in programme prog. */
static int64_t grants(struct lv_db *db, int64_t id, int64_t prog)
{
	return fixture_q_int3(db, "SELECT count(*) FROM allowance_ledger WHERE employee = ?1 AND"
			      " programme = ?2 AND kind = 'grant'", id, prog, NULL);
}

/* On leave: no grant falls due, no order; back: granted again; left: frozen, no sign-in. */
static void test_status_effects(void)
{
	struct lv_db *db = fixture_db_new("people", 5000, catalog_csv);
	struct fixture_employee fe = { .hr_id = "E1", .name = "Ann", .site = "Lyon",
				       .hire_date = "2020-01-15" };
	static const char *const skus[] = { "SHT-M" };
	static const int64_t qty[] = { 1 };
	struct fixture_order o = { 0 };
	int64_t id = fixture_employee_add(db, &fe), prog, bal = -1, rows;
	char ref[33];
	int changed = 0, active = 1;
	json_t *c;

	prog = fixture_programme_add(db, "{\"slug\":\"uniform\",\"name\":\"Uniform\",\"unit\":\"money\","
				     "\"amount\":10000,\"period\":\"monthly\",\"overage\":\"deny\"}",
				     fixture_lt(2026, 1, 1, 0, 0, 0));
	CHECK_INT(allowance_materialise(db, id, fixture_lt(2026, 3, 15, 12, 0, 0)), LV_OK);
	CHECK_INT(grants(db, id, prog), 3);
	rows = q_int(db, "SELECT count(*) FROM allowance_ledger", NULL);

	/* on leave from 20 March */
	CHECK_INT(people_admin_status_set(db, "E1", "on_leave", "Parental leave", &hr,
					  fixture_lt(2026, 3, 20, 9, 0, 0), &changed), LV_OK);
	CHECK_INT(changed, 1);
	CHECK_INT(q_int(db, "SELECT count(*) FROM allowance_ledger", NULL), rows); /* nothing lost */
	CHECK_INT(q_int(db, "SELECT count(*) FROM audit_log WHERE action = 'employee.status' AND"
			" json_extract(before, '$.status') = 'active' AND"
			" json_extract(after, '$.status') = 'on_leave' AND"
			" json_extract(after, '$.reason') = 'Parental leave' AND address = '192.0.2.7'",
			NULL), 1);
	/* the same status again: nothing written */
	CHECK_INT(people_admin_status_set(db, "E1", "on_leave", "Again", &hr,
					  fixture_lt(2026, 3, 21, 9, 0, 0), &changed), LV_OK);
	CHECK_INT(changed, 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employee_status_changes", NULL), 1);
	/* April to June fall due while away: not granted */
	CHECK_INT(allowance_materialise(db, id, fixture_lt(2026, 6, 15, 12, 0, 0)), LV_OK);
	CHECK_INT(grants(db, id, prog), 3);
	/* the checkout refuses them (and they may still sign in) */
	o.employee = id;
	o.skus = skus;
	o.qty = qty;
	o.n = 1;
	o.at = fixture_lt(2026, 6, 15, 12, 0, 0);
	CHECK_INT(fixture_order_place(db, &o, ref), 403);
	CHECK_INT(q_int(db, "SELECT count(*) FROM orders", NULL), 0);
	CHECK(employee_status_allows_login("on_leave"));

	/* back on 20 June: July is granted, not April to June */
	CHECK_INT(people_admin_status_set(db, "E1", "active", "Back", &hr,
					  fixture_lt(2026, 6, 20, 9, 0, 0), &changed), LV_OK);
	CHECK_INT(allowance_materialise(db, id, fixture_lt(2026, 7, 10, 12, 0, 0)), LV_OK);
	CHECK_INT(grants(db, id, prog), 4);
	CHECK_INT(fixture_q_int3(db, "SELECT count(*) FROM allowance_ledger WHERE employee = ?1 AND"
				 " kind = 'grant' AND period_key IN ('2026-04', '2026-05', '2026-06')",
				 id, 0, NULL), 0);
	CHECK_INT(allowance_balance_get(db, id, prog, fixture_lt(2026, 7, 10, 12, 0, 0), &bal), LV_OK);
	CHECK_INT(bal, 10000);
	o.at = fixture_lt(2026, 7, 10, 12, 0, 0);
	CHECK_INT(fixture_order_place(db, &o, ref), 201);

	/* left on 15 July: frozen, nothing more is written, and no sign-in */
	CHECK_INT(people_admin_status_set(db, "E1", "left", "Resigned", &hr,
					  fixture_lt(2026, 7, 15, 9, 0, 0), &changed), LV_OK);
	rows = q_int(db, "SELECT count(*) FROM allowance_ledger", NULL);
	CHECK_INT(allowance_materialise(db, id, fixture_lt(2026, 10, 10, 12, 0, 0)), LV_OK);
	CHECK_INT(q_int(db, "SELECT count(*) FROM allowance_ledger", NULL), rows);
	CHECK_INT(q_int(db, "SELECT sum(amount) FROM allowance_ledger WHERE period_key = '2026-07'",
			NULL), 7000);
	o.at = fixture_lt(2026, 8, 10, 12, 0, 0);
	CHECK_INT(fixture_order_place(db, &o, ref), 403);
	CHECK_INT(lv_db_exec(db, "UPDATE employees SET iss = 'https://idp', sub = 'x1' WHERE id = 1"),
		  LV_OK);
	c = json_pack("{s:s,s:s}", "name", "Ann", "employee_id", "E1");
	CHECK_INT(employee_upsert_from_claims(db, &claims_map, "https://idp", "x1", c, &id, &active),
		  LV_OK);
	CHECK_INT(active, 0);
	json_decref(c);

	/* refusals: unknown employee, bad status, no reason */
	CHECK_INT(people_admin_status_set(db, "E404", "left", "x", &hr, 0, &changed), LV_ENOTFOUND);
	CHECK_INT(people_admin_status_set(db, "E1", "suspended", "x", &hr, 0, &changed), LV_EINVAL);
	CHECK_INT(people_admin_status_set(db, "E1", "active", "  ", &hr, 0, &changed), LV_EINVAL);
	CHECK(people_status_check("on_leave") == NULL);
	CHECK(people_reason_check("") != NULL);
	CHECK_INT(q_int(db, "SELECT count(*) FROM employee_status_changes", NULL), 3);
	fixture_db_drop(db);
}

/* The list: filters, pages, balances summed from the ledger; one employee; facets. */
static void test_list(void)
{
	struct lv_db *db = fixture_db_new("people", 5000, NULL);
	struct people_filter f = { NULL, NULL, NULL, NULL };
	struct people_import im;
	struct lv_buf b;
	json_t *out = NULL, *e;
	int64_t prog, id;
	int i;

	lv_buf_init(&b, 1 << 20);
	lv_buf_append_str(&b, "employee_id,name,email,department,site\n");
	for (i = 0; i < 120; i++)
		lv_buf_printf(&b, "E%03d,Person %03d,p%d@example.com,%s,%s\n", i, i, i,
			      i % 2 ? "Warehouse" : "Retail", i % 3 ? "Lyon" : "Paris");
	lv_buf_append_str(&b, "X_1,Zed_cent%,x@example.com,Retail,Lyon\n");
	people_import_init(&im);
	CHECK_INT(people_import_run(db, b.data, b.len, "l.csv", &hr, 0, &im), LV_OK);
	people_import_cleanup(&im);
	lv_buf_cleanup(&b);
	prog = fixture_programme_add(db, "{\"slug\":\"pts\",\"name\":\"Points\",\"unit\":\"points\","
				     "\"points_rate\":50,\"amount\":40,\"period\":\"yearly\","
				     "\"overage\":\"deny\"}", fixture_lt(2026, 1, 1, 0, 0, 0));
	id = q_int(db, "SELECT id FROM employees WHERE employee_id = 'E000'", NULL);
	CHECK_INT(allowance_materialise(db, id, fixture_lt(2026, 2, 1, 0, 0, 0)), LV_OK);
	CHECK_INT(allowance_adjust_as(db, id, prog, -15, "typo", &hr, fixture_lt(2026, 2, 1, 0, 0, 0)),
		  LV_OK);

	CHECK_INT(people_admin_list(db, &f, 1, PEOPLE_PER_PAGE, &out), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(out, "total")), 121);
	CHECK_INT(json_integer_value(json_object_get(out, "pages")), 3);
	CHECK_INT(json_array_size(json_object_get(out, "employees")), 50);
	e = json_array_get(json_object_get(out, "employees"), 0);
	CHECK_STR(json_string_value(json_object_get(e, "employee_id")), "E000");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(e, "balances"), 0),
						     "balance")), 25);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(e, "balances"), 0),
						    "unit")), "points");
	json_decref(out);
	CHECK_INT(people_admin_list(db, &f, 3, PEOPLE_PER_PAGE, &out), LV_OK);
	CHECK_INT(json_array_size(json_object_get(out, "employees")), 21);
	json_decref(out);
	/* past the end: the total still says how many there are */
	CHECK_INT(people_admin_list(db, &f, 9, PEOPLE_PER_PAGE, &out), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(out, "total")), 121);
	json_decref(out);
	/* filters together; LIKE's wildcards are searched for as they are */
	f.department = "Warehouse";
	f.site = "Paris";
	CHECK_INT(people_admin_list(db, &f, 1, PEOPLE_PER_PAGE, &out), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(out, "total")), 20);
	json_decref(out);
	f.department = f.site = NULL;
	f.q = "%";
	CHECK_INT(people_admin_list(db, &f, 1, PEOPLE_PER_PAGE, &out), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(out, "total")), 1);
	json_decref(out);
	f.q = "p11";
	CHECK_INT(people_admin_list(db, &f, 1, PEOPLE_PER_PAGE, &out), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(out, "total")), 11); /* p11, p110..p119 */
	json_decref(out);
	f.q = NULL;
	f.status = "gone";
	CHECK_INT(people_admin_list(db, &f, 1, PEOPLE_PER_PAGE, &out), LV_EINVAL);
	f.status = "left";
	CHECK_INT(people_admin_list(db, &f, 1, PEOPLE_PER_PAGE, &out), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(out, "total")), 0);
	json_decref(out);

	CHECK_INT(people_admin_facets(db, &out), LV_OK);
	CHECK_INT(json_array_size(json_object_get(out, "departments")), 2);
	CHECK_STR(json_string_value(json_array_get(json_object_get(out, "sites"), 0)), "Lyon");
	json_decref(out);

	CHECK_INT(people_admin_get(db, "E000", fixture_lt(2026, 2, 1, 0, 0, 0), &out), LV_OK);
	CHECK_STR(json_string_value(json_object_get(out, "department")), "Retail");
	CHECK(json_is_false(json_object_get(out, "signed_in")));
	json_decref(out);
	CHECK_INT(people_admin_get(db, "nobody", 0, &out), LV_ENOTFOUND);
	CHECK_INT(people_admin_ledger(db, id, 1, 1, &out), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(out, "total")), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(out, "entries"), 0),
						    "kind")), "adjustment");
	json_decref(out);
	CHECK_INT(people_admin_history(db, id, 10, &out), LV_OK);
	CHECK_STR(json_string_value(json_object_get(json_array_get(out, 0), "action")),
		  "allowance.adjust");
	json_decref(out);
	fixture_db_drop(db);
}

int main(void)
{
	LV_RUN(test_import_happy);
	LV_RUN(test_import_errors);
	LV_RUN(test_import_email_taken);
	LV_RUN(test_import_update);
	LV_RUN(test_import_100k);
	LV_RUN(test_login_adoption);
	LV_RUN(test_status_effects);
	LV_RUN(test_list);
	return lv_test_done();
}
