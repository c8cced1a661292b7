/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * api_money.c - the money JSON API of an employee: the cart
 * (/api/v1/cart), the quote and the checkout (/api/v1/checkout), their
 * own orders (/api/v1/orders), their allowance balances
 * (/api/v1/me/allowances) and the approval queue (/api/v1/approvals).
 *
 * Every JSON body goes through one reader (api_body_json: bounded, must be
 * application/json, duplicate keys refused, a malformed body named by its
 * position) and is then validated strictly, field by field, before the
 * domain sees it: an unknown key, a wrong type or a value out of range is
 * a 400 whose message names the field ("lines[3].quantity: must be a whole
 * number from 1 to 99"), and nothing is stored. One parser reads every
 * {"lines": [...]} array (checkout, quote, cart, cancellation, returns).
 * Messages here are English: the API is for programs (the pages
 * translate). Money is integers in minor units; nothing is formatted.
 *
 * The helpers declared in api_shared.h are also used by the admin API
 * (api_admin.c). The OpenAPI description is docs/openapi.yaml.
 */
#include <civetweb.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "allowance.h"
#include "api_shared.h"
#include "req_data.h"
#include "cart.h"
#include "employee.h"
#include "handlers.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"
#include "metrics.h"
#include "order.h"

#define API_SKU_MAX 64
#define API_REASON_MAX 500
#define API_PRICE_MAX 999999999999LL
#define API_LIST_DEFAULT 50
#define API_LIST_MAX 500

/* The shapes of a "lines" array. */
enum api_lines_kind {
	API_LINES_CART,     /* [{sku, quantity}] */
	API_LINES_CHECKOUT, /* [{sku, quantity, unit_price?}] */
	API_LINES_NUMBERED  /* [{line, quantity}]: lines of an order */
};

/* A parsed "lines" array; cleaned with api_lines_cleanup. */
struct api_lines {
	struct order_line_req *req; /* CART, CHECKOUT */
	struct order_line_qty *qty; /* NUMBERED */
	size_t n;
};

/* The body of a checkout or a quote, borrowing from the parsed JSON. */
struct api_checkout_body {
	struct api_lines lines;   /* n == 0: the cart */
	const char *cart_digest;  /* or NULL */
	const char *delivery;     /* "site", "home", or NULL (quote) */
	const json_t *address;    /* home delivery only */
	int payroll_consent;
};

/* ------------------------------------------------------------ helpers */

#define API_MSG_MAX 1024

/* reply_json_error with a message formatted from fmt and ap. */
static void api_error_vreply(struct req *r, int status, const char *code, const char *fmt,
			     va_list ap) __attribute__((format(printf, 4, 0)));

static void api_error_vreply(struct req *r, int status, const char *code, const char *fmt,
			     va_list ap)
{
	struct lv_buf msg;

	lv_buf_init(&msg, API_MSG_MAX);
	if (lv_buf_vprintf(&msg, fmt, ap) != LV_OK)
		lv_buf_append_str(&msg, "the request is not valid");
	reply_json_error(r, status, code, lv_buf_str(&msg));
	lv_buf_cleanup(&msg);
}

int api_field_error(struct req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	api_error_vreply(r, 400, "invalid_field", fmt, ap);
	va_end(ap);
	return LV_EINVAL;
}

/* An error answer (status, code, formatted message). Returns rc_out. */
static int api_fail(struct req *r, int status, const char *code, int rc_out,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int api_fail(struct req *r, int status, const char *code, int rc_out,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	api_error_vreply(r, status, code, fmt, ap);
	va_end(ap);
	return rc_out;
}

/* Is ct application/json (any case, parameters allowed)? */
static int api_type_is_json(const char *ct)
{
	size_t n = sizeof("application/json") - 1;

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

int api_body_json(struct req *r, int optional, json_t **out)
{
	json_error_t jerr;
	json_t *v = NULL;
	int rc;

	*out = NULL;
	rc = req_body_read(r);
	if (rc == LV_ETOOBIG) {
		rc = api_fail(r, 413, "too_large", rc, "the body is larger than %lld bytes",
			      (long long)r->app->cfg.max_body_bytes);
		goto out;
	}
	if (rc != LV_OK) {
		rc = api_fail(r, 400, "bad_body", rc, "the body could not be read");
		goto out;
	}
	if (r->body.len == 0 && optional) {
		*out = json_object();
		goto out;
	}
	if (!api_type_is_json(req_header(r, "Content-Type"))) {
		rc = api_fail(r, 415, "unsupported_media_type", LV_EINVAL,
			      "send the body as JSON (Content-Type: application/json)");
		goto out;
	}
	v = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES,
		       &jerr);
	if (v == NULL) {
		rc = api_fail(r, 400, "bad_json", LV_EINVAL,
			      "the body is not valid JSON: %s (line %d, column %d, byte %d)",
			      jerr.text, jerr.line, jerr.column, jerr.position);
		goto out;
	}
	if (!json_is_object(v)) {
		rc = api_fail(r, 400, "bad_json", LV_EINVAL, "the body must be a JSON object");
		goto out;
	}
	*out = v;
	v = NULL;
out:
	json_decref(v);
	return rc;
}

/* "where.key", or "key" at the top. */
static const char *api_path(char *buf, size_t len, const char *where, const char *key)
{
	if (where[0])
		lv_snprintf(buf, len, "%s.%s", where, key);
	else
		lv_strlcpy(buf, key, len);
	return buf;
}

int api_keys_check(struct req *r, json_t *obj, const char *where,
		   const char *const *allowed)
{
	struct lv_buf list;
	const char *key;
	json_t *v;
	char path[128];
	size_t i;
	int rc = LV_OK;

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i]; i++) {
			if (strcmp(key, allowed[i]) == 0)
				break;
		}
		if (allowed[i])
			continue;
		lv_buf_init(&list, 256);
		for (i = 0; allowed[i]; i++)
			lv_buf_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
		rc = api_field_error(r, "%s: unknown field (expected %s)",
				     api_path(path, sizeof(path), where, key), lv_buf_str(&list));
		lv_buf_cleanup(&list);
		break;
	}
	return rc;
}

