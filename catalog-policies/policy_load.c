/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_load.c - loading a policy set: parsing each source with jansson,
 * validating it against the format of README.md (every error with its
 * JSON path and a hint, for every source), compiling it into the form of
 * policy_int.h, and the set's life cycle (all or nothing, reference
 * counted, immutable). Validation and compilation are one walk: whatever
 * the walk reports, the compiled policies are thrown away if anything was
 * wrong anywhere.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "policy_int.h"

#define LOAD_MAX_SOURCE (1024 * 1024) /* bytes of one policy's text */
#define LOAD_MAX_LIST 1000            /* entries of any list */
#define LOAD_MAX_NAME 64              /* a policy's name */
#define LOAD_MAX_TITLE 200            /* titles, kit names, notes */
#define LOAD_MAX_VALUE 128            /* slugs, attribute values, colours... */
#define LOAD_MAX_LABEL 64             /* a limit's label */
#define LOAD_MAX_DEPTH 16             /* selectors inside selectors */
#define LOAD_MAX_ERRORS 1000          /* over all sources */
#define LOAD_MAX_DAYS 36600           /* about a century of service */
#define LOAD_MAX_QTY 1000000
#define LOAD_MAX_PRICE 1000000000000LL

#define HINT_TARGET "give exactly one of \"product\", \"category\", \"tag\" or \"products\""
#define HINT_STRLIST "a non-empty list of strings, e.g. [\"Navy\", \"White\"]"

struct load_ctx {
	const char *origin;
	struct policy_errors *errs;
};

/* ---- errors ---- */

void policy_errors_init(struct policy_errors *e)
{
	e->v = NULL;
	e->n = 0;
}

void policy_errors_cleanup(struct policy_errors *e)
{
	if (e == NULL)
		return;
	lv_free(e->v);
	e->v = NULL;
	e->n = 0;
}

static void errors_push(struct policy_errors *e, const char *origin, const char *path,
			const char *hint, const char *msg)
{
	struct policy_error *x;

	if (e->n > LOAD_MAX_ERRORS)
		return;
	e->v = lv_realloc(e->v, (e->n + 1) * sizeof(*e->v));
	x = &e->v[e->n++];
	memset(x, 0, sizeof(*x));
	lv_strlcpy(x->origin, origin ? origin : "", sizeof(x->origin));
	if (e->n > LOAD_MAX_ERRORS) {
		lv_strlcpy(x->path, "$", sizeof(x->path));
		lv_strlcpy(x->message, "too many errors; the rest are not shown",
			   sizeof(x->message));
		lv_strlcpy(x->hint, "fix these and check again", sizeof(x->hint));
		return;
	}
	lv_strlcpy(x->path, path, sizeof(x->path));
	lv_strlcpy(x->message, msg, sizeof(x->message));
	lv_strlcpy(x->hint, hint ? hint : "", sizeof(x->hint));
}

static void load_err(struct load_ctx *c, const char *path, const char *hint, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));

static void load_err(struct load_ctx *c, const char *path, const char *hint, const char *fmt,
		     ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	errors_push(c->errs, c->origin, path, hint, msg);
}

/* ---- paths ---- */

static void path_key(char out[128], const char *base, const char *key)
{
	lv_snprintf(out, 128, "%s.%s", base, key);
}

static void path_idx(char out[128], const char *base, size_t i)
{
	lv_snprintf(out, 128, "%s[%zu]", base, i);
}

/* ---- small pieces ---- */

/* The number of UTF-8 characters of s (jansson has checked the encoding). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static const char *json_type_word(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "a whole number";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "true or false";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/*
 * Reports every key of obj that is not in keys (a NULL-terminated list);
 * the hint names the allowed keys.
 */
