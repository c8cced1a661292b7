/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * kit_pages.c - the kits HR's policies offer the signed-in employee (GET
 * /kits), and adding a whole kit to the cart in one step (POST /kits/add).
 *
 * A kit names products (and sometimes one SKU); the employee picks a
 * variant of each among those their policies approve, and the kit's lines
 * go into the cart all or nothing, through the same checks as any other
 * addition. Limits count kit items like any other at checkout.
 */
#include <string.h>

#include "cart.h"
#include "catalog.h"
#include "handlers.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "req_data.h"

#define KIT_MAX_ITEMS 50

/* "M · Navy · Slim · Embroidered" for a variant (the values it has). */
static json_t *kit_variant_label(const json_t *v)
{
	static const char *const keys[] = { "size", "colour", "fit", "logo" };
	char buf[256] = "";
	size_t i, used = 0;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *s = req_jstr(v, keys[i]);
		int n;

		if (*s == '\0')
			continue;
		n = lv_snprintf(buf + used, sizeof(buf) - used, "%s%s", used ? " · " : "", s);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return json_string(used ? buf : req_jstr(v, "sku"));
}

/* One kit item for the page, or NULL when the employee cannot order it. */
static json_t *kit_item(struct req *r, const json_t *item, size_t i)
{
	const char *slug = req_jstr(item, "product"), *want = req_jstr(item, "sku");
	json_t *p = NULL, *note = NULL, *opts, *v, *out = NULL;
	char url[160];
	size_t k;

	if (catalog_product_get(r->db, slug, 0, &p) != LV_OK)
		goto done;
	if (req_product_policies(r, p, &note) == 0)
		goto done;
	opts = json_array();
	json_array_foreach(json_object_get(p, "variants"), k, v) {
		const char *sku = req_jstr(v, "sku");

		if (*want && strcmp(want, sku) != 0)
			continue;
		json_array_append_new(opts, json_pack("{s:s,s:o,s:b}", "sku", sku,
						      "label", kit_variant_label(v),
						      "selected", *want != '\0'));
	}
	lv_snprintf(url, sizeof(url), "/p/%s", slug);
	out = json_pack("{s:I,s:O,s:s,s:I,s:o}", "i", (json_int_t)(i + 1),
			"product", json_object_get(p, "name"), "url", url,
			"quantity", json_integer_value(json_object_get(item, "quantity")),
			"options", opts);
done:
	json_decref(note);
	json_decref(p);
	return out;
}

static int kits_render(struct req *r, int status, const char *error)
{
	const struct policy_view *view = req_policies(r);
	json_t *kits = view ? policy_view_kits(view) : json_array();
	json_t *out = json_array(), *kit, *item;
	size_t i, j;

	json_array_foreach(kits, i, kit) {
		json_t *items = json_array();

		json_array_foreach(json_object_get(kit, "items"), j, item) {
			json_t *x = j < KIT_MAX_ITEMS ? kit_item(r, item, j) : NULL;

			if (x)
				json_array_append_new(items, x);
		}
		if (json_array_size(items) == 0) {
			json_decref(items);
			continue;
		}
		json_array_append_new(out, json_pack("{s:I,s:O,s:b,s:O,s:o}",
			"n", (json_int_t)(i + 1), "name", json_object_get(kit, "name"),
			"mandatory", json_is_true(json_object_get(kit, "mandatory")),
			"policy", json_object_get(kit, "policy"), "items", items));
	}
	json_decref(kits);
	return reply_page(r, status, "kits", req_tr(r, N_("Your kits")),
			  json_pack("{s:b,s:o,s:s*}", "empty", json_array_size(out) == 0,
				    "kits", out, "error", error));
}

int page_kits_get(struct req *r)
{
	return kits_render(r, 200, NULL);
}

int page_kits_add_post(struct req *r)
{
	struct order_line_req lines[KIT_MAX_ITEMS];
	char key[16], msg[320] = "";
	size_t n = 0, i;
	int rc;

	for (i = 1; i <= KIT_MAX_ITEMS; i++) {
		const char *sku, *qty;
		int64_t q = 0;

		lv_snprintf(key, sizeof(key), "sku_%zu", i);
		sku = req_form(r, key);
		lv_snprintf(key, sizeof(key), "qty_%zu", i);
		qty = req_form(r, key);
		if (sku == NULL)
			continue;
		if (strlen(sku) == 0 || strlen(sku) >= sizeof(lines[0].sku) || qty == NULL ||
		    lv_parse_i64(qty, 1, ORDER_MAX_QUANTITY, &q) != LV_OK)
			return kits_render(r, 400, req_tr(r, N_("The kit form could not be read. Reload the page and try again.")));
		lv_strlcpy(lines[n].sku, sku, sizeof(lines[n].sku));
		lines[n].quantity = q;
		lines[n].expect_price = -1;
		n++;
	}
	if (n == 0)
		return kits_render(r, 400, req_tr(r, N_("Choose the items of the kit first.")));
	rc = req_lines_allowed(r, lines, n, msg, sizeof(msg));
	if (rc == LV_OK)
		rc = cart_add_many(r->db, r->user->employee, lines, n, msg, sizeof(msg));
	if (rc == LV_EINVAL || rc == LV_ENOTFOUND || rc == LV_EFORBIDDEN)
		return kits_render(r, 400, msg[0] ? msg : req_tr(r, N_("This kit cannot be added as it is.")));
	if (rc != LV_OK)
		return rc;
	return reply_redirect(r, 303, "/cart?notice=kit");
}
