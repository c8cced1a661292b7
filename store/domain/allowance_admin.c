/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * allowance_admin.c - HR's work on allowance programmes (allowance_admin.h,
 * docs/allowances.md): the field-by-field check of a definition and the
 * form that writes one, creation, changes saved as versions, retirement,
 * the preview of a creation or a change, period closes, adjustments, and
 * what the console's pages read.
 *
 * Who an audience selects is asked of SQLite here (AUD_SQL: one query
 * over the employees, the selector read with json_each), by the rule of
 * allowance.c's audience_match, which materialisation uses: every list
 * given must contain the employee's value, groups any of theirs, and a
 * value the employee lacks (NULL) matches nothing. test_allowance_admin
 * checks on a varied population that both select the same people.
 */
#include "allowance_admin.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allowance.h"
#include "catalog.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define AMOUNT_MAX INT64_C(1000000000000)
#define RATE_MAX INT64_C(1000000000)
#define LIST_MAX 1000

static const char *const units[] = { "money", "points" };
static const char *const periods[] = { "monthly", "quarterly", "yearly", "once" };
static const char *const resets[] = { "calendar", "hire_anniversary" };
static const char *const overages[] = { "deny", "approval", "payroll" };
static const char *const aud_keys[] = {
	"departments", "sites", "job_titles", "groups", "employment_types", "employee_ids",
};
static const char *const def_keys[] = {
	"slug", "name", "audience", "unit", "amount", "points_rate", "period", "reset",
	"prorate", "rollover_cap", "eligibility_days", "categories", "tags", "overage",
	"position",
};
/* What a change sets: the fields of a version. */
static const char *const version_keys[] = {
	"name", "audience", "amount", "points_rate", "prorate", "rollover_cap",
	"eligibility_days", "categories", "tags", "overage", "position",
};

/*
 * Whether employee e (alias e) is selected by the selector at JSON path P
 * of the SQL expression A (a bound parameter "?1" with P "$", or a column
 * holding objects with P "$.a"). See the header paragraph.
 */
#define AUD_ONE(A, P, KEY, COL)                                                        \
	"(json_type(" A ", '" P "." KEY "') IS NULL OR " COL " IN "                   \
	"(SELECT value FROM json_each(" A ", '" P "." KEY "')))"
#define AUD_SQL(A, P)                                                                  \
	"(" AUD_ONE(A, P, "departments", "e.department") " AND "                      \
	AUD_ONE(A, P, "sites", "e.site") " AND "                                      \
	AUD_ONE(A, P, "job_titles", "e.job_title") " AND "                            \
	AUD_ONE(A, P, "employment_types", "e.employment_type") " AND "                \
	AUD_ONE(A, P, "employee_ids", "e.employee_id") " AND "                        \
	"(json_type(" A ", '" P ".groups') IS NULL OR (json_valid(e.groups) AND "     \
	"EXISTS (SELECT 1 FROM json_each(e.groups) AS g WHERE g.value IN "            \
	"(SELECT value FROM json_each(" A ", '" P ".groups'))))))"

static int name_index(const char *s, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* Sets errors[field] = msg unless that field has its sentence already. */
static void field_error(json_t *errors, const char *field, const char *msg)
{
	if (json_object_get(errors, field) == NULL)
		json_object_set_new(errors, field, json_string(msg));
}

/* A string of 1..max bytes without NUL. */
static int text_ok(const json_t *v, size_t max)
{
	return json_is_string(v) && json_string_length(v) >= 1 && json_string_length(v) <= max &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

/* A list of strings (1..200 bytes each), non-empty when must_have. */
static int list_ok(const json_t *v, int must_have)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v) || json_array_size(v) > LIST_MAX ||
	    (must_have && json_array_size(v) == 0))
		return 0;
	json_array_foreach(v, i, e)
		if (!text_ok(e, 200))
			return 0;
	return 1;
}

/* ---- the check of a definition ---- */

/*
 * One of names: absent gives dflt (NULL: required). With cur and
 * fixed_msg, a field that never changes: absent or cur's. OUT: n[field].
 * Returns the index, or -1.
 */
static int check_choice(const json_t *def, const json_t *cur, const char *field,
			const char *const *names, size_t nn, const char *dflt, const char *msg,
			const char *fixed_msg, json_t *n, json_t *errors)
{
	json_t *v = json_object_get(def, field);
	const char *s = json_string_value(v);
	int i;

	if (cur && fixed_msg) {
		const char *c = json_string_value(json_object_get(cur, field));

		if (v && (s == NULL || c == NULL || strcmp(s, c) != 0))
			field_error(errors, field, fixed_msg);
		s = c;
	} else if (v == NULL) {
		s = dflt;
	}
	i = name_index(s, names, nn);
	if (i < 0)
		field_error(errors, field, msg);
	else
		json_object_set_new(n, field, json_string(names[i]));
	return i;
}

/* A whole number in [min, max]; absent gives dflt (required: an error). OUT: n[field]. */
static int64_t check_number(const json_t *def, const char *field, int required, int64_t dflt,
			    int64_t min, int64_t max, const char *msg, json_t *n, json_t *errors)
{
	json_t *v = json_object_get(def, field);

	if (v == NULL && !required) {
		json_object_set_new(n, field, json_integer(dflt));
		return dflt;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		field_error(errors, field, msg);
		return dflt;
	}
	json_object_set_new(n, field, json_integer(json_integer_value(v)));
	return json_integer_value(v);
}

/* The audience selector. OUT: n.audience. */
static void check_audience(const json_t *def, json_t *n, json_t *errors)
{
	json_t *aud = json_object_get(def, "audience"), *v, *out = json_object();
	const char *key;

	if (aud != NULL && !json_is_object(aud)) {
		field_error(errors, "audience", N_("The audience is an object of lists: departments, sites, job_titles, groups, employment_types, employee_ids."));
		aud = NULL;
	}
	json_object_foreach(aud, key, v) {
		char field[80];

		if (strlen(key) <= 60)
			lv_snprintf(field, sizeof(field), "audience.%s", key);
		else
			lv_strlcpy(field, "audience", sizeof(field));
		if (name_index(key, aud_keys, N_OF(aud_keys)) < 0)
			field_error(errors, field, N_("This is not an audience list: use departments, sites, job_titles, groups, employment_types or employee_ids."));
		else if (!list_ok(v, 1))
			field_error(errors, field, N_("Write one value or more, separated by commas, each of 1 to 200 characters."));
		else
			json_object_set(out, key, v);
	}
	json_object_set_new(n, "audience", out);
}

int allowance_admin_check(const json_t *def, const json_t *cur, json_t *errors, json_t **norm)
{
	json_t *n = json_object(), *v;
	const char *key;
	int unit, period, reset, rc = LV_EINVAL;
	int64_t cap;

	if (norm)
		*norm = NULL;
	if (!json_is_object(def)) {
		field_error(errors, "_form", N_("A programme is one JSON object of its fields."));
		goto out;
	}
	json_object_foreach((json_t *)def, key, v) {
		if (name_index(key, def_keys, N_OF(def_keys)) >= 0)
			continue;
		/* named by itself when it can be (never cut inside a character, never empty) */
		field_error(errors, key[0] && strlen(key) <= 64 ? key : "_form",
			    N_("This is not a field of a programme."));
	}
	v = json_object_get(def, "slug");
	if (cur) {
		if (v && !json_equal(v, json_object_get(cur, "slug")))
			field_error(errors, "slug", N_("The identifier of a programme never changes."));
		json_object_set(n, "slug", json_object_get(cur, "slug"));
	} else if (!text_ok(v, 64) ||
		   strspn(json_string_value(v), "abcdefghijklmnopqrstuvwxyz0123456789-") !=
			   json_string_length(v)) {
		field_error(errors, "slug", N_("Write 1 to 64 lowercase letters, digits or dashes, for example uniform-2027."));
	} else {
		json_object_set(n, "slug", v);
	}
	v = json_object_get(def, "name");
	if (!text_ok(v, 200))
		field_error(errors, "name", N_("Write a name of 1 to 200 characters: employees read it."));
	else
		json_object_set(n, "name", v);
	unit = check_choice(def, cur, "unit", units, N_OF(units), NULL,
			    N_("Choose money or points."),
			    N_("The unit of a programme never changes: create a new programme and retire this one."),
			    n, errors);
	period = check_choice(def, cur, "period", periods, N_OF(periods), NULL,
			      N_("Choose monthly, quarterly, yearly or once."),
			      N_("The period of a programme never changes: create a new programme and retire this one."),
			      n, errors);
	reset = check_choice(def, cur, "reset", resets, N_OF(resets), "calendar",
			     N_("Choose calendar dates or hire anniversaries."),
			     N_("When a programme resets never changes: create a new programme and retire this one."),
			     n, errors);
	if (period == 3 && reset == 1)
		field_error(errors, "reset", N_("A programme granted once never resets: choose calendar dates."));
	check_number(def, "amount", 1, 0, 1, AMOUNT_MAX,
		     N_("Write an amount greater than zero."), n, errors);
	v = json_object_get(def, "points_rate");
	if (unit == 1)
		check_number(def, "points_rate", 1, 0, 1, RATE_MAX,
			     N_("Write what one point is worth in money, more than zero, for example 0.10."),
			     n, errors);
	else if (v != NULL && !json_is_null(v))
		field_error(errors, "points_rate", N_("Only a programme in points has a point value: leave it empty."));
	if (json_object_get(n, "points_rate") == NULL)
		json_object_set_new(n, "points_rate", json_null());
	v = json_object_get(def, "prorate");
	if (v != NULL && !json_is_boolean(v))
		field_error(errors, "prorate", N_("Proration is on or off (true or false)."));
	json_object_set_new(n, "prorate", json_boolean(json_is_true(v)));
	cap = check_number(def, "rollover_cap", 0, 0, 0, AMOUNT_MAX,
			   N_("Write 0 or more: at most this much of what is left moves to the next period."),
			   n, errors);
	if (period == 3 && cap != 0)
		field_error(errors, "rollover_cap", N_("A programme granted once has no next period: leave the rollover cap at 0."));
	check_number(def, "eligibility_days", 0, 0, 0, 36600,
		     N_("Write a number of days from 0 to 36600."), n, errors);
	check_audience(def, n, errors);
	v = json_object_get(def, "categories");
	if (v != NULL && !list_ok(v, 0))
		field_error(errors, "categories", N_("Write category identifiers separated by commas, each of 1 to 200 characters."));
	json_object_set_new(n, "categories", v && list_ok(v, 0) ? json_copy(v) : json_array());
	v = json_object_get(def, "tags");
	if (v != NULL && !list_ok(v, 0))
		field_error(errors, "tags", N_("Write tags separated by commas, each of 1 to 200 characters."));
	json_object_set_new(n, "tags", v && list_ok(v, 0) ? json_copy(v) : json_array());
	check_choice(def, NULL, "overage", overages, N_OF(overages), "deny",
		     N_("Choose what happens to an order over the allowance: deny, approval or payroll."),
		     NULL, n, errors);
	check_number(def, "position", 0, 0, -1000000, 1000000,
		     N_("Write a whole number from -1000000 to 1000000."), n, errors);
	/* what the form could not read counts too */
	if (json_object_size(errors) == 0) {
		rc = LV_OK;
		if (norm) {
			*norm = n;
			n = NULL;
		}
	}
out:
	json_decref(n);
	return rc;
}

