/*
 * employee.c - employees created and updated from identity claims
 * (see employee.h), and the adoption, at a first login, of the employee
 * HR imported before it (docs/console.md, "People").
 */
#include "employee.h"

#include <string.h>

#include "audit.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_time.h"

#define CLAIM_MAX 256
#define GROUPS_MAX 200

/* A string claim, or NULL when absent, not a string, empty or too long. */
static const char *employee_claim_str(json_t *claims, const char *name)
{
	json_t *v;
	const char *s;

	if (name == NULL)
		return NULL;
	v = json_object_get(claims, name);
	if (v == NULL)
		return NULL;
	if (!json_is_string(v)) {
		lv_warn("claim_ignored", "claim=%s why=\"not a string\"", name);
		return NULL;
	}
	s = json_string_value(v);
	if (*s == '\0' || json_string_length(v) > CLAIM_MAX ||
	    strlen(s) != json_string_length(v)) {
		lv_warn("claim_ignored", "claim=%s why=\"empty, too long or has NUL\"", name);
		return NULL;
	}
	return s;
}

/* The groups claim as a compact JSON array of strings (caller frees). */
static char *employee_groups_json(json_t *claims, const char *name)
{
	json_t *v = name ? json_object_get(claims, name) : NULL;
	json_t *out = json_array(), *g;
	size_t i;
	char *s;

	if (json_is_string(v)) {
		json_array_append(out, v);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, g) {
			if (i >= GROUPS_MAX)
				break;
			if (json_is_string(g) && json_string_length(g) > 0 &&
			    json_string_length(g) <= CLAIM_MAX &&
			    strlen(json_string_value(g)) == json_string_length(g))
				json_array_append(out, g);
		}
	} else if (v) {
		lv_warn("claim_ignored", "claim=%s why=\"not an array of strings\"", name);
	}
	s = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return s;
}

/* A display name from name, given+family, or email. Caller frees. */
static char *employee_display_name(json_t *claims)
{
	const char *name = employee_claim_str(claims, "name");
	const char *given = employee_claim_str(claims, "given_name");
	const char *family = employee_claim_str(claims, "family_name");
	char buf[2 * CLAIM_MAX + 2];

	if (name)
		return lv_strdup(name);
	if (given || family) {
		lv_snprintf(buf, sizeof(buf), "%s%s%s", given ? given : "",
			    given && family ? " " : "", family ? family : "");
		return lv_strdup(buf);
	}
	name = employee_claim_str(claims, "preferred_username");
	if (name == NULL)
		name = employee_claim_str(claims, "email");
	return lv_strdup(name ? name : "");
}

int employee_status_allows_login(const char *status)
{
	return status && (strcmp(status, "active") == 0 || strcmp(status, "on_leave") == 0);
}

int employee_match_parse(const char *s, enum employee_match *out)
{
	if (s != NULL && strcmp(s, "employee_id") == 0)
		*out = EMPLOYEE_MATCH_EMPLOYEE_ID;
	else if (s != NULL && strcmp(s, "email") == 0)
		*out = EMPLOYEE_MATCH_EMAIL;
	else if (s != NULL && strcmp(s, "employee_id_then_email") == 0)
		*out = EMPLOYEE_MATCH_EMPLOYEE_ID_THEN_EMAIL;
	else
		return LV_EINVAL;
	return LV_OK;
}

/*
 * The one imported employee (no iss, no sub) that key finds with sql (a
 * literal with ?1 = key, selecting id, LIMIT 2). OUT: *id, 0 when none or
 * when two would match (an ambiguous email adopts nobody).
 */
static int employee_imported_find(struct lv_db *db, const char *sql, const char *key,
				  int64_t *id)
{
	sqlite3_stmt *stmt = NULL;
	int rc, src, n = 0;

	*id = 0;
	rc = lv_db_stmt(db, sql, &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, key);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(stmt, 0);
		n++;
	}
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
	if (n != 1)
		*id = 0;
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * At a first login (no employee has iss + sub), links the employee HR
 * imported to it, found as match says: its iss and sub are set, so the
 * upsert that follows updates it. Never a row linked to a login already.
 * Runs inside the caller's transaction.
 */
