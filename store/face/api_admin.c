/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * api_admin.c - the admin JSON API of the money path: allowance
 * programmes and HR adjustments (hr_admin), the order queue with its
 * fulfilment steps, cancellations and returns (store_admin), and the
 * payroll and fulfilment exports as CSV.
 *
 * The route table enforces the roles (and the CSRF token of every
 * state-changing call); these handlers validate the body strictly like
 * api_money.c, whose body reader and helpers they share, call the domain,
 * and translate its codes into statuses. Every change is audited by the
 * domain, in the transaction that makes it; creating a programme is
 * audited here, in the same transaction as the programme.
 */
#include <string.h>

#include "allowance.h"
#include "allowance_admin.h"
#include "api_shared.h"
#include "req_data.h"
#include "handlers.h"
#include "employee.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "order.h"

#define API_ADJUST_MAX 1000000000000LL /* minor units or points */

/* --------------------------------------------------------- programmes */

int api_admin_programmes_get(struct req *r)
{
	json_t *list = NULL;
	int rc = allowance_programme_list(r->db, &list);

	if (rc != LV_OK)
		return rc;
	return reply_json(r, 200, json_pack("{s:s,s:o}", "currency", r->app->cfg.currency,
					    "programmes", list));
}

/* OUT: *out, a new reference to the programme id from the list, or NULL. */
static int api_programme_by_id(struct req *r, int64_t id, json_t **out)
{
	json_t *list = NULL, *p;
	size_t i;
	int rc = allowance_programme_list(r->db, &list);

	*out = NULL;
	if (rc != LV_OK)
		goto out;
	rc = LV_ENOTFOUND;
	json_array_foreach(list, i, p) {
		if (json_integer_value(json_object_get(p, "id")) == id) {
			*out = json_incref(p);
			rc = LV_OK;
			break;
		}
	}
out:
	json_decref(list);
	return rc;
}

