/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * console_people.c - the console's People area (hr_admin; the auditor
 * reads): the employees, searched and filtered, 50 a page, with their
 * balances; the import of HR's CSV file (a file upload), every bad line
 * shown at once with what to write instead; one employee's page (their
 * facts, status and its history, balances, ledger, recent orders, the
 * catalog policies that apply to them, and the audit entries about them)
 * with the status form (a reason is required); and the same in the admin
 * API under /api/v1/admin/employees.
 *
 * An employee is addressed by HR's employee id (E1001), as in the rest of
 * the admin API. Everything is read and changed through people_admin.h,
 * the same functions as `livery people`, so the page, the API and the
 * command line cannot disagree.
 */
#include "console.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_shared.h"
#include "app.h"
#include "catalog.h"
#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"
#include "order.h"
#include "people_admin.h"
#include "req_data.h"
#include "say.h"

#define SECTION "people"
#define CP_ORDERS 10   /* recent orders on an employee's page */
#define CP_HISTORY 30  /* audit entries on an employee's page */

/* The statuses as the console names them, with their badge's tone. */
static const struct cp_status {
	const char *status;
	const char *label;
	const char *tone;
} cp_statuses[] = {
	{ "active", N_("Active"), "success" },
	{ "on_leave", N_("On leave"), "warning" },
	{ "left", N_("Left"), "neutral" },
	{ "suspended", N_("Suspended"), "danger" },
};
#define CP_STATUSES (sizeof(cp_statuses) / sizeof(cp_statuses[0]))

static int can_edit(const struct req *r)
{
	return (r->user->roles & LV_ROLE_HR_ADMIN) != 0;
}

/* {status, label, tone} of status (may be NULL). New reference. */
static json_t *cp_status_json(const struct req *r, const char *status)
{
	size_t i;

	for (i = 0; status != NULL && i < CP_STATUSES; i++)
		if (strcmp(cp_statuses[i].status, status) == 0)
			return json_pack("{s:s,s:s,s:s}", "status", status, "label",
					 req_tr(r, cp_statuses[i].label), "tone", cp_statuses[i].tone);
	return json_pack("{s:s,s:s,s:s}", "status", status ? status : "", "label",
			 status ? status : "", "tone", "neutral");
}

/* A JSON integer member as int64. */
static int64_t jint(const json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* "2024-03-15" as the reader's date ("15 March 2024"); the text itself when it is no date. */
static json_t *cp_day(const struct req *r, const char *iso)
{
	int64_t y, m, d;
	char out[64];

	if (iso == NULL || *iso == '\0')
		return json_string("");
	if (strlen(iso) != 10 || lv_parse_i64n(iso, 4, 1, 9999, &y) != LV_OK ||
	    lv_parse_i64n(iso + 5, 2, 1, 12, &m) != LV_OK ||
	    lv_parse_i64n(iso + 8, 2, 1, 31, &d) != LV_OK)
		return json_string(iso);
	say_date_parts(req_i18n(r), (int)y, (int)m - 1, (int)d, out, sizeof(out));
	return json_string(out);
}

/* An allowance amount {money, is_points, points} from a balance or ledger object. */
static json_t *cp_amount(const struct req *r, const json_t *o, const char *key)
{
	int64_t a = jint(o, key), rate = jint(o, "points_rate");

	return req_amount(r, req_jstr(o, "unit"), a, strcmp(req_jstr(o, "unit"), "points") == 0 ?
					 a * rate : a);
}

/* The balances for a page: [{name, amount}]. New array. */
static json_t *cp_balances(const struct req *r, const json_t *balances)
{
	json_t *out = json_array(), *b;
	size_t i;

	json_array_foreach(balances, i, b)
		json_array_append_new(out, json_pack("{s:s,s:s,s:o}", "name", req_jstr(b, "name"),
						     "programme", req_jstr(b, "programme"),
						     "amount", cp_amount(r, b, "balance")));
	return out;
}

/* /admin/people/<employee_id> (employee ids are letters, digits, '.', '_', '-'). */
static json_t *cp_url(const char *employee_id)
{
	char url[128];

	if (employee_id == NULL || *employee_id == '\0' ||
	    strspn(employee_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
		    strlen(employee_id) || strlen(employee_id) > 64)
		return json_null();
	lv_snprintf(url, sizeof(url), "/admin/people/%s", employee_id);
	return json_string(url);
}

/* ------------------------------------------------------------------ */
/* The list.                                                          */

/* ?name= as a whole number in [min, max], def when absent. LV_EINVAL when bad. */
static int cp_query_int(const struct req *r, const char *name, int64_t min, int64_t max,
			int64_t def, int64_t *out)
{
	const char *v = req_query(r, name);

	*out = def;
	if (v == NULL || *v == '\0')
		return LV_OK;
	return lv_parse_i64(v, min, max, out) == LV_OK ? LV_OK : LV_EINVAL;
}

/* A query value, or "" (never NULL). */
static const char *cp_q(const struct req *r, const char *name)
{
	const char *v = req_query(r, name);

	return v ? v : "";
}

/* The filter of the request's query (?q=&department=&site=&status=). */
static void cp_filter(const struct req *r, struct people_filter *f)
{
	f->q = cp_q(r, "q");
	f->department = cp_q(r, "department");
	f->site = cp_q(r, "site");
	f->status = cp_q(r, "status");
}

/* /admin/people?<the filter>&page=N into out. */
static void cp_list_url(const struct people_filter *f, int64_t page, struct lv_buf *out)
{
	static const char *const names[] = { "q", "department", "site", "status" };
	const char *values[] = { f->q, f->department, f->site, f->status };
	size_t i;
	int first = 1;

	lv_buf_reset(out);
	lv_buf_append_str(out, "/admin/people");
	for (i = 0; i < 4; i++) {
		if (values[i] == NULL || *values[i] == '\0')
			continue;
		lv_buf_printf(out, "%s%s=", first ? "?" : "&", names[i]);
		lv_url_encode(values[i], out);
		first = 0;
	}
	lv_buf_printf(out, "%spage=%lld", first ? "?" : "&", (long long)page);
}

/* The choices of a filter's select: [{value, selected}]. New array. */
static json_t *cp_options(const json_t *values, const char *current)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(values, i, v)
		json_array_append_new(out, json_pack("{s:O,s:b}", "value", v, "selected",
						     strcmp(json_string_value(v), current) == 0));
	return out;
}

/* The statuses as choices: [{value, label, selected}]; all: "suspended" too. New array. */
static json_t *cp_status_options(const struct req *r, const char *current, int all)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < CP_STATUSES; i++) {
		if (!all && strcmp(cp_statuses[i].status, "suspended") == 0)
			continue;
		json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "value", cp_statuses[i].status,
						     "label", req_tr(r, cp_statuses[i].label), "selected",
						     current && strcmp(cp_statuses[i].status, current) == 0));
	}
	return out;
}

