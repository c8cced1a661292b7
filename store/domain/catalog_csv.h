/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * catalog_csv.h - importing the catalog from a CSV file (one row per
 * variant; the format is docs/catalog-csv.md).
 *
 * An import happens in two halves. catalog_csv_parse() reads and validates
 * the whole text in memory - header, every row, product consistency,
 * duplicate SKUs, the pictures the rows name - and collects every error with
 * its line and column. Only when there is none does catalog_csv_store()
 * write it, in one transaction: categories, products and variants are
 * upserted by slug/SKU (a variant keeps its id for ever, so orders can point
 * at it), and what the file no longer lists is deactivated, never deleted.
 * catalog_csv_import() does both for a file on disk, as
 * `livery import-catalog` wants.
 */
#ifndef LV_CATALOG_CSV_H
#define LV_CATALOG_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "lv_buf.h"
#include "lv_db.h"

#define CATALOG_CSV_MAX_BYTES (32u << 20)     /* the CSV file itself */
#define CATALOG_CSV_MAX_ROWS 100000
#define CATALOG_IMAGE_MAX_BYTES (2u << 20)    /* one picture */
#define CATALOG_IMAGES_MAX_BYTES (256u << 20) /* all pictures of one import */
#define CATALOG_CSV_MAX_ERRORS 200            /* listed; the rest are counted */

/* What an import did, or why it did nothing. Caller-owned memory. */
struct catalog_import_report {
	size_t n_errors;
	char **errors;           /* "line N, column C: ...", in file order */
	int categories;          /* categories in the file */
	int products;            /* products in the file (created or updated) */
	int variants;            /* variants in the file (created or updated) */
	int images;              /* distinct pictures stored */
	int deactivated_products; /* active before, absent from the file now */
	int deactivated_variants;
};

/* Zeroes rep. */
void catalog_import_report_init(struct catalog_import_report *rep);
/* Frees the error list and zeroes rep. Accepts NULL. */
void catalog_import_report_cleanup(struct catalog_import_report *rep);

/*
 * How the parser reads the pictures a CSV names. load() fills out (already
 * initialised with a maximum of CATALOG_IMAGE_MAX_BYTES) with the bytes of
 * the file name, a relative path that the parser has already checked
 * (letters, digits, '.', '_', '-' and '/' between parts, no part starting
 * with '.'). It returns LV_OK, LV_ENOTFOUND, LV_ETOOBIG, or another code
 * with a sentence in msg.
 */
struct catalog_image_loader {
	int (*load)(void *ctx, const char *name, struct lv_buf *out, char *msg,
		    size_t msglen);
	void *ctx;
};

/* A validated catalog, ready to store. Opaque. */
struct catalog_csv;

/*
 * Parses and validates len bytes of CSV text at data for a store whose
 * currency is an ISO 4217 code (catalog_currency_minor_units). Pictures are
 * loaded with loader and checked (catalog_image_check); with a NULL loader
 * only their names are checked and the result cannot be stored.
 * OUT: *out (may be NULL when only validating), the catalog, which the
 * caller frees with catalog_csv_free; NULL unless LV_OK.
 * Returns LV_OK, or LV_EINVAL when there was any error: every one is
 * appended to rep->errors (rep must have been initialised).
 * rep->categories/products/variants/images are the counts found.
 */
int catalog_csv_parse(const char *data, size_t len, const char *currency,
		      const struct catalog_image_loader *loader,
		      struct catalog_csv **out,
		      struct catalog_import_report *rep);

/* Frees a parsed catalog. Accepts NULL. */
void catalog_csv_free(struct catalog_csv *cat);

/*
 * Writes cat into db in one transaction (BEGIN IMMEDIATE ... COMMIT, or
 * inside the caller's when one is open: then the caller commits) and
 * rebuilds, in the same transaction, the search index and the storefront
 * listing (catalog_listing_refresh); on any error nothing changes. The clock is
 * lv_now(). Sets rep's counts, including what was deactivated. Returns
 * LV_OK, LV_EINVAL when cat was parsed without a loader (no pictures),
 * LV_ECONFLICT when the database stayed locked, or LV_EINTERNAL.
 */
int catalog_csv_store(struct lv_db *db, const struct catalog_csv *cat,
		      struct catalog_import_report *rep);

/*
 * Reads the file csv_path (at most CATALOG_CSV_MAX_BYTES), whose pictures
 * are named relative to its folder, validates it and, when it is free of
 * errors, stores it. rep must have been initialised; the caller prints
 * rep->errors on LV_EINVAL. Returns LV_OK, LV_EINVAL (errors in the file, or
 * an unknown currency: see rep), LV_EUNAVAIL (the file cannot be read; a
 * sentence is in rep->errors), LV_ETOOBIG, or what catalog_csv_store
 * returns.
 */
int catalog_csv_import(struct lv_db *db, const char *csv_path,
		       const char *currency, struct catalog_import_report *rep);

/*
 * Decides whether the len bytes at data, from a file called name, may be
 * served to browsers as a product picture: PNG, JPEG or WebP by their
 * signature, or SVG without scripts, event handler attributes, javascript:
 * URLs, external references (href, url() and stylesheets may only point
 * at "#..." inside the file), DOCTYPE/ENTITY declarations, foreignObject,
 * or animation of attributes (set, animate). The file name's extension must
 * agree with the content. OUT: *content_type (static string) on LV_OK.
 * Returns LV_OK, LV_ETOOBIG (over CATALOG_IMAGE_MAX_BYTES) or LV_EINVAL,
 * with a sentence in msg saying why.
 */
int catalog_image_check(const unsigned char *data, size_t len,
			const char *name, const char **content_type, char *msg,
			size_t msglen);

#endif
