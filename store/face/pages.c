/*
 * pages.c - the storefront pages: catalog, category, search, product,
 * profile, language choice, and the media and static files they use.
 *
 * Handlers ask the domain (catalog.c, employee.c) for data, shape it for
 * the theme's templates (prices formatted in the employee's language,
 * URLs built here), and render. Query parameters are validated; a bad one
 * is a 400 page that says which and why.
 */
#include <string.h>

#include "catalog.h"
#include "employee.h"
#include "face_session.h"
#include "handlers.h"
#include "req_data.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "theme.h"

#define LOW_STOCK 5

/* Reads ?name= as a whole number in [min, max] (def when absent). */
static int page_query_int(struct req *r, const char *name, int64_t min,
			  int64_t max, int64_t def, int64_t *out)
{
	const char *v = req_query(r, name);
	char msg[160];

	*out = def;
	if (v == NULL || *v == '\0')
		return LV_OK;
	if (lv_parse_i64(v, min, max, out) == LV_OK)
		return LV_OK;
	lv_snprintf(msg, sizeof(msg), "\"%s\" must be a whole number from %lld to %lld.",
		    name, (long long)min, (long long)max);
	reply_error(r, 400, "bad_parameter", msg, NULL);
	return LV_EINVAL;
}

/* [{value, selected}] from a JSON array of strings. */
static json_t *page_choices(json_t *values, const char *selected)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(values, i, v) {
		const char *s = json_string_value(v);

		if (s)
			json_array_append_new(out, json_pack("{s:s,s:b}", "value", s, "selected",
							     selected && strcmp(selected, s) == 0));
	}
	return out;
}

/* "?q=..&size=..&page=N" for pagination links, keeping the filters. */
static json_t *page_link(const struct req *r, const char *base, int64_t page)
{
	static const char *const keep[] = { "q", "size", "colour" };
	struct lv_buf b;
	json_t *s;
	size_t i;
	char sep = '?';

	lv_buf_init(&b, 4096);
	lv_buf_append_str(&b, base);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const char *v = req_query(r, keep[i]);

		if (v == NULL || *v == '\0')
			continue;
		lv_buf_printf(&b, "%c%s=", sep, keep[i]);
		lv_url_encode(v, &b);
		sep = '&';
	}
	lv_buf_printf(&b, "%cpage=%lld", sep, (long long)page);
	s = json_string(lv_buf_str(&b));
	lv_buf_cleanup(&b);
	return s;
}

/*
 * The catalog grid for a category, a search, or everything. heading is
 * shown as the page title; base is the path pagination links use.
 */
