/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_admin.c - the store administrators' view of orders (see
 * order_admin.h): the queue of each state and the count of every state,
 * one order with its employee's details and the actions its state allows,
 * the pick list grouped by site and SKU, marking a pick list's orders as
 * picking in one transaction, and the field checks of a shipment.
 *
 * Reads are one statement each, whatever the number of orders: the queue
 * and the pick list read their rows in one query (the pick list's grouping
 * is done here, over rows the query sorts by site and SKU), the counts in
 * one GROUP BY. Changes go through order_flow.c, whose functions join the
 * transaction opened here, so a marking of many orders commits with every
 * order's audit entry, or not at all.
 */
#include "order_admin.h"

#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "order.h"

static const char *const admin_states[] = {
	"pending_approval", "placed", "picking", "shipped",
	"delivered", "cancelled", "returned", "refused",
};
#define ADMIN_STATES (sizeof(admin_states) / sizeof(admin_states[0]))

/* The furthest page a queue may ask for (a bound on OFFSET). */
#define ADMIN_PAGE_MAX 100000

const char *const *order_admin_states(size_t *n)
{
	*n = ADMIN_STATES;
	return admin_states;
}

int order_admin_oldest_first(const char *status)
{
	return status != NULL && (strcmp(status, "pending_approval") == 0 ||
				  strcmp(status, "placed") == 0 || strcmp(status, "picking") == 0);
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

/* ---- counts and queues ---- */

int order_admin_counts(struct lv_db *db, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *counts = json_object();
	const char *st;
	size_t i;
	int rc, src;

	*out = NULL;
	for (i = 0; i < ADMIN_STATES; i++)
		json_object_set_new(counts, admin_states[i], json_integer(0));
	rc = lv_db_stmt(db, "SELECT status, count(*) FROM orders GROUP BY status", &stmt);
	if (rc != LV_OK)
		goto out;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		st = (const char *)sqlite3_column_text(stmt, 0);
		if (st != NULL)
			json_object_set_new(counts, st, col_int(stmt, 1));
	}
	if (src != SQLITE_DONE) {
		lv_error("order.counts", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto out;
	}
	*out = counts;
	counts = NULL;
out:
	lv_db_done(stmt);
	json_decref(counts);
	return rc;
}

#define QUEUE_COLUMNS                                                               \
	"SELECT o.ref, o.status, o.created_at, o.updated_at, o.currency, o.total, "   \
	"o.delivery, CASE WHEN o.delivery = 'site' THEN json_extract(o.ship_to, "      \
	"'$.site') ELSE json_extract(o.ship_to, '$.city') END, e.id, e.employee_id, " \
	"e.name, e.department, (SELECT count(*) FROM order_lines l WHERE "             \
	"l.order_id = o.id), (SELECT coalesce(sum(l.quantity), 0) FROM order_lines l " \
	"WHERE l.order_id = o.id), (SELECT coalesce(sum(l.quantity - "                 \
	"l.cancelled_quantity - l.returned_quantity), 0) FROM order_lines l WHERE "    \
	"l.order_id = o.id) FROM orders o JOIN employees e ON e.id = o.employee "     \
	"WHERE o.status = ?1 "

int order_admin_queue(struct lv_db *db, const char *status, int64_t page, int per_page,
		      json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *list = json_array(), *o;
	int rc, src;

	*out = NULL;
	if (status == NULL || !order_status_known(status) || page < 1 || page > ADMIN_PAGE_MAX ||
	    per_page < 1 || per_page > ORDER_ADMIN_PER_PAGE_MAX) {
		rc = LV_EINVAL;
		goto out;
	}
	/* the index orders_by_status (status, id) serves both directions */
	rc = lv_db_stmt(db, order_admin_oldest_first(status) ?
			QUEUE_COLUMNS "ORDER BY o.id LIMIT ?2 OFFSET ?3" :
			QUEUE_COLUMNS "ORDER BY o.id DESC LIMIT ?2 OFFSET ?3", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, status);
	sqlite3_bind_int(stmt, 2, per_page);
	sqlite3_bind_int64(stmt, 3, (page - 1) * per_page);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o}}",
			      "ref", col_str(stmt, 0), "status", col_str(stmt, 1),
			      "created_at", col_int(stmt, 2), "updated_at", col_int(stmt, 3),
			      "currency", col_str(stmt, 4), "total", col_int(stmt, 5),
			      "delivery", col_str(stmt, 6), "destination", col_str(stmt, 7),
			      "lines", col_int(stmt, 12), "items", col_int(stmt, 13),
			      "left", col_int(stmt, 14),
			      "employee", "id", col_int(stmt, 8), "employee_id", col_str(stmt, 9),
			      "name", col_str(stmt, 10), "department", col_str(stmt, 11));
		if (o == NULL) {
			rc = LV_EINTERNAL;
			goto out;
		}
		json_array_append_new(list, o);
	}
	if (src != SQLITE_DONE) {
		lv_error("order.queue", "status=%s error=\"%s\"", status, sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto out;
	}
	*out = list;
	list = NULL;
out:
	lv_db_done(stmt);
	json_decref(list);
	return rc;
}

