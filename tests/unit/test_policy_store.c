/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_policy_store.c - catalog policies in the store's database
 * (store/domain/policy_store.c) against a real migrated database: put,
 * get, list, delete with versions; all-or-nothing validation of a change
 * as a whole set (a refused change writes no row, no history, no audit);
 * the append-only history; import (all or nothing) and export; and the
 * loaders of employees, products and past order lines, including local
 * days around midnight (the tests run in Europe/Paris).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"
#include "policy_store.h"

static const char catalog_csv[] =
	"category,category_name,product_slug,product_name,description,tags,restricted,sku,size,colour,fit,price,stock,image\n"
	"uniforms,Uniforms,shirt,Oxford shirt,Cotton shirt,uniform|branch,0,SHIRT-M,M,White,Regular,4.00,50,\n"
	"uniforms,Uniforms,shirt,Oxford shirt,Cotton shirt,uniform|branch,0,SHIRT-L,L,Blue,Slim,4.00,50,\n"
	"uniforms,Uniforms,shirt,Oxford shirt,Cotton shirt,uniform|branch,0,SHIRT-XL,XL,White,Regular,4.00,50,\n"
	"outerwear,Outerwear,parka,Parka,Warm,warehouse,1,PARKA,L,Black,,90.00,10,\n"
	"accessories,Accessories,lanyard,Lanyard,Lanyard,,0,LAN,,Navy,,3.50,100,\n";

#define T0 fixture_lt(2026, 11, 20, 10, 0, 0)

static const char pol_branch[] =
	"{\"name\": \"branch-staff\", \"title\": \"Branch staff\","
	" \"audience\": {\"department\": [\"Branch\"]},"
	" \"visibility\": {\"allow\": {\"categories\": [\"uniforms\"]}}}";
static const char pol_branch2[] =
	"{\"name\": \"branch-staff\", \"title\": \"Branch staff, navy\","
	" \"audience\": {\"department\": [\"Branch\"]},"
	" \"visibility\": {\"allow\": {\"categories\": [\"uniforms\", \"accessories\"]}}}";
static const char pol_ware[] =
	"{\"name\": \"warehouse\", \"title\": \"Warehouse\","
	" \"audience\": {\"site\": [\"Rotterdam\"]},"
	" \"limits\": [{\"tag\": \"uniform\", \"max\": 5, \"per\": \"year\"}]}";
/* two errors: max below 1 and an unknown period */
static const char pol_broken[] =
	"{\"name\": \"broken\", \"audience\": {},"
	" \"limits\": [{\"tag\": \"uniform\", \"max\": 0, \"per\": \"fortnight\"}]}";

static const struct audit_actor cli_actor = { 0, "cli", NULL };

static int64_t count(struct lv_db *db, const char *sql)
{
	return fixture_q_int(db, sql, NULL);
}

static int put(struct lv_db *db, const char *name, const char *text, enum policy_put_mode mode,
	       int64_t if_version, enum policy_change *ch, int64_t *version,
	       struct policy_errors *errs)
{
	return policy_store_put(db, &cli_actor, name, text, strlen(text), mode, if_version, ch,
				version, errs);
}