static int employee_adopt(struct lv_db *db, const struct employee_claims_map *map,
			  enum employee_match match, const char *iss, const char *sub,
			  json_t *claims)
{
	const char *eid = employee_claim_str(claims, map->employee_id);
	const char *email = employee_claim_str(claims, "email");
	const char *by = "employee_id";
	struct audit_actor system = { 0, "system", NULL };
	sqlite3_stmt *stmt = NULL;
	json_t *after = NULL;
	int64_t found = 0;
	char idtxt[32];
	int rc, src;

	rc = lv_db_stmt(db, "SELECT id FROM employees WHERE iss = ?1 AND sub = ?2", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, iss);
	lv_db_bind_text(stmt, 2, sub);
	src = sqlite3_step(stmt);
	lv_db_done(stmt);
	stmt = NULL;
	if (src != SQLITE_DONE) {
		rc = src == SQLITE_ROW ? LV_OK : LV_EINTERNAL;
		goto out; /* known already, or the database failed */
	}
	if (eid != NULL && match != EMPLOYEE_MATCH_EMAIL)
		rc = employee_imported_find(db, "SELECT id FROM employees WHERE employee_id = ?1"
					    " AND iss IS NULL AND sub IS NULL LIMIT 2", eid, &found);
	/* an email the provider says it has not verified finds nobody */
	if (rc == LV_OK && found == 0 && email != NULL && match != EMPLOYEE_MATCH_EMPLOYEE_ID &&
	    !json_is_false(json_object_get(claims, "email_verified"))) {
		by = "email";
		rc = employee_imported_find(db, "SELECT id FROM employees WHERE email IS NOT NULL"
					    " AND lower(email) = lower(?1) AND iss IS NULL"
					    " AND sub IS NULL LIMIT 2",
					    email, &found);
	}
	if (rc != LV_OK || found == 0)
		goto out;
	rc = lv_db_stmt(db, "UPDATE employees SET iss = ?2, sub = ?3 WHERE id = ?1"
			    " AND iss IS NULL AND sub IS NULL", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, found);
	lv_db_bind_text(stmt, 2, iss);
	lv_db_bind_text(stmt, 3, sub);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		lv_error("employee_adopt", "employee=%lld error=\"%s\"", (long long)found,
			 sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto out;
	}
	lv_info("employee_adopted", "employee=%lld by=%s", (long long)found, by);
	lv_snprintf(idtxt, sizeof(idtxt), "%lld", (long long)found);
	after = json_pack("{s:s,s:s}", "matched_by", by, "issuer", iss);
	rc = audit_append(db, &system, "employee.login_linked", "employee", idtxt, NULL, after);
out:
	lv_db_done(stmt);
	json_decref(after);
	return rc;
}

/*
 * The upsert of (iss, sub) itself. A claim that is absent (NULL) keeps
 * what the row has: HR's import, or an earlier login; groups and locale
 * come from the provider only.
 */
static int employee_upsert_row(struct lv_db *db, const struct employee_claims_map *map,
			       const char *iss, const char *sub, json_t *claims, int64_t *id,
			       int *active)
{
	static const char *const upsert_sql =
		"INSERT INTO employees (iss, sub, employee_id, name, email, department,"
		" cost_center, site, job_title, employment_type, locale, groups,"
		" manager_employee_id, created_at, updated_at, last_login_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14, ?13, ?13, ?13)"
		" ON CONFLICT (iss, sub) DO UPDATE SET"
		" employee_id = coalesce(excluded.employee_id, employee_id),"
		" name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END,"
		" email = coalesce(excluded.email, email),"
		" department = coalesce(excluded.department, department),"
		" cost_center = coalesce(excluded.cost_center, cost_center),"
		" site = coalesce(excluded.site, site),"
		" job_title = coalesce(excluded.job_title, job_title),"
		" employment_type = coalesce(excluded.employment_type, employment_type),"
		" locale = excluded.locale, groups = excluded.groups,"
		" manager_employee_id = coalesce(excluded.manager_employee_id, manager_employee_id),"
		" updated_at = excluded.updated_at,"
		" last_login_at = excluded.last_login_at"
		" RETURNING id, status";
	sqlite3_stmt *stmt = NULL;
	char *name = NULL, *groups = NULL;
	const char *locale;
	int rc = LV_EINTERNAL, src;

	name = employee_display_name(claims);
	groups = employee_groups_json(claims, map->groups);
	locale = employee_claim_str(claims, map->locale);
	if (lv_db_stmt(db, upsert_sql, &stmt) != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, iss);
	lv_db_bind_text(stmt, 2, sub);
	lv_db_bind_text(stmt, 3, employee_claim_str(claims, map->employee_id));
	lv_db_bind_text(stmt, 4, name);
	lv_db_bind_text(stmt, 5, employee_claim_str(claims, "email"));
	lv_db_bind_text(stmt, 6, employee_claim_str(claims, map->department));
	lv_db_bind_text(stmt, 7, employee_claim_str(claims, map->cost_center));
	lv_db_bind_text(stmt, 8, employee_claim_str(claims, map->site));
	lv_db_bind_text(stmt, 9, employee_claim_str(claims, "job_title"));
	lv_db_bind_text(stmt, 10, employee_claim_str(claims, "employment_type"));
	lv_db_bind_text(stmt, 11, locale);
	lv_db_bind_text(stmt, 12, groups ? groups : "[]");
	sqlite3_bind_int64(stmt, 13, lv_now());
	lv_db_bind_text(stmt, 14, employee_claim_str(claims, map->manager));
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		*id = sqlite3_column_int64(stmt, 0);
		*active = employee_status_allows_login((const char *)sqlite3_column_text(stmt, 1));
		rc = LV_OK;
	} else if (src == SQLITE_CONSTRAINT_UNIQUE) {
		lv_warn("employee_conflict", "why=\"employee id already held by another login\"");
		rc = LV_ECONFLICT;
	} else {
		lv_error("employee_upsert", "code=%d error=\"%s\"", src,
			 sqlite3_errmsg(db->conn));
	}
