/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * testkit.c - a fake identity provider for tests (see testkit.h).
 *
 * Requests are routed by URL: the discovery URL of the kit's issuer, then
 * whatever jwks_uri, token_endpoint and userinfo_endpoint the (editable)
 * discovery document names. Anything else answers 404.
 */
#include <cjose/cjose.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "testkit.h"

static void doc_set_url(json_t *doc, const char *name, const char *issuer,
			const char *path)
{
	char url[512];

	lv_snprintf(url, sizeof(url), "%s%s", issuer, path);
	json_object_set_new(doc, name, json_string(url));
}

struct sso_testkit *sso_testkit_new(const char *issuer)
{
	struct sso_testkit *kit = lv_calloc(1, sizeof(*kit));
	char base[256];
	size_t n;

	lv_strlcpy(kit->issuer, issuer ? issuer : SSO_TESTKIT_ISSUER,
		   sizeof(kit->issuer));
	lv_strlcpy(base, kit->issuer, sizeof(base));
	n = strlen(base);
	if (n && base[n - 1] == '/')
		base[n - 1] = '\0';
	kit->discovery = json_object();
	json_object_set_new(kit->discovery, "issuer", json_string(kit->issuer));
	doc_set_url(kit->discovery, "authorization_endpoint", base, "/auth");
	doc_set_url(kit->discovery, "token_endpoint", base, "/token");
	doc_set_url(kit->discovery, "userinfo_endpoint", base, "/userinfo");
	doc_set_url(kit->discovery, "jwks_uri", base, "/jwks");
	doc_set_url(kit->discovery, "end_session_endpoint", base, "/logout");
	json_object_set_new(kit->discovery,
			    "id_token_signing_alg_values_supported",
			    json_pack("[sssssssssss]", "RS256", "RS384",
				      "RS512", "PS256", "PS384", "PS512",
				      "ES256", "ES384", "ES512", "HS256",
				      "none"));
	kit->jwks = json_pack("{s:[]}", "keys");
	kit->token_status = 200;
	kit->userinfo_status = 200;
	return kit;
}

void sso_testkit_free(struct sso_testkit *kit)
{
	if (kit == NULL)
		return;
	json_decref(kit->discovery);
	json_decref(kit->jwks);
	json_decref(kit->token);
	json_decref(kit->userinfo);
	lv_free(kit);
}

void sso_testkit_config(const struct sso_testkit *kit, struct sso_config *cfg)
{
	sso_config_init(cfg);
	cfg->issuer = kit->issuer;
	cfg->client_id = SSO_TESTKIT_CLIENT;
	cfg->client_secret = "s3cret with space&amp";
	cfg->redirect_uri = "https://store.test/auth/callback";
	cfg->post_logout_redirect_uri = "https://store.test/";
}

static int url_is(const json_t *doc, const char *name, const char *url)
{
	const char *s = json_string_value(json_object_get(doc, name));

	return s && strcmp(s, url) == 0;
}

/* Writes doc (or "{}") as the body. */
static int serve(struct sso_http_response *resp, long status,
		 const json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int rc;

	resp->status = status;
	rc = lv_buf_append_str(&resp->body, text ? text : "{}");
	free(text);
	return rc;
}

int sso_testkit_http(void *arg, const struct sso_http_request *req,
		     struct sso_http_response *resp, char *detail,
		     size_t detaillen)
{
	struct sso_testkit *kit = arg;
	char disc[512];
	size_t n;

	if (kit->down) {
		lv_snprintf(detail, detaillen, "cannot reach %s", req->url);
		return LV_EUNAVAIL;
	}
	lv_strlcpy(disc, kit->issuer, sizeof(disc));
	n = strlen(disc);
	if (n && disc[n - 1] == '/')
		disc[n - 1] = '\0';
	lv_strlcpy(disc + strlen(disc), "/.well-known/openid-configuration",
		   sizeof(disc) - strlen(disc));

	if (strcmp(req->url, disc) == 0) {
		kit->discovery_calls++;
		return serve(resp, 200, kit->discovery);
	}
	if (url_is(kit->discovery, "jwks_uri", req->url)) {
		kit->jwks_calls++;
		return serve(resp, 200, kit->jwks);
	}
	if (url_is(kit->discovery, "token_endpoint", req->url)) {
		kit->token_calls++;
		lv_strlcpy(kit->token_form, req->form ? req->form : "",
			   sizeof(kit->token_form));
		lv_strlcpy(kit->token_auth,
			   req->authorization ? req->authorization : "",
			   sizeof(kit->token_auth));
		if (kit->token == NULL) {
			json_t *e = json_pack("{s:s}", "error",
					      "invalid_grant");
			int rc = serve(resp, 400, e);

			json_decref(e);
			return rc;
		}
		return serve(resp, kit->token_status, kit->token);
	}
	if (url_is(kit->discovery, "userinfo_endpoint", req->url)) {
		kit->userinfo_calls++;
		lv_strlcpy(kit->userinfo_auth,
			   req->authorization ? req->authorization : "",
			   sizeof(kit->userinfo_auth));
		return serve(resp, kit->userinfo_status, kit->userinfo);
	}
	return serve(resp, 404, NULL);
}