/* Does some error of e have a path starting with prefix? */
static int errs_have_path(const struct policy_errors *e, const char *prefix)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strncmp(e->v[i].path, prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

static void test_put_get_list(void)
{
	struct lv_db *db = fixture_db_new("pstore", 2000, NULL);
	struct policy_errors errs;
	enum policy_change ch = POLICY_DELETED;
	json_t *o = NULL, *list = NULL;
	int64_t v = 0;

	policy_errors_init(&errs);
	CHECK_INT(put(db, NULL, pol_branch, POLICY_PUT_CREATE, 0, &ch, &v, &errs), LV_OK);
	CHECK_INT(ch, POLICY_CREATED);
	CHECK_INT(v, 1);
	CHECK_INT(errs.n, 0);

	CHECK_INT(policy_store_get(db, "branch-staff", &o), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(o, "version")), 1);
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "policy"), "title")),
		  "Branch staff");
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "updated_by"), "label")),
		  "cli");
	json_decref(o);
	o = NULL;
	CHECK_INT(policy_store_get(db, "nobody", &o), LV_ENOTFOUND);
	CHECK(o == NULL);
	/* stored pretty, keys in the order given */
	CHECK(fixture_q_int(db, "SELECT instr(body, char(10)) > 0 AND instr(body, '\"name\"') <"
			    " instr(body, '\"title\"') FROM policies WHERE name = ?1",
			    "branch-staff") == 1);

	/* the same text again changes nothing */
	CHECK_INT(put(db, "branch-staff", pol_branch, POLICY_PUT_UPSERT, 0, &ch, &v, &errs), LV_OK);
	CHECK_INT(ch, POLICY_UNCHANGED);
	CHECK_INT(v, 1);
	CHECK_INT(count(db, "SELECT count(*) FROM policy_history"), 1);

	/* an update, then the refusals */
	CHECK_INT(put(db, "branch-staff", pol_branch2, POLICY_PUT_UPDATE, 1, &ch, &v, &errs), LV_OK);
	CHECK_INT(ch, POLICY_UPDATED);
	CHECK_INT(v, 2);
	CHECK_INT(put(db, NULL, pol_branch, POLICY_PUT_CREATE, 0, &ch, &v, &errs), LV_ECONFLICT);
	CHECK_INT(put(db, NULL, pol_ware, POLICY_PUT_UPDATE, 0, &ch, &v, &errs), LV_ENOTFOUND);
	CHECK_INT(put(db, "branch-staff", pol_branch, POLICY_PUT_UPDATE, 1, &ch, &v, &errs),
		  LV_ECONFLICT); /* stale version */
	CHECK_INT(errs.n, 0);
	CHECK_INT(put(db, "warehouse", pol_branch, POLICY_PUT_UPDATE, 0, &ch, &v, &errs),
		  LV_EINVAL); /* the address names another policy */
	CHECK(errs_have_path(&errs, "$.name"));
	policy_errors_cleanup(&errs);
	policy_errors_init(&errs);

	CHECK_INT(put(db, NULL, pol_ware, POLICY_PUT_UPSERT, 0, &ch, &v, &errs), LV_OK);
	CHECK_INT(policy_store_list(db, &list), LV_OK);
	CHECK_INT(json_array_size(list), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "name")),
		  "branch-staff");
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "title")),
		  "Branch staff, navy");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(list, 0), "version")), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 1), "name")), "warehouse");
	json_decref(list);
	policy_errors_cleanup(&errs);
	fixture_db_drop(db);
}

/* A refused change leaves every table as it was, and says where. */
static void test_put_refused(void)
{
	struct lv_db *db = fixture_db_new("pstore", 2000, NULL);
	struct policy_errors errs;
	enum policy_change ch;
	int64_t v = 0, audits;
	char huge[64];

	policy_errors_init(&errs);
	CHECK_INT(put(db, NULL, pol_branch, POLICY_PUT_CREATE, 0, &ch, &v, &errs), LV_OK);
	audits = count(db, "SELECT count(*) FROM audit_log");
	CHECK_INT(audits, 1);

	CHECK_INT(put(db, NULL, pol_broken, POLICY_PUT_CREATE, 0, &ch, &v, &errs), LV_EINVAL);
	CHECK(errs.n >= 2);
	CHECK(errs_have_path(&errs, "$.limits[0].max"));
	CHECK(errs_have_path(&errs, "$.limits[0].per"));
	CHECK(errs.n > 0 && strcmp(errs.v[0].origin, "broken") == 0);
	CHECK(errs.n > 0 && errs.v[0].message[0] != '\0');
	policy_errors_cleanup(&errs);
	policy_errors_init(&errs);

	/* not JSON, not an object, no name */
	CHECK_INT(put(db, NULL, "{\"name\": ", POLICY_PUT_UPSERT, 0, &ch, &v, &errs), LV_EINVAL);
	CHECK(errs.n >= 1);
	CHECK_INT(put(db, NULL, "[1, 2]", POLICY_PUT_UPSERT, 0, &ch, &v, &errs), LV_EINVAL);
	CHECK_INT(put(db, NULL, "{\"title\": \"x\"}", POLICY_PUT_UPSERT, 0, &ch, &v, &errs),
		  LV_EINVAL);
	/* an update that breaks a working policy */
	policy_errors_cleanup(&errs);
	policy_errors_init(&errs);
	CHECK_INT(put(db, "branch-staff",
		      "{\"name\": \"branch-staff\", \"audience\": {\"department\": 3}}",
		      POLICY_PUT_UPDATE, 0, &ch, &v, &errs), LV_EINVAL);
	CHECK(errs_have_path(&errs, "$.audience"));
	lv_snprintf(huge, sizeof(huge), "%s", "x");
	CHECK_INT(policy_store_put(db, &cli_actor, NULL, huge, POLICY_STORE_MAX_TEXT + 1,
				   POLICY_PUT_UPSERT, 0, &ch, &v, &errs), LV_ETOOBIG);

	CHECK_INT(count(db, "SELECT count(*) FROM policies"), 1);
	CHECK_INT(count(db, "SELECT version FROM policies"), 1);
	CHECK_INT(count(db, "SELECT count(*) FROM policy_history"), 1);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log"), audits);
	policy_errors_cleanup(&errs);
	fixture_db_drop(db);
}

