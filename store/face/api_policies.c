/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * api_policies.c - the policies admin API (hr_admin): list, create, read,
 * update and delete HR's catalog policies, and read one policy's history.
 *
 * The route table enforces the role and the CSRF token of every change.
 * The body of a create or an update is the policy itself (one JSON
 * object, stored as given, pretty-printed); the domain (policy_store.c)
 * validates the whole set with the change applied and writes the row, its
 * history and the audit entry in one transaction. A change the engine
 * refuses answers 422 {"error": {"code": "policy_invalid", "message",
 * "errors": [{origin, path, message, hint}]}} and changes nothing. An
 * update or a delete may carry If-Match: "VERSION" (the version read) and
 * is then refused with 412 when someone changed the policy since.
 */
#include <string.h>

#include "api_shared.h"
#include "handlers.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_parse.h"
#include "policy_admin.h"
#include "policy_store.h"
#include "req_data.h"

/* The 422 answer listing every error of errs. */
static int api_policy_invalid(struct req *r, const struct policy_errors *errs)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < errs->n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s}",
						      "origin", errs->v[i].origin,
						      "path", errs->v[i].path,
						      "message", errs->v[i].message,
						      "hint", errs->v[i].hint));
	reply_json(r, 422, json_pack("{s:{s:s,s:s,s:s,s:o}}", "error", "code", "policy_invalid",
				     "message", "the policy was not saved: the policies would not "
				     "load with this change (see errors); nothing was changed",
				     "request_id", r->rid, "errors", list));
	return LV_EINVAL;
}

static int api_policy_not_found(struct req *r)
{
	reply_json_error(r, 404, "policy_not_found", "there is no policy of that name");
	return LV_ENOTFOUND;
}

/*
 * The If-Match header as a version ("3" or 3; W/ is not accepted). OUT:
 * *version, 0 when absent. A malformed header answers 400.
 */
static int api_if_match(struct req *r, int64_t *version)
{
	const char *h = req_header(r, "If-Match");
	size_t n;
	int rc;

	*version = 0;
	if (h == NULL)
		return LV_OK;
	n = strlen(h);
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"')
		rc = lv_parse_i64n(h + 1, n - 2, 1, INT64_MAX, version);
	else
		rc = lv_parse_i64(h, 1, INT64_MAX, version);
	if (rc != LV_OK) {
		reply_json_error(r, 400, "invalid_header",
				 "If-Match: must be the policy's version as read, e.g. \"3\"");
		return LV_EINVAL;
	}
	return LV_OK;
}

/* The stored policy name with change ("created", ...) as the answer. */
static int api_policy_reply(struct req *r, const char *name, int status, const char *change)
{
	json_t *o = NULL;
	char etag[32];
	int rc = policy_store_get(r->db, name, &o);

	if (rc == LV_ENOTFOUND)
		return api_policy_not_found(r);
	if (rc != LV_OK)
		return rc;
	if (change)
		json_object_set_new(o, "change", json_string(change));
	lv_snprintf(etag, sizeof(etag), "\"%lld\"",
		    (long long)json_integer_value(json_object_get(o, "version")));
	reply_header(r, "ETag", etag);
	return reply_json(r, status, o);
}

/* A conflict after a change: why (exists, version, busy), answered. */
static int api_policy_conflict(struct req *r, const char *name, int creating, int64_t if_version)
{
	json_t *o = NULL;
	int exists = policy_store_get(r->db, name, &o) == LV_OK;
	int64_t v = exists ? json_integer_value(json_object_get(o, "version")) : 0;

	json_decref(o);
	if (creating && exists) {
		reply_json_error(r, 409, "policy_exists",
				 "a policy of that name exists; update it with PUT instead");
	} else if (if_version != 0 && v != if_version) {
		reply_json_error(r, 412, "policy_changed",
				 "the policy was changed since you read it (If-Match); read it "
				 "again and redo your change");
	} else {
		reply_header(r, "Retry-After", "1");
		reply_json_error(r, 503, "busy",
				 "the store is busy; nothing was changed. Retry in a moment");
	}
	return LV_ECONFLICT;
}

/*
 * After a change is stored: the running store switches to the new set at
 * once (the store validated it as a whole, so it loads; if it did not,
 * the last good set stays and the error is logged).
 */
static void api_policies_activate(struct req *r)
{
	char msg[1024];

	if (app_policies_load(r->app, r->db, msg, sizeof(msg)) != LV_OK)
		lv_error("policies_activate", "why=\"%s\"", msg);
}

int api_admin_policies_get(struct req *r)
{
	json_t *list = NULL;
	int rc = policy_store_list(r->db, &list);

	if (rc != LV_OK)
		return rc;
	return reply_json(r, 200, json_pack("{s:o}", "policies", list));
}

