/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * test_sso_pkce.c - the small pieces of sso/: the PKCE S256 challenge
 * (RFC 7636 appendix B), random tokens, base64url and percent-encoding,
 * text cleaning, the reason names, and the checks sso_rp_new() makes on
 * its configuration.
 */
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_test.h"
#include "sso_int.h"
#include "testkit.h"

/*
 * RFC 7636 appendix B. (The value once quoted in our brief,
 * "...URWbW-y6Ux5Hm8", is not the RFC's; the RFC's below is what
 * SHA-256 gives, as `openssl dgst -sha256 -binary | basenc --base64url`
 * confirms.)
 */
static void test_pkce_rfc7636_vector(void)
{
	char challenge[SSO_TOKEN_LEN + 1];

	sso_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
			   challenge, sizeof(challenge));
	CHECK_STR(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	sso_pkce_challenge("a", challenge, sizeof(challenge));
	CHECK_STR(challenge, "ypeBEsobvcr6wjGzmiPcTaeG7_gUfE5yuYB3ha_uSLs");
}

static void test_random_tokens(void)
{
	char a[SSO_TOKEN_LEN + 1], b[SSO_TOKEN_LEN + 1];
	unsigned char *raw = NULL;
	size_t n = 0, i;

	sso_random_token(a, sizeof(a));
	sso_random_token(b, sizeof(b));
	CHECK_INT(strlen(a), SSO_TOKEN_LEN);
	CHECK(strcmp(a, b) != 0);
	for (i = 0; a[i]; i++)
		CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
			     "xyz0123456789-_",
			     a[i]) != NULL);
	CHECK_INT(sso_b64url_decode(a, strlen(a), &raw, &n), LV_OK);
	CHECK_INT(n, 32);
	lv_free(raw);
}

static void test_b64url(void)
{
	unsigned char *raw = NULL;
	size_t n = 0;
	char out[16];

	CHECK_INT(sso_b64url_decode("aGk", 3, &raw, &n), LV_OK);
	CHECK_INT(n, 2);
	CHECK(raw && memcmp(raw, "hi", 2) == 0);
	lv_free(raw);
	CHECK_INT(sso_b64url_decode("aGk=", 4, &raw, &n), LV_EINVAL);
	CHECK(raw == NULL);
	CHECK_INT(sso_b64url_decode("a+/k", 4, &raw, &n), LV_EINVAL);
	CHECK_INT(sso_b64url_decode("a.k", 3, &raw, &n), LV_EINVAL);
	CHECK_STR(sso_b64url_encode(out, sizeof(out),
				    (const unsigned char *)"\xfb\xff", 2),
		  "-_8");
}

static void test_percent_encoding(void)
{
	struct lv_buf b;

	lv_buf_init(&b, 256);
	CHECK_INT(sso_buf_append_pct(&b, "a b&c=d/\xc3\xa9~-._+%"), LV_OK);
	CHECK_STR(lv_buf_str(&b), "a%20b%26c%3Dd%2F%C3%A9~-._%2B%25");
	lv_buf_reset(&b);
	CHECK_INT(sso_buf_append_param(&b, "x", "1 2"), LV_OK);
	CHECK_INT(sso_buf_append_param(&b, "y", "?"), LV_OK);
	CHECK_STR(lv_buf_str(&b), "x=1%202&y=%3F");
	lv_buf_reset(&b);
	lv_buf_append_str(&b, "https://a/b?");
	CHECK_INT(sso_buf_append_param(&b, "z", "1"), LV_OK);
	CHECK_STR(lv_buf_str(&b), "https://a/b?z=1");
	lv_buf_cleanup(&b);

	lv_buf_init(&b, 4);
	CHECK_INT(sso_buf_append_pct(&b, "   "), LV_ETOOBIG);
	lv_buf_cleanup(&b);
}

static void test_text_clean(void)
{
	char out[8];

	CHECK_STR(sso_text_clean(out, sizeof(out), "ok\n\"x\\"), "ok??x?");
	CHECK_STR(sso_text_clean(out, sizeof(out), "0123456789"), "0123456");
	CHECK_STR(sso_text_clean(out, sizeof(out), "\xc3\xa9"), "??");
	CHECK_STR(sso_text_clean(out, sizeof(out), NULL), "");
}

static void test_reason_names(void)
{
	static const char *const names[] = {
		"none", "discovery_failed", "issuer_mismatch",
		"state_invalid", "provider_error", "token_request_failed",
		"id_token_missing", "id_token_malformed", "alg_not_allowed",
		"key_not_found", "signature_invalid", "iss_invalid",
		"aud_invalid", "azp_invalid", "exp_invalid", "iat_invalid",
		"nonce_invalid", "sub_missing", "userinfo_failed",
		"userinfo_sub_mismatch", "logout_token_invalid"
	};
	int i;

	CHECK_INT(sizeof(names) / sizeof(names[0]), SSO_R_COUNT);
	for (i = 0; i < SSO_R_COUNT; i++) {
		CHECK_STR(sso_reason_name((enum sso_reason)i), names[i]);
		CHECK(strlen(sso_reason_message((enum sso_reason)i)) > 10);
	}
	CHECK_STR(sso_reason_name(SSO_R_COUNT), "unknown");
	CHECK_STR(sso_reason_message(SSO_R_STATE_INVALID),
		  "The sign-in link has expired or was already used. Please "
		  "sign in again.");
}

