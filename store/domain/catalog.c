/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * catalog.c - the storefront's reads of the catalog, and money helpers
 * (see catalog.h).
 *
 * Every list is built by SQLite itself as one JSON text (json_object and
 * json_group_array over ordered subqueries, which SQLite aggregates in
 * order) and parsed once with jansson, so a page costs one statement however
 * many products it shows. Search text from employees never reaches FTS5 as
 * syntax: catalog_fts_query() quotes every word.
 */
#include "catalog.h"

#include <string.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "policy_runtime.h"

#define SQL_BOOL(e) "json(CASE WHEN " e " THEN 'true' ELSE 'false' END)"

/*
 * The product list reads the listing of migration 0003 (listing_products,
 * listing_sizes, listing_colours: kept by catalog_listing_refresh), so that
 * browsing the catalog is a range of one table plus two index scans for the
 * facets, with no temporary tables or sorts. Only a size or colour filter
 * looks at variants, and then only those of the products it considers.
 * Parameters: ?1 include_restricted, ?2 category slug, ?3 FTS query, ?4 size,
 * ?5 colour, ?6 limit, ?7 offset.
 */

/*
 * Listing row a is visible (to the request's policy scope, see
 * policy_runtime.h; ?1 = everything), and in the category or not.
 */
#define SQL_VISIBLE(a)                                                         \
	"lv_visible(" a ".product_id, " a ".restricted, ?1) AND (?2 IS NULL OR " \
	a ".category_id = (SELECT id FROM categories WHERE slug = ?2))"

#define SQL_UNFILTERED "?4 IS NULL AND ?5 IS NULL"

/* The active variants of listing row a that fit the size and colour. */
#define SQL_FITTING(a)                                                         \
	"FROM variants v WHERE v.product_id = " a ".product_id"                \
	" AND v.active = 1 AND (?4 IS NULL OR v.size = ?4)"                    \
	" AND (?5 IS NULL OR v.colour = ?5)"

/* Listing row a has a variant that fits (every listed product has one). */
#define SQL_MATCHING(a)                                                        \
	"(" SQL_UNFILTERED " OR EXISTS (SELECT 1 " SQL_FITTING(a) "))"

/*
 * FROM(table, alias) is the FROM clause that yields the rows of a listing
 * table to consider: all of them, or only the search hits' (then joined to
 * hits h). RANK is what orders the items before catalog order. price_from
 * and in_stock come from the listing unless a filter asks for them over
 * fewer variants.
 */
#define SQL_PRODUCTS_LIST(WITH, FROM, RANK)                                    \
	WITH "SELECT json_object("                                             \
	" 'total', (SELECT count(*) FROM " FROM("listing_products", "l")       \
	"  WHERE " SQL_VISIBLE("l") " AND " SQL_MATCHING("l") "),"             \
	" 'items', (SELECT json_group_array(json_object("                      \
	"   'slug', pg.slug, 'name', pg.name,"                                 \
	"   'category', json_object('slug', pg.cslug, 'name', pg.cname),"      \
	"   'price_from', CASE WHEN " SQL_UNFILTERED " THEN pg.price_from"     \
	"    ELSE (SELECT min(v.price) " SQL_FITTING("pg") ") END,"            \
	"   'in_stock', " SQL_BOOL("CASE WHEN " SQL_UNFILTERED                 \
				   " THEN pg.in_stock ELSE EXISTS (SELECT 1 "  \
				   SQL_FITTING("pg") " AND v.stock > 0) END") \
	",  'image_url', pg.image_url,"                                        \
	"   'colours', json(pg.colours), 'sizes', json(pg.sizes)))"            \
	"  FROM (SELECT l.*, p.slug, p.name, c.slug AS cslug, c.name AS cname" \
	"   FROM " FROM("listing_products", "l")                               \
	"   JOIN products p ON p.id = l.product_id"                            \
	"   JOIN categories c ON c.id = l.category_id"                         \
	"   WHERE " SQL_VISIBLE("l") " AND " SQL_MATCHING("l")                 \
	"   ORDER BY " RANK "l.category_position, l.position, l.product_id"    \
	"   LIMIT ?6 OFFSET ?7) pg),"                                          \
	" 'facets', json_object("                                              \
	"  'sizes', (SELECT json_group_array(size) FROM ("                     \
	"    SELECT f.size FROM " FROM("listing_sizes", "f")                   \
	"    WHERE " SQL_VISIBLE("f")                                          \
	"    AND (?5 IS NULL OR EXISTS (SELECT 1 FROM variants v"              \
	"     WHERE v.product_id = f.product_id AND v.active = 1"              \
	"     AND v.size = f.size AND v.colour = ?5))"                         \
	"    GROUP BY f.size_rank, f.size ORDER BY f.size_rank, f.size)),"     \
	"  'colours', (SELECT json_group_array(colour) FROM ("                 \
	"    SELECT f.colour FROM " FROM("listing_colours", "f")               \
	"    WHERE " SQL_VISIBLE("f")                                          \
	"    AND (?4 IS NULL OR EXISTS (SELECT 1 FROM variants v"              \
	"     WHERE v.product_id = f.product_id AND v.active = 1"              \
	"     AND v.colour = f.colour AND v.size = ?4))"                       \
	"    GROUP BY f.colour ORDER BY f.colour))))"

