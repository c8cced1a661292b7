/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_admin.c - the policy form and the preview (see policy_admin.h).
 */
#include "policy_admin.h"

#include <string.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "policy_store.h"
#include "say.h"

static const char *const aud_keys[] = { "department", "cost_center", "site", "job_title",
					"groups", "employment_type" };
#define AUD_KEYS (sizeof(aud_keys) / sizeof(aud_keys[0]))
static const char *const vis_lists[] = { "categories", "tags", "products" };
static const char *const kinds[] = { "product", "category", "tag" };
static const char *const pers[] = { "order", "month", "year", "rolling_365", "hire_year" };

/* ---- lists ---- */

/* "a, b" for a JSON array of strings; NULL when it is not one or a value holds a comma. */
static char *list_join(const json_t *a)
{
	struct lv_buf b;
	json_t *v;
	size_t i;
	char *out = NULL;

	if (!json_is_array(a))
		return NULL;
	lv_buf_init(&b, 1u << 20);
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || strchr(s, ',') || strchr(s, '\n'))
			goto out;
		if ((i && lv_buf_append_str(&b, ", ") != LV_OK) || lv_buf_append_str(&b, s) != LV_OK)
			goto out;
	}
	out = lv_strdup(lv_buf_str(&b));
out:
	lv_buf_cleanup(&b);
	return out;
}