/* ---- the form ---- */

/* s (may be NULL) without the blanks around it, into out (len bytes; not s). */
static void trimmed(const char *s, char *out, size_t len)
{
	size_t n;

	if (s == NULL)
		s = "";
	s += strspn(s, " \t\r\n");
	lv_strlcpy(out, s, len);
	n = strlen(out);
	while (n > 0 && strchr(" \t\r\n", out[n - 1]))
		out[--n] = '\0';
}

/* A comma-separated field as a list of its non-empty values (a new array). */
static json_t *form_list(const char *s)
{
	json_t *out = json_array();
	const char *p = s ? s : "", *c;
	char item[256], raw[256];

	while (*p) {
		size_t n;

		c = strchr(p, ',');
		n = c ? (size_t)(c - p) : strlen(p);
		if (n < sizeof(raw)) {
			memcpy(raw, p, n);
			raw[n] = '\0';
			trimmed(raw, item, sizeof(item));
		} else {
			/* too long for a value: kept whole so that the check says so */
			char *big = lv_malloc(n + 1);

			memcpy(big, p, n);
			big[n] = '\0';
			json_array_append_new(out, json_string(big));
			lv_free(big);
			item[0] = '\0';
		}
		if (item[0])
			json_array_append_new(out, json_string(item));
		p += n;
		if (*p == ',')
			p++;
	}
	return out;
}

/* An amount typed in the programme's unit ("300.00" money, "50" points). LV_OK or LV_EINVAL. */
static int form_amount(const char *s, int points, const char *currency, int64_t *out)
{
	char msg[160];

	if (points)
		return lv_parse_i64(s, 0, AMOUNT_MAX, out) == LV_OK ? LV_OK : LV_EINVAL;
	return catalog_price_parse(s, currency, out, msg, sizeof(msg)) == LV_OK && *out <= AMOUNT_MAX ?
		       LV_OK : LV_EINVAL;
}

void allowance_admin_form_def(const struct lv_kvlist *form, const json_t *cur,
			      const char *currency, json_t **def, json_t *errors)
{
	static const struct {
		const char *field, *key;
	} lists[] = {
		{ "aud_departments", "departments" }, { "aud_sites", "sites" },
		{ "aud_job_titles", "job_titles" }, { "aud_groups", "groups" },
		{ "aud_employment_types", "employment_types" },
		{ "aud_employee_ids", "employee_ids" },
	};
	json_t *d = json_object(), *aud = json_object(), *l;
	const char *unit;
	char buf[512];
	int64_t v;
	size_t i;
	int points;

	if (cur == NULL) {
		const char *fixed[] = { "slug", "unit", "period", "reset" };

		for (i = 0; i < N_OF(fixed); i++) {
			trimmed(lv_kvlist_get(form, fixed[i]), buf, sizeof(buf));
			if (buf[0])
				json_object_set_new(d, fixed[i], json_string(buf));
		}
	}
	unit = cur ? json_string_value(json_object_get(cur, "unit")) :
		     json_string_value(json_object_get(d, "unit"));
	points = unit && strcmp(unit, "points") == 0;
	trimmed(lv_kvlist_get(form, "name"), buf, sizeof(buf));
	json_object_set_new(d, "name", json_string(buf));
	trimmed(lv_kvlist_get(form, "amount"), buf, sizeof(buf));
	if (buf[0] && form_amount(buf, points, currency, &v) == LV_OK)
		json_object_set_new(d, "amount", json_integer(v));
	else if (buf[0])
		field_error(errors, "amount", points ?
			    N_("Write a whole number of points greater than zero, for example 50.") :
			    N_("Write an amount greater than zero, for example 300.00."));
	trimmed(lv_kvlist_get(form, "points_rate"), buf, sizeof(buf));
	if (buf[0] && !points)
		json_object_set_new(d, "points_rate", json_string(buf));
	else if (buf[0] && form_amount(buf, 0, currency, &v) == LV_OK)
		json_object_set_new(d, "points_rate", json_integer(v));
	else if (buf[0])
		field_error(errors, "points_rate", N_("Write what one point is worth in money, more than zero, for example 0.10."));
	buf[0] = '\0';
	if (lv_kvlist_get(form, "prorate"))
		trimmed(lv_kvlist_get(form, "prorate"), buf, sizeof(buf));
	json_object_set_new(d, "prorate", json_boolean(buf[0] && strcmp(buf, "0") != 0));
	trimmed(lv_kvlist_get(form, "rollover_cap"), buf, sizeof(buf));
	if (buf[0] && form_amount(buf, points, currency, &v) == LV_OK)
		json_object_set_new(d, "rollover_cap", json_integer(v));
	else if (buf[0])
		field_error(errors, "rollover_cap", points ?
			    N_("Write a whole number of points, 0 or more (0: nothing rolls over).") :
			    N_("Write an amount, 0 or more (0: nothing rolls over), for example 50.00."));
	trimmed(lv_kvlist_get(form, "eligibility_days"), buf, sizeof(buf));
	if (buf[0] && lv_parse_i64(buf, 0, 36600, &v) == LV_OK)
		json_object_set_new(d, "eligibility_days", json_integer(v));
	else if (buf[0])
		field_error(errors, "eligibility_days", N_("Write a number of days from 0 to 36600."));
	trimmed(lv_kvlist_get(form, "position"), buf, sizeof(buf));
	if (buf[0] && lv_parse_i64(buf, -1000000, 1000000, &v) == LV_OK)
		json_object_set_new(d, "position", json_integer(v));
	else if (buf[0])
		field_error(errors, "position", N_("Write a whole number from -1000000 to 1000000."));
	trimmed(lv_kvlist_get(form, "overage"), buf, sizeof(buf));
	if (buf[0])
		json_object_set_new(d, "overage", json_string(buf));
	for (i = 0; i < N_OF(lists); i++) {
		l = form_list(lv_kvlist_get(form, lists[i].field));
		if (json_array_size(l))
			json_object_set_new(aud, lists[i].key, l);
		else
			json_decref(l);
	}
	json_object_set_new(d, "audience", aud);
	json_object_set_new(d, "categories", form_list(lv_kvlist_get(form, "categories")));
	json_object_set_new(d, "tags", form_list(lv_kvlist_get(form, "tags")));
	*def = d;
}

/* A list as the form shows it: "a, b". */
static json_t *form_list_text(const json_t *list)
{
	struct lv_buf b;
	json_t *v, *out;
	size_t i;

	lv_buf_init(&b, 1 << 20);
	json_array_foreach(list, i, v) {
		if (i > 0)
			lv_buf_append_str(&b, ", ");
		lv_buf_append_str(&b, json_string_value(v) ? json_string_value(v) : "");
	}
	out = json_string(lv_buf_str(&b));
	lv_buf_cleanup(&b);
	return out;
}

/* amount in the programme's unit as the form shows it. */
static json_t *form_amount_text(int64_t amount, int points, const char *currency)
{
	char buf[64];

	if (points || catalog_amount_plain(amount, currency, buf, sizeof(buf)) != LV_OK)
		lv_snprintf(buf, sizeof(buf), "%lld", (long long)amount);
	return json_string(buf);
}

