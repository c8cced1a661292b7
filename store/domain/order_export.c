/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * order_export.c - the CSV files other systems take from Livery (see
 * order.h): payroll deductions per employee for a month, and the order
 * lines the warehouse has to fulfil.
 *
 * Both are RFC 4180 (CRLF line ends, a cell in double quotes when it holds
 * a comma, a quote, CR or LF, quotes doubled) and safe to open in a
 * spreadsheet: a cell that starts with = + - @ TAB or CR gets a leading
 * single quote, so a product name or an employee name can never run as a
 * formula (OWASP "CSV injection"). Amounts are plain decimals in the
 * currency's units ("45.00"), never a float.
 *
 * Payroll is net of returns: a line's payroll overage (total - covered,
 * when its overage_rule is 'payroll') shrinks like a refund when units
 * come back, by floor(overage * released / quantity), so a line returned
 * in full owes nothing and the payroll and allowance shares of a partial
 * return are rounded the same way.
 */
#include "order.h"

#include <string.h>
#include <time.h>

#include "catalog.h"
#include "lv_csv.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"

static int csv_end(struct lv_buf *out)
{
	return lv_buf_append(out, "\r\n", 2);
}

/* cells[0..n) as one CSV record. */
static int csv_row(struct lv_buf *out, const char *const *cells, size_t n)
{
	size_t i;
	int rc = LV_OK;

	for (i = 0; i < n && rc == LV_OK; i++)
		rc = lv_csv_cell(out, cells[i], i == 0);
	return rc == LV_OK ? csv_end(out) : rc;
}

/*
 * "YYYY-MM" -> the local month [*start, *end). Returns LV_OK or LV_EINVAL.
 */
static int period_month(const char *period, int64_t *start, int64_t *end)
{
	int64_t y, m;
	struct tm t;
	size_t i;

	if (period == NULL || strlen(period) != 7 || period[4] != '-')
		return LV_EINVAL;
	for (i = 0; i < 7; i++)
		if (i != 4 && (period[i] < '0' || period[i] > '9'))
			return LV_EINVAL;
	if (lv_parse_i64n(period, 4, 1970, 9999, &y) != LV_OK ||
	    lv_parse_i64n(period + 5, 2, 1, 12, &m) != LV_OK)
		return LV_EINVAL;
	memset(&t, 0, sizeof(t));
	t.tm_year = (int)y - 1900;
	t.tm_mon = (int)m - 1;
	t.tm_mday = 1;
	t.tm_isdst = -1;
	*start = (int64_t)mktime(&t);
	memset(&t, 0, sizeof(t));
	t.tm_year = (int)y - 1900;
	t.tm_mon = (int)m; /* mktime normalises December + 1 */
	t.tm_mday = 1;
	t.tm_isdst = -1;
	*end = (int64_t)mktime(&t);
	return *start == -1 || *end == -1 ? LV_EINVAL : LV_OK;
}

/* One employee's payroll row being summed. */
struct payroll_acc {
	int64_t employee;
	char *employee_id, *name, *cost_center;
	int64_t amount;
	struct lv_buf refs;
	char last_ref[33];
};

static void payroll_acc_cleanup(struct payroll_acc *a)
{
	lv_free(a->employee_id);
	lv_free(a->name);
	lv_free(a->cost_center);
	lv_buf_cleanup(&a->refs);
	memset(a, 0, sizeof(*a));
}

/* Writes a's row when it owes anything. */
static int payroll_acc_flush(struct payroll_acc *a, const char *currency, struct lv_buf *out)
{
	const char *cells[6];
	char amount[48];
	int rc = LV_OK;

	if (a->employee == 0 || a->amount <= 0)
		goto out;
	rc = catalog_amount_plain(a->amount, currency, amount, sizeof(amount));
	if (rc != LV_OK)
		goto out;
	cells[0] = a->employee_id;
	cells[1] = a->name;
	cells[2] = a->cost_center;
	cells[3] = amount;
	cells[4] = currency;
	cells[5] = lv_buf_str(&a->refs);
	rc = csv_row(out, cells, 6);
out:
	return rc;
}

