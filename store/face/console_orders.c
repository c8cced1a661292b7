/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * console_orders.c - the console's Orders area (store_admin; the auditor
 * reads): the queue of each state with the count of every state, one
 * order with its lines, what each allowance paid, its delivery and its
 * history, and the forms its state allows (mark as picking, ship with a
 * carrier and a tracking number, mark as delivered, cancel or return
 * items line by line with a reason); the printable pick list of the
 * placed orders grouped by site and SKU, from which the whole list is
 * marked as picking in one step; the printable packing slip of an order;
 * and the admin API the console's actions need beyond api_admin.c (the
 * queue with its counts, the pick list and its marking).
 *
 * Everything is read and changed through order_admin.h and order.h, the
 * same functions for the pages and the API. Approving is not here: only
 * the approver role and the employee's manager decide (/approvals); the
 * order's page says who may.
 */
#include "console.h"

#include <string.h>

#include "api_shared.h"
#include "app.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"
#include "order.h"
#include "order_admin.h"
#include "req_data.h"

#define SECTION "orders"
#define CO_PER_PAGE 25

/* The states as the console names them, with their badge's tone. */
static const struct co_state {
	const char *status;
	const char *label;
	const char *tone;
} co_states[] = {
	{ "pending_approval", N_("Waiting for approval"), "warning" },
	{ "placed", N_("Placed"), "info" },
	{ "picking", N_("Picking"), "info" },
	{ "shipped", N_("Shipped"), "info" },
	{ "delivered", N_("Delivered"), "success" },
	{ "cancelled", N_("Cancelled"), "neutral" },
	{ "returned", N_("Returned"), "neutral" },
	{ "refused", N_("Refused"), "danger" },
};
#define CO_STATES (sizeof(co_states) / sizeof(co_states[0]))

static int can_edit(const struct req *r)
{
	return (r->user->roles & LV_ROLE_STORE_ADMIN) != 0;
}

/* The words for status in r's language (the status itself when unknown). */
static const char *co_state_label(const struct req *r, const char *status)
{
	size_t i;

	for (i = 0; i < CO_STATES; i++)
		if (status != NULL && strcmp(co_states[i].status, status) == 0)
			return req_tr(r, co_states[i].label);
	return status ? status : "";
}

/* {status, label, tone}. New reference. */
static json_t *co_state_json(const struct req *r, const char *status)
{
	const char *tone = "neutral";
	size_t i;

	for (i = 0; i < CO_STATES; i++)
		if (strcmp(co_states[i].status, status) == 0)
			tone = co_states[i].tone;
	return json_pack("{s:s,s:s,s:s}", "status", status, "label", co_state_label(r, status),
			 "tone", tone);
}

/* How long ago at was, as the list shows it: {n, days|hours|minutes}. */
static json_t *co_age(int64_t now, int64_t at)
{
	int64_t s = now > at ? now - at : 0;

	if (s >= 86400)
		return json_pack("{s:I,s:b}", "n", (json_int_t)(s / 86400), "days", 1);
	if (s >= 3600)
		return json_pack("{s:I,s:b}", "n", (json_int_t)(s / 3600), "hours", 1);
	return json_pack("{s:I,s:b}", "n", (json_int_t)(s / 60), "minutes", 1);
}

/* A JSON integer member as int64. */
static int64_t jint(const json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* "M", "Navy", "Slim" of a line: its non-empty size, colour and fit. New array. */
static json_t *co_options(const json_t *l)
{
	static const char *const keys[] = { "size", "colour", "fit" };
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (*req_jstr(l, keys[i]))
			json_array_append_new(out, json_string(req_jstr(l, keys[i])));
	return out;
}

/* The order's delivery for a page: {to_site, site, address {...}}. New reference. */
static json_t *co_delivery(const json_t *o)
{
	const json_t *ship = json_object_get(o, "ship_to");

	return json_pack("{s:b,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s}}",
			 "to_site", strcmp(req_jstr(o, "delivery"), "site") == 0,
			 "site", req_jstr(ship, "site"), "address", "name", req_jstr(ship, "name"),
			 "line1", req_jstr(ship, "line1"), "line2", req_jstr(ship, "line2"),
			 "postcode", req_jstr(ship, "postcode"), "city", req_jstr(ship, "city"),
			 "country", req_jstr(ship, "country"));
}

/* ------------------------------------------------------------------ */
/* The queue.                                                         */

/* ?name= as a whole number in [min, max], def when absent. LV_EINVAL when bad. */
static int co_query_int(const struct req *r, const char *name, int64_t min, int64_t max,
			int64_t def, int64_t *out)
{
	const char *v = req_query(r, name);

	*out = def;
	if (v == NULL || *v == '\0')
		return LV_OK;
	return lv_parse_i64(v, min, max, out) == LV_OK ? LV_OK : LV_EINVAL;
}

/* The tabs: one per state with its count, the current one marked. New array. */
static json_t *co_tabs(const struct req *r, const json_t *counts, const char *current)
{
	json_t *tabs = json_array();
	char url[64];
	size_t i;

	for (i = 0; i < CO_STATES; i++) {
		lv_snprintf(url, sizeof(url), "/admin/orders?status=%s", co_states[i].status);
		json_array_append_new(tabs, json_pack("{s:s,s:s,s:I,s:s,s:b}",
			"status", co_states[i].status, "label", req_tr(r, co_states[i].label),
			"count", (json_int_t)jint(counts, co_states[i].status), "url", url,
			"current", strcmp(co_states[i].status, current) == 0));
	}
	return tabs;
}

/* The queue's rows for the page. New array. */
static json_t *co_queue_rows(const struct req *r, const json_t *list, int64_t now)
{
	json_t *rows = json_array(), *o, *emp;
	char url[64];
	size_t i;

	json_array_foreach(list, i, o) {
		emp = json_object_get(o, "employee");
		lv_snprintf(url, sizeof(url), "/admin/orders/%s", req_jstr(o, "ref"));
		json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:I,s:I,s:o,s:o,s:o}",
			"ref", req_jstr(o, "ref"), "url", url,
			"employee", req_jstr(emp, "name"), "employee_id", req_jstr(emp, "employee_id"),
			"department", req_jstr(emp, "department"),
			"to_site", strcmp(req_jstr(o, "delivery"), "site") == 0,
			"destination", req_jstr(o, "destination"),
			"lines", (json_int_t)jint(o, "lines"), "items", (json_int_t)jint(o, "items"),
			"total", req_money(r, jint(o, "total")),
			"date", req_date(r, jint(o, "created_at"), 1),
			"age", co_age(now, jint(o, "created_at"))));
	}
	return rows;
}