static void check_keys(struct load_ctx *c, const char *path, json_t *obj,
		       const char *const *keys)
{
	char hint[256], p[128];
	const char *k;
	json_t *v;
	size_t i;
	int known;

	hint[0] = '\0';
	lv_strlcpy(hint, "one of ", sizeof(hint));
	for (i = 0; keys[i]; i++) {
		size_t len = strlen(hint);

		lv_snprintf(hint + len, sizeof(hint) - len, "%s%s", i ? ", " : "", keys[i]);
	}
	json_object_foreach(obj, k, v) {
		known = 0;
		for (i = 0; keys[i]; i++)
			if (strcmp(k, keys[i]) == 0)
				known = 1;
		if (!known) {
			path_key(p, path, k);
			load_err(c, p, hint, "unknown key \"%.64s\"", k);
		}
	}
}

/* A non-empty string of at most max characters. Returns it, or NULL (reported). */
static const char *load_string(struct load_ctx *c, const char *path, json_t *v, size_t max)
{
	const char *s;

	if (!json_is_string(v)) {
		load_err(c, path, "write it in double quotes", "must be a string, not %s",
			 json_type_word(v));
		return NULL;
	}
	s = json_string_value(v);
	if (s[0] == '\0') {
		load_err(c, path, "write a value, or leave the key out", "must not be empty");
		return NULL;
	}
	if (utf8_chars(s) > max) {
		load_err(c, path, "shorten it", "is longer than %zu characters", max);
		return NULL;
	}
	return s;
}

/* A whole number in min..max. Returns 0 and sets *out, or -1 (reported). */
static int load_int(struct load_ctx *c, const char *path, json_t *v, int64_t min, int64_t max,
		    int64_t *out)
{
	char hint[128];

	lv_snprintf(hint, sizeof(hint), "a whole number from %lld to %lld", (long long)min,
		    (long long)max);
	if (!json_is_integer(v)) {
		load_err(c, path, hint, "must be a whole number, not %s", json_type_word(v));
		return -1;
	}
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		load_err(c, path, hint, "%lld is out of range", (long long)json_integer_value(v));
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

void pol_strs_cleanup(struct pol_strs *s)
{
	lv_free(s->v);
	s->v = NULL;
	s->n = 0;
	s->present = 0;
}

int pol_strs_has(const struct pol_strs *s, const char *x)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return 1;
	return 0;
}

int pol_strs_has_ci(const struct pol_strs *s, const char *x)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcasecmp(s->v[i], x) == 0)
			return 1;
	return 0;
}

/* A non-empty list of non-empty strings of at most max characters each. */
static void load_strs(struct load_ctx *c, const char *path, json_t *v, size_t max,
		      struct pol_strs *out)
{
	char p[128];
	const char *s;
	json_t *e;
	size_t i;

	out->present = 1;
	if (!json_is_array(v)) {
		load_err(c, path, HINT_STRLIST, "must be a list, not %s", json_type_word(v));
		return;
	}
	if (json_array_size(v) == 0) {
		load_err(c, path, "name at least one, or leave the key out",
			 "must not be an empty list");
		return;
	}
	if (json_array_size(v) > LOAD_MAX_LIST) {
		load_err(c, path, "split the policy", "has more than %d entries", LOAD_MAX_LIST);
		return;
	}
	out->v = lv_calloc(json_array_size(v), sizeof(*out->v));
	json_array_foreach(v, i, e) {
		path_idx(p, path, i);
		s = load_string(c, p, e, max);
		if (s)
			out->v[out->n++] = s;
	}
}

/* ---- selectors ---- */

static const struct {
	const char *key;
	enum pol_sel_kind kind;
} sel_keys[] = {
	{ "all", SEL_ALL },
	{ "any", SEL_ANY },
	{ "not", SEL_NOT },
	{ "department", SEL_DEPARTMENT },
	{ "cost_center", SEL_COST_CENTER },
	{ "site", SEL_SITE },
	{ "job_title", SEL_JOB_TITLE },
	{ "groups", SEL_GROUPS },
	{ "employment_type", SEL_EMPLOYMENT_TYPE },
	{ "employee_ids", SEL_EMPLOYEE_IDS },
	{ "days_since_hire", SEL_DAYS },
};

