/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * allowance.c - allowance programmes, their periods, and the append-only
 * ledger (see allowance.h and docs/allowances.md).
 *
 * Periods are computed in the process's local time zone with localtime_r
 * and mktime only: a period starts at local midnight of its first day and
 * ends (exclusive) at local midnight of the next period's first day, so a
 * DST change inside a period moves nothing. Day counts for proration use
 * local noon of each day, which is never skipped or repeated by DST.
 *
 * Materialisation writes each grant, rollover and expiry with one INSERT
 * ... ON CONFLICT DO NOTHING whose amount the same statement computes from
 * the ledger, so it is idempotent and a concurrent caller on another
 * connection can neither double an entry nor make one from a stale sum.
 */
#include "allowance.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"

/* A programme as the ledger code needs it, read from its JSON form. */
struct prog {
	int64_t id;
	const char *slug;
	struct allowance_rule rule;
	int64_t amount;
	int prorate;
	int64_t cap;
	int64_t elig_days;
	int64_t created_at;
	int64_t retired_at; /* 0: active */
};

static const char *const period_names[] = { "monthly", "quarterly", "yearly", "once" };
static const char *const reset_names[] = { "calendar", "hire_anniversary" };

/* ---- dates and periods ---- */

/* Local midnight of y-m-d (m 0-based; out-of-range m and d normalise). */
static int64_t date_midnight(int y, int m, int d)
{
	struct tm t;

	memset(&t, 0, sizeof(t));
	t.tm_year = y - 1900;
	t.tm_mon = m;
	t.tm_mday = d;
	t.tm_isdst = -1;
	return (int64_t)mktime(&t);
}

/* Days in month m (0-based) of year y. */
static int month_days(int y, int m)
{
	struct tm t;

	memset(&t, 0, sizeof(t));
	t.tm_year = y - 1900;
	t.tm_mon = m + 1;
	t.tm_mday = 0; /* the last day of month m */
	t.tm_hour = 12;
	t.tm_isdst = -1;
	mktime(&t);
	return t.tm_mday;
}

/* Parses "YYYY-MM-DD" (a real date) into y, m (0-based), d. LV_OK or LV_EINVAL. */
static int date_parse(const char *s, int *y, int *m, int *d)
{
	int64_t yy, mm, dd;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return LV_EINVAL;
	if (lv_parse_i64n(s, 4, 1900, 9999, &yy) != LV_OK ||
	    lv_parse_i64n(s + 5, 2, 1, 12, &mm) != LV_OK ||
	    lv_parse_i64n(s + 8, 2, 1, 31, &dd) != LV_OK)
		return LV_EINVAL;
	if (s[0] == '+' || s[0] == '-' || s[5] == '+' || s[5] == '-' || s[8] == '+' ||
	    s[8] == '-')
		return LV_EINVAL;
	if (dd > month_days((int)yy, (int)mm - 1))
		return LV_EINVAL;
	*y = (int)yy;
	*m = (int)mm - 1;
	*d = (int)dd;
	return LV_OK;
}

/* The number of calendar days from the local day of a to that of b. */
static int64_t day_count(int64_t a, int64_t b)
{
	time_t ta = (time_t)a, tb = (time_t)b;
	struct tm la, lb;
	int64_t na, nb;

	localtime_r(&ta, &la);
	localtime_r(&tb, &lb);
	la.tm_hour = lb.tm_hour = 12;
	la.tm_min = lb.tm_min = la.tm_sec = lb.tm_sec = 0;
	la.tm_isdst = lb.tm_isdst = -1;
	na = (int64_t)mktime(&la);
	nb = (int64_t)mktime(&lb);
	/* noon to noon is 24 h +- 1 h per day: rounding gives whole days */
	return nb >= na ? (nb - na + 43200) / 86400 : -((na - nb + 43200) / 86400);
}

/* Start of the months-th monthly anniversary of hire (y, m, d). */
static int64_t anniversary(int y, int m, int d, int months)
{
	int total = m + months, yy = y + total / 12, mm = total % 12, dim;

	dim = month_days(yy, mm);
	return date_midnight(yy, mm, d < dim ? d : dim);
}

static void key_of_date(char *key, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm l;

	localtime_r(&tt, &l);
	lv_snprintf(key, len, "%04d-%02d-%02d", l.tm_year + 1900, l.tm_mon + 1, l.tm_mday);
}

int allowance_period_at(const struct allowance_rule *rule, const char *hire_date,
			int64_t at, struct allowance_period *out)
{
	static const int steps[] = { 1, 3, 12, 0 };
	time_t t = (time_t)at;
	struct tm l;
	int y, m, q, hy, hm, hd, step, k, rc = LV_OK;

	memset(out, 0, sizeof(*out));
	localtime_r(&t, &l);
	y = l.tm_year + 1900;
	m = l.tm_mon;
	if (rule->period == ALLOWANCE_ONCE) {
		lv_strlcpy(out->key, "once", sizeof(out->key));
		goto out;
	}
	if (rule->reset == ALLOWANCE_RESET_CALENDAR) {
		switch (rule->period) {
		case ALLOWANCE_MONTHLY:
			out->start = date_midnight(y, m, 1);
			out->end = date_midnight(y, m + 1, 1);
			lv_snprintf(out->key, sizeof(out->key), "%04d-%02d", y, m + 1);
			break;
		case ALLOWANCE_QUARTERLY:
			q = m / 3;
			out->start = date_midnight(y, q * 3, 1);
			out->end = date_midnight(y, q * 3 + 3, 1);
			lv_snprintf(out->key, sizeof(out->key), "%04d-Q%d", y, q + 1);
			break;
		default:
			out->start = date_midnight(y, 0, 1);
			out->end = date_midnight(y + 1, 0, 1);
			lv_snprintf(out->key, sizeof(out->key), "%04d", y);
			break;
		}
		goto out;
	}
	if (hire_date == NULL) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	rc = date_parse(hire_date, &hy, &hm, &hd);
	if (rc != LV_OK)
		goto out;
	if (at < date_midnight(hy, hm, hd)) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	step = steps[rule->period];
	k = ((y - hy) * 12 + (m - hm)) / step;
	if (k > 0 && anniversary(hy, hm, hd, k * step) > at)
		k--;
	if (anniversary(hy, hm, hd, (k + 1) * step) <= at)
		k++;
	out->start = anniversary(hy, hm, hd, k * step);
	out->end = anniversary(hy, hm, hd, (k + 1) * step);
	key_of_date(out->key, sizeof(out->key), out->start);
out:
	return rc;
}

int64_t allowance_prorate(int64_t amount, int64_t days, int64_t period_days)
{
	/* round half up: floor((2 * amount * days + period_days) / (2 * period_days)) */
	return (2 * amount * days + period_days) / (2 * period_days);
}

/* ---- transactions ---- */

/* ---- programme validation ---- */

static const char *const programme_keys[] = {
	"slug", "name", "audience", "unit", "amount", "points_rate", "period", "reset",
	"prorate", "rollover_cap", "eligibility_days", "categories", "tags", "overage",
	"position",
};

static const char *const audience_keys[] = {
	"departments", "sites", "job_titles", "groups", "employment_types", "employee_ids",
};

static int name_index(const char *s, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A non-empty array of non-empty strings of at most 200 bytes each (or, when
 * may_be_empty, possibly empty). */
static int check_strings(const json_t *v, int may_be_empty, const char *field, char *msg,
			 size_t msglen)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v)) {
		lv_snprintf(msg, msglen, "%s: must be an array of strings", field);
		return LV_EINVAL;
	}
	if (!may_be_empty && json_array_size(v) == 0) {
		lv_snprintf(msg, msglen, "%s: must list at least one value, or be left out", field);
		return LV_EINVAL;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || json_string_length(e) == 0 ||
		    json_string_length(e) > 200) {
			lv_snprintf(msg, msglen, "%s: item %zu must be a non-empty string "
				    "of at most 200 bytes", field, i + 1);
			return LV_EINVAL;
		}
	}
	return LV_OK;
}