static int page_catalog(struct req *r, const char *category, const char *cat_name,
			const char *heading, const char *base, int greeting)
{
	struct catalog_query q;
	json_t *res = NULL, *page = NULL, *items, *it, *products;
	int64_t pageno, total, per_page;
	size_t i;
	int rc;

	rc = page_query_int(r, "page", 1, CATALOG_PAGE_MAX, 1, &pageno);
	if (rc != LV_OK)
		return LV_OK; /* the 400 page is set */
	memset(&q, 0, sizeof(q));
	q.category = category;
	q.search = req_query(r, "q");
	q.size = req_query(r, "size");
	q.colour = req_query(r, "colour");
	q.page = (int)pageno;
	rc = catalog_products_list(r->db, &q, &res);
	if (rc != LV_OK)
		goto out;
	products = json_array();
	items = json_object_get(res, "items");
	json_array_foreach(items, i, it) {
		const char *slug = json_string_value(json_object_get(it, "slug"));
		const char *name = json_string_value(json_object_get(it, "name"));
		char url[300];

		lv_snprintf(url, sizeof(url), "/p/%s", slug ? slug : "");
		json_array_append_new(products, json_pack(
			"{s:s,s:s,s:o,s:b,s:O,s:s,s:b,s:O,s:O}",
			"url", url, "name", name ? name : "",
			"price", req_money(r, json_integer_value(json_object_get(it, "price_from"))),
			"price_from", 0,
			"image_url", json_object_get(it, "image_url"),
			"image_alt", name ? name : "",
			"in_stock", json_is_true(json_object_get(it, "in_stock")),
			"category_name", json_object_get(json_object_get(it, "category"), "name"),
			"colours", json_object_get(it, "colours")));
	}
	total = json_integer_value(json_object_get(res, "total"));
	per_page = json_integer_value(json_object_get(res, "per_page"));
	page = json_pack("{s:s,s:b,s:o,s:I,s:b}", "heading", heading, "greeting", greeting,
			 "products", products, "total", (json_int_t)total, "empty", total == 0);
	if (category)
		json_object_set_new(page, "category", json_pack("{s:s,s:s}", "slug", category,
								"name", cat_name ? cat_name : category));
	if (q.search && *q.search)
		json_object_set_new(page, "query", json_string(q.search));
	/* Across the whole catalog, sizes mix garments, shoes and laptop
	 * sleeves: the size filter is offered once a category or a search
	 * narrows the list (or when a size is already chosen). */
	json_object_set_new(page, "filters", json_pack("{s:o,s:o}",
		"sizes", category || (q.search && *q.search) || (q.size && *q.size)
			? page_choices(json_object_get(json_object_get(res, "facets"), "sizes"), q.size)
			: json_array(),
		"colours", page_choices(json_object_get(json_object_get(res, "facets"), "colours"), q.colour)));
	if (per_page > 0 && total > per_page) {
		int64_t pages = (total + per_page - 1) / per_page;
		json_t *pg = json_pack("{s:I,s:I}", "page", (json_int_t)pageno, "pages", (json_int_t)pages);

		if (pageno > 1)
			json_object_set_new(pg, "prev_url", page_link(r, base, pageno - 1));
		if (pageno < pages)
			json_object_set_new(pg, "next_url", page_link(r, base, pageno + 1));
		json_object_set_new(page, "pagination", pg);
	}
	rc = reply_page(r, 200, "catalog", heading, page);
	page = NULL;
out:
	json_decref(res);
	json_decref(page);
	return rc;
}

int page_home_get(struct req *r)
{
	return page_catalog(r, NULL, NULL, req_tr(r, "All products"), "/", 1);
}

int page_category_get(struct req *r)
{
	json_t *cats = NULL, *c;
	const char *name = NULL;
	size_t i;
	int rc;

	rc = catalog_categories_list(r->db, 0, &cats);
	if (rc != LV_OK)
		return rc;
	json_array_foreach(cats, i, c)
		if (strcmp(json_string_value(json_object_get(c, "slug")), r->params[0]) == 0)
			name = json_string_value(json_object_get(c, "name"));
	if (name == NULL) {
		rc = reply_error(r, 404, "not_found",
				 "This category does not exist. Go back to the catalog to see them all.",
				 NULL);
	} else {
		char base[300];

		lv_snprintf(base, sizeof(base), "/c/%s", r->params[0]);
		rc = page_catalog(r, r->params[0], name, name, base, 0);
	}
	json_decref(cats);
	return rc;
}

int page_search_get(struct req *r)
{
	const char *q = req_query(r, "q");

	if (q == NULL || *q == '\0')
		return page_catalog(r, NULL, NULL, req_tr(r, "All products"), "/search", 0);
	return page_catalog(r, NULL, NULL, req_tr(r, "Search"), "/search", 0);
}

/* [{value, selected, available}] for one variant attribute. */
static json_t *page_picker(json_t *values, json_t *variants, const char *attr,
			   const char *selected)
{
	json_t *out = json_array(), *v, *var;
	size_t i, j;

	json_array_foreach(values, i, v) {
		const char *s = json_string_value(v);
		int available = 0;

		if (s == NULL)
			continue;
		json_array_foreach(variants, j, var) {
			const char *a = json_string_value(json_object_get(var, attr));

			if (a && strcmp(a, s) == 0 &&
			    json_integer_value(json_object_get(var, "stock")) > 0)
				available = 1;
		}
		json_array_append_new(out, json_pack("{s:s,s:b,s:b}", "value", s, "selected",
						     selected && strcmp(selected, s) == 0,
						     "available", available));
	}
	return out;
}

/* Does variant match the chosen value of attr (NULL: no choice)? */
static int page_variant_fits(json_t *var, const char *attr, const char *chosen)
{
	const char *a = json_string_value(json_object_get(var, attr));

	return chosen == NULL || *chosen == '\0' || (a && strcmp(a, chosen) == 0);
}