#define HINT_SEL "one of all, any, not, department, cost_center, site, job_title, groups, " \
		 "employment_type, employee_ids, days_since_hire"

static void load_sel(struct load_ctx *c, const char *path, json_t *v, int depth,
		     struct pol_sel *out);

static void load_sel_days(struct load_ctx *c, const char *path, json_t *v, struct pol_sel *out)
{
	static const char *const keys[] = { "min", "max", NULL };
	char p[128];
	json_t *x;

	out->min = -1;
	out->max = -1;
	if (!json_is_object(v) || json_object_size(v) == 0) {
		load_err(c, path, "e.g. {\"min\": 90} or {\"min\": 0, \"max\": 365}",
			 "must be an object with min and/or max");
		return;
	}
	check_keys(c, path, v, keys);
	if ((x = json_object_get(v, "min")) != NULL) {
		path_key(p, path, "min");
		load_int(c, p, x, 0, LOAD_MAX_DAYS, &out->min);
	}
	if ((x = json_object_get(v, "max")) != NULL) {
		path_key(p, path, "max");
		load_int(c, p, x, 0, LOAD_MAX_DAYS, &out->max);
	}
	if (out->min >= 0 && out->max >= 0 && out->min > out->max)
		load_err(c, path, "make min at most max", "min %lld is greater than max %lld",
			 (long long)out->min, (long long)out->max);
}

static void load_sel_list(struct load_ctx *c, const char *path, json_t *v, int depth,
			  struct pol_sel *out)
{
	char p[128];
	json_t *e;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) == 0) {
		load_err(c, path, "a non-empty list of selectors, e.g. [{\"site\": [\"Head office\"]}]",
			 "must be a non-empty list of selectors");
		return;
	}
	if (json_array_size(v) > LOAD_MAX_LIST) {
		load_err(c, path, "split the selector", "has more than %d entries", LOAD_MAX_LIST);
		return;
	}
	out->kids = lv_calloc(json_array_size(v), sizeof(*out->kids));
	json_array_foreach(v, i, e) {
		path_idx(p, path, i);
		load_sel(c, p, e, depth + 1, &out->kids[out->nkids++]);
	}
}

static void load_sel(struct load_ctx *c, const char *path, json_t *v, int depth,
		     struct pol_sel *out)
{
	char p[128];
	const char *k;
	json_t *x;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->kind = SEL_TRUE;
	if (!json_is_object(v)) {
		load_err(c, path, "{} selects everyone; e.g. {\"department\": [\"Warehouse\"]}",
			 "a selector must be an object, not %s", json_type_word(v));
		return;
	}
	if (depth > LOAD_MAX_DEPTH) {
		load_err(c, path, "flatten the selector", "selectors are nested more than %d deep",
			 LOAD_MAX_DEPTH);
		return;
	}
	if (json_object_size(v) == 0)
		return;
	if (json_object_size(v) > 1) {
		load_err(c, path, "combine conditions with {\"all\": [{...}, {...}]}",
			 "a selector has exactly one key, not %zu", json_object_size(v));
		return;
	}
	json_object_foreach(v, k, x) {
		path_key(p, path, k);
		for (i = 0; i < sizeof(sel_keys) / sizeof(sel_keys[0]); i++)
			if (strcmp(k, sel_keys[i].key) == 0)
				break;
		if (i == sizeof(sel_keys) / sizeof(sel_keys[0])) {
			load_err(c, p, HINT_SEL, "unknown selector \"%.64s\"", k);
			return;
		}
		out->kind = sel_keys[i].kind;
		switch (out->kind) {
		case SEL_ALL:
		case SEL_ANY:
			load_sel_list(c, p, x, depth, out);
			break;
		case SEL_NOT:
			out->kids = lv_calloc(1, sizeof(*out->kids));
			out->nkids = 1;
			load_sel(c, p, x, depth + 1, &out->kids[0]);
			break;
		case SEL_DAYS:
			load_sel_days(c, p, x, out);
			break;
		default:
			load_strs(c, p, x, LOAD_MAX_VALUE, &out->vals);
			break;
		}
	}
}