/*
 * obj[key] as a whole number in [min, max]. OUT: *out (untouched when
 * absent), *present. Absent and required, or of another type: a 400.
 */
static int api_int_get(struct req *r, json_t *obj, const char *where, const char *key,
		       int64_t min, int64_t max, int required, int64_t *out, int *present)
{
	json_t *v = json_object_get(obj, key);
	char path[128];

	if (present)
		*present = v != NULL;
	if (v == NULL && !required)
		return LV_OK;
	api_path(path, sizeof(path), where, key);
	if (v == NULL)
		return api_field_error(r, "%s: is required", path);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return api_field_error(r, "%s: must be a whole number from %lld to %lld", path,
				       (long long)min, (long long)max);
	*out = json_integer_value(v);
	return LV_OK;
}

/*
 * obj[key] as a string of 1..maxlen bytes (not only blanks when nonblank).
 * OUT: *out (borrowed from obj; NULL when absent and optional).
 */
static int api_str_get(struct req *r, json_t *obj, const char *where, const char *key,
		       size_t maxlen, int required, int nonblank, const char **out)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	char path[128];
	size_t n;

	*out = NULL;
	if (v == NULL && !required)
		return LV_OK;
	api_path(path, sizeof(path), where, key);
	if (v == NULL)
		return api_field_error(r, "%s: is required", path);
	s = json_string_value(v);
	n = s ? json_string_length(v) : 0;
	if (s == NULL || n == 0 || n > maxlen || strlen(s) != n)
		return api_field_error(r, "%s: must be a string of 1 to %zu bytes", path, maxlen);
	if (nonblank && strspn(s, " \t\r\n") == n)
		return api_field_error(r, "%s: must not be blank", path);
	*out = s;
	return LV_OK;
}

static void api_lines_cleanup(struct api_lines *l)
{
	lv_free(l->req);
	lv_free(l->qty);
	memset(l, 0, sizeof(*l));
}

/*
 * The one parser of "lines" arrays (see enum api_lines_kind): 1 to
 * ORDER_MAX_LINES objects, no unknown keys, quantities 1..99. OUT: *out
 * (cleaned with api_lines_cleanup, also on failure). On failure the 400
 * is set and LV_EINVAL returned.
 */
static int api_lines_parse(struct req *r, json_t *arr, enum api_lines_kind kind,
			   struct api_lines *out)
{
	static const char *const keys_cart[] = { "sku", "quantity", NULL };
	static const char *const keys_checkout[] = { "sku", "quantity", "unit_price", NULL };
	static const char *const keys_numbered[] = { "line", "quantity", NULL };
	const char *const *keys = kind == API_LINES_CART ? keys_cart :
				  kind == API_LINES_CHECKOUT ? keys_checkout : keys_numbered;
	json_t *v;
	size_t i, n;
	int rc = LV_OK;

