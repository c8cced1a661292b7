/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cart_pages.c - the employee's cart, the quick order and the checkout
 * pages (templates cart, quick_order, checkout).
 *
 * Handlers ask the domain (cart.h, order.h, allowance.h) and shape its
 * JSON for the theme: money formatted in the employee's language, points
 * shown with what they are worth, each refusal turned into a translated
 * sentence. Every change is a POST with the CSRF token (checked by the
 * dispatcher) answered by a 303, so a reload never repeats it; the
 * checkout carries a fresh idempotency key per page view, so a double
 * click or a resent form places one order and gets the same redirect.
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "allowance.h"
#include "cart.h"
#include "catalog.h"
#include "handlers.h"
#include "req_data.h"
#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"
#include "metrics.h"
#include "order.h"

#include <civetweb.h>

/* How long a double-clicked checkout waits for the first click's answer. */
#define CHECKOUT_IN_USE_TRIES 20
#define CHECKOUT_IN_USE_WAIT_NS 100000000L

/* A refusal's stable code and the sentence an employee reads for it. */
struct problem_text {
	const char *code;
	const char *text;
};

static const struct problem_text problem_texts[] = {
	{ "cart_empty", N_("Your cart is empty.") },
	{ "too_many_lines", N_("Your cart has too many lines: an order holds at most 100.") },
	{ "bad_quantity", N_("A quantity is not allowed: order from 1 to 99 of each item.") },
	{ "unknown_sku", N_("An item is not in the catalog any more. Remove it from your cart.") },
	{ "unavailable", N_("No longer available. Remove it from your cart.") },
	{ "out_of_stock", N_("Not enough in stock. Lower the quantity or remove it.") },
	{ "price_changed", N_("A price changed since you opened this page. Check the new total and confirm again.") },
	{ "cart_changed", N_("Your cart changed since you opened this page. Check the order again and confirm.") },
	{ "not_active", N_("Your account is not active in the store, so it cannot place orders. Contact your HR team.") },
	{ "overage_denied", N_("Your allowances do not cover this order and the rest cannot be paid another way. Remove items or lower quantities.") },
	{ "payroll_consent_required", N_("Tick the box to agree to the pay deduction, or remove items.") },
	{ "bad_delivery", N_("Choose where the order is delivered.") },
	{ "bad_address", N_("The home address is incomplete: a name, the first line, the postcode, the city and a 2-letter country code are needed.") },
	{ "idempotency_key_reused", N_("This checkout was already sent with other details. Check your orders before ordering again.") },
	{ "idempotency_key_in_use", N_("This order is still being placed. Wait a moment, then look at your orders.") },
	{ "busy", N_("The store is busy, try again.") },
};

/* The translated sentence for a refusal code (the domain's own when unknown). */
static const char *problem_sentence(const struct req *r, const char *code, const char *fallback)
{
	size_t i;

	for (i = 0; code && i < sizeof(problem_texts) / sizeof(problem_texts[0]); i++)
		if (strcmp(problem_texts[i].code, code) == 0)
			return req_tr(r, problem_texts[i].text);
	return fallback && *fallback ? fallback : req_tr(r, N_("This order cannot be placed as it is."));
}

/* amount_json for an amount of points worth rate minor units each (or money). */
static json_t *amount_rate_json(const struct req *r, const char *unit, json_int_t amount,
				json_int_t rate)
{
	return req_amount(r, unit, amount, amount * (rate > 0 ? rate : 0));
}

/* "/p/<slug>" for a product slug, or NULL when the slug is not one. */
static int product_url(const char *slug, char *out, size_t outlen)
{
	size_t i, n = slug ? strlen(slug) : 0;

	if (n == 0 || n > 64)
		return LV_EINVAL;
	for (i = 0; i < n; i++)
		if (!((slug[i] >= 'a' && slug[i] <= 'z') || (slug[i] >= '0' && slug[i] <= '9') ||
		      slug[i] == '-'))
			return LV_EINVAL;
	lv_snprintf(out, outlen, "/p/%s", slug);
	return LV_OK;
}

