/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * console_catalog.c - the console's Catalog area (store_admin; the auditor
 * reads): the product list with search and filters, a product's page
 * (name, description, category, tags, restricted, active; its variants
 * with size, colour, fit, logo, price and stock; its pictures, uploaded,
 * replaced and removed), categories and tags, and the CSV import (an
 * upload, all or nothing) and export, with the same in the JSON API
 * (/api/v1/admin/products, /categories, /catalog/import, /catalog/export).
 *
 * Every change is catalog_admin.c's: one transaction with its audit entry
 * and the refresh of what the storefront lists and finds, so the page and
 * the API cannot disagree and an employee's catalog shows a change at
 * once (the policy cache watches catalog_generation).
 */
#include "console.h"

#include <string.h>

#include "api_shared.h"
#include "app.h"
#include "catalog.h"
#include "catalog_admin.h"
#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "req_data.h"

#define SECTION "catalog"
#define RW LV_ROLE_STORE_ADMIN
#define RO (LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR)

static int can_edit(const struct req *r)
{
	return (r->user->roles & LV_ROLE_STORE_ADMIN) != 0;
}

static const char *cur(const struct req *r)
{
	return r->app->cfg.currency;
}

/* A request value or "" (never NULL). */
static const char *qv(const char *s)
{
	return s ? s : "";
}

/* minor units as the price field shows them ("24.90"). A new JSON string. */
static json_t *cc_plain(const struct req *r, json_int_t minor)
{
	char buf[48];

	if (catalog_amount_plain(minor, cur(r), buf, sizeof(buf)) != LV_OK)
		buf[0] = '\0';
	return json_string(buf);
}

/* Translates every sentence of errors (the domain writes them in English). */
static json_t *cc_errors_tr(const struct req *r, const json_t *errors)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)errors, k, v)
		json_object_set_new(out, k, json_string(req_tr(r, json_string_value(v))));
	return out;
}

/* The categories as options of a select, the one slug selected. */
static json_t *cc_category_options(struct req *r, const char *slug)
{
	json_t *list = NULL, *c;
	size_t i;

	if (catalog_admin_categories_list(r->db, &list) != LV_OK)
		return json_array();
	json_array_foreach(list, i, c)
		json_object_set_new(c, "selected", json_boolean(slug && strcmp(slug,
			json_string_value(json_object_get(c, "slug"))) == 0));
	return list;
}

/* ---- the product list ---- */

struct cc_filters {
	const char *q, *category, *status, *restricted, *low;
	int64_t page;
};

static void cc_filters_read(const struct req *r, struct cc_filters *f)
{
	f->q = qv(req_query(r, "q"));
	f->category = qv(req_query(r, "category"));
	f->status = qv(req_query(r, "status"));
	f->restricted = qv(req_query(r, "restricted"));
	f->low = qv(req_query(r, "low"));
	if (req_query(r, "page") == NULL ||
	    lv_parse_i64(req_query(r, "page"), 1, 100000, &f->page) != LV_OK)
		f->page = 1;
}

static void cc_query_add(struct lv_buf *b, const char *key, const char *v)
{
	if (*v == '\0')
		return;
	lv_buf_printf(b, "%s%s=", strchr(lv_buf_str(b), '?') ? "&" : "?", key);
	lv_url_encode(v, b);
}

static void cc_list_url(const struct cc_filters *f, int64_t page, struct lv_buf *b)
{
	char n[24];

	lv_buf_reset(b);
	lv_buf_append_str(b, "/admin/catalog");
	cc_query_add(b, "q", f->q);
	cc_query_add(b, "category", f->category);
	cc_query_add(b, "status", f->status);
	cc_query_add(b, "restricted", f->restricted);
	cc_query_add(b, "low", f->low);
	lv_snprintf(n, sizeof(n), "%lld", (long long)page);
	cc_query_add(b, "page", page > 1 ? n : "");
}

static int cc_list_render(struct req *r, int status, json_t *create)
{
	struct catalog_admin_query q = { 0 };
	struct cc_filters f;
	json_t *list = NULL, *it, *page, *items;
	struct lv_buf url;
	int64_t total, pages;
	size_t i;
	int rc;

	cc_filters_read(r, &f);
	q.search = f.q;
	q.category = f.category;
	q.status = f.status;
	q.restricted = f.restricted;
	q.low_stock = strcmp(f.low, "1") == 0;
	q.page = (int)f.page;
	rc = catalog_admin_products_list(r->db, &q, &list);
	if (rc != LV_OK) {
		json_decref(create);
		return rc;
	}
	items = json_object_get(list, "items");
	json_array_foreach(items, i, it) {
		char u[128];
		json_t *mn = json_object_get(it, "price_min"), *mx = json_object_get(it, "price_max");

		lv_snprintf(u, sizeof(u), "/admin/catalog/products/%s",
			    json_string_value(json_object_get(it, "slug")));
		json_object_set_new(it, "url", json_string(u));
		if (json_is_integer(mn)) {
			json_object_set_new(it, "price_from", req_money(r, json_integer_value(mn)));
			if (json_integer_value(mx) != json_integer_value(mn))
				json_object_set_new(it, "price_to", req_money(r, json_integer_value(mx)));
		}
	}
	total = json_integer_value(json_object_get(list, "total"));
	pages = (total + CATALOG_ADMIN_PER_PAGE - 1) / CATALOG_ADMIN_PER_PAGE;
	page = json_pack("{s:O,s:I,s:b,s:b,s:{s:s,s:s,s:b,s:b,s:b,s:b,s:b},s:o,s:b,s:o}",
			 "items", items, "total", (json_int_t)total,
			 "empty", json_array_size(items) == 0,
			 "filtered", *f.q || *f.category || *f.status || *f.restricted || *f.low,
			 "filters", "q", f.q, "category", f.category,
			 "active", strcmp(f.status, "active") == 0,
			 "inactive", strcmp(f.status, "inactive") == 0,
			 "restricted", strcmp(f.restricted, "1") == 0,
			 "unrestricted", strcmp(f.restricted, "0") == 0,
			 "low", strcmp(f.low, "1") == 0,
			 "categories", cc_category_options(r, f.category),
			 "can_edit", can_edit(r),
			 "create", create ? create : json_pack("{s:{},s:{}}", "values", "errors"));
	json_object_set_new(page, "create_categories", cc_category_options(r,
		json_string_value(json_object_get(json_object_get(json_object_get(page, "create"),
							 "values"), "category"))));
	json_object_set_new(page, "low_mark", json_integer(CATALOG_ADMIN_LOW_STOCK));
	lv_buf_init(&url, 4096);
	if (pages > 1) {
		json_t *pag = json_pack("{s:I,s:I}", "page", (json_int_t)f.page, "pages",
					(json_int_t)pages);

		if (f.page > 1) {
			cc_list_url(&f, f.page - 1, &url);
			json_object_set_new(pag, "prev_url", json_string(lv_buf_str(&url)));
		}
		if (f.page < pages) {
			cc_list_url(&f, f.page + 1, &url);
			json_object_set_new(pag, "next_url", json_string(lv_buf_str(&url)));
		}
		json_object_set_new(page, "pagination", pag);
	}
	lv_buf_cleanup(&url);
	json_decref(list);
	return console_page(r, status, "console_catalog", req_tr(r, "Catalog"), SECTION, page);
}