#define SQL_FROM_ALL(table, a) table " " a
#define SQL_FROM_HITS(table, a)                                                \
	"hits h JOIN " table " " a " ON " a ".product_id = h.id"

/*
 * The search runs once per use of hits: materialized, hits would cost a
 * temporary table per call, which is dearer than the full-text lookups.
 */
static const char sql_products_browse[] =
	SQL_PRODUCTS_LIST("", SQL_FROM_ALL, "");
static const char sql_products_search[] =
	SQL_PRODUCTS_LIST("WITH hits(id, rank) AS NOT MATERIALIZED ("
			  "SELECT rowid, rank FROM product_fts"
			  " WHERE product_fts MATCH ?3) ",
			  SQL_FROM_HITS, "h.rank, ");

static const char sql_categories_list[] =
	"SELECT json_group_array(json_object('slug', slug, 'name', name,"
	" 'count', n)) FROM ("
	" SELECT c.slug, c.name, (SELECT count(*) FROM listing_products l"
	"  WHERE l.category_id = c.id AND lv_visible(l.product_id, l.restricted, ?1)) AS n"
	" FROM categories c ORDER BY c.position, c.name)"
	" WHERE n > 0";

/*
 * catalog_listing_refresh(): the listing of every product, or of one (?1,
 * W is then the WHERE clause that picks it), is deleted and copied again
 * from the views of migration 0003. The JSON arrays are built here because
 * a view may not (see 0003). Picking the product with a plain equality lets
 * SQLite push it into the views, so that one product's refresh reads only
 * that product's variants.
 */
#define SQL_LISTING_REFRESH(W)                                                 \
	{ "DELETE FROM listing_products" W,                                    \
	  "DELETE FROM listing_sizes" W,                                       \
	  "DELETE FROM listing_colours" W,                                     \
	  "INSERT INTO listing_sizes SELECT * FROM listing_sizes_source" W,    \
	  "INSERT INTO listing_colours SELECT * FROM listing_colours_source" W, \
	  "INSERT INTO listing_products SELECT s.*,"                           \
	  " (SELECT json_group_array(colour) FROM (SELECT o.colour"            \
	  "  FROM listing_colours o WHERE o.product_id = s.product_id"         \
	  "  ORDER BY o.position, o.colour)),"                                 \
	  " (SELECT json_group_array(size) FROM (SELECT z.size"                \
	  "  FROM listing_sizes z WHERE z.product_id = s.product_id"           \
	  "  ORDER BY z.size_rank, z.size))"                                   \
	  " FROM listing_products_source s" W }

static const char *const sql_listing_refresh_all[] = SQL_LISTING_REFRESH("");
static const char *const sql_listing_refresh_one[] =
	SQL_LISTING_REFRESH(" WHERE product_id = ?1");