/* Reads form field name as a whole number in [min, max]. */
static int form_int(const struct req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v = req_form(r, name);

	if (v == NULL || *v == '\0')
		return LV_EINVAL;
	return lv_parse_i64(v, min, max, out);
}

/*
 * The employee's balances for a page: [{name, balance (amount), overage}],
 * or an empty array when they cannot be read (the page still shows).
 */
static json_t *balances_json(struct req *r)
{
	json_t *bal = NULL, *out = json_array(), *b;
	size_t i;

	if (allowance_balances(r->db, r->user->employee, lv_now(), &bal) != LV_OK)
		return out;
	json_array_foreach(bal, i, b) {
		const char *unit = req_jstr(b, "unit");

		json_array_append_new(out, json_pack("{s:s,s:o}", "name", req_jstr(b, "name"), "balance",
			amount_rate_json(r, unit, json_integer_value(json_object_get(b, "balance")),
					 json_integer_value(json_object_get(b, "points_rate")))));
	}
	json_decref(bal);
	return out;
}

/* ------------------------------------------------------------------ */
/* The cart.                                                          */

/* Notices shown at the top of the cart after a redirect (?notice=...). */
static json_t *cart_notice(const struct req *r)
{
	const char *n = req_query(r, "notice");
	json_t *out = json_object();
	int64_t a = 0, s = 0;

	if (n == NULL)
		return out;
	if (strcmp(n, "reordered") == 0) {
		const char *qa = req_query(r, "added"), *qs = req_query(r, "skipped");

		if (qa == NULL || lv_parse_i64(qa, 0, ORDER_MAX_LINES, &a) != LV_OK)
			a = 0;
		if (qs == NULL || lv_parse_i64(qs, 0, ORDER_MAX_LINES, &s) != LV_OK)
			s = 0;
		json_object_set_new(out, "reordered", json_pack("{s:I,s:I,s:b}", "added", (json_int_t)a,
								"skipped", (json_int_t)s, "any_skipped", s > 0));
	} else if (strcmp(n, "quick") == 0) {
		const char *qa = req_query(r, "added");

		if (qa == NULL || lv_parse_i64(qa, 0, ORDER_MAX_LINES, &a) != LV_OK)
			a = 0;
		json_object_set_new(out, "quick", json_pack("{s:I}", "added", (json_int_t)a));
	} else if (strcmp(n, "updated") == 0) {
		json_object_set_new(out, "updated", json_true());
	} else if (strcmp(n, "kit") == 0) {
		json_object_set_new(out, "kit", json_true());
	} else if (strcmp(n, "removed") == 0) {
		json_object_set_new(out, "removed", json_true());
	} else if (strcmp(n, "limit") == 0) {
		json_object_set_new(out, "limit", json_true());
	} else if (strcmp(n, "unavailable") == 0) {
		json_object_set_new(out, "unavailable", json_true());
	} else if (strcmp(n, "quantity") == 0) {
		json_object_set_new(out, "quantity", json_true());
	}
	return out;
}

