/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_catalog_listing.c - the storefront's listing (migration 0003) gives
 * exactly the answers the catalog's own tables give. The reference is the
 * query the listing replaced, which worked everything out from the variants
 * on every call; both run over the demo catalog for every category, size,
 * colour, search, page and restricted setting, then again after the catalog
 * was changed behind the listing's back and refreshed (all of it, or one
 * product), after a database made before 0003 was migrated, and the import
 * is checked to leave nothing behind when the refresh fails.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "catalog_csv.h"
#include "lv_buf.h"
#include "lv_db.h"
#include "lv_err.h"
#include "lv_test.h"
#include "migrate.h"
#include "sso.h"

/* The reference: migration 0002's tables only (?1..?7 as in catalog.c). */
#define REF_MEDIA_URL                                                          \
	"'/media/' || i.id || '-' || substr(i.sha256, 1, 8) || '.' || "        \
	"CASE i.content_type WHEN 'image/svg+xml' THEN 'svg' "                 \
	"WHEN 'image/png' THEN 'png' WHEN 'image/jpeg' THEN 'jpg' "            \
	"ELSE 'webp' END"

#define REF_LIST(HITS)                                                         \
	"WITH hits(id, rank) AS (" HITS "),"                                   \
	" base AS (SELECT p.id, p.slug, p.name, p.position, c.slug AS cslug,"  \
	"  c.name AS cname, c.position AS cpos, h.rank"                        \
	"  FROM hits h JOIN products p ON p.id = h.id"                         \
	"  JOIN categories c ON c.id = p.category_id"                          \
	"  WHERE p.active = 1 AND (?1 OR p.restricted = 0)"                    \
	"  AND (?2 IS NULL OR c.slug = ?2)),"                                  \
	" vars AS (SELECT v.product_id, v.size, v.colour, v.price, v.stock,"   \
	"  v.size_rank FROM base b JOIN variants v ON v.product_id = b.id"     \
	"  WHERE v.active = 1),"                                               \
	" matching AS (SELECT b.*, min(v.price) AS price_from,"                \
	"  max(v.stock > 0) AS in_stock FROM base b"                           \
	"  JOIN vars v ON v.product_id = b.id"                                 \
	"  WHERE (?4 IS NULL OR v.size = ?4) AND (?5 IS NULL OR v.colour = ?5)" \
	"  GROUP BY b.id),"                                                    \
	" page AS (SELECT * FROM matching ORDER BY rank, cpos, position, id"   \
	"  LIMIT ?6 OFFSET ?7)"                                                \
	" SELECT json_object('total', (SELECT count(*) FROM matching),"        \
	" 'items', (SELECT json_group_array(json_object("                      \
	"  'slug', pg.slug, 'name', pg.name,"                                  \
	"  'category', json_object('slug', pg.cslug, 'name', pg.cname),"       \
	"  'price_from', pg.price_from,"                                       \
	"  'in_stock', json(CASE WHEN pg.in_stock THEN 'true' ELSE 'false' END)," \
	"  'image_url', (SELECT " REF_MEDIA_URL " FROM images i"               \
	"   WHERE i.product_id = pg.id ORDER BY i.position, i.id LIMIT 1),"    \
	"  'colours', (SELECT json_group_array(colour) FROM (SELECT colour"    \
	"   FROM variants WHERE product_id = pg.id AND active = 1"             \
	"   AND colour <> '' GROUP BY colour ORDER BY min(position))),"        \
	"  'sizes', (SELECT json_group_array(size) FROM (SELECT size"          \
	"   FROM variants WHERE product_id = pg.id AND active = 1"             \
	"   AND size <> '' GROUP BY size ORDER BY min(size_rank), size))))"    \
	"  FROM page pg),"                                                     \
	" 'facets', json_object("                                              \
	"  'sizes', (SELECT json_group_array(size) FROM (SELECT size FROM vars" \
	"   WHERE size <> '' AND (?5 IS NULL OR colour = ?5)"                  \
	"   GROUP BY size ORDER BY min(size_rank), size)),"                    \
	"  'colours', (SELECT json_group_array(colour) FROM (SELECT colour"    \
	"   FROM vars WHERE colour <> '' AND (?4 IS NULL OR size = ?4)"        \
	"   GROUP BY colour ORDER BY colour))))"

