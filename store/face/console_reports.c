/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * console_reports.c - the console's Reports area (hr_admin; the auditor
 * reads): /admin/reports lists the reports; each has a page with its
 * choices (a GET form: nothing here changes anything), one or two charts
 * the server draws (chart.h), the table of its numbers and a CSV download
 * of the same rows; GET /api/v1/admin/reports/<name> gives the same
 * numbers as JSON.
 *
 * The numbers are report.c's, one statement a report, so the page, the
 * CSV and the API cannot disagree: the page formats them (money for the
 * request's language, points as points), the CSV keeps them in minor
 * units with the currency in a column, the API gives them as they are.
 * A bad choice (a date that does not exist, a range the wrong way round)
 * is a 400 that shows the form with a sentence next to the field, and no
 * numbers.
 */
#include "console.h"

#include <string.h>

#include "allowance.h"
#include "app.h"
#include "catalog.h"
#include "chart.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "report.h"
#include "req_data.h"
#include "say.h"

#define SECTION "reports"
#define RP_SVG_MAX (1u << 20) /* bytes of one chart */

/* The reports in the order the index lists them. */
static const struct rp_report {
	enum report_kind kind;
	const char *title;
	const char *summary;
} rp_reports[] = {
	{ REPORT_SPEND, N_("Spend"),
	  N_("What was spent by department, cost centre or site, each month, quarter or year, and how much the allowances paid.") },
	{ REPORT_UTILISATION, N_("Allowance utilisation"),
	  N_("For each programme and period: granted, carried over, spent and expired.") },
	{ REPORT_PRODUCTS, N_("Top products"),
	  N_("The products ordered most, by amount or by quantity, net of cancellations and returns.") },
	{ REPORT_ORDERS, N_("Orders by state"),
	  N_("How many orders are in each state now, and the orders of each month by state.") },
};
#define RP_REPORTS (sizeof(rp_reports) / sizeof(rp_reports[0]))

/* The order states in the order the console shows them, with their words. */
static const struct {
	const char *status;
	const char *label;
} rp_states[] = {
	{ "pending_approval", N_("Waiting for approval") },
	{ "placed", N_("Placed") },
	{ "picking", N_("Picking") },
	{ "shipped", N_("Shipped") },
	{ "delivered", N_("Delivered") },
	{ "cancelled", N_("Cancelled") },
	{ "returned", N_("Returned") },
	{ "refused", N_("Refused") },
};
#define RP_STATES (sizeof(rp_states) / sizeof(rp_states[0]))

static const struct rp_report *rp_find(enum report_kind kind)
{
	size_t i;

	for (i = 0; i < RP_REPORTS; i++)
		if (rp_reports[i].kind == kind)
			return &rp_reports[i];
	return &rp_reports[0];
}

static const char *rp_get(void *arg, const char *key)
{
	return req_query(arg, key);
}

static int64_t jint(const json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* ------------------------------------------------------------------ */
/* Numbers for people.                                                */

/* How a chart's values read: money of the store, points, or a count. */
struct rp_fmt {
	const struct req *r;
	enum { RP_MONEY, RP_POINTS, RP_COUNT } kind;
};

static void rp_fmt_value(void *arg, int64_t v, char *buf, size_t len)
{
	const struct rp_fmt *f = arg;
	const char *names[] = { "n" };
	const char *values[1];
	char n[32];

	lv_snprintf(n, sizeof(n), "%lld", (long long)v);
	switch (f->kind) {
	case RP_MONEY:
		if (catalog_price_format(v, f->r->app->cfg.currency, f->r->lang, buf, len) == LV_OK)
			return;
		break;
	case RP_POINTS:
		values[0] = n;
		say_fill(req_tr(f->r, N_("{n} points")), names, values, 1, buf, len);
		return;
	case RP_COUNT:
		break;
	}
	lv_strlcpy(buf, n, len);
}

/* v formatted as f says, as a new JSON string (money: req_money, as every page). */
static json_t *rp_value(const struct rp_fmt *f, int64_t v)
{
	char buf[80];

	if (f->kind == RP_MONEY)
		return req_money(f->r, v);
	rp_fmt_value((void *)f, v, buf, sizeof(buf));
	return json_string(buf);
}

/* A group's label: "" (HR gave none) reads "Not set". */
static const char *rp_label(const struct req *r, const char *s)
{
	return s != NULL && *s ? s : req_tr(r, N_("Not set"));
}

/* ------------------------------------------------------------------ */
/* Charts.                                                            */

/*
 * The aria-label of c: its title, how many groups, and its largest bar.
 * Fills out (len bytes).
 */
static void rp_summary(const struct req *r, const struct chart *c, char *out, size_t len)
{
	static const char *const names[] = { "title", "count", "label", "value" };
	const char *values[4];
	char count[24], label[300], value[80];
	size_t g, s, bg = 0, bs = 0;
	int64_t best = -1;

	for (g = 0; g < c->ngroups; g++)
		for (s = 0; s < c->nseries; s++)
			if (c->values[g * c->nseries + s] > best) {
				best = c->values[g * c->nseries + s];
				bg = g;
				bs = s;
			}
	if (best <= 0) {
		lv_strlcpy(out, c->empty ? c->empty : c->title, len);
		return;
	}
	lv_snprintf(count, sizeof(count), "%zu", c->ngroups);
	if (c->nseries > 1)
		lv_snprintf(label, sizeof(label), "%s, %s", c->labels[bg], c->series[bs]);
	else
		lv_strlcpy(label, c->labels[bg], sizeof(label));
	if (c->fmt)
		c->fmt(c->fmt_arg, best, value, sizeof(value));
	else
		lv_snprintf(value, sizeof(value), "%lld", (long long)best);
	values[0] = c->title;
	values[1] = count;
	values[2] = label;
	values[3] = value;
	say_fill(req_tr(r, N_("{title}. The largest: {label}, {value} (of {count} shown).")), names,
		 values, 4, out, len);
}

/*
 * Draws c (horizontal bars, or vertical groups when vertical) and returns
 * {svg, title} for the page (new reference); the svg is inserted raw by
 * the template, so it must only ever come from chart.c.
 */
static json_t *rp_chart(const struct req *r, struct chart *c, int vertical)
{
	char summary[600];
	struct lv_buf svg;
	json_t *out = NULL;
	int rc;

	c->empty = req_tr(r, N_("Nothing to show for these choices."));
	rp_summary(r, c, summary, sizeof(summary));
	c->summary = summary;
	lv_buf_init(&svg, RP_SVG_MAX);
	rc = vertical ? chart_vbar(c, &svg) : chart_hbar(c, &svg);
	if (rc == LV_OK)
		out = json_pack("{s:s,s:s}", "svg", lv_buf_str(&svg), "title", c->title);
	else
		lv_error("report.chart", "title=\"%s\" rc=%s", c->title, lv_err_name(rc));
	lv_buf_cleanup(&svg);
	return out ? out : json_pack("{s:s,s:s}", "svg", "", "title", c->title);
}

/* Labels and values of a chart, owned together. */
struct rp_series {
	const char **labels;
	int64_t *values;
	size_t n;
};

static void rp_series_init(struct rp_series *s, size_t groups, size_t nseries)
{
	s->labels = lv_calloc(groups + 1, sizeof(*s->labels));
	s->values = lv_calloc((groups + 1) * nseries, sizeof(*s->values));
	s->n = 0;
}

static void rp_series_cleanup(struct rp_series *s)
{
	lv_free(s->labels);
	lv_free(s->values);
}

/* ------------------------------------------------------------------ */
/* Tables.                                                            */

static json_t *col(const struct req *r, const char *label, int num)
{
	return json_pack("{s:s,s:b}", "label", req_tr(r, label), "num", num);
}

static json_t *cell(const char *text, int num, int head)
{
	return json_pack("{s:s,s:b,s:b}", "text", text ? text : "", "num", num, "head", head);
}

/* A cell with a JSON string made by rp_value (stolen). */
static json_t *cell_v(json_t *v, int num)
{
	json_t *c = cell(json_string_value(v), num, 0);

	json_decref(v);
	return c;
}

static json_t *cell_n(int64_t n)
{
	char buf[24];

	lv_snprintf(buf, sizeof(buf), "%lld", (long long)n);
	return cell(buf, 1, 0);
}

static json_t *table_new(const char *caption, json_t *columns)
{
	return json_pack("{s:s,s:o,s:[],s:b}", "caption", caption ? caption : "", "columns",
			 columns, "rows", "foot", 0);
}

static void table_row(json_t *t, json_t *cells)
{
	json_array_append_new(json_object_get(t, "rows"), json_pack("{s:o}", "cells", cells));
}

static void table_foot(json_t *t, json_t *cells)
{
	json_object_set_new(t, "foot", json_pack("{s:o}", "cells", cells));
}

/* ------------------------------------------------------------------ */
/* The four reports as pages.                                         */

static const char *rp_by_label(enum report_by by)
{
	static const char *const labels[] = { N_("Department"), N_("Cost centre"), N_("Site") };

	return labels[by];
}

static void rp_spend_page(const struct req *r, const struct report_params *p, const json_t *rep,
			  json_t *page)
{
	static const char *const split[] = { N_("Paid by allowances"), N_("Overage") };
	const json_t *totals = json_object_get(rep, "totals"), *row, *o;
	const char *key = report_by_name(p->by);
	struct rp_fmt money = { r, RP_MONEY };
	struct rp_series bars, periods;
	const char *series_all[1], *series_split[2];
	char title[200];
	json_t *t, *charts = json_array();
	size_t i;

	/* by group over the whole range, ranked */
	rp_series_init(&bars, json_array_size(json_object_get(totals, "groups")), 1);
	json_array_foreach(json_object_get(totals, "groups"), i, o) {
		bars.labels[bars.n] = rp_label(r, json_string_value(json_object_get(o, key)));
		bars.values[bars.n++] = jint(o, "total");
	}
	series_all[0] = req_tr(r, N_("Spend"));
	lv_snprintf(title, sizeof(title), "%s", req_tr(r, p->by == REPORT_BY_SITE ?
		N_("Spend by site") : p->by == REPORT_BY_COST_CENTER ? N_("Spend by cost centre") :
		N_("Spend by department")));
	{
		struct chart c = { .title = title, .series = series_all, .nseries = 1,
				   .labels = bars.labels, .values = bars.values, .ngroups = bars.n,
				   .fmt = rp_fmt_value, .fmt_arg = &money };

		json_array_append_new(charts, rp_chart(r, &c, 0));
	}
	/* by period: what the allowances paid and the overage */
	rp_series_init(&periods, json_array_size(json_object_get(totals, "periods")), 2);
	json_array_foreach(json_object_get(totals, "periods"), i, o) {
		periods.labels[periods.n] = json_string_value(json_object_get(o, "period"));
		periods.values[periods.n * 2] = jint(o, "allowances");
		periods.values[periods.n * 2 + 1] = jint(o, "overage");
		periods.n++;
	}
	series_split[0] = req_tr(r, split[0]);
	series_split[1] = req_tr(r, split[1]);
	{
		struct chart c = { .title = req_tr(r, N_("Spend per period: allowances and overage")),
				   .series = series_split, .nseries = 2, .labels = periods.labels,
				   .values = periods.values, .ngroups = periods.n,
				   .fmt = rp_fmt_value, .fmt_arg = &money };

		json_array_append_new(charts, rp_chart(r, &c, 1));
	}

	t = table_new(req_tr(r, N_("Orders placed in these dates, net of cancellations and returns; orders waiting for approval and refused orders are not spend.")),
		      json_pack("[o,o,o,o,o,o,o]", col(r, N_("Period"), 0),
				col(r, rp_by_label(p->by), 0), col(r, N_("Orders"), 1),
				col(r, N_("Items"), 1), col(r, N_("Total"), 1),
				col(r, split[0], 1), col(r, split[1], 1)));
	json_array_foreach(json_object_get(rep, "rows"), i, row)
		table_row(t, json_pack("[o,o,o,o,o,o,o]",
			cell(json_string_value(json_object_get(row, "period")), 0, 1),
			cell(rp_label(r, json_string_value(json_object_get(row, key))), 0, 0),
			cell_n(jint(row, "orders")), cell_n(jint(row, "quantity")),
			cell_v(rp_value(&money, jint(row, "total")), 1),
			cell_v(rp_value(&money, jint(row, "allowances")), 1),
			cell_v(rp_value(&money, jint(row, "overage")), 1)));
	o = json_object_get(totals, "all");
	table_foot(t, json_pack("[o,o,o,o,o,o,o]", cell(req_tr(r, N_("All")), 0, 1), cell("", 0, 0),
				cell_n(jint(o, "orders")), cell_n(jint(o, "quantity")),
				cell_v(rp_value(&money, jint(o, "total")), 1),
				cell_v(rp_value(&money, jint(o, "allowances")), 1),
				cell_v(rp_value(&money, jint(o, "overage")), 1)));
	json_object_set_new(page, "charts", charts);
	json_object_set_new(page, "tables", json_pack("[o]", t));
	rp_series_cleanup(&bars);
	rp_series_cleanup(&periods);
}

static void rp_utilisation_page(const struct req *r, const struct report_params *p,
				const json_t *rep, json_t *page)
{
	static const char *const names[] = { N_("Granted"), N_("Carried over"), N_("Spent"),
					     N_("Expired") };
	static const char *const keys[] = { "granted", "rolled_over", "spent", "expired" };
	const json_t *rows = json_object_get(rep, "rows"), *row, *first;
	const char *series[4], *charted, *unit;
	struct rp_series per;
	struct rp_fmt f = { r, RP_MONEY };
	char title[300];
	json_t *t, *charts = json_array();
	size_t i, k;

	(void)p;
	/* the chart: the periods of one programme (units cannot be mixed) */
	first = json_array_get(json_object_get(json_object_get(rep, "totals"), "programmes"), 0);
	charted = json_string_value(json_object_get(first, "programme"));
	rp_series_init(&per, json_array_size(rows), 4);
	json_array_foreach(rows, i, row) {
		if (charted == NULL ||
		    strcmp(json_string_value(json_object_get(row, "programme")), charted) != 0)
			continue;
		per.labels[per.n] = json_string_value(json_object_get(row, "period"));
		for (k = 0; k < 4; k++)
			per.values[per.n * 4 + k] = jint(row, keys[k]);
		per.n++;
	}
	for (k = 0; k < 4; k++)
		series[k] = req_tr(r, names[k]);
	unit = json_string_value(json_object_get(first, "unit"));
	if (unit != NULL && strcmp(unit, "points") == 0)
		f.kind = RP_POINTS;
	{
		const char *n[] = { "programme" };
		const char *v[] = { json_string_value(json_object_get(first, "name")) };
		struct chart c = { .title = title, .series = series, .nseries = 4,
				   .labels = per.labels, .values = per.values, .ngroups = per.n,
				   .fmt = rp_fmt_value, .fmt_arg = &f };

		if (v[0] != NULL)
			say_fill(req_tr(r, N_("{programme} per period")), n, v, 1, title,
				 sizeof(title));
		else
			lv_strlcpy(title, req_tr(r, N_("Allowance utilisation")), sizeof(title));
		json_array_append_new(charts, rp_chart(r, &c, 1));
	}
	json_object_set_new(page, "charted_note",
			    json_array_size(json_object_get(json_object_get(rep, "totals"),
							    "programmes")) > 1 ?
			    json_true() : json_false());

	t = table_new(req_tr(r, N_("From the allowance ledger. Carried over: what the period before passed on. Spent: debits net of refunds. Anniversary periods are summed by the year they start.")),
		      json_pack("[o,o,o,o,o,o,o,o,o,o]", col(r, N_("Programme"), 0),
				col(r, N_("Period"), 0), col(r, N_("Employees"), 1),
				col(r, names[0], 1), col(r, names[1], 1),
				col(r, N_("Adjusted"), 1), col(r, names[2], 1),
				col(r, names[3], 1), col(r, N_("Left"), 1),
				col(r, N_("Used"), 1)));
	json_array_foreach(rows, i, row) {
		struct rp_fmt u = { r, strcmp(json_string_value(json_object_get(row, "unit")),
					      "points") == 0 ? RP_POINTS : RP_MONEY };
		const json_t *pct = json_object_get(row, "used_percent");
		char used[16] = "";

		if (json_is_integer(pct))
			lv_snprintf(used, sizeof(used), "%lld\xc2\xa0%%",
				    (long long)json_integer_value(pct));
		table_row(t, json_pack("[o,o,o,o,o,o,o,o,o,o]",
			cell(json_string_value(json_object_get(row, "name")), 0, 1),
			cell(json_string_value(json_object_get(row, "period")), 0, 0),
			cell_n(jint(row, "employees")),
			cell_v(rp_value(&u, jint(row, "granted")), 1),
			cell_v(rp_value(&u, jint(row, "rolled_over")), 1),
			cell_v(rp_value(&u, jint(row, "adjusted")), 1),
			cell_v(rp_value(&u, jint(row, "spent")), 1),
			cell_v(rp_value(&u, jint(row, "expired")), 1),
			cell_v(rp_value(&u, jint(row, "balance")), 1),
			cell(used, 1, 0)));
	}
	json_object_set_new(page, "charts", charts);
	json_object_set_new(page, "tables", json_pack("[o]", t));
	rp_series_cleanup(&per);
}

static void rp_products_page(const struct req *r, const struct report_params *p,
			     const json_t *rep, json_t *page)
{
	const json_t *rows = json_object_get(rep, "rows"), *row, *tot;
	struct rp_fmt money = { r, RP_MONEY }, count = { r, RP_COUNT };
	int by_qty = p->rank == REPORT_RANK_QUANTITY;
	const char *series[1];
	struct rp_series s;
	json_t *t;
	size_t i;

	rp_series_init(&s, json_array_size(rows), 1);
	json_array_foreach(rows, i, row) {
		s.labels[s.n] = json_string_value(json_object_get(row, "name"));
		s.values[s.n++] = jint(row, by_qty ? "quantity" : "amount");
	}
	series[0] = req_tr(r, by_qty ? N_("Quantity") : N_("Amount"));
	{
		struct chart c = { .title = req_tr(r, by_qty ? N_("Top products by quantity") :
							     N_("Top products by amount")),
				   .series = series, .nseries = 1, .labels = s.labels,
				   .values = s.values, .ngroups = s.n, .fmt = rp_fmt_value,
				   .fmt_arg = by_qty ? &count : &money };

		json_object_set_new(page, "charts", json_pack("[o]", rp_chart(r, &c, 0)));
	}
	t = table_new(req_tr(r, N_("Orders placed in these dates, net of cancellations and returns, at the prices paid.")),
		      json_pack("[o,o,o,o,o]", col(r, N_("Rank"), 1), col(r, N_("Product"), 0),
				col(r, N_("Orders"), 1), col(r, N_("Quantity"), 1),
				col(r, N_("Amount"), 1)));
	json_array_foreach(rows, i, row)
		table_row(t, json_pack("[o,o,o,o,o]", cell_n(jint(row, "rank")),
			cell(json_string_value(json_object_get(row, "name")), 0, 1),
			cell_n(jint(row, "orders")), cell_n(jint(row, "quantity")),
			cell_v(rp_value(&money, jint(row, "amount")), 1)));
	tot = json_object_get(rep, "totals");
	table_foot(t, json_pack("[o,o,o,o,o]", cell("", 0, 0), cell(req_tr(r, N_("All shown")), 0, 1),
				cell("", 1, 0), cell_n(jint(tot, "quantity")),
				cell_v(rp_value(&money, jint(tot, "amount")), 1)));
	json_object_set_new(page, "tables", json_pack("[o]", t));
	rp_series_cleanup(&s);
}

static void rp_orders_page(const struct req *r, const struct report_params *p, const json_t *rep,
			   json_t *page)
{
	static const char *const groups[] = { N_("In progress"), N_("Delivered"),
					      N_("Cancelled, returned or refused") };
	const json_t *totals = json_object_get(rep, "totals"), *now, *o;
	struct rp_fmt money = { r, RP_MONEY };
	struct rp_series s_now, s_per;
	const char *one[1], *three[3];
	json_t *t_now, *t_per, *cols, *charts = json_array();
	int64_t all_n = 0, all_a = 0;
	size_t i, k;

	(void)p;
	now = json_object_get(totals, "now");
	rp_series_init(&s_now, RP_STATES, 1);
	t_now = table_new(req_tr(r, N_("Every order, whenever it was placed, by the state it is in now; amounts as placed.")),
			  json_pack("[o,o,o]", col(r, N_("State"), 0), col(r, N_("Orders"), 1),
				    col(r, N_("Amount"), 1)));
	for (i = 0; i < RP_STATES; i++) {
		const json_t *st = json_object_get(now, rp_states[i].status);

		s_now.labels[s_now.n] = req_tr(r, rp_states[i].label);
		s_now.values[s_now.n++] = jint(st, "orders");
		all_n += jint(st, "orders");
		all_a += jint(st, "amount");
		table_row(t_now, json_pack("[o,o,o]", cell(req_tr(r, rp_states[i].label), 0, 1),
					   cell_n(jint(st, "orders")),
					   cell_v(rp_value(&money, jint(st, "amount")), 1)));
	}
	table_foot(t_now, json_pack("[o,o,o]", cell(req_tr(r, N_("All")), 0, 1), cell_n(all_n),
				    cell_v(rp_value(&money, all_a), 1)));
	one[0] = req_tr(r, N_("Orders"));
	{
		struct chart c = { .title = req_tr(r, N_("Orders in each state now")),
				   .series = one, .nseries = 1, .labels = s_now.labels,
				   .values = s_now.values, .ngroups = s_now.n };

		json_array_append_new(charts, rp_chart(r, &c, 0));
	}

	/* per period: a column per state */
	cols = json_pack("[o]", col(r, N_("Period"), 0));
	for (i = 0; i < RP_STATES; i++)
		json_array_append_new(cols, col(r, rp_states[i].label, 1));
	json_array_append_new(cols, col(r, N_("Orders"), 1));
	json_array_append_new(cols, col(r, N_("Amount"), 1));
	t_per = table_new(req_tr(r, N_("Orders placed in each period of these dates, by the state they are in now; amounts as placed.")),
			  cols);
	rp_series_init(&s_per, json_array_size(json_object_get(totals, "periods")), 3);
	json_array_foreach(json_object_get(totals, "periods"), k, o) {
		json_t *cells = json_pack("[o]", cell(json_string_value(json_object_get(o, "period")),
						      0, 1));

		s_per.labels[s_per.n] = json_string_value(json_object_get(o, "period"));
		for (i = 0; i < RP_STATES; i++) {
			int64_t n = jint(o, rp_states[i].status);

			json_array_append_new(cells, cell_n(n));
			s_per.values[s_per.n * 3 + (i < 4 ? 0 : i == 4 ? 1 : 2)] += n;
		}
		json_array_append_new(cells, cell_n(jint(o, "orders")));
		json_array_append_new(cells, cell_v(rp_value(&money, jint(o, "amount")), 1));
		table_row(t_per, cells);
		s_per.n++;
	}
	for (i = 0; i < 3; i++)
		three[i] = req_tr(r, groups[i]);
	{
		struct chart c = { .title = req_tr(r, N_("Orders placed per period, by what became of them")),
				   .series = three, .nseries = 3, .labels = s_per.labels,
				   .values = s_per.values, .ngroups = s_per.n };

		json_array_append_new(charts, rp_chart(r, &c, 1));
	}
	json_object_set_new(page, "charts", charts);
	json_object_set_new(page, "tables", json_pack("[o,o]", t_now, t_per));
	rp_series_cleanup(&s_now);
	rp_series_cleanup(&s_per);
}

/* ------------------------------------------------------------------ */
/* The pages.                                                         */

/* The links between reports, the current one marked. New array. */
static json_t *rp_links(const struct req *r, enum report_kind current)
{
	json_t *out = json_array();
	char url[64];
	size_t i;

	for (i = 0; i < RP_REPORTS; i++) {
		lv_snprintf(url, sizeof(url), "/admin/reports/%s", report_kind_name(rp_reports[i].kind));
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:b}",
			"name", report_kind_name(rp_reports[i].kind),
			"title", req_tr(r, rp_reports[i].title),
			"summary", req_tr(r, rp_reports[i].summary), "url", url,
			"current", rp_reports[i].kind == current));
	}
	return out;
}