/* An integer field within [min, max]; absent gives dflt. OUT: *out. */
static int check_int(const json_t *def, const char *field, int required, int64_t dflt,
		     int64_t min, int64_t max, int64_t *out, char *msg, size_t msglen)
{
	json_t *v = json_object_get(def, field);

	if (v == NULL && !required) {
		*out = dflt;
		return LV_OK;
	}
	if (v == NULL) {
		lv_snprintf(msg, msglen, "%s: is required", field);
		return LV_EINVAL;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		lv_snprintf(msg, msglen, "%s: must be a whole number from %lld to %lld", field,
			    (long long)min, (long long)max);
		return LV_EINVAL;
	}
	*out = json_integer_value(v);
	return LV_OK;
}

/* One of names; absent gives dflt (NULL: required). OUT: *out, the index. */
static int check_enum(const json_t *def, const char *field, const char *const *names,
		      size_t n, const char *dflt, int *out, char *msg, size_t msglen)
{
	json_t *v = json_object_get(def, field);
	const char *s = v == NULL ? dflt : json_string_value(v);
	size_t i, used;

	if (v == NULL && dflt == NULL) {
		lv_snprintf(msg, msglen, "%s: is required", field);
		return LV_EINVAL;
	}
	*out = name_index(s, names, n);
	if (*out >= 0)
		return LV_OK;
	lv_snprintf(msg, msglen, "%s: must be one of ", field);
	for (i = 0; i < n; i++) {
		used = strlen(msg);
		if (lv_snprintf(msg + used, msglen - used, "%s%s", names[i],
				i + 1 < n ? ", " : "") < 0)
			break;
	}
	return LV_EINVAL;
}

/* Validates def. OUT: the parsed fields that the insert binds. */
struct prog_def {
	const char *slug, *name;
	int unit, period, reset, overage, prorate;
	int64_t amount, points_rate, cap, elig_days, position;
	json_t *audience, *categories, *tags; /* borrowed from def */
};

static int programme_validate(const json_t *def, struct prog_def *p, char *msg, size_t msglen)
{
	static const char *const units[] = { "money", "points" };
	static const char *const overages[] = { "deny", "approval", "payroll" };
	const char *key, *s;
	json_t *v;
	size_t n;
	int rc = LV_EINVAL;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(def)) {
		lv_snprintf(msg, msglen, "a programme must be a JSON object");
		goto out;
	}
	json_object_foreach((json_t *)def, key, v) {
		if (name_index(key, programme_keys, N_OF(programme_keys)) < 0) {
			lv_snprintf(msg, msglen, "%.64s: is not a programme field", key);
			goto out;
		}
	}
	s = json_string_value(json_object_get(def, "slug"));
	if (s == NULL) {
		lv_snprintf(msg, msglen, "slug: is required (a string)");
		goto out;
	}
	n = strlen(s);
	if (n == 0 || n > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n) {
		lv_snprintf(msg, msglen, "slug: must be 1 to 64 of a-z, 0-9 and -");
		goto out;
	}
	p->slug = s;
	s = json_string_value(json_object_get(def, "name"));
	if (s == NULL || s[0] == '\0' || strlen(s) > 200) {
		lv_snprintf(msg, msglen, "name: is required (1 to 200 bytes of text)");
		goto out;
	}
	p->name = s;
	if (check_enum(def, "unit", units, N_OF(units), NULL, &p->unit, msg, msglen) ||
	    check_int(def, "amount", 1, 0, 1, INT64_C(1000000000000), &p->amount, msg, msglen) ||
	    check_enum(def, "period", period_names, N_OF(period_names), NULL, &p->period, msg,
		       msglen) ||
	    check_enum(def, "reset", reset_names, N_OF(reset_names), "calendar", &p->reset, msg,
		       msglen) ||
	    check_int(def, "rollover_cap", 0, 0, 0, INT64_C(1000000000000), &p->cap, msg,
		      msglen) ||
	    check_int(def, "eligibility_days", 0, 0, 0, 36600, &p->elig_days, msg, msglen) ||
	    check_enum(def, "overage", overages, N_OF(overages), "deny", &p->overage, msg,
		       msglen) ||
	    check_int(def, "position", 0, 0, -1000000, 1000000, &p->position, msg, msglen))
		goto out;
	v = json_object_get(def, "points_rate");
	if (p->unit == 1) {
		if (check_int(def, "points_rate", 1, 0, 1, INT64_C(1000000000), &p->points_rate,
			      msg, msglen))
			goto out;
	} else if (v != NULL) {
		lv_snprintf(msg, msglen, "points_rate: only a programme in points has one");
		goto out;
	}
	v = json_object_get(def, "prorate");
	if (v != NULL && !json_is_boolean(v)) {
		lv_snprintf(msg, msglen, "prorate: must be true or false");
		goto out;
	}
	p->prorate = json_is_true(v);
	if (p->period == ALLOWANCE_ONCE && p->reset != ALLOWANCE_RESET_CALENDAR) {
		lv_snprintf(msg, msglen, "reset: a 'once' programme never resets "
			    "(leave reset out)");
		goto out;
	}
	if (p->period == ALLOWANCE_ONCE && p->cap != 0) {
		lv_snprintf(msg, msglen, "rollover_cap: a 'once' programme has no next period");
		goto out;
	}
	p->audience = json_object_get(def, "audience");
	if (p->audience != NULL) {
		if (!json_is_object(p->audience)) {
			lv_snprintf(msg, msglen, "audience: must be an object");
			goto out;
		}
		json_object_foreach(p->audience, key, v) {
			char field[96];

			if (name_index(key, audience_keys, N_OF(audience_keys)) < 0) {
				lv_snprintf(msg, msglen, "audience.%.40s: must be one of "
					    "departments, sites, job_titles, groups, "
					    "employment_types, employee_ids", key);
				goto out;
			}
			lv_snprintf(field, sizeof(field), "audience.%s", key);
			if (check_strings(v, 0, field, msg, msglen))
				goto out;
		}
	}
	p->categories = json_object_get(def, "categories");
	if (p->categories != NULL && check_strings(p->categories, 1, "categories", msg, msglen))
		goto out;
	p->tags = json_object_get(def, "tags");
	if (p->tags != NULL && check_strings(p->tags, 1, "tags", msg, msglen))
		goto out;
	rc = LV_OK;
out:
	return rc;
}

/* Binds json (or dflt when NULL) as compact text. */
static int bind_json(sqlite3_stmt *stmt, int idx, const json_t *v, const char *dflt)
{
	char *s = v == NULL ? NULL : json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = sqlite3_bind_text(stmt, idx, s != NULL ? s : dflt, -1, SQLITE_TRANSIENT);

	free(s);
	return rc;
}

