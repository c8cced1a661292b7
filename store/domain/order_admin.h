/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_admin.h - what the store administrators' work on orders needs
 * beyond order.h: the queue of each state with the count of every state,
 * one order with what the console shows around it (the employee's
 * department and site, who may approve it, the actions its state allows),
 * the pick list of the placed (or picking) orders grouped by site and by
 * SKU, marking the orders of a pick list as picking all at once, and the
 * checks of a shipment's carrier and tracking number field by field.
 *
 * The console's Orders pages (face/console_orders.c) and the admin API
 * call these same functions, so a page and the API cannot disagree. Every
 * list is read with one query whatever its length and is bounded; every
 * change goes through order_flow.c (order_advance, order_release), so it
 * is one transaction with its audit entries.
 */
#ifndef LV_ORDER_ADMIN_H
#define LV_ORDER_ADMIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "lv_db.h"

#define ORDER_ADMIN_PER_PAGE_MAX 100 /* orders on one page of a queue */
#define ORDER_PICK_MAX 200           /* orders on one pick list (and one marking) */
#define ORDER_CARRIER_MAX 64         /* bytes, as the orders table allows */
#define ORDER_TRACKING_MAX 128

/*
 * The order states in the order the console shows them (the order.h
 * states: pending_approval, placed, picking, shipped, delivered,
 * cancelled, returned, refused). OUT: *n. The array is static.
 */
const char *const *order_admin_states(size_t *n);

/*
 * 1 when the queue of status is worked from its head, so shown oldest
 * first (pending_approval, placed, picking: the order in which they are
 * decided and fulfilled); 0 for the others, shown newest first.
 */
int order_admin_oldest_first(const char *status);

/*
 * How many orders are in each state, in one query. OUT: *out, a new JSON
 * object {state: count} with every state of order_admin_states (0 when
 * none). Returns LV_OK or LV_EINTERNAL.
 */
int order_admin_counts(struct lv_db *db, json_t **out);

/*
 * Page page (from 1) of the orders in status, per_page (1..
 * ORDER_ADMIN_PER_PAGE_MAX) a page, oldest or newest first as
 * order_admin_oldest_first says, in one query. OUT: *out, a new JSON array
 * of {ref, status, created_at, updated_at, currency, total, delivery
 * ("site" or "home"), destination (the site's name, or the home address's
 * city), lines (count), items (quantity ordered), left (quantity neither
 * cancelled nor returned), employee {id, employee_id, name, department}}.
 * Returns LV_OK, LV_EINVAL (unknown status, page < 1 or too far, bad
 * per_page) or LV_EINTERNAL.
 */
int order_admin_queue(struct lv_db *db, const char *status, int64_t page, int per_page,
		      json_t **out);

/*
 * One order as the console shows it: order_get's JSON (order.h) with
 * employee extended by {department, site, cost_center, email, manager
 * {employee_id, name}|null} and "actions", the actions its state allows a
 * store administrator, in this order: "pick" (placed), "ship" (picking),
 * "deliver" (shipped), "cancel" (pending_approval, placed, picking),
 * "return" (shipped, delivered). Approving is not among them: only the
 * approver role and the employee's manager decide (order.h). OUT: *out
 * (new reference). Returns LV_OK, LV_ENOTFOUND or LV_EINTERNAL.
 */
int order_admin_get(struct lv_db *db, const char *ref, json_t **out);

/*
 * The pick list of the orders in status ("placed", or "picking" to print
 * it again), the oldest ORDER_PICK_MAX of them, in one query: what is
 * left of each of their lines (neither cancelled nor returned), grouped
 * by where it goes and then by SKU. OUT: *out, a new JSON object {status,
 * total_orders (in the state, all of them), orders (on this list),
 * truncated (bool: more orders wait than the list holds), items (total
 * quantity), sites: [{site (the site's name; null for home deliveries),
 * home (bool), items, orders: [{ref, created_at, employee {employee_id,
 * name}, items}], skus: [{sku, product, size, colour, fit, quantity,
 * orders: [{ref, line_no, quantity}]}]}]}: sites sorted by name with home
 * deliveries last, SKUs by SKU, the orders of a site oldest first.
 * Returns LV_OK, LV_EINVAL (status is neither placed nor picking) or
 * LV_EINTERNAL.
 */
int order_admin_pick_list(struct lv_db *db, const char *status, json_t **out);

/* Why a marking was refused: the order concerned and its status now. */
struct order_admin_refusal {
	char ref[33];      /* "" when the refusal is about the request as a whole */
	char status[20];   /* the order's status now; "" when there is no such order */
	char message[256]; /* English, for the API and the logs */
};

/*
 * Marks the orders refs[0..n-1] (1..ORDER_PICK_MAX references, each at
 * most once) as picking, all or none: ONE write transaction in which each
 * goes placed -> picking with its own "order.advance" audit entry
 * (order_advance, joining this transaction). When one of them cannot -
 * there is no such order, or it is not placed any more (cancelled,
 * already picking...) - nothing is changed and why says which and why.
 * Returns LV_OK; LV_EINVAL (no reference, too many, one given twice or
 * malformed: why->message); LV_ENOTFOUND or LV_ECONFLICT (why->ref,
 * why->status, why->message); LV_ECONFLICT also when the database stayed
 * locked (why->ref empty); LV_EINTERNAL.
 */
int order_admin_mark_picking(struct lv_db *db, const char *const *refs, size_t n,
			     const struct audit_actor *actor, int64_t at,
			     struct order_admin_refusal *why);

/*
 * Checks a shipment field by field before order_advance(..., "shipped",
 * ...) is asked: the carrier (1..ORDER_CARRIER_MAX bytes) and the tracking
 * number (1..ORDER_TRACKING_MAX), neither blank nor holding control
 * characters. OUT: *carrier_err and *tracking_err, NULL or an English
 * sentence (a static string, marked for translation) saying what is
 * wrong with that field. Returns LV_OK or LV_EINVAL.
 */
int order_admin_shipment_check(const char *carrier, const char *tracking,
			       const char **carrier_err, const char **tracking_err);

#endif