static const char ref_browse[] =
	REF_LIST("SELECT id, 0.0 FROM products WHERE ?3 IS NULL");
static const char ref_search[] =
	REF_LIST("SELECT rowid, rank FROM product_fts WHERE product_fts MATCH ?3");

static const char ref_categories[] =
	"SELECT json_group_array(json_object('slug', slug, 'name', name,"
	" 'count', n)) FROM (SELECT c.slug, c.name, count(*) AS n"
	" FROM categories c JOIN products p ON p.category_id = c.id"
	" WHERE p.active = 1 AND (?1 OR p.restricted = 0)"
	" AND EXISTS (SELECT 1 FROM variants v"
	"  WHERE v.product_id = p.id AND v.active = 1)"
	" GROUP BY c.id ORDER BY c.position, c.name)";

/* Every listing row, for comparing two refreshes of the same catalog. */
static const char listing_dump[] =
	"SELECT (SELECT group_concat(x, ';') FROM (SELECT product_id || ','"
	" || category_position || ',' || position || ',' || category_id || ','"
	" || restricted || ',' || price_from || ',' || in_stock || ','"
	" || ifnull(image_url, '-') || ',' || colours || ',' || sizes AS x"
	" FROM listing_products ORDER BY product_id)) || '|' ||"
	" (SELECT group_concat(x, ';') FROM (SELECT product_id || ',' || size_rank"
	" || ',' || size || ',' || category_id || ',' || restricted AS x"
	" FROM listing_sizes ORDER BY 1)) || '|' ||"
	" (SELECT group_concat(x, ';') FROM (SELECT product_id || ',' || position"
	" || ',' || colour || ',' || category_id || ',' || restricted AS x"
	" FROM listing_colours ORDER BY 1))";

static char dir[] = "/tmp/lv-listing-XXXXXX";

static struct lv_db *db_open(const char *name, int migrate)
{
	char path[512], msg[512];
	struct lv_db *db = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (lv_db_open(path, 1, 1000, &db, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "cannot open %s: %s\n", path, msg);
		exit(1);
	}
	if (migrate && migrate_apply(db->conn, NULL, NULL, msg,
				     sizeof(msg)) != LV_OK) {
		fprintf(stderr, "cannot migrate: %s\n", msg);
		exit(1);
	}
	return db;
}

/* The first column of the first row of sql as text (malloc'd), or NULL. */
static char *query_text(struct lv_db *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	char *out = NULL;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s\n", sqlite3_errmsg(db->conn));
		return NULL;
	}
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		out = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

/* Runs sql with the list parameters of q bound, into a jansson value. */
static json_t *ref_run(struct lv_db *db, const char *sql, int inc,
		       const struct catalog_query *q, const char *fts,
		       int page, int per_page)
{
	sqlite3_stmt *s = NULL;
	json_t *out = NULL;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s\n", sqlite3_errmsg(db->conn));
		return NULL;
	}
	sqlite3_bind_int(s, 1, inc);
	if (q) {
		lv_db_bind_text(s, 2, q->category && *q->category ? q->category : NULL);
		lv_db_bind_text(s, 3, fts);
		lv_db_bind_text(s, 4, q->size && *q->size ? q->size : NULL);
		lv_db_bind_text(s, 5, q->colour && *q->colour ? q->colour : NULL);
		sqlite3_bind_int(s, 6, per_page);
		sqlite3_bind_int(s, 7, (page - 1) * per_page);
	}
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		out = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
	sqlite3_finalize(s);
	return out;
}