static int cc_list_get(struct req *r)
{
	return cc_list_render(r, 200, NULL);
}

/* A status for a refused change: 409 for a conflict, 422 otherwise. */
static int cc_refused_status(int rc)
{
	return rc == LV_ECONFLICT ? 409 : 422;
}

/* POST /admin/catalog/products: a new product (slug, name, category), then its page. */
static int cc_create_post(struct req *r)
{
	struct catalog_product_input in = { 0 };
	struct audit_actor actor;
	json_t *errors = json_object();
	char url[160];
	int rc;

	in.slug = qv(req_form(r, "slug"));
	in.name = qv(req_form(r, "name"));
	in.category = qv(req_form(r, "category"));
	in.description = req_form(r, "description");
	in.tags = req_form(r, "tags");
	in.restricted = req_form(r, "restricted") != NULL;
	in.active = -1;
	req_actor(r, &actor);
	rc = catalog_admin_product_save(r->db, &actor, NULL, &in, errors);
	if (rc == LV_OK) {
		lv_snprintf(url, sizeof(url), "/admin/catalog/products/%s?done=created", in.slug);
		rc = reply_redirect(r, 303, url);
	} else if (rc == LV_EINVAL || rc == LV_ECONFLICT) {
		rc = cc_list_render(r, cc_refused_status(rc), json_pack(
			"{s:{s:s,s:s,s:s},s:o}", "values", "slug", in.slug, "name", in.name,
			"category", in.category, "errors", cc_errors_tr(r, errors)));
	}
	json_decref(errors);
	return rc;
}

/* ---- one product ---- */

/*
 * Renders a product's page. form: the product form's values and errors
 * (NULL: from the product); vform: {sku, values, errors} of a variant form
 * that was refused (sku "" for the new one); image_error: a refused upload.
 */
static int cc_product_render(struct req *r, int status, json_t *form, json_t *vform,
			     const char *image_error)
{
	json_t *p = NULL, *page, *v, *tags, *values, *variants;
	struct lv_buf tagtext;
	const char *done = req_query(r, "done"), *vsku;
	size_t i;
	int rc = catalog_admin_product_get(r->db, r->params[0], &p);

	if (rc == LV_ENOTFOUND) {
		json_decref(form);
		json_decref(vform);
		return reply_error(r, 404, "product_not_found",
				   "There is no product with that identifier. Go back to the catalog.",
				   NULL);
	}
	if (rc != LV_OK) {
		json_decref(form);
		json_decref(vform);
		return rc;
	}
	lv_buf_init(&tagtext, 4096);
	tags = json_object_get(p, "tags");
	json_array_foreach(tags, i, v)
		lv_buf_printf(&tagtext, "%s%s", i ? ", " : "", json_string_value(v));
	if (form == NULL)
		form = json_pack("{s:{s:s,s:s,s:s,s:s,s:b,s:b},s:{}}", "values",
				 "name", req_jstr(p, "name"), "description", req_jstr(p, "description"),
				 "category", req_jstr(json_object_get(p, "category"), "slug"),
				 "tags", lv_buf_str(&tagtext),
				 "restricted", json_integer_value(json_object_get(p, "restricted")) != 0,
				 "active", json_integer_value(json_object_get(p, "active")) != 0,
				 "errors");
	values = json_object_get(form, "values");
	vsku = vform ? req_jstr(vform, "sku") : NULL;
	variants = json_object_get(p, "variants");
	json_array_foreach(variants, i, v) {
		json_int_t price = json_integer_value(json_object_get(v, "price"));
		char id[16];

		lv_snprintf(id, sizeof(id), "v%zu", i);
		json_object_set_new(v, "id", json_string(id));
		json_object_set_new(v, "price_money", req_money(r, price));
		json_object_set_new(v, "is_active", json_boolean(
			json_integer_value(json_object_get(v, "active")) != 0));
		json_object_set_new(v, "low", json_boolean(
			json_integer_value(json_object_get(v, "active")) != 0 &&
			json_integer_value(json_object_get(v, "stock")) <= CATALOG_ADMIN_LOW_STOCK));
		if (vsku && *vsku && strcmp(vsku, req_jstr(v, "sku")) == 0) {
			json_object_set(v, "values", json_object_get(vform, "values"));
			json_object_set(v, "errors", json_object_get(vform, "errors"));
		} else {
			json_object_set_new(v, "values", json_pack("{s:s,s:s,s:s,s:s,s:o,s:I}",
				"size", req_jstr(v, "size"), "colour", req_jstr(v, "colour"),
				"fit", req_jstr(v, "fit"), "logo", req_jstr(v, "logo"),
				"price", cc_plain(r, price),
				"stock", json_integer_value(json_object_get(v, "stock"))));
			json_object_set_new(v, "errors", json_object());
		}
	}
	page = json_pack("{s:s,s:s,s:O,s:O,s:O,s:O,s:o,s:b,s:b,s:b,s:O,s:o}",
			 "slug", req_jstr(p, "slug"), "name", req_jstr(p, "name"),
			 "product", p, "values", values, "errors", json_object_get(form, "errors"),
			 "variants", variants,
			 "categories", cc_category_options(r, req_jstr(values, "category")),
			 "can_edit", can_edit(r),
			 "active", json_integer_value(json_object_get(p, "active")) != 0,
			 "no_variants", json_array_size(variants) == 0,
			 "images", json_object_get(p, "images"),
			 "new_variant", vsku && *vsku == '\0' ? json_incref(vform)
				: json_pack("{s:{},s:{}}", "values", "errors"));
	json_object_set_new(page, "has_images", json_boolean(
		json_array_size(json_object_get(p, "images")) > 0));
	json_object_set_new(page, "images_full", json_boolean(
		json_array_size(json_object_get(p, "images")) >= CATALOG_ADMIN_IMAGES_MAX));
	json_object_set_new(page, "currency", json_string(cur(r)));
	if (image_error)
		json_object_set_new(page, "image_error", json_string(image_error));
	if (done) {
		json_object_set_new(page, "done_created", json_boolean(strcmp(done, "created") == 0));
		json_object_set_new(page, "done_saved", json_boolean(strcmp(done, "saved") == 0));
		json_object_set_new(page, "done_variant", json_boolean(strcmp(done, "variant") == 0));
		json_object_set_new(page, "done_image", json_boolean(strcmp(done, "image") == 0));
		json_object_set_new(page, "done_image_removed", json_boolean(
			strcmp(done, "image-removed") == 0));
	}
	rc = console_page(r, status, "console_catalog_product", req_jstr(p, "name"), SECTION, page);
	lv_buf_cleanup(&tagtext);
	json_decref(p);
	json_decref(form);
	json_decref(vform);
	return rc;
}

