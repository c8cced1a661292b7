/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * console_policies.c - the console's Policies area (hr_admin; the auditor
 * reads): the list of HR's catalog policies with whom each applies to, a
 * form for the common rules and a JSON editor for the rest, validation
 * with each error next to its field, a preview of what one employee would
 * see with the edited policy (nothing saved), the history of every change
 * with a diff, and deletion with a confirmation.
 *
 * Storage, validation of the whole set and the audit trail are
 * policy_store.c's (the same as the admin API, api_policies.c); the form
 * and the preview are policy_admin.c's. A save switches the running store
 * to the new set at once. Saves carry the version the page was made from,
 * so a policy changed by someone else meanwhile is not overwritten.
 */
#include "console.h"

#include <string.h>

#include "app.h"
#include "lv_diff.h"
#include "lv_err.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "lv_time.h"
#include "policy_admin.h"
#include "policy_store.h"
#include "req_data.h"

#define SECTION "policies"

static int can_edit(const struct req *r)
{
	return (r->user->roles & LV_ROLE_HR_ADMIN) != 0;
}

/* Who and when, for the pages: {name, at}. */
static json_t *pol_who(const struct req *r, const json_t *actor, int64_t at)
{
	const char *label = json_string_value(json_object_get(actor, "label"));

	return json_pack("{s:s,s:o}", "name", label && *label ? label : "-", "at",
			 req_date(r, at, 1));
}

/* The stored policy name. OUT: *stored (the store's object) — NULL and a 404 page when absent. */
static int pol_load(struct req *r, const char *name, json_t **stored)
{
	int rc = policy_store_get(r->db, name, stored);

	if (rc == LV_ENOTFOUND)
		reply_error(r, 404, "policy_not_found",
			    "There is no policy of that name. It may have been deleted: go back to the list of policies.",
			    NULL);
	return rc;
}

/* The errors of an engine refusal as {field: sentence} and a list for the rest. */
static void pol_errors(const struct policy_errors *errs, const struct lv_kvlist *form,
		       json_t *fields, json_t *general)
{
	size_t i;

	for (i = 0; i < errs->n; i++) {
		char field[48], text[600];

		policy_admin_error_field(errs->v[i].path, form, field, sizeof(field));
		lv_snprintf(text, sizeof(text), "%s%s%s", errs->v[i].message,
			    errs->v[i].hint[0] ? " " : "", errs->v[i].hint);
		if (form && field[0] && json_object_get(fields, field) == NULL)
			json_object_set_new(fields, field, json_string(text));
		else
			json_array_append_new(general, json_pack("{s:s,s:s,s:s}", "path",
								 errs->v[i].path, "message",
								 errs->v[i].message, "hint",
								 errs->v[i].hint));
	}
}

/* Puts each row's error (errors["dress_3"]) into the row, for the template. */
static void pol_rows_errors(json_t *view, const json_t *errors)
{
	static const char *const lists[2][2] = { { "dress", "dress" }, { "limits", "limit" } };
	json_t *row;
	size_t k, i;

	for (k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(view, lists[k][0]), i, row) {
			char key[48];
			json_t *e;

			lv_snprintf(key, sizeof(key), "%s_%lld", lists[k][1],
				    (long long)json_integer_value(json_object_get(row, "i")));
			if ((e = json_object_get(errors, key)) != NULL)
				json_object_set(row, "error", e);
		}
	}
}

/* ---- the list ---- */