int order_export_payroll(struct lv_db *db, const char *period, const char *currency,
			 struct lv_buf *out)
{
	static const char *const header[] = {
		"employee_id", "name", "cost_center", "amount", "currency", "orders",
	};
	struct payroll_acc acc;
	sqlite3_stmt *stmt = NULL;
	int64_t start, end, emp, ov, q, rel, owed;
	const char *ref;
	int rc, src = SQLITE_DONE;

	memset(&acc, 0, sizeof(acc));
	if (period_month(period, &start, &end) != LV_OK ||
	    catalog_currency_minor_units(currency) < 0) {
		rc = LV_EINVAL;
		goto out;
	}
	rc = lv_db_stmt(db, "SELECT e.id, e.employee_id, e.name, e.cost_center, o.ref, "
			    "l.total - l.covered, l.quantity, "
			    "l.cancelled_quantity + l.returned_quantity "
			    "FROM orders o JOIN employees e ON e.id = o.employee "
			    "JOIN order_lines l ON l.order_id = o.id "
			    "WHERE o.created_at >= ?1 AND o.created_at < ?2 "
			    "AND o.status NOT IN ('pending_approval', 'cancelled', 'refused') "
			    "AND o.overage_payroll > 0 AND o.currency = ?3 "
			    "AND l.overage_rule = 'payroll' "
			    "ORDER BY e.employee_id, e.id, o.id, l.line_no", &stmt);
	if (rc != LV_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, start);
	sqlite3_bind_int64(stmt, 2, end);
	lv_db_bind_text(stmt, 3, currency);
	rc = csv_row(out, header, 6);
	while (rc == LV_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
		emp = sqlite3_column_int64(stmt, 0);
		ref = (const char *)sqlite3_column_text(stmt, 4);
		ov = sqlite3_column_int64(stmt, 5);
		q = sqlite3_column_int64(stmt, 6);
		rel = sqlite3_column_int64(stmt, 7);
		owed = q > 0 ? ov - ov * rel / q : 0;
		if (emp != acc.employee) {
			rc = payroll_acc_flush(&acc, currency, out);
			payroll_acc_cleanup(&acc);
			acc.employee = emp;
			acc.employee_id = lv_db_column_strdup(stmt, 1, "");
			acc.name = lv_db_column_strdup(stmt, 2, "");
			acc.cost_center = lv_db_column_strdup(stmt, 3, "");
			lv_buf_init(&acc.refs, 1 << 20);
		}
		if (owed <= 0 || rc != LV_OK)
			continue;
		acc.amount += owed;
		if (strcmp(acc.last_ref, ref) != 0) {
			if (acc.refs.len > 0)
				rc = lv_buf_append_char(&acc.refs, ' ');
			if (rc == LV_OK)
				rc = lv_buf_append_str(&acc.refs, ref);
			lv_strlcpy(acc.last_ref, ref, sizeof(acc.last_ref));
		}
	}
	if (rc != LV_OK)
		goto out;
	if (src != SQLITE_DONE) {
		lv_error("order.export_payroll", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
		goto out;
	}
	rc = payroll_acc_flush(&acc, currency, out);
out:
	lv_db_done(stmt);
	payroll_acc_cleanup(&acc);
	return rc;
}

/*
 * The delivery address of ship_to (JSON text) on one line: "Site Lyon" or
 * "Alice Martin, 1 rue X, 69001 Lyon, FR". Control characters become
 * spaces. Appends to b.
 */
static int ship_to_line(const char *text, struct lv_buf *b)
{
	static const char *const keys[] = {
		"site", "name", "line1", "line2", "postcode", "city", "country",
	};
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL, *f;
	const char *key, *s;
	size_t i, start = b->len;
	int rc = LV_OK, found = 0;

	if (json_is_string(v)) {
		rc = lv_buf_append_str(b, json_string_value(v));
	} else if (json_is_object(v)) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && rc == LV_OK; i++) {
			s = json_string_value(json_object_get(v, keys[i]));
			if (s == NULL || s[0] == '\0')
				continue;
			/* "69001 Lyon": a postcode and its city read as one part */
			if (found)
				rc = lv_buf_append_str(b, strcmp(keys[i], "city") == 0 &&
						       json_string_value(json_object_get(v,
						       "postcode")) ? " " : ", ");
			if (rc == LV_OK)
				rc = lv_buf_append_str(b, s);
			found = 1;
		}
		if (!found) {
			json_object_foreach(v, key, f) {
				if (!json_is_string(f) || rc != LV_OK)
					continue;
				if (found)
					rc = lv_buf_append_str(b, ", ");
				if (rc == LV_OK)
					rc = lv_buf_append_str(b, json_string_value(f));
				found = 1;
			}
		}
	} else if (text != NULL) {
		rc = lv_buf_append_str(b, text);
	}
	for (i = start; rc == LV_OK && i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f)
			b->data[i] = ' ';
	json_decref(v);
	return rc;
}