json_t *allowance_admin_form_values(const json_t *prog, const char *currency)
{
	static const char *const texts[] = { "slug", "name", "unit", "period", "reset", "overage" };
	const json_t *aud = json_object_get(prog, "audience");
	int points = strcmp(json_string_value(json_object_get(prog, "unit")) ?
			    json_string_value(json_object_get(prog, "unit")) : "", "points") == 0;
	json_t *o = json_object(), *rate = json_object_get(prog, "points_rate");
	char key[48], num[32];
	size_t i;

	for (i = 0; i < N_OF(texts); i++) {
		const char *s = json_string_value(json_object_get(prog, texts[i]));

		json_object_set_new(o, texts[i], json_string(s ? s : ""));
	}
	json_object_set_new(o, "amount", form_amount_text(
		json_integer_value(json_object_get(prog, "amount")), points, currency));
	json_object_set_new(o, "points_rate", json_is_integer(rate) ?
			    form_amount_text(json_integer_value(rate), 0, currency) : json_string(""));
	json_object_set_new(o, "prorate", json_boolean(json_is_true(json_object_get(prog, "prorate"))));
	json_object_set_new(o, "rollover_cap", form_amount_text(
		json_integer_value(json_object_get(prog, "rollover_cap")), points, currency));
	lv_snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(json_object_get(prog, "eligibility_days")));
	json_object_set_new(o, "eligibility_days", json_string(num));
	lv_snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(json_object_get(prog, "position")));
	json_object_set_new(o, "position", json_string(num));
	for (i = 0; i < N_OF(aud_keys); i++) {
		lv_snprintf(key, sizeof(key), "aud_%s", aud_keys[i]);
		json_object_set_new(o, key, form_list_text(json_object_get(aud, aud_keys[i])));
	}
	json_object_set_new(o, "categories", form_list_text(json_object_get(prog, "categories")));
	json_object_set_new(o, "tags", form_list_text(json_object_get(prog, "tags")));
	return o;
}

void allowance_admin_digest(const json_t *norm, const char *slug, int64_t base, char *hex)
{
	crypto_generichash_state st;
	unsigned char h[32];
	char *text = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS), tail[96];

	lv_snprintf(tail, sizeof(tail), "|%s|%lld", slug ? slug : "", (long long)base);
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)(text ? text : ""),
				  text ? strlen(text) : 0);
	crypto_generichash_update(&st, (const unsigned char *)tail, strlen(tail));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, 65, h, sizeof(h));
	free(text);
}

/* ---- programmes ---- */

/* BEGIN IMMEDIATE when no transaction is open; a database that stays busy is LV_EUNAVAIL. */
static int tx_begin(struct lv_db *db, int *own)
{
	return lv_db_tx_begin(db, own) == LV_OK ? LV_OK : LV_EUNAVAIL;
}

/* Commits or rolls back (lv_db_tx_end); a commit that fails on a busy database is LV_EUNAVAIL. */
static int tx_end(struct lv_db *db, int own, int rc)
{
	int end = lv_db_tx_end(db, own, rc);

	return end != rc && end == LV_ECONFLICT ? LV_EUNAVAIL : end;
}

/* Programme slug with its versions. OUT: *prog (new). LV_OK, LV_ENOTFOUND, LV_EINTERNAL. */
static int prog_by_slug(struct lv_db *db, const char *slug, json_t **prog)
{
	int64_t id = 0;
	int rc = slug ? allowance_programme_find(db, slug, &id) : LV_ENOTFOUND;

	*prog = NULL;
	if (rc == LV_OK)
		rc = allowance_programme_load(db, id, prog);
	return rc;
}

/* The newest version of prog (borrowed). */
static const json_t *version_newest(const json_t *prog)
{
	const json_t *vs = json_object_get(prog, "versions");

	return json_array_get(vs, json_array_size(vs) - 1);
}

static void prog_rule(const json_t *prog, struct allowance_rule *rule)
{
	int i = name_index(json_string_value(json_object_get(prog, "period")), periods,
			   N_OF(periods));

	rule->period = i < 0 ? ALLOWANCE_ONCE : (enum allowance_period_kind)i;
	i = name_index(json_string_value(json_object_get(prog, "reset")), resets, N_OF(resets));
	rule->reset = i == 1 ? ALLOWANCE_RESET_ANNIVERSARY : ALLOWANCE_RESET_CALENDAR;
}

/* Do all employees share prog's periods (calendar dates, not 'once')? */
static int prog_calendar(const json_t *prog)
{
	struct allowance_rule rule;

	prog_rule(prog, &rule);
	return rule.reset == ALLOWANCE_RESET_CALENDAR && rule.period != ALLOWANCE_ONCE;
}

static int prog_retired(const json_t *prog)
{
	return json_is_integer(json_object_get(prog, "retired_at"));
}

/* v as compact JSON text bound at idx. */
static void bind_json(sqlite3_stmt *stmt, int idx, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	sqlite3_bind_text(stmt, idx, s ? s : "null", -1, SQLITE_TRANSIENT);
	free(s);
}

/* Binds the fields of a version (version_keys' order) from norm at first, first + 1... */
static void bind_version(sqlite3_stmt *stmt, int first, const json_t *norm)
{
	const json_t *rate = json_object_get(norm, "points_rate");

	lv_db_bind_text(stmt, first, json_string_value(json_object_get(norm, "name")));
	bind_json(stmt, first + 1, json_object_get(norm, "audience"));
	sqlite3_bind_int64(stmt, first + 2, json_integer_value(json_object_get(norm, "amount")));
	if (json_is_integer(rate))
		sqlite3_bind_int64(stmt, first + 3, json_integer_value(rate));
	sqlite3_bind_int(stmt, first + 4, json_is_true(json_object_get(norm, "prorate")));
	sqlite3_bind_int64(stmt, first + 5, json_integer_value(json_object_get(norm, "rollover_cap")));
	sqlite3_bind_int64(stmt, first + 6,
			   json_integer_value(json_object_get(norm, "eligibility_days")));
	bind_json(stmt, first + 7, json_object_get(norm, "categories"));
	bind_json(stmt, first + 8, json_object_get(norm, "tags"));
	lv_db_bind_text(stmt, first + 9, json_string_value(json_object_get(norm, "overage")));
	sqlite3_bind_int64(stmt, first + 10, json_integer_value(json_object_get(norm, "position")));
}

/* The fields of a version of o (a version or a definition) as a new object. */
static json_t *version_part(const json_t *o)
{
	json_t *out = json_object();
	size_t i;

	for (i = 0; i < N_OF(version_keys); i++)
		json_object_set(out, version_keys[i], json_object_get(o, version_keys[i]));
	return out;
}

int allowance_admin_create(struct lv_db *db, const json_t *def, const struct audit_actor *who,
			   json_t *errors, int64_t *id)
{
	json_t *norm = NULL, *cdef = NULL;
	char msg[512] = "";
	int rc, own = 0;

	*id = 0;
	rc = allowance_admin_check(def, NULL, errors, &norm);
	if (rc != LV_OK)
		goto out;
	cdef = json_copy(norm);
	if (json_is_null(json_object_get(cdef, "points_rate")))
		json_object_del(cdef, "points_rate");
	rc = tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = allowance_programme_create(db, cdef, id, msg, sizeof(msg));
	if (rc == LV_ECONFLICT) {
		field_error(errors, "slug", N_("A programme with this identifier exists already: choose another one."));
	} else if (rc == LV_EINVAL) {
		lv_error("allowance.create", "refused after the check: %s", msg);
		field_error(errors, "_form", N_("The programme was refused. Check every field and send it again."));
	}
	if (rc == LV_OK)
		rc = audit_append(db, who, "allowance.programme_create", "allowance_programme",
				  json_string_value(json_object_get(norm, "slug")), NULL, norm);
	rc = tx_end(db, own, rc);
	if (rc != LV_OK)
		*id = 0;
out:
	json_decref(cdef);
	json_decref(norm);
	return rc;
}

