/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_sso_flow.c - the relying party from start to end against the fake
 * provider of sso/testkit.c, on an in-memory database: discovery (issuer
 * match, trailing slash, https only, provider down at start and lazy
 * retry), login (authorization URL, pending row keyed by a hash, PKCE),
 * callback (single-use state, expiry, provider errors, iss parameter,
 * token request with client_secret_basic, id_token, userinfo sub and
 * claim merge), RP-initiated logout URL and back-channel logout (sessions
 * ended, replay refused).
 */
#include <sodium.h>
#include <string.h>

#include "lv_db.h"
#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"
#include "session.h"
#include "sso_int.h"
#include "testkit.h"

#define T0 1700000000

static struct lv_db *db;
static struct sso_testkit *kit;
static struct sso_rp *rp;
static void *key;

static void rp_make(int allow_http)
{
	struct sso_config cfg;
	char msg[256];

	sso_rp_free(rp);
	rp = NULL;
	sso_testkit_config(kit, &cfg);
	cfg.allow_http = allow_http;
	if (sso_rp_new(&cfg, &rp, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "sso_rp_new: %s\n", msg);
		exit(1);
	}
	sso_rp_set_http(rp, sso_testkit_http, kit);
}

static void kit_make(const char *issuer)
{
	sso_testkit_free(kit);
	kit = sso_testkit_new(issuer);
	sso_testkit_publish(kit, key, "k1", "sig", "RS256");
	rp_make(0);
}

/* The value of query parameter name in url (decoded only as far as the
 * tests need: our values are unreserved characters). */
static void query_get(const char *url, const char *name, char *out,
		      size_t outlen)
{
	char pat[64];
	const char *p;
	size_t n;

	out[0] = '\0';
	lv_snprintf(pat, sizeof(pat), "%s=", name);
	for (p = strchr(url, '?'); p; p = strchr(p + 1, '&')) {
		if (strncmp(p + 1, pat, strlen(pat)) == 0) {
			p += 1 + strlen(pat);
			n = strcspn(p, "&");
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, p, n);
			out[n] = '\0';
			return;
		}
	}
}