/* The employees of a list for the page. New array. */
static json_t *cp_rows(const struct req *r, const json_t *list)
{
	json_t *rows = json_array(), *e;
	size_t i;

	json_array_foreach(list, i, e)
		json_array_append_new(rows, json_pack("{s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:o,s:b,s:o}",
			"employee_id", req_jstr(e, "employee_id"),
			"url", cp_url(req_jstr(e, "employee_id")),
			"name", req_jstr(e, "name"), "email", req_jstr(e, "email"),
			"department", req_jstr(e, "department"), "site", req_jstr(e, "site"),
			"job_title", req_jstr(e, "job_title"),
			"status", cp_status_json(r, req_jstr(e, "status")),
			"signed_in", json_is_true(json_object_get(e, "signed_in")),
			"balances", cp_balances(r, json_object_get(e, "balances"))));
	return rows;
}

/* GET /admin/people?q=&department=&site=&status=&page=&done= */
static int cp_list_get(struct req *r)
{
	struct people_filter f;
	json_t *list = NULL, *facets = NULL, *page = NULL, *pag;
	const char *done = req_query(r, "done");
	struct lv_buf url;
	int64_t pageno, pages;
	int rc;

	lv_buf_init(&url, 4096);
	cp_filter(r, &f);
	if (cp_query_int(r, "page", 1, 1000000, 1, &pageno) != LV_OK ||
	    (*f.status && !people_status_known(f.status)) || strlen(f.q) > 200) {
		rc = reply_error(r, 400, "bad_request",
				 "This search is not valid: choose the filters from the page.", NULL);
		goto out;
	}
	rc = people_admin_list(r->db, &f, pageno, PEOPLE_PER_PAGE, &list);
	if (rc == LV_OK && json_array_size(json_object_get(list, "employees")) == 0 &&
	    (pages = jint(list, "pages")) < pageno) {
		/* past the end: the list shrank meanwhile */
		json_decref(list);
		list = NULL;
		pageno = pages;
		rc = people_admin_list(r->db, &f, pageno, PEOPLE_PER_PAGE, &list);
	}
	if (rc == LV_OK)
		rc = people_admin_facets(r->db, &facets);
	if (rc != LV_OK)
		goto out;
	pages = jint(list, "pages");
	page = json_pack("{s:{s:s,s:s,s:s,s:s},s:o,s:o,s:o,s:o,s:I,s:b,s:b,s:b}",
		"filters", "q", f.q, "department", f.department, "site", f.site, "status", f.status,
		"departments", cp_options(json_object_get(facets, "departments"), f.department),
		"sites", cp_options(json_object_get(facets, "sites"), f.site),
		"statuses", cp_status_options(r, f.status, 1),
		"employees", cp_rows(r, json_object_get(list, "employees")),
		"total", (json_int_t)jint(list, "total"),
		"empty", json_array_size(json_object_get(list, "employees")) == 0,
		"filtered", *f.q || *f.department || *f.site || *f.status,
		"can_edit", can_edit(r));
	if (pages > 1) {
		pag = json_pack("{s:I,s:I}", "page", (json_int_t)pageno, "pages", (json_int_t)pages);
		if (pageno > 1) {
			cp_list_url(&f, pageno - 1, &url);
			json_object_set_new(pag, "prev_url", json_string(lv_buf_str(&url)));
		}
		if (pageno < pages) {
			cp_list_url(&f, pageno + 1, &url);
			json_object_set_new(pag, "next_url", json_string(lv_buf_str(&url)));
		}
		json_object_set_new(page, "pagination", pag);
	}
	if (done != NULL && strcmp(done, "imported") == 0) {
		int64_t ins = 0, upd = 0, same = 0;

		cp_query_int(r, "inserted", 0, PEOPLE_IMPORT_MAX_ROWS, 0, &ins);
		cp_query_int(r, "updated", 0, PEOPLE_IMPORT_MAX_ROWS, 0, &upd);
		cp_query_int(r, "unchanged", 0, PEOPLE_IMPORT_MAX_ROWS, 0, &same);
		json_object_set_new(page, "done_imported", json_pack("{s:I,s:I,s:I}", "inserted",
			(json_int_t)ins, "updated", (json_int_t)upd, "unchanged", (json_int_t)same));
	}
	rc = console_page(r, 200, "console_people", req_tr(r, "People"), SECTION, page);
	page = NULL;
out:
	lv_buf_cleanup(&url);
	json_decref(page);
	json_decref(facets);
	json_decref(list);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The import.                                                        */

/* The columns of the file, as the import page explains them. */
static const struct cp_column {
	const char *name;
	int required;
	const char *hint;
} cp_columns[] = {
	{ "employee_id", 1, N_("The employee's id in HR's system, e.g. E1001: letters, digits, '.', '_' and '-'. Each employee once.") },
	{ "name", 1, N_("Their full name.") },
	{ "email", 0, N_("Their work email, or empty. An email belongs to one employee.") },
	{ "department", 0, N_("As your policies and allowances name it, e.g. Retail Banking.") },
	{ "cost_center", 0, N_("The cost centre their orders are charged to.") },
	{ "site", 0, N_("Where they work; site deliveries go there.") },
	{ "job_title", 0, N_("Their job title.") },
	{ "employment_type", 0, N_("e.g. full_time, part_time, contractor.") },
	{ "hire_date", 0, N_("YYYY-MM-DD, e.g. 2024-03-15: allowances may depend on it.") },
	{ "manager_employee_id", 0, N_("The employee id of their manager, who approves their orders.") },
	{ "status", 0, N_("active, on_leave or left; leave the column out to keep each employee's status.") },
};

/* Renders the import page with an HTTP status and, after a refused file, what was wrong. */
static int cp_import_render(struct req *r, int status, const struct people_import *im,
			    const char *filename, const char *error)
{
	json_t *cols = json_array(), *errors = json_array(), *page;
	char msg[1024];
	size_t i;

	for (i = 0; i < sizeof(cp_columns) / sizeof(cp_columns[0]); i++)
		json_array_append_new(cols, json_pack("{s:s,s:b,s:s}", "name", cp_columns[i].name,
						      "required", cp_columns[i].required, "hint",
						      req_tr(r, cp_columns[i].hint)));
	for (i = 0; im != NULL && i < im->n_errors; i++) {
		people_import_error_say(&im->errors[i], req_i18n(r), msg, sizeof(msg));
		json_array_append_new(errors, json_pack("{s:I,s:b,s:s,s:s}", "line",
			(json_int_t)im->errors[i].line, "has_line", im->errors[i].line > 0,
			"column", im->errors[i].column, "message", msg));
	}
	page = json_pack("{s:o,s:o,s:b,s:I,s:I,s:b,s:s*,s:s*,s:I}",
		"columns", cols, "errors", errors, "has_errors", json_array_size(errors) > 0,
		"more_errors", (json_int_t)(im ? im->more_errors : 0),
		"n_errors", (json_int_t)(im ? im->n_errors + im->more_errors : 0),
		"can_edit", can_edit(r), "filename", filename, "error", error,
		"max_mb", (json_int_t)(r->app->cfg.max_upload_bytes >> 20));
	return console_page(r, status, "console_people_import", req_tr(r, "Import employees"),
			    SECTION, page);
}

/* GET /admin/people/import */
static int cp_import_get(struct req *r)
{
	return cp_import_render(r, 200, NULL, NULL, NULL);
}

/* POST /admin/people/import: the multipart field "file". */
static int cp_import_post(struct req *r)
{
	const struct lv_multipart_part *file;
	struct people_import im;
	struct audit_actor actor;
	char url[160];
	int rc;

	people_import_init(&im);
	rc = req_upload_need(r);
	if (rc != LV_OK)
		goto out; /* 413, 415 or 400, answered */
	file = req_upload_part(r, "file");
	if (file == NULL || file->len == 0) {
		rc = cp_import_render(r, 400, NULL, NULL,
				      req_tr(r, "Choose the CSV file to import, then send the form."));
		goto out;
	}
	req_actor(r, &actor);
	rc = people_import_run(r->db, file->data, file->len, file->filename, &actor, lv_now(),
			       &im);
	switch (rc) {
	case LV_OK:
		lv_snprintf(url, sizeof(url),
			    "/admin/people?done=imported&inserted=%zu&updated=%zu&unchanged=%zu",
			    im.inserted, im.updated, im.unchanged);
		rc = reply_redirect(r, 303, url);
		break;
	case LV_EINVAL:
		rc = cp_import_render(r, 422, &im, file->filename,
				      req_tr(r, "Nothing was imported. Correct every line listed below, then import the file again."));
		break;
	case LV_ETOOBIG:
		rc = cp_import_render(r, 413, NULL, file->filename,
				      req_tr(r, "The file is too large: split it into several files."));
		break;
	case LV_ECONFLICT:
		reply_header(r, "Retry-After", "1");
		rc = cp_import_render(r, 503, NULL, file->filename,
				      req_tr(r, "The store is busy: nothing was imported. Try again in a moment."));
		break;
	default:
		break;
	}
out:
	people_import_cleanup(&im);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One employee.                                                      */

/* What a refused status form brings back to the employee's page. */
struct cp_form {
	json_t *errors;     /* {status, reason}: sentences, borrowed; may be NULL */
	const char *error;  /* for the form as a whole, or NULL */
};

static const char *cp_kind_label(const struct req *r, const char *kind)
{
	static const struct {
		const char *kind;
		const char *label;
	} kinds[] = {
		{ "grant", N_("Granted") }, { "debit", N_("Order") },
		{ "refund", N_("Refund") }, { "expiry", N_("Expired") },
		{ "rollover", N_("Rolled over") }, { "adjustment", N_("Adjustment") },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return req_tr(r, kinds[i].label);
	return kind;
}

/* The ledger's entries for the page. New array. */
static json_t *cp_ledger(const struct req *r, const json_t *entries)
{
	json_t *out = json_array(), *l;
	size_t i;

	json_array_foreach(entries, i, l)
		json_array_append_new(out, json_pack("{s:o,s:s,s:s,s:s,s:o,s:b,s:s,s:s,s:s}",
			"date", req_date(r, jint(l, "at"), 1), "name", req_jstr(l, "name"),
			"kind", cp_kind_label(r, req_jstr(l, "kind")), "period", req_jstr(l, "period"),
			"amount", cp_amount(r, l, "amount"), "negative", jint(l, "amount") < 0,
			"order_ref", req_jstr(l, "order_ref"), "reason", req_jstr(l, "reason"),
			"by", req_jstr(l, "by")));
	return out;
}

/* What an audit entry about an employee is, in words. */
static const char *cp_action_label(const struct req *r, const char *action)
{
	static const struct {
		const char *action;
		const char *label;
	} labels[] = {
		{ "employee.status", N_("Status changed") },
		{ "employee.import_update", N_("Updated by an import") },
		{ "employee.login_linked", N_("First sign-in linked to the imported employee") },
		{ "allowance.adjust", N_("Allowance adjusted") },
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].action, action) == 0)
			return req_tr(r, labels[i].label);
	return action;
}

/* A JSON value as the history shows it: strings as they are, others as JSON. New string. */
static json_t *cp_value_text(const json_t *v)
{
	char *s;
	json_t *out;

	if (v == NULL || json_is_null(v))
		return json_string("");
	if (json_is_string(v))
		return json_string(json_string_value(v));
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	out = json_string(s ? s : "");
	free(s);
	return out;
}

/* The audit entries about the employee for the page: what changed, field by field. */
static json_t *cp_history(const struct req *r, const json_t *entries)
{
	json_t *out = json_array(), *h, *changes, *before, *after, *v;
	const char *key;
	size_t i;

	json_array_foreach(entries, i, h) {
		changes = json_array();
		before = json_object_get(h, "before");
		after = json_object_get(h, "after");
		json_object_foreach(after, key, v) {
			if (strcmp(key, "reason") == 0 || strcmp(key, "file") == 0)
				continue;
			json_array_append_new(changes, json_pack("{s:s,s:o,s:o,s:b}", "field", key,
				"before", cp_value_text(json_object_get(before, key)),
				"after", cp_value_text(v),
				"has_before", json_object_get(before, key) != NULL));
		}
		json_array_append_new(out, json_pack("{s:o,s:s,s:s,s:s,s:s,s:s,s:b,s:o}",
			"date", req_date(r, jint(h, "at"), 1),
			"label", cp_action_label(r, req_jstr(h, "action")),
			"action", req_jstr(h, "action"), "by", req_jstr(h, "by"),
			"address", req_jstr(h, "address"), "reason", req_jstr(after, "reason"),
			"has_changes", json_array_size(changes) > 0, "changes", changes));
	}
	return out;
}

/* The status changes for the page. New array. */
static json_t *cp_statuses_json(const struct req *r, const json_t *list)
{
	json_t *out = json_array(), *s;
	size_t i;

	json_array_foreach(list, i, s)
		json_array_append_new(out, json_pack("{s:o,s:o,s:o,s:s,s:s}",
			"date", req_date(r, jint(s, "at"), 1),
			"from", cp_status_json(r, req_jstr(s, "previous")),
			"to", cp_status_json(r, req_jstr(s, "status")),
			"reason", req_jstr(s, "reason"), "by", req_jstr(s, "by")));
	return out;
}

/* An order's state in words (the same words as the Orders area). */
static const char *cp_order_label(const struct req *r, const char *status)
{
	static const struct {
		const char *status;
		const char *label;
	} labels[] = {
		{ "pending_approval", N_("Waiting for approval") }, { "placed", N_("Placed") },
		{ "picking", N_("Picking") }, { "shipped", N_("Shipped") },
		{ "delivered", N_("Delivered") }, { "cancelled", N_("Cancelled") },
		{ "returned", N_("Returned") }, { "refused", N_("Refused") },
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].status, status) == 0)
			return req_tr(r, labels[i].label);
	return status;
}

