/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * audit_read.c - searching, reading and exporting the audit log (see
 * audit_read.h); audit.c appends to it.
 *
 * The search is one statement per page. Filters the page gives most often
 * have a statement of their own so that SQLite can use an index for them
 * (an "?n IS NULL OR column = ?n" condition cannot): one for an entity
 * (audit_log_by_entity), one for an action (audit_log_by_action, 0012),
 * and one for everything else, which walks the log newest first. Every
 * statement binds the same numbered parameters. Free text is matched with
 * LIKE, the user's %, _ and \ escaped.
 */
#include "audit_read.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lv_csv.h"
#include "lv_diff.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "report.h"

#define AUDIT_EXPORT_PAGE 500

/* ------------------------------------------------------------------ */
/* The query.                                                         */

/* The parameter key, NULL when absent or empty. */
static const char *param(audit_get_fn get, void *arg, const char *key)
{
	const char *v = get ? get(arg, key) : NULL;

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Copies v into dst (dstlen bytes) when it fits and has no control character. */
static int text_take(char *dst, size_t dstlen, const char *v)
{
	const unsigned char *p;

	if (v == NULL)
		return LV_OK;
	if (strlen(v) >= dstlen)
		return LV_EINVAL;
	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return LV_EINVAL;
	lv_strlcpy(dst, v, dstlen);
	return LV_OK;
}

/* An action or entity name: lower-case letters, digits, '.', '_', '-'. */
static int name_take(char *dst, size_t dstlen, const char *v)
{
	if (v != NULL && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(v))
		return LV_EINVAL;
	return text_take(dst, dstlen, v);
}

int audit_query_parse(audit_get_fn get, void *arg, struct audit_query *q, const char **field,
		      const char **why)
{
	const char *v;
	int64_t n, end;
	int rc = LV_EINVAL;

	memset(q, 0, sizeof(*q));
	q->limit = AUDIT_PAGE_DEFAULT;
	*field = NULL;
	*why = NULL;
	if (text_take(q->actor, sizeof(q->actor), param(get, arg, "actor")) != LV_OK) {
		*field = "actor";
		*why = N_("Write part of a name, or an employee id or email, of at most 200 characters.");
		goto out;
	}
	if (name_take(q->action, sizeof(q->action), param(get, arg, "action")) != LV_OK) {
		*field = "action";
		*why = N_("Choose an action from the list, for example order.cancel.");
		goto out;
	}
	if (name_take(q->entity, sizeof(q->entity), param(get, arg, "entity")) != LV_OK) {
		*field = "entity";
		*why = N_("Choose what was changed from the list, for example order.");
		goto out;
	}
	if (text_take(q->entity_id, sizeof(q->entity_id), param(get, arg, "entity_id")) != LV_OK) {
		*field = "entity_id";
		*why = N_("Write the identifier exactly, in at most 200 characters.");
		goto out;
	}
	if (text_take(q->text, sizeof(q->text), param(get, arg, "q")) != LV_OK) {
		*field = "q";
		*why = N_("Write at most 200 characters to look for.");
		goto out;
	}
	if ((v = param(get, arg, "from")) != NULL) {
		if (report_day_parse(v, &q->from, NULL) != LV_OK) {
			*field = "from";
			*why = N_("Write the first day as YYYY-MM-DD, for example 2026-01-01.");
			goto out;
		}
		lv_strlcpy(q->from_s, v, sizeof(q->from_s));
	}
	if ((v = param(get, arg, "to")) != NULL) {
		if (report_day_parse(v, &n, &end) != LV_OK) {
			*field = "to";
			*why = N_("Write the last day as YYYY-MM-DD, for example 2026-12-31.");
			goto out;
		}
		q->to = end;
		lv_strlcpy(q->to_s, v, sizeof(q->to_s));
	}
	if (q->from && q->to && q->to <= q->from) {
		*field = "range";
		*why = N_("The first day must come before the last day, or be the same day.");
		goto out;
	}
	if ((v = param(get, arg, "before")) != NULL &&
	    lv_parse_i64(v, 1, INT64_MAX, &q->before) != LV_OK) {
		*field = "before";
		*why = N_("This page of the log does not exist: start again from the newest entries.");
		goto out;
	}
	if ((v = param(get, arg, "limit")) != NULL) {
		if (lv_parse_i64(v, 1, AUDIT_PAGE_MAX, &n) != LV_OK) {
			*field = "limit";
			*why = N_("Show from 1 to 200 entries a page.");
			goto out;
		}
		q->limit = (int)n;
	}
	rc = LV_OK;
out:
	return rc;
}

/* ------------------------------------------------------------------ */
/* Pages.                                                             */

#define AUDIT_COLS                                                                          \
	"SELECT a.id, a.at, a.actor_employee, e.employee_id, a.actor_label, a.address,"     \
	" a.action, a.entity, a.entity_id, a.before, a.after"                              \
	" FROM audit_log a LEFT JOIN employees e ON e.id = a.actor_employee WHERE"
/* every filter but the entity and the action */
#define AUDIT_COMMON                                                                        \
	" (?1 = 0 OR a.id < ?1)"                                                            \
	" AND (?2 IS NULL OR a.actor_label LIKE ?3 ESCAPE '\\' OR e.employee_id = ?2"      \
	" OR lower(e.email) = lower(?2))"                                                   \
	" AND (?6 IS NULL OR a.entity_id = ?6)"                                             \
	" AND (?7 IS NULL OR a.before LIKE ?7 ESCAPE '\\' OR a.after LIKE ?7 ESCAPE '\\')"  \
	" AND (?8 = 0 OR a.at >= ?8) AND (?9 = 0 OR a.at < ?9)"                             \
	" ORDER BY a.id DESC LIMIT ?10"
/* an action, or every action under a prefix ("order" for "order.cancel") */
#define AUDIT_ACTION "(a.action = ?4 OR (a.action > ?4 || '.' AND a.action < ?4 || '/'))"

static const char sql_entity[] = AUDIT_COLS " a.entity = ?5 AND (?4 IS NULL OR " AUDIT_ACTION
				 ") AND" AUDIT_COMMON;
static const char sql_action[] = AUDIT_COLS " " AUDIT_ACTION " AND" AUDIT_COMMON;
static const char sql_any[] = AUDIT_COLS AUDIT_COMMON;

/* "%s%" with s's LIKE wildcards escaped. New string. */
static char *like_pattern(const char *s)
{
	size_t n = strlen(s), i, o = 0;
	char *p = lv_malloc(2 * n + 3);

	p[o++] = '%';
	for (i = 0; i < n; i++) {
		if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
			p[o++] = '\\';
		p[o++] = s[i];
	}
	p[o++] = '%';
	p[o] = '\0';
	return p;
}

/* Called for each row of a page; returns LV_OK to go on. */
typedef int (*audit_row_fn)(void *arg, sqlite3_stmt *st);

/*
 * Runs one page of q: at most limit rows before id `before`, each given
 * to fn. OUT: *next, the id to continue before (0: no more). Returns LV_OK,
 * fn's error, or LV_EINTERNAL.
 */
static int audit_page_run(struct lv_db *db, const struct audit_query *q, int64_t before,
			  int limit, audit_row_fn fn, void *arg, int64_t *next)
{
	const char *sql = q->entity[0] ? sql_entity : q->action[0] ? sql_action : sql_any;
	char *actor = q->actor[0] ? like_pattern(q->actor) : NULL;
	char *text = q->text[0] ? like_pattern(q->text) : NULL;
	sqlite3_stmt *st = NULL;
	int64_t last = 0;
	int rc, src, n = 0;

	*next = 0;
	rc = lv_db_stmt(db, sql, &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, before);
	lv_db_bind_text(st, 2, q->actor[0] ? q->actor : NULL);
	lv_db_bind_text(st, 3, actor);
	lv_db_bind_text(st, 4, q->action[0] ? q->action : NULL);
	lv_db_bind_text(st, 5, q->entity[0] ? q->entity : NULL);
	lv_db_bind_text(st, 6, q->entity_id[0] ? q->entity_id : NULL);
	lv_db_bind_text(st, 7, text);
	sqlite3_bind_int64(st, 8, q->from);
	sqlite3_bind_int64(st, 9, q->to);
	sqlite3_bind_int(st, 10, limit + 1);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > limit) {
			*next = last;
			break;
		}
		last = sqlite3_column_int64(st, 0);
		rc = fn(arg, st);
		if (rc != LV_OK)
			goto out;
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		lv_error("audit_read", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(st);
	lv_free(actor);
	lv_free(text);
	return rc;
}

/*
 * n bytes of s as a JSON string; bytes that are not UTF-8 (the log holds
 * what Livery wrote, but a hand-made row could hold anything) become '?'.
 */
static json_t *json_text(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	char *copy;
	size_t i;

	if (v != NULL)
		return v;
	copy = lv_strndup(s, n);
	for (i = 0; i < n; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	v = json_stringn(copy, n);
	lv_free(copy);
	return v;
}

/* Column i: the JSON it holds, its text when it is not JSON, or null. */
static json_t *col_json_value(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	json_t *v;

	if (s == NULL)
		return json_null();
	v = json_loads(s, JSON_DECODE_ANY, NULL);
	return v ? v : json_text(s, (size_t)sqlite3_column_bytes(st, i));
}

static json_t *col_text_or_null(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? json_text(s, (size_t)sqlite3_column_bytes(st, i)) : json_null();
}

/* The row as an entry object. New reference. */
static json_t *entry_json(sqlite3_stmt *st)
{
	json_t *actor = json_pack("{s:o,s:o,s:o}",
		"id", sqlite3_column_type(st, 2) == SQLITE_NULL ? json_null() :
			json_integer((json_int_t)sqlite3_column_int64(st, 2)),
		"employee_id", col_text_or_null(st, 3),
		"name", col_text_or_null(st, 4));

	return json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			 "id", (json_int_t)sqlite3_column_int64(st, 0),
			 "at", (json_int_t)sqlite3_column_int64(st, 1),
			 "actor", actor,
			 "address", col_text_or_null(st, 5),
			 "action", col_text_or_null(st, 6),
			 "entity", col_text_or_null(st, 7),
			 "entity_id", col_text_or_null(st, 8),
			 "before", col_json_value(st, 9),
			 "after", col_json_value(st, 10));
}

static int entry_append(void *arg, sqlite3_stmt *st)
{
	json_array_append_new(arg, entry_json(st));
	return LV_OK;
}

int audit_search(struct lv_db *db, const struct audit_query *q, json_t **out, int64_t *next)
{
	json_t *list = json_array();
	int rc = audit_page_run(db, q, q->before, q->limit > 0 ? q->limit : AUDIT_PAGE_DEFAULT,
				entry_append, list, next);

	if (rc != LV_OK) {
		json_decref(list);
		list = NULL;
	}
	*out = list;
	return rc;
}

int audit_get(struct lv_db *db, int64_t id, json_t **out)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	*out = NULL;
	rc = lv_db_stmt(db, AUDIT_COLS " a.id = ?1", &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		*out = entry_json(st);
	else if (src == SQLITE_DONE)
		rc = LV_ENOTFOUND;
	else
		rc = LV_EINTERNAL;
out:
	lv_db_done(st);
	return rc;
}

int audit_vocabulary(struct lv_db *db, json_t **out)
{
	sqlite3_stmt *st = NULL;
	json_t *actions = json_array(), *entities = json_array();
	int rc, src;

	*out = NULL;
	rc = lv_db_stmt(db, "SELECT 0, action FROM (SELECT DISTINCT action FROM audit_log"
			    " ORDER BY action LIMIT 200)"
			    " UNION ALL SELECT 1, entity FROM (SELECT DISTINCT entity FROM audit_log"
			    " ORDER BY entity LIMIT 100)", &st);
	if (rc != LV_OK)
		goto out;
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(sqlite3_column_int(st, 0) ? entities : actions,
				      json_text((const char *)sqlite3_column_text(st, 1),
						(size_t)sqlite3_column_bytes(st, 1)));
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
out:
	lv_db_done(st);
	if (rc == LV_OK)
		*out = json_pack("{s:O,s:O}", "actions", actions, "entities", entities);
	json_decref(actions);
	json_decref(entities);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Export.                                                            */

struct export_state {
	struct lv_buf *out;
	size_t rows;
};

/* t as local ISO 8601 with its offset: 2026-03-31T23:59:59+02:00. */
static void iso_local(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm l;
	char z[8];

	out[0] = '\0';
	if (localtime_r(&tt, &l) == NULL || strftime(out, len, "%Y-%m-%dT%H:%M:%S", &l) == 0 ||
	    strftime(z, sizeof(z), "%z", &l) != 5)
		return;
	lv_snprintf(out + strlen(out), len - strlen(out), "%.3s:%.2s", z, z + 3);
}

static int export_row(void *arg, sqlite3_stmt *st)
{
	struct export_state *x = arg;
	char id[24], at[40];
	int rc, i;

	if (x->rows >= AUDIT_EXPORT_ROWS_MAX)
		return LV_ETOOBIG;
	lv_snprintf(id, sizeof(id), "%lld", (long long)sqlite3_column_int64(st, 0));
	iso_local(sqlite3_column_int64(st, 1), at, sizeof(at));
	rc = lv_csv_cell(x->out, id, 1);
	if (rc == LV_OK)
		rc = lv_csv_cell(x->out, at, 0);
	/* actor, actor_employee_id, address, action, entity, entity_id, before, after */
	for (i = 4; rc == LV_OK && i <= 10; i++) {
		rc = lv_csv_cell(x->out, (const char *)sqlite3_column_text(st, i), 0);
		if (rc == LV_OK && i == 4)
			rc = lv_csv_cell(x->out, (const char *)sqlite3_column_text(st, 3), 0);
	}
	if (rc == LV_OK)
		rc = lv_buf_append(x->out, "\r\n", 2);
	if (rc == LV_OK)
		x->rows++;
	return rc;
}

int audit_export_csv(struct lv_db *db, const struct audit_query *q, struct lv_buf *out,
		     size_t *rows)
{
	struct export_state x = { out, 0 };
	int64_t before = 0, next = 0;
	int rc;

	rc = lv_buf_append_str(out, "id,at,actor,actor_employee_id,address,action,entity,"
				    "entity_id,before,after\r\n");
	while (rc == LV_OK) {
		rc = audit_page_run(db, q, before, AUDIT_EXPORT_PAGE, export_row, &x, &next);
		if (rc != LV_OK || next == 0)
			break;
		before = next;
	}
	*rows = x.rows;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Diff.                                                              */

/*
 * v pretty-printed (NULL for none or JSON null); a string (a value that
 * was not JSON) as it is. Free with lv_free().
 */
static char *json_pretty(const json_t *v)
{
	char *dump, *copy;

	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return lv_strdup(json_string_value(v));
	dump = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	copy = lv_strdup(dump ? dump : "");
	free(dump);
	return copy;
}

json_t *audit_diff(const json_t *before, const json_t *after, int *truncated)
{
	char *a = json_pretty(before), *b = json_pretty(after);
	json_t *out = json_array();
	struct lv_diff d;
	size_t i;

	*truncated = 0;
	lv_diff_lines(a, b, &d);
	for (i = 0; i < d.n; i++) {
		if (i == AUDIT_DIFF_LINES_MAX) {
			*truncated = 1;
			break;
		}
		json_array_append_new(out, json_pack("{s:s,s:o}", "kind",
						     lv_diff_kind_name(d.v[i].kind), "text",
						     json_text(d.v[i].text, d.v[i].len)));
	}
	lv_diff_cleanup(&d);
	lv_free(a);
	lv_free(b);
	return out;
}
