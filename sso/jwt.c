/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * jwt.c - validation of the JWTs the provider signs: the id_token of a
 * sign-in and the logout_token of a back-channel logout.
 *
 * Form: compact JWS only (three base64url parts); an encrypted JWE (five
 * parts) is refused, and so is a header with "crit". The header is parsed
 * by us before any key is touched, with duplicate names refused.
 *
 * Algorithms: only RS256/384/512, PS256/384/512 and ES256/384/512, and only
 * with a key of the matching type (EC keys on the matching curve). "none"
 * and every HS* are refused outright: an HMAC "signed" with a public key's
 * bytes must never verify. When the provider lists
 * id_token_signing_alg_values_supported, the alg must also be in it.
 * Signature verification is cjose's, over the token's own text.
 *
 * Claims of an id_token: iss equals the discovered issuer; aud is the
 * client_id or an array holding it, and with several audiences azp must be
 * present; azp, when present, is the client_id; exp is present, numeric,
 * and now < exp + slack; iat is present, numeric, and
 *     now - max(slack, SSO_IAT_MIN_WINDOW) <= iat <= now + slack
 * (iat may be up to ten minutes old so that a slow sign-in page, or a
 * person who waits at the provider's consent screen, still works; the
 * single-use state and the nonce already bind the token to this login);
 * nbf, when present, is not beyond now + slack; nonce equals the stored
 * one (constant-time); sub is a non-empty string of at most 255 bytes.
 *
 * Claims of a logout_token (Back-Channel Logout 1.0, 2.6): the same iss,
 * aud and iat rules; exp checked when present; "events" holds the
 * back-channel-logout member as an object; no nonce; sub or sid; a jti.
 */
#include <cjose/cjose.h>
#include <string.h>

#include "lv_err.h"
#include "lv_mem.h"
#include "lv_time.h"
#include "sso_int.h"

#define BCL_EVENT "http://schemas.openid.net/event/backchannel-logout"

/* Largest numeric date accepted (year 2286); keeps the arithmetic safe. */
#define DATE_MAX 9999999999LL

static const char *const allowed_algs[] = {
	"RS256", "RS384", "RS512", "PS256", "PS384",
	"PS512", "ES256", "ES384", "ES512", NULL
};

static int alg_allowed(const char *alg)
{
	size_t i;

	for (i = 0; allowed_algs[i]; i++)
		if (strcmp(alg, allowed_algs[i]) == 0)
			return 1;
	return 0;
}

static int alg_advertised(const struct sso_provider *prov, const char *alg)
{
	size_t i;

	if (prov->algs == NULL)
		return 1;
	for (i = 0; i < json_array_size(prov->algs); i++) {
		const char *s = json_string_value(json_array_get(prov->algs, i));

		if (s && strcmp(s, alg) == 0)
			return 1;
	}
	return 0;
}

/* The JWS signature length of an ES* alg (RFC 7518 3.4), else 0. */
static size_t ec_sig_len(const char *alg)
{
	if (strcmp(alg, "ES256") == 0)
		return 64;
	if (strcmp(alg, "ES384") == 0)
		return 96;
	if (strcmp(alg, "ES512") == 0)
		return 132;
	return 0;
}

static int is_b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Decodes a base64url JSON object part. OUT: *obj. */
static int part_json(const char *s, size_t n, json_t **obj)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	json_error_t jerr;
	json_t *v = NULL;
	int rc = LV_EINVAL;

	*obj = NULL;
	if (sso_b64url_decode(s, n, &raw, &len) != LV_OK)
		goto out;
	v = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL || !json_is_object(v))
		goto out;
	*obj = v;
	v = NULL;
	rc = LV_OK;
out:
	json_decref(v);
	lv_free(raw);
	return rc;
}