/* The employee's recent orders. New array. */
static json_t *cp_orders(const struct req *r, const json_t *list)
{
	json_t *out = json_array(), *o;
	int link = (r->user->roles & (LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR)) != 0;
	char url[80];
	size_t i;

	json_array_foreach(list, i, o) {
		lv_snprintf(url, sizeof(url), "/admin/orders/%s", req_jstr(o, "ref"));
		json_array_append_new(out, json_pack("{s:s,s:s*,s:s,s:o,s:o,s:I}",
			"ref", req_jstr(o, "ref"), "url", link ? url : NULL,
			"status", cp_order_label(r, req_jstr(o, "status")),
			"date", req_date(r, jint(o, "created_at"), 0),
			"total", req_money(r, jint(o, "total")), "items", (json_int_t)jint(o, "items")));
	}
	return out;
}

/* The policies that apply, with a link to each. New array. */
static json_t *cp_policies(const json_t *list)
{
	json_t *out = json_array(), *p;
	char url[160];
	size_t i;

	json_array_foreach(list, i, p) {
		lv_snprintf(url, sizeof(url), "/admin/policies/%s", req_jstr(p, "name"));
		json_array_append_new(out, json_pack("{s:s,s:s,s:s}", "name", req_jstr(p, "name"),
						     "title", req_jstr(p, "title"), "url", url));
	}
	return out;
}

