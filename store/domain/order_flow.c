/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_flow.c - what happens to an order after the checkout (see order.h):
 * approval and refusal, the fulfilment steps, cancellation and returns with
 * their allowance refunds and the stock they give back.
 *
 * Each public function is one write transaction (BEGIN IMMEDIATE, unless
 * the caller already holds one) holding the change, its refunds, the stock
 * and listing updates and its audit_log entry ("order.approve",
 * "order.refuse", "order.advance", "order.cancel", "order.return"; entity
 * "order", entity_id the ref, before/after {status, ...}), so they commit
 * together or not at all.
 *
 * Refunds are exact: a programme paid `paid` for a line of n units; when
 * the released count of the line goes from b to a, it gets back
 * floor(paid * a / n) - floor(paid * b / n). These telescope, so however a
 * line comes back (one unit at a time, or all at once) its refunds sum to
 * floor(paid * n / n) = paid, never a cent more or less.
 */
#include "order.h"

#include <string.h>

#include "allowance.h"
#include "catalog.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"

#define ORDER_REASON_MAX 500

/* The order as the transitions need it. */
struct flow_order {
	int64_t id;
	int64_t employee;
	char ref[33];
	char status[20];
};

/* One line: what was ordered and what is already back. */
struct flow_line {
	int64_t id;
	int64_t line_no;
	int64_t variant;
	int64_t product;
	int64_t quantity;
	int64_t released; /* cancelled + returned */
	int64_t release;  /* released by this call */
};

/* A programme's refund in this call. */
struct flow_refund {
	int64_t programme;
	int64_t amount;
};

static void msg_set(char *msg, size_t msglen, const char *text)
{
	if (msg != NULL && msglen > 0)
		lv_strlcpy(msg, text, msglen);
}

/* 1 when s is NULL, empty or only white space. */
static int blank(const char *s)
{
	return s == NULL || strspn(s, " \t\r\n") == strlen(s);
}

/* 1 when s has a control character (it goes into CSV and pages on one line). */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Checks the reason a caller gives: when required, it may not be blank
 * (msg: missing); never longer than ORDER_REASON_MAX. A blank reason
 * becomes NULL (*reason). Returns LV_OK or LV_EINVAL (msg).
 */
static int flow_reason_check(const char **reason, int required, const char *missing,
			     char *msg, size_t msglen)
{
	int rc = LV_EINVAL;

	if (required && blank(*reason))
		msg_set(msg, msglen, missing);
	else if (*reason != NULL && strlen(*reason) > ORDER_REASON_MAX)
		msg_set(msg, msglen, "The reason is too long (at most 500 bytes).");
	else
		rc = LV_OK;
	if (rc == LV_OK && blank(*reason))
		*reason = NULL;
	return rc;
}

/* Loads ref (theirs only when employee != 0). Returns LV_OK or LV_ENOTFOUND. */
static int flow_order_load(struct lv_db *db, const char *ref, int64_t employee,
			   struct flow_order *o)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	if (ref == NULL || ref[0] == '\0' || strlen(ref) >= sizeof(o->ref)) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	rc = lv_db_stmt(db, "SELECT id, employee, status FROM orders WHERE ref = ?1 "
			    "AND (?2 = 0 OR employee = ?2)", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, ref);
	sqlite3_bind_int64(stmt, 2, employee);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	o->id = sqlite3_column_int64(stmt, 0);
	o->employee = sqlite3_column_int64(stmt, 1);
	lv_strlcpy(o->ref, ref, sizeof(o->ref));
	lv_strlcpy(o->status, (const char *)sqlite3_column_text(stmt, 2), sizeof(o->status));
out:
	lv_db_done(stmt);
	return rc;
}