/* Options [{value, label, selected}] of a select. */
static json_t *rp_options(const struct req *r, const char *const *values,
			  const char *const *labels, size_t n, const char *chosen)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", values[i], "label",
						     req_tr(r, labels[i]), "selected",
						     chosen && strcmp(values[i], chosen) == 0));
	return out;
}

/* The choices' form: what each field shows, its options and its error. */
static json_t *rp_form(struct req *r, enum report_kind kind, const struct report_params *p,
		       json_t *errors)
{
	static const char *const periods[] = { "month", "quarter", "year" };
	static const char *const period_labels[] = { N_("Month"), N_("Quarter"), N_("Year") };
	static const char *const bys[] = { "department", "cost_center", "site" };
	static const char *const by_labels[] = { N_("Department"), N_("Cost centre"), N_("Site") };
	static const char *const ranks[] = { "amount", "quantity" };
	static const char *const rank_labels[] = { N_("Amount"), N_("Quantity") };
	const char *keys[] = { "period", "by", "from", "to", "rank", "limit", "programme", "year" };
	json_t *values = json_object(), *progs = NULL, *opts = json_array(), *pg;
	size_t i;

	/* what was asked, as typed (a refused value is shown again to be corrected) */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = req_query(r, keys[i]);
		json_t *sv = v ? json_string(v) : NULL; /* NULL too when not UTF-8 */

		json_object_set_new(values, keys[i], sv ? sv : json_string(""));
	}
	if (p != NULL) {
		json_object_set_new(values, "period", json_string(report_period_name(p->period)));
		json_object_set_new(values, "by", json_string(report_by_name(p->by)));
		json_object_set_new(values, "from", json_string(p->from_s));
		json_object_set_new(values, "to", json_string(p->to_s));
	}
	if (kind == REPORT_UTILISATION && allowance_programme_list(r->db, &progs) == LV_OK) {
		const char *chosen = json_string_value(json_object_get(values, "programme"));

		json_array_foreach(progs, i, pg)
			json_array_append_new(opts, json_pack("{s:s,s:s,s:b}",
				"value", json_string_value(json_object_get(pg, "slug")),
				"label", json_string_value(json_object_get(pg, "name")),
				"selected", chosen && strcmp(chosen, json_string_value(
					json_object_get(pg, "slug"))) == 0));
	}
	json_decref(progs);
	/* a range refused as a whole is said next to the last day */
	if (json_object_get(errors, "range") != NULL) {
		json_object_set(errors, "to", json_object_get(errors, "range"));
		json_object_del(errors, "range");
	}
	return json_pack("{s:o,s:O,s:o,s:o,s:o,s:o,s:b,s:b,s:b,s:b,s:b}",
		"values", values, "errors", errors,
		"periods", rp_options(r, periods, period_labels, 3,
				      json_string_value(json_object_get(values, "period"))),
		"bys", rp_options(r, bys, by_labels, 3, json_string_value(json_object_get(values, "by"))),
		"ranks", rp_options(r, ranks, rank_labels, 2,
				    json_string_value(json_object_get(values, "rank"))),
		"programmes", opts,
		"has_period", kind == REPORT_SPEND || kind == REPORT_ORDERS,
		"has_by", kind == REPORT_SPEND,
		"has_range", kind != REPORT_UTILISATION,
		"has_rank", kind == REPORT_PRODUCTS,
		"has_programme", kind == REPORT_UTILISATION);
}