int page_cart_get(struct req *r)
{
	json_t *cart = NULL, *lines, *line, *page = NULL, *balances;
	size_t i;
	int rc, problems = 0;

	rc = cart_get(r->db, r->user->employee, &cart);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	lines = json_array();
	json_array_foreach(json_object_get(cart, "lines"), i, line) {
		const char *problem = json_string_value(json_object_get(line, "problem"));
		json_int_t stock = json_integer_value(json_object_get(line, "stock"));
		char url[80] = "";
		json_t *l;

		product_url(req_jstr(line, "slug"), url, sizeof(url));
		l = json_pack("{s:I,s:s,s:s,s:s,s:O?,s:s,s:s,s:s,s:s,s:o,s:O?,s:o,s:I,s:b,s:b,s:b}",
			      "n", (json_int_t)(i + 1), "sku", req_jstr(line, "sku"),
			      "product", req_jstr(line, "product"), "url", url,
			      "image", json_object_get(line, "image"),
			      "size", req_jstr(line, "size"), "colour", req_jstr(line, "colour"),
			      "fit", req_jstr(line, "fit"), "logo", req_jstr(line, "logo"),
			      "unit_price", req_money(r, json_integer_value(json_object_get(line, "unit_price"))),
			      "quantity", json_object_get(line, "quantity"),
			      "total", req_money(r, json_integer_value(json_object_get(line, "total"))),
			      "stock", stock,
			      "low_stock", problem && strcmp(problem, "out_of_stock") == 0 && stock > 0,
			      "out_of_stock", problem && strcmp(problem, "out_of_stock") == 0 && stock <= 0,
			      "unavailable", problem && strcmp(problem, "unavailable") == 0);
		if (problem)
			problems++;
		json_array_append_new(lines, l);
	}
	balances = balances_json(r);
	page = json_pack("{s:o,s:O?,s:o,s:b,s:b,s:b,s:o,s:o}", "lines", lines,
			 "count", json_object_get(cart, "count"),
			 "total", req_money(r, json_integer_value(json_object_get(cart, "total"))),
			 "empty", json_array_size(lines) == 0, "has_problems", problems > 0,
			 "has_balances", json_array_size(balances) > 0,
			 "balances", balances, "notice", cart_notice(r));
	json_decref(cart);
	if (page == NULL)
		return reply_err_code(r, LV_EINTERNAL);
	return reply_page(r, 200, "cart", req_tr(r, "Your cart"), page);
}

/* Redirects to the product page (or the cart) with ?name=value&sku=sku. */
static int cart_back_to_product(struct req *r, const char *slug, const char *name,
				const char *value, const char *sku)
{
	char url[80];
	struct lv_buf b;
	int rc;

	if (product_url(slug, url, sizeof(url)) != LV_OK)
		lv_strlcpy(url, "/cart", sizeof(url));
	lv_buf_init(&b, 1024);
	lv_buf_printf(&b, "%s?%s=", url, name);
	lv_url_encode(value, &b);
	if (sku && *sku) {
		lv_buf_append_str(&b, "&sku=");
		lv_url_encode(sku, &b);
	}
	rc = reply_redirect(r, 303, lv_buf_str(&b));
	lv_buf_cleanup(&b);
	return rc;
}

int page_cart_add_post(struct req *r)
{
	const char *sku, *slug;
	int64_t qty = 1;
	char msg[256] = "";
	int rc;

	rc = req_form_need(r);
	if (rc != LV_OK)
		return LV_OK;
	sku = req_form(r, "sku");
	slug = req_form(r, "product");
	if (sku == NULL || *sku == '\0' || strlen(sku) > 64)
		return reply_error(r, 400, "no_variant",
				   "Choose a size and colour first, then add the item to your cart.", NULL);
	if (req_form(r, "quantity") && form_int(r, "quantity", 1, ORDER_MAX_QUANTITY, &qty) != LV_OK)
		return cart_back_to_product(r, slug, "cart_error", "quantity", sku);
	rc = req_sku_allowed(r, sku, msg, sizeof(msg));
	if (rc == LV_EFORBIDDEN)
		return cart_back_to_product(r, slug, "cart_error", "policy", sku);
	if (rc == LV_OK)
		rc = cart_add(r->db, r->user->employee, sku, qty, msg, sizeof(msg));
	if (rc == LV_ENOTFOUND)
		return cart_back_to_product(r, slug, "cart_error", "unavailable", sku);
	if (rc == LV_EINVAL)
		return cart_back_to_product(r, slug, "cart_error", "limit", sku);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	return cart_back_to_product(r, slug, "added", sku, NULL);
}

