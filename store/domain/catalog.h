/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * catalog.h - the catalog as the storefront reads it, and its money helpers.
 *
 * The pages and the JSON API call these functions; each one runs one
 * prepared statement that builds its whole answer (json_group_array in SQL),
 * never one query per product. Answers are jansson values shaped for the
 * templates; prices in them are integers in minor units of the store's
 * currency, and formatting them is the caller's job (catalog_price_format).
 *
 * A product is "listed" when it is active, has at least one active variant,
 * and is not restricted - unless the caller says restricted products may be
 * shown (include_restricted: the policy engine decides that, not this file).
 * The tables are those of migration 0002_catalog.sql; the CSV import that
 * fills them is catalog_csv.h.
 *
 * The product list and the category counts read the listing of migration
 * 0003_catalog_speed.sql, not the variants: per listed product its price
 * from, stock flag, first picture, sizes and colours, worked out when the
 * catalog changes (catalog_listing_refresh). Code that changes what a
 * listing shows must refresh it in the same transaction, or the storefront
 * shows the old values: see catalog_listing_refresh.
 */
#ifndef LV_CATALOG_H
#define LV_CATALOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lv_buf.h"
#include "lv_db.h"

#define CATALOG_PER_PAGE_DEFAULT 24
#define CATALOG_PER_PAGE_MAX 100
#define CATALOG_PAGE_MAX 100000
#define CATALOG_SEARCH_MAX 200   /* bytes of search text that are looked at */
#define CATALOG_SEARCH_TERMS 8   /* words of search text that are used */

/* What a product list asks for. Zero-initialise and set what you need. */
struct catalog_query {
	const char *category;   /* category slug; NULL or "" for every category */
	const char *search;     /* the employee's search text, as typed; NULL, "" or blanks for none */
	const char *size;       /* only products with an active variant of this size */
	const char *colour;     /* ... of this colour (both: one variant with both) */
	int include_restricted; /* 1: restricted products are listed too */
	int page;               /* from 1; less than 1 means 1 */
	int per_page;           /* 0 or less: CATALOG_PER_PAGE_DEFAULT; capped at _MAX */
};

/*
 * OUT: *out, a new array [{slug, name, count}] of the categories that hold
 * at least one listed product, in catalog order, count being the number of
 * listed products. The caller owns *out (json_decref). Returns LV_OK or
 * LV_EINTERNAL (*out is NULL then).
 */
int catalog_categories_list(struct lv_db *db, int include_restricted,
			    json_t **out);

/*
 * OUT: *out, a new object owned by the caller:
 *   {items: [{slug, name, category: {slug, name}, price_from, in_stock,
 *             image_url (string or null), colours: [..], sizes: [..]}],
 *    total, page, per_page, facets: {sizes: [..], colours: [..]}}
 * Products are filtered by q's category, search text (full-text, every word
 * must match, the last one as a prefix), size and colour; price_from and
 * in_stock are over the variants that fit the size/colour filter. The size
 * facet is computed without the size filter and the colour facet without
 * the colour filter, so that the employee can switch. With search text the
 * best matches come first, otherwise catalog order. Search text that holds
 * no word at all (only punctuation) matches nothing. Page and per_page in
 * the answer are the ones used after clamping. Returns LV_OK or LV_EINTERNAL.
 */
int catalog_products_list(struct lv_db *db, const struct catalog_query *q,
			  json_t **out);

/*
 * OUT: *out, a new object owned by the caller for the listed product slug:
 *   {id, slug, name, description, restricted, category: {slug, name},
 *    tags: [..], price_from, in_stock,
 *    images: [{id, url, content_type, name}],
 *    variants: [{id, sku, size, colour, fit, logo, price, stock, in_stock,
 *                image_url}],
 *    sizes: [..], colours: [..], fits: [..], logos: [..]}
 * sizes/colours/fits/logos are the distinct non-empty values of the active
 * variants, for a variant picker (sizes in XS..XXL then numeric order).
 * A variant's logo is its logo option ("Embroidered"), "" when it has none.
 * Returns LV_OK, LV_ENOTFOUND when there is no such listed product
 * (unknown, inactive, no active variant, or restricted without
 * include_restricted), or LV_EINTERNAL.
 */
int catalog_product_get(struct lv_db *db, const char *slug,
			int include_restricted, json_t **out);

/* A picture to serve from /media/. Owned by the caller; see _cleanup. */
struct catalog_image {
	int64_t id;
	int64_t product_id;
	char content_type[32];  /* image/svg+xml, image/png, image/jpeg, image/webp */
	unsigned char *data;
	size_t len;
	char sha256[65];        /* lowercase hex: the ETag */
};

/*
 * OUT: *img, the picture with id image_id (img->data is the caller's; free it
 * with catalog_image_cleanup). Returns LV_OK, LV_ENOTFOUND, or
 * LV_EINTERNAL; on error *img is zeroed. Serve SVG with a
 * Content-Security-Policy that forbids scripts, and with nosniff: the import
 * refuses scripted SVG, but defence in depth costs one header.
 */