/* How many employees each policy of set applies to, as {name: count}. One query. */
static json_t *pol_reach(struct req *r, struct policy_set *set)
{
	static const char *const sql =
		"SELECT employee_id, department, cost_center, site, job_title, employment_type,"
		" groups, hire_date FROM employees WHERE status <> 'left' LIMIT 200000";
	json_t *counts = json_object();
	sqlite3_stmt *st = NULL;
	int64_t today = policy_store_local_day(lv_now());

	if (lv_db_stmt(r->db, sql, &st) != LV_OK)
		return counts;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *groups[64];
		struct policy_subject s;
		struct policy_view *v = NULL;
		json_t *g = json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL), *x;
		int64_t hire = -1;
		size_t i;

		memset(&s, 0, sizeof(s));
		s.employee_id = (const char *)sqlite3_column_text(st, 0);
		s.department = (const char *)sqlite3_column_text(st, 1);
		s.cost_center = (const char *)sqlite3_column_text(st, 2);
		s.site = (const char *)sqlite3_column_text(st, 3);
		s.job_title = (const char *)sqlite3_column_text(st, 4);
		s.employment_type = (const char *)sqlite3_column_text(st, 5);
		json_array_foreach(g, i, x)
			if (s.ngroups < 64 && json_is_string(x))
				groups[s.ngroups++] = json_string_value(x);
		s.groups = groups;
		if (sqlite3_column_text(st, 7) == NULL ||
		    policy_day_parse((const char *)sqlite3_column_text(st, 7), &hire) != LV_OK)
			hire = -1;
		s.hire_day = hire;
		s.today = today;
		if (policy_view_new(set, &s, &v) == LV_OK)
			for (i = 0; i < policy_view_count(v); i++) {
				const char *n = policy_view_name(v, i);

				json_object_set_new(counts, n, json_integer(
					json_integer_value(json_object_get(counts, n)) + 1));
			}
		policy_view_free(v);
		json_decref(g);
	}
	lv_db_done(st);
	return counts;
}

/* The kinds of rules a policy has: [{what, n}]. */
static json_t *pol_kinds(const json_t *p)
{
	static const char *const keys[] = { "visibility", "dress_code", "kits", "limits",
					    "eligibility", "price" };
	json_t *out = json_array();
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_t *v = json_object_get(p, keys[k]);
		char flag[32];

		if (v == NULL)
			continue;
		lv_snprintf(flag, sizeof(flag), "is_%s", keys[k]);
		json_array_append_new(out, json_pack("{s:b,s:I}", flag, 1, "n",
						     (json_int_t)(json_is_array(v) ? json_array_size(v) : 1)));
	}
	return out;
}

static int pol_list_render(struct req *r, int status, json_t *create)
{
	struct policy_set *set = policy_runtime_get(r->app->policies);
	json_t *list = NULL, *reach, *p, *page;
	size_t i, k;
	int rc = policy_store_list(r->db, &list);

	if (rc != LV_OK) {
		policy_set_unref(set);
		json_decref(create);
		return rc;
	}
	reach = pol_reach(r, set);
	json_array_foreach(list, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const json_t *pj = NULL;
		json_t *view;
		char url[128];

		for (k = 0; k < policy_set_count(set); k++)
			if (strcmp(json_string_value(json_object_get(policy_set_policy(set, k), "name")),
				   name) == 0)
				pj = policy_set_policy(set, k);
		view = pj ? policy_admin_form_view(pj) : json_object();
		lv_snprintf(url, sizeof(url), "/admin/policies/%s", name);
		json_object_set_new(p, "url", json_string(url));
		json_object_set_new(p, "aud", json_incref(json_object_get(view, "aud")));
		json_object_set_new(p, "aud_advanced", json_boolean(json_is_true(
			json_object_get(view, "aud_advanced"))));
		json_object_set_new(p, "kinds", pol_kinds(pj));
		json_object_set_new(p, "reach", json_integer(json_integer_value(json_object_get(reach,
											   name))));
		json_object_set_new(p, "changed", pol_who(r, json_object_get(p, "updated_by"),
							  json_integer_value(json_object_get(p, "updated_at"))));
		json_decref(view);
	}
	page = json_pack("{s:o,s:b,s:b,s:o,s:o}", "policies", list, "empty",
			 json_array_size(list) == 0, "can_edit", can_edit(r), "create",
			 create ? create : json_pack("{s:{},s:{}}", "values", "errors"),
			 "done", json_string(req_query(r, "done") ? req_query(r, "done") : ""));
	json_object_set_new(page, "done_deleted", json_boolean(req_query(r, "done") &&
		strcmp(req_query(r, "done"), "deleted") == 0));
	json_decref(reach);
	policy_set_unref(set);
	return console_page(r, status, "console_policies", req_tr(r, "Policies"), SECTION, page);
}

static int pol_list_get(struct req *r)
{
	return pol_list_render(r, 200, NULL);
}

