/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * console_allowances.c - the console's Allowances area (hr_admin; the
 * auditor reads): the list of allowance programmes with whom each covers
 * now; one programme's page (its definition, a change waiting for the next
 * period, its grants by period, the periods waiting to be closed, its
 * closes, the employees it covers, its history); the form that creates or
 * changes a programme with every option of the money path, validated on
 * the server field by field, which shows a preview of what saving would
 * grant and saves only on a second submit carrying the digest of what was
 * previewed; retirement; period closes; HR's adjustments with a reason;
 * and the admin API the console's actions need beyond api_admin.c
 * (one programme, its change, retirement, preview, close, covered people).
 *
 * Everything is read and changed through allowance_admin.h, the same for
 * the pages and the API. Sentences of the preview are built here from its
 * numbers, in the page's language.
 */
#include "console.h"

#include <string.h>

#include "allowance.h"
#include "allowance_admin.h"
#include "api_shared.h"
#include "app.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"
#include "req_data.h"
#include "say.h"

#define SECTION "allowances"
#define CA_PER_PAGE 50
#define CA_HISTORY 50
#define CA_ADJUSTMENTS 50

static int can_edit(const struct req *r)
{
	return (r->user->roles & LV_ROLE_HR_ADMIN) != 0;
}

/* A member's string, or "" (never NULL). */
static const char *js(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int64_t ji(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* tmpl translated, with {name} placeholders filled (n pairs). A new JSON string. */
static json_t *ca_say(const struct req *r, const char *tmpl, const char *const *names,
		      const char *const *values, size_t n)
{
	char out[1024];

	say_fill(req_tr(r, tmpl), names, values, n, out, sizeof(out));
	return json_string(out);
}

/* ---- words for values ---- */

static const struct ca_word {
	const char *value, *label;
} ca_periods[] = {
	{ "monthly", N_("Monthly") }, { "quarterly", N_("Quarterly") },
	{ "yearly", N_("Yearly") }, { "once", N_("Once") },
}, ca_resets[] = {
	{ "calendar", N_("On calendar dates") },
	{ "hire_anniversary", N_("On each employee's hire anniversary") },
}, ca_units[] = {
	{ "money", N_("Money") }, { "points", N_("Points") },
}, ca_overages[] = {
	{ "deny", N_("Refused: orders cannot go over it") },
	{ "approval", N_("Waits for approval") },
	{ "payroll", N_("Deducted from pay, with the employee's consent") },
};
#define CA_N(a) (sizeof(a) / sizeof((a)[0]))

static const char *ca_word(const struct req *r, const struct ca_word *w, size_t n, const char *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v && strcmp(w[i].value, v) == 0)
			return req_tr(r, w[i].label);
	return v ? v : "";
}

/* The choices of a select: [{value, label, selected}]. */
static json_t *ca_choices(const struct req *r, const struct ca_word *w, size_t n, const char *cur)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", w[i].value, "label",
						     req_tr(r, w[i].label), "selected",
						     cur && strcmp(cur, w[i].value) == 0));
	return out;
}

/* An amount in a programme's unit as text: "€300.00", "50 points". */
static void ca_amount_text(const struct req *r, const char *unit, int64_t amount, char *out,
			   size_t len)
{
	char n[32];
	const char *names[] = { "n" }, *values[] = { n };
	json_t *m;

	if (unit && strcmp(unit, "points") == 0) {
		lv_snprintf(n, sizeof(n), "%lld", (long long)amount);
		say_fill(req_tr(r, amount == 1 || amount == -1 ? N_("{n} point") : N_("{n} points")),
			 names, values, 1, out, len);
		return;
	}
	m = req_money(r, amount);
	lv_strlcpy(out, json_string_value(m), len);
	json_decref(m);
}

static json_t *ca_amount(const struct req *r, const char *unit, int64_t amount)
{
	char buf[96];

	ca_amount_text(r, unit, amount, buf, sizeof(buf));
	return json_string(buf);
}

static const struct ca_word ca_aud_words[] = {
	{ "departments", N_("Departments") }, { "sites", N_("Sites") },
	{ "job_titles", N_("Job titles") }, { "groups", N_("Groups (any of them)") },
	{ "employment_types", N_("Employment types") },
	{ "employee_ids", N_("Employee numbers") },
};

/* "a, b, c" of a list of strings. */
static void ca_join(const json_t *list, char *out, size_t len)
{
	const json_t *v;
	size_t i, used = 0;

	out[0] = '\0';
	json_array_foreach(list, i, v) {
		if (used + 3 >= len)
			break;
		used += (size_t)lv_snprintf(out + used, len - used, "%s%s", i ? ", " : "",
					    json_string_value(v) ? json_string_value(v) : "");
		if (used >= len)
			used = len - 1;
	}
}

/* The audience as [{what, values}] ([] = everyone). */
static json_t *ca_audience(const struct req *r, const json_t *aud)
{
	json_t *out = json_array();
	char buf[2048];
	size_t i;

	for (i = 0; i < CA_N(ca_aud_words); i++) {
		const json_t *l = json_object_get(aud, ca_aud_words[i].value);

		if (l == NULL)
			continue;
		ca_join(l, buf, sizeof(buf));
		json_array_append_new(out, json_pack("{s:s,s:s}", "what",
						     req_tr(r, ca_aud_words[i].label), "values", buf));
	}
	return out;
}

/* A version field's value in words (for the changes and the history). */
static json_t *ca_value(const struct req *r, const char *unit, const char *field, const json_t *v)
{
	char buf[2048];

	if (strcmp(field, "amount") == 0 || strcmp(field, "rollover_cap") == 0)
		return ca_amount(r, unit, json_integer_value(v));
	if (strcmp(field, "points_rate") == 0)
		return json_is_integer(v) ? req_money(r, json_integer_value(v)) : json_string("-");
	if (strcmp(field, "prorate") == 0)
		return json_string(json_is_true(v) ? req_tr(r, "Yes") : req_tr(r, "No"));
	if (strcmp(field, "overage") == 0)
		return json_string(ca_word(r, ca_overages, CA_N(ca_overages), json_string_value(v)));
	if (strcmp(field, "audience") == 0) {
		json_t *a = ca_audience(r, v), *x;
		size_t i, used = 0;

		buf[0] = '\0';
		json_array_foreach(a, i, x)
			used += (size_t)lv_snprintf(buf + used, used < sizeof(buf) ? sizeof(buf) - used : 0,
						    "%s%s: %s", i ? "; " : "", js(x, "what"),
						    js(x, "values"));
		json_decref(a);
		return json_string(buf[0] ? buf : req_tr(r, "Everyone"));
	}
	if (json_is_array(v)) {
		ca_join(v, buf, sizeof(buf));
		return json_string(buf[0] ? buf : req_tr(r, "Everything in the store"));
	}
	if (json_is_integer(v)) {
		lv_snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		return json_string(buf);
	}
	return json_string(json_string_value(v) ? json_string_value(v) : "");
}

static const struct ca_word ca_fields[] = {
	{ "name", N_("Name") }, { "audience", N_("Who gets it") }, { "amount", N_("Amount") },
	{ "points_rate", N_("Value of a point") }, { "prorate", N_("Proration") },
	{ "rollover_cap", N_("Rollover cap") },
	{ "eligibility_days", N_("Days of service before the first grant") },
	{ "categories", N_("Categories it pays for") }, { "tags", N_("Tags it pays for") },
	{ "overage", N_("Over the allowance") }, { "position", N_("Order at checkout") },
};

