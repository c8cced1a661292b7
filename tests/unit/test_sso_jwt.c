/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_sso_jwt.c - every acceptance and refusal of the id_token and
 * logout_token validator (sso/jwt.c, sso/jwks.c).
 *
 * The test makes its own RSA and EC keys, publishes them through the fake
 * provider of sso/testkit.c (which also counts JWKS fetches), signs tokens
 * with whatever header and claims a case needs, and checks the reason the
 * validator gives. The clock is frozen with lv_clock_set().
 */
#include <cjose/cjose.h>
#include <pthread.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "lv_time.h"
#include "sso_int.h"
#include "testkit.h"

#define T0 1700000000
#define NONCE "nonce-abc-123"

static struct sso_testkit *kit;
static struct sso_rp *rp;
static void *rsa, *rsa_b, *ec, *ec384, *rsa_stranger;

/* A fresh rp talking to kit (so discovery and keys are fetched anew). */
static void rp_reset(void)
{
	struct sso_config cfg;
	char msg[256];

	sso_rp_free(rp);
	rp = NULL;
	sso_testkit_config(kit, &cfg);
	if (sso_rp_new(&cfg, &rp, msg, sizeof(msg)) != LV_OK) {
		fprintf(stderr, "sso_rp_new: %s\n", msg);
		exit(1);
	}
	sso_rp_set_http(rp, sso_testkit_http, kit);
}

/* kit with the standard keys: rsa-1 (RSA), ec-1 (P-256), ec-384. */
static void kit_reset(void)
{
	sso_testkit_free(kit);
	kit = sso_testkit_new(NULL);
	sso_testkit_publish(kit, rsa, "rsa-1", "sig", NULL);
	sso_testkit_publish(kit, ec, "ec-1", "sig", NULL);
	sso_testkit_publish(kit, ec384, "ec-384", NULL, NULL);
	rp_reset();
}

/* Validates an id_token; returns the reason (SSO_R_NONE when valid). */
static enum sso_reason id_check(const char *token)
{
	struct sso_provider *prov = NULL;
	struct sso_error err;
	json_t *claims = NULL;
	int rc;

	sso_error_clear(&err);
	if (sso_provider_get(rp, &prov, &err) != LV_OK)
		return err.reason;
	rc = sso_id_token_validate(rp, prov, token, NONCE, &claims, &err);
	if (rc == LV_OK) {
		CHECK(err.reason == SSO_R_NONE);
		CHECK_STR(json_string_value(json_object_get(claims, "sub")),
			  "248289761001");
	} else {
		CHECK(claims == NULL);
		CHECK(err.reason != SSO_R_NONE);
		CHECK(err.detail[0] != '\0');
		/* The detail never carries the token. */
		CHECK(token == NULL || strlen(token) < 20 ||
		      strstr(err.detail, token) == NULL);
	}
	json_decref(claims);
	sso_provider_release(prov);
	return rc == LV_OK ? SSO_R_NONE : err.reason;
}

/* Signs c, taking it over. Returns the token (lv_free). */
static char *sign_own(void *key, const char *alg, const char *kid, json_t *c)
{
	char *tok = sso_testkit_sign(key, alg, kid, c);

	json_decref(c);
	return tok;
}

/* Signs claims (taking them over) and validates. */
static enum sso_reason id_sign_check(void *key, const char *alg,
				     const char *kid, json_t *claims)
{
	char *tok = sso_testkit_sign(key, alg, kid, claims);
	enum sso_reason r;

	CHECK(tok != NULL);
	r = tok ? id_check(tok) : SSO_R_COUNT;
	lv_free(tok);
	json_decref(claims);
	return r;
}

static json_t *claims(void)
{
	return sso_testkit_id_claims(kit, NONCE);
}

static json_t *claims_set(const char *name, json_t *v)
{
	json_t *c = claims();

	if (v)
		json_object_set_new(c, name, v);
	else
		json_object_del(c, name);
	return c;
}

static void test_valid_rs256_es256(void)
{
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims()), SSO_R_NONE);
	CHECK_INT(id_sign_check(ec, "ES256", "ec-1", claims()), SSO_R_NONE);
	CHECK_INT(id_sign_check(rsa, "PS256", "rsa-1", claims()), SSO_R_NONE);
	CHECK_INT(id_sign_check(rsa, "RS512", "rsa-1", claims()), SSO_R_NONE);
	CHECK_INT(id_sign_check(ec384, "ES384", "ec-384", claims()),
		  SSO_R_NONE);
}

