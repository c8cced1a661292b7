/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * people_admin.c - employees in the console (see people_admin.h and
 * docs/console.md, "People"): the list and its balances in one query, one
 * employee with their ledger, history and policies, status changes, and
 * the import of HR's CSV file.
 *
 * The import reads the file in two halves, like the catalog's
 * (catalog_csv.c): libcsv (strict RFC 4180 quoting) is fed one physical
 * line at a time, so that each value knows the line it starts on, and
 * every value is checked as its record ends; only then, when no error was
 * found, is the database read (emails held by employees the file does not
 * list) and written, in one transaction, with prepared statements.
 */
#include "people_admin.h"

#include <csv.h>
#include <sodium.h>
#include <string.h>

#include "allowance.h"
#include "catalog.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "policy_store.h"
#include "say.h"

/* ---- small helpers ---- */

/* Column i as a JSON string, or null. New reference. */
static json_t *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? json_string((const char *)s) : json_null();
}

/* Column i as an integer, or null. New reference. */
static json_t *col_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null()
							  : json_integer(sqlite3_column_int64(st, i));
}

/* Column i (JSON text written by SQL or by the audit code) parsed, or fallback (stolen). */
static json_t *col_json(sqlite3_stmt *st, int i, json_t *fallback)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	json_t *v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;

	if (v == NULL)
		return fallback;
	json_decref(fallback);
	return v;
}

int people_status_known(const char *s)
{
	return s != NULL && (strcmp(s, "active") == 0 || strcmp(s, "on_leave") == 0 ||
			     strcmp(s, "left") == 0 || strcmp(s, "suspended") == 0);
}

/* A status HR may set: active, on_leave or left. */
static int people_status_settable(const char *s)
{
	return s != NULL && (strcmp(s, "active") == 0 || strcmp(s, "on_leave") == 0 ||
			     strcmp(s, "left") == 0);
}

/* ---- the list ---- */

/*
 * The balances of the employee of the enclosing query (alias e): one JSON
 * array per employee, summed with allowance_ledger_balance (0004).
 */
#define PEOPLE_BALANCES_SQL                                                            \
	"(SELECT json_group_array(json_object('programme', p.slug, 'name', p.name,"   \
	" 'unit', p.unit, 'points_rate', p.points_rate, 'balance', b.s)) FROM"        \
	" (SELECT programme, sum(amount) AS s FROM allowance_ledger WHERE"            \
	" employee = e.id GROUP BY programme) b JOIN allowance_programmes p ON"        \
	" p.id = b.programme)"

/* The list's filter, ?1 to ?4 (see people_bind_filter). */
#define PEOPLE_FILTER_SQL                                                              \
	" WHERE (?1 IS NULL OR name LIKE ?1 ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\'" \
	" OR employee_id LIKE ?1 ESCAPE '\\') AND (?2 IS NULL OR department = ?2)"    \
	" AND (?3 IS NULL OR site = ?3) AND (?4 IS NULL OR status = ?4)"

static const char *nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* Binds f to ?1..?4: q as a LIKE pattern "%q%" with %, _ and \ escaped. */
static void people_bind_filter(sqlite3_stmt *st, const struct people_filter *f)
{
	char pat[3 * 200 + 3];
	size_t i, k = 0;
	const char *q = nonempty(f->q);

	if (q != NULL) {
		pat[k++] = '%';
		for (i = 0; q[i] != '\0' && i < 200; i++) {
			if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
				pat[k++] = '\\';
			pat[k++] = q[i];
		}
		pat[k++] = '%';
		pat[k] = '\0';
		lv_db_bind_text(st, 1, pat);
	}
	lv_db_bind_text(st, 2, nonempty(f->department));
	lv_db_bind_text(st, 3, nonempty(f->site));
	lv_db_bind_text(st, 4, nonempty(f->status));
}

int people_admin_list(struct lv_db *db, const struct people_filter *f, int64_t page,
		      int per_page, json_t **out)
{
	static const char sql[] =
		"SELECT e.id, e.employee_id, e.name, e.email, e.department, e.site,"
		" e.cost_center, e.job_title, e.status, e.iss IS NOT NULL, e.hire_date,"
		" e.total, " PEOPLE_BALANCES_SQL
		" FROM (SELECT *, count(*) OVER () AS total FROM employees" PEOPLE_FILTER_SQL
		" ORDER BY name COLLATE NOCASE, id LIMIT ?5 OFFSET ?6) e"
		" ORDER BY e.name COLLATE NOCASE, e.id";
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int64_t total = 0;
	int rc, src;

	*out = NULL;
	if (page < 1 || page > 1000000 || per_page < 1 || per_page > PEOPLE_PER_PAGE_MAX ||
	    (nonempty(f->status) && !people_status_known(f->status))) {
		rc = LV_EINVAL;
		goto out;
	}
	rc = lv_db_stmt(db, sql, &st);
	if (rc != LV_OK)
		goto out;
	people_bind_filter(st, f);
	sqlite3_bind_int64(st, 5, per_page);
	sqlite3_bind_int64(st, 6, (page - 1) * per_page);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		total = sqlite3_column_int64(st, 11);
		json_array_append_new(list, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o}",
			"id", (json_int_t)sqlite3_column_int64(st, 0), "employee_id", col_str(st, 1),
			"name", col_str(st, 2), "email", col_str(st, 3), "department", col_str(st, 4),
			"site", col_str(st, 5), "cost_center", col_str(st, 6), "job_title", col_str(st, 7),
			"status", col_str(st, 8), "signed_in", sqlite3_column_int(st, 9),
			"hire_date", col_str(st, 10), "balances", col_json(st, 12, json_array())));
	}
	lv_db_done(st);
	st = NULL;
	if (src != SQLITE_DONE) {
		lv_error("people.list", "%s", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto out;
	}
	if (json_array_size(list) == 0 && page > 1) {
		/* past the end (the list shrank): the count alone */
		rc = lv_db_stmt(db, "SELECT count(*) FROM employees" PEOPLE_FILTER_SQL, &st);
		if (rc != LV_OK)
			goto out;
		people_bind_filter(st, f);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = LV_EINTERNAL;
			goto out;
		}
		total = sqlite3_column_int64(st, 0);
	}
	*out = json_pack("{s:I,s:I,s:I,s:I,s:O}", "total", (json_int_t)total, "page",
			 (json_int_t)page, "pages",
			 (json_int_t)(total > 0 ? (total + per_page - 1) / per_page : 1),
			 "per_page", (json_int_t)per_page, "employees", list);
out:
	lv_db_done(st);
	json_decref(list);
	return rc;
}

/* The distinct non-empty values of a column, sorted (sql is a literal). */
static int people_distinct(struct lv_db *db, const char *sql, json_t *into)
{
	sqlite3_stmt *st = NULL;
	int rc = lv_db_stmt(db, sql, &st), src;

	if (rc != LV_OK)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(into, col_str(st, 0));
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(st);
	return rc;
}