/* The fields that differ between two versions: [{field, label, before, after}]. */
static json_t *ca_diff(const struct req *r, const char *unit, const json_t *before,
		       const json_t *after)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < CA_N(ca_fields); i++) {
		const json_t *b = json_object_get(before, ca_fields[i].value);
		const json_t *a = json_object_get(after, ca_fields[i].value);

		if (a == NULL || (b != NULL && json_equal(a, b)))
			continue;
		json_array_append_new(out, json_pack("{s:s,s:s,s:o,s:o}", "field", ca_fields[i].value,
						     "label", req_tr(r, ca_fields[i].label), "before",
						     b ? ca_value(r, unit, ca_fields[i].value, b) :
							 json_string("-"),
						     "after", ca_value(r, unit, ca_fields[i].value, a)));
	}
	return out;
}

/* A programme (as allowance_admin_list gives it) for the pages. */
static json_t *ca_prog_view(const struct req *r, const json_t *p)
{
	const char *unit = js(p, "unit");
	const json_t *v = json_object_get(p, "in_force"), *pending = json_object_get(p, "pending");
	int retired = json_is_integer(json_object_get(p, "retired_at"));
	char url[160];
	json_t *o;

	if (v == NULL)
		v = p;
	lv_snprintf(url, sizeof(url), "/admin/allowances/programmes/%s", js(p, "slug"));
	o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:b,s:o,s:b,s:o,s:o,s:o,s:s,s:I}",
		      "slug", js(p, "slug"), "name", js(v, "name"), "url", url,
		      "unit", ca_word(r, ca_units, CA_N(ca_units), unit),
		      "amount", ca_amount(r, unit, ji(v, "amount")),
		      "period", ca_word(r, ca_periods, CA_N(ca_periods), js(p, "period")),
		      "reset", ca_word(r, ca_resets, CA_N(ca_resets), js(p, "reset")),
		      "overage", ca_word(r, ca_overages, CA_N(ca_overages), js(v, "overage")),
		      "prorate", json_is_true(json_object_get(v, "prorate")),
		      "rollover_cap", ca_amount(r, unit, ji(v, "rollover_cap")),
		      "is_points", strcmp(unit, "points") == 0,
		      "points_rate", json_is_integer(json_object_get(v, "points_rate")) ?
				     req_money(r, ji(v, "points_rate")) : json_string(""),
		      "audience", ca_audience(r, json_object_get(v, "audience")),
		      "pays_for", ca_value(r, unit, "categories", json_object_get(v, "categories")),
		      "tags", "",
		      "eligibility_days", (json_int_t)ji(v, "eligibility_days"));
	if (json_array_size(json_object_get(v, "tags")))
		json_object_set_new(o, "tags", ca_value(r, unit, "tags", json_object_get(v, "tags")));
	json_object_set_new(o, "position", json_integer(ji(v, "position")));
	json_object_set_new(o, "everyone", json_boolean(json_object_size(json_object_get(v, "audience")) == 0));
	json_object_set_new(o, "retired", json_boolean(retired));
	json_object_set_new(o, "active", json_boolean(!retired));
	json_object_set_new(o, "retired_at", retired ? req_date(r, ji(p, "retired_at"), 1) : json_string(""));
	json_object_set_new(o, "created_at", req_date(r, ji(p, "created_at"), 0));
	json_object_set_new(o, "covers", json_integer(ji(p, "covers")));
	json_object_set_new(o, "per_employee", json_boolean(json_is_true(json_object_get(p, "per_employee"))));
	if (json_is_object(pending))
		json_object_set_new(o, "pending", json_pack("{s:o,s:o}", "saved_at",
			req_date(r, ji(pending, "valid_from"), 1), "changes",
			ca_diff(r, unit, v, pending)));
	return o;
}

/* ---- the list ---- */

static int ca_list_get(struct req *r)
{
	const char *done = req_query(r, "done");
	json_t *list = NULL, *rows = json_array(), *p, *page;
	size_t i;
	int rc = allowance_admin_list(r->db, lv_now(), &list);

	if (rc != LV_OK) {
		json_decref(rows);
		return rc;
	}
	json_array_foreach(list, i, p)
		json_array_append_new(rows, ca_prog_view(r, p));
	page = json_pack("{s:o,s:b,s:b,s:s}", "programmes", rows, "empty",
			 json_array_size(list) == 0, "can_edit", can_edit(r), "currency",
			 r->app->cfg.currency);
	json_object_set_new(page, "done_retired", json_boolean(done && strcmp(done, "retired") == 0));
	json_decref(list);
	return console_page(r, 200, "console_allowances", req_tr(r, "Allowances"), SECTION, page);
}

/* ---- the preview in words ---- */

