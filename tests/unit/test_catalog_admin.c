/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_catalog_admin.c - the store admin's catalog changes (catalog_admin.c)
 * on a real database: creating, editing and deactivating products and
 * variants (and what the storefront then lists and finds), a SKU used
 * twice refused, a bad price refused with nothing changed, audit entries,
 * categories that hold products not deleted, pictures checked, and the
 * export of the demo catalog imported again giving the same catalog.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "catalog_admin.h"
#include "catalog_csv.h"
#include "lv_err.h"
#include "lv_fixture.h"
#include "lv_test.h"

static const char mini_csv[] =
	"category,category_name,product_slug,product_name,description,tags,restricted,sku,size,"
	"colour,fit,price,stock,image\n"
	"uniforms,Uniforms,navy-blazer,Navy blazer,\"Wool, half-lined\",uniform|branch,0,"
	"NB-M,M,Navy,Regular,129.00,12,\n";

static const struct audit_actor dave = { 0, "Dave", "192.0.2.7" };

static int64_t count(struct lv_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (lv_db_stmt(db, sql, &st) == LV_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	lv_db_done(st);
	return n;
}

/* How many listed products the storefront finds for text (restricted ones too). */
static int64_t found(struct lv_db *db, const char *text, int include_restricted)
{
	struct catalog_query q = { 0 };
	json_t *out = NULL;
	int64_t n = -1;

	q.search = text;
	q.include_restricted = include_restricted;
	if (catalog_products_list(db, &q, &out) == LV_OK)
		n = json_integer_value(json_object_get(out, "total"));
	json_decref(out);
	return n;
}

static void test_product_create_edit(void)
{
	struct lv_db *db = fixture_db_new("catadm", 1000, mini_csv);
	struct catalog_product_input p = { 0 };
	struct catalog_variant_input v = { 0 };
	json_t *errors = json_object(), *got = NULL;
	int64_t gen0 = count(db, "SELECT n FROM catalog_generation"), gen1;

	p.slug = "rain-jacket";
	p.name = "Rain jacket";
	p.description = "Breathable shell";
	p.category = "uniforms";
	p.tags = "outdoor, hi-vis|outdoor";
	p.restricted = 0;
	p.active = -1;
	CHECK_INT(catalog_admin_product_save(db, &dave, NULL, &p, errors), LV_OK);
	CHECK_INT(json_object_size(errors), 0);
	gen1 = count(db, "SELECT n FROM catalog_generation");
	CHECK(gen1 > gen0);
	/* no variant yet: not listed */
	CHECK_INT(found(db, "rain", 0), 0);

	v.sku = "RJ-M";
	v.size = "M";
	v.colour = "Yellow";
	v.price = "89.50";
	v.stock = "7";
	v.active = -1;
	CHECK_INT(catalog_admin_variant_save(db, &dave, "rain-jacket", NULL, &v, "EUR", errors),
		  LV_OK);
	CHECK_INT(found(db, "rain", 0), 1);
	CHECK_INT(found(db, "breathable", 0), 1);
	CHECK_INT(found(db, "outdoor", 0), 1);
	CHECK_INT(count(db, "SELECT price_from FROM listing_products lp JOIN products p"
			" ON p.id = lp.product_id WHERE p.slug = 'rain-jacket'"), 8950);

	CHECK_INT(catalog_admin_product_get(db, "rain-jacket", &got), LV_OK);
	CHECK_INT(json_array_size(json_object_get(got, "tags")), 2);
	CHECK_INT(json_array_size(json_object_get(got, "variants")), 1);
	json_decref(got);

	/* edit: restricted hides it from employees no policy admits, and moves the counter */
	memset(&p, 0, sizeof(p));
	p.name = "Storm jacket";
	p.restricted = 1;
	p.active = -1;
	CHECK_INT(catalog_admin_product_save(db, &dave, "rain-jacket", &p, errors), LV_OK);
	CHECK(count(db, "SELECT n FROM catalog_generation") > gen1);
	CHECK_INT(found(db, "storm", 0), 0);
	CHECK_INT(found(db, "storm", 1), 1);
	CHECK_INT(found(db, "rain", 1), 0);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action ="
			" 'catalog.product.update' AND entity_id = 'rain-jacket'"
			" AND json_extract(before, '$.name') = 'Rain jacket'"
			" AND json_extract(after, '$.name') = 'Storm jacket'"
			" AND json_extract(after, '$.restricted') = 1 AND address = '192.0.2.7'"), 1);

	/* stock and price changes are audited before/after */
	memset(&v, 0, sizeof(v));
	v.price = "79";
	v.stock = "3";
	v.active = -1;
	CHECK_INT(catalog_admin_variant_save(db, &dave, "rain-jacket", "RJ-M", &v, "EUR", errors),
		  LV_OK);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'catalog.variant.update'"
			" AND json_extract(before, '$.price') = 8950"
			" AND json_extract(after, '$.price') = 7900"
			" AND json_extract(before, '$.stock') = 7 AND json_extract(after, '$.stock') = 3"),
		  1);
	CHECK_INT(count(db, "SELECT colour = 'Yellow' FROM variants WHERE sku = 'RJ-M'"), 1);

	/* deactivating the only variant takes the product out of the listing */
	memset(&v, 0, sizeof(v));
	v.active = 0;
	CHECK_INT(catalog_admin_variant_save(db, &dave, "rain-jacket", "RJ-M", &v, "EUR", errors),
		  LV_OK);
	CHECK_INT(count(db, "SELECT count(*) FROM listing_products lp JOIN products p"
			" ON p.id = lp.product_id WHERE p.slug = 'rain-jacket'"), 0);
	/* and a deactivated product is not listed either */
	memset(&p, 0, sizeof(p));
	p.restricted = -1;
	p.active = 0;
	CHECK_INT(catalog_admin_product_save(db, &dave, "navy-blazer", &p, errors), LV_OK);
	CHECK_INT(found(db, "blazer", 1), 0);
	CHECK_INT(json_object_size(errors), 0);
	json_decref(errors);
	fixture_db_drop(db);
}

