/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_store.c - catalog policies in SQLite with their history, and the
 * loaders that turn employees, products and order lines into what the
 * policy engine decides on (see policy_store.h).
 *
 * Every change goes the same way: open (or join) a transaction, read the
 * stored set, apply the change in memory, load the result with
 * policy_set_load() - and only when it loads, write the rows, the history
 * and the audit entry. Reading the set inside the write transaction means
 * two administrators saving at once cannot together store a set that
 * would not load.
 */
#include "policy_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_time.h"

#define TAG_SEP "\x1f" /* between tags in group_concat (tags are printable) */

/* ------------------------------------------------------------ errors */

static void store_err_add(struct policy_errors *e, const char *origin, const char *path,
			  const char *hint, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Appends one error to e (the engine's array, lv_malloc'd). */
static void store_err_add(struct policy_errors *e, const char *origin, const char *path,
			  const char *hint, const char *fmt, ...)
{
	struct policy_error *x;
	va_list ap;

	if (e == NULL)
		return;
	e->v = lv_realloc(e->v, (e->n + 1) * sizeof(*e->v));
	x = &e->v[e->n++];
	memset(x, 0, sizeof(*x));
	lv_strlcpy(x->origin, origin ? origin : "", sizeof(x->origin));
	lv_strlcpy(x->path, path ? path : "$", sizeof(x->path));
	lv_strlcpy(x->hint, hint ? hint : "", sizeof(x->hint));
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof(x->message), fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------- stored rows */

/* The stored set, read once per change: names and texts, owned. */
struct store_rows {
	char **name;
	char **body;
	int64_t *version;
	size_t n;
};

static void store_rows_cleanup(struct store_rows *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		lv_free(s->name[i]);
		lv_free(s->body[i]);
	}
	lv_free(s->name);
	lv_free(s->body);
	lv_free(s->version);
	memset(s, 0, sizeof(*s));
}

/* OUT: *s, every stored policy in name order. LV_OK or LV_EINTERNAL. */
static int store_rows_read(struct lv_db *db, struct store_rows *s)
{
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0;
	int rc, step;

	memset(s, 0, sizeof(*s));
	rc = lv_db_stmt(db, "SELECT name, body, version FROM policies ORDER BY name", &stmt);
	if (rc != LV_OK)
		goto out;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (s->n == cap) {
			cap = cap ? cap * 2 : 16;
			s->name = lv_realloc(s->name, cap * sizeof(*s->name));
			s->body = lv_realloc(s->body, cap * sizeof(*s->body));
			s->version = lv_realloc(s->version, cap * sizeof(*s->version));
		}
		s->name[s->n] = lv_db_column_strdup(stmt, 0, "");
		s->body[s->n] = lv_db_column_strdup(stmt, 1, "");
		s->version[s->n] = sqlite3_column_int64(stmt, 2);
		s->n++;
	}
	if (step != SQLITE_DONE) {
		lv_error("policy_store", "what=read error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(stmt);
	if (rc != LV_OK)
		store_rows_cleanup(s);
	return rc;
}

/* Index of name in s, or -1. */
static long store_rows_find(const struct store_rows *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return (long)i;
	return -1;
}

/*
 * Loads the stored set with changes applied: the n sources in add replace
 * the stored policies of the same names (add_names[i]), and the stored
 * policy drop (may be NULL) is left out. Returns LV_OK when it loads, or
 * LV_EINVAL with errs filled. OUT: *keep (may be NULL: discarded), the set.
 */
static int store_set_check(const struct store_rows *rows, const struct policy_source *add,
			   const char *const *add_names, size_t n, const char *drop,
			   struct policy_errors *errs, struct policy_set **keep)
{
	struct policy_source *src = lv_calloc(rows->n + n + 1, sizeof(*src));
	struct policy_set *set = NULL;
	size_t i, k, m = 0;
	int rc, replaced;

	for (i = 0; i < rows->n; i++) {
		replaced = drop != NULL && strcmp(rows->name[i], drop) == 0;
		for (k = 0; k < n && !replaced; k++)
			replaced = strcmp(rows->name[i], add_names[k]) == 0;
		if (replaced)
			continue;
		src[m].origin = rows->name[i];
		src[m].text = rows->body[i];
		src[m].len = strlen(rows->body[i]);
		m++;
	}
	for (k = 0; k < n; k++)
		src[m++] = add[k];
	rc = m ? policy_set_load(src, m, &set, errs) : LV_OK;
	if (rc == LV_OK && set == NULL)
		set = policy_set_empty();
	if (rc != LV_OK && rc != LV_EINVAL)
		rc = LV_EINTERNAL;
	if (keep && rc == LV_OK) {
		*keep = set;
		set = NULL;
	}
	policy_set_unref(set);
	lv_free(src);
	return rc;
}

/*
 * Parses one policy text. OUT: *obj (new reference), *pretty (lv_malloc'd,
 * the text as stored) and *name (borrowed from *obj). On a text that is
 * not a JSON object with a string "name", errs gets the engine's own
 * errors for it (or ours when it has none) and LV_EINVAL is returned.
 */
static int store_text_parse(const struct policy_source *src, json_t **obj, char **pretty,
			    const char **name, struct policy_errors *errs)
{
	json_error_t jerr;
	json_t *v = NULL;
	char *dump;
	size_t before = errs ? errs->n : 0;
	int rc = LV_EINVAL;

	*obj = NULL;
	*pretty = NULL;
	*name = NULL;
	if (src->len > POLICY_STORE_MAX_TEXT) {
		store_err_add(errs, src->origin, "$", "split the policy into several",
			      "the policy is %zu bytes, more than the %d allowed", src->len,
			      POLICY_STORE_MAX_TEXT);
		return LV_ETOOBIG;
	}
	v = json_loadb(src->text, src->len, JSON_REJECT_DUPLICATES, &jerr);
	if (v != NULL && json_is_object(v) && json_is_string(json_object_get(v, "name"))) {
		dump = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (dump == NULL) {
			rc = LV_EINTERNAL;
			goto out;
		}
		*pretty = lv_strdup(dump);
		free(dump);
		*name = json_string_value(json_object_get(v, "name"));
		*obj = v;
		v = NULL;
		rc = LV_OK;
		goto out;
	}
	/* the engine says best what is wrong; ours only when it is silent */
	{
		struct policy_set *set = NULL;

		if (policy_set_load(src, 1, &set, errs) == LV_OK)
			policy_set_unref(set);
	}
	if (errs && errs->n > before)
		goto out;
	if (v == NULL)
		store_err_add(errs, src->origin, "$", "check the brackets, commas and quotes",
			      "not JSON: line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	else if (!json_is_object(v))
		store_err_add(errs, src->origin, "$", "a policy is one JSON object { ... }",
			      "a policy must be a JSON object");
	else
		store_err_add(errs, src->origin, "$.name",
			      "a name of 1 to 64 characters a-z, 0-9 and -",
			      "the policy has no name");
out:
	json_decref(v);
	return rc;
}

/* ------------------------------------------------------------ writes */

/* The next version of name: one more than any in its history. */
static int store_version_next(struct lv_db *db, const char *name, int64_t *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = lv_db_stmt(db, "SELECT coalesce(max(version), 0) + 1 FROM policy_history"
				" WHERE policy = ?1", &stmt);

	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, name);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	return rc;
}

/* A new {"version": v, "policy": <body parsed>} for the audit log. */
static json_t *store_audit_state(const char *body, int64_t version)
{
	json_t *p = body ? json_loads(body, 0, NULL) : NULL;

	if (body == NULL)
		return NULL;
	return json_pack("{s:I,s:o}", "version", (json_int_t)version, "policy",
			 p ? p : json_string(body));
}

/*
 * Writes one change of name: the row (after NULL deletes it), the history
 * (action) and the audit entry. before/after are the texts (NULL when
 * absent). OUT: *version, the new version. Inside the caller's transaction.
 */
static int store_change_write(struct lv_db *db, const struct audit_actor *who, const char *name,
			      const char *action, const char *before, const char *after,
			      int64_t *version)
{
	const char *label = who && who->label ? who->label : "system";
	int64_t emp = who ? who->employee : 0, now = lv_now(), v = 0;
	sqlite3_stmt *stmt = NULL;
	json_t *ab = NULL, *aa = NULL;
	char event[32];
	int rc;

	rc = store_version_next(db, name, &v);
	if (rc != LV_OK)
		goto out;
	if (after == NULL)
		rc = lv_db_stmt(db, "DELETE FROM policies WHERE name = ?1", &stmt);
	else if (before == NULL)
		rc = lv_db_stmt(db, "INSERT INTO policies (name, body, version, created_at,"
				    " updated_at, updated_by_employee, updated_by_label)"
				    " VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)", &stmt);
	else
		rc = lv_db_stmt(db, "UPDATE policies SET body = ?2, version = ?3,"
				    " updated_at = ?4, updated_by_employee = ?5,"
				    " updated_by_label = ?6 WHERE name = ?1", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, name);
	if (after != NULL) {
		lv_db_bind_text(stmt, 2, after);
		sqlite3_bind_int64(stmt, 3, v);
		sqlite3_bind_int64(stmt, 4, now);
		if (emp)
			sqlite3_bind_int64(stmt, 5, emp);
		lv_db_bind_text(stmt, 6, label);
	}
	if (sqlite3_step(stmt) != SQLITE_DONE || sqlite3_changes(db->conn) != 1)
		goto fail;
	lv_db_done(stmt);
	rc = lv_db_stmt(db, "INSERT INTO policy_history (policy, version, action, before, after,"
			    " at, actor_employee, actor_label)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, name);
	sqlite3_bind_int64(stmt, 2, v);
	lv_db_bind_text(stmt, 3, action);
	lv_db_bind_text(stmt, 4, before);
	lv_db_bind_text(stmt, 5, after);
	sqlite3_bind_int64(stmt, 6, now);
	if (emp)
		sqlite3_bind_int64(stmt, 7, emp);
	lv_db_bind_text(stmt, 8, label);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto fail;
	lv_db_done(stmt);
	stmt = NULL;
	ab = store_audit_state(before, v - 1);
	aa = store_audit_state(after, v);
	lv_snprintf(event, sizeof(event), "policy.%s", action);
	{
		struct audit_actor a = { emp, label, who ? who->address : NULL };

		rc = audit_append(db, &a, event, "policy", name, ab, aa);
	}
	if (rc == LV_OK && version)
		*version = v;
	goto out;
fail:
	lv_error("policy_store", "what=write policy=%s error=\"%s\"", name,
		 sqlite3_errmsg(db->conn));
	rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	json_decref(ab);
	json_decref(aa);
	return rc;
}

int policy_store_put(struct lv_db *db, const struct audit_actor *who, const char *name,
		     const char *text, size_t len, enum policy_put_mode mode, int64_t if_version,
		     enum policy_change *change, int64_t *version, struct policy_errors *errs)
{
	struct policy_source src = { name ? name : "policy", text, len };
	struct store_rows rows = { 0 };
	json_t *obj = NULL;
	char *pretty = NULL;
	const char *pname = NULL;
	enum policy_change ch = POLICY_UNCHANGED;
	int64_t v = 0;
	long at;
	int rc, own = 0;

	rc = store_text_parse(&src, &obj, &pretty, &pname, errs);
	if (rc != LV_OK)
		return rc;
	if (name != NULL && strcmp(name, pname) != 0) {
		store_err_add(errs, name, "$.name", "keep the name, or create a new policy",
			      "the name \"%.64s\" is not the policy's name \"%.64s\"", pname, name);
		rc = LV_EINVAL;
		goto done;
	}
	src.origin = pname;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto done;
	rc = store_rows_read(db, &rows);
	if (rc != LV_OK)
		goto out;
	at = store_rows_find(&rows, pname);
	if (at < 0 && mode == POLICY_PUT_UPDATE) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	if (at >= 0 && mode == POLICY_PUT_CREATE) {
		rc = LV_ECONFLICT;
		goto out;
	}
	if (if_version != 0 && (at < 0 || rows.version[at] != if_version)) {
		rc = LV_ECONFLICT;
		goto out;
	}
	if (at >= 0 && strcmp(rows.body[at], pretty) == 0) {
		v = rows.version[at];
		goto out; /* nothing to change */
	}
	src.text = pretty;
	src.len = strlen(pretty);
	rc = store_set_check(&rows, &src, &pname, 1, NULL, errs, NULL);
	if (rc != LV_OK)
		goto out;
	ch = at < 0 ? POLICY_CREATED : POLICY_UPDATED;
	rc = store_change_write(db, who, pname, at < 0 ? "create" : "update",
				at < 0 ? NULL : rows.body[at], pretty, &v);
out:
	rc = lv_db_tx_end(db, own, rc);
	store_rows_cleanup(&rows);
done:
	if (rc == LV_OK) {
		if (change)
			*change = ch;
		if (version)
			*version = v;
	}
	json_decref(obj);
	lv_free(pretty);
	return rc;
}

int policy_store_delete(struct lv_db *db, const struct audit_actor *who, const char *name,
			int64_t if_version, struct policy_errors *errs)
{
	struct store_rows rows = { 0 };
	long at;
	int rc, own = 0;

	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		return rc;
	rc = store_rows_read(db, &rows);
	if (rc != LV_OK)
		goto out;
	at = store_rows_find(&rows, name);
	if (at < 0) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	if (if_version != 0 && rows.version[at] != if_version) {
		rc = LV_ECONFLICT;
		goto out;
	}
	rc = store_set_check(&rows, NULL, NULL, 0, name, errs, NULL);
	if (rc == LV_OK)
		rc = store_change_write(db, who, name, "delete", rows.body[at], NULL, NULL);
out:
	rc = lv_db_tx_end(db, own, rc);
	store_rows_cleanup(&rows);
	return rc;
}

int policy_store_import(struct lv_db *db, const struct audit_actor *who,
			const struct policy_source *src, size_t n, json_t **report,
			struct policy_errors *errs)
{
	struct store_rows rows = { 0 };
	struct policy_source *norm = lv_calloc(n + 1, sizeof(*norm));
	const char **names = lv_calloc(n + 1, sizeof(*names));
	json_t **objs = lv_calloc(n + 1, sizeof(*objs));
	char **pretty = lv_calloc(n + 1, sizeof(*pretty));
	json_t *rep = json_array();
	size_t i, k;
	int rc = LV_OK, own = 0, prc;

	*report = NULL;
	/* every source is parsed, so that every error of every file is told */
	for (i = 0; i < n; i++) {
		prc = store_text_parse(&src[i], &objs[i], &pretty[i], &names[i], errs);
		if (prc == LV_EINTERNAL)
			rc = LV_EINTERNAL;
		else if (prc != LV_OK && rc == LV_OK)
			rc = LV_EINVAL;
		if (prc != LV_OK)
			continue;
		for (k = 0; k < i; k++)
			if (names[k] && strcmp(names[k], names[i]) == 0) {
				store_err_add(errs, src[i].origin, "$.name",
					      "give each policy its own name",
					      "the name \"%.64s\" is also the name of %.100s",
					      names[i], src[k].origin);
				if (rc == LV_OK)
					rc = LV_EINVAL;
			}
		norm[i].origin = src[i].origin;
		norm[i].text = pretty[i];
		norm[i].len = strlen(pretty[i]);
	}
	if (rc != LV_OK)
		goto done;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto done;
	rc = store_rows_read(db, &rows);
	if (rc == LV_OK)
		rc = store_set_check(&rows, norm, names, n, NULL, errs, NULL);
	for (i = 0; rc == LV_OK && i < n; i++) {
		long at = store_rows_find(&rows, names[i]);
		const char *change = "created";
		int64_t v = 0;

		if (at >= 0 && strcmp(rows.body[at], pretty[i]) == 0) {
			change = "unchanged";
			v = rows.version[at];
		} else {
			if (at >= 0)
				change = "updated";
			rc = store_change_write(db, who, names[i], "import",
						at >= 0 ? rows.body[at] : NULL, pretty[i], &v);
		}
		json_array_append_new(rep, json_pack("{s:s,s:s,s:s,s:I}", "name", names[i],
						     "origin", src[i].origin, "change", change,
						     "version", (json_int_t)v));
	}
	rc = lv_db_tx_end(db, own, rc);
done:
	if (rc == LV_OK) {
		*report = rep;
		rep = NULL;
	}
	json_decref(rep);
	store_rows_cleanup(&rows);
	for (i = 0; i < n; i++) {
		json_decref(objs[i]);
		lv_free(pretty[i]);
	}
	lv_free(objs);
	lv_free(pretty);
	lv_free(names);
	lv_free(norm);
	return rc;
}

/* ------------------------------------------------------------- reads */

/* The "title" of a policy text, or "" (a new string). */
static json_t *store_title(const char *body)
{
	json_t *p = json_loads(body, 0, NULL);
	json_t *t = json_string(json_is_string(json_object_get(p, "title")) ?
				json_string_value(json_object_get(p, "title")) : "");

	json_decref(p);
	return t;
}

/* {employee: id or null, label} of the columns emp and label of stmt. */
static json_t *store_actor_json(sqlite3_stmt *stmt, int emp, int label)
{
	return json_pack("{s:o,s:s}", "employee",
			 sqlite3_column_type(stmt, emp) == SQLITE_NULL ?
			 json_null() : json_integer(sqlite3_column_int64(stmt, emp)),
			 "label", (const char *)sqlite3_column_text(stmt, label) ?
			 (const char *)sqlite3_column_text(stmt, label) : "");
}

int policy_store_list(struct lv_db *db, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *list = json_array();
	int rc, step;

	*out = NULL;
	rc = lv_db_stmt(db, "SELECT name, body, version, created_at, updated_at,"
			    " updated_by_employee, updated_by_label FROM policies ORDER BY name",
			&stmt);
	if (rc != LV_OK)
		goto out;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(list, json_pack(
			"{s:s,s:o,s:I,s:I,s:I,s:o}",
			"name", (const char *)sqlite3_column_text(stmt, 0),
			"title", store_title((const char *)sqlite3_column_text(stmt, 1)),
			"version", (json_int_t)sqlite3_column_int64(stmt, 2),
			"created_at", (json_int_t)sqlite3_column_int64(stmt, 3),
			"updated_at", (json_int_t)sqlite3_column_int64(stmt, 4),
			"updated_by", store_actor_json(stmt, 5, 6)));
	if (step != SQLITE_DONE)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	if (rc == LV_OK) {
		*out = list;
		list = NULL;
	}
	json_decref(list);
	return rc;
}

int policy_store_get(struct lv_db *db, const char *name, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *p;
	int rc, step;

	*out = NULL;
	rc = lv_db_stmt(db, "SELECT body, version, created_at, updated_at, updated_by_employee,"
			    " updated_by_label FROM policies WHERE name = ?1", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, name);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	if (step != SQLITE_ROW) {
		rc = LV_EINTERNAL;
		goto out;
	}
	p = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, NULL);
	*out = json_pack("{s:s,s:I,s:I,s:I,s:o,s:o}", "name", name,
			 "version", (json_int_t)sqlite3_column_int64(stmt, 1),
			 "created_at", (json_int_t)sqlite3_column_int64(stmt, 2),
			 "updated_at", (json_int_t)sqlite3_column_int64(stmt, 3),
			 "updated_by", store_actor_json(stmt, 4, 5),
			 "policy", p ? p : json_null());
	if (*out == NULL)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	return rc;
}

int policy_store_history(struct lv_db *db, const char *name, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *list = json_array(), *b, *a;
	int rc, step;

	*out = NULL;
	rc = lv_db_stmt(db, "SELECT version, action, at, actor_employee, actor_label, before, after"
			    " FROM policy_history WHERE policy = ?1 ORDER BY version", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, name);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		b = sqlite3_column_type(stmt, 5) == SQLITE_NULL ? NULL :
		    json_loads((const char *)sqlite3_column_text(stmt, 5), 0, NULL);
		a = sqlite3_column_type(stmt, 6) == SQLITE_NULL ? NULL :
		    json_loads((const char *)sqlite3_column_text(stmt, 6), 0, NULL);
		json_array_append_new(list, json_pack(
			"{s:I,s:s,s:I,s:o,s:o,s:o}",
			"version", (json_int_t)sqlite3_column_int64(stmt, 0),
			"action", (const char *)sqlite3_column_text(stmt, 1),
			"at", (json_int_t)sqlite3_column_int64(stmt, 2),
			"actor", store_actor_json(stmt, 3, 4),
			"before", b ? b : json_null(), "after", a ? a : json_null()));
	}
	if (step != SQLITE_DONE)
		rc = LV_EINTERNAL;
	else if (json_array_size(list) == 0)
		rc = LV_ENOTFOUND;
out:
	lv_db_done(stmt);
	if (rc == LV_OK) {
		*out = list;
		list = NULL;
	}
	json_decref(list);
	return rc;
}

int policy_store_load_set_with(struct lv_db *db, const char *name, const char *text, size_t len,
			       struct policy_set **set, struct policy_errors *errs)
{
	struct store_rows rows = { 0 };
	struct policy_source add = { name, text, len };
	const char *names[1] = { name };
	int rc;

	*set = NULL;
	rc = store_rows_read(db, &rows);
	if (rc == LV_OK)
		rc = store_set_check(&rows, &add, names, text ? 1 : 0, text ? NULL : name, errs, set);
	store_rows_cleanup(&rows);
	return rc;
}

int policy_store_load_set(struct lv_db *db, struct policy_set **set, struct policy_errors *errs)
{
	struct store_rows rows = { 0 };
	struct policy_source *src = NULL;
	size_t i;
	int rc;

	*set = NULL;
	rc = store_rows_read(db, &rows);
	if (rc != LV_OK)
		goto out;
	if (rows.n == 0) {
		*set = policy_set_empty();
		goto out;
	}
	src = lv_calloc(rows.n, sizeof(*src));
	for (i = 0; i < rows.n; i++) {
		src[i].origin = rows.name[i];
		src[i].text = rows.body[i];
		src[i].len = strlen(rows.body[i]);
	}
	rc = policy_set_load(src, rows.n, set, errs);
	if (rc != LV_OK) {
		lv_error("policy_store", "what=load_set errors=%zu", errs ? errs->n : 0);
		rc = rc == LV_EINVAL ? LV_EINVAL : LV_EINTERNAL;
	}
out:
	lv_free(src);
	store_rows_cleanup(&rows);
	return rc;
}

/* Writes text to dir/name.json atomically. */
static int store_file_write(const char *dir, const char *name, const char *text, char *msg,
			    size_t msglen)
{
	char path[4096], tmp[4200];
	size_t len = strlen(text), off = 0;
	ssize_t w;
	int fd = -1, rc = LV_EUNAVAIL;

	if (lv_snprintf(path, sizeof(path), "%s/%s.json", dir, name) < 0 ||
	    lv_snprintf(tmp, sizeof(tmp), "%s/.%s.json.XXXXXX", dir, name) < 0) {
		lv_snprintf(msg, msglen, "%s: the folder name is too long", dir);
		return LV_EINVAL;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	while (off < len) {
		w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	return LV_OK;
fail:
	lv_snprintf(msg, msglen, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

int policy_store_export(struct lv_db *db, const char *dir, size_t *n, char *msg, size_t msglen)
{
	struct store_rows rows = { 0 };
	size_t i;
	int rc;

	*n = 0;
	rc = store_rows_read(db, &rows);
	for (i = 0; rc == LV_OK && i < rows.n; i++) {
		rc = store_file_write(dir, rows.name[i], rows.body[i], msg, msglen);
		if (rc == LV_OK)
			(*n)++;
	}
	store_rows_cleanup(&rows);
	return rc;
}

/* ---------------------------------------------------------- loaders */

int64_t policy_store_local_day(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm l;
	char ymd[16];
	int64_t day = 0;

	localtime_r(&tt, &l);
	lv_snprintf(ymd, sizeof(ymd), "%04d-%02d-%02d", l.tm_year + 1900, l.tm_mon + 1,
		    l.tm_mday);
	if (policy_day_parse(ymd, &day) != LV_OK)
		day = t / 86400;
	return day;
}

/* Keeps s (lv_malloc'd) in the list, to be freed with it; returns s. */
static char *store_own(struct policy_strings *owned, char *s)
{
	if (owned->n == owned->cap) {
		owned->cap = owned->cap ? owned->cap * 2 : 16;
		owned->v = lv_realloc(owned->v, owned->cap * sizeof(*owned->v));
	}
	owned->v[owned->n++] = s;
	return s;
}

/* Frees every string kept and the list. */
static void store_strings_free(struct policy_strings *owned)
{
	size_t i;

	for (i = 0; i < owned->n; i++)
		lv_free(owned->v[i]);
	lv_free(owned->v);
	memset(owned, 0, sizeof(*owned));
}

/*
 * Splits the TAG_SEP-separated list in col of stmt into tags appended to
 * (*tags)[*ntags...], copies owned through store_own. OUT: the number.
 */
static size_t store_tags_split(sqlite3_stmt *stmt, int col, const char ***tags, size_t *ntags,
			       size_t *tagcap, struct policy_strings *owned)
{
	const char *s = (const char *)sqlite3_column_text(stmt, col);
	size_t count = 0;
	char *copy, *end;

	if (s == NULL || *s == '\0')
		return 0;
	copy = store_own(owned, lv_strdup(s));
	for (;;) {
		end = strchr(copy, TAG_SEP[0]);
		if (*ntags == *tagcap) {
			*tagcap = *tagcap ? *tagcap * 2 : 16;
			*tags = lv_realloc(*tags, *tagcap * sizeof(**tags));
		}
		(*tags)[(*ntags)++] = copy;
		count++;
		if (end == NULL)
			break;
		*end = '\0';
		copy = end + 1;
	}
	return count;
}

void policy_subject_data_cleanup(struct policy_subject_data *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < sizeof(d->strs) / sizeof(d->strs[0]); i++)
		lv_free(d->strs[i]);
	for (i = 0; d->groups && i < d->s.ngroups; i++)
		lv_free(d->groups[i]);
	lv_free(d->groups);
	memset(d, 0, sizeof(*d));
}

int policy_subject_load(struct lv_db *db, int64_t employee, int64_t at,
			struct policy_subject_data *out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *groups = NULL, *g;
	const char *hire;
	size_t i;
	int rc, step;

	memset(out, 0, sizeof(*out));
	out->s.hire_day = -1;
	out->s.today = policy_store_local_day(at ? at : lv_now());
	rc = lv_db_stmt(db, "SELECT employee_id, department, cost_center, site, job_title,"
			    " employment_type, groups, hire_date FROM employees WHERE id = ?1",
			&stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	step = sqlite3_step(stmt);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? LV_ENOTFOUND : LV_EINTERNAL;
		goto out;
	}
	for (i = 0; i < 6; i++)
		out->strs[i] = lv_db_column_strdup(stmt, (int)i, NULL);
	out->s.employee_id = out->strs[0];
	out->s.department = out->strs[1];
	out->s.cost_center = out->strs[2];
	out->s.site = out->strs[3];
	out->s.job_title = out->strs[4];
	out->s.employment_type = out->strs[5];
	groups = json_loadb(sqlite3_column_blob(stmt, 6) ? sqlite3_column_blob(stmt, 6) : "",
			    (size_t)sqlite3_column_bytes(stmt, 6), 0, NULL);
	if (json_is_array(groups) && json_array_size(groups) > 0) {
		out->groups = lv_calloc(json_array_size(groups), sizeof(*out->groups));
		json_array_foreach(groups, i, g)
			if (json_is_string(g))
				out->groups[out->s.ngroups++] = lv_strdup(json_string_value(g));
	}
	out->s.groups = (const char *const *)out->groups;
	hire = (const char *)sqlite3_column_text(stmt, 7);
	if (hire && policy_day_parse(hire, &out->s.hire_day) != LV_OK)
		out->s.hire_day = -1;
out:
	lv_db_done(stmt);
	json_decref(groups);
	return rc;
}

void policy_product_data_cleanup(struct policy_product_data *d)
{
	if (d == NULL)
		return;
	store_strings_free(&d->owned);
	lv_free(d->tags);
	lv_free(d->variants);
	memset(d, 0, sizeof(*d));
	d->selected = -1;
}

int policy_product_load(struct lv_db *db, const char *key, struct policy_product_data *out)
{
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0, tagcap = 0, ntags = 0;
	int rc, step, first = 1;

	memset(out, 0, sizeof(*out));
	out->selected = -1;
	/* the product by the variant's SKU, else by its slug; its active
	 * variants (and the one asked for), tags sorted, in catalog order */
	rc = lv_db_stmt(db,
		"SELECT p.id, p.name, p.active, p.slug, c.slug, p.restricted,"
		" (SELECT group_concat(tag, char(31)) FROM (SELECT t.tag FROM product_tags t"
		"   WHERE t.product_id = p.id ORDER BY t.tag)),"
		" v.sku, v.size, v.colour, v.fit, v.price, v.sku = ?1, v.logo"
		" FROM products p JOIN categories c ON c.id = p.category_id"
		" LEFT JOIN variants v ON v.product_id = p.id AND (v.active = 1 OR v.sku = ?1)"
		" WHERE p.id = coalesce((SELECT product_id FROM variants WHERE sku = ?1),"
		"   (SELECT id FROM products WHERE slug = ?1))"
		" ORDER BY v.position, v.id", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, key);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct policy_variant *x;

		if (first) {
			first = 0;
			out->id = sqlite3_column_int64(stmt, 0);
			out->name = store_own(&out->owned,
					      lv_db_column_strdup(stmt, 1, ""));
			out->active = sqlite3_column_int(stmt, 2);
			out->p.slug = store_own(&out->owned,
						lv_db_column_strdup(stmt, 3, ""));
			out->p.category = store_own(&out->owned,
						    lv_db_column_strdup(stmt, 4, ""));
			out->p.restricted = sqlite3_column_int(stmt, 5);
			store_tags_split(stmt, 6, &out->tags, &ntags, &tagcap, &out->owned);
			out->p.tags = out->tags;
			out->p.ntags = ntags;
		}
		if (sqlite3_column_type(stmt, 7) == SQLITE_NULL)
			continue; /* a product without variants */
		if (out->nvariants == cap) {
			cap = cap ? cap * 2 : 8;
			out->variants = lv_realloc(out->variants, cap * sizeof(*out->variants));
		}
		x = &out->variants[out->nvariants];
		x->sku = store_own(&out->owned,
				   lv_db_column_strdup(stmt, 7, ""));
		x->size = store_own(&out->owned,
				    lv_db_column_strdup(stmt, 8, ""));
		x->colour = store_own(&out->owned,
				      lv_db_column_strdup(stmt, 9, ""));
		x->fit = store_own(&out->owned,
				   lv_db_column_strdup(stmt, 10, ""));
		x->price = sqlite3_column_int64(stmt, 11);
		x->logo = store_own(&out->owned,
				    lv_db_column_strdup(stmt, 13, ""));
		if (sqlite3_column_int(stmt, 12))
			out->selected = (long)out->nvariants;
		out->nvariants++;
	}
	if (step != SQLITE_DONE)
		rc = LV_EINTERNAL;
	else if (first)
		rc = LV_ENOTFOUND;
out:
	lv_db_done(stmt);
	return rc;
}

void policy_past_cleanup(struct policy_past *p)
{
	if (p == NULL)
		return;
	store_strings_free(&p->owned);
	lv_free(p->tags);
	lv_free(p->lines);
	memset(p, 0, sizeof(*p));
}

int policy_past_load(struct lv_db *db, int64_t employee, int64_t since, struct policy_past *out)
{
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0, tagcap = 0, i, *first_tag = NULL;
	int rc, step;

	memset(out, 0, sizeof(*out));
	rc = lv_db_stmt(db,
		"SELECT l.quantity - l.cancelled_quantity - l.returned_quantity, p.slug, l.category,"
		" (SELECT group_concat(tag, char(31)) FROM (SELECT t.tag FROM product_tags t"
		"   WHERE t.product_id = p.id ORDER BY t.tag)),"
		" CAST(julianday(o.created_at, 'unixepoch', 'localtime', 'start of day')"
		"   - 2440587.5 AS INTEGER)"
		" FROM orders o JOIN order_lines l ON l.order_id = o.id"
		" JOIN variants v ON v.id = l.variant JOIN products p ON p.id = v.product_id"
		" WHERE o.employee = ?1 AND o.created_at >= ?2"
		" AND o.status NOT IN ('cancelled', 'refused')"
		" AND l.quantity - l.cancelled_quantity - l.returned_quantity > 0"
		" ORDER BY o.created_at, o.id, l.line_no", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	sqlite3_bind_int64(stmt, 2, since);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct policy_past_line *l;

		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->lines = lv_realloc(out->lines, cap * sizeof(*out->lines));
			first_tag = lv_realloc(first_tag, cap * sizeof(*first_tag));
		}
		l = &out->lines[out->n];
		memset(l, 0, sizeof(*l));
		l->quantity = sqlite3_column_int64(stmt, 0);
		l->product = store_own(&out->owned,
				       lv_db_column_strdup(stmt, 1, ""));
		l->category = store_own(&out->owned,
					lv_db_column_strdup(stmt, 2, ""));
		first_tag[out->n] = out->ntags;
		l->ntags = store_tags_split(stmt, 3, &out->tags, &out->ntags, &tagcap, &out->owned);
		l->day = sqlite3_column_int64(stmt, 4);
		out->n++;
	}
	if (step != SQLITE_DONE)
		rc = LV_EINTERNAL;
	/* the tags array may have moved while it grew: point the lines now */
	for (i = 0; rc == LV_OK && i < out->n; i++)
		out->lines[i].tags = out->lines[i].ntags ? out->tags + first_tag[i] : NULL;
out:
	lv_db_done(stmt);
	lv_free(first_tag);
	if (rc != LV_OK)
		policy_past_cleanup(out);
	return rc;
}