static void test_history(void)
{
	struct lv_db *db = fixture_db_new("pstore", 2000, NULL);
	struct policy_errors errs;
	enum policy_change ch;
	json_t *h = NULL, *e;
	int64_t v = 0;

	policy_errors_init(&errs);
	CHECK_INT(put(db, NULL, pol_branch, POLICY_PUT_CREATE, 0, &ch, &v, &errs), LV_OK);
	CHECK_INT(put(db, NULL, pol_branch2, POLICY_PUT_UPSERT, 0, &ch, &v, &errs), LV_OK);
	CHECK_INT(policy_store_delete(db, &cli_actor, "branch-staff", 1, &errs), LV_ECONFLICT);
	CHECK_INT(policy_store_delete(db, &cli_actor, "branch-staff", 2, &errs), LV_OK);
	CHECK_INT(policy_store_delete(db, &cli_actor, "branch-staff", 0, &errs), LV_ENOTFOUND);
	CHECK_INT(count(db, "SELECT count(*) FROM policies"), 0);
	/* created again: the versions go on */
	CHECK_INT(put(db, NULL, pol_branch, POLICY_PUT_CREATE, 0, &ch, &v, &errs), LV_OK);
	CHECK_INT(v, 4);

	CHECK_INT(policy_store_history(db, "branch-staff", &h), LV_OK);
	CHECK_INT(json_array_size(h), 4);
	e = json_array_get(h, 0);
	CHECK_STR(json_string_value(json_object_get(e, "action")), "create");
	CHECK(json_is_null(json_object_get(e, "before")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(e, "after"), "title")),
		  "Branch staff");
	e = json_array_get(h, 1);
	CHECK_STR(json_string_value(json_object_get(e, "action")), "update");
	CHECK_INT(json_integer_value(json_object_get(e, "version")), 2);
	CHECK_STR(json_string_value(json_object_get(json_object_get(e, "before"), "title")),
		  "Branch staff");
	CHECK_STR(json_string_value(json_object_get(json_object_get(e, "after"), "title")),
		  "Branch staff, navy");
	e = json_array_get(h, 2);
	CHECK_STR(json_string_value(json_object_get(e, "action")), "delete");
	CHECK(json_is_null(json_object_get(e, "after")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(e, "actor"), "label")), "cli");
	CHECK(json_is_null(json_object_get(json_object_get(e, "actor"), "employee")));
	json_decref(h);
	h = NULL;
	CHECK_INT(policy_store_history(db, "nobody", &h), LV_ENOTFOUND);

	/* every change is in the audit log too */
	CHECK_INT(fixture_q_int(db, "SELECT count(*) FROM audit_log WHERE entity = 'policy'"
			       " AND entity_id = ?1", "branch-staff"), 4);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'policy.delete'"), 1);

	/* append-only */
	CHECK(sqlite3_exec(db->conn, "UPDATE policy_history SET actor_label = 'x'", NULL, NULL,
			   NULL) != SQLITE_OK);
	CHECK(sqlite3_exec(db->conn, "DELETE FROM policy_history", NULL, NULL, NULL) !=
	      SQLITE_OK);
	CHECK_INT(count(db, "SELECT count(*) FROM policy_history"), 4);
	policy_errors_cleanup(&errs);
	fixture_db_drop(db);
}