/* ---- rules ---- */

/*
 * The target of a rule: exactly one of product, category, tag (a string)
 * or products (a list of product slugs).
 */
static void load_target(struct load_ctx *c, const char *path, json_t *rule, struct pol_target *t)
{
	static const char *const keys[] = { "product", "category", "tag", "products" };
	static const enum pol_kind kinds[] = { POL_PRODUCT, POL_CATEGORY, POL_TAG, POL_PRODUCT };
	char p[128];
	const char *s;
	json_t *x;
	size_t i, found = 0;

	for (i = 0; i < 4; i++) {
		if ((x = json_object_get(rule, keys[i])) == NULL)
			continue;
		if (++found > 1)
			continue;
		path_key(p, path, keys[i]);
		t->kind = kinds[i];
		if (i == 3) {
			load_strs(c, p, x, LOAD_MAX_VALUE, &t->names);
		} else if ((s = load_string(c, p, x, LOAD_MAX_VALUE)) != NULL) {
			t->names.v = lv_calloc(1, sizeof(*t->names.v));
			t->names.v[0] = s;
			t->names.n = 1;
			t->names.present = 1;
		}
	}
	if (found == 0)
		load_err(c, path, HINT_TARGET, "names no product, category or tag");
	else if (found > 1)
		load_err(c, path, HINT_TARGET, "names %zu targets; a rule has exactly one", found);
}

/* The rules array at key of pol: a list of objects, at most LOAD_MAX_LIST. */
static json_t *rules_get(struct load_ctx *c, json_t *pol, const char *key, char path[128])
{
	json_t *v = json_object_get(pol, key);

	path_key(path, "$", key);
	if (v == NULL)
		return NULL;
	if (!json_is_array(v)) {
		load_err(c, path, "a list of rule objects: [{...}]", "must be a list, not %s",
			 json_type_word(v));
		return NULL;
	}
	if (json_array_size(v) > LOAD_MAX_LIST) {
		load_err(c, path, "split the policy", "has more than %d rules", LOAD_MAX_LIST);
		return NULL;
	}
	return json_array_size(v) ? v : NULL;
}

static int rule_object(struct load_ctx *c, const char *path, json_t *r)
{
	if (json_is_object(r))
		return 1;
	load_err(c, path, "a rule is an object, e.g. {\"tag\": \"uniform\", ...}",
		 "must be an object, not %s", json_type_word(r));
	return 0;
}

static void load_visibility(struct load_ctx *c, json_t *v, struct pol_policy *pol)
{
	static const char *const keys[] = { "allow", "deny", NULL };
	static const char *const lists[] = { "categories", "tags", "products", NULL };
	static const enum pol_kind kinds[] = { POL_CATEGORY, POL_TAG, POL_PRODUCT };
	struct pol_strs *into;
	char p[128], q[128];
	json_t *o, *x;
	size_t i, k;

	if (!json_is_object(v)) {
		load_err(c, "$.visibility", "{\"allow\": {...}, \"deny\": {...}}",
			 "must be an object, not %s", json_type_word(v));
		return;
	}
	check_keys(c, "$.visibility", v, keys);
	for (k = 0; k < 2; k++) {
		if ((o = json_object_get(v, keys[k])) == NULL)
			continue;
		path_key(p, "$.visibility", keys[k]);
		if (!json_is_object(o) || json_object_size(o) == 0) {
			load_err(c, p, "e.g. {\"categories\": [\"uniforms\"], \"tags\": [\"logo\"]}",
				 "must be an object naming categories, tags or products");
			continue;
		}
		check_keys(c, p, o, lists);
		into = k == 0 ? pol->allow : pol->deny;
		for (i = 0; lists[i]; i++) {
			if ((x = json_object_get(o, lists[i])) == NULL)
				continue;
			path_key(q, p, lists[i]);
			load_strs(c, q, x, LOAD_MAX_VALUE, &into[kinds[i]]);
			if (k == 0)
				pol->has_allow = 1;
		}
	}
}