int allowance_programme_create(struct lv_db *db, const json_t *def, int64_t *id,
			       char *msg, size_t msglen)
{
	static const char *const units[] = { "money", "points" };
	static const char *const overages[] = { "deny", "approval", "payroll" };
	sqlite3_stmt *stmt = NULL;
	struct prog_def p;
	int rc, src;

	*id = 0;
	rc = programme_validate(def, &p, msg, msglen);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_stmt(db, "INSERT INTO allowance_programmes (slug, name, audience, unit, "
			    "amount, points_rate, period, reset, prorate, rollover_cap, "
			    "eligibility_days, categories, tags, overage, position, created_at) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
			    "?15, ?16)", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, p.slug);
	lv_db_bind_text(stmt, 2, p.name);
	bind_json(stmt, 3, p.audience, "{}");
	lv_db_bind_text(stmt, 4, units[p.unit]);
	sqlite3_bind_int64(stmt, 5, p.amount);
	if (p.unit == 1)
		sqlite3_bind_int64(stmt, 6, p.points_rate);
	lv_db_bind_text(stmt, 7, period_names[p.period]);
	lv_db_bind_text(stmt, 8, reset_names[p.reset]);
	sqlite3_bind_int(stmt, 9, p.prorate);
	sqlite3_bind_int64(stmt, 10, p.cap);
	sqlite3_bind_int64(stmt, 11, p.elig_days);
	bind_json(stmt, 12, p.categories, "[]");
	bind_json(stmt, 13, p.tags, "[]");
	lv_db_bind_text(stmt, 14, overages[p.overage]);
	sqlite3_bind_int64(stmt, 15, p.position);
	sqlite3_bind_int64(stmt, 16, lv_now());
	src = sqlite3_step(stmt);
	if (src == SQLITE_DONE) {
		*id = sqlite3_last_insert_rowid(db->conn);
	} else if (sqlite3_extended_errcode(db->conn) == SQLITE_CONSTRAINT_UNIQUE) {
		lv_snprintf(msg, msglen, "slug: a programme \"%s\" already exists", p.slug);
		rc = LV_ECONFLICT;
	} else {
		lv_snprintf(msg, msglen, "the programme could not be stored: %s",
			    sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(stmt);
	return rc;
}

int allowance_programme_find(struct lv_db *db, const char *slug, int64_t *id)
{
	return lv_db_lookup_id(db, "SELECT id FROM allowance_programmes WHERE slug = ?1", slug, id);
}

/* ---- reading programmes ---- */

#define PROGRAMME_COLUMNS                                                              \
	"SELECT id, slug, name, audience, unit, amount, points_rate, period, reset, "  \
	"prorate, rollover_cap, eligibility_days, categories, tags, overage, "         \
	"position, active, created_at, retired_at FROM allowance_programmes "

/* What a programme's row holds that no version does. */
#define PROGRAMME_LEAN_COLUMNS                                                         \
	"SELECT id, slug, unit, period, reset, active, created_at, retired_at "         \
	"FROM allowance_programmes "

#define VERSION_COLUMNS                                                                \
	"SELECT programme, id, valid_from, name, audience, amount, points_rate, "       \
	"prorate, rollover_cap, eligibility_days, categories, tags, overage, position, " \
	"created_at FROM allowance_programme_versions "

/* The fields a version gives its programme; slug, unit, period and reset never change. */
static const char *const version_fields[] = {
	"name", "audience", "amount", "points_rate", "prorate", "rollover_cap",
	"eligibility_days", "categories", "tags", "overage", "position",
};

/* A JSON column's value, or fallback when it does not parse (never NULL). */
static json_t *column_json(sqlite3_stmt *stmt, int col, json_t *fallback)
{
	const char *s = (const char *)sqlite3_column_text(stmt, col);
	json_t *v = s == NULL ? NULL : json_loads(s, 0, NULL);

	if (v == NULL)
		return fallback;
	json_decref(fallback);
	return v;
}

/* The programme in stmt's current row as a new JSON object. */
static json_t *programme_row_json(sqlite3_stmt *stmt)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(stmt, 0)));
	json_object_set_new(o, "slug", json_string((const char *)sqlite3_column_text(stmt, 1)));
	json_object_set_new(o, "name", json_string((const char *)sqlite3_column_text(stmt, 2)));
	json_object_set_new(o, "audience", column_json(stmt, 3, json_object()));
	json_object_set_new(o, "unit", json_string((const char *)sqlite3_column_text(stmt, 4)));
	json_object_set_new(o, "amount", json_integer(sqlite3_column_int64(stmt, 5)));
	json_object_set_new(o, "points_rate", sqlite3_column_type(stmt, 6) == SQLITE_NULL ?
			    json_null() : json_integer(sqlite3_column_int64(stmt, 6)));
	json_object_set_new(o, "period", json_string((const char *)sqlite3_column_text(stmt, 7)));
	json_object_set_new(o, "reset", json_string((const char *)sqlite3_column_text(stmt, 8)));
	json_object_set_new(o, "prorate", json_boolean(sqlite3_column_int(stmt, 9)));
	json_object_set_new(o, "rollover_cap", json_integer(sqlite3_column_int64(stmt, 10)));
	json_object_set_new(o, "eligibility_days", json_integer(sqlite3_column_int64(stmt, 11)));
	json_object_set_new(o, "categories", column_json(stmt, 12, json_array()));
	json_object_set_new(o, "tags", column_json(stmt, 13, json_array()));
	json_object_set_new(o, "overage", json_string((const char *)sqlite3_column_text(stmt, 14)));
	json_object_set_new(o, "position", json_integer(sqlite3_column_int64(stmt, 15)));
	json_object_set_new(o, "active", json_boolean(sqlite3_column_int(stmt, 16)));
	json_object_set_new(o, "created_at", json_integer(sqlite3_column_int64(stmt, 17)));
	json_object_set_new(o, "retired_at", sqlite3_column_type(stmt, 18) == SQLITE_NULL ?
			    json_null() : json_integer(sqlite3_column_int64(stmt, 18)));
	return o;
}

/* The version in stmt's current row (VERSION_COLUMNS) as a new JSON object. */
static json_t *version_row_json(sqlite3_stmt *stmt)
{
	json_t *o = json_object();

	json_object_set_new(o, "version", json_integer(sqlite3_column_int64(stmt, 1)));
	json_object_set_new(o, "valid_from", json_integer(sqlite3_column_int64(stmt, 2)));
	json_object_set_new(o, "name", json_string((const char *)sqlite3_column_text(stmt, 3)));
	json_object_set_new(o, "audience", column_json(stmt, 4, json_object()));
	json_object_set_new(o, "amount", json_integer(sqlite3_column_int64(stmt, 5)));
	json_object_set_new(o, "points_rate", sqlite3_column_type(stmt, 6) == SQLITE_NULL ?
			    json_null() : json_integer(sqlite3_column_int64(stmt, 6)));
	json_object_set_new(o, "prorate", json_boolean(sqlite3_column_int(stmt, 7)));
	json_object_set_new(o, "rollover_cap", json_integer(sqlite3_column_int64(stmt, 8)));
	json_object_set_new(o, "eligibility_days", json_integer(sqlite3_column_int64(stmt, 9)));
	json_object_set_new(o, "categories", column_json(stmt, 10, json_array()));
	json_object_set_new(o, "tags", column_json(stmt, 11, json_array()));
	json_object_set_new(o, "overage", json_string((const char *)sqlite3_column_text(stmt, 12)));
	json_object_set_new(o, "position", json_integer(sqlite3_column_int64(stmt, 13)));
	json_object_set_new(o, "saved_at", json_integer(sqlite3_column_int64(stmt, 14)));
	return o;
}

/* Fills p from o (a programme_row_json object, which keeps the strings). */
static void prog_from_json(const json_t *o, struct prog *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->id = json_integer_value(json_object_get(o, "id"));
	p->slug = json_string_value(json_object_get(o, "slug"));
	i = name_index(json_string_value(json_object_get(o, "period")), period_names,
		       N_OF(period_names));
	p->rule.period = i < 0 ? ALLOWANCE_ONCE : (enum allowance_period_kind)i;
	i = name_index(json_string_value(json_object_get(o, "reset")), reset_names,
		       N_OF(reset_names));
	p->rule.reset = i == 1 ? ALLOWANCE_RESET_ANNIVERSARY : ALLOWANCE_RESET_CALENDAR;
	p->amount = json_integer_value(json_object_get(o, "amount"));
	p->prorate = json_is_true(json_object_get(o, "prorate"));
	p->cap = json_integer_value(json_object_get(o, "rollover_cap"));
	p->elig_days = json_integer_value(json_object_get(o, "eligibility_days"));
	p->created_at = json_integer_value(json_object_get(o, "created_at"));
	p->retired_at = json_integer_value(json_object_get(o, "retired_at"));
}

struct emp;
static int audience_match(const json_t *aud, const struct emp *e);

/*
 * The programmes sql selects (PROGRAMME_COLUMNS ...), as a JSON array;
 * with e, only those whose audience selects e. OUT: *out (caller decrefs).
 */