/* ---- one order ---- */

/* The actions a store administrator may take on an order in status. New array. */
static json_t *admin_actions(const char *status)
{
	static const struct {
		const char *action;
		const char *states[3];
	} table[] = {
		{ "pick", { "placed" } },
		{ "ship", { "picking" } },
		{ "deliver", { "shipped" } },
		{ "cancel", { "pending_approval", "placed", "picking" } },
		{ "return", { "shipped", "delivered" } },
	};
	json_t *out = json_array();
	size_t i, k;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		for (k = 0; k < 3 && table[i].states[k] != NULL; k++)
			if (strcmp(status, table[i].states[k]) == 0)
				json_array_append_new(out, json_string(table[i].action));
	return out;
}

int order_admin_get(struct lv_db *db, const char *ref, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *o = NULL, *emp, *mgr;
	int rc, own;

	*out = NULL;
	/* one read transaction, so the order and its employee agree */
	own = sqlite3_get_autocommit(db->conn);
	if (own && lv_db_exec(db, "BEGIN") != LV_OK) {
		rc = LV_EINTERNAL;
		goto out;
	}
	rc = order_get(db, ref, 0, &o);
	if (rc != LV_OK)
		goto end;
	rc = lv_db_stmt(db, "SELECT e.department, e.site, e.cost_center, e.email, "
			    "e.manager_employee_id, m.name FROM orders o "
			    "JOIN employees e ON e.id = o.employee "
			    "LEFT JOIN employees m ON m.employee_id = e.manager_employee_id "
			    "WHERE o.ref = ?1", &stmt);
	if (rc != LV_OK)
		goto end;
	lv_db_bind_text(stmt, 1, ref);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = LV_EINTERNAL; /* order_get found it in this same transaction */
		goto end;
	}
	emp = json_object_get(o, "employee");
	json_object_set_new(emp, "department", col_str(stmt, 0));
	json_object_set_new(emp, "site", col_str(stmt, 1));
	json_object_set_new(emp, "cost_center", col_str(stmt, 2));
	json_object_set_new(emp, "email", col_str(stmt, 3));
	mgr = json_null();
	if (sqlite3_column_type(stmt, 4) != SQLITE_NULL)
		mgr = json_pack("{s:o,s:o}", "employee_id", col_str(stmt, 4), "name",
				col_str(stmt, 5));
	json_object_set_new(emp, "manager", mgr);
	json_object_set_new(o, "actions",
			    admin_actions(json_string_value(json_object_get(o, "status"))));
end:
	lv_db_done(stmt);
	if (own)
		lv_db_rollback(db);
	if (rc == LV_OK) {
		*out = o;
		o = NULL;
	}
out:
	json_decref(o);
	return rc;
}

/* ---- the pick list ---- */

/* The site group of the pick list being built, and the SKU within it. */
struct pick_state {
	json_t *sites;
	json_t *site;     /* the current group (borrowed from sites) */
	json_t *site_orders_by_ref; /* ref -> order entry of the current group */
	json_t *sku;      /* the current SKU entry (borrowed) */
	json_t *all_refs; /* ref -> 1, every order on the list */
	int64_t items;
};

