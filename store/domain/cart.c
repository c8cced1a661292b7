/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * cart.c - the employee's cart in table cart_lines (see cart.h): reading it
 * with live prices and stock, its digest, changes (add, set, remove, clear,
 * a quick order's lines, an earlier order again) and the quick-order text
 * parser.
 *
 * Every change runs in one transaction (the caller's when there is one, so
 * the checkout can empty the cart inside its own) and checks the limits
 * before it writes, so a refused change leaves the cart as it was. The
 * order of the lines is the order they were added: the table has no rowid,
 * so added_at doubles as that order and is made unique within a cart
 * (the time of adding, nudged one second past the newest line when several
 * are added within the same second).
 */
#include "cart.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"

#define CART_QUICK_MAX_BYTES (64 * 1024)

/* Writes the refusal's sentence into msg (which may be NULL). */
static void cart_msg(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cart_msg(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (msg == NULL || msglen == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, msglen, fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
}

/* Logs an unexpected SQLite failure; returns LV_EINTERNAL. */
static int cart_db_error(struct lv_db *db, const char *what)
{
	lv_error("cart", "%s: %s", what, sqlite3_errmsg(db->conn));
	return LV_EINTERNAL;
}

/* ---- the digest ---- */

/* One line as the digest sees it. */
struct cart_digest_line {
	const char *sku;
	int64_t quantity;
	int64_t price;
};

static int cart_digest_line_cmp(const void *a, const void *b)
{
	const struct cart_digest_line *x = a, *y = b;

	return strcmp(x->sku, y->sku);
}

/*
 * The digest of lines[0..n), which must be in SKU order: SHA-256 over
 * "SKU\tQUANTITY\tPRICE\n" per line. OUT: hex[65].
 */
static void cart_digest_compute(const struct cart_digest_line *lines, size_t n, char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char num[64];
	size_t i;

	crypto_hash_sha256_init(&st);
	for (i = 0; i < n; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)lines[i].sku,
					  strlen(lines[i].sku));
		lv_snprintf(num, sizeof(num), "\t%lld\t%lld\n", (long long)lines[i].quantity,
			    (long long)lines[i].price);
		crypto_hash_sha256_update(&st, (const unsigned char *)num, strlen(num));
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static const char sql_digest[] =
	"SELECT v.sku, c.quantity, v.price FROM cart_lines c"
	" JOIN variants v ON v.id = c.variant"
	" WHERE c.employee = ?1 ORDER BY v.sku";

int cart_digest(struct lv_db *db, int64_t employee, char hex[65])
{
	struct cart_digest_line *lines = NULL;
	char **skus = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t n = 0, cap = 0, i;
	int rc, src;

	hex[0] = '\0';
	rc = lv_db_stmt(db, sql_digest, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			lines = lv_realloc(lines, cap * sizeof(*lines));
			skus = lv_realloc(skus, cap * sizeof(*skus));
		}
		skus[n] = lv_strdup((const char *)sqlite3_column_text(stmt, 0));
		lines[n].sku = skus[n];
		lines[n].quantity = sqlite3_column_int64(stmt, 1);
		lines[n].price = sqlite3_column_int64(stmt, 2);
		n++;
	}
	if (src != SQLITE_DONE) {
		rc = cart_db_error(db, "digest");
		goto out;
	}
	cart_digest_compute(lines, n, hex);
out:
	lv_db_done(stmt);
	for (i = 0; i < n; i++)
		lv_free(skus[i]);
	lv_free(skus);
	lv_free(lines);
	return rc;
}

/* ---- reads ---- */

static const char sql_lines_load[] =
	"SELECT v.sku, c.quantity FROM cart_lines c"
	" JOIN variants v ON v.id = c.variant"
	" WHERE c.employee = ?1 ORDER BY c.added_at, c.variant";

int cart_lines_load(struct lv_db *db, int64_t employee, struct order_line_req **lines,
		    size_t *n)
{
	struct order_line_req *l = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t cnt = 0, cap = 0;
	int rc, src;

	*lines = NULL;
	*n = 0;
	rc = lv_db_stmt(db, sql_lines_load, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? 2 * cap : 16;
			l = lv_realloc(l, cap * sizeof(*l));
		}
		memset(&l[cnt], 0, sizeof(l[cnt]));
		lv_strlcpy(l[cnt].sku, (const char *)sqlite3_column_text(stmt, 0),
			   sizeof(l[cnt].sku));
		l[cnt].quantity = sqlite3_column_int64(stmt, 1);
		l[cnt].expect_price = -1;
		cnt++;
	}
	if (src != SQLITE_DONE) {
		rc = cart_db_error(db, "lines_load");
		goto out;
	}
	*lines = l;
	*n = cnt;
	l = NULL;
out:
	lv_db_done(stmt);
	lv_free(l);
	return rc;
}

/* The image is the variant's own picture, else the product's first one. */
static const char sql_get[] =
	"SELECT v.sku, p.name, p.slug, v.size, v.colour, v.fit, k.slug,"
	" CASE WHEN vi.id IS NOT NULL THEN " CATALOG_SQL_MEDIA_URL("vi") " ELSE"
	"  (SELECT " CATALOG_SQL_MEDIA_URL("i") " FROM images i WHERE i.product_id = p.id"
	"   ORDER BY i.position, i.id LIMIT 1) END,"
	" v.price, c.quantity, v.stock, v.active = 1 AND p.active = 1, v.logo"
	" FROM cart_lines c JOIN variants v ON v.id = c.variant"
	" JOIN products p ON p.id = v.product_id"
	" JOIN categories k ON k.id = p.category_id"
	" LEFT JOIN images vi ON vi.id = v.image_id"
	" WHERE c.employee = ?1 ORDER BY c.added_at, c.variant";

static json_t *cart_col_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	return s ? json_string((const char *)s) : json_null();
}