/* The reference answer to q, shaped as catalog_products_list's. */
static json_t *ref_list(struct lv_db *db, const struct catalog_query *q)
{
	struct lv_buf fts;
	json_t *out;
	int page, per_page, searching;

	page = q->page < 1 ? 1 : q->page;
	per_page = q->per_page <= 0 ? CATALOG_PER_PAGE_DEFAULT : q->per_page;
	lv_buf_init(&fts, 4096);
	searching = q->search && catalog_fts_query(q->search, &fts) > 0;
	out = ref_run(db, searching ? ref_search : ref_browse,
		      q->include_restricted, q,
		      searching ? lv_buf_str(&fts) : NULL, page, per_page);
	lv_buf_cleanup(&fts);
	if (out) {
		json_object_set_new(out, "page", json_integer(page));
		json_object_set_new(out, "per_page", json_integer(per_page));
	}
	return out;
}

static int mismatches;

/* One query through the listing and through the reference. */
static void compare_one(struct lv_db *db, const char *label,
			const struct catalog_query *q)
{
	json_t *got = NULL, *want = ref_list(db, q);
	char *g, *w;

	CHECK_INT(catalog_products_list(db, q, &got), LV_OK);
	CHECK(want != NULL);
	lv_test_checks++;
	if (got && want && json_equal(got, want))
		goto out;
	lv_test_failures++;
	if (++mismatches <= 3) {
		g = json_dumps(got, JSON_COMPACT);
		w = json_dumps(want, JSON_COMPACT);
		fprintf(stderr, "%s: restricted=%d category=%s size=%s colour=%s"
			" search=%s page=%d per_page=%d\n  got  %s\n  want %s\n",
			label, q->include_restricted, q->category ? q->category : "-",
			q->size ? q->size : "-", q->colour ? q->colour : "-",
			q->search ? q->search : "-", q->page, q->per_page,
			g ? g : "(null)", w ? w : "(null)");
		free(g);
		free(w);
	}
out:
	json_decref(got);
	json_decref(want);
}

static void compare_categories(struct lv_db *db, const char *label)
{
	json_t *got = NULL, *want;
	int inc;

	for (inc = 0; inc <= 1; inc++) {
		want = ref_run(db, ref_categories, inc, NULL, NULL, 1, 1);
		CHECK_INT(catalog_categories_list(db, inc, &got), LV_OK);
		CHECK(got && want && json_equal(got, want));
		if (!(got && want && json_equal(got, want)))
			fprintf(stderr, "%s: the category counts differ\n", label);
		json_decref(got);
		json_decref(want);
	}
}

/* The distinct values of sql's first column, plus NULL and one unknown. */
static size_t values(struct lv_db *db, const char *sql, const char *unknown,
		     char **out, size_t max)
{
	sqlite3_stmt *s = NULL;
	size_t n = 0;

	out[n++] = NULL;
	out[n++] = strdup(unknown);
	if (sqlite3_prepare_v2(db->conn, sql, -1, &s, NULL) != SQLITE_OK)
		return n;
	while (n < max && sqlite3_step(s) == SQLITE_ROW)
		out[n++] = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return n;
}

static void values_free(char **v, size_t n)
{
	while (n)
		free(v[--n]);
}

/*
 * Every category (and none, and an unknown one) with every page shape, size,
 * colour and search alone, restricted or not; then every size with every
 * colour (unrestricted). Returns the number of queries compared.
 */