/* The query string of p, to link the CSV and the API to the same choices. */
static void rp_query(const struct report_params *p, char *out, size_t len)
{
	switch (p->kind) {
	case REPORT_SPEND:
		lv_snprintf(out, len, "?by=%s&period=%s&from=%s&to=%s", report_by_name(p->by),
			    report_period_name(p->period), p->from_s, p->to_s);
		break;
	case REPORT_ORDERS:
		lv_snprintf(out, len, "?period=%s&from=%s&to=%s", report_period_name(p->period),
			    p->from_s, p->to_s);
		break;
	case REPORT_PRODUCTS:
		lv_snprintf(out, len, "?rank=%s&limit=%d&from=%s&to=%s",
			    p->rank == REPORT_RANK_QUANTITY ? "quantity" : "amount", p->limit,
			    p->from_s, p->to_s);
		break;
	case REPORT_UTILISATION:
		if (p->year)
			lv_snprintf(out, len, "?programme=%s&year=%d", p->programme, p->year);
		else
			lv_snprintf(out, len, "?programme=%s", p->programme);
		break;
	}
}

/*
 * Parses the request's choices for kind. On a refusal: OUT: *errors, a new
 * object {field: sentence in the request's language}, and *why, the
 * English sentence (for the API). Returns LV_OK or LV_EINVAL.
 */
