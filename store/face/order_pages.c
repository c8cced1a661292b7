/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_pages.c - the employee's orders, one order, the allowances page
 * and the approver's queue (templates orders, order, allowances,
 * approvals).
 *
 * Handlers read orders and balances from the domain (order.h, cart.h,
 * allowance.h) and shape them for the theme: money formatted in the
 * employee's language, dates written out in it ("3 March 2026"), order
 * states as translated badges. Cancelling, ordering again and deciding on
 * an approval are POSTs with the CSRF token answered by a 303; a refusal
 * from the domain is a page that says what happened.
 */
#include <string.h>
#include <time.h>

#include "allowance.h"
#include "cart.h"
#include "catalog.h"
#include "handlers.h"
#include "req_data.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "order.h"

#include <civetweb.h>

#define ORDERS_PAGE 100

/* An order state: its stable name, the words shown, the badge's tone. */
struct status_text {
	const char *status;
	const char *label;
	const char *tone; /* badge-<tone> in style.css */
};

static const struct status_text status_texts[] = {
	{ "pending_approval", N_("Waiting for approval"), "warning" },
	{ "placed", N_("Placed"), "info" },
	{ "picking", N_("Being prepared"), "info" },
	{ "shipped", N_("Shipped"), "info" },
	{ "delivered", N_("Delivered"), "success" },
	{ "cancelled", N_("Cancelled"), "neutral" },
	{ "returned", N_("Returned"), "neutral" },
	{ "refused", N_("Refused"), "danger" },
};

/* {status, label, tone} of an order state. */
static json_t *status_json(const struct req *r, const char *status)
{
	size_t i;

	for (i = 0; i < sizeof(status_texts) / sizeof(status_texts[0]); i++)
		if (strcmp(status_texts[i].status, status) == 0)
			return json_pack("{s:s,s:s,s:s}", "status", status,
					 "label", req_tr(r, status_texts[i].label), "tone", status_texts[i].tone);
	return json_pack("{s:s,s:s,s:s}", "status", status, "label", status, "tone", "neutral");
}

/* "M", "Navy", "Slim", "Embroidered" for a line: [values] without the empty ones. */
static json_t *line_options(const json_t *l)
{
	static const char *const keys[] = { "size", "colour", "fit", "logo" };
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (*req_jstr(l, keys[i]))
			json_array_append_new(out, json_string(req_jstr(l, keys[i])));
	return out;
}

/* ------------------------------------------------------------------ */
/* Orders.                                                            */

int page_orders_get(struct req *r)
{
	json_t *list = NULL, *orders, *o, *page;
	size_t i;
	int rc;

	rc = order_list(r->db, r->user->employee, NULL, 0, ORDERS_PAGE, &list);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	orders = json_array();
	json_array_foreach(list, i, o) {
		char url[64];

		lv_snprintf(url, sizeof(url), "/orders/%s", req_jstr(o, "ref"));
		json_array_append_new(orders, json_pack("{s:s,s:s,s:o,s:o,s:o,s:O?,s:O?}",
			"ref", req_jstr(o, "ref"), "url", url,
			"status", status_json(r, req_jstr(o, "status")),
			"date", req_date(r, json_integer_value(json_object_get(o, "created_at")), 0),
			"total", req_money(r, json_integer_value(json_object_get(o, "total"))),
			"items", json_object_get(o, "items"), "lines", json_object_get(o, "lines")));
	}
	page = json_pack("{s:o,s:b}", "orders", orders, "empty", json_array_size(orders) == 0);
	json_decref(list);
	return reply_page(r, 200, "orders", req_tr(r, "My orders"), page);
}

/* The history of an order for the page: [{date, label, by, reason}]. */
static json_t *order_history(const struct req *r, json_t *hist)
{
	json_t *out = json_array(), *h;
	size_t i;

	json_array_foreach(hist, i, h) {
		const char *to = req_jstr(h, "to"), *action = req_jstr(h, "action");
		json_t *st = *to ? status_json(r, to) : NULL;
		const char *label = st ? req_jstr(st, "label") : action;

		json_array_append_new(out, json_pack("{s:o,s:s,s:s,s:s}",
			"date", req_date(r, json_integer_value(json_object_get(h, "at")), 1),
			"label", label, "by", req_jstr(h, "by"), "reason", req_jstr(h, "reason")));
		json_decref(st);
	}
	return out;
}