int people_admin_facets(struct lv_db *db, json_t **out)
{
	json_t *deps = json_array(), *sites = json_array();
	int rc;

	*out = NULL;
	rc = people_distinct(db, "SELECT DISTINCT department FROM employees WHERE department"
			     " IS NOT NULL AND department <> '' ORDER BY 1 LIMIT 500", deps);
	if (rc == LV_OK)
		rc = people_distinct(db, "SELECT DISTINCT site FROM employees WHERE site IS NOT"
				     " NULL AND site <> '' ORDER BY 1 LIMIT 500", sites);
	if (rc == LV_OK)
		*out = json_pack("{s:O,s:O}", "departments", deps, "sites", sites);
	json_decref(deps);
	json_decref(sites);
	return rc;
}

/* ---- one employee ---- */

/* OUT: *id of the employee whose HR id is employee_id. LV_OK or LV_ENOTFOUND. */
static int people_id(struct lv_db *db, const char *employee_id, int64_t *id)
{
	if (employee_id == NULL || *employee_id == '\0')
		return LV_ENOTFOUND;
	return lv_db_lookup_id(db, "SELECT id FROM employees WHERE employee_id = ?1", employee_id,
			       id);
}

/* The balances of employee id (as the list gives them). New array. */
static int people_balances(struct lv_db *db, int64_t id, json_t **out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	rc = lv_db_stmt(db, "SELECT " PEOPLE_BALANCES_SQL " FROM employees e WHERE e.id = ?1",
			&st);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = col_json(st, 0, json_array());
	else
		rc = LV_EINTERNAL;
	lv_db_done(st);
	return rc;
}

/* Employee id's status changes, newest first (at most 50). New array. */
static int people_statuses(struct lv_db *db, int64_t id, json_t **out)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	*out = json_array();
	rc = lv_db_stmt(db, "SELECT at, previous, status, reason, actor_label FROM"
			    " employee_status_changes WHERE employee = ?1 ORDER BY at DESC,"
			    " id DESC LIMIT 50", &st);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(*out, json_pack("{s:I,s:o,s:o,s:o,s:o}",
			"at", (json_int_t)sqlite3_column_int64(st, 0), "previous", col_str(st, 1),
			"status", col_str(st, 2), "reason", col_str(st, 3), "by", col_str(st, 4)));
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(st);
	return rc;
}

int people_admin_get(struct lv_db *db, const char *employee_id, int64_t at, json_t **out)
{
	static const char sql[] =
		"SELECT e.id, e.employee_id, e.name, e.email, e.department, e.cost_center,"
		" e.site, e.job_title, e.employment_type, e.hire_date, e.manager_employee_id,"
		" m.name, e.status, e.iss IS NOT NULL, e.last_login_at, e.created_at,"
		" e.updated_at, e.groups"
		" FROM employees e LEFT JOIN employees m ON m.employee_id = e.manager_employee_id"
		" WHERE e.employee_id = ?1";
	sqlite3_stmt *st = NULL;
	json_t *o = NULL, *v = NULL;
	int64_t id = 0;
	int rc, mrc;

	*out = NULL;
	rc = people_id(db, employee_id, &id);
	if (rc != LV_OK)
		goto out;
	/* what the employee would see now: grants and expiries due written */
	mrc = allowance_materialise(db, id, at);
	if (mrc != LV_OK)
		lv_warn("people.get", "employee=%lld materialise: %s", (long long)id,
			lv_err_name(mrc));
	rc = lv_db_stmt(db, sql, &st);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(st, 1, employee_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	o = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o}",
		"id", (json_int_t)id, "employee_id", col_str(st, 1), "name", col_str(st, 2),
		"email", col_str(st, 3), "department", col_str(st, 4), "cost_center", col_str(st, 5),
		"site", col_str(st, 6), "job_title", col_str(st, 7),
		"employment_type", col_str(st, 8), "hire_date", col_str(st, 9),
		"status", col_str(st, 12), "signed_in", sqlite3_column_int(st, 13),
		"last_login_at", col_int(st, 14), "created_at", col_int(st, 15),
		"updated_at", col_int(st, 16), "groups", col_json(st, 17, json_array()));
	if (sqlite3_column_type(st, 10) != SQLITE_NULL)
		json_object_set_new(o, "manager", json_pack("{s:o,s:o}", "employee_id",
							    col_str(st, 10), "name", col_str(st, 11)));
	else
		json_object_set_new(o, "manager", json_null());
	lv_db_done(st);
	st = NULL;
	rc = people_balances(db, id, &v);
	if (rc != LV_OK)
		goto out;
	json_object_set_new(o, "balances", v);
	rc = people_statuses(db, id, &v);
	json_object_set_new(o, "statuses", v);
	if (rc != LV_OK)
		goto out;
	*out = o;
	o = NULL;
out:
	lv_db_done(st);
	json_decref(o);
	return rc;
}

int people_admin_ledger(struct lv_db *db, int64_t employee, int64_t page, int per_page,
			json_t **out)
{
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int64_t total = 0;
	int rc, src;

	*out = NULL;
	if (page < 1 || page > 1000000 || per_page < 1 || per_page > PEOPLE_PER_PAGE_MAX) {
		rc = LV_EINVAL;
		goto out;
	}
	rc = lv_db_stmt(db, "SELECT l.created_at, p.slug, p.name, p.unit, p.points_rate,"
			    " l.period_key, l.kind, l.amount, l.order_ref, l.reason, l.actor_label,"
			    " count(*) OVER () FROM allowance_ledger l JOIN allowance_programmes p"
			    " ON p.id = l.programme WHERE l.employee = ?1"
			    " ORDER BY l.id DESC LIMIT ?2 OFFSET ?3", &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, employee);
	sqlite3_bind_int64(st, 2, per_page);
	sqlite3_bind_int64(st, 3, (page - 1) * per_page);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		total = sqlite3_column_int64(st, 11);
		json_array_append_new(list, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o}",
			"at", (json_int_t)sqlite3_column_int64(st, 0), "programme", col_str(st, 1),
			"name", col_str(st, 2), "unit", col_str(st, 3), "points_rate", col_int(st, 4),
			"period", col_str(st, 5), "kind", col_str(st, 6),
			"amount", (json_int_t)sqlite3_column_int64(st, 7), "order_ref", col_str(st, 8),
			"reason", col_str(st, 9), "by", col_str(st, 10)));
	}
	lv_db_done(st);
	st = NULL;
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	if (json_array_size(list) == 0 && page > 1) {
		rc = lv_db_stmt(db, "SELECT count(*) FROM allowance_ledger WHERE employee = ?1", &st);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(st, 1, employee);
		total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	}
	*out = json_pack("{s:I,s:I,s:I,s:I,s:O}", "total", (json_int_t)total, "page",
			 (json_int_t)page, "pages",
			 (json_int_t)(total > 0 ? (total + per_page - 1) / per_page : 1),
			 "per_page", (json_int_t)per_page, "entries", list);
