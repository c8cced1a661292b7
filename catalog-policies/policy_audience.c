/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * policy_audience.c - whether a policy's audience selects an employee.
 * Attribute values compare without regard to ASCII case ("Retail Banking"
 * matches "retail banking"); employee ids compare exactly. An attribute the
 * employee does not have (NULL) never matches, and neither does
 * days_since_hire when the hire date is unknown.
 */
#include <strings.h>

#include "lv_mem.h"
#include "policy_int.h"

static int sel_attr(const struct pol_sel *sel, const char *value)
{
	if (value == NULL)
		return 0;
	return pol_strs_has_ci(&sel->vals, value);
}

static int sel_groups(const struct pol_sel *sel, const struct policy_subject *s)
{
	size_t i;

	for (i = 0; i < s->ngroups; i++)
		if (s->groups[i] && pol_strs_has_ci(&sel->vals, s->groups[i]))
			return 1;
	return 0;
}

static int sel_days(const struct pol_sel *sel, const struct policy_subject *s)
{
	int64_t days;

	if (s->hire_day < 0)
		return 0;
	days = s->today - s->hire_day;
	if (sel->min >= 0 && days < sel->min)
		return 0;
	if (sel->max >= 0 && days > sel->max)
		return 0;
	return 1;
}

/* Returns 1 when sel selects s, else 0. */
int pol_sel_match(const struct pol_sel *sel, const struct policy_subject *s)
{
	size_t i;

	switch (sel->kind) {
	case SEL_TRUE:
		return 1;
	case SEL_ALL:
		for (i = 0; i < sel->nkids; i++)
			if (!pol_sel_match(&sel->kids[i], s))
				return 0;
		return 1;
	case SEL_ANY:
		for (i = 0; i < sel->nkids; i++)
			if (pol_sel_match(&sel->kids[i], s))
				return 1;
		return 0;
	case SEL_NOT:
		return !pol_sel_match(&sel->kids[0], s);
	case SEL_DEPARTMENT:
		return sel_attr(sel, s->department);
	case SEL_COST_CENTER:
		return sel_attr(sel, s->cost_center);
	case SEL_SITE:
		return sel_attr(sel, s->site);
	case SEL_JOB_TITLE:
		return sel_attr(sel, s->job_title);
	case SEL_EMPLOYMENT_TYPE:
		return sel_attr(sel, s->employment_type);
	case SEL_GROUPS:
		return sel_groups(sel, s);
	case SEL_EMPLOYEE_IDS:
		return s->employee_id != NULL && pol_strs_has(&sel->vals, s->employee_id);
	case SEL_DAYS:
		return sel_days(sel, s);
	}
	return 0;
}

/* Frees what sel owns (not sel itself). */
void pol_sel_cleanup(struct pol_sel *sel)
{
	size_t i;

	for (i = 0; i < sel->nkids; i++)
		pol_sel_cleanup(&sel->kids[i]);
	lv_free(sel->kids);
	pol_strs_cleanup(&sel->vals);
	sel->kids = NULL;
	sel->nkids = 0;
}