/*
 * Everything about employee_id the page and the API show. OUT: *emp (the
 * employee), *ledger (page ledger_page), *orders, *policies, *history,
 * all new. Returns LV_OK, LV_ENOTFOUND, LV_EINVAL (ledger page) or
 * LV_EINTERNAL; nothing is set unless LV_OK.
 */
static int cp_employee_load(struct req *r, const char *employee_id, int64_t ledger_page,
			    json_t **emp, json_t **ledger, json_t **orders, json_t **policies,
			    json_t **history)
{
	struct policy_set *set = policy_runtime_get(r->app->policies);
	int64_t now = lv_now(), id;
	int rc;

	*ledger = *orders = *policies = *history = NULL;
	rc = people_admin_get(r->db, employee_id, now, emp);
	if (rc != LV_OK)
		goto out;
	id = jint(*emp, "id");
	rc = people_admin_ledger(r->db, id, ledger_page, PEOPLE_LEDGER_PER_PAGE, ledger);
	if (rc == LV_OK)
		rc = order_list(r->db, id, NULL, 0, CP_ORDERS, orders);
	if (rc == LV_OK)
		rc = people_admin_policies(r->db, set, id, now, policies);
	if (rc == LV_OK)
		rc = people_admin_history(r->db, id, CP_HISTORY, history);
	if (rc != LV_OK) {
		json_decref(*emp);
		json_decref(*ledger);
		json_decref(*orders);
		json_decref(*policies);
		json_decref(*history);
		*emp = *ledger = *orders = *policies = *history = NULL;
	}
out:
	policy_set_unref(set);
	return rc;
}