out:
	lv_db_done(st);
	json_decref(list);
	return rc;
}

int people_admin_history(struct lv_db *db, int64_t employee, int limit, json_t **out)
{
	sqlite3_stmt *st = NULL;
	char id[32];
	int rc, src;

	*out = json_array();
	lv_snprintf(id, sizeof(id), "%lld", (long long)employee);
	rc = lv_db_stmt(db, "SELECT at, action, actor_label, address, before, after FROM"
			    " audit_log WHERE entity = 'employee' AND entity_id = ?1"
			    " ORDER BY id DESC LIMIT ?2", &st);
	if (rc != LV_OK)
		return rc;
	lv_db_bind_text(st, 1, id);
	sqlite3_bind_int(st, 2, limit);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(*out, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o}",
			"at", (json_int_t)sqlite3_column_int64(st, 0), "action", col_str(st, 1),
			"by", col_str(st, 2), "address", col_str(st, 3),
			"before", col_json(st, 4, json_null()), "after", col_json(st, 5, json_null())));
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(st);
	return rc;
}

int people_admin_policies(struct lv_db *db, struct policy_set *set, int64_t employee,
			  int64_t at, json_t **out)
{
	struct policy_subject_data sd;
	struct policy_view *view = NULL;
	const json_t *p;
	const char *name, *title;
	size_t i, k;
	int rc;

	*out = json_array();
	memset(&sd, 0, sizeof(sd));
	rc = policy_subject_load(db, employee, at, &sd);
	if (rc == LV_OK)
		rc = policy_view_new(set, &sd.s, &view);
	if (rc != LV_OK)
		goto out;
	for (i = 0; i < policy_view_count(view); i++) {
		name = policy_view_name(view, i);
		title = NULL;
		for (k = 0; k < policy_set_count(set); k++) {
			p = policy_set_policy(set, k);
			if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
				title = json_string_value(json_object_get(p, "title"));
		}
		json_array_append_new(*out, json_pack("{s:s,s:s?}", "name", name, "title", title));
	}
out:
	policy_view_free(view);
	policy_subject_data_cleanup(&sd);
	return rc;
}

/* ---- status ---- */

const char *people_status_check(const char *status)
{
	if (!people_status_settable(status))
		return N_("Choose the status: active, on leave or left.");
	return NULL;
}

const char *people_reason_check(const char *reason)
{
	size_t n = reason ? strlen(reason) : 0;

	if (n == 0 || strspn(reason, " \t\r\n") == n)
		return N_("Say why the status changes: the reason is kept in the employee's history.");
	if (n > PEOPLE_REASON_MAX)
		return N_("The reason is too long: at most 500 characters.");
	if (!catalog_utf8_valid(reason, n))
		return N_("The reason is not valid text: type it again.");
	return NULL;
}

/*
 * Changes employee id's status from old to status at `at`, inside the
 * caller's transaction: the ledger materialised up to then, the status,
 * its history row and its audit entry.
 */
static int people_status_apply(struct lv_db *db, int64_t id, const char *old, const char *status,
			       const char *reason, const struct audit_actor *who, int64_t at)
{
	sqlite3_stmt *st = NULL;
	json_t *before = NULL, *after = NULL;
	char idtxt[32];
	int rc;

	/* what fell due while the old status held is written under it */
	rc = allowance_materialise(db, id, at);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_stmt(db, "UPDATE employees SET status = ?2, updated_at = ?3 WHERE id = ?1", &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	lv_db_bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, at);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	lv_db_done(st);
	rc = lv_db_stmt(db, "INSERT INTO employee_status_changes (employee, previous, status, at,"
			    " reason, actor_employee, actor_label) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			&st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	lv_db_bind_text(st, 2, old);
	lv_db_bind_text(st, 3, status);
	sqlite3_bind_int64(st, 4, at);
	lv_db_bind_text(st, 5, reason);
	if (who->employee > 0)
		sqlite3_bind_int64(st, 6, who->employee);
	lv_db_bind_text(st, 7, who->label);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	lv_snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id);
	before = json_pack("{s:s}", "status", old);
	after = json_pack("{s:s,s:s}", "status", status, "reason", reason);
	rc = audit_append(db, who, "employee.status", "employee", idtxt, before, after);
	goto out;
fail:
	lv_error("people.status", "employee=%lld: %s", (long long)id, sqlite3_errmsg(db->conn));
	rc = LV_EINTERNAL;
out:
	lv_db_done(st);
	json_decref(before);
	json_decref(after);
	return rc;
}

int people_admin_status_set(struct lv_db *db, const char *employee_id, const char *status,
			    const char *reason, const struct audit_actor *who, int64_t at,
			    int *changed)
{
	sqlite3_stmt *st = NULL;
	char old[16] = "";
	int64_t id = 0;
	int rc, own = 0;

	*changed = 0;
	if (people_status_check(status) != NULL || people_reason_check(reason) != NULL ||
	    who == NULL || who->label == NULL)
		return LV_EINVAL;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		return rc;
	rc = people_id(db, employee_id, &id);
	if (rc == LV_OK)
		rc = lv_db_stmt(db, "SELECT status FROM employees WHERE id = ?1", &st);
	if (rc != LV_OK)
		goto end;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		lv_strlcpy(old, (const char *)sqlite3_column_text(st, 0), sizeof(old));
	lv_db_done(st);
	if (strcmp(old, status) == 0)
		goto end; /* nothing to do, nothing written */
	rc = people_status_apply(db, id, old, status, reason, who, at);
	if (rc == LV_OK)
		*changed = 1;
end:
	rc = lv_db_tx_end(db, own, rc);
	if (rc != LV_OK)
		*changed = 0;
	return rc;
}

/* ---- the import: errors ---- */

void people_import_init(struct people_import *im)
{
	memset(im, 0, sizeof(*im));
}

void people_import_cleanup(struct people_import *im)
{
	size_t i;

	if (im == NULL)
		return;
	for (i = 0; i < im->n_errors; i++) {
		lv_free(im->errors[i].value);
		lv_free(im->errors[i].other);
	}
	lv_free(im->errors);
	memset(im, 0, sizeof(*im));
}

void people_import_error_say(const struct people_import_error *e,
			     const struct lv_i18n_catalog *cat, char *out, size_t len)
{
	static const char *const names[] = { "value", "other", "n", "max", "line" };
	char n[24], max[24], line[24];
	const char *values[5];

	lv_snprintf(n, sizeof(n), "%lld", e->n);
	lv_snprintf(max, sizeof(max), "%lld", e->max);
	lv_snprintf(line, sizeof(line), "%lld", e->other_line);
	values[0] = e->value ? e->value : "";
	values[1] = e->other ? e->other : "";
	values[2] = n;
	values[3] = max;
	values[4] = line;
	say_fill(lv_i18n_get(cat, e->tmpl), names, values, 5, out, len);
}