static int cc_product_get(struct req *r)
{
	return cc_product_render(r, 200, NULL, NULL, NULL);
}

static int cc_redirect_done(struct req *r, const char *done)
{
	char url[192];

	lv_snprintf(url, sizeof(url), "/admin/catalog/products/%s?done=%s", r->params[0], done);
	return reply_redirect(r, 303, url);
}

/* POST /admin/catalog/products/:slug: the product form. */
static int cc_product_post(struct req *r)
{
	struct catalog_product_input in = { 0 };
	struct audit_actor actor;
	json_t *errors = json_object();
	int rc;

	in.name = qv(req_form(r, "name"));
	in.description = qv(req_form(r, "description"));
	in.category = qv(req_form(r, "category"));
	in.tags = qv(req_form(r, "tags"));
	in.restricted = req_form(r, "restricted") != NULL;
	in.active = req_form(r, "active") != NULL;
	req_actor(r, &actor);
	rc = catalog_admin_product_save(r->db, &actor, r->params[0], &in, errors);
	if (rc == LV_OK)
		rc = cc_redirect_done(r, "saved");
	else if (rc == LV_EINVAL || rc == LV_ECONFLICT)
		rc = cc_product_render(r, cc_refused_status(rc), json_pack(
			"{s:{s:s,s:s,s:s,s:s,s:b,s:b},s:o}", "values", "name", in.name,
			"description", in.description, "category", in.category, "tags", in.tags,
			"restricted", in.restricted, "active", in.active,
			"errors", cc_errors_tr(r, errors)), NULL, NULL);
	json_decref(errors);
	return rc;
}

/* The variant form's fields into in, and what was typed as {values}. */
static json_t *cc_variant_form(const struct req *r, struct catalog_variant_input *in)
{
	memset(in, 0, sizeof(*in));
	in->sku = req_form(r, "sku");
	in->size = qv(req_form(r, "size"));
	in->colour = qv(req_form(r, "colour"));
	in->fit = qv(req_form(r, "fit"));
	in->logo = qv(req_form(r, "logo"));
	in->price = qv(req_form(r, "price"));
	in->stock = qv(req_form(r, "stock"));
	in->active = -1;
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "sku", qv(in->sku), "size", in->size,
			 "colour", in->colour, "fit", in->fit, "logo", in->logo, "price", in->price,
			 "stock", in->stock);
}

/* POST /admin/catalog/products/:slug/variants: a new variant. */
static int cc_variant_add_post(struct req *r)
{
	struct catalog_variant_input in;
	struct audit_actor actor;
	json_t *errors = json_object(), *values = cc_variant_form(r, &in);
	int rc;

	if (in.sku == NULL)
		in.sku = "";
	req_actor(r, &actor);
	rc = catalog_admin_variant_save(r->db, &actor, r->params[0], NULL, &in, cur(r), errors);
	if (rc == LV_OK)
		rc = cc_redirect_done(r, "variant");
	else if (rc == LV_EINVAL || rc == LV_ECONFLICT)
		rc = cc_product_render(r, cc_refused_status(rc), NULL, json_pack("{s:s,s:O,s:o}",
			"sku", "", "values", values, "errors", cc_errors_tr(r, errors)), NULL);
	json_decref(values);
	json_decref(errors);
	return rc;
}

/* POST /admin/catalog/products/:slug/variants/:sku: save, deactivate or activate. */
static int cc_variant_post(struct req *r)
{
	struct catalog_variant_input in;
	struct audit_actor actor;
	const char *action = qv(req_form(r, "action"));
	json_t *errors = json_object(), *values = cc_variant_form(r, &in);
	int rc;

	in.sku = NULL;
	if (strcmp(action, "deactivate") == 0 || strcmp(action, "activate") == 0) {
		memset(&in, 0, sizeof(in));
		in.active = strcmp(action, "activate") == 0;
	}
	req_actor(r, &actor);
	rc = catalog_admin_variant_save(r->db, &actor, r->params[0], r->params[1], &in, cur(r),
					errors);
	if (rc == LV_OK) {
		rc = cc_redirect_done(r, "variant");
	} else if (rc == LV_EINVAL || rc == LV_ECONFLICT) {
		json_object_set_new(values, "sku", json_string(r->params[1]));
		rc = cc_product_render(r, cc_refused_status(rc), NULL, json_pack("{s:s,s:O,s:o}",
			"sku", r->params[1], "values", values, "errors", cc_errors_tr(r, errors)), NULL);
	} else if (rc == LV_ENOTFOUND) {
		rc = reply_error(r, 404, "variant_not_found",
				 "This product has no variant with that SKU. Go back to the product.",
				 NULL);
	}
	json_decref(values);
	json_decref(errors);
	return rc;
}