/* Sets the order's status (and updated_at), guarded by its current status. */
static int flow_status_set(struct lv_db *db, const struct flow_order *o, const char *to,
			   int64_t at)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = lv_db_stmt(db, "UPDATE orders SET status = ?1, updated_at = ?2 "
			    "WHERE id = ?3 AND status = ?4", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, to);
	sqlite3_bind_int64(stmt, 2, at);
	sqlite3_bind_int64(stmt, 3, o->id);
	lv_db_bind_text(stmt, 4, o->status);
	if (sqlite3_step(stmt) != SQLITE_DONE || sqlite3_changes(db->conn) != 1) {
		lv_error("order.status", "ref=%s to=%s error=\"%s\"", o->ref, to,
			 sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(stmt);
	return rc;
}

/* The audit entry of a transition: before {status}, after (stolen). */
static int flow_audit(struct lv_db *db, const struct audit_actor *actor, const char *action,
		      const struct flow_order *o, json_t *after)
{
	static const struct audit_actor sys = { 0, "system", NULL };
	json_t *before = json_pack("{s:s}", "status", o->status);
	int rc;

	rc = audit_append(db, actor != NULL && actor->label != NULL ? actor : &sys, action,
			  "order", o->ref, before, after);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* ---- releasing lines: refunds and stock ---- */

/* The lines of order o. OUT: *lines (lv_free), *n. */
static int flow_lines_load(struct lv_db *db, const struct flow_order *o,
			   struct flow_line **lines, size_t *n)
{
	sqlite3_stmt *stmt = NULL;
	struct flow_line *l;
	size_t cap = 0;
	int rc, src;

	*lines = NULL;
	*n = 0;
	rc = lv_db_stmt(db, "SELECT l.id, l.line_no, l.variant, v.product_id, l.quantity, "
			    "l.cancelled_quantity + l.returned_quantity FROM order_lines l "
			    "JOIN variants v ON v.id = l.variant WHERE l.order_id = ?1 "
			    "ORDER BY l.line_no", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, o->id);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*lines = lv_realloc(*lines, cap * sizeof(**lines));
		}
		l = &(*lines)[(*n)++];
		l->id = sqlite3_column_int64(stmt, 0);
		l->line_no = sqlite3_column_int64(stmt, 1);
		l->variant = sqlite3_column_int64(stmt, 2);
		l->product = sqlite3_column_int64(stmt, 3);
		l->quantity = sqlite3_column_int64(stmt, 4);
		l->released = sqlite3_column_int64(stmt, 5);
		l->release = 0;
	}
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * Fills lines[].release from the request: everything left when nreq is 0,
 * else the given quantities. Returns LV_OK, LV_EINVAL (msg) or LV_ECONFLICT
 * (nothing left to release).
 */
static int flow_release_plan(struct flow_line *lines, size_t n,
			     const struct order_line_qty *req, size_t nreq, char *msg,
			     size_t msglen)
{
	char text[160];
	int64_t total = 0;
	size_t i, k;
	int rc = LV_OK;

	if (nreq == 0) {
		for (i = 0; i < n; i++) {
			lines[i].release = lines[i].quantity - lines[i].released;
			total += lines[i].release;
		}
		if (total == 0) {
			msg_set(msg, msglen, "Nothing is left in this order to cancel or return.");
			rc = LV_ECONFLICT;
		}
		goto out;
	}
	if (nreq > ORDER_MAX_LINES) {
		msg_set(msg, msglen, "Too many lines.");
		rc = LV_EINVAL;
		goto out;
	}
	for (k = 0; k < nreq; k++) {
		for (i = 0; i < n && lines[i].line_no != req[k].line_no; i++)
			;
		if (i == n)
			lv_snprintf(text, sizeof(text), "The order has no line %lld.",
				    (long long)req[k].line_no);
		else if (lines[i].release != 0)
			lv_snprintf(text, sizeof(text), "Line %lld is given twice.",
				    (long long)req[k].line_no);
		else if (req[k].quantity < 1 ||
			 req[k].quantity > lines[i].quantity - lines[i].released)
			lv_snprintf(text, sizeof(text), "Line %lld: the quantity must be "
				    "between 1 and %lld.", (long long)req[k].line_no,
				    (long long)(lines[i].quantity - lines[i].released));
		else {
			lines[i].release = req[k].quantity;
			continue;
		}
		msg_set(msg, msglen, text);
		rc = LV_EINVAL;
		goto out;
	}
out:
	return rc;
}

/*
 * Each programme's refund for the lines' releases (see the header).
 * OUT: *refunds (lv_free), *nref.
 */
static int flow_refunds_compute(struct lv_db *db, const struct flow_order *o,
				const struct flow_line *lines, size_t n,
				struct flow_refund **refunds, size_t *nref)
{
	sqlite3_stmt *stmt = NULL;
	const struct flow_line *l;
	int64_t line, prog, paid, part;
	size_t i, k, cap = 0;
	int rc, src;

	*refunds = NULL;
	*nref = 0;
	rc = lv_db_stmt(db, "SELECT line_id, programme, amount FROM order_payments "
			    "WHERE order_id = ?1 ORDER BY programme, line_id", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, o->id);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		line = sqlite3_column_int64(stmt, 0);
		prog = sqlite3_column_int64(stmt, 1);
		paid = sqlite3_column_int64(stmt, 2);
		for (i = 0; i < n && lines[i].id != line; i++)
			;
		if (i == n || lines[i].release == 0)
			continue;
		l = &lines[i];
		part = paid * (l->released + l->release) / l->quantity -
		       paid * l->released / l->quantity;
		if (part == 0)
			continue;
		for (k = 0; k < *nref && (*refunds)[k].programme != prog; k++)
			;
		if (k == *nref) {
			if (*nref == cap) {
				cap = cap ? cap * 2 : 4;
				*refunds = lv_realloc(*refunds, cap * sizeof(**refunds));
			}
			(*refunds)[k].programme = prog;
			(*refunds)[k].amount = 0;
			(*nref)++;
		}
		(*refunds)[k].amount += part;
	}
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	return rc;
}

