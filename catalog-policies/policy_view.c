/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_view.c - decisions for one employee: the policies whose audience
 * selects them, and the answers of policy.h (visibility, variants,
 * eligibility, limits over an order and past orders, price, kits),
 * combined exactly as policy.h's header comment says. Each decision lists
 * the rules that made it, failing ones only when it refuses.
 *
 * The view precomputes hash sets of the allowed and denied product slugs,
 * categories and tags of its policies, so policy_view_product_visible()
 * without a decision costs a few hash look-ups per product whatever the
 * number of policies.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "policy_int.h"

/* ---- a set of borrowed strings (open addressing, FNV-1a) ---- */

struct strset {
	const char **slots;
	size_t mask; /* slots - 1; no slots when 0 and slots NULL */
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void strset_init(struct strset *h, size_t count)
{
	size_t cap = 8;

	h->slots = NULL;
	h->mask = 0;
	if (count == 0)
		return;
	while (cap < count * 2)
		cap *= 2;
	h->slots = lv_calloc(cap, sizeof(*h->slots));
	h->mask = cap - 1;
}

static void strset_add(struct strset *h, const char *s)
{
	size_t i = (size_t)str_hash(s) & h->mask;

	while (h->slots[i]) {
		if (strcmp(h->slots[i], s) == 0)
			return;
		i = (i + 1) & h->mask;
	}
	h->slots[i] = s;
}

static int strset_has(const struct strset *h, const char *s)
{
	size_t i;

	if (h->slots == NULL || s == NULL)
		return 0;
	i = (size_t)str_hash(s) & h->mask;
	while (h->slots[i]) {
		if (strcmp(h->slots[i], s) == 0)
			return 1;
		i = (i + 1) & h->mask;
	}
	return 0;
}

/* ---- the view ---- */

struct policy_view {
	struct policy_set *set;
	const struct pol_policy **v;
	size_t n;
	struct strset allow[4], deny[4]; /* by enum pol_kind */
	int has_allow;
	char *employment_type;
	int64_t hire_day, today;
};

int policy_view_new(struct policy_set *set, const struct policy_subject *s,
		    struct policy_view **out)
{
	struct policy_view *v = lv_calloc(1, sizeof(*v));
	size_t i, k, j, na[4] = { 0 }, nd[4] = { 0 };

