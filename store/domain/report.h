/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * report.h - the console's reports (docs/console.md, Reports): what the
 * store spent by department, cost centre or site per month, quarter or
 * year, and how much of it the allowances paid; how each allowance
 * programme was used per period (granted, carried over, adjusted, spent,
 * expired); the products ordered most over a date range; and the orders
 * in each state, now and by month.
 *
 * Each report is ONE prepared statement, bounded (REPORT_ROWS_MAX rows,
 * `truncated` says when there were more), whose rows come back as JSON in
 * one shape for every report, so the page, the JSON API and the CSV
 * download show the same numbers:
 *
 *   {report, params {...}, columns [{key, type}], rows [{key: value}],
 *    truncated, totals {...}}
 *
 * A column's type is "text", "count" (a plain integer), "money" (minor
 * units of the store currency) or "units" (in the row's "unit": minor
 * units for a money programme, points for a points programme).
 *
 * What counts (the rules the tests check, docs/console.md):
 *   - spend and top products count the orders placed in the range, in the
 *     store's local time zone (the process's TZ, as allowance periods),
 *     bucketed by when they were placed; orders still waiting for approval
 *     or refused are not spend. Cancelled and returned quantities are
 *     taken off: a line counts unit_price x (quantity - cancelled -
 *     returned); what the allowances paid for it counts what each
 *     programme kept after its refunds, value - floor(value x released /
 *     quantity), the rounding of the refunds themselves (docs/orders.md),
 *     at most the line's amount; the overage is the rest. A return made
 *     later changes the period in which the order was placed;
 *   - spend groups by the employee's department, cost centre or site as
 *     they are now ("" when HR gave none);
 *   - utilisation reads the allowance ledger by programme and period key
 *     (hire-anniversary periods, one per employee, are summed per year of
 *     their start): granted, rolled_over (carried into this period from
 *     the one before), adjusted (HR's adjustments, signed), spent (debits
 *     net of refunds), expired, balance (what is left: 0 once closed);
 *   - orders by state counts every order in each state now, and the
 *     orders placed in each month of the range by the state they are in
 *     now; amounts are the order totals as placed.
 */
#ifndef LV_REPORT_H
#define LV_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lv_buf.h"
#include "lv_db.h"

#define REPORT_ROWS_MAX 2000     /* rows of one report; more: truncated */
#define REPORT_TOP_MAX 100       /* products in the top products report */
#define REPORT_TOP_DEFAULT 10
#define REPORT_SPAN_YEARS_MAX 10 /* the longest date range */

enum report_kind {
	REPORT_SPEND,       /* "spend" */
	REPORT_UTILISATION, /* "allowances" */
	REPORT_PRODUCTS,    /* "products" */
	REPORT_ORDERS       /* "orders" */
};

enum report_period { REPORT_MONTH, REPORT_QUARTER, REPORT_YEAR };
enum report_by { REPORT_BY_DEPARTMENT, REPORT_BY_COST_CENTER, REPORT_BY_SITE };
enum report_rank { REPORT_RANK_AMOUNT, REPORT_RANK_QUANTITY };

/* What a report is asked for (report_params_parse fills it). */
struct report_params {
	enum report_kind kind;
	enum report_period period; /* spend, orders */
	enum report_by by;         /* spend */
	enum report_rank rank;     /* products */
	int limit;                 /* products: 1..REPORT_TOP_MAX */
	int64_t from, to;          /* [from, to): local midnights (spend, products, orders) */
	char from_s[11], to_s[11]; /* the same as YYYY-MM-DD, to inclusive */
	char programme[65];        /* utilisation: a programme's slug, "" for all */
	int year;                  /* utilisation: period keys of this year, 0 for all */
};

/* The report called name ("spend", "allowances", "products", "orders"). LV_OK or LV_ENOTFOUND. */
int report_kind_parse(const char *name, enum report_kind *out);
const char *report_kind_name(enum report_kind kind);

const char *report_period_name(enum report_period p); /* "month", "quarter", "year" */
const char *report_by_name(enum report_by b);         /* "department", "cost_center", "site" */

/*
 * A local day written YYYY-MM-DD (a real calendar day, year 1970..9999).
 * OUT: *start, its local midnight; *end (may be NULL), the next day's.
 * Returns LV_OK or LV_EINVAL. The audit log's search uses it too.
 */
int report_day_parse(const char *s, int64_t *start, int64_t *end);

/* Reads one parameter (a query string's value, or NULL when absent). */
typedef const char *(*report_get_fn)(void *arg, const char *key);

/*
 * Fills *out for report kind from the parameters get(arg, key) gives,
 * with defaults for those absent or empty, relative to now:
 *   period  month | quarter | year (default month);
 *   by      department | cost_center | site (default department);
 *   from, to  YYYY-MM-DD, to inclusive (default: the first day of the
 *           month eleven months before now's, to today), from <= to, at
 *           most REPORT_SPAN_YEARS_MAX years apart;
 *   rank    amount | quantity (default amount); limit 1..REPORT_TOP_MAX
 *           (default REPORT_TOP_DEFAULT);
 *   programme  a slug (letters, digits, '-'); year YYYY (utilisation).
 * Returns LV_OK, or LV_EINVAL with OUT: *field, the parameter that is
 * wrong ("range" when from and to are each fine but not together), and
 * *why, an English sentence (a msgid to translate) saying what to write
 * instead. Both static.
 */
int report_params_parse(enum report_kind kind, report_get_fn get, void *arg, int64_t now,
			struct report_params *out, const char **field, const char **why);

/*
 * Runs the report p asks for (one statement). OUT: *out, a new JSON object
 * as described above. Returns LV_OK or LV_EINTERNAL.
 */
int report_run(struct lv_db *db, const struct report_params *p, json_t **out);

/*
 * The report's rows as CSV (RFC 4180, CRLF, a header row of the column
 * keys), appended to out: money and units as whole numbers (minor units or
 * points) followed by a "currency" column (the store's currency for money,
 * and for units of a money programme; empty for points). Returns LV_OK or
 * LV_ETOOBIG (out's bound).
 */
int report_csv(const json_t *rep, const char *currency, struct lv_buf *out);

#endif
