/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * catalog_admin.h - the store admin's changes to the catalog: products,
 * variants (size, colour, fit, logo, price, stock), categories, tags,
 * pictures, and the CSV import and export, for the console's Catalog area
 * and the admin API alike (so the page and the API cannot disagree).
 *
 * Every change is one transaction with its audit entry (who, from where,
 * before and after), refreshes the storefront's listing of the product
 * (catalog_listing_refresh) and, when a product's name, description,
 * category or tags changed, the search index; the catalog_generation
 * counter that the policy cache watches is moved by the schema's
 * triggers. Input is checked with the CSV import's rules
 * (docs/catalog-csv.md), so that what the console writes exports and
 * imports again: a refused change sets a sentence per field in the
 * caller's errors object ({field: sentence}) and changes nothing.
 */
#ifndef LV_CATALOG_ADMIN_H
#define LV_CATALOG_ADMIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "catalog_csv.h"
#include "lv_buf.h"
#include "lv_db.h"

#define CATALOG_ADMIN_LOW_STOCK 5      /* an active variant at or under this is "low" */
#define CATALOG_ADMIN_PER_PAGE 25
#define CATALOG_ADMIN_PER_PAGE_MAX 200
#define CATALOG_ADMIN_IMAGES_MAX 20    /* pictures of one product (the import's limit) */

/* A product list's filters. Zero-initialise; NULL or "" means "any". */
struct catalog_admin_query {
	const char *search;     /* words of the name, description, category, tags; or a SKU or slug */
	const char *category;   /* category slug */
	const char *status;     /* "active", "inactive" */
	const char *restricted; /* "1": restricted only, "0": unrestricted only */
	int low_stock;          /* 1: products with an active variant at or under the low mark */
	int page;               /* from 1 */
	int per_page;           /* 0: CATALOG_ADMIN_PER_PAGE */
};

/*
 * OUT: *out, a new object {items: [{slug, name, category: {slug, name},
 * active, restricted, variants (active ones), stock (theirs, summed),
 * low (1 when one is at or under the low mark), price_min, price_max,
 * image_url}], total, page, per_page}, read in one query, in catalog
 * order. Returns LV_OK or LV_EINTERNAL.
 */
int catalog_admin_products_list(struct lv_db *db, const struct catalog_admin_query *q,
				json_t **out);

/*
 * OUT: *out, a new object for product slug, active or not: {id, slug, name,
 * description, category: {slug, name}, tags: [..], restricted, active,
 * images: [{id, name, url, content_type}], variants: [{sku, size, colour,
 * fit, logo, price, stock, active, image_id}]} (one query). Returns LV_OK,
 * LV_ENOTFOUND or LV_EINTERNAL.
 */
int catalog_admin_product_get(struct lv_db *db, const char *slug, json_t **out);

/* What a product form or API body gives; NULL leaves a field as it is (an edit). */
struct catalog_product_input {
	const char *slug;        /* creation only: a product's slug never changes */
	const char *name;
	const char *description;
	const char *category;    /* a category's slug */
	const char *tags;        /* separated by commas, '|' or blanks */
	int restricted;          /* -1: unchanged; 0, 1 */
	int active;              /* -1: unchanged (a new product is active); 0, 1 */
};

/*
 * Creates a product (slug NULL; in->slug names it) or changes product slug.
 * Writes audit "catalog.product.create" / "catalog.product.update" (before,
 * after). errors (the caller's object) gets {field: sentence} for every bad
 * field. Returns LV_OK, LV_EINVAL (errors set), LV_ECONFLICT (the slug is
 * taken; errors.slug says so), LV_ENOTFOUND (no product slug) or
 * LV_EINTERNAL.
 */
int catalog_admin_product_save(struct lv_db *db, const struct audit_actor *who,
			       const char *slug, const struct catalog_product_input *in,
			       json_t *errors);

/* What a variant form or API body gives; NULL leaves a field as it is (an edit). */
struct catalog_variant_input {
	const char *sku;         /* creation only: a SKU never changes */
	const char *size, *colour, *fit, *logo;
	const char *price;       /* major units, as typed ("24.90") */
	const char *stock;       /* a whole number, as typed */
	int active;              /* -1: unchanged (a new variant is active); 0, 1 */
};