/* Renders the page of employee r->params[0] with status and f (may be NULL). */
static int cp_employee_render(struct req *r, int status, const struct cp_form *f)
{
	json_t *emp = NULL, *ledger = NULL, *orders = NULL, *policies = NULL, *history = NULL;
	json_t *page = NULL, *mgr, *pag, *groups;
	const char *eid = r->params[0], *done = req_query(r, "done");
	const char *typed_status = f ? req_form(r, "status") : NULL;
	const char *typed_reason = f ? req_form(r, "reason") : NULL;
	int64_t lpage, lpages;
	char url[160];
	int rc;

	if (cp_query_int(r, "ledger", 1, 1000000, 1, &lpage) != LV_OK)
		lpage = 1;
	rc = cp_employee_load(r, eid, lpage, &emp, &ledger, &orders, &policies, &history);
	if (rc == LV_ENOTFOUND) {
		rc = reply_error(r, 404, "employee_not_found",
				 "No employee has this employee id. Go back to the people and choose one from the list.",
				 NULL);
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	mgr = json_object_get(emp, "manager");
	groups = json_object_get(emp, "groups");
	page = json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:O,s:b,s:o,s:o,s:o},"
			 "s:o,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:b,s:b,s:b,s:b,s:b}",
		"employee",
		"employee_id", req_jstr(emp, "employee_id"), "name", req_jstr(emp, "name"),
		"email", req_jstr(emp, "email"), "department", req_jstr(emp, "department"),
		"cost_center", req_jstr(emp, "cost_center"), "site", req_jstr(emp, "site"),
		"job_title", req_jstr(emp, "job_title"),
		"employment_type", req_jstr(emp, "employment_type"),
		"hire_date", cp_day(r, req_jstr(emp, "hire_date")),
		"groups", groups,
		"signed_in", json_is_true(json_object_get(emp, "signed_in")),
		"last_login", req_date(r, jint(emp, "last_login_at"), 1),
		"created", req_date(r, jint(emp, "created_at"), 1),
		"updated", req_date(r, jint(emp, "updated_at"), 1),
		"status", cp_status_json(r, req_jstr(emp, "status")),
		"can_edit", can_edit(r),
		"balances", cp_balances(r, json_object_get(emp, "balances")),
		"ledger", cp_ledger(r, json_object_get(ledger, "entries")),
		"orders", cp_orders(r, orders),
		"policies", cp_policies(policies),
		"history", cp_history(r, history),
		"statuses", cp_statuses_json(r, json_object_get(emp, "statuses")),
		"ledger_total", (json_int_t)jint(ledger, "total"),
		"has_balances", json_array_size(json_object_get(emp, "balances")) > 0,
		"has_ledger", jint(ledger, "total") > 0,
		"has_orders", json_array_size(orders) > 0,
		"has_policies", json_array_size(policies) > 0,
		"has_history", json_array_size(history) > 0);
	if (page == NULL) {
		rc = LV_EINTERNAL;
		goto out;
	}
	json_object_set_new(page, "has_groups", json_boolean(json_array_size(groups) > 0));
	json_object_set_new(page, "has_statuses", json_boolean(
		json_array_size(json_object_get(emp, "statuses")) > 0));
	if (json_is_object(mgr))
		json_object_set_new(page, "manager", json_pack("{s:s,s:s,s:o}",
			"employee_id", req_jstr(mgr, "employee_id"), "name", req_jstr(mgr, "name"),
			"url", cp_url(req_jstr(mgr, "employee_id"))));
	lpages = jint(ledger, "pages");
	if (lpages > 1) {
		pag = json_pack("{s:I,s:I}", "page", (json_int_t)lpage, "pages", (json_int_t)lpages);
		if (lpage > 1) {
			lv_snprintf(url, sizeof(url), "/admin/people/%s?ledger=%lld#ledger", eid,
				    (long long)(lpage - 1));
			json_object_set_new(pag, "prev_url", json_string(url));
		}
		if (lpage < lpages) {
			lv_snprintf(url, sizeof(url), "/admin/people/%s?ledger=%lld#ledger", eid,
				    (long long)(lpage + 1));
			json_object_set_new(pag, "next_url", json_string(url));
		}
		json_object_set_new(page, "pagination", pag);
	}
	json_object_set_new(page, "choices", cp_status_options(r, typed_status ? typed_status : "", 0));
	json_object_set_new(page, "values", json_pack("{s:s}", "reason",
						      typed_reason ? typed_reason : ""));
	json_object_set_new(page, "errors", json_pack("{s:s*,s:s*}",
		"status", f && f->errors ? json_string_value(json_object_get(f->errors, "status")) : NULL,
		"reason", f && f->errors ? json_string_value(json_object_get(f->errors, "reason")) : NULL));
	if (f && f->error)
		json_object_set_new(page, "error", json_string(f->error));
	if (done && strcmp(done, "status") == 0)
		json_object_set_new(page, "done_status", json_true());
	if (done && strcmp(done, "unchanged") == 0)
		json_object_set_new(page, "done_unchanged", json_true());
	rc = console_page(r, status, "console_people_employee", req_jstr(emp, "name"), SECTION,
			  page);
	page = NULL;