/* ---- the import: the columns ---- */

enum pi_col {
	PI_EMPLOYEE_ID,
	PI_EMAIL,
	PI_NAME,
	PI_DEPARTMENT,
	PI_COST_CENTER,
	PI_SITE,
	PI_JOB_TITLE,
	PI_EMPLOYMENT_TYPE,
	PI_HIRE_DATE,
	PI_MANAGER,
	PI_STATUS,
	PI_COUNT
};

/* Each column: its name, the most bytes a value may have, must the header have it. */
static const struct pi_column {
	const char *name;
	size_t max;
	int required;
} pi_columns[PI_COUNT] = {
	[PI_EMPLOYEE_ID] = { "employee_id", 64, 1 },
	[PI_EMAIL] = { "email", 254, 0 },
	[PI_NAME] = { "name", 200, 1 },
	[PI_DEPARTMENT] = { "department", 100, 0 },
	[PI_COST_CENTER] = { "cost_center", 64, 0 },
	[PI_SITE] = { "site", 100, 0 },
	[PI_JOB_TITLE] = { "job_title", 100, 0 },
	[PI_EMPLOYMENT_TYPE] = { "employment_type", 64, 0 },
	[PI_HIRE_DATE] = { "hire_date", 10, 0 },
	[PI_MANAGER] = { "manager_employee_id", 64, 0 },
	[PI_STATUS] = { "status", 16, 0 },
};

#define PI_COLUMN_LIST                                                                 \
	"employee_id, email, name, department, cost_center, site, job_title, "        \
	"employment_type, hire_date, manager_employee_id, status"
#define PI_MAX_FIELDS 64 /* values of one line that are kept */

/* The sentences of the import's errors (msgids; see people_import_error_say). */
static const char T_UTF16[] = N_("The file is saved as UTF-16 text: save it as \"CSV UTF-8\" and import it again.");
static const char T_EMPTY[] = N_("The file is empty: it needs a header line with the column names, then one line per employee.");
static const char T_NO_ROWS[] = N_("The file has a header line but no employee: add one line per employee under it.");
static const char T_TOO_MANY[] = N_("The file has more than {max} employees: split it into several files.");
static const char T_QUOTES[] = N_("The quoting is broken: a value that holds a \" must be entirely in quotes, with each \" inside it doubled (\"say \"\"hi\"\"\").");
static const char T_EOF_QUOTE[] = N_("The file ends inside a quoted value: a closing \" is missing.");
static const char T_HDR_UNKNOWN[] = N_("{value} is not a column of the employee file. The columns are: {other}.");
static const char T_HDR_MISSING[] = N_("The column {value} is missing from the header line. The columns are: {other}.");
static const char T_HDR_TWICE[] = N_("The column {value} is twice in the header line: keep one.");
static const char T_HDR_EMPTY[] = N_("A column of the header line has no name: name it (the columns are: {other}) or remove it.");
static const char T_FIELDS[] = N_("This line has {n} values but the header line has {max} columns: a value that holds a comma must be in quotes.");
static const char T_UTF8[] = N_("This value is not valid UTF-8 text: save the file as \"CSV UTF-8\" and import it again.");
static const char T_CONTROL[] = N_("This value holds a control character ({value}): remove it.");
static const char T_TOO_LONG[] = N_("This value is too long ({n} bytes): write at most {max}.");
static const char T_NO_ID[] = N_("The employee id is empty: every line needs the employee's id in HR's system, e.g. E1001.");
static const char T_NO_NAME[] = N_("The name is empty: write the employee's full name, e.g. Alice Martin.");
static const char T_BAD_ID[] = N_("{value} is not an employee id: use letters, digits, '.', '_' and '-' only, e.g. E1001.");
static const char T_BAD_MANAGER[] = N_("{value} is not an employee id: write the manager's employee id (letters, digits, '.', '_' and '-'), or leave it empty.");
static const char T_SELF_MANAGER[] = N_("This is the employee's own id: write their manager's employee id, or leave it empty.");
static const char T_BAD_EMAIL[] = N_("{value} is not an email address: write it like name@example.com, or leave it empty.");
static const char T_BAD_DATE[] = N_("{value} is not a date: write it as YYYY-MM-DD, e.g. 2024-03-15, or leave it empty.");
static const char T_BAD_DAY[] = N_("{value} is not a day of the calendar: check the month and the day (YYYY-MM-DD).");
static const char T_BAD_STATUS[] = N_("{value} is not a status: write active, on_leave or left, or leave it empty to keep the employee's status.");
static const char T_DUP_ID[] = N_("The employee id {value} is already on line {line}: each employee once in a file.");
static const char T_DUP_EMAIL[] = N_("The email {value} is already on line {line}: an email belongs to one employee.");
static const char T_EMAIL_TAKEN[] = N_("The email {value} is already the email of {other}, who is not in this file: change one of them.");

/* ---- the import: a string-keyed map (keys copied), for duplicates ---- */

struct pi_slot {
	char *key;
	unsigned val;
};

struct pi_map {
	struct pi_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t len;
};

