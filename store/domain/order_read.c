/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_read.c - orders as the pages and the API read them (see order.h):
 * one order with its lines, what each programme paid and its history; the
 * summaries of an employee's (or everyone's) orders; the approval queue and
 * who may decide an order.
 *
 * Every answer is built from a fixed number of queries whatever its size:
 * order_get runs four (the order, its lines, its payments, its history from
 * audit_log through audit_log_by_entity), a list runs one. The history's
 * "from" and "to" are the status in the before and after JSON that
 * order_flow.c (and the checkout's "order.place") write with each entry.
 */
#include "order.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"

#define ORDER_LIST_MAX 500

static const char *const order_states[] = {
	"pending_approval", "placed", "picking", "shipped",
	"delivered", "cancelled", "returned", "refused",
};

int order_status_known(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(order_states) / sizeof(order_states[0]); i++)
		if (strcmp(s, order_states[i]) == 0)
			return 1;
	return 0;
}

/* Column col as a JSON string, or null when it is NULL. New reference. */
static json_t *col_str(sqlite3_stmt *stmt, int col)
{
	const char *s = (const char *)sqlite3_column_text(stmt, col);

	return s == NULL ? json_null() : json_string(s);
}

static json_t *col_int(sqlite3_stmt *stmt, int col)
{
	return json_integer((json_int_t)sqlite3_column_int64(stmt, col));
}

/* A column holding JSON text, parsed; the text itself when it does not parse. */
static json_t *col_json(sqlite3_stmt *stmt, int col)
{
	const char *s = (const char *)sqlite3_column_text(stmt, col);
	json_t *v;

	if (s == NULL)
		return json_null();
	v = json_loads(s, JSON_DECODE_ANY, NULL);
	return v != NULL ? v : json_string(s);
}

/* ---- one order ---- */

/* The order row as JSON without lines and history. OUT: *id, *o. */
static int order_head(struct lv_db *db, const char *ref, int64_t employee, int64_t *id,
		      json_t **o)
{
	sqlite3_stmt *stmt = NULL;
	json_t *decision;
	int rc;

	*o = NULL;
	rc = lv_db_stmt(db, "SELECT o.id, o.ref, o.status, o.created_at, o.updated_at, "
			    "o.currency, o.total, o.covered, o.overage, o.overage_approval, "
			    "o.overage_payroll, o.payroll_consent, o.delivery, o.ship_to, "
			    "o.carrier, o.tracking, o.decided_by, o.decided_at, "
			    "o.decision_reason, d.name, e.id, e.employee_id, e.name "
			    "FROM orders o JOIN employees e ON e.id = o.employee "
			    "LEFT JOIN employees d ON d.id = o.decided_by "
			    "WHERE o.ref = ?1 AND (?2 = 0 OR o.employee = ?2)", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, ref);
	sqlite3_bind_int64(stmt, 2, employee);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	*id = sqlite3_column_int64(stmt, 0);
	decision = json_null();
	if (sqlite3_column_type(stmt, 17) != SQLITE_NULL)
		decision = json_pack("{s:o,s:o,s:o}", "by", col_str(stmt, 19),
				     "at", col_int(stmt, 17), "reason", col_str(stmt, 18));
	*o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,"
		       "s:o,s:{s:o,s:o,s:o}}",
		       "ref", col_str(stmt, 1), "status", col_str(stmt, 2),
		       "created_at", col_int(stmt, 3), "updated_at", col_int(stmt, 4),
		       "currency", col_str(stmt, 5), "total", col_int(stmt, 6),
		       "covered", col_int(stmt, 7), "overage", col_int(stmt, 8),
		       "overage_approval", col_int(stmt, 9),
		       "overage_payroll", col_int(stmt, 10),
		       "payroll_consent", sqlite3_column_int(stmt, 11),
		       "delivery", col_str(stmt, 12), "ship_to", col_json(stmt, 13),
		       "carrier", col_str(stmt, 14), "tracking", col_str(stmt, 15),
		       "decision", decision,
		       "employee", "id", col_int(stmt, 20), "employee_id", col_str(stmt, 21),
		       "name", col_str(stmt, 22));
	if (*o == NULL)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * The lines of order id into o's "lines", each with an empty "payments".
 * OUT: *line_ids (lv_free), the order_lines.id of each line, in order.
 */