int order_export_orders(struct lv_db *db, const char *status, struct lv_buf *out)
{
	static const char *const header[] = {
		"ref", "created_at", "employee_id", "name", "delivery", "ship_to", "sku",
		"product", "size", "colour", "fit", "quantity",
	};
	static const char *const known[] = {
		"pending_approval", "placed", "picking", "shipped",
		"delivered", "cancelled", "returned", "refused",
	};
	const char *cells[12];
	sqlite3_stmt *stmt = NULL;
	struct lv_buf ship;
	char when[32], qty[24];
	time_t t;
	struct tm tm;
	size_t i;
	int rc, src = SQLITE_DONE, c;

	lv_buf_init(&ship, 64 * 1024);
	if (status == NULL)
		status = "placed";
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(status, known[i]) == 0)
			break;
	if (i == sizeof(known) / sizeof(known[0])) {
		rc = LV_EINVAL;
		goto out;
	}
	rc = lv_db_stmt(db, "SELECT o.ref, o.created_at, e.employee_id, e.name, o.delivery, "
			    "o.ship_to, l.sku, l.product_name, l.size, l.colour, l.fit, "
			    "l.quantity - l.cancelled_quantity - l.returned_quantity "
			    "FROM orders o JOIN employees e ON e.id = o.employee "
			    "JOIN order_lines l ON l.order_id = o.id WHERE o.status = ?1 "
			    "ORDER BY o.id, l.line_no", &stmt);
	if (rc != LV_OK)
		goto out;
	lv_db_bind_text(stmt, 1, status);
	rc = csv_row(out, header, 12);
	while (rc == LV_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (sqlite3_column_int64(stmt, 11) <= 0)
			continue; /* nothing of this line is left to send */
		t = (time_t)sqlite3_column_int64(stmt, 1);
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			lv_strlcpy(when, "", sizeof(when));
		lv_buf_reset(&ship);
		rc = ship_to_line((const char *)sqlite3_column_text(stmt, 5), &ship);
		if (rc != LV_OK)
			break;
		lv_snprintf(qty, sizeof(qty), "%lld", (long long)sqlite3_column_int64(stmt, 11));
		for (c = 0; c < 11; c++)
			cells[c] = (const char *)sqlite3_column_text(stmt, c);
		cells[1] = when;
		cells[5] = lv_buf_str(&ship);
		cells[11] = qty;
		rc = csv_row(out, cells, 12);
	}
	if (rc != LV_OK)
		goto out;
	if (src != SQLITE_DONE) {
		lv_error("order.export_orders", "error=\"%s\"", sqlite3_errmsg(db->conn));
		rc = LV_EINTERNAL;
	}
out:
	lv_db_done(stmt);
	lv_buf_cleanup(&ship);
	return rc;
}