static int programmes_read(struct lv_db *db, const char *sql, const struct emp *e,
			   json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *a = json_array(), *o;
	int rc, src;

	*out = NULL;
	rc = lv_db_stmt(db, sql, &stmt);
	if (rc != LV_OK)
		goto out;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		o = programme_row_json(stmt);
		if (e == NULL || audience_match(json_object_get(o, "audience"), e))
			json_array_append_new(a, o);
		else
			json_decref(o);
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

int allowance_programme_list(struct lv_db *db, json_t **out)
{
	return programmes_read(db, PROGRAMME_COLUMNS "ORDER BY position, id", NULL, out);
}

/* One programme by id as JSON. OUT: *out (caller decrefs). */
static int programme_get(struct lv_db *db, int64_t id, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*out = NULL;
	rc = lv_db_stmt(db, PROGRAMME_COLUMNS "WHERE id = ?1", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = programme_row_json(stmt);
	else
		rc = LV_ENOTFOUND;
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * Every programme (id 0) or programme id, in id order, each with
 * "versions": its versions, oldest first (two queries). OUT: *out, a new
 * array (caller decrefs). Returns LV_OK, LV_ENOTFOUND (no programme id) or
 * LV_EINTERNAL.
 */
static int programmes_load(struct lv_db *db, int64_t id, json_t **out)
{
	sqlite3_stmt *stmt = NULL;
	json_t *a = json_array(), *o, *vs;
	size_t k = 0, i;
	int64_t pid;
	int rc, src;

	*out = NULL;
	/* the row's own copies of the newest version's fields are not read: the version gives them */
	rc = lv_db_stmt(db, id > 0 ? PROGRAMME_LEAN_COLUMNS "WHERE id = ?1" :
			    PROGRAMME_LEAN_COLUMNS "ORDER BY id", &stmt);
	if (rc != LV_OK)
		goto out;
	if (id > 0)
		sqlite3_bind_int64(stmt, 1, id);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:b,s:I,s:o,s:[]}",
			      "id", (json_int_t)sqlite3_column_int64(stmt, 0),
			      "slug", (const char *)sqlite3_column_text(stmt, 1),
			      "unit", (const char *)sqlite3_column_text(stmt, 2),
			      "period", (const char *)sqlite3_column_text(stmt, 3),
			      "reset", (const char *)sqlite3_column_text(stmt, 4),
			      "active", sqlite3_column_int(stmt, 5),
			      "created_at", (json_int_t)sqlite3_column_int64(stmt, 6),
			      "retired_at", sqlite3_column_type(stmt, 7) == SQLITE_NULL ? json_null() :
			      json_integer(sqlite3_column_int64(stmt, 7)), "versions");
		json_array_append_new(a, o);
	}
	lv_db_done(stmt);
	stmt = NULL;
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	if (id > 0 && json_array_size(a) == 0) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	rc = lv_db_stmt(db, id > 0 ? VERSION_COLUMNS "WHERE programme = ?1 ORDER BY id" :
			    VERSION_COLUMNS "ORDER BY programme, id", &stmt);
	if (rc != LV_OK)
		goto out;
	if (id > 0)
		sqlite3_bind_int64(stmt, 1, id);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		pid = sqlite3_column_int64(stmt, 0);
		while (k < json_array_size(a) &&
		       json_integer_value(json_object_get(json_array_get(a, k), "id")) < pid)
			k++;
		o = json_array_get(a, k);
		if (o != NULL && json_integer_value(json_object_get(o, "id")) == pid)
			json_array_append_new(json_object_get(o, "versions"), version_row_json(stmt));
	}
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	/* the row shows its newest version (0011's trigger gives every programme a first one) */
	json_array_foreach(a, i, o) {
		vs = json_object_get(o, "versions");
		if (json_array_size(vs) == 0) {
			lv_error("allowance.versions", "programme=%lld has no version",
				 (long long)json_integer_value(json_object_get(o, "id")));
			rc = LV_EINTERNAL;
			goto out;
		}
		for (k = 0; k < N_OF(version_fields); k++)
			json_object_set(o, version_fields[k],
					json_object_get(json_array_get(vs, json_array_size(vs) - 1),
							version_fields[k]));
	}
	*out = a;
	a = NULL;
out:
	lv_db_done(stmt);
	json_decref(a);
	return rc;
}

int allowance_programmes_load(struct lv_db *db, json_t **out)
{
	return programmes_load(db, 0, out);
}

int allowance_programme_load(struct lv_db *db, int64_t id, json_t **out)
{
	json_t *a = NULL;
	int rc = id > 0 ? programmes_load(db, id, &a) : LV_ENOTFOUND;

	*out = NULL;
	if (rc == LV_OK)
		*out = json_incref(json_array_get(a, 0));
	json_decref(a);
	return rc;
}

/* ---- versions and grants ---- */

/*
 * When an employee hired on hire_date may first be granted under version
 * v of p. OUT: *from, the later of the programme's creation and the
 * eligibility date; *elig, that date (0 without a hire date). Returns 1,
 * or 0 when never: without a hire date, an anniversary reset or days of
 * service to count cannot be applied (docs/allowances.md).
 */
static int version_from(const struct prog *p, const json_t *v, const char *hire_date,
			int64_t *from, int64_t *elig)
{
	int64_t days = json_integer_value(json_object_get(v, "eligibility_days"));
	int y, m, d;

	*from = p->created_at;
	*elig = 0;
	if (hire_date == NULL || date_parse(hire_date, &y, &m, &d) != LV_OK)
		return p->rule.reset == ALLOWANCE_RESET_CALENDAR && days == 0;
	*elig = date_midnight(y, m, d + (int)days);
	if (*elig > *from)
		*from = *elig;
	return 1;
}

/* The newest version of prog saved at or before t (the first when none). */
static const json_t *version_at(const json_t *prog, int64_t t)
{
	const json_t *vs = json_object_get(prog, "versions"), *v;
	size_t i;

	for (i = json_array_size(vs); i-- > 1;) {
		v = json_array_get(vs, i);
		if (json_integer_value(json_object_get(v, "valid_from")) <= t)
			return v;
	}
	return json_array_get(vs, 0);
}

const json_t *allowance_version_for(const json_t *prog, const char *hire_date,
				    const struct allowance_period *per)
{
	const json_t *vs = json_object_get(prog, "versions"), *v;
	int64_t from, elig;
	struct prog p;
	size_t i;

	prog_from_json(prog, &p);
	if (p.rule.period != ALLOWANCE_ONCE)
		return version_at(prog, per->start);
	/* a 'once' period has no start: the version in force when the employee became eligible under it */
	for (i = json_array_size(vs); i-- > 1;) {
		v = json_array_get(vs, i);
		if (!version_from(&p, v, hire_date, &from, &elig) ||
		    json_integer_value(json_object_get(v, "valid_from")) <= from)
			return v;
	}
	return json_array_get(vs, 0);
}

int64_t allowance_grant_for(const json_t *prog, const json_t *v, const char *hire_date,
			    const struct allowance_period *per, int64_t *due)
{
	int64_t from, elig, amount = json_integer_value(json_object_get(v, "amount"));
	struct prog p;

	prog_from_json(prog, &p);
	*due = 0;
	if (!version_from(&p, v, hire_date, &from, &elig))
		return 0;
	if (p.rule.period == ALLOWANCE_ONCE) {
		*due = from;
		return amount;
	}
	if (from >= per->end)
		return 0;
	*due = from > per->start ? from : per->start;
	if (json_is_true(json_object_get(v, "prorate")) && elig > per->start)
		amount = allowance_prorate(amount, day_count(elig, per->end),
					   day_count(per->start, per->end));
	return amount;
}

/* prog's row with version v's fields: the programme as an employee has it (a new object). */
static json_t *prog_in_force(const json_t *prog, const json_t *v)
{
	json_t *o = json_object(), *val;
	const char *key;
	size_t i;

	json_object_foreach((json_t *)prog, key, val)
		if (strcmp(key, "versions") != 0)
			json_object_set(o, key, val);
	for (i = 0; i < N_OF(version_fields); i++)
		json_object_set(o, version_fields[i], json_object_get(v, version_fields[i]));
	json_object_set(o, "version", json_object_get(v, "version"));
	return o;
}

/* Checkout order: position, then id. */
static int prog_order_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	json_int_t px = json_integer_value(json_object_get(x, "position"));
	json_int_t py = json_integer_value(json_object_get(y, "position"));
	json_int_t ix = json_integer_value(json_object_get(x, "id"));
	json_int_t iy = json_integer_value(json_object_get(y, "id"));

	if (px != py)
		return px < py ? -1 : 1;
	return ix < iy ? -1 : ix > iy;
}