/* GET /admin/orders?status=&page=&done=&n= */
static int co_queue_get(struct req *r)
{
	const char *status = req_query(r, "status"), *done = req_query(r, "done");
	json_t *counts = NULL, *list = NULL, *page = NULL, *pag;
	int64_t pageno, total, pages, marked = 0;
	char prev[96], next[96];
	int rc;

	if (status == NULL || *status == '\0')
		status = "placed";
	if (!order_status_known(status) ||
	    co_query_int(r, "page", 1, 100000, 1, &pageno) != LV_OK) {
		rc = reply_error(r, 400, "bad_request",
				 "This list does not exist: choose an order state from the tabs.", NULL);
		goto out;
	}
	rc = order_admin_counts(r->db, &counts);
	if (rc != LV_OK)
		goto out;
	total = jint(counts, status);
	pages = total > 0 ? (total + CO_PER_PAGE - 1) / CO_PER_PAGE : 1;
	if (pageno > pages)
		pageno = pages; /* the list shrank while someone worked on it */
	rc = order_admin_queue(r->db, status, pageno, CO_PER_PAGE, &list);
	if (rc != LV_OK)
		goto out;
	page = json_pack("{s:o,s:o,s:o,s:b,s:b,s:I,s:b,s:b,s:s}",
			 "tabs", co_tabs(r, counts, status),
			 "state", co_state_json(r, status),
			 "orders", co_queue_rows(r, list, lv_now()),
			 "empty", json_array_size(list) == 0,
			 "oldest_first", order_admin_oldest_first(status),
			 "total", (json_int_t)total,
			 "can_edit", can_edit(r),
			 "has_pick_list", strcmp(status, "placed") == 0 ||
					  strcmp(status, "picking") == 0,
			 "status", status);
	if (pages > 1) {
		lv_snprintf(prev, sizeof(prev), "/admin/orders?status=%s&page=%lld", status,
			    (long long)(pageno - 1));
		lv_snprintf(next, sizeof(next), "/admin/orders?status=%s&page=%lld", status,
			    (long long)(pageno + 1));
		pag = json_pack("{s:I,s:I}", "page", (json_int_t)pageno, "pages", (json_int_t)pages);
		if (pageno > 1)
			json_object_set_new(pag, "prev_url", json_string(prev));
		if (pageno < pages)
			json_object_set_new(pag, "next_url", json_string(next));
		json_object_set_new(page, "pagination", pag);
	}
	if (done != NULL && strcmp(done, "picking") == 0 &&
	    co_query_int(r, "n", 1, ORDER_PICK_MAX, 0, &marked) == LV_OK && marked > 0)
		json_object_set_new(page, "done_picking", json_pack("{s:I}", "n", (json_int_t)marked));
	rc = console_page(r, 200, "console_orders", req_tr(r, "Orders"), SECTION, page);
	page = NULL;
out:
	json_decref(page);
	json_decref(list);
	json_decref(counts);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One order.                                                         */

/* What a refused or re-shown form brings to the order page. */
struct co_form {
	const char *kind;   /* "ship" or "release" (values from r->form), or NULL */
	json_t *errors;     /* {field: sentence}, borrowed; may be NULL */
	const char *error;  /* a sentence for the whole page, or NULL */
	const char *now;    /* after a refusal for the order's state: its state now */
};

/* History labels by action (order.advance uses the state it went to). */
static const char *co_history_label(const struct req *r, const json_t *h)
{
	static const struct {
		const char *action;
		const char *label;
	} labels[] = {
		{ "order.place", N_("Order placed") },
		{ "order.approve", N_("Approved") },
		{ "order.refuse", N_("Refused") },
		{ "order.cancel", N_("Items cancelled") },
		{ "order.return", N_("Items returned") },
	};
	const char *action = req_jstr(h, "action");
	size_t i;

	if (strcmp(action, "order.advance") == 0)
		return co_state_label(r, req_jstr(h, "to"));
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(action, labels[i].action) == 0)
			return req_tr(r, labels[i].label);
	return action;
}