static const char sql_product_get[] =
	"SELECT json_object("
	" 'id', p.id, 'slug', p.slug, 'name', p.name,"
	" 'description', p.description,"
	" 'restricted', " SQL_BOOL("p.restricted") ","
	" 'category', json_object('slug', c.slug, 'name', c.name),"
	" 'tags', (SELECT json_group_array(tag) FROM ("
	"   SELECT tag FROM product_tags WHERE product_id = p.id ORDER BY tag)),"
	" 'price_from', (SELECT min(price) FROM variants"
	"   WHERE product_id = p.id AND active = 1),"
	" 'in_stock', " SQL_BOOL("EXISTS (SELECT 1 FROM variants WHERE"
				 " product_id = p.id AND active = 1"
				 " AND stock > 0)") ","
	" 'images', (SELECT json_group_array(json_object('id', i.id,"
	"   'url', " CATALOG_SQL_MEDIA_URL("i") ", 'content_type', i.content_type,"
	"   'name', i.name)) FROM ("
	"   SELECT * FROM images WHERE product_id = p.id"
	"   ORDER BY position, id) i),"
	" 'variants', (SELECT json_group_array(json_object('id', v.id,"
	"   'sku', v.sku, 'size', v.size, 'colour', v.colour, 'fit', v.fit,"
	"   'logo', v.logo, 'price', v.price, 'stock', v.stock,"
	"   'in_stock', " SQL_BOOL("v.stock > 0") ","
	"   'image_url', CASE WHEN i.id IS NULL THEN NULL"
	"    ELSE " CATALOG_SQL_MEDIA_URL("i") " END)) FROM ("
	"   SELECT * FROM variants WHERE product_id = p.id AND active = 1"
	"   ORDER BY position, id) v LEFT JOIN images i ON i.id = v.image_id),"
	" 'sizes', (SELECT json_group_array(size) FROM ("
	"   SELECT size FROM variants WHERE product_id = p.id AND active = 1"
	"   AND size <> '' GROUP BY size ORDER BY min(size_rank), size)),"
	" 'colours', (SELECT json_group_array(colour) FROM ("
	"   SELECT colour FROM variants WHERE product_id = p.id AND active = 1"
	"   AND colour <> '' GROUP BY colour ORDER BY min(position))),"
	" 'fits', (SELECT json_group_array(fit) FROM ("
	"   SELECT fit FROM variants WHERE product_id = p.id AND active = 1"
	"   AND fit <> '' GROUP BY fit ORDER BY min(position))),"
	" 'logos', (SELECT json_group_array(logo) FROM ("
	"   SELECT logo FROM variants WHERE product_id = p.id AND active = 1"
	"   AND logo <> '' GROUP BY logo ORDER BY min(position))))"
	" FROM products p JOIN categories c ON c.id = p.category_id"
	" WHERE p.slug = ?1 AND p.active = 1 AND lv_visible(p.id, p.restricted, ?2)"
	"  AND EXISTS (SELECT 1 FROM variants v"
	"   WHERE v.product_id = p.id AND v.active = 1)";

static const char sql_image_get[] =
	"SELECT product_id, content_type, data, sha256 FROM images WHERE id = ?1";

static const char sql_fts_rebuild[] =
	"INSERT INTO product_fts(product_fts) VALUES('rebuild')";

/*
 * Steps stmt (bound by the caller) and parses the JSON text in its first
 * column into *out. LV_ENOTFOUND when there is no row or the column is NULL.
 */
static int catalog_json_step(struct lv_db *db, sqlite3_stmt *stmt,
			     json_t **out)
{
	json_error_t jerr;
	const char *text;
	int rc = LV_EINTERNAL, src;

	*out = NULL;
	src = sqlite3_step(stmt);
	if (src == SQLITE_DONE) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	if (src != SQLITE_ROW) {
		lv_error("catalog_query", "code=%d error=\"%s\"", src,
			 sqlite3_errmsg(db->conn));
		goto out;
	}
	text = (const char *)sqlite3_column_text(stmt, 0);
	if (text == NULL) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	*out = json_loadb(text, (size_t)sqlite3_column_bytes(stmt, 0), 0,
			  &jerr);
	if (*out == NULL) {
		lv_error("catalog_json", "error=\"%s\"", jerr.text);
		goto out;
	}
	rc = LV_OK;
out:
	lv_db_done(stmt);
	return rc;
}