/* Sorts the programmes of a (a JSON array) into checkout order. */
static void progs_sort(json_t *a)
{
	size_t i, n = json_array_size(a);
	json_t **v = lv_calloc(n + 1, sizeof(*v));

	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), prog_order_cmp);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	lv_free(v);
}

/* ---- employees and audiences ---- */

/* What audiences and periods look at. Strings owned by the struct. */
struct emp {
	char *employee_id, *department, *site, *job_title, *employment_type, *hire_date;
	json_t *groups;
	char *status;      /* employees.status now */
	json_t *statuses;  /* [[at, previous, status]...], oldest first (0010) */
};

/* The employee columns emp_from_row reads: id, then what struct emp holds. */
#define EMP_COLUMNS                                                                    \
	"SELECT id, employee_id, department, site, job_title, employment_type, "      \
	"hire_date, groups, status, (SELECT json_group_array(json_array(at, "         \
	"previous, status)) FROM (SELECT at, previous, status FROM "                  \
	"employee_status_changes WHERE employee = employees.id ORDER BY at, id)) "    \
	"FROM employees "

static void emp_cleanup(struct emp *e)
{
	lv_free(e->employee_id);
	lv_free(e->department);
	lv_free(e->site);
	lv_free(e->job_title);
	lv_free(e->employment_type);
	lv_free(e->hire_date);
	json_decref(e->groups);
	lv_free(e->status);
	json_decref(e->statuses);
	memset(e, 0, sizeof(*e));
}

/* Fills e from stmt's current row (EMP_COLUMNS). */
static void emp_from_row(sqlite3_stmt *stmt, struct emp *e)
{
	memset(e, 0, sizeof(*e));
	e->employee_id = lv_db_column_strdup(stmt, 1, NULL);
	e->department = lv_db_column_strdup(stmt, 2, NULL);
	e->site = lv_db_column_strdup(stmt, 3, NULL);
	e->job_title = lv_db_column_strdup(stmt, 4, NULL);
	e->employment_type = lv_db_column_strdup(stmt, 5, NULL);
	e->hire_date = lv_db_column_strdup(stmt, 6, NULL);
	e->groups = column_json(stmt, 7, json_array());
	e->status = lv_db_column_strdup(stmt, 8, "active");
	e->statuses = column_json(stmt, 9, json_array());
}

/*
 * e's status at t (docs/allowances.md, "On leave and leavers"): that of
 * the newest status change at or before t, the status the first change
 * left before it, and employees.status from the newest change on (or
 * always, when there was none).
 */
static const char *emp_status_at(const struct emp *e, int64_t t)
{
	size_t n = json_array_size(e->statuses), i;
	const json_t *c;

	if (n == 0 || t >= json_integer_value(json_array_get(json_array_get(e->statuses, n - 1), 0)))
		return e->status;
	for (i = n; i-- > 0;) {
		c = json_array_get(e->statuses, i);
		if (json_integer_value(json_array_get(c, 0)) <= t)
			return json_string_value(json_array_get(c, 2));
	}
	return json_string_value(json_array_get(json_array_get(e->statuses, 0), 1));
}

/* Grants are paused while e is not active: on leave, gone or suspended. */
static int emp_paused_at(const struct emp *e, int64_t t)
{
	const char *st = emp_status_at(e, t);

	return st == NULL || strcmp(st, "active") != 0;
}

/* The ledger of an employee who has left is frozen: nothing is written for them. */
static int emp_frozen(const struct emp *e)
{
	return e->status != NULL && strcmp(e->status, "left") == 0;
}

static int emp_load(struct lv_db *db, int64_t id, struct emp *e)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	memset(e, 0, sizeof(*e));
	rc = lv_db_stmt(db, EMP_COLUMNS "WHERE id = ?1", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	emp_from_row(stmt, e);
out:
	lv_db_done(stmt);
	return rc;
}

static int list_has(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	if (s == NULL)
		return 0;
	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* Whether selector aud selects e (see allowance_programmes_for_employee). */
static int audience_match(const json_t *aud, const struct emp *e)
{
	const char *key;
	json_t *list, *g;
	size_t i;
	int any;

	json_object_foreach((json_t *)aud, key, list) {
		if (strcmp(key, "groups") == 0) {
			any = 0;
			json_array_foreach(e->groups, i, g)
				any |= list_has(list, json_string_value(g));
			if (!any)
				return 0;
			continue;
		}
		if (!list_has(list, strcmp(key, "departments") == 0 ? e->department :
				    strcmp(key, "sites") == 0 ? e->site :
				    strcmp(key, "job_titles") == 0 ? e->job_title :
				    strcmp(key, "employment_types") == 0 ? e->employment_type :
				    strcmp(key, "employee_ids") == 0 ? e->employee_id : NULL))
			return 0;
	}
	return 1;
}

/* Does any version of prog select e? */
static int prog_ever_selects(const json_t *prog, const struct emp *e)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(prog, "versions"), i, v)
		if (audience_match(json_object_get(v, "audience"), e))
			return 1;
	return 0;
}

/*
 * Does e have prog at `at`, and as which version? OUT: *v. A programme is
 * e's when the version in force for e's period then selects e; a retired
 * one only while that period began before the retirement (a 'once'
 * programme: while e became eligible before it), so that what is left is
 * spent until the period ends (docs/allowances.md).
 */
static int prog_current(const json_t *prog, const struct emp *e, int64_t at, const json_t **v)
{
	struct allowance_period per;
	int64_t from, elig;
	struct prog p;
	int found;

	prog_from_json(prog, &p);
	found = allowance_period_at(&p.rule, e->hire_date, at, &per) == LV_OK;
	*v = found ? allowance_version_for(prog, e->hire_date, &per) : version_at(prog, at);
	if (!audience_match(json_object_get(*v, "audience"), e))
		return 0;
	if (p.retired_at == 0)
		return 1;
	if (!found)
		return 0;
	if (p.rule.period == ALLOWANCE_ONCE)
		return version_from(&p, *v, e->hire_date, &from, &elig) && from < p.retired_at;
	return per.start < p.retired_at;
}

/*
 * Loads employee into *e (emp_cleanup it, also on error) and every
 * programme with its versions. OUT: *cands, the programmes one of whose
 * versions selects e: materialisation walks them all (a period whose
 * version does not select e grants nothing, but what is in it still
 * closes); when cur is not NULL, *cur: the programmes e has at `at`
 * (prog_current), each as its version in force then (prog_in_force), in
 * checkout order. Both new arrays (caller decrefs, also on error).
 */
static int programmes_matching(struct lv_db *db, int64_t employee, int64_t at, struct emp *e,
			       json_t **cands, json_t **cur)
{
	json_t *all = NULL, *o;
	const json_t *v;
	size_t i;
	int rc;

	*cands = json_array();
	if (cur)
		*cur = json_array();
	rc = emp_load(db, employee, e);
	if (rc == LV_OK)
		rc = programmes_load(db, 0, &all);
	if (rc != LV_OK)
		goto out;
	json_array_foreach(all, i, o) {
		if (!prog_ever_selects(o, e))
			continue;
		json_array_append(*cands, o);
		if (cur && prog_current(o, e, at, &v))
			json_array_append_new(*cur, prog_in_force(o, v));
	}
	if (cur)
		progs_sort(*cur);
out:
	json_decref(all);
	return rc;
}

int allowance_programmes_for_employee(struct lv_db *db, int64_t employee, int64_t at,
				      json_t **out)
{
	json_t *cands = NULL;
	struct emp e;
	int rc;

	*out = NULL;
	rc = programmes_matching(db, employee, at, &e, &cands, out);
	if (rc != LV_OK) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(cands);
	emp_cleanup(&e);
	return rc;
}

/* ---- materialisation ---- */