int cart_get(struct lv_db *db, int64_t employee, json_t **out)
{
	struct cart_digest_line *dl = NULL;
	sqlite3_stmt *stmt = NULL;
	json_t *res = NULL, *arr, *line;
	size_t n = 0, cap = 0, i;
	int64_t count = 0, total = 0, price, qty, stock;
	char hex[65];
	int rc, src, available;
	const char *problem;

	*out = NULL;
	rc = lv_db_stmt(db, sql_get, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	res = json_object();
	arr = json_array();
	json_object_set_new(res, "lines", arr);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		price = sqlite3_column_int64(stmt, 8);
		qty = sqlite3_column_int64(stmt, 9);
		stock = sqlite3_column_int64(stmt, 10);
		available = sqlite3_column_int(stmt, 11);
		if (!available)
			problem = "unavailable";
		else if (stock < qty)
			problem = "out_of_stock";
		else
			problem = NULL;
		line = json_object();
		json_object_set_new(line, "sku", cart_col_text(stmt, 0));
		json_object_set_new(line, "product", cart_col_text(stmt, 1));
		json_object_set_new(line, "slug", cart_col_text(stmt, 2));
		json_object_set_new(line, "size", cart_col_text(stmt, 3));
		json_object_set_new(line, "colour", cart_col_text(stmt, 4));
		json_object_set_new(line, "fit", cart_col_text(stmt, 5));
		json_object_set_new(line, "logo", cart_col_text(stmt, 12));
		json_object_set_new(line, "category", cart_col_text(stmt, 6));
		json_object_set_new(line, "image", cart_col_text(stmt, 7));
		json_object_set_new(line, "unit_price", json_integer(price));
		json_object_set_new(line, "quantity", json_integer(qty));
		json_object_set_new(line, "total", json_integer(price * qty));
		json_object_set_new(line, "stock", json_integer(stock));
		json_object_set_new(line, "available", json_boolean(available));
		json_object_set_new(line, "problem", problem ? json_string(problem) : json_null());
		json_array_append_new(arr, line);
		count += qty;
		total += price * qty;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			dl = lv_realloc(dl, cap * sizeof(*dl));
		}
		/* the sku string lives in the JSON line, which outlives dl */
		dl[n].sku = json_string_value(json_object_get(line, "sku"));
		dl[n].quantity = qty;
		dl[n].price = price;
		n++;
	}
	if (src != SQLITE_DONE) {
		rc = cart_db_error(db, "get");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (dl[i].sku == NULL) {
			rc = cart_db_error(db, "get: line without a SKU");
			goto out;
		}
	if (n > 0)
		qsort(dl, n, sizeof(*dl), cart_digest_line_cmp);
	cart_digest_compute(dl, n, hex);
	json_object_set_new(res, "count", json_integer(count));
	json_object_set_new(res, "total", json_integer(total));
	json_object_set_new(res, "digest", json_string(hex));
	*out = res;
	res = NULL;
out:
	lv_db_done(stmt);
	lv_free(dl);
	json_decref(res);
	return rc;
}

