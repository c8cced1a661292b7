/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * callback.c - the end of a sign-in: the provider has sent the browser
 * back with code and state (or with an error).
 *
 * In order: the pending login named by state is taken and deleted in one
 * statement (unknown, expired or already used: state_invalid); an error
 * from the provider is reported as provider_error with its code and
 * description, cleaned for display; the iss parameter (RFC 9207) must be
 * the issuer when present, and present when the provider says it sends
 * it; the code is exchanged at the token endpoint with client_secret_basic
 * (client_id and secret form-urlencoded, then Basic, RFC 6749 2.3.1) and
 * the PKCE code_verifier; the id_token is validated in full (jwt.c); only
 * then is userinfo read with the access token, and its sub must be the
 * id_token's. Claims are merged with the id_token's winning.
 */
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "sso_int.h"

struct pending {
	char *nonce;
	char *verifier;
	char *return_to;
	int64_t expires_at;
};

static void pending_cleanup(struct pending *p)
{
	if (p->verifier)
		sodium_memzero(p->verifier, strlen(p->verifier));
	lv_free(p->nonce);
	lv_free(p->verifier);
	lv_free(p->return_to);
}

static char *column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	return s ? lv_strdup((const char *)s) : NULL;
}

/*
 * Takes (deletes and returns) the pending login of state. Returns LV_OK,
 * LV_ENOTFOUND (unknown or expired) or LV_EINTERNAL.
 */
static int pending_take(struct lv_db *db, const char *state,
			struct pending *p)
{
	sqlite3_stmt *stmt = NULL;
	unsigned char hash[32];
	int rc, step;

	memset(p, 0, sizeof(*p));
	if (state == NULL || strlen(state) != SSO_TOKEN_LEN)
		return LV_ENOTFOUND;
	sso_secret_hash(state, hash);
	rc = lv_db_stmt(db,
			"DELETE FROM sso_pending WHERE state_hash = ?1 "
			"RETURNING nonce, code_verifier, return_to, expires_at",
			&stmt);
	if (rc != LV_OK)
		return rc;
	sqlite3_bind_blob(stmt, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		p->nonce = column_dup(stmt, 0);
		p->verifier = column_dup(stmt, 1);
		p->return_to = column_dup(stmt, 2);
		p->expires_at = sqlite3_column_int64(stmt, 3);
		step = sqlite3_step(stmt);
	}
	if (step != SQLITE_DONE)
		rc = LV_EINTERNAL;
	else if (p->nonce == NULL || p->verifier == NULL ||
		 p->expires_at <= lv_now())
		rc = LV_ENOTFOUND;
	lv_db_done(stmt);
	return rc;
}

/* "Basic " + base64(form(client_id) ":" form(secret)). OUT: *out. */
static int basic_auth(const struct sso_rp *rp, char **out)
{
	struct lv_buf cred;
	size_t n;
	char *hdr = NULL;
	int rc;

	*out = NULL;
	lv_buf_init(&cred, 8192);
	rc = sso_buf_append_pct(&cred, rp->cfg.client_id);
	if (rc == LV_OK)
		rc = lv_buf_append_char(&cred, ':');
	if (rc == LV_OK)
		rc = sso_buf_append_pct(&cred, rp->cfg.client_secret);
	if (rc != LV_OK)
		goto out;
	n = sodium_base64_ENCODED_LEN(cred.len,
				      sodium_base64_VARIANT_ORIGINAL);
	hdr = lv_malloc(6 + n);
	memcpy(hdr, "Basic ", 6);
	sodium_bin2base64(hdr + 6, n, (const unsigned char *)cred.data,
			  cred.len, sodium_base64_VARIANT_ORIGINAL);
	*out = hdr;
out:
	if (cred.data)
		sodium_memzero(cred.data, cred.len);
	lv_buf_cleanup(&cred);
	return rc;
}

/*
 * The token request. OUT: *tokens, the JSON answer. Returns LV_OK,
 * LV_EUNAVAIL (not reached) or LV_EAUTH, with err set.
 */