static size_t pi_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void pi_map_cleanup(struct pi_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		lv_free(m->slots[i].key);
	lv_free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* The slot of key: the one holding it, or the empty one it would go to. */
static struct pi_slot *pi_map_slot(const struct pi_map *m, const char *key)
{
	size_t j = pi_hash(key) & (m->cap - 1);

	while (m->slots[j].key && strcmp(m->slots[j].key, key) != 0)
		j = (j + 1) & (m->cap - 1);
	return &m->slots[j];
}

/* OUT: *val. 1 when key is there. */
static int pi_map_get(const struct pi_map *m, const char *key, unsigned *val)
{
	struct pi_slot *s;

	if (m->cap == 0)
		return 0;
	s = pi_map_slot(m, key);
	if (s->key == NULL)
		return 0;
	*val = s->val;
	return 1;
}

/* Adds key -> val (key must not be there). */
static void pi_map_put(struct pi_map *m, const char *key, unsigned val)
{
	struct pi_slot *s;
	size_t i;

	if ((m->len + 1) * 2 > m->cap) {
		struct pi_map grown = { NULL, m->cap ? m->cap * 2 : 256, m->len };

		grown.slots = lv_calloc(grown.cap, sizeof(*grown.slots));
		for (i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				*pi_map_slot(&grown, m->slots[i].key) = m->slots[i];
		lv_free(m->slots);
		*m = grown;
	}
	s = pi_map_slot(m, key);
	s->key = lv_strdup(key);
	s->val = val;
	m->len++;
}

/* ---- the import: parsing ---- */

/* One employee of the file: its values, normalised ("" when empty or absent). */
struct pi_row {
	unsigned line;
	char *v[PI_COUNT];
	unsigned vline[PI_COUNT];
};

struct pi_parser {
	struct people_import *im;
	unsigned line;               /* the physical line fed to libcsv */
	unsigned record_line;        /* the line the record being read began on */
	char *field[PI_MAX_FIELDS];  /* the record being collected */
	size_t field_len[PI_MAX_FIELDS];
	unsigned field_line[PI_MAX_FIELDS]; /* the line each value starts on */
	size_t n_fields;             /* may pass PI_MAX_FIELDS; the rest are dropped */
	int header_done;
	int col[PI_COUNT];           /* the field index of each column, or -1 */
	size_t n_header;
	int stop;                    /* no use reading further */
	size_t n_errors;             /* every error, listed or not */
	struct pi_row *rows;
	size_t n_rows, cap_rows;
	size_t records;              /* employee lines read (valid or not) */
	struct pi_map ids, emails;   /* value -> line, for duplicates */
};

/*
 * Records an error at line for column col (-1: the line or the file).
 * Returns it for the caller to fill its values, or NULL past the listed
 * maximum (only counted then).
 */
static struct people_import_error *pi_error(struct pi_parser *p, unsigned line, int col,
					    const char *tmpl)
{
	struct people_import *im = p->im;
	struct people_import_error *e;

	p->n_errors++;
	if (im->n_errors >= PEOPLE_IMPORT_MAX_ERRORS) {
		im->more_errors++;
		return NULL;
	}
	im->errors = lv_realloc(im->errors, (im->n_errors + 1) * sizeof(*im->errors));
	e = &im->errors[im->n_errors++];
	memset(e, 0, sizeof(*e));
	e->line = line;
	if (col >= 0)
		lv_strlcpy(e->column, pi_columns[col].name, sizeof(e->column));
	e->tmpl = tmpl;
	return e;
}

/* The same for a column named by the file (a header error). */
static struct people_import_error *pi_error_named(struct pi_parser *p, unsigned line,
						  const char *tmpl, const char *value)
{
	struct people_import_error *e = pi_error(p, line, -1, tmpl);
	char q[96];

	if (e) {
		e->value = lv_strdup(catalog_text_quote(q, sizeof(q), value));
		e->other = lv_strdup(PI_COLUMN_LIST);
	}
	return e;
}

/* A quoted copy of s for a message (lv_free it). */
static char *pi_quote(const char *s)
{
	char q[96];

	return lv_strdup(catalog_text_quote(q, sizeof(q), s));
}

static void pi_record_reset(struct pi_parser *p)
{
	size_t i;

	for (i = 0; i < p->n_fields && i < PI_MAX_FIELDS; i++) {
		lv_free(p->field[i]);
		p->field[i] = NULL;
	}
	p->n_fields = 0;
}

static void pi_rows_free(struct pi_parser *p)
{
	size_t i, c;

	for (i = 0; i < p->n_rows; i++)
		for (c = 0; c < PI_COUNT; c++)
			lv_free(p->rows[i].v[c]);
	lv_free(p->rows);
	p->rows = NULL;
	p->n_rows = p->cap_rows = 0;
}

/* The header line: each name once, known, and the required ones there. */
static void pi_header(struct pi_parser *p)
{
	unsigned line = p->field_line[0];
	size_t i, n = p->n_fields < PI_MAX_FIELDS ? p->n_fields : PI_MAX_FIELDS;
	char name[64];
	int c, bad = 0;

	for (c = 0; c < PI_COUNT; c++)
		p->col[c] = -1;
	for (i = 0; i < n; i++) {
		const char *f = p->field[i];
		size_t len = p->field_len[i];

		while (len && (*f == ' ' || *f == '\t')) {
			f++;
			len--;
		}
		while (len && (f[len - 1] == ' ' || f[len - 1] == '\t'))
			len--;
		lv_strlcpy(name, f, len + 1 < sizeof(name) ? len + 1 : sizeof(name));
		if (len == 0) {
			pi_error_named(p, line, T_HDR_EMPTY, "");
			bad = 1;
			continue;
		}
		for (c = 0; c < PI_COUNT; c++)
			if (len == strlen(pi_columns[c].name) &&
			    strncmp(f, pi_columns[c].name, len) == 0)
				break;
		if (c == PI_COUNT) {
			pi_error_named(p, line, !catalog_utf8_valid(f, len) ? T_UTF8 : T_HDR_UNKNOWN,
				       catalog_utf8_valid(name, strlen(name)) ? name : "?");
			bad = 1;
		} else if (p->col[c] >= 0) {
			pi_error_named(p, line, T_HDR_TWICE, pi_columns[c].name);
			bad = 1;
		} else {
			p->col[c] = (int)i;
		}
	}
	if (p->n_fields > PI_MAX_FIELDS) {
		pi_error_named(p, line, T_HDR_UNKNOWN, "(the 65th and later columns)");
		bad = 1;
	}
	for (c = 0; c < PI_COUNT; c++) {
		if (pi_columns[c].required && p->col[c] < 0) {
			pi_error_named(p, line, T_HDR_MISSING, pi_columns[c].name);
			bad = 1;
		}
	}
	p->n_header = p->n_fields;
	p->header_done = 1;
	if (bad)
		p->stop = 1; /* the rows cannot be read without their columns */
}

/*
 * Value of column c of the record, checked for what every value needs
 * (UTF-8, no control characters but line breaks and tabs, its length) and
 * normalised: trimmed, each run of line breaks and tabs one space. OUT:
 * *out (lv_free it; "" when the column is absent). Returns 1 when fine.
 */
static int pi_value(struct pi_parser *p, int c, char **out)
{
	int i = p->col[c];
	const unsigned char *s;
	size_t n, k, j = 0;
	unsigned line;
	char *v;

	*out = NULL;
	if (i < 0) {
		*out = lv_strdup("");
		return 1;
	}
	s = (const unsigned char *)p->field[i];
	n = p->field_len[i];
	line = p->field_line[i];
	if (!catalog_utf8_valid((const char *)s, n)) {
		pi_error(p, line, c, T_UTF8);
		return 0;
	}
	v = lv_malloc(n + 1);
	for (k = 0; k < n; k++) {
		if (s[k] == '\r' || s[k] == '\n' || s[k] == '\t') {
			if (j > 0 && v[j - 1] != ' ')
				v[j++] = ' ';
			continue;
		}
		if (s[k] < 0x20 || s[k] == 0x7f) {
			struct people_import_error *e = pi_error(p, line, c, T_CONTROL);
			char b[16];

			if (e) {
				lv_snprintf(b, sizeof(b), "0x%02x", s[k]);
				e->value = lv_strdup(b);
			}
			lv_free(v);
			return 0;
		}
		v[j++] = (char)s[k];
	}
	while (j > 0 && v[j - 1] == ' ')
		j--;
	v[j] = '\0';
	for (k = 0; v[k] == ' '; k++)
		;
	if (k > 0)
		memmove(v, v + k, j - k + 1);
	j -= k;
	if (j > pi_columns[c].max) {
		struct people_import_error *e = pi_error(p, line, c, T_TOO_LONG);

		if (e) {
			e->n = (long long)j;
			e->max = (long long)pi_columns[c].max;
		}
		lv_free(v);
		return 0;
	}
	*out = v;
	return 1;
}

/* An employee id: letters, digits, '.', '_', '-'. */
static int pi_id_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return i > 0;
}

/* An address like name@example.com: one '@', a local part, a domain with a dot, no space. */
static int pi_email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *d;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || at - s > 64 ||
	    strpbrk(s, " ,;<>()[]\\\"") != NULL)
		return 0;
	d = at + 1;
	return *d != '\0' && *d != '.' && d[strlen(d) - 1] != '.' && strchr(d, '.') != NULL &&
	       strstr(d, "..") == NULL;
}