static void load_dress(struct load_ctx *c, json_t *pj, struct pol_policy *pol)
{
	static const char *const keys[] = { "product", "category", "tag", "products", "colours",
					    "fits", "sizes", "logos", "note", NULL };
	char base[128], path[128], p[128];
	json_t *arr, *r, *x;
	size_t i;

	if ((arr = rules_get(c, pj, "dress_code", base)) == NULL)
		return;
	pol->dress = lv_calloc(json_array_size(arr), sizeof(*pol->dress));
	json_array_foreach(arr, i, r) {
		struct pol_dress *d = &pol->dress[pol->ndress++];

		path_idx(path, base, i);
		if (!rule_object(c, path, r))
			continue;
		check_keys(c, path, r, keys);
		load_target(c, path, r, &d->t);
		if ((x = json_object_get(r, "colours")) != NULL) {
			path_key(p, path, "colours");
			load_strs(c, p, x, LOAD_MAX_VALUE, &d->colours);
		}
		if ((x = json_object_get(r, "fits")) != NULL) {
			path_key(p, path, "fits");
			load_strs(c, p, x, LOAD_MAX_VALUE, &d->fits);
		}
		if ((x = json_object_get(r, "sizes")) != NULL) {
			path_key(p, path, "sizes");
			load_strs(c, p, x, LOAD_MAX_VALUE, &d->sizes);
		}
		if ((x = json_object_get(r, "logos")) != NULL) {
			path_key(p, path, "logos");
			load_strs(c, p, x, LOAD_MAX_VALUE, &d->logos);
		}
		if ((x = json_object_get(r, "note")) != NULL) {
			path_key(p, path, "note");
			d->note = load_string(c, p, x, LOAD_MAX_TITLE);
		}
	}
}

static void load_kits(struct load_ctx *c, json_t *pj)
{
	static const char *const keys[] = { "name", "mandatory", "items", NULL };
	static const char *const ikeys[] = { "product", "sku", "quantity", NULL };
	char base[128], path[128], p[128], q[128], r2[128];
	json_t *arr, *k, *x, *items, *it;
	int64_t qty;
	size_t i, j;

	if ((arr = rules_get(c, pj, "kits", base)) == NULL)
		return;
	json_array_foreach(arr, i, k) {
		path_idx(path, base, i);
		if (!rule_object(c, path, k))
			continue;
		check_keys(c, path, k, keys);
		path_key(p, path, "name");
		if ((x = json_object_get(k, "name")) == NULL)
			load_err(c, p, "e.g. \"name\": \"Starter kit\"", "a kit needs a name");
		else
			load_string(c, p, x, LOAD_MAX_TITLE);
		path_key(p, path, "mandatory");
		if ((x = json_object_get(k, "mandatory")) != NULL && !json_is_boolean(x))
			load_err(c, p, "true or false", "must be true or false, not %s",
				 json_type_word(x));
		path_key(p, path, "items");
		items = json_object_get(k, "items");
		if (!json_is_array(items) || json_array_size(items) == 0 ||
		    json_array_size(items) > LOAD_MAX_LIST) {
			load_err(c, p, "e.g. [{\"product\": \"hi-vis-vest\", \"quantity\": 1}]",
				 "a kit needs a list of 1 to %d items", LOAD_MAX_LIST);
			continue;
		}
		json_array_foreach(items, j, it) {
			path_idx(q, p, j);
			if (!rule_object(c, q, it))
				continue;
			check_keys(c, q, it, ikeys);
			path_key(r2, q, "product");
			if ((x = json_object_get(it, "product")) == NULL)
				load_err(c, r2, "the product's slug, e.g. \"safety-boots-s3\"",
					 "an item needs a product");
			else
				load_string(c, r2, x, LOAD_MAX_VALUE);
			path_key(r2, q, "sku");
			if ((x = json_object_get(it, "sku")) != NULL)
				load_string(c, r2, x, LOAD_MAX_VALUE);
			path_key(r2, q, "quantity");
			if ((x = json_object_get(it, "quantity")) != NULL)
				load_int(c, r2, x, 1, 1000, &qty);
		}
	}
}