/* Writes a grant (once per period). OUT: *wrote, 1 when this call wrote it. */
static int ledger_grant(struct lv_db *db, int64_t employee, int64_t programme,
			const char *key, int64_t amount, int64_t at, int *wrote)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*wrote = 0;
	rc = lv_db_stmt(db, "INSERT INTO allowance_ledger (employee, programme, period_key, "
			    "kind, amount, actor_label, created_at) VALUES (?1, ?2, ?3, 'grant', "
			    "?4, 'system', ?5) ON CONFLICT DO NOTHING", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	sqlite3_bind_int64(stmt, 2, programme);
	lv_db_bind_text(stmt, 3, key);
	sqlite3_bind_int64(stmt, 4, amount);
	sqlite3_bind_int64(stmt, 5, at);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		lv_error("allowance.grant", "programme=%lld employee=%lld: %s",
			 (long long)programme, (long long)employee, sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto out;
	}
	*wrote = sqlite3_changes(db->conn) > 0;
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * Closes period key (whose successor is next): what is left, up to cap,
 * rolls into next; the whole rest expires. The rollover goes first, so
 * that after any interruption the expiry's "what is left" still tells it.
 * OUT: *rolled, 1 when this call wrote a rollover into next.
 */
static int ledger_close(struct lv_db *db, int64_t employee, int64_t programme, int64_t cap,
			const char *key, const char *next, int64_t at, int *rolled)
{
	sqlite3_stmt *stmt = NULL;
	int rc = LV_OK;

	*rolled = 0;
	if (cap > 0) {
		rc = lv_db_stmt(db, "INSERT INTO allowance_ledger (employee, programme, "
				    "period_key, kind, amount, actor_label, created_at) "
				    "SELECT ?1, ?2, ?4, 'rollover', min(s, ?5), 'system', ?6 FROM "
				    "(SELECT coalesce(sum(amount), 0) AS s FROM allowance_ledger "
				    "WHERE employee = ?1 AND programme = ?2 AND period_key = ?3) "
				    "WHERE s > 0 ON CONFLICT DO NOTHING", &stmt);
		if (rc != LV_OK)
			goto out;
		sqlite3_bind_int64(stmt, 1, employee);
		sqlite3_bind_int64(stmt, 2, programme);
		lv_db_bind_text(stmt, 3, key);
		lv_db_bind_text(stmt, 4, next);
		sqlite3_bind_int64(stmt, 5, cap);
		sqlite3_bind_int64(stmt, 6, at);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			goto fail;
		*rolled = sqlite3_changes(db->conn) > 0;
		lv_db_done(stmt);
	}
	rc = lv_db_stmt(db, "INSERT INTO allowance_ledger (employee, programme, period_key, "
			    "kind, amount, actor_label, created_at) "
			    "SELECT ?1, ?2, ?3, 'expiry', -s, 'system', ?4 FROM "
			    "(SELECT coalesce(sum(amount), 0) AS s FROM allowance_ledger "
			    "WHERE employee = ?1 AND programme = ?2 AND period_key = ?3) "
			    "WHERE s > 0 ON CONFLICT DO NOTHING", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	sqlite3_bind_int64(stmt, 2, programme);
	lv_db_bind_text(stmt, 3, key);
	sqlite3_bind_int64(stmt, 4, at);
	if (sqlite3_step(stmt) == SQLITE_DONE)
		goto out;
fail:
	lv_error("allowance.close", "programme=%lld employee=%lld period=%s: %s",
		 (long long)programme, (long long)employee, key, sqlite3_errmsg(db->conn));
	rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * OUT: key (size len), the period of employee's newest grant in programme
 * (grants = 1) or of any of their entries (grants = 0; period keys of one
 * programme sort in time order), or "".
 */
static int latest_key(struct lv_db *db, int64_t employee, int64_t programme, int grants,
		      char *key, size_t len)
{
	sqlite3_stmt *stmt = NULL;
	int rc, src;

	key[0] = '\0';
	rc = lv_db_stmt(db, grants ?
			/* the second kind term lets SQLite use the partial unique index */
			"SELECT max(period_key) FROM allowance_ledger WHERE employee = ?1 AND "
			"programme = ?2 AND kind = 'grant' AND "
			"kind IN ('grant', 'expiry', 'rollover')" :
			"SELECT max(period_key) FROM allowance_ledger WHERE employee = ?1 AND "
			"programme = ?2", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	sqlite3_bind_int64(stmt, 2, programme);
	src = sqlite3_step(stmt);
	if (src == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL)
		lv_strlcpy(key, (const char *)sqlite3_column_text(stmt, 0), len);
	else if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	return rc;
}

/*
 * The period after per. OUT: *next. LV_EINTERNAL for a period that does not
 * advance (so that no loop over periods can spin).
 */
static int period_next(const struct prog *p, const char *hire_date,
		       const struct allowance_period *per, struct allowance_period *next)
{
	int rc = allowance_period_at(&p->rule, hire_date, per->end, next);

	if (rc == LV_OK && next->start <= per->start)
		rc = LV_EINTERNAL;
	return rc;
}

/* What rolls over when per (governed by v) closes into next: nothing into a period after the retirement. */
static int64_t close_cap(const struct prog *p, const json_t *v, const struct allowance_period *next)
{
	if (p->retired_at != 0 && next->start >= p->retired_at)
		return 0;
	return json_integer_value(json_object_get(v, "rollover_cap"));
}

/*
 * Grants and closes every period of o (a programme with its versions) for
 * e from the first up to at's. Each period is governed by its version
 * (allowance_version_for): the grant when that version selects e, and the
 * rollover cap when it closes; a retired programme grants nothing, nor
 * does a period whose grant falls due while e is on leave or gone
 * (emp_paused_at); nothing at all is written for e once they have left. A
 * grant is written in the same transaction as the closing of every period
 * before it, so the periods before the newest grant are closed already:
 * the SQL work starts at that grant's period. A later period with nothing
 * in it (past e's newest entry, nothing granted or rolled into it) needs
 * no closing, and the walk stops once nothing can happen any more.
 */
static int prog_materialise(struct lv_db *db, int64_t employee, const json_t *o,
			    const struct emp *e, int64_t at)
{
	const json_t *vs = json_object_get(o, "versions"), *v, *last_v;
	struct allowance_period cur, next, skip;
	int64_t start = INT64_MAX, from, elig, grant, due;
	char last[16], newest[16] = "";
	struct prog p;
	size_t i;
	int rc = LV_OK, wrote, rolled = 0, newest_read = 0;

	prog_from_json(o, &p);
	if (emp_frozen(e))
		goto out;
	json_array_foreach(vs, i, v)
		if (version_from(&p, v, e->hire_date, &from, &elig) && from < start)
			start = from;
	if (start == INT64_MAX || at < start)
		goto out;
	rc = allowance_period_at(&p.rule, e->hire_date, start, &cur);
	if (rc == LV_OK)
		rc = latest_key(db, employee, p.id, 1, last, sizeof(last));
	if (rc != LV_OK)
		goto out;
	if (last[0] != '\0' && p.rule.period != ALLOWANCE_ONCE) {
		skip = cur;
		while (strcmp(skip.key, last) != 0 && skip.end <= at) {
			rc = period_next(&p, e->hire_date, &skip, &next);
			if (rc != LV_OK)
				goto out;
			skip = next;
		}
		if (strcmp(skip.key, last) == 0)
			cur = skip;
	}
	last_v = json_array_get(vs, json_array_size(vs) - 1);
	for (;;) {
		v = allowance_version_for(o, e->hire_date, &cur);
		wrote = 0;
		if (p.retired_at == 0 && audience_match(json_object_get(v, "audience"), e)) {
			grant = allowance_grant_for(o, v, e->hire_date, &cur, &due);
			if (grant > 0 && due <= at && !emp_paused_at(e, due))
				rc = ledger_grant(db, employee, p.id, cur.key, grant, at, &wrote);
			if (rc != LV_OK)
				goto out;
		}
		if (p.rule.period == ALLOWANCE_ONCE || cur.end > at)
			break;
		rc = period_next(&p, e->hire_date, &cur, &next);
		/* the newest entry's period, read once and only when a period ends here */
		if (rc == LV_OK && !newest_read) {
			rc = latest_key(db, employee, p.id, 0, newest, sizeof(newest));
			newest_read = 1;
		}
		if (rc != LV_OK)
			goto out;
		if (wrote || rolled || (newest[0] != '\0' && strcmp(cur.key, newest) <= 0)) {
			/* nothing rolls into a period whose version does not select e */
			rc = ledger_close(db, employee, p.id,
					  audience_match(json_object_get(allowance_version_for(
						  o, e->hire_date, &next), "audience"), e) ?
					  close_cap(&p, v, &next) : 0,
					  cur.key, next.key, at, &rolled);
			if (rc != LV_OK)
				goto out;
		} else {
			rolled = 0;
		}
		/* nothing in the periods ahead, and no version left that could grant e */
		if (!rolled && (newest[0] == '\0' || strcmp(next.key, newest) > 0) &&
		    (p.retired_at != 0 ||
		     (next.start >= json_integer_value(json_object_get(last_v, "valid_from")) &&
		      !audience_match(json_object_get(last_v, "audience"), e))))
			break;
		cur = next;
	}
out:
	return rc;
}

/* Materialises every programme in progs (JSON array, with versions) for e. */
static int progs_materialise(struct lv_db *db, int64_t employee, const struct emp *e,
			     const json_t *progs, int64_t at)
{
	size_t i;
	json_t *o;
	int rc = LV_OK;

	json_array_foreach(progs, i, o) {
		rc = prog_materialise(db, employee, o, e, at);
		if (rc != LV_OK)
			break;
	}
	return rc;
}

int allowance_materialise(struct lv_db *db, int64_t employee, int64_t at)
{
	json_t *progs = NULL;
	struct emp e;
	int rc, own = 0;

	rc = programmes_matching(db, employee, at, &e, &progs, NULL);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_tx_end(db, own, progs_materialise(db, employee, &e, progs, at));
out:
	json_decref(progs);
	emp_cleanup(&e);
	return rc;
}

/* ---- settling a whole programme (retirement, period closes) ---- */

/*
 * Materialises prog (with its versions) up to at for every employee one of
 * its versions selects: one query over the employees. OUT: *n, how many.
 */
static int prog_settle(struct lv_db *db, const json_t *prog, int64_t at, int64_t *n)
{
	sqlite3_stmt *stmt = NULL;
	int64_t *ids = NULL;
	struct emp *es = NULL;
	size_t cap = 0, len = 0, i;
	int rc, src;

	*n = 0;
	/* read them all first: the materialisation below uses the connection */
	rc = lv_db_stmt(db, EMP_COLUMNS "ORDER BY id", &stmt);
	if (rc != LV_OK)
		goto out;
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct emp e;

		emp_from_row(stmt, &e);
		if (!prog_ever_selects(prog, &e)) {
			emp_cleanup(&e);
			continue;
		}
		if (len == cap) {
			cap = cap ? 2 * cap : 64;
			ids = lv_realloc(ids, cap * sizeof(*ids));
			es = lv_realloc(es, cap * sizeof(*es));
		}
		ids[len] = sqlite3_column_int64(stmt, 0);
		es[len++] = e;
	}
	lv_db_done(stmt);
	stmt = NULL;
	if (src != SQLITE_DONE) {
		rc = LV_EINTERNAL;
		goto out;
	}
	for (i = 0; i < len && rc == LV_OK; i++)
		rc = prog_materialise(db, ids[i], prog, &es[i], at);
	if (rc == LV_OK)
		*n = (int64_t)len;
out:
	lv_db_done(stmt);
	for (i = 0; i < len; i++)
		emp_cleanup(&es[i]);
	lv_free(es);
	lv_free(ids);
	return rc;
}

int allowance_programme_settle(struct lv_db *db, int64_t programme, int64_t at, int64_t *n)
{
	json_t *prog = NULL;
	int rc, own = 0;

	*n = 0;
	rc = allowance_programme_load(db, programme, &prog);
	if (rc == LV_OK)
		rc = lv_db_tx_begin(db, &own);
	if (rc == LV_OK)
		rc = lv_db_tx_end(db, own, prog_settle(db, prog, at, n));
	json_decref(prog);
	return rc;
}

int allowance_period_settle(struct lv_db *db, int64_t programme,
			    const struct allowance_period *per, int64_t *n)
{
	struct allowance_period next;
	sqlite3_stmt *stmt = NULL;
	json_t *prog = NULL;
	int64_t *ids = NULL, settled = 0;
	size_t cap = 0, len = 0, i;
	struct prog p;
	int rc, src, own = 0, rolled;

	*n = 0;
	rc = allowance_programme_load(db, programme, &prog);
	if (rc != LV_OK)
		goto out;
	prog_from_json(prog, &p);
	if (p.rule.reset != ALLOWANCE_RESET_CALENDAR || p.rule.period == ALLOWANCE_ONCE) {
		rc = LV_EINVAL;
		goto out;
	}
	rc = period_next(&p, NULL, per, &next);
	if (rc == LV_OK)
		rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	/* everyone the programme selects: as their own reading at the period's end would */
	rc = prog_settle(db, prog, per->end, &settled);
	if (rc != LV_OK)
		goto end;
	/* what is left in the period belongs to employees it never granted (HR adjustments
	 * of people it does not select, or not eligible yet): it expires in full */
	rc = lv_db_stmt(db, "SELECT l.employee FROM allowance_ledger l JOIN employees e ON "
			    "e.id = l.employee WHERE l.programme = ?1 AND l.period_key = ?2 AND "
			    "e.status <> 'left' GROUP BY l.employee HAVING sum(l.amount) > 0",
			&stmt);
	if (rc != LV_OK)
		goto end;
	sqlite3_bind_int64(stmt, 1, programme);
	lv_db_bind_text(stmt, 2, per->key);
	while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			ids = lv_realloc(ids, cap * sizeof(*ids));
		}
		ids[len++] = sqlite3_column_int64(stmt, 0);
	}
	lv_db_done(stmt);
	stmt = NULL;
	if (src != SQLITE_DONE)
		rc = LV_EINTERNAL;
	for (i = 0; i < len && rc == LV_OK; i++)
		rc = ledger_close(db, ids[i], programme, 0, per->key, next.key, per->end, &rolled);
	if (rc == LV_OK)
		*n = settled;
end:
	lv_db_done(stmt);
	rc = lv_db_tx_end(db, own, rc);
out:
	lv_free(ids);
	json_decref(prog);
	return rc;
}

/* ---- balances ---- */

static int period_sum(struct lv_db *db, int64_t employee, int64_t programme,
		      const char *key, int64_t *sum)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	*sum = 0;
	rc = lv_db_stmt(db, "SELECT coalesce(sum(amount), 0) FROM allowance_ledger "
			    "WHERE employee = ?1 AND programme = ?2 AND period_key = ?3", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	sqlite3_bind_int64(stmt, 2, programme);
	lv_db_bind_text(stmt, 3, key);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*sum = sqlite3_column_int64(stmt, 0);
	else
		rc = LV_EINTERNAL;
out:
	lv_db_done(stmt);
	return rc;
}

static json_t *period_json(const struct allowance_period *per)
{
	return json_pack("{s:s,s:o,s:o}", "key", per->key, "start",
			 per->end ? json_integer(per->start) : json_null(), "end",
			 per->end ? json_integer(per->end) : json_null());
}

int allowance_balances(struct lv_db *db, int64_t employee, int64_t at, json_t **out)
{
	struct allowance_period per;
	json_t *progs = NULL, *cur = NULL, *a = json_array(), *o, *b;
	struct prog p;
	struct emp e;
	int64_t sum, from, elig;
	size_t i;
	int rc, own = 0;

	*out = NULL;
	rc = programmes_matching(db, employee, at, &e, &progs, &cur);
	if (rc != LV_OK)
		goto out;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = progs_materialise(db, employee, &e, progs, at);
	json_array_foreach(cur, i, o) {
		if (rc != LV_OK)
			break;
		prog_from_json(o, &p);
		b = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O}",
			      "programme", json_object_get(o, "slug"),
			      "name", json_object_get(o, "name"), "unit", json_object_get(o, "unit"),
			      "points_rate", json_object_get(o, "points_rate"), "overage",
			      json_object_get(o, "overage"), "position",
			      json_object_get(o, "position"), "id", json_object_get(o, "id"),
			      "categories", json_object_get(o, "categories"),
			      "tags", json_object_get(o, "tags"));
		json_object_set(b, "retired_at", json_object_get(o, "retired_at"));
		sum = 0;
		if (version_from(&p, o, e.hire_date, &from, &elig) && at >= from &&
		    allowance_period_at(&p.rule, e.hire_date, at, &per) == LV_OK) {
			rc = period_sum(db, employee, p.id, per.key, &sum);
			json_object_set_new(b, "period", period_json(&per));
			json_object_set_new(b, "next_reset",
					    per.end ? json_integer(per.end) : json_null());
		} else {
			json_object_set_new(b, "period", json_null());
			json_object_set_new(b, "next_reset", json_null());
		}
		json_object_set_new(b, "balance", json_integer(sum));
		json_array_append_new(a, b);
	}
	rc = lv_db_tx_end(db, own, rc);
	if (rc != LV_OK)
		goto out;
	*out = a;
	a = NULL;