/* Finds the verification key, re-fetching the JWKS once if needed. */
static int key_find(struct sso_rp *rp, const struct sso_provider *prov,
		    const char *alg, const char *kid, struct sso_keyset **ks,
		    void **jwk, struct sso_error *err)
{
	struct sso_keyset *fresh = NULL;
	enum sso_key_found found;
	char detail[200], k[64];
	int rc;

	*jwk = NULL;
	rc = sso_keys_get(rp, prov, ks, detail, sizeof(detail));
	if (rc != LV_OK) {
		sso_fail(err, SSO_R_KEY_NOT_FOUND, "no keys: %s", detail);
		return LV_EUNAVAIL;
	}
	found = sso_keyset_select(*ks, alg, kid, jwk);
	if (found == SSO_KEY_NONE &&
	    sso_keys_refresh(rp, prov, *ks, &fresh) == LV_OK) {
		sso_keyset_release(*ks);
		*ks = fresh;
		found = sso_keyset_select(*ks, alg, kid, jwk);
	}
	sso_text_clean(k, sizeof(k), kid ? kid : "");
	switch (found) {
	case SSO_KEY_FOUND:
		return LV_OK;
	case SSO_KEY_WRONG_TYPE:
		sso_fail(err, SSO_R_ALG_NOT_ALLOWED,
			 "key kid=\"%s\" cannot be used with %s", k, alg);
		break;
	case SSO_KEY_AMBIGUOUS:
		sso_fail(err, SSO_R_KEY_NOT_FOUND,
			 "the token names no kid and several keys fit %s", alg);
		break;
	case SSO_KEY_NONE:
	default:
		if (kid)
			sso_fail(err, SSO_R_KEY_NOT_FOUND,
				 "no key with kid=\"%s\" for %s", k, alg);
		else
			sso_fail(err, SSO_R_KEY_NOT_FOUND,
				 "the token names no kid and no key fits %s",
				 alg);
		break;
	}
	return LV_EAUTH;
}

int sso_jws_verify(struct sso_rp *rp, const struct sso_provider *prov,
		   const char *token, enum sso_reason malformed,
		   json_t **claims, struct sso_error *err)
{
	struct sso_keyset *ks = NULL;
	cjose_jws_t *jws = NULL;
	cjose_err cerr;
	json_t *hdr = NULL, *payload = NULL;
	const json_t *kidv;
	unsigned char *sig = NULL;
	size_t len, i, dot[4], ndots = 0, siglen = 0, want;
	const char *alg;
	void *jwk = NULL;
	char a[32];
	int rc = LV_EAUTH;

	*claims = NULL;
	len = token ? strnlen(token, SSO_JWT_MAX + 1) : 0;
	if (len == 0 || len > SSO_JWT_MAX) {
		sso_fail(err, malformed, "token is empty or over %d bytes",
			 SSO_JWT_MAX);
		goto out;
	}
	for (i = 0; i < len; i++) {
		if (token[i] == '.') {
			if (ndots < 4)
				dot[ndots] = i;
			ndots++;
		} else if (!is_b64url_char(token[i])) {
			sso_fail(err, malformed,
				 "token is not in compact serialization");
			goto out;
		}
	}
	if (ndots == 4) {
		sso_fail(err, malformed,
			 "encrypted tokens (JWE) are not accepted");
		goto out;
	}
	if (ndots != 2 || dot[0] == 0 || dot[1] == dot[0] + 1) {
		sso_fail(err, malformed, "token is not a compact JWS");
		goto out;
	}
	if (part_json(token, dot[0], &hdr) != LV_OK) {
		sso_fail(err, malformed, "token header is not a JSON object");
		goto out;
	}
	alg = json_string_value(json_object_get(hdr, "alg"));
	kidv = json_object_get(hdr, "kid");
	if (alg == NULL || (kidv && !json_is_string(kidv))) {
		sso_fail(err, malformed, "token header has no alg, or a kid "
					 "that is not a string");
		goto out;
	}
	if (json_object_get(hdr, "crit")) {
		sso_fail(err, malformed, "token header has crit extensions");
		goto out;
	}
	sso_text_clean(a, sizeof(a), alg);
	if (!alg_allowed(alg)) {
		sso_fail(err, SSO_R_ALG_NOT_ALLOWED, "alg \"%s\" is refused", a);
		goto out;
	}
	if (!alg_advertised(prov, alg)) {
		sso_fail(err, SSO_R_ALG_NOT_ALLOWED,
			 "alg %s is not among the provider's "
			 "id_token_signing_alg_values_supported",
			 a);
		goto out;
	}
	if (dot[1] + 1 == len ||
	    sso_b64url_decode(token + dot[1] + 1, len - dot[1] - 1, &sig,
			      &siglen) != LV_OK) {
		sso_fail(err, SSO_R_SIGNATURE_INVALID, "the token has no "
						       "signature");
		goto out;
	}
	rc = key_find(rp, prov, alg, json_string_value(kidv), &ks, &jwk, err);
	if (rc != LV_OK)
		goto out;
	rc = LV_EAUTH;
	want = ec_sig_len(alg);
	if (want && siglen != want) {
		sso_fail(err, SSO_R_SIGNATURE_INVALID,
			 "%s signature of %zu bytes (not %zu)", a, siglen, want);
		goto out;
	}
	jws = cjose_jws_import(token, len, &cerr);
	if (jws == NULL) {
		sso_fail(err, malformed, "token does not parse as a JWS");
		goto out;
	}
	if (!cjose_jws_verify(jws, jwk, &cerr)) {
		sso_fail(err, SSO_R_SIGNATURE_INVALID,
			 "the %s signature does not verify", a);
		goto out;
	}
	if (part_json(token + dot[0] + 1, dot[1] - dot[0] - 1, &payload) !=
	    LV_OK) {
		sso_fail(err, malformed, "token payload is not a JSON object");
		goto out;
	}
	*claims = payload;
	payload = NULL;
	rc = LV_OK;
out:
	cjose_jws_release(jws);
	sso_keyset_release(ks);
	lv_free(sig);
	json_decref(payload);
	json_decref(hdr);
	return rc;
}

