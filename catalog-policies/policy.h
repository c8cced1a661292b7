/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy.h - HR's catalog policies: who may see and order what.
 *
 * A self-contained module (lv_policy): it knows JSON (jansson) and the
 * helpers of common/, and nothing of HTTP, SQLite or the store. The store
 * hands it the policies' texts, an employee (struct policy_subject), the
 * products and variants in question and the employee's earlier orders; it
 * answers decisions, each with the rules that made it, in plain words and
 * as structured data the store can translate. README.md documents the
 * policy format with examples; policy.schema.json describes it.
 *
 * Life cycle: policy_set_load() validates and compiles every policy of a
 * set, all or nothing (a broken policy never replaces a working set); the
 * set is immutable and reference counted, so a server can swap in a new
 * one while requests still use the old. policy_view_new() selects, once
 * per request, the policies whose audience selects one employee and
 * prepares them for fast per-product questions.
 *
 * How several policies combine (defined once, here and in README.md):
 *   - visibility: a product is visible when no applicable policy denies it
 *     (by product, category or tag) and, if any applicable policy has an
 *     allow list, some applicable allow list admits it; a product marked
 *     restricted is visible only when an applicable allow list names it,
 *     its category or one of its tags. Deny beats allow.
 *   - dress code: among the applicable rules that target the product, the
 *     most specific wins (product over category over tag); rules of equal
 *     specificity from several policies all apply (their approved values
 *     intersect). A variant is approved when its colour, fit, size and logo
 *     are in every list the winning rules give (an absent list allows all).
 *   - eligibility: every applicable rule matching the product must pass
 *     (days of service, employment type).
 *   - limits: every applicable limit matching the line applies (the
 *     tightest decides); quantities count the employee's orders that were
 *     not cancelled or returned, plus the order being checked.
 *   - price: the lowest applicable special price replaces the list price;
 *     the highest applicable subsidy (percent the allowances may pay) wins;
 *     without a price rule the allowances may pay 100%.
 *   - kits: every applicable policy's kits are offered.
 */
#ifndef LV_POLICY_H
#define LV_POLICY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* ---- loading ---- */

/* One policy's text and where it came from (a file name, or its name in the store). */
struct policy_source {
	const char *origin;
	const char *text;
	size_t len;
};

/* A validation error: which source, where in it (a JSON path such as
 * "$.limits[2].per"), what is wrong, and what to write instead. */
struct policy_error {
	char origin[128];
	char path[128];
	char message[256];
	char hint[256];
};

struct policy_errors {
	struct policy_error *v; /* lv_malloc'd array, n entries */
	size_t n;
};

void policy_errors_init(struct policy_errors *e);
void policy_errors_cleanup(struct policy_errors *e);

struct policy_set;

/*
 * Parses, validates and compiles n sources (each one policy object, see
 * README.md) into a new set. Every error of every source is reported (not
 * only the first), with its path and a hint; names must be unique across
 * the set. OUT: *out (reference count 1; NULL on error). Returns LV_OK, or
 * LV_EINVAL with errs filled (nothing is returned then: all or nothing).
 */
int policy_set_load(const struct policy_source *src, size_t n, struct policy_set **out,
		    struct policy_errors *errs);

/* An empty set: everything not restricted is visible and orderable. */
struct policy_set *policy_set_empty(void);

/* Reference counting (thread-safe). unref frees at zero; NULL is fine. */
struct policy_set *policy_set_ref(struct policy_set *set);
void policy_set_unref(struct policy_set *set);

/* The number of policies, and policy i as the normalised JSON (borrowed). */
size_t policy_set_count(const struct policy_set *set);
const json_t *policy_set_policy(const struct policy_set *set, size_t i);

/* ---- what decisions are about ---- */

/* The employee. Strings may be NULL (unknown: a selector on it does not match). */
struct policy_subject {
	const char *employee_id;
	const char *department;
	const char *cost_center;
	const char *site;
	const char *job_title;
	const char *employment_type;
	const char *const *groups;
	size_t ngroups;
	int64_t hire_day; /* days since 1970-01-01 (local date), or -1 when unknown */
	int64_t today;    /* days since 1970-01-01 (local date) */
};

/* A product as decisions need it. */
struct policy_product {
	const char *slug;
	const char *category; /* category slug */
	const char *const *tags;
	size_t ntags;
	int restricted;
};

/* A variant (size, colour, fit, logo as the catalog has them; "" or NULL when none). */
struct policy_variant {
	const char *sku;
	const char *size;
	const char *colour;
	const char *fit;
	int64_t price;    /* list price, minor units */
	const char *logo; /* how the logo is applied ("Embroidered"); last, so older
			   * initialisers that do not name it leave it NULL */
};

/* ---- decisions ---- */

enum policy_code {
	POLICY_OK = 0,
	POLICY_HIDDEN,        /* not visible: denied, or restricted and not admitted */
	POLICY_NOT_APPROVED,  /* the variant is not in the dress code */
	POLICY_NOT_ELIGIBLE,  /* days of service or employment type */
	POLICY_LIMIT          /* over a limit */
};

/* One rule that counted in a decision. */
struct policy_reason {
	char policy[65];   /* the policy's name */
	char rule[128];    /* its JSON path, e.g. "$.limits[0]" */
	char text[256];    /* plain English: "Branch staff may order the blazer in Navy only." */
};

#define POLICY_MAX_REASONS 8

/*
 * A decision: the verdict (code), the rules that made it (allowing ones too,
 * for explain), and for limits and eligibility the numbers behind it, so
 * the store can say "You have ordered 5 of 5 shirts allowed per year; the
 * next one becomes available on 14 March." in the employee's language.
 */