/* The order's delivery as the page shows it: {to_site, site, address {...}}. */
static json_t *order_delivery(const json_t *o)
{
	const json_t *ship = json_object_get(o, "ship_to");
	int site = strcmp(req_jstr(o, "delivery"), "site") == 0;

	if (json_is_string(ship)) { /* the ship_to column as stored text */
		json_t *parsed = json_loads(json_string_value(ship), 0, NULL);
		json_t *d;

		if (parsed) {
			d = json_pack("{s:b,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s}}", "to_site", site,
				      "site", req_jstr(parsed, "site"), "address", "name", req_jstr(parsed, "name"),
				      "line1", req_jstr(parsed, "line1"), "line2", req_jstr(parsed, "line2"),
				      "postcode", req_jstr(parsed, "postcode"), "city", req_jstr(parsed, "city"),
				      "country", req_jstr(parsed, "country"));
			json_decref(parsed);
			return d;
		}
	}
	return json_pack("{s:b,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s}}", "to_site", site,
			 "site", req_jstr(ship, "site"), "address", "name", req_jstr(ship, "name"),
			 "line1", req_jstr(ship, "line1"), "line2", req_jstr(ship, "line2"),
			 "postcode", req_jstr(ship, "postcode"), "city", req_jstr(ship, "city"),
			 "country", req_jstr(ship, "country"));
}

/* The lines of an order for a page (order and approvals). */
static json_t *order_lines(const struct req *r, const json_t *o)
{
	json_t *out = json_array(), *l, *p;
	size_t i, j;

	json_array_foreach(json_object_get(o, "lines"), i, l) {
		json_t *pays = json_array();
		json_int_t cq = json_integer_value(json_object_get(l, "cancelled_quantity"));
		json_int_t rq = json_integer_value(json_object_get(l, "returned_quantity"));

		json_array_foreach(json_object_get(l, "payments"), j, p)
			json_array_append_new(pays, json_pack("{s:s,s:o}", "name", req_jstr(p, "name"), "amount",
				req_amount(r, req_jstr(p, "unit"), json_integer_value(json_object_get(p, "amount")),
					    json_integer_value(json_object_get(p, "value")))));
		json_array_append_new(out, json_pack("{s:s,s:s,s:o,s:O?,s:o,s:o,s:o,s:I,s:I,s:b,s:b}",
			"sku", req_jstr(l, "sku"), "product", req_jstr(l, "product"),
			"options", line_options(l),
			"quantity", json_object_get(l, "quantity"),
			"unit_price", req_money(r, json_integer_value(json_object_get(l, "unit_price"))),
			"total", req_money(r, json_integer_value(json_object_get(l, "total"))),
			"payments", pays, "cancelled", cq, "returned", rq, "has_cancelled", cq > 0,
			"has_returned", rq > 0));
	}
	return out;
}

/* Notices after a redirect to the order (?notice=...). */
static json_t *order_notice(const struct req *r)
{
	const char *n = req_query(r, "notice");
	json_t *out = json_object();

	if (n && strcmp(n, "cancelled") == 0)
		json_object_set_new(out, "cancelled", json_true());
	return out;
}

/*
 * Renders the order page for ref (the employee's own), with status and an
 * error sentence (may be NULL) above it.
 */