/* Opens a new site group for site (NULL: home deliveries). */
static void pick_site_open(struct pick_state *ps, const char *site)
{
	ps->site = json_pack("{s:s?,s:b,s:I,s:[],s:[]}", "site", site, "home", site == NULL,
			     "items", (json_int_t)0, "orders", "skus");
	json_array_append_new(ps->sites, ps->site);
	json_decref(ps->site_orders_by_ref);
	ps->site_orders_by_ref = json_object();
	ps->sku = NULL;
}

/* Adds n to the integer member key of o. */
static void json_add(json_t *o, const char *key, int64_t n)
{
	json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + n));
}

/*
 * One row of the pick list query into the groups: columns 0 ref, 1
 * created_at, 2 site (NULL: home), 3 employee_id, 4 name, 5 sku, 6
 * product, 7 size, 8 colour, 9 fit, 10 quantity left, 11 line_no, 12 is
 * home.
 */
static void pick_row_add(struct pick_state *ps, sqlite3_stmt *stmt)
{
	const char *ref = (const char *)sqlite3_column_text(stmt, 0);
	const char *site = sqlite3_column_int(stmt, 12) ?
		NULL : (const char *)sqlite3_column_text(stmt, 2);
	const char *sku = (const char *)sqlite3_column_text(stmt, 5);
	int64_t qty = sqlite3_column_int64(stmt, 10);
	json_t *cur, *order;

	/* a site delivery whose site has no name is grouped under "" */
	if (sqlite3_column_int(stmt, 12) == 0 && site == NULL)
		site = "";
	cur = ps->site ? json_object_get(ps->site, "site") : NULL;
	if (ps->site == NULL || (site == NULL) != json_is_null(cur) ||
	    (site != NULL && strcmp(site, json_string_value(cur)) != 0))
		pick_site_open(ps, site);
	if (ps->sku == NULL || strcmp(json_string_value(json_object_get(ps->sku, "sku")), sku) != 0) {
		ps->sku = json_pack("{s:s,s:o,s:o,s:o,s:o,s:I,s:[]}", "sku", sku,
				    "product", col_str(stmt, 6), "size", col_str(stmt, 7),
				    "colour", col_str(stmt, 8), "fit", col_str(stmt, 9),
				    "quantity", (json_int_t)0, "orders");
		json_array_append_new(json_object_get(ps->site, "skus"), ps->sku);
	}
	json_add(ps->sku, "quantity", qty);
	json_array_append_new(json_object_get(ps->sku, "orders"),
			      json_pack("{s:s,s:o,s:I}", "ref", ref, "line_no", col_int(stmt, 11),
					"quantity", (json_int_t)qty));
	order = json_object_get(ps->site_orders_by_ref, ref);
	if (order == NULL) {
		order = json_pack("{s:s,s:o,s:{s:o,s:o},s:I}", "ref", ref,
				  "created_at", col_int(stmt, 1), "employee",
				  "employee_id", col_str(stmt, 3), "name", col_str(stmt, 4),
				  "items", (json_int_t)0);
		json_object_set_new(ps->site_orders_by_ref, ref, order);
		json_array_append(json_object_get(ps->site, "orders"), order);
		json_object_set_new(ps->all_refs, ref, json_true());
	}
	json_add(order, "items", qty);
	json_add(ps->site, "items", qty);
	ps->items += qty;
}

/* qsort comparison of two site orders by created_at then ref. */
static int pick_order_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t ta = json_integer_value(json_object_get(x, "created_at"));
	json_int_t tb = json_integer_value(json_object_get(y, "created_at"));

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "ref")),
		      json_string_value(json_object_get(y, "ref")));
}