static int token_request(struct sso_rp *rp, const struct sso_provider *prov,
			 const char *code, const char *verifier,
			 json_t **tokens, struct sso_error *err)
{
	struct sso_http_request req = { .url = prov->token_endpoint };
	struct lv_buf form;
	char detail[200], e[64];
	char *auth = NULL;
	json_t *doc = NULL;
	const char *tt;
	long status = 0;
	int rc;

	*tokens = NULL;
	lv_buf_init(&form, 4 * SSO_CODE_MAX + 4 * SSO_URL_MAX);
	rc = sso_buf_append_param(&form, "grant_type", "authorization_code");
	if (rc == LV_OK)
		rc = sso_buf_append_param(&form, "code", code);
	if (rc == LV_OK)
		rc = sso_buf_append_param(&form, "redirect_uri",
					  rp->cfg.redirect_uri);
	if (rc == LV_OK)
		rc = sso_buf_append_param(&form, "code_verifier", verifier);
	if (rc == LV_OK)
		rc = basic_auth(rp, &auth);
	if (rc != LV_OK) {
		sso_fail(err, SSO_R_TOKEN_REQUEST_FAILED,
			 "token request too large");
		rc = LV_EAUTH;
		goto out;
	}
	req.form = lv_buf_str(&form);
	req.authorization = auth;
	rc = sso_http_json(rp, &req, &status, &doc, detail, sizeof(detail));
	if (rc != LV_OK && rc != LV_EINVAL) {
		sso_fail(err, SSO_R_TOKEN_REQUEST_FAILED, "%s", detail);
		rc = rc == LV_EUNAVAIL ? LV_EUNAVAIL : LV_EAUTH;
		goto out;
	}
	if (rc != LV_OK || status != 200) {
		const char *pe = doc ? json_string_value(json_object_get(
					       doc, "error"))
				     : NULL;

		sso_fail(err, SSO_R_TOKEN_REQUEST_FAILED,
			 "token endpoint answered HTTP %ld%s%s", status,
			 pe ? " error=" : "",
			 pe ? sso_text_clean(e, sizeof(e), pe) : "");
		rc = LV_EAUTH;
		goto out;
	}
	tt = json_string_value(json_object_get(doc, "token_type"));
	if (tt && strcasecmp(tt, "Bearer") != 0) {
		sso_fail(err, SSO_R_TOKEN_REQUEST_FAILED,
			 "token_type \"%s\" is not Bearer",
			 sso_text_clean(e, sizeof(e), tt));
		rc = LV_EAUTH;
		goto out;
	}
	*tokens = doc;
	doc = NULL;
out:
	json_decref(doc);
	if (auth)
		sodium_memzero(auth, strlen(auth));
	lv_free(auth);
	if (form.data)
		sodium_memzero(form.data, form.len);
	lv_buf_cleanup(&form);
	return rc;
}

/*
 * Reads userinfo and merges it into claims (claims already there win).
 * Returns LV_OK, LV_EUNAVAIL or LV_EAUTH with err set.
 */
static int userinfo_merge(struct sso_rp *rp, const struct sso_provider *prov,
			  const char *access_token, json_t *claims,
			  struct sso_error *err)
{
	struct sso_http_request req = { .url = prov->userinfo_endpoint };
	struct lv_buf auth;
	char detail[200];
	json_t *doc = NULL, *v;
	const char *key, *sub;
	long status = 0;
	int rc;

	lv_buf_init(&auth, SSO_JWT_MAX + 16);
	if (lv_buf_append_str(&auth, "Bearer ") != LV_OK ||
	    lv_buf_append_str(&auth, access_token) != LV_OK) {
		sso_fail(err, SSO_R_USERINFO_FAILED, "access token too long");
		rc = LV_EAUTH;
		goto out;
	}
	req.authorization = lv_buf_str(&auth);
	rc = sso_http_json(rp, &req, &status, &doc, detail, sizeof(detail));
	if (rc == LV_OK && status != 200) {
		lv_snprintf(detail, sizeof(detail),
			    "userinfo endpoint answered HTTP %ld", status);
		rc = LV_EAUTH;
	}
	if (rc != LV_OK) {
		sso_fail(err, SSO_R_USERINFO_FAILED, "%s", detail);
		rc = rc == LV_EUNAVAIL ? LV_EUNAVAIL : LV_EAUTH;
		goto out;
	}
	sub = json_string_value(json_object_get(doc, "sub"));
	if (sub == NULL ||
	    strcmp(sub, json_string_value(json_object_get(claims, "sub")))) {
		sso_fail(err, SSO_R_USERINFO_SUB_MISMATCH,
			 sub ? "userinfo sub differs from the id_token's"
			     : "userinfo has no sub");
		rc = LV_EAUTH;
		goto out;
	}
	json_object_foreach(doc, key, v)
	{
		if (json_object_get(claims, key) == NULL)
			json_object_set(claims, key, v);
	}
out:
	json_decref(doc);
	if (auth.data)
		sodium_memzero(auth.data, auth.len);
	lv_buf_cleanup(&auth);
	return rc;
}