static int order_render(struct req *r, int status, const char *error)
{
	json_t *o = NULL, *page = NULL, *decision;
	const char *st;
	int rc;

	rc = order_get(r->db, r->params[0], r->user->employee, &o);
	if (rc == LV_ENOTFOUND)
		return reply_error(r, 404, "not_found",
				   "There is no order with this reference among yours. See your orders for the list.",
				   NULL);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	st = req_jstr(o, "status");
	decision = json_object_get(o, "decision");
	page = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:b,s:b,s:b,s:b,s:o}",
		"ref", req_jstr(o, "ref"),
		"status", status_json(r, st),
		"date", req_date(r, json_integer_value(json_object_get(o, "created_at")), 1),
		"total", req_money(r, json_integer_value(json_object_get(o, "total"))),
		"covered", req_money(r, json_integer_value(json_object_get(o, "covered"))),
		"overage_approval", req_money(r, json_integer_value(json_object_get(o, "overage_approval"))),
		"overage_payroll", req_money(r, json_integer_value(json_object_get(o, "overage_payroll"))),
		"has_payroll", json_integer_value(json_object_get(o, "overage_payroll")) > 0,
		"lines", order_lines(r, o),
		"delivery", order_delivery(o),
		"history", order_history(r, json_object_get(o, "history")),
		"has_approval", json_integer_value(json_object_get(o, "overage_approval")) > 0,
		"can_cancel", strcmp(st, "pending_approval") == 0 || strcmp(st, "placed") == 0,
		"is_refused", strcmp(st, "refused") == 0,
		"is_waiting", strcmp(st, "pending_approval") == 0,
		"notice", order_notice(r));
	if (page == NULL) {
		rc = reply_err_code(r, LV_EINTERNAL);
		goto out;
	}
	if (*req_jstr(o, "tracking"))
		json_object_set_new(page, "tracking", json_pack("{s:s,s:s}", "carrier", req_jstr(o, "carrier"),
								"number", req_jstr(o, "tracking")));
	if (json_is_object(decision) && *req_jstr(decision, "reason"))
		json_object_set_new(page, "decision", json_pack("{s:s,s:o}", "reason",
			req_jstr(decision, "reason"),
			"date", req_date(r, json_integer_value(json_object_get(decision, "at")), 1)));
	if (error)
		json_object_set_new(page, "error", json_string(error));
	{
		char title[80];

		lv_snprintf(title, sizeof(title), "%s %s", req_tr(r, "Order"), req_jstr(o, "ref"));
		rc = reply_page(r, status, "order", title, page);
	}
	page = NULL;
out:
	json_decref(page);
	json_decref(o);
	return rc;
}

int page_order_get(struct req *r)
{
	return order_render(r, 200, NULL);
}

int page_order_cancel_post(struct req *r)
{
	struct audit_actor actor;
	char msg[256] = "", url[64];
	int rc;

	rc = req_form_need(r);
	if (rc != LV_OK)
		return LV_OK;
	req_actor(r, &actor);
	rc = order_release(r->db, r->params[0], r->user->employee, 0, NULL, 0, NULL, &actor,
			   lv_now(), msg, sizeof(msg));
	if (rc == LV_ECONFLICT)
		return order_render(r, 409, req_tr(r, "This order can no longer be cancelled: it is already being prepared. Contact the store team to return it once it arrives."));
	if (rc == LV_ENOTFOUND)
		return order_render(r, 404, NULL);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	lv_snprintf(url, sizeof(url), "/orders/%s?notice=cancelled", r->params[0]);
	return reply_redirect(r, 303, url);
}

int page_order_reorder_post(struct req *r)
{
	char msg[256] = "", url[96];
	int added = 0, skipped = 0, rc;

	rc = req_form_need(r);
	if (rc != LV_OK)
		return LV_OK;
	rc = cart_reorder(r->db, r->user->employee, r->params[0], &added, &skipped, msg, sizeof(msg));
	if (rc == LV_ENOTFOUND)
		return order_render(r, 404, NULL);
	if (rc == LV_EINVAL)
		return order_render(r, 400, req_tr(r, "Your cart is full: it holds at most 100 lines. Order or remove what is in it first."));
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	lv_snprintf(url, sizeof(url), "/cart?notice=reordered&added=%d&skipped=%d", added, skipped);
	return reply_redirect(r, 303, url);
}

/* ------------------------------------------------------------------ */
/* Allowances.                                                        */

/* The overage rule in words. */
static const char *overage_words(const struct req *r, const char *rule)
{
	if (strcmp(rule, "approval") == 0)
		return req_tr(r, "Anything over it needs your manager's approval.");
	if (strcmp(rule, "payroll") == 0)
		return req_tr(r, "Anything over it can be deducted from your pay, if you agree at checkout.");
	return req_tr(r, "Orders cannot go over it.");
}

/* Category slugs as their names, from the catalog's categories. */
static json_t *category_names(json_t *slugs, json_t *cats)
{
	json_t *out = json_array(), *s, *c;
	size_t i, j;

	json_array_foreach(slugs, i, s) {
		const char *name = json_string_value(s);

		json_array_foreach(cats, j, c)
			if (json_string_value(s) && strcmp(req_jstr(c, "slug"), json_string_value(s)) == 0)
				name = req_jstr(c, "name");
		if (name)
			json_array_append_new(out, json_string(name));
	}
	return out;
}