/* POST /admin/policies: a new policy with a name and a title, then its page. */
static int pol_create_post(struct req *r)
{
	const char *name = req_form(r, "name"), *title = req_form(r, "title");
	struct policy_errors errs;
	struct audit_actor actor;
	enum policy_change change;
	json_t *p, *fields = json_object(), *general = json_array();
	int64_t version = 0;
	char *text, url[128];
	int rc;

	policy_errors_init(&errs);
	p = json_pack("{s:s}", "name", name ? name : "");
	if (title && *title)
		json_object_set_new(p, "title", json_string(title));
	text = json_dumps(p, JSON_INDENT(2));
	req_actor(r, &actor);
	rc = policy_store_put(r->db, &actor, NULL, text, strlen(text), POLICY_PUT_CREATE, 0, &change,
			      &version, &errs);
	if (rc == LV_OK) {
		char msg[512];

		if (app_policies_load(r->app, r->db, msg, sizeof(msg)) != LV_OK)
			lv_error("policies_activate", "why=\"%s\"", msg);
		lv_snprintf(url, sizeof(url), "/admin/policies/%s?done=created", name);
		rc = reply_redirect(r, 303, url);
	} else if (rc == LV_EINVAL || rc == LV_ECONFLICT) {
		if (rc == LV_ECONFLICT)
			json_object_set_new(fields, "name", json_string(req_tr(r,
				"A policy of that name exists already: choose another name, or open that one.")));
		else
			pol_errors(&errs, NULL, fields, general);
		if (json_object_get(fields, "name") == NULL && json_array_size(general)) {
			json_t *g = json_array_get(general, 0);
			char s[600];

			lv_snprintf(s, sizeof(s), "%s %s", json_string_value(json_object_get(g, "message")),
				    json_string_value(json_object_get(g, "hint")));
			json_object_set_new(fields, "name", json_string(s));
		}
		rc = pol_list_render(r, rc == LV_ECONFLICT ? 409 : 422, json_pack(
			"{s:{s:s,s:s},s:O}", "values", "name", name ? name : "", "title",
			title ? title : "", "errors", fields));
	}
	json_decref(fields);
	json_decref(general);
	json_decref(p);
	free(text);
	policy_errors_cleanup(&errs);
	return rc;
}

/* ---- one policy: the form ---- */

/*
 * Renders the policy page. stored: the store's object (version, policy,
 * updated_by…); view: the form's values (NULL: from the stored policy);
 * fields/general: errors; preview: what an employee would see (or NULL).
 */
static int pol_page(struct req *r, int status, const json_t *stored, json_t *view,
		    json_t *fields, json_t *general, json_t *preview, const char *employee,
		    const char *notice)
{
	const char *name = json_string_value(json_object_get(stored, "name"));
	json_t *page;

	if (view == NULL)
		view = policy_admin_form_view(json_object_get(stored, "policy"));
	if (fields)
		pol_rows_errors(view, fields);
	page = json_pack("{s:s,s:I,s:o,s:o,s:o,s:O,s:b,s:s,s:o,s:b}",
			 "name", name,
			 "version", json_integer_value(json_object_get(stored, "version")),
			 "form", view,
			 "errors", fields ? json_incref(fields) : json_object(),
			 "general", general ? json_incref(general) : json_array(),
			 "changed", pol_who(r, json_object_get(stored, "updated_by"),
					    json_integer_value(json_object_get(stored, "updated_at"))),
			 "can_edit", can_edit(r),
			 "employee", employee ? employee : "",
			 "preview", preview ? preview : json_null(),
			 "has_errors", (fields && json_object_size(fields)) ||
				       (general && json_array_size(general)));
	json_object_set_new(page, "has_preview", json_boolean(preview != NULL));
	if (notice)
		json_object_set_new(page, "done", json_string(notice));
	json_object_set_new(page, "done_saved", json_boolean(notice && strcmp(notice, "saved") == 0));
	json_object_set_new(page, "done_created", json_boolean(notice && strcmp(notice, "created") == 0));
	json_object_set_new(page, "done_unchanged", json_boolean(notice &&
								 strcmp(notice, "unchanged") == 0));
	return console_page(r, status, "console_policy", name, SECTION, page);
}