#define CATALOG_SQL_READY 0x1u

/* Registers the SQL functions the catalog queries use, once per connection. */
static int catalog_sql_ready(struct lv_db *db)
{
	if (db->app_flags & CATALOG_SQL_READY)
		return LV_OK;
	if (policy_sql_register(db) != LV_OK)
		return LV_EINTERNAL;
	db->app_flags |= CATALOG_SQL_READY;
	return LV_OK;
}

int catalog_categories_list(struct lv_db *db, int include_restricted,
			    json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*out = NULL;
	rc = catalog_sql_ready(db);
	if (rc == LV_OK)
		rc = lv_db_stmt(db, sql_categories_list, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int(stmt, 1, include_restricted != 0);
	rc = catalog_json_step(db, stmt, out);
	if (rc == LV_ENOTFOUND)
		rc = LV_EINTERNAL; /* an aggregate always yields a row */
out:
	return rc;
}

/* A filter value, or NULL when the caller gave none. */
static const char *catalog_filter(const char *s)
{
	return s && *s ? s : NULL;
}

int catalog_products_list(struct lv_db *db, const struct catalog_query *q,
			  json_t **out)
{
	struct lv_buf fts;
	sqlite3_stmt *stmt = NULL;
	json_t *res = NULL;
	int rc, page, per_page, searching;
	size_t i;

	*out = NULL;
	lv_buf_init(&fts, 4 * CATALOG_SEARCH_MAX + 64);
	page = q->page < 1 ? 1 : q->page > CATALOG_PAGE_MAX ? CATALOG_PAGE_MAX
							     : q->page;
	per_page = q->per_page <= 0 ? CATALOG_PER_PAGE_DEFAULT : q->per_page;
	if (per_page > CATALOG_PER_PAGE_MAX)
		per_page = CATALOG_PER_PAGE_MAX;
	searching = 0;
	for (i = 0; q->search && q->search[i] && !searching; i++)
		searching = (unsigned char)q->search[i] > ' ';
	if (searching && catalog_fts_query(q->search, &fts) == 0) {
		/* only punctuation: a search for nothing finds nothing */
		res = json_pack("{s:[],s:i,s:{s:[],s:[]}}", "items", "total",
				0, "facets", "sizes", "colours");
		if (res == NULL) {
			rc = LV_EINTERNAL;
			goto out;
		}
		rc = LV_OK;
		goto paging;
	}
	rc = catalog_sql_ready(db);
	if (rc == LV_OK)
		rc = lv_db_stmt(db, searching ? sql_products_search : sql_products_browse,
				&stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int(stmt, 1, q->include_restricted != 0);
	lv_db_bind_text(stmt, 2, catalog_filter(q->category));
	lv_db_bind_text(stmt, 3, searching ? lv_buf_str(&fts) : NULL);
	lv_db_bind_text(stmt, 4, catalog_filter(q->size));
	lv_db_bind_text(stmt, 5, catalog_filter(q->colour));
	sqlite3_bind_int(stmt, 6, per_page);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)(page - 1) * per_page);
	rc = catalog_json_step(db, stmt, &res);
	if (rc == LV_ENOTFOUND)
		rc = LV_EINTERNAL;
	if (rc != LV_OK)
		goto out;
paging:
	json_object_set_new(res, "page", json_integer(page));
	json_object_set_new(res, "per_page", json_integer(per_page));
	*out = res;
	res = NULL;
out:
	json_decref(res);
	lv_buf_cleanup(&fts);
	return rc;
}