static json_t *co_history(const struct req *r, const json_t *o)
{
	json_t *out = json_array(), *h;
	size_t i;

	json_array_foreach(json_object_get(o, "history"), i, h)
		json_array_append_new(out, json_pack("{s:o,s:s,s:s,s:s,s:s}",
			"date", req_date(r, jint(h, "at"), 1),
			"label", co_history_label(r, h), "action", req_jstr(h, "action"),
			"by", req_jstr(h, "by"), "reason", req_jstr(h, "reason")));
	return out;
}

/*
 * The lines for the order page, each with its release field (qty_<line_no>):
 * the value typed when the release form is shown again, else all that is
 * left; and its error.
 */
static json_t *co_lines(const struct req *r, const json_t *o, const struct co_form *f)
{
	json_t *out = json_array(), *l, *p, *pays, *err;
	int release = f && f->kind && strcmp(f->kind, "release") == 0;
	size_t i, j;

	json_array_foreach(json_object_get(o, "lines"), i, l) {
		int64_t q = jint(l, "quantity"), cq = jint(l, "cancelled_quantity");
		int64_t rq = jint(l, "returned_quantity"), left = q - cq - rq;
		int64_t over = jint(l, "total") - jint(l, "covered");
		const char *rule = req_jstr(l, "overage_rule");
		char field[32], value[24];
		const char *typed;

		pays = json_array();
		json_array_foreach(json_object_get(l, "payments"), j, p)
			json_array_append_new(pays, json_pack("{s:s,s:o}", "name", req_jstr(p, "name"),
				"amount", req_amount(r, req_jstr(p, "unit"), jint(p, "amount"),
						     jint(p, "value"))));
		lv_snprintf(field, sizeof(field), "qty_%lld", (long long)jint(l, "line_no"));
		lv_snprintf(value, sizeof(value), "%lld", (long long)left);
		typed = release ? req_form(r, field) : NULL;
		err = f && f->errors ? json_object_get(f->errors, field) : NULL;
		json_array_append_new(out, json_pack("{s:I,s:s,s:s,s:o,s:I,s:o,s:o,s:o,s:I,s:I,s:I,"
						     "s:b,s:b,s:b,s:o,s:b,s:b,s:s,s:s,s:s*}",
			"line_no", (json_int_t)jint(l, "line_no"), "sku", req_jstr(l, "sku"),
			"product", req_jstr(l, "product"), "options", co_options(l),
			"quantity", (json_int_t)q,
			"unit_price", req_money(r, jint(l, "unit_price")),
			"total", req_money(r, jint(l, "total")), "payments", pays,
			"cancelled", (json_int_t)cq, "returned", (json_int_t)rq, "left", (json_int_t)left,
			"has_cancelled", cq > 0, "has_returned", rq > 0, "has_left", left > 0,
			"overage", req_money(r, over), "over_approval", strcmp(rule, "approval") == 0,
			"over_payroll", strcmp(rule, "payroll") == 0,
			"field", field, "value", typed ? typed : value,
			"error", json_string_value(err)));
	}
	return out;
}