/* POST /admin/catalog/products/:slug/images (upload): "file", and "replace" (an image id) */
static int cc_image_post(struct req *r)
{
	const struct lv_multipart_part *file, *rep;
	struct audit_actor actor;
	int64_t replace = 0;
	char msg[512], idtext[24];
	int rc;

	rc = req_upload_need(r);
	if (rc != LV_OK)
		return rc;
	file = req_upload_part(r, "file");
	rep = req_upload_part(r, "replace");
	if (rep && rep->len > 0 && rep->len < sizeof(idtext)) {
		memcpy(idtext, rep->data, rep->len);
		idtext[rep->len] = '\0';
		if (lv_parse_i64(idtext, 1, INT64_MAX, &replace) != LV_OK)
			replace = 0;
	}
	if (file == NULL || file->len == 0)
		return cc_product_render(r, 400, NULL, NULL, req_tr(r,
			"Choose the picture to upload: a PNG, JPEG, WebP or SVG file of at most 2 MiB."));
	req_actor(r, &actor);
	rc = catalog_admin_image_put(r->db, &actor, r->params[0], replace, file->filename,
				     file->data, file->len, msg, sizeof(msg));
	if (rc == LV_OK)
		rc = cc_redirect_done(r, "image");
	else if (rc == LV_EINVAL || rc == LV_ETOOBIG || rc == LV_ECONFLICT)
		rc = cc_product_render(r, rc == LV_ETOOBIG ? 413 : cc_refused_status(rc), NULL, NULL,
				       msg);
	return rc;
}

/* POST /admin/catalog/products/:slug/images/:id/delete */
static int cc_image_delete_post(struct req *r)
{
	struct audit_actor actor;
	int64_t id = 0;
	int rc;

	if (lv_parse_i64(r->params[1], 1, INT64_MAX, &id) != LV_OK)
		return reply_error(r, 404, "image_not_found", "There is no such picture.", NULL);
	req_actor(r, &actor);
	rc = catalog_admin_image_remove(r->db, &actor, r->params[0], id);
	if (rc == LV_OK)
		rc = cc_redirect_done(r, "image-removed");
	else if (rc == LV_ENOTFOUND)
		rc = reply_error(r, 404, "image_not_found",
				 "This product has no such picture. Go back to the product.", NULL);
	return rc;
}

/* ---- categories and tags ---- */

static int cc_categories_render(struct req *r, int status, const char *slug, json_t *values,
				json_t *errors)
{
	json_t *cats = NULL, *tags = NULL, *c, *page;
	const char *done = req_query(r, "done");
	size_t i;
	int rc = catalog_admin_categories_list(r->db, &cats);

	if (rc == LV_OK)
		rc = catalog_admin_tags_list(r->db, &tags);
	if (rc != LV_OK) {
		json_decref(cats);
		json_decref(values);
		json_decref(errors);
		return rc;
	}
	json_array_foreach(cats, i, c) {
		char id[16];

		lv_snprintf(id, sizeof(id), "c%zu", i);
		json_object_set_new(c, "id", json_string(id));
		if (slug && strcmp(slug, req_jstr(c, "slug")) == 0) {
			json_object_set(c, "values", values);
			json_object_set(c, "errors", errors);
		} else {
			json_object_set_new(c, "values", json_pack("{s:s,s:I}", "name", req_jstr(c, "name"),
				"position", json_integer_value(json_object_get(c, "position"))));
			json_object_set_new(c, "errors", json_object());
		}
	}
	page = json_pack("{s:o,s:o,s:b,s:b,s:o}", "categories", cats, "tags", tags,
			 "can_edit", can_edit(r), "no_tags", json_array_size(tags) == 0,
			 "create", slug && *slug == '\0'
				? json_pack("{s:O,s:O}", "values", values, "errors", errors)
				: json_pack("{s:{},s:{}}", "values", "errors"));
	if (done)
		json_object_set_new(page, "done", json_string(done));
	json_object_set_new(page, "done_deleted", json_boolean(done && strcmp(done, "deleted") == 0));
	json_object_set_new(page, "done_saved", json_boolean(done && strcmp(done, "saved") == 0));
	json_decref(values);
	json_decref(errors);
	return console_page(r, status, "console_catalog_categories",
			    req_tr(r, "Categories and tags"), SECTION, page);
}

static int cc_categories_get(struct req *r)
{
	return cc_categories_render(r, 200, NULL, NULL, NULL);
}

/* POST /admin/catalog/categories: a new category. */
static int cc_category_create_post(struct req *r)
{
	const char *slug = qv(req_form(r, "slug")), *name = qv(req_form(r, "name"));
	const char *pos = qv(req_form(r, "position"));
	struct audit_actor actor;
	json_t *errors = json_object();
	int rc;

	req_actor(r, &actor);
	rc = catalog_admin_category_save(r->db, &actor, NULL, slug, name, pos, errors);
	if (rc == LV_OK)
		rc = reply_redirect(r, 303, "/admin/catalog/categories?done=saved");
	else if (rc == LV_EINVAL || rc == LV_ECONFLICT)
		rc = cc_categories_render(r, cc_refused_status(rc), "",
					  json_pack("{s:s,s:s,s:s}", "slug", slug, "name", name,
						    "position", pos), cc_errors_tr(r, errors));
	json_decref(errors);
	return rc;
}

/* POST /admin/catalog/categories/:slug: rename / move (action save) or delete. */
static int cc_category_post(struct req *r)
{
	const char *name = qv(req_form(r, "name")), *pos = qv(req_form(r, "position"));
	const char *action = qv(req_form(r, "action"));
	struct audit_actor actor;
	json_t *errors = json_object();
	int del = strcmp(action, "delete") == 0, rc;

	req_actor(r, &actor);
	rc = del ? catalog_admin_category_delete(r->db, &actor, r->params[0], errors)
		 : catalog_admin_category_save(r->db, &actor, r->params[0], NULL, name, pos, errors);
	if (rc == LV_OK) {
		rc = reply_redirect(r, 303, del ? "/admin/catalog/categories?done=deleted"
					       : "/admin/catalog/categories?done=saved");
	} else if (rc == LV_EINVAL || rc == LV_ECONFLICT) {
		if (del && json_object_get(errors, "category"))
			json_object_set(errors, "name", json_object_get(errors, "category"));
		rc = cc_categories_render(r, cc_refused_status(rc), r->params[0],
					  json_pack("{s:s,s:s}", "name", name, "position", pos),
					  cc_errors_tr(r, errors));
	} else if (rc == LV_ENOTFOUND) {
		rc = reply_error(r, 404, "category_not_found", "There is no such category.", NULL);
	}
	json_decref(errors);
	return rc;
}