	memset(out, 0, sizeof(*out));
	n = json_array_size(arr);
	if (!json_is_array(arr) || n == 0 || n > ORDER_MAX_LINES) {
		rc = api_field_error(r, "lines: must be an array of 1 to %d lines", ORDER_MAX_LINES);
		goto out;
	}
	if (kind == API_LINES_NUMBERED)
		out->qty = lv_calloc(n, sizeof(*out->qty));
	else
		out->req = lv_calloc(n, sizeof(*out->req));
	json_array_foreach(arr, i, v) {
		char where[32];
		int64_t q = 0;

		lv_snprintf(where, sizeof(where), "lines[%zu]", i);
		if (!json_is_object(v)) {
			rc = api_field_error(r, "%s: must be an object", where);
			goto out;
		}
		rc = api_keys_check(r, v, where, keys);
		if (rc != LV_OK)
			goto out;
		if (kind == API_LINES_NUMBERED) {
			rc = api_int_get(r, v, where, "line", 1, 100000, 1, &out->qty[i].line_no, NULL);
			if (rc == LV_OK)
				rc = api_int_get(r, v, where, "quantity", 1, ORDER_MAX_QUANTITY, 1, &q,
						 NULL);
			out->qty[i].quantity = q;
		} else {
			struct order_line_req *l = &out->req[i];
			const char *sku = NULL;

			rc = api_str_get(r, v, where, "sku", API_SKU_MAX, 1, 1, &sku);
			if (rc == LV_OK)
				rc = api_int_get(r, v, where, "quantity", 1, ORDER_MAX_QUANTITY, 1, &q,
						 NULL);
			l->expect_price = -1;
			if (rc == LV_OK && kind == API_LINES_CHECKOUT)
				rc = api_int_get(r, v, where, "unit_price", 0, API_PRICE_MAX, 0,
						 &l->expect_price, NULL);
			if (rc == LV_OK)
				lv_strlcpy(l->sku, sku, sizeof(l->sku));
			l->quantity = q;
		}
		if (rc != LV_OK)
			goto out;
	}
	out->n = n;
out:
	if (rc != LV_OK)
		api_lines_cleanup(out);
	return rc;
}

int api_order_reply(struct req *r, const char *ref, int64_t employee, int status)
{
	json_t *o = NULL;
	int rc = order_get(r->db, ref, employee, &o);

	if (rc == LV_ENOTFOUND)
		return api_fail(r, 404, "order_not_found", rc, "there is no order %s", ref);
	if (rc != LV_OK)
		return rc;
	return reply_json(r, status, o);
}

/* ?name= as a whole number in [min, max] (def when absent), or a 400. */
static int api_query_int(struct req *r, const char *name, int64_t min, int64_t max,
			 int64_t def, int64_t *out)
{
	const char *v = req_query(r, name);

	*out = def;
	if (v == NULL || lv_parse_i64(v, min, max, out) == LV_OK)
		return LV_OK;
	return api_fail(r, 400, "bad_parameter", LV_EINVAL,
			"%s: must be a whole number from %lld to %lld", name, (long long)min,
			(long long)max);
}