int catalog_product_get(struct lv_db *db, const char *slug,
			int include_restricted, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*out = NULL;
	rc = catalog_sql_ready(db);
	if (rc == LV_OK)
		rc = lv_db_stmt(db, sql_product_get, &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, slug ? slug : "");
	sqlite3_bind_int(stmt, 2, include_restricted != 0);
	rc = catalog_json_step(db, stmt, out);
out:
	return rc;
}

int catalog_image_get(struct lv_db *db, int64_t image_id,
		      struct catalog_image *img)
{
	sqlite3_stmt *stmt = NULL;
	const char *ct, *sha;
	const void *blob;
	int rc, src, n;

	memset(img, 0, sizeof(*img));
	rc = lv_db_stmt(db, sql_image_get, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, image_id);
	src = sqlite3_step(stmt);
	if (src == SQLITE_DONE) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	rc = LV_EINTERNAL;
	if (src != SQLITE_ROW) {
		lv_error("catalog_image", "code=%d error=\"%s\"", src,
			 sqlite3_errmsg(db->conn));
		goto out;
	}
	ct = (const char *)sqlite3_column_text(stmt, 1);
	sha = (const char *)sqlite3_column_text(stmt, 3);
	blob = sqlite3_column_blob(stmt, 2);
	n = sqlite3_column_bytes(stmt, 2);
	if (ct == NULL || sha == NULL || n < 0)
		goto out;
	img->id = image_id;
	img->product_id = sqlite3_column_int64(stmt, 0);
	lv_strlcpy(img->content_type, ct, sizeof(img->content_type));
	lv_strlcpy(img->sha256, sha, sizeof(img->sha256));
	img->len = (size_t)n;
	img->data = lv_malloc(img->len ? img->len : 1);
	if (img->len)
		memcpy(img->data, blob, img->len);
	rc = LV_OK;
out:
	lv_db_done(stmt);
	if (rc != LV_OK)
		catalog_image_cleanup(img);
	return rc;
}

void catalog_image_cleanup(struct catalog_image *img)
{
	if (img == NULL)
		return;
	lv_free(img->data);
	memset(img, 0, sizeof(*img));
}

static int catalog_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int catalog_media_name_parse(const char *name, int64_t *id, char sha8[9])
{
	static const char *const exts[] = { "svg", "png", "jpg", "webp" };
	const char *dash, *dot;
	int64_t v;
	size_t i;

	dash = strchr(name, '-');
	if (dash == NULL || dash == name)
		return LV_EINVAL;
	if (lv_parse_i64n(name, (size_t)(dash - name), 1, INT64_MAX, &v) != LV_OK
	    || name[0] == '+' || name[0] == '-')
		return LV_EINVAL;
	for (i = 0; i < 8; i++)
		if (!catalog_is_hex(dash[1 + i]))
			return LV_EINVAL;
	dot = dash + 9;
	if (*dot != '.')
		return LV_EINVAL;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (strcmp(dot + 1, exts[i]) == 0) {
			*id = v;
			memcpy(sha8, dash + 1, 8);
			sha8[8] = '\0';
			return LV_OK;
		}
	}
	return LV_EINVAL;
}