out:
	json_decref(a);
	json_decref(cur);
	json_decref(progs);
	emp_cleanup(&e);
	return rc;
}

/*
 * Materialises e's programmes, then finds programme's period at at.
 * OUT: *per. Runs inside the caller's transaction.
 */
static int current_period(struct lv_db *db, int64_t employee, int64_t programme, int64_t at,
			  struct allowance_period *per)
{
	json_t *progs = NULL, *o = NULL;
	struct prog p;
	struct emp e;
	int rc;

	rc = programmes_matching(db, employee, at, &e, &progs, NULL);
	if (rc == LV_OK)
		rc = programme_get(db, programme, &o);
	if (rc == LV_OK)
		rc = progs_materialise(db, employee, &e, progs, at);
	if (rc != LV_OK)
		goto out;
	prog_from_json(o, &p);
	rc = allowance_period_at(&p.rule, e.hire_date, at, per);
	if (rc == LV_EINVAL)
		rc = LV_ENOTFOUND;
out:
	json_decref(o);
	json_decref(progs);
	emp_cleanup(&e);
	return rc;
}

int allowance_balance_get(struct lv_db *db, int64_t employee, int64_t programme,
			  int64_t at, int64_t *balance)
{
	struct allowance_period per;
	int rc, own = 0;

	*balance = 0;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = current_period(db, employee, programme, at, &per);
	if (rc == LV_OK)
		rc = period_sum(db, employee, programme, per.key, balance);
	rc = lv_db_tx_end(db, own, rc);
out:
	return rc;
}