/* YYYY-MM-DD. Returns 0 for no date's shape, -1 for no day of the calendar, 1 when fine. */
static int pi_date_ok(const char *s)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, i, leap;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap) ? 1 : -1;
}

/* An email as duplicates are compared: ASCII letters lowered (as SQL's lower()). */
static void pi_email_key(const char *s, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[i] = '\0';
}

/* One employee line: every check that needs no database; kept when they all pass. */
static void pi_row(struct pi_parser *p)
{
	unsigned line = p->field_line[0], other;
	char *v[PI_COUNT] = { NULL };
	char key[260];
	struct people_import_error *e;
	int c, ok = 1, r;

	if (p->n_fields != p->n_header) {
		e = pi_error(p, line, -1, T_FIELDS);
		if (e) {
			e->n = (long long)p->n_fields;
			e->max = (long long)p->n_header;
		}
		return;
	}
	for (c = 0; c < PI_COUNT; c++)
		ok &= pi_value(p, c, &v[c]);
#define VLINE(c) (p->col[c] >= 0 ? p->field_line[p->col[c]] : line)
	if (v[PI_EMPLOYEE_ID] && v[PI_EMPLOYEE_ID][0] == '\0') {
		pi_error(p, VLINE(PI_EMPLOYEE_ID), PI_EMPLOYEE_ID, T_NO_ID);
		ok = 0;
	} else if (v[PI_EMPLOYEE_ID] && !pi_id_ok(v[PI_EMPLOYEE_ID])) {
		e = pi_error(p, VLINE(PI_EMPLOYEE_ID), PI_EMPLOYEE_ID, T_BAD_ID);
		if (e)
			e->value = pi_quote(v[PI_EMPLOYEE_ID]);
		ok = 0;
	} else if (v[PI_EMPLOYEE_ID]) {
		if (pi_map_get(&p->ids, v[PI_EMPLOYEE_ID], &other)) {
			e = pi_error(p, VLINE(PI_EMPLOYEE_ID), PI_EMPLOYEE_ID, T_DUP_ID);
			if (e) {
				e->value = pi_quote(v[PI_EMPLOYEE_ID]);
				e->other_line = other;
			}
			ok = 0;
		} else {
			pi_map_put(&p->ids, v[PI_EMPLOYEE_ID], VLINE(PI_EMPLOYEE_ID));
		}
	}
	if (v[PI_NAME] && v[PI_NAME][0] == '\0') {
		pi_error(p, VLINE(PI_NAME), PI_NAME, T_NO_NAME);
		ok = 0;
	}
	if (v[PI_EMAIL] && v[PI_EMAIL][0] != '\0') {
		if (!pi_email_ok(v[PI_EMAIL])) {
			e = pi_error(p, VLINE(PI_EMAIL), PI_EMAIL, T_BAD_EMAIL);
			if (e)
				e->value = pi_quote(v[PI_EMAIL]);
			ok = 0;
		} else {
			pi_email_key(v[PI_EMAIL], key, sizeof(key));
			if (pi_map_get(&p->emails, key, &other)) {
				e = pi_error(p, VLINE(PI_EMAIL), PI_EMAIL, T_DUP_EMAIL);
				if (e) {
					e->value = pi_quote(v[PI_EMAIL]);
					e->other_line = other;
				}
				ok = 0;
			} else {
				pi_map_put(&p->emails, key, VLINE(PI_EMAIL));
			}
		}
	}
	if (v[PI_HIRE_DATE] && v[PI_HIRE_DATE][0] != '\0' &&
	    (r = pi_date_ok(v[PI_HIRE_DATE])) != 1) {
		e = pi_error(p, VLINE(PI_HIRE_DATE), PI_HIRE_DATE, r == 0 ? T_BAD_DATE : T_BAD_DAY);
		if (e)
			e->value = pi_quote(v[PI_HIRE_DATE]);
		ok = 0;
	}
	if (v[PI_MANAGER] && v[PI_MANAGER][0] != '\0') {
		if (!pi_id_ok(v[PI_MANAGER])) {
			e = pi_error(p, VLINE(PI_MANAGER), PI_MANAGER, T_BAD_MANAGER);
			if (e)
				e->value = pi_quote(v[PI_MANAGER]);
			ok = 0;
		} else if (v[PI_EMPLOYEE_ID] && strcmp(v[PI_MANAGER], v[PI_EMPLOYEE_ID]) == 0) {
			pi_error(p, VLINE(PI_MANAGER), PI_MANAGER, T_SELF_MANAGER);
			ok = 0;
		}
	}
	if (v[PI_STATUS] && v[PI_STATUS][0] != '\0' && !people_status_settable(v[PI_STATUS])) {
		e = pi_error(p, VLINE(PI_STATUS), PI_STATUS, T_BAD_STATUS);
		if (e)
			e->value = pi_quote(v[PI_STATUS]);
		ok = 0;
	}
	if (ok && p->n_errors == 0) {
		struct pi_row *row;

		if (p->n_rows == p->cap_rows) {
			p->cap_rows = p->cap_rows ? p->cap_rows * 2 : 256;
			p->rows = lv_realloc(p->rows, p->cap_rows * sizeof(*p->rows));
		}
		row = &p->rows[p->n_rows++];
		row->line = line;
		for (c = 0; c < PI_COUNT; c++) {
			row->v[c] = v[c];
			row->vline[c] = VLINE(c);
			v[c] = NULL;
		}
	} else if (p->n_rows > 0) {
		pi_rows_free(p); /* nothing will be written: no use keeping them */
	}
#undef VLINE
	for (c = 0; c < PI_COUNT; c++)
		lv_free(v[c]);
}

/* libcsv: a value has ended, on line p->line; it started as many lines before as it holds. */
static void pi_on_field(void *s, size_t len, void *data)
{
	struct pi_parser *p = data;
	const char *d = s;
	size_t i = p->n_fields++, k;
	unsigned breaks = 0;

	if (i >= PI_MAX_FIELDS)
		return;
	for (k = 0; k < len; k++)
		if (d[k] == '\n' || (d[k] == '\r' && (k + 1 == len || d[k + 1] != '\n')))
			breaks++;
	p->field[i] = lv_malloc(len + 1);
	if (len)
		memcpy(p->field[i], s, len);
	p->field[i][len] = '\0';
	p->field_len[i] = len;
	p->field_line[i] = p->line > breaks ? p->line - breaks : 1;
}