static int rp_params(struct req *r, enum report_kind kind, struct report_params *p,
		     json_t **errors, const char **field, const char **why)
{
	int rc = report_params_parse(kind, rp_get, r, lv_now(), p, field, why);

	*errors = json_object();
	if (rc != LV_OK)
		json_object_set_new(*errors, *field, json_string(req_tr(r, *why)));
	return rc;
}

/* r->params[0] as a report. A 404 (page or JSON) when there is none of that name. */
static int rp_kind(struct req *r, enum report_kind *kind)
{
	if (report_kind_parse(r->params[0], kind) == LV_OK)
		return LV_OK;
	if (r->route->kind == ROUTE_API)
		reply_json_error(r, 404, "report_not_found",
				 "there is no report of that name: use spend, allowances, products or orders");
	else
		reply_error(r, 404, "report_not_found",
			    "There is no report of that name. Choose one from the list of reports.",
			    NULL);
	return LV_ENOTFOUND;
}

/* GET /admin/reports */
static int rp_index_get(struct req *r)
{
	return console_page(r, 200, "console_reports", req_tr(r, "Reports"), SECTION,
			    json_pack("{s:o}", "reports", rp_links(r, (enum report_kind)-1)));
}

/* GET /admin/reports/:name */
static int rp_report_get(struct req *r)
{
	const struct rp_report *info;
	struct report_params p;
	enum report_kind kind;
	json_t *rep = NULL, *page = NULL, *errors = NULL;
	const char *field, *why;
	char q[200], url[300];
	int rc, status = 200;

	rc = rp_kind(r, &kind);
	if (rc != LV_OK)
		goto out;
	info = rp_find(kind);
	page = json_pack("{s:s,s:s,s:s,s:o}", "report", report_kind_name(kind), "title",
			 req_tr(r, info->title), "summary", req_tr(r, info->summary), "reports",
			 rp_links(r, kind));
	rc = rp_params(r, kind, &p, &errors, &field, &why);
	if (rc != LV_OK) {
		status = 400;
		json_object_set_new(page, "form", rp_form(r, kind, NULL, errors));
		json_object_set_new(page, "refused", json_true());
		rc = console_page(r, status, "console_reports_report", req_tr(r, info->title),
				  SECTION, page);
		page = NULL;
		goto out;
	}
	rc = report_run(r->db, &p, &rep);
	if (rc != LV_OK)
		goto out;
	json_object_set_new(page, "form", rp_form(r, kind, &p, errors));
	switch (kind) {
	case REPORT_SPEND:
		rp_spend_page(r, &p, rep, page);
		break;
	case REPORT_UTILISATION:
		rp_utilisation_page(r, &p, rep, page);
		break;
	case REPORT_PRODUCTS:
		rp_products_page(r, &p, rep, page);
		break;
	case REPORT_ORDERS:
		rp_orders_page(r, &p, rep, page);
		break;
	}
	rp_query(&p, q, sizeof(q));
	lv_snprintf(url, sizeof(url), "/admin/reports/%s/download%s", report_kind_name(kind), q);
	json_object_set_new(page, "csv_url", json_string(url));
	lv_snprintf(url, sizeof(url), "/api/v1/admin/reports/%s%s", report_kind_name(kind), q);
	json_object_set_new(page, "api_url", json_string(url));
	json_object_set_new(page, "empty", json_boolean(json_array_size(json_object_get(rep, "rows")) == 0));
	json_object_set(page, "truncated", json_object_get(rep, "truncated"));
	json_object_set_new(page, "max_rows", json_integer(REPORT_ROWS_MAX));
	rc = console_page(r, status, "console_reports_report", req_tr(r, info->title), SECTION,
			  page);
	page = NULL;
out:
	json_decref(errors);
	json_decref(page);
	json_decref(rep);
	return rc;
}