	v->set = policy_set_ref(set);
	v->v = lv_calloc(set->n ? set->n : 1, sizeof(*v->v));
	v->employment_type = s->employment_type ? lv_strdup(s->employment_type) : NULL;
	v->hire_day = s->hire_day;
	v->today = s->today;
	for (i = 0; i < set->n; i++) {
		const struct pol_policy *pol = &set->v[i];

		if (!pol_sel_match(&pol->audience, s))
			continue;
		v->v[v->n++] = pol;
		v->has_allow |= pol->has_allow;
		for (k = 1; k < 4; k++) {
			na[k] += pol->allow[k].n;
			nd[k] += pol->deny[k].n;
		}
	}
	for (k = 1; k < 4; k++) {
		strset_init(&v->allow[k], na[k]);
		strset_init(&v->deny[k], nd[k]);
		for (i = 0; i < v->n; i++) {
			for (j = 0; j < v->v[i]->allow[k].n; j++)
				strset_add(&v->allow[k], v->v[i]->allow[k].v[j]);
			for (j = 0; j < v->v[i]->deny[k].n; j++)
				strset_add(&v->deny[k], v->v[i]->deny[k].v[j]);
		}
	}
	*out = v;
	return LV_OK;
}

void policy_view_free(struct policy_view *v)
{
	size_t k;

	if (v == NULL)
		return;
	for (k = 0; k < 4; k++) {
		lv_free(v->allow[k].slots);
		lv_free(v->deny[k].slots);
	}
	lv_free(v->employment_type);
	lv_free(v->v);
	policy_set_unref(v->set);
	lv_free(v);
}

size_t policy_view_count(const struct policy_view *v)
{
	return v->n;
}

const char *policy_view_name(const struct policy_view *v, size_t i)
{
	return i < v->n ? v->v[i]->name : NULL;
}

/* ---- decisions and reasons ---- */

static void decision_init(struct policy_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->code = POLICY_OK;
	d->next_day = -1;
	d->days = -1;
}

static void reason_add(struct policy_decision *d, const struct pol_policy *pol,
		       const char *rule, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void reason_add(struct policy_decision *d, const struct pol_policy *pol,
		       const char *rule, const char *fmt, ...)
{
	struct policy_reason *r;
	va_list ap;

	if (d->nreasons >= POLICY_MAX_REASONS)
		return;
	r = &d->reasons[d->nreasons++];
	lv_strlcpy(r->policy, pol ? pol->name : "", sizeof(r->policy));
	lv_strlcpy(r->rule, rule ? rule : "", sizeof(r->rule));
	va_start(ap, fmt);
	if (vsnprintf(r->text, sizeof(r->text), fmt, ap) < 0)
		r->text[0] = '\0';
	va_end(ap);
}

/* Does t target the product (slug, category, tags)? */
static int target_hits(const struct pol_target *t, const char *slug, const char *category,
		       const char *const *tags, size_t ntags)
{
	size_t i;

	if (t->names.n == 0)
		return 0;
	switch (t->kind) {
	case POL_PRODUCT:
		return slug && pol_strs_has(&t->names, slug);
	case POL_CATEGORY:
		return category && strcmp(category, t->names.v[0]) == 0;
	case POL_TAG:
		for (i = 0; i < ntags; i++)
			if (tags[i] && strcmp(tags[i], t->names.v[0]) == 0)
				return 1;
		return 0;
	}
	return 0;
}

static int target_hits_product(const struct pol_target *t, const struct policy_product *p)
{
	return target_hits(t, p->slug, p->category, p->tags, p->ntags);
}

static void strs_words(const struct pol_strs *s, const char *last, char *out, size_t len);

/* The words for what t targets: "navy-blazer", "uniforms", "products tagged logo". */
static void target_words(const struct pol_target *t, char *out, size_t len)
{
	size_t i, used;

	out[0] = '\0';
	if (t->names.n == 0)
		return;
	if (t->kind == POL_TAG) {
		lv_snprintf(out, len, "products tagged %s", t->names.v[0]);
		return;
	}
	if (t->kind == POL_CATEGORY) {
		lv_snprintf(out, len, "the %s category", t->names.v[0]);
		return;
	}
	for (i = 0; i < t->names.n; i++) {
		used = strlen(out);
		if (used + 1 >= len)
			break;
		lv_snprintf(out + used, len - used, "%s%s",
			    i == 0 ? "" : (i + 1 == t->names.n ? " and " : ", "), t->names.v[i]);
	}
}

/* The rule's target in no language: kind ("product", "category", "tag") and names ", "-joined. */
static void target_fill(const struct pol_target *t, char *kind, size_t kindlen, char *names,
			size_t nameslen)
{
	lv_strlcpy(kind, t->kind == POL_TAG ? "tag" : t->kind == POL_CATEGORY ? "category" : "product",
		   kindlen);
	strs_words(&t->names, ", ", names, nameslen);
}

/* "a, b or c" from a list, into out. */
static void strs_words(const struct pol_strs *s, const char *last, char *out, size_t len)
{
	size_t i, used;

	out[0] = '\0';
	for (i = 0; i < s->n; i++) {
		used = strlen(out);
		if (used + 1 >= len)
			break;
		lv_snprintf(out + used, len - used, "%s%s",
			    i == 0 ? "" : (i + 1 == s->n ? last : ", "), s->v[i]);
	}
}

/* ---- visibility ---- */

static int tags_in(const struct strset *h, const struct policy_product *p)
{
	size_t i;

	if (h->slots == NULL)
		return 0;
	for (i = 0; i < p->ntags; i++)
		if (strset_has(h, p->tags[i]))
			return 1;
	return 0;
}

static int vis_fast(const struct policy_view *v, const struct policy_product *p)
{
	if (strset_has(&v->deny[POL_PRODUCT], p->slug) ||
	    strset_has(&v->deny[POL_CATEGORY], p->category) || tags_in(&v->deny[POL_TAG], p))
		return 0;
	if (!v->has_allow && !p->restricted)
		return 1;
	return strset_has(&v->allow[POL_PRODUCT], p->slug) ||
	       strset_has(&v->allow[POL_CATEGORY], p->category) || tags_in(&v->allow[POL_TAG], p);
}

static const char *const kind_list[4] = { "", "tags", "categories", "products" };

/*
 * Adds a reason for each entry of lists (allow or deny of pol) that names
 * p. Returns how many matched.
 */
static int vis_explain_lists(const struct pol_policy *pol, const struct pol_strs *lists,
			     const char *which, const struct policy_product *p,
			     struct policy_decision *d)
{
	char rule[128];
	const char *verb = strcmp(which, "deny") == 0 ? "hides" : "shows";
	size_t k, i, t;
	int hits = 0;

	for (k = 1; k < 4; k++) {
		for (i = 0; i < lists[k].n; i++) {
			const char *x = lists[k].v[i];
			int hit = 0;

			if (k == POL_PRODUCT)
				hit = p->slug && strcmp(p->slug, x) == 0;
			else if (k == POL_CATEGORY)
				hit = p->category && strcmp(p->category, x) == 0;
			else
				for (t = 0; t < p->ntags; t++)
					hit |= p->tags[t] && strcmp(p->tags[t], x) == 0;
			if (!hit)
				continue;
			hits++;
			lv_snprintf(rule, sizeof(rule), "$.visibility.%s.%s[%zu]", which,
				    kind_list[k], i);
			if (k == POL_PRODUCT)
				reason_add(d, pol, rule, "%s %s %s.", pol->title, verb, x);
			else if (k == POL_CATEGORY)
				reason_add(d, pol, rule, "%s %s the %s category.", pol->title, verb, x);
			else
				reason_add(d, pol, rule, "%s %s products tagged %s.", pol->title, verb,
					   x);
		}
	}
	return hits;
}

static int vis_explain(const struct policy_view *v, const struct policy_product *p,
		       struct policy_decision *d)
{
	struct policy_decision ok;
	size_t i;
	int denied = 0, admitted = 0;

	decision_init(&ok);
	for (i = 0; i < v->n; i++)
		denied += vis_explain_lists(v->v[i], v->v[i]->deny, "deny", p, d);
	if (denied) {
		d->code = POLICY_HIDDEN;
		return 0;
	}
	for (i = 0; i < v->n; i++)
		admitted += vis_explain_lists(v->v[i], v->v[i]->allow, "allow", p, &ok);
	if (admitted || (!v->has_allow && !p->restricted)) {
		memcpy(d->reasons, ok.reasons, sizeof(ok.reasons));
		d->nreasons = ok.nreasons;
		return 1;
	}
	d->code = POLICY_HIDDEN;
	if (p->restricted)
		reason_add(d, NULL, "", "%s is restricted, and no policy that applies to you admits it.",
			   p->slug);
	for (i = 0; i < v->n; i++)
		if (v->v[i]->has_allow)
			reason_add(d, v->v[i], "$.visibility.allow",
				   "%s shows only what it lists, and %s is not among it.",
				   v->v[i]->title, p->slug);
	return 0;
}

int policy_view_product_visible(const struct policy_view *v, const struct policy_product *p,
				struct policy_decision *d)
{
	if (d == NULL)
		return vis_fast(v, p);
	decision_init(d);
	return vis_explain(v, p, d);
}

/* ---- eligibility ---- */

/* Returns 1 when every applicable eligibility rule for p passes. */
static int elig_check(const struct policy_view *v, const struct policy_product *p,
		      struct policy_decision *d)
{
	struct policy_decision ok, bad;
	char rule[128], what[128], date[11], types[160];
	int64_t next = -1, days = -1;
	size_t i, j;
	int never = 0, hire_unknown = 0;

	decision_init(&ok);
	decision_init(&bad);
	for (i = 0; i < v->n; i++) {
		const struct pol_policy *pol = v->v[i];

		for (j = 0; j < pol->nelig; j++) {
			const struct pol_elig *e = &pol->elig[j];

			if (!target_hits_product(&e->t, p))
				continue;
			lv_snprintf(rule, sizeof(rule), "$.eligibility[%zu]", j);
			target_words(&e->t, what, sizeof(what));
			if (e->types.present) {
				strs_words(&e->types, " or ", types, sizeof(types));
				if (v->employment_type == NULL ||
				    !pol_strs_has_ci(&e->types, v->employment_type)) {
					never = 1;
					if (bad.types[0] == '\0')
						strs_words(&e->types, ", ", bad.types,
							   sizeof(bad.types));
					reason_add(&bad, pol, rule,
						   "%s: %s are only for employment type %s.",
						   pol->title, what, types);
				} else {
					reason_add(&ok, pol, rule,
						   "%s: %s are for employment type %s.", pol->title,
						   what, types);
				}
			}
			if (e->min_days < 0)
				continue;
			if (v->hire_day < 0) {
				never = 1;
				hire_unknown = 1;
				if (e->min_days > days)
					days = e->min_days;
				reason_add(&bad, pol, rule,
					   "%s: %s need %lld days of service, and your hire date is unknown.",
					   pol->title, what, (long long)e->min_days);
			} else if (v->today - v->hire_day < e->min_days) {
				if (v->hire_day + e->min_days > next)
					next = v->hire_day + e->min_days;
				if (e->min_days > days)
					days = e->min_days;
				policy_day_format(v->hire_day + e->min_days, date);
				reason_add(&bad, pol, rule,
					   "%s: %s become available after %lld days of service, on %s.",
					   pol->title, what, (long long)e->min_days, date);
			} else {
				reason_add(&ok, pol, rule,
					   "%s: %s need %lld days of service; you have %lld.",
					   pol->title, what, (long long)e->min_days,
					   (long long)(v->today - v->hire_day));
			}
		}
	}
	if (bad.nreasons) {
		d->code = POLICY_NOT_ELIGIBLE;
		d->next_day = never ? -1 : next;
		d->days = days;
		d->hire_unknown = hire_unknown;
		lv_strlcpy(d->types, bad.types, sizeof(d->types));
		memcpy(d->reasons, bad.reasons, sizeof(bad.reasons));
		d->nreasons = bad.nreasons;
		return 0;
	}
	for (i = 0; i < ok.nreasons && d->nreasons < POLICY_MAX_REASONS; i++)
		d->reasons[d->nreasons++] = ok.reasons[i];
	return 1;
}

/* ---- dress code ---- */

/* A variant value passes a list when the list is absent or the value is "" or listed. */
static int dress_value_ok(const struct pol_strs *list, const char *value)
{
	if (!list->present || value == NULL || value[0] == '\0')
		return 1;
	return pol_strs_has_ci(list, value);
}

static void dress_text(const struct pol_policy *pol, const struct pol_dress *r,
		       const struct policy_product *p, char *out, size_t len)
{
	char c[100] = "", f[100] = "", s[100] = "", l[100] = "";

	if (r->note) {
		lv_strlcpy(out, r->note, len);
		return;
	}
	if (r->colours.present)
		strs_words(&r->colours, " or ", c, sizeof(c));
	if (r->fits.present)
		strs_words(&r->fits, " or ", f, sizeof(f));
	if (r->sizes.present)
		strs_words(&r->sizes, " or ", s, sizeof(s));
	if (r->logos.present)
		strs_words(&r->logos, " or ", l, sizeof(l));
	lv_snprintf(out, len, "%s: %s may be ordered%s%s%s%s%s%s%s%s%s.", pol->title, p->slug,
		    c[0] ? " in " : "", c, f[0] ? ", fit " : "", f, s[0] ? ", size " : "", s,
		    l[0] ? ", logo " : "", l,
		    c[0] || f[0] || s[0] || l[0] ? " only" : " in any variant");
}

/* Adds a refusing rule to bad; the first one's note and lists are the refusal's. */
static void dress_refusal(struct policy_decision *bad, const struct pol_policy *pol,
			  const char *rule, const struct pol_dress *r, const char *text)
{
	if (bad->nreasons == 0) {
		if (r->note)
			lv_strlcpy(bad->note, r->note, sizeof(bad->note));
		strs_words(&r->colours, ", ", bad->colours, sizeof(bad->colours));
		strs_words(&r->fits, ", ", bad->fits, sizeof(bad->fits));
		strs_words(&r->sizes, ", ", bad->sizes, sizeof(bad->sizes));
		strs_words(&r->logos, ", ", bad->logos, sizeof(bad->logos));
	}
	reason_add(bad, pol, rule, "%s", text);
}

/* Returns 1 when x is approved by the most specific applicable dress-code rules. */
static int dress_check(const struct policy_view *v, const struct policy_product *p,
		       const struct policy_variant *x, struct policy_decision *d)
{
	struct policy_decision ok, bad;
	char rule[128], text[256];
	enum pol_kind best = 0;
	size_t i, j;

	for (i = 0; i < v->n; i++)
		for (j = 0; j < v->v[i]->ndress; j++)
			if (v->v[i]->dress[j].t.kind > best &&
			    target_hits_product(&v->v[i]->dress[j].t, p))
				best = v->v[i]->dress[j].t.kind;
	if (best == 0)
		return 1;
	decision_init(&ok);
	decision_init(&bad);
	for (i = 0; i < v->n; i++) {
		const struct pol_policy *pol = v->v[i];

		for (j = 0; j < pol->ndress; j++) {
			const struct pol_dress *r = &pol->dress[j];

			if (r->t.kind != best || !target_hits_product(&r->t, p))
				continue;
			lv_snprintf(rule, sizeof(rule), "$.dress_code[%zu]", j);
			dress_text(pol, r, p, text, sizeof(text));
			if (dress_value_ok(&r->colours, x->colour) &&
			    dress_value_ok(&r->fits, x->fit) && dress_value_ok(&r->sizes, x->size) &&
			    dress_value_ok(&r->logos, x->logo))
				reason_add(&ok, pol, rule, "%s", text);
			else
				dress_refusal(&bad, pol, rule, r, text);
		}
	}
	if (bad.nreasons) {
		d->code = POLICY_NOT_APPROVED;
		lv_strlcpy(d->note, bad.note, sizeof(d->note));
		lv_strlcpy(d->colours, bad.colours, sizeof(d->colours));
		lv_strlcpy(d->fits, bad.fits, sizeof(d->fits));
		lv_strlcpy(d->logos, bad.logos, sizeof(d->logos));
		lv_strlcpy(d->sizes, bad.sizes, sizeof(d->sizes));
		memcpy(d->reasons, bad.reasons, sizeof(bad.reasons));
		d->nreasons = bad.nreasons;
		return 0;
	}
	for (i = 0; i < ok.nreasons && d->nreasons < POLICY_MAX_REASONS; i++)
		d->reasons[d->nreasons++] = ok.reasons[i];
	return 1;
}

int policy_view_dress_code(const struct policy_view *v, const struct policy_product *p,
			   struct policy_decision *d)
{
	enum pol_kind best = 0;
	char rule[128], text[256];
	size_t i, j;

	decision_init(d);
	for (i = 0; i < v->n; i++)
		for (j = 0; j < v->v[i]->ndress; j++)
			if (v->v[i]->dress[j].t.kind > best &&
			    target_hits_product(&v->v[i]->dress[j].t, p))
				best = v->v[i]->dress[j].t.kind;
	for (i = 0; best != 0 && i < v->n && d->nreasons == 0; i++) {
		const struct pol_policy *pol = v->v[i];

		for (j = 0; j < pol->ndress && d->nreasons == 0; j++) {
			const struct pol_dress *r = &pol->dress[j];

			if (r->t.kind != best || !target_hits_product(&r->t, p))
				continue;
			if (r->note == NULL && !r->colours.present && !r->fits.present &&
			    !r->sizes.present && !r->logos.present)
				continue; /* admits any variant and says nothing */
			lv_snprintf(rule, sizeof(rule), "$.dress_code[%zu]", j);
			dress_text(pol, r, p, text, sizeof(text));
			dress_refusal(d, pol, rule, r, text);
		}
	}
	if (d->nreasons == 0)
		return 0;
	d->code = POLICY_NOT_APPROVED;
	return 1;
}

/* Visible, eligible and (when x is given) approved; d is filled. */
static int line_allowed(const struct policy_view *v, const struct policy_product *p,
			const struct policy_variant *x, struct policy_decision *d)
{
	decision_init(d);
	if (!vis_explain(v, p, d))
		return 0;
	if (!elig_check(v, p, d))
		return 0;
	if (x && !dress_check(v, p, x, d))
		return 0;
	return 1;
}

int policy_view_variant_allowed(const struct policy_view *v, const struct policy_product *p,
				const struct policy_variant *x, struct policy_decision *d)
{
	struct policy_decision local;

	return line_allowed(v, p, x, d ? d : &local);
}

/* ---- limits ---- */

static const char *const per_names[] = { "order", "month", "year", "rolling_365", "hire_year" };
static const char *const per_phrases[] = { "per order", "per month", "per year",
					   "in any 365 days", "per year of service" };

struct day_qty {
	int64_t day, qty;
};

static int day_qty_cmp(const void *a, const void *b)
{
	const struct day_qty *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

/* The window of l on today: the first day counted and the next boundary. */
static void limit_window(const struct policy_view *v, const struct pol_limit *l, int64_t *start,
			 int64_t *boundary, int *no_hire)
{
	int64_t y, a;
	int m, dd;

	*no_hire = 0;
	pol_day_to_civil(v->today, &y, &m, &dd);
	/* the calendar year: PER_YEAR, and PER_HIRE_YEAR without a hire date */
	*start = pol_day_from_civil(y, 1, 1);
	*boundary = pol_day_next_year(v->today);
	if (l->per == PER_ORDER) {
		*start = INT64_MAX;
		*boundary = -1;
	} else if (l->per == PER_MONTH) {
		*start = pol_day_from_civil(y, m, 1);
		*boundary = pol_day_next_month(v->today);
	} else if (l->per == PER_ROLLING_365) {
		*start = v->today - 364;
		*boundary = -1;
	} else if (l->per == PER_HIRE_YEAR && v->hire_day < 0) {
		*no_hire = 1;
	} else if (l->per == PER_HIRE_YEAR) {
		a = pol_day_anniversary(v->hire_day, y);
		if (a > v->today)
			a = pol_day_anniversary(v->hire_day, --y);
		*start = a;
		*boundary = pol_day_anniversary(v->hire_day, y + 1);
	}
}

struct limit_state {
	int64_t used, qty, next;
	int no_hire;
};

/*
 * Counts l over the order's lines and past: used (past in the window),
 * qty (this order), and next (the first day the order would fit, or -1).
 */
static void limit_count(const struct policy_view *v, const struct pol_limit *l,
			const struct policy_line *lines, size_t n,
			const struct policy_past_line *past, size_t npast, struct limit_state *st)
{
	struct day_qty *dq = NULL;
	int64_t start, boundary, left;
	size_t i, ndq = 0;

	memset(st, 0, sizeof(*st));
	st->next = -1;
	for (i = 0; i < n; i++)
		if (lines[i].product && lines[i].quantity > 0 &&
		    target_hits_product(&l->t, lines[i].product))
			st->qty += lines[i].quantity;
	limit_window(v, l, &start, &boundary, &st->no_hire);
	if (l->per != PER_ORDER && npast)
		dq = lv_calloc(npast, sizeof(*dq));
	for (i = 0; l->per != PER_ORDER && i < npast; i++) {
		if (past[i].quantity <= 0 || past[i].day < start ||
		    !target_hits(&l->t, past[i].product, past[i].category, past[i].tags,
				 past[i].ntags))
			continue;
		st->used += past[i].quantity;
		dq[ndq].day = past[i].day;
		dq[ndq++].qty = past[i].quantity;
	}
	if (st->used + st->qty <= l->max || st->qty > l->max)
		goto out;
	if (l->per != PER_ROLLING_365) {
		st->next = boundary;
		goto out;
	}
	qsort(dq, ndq, sizeof(*dq), day_qty_cmp);
	left = st->used;
	for (i = 0; i < ndq; i++) {
		left -= dq[i].qty;
		if (left + st->qty <= l->max) {
			st->next = dq[i].day + 365;
			break;
		}
	}
out:
	lv_free(dq);
}

static void limit_text(const struct pol_policy *pol,
		       const struct pol_limit *l, const struct limit_state *st, char *out,
		       size_t len)
{
	char what[128], date[11], tail[160] = "";
	const char *fallback = st->no_hire ? " (your hire date is unknown, so the calendar year counts)" : "";

	if (l->label)
		lv_strlcpy(what, l->label, sizeof(what));
	else
		target_words(&l->t, what, sizeof(what));
	if (st->used + st->qty <= l->max) {
		lv_snprintf(out, len, "%s: you have ordered %lld of %lld %s allowed %s%s; this order adds %lld.",
			    pol->title, (long long)st->used, (long long)l->max, what,
			    per_phrases[l->per], fallback, (long long)st->qty);
		return;
	}
	if (l->per == PER_ORDER) {
		lv_snprintf(out, len, "%s: at most %lld %s per order; this order has %lld.",
			    pol->title, (long long)l->max, what, (long long)st->qty);
		return;
	}
	if (st->next >= 0) {
		policy_day_format(st->next, date);
		lv_snprintf(tail, sizeof(tail), "; the next one becomes available on %s", date);
	} else {
		lv_snprintf(tail, sizeof(tail), "; this order alone has %lld", (long long)st->qty);
	}
	lv_snprintf(out, len, "You have ordered %lld of %lld %s allowed %s%s%s.",
		    (long long)st->used, (long long)l->max, what, per_phrases[l->per], fallback,
		    tail);
}

/* Does a limit reopening on day na bind longer than one reopening on nb? -1 = never. */
static int limit_tighter(int64_t na, int64_t nb)
{
	if (na == nb)
		return 0;
	if (na < 0)
		return 1;
	return nb >= 0 && na > nb;
}

static void limit_fill(struct policy_decision *d, const struct pol_limit *l,
		       const struct limit_state *st)
{
	if (l->label)
		lv_strlcpy(d->what, l->label, sizeof(d->what));
	else
		target_words(&l->t, d->what, sizeof(d->what));
	d->limit = l->max;
	d->used = st->used;
	lv_strlcpy(d->per, per_names[l->per], sizeof(d->per));
	d->next_day = st->next;
	lv_strlcpy(d->label, l->label ? l->label : "", sizeof(d->label));
	target_fill(&l->t, d->target_kind, sizeof(d->target_kind), d->target, sizeof(d->target));
	d->ordering = st->qty;
	d->hire_unknown = st->no_hire;
}

int policy_view_order_check(const struct policy_view *v, const struct policy_line *lines,
			    size_t n, const struct policy_past_line *past, size_t npast,
			    struct policy_decision *per_line)
{
	struct limit_state st;
	char rule[128], text[256];
	int64_t *room = NULL;
	size_t i, j, k;
	int all = 1, over;

	room = lv_calloc(n ? n : 1, sizeof(*room));
	for (k = 0; k < n; k++) {
		room[k] = INT64_MAX;
		if (lines[k].product == NULL) {
			decision_init(&per_line[k]);
			per_line[k].code = POLICY_HIDDEN;
			continue;
		}
		line_allowed(v, lines[k].product, lines[k].variant, &per_line[k]);
	}
	for (i = 0; i < v->n; i++) {
		const struct pol_policy *pol = v->v[i];

		for (j = 0; j < pol->nlimits; j++) {
			const struct pol_limit *l = &pol->limits[j];

			limit_count(v, l, lines, n, past, npast, &st);
			if (st.qty == 0)
				continue;
			over = st.used + st.qty > l->max;
			lv_snprintf(rule, sizeof(rule), "$.limits[%zu]", j);
			limit_text(pol, l, &st, text, sizeof(text));
			for (k = 0; k < n; k++) {
				struct policy_decision *d = &per_line[k];

				if (lines[k].product == NULL || lines[k].quantity <= 0 ||
				    !target_hits_product(&l->t, lines[k].product))
					continue;
				if (d->code != POLICY_OK && d->code != POLICY_LIMIT)
					continue;
				if (over && d->code == POLICY_OK) {
					d->code = POLICY_LIMIT;
					d->nreasons = 0;
					limit_fill(d, l, &st);
				} else if (over && limit_tighter(st.next, d->next_day)) {
					limit_fill(d, l, &st);
				} else if (!over && d->code == POLICY_OK &&
					   l->max - st.used - st.qty < room[k]) {
					room[k] = l->max - st.used - st.qty;
					limit_fill(d, l, &st);
				}
				if (over || d->code == POLICY_OK)
					reason_add(d, pol, rule, "%s", text);
			}
		}
	}
	for (k = 0; k < n; k++)
		if (per_line[k].code != POLICY_OK)
			all = 0;
	lv_free(room);
	return all;
}

/* ---- price ---- */

void policy_view_price(const struct policy_view *v, const struct policy_product *p,
		       const struct policy_variant *x, struct policy_price *out,
		       struct policy_decision *d)
{
	const struct pol_policy *bp = NULL, *bc = NULL;
	size_t i, j, bpj = 0, bcj = 0;
	int64_t price = -1;
	int pct = -1;
	char rule[128], what[128], amount[32];

	for (i = 0; i < v->n; i++) {
		const struct pol_policy *pol = v->v[i];

		for (j = 0; j < pol->nprices; j++) {
			const struct pol_price *r = &pol->prices[j];

			if (!target_hits_product(&r->t, p))
				continue;
			if (r->price_minor >= 0 && (price < 0 || r->price_minor < price)) {
				price = r->price_minor;
				bp = pol;
				bpj = j;
			}
			if (r->percent > pct) {
				pct = r->percent;
				bc = pol;
				bcj = j;
			}
		}
	}
	out->unit_price = price >= 0 ? price : x->price;
	out->company_percent = pct >= 0 ? pct : 100;
	if (d == NULL)
		return;
	decision_init(d);
	if (bp) {
		lv_snprintf(rule, sizeof(rule), "$.price[%zu]", bpj);
		target_words(&bp->prices[bpj].t, what, sizeof(what));
		lv_snprintf(amount, sizeof(amount), "%lld.%02lld", (long long)(price / 100),
			    (long long)(price % 100));
		reason_add(d, bp, rule, "%s: %s cost %s.", bp->title, what, amount);
	}
	if (bc) {
		lv_snprintf(rule, sizeof(rule), "$.price[%zu]", bcj);
		target_words(&bc->prices[bcj].t, what, sizeof(what));
		reason_add(d, bc, rule, "%s: your allowance may pay %d%% of %s.", bc->title, pct,
			   what);
	}
}

/* ---- kits ---- */

json_t *policy_view_kits(const struct policy_view *v)
{
	json_t *out = json_array(), *kits, *k, *items, *it, *o, *io, *x;
	size_t i, j, m;

	for (i = 0; i < v->n; i++) {
		kits = json_object_get(v->v[i]->json, "kits");
		json_array_foreach(kits, j, k) {
			o = json_object();
			json_object_set_new(o, "policy", json_string(v->v[i]->name));
			json_object_set(o, "name", json_object_get(k, "name"));
			json_object_set_new(o, "mandatory",
					    json_boolean(json_is_true(json_object_get(k, "mandatory"))));
			items = json_array();
			json_array_foreach(json_object_get(k, "items"), m, it) {
				io = json_object();
				json_object_set(io, "product", json_object_get(it, "product"));
				if ((x = json_object_get(it, "sku")) != NULL)
					json_object_set(io, "sku", x);
				x = json_object_get(it, "quantity");
				json_object_set_new(io, "quantity",
						    json_integer(x ? json_integer_value(x) : 1));
				json_array_append_new(items, io);
			}
			json_object_set_new(o, "items", items);
			json_array_append_new(out, o);
		}
	}
	return out;
}