int catalog_search_reindex(struct lv_db *db)
{
	sqlite3_stmt *stmt = NULL;
	int rc, src;

	rc = lv_db_stmt(db, sql_fts_rebuild, &stmt);
	if (rc != LV_OK)
		return rc;
	src = sqlite3_step(stmt);
	if (src != SQLITE_DONE) {
		lv_error("catalog_reindex", "code=%d error=\"%s\"", src,
			 sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
	lv_db_done(stmt);
	return rc;
}

int catalog_listing_refresh(struct lv_db *db, int64_t product_id)
{
	const char *const *sql = product_id > 0 ? sql_listing_refresh_one
						: sql_listing_refresh_all;
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int rc = LV_OK, src;

	for (i = 0; i < sizeof(sql_listing_refresh_all) /
			sizeof(sql_listing_refresh_all[0]); i++) {
		rc = lv_db_stmt(db, sql[i], &stmt);
		if (rc != LV_OK)
			goto out;
		if (product_id > 0)
			sqlite3_bind_int64(stmt, 1, product_id);
		src = sqlite3_step(stmt);
		if (src != SQLITE_DONE) {
			lv_error("catalog_listing", "step=%zu code=%d error=\"%s\"",
				 i, src, sqlite3_errmsg(db->conn));
			rc = LV_EINTERNAL;
			goto out;
		}
		lv_db_done(stmt);
		stmt = NULL;
	}
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * Length of the UTF-8 sequence at s (at most n bytes), or 0 when it is not
 * valid: overlong forms, surrogates and code points past U+10FFFF are not.
 */
static size_t catalog_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* past U+10FFFF */
		return 4;
	}
	return 0;
}

int catalog_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		k = catalog_utf8_len(p + i, n - i);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

const char *catalog_text_quote(char *dst, size_t dstlen, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t i = 0, n = strlen((const char *)p), k;

	if (dstlen < 8) {
		if (dstlen)
			dst[0] = '\0';
		return dst;
	}
	dst[i++] = '"';
	while (*p) {
		k = catalog_utf8_len(p, n);
		/* room for this character, then "..." and the closing quote */
		if (i + (k ? k : 1) + 5 > dstlen) {
			memcpy(dst + i, "...", 3);
			i += 3;
			break;
		}
		if (k == 0 || *p < 0x20 || *p == 0x7f) {
			dst[i++] = '?';
			k = 1;
		} else if (*p == '"') {
			dst[i++] = '\'';
		} else {
			memcpy(dst + i, p, k);
			i += k;
		}
		p += k;
		n -= k;
	}
	dst[i++] = '"';
	dst[i] = '\0';
	return dst;
}

static int catalog_is_word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80;
}

int catalog_fts_query(const char *text, struct lv_buf *out)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text), i = 0, start, k;
	size_t word_at[CATALOG_SEARCH_TERMS], word_len[CATALOG_SEARCH_TERMS];
	char clean[CATALOG_SEARCH_MAX + 1];
	int words = 0, w, has_word_byte;

	lv_buf_reset(out);
	if (n > CATALOG_SEARCH_MAX)
		n = CATALOG_SEARCH_MAX;
	/* copy, turning invalid UTF-8 and ASCII blanks/controls into spaces;
	 * a character cut by the length limit is invalid too */
	while (i < n) {
		k = catalog_utf8_len(p + i, n - i);
		if (k == 0) {
			clean[i++] = ' ';
			continue;
		}
		if (k == 1 && (p[i] <= ' ' || p[i] == 0x7f))
			clean[i] = ' ';
		else
			memcpy(clean + i, p + i, k);
		i += k;
	}
	clean[n] = '\0';
	for (i = 0; i < n && words < CATALOG_SEARCH_TERMS;) {
		while (i < n && clean[i] == ' ')
			i++;
		start = i;
		has_word_byte = 0;
		while (i < n && clean[i] != ' ') {
			if (catalog_is_word_byte((unsigned char)clean[i]))
				has_word_byte = 1;
			i++;
		}
		if (i > start && has_word_byte) {
			word_at[words] = start;
			word_len[words] = i - start;
			words++;
		}
	}
	for (w = 0; w < words; w++) {
		if (w)
			lv_buf_append_char(out, ' ');
		lv_buf_append_char(out, '"');
		for (i = word_at[w]; i < word_at[w] + word_len[w]; i++) {
			if (clean[i] == '"')
				lv_buf_append_char(out, '"');
			lv_buf_append_char(out, clean[i]);
		}
		lv_buf_append_char(out, '"');
		if (w == words - 1)
			lv_buf_append_char(out, '*');
	}
	return words;
}

/* ISO 4217 currencies Livery knows: decimals and how English writes them. */
static const struct currency {
	const char *code;
	int minor;
	const char *symbol;
	int symbol_is_code; /* "CHF 24.90": a space after the prefix */
} currencies[] = {
	{ "EUR", 2, "\xe2\x82\xac", 0 },
	{ "USD", 2, "$", 0 },
	{ "GBP", 2, "\xc2\xa3", 0 },
	{ "CHF", 2, "CHF", 1 },
	{ "JPY", 0, "\xc2\xa5", 0 },
};