int allowance_admin_change(struct lv_db *db, const char *slug, const json_t *def, int64_t base,
			   const struct audit_actor *who, int64_t at, json_t *errors,
			   int64_t *changed)
{
	json_t *cur = NULL, *norm = NULL, *before = NULL, *after = NULL;
	sqlite3_stmt *stmt = NULL;
	const json_t *last;
	int64_t vid = 0;
	int rc, own = 0;

	*changed = 0;
	rc = tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = prog_by_slug(db, slug, &cur);
	if (rc != LV_OK)
		goto end;
	if (prog_retired(cur)) {
		field_error(errors, "_form", N_("This programme is retired: it cannot be changed any more. Create a new one."));
		rc = LV_ECONFLICT;
		goto end;
	}
	rc = allowance_admin_check(def, cur, errors, &norm);
	if (rc != LV_OK)
		goto end;
	last = version_newest(cur);
	if (base != 0 && json_integer_value(json_object_get(last, "version")) != base) {
		field_error(errors, "_form", N_("Someone changed this programme after you opened it: nothing was saved. Look at their version and make your change again."));
		rc = LV_ECONFLICT;
		goto end;
	}
	before = version_part(last);
	after = version_part(norm);
	if (json_equal(before, after))
		goto end;
	rc = lv_db_stmt(db, "INSERT INTO allowance_programme_versions (programme, valid_from, "
			    "name, audience, amount, points_rate, prorate, rollover_cap, "
			    "eligibility_days, categories, tags, overage, position, created_at) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?2)",
			&stmt);
	if (rc != LV_OK)
		goto end;
	sqlite3_bind_int64(stmt, 1, json_integer_value(json_object_get(cur, "id")));
	sqlite3_bind_int64(stmt, 2, at);
	bind_version(stmt, 3, norm);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto fail;
	vid = sqlite3_last_insert_rowid(db->conn);
	lv_db_done(stmt);
	rc = lv_db_stmt(db, "UPDATE allowance_programmes SET name = ?2, audience = ?3, "
			    "amount = ?4, points_rate = ?5, prorate = ?6, rollover_cap = ?7, "
			    "eligibility_days = ?8, categories = ?9, tags = ?10, overage = ?11, "
			    "position = ?12 WHERE id = ?1", &stmt);
	if (rc != LV_OK)
		goto end;
	sqlite3_bind_int64(stmt, 1, json_integer_value(json_object_get(cur, "id")));
	bind_version(stmt, 2, norm);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto fail;
	json_object_set(before, "version", json_object_get(last, "version"));
	json_object_set_new(after, "version", json_integer(vid));
	json_object_set_new(after, "valid_from", json_integer(at));
	rc = audit_append(db, who, "allowance.programme_change", "allowance_programme", slug,
			  before, after);
	if (rc == LV_OK)
		*changed = vid;
	goto end;
fail:
	lv_error("allowance.change", "programme=%s: %s", slug, sqlite3_errmsg(db->conn));
	rc = LV_EINTERNAL;
end:
	lv_db_done(stmt);
	rc = tx_end(db, own, rc);
	if (rc != LV_OK)
		*changed = 0;
out:
	json_decref(before);
	json_decref(after);
	json_decref(norm);
	json_decref(cur);
	return rc;
}

int allowance_admin_retire(struct lv_db *db, const char *slug, const struct audit_actor *who,
			   int64_t at, json_t **result)
{
	struct allowance_period per;
	struct allowance_rule rule;
	sqlite3_stmt *stmt = NULL;
	json_t *cur = NULL, *res = NULL, *before = NULL;
	int64_t settled = 0;
	int rc, own = 0;

	*result = NULL;
	rc = tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = prog_by_slug(db, slug, &cur);
	if (rc != LV_OK)
		goto end;
	if (prog_retired(cur)) {
		rc = LV_ECONFLICT;
		goto end;
	}
	/* every grant due until now, for everyone: none after */
	rc = allowance_programme_settle(db, json_integer_value(json_object_get(cur, "id")), at,
					&settled);
	if (rc != LV_OK)
		goto end;
	rc = lv_db_stmt(db, "UPDATE allowance_programmes SET active = 0, retired_at = ?2 "
			    "WHERE id = ?1 AND active = 1", &stmt);
	if (rc != LV_OK)
		goto end;
	sqlite3_bind_int64(stmt, 1, json_integer_value(json_object_get(cur, "id")));
	sqlite3_bind_int64(stmt, 2, at);
	if (sqlite3_step(stmt) != SQLITE_DONE || sqlite3_changes(db->conn) != 1) {
		lv_error("allowance.retire", "programme=%s: %s", slug, sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto end;
	}
	prog_rule(cur, &rule);
	res = json_pack("{s:s,s:I,s:I,s:n}", "programme", slug, "retired_at", (json_int_t)at,
			"settled", (json_int_t)settled, "spendable_until");
	if (prog_calendar(cur) && allowance_period_at(&rule, NULL, at, &per) == LV_OK)
		json_object_set_new(res, "spendable_until", json_integer(per.end));
	before = json_pack("{s:b}", "active", 1);
	rc = audit_append(db, who, "allowance.programme_retire", "allowance_programme", slug,
			  before, res);
end:
	lv_db_done(stmt);
	rc = tx_end(db, own, rc);
	if (rc == LV_OK) {
		*result = res;
		res = NULL;
	}
out:
	json_decref(before);
	json_decref(res);
	json_decref(cur);
	return rc;
}

/* ---- the preview ---- */

/* One group of employees in a preview: how many, how much, and when. */
struct tally {
	int64_t employees, total, amount, first, last;
	int uniform;
};

static void tally_add(struct tally *t, int64_t value, int64_t when)
{
	if (t->employees == 0) {
		t->amount = value;
		t->uniform = 1;
		t->first = t->last = when;
	} else {
		if (value != t->amount)
			t->uniform = 0;
		if (when != 0 && (t->first == 0 || when < t->first))
			t->first = when;
		if (when > t->last)
			t->last = when;
	}
	t->employees++;
	t->total += value;
}

static json_t *tally_json(const struct tally *t)
{
	json_t *o = json_pack("{s:I,s:I}", "employees", (json_int_t)t->employees, "total",
			      (json_int_t)t->total);

	json_object_set_new(o, "amount", t->employees && t->uniform ?
			    json_integer(t->amount) : json_null());
	json_object_set_new(o, "first", t->first ? json_integer(t->first) : json_null());
	json_object_set_new(o, "last", t->last ? json_integer(t->last) : json_null());
	return o;
}

enum { G_NOW, G_LATER, G_NEVER, G_GAIN, G_MORE, G_LESS, G_LOSE, G_SAME, G_N };
static const char *const group_names[G_N] = {
	"now", "later", "never", "gain", "more", "less", "lose", "same",
};

/* Files a change of one employee's next grant from go to gn (due at when). */
static void tally_change(struct tally *g, int64_t go, int64_t gn, int64_t when)
{
	if (go == 0 && gn == 0)
		return;
	if (go == 0)
		tally_add(&g[G_GAIN], gn, when);
	else if (gn == 0)
		tally_add(&g[G_LOSE], go, when);
	else if (gn > go)
		tally_add(&g[G_MORE], gn - go, when);
	else if (gn < go)
		tally_add(&g[G_LESS], go - gn, when);
	else
		tally_add(&g[G_SAME], gn, when);
}

/*
 * The active and on-leave employees that the selector ?1 (new) or, when
 * ?3, ?2 (the version without the change) selects, with both answers.
 */
#define PREVIEW_SQL                                                                    \
	"SELECT id, employee_id, hire_date, status, sel_new, sel_old FROM "           \
	"(SELECT e.id, e.employee_id, e.hire_date, e.status, " AUD_SQL("?1", "$")     \
	" AS sel_new, (?3 AND " AUD_SQL("?2", "$") ") AS sel_old FROM employees AS e " \
	"WHERE e.status IN ('active', 'on_leave')) WHERE sel_new OR sel_old ORDER BY id"

/* Can an employee without hire date (hire NULL) never be granted under v of prog? */
static int never_without_hire(const json_t *prog, const json_t *v, const char *hire)
{
	struct allowance_rule rule;

	prog_rule(prog, &rule);
	return hire == NULL && (rule.reset != ALLOWANCE_RESET_CALENDAR ||
				json_integer_value(json_object_get(v, "eligibility_days")) > 0);
}

/* A creation: the grants of the period running at `at`, for one employee. */
static void preview_create(struct tally *g, const json_t *newp, const json_t *newv,
			   const struct allowance_rule *rule, const char *hire, int64_t at)
{
	struct allowance_period per;
	int64_t gn, due;

	if (never_without_hire(newp, newv, hire) ||
	    allowance_period_at(rule, hire, at, &per) != LV_OK) {
		tally_add(&g[G_NEVER], 0, 0);
		return;
	}
	gn = allowance_grant_for(newp, newv, hire, &per, &due);
	if (gn > 0 && due <= at)
		tally_add(&g[G_NOW], gn, at);
	else
		tally_add(&g[G_LATER], gn, due);
}

/*
 * A change: one employee's next grant without the change (cur's version
 * for their next period) and with it (newv, in newp). sel_old/sel_new:
 * whether each selects them.
 */
static void preview_change(struct tally *g, const json_t *cur, const json_t *newp,
			   const json_t *newv, const struct allowance_rule *rule, const char *hire,
			   int sel_old, int sel_new, int64_t at)
{
	struct allowance_period per, next;
	const json_t *vo, *vn;
	int64_t go = 0, gn = 0, due_o = 0, due_n = 0;

	if (allowance_period_at(rule, hire, at, &per) != LV_OK) {
		if (sel_new)
			tally_add(&g[G_NEVER], 0, 0);
		return;
	}
	if (rule->period == ALLOWANCE_ONCE) {
		/* one period: only those not yet due come under the new version */
		vo = allowance_version_for(cur, hire, &per);
		vn = allowance_version_for(newp, hire, &per);
		if (vn != newv)
			return;
		if (sel_old && vo == version_newest(cur))
			go = allowance_grant_for(cur, vo, hire, &per, &due_o);
		if (sel_new)
			gn = allowance_grant_for(newp, newv, hire, &per, &due_n);
		if (sel_new && gn == 0 && go == 0)
			tally_add(&g[never_without_hire(newp, newv, hire) ? G_NEVER : G_LATER], 0, 0);
		else
			tally_change(g, go, gn, due_n ? due_n : due_o);
		return;
	}
	if (allowance_period_at(rule, hire, per.end, &next) != LV_OK)
		return;
	/* the version that governs next without the change is cur's newest: saved before now */
	vo = allowance_version_for(cur, hire, &next);
	if (sel_old)
		go = allowance_grant_for(cur, vo, hire, &next, &due_o);
	if (sel_new)
		gn = allowance_grant_for(newp, newv, hire, &next, &due_n);
	if (sel_new && gn == 0 && go == 0)
		tally_add(&g[never_without_hire(newp, newv, hire) ? G_NEVER : G_LATER], 0, 0);
	else
		tally_change(g, go, gn, next.start);
}

int allowance_admin_preview(struct lv_db *db, const char *slug, const json_t *def, int64_t at,
			    json_t *errors, json_t **out)
{
	json_t *cur = NULL, *norm = NULL, *newp = NULL, *newv = NULL, *res = NULL, *o;
	const json_t *oldv = NULL;
	struct allowance_period now_p, next_p;
	struct allowance_rule rule;
	sqlite3_stmt *stmt = NULL;
	struct tally g[G_N];
	int64_t on_leave = 0, id;
	char digest[65];
	size_t i;
	int rc, src;

	*out = NULL;
	memset(g, 0, sizeof(g));
	if (slug) {
		rc = prog_by_slug(db, slug, &cur);
		if (rc != LV_OK)
			goto out;
		if (prog_retired(cur)) {
			field_error(errors, "_form", N_("This programme is retired: it cannot be changed any more. Create a new one."));
			rc = LV_ECONFLICT;
			goto out;
		}
	}
	rc = allowance_admin_check(def, cur, errors, &norm);
	if (rc != LV_OK)
		goto out;
	if (cur == NULL && allowance_programme_find(db, json_string_value(json_object_get(norm, "slug")),
						    &id) == LV_OK) {
		field_error(errors, "slug", N_("A programme with this identifier exists already: choose another one."));
		rc = LV_EINVAL;
		goto out;
	}
	/* the definition as a version, and the programme as it would be with it */
	newv = version_part(norm);
	json_object_set_new(newv, "version", json_integer(0));
	json_object_set_new(newv, "valid_from", json_integer(cur ? at : 0));
	if (cur) {
		oldv = version_newest(cur);
		newp = json_copy(cur);
		json_object_set_new(newp, "versions", json_copy(json_object_get(cur, "versions")));
	} else {
		newp = json_pack("{s:O,s:O,s:I,s:n,s:[]}", "period", json_object_get(norm, "period"),
				 "reset", json_object_get(norm, "reset"), "created_at",
				 (json_int_t)at, "retired_at", "versions");
	}
	json_array_append(json_object_get(newp, "versions"), newv);
	prog_rule(norm, &rule);
	rc = lv_db_stmt(db, PREVIEW_SQL, &stmt);
	if (rc != LV_OK)
		goto out;
	bind_json(stmt, 1, json_object_get(norm, "audience"));
	bind_json(stmt, 2, oldv ? json_object_get(oldv, "audience") : json_object_get(norm, "audience"));
	sqlite3_bind_int(stmt, 3, cur != NULL);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *hire = (const char *)sqlite3_column_text(stmt, 2);
		const char *status = (const char *)sqlite3_column_text(stmt, 3);
		int sel_new = sqlite3_column_int(stmt, 4), sel_old = sqlite3_column_int(stmt, 5);

		if (status && strcmp(status, "on_leave") == 0) {
			on_leave += sel_new;
			continue;
		}
		if (cur == NULL)
			preview_create(g, newp, newv, &rule, hire, at);
		else
			preview_change(g, cur, newp, newv, &rule, hire, sel_old, sel_new, at);
	}
	lv_db_done(stmt);
	stmt = NULL;
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	res = json_pack("{s:s,s:O,s:O,s:O,s:I,s:n,s:n,s:{},s:I,s:[],s:O}", "kind",
			cur ? "change" : "create", "unit", json_object_get(norm, "unit"), "period",
			json_object_get(norm, "period"), "reset", json_object_get(norm, "reset"),
			"at", (json_int_t)at, "current", "next", "groups", "on_leave",
			(json_int_t)on_leave, "changed", "norm", norm);
	if (prog_calendar(norm) && allowance_period_at(&rule, NULL, at, &now_p) == LV_OK &&
	    allowance_period_at(&rule, NULL, now_p.end, &next_p) == LV_OK) {
		json_object_set_new(res, "current", json_pack("{s:s,s:I,s:I}", "key", now_p.key,
							     "start", (json_int_t)now_p.start,
							     "end", (json_int_t)now_p.end));
		json_object_set_new(res, "next", json_pack("{s:s,s:I}", "key", next_p.key, "start",
							  (json_int_t)next_p.start));
	}
	o = json_object_get(res, "groups");
	for (i = cur ? G_GAIN : G_NOW; i < (cur ? G_N : G_GAIN); i++)
		json_object_set_new(o, group_names[i], tally_json(&g[i]));
	if (cur) {
		json_object_set_new(o, "never", tally_json(&g[G_NEVER]));
		json_object_set_new(o, "later", tally_json(&g[G_LATER]));
		for (i = 0; i < N_OF(version_keys); i++)
			if (!json_equal(json_object_get(oldv, version_keys[i]),
					json_object_get(norm, version_keys[i])))
				json_array_append_new(json_object_get(res, "changed"), json_pack(
					"{s:s,s:O,s:O}", "field", version_keys[i], "before",
					json_object_get(oldv, version_keys[i]), "after",
					json_object_get(norm, version_keys[i])));
	}
	allowance_admin_digest(norm, slug, cur ? json_integer_value(json_object_get(oldv, "version")) :
				      0, digest);
	json_object_set_new(res, "digest", json_string(digest));
	json_object_set_new(res, "base", json_integer(cur ? json_integer_value(
		json_object_get(oldv, "version")) : 0));
	*out = res;
	res = NULL;
out:
	lv_db_done(stmt);
	json_decref(res);
	json_decref(newv);
	json_decref(newp);
	json_decref(norm);
	json_decref(cur);
	return rc;
}