/*
 * The preview of what employee would see with after (NULL: the active set)
 * compared with before. Returns the preview, or NULL with *why set.
 */
static json_t *pol_preview(struct req *r, struct policy_set *before, struct policy_set *after,
			   const char *employee, json_t *fields)
{
	json_t *out = NULL;
	int rc = policy_admin_preview(r->db, before, after, employee, req_i18n(r), &out);

	if (rc == LV_ENOTFOUND)
		json_object_set_new(fields, "employee", json_string(req_tr(r,
			"No employee has that employee number. Write it as HR's file has it, for example E1001.")));
	else if (rc != LV_OK)
		json_object_set_new(fields, "employee", json_string(req_tr(r,
			"The preview could not be made. Try again in a moment.")));
	return out;
}

/* GET /admin/policies/:name (?employee= previews the saved policy: without it → with it). */
static int pol_get(struct req *r)
{
	const char *employee = req_query(r, "employee");
	json_t *stored = NULL, *preview = NULL, *fields = json_object();
	struct policy_set *without = NULL, *with = NULL;
	struct policy_errors errs;
	int rc;

	policy_errors_init(&errs);
	rc = pol_load(r, r->params[0], &stored);
	if (rc != LV_OK)
		goto out;
	if (employee && *employee) {
		with = policy_runtime_get(r->app->policies);
		if (policy_store_load_set_with(r->db, r->params[0], NULL, 0, &without, &errs) == LV_OK)
			preview = pol_preview(r, without, with, employee, fields);
	}
	rc = pol_page(r, preview || json_object_size(fields) == 0 ? 200 : 404, stored, NULL, fields,
		      NULL, preview, employee, req_query(r, "done"));
out:
	policy_set_unref(with);
	policy_set_unref(without);
	policy_errors_cleanup(&errs);
	json_decref(stored);
	json_decref(fields);
	return rc;
}

/* The version the form was made from (0 when missing or bad: then no check). */
static int64_t pol_form_version(const struct req *r)
{
	const char *v = req_form(r, "version");
	int64_t n = 0;

	if (v == NULL || lv_parse_i64(v, 1, INT64_MAX, &n) != LV_OK)
		return 0;
	return n;
}

/*
 * Saves or previews text (the edited policy) for the policy page or the
 * JSON page: action "preview" builds the set with it and shows what the
 * chosen employee would see; "save" stores it. render(status, fields,
 * general, preview) shows the page again.
 */
struct pol_edit {
	json_t *stored;
	json_t *view;        /* the form as posted (form page), or NULL */
	const char *text;    /* the JSON page's text, or NULL */
	int json_page;
};

static int pol_edit_render(struct req *r, int status, struct pol_edit *e, json_t *fields,
			   json_t *general, json_t *preview, const char *employee);