static const struct currency *catalog_currency_find(const char *code)
{
	size_t i;

	for (i = 0; code && i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (strcmp(code, currencies[i].code) == 0)
			return &currencies[i];
	return NULL;
}

int catalog_currency_minor_units(const char *currency)
{
	const struct currency *c = catalog_currency_find(currency);

	return c ? c->minor : -1;
}

/* Parses digits.decimals strictly; the work half of catalog_price_parse. */
static int catalog_price_digits(const char *s, int minor, int64_t *out,
				int *too_many_decimals)
{
	int64_t v = 0;
	size_t i = 0, int_digits = 0, dec_digits = 0;
	int d;

	*too_many_decimals = 0;
	while (s[i] >= '0' && s[i] <= '9') {
		if (++int_digits > 9)
			return LV_ETOOBIG;
		v = v * 10 + (s[i++] - '0');
	}
	if (int_digits == 0)
		return LV_EINVAL;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9') {
			dec_digits++;
			i++;
		}
		if (dec_digits == 0)
			return LV_EINVAL;
	}
	if (s[i] != '\0')
		return LV_EINVAL;
	if ((int)dec_digits > minor) {
		*too_many_decimals = 1;
		return LV_EINVAL;
	}
	for (d = 0; d < minor; d++)
		v *= 10;
	if (dec_digits) {
		const char *frac = strchr(s, '.') + 1;
		int64_t f = 0, scale = 1;

		for (d = 0; d < (int)dec_digits; d++)
			f = f * 10 + (frac[d] - '0');
		for (d = (int)dec_digits; d < minor; d++)
			scale *= 10;
		v += f * scale;
	}
	*out = v;
	return LV_OK;
}

int catalog_price_parse(const char *s, const char *currency, int64_t *out,
			char *msg, size_t msglen)
{
	const struct currency *cur = catalog_currency_find(currency);
	char q[64], alt[32], qalt[48];
	int64_t v, dummy;
	int rc, tmd, tmd2;
	char *comma;

	if (cur == NULL) {
		lv_snprintf(msg, msglen, "%s is not a currency Livery knows "
			    "(EUR, USD, GBP, CHF, JPY)",
			    catalog_text_quote(q, sizeof(q), currency));
		return LV_EINVAL;
	}
	catalog_text_quote(q, sizeof(q), s);
	if (*s == '\0') {
		lv_snprintf(msg, msglen, "the price is empty");
		return LV_EINVAL;
	}
	if (*s == '-' && catalog_price_digits(s + 1, cur->minor, &dummy,
					      &tmd) != LV_EINVAL) {
		lv_snprintf(msg, msglen, "%s is negative: a price is 0 or more", q);
		return LV_EINVAL;
	}
	rc = catalog_price_digits(s, cur->minor, &v, &tmd);
	if (rc == LV_OK) {
		*out = v;
		return LV_OK;
	}
	if (rc == LV_ETOOBIG) {
		lv_snprintf(msg, msglen, "%s is too large for a price", q);
		return LV_EINVAL;
	}
	if (tmd) {
		if (cur->minor == 0)
			lv_snprintf(msg, msglen, "%s has decimals, but %s has "
				    "none", q, cur->code);
		else
			lv_snprintf(msg, msglen, "%s has more decimals than %s "
				    "allows (%d)", q, cur->code, cur->minor);
		return LV_EINVAL;
	}
	/* "24,90": suggest the same with a point when that would do */
	comma = strchr(s, ',');
	if (comma && strchr(comma + 1, ',') == NULL && strchr(s, '.') == NULL &&
	    lv_strlcpy(alt, s, sizeof(alt)) < sizeof(alt)) {
		alt[comma - s] = '.';
		if (catalog_price_digits(alt, cur->minor, &dummy, &tmd2) == LV_OK) {
			lv_snprintf(msg, msglen, "%s is not a price (use %s)", q,
				    catalog_text_quote(qalt, sizeof(qalt), alt) );
			return LV_EINVAL;
		}
	}
	if (cur->minor)
		lv_snprintf(msg, msglen, "%s is not a price (write the amount "
			    "in %s with a point, like 24.90)", q, cur->code);
	else
		lv_snprintf(msg, msglen, "%s is not a price (write the amount "
			    "in %s as a whole number, like 2490)", q, cur->code);
	return LV_EINVAL;
}