int api_orders_list_reply(struct req *r, int64_t employee)
{
	const char *status = req_query(r, "status");
	const char *before = req_query(r, "before");
	json_t *list = NULL, *last;
	int64_t limit, before_id = 0;
	size_t n;
	int rc;

	rc = api_query_int(r, "limit", 1, API_LIST_MAX, API_LIST_DEFAULT, &limit);
	if (rc != LV_OK)
		goto out;
	/* ?before= is the ref of the last order of the previous page (its
	 * next_before), or an order id */
	if (before && *before && lv_parse_i64(before, 1, INT64_MAX, &before_id) != LV_OK) {
		rc = lv_db_lookup_id(r->db, "SELECT id FROM orders WHERE ref = ?1", before,
				     &before_id);
		if (rc == LV_ENOTFOUND)
			rc = api_fail(r, 400, "bad_parameter", LV_EINVAL,
				      "before: must be an order reference (next_before)");
		if (rc != LV_OK)
			goto out;
	}
	rc = order_list(r->db, employee, status && *status ? status : NULL, before_id, (int)limit,
			&list);
	if (rc == LV_EINVAL) {
		rc = api_fail(r, 400, "bad_parameter", rc,
			      "status: must be one of pending_approval, placed, picking, shipped, "
			      "delivered, cancelled, returned, refused");
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	n = json_array_size(list);
	last = n == (size_t)limit ? json_array_get(list, n - 1) : NULL;
	rc = reply_json(r, 200, json_pack("{s:O,s:s,s:O}", "orders", list,
					  "currency", r->app->cfg.currency, "next_before",
					  last && json_object_get(last, "ref") ?
					  json_object_get(last, "ref") : json_null()));
out:
	json_decref(list);
	return rc;
}

int api_order_release_reply(struct req *r, int64_t employee, int is_return)
{
	static const char *const keys[] = { "lines", "reason", NULL };
	const char *ref = r->params[0], *reason = NULL;
	struct api_lines lines = { 0 };
	struct audit_actor actor;
	json_t *body = NULL, *arr;
	char msg[256] = "";
	int rc;

	rc = api_body_json(r, 1, &body);
	if (rc == LV_OK)
		rc = api_keys_check(r, body, "", keys);
	if (rc == LV_OK)
		rc = api_str_get(r, body, "", "reason", API_REASON_MAX, 0, 1, &reason);
	arr = body ? json_object_get(body, "lines") : NULL;
	if (rc == LV_OK && arr)
		rc = api_lines_parse(r, arr, API_LINES_NUMBERED, &lines);
	if (rc != LV_OK)
		goto out;
	req_actor(r, &actor);
	rc = order_release(r->db, ref, employee, is_return, lines.qty, lines.n, reason, &actor,
			   lv_now(), msg, sizeof(msg));
	switch (rc) {
	case LV_OK:
		rc = api_order_reply(r, ref, employee, 200);
		break;
	case LV_EINVAL:
		reply_json_error(r, 400, "invalid_field",
				 msg[0] ? msg : "the lines or the reason are not valid");
		break;
	case LV_ENOTFOUND:
		rc = api_fail(r, 404, "order_not_found", rc, "there is no order %s", ref);
		break;
	case LV_ECONFLICT:
		reply_json_error(r, 409, "status_conflict",
				 msg[0] ? msg : "the order's status does not allow this");
		break;
	default:
		break;
	}
out:
	api_lines_cleanup(&lines);
	json_decref(body);
	return rc;
}

/* --------------------------------------------------------------- cart */

/* The employee's cart with the store currency, answered with status. */
static int api_cart_reply(struct req *r, int status)
{
	json_t *cart = NULL;
	int rc = cart_get(r->db, r->user->employee, &cart);

	if (rc != LV_OK)
		return rc;
	json_object_set_new(cart, "currency", json_string(r->app->cfg.currency));
	return reply_json(r, status, cart);
}

/* A cart change refused by cart.c: 422 (404 for the SKU of the URL). */
static int api_cart_refused(struct req *r, int rc, const char *msg, int notfound_status)
{
	if (rc == LV_EINVAL)
		reply_json_error(r, 422, "cart_refused", msg[0] ? msg : "the cart cannot take this");
	else if (rc == LV_ENOTFOUND)
		reply_json_error(r, notfound_status, "unknown_sku",
				 msg[0] ? msg : "no such SKU in the store");
	else if (rc == LV_EFORBIDDEN) /* catalog policies: msg says which rule */
		reply_json_error(r, 403, "policy_refused",
				 msg[0] ? msg : "your catalog rules do not allow this item");
	return rc;
}

int api_cart_get(struct req *r)
{
	return api_cart_reply(r, 200);
}

int api_cart_delete(struct req *r)
{
	int rc = cart_clear(r->db, r->user->employee);

	if (rc != LV_OK)
		return rc;
	return api_cart_reply(r, 200);
}

/* The body of POST /api/v1/cart/lines: one of three shapes. */
int api_cart_lines_post(struct req *r)
{
	static const char *const keys[] = { "sku", "quantity", "lines", "text", NULL };
	struct api_lines lines = { 0 };
	struct order_line_req *quick = NULL;
	json_t *body = NULL, *text;
	const char *sku = NULL;
	char msg[256] = "";
	int64_t qty = 0;
	size_t n = 0;
	int rc, shapes;

	rc = api_body_json(r, 0, &body);
	if (rc == LV_OK)
		rc = api_keys_check(r, body, "", keys);
	if (rc != LV_OK)
		goto out;
	text = json_object_get(body, "text");
	shapes = (json_object_get(body, "sku") || json_object_get(body, "quantity")) +
		 (json_object_get(body, "lines") != NULL) + (text != NULL);
	if (shapes != 1) {
		rc = api_field_error(r, "give either sku and quantity, or lines, or text");
		goto out;
	}
	if (json_object_get(body, "lines")) {
		rc = api_lines_parse(r, json_object_get(body, "lines"), API_LINES_CART, &lines);
		if (rc == LV_OK)
			rc = req_lines_allowed(r, lines.req, lines.n, msg, sizeof(msg));
		if (rc == LV_OK)
			rc = cart_add_many(r->db, r->user->employee, lines.req, lines.n, msg,
					   sizeof(msg));
	} else if (text) {
		if (!json_is_string(text) || json_string_length(text) == 0) {
			rc = api_field_error(r, "text: must be a non-empty string");
			goto out;
		}
		quick = lv_calloc(ORDER_MAX_LINES, sizeof(*quick));
		rc = cart_quick_parse(json_string_value(text), json_string_length(text), quick,
				      ORDER_MAX_LINES, &n, msg, sizeof(msg));
		if (rc == LV_OK && n == 0)
			rc = api_field_error(r, "text: holds no SKU");
		else if (rc != LV_OK)
			rc = api_field_error(r, "text: %s", msg[0] ? msg : "cannot be read");
		if (rc == LV_OK)
			rc = req_lines_allowed(r, quick, n, msg, sizeof(msg));
		if (rc == LV_OK)
			rc = cart_add_many(r->db, r->user->employee, quick, n, msg, sizeof(msg));
	} else {
		rc = api_str_get(r, body, "", "sku", API_SKU_MAX, 1, 1, &sku);
		if (rc == LV_OK)
			rc = api_int_get(r, body, "", "quantity", 1, ORDER_MAX_QUANTITY, 1, &qty,
					 NULL);
		if (rc == LV_OK)
			rc = req_sku_allowed(r, sku, msg, sizeof(msg));
		if (rc == LV_ENOTFOUND)
			lv_snprintf(msg, sizeof(msg), "unknown SKU %s", sku);
		if (rc == LV_OK)
			rc = cart_add(r->db, r->user->employee, sku, qty, msg, sizeof(msg));
	}
	if (rc == LV_OK)
		rc = api_cart_reply(r, 200);
	else if (r->status == 0)
		api_cart_refused(r, rc, msg, 422);
out:
	lv_free(quick);
	api_lines_cleanup(&lines);
	json_decref(body);
	return rc;
}

int api_cart_line_put(struct req *r)
{
	static const char *const keys[] = { "quantity", NULL };
	const char *sku = r->params[0];
	json_t *body = NULL;
	char msg[256] = "";
	int64_t qty = 0;
	int rc;

	if (strlen(sku) > API_SKU_MAX) {
		rc = api_fail(r, 404, "unknown_sku", LV_ENOTFOUND, "there is no such SKU");
		goto out;
	}
	rc = api_body_json(r, 0, &body);
	if (rc == LV_OK)
		rc = api_keys_check(r, body, "", keys);
	if (rc == LV_OK)
		rc = api_int_get(r, body, "", "quantity", 0, ORDER_MAX_QUANTITY, 1, &qty, NULL);
	if (rc != LV_OK)
		goto out;
	rc = qty > 0 ? req_sku_allowed(r, sku, msg, sizeof(msg)) : LV_OK;
	if (rc == LV_OK)
		rc = cart_set(r->db, r->user->employee, sku, qty, msg, sizeof(msg));
	if (rc == LV_OK)
		rc = api_cart_reply(r, 200);
	else
		api_cart_refused(r, rc, msg, 404);
out:
	json_decref(body);
	return rc;
}

int api_cart_line_delete(struct req *r)
{
	int rc = cart_remove(r->db, r->user->employee, r->params[0]);

	if (rc != LV_OK)
		return rc;
	return api_cart_reply(r, 200);
}

/* ----------------------------------------------------------- checkout */

/*
 * delivery: {"method": "site"} or {"method": "home", "address": {name,
 * line1, line2?, postcode, city, country}}. Types and presence are
 * checked here; lengths and the country code by the checkout.
 */
static int api_delivery_parse(struct req *r, json_t *d, struct api_checkout_body *b)
{
	static const char *const keys[] = { "method", "address", NULL };
	static const char *const addr_keys[] = { "name", "line1", "line2", "postcode", "city",
						 "country", NULL };
	static const char *const required[] = { "name", "line1", "postcode", "city", "country" };
	json_t *addr;
	const char *s;
	size_t i;
	int rc;

	if (!json_is_object(d))
		return api_field_error(r, "delivery: must be an object with a method");
	rc = api_keys_check(r, d, "delivery", keys);
	if (rc == LV_OK)
		rc = api_str_get(r, d, "delivery", "method", 16, 1, 1, &b->delivery);
	if (rc != LV_OK)
		return rc;
	addr = json_object_get(d, "address");
	if (strcmp(b->delivery, "site") == 0) {
		if (addr)
			return api_field_error(r, "delivery.address: only for the method \"home\"");
		return LV_OK;
	}
	if (strcmp(b->delivery, "home") != 0)
		return api_field_error(r, "delivery.method: must be \"site\" or \"home\"");
	if (!json_is_object(addr))
		return api_field_error(r, "delivery.address: is required for the method \"home\" "
				       "(an object with name, line1, line2, postcode, city, country)");
	rc = api_keys_check(r, addr, "delivery.address", addr_keys);
	for (i = 0; rc == LV_OK && i < sizeof(required) / sizeof(required[0]); i++)
		rc = api_str_get(r, addr, "delivery.address", required[i], 200, 1, 1, &s);
	if (rc == LV_OK)
		rc = api_str_get(r, addr, "delivery.address", "line2", 200, 0, 0, &s);
	b->address = addr;
	return rc;
}

/*
 * The body shared by the quote and the checkout. need_delivery: the
 * checkout requires delivery (the quote ignores it once valid). OUT: *b
 * (its lines cleaned with api_lines_cleanup, also on failure).
 */
static int api_checkout_body_parse(struct req *r, json_t *body, int need_delivery,
				   struct api_checkout_body *b)
{
	static const char *const keys[] = { "lines", "cart_digest", "delivery",
					    "payroll_consent", NULL };
	json_t *v;
	int rc;

	memset(b, 0, sizeof(*b));
	rc = api_keys_check(r, body, "", keys);
	if (rc != LV_OK)
		return rc;
	v = json_object_get(body, "lines");
	if (v) {
		rc = api_lines_parse(r, v, API_LINES_CHECKOUT, &b->lines);
		if (rc != LV_OK)
			return rc;
	}
	rc = api_str_get(r, body, "", "cart_digest", 64, 0, 1, &b->cart_digest);
	if (rc != LV_OK)
		return rc;
	v = json_object_get(body, "delivery");
	if (v)
		rc = api_delivery_parse(r, v, b);
	else if (need_delivery)
		rc = api_field_error(r, "delivery: is required ({\"method\": \"site\"} or "
				     "{\"method\": \"home\", \"address\": {...}})");
	if (rc != LV_OK)
		return rc;
	v = json_object_get(body, "payroll_consent");
	if (v && !json_is_boolean(v))
		return api_field_error(r, "payroll_consent: must be true or false");
	b->payroll_consent = json_is_true(v);
	return LV_OK;
}

int api_checkout_quote_post(struct req *r)
{
	struct api_checkout_body b = { 0 };
	json_t *body = NULL, *quote = NULL;
	int rc;

	rc = api_body_json(r, 1, &body);
	if (rc == LV_OK)
		rc = api_checkout_body_parse(r, body, 0, &b);
	if (rc != LV_OK)
		goto out;
	rc = order_quote(r->db, r->user->employee, b.lines.req, b.lines.n,
			 r->app->cfg.uncovered_overage, r->app->cfg.currency, req_policies(r),
			 req_i18n(r), lv_now(), &quote);
	if (rc == LV_OK) {
		rc = reply_json(r, 200, quote);
		quote = NULL;
	}
out:
	json_decref(quote);
	api_lines_cleanup(&b.lines);
	json_decref(body);
	return rc;
}

/*
 * The Idempotency-Key header, bare or as a structured-field string
 * ("abc", with \" and \\ escapes). OUT: key. On failure the 400 is set.
 */
static int api_idem_key_get(struct req *r, char *key, size_t keylen)
{
	const char *h = req_header(r, "Idempotency-Key");
	size_t n, i, k = 0;
	int ok = 1;

	if (h == NULL || *h == '\0')
		return api_fail(r, 400, "idempotency_key_missing", LV_EINVAL,
				"send an Idempotency-Key header: 1 to 255 printable ASCII characters "
				"without spaces or quotes (a UUID, say), new for each order");
	n = strlen(h);
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		for (i = 1; ok && i < n - 1; i++) {
			char c = h[i];

			if (c == '\\') {
				c = h[++i];
				ok = i < n - 1 && (c == '"' || c == '\\');
			}
			ok = ok && k + 1 < keylen;
			if (ok)
				key[k++] = c;
		}
		key[k] = '\0';
	} else {
		ok = lv_strlcpy(key, h, keylen) < keylen;
	}
	if (!ok || order_idem_key_valid(key) != LV_OK)
		return api_fail(r, 400, "idempotency_key_invalid", LV_EINVAL,
				"the Idempotency-Key must be 1 to 255 printable ASCII characters "
				"without spaces or quotes, optionally sent as a quoted string");
	return LV_OK;
}

