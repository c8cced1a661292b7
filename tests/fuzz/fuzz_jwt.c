/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * fuzz_jwt.c - libFuzzer target for the token validator (sso/jwt.c,
 * sso/jwks.c): whatever the identity provider, or someone posting to the
 * back-channel logout route, sends must never crash it.
 *
 * A fixed configuration and a fixed JWKS (the test-only P-256 key below,
 * plus a key without kid and an RSA key made at start) are served by the
 * fake provider of sso/testkit.c; the clock is frozen. The first byte of
 * the input picks what the rest is:
 *   0  a compact JWT, validated as an id_token
 *   1  a compact JWT, validated as a back-channel logout_token
 *   2  a JSON claims object, signed with the fixed key (so the claim checks
 *      are reached) and validated as both
 * The seed corpus in corpus/jwt/ holds validly signed tokens for the
 * frozen time, so mutations start from tokens that pass.
 */
#include <cjose/cjose.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lv_err.h"
#include "lv_log.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "sso_int.h"
#include "testkit.h"

#define FZ_TIME 1700000000
#define FZ_NONCE "fz-nonce"

/* A P-256 key made for this fuzz target only; it protects nothing. */
static const char fz_ec_jwk[] =
	"{\"kty\":\"EC\",\"kid\":\"fz-ec\",\"crv\":\"P-256\","
	"\"x\":\"MzDz_NxHF2PWb0mcGlSxxujBMLJHyZTf-XvjxraS2aM\","
	"\"y\":\"0K6e-RYY9mP3T41yLjlAELJOPUVqd6aT_Pf0Pzwq0hs\","
	"\"d\":\"7YaDj2Ji1AJt2YcSXNlM0HxUNIi81xGPkhqjCgdlD7c\"}";

static struct sso_testkit *kit;
static struct sso_rp *rp;
static struct sso_provider *prov;
static cjose_jwk_t *ec;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sso_config cfg;
	struct sso_error err;
	cjose_err cerr;
	void *rsa, *ec2;
	char msg[256];

	lv_clock_set(FZ_TIME);
	lv_log_set_level(LV_LOG_ERROR);
	ec = cjose_jwk_import(fz_ec_jwk, strlen(fz_ec_jwk), &cerr);
	rsa = sso_testkit_rsa_new("fz-rsa");
	ec2 = sso_testkit_ec_new(NULL, 384);
	kit = sso_testkit_new(NULL);
	sso_testkit_publish(kit, ec, "fz-ec", "sig", NULL);
	sso_testkit_publish(kit, rsa, "fz-rsa", NULL, "RS256");
	sso_testkit_publish(kit, ec2, NULL, "sig", NULL);
	sso_testkit_key_free(rsa);
	sso_testkit_key_free(ec2);
	sso_testkit_config(kit, &cfg);
	if (ec == NULL || sso_rp_new(&cfg, &rp, msg, sizeof(msg)) != LV_OK)
		abort();
	sso_rp_set_http(rp, sso_testkit_http, kit);
	if (sso_provider_get(rp, &prov, &err) != LV_OK)
		abort();
	return 0;
}

static void validate(const char *token)
{
	struct sso_error err;
	json_t *claims = NULL;

	if (sso_id_token_validate(rp, prov, token, FZ_NONCE, &claims, &err) ==
	    LV_OK && claims == NULL)
		abort();
	json_decref(claims);
	claims = NULL;
	if (sso_logout_token_validate(rp, prov, token, &claims, &err) ==
	    LV_OK && claims == NULL)
		abort();
	json_decref(claims);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sso_error err;
	json_t *claims = NULL;
	char *text, *token;

	if (size < 1 || size > SSO_JWT_MAX + 1)
		return 0;
	text = lv_strndup((const char *)data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		if (sso_id_token_validate(rp, prov, text, FZ_NONCE, &claims,
					  &err) != LV_OK &&
		    err.reason == SSO_R_NONE)
			abort();
		break;
	case 1:
		if (sso_logout_token_validate(rp, prov, text, &claims, &err) !=
			    LV_OK &&
		    err.reason == SSO_R_NONE)
			abort();
		break;
	default:
		claims = json_loadb(text, strlen(text), 0, NULL);
		if (json_is_object(claims)) {
			sso_id_token_claims_check(rp, prov, claims, FZ_NONCE,
						  &err);
			sso_logout_claims_check(rp, prov, claims, &err);
			token = sso_testkit_sign(ec, "ES256", "fz-ec", claims);
			if (token)
				validate(token);
			lv_free(token);
		}
		break;
	}
	json_decref(claims);
	lv_free(text);
	return 0;
}