static void test_refusals(void)
{
	struct lv_db *db = fixture_db_new("catadm", 1000, mini_csv);
	struct catalog_variant_input v = { 0 };
	struct catalog_product_input p = { 0 };
	json_t *errors = json_object();
	int64_t audits = count(db, "SELECT count(*) FROM audit_log");

	/* a SKU that another product has */
	v.sku = "NB-M";
	v.size = "L";
	v.price = "10.00";
	v.stock = "1";
	v.active = -1;
	p.slug = "cap";
	p.name = "Cap";
	p.category = "uniforms";
	p.restricted = -1;
	p.active = -1;
	CHECK_INT(catalog_admin_product_save(db, &dave, NULL, &p, errors), LV_OK);
	CHECK_INT(catalog_admin_variant_save(db, &dave, "cap", NULL, &v, "EUR", errors),
		  LV_ECONFLICT);
	CHECK(strstr(json_string_value(json_object_get(errors, "sku")), "navy-blazer") != NULL);
	json_object_clear(errors);

	/* a bad price: refused with a sentence next to the field, nothing changed */
	audits = count(db, "SELECT count(*) FROM audit_log");
	memset(&v, 0, sizeof(v));
	v.price = "129,50";
	v.stock = "40";
	v.active = -1;
	CHECK_INT(catalog_admin_variant_save(db, &dave, "navy-blazer", "NB-M", &v, "EUR", errors),
		  LV_EINVAL);
	CHECK(strstr(json_string_value(json_object_get(errors, "price")), "129.50") != NULL);
	CHECK_INT(count(db, "SELECT price FROM variants WHERE sku = 'NB-M'"), 12900);
	CHECK_INT(count(db, "SELECT stock FROM variants WHERE sku = 'NB-M'"), 12);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log"), audits);
	json_object_clear(errors);

	/* negative stock, a duplicate of the options, a bad slug, an unknown category */
	memset(&v, 0, sizeof(v));
	v.sku = "NB-M2";
	v.size = "M";
	v.colour = "Navy";
	v.fit = "Regular";
	v.price = "1";
	v.stock = "-3";
	v.active = -1;
	CHECK_INT(catalog_admin_variant_save(db, &dave, "navy-blazer", NULL, &v, "EUR", errors),
		  LV_EINVAL);
	CHECK(json_object_get(errors, "stock") != NULL);
	json_object_clear(errors);
	v.stock = "3";
	CHECK_INT(catalog_admin_variant_save(db, &dave, "navy-blazer", NULL, &v, "EUR", errors),
		  LV_EINVAL);
	CHECK(strstr(json_string_value(json_object_get(errors, "size")), "NB-M") != NULL);
	json_object_clear(errors);
	memset(&p, 0, sizeof(p));
	p.slug = "Bad Slug";
	p.name = "X";
	p.category = "nope";
	p.restricted = -1;
	p.active = -1;
	CHECK_INT(catalog_admin_product_save(db, &dave, NULL, &p, errors), LV_EINVAL);
	CHECK(json_object_get(errors, "slug") != NULL);
	CHECK(json_object_get(errors, "category") != NULL);
	json_object_clear(errors);
	p.slug = "navy-blazer";
	p.category = "uniforms";
	CHECK_INT(catalog_admin_product_save(db, &dave, NULL, &p, errors), LV_ECONFLICT);
	json_object_clear(errors);
	CHECK_INT(count(db, "SELECT count(*) FROM variants"), 1);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log"), audits);

	/* a category with products is not deleted; an empty one is */
	CHECK_INT(catalog_admin_category_delete(db, &dave, "uniforms", errors), LV_ECONFLICT);
	CHECK(strstr(json_string_value(json_object_get(errors, "category")), "2 products") != NULL);
	json_object_clear(errors);
	CHECK_INT(catalog_admin_category_save(db, &dave, NULL, "bags", "Bags", NULL, errors), LV_OK);
	CHECK_INT(catalog_admin_category_save(db, &dave, "bags", NULL, "Bags & cases", "0", errors),
		  LV_OK);
	CHECK_INT(count(db, "SELECT count(*) FROM categories WHERE name = 'Bags & cases'"
			" AND position = 0"), 1);
	CHECK_INT(catalog_admin_category_delete(db, &dave, "bags", errors), LV_OK);
	CHECK_INT(count(db, "SELECT count(*) FROM categories"), 1);
	json_decref(errors);
	fixture_db_drop(db);
}