/* libcsv: a record has ended. */
static void pi_on_record(int c, void *data)
{
	struct pi_parser *p = data;
	size_t i;

	(void)c;
	if (p->stop || p->n_fields == 0)
		goto out;
	/* a line of empty cells, as spreadsheets leave at the end, is no line */
	for (i = 0; i < p->n_fields && i < PI_MAX_FIELDS; i++)
		if (p->field_len[i] && p->field[i][strspn(p->field[i], " \t")] != '\0')
			break;
	if (i == p->n_fields || i == PI_MAX_FIELDS)
		goto out;
	if (!p->header_done) {
		pi_header(p);
		goto out;
	}
	if (++p->records > PEOPLE_IMPORT_MAX_ROWS) {
		struct people_import_error *e = pi_error(p, p->field_line[0], -1, T_TOO_MANY);

		if (e)
			e->max = PEOPLE_IMPORT_MAX_ROWS;
		p->stop = 1;
		goto out;
	}
	pi_row(p);
out:
	pi_record_reset(p);
}

/* Feeds data to libcsv one physical line (LF, CRLF or CR) at a time. */
static void pi_feed(struct pi_parser *p, struct csv_parser *cp, const char *data, size_t len)
{
	size_t i = 0, j;

	p->line = 1;
	while (i < len && !p->stop) {
		for (j = i; j < len && data[j] != '\n' && data[j] != '\r'; j++)
			;
		if (j < len && data[j] == '\r' && j + 1 < len && data[j + 1] == '\n')
			j++;
		if (j < len)
			j++; /* the line's end goes with it */
		if (cp->pstate == 0) /* libcsv's ROW_NOT_BEGUN: a record starts here */
			p->record_line = p->line;
		if (csv_parse(cp, data + i, j - i, pi_on_field, pi_on_record, p) != j - i) {
			pi_error(p, p->line, -1, T_QUOTES);
			p->stop = 1;
			return;
		}
		if (data[j - 1] == '\n' || data[j - 1] == '\r')
			p->line++;
		i = j;
	}
	if (!p->stop && csv_fini(cp, pi_on_field, pi_on_record, p) != 0) {
		pi_error(p, p->record_line, -1, T_EOF_QUOTE);
		pi_record_reset(p);
	}
}

/*
 * Parses and checks the whole file into p (initialised by the caller).
 * Returns LV_OK when it is free of errors, LV_EINVAL otherwise.
 */
static int pi_parse(struct pi_parser *p, const char *data, size_t len)
{
	struct csv_parser cp;

	if (len >= 2 && ((unsigned char)data[0] == 0xff || (unsigned char)data[0] == 0xfe) &&
	    ((unsigned char)data[1] == 0xff || (unsigned char)data[1] == 0xfe) &&
	    data[0] != data[1]) {
		pi_error(p, 0, -1, T_UTF16);
		return LV_EINVAL;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3; /* the byte order mark spreadsheets write */
		len -= 3;
	}
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return LV_EINTERNAL;
	csv_set_realloc_func(&cp, lv_realloc);
	csv_set_free_func(&cp, lv_free);
	pi_feed(p, &cp, data, len);
	csv_free(&cp);
	pi_record_reset(p);
	if (!p->header_done)
		pi_error(p, 0, -1, T_EMPTY);
	else if (p->records == 0 && p->n_errors == 0)
		pi_error(p, 0, -1, T_NO_ROWS);
	p->im->rows = p->records;
	return p->n_errors == 0 ? LV_OK : LV_EINVAL;
}

static void pi_parser_cleanup(struct pi_parser *p)
{
	pi_record_reset(p);
	pi_rows_free(p);
	pi_map_cleanup(&p->ids);
	pi_map_cleanup(&p->emails);
}

/* ---- the import: writing ---- */

/* The HR attributes an import sets, in the order of the statements below. */
static const int pi_attrs[] = { PI_EMAIL, PI_NAME, PI_DEPARTMENT, PI_COST_CENTER, PI_SITE,
				PI_JOB_TITLE, PI_EMPLOYMENT_TYPE, PI_HIRE_DATE, PI_MANAGER };
#define PI_ATTRS (sizeof(pi_attrs) / sizeof(pi_attrs[0]))

/*
 * The emails of the file that another employee, whom the file does not
 * list, already has: an error each (one lookup per email, on the index of
 * 0010). Runs inside the import's transaction.
 */
static int pi_emails_check(struct lv_db *db, struct pi_parser *p)
{
	sqlite3_stmt *st = NULL;
	unsigned dummy;
	size_t i;
	int rc = LV_OK, src;

	if (p->col[PI_EMAIL] < 0)
		return LV_OK;
	for (i = 0; i < p->n_rows && rc == LV_OK; i++) {
		const struct pi_row *row = &p->rows[i];
		const char *holder_id, *holder_name;
		struct people_import_error *e;
		char other[400];

		if (row->v[PI_EMAIL][0] == '\0')
			continue;
		rc = lv_db_stmt(db, "SELECT employee_id, name FROM employees WHERE email IS NOT NULL"
				    " AND lower(email) = lower(?1) AND employee_id IS NOT ?2 LIMIT 1",
				&st);
		if (rc != LV_OK)
			break;
		lv_db_bind_text(st, 1, row->v[PI_EMAIL]);
		lv_db_bind_text(st, 2, row->v[PI_EMPLOYEE_ID]);
		src = sqlite3_step(st);
		if (src == SQLITE_ROW) {
			holder_id = (const char *)sqlite3_column_text(st, 0);
			holder_name = (const char *)sqlite3_column_text(st, 1);
			/* the file gives its holder another email: no conflict once written */
			if (holder_id == NULL || !pi_map_get(&p->ids, holder_id, &dummy)) {
				e = pi_error(p, row->vline[PI_EMAIL], PI_EMAIL, T_EMAIL_TAKEN);
				if (e) {
					e->value = pi_quote(row->v[PI_EMAIL]);
					lv_snprintf(other, sizeof(other), "%s%s%s%s",
						    holder_name ? holder_name : "",
						    holder_id ? " (" : "", holder_id ? holder_id : "",
						    holder_id ? ")" : "");
					e->other = lv_strdup(other);
				}
			}
		} else if (src != SQLITE_DONE) {
			rc = LV_EINTERNAL;
		}
		lv_db_done(st);
		st = NULL;
	}
	return rc;
}

/* A value to store: NULL for an empty one. */
static const char *pi_stored(const char *v)
{
	return v != NULL && *v != '\0' ? v : NULL;
}

