/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * console_audit.c - the console's Audit log area (hr_admin and the
 * auditor): /admin/audit searches every change anyone made - who, when,
 * from which address, what - by actor, action, what was changed and its
 * identifier, dates and free text in the before and after, newest first,
 * a page at a time (keyset on the entry's id); one entry's page shows its
 * before and after as a line diff; /admin/audit/export downloads what a
 * search finds as CSV, bounded; and the JSON API gives the same
 * (GET /api/v1/admin/audit, /api/v1/admin/audit/:id).
 *
 * Reading only: no route here changes anything, and no route anywhere
 * edits or deletes an entry (the schema's triggers would refuse it). The
 * reading is audit_read.c's, shared by the pages and the API.
 */
#include "console.h"

#include <string.h>

#include "app.h"
#include "audit_read.h"
#include "lv_err.h"
#include "lv_http_parse.h"
#include "lv_i18n.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "req_data.h"

#define SECTION "audit"
#define AU_URL_MAX 4096 /* the filters, each at most 200 bytes, percent-encoded */

/* The search's filters, in the order of the form and of the links. */
static const char *const au_filters[] = { "actor", "action", "entity", "entity_id", "q", "from",
					  "to" };
#define AU_FILTERS (sizeof(au_filters) / sizeof(au_filters[0]))

static const char *au_get(void *arg, const char *key)
{
	return req_query(arg, key);
}

/*
 * path?filters (those set, encoded)[&limit=][&before=] into out. OUT: the URL
 * (NUL-terminated, cut at AU_URL_MAX when the filters are huge).
 */
static void au_url(const struct req *r, const char *path, int64_t before, struct lv_buf *out)
{
	char sep = '?';
	int64_t n;
	size_t i;

	lv_buf_init(out, AU_URL_MAX);
	lv_buf_append_str(out, path);
	for (i = 0; i < AU_FILTERS; i++) {
		const char *v = req_query(r, au_filters[i]);

		if (v == NULL || *v == '\0')
			continue;
		lv_buf_printf(out, "%c%s=", sep, au_filters[i]);
		lv_url_encode(v, out);
		sep = '&';
	}
	if (req_query(r, "limit") && lv_parse_i64(req_query(r, "limit"), 1, AUDIT_PAGE_MAX, &n) == LV_OK) {
		lv_buf_printf(out, "%climit=%lld", sep, (long long)n);
		sep = '&';
	}
	if (before > 0)
		lv_buf_printf(out, "%cbefore=%lld", sep, (long long)before);
}

/* Who made a change, as people read it. */
static const char *au_who(const struct req *r, const json_t *actor)
{
	const char *name = req_jstr(actor, "name");

	if (strcmp(name, "cli") == 0)
		return req_tr(r, N_("Command line"));
	if (strcmp(name, "system") == 0)
		return req_tr(r, N_("Livery itself"));
	return *name ? name : "-";
}

/* A link to what the entry changed, when the user may open it (else NULL). */
static const char *au_entity_url(const struct req *r, const json_t *e, char *buf, size_t len)
{
	const char *entity = req_jstr(e, "entity"), *id = req_jstr(e, "entity_id");
	unsigned roles = r->user->roles;

	if (*id == '\0' || strpbrk(id, "/?#%\"<>\\ ") != NULL)
		return NULL;
	if (strcmp(entity, "order") == 0 && (roles & (LV_ROLE_STORE_ADMIN | LV_ROLE_AUDITOR)))
		lv_snprintf(buf, len, "/admin/orders/%s", id);
	else if (strcmp(entity, "policy") == 0 && (roles & (LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR)))
		lv_snprintf(buf, len, "/admin/policies/%s", id);
	else
		return NULL;
	return buf;
}

/* An entry for the pages: the facts formatted. New reference. */
static json_t *au_entry_page(const struct req *r, const json_t *e)
{
	const json_t *actor = json_object_get(e, "actor");
	const char *addr = req_jstr(e, "address");
	char url[64], link[300];
	const char *target = au_entity_url(r, e, link, sizeof(link));

	lv_snprintf(url, sizeof(url), "/admin/audit/%lld",
		    (long long)json_integer_value(json_object_get(e, "id")));
	return json_pack("{s:I,s:s,s:o,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s*}",
			 "id", json_integer_value(json_object_get(e, "id")), "url", url,
			 "date", req_date(r, (int64_t)json_integer_value(json_object_get(e, "at")), 1),
			 "who", au_who(r, actor), "who_id", req_jstr(actor, "employee_id"),
			 "address", *addr ? addr : req_tr(r, N_("Not recorded")),
			 "no_address", *addr == '\0',
			 "action", req_jstr(e, "action"), "entity", req_jstr(e, "entity"),
			 "entity_id", req_jstr(e, "entity_id"), "entity_link", target);
}

/* Options [{value, selected}] of the names in list. New array. */
static json_t *au_options(const json_t *list, const char *chosen)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(list, i, v)
		json_array_append_new(out, json_pack("{s:O,s:b}", "value", v, "selected",
			chosen && strcmp(chosen, json_string_value(v)) == 0));
	return out;
}

/*
 * The search form: values as typed, errors {field: sentence}, the
 * actions and entities the log holds. New reference.
 */
static json_t *au_form(struct req *r, json_t *errors)
{
	json_t *values = json_object(), *voc = NULL, *form;
	size_t i;

	for (i = 0; i < AU_FILTERS; i++) {
		const char *v = req_query(r, au_filters[i]);
		json_t *sv = v ? json_string(v) : NULL; /* NULL too when not UTF-8 */

		json_object_set_new(values, au_filters[i], sv ? sv : json_string(""));
	}
	if (audit_vocabulary(r->db, &voc) != LV_OK)
		voc = json_pack("{s:[],s:[]}", "actions", "entities");
	/* a range refused as a whole is said next to the last day */
	if (json_object_get(errors, "range") != NULL) {
		json_object_set(errors, "to", json_object_get(errors, "range"));
		json_object_del(errors, "range");
	}
	form = json_pack("{s:o,s:O,s:o,s:o}", "values", values, "errors", errors,
			 "actions", au_options(json_object_get(voc, "actions"),
					       req_query(r, "action")),
			 "entities", au_options(json_object_get(voc, "entities"),
						req_query(r, "entity")));
	json_decref(voc);
	return form;
}

/* 1 when the request sets any filter. */
static int au_filtered(const struct req *r)
{
	size_t i;

	for (i = 0; i < AU_FILTERS; i++)
		if (req_query(r, au_filters[i]) && *req_query(r, au_filters[i]))
			return 1;
	return 0;
}

/* GET /admin/audit */
static int au_list_get(struct req *r)
{
	struct audit_query q;
	const char *field, *why;
	json_t *page = NULL, *list = NULL, *rows, *e, *errors = json_object(), *form;
	struct lv_buf url;
	int64_t next = 0;
	int rc, status = 200;
	size_t i;

	rc = audit_query_parse(au_get, r, &q, &field, &why);
	if (rc != LV_OK) {
		json_object_set_new(errors, field, json_string(req_tr(r, why)));
		status = 400;
		page = json_pack("{s:o,s:b}", "form", au_form(r, errors), "refused", 1);
		rc = console_page(r, status, "console_audit", req_tr(r, "Audit log"), SECTION, page);
		page = NULL;
		goto out;
	}
	rc = audit_search(r->db, &q, &list, &next);
	if (rc != LV_OK)
		goto out;
	rows = json_array();
	json_array_foreach(list, i, e)
		json_array_append_new(rows, au_entry_page(r, e));
	form = au_form(r, errors);
	page = json_pack("{s:o,s:o,s:b,s:b,s:b,s:I}", "form", form, "entries", rows, "empty",
			 json_array_size(rows) == 0, "filtered", au_filtered(r), "paged",
			 q.before > 0, "export_max", (json_int_t)AUDIT_EXPORT_ROWS_MAX);
	if (next > 0) {
		au_url(r, "/admin/audit", next, &url);
		json_object_set_new(page, "older_url", json_string(lv_buf_str(&url)));
		lv_buf_cleanup(&url);
	}
	if (q.before > 0) {
		au_url(r, "/admin/audit", 0, &url);
		json_object_set_new(page, "newest_url", json_string(lv_buf_str(&url)));
		lv_buf_cleanup(&url);
	}
	au_url(r, "/admin/audit/export", 0, &url);
	json_object_set_new(page, "csv_url", json_string(lv_buf_str(&url)));
	lv_buf_cleanup(&url);
	rc = console_page(r, status, "console_audit", req_tr(r, "Audit log"), SECTION, page);
	page = NULL;
out:
	json_decref(errors);
	json_decref(list);
	json_decref(page);
	return rc;
}

/* r->params[0] as an entry id. LV_OK, or LV_ENOTFOUND with the 404 set. */
static int au_entry_load(struct req *r, json_t **out)
{
	int64_t id;
	int rc = lv_parse_i64(r->params[0], 1, INT64_MAX, &id) == LV_OK ?
		 audit_get(r->db, id, out) : LV_ENOTFOUND;

	if (rc == LV_ENOTFOUND) {
		if (r->route->kind == ROUTE_API)
			reply_json_error(r, 404, "audit_entry_not_found",
					 "there is no audit entry with this id");
		else
			reply_error(r, 404, "audit_entry_not_found",
				    "There is no entry with this number in the audit log. Go back to the log and choose one from the list.",
				    NULL);
	}
	return rc;
}

/* The diff for a page: [{same, add, del, text}]. New reference. */
static json_t *au_diff_page(const json_t *e, int *truncated)
{
	json_t *d = audit_diff(json_object_get(e, "before"), json_object_get(e, "after"), truncated);
	json_t *out = json_array(), *l;
	size_t i;

	json_array_foreach(d, i, l) {
		const char *k = req_jstr(l, "kind");

		json_array_append_new(out, json_pack("{s:b,s:b,s:O}", "add", strcmp(k, "add") == 0,
						     "del", strcmp(k, "del") == 0, "text",
						     json_object_get(l, "text")));
	}
	json_decref(d);
	return out;
}

/* GET /admin/audit/:id */
static int au_entry_get(struct req *r)
{
	json_t *e = NULL, *page = NULL;
	struct lv_buf url;
	char title[64];
	int rc, truncated = 0;

	rc = au_entry_load(r, &e);
	if (rc != LV_OK)
		goto out;
	page = au_entry_page(r, e);
	json_object_set_new(page, "diff", au_diff_page(e, &truncated));
	json_object_set_new(page, "truncated", json_boolean(truncated));
	json_object_set_new(page, "is_create", json_boolean(json_is_null(json_object_get(e, "before"))));
	json_object_set_new(page, "is_delete", json_boolean(json_is_null(json_object_get(e, "after"))));
	json_object_set_new(page, "no_change", json_boolean(json_is_null(json_object_get(e, "before")) &&
							    json_is_null(json_object_get(e, "after"))));
	/* the other entries about the same thing */
	if (*req_jstr(e, "entity_id")) {
		lv_buf_init(&url, AU_URL_MAX);
		lv_buf_append_str(&url, "/admin/audit?entity=");
		lv_url_encode(req_jstr(e, "entity"), &url);
		lv_buf_append_str(&url, "&entity_id=");
		lv_url_encode(req_jstr(e, "entity_id"), &url);
		json_object_set_new(page, "history_url", json_string(lv_buf_str(&url)));
		lv_buf_cleanup(&url);
	}
	lv_snprintf(title, sizeof(title), "%s %lld", req_tr(r, N_("Audit entry")),
		    (long long)json_integer_value(json_object_get(e, "id")));
	rc = console_page(r, 200, "console_audit_entry", title, SECTION, page);
	page = NULL;
out:
	json_decref(page);
	json_decref(e);
	return rc;
}

/* GET /admin/audit/export: what the filters find, as CSV. */
static int au_export_get(struct req *r)
{
	struct audit_query q;
	const char *field, *why;
	size_t rows = 0;
	int rc;

	rc = audit_query_parse(au_get, r, &q, &field, &why);
	if (rc != LV_OK) {
		rc = reply_error(r, 400, "bad_parameter", why, NULL);
		goto out;
	}
	lv_buf_reset(&r->out);
	rc = audit_export_csv(r->db, &q, &r->out, &rows);
	if (rc == LV_ETOOBIG) {
		lv_buf_reset(&r->out);
		lv_info("audit.export", "refused=too_big rows=%zu", rows);
		rc = reply_error(r, 422, "export_too_big",
				 "This export is too large: it holds more than 50,000 entries or 4 MB. Choose fewer dates or more filters and download again.",
				 NULL);
		goto out;
	}
	if (rc != LV_OK) {
		lv_buf_reset(&r->out);
		goto out;
	}
	rc = reply_download(r, "audit-log.csv", "text/csv; charset=utf-8");
out:
	return rc;
}

/* GET /api/v1/admin/audit */
static int au_api_list_get(struct req *r)
{
	struct audit_query q;
	const char *field, *why;
	json_t *list = NULL;
	char msg[300];
	int64_t next = 0;
	int rc;

	rc = audit_query_parse(au_get, r, &q, &field, &why);
	if (rc != LV_OK) {
		lv_snprintf(msg, sizeof(msg), "%s: %s", field, why);
		rc = reply_json_error(r, 400, "invalid_parameter", msg);
		goto out;
	}
	rc = audit_search(r->db, &q, &list, &next);
	if (rc != LV_OK)
		goto out;
	rc = reply_json(r, 200, json_pack("{s:o,s:o}", "entries", list, "next_before",
					  next > 0 ? json_integer(next) : json_null()));
	list = NULL;
out:
	json_decref(list);
	return rc;
}

/* GET /api/v1/admin/audit/:id: the entry and the diff of its before and after. */
static int au_api_entry_get(struct req *r)
{
	json_t *e = NULL;
	int rc, truncated = 0;

	rc = au_entry_load(r, &e);
	if (rc != LV_OK)
		goto out;
	json_object_set_new(e, "diff", audit_diff(json_object_get(e, "before"),
						  json_object_get(e, "after"), &truncated));
	json_object_set_new(e, "diff_truncated", json_boolean(truncated));
	rc = reply_json(r, 200, e);
	e = NULL;
out:
	json_decref(e);
	return rc;
}

#define RO (LV_ROLE_HR_ADMIN | LV_ROLE_AUDITOR)

/* clang-format off */
const struct route console_audit_routes[] = {
	/* method  pattern                     kind        access         roles csrf handler           name */
	{ "GET",  "/admin/audit",              ROUTE_PAGE, ROUTE_SESSION, RO, 0, au_list_get,      "console_audit" },
	/* before /admin/audit/:id, which would take "export" for an id */
	{ "GET",  "/admin/audit/export",       ROUTE_PAGE, ROUTE_SESSION, RO, 0, au_export_get,    "console_audit_export" },
	{ "GET",  "/admin/audit/:id",          ROUTE_PAGE, ROUTE_SESSION, RO, 0, au_entry_get,     "console_audit_entry" },
	{ "GET",  "/api/v1/admin/audit",       ROUTE_API,  ROUTE_SESSION, RO, 0, au_api_list_get,  "api_admin_audit" },
	{ "GET",  "/api/v1/admin/audit/:id",   ROUTE_API,  ROUTE_SESSION, RO, 0, au_api_entry_get, "api_admin_audit_entry" },
};
/* clang-format on */
const size_t console_audit_routes_n = sizeof(console_audit_routes) / sizeof(console_audit_routes[0]);