int page_allowances_get(struct req *r)
{
	json_t *bal = NULL, *progs = NULL, *cats = NULL, *out, *b, *p;
	int64_t now = lv_now();
	size_t i, j;
	int rc;

	rc = allowance_balances(r->db, r->user->employee, now, &bal);
	if (rc == LV_OK)
		rc = allowance_programmes_for_employee(r->db, r->user->employee, now, &progs);
	if (rc == LV_OK)
		rc = catalog_categories_list(r->db, 1, &cats);
	if (rc != LV_OK) {
		rc = reply_err_code(r, rc);
		goto out;
	}
	out = json_array();
	json_array_foreach(bal, i, b) {
		const char *unit = req_jstr(b, "unit");
		json_int_t amount = json_integer_value(json_object_get(b, "balance"));
		json_int_t rate = json_integer_value(json_object_get(b, "points_rate"));
		json_int_t reset = json_integer_value(json_object_get(b, "next_reset"));
		json_t *cov = NULL, *tags = NULL, *item;

		json_array_foreach(progs, j, p)
			if (strcmp(req_jstr(p, "slug"), req_jstr(b, "programme")) == 0) {
				cov = category_names(json_object_get(p, "categories"), cats);
				tags = json_incref(json_object_get(p, "tags"));
			}
		item = json_pack("{s:s,s:o,s:b,s:o,s:b,s:s,s:o,s:o,s:b,s:b}",
			"name", req_jstr(b, "name"),
			"balance", req_amount(r, unit, amount, amount * (rate > 0 ? rate : 0)),
			"is_points", strcmp(unit, "points") == 0,
			"rate", req_money(r, rate),
			"has_reset", reset > 0,
			"overage", overage_words(r, req_jstr(b, "overage")),
			"next_reset", req_date(r, reset, 0),
			"categories", cov ? cov : json_array(),
			"covers_all", (cov == NULL || json_array_size(cov) == 0) &&
				      json_array_size(tags) == 0,
			"eligible", !json_is_null(json_object_get(b, "period")) &&
				    json_object_get(b, "period") != NULL);
		json_object_set_new(item, "tags", tags ? tags : json_array());
		json_array_append_new(out, item);
	}
	rc = reply_page(r, 200, "allowances", req_tr(r, "My allowances"),
			json_pack("{s:o,s:b}", "programmes", out, "empty", json_array_size(out) == 0));
out:
	json_decref(cats);
	json_decref(progs);
	json_decref(bal);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Approvals.                                                         */

/* The lines of a queue entry (order_approvals_list's order_lines) for the page. */
static json_t *approval_lines(const struct req *r, const json_t *o)
{
	json_t *out = json_array(), *l;
	size_t i;

	json_array_foreach(json_object_get(o, "order_lines"), i, l)
		json_array_append_new(out, json_pack("{s:s,s:s,s:o,s:O?,s:o,s:o}",
			"sku", req_jstr(l, "sku"), "product", req_jstr(l, "product"),
			"options", line_options(l), "quantity", json_object_get(l, "quantity"),
			"unit_price", req_money(r, json_integer_value(json_object_get(l, "unit_price"))),
			"total", req_money(r, json_integer_value(json_object_get(l, "total")))));
	return out;
}

/*
 * Why an order waits, in words for the page: [{programme, amount,
 * products, has_programme}] from the entry's reasons (one per allowance
 * gone over; has_programme false for what no allowance paid).
 */
static json_t *approval_reasons(const struct req *r, const json_t *o)
{
	json_t *out = json_array(), *x, *p;
	size_t i, j;

	json_array_foreach(json_object_get(o, "reasons"), i, x) {
		struct lv_buf names;

		lv_buf_init(&names, 4096);
		json_array_foreach(json_object_get(x, "products"), j, p) {
			if (j > 0)
				lv_buf_append_str(&names, ", ");
			lv_buf_append_str(&names, json_string_value(p) ? json_string_value(p) : "");
		}
		json_array_append_new(out, json_pack("{s:s,s:b,s:o,s:s}",
			"programme", req_jstr(x, "programme"),
			"has_programme", json_is_string(json_object_get(x, "programme")),
			"amount", req_money(r, json_integer_value(json_object_get(x, "amount"))),
			"products", lv_buf_str(&names)));
		lv_buf_cleanup(&names);
	}
	return out;
}

/*
 * Renders the approval queue with status, and the error sentence for the
 * order ref (both may be NULL) after a refused decision; reason is what the
 * approver typed, kept. The queue is one query (order_approvals_list brings
 * each order's lines and why it waits with it).
 */
static int approvals_render(struct req *r, int status, const char *ref, const char *error,
			    const char *reason)
{
	int is_approver = (r->user->roles & LV_ROLE_APPROVER) != 0;
	json_t *list = NULL, *out, *o, *page;
	const char *done = req_query(r, "done"), *decision = req_query(r, "decision");
	size_t i;
	int rc;

	rc = order_approvals_list(r->db, r->user->employee, is_approver, &list);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	out = json_array();
	json_array_foreach(list, i, o) {
		const char *oref = req_jstr(o, "ref");
		json_t *emp = json_object_get(o, "employee"), *item;

		item = json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:b}",
			"n", (json_int_t)(i + 1), "ref", oref,
			"employee", req_jstr(emp, "name"), "employee_id", req_jstr(emp, "employee_id"),
			"department", req_jstr(emp, "department"),
			"over", req_money(r, json_integer_value(json_object_get(o, "overage_approval"))),
			"programmes", req_jstr(o, "programmes"),
			"reasons", approval_reasons(r, o),
			"date", req_date(r, json_integer_value(json_object_get(o, "created_at")), 1),
			"total", req_money(r, json_integer_value(json_object_get(o, "total"))),
			"lines", approval_lines(r, o),
			"has_error", ref && error && strcmp(ref, oref) == 0);
		if (ref && strcmp(ref, oref) == 0) {
			if (error)
				json_object_set_new(item, "error", json_string(error));
			json_object_set_new(item, "reason_text", json_string(reason ? reason : ""));
		}
		json_array_append_new(out, item);
	}
	page = json_pack("{s:o,s:b,s:b}", "orders", out, "empty", json_array_size(out) == 0,
			 "is_approver", is_approver);
	if (ref == NULL && error)
		json_object_set_new(page, "error", json_string(error));
	if (done && decision)
		json_object_set_new(page, "notice", json_pack("{s:s,s:b}", "ref", done, "approved",
							      strcmp(decision, "approve") == 0));
	json_decref(list);
	return reply_page(r, status, "approvals", req_tr(r, "Approvals"), page);
}