/* The values of "a, b,\nc" (trimmed, empties dropped) as a new array, or NULL when none. */
static json_t *list_split(const char *s)
{
	json_t *a = json_array();

	while (s && *s) {
		size_t n = strcspn(s, ",\n"), k = n;
		const char *p = s;

		while (k && (*p == ' ' || *p == '\t' || *p == '\r')) {
			p++;
			k--;
		}
		while (k && (p[k - 1] == ' ' || p[k - 1] == '\t' || p[k - 1] == '\r'))
			k--;
		if (k)
			json_array_append_new(a, json_stringn(p, k));
		s += n;
		if (*s)
			s++;
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

/* ---- the form's view of a policy ---- */

/* Fills view.aud from a simple audience; returns 0 when the audience needs JSON. */
static int view_audience(const json_t *aud, json_t *v)
{
	const json_t *conds = aud;
	json_t *one, *a = json_object();
	size_t i, k, n;

	json_object_set_new(v, "aud", a);
	if (aud == NULL || (json_is_object(aud) && json_object_size(aud) == 0))
		return 1;
	if (!json_is_object(aud) || json_object_size(aud) != 1)
		return 0;
	if (json_object_get(aud, "all"))
		conds = json_object_get(aud, "all");
	n = json_is_array(conds) ? json_array_size(conds) : 1;
	for (i = 0; i < n; i++) {
		const char *key;
		json_t *val;

		one = json_is_array(conds) ? json_array_get(conds, i) : (json_t *)conds;
		if (!json_is_object(one) || json_object_size(one) != 1)
			return 0;
		json_object_foreach(one, key, val) {
			if (strcmp(key, "days_since_hire") == 0 && json_is_object(val) &&
			    !json_object_get(a, "min_days") && !json_object_get(a, "max_days")) {
				json_t *mn = json_object_get(val, "min"), *mx = json_object_get(val, "max");

				if (json_object_size(val) != (size_t)((mn != NULL) + (mx != NULL)) ||
				    (mn && !json_is_integer(mn)) || (mx && !json_is_integer(mx)))
					return 0;
				if (mn)
					json_object_set_new(a, "min_days", json_sprintf("%lld",
						(long long)json_integer_value(mn)));
				if (mx)
					json_object_set_new(a, "max_days", json_sprintf("%lld",
						(long long)json_integer_value(mx)));
				continue;
			}
			for (k = 0; k < AUD_KEYS; k++) {
				char *j;

				if (strcmp(key, aud_keys[k]) != 0)
					continue;
				if (json_object_get(a, key) || (j = list_join(val)) == NULL)
					return 0;
				json_object_set_new(a, key, json_string(j));
				lv_free(j);
				break;
			}
			if (k == AUD_KEYS && strcmp(key, "days_since_hire") != 0)
				return 0;
		}
	}
	return 1;
}

/* Fills view.allow / view.deny; returns 0 when visibility needs JSON. */
static int view_visibility(const json_t *vis, json_t *v)
{
	static const char *const sides[] = { "allow", "deny" };
	size_t s, k, known;

	for (s = 0; s < 2; s++) {
		const json_t *side = vis ? json_object_get(vis, sides[s]) : NULL;
		json_t *o = json_object();

		json_object_set_new(v, sides[s], o);
		if (side == NULL)
			continue;
		if (!json_is_object(side))
			return 0;
		for (k = 0, known = 0; k < 3; k++) {
			json_t *l = json_object_get(side, vis_lists[k]);
			char *j;

			if (l == NULL)
				continue;
			known++;
			if ((j = list_join(l)) == NULL)
				return 0;
			json_object_set_new(o, vis_lists[k], json_string(j));
			lv_free(j);
		}
		if (known != json_object_size(side))
			return 0;
	}
	return vis == NULL || json_object_size(vis) ==
		(size_t)((json_object_get(vis, "allow") != NULL) + (json_object_get(vis, "deny") != NULL));
}

/* The target of a rule into row (target, kind_*); 0 when it is not one simple target. */
static int view_target(const json_t *rule, json_t *row, size_t *used)
{
	size_t k, found = 0;

	for (k = 0; k < 3; k++) {
		json_t *t = json_object_get(rule, kinds[k]);
		char key[24];

		lv_snprintf(key, sizeof(key), "kind_%s", kinds[k]);
		json_object_set_new(row, key, json_boolean(t != NULL));
		if (t == NULL)
			continue;
		if (!json_is_string(t))
			return 0;
		json_object_set_new(row, "target", json_copy(t));
		found++;
	}
	*used = found;
	return found == 1;
}

/* An empty row: the form's way to add a rule. */
static json_t *view_row_empty(size_t i, int limit)
{
	json_t *row = json_pack("{s:I,s:s,s:b,s:b,s:b}", "i", (json_int_t)i, "target", "",
				"kind_product", 1, "kind_category", 0, "kind_tag", 0);

	if (limit) {
		size_t k;

		json_object_set_new(row, "max", json_string(""));
		for (k = 0; k < sizeof(pers) / sizeof(pers[0]); k++) {
			char key[32];

			lv_snprintf(key, sizeof(key), "per_%s", pers[k]);
			json_object_set_new(row, key, json_boolean(k == 2));
		}
	}
	return row;
}

/* view.dress rows; 0 when the dress code needs JSON. */
static int view_dress(const json_t *dress, json_t *rows)
{
	static const char *const lists[] = { "colours", "fits", "sizes" };
	json_t *rule;
	size_t i, k;

	json_array_foreach(dress, i, rule) {
		json_t *row = json_pack("{s:I}", "i", (json_int_t)i);
		size_t known = 0;

		json_array_append_new(rows, row);
		if (!json_is_object(rule) || !view_target(rule, row, &known) ||
		    i >= POLICY_FORM_MAX_ROWS)
			return 0;
		for (k = 0; k < 3; k++) {
			json_t *l = json_object_get(rule, lists[k]);
			char *j;

			if (l == NULL)
				continue;
			known++;
			if ((j = list_join(l)) == NULL)
				return 0;
			json_object_set_new(row, lists[k], json_string(j));
			lv_free(j);
		}
		if (json_object_get(rule, "note")) {
			if (!json_is_string(json_object_get(rule, "note")))
				return 0;
			json_object_set(row, "note", json_object_get(rule, "note"));
			known++;
		}
		if (known != json_object_size(rule))
			return 0;
	}
	return 1;
}

/* view.limits rows; 0 when the limits need JSON. */
static int view_limits(const json_t *limits, json_t *rows)
{
	json_t *rule;
	size_t i, k;

	json_array_foreach(limits, i, rule) {
		json_t *row = json_pack("{s:I}", "i", (json_int_t)i), *max, *per, *label;
		size_t known = 0;

		json_array_append_new(rows, row);
		if (!json_is_object(rule) || !view_target(rule, row, &known) ||
		    i >= POLICY_FORM_MAX_ROWS)
			return 0;
		max = json_object_get(rule, "max");
		per = json_object_get(rule, "per");
		label = json_object_get(rule, "label");
		if (!json_is_integer(max) || !json_is_string(per) || (label && !json_is_string(label)))
			return 0;
		json_object_set_new(row, "max", json_sprintf("%lld", (long long)json_integer_value(max)));
		for (k = 0; k < sizeof(pers) / sizeof(pers[0]); k++) {
			char key[32];

			lv_snprintf(key, sizeof(key), "per_%s", pers[k]);
			json_object_set_new(row, key, json_boolean(strcmp(json_string_value(per),
									  pers[k]) == 0));
		}
		if (label)
			json_object_set(row, "label", label);
		known += 2 + (label != NULL);
		if (known != json_object_size(rule))
			return 0;
	}
	return 1;
}

json_t *policy_admin_form_view(const json_t *policy)
{
	static const char *const covered[] = { "name", "title", "audience", "visibility",
					       "dress_code", "limits" };
	json_t *v = json_object(), *rows, *kept = json_array(), *val;
	const char *key;
	size_t k;

	json_object_set_new(v, "title", json_string(json_string_value(json_object_get(policy, "title")) ?
						     json_string_value(json_object_get(policy, "title")) : ""));
	if (!view_audience(json_object_get(policy, "audience"), v)) {
		json_object_set_new(v, "aud_advanced", json_true());
		json_array_append_new(kept, json_string("audience"));
	}
	if (!view_visibility(json_object_get(policy, "visibility"), v)) {
		json_object_set_new(v, "vis_advanced", json_true());
		json_array_append_new(kept, json_string("visibility"));
	}
	rows = json_array();
	if (!view_dress(json_object_get(policy, "dress_code"), rows)) {
		json_object_set_new(v, "dress_advanced", json_true());
		json_array_append_new(kept, json_string("dress_code"));
		json_array_clear(rows);
	} else {
		json_array_append_new(rows, view_row_empty(json_array_size(rows), 0));
	}
	json_object_set_new(v, "dress", rows);
	rows = json_array();
	if (!view_limits(json_object_get(policy, "limits"), rows)) {
		json_object_set_new(v, "limits_advanced", json_true());
		json_array_append_new(kept, json_string("limits"));
		json_array_clear(rows);
	} else {
		json_array_append_new(rows, view_row_empty(json_array_size(rows), 1));
	}
	json_object_set_new(v, "limits", rows);
	json_object_foreach((json_t *)policy, key, val) {
		for (k = 0; k < sizeof(covered) / sizeof(covered[0]); k++)
			if (strcmp(key, covered[k]) == 0)
				break;
		if (k == sizeof(covered) / sizeof(covered[0]))
			json_array_append_new(kept, json_string(key));
	}
	json_object_set_new(v, "kept", kept);
	json_object_set_new(v, "has_kept", json_boolean(json_array_size(kept) > 0));
	return v;
}

/* ---- the posted form ---- */

/* The form field "<field>_<i>" (a row's field), or NULL. */
static const char *form_get(const struct lv_kvlist *f, const char *field, size_t i)
{
	char key[64];

	lv_snprintf(key, sizeof(key), "%s_%zu", field, i);
	return lv_kvlist_get(f, key);
}

static json_t *jstr(const char *s)
{
	return json_string(s ? s : "");
}

json_t *policy_admin_form_view_posted(const struct lv_kvlist *form)
{
	static const char *const flags[] = { "aud_advanced", "vis_advanced", "dress_advanced",
					     "limits_advanced" };
	json_t *v = json_object(), *a = json_object(), *rows, *kept = json_array();
	size_t i, k;

	json_object_set_new(v, "title", jstr(lv_kvlist_get(form, "title")));
	for (k = 0; k < AUD_KEYS; k++) {
		char key[48];

		lv_snprintf(key, sizeof(key), "aud_%s", aud_keys[k]);
		json_object_set_new(a, aud_keys[k], jstr(lv_kvlist_get(form, key)));
	}
	json_object_set_new(a, "min_days", jstr(lv_kvlist_get(form, "aud_min_days")));
	json_object_set_new(a, "max_days", jstr(lv_kvlist_get(form, "aud_max_days")));
	json_object_set_new(v, "aud", a);
	for (i = 0; i < 2; i++) {
		json_t *o = json_object();

		for (k = 0; k < 3; k++) {
			char key[48];

			lv_snprintf(key, sizeof(key), "%s_%s", i ? "deny" : "allow", vis_lists[k]);
			json_object_set_new(o, vis_lists[k], jstr(lv_kvlist_get(form, key)));
		}
		json_object_set_new(v, i ? "deny" : "allow", o);
	}
	for (k = 0; k < 4; k++) {
		const char *f = lv_kvlist_get(form, flags[k]);

		if (f && strcmp(f, "1") == 0) {
			json_object_set_new(v, flags[k], json_true());
			json_array_append_new(kept, json_string(k == 0 ? "audience" : k == 1 ? "visibility" :
								k == 2 ? "dress_code" : "limits"));
		}
	}
	rows = json_array();
	for (i = 0; i <= POLICY_FORM_MAX_ROWS && form_get(form, "dress_target", i); i++) {
		const char *kind = form_get(form, "dress_kind", i);

		json_array_append_new(rows, json_pack("{s:I,s:o,s:b,s:b,s:b,s:o,s:o,s:o,s:o}",
			"i", (json_int_t)i, "target", jstr(form_get(form, "dress_target", i)),
			"kind_product", kind == NULL || strcmp(kind, "product") == 0,
			"kind_category", kind && strcmp(kind, "category") == 0,
			"kind_tag", kind && strcmp(kind, "tag") == 0,
			"colours", jstr(form_get(form, "dress_colours", i)),
			"fits", jstr(form_get(form, "dress_fits", i)),
			"sizes", jstr(form_get(form, "dress_sizes", i)),
			"note", jstr(form_get(form, "dress_note", i))));
	}
	json_object_set_new(v, "dress", rows);
	rows = json_array();
	for (i = 0; i <= POLICY_FORM_MAX_ROWS && form_get(form, "limit_target", i); i++) {
		const char *kind = form_get(form, "limit_kind", i);
		const char *per = form_get(form, "limit_per", i);
		json_t *row = json_pack("{s:I,s:o,s:b,s:b,s:b,s:o,s:o}",
			"i", (json_int_t)i, "target", jstr(form_get(form, "limit_target", i)),
			"kind_product", kind == NULL || strcmp(kind, "product") == 0,
			"kind_category", kind && strcmp(kind, "category") == 0,
			"kind_tag", kind && strcmp(kind, "tag") == 0,
			"max", jstr(form_get(form, "limit_max", i)),
			"label", jstr(form_get(form, "limit_label", i)));

		for (k = 0; k < sizeof(pers) / sizeof(pers[0]); k++) {
			char key[32];

			lv_snprintf(key, sizeof(key), "per_%s", pers[k]);
			json_object_set_new(row, key, json_boolean(per && strcmp(per, pers[k]) == 0));
		}
		json_array_append_new(rows, row);
	}
	json_object_set_new(v, "limits", rows);
	json_object_set_new(v, "kept", kept);
	json_object_set_new(v, "has_kept", json_boolean(json_array_size(kept) > 0));
	return v;
}

/* ---- building the policy from the form ---- */

static int form_flag(const struct lv_kvlist *form, const char *name)
{
	const char *f = lv_kvlist_get(form, name);

	return f && strcmp(f, "1") == 0;
}

/* A whole number from a form field into *out; blank leaves it -1. */
static int form_int(const char *s, int64_t min, int64_t *out)
{
	*out = -1;
	if (blank(s))
		return LV_OK;
	while (*s == ' ')
		s++;
	return lv_parse_i64n(s, strcspn(s, " \t\r\n"), min, 1000000, out);
}

static void apply_audience(const struct lv_kvlist *form, json_t *p, json_t *errors)
{
	json_t *conds = json_array(), *l;
	int64_t mn, mx;
	size_t k;

	for (k = 0; k < AUD_KEYS; k++) {
		char key[48];

		lv_snprintf(key, sizeof(key), "aud_%s", aud_keys[k]);
		if ((l = list_split(lv_kvlist_get(form, key))) != NULL)
			json_array_append_new(conds, json_pack("{s:o}", aud_keys[k], l));
	}
	if (form_int(lv_kvlist_get(form, "aud_min_days"), 0, &mn) != LV_OK ||
	    form_int(lv_kvlist_get(form, "aud_max_days"), 0, &mx) != LV_OK) {
		json_object_set_new(errors, "aud_days", json_string(
			"Days since hire: write whole numbers of days, for example 90."));
	} else if (mn >= 0 && mx >= 0 && mn > mx) {
		json_object_set_new(errors, "aud_days", json_string(
			"Days since hire: the first number must not be larger than the second."));
	} else if (mn >= 0 || mx >= 0) {
		json_t *d = json_object();

		if (mn >= 0)
			json_object_set_new(d, "min", json_integer(mn));
		if (mx >= 0)
			json_object_set_new(d, "max", json_integer(mx));
		json_array_append_new(conds, json_pack("{s:o}", "days_since_hire", d));
	}
	if (json_array_size(conds) == 0)
		json_object_del(p, "audience");
	else if (json_array_size(conds) == 1)
		json_object_set(p, "audience", json_array_get(conds, 0));
	else
		json_object_set_new(p, "audience", json_pack("{s:O}", "all", conds));
	json_decref(conds);
}

static void apply_visibility(const struct lv_kvlist *form, json_t *p)
{
	json_t *vis = json_object(), *l;
	size_t s, k;

	for (s = 0; s < 2; s++) {
		json_t *side = json_object();

		for (k = 0; k < 3; k++) {
			char key[48];

			lv_snprintf(key, sizeof(key), "%s_%s", s ? "deny" : "allow", vis_lists[k]);
			if ((l = list_split(lv_kvlist_get(form, key))) != NULL)
				json_object_set_new(side, vis_lists[k], l);
		}
		if (json_object_size(side))
			json_object_set_new(vis, s ? "deny" : "allow", side);
		else
			json_decref(side);
	}
	if (json_object_size(vis))
		json_object_set_new(p, "visibility", vis);
	else {
		json_decref(vis);
		json_object_del(p, "visibility");
	}
}

/* A row's target as {kind: target} into rule; an error sentence when it is missing or odd. */
static const char *apply_target(const char *kind, const char *target, json_t *rule)
{
	size_t k;

	for (k = 0; k < 3; k++)
		if (kind && strcmp(kind, kinds[k]) == 0)
			break;
	if (k == 3)
		return "Choose whether the rule is for a product, a category or a tag.";
	if (blank(target))
		return "Name the product, category or tag this rule is for.";
	while (*target == ' ')
		target++;
	json_object_set_new(rule, kinds[k], json_stringn(target, strcspn(target, " \t\r\n")));
	return NULL;
}

static void apply_dress(const struct lv_kvlist *form, json_t *p, json_t *errors)
{
	static const char *const lists[] = { "colours", "fits", "sizes" };
	json_t *rules = json_array();
	size_t i, k;

	for (i = 0; i <= POLICY_FORM_MAX_ROWS && form_get(form, "dress_target", i); i++) {
		const char *target = form_get(form, "dress_target", i);
		const char *note = form_get(form, "dress_note", i);
		json_t *rule = json_object(), *l;
		const char *why;
		char key[48];
		int any = !blank(note);

		for (k = 0; k < 3; k++) {
			lv_snprintf(key, sizeof(key), "dress_%s", lists[k]);
			if ((l = list_split(form_get(form, key, i))) != NULL) {
				json_object_set_new(rule, lists[k], l);
				any = 1;
			}
		}
		if (blank(target) && !any) {
			json_decref(rule); /* an empty row: nothing to add */
			continue;
		}
		why = apply_target(form_get(form, "dress_kind", i), target, rule);
		if (why) {
			lv_snprintf(key, sizeof(key), "dress_%zu", i);
			json_object_set_new(errors, key, json_string(why));
		}
		if (!blank(note))
			json_object_set_new(rule, "note", json_string(note));
		json_array_append_new(rules, rule);
	}
	if (json_array_size(rules))
		json_object_set_new(p, "dress_code", rules);
	else {
		json_decref(rules);
		json_object_del(p, "dress_code");
	}
}

static void apply_limits(const struct lv_kvlist *form, json_t *p, json_t *errors)
{
	json_t *rules = json_array();
	size_t i, k;

	for (i = 0; i <= POLICY_FORM_MAX_ROWS && form_get(form, "limit_target", i); i++) {
		const char *target = form_get(form, "limit_target", i);
		const char *max = form_get(form, "limit_max", i);
		const char *per = form_get(form, "limit_per", i);
		const char *label = form_get(form, "limit_label", i);
		const char *why;
		json_t *rule;
		int64_t n;
		char key[48];

		if (blank(target) && blank(max) && blank(label))
			continue;
		rule = json_object();
		lv_snprintf(key, sizeof(key), "limit_%zu", i);
		why = apply_target(form_get(form, "limit_kind", i), target, rule);
		if (why == NULL && (form_int(max, 1, &n) != LV_OK || n < 1))
			why = "The maximum must be a whole number, at least 1.";
		for (k = 0; why == NULL && k < sizeof(pers) / sizeof(pers[0]); k++)
			if (per && strcmp(per, pers[k]) == 0)
				break;
		if (why == NULL && k == sizeof(pers) / sizeof(pers[0]))
			why = "Choose the period the limit counts over.";
		if (why) {
			json_object_set_new(errors, key, json_string(why));
			json_decref(rule);
			continue;
		}
		json_object_set_new(rule, "max", json_integer(n));
		json_object_set_new(rule, "per", json_string(per));
		if (!blank(label))
			json_object_set_new(rule, "label", json_string(label));
		json_array_append_new(rules, rule);
	}
	if (json_array_size(rules))
		json_object_set_new(p, "limits", rules);
	else {
		json_decref(rules);
		json_object_del(p, "limits");
	}
}

int policy_admin_form_apply(const json_t *base, const struct lv_kvlist *form, json_t **out,
			    json_t *errors)
{
	json_t *p = json_deep_copy(base);
	const char *title = lv_kvlist_get(form, "title");
	int rc = LV_OK;

	*out = NULL;
	if (!blank(title))
		json_object_set_new(p, "title", json_string(title));
	else
		json_object_del(p, "title");
	if (!form_flag(form, "aud_advanced"))
		apply_audience(form, p, errors);
	if (!form_flag(form, "vis_advanced"))
		apply_visibility(form, p);
	if (!form_flag(form, "dress_advanced"))
		apply_dress(form, p, errors);
	if (!form_flag(form, "limits_advanced"))
		apply_limits(form, p, errors);
	if (json_object_size(errors)) {
		rc = LV_EINVAL;
		json_decref(p);
		p = NULL;
	}
	*out = p;
	return rc;
}

/* ---- errors to fields ---- */

/* The form row of the n-th rule the form built (rows left empty are skipped). */
static size_t error_row(const struct lv_kvlist *form, const char *prefix, size_t n)
{
	size_t i, seen = 0;
	char key[48];

	if (form == NULL)
		return n;
	for (i = 0; i <= POLICY_FORM_MAX_ROWS; i++) {
		const char *target;
		int any;

		lv_snprintf(key, sizeof(key), "%s_target", prefix);
		target = form_get(form, key, i);
		if (target == NULL)
			break;
		any = !blank(target);
		if (strcmp(prefix, "dress") == 0)
			any = any || !blank(form_get(form, "dress_colours", i)) ||
			      !blank(form_get(form, "dress_fits", i)) ||
			      !blank(form_get(form, "dress_sizes", i)) ||
			      !blank(form_get(form, "dress_note", i));
		else
			any = any || !blank(form_get(form, "limit_max", i)) ||
			      !blank(form_get(form, "limit_label", i));
		if (any && seen++ == n)
			return i;
	}
	return n;
}

void policy_admin_error_field(const char *path, const struct lv_kvlist *form, char *field,
			      size_t len)
{
	static const struct {
		const char *prefix;
		const char *field;
	} fixed[] = {
		{ "$.title", "title" }, { "$.name", "name" }, { "$.audience", "audience" },
		{ "$.visibility.allow.categories", "allow_categories" },
		{ "$.visibility.allow.tags", "allow_tags" },
		{ "$.visibility.allow.products", "allow_products" },
		{ "$.visibility.deny.categories", "deny_categories" },
		{ "$.visibility.deny.tags", "deny_tags" },
		{ "$.visibility.deny.products", "deny_products" },
	};
	size_t k, n;

	field[0] = '\0';
	for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++) {
		size_t pl = strlen(fixed[k].prefix);

		if (strncmp(path, fixed[k].prefix, pl) == 0 &&
		    (path[pl] == '\0' || path[pl] == '.' || path[pl] == '[')) {
			lv_strlcpy(field, fixed[k].field, len);
			return;
		}
	}
	for (k = 0; k < 2; k++) {
		const char *prefix = k ? "$.limits[" : "$.dress_code[";
		size_t pl = strlen(prefix);
		int64_t i = 0;

		if (strncmp(path, prefix, pl) != 0 ||
		    lv_parse_i64n(path + pl, strcspn(path + pl, "]"), 0, POLICY_FORM_MAX_ROWS, &i) !=
			    LV_OK)
			continue;
		n = error_row(form, k ? "limit" : "dress", (size_t)i);
		lv_snprintf(field, len, "%s_%zu", k ? "limit" : "dress", n);
	}
}

/* ---- the preview ---- */

#define PREVIEW_MAX 50

/* Appends item to the list key of out (cut at PREVIEW_MAX, counted in key_more). */
static void preview_add(json_t *out, const char *key, json_t *item)
{
	json_t *list = json_object_get(out, key);
	char more[48];

	if (json_array_size(list) < PREVIEW_MAX) {
		json_array_append_new(list, item);
		return;
	}
	json_decref(item);
	lv_snprintf(more, sizeof(more), "%s_more", key);
	json_object_set_new(out, more, json_integer(json_integer_value(json_object_get(out, more)) + 1));
}

/* The names of the policies v applies, as a new array. */
static json_t *preview_names(const struct policy_view *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < policy_view_count(v); i++)
		json_array_append_new(a, json_string(policy_view_name(v, i)));
	return a;
}