out:
	lv_db_done(stmt);
	lv_free(name);
	free(groups);
	return rc;
}

/* The attributes a sign-in may change and the audit log follows. */
static const char *const employee_login_keys[] = {
	"employee_id", "name", "email", "department", "cost_center", "site", "job_title",
	"employment_type", "groups", "manager_employee_id",
};

/*
 * The employee (iss, sub) as a JSON object, or NULL when there is none (a
 * first sign-in). OUT: *out (new reference or NULL). LV_OK or LV_EINTERNAL.
 */
static int employee_login_snapshot(struct lv_db *db, const char *iss, const char *sub,
				   json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	int64_t id = 0;
	int rc, src;

	*out = NULL;
	rc = lv_db_stmt(db, "SELECT id FROM employees WHERE iss = ?1 AND sub = ?2", &stmt);
	if (rc != LV_OK)
		return rc;
	lv_db_bind_text(stmt, 1, iss);
	lv_db_bind_text(stmt, 2, sub);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(stmt);
	if (rc == LV_OK && id != 0)
		rc = employee_get(db, id, out);
	return rc;
}

/*
 * An audit entry "employee.login_update" (by "system") with the attributes
 * of employee_login_keys that the sign-in changed, before and after; none
 * when nothing changed (most sign-ins) or the employee is new (their
 * creation is the sign-in itself).
 */
static int employee_login_audit(struct lv_db *db, int64_t id, const json_t *before)
{
	struct audit_actor system = { 0, "system", NULL };
	json_t *now = NULL, *b = json_object(), *a = json_object();
	char idtxt[32];
	size_t i;
	int rc = LV_OK;

	if (before == NULL)
		goto out;
	rc = employee_get(db, id, &now);
	if (rc != LV_OK)
		goto out;
	for (i = 0; i < sizeof(employee_login_keys) / sizeof(employee_login_keys[0]); i++) {
		json_t *x = json_object_get(before, employee_login_keys[i]);
		json_t *y = json_object_get(now, employee_login_keys[i]);

		if (!json_equal(x, y)) {
			json_object_set(b, employee_login_keys[i], x ? x : json_null());
			json_object_set(a, employee_login_keys[i], y ? y : json_null());
		}
	}
	if (json_object_size(a) == 0)
		goto out;
	lv_snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id);
	rc = audit_append(db, &system, "employee.login_update", "employee", idtxt, b, a);
out:
	json_decref(now);
	json_decref(b);
	json_decref(a);
	return rc;
}

int employee_login_upsert(struct lv_db *db, const struct employee_claims_map *map,
			  enum employee_match match, const char *iss, const char *sub,
			  json_t *claims, int64_t *id, int *active)
{
	json_t *before = NULL;
	int rc, own = 0;

	*id = 0;
	*active = 0;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		return rc;
	rc = employee_adopt(db, map, match, iss, sub, claims);
	if (rc == LV_OK)
		rc = employee_login_snapshot(db, iss, sub, &before);
	if (rc == LV_OK)
		rc = employee_upsert_row(db, map, iss, sub, claims, id, active);
	if (rc == LV_OK)
		rc = employee_login_audit(db, *id, before);
	json_decref(before);
	rc = lv_db_tx_end(db, own, rc);
	if (rc != LV_OK) {
		*id = 0;
		*active = 0;
	}
	return rc;
}