/* GET /admin/reports/:name/download: the CSV of the same choices. */
static int rp_csv_get(struct req *r)
{
	struct report_params p;
	enum report_kind kind;
	json_t *rep = NULL, *errors = NULL;
	const char *field, *why;
	char name[96];
	int rc;

	rc = rp_kind(r, &kind);
	if (rc != LV_OK)
		goto out;
	rc = rp_params(r, kind, &p, &errors, &field, &why);
	if (rc != LV_OK) {
		rc = reply_error(r, 400, "bad_parameter", why, NULL);
		goto out;
	}
	rc = report_run(r->db, &p, &rep);
	if (rc != LV_OK)
		goto out;
	lv_buf_reset(&r->out);
	rc = report_csv(rep, r->app->cfg.currency, &r->out);
	if (rc != LV_OK) {
		lv_buf_reset(&r->out);
		rc = reply_error(r, 422, "export_too_big",
				 "This report is too large to download. Choose fewer dates.", NULL);
		goto out;
	}
	if (kind == REPORT_UTILISATION)
		lv_snprintf(name, sizeof(name), "report-allowances%s%s.csv", p.programme[0] ? "-" : "",
			    p.programme);
	else
		lv_snprintf(name, sizeof(name), "report-%s-%s-%s.csv", report_kind_name(kind),
			    p.from_s, p.to_s);
	rc = reply_download(r, name, "text/csv; charset=utf-8");
out:
	json_decref(errors);
	json_decref(rep);
	return rc;
}