int catalog_image_get(struct lv_db *db, int64_t image_id,
		      struct catalog_image *img);
/* Frees img->data and zeroes img. Accepts NULL. */
void catalog_image_cleanup(struct catalog_image *img);

/*
 * An SQL expression (text, for string literal concatenation) giving the
 * media URL "/media/<id>-<sha8>.<ext>" of the images row aliased i; the
 * one place in C that knows the URL shape catalog_media_name_parse reads
 * back (migration 0003's listing_products_source writes the same URL).
 */
#define CATALOG_SQL_MEDIA_URL(i)                                                    \
	"'/media/' || " i ".id || '-' || substr(" i ".sha256, 1, 8) || '.' || "  \
	"CASE " i ".content_type WHEN 'image/svg+xml' THEN 'svg' "             \
	"WHEN 'image/png' THEN 'png' WHEN 'image/jpeg' THEN 'jpg' "            \
	"ELSE 'webp' END"

/*
 * Parses a media file name as it appears in image URLs,
 * "<id>-<first 8 hex of sha256>.<svg|png|jpg|webp>" (the part after
 * "/media/"). OUT: *id and sha8 (9 bytes with the NUL). Returns LV_OK or
 * LV_EINVAL. The handler should compare sha8 with the image's sha256 so a
 * stale URL is not served forever-cached content.
 */
int catalog_media_name_parse(const char *name, int64_t *id, char sha8[9]);

/*
 * Rebuilds the full-text index from the catalog tables. The import calls it
 * inside its transaction; any other code that changes a product's name,
 * description, category or tags must call it too (the index cannot be kept
 * by triggers: see 0002_catalog.sql). Returns LV_OK or LV_EINTERNAL.
 */
int catalog_search_reindex(struct lv_db *db);

/*
 * Recomputes the storefront's listing (migration 0003) of the product with
 * id product_id, or of every product when product_id is 0, from the catalog
 * tables. Call it inside the transaction that changed them, after the
 * change: the import does it for the whole catalog; any other code that
 * changes a variant (stock - also an order taking the last one -, price,
 * size, colour, active), a product (active, restricted, category, position)
 * or its pictures must call it for that product, and code that changes a
 * category's position must call it with 0. Names and slugs are read live
 * and need no refresh. Returns LV_OK or LV_EINTERNAL.
 */
int catalog_listing_refresh(struct lv_db *db, int64_t product_id);

/*
 * Turns what an employee typed into a safe FTS5 query in out (reset first):
 * every word becomes a quoted string ("" inside doubled), the last one a
 * prefix ("shi"*), so that no FTS5 syntax (OR, NEAR, column:, -, *, ^) from
 * the user is ever interpreted. Words without a letter or digit are dropped;
 * bytes that are not UTF-8 are treated as spaces; only the first
 * CATALOG_SEARCH_MAX bytes and CATALOG_SEARCH_TERMS words count.
 * Returns the number of words used (0: the text searches for nothing).
 */
int catalog_fts_query(const char *text, struct lv_buf *out);

/* The number of decimals of an ISO 4217 code Livery knows, or -1. */
int catalog_currency_minor_units(const char *currency);

/*
 * Parses the NUL-terminated price s, written in major units with a '.' and
 * at most as many decimals as currency has ("24.90", "24.9", "24", "0"),
 * into minor units without floating point. OUT: *out. Returns LV_OK, or
 * LV_EINVAL (also for an unknown currency) with a sentence in msg that
 * quotes s and says what to write instead, e.g.
 *   "24,90" is not a price (use 24.90)
 */
int catalog_price_parse(const char *s, const char *currency, int64_t *out,
			char *msg, size_t msglen);

/*
 * minor as a plain decimal for files (CSV): "1234.50", "-3.00", "1500"
 * for a currency without minor units; no symbol, no grouping. OUT: out.
 * Returns LV_OK, or LV_EINVAL for an unknown currency (then out holds the
 * minor units as an integer).
 */
int catalog_amount_plain(int64_t minor, const char *currency, char *out, size_t len);

/*
 * Writes minor (in currency's minor units) as text for locale ("en",
 * "fr-FR", "de_CH", ...; NULL means en) into out: "€1,234.50" in English,
 * "1 234,50 €" in French (narrow no-break space, no-break space), "1.234,50 €"
 * in German, Spanish, Italian, Portuguese and Dutch. Returns LV_OK,
 * LV_EINVAL for an unknown currency, or LV_ETOOBIG when out is too small
 * (out is then an empty string).
 */
int catalog_price_format(int64_t minor, const char *currency,
			 const char *locale, char *out, size_t outlen);

/* 1 when the n bytes at s are valid UTF-8 (no overlongs, no surrogates). */
int catalog_utf8_valid(const char *s, size_t n);

/*
 * Writes s double-quoted into dst (size dstlen) for a message shown to an
 * admin: control characters become '?', a '"' becomes '\'', and a long
 * value is cut at a character boundary with "..." added. Returns dst.
 */
const char *catalog_text_quote(char *dst, size_t dstlen, const char *s);

#endif