/* ---- changes ---- */

static const char sql_variant_find[] =
	"SELECT v.id, v.active = 1 AND p.active = 1 FROM variants v"
	" JOIN products p ON p.id = v.product_id WHERE v.sku = ?1";

/*
 * Looks sku up. OUT: *variant (0 when unknown), *available. Returns LV_OK,
 * LV_ENOTFOUND or LV_EINTERNAL.
 */
static int cart_variant_find(struct lv_db *db, const char *sku, int64_t *variant,
			     int *available)
{
	sqlite3_stmt *stmt = NULL;
	int rc, src;

	*variant = 0;
	*available = 0;
	rc = lv_db_stmt(db, sql_variant_find, &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, sku);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		*variant = sqlite3_column_int64(stmt, 0);
		*available = sqlite3_column_int(stmt, 1);
	} else if (src == SQLITE_DONE) {
		rc = LV_ENOTFOUND;
	} else {
		rc = cart_db_error(db, "variant_find");
	}
out:
	lv_db_done(stmt);
	return rc;
}

static const char sql_line_state[] =
	"SELECT (SELECT quantity FROM cart_lines WHERE employee = ?1 AND variant = ?2),"
	" (SELECT count(*) FROM cart_lines WHERE employee = ?1)";

static const char sql_line_put[] =
	"INSERT INTO cart_lines (employee, variant, quantity, added_at, updated_at)"
	" VALUES (?1, ?2, ?3, max(?4, coalesce((SELECT max(added_at) + 1"
	"  FROM cart_lines WHERE employee = ?1), ?4)), ?4)"
	" ON CONFLICT (employee, variant) DO UPDATE SET"
	"  quantity = excluded.quantity, updated_at = excluded.updated_at";

static const char sql_line_delete[] =
	"DELETE FROM cart_lines WHERE employee = ?1 AND variant = ?2";

enum cart_put_mode {
	CART_PUT_ADD,    /* add to the line; the sum must stay <= the maximum */
	CART_PUT_SET,    /* set the line (0 removes it) */
	CART_PUT_ADD_CAP /* add to the line, capped at the maximum */
};