int page_product_get(struct req *r)
{
	const char *size = req_query(r, "size"), *colour = req_query(r, "colour");
	const char *fit = req_query(r, "fit"), *logo = req_query(r, "logo");
	/* back from POST /cart/add: ?added=SKU, or ?cart_error=code&sku=SKU */
	const char *added = req_query(r, "added"), *cart_error = req_query(r, "cart_error");
	const char *want = added ? added : req_query(r, "sku");
	json_t *p = NULL, *variants, *vars, *var, *selected = NULL, *page, *wanted = NULL;
	json_t *note = NULL;
	json_int_t price_from = 0;
	size_t i, matches = 0;
	int rc;

	rc = catalog_product_get(r->db, r->params[0], 0, &p);
	if (rc == LV_ENOTFOUND)
		return reply_error(r, 404, "not_found",
				   "This product is not in the catalog (any more). Go back to the "
				   "catalog to find another.", NULL);
	if (rc != LV_OK)
		return rc;
	/* only the variants this employee may order, at their price */
	if (req_product_policies(r, p, &note) == 0) {
		/* the sentence says why, in the employee's language (say.c) */
		rc = note ? reply_error(r, 403, "not_in_your_catalog", json_string_value(note), NULL)
			  : reply_error(r, 404, "not_found",
					"This product is not in the catalog (any more). Go back to the "
					"catalog to find another.", NULL);
		json_decref(note);
		json_decref(p);
		return rc;
	}
	variants = json_object_get(p, "variants");
	json_array_foreach(variants, i, var) {
		json_int_t price = json_integer_value(json_object_get(var, "price"));

		if (i == 0 || price < price_from)
			price_from = price;
	}
	vars = json_array();
	json_array_foreach(variants, i, var) {
		json_int_t stock = json_integer_value(json_object_get(var, "stock"));
		int fits = page_variant_fits(var, "size", size) &&
			   page_variant_fits(var, "colour", colour) &&
			   page_variant_fits(var, "fit", fit) &&
			   page_variant_fits(var, "logo", logo);
		json_t *v = json_pack("{s:O,s:O,s:O,s:O,s:O,s:o,s:I,s:b,s:b,s:b}",
				      "sku", json_object_get(var, "sku"),
				      "size", json_object_get(var, "size"),
				      "colour", json_object_get(var, "colour"),
				      "fit", json_object_get(var, "fit"),
				      "logo", json_object_get(var, "logo"),
				      "price", req_money(r, json_integer_value(json_object_get(var, "price"))),
				      "stock", stock, "in_stock", stock > 0,
				      "low_stock", stock > 0 && stock <= LOW_STOCK, "selected", 0);

		if (fits && (size || colour || fit || logo)) {
			matches++;
			json_decref(selected);
			selected = json_incref(v);
		}
		if (want && json_string_value(json_object_get(var, "sku")) &&
		    strcmp(want, json_string_value(json_object_get(var, "sku"))) == 0 && !wanted)
			wanted = json_incref(v);
		json_array_append_new(vars, v);
	}
	if (wanted || json_array_size(vars) == 1) {
		/* the variant just added to the cart, or the only one there is */
		json_decref(selected);
		selected = wanted ? wanted : json_incref(json_array_get(vars, 0));
		wanted = NULL;
		matches = 1;
		size = json_string_value(json_object_get(selected, "size"));
		colour = json_string_value(json_object_get(selected, "colour"));
		fit = json_string_value(json_object_get(selected, "fit"));
		logo = json_string_value(json_object_get(selected, "logo"));
	}
	if (matches != 1) { /* only a choice that names one variant selects it */
		json_decref(selected);
		selected = NULL;
	} else {
		json_object_set_new(selected, "selected", json_true());
	}
	page = json_pack("{s:{s:O,s:O,s:{s:O,s:s},s:O,s:O,s:o,s:b,s:o,s:o,s:o,s:o}}",
		"product",
		"name", json_object_get(p, "name"),
		"description", json_object_get(p, "description"),
		"category", "name", json_object_get(json_object_get(p, "category"), "name"),
		"url", "/",
		"tags", json_object_get(p, "tags"),
		"images", json_object_get(p, "images"),
		"price", req_money(r, price_from),
		"price_from", 0,
		"variants", vars,
		"sizes", page_picker(json_object_get(p, "sizes"), variants, "size", size),
		"colours", page_picker(json_object_get(p, "colours"), variants, "colour", colour),
		"fits", page_picker(json_object_get(p, "fits"), variants, "fit", fit));
	if (page == NULL) {
		rc = LV_EINTERNAL;
		goto out;
	}
	/*
	 * Logo options: the variants table has the column when some variant
	 * has one; the picker offers them only when there is a choice.
	 */
	if (json_array_size(json_object_get(p, "logos")) > 0) {
		json_t *prod = json_object_get(page, "product");

		json_object_set_new(prod, "has_logos", json_true());
		if (json_array_size(json_object_get(p, "logos")) > 1) {
			json_object_set_new(prod, "logos", page_picker(json_object_get(p, "logos"),
								       variants, "logo", logo));
			json_object_set_new(prod, "has_logo_choice", json_true());
		}
	}
	{
		char url[300];
		const char *cslug = json_string_value(json_object_get(json_object_get(p, "category"), "slug"));

		lv_snprintf(url, sizeof(url), "/c/%s", cslug ? cslug : "");
		json_object_set_new(json_object_get(json_object_get(page, "product"), "category"),
				    "url", json_string(url));
		json_object_set_new(json_object_get(page, "product"), "url",
				    json_string(r->path));
		json_object_set_new(json_object_get(page, "product"), "slug",
				    json_string(r->params[0]));
	}
	if (selected && (added || cart_error))
		json_object_set_new(page, "cart", json_pack("{s:b,s:b,s:b,s:b,s:b}",
			"added", added != NULL && cart_error == NULL,
			"unavailable", cart_error && strcmp(cart_error, "unavailable") == 0,
			"limit", cart_error && strcmp(cart_error, "limit") == 0,
			"quantity", cart_error && strcmp(cart_error, "quantity") == 0,
			"policy", cart_error && strcmp(cart_error, "policy") == 0));
	if (selected)
		json_object_set(page, "selected", selected);
	if (note)
		json_object_set(page, "policy_note", note);
	rc = reply_page(r, 200, "product", json_string_value(json_object_get(p, "name")), page);
out:
	json_decref(selected);
	json_decref(note);
	json_decref(p);
	return rc;
}