/* A refused checkout: {"error": {code, message, sku?, request_id}}. */
static int api_problem_reply(struct req *r, const struct order_result *res)
{
	const struct order_problem *p = &res->problem;
	json_t *err = json_pack("{s:s,s:s}", "code", p->code[0] ? p->code : "refused",
				"message", p->message[0] ? p->message : "the order was refused");

	if (p->sku[0])
		json_object_set_new(err, "sku", json_string(p->sku));
	json_object_set_new(err, "request_id", json_string(r->rid));
	return reply_json(r, res->status, json_pack("{s:o}", "error", err));
}

int api_checkout_post(struct req *r)
{
	struct api_checkout_body b = { 0 };
	struct order_checkout_req req;
	struct order_result res;
	json_t *body = NULL, *content = NULL;
	char key[256], fp[65], loc[96];
	int rc;

	memset(&res, 0, sizeof(res));
	rc = api_idem_key_get(r, key, sizeof(key));
	if (rc == LV_OK)
		rc = api_body_json(r, 0, &body);
	if (rc == LV_OK)
		rc = api_checkout_body_parse(r, body, 1, &b);
	if (rc != LV_OK)
		goto out;
	content = json_pack("{s:s,s:O}", "channel", "api", "body", body);
	rc = order_fingerprint(content, fp);
	if (rc != LV_OK)
		goto out;
	memset(&req, 0, sizeof(req));
	req.employee = r->user->employee;
	req.lines = b.lines.req;
	req.nlines = b.lines.n;
	req.cart_digest = b.cart_digest;
	req.delivery = b.delivery;
	req.address = b.address;
	req.payroll_consent = b.payroll_consent;
	req.idem_key = key;
	req.fingerprint = fp;
	req.form = 0;
	req.uncovered_overage = r->app->cfg.uncovered_overage;
	req.policies = req_policies(r);
	req.i18n = req_i18n(r);
	req.currency = r->app->cfg.currency;
	req_actor(r, &req.actor);
	req.at = lv_now();
	rc = order_checkout(r->db, &req, &res);
	metrics_checkout_count(r->app->metrics, rc, res.status, res.replayed);
	if (rc == LV_ECONFLICT) {
		reply_header(r, "Retry-After", "1");
		rc = api_fail(r, 503, "busy", rc,
			      "the store is busy; nothing was ordered. Retry with the same "
			      "Idempotency-Key in a moment");
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	if (res.replayed)
		reply_header(r, "Idempotent-Replayed", "true");
	if (res.status >= 400) {
		if (res.status == 503)
			reply_header(r, "Retry-After", "1");
		rc = api_problem_reply(r, &res);
		goto out;
	}
	if (res.ref[0]) {
		lv_snprintf(loc, sizeof(loc), "/api/v1/orders/%s", res.ref);
		reply_header(r, "Location", loc);
	}
	lv_buf_reset(&r->out);
	rc = lv_buf_append_str(&r->out, res.body ? res.body : "");
	r->status = res.status;
	r->content_type = "application/json";
out:
	order_result_cleanup(&res);
	json_decref(content);
	api_lines_cleanup(&b.lines);
	json_decref(body);
	return rc;
}

/* ------------------------------------------------------------- orders */

int api_orders_get(struct req *r)
{
	return api_orders_list_reply(r, r->user->employee);
}

int api_order_get(struct req *r)
{
	return api_order_reply(r, r->params[0], r->user->employee, 200);
}

int api_order_cancel_post(struct req *r)
{
	return api_order_release_reply(r, r->user->employee, 0);
}

int api_order_reorder_post(struct req *r)
{
	json_t *cart = NULL;
	char msg[256] = "";
	int added = 0, skipped = 0, rc;

	rc = cart_reorder(r->db, r->user->employee, r->params[0], &added, &skipped, msg,
			  sizeof(msg));
	if (rc == LV_ENOTFOUND) {
		rc = api_fail(r, 404, "order_not_found", rc, "there is no order %s", r->params[0]);
		goto out;
	}
	if (rc != LV_OK) {
		api_cart_refused(r, rc, msg, 422);
		goto out;
	}
	rc = cart_get(r->db, r->user->employee, &cart);
	if (rc != LV_OK)
		goto out;
	json_object_set_new(cart, "currency", json_string(r->app->cfg.currency));
	rc = reply_json(r, 200, json_pack("{s:i,s:i,s:o}", "added", added, "skipped", skipped,
					  "cart", cart));
	cart = NULL;
out:
	json_decref(cart);
	return rc;
}

/* --------------------------------------------------------- allowances */

int api_me_allowances_get(struct req *r)
{
	json_t *bal = NULL;
	int rc = allowance_balances(r->db, r->user->employee, lv_now(), &bal);

	if (rc != LV_OK)
		return rc;
	return reply_json(r, 200, json_pack("{s:s,s:o}", "currency", r->app->cfg.currency,
					    "allowances", bal));
}

/* ---------------------------------------------------------- approvals */

int api_approvals_get(struct req *r)
{
	json_t *list = NULL;
	int rc = order_approvals_list(r->db, r->user->employee,
				      (r->user->roles & LV_ROLE_APPROVER) != 0, &list);

	if (rc != LV_OK)
		return rc;
	return reply_json(r, 200, json_pack("{s:s,s:o}", "currency", r->app->cfg.currency,
					    "approvals", list));
}

/*
 * Why order_approval_allowed found nothing waiting: an order that the
 * approver could have decided but that is not waiting any more is a 409
 * (someone decided first); their own is a 403; anything else, a 404 that
 * says nothing about other people's orders.
 */
static int api_approval_missing(struct req *r, const char *ref)
{
	json_t *o = NULL, *emp = NULL;
	const char *mine, *manager;
	int64_t owner;
	int rc;

	rc = order_get(r->db, ref, 0, &o);
	if (rc != LV_OK)
		goto notfound;
	owner = json_integer_value(json_object_get(json_object_get(o, "employee"), "id"));
	if (owner == r->user->employee) {
		rc = api_fail(r, 403, "forbidden", LV_EFORBIDDEN,
			      "you cannot decide your own order");
		goto out;
	}
	if ((r->user->roles & LV_ROLE_APPROVER) == 0) {
		mine = json_string_value(json_object_get(r->user->profile, "employee_id"));
		if (employee_get(r->db, owner, &emp) != LV_OK)
			goto notfound;
		manager = json_string_value(json_object_get(emp, "manager_employee_id"));
		if (mine == NULL || manager == NULL || strcmp(mine, manager) != 0)
			goto notfound;
	}
	rc = api_fail(r, 409, "not_pending", LV_ECONFLICT,
		      "order %s is not waiting for approval any more (it is %s)", ref,
		      json_string_value(json_object_get(o, "status")) ?
		      json_string_value(json_object_get(o, "status")) : "decided");
	goto out;
notfound:
	rc = api_fail(r, 404, "order_not_found", LV_ENOTFOUND,
		      "there is no order %s waiting for your approval", ref);
out:
	json_decref(emp);
	json_decref(o);
	return rc;
}

int api_approval_post(struct req *r)
{
	static const char *const keys[] = { "decision", "reason", NULL };
	const char *ref = r->params[0], *decision = NULL, *reason = NULL;
	int is_approver = (r->user->roles & LV_ROLE_APPROVER) != 0;
	struct audit_actor actor;
	json_t *body = NULL, *v;
	char msg[256] = "";
	int rc, approve;

	rc = api_body_json(r, 0, &body);
	if (rc == LV_OK)
		rc = api_keys_check(r, body, "", keys);
	if (rc == LV_OK)
		rc = api_str_get(r, body, "", "decision", 16, 1, 1, &decision);
	if (rc != LV_OK)
		goto out;
	approve = strcmp(decision, "approve") == 0;
	if (!approve && strcmp(decision, "refuse") != 0) {
		rc = api_field_error(r, "decision: must be \"approve\" or \"refuse\"");
		goto out;
	}
	v = json_object_get(body, "reason");
	reason = json_string_value(v);
	if (v && (reason == NULL || json_string_length(v) > API_REASON_MAX ||
		  strlen(reason) != json_string_length(v))) {
		rc = api_field_error(r, "reason: must be a string of at most %d bytes",
				     API_REASON_MAX);
		goto out;
	}
	if (!approve && (reason == NULL || strspn(reason, " \t\r\n") == strlen(reason))) {
		rc = api_fail(r, 400, "reason_required", LV_EINVAL,
			      "reason: a refusal needs a reason, which the employee will read");
		goto out;
	}
	rc = order_approval_allowed(r->db, ref, r->user->employee, is_approver);
	if (rc == LV_EFORBIDDEN) {
		rc = api_fail(r, 403, "forbidden", rc, "you may not decide order %s", ref);
		goto out;
	}
	if (rc == LV_ENOTFOUND) {
		rc = api_approval_missing(r, ref);
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	req_actor(r, &actor);
	rc = order_decide(r->db, ref, approve, reason, &actor, lv_now(), msg, sizeof(msg));
	switch (rc) {
	case LV_OK:
		rc = api_order_reply(r, ref, 0, 200);
		break;
	case LV_EINVAL:
		reply_json_error(r, 400, "reason_required", msg[0] ? msg : "the reason is not valid");
		break;
	case LV_ENOTFOUND:
		rc = api_fail(r, 404, "order_not_found", rc, "there is no order %s", ref);
		break;
	case LV_ECONFLICT:
		rc = api_fail(r, 409, "not_pending", rc,
			      "order %s is not waiting for approval any more", ref);
		break;
	default:
		break;
	}
out:
	json_decref(body);
	return rc;
}
