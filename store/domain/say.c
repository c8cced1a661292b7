/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * say.c - dates and policy refusals in the employee's language (see say.h).
 */
#include "say.h"

#include <string.h>

#include "lv_i18n.h"
#include "lv_mem.h"

static const char *const say_months[12] = {
	N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
	N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
	N_("December"),
};

/* The limit periods, by the engine's names (policy_decision.per). */
static const struct {
	const char *per;
	const char *words;
} say_pers[] = {
	{ "order", N_("per order") },
	{ "month", N_("per month") },
	{ "year", N_("per year") },
	{ "rolling_365", N_("in any 365 days") },
	{ "hire_year", N_("per year of service") },
};

void say_fill(const char *tmpl, const char *const *names, const char *const *values, size_t n,
	      char *out, size_t len)
{
	size_t o = 0, i, k;
	const char *p = tmpl, *close;

	if (len == 0)
		return;
	while (*p && o + 1 < len) {
		const char *value = NULL;

		if (*p == '{' && (close = strchr(p + 1, '}')) != NULL) {
			for (i = 0; i < n; i++)
				if (strlen(names[i]) == (size_t)(close - p - 1) &&
				    memcmp(names[i], p + 1, (size_t)(close - p - 1)) == 0) {
					value = values[i];
					break;
				}
		}
		if (value == NULL) {
			out[o++] = *p++;
			continue;
		}
		for (k = 0; value[k] && o + 1 < len; k++)
			out[o++] = value[k];
		p = close + 1;
	}
	out[o] = '\0';
}

void say_date_parts(const struct lv_i18n_catalog *cat, int year, int month, int mday, char *out,
		    size_t len)
{
	if (month < 0 || month > 11)
		month = 0;
	lv_snprintf(out, len, "%d %s %d", mday, lv_i18n_get(cat, say_months[month]), year);
}

void say_day(const struct lv_i18n_catalog *cat, int64_t day, char *out, size_t len)
{
	int64_t y;
	int m, d;

	policy_day_civil(day, &y, &m, &d);
	say_date_parts(cat, (int)y, m - 1, d, out, len);
}

/* The words for what a limit counts: HR's label, else the rule's target. */
static void say_limit_what(const struct policy_decision *d, const struct lv_i18n_catalog *cat,
			   char *out, size_t len)
{
	const char *name[] = { "name" }, *value[] = { d->target };
	const char *tmpl = N_("items tagged {name}");

	if (d->label[0]) {
		lv_strlcpy(out, d->label, len);
		return;
	}
	if (strcmp(d->target_kind, "product") == 0)
		tmpl = N_("items “{name}”");
	else if (strcmp(d->target_kind, "category") == 0)
		tmpl = N_("items from the {name} category");
	say_fill(lv_i18n_get(cat, tmpl), name, value, 1, out, len);
}

static void say_limit(const struct policy_decision *d, const struct lv_i18n_catalog *cat,
		      char *out, size_t len)
{
	char what[160], used[24], limit[24], ordering[24], total[24], date[64] = "";
	const char *per = d->per, *tmpl;
	size_t i, o;

	for (i = 0; i < sizeof(say_pers) / sizeof(say_pers[0]); i++)
		if (strcmp(say_pers[i].per, d->per) == 0)
			per = lv_i18n_get(cat, say_pers[i].words);
	say_limit_what(d, cat, what, sizeof(what));
	lv_snprintf(used, sizeof(used), "%lld", (long long)d->used);
	lv_snprintf(limit, sizeof(limit), "%lld", (long long)d->limit);
	lv_snprintf(ordering, sizeof(ordering), "%lld", (long long)d->ordering);
	lv_snprintf(total, sizeof(total), "%lld", (long long)(d->used + d->ordering));
	if (d->next_day >= 0)
		say_day(cat, d->next_day, date, sizeof(date));
	{
		const char *names[] = { "used", "limit", "what", "per", "ordering", "total", "date" };
		const char *values[] = { used, limit, what, per, ordering, total, date };

		if (strcmp(d->per, "order") == 0 || d->ordering > d->limit)
			tmpl = N_("You may order at most {limit} {what} {per}; this order has {ordering}.");
		else if (d->next_day >= 0)
			tmpl = N_("You have ordered {used} of {limit} {what} allowed {per}; the next one becomes available on {date}.");
		else
			tmpl = N_("You have ordered {used} of {limit} {what} allowed {per}; this order would bring it to {total}.");
		say_fill(lv_i18n_get(cat, tmpl), names, values, 7, out, len);
	}
	if (d->hire_unknown && strcmp(d->per, "hire_year") == 0) {
		o = strlen(out);
		if (o + 2 < len)
			lv_snprintf(out + o, len - o, " %s",
				    lv_i18n_get(cat, N_("Your hire date is not on record, so the calendar year counts.")));
	}
}