int page_cart_update_post(struct req *r)
{
	const char *sku;
	int64_t qty;
	char msg[256] = "";
	int rc;

	rc = req_form_need(r);
	if (rc != LV_OK)
		return LV_OK;
	sku = req_form(r, "sku");
	if (sku == NULL || *sku == '\0')
		return reply_error(r, 400, "bad_form", "The form could not be read. Reload the page and try again.",
				   NULL);
	if (form_int(r, "quantity", 0, ORDER_MAX_QUANTITY, &qty) != LV_OK)
		return reply_redirect(r, 303, "/cart?notice=quantity");
	rc = qty > 0 ? req_sku_allowed(r, sku, msg, sizeof(msg)) : LV_OK;
	if (rc == LV_EFORBIDDEN)
		rc = LV_ENOTFOUND; /* the cart says "no longer available" */
	if (rc == LV_OK)
		rc = cart_set(r->db, r->user->employee, sku, qty, msg, sizeof(msg));
	if (rc == LV_ENOTFOUND)
		return reply_redirect(r, 303, "/cart?notice=unavailable");
	if (rc == LV_EINVAL)
		return reply_redirect(r, 303, "/cart?notice=limit");
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	return reply_redirect(r, 303, qty == 0 ? "/cart?notice=removed" : "/cart?notice=updated");
}

int page_cart_remove_post(struct req *r)
{
	const char *sku;
	int rc;

	rc = req_form_need(r);
	if (rc != LV_OK)
		return LV_OK;
	sku = req_form(r, "sku");
	if (sku == NULL || *sku == '\0')
		return reply_error(r, 400, "bad_form", "The form could not be read. Reload the page and try again.",
				   NULL);
	rc = cart_remove(r->db, r->user->employee, sku);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	return reply_redirect(r, 303, "/cart?notice=removed");
}

/* ------------------------------------------------------------------ */
/* Quick order.                                                       */

static int quick_render(struct req *r, int status, const char *text, const char *error)
{
	json_t *page = json_pack("{s:s}", "text", text ? text : "");

	if (error)
		json_object_set_new(page, "error", json_string(error));
	return reply_page(r, status, "quick_order", req_tr(r, "Quick order"), page);
}

int page_quick_get(struct req *r)
{
	return quick_render(r, 200, "", NULL);
}