void *sso_testkit_rsa_new(const char *kid)
{
	static const uint8_t e[] = { 1, 0, 1 };
	cjose_err err;
	cjose_jwk_t *jwk = cjose_jwk_create_RSA_random(2048, e, sizeof(e),
						       &err);

	if (jwk && kid)
		cjose_jwk_set_kid(jwk, kid, strlen(kid), &err);
	return jwk;
}

void *sso_testkit_ec_new(const char *kid, int bits)
{
	cjose_err err;
	cjose_jwk_ec_curve crv = bits == 384   ? CJOSE_JWK_EC_P_384
				 : bits == 521 ? CJOSE_JWK_EC_P_521
					       : CJOSE_JWK_EC_P_256;
	cjose_jwk_t *jwk = cjose_jwk_create_EC_random(crv, &err);

	if (jwk && kid)
		cjose_jwk_set_kid(jwk, kid, strlen(kid), &err);
	return jwk;
}

void sso_testkit_key_free(void *jwk)
{
	if (jwk)
		cjose_jwk_release(jwk);
}

void *sso_testkit_hmac_key(const void *bytes, size_t n)
{
	cjose_err err;

	return cjose_jwk_create_oct_spec(bytes, n, &err);
}

char *sso_testkit_public_json(const void *jwk)
{
	cjose_err err;

	return cjose_jwk_to_json(jwk, false, &err);
}

void sso_testkit_publish(struct sso_testkit *kit, const void *jwk,
			 const char *kid, const char *use, const char *alg)
{
	char *text = sso_testkit_public_json(jwk);
	json_t *k = text ? json_loads(text, 0, NULL) : NULL;

	free(text);
	if (k == NULL)
		return;
	json_object_del(k, "kid");
	if (kid)
		json_object_set_new(k, "kid", json_string(kid));
	if (use)
		json_object_set_new(k, "use", json_string(use));
	if (alg)
		json_object_set_new(k, "alg", json_string(alg));
	json_array_append_new(json_object_get(kit->jwks, "keys"), k);
}

/* "header.payload." for alg none. */
static char *sign_none(const char *kid, const char *payload)
{
	json_t *hdr = json_pack("{s:s}", "alg", "none");
	char *h, *out;
	size_t hn, pn;

	if (kid)
		json_object_set_new(hdr, "kid", json_string(kid));
	h = json_dumps(hdr, JSON_COMPACT);
	hn = strlen(h) * 4 / 3 + 4;
	pn = strlen(payload) * 4 / 3 + 4;
	out = lv_calloc(1, hn + pn + 3);
	sso_b64url_encode(out, hn, (const unsigned char *)h, strlen(h));
	lv_strlcpy(out + strlen(out), ".", 2);
	sso_b64url_encode(out + strlen(out), pn, (const unsigned char *)payload,
			  strlen(payload));
	lv_strlcpy(out + strlen(out), ".", 2);
	free(h);
	json_decref(hdr);
	return out;
}

char *sso_testkit_sign(const void *jwk, const char *alg, const char *kid,
		       const json_t *claims)
{
	char *payload = json_dumps(claims, JSON_COMPACT);
	cjose_header_t *hdr = NULL;
	cjose_jws_t *jws = NULL;
	const char *ser = NULL;
	char *out = NULL;
	cjose_err err;

	if (payload == NULL)
		return NULL;
	if (strcmp(alg, "none") == 0) {
		out = sign_none(kid, payload);
		goto out;
	}
	hdr = cjose_header_new(&err);
	cjose_header_set(hdr, CJOSE_HDR_ALG, alg, &err);
	if (kid)
		cjose_header_set(hdr, CJOSE_HDR_KID, kid, &err);
	jws = cjose_jws_sign(jwk, hdr, (const uint8_t *)payload,
			     strlen(payload), &err);
	if (jws && cjose_jws_export(jws, &ser, &err))
		out = lv_strdup(ser);
out:
	cjose_jws_release(jws);
	cjose_header_release(hdr);
	free(payload);
	return out;
}

json_t *sso_testkit_id_claims(const struct sso_testkit *kit,
			      const char *nonce)
{
	int64_t now = lv_now();

	return json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s}",
			 "iss", kit->issuer, "aud", SSO_TESTKIT_CLIENT, "exp",
			 (json_int_t)(now + 300), "iat", (json_int_t)now,
			 "sub", "248289761001", "nonce", nonce ? nonce : "n-0",
			 "sid", "sess-1", "name", "Jane Doe", "email",
			 "jane@example.test");
}

json_t *sso_testkit_logout_claims(const struct sso_testkit *kit,
				  const char *jti)
{
	int64_t now = lv_now();

	return json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:{s:{}}}",
			 "iss", kit->issuer, "aud", SSO_TESTKIT_CLIENT, "iat",
			 (json_int_t)now, "exp", (json_int_t)(now + 120),
			 "jti", jti, "sub", "248289761001", "sid", "sess-1",
			 "events",
			 "http://schemas.openid.net/event/backchannel-logout");
}