static void say_not_eligible(const struct policy_decision *d, const struct lv_i18n_catalog *cat,
			     char *out, size_t len)
{
	const char *names[] = { "types", "days", "date" };
	const char *values[3];
	char days[24], date[64] = "";

	lv_snprintf(days, sizeof(days), "%lld", (long long)d->days);
	if (d->next_day >= 0)
		say_day(cat, d->next_day, date, sizeof(date));
	values[0] = d->types;
	values[1] = days;
	values[2] = date;
	if (d->types[0])
		say_fill(lv_i18n_get(cat, N_("This item is only for employees whose employment type is {types}.")),
			 names, values, 3, out, len);
	else if (d->hire_unknown)
		say_fill(lv_i18n_get(cat, N_("This item needs {days} days of service, and your hire date is not on record: ask HR to add it.")),
			 names, values, 3, out, len);
	else if (d->next_day >= 0)
		say_fill(lv_i18n_get(cat, N_("This item becomes available to you on {date}, after {days} days of service.")),
			 names, values, 3, out, len);
	else
		lv_strlcpy(out, lv_i18n_get(cat, N_("Your catalog rules do not allow you to order this item yet.")),
			   len);
}

static void say_not_approved(const struct policy_decision *d, const struct lv_i18n_catalog *cat,
			     char *out, size_t len)
{
	const char *name[] = { "values" }, *value[1];
	const char *pair[] = { "first", "next" }, *pairv[2];
	const char *lists[] = { d->colours, d->fits, d->sizes, d->logos };
	const char *words[] = { N_("colour {values}"), N_("fit {values}"), N_("size {values}"),
				/* TRANSLATORS: how the company logo is applied: "logo Embroidered" */
				N_("logo {values}") };
	char choices[400] = "", part[160], joined[400];
	size_t i;

	if (d->note[0]) {
		lv_strlcpy(out, d->note, len);
		return;
	}
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (lists[i][0] == '\0')
			continue;
		value[0] = lists[i];
		say_fill(lv_i18n_get(cat, words[i]), name, value, 1, part, sizeof(part));
		if (choices[0] == '\0') {
			lv_strlcpy(choices, part, sizeof(choices));
			continue;
		}
		pairv[0] = choices;
		pairv[1] = part;
		/* TRANSLATORS: joins the choices of colours, fits, sizes and logos */
		say_fill(lv_i18n_get(cat, N_("{first}; {next}")), pair, pairv, 2, joined,
			 sizeof(joined));
		lv_strlcpy(choices, joined, sizeof(choices));
	}
	if (choices[0] == '\0') {
		lv_strlcpy(out, lv_i18n_get(cat, N_("Your dress code does not approve this variant.")), len);
		return;
	}
	value[0] = choices;
	say_fill(lv_i18n_get(cat, N_("Your dress code approves this item only in {values}.")), name,
		 value, 1, out, len);
}

void say_policy_refusal(const struct policy_decision *d, const struct lv_i18n_catalog *cat,
			char *out, size_t len)
{
	switch (d->code) {
	case POLICY_LIMIT:
		say_limit(d, cat, out, len);
		break;
	case POLICY_NOT_ELIGIBLE:
		say_not_eligible(d, cat, out, len);
		break;
	case POLICY_NOT_APPROVED:
		say_not_approved(d, cat, out, len);
		break;
	case POLICY_HIDDEN:
	case POLICY_OK:
	default:
		lv_strlcpy(out, lv_i18n_get(cat, N_("This item is not in the store.")), len);
		break;
	}
}