/* ---- period closes ---- */

/* Are the n bytes at s all decimal digits? */
static int digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The period of rule whose key is key ("2026", "2026-Q4", "2026-11"). OUT: *per. LV_OK or LV_EINVAL. */
static int period_of_key(const struct allowance_rule *rule, const char *key,
			 struct allowance_period *per)
{
	size_t n = key ? strlen(key) : 0;
	int64_t y = 0, m = 1;
	struct tm t;

	if (n < 4 || !digits(key, 4) || lv_parse_i64n(key, 4, 1970, 9999, &y) != LV_OK)
		return LV_EINVAL;
	if (n == 7 && key[4] == '-' && key[5] == 'Q' && key[6] >= '1' && key[6] <= '4')
		m = (key[6] - '1') * 3 + 1;
	else if (n == 7 && key[4] == '-' && digits(key + 5, 2))
		m = (key[5] - '0') * 10 + (key[6] - '0');
	else if (n != 4)
		return LV_EINVAL;
	if (m < 1 || m > 12)
		return LV_EINVAL;
	memset(&t, 0, sizeof(t));
	t.tm_year = (int)y - 1900;
	t.tm_mon = (int)m - 1;
	t.tm_mday = 1;
	t.tm_hour = 12;
	t.tm_isdst = -1;
	if (allowance_period_at(rule, NULL, (int64_t)mktime(&t), per) != LV_OK ||
	    strcmp(per->key, key) != 0)
		return LV_EINVAL;
	return LV_OK;
}

/* A local time as "2027-01-03 09:30". */
static void local_text(int64_t at, char *out, size_t len)
{
	time_t tt = (time_t)at;
	struct tm l;

	localtime_r(&tt, &l);
	if (strftime(out, len, "%Y-%m-%d %H:%M", &l) == 0)
		lv_strlcpy(out, "?", len);
}

#define CLOSE_COLUMNS                                                                  \
	"SELECT period_key, period_start, period_end, closed_at, actor_label, "       \
	"employees, expired, rolled_over, entries FROM period_closes "

/* The close in stmt's current row (CLOSE_COLUMNS) as a new object. */
static json_t *close_row_json(sqlite3_stmt *stmt, const char *slug)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:I,s:I,s:I,s:I}", "programme", slug,
			 "period", (const char *)sqlite3_column_text(stmt, 0),
			 "start", (json_int_t)sqlite3_column_int64(stmt, 1),
			 "end", (json_int_t)sqlite3_column_int64(stmt, 2),
			 "closed_at", (json_int_t)sqlite3_column_int64(stmt, 3),
			 "by", (const char *)sqlite3_column_text(stmt, 4),
			 "employees", (json_int_t)sqlite3_column_int64(stmt, 5),
			 "expired", (json_int_t)sqlite3_column_int64(stmt, 6),
			 "rolled_over", (json_int_t)sqlite3_column_int64(stmt, 7),
			 "entries", (json_int_t)sqlite3_column_int64(stmt, 8));
}