/* Sorts each site's orders oldest first (the rows come sorted by SKU). */
static void pick_orders_sort(json_t *sites)
{
	json_t *site, *orders, **v;
	size_t i, k, n;

	json_array_foreach(sites, i, site) {
		orders = json_object_get(site, "orders");
		n = json_array_size(orders);
		if (n < 2)
			continue;
		v = lv_malloc(n * sizeof(*v));
		for (k = 0; k < n; k++)
			v[k] = json_incref(json_array_get(orders, k));
		qsort(v, n, sizeof(*v), pick_order_cmp);
		json_array_clear(orders);
		for (k = 0; k < n; k++)
			json_array_append_new(orders, v[k]);
		lv_free(v);
	}
}

int order_admin_pick_list(struct lv_db *db, const char *status, json_t **out)
{
	struct pick_state ps = { NULL, NULL, NULL, NULL, NULL, 0 };
	sqlite3_stmt *stmt = NULL;
	int64_t total = 0;
	int rc, src;

	*out = NULL;
	if (status == NULL || (strcmp(status, "placed") != 0 && strcmp(status, "picking") != 0)) {
		rc = LV_EINVAL;
		goto out;
	}
	/* the oldest ORDER_PICK_MAX orders of the state, every line with
	 * something left, sorted the way the list is grouped */
	rc = lv_db_stmt(db, "SELECT o.ref, o.created_at, json_extract(o.ship_to, '$.site'), "
			    "e.employee_id, e.name, l.sku, l.product_name, l.size, l.colour, "
			    "l.fit, l.quantity - l.cancelled_quantity - l.returned_quantity, "
			    "l.line_no, o.delivery = 'home', "
			    "(SELECT count(*) FROM orders WHERE status = ?1) "
			    "FROM (SELECT id FROM orders WHERE status = ?1 ORDER BY id LIMIT ?2) p "
			    "JOIN orders o ON o.id = p.id JOIN employees e ON e.id = o.employee "
			    "JOIN order_lines l ON l.order_id = o.id "
			    "WHERE l.quantity - l.cancelled_quantity - l.returned_quantity > 0 "
			    "ORDER BY o.delivery = 'home', json_extract(o.ship_to, '$.site'), "
			    "l.sku, o.id, l.line_no", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, status);
	sqlite3_bind_int(stmt, 2, ORDER_PICK_MAX);
	ps.sites = json_array();
	ps.all_refs = json_object();
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		total = sqlite3_column_int64(stmt, 13);
		pick_row_add(&ps, stmt);
	}
	if (src != SQLITE_DONE) {
		lv_error("order.pick_list", "status=%s error=\"%s\"", status,
			 sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto out;
	}
	pick_orders_sort(ps.sites);
	if (json_array_size(ps.sites) == 0) {
		/* no row: the count is still wanted (orders with nothing left are none) */
		lv_db_done(stmt);
		rc = lv_db_stmt(db, "SELECT count(*) FROM orders WHERE status = ?1", &stmt);
		if (rc != LV_OK)
			goto out;
		lv_db_bind_text(stmt, 1, status);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			total = sqlite3_column_int64(stmt, 0);
	}
	*out = json_pack("{s:s,s:I,s:I,s:b,s:I,s:O}", "status", status,
			 "total_orders", (json_int_t)total,
			 "orders", (json_int_t)json_object_size(ps.all_refs),
			 "truncated", total > ORDER_PICK_MAX,
			 "items", (json_int_t)ps.items, "sites", ps.sites);
	if (*out == NULL)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	json_decref(ps.site_orders_by_ref);
	json_decref(ps.all_refs);
	json_decref(ps.sites);
	return rc;
}

/* ---- marking a pick list ---- */

static void why_set(struct order_admin_refusal *why, const char *ref, const char *status,
		    const char *message)
{
	lv_strlcpy(why->ref, ref ? ref : "", sizeof(why->ref));
	lv_strlcpy(why->status, status ? status : "", sizeof(why->status));
	lv_strlcpy(why->message, message ? message : "", sizeof(why->message));
}

/* The status of ref now into status (size len; "" when there is no such order). */
static void admin_status_read(struct lv_db *db, const char *ref, char *status, size_t len)
{
	sqlite3_stmt *stmt = NULL;

	status[0] = '\0';
	if (lv_db_stmt(db, "SELECT status FROM orders WHERE ref = ?1", &stmt) != LV_OK)
		return;
	lv_db_bind_text(stmt, 1, ref);
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL)
		lv_strlcpy(status, (const char *)sqlite3_column_text(stmt, 0), len);
	lv_db_done(stmt);
}