static void test_import_export(void)
{
	struct lv_db *db = fixture_db_new("pstore", 2000, NULL);
	struct policy_source src[3] = {
		{ "a.json", pol_branch, sizeof(pol_branch) - 1 },
		{ "b.json", pol_ware, sizeof(pol_ware) - 1 },
		{ "c.json", pol_broken, sizeof(pol_broken) - 1 },
	};
	struct policy_errors errs;
	struct policy_set *set = NULL;
	json_t *rep = NULL, *f;
	json_error_t jerr;
	char dir[512], path[600];
	size_t n = 0;
	char msg[256];

	policy_errors_init(&errs);
	/* one bad file: nothing at all */
	CHECK_INT(policy_store_import(db, &cli_actor, src, 3, &rep, &errs), LV_EINVAL);
	CHECK(rep == NULL);
	CHECK(errs.n >= 2);
	CHECK(errs.n > 0 && strcmp(errs.v[0].origin, "c.json") == 0);
	CHECK_INT(count(db, "SELECT count(*) FROM policies"), 0);
	CHECK_INT(count(db, "SELECT count(*) FROM policy_history"), 0);
	policy_errors_cleanup(&errs);
	policy_errors_init(&errs);

	/* two files naming the same policy: nothing */
	src[2].text = pol_branch2;
	src[2].len = sizeof(pol_branch2) - 1;
	CHECK_INT(policy_store_import(db, &cli_actor, src, 3, &rep, &errs), LV_EINVAL);
	CHECK(errs_have_path(&errs, "$.name"));
	CHECK_INT(count(db, "SELECT count(*) FROM policies"), 0);
	policy_errors_cleanup(&errs);
	policy_errors_init(&errs);

	CHECK_INT(policy_store_import(db, &cli_actor, src, 2, &rep, &errs), LV_OK);
	CHECK_INT(json_array_size(rep), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rep, 0), "change")), "created");
	CHECK_STR(json_string_value(json_object_get(json_array_get(rep, 1), "origin")), "b.json");
	json_decref(rep);
	rep = NULL;
	/* again, with a's policy changed */
	src[0].text = pol_branch2;
	src[0].len = sizeof(pol_branch2) - 1;
	CHECK_INT(policy_store_import(db, &cli_actor, src, 2, &rep, &errs), LV_OK);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rep, 0), "change")), "updated");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(rep, 0), "version")), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rep, 1), "change")),
		  "unchanged");
	json_decref(rep);
	CHECK_INT(count(db, "SELECT count(*) FROM policy_history WHERE action = 'import'"), 3);

	CHECK_INT(policy_store_load_set(db, &set, &errs), LV_OK);
	CHECK_INT(policy_set_count(set), 2);
	policy_set_unref(set);

	lv_snprintf(dir, sizeof(dir), "%s/export", fixture_dir());
	CHECK(mkdir(dir, 0700) == 0);
	CHECK_INT(policy_store_export(db, dir, &n, msg, sizeof(msg)), LV_OK);
	CHECK_INT(n, 2);
	lv_snprintf(path, sizeof(path), "%s/warehouse.json", dir);
	f = json_load_file(path, 0, &jerr);
	CHECK_STR(json_string_value(json_object_get(f, "name")), "warehouse");
	json_decref(f);
	lv_snprintf(path, sizeof(path), "%s/branch-staff.json", dir);
	f = json_load_file(path, 0, &jerr);
	CHECK_STR(json_string_value(json_object_get(f, "title")), "Branch staff, navy");
	json_decref(f);
	lv_snprintf(path, sizeof(path), "%s/nowhere", dir);
	CHECK(policy_store_export(db, path, &n, msg, sizeof(msg)) != LV_OK);
	policy_errors_cleanup(&errs);
	fixture_db_drop(db);

	/* an empty store: the empty set */
	db = fixture_db_new("pstore", 2000, NULL);
	policy_errors_init(&errs);
	CHECK_INT(policy_store_load_set(db, &set, &errs), LV_OK);
	CHECK(set != NULL);
	CHECK_INT(policy_set_count(set), 0);
	policy_set_unref(set);
	policy_errors_cleanup(&errs);
	fixture_db_drop(db);
}

static int64_t day_of(const char *ymd)
{
	int64_t d = -2;

	CHECK_INT(policy_day_parse(ymd, &d), LV_OK);
	return d;
}