static int pol_edit_run(struct req *r, struct pol_edit *e, const char *text)
{
	const char *action = req_form(r, "action"), *employee = req_form(r, "employee");
	const char *name = r->params[0];
	struct policy_errors errs;
	struct policy_set *after = NULL, *before = NULL;
	json_t *fields = json_object(), *general = json_array(), *preview = NULL, *parsed;
	int64_t version = 0;
	int rc;

	policy_errors_init(&errs);
	parsed = json_loads(text, 0, NULL);
	if (parsed == NULL || !json_is_object(parsed) ||
	    !json_is_string(json_object_get(parsed, "name")) ||
	    strcmp(json_string_value(json_object_get(parsed, "name")), name) != 0) {
		json_array_append_new(general, json_pack("{s:s,s:s,s:s}", "path", "$.name", "message",
			req_tr(r, "The policy must be one JSON object whose \"name\" is this policy's name."),
			"hint", req_tr(r, "To rename a policy, create a new one and delete this one.")));
		rc = pol_edit_render(r, 422, e, fields, general, NULL, employee);
		goto out;
	}
	if (action && strcmp(action, "preview") == 0) {
		if (policy_store_load_set_with(r->db, name, text, strlen(text), &after, &errs) != LV_OK) {
			pol_errors(&errs, e->json_page ? NULL : &r->form, fields, general);
			rc = pol_edit_render(r, 422, e, fields, general, NULL, employee);
			goto out;
		}
		if (employee == NULL || employee[strspn(employee, " ")] == '\0') {
			json_object_set_new(fields, "employee", json_string(req_tr(r,
				"Write the employee number of the person whose view you want to see.")));
			rc = pol_edit_render(r, 400, e, fields, general, NULL, employee);
			goto out;
		}
		before = policy_runtime_get(r->app->policies);
		preview = pol_preview(r, before, after, employee, fields);
		rc = pol_edit_render(r, preview ? 200 : 404, e, fields, general, preview, employee);
		goto out;
	}
	{
		struct audit_actor actor;
		enum policy_change change = POLICY_UNCHANGED;
		int64_t if_version = pol_form_version(r);
		char url[160], msg[512];

		req_actor(r, &actor);
		rc = policy_store_put(r->db, &actor, name, text, strlen(text), POLICY_PUT_UPDATE,
				      if_version, &change, &version, &errs);
		if (rc == LV_EINVAL) {
			pol_errors(&errs, e->json_page ? NULL : &r->form, fields, general);
			rc = pol_edit_render(r, 422, e, fields, general, NULL, employee);
		} else if (rc == LV_ECONFLICT) {
			/* changed meanwhile: show theirs, and say so */
			json_t *now = NULL;

			if (policy_store_get(r->db, name, &now) == LV_OK) {
				json_decref(e->stored);
				e->stored = now;
				json_decref(e->view);
				e->view = NULL;
				e->text = NULL;
			}
			json_array_append_new(general, json_pack("{s:s,s:s,s:s}", "path", "",
				"message", req_tr(r, "Someone else changed this policy after you opened it. Nothing was saved: this page now shows their version."),
				"hint", req_tr(r, "Make your change again on this version.")));
			rc = pol_edit_render(r, 409, e, fields, general, NULL, employee);
		} else if (rc == LV_ENOTFOUND) {
			rc = reply_error(r, 404, "policy_not_found",
					 "There is no policy of that name. It may have been deleted: go back to the list of policies.",
					 NULL);
		} else if (rc == LV_OK) {
			if (app_policies_load(r->app, r->db, msg, sizeof(msg)) != LV_OK)
				lv_error("policies_activate", "why=\"%s\"", msg);
			lv_snprintf(url, sizeof(url), "/admin/policies/%s%s?done=%s", name,
				    e->json_page ? "/json" : "",
				    change == POLICY_UNCHANGED ? "unchanged" : "saved");
			rc = reply_redirect(r, 303, url);
		}
	}
out:
	policy_set_unref(after);
	policy_set_unref(before);
	policy_errors_cleanup(&errs);
	json_decref(parsed);
	json_decref(fields);
	json_decref(general);
	return rc;
}

/* POST /admin/policies/:name: the form (action save or preview). */
static int pol_post(struct req *r)
{
	struct pol_edit e = { NULL, NULL, NULL, 0 };
	json_t *built = NULL, *fields = json_object();
	char *text = NULL;
	int rc;

	rc = pol_load(r, r->params[0], &e.stored);
	if (rc != LV_OK)
		goto out;
	e.view = policy_admin_form_view_posted(&r->form);
	if (policy_admin_form_apply(json_object_get(e.stored, "policy"), &r->form, &built,
				    fields) != LV_OK) {
		rc = pol_edit_render(r, 400, &e, fields, NULL, NULL, req_form(r, "employee"));
		goto out;
	}
	text = json_dumps(built, JSON_INDENT(2));
	rc = pol_edit_run(r, &e, text);
out:
	free(text);
	json_decref(built);
	json_decref(fields);
	json_decref(e.stored);
	json_decref(e.view);
	return rc;
}

/* ---- one policy: the JSON editor ---- */