static int order_lines_read(struct lv_db *db, int64_t id, json_t *o, int64_t **line_ids,
			    size_t *n)
{
	sqlite3_stmt *stmt = NULL;
	json_t *lines = json_array(), *l;
	size_t cap = 0;
	int rc, src;

	*line_ids = NULL;
	*n = 0;
	/* the logo option is the variant's (order_lines keeps no copy of it) */
	rc = lv_db_stmt(db, "SELECT l.id, l.line_no, l.sku, l.product_name, l.size, l.colour, "
			    "l.fit, l.category, l.unit_price, l.quantity, l.total, l.covered, "
			    "l.overage_rule, l.cancelled_quantity, l.returned_quantity, "
			    "coalesce(v.logo, '') FROM order_lines l "
			    "LEFT JOIN variants v ON v.id = l.variant "
			    "WHERE l.order_id = ?1 ORDER BY l.line_no", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		l = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:[]}",
			      "line_no", col_int(stmt, 1), "sku", col_str(stmt, 2),
			      "product", col_str(stmt, 3), "size", col_str(stmt, 4),
			      "colour", col_str(stmt, 5), "fit", col_str(stmt, 6),
			      "logo", col_str(stmt, 15),
			      "category", col_str(stmt, 7), "unit_price", col_int(stmt, 8),
			      "quantity", col_int(stmt, 9), "total", col_int(stmt, 10),
			      "covered", col_int(stmt, 11), "overage_rule", col_str(stmt, 12),
			      "cancelled_quantity", col_int(stmt, 13),
			      "returned_quantity", col_int(stmt, 14), "payments");
		if (l == NULL) {
			rc = LV_EINTERNAL;
			goto out;
		}
		json_array_append_new(lines, l);
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*line_ids = lv_realloc(*line_ids, cap * sizeof(**line_ids));
		}
		(*line_ids)[(*n)++] = sqlite3_column_int64(stmt, 0);
	}
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	json_object_set_new(o, "lines", lines);
	return rc;
}

/* What each programme paid for each line, into the lines' "payments". */
static int order_payments_read(struct lv_db *db, int64_t id, json_t *lines,
			       const int64_t *line_ids, size_t n)
{
	sqlite3_stmt *stmt = NULL;
	int64_t line;
	size_t i;
	int rc, src;

	rc = lv_db_stmt(db, "SELECT p.line_id, ap.slug, ap.name, ap.unit, p.amount, p.value "
			    "FROM order_payments p JOIN allowance_programmes ap "
			    "ON ap.id = p.programme WHERE p.order_id = ?1 "
			    "ORDER BY p.line_id, ap.position, ap.id", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		line = sqlite3_column_int64(stmt, 0);
		for (i = 0; i < n && line_ids[i] != line; i++)
			;
		if (i == n)
			continue;
		json_array_append_new(json_object_get(json_array_get(lines, i), "payments"),
				      json_pack("{s:o,s:o,s:o,s:o,s:o}",
						"programme", col_str(stmt, 1),
						"name", col_str(stmt, 2), "unit", col_str(stmt, 3),
						"amount", col_int(stmt, 4),
						"value", col_int(stmt, 5)));
	}
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	return rc;
}

/* The order's audit entries, oldest first, into o's "history". */
static int order_history_read(struct lv_db *db, const char *ref, json_t *o)
{
	sqlite3_stmt *stmt = NULL;
	json_t *hist = json_array();
	int rc, src;

	rc = lv_db_stmt(db, "SELECT at, action, actor_label, json_extract(before, '$.status'), "
			    "json_extract(after, '$.status'), json_extract(after, '$.reason') "
			    "FROM audit_log WHERE entity = 'order' AND entity_id = ?1 "
			    "ORDER BY id", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, ref);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(hist, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}",
						      "at", col_int(stmt, 0),
						      "action", col_str(stmt, 1),
						      "by", col_str(stmt, 2),
						      "from", col_str(stmt, 3),
						      "to", col_str(stmt, 4),
						      "reason", col_str(stmt, 5)));
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	json_object_set_new(o, "history", hist);
	return rc;
}