/*
 * Reads a NumericDate claim. Returns LV_OK, LV_ENOTFOUND (absent) or
 * LV_EINVAL (not a number in 0..DATE_MAX).
 */
static int claim_date(const json_t *claims, const char *name, int64_t *out)
{
	const json_t *v = json_object_get(claims, name);
	double d;

	*out = 0;
	if (v == NULL)
		return LV_ENOTFOUND;
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0 || i > DATE_MAX)
			return LV_EINVAL;
		*out = (int64_t)i;
		return LV_OK;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (!(d >= 0.0 && d <= (double)DATE_MAX))
			return LV_EINVAL;
		*out = (int64_t)d;
		return LV_OK;
	}
	return LV_EINVAL;
}

static int check_iss(const struct sso_provider *prov, const json_t *claims,
		     struct sso_error *err)
{
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	char got[128];

	if (iss == NULL) {
		sso_fail(err, SSO_R_ISS_INVALID, "the token has no iss");
		return LV_EAUTH;
	}
	if (strcmp(iss, prov->issuer) != 0) {
		sso_fail(err, SSO_R_ISS_INVALID,
			 "iss \"%s\" is not the provider's issuer",
			 sso_text_clean(got, sizeof(got), iss));
		return LV_EAUTH;
	}
	return LV_OK;
}