/* "{n} employees" / "one employee": the sentence for n among one and many. */
static const char *ca_plural(int64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The date of a group (first..last when they differ: anniversaries). */
static void ca_when(const struct req *r, const json_t *g, const json_t *pv, char *out, size_t len)
{
	const char *names[] = { "first", "last" };
	const char *values[2];
	json_t *a, *b;

	if (strcmp(js(pv, "period"), "once") == 0) {
		lv_strlcpy(out, req_tr(r, "when they become eligible"), len);
		return;
	}
	a = req_date(r, ji(g, "first"), 0);
	b = req_date(r, ji(g, "last"), 0);
	values[0] = json_string_value(a);
	values[1] = json_string_value(b);
	if (ji(g, "first") == ji(g, "last"))
		say_fill(req_tr(r, "on {first}"), names, values, 1, out, len);
	else
		say_fill(req_tr(r, "on their next anniversary, from {first} to {last}"), names, values,
			 2, out, len);
	json_decref(a);
	json_decref(b);
}

/* The preview (allowance_admin_preview) as sentences for the page. */
static json_t *ca_preview_view(const struct req *r, const json_t *pv)
{
	const char *unit = js(pv, "unit");
	const json_t *groups = json_object_get(pv, "groups"), *g;
	const char *names[] = { "n", "amount", "when", "period", "total" };
	const char *values[5];
	char n[32], amount[96], when[160], total[96];
	json_t *out = json_array(), *view;
	int create = strcmp(js(pv, "kind"), "create") == 0;
	int64_t count;

	values[0] = n;
	values[1] = amount;
	values[2] = when;
	values[3] = js(json_object_get(pv, "current"), "key");
	values[4] = total;
#define GROUP(name) (g = json_object_get(groups, name), count = ji(g, "employees"),            \
		     lv_snprintf(n, sizeof(n), "%lld", (long long)count),                        \
		     ca_amount_text(r, unit, json_is_integer(json_object_get(g, "amount")) ?     \
				    ji(g, "amount") : ji(g, "total"), amount, sizeof(amount)),   \
		     ca_amount_text(r, unit, ji(g, "total"), total, sizeof(total)), count)
	if (create) {
		if (GROUP("now") > 0) {
			if (json_is_integer(json_object_get(g, "amount")))
				json_array_append_new(out, ca_say(r, ca_plural(count,
					N_("Saving gives one employee {amount} now, for {period}."),
					N_("Saving gives {n} employees {amount} each now, for {period}.")),
					names, values, 5));
			else
				json_array_append_new(out, ca_say(r, ca_plural(count,
					N_("Saving gives one employee {total} now, for {period}."),
					N_("Saving gives {n} employees {total} in all now, for {period} (some are prorated).")),
					names, values, 5));
		} else {
			json_array_append_new(out, ca_say(r, N_("Saving gives no one anything now: the audience selects no active employee who is eligible."),
							  names, values, 5));
		}
		if (GROUP("later") > 0)
			json_array_append_new(out, ca_say(r, ca_plural(count,
				N_("One more employee gets it on becoming eligible."),
				N_("{n} more employees get it on becoming eligible.")), names, values, 5));
		if (json_is_object(json_object_get(pv, "next"))) {
			json_t *d = req_date(r, ji(json_object_get(pv, "next"), "start"), 0);

			lv_strlcpy(when, json_string_value(d), sizeof(when));
			json_decref(d);
			ca_amount_text(r, unit, ji(json_object_get(pv, "norm"), "amount"), amount,
				       sizeof(amount));
			json_array_append_new(out, ca_say(r, N_("Then {amount} again on {when}, and at the start of every period."),
							  names, values, 5));
		}
	} else {
		if (GROUP("gain") > 0) {
			ca_when(r, g, pv, when, sizeof(when));
			json_array_append_new(out, ca_say(r, json_is_integer(json_object_get(g, "amount")) ?
				ca_plural(count, N_("This change gives one employee {amount} {when}."),
					  N_("This change gives {n} employees {amount} each {when}.")) :
				ca_plural(count, N_("This change gives one employee {total} {when}."),
					  N_("This change gives {n} employees {total} in all {when}.")),
				names, values, 5));
		}
		if (GROUP("more") > 0) {
			ca_when(r, g, pv, when, sizeof(when));
			json_array_append_new(out, ca_say(r, json_is_integer(json_object_get(g, "amount")) ?
				ca_plural(count, N_("It adds {amount} to the next grant of one employee, {when}."),
					  N_("It adds {amount} to the next grant of {n} employees, {when}.")) :
				ca_plural(count, N_("It adds {total} to the next grant of one employee, {when}."),
					  N_("It adds {total} in all to the next grants of {n} employees, {when}.")),
				names, values, 5));
		}
		if (GROUP("less") > 0) {
			ca_when(r, g, pv, when, sizeof(when));
			json_array_append_new(out, ca_say(r, json_is_integer(json_object_get(g, "amount")) ?
				ca_plural(count, N_("It takes {amount} from the next grant of one employee, {when}."),
					  N_("It takes {amount} from the next grant of {n} employees, {when}.")) :
				ca_plural(count, N_("It takes {total} from the next grant of one employee, {when}."),
					  N_("It takes {total} in all from the next grants of {n} employees, {when}.")),
				names, values, 5));
		}
		if (GROUP("lose") > 0) {
			ca_when(r, g, pv, when, sizeof(when));
			json_array_append_new(out, ca_say(r, ca_plural(count,
				N_("One employee no longer gets it {when}: {total} is not granted."),
				N_("{n} employees no longer get it {when}: {total} in all is not granted.")),
				names, values, 5));
		}
		if (GROUP("same") > 0)
			json_array_append_new(out, ca_say(r, ca_plural(count,
				N_("One employee keeps the same grant."),
				N_("{n} employees keep the same grant.")), names, values, 5));
		if (ji(json_object_get(groups, "gain"), "employees") +
			    ji(json_object_get(groups, "more"), "employees") +
			    ji(json_object_get(groups, "less"), "employees") +
			    ji(json_object_get(groups, "lose"), "employees") == 0)
			json_array_append_new(out, ca_say(r, N_("No one's next grant changes."), names,
							  values, 5));
		if (GROUP("later") > 0)
			json_array_append_new(out, ca_say(r, ca_plural(count,
				N_("One more employee it selects gets it on becoming eligible."),
				N_("{n} more employees it selects get it on becoming eligible.")),
				names, values, 5));
	}
	if (GROUP("never") > 0)
		json_array_append_new(out, ca_say(r, ca_plural(count,
			N_("One employee it selects has no hire date, which this programme needs: nothing is granted until HR gives one."),
			N_("{n} employees it selects have no hire date, which this programme needs: nothing is granted until HR gives one.")),
			names, values, 5));
#undef GROUP
	if (ji(pv, "on_leave") > 0) {
		lv_snprintf(n, sizeof(n), "%lld", (long long)ji(pv, "on_leave"));
		json_array_append_new(out, ca_say(r, ca_plural(ji(pv, "on_leave"),
			N_("One employee on leave is not counted."),
			N_("{n} employees on leave are not counted.")), names, values, 5));
	}
	view = json_pack("{s:o,s:b,s:b}", "sentences", out, "is_create", create, "is_change", !create);
	if (!create) {
		json_t *changed = json_array(), *c;
		size_t i;

		json_array_foreach(json_object_get(pv, "changed"), i, c)
			json_array_append_new(changed, json_pack("{s:s,s:o,s:o}", "label",
				ca_word(r, ca_fields, CA_N(ca_fields), js(c, "field")), "before",
				ca_value(r, unit, js(c, "field"), json_object_get(c, "before")),
				"after", ca_value(r, unit, js(c, "field"), json_object_get(c, "after"))));
		json_object_set_new(view, "changed", changed);
		json_object_set_new(view, "has_changed", json_boolean(json_array_size(changed) > 0));
	}
	return view;
}

/* ---- the form ---- */

/* The definition's field names as the form's (audience.sites -> aud_sites; others kept). */
static void ca_form_errors(const struct req *r, const json_t *errors, json_t *fields,
			   json_t **general)
{
	static const char *const form_fields[] = {
		"slug", "name", "unit", "amount", "points_rate", "period", "reset", "prorate",
		"rollover_cap", "eligibility_days", "categories", "tags", "overage", "position",
	};
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)errors, key, v) {
		char f[80];
		int known = 0;

		if (strncmp(key, "audience.", 9) == 0) {
			lv_snprintf(f, sizeof(f), "aud_%s", key + 9);
			known = 1;
		} else {
			lv_strlcpy(f, key, sizeof(f));
			for (i = 0; i < CA_N(form_fields); i++)
				known |= strcmp(key, form_fields[i]) == 0;
		}
		if (known && strcmp(f, "aud_") != 0)
			json_object_set_new(fields, f, json_string(req_tr(r, json_string_value(v))));
		else if (*general == NULL)
			*general = json_string(req_tr(r, json_string_value(v)));
	}
}

/*
 * Renders the form (create: prog NULL; change: the programme as
 * allowance_programme_load gives it). values: what the form shows;
 * errors: the domain's {field: sentence}; pv: the preview or NULL.
 */