int order_get(struct lv_db *db, const char *ref, int64_t employee, json_t **out)
{
	int64_t id = 0, *line_ids = NULL;
	json_t *o = NULL;
	size_t n = 0;
	int rc, own;

	*out = NULL;
	if (ref == NULL || ref[0] == '\0' || strlen(ref) > 32) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	/* one read transaction, so the four reads see the same order */
	own = sqlite3_get_autocommit(db->conn);
	if (own && lv_db_exec(db, "BEGIN") != LV_OK) {
		rc = LV_EINTERNAL;
		goto out;
	}
	rc = order_head(db, ref, employee, &id, &o);
	if (rc == LV_OK)
		rc = order_lines_read(db, id, o, &line_ids, &n);
	if (rc == LV_OK)
		rc = order_payments_read(db, id, json_object_get(o, "lines"), line_ids, n);
	if (rc == LV_OK)
		rc = order_history_read(db, ref, o);
	if (own)
		lv_db_rollback(db);
	if (rc == LV_OK) {
		*out = o;
		o = NULL;
	}
out:
	lv_free(line_ids);
	json_decref(o);
	return rc;
}

/* ---- lists ---- */

#define SUMMARY_COLUMNS                                                           \
	"SELECT o.id, o.ref, o.status, o.created_at, o.total, o.covered, o.overage, " \
	"(SELECT count(*) FROM order_lines l WHERE l.order_id = o.id), "             \
	"(SELECT coalesce(sum(l.quantity), 0) FROM order_lines l "                   \
	"WHERE l.order_id = o.id) FROM orders o "

/* One summary from a row of SUMMARY_COLUMNS. New reference. */
static json_t *summary_json(sqlite3_stmt *stmt)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			 "id", col_int(stmt, 0), "ref", col_str(stmt, 1),
			 "status", col_str(stmt, 2), "created_at", col_int(stmt, 3),
			 "total", col_int(stmt, 4), "covered", col_int(stmt, 5),
			 "overage", col_int(stmt, 6), "lines", col_int(stmt, 7),
			 "items", col_int(stmt, 8));
}

/*
 * Steps stmt (prepared and bound) to its end, row(stmt) for each row.
 * OUT: *out, a new JSON array of them. Resets stmt. Returns LV_OK or
 * LV_EINTERNAL (logged under what).
 */