int page_profile_get(struct req *r)
{
	json_t *roles = json_array();

	if (r->user->roles & LV_ROLE_HR_ADMIN)
		json_array_append_new(roles, json_string(req_tr(r, "HR administrator")));
	if (r->user->roles & LV_ROLE_STORE_ADMIN)
		json_array_append_new(roles, json_string(req_tr(r, "Store administrator")));
	if (r->user->roles & LV_ROLE_APPROVER)
		json_array_append_new(roles, json_string(req_tr(r, "Approver")));
	{
		json_t *emp = json_deep_copy(r->user->profile);
		const char *loc = json_string_value(json_object_get(emp, "locale"));
		char base[3] = "";

		if (loc && strlen(loc) >= 2) { /* "fr-CA" is shown as Français */
			base[0] = loc[0];
			base[1] = loc[1];
			json_object_set_new(emp, "locale", json_string(theme_language_name(base)));
		}
		return reply_page(r, 200, "profile", req_tr(r, "My profile"),
				  json_pack("{s:o,s:o}", "employee", emp, "roles", roles));
	}
}

int page_language_post(struct req *r)
{
	const char *lang, *back;
	const char *const *codes;
	size_t i, n = 0;
	struct audit_actor actor;
	int rc;

	rc = req_form_need(r);
	if (rc != LV_OK)
		return rc;
	lang = req_form(r, "lang");
	back = req_form(r, "return_to");
	codes = r->theme ? theme_languages(r->theme, &n) : NULL;
	for (i = 0; lang && i < n; i++)
		if (strcmp(codes[i], lang) == 0)
			break;
	if (lang == NULL || i == n)
		return reply_error(r, 400, "bad_language",
				   "That language is not available in the store.", NULL);
	req_actor(r, &actor);
	rc = employee_locale_set(r->db, r->user->employee, codes[i], actor.address);
	if (rc != LV_OK)
		return rc;
	return reply_redirect(r, 303, back && lv_path_is_local(back) ? back : "/");
}