void sso_identity_free(struct sso_identity *id)
{
	if (id == NULL)
		return;
	lv_free(id->iss);
	lv_free(id->sub);
	lv_free(id->sid);
	lv_free(id->id_token);
	json_decref(id->claims);
	lv_free(id);
}

/* Copies the provider's error and description for display. */
static void provider_error_copy(const struct sso_callback_params *p,
				struct sso_error *err)
{
	char code[sizeof(err->provider_error)];

	sso_text_clean(code, sizeof(code), p->error);
	sso_fail(err, SSO_R_PROVIDER_ERROR, "the provider answered error=%s",
		 code);
	lv_strlcpy(err->provider_error, code, sizeof(err->provider_error));
	sso_text_clean(err->provider_description,
		       sizeof(err->provider_description),
		       p->error_description ? p->error_description : "");
}

int sso_callback_handle(struct sso_rp *rp, struct lv_db *db,
			const struct sso_callback_params *p,
			struct sso_identity **identity, char **return_to,
			struct sso_error *err)
{
	struct sso_provider *prov = NULL;
	struct sso_identity *id = NULL;
	struct pending pend;
	json_t *tokens = NULL, *claims = NULL;
	const char *id_token, *access_token, *sid;
	int rc;

	*identity = NULL;
	*return_to = NULL;
	sso_error_clear(err);
	rc = pending_take(db, p->state, &pend);
	if (rc != LV_OK) {
		sso_fail(err, SSO_R_STATE_INVALID,
			 rc == LV_ENOTFOUND
				 ? "state is unknown, expired or already used"
				 : "cannot read the pending login");
		rc = rc == LV_ENOTFOUND ? LV_EAUTH : LV_EINTERNAL;
		goto out;
	}
	*return_to = pend.return_to;
	pend.return_to = NULL;
	if (p->error) {
		provider_error_copy(p, err);
		rc = LV_EAUTH;
		goto out;
	}
	rc = sso_provider_get(rp, &prov, err);
	if (rc != LV_OK)
		goto out;
	rc = LV_EAUTH;
	if ((p->iss && strcmp(p->iss, prov->issuer) != 0) ||
	    (p->iss == NULL && prov->iss_param_supported)) {
		sso_fail(err, SSO_R_ISS_INVALID,
			 "the callback's iss parameter is %s",
			 p->iss ? "not the issuer" : "missing");
		goto out;
	}
	if (p->code == NULL || p->code[0] == '\0' ||
	    strlen(p->code) > SSO_CODE_MAX) {
		sso_fail(err, SSO_R_TOKEN_REQUEST_FAILED,
			 "the callback has no usable code");
		goto out;
	}
	rc = token_request(rp, prov, p->code, pend.verifier, &tokens, err);
	if (rc != LV_OK)
		goto out;
	rc = LV_EAUTH;
	id_token = json_string_value(json_object_get(tokens, "id_token"));
	if (id_token == NULL || id_token[0] == '\0') {
		sso_fail(err, SSO_R_ID_TOKEN_MISSING,
			 "the token response has no id_token");
		goto out;
	}
	rc = sso_id_token_validate(rp, prov, id_token, pend.nonce, &claims,
				   err);
	if (rc != LV_OK)
		goto out;
	access_token =
		json_string_value(json_object_get(tokens, "access_token"));
	if (prov->userinfo_endpoint && access_token && access_token[0]) {
		rc = userinfo_merge(rp, prov, access_token, claims, err);
		if (rc != LV_OK)
			goto out;
	}

	id = lv_calloc(1, sizeof(*id));
	id->iss = lv_strdup(prov->issuer);
	id->sub = lv_strdup(json_string_value(json_object_get(claims, "sub")));
	sid = json_string_value(json_object_get(claims, "sid"));
	id->sid = sid && sid[0] ? lv_strndup(sid, 255) : NULL;
	id->id_token = lv_strdup(id_token);
	id->claims = claims;
	claims = NULL;
	*identity = id;
	rc = LV_OK;
out:
	json_decref(claims);
	json_decref(tokens);
	pending_cleanup(&pend);
	sso_provider_release(prov);
	return rc;
}