/* ---- money movements ---- */

/* Appends one debit, refund or adjustment; a refused constraint is LV_ECONFLICT. */
static int ledger_append(struct lv_db *db, int64_t employee, int64_t programme,
			 const char *key, const char *kind, int64_t amount,
			 const char *order_ref, const char *reason,
			 const struct allowance_actor *actor, int64_t at)
{
	sqlite3_stmt *stmt = NULL;
	int rc, src;

	rc = lv_db_stmt(db, "INSERT INTO allowance_ledger (employee, programme, period_key, "
			    "kind, amount, order_ref, reason, actor_employee, actor_label, "
			    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, employee);
	sqlite3_bind_int64(stmt, 2, programme);
	lv_db_bind_text(stmt, 3, key);
	lv_db_bind_text(stmt, 4, kind);
	sqlite3_bind_int64(stmt, 5, amount);
	lv_db_bind_text(stmt, 6, order_ref);
	lv_db_bind_text(stmt, 7, reason);
	if (actor != NULL && actor->employee > 0)
		sqlite3_bind_int64(stmt, 8, actor->employee);
	lv_db_bind_text(stmt, 9, actor != NULL ? actor->label : "system");
	sqlite3_bind_int64(stmt, 10, at);
	src = sqlite3_step(stmt);
	if (src == SQLITE_DONE)
		goto out;
	if ((sqlite3_extended_errcode(db->conn) & 0xff) == SQLITE_CONSTRAINT) {
		rc = LV_ECONFLICT;
	} else {
		lv_error("allowance.append", "kind=%s programme=%lld employee=%lld: %s", kind,
			 (long long)programme, (long long)employee, sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(stmt);
	return rc;
}

int allowance_adjust_as(struct lv_db *db, int64_t employee, int64_t programme, int64_t amount,
			const char *reason, const struct audit_actor *who, int64_t at)
{
	struct allowance_actor actor;
	struct allowance_period per;
	json_t *after = NULL;
	char id[32];
	size_t n;
	int rc, own = 0;

	n = reason == NULL ? 0 : strlen(reason);
	if (amount == 0 || n == 0 || strspn(reason, " \t\r\n") == n || n > 500 ||
	    who == NULL || who->label == NULL) {
		rc = LV_EINVAL;
		goto out;
	}
	actor.employee = who->employee;
	actor.label = who->label;
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = current_period(db, employee, programme, at, &per);
	if (rc == LV_OK)
		rc = ledger_append(db, employee, programme, per.key, "adjustment", amount, NULL,
				   reason, &actor, at);
	if (rc == LV_OK) {
		lv_snprintf(id, sizeof(id), "%lld", (long long)employee);
		after = json_pack("{s:I,s:s,s:I,s:s}", "programme", (json_int_t)programme,
				  "period", per.key, "amount", (json_int_t)amount, "reason",
				  reason);
		rc = audit_append(db, who, "allowance.adjust", "employee", id, NULL, after);
	}
	rc = lv_db_tx_end(db, own, rc);
out:
	json_decref(after);
	return rc;
}

int allowance_adjust(struct lv_db *db, int64_t employee, int64_t programme, int64_t amount,
		     const char *reason, const struct allowance_actor *actor, int64_t at)
{
	struct audit_actor who;

	if (actor == NULL)
		return LV_EINVAL;
	who.employee = actor->employee;
	who.label = actor->label;
	who.address = NULL;
	return allowance_adjust_as(db, employee, programme, amount, reason, &who, at);
}

int allowance_debit(struct lv_db *db, int64_t employee, int64_t programme, int64_t amount,
		    const char *order_ref, int64_t at)
{
	struct allowance_period per;
	int rc, own = 0;

	if (amount <= 0 || order_ref == NULL || order_ref[0] == '\0') {
		rc = LV_EINVAL;
		goto out;
	}
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = current_period(db, employee, programme, at, &per);
	if (rc == LV_OK)
		rc = ledger_append(db, employee, programme, per.key, "debit", -amount,
				   order_ref, NULL, NULL, at);
	rc = lv_db_tx_end(db, own, rc);
out:
	return rc;
}

int allowance_refund(struct lv_db *db, int64_t employee, int64_t programme, int64_t amount,
		     const char *order_ref, int64_t at)
{
	struct allowance_period per;
	sqlite3_stmt *stmt = NULL;
	int64_t debited = 0, refunded = 0;
	int rc, own = 0;

	if (amount <= 0 || order_ref == NULL || order_ref[0] == '\0') {
		rc = LV_EINVAL;
		goto out;
	}
	rc = lv_db_tx_begin(db, &own);
	if (rc != LV_OK)
		goto out;
	rc = current_period(db, employee, programme, at, &per);
	if (rc != LV_OK)
		goto end;
	rc = lv_db_stmt(db, "SELECT -amount, (SELECT coalesce(sum(amount), 0) "
			    "FROM allowance_ledger WHERE order_ref = ?1 AND programme = ?2 AND "
			    "employee = ?3 AND kind = 'refund') FROM allowance_ledger "
			    "WHERE order_ref = ?1 AND programme = ?2 AND employee = ?3 AND "
			    "kind = 'debit'", &stmt);
	if (rc != LV_OK)
		goto end;
	lv_db_bind_text(stmt, 1, order_ref);
	sqlite3_bind_int64(stmt, 2, programme);
	sqlite3_bind_int64(stmt, 3, employee);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rc = LV_ENOTFOUND;
		goto end;
	}
	debited = sqlite3_column_int64(stmt, 0);
	refunded = sqlite3_column_int64(stmt, 1);
	lv_db_done(stmt);
	stmt = NULL;
	if (amount > debited - refunded) {
		rc = LV_ECONFLICT;
		goto end;
	}
	/* a closed period is never reopened: its refund goes to the current one */
	rc = ledger_append(db, employee, programme, per.key, "refund", amount, order_ref, NULL,
			   NULL, at);
end:
	lv_db_done(stmt);
	rc = lv_db_tx_end(db, own, rc);
out:
	return rc;
}