/* The close of programme's period starting at start. OUT: *out, or NULL when none. */
static int close_find(struct lv_db *db, int64_t programme, const char *slug, int64_t start,
		      json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	int rc, src;

	*out = NULL;
	rc = lv_db_stmt(db, CLOSE_COLUMNS "WHERE programme = ?1 AND period_start = ?2", &stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, programme);
	sqlite3_bind_int64(stmt, 2, start);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW)
		*out = close_row_json(stmt, slug);
	else if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(stmt);
	return rc;
}

/* An example of rule's period keys, for messages. */
static const char *key_example(const struct allowance_rule *rule)
{
	return rule->period == ALLOWANCE_MONTHLY ? "2026-11" :
	       rule->period == ALLOWANCE_QUARTERLY ? "2026-Q4" : "2026";
}

/*
 * What the close of per (whose successor's key is next) counts, and what
 * it wrote (ledger rows past before_id). OUT: the four numbers.
 */
static int close_stats(struct lv_db *db, int64_t programme, const char *key, const char *next,
		       int64_t before_id, int64_t *employees, int64_t *expired, int64_t *rolled,
		       int64_t *entries)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = lv_db_stmt(db, "SELECT (SELECT count(*) FROM allowance_ledger WHERE programme = ?1 "
			    "AND period_key = ?2 AND kind = 'expiry'), (SELECT coalesce(-sum(amount), "
			    "0) FROM allowance_ledger WHERE programme = ?1 AND period_key = ?2 AND "
			    "kind = 'expiry'), (SELECT coalesce(sum(amount), 0) FROM allowance_ledger "
			    "WHERE programme = ?1 AND period_key = ?3 AND kind = 'rollover'), "
			    "(SELECT count(*) FROM allowance_ledger WHERE id > ?4)", &stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, programme);
	lv_db_bind_text(stmt, 2, key);
	lv_db_bind_text(stmt, 3, next);
	sqlite3_bind_int64(stmt, 4, before_id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*employees = sqlite3_column_int64(stmt, 0);
		*expired = sqlite3_column_int64(stmt, 1);
		*rolled = sqlite3_column_int64(stmt, 2);
		*entries = sqlite3_column_int64(stmt, 3);
	} else {
		rc = LV_EINTERNAL;
	}
	lv_db_done(stmt);
	return rc;
}

int allowance_admin_close(struct lv_db *db, const char *slug, const char *period,
			  const struct audit_actor *who, int64_t at, json_t **result, char *msg,
			  size_t msglen)
{
	struct allowance_period per, next;
	struct allowance_rule rule;
	sqlite3_stmt *stmt = NULL;
	json_t *prog = NULL, *res = NULL;
	int64_t id, before_id = 0, settled = 0, employees = 0, expired = 0, rolled = 0, entries = 0;
	char when[32], by[64];
	int rc, own = 0;

	*result = NULL;
	msg[0] = '\0';
	rc = prog_by_slug(db, slug, &prog);
	if (rc == LV_ENOTFOUND)
		lv_snprintf(msg, msglen, "there is no programme \"%.64s\"", slug ? slug : "");
	if (rc != LV_OK)
		goto out;
	id = json_integer_value(json_object_get(prog, "id"));
	prog_rule(prog, &rule);
	if (!prog_calendar(prog)) {
		lv_snprintf(msg, msglen, "%s has no periods shared by everyone to close: %s", slug,
			    rule.period == ALLOWANCE_ONCE ?
			    "it grants once and never ends" :
			    "each employee's period closes on their own hire anniversary, when "
			    "their balance is next read");
		rc = LV_EINVAL;
		goto out;
	}
	if (period_of_key(&rule, period, &per) != LV_OK ||
	    allowance_period_at(&rule, NULL, per.end, &next) != LV_OK) {
		lv_snprintf(msg, msglen, "\"%.32s\" is not a period of %s: write it like %s", period ?
			    period : "", slug, key_example(&rule));
		rc = LV_EINVAL;
		goto out;
	}
	if (per.end > at) {
		local_text(per.end, when, sizeof(when));
		lv_snprintf(msg, msglen, "%s has not ended yet: it ends on %s", per.key, when);
		rc = LV_EINVAL;
		goto out;
	}
	if (per.end <= json_integer_value(json_object_get(prog, "created_at"))) {
		lv_snprintf(msg, msglen, "%s did not exist yet in %s", slug, per.key);
		rc = LV_EINVAL;
		goto out;
	}
	rc = tx_begin(db, &own);
	if (rc != LV_OK) {
		lv_snprintf(msg, msglen, "the store is busy: nothing was closed; try again in a moment");
		goto out;
	}
	rc = close_find(db, id, slug, per.start, &res);
	if (rc == LV_OK && res != NULL) {
		local_text(json_integer_value(json_object_get(res, "closed_at")), when, sizeof(when));
		lv_snprintf(msg, msglen, "%s of %s was already closed on %s by %s", per.key, slug,
			    when, json_string_value(json_object_get(res, "by")));
		rc = LV_ECONFLICT;
		goto end;
	}
	if (rc == LV_OK)
		rc = lv_db_stmt(db, "SELECT coalesce(max(id), 0) FROM allowance_ledger", &stmt);
	if (rc != LV_OK)
		goto end;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		before_id = sqlite3_column_int64(stmt, 0);
	lv_db_done(stmt);
	stmt = NULL;
	rc = allowance_period_settle(db, id, &per, &settled);
	if (rc == LV_OK)
		rc = close_stats(db, id, per.key, next.key, before_id, &employees, &expired, &rolled,
				 &entries);
	if (rc == LV_OK)
		rc = lv_db_stmt(db, "INSERT INTO period_closes (programme, period_key, period_start, "
				    "period_end, closed_at, actor_employee, actor_label, employees, "
				    "expired, rolled_over, entries) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
				    "?8, ?9, ?10, ?11)", &stmt);
	if (rc != LV_OK)
		goto end;
	lv_strlcpy(by, who && who->label ? who->label : "system", sizeof(by));
	sqlite3_bind_int64(stmt, 1, id);
	lv_db_bind_text(stmt, 2, per.key);
	sqlite3_bind_int64(stmt, 3, per.start);
	sqlite3_bind_int64(stmt, 4, per.end);
	sqlite3_bind_int64(stmt, 5, at);
	if (who && who->employee > 0)
		sqlite3_bind_int64(stmt, 6, who->employee);
	lv_db_bind_text(stmt, 7, by);
	sqlite3_bind_int64(stmt, 8, employees);
	sqlite3_bind_int64(stmt, 9, expired);
	sqlite3_bind_int64(stmt, 10, rolled);
	sqlite3_bind_int64(stmt, 11, entries);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		/* the unique index: someone closed it between our check and now (cannot, under BEGIN IMMEDIATE) */
		lv_error("allowance.close", "programme=%s period=%s: %s", slug, per.key,
			 sqlite3_errmsg(db->conn));
		rc = (sqlite3_extended_errcode(db->conn) & 0xff) == SQLITE_CONSTRAINT ? LV_ECONFLICT :
											  LV_EINTERNAL;
		lv_snprintf(msg, msglen, "%s of %s could not be closed: %s", per.key, slug,
			    rc == LV_ECONFLICT ? "it was closed meanwhile" : "see the log");
		goto end;
	}
	res = json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:I,s:I,s:I,s:I}", "programme", slug, "period",
			per.key, "start", (json_int_t)per.start, "end", (json_int_t)per.end,
			"closed_at", (json_int_t)at, "by", by, "employees", (json_int_t)employees,
			"expired", (json_int_t)expired, "rolled_over", (json_int_t)rolled, "entries",
			(json_int_t)entries);
	rc = audit_append(db, who, "allowance.period_close", "allowance_programme", slug, NULL, res);
end:
	lv_db_done(stmt);
	rc = tx_end(db, own, rc);
	if (rc == LV_EUNAVAIL && msg[0] == '\0')
		lv_snprintf(msg, msglen, "the store is busy: nothing was closed; try again in a moment");
	if (rc == LV_OK || rc == LV_ECONFLICT) {
		if (res != NULL)
			json_object_set(res, "unit", json_object_get(prog, "unit"));
		*result = res;
		res = NULL;
	}
out:
	json_decref(res);
	json_decref(prog);
	return rc;
}

/* ---- adjustments ---- */

int allowance_admin_amount_parse(const char *s, const char *unit, const char *currency,
				 int64_t *out)
{
	char buf[64];
	int64_t v = 0;
	int neg = 0, rc;

	trimmed(s, buf, sizeof(buf));
	if (buf[0] == '-' || buf[0] == '+')
		neg = buf[0] == '-';
	rc = buf[0] == '\0' ? LV_EINVAL :
			      form_amount(buf + (buf[0] == '-' || buf[0] == '+'),
					  unit && strcmp(unit, "points") == 0, currency, &v);
	/* a second sign ("--5") is refused by the parsers above */
	if (rc != LV_OK || v == 0)
		return LV_EINVAL;
	*out = neg ? -v : v;
	return LV_OK;
}

