/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report.c - the console's reports (see report.h): parameters, the one
 * statement of each report, its rows as JSON with the totals its charts
 * show, and the CSV of the same rows.
 *
 * Periods are bucketed by SQLite's strftime(..., 'unixepoch', 'localtime'),
 * which asks the C library's localtime like allowance.c does, so a month,
 * a quarter or a year starts at the same local midnight as an allowance
 * period. Parameters are bound, never written into the SQL: the bucket
 * and the grouping column are chosen by CASE on a bound name.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lv_csv.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"

static const char *const kind_names[] = { "spend", "allowances", "products", "orders" };
static const char *const period_names[] = { "month", "quarter", "year" };
static const char *const by_names[] = { "department", "cost_center", "site" };
static const char *const rank_names[] = { "amount", "quantity" };

#define NAMES_N(a) (sizeof(a) / sizeof((a)[0]))

/* Index of s in names, or -1. */
static int name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int report_kind_parse(const char *name, enum report_kind *out)
{
	int i = name_index(kind_names, NAMES_N(kind_names), name);

	if (i < 0)
		return LV_ENOTFOUND;
	*out = (enum report_kind)i;
	return LV_OK;
}

const char *report_kind_name(enum report_kind kind)
{
	return kind_names[kind];
}

const char *report_period_name(enum report_period p)
{
	return period_names[p];
}

const char *report_by_name(enum report_by b)
{
	return by_names[b];
}

/* ------------------------------------------------------------------ */
/* Parameters.                                                        */

/* Local midnight of y-m-d (m 1..12; mktime normalises overflow). */
static int64_t local_midnight(int y, int m, int d)
{
	struct tm t;

	memset(&t, 0, sizeof(t));
	t.tm_year = y - 1900;
	t.tm_mon = m - 1;
	t.tm_mday = d;
	t.tm_isdst = -1;
	return (int64_t)mktime(&t);
}

/* "YYYY-MM-DD", a real calendar day. OUT: y, m, d. LV_OK or LV_EINVAL. */
static int date_parse(const char *s, int *y, int *m, int *d)
{
	int64_t yy, mm, dd;
	struct tm t;
	time_t tt;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    lv_parse_i64n(s, 4, 1970, 9999, &yy) != LV_OK || s[5] == '+' || s[5] == '-' ||
	    lv_parse_i64n(s + 5, 2, 1, 12, &mm) != LV_OK || s[8] == '+' || s[8] == '-' ||
	    lv_parse_i64n(s + 8, 2, 1, 31, &dd) != LV_OK || s[0] == '+' || s[0] == '-')
		return LV_EINVAL;
	/* 2026-02-30 is refused, not taken for 2 March */
	tt = (time_t)local_midnight((int)yy, (int)mm, (int)dd);
	if (localtime_r(&tt, &t) == NULL || t.tm_mday != (int)dd || t.tm_mon + 1 != (int)mm)
		return LV_EINVAL;
	*y = (int)yy;
	*m = (int)mm;
	*d = (int)dd;
	return LV_OK;
}

int report_day_parse(const char *s, int64_t *start, int64_t *end)
{
	int y, m, d;

	if (date_parse(s, &y, &m, &d) != LV_OK)
		return LV_EINVAL;
	*start = local_midnight(y, m, d);
	if (end != NULL)
		*end = local_midnight(y, m, d + 1);
	return LV_OK;
}