int page_approvals_get(struct req *r)
{
	return approvals_render(r, 200, NULL, NULL, NULL);
}

int page_approval_post(struct req *r)
{
	int is_approver = (r->user->roles & LV_ROLE_APPROVER) != 0;
	const char *decision, *reason;
	struct audit_actor actor;
	char msg[256] = "";
	int rc, approve;

	rc = req_form_need(r);
	if (rc != LV_OK)
		return LV_OK;
	decision = req_form(r, "decision");
	reason = req_form(r, "reason");
	if (decision == NULL || (strcmp(decision, "approve") != 0 && strcmp(decision, "refuse") != 0))
		return reply_error(r, 400, "bad_form", "Choose to approve or to refuse the order.", NULL);
	approve = strcmp(decision, "approve") == 0;
	rc = order_approval_allowed(r->db, r->params[0], r->user->employee, is_approver);
	if (rc == LV_ENOTFOUND)
		return approvals_render(r, 404, NULL, req_tr(r, "This order is not waiting for approval any more."),
					NULL);
	if (rc == LV_EFORBIDDEN)
		return reply_error(r, 403, "forbidden",
				   "You may not decide on this order: it is not from one of your team.", NULL);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	if (!approve && (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0'))
		return approvals_render(r, 400, r->params[0],
					req_tr(r, "Give a reason for the refusal: the employee will read it."),
					reason);
	if (reason && strlen(reason) > 500)
		return approvals_render(r, 400, r->params[0],
					req_tr(r, "The reason is too long: at most 500 characters."), reason);
	req_actor(r, &actor);
	rc = order_decide(r->db, r->params[0], approve, reason && *reason ? reason : NULL, &actor,
			  lv_now(), msg, sizeof(msg));
	if (rc == LV_EINVAL)
		return approvals_render(r, 400, r->params[0],
					req_tr(r, "Give a reason for the refusal: the employee will read it."),
					reason);
	if (rc == LV_ECONFLICT || rc == LV_ENOTFOUND)
		return approvals_render(r, 409, NULL, req_tr(r, "This order is not waiting for approval any more."),
					NULL);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	{
		char url[96];

		lv_snprintf(url, sizeof(url), "/approvals?done=%s&decision=%s", r->params[0],
			    approve ? "approve" : "refuse");
		return reply_redirect(r, 303, url);
	}
}