/* aud (and azp when check_azp): OUT: *naud, the number of audiences. */
static int check_aud(const struct sso_rp *rp, const json_t *claims,
		     int check_azp, struct sso_error *err)
{
	const json_t *aud = json_object_get(claims, "aud");
	const json_t *azpv = json_object_get(claims, "azp");
	const char *cid = rp->cfg.client_id;
	size_t i, n = 0;
	int ours = 0;

	if (json_is_string(aud)) {
		n = 1;
		ours = strcmp(json_string_value(aud), cid) == 0;
	} else if (json_is_array(aud)) {
		n = json_array_size(aud);
		for (i = 0; i < n; i++) {
			const char *s =
				json_string_value(json_array_get(aud, i));

			if (s == NULL) {
				sso_fail(err, SSO_R_AUD_INVALID,
					 "aud holds a value that is not a "
					 "string");
				return LV_EAUTH;
			}
			if (strcmp(s, cid) == 0)
				ours = 1;
		}
	}
	if (!ours) {
		sso_fail(err, SSO_R_AUD_INVALID,
			 aud ? "aud does not name this client"
			     : "the token has no aud");
		return LV_EAUTH;
	}
	if (!check_azp)
		return LV_OK;
	if (azpv && (!json_is_string(azpv) ||
		     strcmp(json_string_value(azpv), cid) != 0)) {
		sso_fail(err, SSO_R_AZP_INVALID, "azp is not this client");
		return LV_EAUTH;
	}
	if (n > 1 && azpv == NULL) {
		sso_fail(err, SSO_R_AZP_INVALID,
			 "aud names %zu audiences and there is no azp", n);
		return LV_EAUTH;
	}
	return LV_OK;
}

/* exp: required or not; now < exp + slack. */
static int check_exp(const struct sso_rp *rp, const json_t *claims,
		     int required, struct sso_error *err)
{
	int64_t exp, now = lv_now();
	int rc = claim_date(claims, "exp", &exp);

	if (rc == LV_ENOTFOUND && !required)
		return LV_OK;
	if (rc != LV_OK) {
		sso_fail(err, SSO_R_EXP_INVALID, "exp is %s",
			 rc == LV_ENOTFOUND ? "missing" : "not a date");
		return LV_EAUTH;
	}
	if (now >= exp + rp->cfg.iat_slack_seconds) {
		sso_fail(err, SSO_R_EXP_INVALID,
			 "the token expired %lld s ago",
			 (long long)(now - exp));
		return LV_EAUTH;
	}
	return LV_OK;
}

/* iat required: now - max(slack, window) <= iat <= now + slack; nbf. */
static int check_iat(const struct sso_rp *rp, const json_t *claims,
		     struct sso_error *err)
{
	int64_t iat, nbf, now = lv_now(), slack = rp->cfg.iat_slack_seconds;
	int64_t window = slack > SSO_IAT_MIN_WINDOW ? slack : SSO_IAT_MIN_WINDOW;
	int rc = claim_date(claims, "iat", &iat);

	if (rc != LV_OK) {
		sso_fail(err, SSO_R_IAT_INVALID, "iat is %s",
			 rc == LV_ENOTFOUND ? "missing" : "not a date");
		return LV_EAUTH;
	}
	if (iat > now + slack) {
		sso_fail(err, SSO_R_IAT_INVALID,
			 "iat is %lld s in the future", (long long)(iat - now));
		return LV_EAUTH;
	}
	if (iat < now - window) {
		sso_fail(err, SSO_R_IAT_INVALID, "iat is %lld s old",
			 (long long)(now - iat));
		return LV_EAUTH;
	}
	rc = claim_date(claims, "nbf", &nbf);
	if (rc == LV_EINVAL || (rc == LV_OK && nbf > now + slack)) {
		sso_fail(err, SSO_R_IAT_INVALID,
			 "nbf is not a date or in the future");
		return LV_EAUTH;
	}
	return LV_OK;
}

int sso_id_token_claims_check(const struct sso_rp *rp,
			      const struct sso_provider *prov,
			      const json_t *claims, const char *nonce,
			      struct sso_error *err)
{
	const char *got, *sub;