static int pol_json_page(struct req *r, int status, const json_t *stored, const char *text,
			 json_t *general, json_t *preview, json_t *fields, const char *employee,
			 const char *notice)
{
	const char *name = json_string_value(json_object_get(stored, "name"));
	char *own = NULL;
	json_t *page;

	if (text == NULL)
		text = own = json_dumps(json_object_get(stored, "policy"), JSON_INDENT(2));
	page = json_pack("{s:s,s:I,s:s,s:o,s:o,s:b,s:s,s:o,s:b,s:b}", "name", name, "version",
			 json_integer_value(json_object_get(stored, "version")), "text",
			 text ? text : "", "general", general ? json_incref(general) : json_array(),
			 "errors", fields ? json_incref(fields) : json_object(),
			 "can_edit", can_edit(r), "employee", employee ? employee : "",
			 "preview", preview ? json_incref(preview) : json_null(),
			 "has_preview", preview != NULL,
			 "has_errors", general && json_array_size(general) > 0);
	json_object_set_new(page, "done_saved", json_boolean(notice && strcmp(notice, "saved") == 0));
	json_object_set_new(page, "done_unchanged", json_boolean(notice &&
								 strcmp(notice, "unchanged") == 0));
	free(own);
	return console_page(r, status, "console_policy_json", name, SECTION, page);
}

static int pol_edit_render(struct req *r, int status, struct pol_edit *e, json_t *fields,
			   json_t *general, json_t *preview, const char *employee)
{
	int rc;

	if (e->json_page) {
		rc = pol_json_page(r, status, e->stored, e->text, general, preview, fields, employee,
				   NULL);
		json_decref(preview);
		return rc;
	}
	rc = pol_page(r, status, e->stored, e->view ? json_incref(e->view) : NULL, fields, general,
		      preview, employee, NULL);
	return rc;
}

static int pol_json_get(struct req *r)
{
	json_t *stored = NULL;
	int rc = pol_load(r, r->params[0], &stored);

	if (rc == LV_OK)
		rc = pol_json_page(r, 200, stored, NULL, NULL, NULL, NULL, NULL, req_query(r, "done"));
	json_decref(stored);
	return rc;
}

static int pol_json_post(struct req *r)
{
	struct pol_edit e = { NULL, NULL, NULL, 1 };
	const char *text = req_form(r, "text");
	int rc = pol_load(r, r->params[0], &e.stored);

	if (rc == LV_OK) {
		e.text = text ? text : "";
		rc = pol_edit_run(r, &e, e.text);
	}
	json_decref(e.stored);
	return rc;
}

/* ---- history ---- */

/* before/after of one history entry as diff lines [{same|add|del, text}]. */
static json_t *pol_diff(const json_t *before, const json_t *after)
{
	char *a = json_is_null(before) || before == NULL ? NULL : json_dumps(before, JSON_INDENT(2) | JSON_SORT_KEYS);
	char *b = json_is_null(after) || after == NULL ? NULL : json_dumps(after, JSON_INDENT(2) | JSON_SORT_KEYS);
	struct lv_diff d;
	json_t *out = json_array();
	size_t i;

	lv_diff_lines(a, b, &d);
	for (i = 0; i < d.n; i++)
		json_array_append_new(out, json_pack("{s:b,s:b,s:s%}", "add",
						     d.v[i].kind == LV_DIFF_ADD, "del",
						     d.v[i].kind == LV_DIFF_DEL, "text", d.v[i].text,
						     d.v[i].len));
	lv_diff_cleanup(&d);
	free(a);
	free(b);
	return out;
}

static int pol_history_get(struct req *r)
{
	json_t *h = NULL, *e, *list = json_array();
	size_t i;
	int rc = policy_store_history(r->db, r->params[0], &h);

	if (rc == LV_ENOTFOUND) {
		json_decref(list);
		return reply_error(r, 404, "policy_not_found",
				   "This policy has no history: there is no policy of that name.", NULL);
	}
	if (rc != LV_OK) {
		json_decref(list);
		return rc;
	}
	/* newest first */
	for (i = json_array_size(h); i-- > 0;) {
		const char *action;

		e = json_array_get(h, i);
		action = json_string_value(json_object_get(e, "action"));
		json_array_append_new(list, json_pack("{s:I,s:s,s:o,s:o,s:b,s:b,s:b}",
			"version", json_integer_value(json_object_get(e, "version")),
			"action", action ? action : "",
			"who", pol_who(r, json_object_get(e, "actor"),
				       json_integer_value(json_object_get(e, "at"))),
			"diff", pol_diff(json_object_get(e, "before"), json_object_get(e, "after")),
			"is_create", action && strcmp(action, "create") == 0,
			"is_delete", action && strcmp(action, "delete") == 0,
			"is_import", action && strcmp(action, "import") == 0));
	}
	json_decref(h);
	return console_page(r, 200, "console_policy_history", r->params[0], SECTION,
			    json_pack("{s:s,s:o}", "name", r->params[0], "entries", list));
}

