/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * catalog_admin.c - the store admin's changes to the catalog (see
 * catalog_admin.h): reading products for the console in one query,
 * creating and changing products, variants, categories and pictures, each
 * in one transaction with its audit entry and the refresh of the
 * storefront's listing and search index, and the CSV export and the
 * console's import (catalog_csv_parse / catalog_csv_store with a picture
 * loader that reads the pictures the store already has).
 *
 * Values are checked with the rules of the CSV import (docs/catalog-csv.md)
 * so that whatever the console writes can be exported and imported again.
 */
#include "catalog_admin.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <string.h>

#include "catalog.h"
#include "lv_csv.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"

#define CA_NAME_MAX 120
#define CA_CATEGORY_NAME_MAX 100
#define CA_DESCRIPTION_MAX 4000
#define CA_OPTION_MAX 32
#define CA_TAG_MAX 32
#define CA_TAGS_MAX 20
#define CA_STOCK_MAX 10000000
#define CA_POSITION_MAX 1000000

/* ---- checks ---- */

/* Sets errors[field] to the formatted sentence unless the field has one. */
static void ca_err(json_t *errors, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void ca_err(json_t *errors, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (json_object_get(errors, field))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_set_new(errors, field, json_string(msg));
}

/* A slug: a-z, 0-9 and single '-' between them, 1..max characters. */
static int ca_slug_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-' && s[i + 1] == '-')
			return 0;
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	}
	return 1;
}

static int ca_sku_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/*
 * Checks free text for field: valid UTF-8, at most max bytes, no control
 * characters (tabs and line breaks too when multiline), no blanks around
 * it (the CSV would lose them). Sets errors[field]. Returns 1 when fine.
 */
static int ca_text_ok(json_t *errors, const char *field, const char *label, const char *s,
		      size_t min, size_t max, int multiline)
{
	size_t i, n = strlen(s);

	if (!catalog_utf8_valid(s, n)) {
		ca_err(errors, field, "The %s is not valid UTF-8 text.", label);
		return 0;
	}
	if (n < min) {
		ca_err(errors, field, "Write the %s.", label);
		return 0;
	}
	if (n > max) {
		ca_err(errors, field, "The %s is %zu bytes long: at most %zu are allowed.", label, n,
		       max);
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
			ca_err(errors, field, "The %s holds a control character%s; remove it.", label,
			       multiline ? "" : " or a line break");
			return 0;
		}
	}
	if (n && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]))) {
		ca_err(errors, field, "The %s starts or ends with a blank; remove it.", label);
		return 0;
	}
	return 1;
}

/*
 * Splits tags typed as "uniform, branch|hi-vis" into a new JSON array of
 * distinct slugs (in the order typed). Sets errors.tags and returns NULL
 * when one is not a tag.
 */