/* Every limit of the policies v applies: {policy, what, max, per_<per>}. */
static json_t *preview_limits(const struct policy_set *set, const struct policy_view *v)
{
	json_t *out = json_array(), *rule;
	size_t i, j, k;

	for (i = 0; i < policy_set_count(set); i++) {
		const json_t *p = policy_set_policy(set, i);
		const char *name = json_string_value(json_object_get(p, "name"));

		for (j = 0; name && j < policy_view_count(v); j++)
			if (strcmp(policy_view_name(v, j), name) == 0)
				break;
		if (name == NULL || j == policy_view_count(v))
			continue;
		json_array_foreach(json_object_get(p, "limits"), k, rule) {
			const char *what = json_string_value(json_object_get(rule, "label"));
			const char *per = json_string_value(json_object_get(rule, "per"));
			json_t *item;
			size_t m;

			for (m = 0; what == NULL && m < 3; m++)
				what = json_string_value(json_object_get(rule, kinds[m]));
			item = json_pack("{s:s,s:s,s:I}", "policy", name, "what", what ? what : "",
					 "max", json_integer_value(json_object_get(rule, "max")));
			for (m = 0; m < sizeof(pers) / sizeof(pers[0]); m++) {
				char key[32];

				lv_snprintf(key, sizeof(key), "per_%s", pers[m]);
				json_object_set_new(item, key, json_boolean(per && strcmp(per, pers[m]) == 0));
			}
			json_array_append_new(out, item);
		}
	}
	return out;
}

