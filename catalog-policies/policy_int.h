/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_int.h - the compiled form of a policy set, shared by the files of
 * lv_policy and by nothing else. policy_load.c builds it from validated
 * JSON; policy_audience.c matches selectors; policy_view.c answers
 * decisions; policy_day.c does calendar arithmetic. Every string in the
 * compiled form is borrowed from the policy's normalised JSON, which the
 * set keeps for its whole life.
 */
#ifndef LV_POLICY_INT_H
#define LV_POLICY_INT_H

#include <stdatomic.h>

#include "policy.h"

/* What a rule targets; the order is the specificity (product wins). */
enum pol_kind {
	POL_TAG = 1,
	POL_CATEGORY = 2,
	POL_PRODUCT = 3
};

/* A list of borrowed strings; present = the key was given. */
struct pol_strs {
	const char **v;
	size_t n;
	int present;
};

/* "product": "x", "category": "x", "tag": "x" or "products": [..]. */
struct pol_target {
	enum pol_kind kind;
	struct pol_strs names;
};

enum pol_sel_kind {
	SEL_TRUE,
	SEL_ALL,
	SEL_ANY,
	SEL_NOT,
	SEL_DEPARTMENT,
	SEL_COST_CENTER,
	SEL_SITE,
	SEL_JOB_TITLE,
	SEL_GROUPS,
	SEL_EMPLOYMENT_TYPE,
	SEL_EMPLOYEE_IDS,
	SEL_DAYS
};

struct pol_sel {
	enum pol_sel_kind kind;
	struct pol_sel *kids; /* ALL, ANY: nkids; NOT: one */
	size_t nkids;
	struct pol_strs vals;
	int64_t min, max;     /* SEL_DAYS: -1 when absent */
};

struct pol_dress {
	struct pol_target t;
	struct pol_strs colours, fits, sizes, logos;
	const char *note;
};

enum pol_per {
	PER_ORDER,
	PER_MONTH,
	PER_YEAR,
	PER_ROLLING_365,
	PER_HIRE_YEAR
};

struct pol_limit {
	struct pol_target t;
	int64_t max;
	enum pol_per per;
	const char *label;
};

struct pol_elig {
	struct pol_target t;
	int64_t min_days; /* -1 when absent */
	struct pol_strs types;
};

struct pol_price {
	struct pol_target t;
	int percent;         /* -1 when absent */
	int64_t price_minor; /* -1 when absent */
};

struct pol_policy {
	const char *name;
	const char *title;
	json_t *json; /* normalised; owns every string above and below */
	struct pol_sel audience;
	struct pol_strs allow[4], deny[4]; /* indexed by enum pol_kind */
	int has_allow;
	struct pol_dress *dress;
	size_t ndress;
	struct pol_limit *limits;
	size_t nlimits;
	struct pol_elig *elig;
	size_t nelig;
	struct pol_price *prices;
	size_t nprices;
};

struct policy_set {
	atomic_int refs;
	struct pol_policy *v;
	size_t n;
};

/* policy_audience.c */
int pol_sel_match(const struct pol_sel *sel, const struct policy_subject *s);
void pol_sel_cleanup(struct pol_sel *sel);

/* policy_day.c: the proleptic Gregorian calendar on day numbers. */
int64_t pol_day_from_civil(int64_t y, int m, int d);
void pol_day_to_civil(int64_t day, int64_t *y, int *m, int *d);
int pol_leap_year(int64_t y);
int pol_month_days(int64_t y, int m);
/* The first day of the month after day's, and of the year after day's. */
int64_t pol_day_next_month(int64_t day);
int64_t pol_day_next_year(int64_t day);
/*
 * The anniversary of hire in year y (29 February falls on 28 February in
 * years without one).
 */
int64_t pol_day_anniversary(int64_t hire, int64_t y);

/* policy_load.c */
void pol_strs_cleanup(struct pol_strs *s);
int pol_strs_has(const struct pol_strs *s, const char *x);
int pol_strs_has_ci(const struct pol_strs *s, const char *x);

#endif