static json_t *ca_tags_parse(const char *s, json_t *errors)
{
	json_t *tags = json_array();
	const char *p = s;

	while (*p) {
		char tag[CA_TAG_MAX + 2];
		size_t n = 0, i, k;
		int seen = 0;

		while (*p == ',' || *p == '|' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		k = strcspn(p, ",| \t\r\n");
		for (i = 0; i < k && n <= CA_TAG_MAX; i++)
			tag[n++] = p[i];
		tag[n < sizeof(tag) ? n : sizeof(tag) - 1] = '\0';
		if (k > CA_TAG_MAX || !ca_slug_ok(tag, CA_TAG_MAX)) {
			ca_err(errors, "tags", "\"%.*s\" is not a tag: a tag is at most %d lowercase "
			       "letters, digits and single hyphens (hi-vis).", (int)(k > 40 ? 40 : k),
			       p, CA_TAG_MAX);
			json_decref(tags);
			return NULL;
		}
		for (i = 0; i < json_array_size(tags); i++)
			if (strcmp(json_string_value(json_array_get(tags, i)), tag) == 0)
				seen = 1;
		if (!seen)
			json_array_append_new(tags, json_string(tag));
		p += k;
	}
	if (json_array_size(tags) > CA_TAGS_MAX) {
		ca_err(errors, "tags", "There are %zu tags: a product has at most %d.",
		       json_array_size(tags), CA_TAGS_MAX);
		json_decref(tags);
		return NULL;
	}
	return tags;
}

/* ---- statements ---- */

static int ca_step_done(struct lv_db *db, sqlite3_stmt *st)
{
	int src = sqlite3_step(st), rc = LV_OK;

	if (src != SQLITE_DONE && src != SQLITE_ROW) {
		lv_error("catalog_admin", "code=%d error=\"%s\"", src, sqlite3_errmsg(db->conn));
		rc = (src & 0xff) == SQLITE_BUSY ? LV_ECONFLICT
		     : (src & 0xff) == SQLITE_CONSTRAINT ? LV_ECONFLICT : LV_EINTERNAL;
	}
	lv_db_done(st);
	return rc;
}

/* Runs sql (one row, one JSON text column, ?1 = key) and parses it. OUT: *out. */
static int ca_json_row(struct lv_db *db, const char *sql, const char *key, int64_t id,
		       json_t **out)
{
	sqlite3_stmt *st = NULL;
	int rc = lv_db_stmt(db, sql, &st), src;

	*out = NULL;
	if (rc != LV_OK)
		return rc;
	if (key)
		lv_db_bind_text(st, 1, key);
	else
		sqlite3_bind_int64(st, 1, id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		*out = json_loads((const char *)sqlite3_column_text(st, 0), JSON_DECODE_ANY, NULL);
		rc = *out ? LV_OK : LV_EINTERNAL;
	} else if (src == SQLITE_DONE) {
		rc = LV_ENOTFOUND;
	} else {
		lv_error("catalog_admin", "code=%d error=\"%s\"", src, sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
	lv_db_done(st);
	return rc;
}

#define CA_PRODUCT_JSON                                                                       \
	"SELECT json_object('id', p.id, 'slug', p.slug, 'name', p.name,"                       \
	" 'description', p.description,"                                                      \
	" 'category', json_object('slug', c.slug, 'name', c.name),"                           \
	" 'tags', (SELECT json_group_array(t.tag) FROM (SELECT tag FROM product_tags"         \
	"  WHERE product_id = p.id ORDER BY tag) t),"                                         \
	" 'restricted', p.restricted, 'active', p.active"

static const char sql_product_get[] =
	CA_PRODUCT_JSON ","
	" 'images', (SELECT json_group_array(json_object('id', i.id, 'name', i.name,"
	"  'content_type', i.content_type, 'url', " CATALOG_SQL_MEDIA_URL("i") "))"
	"  FROM (SELECT id, name, content_type, sha256 FROM images WHERE product_id = p.id"
	"  ORDER BY position, id) i),"
	" 'variants', (SELECT json_group_array(json_object('sku', v.sku, 'size', v.size,"
	"  'colour', v.colour, 'fit', v.fit, 'logo', v.logo, 'price', v.price,"
	"  'stock', v.stock, 'active', v.active, 'image_id', v.image_id))"
	"  FROM (SELECT * FROM variants WHERE product_id = p.id"
	"  ORDER BY active DESC, position, id) v))"
	" FROM products p JOIN categories c ON c.id = p.category_id WHERE p.slug = ?1";

/* The product as the audit log shows it (no variants, no pictures). */
static const char sql_product_audit[] =
	CA_PRODUCT_JSON ") FROM products p JOIN categories c ON c.id = p.category_id"
	" WHERE p.id = ?1";

static const char sql_variant_audit[] =
	"SELECT json_object('product', p.slug, 'sku', v.sku, 'size', v.size,"
	" 'colour', v.colour, 'fit', v.fit, 'logo', v.logo, 'price', v.price,"
	" 'stock', v.stock, 'active', v.active)"
	" FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = ?1";

static const char sql_category_audit[] =
	"SELECT json_object('slug', slug, 'name', name, 'position', position)"
	" FROM categories WHERE id = ?1";

/* ---- reading ---- */

int catalog_admin_product_get(struct lv_db *db, const char *slug, json_t **out)
{
	return ca_json_row(db, sql_product_get, slug, 0, out);
}

static const char sql_products_list[] =
	"SELECT p.slug, p.name, c.slug, c.name, p.active, p.restricted,"
	" (SELECT count(*) FROM variants v WHERE v.product_id = p.id AND v.active = 1),"
	" (SELECT coalesce(sum(v.stock), 0) FROM variants v WHERE v.product_id = p.id"
	"  AND v.active = 1),"
	" EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.active = 1"
	"  AND v.stock <= ?5),"
	" (SELECT min(v.price) FROM variants v WHERE v.product_id = p.id AND v.active = 1),"
	" (SELECT max(v.price) FROM variants v WHERE v.product_id = p.id AND v.active = 1),"
	" (SELECT " CATALOG_SQL_MEDIA_URL("i") " FROM images i WHERE i.product_id = p.id"
	"  ORDER BY i.position, i.id LIMIT 1),"
	" count(*) OVER ()"
	" FROM products p JOIN categories c ON c.id = p.category_id"
	" WHERE (?1 IS NULL OR c.slug = ?1)"
	" AND (?2 IS NULL OR p.active = ?2)"
	" AND (?3 IS NULL OR p.restricted = ?3)"
	" AND (?4 = 0 OR EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id"
	"  AND v.active = 1 AND v.stock <= ?5))"
	" AND (?6 IS NULL OR p.slug = lower(?7)"
	"  OR p.id IN (SELECT rowid FROM product_fts WHERE product_fts MATCH ?6)"
	"  OR p.id IN (SELECT product_id FROM variants WHERE sku = ?7 COLLATE NOCASE))"
	" ORDER BY c.position, c.name, p.position, p.id LIMIT ?8 OFFSET ?9";

int catalog_admin_products_list(struct lv_db *db, const struct catalog_admin_query *q,
				json_t **out)
{
	sqlite3_stmt *st = NULL;
	struct lv_buf fts;
	json_t *items = json_array();
	int64_t total = 0;
	int page = q->page < 1 ? 1 : q->page > 100000 ? 100000 : q->page;
	int per = q->per_page <= 0 ? CATALOG_ADMIN_PER_PAGE
		  : q->per_page > CATALOG_ADMIN_PER_PAGE_MAX ? CATALOG_ADMIN_PER_PAGE_MAX
							    : q->per_page;
	int rc, src, words = 0;

	*out = NULL;
	lv_buf_init(&fts, 4096);
	if (q->search && *q->search)
		words = catalog_fts_query(q->search, &fts);
	rc = lv_db_stmt(db, sql_products_list, &st);
	if (rc != LV_OK)
		goto out;
	if (q->category && *q->category)
		lv_db_bind_text(st, 1, q->category);
	if (q->status && strcmp(q->status, "active") == 0)
		sqlite3_bind_int(st, 2, 1);
	else if (q->status && strcmp(q->status, "inactive") == 0)
		sqlite3_bind_int(st, 2, 0);
	if (q->restricted && (strcmp(q->restricted, "1") == 0 || strcmp(q->restricted, "0") == 0))
		sqlite3_bind_int(st, 3, q->restricted[0] - '0');
	sqlite3_bind_int(st, 4, q->low_stock ? 1 : 0);
	sqlite3_bind_int(st, 5, CATALOG_ADMIN_LOW_STOCK);
	if (q->search && *q->search) {
		/* text without a word still finds a SKU or a slug */
		lv_db_bind_text(st, 6, words ? lv_buf_str(&fts) : "\"\"");
		lv_db_bind_text(st, 7, q->search);
	}
	sqlite3_bind_int(st, 8, per);
	sqlite3_bind_int64(st, 9, (int64_t)(page - 1) * per);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *it = json_pack("{s:s,s:s,s:{s:s,s:s},s:b,s:b,s:i,s:I,s:b}",
				       "slug", sqlite3_column_text(st, 0),
				       "name", sqlite3_column_text(st, 1),
				       "category", "slug", sqlite3_column_text(st, 2),
				       "name", sqlite3_column_text(st, 3),
				       "active", sqlite3_column_int(st, 4),
				       "restricted", sqlite3_column_int(st, 5),
				       "variants", sqlite3_column_int(st, 6),
				       "stock", (json_int_t)sqlite3_column_int64(st, 7),
				       "low", sqlite3_column_int(st, 8));

		json_object_set_new(it, "price_min", sqlite3_column_type(st, 9) == SQLITE_NULL
			? json_null() : json_integer(sqlite3_column_int64(st, 9)));
		json_object_set_new(it, "price_max", sqlite3_column_type(st, 10) == SQLITE_NULL
			? json_null() : json_integer(sqlite3_column_int64(st, 10)));
		json_object_set_new(it, "image_url", sqlite3_column_type(st, 11) == SQLITE_NULL
			? json_null() : json_string((const char *)sqlite3_column_text(st, 11)));
		total = sqlite3_column_int64(st, 12);
		json_array_append_new(items, it);
	}
	if (src != SQLITE_DONE) {
		lv_error("catalog_admin_list", "code=%d error=\"%s\"", src, sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
	lv_db_done(st);
	if (rc == LV_OK) {
		*out = json_pack("{s:O,s:I,s:i,s:i}", "items", items, "total", (json_int_t)total,
				 "page", page, "per_page", per);
	}
out:
	json_decref(items);
	lv_buf_cleanup(&fts);
	return rc;
}

static int ca_rows_json(struct lv_db *db, const char *sql, json_t **out)
{
	sqlite3_stmt *st = NULL;
	int rc = lv_db_stmt(db, sql, &st), src;

	*out = NULL;
	if (rc != LV_OK)
		return rc;
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		*out = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	lv_db_done(st);
	return *out ? LV_OK : LV_EINTERNAL;
}

int catalog_admin_categories_list(struct lv_db *db, json_t **out)
{
	static const char sql[] =
		"SELECT json_group_array(json_object('slug', slug, 'name', name,"
		" 'position', position, 'products', n, 'active_products', a)) FROM ("
		" SELECT c.slug, c.name, c.position,"
		"  (SELECT count(*) FROM products p WHERE p.category_id = c.id) n,"
		"  (SELECT count(*) FROM products p WHERE p.category_id = c.id AND p.active = 1) a"
		" FROM categories c ORDER BY c.position, c.name LIMIT 1000)";

	return ca_rows_json(db, sql, out);
}

int catalog_admin_tags_list(struct lv_db *db, json_t **out)
{
	static const char sql[] =
		"SELECT json_group_array(json_object('tag', tag, 'products', n,"
		" 'active_products', a)) FROM ("
		" SELECT t.tag, count(*) n, sum(p.active) a FROM product_tags t"
		" JOIN products p ON p.id = t.product_id GROUP BY t.tag ORDER BY t.tag LIMIT 1000)";

	return ca_rows_json(db, sql, out);
}

/* ---- products ---- */

static int ca_id(struct lv_db *db, const char *sql, const char *key, int64_t *id)
{
	int rc = lv_db_lookup_id(db, sql, key, id);

	return rc;
}

/* Makes a change visible: the product's listing and, when asked, the search index. */
static int ca_refresh(struct lv_db *db, int64_t product_id, int reindex)
{
	int rc = catalog_listing_refresh(db, product_id);

	if (rc == LV_OK && reindex)
		rc = catalog_search_reindex(db);
	return rc;
}

int catalog_admin_product_save(struct lv_db *db, const struct audit_actor *who,
			       const char *slug, const struct catalog_product_input *in,
			       json_t *errors)
{
	sqlite3_stmt *st = NULL;
	json_t *before = NULL, *after = NULL, *tags = NULL;
	int64_t id = 0, category = 0, now = lv_now();
	int rc, own = 0, in_tx = 0;
	size_t i;

	/* what the fields say, before the database is touched */
	if (slug == NULL) {
		if (in->slug == NULL || !ca_slug_ok(in->slug, 64))
			ca_err(errors, "slug", "Write the product's identifier: lowercase letters, "
			       "digits and single hyphens, at most 64 (navy-blazer). It is in the "
			       "store's addresses and never changes.");
		if (in->name == NULL)
			ca_err(errors, "name", "Write the product's name.");
		if (in->category == NULL || *in->category == '\0')
			ca_err(errors, "category", "Choose the product's category.");
	}
	if (in->name)
		ca_text_ok(errors, "name", "name", in->name, 1, CA_NAME_MAX, 0);
	if (in->description)
		ca_text_ok(errors, "description", "description", in->description, 0,
			   CA_DESCRIPTION_MAX, 1);
	if (in->tags)
		tags = ca_tags_parse(in->tags, errors);

	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	in_tx = 1;
	if (in->category && *in->category &&
	    ca_id(db, "SELECT id FROM categories WHERE slug = ?1", in->category, &category) != LV_OK)
		ca_err(errors, "category", "There is no category \"%s\": choose one of the list.",
		       in->category);
	if (slug) {
		rc = ca_id(db, "SELECT id FROM products WHERE slug = ?1", slug, &id);
		if (rc != LV_OK)
			goto out;
		rc = ca_json_row(db, sql_product_audit, NULL, id, &before);
		if (rc != LV_OK)
			goto out;
	} else if (in->slug && json_object_get(errors, "slug") == NULL &&
		   ca_id(db, "SELECT id FROM products WHERE slug = ?1", in->slug, &id) == LV_OK) {
		ca_err(errors, "slug", "A product with the identifier \"%s\" exists already: "
		       "choose another, or open that one.", in->slug);
		rc = LV_ECONFLICT;
		goto out;
	}
	if (json_object_size(errors)) {
		rc = LV_EINVAL;
		goto out;
	}

	if (slug == NULL) {
		rc = lv_db_stmt(db, "INSERT INTO products(slug, name, description, category_id,"
				" restricted, active, position, created_at, updated_at)"
				" VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
				" (SELECT coalesce(max(position) + 1, 0) FROM products), ?7, ?7)"
				" RETURNING id", &st);
		if (rc != LV_OK)
			goto out;
		lv_db_bind_text(st, 1, in->slug);
		lv_db_bind_text(st, 2, in->name);
		lv_db_bind_text(st, 3, in->description ? in->description : "");
		sqlite3_bind_int64(st, 4, category);
		sqlite3_bind_int(st, 5, in->restricted == 1);
		sqlite3_bind_int(st, 6, in->active != 0);
		sqlite3_bind_int64(st, 7, now);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		else
			rc = LV_EINTERNAL;
		lv_db_done(st);
	} else {
		rc = lv_db_stmt(db, "UPDATE products SET name = coalesce(?2, name),"
				" description = coalesce(?3, description),"
				" category_id = coalesce(?4, category_id),"
				" restricted = coalesce(?5, restricted), active = coalesce(?6, active),"
				" updated_at = ?7 WHERE id = ?1", &st);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		lv_db_bind_text(st, 2, in->name);
		lv_db_bind_text(st, 3, in->description);
		if (category)
			sqlite3_bind_int64(st, 4, category);
		if (in->restricted >= 0)
			sqlite3_bind_int(st, 5, in->restricted != 0);
		if (in->active >= 0)
			sqlite3_bind_int(st, 6, in->active != 0);
		sqlite3_bind_int64(st, 7, now);
		rc = ca_step_done(db, st);
	}
	if (rc != LV_OK)
		goto out;
	if (tags) {
		json_t *t;
		int same = 0;

		/* the generation counter moves on every tag row written: leave equal tags alone */
		if (before && json_array_size(json_object_get(before, "tags")) == json_array_size(tags)) {
			same = 1;
			json_array_foreach(tags, i, t) {
				size_t k;
				int found = 0;

				for (k = 0; k < json_array_size(json_object_get(before, "tags")); k++)
					if (json_equal(json_array_get(json_object_get(before, "tags"), k), t))
						found = 1;
				same &= found;
			}
		}
		if (!same) {
			rc = lv_db_stmt(db, "DELETE FROM product_tags WHERE product_id = ?1", &st);
			if (rc != LV_OK)
				goto out;
			sqlite3_bind_int64(st, 1, id);
			rc = ca_step_done(db, st);
			json_array_foreach(tags, i, t) {
				if (rc != LV_OK)
					break;
				rc = lv_db_stmt(db, "INSERT INTO product_tags(product_id, tag)"
						" VALUES(?1, ?2)", &st);
				if (rc != LV_OK)
					break;
				sqlite3_bind_int64(st, 1, id);
				lv_db_bind_text(st, 2, json_string_value(t));
				rc = ca_step_done(db, st);
			}
			if (rc != LV_OK)
				goto out;
		}
	}
	rc = ca_refresh(db, id, 1);
	if (rc != LV_OK)
		goto out;
	rc = ca_json_row(db, sql_product_audit, NULL, id, &after);
	if (rc != LV_OK)
		goto out;
	json_object_del(after, "id");
	if (before)
		json_object_del(before, "id");
	rc = audit_append(db, who, slug ? "catalog.product.update" : "catalog.product.create",
			  "product", slug ? slug : in->slug, before, after);
	in_tx = 0;
	rc = lv_db_tx_end(db, own, rc);
out:
	if (in_tx)
		lv_db_tx_end(db, own, rc == LV_OK ? LV_EINVAL : rc);
	json_decref(tags);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* ---- variants ---- */

/* The value of a variant text field: what was typed, else what it had, else "". */
static const char *ca_pick(const char *typed, const json_t *before, const char *key)
{
	const char *had = json_string_value(json_object_get(before, key));

	return typed ? typed : had ? had : "";
}

int catalog_admin_variant_save(struct lv_db *db, const struct audit_actor *who,
			       const char *slug, const char *sku,
			       const struct catalog_variant_input *in, const char *currency,
			       json_t *errors)
{
	static const char *const opts[4][2] = { { "size", "size" }, { "colour", "colour" },
						  { "fit", "fit" }, { "logo", "logo option" } };
	sqlite3_stmt *st = NULL;
	json_t *before = NULL, *after = NULL;
	const char *vals[4];
	int64_t product = 0, id = 0, price = 0, stock = 0, now = lv_now();
	int rc, own = 0, in_tx = 0, active;
	char msg[256];
	size_t k;

	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	in_tx = 1;
	rc = ca_id(db, "SELECT id FROM products WHERE slug = ?1", slug, &product);
	if (rc != LV_OK)
		goto out;
	if (sku) {
		rc = lv_db_stmt(db, "SELECT id FROM variants WHERE sku = ?1 AND product_id = ?2", &st);
		if (rc != LV_OK)
			goto out;
		lv_db_bind_text(st, 1, sku);
		sqlite3_bind_int64(st, 2, product);
		rc = sqlite3_step(st) == SQLITE_ROW ? LV_OK : LV_ENOTFOUND;
		if (rc == LV_OK)
			id = sqlite3_column_int64(st, 0);
		lv_db_done(st);
		if (rc != LV_OK)
			goto out;
		rc = ca_json_row(db, sql_variant_audit, NULL, id, &before);
		if (rc != LV_OK)
			goto out;
	} else if (in->sku == NULL || !ca_sku_ok(in->sku)) {
		ca_err(errors, "sku", "Write the SKU: letters, digits, '.', '_' and '-', at most 64 "
		       "characters (NW-001-NV-M).");
	} else {
		rc = lv_db_stmt(db, "SELECT p.slug FROM variants v JOIN products p"
				" ON p.id = v.product_id WHERE v.sku = ?1", &st);
		if (rc != LV_OK)
			goto out;
		lv_db_bind_text(st, 1, in->sku);
		if (sqlite3_step(st) == SQLITE_ROW)
			ca_err(errors, "sku", "The SKU \"%s\" is already used by product \"%s\": "
			       "every variant needs its own.", in->sku, sqlite3_column_text(st, 0));
		lv_db_done(st);
		if (json_object_get(errors, "sku")) {
			rc = LV_ECONFLICT;
			goto out;
		}
	}
	for (k = 0; k < 4; k++) {
		vals[k] = ca_pick(k == 0 ? in->size : k == 1 ? in->colour : k == 2 ? in->fit
										    : in->logo,
				  before, opts[k][0]);
		ca_text_ok(errors, opts[k][0], opts[k][1], vals[k], 0, CA_OPTION_MAX, 0);
	}
	if (in->price) {
		if (catalog_price_parse(in->price, currency, &price, msg, sizeof(msg)) != LV_OK)
			ca_err(errors, "price", "%s.", msg);
		else if (price > 99999999900LL)
			ca_err(errors, "price", "The price is too large.");
	} else if (before) {
		price = json_integer_value(json_object_get(before, "price"));
	} else {
		ca_err(errors, "price", "Write the price, for example 24.90.");
	}
	if (in->stock) {
		if (lv_parse_i64(in->stock, 0, CA_STOCK_MAX, &stock) != LV_OK)
			ca_err(errors, "stock", "The stock is a whole number from 0 to %d: \"%.32s\" "
			       "is not.", CA_STOCK_MAX, in->stock);
	} else if (before) {
		stock = json_integer_value(json_object_get(before, "stock"));
	} else {
		ca_err(errors, "stock", "Write how many are in stock (0 or more).");
	}
	active = in->active >= 0 ? in->active != 0
		 : before ? (int)json_integer_value(json_object_get(before, "active")) : 1;
	if (active && json_object_size(errors) == 0) {
		rc = lv_db_stmt(db, "SELECT sku FROM variants WHERE product_id = ?1 AND active = 1"
				" AND size = ?2 AND colour = ?3 AND fit = ?4 AND logo = ?5"
				" AND id <> ?6", &st);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(st, 1, product);
		for (k = 0; k < 4; k++)
			lv_db_bind_text(st, (int)k + 2, vals[k]);
		sqlite3_bind_int64(st, 6, id);
		if (sqlite3_step(st) == SQLITE_ROW)
			ca_err(errors, "size", "The variant %s has this size, colour, fit and logo "
			       "already: change one of them.", sqlite3_column_text(st, 0));
		lv_db_done(st);
	}
	if (json_object_size(errors)) {
		rc = LV_EINVAL;
		goto out;
	}
	if (sku == NULL) {
		rc = lv_db_stmt(db, "INSERT INTO variants(product_id, sku, size, colour, fit, logo,"
				" price, stock, active, position, created_at, updated_at)"
				" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, (SELECT coalesce("
				" max(position) + 1, 0) FROM variants WHERE product_id = ?1), ?10, ?10)"
				" RETURNING id", &st);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(st, 1, product);
		lv_db_bind_text(st, 2, in->sku);
	} else {
		rc = lv_db_stmt(db, "UPDATE variants SET size = ?3, colour = ?4, fit = ?5, logo = ?6,"
				" price = ?7, stock = ?8, active = ?9, updated_at = ?10"
				" WHERE id = ?1 RETURNING id", &st);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
	}
	for (k = 0; k < 4; k++)
		lv_db_bind_text(st, (int)k + 3, vals[k]);
	sqlite3_bind_int64(st, 7, price);
	sqlite3_bind_int64(st, 8, stock);
	sqlite3_bind_int(st, 9, active);
	sqlite3_bind_int64(st, 10, now);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
	} else {
		lv_error("catalog_admin_variant", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
	lv_db_done(st);
	if (rc != LV_OK)
		goto out;
	rc = ca_refresh(db, product, 0);
	if (rc != LV_OK)
		goto out;
	rc = ca_json_row(db, sql_variant_audit, NULL, id, &after);
	if (rc != LV_OK)
		goto out;
	rc = audit_append(db, who, sku ? "catalog.variant.update" : "catalog.variant.create",
			  "variant", sku ? sku : in->sku, before, after);
	in_tx = 0;
	rc = lv_db_tx_end(db, own, rc);
out:
	if (in_tx)
		lv_db_tx_end(db, own, rc == LV_OK ? LV_EINVAL : rc);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* ---- categories ---- */

int catalog_admin_category_save(struct lv_db *db, const struct audit_actor *who,
				const char *slug, const char *new_slug, const char *name,
				const char *position, json_t *errors)
{
	sqlite3_stmt *st = NULL;
	json_t *before = NULL, *after = NULL;
	int64_t id = 0, pos = -1;
	int rc, own = 0, in_tx = 0;

	if (slug == NULL && (new_slug == NULL || !ca_slug_ok(new_slug, 64)))
		ca_err(errors, "slug", "Write the category's identifier: lowercase letters, digits "
		       "and single hyphens, at most 64 (safety-gear).");
	if (slug == NULL && name == NULL)
		ca_err(errors, "name", "Write the category's name.");
	if (name)
		ca_text_ok(errors, "name", "name", name, 1, CA_CATEGORY_NAME_MAX, 0);
	if (position && *position && lv_parse_i64(position, 0, CA_POSITION_MAX, &pos) != LV_OK)
		ca_err(errors, "position", "The position is a whole number from 0 to %d.",
		       CA_POSITION_MAX);
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	in_tx = 1;
	if (slug) {
		rc = ca_id(db, "SELECT id FROM categories WHERE slug = ?1", slug, &id);
		if (rc != LV_OK)
			goto out;
		rc = ca_json_row(db, sql_category_audit, NULL, id, &before);
		if (rc != LV_OK)
			goto out;
	} else if (json_object_get(errors, "slug") == NULL &&
		   ca_id(db, "SELECT id FROM categories WHERE slug = ?1", new_slug, &id) == LV_OK) {
		ca_err(errors, "slug", "A category with the identifier \"%s\" exists already.",
		       new_slug);
		rc = LV_ECONFLICT;
		goto out;
	}
	if (json_object_size(errors)) {
		rc = LV_EINVAL;
		goto out;
	}
	if (slug == NULL) {
		rc = lv_db_stmt(db, "INSERT INTO categories(slug, name, position) VALUES(?1, ?2,"
				" coalesce(?3, (SELECT coalesce(max(position) + 1, 0) FROM categories)))"
				" RETURNING id", &st);
		if (rc != LV_OK)
			goto out;
		lv_db_bind_text(st, 1, new_slug);
	} else {
		rc = lv_db_stmt(db, "UPDATE categories SET name = coalesce(?2, name),"
				" position = coalesce(?3, position) WHERE id = ?1 RETURNING id", &st);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
	}
	lv_db_bind_text(st, 2, name);
	if (pos >= 0)
		sqlite3_bind_int64(st, 3, pos);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		rc = LV_EINTERNAL;
	lv_db_done(st);
	if (rc != LV_OK)
		goto out;
	/* a new position reorders the listing; a new name is searched */
	rc = ca_refresh(db, 0, slug != NULL && name != NULL);
	if (rc != LV_OK)
		goto out;
	rc = ca_json_row(db, sql_category_audit, NULL, id, &after);
	if (rc != LV_OK)
		goto out;
	rc = audit_append(db, who, slug ? "catalog.category.update" : "catalog.category.create",
			  "category", slug ? slug : new_slug, before, after);
	in_tx = 0;
	rc = lv_db_tx_end(db, own, rc);
out:
	if (in_tx)
		lv_db_tx_end(db, own, rc == LV_OK ? LV_EINVAL : rc);
	json_decref(before);
	json_decref(after);
	return rc;
}

int catalog_admin_category_delete(struct lv_db *db, const struct audit_actor *who,
				  const char *slug, json_t *errors)
{
	sqlite3_stmt *st = NULL;
	json_t *before = NULL;
	int64_t id = 0, n = 0;
	int rc, own = 0, in_tx = 0;

	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	in_tx = 1;
	rc = ca_id(db, "SELECT id FROM categories WHERE slug = ?1", slug, &id);
	if (rc != LV_OK)
		goto out;
	rc = ca_json_row(db, sql_category_audit, NULL, id, &before);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_stmt(db, "SELECT count(*) FROM products WHERE category_id = ?1", &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	lv_db_done(st);
	if (n > 0) {
		ca_err(errors, "category", "The category \"%s\" holds %lld product%s (active or "
		       "not): it cannot be deleted. Move them to another category first.", slug,
		       (long long)n, n == 1 ? "" : "s");
		rc = LV_ECONFLICT;
		goto out;
	}
	rc = lv_db_stmt(db, "UPDATE categories SET parent_id = NULL WHERE parent_id = ?1", &st);
	if (rc == LV_OK) {
		sqlite3_bind_int64(st, 1, id);
		rc = ca_step_done(db, st);
	}
	if (rc == LV_OK)
		rc = lv_db_stmt(db, "DELETE FROM categories WHERE id = ?1", &st);
	if (rc == LV_OK) {
		sqlite3_bind_int64(st, 1, id);
		rc = ca_step_done(db, st);
	}
	if (rc == LV_OK)
		rc = audit_append(db, who, "catalog.category.delete", "category", slug, before, NULL);
	in_tx = 0;
	rc = lv_db_tx_end(db, own, rc);
out:
	if (in_tx)
		lv_db_tx_end(db, own, rc == LV_OK ? LV_EINVAL : rc);
	json_decref(before);
	return rc;
}

/* ---- pictures ---- */

static const char sql_image_audit[] =
	"SELECT json_object('id', id, 'name', name, 'content_type', content_type,"
	" 'sha256', sha256, 'bytes', length(data)) FROM images WHERE id = ?1";

int catalog_admin_image_put(struct lv_db *db, const struct audit_actor *who, const char *slug,
			    int64_t replace, const char *filename, const unsigned char *data,
			    size_t len, char *msg, size_t msglen)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[65], name[128], why[256];
	const char *type = NULL, *ext;
	sqlite3_stmt *st = NULL;
	json_t *before = NULL, *after = NULL;
	int64_t product = 0, id = 0, n = 0;
	int rc, own = 0, in_tx = 0, src;

	msg[0] = '\0';
	why[0] = '\0';
	rc = catalog_image_check(data, len, filename ? filename : "", &type, why, sizeof(why));
	if (rc != LV_OK) {
		lv_snprintf(msg, msglen, "The picture %s. Upload a PNG, JPEG, WebP or SVG picture "
			    "of at most %u MiB, whose name ends in .png, .jpg, .jpeg, .webp or .svg.",
			    why, CATALOG_IMAGE_MAX_BYTES >> 20);
		goto out;
	}
	ext = strcmp(type, "image/png") == 0 ? "png" : strcmp(type, "image/jpeg") == 0 ? "jpg"
		: strcmp(type, "image/webp") == 0 ? "webp" : "svg";
	crypto_hash_sha256(hash, data, len);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	lv_snprintf(name, sizeof(name), "uploads/%s-%.8s.%s", slug, hex, ext);

	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	in_tx = 1;
	rc = ca_id(db, "SELECT id FROM products WHERE slug = ?1", slug, &product);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_stmt(db, "SELECT count(*), sum(id = ?2), max(CASE WHEN name = ?3 THEN id END)"
			" FROM images WHERE product_id = ?1", &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, product);
	sqlite3_bind_int64(st, 2, replace);
	lv_db_bind_text(st, 3, name);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		if (replace && sqlite3_column_int(st, 1) == 0)
			rc = LV_ENOTFOUND;
		id = sqlite3_column_int64(st, 2);
	}
	lv_db_done(st);
	if (rc != LV_OK)
		goto out;
	if (id && id != replace) {
		lv_snprintf(msg, msglen, "This product has that picture already.");
		rc = LV_ECONFLICT;
		goto out;
	}
	if (!replace && n >= CATALOG_ADMIN_IMAGES_MAX) {
		lv_snprintf(msg, msglen, "This product has %d pictures, the most it may have: "
			    "remove or replace one.", CATALOG_ADMIN_IMAGES_MAX);
		rc = LV_ECONFLICT;
		goto out;
	}
	if (replace) {
		rc = ca_json_row(db, sql_image_audit, NULL, replace, &before);
		if (rc != LV_OK)
			goto out;
		rc = lv_db_stmt(db, "UPDATE images SET name = ?2, content_type = ?3, data = ?4,"
				" sha256 = ?5 WHERE id = ?1 RETURNING id", &st);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(st, 1, replace);
	} else {
		rc = lv_db_stmt(db, "INSERT INTO images(product_id, name, content_type, data, sha256,"
				" position) VALUES(?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(position)"
				" + 1, 0) FROM images WHERE product_id = ?1)) RETURNING id", &st);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(st, 1, product);
	}
	lv_db_bind_text(st, 2, name);
	lv_db_bind_text(st, 3, type);
	sqlite3_bind_blob64(st, 4, data, len, SQLITE_STATIC);
	lv_db_bind_text(st, 5, hex);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
	} else {
		lv_error("catalog_admin_image", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
	lv_db_done(st);
	if (rc != LV_OK)
		goto out;
	rc = ca_refresh(db, product, 0);
	if (rc == LV_OK)
		rc = ca_json_row(db, sql_image_audit, NULL, id, &after);
	if (rc == LV_OK) {
		json_object_set_new(after, "product", json_string(slug));
		rc = audit_append(db, who, replace ? "catalog.image.replace" : "catalog.image.add",
				  "product", slug, before, after);
	}
	in_tx = 0;
	rc = lv_db_tx_end(db, own, rc);
out:
	if (in_tx)
		lv_db_tx_end(db, own, rc == LV_OK ? LV_EINVAL : rc);
	json_decref(before);
	json_decref(after);
	return rc;
}

int catalog_admin_image_remove(struct lv_db *db, const struct audit_actor *who, const char *slug,
			       int64_t id)
{
	sqlite3_stmt *st = NULL;
	json_t *before = NULL;
	int64_t product = 0;
	int rc, own = 0, in_tx = 0, changes = 0;

	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	in_tx = 1;
	rc = ca_id(db, "SELECT id FROM products WHERE slug = ?1", slug, &product);
	if (rc != LV_OK)
		goto out;
	rc = ca_json_row(db, sql_image_audit, NULL, id, &before);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_stmt(db, "DELETE FROM images WHERE id = ?1 AND product_id = ?2", &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, product);
	rc = ca_step_done(db, st);
	changes = sqlite3_changes(db->conn);
	if (rc == LV_OK && changes == 0)
		rc = LV_ENOTFOUND;
	if (rc == LV_OK)
		rc = ca_refresh(db, product, 0);
	if (rc == LV_OK) {
		json_object_set_new(before, "product", json_string(slug));
		rc = audit_append(db, who, "catalog.image.remove", "product", slug, before, NULL);
	}
	in_tx = 0;
	rc = lv_db_tx_end(db, own, rc);
out:
	if (in_tx)
		lv_db_tx_end(db, own, rc == LV_OK ? LV_EINVAL : rc);
	json_decref(before);
	return rc;
}

/* ---- CSV ---- */

static const char sql_export[] =
	"SELECT c.slug, c.name, p.slug, p.name, p.description,"
	" coalesce((SELECT group_concat(t.tag, '|') FROM (SELECT tag FROM product_tags"
	"  WHERE product_id = p.id ORDER BY tag) t), ''),"
	" p.restricted, v.sku, v.size, v.colour, v.fit, v.price, v.stock,"
	" coalesce(vi.name, (SELECT i.name FROM images i WHERE i.product_id = p.id"
	"  ORDER BY i.position, i.id LIMIT 1), ''), v.logo"
	" FROM variants v JOIN products p ON p.id = v.product_id"
	" JOIN categories c ON c.id = p.category_id"
	" LEFT JOIN images vi ON vi.id = v.image_id AND vi.product_id = p.id"
	" WHERE v.active = 1 AND p.active = 1"
	" ORDER BY c.position, c.name, c.id, p.position, p.id, v.position, v.id";

int catalog_csv_export(struct lv_db *db, const char *currency, struct lv_buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc, src, c;

	lv_buf_reset(out);
	lv_buf_append_str(out, "category,category_name,product_slug,product_name,description,"
			  "tags,restricted,sku,size,colour,fit,price,stock,image,logo\n");
	rc = lv_db_stmt(db, sql_export, &st);
	if (rc != LV_OK)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		char num[48];

		for (c = 0; c < 15; c++) {
			const char *v = (const char *)sqlite3_column_text(st, c);

			if (c == 6) {
				v = sqlite3_column_int(st, c) ? "1" : "0";
			} else if (c == 11) {
				if (catalog_amount_plain(sqlite3_column_int64(st, c), currency, num,
							 sizeof(num)) != LV_OK) {
					rc = LV_EINVAL;
					break;
				}
				v = num;
			} else if (c == 12) {
				lv_snprintf(num, sizeof(num), "%lld",
					    (long long)sqlite3_column_int64(st, c));
				v = num;
			}
			if (rc == LV_OK)
				rc = lv_csv_cell(out, v, c == 0);
		}
		if (rc == LV_OK)
			rc = lv_buf_append_char(out, '\n') == LV_OK ? LV_OK : LV_ETOOBIG;
		if (rc != LV_OK)
			break;
	}
	if (rc == LV_OK && src != SQLITE_DONE) {
		lv_error("catalog_export", "code=%d error=\"%s\"", src, sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
	lv_db_done(st);
	return rc;
}

/* The loader of the console's import: pictures the store has, by name (ctx: the db). */
static int ca_load_stored(void *ctx, const char *name, struct lv_buf *out, char *msg,
			  size_t msglen)
{
	struct lv_db *db = ctx;
	sqlite3_stmt *st = NULL;
	int rc = lv_db_stmt(db, "SELECT data FROM images WHERE name = ?1 ORDER BY id LIMIT 1",
			    &st);

	if (rc != LV_OK)
		return rc;
	lv_db_bind_text(st, 1, name);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rc = lv_buf_append(out, sqlite3_column_blob(st, 0),
				   (size_t)sqlite3_column_bytes(st, 0)) == LV_OK ? LV_OK : LV_ETOOBIG;
	} else {
		lv_snprintf(msg, msglen, "the store has no picture of that name (upload the picture "
			    "on the product's page first, then name it as the export does)");
		rc = LV_EUNAVAIL;
	}
	lv_db_done(st);
	return rc;
}

int catalog_admin_import(struct lv_db *db, const struct audit_actor *who, const char *data,
			 size_t len, const char *currency, struct catalog_import_report *rep)
{
	struct catalog_image_loader loader = { ca_load_stored, db };
	struct catalog_csv *cat = NULL;
	json_t *after = NULL;
	int rc;

	rc = catalog_csv_parse(data, len, currency, &loader, &cat, rep);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_begin(db);
	if (rc != LV_OK)
		goto out;
	rc = catalog_csv_store(db, cat, rep);
	if (rc == LV_OK) {
		after = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "categories", rep->categories,
				  "products", rep->products, "variants", rep->variants, "images",
				  rep->images, "deactivated_products", rep->deactivated_products,
				  "deactivated_variants", rep->deactivated_variants);
		rc = audit_append(db, who, "catalog.import", "catalog", "csv", NULL, after);
	}
	if (rc == LV_OK)
		rc = lv_db_commit(db);
	if (rc != LV_OK)
		lv_db_rollback(db);
out:
	json_decref(after);
	catalog_csv_free(cat);
	return rc;
}