static void test_nonce(void)
{
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("nonce", json_string("other"))),
		  SSO_R_NONCE_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("nonce", json_string(NONCE "x"))),
		  SSO_R_NONCE_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("nonce", NULL)),
		  SSO_R_NONCE_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("nonce", json_integer(1))),
		  SSO_R_NONCE_INVALID);
}

static void test_aud_azp(void)
{
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("aud", json_string("other-app"))),
		  SSO_R_AUD_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims_set("aud", NULL)),
		  SSO_R_AUD_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("aud", json_pack("[]"))),
		  SSO_R_AUD_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("aud", json_pack("[s]", "x"))),
		  SSO_R_AUD_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("aud", json_pack("[s,i]",
							    SSO_TESTKIT_CLIENT,
							    1))),
		  SSO_R_AUD_INVALID);
	/* One audience in an array is fine without azp. */
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("aud", json_pack("[s]",
							    SSO_TESTKIT_CLIENT))),
		  SSO_R_NONE);
	/* Several audiences need azp == client_id. */
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("aud", json_pack("[s,s]",
							    SSO_TESTKIT_CLIENT,
							    "api"))),
		  SSO_R_AZP_INVALID);
	{
		json_t *c = claims_set("aud", json_pack("[s,s]", "api",
							SSO_TESTKIT_CLIENT));

		json_object_set_new(c, "azp", json_string("api"));
		CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", c),
			  SSO_R_AZP_INVALID);
		c = claims_set("aud", json_pack("[s,s]", "api",
						SSO_TESTKIT_CLIENT));
		json_object_set_new(c, "azp", json_string(SSO_TESTKIT_CLIENT));
		CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", c), SSO_R_NONE);
	}
	/* azp present must be the client even with one audience. */
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("azp", json_string("someone"))),
		  SSO_R_AZP_INVALID);
}

static void test_iss(void)
{
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("iss", json_string("https://evil"))),
		  SSO_R_ISS_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("iss", json_string(
							  SSO_TESTKIT_ISSUER "/"))),
		  SSO_R_ISS_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims_set("iss", NULL)),
		  SSO_R_ISS_INVALID);
}

static void test_iat(void)
{
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims_set("iat", NULL)),
		  SSO_R_IAT_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("iat", json_string("1700000000"))),
		  SSO_R_IAT_INVALID);
	/* slack is 120 s: 120 s ahead is fine, 121 s is not */
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("iat", json_integer(T0 + 120))),
		  SSO_R_NONE);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("iat", json_integer(T0 + 121))),
		  SSO_R_IAT_INVALID);
	/* up to max(slack, 600) s old */
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("iat", json_integer(T0 - 600))),
		  SSO_R_NONE);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("iat", json_integer(T0 - 601))),
		  SSO_R_IAT_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("iat", json_real(T0 + 0.5))),
		  SSO_R_NONE);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("nbf", json_integer(T0 + 500))),
		  SSO_R_IAT_INVALID);
}

static void test_exp(void)
{
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims_set("exp", NULL)),
		  SSO_R_EXP_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("exp", json_integer(T0 - 121))),
		  SSO_R_EXP_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("exp", json_integer(T0 - 119))),
		  SSO_R_NONE);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("exp", json_true())),
		  SSO_R_EXP_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("exp",
					   json_integer(9223372036854775807LL))),
		  SSO_R_EXP_INVALID);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("exp", json_integer(-5))),
		  SSO_R_EXP_INVALID);
}

static void test_sub(void)
{
	char longsub[300];

	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims_set("sub", NULL)),
		  SSO_R_SUB_MISSING);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("sub", json_string(""))),
		  SSO_R_SUB_MISSING);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("sub", json_integer(42))),
		  SSO_R_SUB_MISSING);
	memset(longsub, 'a', sizeof(longsub) - 1);
	longsub[sizeof(longsub) - 1] = '\0';
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1",
				claims_set("sub", json_string(longsub))),
		  SSO_R_SUB_MISSING);
}