/*
 * Adds a variant to product slug (sku NULL; in->sku names it) or changes
 * variant sku of that product. Prices are read with catalog_price_parse in
 * currency. SKUs are unique in the store; two active variants of one
 * product may not have the same size, colour, fit and logo. Writes audit
 * "catalog.variant.create" / "catalog.variant.update" with the variant
 * before and after (price and stock included). Returns as
 * catalog_admin_product_save (LV_ECONFLICT: errors.sku says the SKU is
 * used, naming the product that has it).
 */
int catalog_admin_variant_save(struct lv_db *db, const struct audit_actor *who,
			       const char *slug, const char *sku,
			       const struct catalog_variant_input *in, const char *currency,
			       json_t *errors);

/* OUT: *out, a new array [{slug, name, position, products, active_products}] in catalog order. */
int catalog_admin_categories_list(struct lv_db *db, json_t **out);

/*
 * Creates a category (slug NULL: new_slug, name; position NULL puts it
 * last) or renames / moves category slug (new_slug is ignored: a slug
 * never changes; name or position NULL: unchanged). position is typed text,
 * a whole number 0..1000000. Audit "catalog.category.create" / ".update".
 * Returns as catalog_admin_product_save.
 */
int catalog_admin_category_save(struct lv_db *db, const struct audit_actor *who,
				const char *slug, const char *new_slug, const char *name,
				const char *position, json_t *errors);

/*
 * Deletes category slug when no product (active or not) is in it; else
 * LV_ECONFLICT with errors.category saying how many products it holds.
 * Audit "catalog.category.delete". Returns LV_OK, LV_ECONFLICT,
 * LV_ENOTFOUND or LV_EINTERNAL.
 */
int catalog_admin_category_delete(struct lv_db *db, const struct audit_actor *who,
				  const char *slug, json_t *errors);

/* OUT: *out, a new array [{tag, products, active_products}] by tag (at most 1000). */
int catalog_admin_tags_list(struct lv_db *db, json_t **out);

/*
 * Adds a picture to product slug (replace 0) or replaces picture replace of
 * it (keeping its id, so the variants that show it keep it). The bytes are
 * checked with catalog_image_check (filename's extension must agree); the
 * picture is stored as the import stores pictures, named
 * "uploads/<slug>-<first 8 hex of its sha256>.<ext>" so an export names it.
 * Audit "catalog.image.add" / ".replace". OUT: msg, the sentence on
 * LV_EINVAL / LV_ETOOBIG (what is accepted: PNG, JPEG, WebP, SVG, at most
 * 2 MiB) or LV_ECONFLICT (the product has CATALOG_ADMIN_IMAGES_MAX
 * pictures). Returns those, LV_OK, LV_ENOTFOUND or LV_EINTERNAL.
 */
int catalog_admin_image_put(struct lv_db *db, const struct audit_actor *who, const char *slug,
			    int64_t replace, const char *filename, const unsigned char *data,
			    size_t len, char *msg, size_t msglen);

/* Removes picture id of product slug. Audit "catalog.image.remove". LV_OK, LV_ENOTFOUND, LV_EINTERNAL. */
int catalog_admin_image_remove(struct lv_db *db, const struct audit_actor *who, const char *slug,
			       int64_t id);

/*
 * Writes the active catalog into out (reset first; its maximum bounds the
 * size: LV_ETOOBIG past it) as a CSV file in the import's format with
 * exactly its columns (docs/catalog-csv.md): one line per active variant of
 * each active product, in catalog order, the pictures named as stored (a
 * variant without its own picture names the product's first), prices with
 * catalog_amount_plain in currency. Importing it again gives the same
 * catalog. Returns LV_OK, LV_ETOOBIG or LV_EINTERNAL.
 */
int catalog_csv_export(struct lv_db *db, const char *currency, struct lv_buf *out);

/*
 * Imports len bytes of CSV text (all or nothing: catalog_csv_parse then
 * catalog_csv_store). The pictures the file names are taken from those the
 * store already has, by name (as an export names them); a name the store
 * does not have is an error on its line. On success writes audit
 * "catalog.import" (the counts) in the import's transaction. rep must have
 * been initialised; its errors list every problem with line and column.
 * Returns LV_OK, LV_EINVAL (rep->errors), LV_ECONFLICT (busy) or
 * LV_EINTERNAL.
 */
int catalog_admin_import(struct lv_db *db, const struct audit_actor *who, const char *data,
			 size_t len, const char *currency, struct catalog_import_report *rep);

#endif