static int ca_form_render(struct req *r, int status, const json_t *prog, json_t *values,
			  const json_t *errors, const json_t *pv, const char *notice)
{
	json_t *fields = json_object(), *general = NULL, *page;
	const char *unit = prog ? js(prog, "unit") : js(values, "unit");
	char title[300], action[200];

	if (errors)
		ca_form_errors(r, errors, fields, &general);
	if (prog)
		lv_snprintf(action, sizeof(action), "/admin/allowances/programmes/%s/edit",
			    js(prog, "slug"));
	else
		lv_strlcpy(action, "/admin/allowances/new", sizeof(action));
	page = json_pack("{s:b,s:b,s:s,s:o,s:o,s:b,s:b,s:s,s:s}",
			 "is_create", prog == NULL, "is_change", prog != NULL,
			 "action", action, "values", values, "errors", fields,
			 "has_errors", json_object_size(fields) > 0 || general != NULL,
			 "can_edit", can_edit(r), "currency", r->app->cfg.currency,
			 "slug", prog ? js(prog, "slug") : "");
	json_object_set_new(page, "error", general ? general : json_string(""));
	json_object_set_new(page, "is_points", json_boolean(strcmp(unit, "points") == 0));
	json_object_set_new(page, "units", ca_choices(r, ca_units, CA_N(ca_units), js(values, "unit")));
	json_object_set_new(page, "periods", ca_choices(r, ca_periods, CA_N(ca_periods),
							js(values, "period")));
	json_object_set_new(page, "resets", ca_choices(r, ca_resets, CA_N(ca_resets),
						       js(values, "reset")));
	json_object_set_new(page, "overages", ca_choices(r, ca_overages, CA_N(ca_overages),
							 js(values, "overage")));
	if (prog) {
		json_object_set_new(page, "fixed", json_pack("{s:s,s:s,s:s,s:s}", "name",
			js(prog, "name"), "unit", ca_word(r, ca_units, CA_N(ca_units), unit),
			"period", ca_word(r, ca_periods, CA_N(ca_periods), js(prog, "period")),
			"reset", ca_word(r, ca_resets, CA_N(ca_resets), js(prog, "reset"))));
		json_object_set_new(page, "per_employee", json_boolean(
			strcmp(js(prog, "reset"), "hire_anniversary") == 0));
	}
	if (pv) {
		json_object_set_new(page, "preview", ca_preview_view(r, pv));
		json_object_set_new(page, "digest", json_string(js(pv, "digest")));
		json_object_set_new(page, "base", json_integer(ji(pv, "base")));
	} else {
		json_object_set_new(page, "preview", json_null());
		json_object_set_new(page, "digest", json_string(""));
		json_object_set_new(page, "base", json_integer(0));
	}
	json_object_set_new(page, "has_preview", json_boolean(pv != NULL));
	json_object_set_new(page, "notice_changed", json_boolean(notice &&
								 strcmp(notice, "changed") == 0));
	if (prog)
		lv_snprintf(title, sizeof(title), "%s", js(prog, "name"));
	else
		lv_strlcpy(title, req_tr(r, "New allowance programme"), sizeof(title));
	return console_page(r, status, "console_allowances_form", title, SECTION, page);
}

/* The default values of a new programme's form. */
static json_t *ca_new_values(void)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s}", "slug", "", "name", "",
			 "unit", "money", "amount", "", "period", "yearly", "reset", "calendar",
			 "prorate", 0, "rollover_cap", "0", "eligibility_days", "0", "overage",
			 "deny", "position", "0");
}

/* What was posted, to show again: every field of the form as typed. */
static json_t *ca_posted_values(const struct req *r, const json_t *prog)
{
	static const char *const names[] = {
		"slug", "name", "unit", "amount", "points_rate", "period", "reset",
		"rollover_cap", "eligibility_days", "aud_departments", "aud_sites",
		"aud_job_titles", "aud_groups", "aud_employment_types", "aud_employee_ids",
		"categories", "tags", "overage", "position",
	};
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < CA_N(names); i++) {
		const char *v = req_form(r, names[i]);

		json_object_set_new(o, names[i], json_string(v ? v : ""));
	}
	if (prog) {
		json_object_set_new(o, "slug", json_string(js(prog, "slug")));
		json_object_set_new(o, "unit", json_string(js(prog, "unit")));
		json_object_set_new(o, "period", json_string(js(prog, "period")));
		json_object_set_new(o, "reset", json_string(js(prog, "reset")));
	}
	json_object_set_new(o, "prorate", json_boolean(req_form(r, "prorate") != NULL &&
						       strcmp(req_form(r, "prorate"), "0") != 0));
	return o;
}

/* The programme r->params[0] with its versions, or a 404 page. */
static int ca_prog_load(struct req *r, json_t **prog)
{
	int64_t id = 0;
	int rc = allowance_programme_find(r->db, r->params[0], &id);

	*prog = NULL;
	if (rc == LV_OK)
		rc = allowance_programme_load(r->db, id, prog);
	if (rc == LV_ENOTFOUND)
		reply_error(r, 404, "programme_not_found",
			    "There is no allowance programme with this identifier. Go back to the list of programmes.",
			    NULL);
	return rc;
}

static int ca_new_get(struct req *r)
{
	return ca_form_render(r, 200, NULL, ca_new_values(), NULL, NULL, NULL);
}

static int ca_edit_get(struct req *r)
{
	json_t *prog = NULL;
	int rc = ca_prog_load(r, &prog);

	if (rc != LV_OK)
		return rc;
	if (json_is_integer(json_object_get(prog, "retired_at"))) {
		json_decref(prog);
		return reply_error(r, 409, "programme_retired",
				   "This programme is retired: it cannot be changed any more. Create a new one.",
				   NULL);
	}
	rc = ca_form_render(r, 200, prog, allowance_admin_form_values(prog, r->app->cfg.currency),
			    NULL, NULL, NULL);
	json_decref(prog);
	return rc;
}

/*
 * The form posted for a creation (prog NULL) or a change: previews it, and
 * saves it when asked to (action=save) with the digest of the preview the
 * user saw; a form changed since is previewed again instead.
 */