/* Adds the released quantities to the lines and gives the stock back. */
static int flow_lines_release(struct lv_db *db, const struct flow_line *lines, size_t n,
			      int is_return)
{
	sqlite3_stmt *stmt = NULL;
	size_t i, k;
	int rc = LV_OK;

	for (i = 0; i < n && rc == LV_OK; i++) {
		if (lines[i].release == 0)
			continue;
		rc = lv_db_stmt(db, is_return ?
				"UPDATE order_lines SET returned_quantity = returned_quantity "
				"+ ?1 WHERE id = ?2" :
				"UPDATE order_lines SET cancelled_quantity = "
				"cancelled_quantity + ?1 WHERE id = ?2", &stmt);
		if (rc != LV_OK)
			break;
		sqlite3_bind_int64(stmt, 1, lines[i].release);
		sqlite3_bind_int64(stmt, 2, lines[i].id);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = LV_EINTERNAL;
		lv_db_done(stmt);
		if (rc != LV_OK)
			break;
		rc = lv_db_stmt(db, "UPDATE variants SET stock = stock + ?1 WHERE id = ?2",
				&stmt);
		if (rc != LV_OK)
			break;
		sqlite3_bind_int64(stmt, 1, lines[i].release);
		sqlite3_bind_int64(stmt, 2, lines[i].variant);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = LV_EINTERNAL;
		lv_db_done(stmt);
	}
	if (rc != LV_OK) {
		lv_error("order.release", "error=\"%s\"", sqlite3_errmsg(db->conn));
		goto out;
	}
	/* the storefront's listing shows stock: refresh each product once */
	for (i = 0; i < n && rc == LV_OK; i++) {
		if (lines[i].release == 0)
			continue;
		for (k = 0; k < i; k++)
			if (lines[k].release != 0 && lines[k].product == lines[i].product)
				break;
		if (k == i)
			rc = catalog_listing_refresh(db, lines[i].product);
	}
out:
	return rc;
}

/*
 * Releases what plan says: refunds, line quantities, stock and listings.
 * OUT: *detail, a new JSON object {lines: [{line_no, quantity}], refunds:
 * [{programme, amount}]} for the audit entry; *all_back, 1 when nothing of
 * the order is left. Runs inside the caller's transaction.
 */
static int flow_release(struct lv_db *db, const struct flow_order *o, struct flow_line *lines,
			size_t n, int is_return, int64_t at, json_t **detail, int *all_back)
{
	struct flow_refund *refunds = NULL;
	json_t *jl = json_array(), *jr = json_array();
	size_t nref = 0, i;
	int rc;

	*detail = NULL;
	*all_back = 1;
	rc = flow_refunds_compute(db, o, lines, n, &refunds, &nref);
	for (i = 0; i < nref && rc == LV_OK; i++) {
		rc = allowance_refund(db, o->employee, refunds[i].programme, refunds[i].amount,
				      o->ref, at);
		if (rc != LV_OK) {
			/* the order's own payments say it was debited: a broken invariant */
			lv_error("order.refund", "ref=%s programme=%lld amount=%lld rc=%s",
				 o->ref, (long long)refunds[i].programme,
				 (long long)refunds[i].amount, lv_err_name(rc));
			rc = rc == LV_ECONFLICT ? LV_ECONFLICT : LV_EINTERNAL;
			break;
		}
		json_array_append_new(jr, json_pack("{s:I,s:I}", "programme",
						     (json_int_t)refunds[i].programme, "amount",
						     (json_int_t)refunds[i].amount));
	}
	if (rc == LV_OK)
		rc = flow_lines_release(db, lines, n, is_return);
	if (rc != LV_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if (lines[i].release > 0)
			json_array_append_new(jl, json_pack("{s:I,s:I}", "line_no",
							     (json_int_t)lines[i].line_no,
							     "quantity",
							     (json_int_t)lines[i].release));
		if (lines[i].released + lines[i].release < lines[i].quantity)
			*all_back = 0;
	}
	*detail = json_pack("{s:O,s:O}", "lines", jl, "refunds", jr);
out:
	json_decref(jl);
	json_decref(jr);
	lv_free(refunds);
	return rc;
}

