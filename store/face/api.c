/*
 * api.c - the JSON API under /api/v1 and the health check.
 *
 * Same sessions, roles and CSRF rules as the pages (the dispatcher applies
 * them); errors are {"error": {"code", "message", "request_id"}}. The
 * OpenAPI description is docs/openapi.yaml.
 */
#include <string.h>

#include "catalog.h"
#include "handlers.h"
#include "lv_db.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_parse.h"

int api_health_get(struct req *r)
{
	sqlite3_stmt *stmt = NULL;
	int ok = 0;

	if (r->db && lv_db_stmt(r->db, "SELECT 1", &stmt) == LV_OK)
		ok = sqlite3_step(stmt) == SQLITE_ROW;
	lv_db_done(stmt);
	if (!ok)
		return reply_json(r, 503, json_pack("{s:s,s:s}", "status", "unavailable",
						    "database", "unreachable"));
	return reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

int api_me_get(struct req *r)
{
	static const char *const fields[] = { "employee_id", "name", "email", "department",
					      "cost_center", "site", "locale" };
	json_t *p = r->user->profile, *emp = json_object(), *roles = json_array();
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *v = json_object_get(p, fields[i]);

		json_object_set(emp, fields[i], v ? v : json_null());
	}
	json_object_set(emp, "groups", json_object_get(p, "groups"));
	if (r->user->roles & LV_ROLE_HR_ADMIN)
		json_array_append_new(roles, json_string("hr_admin"));
	if (r->user->roles & LV_ROLE_STORE_ADMIN)
		json_array_append_new(roles, json_string("store_admin"));
	if (r->user->roles & LV_ROLE_APPROVER)
		json_array_append_new(roles, json_string("approver"));
	return reply_json(r, 200, json_pack("{s:o,s:o,s:s,s:s}", "employee", emp, "roles", roles,
					    "language", r->lang, "csrf_token", r->user->sess.csrf));
}

/* ?name= as a whole number in [min, max], or a 400 reply. */
static int api_query_int(struct req *r, const char *name, int64_t min, int64_t max,
			 int64_t def, int64_t *out)
{
	const char *v = req_query(r, name);
	char msg[160];

	*out = def;
	if (v == NULL || lv_parse_i64(v, min, max, out) == LV_OK)
		return LV_OK;
	lv_snprintf(msg, sizeof(msg), "%s must be a whole number from %lld to %lld",
		    name, (long long)min, (long long)max);
	reply_json_error(r, 400, "bad_parameter", msg);
	return LV_EINVAL;
}

int api_products_get(struct req *r)
{
	struct catalog_query q;
	json_t *res = NULL;
	int64_t page, per_page;
	int rc;

	if (api_query_int(r, "page", 1, CATALOG_PAGE_MAX, 1, &page) != LV_OK ||
	    api_query_int(r, "per_page", 1, CATALOG_PER_PAGE_MAX, CATALOG_PER_PAGE_DEFAULT,
			  &per_page) != LV_OK)
		return LV_OK;
	memset(&q, 0, sizeof(q));
	q.category = req_query(r, "category");
	q.search = req_query(r, "q");
	q.size = req_query(r, "size");
	q.colour = req_query(r, "colour");
	q.page = (int)page;
	q.per_page = (int)per_page;
	rc = catalog_products_list(r->db, &q, &res);
	if (rc != LV_OK)
		return rc;
	json_object_set_new(res, "currency", json_string(r->app->cfg.currency));
	return reply_json(r, 200, res);
}