/* ---- CSV import and export ---- */

/* The report's errors as [{text}] (at most CATALOG_CSV_MAX_ERRORS are listed). */
static json_t *cc_report_errors(const struct catalog_import_report *rep)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < rep->n_errors; i++)
		json_array_append_new(list, json_pack("{s:s}", "text", rep->errors[i]));
	return list;
}

static int cc_import_render(struct req *r, int status, const struct catalog_import_report *rep,
			    const char *error)
{
	const char *done = req_query(r, "done");
	json_t *page = json_pack("{s:b,s:I}", "can_edit", can_edit(r), "max_mb",
				 (json_int_t)(r->app->cfg.max_upload_bytes >> 20));

	if (rep) {
		json_object_set_new(page, "errors", cc_report_errors(rep));
		json_object_set_new(page, "has_errors", json_boolean(rep->n_errors > 0));
		json_object_set_new(page, "n_errors", json_integer((json_int_t)rep->n_errors));
	}
	if (error)
		json_object_set_new(page, "error", json_string(error));
	if (done && strcmp(done, "imported") == 0) {
		static const char *const keys[] = { "products", "variants", "deactivated_products",
						    "deactivated_variants" };
		json_t *d = json_object();
		size_t k;

		for (k = 0; k < 4; k++) {
			int64_t n = 0;

			if (req_query(r, keys[k]))
				lv_parse_i64(req_query(r, keys[k]), 0, INT32_MAX, &n);
			json_object_set_new(d, keys[k], json_integer(n));
		}
		json_object_set_new(page, "done_imported", d);
	}
	return console_page(r, status, "console_catalog_import", req_tr(r, "Import and export"),
			    SECTION, page);
}

static int cc_import_get(struct req *r)
{
	return cc_import_render(r, 200, NULL, NULL);
}

/* Runs an import of data; on success the counts are in rep. */
static int cc_import_run(struct req *r, const void *data, size_t len,
			 struct catalog_import_report *rep)
{
	struct audit_actor actor;

	req_actor(r, &actor);
	return catalog_admin_import(r->db, &actor, data, len, cur(r), rep);
}

/* POST /admin/catalog/import (upload): the part "file". */
static int cc_import_post(struct req *r)
{
	const struct lv_multipart_part *file;
	struct catalog_import_report rep;
	char url[256];
	int rc;

	catalog_import_report_init(&rep);
	rc = req_upload_need(r);
	if (rc != LV_OK)
		goto out;
	file = req_upload_part(r, "file");
	if (file == NULL || file->len == 0) {
		rc = cc_import_render(r, 400, NULL, req_tr(r,
			"Choose the CSV file to import, then send the form."));
		goto out;
	}
	rc = cc_import_run(r, file->data, file->len, &rep);
	if (rc == LV_OK) {
		lv_snprintf(url, sizeof(url), "/admin/catalog/import?done=imported&products=%d"
			    "&variants=%d&deactivated_products=%d&deactivated_variants=%d",
			    rep.products, rep.variants, rep.deactivated_products,
			    rep.deactivated_variants);
		rc = reply_redirect(r, 303, url);
	} else if (rc == LV_EINVAL) {
		rc = cc_import_render(r, 422, &rep, req_tr(r,
			"Nothing was imported. Correct every line listed below, then import the file again."));
	} else if (rc == LV_ECONFLICT) {
		rc = cc_import_render(r, 503, NULL, req_tr(r,
			"The store is busy: nothing was imported. Try again in a moment."));
	}
out:
	catalog_import_report_cleanup(&rep);
	return rc;
}

/* The export into r->out. */
static int cc_export_fill(struct req *r)
{
	struct lv_buf b;
	int rc;

	lv_buf_init(&b, CATALOG_CSV_MAX_BYTES);
	rc = catalog_csv_export(r->db, cur(r), &b);
	if (rc == LV_OK) {
		lv_buf_reset(&r->out);
		rc = lv_buf_append(&r->out, lv_buf_str(&b), b.len);
	}
	lv_buf_cleanup(&b);
	return rc;
}

/* GET /admin/catalog/export and /api/v1/admin/catalog/export: catalog.csv */
static int cc_export_get(struct req *r)
{
	int rc = cc_export_fill(r);

	if (rc == LV_ETOOBIG)
		return reply_error(r, 422, "export_too_big",
				   "The catalog is larger than 32 MiB as CSV: it cannot be exported here.",
				   NULL);
	if (rc != LV_OK)
		return rc;
	return reply_download(r, "catalog.csv", "text/csv; charset=utf-8");
}

/* ---- the JSON API ---- */

static int api_invalid(struct req *r, int rc, const char *what, const json_t *errors)
{
	char code[48];

	lv_snprintf(code, sizeof(code), rc == LV_ECONFLICT ? "%s_conflict" : "%s_invalid", what);
	reply_json_invalid(r, rc == LV_ECONFLICT ? 409 : 422, code,
			   "nothing was changed: see errors (one per field)", errors);
	return rc;
}

static int api_not_found(struct req *r, const char *what)
{
	char code[48], msg[96];

	lv_snprintf(code, sizeof(code), "%s_not_found", what);
	lv_snprintf(msg, sizeof(msg), "there is no such %s", what);
	reply_json_error(r, 404, code, msg);
	return LV_ENOTFOUND;
}

/* A string member, or NULL (a number is refused by the caller's key check). */
static const char *api_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A 0/1 member: true/false or 0/1; -1 when absent. */
static int api_flag(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return -1;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return json_is_true(v);
}