static void test_bad_signature(void)
{
	json_t *c = claims();
	char *tok = sso_testkit_sign(rsa, "RS256", "rsa-1", c);
	char *other = sign_own(rsa, "RS256", "rsa-1",
			       claims_set("sub", json_string("admin")));
	char *mixed;
	size_t n = strlen(tok);

	CHECK_INT(id_check(tok), SSO_R_NONE);
	/* flip a bit of the signature */
	tok[n - 5] = tok[n - 5] == 'A' ? 'B' : 'A';
	CHECK_INT(id_check(tok), SSO_R_SIGNATURE_INVALID);
	/* header + signature of one token, payload of another */
	tok[n - 5] = tok[n - 5] == 'A' ? 'B' : 'A';
	mixed = lv_strdup(tok);
	memcpy(strchr(mixed, '.'), strchr(other, '.'),
	       strrchr(other, '.') - strchr(other, '.'));
	if (strrchr(other, '.') - other == strrchr(tok, '.') - tok)
		CHECK_INT(id_check(mixed), SSO_R_SIGNATURE_INVALID);
	lv_free(mixed);
	/* signed by a key the provider does not have, under its kid */
	CHECK_INT(id_sign_check(rsa_stranger, "RS256", "rsa-1", claims()),
		  SSO_R_SIGNATURE_INVALID);
	CHECK_INT(id_sign_check(ec, "ES256", "ec-1", claims()), SSO_R_NONE);
	/* no signature at all */
	tok[strrchr(tok, '.') - tok + 1] = '\0';
	CHECK_INT(id_check(tok), SSO_R_SIGNATURE_INVALID);
	lv_free(tok);
	lv_free(other);
	json_decref(c);
}

static void test_alg_none_and_hmac(void)
{
	char *pub = sso_testkit_public_json(rsa);
	void *hmac = sso_testkit_hmac_key(pub, strlen(pub));

	/* "none" and HS256 are even advertised by this provider. */
	CHECK_INT(id_sign_check(NULL, "none", "rsa-1", claims()),
		  SSO_R_ALG_NOT_ALLOWED);
	CHECK_INT(id_sign_check(NULL, "none", NULL, claims()),
		  SSO_R_ALG_NOT_ALLOWED);
	CHECK(hmac != NULL);
	CHECK_INT(id_sign_check(hmac, "HS256", "rsa-1", claims()),
		  SSO_R_ALG_NOT_ALLOWED);
	CHECK_INT(id_sign_check(hmac, "HS512", NULL, claims()),
		  SSO_R_ALG_NOT_ALLOWED);
	sso_testkit_key_free(hmac);
	free(pub);
}

static void test_alg_key_type(void)
{
	/* an RSA key's kid with an EC alg, and the reverse */
	CHECK_INT(id_sign_check(ec, "ES256", "rsa-1", claims()),
		  SSO_R_ALG_NOT_ALLOWED);
	CHECK_INT(id_sign_check(rsa, "RS256", "ec-1", claims()),
		  SSO_R_ALG_NOT_ALLOWED);
	/* ES384 claimed for a P-256 key */
	CHECK_INT(id_sign_check(ec, "ES384", "ec-1", claims()),
		  SSO_R_ALG_NOT_ALLOWED);
}

static void test_alg_not_advertised(void)
{
	json_object_set_new(kit->discovery,
			    "id_token_signing_alg_values_supported",
			    json_pack("[s]", "RS256"));
	rp_reset();
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims()), SSO_R_NONE);
	CHECK_INT(id_sign_check(ec, "ES256", "ec-1", claims()),
		  SSO_R_ALG_NOT_ALLOWED);
	kit_reset();
}