int allowance_admin_adjust(struct lv_db *db, const char *employee_id, const char *slug,
			   int64_t amount, const char *reason, const struct audit_actor *who,
			   int64_t at, json_t *errors, int64_t *balance)
{
	json_t *bal = NULL, *b, *mine = NULL;
	int64_t emp = 0, prog = 0;
	size_t i, n = reason ? strlen(reason) : 0;
	int rc;

	*balance = 0;
	if (employee_id == NULL || employee_id[0] == '\0' ||
	    lv_db_lookup_id(db, "SELECT id FROM employees WHERE employee_id = ?1", employee_id,
			    &emp) != LV_OK)
		field_error(errors, "employee", N_("No employee has this number. Write it as HR's file has it, for example E1001."));
	if (slug == NULL || allowance_programme_find(db, slug, &prog) != LV_OK)
		field_error(errors, "programme", N_("Choose a programme."));
	if (amount == 0 || amount > AMOUNT_MAX || amount < -AMOUNT_MAX)
		field_error(errors, "amount", N_("Write an amount other than zero: 30 adds, -12.50 takes away."));
	if (n == 0 || n > 500 || strspn(reason, " \t\r\n") == n)
		field_error(errors, "reason", N_("Say why, in 1 to 500 characters: the employee's history shows it."));
	if (json_object_size(errors) > 0) {
		rc = LV_EINVAL;
		goto out;
	}
	rc = allowance_balances(db, emp, at, &bal);
	if (rc != LV_OK)
		goto out;
	json_array_foreach(bal, i, b)
		if (json_integer_value(json_object_get(b, "id")) == prog)
			mine = b;
	if (mine == NULL || json_is_null(json_object_get(mine, "period"))) {
		field_error(errors, "programme", mine == NULL ?
			    N_("This employee does not have this programme now (not in its audience, or it is retired): there is no balance to adjust.") :
			    N_("This employee is not eligible for this programme yet: there is no balance to adjust."));
		rc = LV_EINVAL;
		goto out;
	}
	if (json_integer_value(json_object_get(mine, "balance")) + amount < 0) {
		field_error(errors, "amount", N_("The balance would go below zero: take away at most what is left."));
		rc = LV_ECONFLICT;
		goto out;
	}
	rc = allowance_adjust_as(db, emp, prog, amount, reason, who, at);
	if (rc == LV_ECONFLICT)
		field_error(errors, "amount", N_("The balance would go below zero: take away at most what is left."));
	else if (rc == LV_OK)
		rc = allowance_balance_get(db, emp, prog, at, balance);
out:
	json_decref(bal);
	return rc;
}

/* ---- what the pages read ---- */

/* The version of prog in force at `at` (calendar: the current period's; else the newest). */
static const json_t *version_in_force(const json_t *prog, int64_t at)
{
	struct allowance_period per;
	struct allowance_rule rule;

	prog_rule(prog, &rule);
	if (prog_calendar(prog) && allowance_period_at(&rule, NULL, at, &per) == LV_OK)
		return allowance_version_for(prog, NULL, &per);
	return version_newest(prog);
}

/* How many employees who have not left each selector of ?1 ([{id, a}]) selects. */
#define COVERS_SQL                                                                     \
	"SELECT json_extract(p.value, '$.id'), count(e.id) FROM json_each(?1) AS p "   \
	"JOIN employees AS e ON e.status <> 'left' AND " AUD_SQL("p.value", "$.a")    \
	" GROUP BY 1"

/*
 * Adds in_force, pending and covers to every programme of progs (see
 * allowance_admin_list), counting in one query.
 */
static int progs_annotate(struct lv_db *db, json_t *progs, int64_t at)
{
	sqlite3_stmt *stmt = NULL;
	json_t *sel = json_array(), *p;
	const json_t *v;
	size_t i, k;
	int rc = LV_OK, src;

	json_array_foreach(progs, i, p) {
		v = version_in_force(p, at);
		json_object_set(p, "in_force", (json_t *)v);
		json_object_set(p, "pending", v == version_newest(p) ? json_null() :
				(json_t *)version_newest(p));
		json_object_set_new(p, "covers", prog_retired(p) ? json_null() : json_integer(0));
		json_object_set_new(p, "per_employee", json_boolean(!prog_calendar(p)));
		if (!prog_retired(p))
			json_array_append_new(sel, json_pack("{s:O,s:O}", "id", json_object_get(p, "id"),
							     "a", json_object_get(v, "audience")));
	}
	if (json_array_size(sel) == 0)
		goto out;
	rc = lv_db_stmt(db, COVERS_SQL, &stmt);
	if (rc != LV_OK)
		goto out;
	bind_json(stmt, 1, sel);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_foreach(progs, k, p)
			if (json_integer_value(json_object_get(p, "id")) == sqlite3_column_int64(stmt, 0))
				json_object_set_new(p, "covers",
						    json_integer(sqlite3_column_int64(stmt, 1)));
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	json_decref(sel);
	return rc;
}

/* The list's order: active ones in checkout order, then the retired, newest retirement first. */
static int list_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	json_int_t rx = json_integer_value(json_object_get(x, "retired_at"));
	json_int_t ry = json_integer_value(json_object_get(y, "retired_at"));
	json_int_t px = json_integer_value(json_object_get(x, "position"));
	json_int_t py = json_integer_value(json_object_get(y, "position"));
	json_int_t ix = json_integer_value(json_object_get(x, "id"));
	json_int_t iy = json_integer_value(json_object_get(y, "id"));

	if ((rx != 0) != (ry != 0))
		return rx != 0 ? 1 : -1;
	if (rx != ry)
		return rx > ry ? -1 : 1;
	if (px != py)
		return px < py ? -1 : 1;
	return ix < iy ? -1 : ix > iy;
}

int allowance_admin_list(struct lv_db *db, int64_t at, json_t **out)
{
	json_t *all = NULL, **v = NULL;
	size_t i, n;
	int rc;

	*out = NULL;
	rc = allowance_programmes_load(db, &all);
	if (rc == LV_OK)
		rc = progs_annotate(db, all, at);
	if (rc != LV_OK)
		goto out;
	n = json_array_size(all);
	v = lv_calloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(all, i));
	qsort(v, n, sizeof(*v), list_cmp);
	*out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(*out, v[i]);
out:
	lv_free(v);
	json_decref(all);
	return rc;
}

/*
 * The programme's ledger by period (anniversary: by the month periods
 * start in), newest first, at most ALLOWANCE_ADMIN_PERIODS periods: one
 * query. ?1 programme, ?2 by month, ?3 how many periods.
 */
#define GRANTS_SQL                                                                     \
	"SELECT k, kind, count(DISTINCT employee), coalesce(sum(amount), 0) FROM "    \
	"(SELECT CASE WHEN ?2 THEN substr(period_key, 1, 7) ELSE period_key END AS k, " \
	"kind, employee, amount FROM allowance_ledger WHERE programme = ?1) WHERE k >= " \
	"coalesce((SELECT min(k2) FROM (SELECT DISTINCT CASE WHEN ?2 THEN "             \
	"substr(period_key, 1, 7) ELSE period_key END AS k2 FROM allowance_ledger "     \
	"WHERE programme = ?1 ORDER BY k2 DESC LIMIT ?3)), '') "                        \
	"GROUP BY k, kind ORDER BY k DESC"

static int prog_grants(struct lv_db *db, const json_t *prog, json_t **out)
{
	static const struct {
		const char *kind, *field;
		int negate;
	} cols[] = {
		{ "grant", "granted", 0 }, { "rollover", "rolled_in", 0 }, { "debit", "spent", 1 },
		{ "refund", "refunded", 0 }, { "adjustment", "adjusted", 0 },
		{ "expiry", "expired", 1 },
	};
	sqlite3_stmt *stmt = NULL;
	json_t *a = json_array(), *row = NULL;
	const char *k, *kind;
	size_t i;
	int rc, src;

	*out = NULL;
	rc = lv_db_stmt(db, GRANTS_SQL, &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, json_integer_value(json_object_get(prog, "id")));
	sqlite3_bind_int(stmt, 2, !prog_calendar(prog) &&
			 strcmp(json_string_value(json_object_get(prog, "period")), "once") != 0);
	sqlite3_bind_int(stmt, 3, ALLOWANCE_ADMIN_PERIODS);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		k = (const char *)sqlite3_column_text(stmt, 0);
		kind = (const char *)sqlite3_column_text(stmt, 1);
		if (row == NULL || strcmp(json_string_value(json_object_get(row, "period")), k) != 0) {
			row = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:n}", "period", k,
					"employees", (json_int_t)0, "granted", (json_int_t)0,
					"rolled_in", (json_int_t)0, "spent", (json_int_t)0,
					"refunded", (json_int_t)0, "adjusted", (json_int_t)0,
					"expired", (json_int_t)0, "close");
			json_array_append_new(a, row);
		}
		for (i = 0; i < N_OF(cols); i++) {
			int64_t sum = sqlite3_column_int64(stmt, 3);

			if (kind == NULL || strcmp(kind, cols[i].kind) != 0)
				continue;
			json_object_set_new(row, cols[i].field, json_integer(cols[i].negate ? -sum : sum));
			if (i == 0)
				json_object_set_new(row, "employees",
						    json_integer(sqlite3_column_int64(stmt, 2)));
		}
	}
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	*out = a;
	a = NULL;
out:
	lv_db_done(stmt);
	json_decref(a);
	return rc;
}