/* The parameter key, NULL when absent or empty. */
static const char *param(report_get_fn get, void *arg, const char *key)
{
	const char *v = get ? get(arg, key) : NULL;

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The date range from and to (inclusive) with the defaults. */
static int range_parse(report_get_fn get, void *arg, int64_t now, struct report_params *out,
		       const char **field, const char **why)
{
	const char *from = param(get, arg, "from"), *to = param(get, arg, "to");
	time_t tt = (time_t)now;
	int fy, fm, fd, ty, tm_, td;
	struct tm l;

	if (localtime_r(&tt, &l) == NULL)
		return LV_EINVAL;
	ty = l.tm_year + 1900;
	tm_ = l.tm_mon + 1;
	td = l.tm_mday;
	fy = ty;
	fm = tm_ - 11;
	fd = 1;
	if (fm < 1) {
		fm += 12;
		fy--;
	}
	if (from != NULL && date_parse(from, &fy, &fm, &fd) != LV_OK) {
		*field = "from";
		*why = N_("Write the first day as YYYY-MM-DD, for example 2026-01-01.");
		return LV_EINVAL;
	}
	if (to != NULL && date_parse(to, &ty, &tm_, &td) != LV_OK) {
		*field = "to";
		*why = N_("Write the last day as YYYY-MM-DD, for example 2026-12-31.");
		return LV_EINVAL;
	}
	out->from = local_midnight(fy, fm, fd);
	out->to = local_midnight(ty, tm_, td + 1);
	if (out->to <= out->from) {
		*field = "range";
		*why = N_("The first day must come before the last day, or be the same day.");
		return LV_EINVAL;
	}
	if (out->to > local_midnight(fy + REPORT_SPAN_YEARS_MAX, fm, fd)) {
		*field = "range";
		*why = N_("Choose at most ten years between the first and the last day.");
		return LV_EINVAL;
	}
	lv_snprintf(out->from_s, sizeof(out->from_s), "%04d-%02d-%02d", fy, fm, fd);
	lv_snprintf(out->to_s, sizeof(out->to_s), "%04d-%02d-%02d", ty, tm_, td);
	return LV_OK;
}

int report_params_parse(enum report_kind kind, report_get_fn get, void *arg, int64_t now,
			struct report_params *out, const char **field, const char **why)
{
	const char *v;
	int64_t n;
	int i, rc = LV_EINVAL;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->limit = REPORT_TOP_DEFAULT;
	*field = NULL;
	*why = NULL;
	if ((v = param(get, arg, "period")) != NULL) {
		if ((i = name_index(period_names, NAMES_N(period_names), v)) < 0) {
			*field = "period";
			*why = N_("Choose month, quarter or year.");
			goto out;
		}
		out->period = (enum report_period)i;
	}
	if ((v = param(get, arg, "by")) != NULL) {
		if ((i = name_index(by_names, NAMES_N(by_names), v)) < 0) {
			*field = "by";
			*why = N_("Choose department, cost centre or site.");
			goto out;
		}
		out->by = (enum report_by)i;
	}
	if ((v = param(get, arg, "rank")) != NULL) {
		if ((i = name_index(rank_names, NAMES_N(rank_names), v)) < 0) {
			*field = "rank";
			*why = N_("Rank the products by amount or by quantity.");
			goto out;
		}
		out->rank = (enum report_rank)i;
	}
	if ((v = param(get, arg, "limit")) != NULL) {
		if (lv_parse_i64(v, 1, REPORT_TOP_MAX, &n) != LV_OK) {
			*field = "limit";
			*why = N_("Show from 1 to 100 products.");
			goto out;
		}
		out->limit = (int)n;
	}
	if ((v = param(get, arg, "programme")) != NULL) {
		if (strlen(v) >= sizeof(out->programme) ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v)) {
			*field = "programme";
			*why = N_("Choose a programme from the list.");
			goto out;
		}
		lv_strlcpy(out->programme, v, sizeof(out->programme));
	}
	if ((v = param(get, arg, "year")) != NULL) {
		if (lv_parse_i64(v, 1970, 9999, &n) != LV_OK) {
			*field = "year";
			*why = N_("Write the year with four digits, for example 2026.");
			goto out;
		}
		out->year = (int)n;
	}
	if (kind != REPORT_UTILISATION) {
		rc = range_parse(get, arg, now, out, field, why);
		goto out;
	}
	rc = LV_OK;
out:
	return rc;
}

/* ------------------------------------------------------------------ */
/* Rows.                                                              */

/* The local period of a time column, chosen by the bound name ?P. */
#define SQL_BUCKET(col, p)                                                                  \
	"CASE " p " WHEN 'year' THEN strftime('%Y', " col ", 'unixepoch', 'localtime')"        \
	" WHEN 'quarter' THEN strftime('%Y', " col ", 'unixepoch', 'localtime') || '-Q' ||"   \
	" ((CAST(strftime('%m', " col ", 'unixepoch', 'localtime') AS INTEGER) + 2) / 3)"     \
	" ELSE strftime('%Y-%m', " col ", 'unixepoch', 'localtime') END"