int employee_upsert_from_claims(struct lv_db *db, const struct employee_claims_map *map,
				const char *iss, const char *sub, json_t *claims,
				int64_t *id, int *active)
{
	return employee_login_upsert(db, map, EMPLOYEE_MATCH_EMPLOYEE_ID, iss, sub, claims, id,
				     active);
}

int employee_get(struct lv_db *db, int64_t id, json_t **out)
{
	static const char *const get_sql =
		"SELECT json_object('id', id, 'employee_id', employee_id, 'name', name,"
		" 'email', email, 'department', department, 'cost_center', cost_center,"
		" 'site', site, 'job_title', job_title, 'employment_type', employment_type,"
		" 'locale', locale, 'locale_choice', locale_choice,"
		" 'groups', json(groups), 'status', status,"
		" 'hire_date', hire_date, 'manager_employee_id', manager_employee_id)"
		" FROM employees WHERE id = ?1";
	sqlite3_stmt *stmt = NULL;
	json_error_t jerr;
	int rc = LV_ENOTFOUND;

	*out = NULL;
	if (lv_db_stmt(db, get_sql, &stmt) != LV_OK) {
		rc = LV_EINTERNAL;
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*out = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, &jerr);
		rc = *out ? LV_OK : LV_EINTERNAL;
	}
out:
	lv_db_done(stmt);
	return rc;
}

int employee_locale_set(struct lv_db *db, int64_t id, const char *lang, const char *address)
{
	struct audit_actor who = { id, NULL, address };
	sqlite3_stmt *stmt = NULL;
	json_t *emp = NULL, *before = NULL, *after = NULL;
	const char *was;
	char idtxt[32];
	int rc, own = 0;

	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		return rc;
	rc = employee_get(db, id, &emp);
	if (rc != LV_OK)
		goto out;
	was = json_string_value(json_object_get(emp, "locale_choice"));
	if ((was == NULL && lang == NULL) || (was && lang && strcmp(was, lang) == 0))
		goto out; /* the same choice again: nothing changes */
	rc = lv_db_stmt(db, "UPDATE employees SET locale_choice = ?2, updated_at = ?3"
			" WHERE id = ?1", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	lv_db_bind_text(stmt, 2, lang);
	sqlite3_bind_int64(stmt, 3, lv_now());
	rc = sqlite3_step(stmt) == SQLITE_DONE ? LV_OK : LV_EINTERNAL;
	if (rc != LV_OK)
		goto out;
	who.label = json_string_value(json_object_get(emp, "name"));
	if (who.label == NULL || *who.label == '\0')
		who.label = "employee";
	before = json_pack("{s:s?}", "locale_choice", was);
	after = json_pack("{s:s?}", "locale_choice", lang);
	lv_snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id);
	rc = audit_append(db, &who, "employee.language", "employee", idtxt, before, after);
out:
	lv_db_done(stmt);
	rc = lv_db_tx_end(db, own, rc);
	json_decref(emp);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* Length of the UTF-8 sequence starting with byte c (1 for invalid). */
static size_t employee_utf8_len(unsigned char c)
{
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	if (c >= 0xc0)
		return 2;
	return 1;
}

void employee_name_parts(const char *name, char *first, size_t firstlen,
			 char *initials, size_t initialslen)
{
	const char *sp = strchr(name, ' ');
	const char *last = strrchr(name, ' ');
	size_t n = sp ? (size_t)(sp - name) : strlen(name), k = 0, l;

	if (n >= firstlen)
		n = firstlen - 1;
	memcpy(first, name, n);
	first[n] = '\0';
	if (*name) {
		l = employee_utf8_len((unsigned char)name[0]);
		if (l < initialslen && strlen(name) >= l) {
			memcpy(initials, name, l);
			k = l;
		}
	}
	if (last && last[1]) {
		l = employee_utf8_len((unsigned char)last[1]);
		if (k + l < initialslen && strlen(last + 1) >= l) {
			memcpy(initials + k, last + 1, l);
			k += l;
		}
	}
	initials[k] = '\0';
}