static int64_t count(const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static void test_discovery(void)
{
	struct sso_error err;

	kit_make(NULL);
	CHECK_INT(sso_rp_discover(rp, &err), LV_OK);
	CHECK_INT(err.reason, SSO_R_NONE);
	CHECK_INT(kit->discovery_calls, 1);
	CHECK_INT(kit->jwks_calls, 1);
	CHECK_INT(sso_rp_discover(rp, &err), LV_OK);
	CHECK_INT(kit->discovery_calls, 1);

	/* the document must name exactly our issuer */
	json_object_set_new(kit->discovery, "issuer",
			    json_string(SSO_TESTKIT_ISSUER "/"));
	rp_make(0);
	CHECK_INT(sso_rp_discover(rp, &err), LV_EUNAVAIL);
	CHECK_INT(err.reason, SSO_R_ISSUER_MISMATCH);
	CHECK(strstr(err.detail, "issuer") != NULL);

	/* a configured trailing slash is kept in the comparison, and not
	 * doubled in the discovery URL */
	kit_make("https://idp.test/realms/slash/");
	CHECK_INT(sso_rp_discover(rp, &err), LV_OK);
	CHECK_STR(rp->discovery_url, "https://idp.test/realms/slash/.well-known/"
				     "openid-configuration");
	CHECK_INT(kit->discovery_calls, 1);

	/* http endpoints only when allowed */
	kit_make(NULL);
	json_object_set_new(kit->discovery, "token_endpoint",
			    json_string("http://idp.test/token"));
	rp_make(0);
	CHECK_INT(sso_rp_discover(rp, &err), LV_EUNAVAIL);
	CHECK_INT(err.reason, SSO_R_DISCOVERY_FAILED);
	CHECK(strstr(err.detail, "token_endpoint") != NULL);
	rp_make(1);
	CHECK_INT(sso_rp_discover(rp, &err), LV_OK);

	/* required fields */
	kit_make(NULL);
	json_object_del(kit->discovery, "jwks_uri");
	rp_make(0);
	CHECK_INT(sso_rp_discover(rp, &err), LV_EUNAVAIL);
	CHECK_INT(err.reason, SSO_R_DISCOVERY_FAILED);

	/* an unusable alg list */
	kit_make(NULL);
	json_object_set_new(kit->discovery,
			    "id_token_signing_alg_values_supported",
			    json_string("RS256"));
	rp_make(0);
	CHECK_INT(sso_rp_discover(rp, &err), LV_EUNAVAIL);
	kit_make(NULL);
}

static void test_provider_down_at_start(void)
{
	struct sso_error err;
	char *url = NULL;

	lv_clock_set(T0);
	kit_make(NULL);
	kit->down = 1;
	CHECK_INT(sso_rp_discover(rp, &err), LV_EUNAVAIL);
	CHECK_INT(err.reason, SSO_R_DISCOVERY_FAILED);
	kit->down = 0;
	/* not retried within 5 s: the next sign-in fails fast */
	lv_clock_set(T0 + 3);
	CHECK_INT(sso_login_begin(rp, db, "/", &url, &err), LV_EUNAVAIL);
	CHECK_INT(err.reason, SSO_R_DISCOVERY_FAILED);
	CHECK(url == NULL);
	CHECK_INT(kit->discovery_calls, 0);
	/* then the next sign-in discovers */
	lv_clock_set(T0 + 6);
	CHECK_INT(sso_login_begin(rp, db, "/", &url, &err), LV_OK);
	CHECK_INT(kit->discovery_calls, 1);
	lv_free(url);
	lv_clock_set(T0);
	lv_db_exec(db, "DELETE FROM sso_pending");
}

/* Begins a login; OUT: state, nonce from the URL. Returns the URL. */
static char *begin(const char *return_to, char *state, char *nonce)
{
	struct sso_error err;
	char *url = NULL;

	CHECK_INT(sso_login_begin(rp, db, return_to, &url, &err), LV_OK);
	if (url == NULL)
		return lv_strdup("");
	query_get(url, "state", state, SSO_TOKEN_LEN + 1);
	query_get(url, "nonce", nonce, SSO_TOKEN_LEN + 1);
	return url;
}

static void test_login_begin(void)
{
	char state[64], nonce[64], challenge[64], v[256], expect[64];
	unsigned char hash[32];
	sqlite3_stmt *stmt = NULL;
	struct sso_error err;
	char *url;

	kit_make(NULL);
	url = begin("/catalog?page=2", state, nonce);
	CHECK(strncmp(url, SSO_TESTKIT_ISSUER "/auth?", 36) == 0);
	query_get(url, "response_type", v, sizeof(v));
	CHECK_STR(v, "code");
	query_get(url, "client_id", v, sizeof(v));
	CHECK_STR(v, SSO_TESTKIT_CLIENT);
	query_get(url, "redirect_uri", v, sizeof(v));
	CHECK_STR(v, "https%3A%2F%2Fstore.test%2Fauth%2Fcallback");
	query_get(url, "scope", v, sizeof(v));
	CHECK_STR(v, "openid%20profile%20email");
	query_get(url, "code_challenge_method", v, sizeof(v));
	CHECK_STR(v, "S256");
	query_get(url, "code_challenge", challenge, sizeof(challenge));
	CHECK_INT(strlen(state), SSO_TOKEN_LEN);
	CHECK_INT(strlen(nonce), SSO_TOKEN_LEN);
	CHECK_INT(strlen(challenge), SSO_TOKEN_LEN);
	CHECK(strcmp(state, nonce) != 0);

	/* the row is keyed by the state's hash; the state is not stored */
	sso_secret_hash(state, hash);
	CHECK(sqlite3_prepare_v2(db->conn,
				 "SELECT code_verifier, return_to, expires_at, "
				 "nonce FROM sso_pending WHERE state_hash = ?1",
				 -1, &stmt, NULL) == SQLITE_OK);
	sqlite3_bind_blob(stmt, 1, hash, 32, SQLITE_STATIC);
	CHECK(sqlite3_step(stmt) == SQLITE_ROW);
	sso_pkce_challenge((const char *)sqlite3_column_text(stmt, 0), expect,
			   sizeof(expect));
	CHECK_STR(expect, challenge);
	CHECK_INT(strlen((const char *)sqlite3_column_text(stmt, 0)), 43);
	CHECK_STR((const char *)sqlite3_column_text(stmt, 1), "/catalog?page=2");
	CHECK_INT(sqlite3_column_int64(stmt, 2), T0 + 600);
	CHECK_STR((const char *)sqlite3_column_text(stmt, 3), nonce);
	sqlite3_finalize(stmt);
	CHECK(sqlite3_prepare_v2(db->conn,
				 "SELECT count(*) FROM sso_pending WHERE "
				 "CAST(state_hash AS TEXT) = ?1 OR nonce = ?1 "
				 "OR code_verifier = ?1",
				 -1, &stmt, NULL) == SQLITE_OK);
	sqlite3_bind_text(stmt, 1, state, -1, SQLITE_STATIC);
	CHECK(sqlite3_step(stmt) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int64(stmt, 0), 0);
	sqlite3_finalize(stmt);
	lv_free(url);

	/* return_to must be a local path */
	url = NULL;
	CHECK_INT(sso_login_begin(rp, db, "//evil.test/", &url, &err),
		  LV_EINVAL);
	CHECK_INT(sso_login_begin(rp, db, "https://evil.test/", &url, &err),
		  LV_EINVAL);
	CHECK_INT(sso_login_begin(rp, db, "/\\evil.test", &url, &err),
		  LV_EINVAL);
	CHECK_INT(sso_login_begin(rp, db, "", &url, &err), LV_EINVAL);
	CHECK_INT(sso_login_begin(rp, db, NULL, &url, &err), LV_EINVAL);
	CHECK_INT(sso_login_begin(rp, db, "/a\r\nSet-Cookie: x", &url, &err),
		  LV_EINVAL);
	CHECK(url == NULL);

	/* an authorization endpoint with a query keeps it */
	json_object_set_new(kit->discovery, "authorization_endpoint",
			    json_string(SSO_TESTKIT_ISSUER "/auth?tenant=a"));
	rp_make(0);
	url = begin("/", state, nonce);
	CHECK(strncmp(url, SSO_TESTKIT_ISSUER "/auth?tenant=a&response_type=",
		      strlen(SSO_TESTKIT_ISSUER) + 29) == 0);
	lv_free(url);
	kit_make(NULL);
	lv_db_exec(db, "DELETE FROM sso_pending");
}

/* Arms the fake token endpoint with an id_token for nonce. */
static void token_arm(const char *nonce, json_t *extra_claims)
{
	json_t *c = sso_testkit_id_claims(kit, nonce);
	char *idt;

	if (extra_claims)
		json_object_update(c, extra_claims);
	idt = sso_testkit_sign(key, "RS256", "k1", c);
	json_decref(kit->token);
	kit->token = json_pack("{s:s, s:s, s:s, s:i}", "access_token",
			       "at-123", "token_type", "Bearer", "id_token",
			       idt, "expires_in", 300);
	lv_free(idt);
	json_decref(c);
	json_decref(extra_claims);
}

static void userinfo_arm(const char *sub)
{
	json_decref(kit->userinfo);
	kit->userinfo = json_pack("{s:s, s:s, s:s}", "sub", sub, "department",
				  "Logistics", "name", "Userinfo Name");
}

static int callback(const char *state, const char *code, const char *error,
		    const char *iss, struct sso_identity **id, char **rt,
		    struct sso_error *err)
{
	struct sso_callback_params p = { .code = code,
					 .state = state,
					 .error = error,
					 .error_description =
						 error ? "User \"cancelled\"\n<b>" : NULL,
					 .iss = iss };

	return sso_callback_handle(rp, db, &p, id, rt, err);
}

static void test_callback_success(void)
{
	char state[64], nonce[64], verifier_form[128], *url;
	struct sso_identity *id = NULL;
	struct sso_error err;
	char *rt = NULL, *expect_auth;
	const char *cred = SSO_TESTKIT_CLIENT ":s3cret%20with%20space%26amp";
	size_t n;

	kit_make(NULL);
	url = begin("/orders", state, nonce);
	token_arm(nonce, NULL);
	userinfo_arm("248289761001");
	CHECK_INT(callback(state, "code-xyz", NULL, SSO_TESTKIT_ISSUER, &id,
			   &rt, &err),
		  LV_OK);
	CHECK_INT(err.reason, SSO_R_NONE);
	CHECK_STR(rt, "/orders");
	CHECK(id != NULL);
	if (id) {
		CHECK_STR(id->iss, SSO_TESTKIT_ISSUER);
		CHECK_STR(id->sub, "248289761001");
		CHECK_STR(id->sid, "sess-1");
		CHECK(id->id_token && strncmp(id->id_token, "eyJ", 3) == 0);
		/* id_token claims win, userinfo adds what is missing */
		CHECK_STR(json_string_value(json_object_get(id->claims, "name")),
			  "Jane Doe");
		CHECK_STR(json_string_value(
				  json_object_get(id->claims, "department")),
			  "Logistics");
	}
	/* the token request */
	CHECK_INT(kit->token_calls, 1);
	CHECK(strstr(kit->token_form, "grant_type=authorization_code") != NULL);
	CHECK(strstr(kit->token_form, "code=code-xyz") != NULL);
	CHECK(strstr(kit->token_form, "redirect_uri=https%3A%2F%2Fstore.test%2F"
				      "auth%2Fcallback") != NULL);
	CHECK(strstr(kit->token_form, "client_secret") == NULL);
	query_get(url, "code_challenge", verifier_form, sizeof(verifier_form));
	{
		char v[64] = "", ch[64];
		const char *p = strstr(kit->token_form, "code_verifier=");

		if (p)
			lv_strlcpy(v, p + 14, sizeof(v));
		v[strcspn(v, "&")] = '\0';
		sso_pkce_challenge(v, ch, sizeof(ch));
		CHECK_STR(ch, verifier_form);
	}
	n = sodium_base64_ENCODED_LEN(strlen(cred),
				      sodium_base64_VARIANT_ORIGINAL);
	expect_auth = lv_calloc(1, n + 6);
	memcpy(expect_auth, "Basic ", 6);
	sodium_bin2base64(expect_auth + 6, n, (const unsigned char *)cred,
			  strlen(cred), sodium_base64_VARIANT_ORIGINAL);
	CHECK_STR(kit->token_auth, expect_auth);
	CHECK_STR(kit->userinfo_auth, "Bearer at-123");
	lv_free(expect_auth);

	/* the pending row is gone: the same state cannot be used again */
	CHECK_INT(count("SELECT count(*) FROM sso_pending"), 0);
	sso_identity_free(id);
	lv_free(rt);
	id = NULL;
	rt = NULL;
	CHECK_INT(callback(state, "code-xyz", NULL, NULL, &id, &rt, &err),
		  LV_EAUTH);
	CHECK_INT(err.reason, SSO_R_STATE_INVALID);
	CHECK(id == NULL && rt == NULL);
	CHECK_INT(kit->token_calls, 1);
	lv_free(url);
}

static void test_callback_state(void)
{
	char state[64], nonce[64], *url;
	struct sso_identity *id = NULL;
	struct sso_error err;
	char *rt = NULL;

	kit_make(NULL);
	/* unknown, missing */
	CHECK_INT(callback("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "c",
			   NULL, NULL, &id, &rt, &err),
		  LV_EAUTH);
	CHECK_INT(err.reason, SSO_R_STATE_INVALID);
	CHECK_INT(callback(NULL, "c", NULL, NULL, &id, &rt, &err), LV_EAUTH);
	CHECK_INT(err.reason, SSO_R_STATE_INVALID);
	/* an error with an unknown state shows no provider text */
	CHECK_INT(callback("nope", NULL, "access_denied", NULL, &id, &rt, &err),
		  LV_EAUTH);
	CHECK_INT(err.reason, SSO_R_STATE_INVALID);
	CHECK_STR(err.provider_error, "");

	/* expired after ten minutes */
	lv_clock_set(T0);
	url = begin("/", state, nonce);
	lv_free(url);
	token_arm(nonce, NULL);
	lv_clock_set(T0 + 600);
	CHECK_INT(callback(state, "c", NULL, NULL, &id, &rt, &err), LV_EAUTH);
	CHECK_INT(err.reason, SSO_R_STATE_INVALID);
	CHECK(rt == NULL);
	CHECK_INT(kit->token_calls, 0);
	/* and expired rows are swept by the next login */
	url = begin("/", state, nonce);
	lv_free(url);
	CHECK_INT(count("SELECT count(*) FROM sso_pending"), 1);
	lv_clock_set(T0);
	lv_db_exec(db, "DELETE FROM sso_pending");
}

static void test_callback_provider_error(void)
{
	char state[64], nonce[64], *url;
	struct sso_identity *id = NULL;
	struct sso_error err;
	char *rt = NULL;

	kit_make(NULL);
	url = begin("/cart", state, nonce);
	CHECK_INT(callback(state, NULL, "access_denied", NULL, &id, &rt, &err),
		  LV_EAUTH);
	CHECK_INT(err.reason, SSO_R_PROVIDER_ERROR);
	CHECK_STR(err.provider_error, "access_denied");
	CHECK_STR(err.provider_description, "User ?cancelled?" "?<b>");
	CHECK_STR(rt, "/cart");
	CHECK(id == NULL);
	CHECK_INT(kit->token_calls, 0);
	lv_free(rt);
	lv_free(url);
	/* the state is used up by the error too */
	CHECK_INT(count("SELECT count(*) FROM sso_pending"), 0);
}

/* One callback with the token endpoint armed by arm(); returns reason. */
static enum sso_reason flow(json_t *extra_claims, const char *userinfo_sub,
			    const char *iss_param, int *rc_out)
{
	char state[64], nonce[64], *url;
	struct sso_identity *id = NULL;
	struct sso_error err;
	char *rt = NULL;
	int rc;

	url = begin("/", state, nonce);
	token_arm(nonce, extra_claims);
	if (userinfo_sub)
		userinfo_arm(userinfo_sub);
	rc = callback(state, "code", NULL, iss_param, &id, &rt, &err);
	CHECK(rc == LV_OK ? id != NULL : id == NULL);
	CHECK(rt != NULL);
	if (rc_out)
		*rc_out = rc;
	sso_identity_free(id);
	lv_free(rt);
	lv_free(url);
	return rc == LV_OK ? SSO_R_NONE : err.reason;
}

static void test_callback_failures(void)
{
	int rc = 0;

	kit_make(NULL);
	CHECK_INT(flow(NULL, "248289761001", NULL, NULL), SSO_R_NONE);
	/* iss parameter (RFC 9207) */
	CHECK_INT(flow(NULL, "248289761001", "https://evil.test", NULL),
		  SSO_R_ISS_INVALID);
	json_object_set_new(kit->discovery,
			    "authorization_response_iss_parameter_supported",
			    json_true());
	rp_make(0);
	CHECK_INT(flow(NULL, "248289761001", NULL, NULL), SSO_R_ISS_INVALID);
	CHECK_INT(flow(NULL, "248289761001", SSO_TESTKIT_ISSUER, NULL),
		  SSO_R_NONE);
	kit_make(NULL);

	/* nonce of another login */
	CHECK_INT(flow(json_pack("{s:s}", "nonce", "x"), "248289761001", NULL,
		       NULL),
		  SSO_R_NONCE_INVALID);
	/* userinfo for someone else */
	CHECK_INT(flow(NULL, "someone-else", NULL, NULL),
		  SSO_R_USERINFO_SUB_MISMATCH);
	kit->userinfo_status = 500;
	CHECK_INT(flow(NULL, "248289761001", NULL, NULL), SSO_R_USERINFO_FAILED);
	kit->userinfo_status = 200;
	/* no userinfo endpoint: the id_token alone */
	json_object_del(kit->discovery, "userinfo_endpoint");
	rp_make(0);
	rc = kit->userinfo_calls;
	CHECK_INT(flow(NULL, "someone-else", NULL, NULL), SSO_R_NONE);
	CHECK_INT(kit->userinfo_calls, rc);
	kit_make(NULL);

	/* token endpoint refuses, is down, answers junk, has no id_token */
	{
		char state[64], nonce[64], *url;
		struct sso_identity *id = NULL;
		struct sso_error err;
		char *rt = NULL;

		url = begin("/", state, nonce);
		json_decref(kit->token);
		kit->token = NULL; /* 400 invalid_grant */
		CHECK_INT(callback(state, "c", NULL, NULL, &id, &rt, &err),
			  LV_EAUTH);
		CHECK_INT(err.reason, SSO_R_TOKEN_REQUEST_FAILED);
		CHECK(strstr(err.detail, "invalid_grant") != NULL);
		lv_free(rt);
		lv_free(url);

		url = begin("/", state, nonce);
		kit->down = 1;
		rt = NULL;
		CHECK_INT(callback(state, "c", NULL, NULL, &id, &rt, &err),
			  LV_EUNAVAIL);
		CHECK_INT(err.reason, SSO_R_TOKEN_REQUEST_FAILED);
		kit->down = 0;
		lv_free(rt);
		lv_free(url);

		url = begin("/", state, nonce);
		rt = NULL;
		CHECK_INT(callback(state, "", NULL, NULL, &id, &rt, &err),
			  LV_EAUTH);
		CHECK_INT(err.reason, SSO_R_TOKEN_REQUEST_FAILED);
		lv_free(rt);
		lv_free(url);

		url = begin("/", state, nonce);
		kit->token = json_pack("{s:s, s:s}", "access_token", "a",
				       "token_type", "Bearer");
		rt = NULL;
		CHECK_INT(callback(state, "c", NULL, NULL, &id, &rt, &err),
			  LV_EAUTH);
		CHECK_INT(err.reason, SSO_R_ID_TOKEN_MISSING);
		lv_free(rt);
		lv_free(url);

		url = begin("/", state, nonce);
		json_decref(kit->token);
		kit->token = json_pack("{s:s, s:s, s:s}", "access_token", "a",
				       "token_type", "mac", "id_token", "x");
		rt = NULL;
		CHECK_INT(callback(state, "c", NULL, NULL, &id, &rt, &err),
			  LV_EAUTH);
		CHECK_INT(err.reason, SSO_R_TOKEN_REQUEST_FAILED);
		lv_free(rt);
		lv_free(url);

		url = begin("/", state, nonce);
		json_decref(kit->token);
		kit->token = json_pack("{s:s, s:s}", "access_token", "a",
				       "id_token", "not-a-jwt");
		rt = NULL;
		CHECK_INT(callback(state, "c", NULL, NULL, &id, &rt, &err),
			  LV_EAUTH);
		CHECK_INT(err.reason, SSO_R_ID_TOKEN_MALFORMED);
		lv_free(rt);
		lv_free(url);
	}
	CHECK_INT(flow(json_pack("{s:s}", "aud", "x"), "248289761001", NULL,
		       &rc),
		  SSO_R_AUD_INVALID);
	CHECK_INT(rc, LV_EAUTH);
	lv_db_exec(db, "DELETE FROM sso_pending");
}

static void test_logout_url(void)
{
	char *url = NULL;

	kit_make(NULL);
	CHECK_INT(sso_logout_url(rp, "eyJhbGciOi.xyz.sig", &url), LV_OK);
	CHECK_STR(url, SSO_TESTKIT_ISSUER "/logout?id_token_hint=eyJhbGciOi."
					  "xyz.sig&post_logout_redirect_uri="
					  "https%3A%2F%2Fstore.test%2F&"
					  "client_id=" SSO_TESTKIT_CLIENT);
	lv_free(url);
	url = NULL;
	CHECK_INT(sso_logout_url(rp, NULL, &url), LV_OK);
	CHECK(url && strstr(url, "id_token_hint") == NULL);
	lv_free(url);
	url = NULL;
	json_object_del(kit->discovery, "end_session_endpoint");
	rp_make(0);
	CHECK_INT(sso_logout_url(rp, "x", &url), LV_ENOTFOUND);
	CHECK(url == NULL);
	kit->down = 1;
	rp_make(0);
	CHECK_INT(sso_logout_url(rp, "x", &url), LV_EUNAVAIL);
	kit->down = 0;
	kit_make(NULL);
}

static void test_backchannel(void)
{
	struct sso_identity a1 = { .iss = SSO_TESTKIT_ISSUER,
				   .sub = "248289761001",
				   .sid = "sess-1" };
	struct sso_identity a2 = { .iss = SSO_TESTKIT_ISSUER,
				   .sub = "248289761001",
				   .sid = "sess-2" };
	struct sso_identity b = { .iss = SSO_TESTKIT_ISSUER,
				  .sub = "other",
				  .sid = "sess-9" };
	struct sso_session_token t1, t2, t3;
	struct sso_session s;
	struct sso_logout lo;
	struct sso_error err;
	json_t *c;
	char *tok;

	kit_make(NULL);
	CHECK_INT(sso_session_create(rp, db, 1, &a1, &t1), LV_OK);
	CHECK_INT(sso_session_create(rp, db, 1, &a2, &t2), LV_OK);
	CHECK_INT(sso_session_create(rp, db, 2, &b, &t3), LV_OK);

	/* sid only: one provider session ends */
	c = sso_testkit_logout_claims(kit, "jti-1");
	json_object_del(c, "sub");
	tok = sso_testkit_sign(key, "RS256", "k1", c);
	CHECK_INT(sso_backchannel_handle(rp, db, tok, &lo, &err), LV_OK);
	CHECK_INT(lo.sessions_ended, 1);
	CHECK_STR(lo.sid, "sess-1");
	CHECK(lo.sub == NULL);
	CHECK_STR(lo.iss, SSO_TESTKIT_ISSUER);
	sso_logout_cleanup(&lo);
	CHECK_INT(sso_session_lookup(rp, db, t1.cookie, &s), LV_ENOTFOUND);
	CHECK_INT(sso_session_lookup(rp, db, t2.cookie, &s), LV_OK);
	sso_session_cleanup(&s);

	/* the same token again is a replay */
	CHECK_INT(sso_backchannel_handle(rp, db, tok, &lo, &err), LV_EAUTH);
	CHECK_INT(err.reason, SSO_R_LOGOUT_TOKEN_INVALID);
	CHECK(strstr(err.detail, "replay") != NULL);
	CHECK(lo.iss == NULL);
	lv_free(tok);
	json_decref(c);

	/* sub only: every session of that person */
	c = sso_testkit_logout_claims(kit, "jti-2");
	json_object_del(c, "sid");
	tok = sso_testkit_sign(key, "RS256", "k1", c);
	CHECK_INT(sso_backchannel_handle(rp, db, tok, &lo, &err), LV_OK);
	CHECK_INT(lo.sessions_ended, 1);
	sso_logout_cleanup(&lo);
	CHECK_INT(sso_session_lookup(rp, db, t2.cookie, &s), LV_ENOTFOUND);
	CHECK_INT(sso_session_lookup(rp, db, t3.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	lv_free(tok);
	json_decref(c);

	/* invalid tokens change nothing */
	c = sso_testkit_logout_claims(kit, "jti-3");
	json_object_set_new(c, "sub", json_string("other"));
	json_object_del(c, "sid");
	json_object_set_new(c, "nonce", json_string("n"));
	tok = sso_testkit_sign(key, "RS256", "k1", c);
	CHECK_INT(sso_backchannel_handle(rp, db, tok, &lo, &err), LV_EAUTH);
	CHECK_INT(err.reason, SSO_R_LOGOUT_TOKEN_INVALID);
	CHECK_INT(sso_session_lookup(rp, db, t3.cookie, &s), LV_OK);
	sso_session_cleanup(&s);
	lv_free(tok);
	json_decref(c);
	CHECK_INT(sso_backchannel_handle(rp, db, "junk", &lo, &err), LV_EAUTH);
	CHECK_INT(err.reason, SSO_R_LOGOUT_TOKEN_INVALID);
	CHECK_INT(sso_backchannel_handle(rp, db, NULL, &lo, &err), LV_EAUTH);
	CHECK_INT(count("SELECT count(*) FROM sso_logout_jti"), 2);

	/* jtis are forgotten once their token could not pass any more */
	lv_clock_set(T0 + 3600);
	CHECK_INT(sso_purge(rp, db), LV_OK);
	CHECK_INT(count("SELECT count(*) FROM sso_logout_jti"), 0);
	lv_clock_set(T0);
	lv_db_exec(db, "DELETE FROM sso_session");
}

int main(void)
{
	char msg[256];

	lv_clock_set(T0);
	if (lv_db_open(":memory:", 1, 1000, &db, msg, sizeof(msg)) != LV_OK ||
	    lv_db_exec(db, sso_schema_v1) != LV_OK) {
		fprintf(stderr, "db: %s\n", msg);
		return 1;
	}
	key = sso_testkit_rsa_new("k1");
	if (key == NULL)
		return 1;
	LV_RUN(test_discovery);
	LV_RUN(test_provider_down_at_start);
	LV_RUN(test_login_begin);
	LV_RUN(test_callback_success);
	LV_RUN(test_callback_state);
	LV_RUN(test_callback_provider_error);
	LV_RUN(test_callback_failures);
	LV_RUN(test_logout_url);
	LV_RUN(test_backchannel);
	sso_rp_free(rp);
	sso_testkit_free(kit);
	sso_testkit_key_free(key);
	lv_db_close(db);
	return lv_test_done();
}