static int order_rows_read(struct lv_db *db, sqlite3_stmt *stmt,
			   json_t *(*row)(sqlite3_stmt *stmt), const char *what, json_t **out)
{
	json_t *a = json_array();
	int rc = LV_OK, src;

	while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(a, row(stmt));
	if (src != SQLITE_DONE) {
		lv_error(what, "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto out;
	}
	*out = a;
	a = NULL;
out:
	lv_db_done(stmt);
	json_decref(a);
	return rc;
}

int order_list(struct lv_db *db, int64_t employee, const char *status, int64_t before_id,
	       int limit, json_t **out)
{
	/* one statement per filter combination, so each can use its index */
	static const char *const sql[4] = {
		SUMMARY_COLUMNS "WHERE o.id < ?3 ORDER BY o.id DESC LIMIT ?4",
		SUMMARY_COLUMNS "WHERE o.employee = ?1 AND o.id < ?3 "
				"ORDER BY o.id DESC LIMIT ?4",
		SUMMARY_COLUMNS "WHERE o.status = ?2 AND o.id < ?3 "
				"ORDER BY o.id DESC LIMIT ?4",
		SUMMARY_COLUMNS "WHERE o.employee = ?1 AND o.status = ?2 AND o.id < ?3 "
				"ORDER BY o.id DESC LIMIT ?4",
	};
	sqlite3_stmt *stmt = NULL;
	int rc;

	*out = NULL;
	if (limit < 1 || limit > ORDER_LIST_MAX || before_id < 0 ||
	    (status != NULL && !order_status_known(status))) {
		rc = LV_EINVAL;
		goto out;
	}
	rc = lv_db_stmt(db, sql[(employee != 0) | (status != NULL) << 1], &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	lv_db_bind_text(stmt, 2, status);
	sqlite3_bind_int64(stmt, 3, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int(stmt, 4, limit);
	rc = order_rows_read(db, stmt, summary_json, "order.list", out);
out:
	return rc;
}

/* qsort comparison of two lines by line_no. */
static int line_no_cmp(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "line_no"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "line_no"));

	return x < y ? -1 : x > y;
}

/*
 * The lines of a queue row (column 15: a JSON array text, in no promised
 * order) sorted by line_no. New reference (an empty array when the text
 * does not parse).
 */
static json_t *approval_lines(sqlite3_stmt *stmt)
{
	const char *text = (const char *)sqlite3_column_text(stmt, 15);
	json_t *lines = text ? json_loads(text, 0, NULL) : NULL, *out = json_array(), **v;
	size_t i, n = json_array_size(lines);

	if (n == 0) {
		json_decref(lines);
		return out;
	}
	v = lv_malloc(n * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_array_get(lines, i);
	qsort(v, n, sizeof(*v), line_no_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	lv_free(v);
	json_decref(lines);
	return out;
}

/*
 * Why an order waits, from its lines: each line whose overage needs
 * approval goes over the first programme (in checkout order) that paid
 * part of it, or was paid by none (no programme covers it, or those that
 * do had nothing left). New array [{programme (name, or null), amount
 * (minor units over), products [names]}], in line order.
 */
static json_t *approval_reasons(const json_t *lines)
{
	json_t *out = json_array(), *l, *r, *p, *prog;
	size_t i, k, j;

	json_array_foreach(lines, i, l) {
		const char *rule = json_string_value(json_object_get(l, "overage_rule"));
		json_int_t over = json_integer_value(json_object_get(l, "total")) -
				  json_integer_value(json_object_get(l, "covered"));
		const char *product = json_string_value(json_object_get(l, "product"));
		int seen = 0;

		if (rule == NULL || strcmp(rule, "approval") != 0 || over <= 0)
			continue;
		prog = json_object_get(l, "programme");
		r = NULL;
		json_array_foreach(out, k, p) {
			if (json_equal(json_object_get(p, "programme"), prog)) {
				r = p;
				break;
			}
		}
		if (r == NULL) {
			r = json_pack("{s:O,s:I,s:[]}", "programme", prog ? prog : json_null(),
				      "amount", (json_int_t)0, "products");
			json_array_append_new(out, r);
		}
		json_object_set_new(r, "amount", json_integer(
			json_integer_value(json_object_get(r, "amount")) + over));
		json_array_foreach(json_object_get(r, "products"), j, p)
			if (product && json_string_value(p) && strcmp(json_string_value(p), product) == 0)
				seen = 1;
		if (!seen && product)
			json_array_append_new(json_object_get(r, "products"), json_string(product));
	}
	return out;
}

/* "a, b, c" from an array of strings into b. */
static void strings_join(const json_t *list, struct lv_buf *b)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) {
		if (i > 0)
			lv_buf_append_str(b, ", ");
		lv_buf_append_str(b, json_string_value(v) ? json_string_value(v) : "");
	}
}

/*
 * The reasons in English for the API, one part per programme gone over:
 * "Over the allowance by 45.00 (Uniform)", and "Not paid by any
 * allowance: 3.50 (Lanyard)" for what no programme paid, joined by "; ".
 * OUT: *names_out, the programmes' names joined with ", " (new reference).
 */
static json_t *approval_reason(const json_t *reasons, const char *currency, json_t **names_out)
{
	struct lv_buf b, names;
	json_t *r, *s;
	char amount[48];
	size_t i;

	lv_buf_init(&b, 4096);
	lv_buf_init(&names, 4096);
	json_array_foreach(reasons, i, r) {
		const char *prog = json_string_value(json_object_get(r, "programme"));

		catalog_amount_plain(json_integer_value(json_object_get(r, "amount")),
				     currency ? currency : "", amount, sizeof(amount));
		if (i > 0)
			lv_buf_append_str(&b, "; ");
		if (prog != NULL) {
			lv_buf_printf(&b, "Over the allowance by %s (%s)", amount, prog);
			if (names.len > 0)
				lv_buf_append_str(&names, ", ");
			lv_buf_append_str(&names, prog);
		} else {
			lv_buf_printf(&b, "Not paid by any allowance: %s (", amount);
			strings_join(json_object_get(r, "products"), &b);
			lv_buf_append_str(&b, ")");
		}
	}
	s = json_string(lv_buf_str(&b));
	*names_out = json_string(lv_buf_str(&names));
	lv_buf_cleanup(&b);
	lv_buf_cleanup(&names);
	return s;
}

/* One entry of the approval queue from its row. New reference. */
static json_t *approval_json(sqlite3_stmt *stmt)
{
	json_t *o = summary_json(stmt), *names = NULL, *lines, *reasons;
	const char *currency = (const char *)sqlite3_column_text(stmt, 14);

	lines = approval_lines(stmt);
	reasons = approval_reasons(lines);
	json_object_set_new(o, "employee",
			    json_pack("{s:o,s:o,s:o,s:o}", "id", col_int(stmt, 10),
				      "employee_id", col_str(stmt, 11),
				      "name", col_str(stmt, 12),
				      "department", col_str(stmt, 13)));
	json_object_set_new(o, "overage_approval", col_int(stmt, 9));
	json_object_set_new(o, "currency", col_str(stmt, 14));
	json_object_set_new(o, "reason", approval_reason(reasons, currency, &names));
	json_object_set_new(o, "programmes", names);
	json_object_set_new(o, "reasons", reasons);
	json_object_set_new(o, "order_lines", lines);
	return o;
}

int order_approvals_list(struct lv_db *db, int64_t approver, int is_approver,
			 json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*out = NULL;
	/* oldest first: a queue is worked from its head. One statement for
	 * the whole queue: each order's lines (with the first programme, in
	 * checkout order, that paid part of each) come as one JSON array */
	rc = lv_db_stmt(db, "SELECT o.id, o.ref, o.status, o.created_at, o.total, o.covered, "
			    "o.overage, (SELECT count(*) FROM order_lines l "
			    "WHERE l.order_id = o.id), (SELECT coalesce(sum(l.quantity), 0) "
			    "FROM order_lines l WHERE l.order_id = o.id), o.overage_approval, "
			    "e.id, e.employee_id, e.name, e.department, o.currency, "
			    "(SELECT json_group_array(json_object('line_no', l.line_no, "
			    "'sku', l.sku, 'product', l.product_name, 'size', l.size, "
			    "'colour', l.colour, 'fit', l.fit, 'unit_price', l.unit_price, "
			    "'quantity', l.quantity, 'total', l.total, 'covered', l.covered, "
			    "'overage_rule', l.overage_rule, 'programme', "
			    "(SELECT ap.name FROM order_payments p JOIN allowance_programmes ap "
			    "ON ap.id = p.programme WHERE p.line_id = l.id "
			    "ORDER BY ap.position, ap.id LIMIT 1))) "
			    "FROM order_lines l WHERE l.order_id = o.id) "
			    "FROM orders o JOIN employees e ON e.id = o.employee "
			    "WHERE o.status = 'pending_approval' AND o.employee <> ?1 "
			    "AND (?2 OR e.manager_employee_id = "
			    "(SELECT employee_id FROM employees WHERE id = ?1)) "
			    "ORDER BY o.id", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, approver);
	sqlite3_bind_int(stmt, 2, is_approver ? 1 : 0);
	rc = order_rows_read(db, stmt, approval_json, "order.approvals", out);
out:
	return rc;
}

int order_approval_allowed(struct lv_db *db, const char *ref, int64_t approver,
			   int is_approver)
{
	sqlite3_stmt *stmt = NULL;
	const char *mgr, *mine;
	int rc;

	if (ref == NULL) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	rc = lv_db_stmt(db, "SELECT o.employee, e.manager_employee_id, "
			    "(SELECT employee_id FROM employees WHERE id = ?2) "
			    "FROM orders o JOIN employees e ON e.id = o.employee "
			    "WHERE o.ref = ?1 AND o.status = 'pending_approval'", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, ref);
	sqlite3_bind_int64(stmt, 2, approver);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	mgr = (const char *)sqlite3_column_text(stmt, 1);
	mine = (const char *)sqlite3_column_text(stmt, 2);
	if (approver <= 0 || sqlite3_column_int64(stmt, 0) == approver)
		rc = LV_EFORBIDDEN; /* nobody approves their own order */
	else if (is_approver)
		rc = LV_OK;
	else if (mgr != NULL && mine != NULL && strcmp(mgr, mine) == 0)
		rc = LV_OK;
	else
		rc = LV_EFORBIDDEN;
out:
	lv_db_done(stmt);
	return rc;
}