static void test_kid_absent(void)
{
	/* one RSA key (the EC keys do not fit RS256): accepted */
	CHECK_INT(id_sign_check(rsa, "RS256", NULL, claims()), SSO_R_NONE);
	/* two RSA keys: which one? refused */
	sso_testkit_publish(kit, rsa_b, "rsa-2", "sig", NULL);
	rp_reset();
	CHECK_INT(id_sign_check(rsa, "RS256", NULL, claims()),
		  SSO_R_KEY_NOT_FOUND);
	CHECK_INT(id_sign_check(rsa_b, "RS256", "rsa-2", claims()),
		  SSO_R_NONE);
	kit_reset();
	/* a key limited to another alg does not count */
	sso_testkit_free(kit);
	kit = sso_testkit_new(NULL);
	sso_testkit_publish(kit, rsa, "rsa-1", "sig", "RS256");
	sso_testkit_publish(kit, rsa_b, "rsa-2", "sig", "PS256");
	rp_reset();
	CHECK_INT(id_sign_check(rsa, "RS256", NULL, claims()), SSO_R_NONE);
	CHECK_INT(id_sign_check(rsa_b, "PS256", NULL, claims()), SSO_R_NONE);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-2", claims()),
		  SSO_R_ALG_NOT_ALLOWED);
	kit_reset();
}

static void test_unusable_keys_skipped(void)
{
	void *small;

	sso_testkit_free(kit);
	kit = sso_testkit_new(NULL);
	sso_testkit_publish(kit, rsa, "enc-1", "enc", NULL);
	rp_reset();
	CHECK_INT(id_sign_check(rsa, "RS256", "enc-1", claims()),
		  SSO_R_KEY_NOT_FOUND);
	CHECK_INT(id_sign_check(rsa, "RS256", NULL, claims()),
		  SSO_R_KEY_NOT_FOUND);

	/* an RSA key under 2048 bits is not trusted */
	small = NULL;
	{
		cjose_err cerr;
		static const uint8_t ex[] = { 1, 0, 1 };

		small = cjose_jwk_create_RSA_random(1024, ex, sizeof(ex),
						    &cerr);
	}
	CHECK(small != NULL);
	sso_testkit_free(kit);
	kit = sso_testkit_new(NULL);
	sso_testkit_publish(kit, small, "small", NULL, NULL);
	rp_reset();
	CHECK_INT(id_sign_check(small, "RS256", "small", claims()),
		  SSO_R_KEY_NOT_FOUND);
	sso_testkit_key_free(small);

	/* a symmetric key in the JWKS is never used */
	{
		void *oct = sso_testkit_hmac_key("0123456789abcdef0123456789abcdef",
						 32);
		json_t *k;

		sso_testkit_free(kit);
		kit = sso_testkit_new(NULL);
		k = json_pack("{s:s, s:s, s:s}", "kty", "oct", "kid", "oct-1",
			      "k", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY");
		json_array_append_new(json_object_get(kit->jwks, "keys"), k);
		rp_reset();
		CHECK_INT(id_sign_check(oct, "HS256", "oct-1", claims()),
			  SSO_R_ALG_NOT_ALLOWED);
		sso_testkit_key_free(oct);
	}
	kit_reset();
}

static void test_unknown_kid_refetch(void)
{
	void *rotated = sso_testkit_rsa_new("rsa-new");
	int calls;

	/* prime: one fetch of discovery and of the JWKS */
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims()), SSO_R_NONE);
	CHECK_INT(kit->jwks_calls, 1);
	CHECK_INT(kit->discovery_calls, 1);

	/* A known kid costs no fetch. */
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims()), SSO_R_NONE);
	CHECK_INT(kit->jwks_calls, 1);

	/* 11 s later an unknown kid triggers exactly one re-fetch... */
	lv_clock_set(T0 + 11);
	CHECK_INT(id_sign_check(rotated, "RS256", "rsa-new", claims()),
		  SSO_R_KEY_NOT_FOUND);
	CHECK_INT(kit->jwks_calls, 2);
	/* ...and a second one within 10 s none. */
	CHECK_INT(id_sign_check(rotated, "RS256", "rsa-new", claims()),
		  SSO_R_KEY_NOT_FOUND);
	CHECK_INT(id_sign_check(rotated, "RS256", "forged-kid", claims()),
		  SSO_R_KEY_NOT_FOUND);
	CHECK_INT(kit->jwks_calls, 2);

	/* The provider rotates; after the rate limit the new key works. */
	sso_testkit_publish(kit, rotated, "rsa-new", "sig", NULL);
	lv_clock_set(T0 + 22);
	calls = kit->jwks_calls;
	CHECK_INT(id_sign_check(rotated, "RS256", "rsa-new", claims()),
		  SSO_R_NONE);
	CHECK_INT(kit->jwks_calls, calls + 1);
	CHECK_INT(id_sign_check(rotated, "RS256", "rsa-new", claims()),
		  SSO_R_NONE);
	CHECK_INT(kit->jwks_calls, calls + 1);

	/* Keys older than an hour are read again before use. */
	lv_clock_set(T0 + 22 + 3600);
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims()), SSO_R_NONE);
	CHECK_INT(kit->jwks_calls, calls + 2);
	/* and when that fails the old keys stay in use */
	lv_clock_set(T0 + 22 + 7300);
	kit->down = 1;
	CHECK_INT(id_sign_check(rsa, "RS256", "rsa-1", claims()), SSO_R_NONE);
	kit->down = 0;

	lv_clock_set(T0);
	sso_testkit_key_free(rotated);
	kit_reset();
}