static int compare_all(struct lv_db *db, const char *label)
{
	static const char *const searches[] = {
		"shirt", "navy", "hi-vis", "logo", "Jacket ", "a", "zzzz",
	};
	static const int pages[][2] = { { 1, 0 }, { 2, 5 }, { 1, 100 }, { 10, 5 } };
	char *cats[16], *sizes[48], *colours[48];
	size_t nc, ns, no, c, s, o, k;
	struct catalog_query q;
	int inc, n = 0;

	mismatches = 0;
	nc = values(db, "SELECT slug FROM categories ORDER BY id", "no-such", cats, 16);
	ns = values(db, "SELECT DISTINCT size FROM variants WHERE size <> ''"
		    " ORDER BY size", "ZZ", sizes, 48);
	no = values(db, "SELECT DISTINCT colour FROM variants WHERE colour <> ''"
		    " ORDER BY colour", "Mauve", colours, 48);
	for (inc = 0; inc <= 1; inc++) {
		for (c = 0; c < nc; c++) {
			memset(&q, 0, sizeof(q));
			q.include_restricted = inc;
			q.category = cats[c];
			for (k = 0; k < sizeof(pages) / sizeof(pages[0]); k++, n++) {
				q.page = pages[k][0];
				q.per_page = pages[k][1];
				compare_one(db, label, &q);
			}
			q.page = q.per_page = 0;
			for (s = 0; s < ns; s++, n++) {
				q.size = sizes[s];
				compare_one(db, label, &q);
			}
			q.size = NULL;
			for (o = 0; o < no; o++, n++) {
				q.colour = colours[o];
				compare_one(db, label, &q);
			}
			q.colour = NULL;
			for (k = 0; k < sizeof(searches) / sizeof(searches[0]); k++) {
				q.search = searches[k];
				q.size = NULL;
				q.colour = NULL;
				compare_one(db, label, &q);
				q.size = "M";
				compare_one(db, label, &q);
				q.size = NULL;
				q.colour = "Navy";
				compare_one(db, label, &q);
				n += 3;
			}
		}
		if (inc)
			continue;
		memset(&q, 0, sizeof(q));
		for (s = 1; s < ns; s++)
			for (o = 1; o < no; o++, n++) {
				q.size = sizes[s];
				q.colour = colours[o];
				compare_one(db, label, &q);
			}
	}
	compare_categories(db, label);
	values_free(cats, nc);
	values_free(sizes, ns);
	values_free(colours, no);
	return n;
}

static struct lv_db *db_with_demo(const char *name)
{
	struct catalog_import_report rep;
	const char *src = getenv("LV_SOURCE_DIR");
	struct lv_db *db = db_open(name, 1);
	char path[1024];
	size_t i;

	snprintf(path, sizeof(path), "%s/demo/catalog/catalog.csv", src);
	catalog_import_report_init(&rep);
	CHECK_INT(catalog_csv_import(db, path, "EUR", &rep), LV_OK);
	for (i = 0; i < rep.n_errors; i++)
		fprintf(stderr, "  | %s\n", rep.errors[i]);
	catalog_import_report_cleanup(&rep);
	return db;
}

/* Changes that the listing depends on, made straight in the tables. */
static const char catalog_shuffle[] =
	"UPDATE variants SET active = 0 WHERE id % 7 = 0;"
	"UPDATE variants SET stock = 0 WHERE id % 5 = 1;"
	"UPDATE variants SET price = price + id * 10 WHERE id % 3 = 0;"
	"UPDATE variants SET size = 'M' WHERE id % 11 = 2;"
	"UPDATE products SET active = 0 WHERE id IN (3, 17);"
	"UPDATE products SET restricted = 1 - restricted WHERE id % 9 = 4;"
	"UPDATE products SET position = 0 WHERE id % 4 = 0;"
	"UPDATE categories SET position = 10 - position;"
	"DELETE FROM images WHERE id % 4 = 2;";

static void test_demo_as_imported(void)
{
	struct lv_db *db;
	int n;

	if (getenv("LV_SOURCE_DIR") == NULL) {
		lv_test_skip("LV_SOURCE_DIR is not set (run through ctest)");
		return;
	}
	db = db_with_demo("demo.db");
	n = compare_all(db, "imported");
	CHECK(n > 1000);
	lv_db_close(db);
}