/* tags: an array of strings or a string, as text for the domain. OUT: b. */
static const char *api_tags(const json_t *o, struct lv_buf *b)
{
	json_t *t = json_object_get(o, "tags"), *x;
	size_t i;

	if (json_is_string(t))
		return json_string_value(t);
	if (!json_is_array(t))
		return NULL;
	json_array_foreach(t, i, x)
		if (json_is_string(x))
			lv_buf_printf(b, "%s%s", i ? "," : "", json_string_value(x));
	return lv_buf_str(b) ? lv_buf_str(b) : "";
}

static int api_product_reply(struct req *r, int status, const char *slug)
{
	json_t *p = NULL;
	int rc = catalog_admin_product_get(r->db, slug, &p);

	if (rc == LV_ENOTFOUND)
		return api_not_found(r, "product");
	if (rc != LV_OK)
		return rc;
	json_object_set_new(p, "currency", json_string(cur(r)));
	return reply_json(r, status, p);
}

/* GET /api/v1/admin/products */
static int api_products_get(struct req *r)
{
	struct catalog_admin_query q = { 0 };
	json_t *out = NULL;
	int64_t n = 0;
	int rc;

	q.search = req_query(r, "q");
	q.category = req_query(r, "category");
	q.status = req_query(r, "status");
	q.restricted = req_query(r, "restricted");
	q.low_stock = req_query(r, "low_stock") && strcmp(req_query(r, "low_stock"), "1") == 0;
	if (req_query(r, "page") && lv_parse_i64(req_query(r, "page"), 1, 100000, &n) == LV_OK)
		q.page = (int)n;
	if (req_query(r, "per_page") &&
	    lv_parse_i64(req_query(r, "per_page"), 1, CATALOG_ADMIN_PER_PAGE_MAX, &n) == LV_OK)
		q.per_page = (int)n;
	rc = catalog_admin_products_list(r->db, &q, &out);
	if (rc != LV_OK)
		return rc;
	json_object_set_new(out, "currency", json_string(cur(r)));
	return reply_json(r, 200, out);
}

static int api_product_get(struct req *r)
{
	return api_product_reply(r, 200, r->params[0]);
}

static const char *const product_keys[] = { "slug", "name", "description", "category", "tags",
					     "restricted", "active", NULL };

/* POST /api/v1/admin/products and PUT /api/v1/admin/products/:slug */
static int api_product_save(struct req *r, const char *slug)
{
	struct catalog_product_input in = { 0 };
	struct audit_actor actor;
	struct lv_buf tags;
	json_t *body = NULL, *errors = json_object();
	int rc;

	lv_buf_init(&tags, 4096);
	rc = api_body_json(r, 0, &body);
	if (rc != LV_OK)
		goto out;
	rc = api_keys_check(r, body, "", product_keys);
	if (rc != LV_OK)
		goto out;
	in.slug = api_str(body, "slug");
	in.name = api_str(body, "name");
	in.description = api_str(body, "description");
	in.category = api_str(body, "category");
	in.tags = api_tags(body, &tags);
	in.restricted = api_flag(body, "restricted");
	in.active = api_flag(body, "active");
	req_actor(r, &actor);
	rc = catalog_admin_product_save(r->db, &actor, slug, &in, errors);
	if (rc == LV_OK)
		rc = api_product_reply(r, slug ? 200 : 201, slug ? slug : in.slug);
	else if (rc == LV_EINVAL || rc == LV_ECONFLICT)
		api_invalid(r, rc, "product", errors);
	else if (rc == LV_ENOTFOUND)
		api_not_found(r, "product");
out:
	lv_buf_cleanup(&tags);
	json_decref(body);
	json_decref(errors);
	return rc;
}

static int api_product_post(struct req *r)
{
	return api_product_save(r, NULL);
}

static int api_product_put(struct req *r)
{
	return api_product_save(r, r->params[0]);
}

static const char *const variant_keys[] = { "sku", "size", "colour", "fit", "logo", "price",
					     "stock", "active", NULL };

/* POST …/products/:slug/variants and PUT …/variants/:sku */
static int api_variant_save(struct req *r, const char *sku)
{
	struct catalog_variant_input in = { 0 };
	struct audit_actor actor;
	json_t *body = NULL, *errors = json_object(), *stock;
	char stocktext[24];
	int rc;

	rc = api_body_json(r, 0, &body);
	if (rc != LV_OK)
		goto out;
	rc = api_keys_check(r, body, "", variant_keys);
	if (rc != LV_OK)
		goto out;
	in.sku = sku ? NULL : api_str(body, "sku");
	in.size = api_str(body, "size");
	in.colour = api_str(body, "colour");
	in.fit = api_str(body, "fit");
	in.logo = api_str(body, "logo");
	in.price = api_str(body, "price");
	stock = json_object_get(body, "stock");
	if (json_is_integer(stock)) {
		lv_snprintf(stocktext, sizeof(stocktext), "%lld", (long long)json_integer_value(stock));
		in.stock = stocktext;
	} else {
		in.stock = json_string_value(stock);
	}
	if (json_is_number(json_object_get(body, "price"))) {
		json_object_set_new(errors, "price", json_string(
			"write the price as a string in major units, for example \"24.90\""));
		rc = api_invalid(r, LV_EINVAL, "variant", errors);
		goto out;
	}
	in.active = api_flag(body, "active");
	req_actor(r, &actor);
	rc = catalog_admin_variant_save(r->db, &actor, r->params[0], sku, &in, cur(r), errors);
	if (rc == LV_OK)
		rc = api_product_reply(r, sku ? 200 : 201, r->params[0]);
	else if (rc == LV_EINVAL || rc == LV_ECONFLICT)
		api_invalid(r, rc, "variant", errors);
	else if (rc == LV_ENOTFOUND)
		api_not_found(r, sku ? "variant" : "product");
out:
	json_decref(body);
	json_decref(errors);
	return rc;
}

static int api_variant_post(struct req *r)
{
	return api_variant_save(r, NULL);
}

static int api_variant_put(struct req *r)
{
	return api_variant_save(r, r->params[1]);
}