/* ---- delete ---- */

static int pol_delete_post(struct req *r)
{
	const char *confirm = req_form(r, "confirm");
	struct policy_errors errs;
	struct audit_actor actor;
	json_t *stored = NULL, *fields = json_object(), *general = json_array();
	char msg[512];
	int rc;

	policy_errors_init(&errs);
	rc = pol_load(r, r->params[0], &stored);
	if (rc != LV_OK)
		goto out;
	if (confirm == NULL || strcmp(confirm, r->params[0]) != 0) {
		json_object_set_new(fields, "confirm", json_string(req_tr(r,
			"To delete this policy, type its name exactly as shown.")));
		rc = pol_page(r, 400, stored, NULL, fields, NULL, NULL, NULL, NULL);
		goto out;
	}
	req_actor(r, &actor);
	rc = policy_store_delete(r->db, &actor, r->params[0], pol_form_version(r), &errs);
	if (rc == LV_OK) {
		if (app_policies_load(r->app, r->db, msg, sizeof(msg)) != LV_OK)
			lv_error("policies_activate", "why=\"%s\"", msg);
		rc = reply_redirect(r, 303, "/admin/policies?done=deleted");
	} else if (rc == LV_EINVAL || rc == LV_ECONFLICT) {
		if (rc == LV_ECONFLICT)
			json_array_append_new(general, json_pack("{s:s,s:s,s:s}", "path", "", "message",
				req_tr(r, "Someone else changed this policy after you opened it. Nothing was deleted."),
				"hint", req_tr(r, "Look at their version, then delete it again if you still want to.")));
		else
			pol_errors(&errs, NULL, fields, general);
		json_decref(stored);
		stored = NULL;
		rc = pol_load(r, r->params[0], &stored);
		if (rc == LV_OK)
			rc = pol_page(r, 409, stored, NULL, fields, general, NULL, NULL, NULL);
	}
out:
	json_decref(stored);
	json_decref(fields);
	json_decref(general);
	policy_errors_cleanup(&errs);
	return rc;
}

/* clang-format off */
const struct route console_policies_routes[] = {
	/* method  pattern                          kind        access         roles                                 csrf handler           name */
	{ "GET",  "/admin/policies",                ROUTE_PAGE, ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, pol_list_get,    "console_policies" },
	{ "POST", "/admin/policies",                ROUTE_PAGE, ROUTE_SESSION, LV_ROLE_HR_ADMIN,                   1, pol_create_post, "console_policy_create" },
	{ "GET",  "/admin/policies/:name",          ROUTE_PAGE, ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, pol_get,         "console_policy" },
	{ "POST", "/admin/policies/:name",          ROUTE_PAGE, ROUTE_SESSION, LV_ROLE_HR_ADMIN,                   1, pol_post,        "console_policy_save" },
	{ "GET",  "/admin/policies/:name/json",     ROUTE_PAGE, ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, pol_json_get,    "console_policy_json" },
	{ "POST", "/admin/policies/:name/json",     ROUTE_PAGE, ROUTE_SESSION, LV_ROLE_HR_ADMIN,                   1, pol_json_post,   "console_policy_json_save" },
	{ "GET",  "/admin/policies/:name/history",  ROUTE_PAGE, ROUTE_SESSION, LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR, 0, pol_history_get, "console_policy_history" },
	{ "POST", "/admin/policies/:name/delete",   ROUTE_PAGE, ROUTE_SESSION, LV_ROLE_HR_ADMIN,                   1, pol_delete_post, "console_policy_delete" },
};
/* clang-format on */
const size_t console_policies_routes_n = sizeof(console_policies_routes) / sizeof(console_policies_routes[0]);