static void test_refresh_after_changes(void)
{
	char *before, *after, *id, sql[256];
	struct lv_db *db;
	json_t *res = NULL, *it;
	struct catalog_query q;
	long long first;

	if (getenv("LV_SOURCE_DIR") == NULL) {
		lv_test_skip("LV_SOURCE_DIR is not set (run through ctest)");
		return;
	}
	db = db_with_demo("changed.db");
	/* every variant in stock, so that taking it away shows */
	CHECK_INT(lv_db_exec(db, "UPDATE variants SET stock = 5"), LV_OK);
	CHECK_INT(catalog_listing_refresh(db, 0), LV_OK);
	before = query_text(db, listing_dump);
	CHECK_INT(lv_db_exec(db, catalog_shuffle), LV_OK);
	/* the listing does not follow by itself: that is the contract */
	after = query_text(db, listing_dump);
	CHECK(before && after && strcmp(before, after) == 0);
	free(after);
	CHECK_INT(lv_db_begin(db), LV_OK);
	CHECK_INT(catalog_listing_refresh(db, 0), LV_OK);
	CHECK_INT(lv_db_commit(db), LV_OK);
	after = query_text(db, listing_dump);
	CHECK(before && after && strcmp(before, after) != 0);
	free(before);
	free(after);
	compare_all(db, "changed");

	/* one product's last stock goes: refreshing that product is enough */
	id = query_text(db, "SELECT product_id FROM listing_products"
			" WHERE restricted = 0"
			" ORDER BY category_position, position, product_id LIMIT 1");
	CHECK(id != NULL);
	first = id ? strtoll(id, NULL, 10) : 0;
	free(id);
	memset(&q, 0, sizeof(q));
	q.per_page = 1;
	snprintf(sql, sizeof(sql), "UPDATE variants SET stock = 0"
		 " WHERE product_id = %lld", first);
	CHECK_INT(lv_db_exec(db, sql), LV_OK);
	CHECK_INT(catalog_products_list(db, &q, &res), LV_OK);
	it = json_array_get(json_object_get(res, "items"), 0);
	CHECK(json_is_true(json_object_get(it, "in_stock"))); /* not yet */
	json_decref(res);
	CHECK_INT(catalog_listing_refresh(db, first), LV_OK);
	CHECK_INT(catalog_products_list(db, &q, &res), LV_OK);
	it = json_array_get(json_object_get(res, "items"), 0);
	CHECK(json_is_false(json_object_get(it, "in_stock")));
	json_decref(res);
	/* a product with no active variant left leaves the list */
	id = query_text(db, "SELECT 1 FROM listing_products WHERE product_id = 20");
	CHECK(id != NULL);
	free(id);
	CHECK_INT(lv_db_exec(db, "UPDATE variants SET active = 0 WHERE product_id = 20"),
		  LV_OK);
	CHECK_INT(catalog_listing_refresh(db, 20), LV_OK);
	id = query_text(db, "SELECT 1 FROM listing_products WHERE product_id = 20");
	CHECK(id == NULL);
	free(id);
	/* and one that is active again (the changes above took it) comes back */
	id = query_text(db, "SELECT 1 FROM listing_products WHERE product_id = 17");
	CHECK(id == NULL);
	free(id);
	CHECK_INT(lv_db_exec(db, "UPDATE products SET active = 1 WHERE id = 17"), LV_OK);
	CHECK_INT(catalog_listing_refresh(db, 17), LV_OK);
	id = query_text(db, "SELECT 1 FROM listing_products WHERE product_id = 17");
	CHECK(id != NULL);
	free(id);
	/* what one product's refresh left is what a full refresh gives */
	before = query_text(db, listing_dump);
	CHECK_INT(catalog_listing_refresh(db, 0), LV_OK);
	after = query_text(db, listing_dump);
	CHECK(before && after && strcmp(before, after) == 0);
	free(before);
	free(after);
	lv_db_close(db);
}