/* The statuses that are not spend: not decided yet, or refused. */
#define SQL_SPENT "o.status NOT IN ('pending_approval', 'refused')"

/* column i as JSON: text, or an integer. */
static json_t *col_json(sqlite3_stmt *st, int i, int text)
{
	if (text) {
		const char *s = (const char *)sqlite3_column_text(st, i);

		return json_string(s ? s : "");
	}
	return json_integer((json_int_t)sqlite3_column_int64(st, i));
}

/* A column description {key, type}. */
static void column_add(json_t *cols, const char *key, const char *type)
{
	json_array_append_new(cols, json_pack("{s:s,s:s}", "key", key, "type", type));
}

/* Adds v to the integer member key of o (created at 0). */
static void jadd(json_t *o, const char *key, json_int_t v)
{
	json_t *cur = json_object_get(o, key);

	json_object_set_new(o, key, json_integer(json_integer_value(cur) + v));
}

/*
 * The object of list indexed by name in index, made {label_key: name,
 * label: name} and appended to list the first time (borrowed reference).
 */
static json_t *bucket(json_t *index, json_t *list, const char *name, const char *label_key)
{
	json_t *b = json_object_get(index, name);

	if (b == NULL) {
		b = json_pack("{s:s,s:s}", label_key, name, "label", name);
		json_array_append_new(list, b);
		json_object_set(index, name, b);
	}
	return b;
}

/* qsort: objects by their "total", largest first, then by their label. */
static int total_desc(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t tx = json_integer_value(json_object_get(x, "total"));
	json_int_t ty = json_integer_value(json_object_get(y, "total"));

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "label")),
		      json_string_value(json_object_get(y, "label")));
}

/* Sorts the objects of list by total_desc. */
static void sort_by_total(json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **v;

	if (n < 2)
		return;
	v = lv_calloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(list, i));
	qsort(v, n, sizeof(*v), total_desc);
	json_array_clear(list);
	for (i = 0; i < n; i++)
		json_array_append_new(list, v[i]);
	lv_free(v);
}