static void test_images(void)
{
	static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\">"
				  "<rect width=\"4\" height=\"4\"/></svg>";
	static const char svg2[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\">"
				   "<circle r=\"2\"/></svg>";
	static const char evil[] = "<svg><script>alert(1)</script></svg>";
	struct lv_db *db = fixture_db_new("catadm", 1000, mini_csv);
	unsigned char *big;
	char msg[512];
	int64_t id;

	CHECK_INT(catalog_admin_image_put(db, &dave, "navy-blazer", 0, "pic.svg",
					  (const unsigned char *)svg, sizeof(svg) - 1, msg,
					  sizeof(msg)), LV_OK);
	id = count(db, "SELECT id FROM images");
	CHECK(id > 0);
	CHECK_INT(count(db, "SELECT image_url LIKE '/media/%.svg' FROM listing_products"), 1);
	CHECK_INT(catalog_admin_image_put(db, &dave, "navy-blazer", 0, "evil.svg",
					  (const unsigned char *)evil, sizeof(evil) - 1, msg,
					  sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, "PNG, JPEG, WebP or SVG") != NULL && strstr(msg, "2 MiB") != NULL);
	CHECK_INT(catalog_admin_image_put(db, &dave, "navy-blazer", 0, "pic.png",
					  (const unsigned char *)svg, sizeof(svg) - 1, msg,
					  sizeof(msg)), LV_EINVAL);
	CHECK(strstr(msg, ".svg") != NULL);
	big = calloc(1, CATALOG_IMAGE_MAX_BYTES + 1);
	memcpy(big, "\x89PNG\r\n\x1a\n", 8);
	CHECK_INT(catalog_admin_image_put(db, &dave, "navy-blazer", 0, "big.png", big,
					  CATALOG_IMAGE_MAX_BYTES + 1, msg, sizeof(msg)), LV_ETOOBIG);
	free(big);
	CHECK_INT(count(db, "SELECT count(*) FROM images"), 1);
	/* replace keeps the id */
	CHECK_INT(catalog_admin_image_put(db, &dave, "navy-blazer", id, "pic2.svg",
					  (const unsigned char *)svg2, sizeof(svg2) - 1, msg,
					  sizeof(msg)), LV_OK);
	CHECK_INT(count(db, "SELECT count(*) FROM images WHERE CAST(data AS TEXT) LIKE '%circle%'"), 1);
	CHECK_INT(count(db, "SELECT id FROM images"), id);
	CHECK_INT(catalog_admin_image_remove(db, &dave, "navy-blazer", id), LV_OK);
	CHECK_INT(count(db, "SELECT count(*) FROM images"), 0);
	CHECK_INT(count(db, "SELECT image_url IS NULL FROM listing_products"), 1);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action LIKE 'catalog.image.%'"), 3);
	fixture_db_drop(db);
}

static const char bad_csv[] =
	"category,category_name,product_slug,product_name,description,"
	"tags,restricted,sku,size,colour,fit,price,stock,image\n"
	"a,A,b,B,,,0,SKU1,,,,\"24,90\",1,\n"
	"a,A,b,B,,,0,SKU2,,,,1.00,1,nowhere.svg\n";

static void test_export_round_trip(void)
{
	struct catalog_import_report rep;
	const char *src = getenv("LV_SOURCE_DIR");
	struct lv_db *db;
	struct lv_buf a, b;
	char path[1024];
	int64_t n_variants, n_images;
	size_t i;

	if (src == NULL) {
		lv_test_skip("LV_SOURCE_DIR is not set (run through ctest)");
		return;
	}
	db = fixture_db_new("catadm", 1000, NULL);
	snprintf(path, sizeof(path), "%s/demo/catalog/catalog.csv", src);
	catalog_import_report_init(&rep);
	CHECK_INT(catalog_csv_import(db, path, "EUR", &rep), LV_OK);
	catalog_import_report_cleanup(&rep);
	n_variants = count(db, "SELECT count(*) FROM variants WHERE active = 1");
	n_images = count(db, "SELECT count(*) FROM images");

	lv_buf_init(&a, CATALOG_CSV_MAX_BYTES);
	lv_buf_init(&b, CATALOG_CSV_MAX_BYTES);
	CHECK_INT(catalog_csv_export(db, "EUR", &a), LV_OK);
	/* the demo file, read back as it was written: one line per variant and a header */
	{
		size_t lines = 0;

		for (i = 0; i < a.len; i++)
			lines += lv_buf_str(&a)[i] == '\n';
		CHECK(lines >= (size_t)n_variants + 1);
	}
	CHECK(strncmp(lv_buf_str(&a), "category,category_name,product_slug,product_name,"
		      "description,tags,restricted,sku,size,colour,fit,price,stock,image,logo\n",
		      110) == 0);

	/* change things the export must carry, then export, import, export */
	CHECK_INT(lv_db_exec(db, "UPDATE variants SET stock = stock + 1, price = price + 5"
			     " WHERE id % 3 = 0;"
			     "UPDATE products SET description = 'Line one' || char(10) ||"
			     " 'with \"quotes\", commas' WHERE id = 2;"
			     "UPDATE products SET name = '=HYPERLINK(\"http://x\")',"
			     " description = '-10% for new staff' WHERE id = 3;"), LV_OK);
	CHECK_INT(catalog_csv_export(db, "EUR", &a), LV_OK);
	catalog_import_report_init(&rep);
	CHECK_INT(catalog_admin_import(db, &dave, lv_buf_str(&a), a.len, "EUR", &rep), LV_OK);
	for (i = 0; i < rep.n_errors; i++)
		fprintf(stderr, "  | %s\n", rep.errors[i]);
	CHECK_INT(rep.deactivated_products, 0);
	CHECK_INT(rep.deactivated_variants, 0);
	catalog_import_report_cleanup(&rep);
	CHECK_INT(catalog_csv_export(db, "EUR", &b), LV_OK);
	CHECK_INT(a.len, b.len);
	CHECK(a.len == b.len && memcmp(lv_buf_str(&a), lv_buf_str(&b), a.len) == 0);
	CHECK_INT(count(db, "SELECT count(*) FROM variants WHERE active = 1"), n_variants);
	CHECK_INT(count(db, "SELECT count(*) FROM images"), n_images);
	CHECK_INT(count(db, "SELECT count(*) FROM products WHERE id = 2 AND description LIKE"
			" '%\"quotes\", commas'"), 1);
	/* a spreadsheet reads the formula-like cells as text; the import takes the guard off */
	CHECK(strstr(lv_buf_str(&a), ",\"'=HYPERLINK(\"\"http://x\"\")\",'-10% for new staff,") != NULL);
	CHECK_INT(count(db, "SELECT count(*) FROM products WHERE id = 3 AND"
			" name = '=HYPERLINK(\"http://x\")' AND description = '-10% for new staff'"), 1);
	CHECK_INT(count(db, "SELECT count(*) FROM audit_log WHERE action = 'catalog.import'"), 1);

	/* an import with errors changes nothing and says line and column */
	catalog_import_report_init(&rep);
	CHECK_INT(catalog_admin_import(db, &dave, bad_csv, strlen(bad_csv), "EUR", &rep),
		  LV_EINVAL);
	for (i = 0; i < rep.n_errors; i++)
		fprintf(stderr, "  | %s\n", rep.errors[i]);
	CHECK(rep.n_errors >= 2);
	CHECK(rep.n_errors > 0 && strstr(rep.errors[0], "line 2") != NULL);
	CHECK(rep.n_errors > 1 && strstr(rep.errors[rep.n_errors - 1], "line 3, column image") != NULL);
	catalog_import_report_cleanup(&rep);
	CHECK_INT(count(db, "SELECT count(*) FROM variants WHERE active = 1"), n_variants);
	lv_buf_cleanup(&a);
	lv_buf_cleanup(&b);
	fixture_db_drop(db);
}

static void test_list(void)
{
	struct lv_db *db = fixture_db_new("catadm", 1000, mini_csv);
	struct catalog_admin_query q = { 0 };
	json_t *out = NULL;

	q.search = "nb-m";
	CHECK_INT(catalog_admin_products_list(db, &q, &out), LV_OK);
	CHECK_INT(json_integer_value(json_object_get(out, "total")), 1);
	json_decref(out);
	q.search = "wool";
	CHECK_INT(catalog_admin_products_list(db, &q, &out), LV_OK);
	CHECK_INT(json_array_size(json_object_get(out, "items")), 1);
	json_decref(out);
	q.search = NULL;
	q.low_stock = 1;
	CHECK_INT(catalog_admin_products_list(db, &q, &out), LV_OK);
	CHECK_INT(json_array_size(json_object_get(out, "items")), 0);
	json_decref(out);
	q.low_stock = 0;
	q.status = "inactive";
	CHECK_INT(catalog_admin_products_list(db, &q, &out), LV_OK);
	CHECK_INT(json_array_size(json_object_get(out, "items")), 0);
	json_decref(out);
	fixture_db_drop(db);
}

int main(void)
{
	LV_RUN(test_product_create_edit);
	LV_RUN(test_refusals);
	LV_RUN(test_images);
	LV_RUN(test_export_round_trip);
	LV_RUN(test_list);
	return lv_test_done();
}