/* 1 when a stored value (may be NULL) and the file's differ. */
static int pi_differs(const unsigned char *old, const char *v)
{
	const char *o = (const char *)old;

	if (pi_stored(v) == NULL)
		return o != NULL;
	return o == NULL || strcmp(o, v) != 0;
}

/*
 * Writes one employee of the file. An existing one gets the columns the
 * file has (the rest unchanged), with an audit entry listing what changed;
 * its status only from a status column with a value.
 */
static int pi_row_write(struct lv_db *db, const struct pi_parser *p, const struct pi_row *row,
			const char *filename, const struct audit_actor *who, int64_t at)
{
	sqlite3_stmt *st = NULL;
	json_t *before = NULL, *after = NULL;
	const char *newv[PI_ATTRS], *status = pi_stored(row->v[PI_STATUS]);
	char *oldv[PI_ATTRS] = { NULL }, oldstatus[16] = "", idtxt[32], reason[300];
	int64_t id = 0;
	size_t k;
	int rc, c, found;

	rc = lv_db_stmt(db, "SELECT id, email, name, department, cost_center, site, job_title,"
			    " employment_type, hire_date, manager_employee_id, status FROM employees"
			    " WHERE employee_id = ?1", &st);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(st, 1, row->v[PI_EMPLOYEE_ID]);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		before = json_object();
		after = json_object();
		id = sqlite3_column_int64(st, 0);
		for (k = 0; k < PI_ATTRS; k++) {
			c = pi_attrs[k];
			oldv[k] = lv_db_column_strdup(st, (int)k + 1, NULL);
			newv[k] = oldv[k];
			if (p->col[c] < 0 || !pi_differs(sqlite3_column_text(st, (int)k + 1), row->v[c]))
				continue;
			newv[k] = pi_stored(row->v[c]);
			json_object_set_new(before, pi_columns[c].name,
					    oldv[k] ? json_string(oldv[k]) : json_null());
			json_object_set_new(after, pi_columns[c].name,
					    newv[k] ? json_string(newv[k]) : json_null());
		}
		lv_strlcpy(oldstatus, (const char *)sqlite3_column_text(st, 10), sizeof(oldstatus));
	}
	lv_db_done(st);
	st = NULL;
	if (!found) {
		rc = lv_db_stmt(db, "INSERT INTO employees (employee_id, email, name, department,"
				    " cost_center, site, job_title, employment_type, hire_date,"
				    " manager_employee_id, status, created_at, updated_at)"
				    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
				&st);
		if (rc != LV_OK)
			goto out;
		lv_db_bind_text(st, 1, row->v[PI_EMPLOYEE_ID]);
		for (k = 0; k < PI_ATTRS; k++)
			lv_db_bind_text(st, (int)k + 2, pi_stored(row->v[pi_attrs[k]]));
		lv_db_bind_text(st, 11, status ? status : "active");
		sqlite3_bind_int64(st, 12, at);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		p->im->inserted++;
		goto out;
	}
	if (json_object_size(after) > 0) {
		rc = lv_db_stmt(db, "UPDATE employees SET email = ?2, name = ?3, department = ?4,"
				    " cost_center = ?5, site = ?6, job_title = ?7, employment_type = ?8,"
				    " hire_date = ?9, manager_employee_id = ?10, updated_at = ?11"
				    " WHERE id = ?1", &st);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		for (k = 0; k < PI_ATTRS; k++)
			lv_db_bind_text(st, (int)k + 2, newv[k]);
		sqlite3_bind_int64(st, 11, at);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		lv_db_done(st);
		st = NULL;
		lv_snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id);
		json_object_set_new(after, "file", json_string(filename ? filename : ""));
		rc = audit_append(db, who, "employee.import_update", "employee", idtxt, before,
				  after);
		if (rc != LV_OK)
			goto out;
	}
	if (status != NULL && strcmp(status, oldstatus) != 0) {
		lv_snprintf(reason, sizeof(reason), "Imported from %s",
			    filename && *filename ? filename : "a file");
		rc = people_status_apply(db, id, oldstatus, status, reason, who, at);
		if (rc != LV_OK)
			goto out;
		p->im->status_changes++;
	}
	if (json_object_size(after) > 0 || (status != NULL && strcmp(status, oldstatus) != 0))
		p->im->updated++;
	else
		p->im->unchanged++;
	goto out;
fail:
	lv_error("people.import", "employee_id=%s: %s", row->v[PI_EMPLOYEE_ID],
		 sqlite3_errmsg(db->conn));
	rc = LV_EINTERNAL;
out:
	lv_db_done(st);
	for (k = 0; k < PI_ATTRS; k++)
		lv_free(oldv[k]);
	json_decref(before);
	json_decref(after);
	return rc;
}

int people_import_check(const void *data, size_t len, struct people_import *im)
{
	struct pi_parser p;
	int rc;

	if (len > PEOPLE_IMPORT_MAX_BYTES)
		return LV_ETOOBIG;
	memset(&p, 0, sizeof(p));
	p.im = im;
	rc = pi_parse(&p, data, len);
	pi_parser_cleanup(&p);
	return rc;
}

int people_import_run(struct lv_db *db, const void *data, size_t len, const char *filename,
		      const struct audit_actor *who, int64_t at, struct people_import *im)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	struct pi_parser p;
	json_t *after = NULL;
	size_t i;
	int rc, own = 0;

	memset(&p, 0, sizeof(p));
	p.im = im;
	if (len > PEOPLE_IMPORT_MAX_BYTES)
		return LV_ETOOBIG;
	if (sodium_init() < 0)
		return LV_EINTERNAL;
	crypto_hash_sha256(hash, data, len);
	sodium_bin2hex(im->sha256, sizeof(im->sha256), hash, sizeof(hash));
	rc = pi_parse(&p, data, len);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = pi_emails_check(db, &p);
	if (rc == LV_OK && p.n_errors > 0)
		rc = LV_EINVAL;
	for (i = 0; i < p.n_rows && rc == LV_OK; i++)
		rc = pi_row_write(db, &p, &p.rows[i], filename, who, at);
	if (rc == LV_OK) {
		after = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}",
				  "file", filename ? filename : "", "sha256", im->sha256,
				  "bytes", (json_int_t)len, "rows", (json_int_t)im->rows,
				  "inserted", (json_int_t)im->inserted, "updated", (json_int_t)im->updated,
				  "unchanged", (json_int_t)im->unchanged,
				  "status_changes", (json_int_t)im->status_changes);
		rc = audit_append(db, who, "people.import", "people_import", im->sha256, NULL, after);
	}
	rc = lv_db_tx_end(db, own, rc);
	if (rc != LV_OK)
		im->inserted = im->updated = im->unchanged = im->status_changes = 0;
	if (rc == LV_OK)
		lv_info("people.import", "file=%s rows=%zu inserted=%zu updated=%zu", filename ? filename : "",
			im->rows, im->inserted, im->updated);
out:
	json_decref(after);
	pi_parser_cleanup(&p);
	return rc;
}