static int ca_form_post(struct req *r, json_t *prog)
{
	const char *action = req_form(r, "action"), *digest = req_form(r, "digest");
	const char *slug = prog ? js(prog, "slug") : NULL;
	json_t *def = NULL, *errors = json_object(), *pv = NULL, *values;
	struct audit_actor actor;
	int save = action && strcmp(action, "save") == 0;
	int64_t id = 0, changed = 0;
	char url[200];
	int rc, status;

	values = ca_posted_values(r, prog);
	allowance_admin_form_def(&r->form, prog, r->app->cfg.currency, &def, errors);
	status = json_object_size(errors) ? 400 : 422;
	rc = allowance_admin_preview(r->db, slug, def, lv_now(), errors, &pv);
	if (rc == LV_EINVAL) {
		rc = ca_form_render(r, status, prog, values, errors, NULL, NULL);
		values = NULL;
		goto out;
	}
	if (rc == LV_ECONFLICT) {
		rc = ca_form_render(r, 409, prog, values, errors, NULL, NULL);
		values = NULL;
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	if (!save || digest == NULL || strcmp(digest, js(pv, "digest")) != 0) {
		/* a first look, or a form changed since its preview: preview (again) */
		rc = ca_form_render(r, 200, prog, values, NULL, pv, save ? "changed" : NULL);
		values = NULL;
		goto out;
	}
	req_actor(r, &actor);
	if (prog == NULL)
		rc = allowance_admin_create(r->db, def, &actor, errors, &id);
	else
		rc = allowance_admin_change(r->db, slug, def, ji(pv, "base"), &actor, lv_now(),
					    errors, &changed);
	if (rc == LV_OK) {
		lv_snprintf(url, sizeof(url), "/admin/allowances/programmes/%s?done=%s",
			    prog ? slug : js(json_object_get(pv, "norm"), "slug"),
			    prog == NULL ? "created" : changed ? "changed" : "unchanged");
		rc = reply_redirect(r, 303, url);
	} else if (rc == LV_EINVAL || rc == LV_ECONFLICT) {
		rc = ca_form_render(r, rc == LV_EINVAL ? 422 : 409, prog, values, errors, NULL, NULL);
		values = NULL;
	} else if (rc == LV_EUNAVAIL) {
		reply_header(r, "Retry-After", "1");
		rc = reply_error(r, 503, "busy", "The store is busy: nothing was saved. Send the form again in a moment.",
				 NULL);
	}
out:
	json_decref(values);
	json_decref(pv);
	json_decref(def);
	json_decref(errors);
	return rc;
}

static int ca_new_post(struct req *r)
{
	return ca_form_post(r, NULL);
}

static int ca_edit_post(struct req *r)
{
	json_t *prog = NULL;
	int rc = ca_prog_load(r, &prog);

	if (rc == LV_OK)
		rc = ca_form_post(r, prog);
	json_decref(prog);
	return rc;
}

/* ---- one programme ---- */

/* The programme's history (audit) for the page. */
static json_t *ca_history_view(const struct req *r, const char *unit, const json_t *h)
{
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(h, i, e) {
		const char *action = js(e, "action");
		const json_t *after = json_object_get(e, "after");
		json_t *o = json_pack("{s:o,s:s,s:s}", "at", req_date(r, ji(e, "at"), 1), "by",
				      js(e, "by"), "address", js(e, "address"));
		const char *names[] = { "date", "period", "expired", "rolled" };
		const char *values[4];
		char exp[96], rol[96];
		json_t *d = NULL;

		if (strcmp(action, "allowance.programme_create") == 0) {
			json_object_set_new(o, "what", json_string(req_tr(r, "Created")));
		} else if (strcmp(action, "allowance.programme_change") == 0) {
			d = req_date(r, ji(after, "valid_from"), 1);
			values[0] = json_string_value(d);
			json_object_set_new(o, "what", ca_say(r, N_("Changed, for the periods that start from {date}"),
							     names, values, 1));
			json_object_set_new(o, "changes", ca_diff(r, unit, json_object_get(e, "before"),
								  after));
			json_object_set_new(o, "has_changes", json_boolean(json_array_size(
				json_object_get(o, "changes")) > 0));
		} else if (strcmp(action, "allowance.programme_retire") == 0) {
			json_object_set_new(o, "what", json_string(req_tr(r, "Retired")));
		} else if (strcmp(action, "allowance.period_close") == 0) {
			ca_amount_text(r, unit, ji(after, "expired"), exp, sizeof(exp));
			ca_amount_text(r, unit, ji(after, "rolled_over"), rol, sizeof(rol));
			values[0] = "";
			values[1] = js(after, "period");
			values[2] = exp;
			values[3] = rol;
			json_object_set_new(o, "what", ca_say(r, N_("Closed {period}: {expired} expired, {rolled} rolled over"),
							     names, values, 4));
		} else {
			json_object_set_new(o, "what", json_string(action));
		}
		json_decref(d);
		json_array_append_new(out, o);
	}
	return out;
}

/*
 * The programme's page; fields: a refused retire or close form's
 * sentence ({confirm} or {close}), or NULL.
 */
static int ca_prog_page(struct req *r, int status, json_t *fields)
{
	const char *done = req_query(r, "done"), *pq = req_query(r, "page");
	json_t *prog = NULL, *people = NULL, *hist = NULL, *page = NULL, *view, *x, *list;
	int64_t now = lv_now(), pageno = 1, total = 0, pages;
	const char *unit;
	char url[200];
	size_t i;
	int rc;

	if (pq && *pq && lv_parse_i64(pq, 1, 1000000, &pageno) != LV_OK)
		pageno = 1;
	rc = allowance_admin_programme_get(r->db, r->params[0], now, &prog);
	if (rc == LV_ENOTFOUND)
		return reply_error(r, 404, "programme_not_found",
				   "There is no allowance programme with this identifier. Go back to the list of programmes.",
				   NULL);
	if (rc == LV_OK)
		rc = allowance_admin_covered(r->db, r->params[0], now, (pageno - 1) * CA_PER_PAGE,
					     CA_PER_PAGE, &people, &total);
	if (rc == LV_OK)
		rc = allowance_admin_history(r->db, r->params[0], CA_HISTORY, &hist);
	if (rc != LV_OK)
		goto out;
	unit = js(prog, "unit");
	view = ca_prog_view(r, prog);
	page = json_pack("{s:o,s:b,s:s}", "prog", view, "can_edit", can_edit(r), "slug", js(prog, "slug"));
	/* the current period */
	x = json_object_get(prog, "current");
	json_object_set_new(page, "current", json_is_object(x) ? json_pack("{s:s,s:o}", "key",
		js(x, "key"), "end", req_date(r, ji(x, "end") - 1, 0)) : json_null());
	/* grants by period */
	list = json_array();
	json_array_foreach(json_object_get(prog, "grants"), i, x) {
		const json_t *c = json_object_get(x, "close");
		json_t *row = json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "period", js(x, "period"),
			"employees", (json_int_t)ji(x, "employees"),
			"granted", ca_amount(r, unit, ji(x, "granted")),
			"rolled_in", ca_amount(r, unit, ji(x, "rolled_in")),
			"spent", ca_amount(r, unit, ji(x, "spent") - ji(x, "refunded")),
			"adjusted", ca_amount(r, unit, ji(x, "adjusted")),
			"expired", ca_amount(r, unit, ji(x, "expired")),
			"closed", json_is_object(c) ? req_date(r, ji(c, "closed_at"), 0) : json_string(""));

		json_array_append_new(list, row);
	}
	json_object_set_new(page, "grants", list);
	json_object_set_new(page, "has_grants", json_boolean(json_array_size(list) > 0));
	/* periods to close, and the closes */
	list = json_array();
	json_array_foreach(json_object_get(prog, "to_close"), i, x)
		json_array_append_new(list, json_pack("{s:s,s:o}", "key", js(x, "key"), "ended",
						      req_date(r, ji(x, "end") - 1, 0)));
	json_object_set_new(page, "to_close", list);
	json_object_set_new(page, "has_to_close", json_boolean(json_array_size(list) > 0));
	list = json_array();
	json_array_foreach(json_object_get(prog, "closes"), i, x)
		json_array_append_new(list, json_pack("{s:s,s:o,s:s,s:I,s:o,s:o}", "period",
			js(x, "period"), "closed_at", req_date(r, ji(x, "closed_at"), 1), "by",
			js(x, "by"), "employees", (json_int_t)ji(x, "employees"), "expired",
			ca_amount(r, unit, ji(x, "expired")), "rolled_over",
			ca_amount(r, unit, ji(x, "rolled_over"))));
	json_object_set_new(page, "closes", list);
	json_object_set_new(page, "has_closes", json_boolean(json_array_size(list) > 0));
	json_object_set_new(page, "calendar", json_boolean(!json_is_true(json_object_get(prog,
		"per_employee"))));
	json_object_set_new(page, "is_once", json_boolean(strcmp(js(prog, "period"), "once") == 0));
	/* who it covers */
	list = json_array();
	json_array_foreach(people, i, x)
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "employee_id",
			js(x, "employee_id"), "name", js(x, "name"), "department", js(x, "department"),
			"site", js(x, "site"), "hire_date", js(x, "hire_date"), "on_leave",
			strcmp(js(x, "status"), "on_leave") == 0));
	json_object_set_new(page, "people", list);
	json_object_set_new(page, "people_total", json_integer(total));
	pages = total > 0 ? (total + CA_PER_PAGE - 1) / CA_PER_PAGE : 1;
	if (pages > 1) {
		json_t *pag = json_pack("{s:I,s:I}", "page", (json_int_t)pageno, "pages", (json_int_t)pages);

		if (pageno > 1) {
			lv_snprintf(url, sizeof(url), "/admin/allowances/programmes/%s?page=%lld#people",
				    js(prog, "slug"), (long long)(pageno - 1));
			json_object_set_new(pag, "prev_url", json_string(url));
		}
		if (pageno < pages) {
			lv_snprintf(url, sizeof(url), "/admin/allowances/programmes/%s?page=%lld#people",
				    js(prog, "slug"), (long long)(pageno + 1));
			json_object_set_new(pag, "next_url", json_string(url));
		}
		json_object_set_new(page, "pagination", pag);
	}
	json_object_set_new(page, "history", ca_history_view(r, unit, hist));
	json_object_set_new(page, "errors", fields ? json_incref(fields) : json_object());
	/* what just happened */
	{
		static const char *const notices[] = { "created", "changed", "unchanged", "retired",
						       "closed" };
		char key[32];

		for (i = 0; i < CA_N(notices); i++) {
			lv_snprintf(key, sizeof(key), "done_%s", notices[i]);
			json_object_set_new(page, key, json_boolean(done && strcmp(done, notices[i]) == 0));
		}
		json_object_set_new(page, "done_period", json_string(req_query(r, "period") ?
								     req_query(r, "period") : ""));
	}
	rc = console_page(r, status, "console_allowances_programme", js(view, "name"), SECTION, page);
	page = NULL;