static const char *const per_words[] = { "order", "month", "year", "rolling_365", "hire_year",
					  NULL };

static void load_limits(struct load_ctx *c, json_t *pj, struct pol_policy *pol)
{
	static const char *const keys[] = { "product", "category", "tag", "products", "max",
					    "per", "label", NULL };
	char base[128], path[128], p[128];
	json_t *arr, *r, *x;
	size_t i, k;

	if ((arr = rules_get(c, pj, "limits", base)) == NULL)
		return;
	pol->limits = lv_calloc(json_array_size(arr), sizeof(*pol->limits));
	json_array_foreach(arr, i, r) {
		struct pol_limit *l = &pol->limits[pol->nlimits++];

		path_idx(path, base, i);
		if (!rule_object(c, path, r))
			continue;
		check_keys(c, path, r, keys);
		load_target(c, path, r, &l->t);
		path_key(p, path, "max");
		if ((x = json_object_get(r, "max")) == NULL)
			load_err(c, p, "a whole number from 1, e.g. \"max\": 5", "a limit needs max");
		else
			load_int(c, p, x, 1, LOAD_MAX_QTY, &l->max);
		path_key(p, path, "per");
		x = json_object_get(r, "per");
		for (k = 0; per_words[k] && json_is_string(x); k++)
			if (strcmp(json_string_value(x), per_words[k]) == 0)
				break;
		if (x == NULL)
			load_err(c, p, "one of order, month, year, rolling_365, hire_year",
				 "a limit needs per");
		else if (!json_is_string(x) || per_words[k] == NULL)
			load_err(c, p, "one of order, month, year, rolling_365, hire_year",
				 "unknown period %s%.64s%s", json_is_string(x) ? "\"" : "",
				 json_is_string(x) ? json_string_value(x) : json_type_word(x),
				 json_is_string(x) ? "\"" : "");
		else
			l->per = (enum pol_per)k;
		if ((x = json_object_get(r, "label")) != NULL) {
			path_key(p, path, "label");
			l->label = load_string(c, p, x, LOAD_MAX_LABEL);
		}
	}
}

static void load_elig(struct load_ctx *c, json_t *pj, struct pol_policy *pol)
{
	static const char *const keys[] = { "product", "category", "tag", "products",
					    "min_days", "employment_types", NULL };
	char base[128], path[128], p[128];
	json_t *arr, *r, *x;
	size_t i;

	if ((arr = rules_get(c, pj, "eligibility", base)) == NULL)
		return;
	pol->elig = lv_calloc(json_array_size(arr), sizeof(*pol->elig));
	json_array_foreach(arr, i, r) {
		struct pol_elig *e = &pol->elig[pol->nelig++];

		e->min_days = -1;
		path_idx(path, base, i);
		if (!rule_object(c, path, r))
			continue;
		check_keys(c, path, r, keys);
		load_target(c, path, r, &e->t);
		if ((x = json_object_get(r, "min_days")) != NULL) {
			path_key(p, path, "min_days");
			load_int(c, p, x, 0, LOAD_MAX_DAYS, &e->min_days);
		}
		if ((x = json_object_get(r, "employment_types")) != NULL) {
			path_key(p, path, "employment_types");
			load_strs(c, p, x, LOAD_MAX_VALUE, &e->types);
		}
		if (e->min_days < 0 && !e->types.present &&
		    !json_object_get(r, "min_days"))
			load_err(c, path, "add \"min_days\" or \"employment_types\"",
				 "an eligibility rule checks nothing");
	}
}