int page_media_get(struct req *r)
{
	struct catalog_image img;
	int64_t id;
	char sha8[9], etag[80];
	const char *inm = req_header(r, "If-None-Match");
	int rc;

	memset(&img, 0, sizeof(img));
	if (catalog_media_name_parse(r->params[0], &id, sha8) != LV_OK)
		return reply_error(r, 404, "not_found", "This picture does not exist.", NULL);
	rc = catalog_image_get(r->db, id, &img);
	/*
	 * A picture of a product the employee may not see does not exist for
	 * them; the console's roles work on the whole catalog (a restricted
	 * product's page, an order, a policy's preview) and see every picture.
	 */
	if (rc == LV_ENOTFOUND || (rc == LV_OK && strncmp(img.sha256, sha8, 8) != 0) ||
	    (rc == LV_OK && !(r->user && (r->user->roles & LV_ROLES_CONSOLE)) &&
	     !(r->scoped && policy_scope_visible_id(&r->scope, img.product_id)))) {
		rc = reply_error(r, 404, "not_found", "This picture does not exist.", NULL);
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	lv_snprintf(etag, sizeof(etag), "\"%s\"", img.sha256);
	reply_header(r, "ETag", etag);
	reply_header(r, "Cache-Control", "private, max-age=31536000, immutable");
	if (inm && strcmp(inm, etag) == 0) {
		r->status = 304;
		goto out;
	}
	lv_buf_reset(&r->out);
	rc = lv_buf_append(&r->out, img.data, img.len);
	r->status = rc == LV_OK ? 200 : 500;
	/* An SVG opened on its own must not run anything: the import refuses
	 * scripted SVG, and this header makes sure of it. */
	if (strcmp(img.content_type, "image/svg+xml") == 0)
		reply_header(r, "Content-Security-Policy", "sandbox; default-src 'none'");
	/* img is freed before the response is sent: use a static string */
	r->content_type = strcmp(img.content_type, "image/png") == 0 ? "image/png"
			  : strcmp(img.content_type, "image/jpeg") == 0 ? "image/jpeg"
			  : strcmp(img.content_type, "image/webp") == 0 ? "image/webp"
			  : "image/svg+xml";
out:
	catalog_image_cleanup(&img);
	return rc;
}

/*
 * A page shown just before a reload (SIGHUP) names the files of the theme
 * the reload replaced: those stay served, by their own hash, until the
 * next reload, so that the page keeps its styles.
 */
int page_static_get(struct req *r)
{
	struct theme *prev = NULL;
	const struct theme_asset *a = r->theme ?
		theme_asset_get(r->theme, r->params[0], r->params[1]) : NULL;
	int rc = LV_OK;

	if (a == NULL && (prev = app_theme_previous_get(r->app)) != NULL)
		a = theme_asset_get(prev, r->params[0], r->params[1]);
	if (a == NULL) {
		rc = reply_error(r, 404, "not_found", "This file does not exist.", NULL);
		goto out;
	}
	lv_buf_reset(&r->out);
	if (lv_buf_append(&r->out, a->data, a->len) != LV_OK) {
		rc = LV_EINTERNAL;
		goto out;
	}
	r->status = 200;
	r->content_type = a->content_type; /* a static string, not the theme's */
	r->cache_forever = 1;
out:
	theme_unref(prev);
	return rc;
}

int page_favicon_get(struct req *r)
{
	const struct theme_asset *a = NULL;
	size_t i, n = r->theme ? theme_asset_count(r->theme) : 0;

	for (i = 0; i < n && a == NULL; i++)
		if (strcmp(theme_asset_at(r->theme, i)->name, "favicon.svg") == 0)
			a = theme_asset_at(r->theme, i);

	if (a == NULL)
		return reply_error(r, 404, "not_found", "This file does not exist.", NULL);
	lv_buf_reset(&r->out);
	if (lv_buf_append(&r->out, a->data, a->len) != LV_OK)
		return LV_EINTERNAL;
	r->status = 200;
	r->content_type = a->content_type;
	reply_header(r, "Cache-Control", "public, max-age=86400");
	return LV_OK;
}