/* 1 when the array of strings a holds s. */
static int has_str(const json_t *a, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_string_value(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* Renders the order page of r->params[0] with status and f (may be NULL). */
static int co_order_render(struct req *r, int status, const struct co_form *f)
{
	json_t *o = NULL, *page = NULL, *emp, *mgr, *actions, *errors, *dec;
	const char *st, *ref = r->params[0];
	int edit = can_edit(r), ship = f && f->kind && strcmp(f->kind, "ship") == 0;
	int release = f && f->kind && strcmp(f->kind, "release") == 0;
	const char *done = req_query(r, "done");
	char title[80], back[64], slip[80];
	int rc;

	rc = order_admin_get(r->db, ref, &o);
	if (rc == LV_ENOTFOUND) {
		rc = reply_error(r, 404, "order_not_found",
				 "There is no order with this reference. Go back to the orders and choose one from the list.",
				 NULL);
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	st = req_jstr(o, "status");
	emp = json_object_get(o, "employee");
	mgr = json_object_get(emp, "manager");
	actions = json_object_get(o, "actions");
	errors = f && f->errors ? f->errors : NULL;
	lv_snprintf(back, sizeof(back), "/admin/orders?status=%s", st);
	lv_snprintf(slip, sizeof(slip), "/admin/orders/%s/packing-slip", ref);
	page = json_pack("{s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:o,s:o,s:o,s:b,s:s,s:s}",
		"ref", ref, "state", co_state_json(r, st),
		"back_url", back, "slip_url", slip,
		"employee", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
				      "name", req_jstr(emp, "name"),
				      "employee_id", req_jstr(emp, "employee_id"),
				      "department", req_jstr(emp, "department"),
				      "site", req_jstr(emp, "site"),
				      "cost_center", req_jstr(emp, "cost_center"),
				      "email", req_jstr(emp, "email")),
		"date", req_date(r, jint(o, "created_at"), 1),
		"total", req_money(r, jint(o, "total")),
		"covered", req_money(r, jint(o, "covered")),
		"overage_approval", req_money(r, jint(o, "overage_approval")),
		"has_approval", jint(o, "overage_approval") > 0,
		"has_payroll", jint(o, "overage_payroll") > 0,
		"overage_payroll", req_money(r, jint(o, "overage_payroll")),
		"lines", co_lines(r, o, f),
		"delivery", co_delivery(o),
		"can_edit", edit,
		"status", st,
		"back_label", co_state_label(r, st));
	if (page == NULL) {
		rc = LV_EINTERNAL;
		goto out;
	}
	json_object_set_new(page, "history", co_history(r, o));
	if (json_is_object(mgr))
		json_object_set_new(page, "manager", json_pack("{s:s,s:s}", "name",
			req_jstr(mgr, "name"), "employee_id", req_jstr(mgr, "employee_id")));
	if (*req_jstr(o, "tracking"))
		json_object_set_new(page, "tracking", json_pack("{s:s,s:s}", "carrier",
			req_jstr(o, "carrier"), "number", req_jstr(o, "tracking")));
	dec = json_object_get(o, "decision");
	if (json_is_object(dec))
		json_object_set_new(page, "decision", json_pack("{s:s,s:o,s:s}", "by",
			req_jstr(dec, "by"), "date", req_date(r, jint(dec, "at"), 1),
			"reason", req_jstr(dec, "reason")));
	json_object_set_new(page, "is_waiting", json_boolean(strcmp(st, "pending_approval") == 0));
	/* a store admin who is also an approver, or this employee's manager,
	 * decides in /approvals (never on their own order) */
	json_object_set_new(page, "is_approver", json_boolean(
		r->user->employee != jint(emp, "id") &&
		((r->user->roles & LV_ROLE_APPROVER) != 0 ||
		 (json_is_object(mgr) && *req_jstr(mgr, "employee_id") &&
		  strcmp(req_jstr(mgr, "employee_id"),
			 req_jstr(r->user->profile, "employee_id")) == 0))));
	/* the forms: only for the store administrator, only what the state allows */
	json_object_set_new(page, "can_pick", json_boolean(edit && has_str(actions, "pick")));
	json_object_set_new(page, "can_ship", json_boolean(edit && has_str(actions, "ship")));
	json_object_set_new(page, "can_deliver", json_boolean(edit && has_str(actions, "deliver")));
	json_object_set_new(page, "can_cancel", json_boolean(edit && has_str(actions, "cancel")));
	json_object_set_new(page, "can_return", json_boolean(edit && has_str(actions, "return")));
	json_object_set_new(page, "is_closed", json_boolean(json_array_size(actions) == 0));
	json_object_set_new(page, "ship", json_pack("{s:{s:s,s:s},s:{s:s*,s:s*}}",
		"values", "carrier", ship && req_form(r, "carrier") ? req_form(r, "carrier") : "",
		"tracking", ship && req_form(r, "tracking") ? req_form(r, "tracking") : "",
		"errors", "carrier", ship ? json_string_value(json_object_get(errors, "carrier")) : NULL,
		"tracking", ship ? json_string_value(json_object_get(errors, "tracking")) : NULL));
	json_object_set_new(page, "release", json_pack("{s:s,s:s*,s:s*}",
		"reason", release && req_form(r, "reason") ? req_form(r, "reason") : "",
		"reason_error", release ? json_string_value(json_object_get(errors, "reason")) : NULL,
		"lines_error", release ? json_string_value(json_object_get(errors, "lines")) : NULL));
	if (f && f->error)
		json_object_set_new(page, "error", json_string(f->error));
	if (f && f->now)
		json_object_set_new(page, "refused_now", json_string(co_state_label(r, f->now)));
	if (done && (strcmp(done, "picking") == 0 || strcmp(done, "shipped") == 0 ||
		     strcmp(done, "delivered") == 0 || strcmp(done, "cancelled") == 0 ||
		     strcmp(done, "returned") == 0)) {
		char key[32];

		lv_snprintf(key, sizeof(key), "done_%s", done);
		json_object_set_new(page, key, json_true());
	}
	lv_snprintf(title, sizeof(title), "%s %s", req_tr(r, "Order"), ref);
	rc = console_page(r, status, "console_orders_order", title, SECTION, page);
	page = NULL;
out:
	json_decref(page);
	json_decref(o);
	return rc;
}

static int co_order_get(struct req *r)
{
	return co_order_render(r, 200, NULL);
}

/*
 * The answer to a change refused by order_flow.c: 404 for a missing
 * order, 409 with the order's state now for a state that does not allow
 * it, 400 with the domain's refusal otherwise (what was typed kept).
 */
static int co_refused(struct req *r, int rc, const char *kind, json_t *errors)
{
	struct co_form f = { kind, errors, NULL, NULL };
	json_t *o = NULL;

	if (rc == LV_ENOTFOUND)
		return co_order_render(r, 404, &f);
	if (rc == LV_ECONFLICT) {
		/* nothing changed: say what the order is now, show it as it is */
		f.kind = NULL;
		if (order_get(r->db, r->params[0], 0, &o) == LV_OK)
			f.now = req_jstr(o, "status");
		f.error = f.now ? NULL : req_tr(r, "Nothing was changed: the order changed meanwhile. Check it and try again.");
		rc = co_order_render(r, 409, &f);
		json_decref(o);
		return rc;
	}
	if (rc == LV_EINVAL) {
		f.error = req_tr(r, kind && strcmp(kind, "ship") == 0 ?
			N_("Nothing was changed: check the carrier and the tracking number, then try again.") :
			N_("Nothing was changed: check the quantities and the reason, then try again."));
		return co_order_render(r, 400, &f);
	}
	return rc;
}

/* POST /admin/orders/:ref/advance: to = picking | shipped | delivered. */
static int co_advance_post(struct req *r)
{
	const char *to = req_form(r, "to"), *carrier = req_form(r, "carrier");
	const char *tracking = req_form(r, "tracking");
	const char *cerr = NULL, *terr = NULL;
	struct audit_actor actor;
	json_t *errors = json_object();
	char msg[256] = "", url[96];
	int rc;

	if (to == NULL || (strcmp(to, "picking") != 0 && strcmp(to, "shipped") != 0 &&
			   strcmp(to, "delivered") != 0)) {
		struct co_form f = { NULL, NULL, NULL, NULL };

		f.error = req_tr(r, "Choose what happened to the order: picking, shipped or delivered.");
		rc = co_order_render(r, 400, &f);
		goto out;
	}
	if (strcmp(to, "shipped") == 0 &&
	    order_admin_shipment_check(carrier, tracking, &cerr, &terr) != LV_OK) {
		struct co_form f = { "ship", errors, NULL, NULL };

		if (cerr)
			json_object_set_new(errors, "carrier", json_string(req_tr(r, cerr)));
		if (terr)
			json_object_set_new(errors, "tracking", json_string(req_tr(r, terr)));
		rc = co_order_render(r, 400, &f);
		goto out;
	}
	req_actor(r, &actor);
	rc = order_advance(r->db, r->params[0], to, carrier, tracking, &actor, lv_now(), msg,
			   sizeof(msg));
	if (rc != LV_OK) {
		rc = co_refused(r, rc, strcmp(to, "shipped") == 0 ? "ship" : NULL, errors);
		goto out;
	}
	lv_snprintf(url, sizeof(url), "/admin/orders/%s?done=%s", r->params[0], to);
	rc = reply_redirect(r, 303, url);
out:
	json_decref(errors);
	return rc;
}

/*
 * POST /admin/orders/:ref/cancel and /return: qty_<line_no> for each line
 * (blank or 0: none of it), reason (required). is_return as order_release.
 */
static int co_release_post(struct req *r, int is_return)
{
	struct order_line_qty *lines = NULL;
	const char *reason = req_form(r, "reason");
	struct audit_actor actor;
	json_t *o = NULL, *l, *errors = json_object();
	char msg[256] = "", url[96];
	size_t i, n = 0;
	int rc;

	rc = order_get(r->db, r->params[0], 0, &o);
	if (rc != LV_OK) {
		rc = co_refused(r, rc, "release", errors);
		goto out;
	}
	lines = lv_calloc(json_array_size(json_object_get(o, "lines")) + 1, sizeof(*lines));
	json_array_foreach(json_object_get(o, "lines"), i, l) {
		int64_t left = jint(l, "quantity") - jint(l, "cancelled_quantity") -
			       jint(l, "returned_quantity"), q = 0;
		char field[32];
		const char *v;

		lv_snprintf(field, sizeof(field), "qty_%lld", (long long)jint(l, "line_no"));
		v = req_form(r, field);
		if (v == NULL || v[strspn(v, " ")] == '\0')
			continue;
		if (lv_parse_i64(v, 0, left, &q) != LV_OK) {
			json_object_set_new(errors, field, json_string(req_tr(r, left == 0 ?
				N_("Nothing of this line is left.") :
				N_("Write a whole number, at most what is left of the line."))));
			continue;
		}
		if (q > 0) {
			lines[n].line_no = jint(l, "line_no");
			lines[n].quantity = q;
			n++;
		}
	}
	if (json_object_size(errors) == 0 && n == 0)
		json_object_set_new(errors, "lines", json_string(req_tr(r,
			is_return ? N_("Write how many of at least one line come back.") :
				    N_("Write how many of at least one line to cancel."))));
	if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')
		json_object_set_new(errors, "reason", json_string(req_tr(r,
			is_return ? N_("Say why the items come back: it is kept in the order's history.") :
				    N_("Say why the items are cancelled: the employee reads it in the order's history."))));
	else if (strlen(reason) > 500)
		json_object_set_new(errors, "reason", json_string(req_tr(r,
			"The reason is too long: at most 500 characters.")));
	if (json_object_size(errors) > 0) {
		struct co_form f = { "release", errors, NULL, NULL };

		rc = co_order_render(r, 400, &f);
		goto out;
	}
	req_actor(r, &actor);
	rc = order_release(r->db, r->params[0], 0, is_return, lines, n, reason, &actor, lv_now(),
			   msg, sizeof(msg));
	if (rc != LV_OK) {
		if (rc == LV_EINVAL)
			lv_info("console.orders", "ref=%s release refused: %s", r->params[0], msg);
		rc = co_refused(r, rc, "release", errors);
		goto out;
	}
	lv_snprintf(url, sizeof(url), "/admin/orders/%s?done=%s", r->params[0],
		    is_return ? "returned" : "cancelled");
	rc = reply_redirect(r, 303, url);
out:
	lv_free(lines);
	json_decref(errors);
	json_decref(o);
	return rc;
}

static int co_cancel_post(struct req *r)
{
	return co_release_post(r, 0);
}

static int co_return_post(struct req *r)
{
	return co_release_post(r, 1);
}

/* ------------------------------------------------------------------ */
/* Printable pages: the pick list and the packing slip.               */

/* The pick list's sites for the page (options joined, sections numbered). */
static json_t *co_pick_sites(const json_t *pick)
{
	json_t *out = json_array(), *s, *k, *ord;
	size_t i, j;

	json_array_foreach(json_object_get(pick, "sites"), i, s) {
		json_t *skus = json_array(), *orders = json_array();

		json_array_foreach(json_object_get(s, "skus"), j, k)
			json_array_append_new(skus, json_pack("{s:s,s:s,s:o,s:I,s:O}",
				"sku", req_jstr(k, "sku"), "product", req_jstr(k, "product"),
				"options", co_options(k), "quantity", (json_int_t)jint(k, "quantity"),
				"orders", json_object_get(k, "orders")));
		json_array_foreach(json_object_get(s, "orders"), j, ord) {
			char url[80];

			lv_snprintf(url, sizeof(url), "/admin/orders/%s/packing-slip",
				    req_jstr(ord, "ref"));
			json_array_append_new(orders, json_pack("{s:s,s:s,s:s,s:s,s:I}",
				"ref", req_jstr(ord, "ref"), "slip_url", url,
				"employee", req_jstr(json_object_get(ord, "employee"), "name"),
				"employee_id", req_jstr(json_object_get(ord, "employee"), "employee_id"),
				"items", (json_int_t)jint(ord, "items")));
		}
		json_array_append_new(out, json_pack("{s:I,s:s,s:b,s:I,s:I,s:o,s:o,s:b}",
			"n", (json_int_t)(i + 1), "site", req_jstr(s, "site"),
			"home", json_is_true(json_object_get(s, "home")),
			"items", (json_int_t)jint(s, "items"),
			"orders_n", (json_int_t)json_array_size(orders),
			"skus", skus, "orders", orders, "first", i == 0));
	}
	return out;
}

/*
 * Renders the pick list of status with an HTTP status, after a refused
 * marking: refusal (may be NULL) says which order and why.
 */
static int co_pick_render(struct req *r, int http_status, const char *status,
			  const struct order_admin_refusal *refusal, const char *error)
{
	json_t *pick = NULL, *page = NULL, *refs, *s, *ord;
	size_t i, j;
	int rc;

	rc = order_admin_pick_list(r->db, status, &pick);
	if (rc == LV_EINVAL) {
		rc = reply_error(r, 400, "bad_request",
				 "A pick list is made of the placed orders, or printed again for those being picked.",
				 NULL);
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	refs = json_array();
	json_array_foreach(json_object_get(pick, "sites"), i, s)
		json_array_foreach(json_object_get(s, "orders"), j, ord)
			json_array_append_new(refs, json_string(req_jstr(ord, "ref")));
	page = json_pack("{s:s,s:o,s:o,s:I,s:I,s:I,s:b,s:b,s:b,s:o,s:o}",
		"status", status, "state", co_state_json(r, status),
		"sites", co_pick_sites(pick),
		"orders", (json_int_t)jint(pick, "orders"),
		"total_orders", (json_int_t)jint(pick, "total_orders"),
		"items", (json_int_t)jint(pick, "items"),
		"truncated", json_is_true(json_object_get(pick, "truncated")),
		"empty", json_array_size(refs) == 0,
		"can_mark", can_edit(r) && strcmp(status, "placed") == 0 && json_array_size(refs) > 0,
		"refs", refs,
		"printed", req_date(r, lv_now(), 1));
	if (refusal && refusal->ref[0]) {
		json_t *x = json_pack("{s:s}", "ref", refusal->ref);

		if (refusal->status[0])
			json_object_set_new(x, "now", json_string(co_state_label(r, refusal->status)));
		json_object_set_new(page, "refusal", x);
	}
	if (error)
		json_object_set_new(page, "error", json_string(error));
	rc = console_page(r, http_status, "console_orders_pick", req_tr(r, "Pick list"), SECTION,
			  page);
	page = NULL;
out:
	json_decref(page);
	json_decref(pick);
	return rc;
}

/* GET /admin/orders/pick-list?status=placed|picking */
static int co_pick_get(struct req *r)
{
	const char *status = req_query(r, "status");

	return co_pick_render(r, 200, status && *status ? status : "placed", NULL, NULL);
}

/* The refs posted as "order" fields. OUT: refs (lv_free), *n. LV_ETOOBIG past max. */
static int co_refs_posted(const struct req *r, const char ***refs, size_t *n, size_t max)
{
	size_t i;

	*n = 0;
	*refs = lv_calloc(r->form.n + 1, sizeof(**refs));
	for (i = 0; i < r->form.n; i++) {
		if (strcmp(r->form.items[i].key, "order") != 0)
			continue;
		if (*n == max)
			return LV_ETOOBIG;
		(*refs)[(*n)++] = r->form.items[i].val;
	}
	return LV_OK;
}

/* POST /admin/orders/pick-list: order=<ref> for each order on the list shown. */
static int co_pick_post(struct req *r)
{
	struct order_admin_refusal why;
	struct audit_actor actor;
	const char **refs = NULL;
	char url[96];
	size_t n = 0;
	int rc;

	if (co_refs_posted(r, &refs, &n, ORDER_PICK_MAX) != LV_OK) {
		rc = co_pick_render(r, 400, "placed", NULL,
				    req_tr(r, "Too many orders at once: mark at most 200, the list shows no more."));
		goto out;
	}
	if (n == 0) {
		rc = co_pick_render(r, 400, "placed", NULL,
				    req_tr(r, "No order was sent: there was nothing to mark on the list."));
		goto out;
	}
	req_actor(r, &actor);
	rc = order_admin_mark_picking(r->db, refs, n, &actor, lv_now(), &why);
	if (rc == LV_ENOTFOUND || (rc == LV_ECONFLICT && why.ref[0])) {
		rc = co_pick_render(r, rc == LV_ENOTFOUND ? 404 : 409, "placed", &why, NULL);
		goto out;
	}
	if (rc == LV_ECONFLICT) {
		rc = co_pick_render(r, 503, "placed", NULL,
				    req_tr(r, "The store is busy: nothing was marked. Try again in a moment."));
		goto out;
	}
	if (rc == LV_EINVAL) {
		rc = co_pick_render(r, 400, "placed", NULL,
				    req_tr(r, "The list sent was not valid (an order twice, or an empty reference): nothing was marked."));
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	lv_snprintf(url, sizeof(url), "/admin/orders?status=picking&done=picking&n=%zu", n);
	rc = reply_redirect(r, 303, url);
out:
	lv_free(refs);
	return rc;
}

/* GET /admin/orders/:ref/packing-slip */
static int co_slip_get(struct req *r)
{
	json_t *o = NULL, *lines, *l, *page, *emp;
	char title[80], back[64];
	size_t i;
	int rc;

	rc = order_get(r->db, r->params[0], 0, &o);
	if (rc == LV_ENOTFOUND)
		return reply_error(r, 404, "order_not_found",
				   "There is no order with this reference. Go back to the orders and choose one from the list.",
				   NULL);
	if (rc != LV_OK)
		return rc;
	lines = json_array();
	json_array_foreach(json_object_get(o, "lines"), i, l) {
		int64_t left = jint(l, "quantity") - jint(l, "cancelled_quantity") -
			       jint(l, "returned_quantity");

		if (left > 0)
			json_array_append_new(lines, json_pack("{s:s,s:s,s:o,s:I}",
				"sku", req_jstr(l, "sku"), "product", req_jstr(l, "product"),
				"options", co_options(l), "quantity", (json_int_t)left));
	}
	emp = json_object_get(o, "employee");
	lv_snprintf(back, sizeof(back), "/admin/orders/%s", r->params[0]);
	page = json_pack("{s:s,s:s,s:o,s:s,s:s,s:o,s:o,s:b,s:o}",
		"ref", r->params[0], "back_url", back,
		"date", req_date(r, jint(o, "created_at"), 0),
		"employee", req_jstr(emp, "name"), "employee_id", req_jstr(emp, "employee_id"),
		"delivery", co_delivery(o), "lines", lines, "empty", json_array_size(lines) == 0,
		"printed", req_date(r, lv_now(), 1));
	lv_snprintf(title, sizeof(title), "%s %s", req_tr(r, "Packing slip"), r->params[0]);
	json_decref(o);
	return console_page(r, 200, "console_orders_slip", title, SECTION, page);
}

/* ------------------------------------------------------------------ */
/* The admin API.                                                     */

/* GET /api/v1/admin/order-queue?status=&page=&per_page= */
static int co_api_queue_get(struct req *r)
{
	const char *status = req_query(r, "status");
	json_t *counts = NULL, *list = NULL;
	int64_t pageno, per, total;
	int rc;

	if (status == NULL || *status == '\0')
		status = "placed";
	if (!order_status_known(status)) {
		reply_json_error(r, 400, "bad_parameter",
				 "status: must be one of pending_approval, placed, picking, shipped, "
				 "delivered, cancelled, returned, refused");
		return LV_EINVAL;
	}
	if (co_query_int(r, "page", 1, 100000, 1, &pageno) != LV_OK) {
		reply_json_error(r, 400, "bad_parameter", "page: must be a whole number from 1");
		return LV_EINVAL;
	}
	if (co_query_int(r, "per_page", 1, ORDER_ADMIN_PER_PAGE_MAX, CO_PER_PAGE, &per) != LV_OK) {
		reply_json_error(r, 400, "bad_parameter", "per_page: must be a whole number from 1 to 100");
		return LV_EINVAL;
	}
	rc = order_admin_counts(r->db, &counts);
	if (rc == LV_OK)
		rc = order_admin_queue(r->db, status, pageno, (int)per, &list);
	if (rc != LV_OK)
		goto out;
	total = jint(counts, status);
	rc = reply_json(r, 200, json_pack("{s:s,s:I,s:I,s:I,s:I,s:b,s:s,s:O,s:O}",
		"status", status, "page", (json_int_t)pageno, "per_page", (json_int_t)per,
		"pages", (json_int_t)(total > 0 ? (total + per - 1) / per : 1),
		"total", (json_int_t)total, "oldest_first", order_admin_oldest_first(status),
		"currency", r->app->cfg.currency, "counts", counts, "orders", list));
out:
	json_decref(list);
	json_decref(counts);
	return rc;
}

/* GET /api/v1/admin/pick-list?status=placed|picking */
static int co_api_pick_get(struct req *r)
{
	const char *status = req_query(r, "status");
	json_t *pick = NULL;
	int rc = order_admin_pick_list(r->db, status && *status ? status : "placed", &pick);

	if (rc == LV_EINVAL) {
		reply_json_error(r, 400, "bad_parameter", "status: must be placed or picking");
		return rc;
	}
	if (rc != LV_OK)
		return rc;
	return reply_json(r, 200, pick);
}

/* POST /api/v1/admin/pick-list {"orders": [refs]}: every one to picking, or none. */
static int co_api_pick_post(struct req *r)
{
	static const char *const keys[] = { "orders", NULL };
	struct order_admin_refusal why;
	struct audit_actor actor;
	json_t *body = NULL, *arr, *v;
	const char **refs = NULL;
	size_t i, n;
	int rc;

	rc = api_body_json(r, 0, &body);
	if (rc == LV_OK)
		rc = api_keys_check(r, body, "", keys);
	if (rc != LV_OK)
		goto out;
	arr = json_object_get(body, "orders");
	n = json_array_size(arr);
	if (!json_is_array(arr) || n == 0 || n > ORDER_PICK_MAX) {
		rc = api_field_error(r, "orders: must be an array of 1 to %d order references",
				     ORDER_PICK_MAX);
		goto out;
	}
	refs = lv_calloc(n, sizeof(*refs));
	json_array_foreach(arr, i, v) {
		refs[i] = json_string_value(v);
		if (refs[i] == NULL) {
			rc = api_field_error(r, "orders[%zu]: must be an order reference (a string)", i);
			goto out;
		}
	}
	req_actor(r, &actor);
	rc = order_admin_mark_picking(r->db, refs, n, &actor, lv_now(), &why);
	switch (rc) {
	case LV_OK:
		rc = reply_json(r, 200, json_pack("{s:s,s:O}", "status", "picking", "orders", arr));
		break;
	case LV_EINVAL:
		reply_json_error(r, 400, "invalid_field", why.message);
		break;
	case LV_ENOTFOUND:
	case LV_ECONFLICT:
		if (why.ref[0] == '\0') {
			reply_header(r, "Retry-After", "1");
			reply_json_error(r, 503, "busy", why.message);
			break;
		}
		reply_json(r, rc == LV_ENOTFOUND ? 404 : 409,
			   json_pack("{s:{s:s,s:s,s:s,s:s?,s:s}}", "error", "code",
				     rc == LV_ENOTFOUND ? "order_not_found" : "status_conflict",
				     "message", why.message, "ref", why.ref, "status",
				     why.status[0] ? why.status : NULL, "request_id", r->rid));
		break;
	default:
		break;
	}
out:
	lv_free(refs);
	json_decref(body);
	return rc;
}

#define RO (LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR)
#define RW LV_ROLE_STORE_ADMIN

/* clang-format off */
const struct route console_orders_routes[] = {
	/* method  pattern                              kind        access         roles csrf handler           name */
	{ "GET",  "/admin/orders",                      ROUTE_PAGE, ROUTE_SESSION, RO, 0, co_queue_get,     "console_orders" },
	/* before /admin/orders/:ref, which would take "pick-list" for a ref */
	{ "GET",  "/admin/orders/pick-list",            ROUTE_PAGE, ROUTE_SESSION, RO, 0, co_pick_get,      "console_orders_pick_list" },
	{ "POST", "/admin/orders/pick-list",            ROUTE_PAGE, ROUTE_SESSION, RW, 1, co_pick_post,     "console_orders_pick_mark" },
	{ "GET",  "/admin/orders/:ref",                 ROUTE_PAGE, ROUTE_SESSION, RO, 0, co_order_get,     "console_order" },
	{ "GET",  "/admin/orders/:ref/packing-slip",    ROUTE_PAGE, ROUTE_SESSION, RO, 0, co_slip_get,      "console_order_slip" },
	{ "POST", "/admin/orders/:ref/advance",         ROUTE_PAGE, ROUTE_SESSION, RW, 1, co_advance_post,  "console_order_advance" },
	{ "POST", "/admin/orders/:ref/cancel",          ROUTE_PAGE, ROUTE_SESSION, RW, 1, co_cancel_post,   "console_order_cancel" },
	{ "POST", "/admin/orders/:ref/return",          ROUTE_PAGE, ROUTE_SESSION, RW, 1, co_return_post,   "console_order_return" },
	{ "GET",  "/api/v1/admin/order-queue",          ROUTE_API,  ROUTE_SESSION, RO, 0, co_api_queue_get, "api_admin_order_queue" },
	{ "GET",  "/api/v1/admin/pick-list",            ROUTE_API,  ROUTE_SESSION, RO, 0, co_api_pick_get,  "api_admin_pick_list" },
	{ "POST", "/api/v1/admin/pick-list",            ROUTE_API,  ROUTE_SESSION, RW, 1, co_api_pick_post, "api_admin_pick_mark" },
};
/* clang-format on */
const size_t console_orders_routes_n = sizeof(console_orders_routes) / sizeof(console_orders_routes[0]);