int page_quick_post(struct req *r)
{
	struct order_line_req *lines = NULL;
	const char *text;
	size_t n = 0;
	char msg[256] = "", url[64];
	int rc;

	rc = req_form_need(r);
	if (rc != LV_OK)
		return LV_OK;
	text = req_form(r, "lines");
	if (text == NULL || *text == '\0') {
		rc = quick_render(r, 400, "", req_tr(r, "Enter at least one item number."));
		goto out;
	}
	lines = lv_calloc(ORDER_MAX_LINES, sizeof(*lines));
	rc = cart_quick_parse(text, strlen(text), lines, ORDER_MAX_LINES, &n, msg, sizeof(msg));
	if (rc == LV_OK && n == 0) {
		rc = quick_render(r, 400, text, req_tr(r, "Enter at least one item number."));
		goto out;
	}
	if (rc == LV_OK)
		rc = req_lines_allowed(r, lines, n, msg, sizeof(msg));
	if (rc == LV_OK)
		rc = cart_add_many(r->db, r->user->employee, lines, n, msg, sizeof(msg));
	if (rc == LV_EINVAL || rc == LV_ENOTFOUND || rc == LV_EFORBIDDEN) {
		rc = quick_render(r, 400, text,
				  msg[0] ? msg : req_tr(r, "This list could not be read."));
		goto out;
	}
	if (rc != LV_OK) {
		rc = reply_err_code(r, rc);
		goto out;
	}
	lv_snprintf(url, sizeof(url), "/cart?notice=quick&added=%zu", n);
	rc = reply_redirect(r, 303, url);
out:
	lv_free(lines);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Checkout.                                                          */

/* What the employee typed into the checkout form, kept on a refusal. */
struct checkout_form {
	const char *delivery;
	const char *name, *line1, *line2, *postcode, *city, *country;
	int payroll_consent;
};

static void checkout_form_read(const struct req *r, struct checkout_form *f)
{
	const char *c = req_form(r, "payroll_consent");

	memset(f, 0, sizeof(*f));
	f->delivery = req_form(r, "delivery");
	f->name = req_form(r, "name");
	f->line1 = req_form(r, "line1");
	f->line2 = req_form(r, "line2");
	f->postcode = req_form(r, "postcode");
	f->city = req_form(r, "city");
	f->country = req_form(r, "country");
	f->payroll_consent = c && *c && strcmp(c, "0") != 0;
}

/* 32 lowercase hex characters from 16 random bytes. */
static void idem_key_new(char out[33])
{
	unsigned char raw[16];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, 33, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

/* The quote's lines for the page. */
static json_t *checkout_lines(const struct req *r, json_t *qlines)
{
	json_t *out = json_array(), *l, *p;
	size_t i, j;

	json_array_foreach(qlines, i, l) {
		json_t *pays = json_array(), *prob = json_object_get(l, "problem");
		json_int_t overage = json_integer_value(json_object_get(l, "overage"));

		json_array_foreach(json_object_get(l, "payments"), j, p)
			json_array_append_new(pays, json_pack("{s:s,s:o}", "name", req_jstr(p, "name"), "amount",
				req_amount(r, req_jstr(p, "unit"), json_integer_value(json_object_get(p, "amount")),
					    json_integer_value(json_object_get(p, "value")))));
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O?,s:o,s:o,s:o,s:o,s:b,s:o}",
			"sku", req_jstr(l, "sku"), "product", req_jstr(l, "product"),
			"size", req_jstr(l, "size"), "colour", req_jstr(l, "colour"), "fit", req_jstr(l, "fit"),
			"logo", req_jstr(l, "logo"),
			"quantity", json_object_get(l, "quantity"),
			"unit_price", req_money(r, json_integer_value(json_object_get(l, "unit_price"))),
			"total", req_money(r, json_integer_value(json_object_get(l, "total"))),
			"covered", req_money(r, json_integer_value(json_object_get(l, "covered"))),
			"overage", req_money(r, overage), "has_overage", overage > 0,
			"payments", pays));
		if (json_is_object(prob))
			json_object_set_new(json_array_get(out, json_array_size(out) - 1), "problem",
					    json_string(problem_sentence(r, req_jstr(prob, "code"),
									 req_jstr(prob, "message"))));
	}
	return out;
}

/* The quote's balances before and after: [{name, before, after, next_reset}]. */
static json_t *checkout_balances(const struct req *r, json_t *qbal)
{
	json_t *out = json_array(), *b;
	size_t i;

	json_array_foreach(qbal, i, b) {
		const char *unit = req_jstr(b, "unit");
		json_int_t rate = json_integer_value(json_object_get(b, "points_rate"));

		json_array_append_new(out, json_pack("{s:s,s:o,s:o}", "name", req_jstr(b, "name"),
			"before", amount_rate_json(r, unit, json_integer_value(json_object_get(b, "before")), rate),
			"after", amount_rate_json(r, unit, json_integer_value(json_object_get(b, "after")), rate)));
	}
	return out;
}

/*
 * Renders the checkout page from a fresh quote of the cart: status 200
 * for a view, the refusal's status with problem (may be NULL) and the
 * form f (may be NULL) kept after a refused POST.
 */