/*
 * POST /api/v1/admin/products/:slug/images: multipart/form-data with the
 * part "file" (PNG, JPEG, WebP or SVG, at most 2 MiB) and, to replace a
 * picture keeping its id, "replace" (the picture's id). Answers 201 with
 * the product.
 */
static int api_image_post(struct req *r)
{
	const struct lv_multipart_part *file, *rep;
	struct audit_actor actor;
	int64_t replace = 0;
	char msg[512], idtext[24];
	int rc;

	rc = req_upload_need(r);
	if (rc != LV_OK)
		return rc;
	file = req_upload_part(r, "file");
	rep = req_upload_part(r, "replace");
	if (rep && rep->len > 0) {
		if (rep->len >= sizeof(idtext)) {
			idtext[0] = '\0';
		} else {
			memcpy(idtext, rep->data, rep->len);
			idtext[rep->len] = '\0';
		}
		if (lv_parse_i64(idtext, 1, INT64_MAX, &replace) != LV_OK) {
			reply_json_error(r, 422, "image_invalid",
					 "replace: must be the id of one of the product's pictures");
			return LV_EINVAL;
		}
	}
	if (file == NULL || file->len == 0) {
		reply_json_error(r, 422, "image_invalid",
				 "file: send the picture in the part \"file\" (PNG, JPEG, WebP or SVG, "
				 "at most 2 MiB)");
		return LV_EINVAL;
	}
	req_actor(r, &actor);
	rc = catalog_admin_image_put(r->db, &actor, r->params[0], replace, file->filename,
				     file->data, file->len, msg, sizeof(msg));
	if (rc == LV_OK)
		rc = api_product_reply(r, 201, r->params[0]);
	else if (rc == LV_ENOTFOUND)
		api_not_found(r, replace ? "image" : "product");
	else if (rc == LV_ETOOBIG)
		reply_json_error(r, 413, "too_large", msg);
	else if (rc == LV_EINVAL)
		reply_json_error(r, 422, "image_invalid", msg);
	else if (rc == LV_ECONFLICT)
		reply_json_error(r, 409, "image_conflict", msg);
	return rc;
}

/* DELETE /api/v1/admin/products/:slug/images/:id: answers 200 with the product. */
static int api_image_delete(struct req *r)
{
	struct audit_actor actor;
	int64_t id = 0;
	int rc;

	if (lv_parse_i64(r->params[1], 1, INT64_MAX, &id) != LV_OK)
		return api_not_found(r, "image");
	req_actor(r, &actor);
	rc = catalog_admin_image_remove(r->db, &actor, r->params[0], id);
	if (rc == LV_OK)
		rc = api_product_reply(r, 200, r->params[0]);
	else if (rc == LV_ENOTFOUND)
		api_not_found(r, "image");
	return rc;
}

/* GET /api/v1/admin/categories: the categories and the tags. */
static int api_categories_get(struct req *r)
{
	json_t *cats = NULL, *tags = NULL;
	int rc = catalog_admin_categories_list(r->db, &cats);

	if (rc == LV_OK)
		rc = catalog_admin_tags_list(r->db, &tags);
	if (rc != LV_OK) {
		json_decref(cats);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o,s:o}", "categories", cats, "tags", tags));
}

static const char *const category_keys[] = { "slug", "name", "position", NULL };

static int api_category_save(struct req *r, const char *slug)
{
	struct audit_actor actor;
	json_t *body = NULL, *errors = json_object(), *pos;
	char postext[24] = "";
	int rc;

	rc = api_body_json(r, 0, &body);
	if (rc != LV_OK)
		goto out;
	rc = api_keys_check(r, body, "", category_keys);
	if (rc != LV_OK)
		goto out;
	pos = json_object_get(body, "position");
	if (json_is_integer(pos))
		lv_snprintf(postext, sizeof(postext), "%lld", (long long)json_integer_value(pos));
	else if (pos && !json_is_null(pos))
		lv_snprintf(postext, sizeof(postext), "x");
	req_actor(r, &actor);
	rc = catalog_admin_category_save(r->db, &actor, slug, api_str(body, "slug"),
					 api_str(body, "name"), postext[0] ? postext : NULL, errors);
	if (rc == LV_OK)
		rc = api_categories_get(r);
	else if (rc == LV_EINVAL || rc == LV_ECONFLICT)
		api_invalid(r, rc, "category", errors);
	else if (rc == LV_ENOTFOUND)
		api_not_found(r, "category");
	if (rc == LV_OK && slug == NULL)
		r->status = 201;
out:
	json_decref(body);
	json_decref(errors);
	return rc;
}

static int api_category_post(struct req *r)
{
	return api_category_save(r, NULL);
}

static int api_category_put(struct req *r)
{
	return api_category_save(r, r->params[0]);
}

static int api_category_delete(struct req *r)
{
	struct audit_actor actor;
	json_t *errors = json_object();
	int rc;

	req_actor(r, &actor);
	rc = catalog_admin_category_delete(r->db, &actor, r->params[0], errors);
	if (rc == LV_OK)
		rc = reply_json(r, 200, json_pack("{s:s}", "deleted", r->params[0]));
	else if (rc == LV_ECONFLICT)
		reply_json_error(r, 409, "category_not_empty",
				 json_string_value(json_object_get(errors, "category")));
	else if (rc == LV_ENOTFOUND)
		api_not_found(r, "category");
	json_decref(errors);
	return rc;
}

/* POST /api/v1/admin/catalog/import: a text/csv body. */
static int api_import_post(struct req *r)
{
	const char *ct = req_header(r, "Content-Type");
	struct catalog_import_report rep;
	int rc;

	catalog_import_report_init(&rep);
	if (ct == NULL || strncasecmp(ct, "text/csv", 8) != 0) {
		reply_json_error(r, 415, "unsupported_media_type",
				 "send the catalog as a text/csv body");
		rc = LV_EINVAL;
		goto out;
	}
	rc = req_body_read(r);
	if (rc == LV_ETOOBIG) {
		reply_json_error(r, 413, "too_large", "the file is larger than the store accepts");
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	rc = cc_import_run(r, lv_buf_str(&r->body) ? lv_buf_str(&r->body) : "", r->body.len,
			   &rep);
	if (rc == LV_OK)
		rc = reply_json(r, 200, json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "categories",
			rep.categories, "products", rep.products, "variants", rep.variants, "images",
			rep.images, "deactivated_products", rep.deactivated_products,
			"deactivated_variants", rep.deactivated_variants));
	else if (rc == LV_EINVAL)
		reply_json(r, 422, json_pack("{s:{s:s,s:s,s:s,s:o}}", "error", "code",
			"catalog_invalid", "message", "nothing was imported: see errors (line and "
			"column of each)", "request_id", r->rid, "errors", cc_report_errors(&rep)));
	else if (rc == LV_ECONFLICT)
		reply_json_error(r, 503, "busy", "the store is busy: nothing was imported; try again");
out:
	catalog_import_report_cleanup(&rep);
	return rc;
}