int policy_admin_preview(struct lv_db *db, struct policy_set *before, struct policy_set *after,
			 const char *employee_id, const struct lv_i18n_catalog *i18n, json_t **out)
{
	static const char *const sql =
		"SELECT p.id, p.slug, p.name, c.slug, p.restricted,"
		" (SELECT json_group_array(t.tag) FROM product_tags t WHERE t.product_id = p.id),"
		" v.sku, v.size, v.colour, v.fit, v.price, v.logo"
		" FROM variants v JOIN products p ON p.id = v.product_id"
		" JOIN categories c ON c.id = p.category_id"
		" WHERE p.active = 1 AND v.active = 1 ORDER BY p.name, p.id, v.position, v.id";
	struct policy_subject_data sd;
	struct policy_view *vb = NULL, *va = NULL;
	sqlite3_stmt *st = NULL;
	json_t *res = NULL, *tags = NULL;
	int64_t id = 0, last = -1, nb = 0, na = 0;
	int rc, step, vis_b = 0, vis_a = 0;

	*out = NULL;
	memset(&sd, 0, sizeof(sd));
	rc = lv_db_stmt(db, "SELECT id, name, department, site FROM employees WHERE employee_id = ?1",
			&st);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(st, 1, employee_id);
	step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? LV_ENOTFOUND : LV_EINTERNAL;
		goto out;
	}
	id = sqlite3_column_int64(st, 0);
	res = json_pack("{s:{s:s,s:s,s:s,s:s},s:[],s:[],s:[],s:[]}",
			"employee", "employee_id", employee_id,
			"name", sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "",
			"department", sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "",
			"site", sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "",
			"hidden", "shown", "variants_refused", "variants_allowed");
	lv_db_done(st);
	st = NULL;
	rc = policy_subject_load(db, id, 0, &sd);
	if (rc == LV_OK)
		rc = policy_view_new(before, &sd.s, &vb);
	if (rc == LV_OK)
		rc = policy_view_new(after, &sd.s, &va);
	if (rc == LV_OK)
		rc = lv_db_stmt(db, sql, &st);
	if (rc != LV_OK)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t[64];
		struct policy_product p;
		struct policy_variant x;
		struct policy_decision db_, da;
		char why[512];
		int ok_b, ok_a;
		json_t *tag;
		size_t i;

		memset(&p, 0, sizeof(p));
		p.slug = (const char *)sqlite3_column_text(st, 1);
		p.category = (const char *)sqlite3_column_text(st, 3);
		p.restricted = sqlite3_column_int(st, 4);
		json_decref(tags);
		tags = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
		json_array_foreach(tags, i, tag)
			if (p.ntags < 64 && json_is_string(tag))
				t[p.ntags++] = json_string_value(tag);
		p.tags = t;
		if (sqlite3_column_int64(st, 0) != last) {
			last = sqlite3_column_int64(st, 0);
			vis_b = policy_view_product_visible(vb, &p, NULL);
			vis_a = policy_view_product_visible(va, &p, NULL);
			nb += vis_b;
			na += vis_a;
			if (vis_b != vis_a)
				preview_add(res, vis_b ? "hidden" : "shown",
					    json_pack("{s:s,s:s}", "slug", p.slug, "name",
						      (const char *)sqlite3_column_text(st, 2)));
		}
		if (!vis_b && !vis_a)
			continue;
		x.sku = (const char *)sqlite3_column_text(st, 6);
		x.size = (const char *)sqlite3_column_text(st, 7);
		x.colour = (const char *)sqlite3_column_text(st, 8);
		x.fit = (const char *)sqlite3_column_text(st, 9);
		x.price = sqlite3_column_int64(st, 10);
		x.logo = (const char *)sqlite3_column_text(st, 11);
		ok_b = vis_b && policy_view_variant_allowed(vb, &p, &x, &db_);
		ok_a = vis_a && policy_view_variant_allowed(va, &p, &x, &da);
		/* a product hidden or shown as a whole is listed above, not per variant */
		if (ok_b == ok_a || vis_b != vis_a)
			continue;
		why[0] = '\0';
		if (ok_b)
			say_policy_refusal(&da, i18n, why, sizeof(why));
		preview_add(res, ok_b ? "variants_refused" : "variants_allowed",
			    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "sku", x.sku, "product",
				      (const char *)sqlite3_column_text(st, 2), "size", x.size,
				      "colour", x.colour, "fit", x.fit, "why", why));
	}
	if (step != SQLITE_DONE) {
		lv_error("policy_preview", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto out;
	}
	json_object_set_new(res, "visible_before", json_integer(nb));
	json_object_set_new(res, "visible_after", json_integer(na));
	json_object_set_new(res, "policies_before", preview_names(vb));
	json_object_set_new(res, "policies_after", preview_names(va));
	json_object_set_new(res, "limits", preview_limits(after, va));
	json_object_set_new(res, "has_hidden", json_boolean(json_array_size(json_object_get(res, "hidden"))));
	json_object_set_new(res, "has_shown", json_boolean(json_array_size(json_object_get(res, "shown"))));
	json_object_set_new(res, "has_refused",
			    json_boolean(json_array_size(json_object_get(res, "variants_refused"))));
	json_object_set_new(res, "has_allowed",
			    json_boolean(json_array_size(json_object_get(res, "variants_allowed"))));
	json_object_set_new(res, "has_limits", json_boolean(json_array_size(json_object_get(res, "limits"))));
	json_object_set_new(res, "changes", json_boolean(
		json_array_size(json_object_get(res, "hidden")) + json_array_size(json_object_get(res, "shown")) +
		json_array_size(json_object_get(res, "variants_refused")) +
		json_array_size(json_object_get(res, "variants_allowed")) > 0));
	*out = res;
	res = NULL;
out:
	lv_db_done(st);
	json_decref(tags);
	json_decref(res);
	policy_view_free(vb);
	policy_view_free(va);
	policy_subject_data_cleanup(&sd);
	return rc;
}