static int spend_run(struct lv_db *db, const struct report_params *p, json_t *rep)
{
	static const char sql[] =
		"WITH l AS (SELECT o.id AS oid, o.created_at AS at,"
		" CASE ?3 WHEN 'cost_center' THEN e.cost_center WHEN 'site' THEN e.site"
		" ELSE e.department END AS grp,"
		" l.quantity - l.cancelled_quantity - l.returned_quantity AS qty,"
		" l.unit_price * (l.quantity - l.cancelled_quantity - l.returned_quantity) AS kept,"
		" (SELECT coalesce(sum(p.value - p.value * (l.cancelled_quantity"
		" + l.returned_quantity) / l.quantity), 0) FROM order_payments p"
		" WHERE p.line_id = l.id) AS paid"
		" FROM orders o JOIN employees e ON e.id = o.employee"
		" JOIN order_lines l ON l.order_id = o.id"
		" WHERE o.created_at >= ?1 AND o.created_at < ?2 AND " SQL_SPENT ")"
		" SELECT " SQL_BUCKET("at", "?4") " AS period, coalesce(grp, '') AS g,"
		" count(DISTINCT CASE WHEN qty > 0 THEN oid END), sum(qty), sum(kept),"
		" sum(min(paid, kept)), sum(kept - min(paid, kept))"
		" FROM l GROUP BY period, g HAVING sum(qty) > 0"
		" ORDER BY period, sum(kept) DESC, g LIMIT ?5";
	const char *key = by_names[p->by];
	json_t *cols = json_array(), *rows = json_array(), *periods = json_array();
	json_t *groups = json_array(), *pidx = json_object(), *gidx = json_object(), *all;
	sqlite3_stmt *st = NULL;
	int src, rc, n = 0;

	all = json_pack("{s:i,s:i,s:i,s:i,s:i}", "orders", 0, "quantity", 0, "total", 0,
			"allowances", 0, "overage", 0);
	column_add(cols, "period", "text");
	column_add(cols, key, "text");
	column_add(cols, "orders", "count");
	column_add(cols, "quantity", "count");
	column_add(cols, "total", "money");
	column_add(cols, "allowances", "money");
	column_add(cols, "overage", "money");
	rc = lv_db_stmt(db, sql, &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, p->from);
	sqlite3_bind_int64(st, 2, p->to);
	lv_db_bind_text(st, 3, key);
	lv_db_bind_text(st, 4, period_names[p->period]);
	sqlite3_bind_int(st, 5, REPORT_ROWS_MAX + 1);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		static const char *const sums[] = { "orders", "total", "allowances", "overage" };
		json_t *row, *pb, *gb;
		size_t i;

		if (++n > REPORT_ROWS_MAX) {
			json_object_set_new(rep, "truncated", json_true());
			break;
		}
		row = json_object();
		json_object_set_new(row, "period", col_json(st, 0, 1));
		json_object_set_new(row, key, col_json(st, 1, 1));
		json_object_set_new(row, "orders", col_json(st, 2, 0));
		json_object_set_new(row, "quantity", col_json(st, 3, 0));
		json_object_set_new(row, "total", col_json(st, 4, 0));
		json_object_set_new(row, "allowances", col_json(st, 5, 0));
		json_object_set_new(row, "overage", col_json(st, 6, 0));
		json_array_append_new(rows, row);
		/* the totals the charts draw: per period, per group, and all */
		pb = bucket(pidx, periods, json_string_value(json_object_get(row, "period")),
			    "period");
		gb = bucket(gidx, groups, json_string_value(json_object_get(row, key)), key);
		for (i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
			json_int_t v = json_integer_value(json_object_get(row, sums[i]));

			jadd(pb, sums[i], v);
			jadd(gb, sums[i], v);
			jadd(all, sums[i], v);
		}
		jadd(all, "quantity", json_integer_value(json_object_get(row, "quantity")));
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		lv_error("report", "report=spend error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(st);
	sort_by_total(groups);
	json_object_set_new(rep, "columns", cols);
	json_object_set_new(rep, "rows", rows);
	json_object_set_new(rep, "totals", json_pack("{s:o,s:o,s:o}", "periods", periods,
						     "groups", groups, "all", all));
	json_decref(pidx);
	json_decref(gidx);
	return rc;
}

static int utilisation_run(struct lv_db *db, const struct report_params *p, json_t *rep)
{
	static const char sql[] =
		"SELECT pr.slug, pr.name, pr.unit, x.period, count(DISTINCT x.employee),"
		" sum(CASE x.kind WHEN 'grant' THEN x.amount ELSE 0 END),"
		" sum(CASE x.kind WHEN 'rollover' THEN x.amount ELSE 0 END),"
		" sum(CASE x.kind WHEN 'adjustment' THEN x.amount ELSE 0 END),"
		" -sum(CASE WHEN x.kind IN ('debit', 'refund') THEN x.amount ELSE 0 END),"
		" -sum(CASE x.kind WHEN 'expiry' THEN x.amount ELSE 0 END),"
		" sum(x.amount), pr.reset"
		" FROM (SELECT l.programme, l.employee, l.kind, l.amount,"
		" CASE WHEN length(l.period_key) = 10 THEN substr(l.period_key, 1, 4)"
		" ELSE l.period_key END AS period"
		" FROM allowance_ledger l) x"
		" JOIN allowance_programmes pr ON pr.id = x.programme"
		" WHERE (?1 IS NULL OR pr.slug = ?1)"
		" AND (?2 IS NULL OR substr(x.period, 1, 4) = ?2)"
		" GROUP BY pr.id, x.period ORDER BY pr.position, pr.id, x.period LIMIT ?3";
	json_t *cols = json_array(), *rows = json_array(), *progs = json_array();
	json_t *pidx = json_object();
	sqlite3_stmt *st = NULL;
	char year[8];
	int src, rc, n = 0;

	column_add(cols, "programme", "text");
	column_add(cols, "name", "text");
	column_add(cols, "unit", "text");
	column_add(cols, "period", "text");
	column_add(cols, "employees", "count");
	column_add(cols, "granted", "units");
	column_add(cols, "rolled_over", "units");
	column_add(cols, "adjusted", "units");
	column_add(cols, "spent", "units");
	column_add(cols, "expired", "units");
	column_add(cols, "balance", "units");
	column_add(cols, "used_percent", "count");
	rc = lv_db_stmt(db, sql, &st);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(st, 1, p->programme[0] ? p->programme : NULL);
	if (p->year) {
		lv_snprintf(year, sizeof(year), "%04d", p->year);
		lv_db_bind_text(st, 2, year);
	}
	sqlite3_bind_int(st, 3, REPORT_ROWS_MAX + 1);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		json_int_t granted, rolled, adjusted, spent, avail;
		json_t *row, *pg;
		const char *slug;

		if (++n > REPORT_ROWS_MAX) {
			json_object_set_new(rep, "truncated", json_true());
			break;
		}
		granted = sqlite3_column_int64(st, 5);
		rolled = sqlite3_column_int64(st, 6);
		adjusted = sqlite3_column_int64(st, 7);
		spent = sqlite3_column_int64(st, 8);
		avail = granted + rolled + adjusted;
		row = json_object();
		json_object_set_new(row, "programme", col_json(st, 0, 1));
		json_object_set_new(row, "name", col_json(st, 1, 1));
		json_object_set_new(row, "unit", col_json(st, 2, 1));
		json_object_set_new(row, "period", col_json(st, 3, 1));
		json_object_set_new(row, "employees", col_json(st, 4, 0));
		json_object_set_new(row, "granted", json_integer(granted));
		json_object_set_new(row, "rolled_over", json_integer(rolled));
		json_object_set_new(row, "adjusted", json_integer(adjusted));
		json_object_set_new(row, "spent", json_integer(spent));
		json_object_set_new(row, "expired", col_json(st, 9, 0));
		json_object_set_new(row, "balance", col_json(st, 10, 0));
		/* half up; null when nothing was available */
		json_object_set_new(row, "used_percent",
				    avail > 0 ? json_integer((spent * 200 + avail) / (2 * avail)) :
						json_null());
		json_object_set_new(row, "anniversary",
				    json_boolean(strcmp((const char *)sqlite3_column_text(st, 11),
							"hire_anniversary") == 0));
		json_array_append_new(rows, row);
		slug = json_string_value(json_object_get(row, "programme"));
		pg = json_object_get(pidx, slug);
		if (pg == NULL) {
			pg = json_pack("{s:s,s:O,s:O}", "programme", slug, "name",
				       json_object_get(row, "name"), "unit",
				       json_object_get(row, "unit"));
			json_array_append_new(progs, pg);
			json_object_set(pidx, slug, pg);
		}
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		lv_error("report", "report=allowances error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(st);
	json_object_set_new(rep, "columns", cols);
	json_object_set_new(rep, "rows", rows);
	json_object_set_new(rep, "totals", json_pack("{s:o}", "programmes", progs));
	json_decref(pidx);
	return rc;
}

static int products_run(struct lv_db *db, const struct report_params *p, json_t *rep)
{
	static const char sql[] =
		"SELECT pr.slug, pr.name,"
		" count(DISTINCT CASE WHEN l.quantity > l.cancelled_quantity + l.returned_quantity"
		" THEN o.id END),"
		" sum(l.quantity - l.cancelled_quantity - l.returned_quantity) AS q,"
		" sum(l.unit_price * (l.quantity - l.cancelled_quantity - l.returned_quantity)) AS a"
		" FROM orders o JOIN order_lines l ON l.order_id = o.id"
		" JOIN variants v ON v.id = l.variant JOIN products pr ON pr.id = v.product_id"
		" WHERE o.created_at >= ?1 AND o.created_at < ?2 AND " SQL_SPENT
		" GROUP BY pr.id HAVING q > 0"
		" ORDER BY CASE ?3 WHEN 'quantity' THEN q ELSE a END DESC, a DESC, q DESC, pr.name"
		" LIMIT ?4";
	json_t *cols = json_array(), *rows = json_array();
	json_int_t qty = 0, amount = 0;
	sqlite3_stmt *st = NULL;
	int src, rc, n = 0;

	column_add(cols, "rank", "count");
	column_add(cols, "product", "text");
	column_add(cols, "name", "text");
	column_add(cols, "orders", "count");
	column_add(cols, "quantity", "count");
	column_add(cols, "amount", "money");
	rc = lv_db_stmt(db, sql, &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, p->from);
	sqlite3_bind_int64(st, 2, p->to);
	lv_db_bind_text(st, 3, rank_names[p->rank]);
	sqlite3_bind_int(st, 4, p->limit);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_object();

		json_object_set_new(row, "rank", json_integer(++n));
		json_object_set_new(row, "product", col_json(st, 0, 1));
		json_object_set_new(row, "name", col_json(st, 1, 1));
		json_object_set_new(row, "orders", col_json(st, 2, 0));
		json_object_set_new(row, "quantity", col_json(st, 3, 0));
		json_object_set_new(row, "amount", col_json(st, 4, 0));
		qty += sqlite3_column_int64(st, 3);
		amount += sqlite3_column_int64(st, 4);
		json_array_append_new(rows, row);
	}
	if (src != SQLITE_DONE) {
		lv_error("report", "report=products error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(st);
	json_object_set_new(rep, "columns", cols);
	json_object_set_new(rep, "rows", rows);
	json_object_set_new(rep, "totals", json_pack("{s:I,s:I}", "quantity", qty, "amount",
						     amount));
	return rc;
}

/* The order states in the order the console shows them. */
static const char *const order_states[] = {
	"pending_approval", "placed", "picking", "shipped",
	"delivered", "cancelled", "returned", "refused",
};

static int orders_run(struct lv_db *db, const struct report_params *p, json_t *rep)
{
	/* "now" first, then the periods in order; the states in the console's order */
	static const char sql[] =
		"SELECT period, status, n, a FROM ("
		" SELECT 'now' AS period, 0 AS k, status, count(*) AS n, sum(total) AS a"
		" FROM orders GROUP BY status"
		" UNION ALL SELECT " SQL_BUCKET("created_at", "?3") ", 1, status, count(*), sum(total)"
		" FROM orders WHERE created_at >= ?1 AND created_at < ?2 GROUP BY 1, 3)"
		" ORDER BY k, period, CASE status WHEN 'pending_approval' THEN 0 WHEN 'placed' THEN 1"
		" WHEN 'picking' THEN 2 WHEN 'shipped' THEN 3 WHEN 'delivered' THEN 4"
		" WHEN 'cancelled' THEN 5 WHEN 'returned' THEN 6 ELSE 7 END LIMIT ?4";
	json_t *cols = json_array(), *rows = json_array(), *now = json_object();
	json_t *periods = json_array(), *pidx = json_object();
	sqlite3_stmt *st = NULL;
	int src, rc, n = 0;
	size_t i;

	column_add(cols, "period", "text");
	column_add(cols, "status", "text");
	column_add(cols, "orders", "count");
	column_add(cols, "amount", "money");
	for (i = 0; i < NAMES_N(order_states); i++)
		json_object_set_new(now, order_states[i],
				    json_pack("{s:i,s:i}", "orders", 0, "amount", 0));
	rc = lv_db_stmt(db, sql, &st);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(st, 1, p->from);
	sqlite3_bind_int64(st, 2, p->to);
	lv_db_bind_text(st, 3, period_names[p->period]);
	sqlite3_bind_int(st, 4, REPORT_ROWS_MAX + 1);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *period = (const char *)sqlite3_column_text(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		json_t *row, *b;

		if (++n > REPORT_ROWS_MAX) {
			json_object_set_new(rep, "truncated", json_true());
			break;
		}
		row = json_pack("{s:s,s:s,s:I,s:I}", "period", period, "status", status, "orders",
				(json_int_t)sqlite3_column_int64(st, 2), "amount",
				(json_int_t)sqlite3_column_int64(st, 3));
		json_array_append_new(rows, row);
		if (strcmp(period, "now") == 0) {
			json_object_set_new(now, status, json_pack("{s:O,s:O}", "orders",
					    json_object_get(row, "orders"), "amount",
					    json_object_get(row, "amount")));
			continue;
		}
		b = bucket(pidx, periods, period, "period");
		jadd(b, "orders", json_integer_value(json_object_get(row, "orders")));
		jadd(b, "amount", json_integer_value(json_object_get(row, "amount")));
		if (json_object_get(b, status) == NULL)
			json_object_set_new(b, status, json_integer(0));
		jadd(b, status, json_integer_value(json_object_get(row, "orders")));
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		lv_error("report", "report=orders error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(st);
	json_object_set_new(rep, "columns", cols);
	json_object_set_new(rep, "rows", rows);
	json_object_set_new(rep, "totals", json_pack("{s:o,s:o}", "now", now, "periods", periods));
	json_decref(pidx);
	return rc;
}

/* The parameters as the report was run, for the API and the page's form. */
static json_t *params_json(const struct report_params *p)
{
	json_t *o = json_object();

	switch (p->kind) {
	case REPORT_SPEND:
		json_object_set_new(o, "by", json_string(by_names[p->by]));
		/* fall through */
	case REPORT_ORDERS:
		json_object_set_new(o, "period", json_string(period_names[p->period]));
		/* fall through */
	case REPORT_PRODUCTS:
		json_object_set_new(o, "from", json_string(p->from_s));
		json_object_set_new(o, "to", json_string(p->to_s));
		break;
	case REPORT_UTILISATION:
		json_object_set_new(o, "programme", p->programme[0] ? json_string(p->programme) :
								       json_null());
		json_object_set_new(o, "year", p->year ? json_integer(p->year) : json_null());
		break;
	}
	if (p->kind == REPORT_PRODUCTS) {
		json_object_set_new(o, "rank", json_string(rank_names[p->rank]));
		json_object_set_new(o, "limit", json_integer(p->limit));
	}
	return o;
}

int report_run(struct lv_db *db, const struct report_params *p, json_t **out)
{
	json_t *rep = json_pack("{s:s,s:o,s:b}", "report", kind_names[p->kind], "params",
				params_json(p), "truncated", 0);
	int rc = LV_EINTERNAL;

	*out = NULL;
	switch (p->kind) {
	case REPORT_SPEND:
		rc = spend_run(db, p, rep);
		break;
	case REPORT_UTILISATION:
		rc = utilisation_run(db, p, rep);
		break;
	case REPORT_PRODUCTS:
		rc = products_run(db, p, rep);
		break;
	case REPORT_ORDERS:
		rc = orders_run(db, p, rep);
		break;
	}
	if (rc == LV_OK)
		*out = rep;
	else
		json_decref(rep);
	return rc;
}

/* ------------------------------------------------------------------ */
/* CSV.                                                               */

/* A number the report computed: written as it is (a minus sign is not a formula here). */
static int csv_number(struct lv_buf *out, const json_t *v, int first)
{
	if (json_is_null(v) || v == NULL)
		return first ? LV_OK : lv_buf_append_char(out, ',');
	return lv_buf_printf(out, "%s%" JSON_INTEGER_FORMAT, first ? "" : ",",
			     json_integer_value(v));
}

int report_csv(const json_t *rep, const char *currency, struct lv_buf *out)
{
	const json_t *cols = json_object_get(rep, "columns"), *row, *col;
	int money = 0, rc = LV_OK;
	size_t i, j;

	json_array_foreach(cols, j, col) {
		const char *type = json_string_value(json_object_get(col, "type"));

		money |= strcmp(type, "money") == 0 || strcmp(type, "units") == 0;
		if (rc == LV_OK)
			rc = lv_csv_cell(out, json_string_value(json_object_get(col, "key")),
					     j == 0);
	}
	if (rc == LV_OK && money)
		rc = lv_csv_cell(out, "currency", 0);
	if (rc == LV_OK)
		rc = lv_buf_append(out, "\r\n", 2);
	json_array_foreach(json_object_get(rep, "rows"), i, row) {
		const char *unit = json_string_value(json_object_get(row, "unit"));

		json_array_foreach(cols, j, col) {
			const char *key = json_string_value(json_object_get(col, "key"));
			const char *type = json_string_value(json_object_get(col, "type"));
			const json_t *v = json_object_get(row, key);

			if (rc != LV_OK)
				break;
			if (strcmp(type, "text") == 0)
				rc = lv_csv_cell(out, json_string_value(v), j == 0);
			else
				rc = csv_number(out, v, j == 0);
		}
		if (rc == LV_OK && money)
			rc = lv_csv_cell(out, unit && strcmp(unit, "points") == 0 ? "" : currency,
					     0);
		if (rc == LV_OK)
			rc = lv_buf_append(out, "\r\n", 2);
		if (rc != LV_OK)
			break;
	}
	return rc;
}