static void test_str_equal_ct(void)
{
	CHECK(sso_str_equal_ct("abc", "abc"));
	CHECK(!sso_str_equal_ct("abc", "abd"));
	CHECK(!sso_str_equal_ct("abc", "ab"));
	CHECK(!sso_str_equal_ct(NULL, "ab"));
}

/* sso_rp_new with one setting changed; returns its code. */
static int rp_new_with(const char *field, const char *value, int allow_http)
{
	struct sso_config cfg;
	struct sso_rp *rp = NULL;
	char msg[256] = "";
	int rc;

	sso_config_init(&cfg);
	cfg.issuer = "https://idp.test/realms/x";
	cfg.client_id = "store";
	cfg.client_secret = "secret";
	cfg.redirect_uri = "https://store.test/auth/callback";
	cfg.allow_http = allow_http;
	if (strcmp(field, "issuer") == 0)
		cfg.issuer = value;
	else if (strcmp(field, "client_id") == 0)
		cfg.client_id = value;
	else if (strcmp(field, "client_secret") == 0)
		cfg.client_secret = value;
	else if (strcmp(field, "scope") == 0)
		cfg.scope = value;
	else if (strcmp(field, "redirect_uri") == 0)
		cfg.redirect_uri = value;
	rc = sso_rp_new(&cfg, &rp, msg, sizeof(msg));
	CHECK(rc == LV_OK ? rp != NULL : (rp == NULL && msg[0] != '\0'));
	sso_rp_free(rp);
	return rc;
}

static void test_config_checks(void)
{
	CHECK_INT(rp_new_with("scope", NULL, 0), LV_OK);
	CHECK_INT(rp_new_with("issuer", "http://127.0.0.1:8080/r", 0),
		  LV_EINVAL);
	CHECK_INT(rp_new_with("issuer", "http://127.0.0.1:8080/r", 1), LV_OK);
	CHECK_INT(rp_new_with("issuer", "https://idp.test/r?x=1", 0),
		  LV_EINVAL);
	CHECK_INT(rp_new_with("issuer", "https://idp.test/r#f", 0), LV_EINVAL);
	CHECK_INT(rp_new_with("issuer", "https://idp .test/", 0), LV_EINVAL);
	CHECK_INT(rp_new_with("issuer", NULL, 0), LV_EINVAL);
	CHECK_INT(rp_new_with("client_id", "", 0), LV_EINVAL);
	CHECK_INT(rp_new_with("client_secret", NULL, 0), LV_EINVAL);
	CHECK_INT(rp_new_with("scope", "profile email", 0), LV_EINVAL);
	CHECK_INT(rp_new_with("scope", "email openid", 0), LV_OK);
	CHECK_INT(rp_new_with("scope", "openidx", 0), LV_EINVAL);
	CHECK_INT(rp_new_with("redirect_uri", "/auth/callback", 0), LV_EINVAL);
	CHECK_INT(rp_new_with("redirect_uri", "http://127.0.0.1/cb", 0), LV_OK);
}

static void test_discovery_url(void)
{
	struct sso_config cfg;
	struct sso_rp *rp = NULL;
	char msg[128];

	sso_config_init(&cfg);
	cfg.client_id = "c";
	cfg.client_secret = "s";
	cfg.redirect_uri = "https://store.test/cb";
	cfg.issuer = "https://idp.test/realms/x/";
	CHECK_INT(sso_rp_new(&cfg, &rp, msg, sizeof(msg)), LV_OK);
	CHECK_STR(rp->discovery_url,
		  "https://idp.test/realms/x/.well-known/openid-configuration");
	sso_rp_free(rp);
	cfg.issuer = "https://idp.test";
	CHECK_INT(sso_rp_new(&cfg, &rp, msg, sizeof(msg)), LV_OK);
	CHECK_STR(rp->discovery_url,
		  "https://idp.test/.well-known/openid-configuration");
	sso_rp_free(rp);
}

int main(void)
{
	LV_RUN(test_pkce_rfc7636_vector);
	LV_RUN(test_random_tokens);
	LV_RUN(test_b64url);
	LV_RUN(test_percent_encoding);
	LV_RUN(test_text_clean);
	LV_RUN(test_reason_names);
	LV_RUN(test_str_equal_ct);
	LV_RUN(test_config_checks);
	LV_RUN(test_discovery_url);
	return lv_test_done();
}