static void load_prices(struct load_ctx *c, json_t *pj, struct pol_policy *pol)
{
	static const char *const keys[] = { "product", "category", "tag", "products",
					    "company_pays_percent", "price_minor", NULL };
	char base[128], path[128], p[128];
	json_t *arr, *r, *x;
	int64_t v;
	size_t i;

	if ((arr = rules_get(c, pj, "price", base)) == NULL)
		return;
	pol->prices = lv_calloc(json_array_size(arr), sizeof(*pol->prices));
	json_array_foreach(arr, i, r) {
		struct pol_price *pr = &pol->prices[pol->nprices++];

		pr->percent = -1;
		pr->price_minor = -1;
		path_idx(path, base, i);
		if (!rule_object(c, path, r))
			continue;
		check_keys(c, path, r, keys);
		load_target(c, path, r, &pr->t);
		if ((x = json_object_get(r, "company_pays_percent")) != NULL) {
			path_key(p, path, "company_pays_percent");
			if (load_int(c, p, x, 0, 100, &v) == 0)
				pr->percent = (int)v;
		}
		if ((x = json_object_get(r, "price_minor")) != NULL) {
			path_key(p, path, "price_minor");
			load_int(c, p, x, 0, LOAD_MAX_PRICE, &pr->price_minor);
		}
		if (!json_object_get(r, "company_pays_percent") && !json_object_get(r, "price_minor"))
			load_err(c, path,
				 "add \"company_pays_percent\" (0 to 100) or \"price_minor\" (cents)",
				 "a price rule sets nothing");
	}
}

/* ---- one policy ---- */

static void policy_cleanup(struct pol_policy *pol)
{
	size_t i;

	pol_sel_cleanup(&pol->audience);
	for (i = 0; i < 4; i++) {
		pol_strs_cleanup(&pol->allow[i]);
		pol_strs_cleanup(&pol->deny[i]);
	}
	for (i = 0; i < pol->ndress; i++) {
		pol_strs_cleanup(&pol->dress[i].t.names);
		pol_strs_cleanup(&pol->dress[i].colours);
		pol_strs_cleanup(&pol->dress[i].fits);
		pol_strs_cleanup(&pol->dress[i].logos);
		pol_strs_cleanup(&pol->dress[i].sizes);
	}
	lv_free(pol->dress);
	for (i = 0; i < pol->nlimits; i++)
		pol_strs_cleanup(&pol->limits[i].t.names);
	lv_free(pol->limits);
	for (i = 0; i < pol->nelig; i++) {
		pol_strs_cleanup(&pol->elig[i].t.names);
		pol_strs_cleanup(&pol->elig[i].types);
	}
	lv_free(pol->elig);
	for (i = 0; i < pol->nprices; i++)
		pol_strs_cleanup(&pol->prices[i].t.names);
	lv_free(pol->prices);
	json_decref(pol->json);
	memset(pol, 0, sizeof(*pol));
}

static int name_valid(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return n >= 1 && n <= LOAD_MAX_NAME;
}

/*
 * Parses and compiles one source into pol (which owns the parsed JSON
 * afterwards, even on error). Errors go to c.
 */
static void policy_load_one(struct load_ctx *c, const struct policy_source *src,
			    struct pol_policy *pol)
{
	static const char *const keys[] = { "name", "title", "audience", "visibility",
					    "dress_code", "kits", "limits", "eligibility",
					    "price", NULL };
	json_error_t jerr;
	json_t *pj, *x;

