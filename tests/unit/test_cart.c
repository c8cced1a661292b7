/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_cart.c - the cart (cart.h) on a real, migrated database with a small
 * catalog inserted by SQL: adding, setting, removing and clearing lines with
 * every refusal, the 99-of-one and 100-line limits, all-or-nothing quick
 * orders, the JSON view with its problems and image URLs, the digest (known
 * value for an empty cart, order independence, price and quantity
 * sensitivity), the order of lines, persistence across connections,
 * reordering an earlier order, and the quick-order text parser against
 * hostile input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cart.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"

#define T0 1767225600 /* 2026-01-01 00:00:00 UTC */

static const char empty_digest[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void sql(struct lv_db *db, const char *s)
{
	char *err = NULL;

	if (sqlite3_exec(db->conn, s, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "SQL failed: %s: %s\n", s, err ? err : "?");
		CHECK(0);
	}
	sqlite3_free(err);
}

/*
 * A fresh database: employees 1 (E1) and 2 (E2); category tops; product
 * polo (with two images) with variants POLO-S (1500, stock 10, the second
 * image), POLO-M (1600, stock 0), POLO-L (inactive); inactive product old
 * with active variant OLD-1; product bulk with 120 variants BULK-000..119.
 */
static struct lv_db *fresh_db(void)
{
	struct lv_db *db = fixture_db_new("cart", 1000, NULL);
	char q[256];
	int i;

	sql(db, "INSERT INTO employees (id, employee_id, name, created_at, updated_at) VALUES"
		" (1, 'E1', 'One', 0, 0), (2, 'E2', 'Two', 0, 0);"
		"INSERT INTO categories (id, slug, name) VALUES (1, 'tops', 'Tops');"
		"INSERT INTO products (id, slug, name, category_id, active, created_at, updated_at)"
		" VALUES (1, 'polo', 'Polo shirt', 1, 1, 0, 0), (2, 'old', 'Old cap', 1, 0, 0, 0),"
		" (3, 'bulk', 'Bulk item', 1, 1, 0, 0);"
		"INSERT INTO images (id, product_id, name, content_type, data, sha256, position)"
		" VALUES (7, 1, 'a.svg', 'image/svg+xml', x'00',"
		" 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789', 0),"
		" (8, 1, 'b.png', 'image/png', x'00',"
		" '1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef', 1);"
		"INSERT INTO variants (id, product_id, sku, size, colour, fit, price, stock,"
		" image_id, active, created_at, updated_at) VALUES"
		" (1, 1, 'POLO-S', 'S', 'Navy', 'Regular', 1500, 10, 8, 1, 0, 0),"
		" (2, 1, 'POLO-M', 'M', 'Navy', 'Regular', 1600, 0, NULL, 1, 0, 0),"
		" (3, 1, 'POLO-L', 'L', 'Navy', 'Regular', 1700, 5, NULL, 0, 0, 0),"
		" (4, 2, 'OLD-1', '', '', '', 900, 5, NULL, 1, 0, 0);");
	for (i = 0; i < 120; i++) {
		snprintf(q, sizeof(q),
			 "INSERT INTO variants (product_id, sku, price, stock, created_at,"
			 " updated_at) VALUES (3, 'BULK-%03d', %d, 50, 0, 0)",
			 i, 100 + i);
		sql(db, q);
	}
	return db;
}

static void db_reopen(struct lv_db **db)
{
	char msg[256];

	lv_db_close(*db);
	*db = NULL;
	CHECK_INT(lv_db_open(fixture_db_path(), 0, 1000, db, msg, sizeof(msg)), LV_OK);
}

/* The number of lines in employee's cart, straight from the table. */
static int64_t lines_count(struct lv_db *db, int64_t employee)
{
	return fixture_q_int3(db, "SELECT count(*) FROM cart_lines WHERE employee = ?1", employee,
			      0, NULL);
}

/* The quantity of sku in employee's cart (0: not there). */
static int64_t qty_of(struct lv_db *db, int64_t employee, const char *sku)
{
	struct order_line_req *l = NULL;
	size_t n = 0, i;
	int64_t q = 0;

	CHECK_INT(cart_lines_load(db, employee, &l, &n), LV_OK);
	for (i = 0; i < n; i++)
		if (strcmp(l[i].sku, sku) == 0)
			q = l[i].quantity;
	lv_free(l);
	return q;
}

static void test_add_and_get(void)
{
	struct lv_db *db = fresh_db();
	json_t *cart = NULL, *line;
	char msg[256], hex[65];

	lv_clock_set(T0);
	CHECK_INT(cart_get(db, 1, &cart), LV_OK);
	CHECK_INT(json_array_size(json_object_get(cart, "lines")), 0);
	CHECK_INT(json_integer_value(json_object_get(cart, "count")), 0);
	CHECK_INT(json_integer_value(json_object_get(cart, "total")), 0);
	CHECK_STR(json_string_value(json_object_get(cart, "digest")), empty_digest);
	json_decref(cart);

	CHECK_INT(cart_add(db, 1, "POLO-S", 2, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "POLO-S", 3, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "POLO-M", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_get(db, 1, &cart), LV_OK);
	CHECK_INT(json_array_size(json_object_get(cart, "lines")), 2);
	line = json_array_get(json_object_get(cart, "lines"), 0);
	CHECK_STR(json_string_value(json_object_get(line, "sku")), "POLO-S");
	CHECK_STR(json_string_value(json_object_get(line, "product")), "Polo shirt");
	CHECK_STR(json_string_value(json_object_get(line, "slug")), "polo");
	CHECK_STR(json_string_value(json_object_get(line, "size")), "S");
	CHECK_STR(json_string_value(json_object_get(line, "colour")), "Navy");
	CHECK_STR(json_string_value(json_object_get(line, "fit")), "Regular");
	CHECK_STR(json_string_value(json_object_get(line, "category")), "tops");
	/* the variant's own picture, not the product's first */
	CHECK_STR(json_string_value(json_object_get(line, "image")), "/media/8-12345678.png");
	CHECK_INT(json_integer_value(json_object_get(line, "unit_price")), 1500);
	CHECK_INT(json_integer_value(json_object_get(line, "quantity")), 5);
	CHECK_INT(json_integer_value(json_object_get(line, "total")), 7500);
	CHECK_INT(json_integer_value(json_object_get(line, "stock")), 10);
	CHECK(json_is_true(json_object_get(line, "available")));
	CHECK(json_is_null(json_object_get(line, "problem")));
	line = json_array_get(json_object_get(cart, "lines"), 1);
	CHECK_STR(json_string_value(json_object_get(line, "sku")), "POLO-M");
	/* no picture of its own: the product's first */
	CHECK_STR(json_string_value(json_object_get(line, "image")), "/media/7-abcdef01.svg");
	CHECK_STR(json_string_value(json_object_get(line, "problem")), "out_of_stock");
	CHECK_INT(json_integer_value(json_object_get(cart, "count")), 6);
	CHECK_INT(json_integer_value(json_object_get(cart, "total")), 7500 + 1600);
	CHECK_INT(cart_digest(db, 1, hex), LV_OK);
	CHECK_STR(json_string_value(json_object_get(cart, "digest")), hex);
	CHECK(strcmp(hex, empty_digest) != 0);
	json_decref(cart);

	/* the other employee's cart is their own */
	CHECK_INT(cart_digest(db, 2, hex), LV_OK);
	CHECK_STR(hex, empty_digest);

	/* a product without any picture has a null image; unavailable lines */
	CHECK_INT(cart_add(db, 2, "BULK-001", 1, msg, sizeof(msg)), LV_OK);
	sql(db, "UPDATE variants SET active = 0 WHERE sku = 'BULK-001'");
	CHECK_INT(cart_get(db, 2, &cart), LV_OK);
	line = json_array_get(json_object_get(cart, "lines"), 0);
	CHECK(json_is_null(json_object_get(line, "image")));
	CHECK(json_is_false(json_object_get(line, "available")));
	CHECK_STR(json_string_value(json_object_get(line, "problem")), "unavailable");
	json_decref(cart);

	fixture_db_drop(db);
}

static void test_add_refusals(void)
{
	struct lv_db *db = fresh_db();
	char msg[256];

	CHECK_INT(cart_add(db, 1, "POLO-S", 0, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "POLO-S") != NULL);
	CHECK_INT(cart_add(db, 1, "POLO-S", 100, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(cart_add(db, 1, "POLO-S", -1, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(cart_add(db, 1, "", 1, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(cart_add(db, 1, NULL, 1, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(cart_add(db, 1, "NW-999", 1, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK_STR(msg, "unknown SKU NW-999");
	CHECK_INT(cart_add(db, 1, "POLO-L", 1, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK(strstr(msg, "POLO-L") != NULL);
	CHECK_INT(cart_add(db, 1, "OLD-1", 1, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK(strstr(msg, "OLD-1") != NULL);
	CHECK_INT(lines_count(db, 1), 0);

	/* 99 of one variant, not one more */
	CHECK_INT(cart_add(db, 1, "POLO-S", 99, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "POLO-S", 1, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "POLO-S") != NULL);
	CHECK_INT(qty_of(db, 1, "POLO-S"), 99);
	CHECK_INT(cart_set(db, 1, "POLO-S", 50, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "POLO-S", 49, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "POLO-S", 1, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(qty_of(db, 1, "POLO-S"), 99);
	fixture_db_drop(db);
}

static void test_set_remove_clear(void)
{
	struct lv_db *db = fresh_db();
	char msg[256];

	/* setting a SKU not in the cart adds it */
	CHECK_INT(cart_set(db, 1, "POLO-S", 4, msg, sizeof(msg)), LV_OK);
	CHECK_INT(qty_of(db, 1, "POLO-S"), 4);
	CHECK_INT(cart_set(db, 1, "POLO-S", 2, msg, sizeof(msg)), LV_OK);
	CHECK_INT(qty_of(db, 1, "POLO-S"), 2);
	CHECK_INT(cart_set(db, 1, "POLO-S", 99, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_set(db, 1, "POLO-S", 100, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(cart_set(db, 1, "POLO-S", -1, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(qty_of(db, 1, "POLO-S"), 99);
	CHECK_INT(cart_set(db, 1, "NW-1", 3, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK_INT(cart_set(db, 1, "POLO-L", 3, msg, sizeof(msg)), LV_ENOTFOUND);
	/* 0 removes */
	CHECK_INT(cart_set(db, 1, "POLO-S", 0, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lines_count(db, 1), 0);
	CHECK_INT(cart_set(db, 1, "NW-1", 0, msg, sizeof(msg)), LV_OK);

	/* a line that became unavailable can still be removed by setting 0 */
	CHECK_INT(cart_add(db, 1, "POLO-M", 1, msg, sizeof(msg)), LV_OK);
	sql(db, "UPDATE variants SET active = 0 WHERE sku = 'POLO-M'");
	CHECK_INT(cart_set(db, 1, "POLO-M", 2, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK_INT(cart_set(db, 1, "POLO-M", 0, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lines_count(db, 1), 0);

	CHECK_INT(cart_add(db, 1, "POLO-S", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "BULK-000", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 2, "BULK-000", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_remove(db, 1, "BULK-000"), LV_OK);
	CHECK_INT(cart_remove(db, 1, "BULK-000"), LV_OK);
	CHECK_INT(cart_remove(db, 1, "NOPE"), LV_OK);
	CHECK_INT(lines_count(db, 1), 1);
	CHECK_INT(lines_count(db, 2), 1);

	/* clear inside the caller's transaction: rolled back with it */
	CHECK_INT(lv_db_begin(db), LV_OK);
	CHECK_INT(cart_clear(db, 1), LV_OK);
	CHECK_INT(lines_count(db, 1), 0);
	lv_db_rollback(db);
	CHECK_INT(lines_count(db, 1), 1);
	/* a cart_add inside the caller's transaction too */
	CHECK_INT(lv_db_begin(db), LV_OK);
	CHECK_INT(cart_add(db, 1, "BULK-002", 1, msg, sizeof(msg)), LV_OK);
	lv_db_rollback(db);
	CHECK_INT(lines_count(db, 1), 1);

	CHECK_INT(cart_clear(db, 1), LV_OK);
	CHECK_INT(lines_count(db, 1), 0);
	CHECK_INT(lines_count(db, 2), 1);
	CHECK_INT(cart_clear(db, 1), LV_OK);
	fixture_db_drop(db);
}

static void test_order_and_load(void)
{
	struct lv_db *db = fresh_db();
	struct order_line_req *l = NULL;
	json_t *cart = NULL;
	char msg[256];
	size_t n = 7;

	CHECK_INT(cart_lines_load(db, 1, &l, &n), LV_OK);
	CHECK(l == NULL);
	CHECK_INT(n, 0);

	/* all within one second: still in the order added */
	lv_clock_set(T0);
	CHECK_INT(cart_add(db, 1, "BULK-050", 2, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "POLO-S", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "BULK-010", 3, msg, sizeof(msg)), LV_OK);
	/* changing a line keeps its place */
	CHECK_INT(cart_add(db, 1, "BULK-050", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_set(db, 1, "POLO-S", 4, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_lines_load(db, 1, &l, &n), LV_OK);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(l[0].sku, "BULK-050");
		CHECK_INT(l[0].quantity, 3);
		CHECK_INT(l[0].expect_price, -1);
		CHECK_STR(l[1].sku, "POLO-S");
		CHECK_INT(l[1].quantity, 4);
		CHECK_STR(l[2].sku, "BULK-010");
		CHECK_INT(l[2].quantity, 3);
		CHECK_INT(l[2].expect_price, -1);
	}
	lv_free(l);
	CHECK_INT(cart_get(db, 1, &cart), LV_OK);
	CHECK_STR(json_string_value(json_object_get(
			  json_array_get(json_object_get(cart, "lines"), 2), "sku")),
		  "BULK-010");
	json_decref(cart);

	/* removed and added again: last */
	CHECK_INT(cart_remove(db, 1, "BULK-050"), LV_OK);
	CHECK_INT(cart_add(db, 1, "BULK-050", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_lines_load(db, 1, &l, &n), LV_OK);
	CHECK_INT(n, 3);
	if (n == 3)
		CHECK_STR(l[2].sku, "BULK-050");
	lv_free(l);
	lv_clock_set(0);
	fixture_db_drop(db);
}

static void test_digest(void)
{
	struct lv_db *db = fresh_db();
	char msg[256], a[65], b[65], c[65];

	CHECK_INT(cart_digest(db, 1, a), LV_OK);
	CHECK_STR(a, empty_digest);
	CHECK_INT(strlen(a), 64);

	/* the same lines added in another order: the same digest */
	CHECK_INT(cart_add(db, 1, "POLO-S", 2, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "BULK-003", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 2, "BULK-003", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 2, "POLO-S", 2, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_digest(db, 1, a), LV_OK);
	CHECK_INT(cart_digest(db, 2, b), LV_OK);
	CHECK_STR(a, b);
	CHECK(strcmp(a, empty_digest) != 0);
	for (size_t i = 0; i < 64; i++)
		CHECK((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f'));

	/* a quantity changes it, and back */
	CHECK_INT(cart_set(db, 1, "POLO-S", 3, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_digest(db, 1, c), LV_OK);
	CHECK(strcmp(a, c) != 0);
	CHECK_INT(cart_set(db, 1, "POLO-S", 2, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_digest(db, 1, c), LV_OK);
	CHECK_STR(a, c);

	/* a price changes it */
	sql(db, "UPDATE variants SET price = 1499 WHERE sku = 'POLO-S'");
	CHECK_INT(cart_digest(db, 1, c), LV_OK);
	CHECK(strcmp(a, c) != 0);
	sql(db, "UPDATE variants SET price = 1500 WHERE sku = 'POLO-S'");
	CHECK_INT(cart_digest(db, 1, c), LV_OK);
	CHECK_STR(a, c);

	/* stock does not */
	sql(db, "UPDATE variants SET stock = 1 WHERE sku = 'POLO-S'");
	CHECK_INT(cart_digest(db, 1, c), LV_OK);
	CHECK_STR(a, c);
	fixture_db_drop(db);
}

static void test_limits(void)
{
	struct lv_db *db = fresh_db();
	struct order_line_req many[ORDER_MAX_LINES + 1];
	char msg[256], sku[32], before[65], after[65];
	int i;

	for (i = 0; i < ORDER_MAX_LINES - 1; i++) {
		snprintf(sku, sizeof(sku), "BULK-%03d", i);
		CHECK_INT(cart_add(db, 1, sku, 1, msg, sizeof(msg)), LV_OK);
	}
	CHECK_INT(lines_count(db, 1), 99);
	CHECK_INT(cart_add(db, 1, "BULK-099", 1, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lines_count(db, 1), 100);
	/* the 101st line is refused; more of a line already there is not */
	CHECK_INT(cart_add(db, 1, "BULK-100", 1, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "full") != NULL);
	CHECK_INT(cart_set(db, 1, "BULK-100", 1, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(cart_add(db, 1, "BULK-000", 5, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lines_count(db, 1), 100);
	CHECK_INT(cart_clear(db, 1), LV_OK);

	/* a quick order of exactly 100 lines fits, 101 do not (and add nothing) */
	for (i = 0; i < ORDER_MAX_LINES + 1; i++) {
		snprintf(many[i].sku, sizeof(many[i].sku), "BULK-%03d", i);
		many[i].quantity = 1;
		many[i].expect_price = -1;
	}
	CHECK_INT(cart_add_many(db, 1, many, ORDER_MAX_LINES + 1, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strncmp(msg, "line 101: ", 10) == 0);
	CHECK_INT(lines_count(db, 1), 0);
	CHECK_INT(cart_add_many(db, 1, many, ORDER_MAX_LINES, msg, sizeof(msg)), LV_OK);
	CHECK_INT(lines_count(db, 1), 100);
	CHECK_INT(cart_clear(db, 1), LV_OK);

	/* a refused quick order changes nothing */
	CHECK_INT(cart_add(db, 1, "POLO-S", 98, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_digest(db, 1, before), LV_OK);
	snprintf(many[0].sku, sizeof(many[0].sku), "BULK-001");
	many[0].quantity = 2;
	snprintf(many[1].sku, sizeof(many[1].sku), "NW-999");
	many[1].quantity = 1;
	CHECK_INT(cart_add_many(db, 1, many, 2, msg, sizeof(msg)), LV_ENOTFOUND);
	CHECK_STR(msg, "line 2: unknown SKU NW-999");
	CHECK_INT(cart_digest(db, 1, after), LV_OK);
	CHECK_STR(before, after);
	CHECK_INT(lines_count(db, 1), 1);
	/* ... also when a later line goes past 99 of something in the cart */
	snprintf(many[1].sku, sizeof(many[1].sku), "POLO-S");
	many[1].quantity = 2;
	CHECK_INT(cart_add_many(db, 1, many, 2, msg, sizeof(msg)), LV_EINVAL);
	CHECK(strncmp(msg, "line 2: ", 8) == 0);
	CHECK_INT(cart_digest(db, 1, after), LV_OK);
	CHECK_STR(before, after);
	/* ... or a bad quantity */
	many[1].quantity = 0;
	CHECK_INT(cart_add_many(db, 1, many, 2, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(cart_digest(db, 1, after), LV_OK);
	CHECK_STR(before, after);
	/* the same SKU twice in one quick order is summed */
	many[1].quantity = 1;
	snprintf(many[2].sku, sizeof(many[2].sku), "BULK-001");
	many[2].quantity = 3;
	CHECK_INT(cart_add_many(db, 1, many, 3, msg, sizeof(msg)), LV_OK);
	CHECK_INT(qty_of(db, 1, "BULK-001"), 5);
	CHECK_INT(qty_of(db, 1, "POLO-S"), 99);
	CHECK_INT(cart_add_many(db, 1, NULL, 0, msg, sizeof(msg)), LV_OK);
	fixture_db_drop(db);
}

static void test_persistence(void)
{
	struct lv_db *db = fresh_db();
	json_t *a = NULL, *b = NULL;
	char msg[256];

	CHECK_INT(cart_add(db, 1, "POLO-S", 2, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_add(db, 1, "BULK-007", 5, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_get(db, 1, &a), LV_OK);
	db_reopen(&db);
	CHECK_INT(cart_get(db, 1, &b), LV_OK);
	CHECK(a != NULL && b != NULL && json_equal(a, b));
	CHECK_INT(json_integer_value(json_object_get(b, "count")), 7);
	json_decref(a);
	json_decref(b);
	fixture_db_drop(db);
}

/* Order `ref` of employee with lines (variant, quantity) given as SQL values. */
static void order_add(struct lv_db *db, int64_t id, const char *ref, int64_t employee,
		      const char *lines)
{
	char q[2048];

	snprintf(q, sizeof(q),
		 "INSERT INTO orders (id, ref, employee, status, currency, total, covered,"
		 " overage, delivery, ship_to, created_at, updated_at) VALUES (%lld, '%s', %lld,"
		 " 'delivered', 'EUR', 0, 0, 0, 'site', '{}', 0, 0);"
		 "WITH l(no, variant, qty) AS (VALUES %s)"
		 " INSERT INTO order_lines (order_id, line_no, variant, sku, product_name, size,"
		 " colour, fit, category, unit_price, quantity, total, covered)"
		 " SELECT %lld, l.no, v.id, v.sku, 'x', '', '', '', 'tops', 0, l.qty, 0, 0"
		 " FROM l JOIN variants v ON v.id = l.variant",
		 (long long)id, ref, (long long)employee, lines, (long long)id);
	sql(db, q);
}

static void test_reorder(void)
{
	struct lv_db *db = fresh_db();
	char msg[256], before[65], after[65], sku[32];
	int added = -1, skipped = -1, i;

	/* POLO-S x2, POLO-L (inactive) x1, OLD-1 (product inactive), BULK-004 x60 */
	order_add(db, 1, "LV-000001", 1, "(1, 1, 2), (2, 3, 1), (3, 4, 1), (4, 9, 60)");
	order_add(db, 2, "LV-000002", 2, "(1, 1, 1)");

	CHECK_INT(cart_add(db, 1, "BULK-004", 50, msg, sizeof(msg)), LV_OK);
	CHECK_INT(cart_reorder(db, 1, "LV-000001", &added, &skipped, msg, sizeof(msg)), LV_OK);
	CHECK_INT(added, 2);
	CHECK_INT(skipped, 2);
	CHECK_INT(qty_of(db, 1, "POLO-S"), 2);
	CHECK_INT(qty_of(db, 1, "BULK-004"), 99); /* 50 + 60, capped */
	CHECK_INT(qty_of(db, 1, "POLO-L"), 0);
	CHECK_INT(lines_count(db, 1), 2);
	CHECK_INT(cart_reorder(db, 1, "LV-000001", &added, &skipped, msg, sizeof(msg)), LV_OK);
	CHECK_INT(qty_of(db, 1, "POLO-S"), 4);

	/* someone else's order, or none */
	added = skipped = -1;
	CHECK_INT(cart_reorder(db, 1, "LV-000002", &added, &skipped, msg, sizeof(msg)),
		  LV_ENOTFOUND);
	CHECK_INT(added, 0);
	CHECK_INT(skipped, 0);
	CHECK_INT(cart_reorder(db, 1, "LV-999999", &added, &skipped, msg, sizeof(msg)),
		  LV_ENOTFOUND);
	CHECK_INT(cart_reorder(db, 1, "", &added, &skipped, msg, sizeof(msg)), LV_ENOTFOUND);

	/* a full cart: refused, nothing changes */
	CHECK_INT(cart_clear(db, 1), LV_OK);
	for (i = 10; i < 10 + ORDER_MAX_LINES; i++) {
		snprintf(sku, sizeof(sku), "BULK-%03d", i);
		CHECK_INT(cart_add(db, 1, sku, 1, msg, sizeof(msg)), LV_OK);
	}
	CHECK_INT(cart_digest(db, 1, before), LV_OK);
	CHECK_INT(cart_reorder(db, 1, "LV-000001", &added, &skipped, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK(strstr(msg, "full") != NULL);
	CHECK_INT(cart_digest(db, 1, after), LV_OK);
	CHECK_STR(before, after);
	fixture_db_drop(db);
}

/* Parses text (NUL-terminated); returns the code and fills l, n, msg. */
static int qp(const char *text, struct order_line_req *l, size_t max, size_t *n, char *msg)
{
	return cart_quick_parse(text, strlen(text), l, max, n, msg, 256);
}

static void test_quick_parse(void)
{
	struct order_line_req l[ORDER_MAX_LINES];
	char msg[256], *big;
	size_t n = 0, i, off;

	CHECK_INT(qp("", l, 100, &n, msg), LV_OK);
	CHECK_INT(n, 0);
	CHECK_INT(cart_quick_parse(NULL, 0, l, 100, &n, msg, sizeof(msg)), LV_OK);
	CHECK_INT(n, 0);

	CHECK_INT(qp("NW-1 2\r\nNW-2\t3\nNW-3,4\nNW-4;5\n\n  # a comment\nNW-5\n"
		     "  NW-6 , 7 \r\n#NW-7 8\nnw.a_b-9   \t 99", l, 100, &n, msg), LV_OK);
	CHECK_INT(n, 7);
	if (n == 7) {
		CHECK_STR(l[0].sku, "NW-1");
		CHECK_INT(l[0].quantity, 2);
		CHECK_INT(l[0].expect_price, -1);
		CHECK_STR(l[1].sku, "NW-2");
		CHECK_INT(l[1].quantity, 3);
		CHECK_STR(l[2].sku, "NW-3");
		CHECK_INT(l[2].quantity, 4);
		CHECK_STR(l[3].sku, "NW-4");
		CHECK_INT(l[3].quantity, 5);
		CHECK_STR(l[4].sku, "NW-5");
		CHECK_INT(l[4].quantity, 1); /* missing quantity: 1 */
		CHECK_STR(l[5].sku, "NW-6");
		CHECK_INT(l[5].quantity, 7);
		CHECK_STR(l[6].sku, "nw.a_b-9");
		CHECK_INT(l[6].quantity, 99);
	}

	/* duplicates are summed, up to 99 */
	CHECK_INT(qp("A 50\nB\nA 49\n", l, 100, &n, msg), LV_OK);
	CHECK_INT(n, 2);
	CHECK_INT(l[0].quantity, 99);
	CHECK_INT(qp("A 50\nB\nA 49\nA\n", l, 100, &n, msg), LV_EINVAL);
	CHECK_INT(n, 0);
	CHECK(strncmp(msg, "line 4: ", 8) == 0);
	/* SKUs are case-sensitive */
	CHECK_INT(qp("a 50\nA 50\n", l, 100, &n, msg), LV_OK);
	CHECK_INT(n, 2);

	/* bad quantities, each naming its line */
	CHECK_INT(qp("A 1\nB 0\n", l, 100, &n, msg), LV_EINVAL);
	CHECK_STR(msg, "line 2: quantity must be a whole number from 1 to 99");
	CHECK_INT(qp("\n\nB 100", l, 100, &n, msg), LV_EINVAL);
	CHECK_STR(msg, "line 3: quantity must be a whole number from 1 to 99");
	CHECK_INT(qp("B -1", l, 100, &n, msg), LV_EINVAL);
	CHECK(strncmp(msg, "line 1: ", 8) == 0);
	CHECK_INT(qp("B +1", l, 100, &n, msg), LV_EINVAL);
	CHECK_INT(qp("B 1e3", l, 100, &n, msg), LV_EINVAL);
	CHECK_INT(qp("B 1.5", l, 100, &n, msg), LV_EINVAL);
	CHECK_INT(qp("B 0x10", l, 100, &n, msg), LV_EINVAL);
	CHECK_INT(qp("B 99999999999999999999999999", l, 100, &n, msg), LV_EINVAL);
	CHECK_INT(qp("B 9223372036854775808", l, 100, &n, msg), LV_EINVAL);
	CHECK_INT(qp("B 007", l, 100, &n, msg), LV_OK);
	CHECK_INT(l[0].quantity, 7);
	CHECK_INT(qp("B 2 3", l, 100, &n, msg), LV_EINVAL);
	CHECK(strncmp(msg, "line 1: ", 8) == 0);
	CHECK_INT(qp("B 2 # note", l, 100, &n, msg), LV_EINVAL);

	/* bad SKUs */
	CHECK_INT(qp("A/B 1", l, 100, &n, msg), LV_EINVAL);
	CHECK(strncmp(msg, "line 1: ", 8) == 0);
	CHECK_INT(qp("A\"B 1", l, 100, &n, msg), LV_EINVAL);
	CHECK_INT(qp("x\n\xc3\xa9t\xc3\xa9 1", l, 100, &n, msg), LV_EINVAL);
	CHECK(strncmp(msg, "line 2: ", 8) == 0);
	CHECK_INT(qp("1234567890123456789012345678901234567890123456789012345678901234 1",
		     l, 100, &n, msg), LV_OK);
	CHECK_INT(strlen(l[0].sku), 64);
	CHECK_INT(qp("12345678901234567890123456789012345678901234567890123456789012345 1",
		     l, 100, &n, msg), LV_EINVAL);
	CHECK_INT(cart_quick_parse("A\0B 1", 5, l, 100, &n, msg, sizeof(msg)), LV_EINVAL);
	CHECK_INT(n, 0);

	/* invalid UTF-8, named by line */
	CHECK_INT(qp("A 1\nB 2\n\xff\n", l, 100, &n, msg), LV_EINVAL);
	CHECK_STR(msg, "line 3: the text is not valid UTF-8");
	CHECK_INT(qp("# \xc0\xaf overlong in a comment\n", l, 100, &n, msg), LV_EINVAL);
	CHECK_STR(msg, "line 1: the text is not valid UTF-8");
	CHECK_INT(qp("# caf\xc3\xa9 is fine in a comment\nA", l, 100, &n, msg), LV_OK);
	CHECK_INT(n, 1);

	/* more lines than max */
	CHECK_INT(qp("A\nB\nC\nA\n", l, 3, &n, msg), LV_OK);
	CHECK_INT(n, 3);
	CHECK_INT(qp("A\nB\nC\nD\n", l, 3, &n, msg), LV_EINVAL);
	CHECK(strncmp(msg, "line 4: ", 8) == 0);
	CHECK_INT(n, 0);

	/* 64 KiB exactly is read; one byte more is not */
	big = lv_malloc(64 * 1024 + 1);
	memset(big, ' ', 64 * 1024 + 1);
	off = 0;
	for (i = 0; i < ORDER_MAX_LINES; i++) {
		char one[16];
		int k = snprintf(one, sizeof(one), "S%zu 1\n", i);

		memcpy(big + off, one, (size_t)k);
		off += (size_t)k;
	}
	big[64 * 1024 - 1] = '\n';
	CHECK_INT(cart_quick_parse(big, 64 * 1024, l, ORDER_MAX_LINES, &n, msg, sizeof(msg)),
		  LV_OK);
	CHECK_INT(n, ORDER_MAX_LINES);
	CHECK_INT(cart_quick_parse(big, 64 * 1024 + 1, l, ORDER_MAX_LINES, &n, msg, sizeof(msg)),
		  LV_EINVAL);
	CHECK_INT(n, 0);
	CHECK(strstr(msg, "64 KiB") != NULL);
	lv_free(big);
}

int main(void)
{
	LV_RUN(test_quick_parse);
	LV_RUN(test_add_and_get);
	LV_RUN(test_add_refusals);
	LV_RUN(test_set_remove_clear);
	LV_RUN(test_order_and_load);
	LV_RUN(test_digest);
	LV_RUN(test_limits);
	LV_RUN(test_persistence);
	LV_RUN(test_reorder);
	return lv_test_done();
}