/* GET /api/v1/admin/reports/:name */
static int rp_api_get(struct req *r)
{
	struct report_params p;
	enum report_kind kind;
	json_t *rep = NULL, *errors = NULL;
	const char *field, *why;
	char msg[300];
	int rc;

	rc = rp_kind(r, &kind);
	if (rc != LV_OK)
		goto out;
	rc = rp_params(r, kind, &p, &errors, &field, &why);
	if (rc != LV_OK) {
		lv_snprintf(msg, sizeof(msg), "%s: %s", field, why);
		rc = reply_json_error(r, 400, "invalid_parameter", msg);
		goto out;
	}
	rc = report_run(r->db, &p, &rep);
	if (rc != LV_OK)
		goto out;
	json_object_set_new(rep, "currency", json_string(r->app->cfg.currency));
	rc = reply_json(r, 200, rep);
	rep = NULL;
out:
	json_decref(errors);
	json_decref(rep);
	return rc;
}

#define RO (LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR)

/* clang-format off */
const struct route console_reports_routes[] = {
	/* method  pattern                          kind        access         roles csrf handler        name */
	{ "GET",  "/admin/reports",                 ROUTE_PAGE, ROUTE_SESSION, RO, 0, rp_index_get,  "console_reports" },
	{ "GET",  "/admin/reports/:name",           ROUTE_PAGE, ROUTE_SESSION, RO, 0, rp_report_get, "console_report" },
	{ "GET",  "/admin/reports/:name/download",  ROUTE_PAGE, ROUTE_SESSION, RO, 0, rp_csv_get,    "console_report_csv" },
	{ "GET",  "/api/v1/admin/reports/:name",    ROUTE_API,  ROUTE_SESSION, RO, 0, rp_api_get,    "api_admin_report" },
};
/* clang-format on */
const size_t console_reports_routes_n = sizeof(console_reports_routes) / sizeof(console_reports_routes[0]);
