/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * login.c - the start of a sign-in: the authorization code flow with PKCE
 * (S256).
 *
 * For each sign-in a random state, nonce and code_verifier are made and
 * kept server-side in sso_pending for SSO_PENDING_SECONDS, keyed by a hash
 * of the state (a copy of the database gives no usable state), together
 * with the local path to return to. The callback takes the row and deletes
 * it in one statement, so each state is good for one callback only. The
 * browser is sent to the provider's authorization endpoint with
 * response_type=code, client_id, redirect_uri, scope, state, nonce,
 * code_challenge and code_challenge_method=S256, every value
 * percent-encoded.
 */
#include <sodium.h>
#include <string.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "session.h"
#include "sso_int.h"

/* A local path: "/..." but not "//" or "/\" (another host), no controls. */
static int return_to_valid(const char *s)
{
	size_t i;

	if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return 0;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return i <= SSO_URL_MAX;
}

/* Stores the pending login; expired ones are removed on the way. */
static int pending_store(struct lv_db *db, const char *state,
			 const char *nonce, const char *verifier,
			 const char *return_to)
{
	sqlite3_stmt *stmt = NULL;
	unsigned char hash[32];
	int64_t now = lv_now();
	int rc;

	rc = lv_db_stmt(db, "DELETE FROM sso_pending WHERE expires_at <= ?1",
			&stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, now);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(stmt);
	if (rc != LV_OK)
		return rc;

	sso_secret_hash(state, hash);
	rc = lv_db_stmt(db,
			"INSERT INTO sso_pending(state_hash, nonce, "
			"code_verifier, return_to, created_at, expires_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			&stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_blob(stmt, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	lv_db_bind_text(stmt, 2, nonce);
	lv_db_bind_text(stmt, 3, verifier);
	lv_db_bind_text(stmt, 4, return_to);
	sqlite3_bind_int64(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, now + SSO_PENDING_SECONDS);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = LV_EINTERNAL;
	lv_db_done(stmt);
	return rc;
}

int sso_login_begin(struct sso_rp *rp, struct lv_db *db, const char *return_to,
		    char **url, struct sso_error *err)
{
	struct sso_provider *prov = NULL;
	char state[SSO_TOKEN_LEN + 1], nonce[SSO_TOKEN_LEN + 1];
	char verifier[SSO_TOKEN_LEN + 1], challenge[SSO_TOKEN_LEN + 1];
	struct lv_buf b;
	int rc;

	*url = NULL;
	sso_error_clear(err);
	lv_buf_init(&b, 4 * SSO_URL_MAX + 1024);
	if (!return_to_valid(return_to)) {
		sso_fail(err, SSO_R_NONE, "return_to is not a local path");
		rc = LV_EINVAL;
		goto out;
	}
	rc = sso_provider_get(rp, &prov, err);
	if (rc != LV_OK)
		goto out;

	sso_random_token(state, sizeof(state));
	sso_random_token(nonce, sizeof(nonce));
	sso_random_token(verifier, sizeof(verifier));
	sso_pkce_challenge(verifier, challenge, sizeof(challenge));
	rc = pending_store(db, state, nonce, verifier, return_to);
	if (rc != LV_OK) {
		sso_fail(err, SSO_R_NONE, "cannot store the pending login");
		rc = LV_EINTERNAL;
		goto out;
	}

	rc = lv_buf_append_str(&b, prov->authorization_endpoint);
	if (rc == LV_OK)
		rc = lv_buf_append_char(
			&b, strchr(prov->authorization_endpoint, '?') ? '&'
								       : '?');
	if (rc == LV_OK)
		rc = lv_buf_append_str(&b, "response_type=code");
	if (rc == LV_OK)
		rc = sso_buf_append_param(&b, "client_id", rp->cfg.client_id);
	if (rc == LV_OK)
		rc = sso_buf_append_param(&b, "redirect_uri",
					  rp->cfg.redirect_uri);
	if (rc == LV_OK)
		rc = sso_buf_append_param(&b, "scope", rp->cfg.scope);
	if (rc == LV_OK)
		rc = sso_buf_append_param(&b, "state", state);
	if (rc == LV_OK)
		rc = sso_buf_append_param(&b, "nonce", nonce);
	if (rc == LV_OK)
		rc = sso_buf_append_param(&b, "code_challenge", challenge);
	if (rc == LV_OK)
		rc = sso_buf_append_param(&b, "code_challenge_method", "S256");
	if (rc != LV_OK) {
		sso_fail(err, SSO_R_NONE, "authorization URL too long");
		rc = LV_EINTERNAL;
		goto out;
	}
	*url = lv_buf_take(&b);
out:
	sodium_memzero(verifier, sizeof(verifier));
	lv_buf_cleanup(&b);
	sso_provider_release(prov);
	return rc;
}