/* Runs a one-row-changing statement on (employee, variant[, quantity, now]). */
static int cart_line_write(struct lv_db *db, const char *sql, int64_t employee,
			   int64_t variant, int64_t quantity, int64_t now)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = lv_db_stmt(db, sql, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	sqlite3_bind_int64(stmt, 2, variant);
	if (sqlite3_bind_parameter_count(stmt) >= 4) {
		sqlite3_bind_int64(stmt, 3, quantity);
		sqlite3_bind_int64(stmt, 4, now);
	}
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = cart_db_error(db, "line_write");
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * Puts quantity of the known variant (SKU sku, for messages) in the cart as
 * mode says, inside the caller's transaction. The quantity has been
 * checked by the caller. Returns LV_OK, LV_EINVAL (too many of it, cart
 * full; msg) or LV_EINTERNAL.
 */
static int cart_line_put(struct lv_db *db, int64_t employee, int64_t variant, const char *sku,
			 int64_t quantity, enum cart_put_mode mode, int64_t now, char *msg,
			 size_t msglen)
{
	sqlite3_stmt *stmt = NULL;
	int64_t cur = 0, lines = 0, want;
	int rc;

	rc = lv_db_stmt(db, sql_line_state, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	sqlite3_bind_int64(stmt, 2, variant);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = cart_db_error(db, "line_state");
		goto out;
	}
	cur = sqlite3_column_int64(stmt, 0);
	lines = sqlite3_column_int64(stmt, 1);
	lv_db_done(stmt);
	stmt = NULL;

	want = mode == CART_PUT_SET ? quantity : cur + quantity;
	if (mode == CART_PUT_ADD_CAP && want > ORDER_MAX_QUANTITY)
		want = ORDER_MAX_QUANTITY;
	if (want == 0) {
		rc = cart_line_write(db, sql_line_delete, employee, variant, 0, now);
		goto out;
	}
	if (want > ORDER_MAX_QUANTITY) {
		cart_msg(msg, msglen, "%.64s: at most 99 of one item (the cart holds %lld)", sku,
			 (long long)cur);
		rc = LV_EINVAL;
		goto out;
	}
	if (cur == 0 && lines >= ORDER_MAX_LINES) {
		cart_msg(msg, msglen, "%.64s: the cart is full (at most %d lines)", sku,
			 ORDER_MAX_LINES);
		rc = LV_EINVAL;
		goto out;
	}
	rc = cart_line_write(db, sql_line_put, employee, variant, want, now);
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * cart_add (mode CART_PUT_ADD, quantity 1..99) and cart_set (CART_PUT_SET,
 * 0..99) inside the caller's transaction. Returns as cart_add.
 */
static int cart_change(struct lv_db *db, int64_t employee, const char *sku, int64_t quantity,
		       enum cart_put_mode mode, int64_t now, char *msg, size_t msglen)
{
	int64_t variant = 0;
	int64_t min = mode == CART_PUT_SET ? 0 : 1;
	int available = 0, rc;

	if (sku == NULL || sku[0] == '\0') {
		cart_msg(msg, msglen, "a SKU is required");
		rc = LV_EINVAL;
		goto out;
	}
	if (quantity < min || quantity > ORDER_MAX_QUANTITY) {
		cart_msg(msg, msglen, "%.64s: quantity must be a whole number from %lld to 99",
			 sku, (long long)min);
		rc = LV_EINVAL;
		goto out;
	}
	rc = cart_variant_find(db, sku, &variant, &available);
	if (rc == LV_ENOTFOUND && quantity == 0) {
		rc = LV_OK; /* removing what cannot be in the cart */
		goto out;
	}
	if (rc == LV_ENOTFOUND) {
		cart_msg(msg, msglen, "unknown SKU %.64s", sku);
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	if (!available && quantity > 0) {
		cart_msg(msg, msglen, "%.64s is no longer available", sku);
		rc = LV_ENOTFOUND;
		goto out;
	}
	rc = cart_line_put(db, employee, variant, sku, quantity, mode, now, msg, msglen);
out:
	return rc;
}

static int cart_change_tx(struct lv_db *db, int64_t employee, const char *sku,
			  int64_t quantity, enum cart_put_mode mode, char *msg, size_t msglen)
{
	int rc, own = 0;

	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		return rc;
	rc = cart_change(db, employee, sku, quantity, mode, lv_now(), msg, msglen);
	return lv_db_tx_end(db, own, rc);
}

int cart_add(struct lv_db *db, int64_t employee, const char *sku, int64_t quantity,
	     char *msg, size_t msglen)
{
	return cart_change_tx(db, employee, sku, quantity, CART_PUT_ADD, msg, msglen);
}

int cart_set(struct lv_db *db, int64_t employee, const char *sku, int64_t quantity,
	     char *msg, size_t msglen)
{
	return cart_change_tx(db, employee, sku, quantity, CART_PUT_SET, msg, msglen);
}

static const char sql_remove[] =
	"DELETE FROM cart_lines WHERE employee = ?1"
	" AND variant = (SELECT id FROM variants WHERE sku = ?2)";

static const char sql_clear[] = "DELETE FROM cart_lines WHERE employee = ?1";

/*
 * Runs one DELETE of employee's lines (sql_remove with sku, or sql_clear).
 * One statement: atomic alone, and part of the caller's transaction if any.
 */
static int cart_lines_delete(struct lv_db *db, const char *sql, int64_t employee,
			     const char *sku, const char *what)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = lv_db_stmt(db, sql, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		lv_db_bind_text(stmt, 2, sku);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = cart_db_error(db, what);
out:
	lv_db_done(stmt);
	return rc;
}

int cart_remove(struct lv_db *db, int64_t employee, const char *sku)
{
	return cart_lines_delete(db, sql_remove, employee, sku, "remove");
}

int cart_clear(struct lv_db *db, int64_t employee)
{
	return cart_lines_delete(db, sql_clear, employee, NULL, "clear");
}

int cart_add_many(struct lv_db *db, int64_t employee, const struct order_line_req *lines,
		  size_t n, char *msg, size_t msglen)
{
	char why[256];
	int64_t now = lv_now();
	size_t i;
	int rc, own = 0;

	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		return rc;
	for (i = 0; i < n && rc == LV_OK; i++) {
		why[0] = '\0';
		rc = cart_change(db, employee, lines[i].sku, lines[i].quantity, CART_PUT_ADD, now,
				 why, sizeof(why));
		if (rc != LV_OK && rc != LV_EINTERNAL && msg != NULL && msglen > 0)
			cart_msg(msg, msglen, "line %zu: %s", i + 1, why);
	}
	return lv_db_tx_end(db, own, rc);
}

/* ---- reorder ---- */

static const char sql_order_find[] =
	"SELECT id FROM orders WHERE ref = ?1 AND employee = ?2";

static const char sql_order_lines[] =
	"SELECT ol.variant, v.sku, ol.quantity, v.active = 1 AND p.active = 1"
	" FROM order_lines ol JOIN variants v ON v.id = ol.variant"
	" JOIN products p ON p.id = v.product_id"
	" WHERE ol.order_id = ?1 ORDER BY ol.line_no";

/* One line of the order to put back. */
struct cart_reorder_line {
	int64_t variant;
	int64_t quantity;
	int available;
	char sku[65];
};

int cart_reorder(struct lv_db *db, int64_t employee, const char *ref, int *added,
		 int *skipped, char *msg, size_t msglen)
{
	struct cart_reorder_line *l = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t n = 0, cap = 0, i;
	int64_t order_id = 0, now = lv_now();
	int rc, src, own = 0, in_tx = 0, a = 0, s = 0;

	*added = 0;
	*skipped = 0;
	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	in_tx = 1;
	rc = lv_db_stmt(db, sql_order_find, &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, ref);
	sqlite3_bind_int64(stmt, 2, employee);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW) {
		order_id = sqlite3_column_int64(stmt, 0);
	} else if (src == SQLITE_DONE) {
		cart_msg(msg, msglen, "no order %.32s", ref ? ref : "");
		rc = LV_ENOTFOUND;
		goto out;
	} else {
		rc = cart_db_error(db, "reorder");
		goto out;
	}
	lv_db_done(stmt);

	/* read every line before writing, so no statement steps during writes */
	rc = lv_db_stmt(db, sql_order_lines, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, order_id);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			l = lv_realloc(l, cap * sizeof(*l));
		}
		l[n].variant = sqlite3_column_int64(stmt, 0);
		lv_strlcpy(l[n].sku, (const char *)sqlite3_column_text(stmt, 1), sizeof(l[n].sku));
		l[n].quantity = sqlite3_column_int64(stmt, 2);
		l[n].available = sqlite3_column_int(stmt, 3);
		n++;
	}
	if (src != SQLITE_DONE) {
		rc = cart_db_error(db, "reorder lines");
		goto out;
	}
	lv_db_done(stmt);
	stmt = NULL;

	for (i = 0; i < n && rc == LV_OK; i++) {
		if (!l[i].available || l[i].quantity < 1) {
			s++;
			continue;
		}
		rc = cart_line_put(db, employee, l[i].variant, l[i].sku, l[i].quantity,
				   CART_PUT_ADD_CAP, now, msg, msglen);
		a++;
	}
	if (rc == LV_OK) {
		*added = a;
		*skipped = s;
	}
out:
	lv_db_done(stmt);
	if (in_tx)
		rc = lv_db_tx_end(db, own, rc);
	lv_free(l);
	return rc;
}