	if (check_iss(prov, claims, err) != LV_OK ||
	    check_aud(rp, claims, 1, err) != LV_OK ||
	    check_exp(rp, claims, 1, err) != LV_OK ||
	    check_iat(rp, claims, err) != LV_OK)
		return LV_EAUTH;
	got = json_string_value(json_object_get(claims, "nonce"));
	if (got == NULL || nonce == NULL || nonce[0] == '\0' ||
	    !sso_str_equal_ct(got, nonce)) {
		sso_fail(err, SSO_R_NONCE_INVALID,
			 got ? "nonce does not match this login"
			     : "the token has no nonce");
		return LV_EAUTH;
	}
	sub = json_string_value(json_object_get(claims, "sub"));
	if (sub == NULL || sub[0] == '\0' || strlen(sub) > 255) {
		sso_fail(err, SSO_R_SUB_MISSING,
			 "sub is missing, empty, not a string or too long");
		return LV_EAUTH;
	}
	return LV_OK;
}

/* An optional string claim: absent, or a non-empty string up to max. */
static int optional_string(const json_t *claims, const char *name,
			   size_t max, const char **out)
{
	const json_t *v = json_object_get(claims, name);
	const char *s;

	*out = NULL;
	if (v == NULL)
		return LV_OK;
	s = json_string_value(v);
	if (s == NULL || s[0] == '\0' || strlen(s) > max)
		return LV_EINVAL;
	*out = s;
	return LV_OK;
}

int sso_logout_claims_check(const struct sso_rp *rp,
			    const struct sso_provider *prov,
			    const json_t *claims, struct sso_error *err)
{
	const json_t *events, *ev;
	const char *sub, *sid, *jti;

	if (check_iss(prov, claims, err) != LV_OK ||
	    check_aud(rp, claims, 0, err) != LV_OK ||
	    check_iat(rp, claims, err) != LV_OK ||
	    check_exp(rp, claims, 0, err) != LV_OK)
		return LV_EAUTH;
	events = json_object_get(claims, "events");
	ev = json_is_object(events) ? json_object_get(events, BCL_EVENT) : NULL;
	if (!json_is_object(ev)) {
		sso_fail(err, SSO_R_LOGOUT_TOKEN_INVALID,
			 "events lacks the back-channel logout event");
		return LV_EAUTH;
	}
	if (json_object_get(claims, "nonce")) {
		sso_fail(err, SSO_R_LOGOUT_TOKEN_INVALID,
			 "a logout token must not have a nonce");
		return LV_EAUTH;
	}
	if (optional_string(claims, "sub", 255, &sub) != LV_OK ||
	    optional_string(claims, "sid", 255, &sid) != LV_OK ||
	    (sub == NULL && sid == NULL)) {
		sso_fail(err, SSO_R_LOGOUT_TOKEN_INVALID,
			 "the token names neither a valid sub nor sid");
		return LV_EAUTH;
	}
	if (optional_string(claims, "jti", 255, &jti) != LV_OK ||
	    jti == NULL) {
		sso_fail(err, SSO_R_LOGOUT_TOKEN_INVALID,
			 "jti is missing or not a short string");
		return LV_EAUTH;
	}
	return LV_OK;
}

int sso_id_token_validate(struct sso_rp *rp, const struct sso_provider *prov,
			  const char *token, const char *nonce, json_t **claims,
			  struct sso_error *err)
{
	json_t *c = NULL;
	int rc;

	*claims = NULL;
	rc = sso_jws_verify(rp, prov, token, SSO_R_ID_TOKEN_MALFORMED, &c,
			    err);
	if (rc == LV_OK)
		rc = sso_id_token_claims_check(rp, prov, c, nonce, err);
	if (rc == LV_OK) {
		*claims = c;
		c = NULL;
	}
	json_decref(c);
	return rc;
}

int sso_logout_token_validate(struct sso_rp *rp,
			      const struct sso_provider *prov,
			      const char *token, json_t **claims,
			      struct sso_error *err)
{
	json_t *c = NULL;
	int rc;

	*claims = NULL;
	rc = sso_jws_verify(rp, prov, token, SSO_R_LOGOUT_TOKEN_INVALID, &c,
			    err);
	if (rc == LV_OK)
		rc = sso_logout_claims_check(rp, prov, c, err);
	if (rc == LV_OK) {
		*claims = c;
		c = NULL;
	}
	json_decref(c);
	return rc;
}