int api_admin_programmes_post(struct req *r)
{
	struct audit_actor actor;
	json_t *def = NULL, *prog = NULL, *errors = json_object();
	int64_t id = 0;
	int rc;

	rc = api_body_json(r, 0, &def);
	if (rc != LV_OK)
		goto out;
	req_actor(r, &actor);
	/* checked field by field as the console checks it, created and audited at once */
	rc = allowance_admin_create(r->db, def, &actor, errors, &id);
	if (rc == LV_EINVAL) {
		reply_json_invalid(r, 422, "programme_invalid", "the programme was not created: see "
				   "errors (one per field); nothing was changed", errors);
		goto out;
	}
	if (rc == LV_ECONFLICT) {
		reply_json_error(r, 409, "slug_taken", "a programme with this slug exists already");
		goto out;
	}
	if (rc == LV_EUNAVAIL) {
		reply_header(r, "Retry-After", "1");
		reply_json_error(r, 503, "busy",
				 "the store is busy; nothing was created. Retry in a moment");
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	rc = api_programme_by_id(r, id, &prog);
	if (rc != LV_OK)
		goto out;
	rc = reply_json(r, 201, prog);
	prog = NULL;
out:
	json_decref(errors);
	json_decref(prog);
	json_decref(def);
	return rc;
}

/* ---------------------------------------------------------- employees */

/*
 * r->params[0], HR's employee id (E1001). OUT: *id (employees.id). A 404
 * is set when there is no such employee.
 */
static int api_employee_param(struct req *r, int64_t *id)
{
	const char *eid = r->params[0];
	int rc = lv_db_lookup_id(r->db, "SELECT id FROM employees WHERE employee_id = ?1", eid,
				 id);

	if (rc == LV_ENOTFOUND)
		reply_json_error(r, 404, "employee_not_found",
				 "no employee has that employee id (has the employee signed in, or "
				 "been imported by HR?)");
	return rc;
}

/* The balances of employee (HR's eid) with status. */
static int api_employee_balances_reply(struct req *r, int64_t id, int status)
{
	json_t *bal = NULL, *emp = NULL;
	int rc;

	rc = employee_get(r->db, id, &emp);
	if (rc == LV_OK)
		rc = allowance_balances(r->db, id, lv_now(), &bal);
	if (rc != LV_OK)
		goto out;
	rc = reply_json(r, status, json_pack("{s:{s:O,s:O},s:s,s:O}", "employee",
					     "employee_id", json_object_get(emp, "employee_id"),
					     "name", json_object_get(emp, "name"),
					     "currency", r->app->cfg.currency, "allowances", bal));
out:
	json_decref(bal);
	json_decref(emp);
	return rc;
}

int api_admin_employee_allowances_get(struct req *r)
{
	int64_t id = 0;
	int rc = api_employee_param(r, &id);

	if (rc != LV_OK)
		return rc;
	return api_employee_balances_reply(r, id, 200);
}

int api_admin_adjustments_post(struct req *r)
{
	static const char *const keys[] = { "programme", "amount", "reason", NULL };
	struct audit_actor who;
	json_t *body = NULL, *v;
	const char *slug, *reason;
	int64_t id = 0, prog = 0, amount;
	size_t n;
	int rc;

	rc = api_employee_param(r, &id);
	if (rc == LV_OK)
		rc = api_body_json(r, 0, &body);
	if (rc == LV_OK)
		rc = api_keys_check(r, body, "", keys);
	if (rc != LV_OK)
		goto out;
	slug = json_string_value(json_object_get(body, "programme"));
	if (slug == NULL || allowance_programme_find(r->db, slug, &prog) != LV_OK) {
		rc = api_field_error(r, "programme: must be the slug of a programme");
		goto out;
	}
	v = json_object_get(body, "amount");
	amount = json_integer_value(v);
	if (!json_is_integer(v) || amount == 0 || amount < -API_ADJUST_MAX ||
	    amount > API_ADJUST_MAX) {
		rc = api_field_error(r, "amount: must be a whole number other than 0, in the "
				     "programme's unit (minor units, or points), from %lld to %lld",
				     -API_ADJUST_MAX, API_ADJUST_MAX);
		goto out;
	}
	v = json_object_get(body, "reason");
	reason = json_string_value(v);
	n = reason ? json_string_length(v) : 0;
	if (reason == NULL || n == 0 || n > 500 || strlen(reason) != n ||
	    strspn(reason, " \t\r\n") == n) {
		rc = api_field_error(r, "reason: is required: a string of 1 to 500 bytes saying "
				     "why");
		goto out;
	}
	req_actor(r, &who);
	rc = allowance_adjust_as(r->db, id, prog, amount, reason, &who, lv_now());
	switch (rc) {
	case LV_OK:
		rc = api_employee_balances_reply(r, id, 200);
		break;
	case LV_ECONFLICT:
		reply_json_error(r, 409, "balance_negative",
				 "the adjustment would take the balance below zero");
		break;
	case LV_ENOTFOUND:
		reply_json_error(r, 409, "no_current_period",
				 "the employee has no current period in this programme (not in "
				 "its audience, or not eligible yet)");
		break;
	case LV_EINVAL:
		api_field_error(r, "the adjustment is not valid (amount other than 0, reason of 1 "
				"to 500 bytes)");
		break;
	default:
		break;
	}
out:
	json_decref(body);
	return rc;
}

/* ------------------------------------------------------------- orders */

int api_admin_orders_get(struct req *r)
{
	return api_orders_list_reply(r, 0);
}

int api_admin_order_get(struct req *r)
{
	return api_order_reply(r, r->params[0], 0, 200);
}

/* obj[key]: absent, or a string of 1..max bytes. OUT: *out or NULL. */
static int api_opt_str(struct req *r, json_t *obj, const char *key, size_t max,
		       const char **out)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_string_value(v);

	*out = s;
	if (v == NULL)
		return LV_OK;
	if (s == NULL || json_string_length(v) == 0 || json_string_length(v) > max ||
	    strlen(s) != json_string_length(v))
		return api_field_error(r, "%s: must be a string of 1 to %zu bytes", key, max);
	return LV_OK;
}