/* ---- the quick-order parser ---- */

static int cart_is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ';';
}

static int cart_is_sku_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/*
 * Parses one non-blank, non-comment line s[0..len) (line number no) into
 * *sku (len *skulen) and *qty. Returns LV_OK or LV_EINVAL with msg.
 */
static int cart_quick_line(const char *s, size_t len, size_t no, const char **sku,
			   size_t *skulen, int64_t *qty, char *msg, size_t msglen)
{
	size_t i = 0, start, qlen, k;
	const char *q;
	int rc = LV_OK;

	while (i < len && cart_is_sep(s[i]))
		i++;
	start = i;
	while (i < len && !cart_is_sep(s[i]))
		i++;
	*sku = s + start;
	*skulen = i - start;
	for (k = 0; k < *skulen; k++)
		if (!cart_is_sku_char((*sku)[k]))
			break;
	if (*skulen == 0 || *skulen > 64 || k < *skulen) {
		cart_msg(msg, msglen,
			    "line %zu: a SKU is 1 to 64 letters, digits, dots, dashes or underscores",
			    no);
		rc = LV_EINVAL;
		goto out;
	}
	while (i < len && cart_is_sep(s[i]))
		i++;
	q = s + i;
	while (i < len && !cart_is_sep(s[i]))
		i++;
	qlen = (size_t)(s + i - q);
	while (i < len && cart_is_sep(s[i]))
		i++;
	if (i < len) {
		cart_msg(msg, msglen, "line %zu: expected a SKU and a quantity, found more", no);
		rc = LV_EINVAL;
		goto out;
	}
	*qty = 1;
	if (qlen == 0)
		goto out;
	for (k = 0; k < qlen; k++)
		if (q[k] < '0' || q[k] > '9')
			break;
	if (k < qlen || lv_parse_i64n(q, qlen, 1, ORDER_MAX_QUANTITY, qty) != LV_OK) {
		cart_msg(msg, msglen, "line %zu: quantity must be a whole number from 1 to 99",
			    no);
		rc = LV_EINVAL;
	}
out:
	return rc;
}

