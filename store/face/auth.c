/*
 * auth.c - the sign-in routes: start, callback, logout, back-channel logout.
 *
 * These are thin: sso/ does the OpenID Connect work and hands back either a
 * verified identity or a refusal with a reason; this file turns that into
 * an employee, a session cookie, a redirect or a clear error page. A
 * refused sign-in never sets a session cookie.
 */
#include <string.h>

#include "employee.h"
#include "face_session.h"
#include "handlers.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "metrics.h"
#include "sso.h"

/* The status shown for a refused sign-in. */
static int auth_status_for(int rc, enum sso_reason reason)
{
	if (rc == LV_EUNAVAIL || reason == SSO_R_DISCOVERY_FAILED ||
	    reason == SSO_R_TOKEN_REQUEST_FAILED || reason == SSO_R_USERINFO_FAILED)
		return 502;
	if (reason == SSO_R_STATE_INVALID || reason == SSO_R_PROVIDER_ERROR)
		return 400;
	if (rc == LV_EINTERNAL)
		return 500;
	return 401;
}

static int auth_refuse(struct req *r, int rc, const struct sso_error *err)
{
	const char *detail = NULL;
	char buf[420];

	char q[300];

	lv_warn("login_refused", "rid=%s reason=%s detail=%s", r->rid,
		sso_reason_name(err->reason), lv_log_quote(q, sizeof(q), err->detail));
	metrics_login_failure_count(r->app->metrics, sso_reason_name(err->reason));
	if (err->reason == SSO_R_PROVIDER_ERROR && err->provider_error[0]) {
		lv_snprintf(buf, sizeof(buf), "%s%s%s", err->provider_error,
			    err->provider_description[0] ? ": " : "",
			    err->provider_description);
		detail = buf;
	}
	r->is_page = 1;
	return reply_error(r, auth_status_for(rc, err->reason),
			   sso_reason_name(err->reason), sso_reason_message(err->reason),
			   detail);
}

int auth_login_get(struct req *r)
{
	struct sso_error err;
	const char *return_to = req_query(r, "return_to");
	char *url = NULL;
	int rc;

	memset(&err, 0, sizeof(err));
	if (return_to == NULL || !lv_path_is_local(return_to) ||
	    strncmp(return_to, "/auth/", 6) == 0)
		return_to = "/";
	rc = sso_login_begin(r->app->rp, r->db, return_to, &url, &err);
	if (rc != LV_OK) {
		if (err.reason == SSO_R_NONE)
			err.reason = SSO_R_DISCOVERY_FAILED;
		rc = auth_refuse(r, rc, &err);
		goto out;
	}
	rc = reply_redirect(r, 302, url);
out:
	lv_free(url);
	return rc;
}

int auth_callback_get(struct req *r)
{
	struct employee_claims_map map = {
		r->app->cfg.claim_employee_id, r->app->cfg.claim_department,
		r->app->cfg.claim_cost_center, r->app->cfg.claim_site,
		r->app->cfg.claim_groups, r->app->cfg.claim_locale,
		r->app->cfg.claim_manager,
	};
	struct sso_callback_params p = {
		req_query(r, "code"), req_query(r, "state"), req_query(r, "error"),
		req_query(r, "error_description"), req_query(r, "iss"),
	};
	struct sso_identity *id = NULL;
	struct sso_error err;
	char *return_to = NULL;
	enum employee_match match;
	int64_t employee = 0;
	int rc, active = 0;

	memset(&err, 0, sizeof(err));
	rc = sso_callback_handle(r->app->rp, r->db, &p, &id, &return_to, &err);
	if (rc != LV_OK) {
		rc = auth_refuse(r, rc, &err);
		goto out;
	}
	/* the configuration was checked at load: a bad word cannot get here */
	if (employee_match_parse(r->app->cfg.people_match_login, &match) != LV_OK)
		match = EMPLOYEE_MATCH_EMPLOYEE_ID;
	rc = employee_login_upsert(r->db, &map, match, id->iss, id->sub, id->claims,
				   &employee, &active);
	if (rc == LV_ECONFLICT) {
		metrics_login_failure_count(r->app->metrics, "employee_conflict");
		r->is_page = 1;
		rc = reply_error(r, 409, "employee_conflict",
				 "Your employee number is already linked to another sign-in "
				 "account. Contact IT so they can fix your account.", NULL);
		goto out;
	}
	if (rc != LV_OK)
		goto out;
	if (!active) {
		lv_warn("login_refused", "rid=%s reason=employee_refused employee=%lld",
			r->rid, (long long)employee);
		metrics_login_failure_count(r->app->metrics, "employee_refused");
		r->is_page = 1;
		rc = reply_error(r, 403, "employee_refused",
				 "Your account is not active in the store. If you think this is "
				 "wrong, contact your HR department.", NULL);
		goto out;
	}
	/* A new session id at every sign-in; an old one in this browser ends. */
	if (r->user)
		session_end(r, NULL);
	rc = session_start(r, employee, id);
	if (rc != LV_OK)
		goto out;
	lv_info("login", "rid=%s employee=%lld", r->rid, (long long)employee);
	rc = reply_redirect(r, 303, return_to && lv_path_is_local(return_to) ? return_to : "/");
out:
	sso_identity_free(id);
	lv_free(return_to);
	return rc;
}

int auth_logout_post(struct req *r)
{
	char *id_token = NULL, *url = NULL;
	int rc;

	lv_info("logout", "rid=%s employee=%lld", r->rid, (long long)r->user->employee);
	session_end(r, &id_token);
	if (sso_logout_url(r->app->rp, id_token, &url) == LV_OK)
		rc = reply_redirect(r, 303, url);
	else
		rc = reply_page(r, 200, "signed_out", req_tr(r, "Signed out"), NULL);
	lv_free(id_token);
	lv_free(url);
	return rc;
}

int auth_backchannel_post(struct req *r)
{
	struct sso_logout lo;
	struct sso_error err;
	char msg[160];
	const char *token;
	int rc;

	memset(&lo, 0, sizeof(lo));
	memset(&err, 0, sizeof(err));
	r->is_page = 0;
	reply_header(r, "Cache-Control", "no-store");
	rc = req_form_read(r, msg, sizeof(msg));
	token = rc == LV_OK ? req_form(r, "logout_token") : NULL;
	if (token == NULL) {
		rc = reply_json_error(r, rc == LV_ETOOBIG ? 413 : 400, "invalid_request",
				      rc == LV_OK ? "logout_token is missing" : msg);
		goto out;
	}
	rc = sso_backchannel_handle(r->app->rp, r->db, token, &lo, &err);
	if (rc != LV_OK) {
		char q[300];

		lv_warn("backchannel_refused", "rid=%s reason=%s detail=%s", r->rid,
			sso_reason_name(err.reason), lv_log_quote(q, sizeof(q), err.detail));
		rc = reply_json_error(r, rc == LV_EAUTH ? 400 : 503,
				      rc == LV_EAUTH ? "invalid_request" : "temporarily_unavailable",
				      sso_reason_message(err.reason));
		goto out;
	}
	lv_info("backchannel_logout", "rid=%s sessions=%lld", r->rid,
		(long long)lo.sessions_ended);
	r->status = 200;
	r->content_type = NULL;
	rc = LV_OK;
out:
	sso_logout_cleanup(&lo);
	return rc;
}
