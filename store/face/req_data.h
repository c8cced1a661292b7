/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * req_data.h - turning domain values into what a page or an answer shows,
 * for the request's language and store: money and allowance amounts
 * formatted, dates in words, the acting employee for the audit log. Used
 * by every handler file of the face (pages, cart and order pages, API).
 */
#ifndef LV_REQ_DATA_H
#define LV_REQ_DATA_H

#include <jansson.h>
#include <stdint.h>

#include "audit.h"
#include "http.h"
#include "order.h"

/* minor units of the store currency for r's language ("€24.90", "24,90 €"): a new JSON string. */
json_t *req_money(const struct req *r, json_int_t minor);

/*
 * An allowance amount as the theme's amount partial shows it, a new
 * object {money, is_points, points}: amount is in the programme's unit
 * ("money" or "points"), value its worth in minor units (the same number
 * for money).
 */
json_t *req_amount(const struct req *r, const char *unit, json_int_t amount, json_int_t value);

/*
 * A time as the employee reads it, in the store's local time zone: "3
 * March 2026", with ", 14:05" after it when with_time. A new JSON string
 * ("" for 0).
 */
json_t *req_date(const struct req *r, int64_t at, int with_time);

/* The signed-in employee as the actor of a change (borrows from r). */
void req_actor(const struct req *r, struct audit_actor *out);

/*
 * Applies the request's catalog policies to a product as catalog_product_get
 * returns it (p, modified in place): variants the employee may not order
 * are removed, the others get their price for this employee (a special
 * price replaces the list price) and "company_percent", and the size,
 * colour, fit and logo lists keep only values of the remaining variants.
 * OUT: *note, a new JSON string with the first dress-code or eligibility
 * sentence that removed a variant, else (some variant is left) the
 * product's dress code when a rule applies (policy_view_dress_code), or
 * NULL. Returns the number of
 * variants left (0: nothing here may be ordered by this employee).
 */
size_t req_product_policies(const struct req *r, json_t *p, json_t **note);

/*
 * May the signed-in employee put sku in their cart (visible, eligible,
 * approved by the dress code)? Returns LV_OK; LV_ENOTFOUND (no such SKU, or
 * one they may not see); LV_EFORBIDDEN with msg saying why in plain words.
 */
int req_sku_allowed(const struct req *r, const char *sku, char *msg, size_t msglen);

/*
 * req_sku_allowed for every line (a quick order): LV_OK, or the first
 * refusal with msg "line N: why" (LV_ENOTFOUND says "unknown SKU X").
 */
int req_lines_allowed(const struct req *r, const struct order_line_req *lines, size_t n,
		      char *msg, size_t msglen);

/* The signed-in employee's policy view for the domain (NULL: none). */
const struct policy_view *req_policies(const struct req *r);

/* A string member of o, or "" (never NULL). */
const char *req_jstr(const json_t *o, const char *key);

#endif