/* clang-format off */
const struct route console_catalog_routes[] = {
	/* method  pattern                                               kind        access         roles csrf          handler                  name */
	{ "GET",  "/admin/catalog",                                      ROUTE_PAGE, ROUTE_SESSION, RO, 0,            cc_list_get,             "console_catalog" },
	{ "POST", "/admin/catalog/products",                             ROUTE_PAGE, ROUTE_SESSION, RW, 1,            cc_create_post,          "console_catalog_product_create" },
	{ "GET",  "/admin/catalog/products/:slug",                       ROUTE_PAGE, ROUTE_SESSION, RO, 0,            cc_product_get,          "console_catalog_product" },
	{ "POST", "/admin/catalog/products/:slug",                       ROUTE_PAGE, ROUTE_SESSION, RW, 1,            cc_product_post,         "console_catalog_product_save" },
	{ "POST", "/admin/catalog/products/:slug/variants",              ROUTE_PAGE, ROUTE_SESSION, RW, 1,            cc_variant_add_post,     "console_catalog_variant_add" },
	{ "POST", "/admin/catalog/products/:slug/variants/:sku",         ROUTE_PAGE, ROUTE_SESSION, RW, 1,            cc_variant_post,         "console_catalog_variant_save" },
	{ "POST", "/admin/catalog/products/:slug/images",                ROUTE_PAGE, ROUTE_SESSION, RW, ROUTE_UPLOAD, cc_image_post,           "console_catalog_image_upload" },
	{ "POST", "/admin/catalog/products/:slug/images/:id/delete",     ROUTE_PAGE, ROUTE_SESSION, RW, 1,            cc_image_delete_post,    "console_catalog_image_remove" },
	{ "GET",  "/admin/catalog/categories",                           ROUTE_PAGE, ROUTE_SESSION, RO, 0,            cc_categories_get,       "console_catalog_categories" },
	{ "POST", "/admin/catalog/categories",                           ROUTE_PAGE, ROUTE_SESSION, RW, 1,            cc_category_create_post, "console_catalog_category_create" },
	{ "POST", "/admin/catalog/categories/:slug",                     ROUTE_PAGE, ROUTE_SESSION, RW, 1,            cc_category_post,        "console_catalog_category_save" },
	{ "GET",  "/admin/catalog/import",                               ROUTE_PAGE, ROUTE_SESSION, RO, 0,            cc_import_get,           "console_catalog_import" },
	{ "POST", "/admin/catalog/import",                               ROUTE_PAGE, ROUTE_SESSION, RW, ROUTE_UPLOAD, cc_import_post,          "console_catalog_import_run" },
	{ "GET",  "/admin/catalog/export",                               ROUTE_PAGE, ROUTE_SESSION, RO, 0,            cc_export_get,           "console_catalog_export" },
	{ "GET",  "/api/v1/admin/products",                              ROUTE_API,  ROUTE_SESSION, RO, 0,            api_products_get,        "api_admin_products" },
	{ "POST", "/api/v1/admin/products",                              ROUTE_API,  ROUTE_SESSION, RW, 1,            api_product_post,        "api_admin_product_create" },
	{ "GET",  "/api/v1/admin/products/:slug",                        ROUTE_API,  ROUTE_SESSION, RO, 0,            api_product_get,         "api_admin_product" },
	{ "PUT",  "/api/v1/admin/products/:slug",                        ROUTE_API,  ROUTE_SESSION, RW, 1,            api_product_put,         "api_admin_product_change" },
	{ "POST", "/api/v1/admin/products/:slug/variants",               ROUTE_API,  ROUTE_SESSION, RW, 1,            api_variant_post,        "api_admin_variant_create" },
	{ "PUT",  "/api/v1/admin/products/:slug/variants/:sku",          ROUTE_API,  ROUTE_SESSION, RW, 1,            api_variant_put,         "api_admin_variant_change" },
	{ "POST", "/api/v1/admin/products/:slug/images",                 ROUTE_API,  ROUTE_SESSION, RW, ROUTE_UPLOAD, api_image_post,          "api_admin_image_upload" },
	{ "DELETE", "/api/v1/admin/products/:slug/images/:id",           ROUTE_API,  ROUTE_SESSION, RW, 1,            api_image_delete,        "api_admin_image_remove" },
	{ "GET",  "/api/v1/admin/categories",                            ROUTE_API,  ROUTE_SESSION, RO, 0,            api_categories_get,      "api_admin_categories" },
	{ "POST", "/api/v1/admin/categories",                            ROUTE_API,  ROUTE_SESSION, RW, 1,            api_category_post,       "api_admin_category_create" },
	{ "PUT",  "/api/v1/admin/categories/:slug",                      ROUTE_API,  ROUTE_SESSION, RW, 1,            api_category_put,        "api_admin_category_change" },
	{ "DELETE", "/api/v1/admin/categories/:slug",                    ROUTE_API,  ROUTE_SESSION, RW, 1,            api_category_delete,     "api_admin_category_delete" },
	{ "POST", "/api/v1/admin/catalog/import",                        ROUTE_API,  ROUTE_SESSION, RW, ROUTE_UPLOAD, api_import_post,         "api_admin_catalog_import" },
	{ "GET",  "/api/v1/admin/catalog/export",                        ROUTE_API,  ROUTE_SESSION, RO, 0,            cc_export_get,           "api_admin_catalog_export" },
};
/* clang-format on */
const size_t console_catalog_routes_n = sizeof(console_catalog_routes) / sizeof(console_catalog_routes[0]);