/* How a locale writes amounts. */
enum price_style { STYLE_EN, STYLE_FR, STYLE_DE };

static enum price_style catalog_price_style(const char *locale)
{
	static const char *const de_like[] = { "de", "es", "it", "pt", "nl" };
	size_t i;

	if (locale == NULL || strlen(locale) < 2 ||
	    (locale[2] != '\0' && locale[2] != '-' && locale[2] != '_'))
		return STYLE_EN;
	if (strncmp(locale, "fr", 2) == 0)
		return STYLE_FR;
	for (i = 0; i < sizeof(de_like) / sizeof(de_like[0]); i++)
		if (strncmp(locale, de_like[i], 2) == 0)
			return STYLE_DE;
	return STYLE_EN;
}

int catalog_amount_plain(int64_t minor, const char *currency, char *out, size_t len)
{
	int digits = catalog_currency_minor_units(currency);
	uint64_t u = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	uint64_t scale = 1;
	int i;

	if (digits < 0) {
		lv_snprintf(out, len, "%lld", (long long)minor);
		return LV_EINVAL;
	}
	for (i = 0; i < digits; i++)
		scale *= 10;
	if (digits == 0)
		lv_snprintf(out, len, "%s%llu", minor < 0 ? "-" : "", (unsigned long long)u);
	else
		lv_snprintf(out, len, "%s%llu.%0*llu", minor < 0 ? "-" : "",
			    (unsigned long long)(u / scale), digits,
			    (unsigned long long)(u % scale));
	return LV_OK;
}

int catalog_price_format(int64_t minor, const char *currency,
			 const char *locale, char *out, size_t outlen)
{
	const struct currency *cur = catalog_currency_find(currency);
	enum price_style style = catalog_price_style(locale);
	const char *group, *point;
	char digits[32], num[96];
	uint64_t mag, unit = 1;
	size_t nd, i, j = 0;
	int d, n;

	if (outlen)
		out[0] = '\0';
	if (cur == NULL)
		return LV_EINVAL;
	for (d = 0; d < cur->minor; d++)
		unit *= 10;
	mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	group = style == STYLE_EN ? "," : style == STYLE_FR ? "\xe2\x80\xaf" : ".";
	point = style == STYLE_EN ? "." : ",";
	/* whole part with group separators every three digits */
	lv_snprintf(digits, sizeof(digits), "%llu",
		    (unsigned long long)(mag / unit));
	nd = strlen(digits);
	for (i = 0; i < nd; i++) {
		if (i && (nd - i) % 3 == 0) {
			memcpy(num + j, group, strlen(group));
			j += strlen(group);
		}
		num[j++] = digits[i];
	}
	num[j] = '\0';
	if (cur->minor) {
		lv_snprintf(digits, sizeof(digits), "%0*llu", cur->minor,
			    (unsigned long long)(mag % unit));
		lv_snprintf(num + j, sizeof(num) - j, "%s%s", point, digits);
	}
	if (style == STYLE_EN)
		n = lv_snprintf(out, outlen, "%s%s%s%s", minor < 0 ? "-" : "",
				cur->symbol, cur->symbol_is_code ? " " : "", num);
	else
		n = lv_snprintf(out, outlen, "%s%s\xc2\xa0%s",
				minor < 0 ? "-" : "", num, cur->symbol);
	if (n < 0) {
		if (outlen)
			out[0] = '\0';
		return LV_ETOOBIG;
	}
	return LV_OK;
}