out:
	json_decref(page);
	json_decref(hist);
	json_decref(people);
	json_decref(prog);
	return rc;
}

static int ca_prog_get(struct req *r)
{
	return ca_prog_page(r, 200, NULL);
}

/* The programme page again with a form's refusal next to it: field's sentence (msg, translated). */
static int ca_prog_refused(struct req *r, int status, const char *field, const char *msg)
{
	json_t *fields = json_pack("{s:s}", field, msg);
	int rc;

	rc = ca_prog_page(r, status, fields);
	json_decref(fields);
	return rc;
}

static int ca_retire_post(struct req *r)
{
	const char *confirm = req_form(r, "confirm");
	struct audit_actor actor;
	json_t *res = NULL;
	char url[200];
	int rc;

	if (confirm == NULL || strcmp(confirm, r->params[0]) != 0)
		return ca_prog_refused(r, 400, "confirm", req_tr(r,
			"To retire a programme, type its identifier exactly as shown. Nothing was changed."));
	req_actor(r, &actor);
	rc = allowance_admin_retire(r->db, r->params[0], &actor, lv_now(), &res);
	json_decref(res);
	switch (rc) {
	case LV_OK:
		lv_snprintf(url, sizeof(url), "/admin/allowances/programmes/%s?done=retired",
			    r->params[0]);
		return reply_redirect(r, 303, url);
	case LV_ENOTFOUND:
		return reply_error(r, 404, "programme_not_found",
				   "There is no allowance programme with this identifier. Go back to the list of programmes.",
				   NULL);
	case LV_ECONFLICT:
		return ca_prog_refused(r, 409, "confirm", req_tr(r, "This programme is retired already."));
	case LV_EUNAVAIL:
		reply_header(r, "Retry-After", "1");
		return reply_error(r, 503, "busy", "The store is busy: nothing was changed. Try again in a moment.",
				   NULL);
	default:
		return rc;
	}
}

static int ca_close_post(struct req *r)
{
	const char *period = req_form(r, "period");
	struct audit_actor actor;
	json_t *res = NULL;
	char url[200], msg[400];
	int rc;

	req_actor(r, &actor);
	rc = allowance_admin_close(r->db, r->params[0], period, &actor, lv_now(), &res, msg,
				   sizeof(msg));
	if (rc == LV_OK) {
		lv_snprintf(url, sizeof(url), "/admin/allowances/programmes/%s?done=closed&period=%s",
			    r->params[0], js(res, "period"));
		rc = reply_redirect(r, 303, url);
	} else if (rc == LV_ECONFLICT && res != NULL) {
		const char *names[] = { "period", "date", "who" };
		const char *values[3];
		json_t *d = req_date(r, ji(res, "closed_at"), 1), *s;

		values[0] = js(res, "period");
		values[1] = json_string_value(d);
		values[2] = js(res, "by");
		s = ca_say(r, N_("{period} was already closed on {date} by {who}. Nothing was changed."),
			   names, values, 3);
		rc = ca_prog_refused(r, 409, "close", json_string_value(s));
		json_decref(s);
		json_decref(d);
	} else if (rc == LV_ENOTFOUND) {
		rc = reply_error(r, 404, "programme_not_found",
				 "There is no allowance programme with this identifier. Go back to the list of programmes.",
				 NULL);
	} else if (rc == LV_EINVAL) {
		rc = ca_prog_refused(r, 422, "close", req_tr(r,
			"This period cannot be closed: it has not ended, or it is not a period of this programme. Nothing was changed."));
	} else if (rc == LV_EUNAVAIL) {
		reply_header(r, "Retry-After", "1");
		rc = reply_error(r, 503, "busy", "The store is busy: nothing was changed. Try again in a moment.",
				 NULL);
	}
	json_decref(res);
	return rc;
}

/* ---- adjustments ---- */

static int ca_adjust_render(struct req *r, int status, json_t *values, const json_t *errors,
			    const char *done)
{
	json_t *list = NULL, *progs = NULL, *rows = json_array(), *choices = json_array(), *x, *page;
	json_t *fields = json_object(), *general = NULL;
	size_t i;
	int rc;

	rc = allowance_admin_adjustments(r->db, CA_ADJUSTMENTS, &list);
	if (rc == LV_OK)
		rc = allowance_programme_list(r->db, &progs);
	if (rc != LV_OK)
		goto out;
	json_array_foreach(list, i, x) {
		json_t *row = json_pack("{s:o,s:s,s:s,s:s,s:o,s:s,s:s,s:b}", "at",
			req_date(r, ji(x, "at"), 1), "employee_id", js(x, "employee_id"), "name",
			js(x, "name"), "programme", js(x, "programme_name"),
			"amount", ca_amount(r, js(x, "unit"), ji(x, "amount")),
			"reason", js(x, "reason"), "by", js(x, "by"), "negative", ji(x, "amount") < 0);

		json_array_append_new(rows, row);
	}
	json_array_foreach(progs, i, x)
		if (json_is_true(json_object_get(x, "active")))
			json_array_append_new(choices, json_pack("{s:s,s:s,s:s,s:b}", "value",
				js(x, "slug"), "label", js(x, "name"), "unit",
				ca_word(r, ca_units, CA_N(ca_units), js(x, "unit")), "selected",
				strcmp(js(values, "programme"), js(x, "slug")) == 0));
	if (errors) {
		const char *key;
		json_t *v;

		json_object_foreach((json_t *)errors, key, v) {
			if (strcmp(key, "_form") == 0)
				general = json_string(req_tr(r, json_string_value(v)));
			else
				json_object_set_new(fields, key, json_string(req_tr(r, json_string_value(v))));
		}
	}
	page = json_pack("{s:o,s:b,s:o,s:O,s:O,s:b,s:b,s:s}", "adjustments", rows, "empty",
			 json_array_size(rows) == 0, "programmes", choices, "values", values,
			 "errors", fields, "has_errors", json_object_size(fields) > 0 || general,
			 "can_edit", can_edit(r), "currency", r->app->cfg.currency);
	rows = choices = NULL;
	json_object_set_new(page, "error", general ? general : json_string(""));
	general = NULL;
	json_object_set_new(page, "done_adjusted", json_boolean(done && strcmp(done, "adjusted") == 0));
	rc = console_page(r, status, "console_allowances_adjust", req_tr(r, "Adjustments"), SECTION,
			  page);
out:
	json_decref(general);
	json_decref(rows);
	json_decref(choices);
	json_decref(fields);
	json_decref(values);
	json_decref(progs);
	json_decref(list);
	return rc;
}