/* Checks the list of refs: count, shape, no duplicate. */
static int admin_refs_check(const char *const *refs, size_t n, struct order_admin_refusal *why)
{
	char text[160];
	size_t i, k;

	if (n == 0 || refs == NULL) {
		why_set(why, NULL, NULL, "No order was given: choose the orders to mark.");
		return LV_EINVAL;
	}
	if (n > ORDER_PICK_MAX) {
		lv_snprintf(text, sizeof(text), "At most %d orders can be marked at once.",
			    ORDER_PICK_MAX);
		why_set(why, NULL, NULL, text);
		return LV_EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (refs[i] == NULL || refs[i][0] == '\0' || strlen(refs[i]) > 32) {
			why_set(why, NULL, NULL, "An order reference is empty or too long.");
			return LV_EINVAL;
		}
		for (k = 0; k < i; k++) {
			if (strcmp(refs[k], refs[i]) == 0) {
				lv_snprintf(text, sizeof(text), "Order %s is given twice.", refs[i]);
				why_set(why, refs[i], NULL, text);
				return LV_EINVAL;
			}
		}
	}
	return LV_OK;
}

int order_admin_mark_picking(struct lv_db *db, const char *const *refs, size_t n,
			     const struct audit_actor *actor, int64_t at,
			     struct order_admin_refusal *why)
{
	char msg[256], status[20], text[256];
	size_t i;
	int rc, own = 0;

	why_set(why, NULL, NULL, NULL);
	rc = admin_refs_check(refs, n, why);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK) {
		if (rc == LV_ECONFLICT)
			why_set(why, NULL, NULL, "The store is busy: nothing was marked. Try again.");
		goto out;
	}
	for (i = 0; i < n && rc == LV_OK; i++) {
		msg[0] = '\0';
		rc = order_advance(db, refs[i], "picking", NULL, NULL, actor, at, msg, sizeof(msg));
		if (rc == LV_ENOTFOUND) {
			lv_snprintf(text, sizeof(text), "There is no order %s: nothing was marked.",
				    refs[i]);
			why_set(why, refs[i], NULL, text);
		} else if (rc == LV_ECONFLICT) {
			admin_status_read(db, refs[i], status, sizeof(status));
			lv_snprintf(text, sizeof(text), "Order %s is %s now, no longer placed: "
				    "nothing was marked.", refs[i], status);
			why_set(why, refs[i], status, text);
		} else if (rc != LV_OK) {
			why_set(why, refs[i], NULL, msg[0] ? msg : "The order could not be marked.");
		}
	}
	rc = lv_db_tx_end(db, own, rc);
	if (rc == LV_ECONFLICT && why->message[0] == '\0')
		why_set(why, NULL, NULL, "The store is busy: nothing was marked. Try again.");
out:
	return rc;
}

/* ---- shipments ---- */

/* NULL when s is a valid value of 1..max bytes, else why not. */
static const char *admin_field_check(const char *s, size_t max, const char *missing,
				     const char *too_long, const char *control)
{
	const unsigned char *p;

	if (s == NULL || s[strspn(s, " \t\r\n")] == '\0')
		return missing;
	if (strlen(s) > max)
		return too_long;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return control;
	return NULL;
}

int order_admin_shipment_check(const char *carrier, const char *tracking,
			       const char **carrier_err, const char **tracking_err)
{
	*carrier_err = admin_field_check(carrier, ORDER_CARRIER_MAX,
		N_("Write the carrier's name: the employee needs it to follow the parcel."),
		N_("The carrier's name is too long: at most 64 characters."),
		N_("The carrier's name must be on one line."));
	*tracking_err = admin_field_check(tracking, ORDER_TRACKING_MAX,
		N_("Write the tracking number the carrier gave."),
		N_("The tracking number is too long: at most 128 characters."),
		N_("The tracking number must be on one line."));
	return *carrier_err == NULL && *tracking_err == NULL ? LV_OK : LV_EINVAL;
}
