/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * export_pages.c - the CSV downloads of the admin pages: payroll
 * deductions of a month (/admin/exports/payroll.csv?period=YYYY-MM, for
 * hr_admin) and the orders to fulfil (/admin/exports/orders.csv?status=,
 * for store_admin; placed when no status is given). The route table checks
 * the roles; the CSV is made by order_export.c, the same as `livery
 * export`. A bad parameter is a 400 page that says what to write instead.
 */
#include "handlers.h"

#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "order.h"

/* After a failed export: the 400 or 500 page, with r->out emptied first. */
static int export_fail(struct req *r, int rc, const char *bad_param_message)
{
	lv_buf_reset(&r->out);
	if (rc == LV_EINVAL)
		return reply_error(r, 400, "bad_parameter", bad_param_message, NULL);
	if (rc == LV_ETOOBIG)
		return reply_error(r, 500, "export_too_big",
				   "This export is too large to download here. Use the "
				   "command line: livery export.", NULL);
	return reply_err_code(r, rc);
}

int page_export_payroll_get(struct req *r)
{
	static const char bad[] = "The period must be a month written as YYYY-MM, "
				  "for example ?period=2026-03.";
	const char *period = req_query(r, "period");
	char name[64];
	int rc;

	if (period == NULL || strlen(period) != 7) {
		rc = reply_error(r, 400, "bad_parameter", bad, NULL);
		goto out;
	}
	lv_buf_reset(&r->out);
	rc = order_export_payroll(r->db, period, r->app->cfg.currency, &r->out);
	if (rc != LV_OK) {
		rc = export_fail(r, rc, bad);
		goto out;
	}
	lv_snprintf(name, sizeof(name), "payroll-%s.csv", period);
	rc = reply_download(r, name, "text/csv; charset=utf-8");
out:
	return rc;
}

int page_export_orders_get(struct req *r)
{
	static const char bad[] = "The status must be one of pending_approval, placed, "
				  "picking, shipped, delivered, cancelled, returned, refused.";
	const char *status = req_query(r, "status");
	char name[64];
	int rc;

	if (status != NULL && status[0] == '\0')
		status = NULL;
	lv_buf_reset(&r->out);
	rc = order_export_orders(r->db, status, &r->out);
	if (rc != LV_OK) {
		rc = export_fail(r, rc, bad);
		goto out;
	}
	/* status is one of the known names here, safe in a header */
	lv_snprintf(name, sizeof(name), "orders-%s.csv", status ? status : "placed");
	rc = reply_download(r, name, "text/csv; charset=utf-8");
out:
	return rc;
}