/* POST (name NULL: create) and PUT (name: update) share this. */
static int api_policy_save(struct req *r, const char *name)
{
	static const char *const change_words[] = { "unchanged", "created", "updated", "deleted" };
	struct audit_actor actor;
	struct policy_errors errs;
	enum policy_change change = POLICY_UNCHANGED;
	json_t *body = NULL;
	int64_t if_version = 0, version = 0;
	char saved[65] = "";
	int rc;

	policy_errors_init(&errs);
	rc = api_if_match(r, &if_version);
	if (rc == LV_OK)
		rc = api_body_json(r, 0, &body);
	if (rc != LV_OK)
		goto out;
	/* a missing name is the policy's error: the domain answers it (422) */
	if (name || json_is_string(json_object_get(body, "name")))
		lv_strlcpy(saved, name ? name : json_string_value(json_object_get(body, "name")),
			   sizeof(saved));
	req_actor(r, &actor);
	/* the text as given (api_body_json has checked it is one JSON object) */
	rc = policy_store_put(r->db, &actor, name, r->body.data, r->body.len,
			      name ? POLICY_PUT_UPDATE : POLICY_PUT_CREATE, if_version, &change,
			      &version, &errs);
	if (rc == LV_EINVAL) {
		api_policy_invalid(r, &errs);
	} else if (rc == LV_ETOOBIG) {
		reply_json_error(r, 413, "too_large", "the policy is too large; split it");
	} else if (rc == LV_ENOTFOUND) {
		api_policy_not_found(r);
	} else if (rc == LV_ECONFLICT) {
		api_policy_conflict(r, saved, name == NULL, if_version);
	} else if (rc == LV_OK) {
		api_policies_activate(r);
		if (name == NULL) {
			char loc[128];

			lv_snprintf(loc, sizeof(loc), "/api/v1/admin/policies/%s", saved);
			reply_header(r, "Location", loc);
		}
		rc = api_policy_reply(r, saved, name ? 200 : 201, change_words[change]);
	}
out:
	json_decref(body);
	policy_errors_cleanup(&errs);
	return rc;
}

int api_admin_policies_post(struct req *r)
{
	return api_policy_save(r, NULL);
}

int api_admin_policy_get(struct req *r)
{
	return api_policy_reply(r, r->params[0], 200, NULL);
}

int api_admin_policy_put(struct req *r)
{
	return api_policy_save(r, r->params[0]);
}

int api_admin_policy_delete(struct req *r)
{
	struct audit_actor actor;
	struct policy_errors errs;
	int64_t if_version = 0;
	int rc;

	policy_errors_init(&errs);
	rc = api_if_match(r, &if_version);
	if (rc != LV_OK)
		goto out;
	req_actor(r, &actor);
	rc = policy_store_delete(r->db, &actor, r->params[0], if_version, &errs);
	if (rc == LV_EINVAL)
		api_policy_invalid(r, &errs);
	else if (rc == LV_ENOTFOUND)
		api_policy_not_found(r);
	else if (rc == LV_ECONFLICT)
		api_policy_conflict(r, r->params[0], 0, if_version);
	else if (rc == LV_OK) {
		api_policies_activate(r);
		rc = reply_json(r, 200, json_pack("{s:s,s:b}", "name", r->params[0],
						  "deleted", 1));
	}
out:
	policy_errors_cleanup(&errs);
	return rc;
}

int api_admin_policy_history_get(struct req *r)
{
	json_t *h = NULL;
	int rc = policy_store_history(r->db, r->params[0], &h);

	if (rc == LV_ENOTFOUND)
		return api_policy_not_found(r);
	if (rc != LV_OK)
		return rc;
	return reply_json(r, 200, json_pack("{s:s,s:o}", "name", r->params[0], "history", h));
}

/*
 * What one employee would see: GET .../:name/preview?employee=E1001 compares
 * the set without the stored policy with the active set (what the policy
 * changes for them); POST .../:name/preview {"employee", "policy"} compares
 * the active set with the set where the policy is replaced by the one sent
 * (nothing is saved). 404 for an unknown policy or employee, 422 with every
 * error when the policy sent would not load.
 */
static int api_policy_preview(struct req *r, const char *employee, const char *text)
{
	struct policy_set *before = NULL, *after = NULL;
	struct policy_errors errs;
	json_t *out = NULL, *stored = NULL;
	int rc;

	policy_errors_init(&errs);
	rc = policy_store_get(r->db, r->params[0], &stored);
	if (rc == LV_ENOTFOUND && text == NULL) {
		rc = api_policy_not_found(r);
		goto out;
	}
	if (employee == NULL || *employee == '\0') {
		reply_json_error(r, 400, "invalid_request",
				 "employee: the employee number whose view to preview is required");
		rc = LV_EINVAL;
		goto out;
	}
	if (text) {
		before = policy_runtime_get(r->app->policies);
		rc = policy_store_load_set_with(r->db, r->params[0], text, strlen(text), &after, &errs);
	} else {
		after = policy_runtime_get(r->app->policies);
		rc = policy_store_load_set_with(r->db, r->params[0], NULL, 0, &before, &errs);
	}
	if (rc == LV_EINVAL) {
		api_policy_invalid(r, &errs);
		goto out;
	}
	if (rc == LV_OK)
		rc = policy_admin_preview(r->db, before, after, employee, req_i18n(r), &out);
	if (rc == LV_ENOTFOUND) {
		reply_json_error(r, 404, "employee_not_found", "no employee has that employee number");
		goto out;
	}
	if (rc == LV_OK)
		rc = reply_json(r, 200, out);
out:
	policy_set_unref(before);
	policy_set_unref(after);
	policy_errors_cleanup(&errs);
	json_decref(stored);
	return rc;
}

int api_admin_policy_preview_get(struct req *r)
{
	return api_policy_preview(r, req_query(r, "employee"), NULL);
}

int api_admin_policy_preview_post(struct req *r)
{
	json_t *body = NULL, *policy;
	char *text = NULL;
	int rc = api_body_json(r, 0, &body);

	if (rc != LV_OK)
		goto out;
	policy = json_object_get(body, "policy");
	if (!json_is_object(policy) ||
	    !json_is_string(json_object_get(policy, "name")) ||
	    strcmp(json_string_value(json_object_get(policy, "name")), r->params[0]) != 0) {
		reply_json_error(r, 400, "invalid_request",
				 "policy: the policy to preview, an object whose name is the one in the address");
		rc = LV_EINVAL;
		goto out;
	}
	text = json_dumps(policy, JSON_INDENT(2));
	rc = api_policy_preview(r, json_string_value(json_object_get(body, "employee")), text);
out:
	free(text);
	json_decref(body);
	return rc;
}
