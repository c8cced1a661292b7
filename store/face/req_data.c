/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * req_data.c - formatting domain values for the request (see req_data.h).
 */
#include "req_data.h"

#include <string.h>
#include <time.h>

#include "catalog.h"
#include "policy_store.h"
#include "say.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_mem.h"

json_t *req_money(const struct req *r, json_int_t minor)
{
	char buf[64];

	if (catalog_price_format(minor, r->app->cfg.currency, r->lang, buf, sizeof(buf)) != LV_OK)
		buf[0] = '\0';
	return json_string(buf);
}

json_t *req_amount(const struct req *r, const char *unit, json_int_t amount, json_int_t value)
{
	int points = unit && strcmp(unit, "points") == 0;

	return json_pack("{s:o,s:b,s:I}", "money", req_money(r, points ? value : amount),
			 "is_points", points, "points", amount);
}

json_t *req_date(const struct req *r, int64_t at, int with_time)
{
	struct tm tm;
	time_t t = (time_t)at;
	char buf[96];

	size_t n;

	if (at <= 0 || localtime_r(&t, &tm) == NULL)
		return json_string("");
	say_date_parts(req_i18n(r), tm.tm_year + 1900, tm.tm_mon, tm.tm_mday, buf, sizeof(buf));
	n = strlen(buf);
	if (with_time)
		lv_snprintf(buf + n, sizeof(buf) - n, ", %02d:%02d", tm.tm_hour, tm.tm_min);
	return json_string(buf);
}

/* A new JSON string: the sentence for a policy refusal, in the request's language. */
static json_t *req_refusal(const struct req *r, const struct policy_decision *d)
{
	char msg[512];

	say_policy_refusal(d, req_i18n(r), msg, sizeof(msg));
	return json_string(msg);
}

void req_actor(const struct req *r, struct audit_actor *out)
{
	const char *name = req_jstr(r->user->profile, "name");

	out->employee = r->user->employee;
	out->label = *name ? name : req_jstr(r->user->profile, "email");
	if (*out->label == '\0')
		out->label = "employee";
	out->address = *req_client_address(r) ? req_client_address(r) : NULL;
}

const char *req_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* p's strings as the policy engine reads them; tags borrowed from p. */
static void product_of_json(const json_t *p, struct policy_product *out, const char **tags,
			    size_t maxtags)
{
	json_t *t;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->slug = req_jstr(p, "slug");
	out->category = req_jstr(json_object_get(p, "category"), "slug");
	out->restricted = json_is_true(json_object_get(p, "restricted"));
	json_array_foreach(json_object_get(p, "tags"), i, t) {
		if (out->ntags < maxtags && json_is_string(t))
			tags[out->ntags++] = json_string_value(t);
	}
	out->tags = tags;
}

/* Keeps in list (an array of strings) only the values some variant has. */
static void values_keep(json_t *p, const char *list, const char *attr)
{
	json_t *vals = json_object_get(p, list), *kept = json_array(), *v, *x;
	size_t i, j;

	json_array_foreach(vals, i, v) {
		json_array_foreach(json_object_get(p, "variants"), j, x) {
			if (json_equal(json_object_get(x, attr), v)) {
				json_array_append(kept, v);
				break;
			}
		}
	}
	json_object_set_new(p, list, kept);
}

size_t req_product_policies(const struct req *r, json_t *p, json_t **note)
{
	const struct policy_view *view = req_policies(r);
	json_t *vars = json_object_get(p, "variants"), *kept = json_array(), *x;
	const char *tags[64];
	struct policy_product prod;
	size_t i, n;

	*note = NULL;
	product_of_json(p, &prod, tags, sizeof(tags) / sizeof(tags[0]));
	json_array_foreach(vars, i, x) {
		struct policy_variant var = {
			req_jstr(x, "sku"), req_jstr(x, "size"), req_jstr(x, "colour"),
			req_jstr(x, "fit"), json_integer_value(json_object_get(x, "price")),
			req_jstr(x, "logo"),
		};
		struct policy_decision d;
		struct policy_price price = { var.price, 100 };

		if (view && !policy_view_variant_allowed(view, &prod, &var, &d)) {
			if (*note == NULL && d.nreasons > 0 && d.code != POLICY_HIDDEN)
				*note = req_refusal(r, &d);
			continue;
		}
		if (view)
			policy_view_price(view, &prod, &var, &price, NULL);
		json_object_set_new(x, "price", json_integer(price.unit_price));
		json_object_set_new(x, "company_percent", json_integer(price.company_percent));
		json_array_append(kept, x);
	}
	n = json_array_size(kept);
	/* the dress code is said whenever a rule applies, not only when it refuses a variant */
	if (*note == NULL && view && n > 0) {
		struct policy_decision d;

		if (policy_view_dress_code(view, &prod, &d))
			*note = req_refusal(r, &d);
	}
	json_object_set_new(p, "variants", kept);
	values_keep(p, "sizes", "size");
	values_keep(p, "colours", "colour");
	values_keep(p, "fits", "fit");
	values_keep(p, "logos", "logo");
	return n;
}

int req_sku_allowed(const struct req *r, const char *sku, char *msg, size_t msglen)
{
	struct policy_product_data pd;
	struct policy_decision d;
	int rc;

	msg[0] = '\0';
	memset(&pd, 0, sizeof(pd));
	rc = policy_product_load(r->db, sku, &pd);
	if (rc != LV_OK || pd.selected < 0 || !pd.active) {
		rc = rc == LV_OK || rc == LV_ENOTFOUND ? LV_ENOTFOUND : rc;
		goto out;
	}
	if (!r->scoped) {
		rc = pd.p.restricted ? LV_ENOTFOUND : LV_OK;
		goto out;
	}
	if (!policy_view_variant_allowed(r->scope.view, &pd.p, &pd.variants[pd.selected], &d)) {
		rc = d.code == POLICY_HIDDEN ? LV_ENOTFOUND : LV_EFORBIDDEN;
		say_policy_refusal(&d, req_i18n(r), msg, msglen);
	}
out:
	policy_product_data_cleanup(&pd);
	return rc;
}

int req_lines_allowed(const struct req *r, const struct order_line_req *lines, size_t n,
		      char *msg, size_t msglen)
{
	char why[256];
	size_t i;
	int rc = LV_OK;

	for (i = 0; rc == LV_OK && i < n; i++) {
		rc = req_sku_allowed(r, lines[i].sku, why, sizeof(why));
		if (rc == LV_ENOTFOUND)
			lv_snprintf(msg, msglen, "line %zu: unknown SKU %s", i + 1, lines[i].sku);
		else if (rc != LV_OK)
			lv_snprintf(msg, msglen, "line %zu: %s", i + 1, why);
	}
	return rc;
}

const struct policy_view *req_policies(const struct req *r)
{
	return r->scoped ? r->scope.view : NULL;
}