/* A database made before migration 0003, holding a catalog, is upgraded. */
static void test_migration_lists_old_catalog(void)
{
	struct lv_db *src, *db;
	char sql[1024], msg[512], *want, *got;
	int i, to = 0;

	if (getenv("LV_SOURCE_DIR") == NULL) {
		lv_test_skip("LV_SOURCE_DIR is not set (run through ctest)");
		return;
	}
	src = db_with_demo("current.db");
	CHECK_INT(lv_db_exec(src, catalog_shuffle), LV_OK);
	CHECK_INT(catalog_listing_refresh(src, 0), LV_OK);
	want = query_text(src, listing_dump);
	lv_db_close(src);

	/* version 2 as migrate.c would have made it, with sso's tables */
	db = db_open("old.db", 0);
	CHECK_INT(lv_db_exec(db, "BEGIN"), LV_OK);
	CHECK_INT(lv_db_exec(db, sso_schema_v1), LV_OK);
	for (i = 0; i < lv_migrations_count && lv_migrations[i].version <= 2; i++)
		CHECK_INT(lv_db_exec(db, lv_migrations[i].sql), LV_OK);
	snprintf(sql, sizeof(sql), "ATTACH '%s/current.db' AS src", dir);
	CHECK_INT(lv_db_exec(db, "COMMIT; PRAGMA user_version = 2"), LV_OK);
	CHECK_INT(lv_db_exec(db, sql), LV_OK);
	CHECK_INT(lv_db_exec(db,
		"BEGIN;"
		"INSERT INTO categories SELECT * FROM src.categories;"
		"INSERT INTO products SELECT * FROM src.products;"
		"INSERT INTO product_tags SELECT * FROM src.product_tags;"
		"INSERT INTO images SELECT * FROM src.images;"
		"INSERT INTO variants (id, product_id, sku, size, colour, fit, price,"
		" stock, image_id, active, position, created_at, updated_at)"
		" SELECT id, product_id, sku, size, colour, fit, price, stock,"
		" image_id, active, position, created_at, updated_at"
		" FROM src.variants;"
		"COMMIT; DETACH src"), LV_OK);
	CHECK_INT(migrate_apply(db->conn, NULL, &to, msg, sizeof(msg)), LV_OK);
	CHECK_INT(to, migrate_latest_version());
	got = query_text(db, listing_dump);
	CHECK(want && got && strcmp(want, got) == 0);
	free(want);
	free(got);
	lv_db_close(db);
}

/* The refresh failing half-way takes the whole import back with it. */
static void test_import_rolls_back_with_refresh(void)
{
	struct catalog_import_report rep;
	const char *src = getenv("LV_SOURCE_DIR");
	struct lv_db *db;
	char path[1024], *before, *after;

	if (src == NULL) {
		lv_test_skip("LV_SOURCE_DIR is not set (run through ctest)");
		return;
	}
	db = db_with_demo("rollback.db");
	CHECK_INT(lv_db_exec(db, "UPDATE variants SET stock = 0 WHERE id < 50;"
			     "UPDATE products SET active = 0 WHERE id = 5"), LV_OK);
	CHECK_INT(catalog_listing_refresh(db, 0), LV_OK);
	before = query_text(db, listing_dump);
	CHECK_INT(lv_db_exec(db, "CREATE TEMP TRIGGER boom BEFORE INSERT ON"
			     " listing_products WHEN NEW.product_id = 30"
			     " BEGIN SELECT RAISE(ABORT, 'boom'); END"), LV_OK);
	snprintf(path, sizeof(path), "%s/demo/catalog/catalog.csv", src);
	catalog_import_report_init(&rep);
	CHECK(catalog_csv_import(db, path, "EUR", &rep) != LV_OK);
	catalog_import_report_cleanup(&rep);
	after = query_text(db, listing_dump);
	CHECK(before && after && strcmp(before, after) == 0);
	free(after);
	after = query_text(db, "SELECT group_concat(stock) FROM variants WHERE id < 50");
	CHECK(after && strspn(after, "0,") == strlen(after));
	free(after);
	/* on its own, inside its caller's transaction: the same */
	CHECK_INT(lv_db_begin(db), LV_OK);
	CHECK_INT(catalog_listing_refresh(db, 0), LV_EINTERNAL);
	lv_db_rollback(db);
	after = query_text(db, listing_dump);
	CHECK(before && after && strcmp(before, after) == 0);
	free(after);
	free(before);
	CHECK_INT(lv_db_exec(db, "DROP TRIGGER temp.boom"), LV_OK);
	lv_db_close(db);
}

int main(void)
{
	char cmd[600];

	if (mkdtemp(dir) == NULL)
		return 1;
	LV_RUN(test_demo_as_imported);
	LV_RUN(test_refresh_after_changes);
	LV_RUN(test_migration_lists_old_catalog);
	LV_RUN(test_import_rolls_back_with_refresh);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return lv_test_done();
}