int cart_quick_parse(const char *text, size_t len, struct order_line_req *lines,
		     size_t max, size_t *n, char *msg, size_t msglen)
{
	const char *line, *end, *sku, *nl;
	size_t no = 0, cnt = 0, llen, skulen, i;
	int64_t qty;
	int rc = LV_OK;

	*n = 0;
	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	if (len > CART_QUICK_MAX_BYTES) {
		cart_msg(msg, msglen, "the text is longer than 64 KiB");
		rc = LV_EINVAL;
		goto out;
	}
	if (len == 0)
		goto done;
	line = text;
	end = text + len;
	while (line < end) {
		no++;
		nl = memchr(line, '\n', (size_t)(end - line));
		llen = (size_t)((nl ? nl : end) - line);
		if (!catalog_utf8_valid(line, llen)) {
			cart_msg(msg, msglen, "line %zu: the text is not valid UTF-8", no);
			rc = LV_EINVAL;
			goto out;
		}
		for (i = 0; i < llen && cart_is_sep(line[i]); i++)
			;
		if (i == llen || line[i] == '#')
			goto next;
		rc = cart_quick_line(line, llen, no, &sku, &skulen, &qty, msg, msglen);
		if (rc != LV_OK)
			goto out;
		for (i = 0; i < cnt; i++)
			if (strlen(lines[i].sku) == skulen && memcmp(lines[i].sku, sku, skulen) == 0)
				break;
		if (i < cnt) {
			if (lines[i].quantity + qty > ORDER_MAX_QUANTITY) {
				cart_msg(msg, msglen,
					    "line %zu: %s adds up to more than 99", no,
					    lines[i].sku);
				rc = LV_EINVAL;
				goto out;
			}
			lines[i].quantity += qty;
			goto next;
		}
		if (cnt >= max) {
			cart_msg(msg, msglen, "line %zu: at most %zu different SKUs", no, max);
			rc = LV_EINVAL;
			goto out;
		}
		memcpy(lines[cnt].sku, sku, skulen);
		lines[cnt].sku[skulen] = '\0';
		lines[cnt].quantity = qty;
		lines[cnt].expect_price = -1;
		cnt++;
next:
		if (nl == NULL)
			break;
		line = nl + 1;
	}
done:
	*n = cnt;
out:
	return rc;
}
