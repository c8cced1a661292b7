/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * testkit.h - a fake identity provider for the unit tests and fuzz targets
 * of sso/ (and of the store, should it want one).
 *
 * It makes signing keys, signs tokens with any header, and answers the
 * relying party's HTTP requests (discovery, JWKS, token, userinfo) from
 * JSON documents the test can edit, counting each call, so the whole
 * sign-in can be exercised without a server. Nothing in the livery binary
 * references it, so the linker leaves it out.
 */
#ifndef LV_SSO_TESTKIT_H
#define LV_SSO_TESTKIT_H

#include <jansson.h>

#include "sso_int.h"

#define SSO_TESTKIT_ISSUER "https://idp.test/realms/livery"
#define SSO_TESTKIT_CLIENT "livery-store"

struct sso_testkit {
	char issuer[256];
	json_t *discovery; /* served at issuer/.well-known/...; editable */
	json_t *jwks;      /* served at issuer/jwks; editable */
	json_t *token;     /* the token endpoint's answer; NULL: 400 */
	long token_status;
	json_t *userinfo;  /* the userinfo answer */
	long userinfo_status;
	int down;          /* 1: every request fails as unreachable */

	int discovery_calls, jwks_calls, token_calls, userinfo_calls;
	char token_form[4096];  /* the last token request body */
	char token_auth[1024];  /* its Authorization header */
	char userinfo_auth[SSO_JWT_MAX + 16];
};

/* A provider at issuer (NULL: SSO_TESTKIT_ISSUER) with empty JWKS. */
struct sso_testkit *sso_testkit_new(const char *issuer);
void sso_testkit_free(struct sso_testkit *kit);

/* A config for SSO_TESTKIT_CLIENT at kit's issuer (strings static/kit's). */
void sso_testkit_config(const struct sso_testkit *kit, struct sso_config *cfg);

/* The sso_http_fn to install with sso_rp_set_http(rp, fn, kit). */
int sso_testkit_http(void *arg, const struct sso_http_request *req,
		     struct sso_http_response *resp, char *detail,
		     size_t detaillen);

/* New keys (cjose_jwk_t *; release with sso_testkit_key_free). */
void *sso_testkit_rsa_new(const char *kid);
void *sso_testkit_ec_new(const char *kid, int bits); /* 256, 384, 521 */
void sso_testkit_key_free(void *jwk);

/*
 * Publishes jwk's public part in the JWKS, with "use"/"alg" when not
 * NULL, and with kid (NULL: none, even if the key has one).
 */
void sso_testkit_publish(struct sso_testkit *kit, const void *jwk,
			 const char *kid, const char *use, const char *alg);
/* The public JWK JSON text of jwk (free with free()). */
char *sso_testkit_public_json(const void *jwk);

/*
 * Signs claims with jwk under alg, with kid in the header when not NULL.
 * alg "none" makes an unsigned token; an HS* alg uses jwk as the raw
 * HMAC secret: pass it sso_testkit_hmac_key(). Returns the compact
 * token (lv_free) or NULL when cjose refuses.
 */
char *sso_testkit_sign(const void *jwk, const char *alg, const char *kid,
		       const json_t *claims);
/* An oct key made of the given bytes (for the HMAC confusion test). */
void *sso_testkit_hmac_key(const void *bytes, size_t n);

/* Valid id_token claims for now (iss, aud, exp, iat, sub, nonce). */
json_t *sso_testkit_id_claims(const struct sso_testkit *kit,
			      const char *nonce);
/* Valid logout_token claims for now (iss, aud, iat, jti, events, sub). */
json_t *sso_testkit_logout_claims(const struct sso_testkit *kit,
				  const char *jti);

#endif