	memset(pol, 0, sizeof(*pol));
	if (src->text == NULL || src->len > LOAD_MAX_SOURCE) {
		load_err(c, "$", "keep one policy under 1 MiB", "the text is missing or too large");
		return;
	}
	pj = json_loadb(src->text, src->len, JSON_REJECT_DUPLICATES, &jerr);
	if (pj == NULL) {
		load_err(c, "$", "check the JSON syntax near that place",
			 "not valid JSON: %.160s (line %d, column %d)", jerr.text, jerr.line,
			 jerr.column);
		return;
	}
	pol->json = pj;
	if (!json_is_object(pj)) {
		load_err(c, "$", "a policy is one JSON object: {\"name\": ..., ...}",
			 "must be an object, not %s", json_type_word(pj));
		return;
	}
	check_keys(c, "$", pj, keys);
	x = json_object_get(pj, "name");
	if (x == NULL)
		load_err(c, "$.name", "e.g. \"name\": \"branch-staff\"", "a policy needs a name");
	else if (!json_is_string(x) || !name_valid(json_string_value(x)))
		load_err(c, "$.name", "1 to 64 of a-z, 0-9 and -, e.g. \"branch-staff\"",
			 "is not a valid policy name");
	else
		pol->name = json_string_value(x);
	if ((x = json_object_get(pj, "title")) != NULL)
		pol->title = load_string(c, "$.title", x, LOAD_MAX_TITLE);
	else if (pol->name)
		json_object_set_new(pj, "title", json_string(pol->name));
	if (pol->title == NULL && pol->name)
		pol->title = json_string_value(json_object_get(pj, "title"));
	if ((x = json_object_get(pj, "audience")) != NULL)
		load_sel(c, "$.audience", x, 0, &pol->audience);
	else
		json_object_set_new(pj, "audience", json_object());
	if ((x = json_object_get(pj, "visibility")) != NULL)
		load_visibility(c, x, pol);
	load_dress(c, pj, pol);
	load_kits(c, pj);
	load_limits(c, pj, pol);
	load_elig(c, pj, pol);
	load_prices(c, pj, pol);
	if (pol->title == NULL)
		pol->title = pol->name ? pol->name : "";
}

/* ---- the set ---- */

static void set_free(struct policy_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		policy_cleanup(&set->v[i]);
	lv_free(set->v);
	lv_free(set);
}

int policy_set_load(const struct policy_source *src, size_t n, struct policy_set **out,
		    struct policy_errors *errs)
{
	struct policy_set *set;
	struct load_ctx c;
	size_t i, j, start = errs->n;
	int rc = LV_OK;

	*out = NULL;
	set = lv_calloc(1, sizeof(*set));
	atomic_init(&set->refs, 1);
	set->v = lv_calloc(n ? n : 1, sizeof(*set->v));
	for (i = 0; i < n; i++) {
		c.origin = src[i].origin;
		c.errs = errs;
		policy_load_one(&c, &src[i], &set->v[set->n++]);
		if (set->v[i].name == NULL)
			continue;
		for (j = 0; j < i; j++) {
			if (set->v[j].name && strcmp(set->v[j].name, set->v[i].name) == 0) {
				load_err(&c, "$.name", "names must be unique in the set",
					 "the name \"%s\" is also used by %.100s", set->v[i].name,
					 src[j].origin ? src[j].origin : "another policy");
				break;
			}
		}
	}
	if (errs->n > start) {
		set_free(set);
		rc = LV_EINVAL;
		goto out;
	}
	*out = set;
out:
	return rc;
}

struct policy_set *policy_set_empty(void)
{
	struct policy_set *set = lv_calloc(1, sizeof(*set));

	atomic_init(&set->refs, 1);
	return set;
}

struct policy_set *policy_set_ref(struct policy_set *set)
{
	if (set)
		atomic_fetch_add(&set->refs, 1);
	return set;
}

void policy_set_unref(struct policy_set *set)
{
	if (set == NULL || atomic_fetch_sub(&set->refs, 1) != 1)
		return;
	set_free(set);
}

size_t policy_set_count(const struct policy_set *set)
{
	return set ? set->n : 0;
}

const json_t *policy_set_policy(const struct policy_set *set, size_t i)
{
	if (set == NULL || i >= set->n)
		return NULL;
	return set->v[i].json;
}