static int checkout_render(struct req *r, int status, const struct order_problem *problem,
			   const struct checkout_form *f)
{
	json_t *q = NULL, *page = NULL, *problems, *p;
	const char *site = json_string_value(json_object_get(r->user->profile, "site"));
	const char *delivery;
	char key[33];
	json_int_t ov_approval, ov_payroll, ov_denied;
	size_t i, blocking = 0;
	int rc;

	rc = order_quote(r->db, r->user->employee, NULL, 0, r->app->cfg.uncovered_overage,
			 r->app->cfg.currency, req_policies(r), req_i18n(r), lv_now(), &q);
	if (rc != LV_OK)
		return reply_err_code(r, rc);
	if (json_array_size(json_object_get(q, "lines")) == 0 && problem == NULL) {
		json_decref(q);
		return reply_redirect(r, 303, "/cart");
	}
	ov_approval = json_integer_value(json_object_get(q, "overage_approval"));
	ov_payroll = json_integer_value(json_object_get(q, "overage_payroll"));
	ov_denied = json_integer_value(json_object_get(q, "overage_denied"));
	idem_key_new(key);
	delivery = f && f->delivery ? f->delivery : (site && *site ? "site" : "home");
	problems = json_array();
	if (problem && problem->code[0])
		json_array_append_new(problems, json_pack("{s:s,s:s}", "message",
			problem_sentence(r, problem->code, problem->message), "sku", problem->sku));
	json_array_foreach(json_object_get(q, "problems"), i, p) {
		if (problem && strcmp(req_jstr(p, "code"), problem->code) == 0 &&
		    strcmp(req_jstr(p, "sku"), problem->sku) == 0) {
			blocking++; /* already said, and still in the way */
			continue;
		}
		if (strcmp(req_jstr(p, "code"), "overage_denied") == 0 && ov_denied > 0)
			continue; /* said next to the button */
		if (strcmp(req_jstr(p, "code"), "payroll_consent_required") == 0)
			continue; /* the consent box is the answer */
		blocking++;
		json_array_append_new(problems, json_pack("{s:s,s:s}", "message",
			problem_sentence(r, req_jstr(p, "code"), req_jstr(p, "message")), "sku", req_jstr(p, "sku")));
	}
	page = json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:b,s:o,s:o,s:o,s:o,s:s,s:O?,s:b,s:o,s:b}",
		"lines", checkout_lines(r, json_object_get(q, "lines")),
		"total", req_money(r, json_integer_value(json_object_get(q, "total"))),
		"covered", req_money(r, json_integer_value(json_object_get(q, "covered"))),
		"overage", req_money(r, json_integer_value(json_object_get(q, "overage"))),
		"balances", checkout_balances(r, json_object_get(q, "balances")),
		"needs_approval", ov_approval > 0,
		"needs_payroll", ov_payroll > 0,
		"denied", ov_denied > 0,
		"overage_approval", req_money(r, ov_approval),
		"overage_payroll", req_money(r, ov_payroll),
		"overage_denied", req_money(r, ov_denied),
		"problems", problems,
		"idem_key", key,
		"cart_digest", json_object_get(q, "cart_digest"),
		/* the payroll consent is given in this very form */
		"can_checkout", json_is_true(json_object_get(q, "can_checkout")) ||
				(blocking == 0 && ov_denied == 0 &&
				 json_array_size(json_object_get(q, "lines")) > 0),
		"has_overage", json_integer_value(json_object_get(q, "overage")) > 0 ? json_true() : json_false(),
		"has_problems", json_array_size(problems) > 0);
	if (page == NULL) {
		rc = reply_err_code(r, LV_EINTERNAL);
		goto out;
	}
	json_object_set_new(page, "delivery", json_pack("{s:s?,s:b,s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:b}",
		"site", site && *site ? site : NULL,
		"to_site", strcmp(delivery, "site") == 0 && site && *site,
		"to_home", strcmp(delivery, "site") != 0 || site == NULL || *site == '\0',
		"name", f && f->name ? f->name : req_jstr(r->user->profile, "name"),
		"line1", f && f->line1 ? f->line1 : "",
		"line2", f && f->line2 ? f->line2 : "",
		"postcode", f && f->postcode ? f->postcode : "",
		"city", f && f->city ? f->city : "",
		"country", f && f->country ? f->country : "",
		"payroll_consent", f ? f->payroll_consent : 0));
	rc = reply_page(r, status, "checkout", req_tr(r, "Review your order"), page);
	page = NULL;
out:
	json_decref(page);
	json_decref(q);
	return rc;
}

int page_checkout_get(struct req *r)
{
	return checkout_render(r, 200, NULL, NULL);
}

