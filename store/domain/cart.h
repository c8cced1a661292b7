/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cart.h - the employee's cart, kept in SQLite (table cart_lines): it
 * survives logout and restart. A cart holds variants (by SKU) and
 * quantities only; prices and stock are read live from the catalog, shown
 * to the employee, and re-checked by the checkout (order.h). The cart
 * digest fingerprints what the employee reviewed (SKUs, quantities and
 * current prices) so the checkout can refuse a cart that changed since.
 *
 * Limits: at most ORDER_MAX_LINES lines, ORDER_MAX_QUANTITY of one
 * variant. Every change is all-or-nothing and refused with a sentence
 * (msg) that names the SKU and what is wrong.
 */
#ifndef LV_CART_H
#define LV_CART_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lv_db.h"
#include "order.h"

/*
 * OUT: *out, a new JSON object {lines: [{sku, product, slug, size, colour,
 * fit, logo, category, image (media URL or null), unit_price, quantity,
 * total, stock, available (variant and product active), problem (null, or
 * "out_of_stock" / "unavailable")}], count (items), total, digest} in the
 * order lines were added. Returns LV_OK or LV_EINTERNAL.
 */
int cart_get(struct lv_db *db, int64_t employee, json_t **out);

/*
 * Adds quantity (1..99) of sku to the cart (added to what is already
 * there; the sum must stay <= ORDER_MAX_QUANTITY). Returns LV_OK;
 * LV_EINVAL (bad quantity, too many, cart full; msg); LV_ENOTFOUND
 * (unknown or inactive SKU; msg); LV_ECONFLICT (the database stayed
 * locked past the busy timeout: retry); LV_EINTERNAL.
 */
int cart_add(struct lv_db *db, int64_t employee, const char *sku, int64_t quantity,
	     char *msg, size_t msglen);

/*
 * Sets the quantity of sku (0 removes the line). Same returns as
 * cart_add; setting a SKU that is not in the cart adds it.
 */
int cart_set(struct lv_db *db, int64_t employee, const char *sku, int64_t quantity,
	     char *msg, size_t msglen);

/* Removes sku from the cart (LV_OK even when it was not there). */
int cart_remove(struct lv_db *db, int64_t employee, const char *sku);

/* Empties the cart. Runs inside the caller's transaction when there is one. */
int cart_clear(struct lv_db *db, int64_t employee);

/*
 * Adds every line (quick order) in one transaction: all or nothing; the
 * first bad line is named in msg ("line 3: unknown SKU NW-999"). Returns
 * as cart_add.
 */
int cart_add_many(struct lv_db *db, int64_t employee, const struct order_line_req *lines,
		  size_t n, char *msg, size_t msglen);

/*
 * Parses a quick-order text: one line per SKU, "SKU QUANTITY" separated by
 * spaces, tabs, a comma or a semicolon (a pasted spreadsheet column pair);
 * QUANTITY may be omitted (1); blank lines and lines starting with '#' are
 * skipped; the same SKU twice is summed. Input must be valid UTF-8 and at
 * most 64 KiB. OUT: lines[0..*n) (at most max). Returns LV_OK, or
 * LV_EINVAL with msg naming the line and the problem ("line 2: quantity
 * must be a whole number from 1 to 99").
 */
int cart_quick_parse(const char *text, size_t len, struct order_line_req *lines,
		     size_t max, size_t *n, char *msg, size_t msglen);

/*
 * Puts the lines of the employee's order ref back in the cart (quantities
 * added, capped at ORDER_MAX_QUANTITY), skipping variants that are no
 * longer available. OUT: *added, *skipped (line counts). Returns LV_OK;
 * LV_ENOTFOUND (no such order of theirs); LV_EINVAL (cart full); LV_EINTERNAL.
 */
int cart_reorder(struct lv_db *db, int64_t employee, const char *ref, int *added,
		 int *skipped, char *msg, size_t msglen);

/*
 * The cart as order lines, in the order they were added, for the
 * checkout. OUT: *lines (lv_malloc'd, caller frees with lv_free; NULL when
 * empty) and *n. expect_price is set to -1. Returns LV_OK or LV_EINTERNAL.
 */
int cart_lines_load(struct lv_db *db, int64_t employee, struct order_line_req **lines,
		    size_t *n);

/*
 * The digest of the cart as the employee would review it now: lowercase
 * hex SHA-256 over each line's SKU, quantity and current unit price, in
 * SKU order. An empty cart has a digest too. OUT: hex[65]. Returns LV_OK
 * or LV_EINTERNAL.
 */
int cart_digest(struct lv_db *db, int64_t employee, char hex[65]);

#endif