static void test_malformed(void)
{
	char *tok = sign_own(rsa, "RS256", "rsa-1", claims());
	char buf[8192];

	CHECK_INT(id_check(""), SSO_R_ID_TOKEN_MALFORMED);
	CHECK_INT(id_check("abc"), SSO_R_ID_TOKEN_MALFORMED);
	CHECK_INT(id_check("a.b"), SSO_R_ID_TOKEN_MALFORMED);
	CHECK_INT(id_check("a..c"), SSO_R_ID_TOKEN_MALFORMED);
	CHECK_INT(id_check("..."), SSO_R_ID_TOKEN_MALFORMED);
	/* a JWE: five parts */
	CHECK_INT(id_check("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b."
			   "c.d"),
		  SSO_R_ID_TOKEN_MALFORMED);
	/* header not JSON / not an object / no alg */
	CHECK_INT(id_check("bm90anNvbg.e30.c2ln"), SSO_R_ID_TOKEN_MALFORMED);
	CHECK_INT(id_check("WzFd.e30.c2ln"), SSO_R_ID_TOKEN_MALFORMED);
	CHECK_INT(id_check("e30.e30.c2ln"), SSO_R_ID_TOKEN_MALFORMED);
	/* base64 with padding or the standard alphabet */
	lv_snprintf(buf, sizeof(buf), "%s=", tok);
	CHECK_INT(id_check(buf), SSO_R_ID_TOKEN_MALFORMED);
	lv_snprintf(buf, sizeof(buf), "%s", tok);
	buf[3] = '+';
	CHECK_INT(id_check(buf), SSO_R_ID_TOKEN_MALFORMED);
	/* duplicate names in the header */
	CHECK_INT(id_check("eyJhbGciOiJSUzI1NiIsImFsZyI6Im5vbmUifQ.e30.c2ln"),
		  SSO_R_ID_TOKEN_MALFORMED);
	CHECK_INT(id_check(tok), SSO_R_NONE);
	lv_free(tok);

	/* crit extensions are refused */
	{
		cjose_err cerr;
		cjose_header_t *h = cjose_header_new(&cerr);
		json_t *c = claims();
		char *payload = json_dumps(c, JSON_COMPACT);
		const char *ser = NULL;
		cjose_jws_t *jws;

		cjose_header_set(h, CJOSE_HDR_ALG, "RS256", &cerr);
		cjose_header_set(h, CJOSE_HDR_KID, "rsa-1", &cerr);
		cjose_header_set_raw(h, "crit", "[\"exp\"]", &cerr);
		jws = cjose_jws_sign(rsa, h, (const uint8_t *)payload,
				     strlen(payload), &cerr);
		CHECK(jws && cjose_jws_export(jws, &ser, &cerr));
		if (ser)
			CHECK_INT(id_check(ser), SSO_R_ID_TOKEN_MALFORMED);
		cjose_jws_release(jws);
		cjose_header_release(h);
		free(payload);
		json_decref(c);
	}
}