static int ca_adjust_get(struct req *r)
{
	const char *eid = req_query(r, "employee");

	return ca_adjust_render(r, 200, json_pack("{s:s,s:s,s:s,s:s}", "employee", eid ? eid : "",
						  "programme", "", "amount", "", "reason", ""),
				NULL, req_query(r, "done"));
}

static int ca_adjust_post(struct req *r)
{
	const char *eid = req_form(r, "employee"), *slug = req_form(r, "programme");
	const char *amount = req_form(r, "amount"), *reason = req_form(r, "reason");
	json_t *errors = json_object(), *values, *prog = NULL;
	struct audit_actor actor;
	int64_t v = 0, id = 0, balance = 0;
	const char *unit = "money";
	char url[200];
	int rc;

	values = json_pack("{s:s,s:s,s:s,s:s}", "employee", eid ? eid : "", "programme",
			   slug ? slug : "", "amount", amount ? amount : "", "reason",
			   reason ? reason : "");
	if (slug && allowance_programme_find(r->db, slug, &id) == LV_OK &&
	    allowance_programme_load(r->db, id, &prog) == LV_OK)
		unit = js(prog, "unit");
	if (amount == NULL ||
	    allowance_admin_amount_parse(amount, unit, r->app->cfg.currency, &v) != LV_OK)
		json_object_set_new(errors, "amount", json_string(strcmp(unit, "points") == 0 ?
			N_("Write a whole number of points other than zero: 5 adds, -5 takes away.") :
			N_("Write an amount other than zero: 30 adds, -12.50 takes away.")));
	req_actor(r, &actor);
	rc = allowance_admin_adjust(r->db, eid, slug, v ? v : 1, reason, &actor, lv_now(), errors,
				    &balance);
	if (rc == LV_OK && json_object_size(errors) == 0) {
		lv_snprintf(url, sizeof(url), "/admin/allowances/adjustments?done=adjusted");
		rc = reply_redirect(r, 303, url);
		json_decref(values);
	} else if (rc == LV_OK || rc == LV_EINVAL || rc == LV_ECONFLICT) {
		rc = ca_adjust_render(r, rc == LV_ECONFLICT ? 409 : 422, values, errors, NULL);
	} else {
		json_decref(values);
	}
	json_decref(prog);
	json_decref(errors);
	return rc;
}

/* ---- the admin API ---- */

/* A 422 listing every field error: {"error": {code, message, request_id, errors: [{field, message}]}}. */
static int api_ca_invalid(struct req *r, const json_t *errors)
{
	reply_json_invalid(r, 422, "programme_invalid", "the programme was not saved: see errors "
			   "(one per field); nothing was changed", errors);
	return LV_EINVAL;
}

static int api_ca_not_found(struct req *r)
{
	reply_json_error(r, 404, "programme_not_found", "there is no programme with this slug");
	return LV_ENOTFOUND;
}

static int api_ca_busy(struct req *r)
{
	reply_header(r, "Retry-After", "1");
	reply_json_error(r, 503, "busy", "the store is busy; nothing was changed. Retry in a moment");
	return LV_EUNAVAIL;
}

/* GET /api/v1/admin/allowance-programmes/:slug */
static int api_ca_get(struct req *r)
{
	json_t *prog = NULL;
	int rc = allowance_admin_programme_get(r->db, r->params[0], lv_now(), &prog);

	if (rc == LV_ENOTFOUND)
		return api_ca_not_found(r);
	if (rc != LV_OK)
		return rc;
	json_object_set_new(prog, "currency", json_string(r->app->cfg.currency));
	return reply_json(r, 200, prog);
}

/* The If-Match header as a version id ("3" or 3). OUT: *base, 0 when absent. */
static int api_ca_if_match(struct req *r, int64_t *base)
{
	const char *h = req_header(r, "If-Match");
	char buf[32];
	size_t n;

	*base = 0;
	if (h == NULL)
		return LV_OK;
	n = strlen(h);
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"' && n - 2 < sizeof(buf)) {
		memcpy(buf, h + 1, n - 2);
		buf[n - 2] = '\0';
		h = buf;
	}
	if (lv_parse_i64(h, 1, INT64_MAX, base) != LV_OK) {
		reply_json_error(r, 400, "bad_header", "If-Match: must be a version number, e.g. \"3\"");
		return LV_EINVAL;
	}
	return LV_OK;
}

/* PUT /api/v1/admin/allowance-programmes/:slug: a change, from the next period. */
static int api_ca_put(struct req *r)
{
	struct audit_actor actor;
	json_t *body = NULL, *errors = json_object(), *prog = NULL;
	int64_t base = 0, changed = 0, now = lv_now();
	int rc;

	rc = api_ca_if_match(r, &base);
	if (rc == LV_OK)
		rc = api_body_json(r, 0, &body);
	if (rc != LV_OK)
		goto out;
	req_actor(r, &actor);
	rc = allowance_admin_change(r->db, r->params[0], body, base, &actor, now, errors, &changed);
	switch (rc) {
	case LV_OK:
		rc = allowance_admin_programme_get(r->db, r->params[0], now, &prog);
		if (rc == LV_OK) {
			rc = reply_json(r, 200, json_pack("{s:O,s:b,s:I,s:I}", "programme", prog,
							  "changed", changed != 0, "version",
							  (json_int_t)changed, "valid_from",
							  (json_int_t)now));
		}
		break;
	case LV_EINVAL:
		api_ca_invalid(r, errors);
		break;
	case LV_ENOTFOUND:
		api_ca_not_found(r);
		break;
	case LV_ECONFLICT:
		if (strstr(js(errors, "_form"), "retired") != NULL)
			reply_json_error(r, 409, "programme_retired", js(errors, "_form"));
		else
			reply_json_error(r, 412, "version_conflict", js(errors, "_form"));
		break;
	case LV_EUNAVAIL:
		api_ca_busy(r);
		break;
	default:
		break;
	}
out:
	json_decref(prog);
	json_decref(body);
	json_decref(errors);
	return rc;
}

/* POST /api/v1/admin/allowance-programmes/:slug/retire */
static int api_ca_retire(struct req *r)
{
	struct audit_actor actor;
	json_t *body = NULL, *res = NULL;
	int rc;

	rc = api_body_json(r, 1, &body);
	if (rc == LV_OK && json_object_size(body) > 0) {
		reply_json_error(r, 400, "invalid_field", "the body must be empty or {}");
		rc = LV_EINVAL;
	}
	if (rc != LV_OK)
		goto out;
	req_actor(r, &actor);
	rc = allowance_admin_retire(r->db, r->params[0], &actor, lv_now(), &res);
	switch (rc) {
	case LV_OK:
		rc = reply_json(r, 200, res);
		res = NULL;
		break;
	case LV_ENOTFOUND:
		api_ca_not_found(r);
		break;
	case LV_ECONFLICT:
		reply_json_error(r, 409, "already_retired", "this programme is retired already");
		break;
	case LV_EUNAVAIL:
		api_ca_busy(r);
		break;
	default:
		break;
	}
out:
	json_decref(res);
	json_decref(body);
	return rc;
}

/*
 * POST /api/v1/admin/allowance-programmes/preview: a definition; when its
 * slug names a programme, previewed as a change of it (as PUT would save
 * it), otherwise as a creation.
 */