int api_admin_order_status_post(struct req *r)
{
	static const char *const keys[] = { "status", "carrier", "tracking", NULL };
	const char *ref = r->params[0], *to = NULL, *carrier = NULL, *tracking = NULL;
	struct audit_actor actor;
	json_t *body = NULL;
	char msg[256] = "";
	int rc;

	rc = api_body_json(r, 0, &body);
	if (rc == LV_OK)
		rc = api_keys_check(r, body, "", keys);
	if (rc == LV_OK)
		rc = api_opt_str(r, body, "status", 32, &to);
	if (rc == LV_OK && to == NULL)
		rc = api_field_error(r, "status: is required (picking, shipped or delivered)");
	if (rc == LV_OK)
		rc = api_opt_str(r, body, "carrier", 64, &carrier);
	if (rc == LV_OK)
		rc = api_opt_str(r, body, "tracking", 128, &tracking);
	if (rc != LV_OK)
		goto out;
	req_actor(r, &actor);
	rc = order_advance(r->db, ref, to, carrier, tracking, &actor, lv_now(), msg, sizeof(msg));
	switch (rc) {
	case LV_OK:
		rc = api_order_reply(r, ref, 0, 200);
		break;
	case LV_EINVAL:
		reply_json_error(r, 400, "invalid_field", msg[0] ? msg : "the status is not valid");
		break;
	case LV_ENOTFOUND:
		reply_json_error(r, 404, "order_not_found", "there is no such order");
		break;
	case LV_ECONFLICT:
		reply_json_error(r, 409, "status_conflict",
				 msg[0] ? msg :
				 "the order cannot move to that status from its current one");
		break;
	default:
		break;
	}
out:
	json_decref(body);
	return rc;
}

int api_admin_order_cancel_post(struct req *r)
{
	return api_order_release_reply(r, 0, 0);
}

int api_admin_order_returns_post(struct req *r)
{
	return api_order_release_reply(r, 0, 1);
}

/* ------------------------------------------------------------ exports */

/* A CSV download: r->out holds it; name is the suggested file name. */
static int api_csv_reply(struct req *r, const char *name)
{
	char disp[128];

	lv_snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
	reply_header(r, "Content-Disposition", disp);
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	return LV_OK;
}

int api_admin_export_payroll_get(struct req *r)
{
	const char *period = req_query(r, "period");
	char name[64];
	int rc;

	if (period == NULL || *period == '\0') {
		reply_json_error(r, 400, "bad_parameter", "period: is required, as YYYY-MM");
		return LV_EINVAL;
	}
	lv_buf_reset(&r->out);
	rc = order_export_payroll(r->db, period, r->app->cfg.currency, &r->out);
	if (rc == LV_EINVAL) {
		reply_json_error(r, 400, "bad_parameter", "period: must be a month, as YYYY-MM");
		return rc;
	}
	if (rc != LV_OK) {
		lv_buf_reset(&r->out);
		return rc;
	}
	lv_snprintf(name, sizeof(name), "payroll-%s.csv", period);
	return api_csv_reply(r, name);
}

int api_admin_export_orders_get(struct req *r)
{
	const char *status = req_query(r, "status");
	char name[64];
	int rc;

	if (status && *status == '\0')
		status = NULL;
	lv_buf_reset(&r->out);
	rc = order_export_orders(r->db, status, &r->out);
	if (rc == LV_EINVAL) {
		reply_json_error(r, 400, "bad_parameter",
				 "status: must be one of pending_approval, placed, picking, shipped, "
				 "delivered, cancelled, returned, refused");
		return rc;
	}
	if (rc != LV_OK) {
		lv_buf_reset(&r->out);
		return rc;
	}
	lv_snprintf(name, sizeof(name), "orders-%s.csv", status ? status : "placed");
	return api_csv_reply(r, name);
}