/* Every close of programme, newest first (bounded). OUT: *out (new array). */
static int prog_closes(struct lv_db *db, const json_t *prog, json_t **out)
{
	const char *slug = json_string_value(json_object_get(prog, "slug"));
	sqlite3_stmt *stmt = NULL;
	json_t *a = json_array();
	int rc, src;

	*out = NULL;
	rc = lv_db_stmt(db, CLOSE_COLUMNS "WHERE programme = ?1 ORDER BY period_start DESC "
			    "LIMIT 1200", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, json_integer_value(json_object_get(prog, "id")));
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(a, close_row_json(stmt, slug));
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	*out = a;
	a = NULL;
out:
	lv_db_done(stmt);
	json_decref(a);
	return rc;
}

/* The close of period key among closes, or NULL. */
static json_t *close_of(const json_t *closes, const char *key)
{
	json_t *c;
	size_t i;

	json_array_foreach(closes, i, c)
		if (strcmp(json_string_value(json_object_get(c, "period")), key) == 0)
			return c;
	return NULL;
}

/*
 * The ended periods of a calendar programme not closed yet, newest first:
 * from the one before the current back to the one the programme began in
 * (at most ALLOWANCE_ADMIN_PERIODS; a retired programme's end at its
 * retirement period).
 */
static json_t *prog_to_close(const json_t *prog, const json_t *closes, int64_t at)
{
	struct allowance_period per, prev;
	struct allowance_rule rule;
	int64_t created = json_integer_value(json_object_get(prog, "created_at"));
	int64_t retired = json_integer_value(json_object_get(prog, "retired_at"));
	json_t *out = json_array();
	int steps;

	prog_rule(prog, &rule);
	if (!prog_calendar(prog) || allowance_period_at(&rule, NULL, at, &per) != LV_OK)
		return out;
	for (steps = 0; steps < 1200 && json_array_size(out) < ALLOWANCE_ADMIN_PERIODS; steps++) {
		if (allowance_period_at(&rule, NULL, per.start - 1, &prev) != LV_OK ||
		    prev.end <= created)
			break;
		if ((retired == 0 || prev.start < retired) && close_of(closes, prev.key) == NULL)
			json_array_append_new(out, json_pack("{s:s,s:I,s:I}", "key", prev.key, "start",
							     (json_int_t)prev.start, "end",
							     (json_int_t)prev.end));
		per = prev;
	}
	return out;
}

int allowance_admin_programme_get(struct lv_db *db, const char *slug, int64_t at, json_t **out)
{
	struct allowance_period per;
	struct allowance_rule rule;
	json_t *progs = json_array(), *prog = NULL, *grants = NULL, *closes = NULL, *g, *c;
	size_t i, n;
	int rc;

	*out = NULL;
	rc = prog_by_slug(db, slug, &prog);
	if (rc != LV_OK)
		goto out;
	json_array_append(progs, prog);
	rc = progs_annotate(db, progs, at);
	if (rc == LV_OK)
		rc = prog_grants(db, prog, &grants);
	if (rc == LV_OK)
		rc = prog_closes(db, prog, &closes);
	if (rc != LV_OK)
		goto out;
	json_array_foreach(grants, i, g)
		if ((c = close_of(closes, json_string_value(json_object_get(g, "period")))) != NULL)
			json_object_set(g, "close", c);
	prog_rule(prog, &rule);
	json_object_set_new(prog, "current", json_null());
	if (prog_calendar(prog) && allowance_period_at(&rule, NULL, at, &per) == LV_OK)
		json_object_set_new(prog, "current", json_pack("{s:s,s:I,s:I}", "key", per.key,
							      "start", (json_int_t)per.start,
							      "end", (json_int_t)per.end));
	json_object_set_new(prog, "to_close", prog_to_close(prog, closes, at));
	n = json_array_size(closes);
	while (n > ALLOWANCE_ADMIN_PERIODS)
		json_array_remove(closes, --n);
	json_object_set(prog, "grants", grants);
	json_object_set(prog, "closes", closes);
	*out = prog;
	prog = NULL;
out:
	json_decref(grants);
	json_decref(closes);
	json_decref(progs);
	json_decref(prog);
	return rc;
}

#define COVERED_SQL                                                                    \
	"SELECT e.employee_id, e.name, e.department, e.site, e.job_title, e.status, "  \
	"e.hire_date, count(*) OVER () FROM employees AS e WHERE e.status <> 'left' "  \
	"AND " AUD_SQL("?1", "$") " ORDER BY e.name, e.id LIMIT ?2 OFFSET ?3"
#define COVERED_COUNT_SQL                                                              \
	"SELECT count(*) FROM employees AS e WHERE e.status <> 'left' AND "            \
	AUD_SQL("?1", "$")

int allowance_admin_covered(struct lv_db *db, const char *slug, int64_t at, int64_t offset,
			    int64_t limit, json_t **out, int64_t *total)
{
	sqlite3_stmt *stmt = NULL;
	json_t *prog = NULL, *a = json_array();
	const json_t *v;
	int rc, src, col;

	*out = NULL;
	*total = 0;
	rc = prog_by_slug(db, slug, &prog);
	if (rc != LV_OK)
		goto out;
	if (prog_retired(prog)) {
		*out = a;
		a = NULL;
		goto out;
	}
	v = version_in_force(prog, at);
	rc = lv_db_stmt(db, COVERED_SQL, &stmt);
	if (rc != LV_OK)
		goto out;
	bind_json(stmt, 1, json_object_get(v, "audience"));
	sqlite3_bind_int64(stmt, 2, limit);
	sqlite3_bind_int64(stmt, 3, offset);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		static const char *const names[] = { "employee_id", "name", "department", "site",
						     "job_title", "status", "hire_date" };
		json_t *o = json_object();

		for (col = 0; col < 7; col++)
			json_object_set_new(o, names[col], sqlite3_column_type(stmt, col) == SQLITE_NULL ?
					    json_null() :
					    json_string((const char *)sqlite3_column_text(stmt, col)));
		*total = sqlite3_column_int64(stmt, 7);
		json_array_append_new(a, o);
	}
	lv_db_done(stmt);
	stmt = NULL;
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	if (json_array_size(a) == 0 && offset > 0) {
		/* past the last page: the count alone */
		rc = lv_db_stmt(db, COVERED_COUNT_SQL, &stmt);
		if (rc != LV_OK)
			goto out;
		bind_json(stmt, 1, json_object_get(v, "audience"));
		if (sqlite3_step(stmt) == SQLITE_ROW)
			*total = sqlite3_column_int64(stmt, 0);
	}
	*out = a;
	a = NULL;
out:
	lv_db_done(stmt);
	json_decref(a);
	json_decref(prog);
	return rc;
}

int allowance_admin_adjustments(struct lv_db *db, int64_t limit, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *a = json_array();
	int rc, src;

	*out = NULL;
	rc = lv_db_stmt(db, "SELECT l.created_at, e.employee_id, e.name, p.slug, p.name, p.unit, "
			    "l.amount, l.reason, l.actor_label FROM allowance_ledger AS l JOIN "
			    "employees AS e ON e.id = l.employee JOIN allowance_programmes AS p ON "
			    "p.id = l.programme WHERE l.kind = 'adjustment' ORDER BY l.id DESC "
			    "LIMIT ?1", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, limit);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
		json_array_append_new(a, json_pack(
			"{s:I,s:s?,s:s?,s:s?,s:s?,s:s?,s:I,s:s?,s:s?}",
			"at", (json_int_t)sqlite3_column_int64(stmt, 0),
			"employee_id", (const char *)sqlite3_column_text(stmt, 1),
			"name", (const char *)sqlite3_column_text(stmt, 2),
			"programme", (const char *)sqlite3_column_text(stmt, 3),
			"programme_name", (const char *)sqlite3_column_text(stmt, 4),
			"unit", (const char *)sqlite3_column_text(stmt, 5),
			"amount", (json_int_t)sqlite3_column_int64(stmt, 6),
			"reason", (const char *)sqlite3_column_text(stmt, 7),
			"by", (const char *)sqlite3_column_text(stmt, 8)));
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	*out = a;
	a = NULL;
out:
	lv_db_done(stmt);
	json_decref(a);
	return rc;
}

int allowance_admin_history(struct lv_db *db, const char *slug, int64_t limit, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *a = json_array(), *o;
	int rc, src;

	*out = NULL;
	rc = lv_db_stmt(db, "SELECT at, actor_label, address, action, before, after FROM audit_log "
			    "WHERE entity = 'allowance_programme' AND entity_id = ?1 "
			    "ORDER BY id DESC LIMIT ?2", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, slug);
	sqlite3_bind_int64(stmt, 2, limit);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(stmt, 4);
		const char *f = (const char *)sqlite3_column_text(stmt, 5);

		o = json_pack("{s:I,s:s?,s:s?,s:s?}", "at", (json_int_t)sqlite3_column_int64(stmt, 0),
			      "by", (const char *)sqlite3_column_text(stmt, 1),
			      "address", (const char *)sqlite3_column_text(stmt, 2),
			      "action", (const char *)sqlite3_column_text(stmt, 3));
		json_object_set_new(o, "before", b ? json_loads(b, 0, NULL) : NULL);
		json_object_set_new(o, "after", f ? json_loads(f, 0, NULL) : NULL);
		json_array_append_new(a, o);
	}
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	*out = a;
	a = NULL;
out:
	lv_db_done(stmt);
	json_decref(a);
	return rc;
}