/* ---- approval ---- */

int order_decide(struct lv_db *db, const char *ref, int approve, const char *reason,
		 const struct audit_actor *actor, int64_t at, char *msg, size_t msglen)
{
	struct flow_order o;
	struct flow_line *lines = NULL;
	sqlite3_stmt *stmt = NULL;
	json_t *detail = NULL, *after = NULL;
	size_t n = 0;
	int rc, own = 0, all_back;
	const char *to = approve ? "placed" : "refused";

	rc = flow_reason_check(&reason, !approve, "Say why the order is refused: the employee "
			       "sees the reason.", msg, msglen);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = flow_order_load(db, ref, 0, &o);
	if (rc != LV_OK)
		goto end;
	if (strcmp(o.status, "pending_approval") != 0) {
		msg_set(msg, msglen, "This order is not waiting for approval any more.");
		rc = LV_ECONFLICT;
		goto end;
	}
	if (actor != NULL && actor->employee != 0 && actor->employee == o.employee) {
		/* order_approval_allowed is the caller's check; this is the backstop */
		msg_set(msg, msglen, "Nobody approves or refuses their own order.");
		rc = LV_EFORBIDDEN;
		goto end;
	}
	if (!approve) {
		rc = flow_lines_load(db, &o, &lines, &n);
		if (rc == LV_OK)
			rc = flow_release_plan(lines, n, NULL, 0, NULL, 0);
		if (rc == LV_ECONFLICT)
			rc = LV_OK; /* nothing left to release: only the status changes */
		if (rc == LV_OK)
			rc = flow_release(db, &o, lines, n, 0, at, &detail, &all_back);
		if (rc != LV_OK)
			goto end;
	}
	rc = lv_db_stmt(db, "UPDATE orders SET status = ?1, decided_by = ?2, decided_at = ?3, "
			    "decision_reason = ?4, updated_at = ?3 WHERE id = ?5 AND "
			    "status = 'pending_approval'", &stmt);
	if (rc != LV_OK)
		goto end;
	lv_db_bind_text(stmt, 1, to);
	if (actor != NULL && actor->employee > 0)
		sqlite3_bind_int64(stmt, 2, actor->employee);
	sqlite3_bind_int64(stmt, 3, at);
	lv_db_bind_text(stmt, 4, reason);
	sqlite3_bind_int64(stmt, 5, o.id);
	if (sqlite3_step(stmt) != SQLITE_DONE || sqlite3_changes(db->conn) != 1) {
		lv_error("order.decide", "ref=%s error=\"%s\"", o.ref, sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto end;
	}
	after = json_pack("{s:s,s:s*}", "status", to, "reason", reason);
	if (detail != NULL)
		json_object_update(after, detail);
	rc = flow_audit(db, actor, approve ? "order.approve" : "order.refuse", &o, after);
	after = NULL;
end:
	lv_db_done(stmt);
	rc = lv_db_tx_end(db, own, rc);
out:
	json_decref(after);
	json_decref(detail);
	lv_free(lines);
	return rc;
}

/* ---- fulfilment ---- */

int order_advance(struct lv_db *db, const char *ref, const char *to, const char *carrier,
		  const char *tracking, const struct audit_actor *actor, int64_t at,
		  char *msg, size_t msglen)
{
	static const char *const steps[][2] = {
		{ "placed", "picking" }, { "picking", "shipped" }, { "shipped", "delivered" },
	};
	struct flow_order o;
	sqlite3_stmt *stmt = NULL;
	json_t *after = NULL;
	char text[200];
	int rc, own = 0, shipped;
	size_t i;

	if (to == NULL || !order_status_known(to)) {
		msg_set(msg, msglen, "Unknown status: use picking, shipped or delivered.");
		rc = LV_EINVAL;
		goto out;
	}
	shipped = strcmp(to, "shipped") == 0;
	if (shipped && (blank(carrier) || blank(tracking))) {
		msg_set(msg, msglen, "A shipped order needs its carrier and tracking number.");
		rc = LV_EINVAL;
		goto out;
	}
	if (shipped && (strlen(carrier) > 64 || strlen(tracking) > 128 ||
			has_control(carrier) || has_control(tracking))) {
		msg_set(msg, msglen, "The carrier (at most 64 bytes) or the tracking number "
				     "(at most 128) is too long or has control characters.");
		rc = LV_EINVAL;
		goto out;
	}
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = flow_order_load(db, ref, 0, &o);
	if (rc != LV_OK)
		goto end;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strcmp(o.status, steps[i][0]) == 0 && strcmp(to, steps[i][1]) == 0)
			break;
	if (i == sizeof(steps) / sizeof(steps[0])) {
		lv_snprintf(text, sizeof(text), "An order cannot go from %s to %s.", o.status,
			    to);
		msg_set(msg, msglen, text);
		rc = LV_ECONFLICT;
		goto end;
	}
	if (shipped) {
		rc = lv_db_stmt(db, "UPDATE orders SET carrier = ?1, tracking = ?2 WHERE id = ?3",
				&stmt);
		if (rc != LV_OK)
			goto end;
		lv_db_bind_text(stmt, 1, carrier);
		lv_db_bind_text(stmt, 2, tracking);
		sqlite3_bind_int64(stmt, 3, o.id);
		if (sqlite3_step(stmt) != SQLITE_DONE) {
			rc = LV_EINTERNAL;
			goto end;
		}
	}
	rc = flow_status_set(db, &o, to, at);
	if (rc != LV_OK)
		goto end;
	after = shipped ? json_pack("{s:s,s:s,s:s}", "status", to, "carrier", carrier,
				    "tracking", tracking) :
			  json_pack("{s:s}", "status", to);
	rc = flow_audit(db, actor, "order.advance", &o, after);
	after = NULL;
end:
	lv_db_done(stmt);
	rc = lv_db_tx_end(db, own, rc);
out:
	json_decref(after);
	return rc;
}