static void test_ec_signature_length(void)
{
	char *tok = sign_own(ec, "ES256", "ec-1", claims());
	char *cut = lv_strdup(tok);

	unsigned char *sig = NULL, padded[66];
	size_t n = 0;
	char *dot = strrchr(tok, '.');
	char b64[128], *forged;

	/* drop the last 4 base64 characters: 3 bytes shorter */
	cut[strlen(cut) - 4] = '\0';
	CHECK_INT(id_check(cut), SSO_R_SIGNATURE_INVALID);
	lv_free(cut);

	/*
	 * r and s each with a leading zero byte: the same numbers, so a
	 * verifier that splits the signature in halves would accept it.
	 * RFC 7518 fixes the length at 64 bytes; we refuse anything else.
	 */
	CHECK_INT(sso_b64url_decode(dot + 1, strlen(dot + 1), &sig, &n), LV_OK);
	CHECK_INT(n, 64);
	if (sig && n == 64) {
		padded[0] = 0;
		memcpy(padded + 1, sig, 32);
		padded[33] = 0;
		memcpy(padded + 34, sig + 32, 32);
		sso_b64url_encode(b64, sizeof(b64), padded, sizeof(padded));
		forged = lv_calloc(1, strlen(tok) + 8);
		memcpy(forged, tok, (size_t)(dot - tok) + 1);
		lv_strlcpy(forged + (dot - tok) + 1, b64, sizeof(b64));
		CHECK_INT(id_check(forged), SSO_R_SIGNATURE_INVALID);
		lv_free(forged);
	}
	lv_free(sig);
	lv_free(tok);
}

/* Validates a logout_token; returns the reason. */
static enum sso_reason logout_check(void *key, const char *kid, json_t *c)
{
	struct sso_provider *prov = NULL;
	struct sso_error err;
	json_t *out = NULL;
	char *tok = sso_testkit_sign(key, "RS256", kid, c);
	int rc;

	sso_error_clear(&err);
	CHECK_INT(sso_provider_get(rp, &prov, &err), LV_OK);
	rc = sso_logout_token_validate(rp, prov, tok, &out, &err);
	CHECK(rc == LV_OK ? out != NULL : out == NULL);
	json_decref(out);
	json_decref(c);
	lv_free(tok);
	sso_provider_release(prov);
	return rc == LV_OK ? SSO_R_NONE : err.reason;
}

static json_t *lclaims(void)
{
	return sso_testkit_logout_claims(kit, "jti-1");
}

static json_t *lclaims_set(const char *name, json_t *v)
{
	json_t *c = lclaims();

	if (v)
		json_object_set_new(c, name, v);
	else
		json_object_del(c, name);
	return c;
}

static void test_logout_token(void)
{
	CHECK_INT(logout_check(rsa, "rsa-1", lclaims()), SSO_R_NONE);
	CHECK_INT(logout_check(rsa, "rsa-1", lclaims_set("events", NULL)),
		  SSO_R_LOGOUT_TOKEN_INVALID);
	CHECK_INT(logout_check(rsa, "rsa-1",
			       lclaims_set("events", json_pack("{s:{}}", "x"))),
		  SSO_R_LOGOUT_TOKEN_INVALID);
	CHECK_INT(logout_check(rsa, "rsa-1",
			       lclaims_set("events",
					   json_pack("{s:s}",
						     "http://schemas.openid.net/"
						     "event/backchannel-logout",
						     "yes"))),
		  SSO_R_LOGOUT_TOKEN_INVALID);
	CHECK_INT(logout_check(rsa, "rsa-1",
			       lclaims_set("nonce", json_string("n"))),
		  SSO_R_LOGOUT_TOKEN_INVALID);
	CHECK_INT(logout_check(rsa, "rsa-1", lclaims_set("jti", NULL)),
		  SSO_R_LOGOUT_TOKEN_INVALID);
	{
		json_t *c = lclaims_set("sub", NULL);

		CHECK_INT(logout_check(rsa, "rsa-1", json_incref(c)),
			  SSO_R_NONE); /* sid alone is enough */
		json_object_del(c, "sid");
		CHECK_INT(logout_check(rsa, "rsa-1", c),
			  SSO_R_LOGOUT_TOKEN_INVALID);
	}
	CHECK_INT(logout_check(rsa, "rsa-1", lclaims_set("exp", NULL)),
		  SSO_R_NONE);
	CHECK_INT(logout_check(rsa, "rsa-1",
			       lclaims_set("exp", json_integer(T0 - 200))),
		  SSO_R_EXP_INVALID);
	CHECK_INT(logout_check(rsa, "rsa-1", lclaims_set("iat", NULL)),
		  SSO_R_IAT_INVALID);
	CHECK_INT(logout_check(rsa, "rsa-1",
			       lclaims_set("aud", json_string("x"))),
		  SSO_R_AUD_INVALID);
	CHECK_INT(logout_check(rsa, "rsa-1",
			       lclaims_set("iss", json_string("https://x"))),
		  SSO_R_ISS_INVALID);
	CHECK_INT(logout_check(rsa_stranger, "rsa-1", lclaims()),
		  SSO_R_SIGNATURE_INVALID);
	/* A logout token is not an id_token and vice versa. */
	{
		char *tok = sign_own(rsa, "RS256", "rsa-1", lclaims());

		CHECK_INT(id_check(tok), SSO_R_NONCE_INVALID);
		lv_free(tok);
	}
}