static void test_subject_load(void)
{
	struct lv_db *db = fixture_db_new("pstore", 2000, NULL);
	struct fixture_employee e = {
		.hr_id = "E1001", .department = "Retail Banking", .site = "Lyon branch",
		.cost_center = "CC-42", .job_title = "branch teller",
		.employment_type = "full_time", .groups = "[\"staff\", \"branch\"]",
		.hire_date = "2020-01-15",
	};
	struct fixture_employee bare = { .hr_id = "E1002" };
	struct policy_subject_data s;
	int64_t id = fixture_employee_add(db, &e), id2 = fixture_employee_add(db, &bare);

	CHECK_INT(policy_subject_load(db, id, T0, &s), LV_OK);
	CHECK_STR(s.s.employee_id, "E1001");
	CHECK_STR(s.s.department, "Retail Banking");
	CHECK_STR(s.s.cost_center, "CC-42");
	CHECK_STR(s.s.site, "Lyon branch");
	CHECK_STR(s.s.job_title, "branch teller");
	CHECK_STR(s.s.employment_type, "full_time");
	CHECK_INT(s.s.ngroups, 2);
	CHECK(s.s.ngroups == 2 && strcmp(s.s.groups[0], "staff") == 0 &&
	      strcmp(s.s.groups[1], "branch") == 0);
	CHECK_INT(s.s.hire_day, day_of("2020-01-15"));
	CHECK_INT(s.s.today, day_of("2026-11-20"));
	policy_subject_data_cleanup(&s);

	/* local days: 00:30 in Paris is still the previous day in UTC */
	CHECK_INT(policy_subject_load(db, id, fixture_lt(2026, 11, 21, 0, 30, 0), &s), LV_OK);
	CHECK_INT(s.s.today, day_of("2026-11-21"));
	policy_subject_data_cleanup(&s);
	CHECK_INT(policy_subject_load(db, id, fixture_lt(2026, 11, 20, 23, 30, 0), &s), LV_OK);
	CHECK_INT(s.s.today, day_of("2026-11-20"));
	policy_subject_data_cleanup(&s);

	CHECK_INT(policy_subject_load(db, id2, T0, &s), LV_OK);
	CHECK(s.s.department == NULL && s.s.site == NULL && s.s.employment_type == NULL);
	CHECK_INT(s.s.ngroups, 0);
	CHECK_INT(s.s.hire_day, -1);
	policy_subject_data_cleanup(&s);

	CHECK_INT(policy_subject_load(db, 999999, T0, &s), LV_ENOTFOUND);
	policy_subject_data_cleanup(&s);
	fixture_db_drop(db);
}

static void test_product_load(void)
{
	struct lv_db *db = fixture_db_new("pstore", 2000, catalog_csv);
	struct policy_product_data p;

	CHECK_INT(policy_product_load(db, "shirt", &p), LV_OK);
	CHECK_STR(p.p.slug, "shirt");
	CHECK_STR(p.name, "Oxford shirt");
	CHECK_STR(p.p.category, "uniforms");
	CHECK_INT(p.p.restricted, 0);
	CHECK_INT(p.p.ntags, 2);
	CHECK(p.p.ntags == 2 && strcmp(p.p.tags[0], "branch") == 0 &&
	      strcmp(p.p.tags[1], "uniform") == 0);
	CHECK_INT(p.nvariants, 3);
	CHECK_INT(p.selected, -1);
	CHECK(p.nvariants == 3 && strcmp(p.variants[1].sku, "SHIRT-L") == 0 &&
	      strcmp(p.variants[1].colour, "Blue") == 0 && strcmp(p.variants[1].fit, "Slim") == 0 &&
	      strcmp(p.variants[1].size, "L") == 0 && p.variants[1].price == 400);
	policy_product_data_cleanup(&p);

	/* by SKU; an inactive variant is left out unless it is the one asked for */
	CHECK(sqlite3_exec(db->conn, "UPDATE variants SET active = 0 WHERE sku = 'SHIRT-XL'",
			   NULL, NULL, NULL) == SQLITE_OK);
	CHECK_INT(policy_product_load(db, "SHIRT-L", &p), LV_OK);
	CHECK_INT(p.nvariants, 2);
	CHECK(p.selected >= 0 && strcmp(p.variants[p.selected].sku, "SHIRT-L") == 0);
	policy_product_data_cleanup(&p);
	CHECK_INT(policy_product_load(db, "SHIRT-XL", &p), LV_OK);
	CHECK_INT(p.nvariants, 3);
	CHECK(p.selected >= 0 && strcmp(p.variants[p.selected].sku, "SHIRT-XL") == 0);
	policy_product_data_cleanup(&p);

	CHECK_INT(policy_product_load(db, "parka", &p), LV_OK);
	CHECK_INT(p.p.restricted, 1);
	CHECK_STR(p.p.category, "outerwear");
	policy_product_data_cleanup(&p);
	CHECK_INT(policy_product_load(db, "LAN", &p), LV_OK);
	CHECK_INT(p.p.ntags, 0);
	CHECK_STR(p.variants[0].size, "");
	policy_product_data_cleanup(&p);

	CHECK_INT(policy_product_load(db, "no-such-thing", &p), LV_ENOTFOUND);
	policy_product_data_cleanup(&p);
	fixture_db_drop(db);
}