struct policy_decision {
	enum policy_code code;
	struct policy_reason reasons[POLICY_MAX_REASONS];
	size_t nreasons;
	char what[128];        /* the limited thing's words: "shirts", "Safety boots" */
	int64_t limit;         /* POLICY_LIMIT: the maximum */
	int64_t used;          /* POLICY_LIMIT: already ordered in the window */
	char per[16];          /* POLICY_LIMIT: order, month, year, rolling_365, hire_year */
	int64_t next_day;      /* LIMIT / NOT_ELIGIBLE: first day it becomes possible, or -1 */
	/*
	 * The numbers and names behind a refusal, in no language, for the
	 * store's translated sentence (the reasons' texts are English):
	 *   LIMIT: target/target_kind name what is limited when the rule has
	 *   no label ("what" then holds the English words); ordering is this
	 *   order's quantity; hire_unknown says a hire-year limit fell back to
	 *   the calendar year.
	 *   NOT_ELIGIBLE: days of service needed (-1: an employment-type rule),
	 *   types the employment types admitted (", "-joined); hire_unknown:
	 *   days are needed and the hire date is unknown.
	 *   NOT_APPROVED: note (HR's own sentence, when the rule has one) and
	 *   the approved colours, fits, sizes and logos (", "-joined; "" = any).
	 */
	char label[128];       /* LIMIT: HR's label of the limit, "" when none */
	char target[65];       /* LIMIT: the product, category or tag named by the rule */
	char target_kind[12];  /* "product", "category" or "tag" */
	int64_t ordering;      /* LIMIT: the quantity in the order being checked */
	int64_t days;          /* NOT_ELIGIBLE: days of service needed, or -1 */
	char types[96];        /* NOT_ELIGIBLE: the employment types admitted */
	int hire_unknown;      /* LIMIT / NOT_ELIGIBLE: see above */
	char note[256];        /* NOT_APPROVED: the dress-code rule's note, or "" */
	char colours[96];      /* NOT_APPROVED: the approved values, or "" */
	char fits[96];
	char sizes[96];
	char logos[96];
};

struct policy_view;

/*
 * The policies of set whose audience selects s, prepared for questions
 * about many products. The view holds a reference to set. OUT: *out.
 * Returns LV_OK.
 */
int policy_view_new(struct policy_set *set, const struct policy_subject *s,
		    struct policy_view **out);
void policy_view_free(struct policy_view *v);

/* The names of the policies that apply (borrowed, view's lifetime). */
size_t policy_view_count(const struct policy_view *v);
const char *policy_view_name(const struct policy_view *v, size_t i);

/*
 * May the employee see product p? 1 yes, 0 no. d (may be NULL: the fast
 * path for catalog pages) gets the code and the rules.
 */
int policy_view_product_visible(const struct policy_view *v, const struct policy_product *p,
				struct policy_decision *d);

/*
 * May the employee order variant x of p (visible, eligible, approved by
 * the dress code)? 1 yes, 0 no; d as above.
 */
int policy_view_variant_allowed(const struct policy_view *v, const struct policy_product *p,
				const struct policy_variant *x, struct policy_decision *d);

/*
 * The dress code of p for the employee, to show before any refusal: the
 * first of the most specific dress-code rules that apply to p and say
 * something (a note, or a list of approved values). Returns 1 and fills d
 * as a POLICY_NOT_APPROVED decision would be (note, colours, fits, sizes,
 * logos, the rule as its reason); 0 when no such rule applies.
 */
int policy_view_dress_code(const struct policy_view *v, const struct policy_product *p,
			   struct policy_decision *d);

/* A line of an order being checked, and a line of an earlier order. */
struct policy_line {
	const struct policy_product *product;
	const struct policy_variant *variant;
	int64_t quantity;
};

struct policy_past_line {
	const char *product;  /* product slug */
	const char *category;
	const char *const *tags;
	size_t ntags;
	int64_t quantity;     /* net of cancelled and returned */
	int64_t day;          /* the order's local date, days since 1970-01-01 */
};

/*
 * Checks a whole order: every line visible, eligible, approved, and every
 * limit respected by the order's lines together with past. OUT:
 * per_line[0..n) (one decision per line). Returns 1 when every line may be
 * ordered, else 0.
 */
int policy_view_order_check(const struct policy_view *v, const struct policy_line *lines,
			    size_t n, const struct policy_past_line *past, size_t npast,
			    struct policy_decision *per_line);

/* What the employee pays for a variant, and how much the allowances may cover. */
struct policy_price {
	int64_t unit_price;   /* the special price, or the list price */
	int company_percent;  /* 0..100: the share of the price allowances may pay */
};

/* OUT: *out for x of p; d (may be NULL) names the price rules used. */
void policy_view_price(const struct policy_view *v, const struct policy_product *p,
		       const struct policy_variant *x, struct policy_price *out,
		       struct policy_decision *d);

/*
 * The kits offered to the employee: a new JSON array [{policy, name,
 * mandatory, items: [{product, sku?, quantity}]}] (caller decrefs).
 */
json_t *policy_view_kits(const struct policy_view *v);

/* "2026-03-14" for a day number (days since 1970-01-01). */
void policy_day_format(int64_t day, char out[11]);

/* OUT: the year, month (1..12) and day of the month of a day number. */
void policy_day_civil(int64_t day, int64_t *year, int *month, int *mday);

/* The day number of "YYYY-MM-DD"; LV_OK or LV_EINVAL. */
int policy_day_parse(const char *s, int64_t *day);

#endif