struct worker {
	char *good, *unknown;
	int ok, refused;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct sso_provider *prov = NULL;
	struct sso_error err;
	json_t *c = NULL;
	int i;

	for (i = 0; i < 40; i++) {
		if (sso_provider_get(rp, &prov, &err) != LV_OK)
			continue;
		if (sso_id_token_validate(rp, prov, w->good, NONCE, &c,
					  &err) == LV_OK)
			w->ok++;
		json_decref(c);
		c = NULL;
		if (sso_id_token_validate(rp, prov, w->unknown, NONCE, &c,
					  &err) != LV_OK &&
		    err.reason == SSO_R_KEY_NOT_FOUND)
			w->refused++;
		json_decref(c);
		c = NULL;
		sso_provider_release(prov);
		prov = NULL;
	}
	return NULL;
}

/* Many threads share one rp: discovery, key cache and re-fetches. */
static void test_threads(void)
{
	struct worker w[4];
	pthread_t t[4];
	void *stranger = sso_testkit_rsa_new("nobody");
	int i;

	kit_reset();
	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].good = sign_own(i % 2 ? ec : rsa, i % 2 ? "ES256" : "RS256",
				     i % 2 ? "ec-1" : "rsa-1", claims());
		w[i].unknown = sign_own(stranger, "RS256", "nobody", claims());
		pthread_create(&t[i], NULL, worker_run, &w[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(w[i].ok, 40);
		CHECK_INT(w[i].refused, 40);
		lv_free(w[i].good);
		lv_free(w[i].unknown);
	}
	/* the clock stood still: one JWKS fetch, at most one re-fetch */
	CHECK_INT(kit->discovery_calls, 1);
	CHECK(kit->jwks_calls >= 1 && kit->jwks_calls <= 2);
	sso_testkit_key_free(stranger);
	kit_reset();
}

int main(void)
{
	lv_clock_set(T0);
	rsa = sso_testkit_rsa_new("rsa-1");
	rsa_b = sso_testkit_rsa_new("rsa-2");
	rsa_stranger = sso_testkit_rsa_new("rsa-1");
	ec = sso_testkit_ec_new("ec-1", 256);
	ec384 = sso_testkit_ec_new("ec-384", 384);
	if (!rsa || !rsa_b || !rsa_stranger || !ec || !ec384) {
		fprintf(stderr, "cannot make keys\n");
		return 1;
	}
	kit_reset();

	LV_RUN(test_valid_rs256_es256);
	LV_RUN(test_nonce);
	LV_RUN(test_aud_azp);
	LV_RUN(test_iss);
	LV_RUN(test_iat);
	LV_RUN(test_exp);
	LV_RUN(test_sub);
	LV_RUN(test_bad_signature);
	LV_RUN(test_alg_none_and_hmac);
	LV_RUN(test_alg_key_type);
	LV_RUN(test_alg_not_advertised);
	LV_RUN(test_kid_absent);
	LV_RUN(test_unusable_keys_skipped);
	LV_RUN(test_unknown_kid_refetch);
	LV_RUN(test_malformed);
	LV_RUN(test_ec_signature_length);
	LV_RUN(test_logout_token);
	LV_RUN(test_threads);

	sso_rp_free(rp);
	sso_testkit_free(kit);
	sso_testkit_key_free(rsa);
	sso_testkit_key_free(rsa_b);
	sso_testkit_key_free(rsa_stranger);
	sso_testkit_key_free(ec);
	sso_testkit_key_free(ec384);
	return lv_test_done();
}