/* The home address of the form as the checkout takes it, or NULL. */
static json_t *checkout_address(const struct checkout_form *f)
{
	char country[3] = "";
	size_t i;

	if (f->delivery == NULL || strcmp(f->delivery, "home") != 0)
		return NULL;
	for (i = 0; f->country && f->country[i] && i < 2; i++)
		country[i] = (f->country[i] >= 'a' && f->country[i] <= 'z') ?
			     (char)(f->country[i] - 'a' + 'A') : f->country[i];
	country[i] = '\0';
	if (f->country && strlen(f->country) != 2)
		country[0] = '\0'; /* refused as bad_address by the checkout */
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "name", f->name ? f->name : "",
			 "line1", f->line1 ? f->line1 : "", "line2", f->line2 ? f->line2 : "",
			 "postcode", f->postcode ? f->postcode : "", "city", f->city ? f->city : "",
			 "country", country);
}

int page_checkout_post(struct req *r)
{
	struct checkout_form f;
	struct order_checkout_req creq;
	struct order_result res;
	json_t *address = NULL, *content = NULL;
	const char *key, *digest;
	char fp[65];
	int rc, tries;

	memset(&res, 0, sizeof(res));
	rc = req_form_need(r);
	if (rc != LV_OK)
		return LV_OK;
	checkout_form_read(r, &f);
	key = req_form(r, "idem_key");
	digest = req_form(r, "cart_digest");
	if (key == NULL || order_idem_key_valid(key) != LV_OK || digest == NULL) {
		rc = reply_error(r, 400, "bad_form",
				 "The checkout form is incomplete. Open the checkout again and confirm.", NULL);
		goto out;
	}
	address = checkout_address(&f);
	content = json_pack("{s:s,s:s?,s:O?,s:b,s:s}", "channel", "form",
			    "delivery", f.delivery, "address", address,
			    "payroll_consent", f.payroll_consent, "cart_digest", digest);
	if (content == NULL || order_fingerprint(content, fp) != LV_OK) {
		rc = reply_err_code(r, LV_EINTERNAL);
		goto out;
	}
	memset(&creq, 0, sizeof(creq));
	creq.employee = r->user->employee;
	creq.cart_digest = digest;
	creq.delivery = f.delivery ? f.delivery : "";
	creq.address = address;
	creq.payroll_consent = f.payroll_consent;
	creq.idem_key = key;
	creq.fingerprint = fp;
	creq.form = 1;
	creq.uncovered_overage = r->app->cfg.uncovered_overage;
	creq.policies = req_policies(r);
	creq.i18n = req_i18n(r);
	creq.currency = r->app->cfg.currency;
	req_actor(r, &creq.actor);
	/* A double click: the second request may arrive while the first
	 * still holds its key; wait for the first's answer and give the same. */
	for (tries = 0;; tries++) {
		struct timespec ts = { 0, CHECKOUT_IN_USE_WAIT_NS };

		creq.at = lv_now();
		rc = order_checkout(r->db, &creq, &res);
		if (rc != LV_OK || res.status < 400 || tries >= CHECKOUT_IN_USE_TRIES ||
		    strcmp(res.problem.code, "idempotency_key_in_use") != 0)
			break;
		order_result_cleanup(&res);
		memset(&res, 0, sizeof(res));
		nanosleep(&ts, NULL);
	}
	metrics_checkout_count(r->app->metrics, rc, res.status, res.replayed);
	if (rc == LV_ECONFLICT) {
		rc = reply_error(r, 503, "busy", "The store is busy, try again.", NULL);
		goto out;
	}
	if (rc != LV_OK) {
		rc = reply_err_code(r, rc);
		goto out;
	}
	if (res.status < 400 && res.body && lv_path_is_local(res.body)) {
		rc = reply_redirect(r, 303, res.body);
		goto out;
	}
	if (res.status < 400) {
		char url[64];

		lv_snprintf(url, sizeof(url), "/orders/%s", res.ref);
		rc = reply_redirect(r, 303, url);
		goto out;
	}
	rc = checkout_render(r, res.status, &res.problem, &f);
out:
	order_result_cleanup(&res);
	json_decref(content);
	json_decref(address);
	return rc;
}
