/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order.h - checkout and orders: the money path (docs/orders.md).
 *
 * A checkout turns lines (the employee's cart, or lines given by the API)
 * into an order in ONE write transaction (BEGIN IMMEDIATE): it re-checks
 * the employee's status, each variant's price and stock, reserves the
 * stock, splits each line between the employee's allowance programmes
 * (in programme order, see order_split in order_checkout.c), appends the
 * ledger debits, writes the order, its lines and what each programme paid
 * for each line, records the idempotency key with the response, empties
 * the cart when the cart was checked out, and commits. Any refusal rolls
 * everything back, so nothing of a refused checkout is stored.
 *
 * Files: order_checkout.c (quote, checkout, idempotency), order_read.c
 * (an order as JSON, lists, the approval queue), order_flow.c (status
 * transitions, cancellation and returns with their refunds, approval and
 * refusal), order_export.c (payroll and fulfilment CSV).
 *
 * Every function that writes runs in its own transaction and appends an
 * audit_log entry ("order.<action>", entity "order", entity_id the ref)
 * in it.
 */
#ifndef LV_ORDER_H
#define LV_ORDER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "lv_db.h"
#include "lv_buf.h"
#include "policy.h"

#define ORDER_MAX_LINES 100   /* lines in one order (and in one cart) */
#define ORDER_MAX_QUANTITY 99 /* of one variant in one line */

/* What the overage of a line (or an order) becomes. */
enum order_overage {
	ORDER_OVERAGE_NONE,     /* fully covered by allowances */
	ORDER_OVERAGE_DENY,     /* refused: the order cannot be placed */
	ORDER_OVERAGE_APPROVAL, /* the order waits for an approver */
	ORDER_OVERAGE_PAYROLL   /* deducted from pay, with explicit consent */
};

/* "deny", "approval", "payroll" <-> enum; parse returns LV_OK or LV_EINVAL. */
int order_overage_parse(const char *s, enum order_overage *out);
const char *order_overage_name(enum order_overage o);

/* One requested line: a SKU and a quantity (1..ORDER_MAX_QUANTITY). */
struct order_line_req {
	char sku[65];
	int64_t quantity;
	int64_t expect_price; /* the unit price the client showed; -1: not given */
};

/*
 * Why a quote or a checkout was refused: a stable code for programs and a
 * sentence for people (English; the face translates the codes it knows),
 * with the SKU concerned when there is one. Codes: "cart_empty",
 * "too_many_lines", "bad_quantity", "unknown_sku", "unavailable" (variant or
 * product inactive), "out_of_stock", "price_changed", "cart_changed",
 * "not_approved", "not_eligible", "limit_reached" (catalog policies: the
 * message is the rule's sentence; a product they hide is "unknown_sku"),
 * "not_active" (employee on leave or gone), "overage_denied",
 * "payroll_consent_required", "bad_delivery", "bad_address",
 * "idempotency_key_reused", "idempotency_key_in_use", "busy".
 */
struct order_problem {
	char code[32];
	char sku[65];
	char message[256];
};

/* What the checkout is asked to do. Nothing here is owned by the checkout. */
struct order_checkout_req {
	int64_t employee;
	/* the lines to order; NULL/0 = the employee's cart (emptied on success) */
	const struct order_line_req *lines;
	size_t nlines;
	/* the cart digest the employee reviewed (cart checkouts; NULL = none):
	 * refused with "cart_changed" when the cart or a price changed since */
	const char *cart_digest;
	const char *delivery;   /* "site" or "home" */
	const json_t *address;  /* home: {name, line1, line2?, postcode, city,
				 * country (ISO 3166 alpha-2)}; else NULL */
	int payroll_consent;    /* the employee ticked the payroll consent */
	/* idempotency: key (1..255 printable ASCII) and the fingerprint of the
	 * request's content (64 hex: order_fingerprint); both mandatory */
	const char *idem_key;
	const char *fingerprint;
	/* the response to store and replay: a form checkout stores the
	 * redirect (303 + "/orders/<ref>"), the API the order's JSON (201) */
	int form;
	/* the employee's catalog policies (NULL: none; a restricted product
	 * is then refused like an unknown SKU) */
	const struct policy_view *policies;
	/* the employee's language, for refusals' sentences (NULL: English) */
	const struct lv_i18n_catalog *i18n;
	const char *uncovered_overage; /* [store] uncovered_overage */
	const char *currency;          /* [store] currency */
	struct audit_actor actor;
	int64_t at;                    /* the time of the checkout (lv_now()) */
};

/* What the checkout answers. Cleaned with order_result_cleanup. */
struct order_result {
	int status;          /* HTTP status to answer: 201/303, or the refusal's */
	int replayed;        /* 1: this is the stored answer of an earlier request */
	char ref[33];        /* the order's reference, "LV-000042" */
	char *body;          /* owned: the order JSON (API) or the Location (form) */
	struct order_problem problem; /* when status >= 400 */
};

void order_result_cleanup(struct order_result *res);

/*
 * Validates an idempotency key: 1..255 characters, printable ASCII without
 * spaces or quotes. Returns LV_OK or LV_EINVAL.
 */
int order_idem_key_valid(const char *key);

/*
 * The fingerprint of a checkout request's content: the lowercase hex
 * SHA-256 of the canonical JSON of content (not stolen; keys sorted,
 * compact). OUT: hex[65]. Returns LV_OK or LV_EINTERNAL.
 */
int order_fingerprint(const json_t *content, char hex[65]);

/*
 * The quote shown before checkout: the same split the checkout would make
 * now, without writing anything but due allowance grants. lines/nlines as
 * in order_checkout_req (NULL/0 = the cart). OUT: *out, a new JSON object
 * (caller decrefs): {currency, lines: [{line_no, sku, product, slug, size,
 * colour, fit, category, unit_price, quantity, total, covered, overage,
 * overage_rule, payments: [{programme, name, unit, amount, value}],
 * problem: {code, message}|null}], total, covered, overage,
 * overage_approval, overage_payroll, overage_denied, needs_approval,
 * needs_payroll_consent, balances: [{programme, name, unit, points_rate,
 * before, after, next_reset}], problems: [{code, sku, message}],
 * cart_digest, can_checkout}. Returns LV_OK (problems are data, not
 * errors), LV_ENOTFOUND (no such employee) or LV_EINTERNAL.
 */
int order_quote(struct lv_db *db, int64_t employee, const struct order_line_req *lines,
		size_t nlines, const char *uncovered_overage, const char *currency,
		const struct policy_view *policies, const struct lv_i18n_catalog *i18n,
		int64_t at, json_t **out);

/*
 * Places the order (see the header paragraph). Returns LV_OK with
 * res->status 201/303 (placed or pending approval, or replayed); or LV_OK
 * with res->status 4xx and res->problem set when the request was refused
 * (400 bad input, 409 stock/price/cart changed or key in use, 422 key
 * reused with other content or allowance refusal, 403 employee not
 * active); LV_ECONFLICT when the database stayed locked (retry later);
 * LV_EINTERNAL.
 */
int order_checkout(struct lv_db *db, const struct order_checkout_req *req,
		   struct order_result *res);

/*
 * OUT: *out, a new JSON object: the order {ref, status, created_at,
 * updated_at, currency, total, covered, overage, overage_approval,
 * overage_payroll, payroll_consent, delivery, ship_to, carrier, tracking,
 * decision: {by, at, reason}|null, employee: {id, employee_id, name},
 * lines: [{line_no, sku, product, size, colour, fit, category, unit_price,
 * quantity, total, covered, overage_rule, cancelled_quantity,
 * returned_quantity, payments: [{programme, name, unit, amount, value}]}],
 * history: [{at, action, by, from, to, reason}]}. When employee is not 0
 * the order must be theirs (LV_ENOTFOUND otherwise, never "forbidden", so
 * refs cannot be probed). Returns LV_OK, LV_ENOTFOUND or LV_EINTERNAL.
 */
int order_get(struct lv_db *db, const char *ref, int64_t employee, json_t **out);

/*
 * 1 when s (not NULL) names an order state: pending_approval, placed,
 * picking, shipped, delivered, cancelled, returned or refused; else 0.
 */
int order_status_known(const char *s);

/*
 * OUT: *out, a new JSON array of order summaries {ref, status, created_at,
 * total, covered, overage, lines (count), items (quantity)}, newest first.
 * employee: only theirs (0 = everyone); status: only that state (NULL =
 * any); at most limit (1..500) orders before before_id (0 = newest).
 * Returns LV_OK, LV_EINVAL (bad status or limit) or LV_EINTERNAL.
 */
int order_list(struct lv_db *db, int64_t employee, const char *status, int64_t before_id,
	       int limit, json_t **out);

/*
 * The approval queue of approver: orders in pending_approval that they
 * may decide: every one when is_approver (the approver role), else those
 * of employees whose manager_employee_id is the approver's employee_id;
 * never their own, oldest first, read with ONE query for the whole queue.
 * OUT: *out, a new JSON array of summaries as order_list plus employee
 * {id, employee_id, name, department}, overage_approval, currency,
 * order_lines [{line_no, sku, product, size, colour, fit, unit_price,
 * quantity, total, covered, overage_rule, programme (the name of the
 * first programme, in checkout order, that paid part of the line, or
 * null)}], reasons [{programme (name, or null: no allowance paid for
 * it), amount (minor units over), products [names]}] - why it waits, one
 * entry per programme gone over - the same in English as reason ("Over
 * the allowance by 45.00 (Uniform); Not paid by any allowance: 3.50
 * (Lanyard)") and programmes (the names, joined with ", "). Returns LV_OK
 * or LV_EINTERNAL.
 */
int order_approvals_list(struct lv_db *db, int64_t approver, int is_approver,
			 json_t **out);

/*
 * May approver decide order ref (same rules as order_approvals_list)?
 * Returns LV_OK, LV_ENOTFOUND (no such order waiting) or LV_EFORBIDDEN.
 */
int order_approval_allowed(struct lv_db *db, const char *ref, int64_t approver,
			   int is_approver);

/*
 * Approves (pending_approval -> placed) or refuses (-> refused: the
 * allowance debits are refunded, the stock released; reason mandatory,
 * at most 500 bytes) the order. The caller has checked
 * order_approval_allowed. Returns LV_OK; LV_EINVAL (no reason for a
 * refusal; msg says so); LV_ENOTFOUND; LV_ECONFLICT (not waiting for
 * approval any more); LV_EINTERNAL.
 */
int order_decide(struct lv_db *db, const char *ref, int approve, const char *reason,
		 const struct audit_actor *actor, int64_t at, char *msg, size_t msglen);

/*
 * Moves the order forward in fulfilment: placed -> picking -> shipped
 * (carrier and tracking mandatory) -> delivered. to is the new status.
 * Returns LV_OK; LV_EINVAL (unknown status, missing carrier/tracking; msg
 * says which); LV_ENOTFOUND; LV_ECONFLICT (not a transition from the
 * current status: msg names both); LV_EINTERNAL.
 */
int order_advance(struct lv_db *db, const char *ref, const char *to, const char *carrier,
		  const char *tracking, const struct audit_actor *actor, int64_t at,
		  char *msg, size_t msglen);

/* One line (line_no) and how many of it to cancel or return. */
struct order_line_qty {
	int64_t line_no;
	int64_t quantity;
};

/*
 * Cancels (is_return 0: before shipping - pending_approval, placed,
 * picking) or returns (is_return 1: after - shipped, delivered) lines of
 * an order: all of what is left of every line when n is 0, else the given
 * quantities. Each programme's share of the released quantity is refunded
 * to the ledger (to the debit's period while it is current, else to the
 * current one; see allowance_refund), rounding so that the refunds of a
 * line sum exactly to what it paid once all of it is back; the stock is
 * released. The order becomes cancelled / returned when nothing is left.
 * employee: when not 0 the order must be theirs (LV_ENOTFOUND otherwise)
 * and they may only cancel, and only while it is pending_approval or
 * placed. reason: optional for a cancellation, mandatory for a return.
 * Returns LV_OK; LV_EINVAL (bad line or quantity, missing reason; msg);
 * LV_ENOTFOUND; LV_ECONFLICT (the status does not allow it; msg says what
 * to do instead); LV_EINTERNAL.
 */
int order_release(struct lv_db *db, const char *ref, int64_t employee, int is_return,
		  const struct order_line_qty *lines, size_t n, const char *reason,
		  const struct audit_actor *actor, int64_t at, char *msg, size_t msglen);

/*
 * Payroll export: one CSV row per employee with payroll overage on orders
 * created in month period ("YYYY-MM", local time), approved (not
 * pending_approval) and not cancelled or refused, net of returned quantities: employee_id, name, cost_center,
 * amount (decimal, e.g. 45.00), currency, orders (refs separated by
 * spaces). Header row first; RFC 4180 quoting. Appends to out. Returns
 * LV_OK, LV_EINVAL (bad period) or LV_EINTERNAL.
 */
int order_export_payroll(struct lv_db *db, const char *period, const char *currency,
			 struct lv_buf *out);

/*
 * Fulfilment export: one CSV row per order line of orders in status
 * (NULL = placed): ref, created_at (ISO 8601 UTC), employee_id, name,
 * delivery, ship_to (one line), sku, product, size, colour, fit, quantity
 * (net of cancelled and returned). Returns LV_OK, LV_EINVAL (bad status)
 * or LV_EINTERNAL.
 */
int order_export_orders(struct lv_db *db, const char *status, struct lv_buf *out);

#endif