static int api_ca_preview(struct req *r)
{
	json_t *body = NULL, *errors = json_object(), *pv = NULL;
	const char *slug = NULL;
	int64_t id = 0;
	int rc;

	rc = api_body_json(r, 0, &body);
	if (rc != LV_OK)
		goto out;
	if (json_is_string(json_object_get(body, "slug")) &&
	    allowance_programme_find(r->db, json_string_value(json_object_get(body, "slug")), &id) ==
		    LV_OK)
		slug = json_string_value(json_object_get(body, "slug"));
	rc = allowance_admin_preview(r->db, slug, body, lv_now(), errors, &pv);
	switch (rc) {
	case LV_OK:
		json_object_set_new(pv, "currency", json_string(r->app->cfg.currency));
		rc = reply_json(r, 200, pv);
		pv = NULL;
		break;
	case LV_EINVAL:
		api_ca_invalid(r, errors);
		break;
	case LV_ECONFLICT:
		reply_json_error(r, 409, "programme_retired",
				 "this programme is retired: it cannot be changed any more");
		break;
	default:
		break;
	}
out:
	json_decref(pv);
	json_decref(body);
	json_decref(errors);
	return rc;
}

/* POST /api/v1/admin/allowance-programmes/:slug/close {"period": "2026"} */
static int api_ca_close(struct req *r)
{
	static const char *const keys[] = { "period", NULL };
	struct audit_actor actor;
	json_t *body = NULL, *res = NULL;
	const char *period;
	char msg[400];
	int rc;

	rc = api_body_json(r, 0, &body);
	if (rc == LV_OK)
		rc = api_keys_check(r, body, "", keys);
	if (rc != LV_OK)
		goto out;
	period = json_string_value(json_object_get(body, "period"));
	if (period == NULL) {
		rc = api_field_error(r, "period: is required: the key of an ended period, e.g. "
				     "\"2026\", \"2026-Q4\" or \"2026-11\"");
		goto out;
	}
	req_actor(r, &actor);
	rc = allowance_admin_close(r->db, r->params[0], period, &actor, lv_now(), &res, msg,
				   sizeof(msg));
	switch (rc) {
	case LV_OK:
		rc = reply_json(r, 200, res);
		res = NULL;
		break;
	case LV_ECONFLICT:
		if (res != NULL)
			reply_json(r, 409, json_pack("{s:{s:s,s:s,s:s,s:O}}", "error", "code",
						     "already_closed", "message", msg, "request_id",
						     r->rid, "close", res));
		else
			reply_json_error(r, 409, "conflict", msg);
		break;
	case LV_EINVAL:
		reply_json_error(r, 422, "period_invalid", msg);
		break;
	case LV_ENOTFOUND:
		api_ca_not_found(r);
		break;
	case LV_EUNAVAIL:
		api_ca_busy(r);
		break;
	default:
		break;
	}
out:
	json_decref(res);
	json_decref(body);
	return rc;
}

/* GET /api/v1/admin/allowance-programmes/:slug/employees?page=&per_page= */
static int api_ca_employees(struct req *r)
{
	const char *p = req_query(r, "page"), *pp = req_query(r, "per_page");
	int64_t page = 1, per = CA_PER_PAGE, total = 0;
	json_t *list = NULL;
	int rc;

	if ((p && lv_parse_i64(p, 1, 1000000, &page) != LV_OK) ||
	    (pp && lv_parse_i64(pp, 1, 500, &per) != LV_OK)) {
		reply_json_error(r, 400, "bad_parameter",
				 "page: a whole number from 1; per_page: from 1 to 500");
		return LV_EINVAL;
	}
	rc = allowance_admin_covered(r->db, r->params[0], lv_now(), (page - 1) * per, per, &list,
				     &total);
	if (rc == LV_ENOTFOUND)
		return api_ca_not_found(r);
	if (rc != LV_OK)
		return rc;
	return reply_json(r, 200, json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total, "page",
					    (json_int_t)page, "per_page", (json_int_t)per,
					    "employees", list));
}

#define HR LV_ROLE_HR_ADMIN
#define HR_AUD (LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR)

/* clang-format off */
const struct route console_allowances_routes[] = {
	/* method  pattern                                               kind        access         roles   csrf handler          name */
	{ "GET",  "/admin/allowances",                                   ROUTE_PAGE, ROUTE_SESSION, HR_AUD, 0, ca_list_get,       "console_allowances" },
	{ "GET",  "/admin/allowances/new",                               ROUTE_PAGE, ROUTE_SESSION, HR_AUD, 0, ca_new_get,        "console_allowance_new" },
	{ "POST", "/admin/allowances/new",                               ROUTE_PAGE, ROUTE_SESSION, HR,     1, ca_new_post,       "console_allowance_create" },
	{ "GET",  "/admin/allowances/adjustments",                       ROUTE_PAGE, ROUTE_SESSION, HR_AUD, 0, ca_adjust_get,     "console_allowance_adjustments" },
	{ "POST", "/admin/allowances/adjustments",                       ROUTE_PAGE, ROUTE_SESSION, HR,     1, ca_adjust_post,    "console_allowance_adjust" },
	{ "GET",  "/admin/allowances/programmes/:slug",                  ROUTE_PAGE, ROUTE_SESSION, HR_AUD, 0, ca_prog_get,       "console_allowance" },
	{ "GET",  "/admin/allowances/programmes/:slug/edit",             ROUTE_PAGE, ROUTE_SESSION, HR_AUD, 0, ca_edit_get,       "console_allowance_edit" },
	{ "POST", "/admin/allowances/programmes/:slug/edit",             ROUTE_PAGE, ROUTE_SESSION, HR,     1, ca_edit_post,      "console_allowance_change" },
	{ "POST", "/admin/allowances/programmes/:slug/retire",           ROUTE_PAGE, ROUTE_SESSION, HR,     1, ca_retire_post,    "console_allowance_retire" },
	{ "POST", "/admin/allowances/programmes/:slug/close",            ROUTE_PAGE, ROUTE_SESSION, HR,     1, ca_close_post,     "console_allowance_close" },
	{ "POST", "/api/v1/admin/allowance-programmes/preview",          ROUTE_API,  ROUTE_SESSION, HR,     1, api_ca_preview,    "api_admin_programme_preview" },
	{ "GET",  "/api/v1/admin/allowance-programmes/:slug",            ROUTE_API,  ROUTE_SESSION, HR_AUD, 0, api_ca_get,        "api_admin_programme" },
	{ "PUT",  "/api/v1/admin/allowance-programmes/:slug",            ROUTE_API,  ROUTE_SESSION, HR,     1, api_ca_put,        "api_admin_programme_change" },
	{ "POST", "/api/v1/admin/allowance-programmes/:slug/retire",     ROUTE_API,  ROUTE_SESSION, HR,     1, api_ca_retire,     "api_admin_programme_retire" },
	{ "POST", "/api/v1/admin/allowance-programmes/:slug/close",      ROUTE_API,  ROUTE_SESSION, HR,     1, api_ca_close,      "api_admin_programme_close" },
	{ "GET",  "/api/v1/admin/allowance-programmes/:slug/employees",  ROUTE_API,  ROUTE_SESSION, HR_AUD, 0, api_ca_employees,  "api_admin_programme_employees" },
};
/* clang-format on */
const size_t console_allowances_routes_n = sizeof(console_allowances_routes) / sizeof(console_allowances_routes[0]);