out:
	json_decref(page);
	json_decref(emp);
	json_decref(ledger);
	json_decref(orders);
	json_decref(policies);
	json_decref(history);
	return rc;
}

static int cp_employee_get(struct req *r)
{
	return cp_employee_render(r, 200, NULL);
}

/* POST /admin/people/:employee/status: status, reason. */
static int cp_status_post(struct req *r)
{
	const char *status = req_form(r, "status"), *reason = req_form(r, "reason"), *why;
	struct cp_form f = { NULL, NULL };
	struct audit_actor actor;
	char url[160];
	int rc, changed = 0;

	f.errors = json_object();
	if ((why = people_status_check(status)) != NULL)
		json_object_set_new(f.errors, "status", json_string(req_tr(r, why)));
	if ((why = people_reason_check(reason)) != NULL)
		json_object_set_new(f.errors, "reason", json_string(req_tr(r, why)));
	if (json_object_size(f.errors) > 0) {
		f.error = req_tr(r, "The status was not changed. Correct what is marked and send the form again.");
		rc = cp_employee_render(r, 400, &f);
		goto out;
	}
	req_actor(r, &actor);
	rc = people_admin_status_set(r->db, r->params[0], status, reason, &actor, lv_now(),
				     &changed);
	if (rc == LV_ENOTFOUND) {
		rc = reply_error(r, 404, "employee_not_found",
				 "No employee has this employee id. Go back to the people and choose one from the list.",
				 NULL);
		goto out;
	}
	if (rc == LV_ECONFLICT) {
		f.error = req_tr(r, "The store is busy: the status was not changed. Try again in a moment.");
		rc = cp_employee_render(r, 503, &f);
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	lv_snprintf(url, sizeof(url), "/admin/people/%s?done=%s", r->params[0],
		    changed ? "status" : "unchanged");
	rc = reply_redirect(r, 303, url);
out:
	json_decref(f.errors);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The admin API.                                                     */

/* GET /api/v1/admin/employees?q=&department=&site=&status=&page=&per_page= */
static int cp_api_list_get(struct req *r)
{
	struct people_filter f;
	json_t *list = NULL;
	int64_t page, per;
	int rc;

	cp_filter(r, &f);
	if (cp_query_int(r, "page", 1, 1000000, 1, &page) != LV_OK) {
		reply_json_error(r, 400, "bad_parameter", "page: must be a whole number from 1");
		return LV_EINVAL;
	}
	if (cp_query_int(r, "per_page", 1, PEOPLE_PER_PAGE_MAX, PEOPLE_PER_PAGE, &per) != LV_OK) {
		reply_json_error(r, 400, "bad_parameter", "per_page: must be a whole number from 1 to 200");
		return LV_EINVAL;
	}
	if (*f.status && !people_status_known(f.status)) {
		reply_json_error(r, 400, "bad_parameter",
				 "status: must be one of active, on_leave, left, suspended");
		return LV_EINVAL;
	}
	if (strlen(f.q) > 200) {
		reply_json_error(r, 400, "bad_parameter", "q: at most 200 bytes");
		return LV_EINVAL;
	}
	rc = people_admin_list(r->db, &f, page, (int)per, &list);
	if (rc != LV_OK)
		return rc;
	json_object_set_new(list, "currency", json_string(r->app->cfg.currency));
	return reply_json(r, 200, list);
}

/* GET /api/v1/admin/employees/:employee?ledger_page= */
static int cp_api_employee_get(struct req *r)
{
	json_t *emp = NULL, *ledger = NULL, *orders = NULL, *policies = NULL, *history = NULL;
	int64_t lpage;
	int rc;

	if (cp_query_int(r, "ledger_page", 1, 1000000, 1, &lpage) != LV_OK) {
		reply_json_error(r, 400, "bad_parameter", "ledger_page: must be a whole number from 1");
		return LV_EINVAL;
	}
	rc = cp_employee_load(r, r->params[0], lpage, &emp, &ledger, &orders, &policies, &history);
	if (rc == LV_ENOTFOUND) {
		reply_json_error(r, 404, "employee_not_found",
				 "no employee has that employee id (has the employee signed in, or "
				 "been imported by HR?)");
		return rc;
	}
	if (rc != LV_OK)
		return rc;
	return reply_json(r, 200, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "currency",
					    r->app->cfg.currency, "employee", emp, "ledger", ledger,
					    "orders", orders, "policies", policies, "history", history));
}

/* POST /api/v1/admin/employees/import: the CSV file as the body (text/csv). */
static int cp_api_import_post(struct req *r)
{
	const char *ct = req_header(r, "Content-Type"), *name = req_query(r, "filename");
	struct people_import im;
	struct audit_actor actor;
	json_t *errors;
	char msg[1024];
	size_t i;
	int rc;

	people_import_init(&im);
	if (ct == NULL || (strncasecmp(ct, "text/csv", 8) != 0 &&
			   strncasecmp(ct, "application/csv", 15) != 0)) {
		reply_json_error(r, 415, "unsupported_media_type",
				 "send the CSV file itself as the body, with Content-Type: text/csv");
		rc = LV_EINVAL;
		goto out;
	}
	rc = req_body_read(r);
	if (rc == LV_ETOOBIG) {
		reply_json_error(r, 413, "too_large",
				 "the file is larger than the store accepts ([server] max_upload_bytes): split it");
		goto out;
	}
	if (rc != LV_OK) {
		reply_json_error(r, 400, "bad_request", "the body could not be read");
		goto out;
	}
	if (name != NULL && (strlen(name) > 255 || !catalog_utf8_valid(name, strlen(name))))
		name = NULL;
	req_actor(r, &actor);
	rc = people_import_run(r->db, r->body.data ? r->body.data : "", r->body.len,
			       name ? name : "api.csv", &actor, lv_now(), &im);
	if (rc == LV_OK) {
		rc = reply_json(r, 200, json_pack("{s:I,s:I,s:I,s:I,s:I,s:s}", "rows",
			(json_int_t)im.rows, "inserted", (json_int_t)im.inserted,
			"updated", (json_int_t)im.updated, "unchanged", (json_int_t)im.unchanged,
			"status_changes", (json_int_t)im.status_changes, "sha256", im.sha256));
	} else if (rc == LV_EINVAL) {
		errors = json_array();
		for (i = 0; i < im.n_errors; i++) {
			people_import_error_say(&im.errors[i], NULL, msg, sizeof(msg));
			json_array_append_new(errors, json_pack("{s:I,s:s*,s:s}", "line",
				(json_int_t)im.errors[i].line,
				"column", im.errors[i].column[0] ? im.errors[i].column : NULL,
				"message", msg));
		}
		reply_json(r, 422, json_pack("{s:{s:s,s:s,s:s},s:o,s:I}", "error", "code",
			"import_invalid", "message", "the file has errors (see errors); nothing was imported",
			"request_id", r->rid, "errors", errors, "more", (json_int_t)im.more_errors));
	} else if (rc == LV_ETOOBIG) {
		reply_json_error(r, 413, "too_large", "the file is larger than 64 MiB: split it");
	} else if (rc == LV_ECONFLICT) {
		reply_header(r, "Retry-After", "1");
		reply_json_error(r, 503, "busy", "the store is busy; nothing was imported. Retry in a moment");
	}
out:
	people_import_cleanup(&im);
	return rc;
}

/* PUT /api/v1/admin/employees/:employee/status {status, reason} */
static int cp_api_status_put(struct req *r)
{
	static const char *const keys[] = { "status", "reason", NULL };
	struct audit_actor actor;
	json_t *body = NULL, *errors = NULL, *emp = NULL;
	const char *status, *reason, *why;
	int rc, changed = 0;

	rc = api_body_json(r, 0, &body);
	if (rc == LV_OK)
		rc = api_keys_check(r, body, "", keys);
	if (rc != LV_OK)
		goto out;
	status = json_string_value(json_object_get(body, "status"));
	reason = json_string_value(json_object_get(body, "reason"));
	errors = json_array();
	if ((why = people_status_check(status)) != NULL)
		json_array_append_new(errors, json_pack("{s:s,s:s}", "field", "status", "message",
			"status: must be active, on_leave or left"));
	if ((why = people_reason_check(reason)) != NULL)
		json_array_append_new(errors, json_pack("{s:s,s:s}", "field", "reason", "message",
			"reason: is required: a string of 1 to 500 bytes saying why"));
	if (json_array_size(errors) > 0) {
		rc = LV_EINVAL;
		reply_json(r, 422, json_pack("{s:{s:s,s:s,s:s},s:O}", "error", "code", "invalid_field",
			"message", json_string_value(json_object_get(json_array_get(errors, 0), "message")),
			"request_id", r->rid, "errors", errors));
		goto out;
	}
	req_actor(r, &actor);
	rc = people_admin_status_set(r->db, r->params[0], status, reason, &actor, lv_now(),
				     &changed);
	if (rc == LV_ENOTFOUND) {
		reply_json_error(r, 404, "employee_not_found", "no employee has that employee id");
		goto out;
	}
	if (rc == LV_ECONFLICT) {
		reply_header(r, "Retry-After", "1");
		reply_json_error(r, 503, "busy", "the store is busy; nothing was changed. Retry in a moment");
		goto out;
	}
	if (rc == LV_OK)
		rc = people_admin_get(r->db, r->params[0], lv_now(), &emp);
	if (rc != LV_OK)
		goto out;
	rc = reply_json(r, 200, json_pack("{s:b,s:O}", "changed", changed, "employee", emp));
out:
	json_decref(emp);
	json_decref(errors);
	json_decref(body);
	return rc;
}

#define RO (LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR)
#define RW LV_ROLE_HR_ADMIN

/* clang-format off */
const struct route console_people_routes[] = {
	/* method  pattern                                    kind        access         roles csrf          handler              name */
	{ "GET",  "/admin/people",                            ROUTE_PAGE, ROUTE_SESSION, RO, 0,            cp_list_get,         "console_people" },
	/* before /admin/people/:employee, which would take "import" for an employee id */
	{ "GET",  "/admin/people/import",                     ROUTE_PAGE, ROUTE_SESSION, RO, 0,            cp_import_get,       "console_people_import" },
	{ "POST", "/admin/people/import",                     ROUTE_PAGE, ROUTE_SESSION, RW, ROUTE_UPLOAD, cp_import_post,      "console_people_import_post" },
	{ "GET",  "/admin/people/:employee",                  ROUTE_PAGE, ROUTE_SESSION, RO, 0,            cp_employee_get,     "console_person" },
	{ "POST", "/admin/people/:employee/status",           ROUTE_PAGE, ROUTE_SESSION, RW, 1,            cp_status_post,      "console_person_status" },
	{ "GET",  "/api/v1/admin/employees",                  ROUTE_API,  ROUTE_SESSION, RO, 0,            cp_api_list_get,     "api_admin_employees" },
	{ "POST", "/api/v1/admin/employees/import",           ROUTE_API,  ROUTE_SESSION, RW, ROUTE_UPLOAD, cp_api_import_post,  "api_admin_employees_import" },
	{ "GET",  "/api/v1/admin/employees/:employee",        ROUTE_API,  ROUTE_SESSION, RO, 0,            cp_api_employee_get, "api_admin_employee" },
	{ "PUT",  "/api/v1/admin/employees/:employee/status", ROUTE_API,  ROUTE_SESSION, RW, 1,            cp_api_status_put,   "api_admin_employee_status" },
};
/* clang-format on */
const size_t console_people_routes_n = sizeof(console_people_routes) / sizeof(console_people_routes[0]);
