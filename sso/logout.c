/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * logout.c - signing out, in both directions.
 *
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the store
 * ends its own session, then sends the browser to the provider's
 * end_session_endpoint with id_token_hint, post_logout_redirect_uri and
 * client_id, so the provider's session ends too.
 *
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0): the
 * provider POSTs a signed logout_token. It is verified like an id_token
 * (same keys and alg rules, jwt.c), then its jti is remembered in
 * sso_logout_jti until the token could no longer pass the iat/exp checks,
 * so a replay is refused; the sessions it names are ended in the same
 * SAVEPOINT as the jti is written.
 */
#include <string.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "session.h"
#include "sso_int.h"

int sso_logout_url(struct sso_rp *rp, const char *id_token_hint, char **url)
{
	struct sso_provider *prov = NULL;
	struct sso_error err;
	struct lv_buf b;
	int rc;

	*url = NULL;
	lv_buf_init(&b, SSO_JWT_MAX + 4 * SSO_URL_MAX + 4096);
	rc = sso_provider_get(rp, &prov, &err);
	if (rc != LV_OK)
		goto out;
	if (prov->end_session_endpoint == NULL) {
		rc = LV_ENOTFOUND;
		goto out;
	}
	rc = lv_buf_append_str(&b, prov->end_session_endpoint);
	if (rc == LV_OK)
		rc = lv_buf_append_char(
			&b, strchr(prov->end_session_endpoint, '?') ? '&' : '?');
	if (rc == LV_OK && id_token_hint && id_token_hint[0] &&
	    strlen(id_token_hint) <= SSO_JWT_MAX)
		rc = sso_buf_append_param(&b, "id_token_hint", id_token_hint);
	if (rc == LV_OK && rp->cfg.post_logout_redirect_uri)
		rc = sso_buf_append_param(&b, "post_logout_redirect_uri",
					  rp->cfg.post_logout_redirect_uri);
	if (rc == LV_OK)
		rc = sso_buf_append_param(&b, "client_id", rp->cfg.client_id);
	if (rc != LV_OK) {
		rc = LV_EINTERNAL;
		goto out;
	}
	*url = lv_buf_take(&b);
out:
	lv_buf_cleanup(&b);
	sso_provider_release(prov);
	return rc;
}

void sso_logout_cleanup(struct sso_logout *lo)
{
	if (lo == NULL)
		return;
	lv_free(lo->iss);
	lv_free(lo->sub);
	lv_free(lo->sid);
	memset(lo, 0, sizeof(*lo));
}

/* Runs sql, a DELETE of rows whose expires_at (?1) is now or earlier. */
static int expired_delete(struct lv_db *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int rc = lv_db_stmt(db, sql, &stmt);

	if (rc != LV_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, lv_now());
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(stmt);
	return rc;
}

int sso_logout_jti_record(struct lv_db *db, const char *iss, const char *jti,
			  int64_t expires_at)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	/* an expired jti may come again: forget it before recording */
	rc = expired_delete(db, "DELETE FROM sso_logout_jti WHERE expires_at <= ?1");
	if (rc != LV_OK)
		return rc;

	rc = lv_db_stmt(db,
			"INSERT INTO sso_logout_jti(iss, jti, expires_at) "
			"VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
			&stmt);
	if (rc != LV_OK)
		return rc;
	lv_db_bind_text(stmt, 1, iss);
	lv_db_bind_text(stmt, 2, jti);
	sqlite3_bind_int64(stmt, 3, expires_at);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = LV_EINTERNAL;
	else if (sqlite3_changes(db->conn) == 0)
		rc = LV_ECONFLICT;
	lv_db_done(stmt);
	return rc;
}

/* How long a logout token's jti must be remembered. */
static int64_t jti_keep_until(const struct sso_rp *rp, const json_t *claims)
{
	int64_t slack = rp->cfg.iat_slack_seconds;
	int64_t window = slack > SSO_IAT_MIN_WINDOW ? slack : SSO_IAT_MIN_WINDOW;
	const json_t *iat = json_object_get(claims, "iat");
	const json_t *exp = json_object_get(claims, "exp");
	int64_t until = (int64_t)json_number_value(iat) + window + 1;

	/* iat and exp were checked to be dates in range by jwt.c */
	if (exp && (int64_t)json_number_value(exp) + slack > until)
		until = (int64_t)json_number_value(exp) + slack;
	return until;
}

static char *dup_claim(const json_t *claims, const char *name)
{
	const char *s = json_string_value(json_object_get(claims, name));

	return s ? lv_strdup(s) : NULL;
}

int sso_backchannel_handle(struct sso_rp *rp, struct lv_db *db,
			   const char *logout_token, struct sso_logout *out,
			   struct sso_error *err)
{
	struct sso_provider *prov = NULL;
	json_t *claims = NULL;
	int64_t n = 0;
	int rc, in_savepoint = 0;

	memset(out, 0, sizeof(*out));
	sso_error_clear(err);
	rc = sso_provider_get(rp, &prov, err);
	if (rc != LV_OK)
		goto out;
	rc = sso_logout_token_validate(rp, prov, logout_token, &claims, err);
	if (rc != LV_OK)
		goto out;
	out->iss = lv_strdup(prov->issuer);
	out->sub = dup_claim(claims, "sub");
	out->sid = dup_claim(claims, "sid");

	rc = lv_db_exec(db, "SAVEPOINT sso_bcl");
	if (rc != LV_OK)
		goto db_error;
	in_savepoint = 1;
	rc = sso_logout_jti_record(
		db, out->iss, json_string_value(json_object_get(claims, "jti")),
		jti_keep_until(rp, claims));
	if (rc == LV_ECONFLICT) {
		sso_fail(err, SSO_R_LOGOUT_TOKEN_INVALID,
			 "the logout token's jti was seen before (replay)");
		rc = LV_EAUTH;
		goto out;
	}
	if (rc != LV_OK)
		goto db_error;
	rc = sso_session_destroy_for_subject(rp, db, out->iss, out->sub,
					     out->sid, &n);
	if (rc != LV_OK)
		goto db_error;
	rc = lv_db_exec(db, "RELEASE sso_bcl");
	if (rc != LV_OK)
		goto db_error;
	in_savepoint = 0;
	out->sessions_ended = n;
	goto out;
db_error:
	sso_fail(err, SSO_R_NONE, "database error during back-channel logout");
	rc = LV_EINTERNAL;
out:
	if (in_savepoint)
		lv_db_exec(db, "ROLLBACK TO sso_bcl; RELEASE sso_bcl");
	if (rc != LV_OK)
		sso_logout_cleanup(out);
	json_decref(claims);
	sso_provider_release(prov);
	return rc;
}

int sso_purge(struct sso_rp *rp, struct lv_db *db)
{
	int rc = expired_delete(db, "DELETE FROM sso_pending WHERE expires_at <= ?1");

	if (rc == LV_OK)
		rc = expired_delete(db, "DELETE FROM sso_logout_jti WHERE expires_at <= ?1");
	if (rc == LV_OK)
		rc = sso_session_purge(rp, db, NULL);
	return rc;
}