/* ---- cancellation and returns ---- */

/* May the order in status be cancelled / returned (by the employee)? msg says why not. */
static int flow_release_allowed(const char *status, int is_return, int by_employee,
				char *msg, size_t msglen)
{
	int pending = strcmp(status, "pending_approval") == 0;
	int placed = strcmp(status, "placed") == 0;
	int picking = strcmp(status, "picking") == 0;
	int sent = strcmp(status, "shipped") == 0 || strcmp(status, "delivered") == 0;

	if (by_employee && is_return) {
		msg_set(msg, msglen, "Returns are arranged by the store team: contact them.");
		return LV_ECONFLICT;
	}
	if (!is_return && (pending || placed || (picking && !by_employee)))
		return LV_OK;
	if (is_return && sent)
		return LV_OK;
	if (!is_return && picking)
		msg_set(msg, msglen, "The order is being picked: ask the store team to "
				     "cancel it.");
	else if (!is_return && sent)
		msg_set(msg, msglen, "The order has been shipped: return it instead.");
	else if (is_return && (pending || placed || picking))
		msg_set(msg, msglen, "The order has not been shipped: cancel it instead.");
	else
		msg_set(msg, msglen, "The order is closed: nothing can be cancelled or "
				     "returned.");
	return LV_ECONFLICT;
}

int order_release(struct lv_db *db, const char *ref, int64_t employee, int is_return,
		  const struct order_line_qty *lines, size_t n, const char *reason,
		  const struct audit_actor *actor, int64_t at, char *msg, size_t msglen)
{
	struct flow_order o;
	struct flow_line *ol = NULL;
	json_t *detail = NULL, *after = NULL;
	const char *to;
	size_t nl = 0;
	int rc, own = 0, all_back = 0;

	rc = flow_reason_check(&reason, is_return, "Say why the items are returned.", msg,
			       msglen);
	if (rc != LV_OK)
		goto out;
	if (n > 0 && lines == NULL) {
		rc = LV_EINVAL;
		goto out;
	}
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = flow_order_load(db, ref, employee, &o);
	if (rc == LV_OK)
		rc = flow_release_allowed(o.status, is_return, employee != 0, msg, msglen);
	if (rc == LV_OK)
		rc = flow_lines_load(db, &o, &ol, &nl);
	if (rc == LV_OK)
		rc = flow_release_plan(ol, nl, lines, n, msg, msglen);
	if (rc == LV_OK)
		rc = flow_release(db, &o, ol, nl, is_return, at, &detail, &all_back);
	if (rc != LV_OK)
		goto end;
	/* a partial release keeps the status but still touches updated_at */
	to = all_back ? (is_return ? "returned" : "cancelled") : o.status;
	rc = flow_status_set(db, &o, to, at);
	if (rc != LV_OK)
		goto end;
	after = json_pack("{s:s,s:s*}", "status", to, "reason", reason);
	json_object_update(after, detail);
	rc = flow_audit(db, actor, is_return ? "order.return" : "order.cancel", &o, after);
	after = NULL;
end:
	rc = lv_db_tx_end(db, own, rc);
out:
	json_decref(after);
	json_decref(detail);
	lv_free(ol);
	return rc;
}