static int place(struct lv_db *db, int64_t emp, const char *sku, int64_t qty, int64_t at,
		 char *ref)
{
	const char *skus[1] = { sku };
	int64_t q[1] = { qty };
	struct fixture_order o = {
		.employee = emp, .skus = skus, .qty = q, .n = 1, .uncovered = "payroll",
		.consent = 1, .at = at,
	};

	return fixture_order_place(db, &o, ref);
}

static void test_past_load(void)
{
	struct lv_db *db = fixture_db_new("pstore", 2000, catalog_csv);
	struct fixture_employee a = { .hr_id = "E1", .site = "Lyon", .hire_date = "2020-01-01" };
	struct fixture_employee b = { .hr_id = "E2", .site = "Lyon" };
	int64_t ea = fixture_employee_add(db, &a), eb = fixture_employee_add(db, &b);
	char r1[40], r2[40], r3[40], r4[40];
	struct policy_past past;
	int64_t t_late = fixture_lt(2026, 12, 31, 23, 45, 0);

	CHECK_INT(place(db, ea, "SHIRT-M", 3, T0, r1), 201);
	CHECK_INT(place(db, ea, "LAN", 2, t_late, r2), 201);
	CHECK_INT(place(db, ea, "SHIRT-L", 1, T0 + 86400, r3), 201);
	CHECK_INT(place(db, eb, "SHIRT-M", 4, T0, r4), 201);
	/* r3 cancelled; one shirt of r1 cancelled and one returned */
	CHECK(fixture_q_int(db, "UPDATE orders SET status = 'cancelled' WHERE ref = ?1"
			    " RETURNING 1", r3) == 1);
	CHECK(fixture_q_int(db, "UPDATE order_lines SET cancelled_quantity = 1,"
			    " returned_quantity = 1 WHERE order_id ="
			    " (SELECT id FROM orders WHERE ref = ?1) RETURNING 1", r1) == 1);

	CHECK_INT(policy_past_load(db, ea, 0, &past), LV_OK);
	CHECK_INT(past.n, 2);
	if (past.n == 2) {
		CHECK_STR(past.lines[0].product, "shirt");
		CHECK_STR(past.lines[0].category, "uniforms");
		CHECK_INT(past.lines[0].quantity, 1);
		CHECK_INT(past.lines[0].day, day_of("2026-11-20"));
		CHECK_INT(past.lines[0].ntags, 2);
		CHECK(past.lines[0].ntags == 2 && strcmp(past.lines[0].tags[0], "branch") == 0 &&
		      strcmp(past.lines[0].tags[1], "uniform") == 0);
		CHECK_STR(past.lines[1].product, "lanyard");
		CHECK_STR(past.lines[1].category, "accessories");
		CHECK_INT(past.lines[1].quantity, 2);
		CHECK_INT(past.lines[1].ntags, 0);
		/* 23:45 in Paris on 31 December is 22:45 UTC: the local day */
		CHECK_INT(past.lines[1].day, day_of("2026-12-31"));
	}
	policy_past_cleanup(&past);

	/* since: only the December order */
	CHECK_INT(policy_past_load(db, ea, T0 + 3600, &past), LV_OK);
	CHECK_INT(past.n, 1);
	policy_past_cleanup(&past);

	CHECK_INT(policy_past_load(db, eb, 0, &past), LV_OK);
	CHECK_INT(past.n, 1);
	CHECK(past.n == 1 && past.lines[0].quantity == 4);
	policy_past_cleanup(&past);
	fixture_db_drop(db);
}

int main(void)
{
	/* a zone whose local day differs from UTC's around midnight */
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	LV_RUN(test_put_get_list);
	LV_RUN(test_put_refused);
	LV_RUN(test_history);
	LV_RUN(test_import_export);
	LV_RUN(test_subject_load);
	LV_RUN(test_product_load);
	LV_RUN(test_past_load);
	return lv_test_done();
}
